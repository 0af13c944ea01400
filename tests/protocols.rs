//! Protocol routing through the C API: request/reply (also across a
//! device), pub/sub filtering, pipeline spreading, surveys, bus.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::os::raw::c_int;

fn raw_socket(protocol: c_int) -> c_int {
    let s = nn_socket(AF_SP_RAW, protocol);
    assert!(s >= 0);
    s
}

fn timeouts(s: c_int) {
    set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
}

#[test]
fn request_reply_on_every_transport() {
    for url in [
        "inproc://rr",
        "ipc:///tmp/nnrs-rr.ipc",
        "tcp://127.0.0.1:13895",
    ] {
        let rep = socket(NN_REP);
        let req = socket(NN_REQ);
        timeouts(rep);
        timeouts(req);
        bind(rep, url);
        connect(req, url);
        for i in 0..5u8 {
            send(req, &[b'q', i]);
            assert_eq!(recv(rep), vec![b'q', i], "{url}");
            send(rep, &[b'a', i]);
            assert_eq!(recv(req), vec![b'a', i], "{url}");
        }
        close(req);
        close(rep);
    }
}

#[test]
fn request_reply_through_a_device() {
    let front = raw_socket(NN_REP);
    let back = raw_socket(NN_REQ);
    bind(front, "tcp://127.0.0.1:13896");
    bind(back, "tcp://127.0.0.1:13897");
    std::thread::spawn(move || nn_device(front, back));
    let server = socket(NN_REP);
    let client = socket(NN_REQ);
    timeouts(server);
    timeouts(client);
    connect(server, "tcp://127.0.0.1:13897");
    connect(client, "tcp://127.0.0.1:13896");
    for i in 0..3u8 {
        send(client, &[i]);
        assert_eq!(recv(server), vec![i]);
        send(server, &[i + 100]);
        assert_eq!(recv(client), vec![i + 100]);
    }
    close(client);
    close(server);
    close(front);
    close(back);
}

#[test]
fn subscribers_get_only_their_topics() {
    let publisher = socket(NN_PUB);
    let sub_a = socket(NN_SUB);
    let sub_all = socket(NN_SUB);
    bind(publisher, "tcp://127.0.0.1:13898");
    for s in [sub_a, sub_all] {
        set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
        connect(s, "tcp://127.0.0.1:13898");
    }
    let sub = |s: c_int, topic: &[u8]| unsafe {
        assert_eq!(
            nn_setsockopt(
                s,
                NN_SUB,
                NN_SUB_SUBSCRIBE,
                topic.as_ptr() as *const _,
                topic.len()
            ),
            0
        )
    };
    sub(sub_a, b"a.");
    sub(sub_all, b"");
    std::thread::sleep(std::time::Duration::from_millis(300));
    for m in [&b"a.1"[..], b"b.1", b"a.2"] {
        send(publisher, m);
    }
    assert_eq!(recv(sub_a), b"a.1");
    assert_eq!(recv(sub_a), b"a.2");
    assert_eq!(try_recv(sub_a), Err(libc::ETIMEDOUT));
    assert_eq!(recv(sub_all), b"a.1");
    assert_eq!(recv(sub_all), b"b.1");
    assert_eq!(recv(sub_all), b"a.2");
    for s in [publisher, sub_a, sub_all] {
        close(s);
    }
}

#[test]
fn push_spreads_round_robin_over_pulls() {
    let push = socket(NN_PUSH);
    bind(push, "inproc://spread");
    let pulls: Vec<c_int> = (0..3).map(|_| socket(NN_PULL)).collect();
    for &p in &pulls {
        set_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
        connect(p, "inproc://spread");
    }
    for i in 0..9u8 {
        send(push, &[i]);
    }
    for &p in &pulls {
        for _ in 0..3 {
            recv(p);
        }
        set_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
        assert_eq!(try_recv(p), Err(libc::ETIMEDOUT));
        close(p);
    }
    close(push);
}

#[test]
fn survey_collects_answers_then_times_out() {
    let surveyor = socket(NN_SURVEYOR);
    set_int(surveyor, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 300);
    let url = ipc_url("survey");
    bind(surveyor, &url);
    let resp: Vec<c_int> = (0..3).map(|_| socket(NN_RESPONDENT)).collect();
    for &r in &resp {
        timeouts(r);
        connect(r, &url);
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    send(surveyor, b"how?");
    for &r in &resp {
        assert_eq!(recv(r), b"how?");
        send(r, b"fine");
    }
    for _ in 0..3 {
        assert_eq!(recv(surveyor), b"fine");
    }
    assert_eq!(try_recv(surveyor), Err(libc::ETIMEDOUT));
    assert_eq!(try_recv(surveyor), Err(nanomsg::error::EFSM));
    for s in resp {
        close(s);
    }
    close(surveyor);
}

#[test]
fn bus_reaches_every_other_node_once() {
    let urls: Vec<String> = (0..4).map(|i| format!("inproc://bus{i}")).collect();
    let nodes: Vec<c_int> = (0..4).map(|_| socket(NN_BUS)).collect();
    for (i, &n) in nodes.iter().enumerate() {
        set_int(n, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
        bind(n, &urls[i]);
    }
    for (i, &n) in nodes.iter().enumerate() {
        for url in &urls[i + 1..] {
            connect(n, url);
        }
    }
    send(nodes[0], b"hi");
    assert_eq!(try_recv(nodes[0]), Err(libc::ETIMEDOUT));
    for &n in &nodes[1..] {
        assert_eq!(recv(n), b"hi");
        assert_eq!(try_recv(n), Err(libc::ETIMEDOUT));
    }
    for n in nodes {
        close(n);
    }
}
