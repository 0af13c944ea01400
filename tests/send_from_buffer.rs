//! nn_send with a buffer on PAIR over tcp/ipc writes straight from the
//! caller's buffer when nothing is queued ahead (no copy); what the kernel
//! does not take at once is copied and queued. The caller may reuse its
//! buffer as soon as nn_send returns: nothing may still point into it.

mod common;

use std::os::raw::c_int;

use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;

/// Bigger than the kernel takes in one write on an idle connection, so the
/// first send is cut short and its rest queued.
const BIG: usize = 8 << 20;

fn send_buf(s: c_int, buf: &[u8]) {
    let rc = unsafe { nn_send(s, buf.as_ptr() as *const _, buf.len(), 0) };
    assert_eq!(rc, buf.len() as c_int, "send: errno {}", nn_errno());
}

fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

fn pair(url: &str) -> (c_int, c_int) {
    let (b, a) = pair_unlimited(url);
    send(a, b"up");
    assert_eq!(recv(b), b"up");
    (a, b)
}

/// One buffer, overwritten as soon as each send returns: every message
/// arrives as it was when sent, whole and in order.
#[test]
fn a_reused_buffer_does_not_change_what_was_sent() {
    for url in ["tcp://127.0.0.1:13812".to_string(), ipc_url("sendfrom")] {
        let (a, b) = pair(&url);
        let seeds = [1u8, 2, 3];
        let receiver = std::thread::spawn(move || {
            let big: Vec<Vec<u8>> = seeds.iter().map(|_| recv(b)).collect();
            let small: Vec<Vec<u8>> = seeds.iter().map(|_| recv(b)).collect();
            close(b);
            (big, small)
        });
        let mut buf = vec![0u8; BIG];
        for &seed in &seeds {
            buf.copy_from_slice(&pattern(seed, BIG));
            send_buf(a, &buf);
            buf.fill(0xEE);
        }
        // Small ones after the big ones: some go out behind queued output,
        // the last ones on an idle connection again.
        let mut small = vec![0u8; 100];
        for &seed in &seeds {
            small.copy_from_slice(&pattern(seed, 100));
            send_buf(a, &small);
            small.fill(0xEE);
        }
        let (big, got_small) = receiver.join().unwrap();
        for (k, &seed) in seeds.iter().enumerate() {
            assert_eq!(big[k].len(), BIG, "{url}: size of message {seed}");
            assert!(
                big[k] == pattern(seed, BIG),
                "{url}: message {seed} changed"
            );
            assert_eq!(
                got_small[k],
                pattern(seed, 100),
                "{url}: small message {seed}"
            );
        }
        close(a);
    }
}

/// Replies sent from a buffer, request by request, as the classic PAIR
/// ping-pong does, in both directions.
#[test]
fn ping_pong_from_buffers() {
    for url in ["tcp://127.0.0.1:13813".to_string(), ipc_url("pingpong")] {
        let (a, b) = pair(&url);
        for i in 0..200u32 {
            let size = [1usize, 1000, 70_000, 300_000][i as usize % 4];
            let msg = pattern(i as u8, size);
            send_buf(a, &msg);
            let got = recv(b);
            assert!(got == msg, "{url}: round {i} a->b");
            send_buf(b, &got);
            assert!(recv(a) == msg, "{url}: round {i} b->a");
        }
        close(a);
        close(b);
    }
}

/// PUSH sends from the caller's buffer too, to the peer whose turn it is:
/// two PULL peers get alternate messages, each whole and in order.
#[test]
fn push_sends_from_buffers_in_turn() {
    let urls = ["tcp://127.0.0.1:13814", "tcp://127.0.0.1:13815"];
    let push = socket(NN_PUSH);
    set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 10_000);
    let pulls: Vec<c_int> = urls
        .iter()
        .map(|url| {
            let pull = socket(NN_PULL);
            set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 10_000);
            set_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
            bind(pull, url);
            connect(push, url);
            pull
        })
        .collect();
    // Both connections up: one message through each.
    let mut seen = [false; 2];
    while seen != [true, true] {
        send(push, b"up");
        for (k, &pull) in pulls.iter().enumerate() {
            let rc = unsafe {
                let mut p: *mut u8 = std::ptr::null_mut();
                let rc = nn_recv(pull, &mut p as *mut *mut u8 as *mut _, NN_MSG, NN_DONTWAIT);
                if rc >= 0 {
                    nn_freemsg(p as *mut _);
                }
                rc
            };
            seen[k] |= rc >= 0;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // Drain stray warm-ups, then the rotation starts at one of the two.
    for &pull in &pulls {
        set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
        while try_recv(pull).is_ok() {}
        set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 10_000);
    }
    let mut buf = vec![0u8; 100_000];
    for i in 0..20u8 {
        buf.copy_from_slice(&pattern(i, 100_000));
        send_buf(push, &buf);
        buf.fill(0xEE);
    }
    let first: Vec<Vec<u8>> = pulls.iter().map(|&p| recv(p)).collect();
    let start = (0..2)
        .find(|&k| first[k] == pattern(0, 100_000))
        .expect("message 0 arrived whole at one peer");
    assert!(
        first[1 - start] == pattern(1, 100_000),
        "message 1 at the other peer"
    );
    for i in 2..20u8 {
        let pull = pulls[(start + i as usize) % 2];
        assert!(
            recv(pull) == pattern(i, 100_000),
            "message {i} out of turn or changed"
        );
    }
    close(push);
    pulls.into_iter().for_each(close);
}
