//! nn_device: forwards messages between two raw sockets (or from one raw
//! socket back to itself) until an error — typically EBADF once nn_term
//! closes the sockets.
//!
//! Each direction runs a blocking receive/send loop on its own thread, so
//! a message crosses the device with no polling and no extra copy.

use std::os::raw::c_int;
use std::sync::Arc;

use crate::abi::AF_SP_RAW;
use crate::error::{Errno, Result, EBADF, EINVAL, ENOTSUP};
use crate::global;
use crate::protocol::{can_ever_recv, can_ever_send};
use crate::socket::Socket;

/// Moves messages from `from` to `to` until one side fails. A panic while
/// moving one message costs that message (and the connection whose code
/// panicked, which closes itself), not the device.
fn forward(from: &Socket, to: &Socket) -> Errno {
    loop {
        let moved = crate::fault::contain(|| {
            let msg = from.recv(false)?;
            to.send(msg, false).map_err(|(e, _)| e)
        });
        if let Some(Err(e)) = moved {
            return e;
        }
    }
}

fn can_forward(from: &Socket, to: &Socket) -> bool {
    can_ever_recv(from.protocol) && can_ever_send(to.protocol)
}

pub fn run(s1: c_int, s2: c_int) -> Result<()> {
    let a = if s1 >= 0 {
        Some(global::get(s1)?)
    } else {
        None
    };
    let b = if s2 >= 0 {
        Some(global::get(s2)?)
    } else {
        None
    };
    let (a, b) = match (a, b) {
        (None, None) => return Err(EBADF),
        (Some(x), None) | (None, Some(x)) => {
            if x.domain != AF_SP_RAW {
                return Err(EINVAL);
            }
            // Loopback: everything received is sent back.
            if !can_forward(&x, &x) {
                return Err(ENOTSUP);
            }
            return Err(forward(&x, &x));
        }
        (Some(a), Some(b)) => (a, b),
    };
    if a.domain != AF_SP_RAW || b.domain != AF_SP_RAW {
        return Err(EINVAL);
    }
    // Same protocol family (PAIR, PUB/SUB, REQ/REP, …) and a direction in
    // which messages can flow.
    if a.protocol / 16 != b.protocol / 16 {
        return Err(EINVAL);
    }
    let ab = can_forward(&a, &b);
    let ba = can_forward(&b, &a);
    match (ab, ba) {
        (false, false) => Err(EINVAL),
        (true, false) => Err(forward(&a, &b)),
        (false, true) => Err(forward(&b, &a)),
        (true, true) => {
            let (a2, b2) = (Arc::clone(&a), Arc::clone(&b));
            let back = std::thread::Builder::new()
                .name("nanomsg-device".into())
                .spawn(move || forward(&b2, &a2))
                .map_err(|_| libc::ENOMEM)?;
            let e = forward(&a, &b);
            // The other direction ends as soon as its socket is closed;
            // wait for it only if it already has.
            if back.is_finished() {
                let _ = back.join();
            }
            Err(e)
        }
    }
}
