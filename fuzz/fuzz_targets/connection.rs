//! One connection's sans-I/O machine (transport/connection.rs) in every
//! role: SP over tcp or ipc, WebSocket client or server (or a listener's
//! connection from its upgrade, transport/ws_upgrade.rs), each socket type,
//! with and without NN_RCVMAXSIZE and a small NN_RCVBUF. The fuzzer plays
//! the peer (arbitrary bytes in pieces of arbitrary sizes) and the socket
//! (taking messages, queueing sends, writing some of the output, changing
//! NN_RCVMAXSIZE). It must never panic, never deliver a message over the
//! limit, and never write more than it queued.
#![no_main]

use std::io::IoSlice;

use libfuzzer_sys::fuzz_target;
use nanomsg::message::{Chunk, Msg};
use nanomsg::protocol::ALL as PROTOCOLS;
use nanomsg::transport::connection::{Connection, Limits};
use nanomsg::transport::framing::Wire;
use nanomsg::transport::ws_codec::Role;
use nanomsg::transport::ws_upgrade::{Answer, Step, WsUpgrade};

fuzz_target!(|data: &[u8]| {
    let [role, proto, limits, script @ ..] = data else {
        return;
    };
    let own = PROTOCOLS[usize::from(*proto) % PROTOCOLS.len()];
    let mut max = match limits & 3 {
        0 => None,
        1 => Some(0),
        2 => Some(100),
        _ => Some(1 << 16),
    };
    let lim = Limits {
        sndbuf: if limits & 4 == 0 { 1 << 20 } else { 256 },
        rcvbuf: if limits & 8 == 0 { 1 << 20 } else { 256 },
    };
    let mut rest = script;
    let mut c = match role % 6 {
        0 => Connection::sp(Wire::Tcp, own, lim, max),
        1 => Connection::sp(Wire::Ipc, own, lim, max),
        2 => Connection::ws(Role::Server, own, false, lim, max, Vec::new()),
        3 => Connection::ws(Role::Client, own, true, lim, max, Vec::new()),
        // Bytes that came with the upgrade response, before the machine.
        4 => Connection::ws(Role::Client, own, false, lim, max, script.to_vec()),
        // A listener's connection: the upgrade request comes first, in
        // pieces (a length byte, then that many bytes), until the machine
        // routes, refuses or closes it.
        _ => {
            let mut up = WsUpgrade::server();
            loop {
                let [n, tail @ ..] = rest else {
                    up.hang_up();
                    assert!(!matches!(up.step(), Step::Read | Step::Open(_)));
                    return;
                };
                let take = usize::from(*n).min(tail.len());
                up.feed(&tail[..take]);
                rest = &tail[take..];
                match up.step() {
                    Step::Read => assert!(up.wants_input() || rest.is_empty()),
                    Step::Route(req) => match up.answer(&req, Some(own)) {
                        Answer::Open { response, leftover } => {
                            assert!(response.starts_with("HTTP/1.1 101 "));
                            break Connection::ws(Role::Server, own, false, lim, max, leftover);
                        }
                        Answer::Refuse(_) => return,
                    },
                    Step::Refuse(_) | Step::Close => return,
                    Step::Open(_) => panic!("a listener's upgrade opened unrouted"),
                }
            }
        }
    };
    // The loosest limit any feed ran under: a message decoded then may be
    // taken after the limit was lowered.
    let mut loosest = max;
    // The script: an op byte, then (for feeds) a length and that many bytes.
    while let [op, tail @ ..] = rest {
        rest = tail;
        match op % 6 {
            0 | 1 => {
                let n = usize::from(rest.first().copied().unwrap_or(0));
                let take = n.min(rest.len().saturating_sub(1));
                let bytes = rest.get(1..1 + take).unwrap_or(&[]);
                rest = rest.get(1 + take..).unwrap_or(&[]);
                loosest = loosest.zip(max).map(|(a, b)| a.max(b));
                if c.may_read() && c.feed(bytes).is_err() {
                    break;
                }
            }
            2 => {
                while let Some(m) = c.take_message() {
                    if let Some(max) = loosest {
                        assert!(m.body.as_slice().len() <= max);
                    }
                }
            }
            3 => {
                let body = Chunk::from_slice(&rest[..rest.len().min(40)]).unwrap();
                let _ = c.queue(Msg::new(body));
            }
            4 => {
                // The kernel takes part of what is offered.
                let mut slices = [IoSlice::new(&[]); 8];
                let n = c.gather(&mut slices);
                let offered: usize = slices[..n].iter().map(|s| s.len()).sum();
                let k = usize::from(rest.first().copied().unwrap_or(255));
                c.wrote(offered.min(k * 7));
            }
            _ => {
                max = match max {
                    None => Some(10),
                    Some(_) => None,
                };
                c.set_max_size(max);
            }
        }
    }
});
