//! One SP connection over a byte stream (TCP or Unix socket), shared by the
//! reactor thread and the application's threads.
//!
//! The application's thread does what it can itself: a send on an idle
//! connection is written straight from the caller's thread, and a receive
//! that frees room in a full input queue reads on from the caller's thread.
//! The reactor only steps in when the kernel says "would block".
//!
//! Here: the pipe, its shared state and the reactor's step (`on_ready`),
//! and the [`Pipe`] entries the socket calls. `input` reads and decodes
//! (into the queue or straight into a receiver's buffer), `output` queues,
//! batches and writes, `socket` is the tcp/unix stream and its options.

use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use parking_lot::{Mutex, MutexGuard};

use super::connection::{Connection, Limits};
use super::reactor::{self, Cmd};
use super::ws_codec::Role;
use super::EndpointCtx;
use crate::fault;
use crate::message::{Msg, RecvBuf};
use crate::pipe::PipeEvent;
use crate::pipe::{next_pipe_id, DirectRead, Pipe, PipeId};

mod input;
mod output;
mod socket;
mod tls_stream;

use input::IO_THREAD_READS;
pub use socket::Stream;
pub use tls_stream::TlsStream;

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

    /// Whether the I/O thread's last step left input to read (its share of
    /// reads ran out); clears the flag.
    pub fn take_more_input(&self) -> bool {
        self.more_input.load(Ordering::Relaxed) && self.more_input.swap(false, Ordering::Relaxed)
    }

    pub fn has_pending_output(&self) -> bool {
        let st = self.state.lock();
        self.output_pending(&st)
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
        if writable && !self.output_pending(&st) {
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
            tls: None,
        };
        let stream = Stream::Unix(mio::net::UnixStream::from_std(ours));
        let leftover = [&[0x82u8, 5][..], b"hello"].concat();
        let pipe = StreamPipe::new_ws(stream, ctx, 0, Role::Client, leftover).into_arc();
        assert!(pipe.input_likely());
        assert_eq!(pipe.read_now(None), DirectRead::Queued);
        assert_eq!(pipe.recv().unwrap().body.as_slice(), b"hello");
    }
}
