//! ws:// transport: messages both ways, several paths on one port, large
//! messages, and hostile handshakes refused without harm.

mod common;
use common::*;
use nanomsg::abi::*;
use std::io::{Read, Write};

#[test]
fn pair_over_ws_with_two_paths_on_one_port() {
    let a = socket(NN_PAIR);
    let b = socket(NN_PAIR);
    let ca = socket(NN_PAIR);
    let cb = socket(NN_PAIR);
    for s in [a, b, ca, cb] {
        set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        set_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    }
    bind(a, "ws://127.0.0.1:13881/a");
    bind(b, "ws://127.0.0.1:13881/b");
    connect(ca, "ws://127.0.0.1:13881/a");
    connect(cb, "ws://127.0.0.1:13881/b");
    send(ca, b"to a");
    send(cb, b"to b");
    assert_eq!(recv(a), b"to a");
    assert_eq!(recv(b), b"to b");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    send(a, &big);
    assert!(recv(ca) == big);
    send(cb, &big);
    assert!(recv(b) == big);
    for s in [a, b, ca, cb] {
        close(s);
    }
}

#[test]
fn malformed_handshakes_are_refused_and_the_port_keeps_working() {
    let rep = socket(NN_REP);
    set_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    bind(rep, "ws://127.0.0.1:13882/svc");
    for junk in [
        &b"\x00SP\x00\x00\x10\x00\x00garbage"[..],
        b"GET /svc HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /nothere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a2V5\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n\r\n",
    ] {
        let mut c = std::net::TcpStream::connect("127.0.0.1:13882").unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
        c.write_all(junk).unwrap();
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 4"), "answer to junk: {text:?}");
    }
    let req = socket(NN_REQ);
    set_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    connect(req, "ws://127.0.0.1:13882/svc");
    send(req, b"still there?");
    assert_eq!(recv(rep), b"still there?");
    send(rep, b"yes");
    assert_eq!(recv(req), b"yes");
    close(req);
    close(rep);
}

#[test]
fn same_path_twice_is_addr_in_use() {
    let a = socket(NN_PAIR);
    let b = socket(NN_PAIR);
    bind(a, "ws://127.0.0.1:13883/p");
    let url = std::ffi::CString::new("ws://127.0.0.1:13883/p").unwrap();
    assert_eq!(unsafe { nanomsg::ffi::nn_bind(b, url.as_ptr()) }, -1);
    assert_eq!(nanomsg::ffi::nn_errno(), libc::EADDRINUSE);
    close(a);
    // The port is free again once its last path is gone.
    bind(b, "ws://127.0.0.1:13883/p");
    close(b);
}

/// A hand-written client: upgrade, then one message in three masked
/// fragments with a ping between them; the reply must come back unmasked,
/// and the ping must be answered.
#[test]
fn fragmented_masked_client_message_is_reassembled() {
    use nanomsg::transport::ws_codec::{
        apply_mask, frame_header, OP_BINARY, OP_CONTINUATION, OP_PING,
    };
    let server = socket(NN_PAIR);
    set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    bind(server, "ws://127.0.0.1:13884/frag");
    let mut c = std::net::TcpStream::connect("127.0.0.1:13884").unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    c.write_all(
        b"GET /frag HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
          Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n",
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        c.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "{head}");
    let key = [9, 8, 7, 6];
    let frame = |op: u8, fin: bool, data: &[u8]| {
        let (h, n) = frame_header(op, data.len(), Some(key));
        let mut v = h[..n].to_vec();
        if !fin {
            v[0] &= 0x7f;
        }
        let mut d = data.to_vec();
        apply_mask(&mut d, key);
        v.extend(d);
        v
    };
    c.write_all(&frame(OP_BINARY, false, b"frag")).unwrap();
    c.write_all(&frame(OP_PING, true, b"hi")).unwrap();
    c.write_all(&frame(OP_CONTINUATION, false, b"men")).unwrap();
    c.write_all(&frame(OP_CONTINUATION, true, b"ted")).unwrap();
    assert_eq!(recv(server), b"fragmented");
    // The pong comes first, unmasked, carrying the ping's payload.
    let mut pong = [0u8; 4];
    c.read_exact(&mut pong).unwrap();
    assert_eq!(pong, [0x8A, 2, b'h', b'i']);
    send(server, b"back");
    let mut reply = [0u8; 6];
    c.read_exact(&mut reply).unwrap();
    assert_eq!(reply, [0x82, 4, b'b', b'a', b'c', b'k']);
    close(server);
}

fn upgrade_request(path: &str, proto: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: {proto}\r\n\r\n"
    )
}

/// A request half read when its port's last socket goes away is dropped
/// with the port: once, it stayed keyed by the port's slot and was handed,
/// when complete, to whatever socket bound next and took that slot.
#[test]
fn a_half_read_upgrade_dies_with_its_port() {
    let a = socket(NN_PAIR);
    bind(a, "ws://127.0.0.1:19092/x");
    let mut c = std::net::TcpStream::connect("127.0.0.1:19092").unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let req = upgrade_request("/x", "pair.sp.nanomsg.org");
    let (head, tail) = req.split_at(20);
    c.write_all(head.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    close(a);
    std::thread::sleep(std::time::Duration::from_millis(100));
    let b = socket(NN_PAIR);
    bind(b, "ws://127.0.0.1:19092/x");
    let _ = c.write_all(tail.as_bytes());
    let mut answer = Vec::new();
    let _ = c.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(!text.starts_with("HTTP/1.1 101"), "upgraded: {text:?}");
    // The new socket serves new peers.
    let d = socket(NN_PAIR);
    set_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    connect(d, "ws://127.0.0.1:19092/x");
    send(d, b"new peer");
    assert_eq!(recv(b), b"new peer");
    close(d);
    close(b);
}

/// A bound path with a query or fragment serves the path (requests are
/// routed without their query); once it was kept whole and never matched.
#[test]
fn a_bound_path_with_a_query_is_reachable() {
    let a = socket(NN_PAIR);
    set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    bind(a, "ws://127.0.0.1:19093/q?x=1#top");
    for url in ["ws://127.0.0.1:19093/q?x=1", "ws://127.0.0.1:19093/q"] {
        let c = socket(NN_PAIR);
        set_int(c, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
        connect(c, url);
        send(c, url.as_bytes());
        assert_eq!(recv(a), url.as_bytes());
        close(c);
    }
    close(a);
}
