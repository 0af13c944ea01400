//! A TCP connection that stays on this host is not paced by BBR.
//!
//! On a host whose default congestion control is BBR, the kernel paces
//! every TCP connection with timers, loopback ones included, where there is
//! no network to pace for: 64 KiB messages crossed at ~1.3 GB/s instead of
//! ~7 GB/s with cubic. The library switches its host-local connections away
//! from BBR and leaves every other algorithm alone. The test reads the
//! algorithm of both ends of a tcp:// and a ws:// connection on 127.0.0.1.

mod common;

use std::os::raw::c_int;

use common::*;

const TCP_PORT: u16 = 13819;
const WS_PORT: u16 = 13820;

/// The algorithm of `fd`, read here rather than with the library's own
/// helper, so a fault there cannot hide from the test.
fn congestion(fd: c_int) -> String {
    let mut name = [0u8; 16];
    let mut len = name.len() as libc::socklen_t;
    // SAFETY: name and len are live and describe a buffer of len bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_CONGESTION,
            name.as_mut_ptr().cast(),
            &mut len,
        )
    };
    assert_eq!(rc, 0, "TCP_CONGESTION");
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    String::from_utf8_lossy(&name[..end]).into_owned()
}

fn check(scheme: &str, port: u16) {
    let default = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_congestion_control")
        .expect("the host's default congestion control")
        .trim()
        .to_string();
    let url = format!("{scheme}://127.0.0.1:{port}");
    let (bound, dialer) = pair_over(&url, 5000);
    send(dialer, b"up");
    assert_eq!(recv(bound), b"up");
    let ends = [
        ("dialing", tcp_fd(port, PortOf::Peer)),
        ("accepted", tcp_fd(port, PortOf::Own)),
    ];
    for (end, fd) in ends {
        let cc = congestion(fd.unwrap_or_else(|| panic!("{scheme}: the {end} end")));
        if default.starts_with("bbr") {
            assert!(
                !cc.starts_with("bbr"),
                "{scheme}: the {end} end of a loopback connection is paced by {cc}"
            );
        } else {
            assert_eq!(
                cc, default,
                "{scheme}: the {end} end's algorithm was changed"
            );
        }
    }
    close(dialer);
    close(bound);
}

#[test]
fn loopback_tcp_connection_is_not_paced() {
    check("tcp", TCP_PORT);
}

#[test]
fn loopback_ws_connection_is_not_paced() {
    check("ws", WS_PORT);
}
