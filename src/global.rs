//! The process-wide socket table: C socket numbers to sockets, and nn_term.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::abi;
use crate::error::{Result, EAFNOSUPPORT, EBADF, EMFILE, ETERM};
use crate::socket::Socket;

/// nanomsg's limit on open sockets.
pub const MAX_SOCKETS: usize = 512;

struct Table {
    slots: Vec<Option<Arc<Socket>>>,
    /// Free socket numbers; the last one is handed out next, so the lowest
    /// number comes first and a closed number is reused at once, as in nanomsg.
    free: Vec<c_int>,
}

static TABLE: RwLock<Table> = RwLock::new(Table {
    slots: Vec::new(),
    free: Vec::new(),
});

static TERMINATING: AtomicBool = AtomicBool::new(false);
/// Set by the first nn_socket: nn_term before it has no effect, as in nanomsg.
static STARTED: AtomicBool = AtomicBool::new(false);
/// The process that registered `flush_at_exit`.
static EXIT_FLUSH_PID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

pub fn is_terminating() -> bool {
    TERMINATING.load(Ordering::Acquire)
}

/// The socket behind number `s`, or EBADF.
pub fn get(s: c_int) -> Result<Arc<Socket>> {
    let t = TABLE.read();
    usize::try_from(s)
        .ok()
        .and_then(|i| t.slots.get(i))
        .and_then(|slot| slot.clone())
        .ok_or(EBADF)
}

pub fn create(domain: c_int, protocol: c_int) -> Result<c_int> {
    if is_terminating() {
        return Err(ETERM);
    }
    if domain != abi::AF_SP && domain != abi::AF_SP_RAW {
        return Err(EAFNOSUPPORT);
    }
    let mut t = TABLE.write();
    if !STARTED.swap(true, Ordering::AcqRel) {
        EXIT_FLUSH_PID.store(std::process::id(), Ordering::Release);
        crate::sys::at_exit(flush_at_exit);
        crate::sys::at_fork_child(crate::transport::batching::forked);
    }
    if t.slots.is_empty() {
        t.slots = (0..MAX_SOCKETS).map(|_| None).collect();
        t.free = Vec::with_capacity(MAX_SOCKETS);
        t.free.extend((0..MAX_SOCKETS as c_int).rev());
    }
    // With no socket open, numbering starts again from 0.
    if t.free.len() == MAX_SOCKETS {
        t.free = (0..MAX_SOCKETS as c_int).rev().collect();
    }
    let index = *t.free.last().ok_or(EMFILE)?;
    let sock = Socket::new(index, domain, protocol)?;
    t.free.pop();
    t.slots[index as usize] = Some(sock);
    Ok(index)
}

pub fn close(s: c_int) -> Result<()> {
    let sock = {
        let mut t = TABLE.write();
        let i = usize::try_from(s).map_err(|_| EBADF)?;
        let sock = t
            .slots
            .get_mut(i)
            .and_then(|slot| slot.take())
            .ok_or(EBADF)?;
        t.free.push(s);
        sock
    };
    sock.close();
    Ok(())
}

/// At process exit: what streaming senders left queued goes to the kernel,
/// which delivers it after the process is gone, as it does what was
/// written directly. (A program may send and return from main without
/// closing its sockets.)
extern "C" fn flush_at_exit() {
    // A child made by fork() shares the parent's connections: what is
    // queued is the parent's to write, not the child's.
    if EXIT_FLUSH_PID.load(Ordering::Acquire) != std::process::id() {
        return;
    }
    let _ = std::panic::catch_unwind(|| {
        let socks: Vec<Arc<Socket>> = TABLE.read().slots.iter().flatten().cloned().collect();
        for s in socks {
            s.flush_pipes();
        }
    });
}

/// nn_term, as nanomsg 1.1.5 does it: every socket is closed at once (so
/// blocked calls and later calls on them fail with EBADF), and nn_socket
/// fails with ETERM for the rest of the process. Before the first socket
/// was ever created it does nothing.
pub fn term() {
    if !STARTED.load(Ordering::Acquire) {
        return;
    }
    TERMINATING.store(true, Ordering::Release);
    let socks: Vec<Arc<Socket>> = {
        let mut t = TABLE.write();
        let mut v = Vec::new();
        for (i, slot) in t.slots.iter_mut().enumerate() {
            if let Some(s) = slot.take() {
                v.push((i as c_int, s));
            }
        }
        for (i, _) in &v {
            t.free.push(*i);
        }
        v.into_iter().map(|(_, s)| s).collect()
    };
    for s in socks {
        s.close();
    }
}
