//! The socket core every protocol shares: options, endpoints, and blocking
//! send/receive with deadlines on top of the protocols' non-blocking rules.

mod endpoints;
pub mod options;
pub mod readiness;

use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, MutexGuard};

use crate::abi;
use crate::error::{Errno, Result, EAGAIN, EBADF, EINVAL, ENOMEM, ENOPROTOOPT, ENOTSUP, ETIMEDOUT};
pub use crate::link::SocketLink;
use crate::message::{Chunk, Msg, RecvBuf};
pub use crate::pipe::PipeEvent;
use crate::pipe::{DirectRead, Pipe};
use crate::protocol::{self, Protocol, RecvError, SendError};
use crate::timer::{TimerHandle, TimerTarget};
use crate::transport::{batching, Endpoint};
use options::Options;
use readiness::{Readiness, ReadyFd};

pub struct Socket {
    pub domain: c_int,
    pub protocol: c_int,
    pub link: Arc<SocketLink>,
    core: Mutex<Core>,
    closed: AtomicBool,
    /// Pipe events or a readiness change wait to be applied by whoever
    /// next holds (or can take) the core.
    dirty: AtomicBool,
    weak: Weak<Socket>,
}

/// What a receive got.
pub enum Received {
    Msg(Msg),
    /// A message of this length, read into the buffer given (it fitted).
    IntoBuffer(usize),
}

struct Core {
    proto: Box<dyn Protocol>,
    /// The pipes the protocol accepted (for waiting on a lone stream).
    pipes: Vec<Arc<dyn Pipe>>,
    opts: Options,
    endpoints: Vec<(c_int, Box<dyn Endpoint>)>,
    next_endpoint_id: c_int,
    ready: Readiness,
}

/// The locked core. Letting go of it brings the readiness descriptors up to
/// date with what the holder changed.
struct CoreGuard<'a> {
    sock: &'a Socket,
    guard: Option<MutexGuard<'a, Core>>,
}

impl std::ops::Deref for CoreGuard<'_> {
    type Target = Core;
    fn deref(&self) -> &Core {
        self.guard.as_ref().expect("held until drop")
    }
}

impl std::ops::DerefMut for CoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Core {
        self.guard.as_mut().expect("held until drop")
    }
}

impl Drop for CoreGuard<'_> {
    fn drop(&mut self) {
        if let Some(mut core) = self.guard.take() {
            if core.ready.enabled() || self.sock.link.has_events() {
                self.sock.dirty.store(false, Ordering::SeqCst);
                core.settle(self.sock);
            }
            drop(core);
            // Another thread may have found the core taken while we held it.
            self.sock.settle();
        }
    }
}

impl Core {
    /// Applies the pipe arrivals and departures transports queued.
    fn apply_pipe_events(&mut self, link: &SocketLink) {
        // (Checked first: this runs on every call, events are rare.)
        if !link.has_events() {
            self.proto.poll_pending();
            return;
        }
        for ev in link.take_events() {
            match ev {
                PipeEvent::Added(pipe) => match self.proto.add_pipe(pipe.clone()) {
                    Ok(()) => self.pipes.push(pipe),
                    Err(refused) => refused.close(),
                },
                PipeEvent::Removed(id) => {
                    self.pipes.retain(|p| p.id() != id);
                    self.proto.remove_pipe(id);
                }
            }
        }
        self.proto.poll_pending();
    }

    /// Applies queued pipe events and brings the readiness descriptors up
    /// to date.
    fn settle(&mut self, sock: &Socket) {
        self.apply_pipe_events(&sock.link);
        if !self.ready.enabled() {
            return;
        }
        if sock.closed.load(Ordering::Acquire) {
            // Wake pollers so their next call reports the error.
            self.ready.update(true, true);
        } else {
            let (s, r) = (self.proto.can_send(), self.proto.can_recv());
            self.ready.update(s, r);
        }
    }
}

fn deadline(timeout_ms: c_int) -> Option<Instant> {
    (timeout_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64))
}

impl TimerTarget for Socket {
    fn on_timer(&self, token: u64) {
        {
            let mut core = self.lock();
            core.apply_pipe_events(&self.link);
            core.proto.on_timer(token);
        }
        self.link.wake();
    }
}

impl Socket {
    /// Creates socket number `index`; fails if the protocol is unknown.
    pub fn new(index: c_int, domain: c_int, protocol: c_int) -> Result<Arc<Socket>> {
        if !protocol::ALL.contains(&protocol) {
            return Err(EINVAL);
        }
        let raw = domain == abi::AF_SP_RAW;
        Ok(Arc::new_cyclic(|weak: &Weak<Socket>| {
            let timers = TimerHandle::new(weak.clone() as Weak<dyn TimerTarget>);
            let mut proto =
                protocol::create(protocol, raw, timers).expect("every protocol in ALL is built");
            let opts = Options::new(index);
            proto.set_max_ttl(opts.maxttl as usize);
            // A pipe arriving or leaving is applied at once if the core is
            // free (so a queued REQ request goes out with no call running),
            // else by the thread holding it.
            let link = SocketLink::new();
            let w = weak.clone();
            link.set_on_event(Box::new(move || {
                if let Some(s) = w.upgrade() {
                    s.dirty.store(true, Ordering::SeqCst);
                    s.settle();
                }
            }));
            Socket {
                domain,
                protocol,
                link,
                core: Mutex::new(Core {
                    proto,
                    pipes: Vec::new(),
                    opts,
                    endpoints: Vec::new(),
                    next_endpoint_id: 1,
                    ready: Readiness::default(),
                }),
                closed: AtomicBool::new(false),
                dirty: AtomicBool::new(false),
                weak: weak.clone(),
            }
        }))
    }

    fn lock(&self) -> CoreGuard<'_> {
        CoreGuard {
            sock: self,
            guard: Some(self.core.lock()),
        }
    }

    /// Applies what changed while another thread held the core: that
    /// thread (on release) or this one catches every change.
    fn settle(&self) {
        while self.dirty.load(Ordering::SeqCst) {
            let Some(mut core) = self.core.try_lock() else {
                return;
            };
            self.dirty.store(false, Ordering::SeqCst);
            core.settle(self);
        }
    }

    /// The NN_SNDFD / NN_RCVFD descriptor, created on first request.
    fn readiness_fd(&self, core: &mut Core, send: bool) -> Result<c_int> {
        let slot = if send {
            &mut core.ready.send
        } else {
            &mut core.ready.recv
        };
        if slot.is_none() {
            *slot = Some(ReadyFd::new().map_err(|e| crate::error::from_io(&e))?);
            self.link.watch_readiness();
            for pipe in &core.pipes {
                pipe.keep_input_watched();
            }
            let weak = self.weak.clone();
            self.link.set_on_wake(Box::new(move || {
                if let Some(s) = weak.upgrade() {
                    s.dirty.store(true, Ordering::SeqCst);
                    s.settle();
                }
            }));
        }
        Ok(slot.as_ref().map(ReadyFd::raw).expect("just created"))
    }

    /// Writes out what streaming sends left queued on every pipe.
    pub fn flush_pipes(&self) {
        let core = self.lock();
        for pipe in &core.pipes {
            pipe.flush_now();
        }
    }

    /// A socket closed by nn_close or nn_term fails every call with EBADF.
    fn check_usable(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(EBADF);
        }
        Ok(())
    }

    /// Sends a message, waiting up to NN_SNDTIMEO unless `dontwait`. On
    /// failure the message is handed back where it was not consumed.
    pub fn send(&self, msg: Msg, dontwait: bool) -> std::result::Result<(), (Errno, Option<Msg>)> {
        if !protocol::can_ever_send(self.protocol) {
            return Err((ENOTSUP, Some(msg)));
        }
        let _span = batching::send_span();
        self.send_started(msg, dontwait)
    }

    /// Sends a copy of `data` (nn_send with a buffer), waiting up to
    /// NN_SNDTIMEO unless `dontwait`. Where the protocol and connection
    /// allow, the bytes go to the kernel straight from `data`, with no copy
    /// (not while the thread streams small messages: those are batched).
    pub fn send_copy(&self, data: &[u8], dontwait: bool) -> Result<()> {
        if !protocol::can_ever_send(self.protocol) {
            return Err(ENOTSUP);
        }
        let _span = batching::send_span();
        if (data.len() >= batching::BATCH_BYTES || batching::streaming().is_none())
            && self.check_usable().is_ok()
        {
            let mut core = self.lock();
            core.apply_pipe_events(&self.link);
            if core.proto.send_from(data) {
                drop(core);
                self.count_sent(data.len());
                return Ok(());
            }
        }
        let body = Chunk::from_slice(data).ok_or(ENOMEM)?;
        self.send_started(Msg::new(body), dontwait)
            .map_err(|(e, _)| e)
    }

    fn count_sent(&self, len: usize) {
        let stats = &self.link.stats;
        stats.messages_sent.fetch_add(1, Ordering::Relaxed);
        stats.bytes_sent.fetch_add(len as u64, Ordering::Relaxed);
    }

    /// `send` once the send is counted as started (`batching::send_span`).
    fn send_started(
        &self,
        msg: Msg,
        dontwait: bool,
    ) -> std::result::Result<(), (Errno, Option<Msg>)> {
        let len = msg.body.len();
        let mut msg = msg;
        let mut until: Option<Option<Instant>> = None;
        loop {
            let snap = self.link.snapshot();
            if let Err(e) = self.check_usable() {
                return Err((e, Some(msg)));
            }
            {
                let mut core = self.lock();
                core.apply_pipe_events(&self.link);
                match core.proto.send(msg) {
                    Ok(()) => {
                        drop(core);
                        self.count_sent(len);
                        return Ok(());
                    }
                    Err(SendError::Fail(e, m)) => return Err((e, Some(m))),
                    Err(SendError::WouldBlock(m)) => msg = m,
                }
                if dontwait {
                    return Err((EAGAIN, Some(msg)));
                }
                if until.is_none() {
                    until = Some(deadline(core.opts.sndtimeo));
                }
            }
            if !self.link.wait(snap, until.flatten()) {
                let e = self.check_usable().err().unwrap_or(ETIMEDOUT);
                return Err((e, Some(msg)));
            }
        }
    }

    /// Receives a message, waiting up to NN_RCVTIMEO unless `dontwait`.
    pub fn recv(&self, dontwait: bool) -> Result<Msg> {
        match self.recv_into(None, dontwait)? {
            Received::Msg(msg) => Ok(msg),
            Received::IntoBuffer(_) => unreachable!("no buffer was given"),
        }
    }

    /// Like `recv`, but the message may be put straight into `buf`
    /// (nn_recv into the application's buffer) where the protocol passes
    /// messages through unchanged and the receiver reads the connection
    /// itself: that saves making a message only to copy it there.
    pub fn recv_into(&self, mut buf: Option<&mut RecvBuf<'_>>, dontwait: bool) -> Result<Received> {
        if !protocol::can_ever_recv(self.protocol) {
            return Err(ENOTSUP);
        }
        let mut until: Option<Option<Instant>> = None;
        let mut direct;
        let mut waited = false;
        let mut lend = false;
        loop {
            let snap = self.link.snapshot();
            self.check_usable()?;
            {
                let mut core = self.lock();
                core.apply_pipe_events(&self.link);
                match core.proto.recv() {
                    Ok(msg) => {
                        let more = self.link.has_waiters() && core.proto.can_recv();
                        drop(core);
                        self.count_received(msg.body.len());
                        self.pass_on_the_rest(more);
                        return Ok(Received::Msg(msg));
                    }
                    Err(RecvError::Fail(e)) => return Err(e),
                    Err(RecvError::WouldBlock) => {}
                }
                if dontwait {
                    return Err(EAGAIN);
                }
                if until.is_none() {
                    until = Some(deadline(core.opts.rcvtimeo));
                    lend = buf.is_some() && core.proto.passes_messages_through();
                }
                // With a single stream connection, wait on its descriptor
                // (and the socket's wake-up descriptor) so an arriving reply
                // wakes this thread directly, not through the I/O thread.
                direct = match core.pipes.as_slice() {
                    [only] if self.link.can_wait_on_fd() => {
                        only.wait_fd().map(|fd| (only.clone(), fd))
                    }
                    _ => None,
                };
            }
            let woke = match &direct {
                Some((pipe, fd)) => {
                    // Take what has already arrived before sleeping on it.
                    // (Waiting for an answer, the poll finds out at once
                    // if it is there, saving a read that finds nothing.)
                    if waited || pipe.input_likely() {
                        let into = buf.as_deref_mut().filter(|_| lend);
                        match pipe.read_now(into) {
                            DirectRead::Delivered(len) => {
                                self.count_received(len);
                                self.pass_on_the_rest(self.link.has_waiters() && pipe.can_recv());
                                return Ok(Received::IntoBuffer(len));
                            }
                            DirectRead::Queued => continue,
                            DirectRead::Nothing => {}
                        }
                    }
                    waited = true;
                    pipe.begin_direct_wait();
                    let outcome = self.link.wait_on_fd(snap, *fd, until.flatten());
                    pipe.end_direct_wait(outcome.fd_ready);
                    outcome.woke
                }
                None => self.link.wait(snap, until.flatten()),
            };
            if !woke {
                self.check_usable()?;
                return Err(ETIMEDOUT);
            }
        }
    }

    /// A receiver that read several messages off a connection at once
    /// took one; with `more` left and another thread blocked on the socket
    /// (checked first by the caller: whether more is left may mean looking
    /// at every pipe), that thread must wake to take them: it sleeps on
    /// the connection, which the data it was waiting for has already left.
    fn pass_on_the_rest(&self, more_and_waiters: bool) {
        if more_and_waiters {
            self.link.wake();
        }
    }

    fn count_received(&self, len: usize) {
        let stats = &self.link.stats;
        stats.messages_received.fetch_add(1, Ordering::Relaxed);
        stats
            .bytes_received
            .fetch_add(len as u64, Ordering::Relaxed);
    }

    /// Closes the socket: blocked calls return EBADF, endpoints shut down
    /// (flushing queued output for up to NN_LINGER), pipes close.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.link.wake();
        let (endpoints, linger) = {
            let mut core = self.lock();
            let linger = Duration::from_millis(core.opts.linger.max(0) as u64);
            (std::mem::take(&mut core.endpoints), linger)
        };
        for (_, mut ep) in endpoints {
            ep.shutdown(linger);
        }
        let mut core = self.lock();
        core.apply_pipe_events(&self.link);
        core.proto.close_all();
    }

    pub fn set_option(&self, level: c_int, option: c_int, value: &[u8]) -> Result<()> {
        self.check_usable()?;
        let mut core = self.lock();
        match level {
            abi::NN_SOL_SOCKET => {
                core.opts.set_socket(option, value)?;
                if option == abi::NN_MAXTTL {
                    let hops = core.opts.maxttl as usize;
                    core.proto.set_max_ttl(hops);
                }
            }
            l if l < 0 => core.opts.set_transport(level, option, value)?,
            l if l == self.protocol => return core.proto.set_option(option, value),
            _ => return Err(ENOPROTOOPT),
        }
        // Transports read some options again when a connection starts or
        // a message arrives (the table in docs/nanomsg-1.1.5-behaviour.md).
        self.link.set_options(core.opts.endpoint());
        Ok(())
    }

    pub fn get_option(&self, level: c_int, option: c_int) -> Result<Vec<u8>> {
        self.check_usable()?;
        let mut core = self.lock();
        match level {
            abi::NN_SOL_SOCKET => match option {
                abi::NN_DOMAIN => Ok(self.domain.to_ne_bytes().to_vec()),
                abi::NN_PROTOCOL => Ok(self.protocol.to_ne_bytes().to_vec()),
                abi::NN_SNDFD if protocol::can_ever_send(self.protocol) => {
                    Ok(self.readiness_fd(&mut core, true)?.to_ne_bytes().to_vec())
                }
                abi::NN_RCVFD if protocol::can_ever_recv(self.protocol) => {
                    Ok(self.readiness_fd(&mut core, false)?.to_ne_bytes().to_vec())
                }
                abi::NN_SNDFD | abi::NN_RCVFD => Err(ENOPROTOOPT),
                _ => core.opts.get_socket(option),
            },
            l if l < 0 => core.opts.get_transport(level, option),
            l if l == self.protocol => core.proto.get_option(option),
            _ => Err(ENOPROTOOPT),
        }
    }

    pub fn statistic(&self, stat: c_int) -> Result<u64> {
        if stat == abi::NN_STAT_CURRENT_SND_PRIORITY {
            return Ok(self
                .lock()
                .proto
                .current_send_priority()
                .map_or(0, u64::from));
        }
        let c = self.link.stats.counter(stat).ok_or(EINVAL)?;
        Ok(c.load(Ordering::Relaxed))
    }
}
