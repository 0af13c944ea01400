//! A child made by fork() does not write the batches its parent holds.
//!
//! The forking thread's list of held batches is copied into the child,
//! whose copies of the connections share the parent's descriptors. Before
//! the fix, the child's first send, on any socket, wrote the parent's
//! aged batches a second time (the parent writes them too), so the peer
//! got them twice. (Found by review; its own binary, as it forks.)

mod common;
use common::*;
use nanomsg::abi::*;

#[test]
fn a_forked_child_sending_elsewhere_does_not_resend_the_parents_batch() {
    let url = "tcp://127.0.0.1:13892";
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    bind(pull, url);
    let push = socket(NN_PUSH);
    connect(push, url);
    send(push, b"up");
    assert_eq!(recv(pull), b"up");
    // A PAIR socket with no peer, unrelated to the connection above.
    let lonely = socket(NN_PAIR);
    let mut sent = 0u32;
    for round in 0..20u32 {
        // A burst, so the thread streams and holds a batch...
        for i in 0..100u32 {
            send(push, &(round * 1000 + i).to_be_bytes());
            sent += 1;
        }
        // ...when it forks.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            // Child: past the batch age, one send on the unrelated socket
            // (EAGAIN: no peer), then leave without exit handlers.
            std::thread::sleep(std::time::Duration::from_millis(1));
            let rc =
                unsafe { nanomsg::ffi::nn_send(lonely, b"x".as_ptr() as *const _, 1, NN_DONTWAIT) };
            unsafe { libc::_exit(if rc < 0 { 0 } else { 1 }) };
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
    assert_eq!(twice, 0, "messages written twice");
    assert_eq!(seen.len() as u32, sent, "messages missing");
}
