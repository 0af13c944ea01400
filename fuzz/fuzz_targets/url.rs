//! Address parsing fed arbitrary URLs, as nn_bind and nn_connect take them
//! (scheme://rest; tcp `[local;]host:port`, ws `host[:port][/path]`, ipc
//! paths): only the parsing, never a socket or a name lookup. It must
//! never panic, and what it accepts must be what the transports can use:
//! a port in 1..=65535, a connect host that is a literal or a DNS name,
//! a ws path that starts with `/` and cannot end the request line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::abi::NN_SOCKADDR_MAX;
use nanomsg::transport::addr::{
    bind_ip, check_connect_host, is_valid_hostname, literal_ip, split_port, split_url,
};
use nanomsg::transport::ws_handshake::target_path;
use nanomsg::transport::{ipc, tcp, ws};

fn connect_host_ok(host: &str, ipv4only: bool) {
    assert!(
        literal_ip(host).is_some_and(|ip| !(ipv4only && ip.is_ipv6())) || is_valid_hostname(host)
    );
}

fuzz_target!(|data: &[u8]| {
    let [flags, bytes @ ..] = data else {
        return;
    };
    let Ok(url) = std::str::from_utf8(bytes) else {
        return;
    };
    let ipv4only = flags & 1 == 0;
    let Ok((scheme, rest)) = split_url(url) else {
        return;
    };
    assert!(url.len() < NN_SOCKADDR_MAX as usize);
    assert_eq!(format!("{scheme}://{rest}"), url);
    match scheme {
        "ipc" => {
            if let Ok(p) = ipc::check(rest) {
                assert!(!rest.is_empty() && p.as_os_str().len() == rest.len());
            }
        }
        "tcp" => {
            if let Ok((host, port)) = split_port(rest) {
                assert!(port != 0);
                if let Ok(ip) = bind_ip(host, ipv4only) {
                    assert!(!(ipv4only && ip.is_ipv6()));
                }
            }
            if let Ok((local, host, port)) = tcp::split_connect(rest, ipv4only) {
                assert!(port != 0);
                connect_host_ok(host, ipv4only);
                assert!(local.is_none_or(|ip| !(ipv4only && ip.is_ipv6())));
            }
        }
        "ws" => {
            for default in [None, Some(ws::DEFAULT_PORT)] {
                let Ok((host, port, path)) = ws::split(rest, default) else {
                    continue;
                };
                assert!(port != 0 && path.starts_with('/'));
                // It goes into `GET <path> HTTP/1.1`.
                assert!(!path.bytes().any(|b| b.is_ascii_control() || b == b' '));
                let route = target_path(&path);
                assert!(route.starts_with('/') && !route.contains(['?', '#']));
                // Routing is idempotent: a bound route serves itself.
                assert_eq!(target_path(&route), route);
                if check_connect_host(host, ipv4only).is_ok() {
                    connect_host_ok(host, ipv4only);
                }
            }
        }
        _ => {}
    }
});
