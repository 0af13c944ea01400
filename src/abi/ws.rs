//! Constants of `<nanomsg/ws.h>`.
use std::os::raw::c_int;

pub const NN_WS: c_int = -4;

/// The WebSocket message type used for sent messages.
pub const NN_WS_MSG_TYPE: c_int = 1;
pub const NN_WS_MSG_TYPE_TEXT: c_int = 0x01;
pub const NN_WS_MSG_TYPE_BINARY: c_int = 0x02;
