//! A drop-in replacement for the nanomsg 1.1.5 C library.
//!
//! The C API is in [`ffi`]; constants in [`abi`]. A call flows down:
//! `ffi` → [`global`] (socket table) → [`socket`] (blocking, options,
//! endpoints) → [`protocol`] (routing rules) → [`pipe`]s made by a
//! [`transport`] (inproc queues, or tcp/ipc connections on the reactor).

pub mod abi;
pub mod cmsg;
pub mod device;
pub mod error;
pub mod fault;
pub mod ffi;
pub mod global;
pub mod link;
pub mod message;
pub mod pipe;
pub mod poll;
pub mod protocol;
pub mod report;
pub mod socket;
pub mod stats;
pub mod strerror;
pub mod symbols;
pub mod sys;
pub mod timer;
pub mod tls_options;
pub mod transport;
