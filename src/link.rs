//! What pipes and transports hold of a socket: a way to wake its waiters and
//! to hand it pipe arrivals and departures.
//!
//! A transport never locks a socket's core. It queues a [`PipeEvent`] here
//! and bumps the wake-up counter; the next thread that enters the core (a
//! send, a receive, a timer) applies the events first. That keeps the lock
//! order simple — core, then pipe queue, then link — so two sockets sending
//! to each other over inproc cannot deadlock.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use crate::pipe::PipeEvent;

/// What endpoints and connections know of their socket's options: each
/// endpoint copies them when it is made and each connection when it
/// starts (`EndpointCtx::for_connection` says which it reads when).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointOptions {
    pub sndbuf: usize,
    pub rcvbuf: usize,
    /// Largest message accepted from the network; `None` = unlimited.
    pub rcvmaxsize: Option<usize>,
    pub reconnect_ivl_ms: u64,
    pub reconnect_ivl_max_ms: u64,
    pub sndprio: u8,
    pub rcvprio: u8,
    pub ipv4only: bool,
    pub tcp_nodelay: bool,
    /// NN_WS_MSG_TYPE is NN_WS_MSG_TYPE_TEXT.
    pub ws_text: bool,
    /// Level NN_TLS, if any option there is set (shared: every connection
    /// of an endpoint carries its options).
    pub tls: Option<Arc<crate::tls_options::TlsOptions>>,
}

/// nanomsg's defaults (the socket's own `Options::new` agrees; a unit test
/// there checks it).
impl Default for EndpointOptions {
    fn default() -> Self {
        EndpointOptions {
            sndbuf: 128 * 1024,
            rcvbuf: 128 * 1024,
            rcvmaxsize: Some(1024 * 1024),
            reconnect_ivl_ms: 100,
            reconnect_ivl_max_ms: 0,
            sndprio: 8,
            rcvprio: 8,
            ipv4only: true,
            tcp_nodelay: false,
            ws_text: false,
            tls: None,
        }
    }
}

/// Busy checks, then yields, before a waiter sleeps (see `wait_briefly`).
const SPINS: u32 = 200;
const YIELDS: u32 = 16;

/// How the last brief wait ended (SocketLink::last_wait).
const WAIT_SPUN: u8 = 0;
const WAIT_YIELDED: u8 = 1;
const WAIT_SLEPT: u8 = 2;

/// How a [`SocketLink::wait_on_fd`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FdWaitOutcome {
    /// False if the deadline passed with no wake-up.
    pub woke: bool,
    /// The descriptor waited on has data (or an error) to read.
    pub fd_ready: bool,
}

pub struct SocketLink {
    /// nn_get_statistic counters, kept by the core and the transports.
    pub stats: super::stats::Stats,
    /// Bumped on every event that may make a blocked call able to proceed.
    seq: AtomicU64,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    cond: Condvar,
    events: Mutex<Vec<PipeEvent>>,
    has_events: AtomicBool,
    /// Called after each wake-up, for readiness file descriptors.
    on_wake: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// How the last brief wait ended: WAIT_SPUN, WAIT_YIELDED or WAIT_SLEPT.
    last_wait: std::sync::atomic::AtomicU8,
    /// Threads waiting in `wait_on_fd`, and the descriptor that wakes them.
    fd_waiters: AtomicUsize,
    wake_fd: std::sync::OnceLock<crate::sys::EventFd>,
    /// Called after a pipe event is queued.
    on_event: std::sync::OnceLock<Box<dyn Fn() + Send + Sync>>,
    /// NN_SNDFD / NN_RCVFD were handed out: the I/O thread must keep
    /// reading every connection as data arrives, for the descriptors' sake.
    readiness_watched: AtomicBool,
    /// The socket's options as they are now, for what a transport reads
    /// when a connection starts (see `EndpointCtx::for_connection`).
    options: Mutex<EndpointOptions>,
    /// NN_RCVMAXSIZE as it is now (-1: no limit), read for every message.
    rcvmaxsize: AtomicI64,
}

impl Default for SocketLink {
    fn default() -> Self {
        SocketLink {
            stats: Default::default(),
            seq: AtomicU64::new(0),
            waiters: AtomicUsize::new(0),
            lock: Mutex::new(()),
            cond: Condvar::new(),
            events: Mutex::new(Vec::new()),
            has_events: AtomicBool::new(false),
            on_wake: std::sync::OnceLock::new(),
            on_event: std::sync::OnceLock::new(),
            fd_waiters: AtomicUsize::new(0),
            wake_fd: std::sync::OnceLock::new(),
            last_wait: std::sync::atomic::AtomicU8::new(WAIT_SPUN),
            readiness_watched: AtomicBool::new(false),
            options: Mutex::new(EndpointOptions::default()),
            rcvmaxsize: AtomicI64::new(
                EndpointOptions::default()
                    .rcvmaxsize
                    .map_or(-1, |m| m as i64),
            ),
        }
    }
}

impl SocketLink {
    pub fn new() -> Arc<SocketLink> {
        Arc::new(SocketLink::default())
    }

    /// The socket's options changed (nn_setsockopt): what transports read
    /// from now on.
    pub fn set_options(&self, options: EndpointOptions) {
        let max = options.rcvmaxsize.map_or(-1, |m| m as i64);
        *self.options.lock() = options;
        self.rcvmaxsize.store(max, Ordering::Relaxed);
    }

    /// The socket's options as they are now.
    pub fn options(&self) -> EndpointOptions {
        self.options.lock().clone()
    }

    /// NN_RCVMAXSIZE as it is now; None: no limit. nanomsg checks each
    /// message against the value of the moment, so a change applies to
    /// the next message on connections that exist already.
    pub fn rcvmaxsize(&self) -> Option<usize> {
        usize::try_from(self.rcvmaxsize.load(Ordering::Relaxed)).ok()
    }

    /// The current wake-up count; take it before trying an operation, then
    /// [`SocketLink::wait`] with it, so a wake-up in between is not lost.
    pub fn snapshot(&self) -> u64 {
        self.seq.load(Ordering::SeqCst)
    }

    /// Wakes every thread blocked on this socket.
    pub fn wake(&self) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let _g = self.lock.lock();
            self.cond.notify_all();
        }
        if self.fd_waiters.load(Ordering::SeqCst) > 0 {
            if let Some(efd) = self.wake_fd.get() {
                efd.set();
            }
        }
        if let Some(f) = self.on_wake.get() {
            f();
        }
    }

    /// Whether any thread is blocked on this socket (in `wait` or
    /// `wait_on_fd`).
    pub fn has_waiters(&self) -> bool {
        self.waiters.load(Ordering::SeqCst) > 0 || self.fd_waiters.load(Ordering::SeqCst) > 0
    }

    /// Marks the socket as watched through NN_SNDFD / NN_RCVFD (for good).
    pub fn watch_readiness(&self) {
        self.readiness_watched.store(true, Ordering::SeqCst);
    }

    pub fn readiness_watched(&self) -> bool {
        self.readiness_watched.load(Ordering::SeqCst)
    }

    /// Installs a hook run on every wake-up (used for NN_SNDFD/NN_RCVFD);
    /// only the first one installed is kept.
    pub fn set_on_wake(&self, f: Box<dyn Fn() + Send + Sync>) {
        let _ = self.on_wake.set(f);
    }

    /// Blocks until the count differs from `snapshot` or `deadline` passes.
    /// Returns false on timeout.
    pub fn wait(&self, snapshot: u64, deadline: Option<Instant>) -> bool {
        if self.wait_briefly(snapshot) {
            return true;
        }
        let mut g = self.lock.lock();
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let mut woke = true;
        while self.seq.load(Ordering::SeqCst) == snapshot {
            match deadline {
                None => self.cond.wait(&mut g),
                Some(d) => {
                    if self.cond.wait_until(&mut g, d).timed_out()
                        && self.seq.load(Ordering::SeqCst) == snapshot
                    {
                        woke = false;
                        break;
                    }
                }
            }
        }
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        woke
    }

    /// While messages flow, the next wake-up usually comes within a few
    /// microseconds. Checking for it a little before sleeping — spinning
    /// briefly, then yielding the CPU so a peer thread on the same core can
    /// run — saves this thread's futex sleep and the waker's futex wake,
    /// which cost more than the wait itself.
    ///
    /// What worked last time steers this time: after a spin that paid off,
    /// spin; after only yielding paid off (both threads on one CPU), skip
    /// the spin; after having to sleep anyway (slow traffic), check only
    /// briefly, so waiting for large or rare messages wastes no CPU.
    fn wait_briefly(&self, snapshot: u64) -> bool {
        let last = self.last_wait.load(Ordering::Relaxed);
        let (spins, yields) = match last {
            WAIT_SPUN => (SPINS, YIELDS),
            WAIT_YIELDED => (0, YIELDS),
            _ => (SPINS / 8, 2),
        };
        let outcome = 'found: {
            for _ in 0..spins {
                if self.seq.load(Ordering::Acquire) != snapshot {
                    break 'found WAIT_SPUN;
                }
                std::hint::spin_loop();
            }
            for _ in 0..yields {
                std::thread::yield_now();
                if self.seq.load(Ordering::Acquire) != snapshot {
                    break 'found WAIT_YIELDED;
                }
            }
            WAIT_SLEPT
        };
        if outcome != last {
            self.last_wait.store(outcome, Ordering::Relaxed);
        }
        outcome != WAIT_SLEPT
    }

    /// The eventfd that wakes threads in `wait_on_fd`, made on first use;
    /// None if it cannot be made now (out of descriptors: tried again
    /// next time).
    fn wake_fd(&self) -> Option<&crate::sys::EventFd> {
        if let Some(efd) = self.wake_fd.get() {
            return Some(efd);
        }
        let efd = crate::sys::EventFd::new().ok()?;
        let _ = self.wake_fd.set(efd);
        self.wake_fd.get()
    }

    /// Whether `wait_on_fd` can wait on a descriptor (its eventfd exists).
    pub fn can_wait_on_fd(&self) -> bool {
        self.wake_fd().is_some()
    }

    /// Like `wait`, but sleeping in poll(2) on `fd` as well, so data
    /// arriving there wakes the caller directly.
    pub fn wait_on_fd(
        &self,
        snapshot: u64,
        fd: libc::c_int,
        deadline: Option<Instant>,
    ) -> FdWaitOutcome {
        let Some(efd) = self.wake_fd() else {
            let woke = self.wait(snapshot, deadline);
            return FdWaitOutcome {
                woke,
                fd_ready: false,
            };
        };
        self.fd_waiters.fetch_add(1, Ordering::SeqCst);
        let mut fd_ready = false;
        let timed_out = if self.seq.load(Ordering::SeqCst) != snapshot {
            false
        } else {
            let timeout = match deadline {
                None => -1,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    // Round up so a wait never ends before its deadline.
                    left.as_micros()
                        .div_ceil(1000)
                        .min(libc::c_int::MAX as u128) as libc::c_int
                }
            };
            let mut fds = [
                libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: efd.raw(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let n = crate::sys::poll(&mut fds, timeout).unwrap_or(1);
            if fds[1].revents != 0 {
                efd.clear();
            }
            fd_ready = fds[0].revents != 0;
            n == 0
        };
        self.fd_waiters.fetch_sub(1, Ordering::SeqCst);
        FdWaitOutcome {
            woke: !timed_out || self.seq.load(Ordering::SeqCst) != snapshot,
            fd_ready,
        }
    }

    /// Installs the hook run after each queued pipe event; only the first
    /// one installed is kept.
    pub fn set_on_event(&self, f: Box<dyn Fn() + Send + Sync>) {
        let _ = self.on_event.set(f);
    }

    /// Queues a pipe change for the socket and wakes it.
    pub fn push_event(&self, ev: PipeEvent) {
        self.events.lock().push(ev);
        self.has_events.store(true, Ordering::SeqCst);
        self.wake();
        if let Some(f) = self.on_event.get() {
            f();
        }
    }

    pub fn has_events(&self) -> bool {
        self.has_events.load(Ordering::SeqCst)
    }

    /// Takes the queued pipe changes, in order; cheap when there are none.
    pub fn take_events(&self) -> Vec<PipeEvent> {
        if !self.has_events.load(Ordering::SeqCst) {
            return Vec::new();
        }
        let mut q = self.events.lock();
        self.has_events.store(false, Ordering::SeqCst);
        std::mem::take(&mut *q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn wait_returns_at_once_if_woken_after_snapshot() {
        let l = SocketLink::new();
        let s = l.snapshot();
        l.wake();
        assert!(l.wait(s, Some(Instant::now() + Duration::from_secs(5))));
    }

    #[test]
    fn wait_times_out_without_wake() {
        let l = SocketLink::new();
        let s = l.snapshot();
        assert!(!l.wait(s, Some(Instant::now() + Duration::from_millis(20))));
    }

    #[test]
    fn wake_from_another_thread_releases_waiter() {
        let l = SocketLink::new();
        let s = l.snapshot();
        let l2 = l.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            l2.wake();
        });
        assert!(l.wait(s, None));
        t.join().unwrap();
    }
}
