//! Constants and structures of `<nanomsg/nn.h>`.
//!
//! This file is the single source of truth for them: the crate uses these
//! definitions and `build.rs` feeds this file to cbindgen to write the header.

use std::os::raw::{c_char, c_int, c_short, c_void};

/// The current interface version.
pub const NN_VERSION_CURRENT: c_int = 5;
/// The latest revision of the current interface.
pub const NN_VERSION_REVISION: c_int = 1;
/// How many past interface versions are still supported.
pub const NN_VERSION_AGE: c_int = 0;

/// A number random enough not to collide with the errno ranges of other
/// operating systems; nanomsg's own error codes are offsets from it.
pub const NN_HAUSNUMERO: c_int = 156384712;

/// Namespace values returned in `nn_symbol_properties.ns`.
pub const NN_NS_NAMESPACE: c_int = 0;
pub const NN_NS_VERSION: c_int = 1;
pub const NN_NS_DOMAIN: c_int = 2;
pub const NN_NS_TRANSPORT: c_int = 3;
pub const NN_NS_PROTOCOL: c_int = 4;
pub const NN_NS_OPTION_LEVEL: c_int = 5;
pub const NN_NS_SOCKET_OPTION: c_int = 6;
pub const NN_NS_TRANSPORT_OPTION: c_int = 7;
pub const NN_NS_OPTION_TYPE: c_int = 8;
pub const NN_NS_OPTION_UNIT: c_int = 9;
pub const NN_NS_FLAG: c_int = 10;
pub const NN_NS_ERROR: c_int = 11;
pub const NN_NS_LIMIT: c_int = 12;
pub const NN_NS_EVENT: c_int = 13;
pub const NN_NS_STATISTIC: c_int = 14;

/// Option types returned in `nn_symbol_properties.type`.
pub const NN_TYPE_NONE: c_int = 0;
pub const NN_TYPE_INT: c_int = 1;
pub const NN_TYPE_STR: c_int = 2;

/// Option units returned in `nn_symbol_properties.unit`.
pub const NN_UNIT_NONE: c_int = 0;
pub const NN_UNIT_BYTES: c_int = 1;
pub const NN_UNIT_MILLISECONDS: c_int = 2;
pub const NN_UNIT_PRIORITY: c_int = 3;
pub const NN_UNIT_BOOLEAN: c_int = 4;
pub const NN_UNIT_MESSAGES: c_int = 5;
pub const NN_UNIT_COUNTER: c_int = 6;

/// Describes one symbol; filled in by `nn_symbol_info`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct nn_symbol_properties {
    /// The constant value.
    pub value: c_int,
    /// The constant name.
    pub name: *const c_char,
    /// The constant namespace, or zero for namespaces themselves.
    pub ns: c_int,
    /// The option type for socket option constants.
    pub r#type: c_int,
    /// The unit for the option value for socket option constants.
    pub unit: c_int,
}

/// Passed as a length to send and receive a zero-copy message. (Written to
/// nn.h by build.rs as `((size_t) -1)`, which cbindgen cannot express.)
/// cbindgen:ignore
pub const NN_MSG: usize = usize::MAX;

/// One element of a scatter/gather array.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct nn_iovec {
    pub iov_base: *mut c_void,
    pub iov_len: usize,
}

/// Describes a message for `nn_sendmsg` and `nn_recvmsg`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct nn_msghdr {
    pub msg_iov: *mut nn_iovec,
    pub msg_iovlen: c_int,
    pub msg_control: *mut c_void,
    pub msg_controllen: usize,
}

/// The header of one piece of ancillary data.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct nn_cmsghdr {
    pub cmsg_len: usize,
    pub cmsg_level: c_int,
    pub cmsg_type: c_int,
}

/// SP address families.
pub const AF_SP: c_int = 1;
pub const AF_SP_RAW: c_int = 2;

/// Max size of an SP address, including the terminating zero.
pub const NN_SOCKADDR_MAX: c_int = 128;

/// Socket option levels: negative numbers are reserved for transports,
/// positive for socket types.
pub const NN_SOL_SOCKET: c_int = 0;

/// Generic socket options (NN_SOL_SOCKET level).
pub const NN_LINGER: c_int = 1;
pub const NN_SNDBUF: c_int = 2;
pub const NN_RCVBUF: c_int = 3;
pub const NN_SNDTIMEO: c_int = 4;
pub const NN_RCVTIMEO: c_int = 5;
pub const NN_RECONNECT_IVL: c_int = 6;
pub const NN_RECONNECT_IVL_MAX: c_int = 7;
pub const NN_SNDPRIO: c_int = 8;
pub const NN_RCVPRIO: c_int = 9;
pub const NN_SNDFD: c_int = 10;
pub const NN_RCVFD: c_int = 11;
pub const NN_DOMAIN: c_int = 12;
pub const NN_PROTOCOL: c_int = 13;
pub const NN_IPV4ONLY: c_int = 14;
pub const NN_SOCKET_NAME: c_int = 15;
pub const NN_RCVMAXSIZE: c_int = 16;
pub const NN_MAXTTL: c_int = 17;

/// Send/recv flags.
pub const NN_DONTWAIT: c_int = 1;

/// Ancillary data.
pub const PROTO_SP: c_int = 1;
pub const SP_HDR: c_int = 1;

/// Socket multiplexing.
pub const NN_POLLIN: c_int = 1;
pub const NN_POLLOUT: c_int = 2;

/// One socket and the events to wait for in `nn_poll`.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct nn_pollfd {
    pub fd: c_int,
    pub events: c_short,
    pub revents: c_short,
}

/// Transport statistics.
pub const NN_STAT_ESTABLISHED_CONNECTIONS: c_int = 101;
pub const NN_STAT_ACCEPTED_CONNECTIONS: c_int = 102;
pub const NN_STAT_DROPPED_CONNECTIONS: c_int = 103;
pub const NN_STAT_BROKEN_CONNECTIONS: c_int = 104;
pub const NN_STAT_CONNECT_ERRORS: c_int = 105;
pub const NN_STAT_BIND_ERRORS: c_int = 106;
pub const NN_STAT_ACCEPT_ERRORS: c_int = 107;
pub const NN_STAT_CURRENT_CONNECTIONS: c_int = 201;
pub const NN_STAT_INPROGRESS_CONNECTIONS: c_int = 202;
pub const NN_STAT_CURRENT_EP_ERRORS: c_int = 203;
/// The socket-internal statistics.
pub const NN_STAT_MESSAGES_SENT: c_int = 301;
pub const NN_STAT_MESSAGES_RECEIVED: c_int = 302;
pub const NN_STAT_BYTES_SENT: c_int = 303;
pub const NN_STAT_BYTES_RECEIVED: c_int = 304;
/// Protocol statistics.
pub const NN_STAT_CURRENT_SND_PRIORITY: c_int = 401;
