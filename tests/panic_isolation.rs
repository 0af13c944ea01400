//! A panic in one connection's code costs that connection alone (issue
//! 18). The `fault-injection` hook makes the code that receives a message
//! holding a trigger panic, wherever it runs: on the I/O thread, on an
//! application's thread reading its connection directly, or on a device's
//! thread. Every other connection, on tcp, ipc and ws, keeps exchanging
//! messages, and the broken one is counted.
//!
//! Ports 19030-19039.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::os::raw::c_int;
use std::time::{Duration, Instant};

const TRIGGER: &[u8] = b"<<panic here>>";

fn arm() {
    nanomsg::fault::panic_on_message_containing(TRIGGER);
}

fn bus_peer(url: &str) -> c_int {
    let p = socket(NN_BUS);
    set_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    set_int(p, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    connect(p, url);
    p
}

#[test]
fn a_panicking_connection_leaves_the_others_on_every_transport_serving() {
    arm();
    let urls = [
        "tcp://127.0.0.1:19030".to_string(),
        ipc_url("panic-bus"),
        "ws://127.0.0.1:19031/bus".to_string(),
    ];
    let server = socket(NN_BUS);
    set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    for u in &urls {
        bind(server, u);
    }
    let good: Vec<c_int> = urls.iter().map(|u| bus_peer(u)).collect();
    let bad: Vec<c_int> = urls.iter().map(|u| bus_peer(u)).collect();
    let soon = || Instant::now() + Duration::from_secs(5);
    await_connections(server, 6, soon(), "peers did not connect");
    for &b in &bad {
        send(b, &[b"before ", TRIGGER, b" after"].concat());
    }
    // Each of the three connections that received the trigger broke.
    let deadline = soon();
    while nn_get_statistic(server, NN_STAT_BROKEN_CONNECTIONS) < 3 {
        assert!(
            Instant::now() < deadline,
            "the panicking connections were not closed"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // The others exchange messages both ways, within the 1 s timeouts.
    for round in 0..3 {
        send(server, format!("to all {round}").as_bytes());
        for (i, &g) in good.iter().enumerate() {
            assert_eq!(
                try_recv(g),
                Ok(format!("to all {round}").into_bytes()),
                "good peer on {}",
                urls[i]
            );
        }
        for &g in &good {
            send(g, b"to server");
            assert_eq!(try_recv(server), Ok(b"to server".to_vec()));
        }
    }
    // Nothing of a message whose connection panicked was delivered.
    set_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    assert_eq!(try_recv(server), Err(libc::ETIMEDOUT));
    for s in good.into_iter().chain(bad) {
        close(s);
    }
    close(server);
}

/// A receiver waiting on its only connection reads it on its own thread;
/// a panic there closes the connection, and the receiver goes on waiting
/// (no error from nn_recv) until the peer, reconnected, sends again.
#[test]
fn a_panic_on_the_receivers_own_thread_closes_only_that_connection() {
    arm();
    for url in [
        "tcp://127.0.0.1:19032".to_string(),
        ipc_url("panic-direct"),
        "ws://127.0.0.1:19033/direct".to_string(),
    ] {
        let (server, peer) = pair_over(&url, 5000);
        await_connections(
            server,
            1,
            Instant::now() + Duration::from_secs(5),
            "no peer",
        );
        let receiver = std::thread::spawn(move || try_recv(server));
        // Let the receiver settle into its wait on the connection.
        std::thread::sleep(Duration::from_millis(100));
        send(peer, TRIGGER);
        let deadline = Instant::now() + Duration::from_secs(5);
        while nn_get_statistic(server, NN_STAT_BROKEN_CONNECTIONS) < 1 {
            assert!(Instant::now() < deadline, "{url}: connection not closed");
            std::thread::sleep(Duration::from_millis(5));
        }
        // The peer's dialer reconnects; PAIR takes it again.
        await_connections(
            server,
            1,
            Instant::now() + Duration::from_secs(5),
            "no reconnect",
        );
        send(peer, b"fine");
        assert_eq!(receiver.join().unwrap(), Ok(b"fine".to_vec()), "{url}");
        close(peer);
        close(server);
    }
}

/// A device keeps forwarding after a panic in one of its connections.
#[test]
fn a_device_carries_on_after_a_panicking_connection() {
    arm();
    let front = nn_socket(AF_SP_RAW, NN_REP);
    let back = nn_socket(AF_SP_RAW, NN_REQ);
    assert!(front >= 0 && back >= 0);
    bind(front, "tcp://127.0.0.1:19034");
    bind(back, "tcp://127.0.0.1:19035");
    let device = std::thread::spawn(move || nn_device(front, back));
    let worker = socket(NN_REP);
    set_int(worker, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    connect(worker, "tcp://127.0.0.1:19035");
    let echo = std::thread::spawn(move || {
        while let Ok(m) = try_recv(worker) {
            send(worker, &m);
        }
        close(worker);
    });
    let hostile = socket(NN_REQ);
    connect(hostile, "tcp://127.0.0.1:19034");
    send(hostile, TRIGGER);
    let deadline = Instant::now() + Duration::from_secs(5);
    while nn_get_statistic(front, NN_STAT_BROKEN_CONNECTIONS) < 1 {
        assert!(Instant::now() < deadline, "connection not closed");
        std::thread::sleep(Duration::from_millis(5));
    }
    let client = socket(NN_REQ);
    set_int(client, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    connect(client, "tcp://127.0.0.1:19034");
    for i in 0..3 {
        let m = format!("request {i}");
        send(client, m.as_bytes());
        assert_eq!(try_recv(client), Ok(m.into_bytes()));
    }
    assert!(!device.is_finished());
    close(client);
    close(hostile);
    nn_close(front);
    nn_close(back);
    let _ = device.join();
    let _ = echo.join();
}
