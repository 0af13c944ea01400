//! A child made by fork() shares its parent's connections, but what the
//! parent's streaming sender holds back is the parent's to write: neither
//! the child's exit (the exit handler writes what is held) nor a send the
//! child makes on another socket may write it a second time. And a
//! connection the child still holds open after the parent closed it must
//! not disturb the parent's receives. Its own test binary: it forks (one
//! test, so no other test thread holds a lock when it does).

mod common;
use common::*;
use nanomsg::abi::*;
use std::time::{Duration, Instant};

/// Streams bursts over PUSH→PULL on tcp `port`, forking after each while
/// the thread holds a batch; `child` runs in the child and must not return.
/// Every message must arrive exactly once.
fn bursts_then_forks(port: u16, child: impl Fn()) {
    let url = format!("tcp://127.0.0.1:{port}");
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    bind(pull, &url);
    let push = socket(NN_PUSH);
    connect(push, &url);
    send(push, b"up");
    assert_eq!(recv(pull), b"up");
    let mut sent = 0u32;
    for round in 0..20u32 {
        for i in 0..100u32 {
            send(push, &(round * 1000 + i).to_be_bytes());
            sent += 1;
        }
        // SAFETY (test): the child runs only `child`, which ends it.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            child();
            unsafe { libc::_exit(2) };
        }
        let mut status = 0;
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    }
    let mut seen = std::collections::HashSet::new();
    let mut twice = 0;
    while let Ok(m) = try_recv(pull) {
        if !seen.insert(m) {
            twice += 1;
        }
    }
    assert_eq!(twice, 0, "{url}: messages written twice");
    assert_eq!(seen.len() as u32, sent, "{url}: messages missing");
    close(push);
    close(pull);
}

#[test]
fn forked_children_do_not_resend_the_parents_messages() {
    // The child exits: the library's exit handler runs in it.
    bursts_then_forks(13875, || unsafe { libc::exit(0) });
    // The child sends on an unrelated socket (no peer: EAGAIN) once the
    // held batch is past its age. Before the fix, that send wrote the
    // parent's batch from the list the child inherited.
    let lonely = socket(NN_PAIR);
    bursts_then_forks(13816, move || {
        std::thread::sleep(Duration::from_millis(1));
        let rc =
            unsafe { nanomsg::ffi::nn_send(lonely, b"x".as_ptr() as *const _, 1, NN_DONTWAIT) };
        unsafe { libc::_exit(if rc < 0 { 0 } else { 1 }) };
    });
    close(lonely);
    // The parent's receive waited directly on a connection that a child
    // still holds when its peer leaves; a later receive on the successor
    // must still end at NN_RCVTIMEO. (A wait set that kept the dead
    // connection spun at full CPU until the child exited.)
    a_connection_a_child_holds_does_not_stall_receives(13817);
}

fn a_connection_a_child_holds_does_not_stall_receives(port: u16) {
    let url = format!("tcp://127.0.0.1:{port}");
    let srv = socket(NN_PAIR);
    set_int(srv, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    bind(srv, &url);
    let c1 = socket(NN_PAIR);
    connect(c1, &url);
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        send(c1, b"one");
        c1
    });
    assert_eq!(recv(srv), b"one");
    let c1 = sender.join().unwrap();
    // SAFETY (test): the child only sleeps until it is killed.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        unsafe {
            libc::sleep(10);
            libc::_exit(0)
        };
    }
    close(c1);
    let end = Instant::now() + Duration::from_secs(3);
    await_connections(srv, 0, end, "close not noticed");
    let c2 = socket(NN_PAIR);
    connect(c2, &url);
    await_connections(srv, 1, end, "successor not connected");
    set_int(srv, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
    let started = Instant::now();
    let got = try_recv(srv);
    let took = started.elapsed();
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    assert_eq!(got, Err(libc::ETIMEDOUT));
    assert!(
        took < Duration::from_millis(2000),
        "NN_RCVTIMEO of 500 ms took {took:?}"
    );
    close(c2);
    close(srv);
}
