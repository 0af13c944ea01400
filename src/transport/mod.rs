//! Transports: how an address becomes pipes. One module per scheme; the SP
//! stream format and connection handling are shared by tcp and ipc.

pub mod addr;
pub mod batching;
pub mod connection;
pub mod framing;
pub mod inproc;
pub mod ipc;
pub mod reactor;
pub mod stream;
pub mod tcp;
pub mod tls;
pub mod ws;
pub mod ws_codec;
pub mod ws_handshake;
pub mod ws_upgrade;

use std::os::raw::c_int;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Result, EPROTONOSUPPORT};
use crate::link::EndpointOptions;
use crate::link::SocketLink;

/// What an endpoint needs to know of the socket that created it.
#[derive(Clone)]
pub struct EndpointCtx {
    pub link: Arc<SocketLink>,
    pub protocol: c_int,
    pub opts: EndpointOptions,
    /// `socket.<name>[<address>]`, naming the endpoint in error reports.
    pub label: Arc<str>,
    /// tls+tcp:// and wss://: how each connection starts its TLS.
    pub tls: Option<Arc<tls::TlsSide>>,
}

impl EndpointCtx {
    /// What a new connection of this endpoint works with. nanomsg 1.1.5
    /// reads some options when a connection starts and others only when
    /// the endpoint is made (compat/probe_option_changes.c; the table is in
    /// docs/nanomsg-1.1.5-behaviour.md), and so do we:
    /// - from the socket as it is now: NN_SNDBUF and NN_RCVBUF (our queue
    ///   limits), NN_TCP_NODELAY, and NN_WS_MSG_TYPE on a connection a
    ///   listener accepted;
    /// - as they were when the endpoint was made (`self.opts`): NN_SNDPRIO,
    ///   NN_RCVPRIO, NN_RECONNECT_IVL(_MAX), and NN_WS_MSG_TYPE on a
    ///   dialer's connections.
    ///
    /// NN_RCVMAXSIZE is read for each message (`SocketLink::rcvmaxsize`);
    /// NN_IPV4ONLY when a listener is made and at each dial.
    pub fn for_connection(&self, accepted: bool) -> EndpointCtx {
        let now = self.link.options();
        let mut opts = self.opts.clone();
        opts.sndbuf = now.sndbuf;
        opts.rcvbuf = now.rcvbuf;
        opts.tcp_nodelay = now.tcp_nodelay;
        if accepted {
            opts.ws_text = now.ws_text;
        }
        EndpointCtx {
            opts,
            ..self.clone()
        }
    }
}

impl EndpointCtx {
    /// The same endpoint over TLS (tls+tcp://, wss://): its side made now
    /// from the NN_TLS options, so a bad file fails the bind or connect;
    /// `host` is the name a dialer checks the server against.
    pub fn with_tls(mut self, listen: bool, host: &str) -> Result<EndpointCtx> {
        let side = tls::endpoint_side(self.opts.tls.as_deref(), listen, host, &self.label)?;
        self.tls = Some(side);
        Ok(self)
    }
}

/// A bound or connected endpoint of a socket.
pub trait Endpoint: Send {
    /// Stops listening or reconnecting and closes the endpoint's pipes,
    /// giving queued output up to `linger` to go out. Returns when the
    /// address is free again.
    fn shutdown(&mut self, linger: Duration);
}

pub fn bind(url: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (scheme, rest) = addr::split_url(url)?;
    match scheme {
        "inproc" => inproc::bind(rest, ctx),
        "ipc" => ipc::bind(rest, ctx),
        "tcp" => tcp::bind(rest, ctx),
        "ws" => ws::bind(rest, ctx),
        "tls+tcp" => tcp::bind_tls(rest, ctx),
        "wss" => ws::bind_tls(rest, ctx),
        _ => Err(EPROTONOSUPPORT),
    }
}

pub fn connect(url: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (scheme, rest) = addr::split_url(url)?;
    match scheme {
        "inproc" => inproc::connect(rest, ctx),
        "ipc" => ipc::connect(rest, ctx),
        "tcp" => tcp::connect(rest, ctx),
        "ws" => ws::connect(rest, ctx),
        "tls+tcp" => tcp::connect_tls(rest, ctx),
        "wss" => ws::connect_tls(rest, ctx),
        _ => Err(EPROTONOSUPPORT),
    }
}
