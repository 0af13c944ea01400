//! PAIR: one peer at a time; everything sent goes to it, everything it
//! sends is received. Further peers are refused while one is attached,
//! unless that one has hung up: its place is free at once (as in nanomsg,
//! where it is gone as soon as it closes), and what it sent before it went
//! is still received, before anything from the new peer.

use std::sync::Arc;

use super::{Protocol, RecvError, SendError};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Default)]
pub struct Pair {
    peer: Option<Arc<dyn Pipe>>,
    /// Peers that hung up, being removed, with messages still to receive.
    leaving: Vec<Arc<dyn Pipe>>,
}

impl Protocol for Pair {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        if let Some(old) = self.peer.take_if(|old| old.hung_up()) {
            self.leaving.push(old);
        }
        if self.peer.is_some() {
            return Err(pipe);
        }
        self.peer = Some(pipe);
        Ok(())
    }

    fn remove_pipe(&mut self, id: PipeId) {
        if self.peer.as_ref().is_some_and(|p| p.id() == id) {
            self.peer = None;
        }
        self.leaving.retain(|p| p.id() != id);
    }

    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        match &self.peer {
            Some(p) => p.send(msg).map_err(SendError::WouldBlock),
            None => Err(SendError::WouldBlock(msg)),
        }
    }

    fn send_from(&mut self, data: &[u8]) -> bool {
        self.peer.as_ref().is_some_and(|p| p.send_from(data))
    }

    fn passes_messages_through(&self) -> bool {
        true
    }

    fn recv(&mut self) -> Result<Msg, RecvError> {
        self.leaving
            .iter()
            .chain(&self.peer)
            .find_map(|p| p.recv())
            .ok_or(RecvError::WouldBlock)
    }

    fn can_send(&self) -> bool {
        self.peer.as_ref().is_some_and(|p| p.can_send())
    }

    fn can_recv(&self) -> bool {
        self.leaving.iter().chain(&self.peer).any(|p| p.can_recv())
    }

    fn close_all(&mut self) {
        for p in self.peer.take().into_iter().chain(self.leaving.drain(..)) {
            p.close();
        }
    }
}
