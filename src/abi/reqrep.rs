//! Constants of `<nanomsg/reqrep.h>`.
use std::os::raw::c_int;

pub const NN_PROTO_REQREP: c_int = 3;
pub const NN_REQ: c_int = NN_PROTO_REQREP * 16;
pub const NN_REP: c_int = NN_PROTO_REQREP * 16 + 1;

pub const NN_REQ_RESEND_IVL: c_int = 1;
