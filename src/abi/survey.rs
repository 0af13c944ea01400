//! Constants of `<nanomsg/survey.h>`.
use std::os::raw::c_int;

pub const NN_PROTO_SURVEY: c_int = 6;
pub const NN_SURVEYOR: c_int = NN_PROTO_SURVEY * 16 + 2;
pub const NN_RESPONDENT: c_int = NN_PROTO_SURVEY * 16 + 3;

pub const NN_SURVEYOR_DEADLINE: c_int = 1;
