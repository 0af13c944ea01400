//! PAIR behaviour through the C API, on every transport.

mod common;
use common::*;
use nanomsg::abi::*;

fn urls(tag: &str, port: u16) -> Vec<String> {
    vec![
        format!("inproc://{tag}"),
        ipc_url(tag),
        format!("tcp://127.0.0.1:{port}"),
    ]
}

/// Messages sent just before the sender closes are still delivered.
#[test]
fn messages_sent_before_close_arrive() {
    for url in urls("before-close", 13891) {
        let a = socket(NN_PAIR);
        let b = socket(NN_PAIR);
        set_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        bind(b, &url);
        connect(a, &url);
        send(a, b"one");
        send(a, b"two");
        send(a, b"three");
        // Let the bytes reach the receiver's queue, then close the sender.
        std::thread::sleep(std::time::Duration::from_millis(200));
        close(a);
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(recv(b), b"one", "{url}");
        assert_eq!(recv(b), b"two", "{url}");
        assert_eq!(recv(b), b"three", "{url}");
        close(b);
    }
}

/// After the peer goes away, a receive times out instead of hanging, and a
/// new peer can attach.
#[test]
fn a_new_peer_replaces_a_closed_one() {
    for url in urls("replace", 13892) {
        let b = socket(NN_PAIR);
        set_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        bind(b, &url);
        for round in 0..3u8 {
            let a = socket(NN_PAIR);
            set_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
            connect(a, &url);
            send(a, &[round]);
            assert_eq!(recv(b), vec![round], "{url}");
            close(a);
        }
        close(b);
    }
}

/// Large messages cross intact in both directions.
#[test]
fn large_messages_cross_intact() {
    for url in urls("large", 13893) {
        let a = socket(NN_PAIR);
        let b = socket(NN_PAIR);
        for s in [a, b] {
            set_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
            set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 10000);
        }
        bind(b, &url);
        connect(a, &url);
        let big: Vec<u8> = (0..6 * 1024 * 1024u32)
            .map(|i| (i * 7 + i / 251) as u8)
            .collect();
        send(a, &big);
        assert!(recv(b) == big, "{url}");
        send(b, &big[..1_000_001]);
        assert!(recv(a) == big[..1_000_001], "{url}");
        close(a);
        close(b);
    }
}

/// A peer that hangs up frees the place at once, and what it sent before
/// it went is still received, before anything from the peer after it.
#[test]
fn a_peer_that_hung_up_frees_its_place_at_once() {
    for url in urls("hangup", 19040) {
        let server = socket(NN_PAIR);
        set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
        bind(server, &url);
        let first = socket(NN_PAIR);
        connect(first, &url);
        send_timeout(first, b"from the first");
        // Let it arrive, then hang up before anything is received.
        std::thread::sleep(std::time::Duration::from_millis(100));
        close(first);
        let second = socket(NN_PAIR);
        set_int(second, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
        connect(second, &url);
        send_timeout(second, b"from the second");
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(recv(server), b"from the first", "{url}");
        // Already here: the second peer was taken at once, not refused
        // until the first one's message was received.
        set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 0);
        assert_eq!(try_recv(server), Ok(b"from the second".to_vec()), "{url}");
        send(server, b"to the second");
        assert_eq!(recv(second), b"to the second", "{url}");
        close(second);
        close(server);
    }
}

fn send_timeout(s: std::os::raw::c_int, m: &[u8]) {
    set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 2000);
    send(s, m);
}
