//! Constants of `<nanomsg/bus.h>`.
use std::os::raw::c_int;

pub const NN_PROTO_BUS: c_int = 7;
pub const NN_BUS: c_int = NN_PROTO_BUS * 16;
