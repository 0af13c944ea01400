//! nn_bind with a host name (issue 13): `localhost` or the machine's own
//! name binds every local address the name resolves to, as nng and mangos
//! listeners do, so that the article's `pair 0 tcp://localhost:54545` and
//! `pair 1 tcp://localhost:54545` work; the second bind then finds the
//! address in use. A name of no local address is ENODEV.
//!
//! Ports 19070-19079.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::net::{IpAddr, ToSocketAddrs};

fn try_bind(s: i32, url: &str) -> Result<i32, i32> {
    let c = std::ffi::CString::new(url).unwrap();
    let rc = unsafe { nn_bind(s, c.as_ptr()) };
    if rc < 0 {
        Err(nn_errno())
    } else {
        Ok(rc)
    }
}

fn resolves_to(name: &str) -> Vec<IpAddr> {
    (name, 1)
        .to_socket_addrs()
        .map(|a| a.map(|a| a.ip()).collect())
        .unwrap_or_default()
}

/// A PAIR listener bound to `bind_url`; a peer connected to `connect_url`
/// exchanges a message with it.
fn exchange(bind_url: &str, connect_url: &str, ipv4only: bool) {
    let (a, b) = (socket(NN_PAIR), socket(NN_PAIR));
    for s in [a, b] {
        set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
        set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 3000);
        set_int(s, NN_SOL_SOCKET, NN_IPV4ONLY, ipv4only as i32);
    }
    bind(a, bind_url);
    connect(b, connect_url);
    send(b, b"ping");
    assert_eq!(recv(a), b"ping", "{bind_url} <- {connect_url}");
    send(a, b"pong");
    assert_eq!(recv(b), b"pong", "{bind_url} -> {connect_url}");
    close(a);
    close(b);
}

#[test]
fn localhost_binds_its_addresses() {
    for scheme in ["tcp", "ws"] {
        let port = if scheme == "tcp" { 19070 } else { 19071 };
        let named = format!("{scheme}://localhost:{port}");
        let literal = format!("{scheme}://127.0.0.1:{port}");
        exchange(&named, &literal, true);
        exchange(&named, &named, true);
        // The second node of the article: the address is in use.
        let first = socket(NN_PAIR);
        bind(first, &named);
        let second = socket(NN_PAIR);
        assert_eq!(try_bind(second, &named), Err(libc::EADDRINUSE), "{named}");
        assert_eq!(
            try_bind(second, &literal),
            Err(libc::EADDRINUSE),
            "{literal}"
        );
        close(second);
        close(first);
    }
}

#[test]
fn without_ipv4only_the_ipv6_addresses_are_bound_too() {
    let v6 = resolves_to("localhost").iter().any(|ip| ip.is_ipv6());
    let port = 19072;
    if v6 {
        exchange(
            &format!("tcp://localhost:{port}"),
            &format!("tcp://[::1]:{port}"),
            false,
        );
    } else {
        // localhost is IPv4 only here: binding it without NN_IPV4ONLY
        // must still work, on 127.0.0.1.
        println!("note: localhost has no IPv6 address on this machine");
        exchange(
            &format!("tcp://localhost:{port}"),
            &format!("tcp://127.0.0.1:{port}"),
            false,
        );
    }
}

#[test]
fn the_machines_own_name_binds_too() {
    let mut buf = [0u8; 256];
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) };
    assert_eq!(rc, 0);
    let end = buf.iter().position(|&b| b == 0).unwrap();
    let host = std::str::from_utf8(&buf[..end]).unwrap().to_string();
    let addrs: Vec<IpAddr> = resolves_to(&host)
        .into_iter()
        .filter(|ip| ip.is_ipv4())
        .collect();
    let Some(ip) = addrs.first() else {
        println!("note: the host name {host} does not resolve here");
        return;
    };
    let port = 19073;
    exchange(
        &format!("tcp://{host}:{port}"),
        &format!("tcp://{ip}:{port}"),
        true,
    );
}

#[test]
fn names_of_no_local_address_are_enodev() {
    let s = socket(NN_PAIR);
    for url in [
        "tcp://no-such-host.invalid:19074",
        "ws://no-such-host.invalid:19074",
        "tcp://lo:19074",
        "tcp://nosuchif0:19074",
    ] {
        assert_eq!(try_bind(s, url), Err(libc::ENODEV), "{url}");
    }
    close(s);
}
