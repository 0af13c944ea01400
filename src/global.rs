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
    if t.slots.is_empty() {
        t.slots = (0..MAX_SOCKETS).map(|_| None).collect();
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
    // Once every socket is closed after nn_term, the library starts afresh.
    if is_terminating() && TABLE.read().slots.iter().all(Option::is_none) {
        TERMINATING.store(false, Ordering::Release);
    }
    Ok(())
}

/// nn_term: every blocked call returns ETERM, and so does every later call
/// until all sockets are closed.
pub fn term() {
    TERMINATING.store(true, Ordering::Release);
    let socks: Vec<Arc<Socket>> = TABLE.read().slots.iter().flatten().cloned().collect();
    for s in socks {
        s.wake_all();
    }
}
