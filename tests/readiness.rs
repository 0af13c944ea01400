//! NN_SNDFD / NN_RCVFD and nn_poll report exactly when a call would not block.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::os::raw::c_int;

fn fd(s: c_int, opt: c_int) -> c_int {
    let mut v: c_int = -1;
    let mut len = 4usize;
    let rc = unsafe {
        nn_getsockopt(
            s,
            NN_SOL_SOCKET,
            opt,
            &mut v as *mut c_int as *mut _,
            &mut len,
        )
    };
    assert_eq!(rc, 0, "getsockopt {opt}: errno {}", nn_errno());
    v
}

fn readable(fd: c_int, timeout_ms: c_int) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    unsafe { libc::poll(&mut p, 1, timeout_ms) == 1 }
}

#[test]
fn rcvfd_is_readable_exactly_while_a_message_waits() {
    for url in ["inproc://rcvfd", "tcp://127.0.0.1:13894"] {
        let a = socket(NN_PAIR);
        let b = socket(NN_PAIR);
        bind(b, url);
        connect(a, url);
        let rfd = fd(b, NN_RCVFD);
        assert!(!readable(rfd, 50), "{url}: readable with nothing sent");
        // The SNDFD becomes writable once the peer is attached.
        let sfd = fd(a, NN_SNDFD);
        assert!(readable(sfd, 2000), "{url}: cannot send");
        send(a, b"x");
        send(a, b"y");
        assert!(readable(rfd, 2000), "{url}: not readable after send");
        assert_eq!(recv(b), b"x");
        assert!(readable(rfd, 2000), "{url}: second message not signalled");
        assert_eq!(recv(b), b"y");
        assert!(!readable(rfd, 50), "{url}: still readable after draining");
        close(a);
        close(b);
    }
}

#[test]
fn nn_poll_reports_each_socket() {
    let a = socket(NN_PAIR);
    let b = socket(NN_PAIR);
    let c = socket(NN_PAIR);
    let d = socket(NN_PAIR);
    bind(a, "inproc://poll-ab");
    connect(b, "inproc://poll-ab");
    bind(c, "inproc://poll-cd");
    connect(d, "inproc://poll-cd");
    let mut fds = [
        nn_pollfd {
            fd: a,
            events: NN_POLLIN as i16,
            revents: 0,
        },
        nn_pollfd {
            fd: c,
            events: NN_POLLIN as i16,
            revents: 0,
        },
    ];
    assert_eq!(unsafe { nn_poll(fds.as_mut_ptr(), 2, 50) }, 0);
    send(d, b"to c");
    assert_eq!(unsafe { nn_poll(fds.as_mut_ptr(), 2, 2000) }, 1);
    assert_eq!(fds[0].revents, 0);
    assert_eq!(fds[1].revents, NN_POLLIN as i16);
    let mut out = [nn_pollfd {
        fd: b,
        events: (NN_POLLIN | NN_POLLOUT) as i16,
        revents: 0,
    }];
    assert_eq!(unsafe { nn_poll(out.as_mut_ptr(), 1, 2000) }, 1);
    assert_eq!(out[0].revents, NN_POLLOUT as i16);
    let mut bad = [nn_pollfd {
        fd: 511,
        events: NN_POLLIN as i16,
        revents: 0,
    }];
    assert_eq!(unsafe { nn_poll(bad.as_mut_ptr(), 1, 0) }, -1);
    assert_eq!(nn_errno(), libc::EBADF);
    for s in [a, b, c, d] {
        close(s);
    }
}

/// nn_poll over many sockets reports exactly the ones with a message.
#[test]
fn nn_poll_over_many_sockets() {
    const N: usize = 64;
    let mut pairs = Vec::new();
    for i in 0..N {
        let a = socket(NN_PAIR);
        let b = socket(NN_PAIR);
        let url = format!("inproc://many-{i}");
        bind(a, &url);
        connect(b, &url);
        pairs.push((a, b));
    }
    let ready: Vec<usize> = (0..N).filter(|i| i % 5 == 2).collect();
    for &i in &ready {
        send(pairs[i].1, b"m");
    }
    let mut fds: Vec<nn_pollfd> = pairs
        .iter()
        .map(|&(a, _)| nn_pollfd {
            fd: a,
            events: NN_POLLIN as i16,
            revents: 0,
        })
        .collect();
    let n = unsafe { nn_poll(fds.as_mut_ptr(), N as c_int, 2000) };
    assert_eq!(n as usize, ready.len());
    for (i, f) in fds.iter().enumerate() {
        assert_eq!(f.revents != 0, ready.contains(&i), "socket {i}");
    }
    for (a, b) in pairs {
        close(a);
        close(b);
    }
}
