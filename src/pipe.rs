//! A pipe: one connection between a socket and one peer, as protocols see it.
//!
//! Protocols only ever call these non-blocking operations; whether the peer
//! is another socket in this process or a TCP connection is the transport's
//! business.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::message::{Msg, RecvBuf};

/// Identifies a pipe for the lifetime of the process.
pub type PipeId = u64;

static NEXT_PIPE_ID: AtomicU64 = AtomicU64::new(1);

pub fn next_pipe_id() -> PipeId {
    NEXT_PIPE_ID.fetch_add(1, Ordering::Relaxed)
}

/// A change in the set of pipes attached to a socket.
pub enum PipeEvent {
    Added(Arc<dyn Pipe>),
    Removed(PipeId),
}

/// What `Pipe::read_now` did.
#[derive(Debug, PartialEq, Eq)]
pub enum DirectRead {
    /// No message came of it.
    Nothing,
    /// Messages were queued on the pipe.
    Queued,
    /// The next message, of this length, was read into the given buffer
    /// (whole: it fitted).
    Delivered(usize),
}

pub trait Pipe: Send + Sync {
    fn id(&self) -> PipeId;
    /// Queues a message for the peer; gives it back if the pipe is full or closed.
    fn send(&self, msg: Msg) -> Result<(), Msg>;
    /// Writes `data` as one message straight from the caller's buffer if
    /// nothing is queued ahead of it (what the kernel does not take at once
    /// is copied and queued); true if sent. False leaves the pipe as it was.
    fn send_from(&self, _data: &[u8]) -> bool {
        false
    }
    /// Takes the next message from the peer, if one has arrived.
    fn recv(&self) -> Option<Msg>;
    /// Whether `send` would accept a message now.
    fn can_send(&self) -> bool;
    /// Whether `recv` would return a message now.
    fn can_recv(&self) -> bool;
    /// Disconnects; the socket is told through a `PipeEvent::Removed`.
    fn close(&self);
    /// For a receiver about to wait on this pipe alone: a descriptor that
    /// becomes readable when data arrives, to wait on directly so the data
    /// wakes the receiver itself (stream pipes only).
    fn wait_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }
    /// Reads what the kernel holds for this pipe from the calling thread,
    /// rather than waiting for the I/O thread to do it. Only for a receiver
    /// about to wait on this pipe alone. With `into`, the next message may
    /// be read straight into that buffer instead of being queued: only for
    /// a protocol that passes messages through unchanged.
    fn read_now(&self, _into: Option<&mut RecvBuf<'_>>) -> DirectRead {
        DirectRead::Nothing
    }
    /// Whether input may already be waiting, so that `read_now` is worth
    /// trying before waiting: not just after a send (request and reply),
    /// when what comes next is the peer's answer, rarely back so soon.
    fn input_likely(&self) -> bool {
        true
    }
    /// A receiver starts waiting on `wait_fd` (and will read the pipe
    /// itself when it wakes): the I/O thread may stop watching for input.
    fn begin_direct_wait(&self) {}
    /// The receiver stopped waiting; `fd_ready`: because data arrived,
    /// which it is about to read. Otherwise the I/O thread is asked to
    /// watch for input again, so nothing that arrives goes unnoticed.
    fn end_direct_wait(&self, fd_ready: bool) {
        let _ = fd_ready;
    }
    /// Writes what is queued for the peer now, as far as the kernel takes
    /// it, rather than later (the process is exiting).
    fn flush_now(&self) {}
    /// Whether the peer is known to be gone (the connection broke or was
    /// closed, or its descriptor reports a hang-up that nobody has read
    /// yet): the pipe will be removed, and an exclusive protocol (PAIR)
    /// need not keep its place for it.
    fn hung_up(&self) -> bool {
        false
    }
    /// NN_SNDFD / NN_RCVFD are in use: from now on the I/O thread must
    /// watch this pipe's input itself, so the descriptors follow arrivals.
    fn keep_input_watched(&self) {}
    /// NN_SNDPRIO of the endpoint that made this pipe (1 = highest).
    fn send_priority(&self) -> u8 {
        8
    }
    /// NN_RCVPRIO of the endpoint that made this pipe (1 = highest).
    fn recv_priority(&self) -> u8 {
        8
    }
}
