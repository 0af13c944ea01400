//! A receiver blocked on a lone tcp/ipc/ws connection reads it itself, and
//! the I/O thread stops watching that connection's input meanwhile
//! (`StreamPipe::park_reads`). These tests check that the I/O thread takes
//! input back whenever no receiver is left to read it: nothing that arrives
//! afterwards may sit unread, and a peer's close must still be noticed.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::time::{Duration, Instant};

/// Ping-pongs enough messages, `a` answering from another thread, that
/// `b`'s blocking receives wait on its connection directly (and the I/O
/// thread hands that connection's input over to them).
fn ping_pong(a: i32, b: i32) {
    let echo = std::thread::spawn(move || {
        for _ in 0..200 {
            let m = recv(a);
            send(a, &m);
        }
    });
    for i in 0..200u32 {
        send(b, &i.to_be_bytes());
        assert_eq!(recv(b), i.to_be_bytes());
    }
    echo.join().unwrap();
}

/// Receives without blocking, retrying for up to `limit`.
fn recv_eventually(s: i32, limit: Duration) -> Option<Vec<u8>> {
    let end = Instant::now() + limit;
    loop {
        let mut p: *mut u8 = std::ptr::null_mut();
        let rc = unsafe { nn_recv(s, &mut p as *mut *mut u8 as *mut _, NN_MSG, NN_DONTWAIT) };
        if rc >= 0 {
            let v = unsafe { std::slice::from_raw_parts(p, rc as usize) }.to_vec();
            unsafe { nn_freemsg(p as *mut _) };
            return Some(v);
        }
        assert_eq!(nn_errno(), libc::EAGAIN);
        if Instant::now() > end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// After the last blocking receive returns, a message that arrives is read
/// by the I/O thread: a non-blocking receive finds it.
#[test]
fn input_after_the_last_blocking_receive_is_not_left_unread() {
    for url in stream_urls("after-last", 13888) {
        let (a, b) = pair_over(&url, 5000);
        ping_pong(a, b);
        send(a, b"late");
        assert_eq!(
            recv_eventually(b, Duration::from_secs(3)).as_deref(),
            Some(&b"late"[..]),
            "{url}: message left unread"
        );
        close(b);
        close(a);
    }
}

/// A blocking receive that times out hands input back to the I/O thread.
#[test]
fn input_after_a_receive_timeout_is_not_left_unread() {
    for url in stream_urls("after-timeout", 13889) {
        let (a, b) = pair_over(&url, 5000);
        ping_pong(a, b);
        set_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
        assert_eq!(try_recv(b), Err(libc::ETIMEDOUT), "{url}");
        send(a, b"after timeout");
        assert_eq!(
            recv_eventually(b, Duration::from_secs(3)).as_deref(),
            Some(&b"after timeout"[..]),
            "{url}: message left unread"
        );
        close(b);
        close(a);
    }
}

/// A socket that switches from blocking receives to nn_poll is told of
/// every arrival.
#[test]
fn nn_poll_after_blocking_receives_sees_arrivals() {
    for url in stream_urls("poll-after", 13890) {
        nn_poll_after_blocking_receives_sees_arrivals_over(&url);
    }
}

fn nn_poll_after_blocking_receives_sees_arrivals_over(url: &str) {
    let (a, b) = pair_over(url, 5000);
    ping_pong(a, b);
    for i in 0..20u8 {
        send(a, &[i]);
        let mut pfd = [nn_pollfd {
            fd: b,
            events: NN_POLLIN as i16,
            revents: 0,
        }];
        assert_eq!(unsafe { nn_poll(pfd.as_mut_ptr(), 1, 5000) }, 1);
        assert_ne!(pfd[0].revents & NN_POLLIN as i16, 0);
        assert_eq!(recv_eventually(b, Duration::ZERO), Some(vec![i]));
    }
    close(b);
    close(a);
}

/// A peer that closes after the last receive is noticed: the dialer drops
/// the connection and reaches the peer's successor.
#[test]
fn peer_closing_after_the_last_receive_is_noticed() {
    let url = ipc_url("peer-close");
    let (a, b) = pair_over(&url, 5000);
    ping_pong(a, b);
    close(a);
    await_connections(
        b,
        0,
        Instant::now() + Duration::from_secs(3),
        "close not noticed",
    );
    let a2 = socket(NN_PAIR);
    set_int(a2, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    bind(a2, &url);
    send(b, b"to the successor");
    assert_eq!(recv(a2), b"to the successor");
    close(b);
    close(a2);
}

/// A bound PAIR whose peers come and go: each new connection may get the
/// descriptor number of the one before, and a receiver blocked on it must
/// wait on the new connection, not the old. (Written for a per-socket
/// epoll set keyed by pipe, since reverted; the receiver now polls the
/// lone pipe's descriptor afresh on each wait, and the test still holds.)
#[test]
fn successive_peers_are_waited_on() {
    for url in [ipc_url("successive"), "tcp://127.0.0.1:13818".to_string()] {
        let a = socket(NN_PAIR);
        set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        bind(a, &url);
        for k in 0..5u8 {
            let b = socket(NN_PAIR);
            set_int(b, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
            connect(b, &url);
            // Sent once `a` is blocked in its receive, waiting on the
            // connection itself.
            let sender = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(30));
                send(b, &[k]);
                b
            });
            assert_eq!(recv(a), [k], "{url}: peer {k}");
            let b = sender.join().unwrap();
            close(b);
            let end = Instant::now() + Duration::from_secs(3);
            await_connections(a, 0, end, &format!("{url}: close of peer {k} not noticed"));
        }
        close(a);
    }
}
