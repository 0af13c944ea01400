//! Scalability protocols: the routing rules of each socket type, behind one trait.
//!
//! A protocol sees pipes and messages only. It never blocks: it answers
//! "done", "would block" or an error, and the socket core does the waiting.

pub mod pair;

use std::os::raw::c_int;
use std::sync::Arc;

use crate::abi;
use crate::error::{Errno, ENOPROTOOPT};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

/// Why a send did not complete.
pub enum SendError {
    /// No pipe can take the message now; it is handed back.
    WouldBlock(Msg),
    /// The send is refused with this errno; the message is handed back.
    Fail(Errno, Msg),
}

/// Why a receive did not complete.
pub enum RecvError {
    WouldBlock,
    Fail(Errno),
}

pub trait Protocol: Send {
    /// Attaches a pipe whose handshake succeeded. Returning it refuses it; the
    /// caller then closes it.
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>>;
    /// Detaches a pipe that closed.
    fn remove_pipe(&mut self, id: PipeId);
    fn send(&mut self, msg: Msg) -> Result<(), SendError>;
    fn recv(&mut self) -> Result<Msg, RecvError>;
    /// Whether a send would succeed without blocking.
    fn can_send(&self) -> bool;
    /// Whether a receive would succeed without blocking.
    fn can_recv(&self) -> bool;
    /// Protocol-level option (level = the socket type).
    fn set_option(&mut self, _option: c_int, _value: &[u8]) -> Result<(), Errno> {
        Err(ENOPROTOOPT)
    }
    fn get_option(&self, _option: c_int) -> Result<Vec<u8>, Errno> {
        Err(ENOPROTOOPT)
    }
    /// Closes every pipe (the socket is closing).
    fn close_all(&mut self);
}

/// Every socket type nn_socket accepts, in nanomsg's numbering.
pub const ALL: &[c_int] = &[
    abi::NN_PAIR,
    abi::NN_PUB,
    abi::NN_SUB,
    abi::NN_REQ,
    abi::NN_REP,
    abi::NN_PUSH,
    abi::NN_PULL,
    abi::NN_SURVEYOR,
    abi::NN_RESPONDENT,
    abi::NN_BUS,
];

/// The socket type a peer must have for a connection to be accepted
/// (sp-protocol-ids-01): PAIR↔PAIR, PUB↔SUB, REQ↔REP, PUSH↔PULL,
/// SURVEYOR↔RESPONDENT, BUS↔BUS.
pub fn peer_of(protocol: c_int) -> c_int {
    match protocol {
        abi::NN_PUB => abi::NN_SUB,
        abi::NN_SUB => abi::NN_PUB,
        abi::NN_REQ => abi::NN_REP,
        abi::NN_REP => abi::NN_REQ,
        abi::NN_PUSH => abi::NN_PULL,
        abi::NN_PULL => abi::NN_PUSH,
        abi::NN_SURVEYOR => abi::NN_RESPONDENT,
        abi::NN_RESPONDENT => abi::NN_SURVEYOR,
        other => other,
    }
}

pub fn is_valid_peer(own: c_int, peer: c_int) -> bool {
    peer_of(own) == peer
}

/// Whether a socket of this type may send / receive at all.
pub fn can_ever_send(protocol: c_int) -> bool {
    !matches!(protocol, abi::NN_SUB | abi::NN_PULL)
}

pub fn can_ever_recv(protocol: c_int) -> bool {
    !matches!(protocol, abi::NN_PUB | abi::NN_PUSH)
}

/// Creates the protocol state for a new socket, or `None` for a socket
/// type whose routing is not implemented yet.
pub fn create(protocol: c_int, _raw: bool) -> Option<Box<dyn Protocol>> {
    match protocol {
        abi::NN_PAIR => Some(Box::new(pair::Pair::default())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_are_symmetric() {
        for &p in ALL {
            assert!(is_valid_peer(peer_of(p), p), "protocol {p}");
        }
        assert!(!is_valid_peer(abi::NN_PUB, abi::NN_PUB));
        assert!(!is_valid_peer(abi::NN_PAIR, abi::NN_BUS));
        assert!(is_valid_peer(abi::NN_BUS, abi::NN_BUS));
    }
}
