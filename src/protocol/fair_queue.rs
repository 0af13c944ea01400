//! Fair queuing of incoming messages: the highest-priority pipes with a
//! message waiting are served round robin (NN_RCVPRIO, 1 = highest).

use std::sync::Arc;

use super::priority_ring::PriorityRing;
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Default)]
pub struct FairQueue {
    ring: PriorityRing,
}

impl FairQueue {
    pub fn add(&mut self, pipe: Arc<dyn Pipe>) {
        let prio = pipe.recv_priority();
        self.ring.add(pipe, prio);
    }

    pub fn remove(&mut self, id: PipeId) {
        self.ring.remove(id);
    }

    /// The next message, with the pipe it came from.
    pub fn recv(&mut self) -> Option<(Arc<dyn Pipe>, Msg)> {
        self.ring.serve(|p| p.recv().map(|m| (p.clone(), m)))
    }

    pub fn can_recv(&self) -> bool {
        self.ring.pipes().any(|p| p.can_recv())
    }

    pub fn close_all(&mut self) {
        self.ring.close_all();
    }
}
