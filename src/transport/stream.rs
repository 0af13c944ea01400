//! One SP connection over a byte stream (TCP or Unix socket), shared by the
//! reactor thread and the application's threads.
//!
//! The application's thread does what it can itself: a send on an idle
//! connection is written straight from the caller's thread, and a receive
//! that frees room in a full input queue reads on from the caller's thread.
//! The reactor only steps in when the kernel says "would block".

use std::io::{self, IoSlice, Read};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use parking_lot::{Mutex, MutexGuard};

use super::batching;
use super::connection::{Close, Connection, Limits};
use super::framing::Wire;
use super::reactor::{self, Cmd};
use super::ws_codec::Role;
use super::EndpointCtx;
use crate::fault;
use crate::message::{FillingChunk, Msg, RecvBuf};
use crate::pipe::PipeEvent;
use crate::pipe::{next_pipe_id, DirectRead, Pipe, PipeId};

/// A connected, non-blocking byte stream.
pub enum Stream {
    Tcp(mio::net::TcpStream),
    Unix(mio::net::UnixStream),
}

impl Stream {
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => (&*s).read(buf),
            Stream::Unix(s) => (&*s).read(buf),
        }
    }

    pub fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        crate::sys::send_vectored(self.raw_fd(), bufs)
    }

    pub fn shutdown(&self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            Stream::Unix(s) => s.shutdown(Shutdown::Both),
        };
    }

    /// Called once a connection's opening exchange (SP headers, WebSocket
    /// upgrade) is done. Each side sent right after it received, which the
    /// kernel takes for request/reply traffic: it starts delaying its ACKs
    /// to carry them on replies. A one-way stream (PUSH, PUB) has none, so
    /// with Nagle on, the sender's next small message waited for the
    /// delayed-ACK timer (~40 ms), and a busy stream was ACKed every other
    /// segment, late, at under half speed. Interactive traffic that follows
    /// puts the kernel back into delaying ACKs by itself.
    pub fn ack_promptly(&self) {
        if let Stream::Tcp(s) = self {
            crate::sys::tcp_quickack(s.as_raw_fd());
        }
    }

    /// A connection that never leaves this host (to a loopback address,
    /// or to the host's own address, which Linux carries over loopback
    /// too) has no network path for congestion control to model. BBR
    /// nevertheless paces it with kernel timers: 64 KiB messages crossed
    /// at ~1.3 GB/s on a BBR host, against ~7 GB/s with cubic (the
    /// raw-socket stream of perf/raw_floor.c, either way). Such a
    /// connection is switched to cubic (or reno); any other is left alone.
    pub fn skip_pacing_on_host(&self) {
        let Stream::Tcp(s) = self else {
            return;
        };
        let (Ok(own), Ok(peer)) = (s.local_addr(), s.peer_addr()) else {
            return;
        };
        if !stays_on_host(own.ip(), peer.ip()) {
            return;
        }
        let fd = s.as_raw_fd();
        if crate::sys::tcp_congestion(fd).is_some_and(|cc| cc.starts_with("bbr")) {
            let _ = crate::sys::set_tcp_congestion(fd, "cubic")
                || crate::sys::set_tcp_congestion(fd, "reno");
        }
    }

    /// Sends what Nagle's algorithm holds back now, leaving it on for what
    /// follows: setting TCP_NODELAY flushes pending output (tcp(7)).
    pub fn push_past_nagle(&self) {
        if let Stream::Tcp(s) = self {
            let _ = s.set_nodelay(true);
            let _ = s.set_nodelay(false);
        }
    }

    pub fn raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
        }
    }

    /// After a non-blocking connect: connected (true), still in progress
    /// (false), or the error it failed with.
    pub fn connect_status(&self) -> io::Result<bool> {
        let (err, peer) = match self {
            Stream::Tcp(s) => (s.take_error(), s.peer_addr().map(drop)),
            Stream::Unix(s) => (s.take_error(), s.peer_addr().map(drop)),
        };
        if let Some(e) = err? {
            return Err(e);
        }
        match peer {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn wire(&self) -> Wire {
        match self {
            Stream::Tcp(_) => Wire::Tcp,
            Stream::Unix(_) => Wire::Ipc,
        }
    }
}

/// A connection's state: the sans-I/O machine, and what driving it from
/// several threads needs besides.
struct ConnState {
    conn: Connection,
    /// Reading or writing failed; the reactor tears the connection down.
    broken: bool,
    /// The connection is gone but messages are still queued: the socket is
    /// told once the last is received.
    remove_when_drained: bool,
    /// The socket was told the pipe is gone.
    removed: bool,
    /// The I/O thread watches for room to write. Always so while output
    /// is queued; cleared when it reports room with nothing to write.
    output_watched: bool,
    /// The queued output is a batch held back from the kernel (see
    /// `batching`), and which one: batches are numbered per pipe.
    held: Option<u64>,
    batch_seq: u64,
    /// When the first message of the held batch was queued.
    batch_started: Instant,
    /// Reads the current step may still make (the I/O thread's share).
    reads_left: usize,
}

/// What a read step did: messages queued on the pipe, or one read into
/// the receiver's buffer; `broken`: the connection must go, after that
/// delivery.
struct Filled {
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
const IO_THREAD_READS: usize = 64;

/// Reads of this size or more go straight into the message body.
const DIRECT_READ: usize = 16 * 1024;
const SCRATCH_LEN: usize = 64 * 1024;

thread_local! {
    /// Where reads land before decoding (large bodies are read in place).
    static SCRATCH: std::cell::RefCell<Box<[u8]>> =
        std::cell::RefCell::new(vec![0u8; SCRATCH_LEN].into_boxed_slice());
}
/// Pieces gathered into one writev (two or three per message).
const MAX_IOVECS: usize = 160;
/// Up to this many queued frames are gathered in a small array.
const FEW_FRAMES: usize = 2;

/// What a reactor-driven step found out.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    Nothing,
    /// The handshake completed: tell the socket about the pipe.
    Established,
    /// The connection failed and must be torn down; if its handshake
    /// completed in the same step, the socket must first be told of it (the
    /// messages that came with it are still to be received).
    Dead {
        established: bool,
    },
}

pub struct StreamPipe {
    id: PipeId,
    stream: Stream,
    ctx: EndpointCtx,
    state: Mutex<ConnState>,
    closed: AtomicBool,
    token: usize,
    /// Messages are queued in `state.inq` (kept in step under its lock).
    has_input: AtomicBool,
    /// Receivers waiting on this connection's descriptor themselves.
    direct_waiters: AtomicUsize,
    /// The I/O thread stopped watching for input, leaving the reading to
    /// the direct waiters (see `park_reads`).
    reads_parked: AtomicBool,
    /// A receiver asked the I/O thread to watch for input again.
    unpark_asked: AtomicBool,
    /// The I/O thread's last read step used its share with input left.
    more_input: AtomicBool,
    /// This pipe, for the list of held batches (see `batching`).
    me: Weak<StreamPipe>,
}

impl StreamPipe {
    /// A tcp:// or ipc:// connection; the SP handshake is queued first.
    pub fn new(stream: Stream, ctx: EndpointCtx, token: usize) -> StreamPipe {
        let conn = Connection::sp(
            stream.wire(),
            ctx.protocol,
            limits(&ctx),
            ctx.opts.rcvmaxsize,
        );
        StreamPipe::build(stream, ctx, token, conn)
    }

    /// A ws:// connection whose upgrade completed: active at once, with
    /// the peer's protocol known from the negotiated subprotocol.
    pub fn new_ws(
        stream: Stream,
        ctx: EndpointCtx,
        token: usize,
        role: Role,
        leftover: Vec<u8>,
    ) -> StreamPipe {
        let conn = Connection::ws(
            role,
            ctx.protocol,
            ctx.opts.ws_text,
            limits(&ctx),
            ctx.opts.rcvmaxsize,
            leftover,
        );
        stream.ack_promptly();
        StreamPipe::build(stream, ctx, token, conn)
    }

    fn build(stream: Stream, ctx: EndpointCtx, token: usize, conn: Connection) -> StreamPipe {
        StreamPipe {
            id: next_pipe_id(),
            state: Mutex::new(ConnState {
                conn,
                broken: false,
                remove_when_drained: false,
                removed: false,
                output_watched: true,
                held: None,
                batch_seq: 0,
                batch_started: Instant::now(),
                reads_left: usize::MAX,
            }),
            stream,
            ctx,
            closed: AtomicBool::new(false),
            token,
            has_input: AtomicBool::new(false),
            direct_waiters: AtomicUsize::new(0),
            reads_parked: AtomicBool::new(false),
            unpark_asked: AtomicBool::new(false),
            more_input: AtomicBool::new(false),
            me: Weak::new(),
        }
    }

    /// Puts the pipe in an Arc that it knows itself by.
    pub fn into_arc(mut self) -> Arc<StreamPipe> {
        Arc::new_cyclic(|me| {
            self.me = me.clone();
            self
        })
    }

    /// Whether the pipe is ready for the socket (handshake done).
    pub fn is_active(&self) -> bool {
        self.state.lock().conn.is_active()
    }

    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    pub fn stats(&self) -> &crate::stats::Stats {
        &self.ctx.link.stats
    }

    /// The endpoint's name for NN_PRINT_ERRORS lines.
    pub fn label(&self) -> &str {
        &self.ctx.label
    }

    /// An application's thread panicked in this connection's code: the
    /// connection goes (the I/O thread tears it down, counting it broken),
    /// and the caller carries on as if it had broken by itself.
    fn fail_after_panic(&self) {
        crate::report::endpoint_error(&self.ctx.label, libc::ECONNABORTED);
        self.closed.store(true, Ordering::Release);
        let st = self.state.lock();
        if st.broken {
            // Marked before the panic: the close may not have been asked.
            drop(st);
            reactor::get().submit(Cmd::ClosePipe(self.token, self.id));
        } else {
            self.break_off(st);
        }
    }

    pub fn link_event(&self, ev: PipeEvent) {
        self.ctx.link.push_event(ev);
    }

    /// Stops the pipe taking messages and tells the socket it is gone — at
    /// once, or, if received messages are still queued, after the last one
    /// is taken, so nothing that arrived is lost.
    pub fn detach(&self) {
        self.closed.store(true, Ordering::Release);
        let mut st = self.state.lock();
        if !st.conn.has_messages() {
            if !std::mem::replace(&mut st.removed, true) {
                drop(st);
                self.ctx.link.push_event(PipeEvent::Removed(self.id));
            }
        } else {
            st.remove_when_drained = true;
        }
    }

    /// I/O thread, on input: if a receiver waits on this connection itself,
    /// it will read the data; the I/O thread then stops watching for input
    /// (true), so that later messages wake only the receiver — a second
    /// thread woken per message costs a context switch each time.
    ///
    /// Not while NN_SNDFD / NN_RCVFD are in use: they must follow every
    /// arrival.
    pub fn park_reads(&self) -> bool {
        if self.ctx.link.readiness_watched() {
            self.reads_parked.store(false, Ordering::SeqCst);
            return false;
        }
        // Parked first, then the waiters checked: a receiver that leaves
        // in between sees the flag (end_direct_wait) and asks for input to
        // be watched again.
        self.reads_parked.store(true, Ordering::SeqCst);
        if self.direct_waiters.load(Ordering::SeqCst) > 0 {
            return true;
        }
        self.reads_parked.store(false, Ordering::SeqCst);
        false
    }

    pub fn reads_parked(&self) -> bool {
        self.reads_parked.load(Ordering::SeqCst)
    }

    pub fn has_direct_waiters(&self) -> bool {
        self.direct_waiters.load(Ordering::SeqCst) > 0
    }

    /// I/O thread: it watches for input again.
    pub fn unpark_reads(&self) {
        self.reads_parked.store(false, Ordering::SeqCst);
        self.unpark_asked.store(false, Ordering::SeqCst);
    }

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

    /// Whether the I/O thread's last step left input to read (its share of
    /// reads ran out); clears the flag.
    pub fn take_more_input(&self) -> bool {
        self.more_input.load(Ordering::Relaxed) && self.more_input.swap(false, Ordering::Relaxed)
    }

    pub fn has_pending_output(&self) -> bool {
        self.state.lock().conn.has_output()
    }

    /// Whether the I/O thread should watch for room to write.
    pub fn output_watched(&self) -> bool {
        self.state.lock().output_watched
    }

    /// Reactor step: the stream may be writable (reported so if
    /// `writable`), and readable if `readable`.
    pub fn on_ready(&self, readable: bool, writable: bool) -> Progress {
        let mut st = self.state.lock();
        if st.broken {
            return Progress::Dead { established: false };
        }
        if writable && !st.conn.has_output() {
            st.output_watched = false;
        }
        let (out_before, in_before) = (st.conn.out_bytes(), st.conn.messages_queued());
        let was_active = st.conn.is_active();
        let wrote = self.flush(&mut st);
        // Reading stopped while the peer left its pongs unread resumes once
        // they have drained (to half the cap, so each pause lasts).
        let drained = st.conn.may_resume();
        // Read even if writing failed, and keep what was read even if the
        // stream then ends: a peer may send, then close at once.
        let read = if readable || wrote.is_err() || drained {
            // A bounded share for this connection, so that a peer sending
            // as fast as it is read cannot keep the I/O thread from every
            // other connection; the reactor comes back for the rest.
            st.reads_left = IO_THREAD_READS;
            let read = self.fill(&mut st);
            st.reads_left = usize::MAX;
            read
        } else {
            Ok(0)
        };
        let established = !was_active && st.conn.is_active();
        let dead = wrote.is_err() || read.is_err();
        st.broken |= dead;
        let wake = st.conn.out_bytes() < out_before || st.conn.messages_queued() > in_before;
        drop(st);
        if wake {
            self.ctx.link.wake();
        }
        match (established, dead) {
            (_, true) => Progress::Dead { established },
            (true, false) => Progress::Established,
            (false, false) => Progress::Nothing,
        }
    }

    /// Writes queued frames until done or the kernel would block; in that
    /// case makes sure the I/O thread watches for room to write the rest.
    fn flush(&self, st: &mut ConnState) -> Result<(), ()> {
        // Whatever was held back is offered to the kernel now.
        st.held = None;
        let res = self.write_out(st);
        if res.is_ok() && st.conn.has_output() && !st.output_watched {
            st.output_watched = true;
            reactor::get().submit(Cmd::WatchOutput(self.token, self.id));
        }
        res
    }

    fn write_out(&self, st: &mut ConnState) -> Result<(), ()> {
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

    /// Reads and decodes until the kernel would block or the input queue is
    /// full. Returns the number of messages queued.
    fn fill(&self, st: &mut ConnState) -> Result<usize, ()> {
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
        self.has_input
            .store(st.conn.has_messages(), Ordering::Release);
        res
    }

    fn read_in(
        &self,
        st: &mut ConnState,
        stop_when_short: bool,
        mut into: Option<&mut RecvBuf<'_>>,
    ) -> Result<Filled, ()> {
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
            if let Some(body) = st.conn.body_to_read(DIRECT_READ) {
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

    /// Marks the connection broken and, the first time, asks the reactor
    /// to tear it down (after letting go of the state lock).
    fn break_off(&self, mut st: MutexGuard<'_, ConnState>) {
        if std::mem::replace(&mut st.broken, true) {
            return;
        }
        drop(st);
        reactor::get().submit(Cmd::ClosePipe(self.token, self.id));
    }
}

/// The application's threads enter a connection's code through [`Pipe`];
/// each entry contains a panic there (see [`StreamPipe::fail_after_panic`]).
impl Pipe for StreamPipe {
    fn id(&self) -> PipeId {
        self.id
    }

    fn send(&self, msg: Msg) -> Result<(), Msg> {
        // (A message taken into a connection that then panicked is lost
        // with it, as with any connection that breaks.)
        fault::contain(|| self.send_msg(msg)).unwrap_or_else(|| {
            self.fail_after_panic();
            Ok(())
        })
    }

    fn send_from(&self, data: &[u8]) -> bool {
        fault::contain(|| self.send_from_buffer(data)).unwrap_or_else(|| {
            self.fail_after_panic();
            true
        })
    }

    fn recv(&self) -> Option<Msg> {
        fault::contain(|| self.recv_msg()).unwrap_or_else(|| {
            self.fail_after_panic();
            None
        })
    }

    fn read_now(&self, into: Option<&mut RecvBuf<'_>>) -> DirectRead {
        fault::contain(|| self.read_directly(into)).unwrap_or_else(|| {
            self.fail_after_panic();
            DirectRead::Nothing
        })
    }

    fn can_send(&self) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        let st = self.state.lock();
        !st.broken && st.conn.has_room()
    }

    fn can_recv(&self) -> bool {
        self.has_input.load(Ordering::Acquire)
    }

    fn close(&self) {
        if !self.closed.load(Ordering::Acquire) {
            reactor::get().submit(Cmd::ClosePipe(self.token, self.id));
        }
    }

    fn input_likely(&self) -> bool {
        // (Bytes that came with the WebSocket upgrade are input too, and
        // no poll would announce them.)
        let st = self.state.lock();
        st.conn.received_since_send() || st.conn.has_pending_input()
    }

    fn wait_fd(&self) -> Option<RawFd> {
        let st = self.state.lock();
        let usable = st.conn.is_active()
            && !st.broken
            && !st.conn.is_paused()
            && !self.closed.load(Ordering::Acquire);
        usable.then(|| self.stream.raw_fd())
    }

    fn flush_now(&self) {
        if fault::contain(|| self.write_held(None)).is_none() {
            self.fail_after_panic();
        }
    }

    fn begin_direct_wait(&self) {
        self.direct_waiters.fetch_add(1, Ordering::SeqCst);
    }

    fn end_direct_wait(&self, fd_ready: bool) {
        self.direct_waiters.fetch_sub(1, Ordering::SeqCst);
        // A receiver woken by data reads it next, and keeps the I/O thread
        // out of the way for the messages after it. One that gave up
        // (timeout, another wake-up) may never read: hand input back.
        if !fd_ready {
            self.keep_input_watched();
        }
    }

    fn hung_up(&self) -> bool {
        if self.closed.load(Ordering::Acquire) || self.state.lock().broken {
            return true;
        }
        // The hang-up may be waiting unread: input left to a direct reader
        // that has not run yet, or an event the I/O thread has yet to
        // reach. (Only asked when a PAIR peer is refused: a system call
        // then is nothing.)
        let mut fds = [libc::pollfd {
            fd: self.stream.raw_fd(),
            events: libc::POLLRDHUP,
            revents: 0,
        }];
        crate::sys::poll(&mut fds, 0).is_ok_and(|n| {
            n > 0 && fds[0].revents & (libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR) != 0
        })
    }

    fn keep_input_watched(&self) {
        if self.reads_parked.load(Ordering::SeqCst)
            && !self.unpark_asked.swap(true, Ordering::SeqCst)
        {
            reactor::get().submit(Cmd::WatchInput(self.token, self.id));
        }
    }

    fn send_priority(&self) -> u8 {
        self.ctx.opts.sndprio
    }

    fn recv_priority(&self) -> u8 {
        self.ctx.opts.rcvprio
    }
}

/// The work behind the [`Pipe`] entries, run under their containment.
impl StreamPipe {
    fn send_msg(&self, msg: Msg) -> Result<(), Msg> {
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

    fn send_from_buffer(&self, data: &[u8]) -> bool {
        if self.closed.load(Ordering::Acquire) {
            return false;
        }
        let mut st = self.state.lock();
        if st.broken || !st.conn.is_active() || st.conn.has_output() {
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
        if st.conn.has_output() && self.flush(&mut st).is_err() {
            self.break_off(st);
        }
        true
    }

    fn recv_msg(&self) -> Option<Msg> {
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
    fn read_directly(&self, into: Option<&mut RecvBuf<'_>>) -> DirectRead {
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

/// Whether a TCP connection between these addresses never leaves this
/// host: either end is a loopback address (an IPv4 one may come mapped
/// into IPv6, from a socket bound to `*`), or the peer is at the
/// connection's own address.
fn stays_on_host(own: std::net::IpAddr, peer: std::net::IpAddr) -> bool {
    let (own, peer) = (own.to_canonical(), peer.to_canonical());
    own.is_loopback() || peer.is_loopback() || peer == own
}

/// Wraps a pipe for handing to the socket.
pub fn as_pipe(p: &Arc<StreamPipe>) -> Arc<dyn Pipe> {
    p.clone()
}

/// The limits a connection starts with, from its endpoint's options.
fn limits(ctx: &EndpointCtx) -> Limits {
    Limits {
        sndbuf: ctx.opts.sndbuf,
        rcvbuf: ctx.opts.rcvbuf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{EndpointOptions, SocketLink};

    #[test]
    fn only_connections_within_the_host_count_as_host_local() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert!(stays_on_host(ip("127.0.0.1"), ip("127.0.0.1")));
        assert!(stays_on_host(ip("::1"), ip("::1")));
        assert!(stays_on_host(ip("10.1.2.3"), ip("10.1.2.3")));
        assert!(!stays_on_host(ip("10.1.2.3"), ip("10.1.2.4")));
        assert!(!stays_on_host(ip("fe80::1"), ip("fe80::2")));
        // An accepted connection on a socket bound to `*` sees IPv4
        // addresses mapped into IPv6.
        assert!(stays_on_host(
            ip("::ffff:127.0.0.2"),
            ip("::ffff:127.0.0.1")
        ));
        assert!(stays_on_host(ip("::ffff:10.1.2.3"), ip("10.1.2.3")));
        assert!(!stays_on_host(ip("::ffff:10.1.2.3"), ip("::ffff:10.1.2.4")));
        // A loopback source (tcp://127.0.0.1;host-address:port) reaches
        // only this host.
        assert!(stays_on_host(ip("127.0.0.1"), ip("10.1.2.3")));
    }

    /// A message that arrived in the same read as the WebSocket upgrade
    /// response is waiting before the connection ever polls readable: a
    /// receiver must read before it waits (this once stranded it).
    #[test]
    fn input_from_the_upgrade_is_read_before_waiting() {
        let (ours, _peer) = std::os::unix::net::UnixStream::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let ctx = EndpointCtx {
            link: SocketLink::new(),
            protocol: crate::abi::NN_PAIR,
            opts: EndpointOptions::default(),
            label: "test".into(),
        };
        let stream = Stream::Unix(mio::net::UnixStream::from_std(ours));
        let leftover = [&[0x82u8, 5][..], b"hello"].concat();
        let pipe = StreamPipe::new_ws(stream, ctx, 0, Role::Client, leftover).into_arc();
        assert!(pipe.input_likely());
        assert_eq!(pipe.read_now(None), DirectRead::Queued);
        assert_eq!(pipe.recv().unwrap().body.as_slice(), b"hello");
    }
}
