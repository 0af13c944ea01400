//! Dialing: resolving, connecting, and reconnecting with back-off
//! (NN_RECONNECT_IVL, NN_RECONNECT_IVL_MAX) until the endpoint is shut down.

use super::upgrade::write_small;
use super::*;

impl Loop {
    pub(super) fn dial(&mut self, tok: usize) {
        let attempt = self.attempt_id();
        let Some(Entry::Dialer(d)) = self.entries.get_mut(tok) else {
            return;
        };
        d.attempt = attempt;
        match d.target.clone() {
            DialTarget::Ipc(path) => match mio::net::UnixStream::connect(&path) {
                Ok(s) => self.start_connecting(tok, Stream::Unix(s)),
                Err(e) => self.connect_failed(tok, &e),
            },
            DialTarget::Tcp { host, port, .. } | DialTarget::Ws { host, port, .. } => {
                if let Some(ip) = crate::transport::addr::literal_ip(&host) {
                    self.connect_to(tok, vec![SocketAddr::new(ip, port)]);
                    return;
                }
                d.state = DialState::Resolving;
                let reactor = self.reactor.clone();
                let spawned = std::thread::Builder::new()
                    .name("nanomsg-dns".into())
                    .spawn(move || {
                        let lookup =
                            || (host.as_str(), port).to_socket_addrs().map(|a| a.collect());
                        let addrs = fault::contain(lookup).unwrap_or_else(|| {
                            Err(io::Error::from_raw_os_error(libc::EADDRNOTAVAIL))
                        });
                        reactor.submit(Cmd::Resolved {
                            dialer: tok,
                            attempt,
                            addrs,
                        });
                    });
                if spawned.is_err() {
                    self.retry_later(tok);
                }
            }
        }
    }

    pub(super) fn connect_to(&mut self, tok: usize, addrs: Vec<SocketAddr>) {
        let Some(Entry::Dialer(d)) = self.entries.get(tok) else {
            return;
        };
        // (As nanomsg, the option as it is at each dial.)
        let ipv4only = d.ctx.link.options().ipv4only;
        let local = match &d.target {
            DialTarget::Tcp { local, .. } => *local,
            DialTarget::Ipc(_) | DialTarget::Ws { .. } => None,
        };
        let Some(addr) = addrs.into_iter().find(|a| !ipv4only || a.is_ipv4()) else {
            let e = io::Error::from_raw_os_error(libc::EADDRNOTAVAIL);
            self.connect_failed(tok, &e);
            return;
        };
        match crate::sys::tcp_connect(addr, local) {
            Ok(s) => self.start_connecting(tok, Stream::Tcp(s)),
            Err(e) => self.connect_failed(tok, &e),
        }
    }

    pub(super) fn start_connecting(&mut self, dialer: usize, stream: Stream) {
        let tok = self.entries.vacant_key();
        let fd = stream.raw_fd();
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self
            .registry()
            .register(&mut SourceFd(&fd), Token(tok), interest)
        {
            self.connect_failed(dialer, &e);
            return;
        }
        self.entries.insert(Entry::Connecting { stream, dialer });
        if let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) {
            d.state = DialState::Connecting(tok);
            inc(&d.stats().inprogress_connections);
        }
        // A Unix connect usually completes at once; no event may follow.
        self.finish_connect(tok);
    }

    pub(super) fn finish_connect(&mut self, tok: usize) {
        let Some(Entry::Connecting { stream, dialer }) = self.entries.get(tok) else {
            return;
        };
        let dialer = *dialer;
        let status = stream.connect_status();
        match status {
            Ok(false) => {}
            Err(e) => {
                self.forget(tok);
                self.connect_failed(dialer, &e);
            }
            Ok(true) => {
                let ws = match self.entries.get(dialer) {
                    Some(Entry::Dialer(d)) => match &d.target {
                        DialTarget::Ws { host, port, path } => Some((
                            format!("{host}:{port}"),
                            path.clone(),
                            d.ctx.protocol,
                            d.ctx.tls.clone(),
                            d.ctx.label.clone(),
                        )),
                        _ => None,
                    },
                    _ => {
                        self.forget(tok);
                        return;
                    }
                };
                let Entry::Connecting { stream, .. } = self.entries.remove(tok) else {
                    unreachable!()
                };
                match ws {
                    None => self.connected(dialer, stream, ConnKind::Sp),
                    Some((host, path, own, tls, label)) => {
                        // TCP is up; now the WebSocket upgrade (for wss,
                        // over TLS: the request waits in rustls for the
                        // handshake, which the upgrade's reads drive).
                        let Some(stream) = stream.secured(tls.as_deref(), &label) else {
                            self.upgrade_failed(dialer);
                            return;
                        };
                        let (machine, req) = WsUpgrade::client(&host, &path, own);
                        if !write_small(&stream, req.as_bytes()) {
                            let _ = self.registry().deregister(&mut SourceFd(&stream.raw_fd()));
                            self.upgrade_failed(dialer);
                            return;
                        }
                        let stamp = self.attempt_id();
                        let up = self.entries.insert(Entry::Upgrade {
                            stream,
                            machine,
                            side: UpgradeSide::Client { dialer },
                            stamp,
                        });
                        self.handshake_deadline(up, stamp);
                        self.move_registration(up);
                        if let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) {
                            d.state = DialState::Connecting(up);
                        }
                        self.upgrade_step(up);
                    }
                }
            }
        }
    }

    /// Re-points the descriptor of the entry at `tok` to that token.
    pub(super) fn move_registration(&mut self, tok: usize) {
        let fd = match self.entries.get(tok) {
            Some(Entry::Upgrade { stream, .. }) => stream.raw_fd(),
            _ => return,
        };
        let interest = Interest::READABLE | Interest::WRITABLE;
        let _ = self
            .registry()
            .reregister(&mut SourceFd(&fd), Token(tok), interest);
    }

    /// A dialer's connection is up (and upgraded, for ws): count it and
    /// start the pipe.
    pub(super) fn connected(&mut self, dialer: usize, stream: Stream, kind: ConnKind) {
        let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) else {
            return;
        };
        dec(&d.stats().inprogress_connections);
        inc(&d.stats().established_connections);
        d.set_error(false);
        d.backoff = Duration::from_millis(d.ctx.opts.reconnect_ivl_ms);
        let (ctx, ep) = (d.ctx.clone(), d.ep);
        if let Some(conn) = self.add_conn(stream, ctx, ep, Some(dialer), true, kind) {
            if let Some(Entry::Dialer(d)) = self.entries.get_mut(dialer) {
                d.state = DialState::Connected(conn);
            }
            self.step(conn, true, true);
        }
    }

    /// The dialer's WebSocket upgrade failed: count it as a connect error.
    pub(super) fn upgrade_failed(&mut self, dialer: usize) {
        if let Some(Entry::Dialer(d)) = self.entries.get(dialer) {
            dec(&d.stats().inprogress_connections);
        }
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        self.connect_failed(dialer, &e);
    }

    /// Deregisters and drops a connection still being set up by a dialer.
    pub(super) fn forget(&mut self, tok: usize) {
        let (stream, dialer) = match self.entries.get(tok) {
            Some(Entry::Connecting { .. })
            | Some(Entry::Upgrade {
                side: UpgradeSide::Client { .. },
                ..
            }) => match self.entries.remove(tok) {
                Entry::Connecting { stream, dialer } => (stream, dialer),
                Entry::Upgrade {
                    stream,
                    side: UpgradeSide::Client { dialer, .. },
                    ..
                } => (stream, dialer),
                _ => unreachable!(),
            },
            _ => return,
        };
        let _ = self.registry().deregister(&mut SourceFd(&stream.raw_fd()));
        if let Some(Entry::Dialer(d)) = self.entries.get(dialer) {
            dec(&d.stats().inprogress_connections);
        }
    }

    /// A connection attempt failed: count it, report it (NN_PRINT_ERRORS)
    /// and try again later.
    pub(super) fn connect_failed(&mut self, tok: usize, err: &io::Error) {
        if let Some(Entry::Dialer(d)) = self.entries.get_mut(tok) {
            inc(&d.stats().connect_errors);
            if !d.in_error {
                crate::report::endpoint_error(&d.ctx.label, crate::error::from_io(err));
            }
            d.set_error(true);
        }
        self.retry_later(tok);
    }

    /// Schedules the next dial after the back-off, then grows the back-off
    /// (doubling up to NN_RECONNECT_IVL_MAX, if that is set).
    pub(super) fn retry_later(&mut self, tok: usize) {
        let attempt = self.attempt_id();
        let Some(Entry::Dialer(d)) = self.entries.get_mut(tok) else {
            return;
        };
        d.state = DialState::Waiting;
        d.attempt = attempt;
        let at = Instant::now() + d.backoff;
        let max = Duration::from_millis(d.ctx.opts.reconnect_ivl_max_ms);
        if max > d.backoff {
            d.backoff = (d.backoff * 2).min(max);
        }
        self.timers
            .push(Reverse((at, attempt, tok, TimerKind::Redial)));
    }
}
