//! Helpers for integration tests that drive the C API from Rust.
#![allow(dead_code)]

use std::os::raw::c_int;

use nanomsg::abi::*;
use nanomsg::ffi::*;

pub fn socket(protocol: c_int) -> c_int {
    let s = nn_socket(AF_SP, protocol);
    assert!(s >= 0, "nn_socket: errno {}", nn_errno());
    s
}

pub fn set_int(s: c_int, level: c_int, opt: c_int, v: c_int) {
    let rc = unsafe { nn_setsockopt(s, level, opt, &v as *const c_int as *const _, 4) };
    assert_eq!(rc, 0, "setsockopt {opt}: errno {}", nn_errno());
}

pub fn bind(s: c_int, url: &str) -> c_int {
    let c = std::ffi::CString::new(url).unwrap();
    let rc = unsafe { nn_bind(s, c.as_ptr()) };
    assert!(rc >= 0, "bind {url}: errno {}", nn_errno());
    rc
}

pub fn connect(s: c_int, url: &str) -> c_int {
    let c = std::ffi::CString::new(url).unwrap();
    let rc = unsafe { nn_connect(s, c.as_ptr()) };
    assert!(rc >= 0, "connect {url}: errno {}", nn_errno());
    rc
}

pub fn send(s: c_int, data: &[u8]) {
    let rc = unsafe { nn_send(s, data.as_ptr() as *const _, data.len(), 0) };
    assert_eq!(rc, data.len() as c_int, "send: errno {}", nn_errno());
}

/// Receives a message, or the errno.
pub fn try_recv(s: c_int) -> Result<Vec<u8>, c_int> {
    let mut p: *mut u8 = std::ptr::null_mut();
    let rc = unsafe { nn_recv(s, &mut p as *mut *mut u8 as *mut _, NN_MSG, 0) };
    if rc < 0 {
        return Err(nn_errno());
    }
    let v = unsafe { std::slice::from_raw_parts(p, rc as usize) }.to_vec();
    assert_eq!(unsafe { nn_freemsg(p as *mut _) }, 0);
    Ok(v)
}

pub fn recv(s: c_int) -> Vec<u8> {
    try_recv(s).unwrap_or_else(|e| panic!("recv: errno {e}"))
}

pub fn close(s: c_int) {
    assert_eq!(nn_close(s), 0);
}

/// The same endpoint over each stream transport: tcp and ws on `port`,
/// ipc at a path named by `tag`.
pub fn stream_urls(tag: &str, port: u16) -> Vec<String> {
    vec![
        format!("tcp://127.0.0.1:{port}"),
        ipc_url(tag),
        format!("ws://127.0.0.1:{port}/{tag}"),
    ]
}

/// A unique ipc path or port per test.
pub fn ipc_url(tag: &str) -> String {
    format!("ipc:///tmp/nnrs-{}-{tag}.ipc", std::process::id())
}

/// Two PAIR sockets, the first bound to `url`, the second connected to it,
/// each with send and receive timeouts of `timeout_ms`.
pub fn pair_over(url: &str, timeout_ms: c_int) -> (c_int, c_int) {
    let a = socket(NN_PAIR);
    let b = socket(NN_PAIR);
    for s in [a, b] {
        set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, timeout_ms);
        set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, timeout_ms);
    }
    bind(a, url);
    connect(b, url);
    (a, b)
}

/// A PULL socket bound to `url` and a PUSH socket connected to it, the
/// PULL waiting up to `timeout_ms` to receive, the PUSH to send.
pub fn pull_push_over(url: &str, timeout_ms: c_int) -> (c_int, c_int) {
    let pull = socket(NN_PULL);
    let push = socket(NN_PUSH);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, timeout_ms);
    set_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, timeout_ms);
    bind(pull, url);
    connect(push, url);
    (pull, push)
}

/// Like `pair_over` with 10 s timeouts, but both sockets take messages of
/// any size (NN_RCVMAXSIZE -1).
pub fn pair_unlimited(url: &str) -> (c_int, c_int) {
    let a = socket(NN_PAIR);
    let b = socket(NN_PAIR);
    for s in [a, b] {
        set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 10_000);
        set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 10_000);
        set_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    }
    bind(a, url);
    connect(b, url);
    (a, b)
}

/// Waits until socket `s` has `n` connections (NN_STAT_CURRENT_CONNECTIONS),
/// failing with `what` if `deadline` passes first.
pub fn await_connections(s: c_int, n: u64, deadline: std::time::Instant, what: &str) {
    while nn_get_statistic(s, NN_STAT_CURRENT_CONNECTIONS) != n {
        assert!(std::time::Instant::now() < deadline, "{what}");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// Which end of a TCP connection a port names.
#[allow(dead_code)]
pub enum PortOf {
    /// The descriptor's own address (the accepting side, for a bound port).
    Own,
    /// The address it is connected to (the dialing side).
    Peer,
}

/// A TCP descriptor of this process (the library's, made for the test's
/// sockets) whose own or peer IPv4 address has `port`.
#[allow(dead_code)]
pub fn tcp_fd(port: u16, which: PortOf) -> Option<c_int> {
    for entry in std::fs::read_dir("/proc/self/fd").ok()? {
        let Ok(fd) = entry.ok()?.file_name().to_string_lossy().parse::<c_int>() else {
            continue;
        };
        // SAFETY: a zeroed sockaddr_in is valid; the length says its size.
        let mut addr: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let sa = &mut addr as *mut libc::sockaddr_in as *mut libc::sockaddr;
        // SAFETY: addr and len are live and describe a buffer of len bytes.
        let rc = unsafe {
            match which {
                PortOf::Own => libc::getsockname(fd, sa, &mut len),
                PortOf::Peer => libc::getpeername(fd, sa, &mut len),
            }
        };
        // (A listening socket has no peer; it is skipped for Own by
        // requiring a peer too.)
        let connected = matches!(which, PortOf::Peer) || {
            // SAFETY: as above, for a second address.
            let mut peer: libc::sockaddr_in = unsafe { std::mem::zeroed() };
            let mut plen = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let pa = &mut peer as *mut libc::sockaddr_in as *mut libc::sockaddr;
            // SAFETY: peer and plen are live and describe a buffer of plen bytes.
            unsafe { libc::getpeername(fd, pa, &mut plen) == 0 }
        };
        if rc == 0
            && connected
            && addr.sin_family == libc::AF_INET as u16
            && u16::from_be(addr.sin_port) == port
        {
            return Some(fd);
        }
    }
    None
}
