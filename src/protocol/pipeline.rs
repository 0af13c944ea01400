//! PIPELINE: PUSH load-balances messages over its peers; PULL fair-queues
//! what its peers push. Raw and cooked sockets behave the same.

use std::sync::Arc;

use super::fair_queue::FairQueue;
use super::load_balance::LoadBalancer;
use super::{Protocol, RecvError, SendError};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Default)]
pub struct Push {
    lb: LoadBalancer,
}

impl Protocol for Push {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.lb.add(pipe);
        Ok(())
    }
    fn remove_pipe(&mut self, id: PipeId) {
        self.lb.remove(id);
    }
    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        self.lb.send(msg).map(|_| ()).map_err(SendError::WouldBlock)
    }
    fn send_from(&mut self, data: &[u8]) -> bool {
        self.lb.send_from(data)
    }
    fn can_send(&self) -> bool {
        self.lb.can_send()
    }
    fn close_all(&mut self) {
        self.lb.close_all();
    }
    fn current_send_priority(&self) -> Option<u8> {
        self.lb.current_priority()
    }
}

#[derive(Default)]
pub struct Pull {
    fq: FairQueue,
}

impl Protocol for Pull {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.fq.add(pipe);
        Ok(())
    }
    fn remove_pipe(&mut self, id: PipeId) {
        self.fq.remove(id);
    }
    fn passes_messages_through(&self) -> bool {
        true
    }
    fn recv(&mut self) -> Result<Msg, RecvError> {
        self.fq.recv().map(|(_, m)| m).ok_or(RecvError::WouldBlock)
    }
    fn can_recv(&self) -> bool {
        self.fq.can_recv()
    }
    fn close_all(&mut self) {
        self.fq.close_all();
    }
}
