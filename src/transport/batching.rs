//! Batched writes for streaming senders.
//!
//! A message sent alone is written at once, for latency. When a thread
//! streams (nn_send after nn_send, each starting within STREAM_GAP of the
//! end of the one before, until it pauses for IDLE_FLUSH_DELAY), the
//! messages it sends on tcp/ipc/ws connections are held
//! back and written together, one writev per connection for up to
//! BATCH_FRAMES of them, where a write each costs a system call and a
//! packet each. The stream is the thread's, not one connection's: a PUSH
//! socket dealing messages round robin over ten peers sends on each only
//! every tenth time, and still batches each peer's share.
//!
//! Request and reply is no stream: a connection that received a message
//! since its last send writes the next send at once (`StreamPipe::send`).
//!
//! What holding adds to a message's latency is bounded. The sender writes
//! a connection's batch once it has BATCH_FRAMES messages or BATCH_BYTES,
//! or, at its next send on any connection, once the batch is BATCH_AGE old;
//! that send comes within IDLE_FLUSH_DELAY while the thread streams. When
//! the thread stops sending, the I/O thread writes what it left held
//! IDLE_FLUSH_DELAY after its last send returned, or BATCH_AGE after the
//! start of a send that has not returned (one blocked on a full peer). So
//! a held message waits at most 2 x BATCH_AGE (100 us) plus timer
//! latency. Close and
//! process exit write what is held, too. A thread that streamed stays
//! streaming until it pauses: sends 5-19 us apart after a burst are still
//! batched.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::reactor::{self, Cmd};
use super::stream::StreamPipe;

/// Sends that start within this of the end of the previous one are a
/// stream. (Measured from the previous send's start, the gap counted that
/// send's own system call, which on a slow or loaded machine took longer
/// than this: a tcp stream of 64 B messages was then never batched, and
/// ran at 0.26-0.52M msg/s against ZeroMQ's 2.0-2.6M.)
const STREAM_GAP: Duration = Duration::from_micros(4);
/// Sends in a row, each within STREAM_GAP of the last, that make a stream.
const STREAM_STREAK: u32 = 16;
/// A connection's held batch is written once it has this many messages,
/// this many bytes, or its first message has waited this long.
pub const BATCH_FRAMES: usize = 64;
pub const BATCH_BYTES: usize = 32 * 1024;
pub const BATCH_AGE: Duration = Duration::from_micros(50);
/// How long a streaming thread must pause before the I/O thread writes
/// what it left held.
pub const IDLE_FLUSH_DELAY: Duration = Duration::from_micros(20);

/// One thread's held batches, shared with the I/O thread, which writes
/// them once the thread pauses.
pub struct Sender {
    held: Mutex<Held>,
    /// When the thread last started or finished a send, in ns since
    /// `epoch()`, shifted left by one, with the low bit set while it is
    /// inside that send: the I/O thread's idle flush counts the pause from
    /// there, and reads both in one load (see [`Sender::mark_send`]).
    last_send: AtomicU64,
}

struct Held {
    /// Oldest first.
    batches: VecDeque<HeldBatch>,
    /// Connections whose batches the thread wrote itself since the I/O
    /// thread last looked: when the thread pauses, what Nagle's algorithm
    /// still holds on them is pushed out too (`StreamPipe::write_tail`).
    written: Vec<Weak<StreamPipe>>,
    /// The I/O thread has this sender on its list.
    registered: bool,
}

struct HeldBatch {
    pipe: Weak<StreamPipe>,
    /// Which of the pipe's batches (it may have been written and another
    /// started since).
    seq: u64,
    started: Instant,
}

/// What `Sender::flush_if_idle` did.
pub enum IdleFlush {
    /// Everything held was written; the I/O thread may forget the sender.
    Done,
    /// The thread still sends: look again then.
    CheckAt(Instant),
}

struct ThreadSender {
    /// `FORKS` when this state was made: a child made by fork() starts
    /// afresh rather than write the batches its parent holds (the parent
    /// writes them, on the connections both share) or take a lock the
    /// parent's I/O thread held at the fork.
    forks: Cell<u64>,
    /// When the current (or last) send started.
    last: Cell<Option<Instant>>,
    /// When the last send returned.
    finished: Cell<Option<Instant>>,
    streak: Cell<u32>,
    /// When the oldest held batch started, if any may be held (the I/O
    /// thread may have written it since).
    oldest: Cell<Option<Instant>>,
    shared: RefCell<Arc<Sender>>,
}

impl ThreadSender {
    fn new() -> ThreadSender {
        ThreadSender {
            forks: Cell::new(FORKS.load(Ordering::Relaxed)),
            last: Cell::new(None),
            finished: Cell::new(None),
            streak: Cell::new(0),
            oldest: Cell::new(None),
            shared: RefCell::new(Arc::new(Sender {
                held: Mutex::new(Held {
                    batches: VecDeque::new(),
                    written: Vec::new(),
                    registered: false,
                }),
                last_send: AtomicU64::new(0),
            })),
        }
    }
}

thread_local! {
    static THREAD: ThreadSender = ThreadSender::new();
}

/// fork() calls seen, counted in the child (see `ThreadSender::forks`).
static FORKS: AtomicU64 = AtomicU64::new(0);

/// The fork() handler for the child, registered with the first socket.
pub extern "C" fn forked() {
    FORKS.fetch_add(1, Ordering::Relaxed);
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn nanos_since_epoch(t: Instant) -> u64 {
    t.saturating_duration_since(epoch()).as_nanos() as u64
}

/// Called as the application starts a send (nn_send, nn_sendmsg, a
/// device forwarding): counts the streak, and writes held batches that
/// have waited BATCH_AGE. Takes no socket or pipe lock on entry.
fn send_started() {
    // A thread being torn down has no state left: it sends unbatched.
    let _ = THREAD.try_with(|t| {
        let forks = FORKS.load(Ordering::Relaxed);
        if t.forks.get() != forks {
            let fresh = ThreadSender::new();
            t.shared.replace(fresh.shared.into_inner());
            t.streak.set(0);
            t.last.set(None);
            t.finished.set(None);
            t.oldest.set(None);
            t.forks.set(forks);
        }
        let now = Instant::now();
        // A stream starts with STREAM_STREAK sends each within STREAM_GAP
        // of the end of the last: the application's own time between
        // sends, whatever the sends themselves cost. It lasts until the
        // thread pauses as long as the I/O thread waits before writing
        // what it holds.
        let gap = if t.streak.get() >= STREAM_STREAK {
            IDLE_FLUSH_DELAY
        } else {
            STREAM_GAP
        };
        let streaming =
            matches!(t.finished.get(), Some(prev) if now.saturating_duration_since(prev) < gap);
        t.streak.set(if streaming {
            t.streak.get().saturating_add(1)
        } else {
            0
        });
        t.last.set(Some(now));
        t.shared.borrow().mark_send(now, true);
        if matches!(t.oldest.get(), Some(o) if now.saturating_duration_since(o) >= BATCH_AGE) {
            write_aged(t, now);
        }
    });
}

/// Called as the application's send returns (see [`SendSpan`]).
fn send_finished() {
    let _ = THREAD.try_with(|t| {
        let now = Instant::now();
        t.finished.set(Some(now));
        // The pause that lets the I/O thread write what is held starts
        // here, not at the send's start: a send that took longer than
        // IDLE_FLUSH_DELAY (TLS, 16-32 KiB, a loaded machine) would
        // otherwise look idle the moment it returned, and the I/O thread
        // would write each held message as the next one was sent.
        t.shared.borrow().mark_send(now, false);
    });
}

/// One send by the application, from `send_span()` until dropped: when it
/// started and when it returned both count for the stream.
pub struct SendSpan(());

/// Marks a send as started (see [`send_started`]); dropping the span
/// marks it finished.
pub fn send_span() -> SendSpan {
    send_started();
    SendSpan(())
}

impl Drop for SendSpan {
    fn drop(&mut self) {
        send_finished();
    }
}

/// Writes the thread's held batches that are BATCH_AGE old.
fn write_aged(t: &ThreadSender, now: Instant) {
    loop {
        let batch = {
            let shared = t.shared.borrow();
            let mut h = shared.held.lock();
            match h.batches.front() {
                Some(b) if now.saturating_duration_since(b.started) >= BATCH_AGE => {
                    let b = h.batches.pop_front();
                    if let Some(b) = &b {
                        if !h.written.iter().any(|w| w.ptr_eq(&b.pipe)) {
                            h.written.push(b.pipe.clone());
                        }
                    }
                    b
                }
                front => {
                    t.oldest.set(front.map(|b| b.started));
                    return;
                }
            }
        };
        if let Some((pipe, seq)) = batch.and_then(|b| Some((b.pipe.upgrade()?, b.seq))) {
            // A broken connection is reported for teardown by write_held.
            pipe.write_held(Some(seq));
        }
    }
}

/// Whether this thread's sends are a stream just now, and when the
/// current send started.
pub fn streaming() -> Option<Instant> {
    THREAD
        .try_with(|t| {
            if t.streak.get() >= STREAM_STREAK {
                t.last.get()
            } else {
                None
            }
        })
        .ok()
        .flatten()
}

/// Records that `pipe` holds batch `seq`, started at `started`, for this
/// thread to write when it is BATCH_AGE old, or for the I/O thread once
/// the thread pauses. Called with the pipe's lock (and the socket's) held:
/// takes the thread's own list lock, which nothing holds while taking a
/// pipe's, and the I/O thread's command queue, held only to push or take.
pub fn hold(pipe: Weak<StreamPipe>, seq: u64, started: Instant) {
    let _ = THREAD.try_with(|t| {
        let shared = t.shared.borrow();
        let register = {
            let mut h = shared.held.lock();
            h.batches.push_back(HeldBatch { pipe, seq, started });
            !std::mem::replace(&mut h.registered, true)
        };
        if t.oldest.get().is_none() {
            t.oldest.set(Some(started));
        }
        if register {
            reactor::get().submit(Cmd::FlushWhenIdle(shared.clone()));
        }
    });
}

impl Sender {
    /// The sending thread: a send starts (`in_send`) or returns at `now`.
    fn mark_send(&self, now: Instant, in_send: bool) {
        let word = nanos_since_epoch(now) << 1 | u64::from(in_send);
        self.last_send.store(word, Ordering::Relaxed);
    }

    /// I/O thread: writes everything the thread holds if it has not sent
    /// for IDLE_FLUSH_DELAY (or at once with `force`).
    pub fn flush_if_idle(&self, now: Instant, force: bool) -> IdleFlush {
        let (batches, written) = {
            let mut h = self.held.lock();
            let word = self.last_send.load(Ordering::Relaxed);
            let last = epoch() + Duration::from_nanos(word >> 1);
            // A thread inside a send has not paused: its batches wait for
            // the send to return, up to BATCH_AGE from its start (a send
            // blocked on a full peer must not hold the other peers' back).
            let due = if word & 1 == 1 {
                last + BATCH_AGE
            } else {
                last + IDLE_FLUSH_DELAY
            };
            if !force && due > now && !h.batches.is_empty() {
                return IdleFlush::CheckAt(due);
            }
            h.registered = false;
            (
                std::mem::take(&mut h.batches),
                std::mem::take(&mut h.written),
            )
        };
        for b in &batches {
            if let Some(pipe) = b.pipe.upgrade() {
                pipe.write_tail(Some(b.seq));
            }
        }
        for w in written {
            if !batches.iter().any(|b| b.pipe.ptr_eq(&w)) {
                if let Some(pipe) = w.upgrade() {
                    pipe.write_tail(None);
                }
            }
        }
        IdleFlush::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Busy for `d`, as a send's system call is.
    fn busy(d: Duration) {
        let until = Instant::now() + d;
        while Instant::now() < until {}
    }

    #[test]
    fn sends_that_each_take_longer_than_the_gap_still_stream() {
        // Each send costs 3 STREAM_GAPs (a loopback write on a slow
        // machine), and the application starts the next at once.
        let mut streamed = false;
        for _ in 0..2000 {
            let span = send_span();
            busy(STREAM_GAP * 3);
            drop(span);
            if streaming().is_some() {
                streamed = true;
                break;
            }
        }
        assert!(streamed, "never seen as a stream");
    }

    #[test]
    fn the_idle_pause_counts_from_the_end_of_a_long_send() {
        let span = send_span();
        busy(IDLE_FLUSH_DELAY * 3);
        let before_return = Instant::now();
        drop(span);
        let shared = THREAD.with(|t| t.shared.borrow().clone());
        shared.held.lock().batches.push_back(HeldBatch {
            pipe: Weak::new(),
            seq: 0,
            started: before_return,
        });
        match shared.flush_if_idle(before_return, false) {
            IdleFlush::CheckAt(due) => assert!(due > before_return),
            IdleFlush::Done => panic!("a send that has just returned was taken for a pause"),
        }
        shared.held.lock().batches.clear();
    }

    #[test]
    fn a_send_still_running_is_no_pause_until_batch_age() {
        let span = send_span();
        let started = THREAD.with(|t| t.last.get()).unwrap();
        let shared = THREAD.with(|t| t.shared.borrow().clone());
        shared.held.lock().batches.push_back(HeldBatch {
            pipe: Weak::new(),
            seq: 0,
            started,
        });
        // 40 us into the send: past IDLE_FLUSH_DELAY, not yet BATCH_AGE.
        match shared.flush_if_idle(started + IDLE_FLUSH_DELAY * 2, false) {
            IdleFlush::CheckAt(due) => assert!(due >= started + BATCH_AGE),
            IdleFlush::Done => panic!("a send still running was taken for a pause"),
        }
        // A send that outlasts BATCH_AGE no longer holds the batches back.
        assert!(matches!(
            shared.flush_if_idle(started + BATCH_AGE + IDLE_FLUSH_DELAY, false),
            IdleFlush::Done
        ));
        drop(span);
    }

    #[test]
    fn sends_with_the_application_pausing_between_them_do_not_stream() {
        for _ in 0..3 * STREAM_STREAK {
            drop(send_span());
            busy(STREAM_GAP * 3);
            assert!(streaming().is_none());
        }
    }
}
