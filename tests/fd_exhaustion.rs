//! Running out of file descriptors (issue 12): with the limit at 64, a
//! bound tcp socket (and a ws one) that 200 clients connect to at once must
//! not stop accepting for good: once those clients are gone, a new one is
//! served. Calls that need a descriptor fail with EMFILE, cleanly.
//!
//! Alone in its binary: it lowers the process's descriptor limit. Ports
//! 19050-19059.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn set_fd_limit(n: u64) -> libc::rlimit {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain getrlimit/setrlimit calls on live structs.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut old), 0);
        let new = libc::rlimit {
            rlim_cur: n,
            rlim_max: old.rlim_max,
        };
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &new), 0);
    }
    old
}

/// A child process (with its own, normal descriptor limit) that opens
/// `n` connections to each port after `delay`, holds them for `hold`,
/// then closes them all.
fn client_flood(ports: &[u16], n: usize, delay: f64, hold: f64) -> std::process::Child {
    let script = format!(
        "import socket, time\n\
         time.sleep({delay})\n\
         conns = []\n\
         for port in {ports:?}:\n\
         \x20   for _ in range({n}):\n\
         \x20       try:\n\
         \x20           conns.append(socket.create_connection(('127.0.0.1', port), timeout=0.2))\n\
         \x20       except OSError:\n\
         \x20           pass\n\
         print(len(conns), flush=True)\n\
         time.sleep({hold})\n\
         for c in conns:\n\
         \x20   c.close()\n"
    );
    Command::new("python3")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3")
}

#[test]
fn listeners_survive_running_out_of_descriptors() {
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    bind(pull, "tcp://127.0.0.1:19050");
    bind(pull, "ws://127.0.0.1:19051/x");
    let flood = client_flood(&[19050, 19051], 200, 0.5, 1.5);
    let old = set_fd_limit(64);

    // While the descriptors run out, calls that need one say EMFILE and
    // nothing breaks.
    std::thread::sleep(Duration::from_millis(1000));
    let mut extra = Vec::new();
    let mut errno = 0;
    for _ in 0..100 {
        let s = nn_socket(AF_SP, NN_PAIR);
        if s < 0 {
            errno = nn_errno();
            break;
        }
        // A socket alone may need no descriptor yet; a bind does.
        let url = std::ffi::CString::new(format!("ipc:///tmp/nnrs-fd-{}-{s}", std::process::id()))
            .unwrap();
        if unsafe { nn_bind(s, url.as_ptr()) } < 0 {
            errno = nn_errno();
            extra.push(s);
            break;
        }
        extra.push(s);
    }
    assert!(
        errno == libc::EMFILE || errno == libc::ENFILE,
        "no EMFILE while out of descriptors: errno {errno}"
    );
    for s in extra {
        close(s);
    }

    let out = flood.wait_with_output().unwrap();
    let opened = String::from_utf8_lossy(&out.stdout);
    assert!(
        opened.trim().parse::<usize>().unwrap_or(0) > 64,
        "the flood opened only {opened} connections"
    );
    // The flood is gone; new clients are served, on tcp and on ws, in
    // spite of the dead connections the listeners may still have queued.
    for url in ["tcp://127.0.0.1:19050", "ws://127.0.0.1:19051/x"] {
        let push = socket(NN_PUSH);
        set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 3000);
        connect(push, url);
        send(push, url.as_bytes());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match try_recv(pull) {
                Ok(m) if m == url.as_bytes() => break,
                Ok(_) => {}
                Err(e) => panic!("{url}: a new client was not served after the flood: errno {e}"),
            }
            assert!(Instant::now() < deadline, "{url}: not served");
        }
        close(push);
    }
    // SAFETY: restores the limit read above.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &old) };
    close(pull);
}
