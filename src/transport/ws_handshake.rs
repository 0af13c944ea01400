//! The WebSocket opening handshake (RFC 6455 section 4) for SP, sans I/O.
//!
//! The dialer offers `Sec-WebSocket-Protocol: <name>.sp.nanomsg.org` naming
//! the protocol it expects the listener to speak (a REQ dialer offers
//! `rep.sp.nanomsg.org`), and the listener echoes it. A listener also takes
//! an offer naming the dialer's own protocol, which some clients send.
//!
//! (Over 500 lines only with its unit tests, which start at `mod tests`:
//! the handshake code is about 300 lines.)

use std::os::raw::c_int;

use base64::Engine as _;

use crate::abi;

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// Largest HTTP head accepted; more is an attack or a mistake. Proxies in
/// front of a listener add headers (X-Forwarded-*, tracing, cookies), so
/// the limits leave room well past what a browser sends (about 15).
pub const MAX_HEAD: usize = 16384;
const MAX_HEADERS: usize = 128;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The path asked for, without its query; `/` for an empty target
    /// (nng's dialer sends `GET  HTTP/1.1` for a URL without a path) and
    /// for an absolute URL's missing path.
    pub path: String,
    pub key: String,
    /// The subprotocols offered, in order, from every
    /// Sec-WebSocket-Protocol line.
    pub protocols: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum HandshakeError {
    /// Not a WebSocket upgrade this side can accept (answered with 400).
    BadRequest,
    /// A WebSocket version other than 13 (answered with 426, naming 13).
    BadVersion,
    /// The head grew past MAX_HEAD.
    TooLong,
}

impl HandshakeError {
    /// The HTTP answer a listener gives before closing.
    pub fn answer(&self) -> &'static str {
        match self {
            HandshakeError::BadVersion => UPGRADE_REQUIRED,
            HandshakeError::BadRequest | HandshakeError::TooLong => BAD_REQUEST,
        }
    }
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

/// The request line: `GET <target> HTTP/1.x`, x >= 1 (RFC 6455 4.1). The
/// target may be empty. Returns the target.
fn request_line(line: &[u8]) -> Result<&str, HandshakeError> {
    let line = std::str::from_utf8(line).map_err(|_| HandshakeError::BadRequest)?;
    let rest = line
        .strip_prefix("GET ")
        .ok_or(HandshakeError::BadRequest)?;
    let (target, version) = rest.rsplit_once(' ').ok_or(HandshakeError::BadRequest)?;
    let minor = version
        .strip_prefix("HTTP/1.")
        .ok_or(HandshakeError::BadRequest)?;
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) || minor == "0" {
        return Err(HandshakeError::BadRequest);
    }
    let target = target.trim_matches(' ');
    if target
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(HandshakeError::BadRequest);
    }
    // Origin form (`/a`), absolute form (`ws://h/a`), or empty (nng's
    // dialer without a path); anything else (`*`, `a/b`) names no route
    // (RFC 7230 5.3; found by fuzz/ws_handshake: it reached the catch-all).
    if !(target.is_empty() || target.starts_with('/') || target.contains("://")) {
        return Err(HandshakeError::BadRequest);
    }
    Ok(target)
}

/// The path of a request target (origin form `/a?b`, absolute form
/// `http://host/a?b`, or empty), without the query: the route a request
/// is served by. A bound path is turned into its route by the same
/// function (ws::bind), so the two always agree.
pub fn target_path(target: &str) -> String {
    // Origin form starts with `/`, and may itself hold `://` (`/a/http://b`);
    // only a target that does not is read as an absolute URL.
    let path = match target.split_once("://") {
        Some((_, after)) if !target.starts_with('/') => {
            after.find('/').map_or("/", |i| &after[i..])
        }
        _ => target,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() {
        "/".to_string()
    } else {
        path.to_string()
    }
}

/// Parses a request head; Ok(None) while incomplete, else the request and
/// the bytes it used. What RFC 6455 allows is taken: header names in any
/// case, `Connection: keep-alive, Upgrade`, several subprotocols on one
/// line or several, any other headers.
pub fn parse_request(buf: &[u8]) -> Result<Option<(Request, usize)>, HandshakeError> {
    let incomplete = || {
        if buf.len() > MAX_HEAD {
            Err(HandshakeError::TooLong)
        } else {
            Ok(None)
        }
    };
    // Anything but a GET is refused from its first bytes (an SP header
    // sent to a ws port, say), not after the timeout.
    let n = buf.len().min(4);
    if buf[..n] != b"GET "[..n] {
        return Err(HandshakeError::BadRequest);
    }
    let Some(eol) = buf.windows(2).position(|w| w == b"\r\n") else {
        return incomplete();
    };
    let target = request_line(&buf[..eol])?;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let (used, h) = match httparse::parse_headers(&buf[eol + 2..], &mut headers) {
        Ok(httparse::Status::Complete((n, h))) => (eol + 2 + n, h),
        Ok(httparse::Status::Partial) => return incomplete(),
        Err(_) => return Err(HandshakeError::BadRequest),
    };
    if used > MAX_HEAD {
        return Err(HandshakeError::TooLong);
    }
    if !has_token(header(h, "Upgrade"), "websocket")
        || !has_token(header(h, "Connection"), "upgrade")
    {
        return Err(HandshakeError::BadRequest);
    }
    if header(h, "Sec-WebSocket-Version").map(str::trim) != Some("13") {
        return Err(HandshakeError::BadVersion);
    }
    let key = header(h, "Sec-WebSocket-Key")
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or(HandshakeError::BadRequest)?
        .to_string();
    let protocols = h
        .iter()
        .filter(|x| x.name.eq_ignore_ascii_case("Sec-WebSocket-Protocol"))
        .filter_map(|x| std::str::from_utf8(x.value).ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    Ok(Some((
        Request {
            path: target_path(target),
            key,
            protocols,
        },
        used,
    )))
}

/// What a listener of type `own` answers a request with: Some(subprotocol
/// to echo), Some(None) when none was offered (a browser's
/// `new WebSocket(url)`: the peer is taken to speak a matching protocol,
/// and the answer names none, as RFC 6455 requires), or None to refuse.
pub fn choose_protocol(req: &Request, own: c_int) -> Option<Option<String>> {
    if req.protocols.is_empty() {
        return Some(None);
    }
    let mine = subprotocol(own);
    if req.protocols.contains(&mine) {
        return Some(Some(mine));
    }
    req.protocols
        .iter()
        .find(|p| protocol_of(p).is_some_and(|peer| crate::protocol::is_valid_peer(own, peer)))
        .cloned()
        .map(Some)
}

pub fn server_response(req: &Request, protocol: Option<&str>) -> String {
    let protocol = protocol
        .map(|p| format!("Sec-WebSocket-Protocol: {p}\r\n"))
        .unwrap_or_default();
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n{protocol}\r\n",
        accept_key(&req.key)
    )
}

pub const BAD_REQUEST: &str =
    "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
pub const UPGRADE_REQUIRED: &str = "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\
     Connection: close\r\nContent-Length: 0\r\n\r\n";
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
        assert_eq!(chosen.as_deref(), Some("rep.sp.nanomsg.org"));
        assert_eq!(choose_protocol(&parsed, abi::NN_PUB), None);
        let resp = server_response(&parsed, chosen.as_deref());
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
            choose_protocol(&req, abi::NN_REP),
            Some(Some("req.sp.nanomsg.org".to_string()))
        );
    }

    fn request(line: &str, headers: &[&str]) -> Vec<u8> {
        let mut v = format!("{line}\r\n").into_bytes();
        for h in headers {
            v.extend(format!("{h}\r\n").into_bytes());
        }
        v.extend(b"\r\n");
        v
    }

    const UPGRADE: [&str; 4] = [
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ];

    /// A request that came through proxies: a hundred extra headers and a
    /// 12 KiB head (once refused past 64 headers).
    #[test]
    fn a_request_with_many_headers_is_accepted() {
        let extra: Vec<String> = (0..100)
            .map(|i| format!("X-Forwarded-Hop-{i}: {}", "v".repeat(80)))
            .collect();
        let mut h: Vec<&str> = UPGRADE.to_vec();
        h.extend(extra.iter().map(String::as_str));
        let bytes = request("GET /svc HTTP/1.1", &h);
        assert!(bytes.len() > 8192);
        let (req, used) = parse_request(&bytes).unwrap().unwrap();
        assert_eq!((req.path.as_str(), used), ("/svc", bytes.len()));
    }

    /// A target that is neither a path nor a URL is refused (it reached
    /// the catch-all route as a path without `/`; found by fuzz).
    #[test]
    fn targets_that_are_no_path_are_refused() {
        for line in [
            "GET HTTP/1.1T HTTP/1.1",
            "GET * HTTP/1.1",
            "GET a/b HTTP/1.1",
        ] {
            let bytes = request(line, &UPGRADE);
            assert_eq!(
                parse_request(&bytes),
                Err(HandshakeError::BadRequest),
                "{line}"
            );
        }
    }

    /// Every form of upgrade request RFC 6455 allows, as browsers, nng and
    /// mangos send them, is taken.
    #[test]
    fn requests_browsers_and_nng_send_are_accepted() {
        let parse = |line: &str, extra: &[&str]| {
            let mut h: Vec<&str> = UPGRADE.to_vec();
            h.extend(extra);
            let bytes = request(line, &h);
            let (req, used) = parse_request(&bytes).unwrap().unwrap();
            assert_eq!(used, bytes.len());
            req
        };
        // nng: an empty target for a URL without a path.
        assert_eq!(parse("GET  HTTP/1.1", &[]).path, "/");
        assert_eq!(parse("GET / HTTP/1.1", &[]).path, "/");
        assert_eq!(parse("GET /a/b?x=1 HTTP/1.1", &[]).path, "/a/b");
        assert_eq!(parse("GET http://h:1/p?q HTTP/1.1", &[]).path, "/p");
        assert_eq!(parse("GET http://h:1 HTTP/1.1", &[]).path, "/");
        // Chromium: an Origin, extensions offered, any other headers.
        let chromium = parse(
            "GET / HTTP/1.1",
            &[
                "Host: 127.0.0.1:5555",
                "Origin: http://127.0.0.1:8000",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
                "Sec-WebSocket-Protocol: pair.sp.nanomsg.org",
                "User-Agent: Mozilla/5.0",
                "Cache-Control: no-cache",
            ],
        );
        assert_eq!(chromium.protocols, ["pair.sp.nanomsg.org"]);
        // Several subprotocols, on one line or several.
        let several = parse(
            "GET / HTTP/1.1",
            &[
                "Sec-WebSocket-Protocol: chat, superchat",
                "sec-websocket-protocol: pair.sp.nanomsg.org",
            ],
        );
        assert_eq!(
            several.protocols,
            ["chat", "superchat", "pair.sp.nanomsg.org"]
        );
        assert_eq!(
            choose_protocol(&several, abi::NN_PAIR),
            Some(Some("pair.sp.nanomsg.org".to_string()))
        );
        // Header names in any case, Connection with other tokens.
        let bytes = request(
            "GET / HTTP/1.1",
            &[
                "upgrade: WebSocket",
                "CONNECTION: keep-alive, Upgrade",
                "sec-websocket-key: abc",
                "sec-websocket-version: 13",
            ],
        );
        assert!(parse_request(&bytes).unwrap().is_some());
        // No subprotocol offered: taken, and the answer names none.
        let none = parse("GET / HTTP/1.1", &[]);
        assert_eq!(choose_protocol(&none, abi::NN_PAIR), Some(None));
        assert!(!server_response(&none, None).contains("Sec-WebSocket-Protocol"));
    }

    #[test]
    fn requests_rfc_6455_forbids_are_refused() {
        let h = UPGRADE.to_vec();
        for line in [
            "POST / HTTP/1.1",
            "GET / HTTP/1.0",
            "GET / HTTP/2",
            "GET /a b HTTP/1.1",
        ] {
            assert_eq!(
                parse_request(&request(line, &h)),
                Err(HandshakeError::BadRequest),
                "{line}"
            );
        }
        let v12 = request(
            "GET / HTTP/1.1",
            &[&h[..3], &["Sec-WebSocket-Version: 12"]].concat(),
        );
        assert_eq!(parse_request(&v12), Err(HandshakeError::BadVersion));
        assert!(HandshakeError::BadVersion
            .answer()
            .contains("Sec-WebSocket-Version: 13"));
        let no_key = request("GET / HTTP/1.1", &[h[0], h[1], h[3]]);
        assert_eq!(parse_request(&no_key), Err(HandshakeError::BadRequest));
        let offers = Request {
            path: "/".into(),
            key: "k".into(),
            protocols: vec!["chat".into(), "rep.sp.nanomsg.org".into()],
        };
        assert_eq!(choose_protocol(&offers, abi::NN_PAIR), None);
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
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(MAX_HEAD + 1));
        assert_eq!(parse_request(long.as_bytes()), Err(HandshakeError::TooLong));
    }
}
