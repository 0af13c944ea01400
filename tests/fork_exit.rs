//! A child made by fork() shares its parent's connections, but what the
//! parent's streaming sender holds back is the parent's to write: neither
//! the child's exit (the exit handler writes what is held) nor a send the
//! child makes on another socket may write it a second time. Its own test
//! binary: it forks.

mod common;
use common::*;
use nanomsg::abi::*;

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
    bursts_then_forks(13892, move || {
        std::thread::sleep(std::time::Duration::from_millis(1));
        let rc =
            unsafe { nanomsg::ffi::nn_send(lonely, b"x".as_ptr() as *const _, 1, NN_DONTWAIT) };
        unsafe { libc::_exit(if rc < 0 { 0 } else { 1 }) };
    });
    close(lonely);
}
