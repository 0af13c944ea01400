//! The I/O thread: one mio event loop for every tcp:// and ipc:// endpoint
//! in the process. It accepts, dials and re-dials with back-off, runs the
//! SP handshake, and moves bytes when the application's threads could not.
//!
//! Other threads talk to it only through [`Reactor::submit`]. It never locks
//! a socket's core: it reaches sockets through their links.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};
use parking_lot::Mutex;
use slab::Slab;

use super::batching::{self, IdleFlush};
use super::stream::{as_pipe, Progress, Stream, StreamPipe};
use super::ws_codec::Role;
use super::ws_handshake;
use super::EndpointCtx;
use crate::fault;
use crate::pipe::PipeEvent;
use crate::pipe::PipeId;
use crate::stats::{dec, inc, Stats};

const WAKER: Token = Token(usize::MAX);
/// The timer that writes out what streaming senders left queued.
const FLUSH_TIMER: Token = Token(usize::MAX - 1);

/// A listening socket.
pub enum Listener {
    Tcp(mio::net::TcpListener),
    Unix(mio::net::UnixListener),
}

impl Listener {
    fn accept(&self) -> io::Result<Stream> {
        match self {
            Listener::Tcp(l) => l.accept().map(|(s, _)| Stream::Tcp(s)),
            Listener::Unix(l) => l.accept().map(|(s, _)| Stream::Unix(s)),
        }
    }

    fn raw_fd(&self) -> i32 {
        match self {
            Listener::Tcp(l) => l.as_raw_fd(),
            Listener::Unix(l) => l.as_raw_fd(),
        }
    }
}

/// Where a connecting endpoint dials.
#[derive(Clone, Debug)]
pub enum DialTarget {
    Tcp {
        host: String,
        port: u16,
        local: Option<IpAddr>,
    },
    Ipc(PathBuf),
    Ws {
        host: String,
        port: u16,
        path: String,
    },
}

/// Requests to the I/O thread.
pub enum Cmd {
    Listen {
        listener: Listener,
        ctx: EndpointCtx,
        ep: u64,
        unlink: Option<PathBuf>,
    },
    /// Serve WebSocket upgrades for `path` on `addr`, sharing the port with
    /// other paths; `reply` says whether the bind worked.
    ListenWs {
        addr: SocketAddr,
        path: String,
        ctx: EndpointCtx,
        ep: u64,
        reply: SyncSender<Result<(), crate::error::Errno>>,
    },
    Dial {
        target: DialTarget,
        ctx: EndpointCtx,
        ep: u64,
    },
    /// Stop an endpoint; `done` is signalled once its address is free.
    Shutdown {
        ep: u64,
        linger: Duration,
        done: SyncSender<()>,
    },
    /// A pipe failed or its socket refused it.
    ClosePipe(usize, PipeId),
    /// Watch a connection whose reading was left to a direct waiter for
    /// input again (the waiter gave up).
    WatchInput(usize, PipeId),
    /// Watch a connection for room to write: output is queued that the
    /// kernel would not take.
    WatchOutput(usize, PipeId),
    /// A streaming thread holds batches back: write them once it pauses
    /// (`batching::Sender::flush_if_idle`).
    FlushWhenIdle(Arc<batching::Sender>),
    /// A host name lookup finished.
    Resolved {
        dialer: usize,
        attempt: u64,
        addrs: io::Result<Vec<SocketAddr>>,
    },
}

impl Cmd {
    /// The entry whose work this command is, if it is one entry's.
    fn token(&self) -> Option<usize> {
        match self {
            Cmd::ClosePipe(tok, _) | Cmd::WatchInput(tok, _) | Cmd::WatchOutput(tok, _) => {
                Some(*tok)
            }
            Cmd::Resolved { dialer, .. } => Some(*dialer),
            _ => None,
        }
    }
}

pub struct Reactor {
    waker: Waker,
    cmds: Mutex<Vec<Cmd>>,
}

impl Reactor {
    pub fn submit(&self, cmd: Cmd) {
        self.cmds.lock().push(cmd);
        let _ = self.waker.wake();
    }
}

static REACTOR: OnceLock<Arc<Reactor>> = OnceLock::new();
static NEXT_EP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A process-unique key for a network endpoint.
pub fn next_endpoint_key() -> u64 {
    NEXT_EP.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The I/O thread, started on first use.
pub fn get() -> &'static Arc<Reactor> {
    REACTOR.get_or_init(|| {
        let poll = Poll::new().expect("cannot create the epoll instance");
        let waker = Waker::new(poll.registry(), WAKER).expect("cannot create the waker");
        let reactor = Arc::new(Reactor {
            waker,
            cmds: Mutex::new(Vec::new()),
        });
        let r = reactor.clone();
        std::thread::Builder::new()
            .name("nanomsg-io".into())
            .spawn(move || Loop::new(poll, r).run())
            .expect("cannot start the I/O thread");
        reactor
    })
}

enum DialState {
    /// Waiting for the back-off timer.
    Waiting,
    Resolving,
    Connecting(usize),
    Connected(usize),
}

struct Dialer {
    target: DialTarget,
    ctx: EndpointCtx,
    ep: u64,
    state: DialState,
    backoff: Duration,
    /// Identifies the current attempt; stale timers and lookups are ignored.
    attempt: u64,
    /// The last attempt failed (counted in NN_STAT_CURRENT_EP_ERRORS).
    in_error: bool,
}

impl Dialer {
    fn stats(&self) -> &Stats {
        &self.ctx.link.stats
    }

    fn set_error(&mut self, error: bool) {
        if error != self.in_error {
            self.in_error = error;
            if error {
                inc(&self.stats().current_ep_errors);
            } else {
                dec(&self.stats().current_ep_errors);
            }
        }
    }
}

enum Entry {
    Listener {
        listener: Listener,
        ctx: EndpointCtx,
        ep: u64,
    },
    Dialer(Dialer),
    Connecting {
        stream: Stream,
        dialer: usize,
    },
    Conn {
        pipe: Arc<StreamPipe>,
        ep: u64,
        dialer: Option<usize>,
        /// Set while closing with output still queued (NN_LINGER).
        draining: Option<u64>,
        /// What epoll watches on it (none: not registered).
        interest: Option<Interest>,
    },
    /// A WebSocket port, shared by the sockets bound to its paths.
    WsListener {
        listener: mio::net::TcpListener,
        addr: SocketAddr,
        routes: HashMap<String, (EndpointCtx, u64)>,
    },
    /// A connection in its WebSocket opening handshake.
    Upgrade {
        stream: Stream,
        buf: Vec<u8>,
        side: UpgradeSide,
        /// Names this handshake for its timeout.
        stamp: u64,
    },
}

enum UpgradeSide {
    /// Accepted on the WebSocket port at this token; reading the request.
    Server { listener: usize },
    /// Dialed; the request is sent, reading the response.
    Client { dialer: usize, key: String },
}

/// How a new connection frames messages.
enum ConnKind {
    Sp,
    Ws(Role, Vec<u8>),
}

#[derive(Default)]
struct EndpointRecord {
    /// The endpoint's listeners (one per address a bound host name
    /// resolved to) or its dialer.
    mains: Vec<usize>,
    pipes: Vec<usize>,
    unlink: Option<PathBuf>,
    /// The path this endpoint serves on a shared WebSocket port.
    ws_path: Option<String>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    Redial,
    LingerEnd,
    /// A connection still in its SP or WebSocket handshake is dropped.
    Handshake,
    /// A connection whose input is left to direct waiters is watched again
    /// once none waits (`StreamPipe::park_reads`).
    ParkedInput,
    /// A listener that could not accept for want of descriptors tries again.
    AcceptRetry,
}

/// How long a listener out of descriptors waits before accepting again.
const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// What a failed accept(2) means for the listener.
enum AcceptError {
    /// Interrupted: try again at once.
    Retry,
    /// Nothing more is waiting.
    Drained,
    /// That one connection failed (reset before it was accepted, or one of
    /// the network errors accept(2) passes on): go on with the next.
    Skip,
    /// No descriptor or memory for it now (or an error that may repeat):
    /// try again later, never in a loop.
    OutOfResources,
}

fn accept_error(e: &io::Error) -> AcceptError {
    match e.raw_os_error() {
        _ if e.kind() == io::ErrorKind::Interrupted => AcceptError::Retry,
        _ if e.kind() == io::ErrorKind::WouldBlock => AcceptError::Drained,
        Some(
            libc::ECONNABORTED
            | libc::EPROTO
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::ENONET
            | libc::ENOPROTOOPT
            | libc::EOPNOTSUPP,
        ) => AcceptError::Skip,
        _ => AcceptError::OutOfResources,
    }
}

/// How often a connection whose input is left to direct waiters is checked
/// for still having one: the longest that data arriving after the last
/// receive can sit unread in the kernel (and a peer's close go unnoticed)
/// before the I/O thread takes over again.
const PARKED_INPUT_CHECK: Duration = Duration::from_millis(10);

/// Kernel buffer size asked for on ipc:// connections. A Unix socket's
/// default (~208 KiB) makes a large message cross in many write / wake-up
/// rounds; TCP's buffers grow by autotuning up to 4 MiB by default, so ipc
/// gets the same ceiling. It is a limit, not memory taken up front: idle
/// connections cost nothing more.
const IPC_KERNEL_BUFFER: libc::c_int = 4 << 20;

/// How long a new connection may take to complete its SP or WebSocket
/// handshake; a peer that connects and stays silent holds nothing longer.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

struct Loop {
    poll: Poll,
    reactor: Arc<Reactor>,
    entries: Slab<Entry>,
    endpoints: HashMap<u64, EndpointRecord>,
    timers: BinaryHeap<Reverse<(Instant, u64, usize, TimerKind)>>,
    next_attempt: u64,
    ws_listeners: HashMap<SocketAddr, usize>,
    /// Threads that hold batches back, to write once they pause, and the
    /// timer that checks them.
    idle_senders: Vec<Arc<batching::Sender>>,
    flush_timer: Option<crate::sys::TimerFd>,
    flush_timer_armed: bool,
    /// Connections to read again: their last step used its share of reads
    /// with input left (edge-triggered epoll will not report it again).
    more_input: Vec<usize>,
}

impl Loop {
    fn new(poll: Poll, reactor: Arc<Reactor>) -> Loop {
        Loop {
            poll,
            reactor,
            entries: Slab::new(),
            endpoints: HashMap::new(),
            timers: BinaryHeap::new(),
            next_attempt: 1,
            ws_listeners: HashMap::new(),
            idle_senders: Vec::new(),
            flush_timer: None,
            flush_timer_armed: false,
            more_input: Vec::new(),
        }
    }

    fn run(mut self) {
        let mut events = Events::with_capacity(256);
        // Streaming senders' queued output is written after pauses of
        // microseconds: the flush timer must fire on time.
        crate::sys::set_timer_slack(1_000);
        self.flush_timer = crate::sys::TimerFd::new().ok().filter(|t| {
            self.poll
                .registry()
                .register(&mut SourceFd(&t.raw()), FLUSH_TIMER, Interest::READABLE)
                .is_ok()
        });
        loop {
            let timeout = if self.more_input.is_empty() {
                self.timers
                    .peek()
                    .map(|Reverse((t, ..))| t.saturating_duration_since(Instant::now()))
            } else {
                Some(Duration::ZERO)
            };
            if let Err(e) = self.poll.poll(&mut events, timeout) {
                if e.kind() != io::ErrorKind::Interrupted {
                    // (Only a broken epoll descriptor fails here; keep
                    // serving timers rather than spin.)
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
            for ev in events.iter() {
                if ev.token() == FLUSH_TIMER {
                    fault::contain(|| self.flush_idle_senders(false));
                } else if ev.token() != WAKER {
                    // A connection that only became writable has nothing
                    // new to read (events are edge-triggered).
                    let readable = ev.is_readable() || ev.is_read_closed() || ev.is_error();
                    self.step(ev.token().0, readable, ev.is_writable());
                }
            }
            // Connections that used their share of reads with input left.
            for tok in std::mem::take(&mut self.more_input) {
                self.step(tok, true, false);
            }
            let cmds = std::mem::take(&mut *self.reactor.cmds.lock());
            for c in cmds {
                let tok = c.token();
                self.contained(tok, |l| l.on_cmd(c));
            }
            self.fire_timers();
        }
    }

    /// Handles readiness of the entry at `tok`, containing a panic.
    fn step(&mut self, tok: usize, readable: bool, writable: bool) {
        self.contained(Some(tok), |l| l.on_event(tok, readable, writable));
    }

    /// Runs `f`; if it panics, the entry at `tok` (the one whose work
    /// panicked) pays for it alone: a connection is closed (counted as
    /// broken, reported under NN_PRINT_ERRORS), a dialer tries again after
    /// its back-off, and the loop serves everything else as before.
    fn contained(&mut self, tok: Option<usize>, f: impl FnOnce(&mut Self)) {
        let finished = fault::contain(|| f(&mut *self)).is_some();
        if let (false, Some(tok)) = (finished, tok) {
            if fault::contain(|| self.close_after_panic(tok)).is_none() {
                self.evict(tok);
            }
        }
    }

    /// The entry at `tok` panicked: closes it the usual way.
    fn close_after_panic(&mut self, tok: usize) {
        let (label, dialer) = match self.entries.get(tok) {
            Some(Entry::Conn { pipe, .. }) => (pipe.label().to_string(), None),
            Some(Entry::Connecting { dialer, .. })
            | Some(Entry::Upgrade {
                side: UpgradeSide::Client { dialer, .. },
                ..
            }) => (String::new(), Some(*dialer)),
            Some(Entry::Upgrade { .. }) => {
                self.drop_upgrade(tok);
                return;
            }
            Some(Entry::Dialer(d)) => {
                crate::report::endpoint_error(&d.ctx.label, libc::ECONNABORTED);
                self.retry_later(tok);
                return;
            }
            // A listener whose accept panicked tries again on its next event.
            _ => return,
        };
        match dialer {
            None => {
                crate::report::endpoint_error(&label, libc::ECONNABORTED);
                self.teardown(tok, true);
            }
            Some(d) => {
                self.forget(tok);
                let e = io::Error::from_raw_os_error(libc::ECONNABORTED);
                self.connect_failed(d, &e);
            }
        }
    }

    /// Last resort when closing an entry after a panic panicked too:
    /// forgets it with as little code as possible.
    fn evict(&mut self, tok: usize) {
        let Some(entry) = self.entries.try_remove(tok) else {
            return;
        };
        let fd = match &entry {
            Entry::Listener { listener, .. } => listener.raw_fd(),
            Entry::Connecting { stream, .. } | Entry::Upgrade { stream, .. } => stream.raw_fd(),
            Entry::Conn { pipe, .. } => {
                pipe.stream().shutdown();
                pipe.link_event(PipeEvent::Removed(pipe_id(pipe)));
                pipe.stream().raw_fd()
            }
            Entry::WsListener { listener, .. } => listener.as_raw_fd(),
            Entry::Dialer(_) => return,
        };
        let _ = self.registry().deregister(&mut SourceFd(&fd));
    }

    fn registry(&self) -> &mio::Registry {
        self.poll.registry()
    }

    fn attempt_id(&mut self) -> u64 {
        self.next_attempt += 1;
        self.next_attempt
    }

    fn on_cmd(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Listen {
                listener,
                ctx,
                ep,
                unlink,
            } => {
                let tok = self.entries.vacant_key();
                let fd = listener.raw_fd();
                if self
                    .registry()
                    .register(&mut SourceFd(&fd), Token(tok), Interest::READABLE)
                    .is_err()
                {
                    return;
                }
                self.entries.insert(Entry::Listener { listener, ctx, ep });
                let rec = self.endpoints.entry(ep).or_default();
                rec.mains.push(tok);
                rec.unlink = unlink;
                self.accept_all(tok);
            }
            Cmd::ListenWs {
                addr,
                path,
                ctx,
                ep,
                reply,
            } => {
                let _ = reply.send(self.listen_ws(addr, path, ctx, ep));
            }
            Cmd::Dial { target, ctx, ep } => {
                let backoff = Duration::from_millis(ctx.opts.reconnect_ivl_ms);
                let tok = self.entries.insert(Entry::Dialer(Dialer {
                    target,
                    ctx,
                    ep,
                    state: DialState::Waiting,
                    backoff,
                    attempt: 0,
                    in_error: false,
                }));
                self.endpoints.entry(ep).or_default().mains.push(tok);
                self.dial(tok);
            }
            Cmd::Shutdown { ep, linger, done } => {
                self.shutdown_endpoint(ep, linger);
                let _ = done.send(());
            }
            Cmd::ClosePipe(tok, id) => {
                if conn_pipe(&self.entries, tok, id).is_some() {
                    self.teardown(tok, true);
                }
            }
            Cmd::WatchInput(tok, id) => self.unpark_input(tok, id),
            Cmd::FlushWhenIdle(sender) => {
                self.idle_senders.push(sender);
                if !self.flush_timer_armed {
                    self.arm_flush_timer(batching::IDLE_FLUSH_DELAY);
                }
            }
            Cmd::WatchOutput(tok, id) => {
                if conn_pipe(&self.entries, tok, id).is_some() {
                    self.sync_interest(tok);
                }
            }
            Cmd::Resolved {
                dialer,
                attempt,
                addrs,
            } => {
                let ok = matches!(self.entries.get(dialer), Some(Entry::Dialer(d)) if d.attempt == attempt && matches!(d.state, DialState::Resolving));
                if ok {
                    match addrs {
                        Ok(a) => self.connect_to(dialer, a),
                        Err(_) => self.retry_later(dialer),
                    }
                }
            }
        }
    }

    fn on_event(&mut self, tok: usize, readable: bool, writable: bool) {
        match self.entries.get(tok) {
            Some(Entry::Listener { .. }) => self.accept_all(tok),
            Some(Entry::Connecting { .. }) => self.finish_connect(tok),
            Some(Entry::WsListener { .. }) => self.accept_ws(tok),
            Some(Entry::Upgrade { .. }) => self.upgrade_step(tok),
            Some(Entry::Conn { pipe, draining, .. }) => {
                let pipe = pipe.clone();
                let draining = draining.is_some();
                let was_parked = pipe.reads_parked();
                let mut readable = readable;
                if readable && !draining && pipe.park_reads() {
                    // A receiver waits on this connection and reads it.
                    readable = false;
                    if !was_parked {
                        let at = Instant::now() + PARKED_INPUT_CHECK;
                        self.timers.push(Reverse((
                            at,
                            pipe_id(&pipe),
                            tok,
                            TimerKind::ParkedInput,
                        )));
                    }
                }
                let progress = pipe.on_ready(readable, writable);
                if pipe.take_more_input() {
                    self.more_input.push(tok);
                }
                if draining {
                    if matches!(progress, Progress::Dead { .. }) || !pipe.has_pending_output() {
                        self.teardown(tok, false);
                    } else {
                        self.sync_interest(tok);
                    }
                    return;
                }
                match progress {
                    Progress::Nothing => self.sync_interest(tok),
                    Progress::Established => {
                        self.sync_interest(tok);
                        pipe.link_event(PipeEvent::Added(as_pipe(&pipe)));
                    }
                    Progress::Dead { established } => {
                        if established {
                            pipe.link_event(PipeEvent::Added(as_pipe(&pipe)));
                        }
                        self.teardown(tok, true);
                    }
                }
            }
            _ => {}
        }
    }

    /// Brings what epoll watches on a connection in line with what it needs:
    /// input unless a direct waiter reads it (`StreamPipe::park_reads`),
    /// output only while some is queued. (An idle Unix socket reports
    /// "writable" each time the peer reads a message; watching output all
    /// the time would wake this thread for every message sent.)
    fn sync_interest(&mut self, tok: usize) {
        let Some(Entry::Conn { pipe, interest, .. }) = self.entries.get_mut(tok) else {
            return;
        };
        let read = !pipe.reads_parked();
        let write = pipe.output_watched();
        let wanted = match (read, write) {
            (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        };
        if wanted == *interest {
            return;
        }
        let fd = pipe.stream().raw_fd();
        let registry = self.poll.registry();
        let _ = match (*interest, wanted) {
            (None, Some(w)) => registry.register(&mut SourceFd(&fd), Token(tok), w),
            (Some(_), Some(w)) => registry.reregister(&mut SourceFd(&fd), Token(tok), w),
            (Some(_), None) => registry.deregister(&mut SourceFd(&fd)),
            (None, None) => Ok(()),
        };
        *interest = wanted;
    }

    fn arm_flush_timer(&mut self, after: Duration) {
        match &self.flush_timer {
            Some(t) => {
                t.arm(after);
                self.flush_timer_armed = true;
            }
            // No timer descriptor: write at once rather than never.
            None => self.flush_idle_senders(true),
        }
    }

    /// Writes the output streaming senders left queued, where they have
    /// paused; checks the others again when they may have.
    fn flush_idle_senders(&mut self, force: bool) {
        if let Some(t) = &self.flush_timer {
            t.clear();
        }
        self.flush_timer_armed = false;
        let now = Instant::now();
        let mut next: Option<Instant> = None;
        self.idle_senders
            .retain(|sender| match sender.flush_if_idle(now, force) {
                IdleFlush::Done => false,
                IdleFlush::CheckAt(at) => {
                    next = Some(next.map_or(at, |n| n.min(at)));
                    true
                }
            });
        if let Some(at) = next {
            self.arm_flush_timer(at.saturating_duration_since(now));
        }
    }

    /// Takes over reading a connection whose input was left to direct
    /// waiters, and reads what has arrived.
    fn unpark_input(&mut self, tok: usize, id: PipeId) {
        let Some(pipe) = conn_pipe(&self.entries, tok, id) else {
            return;
        };
        let was_parked = pipe.reads_parked();
        // Clears a request that found the pipe no longer parked, too, so
        // the next one is sent.
        pipe.unpark_reads();
        if was_parked {
            self.step(tok, true, false);
        }
    }

    fn accept_all(&mut self, tok: usize) {
        loop {
            let (stream, ctx, ep) = match self.entries.get(tok) {
                Some(Entry::Listener { listener, ctx, ep }) => match listener.accept() {
                    Ok(s) => {
                        inc(&ctx.link.stats.accepted_connections);
                        (s, ctx.clone(), *ep)
                    }
                    Err(e) => match accept_error(&e) {
                        AcceptError::Retry => continue,
                        AcceptError::Drained => return,
                        AcceptError::Skip => {
                            inc(&ctx.link.stats.accept_errors);
                            continue;
                        }
                        AcceptError::OutOfResources => {
                            inc(&ctx.link.stats.accept_errors);
                            crate::report::endpoint_error(&ctx.label, crate::error::from_io(&e));
                            self.accept_later(tok);
                            return;
                        }
                    },
                },
                _ => return,
            };
            if let Some(conn) = self.add_conn(stream, ctx, ep, None, false, ConnKind::Sp) {
                self.step(conn, true, true);
            }
        }
    }

    /// Starts a connection on a stream: registers it (or moves its existing
    /// registration to the new entry), queues the handshake. The caller runs
    /// the first I/O step with `on_event`, once the entry is fully set up.
    fn add_conn(
        &mut self,
        stream: Stream,
        ctx: EndpointCtx,
        ep: u64,
        dialer: Option<usize>,
        registered: bool,
        kind: ConnKind,
    ) -> Option<usize> {
        let ctx = ctx.for_connection(dialer.is_none());
        if let Stream::Tcp(s) = &stream {
            let _ = s.set_nodelay(ctx.opts.tcp_nodelay);
            stream.skip_pacing_on_host();
        }
        if let Stream::Unix(_) = &stream {
            crate::sys::set_socket_buffers(stream.raw_fd(), IPC_KERNEL_BUFFER);
        }
        let tok = self.entries.vacant_key();
        let fd = stream.raw_fd();
        let interest = Interest::READABLE | Interest::WRITABLE;
        let r = if registered {
            self.registry()
                .reregister(&mut SourceFd(&fd), Token(tok), interest)
        } else {
            self.registry()
                .register(&mut SourceFd(&fd), Token(tok), interest)
        };
        if let Err(e) = r {
            if let Some(d) = dialer {
                self.connect_failed(d, &e);
            }
            return None;
        }
        inc(&ctx.link.stats.current_connections);
        let pipe = match kind {
            ConnKind::Sp => StreamPipe::new(stream, ctx, tok),
            ConnKind::Ws(role, leftover) => StreamPipe::new_ws(stream, ctx, tok, role, leftover),
        }
        .into_arc();
        self.entries.insert(Entry::Conn {
            pipe: pipe.clone(),
            ep,
            dialer,
            draining: None,
            interest: Some(interest),
        });
        self.endpoints.entry(ep).or_default().pipes.push(tok);
        // A WebSocket pipe is ready as soon as the upgrade is done; an SP
        // one once the peer's header arrives, which it must do in time.
        if pipe.is_active() {
            pipe.link_event(PipeEvent::Added(as_pipe(&pipe)));
        } else {
            self.handshake_deadline(tok, pipe_id(&pipe));
        }
        Some(tok)
    }

    fn dial(&mut self, tok: usize) {
        let attempt = self.attempt_id();
        let Some(Entry::Dialer(d)) = self.entries.get_mut(tok) else {
            return;
        };
        d.attempt = attempt;
        match d.target.clone() {
            DialTarget::Ipc(path) => match mio::net::UnixStream::connect(&path) {
                Ok(s) => self.start_connecting(tok, Stream::Unix(s)),
                Err(e) => self.connect_failed(tok, &e),
            },
            DialTarget::Tcp { host, port, .. } | DialTarget::Ws { host, port, .. } => {
                if let Some(ip) = super::addr::literal_ip(&host) {
                    self.connect_to(tok, vec![SocketAddr::new(ip, port)]);
                    return;
                }
                d.state = DialState::Resolving;
                let reactor = self.reactor.clone();
                let spawned = std::thread::Builder::new()
                    .name("nanomsg-dns".into())
                    .spawn(move || {
                        let lookup =
                            || (host.as_str(), port).to_socket_addrs().map(|a| a.collect());
                        let addrs = fault::contain(lookup).unwrap_or_else(|| {
                            Err(io::Error::from_raw_os_error(libc::EADDRNOTAVAIL))
                        });
                        reactor.submit(Cmd::Resolved {
                            dialer: tok,
                            attempt,
                            addrs,
                        });
                    });
                if spawned.is_err() {
                    self.retry_later(tok);
                }
            }
        }
    }

    fn connect_to(&mut self, tok: usize, addrs: Vec<SocketAddr>) {
        let Some(Entry::Dialer(d)) = self.entries.get(tok) else {
            return;
        };
        // (As nanomsg, the option as it is at each dial.)
        let ipv4only = d.ctx.link.options().ipv4only;
        let local = match &d.target {
            DialTarget::Tcp { local, .. } => *local,
            DialTarget::Ipc(_) | DialTarget::Ws { .. } => None,
        };
        let Some(addr) = addrs.into_iter().find(|a| !ipv4only || a.is_ipv4()) else {
            let e = io::Error::from_raw_os_error(libc::EADDRNOTAVAIL);
            self.connect_failed(tok, &e);
            return;
        };
        match crate::sys::tcp_connect(addr, local) {
            Ok(s) => self.start_connecting(tok, Stream::Tcp(s)),
            Err(e) => self.connect_failed(tok, &e),
        }
    }

    fn start_connecting(&mut self, dialer: usize, stream: Stream) {
        let tok = self.entries.vacant_key();
        let fd = stream.raw_fd();
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self
            .registry()
            .register(&mut SourceFd(&fd), Token(tok), interest)
        {
            self.connect_failed(dialer, &e);
            return;
        }
        self.entries.insert(Entry::Connecting { stream, dialer });
        if let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) {
            d.state = DialState::Connecting(tok);
            inc(&d.stats().inprogress_connections);
        }
        // A Unix connect usually completes at once; no event may follow.
        self.finish_connect(tok);
    }

    fn finish_connect(&mut self, tok: usize) {
        let Some(Entry::Connecting { stream, dialer }) = self.entries.get(tok) else {
            return;
        };
        let dialer = *dialer;
        let status = stream.connect_status();
        match status {
            Ok(false) => {}
            Err(e) => {
                self.forget(tok);
                self.connect_failed(dialer, &e);
            }
            Ok(true) => {
                let ws = match self.entries.get(dialer) {
                    Some(Entry::Dialer(d)) => match &d.target {
                        DialTarget::Ws { host, port, path } => {
                            Some((format!("{host}:{port}"), path.clone(), d.ctx.protocol))
                        }
                        _ => None,
                    },
                    _ => {
                        self.forget(tok);
                        return;
                    }
                };
                let Entry::Connecting { stream, .. } = self.entries.remove(tok) else {
                    unreachable!()
                };
                match ws {
                    None => self.connected(dialer, stream, ConnKind::Sp),
                    Some((host, path, own)) => {
                        // TCP is up; now the WebSocket upgrade.
                        let key = ws_handshake::new_key();
                        let req = ws_handshake::client_request(&host, &path, &key, own);
                        if !write_small(&stream, req.as_bytes()) {
                            let _ = self.registry().deregister(&mut SourceFd(&stream.raw_fd()));
                            self.upgrade_failed(dialer);
                            return;
                        }
                        let stamp = self.attempt_id();
                        let up = self.entries.insert(Entry::Upgrade {
                            stream,
                            buf: Vec::new(),
                            side: UpgradeSide::Client { dialer, key },
                            stamp,
                        });
                        self.handshake_deadline(up, stamp);
                        self.move_registration(up);
                        if let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) {
                            d.state = DialState::Connecting(up);
                        }
                        self.upgrade_step(up);
                    }
                }
            }
        }
    }

    /// Re-points the descriptor of the entry at `tok` to that token.
    fn move_registration(&mut self, tok: usize) {
        let fd = match self.entries.get(tok) {
            Some(Entry::Upgrade { stream, .. }) => stream.raw_fd(),
            _ => return,
        };
        let interest = Interest::READABLE | Interest::WRITABLE;
        let _ = self
            .registry()
            .reregister(&mut SourceFd(&fd), Token(tok), interest);
    }

    /// A dialer's connection is up (and upgraded, for ws): count it and
    /// start the pipe.
    fn connected(&mut self, dialer: usize, stream: Stream, kind: ConnKind) {
        let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) else {
            return;
        };
        dec(&d.stats().inprogress_connections);
        inc(&d.stats().established_connections);
        d.set_error(false);
        d.backoff = Duration::from_millis(d.ctx.opts.reconnect_ivl_ms);
        let (ctx, ep) = (d.ctx.clone(), d.ep);
        if let Some(conn) = self.add_conn(stream, ctx, ep, Some(dialer), true, kind) {
            if let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) {
                d.state = DialState::Connected(conn);
            }
            self.step(conn, true, true);
        }
    }

    /// The dialer's WebSocket upgrade failed: count it as a connect error.
    fn upgrade_failed(&mut self, dialer: usize) {
        if let Some(Entry::Dialer(d)) = self.entries.get(dialer) {
            dec(&d.stats().inprogress_connections);
        }
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        self.connect_failed(dialer, &e);
    }

    fn listen_ws(
        &mut self,
        addr: SocketAddr,
        path: String,
        ctx: EndpointCtx,
        ep: u64,
    ) -> Result<(), crate::error::Errno> {
        let tok = match self.ws_listeners.get(&addr) {
            Some(&tok) => tok,
            None => {
                let l =
                    std::net::TcpListener::bind(addr).map_err(|e| super::addr::bind_errno(&e))?;
                l.set_nonblocking(true)
                    .map_err(|e| crate::error::from_io(&e))?;
                let mut listener = mio::net::TcpListener::from_std(l);
                let tok = self.entries.vacant_key();
                self.registry()
                    .register(&mut listener, Token(tok), Interest::READABLE)
                    .map_err(|e| crate::error::from_io(&e))?;
                self.entries.insert(Entry::WsListener {
                    listener,
                    addr,
                    routes: HashMap::new(),
                });
                self.ws_listeners.insert(addr, tok);
                tok
            }
        };
        let Some(Entry::WsListener { routes, .. }) = self.entries.get_mut(tok) else {
            return Err(libc::EIO);
        };
        if routes.contains_key(&path) {
            return Err(libc::EADDRINUSE);
        }
        routes.insert(path.clone(), (ctx, ep));
        let rec = self.endpoints.entry(ep).or_default();
        rec.mains.push(tok);
        rec.ws_path = Some(path);
        Ok(())
    }

    fn accept_ws(&mut self, tok: usize) {
        loop {
            let stream = match self.entries.get(tok) {
                Some(Entry::WsListener { listener, .. }) => match listener.accept() {
                    Ok((s, _)) => Stream::Tcp(s),
                    Err(e) => match accept_error(&e) {
                        AcceptError::Retry | AcceptError::Skip => continue,
                        AcceptError::Drained => return,
                        AcceptError::OutOfResources => {
                            self.accept_later(tok);
                            return;
                        }
                    },
                },
                _ => return,
            };
            let up = self.entries.vacant_key();
            let fd = stream.raw_fd();
            let interest = Interest::READABLE | Interest::WRITABLE;
            if self
                .registry()
                .register(&mut SourceFd(&fd), Token(up), interest)
                .is_err()
            {
                continue;
            }
            let stamp = self.attempt_id();
            self.entries.insert(Entry::Upgrade {
                stream,
                buf: Vec::new(),
                side: UpgradeSide::Server { listener: tok },
                stamp,
            });
            self.handshake_deadline(up, stamp);
            self.upgrade_step(up);
        }
    }

    /// Reads handshake bytes and, once the request or response is complete,
    /// turns the connection into a pipe (or refuses it).
    fn upgrade_step(&mut self, tok: usize) {
        let Some(Entry::Upgrade {
            stream, buf, side, ..
        }) = self.entries.get_mut(tok)
        else {
            return;
        };
        let mut chunk = [0u8; 2048];
        let mut eof = false;
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    eof = true;
                    break;
                }
            }
            if buf.len() > 2 * ws_handshake::MAX_HEAD {
                break;
            }
        }
        match side {
            UpgradeSide::Server { listener } => {
                let listener = *listener;
                let parsed = ws_handshake::parse_request(buf);
                let req = match parsed {
                    Ok(None) if !eof => return,
                    Ok(Some(r)) => r,
                    Ok(None) => {
                        self.drop_upgrade(tok);
                        return;
                    }
                    Err(e) => {
                        let _ = write_small(stream, e.answer().as_bytes());
                        self.drop_upgrade(tok);
                        return;
                    }
                };
                let (req, used) = req;
                // The socket bound to this path; else the one bound to the
                // port without a path, which (as nanomsg's listener, which
                // knows no paths) serves every path.
                let route = match self.entries.get(listener) {
                    Some(Entry::WsListener { routes, .. }) => {
                        routes.get(&req.path).or_else(|| routes.get("/")).cloned()
                    }
                    _ => None,
                };
                let Some((ctx, ep)) = route else {
                    self.refuse_upgrade(tok, ws_handshake::NOT_FOUND);
                    return;
                };
                let Some(proto) = ws_handshake::choose_protocol(&req, ctx.protocol) else {
                    self.refuse_upgrade(tok, ws_handshake::BAD_REQUEST);
                    return;
                };
                let Some(Entry::Upgrade { stream, buf, .. }) = self.entries.get(tok) else {
                    return;
                };
                if !write_small(
                    stream,
                    ws_handshake::server_response(&req, proto.as_deref()).as_bytes(),
                ) {
                    self.drop_upgrade(tok);
                    return;
                }
                let leftover = buf[used..].to_vec();
                let Entry::Upgrade { stream, .. } = self.entries.remove(tok) else {
                    unreachable!()
                };
                inc(&ctx.link.stats.accepted_connections);
                let kind = ConnKind::Ws(Role::Server, leftover);
                if let Some(conn) = self.add_conn(stream, ctx, ep, None, true, kind) {
                    self.step(conn, true, true);
                }
            }
            UpgradeSide::Client { dialer, .. } => {
                let dialer = *dialer;
                let own = match self.entries.get(dialer) {
                    Some(Entry::Dialer(d)) => d.ctx.protocol,
                    _ => {
                        self.drop_upgrade(tok);
                        return;
                    }
                };
                let Some(Entry::Upgrade {
                    buf,
                    side: UpgradeSide::Client { key, .. },
                    ..
                }) = self.entries.get(tok)
                else {
                    return;
                };
                let used = match ws_handshake::parse_response(buf, key, own) {
                    Ok(None) if !eof => return,
                    Ok(Some(used)) => used,
                    Ok(None) | Err(_) => {
                        self.drop_upgrade(tok);
                        self.upgrade_failed(dialer);
                        return;
                    }
                };
                let leftover = buf[used..].to_vec();
                let Entry::Upgrade { stream, .. } = self.entries.remove(tok) else {
                    unreachable!()
                };
                self.connected(dialer, stream, ConnKind::Ws(Role::Client, leftover));
            }
        }
    }

    /// A listener ran out of descriptors (or memory) to accept with: its
    /// queue of waiting connections is not drained, so edge-triggered epoll
    /// will not report it again; it tries again after a pause instead.
    /// (Giving up here once stopped a listener for good.)
    fn accept_later(&mut self, tok: usize) {
        let at = Instant::now() + ACCEPT_RETRY;
        self.timers
            .push(Reverse((at, 0, tok, TimerKind::AcceptRetry)));
    }

    fn handshake_deadline(&mut self, tok: usize, stamp: u64) {
        let at = Instant::now() + HANDSHAKE_TIMEOUT;
        self.timers
            .push(Reverse((at, stamp, tok, TimerKind::Handshake)));
    }

    /// Answers an upgrade request with an HTTP error and closes it.
    fn refuse_upgrade(&mut self, tok: usize, answer: &str) {
        if let Some(Entry::Upgrade { stream, .. }) = self.entries.get(tok) {
            let _ = write_small(stream, answer.as_bytes());
        }
        self.drop_upgrade(tok);
    }

    fn drop_upgrade(&mut self, tok: usize) {
        if let Some(Entry::Upgrade { .. }) = self.entries.get(tok) {
            if let Entry::Upgrade { stream, .. } = self.entries.remove(tok) {
                let _ = self.registry().deregister(&mut SourceFd(&stream.raw_fd()));
                stream.shutdown();
            }
        }
    }

    /// Deregisters and drops a connection still being set up by a dialer.
    fn forget(&mut self, tok: usize) {
        let (stream, dialer) = match self.entries.get(tok) {
            Some(Entry::Connecting { .. })
            | Some(Entry::Upgrade {
                side: UpgradeSide::Client { .. },
                ..
            }) => match self.entries.remove(tok) {
                Entry::Connecting { stream, dialer } => (stream, dialer),
                Entry::Upgrade {
                    stream,
                    side: UpgradeSide::Client { dialer, .. },
                    ..
                } => (stream, dialer),
                _ => unreachable!(),
            },
            _ => return,
        };
        let _ = self.registry().deregister(&mut SourceFd(&stream.raw_fd()));
        if let Some(Entry::Dialer(d)) = self.entries.get(dialer) {
            dec(&d.stats().inprogress_connections);
        }
    }

    /// A connection attempt failed: count it, report it (NN_PRINT_ERRORS)
    /// and try again later.
    fn connect_failed(&mut self, tok: usize, err: &io::Error) {
        if let Some(Entry::Dialer(d)) = self.entries.get_mut(tok) {
            inc(&d.stats().connect_errors);
            if !d.in_error {
                crate::report::endpoint_error(&d.ctx.label, crate::error::from_io(err));
            }
            d.set_error(true);
        }
        self.retry_later(tok);
    }

    /// Schedules the next dial after the back-off, then grows the back-off
    /// (doubling up to NN_RECONNECT_IVL_MAX, if that is set).
    fn retry_later(&mut self, tok: usize) {
        let attempt = self.attempt_id();
        let Some(Entry::Dialer(d)) = self.entries.get_mut(tok) else {
            return;
        };
        d.state = DialState::Waiting;
        d.attempt = attempt;
        let at = Instant::now() + d.backoff;
        let max = Duration::from_millis(d.ctx.opts.reconnect_ivl_max_ms);
        if max > d.backoff {
            d.backoff = (d.backoff * 2).min(max);
        }
        self.timers
            .push(Reverse((at, attempt, tok, TimerKind::Redial)));
    }

    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((at, attempt, tok, _))) = self.timers.peek() {
            if *at > now {
                break;
            }
            let (attempt, tok) = (*attempt, *tok);
            let Reverse((_, _, _, kind)) = self.timers.pop().expect("peeked");
            self.contained(Some(tok), |l| l.fire_timer(kind, attempt, tok, now));
        }
    }

    fn fire_timer(&mut self, kind: TimerKind, attempt: u64, tok: usize, now: Instant) {
        match (kind, self.entries.get(tok)) {
            (TimerKind::Redial, Some(Entry::Dialer(d))) if d.attempt == attempt => self.dial(tok),
            (TimerKind::AcceptRetry, Some(Entry::Listener { .. })) => self.accept_all(tok),
            (TimerKind::AcceptRetry, Some(Entry::WsListener { .. })) => self.accept_ws(tok),
            (TimerKind::LingerEnd, Some(Entry::Conn { draining, .. }))
                if *draining == Some(attempt) =>
            {
                self.teardown(tok, false)
            }
            (TimerKind::ParkedInput, Some(Entry::Conn { pipe, .. }))
                if pipe_id(pipe) == attempt && pipe.reads_parked() =>
            {
                if pipe.has_direct_waiters() {
                    let at = now + PARKED_INPUT_CHECK;
                    self.timers
                        .push(Reverse((at, attempt, tok, TimerKind::ParkedInput)));
                } else {
                    self.unpark_input(tok, attempt);
                }
            }
            (TimerKind::Handshake, Some(Entry::Conn { pipe, .. }))
                if pipe_id(pipe) == attempt && !pipe.is_active() =>
            {
                self.teardown(tok, true)
            }
            (TimerKind::Handshake, Some(Entry::Upgrade { stamp, side, .. }))
                if *stamp == attempt =>
            {
                match *side {
                    UpgradeSide::Client { dialer, .. } => {
                        self.forget(tok);
                        let e = io::Error::from_raw_os_error(libc::ETIMEDOUT);
                        self.connect_failed(dialer, &e);
                    }
                    UpgradeSide::Server { .. } => self.drop_upgrade(tok),
                }
            }
            _ => {}
        }
    }

    /// Closes a connection now; its socket is told, its dialer re-dials.
    /// `broken`: it failed or was refused, rather than closed by its socket.
    fn teardown(&mut self, tok: usize, broken: bool) {
        if !matches!(self.entries.get(tok), Some(Entry::Conn { .. })) {
            return;
        }
        let Entry::Conn {
            pipe, ep, dialer, ..
        } = self.entries.remove(tok)
        else {
            unreachable!()
        };
        let fd = pipe.stream().raw_fd();
        let _ = self.registry().deregister(&mut SourceFd(&fd));
        pipe.stream().shutdown();
        pipe.detach();
        let stats = pipe.stats();
        dec(&stats.current_connections);
        if broken {
            inc(&stats.broken_connections);
        }
        if let Some(rec) = self.endpoints.get_mut(&ep) {
            rec.pipes.retain(|&t| t != tok);
        }
        if let Some(d) = dialer {
            if matches!(self.entries.get(d), Some(Entry::Dialer(dl)) if matches!(dl.state, DialState::Connected(t) if t == tok))
            {
                self.retry_later(d);
            }
        }
    }

    /// Closes a connection once its queued output is written or `linger`
    /// passes; the socket forgets it at once.
    fn close_lingering(&mut self, tok: usize, linger: Duration) {
        let attempt = self.attempt_id();
        let Some(Entry::Conn {
            pipe,
            dialer,
            draining,
            ..
        }) = self.entries.get_mut(tok)
        else {
            return;
        };
        *dialer = None;
        pipe.detach();
        // What a streaming sender left queued was as good as sent: write
        // it now (what the kernel takes) rather than drop it.
        let broken = pipe.write_held(None) == Some(false);
        if broken || linger.is_zero() || !pipe.has_pending_output() {
            self.teardown(tok, false);
            return;
        }
        *draining = Some(attempt);
        self.timers.push(Reverse((
            Instant::now() + linger,
            attempt,
            tok,
            TimerKind::LingerEnd,
        )));
    }

    /// Stops one listener or the dialer of an endpoint being shut down.
    fn close_main(&mut self, main: usize, ws_path: Option<&str>) {
        if let Some(path) = ws_path {
            // A path on a shared WebSocket port: drop the route, and the
            // port with its last route.
            if let Some(Entry::WsListener { routes, addr, .. }) = self.entries.get_mut(main) {
                routes.remove(path);
                if routes.is_empty() {
                    let addr = *addr;
                    self.ws_listeners.remove(&addr);
                    if let Entry::WsListener { mut listener, .. } = self.entries.remove(main) {
                        let _ = self.registry().deregister(&mut listener);
                    }
                    // Requests still being read on the port go with it: their
                    // slot names the listener, and a later bind that takes
                    // the slot would be handed peers that never asked for it.
                    let orphans: Vec<usize> = self
                        .entries
                        .iter()
                        .filter_map(|(t, e)| match e {
                            Entry::Upgrade {
                                side: UpgradeSide::Server { listener },
                                ..
                            } if *listener == main => Some(t),
                            _ => None,
                        })
                        .collect();
                    for t in orphans {
                        self.drop_upgrade(t);
                    }
                }
            }
            return;
        }
        match self.entries.get(main) {
            Some(Entry::Listener { listener, .. }) => {
                let fd = listener.raw_fd();
                let _ = self.registry().deregister(&mut SourceFd(&fd));
                self.entries.remove(main);
            }
            Some(Entry::Dialer(d)) => {
                if let DialState::Connecting(c) = d.state {
                    self.forget(c);
                }
                if let Entry::Dialer(mut d) = self.entries.remove(main) {
                    d.set_error(false);
                }
            }
            _ => {}
        }
    }

    fn shutdown_endpoint(&mut self, ep: u64, linger: Duration) {
        let Some(rec) = self.endpoints.remove(&ep) else {
            return;
        };
        for main in rec.mains {
            self.close_main(main, rec.ws_path.as_deref());
        }
        if let Some(path) = rec.unlink {
            let _ = std::fs::remove_file(path);
        }
        for tok in rec.pipes {
            self.close_lingering(tok, linger);
        }
    }
}

/// The pipe of the connection at `tok`, if that is still the connection
/// `id` names (tokens are reused once a connection is gone).
fn conn_pipe(entries: &Slab<Entry>, tok: usize, id: PipeId) -> Option<&Arc<StreamPipe>> {
    match entries.get(tok) {
        Some(Entry::Conn { pipe, .. }) if pipe_id(pipe) == id => Some(pipe),
        _ => None,
    }
}

fn pipe_id(p: &Arc<StreamPipe>) -> PipeId {
    crate::pipe::Pipe::id(&**p)
}

/// The endpoint handle sockets keep for a tcp:// or ipc:// endpoint.
pub struct ReactorEndpoint {
    pub key: u64,
}

impl super::Endpoint for ReactorEndpoint {
    fn shutdown(&mut self, linger: Duration) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        get().submit(Cmd::Shutdown {
            ep: self.key,
            linger,
            done: tx,
        });
        let _ = rx.recv();
    }
}

/// Writes a short handshake message on a fresh connection. The kernel's
/// send buffer always has room for it; anything else means the peer is gone.
fn write_small(stream: &Stream, bytes: &[u8]) -> bool {
    let mut off = 0;
    while off < bytes.len() {
        match stream.write_vectored(&[std::io::IoSlice::new(&bytes[off..])]) {
            Ok(0) => return false,
            Ok(n) => off += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    true
}
