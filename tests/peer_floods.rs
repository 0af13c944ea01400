//! Peers that send without end and never read (issue 18): what the
//! library holds on their behalf stays bounded, because it stops reading
//! from such a peer (TCP flow control then holds it back), and the other
//! connections of the process are served all the while. The tests run one
//! at a time, so that each one's memory measurement is its own.
//!
//! Ports 19020-19029.

mod common;
use common::*;
use nanomsg::abi::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Upgrades a raw connection to a WebSocket speaking `protocol`.
fn ws_client(port: u16, protocol: &str) -> TcpStream {
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!(
        "GET /flood HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n"
    );
    c.write_all(req.as_bytes()).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        c.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"));
    c
}

/// Sends `unit` over and over on `c` (in writes of many units) until
/// `total` bytes are sent or a write blocks for 3 s (flow control); all the
/// while, a PAIR connection of its own on `tcp://127.0.0.1:<good_port>`
/// must exchange a message at least every second. Returns the bytes sent
/// and the RSS growth of the process.
fn flood(mut c: TcpStream, unit: &[u8], total: u64, good_port: u16) -> (u64, u64) {
    let (a, b) = pair_over(&format!("tcp://127.0.0.1:{good_port}"), 1000);
    send(b, b"warm-up");
    assert_eq!(recv(a), b"warm-up");
    let before = rss_bytes();
    let burst = unit.repeat((64 * 1024 / unit.len()).max(1));
    let done = Arc::new(AtomicBool::new(false));
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
        flag.store(true, Ordering::SeqCst);
        (sent, c)
    });
    let mut rounds = 0;
    while !done.load(Ordering::SeqCst) {
        let m = format!("round {rounds}");
        send(b, m.as_bytes());
        assert_eq!(
            try_recv(a),
            Ok(m.into_bytes()),
            "the good connection starved"
        );
        rounds += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    let (sent, c) = flooder.join().unwrap();
    let grown = rss_bytes().saturating_sub(before);
    drop(c);
    close(a);
    close(b);
    (sent, grown)
}

fn assert_bounded(what: &str, (sent, grown): (u64, u64), total: u64) {
    assert!(
        grown < 64 << 20,
        "{what}: RSS grew by {} MB while the peer sent {} MB",
        grown >> 20,
        sent >> 20
    );
    assert!(sent < total, "{what}: all {} MB were read", total >> 20);
}

/// The server keeps its other peers after the flood.
fn still_serves(server: c_int, url: &str, protocol: c_int) {
    let peer = socket(protocol);
    set_int(peer, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    connect(peer, url);
    std::thread::sleep(Duration::from_millis(200));
    send(peer, b"after");
    set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match try_recv(server) {
            Ok(m) if m == b"after" => break,
            // (What the flooder's connection held is delivered first.)
            Ok(_) => assert!(
                Instant::now() < deadline,
                "never got the message after the flood"
            ),
            Err(e) => panic!("the server got nothing after the flood: errno {e}"),
        }
    }
    close(peer);
}

#[test]
fn unread_pongs_stay_bounded() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let server = socket(NN_BUS);
    bind(server, "ws://127.0.0.1:19020/flood");
    let c = ws_client(19020, "bus.sp.nanomsg.org");
    // 125-byte masked pings.
    let key = [7u8, 1, 8, 2];
    let mut ping = vec![0x89, 0x80 | 125];
    ping.extend(key);
    ping.extend((0..125).map(|i| (i as u8) ^ key[i % 4]));
    let total = 200 << 20;
    assert_bounded("pings", flood(c, &ping, total, 19021), total);
    still_serves(server, "ws://127.0.0.1:19020/flood", NN_BUS);
    close(server);
}

/// Empty messages cost memory too (a queue entry each): a peer sending
/// nothing but 8-byte frames of length 0 to a PULL socket nobody reads
/// once grew the process by 1.6 GB in 6 s and kept the I/O thread from
/// every other connection for the whole flood.
#[test]
fn empty_messages_nobody_receives_stay_bounded() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let pull = socket(NN_PULL);
    bind(pull, "tcp://127.0.0.1:19022");
    let mut c = TcpStream::connect("127.0.0.1:19022").unwrap();
    c.write_all(&[0, b'S', b'P', 0, 0, 80, 0, 0]).unwrap();
    let total = 200 << 20;
    assert_bounded("empty messages", flood(c, &[0u8; 8], total, 19023), total);
    still_serves(pull, "tcp://127.0.0.1:19022", NN_PUSH);
    close(pull);
}

/// Requests that are nothing but a request id, to a REP socket.
#[test]
fn bare_request_ids_stay_bounded() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let rep = socket(NN_REP);
    bind(rep, "tcp://127.0.0.1:19024");
    let mut c = TcpStream::connect("127.0.0.1:19024").unwrap();
    c.write_all(&[0, b'S', b'P', 0, 0, 48, 0, 0]).unwrap();
    let mut unit = 4u64.to_be_bytes().to_vec();
    unit.extend([0x80, 0, 0, 1]);
    let total = 200 << 20;
    assert_bounded("bare request ids", flood(c, &unit, total, 19025), total);
    close(rep);
}

/// Empty WebSocket messages, masked, to a PULL socket nobody reads.
#[test]
fn empty_ws_messages_stay_bounded() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let pull = socket(NN_PULL);
    bind(pull, "ws://127.0.0.1:19026/flood");
    let c = ws_client(19026, "pull.sp.nanomsg.org");
    let total = 200 << 20;
    let unit = [0x82, 0x80, 1, 2, 3, 4];
    assert_bounded("empty ws messages", flood(c, &unit, total, 19027), total);
    close(pull);
}
