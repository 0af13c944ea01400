//! WebSocket framing (RFC 6455), sans I/O: bytes in, whole messages and
//! control frames out; frame headers for messages going out.
//!
//! One SP message is one WebSocket message (sp-websocket-mapping-01):
//! fragments are reassembled, pings are answered by the caller, client
//! frames are masked and server frames are not, and NN_RCVMAXSIZE is
//! checked against each frame's announced length before its payload is
//! buffered.

pub const OP_CONTINUATION: u8 = 0x0;
pub const OP_TEXT: u8 = 0x1;
pub const OP_BINARY: u8 = 0x2;
pub const OP_CLOSE: u8 = 0x8;
pub const OP_PING: u8 = 0x9;
pub const OP_PONG: u8 = 0xA;

/// Which end of the connection this is: clients mask, servers do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Client,
    Server,
}

#[derive(Debug, PartialEq, Eq)]
pub enum WsEvent {
    /// A complete data message.
    Message(Vec<u8>),
    /// A ping to answer with a pong carrying the same payload.
    Ping(Vec<u8>),
    /// The peer is closing (payload: status code and reason).
    Close(Vec<u8>),
}

#[derive(Debug, PartialEq, Eq)]
pub enum WsError {
    /// A frame that breaks RFC 6455 (reserved bits, bad opcode, unmasked
    /// client frame, fragmented control frame, …).
    Protocol(&'static str),
    /// A message longer than NN_RCVMAXSIZE.
    TooLarge,
}

pub struct WsDecoder {
    role: Role,
    max_size: Option<usize>,
    /// Received bytes not yet parsed, from `start`.
    buf: Vec<u8>,
    start: usize,
    /// The message being reassembled from fragments.
    partial: Vec<u8>,
    fragmented: bool,
}

impl WsDecoder {
    pub fn new(role: Role, max_size: Option<usize>) -> WsDecoder {
        WsDecoder {
            role,
            max_size,
            buf: Vec::new(),
            start: 0,
            partial: Vec::new(),
            fragmented: false,
        }
    }

    /// Consumes bytes, calling `out` for each message and control frame.
    pub fn feed(&mut self, data: &[u8], out: &mut dyn FnMut(WsEvent)) -> Result<(), WsError> {
        self.buf.extend_from_slice(data);
        while self.parse_one(out)? {}
        // Drop what was consumed.
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        Ok(())
    }

    /// Parses one frame if all of it is buffered; Ok(false) when more bytes
    /// are needed.
    fn parse_one(&mut self, out: &mut dyn FnMut(WsEvent)) -> Result<bool, WsError> {
        let b = &self.buf[self.start..];
        if b.len() < 2 {
            return Ok(false);
        }
        let fin = b[0] & 0x80 != 0;
        if b[0] & 0x70 != 0 {
            return Err(WsError::Protocol("reserved bits set"));
        }
        let opcode = b[0] & 0x0F;
        let masked = b[1] & 0x80 != 0;
        let mut len = u64::from(b[1] & 0x7F);
        let mut at = 2;
        if len == 126 {
            if b.len() < 4 {
                return Ok(false);
            }
            len = u64::from(u16::from_be_bytes([b[2], b[3]]));
            at = 4;
        } else if len == 127 {
            if b.len() < 10 {
                return Ok(false);
            }
            len = u64::from_be_bytes(b[2..10].try_into().expect("8 bytes"));
            at = 10;
        }
        match (self.role, masked) {
            (Role::Server, false) => return Err(WsError::Protocol("unmasked client frame")),
            (Role::Client, true) => return Err(WsError::Protocol("masked server frame")),
            _ => {}
        }
        let control = opcode & 0x8 != 0;
        if control && (!fin || len > 125) {
            return Err(WsError::Protocol("bad control frame"));
        }
        if !control {
            let total = self.partial.len() as u64 + len;
            if self.max_size.is_some_and(|m| total > m as u64) {
                return Err(WsError::TooLarge);
            }
        }
        let key_at = at;
        if masked {
            at += 4;
        }
        let len = usize::try_from(len).map_err(|_| WsError::TooLarge)?;
        if b.len() < at + len {
            return Ok(false);
        }
        let mut payload = b[at..at + len].to_vec();
        if masked {
            let key: [u8; 4] = b[key_at..key_at + 4].try_into().expect("4 bytes");
            apply_mask(&mut payload, key);
        }
        self.start += at + len;
        match opcode {
            OP_TEXT | OP_BINARY => {
                if self.fragmented {
                    return Err(WsError::Protocol("new message inside a fragmented one"));
                }
                if fin {
                    out(WsEvent::Message(payload));
                } else {
                    self.partial = payload;
                    self.fragmented = true;
                }
            }
            OP_CONTINUATION => {
                if !self.fragmented {
                    return Err(WsError::Protocol("continuation without a message"));
                }
                self.partial.extend_from_slice(&payload);
                if fin {
                    self.fragmented = false;
                    out(WsEvent::Message(std::mem::take(&mut self.partial)));
                }
            }
            OP_PING => out(WsEvent::Ping(payload)),
            OP_PONG => {}
            OP_CLOSE => out(WsEvent::Close(payload)),
            _ => return Err(WsError::Protocol("unknown opcode")),
        }
        Ok(true)
    }
}

/// XORs `data` with the 4-byte masking key (RFC 6455 section 5.3).
pub fn apply_mask(data: &mut [u8], key: [u8; 4]) {
    for (i, b) in data.iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
}

/// The header of one final frame of `len` payload bytes; with a key, the
/// payload must be masked with it. Returns the buffer and its used length.
pub fn frame_header(opcode: u8, len: usize, mask: Option<[u8; 4]>) -> ([u8; 14], usize) {
    let mut h = [0u8; 14];
    h[0] = 0x80 | opcode;
    let mbit = if mask.is_some() { 0x80 } else { 0 };
    let mut n = if len < 126 {
        h[1] = mbit | len as u8;
        2
    } else if len <= 0xFFFF {
        h[1] = mbit | 126;
        h[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        4
    } else {
        h[1] = mbit | 127;
        h[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    if let Some(k) = mask {
        h[n..n + 4].copy_from_slice(&k);
        n += 4;
    }
    (h, n)
}

/// A fresh masking key. Keys need only be unpredictable to the page
/// script of a browser (RFC 6455 10.3); a time-seeded xorshift suffices.
pub fn mask_key() -> [u8; 4] {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(seed());
    }
    fn seed() -> u64 {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        t ^ (std::process::id() as u64).rotate_left(32) | 1
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x as u32).to_ne_bytes()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(opcode: u8, fin: bool, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
        let (h, n) = frame_header(opcode, payload.len(), mask);
        let mut v = h[..n].to_vec();
        if !fin {
            v[0] &= 0x7F;
        }
        let mut p = payload.to_vec();
        if let Some(k) = mask {
            apply_mask(&mut p, k);
        }
        v.extend(p);
        v
    }

    fn decode(
        role: Role,
        max: Option<usize>,
        bytes: &[u8],
        step: usize,
    ) -> Result<Vec<WsEvent>, WsError> {
        let mut d = WsDecoder::new(role, max);
        let mut v = Vec::new();
        for piece in bytes.chunks(step) {
            d.feed(piece, &mut |e| v.push(e))?;
        }
        Ok(v)
    }

    #[test]
    fn masked_client_frames_decode_on_the_server() {
        let k = Some([1, 2, 3, 4]);
        let mut bytes = frame(OP_BINARY, true, b"hello", k);
        bytes.extend(frame(OP_BINARY, true, &vec![7u8; 70000], k));
        for step in [1, 5, 1000, 100000] {
            let v = decode(Role::Server, None, &bytes, step).unwrap();
            assert_eq!(v[0], WsEvent::Message(b"hello".to_vec()));
            assert_eq!(v[1], WsEvent::Message(vec![7u8; 70000]));
        }
    }

    #[test]
    fn fragments_are_reassembled_around_control_frames() {
        let mut bytes = frame(OP_BINARY, false, b"ab", None);
        bytes.extend(frame(OP_PING, true, b"p", None));
        bytes.extend(frame(OP_CONTINUATION, false, b"cd", None));
        bytes.extend(frame(OP_CONTINUATION, true, b"e", None));
        let v = decode(Role::Client, None, &bytes, 3).unwrap();
        assert_eq!(
            v,
            vec![
                WsEvent::Ping(b"p".to_vec()),
                WsEvent::Message(b"abcde".to_vec())
            ]
        );
    }

    #[test]
    fn role_rules_and_limits_are_enforced() {
        assert!(matches!(
            decode(Role::Server, None, &frame(OP_BINARY, true, b"x", None), 9),
            Err(WsError::Protocol(_))
        ));
        assert!(matches!(
            decode(
                Role::Client,
                None,
                &frame(OP_BINARY, true, b"x", Some([9; 4])),
                9
            ),
            Err(WsError::Protocol(_))
        ));
        let big = frame(OP_BINARY, true, &[0u8; 200], None);
        // Refused from the header alone, before the payload arrives.
        assert_eq!(
            decode(Role::Client, Some(100), &big[..4], 4),
            Err(WsError::TooLarge)
        );
        let mut two = frame(OP_BINARY, false, &[0u8; 60], None);
        two.extend(frame(OP_CONTINUATION, true, &[0u8; 60], None));
        assert_eq!(
            decode(Role::Client, Some(100), &two, 7),
            Err(WsError::TooLarge)
        );
        assert!(matches!(
            decode(Role::Client, None, &[0x83, 0], 2),
            Err(WsError::Protocol(_))
        ));
        assert!(matches!(
            decode(
                Role::Client,
                None,
                &frame(OP_CONTINUATION, true, b"x", None),
                2
            ),
            Err(WsError::Protocol(_))
        ));
    }

    #[test]
    fn close_frames_are_reported() {
        let v = decode(
            Role::Client,
            None,
            &frame(OP_CLOSE, true, &[3, 232], None),
            1,
        )
        .unwrap();
        assert_eq!(v, vec![WsEvent::Close(vec![3, 232])]);
    }
}
