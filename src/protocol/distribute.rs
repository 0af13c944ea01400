//! Distribution of one message to every pipe (PUB, BUS, SURVEYOR). A pipe
//! that cannot take the message now misses it: senders never block.

use std::sync::Arc;

use crate::message::{Chunk, Msg};
use crate::pipe::{Pipe, PipeId};

#[derive(Default)]
pub struct Distributor {
    pipes: Vec<Arc<dyn Pipe>>,
}

impl Distributor {
    pub fn add(&mut self, pipe: Arc<dyn Pipe>) {
        self.pipes.push(pipe);
    }

    pub fn remove(&mut self, id: PipeId) {
        self.pipes.retain(|p| p.id() != id);
    }

    /// Sends a copy to every pipe except `except`.
    pub fn send(&self, msg: Msg, except: Option<PipeId>) {
        let targets: Vec<&Arc<dyn Pipe>> = self
            .pipes
            .iter()
            .filter(|p| Some(p.id()) != except)
            .collect();
        let Some((last, rest)) = targets.split_last() else {
            return;
        };
        for p in rest {
            if let Some(body) = Chunk::from_slice(msg.body.as_slice()) {
                let _ = p.send(Msg {
                    header: msg.header.clone(),
                    body,
                });
            }
        }
        let _ = last.send(msg);
    }

    pub fn close_all(&mut self) {
        for p in self.pipes.drain(..) {
            p.close();
        }
    }
}
