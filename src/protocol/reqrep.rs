//! REQ/REP (sp-request-reply-01) and, with the same reply routing,
//! RESPONDENT.
//!
//! REQ tags each request with a fresh id, sends it to one peer (load
//! balanced), accepts only the reply with that id, and resends the request
//! after NN_REQ_RESEND_IVL or at once when its peer goes away. A new request
//! cancels the outstanding one. Sending never blocks: with no peer the
//! request waits for one.
//!
//! REP (and RESPONDENT) remembers where the last request came from and its
//! backtrace, and routes the reply there. Raw sockets expose the backtrace
//! (raw REP with the pipe key on top) and do no bookkeeping.

use std::os::raw::c_int;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::backtrace::{self, IdGenerator};
use super::fair_queue::FairQueue;
use super::keyed_pipes::KeyedPipes;
use super::load_balance::LoadBalancer;
use super::{Protocol, RecvError, SendError};
use crate::abi::NN_REQ_RESEND_IVL;
use crate::error::{Errno, EFSM, ENOPROTOOPT};
use crate::message::{Chunk, Msg};
use crate::pipe::{Pipe, PipeId};
use crate::socket::options::int_value;
use crate::timer::TimerHandle;

/// Default NN_REQ_RESEND_IVL.
const RESEND_IVL_MS: c_int = 60_000;
/// Default NN_MAXTTL.
const MAX_TTL: usize = 8;

struct Request {
    id: u32,
    /// The request as sent, kept for resending.
    msg: Msg,
    sent_to: Option<PipeId>,
    /// Token of the resend timer that is current.
    timer: u64,
}

pub struct Req {
    raw: bool,
    lb: LoadBalancer,
    fq: FairQueue,
    timers: TimerHandle,
    ids: IdGenerator,
    resend_ivl: c_int,
    current: Option<Request>,
    /// The reply to the current request, fetched ahead.
    reply: Option<Msg>,
    next_timer: u64,
}

fn copy(msg: &Msg) -> Option<Msg> {
    Some(Msg {
        header: msg.header.clone(),
        body: Chunk::from_slice(msg.body.as_slice())?,
    })
}

impl Req {
    pub fn new(raw: bool, timers: TimerHandle) -> Req {
        Req {
            raw,
            lb: LoadBalancer::default(),
            fq: FairQueue::default(),
            timers,
            ids: IdGenerator::new(),
            resend_ivl: RESEND_IVL_MS,
            current: None,
            reply: None,
            next_timer: 0,
        }
    }

    /// Sends the current request if it is not out yet and a peer can take it.
    fn try_send_current(&mut self) {
        let Some(req) = self.current.as_mut() else {
            return;
        };
        if req.sent_to.is_some() {
            return;
        }
        let Some(m) = copy(&req.msg) else { return };
        if let Ok(pipe) = self.lb.send(m) {
            req.sent_to = Some(pipe);
            self.next_timer += 1;
            req.timer = self.next_timer;
            let ivl = Duration::from_millis(self.resend_ivl.max(0) as u64);
            self.timers.schedule(Instant::now() + ivl, req.timer);
        }
    }

    /// Takes replies off the pipes, keeping the one for the current request.
    fn fetch_reply(&mut self) {
        while self.reply.is_none() {
            let Some((_, m)) = self.fq.recv() else { return };
            let id = backtrace::single_id(&m.header);
            if let Some(req) = &self.current {
                if id == Some(req.id) {
                    self.reply = Some(m);
                }
            }
        }
    }
}

impl Protocol for Req {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.lb.add(pipe.clone());
        self.fq.add(pipe);
        if !self.raw {
            self.try_send_current();
        }
        Ok(())
    }

    fn remove_pipe(&mut self, id: PipeId) {
        self.lb.remove(id);
        self.fq.remove(id);
        if let Some(req) = self.current.as_mut() {
            if req.sent_to == Some(id) {
                // Its peer is gone: resend elsewhere now.
                req.sent_to = None;
                self.try_send_current();
            }
        }
    }

    fn send(&mut self, mut msg: Msg) -> Result<(), SendError> {
        if self.raw {
            return self.lb.send(msg).map(|_| ()).map_err(SendError::WouldBlock);
        }
        let id = self.ids.next();
        msg.header = id.to_be_bytes().to_vec();
        self.reply = None;
        self.current = Some(Request {
            id,
            msg,
            sent_to: None,
            timer: 0,
        });
        self.try_send_current();
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, RecvError> {
        if self.raw {
            return self.fq.recv().map(|(_, m)| m).ok_or(RecvError::WouldBlock);
        }
        // No request in progress (none sent, or its reply already taken).
        if self.current.is_none() {
            return Err(RecvError::Fail(EFSM));
        }
        self.try_send_current();
        self.fetch_reply();
        let mut reply = self.reply.take().ok_or(RecvError::WouldBlock)?;
        self.current = None;
        reply.header.clear();
        Ok(reply)
    }

    fn can_send(&self) -> bool {
        !self.raw || self.lb.can_send()
    }

    fn can_recv(&self) -> bool {
        if self.raw {
            self.fq.can_recv()
        } else {
            self.reply.is_some()
        }
    }

    fn poll_pending(&mut self) {
        if !self.raw {
            self.try_send_current();
            self.fetch_reply();
        }
    }

    fn on_timer(&mut self, token: u64) {
        if let Some(req) = self.current.as_mut() {
            if req.timer == token && req.sent_to.is_some() {
                req.sent_to = None;
                self.try_send_current();
            }
        }
    }

    fn set_option(&mut self, option: c_int, value: &[u8]) -> Result<(), Errno> {
        if self.raw || option != NN_REQ_RESEND_IVL {
            return Err(ENOPROTOOPT);
        }
        self.resend_ivl = int_value(value)?;
        Ok(())
    }

    fn get_option(&self, option: c_int) -> Result<Vec<u8>, Errno> {
        if self.raw || option != NN_REQ_RESEND_IVL {
            return Err(ENOPROTOOPT);
        }
        Ok(self.resend_ivl.to_ne_bytes().to_vec())
    }

    fn close_all(&mut self) {
        self.lb.close_all();
        self.fq = FairQueue::default();
    }

    fn current_send_priority(&self) -> Option<u8> {
        self.lb.current_priority()
    }
}

/// REP and RESPONDENT.
pub struct Rep {
    raw: bool,
    fq: FairQueue,
    keys: KeyedPipes,
    max_hops: usize,
    /// Where the reply to the last request goes: pipe and backtrace.
    current: Option<(PipeId, Vec<u8>)>,
    /// The next valid request, fetched ahead.
    ready: Option<(PipeId, Msg)>,
}

impl Rep {
    pub fn new(raw: bool) -> Rep {
        Rep {
            raw,
            fq: FairQueue::default(),
            keys: KeyedPipes::default(),
            max_hops: MAX_TTL,
            current: None,
            ready: None,
        }
    }

    /// Takes requests off the pipes, dropping malformed ones and those that
    /// crossed too many hops.
    fn fetch(&mut self) {
        // A request that has crossed more than NN_MAXTTL hops (entries in
        // its backtrace, the request id included) is dropped, by raw and
        // cooked sockets alike.
        let limit = self.max_hops;
        while self.ready.is_none() {
            let Some((pipe, m)) = self.fq.recv() else {
                return;
            };
            if backtrace::is_valid(&m.header, limit) {
                self.ready = Some((pipe.id(), m));
            }
        }
    }
}

impl Protocol for Rep {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.keys.add(&pipe);
        self.fq.add(pipe);
        Ok(())
    }

    fn remove_pipe(&mut self, id: PipeId) {
        self.keys.remove(id);
        self.fq.remove(id);
        if self.ready.as_ref().is_some_and(|(p, _)| *p == id) {
            self.ready = None;
        }
    }

    fn send(&mut self, mut msg: Msg) -> Result<(), SendError> {
        let pipe = if self.raw {
            let Some((pipe, rest)) = self.keys.route(&msg.header) else {
                // No pipe key: nowhere to route it; dropped, as nanomsg does.
                return Ok(());
            };
            let pipe = pipe.cloned();
            msg.header = rest.to_vec();
            pipe
        } else {
            let Some((id, bt)) = self.current.take() else {
                return Err(SendError::Fail(EFSM, msg));
            };
            msg.header = bt;
            self.keys.get(id).cloned()
        };
        // A peer that is gone or full loses the reply; REP never blocks.
        if let Some(p) = pipe {
            let _ = p.send(msg);
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, RecvError> {
        // Starting a receive abandons the request held for a reply, as in
        // nanomsg: a send after a receive that timed out is EFSM.
        if !self.raw {
            self.current = None;
        }
        self.fetch();
        let (pipe, mut m) = self.ready.take().ok_or(RecvError::WouldBlock)?;
        if self.raw {
            let key = self.keys.key_of(pipe).unwrap_or(0);
            let mut header = key.to_be_bytes().to_vec();
            header.append(&mut m.header);
            m.header = header;
        } else {
            self.current = Some((pipe, std::mem::take(&mut m.header)));
        }
        Ok(m)
    }

    fn can_send(&self) -> bool {
        self.raw || self.current.is_some()
    }

    fn can_recv(&self) -> bool {
        self.ready.is_some()
    }

    fn poll_pending(&mut self) {
        self.fetch();
    }

    fn set_max_ttl(&mut self, hops: usize) {
        self.max_hops = hops;
    }

    fn close_all(&mut self) {
        self.fq.close_all();
    }
}
