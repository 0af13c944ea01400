//! The WebSocket frame decoder fed arbitrary peer bytes, as a server (the
//! peer masks) or a client, with or without NN_RCVMAXSIZE, in pieces of
//! arbitrary sizes. It must never panic, and never deliver a message
//! longer than the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::transport::ws_codec::{Role, WsDecoder, WsEvent};

fuzz_target!(|data: &[u8]| {
    let [setup, split, bytes @ ..] = data else {
        return;
    };
    let role = if setup & 1 == 0 {
        Role::Server
    } else {
        Role::Client
    };
    let max = match (setup >> 1) & 3 {
        0 => None,
        1 => Some(0),
        2 => Some(1024),
        _ => Some(1 << 20),
    };
    let piece = usize::from(*split).max(1);
    let mut decoder = WsDecoder::new(role, max);
    for chunk in bytes.chunks(piece) {
        let res = decoder.feed(chunk, &mut |ev| match ev {
            WsEvent::Message(m) => assert!(max.is_none_or(|max| m.len() <= max)),
            WsEvent::Ping(p) | WsEvent::Close(p) => assert!(p.len() <= 125),
        });
        if res.is_err() {
            break;
        }
    }
});
