//! Stream connections at their edges: a peer that sends and closes at once.

mod common;
use common::*;
use nanomsg::abi::*;
use std::io::Write;

/// A peer that writes the SP handshake and a message and closes, all before
/// we read anything: the message must still be delivered.
#[test]
fn message_arriving_with_handshake_and_close_is_delivered() {
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    bind(pull, "tcp://127.0.0.1:13885");
    for i in 0..20u8 {
        let mut c = std::net::TcpStream::connect("127.0.0.1:13885").unwrap();
        let mut bytes = vec![0, b'S', b'P', 0, 0, 80, 0, 0]; // PUSH
        bytes.extend(3u64.to_be_bytes());
        bytes.extend([b'm', b'-', i]);
        c.write_all(&bytes).unwrap();
        drop(c);
        assert_eq!(recv(pull), vec![b'm', b'-', i]);
    }
    close(pull);
}

/// Peers that connect and never finish the SP or WebSocket handshake are
/// dropped after the handshake timeout; the endpoint keeps serving.
#[test]
fn silent_peers_are_dropped_after_the_handshake_timeout() {
    use std::io::Read;
    let pair = socket(NN_PAIR);
    set_int(pair, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    bind(pair, "tcp://127.0.0.1:13886");
    bind(pair, "ws://127.0.0.1:13887/x");
    let start = std::time::Instant::now();
    let mut silent: Vec<std::net::TcpStream> = ["127.0.0.1:13886", "127.0.0.1:13887"]
        .iter()
        .map(|a| std::net::TcpStream::connect(a).unwrap())
        .collect();
    for c in &mut silent {
        c.set_read_timeout(Some(std::time::Duration::from_secs(15)))
            .unwrap();
        let mut buf = [0u8; 64];
        // The SP listener sends its own 8-byte header first; then EOF.
        let mut got = 0;
        loop {
            match c.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => panic!("not closed: {e}"),
            }
        }
        assert!(got <= 8, "unexpected data");
    }
    let waited = start.elapsed();
    assert!(
        waited >= std::time::Duration::from_secs(4),
        "closed too early: {waited:?}"
    );
    // Still serving.
    let peer = socket(NN_PAIR);
    connect(peer, "tcp://127.0.0.1:13886");
    send(peer, b"after");
    assert_eq!(recv(pair), b"after");
    close(peer);
    close(pair);
}
