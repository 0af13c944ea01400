//! SURVEYOR (sp-surveyor-01): a survey goes to every respondent; answers
//! carrying its id are received until NN_SURVEYOR_DEADLINE passes. Then a
//! receive reports ETIMEDOUT once, and EFSM after that until the next
//! survey; late answers and answers to older surveys are dropped.
//! RESPONDENT routes answers like REP (see `reqrep::Rep`).

use std::os::raw::c_int;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::backtrace::{self, IdGenerator};
use super::distribute::Distributor;
use super::fair_queue::FairQueue;
use super::{Protocol, RecvError, SendError};
use crate::abi::NN_SURVEYOR_DEADLINE;
use crate::error::{Errno, EFSM, ENOPROTOOPT, ETIMEDOUT};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};
use crate::socket::options::int_value;
use crate::timer::TimerHandle;

/// Default NN_SURVEYOR_DEADLINE.
const DEADLINE_MS: c_int = 1000;

enum State {
    /// No survey sent yet: a receive is EFSM.
    Idle,
    /// Collecting answers to survey `id` until timer `timer` fires.
    Active { id: u32, timer: u64 },
    /// The deadline passed; the next receive reports ETIMEDOUT.
    Expired,
    /// ETIMEDOUT was reported; receives are EFSM until the next survey.
    Done,
}

pub struct Surveyor {
    raw: bool,
    dist: Distributor,
    fq: FairQueue,
    timers: TimerHandle,
    ids: IdGenerator,
    deadline: c_int,
    state: State,
    /// An answer to the current survey, fetched ahead.
    ready: Option<Msg>,
    next_timer: u64,
}

impl Surveyor {
    pub fn new(raw: bool, timers: TimerHandle) -> Surveyor {
        Surveyor {
            raw,
            dist: Distributor::default(),
            fq: FairQueue::default(),
            timers,
            ids: IdGenerator::new(),
            deadline: DEADLINE_MS,
            state: State::Idle,
            ready: None,
            next_timer: 0,
        }
    }

    fn fetch(&mut self) {
        let State::Active { id, .. } = self.state else {
            return;
        };
        while self.ready.is_none() {
            let Some((_, m)) = self.fq.recv() else { return };
            if backtrace::single_id(&m.header) == Some(id) {
                self.ready = Some(m);
            }
        }
    }
}

impl Protocol for Surveyor {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.dist.add(pipe.clone());
        self.fq.add(pipe);
        Ok(())
    }

    fn remove_pipe(&mut self, id: PipeId) {
        self.dist.remove(id);
        self.fq.remove(id);
    }

    fn send(&mut self, mut msg: Msg) -> Result<(), SendError> {
        if self.raw {
            self.dist.send(msg, None);
            return Ok(());
        }
        let id = self.ids.next();
        msg.header = id.to_be_bytes().to_vec();
        self.ready = None;
        self.next_timer += 1;
        let timer = self.next_timer;
        self.state = State::Active { id, timer };
        let at = Instant::now() + Duration::from_millis(self.deadline.max(0) as u64);
        self.timers.schedule(at, timer);
        self.dist.send(msg, None);
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, RecvError> {
        if self.raw {
            return self.fq.recv().map(|(_, m)| m).ok_or(RecvError::WouldBlock);
        }
        match self.state {
            State::Idle => Err(RecvError::Fail(EFSM)),
            State::Expired => {
                self.state = State::Done;
                Err(RecvError::Fail(ETIMEDOUT))
            }
            State::Done => Err(RecvError::Fail(EFSM)),
            State::Active { .. } => {
                self.fetch();
                let mut m = self.ready.take().ok_or(RecvError::WouldBlock)?;
                m.header.clear();
                Ok(m)
            }
        }
    }

    fn can_send(&self) -> bool {
        true
    }

    fn can_recv(&self) -> bool {
        if self.raw {
            self.fq.can_recv()
        } else {
            // An expired survey is "readable": the receive reports ETIMEDOUT.
            self.ready.is_some() || matches!(self.state, State::Expired)
        }
    }

    fn poll_pending(&mut self) {
        if !self.raw {
            self.fetch();
        }
    }

    fn on_timer(&mut self, token: u64) {
        if matches!(self.state, State::Active { timer, .. } if timer == token) {
            self.state = State::Expired;
            self.ready = None;
        }
    }

    fn set_option(&mut self, option: c_int, value: &[u8]) -> Result<(), Errno> {
        if self.raw || option != NN_SURVEYOR_DEADLINE {
            return Err(ENOPROTOOPT);
        }
        self.deadline = int_value(value)?;
        Ok(())
    }

    fn get_option(&self, option: c_int) -> Result<Vec<u8>, Errno> {
        if self.raw || option != NN_SURVEYOR_DEADLINE {
            return Err(ENOPROTOOPT);
        }
        Ok(self.deadline.to_ne_bytes().to_vec())
    }

    fn close_all(&mut self) {
        self.dist.close_all();
        self.fq = FairQueue::default();
    }
}
