//! The WebSocket opening handshake on both sides: shared ws ports routed
//! by path, the request or response read and answered, then the stream
//! handed to a connection; refusals and the handshake deadline.

use super::*;

/// A wss port's name in error reports (it may serve several sockets).
fn wss_label(addr: SocketAddr) -> std::sync::Arc<str> {
    format!("wss[{addr}]").into()
}

impl Loop {
    pub(super) fn listen_ws(
        &mut self,
        addr: SocketAddr,
        path: String,
        ctx: EndpointCtx,
        ep: u64,
    ) -> Result<(), crate::error::Errno> {
        let tok = match self.ws_listeners.get(&addr) {
            // ws:// and wss:// cannot share a port, nor can sockets with
            // different TLS settings: a connection's TLS (certificate, client
            // authentication) is settled before its path is known.
            Some(&tok) if !self.ws_port_fits(tok, &ctx) => return Err(libc::EADDRINUSE),
            Some(&tok) => tok,
            None => {
                let l = std::net::TcpListener::bind(addr)
                    .map_err(|e| crate::transport::addr::bind_errno(&e))?;
                l.set_nonblocking(true)
                    .map_err(|e| crate::error::from_io(&e))?;
                let mut listener = mio::net::TcpListener::from_std(l);
                let tok = self.entries.vacant_key();
                self.registry()
                    .register(&mut listener, Token(tok), Interest::READABLE)
                    .map_err(|e| crate::error::from_io(&e))?;
                self.entries.insert(Entry::WsListener {
                    listener,
                    addr,
                    routes: HashMap::new(),
                    tls: ctx.tls.clone(),
                    tls_options: ctx.opts.tls.clone(),
                });
                self.ws_listeners.insert(addr, tok);
                tok
            }
        };
        let Some(Entry::WsListener { routes, .. }) = self.entries.get_mut(tok) else {
            return Err(libc::EIO);
        };
        if routes.contains_key(&path) {
            return Err(libc::EADDRINUSE);
        }
        routes.insert(path.clone(), (ctx, ep));
        let rec = self.endpoints.entry(ep).or_default();
        rec.mains.push(tok);
        rec.ws_path = Some(path);
        Ok(())
    }

    /// Whether an endpoint may bind a path on the ws port at `tok`: both
    /// plain ws://, or both wss:// with the same TLS options.
    fn ws_port_fits(&self, tok: usize, ctx: &EndpointCtx) -> bool {
        match self.entries.get(tok) {
            Some(Entry::WsListener {
                tls, tls_options, ..
            }) => {
                tls.is_some() == ctx.tls.is_some()
                    && (tls.is_none() || tls_options.as_deref() == ctx.opts.tls.as_deref())
            }
            _ => false,
        }
    }

    pub(super) fn accept_ws(&mut self, tok: usize) {
        loop {
            let stream = match self.entries.get(tok) {
                Some(Entry::WsListener {
                    listener,
                    tls,
                    addr,
                    ..
                }) => match listener.accept() {
                    // (The label is made only for a wss port.)
                    Ok((s, _)) => match tls {
                        None => Stream::Tcp(s),
                        Some(side) => match Stream::Tcp(s).secured(Some(side), &wss_label(*addr)) {
                            Some(s) => s,
                            None => continue,
                        },
                    },
                    Err(e) => match accept_error(&e) {
                        AcceptError::Retry | AcceptError::Skip => continue,
                        AcceptError::Drained => return,
                        AcceptError::OutOfResources => {
                            self.accept_later(tok);
                            return;
                        }
                    },
                },
                _ => return,
            };
            let up = self.entries.vacant_key();
            let fd = stream.raw_fd();
            let interest = Interest::READABLE | Interest::WRITABLE;
            if self
                .registry()
                .register(&mut SourceFd(&fd), Token(up), interest)
                .is_err()
            {
                continue;
            }
            let stamp = self.attempt_id();
            self.entries.insert(Entry::Upgrade {
                stream,
                machine: WsUpgrade::server(),
                side: UpgradeSide::Server { listener: tok },
                stamp,
            });
            self.handshake_deadline(up, stamp);
            self.upgrade_step(up);
        }
    }

    /// Reads handshake bytes into the connection's [`WsUpgrade`] and does
    /// what it decides: route the request and answer it, open the
    /// connection, refuse it, or close it.
    pub(super) fn upgrade_step(&mut self, tok: usize) {
        let Some(Entry::Upgrade {
            stream,
            machine,
            side,
            ..
        }) = self.entries.get_mut(tok)
        else {
            return;
        };
        let mut chunk = [0u8; 2048];
        while machine.wants_input() {
            match stream.read(&mut chunk) {
                Ok(0) => machine.hang_up(),
                Ok(n) => machine.feed(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => machine.hang_up(),
            }
        }
        let side = *side;
        match (machine.step(), side) {
            (ws_upgrade::Step::Read, _) => {}
            (ws_upgrade::Step::Refuse(answer), _) => self.refuse_upgrade(tok, answer),
            (ws_upgrade::Step::Close, UpgradeSide::Server { .. }) => self.drop_upgrade(tok),
            (ws_upgrade::Step::Close, UpgradeSide::Client { dialer }) => {
                self.drop_upgrade(tok);
                self.upgrade_failed(dialer);
            }
            (ws_upgrade::Step::Route(req), UpgradeSide::Server { listener }) => {
                self.answer_upgrade(tok, listener, &req)
            }
            (ws_upgrade::Step::Open(leftover), UpgradeSide::Client { dialer }) => {
                let Entry::Upgrade { stream, .. } = self.entries.remove(tok) else {
                    unreachable!()
                };
                self.connected(dialer, stream, ConnKind::Ws(Role::Client, leftover));
            }
            // (A server's machine never opens unrouted, nor a client's
            // routes.)
            (ws_upgrade::Step::Route(_) | ws_upgrade::Step::Open(_), _) => {
                debug_assert!(false, "upgrade step for the other side");
                self.drop_upgrade(tok);
            }
        }
    }

    /// Routes a complete upgrade request to the socket bound to its path
    /// (else to the one bound to the port without a path, which, as
    /// nanomsg's listener that knows no paths, serves every path) and
    /// answers it.
    fn answer_upgrade(&mut self, tok: usize, listener: usize, req: &ws_handshake::Request) {
        let route = match self.entries.get(listener) {
            Some(Entry::WsListener { routes, .. }) => {
                routes.get(&req.path).or_else(|| routes.get("/")).cloned()
            }
            _ => None,
        };
        let Some(Entry::Upgrade {
            stream, machine, ..
        }) = self.entries.get_mut(tok)
        else {
            return;
        };
        match machine.answer(req, route.as_ref().map(|(ctx, _)| ctx.protocol)) {
            ws_upgrade::Answer::Refuse(answer) => self.refuse_upgrade(tok, answer),
            ws_upgrade::Answer::Open { response, leftover } => {
                if !write_small(stream, response.as_bytes()) {
                    self.drop_upgrade(tok);
                    return;
                }
                let Some((ctx, ep)) = route else {
                    self.drop_upgrade(tok);
                    return;
                };
                let Entry::Upgrade { stream, .. } = self.entries.remove(tok) else {
                    unreachable!()
                };
                inc(&ctx.link.stats.accepted_connections);
                let kind = ConnKind::Ws(Role::Server, leftover);
                if let Some(conn) = self.add_conn(stream, ctx, ep, None, true, kind) {
                    self.step(conn, true, true);
                }
            }
        }
    }

    pub(super) fn handshake_deadline(&mut self, tok: usize, stamp: u64) {
        let at = Instant::now() + HANDSHAKE_TIMEOUT;
        self.timers
            .push(Reverse((at, stamp, tok, TimerKind::Handshake)));
    }

    /// Answers an upgrade request with an HTTP error and closes it.
    pub(super) fn refuse_upgrade(&mut self, tok: usize, answer: &str) {
        if let Some(Entry::Upgrade { stream, .. }) = self.entries.get(tok) {
            let _ = write_small(stream, answer.as_bytes());
        }
        self.drop_upgrade(tok);
    }

    pub(super) fn drop_upgrade(&mut self, tok: usize) {
        if let Some(Entry::Upgrade { .. }) = self.entries.get(tok) {
            if let Entry::Upgrade { stream, .. } = self.entries.remove(tok) {
                let _ = self.registry().deregister(&mut SourceFd(&stream.raw_fd()));
                stream.shutdown();
            }
        }
    }
}

/// Writes a short handshake message on a fresh connection. The kernel's
/// send buffer always has room for it; anything else means the peer is gone.
pub(super) fn write_small(stream: &Stream, bytes: &[u8]) -> bool {
    let mut off = 0;
    while off < bytes.len() {
        match stream.write_vectored(&[std::io::IoSlice::new(&bytes[off..])]) {
            Ok(0) => return false,
            Ok(n) => off += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    true
}
