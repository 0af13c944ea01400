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
