//! NN_SNDFD / NN_RCVFD: file descriptors that are readable exactly while a
//! send / receive would not block, for poll, epoll and select loops.
//!
//! They are created on first request. Readiness is recomputed under the
//! socket's core lock by whoever holds it when something changed: a wake-up
//! from a pipe marks the socket dirty and tries the lock; if another thread
//! has it, that thread recomputes as it lets go.

use crate::sys::EventFd;

/// One readiness descriptor and whether it is currently set.
pub struct ReadyFd {
    fd: EventFd,
    set: bool,
}

impl ReadyFd {
    pub fn new() -> std::io::Result<ReadyFd> {
        Ok(ReadyFd {
            fd: EventFd::new()?,
            set: false,
        })
    }

    pub fn raw(&self) -> libc::c_int {
        self.fd.raw()
    }

    /// Brings the descriptor in line with `ready`, with a system call only
    /// when that changes it.
    pub fn update(&mut self, ready: bool) {
        if ready != self.set {
            if ready {
                self.fd.set();
            } else {
                self.fd.clear();
            }
            self.set = ready;
        }
    }
}

#[derive(Default)]
pub struct Readiness {
    pub send: Option<ReadyFd>,
    pub recv: Option<ReadyFd>,
}

impl Readiness {
    pub fn update(&mut self, can_send: bool, can_recv: bool) {
        if let Some(s) = &mut self.send {
            s.update(can_send);
        }
        if let Some(r) = &mut self.recv {
            r.update(can_recv);
        }
    }

    pub fn enabled(&self) -> bool {
        self.send.is_some() || self.recv.is_some()
    }
}
