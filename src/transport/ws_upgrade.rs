//! One connection's WebSocket opening handshake, sans I/O: the phase a
//! ws:// or wss:// connection is in before its [`Connection`] exists.
//! Bytes read are fed in; it says what must happen next (read more, route
//! the request, write this answer and open, refuse, or close), and it
//! hands the connection the bytes that came after the head. No
//! descriptor, clock or lock: the reactor (reactor/upgrade.rs) only reads,
//! writes, routes by path and keeps the deadline; the unit tests and the
//! connection fuzz target drive this directly.
//!
//! [`Connection`]: super::connection::Connection

use std::os::raw::c_int;

use super::ws_handshake::{self, Request};

/// Which end of the handshake this is.
enum Side {
    /// Accepted: reading the request.
    Server,
    /// Dialed: the request is sent (its key kept), reading the response.
    Client { key: String, own: c_int },
}

pub struct WsUpgrade {
    side: Side,
    /// The head read so far (and whatever followed it).
    buf: Vec<u8>,
    /// Where the head ends in `buf`, once it is parsed.
    used: usize,
    /// The peer hung up (or the read failed).
    eof: bool,
}

/// What the driver must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// The head is not complete: read more.
    Read,
    /// (listener) The request is complete: look up the socket bound to
    /// its path, then call [`WsUpgrade::answer`].
    Route(Request),
    /// (dialer) The response is accepted: the connection opens, and
    /// starts with these bytes, read past the head.
    Open(Vec<u8>),
    /// (listener) Write this HTTP error, then close.
    Refuse(&'static str),
    /// Close without a word: the peer hung up before its head was
    /// complete, or (dialer) its response is not an acceptance.
    Close,
}

/// How the listener answers a routed request.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Write `response`, then the connection opens with `leftover`.
    Open { response: String, leftover: Vec<u8> },
    /// Write this HTTP error, then close.
    Refuse(&'static str),
}

impl WsUpgrade {
    /// An accepted connection, waiting for the request.
    pub fn server() -> WsUpgrade {
        WsUpgrade::new(Side::Server)
    }

    /// A dialed connection to `host` (as the Host header names it) for
    /// `path`, from a socket of type `own`: the machine, and the request
    /// to write first.
    pub fn client(host: &str, path: &str, own: c_int) -> (WsUpgrade, String) {
        let key = ws_handshake::new_key();
        let request = ws_handshake::client_request(host, path, &key, own);
        (WsUpgrade::new(Side::Client { key, own }), request)
    }

    fn new(side: Side) -> WsUpgrade {
        WsUpgrade {
            side,
            buf: Vec::new(),
            used: 0,
            eof: false,
        }
    }

    /// Whether the driver should read more before the next [`step`]: a
    /// peer that sends more than twice the longest head is judged on
    /// what it sent (the head is then too long).
    ///
    /// [`step`]: WsUpgrade::step
    pub fn wants_input(&self) -> bool {
        !self.eof && self.buf.len() <= 2 * ws_handshake::MAX_HEAD
    }

    /// Bytes read from the peer.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The peer hung up, or reading failed.
    pub fn hang_up(&mut self) {
        self.eof = true;
    }

    /// What the head read so far calls for.
    pub fn step(&mut self) -> Step {
        match &self.side {
            Side::Server => match ws_handshake::parse_request(&self.buf) {
                Ok(None) if self.eof => Step::Close,
                Ok(None) => Step::Read,
                Ok(Some((req, used))) => {
                    self.used = used;
                    Step::Route(req)
                }
                Err(e) => Step::Refuse(e.answer()),
            },
            Side::Client { key, own } => match ws_handshake::parse_response(&self.buf, key, *own) {
                Ok(None) if !self.eof => Step::Read,
                Ok(Some(used)) => Step::Open(self.buf.split_off(used)),
                Ok(None) | Err(_) => Step::Close,
            },
        }
    }

    /// The listener's answer to `req`, given the type of the socket bound
    /// to its path (None: no socket is). A request whose subprotocols
    /// name no peer of that socket is refused.
    pub fn answer(&mut self, req: &Request, route: Option<c_int>) -> Answer {
        let Some(own) = route else {
            return Answer::Refuse(ws_handshake::NOT_FOUND);
        };
        let Some(proto) = ws_handshake::choose_protocol(req, own) else {
            return Answer::Refuse(ws_handshake::BAD_REQUEST);
        };
        Answer::Open {
            response: ws_handshake::server_response(req, proto.as_deref()),
            leftover: self.buf.split_off(self.used.min(self.buf.len())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{NN_PAIR, NN_PUB, NN_REP, NN_REQ};

    fn request(path: &str, protocol: &str) -> String {
        format!(
            "GET {path} HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Protocol: {protocol}\r\n\r\n"
        )
    }

    /// A listener's answer to a client's request, taken as the response.
    fn respond(client_request: &str, own: c_int) -> String {
        let mut s = WsUpgrade::server();
        s.feed(client_request.as_bytes());
        let Step::Route(req) = s.step() else {
            panic!("request not complete");
        };
        match s.answer(&req, Some(own)) {
            Answer::Open { response, .. } => response,
            a => panic!("refused: {a:?}"),
        }
    }

    #[test]
    fn a_request_in_pieces_is_routed_once_complete_and_keeps_what_followed() {
        let mut s = WsUpgrade::server();
        let req = request("/a?x=1", "pair.sp.nanomsg.org");
        let (head, tail) = req.split_at(30);
        s.feed(head.as_bytes());
        assert_eq!(s.step(), Step::Read);
        assert!(s.wants_input());
        s.feed(tail.as_bytes());
        s.feed(b"\x82\x01x");
        let Step::Route(r) = s.step() else {
            panic!("not routed")
        };
        assert_eq!(r.path, "/a");
        match s.answer(&r, Some(NN_PAIR)) {
            Answer::Open { response, leftover } => {
                assert!(response.starts_with("HTTP/1.1 101 "));
                assert!(response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
                assert!(response.contains("Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n"));
                assert_eq!(leftover, b"\x82\x01x");
            }
            a => panic!("refused: {a:?}"),
        }
    }

    #[test]
    fn a_path_nobody_bound_is_404_and_a_wrong_protocol_400() {
        let mut s = WsUpgrade::server();
        s.feed(request("/", "pub.sp.nanomsg.org").as_bytes());
        let Step::Route(r) = s.step() else { panic!() };
        assert_eq!(s.answer(&r, None), Answer::Refuse(ws_handshake::NOT_FOUND));
        // A SUB dialer (it asks for a PUB) at a PAIR: not its peer.
        assert_eq!(
            s.answer(&r, Some(NN_PAIR)),
            Answer::Refuse(ws_handshake::BAD_REQUEST)
        );
        assert!(matches!(s.answer(&r, Some(NN_PUB)), Answer::Open { .. }));
    }

    #[test]
    fn garbage_an_sp_header_and_a_bad_version_are_refused_at_once() {
        for (bytes, answer) in [
            (
                &b"\x00SP\x00\x00\x10\x00\x00"[..],
                ws_handshake::BAD_REQUEST,
            ),
            (b"POST / HTTP/1.1\r\n", ws_handshake::BAD_REQUEST),
            (b"\xff\xfe", ws_handshake::BAD_REQUEST),
            (
                b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\
                  Sec-WebSocket-Key: k\r\nSec-WebSocket-Version: 8\r\n\r\n",
                ws_handshake::UPGRADE_REQUIRED,
            ),
        ] {
            let mut s = WsUpgrade::server();
            s.feed(bytes);
            assert_eq!(s.step(), Step::Refuse(answer), "{bytes:?}");
        }
    }

    #[test]
    fn an_endless_head_is_refused_once_past_the_limit() {
        let mut s = WsUpgrade::server();
        s.feed(b"GET / HTTP/1.1\r\n");
        let line = b"X-Filler: 0123456789012345678901234567890123456789\r\n";
        while s.wants_input() {
            s.feed(line);
            if s.step() != Step::Read {
                break;
            }
        }
        assert_eq!(s.step(), Step::Refuse(ws_handshake::BAD_REQUEST));
        assert!(s.buf.len() <= ws_handshake::MAX_HEAD + line.len());
    }

    #[test]
    fn a_hang_up_mid_head_closes_without_a_word_on_both_sides() {
        let mut s = WsUpgrade::server();
        s.feed(&request("/", "pair.sp.nanomsg.org").as_bytes()[..40]);
        assert_eq!(s.step(), Step::Read);
        s.hang_up();
        assert!(!s.wants_input());
        assert_eq!(s.step(), Step::Close);
        // Hung up before sending anything (a port scan).
        let mut s = WsUpgrade::server();
        s.hang_up();
        assert_eq!(s.step(), Step::Close);

        let (mut c, req) = WsUpgrade::client("h:1", "/", NN_PAIR);
        let resp = respond(&req, NN_PAIR);
        c.feed(&resp.as_bytes()[..resp.len() - 3]);
        assert_eq!(c.step(), Step::Read);
        c.hang_up();
        assert_eq!(c.step(), Step::Close);
    }

    #[test]
    fn a_dialer_opens_on_an_acceptance_of_its_own_key_only() {
        let (mut c, req) = WsUpgrade::client("h:1", "/p", NN_REQ);
        assert!(req.starts_with("GET /p HTTP/1.1\r\nHost: h:1\r\n"));
        let resp = respond(&req, NN_REP);
        c.feed(resp.as_bytes());
        c.feed(b"\x82\x00");
        assert_eq!(c.step(), Step::Open(b"\x82\x00".to_vec()));

        // The answer to another dialer's request (another key).
        let (mut c, _) = WsUpgrade::client("h:1", "/p", NN_REQ);
        c.feed(resp.as_bytes());
        assert_eq!(c.step(), Step::Close);

        // A refusal, and bytes that are no HTTP at all.
        for bytes in [
            ws_handshake::NOT_FOUND.as_bytes(),
            b"\x00SP\x00\x00\x30\x00\x00",
        ] {
            let (mut c, _) = WsUpgrade::client("h:1", "/", NN_PAIR);
            c.feed(bytes);
            assert_eq!(c.step(), Step::Close, "{bytes:?}");
        }
    }

    #[test]
    fn a_dialer_refuses_an_answer_naming_a_protocol_that_is_no_peer() {
        let (mut c, req) = WsUpgrade::client("h:1", "/", NN_REQ);
        // A listener that answers as PUB (the key right, the protocol not).
        let resp = respond(&req, NN_REP).replace("rep.sp.nanomsg.org", "pub.sp.nanomsg.org");
        c.feed(resp.as_bytes());
        assert_eq!(c.step(), Step::Close);
    }
}
