//! Listening: accepting connections (with back-off when the process is out
//! of descriptors, so a listener never stops for good) and turning an
//! accepted or dialed stream into a connection.

use super::*;

/// A listening socket.
pub enum Listener {
    Tcp(mio::net::TcpListener),
    Unix(mio::net::UnixListener),
}

impl Listener {
    pub(super) fn accept(&self) -> io::Result<Stream> {
        match self {
            Listener::Tcp(l) => l.accept().map(|(s, _)| Stream::Tcp(s)),
            Listener::Unix(l) => l.accept().map(|(s, _)| Stream::Unix(s)),
        }
    }

    pub(super) fn raw_fd(&self) -> i32 {
        match self {
            Listener::Tcp(l) => l.as_raw_fd(),
            Listener::Unix(l) => l.as_raw_fd(),
        }
    }
}

/// How long a listener out of descriptors waits before accepting again.
pub(super) const ACCEPT_RETRY: Duration = Duration::from_millis(100);

/// What a failed accept(2) means for the listener.
pub(super) enum AcceptError {
    /// Interrupted: try again at once.
    Retry,
    /// Nothing more is waiting.
    Drained,
    /// That one connection failed (reset before it was accepted, or one of
    /// the network errors accept(2) passes on): go on with the next.
    Skip,
    /// No descriptor or memory for it now (or an error that may repeat):
    /// try again later, never in a loop.
    OutOfResources,
}

pub(super) fn accept_error(e: &io::Error) -> AcceptError {
    match e.raw_os_error() {
        _ if e.kind() == io::ErrorKind::Interrupted => AcceptError::Retry,
        _ if e.kind() == io::ErrorKind::WouldBlock => AcceptError::Drained,
        Some(
            libc::ECONNABORTED
            | libc::EPROTO
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::ENONET
            | libc::ENOPROTOOPT
            | libc::EOPNOTSUPP,
        ) => AcceptError::Skip,
        _ => AcceptError::OutOfResources,
    }
}

impl Loop {
    pub(super) fn accept_all(&mut self, tok: usize) {
        loop {
            let (stream, ctx, ep) = match self.entries.get(tok) {
                Some(Entry::Listener { listener, ctx, ep }) => match listener.accept() {
                    Ok(s) => {
                        inc(&ctx.link.stats.accepted_connections);
                        (s, ctx.clone(), *ep)
                    }
                    Err(e) => match accept_error(&e) {
                        AcceptError::Retry => continue,
                        AcceptError::Drained => return,
                        AcceptError::Skip => {
                            inc(&ctx.link.stats.accept_errors);
                            continue;
                        }
                        AcceptError::OutOfResources => {
                            inc(&ctx.link.stats.accept_errors);
                            crate::report::endpoint_error(&ctx.label, crate::error::from_io(&e));
                            self.accept_later(tok);
                            return;
                        }
                    },
                },
                _ => return,
            };
            if let Some(conn) = self.add_conn(stream, ctx, ep, None, false, ConnKind::Sp) {
                self.step(conn, true, true);
            }
        }
    }

    /// Starts a connection on a stream: registers it (or moves its existing
    /// registration to the new entry), queues the handshake. The caller runs
    /// the first I/O step with `on_event`, once the entry is fully set up.
    pub(super) fn add_conn(
        &mut self,
        stream: Stream,
        ctx: EndpointCtx,
        ep: u64,
        dialer: Option<usize>,
        registered: bool,
        kind: ConnKind,
    ) -> Option<usize> {
        let ctx = ctx.for_connection(dialer.is_none());
        // tls+tcp: TLS starts here (a wss stream has it already).
        let stream = stream.secured(ctx.tls.as_deref(), &ctx.label)?;
        if let Some(s) = stream.tcp() {
            let _ = s.set_nodelay(ctx.opts.tcp_nodelay);
            stream.skip_pacing_on_host();
        }
        if let Stream::Unix(_) = &stream {
            crate::sys::set_socket_buffers(stream.raw_fd(), IPC_KERNEL_BUFFER);
        }
        let tok = self.entries.vacant_key();
        let fd = stream.raw_fd();
        let interest = Interest::READABLE | Interest::WRITABLE;
        let r = if registered {
            self.registry()
                .reregister(&mut SourceFd(&fd), Token(tok), interest)
        } else {
            self.registry()
                .register(&mut SourceFd(&fd), Token(tok), interest)
        };
        if let Err(e) = r {
            if let Some(d) = dialer {
                self.connect_failed(d, &e);
            }
            return None;
        }
        inc(&ctx.link.stats.current_connections);
        let pipe = match kind {
            ConnKind::Sp => StreamPipe::new(stream, ctx, tok),
            ConnKind::Ws(role, leftover) => StreamPipe::new_ws(stream, ctx, tok, role, leftover),
        }
        .into_arc();
        self.entries.insert(Entry::Conn {
            pipe: pipe.clone(),
            ep,
            dialer,
            draining: None,
            interest: Some(interest),
        });
        self.endpoints.entry(ep).or_default().pipes.push(tok);
        // A WebSocket pipe is ready as soon as the upgrade is done; an SP
        // one once the peer's header arrives, which it must do in time.
        if pipe.is_active() {
            pipe.link_event(PipeEvent::Added(as_pipe(&pipe)));
        } else {
            self.handshake_deadline(tok, pipe_id(&pipe));
        }
        Some(tok)
    }

    /// A listener ran out of descriptors (or memory) to accept with: its
    /// queue of waiting connections is not drained, so edge-triggered epoll
    /// will not report it again; it tries again after a pause instead.
    /// (Giving up here once stopped a listener for good.)
    pub(super) fn accept_later(&mut self, tok: usize) {
        let at = Instant::now() + ACCEPT_RETRY;
        self.timers
            .push(Reverse((at, 0, tok, TimerKind::AcceptRetry)));
    }
}
