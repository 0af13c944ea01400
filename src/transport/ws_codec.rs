//! WebSocket framing (RFC 6455), sans I/O: bytes in, whole messages and
//! control frames out; frame headers for messages going out.
//!
//! One SP message is one WebSocket message (sp-websocket-mapping-01):
//! fragments are reassembled, pings are answered by the caller, client
//! frames are masked and server frames are not, and NN_RCVMAXSIZE is
//! checked against each frame's announced length before its payload is
//! buffered.
//!
//! (Over 500 lines only with its unit tests, which start at `mod tests`:
//! the codec is about 320 lines.)

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

/// The longest frame header: 2 bytes, a 64-bit length, a masking key.
const MAX_FRAME_HEADER: usize = 14;

/// What the decoder keeps reserved for a message ahead of its bytes: a
/// frame's announced length is the peer's claim, so memory follows the
/// bytes that actually arrive, not the claim.
const RESERVE_AHEAD: usize = 256 * 1024;

/// The frame whose payload is being read.
struct Frame {
    opcode: u8,
    fin: bool,
    /// Payload bytes still to come.
    left: usize,
    mask: Option<[u8; 4]>,
    /// Payload bytes already unmasked (selects the key byte).
    done: usize,
}

/// Decodes a stream of frames, one header or payload piece at a time: it
/// never buffers more of a frame than has arrived, and never trusts a
/// length before checking it (RFC 6455 5.2: a 64-bit length has its top
/// bit clear; control frames are short and final; a message stays within
/// NN_RCVMAXSIZE, counting every fragment).
pub struct WsDecoder {
    role: Role,
    max_size: Option<usize>,
    /// The header being read and how much of it has arrived.
    head: [u8; MAX_FRAME_HEADER],
    head_got: usize,
    frame: Option<Frame>,
    /// The data message being assembled, across its fragments.
    message: Vec<u8>,
    /// A data frame without FIN opened a message that continuations finish.
    fragmented: bool,
    /// The payload of the control frame being read (at most 125 bytes).
    control: Vec<u8>,
}

impl WsDecoder {
    pub fn new(role: Role, max_size: Option<usize>) -> WsDecoder {
        WsDecoder {
            role,
            max_size,
            head: [0; MAX_FRAME_HEADER],
            head_got: 0,
            frame: None,
            message: Vec::new(),
            fragmented: false,
            control: Vec::new(),
        }
    }

    /// Changes NN_RCVMAXSIZE for the messages that start from now on.
    pub fn set_max_size(&mut self, max_size: Option<usize>) {
        self.max_size = max_size;
    }

    /// Consumes bytes, calling `out` for each message and control frame.
    /// Events reported before an error stand: the caller delivers them.
    pub fn feed(&mut self, mut data: &[u8], out: &mut dyn FnMut(WsEvent)) -> Result<(), WsError> {
        loop {
            if self.frame.is_none() {
                let used = self.read_header(data)?;
                data = &data[used..];
                if self.frame.is_none() {
                    return Ok(());
                }
            }
            let frame = self.frame.as_mut().expect("a frame is open");
            let n = frame.left.min(data.len());
            let piece = &data[..n];
            data = &data[n..];
            let target = if frame.opcode & 0x8 != 0 {
                &mut self.control
            } else {
                &mut self.message
            };
            let at = target.len();
            target.extend_from_slice(piece);
            if let Some(key) = frame.mask {
                apply_mask_from(&mut target[at..], key, frame.done);
            }
            frame.done += n;
            frame.left -= n;
            if frame.left > 0 {
                return Ok(());
            }
            let frame = self.frame.take().expect("a frame is open");
            self.finish(frame, out);
        }
    }

    /// Takes header bytes from `data` (returns how many); opens the frame
    /// once its header is complete and valid.
    fn read_header(&mut self, data: &[u8]) -> Result<usize, WsError> {
        let mut used = 0;
        loop {
            let needed = self.header_len();
            if self.head_got == needed {
                break;
            }
            if used == data.len() {
                return Ok(used);
            }
            let n = (needed - self.head_got).min(data.len() - used);
            self.head[self.head_got..self.head_got + n].copy_from_slice(&data[used..used + n]);
            self.head_got += n;
            used += n;
            if self.head_got == 2 {
                self.check_first_bytes()?;
            }
        }
        let h = &self.head;
        let short = u64::from(h[1] & 0x7F);
        let (len, key_at) = match short {
            126 => (u64::from(u16::from_be_bytes([h[2], h[3]])), 4),
            127 => (
                u64::from_be_bytes(h[2..10].try_into().expect("8 bytes")),
                10,
            ),
            n => (n, 2),
        };
        if len >> 63 != 0 {
            return Err(WsError::Protocol("64-bit length with the top bit set"));
        }
        let opcode = h[0] & 0x0F;
        let control = opcode & 0x8 != 0;
        if !control {
            let total = (self.message.len() as u64).saturating_add(len);
            if self.max_size.is_some_and(|m| total > m as u64) {
                return Err(WsError::TooLarge);
            }
        }
        let left = usize::try_from(len).map_err(|_| WsError::TooLarge)?;
        let mask = (h[1] & 0x80 != 0).then(|| h[key_at..key_at + 4].try_into().expect("4 bytes"));
        if control {
            self.control.clear();
        } else {
            self.message.reserve(left.min(RESERVE_AHEAD));
        }
        self.frame = Some(Frame {
            opcode,
            fin: h[0] & 0x80 != 0,
            left,
            mask,
            done: 0,
        });
        self.head_got = 0;
        Ok(used)
    }

    /// The full length of the header being read, as far as its first two
    /// bytes tell (2 until they have arrived).
    fn header_len(&self) -> usize {
        if self.head_got < 2 {
            return 2;
        }
        let ext = match self.head[1] & 0x7F {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        let key = if self.head[1] & 0x80 != 0 { 4 } else { 0 };
        2 + ext + key
    }

    /// The checks the first two header bytes allow, before any more is read.
    fn check_first_bytes(&self) -> Result<(), WsError> {
        let (b0, b1) = (self.head[0], self.head[1]);
        if b0 & 0x70 != 0 {
            return Err(WsError::Protocol("reserved bits set"));
        }
        let fin = b0 & 0x80 != 0;
        let opcode = b0 & 0x0F;
        match (self.role, b1 & 0x80 != 0) {
            (Role::Server, false) => return Err(WsError::Protocol("unmasked client frame")),
            (Role::Client, true) => return Err(WsError::Protocol("masked server frame")),
            _ => {}
        }
        match opcode {
            OP_TEXT | OP_BINARY if self.fragmented => {
                Err(WsError::Protocol("new message inside a fragmented one"))
            }
            OP_CONTINUATION if !self.fragmented => {
                Err(WsError::Protocol("continuation without a message"))
            }
            OP_TEXT | OP_BINARY | OP_CONTINUATION => Ok(()),
            OP_CLOSE | OP_PING | OP_PONG if !fin || b1 & 0x7F > 125 => {
                Err(WsError::Protocol("bad control frame"))
            }
            OP_CLOSE | OP_PING | OP_PONG => Ok(()),
            _ => Err(WsError::Protocol("unknown opcode")),
        }
    }

    /// A frame's payload is complete.
    fn finish(&mut self, frame: Frame, out: &mut dyn FnMut(WsEvent)) {
        match frame.opcode {
            OP_TEXT | OP_BINARY | OP_CONTINUATION => {
                self.fragmented = !frame.fin;
                if frame.fin {
                    out(WsEvent::Message(std::mem::take(&mut self.message)));
                }
            }
            OP_PING => out(WsEvent::Ping(std::mem::take(&mut self.control))),
            OP_CLOSE => out(WsEvent::Close(std::mem::take(&mut self.control))),
            _ => {} // a pong: nothing to do
        }
    }
}

/// XORs `data` with the 4-byte masking key (RFC 6455 section 5.3).
pub fn apply_mask(data: &mut [u8], key: [u8; 4]) {
    apply_mask_from(data, key, 0);
}

/// XORs `data`, which starts `offset` bytes into a payload, with the key.
fn apply_mask_from(data: &mut [u8], key: [u8; 4], offset: usize) {
    let mut k = key;
    k.rotate_left(offset % 4);
    // Eight bytes at a time: the key repeats every four.
    let wide = u64::from_ne_bytes([k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]]);
    let mut words = data.chunks_exact_mut(8);
    for w in &mut words {
        let x = u64::from_ne_bytes((&*w).try_into().expect("8 bytes")) ^ wide;
        w.copy_from_slice(&x.to_ne_bytes());
    }
    for (i, b) in words.into_remainder().iter_mut().enumerate() {
        *b ^= k[i & 3];
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

    fn frame64(first: u8, len: u64, key: [u8; 4]) -> Vec<u8> {
        let mut v = vec![first, 0x80 | 127];
        v.extend(len.to_be_bytes());
        v.extend(key);
        v
    }

    /// Issue 18: a 1-byte fragment, then a continuation announcing
    /// 2^64-1 bytes. The sum once wrapped round past the limit check and
    /// the slice index panicked.
    #[test]
    fn lengths_that_overflow_are_refused() {
        let k = [1, 2, 3, 4];
        let mut bytes = frame(OP_BINARY, false, b"x", Some(k));
        bytes.extend(frame64(0x80, u64::MAX, k));
        for max in [Some(1 << 20), None] {
            assert!(decode(Role::Server, max, &bytes, 64).is_err(), "{max:?}");
        }
        for len in [u64::MAX, 1 << 63] {
            assert_eq!(
                decode(Role::Server, None, &frame64(0x82, len, k), 64),
                Err(WsError::Protocol("64-bit length with the top bit set"))
            );
        }
        // A huge but legal length waits for its bytes, holding only those.
        let mut d = WsDecoder::new(Role::Server, None);
        let mut head = frame64(0x82, 1 << 40, k);
        head.extend([0u8; 1000]);
        d.feed(&head, &mut |_| panic!("no message yet")).unwrap();
        assert!(d.message.capacity() <= RESERVE_AHEAD + 1000);
        assert_eq!(
            decode(Role::Server, Some(1 << 30), &frame64(0x82, 1 << 40, k), 64),
            Err(WsError::TooLarge)
        );
    }

    #[test]
    fn any_split_and_any_mask_offset_decode_the_same() {
        let k = Some([0xA1, 0xB2, 0xC3, 0xD4]);
        let body: Vec<u8> = (0..300u32).map(|i| (i * 7) as u8).collect();
        let mut bytes = frame(OP_BINARY, false, &body[..13], k);
        bytes.extend(frame(OP_PING, true, b"ping!", k));
        bytes.extend(frame(OP_CONTINUATION, false, &[], k));
        bytes.extend(frame(OP_CONTINUATION, true, &body[13..], k));
        bytes.extend(frame(OP_BINARY, true, &[], k));
        for step in 1..=40 {
            let v = decode(Role::Server, Some(300), &bytes, step).unwrap();
            assert_eq!(
                v,
                vec![
                    WsEvent::Ping(b"ping!".to_vec()),
                    WsEvent::Message(body.clone()),
                    WsEvent::Message(Vec::new()),
                ],
                "step {step}"
            );
        }
        assert_eq!(
            decode(Role::Server, Some(299), &bytes, 7),
            Err(WsError::TooLarge)
        );
    }

    #[test]
    fn events_before_an_error_are_reported() {
        let mut bytes = frame(OP_BINARY, true, b"kept", None);
        bytes.extend([0x83, 0]);
        let mut d = WsDecoder::new(Role::Client, None);
        let mut v = Vec::new();
        assert!(d.feed(&bytes, &mut |e| v.push(e)).is_err());
        assert_eq!(v, vec![WsEvent::Message(b"kept".to_vec())]);
    }
}
