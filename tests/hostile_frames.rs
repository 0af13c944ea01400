//! Peers that announce impossible lengths (issue 18): each costs its own
//! connection and nothing else. After every attack a well-behaved tcp peer
//! and a well-behaved ws peer of the same socket must still exchange
//! messages within a second.
//!
//! Ports 19000-19019.

mod common;
use common::*;
use nanomsg::abi::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::raw::c_int;
use std::time::{Duration, Instant};

/// A BUS socket bound on tcp, ws and ipc, with one good BUS peer
/// connected over each of tcp and ws.
struct Bench {
    server: c_int,
    peers: Vec<c_int>,
    tcp: u16,
    ws: u16,
    ipc: String,
}

impl Bench {
    fn new(tcp: u16, ws: u16, tag: &str, rcvmaxsize: c_int) -> Bench {
        let server = socket(NN_BUS);
        set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
        set_int(server, NN_SOL_SOCKET, NN_RCVMAXSIZE, rcvmaxsize);
        bind(server, &format!("tcp://127.0.0.1:{tcp}"));
        bind(server, &format!("ws://127.0.0.1:{ws}/bus"));
        let ipc = ipc_url(tag);
        bind(server, &ipc);
        let mut peers = Vec::new();
        for url in [
            format!("tcp://127.0.0.1:{tcp}"),
            format!("ws://127.0.0.1:{ws}/bus"),
        ] {
            let p = socket(NN_BUS);
            set_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
            connect(p, &url);
            peers.push(p);
        }
        let b = Bench {
            server,
            peers,
            tcp,
            ws,
            ipc,
        };
        await_connections(
            b.server,
            2,
            Instant::now() + Duration::from_secs(5),
            "good peers did not connect",
        );
        b.check_alive("before any attack");
        b
    }

    /// Both good peers still exchange messages with the server, each way,
    /// within a second (the receive timeouts).
    fn check_alive(&self, after: &str) {
        send(self.server, b"to all");
        for (i, &p) in self.peers.iter().enumerate() {
            match try_recv(p) {
                Ok(m) => assert_eq!(m, b"to all", "peer {i} after {after}"),
                Err(e) => panic!("good peer {i} got nothing after {after}: errno {e}"),
            }
        }
        for (i, &p) in self.peers.iter().enumerate() {
            let m = format!("from {i}");
            send(p, m.as_bytes());
            match try_recv(self.server) {
                Ok(got) => assert!(got.starts_with(b"from "), "after {after}: {got:?}"),
                Err(e) => panic!("server got nothing from peer {i} after {after}: errno {e}"),
            }
        }
    }

    /// A raw WebSocket client, upgraded on the server's ws port.
    fn ws_client(&self) -> TcpStream {
        ws_upgrade(self.ws, "/bus", "bus.sp.nanomsg.org")
    }

    /// A raw tcp client past the SP handshake.
    fn sp_tcp_client(&self) -> TcpStream {
        let mut c = TcpStream::connect(("127.0.0.1", self.tcp)).unwrap();
        c.write_all(&[0, b'S', b'P', 0, 0, 112, 0, 0]).unwrap();
        c
    }

    fn sp_ipc_client(&self) -> std::os::unix::net::UnixStream {
        let path = self.ipc.strip_prefix("ipc://").unwrap();
        let mut c = std::os::unix::net::UnixStream::connect(path).unwrap();
        c.write_all(&[0, b'S', b'P', 0, 0, 112, 0, 0]).unwrap();
        c
    }

    fn close(self) {
        for p in self.peers {
            close(p);
        }
        close(self.server);
    }
}

/// Upgrades a raw TCP connection to a WebSocket, as a browser would.
pub fn ws_upgrade(port: u16, path: &str, protocol: &str) -> TcpStream {
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
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
    assert!(head.starts_with(b"HTTP/1.1 101"), "upgrade refused");
    c
}

const KEY: [u8; 4] = [0x11, 0x22, 0x33, 0x44];

/// A masked client frame header with a 64-bit length, and `payload`
/// (masked) after it.
fn ws_frame64(first: u8, len: u64, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![first, 0x80 | 127];
    v.extend(len.to_be_bytes());
    v.extend(KEY);
    v.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i % 4]));
    v
}

/// A small masked client frame.
fn ws_frame(first: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut v = vec![first, 0x80 | payload.len() as u8];
    v.extend(KEY);
    v.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i % 4]));
    v
}

/// Sends `bytes`, then gives the server a moment to take them in; the
/// connection is returned so that it stays open during the check (the
/// server, not the peer's close, must cope).
fn attack<S: Write>(mut c: S, bytes: &[u8]) -> S {
    let _ = c.write_all(bytes);
    let _ = c.flush();
    std::thread::sleep(Duration::from_millis(100));
    c
}

#[test]
fn ws_fragment_then_huge_continuation_default_limit() {
    let b = Bench::new(19000, 19001, "hostile-frag-default", 1024 * 1024);
    let mut bytes = ws_frame(0x02, b"x"); // binary, FIN clear, 1 byte
    bytes.extend(ws_frame64(0x80, u64::MAX, b"")); // continuation, FIN
    let _c = attack(b.ws_client(), &bytes);
    b.check_alive("a fragment then a 2^64-1 continuation");
    b.close();
}

#[test]
fn ws_fragment_then_huge_continuation_unlimited() {
    let b = Bench::new(19002, 19003, "hostile-frag-unlimited", -1);
    let mut bytes = ws_frame(0x02, b"x");
    bytes.extend(ws_frame64(0x80, u64::MAX, b""));
    let _c = attack(b.ws_client(), &bytes);
    b.check_alive("a fragment then a 2^64-1 continuation (no limit)");
    b.close();
}

#[test]
fn ws_huge_single_frames_unlimited() {
    let b = Bench::new(19004, 19005, "hostile-ws-single", -1);
    let mut open = Vec::new();
    for len in [u64::MAX, 1 << 63, 1 << 40, (1 << 63) - 1] {
        let c = attack(b.ws_client(), &ws_frame64(0x82, len, b"abc"));
        b.check_alive(&format!("a ws frame announcing {len} bytes"));
        open.push(c);
    }
    b.close();
}

#[test]
fn sp_huge_frames_unlimited() {
    let b = Bench::new(19006, 19007, "hostile-sp", -1);
    let mut open_tcp = Vec::new();
    let mut open_ipc = Vec::new();
    for len in [1u64 << 48, 1 << 63, u64::MAX, 64 << 30] {
        let mut tcp = len.to_be_bytes().to_vec();
        tcp.extend(b"abc");
        open_tcp.push(attack(b.sp_tcp_client(), &tcp));
        b.check_alive(&format!("a tcp frame announcing {len} bytes"));
        let mut ipc = vec![1u8];
        ipc.extend(len.to_be_bytes());
        ipc.extend(b"abc");
        open_ipc.push(attack(b.sp_ipc_client(), &ipc));
        b.check_alive(&format!("an ipc frame announcing {len} bytes"));
    }
    b.close();
}

/// A 64-bit WebSocket length with its top bit set breaks RFC 6455 (5.2):
/// the connection is closed at once, not left waiting for the payload.
#[test]
fn ws_length_with_top_bit_closes_the_connection() {
    let b = Bench::new(19008, 19009, "hostile-topbit", -1);
    let mut c = attack(b.ws_client(), &ws_frame64(0x82, 1 << 63, b""));
    c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    let mut buf = [0u8; 64];
    let closed = loop {
        match c.read(&mut buf) {
            Ok(0) => break true,
            Ok(_) => continue,
            Err(e) => break e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    };
    assert!(
        closed,
        "connection left open after a length with the top bit set"
    );
    b.check_alive("a length with the top bit set");
    b.close();
}
