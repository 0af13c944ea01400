//! nn_poll: waits on the sockets' NN_SNDFD / NN_RCVFD descriptors with poll(2).

use std::os::raw::{c_int, c_short};

use crate::abi::{nn_pollfd, NN_POLLIN, NN_POLLOUT, NN_RCVFD, NN_SNDFD, NN_SOL_SOCKET};
use crate::error::{from_io, Result};
use crate::global;
use crate::socket::options::int_value;

pub fn poll(fds: &mut [nn_pollfd], timeout: c_int) -> Result<c_int> {
    // (index into fds, event) for each descriptor polled.
    let mut which = Vec::with_capacity(fds.len() * 2);
    let mut pfds = Vec::with_capacity(fds.len() * 2);
    for (i, f) in fds.iter().enumerate() {
        let sock = global::get(f.fd)?;
        for (flag, option) in [(NN_POLLIN, NN_RCVFD), (NN_POLLOUT, NN_SNDFD)] {
            if c_int::from(f.events) & flag != 0 {
                let fd = int_value(&sock.get_option(NN_SOL_SOCKET, option)?)?;
                pfds.push(libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                });
                which.push((i, flag));
            }
        }
    }
    if crate::sys::poll(&mut pfds, timeout).map_err(|e| from_io(&e))? == 0 {
        // nanomsg leaves revents alone when nothing is ready.
        return Ok(0);
    }
    for f in fds.iter_mut() {
        f.revents = 0;
    }
    for (p, (i, flag)) in pfds.iter().zip(which) {
        if p.revents & libc::POLLIN != 0 {
            fds[i].revents |= flag as c_short;
        }
    }
    Ok(fds.iter().filter(|f| f.revents != 0).count() as c_int)
}
