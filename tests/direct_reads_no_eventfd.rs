//! A receiver that cannot get the descriptor a direct wait needs (the
//! process is out of file descriptors) waits the ordinary way, and later
//! receives still see their messages. Its own test binary: it lowers the
//! process's descriptor limit for a moment.

mod common;
use common::*;
use nanomsg::abi::*;
use std::time::{Duration, Instant};

#[test]
fn a_receive_without_descriptors_to_spare_does_not_strand_input() {
    let url = "tcp://127.0.0.1:13874";
    let a = socket(NN_PAIR);
    bind(a, url);
    let b = socket(NN_PAIR);
    connect(b, url);
    send(b, b"up");
    set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    assert_eq!(recv(a), b"up");
    // Use up every descriptor, around one receive that has to wait.
    let open = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) }, 0);
    let low = libc::rlimit {
        rlim_cur: open + 8,
        rlim_max: old.rlim_max,
    };
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &low) }, 0);
    let mut held = Vec::new();
    loop {
        let fd = unsafe { libc::dup(0) };
        if fd < 0 {
            break;
        }
        held.push(fd);
    }
    set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    assert_eq!(try_recv(a), Err(libc::ETIMEDOUT));
    for fd in held {
        unsafe { libc::close(fd) };
    }
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &old) }, 0);
    // Descriptors are back: a message sent 100 ms later arrives then.
    set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        send(b, b"late");
        b
    });
    let start = Instant::now();
    assert_eq!(try_recv(a), Ok(b"late".to_vec()));
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "received only after {:?}",
        start.elapsed()
    );
    let b = sender.join().unwrap();
    close(a);
    close(b);
}
