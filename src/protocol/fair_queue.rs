//! Fair queuing of incoming messages: the highest-priority pipes with a
//! message waiting are served round robin (NN_RCVPRIO, 1 = highest).

use std::sync::Arc;

use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

const PRIORITIES: usize = 16;

#[derive(Default)]
pub struct FairQueue {
    by_prio: [Vec<Arc<dyn Pipe>>; PRIORITIES],
    /// Where the next round robin scan starts, per priority.
    cursor: [usize; PRIORITIES],
}

fn slot(prio: u8) -> usize {
    (prio.clamp(1, PRIORITIES as u8) - 1) as usize
}

impl FairQueue {
    pub fn add(&mut self, pipe: Arc<dyn Pipe>) {
        self.by_prio[slot(pipe.recv_priority())].push(pipe);
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

    /// The next message, with the pipe it came from.
    pub fn recv(&mut self) -> Option<(Arc<dyn Pipe>, Msg)> {
        for (p, pipes) in self.by_prio.iter().enumerate() {
            let n = pipes.len();
            for k in 0..n {
                let i = (self.cursor[p] + k) % n;
                if let Some(m) = pipes[i].recv() {
                    self.cursor[p] = (i + 1) % n;
                    return Some((pipes[i].clone(), m));
                }
            }
        }
        None
    }

    pub fn can_recv(&self) -> bool {
        self.by_prio.iter().flatten().any(|p| p.can_recv())
    }

    pub fn pipes(&self) -> impl Iterator<Item = &Arc<dyn Pipe>> {
        self.by_prio.iter().flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.by_prio.iter().all(Vec::is_empty)
    }

    pub fn close_all(&mut self) {
        for p in self.by_prio.iter_mut().flat_map(std::mem::take) {
            p.close();
        }
    }
}
