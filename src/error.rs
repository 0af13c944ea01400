//! Error numbers as the C API reports them.

use std::os::raw::c_int;

use crate::abi::NN_HAUSNUMERO;

/// An errno value (a Linux one, or one of nanomsg's own above `NN_HAUSNUMERO`).
pub type Errno = c_int;

/// Result of an operation that fails with an errno.
pub type Result<T> = std::result::Result<T, Errno>;

/// The library is terminating (`nn_term` was called).
pub const ETERM: Errno = NN_HAUSNUMERO + 53;
/// The operation cannot be performed in this state.
pub const EFSM: Errno = NN_HAUSNUMERO + 54;

pub use libc::{
    EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EAGAIN, EBADF, ECONNREFUSED, EFAULT, EINTR, EINVAL,
    EMFILE, EMSGSIZE, ENAMETOOLONG, ENODEV, ENOMEM, ENOPROTOOPT, ENOTSUP, EPROTONOSUPPORT,
    ETIMEDOUT,
};

/// Maps an I/O error to the errno nanomsg reports for it.
pub fn from_io(e: &std::io::Error) -> Errno {
    e.raw_os_error().unwrap_or(libc::EIO)
}
