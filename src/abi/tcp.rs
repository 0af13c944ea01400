//! Constants of `<nanomsg/tcp.h>`.
use std::os::raw::c_int;

pub const NN_TCP: c_int = -3;

pub const NN_TCP_NODELAY: c_int = 1;
