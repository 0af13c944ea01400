//! A stream pipe's input: reading from the kernel and decoding into the
//! queue, or (for a receiver waiting with its own buffer) into that buffer,
//! from the I/O thread or the caller's thread.

use std::io;
use std::sync::atomic::Ordering;

use super::{ConnState, StreamPipe};
use crate::fault;
use crate::message::{FillingChunk, Msg, RecvBuf};
use crate::pipe::{DirectRead, PipeEvent};
use crate::transport::connection::Close;

/// What a read step did: messages queued on the pipe, or one read into
/// the receiver's buffer; `broken`: the connection must go, after that
/// delivery.
pub(super) struct Filled {
    queued: usize,
    delivered: Option<usize>,
    broken: bool,
}

/// What `read_into_buffer` did.
enum IntoBuffer {
    /// Not at a frame boundary, or interrupted: nothing read.
    Skipped,
    /// The kernel had nothing.
    Nothing,
    /// A message of `len` bytes delivered into the buffer, and `queued`
    /// messages that followed it; `broken`: what followed was malformed,
    /// and the connection must go (after this delivery).
    Delivered {
        len: usize,
        queued: usize,
        broken: bool,
    },
    /// Read and decoded the usual way; `drained`: the read came back short.
    Decoded { queued: usize, drained: bool },
}

/// Reads the I/O thread makes on one connection per step (up to 4 MiB)
/// before it serves the others and comes back.
pub(super) const IO_THREAD_READS: usize = 64;

/// Reads of this size or more go straight into the message body.
const DIRECT_READ: usize = 16 * 1024;
const SCRATCH_LEN: usize = 64 * 1024;

thread_local! {
    /// Where reads land before decoding (large bodies are read in place).
    static SCRATCH: std::cell::RefCell<Box<[u8]>> =
        std::cell::RefCell::new(vec![0u8; SCRATCH_LEN].into_boxed_slice());
}

impl StreamPipe {
    /// Reads and decodes until the kernel would block or the input queue is
    /// full. Returns the number of messages queued.
    pub(super) fn fill(&self, st: &mut ConnState) -> Result<usize, ()> {
        self.fill_until(st, false, None).map(|f| f.queued)
    }

    /// Like `fill`, but with `stop_when_short`, stops after a read that
    /// returned less than asked for: the kernel held no more just then, and
    /// the read that would say so costs a system call. Only for a receiver
    /// about to take what it read: a reader that must see the end of the
    /// stream (a close arriving with the last data) reads on.
    ///
    /// With `into`, the next message may go into that buffer instead of
    /// the queue (see `read_into_buffer` and `read_body_into`).
    fn fill_until(
        &self,
        st: &mut ConnState,
        stop_when_short: bool,
        into: Option<&mut RecvBuf<'_>>,
    ) -> Result<Filled, ()> {
        let res = self.read_in(st, stop_when_short, into);
        // TLS may answer what it read (its handshake, a key update), and
        // sends what waited for the handshake once it is done.
        if res.is_ok() && self.stream.has_buffered_output() && self.flush(st).is_err() {
            return Err(());
        }
        self.has_input
            .store(st.conn.has_messages(), Ordering::Release);
        res
    }

    fn read_in(
        &self,
        st: &mut ConnState,
        stop_when_short: bool,
        into: Option<&mut RecvBuf<'_>>,
    ) -> Result<Filled, ()> {
        // Through TLS every byte goes through the stream's own read.
        let in_place = self.stream.reads_in_place();
        let mut into = into.filter(|_| in_place);
        let mut got = 0;
        let queued = |queued| Filled {
            queued,
            delivered: None,
            broken: false,
        };
        // NN_RCVMAXSIZE as it is now: nanomsg checks each message against
        // the value of the moment.
        st.conn.set_max_size(self.ctx.link.rcvmaxsize());
        if st.conn.has_pending_input() {
            let bytes = st.conn.take_pending_input();
            got += self.decode(st, &bytes)?;
        }
        if let (Some(buf), false) = (into.as_deref_mut(), st.conn.has_messages()) {
            let step =
                SCRATCH.with_borrow_mut(|scratch| self.read_into_buffer(st, buf, scratch))?;
            match step {
                IntoBuffer::Skipped => {}
                IntoBuffer::Nothing => return Ok(queued(got)),
                IntoBuffer::Delivered {
                    len,
                    queued,
                    broken,
                } => {
                    return Ok(Filled {
                        queued: got + queued,
                        delivered: Some(len),
                        broken,
                    })
                }
                IntoBuffer::Decoded { queued: n, drained } => {
                    got += n;
                    if stop_when_short && drained {
                        return Ok(queued(got));
                    }
                }
            }
        }
        loop {
            if !st.conn.may_read() {
                return Ok(queued(got));
            }
            if st.reads_left == 0 {
                self.more_input.store(true, Ordering::Relaxed);
                return Ok(queued(got));
            }
            st.reads_left -= 1;
            // Large SP bodies are read straight into the message, or into
            // the receiver's buffer if the message goes there next.
            let answer_into = !st.conn.has_messages() && !st.conn.received_since_send();
            if let (Some(buf), true) = (into.as_deref_mut(), answer_into) {
                if let Some(body) = st.conn.body_to_read(DIRECT_READ) {
                    if let Some(len) = self.read_body_into(body, buf)? {
                        st.conn.body_taken();
                        return Ok(Filled {
                            queued: got,
                            delivered: Some(len),
                            broken: false,
                        });
                    }
                }
            }
            if let Some(body) = st.conn.body_to_read(DIRECT_READ).filter(|_| in_place) {
                let wanted = body.next_read_len();
                match body.read_from(self.stream.raw_fd()) {
                    Ok(0) => return Err(()),
                    Ok(n) => {
                        if st.conn.body_filled() {
                            got += 1;
                        }
                        if stop_when_short && n < wanted {
                            return Ok(queued(got));
                        }
                        continue;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(queued(got)),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => return Err(()),
                }
            }
            // One read buffer per thread, not per connection: idle
            // connections then cost no buffer at all.
            let r = SCRATCH.with_borrow_mut(|scratch| match self.stream.read(scratch) {
                Ok(0) => Err(()),
                Ok(n) => {
                    let drained = n < scratch.len();
                    self.decode(st, &scratch[..n]).map(|m| Some((m, drained)))
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Some((0, false))),
                Err(_) => Err(()),
            });
            match r? {
                Some((n, drained)) => {
                    got += n;
                    if stop_when_short && drained {
                        return Ok(queued(got));
                    }
                }
                None => return Ok(queued(got)),
            }
        }
    }

    /// A receiver's first read with its own buffer at hand, at a frame
    /// boundary. The buffer is written only with a message delivered into
    /// it, and only with that message: nanomsg never touches it otherwise.
    ///
    /// The read goes to `scratch` as usual, and the first message, if it
    /// fits and came whole, is copied from there into the buffer (no
    /// allocation, one copy instead of two). Waiting for an answer (a
    /// message was sent on this pipe since the last one received), large
    /// bodies go further: if the rest of one has arrived, what came is
    /// copied and the rest read into the buffer; and after a large answer,
    /// the frame header is read on its own, and the body, if it fits and
    /// has all arrived, is read straight into the buffer: no copy at all,
    /// for one more system call. (A stream is read in large reads that
    /// bring many messages at once instead: there, reading each header on
    /// its own and asking the kernel how much has arrived halved the
    /// throughput of 64 KiB messages.) Whatever is not delivered is decoded
    /// as usual.
    fn read_into_buffer(
        &self,
        st: &mut ConnState,
        buf: &mut RecvBuf<'_>,
        scratch: &mut [u8],
    ) -> Result<IntoBuffer, ()> {
        let Some(hlen) = st.conn.plain_frame_start() else {
            return Ok(IntoBuffer::Skipped);
        };
        let mut head = [0u8; 9];
        let answer = !st.conn.received_since_send();
        let header_first = answer && st.conn.last_was_large();
        let into: &mut [u8] = if header_first {
            &mut head[..hlen]
        } else {
            scratch
        };
        let n = match self.stream.read(into) {
            Ok(0) => return Err(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(IntoBuffer::Nothing),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(IntoBuffer::Skipped),
            Err(_) => return Err(()),
        };
        let bytes = &into[..n];
        let len = if n >= hlen {
            st.conn.body_len(&bytes[..hlen])
        } else {
            None
        };
        if let Some(len) = len {
            st.conn.set_last_was_large(len >= DIRECT_READ);
        }
        if let Some(len) = len.filter(|&len| len <= buf.capacity()) {
            let came = (n - hlen).min(len);
            let whole = came == len || (answer && self.all_arrived(len - came));
            if whole {
                buf.clear();
                buf.append(&bytes[hlen..hlen + came]);
                if self.finish_into(buf, len)? {
                    fault::on_message_received(buf.written());
                    // What came after the body starts the next messages; a
                    // fault there ends the connection, not this delivery.
                    let rest = self.decode(st, bytes.get(hlen + len..).unwrap_or_default());
                    st.conn.delivered_directly();
                    return Ok(IntoBuffer::Delivered {
                        len,
                        queued: rest.unwrap_or(0),
                        broken: rest.is_err(),
                    });
                }
                // (The kernel held less than it said: what was read is
                // decoded as usual. Only here is the buffer written with
                // no delivery; FIONREAD makes it all but impossible.)
                let mut queued = self.decode(st, &bytes[..hlen])?;
                queued += self.decode(st, buf.written())?;
                return Ok(IntoBuffer::Decoded {
                    queued,
                    drained: true,
                });
            }
        }
        let queued = self.decode(st, bytes)?;
        Ok(IntoBuffer::Decoded {
            queued,
            drained: n < into.len(),
        })
    }

    /// Reads the rest of a large body that is being received into the
    /// receiver's buffer instead, if the whole message fits there and has
    /// arrived (what came with its header is copied over first). The
    /// length if so; None leaves `body` to be read the usual way.
    fn read_body_into(
        &self,
        body: &mut FillingChunk,
        buf: &mut RecvBuf<'_>,
    ) -> Result<Option<usize>, ()> {
        let len = body.total_len();
        let prefix = body.filled().len();
        if len > buf.capacity() || prefix > SCRATCH_LEN || !self.all_arrived(body.remaining()) {
            return Ok(None);
        }
        buf.clear();
        buf.append(body.filled());
        if self.finish_into(buf, len)? {
            fault::on_message_received(buf.written());
            return Ok(Some(len));
        }
        body.extend_from(&buf.written()[prefix..]).ok_or(())?;
        Ok(None)
    }

    /// Whether `missing` more bytes have arrived to be read.
    fn all_arrived(&self, missing: usize) -> bool {
        crate::sys::bytes_readable(self.stream.raw_fd()).is_some_and(|n| n >= missing)
    }

    /// Reads into `buf` (which holds the start of a `len`-byte body) until
    /// the body is complete there, as it should be when `all_arrived` said
    /// so. False if the kernel had less after all: `buf` then holds the
    /// body as far as it was read.
    fn finish_into(&self, buf: &mut RecvBuf<'_>, len: usize) -> Result<bool, ()> {
        while buf.written().len() < len {
            match buf.read_from(self.stream.raw_fd(), len - buf.written().len()) {
                Ok(0) => return Err(()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(_) => return Err(()),
            }
        }
        Ok(true)
    }

    /// Decodes received bytes into queued messages (answering WebSocket
    /// pings and closes); returns how many messages were queued.
    fn decode(&self, st: &mut ConnState, bytes: &[u8]) -> Result<usize, ()> {
        if bytes.is_empty() {
            return Ok(0);
        }
        let was_active = st.conn.is_active();
        let fed = st.conn.feed(bytes);
        if !was_active && st.conn.is_active() {
            self.stream.ack_promptly();
        }
        match fed {
            Ok(fed) => {
                if fed.replies {
                    let _ = self.flush(st);
                }
                Ok(fed.queued)
            }
            Err(Close::PeerClosed) => {
                // The close reply goes out before the connection does.
                let _ = self.flush(st);
                Err(())
            }
            Err(_) => Err(()),
        }
    }

    pub(super) fn recv_msg(&self) -> Option<Msg> {
        // Receivers offer every pipe in turn: an empty one costs no lock.
        if !self.has_input.load(Ordering::Acquire) {
            return None;
        }
        let mut st = self.state.lock();
        let msg = st.conn.take_message()?;
        let drained = !st.conn.has_messages();
        if drained {
            self.has_input.store(false, Ordering::Release);
        }
        if st.remove_when_drained && drained && !std::mem::replace(&mut st.removed, true) {
            drop(st);
            self.ctx.link.push_event(PipeEvent::Removed(self.id));
            return Some(msg);
        }
        if st.conn.may_resume() && !st.broken && self.fill(&mut st).is_err() {
            self.break_off(st);
        }
        Some(msg)
    }

    /// While the pipe can take data (not paused at NN_RCVBUF, not broken),
    /// its socket is the descriptor to wait on.
    pub(super) fn read_directly(&self, into: Option<&mut RecvBuf<'_>>) -> DirectRead {
        let mut st = self.state.lock();
        if st.conn.has_messages() || !st.conn.is_active() || st.broken || st.conn.is_paused() {
            return DirectRead::Nothing;
        }
        // (A pipe being removed delivers only what it has queued.)
        let into = into.filter(|_| !st.remove_when_drained);
        match self.fill_until(&mut st, true, into) {
            Ok(Filled {
                delivered: Some(len),
                broken,
                ..
            }) => {
                if broken {
                    self.break_off(st);
                }
                DirectRead::Delivered(len)
            }
            Ok(Filled { queued: 0, .. }) => DirectRead::Nothing,
            Ok(_) => DirectRead::Queued,
            Err(()) => {
                let queued = st.conn.has_messages();
                self.break_off(st);
                if queued {
                    DirectRead::Queued
                } else {
                    DirectRead::Nothing
                }
            }
        }
    }
}
