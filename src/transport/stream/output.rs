//! A stream pipe's output: queueing a message (held back for a batch while
//! its thread streams), writing it from the caller's thread when the
//! kernel has room, and the I/O thread's flushes of the rest.

use std::io::{self, IoSlice};
use std::sync::atomic::Ordering;

use super::{ConnState, StreamPipe};
use crate::message::Msg;
use crate::transport::batching;
use crate::transport::reactor::{self, Cmd};

/// Pieces gathered into one writev (two or three per message).
const MAX_IOVECS: usize = 160;
/// Up to this many queued frames are gathered in a small array.
const FEW_FRAMES: usize = 2;

impl StreamPipe {
    /// Writes the batch held back from the kernel, if it is batch `seq`
    /// (any batch for None). None if there was none to write; else false
    /// if the connection broke (it is then reported for teardown).
    pub fn write_held(&self, seq: Option<u64>) -> Option<bool> {
        let mut st = self.state.lock();
        if st.held.is_none() || (seq.is_some() && st.held != seq) {
            return None;
        }
        let before = st.conn.out_bytes();
        let ok = self.flush(&mut st).is_ok();
        let wake = st.conn.out_bytes() < before;
        if ok {
            drop(st);
        } else {
            self.break_off(st);
        }
        if wake {
            self.ctx.link.wake();
        }
        Some(ok)
    }

    /// The I/O thread's write of batch `seq` (if still held), for a
    /// thread that streamed on this connection and has stopped sending:
    /// the tail of its burst, which no later write will push out. With
    /// Nagle's algorithm on (NN_TCP_NODELAY off, the default) the kernel
    /// keeps the tail while an earlier segment is unacknowledged, and a
    /// receiver with one small segment outstanding delays its ACK by 40 ms
    /// or more: the end of a 200,000-message stream came 40 ms late in 9 of
    /// 20 runs. The tail is pushed out at once instead (also when the
    /// thread wrote its last batch itself); within a burst Nagle still
    /// merges what the sender writes.
    pub fn write_tail(&self, seq: Option<u64>) {
        let written = match seq {
            Some(seq) => self.write_held(Some(seq)) != Some(false),
            None => true,
        };
        if written && !self.ctx.opts.tcp_nodelay {
            self.stream.push_past_nagle();
        }
    }

    /// Writes queued frames until done or the kernel would block; in that
    /// case makes sure the I/O thread watches for room to write the rest.
    pub(super) fn flush(&self, st: &mut ConnState) -> Result<(), ()> {
        // Whatever was held back is offered to the kernel now.
        st.held = None;
        let res = self.write_out(st);
        if res.is_ok() && self.output_pending(st) && !st.output_watched {
            st.output_watched = true;
            reactor::get().submit(Cmd::WatchOutput(self.token, self.id));
        }
        res
    }

    /// Output not yet with the kernel: queued frames, or TLS records.
    pub(super) fn output_pending(&self, st: &ConnState) -> bool {
        st.conn.has_output() || self.stream.has_buffered_output()
    }

    fn write_out(&self, st: &mut ConnState) -> Result<(), ()> {
        // TLS records waiting for room go first (the stream takes no more
        // plaintext until they have).
        match self.stream.flush_buffered() {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(_) => return Err(()),
        }
        while st.conn.has_output() {
            // A few frames (the usual case) are gathered in a small array:
            // filling the large one costs more than a short message's write.
            let res = if st.conn.frames_queued() <= FEW_FRAMES {
                self.write_some::<{ FEW_FRAMES * 3 }>(st)
            } else {
                self.write_some::<MAX_IOVECS>(st)
            };
            match res {
                Ok(0) => return Err(()),
                Ok(written) => st.conn.wrote(written),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(()),
            }
        }
        Ok(())
    }

    /// One writev of the unwritten parts of the queued frames, up to N.
    fn write_some<const N: usize>(&self, st: &ConnState) -> io::Result<usize> {
        let mut slices = [IoSlice::new(&[]); N];
        let n = st.conn.gather(&mut slices);
        self.stream.write_vectored(&slices[..n])
    }

    pub(super) fn send_msg(&self, msg: Msg) -> Result<(), Msg> {
        if self.closed.load(Ordering::Acquire) {
            return Err(msg);
        }
        let mut st = self.state.lock();
        let len = msg.wire_len();
        if st.broken {
            return Err(msg);
        }
        let over = |st: &ConnState| st.conn.would_exceed(len);
        if over(&st) && st.held.is_some() {
            // Messages held back for a batch were never offered to the
            // kernel: offer them before calling the pipe full.
            if self.flush(&mut st).is_err() {
                self.break_off(st);
                return Err(msg);
            }
        }
        if over(&st) {
            return Err(msg);
        }
        st.conn.queue(msg)?;
        // Held back for a batch while this thread streams (see
        // `batching`); written at once after a receive on this pipe:
        // request and reply is no stream.
        let stream_started = if st.conn.take_received() || !st.conn.is_active() {
            None
        } else {
            batching::streaming()
        };
        if st.conn.frames_queued() > 1 && st.held.is_none() {
            // Output the kernel would not take waits for room; the I/O
            // thread writes this after it.
            return Ok(());
        }
        if let Some(now) = stream_started {
            if st.held.is_none() {
                st.batch_seq += 1;
                st.held = Some(st.batch_seq);
                st.batch_started = now;
                batching::hold(self.me.clone(), st.batch_seq, now);
            }
            // Half of NN_SNDBUF at most, so a batch never makes the pipe
            // look full (to senders and to NN_SNDFD) while the kernel has room.
            let batch_full = st.conn.frames_queued() >= batching::BATCH_FRAMES
                || st.conn.out_bytes() >= batching::BATCH_BYTES.min(self.ctx.opts.sndbuf / 2)
                || now.saturating_duration_since(st.batch_started) >= batching::BATCH_AGE;
            if !batch_full {
                return Ok(());
            }
        }
        if self.flush(&mut st).is_err() {
            self.break_off(st);
        }
        Ok(())
    }

    pub(super) fn send_from_buffer(&self, data: &[u8]) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        let mut st = self.state.lock();
        if st.broken || !st.conn.is_active() || self.output_pending(&st) {
            return false;
        }
        let Some((h, n)) = st.conn.frame_header(data.len()) else {
            return false;
        };
        let bufs = [IoSlice::new(&h[..n]), IoSlice::new(data)];
        let written = match self.stream.write_vectored(&bufs) {
            Ok(w) => w,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                0
            }
            Err(_) => {
                // As for a queued message: accepted, and lost with the
                // connection.
                self.break_off(st);
                return true;
            }
        };
        if written == 0 {
            return false;
        }
        // What the kernel did not take is copied and queued, and the I/O
        // thread writes it when there is room.
        if st.conn.sent_directly(data, written).is_err() {
            // Half a frame is on the wire and the rest cannot be kept.
            self.break_off(st);
            return true;
        }
        if self.output_pending(&st) && self.flush(&mut st).is_err() {
            self.break_off(st);
        }
        true
    }
}
