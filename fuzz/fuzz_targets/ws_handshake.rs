//! The WebSocket opening handshake (transport/ws_handshake.rs) fed what a
//! peer may send: an upgrade request to our listener, or a response to our
//! dialer, arbitrary bytes, whole or as a prefix still arriving. It must
//! never panic; a request it takes must give a route and a 101 answer
//! that the peer's bytes cannot add lines to; what it reports used must
//! be inside what it was given, and a complete head must be read the same
//! way however much came after it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::protocol::ALL as PROTOCOLS;
use nanomsg::transport::ws_handshake::{
    choose_protocol, parse_request, parse_response, server_response,
};

fuzz_target!(|data: &[u8]| {
    let [proto, cut, head @ ..] = data else {
        return;
    };
    let own = PROTOCOLS[usize::from(*proto) % PROTOCOLS.len()];

    // As a listener.
    if let Ok(Some((req, used))) = parse_request(head) {
        assert!(used <= head.len());
        assert!(req.path.starts_with('/') && !req.path.contains(['?', '#']));
        // The head alone reads the same: nothing after it changes it.
        assert_eq!(parse_request(&head[..used]), Ok(Some((req.clone(), used))));
        // A prefix of it is incomplete or already refused, never taken.
        let k = usize::from(*cut) * used / 256;
        assert!(!matches!(parse_request(&head[..k]), Ok(Some(_))));
        if let Some(sub) = choose_protocol(&req, own) {
            let answer = server_response(&req, sub.as_deref());
            let lines = answer.matches("\r\n").count();
            assert_eq!(lines, if sub.is_some() { 6 } else { 5 }, "{answer:?}");
            assert!(answer.ends_with("\r\n\r\n"));
            assert_eq!(answer.matches('\n').count(), lines);
        }
    }

    // As a dialer, with a key taken from the input.
    let key = String::from_utf8_lossy(&head[..head.len().min(24)]).into_owned();
    if let Ok(Some(used)) = parse_response(head, &key, own) {
        assert!(used <= head.len());
        assert_eq!(parse_response(&head[..used], &key, own), Ok(Some(used)));
    }
});
