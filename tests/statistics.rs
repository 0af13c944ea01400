//! nn_get_statistic counters, as nanomsg 1.1.5 keeps them.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::os::raw::c_int;

fn stat(s: c_int, id: c_int) -> u64 {
    nn_get_statistic(s, id)
}

fn wait_for(mut cond: impl FnMut() -> bool) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !cond() {
        assert!(std::time::Instant::now() < until, "condition not reached");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn tcp_exchange_counts_connections_messages_and_bytes() {
    let b = socket(NN_PAIR);
    let c = socket(NN_PAIR);
    set_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    set_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    bind(b, "tcp://127.0.0.1:13899");
    connect(c, "tcp://127.0.0.1:13899");
    for _ in 0..3 {
        send(c, b"12345");
    }
    for _ in 0..3 {
        recv(b);
    }
    send(b, b"0123456789");
    recv(c);
    assert_eq!(stat(c, NN_STAT_ESTABLISHED_CONNECTIONS), 1);
    assert_eq!(stat(b, NN_STAT_ACCEPTED_CONNECTIONS), 1);
    assert_eq!(stat(b, NN_STAT_ESTABLISHED_CONNECTIONS), 0);
    assert_eq!(stat(b, NN_STAT_CURRENT_CONNECTIONS), 1);
    assert_eq!(stat(c, NN_STAT_CURRENT_CONNECTIONS), 1);
    assert_eq!(stat(c, NN_STAT_MESSAGES_SENT), 3);
    assert_eq!(stat(b, NN_STAT_MESSAGES_RECEIVED), 3);
    assert_eq!(stat(c, NN_STAT_BYTES_SENT), 15);
    assert_eq!(stat(b, NN_STAT_BYTES_RECEIVED), 15);
    assert_eq!(stat(b, NN_STAT_BYTES_SENT), 10);
    assert_eq!(stat(c, NN_STAT_INPROGRESS_CONNECTIONS), 0);
    close(c);
    wait_for(|| stat(b, NN_STAT_CURRENT_CONNECTIONS) == 0);
    assert_eq!(stat(b, NN_STAT_BROKEN_CONNECTIONS), 1);
    assert_eq!(stat(b, 999), u64::MAX);
    assert_eq!(nn_errno(), libc::EINVAL);
    close(b);
    assert_eq!(stat(b, NN_STAT_MESSAGES_SENT), u64::MAX);
    assert_eq!(nn_errno(), libc::EBADF);
}

#[test]
fn failed_connects_are_counted_as_errors() {
    let c = socket(NN_PAIR);
    set_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 20);
    connect(c, "tcp://127.0.0.1:13880");
    wait_for(|| stat(c, NN_STAT_CONNECT_ERRORS) >= 2);
    assert_eq!(stat(c, NN_STAT_CURRENT_EP_ERRORS), 1);
    let b = socket(NN_PAIR);
    bind(b, "tcp://127.0.0.1:13880");
    wait_for(|| stat(c, NN_STAT_ESTABLISHED_CONNECTIONS) == 1);
    assert_eq!(stat(c, NN_STAT_CURRENT_EP_ERRORS), 0);
    close(c);
    close(b);
}

#[test]
fn inproc_counts_connections_too() {
    let b = socket(NN_PAIR);
    let c = socket(NN_PAIR);
    bind(b, "inproc://stats");
    connect(c, "inproc://stats");
    assert_eq!(stat(c, NN_STAT_ESTABLISHED_CONNECTIONS), 1);
    assert_eq!(stat(b, NN_STAT_ACCEPTED_CONNECTIONS), 0);
    assert_eq!(stat(b, NN_STAT_CURRENT_CONNECTIONS), 1);
    assert_eq!(stat(c, NN_STAT_CURRENT_CONNECTIONS), 1);
    close(c);
    assert_eq!(stat(b, NN_STAT_CURRENT_CONNECTIONS), 0);
    close(b);
}
