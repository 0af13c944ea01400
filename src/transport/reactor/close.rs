//! Closing: a connection torn down (broken or not), lingering with output
//! still queued, and an endpoint's listeners, dialer and connections shut
//! down.

use super::*;

impl Loop {
    /// Closes a connection now; its socket is told, its dialer re-dials.
    /// `broken`: it failed or was refused, rather than closed by its socket.
    pub(super) fn teardown(&mut self, tok: usize, broken: bool) {
        if !matches!(self.entries.get(tok), Some(Entry::Conn { .. })) {
            return;
        }
        let Entry::Conn {
            pipe, ep, dialer, ..
        } = self.entries.remove(tok)
        else {
            unreachable!()
        };
        let fd = pipe.stream().raw_fd();
        let _ = self.registry().deregister(&mut SourceFd(&fd));
        pipe.stream().shutdown();
        pipe.detach();
        let stats = pipe.stats();
        dec(&stats.current_connections);
        if broken {
            inc(&stats.broken_connections);
        }
        if let Some(rec) = self.endpoints.get_mut(&ep) {
            rec.pipes.retain(|&t| t != tok);
        }
        if let Some(d) = dialer {
            if matches!(self.entries.get(d), Some(Entry::Dialer(dl)) if matches!(dl.state, DialState::Connected(t) if t == tok))
            {
                self.retry_later(d);
            }
        }
    }

    /// Closes a connection once its queued output is written or `linger`
    /// passes; the socket forgets it at once.
    pub(super) fn close_lingering(&mut self, tok: usize, linger: Duration) {
        let attempt = self.attempt_id();
        let Some(Entry::Conn {
            pipe,
            dialer,
            draining,
            ..
        }) = self.entries.get_mut(tok)
        else {
            return;
        };
        *dialer = None;
        pipe.detach();
        // What a streaming sender left queued was as good as sent: write
        // it now (what the kernel takes) rather than drop it.
        let broken = pipe.write_held(None) == Some(false);
        if broken || linger.is_zero() || !pipe.has_pending_output() {
            self.teardown(tok, false);
            return;
        }
        *draining = Some(attempt);
        self.timers.push(Reverse((
            Instant::now() + linger,
            attempt,
            tok,
            TimerKind::LingerEnd,
        )));
    }

    /// Stops one listener or the dialer of an endpoint being shut down.
    pub(super) fn close_main(&mut self, main: usize, ws_path: Option<&str>) {
        if let Some(path) = ws_path {
            // A path on a shared WebSocket port: drop the route, and the
            // port with its last route.
            if let Some(Entry::WsListener { routes, addr, .. }) = self.entries.get_mut(main) {
                routes.remove(path);
                if routes.is_empty() {
                    let addr = *addr;
                    self.ws_listeners.remove(&addr);
                    if let Entry::WsListener { mut listener, .. } = self.entries.remove(main) {
                        let _ = self.registry().deregister(&mut listener);
                    }
                    // Requests still being read on the port go with it: their
                    // slot names the listener, and a later bind that takes
                    // the slot would be handed peers that never asked for it.
                    let orphans: Vec<usize> = self
                        .entries
                        .iter()
                        .filter_map(|(t, e)| match e {
                            Entry::Upgrade {
                                side: UpgradeSide::Server { listener },
                                ..
                            } if *listener == main => Some(t),
                            _ => None,
                        })
                        .collect();
                    for t in orphans {
                        self.drop_upgrade(t);
                    }
                }
            }
            return;
        }
        match self.entries.get(main) {
            Some(Entry::Listener { listener, .. }) => {
                let fd = listener.raw_fd();
                let _ = self.registry().deregister(&mut SourceFd(&fd));
                self.entries.remove(main);
            }
            Some(Entry::Dialer(d)) => {
                if let DialState::Connecting(c) = d.state {
                    self.forget(c);
                }
                if let Entry::Dialer(mut d) = self.entries.remove(main) {
                    d.set_error(false);
                }
            }
            _ => {}
        }
    }

    pub(super) fn shutdown_endpoint(&mut self, ep: u64, linger: Duration) {
        let Some(rec) = self.endpoints.remove(&ep) else {
            return;
        };
        for main in rec.mains {
            self.close_main(main, rec.ws_path.as_deref());
        }
        if let Some(path) = rec.unlink {
            let _ = std::fs::remove_file(path);
        }
        for tok in rec.pipes {
            self.close_lingering(tok, linger);
        }
    }
}
