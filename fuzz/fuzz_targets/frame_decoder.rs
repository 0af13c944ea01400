//! The SP stream decoder of tcp:// and ipc:// fed arbitrary peer bytes
//! (handshake included), with or without backtrace splitting and
//! NN_RCVMAXSIZE, in pieces of arbitrary sizes. It must never panic, and
//! never deliver a message longer than the limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::transport::framing::{Decoded, Decoder, Wire};

fuzz_target!(|data: &[u8]| {
    let [setup, split, bytes @ ..] = data else {
        return;
    };
    let wire = if setup & 1 == 0 { Wire::Tcp } else { Wire::Ipc };
    let split_trace = setup & 2 != 0;
    let max = match (setup >> 2) & 3 {
        0 => None,
        1 => Some(0),
        2 => Some(1024),
        _ => Some(1 << 20),
    };
    let piece = usize::from(*split).max(1);
    let mut decoder = Decoder::new(wire, max, split_trace);
    for chunk in bytes.chunks(piece) {
        let res = decoder.feed(chunk, &mut |d| {
            if let Decoded::Message(trace, body) = d {
                assert!(trace.len() % 4 == 0);
                assert!(max.is_none_or(|max| trace.len() + body.len() <= max));
            }
        });
        if res.is_err() {
            break;
        }
    }
});
