//! PAIR: one peer at a time; everything sent goes to it, everything it
//! sends is received. Further peers are refused while one is attached.

use std::sync::Arc;

use super::{Protocol, RecvError, SendError};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Default)]
pub struct Pair {
    peer: Option<Arc<dyn Pipe>>,
}

impl Protocol for Pair {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
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
        self.peer
            .as_ref()
            .and_then(|p| p.recv())
            .ok_or(RecvError::WouldBlock)
    }

    fn can_send(&self) -> bool {
        self.peer.as_ref().is_some_and(|p| p.can_send())
    }

    fn can_recv(&self) -> bool {
        self.peer.as_ref().is_some_and(|p| p.can_recv())
    }

    fn close_all(&mut self) {
        if let Some(p) = self.peer.take() {
            p.close();
        }
    }
}
