//! Load balancing of outgoing messages: round robin over the
//! highest-priority pipes that can take a message now (NN_SNDPRIO, 1 =
//! highest). Lower priorities are used only while every higher one is busy.

use std::sync::Arc;

use super::priority_ring::PriorityRing;
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Default)]
pub struct LoadBalancer {
    ring: PriorityRing,
}

impl LoadBalancer {
    pub fn add(&mut self, pipe: Arc<dyn Pipe>) {
        let prio = pipe.send_priority();
        self.ring.add(pipe, prio);
    }

    pub fn remove(&mut self, id: PipeId) {
        self.ring.remove(id);
    }

    /// Sends to the next pipe in turn that accepts; returns its id, or the
    /// message if none can take it now.
    pub fn send(&mut self, msg: Msg) -> Result<PipeId, Msg> {
        let mut msg = Some(msg);
        let sent = self
            .ring
            .serve(|p| match p.send(msg.take().expect("held until sent")) {
                Ok(()) => Some(p.id()),
                Err(back) => {
                    msg = Some(back);
                    None
                }
            });
        sent.ok_or_else(|| msg.expect("not sent, so still held"))
    }

    /// Sends `data` straight from the caller's buffer to the pipe the next
    /// message goes to, if that pipe can write it at once (`Pipe::send_from`).
    pub fn send_from(&mut self, data: &[u8]) -> bool {
        self.ring
            .serve_first(|p| p.can_send(), |p| p.send_from(data).then_some(()))
            .is_some()
    }

    pub fn can_send(&self) -> bool {
        self.ring.pipes().any(|p| p.can_send())
    }

    /// The priority messages currently go out with (NN_STAT_CURRENT_SND_PRIORITY).
    pub fn current_priority(&self) -> Option<u8> {
        self.ring.first_priority(|p| p.can_send())
    }

    pub fn close_all(&mut self) {
        self.ring.close_all();
    }
}
