//! The SP stream wire format shared by tcp:// and ipc:// (sp-tcp-mapping-01,
//! sp-ipc-mapping-01), sans I/O: bytes in, handshakes and messages out.
//!
//! Each side first sends `00 'S' 'P' 00`, its protocol id (16-bit big
//! endian) and two zero bytes. Then every TCP message is a 64-bit big-endian
//! length and the body; every IPC message is a type byte (1 = message), the
//! same length and the body.

use crate::message::{Chunk, FillingChunk};

/// Which stream mapping a connection speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    Tcp,
    Ipc,
}

/// The IPC type byte of an ordinary message.
const IPC_MSG_NORMAL: u8 = 1;

pub const HANDSHAKE_LEN: usize = 8;

/// The 8-byte protocol header this side sends first.
pub fn handshake(protocol: u16) -> [u8; HANDSHAKE_LEN] {
    let p = protocol.to_be_bytes();
    [0, b'S', b'P', 0, p[0], p[1], 0, 0]
}

/// The peer's protocol id, if the header is well formed.
pub fn parse_handshake(h: &[u8; HANDSHAKE_LEN]) -> Option<u16> {
    if h[0..4] != [0, b'S', b'P', 0] || h[6..8] != [0, 0] {
        return None;
    }
    Some(u16::from_be_bytes([h[4], h[5]]))
}

/// The bytes in front of a message body; returns the buffer and how many of
/// its bytes are used.
pub fn frame_header(wire: Wire, len: usize) -> ([u8; 9], usize) {
    let l = (len as u64).to_be_bytes();
    let mut h = [0u8; 9];
    match wire {
        Wire::Tcp => {
            h[..8].copy_from_slice(&l);
            (h, 8)
        }
        Wire::Ipc => {
            h[0] = IPC_MSG_NORMAL;
            h[1..].copy_from_slice(&l);
            (h, 9)
        }
    }
}

/// The body length in a complete frame header (8 bytes for tcp, 9 for ipc).
fn frame_len(wire: Wire, header: &[u8]) -> Result<u64, DecodeError> {
    let len_bytes = match wire {
        Wire::Tcp => &header[0..8],
        Wire::Ipc => {
            if header[0] != IPC_MSG_NORMAL {
                return Err(DecodeError::BadFrameType(header[0]));
            }
            &header[1..9]
        }
    };
    Ok(u64::from_be_bytes(len_bytes.try_into().expect("8 bytes")))
}

/// What a decoder found in the bytes it was fed.
#[derive(Debug)]
pub enum Decoded {
    Handshake(u16),
    /// A message: the backtrace split off its front (when splitting is on;
    /// otherwise empty) and the body.
    Message(Vec<u8>, Chunk),
}

/// Why a connection must be dropped.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    BadHandshake,
    /// A message longer than NN_RCVMAXSIZE was announced.
    TooLarge(u64),
    /// An IPC frame of a type other than 1.
    BadFrameType(u8),
    OutOfMemory,
}

/// Longest backtrace split off a message; a longer one stays in the body,
/// where the protocol finds it malformed.
const MAX_TRACE_WORDS: usize = 256;

enum State {
    Handshake {
        buf: [u8; HANDSHAKE_LEN],
        got: usize,
    },
    Header {
        buf: [u8; 9],
        got: usize,
    },
    /// Reading 32-bit words of a backtrace until one has its top bit set;
    /// `left` bytes of the frame remain.
    Trace {
        word: [u8; 4],
        got: usize,
        left: usize,
    },
    Body(FillingChunk),
}

pub struct Decoder {
    wire: Wire,
    max_size: Option<usize>,
    /// Split request ids / backtraces off message fronts (REQ, REP,
    /// SURVEYOR, RESPONDENT), so protocols get them as the message header.
    split_trace: bool,
    /// The backtrace of the message being read.
    trace: Vec<u8>,
    state: State,
}

impl Decoder {
    pub fn new(wire: Wire, max_size: Option<usize>, split_trace: bool) -> Decoder {
        Decoder {
            wire,
            max_size,
            split_trace,
            trace: Vec::new(),
            state: State::Handshake {
                buf: [0; HANDSHAKE_LEN],
                got: 0,
            },
        }
    }

    /// NN_RCVMAXSIZE for the frames that start from now on.
    pub fn set_max_size(&mut self, max_size: Option<usize>) {
        self.max_size = max_size;
    }

    pub fn header_len(&self) -> usize {
        match self.wire {
            Wire::Tcp => 8,
            Wire::Ipc => 9,
        }
    }

    /// Whether the next byte starts a message frame, whose body will be
    /// the whole message (no backtrace to split off).
    pub fn at_plain_frame_start(&self) -> bool {
        !self.split_trace && matches!(self.state, State::Header { got: 0, .. })
    }

    /// The body length a frame header announces, if the header is valid
    /// and the length within NN_RCVMAXSIZE (the decoder itself, fed the
    /// same header, would refuse the frame otherwise).
    pub fn body_len(&self, header: &[u8]) -> Option<usize> {
        let len = frame_len(self.wire, header).ok()?;
        let len = usize::try_from(len).ok()?;
        self.max_size.is_none_or(|max| len <= max).then_some(len)
    }

    /// The body being received, when enough of it is still to come to be
    /// worth reading into directly (skipping a copy).
    pub fn body_to_read(&mut self, at_least: usize) -> Option<&mut FillingChunk> {
        match &mut self.state {
            State::Body(body) if body.remaining() >= at_least => Some(body),
            _ => None,
        }
    }

    /// After reading into [`Decoder::body_to_read`]: the message, if its body
    /// is now complete.
    pub fn body_filled(&mut self) -> Option<Decoded> {
        match &self.state {
            State::Body(body) if body.is_full() => self.finish_body(),
            _ => None,
        }
    }

    /// The body being received was read elsewhere (into the receiver's
    /// buffer, see `StreamPipe::read_body_into`): the next frame follows.
    pub fn body_taken(&mut self) {
        debug_assert!(matches!(self.state, State::Body(_)));
        self.trace.clear();
        self.state = State::Header {
            buf: [0; 9],
            got: 0,
        };
    }

    fn finish_body(&mut self) -> Option<Decoded> {
        let next = State::Header {
            buf: [0; 9],
            got: 0,
        };
        match std::mem::replace(&mut self.state, next) {
            State::Body(body) => {
                let chunk = body.into_chunk().expect("finished only when full");
                Some(Decoded::Message(std::mem::take(&mut self.trace), chunk))
            }
            _ => None,
        }
    }

    /// A frame of `len` bytes starts: checks the limit, then reads the
    /// backtrace (if splitting) or the body.
    fn start_frame(&mut self, len: u64) -> Result<Option<Decoded>, DecodeError> {
        if let Some(max) = self.max_size {
            if len > max as u64 {
                return Err(DecodeError::TooLarge(len));
            }
        }
        let len = usize::try_from(len).map_err(|_| DecodeError::TooLarge(len))?;
        if self.split_trace && len >= 4 {
            self.state = State::Trace {
                word: [0; 4],
                got: 0,
                left: len,
            };
            return Ok(None);
        }
        self.start_body(len)
    }

    fn start_body(&mut self, len: usize) -> Result<Option<Decoded>, DecodeError> {
        let body = FillingChunk::new(len).ok_or(DecodeError::OutOfMemory)?;
        self.state = State::Body(body);
        Ok(if len == 0 { self.finish_body() } else { None })
    }

    /// Consumes bytes, calling `out` for each complete handshake or message.
    pub fn feed(
        &mut self,
        mut data: &[u8],
        out: &mut dyn FnMut(Decoded),
    ) -> Result<(), DecodeError> {
        let hlen = self.header_len();
        while !data.is_empty() {
            match &mut self.state {
                State::Handshake { buf, got } => {
                    let n = (HANDSHAKE_LEN - *got).min(data.len());
                    buf[*got..*got + n].copy_from_slice(&data[..n]);
                    *got += n;
                    data = &data[n..];
                    if *got == HANDSHAKE_LEN {
                        let peer = parse_handshake(buf).ok_or(DecodeError::BadHandshake)?;
                        self.state = State::Header {
                            buf: [0; 9],
                            got: 0,
                        };
                        out(Decoded::Handshake(peer));
                    }
                }
                State::Header { buf, got } => {
                    let n = (hlen - *got).min(data.len());
                    buf[*got..*got + n].copy_from_slice(&data[..n]);
                    *got += n;
                    data = &data[n..];
                    if *got == hlen {
                        let len = frame_len(self.wire, &buf[..hlen])?;
                        if let Some(d) = self.start_frame(len)? {
                            out(d);
                        }
                    }
                }
                State::Trace { word, got, left } => {
                    let n = (4 - *got).min(data.len());
                    word[*got..*got + n].copy_from_slice(&data[..n]);
                    *got += n;
                    data = &data[n..];
                    if *got == 4 {
                        self.trace.extend_from_slice(word);
                        *got = 0;
                        *left -= 4;
                        let bottom = word[0] & 0x80 != 0;
                        if bottom || *left < 4 || self.trace.len() / 4 == MAX_TRACE_WORDS {
                            let rest = *left;
                            if let Some(d) = self.start_body(rest)? {
                                out(d);
                            }
                        }
                    }
                }
                State::Body(body) => {
                    let n = body.extend_from(data).ok_or(DecodeError::OutOfMemory)?;
                    data = &data[n..];
                    if body.is_full() {
                        if let Some(d) = self.finish_body() {
                            out(d);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(
        wire: Wire,
        max: Option<usize>,
        bytes: &[u8],
        step: usize,
    ) -> Result<Vec<Decoded>, DecodeError> {
        let mut d = Decoder::new(wire, max, false);
        let mut v = Vec::new();
        for piece in bytes.chunks(step) {
            d.feed(piece, &mut |x| v.push(x))?;
        }
        Ok(v)
    }

    fn frame(wire: Wire, body: &[u8]) -> Vec<u8> {
        let (h, n) = frame_header(wire, body.len());
        let mut v = h[..n].to_vec();
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn handshake_round_trips() {
        let h = handshake(16);
        assert_eq!(h, [0, b'S', b'P', 0, 0, 16, 0, 0]);
        assert_eq!(parse_handshake(&h), Some(16));
        assert_eq!(parse_handshake(&[0, b'S', b'P', 1, 0, 16, 0, 0]), None);
        assert_eq!(parse_handshake(&[0, b'S', b'P', 0, 0, 16, 0, 1]), None);
    }

    #[test]
    fn tcp_messages_decode_at_any_split() {
        let mut bytes = handshake(16).to_vec();
        bytes.extend(frame(Wire::Tcp, b"hello"));
        bytes.extend(frame(Wire::Tcp, b""));
        bytes.extend(frame(Wire::Tcp, &[7u8; 1000]));
        for step in [1, 3, 8, 100, 5000] {
            let v = decode_all(Wire::Tcp, None, &bytes, step).unwrap();
            assert_eq!(v.len(), 4);
            assert!(matches!(v[0], Decoded::Handshake(16)));
            match &v[1] {
                Decoded::Message(_, c) => assert_eq!(c.as_slice(), b"hello"),
                _ => panic!(),
            }
            match &v[2] {
                Decoded::Message(_, c) => assert!(c.is_empty()),
                _ => panic!(),
            }
            match &v[3] {
                Decoded::Message(_, c) => assert_eq!(c.as_slice(), &[7u8; 1000][..]),
                _ => panic!(),
            }
        }
    }

    #[test]
    fn ipc_frames_carry_a_type_byte() {
        let mut bytes = handshake(16).to_vec();
        bytes.extend(frame(Wire::Ipc, b"abc"));
        assert_eq!(bytes[8], 1);
        let v = decode_all(Wire::Ipc, None, &bytes, 2).unwrap();
        assert!(matches!(&v[1], Decoded::Message(_, c) if c.as_slice() == b"abc"));
        let mut bad = handshake(16).to_vec();
        bad.extend([2u8, 0, 0, 0, 0, 0, 0, 0, 1, b'x']);
        assert_eq!(
            decode_all(Wire::Ipc, None, &bad, 4).unwrap_err(),
            DecodeError::BadFrameType(2)
        );
    }

    #[test]
    fn oversized_messages_are_refused_before_allocating() {
        let mut bytes = handshake(16).to_vec();
        bytes.extend(u64::MAX.to_be_bytes());
        assert_eq!(
            decode_all(Wire::Tcp, Some(1024), &bytes, 64).unwrap_err(),
            DecodeError::TooLarge(u64::MAX)
        );
        let mut bytes = handshake(16).to_vec();
        bytes.extend(frame(Wire::Tcp, &[0u8; 1025]));
        assert_eq!(
            decode_all(Wire::Tcp, Some(1024), &bytes, 64).unwrap_err(),
            DecodeError::TooLarge(1025)
        );
        assert!(decode_all(Wire::Tcp, Some(1025), &bytes, 64).is_ok());
    }

    #[test]
    fn backtraces_are_split_off_when_asked() {
        let mut bytes = handshake(49).to_vec();
        // Two hops: a device's pipe key, then the request id (top bit set).
        bytes.extend(frame(Wire::Tcp, &[0, 0, 0, 5, 0x80, 0, 0, 9, b'h', b'i']));
        // Too short for a word: all body.
        bytes.extend(frame(Wire::Tcp, b"ab"));
        for step in [1, 3, 64] {
            let mut d = Decoder::new(Wire::Tcp, None, true);
            let mut v = Vec::new();
            for piece in bytes.chunks(step) {
                d.feed(piece, &mut |x| v.push(x)).unwrap();
            }
            match &v[1] {
                Decoded::Message(h, c) => {
                    assert_eq!(h, &[0, 0, 0, 5, 0x80, 0, 0, 9]);
                    assert_eq!(c.as_slice(), b"hi");
                }
                _ => panic!(),
            }
            assert!(
                matches!(&v[2], Decoded::Message(h, c) if h.is_empty() && c.as_slice() == b"ab")
            );
        }
    }

    #[test]
    fn bad_handshake_is_an_error() {
        assert_eq!(
            decode_all(Wire::Tcp, None, b"GET / HTTP/1.1\r\n", 16).unwrap_err(),
            DecodeError::BadHandshake
        );
    }

    #[test]
    fn direct_body_reads_complete_messages() {
        let mut d = Decoder::new(Wire::Tcp, None, false);
        let mut v = Vec::new();
        let mut pre = handshake(16).to_vec();
        pre.extend(frame_header(Wire::Tcp, 100).0[..8].to_vec());
        d.feed(&pre, &mut |x| v.push(x)).unwrap();
        let body = d.body_to_read(50).unwrap();
        assert_eq!(body.remaining(), 100);
        assert_eq!(body.extend_from(&[9u8; 60]), Some(60));
        assert!(d.body_filled().is_none(), "40 bytes still to come");
        assert!(
            d.body_to_read(50).is_none(),
            "too little left to read directly"
        );
        let body = d.body_to_read(40).unwrap();
        assert_eq!(body.extend_from(&[9u8; 50]), Some(40));
        let m = d.body_filled().unwrap();
        assert!(matches!(m, Decoded::Message(_, c) if c.as_slice() == &[9u8; 100][..]));
    }
}
