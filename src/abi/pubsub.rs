//! Constants of `<nanomsg/pubsub.h>`.
use std::os::raw::c_int;

pub const NN_PROTO_PUBSUB: c_int = 2;
pub const NN_PUB: c_int = NN_PROTO_PUBSUB * 16;
pub const NN_SUB: c_int = NN_PROTO_PUBSUB * 16 + 1;

pub const NN_SUB_SUBSCRIBE: c_int = 1;
pub const NN_SUB_UNSUBSCRIBE: c_int = 2;
