//! PUB/SUB: PUB sends every message to every subscriber without ever
//! blocking; SUB keeps the messages whose body starts with one of its
//! subscribed topics (an empty topic matches all). Subscribing to a topic
//! twice needs two unsubscribes.

use std::os::raw::c_int;
use std::sync::Arc;

use super::distribute::Distributor;
use super::fair_queue::FairQueue;
use super::{Protocol, RecvError, SendError};
use crate::abi::{NN_SUB_SUBSCRIBE, NN_SUB_UNSUBSCRIBE};
use crate::error::{Errno, ENOPROTOOPT};
use crate::message::Msg;
use crate::pipe::{Pipe, PipeId};

#[derive(Default)]
pub struct Pub {
    dist: Distributor,
}

impl Protocol for Pub {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.dist.add(pipe);
        Ok(())
    }
    fn remove_pipe(&mut self, id: PipeId) {
        self.dist.remove(id);
    }
    fn send(&mut self, msg: Msg) -> Result<(), SendError> {
        self.dist.send(msg, None);
        Ok(())
    }
    fn can_send(&self) -> bool {
        true
    }
    fn close_all(&mut self) {
        self.dist.close_all();
    }
}

/// Subscribed topics with their subscription counts.
#[derive(Default)]
pub struct Topics(Vec<(Vec<u8>, usize)>);

impl Topics {
    pub fn subscribe(&mut self, topic: &[u8]) {
        match self.0.iter_mut().find(|(t, _)| t == topic) {
            Some((_, n)) => *n += 1,
            None => self.0.push((topic.to_vec(), 1)),
        }
    }

    /// Drops one subscription to `topic`; one that is not there is ignored,
    /// as in nanomsg.
    pub fn unsubscribe(&mut self, topic: &[u8]) {
        if let Some(i) = self.0.iter().position(|(t, _)| t == topic) {
            self.0[i].1 -= 1;
            if self.0[i].1 == 0 {
                self.0.remove(i);
            }
        }
    }

    pub fn matches(&self, body: &[u8]) -> bool {
        self.0.iter().any(|(t, _)| body.starts_with(t))
    }
}

#[derive(Default)]
pub struct Sub {
    fq: FairQueue,
    topics: Topics,
    /// The next matching message, fetched ahead so readiness is exact.
    ready: Option<Msg>,
}

impl Sub {
    fn fetch(&mut self) {
        while self.ready.is_none() {
            let Some((_, m)) = self.fq.recv() else { return };
            if self.topics.matches(m.body.as_slice()) {
                self.ready = Some(m);
            }
        }
    }
}

impl Protocol for Sub {
    fn add_pipe(&mut self, pipe: Arc<dyn Pipe>) -> Result<(), Arc<dyn Pipe>> {
        self.fq.add(pipe);
        Ok(())
    }
    fn remove_pipe(&mut self, id: PipeId) {
        self.fq.remove(id);
    }
    fn recv(&mut self) -> Result<Msg, RecvError> {
        self.fetch();
        self.ready.take().ok_or(RecvError::WouldBlock)
    }
    fn can_recv(&self) -> bool {
        self.ready.is_some()
    }
    fn poll_pending(&mut self) {
        self.fetch();
    }
    fn set_option(&mut self, option: c_int, value: &[u8]) -> Result<(), Errno> {
        match option {
            NN_SUB_SUBSCRIBE => {
                self.topics.subscribe(value);
                Ok(())
            }
            NN_SUB_UNSUBSCRIBE => {
                self.topics.unsubscribe(value);
                Ok(())
            }
            _ => Err(ENOPROTOOPT),
        }
    }
    fn close_all(&mut self) {
        self.fq.close_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_count_subscriptions() {
        let mut t = Topics::default();
        assert!(!t.matches(b"anything"));
        t.subscribe(b"ab");
        t.subscribe(b"ab");
        assert!(t.matches(b"abc"));
        assert!(!t.matches(b"a"));
        t.unsubscribe(b"ab");
        assert!(t.matches(b"abc"));
        t.unsubscribe(b"ab");
        assert!(!t.matches(b"abc"));
        t.unsubscribe(b"ab");
        assert!(!t.matches(b"abc"));
        t.subscribe(b"");
        assert!(t.matches(b""));
        assert!(t.matches(b"xyz"));
    }
}
