//! The I/O thread's inputs: commands from sockets (bind, connect, new
//! output, shutdown) and readiness events from epoll, and keeping what
//! epoll watches in step with what each connection wants.

use super::*;

impl Loop {
    pub(super) fn on_cmd(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Listen {
                listener,
                ctx,
                ep,
                unlink,
            } => {
                let tok = self.entries.vacant_key();
                let fd = listener.raw_fd();
                if self
                    .registry()
                    .register(&mut SourceFd(&fd), Token(tok), Interest::READABLE)
                    .is_err()
                {
                    return;
                }
                self.entries.insert(Entry::Listener { listener, ctx, ep });
                let rec = self.endpoints.entry(ep).or_default();
                rec.mains.push(tok);
                rec.unlink = unlink;
                self.accept_all(tok);
            }
            Cmd::ListenWs {
                addr,
                path,
                ctx,
                ep,
                reply,
            } => {
                let _ = reply.send(self.listen_ws(addr, path, ctx, ep));
            }
            Cmd::Dial { target, ctx, ep } => {
                let backoff = Duration::from_millis(ctx.opts.reconnect_ivl_ms);
                let tok = self.entries.insert(Entry::Dialer(Dialer {
                    target,
                    ctx,
                    ep,
                    state: DialState::Waiting,
                    backoff,
                    attempt: 0,
                    in_error: false,
                }));
                self.endpoints.entry(ep).or_default().mains.push(tok);
                self.dial(tok);
            }
            Cmd::Shutdown { ep, linger, done } => {
                self.shutdown_endpoint(ep, linger);
                let _ = done.send(());
            }
            Cmd::ClosePipe(tok, id) => {
                if conn_pipe(&self.entries, tok, id).is_some() {
                    self.teardown(tok, true);
                }
            }
            Cmd::WatchInput(tok, id) => self.unpark_input(tok, id),
            Cmd::FlushWhenIdle(sender) => {
                self.idle_senders.push(sender);
                if !self.flush_timer_armed {
                    self.arm_flush_timer(batching::IDLE_FLUSH_DELAY);
                }
            }
            Cmd::WatchOutput(tok, id) => {
                if conn_pipe(&self.entries, tok, id).is_some() {
                    self.sync_interest(tok);
                }
            }
            Cmd::Resolved {
                dialer,
                attempt,
                addrs,
            } => {
                let ok = matches!(self.entries.get(dialer), Some(Entry::Dialer(d)) if d.attempt == attempt && matches!(d.state, DialState::Resolving));
                if ok {
                    match addrs {
                        Ok(a) => self.connect_to(dialer, a),
                        Err(_) => self.retry_later(dialer),
                    }
                }
            }
        }
    }

    pub(super) fn on_event(&mut self, tok: usize, readable: bool, writable: bool) {
        match self.entries.get(tok) {
            Some(Entry::Listener { .. }) => self.accept_all(tok),
            Some(Entry::Connecting { .. }) => self.finish_connect(tok),
            Some(Entry::WsListener { .. }) => self.accept_ws(tok),
            Some(Entry::Upgrade { .. }) => self.upgrade_step(tok),
            Some(Entry::Conn { pipe, draining, .. }) => {
                let pipe = pipe.clone();
                let draining = draining.is_some();
                let was_parked = pipe.reads_parked();
                let mut readable = readable;
                if readable && !draining && pipe.park_reads() {
                    // A receiver waits on this connection and reads it.
                    readable = false;
                    if !was_parked {
                        let at = Instant::now() + PARKED_INPUT_CHECK;
                        self.timers.push(Reverse((
                            at,
                            pipe_id(&pipe),
                            tok,
                            TimerKind::ParkedInput,
                        )));
                    }
                }
                let progress = pipe.on_ready(readable, writable);
                if pipe.take_more_input() {
                    self.more_input.push(tok);
                }
                if draining {
                    if matches!(progress, Progress::Dead { .. }) || !pipe.has_pending_output() {
                        self.teardown(tok, false);
                    } else {
                        self.sync_interest(tok);
                    }
                    return;
                }
                match progress {
                    Progress::Nothing => self.sync_interest(tok),
                    Progress::Established => {
                        self.sync_interest(tok);
                        pipe.link_event(PipeEvent::Added(as_pipe(&pipe)));
                    }
                    Progress::Dead { established } => {
                        if established {
                            pipe.link_event(PipeEvent::Added(as_pipe(&pipe)));
                        }
                        self.teardown(tok, true);
                    }
                }
            }
            _ => {}
        }
    }

    /// Brings what epoll watches on a connection in line with what it needs:
    /// input unless a direct waiter reads it (`StreamPipe::park_reads`),
    /// output only while some is queued. (An idle Unix socket reports
    /// "writable" each time the peer reads a message; watching output all
    /// the time would wake this thread for every message sent.)
    pub(super) fn sync_interest(&mut self, tok: usize) {
        let Some(Entry::Conn { pipe, interest, .. }) = self.entries.get_mut(tok) else {
            return;
        };
        let read = !pipe.reads_parked();
        let write = pipe.output_watched();
        let wanted = match (read, write) {
            (true, true) => Some(Interest::READABLE | Interest::WRITABLE),
            (true, false) => Some(Interest::READABLE),
            (false, true) => Some(Interest::WRITABLE),
            (false, false) => None,
        };
        if wanted == *interest {
            return;
        }
        let fd = pipe.stream().raw_fd();
        let registry = self.poll.registry();
        let _ = match (*interest, wanted) {
            (None, Some(w)) => registry.register(&mut SourceFd(&fd), Token(tok), w),
            (Some(_), Some(w)) => registry.reregister(&mut SourceFd(&fd), Token(tok), w),
            (Some(_), None) => registry.deregister(&mut SourceFd(&fd)),
            (None, None) => Ok(()),
        };
        *interest = wanted;
    }

    /// Takes over reading a connection whose input was left to direct
    /// waiters, and reads what has arrived.
    pub(super) fn unpark_input(&mut self, tok: usize, id: PipeId) {
        let Some(pipe) = conn_pipe(&self.entries, tok, id) else {
            return;
        };
        let was_parked = pipe.reads_parked();
        // Clears a request that found the pipe no longer parked, too, so
        // the next one is sent.
        pipe.unpark_reads();
        if was_parked {
            self.step(tok, true, false);
        }
    }
}
