//! Pipes named by 31-bit keys, for raw sockets that put the pipe a message
//! came from into its header (raw REP, RESPONDENT and BUS).

use std::collections::HashMap;
use std::sync::Arc;

use super::backtrace::{pipe_key, WORD};
use crate::pipe::{Pipe, PipeId};

/// Where a raw header routes: the pipe its key names (if still there) and
/// the header that remains.
pub type Routed<'a, 'h> = (Option<&'a Arc<dyn Pipe>>, &'h [u8]);

#[derive(Default)]
pub struct KeyedPipes {
    by_key: HashMap<u32, Arc<dyn Pipe>>,
    keys: HashMap<PipeId, u32>,
    counter: u32,
}

impl KeyedPipes {
    pub fn add(&mut self, pipe: &Arc<dyn Pipe>) {
        let k = pipe_key(&mut self.counter);
        self.keys.insert(pipe.id(), k);
        self.by_key.insert(k, pipe.clone());
    }

    pub fn remove(&mut self, id: PipeId) {
        if let Some(k) = self.keys.remove(&id) {
            self.by_key.remove(&k);
        }
    }

    pub fn key_of(&self, id: PipeId) -> Option<u32> {
        self.keys.get(&id).copied()
    }

    /// Splits a leading pipe key off a header: the pipe (if it still
    /// exists) and the rest of the header.
    pub fn route<'h>(&self, header: &'h [u8]) -> Option<Routed<'_, 'h>> {
        let key: [u8; WORD] = header.get(..WORD)?.try_into().ok()?;
        Some((self.by_key.get(&u32::from_be_bytes(key)), &header[WORD..]))
    }

    pub fn get(&self, id: PipeId) -> Option<&Arc<dyn Pipe>> {
        self.key_of(id).and_then(|k| self.by_key.get(&k))
    }
}
