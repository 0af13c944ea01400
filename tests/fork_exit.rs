//! What a streaming sender left queued is written when its process exits —
//! by that process only: a child made by fork() that exits must not write
//! the parent's queued messages a second time. Its own test binary: it
//! forks.

mod common;
use common::*;
use nanomsg::abi::*;

#[test]
fn a_forked_child_exiting_does_not_resend_the_parents_messages() {
    let url = "tcp://127.0.0.1:13875";
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    bind(pull, url);
    let push = socket(NN_PUSH);
    connect(push, url);
    send(push, b"up");
    assert_eq!(recv(pull), b"up");
    let mut sent = 0u32;
    for round in 0..20u32 {
        for i in 0..100u32 {
            send(push, &(round * 1000 + i).to_be_bytes());
            sent += 1;
        }
        // SAFETY (test): the child only calls exit(), which runs the
        // library's exit handler, the code under test.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe { libc::exit(0) };
        }
        let mut status = 0;
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    }
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0;
    while let Ok(m) = try_recv(pull) {
        if !seen.insert(m) {
            duplicates += 1;
        }
    }
    assert_eq!(duplicates, 0, "messages written twice");
    assert_eq!(seen.len() as u32, sent, "messages missing");
    close(push);
    close(pull);
}
