//! The tail of a burst is not left to Nagle's algorithm.
//!
//! A thread streaming small messages has them batched; when it stops, the
//! I/O thread writes the last batch. With Nagle on (NN_TCP_NODELAY off, the
//! default) the kernel keeps that batch back while an earlier segment is
//! unacknowledged, and a receiver that delays its ACK (up to 40 ms, longer
//! in "ping-pong" mode) then delays the end of the burst as long. The test
//! plays such a receiver: a plain TCP socket speaking SP, put in ping-pong
//! mode (TCP_QUICKACK 0) and reading nothing. A PUSH socket sends one
//! message (on the wire at once, unacknowledged) and then a burst smaller
//! than a segment; shortly after, nothing may be left unsent in the PUSH
//! socket's kernel queue. It counts bytes, not time.

mod common;

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::raw::c_int;
use std::time::{Duration, Instant};

use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;

const PORT: u16 = 13829;
/// Messages in the burst: 400 frames of 8 + 64 bytes stay well below the
/// loopback segment size, so only Nagle's algorithm could hold them back.
const BURST: usize = 400;

fn set_quickack(fd: c_int, on: c_int) {
    // SAFETY: the option value is one live int.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_QUICKACK,
            &on as *const c_int as *const libc::c_void,
            std::mem::size_of::<c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "TCP_QUICKACK");
}

/// Bytes in `fd`'s send queue not yet sent (SIOCOUTQNSD).
fn unsent(fd: c_int) -> c_int {
    const SIOCOUTQNSD: libc::c_ulong = 0x894B;
    let mut n: c_int = 0;
    // SAFETY: SIOCOUTQNSD stores one int through the pointer.
    let rc = unsafe { libc::ioctl(fd, SIOCOUTQNSD, &mut n) };
    assert_eq!(rc, 0, "SIOCOUTQNSD");
    n
}

#[test]
fn the_end_of_a_burst_is_sent_while_the_receiver_delays_its_acks() {
    let listener = std::net::TcpListener::bind(("127.0.0.1", PORT)).unwrap();
    let push = socket(NN_PUSH);
    set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
    connect(push, &format!("tcp://127.0.0.1:{PORT}"));
    let (mut pull, _) = listener.accept().unwrap();
    pull.write_all(&[0, b'S', b'P', 0, 0, 81, 0, 0]).unwrap();
    let mut theirs = [0u8; 8];
    pull.read_exact(&mut theirs).unwrap();
    assert_eq!(theirs, [0, b'S', b'P', 0, 0, 80, 0, 0]);
    await_connections(
        push,
        1,
        Instant::now() + Duration::from_secs(5),
        "the PUSH socket's connection",
    );
    set_quickack(pull.as_raw_fd(), 0);
    std::thread::sleep(Duration::from_millis(20));

    let body = [7u8; 64];
    let send = |flags| {
        // SAFETY: body is 64 live bytes.
        let rc = unsafe { nn_send(push, body.as_ptr().cast(), body.len(), flags) };
        assert_eq!(rc, 64, "nn_send: errno {}", nn_errno());
    };
    send(0);
    for _ in 0..BURST {
        send(NN_DONTWAIT);
    }
    // Well past the I/O thread's write of the tail (20 us after the last
    // send), well before a delayed ACK (40 ms at least).
    std::thread::sleep(Duration::from_millis(5));
    let ours = tcp_fd(PORT, PortOf::Peer).expect("the PUSH socket's TCP connection");
    let left = unsent(ours);

    // Everything arrives, in any case.
    let mut got = vec![0u8; (BURST + 1) * 72];
    pull.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    pull.read_exact(&mut got).unwrap();
    for frame in got.chunks(72) {
        assert_eq!(frame[..8], 64u64.to_be_bytes());
        assert!(frame[8..].iter().all(|&b| b == 7));
    }
    assert_eq!(
        left, 0,
        "{left} bytes of the burst were still held back 5 ms after the last send"
    );
    close(push);
}
