//! Panic containment, and (with the `fault-injection` feature, for tests
//! only) a way to make a connection's code panic on purpose.
//!
//! A panic in the code that serves one connection must cost that
//! connection and nothing else: the I/O thread, the timer thread, device
//! threads and the application's threads each run such code under
//! [`contain`], and close the connection when it panics.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`; if it panics, the panic stops here and the result is None.
/// (The panic message still goes to stderr through the panic hook, so the
/// cause is not silent.)
pub fn contain<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

/// Test hook: a message received whose body holds `trigger` makes the
/// connection's code panic (an empty trigger turns the hook off).
#[cfg(feature = "fault-injection")]
pub fn panic_on_message_containing(trigger: &[u8]) {
    *TRIGGER.lock() = trigger.to_vec();
}

#[cfg(feature = "fault-injection")]
static TRIGGER: parking_lot::Mutex<Vec<u8>> = parking_lot::Mutex::new(Vec::new());

/// Called with each message body a connection receives.
#[inline]
pub(crate) fn on_message_received(_body: &[u8]) {
    #[cfg(feature = "fault-injection")]
    {
        let t = TRIGGER.lock();
        if !t.is_empty() && _body.windows(t.len()).any(|w| w == &t[..]) {
            drop(t);
            panic!("fault injected: a received message held the trigger");
        }
    }
}
