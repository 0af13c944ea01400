//! Timers: reconnect back-off, linger, handshake deadlines, parked input,
//! accept retries, and the flush of what paused streaming threads hold.

use super::*;

impl Loop {
    pub(super) fn arm_flush_timer(&mut self, after: Duration) {
        match &self.flush_timer {
            Some(t) => {
                t.arm(after);
                self.flush_timer_armed = true;
            }
            // No timer descriptor: write at once rather than never.
            None => self.flush_idle_senders(true),
        }
    }

    /// Writes the output streaming senders left queued, where they have
    /// paused; checks the others again when they may have.
    pub(super) fn flush_idle_senders(&mut self, force: bool) {
        if let Some(t) = &self.flush_timer {
            t.clear();
        }
        self.flush_timer_armed = false;
        let now = Instant::now();
        let mut next: Option<Instant> = None;
        self.idle_senders
            .retain(|sender| match sender.flush_if_idle(now, force) {
                IdleFlush::Done => false,
                IdleFlush::CheckAt(at) => {
                    next = Some(next.map_or(at, |n| n.min(at)));
                    true
                }
            });
        if let Some(at) = next {
            self.arm_flush_timer(at.saturating_duration_since(now));
        }
    }

    pub(super) fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((at, attempt, tok, _))) = self.timers.peek() {
            if *at > now {
                break;
            }
            let (attempt, tok) = (*attempt, *tok);
            let Reverse((_, _, _, kind)) = self.timers.pop().expect("peeked");
            self.contained(Some(tok), |l| l.fire_timer(kind, attempt, tok, now));
        }
    }

    pub(super) fn fire_timer(&mut self, kind: TimerKind, attempt: u64, tok: usize, now: Instant) {
        match (kind, self.entries.get(tok)) {
            (TimerKind::Redial, Some(Entry::Dialer(d))) if d.attempt == attempt => self.dial(tok),
            (TimerKind::AcceptRetry, Some(Entry::Listener { .. })) => self.accept_all(tok),
            (TimerKind::AcceptRetry, Some(Entry::WsListener { .. })) => self.accept_ws(tok),
            (TimerKind::LingerEnd, Some(Entry::Conn { draining, .. }))
                if *draining == Some(attempt) =>
            {
                self.teardown(tok, false)
            }
            (TimerKind::ParkedInput, Some(Entry::Conn { pipe, .. }))
                if pipe_id(pipe) == attempt && pipe.reads_parked() =>
            {
                if pipe.has_direct_waiters() {
                    let at = now + PARKED_INPUT_CHECK;
                    self.timers
                        .push(Reverse((at, attempt, tok, TimerKind::ParkedInput)));
                } else {
                    self.unpark_input(tok, attempt);
                }
            }
            (TimerKind::Handshake, Some(Entry::Conn { pipe, .. }))
                if pipe_id(pipe) == attempt && !pipe.is_active() =>
            {
                self.teardown(tok, true)
            }
            (TimerKind::Handshake, Some(Entry::Upgrade { stamp, side, .. }))
                if *stamp == attempt =>
            {
                match *side {
                    UpgradeSide::Client { dialer, .. } => {
                        self.forget(tok);
                        let e = io::Error::from_raw_os_error(libc::ETIMEDOUT);
                        self.connect_failed(dialer, &e);
                    }
                    UpgradeSide::Server { .. } => self.drop_upgrade(tok),
                }
            }
            _ => {}
        }
    }
}
