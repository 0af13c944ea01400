//! Constants of `<nanomsg/pair.h>`.
use std::os::raw::c_int;

pub const NN_PROTO_PAIR: c_int = 1;
pub const NN_PAIR: c_int = NN_PROTO_PAIR * 16;
