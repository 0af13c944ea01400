//! BUS: every message goes to every directly connected peer and is never
//! echoed back. A raw BUS socket puts the key of the pipe a message came
//! from in its header, and does not send a message back to the pipe named
//! in its header — so a raw BUS device forwards without loops.

use std::sync::Arc;

use super::backtrace::WORD;
use super::distribute::Distributor;
use super::fair_queue::FairQueue;
use super::keyed_pipes::KeyedPipes;
use super::{Protocol, RecvError, SendError};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

pub struct Bus {
    raw: bool,
    dist: Distributor,
    fq: FairQueue,
    keys: KeyedPipes,
}

impl Bus {
    pub fn new(raw: bool) -> Bus {
        Bus {
            raw,
            dist: Distributor::default(),
            fq: FairQueue::default(),
            keys: KeyedPipes::default(),
        }
    }
}

impl Protocol for Bus {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.keys.add(&pipe);
        self.dist.add(pipe.clone());
        self.fq.add(pipe);
        Ok(())
    }

    fn remove_pipe(&mut self, id: PipeId) {
        self.keys.remove(id);
        self.dist.remove(id);
        self.fq.remove(id);
    }

    fn send(&mut self, mut msg: Msg) -> Result<(), SendError> {
        let mut except = None;
        if self.raw && msg.header.len() >= WORD {
            if let Some((pipe, _)) = self.keys.route(&msg.header) {
                except = pipe.map(|p| p.id());
            }
            msg.header.drain(..WORD);
        }
        self.dist.send(msg, except);
        Ok(())
    }

    fn recv(&mut self) -> Result<Msg, RecvError> {
        let (pipe, mut msg) = self.fq.recv().ok_or(RecvError::WouldBlock)?;
        if self.raw {
            let key = self.keys.key_of(pipe.id()).unwrap_or(0);
            let mut header = key.to_be_bytes().to_vec();
            header.append(&mut msg.header);
            msg.header = header;
        }
        Ok(msg)
    }

    fn can_send(&self) -> bool {
        true
    }

    fn can_recv(&self) -> bool {
        self.fq.can_recv()
    }

    fn close_all(&mut self) {
        self.dist.close_all();
        self.fq = FairQueue::default();
    }
}
