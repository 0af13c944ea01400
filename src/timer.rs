//! Protocol timers (REQ resend, survey deadline) on one background thread.
//!
//! A protocol asks for a call-back at an instant; the timer thread calls the
//! socket, which takes its core lock and hands the token to the protocol.
//! Nobody waits for this thread while holding a socket's core, so it may
//! take that lock freely. Cancelled timers are not removed: the protocol
//! ignores tokens it no longer expects.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{OnceLock, Weak};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

/// Something that receives timer call-backs.
pub trait TimerTarget: Send + Sync {
    fn on_timer(&self, token: u64);
}

struct Entry {
    at: Instant,
    seq: u64,
    token: u64,
    target: Weak<dyn TimerTarget>,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    /// Earliest first in a max-heap.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

struct Timers {
    heap: Mutex<(BinaryHeap<Entry>, u64)>,
    cond: Condvar,
}

static TIMERS: OnceLock<&'static Timers> = OnceLock::new();

fn timers() -> &'static Timers {
    TIMERS.get_or_init(|| {
        let t: &'static Timers = Box::leak(Box::new(Timers {
            heap: Mutex::new((BinaryHeap::new(), 0)),
            cond: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("nanomsg-timer".into())
            .spawn(move || run(t))
            .expect("cannot start the timer thread");
        t
    })
}

fn run(t: &'static Timers) {
    let mut g = t.heap.lock();
    loop {
        let now = Instant::now();
        match g.0.peek() {
            Some(e) if e.at <= now => {
                let e = g.0.pop().expect("peeked");
                drop(g);
                if let Some(target) = e.target.upgrade() {
                    // A panic in one socket's timer work must not stop the
                    // timers of every other socket.
                    let _ = crate::fault::contain(|| target.on_timer(e.token));
                }
                g = t.heap.lock();
            }
            Some(e) => {
                let at = e.at;
                t.cond.wait_until(&mut g, at);
            }
            None => t.cond.wait(&mut g),
        }
    }
}

/// Calls `target.on_timer(token)` at `at` (if the target still exists).
pub fn schedule(at: Instant, target: Weak<dyn TimerTarget>, token: u64) {
    let t = timers();
    let mut g = t.heap.lock();
    g.1 += 1;
    let seq = g.1;
    let earliest = g.0.peek().is_none_or(|e| at < e.at);
    g.0.push(Entry {
        at,
        seq,
        token,
        target,
    });
    if earliest {
        t.cond.notify_one();
    }
}

/// What a protocol holds to ask for timers on behalf of its socket.
#[derive(Clone)]
pub struct TimerHandle {
    target: Weak<dyn TimerTarget>,
}

impl TimerHandle {
    pub fn new(target: Weak<dyn TimerTarget>) -> TimerHandle {
        TimerHandle { target }
    }

    pub fn schedule(&self, at: Instant, token: u64) {
        schedule(at, self.target.clone(), token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering as AO};
    use std::sync::Arc;
    use std::time::Duration;

    struct Rec(Mutex<Vec<u64>>, AtomicU64);
    impl TimerTarget for Rec {
        fn on_timer(&self, token: u64) {
            self.0.lock().push(token);
            self.1.fetch_add(1, AO::SeqCst);
        }
    }

    #[test]
    fn timers_fire_in_order() {
        let r = Arc::new(Rec(Mutex::new(Vec::new()), AtomicU64::new(0)));
        let w: Weak<dyn TimerTarget> = Arc::downgrade(&(r.clone() as Arc<dyn TimerTarget>));
        let now = Instant::now();
        schedule(now + Duration::from_millis(60), w.clone(), 2);
        schedule(now + Duration::from_millis(20), w.clone(), 1);
        let until = Instant::now() + Duration::from_secs(5);
        while r.1.load(AO::SeqCst) < 2 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(*r.0.lock(), vec![1, 2]);
        assert!(now.elapsed() >= Duration::from_millis(60));
    }
}
