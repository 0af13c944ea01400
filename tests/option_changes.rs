//! Options changed after a connection exists act when nanomsg 1.1.5 acts
//! on them (issue 12; compat/probe_option_changes.c measured nanomsg):
//! NN_RCVMAXSIZE on the next message; NN_RCVBUF, NN_TCP_NODELAY and a
//! listener's NN_WS_MSG_TYPE on the next connection, not on the ones that
//! exist. The whole table is in docs/nanomsg-1.1.5-behaviour.md.
//!
//! Ports 19080-19089.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::io::{Read, Write};
use std::os::raw::c_int;
use std::time::{Duration, Instant};

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(5)
}

#[test]
fn rcvmaxsize_applies_to_the_next_message_on_existing_connections() {
    for url in [
        "tcp://127.0.0.1:19080".to_string(),
        ipc_url("optchg-max"),
        "ws://127.0.0.1:19081/max".to_string(),
    ] {
        let (a, b) = pair_over(&url, 1000);
        await_connections(a, 1, soon(), "no connection");
        // Lowered after connect: 4 bytes pass, 5 do not, and the
        // connection that carried them is dropped (as nanomsg drops it).
        set_int(a, NN_SOL_SOCKET, NN_RCVMAXSIZE, 4);
        send(b, b"four");
        assert_eq!(recv(a), b"four", "{url}");
        send(b, b"five!");
        set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
        assert_eq!(
            try_recv(a),
            Err(libc::ETIMEDOUT),
            "{url}: 5 bytes delivered past a limit of 4"
        );
        let deadline = soon();
        while nn_get_statistic(a, NN_STAT_BROKEN_CONNECTIONS) < 1 {
            assert!(
                Instant::now() < deadline,
                "{url}: the connection was not dropped"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // Raised after (re)connect: 3 MiB pass.
        await_connections(a, 1, soon(), "no reconnection");
        set_int(a, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
        set_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        let big: Vec<u8> = (0..3 << 20).map(|i: u32| (i % 249) as u8).collect();
        send(b, &big);
        assert!(
            recv(a) == big,
            "{url}: 3 MiB not delivered after raising the limit"
        );
        close(b);
        close(a);
    }
}

/// How many 1 KiB messages `s` takes with NN_DONTWAIT before EAGAIN.
fn sends_before_full(s: c_int) -> usize {
    let m = [7u8; 1024];
    let mut n = 0;
    while unsafe { nn_send(s, m.as_ptr() as *const _, m.len(), NN_DONTWAIT) } == 1024 {
        n += 1;
        assert!(n < 100_000);
    }
    assert_eq!(nn_errno(), libc::EAGAIN);
    n
}

fn drain(s: c_int, n: usize) {
    for _ in 0..n {
        recv(s);
    }
}

#[test]
fn rcvbuf_applies_to_the_next_inproc_connection() {
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    bind(pull, "inproc://optchg-rcvbuf");
    let push = socket(NN_PUSH);
    connect(push, "inproc://optchg-rcvbuf");
    let before = sends_before_full(push);
    assert!(
        (100..=140).contains(&before),
        "default 128 KiB took {before}"
    );
    drain(pull, before);
    set_int(pull, NN_SOL_SOCKET, NN_RCVBUF, 8 * 1024);
    // The connection that exists keeps its queue…
    assert_eq!(sends_before_full(push), before);
    drain(pull, before);
    close(push);
    // …a new one gets the new size.
    let push = socket(NN_PUSH);
    connect(push, "inproc://optchg-rcvbuf");
    let after = sends_before_full(push);
    assert!((6..=10).contains(&after), "8 KiB took {after}");
    drain(pull, after);
    close(push);
    close(pull);
}

fn nodelay(fd: c_int) -> c_int {
    let mut v: c_int = -1;
    let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            &mut v as *mut c_int as *mut _,
            &mut len,
        )
    };
    assert_eq!(rc, 0);
    v
}

#[test]
fn tcp_nodelay_applies_to_the_next_connection() {
    let port = 19082;
    let url = format!("tcp://127.0.0.1:{port}");
    let (a, b) = pair_over(&url, 2000);
    await_connections(a, 1, soon(), "no connection");
    let accepted = tcp_fd(port, PortOf::Own).expect("accepted fd");
    let dialed = tcp_fd(port, PortOf::Peer).expect("dialed fd");
    assert_eq!((nodelay(accepted), nodelay(dialed)), (0, 0));
    for s in [a, b] {
        let v: c_int = 1;
        let rc =
            unsafe { nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &v as *const c_int as *const _, 4) };
        assert_eq!(rc, 0);
    }
    // The connection that exists is left as it was…
    assert_eq!((nodelay(accepted), nodelay(dialed)), (0, 0));
    // …the next one (the dialer reconnects after the accepted side drops)
    // takes the option on both ends.
    unsafe { libc::shutdown(accepted, libc::SHUT_RDWR) };
    let deadline = soon();
    loop {
        let now = (tcp_fd(port, PortOf::Own), tcp_fd(port, PortOf::Peer));
        // (The new connection's descriptors may reuse the old numbers: the
        // old ones had TCP_NODELAY 0, so 1 on both means the new one.)
        if let (Some(acc), Some(dia)) = now {
            if nodelay(acc) == 1 && nodelay(dia) == 1 {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the new connection has no TCP_NODELAY"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    send(b, b"still fine");
    assert_eq!(recv(a), b"still fine");
    close(b);
    close(a);
}

/// A raw WebSocket client upgraded on `port`, reading the opcode of the
/// next frame the server sends.
struct WsClient(std::net::TcpStream);

impl WsClient {
    fn connect(port: u16) -> WsClient {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        c.write_all(
            b"GET /t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
              Sec-WebSocket-Protocol: bus.sp.nanomsg.org\r\n\r\n",
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            c.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        assert!(head.starts_with(b"HTTP/1.1 101"));
        WsClient(c)
    }

    fn next_opcode(&mut self) -> u8 {
        let mut h = [0u8; 2];
        self.0.read_exact(&mut h).unwrap();
        let mut body = vec![0u8; (h[1] & 0x7f) as usize];
        self.0.read_exact(&mut body).unwrap();
        h[0] & 0x0f
    }
}

#[test]
fn a_listeners_ws_msg_type_applies_to_the_next_connection() {
    let port = 19083;
    let server = socket(NN_BUS);
    bind(server, &format!("ws://127.0.0.1:{port}/t"));
    let mut old = WsClient::connect(port);
    await_connections(server, 1, soon(), "no connection");
    send(server, b"binary");
    assert_eq!(old.next_opcode(), 0x2);
    let text: c_int = NN_WS_MSG_TYPE_TEXT;
    let rc = unsafe {
        nn_setsockopt(
            server,
            NN_WS,
            NN_WS_MSG_TYPE,
            &text as *const c_int as *const _,
            4,
        )
    };
    assert_eq!(rc, 0);
    let mut new = WsClient::connect(port);
    await_connections(server, 2, soon(), "no second connection");
    send(server, b"to both");
    assert_eq!(
        old.next_opcode(),
        0x2,
        "the connection that existed changed"
    );
    assert_eq!(
        new.next_opcode(),
        0x1,
        "the new connection did not take the option"
    );
    close(server);
}
