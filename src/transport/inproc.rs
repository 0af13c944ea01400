//! inproc://: sockets in the same process. A message moves from one
//! socket's queue to the other's by pointer: no copy, no reactor, one
//! wake-up. Connecting before the bind works; the pipe appears when the
//! name is bound.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::{Endpoint, EndpointCtx};
use crate::error::{Result, EADDRINUSE};
use crate::message::Msg;
use crate::pipe::PipeEvent;
use crate::pipe::{next_pipe_id, Pipe, PipeId};
use crate::protocol::is_valid_peer;
use crate::stats::{dec, inc};

struct Queue {
    msgs: VecDeque<Msg>,
    bytes: usize,
}

/// Both directions of one inproc connection. Index i holds what travels
/// towards side i.
struct Channel {
    queues: [Mutex<Queue>; 2],
    /// Bytes side i accepts before its sender must wait (its NN_RCVBUF).
    capacity: [usize; 2],
    ends: [EndInfo; 2],
    closed: AtomicBool,
}

struct EndInfo {
    id: PipeId,
    ctx: EndpointCtx,
    /// The socket was told this end is gone.
    removed: AtomicBool,
}

struct InprocPipe {
    chan: Arc<Channel>,
    side: usize,
}

impl Pipe for InprocPipe {
    fn id(&self) -> PipeId {
        self.chan.ends[self.side].id
    }

    fn send(&self, msg: Msg) -> std::result::Result<(), Msg> {
        let to = 1 - self.side;
        if self.chan.closed.load(Ordering::Acquire) {
            return Err(msg);
        }
        {
            let mut q = self.chan.queues[to].lock();
            let len = msg.wire_len();
            if q.bytes > 0 && q.bytes + len > self.chan.capacity[to] {
                return Err(msg);
            }
            q.bytes += len;
            q.msgs.push_back(msg);
        }
        self.chan.ends[to].ctx.link.wake();
        Ok(())
    }

    fn recv(&self) -> Option<Msg> {
        let (msg, drained) = {
            let mut q = self.chan.queues[self.side].lock();
            let m = q.msgs.pop_front()?;
            q.bytes -= m.wire_len();
            (m, q.msgs.is_empty())
        };
        if drained && self.chan.closed.load(Ordering::Acquire) {
            self.chan.remove_end(self.side);
        }
        // The sender may be waiting for room.
        self.chan.ends[1 - self.side].ctx.link.wake();
        Some(msg)
    }

    fn can_send(&self) -> bool {
        let to = 1 - self.side;
        !self.chan.closed.load(Ordering::Acquire)
            && self.chan.queues[to].lock().bytes < self.chan.capacity[to]
    }

    fn can_recv(&self) -> bool {
        !self.chan.queues[self.side].lock().msgs.is_empty()
    }

    fn close(&self) {
        self.chan.close();
    }

    fn hung_up(&self) -> bool {
        self.chan.closed.load(Ordering::Acquire)
    }

    fn send_priority(&self) -> u8 {
        self.chan.ends[self.side].ctx.opts.sndprio
    }

    fn recv_priority(&self) -> u8 {
        self.chan.ends[self.side].ctx.opts.rcvprio
    }
}

impl Channel {
    /// Disconnects both ends. An end with messages still queued for it stays
    /// attached until they are received: nothing sent is lost.
    fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            for side in 0..2 {
                if self.queues[side].lock().msgs.is_empty() {
                    self.remove_end(side);
                }
            }
        }
    }

    fn remove_end(&self, side: usize) {
        let end = &self.ends[side];
        if !end.removed.swap(true, Ordering::AcqRel) {
            dec(&end.ctx.link.stats.current_connections);
            end.ctx.link.push_event(PipeEvent::Removed(end.id));
        }
    }
}

/// A bound or connected inproc endpoint, as the registry knows it.
struct InprocEp {
    key: u64,
    ctx: EndpointCtx,
    channels: Mutex<Vec<Arc<Channel>>>,
}

#[derive(Default)]
struct Registry {
    binds: HashMap<String, Arc<InprocEp>>,
    connects: HashMap<String, Vec<Arc<InprocEp>>>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

/// Joins a bound and a connecting endpoint with a new channel, if their
/// protocols fit.
fn join(bound: &InprocEp, connecting: &InprocEp) {
    if !is_valid_peer(bound.ctx.protocol, connecting.ctx.protocol) {
        return;
    }
    let ends = [bound, connecting].map(|ep| EndInfo {
        id: next_pipe_id(),
        ctx: ep.ctx.clone(),
        removed: AtomicBool::new(false),
    });
    let chan = Arc::new(Channel {
        queues: [(); 2].map(|_| {
            Mutex::new(Queue {
                msgs: VecDeque::new(),
                bytes: 0,
            })
        }),
        // NN_RCVBUF as each socket has it now (nanomsg reads it per
        // connection).
        capacity: [
            bound.ctx.link.options().rcvbuf,
            connecting.ctx.link.options().rcvbuf,
        ],
        ends,
        closed: AtomicBool::new(false),
    });
    inc(&connecting.ctx.link.stats.established_connections);
    for (side, ep) in [bound, connecting].into_iter().enumerate() {
        inc(&ep.ctx.link.stats.current_connections);
        let mut chans = ep.channels.lock();
        chans.retain(|c| !c.closed.load(Ordering::Acquire));
        chans.push(chan.clone());
        let pipe: Arc<dyn Pipe> = Arc::new(InprocPipe {
            chan: chan.clone(),
            side,
        });
        ep.ctx.link.push_event(PipeEvent::Added(pipe));
    }
}

fn new_ep(ctx: EndpointCtx) -> Arc<InprocEp> {
    Arc::new(InprocEp {
        key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
        ctx,
        channels: Mutex::new(Vec::new()),
    })
}

pub fn bind(name: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let ep = new_ep(ctx);
    let mut reg = REGISTRY.lock();
    let reg = reg.get_or_insert_with(Registry::default);
    if reg.binds.contains_key(name) {
        return Err(EADDRINUSE);
    }
    reg.binds.insert(name.to_string(), ep.clone());
    for c in reg.connects.get(name).into_iter().flatten() {
        join(&ep, c);
    }
    Ok(Box::new(InprocEndpoint {
        name: name.to_string(),
        ep,
        bound: true,
    }))
}

pub fn connect(name: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let ep = new_ep(ctx);
    let mut reg = REGISTRY.lock();
    let reg = reg.get_or_insert_with(Registry::default);
    reg.connects
        .entry(name.to_string())
        .or_default()
        .push(ep.clone());
    if let Some(b) = reg.binds.get(name) {
        join(b, &ep);
    }
    Ok(Box::new(InprocEndpoint {
        name: name.to_string(),
        ep,
        bound: false,
    }))
}

struct InprocEndpoint {
    name: String,
    ep: Arc<InprocEp>,
    bound: bool,
}

impl Endpoint for InprocEndpoint {
    fn shutdown(&mut self, _linger: Duration) {
        {
            let mut reg = REGISTRY.lock();
            if let Some(reg) = reg.as_mut() {
                if self.bound {
                    reg.binds.remove(&self.name);
                } else if let Some(v) = reg.connects.get_mut(&self.name) {
                    v.retain(|e| e.key != self.ep.key);
                    if v.is_empty() {
                        reg.connects.remove(&self.name);
                    }
                }
            }
        }
        for chan in self.ep.channels.lock().drain(..) {
            chan.close();
        }
    }
}
