// Error numbers.
//
// On Linux every POSIX code nanomsg uses comes from `<errno.h>`; the header
// still defines a fallback `NN_HAUSNUMERO + n` for each, for platforms that
// lack one. `build.rs` includes this file to write those fallbacks, so the
// table is written once.

/// POSIX error names and their fallback offsets from `NN_HAUSNUMERO`.
pub const POSIX_FALLBACKS: &[(&str, i32)] = &[
    ("ENOTSUP", 1),
    ("EPROTONOSUPPORT", 2),
    ("ENOBUFS", 3),
    ("ENETDOWN", 4),
    ("EADDRINUSE", 5),
    ("EADDRNOTAVAIL", 6),
    ("ECONNREFUSED", 7),
    ("EINPROGRESS", 8),
    ("ENOTSOCK", 9),
    ("EAFNOSUPPORT", 10),
    ("EPROTO", 11),
    ("EAGAIN", 12),
    ("EBADF", 13),
    ("EINVAL", 14),
    ("EMFILE", 15),
    ("EFAULT", 16),
    ("EACCES", 17),
    ("ENETRESET", 18),
    ("ENETUNREACH", 19),
    ("EHOSTUNREACH", 20),
    ("ENOTCONN", 21),
    ("EMSGSIZE", 22),
    ("ETIMEDOUT", 23),
    ("ECONNABORTED", 24),
    ("ECONNRESET", 25),
    ("ENOPROTOOPT", 26),
    ("EISCONN", 27),
    ("ESOCKTNOSUPPORT", 28),
];

/// nanomsg's own error codes, as offsets from `NN_HAUSNUMERO`.
pub const NATIVE: &[(&str, i32)] = &[("ETERM", 53), ("EFSM", 54)];
