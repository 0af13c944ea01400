//! nn_recv into the application's buffer on PAIR and PULL over tcp/ipc,
//! where a large message is read from the connection straight into that
//! buffer (and a small one lands there in the same read as its header).
//! Whatever the sizes and however the bytes arrive, every message comes out
//! whole, in order, and nothing that followed it in the same read is lost.

mod common;

use std::io::{Read, Write};
use std::os::raw::c_int;
use std::time::Duration;

use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;

const PAIR_PORT: u16 = 13821;
const PULL_PORT: u16 = 13822;
const RAW_PEER_PORT: u16 = 13823;
const BURST_PORT: u16 = 13824;
const LIMIT_PORT: u16 = 13825;
const UNTOUCHED_PORT: u16 = 13826;
const TIMEOUT_PORT: u16 = 13827;
const FAULT_PORT: u16 = 13828;

/// Message `i` of `len` bytes: a pattern that differs per message and per
/// position, so a byte out of place shows.
fn pattern(i: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|k| (k.wrapping_mul(31) ^ i.wrapping_mul(7)) as u8)
        .collect()
}

/// nn_recv into a buffer of `cap` bytes: the length reported and the bytes
/// that landed there.
fn recv_buf(s: c_int, cap: usize) -> Result<(usize, Vec<u8>), c_int> {
    let mut buf = vec![0xEEu8; cap];
    // SAFETY: buf has cap writable bytes.
    let rc = unsafe { nn_recv(s, buf.as_mut_ptr().cast(), cap, 0) };
    if rc < 0 {
        return Err(nn_errno());
    }
    let n = rc as usize;
    buf.truncate(n.min(cap));
    Ok((n, buf))
}

const SIZES: [usize; 10] = [
    0,
    1,
    64,
    1000,
    16 * 1024,
    65536,
    65537,
    300_000,
    1 << 20,
    4 << 20,
];

fn exchange(send_s: c_int, recv_s: c_int, what: &str) {
    for (i, &len) in SIZES.iter().enumerate() {
        let msg = pattern(i, len);
        // A sender thread, so a message larger than the kernel's buffers
        // can arrive while the receiver is blocked in nn_recv.
        let sender = std::thread::spawn(move || send(send_s, &msg));
        for cap in [len, len + 100] {
            if cap != len {
                let again = pattern(i, len);
                std::thread::spawn(move || send(send_s, &again));
            }
            let (n, got) = recv_buf(recv_s, cap).unwrap_or_else(|e| panic!("{what}: errno {e}"));
            assert_eq!(n, len, "{what}: length of message {i}");
            assert!(
                got == pattern(i, len),
                "{what}: message {i} ({len} bytes) changed"
            );
        }
        sender.join().unwrap();
    }
}

#[test]
fn every_size_arrives_whole_on_pair_and_pull() {
    for url in [format!("tcp://127.0.0.1:{PAIR_PORT}"), ipc_url("pair")] {
        let (a, b) = pair_unlimited(&url);
        exchange(b, a, &url);
        exchange(a, b, &url);
        close(a);
        close(b);
    }
    for url in [format!("tcp://127.0.0.1:{PULL_PORT}"), ipc_url("pull")] {
        let pull = socket(NN_PULL);
        let push = socket(NN_PUSH);
        set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 10_000);
        set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 10_000);
        set_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
        bind(pull, &url);
        connect(push, &url);
        exchange(push, pull, &url);
        close(push);
        close(pull);
    }
}

/// A burst of messages, received one at a time into a buffer much larger
/// than each: one read brings several, and those after the first must be
/// kept for the next receives. Then a buffer smaller than the message:
/// truncated, the full length reported, the next message intact.
#[test]
fn messages_sharing_a_read_are_all_delivered_and_truncation_is_reported() {
    for url in [format!("tcp://127.0.0.1:{BURST_PORT}"), ipc_url("burst")] {
        let (a, b) = pair_over(&url, 10_000);
        let sizes: Vec<usize> = (0..300)
            .map(|i| [5, 64, 700, 20_000, 70_000][i % 5])
            .collect();
        let to_send = sizes.clone();
        let sender = std::thread::spawn(move || {
            for (i, &len) in to_send.iter().enumerate() {
                send(b, &pattern(i, len));
            }
        });
        std::thread::sleep(Duration::from_millis(50));
        for (i, &len) in sizes.iter().enumerate() {
            let (n, got) = recv_buf(a, 1 << 20).unwrap();
            assert_eq!(n, len, "{url}: length of message {i}");
            assert!(got == pattern(i, len), "{url}: message {i} changed");
        }
        sender.join().unwrap();

        send(b, &pattern(1, 100_000));
        send(b, &pattern(2, 10));
        let (n, got) = recv_buf(a, 1000).unwrap();
        assert_eq!(
            n, 100_000,
            "{url}: a truncated receive reports the full length"
        );
        assert!(
            got == pattern(1, 100_000)[..1000],
            "{url}: the start of a truncated message"
        );
        assert_eq!(
            recv_buf(a, 1000).unwrap().1,
            pattern(2, 10),
            "{url}: after truncation"
        );
        close(a);
        close(b);
    }
}

/// A plain TCP socket connected to a PAIR socket bound at `port`, past the
/// SP handshake: a peer that writes whatever bytes a test wants.
fn raw_pair_peer(port: u16) -> std::net::TcpStream {
    let mut peer = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    peer.set_nodelay(true).unwrap();
    peer.write_all(&[0, b'S', b'P', 0, 0, 16, 0, 0]).unwrap();
    let mut theirs = [0u8; 8];
    peer.read_exact(&mut theirs).unwrap();
    assert_eq!(theirs, [0, b'S', b'P', 0, 0, 16, 0, 0]);
    peer
}

/// A tcp frame: length, then body.
fn frame(body: &[u8]) -> Vec<u8> {
    [&(body.len() as u64).to_be_bytes()[..], body].concat()
}

/// A PAIR socket bound at `port` on 127.0.0.1 that waits `timeout_ms` to
/// receive, and a raw peer connected to it that has sent one message
/// already received (so the receiver is past its first read).
fn bound_pair_and_peer(port: u16, timeout_ms: c_int) -> (c_int, std::net::TcpStream) {
    let pair = socket(NN_PAIR);
    set_int(pair, NN_SOL_SOCKET, NN_RCVTIMEO, timeout_ms);
    set_int(pair, NN_SOL_SOCKET, NN_RCVMAXSIZE, 100);
    bind(pair, &format!("tcp://127.0.0.1:{port}"));
    let mut peer = raw_pair_peer(port);
    peer.write_all(&frame(b"warm")).unwrap();
    assert_eq!(recv_buf(pair, 40).unwrap().1, b"warm");
    (pair, peer)
}

/// Writes `bytes` to the peer 100 ms from now, while the receiver is
/// blocked in nn_recv (so it reads the connection itself).
fn write_later(
    mut peer: std::net::TcpStream,
    bytes: Vec<u8>,
) -> std::thread::JoinHandle<std::net::TcpStream> {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        peer.write_all(&bytes).unwrap();
        peer
    })
}

/// The buffer holds the message and nothing else: bytes past it stay as
/// they were, even when the next message arrived in the same read.
#[test]
fn bytes_past_the_message_are_left_alone() {
    let (pair, peer) = bound_pair_and_peer(UNTOUCHED_PORT, 5000);
    let writer = write_later(peer, [frame(b"hello"), frame(b"second-message")].concat());
    let mut buf = [0xEEu8; 40];
    // SAFETY: buf has 40 writable bytes.
    let rc = unsafe { nn_recv(pair, buf.as_mut_ptr().cast(), buf.len(), 0) };
    assert_eq!(rc, 5);
    assert_eq!(&buf[..5], b"hello");
    assert!(
        buf[5..].iter().all(|&b| b == 0xEE),
        "written past the message: {buf:?}"
    );
    assert_eq!(recv_buf(pair, 40).unwrap().1, b"second-message");
    drop(writer.join().unwrap());
    close(pair);
}

/// A receive that times out with half a message arrived leaves the buffer
/// as it was; the message is whole once the rest comes.
#[test]
fn a_failed_receive_leaves_the_buffer_alone() {
    let (pair, peer) = bound_pair_and_peer(TIMEOUT_PORT, 300);
    let msg = pattern(9, 30);
    let wire = frame(&msg);
    let writer = write_later(peer, wire[..18].to_vec());
    let mut buf = [b'X'; 40];
    // SAFETY: buf has 40 writable bytes.
    let rc = unsafe { nn_recv(pair, buf.as_mut_ptr().cast(), buf.len(), 0) };
    assert_eq!((rc, nn_errno()), (-1, libc::ETIMEDOUT));
    assert!(
        buf.iter().all(|&b| b == b'X'),
        "a failed receive wrote: {buf:?}"
    );
    writer.join().unwrap().write_all(&wire[18..]).unwrap();
    assert_eq!(recv_buf(pair, 40).unwrap().1, msg);
    close(pair);
}

/// A message that arrived whole is delivered even when what follows it in
/// the same read is a frame the receiver refuses (over NN_RCVMAXSIZE); the
/// connection is dropped after it.
#[test]
fn a_bad_frame_after_a_message_does_not_take_the_message_with_it() {
    let (pair, peer) = bound_pair_and_peer(FAULT_PORT, 1000);
    let mut wire = frame(b"hello");
    wire.extend(1000u64.to_be_bytes());
    wire.extend([0u8; 50]);
    let writer = write_later(peer, wire);
    assert_eq!(recv_buf(pair, 40).map(|(_, b)| b), Ok(b"hello".to_vec()));
    assert_eq!(recv_buf(pair, 40).err(), Some(libc::ETIMEDOUT));
    drop(writer.join().unwrap());
    close(pair);
}

/// A peer (a plain TCP socket speaking SP) that writes its frames in pieces
/// with pauses: a header split in two, a body cut at odd places, the end of
/// one message and the start of the next in one write. The receiver is
/// blocked in nn_recv with its buffer throughout.
#[test]
fn messages_arriving_in_pieces_are_whole() {
    let pair = socket(NN_PAIR);
    set_int(pair, NN_SOL_SOCKET, NN_RCVTIMEO, 10_000);
    set_int(pair, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    bind(pair, &format!("tcp://127.0.0.1:{RAW_PEER_PORT}"));
    let mut peer = raw_pair_peer(RAW_PEER_PORT);

    let sizes = [200_000usize, 40_000, 3, 100_000];
    let mut wire = Vec::new();
    for (i, &len) in sizes.iter().enumerate() {
        wire.extend((len as u64).to_be_bytes());
        wire.extend(pattern(i, len));
    }
    let cuts = [
        3usize, 8, 20_000, 150_000, 200_011, 200_020, 240_010, 240_030, 300_000,
    ];
    let writer = std::thread::spawn(move || {
        let mut at = 0;
        for &cut in cuts.iter().chain([wire.len()].iter()) {
            std::thread::sleep(Duration::from_millis(30));
            peer.write_all(&wire[at..cut]).unwrap();
            at = cut;
        }
        peer
    });
    for (i, &len) in sizes.iter().enumerate() {
        let (n, got) = recv_buf(pair, 1 << 20).unwrap();
        assert_eq!(n, len, "length of message {i}");
        assert!(got == pattern(i, len), "message {i} ({len} bytes) changed");
    }
    drop(writer.join().unwrap());
    close(pair);
}

/// NN_RCVMAXSIZE still applies to a message read into a buffer: the
/// connection carrying a larger one is dropped, and the receive times out
/// instead of delivering it; a message within the limit is delivered.
#[test]
fn receive_size_limit_applies() {
    let url = format!("tcp://127.0.0.1:{LIMIT_PORT}");
    let a = socket(NN_PAIR);
    let b = socket(NN_PAIR);
    set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    set_int(a, NN_SOL_SOCKET, NN_RCVMAXSIZE, 50_000);
    bind(a, &url);
    connect(b, &url);
    send(b, &pattern(0, 40_000));
    assert_eq!(recv_buf(a, 1 << 20).unwrap().1, pattern(0, 40_000));
    send(b, &pattern(1, 60_000));
    assert_eq!(recv_buf(a, 1 << 20).err(), Some(libc::ETIMEDOUT));
    close(a);
    close(b);
}
