//! The I/O thread: one mio event loop for every tcp:// and ipc:// endpoint
//! in the process. It accepts, dials and re-dials with back-off, runs the
//! SP handshake, and moves bytes when the application's threads could not.
//!
//! Other threads talk to it only through [`Reactor::submit`]. It never locks
//! a socket's core: it reaches sockets through their links.
//!
//! This file holds what the loop is made of (its entries, endpoints and
//! timers) and the loop itself; each concern it drives has a file:
//! `events` (commands and epoll events), `listen` (accept, EMFILE
//! back-off), `dial` (connect and reconnect back-off), `upgrade` (the
//! reads, writes and path routing of the WebSocket handshake, whose logic
//! is the sans-IO `transport/ws_upgrade.rs`), `timers`, `close` (teardown,
//! linger, shutdown). The connections' own logic is the sans-IO machine
//! in `transport/connection.rs`, driven through `StreamPipe`.

mod close;
mod dial;
mod events;
mod listen;
mod timers;
mod upgrade;

pub use listen::Listener;
use listen::{accept_error, AcceptError};

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
use super::ws_upgrade::{self, WsUpgrade};
use super::EndpointCtx;
use crate::fault;
use crate::pipe::PipeEvent;
use crate::pipe::PipeId;
use crate::stats::{dec, inc, Stats};

const WAKER: Token = Token(usize::MAX);
/// The timer that writes out what streaming senders left queued.
const FLUSH_TIMER: Token = Token(usize::MAX - 1);

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
        /// wss://: the TLS every connection on the port starts with.
        tls: Option<Arc<crate::transport::tls::TlsSide>>,
        /// The NN_TLS options that side was made from: a socket binding
        /// another path here must have the same (it is served with them).
        tls_options: Option<Arc<crate::tls_options::TlsOptions>>,
    },
    /// A connection in its WebSocket opening handshake.
    Upgrade {
        stream: Stream,
        machine: WsUpgrade,
        side: UpgradeSide,
        /// Names this handshake for its timeout.
        stamp: u64,
    },
}

#[derive(Clone, Copy)]
enum UpgradeSide {
    /// Accepted on the WebSocket port at this token; reading the request.
    Server { listener: usize },
    /// Dialed; the request is sent, reading the response.
    Client { dialer: usize },
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
    pub(super) fn step(&mut self, tok: usize, readable: bool, writable: bool) {
        self.contained(Some(tok), |l| l.on_event(tok, readable, writable));
    }

    /// Runs `f`; if it panics, the entry at `tok` (the one whose work
    /// panicked) pays for it alone: a connection is closed (counted as
    /// broken, reported under NN_PRINT_ERRORS), a dialer tries again after
    /// its back-off, and the loop serves everything else as before.
    pub(super) fn contained(&mut self, tok: Option<usize>, f: impl FnOnce(&mut Self)) {
        let finished = fault::contain(|| f(&mut *self)).is_some();
        if let (false, Some(tok)) = (finished, tok) {
            if fault::contain(|| self.close_after_panic(tok)).is_none() {
                self.evict(tok);
            }
        }
    }

    /// The entry at `tok` panicked: closes it the usual way.
    pub(super) fn close_after_panic(&mut self, tok: usize) {
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
    pub(super) fn evict(&mut self, tok: usize) {
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

    pub(super) fn registry(&self) -> &mio::Registry {
        self.poll.registry()
    }

    pub(super) fn attempt_id(&mut self) -> u64 {
        self.next_attempt += 1;
        self.next_attempt
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
