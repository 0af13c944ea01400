//! The table behind nn_symbol and nn_symbol_info: every constant nanomsg
//! 1.1.5 lists, in its order, with namespace, type and unit. (Error values
//! are Linux's, as the library reports them on Linux.)

use std::ffi::CStr;
use std::os::raw::c_int;

/// One row: value, name, namespace, option type, option unit.
pub struct Symbol {
    pub value: c_int,
    pub name: &'static CStr,
    pub ns: c_int,
    pub ty: c_int,
    pub unit: c_int,
}

const fn sym(value: c_int, name: &'static CStr, ns: c_int, ty: c_int, unit: c_int) -> Symbol {
    Symbol {
        value,
        name,
        ns,
        ty,
        unit,
    }
}

#[rustfmt::skip]
pub static SYMBOLS: &[Symbol] = &[
    sym(0, c"NN_NS_NAMESPACE", 0, 0, 0),
    sym(1, c"NN_NS_VERSION", 0, 0, 0),
    sym(2, c"NN_NS_DOMAIN", 0, 0, 0),
    sym(3, c"NN_NS_TRANSPORT", 0, 0, 0),
    sym(4, c"NN_NS_PROTOCOL", 0, 0, 0),
    sym(5, c"NN_NS_OPTION_LEVEL", 0, 0, 0),
    sym(6, c"NN_NS_SOCKET_OPTION", 0, 0, 0),
    sym(7, c"NN_NS_TRANSPORT_OPTION", 0, 0, 0),
    sym(8, c"NN_NS_OPTION_TYPE", 0, 0, 0),
    sym(9, c"NN_NS_OPTION_UNIT", 0, 0, 0),
    sym(10, c"NN_NS_FLAG", 0, 0, 0),
    sym(11, c"NN_NS_ERROR", 0, 0, 0),
    sym(12, c"NN_NS_LIMIT", 0, 0, 0),
    sym(13, c"NN_NS_EVENT", 0, 0, 0),
    sym(14, c"NN_NS_STATISTIC", 0, 0, 0),
    sym(0, c"NN_TYPE_NONE", 8, 0, 0),
    sym(1, c"NN_TYPE_INT", 8, 0, 0),
    sym(2, c"NN_TYPE_STR", 8, 0, 0),
    sym(0, c"NN_UNIT_NONE", 9, 0, 0),
    sym(1, c"NN_UNIT_BYTES", 9, 0, 0),
    sym(2, c"NN_UNIT_MILLISECONDS", 9, 0, 0),
    sym(3, c"NN_UNIT_PRIORITY", 9, 0, 0),
    sym(4, c"NN_UNIT_BOOLEAN", 9, 0, 0),
    sym(6, c"NN_UNIT_COUNTER", 9, 0, 0),
    sym(5, c"NN_UNIT_MESSAGES", 9, 0, 0),
    sym(5, c"NN_VERSION_CURRENT", 1, 0, 0),
    sym(1, c"NN_VERSION_REVISION", 1, 0, 0),
    sym(0, c"NN_VERSION_AGE", 1, 0, 0),
    sym(1, c"AF_SP", 2, 0, 0),
    sym(2, c"AF_SP_RAW", 2, 0, 0),
    sym(-1, c"NN_INPROC", 3, 0, 0),
    sym(-2, c"NN_IPC", 3, 0, 0),
    sym(-3, c"NN_TCP", 3, 0, 0),
    sym(-4, c"NN_WS", 3, 0, 0),
    sym(16, c"NN_PAIR", 4, 0, 0),
    sym(32, c"NN_PUB", 4, 0, 0),
    sym(33, c"NN_SUB", 4, 0, 0),
    sym(49, c"NN_REP", 4, 0, 0),
    sym(48, c"NN_REQ", 4, 0, 0),
    sym(80, c"NN_PUSH", 4, 0, 0),
    sym(81, c"NN_PULL", 4, 0, 0),
    sym(98, c"NN_SURVEYOR", 4, 0, 0),
    sym(99, c"NN_RESPONDENT", 4, 0, 0),
    sym(112, c"NN_BUS", 4, 0, 0),
    sym(128, c"NN_SOCKADDR_MAX", 12, 0, 0),
    sym(0, c"NN_SOL_SOCKET", 5, 0, 0),
    sym(1, c"NN_LINGER", 6, 1, 2),
    sym(2, c"NN_SNDBUF", 6, 1, 1),
    sym(3, c"NN_RCVBUF", 6, 1, 1),
    sym(16, c"NN_RCVMAXSIZE", 6, 1, 1),
    sym(4, c"NN_SNDTIMEO", 6, 1, 2),
    sym(5, c"NN_RCVTIMEO", 6, 1, 2),
    sym(6, c"NN_RECONNECT_IVL", 6, 1, 2),
    sym(7, c"NN_RECONNECT_IVL_MAX", 6, 1, 2),
    sym(8, c"NN_SNDPRIO", 6, 1, 3),
    sym(9, c"NN_RCVPRIO", 6, 1, 3),
    sym(10, c"NN_SNDFD", 6, 1, 0),
    sym(11, c"NN_RCVFD", 6, 1, 0),
    sym(12, c"NN_DOMAIN", 6, 1, 0),
    sym(13, c"NN_PROTOCOL", 6, 1, 0),
    sym(14, c"NN_IPV4ONLY", 6, 1, 4),
    sym(15, c"NN_SOCKET_NAME", 6, 2, 0),
    sym(17, c"NN_MAXTTL", 6, 1, 0),
    sym(1, c"NN_SUB_SUBSCRIBE", 7, 2, 0),
    sym(2, c"NN_SUB_UNSUBSCRIBE", 7, 2, 0),
    sym(1, c"NN_REQ_RESEND_IVL", 7, 1, 2),
    sym(1, c"NN_SURVEYOR_DEADLINE", 7, 1, 2),
    sym(1, c"NN_TCP_NODELAY", 7, 1, 4),
    sym(1, c"NN_WS_MSG_TYPE", 7, 1, 0),
    sym(1, c"NN_DONTWAIT", 10, 0, 0),
    sym(1, c"NN_WS_MSG_TYPE_TEXT", 10, 0, 0),
    sym(2, c"NN_WS_MSG_TYPE_BINARY", 10, 0, 0),
    sym(1, c"NN_POLLIN", 13, 0, 0),
    sym(2, c"NN_POLLOUT", 13, 0, 0),
    sym(98, c"EADDRINUSE", 11, 0, 0),
    sym(99, c"EADDRNOTAVAIL", 11, 0, 0),
    sym(97, c"EAFNOSUPPORT", 11, 0, 0),
    sym(11, c"EAGAIN", 11, 0, 0),
    sym(9, c"EBADF", 11, 0, 0),
    sym(111, c"ECONNREFUSED", 11, 0, 0),
    sym(14, c"EFAULT", 11, 0, 0),
    sym(156384766, c"EFSM", 11, 0, 0),
    sym(115, c"EINPROGRESS", 11, 0, 0),
    sym(4, c"EINTR", 11, 0, 0),
    sym(22, c"EINVAL", 11, 0, 0),
    sym(24, c"EMFILE", 11, 0, 0),
    sym(36, c"ENAMETOOLONG", 11, 0, 0),
    sym(100, c"ENETDOWN", 11, 0, 0),
    sym(105, c"ENOBUFS", 11, 0, 0),
    sym(19, c"ENODEV", 11, 0, 0),
    sym(12, c"ENOMEM", 11, 0, 0),
    sym(92, c"ENOPROTOOPT", 11, 0, 0),
    sym(88, c"ENOTSOCK", 11, 0, 0),
    sym(95, c"ENOTSUP", 11, 0, 0),
    sym(71, c"EPROTO", 11, 0, 0),
    sym(93, c"EPROTONOSUPPORT", 11, 0, 0),
    sym(156384765, c"ETERM", 11, 0, 0),
    sym(110, c"ETIMEDOUT", 11, 0, 0),
    sym(13, c"EACCES", 11, 0, 0),
    sym(103, c"ECONNABORTED", 11, 0, 0),
    sym(104, c"ECONNRESET", 11, 0, 0),
    sym(113, c"EHOSTUNREACH", 11, 0, 0),
    sym(90, c"EMSGSIZE", 11, 0, 0),
    sym(102, c"ENETRESET", 11, 0, 0),
    sym(101, c"ENETUNREACH", 11, 0, 0),
    sym(107, c"ENOTCONN", 11, 0, 0),
    sym(101, c"NN_STAT_ESTABLISHED_CONNECTIONS", 14, 1, 6),
    sym(102, c"NN_STAT_ACCEPTED_CONNECTIONS", 14, 1, 6),
    sym(103, c"NN_STAT_DROPPED_CONNECTIONS", 14, 1, 6),
    sym(104, c"NN_STAT_BROKEN_CONNECTIONS", 14, 1, 6),
    sym(105, c"NN_STAT_CONNECT_ERRORS", 14, 1, 6),
    sym(106, c"NN_STAT_BIND_ERRORS", 14, 1, 6),
    sym(107, c"NN_STAT_ACCEPT_ERRORS", 14, 1, 6),
    sym(301, c"NN_STAT_MESSAGES_SENT", 14, 1, 5),
    sym(302, c"NN_STAT_MESSAGES_RECEIVED", 14, 1, 5),
    sym(303, c"NN_STAT_BYTES_SENT", 14, 1, 1),
    sym(304, c"NN_STAT_BYTES_RECEIVED", 14, 1, 1),
    sym(201, c"NN_STAT_CURRENT_CONNECTIONS", 14, 1, 0),
    sym(202, c"NN_STAT_INPROGRESS_CONNECTIONS", 14, 1, 0),
    sym(401, c"NN_STAT_CURRENT_SND_PRIORITY", 14, 1, 3),
    sym(203, c"NN_STAT_CURRENT_EP_ERRORS", 14, 1, 0),
    // Ours, after nanomsg's own: the TLS transports (abi/tls.rs).
    sym(-5, c"NN_TLS", 3, 0, 0),
    sym(1, c"NN_TLS_CA_FILE", 7, 2, 0),
    sym(2, c"NN_TLS_CERT_FILE", 7, 2, 0),
    sym(3, c"NN_TLS_KEY_FILE", 7, 2, 0),
    sym(4, c"NN_TLS_SERVER_NAME", 7, 2, 0),
    sym(5, c"NN_TLS_AUTH_MODE", 7, 1, 0),
    sym(0, c"NN_TLS_AUTH_NONE", 10, 0, 0),
    sym(1, c"NN_TLS_AUTH_OPTIONAL", 10, 0, 0),
    sym(2, c"NN_TLS_AUTH_REQUIRED", 10, 0, 0),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi;

    #[test]
    fn table_agrees_with_the_abi_constants() {
        let find = |n: &str| {
            SYMBOLS
                .iter()
                .find(|s| s.name.to_str().unwrap() == n)
                .map(|s| s.value)
        };
        assert_eq!(find("NN_PAIR"), Some(abi::NN_PAIR));
        assert_eq!(find("NN_SURVEYOR"), Some(abi::NN_SURVEYOR));
        assert_eq!(find("NN_RCVMAXSIZE"), Some(abi::NN_RCVMAXSIZE));
        assert_eq!(
            find("NN_WS_MSG_TYPE_BINARY"),
            Some(abi::NN_WS_MSG_TYPE_BINARY)
        );
        assert_eq!(find("ETERM"), Some(crate::error::ETERM));
        assert_eq!(find("EINVAL"), Some(libc::EINVAL));
        assert_eq!(SYMBOLS[0].name.to_str().unwrap(), "NN_NS_NAMESPACE");
        assert_eq!(find("NN_TLS"), Some(abi::NN_TLS));
        assert_eq!(find("NN_TLS_AUTH_MODE"), Some(abi::NN_TLS_AUTH_MODE));
        assert_eq!(
            find("NN_TLS_AUTH_REQUIRED"),
            Some(abi::NN_TLS_AUTH_REQUIRED)
        );
    }
}
