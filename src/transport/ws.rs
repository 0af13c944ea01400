//! ws://: SP over WebSocket (sp-websocket-mapping-01). `ws://host:port/path`
//! to bind (host `*` or a literal address) and to connect (host may be a DNS
//! name). Several sockets may bind different paths on one port; the I/O
//! thread routes each upgrade request by its path.

use std::net::SocketAddr;
use std::time::Duration;

use super::addr::{bind_addrs, check_connect_host, split_port};
use super::reactor::{self, Cmd, DialTarget, ReactorEndpoint};
use super::{Endpoint, EndpointCtx};
use crate::error::Result;

/// The port of a ws:// URL to connect to that names none (RFC 6455 3).
pub const DEFAULT_PORT: u16 = 80;
/// The same for wss://.
pub const DEFAULT_TLS_PORT: u16 = 443;

/// Splits `host:port/path` (the path defaults to `/`). A connect URL may
/// leave out the port (`ws://host/path`: port 80, as in nanomsg); a bind
/// URL may not (nanomsg: EINVAL). `host:` with nothing after the colon is
/// EINVAL either way.
pub fn split(rest: &str, default_port: Option<u16>) -> Result<(&str, u16, String)> {
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    // The path goes into the request line as it is: a space, CR or LF
    // there would end the line and let the URL write headers.
    if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(libc::EINVAL);
    }
    let names_port = match hostport.strip_prefix('[') {
        Some(v6) => v6.contains("]:"),
        None => hostport.contains(':'),
    };
    let (host, port) = match default_port {
        Some(port) if !names_port && !hostport.is_empty() => (hostport, port),
        _ => split_port(hostport)?,
    };
    Ok((host, port, path))
}

/// wss://: as ws://, the upgrade and all after it over TLS.
pub fn bind_tls(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (host, ..) = split(rest, None)?;
    let ctx = ctx.with_tls(true, host)?;
    bind(rest, ctx)
}

/// wss://: as ws://; a URL without a port means 443.
pub fn connect_tls(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (host, ..) = split(rest, Some(DEFAULT_TLS_PORT))?;
    check_connect_host(host, ctx.opts.ipv4only)?;
    let ctx = ctx.with_tls(false, host)?;
    connect_with(rest, ctx, DEFAULT_TLS_PORT)
}

pub fn bind(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let (host, port, path) = split(rest, None)?;
    // The route it serves: without a query or fragment, as requests are
    // matched (`ws://h:p/a?x=1` serves `GET /a?y`); kept whole, such a
    // bind could never be reached.
    let path = super::ws_handshake::target_path(&path);
    let addrs = bind_addrs(host, ctx.opts.ipv4only)?;
    let key = reactor::next_endpoint_key();
    let mut endpoint = ReactorEndpoint { key };
    let mut bound = 0;
    // Every address of a host name, all or nothing (see tcp::bind).
    for ip in addrs.ips {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        reactor::get().submit(Cmd::ListenWs {
            addr: SocketAddr::new(ip, port),
            path: path.clone(),
            ctx: ctx.clone(),
            ep: key,
            reply: tx,
        });
        match rx.recv().map_err(|_| libc::EIO)? {
            Ok(()) => bound += 1,
            Err(libc::EADDRNOTAVAIL) if addrs.from_name => {}
            Err(e) => {
                endpoint.shutdown(Duration::ZERO);
                return Err(e);
            }
        }
    }
    if bound == 0 {
        return Err(libc::ENODEV);
    }
    Ok(Box::new(endpoint))
}

pub fn connect(rest: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    connect_with(rest, ctx, DEFAULT_PORT)
}

fn connect_with(rest: &str, ctx: EndpointCtx, default_port: u16) -> Result<Box<dyn Endpoint>> {
    let (host, port, path) = split(rest, Some(default_port))?;
    check_connect_host(host, ctx.opts.ipv4only)?;
    let key = reactor::next_endpoint_key();
    reactor::get().submit(Cmd::Dial {
        target: DialTarget::Ws {
            host: host.to_string(),
            port,
            path,
        },
        ctx,
        ep: key,
    });
    Ok(Box::new(ReactorEndpoint { key }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EINVAL;

    #[test]
    fn bound_paths_route_without_query_or_fragment() {
        use super::super::ws_handshake::target_path;
        assert_eq!(target_path("/a?x=1"), "/a");
        assert_eq!(target_path("/a/b#frag"), "/a/b");
        assert_eq!(target_path("/"), "/");
        assert_eq!(target_path("/?x"), "/");
        // A path that holds a URL is a path (found by fuzz/url).
        assert_eq!(target_path("/a/ws://h/b"), "/a/ws://h/b");
        assert_eq!(target_path("//ws://h//x"), "//ws://h//x");
        assert_eq!(target_path("ws://h/b?q"), "/b");
    }

    #[test]
    fn addresses_split_into_host_port_and_path() {
        let bind = |s| split(s, None);
        let connect = |s| split(s, Some(DEFAULT_PORT));
        assert_eq!(
            bind("127.0.0.1:80").unwrap(),
            ("127.0.0.1", 80, "/".to_string())
        );
        assert_eq!(
            bind("h:81/a/b?c=1").unwrap(),
            ("h", 81, "/a/b?c=1".to_string())
        );
        assert_eq!(bind("h/a"), Err(EINVAL));
        assert_eq!(bind("h:/a"), Err(EINVAL));
        for bad in ["h:1/a b", "h:1/a\r\nX: y", "h:1/\t"] {
            assert_eq!(bind(bad), Err(EINVAL), "{bad:?}");
        }
        // Connecting, no port means 80; an empty one is still wrong.
        assert_eq!(connect("127.0.0.1"), Ok(("127.0.0.1", 80, "/".to_string())));
        assert_eq!(connect("h/x"), Ok(("h", 80, "/x".to_string())));
        assert_eq!(connect("[::1]/x"), Ok(("[::1]", 80, "/x".to_string())));
        assert_eq!(connect("[::1]:81"), Ok(("[::1]", 81, "/".to_string())));
        let connect_checked = |s| {
            let (host, ..) = connect(s)?;
            check_connect_host(host, true)
        };
        for bad in ["*:", "127.0.0.1:", "", "/x", ":80", "h:1:2", "*"] {
            assert_eq!(connect_checked(bad), Err(EINVAL), "{bad:?}");
        }
    }
}
