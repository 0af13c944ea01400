//! tcp://: `tcp://host:port` to bind (host = `*`, a literal address, or a
//! host name of this machine, which binds each of its addresses) and
//! `tcp://[local;]host:port` to connect (host may be a DNS name, resolved
//! off the I/O thread).

use std::io;
use std::net::{IpAddr, SocketAddr};

use super::addr::{bind_addrs, bind_errno, bind_ip, check_connect_host, split_port};
use super::reactor::{self, Cmd, DialTarget, Listener, ReactorEndpoint};
use super::{Endpoint, EndpointCtx};
use crate::error::{self, Result, ENODEV};

/// tls+tcp://: as tcp://, each accepted connection starting with a TLS
/// handshake (the certificate and key are read now).
pub fn bind_tls(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (host, _) = split_port(rest)?;
    let ctx = ctx.with_tls(true, host)?;
    bind(rest, ctx)
}

/// tls+tcp://: as tcp://, checking the server against the URL's host.
pub fn connect_tls(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (_, host, _) = split_connect(rest, ctx.opts.ipv4only)?;
    let ctx = ctx.with_tls(false, host)?;
    connect(rest, ctx)
}

pub fn bind(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (host, port) = split_port(rest)?;
    let addrs = bind_addrs(host, ctx.opts.ipv4only)?;
    // All or nothing: a listener bound here is closed again if a later
    // address fails (EADDRINUSE for one is EADDRINUSE for the bind).
    let mut listeners = Vec::new();
    for ip in addrs.ips {
        match std::net::TcpListener::bind(SocketAddr::new(ip, port)) {
            Ok(l) => listeners.push(l),
            // A name's address that is not this machine's.
            Err(e) if addrs.from_name && e.kind() == io::ErrorKind::AddrNotAvailable => {}
            Err(e) => return Err(bind_errno(&e)),
        }
    }
    if listeners.is_empty() {
        return Err(ENODEV);
    }
    for l in &listeners {
        l.set_nonblocking(true).map_err(|e| error::from_io(&e))?;
    }
    let key = reactor::next_endpoint_key();
    for l in listeners {
        reactor::get().submit(Cmd::Listen {
            listener: Listener::Tcp(mio::net::TcpListener::from_std(l)),
            ctx: ctx.clone(),
            ep: key,
            unlink: None,
        });
    }
    Ok(Box::new(ReactorEndpoint { key }))
}

/// Splits and checks a connect address, `[local;]host:port`: the local
/// address to bind first (a literal, else ENODEV), the host (a literal or
/// a DNS name, else EINVAL) and the port.
pub fn split_connect(rest: &str, ipv4only: bool) -> Result<(Option<IpAddr>, &str, u16)> {
    let (local, remote) = match rest.split_once(';') {
        Some((l, r)) => (Some(l), r),
        None => (None, rest),
    };
    let (host, port) = split_port(remote)?;
    check_connect_host(host, ipv4only)?;
    let local = match local {
        Some(l) => Some(bind_ip(l, ipv4only).map_err(|_| ENODEV)?),
        None => None,
    };
    Ok((local, host, port))
}

pub fn connect(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (local, host, port) = split_connect(rest, ctx.opts.ipv4only)?;
    let key = reactor::next_endpoint_key();
    reactor::get().submit(Cmd::Dial {
        target: DialTarget::Tcp {
            host: host.to_string(),
            port,
            local,
        },
        ctx,
        ep: key,
    });
    Ok(Box::new(ReactorEndpoint { key }))
}
