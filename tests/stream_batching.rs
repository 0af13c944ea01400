//! A sender that streams over tcp/ipc/ws has its messages gathered into
//! batches (`StreamPipe` in transport/stream.rs). Nothing may stay behind:
//! the tail of a stream is written when the sender pauses, and a socket
//! closed right after a stream still delivers it.

mod common;
use common::*;
use nanomsg::abi::*;

const COUNT: u32 = 2000;

/// Sends COUNT numbered messages as fast as the socket takes them.
fn stream(push: i32) {
    for i in 0..COUNT {
        send(push, &i.to_be_bytes());
    }
}

fn expect_all_in_order(pull: i32, url: &str) {
    for i in 0..COUNT {
        match try_recv(pull) {
            Ok(m) => assert_eq!(m, i.to_be_bytes(), "{url}: out of order"),
            Err(e) => panic!("{url}: message {i} of {COUNT} missing (errno {e})"),
        }
    }
}

fn connected_pair(url: &str) -> (i32, i32) {
    let (pull, push) = pull_push_over(url, 5000);
    // One message through first, so the stream does not start before the
    // connection is up.
    send(push, b"up");
    assert_eq!(recv(pull), b"up");
    (push, pull)
}

/// The sender streams, then does nothing more: every message arrives.
#[test]
fn the_tail_of_a_stream_arrives_while_the_sender_pauses() {
    for url in stream_urls("tail", 13870) {
        let (push, pull) = connected_pair(&url);
        stream(push);
        expect_all_in_order(pull, &url);
        close(push);
        close(pull);
    }
}

/// The sender streams and closes its socket at once (NN_LINGER 0): every
/// message still arrives.
#[test]
fn a_stream_closed_at_once_is_delivered() {
    for url in stream_urls("close", 13871) {
        let (push, pull) = connected_pair(&url);
        stream(push);
        close(push);
        expect_all_in_order(pull, &url);
        close(pull);
    }
}

/// The sender streams and its process exits without closing the socket:
/// every message still arrives. The sender is this test binary run again,
/// with only `streaming_child_exits` (below) selected.
#[test]
fn a_stream_whose_process_exits_is_delivered() {
    for url in [ipc_url("exit"), "tcp://127.0.0.1:13872".to_string()] {
        let pull = socket(NN_PULL);
        set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        bind(pull, &url);
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "streaming_child_exits",
                "--nocapture",
            ])
            .env("NN_TEST_STREAM_TO", &url)
            .status()
            .unwrap();
        assert!(child.success(), "{url}: the sending process failed");
        assert_eq!(recv(pull), b"up");
        expect_all_in_order(pull, &url);
        close(pull);
    }
}

/// Run only by `a_stream_whose_process_exits_is_delivered`: connects to
/// NN_TEST_STREAM_TO, streams, and exits the process at once.
#[test]
#[ignore]
fn streaming_child_exits() {
    let url = std::env::var("NN_TEST_STREAM_TO").expect("run by its parent test");
    let push = socket(NN_PUSH);
    set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
    connect(push, &url);
    send(push, b"up");
    stream(push);
    std::process::exit(0);
}

/// With a small NN_SNDBUF, messages held back for a batch must not make the
/// pipe look full while the kernel has room: PUB would drop them, and a
/// sender with NN_DONTWAIT would get EAGAIN.
#[test]
fn a_small_sndbuf_is_not_filled_by_held_back_messages() {
    let url = "tcp://127.0.0.1:13873";
    let sub = socket(NN_SUB);
    let all: &[u8] = b"";
    assert_eq!(
        unsafe {
            nanomsg::ffi::nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, all.as_ptr() as *const _, 0)
        },
        0
    );
    set_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    bind(sub, url);
    let publisher = socket(NN_PUB);
    set_int(publisher, NN_SOL_SOCKET, NN_SNDBUF, 8192);
    connect(publisher, url);
    // Wait until the subscriber gets messages, then count from a marker.
    loop {
        send(publisher, b"hello");
        if try_recv(sub).is_ok() {
            break;
        }
    }
    let reader = std::thread::spawn(move || {
        let mut got = 0;
        while let Ok(m) = try_recv(sub) {
            if m.len() == 256 {
                got += 1;
            }
        }
        close(sub);
        got
    });
    // 2000 x 256 B = 512 KB: far less than the kernel's buffers hold.
    for _ in 0..2000 {
        send(publisher, &[7u8; 256]);
    }
    assert_eq!(reader.join().unwrap(), 2000, "PUB dropped messages");
    close(publisher);
}

const PEERS: usize = 10;
const EACH: u32 = 300;

/// PEERS PUSH sockets connected to one PULL at `url`.
fn fan_in(url: &str) -> (Vec<i32>, i32) {
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    bind(pull, url);
    let pushes: Vec<i32> = (0..PEERS)
        .map(|p| {
            let push = socket(NN_PUSH);
            set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
            connect(push, url);
            send(push, &[p as u8]);
            push
        })
        .collect();
    for _ in 0..PEERS {
        assert_eq!(recv(pull).len(), 1, "{url}: warm-up");
    }
    (pushes, pull)
}

/// Message `i` of peer `p`: [p, i (4 bytes)].
fn dealt(p: usize, i: u32) -> Vec<u8> {
    let mut m = vec![p as u8];
    m.extend_from_slice(&i.to_be_bytes());
    m
}

/// Sends EACH messages on every socket, dealing them round robin as a
/// load-balancing sender does: the thread streams, each connection gets
/// every PEERS-th message.
fn deal(pushes: &[i32]) {
    for i in 0..EACH {
        for (p, &push) in pushes.iter().enumerate() {
            send(push, &dealt(p, i));
        }
    }
}

/// Every peer's messages arrive, each peer's in order.
fn expect_all_dealt(pull: i32, url: &str) {
    let mut next = [0u32; PEERS];
    for n in 0..PEERS as u32 * EACH {
        let m = try_recv(pull).unwrap_or_else(|e| {
            panic!("{url}: {n} of {} arrived (errno {e})", PEERS as u32 * EACH)
        });
        let p = m[0] as usize;
        let i = u32::from_be_bytes(m[1..5].try_into().unwrap());
        assert_eq!(i, next[p], "{url}: peer {p} out of order");
        next[p] += 1;
    }
}

/// A thread streams round robin over many connections (its batches are
/// held per connection, on the thread's list), then pauses: every batch is
/// written.
#[test]
fn a_stream_dealt_over_many_connections_arrives_while_the_sender_pauses() {
    for url in stream_urls("deal", 13810) {
        let (pushes, pull) = fan_in(&url);
        deal(&pushes);
        expect_all_dealt(pull, &url);
        pushes.into_iter().for_each(close);
        close(pull);
    }
}

/// The streaming thread ends right after its last send, leaving batches
/// held: they are written all the same.
#[test]
fn batches_held_by_a_thread_that_ends_are_written() {
    for url in stream_urls("ended", 13811) {
        let (pushes, pull) = fan_in(&url);
        let sender = {
            let pushes = pushes.clone();
            std::thread::spawn(move || deal(&pushes))
        };
        sender.join().unwrap();
        expect_all_dealt(pull, &url);
        pushes.into_iter().for_each(close);
        close(pull);
    }
}
