//! The WebSocket opening handshake (RFC 6455 section 4) for SP, sans I/O.
//!
//! The dialer offers `Sec-WebSocket-Protocol: <name>.sp.nanomsg.org` naming
//! the protocol it expects the listener to speak (a REQ dialer offers
//! `rep.sp.nanomsg.org`), and the listener echoes it. A listener also takes
//! an offer naming the dialer's own protocol, which some clients send.

use std::os::raw::c_int;

use base64::Engine as _;

use crate::abi;

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// Largest HTTP head accepted; more is an attack or a mistake.
pub const MAX_HEAD: usize = 8192;
const MAX_HEADERS: usize = 32;

/// The subprotocol name of a socket type.
pub fn protocol_name(protocol: c_int) -> Option<&'static str> {
    Some(match protocol {
        abi::NN_PAIR => "pair",
        abi::NN_PUB => "pub",
        abi::NN_SUB => "sub",
        abi::NN_REQ => "req",
        abi::NN_REP => "rep",
        abi::NN_PUSH => "push",
        abi::NN_PULL => "pull",
        abi::NN_SURVEYOR => "surveyor",
        abi::NN_RESPONDENT => "respondent",
        abi::NN_BUS => "bus",
        _ => return None,
    })
}

fn subprotocol(protocol: c_int) -> String {
    format!(
        "{}.sp.nanomsg.org",
        protocol_name(protocol).unwrap_or("unknown")
    )
}

fn protocol_of(sub: &str) -> Option<c_int> {
    let name = sub.trim().strip_suffix(".sp.nanomsg.org")?;
    crate::protocol::ALL
        .iter()
        .copied()
        .find(|&p| protocol_name(p) == Some(name))
}

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
pub fn accept_key(key: &str) -> String {
    let mut h = sha1_smol::Sha1::new();
    h.update(key.trim().as_bytes());
    h.update(GUID.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(h.digest().bytes())
}

/// A fresh Sec-WebSocket-Key.
pub fn new_key() -> String {
    let mut k = [0u8; 16];
    for c in k.chunks_mut(4) {
        c.copy_from_slice(&super::ws_codec::mask_key());
    }
    base64::engine::general_purpose::STANDARD.encode(k)
}

/// The dialer's upgrade request, for a socket of type `own`.
pub fn client_request(host: &str, path: &str, key: &str, own: c_int) -> String {
    let offer = subprotocol(crate::protocol::peer_of(own));
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {offer}\r\n\r\n"
    )
}

/// An upgrade request as the listener reads it.
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    pub path: String,
    pub key: String,
    pub protocols: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum HandshakeError {
    /// Not a WebSocket upgrade this side can accept (answered with 400).
    BadRequest,
    /// The head grew past MAX_HEAD.
    TooLong,
}

fn header<'a>(headers: &'a [httparse::Header<'a>], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .and_then(|h| std::str::from_utf8(h.value).ok())
}

fn has_token(value: Option<&str>, token: &str) -> bool {
    value.is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

/// Parses a request head; Ok(None) while incomplete, else the request and
/// the bytes it used.
pub fn parse_request(buf: &[u8]) -> Result<Option<(Request, usize)>, HandshakeError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let used = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Err(HandshakeError::TooLong)
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(HandshakeError::BadRequest),
    };
    let h = &*req.headers;
    if req.method != Some("GET")
        || !has_token(header(h, "Upgrade"), "websocket")
        || !has_token(header(h, "Connection"), "upgrade")
        || header(h, "Sec-WebSocket-Version").map(str::trim) != Some("13")
    {
        return Err(HandshakeError::BadRequest);
    }
    let key = header(h, "Sec-WebSocket-Key")
        .ok_or(HandshakeError::BadRequest)?
        .trim()
        .to_string();
    let protocols = header(h, "Sec-WebSocket-Protocol")
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let path = req.path.unwrap_or("/").to_string();
    Ok(Some((
        Request {
            path,
            key,
            protocols,
        },
        used,
    )))
}

/// The subprotocol a listener of type `own` answers a request with, if it
/// accepts one of those offered.
pub fn choose_protocol(req: &Request, own: c_int) -> Option<String> {
    let mine = subprotocol(own);
    if req.protocols.contains(&mine) {
        return Some(mine);
    }
    req.protocols
        .iter()
        .find(|p| protocol_of(p).is_some_and(|peer| crate::protocol::is_valid_peer(own, peer)))
        .cloned()
}

pub fn server_response(req: &Request, protocol: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: {protocol}\r\n\r\n",
        accept_key(&req.key)
    )
}

pub const BAD_REQUEST: &str =
    "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
pub const NOT_FOUND: &str =
    "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/// Checks the listener's answer to our request; Ok(None) while incomplete,
/// else the bytes it used.
pub fn parse_response(buf: &[u8], key: &str, own: c_int) -> Result<Option<usize>, HandshakeError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let used = match resp.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
            return Err(HandshakeError::TooLong)
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(HandshakeError::BadRequest),
    };
    let h = &*resp.headers;
    let accepted =
        header(h, "Sec-WebSocket-Accept").map(str::trim) == Some(accept_key(key).as_str());
    let proto_ok = header(h, "Sec-WebSocket-Protocol")
        .and_then(protocol_of)
        .is_some_and(|p| p == crate::protocol::peer_of(own) || p == own);
    if resp.code != Some(101) || !accepted || !proto_ok {
        return Err(HandshakeError::BadRequest);
    }
    Ok(Some(used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_key_matches_rfc_example() {
        assert_eq!(
            accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn request_and_response_round_trip() {
        let key = new_key();
        let req = client_request("127.0.0.1:5555", "/a/b", &key, abi::NN_REQ);
        assert!(req.contains("Sec-WebSocket-Protocol: rep.sp.nanomsg.org"));
        let (parsed, used) = parse_request(req.as_bytes()).unwrap().unwrap();
        assert_eq!(used, req.len());
        assert_eq!(parsed.path, "/a/b");
        let chosen = choose_protocol(&parsed, abi::NN_REP).unwrap();
        assert_eq!(chosen, "rep.sp.nanomsg.org");
        assert_eq!(choose_protocol(&parsed, abi::NN_PUB), None);
        let resp = server_response(&parsed, &chosen);
        assert_eq!(
            parse_response(resp.as_bytes(), &key, abi::NN_REQ),
            Ok(Some(resp.len()))
        );
        assert_eq!(
            parse_response(resp.as_bytes(), "other", abi::NN_REQ),
            Err(HandshakeError::BadRequest)
        );
    }

    #[test]
    fn an_offer_of_the_dialers_own_protocol_is_taken() {
        let req = Request {
            path: "/".into(),
            key: "k".into(),
            protocols: vec!["req.sp.nanomsg.org".into()],
        };
        assert_eq!(
            choose_protocol(&req, abi::NN_REP).as_deref(),
            Some("req.sp.nanomsg.org")
        );
    }

    #[test]
    fn malformed_heads_are_refused() {
        assert_eq!(parse_request(b"GET / HTTP/1.1\r\nHost: x\r\n"), Ok(None));
        assert_eq!(
            parse_request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            Err(HandshakeError::BadRequest)
        );
        assert_eq!(
            parse_request(b"\x00SP\x00\x00\x10\x00\x00"),
            Err(HandshakeError::BadRequest)
        );
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(9000));
        assert_eq!(parse_request(long.as_bytes()), Err(HandshakeError::TooLong));
    }
}
