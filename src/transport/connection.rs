//! One connection's protocol state, sans I/O: the SP handshake and the
//! framing of tcp:// and ipc://, or the WebSocket codec of ws://; the
//! queue of frames to write and the queue of messages received, with the
//! limits on both. It is fed bytes read and told bytes written; it hands
//! out bytes to write, messages received, and what must happen (the
//! handshake is done, the connection must close, reading must pause). No
//! descriptor, clock or lock is in here: `StreamPipe` drives it from the
//! I/O thread and from the application's threads (under its lock), and
//! the unit tests and fuzz targets drive it directly.
//!
//! (Longer than 500 lines: the input side, the output side and the
//! direct-read hooks share one state and are kept together so that a fast
//! path cannot bypass the accounting the slow path does.)

use std::collections::VecDeque;
use std::io::IoSlice;
use std::os::raw::c_int;

use super::framing::{self, Decoded, Decoder, Wire};
use super::ws_codec::{self, Role, WsDecoder, WsEvent};
use crate::message::{Chunk, FillingChunk, Msg};
use crate::protocol::is_valid_peer;

/// The most of control frames (pongs, close replies) a connection queues
/// for its peer; past it, the connection reads no more from that peer
/// until they drain. A peer that pings and never reads is held back by
/// TCP flow control instead of growing the queue without bound.
pub const CONTROL_CAP: usize = 64 * 1024;

/// What a queued incoming message (or a queued control frame) counts
/// beyond its bytes: its place in the queue and its allocation. Without
/// it, a peer sending empty messages (or bare backtraces) filled memory
/// without the queue ever reaching NN_RCVBUF, and kept the reading thread
/// busy.
pub const QUEUED_MSG_COST: usize = 32;

/// The most a connection reads ahead of its application, however large
/// NN_RCVBUF is: past it, what the peer sends waits in the kernel's
/// socket buffer (which TCP autotunes, and which is 4 MiB on ipc).
/// Messages read ahead wait in memory the receiver later copies from; a
/// read-ahead of NN_RCVBUF = 16 MiB (256 messages of 64 KiB) left them
/// out of the cache by then, and halved 64 KiB throughput (ipc 45k ->
/// 21-26k msg/s) against the default 128 KiB, at which the receiver
/// mostly reads each message itself, straight into its buffer. nanomsg
/// reads one message ahead per connection, and NN_RCVBUF sizes the kernel
/// buffer there.
pub const READ_AHEAD: usize = 128 * 1024;

/// Why a connection must close.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Close {
    /// The peer's SP header is malformed, or names a protocol that is not
    /// this socket's peer.
    BadHandshake,
    /// A frame that breaks the wire format (tcp/ipc type byte, RFC 6455).
    Malformed,
    /// A message longer than NN_RCVMAXSIZE was announced.
    TooLarge,
    /// The peer closed the WebSocket (its close frame is answered).
    PeerClosed,
    /// No memory for a message the peer announced.
    OutOfMemory,
}

/// The limits a connection keeps to, from its socket's options.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// NN_SNDBUF: bytes of messages queued to write.
    pub sndbuf: usize,
    /// NN_RCVBUF: what received messages may hold before reading pauses
    /// (at most [`READ_AHEAD`]).
    pub rcvbuf: usize,
}

/// A message (or the SP header, or a control frame) waiting to be written.
struct OutFrame {
    /// Framing in front of the message: SP length (tcp, ipc) or WebSocket
    /// frame header; or the SP header itself.
    prefix: [u8; 14],
    prefix_len: usize,
    msg: Option<Msg>,
    /// Bytes of this frame already written.
    sent: usize,
    /// Bytes counted against NN_SNDBUF (0 for headers, control frames).
    weight: usize,
    /// Bytes counted against [`CONTROL_CAP`].
    control: usize,
}

impl OutFrame {
    fn parts(&self) -> [&[u8]; 3] {
        match &self.msg {
            Some(m) => [
                &self.prefix[..self.prefix_len],
                &m.header,
                m.body.as_slice(),
            ],
            None => [&self.prefix[..self.prefix_len], &[], &[]],
        }
    }

    fn total(&self) -> usize {
        self.parts().iter().map(|p| p.len()).sum()
    }

    /// The SP header, or a control frame whose payload rides as the header
    /// of an empty message.
    fn bare(prefix: &[u8], payload: Vec<u8>) -> OutFrame {
        let mut p = [0u8; 14];
        p[..prefix.len()].copy_from_slice(prefix);
        let msg = if payload.is_empty() {
            None
        } else {
            Chunk::zeroed(0).map(|body| Msg {
                header: payload,
                body,
            })
        };
        OutFrame {
            prefix: p,
            prefix_len: prefix.len(),
            msg,
            sent: 0,
            weight: 0,
            control: 0,
        }
    }
}

/// How messages are framed on this connection.
enum Codec {
    /// SP over tcp or ipc: 8-byte header, then length-prefixed messages.
    Sp { decoder: Decoder, wire: Wire },
    /// SP over WebSocket: one message per WebSocket message.
    Ws {
        decoder: WsDecoder,
        role: Role,
        /// Opcode for outgoing messages (NN_WS_MSG_TYPE).
        opcode: u8,
    },
}

pub struct Connection {
    codec: Codec,
    /// This socket's protocol (the peer's header must name a valid peer).
    own: c_int,
    /// Split backtraces off message fronts (request/reply family).
    split_trace: bool,
    limits: Limits,
    out: VecDeque<OutFrame>,
    out_bytes: usize,
    control_bytes: usize,
    inq: VecDeque<Msg>,
    in_bytes: usize,
    /// Bytes read during the WebSocket upgrade that belong to the stream.
    pending_input: Vec<u8>,
    /// Reading stopped at a limit (NN_RCVBUF, CONTROL_CAP).
    paused: bool,
    /// The peer's SP header was accepted (a ws connection is active from
    /// the start: its upgrade named the protocols).
    active: bool,
    /// A message was received since the last send.
    received: bool,
    /// The last message a receiver read into its own buffer had a large
    /// body (see `StreamPipe::read_into_buffer`).
    last_was_large: bool,
}

/// What feeding bytes did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fed {
    /// Messages queued.
    pub queued: usize,
    /// Control frames were queued to write (pongs, a close reply).
    pub replies: bool,
}

/// What a message waiting in the input queue counts against NN_RCVBUF.
fn queued_size(msg: &Msg) -> usize {
    msg.header.len() + msg.body.len() + QUEUED_MSG_COST
}

impl Connection {
    /// A tcp:// or ipc:// connection: this side's SP header is queued
    /// first, and nothing is received before the peer's.
    pub fn sp(wire: Wire, own: c_int, limits: Limits, max_size: Option<usize>) -> Connection {
        let split_trace = crate::protocol::uses_backtrace(own);
        let mut c = Connection::new(
            Codec::Sp {
                decoder: Decoder::new(wire, max_size, split_trace),
                wire,
            },
            own,
            limits,
            false,
        );
        // Room for the one frame: an idle connection keeps what its queue
        // grew to, and the default first growth (to four frames) cost each
        // of them 260 bytes (perf/conn_mem.c: 2.4 -> 2.9 kB a connection).
        c.out = VecDeque::with_capacity(1);
        c.out
            .push_back(OutFrame::bare(&framing::handshake(own as u16), Vec::new()));
        c
    }

    /// A ws:// connection whose upgrade is done: active at once; `leftover`
    /// is what came after the upgrade's head.
    pub fn ws(
        role: Role,
        own: c_int,
        text: bool,
        limits: Limits,
        max_size: Option<usize>,
        leftover: Vec<u8>,
    ) -> Connection {
        let opcode = if text {
            ws_codec::OP_TEXT
        } else {
            ws_codec::OP_BINARY
        };
        let mut c = Connection::new(
            Codec::Ws {
                decoder: WsDecoder::new(role, max_size),
                role,
                opcode,
            },
            own,
            limits,
            true,
        );
        c.pending_input = leftover;
        c
    }

    fn new(codec: Codec, own: c_int, limits: Limits, active: bool) -> Connection {
        Connection {
            codec,
            own,
            split_trace: crate::protocol::uses_backtrace(own),
            limits,
            out: VecDeque::new(),
            out_bytes: 0,
            control_bytes: 0,
            inq: VecDeque::new(),
            in_bytes: 0,
            pending_input: Vec::new(),
            paused: false,
            active,
            received: false,
            last_was_large: false,
        }
    }

    /// Whether the peer's SP header was accepted (always, on ws).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// NN_RCVMAXSIZE for the messages that start from now on.
    pub fn set_max_size(&mut self, max_size: Option<usize>) {
        match &mut self.codec {
            Codec::Sp { decoder, .. } => decoder.set_max_size(max_size),
            Codec::Ws { decoder, .. } => decoder.set_max_size(max_size),
        }
    }

    /// Whether the stream is tcp/ipc SP framing (not ws).
    pub fn is_sp(&self) -> bool {
        matches!(self.codec, Codec::Sp { .. })
    }

    // --- input ------------------------------------------------------------

    /// Bytes that came with the WebSocket upgrade, to be fed first.
    pub fn take_pending_input(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending_input)
    }

    pub fn has_pending_input(&self) -> bool {
        !self.pending_input.is_empty()
    }

    /// Whether the connection may read more now; pauses it at a limit
    /// (what is queued for the application reached NN_RCVBUF, or replies
    /// queued for the peer reached CONTROL_CAP).
    pub fn may_read(&mut self) -> bool {
        self.paused = self.in_bytes >= self.read_ahead() || self.control_bytes >= CONTROL_CAP;
        !self.paused
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// A paused connection whose queues have drained enough to read again
    /// (replies to half the cap, so that each pause lasts).
    pub fn may_resume(&self) -> bool {
        self.paused && self.control_bytes <= CONTROL_CAP / 2 && self.in_bytes < self.read_ahead()
    }

    /// What received messages may hold before reading pauses.
    fn read_ahead(&self) -> usize {
        self.limits.rcvbuf.min(READ_AHEAD)
    }

    /// Decodes bytes read from the peer: messages are queued (the peer's
    /// SP header is checked first), WebSocket pings answered. Messages
    /// decoded before a fault stay queued: they were the peer's to send.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Fed, Close> {
        let mut fed = Fed::default();
        if bytes.is_empty() {
            return Ok(fed);
        }
        let Connection {
            codec,
            inq,
            in_bytes,
            active,
            out,
            control_bytes,
            own,
            split_trace,
            ..
        } = self;
        match codec {
            Codec::Sp { decoder, .. } => {
                let mut refused = false;
                let res = decoder.feed(bytes, &mut |d| match d {
                    Decoded::Handshake(p) => {
                        if is_valid_peer(*own, p as i32) {
                            *active = true;
                        } else {
                            refused = true;
                        }
                    }
                    Decoded::Message(header, body) => {
                        crate::fault::on_message_received(body.as_slice());
                        let msg = Msg { header, body };
                        *in_bytes += queued_size(&msg);
                        inq.push_back(msg);
                        fed.queued += 1;
                    }
                });
                if refused {
                    return Err(Close::BadHandshake);
                }
                res.map_err(|e| match e {
                    framing::DecodeError::BadHandshake => Close::BadHandshake,
                    framing::DecodeError::TooLarge(_) => Close::TooLarge,
                    framing::DecodeError::BadFrameType(_) => Close::Malformed,
                    framing::DecodeError::OutOfMemory => Close::OutOfMemory,
                })?;
            }
            Codec::Ws { decoder, role, .. } => {
                let mut closing = false;
                let mut fault = None;
                let (role, split) = (*role, *split_trace);
                let res = decoder.feed(bytes, &mut |ev| match ev {
                    // After a Close the peer may send nothing (RFC 6455
                    // 5.5.1): what follows it is neither delivered nor
                    // answered.
                    _ if closing => {}
                    WsEvent::Message(data) => match ws_message(data, split) {
                        Some(m) => {
                            crate::fault::on_message_received(m.body.as_slice());
                            *in_bytes += queued_size(&m);
                            inq.push_back(m);
                            fed.queued += 1;
                        }
                        None => fault = Some(Close::OutOfMemory),
                    },
                    WsEvent::Ping(payload) => {
                        let pong = ws_control(role, ws_codec::OP_PONG, payload);
                        *control_bytes += pong.control;
                        out.push_back(pong);
                        fed.replies = true;
                    }
                    WsEvent::Close(payload) => {
                        // Echo the status code, then close.
                        let code = close_reply_code(&payload);
                        let reply = ws_control(role, ws_codec::OP_CLOSE, code);
                        *control_bytes += reply.control;
                        out.push_back(reply);
                        fed.replies = true;
                        closing = true;
                    }
                });
                // Whatever followed the Close (even bytes the decoder
                // refused) is the peer's to drop; the echo still goes out.
                if closing {
                    return Err(Close::PeerClosed);
                }
                if let Err(e) = res {
                    return Err(match e {
                        ws_codec::WsError::TooLarge => Close::TooLarge,
                        ws_codec::WsError::Protocol(_) => Close::Malformed,
                    });
                }
                if let Some(f) = fault {
                    return Err(f);
                }
            }
        }
        Ok(fed)
    }

    pub fn has_messages(&self) -> bool {
        !self.inq.is_empty()
    }

    pub fn messages_queued(&self) -> usize {
        self.inq.len()
    }

    /// The next message received, if any.
    pub fn take_message(&mut self) -> Option<Msg> {
        let msg = self.inq.pop_front()?;
        self.received = true;
        self.in_bytes -= queued_size(&msg);
        Some(msg)
    }

    /// Whether a message was received since the last send (takes the
    /// mark: the next send starts a new exchange).
    pub fn take_received(&mut self) -> bool {
        std::mem::take(&mut self.received)
    }

    pub fn received_since_send(&self) -> bool {
        self.received
    }

    // --- input read around the decoder (a receiver's own buffer) --------

    /// At the start of a frame whose body will be the whole message (no
    /// backtrace to split off, nothing left from the upgrade): the frame
    /// header's length, for a receiver that reads it itself.
    pub fn plain_frame_start(&self) -> Option<usize> {
        match &self.codec {
            Codec::Sp { decoder, .. }
                if !self.split_trace
                    && decoder.at_plain_frame_start()
                    && self.pending_input.is_empty() =>
            {
                Some(decoder.header_len())
            }
            _ => None,
        }
    }

    /// The body length a complete frame header announces, if it is valid
    /// and within NN_RCVMAXSIZE (as the decoder would check it).
    pub fn body_len(&self, header: &[u8]) -> Option<usize> {
        match &self.codec {
            Codec::Sp { decoder, .. } => decoder.body_len(header),
            Codec::Ws { .. } => None,
        }
    }

    /// A message was delivered straight into a receiver's buffer, past
    /// the decoder.
    pub fn delivered_directly(&mut self) {
        self.received = true;
    }

    pub fn set_last_was_large(&mut self, large: bool) {
        self.last_was_large = large;
    }

    pub fn last_was_large(&self) -> bool {
        self.last_was_large
    }

    /// The body being received, when at least `at_least` of it is still to
    /// come (worth reading straight into it).
    pub fn body_to_read(&mut self, at_least: usize) -> Option<&mut FillingChunk> {
        match &mut self.codec {
            Codec::Sp { decoder, .. } => decoder.body_to_read(at_least),
            Codec::Ws { .. } => None,
        }
    }

    /// After reading into [`Connection::body_to_read`]: queues the message
    /// if its body is complete (true then).
    pub fn body_filled(&mut self) -> bool {
        let Codec::Sp { decoder, .. } = &mut self.codec else {
            return false;
        };
        match decoder.body_filled() {
            Some(Decoded::Message(header, body)) => {
                crate::fault::on_message_received(body.as_slice());
                let msg = Msg { header, body };
                self.in_bytes += queued_size(&msg);
                self.inq.push_back(msg);
                true
            }
            _ => false,
        }
    }

    /// The body being received went into a receiver's buffer instead.
    pub fn body_taken(&mut self) {
        if let Codec::Sp { decoder, .. } = &mut self.codec {
            decoder.body_taken();
        }
        self.received = true;
    }

    // --- output -----------------------------------------------------------

    /// Whether a message of `len` bytes would take the queue past
    /// NN_SNDBUF (one always fits an empty queue).
    pub fn would_exceed(&self, len: usize) -> bool {
        self.out_bytes > 0 && self.out_bytes + len > self.limits.sndbuf
    }

    /// Whether the application may send now (NN_SNDFD, blocking sends).
    pub fn has_room(&self) -> bool {
        self.out_bytes == 0 || self.out_bytes < self.limits.sndbuf
    }

    pub fn sndbuf(&self) -> usize {
        self.limits.sndbuf
    }

    /// Queues a message to write, framed for the wire; gives it back if it
    /// cannot be framed (no memory to mask a copy).
    pub fn queue(&mut self, msg: Msg) -> Result<(), Msg> {
        let len = msg.wire_len();
        let frame = match &self.codec {
            Codec::Sp { wire, .. } => sp_frame(*wire, msg, len),
            Codec::Ws { role, opcode, .. } => ws_data_frame(*role, *opcode, msg)?,
        };
        self.out_bytes += len;
        self.out.push_back(frame);
        Ok(())
    }

    /// The SP frame header for a message of `len` bytes written straight
    /// from the application's buffer (tcp/ipc only).
    pub fn frame_header(&self, len: usize) -> Option<([u8; 9], usize)> {
        match &self.codec {
            Codec::Sp { wire, .. } => Some(framing::frame_header(*wire, len)),
            Codec::Ws { .. } => None,
        }
    }

    /// The application's message was written straight from its buffer,
    /// `written` bytes of it (frame header included) taken by the kernel:
    /// the rest is queued as a copy. A message sent is the end of an
    /// exchange's receiving side.
    pub fn sent_directly(&mut self, data: &[u8], written: usize) -> Result<(), Close> {
        self.received = false;
        let Codec::Sp { wire, .. } = &self.codec else {
            return Err(Close::Malformed);
        };
        let (_, hlen) = framing::frame_header(*wire, data.len());
        if written >= hlen + data.len() {
            return Ok(());
        }
        let body = Chunk::from_slice(data).ok_or(Close::OutOfMemory)?;
        let mut frame = sp_frame(*wire, Msg::new(body), data.len());
        frame.sent = written;
        self.out_bytes += data.len();
        self.out.push_back(frame);
        Ok(())
    }

    pub fn has_output(&self) -> bool {
        !self.out.is_empty()
    }

    pub fn frames_queued(&self) -> usize {
        self.out.len()
    }

    pub fn out_bytes(&self) -> usize {
        self.out_bytes
    }

    /// Fills `slices` with the unwritten parts of the queued frames, in
    /// order; returns how many it filled.
    pub fn gather<'a>(&'a self, slices: &mut [IoSlice<'a>]) -> usize {
        let mut n = 0;
        'frames: for f in self.out.iter() {
            let mut skip = f.sent;
            for part in f.parts() {
                if skip >= part.len() {
                    skip -= part.len();
                    continue;
                }
                if n == slices.len() {
                    break 'frames;
                }
                slices[n] = IoSlice::new(&part[skip..]);
                skip = 0;
                n += 1;
            }
        }
        n
    }

    /// `written` bytes of the queued output went to the kernel.
    pub fn wrote(&mut self, mut written: usize) {
        while written > 0 {
            let Some(f) = self.out.front_mut() else {
                debug_assert!(false, "wrote more than was queued");
                return;
            };
            let left = f.total() - f.sent;
            if written >= left {
                written -= left;
                self.out_bytes -= f.weight;
                self.control_bytes -= f.control;
                self.out.pop_front();
            } else {
                f.sent += written;
                written = 0;
            }
        }
    }
}

/// A message framed for tcp/ipc; `len` is its size on the wire.
fn sp_frame(wire: Wire, msg: Msg, len: usize) -> OutFrame {
    let (h, n) = framing::frame_header(wire, len);
    let mut prefix = [0u8; 14];
    prefix[..9].copy_from_slice(&h);
    OutFrame {
        prefix,
        prefix_len: n,
        msg: Some(msg),
        sent: 0,
        weight: len,
        control: 0,
    }
}

/// An incoming WebSocket message as an SP message, the backtrace split off
/// its front for the request/reply family (as the SP stream decoder does).
fn ws_message(data: Vec<u8>, split_trace: bool) -> Option<Msg> {
    let mut cut = 0;
    if split_trace {
        while cut + 4 <= data.len() && cut / 4 < 256 {
            cut += 4;
            if data[cut - 4] & 0x80 != 0 {
                break;
            }
        }
    }
    let body = Chunk::from_slice(&data[cut..])?;
    Some(Msg {
        header: data[..cut].to_vec(),
        body,
    })
}

/// A WebSocket frame carrying a whole message; a client masks it (into a
/// copy, as RFC 6455 requires).
fn ws_data_frame(role: Role, opcode: u8, msg: Msg) -> Result<OutFrame, Msg> {
    let len = msg.wire_len();
    let (prefix, prefix_len, msg) = match role {
        Role::Server => {
            let (h, n) = ws_codec::frame_header(opcode, len, None);
            (h, n, msg)
        }
        Role::Client => {
            let key = ws_codec::mask_key();
            let (h, n) = ws_codec::frame_header(opcode, len, Some(key));
            let Some(mut body) = Chunk::zeroed(len) else {
                return Err(msg);
            };
            let b = body.as_mut_slice();
            b[..msg.header.len()].copy_from_slice(&msg.header);
            b[msg.header.len()..].copy_from_slice(msg.body.as_slice());
            ws_codec::apply_mask(b, key);
            (h, n, Msg::new(body))
        }
    };
    Ok(OutFrame {
        prefix,
        prefix_len,
        msg: Some(msg),
        sent: 0,
        weight: len,
        control: 0,
    })
}

/// A pong or close frame with a (small) payload, counted against
/// CONTROL_CAP with what it costs to keep (an empty pong is two bytes on
/// the wire).
/// The status code a Close frame is answered with (RFC 6455 7.4): the
/// peer's own when it may be sent, none when it gave none, else 1002
/// (protocol error): a one-byte payload, or a code that must never be on
/// the wire (1005, 1006, 1015, below 1000, unassigned 1004 and 1016-2999).
fn close_reply_code(payload: &[u8]) -> Vec<u8> {
    match payload {
        [] => Vec::new(),
        [hi, lo, ..] => {
            let code = u16::from_be_bytes([*hi, *lo]);
            let sendable = matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999);
            if sendable {
                vec![*hi, *lo]
            } else {
                1002u16.to_be_bytes().to_vec()
            }
        }
        [_] => 1002u16.to_be_bytes().to_vec(),
    }
}

fn ws_control(role: Role, opcode: u8, mut payload: Vec<u8>) -> OutFrame {
    let key = (role == Role::Client).then(ws_codec::mask_key);
    let (h, n) = ws_codec::frame_header(opcode, payload.len(), key);
    if let Some(k) = key {
        ws_codec::apply_mask(&mut payload, k);
    }
    let mut frame = OutFrame::bare(&h[..n], payload);
    frame.control = frame.total() + QUEUED_MSG_COST;
    frame
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{NN_PAIR, NN_REP, NN_REQ};

    const LIMITS: Limits = Limits {
        sndbuf: 1 << 20,
        rcvbuf: 1 << 20,
    };

    /// Everything the connection wants written, as one byte string (and
    /// marked written).
    fn drain_output(c: &mut Connection) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let mut slices = [IoSlice::new(&[]); 8];
            let n = c.gather(&mut slices);
            if n == 0 {
                return out;
            }
            let len: usize = slices[..n].iter().map(|s| s.len()).sum();
            for s in &slices[..n] {
                out.extend_from_slice(s);
            }
            c.wrote(len);
        }
    }

    #[test]
    fn an_sp_connection_sends_its_header_then_messages() {
        let mut c = Connection::sp(Wire::Tcp, NN_PAIR, LIMITS, None);
        assert!(!c.is_active());
        assert_eq!(drain_output(&mut c), framing::handshake(NN_PAIR as u16));
        // The peer's header, then a message, in pieces.
        let mut input = framing::handshake(NN_PAIR as u16).to_vec();
        input.extend(5u64.to_be_bytes());
        input.extend(b"hello");
        for piece in input.chunks(3) {
            c.feed(piece).unwrap();
        }
        assert!(c.is_active());
        assert_eq!(c.take_message().unwrap().body.as_slice(), b"hello");
        c.queue(Msg::new(Chunk::from_slice(b"back").unwrap()))
            .unwrap();
        let mut want = 4u64.to_be_bytes().to_vec();
        want.extend(b"back");
        assert_eq!(drain_output(&mut c), want);
        assert_eq!(c.out_bytes(), 0);
    }

    #[test]
    fn a_peer_of_the_wrong_protocol_is_refused() {
        let mut c = Connection::sp(Wire::Ipc, NN_REQ, LIMITS, None);
        assert_eq!(
            c.feed(&framing::handshake(NN_REQ as u16)),
            Err(Close::BadHandshake)
        );
        let mut c = Connection::sp(Wire::Ipc, NN_REQ, LIMITS, None);
        assert!(c.feed(&framing::handshake(NN_REP as u16)).is_ok());
        assert!(c.is_active());
    }

    #[test]
    fn a_large_nn_rcvbuf_reads_no_further_ahead_than_read_ahead() {
        let limits = Limits {
            sndbuf: 1 << 20,
            rcvbuf: 16 << 20,
        };
        let mut c = Connection::sp(Wire::Ipc, NN_PAIR, limits, None);
        c.feed(&framing::handshake(NN_PAIR as u16)).unwrap();
        let (h, hlen) = framing::frame_header(Wire::Ipc, 65536);
        let mut frame = h[..hlen].to_vec();
        frame.resize(hlen + 65536, b'x');
        let mut n = 0;
        while c.may_read() {
            c.feed(&frame).unwrap();
            n += 1;
            assert!(n < 100, "read {n} messages of 64 KiB ahead");
        }
        assert_eq!(n, READ_AHEAD.div_ceil(65536 + QUEUED_MSG_COST));
        // Taken, the connection reads again.
        c.take_message().unwrap();
        assert!(c.may_resume());
    }

    #[test]
    fn reading_pauses_at_nn_rcvbuf_counting_each_message() {
        let limits = Limits {
            sndbuf: 1 << 20,
            rcvbuf: 1000,
        };
        let mut c = Connection::sp(Wire::Tcp, NN_PAIR, limits, None);
        c.feed(&framing::handshake(NN_PAIR as u16)).unwrap();
        // Empty messages count too.
        let mut n = 0;
        while c.may_read() {
            c.feed(&0u64.to_be_bytes()).unwrap();
            n += 1;
        }
        assert_eq!(n, 1000_usize.div_ceil(QUEUED_MSG_COST));
        assert!(c.is_paused() && !c.may_resume());
        c.take_message().unwrap();
        assert!(c.may_resume());
    }

    #[test]
    fn pings_are_answered_and_count_against_the_control_cap() {
        let mut c = Connection::ws(Role::Server, NN_PAIR, false, LIMITS, None, Vec::new());
        let mut ping = vec![0x89, 0x80 | 4, 0, 0, 0, 0];
        ping.extend(b"abcd");
        let mut pings = 0;
        while c.may_read() {
            let fed = c.feed(&ping).unwrap();
            assert!(fed.replies);
            pings += 1;
        }
        assert!(pings * (6 + QUEUED_MSG_COST) >= CONTROL_CAP);
        let out = drain_output(&mut c);
        assert_eq!(&out[..6], &[0x8A, 4, b'a', b'b', b'c', b'd']);
        assert!(c.may_resume());
    }

    /// Masked client frame: opcode, payload (mask key 0).
    fn client_frame(op: u8, payload: &[u8]) -> Vec<u8> {
        assert!(payload.len() < 126);
        let mut f = vec![0x80 | op, 0x80 | payload.len() as u8, 0, 0, 0, 0];
        f.extend(payload);
        f
    }

    #[test]
    fn nothing_after_a_close_frame_is_delivered_or_answered() {
        let mut c = Connection::ws(Role::Server, NN_PAIR, false, LIMITS, None, Vec::new());
        let mut input = client_frame(0x2, b"before");
        input.extend(client_frame(0x8, &[3, 232]));
        input.extend(client_frame(0x2, b"after"));
        input.extend(client_frame(0x9, b"ping"));
        assert_eq!(c.feed(&input), Err(Close::PeerClosed));
        assert_eq!(c.take_message().unwrap().body.as_slice(), b"before");
        assert!(c.take_message().is_none());
        // Only the close reply goes out: no pong.
        assert_eq!(drain_output(&mut c), vec![0x88, 2, 3, 232]);
    }

    /// A Close in the same read as a frame the decoder refuses is still
    /// answered (once, the refusal won and the echo was dropped).
    #[test]
    fn a_close_followed_by_a_bad_frame_is_still_answered() {
        for bad in [
            vec![0x82, 2, b'n', b'o'],      // unmasked client frame
            client_frame(0x3, b"x"),        // reserved opcode
            client_frame(0x2 | 0x40, b"x"), // RSV1
            vec![0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], // top-bit length
        ] {
            let mut c = Connection::ws(Role::Server, NN_PAIR, false, LIMITS, None, Vec::new());
            let mut input = client_frame(0x8, &[3, 232]);
            input.extend(&bad);
            assert_eq!(c.feed(&input), Err(Close::PeerClosed), "{bad:x?}");
            assert_eq!(drain_output(&mut c), vec![0x88, 2, 3, 232], "{bad:x?}");
        }
    }

    #[test]
    fn close_codes_that_may_not_be_sent_are_answered_with_1002() {
        assert_eq!(close_reply_code(&[]), Vec::<u8>::new());
        assert_eq!(close_reply_code(&[3, 232, b'b', b'y']), vec![3, 232]);
        assert_eq!(close_reply_code(&[0x0F, 0xA0]), vec![0x0F, 0xA0]); // 4000
        for code in [999u16, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
            assert_eq!(
                close_reply_code(&code.to_be_bytes()),
                vec![3, 234],
                "{code}"
            );
        }
        assert_eq!(close_reply_code(&[3]), vec![3, 234]);
    }

    #[test]
    fn a_partly_written_direct_send_queues_the_rest() {
        let mut c = Connection::sp(Wire::Tcp, NN_PAIR, LIMITS, None);
        drain_output(&mut c);
        // The kernel took the header and two bytes.
        c.sent_directly(b"abcdef", 10).unwrap();
        assert_eq!(drain_output(&mut c), b"cdef");
        c.sent_directly(b"xyz", 11).unwrap();
        assert!(!c.has_output());
    }
}
