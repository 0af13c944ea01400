//! Load balancing of outgoing messages: round robin over the
//! highest-priority pipes that can take a message now (NN_SNDPRIO, 1 =
//! highest). Lower priorities are used only while every higher one is busy.

use std::sync::Arc;

use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

const PRIORITIES: usize = 16;

#[derive(Default)]
pub struct LoadBalancer {
    by_prio: [Vec<Arc<dyn Pipe>>; PRIORITIES],
    cursor: [usize; PRIORITIES],
}

fn slot(prio: u8) -> usize {
    (prio.clamp(1, PRIORITIES as u8) - 1) as usize
}

impl LoadBalancer {
    pub fn add(&mut self, pipe: Arc<dyn Pipe>) {
        self.by_prio[slot(pipe.send_priority())].push(pipe);
    }

    pub fn remove(&mut self, id: PipeId) {
        for (p, pipes) in self.by_prio.iter_mut().enumerate() {
            if let Some(i) = pipes.iter().position(|x| x.id() == id) {
                pipes.remove(i);
                if self.cursor[p] > i {
                    self.cursor[p] -= 1;
                }
                return;
            }
        }
    }

    /// Sends to the next pipe in turn that accepts; returns its id, or the
    /// message if none can take it now.
    pub fn send(&mut self, mut msg: Msg) -> Result<PipeId, Msg> {
        for (p, pipes) in self.by_prio.iter().enumerate() {
            let n = pipes.len();
            for k in 0..n {
                let i = (self.cursor[p] + k) % n;
                match pipes[i].send(msg) {
                    Ok(()) => {
                        self.cursor[p] = (i + 1) % n;
                        return Ok(pipes[i].id());
                    }
                    Err(m) => msg = m,
                }
            }
        }
        Err(msg)
    }

    pub fn can_send(&self) -> bool {
        self.by_prio.iter().flatten().any(|p| p.can_send())
    }

    /// The priority messages currently go out with (NN_STAT_CURRENT_SND_PRIORITY).
    pub fn current_priority(&self) -> Option<u8> {
        self.by_prio
            .iter()
            .position(|pipes| pipes.iter().any(|p| p.can_send()))
            .map(|i| i as u8 + 1)
    }

    pub fn close_all(&mut self) {
        for p in self.by_prio.iter_mut().flat_map(std::mem::take) {
            p.close();
        }
    }
}
