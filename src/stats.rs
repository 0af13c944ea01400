//! The counters behind nn_get_statistic, kept by the socket core (messages,
//! bytes) and the transports (connections), read without locking.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::abi;

#[derive(Default)]
pub struct Stats {
    pub established_connections: AtomicU64,
    pub accepted_connections: AtomicU64,
    pub dropped_connections: AtomicU64,
    pub broken_connections: AtomicU64,
    pub connect_errors: AtomicU64,
    pub bind_errors: AtomicU64,
    pub accept_errors: AtomicU64,
    pub current_connections: AtomicU64,
    pub inprogress_connections: AtomicU64,
    pub current_ep_errors: AtomicU64,
    pub messages_sent: AtomicU64,
    pub messages_received: AtomicU64,
    pub bytes_sent: AtomicU64,
    pub bytes_received: AtomicU64,
}

pub fn inc(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// Decrements a gauge, never below zero.
pub fn dec(c: &AtomicU64) {
    let _ = c.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1));
}

impl Stats {
    /// The counter for an NN_STAT_* id (not NN_STAT_CURRENT_SND_PRIORITY,
    /// which the protocol knows).
    pub fn counter(&self, stat: c_int) -> Option<&AtomicU64> {
        Some(match stat {
            abi::NN_STAT_ESTABLISHED_CONNECTIONS => &self.established_connections,
            abi::NN_STAT_ACCEPTED_CONNECTIONS => &self.accepted_connections,
            abi::NN_STAT_DROPPED_CONNECTIONS => &self.dropped_connections,
            abi::NN_STAT_BROKEN_CONNECTIONS => &self.broken_connections,
            abi::NN_STAT_CONNECT_ERRORS => &self.connect_errors,
            abi::NN_STAT_BIND_ERRORS => &self.bind_errors,
            abi::NN_STAT_ACCEPT_ERRORS => &self.accept_errors,
            abi::NN_STAT_CURRENT_CONNECTIONS => &self.current_connections,
            abi::NN_STAT_INPROGRESS_CONNECTIONS => &self.inprogress_connections,
            abi::NN_STAT_CURRENT_EP_ERRORS => &self.current_ep_errors,
            abi::NN_STAT_MESSAGES_SENT => &self.messages_sent,
            abi::NN_STAT_MESSAGES_RECEIVED => &self.messages_received,
            abi::NN_STAT_BYTES_SENT => &self.bytes_sent,
            abi::NN_STAT_BYTES_RECEIVED => &self.bytes_received,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauges_do_not_wrap() {
        let s = Stats::default();
        dec(&s.current_connections);
        assert_eq!(s.current_connections.load(Ordering::Relaxed), 0);
        inc(&s.current_connections);
        assert_eq!(
            s.counter(abi::NN_STAT_CURRENT_CONNECTIONS)
                .unwrap()
                .load(Ordering::Relaxed),
            1
        );
        assert!(s.counter(abi::NN_STAT_CURRENT_SND_PRIORITY).is_none());
        assert!(s.counter(999).is_none());
    }
}
