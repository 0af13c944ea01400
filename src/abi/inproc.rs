//! Constants of `<nanomsg/inproc.h>`.
use std::os::raw::c_int;

pub const NN_INPROC: c_int = -1;
