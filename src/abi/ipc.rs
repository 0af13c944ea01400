//! Constants of `<nanomsg/ipc.h>`.
use std::os::raw::c_int;

pub const NN_IPC: c_int = -2;

/// Security attribute of the socket file (Windows only in nanomsg).
pub const NN_IPC_SEC_ATTR: c_int = 1;
/// Size of the output buffer (Windows only in nanomsg).
pub const NN_IPC_OUTBUFSZ: c_int = 2;
/// Size of the input buffer (Windows only in nanomsg).
pub const NN_IPC_INBUFSZ: c_int = 3;
