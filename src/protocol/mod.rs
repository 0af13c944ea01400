//! Scalability protocols: the routing rules of each socket type, behind one trait.
//!
//! A protocol sees pipes and messages only. It never blocks: it answers
//! "done", "would block" or an error, and the socket core does the waiting.

pub mod backtrace;
pub mod bus;
pub mod distribute;
pub mod fair_queue;
pub mod keyed_pipes;
pub mod load_balance;
pub mod pair;
pub mod pipeline;
pub mod priority_ring;
pub mod pubsub;
pub mod reqrep;
pub mod survey;

use std::os::raw::c_int;
use std::sync::Arc;

use crate::abi;
use crate::error::{Errno, ENOPROTOOPT};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::timer::TimerHandle;

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
    /// Sends a message. (Receive-only types never get here: the socket
    /// answers ENOTSUP first.)
    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        Err(SendError::WouldBlock(msg))
    }
    /// Sends `data` as a message straight from the caller's buffer, if the
    /// protocol adds no header, keeps no copy, and the connection it goes
    /// to can write it at once; true if sent. Otherwise nothing happened and
    /// the caller sends it as a message the usual way.
    fn send_from(&mut self, _data: &[u8]) -> bool {
        false
    }
    /// Whether `recv` hands over a pipe's messages exactly as they came,
    /// with nothing to strip, filter or remember; they may then be read
    /// straight into the application's buffer (`Pipe::read_now`).
    fn passes_messages_through(&self) -> bool {
        false
    }
    /// Receives a message. (Send-only types never get here.)
    fn recv(&mut self) -> Result<Msg, RecvError> {
        Err(RecvError::WouldBlock)
    }
    /// Whether a send would succeed without blocking.
    fn can_send(&self) -> bool {
        false
    }
    /// Whether a receive would succeed without blocking.
    fn can_recv(&self) -> bool {
        false
    }
    /// Protocol-level option (level = the socket type).
    fn set_option(&mut self, _option: c_int, _value: &[u8]) -> Result<(), Errno> {
        Err(ENOPROTOOPT)
    }
    fn get_option(&self, _option: c_int) -> Result<Vec<u8>, Errno> {
        Err(ENOPROTOOPT)
    }
    /// Closes every pipe (the socket is closing).
    fn close_all(&mut self);
    /// Runs on every entry into the socket core, before readiness is read:
    /// retries deferred sends, fetches ahead past messages to be dropped.
    fn poll_pending(&mut self) {}
    /// A timer this protocol scheduled fired.
    fn on_timer(&mut self, _token: u64) {}
    /// NN_MAXTTL changed (hops a request may cross).
    fn set_max_ttl(&mut self, _hops: usize) {}
    /// NN_STAT_CURRENT_SND_PRIORITY.
    fn current_send_priority(&self) -> Option<u8> {
        None
    }
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

/// Creates the protocol state for a new socket.
pub fn create(protocol: c_int, raw: bool, timers: TimerHandle) -> Option<Box<dyn Protocol>> {
    Some(match protocol {
        abi::NN_PAIR => Box::new(pair::Pair::default()),
        abi::NN_PUB => Box::new(pubsub::Pub::default()),
        abi::NN_SUB => Box::new(pubsub::Sub::default()),
        abi::NN_REQ => Box::new(reqrep::Req::new(raw, timers)),
        abi::NN_REP => Box::new(reqrep::Rep::new(raw)),
        abi::NN_PUSH => Box::new(pipeline::Push::default()),
        abi::NN_PULL => Box::new(pipeline::Pull::default()),
        abi::NN_SURVEYOR => Box::new(survey::Surveyor::new(raw, timers)),
        abi::NN_RESPONDENT => Box::new(reqrep::Rep::new(raw)),
        abi::NN_BUS => Box::new(bus::Bus::new(raw)),
        _ => return None,
    })
}

/// Whether a socket of this type carries request ids / backtraces in its
/// message headers (the stream decoder then splits them off the body).
pub fn uses_backtrace(protocol: c_int) -> bool {
    matches!(
        protocol,
        abi::NN_REQ | abi::NN_REP | abi::NN_SURVEYOR | abi::NN_RESPONDENT
    )
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
