//! Constants of `<nanomsg/pipeline.h>`.
use std::os::raw::c_int;

pub const NN_PROTO_PIPELINE: c_int = 5;
pub const NN_PUSH: c_int = NN_PROTO_PIPELINE * 16;
pub const NN_PULL: c_int = NN_PROTO_PIPELINE * 16 + 1;
