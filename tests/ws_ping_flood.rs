//! A WebSocket peer that sends pings and never reads the pongs (issue 18):
//! what the library queues on its behalf stays bounded, because it stops
//! reading from that peer until the pongs drain, and the socket's other
//! peers are served meanwhile. (Alone in its test binary, so that no other
//! test's memory blurs the measurement.)
//!
//! Ports 14020-14021.

mod common;
use common::*;
use nanomsg::abi::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn unread_pongs_stay_bounded_and_others_are_served() {
    let server = socket(NN_BUS);
    set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    bind(server, "ws://127.0.0.1:14020/flood");
    bind(server, "tcp://127.0.0.1:14021");
    let good = socket(NN_BUS);
    set_int(good, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    connect(good, "tcp://127.0.0.1:14021");

    let mut c = TcpStream::connect("127.0.0.1:14020").unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    c.write_all(
        b"GET /flood HTTP/1.1\r\nHost: 127.0.0.1:14020\r\nUpgrade: websocket\r\n\
          Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
          Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: bus.sp.nanomsg.org\r\n\r\n",
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        c.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"));
    await_connections(
        server,
        2,
        std::time::Instant::now() + Duration::from_secs(5),
        "peers did not connect",
    );
    send(good, b"warm-up");
    assert_eq!(recv(server), b"warm-up");
    let before = rss_bytes();

    // 200 MB of 125-byte masked pings, 512 to a write; a write that
    // blocks for 3 s means flow control holds the flooder back.
    let key = [7u8, 1, 8, 2];
    let mut ping = vec![0x89, 0x80 | 125];
    ping.extend(key);
    ping.extend((0..125).map(|i| (i as u8) ^ key[i % 4]));
    let burst: Vec<u8> = ping.repeat(512);
    let total: u64 = 200 << 20;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = done.clone();
    let flooder = std::thread::spawn(move || {
        c.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut sent = 0u64;
        while sent < total {
            match c.write(&burst) {
                Ok(n) => sent += n as u64,
                Err(_) => break,
            }
        }
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        (sent, c)
    });

    // The good peer is served all along.
    let mut rounds = 0;
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        let m = format!("round {rounds}");
        send(good, m.as_bytes());
        assert_eq!(recv(server), m.as_bytes(), "good peer starved");
        rounds += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    let (sent, c) = flooder.join().unwrap();
    let grown = rss_bytes().saturating_sub(before);
    assert!(
        grown < 64 << 20,
        "RSS grew by {} MB while the peer sent {} MB of pings",
        grown >> 20,
        sent >> 20
    );
    // Held back, not served in full: the library stopped reading.
    assert!(sent < total, "all {} MB of pings were read", sent >> 20);
    assert!(rounds > 0);
    drop(c);
    send(good, b"after");
    assert_eq!(recv(server), b"after");
    close(good);
    close(server);
}
