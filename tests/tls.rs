//! tls+tcp:// and wss://: every protocol over both, server-only and mutual
//! authentication, configuration errors at bind/connect, and each refusal
//! (plaintext peers either way, untrusted, expired and wrong-name
//! certificates, a client without the certificate required, garbage and
//! truncated handshakes) closing that one connection while a good peer is
//! still served. Certificates are made here with openssl. Ports 19100-19139.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::io::{Read, Write};
use std::os::raw::c_int;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The certificates of these tests, made once per run.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_string()
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (Debian's openssl package) runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA signing `name`.crt (with `ext`) from a new key.
fn issue(dir: &Path, ca: &str, name: &str, subject: &str, ext: &str, days: &str) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            subject,
        ],
    );
    std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.crt"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-out",
            &format!("{name}.crt"),
            "-days",
            days,
            "-extfile",
            &format!("{name}.ext"),
        ],
    );
}

fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("nn-tls-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for ca in ["ca", "rogue"] {
            openssl(
                &dir,
                &[
                    "req",
                    "-x509",
                    "-newkey",
                    "ec",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-nodes",
                    "-keyout",
                    &format!("{ca}.key"),
                    "-out",
                    &format!("{ca}.crt"),
                    "-days",
                    "30",
                    "-subj",
                    &format!("/CN={ca}"),
                ],
            );
        }
        let server = "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
        issue(&dir, "ca", "server", "/CN=localhost", server, "30");
        issue(&dir, "ca", "expired", "/CN=localhost", server, "-1");
        issue(&dir, "rogue", "impostor", "/CN=localhost", server, "30");
        issue(
            &dir,
            "ca",
            "client",
            "/CN=client",
            "extendedKeyUsage=clientAuth\n",
            "30",
        );
        issue(
            &dir,
            "rogue",
            "rogue-client",
            "/CN=client",
            "extendedKeyUsage=clientAuth\n",
            "30",
        );
        std::fs::write(dir.join("garbage.pem"), "not a certificate\n").unwrap();
        Certs { dir }
    })
}

fn set_str(s: c_int, opt: c_int, v: &str) -> c_int {
    let rc = unsafe { nn_setsockopt(s, NN_TLS, opt, v.as_ptr() as *const _, v.len()) };
    if rc < 0 {
        nn_errno()
    } else {
        0
    }
}

fn try_bind(s: c_int, url: &str) -> Result<c_int, c_int> {
    let c = std::ffi::CString::new(url).unwrap();
    let rc = unsafe { nn_bind(s, c.as_ptr()) };
    if rc < 0 {
        Err(nn_errno())
    } else {
        Ok(rc)
    }
}

fn try_connect(s: c_int, url: &str) -> Result<c_int, c_int> {
    let c = std::ffi::CString::new(url).unwrap();
    let rc = unsafe { nn_connect(s, c.as_ptr()) };
    if rc < 0 {
        Err(nn_errno())
    } else {
        Ok(rc)
    }
}

/// A listener with the server's certificate (and, with `ca`, asking for
/// client certificates signed by it).
fn tls_listener(protocol: c_int, url: &str, cert: &str, ca: Option<&str>) -> c_int {
    let c = certs();
    let s = socket(protocol);
    set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
    assert_eq!(
        set_str(s, NN_TLS_CERT_FILE, &c.path(&format!("{cert}.crt"))),
        0
    );
    assert_eq!(
        set_str(s, NN_TLS_KEY_FILE, &c.path(&format!("{cert}.key"))),
        0
    );
    if let Some(ca) = ca {
        assert_eq!(set_str(s, NN_TLS_CA_FILE, &c.path(&format!("{ca}.crt"))), 0);
    }
    bind(s, url);
    s
}

/// A dialer trusting the test CA, offering `cert` if given.
fn tls_dialer(protocol: c_int, url: &str, cert: Option<&str>) -> c_int {
    let c = certs();
    let s = socket(protocol);
    set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    set_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
    set_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    assert_eq!(set_str(s, NN_TLS_CA_FILE, &c.path("ca.crt")), 0);
    if let Some(cert) = cert {
        assert_eq!(
            set_str(s, NN_TLS_CERT_FILE, &c.path(&format!("{cert}.crt"))),
            0
        );
        assert_eq!(
            set_str(s, NN_TLS_KEY_FILE, &c.path(&format!("{cert}.key"))),
            0
        );
    }
    connect(s, url);
    s
}

/// Nothing arrives on `s` within `ms`.
fn nothing_arrives(s: c_int, ms: c_int) {
    set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, ms);
    assert_eq!(try_recv(s), Err(libc::ETIMEDOUT));
    set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
}

/// A good dialer still gets through to `listener` (a PAIR) over `url`.
fn still_served(listener: c_int, url: &str, cert: Option<&str>) {
    let d = tls_dialer(NN_PAIR, url, cert);
    send(d, b"good peer");
    assert_eq!(recv(listener), b"good peer");
    send(listener, b"served");
    assert_eq!(recv(d), b"served");
    close(d);
}

#[test]
fn pair_over_tls_tcp_and_wss_both_ways_with_large_messages() {
    for (i, url) in [
        "tls+tcp://127.0.0.1:19100",
        "tls+tcp://localhost:19101",
        "wss://127.0.0.1:19102/pair",
        "wss://localhost:19103",
    ]
    .iter()
    .enumerate()
    {
        let l = tls_listener(NN_PAIR, url, "server", None);
        let d = tls_dialer(NN_PAIR, url, None);
        for s in [l, d] {
            set_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
        }
        send(d, b"hello over tls");
        assert_eq!(recv(l), b"hello over tls", "{url}");
        send(l, b"and back");
        assert_eq!(recv(d), b"and back", "{url}");
        let big: Vec<u8> = (0..3_000_000u32)
            .map(|x| (x % 251) as u8 ^ i as u8)
            .collect();
        send(d, &big);
        assert!(recv(l) == big, "{url}: 3 MB message");
        for n in 0..200u32 {
            send(l, &n.to_le_bytes());
        }
        for n in 0..200u32 {
            assert_eq!(recv(d), n.to_le_bytes(), "{url}: message {n}");
        }
        close(d);
        close(l);
    }
}

#[test]
fn every_protocol_over_tls_tcp_and_wss() {
    let pairs = [
        (NN_REQ, NN_REP),
        (NN_PUSH, NN_PULL),
        (NN_PUB, NN_SUB),
        (NN_SURVEYOR, NN_RESPONDENT),
        (NN_BUS, NN_BUS),
        (NN_PAIR, NN_PAIR),
    ];
    let mut port = 19110;
    for scheme in ["tls+tcp", "wss"] {
        for (a, b) in pairs {
            let url = format!("{scheme}://127.0.0.1:{port}/p");
            let url = if scheme == "tls+tcp" {
                format!("tls+tcp://127.0.0.1:{port}")
            } else {
                url
            };
            port += 1;
            let l = tls_listener(b, &url, "server", None);
            let d = tls_dialer(a, &url, None);
            if b == NN_SUB {
                let rc = unsafe {
                    nn_setsockopt(l, NN_SUB, NN_SUB_SUBSCRIBE, b"".as_ptr() as *const _, 0)
                };
                assert_eq!(rc, 0);
            }
            // PUB and SURVEYOR drop what they send before a peer is there.
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                send(d, b"ping");
                set_int(l, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
                match try_recv(l) {
                    Ok(m) => {
                        assert_eq!(m, b"ping", "{url}");
                        break;
                    }
                    Err(e) => assert!(Instant::now() < deadline, "{url} {a}->{b}: errno {e}"),
                }
            }
            set_int(l, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
            if matches!(b, NN_REP | NN_RESPONDENT | NN_BUS | NN_PAIR) {
                send(l, b"pong");
                assert_eq!(recv(d), b"pong", "{url}");
            }
            close(d);
            close(l);
        }
    }
}

#[test]
fn mutual_tls_requires_a_client_certificate_from_the_ca() {
    for url in ["tls+tcp://127.0.0.1:19130", "wss://127.0.0.1:19131/m"] {
        let l = tls_listener(NN_PAIR, url, "server", Some("ca"));
        // Without a certificate, and with one from another CA: refused.
        for cert in [None, Some("rogue-client")] {
            let d = tls_dialer(NN_PAIR, url, cert);
            set_int(d, NN_SOL_SOCKET, NN_SNDTIMEO, 300);
            let _ = unsafe { nn_send(d, b"let me in".as_ptr() as *const _, 9, 0) };
            nothing_arrives(l, 500);
            close(d);
        }
        still_served(l, url, Some("client"));
        close(l);
    }
}

#[test]
fn optional_client_authentication_takes_clients_without_certificates() {
    let url = "tls+tcp://127.0.0.1:19132";
    let c = certs();
    let s = socket(NN_PAIR);
    set_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    assert_eq!(set_str(s, NN_TLS_CERT_FILE, &c.path("server.crt")), 0);
    assert_eq!(set_str(s, NN_TLS_KEY_FILE, &c.path("server.key")), 0);
    assert_eq!(set_str(s, NN_TLS_CA_FILE, &c.path("ca.crt")), 0);
    set_int(s, NN_TLS, NN_TLS_AUTH_MODE, NN_TLS_AUTH_OPTIONAL);
    bind(s, url);
    still_served(s, url, None);
    still_served(s, url, Some("client"));
    close(s);
}

#[test]
fn a_dialer_refuses_untrusted_expired_and_wrong_name_servers() {
    let cases = [
        ("impostor", "tls+tcp://127.0.0.1:19133", None),
        ("expired", "tls+tcp://127.0.0.1:19134", None),
        ("server", "tls+tcp://127.0.0.1:19135", Some("other.example")),
        ("impostor", "wss://127.0.0.1:19136/x", None),
    ];
    for (cert, url, name) in cases {
        let l = tls_listener(NN_PAIR, url, cert, None);
        let d = socket(NN_PAIR);
        set_int(d, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
        assert_eq!(set_str(d, NN_TLS_CA_FILE, &certs().path("ca.crt")), 0);
        if let Some(name) = name {
            assert_eq!(set_str(d, NN_TLS_SERVER_NAME, name), 0);
        }
        connect(d, url);
        set_int(d, NN_SOL_SOCKET, NN_SNDTIMEO, 300);
        let _ = unsafe { nn_send(d, b"secret".as_ptr() as *const _, 6, 0) };
        nothing_arrives(l, 500);
        // The dialer keeps trying, and counts the failures.
        let deadline = Instant::now() + Duration::from_secs(5);
        while nn_get_statistic(d, NN_STAT_BROKEN_CONNECTIONS)
            + nn_get_statistic(d, NN_STAT_CONNECT_ERRORS)
            == 0
        {
            assert!(
                Instant::now() < deadline,
                "{url} {cert}: no failure counted"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        close(d);
        // The same dialer with NN_TLS_AUTH_NONE (nngcat's --insecure)
        // takes any certificate.
        let insecure = socket(NN_PAIR);
        set_int(insecure, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        set_int(insecure, NN_TLS, NN_TLS_AUTH_MODE, NN_TLS_AUTH_NONE);
        connect(insecure, url);
        send(insecure, b"anyway");
        assert_eq!(recv(l), b"anyway", "{url} insecure");
        close(insecure);
        close(l);
    }
}

#[test]
fn plaintext_peers_are_refused_both_ways() {
    // A tcp:// dialer at a TLS port, and garbage and a truncated hello.
    let url = "tls+tcp://127.0.0.1:19137";
    let l = tls_listener(NN_PAIR, url, "server", None);
    let plain = socket(NN_PAIR);
    connect(plain, "tcp://127.0.0.1:19137");
    // (Its SP handshake never completes: the send times out.)
    set_int(plain, NN_SOL_SOCKET, NN_SNDTIMEO, 300);
    let _ = unsafe { nn_send(plain, b"in clear".as_ptr() as *const _, 8, 0) };
    nothing_arrives(l, 500);
    close(plain);
    for junk in [
        &b"\x00SP\x00\x00\x10\x00\x00garbage"[..],
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        &[0xffu8; 4096][..],
    ] {
        let mut c = std::net::TcpStream::connect("127.0.0.1:19137").unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = c.write_all(junk);
        if junk.len() == 11 {
            // Half a ClientHello, then the peer goes.
            drop(c);
            continue;
        }
        let mut answer = Vec::new();
        let _ = c.read_to_end(&mut answer);
        // An alert at most, never SP data.
        assert!(answer.len() < 64, "answer to junk: {answer:?}");
    }
    still_served(l, url, None);
    close(l);

    // A TLS dialer at a plaintext port.
    let plain_l = socket(NN_PAIR);
    bind(plain_l, "tcp://127.0.0.1:19138");
    let d = tls_dialer(NN_PAIR, "tls+tcp://127.0.0.1:19138", None);
    set_int(d, NN_SOL_SOCKET, NN_SNDTIMEO, 300);
    let _ = unsafe { nn_send(d, b"secret".as_ptr() as *const _, 6, 0) };
    nothing_arrives(plain_l, 500);
    close(d);
    let ok = socket(NN_PAIR);
    connect(ok, "tcp://127.0.0.1:19138");
    send(ok, b"plain is fine");
    set_int(plain_l, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    assert_eq!(recv(plain_l), b"plain is fine");
    close(ok);
    close(plain_l);
}

#[test]
fn configuration_errors_are_errnos_at_bind_and_connect() {
    let c = certs();
    let s = socket(NN_PAIR);
    // A listener needs a certificate and key.
    assert_eq!(try_bind(s, "tls+tcp://127.0.0.1:19139"), Err(libc::EINVAL));
    assert_eq!(try_bind(s, "wss://127.0.0.1:19139/x"), Err(libc::EINVAL));
    assert_eq!(set_str(s, NN_TLS_CERT_FILE, &c.path("missing.crt")), 0);
    assert_eq!(set_str(s, NN_TLS_KEY_FILE, &c.path("server.key")), 0);
    assert_eq!(try_bind(s, "tls+tcp://127.0.0.1:19139"), Err(libc::ENOENT));
    assert_eq!(set_str(s, NN_TLS_CERT_FILE, &c.path("garbage.pem")), 0);
    assert_eq!(try_bind(s, "tls+tcp://127.0.0.1:19139"), Err(libc::EINVAL));
    // A key that is not the certificate's.
    assert_eq!(set_str(s, NN_TLS_CERT_FILE, &c.path("server.crt")), 0);
    assert_eq!(set_str(s, NN_TLS_KEY_FILE, &c.path("client.key")), 0);
    assert_eq!(try_bind(s, "tls+tcp://127.0.0.1:19139"), Err(libc::EINVAL));
    // Requiring client certificates without a CA to check them.
    assert_eq!(set_str(s, NN_TLS_KEY_FILE, &c.path("server.key")), 0);
    set_int(s, NN_TLS, NN_TLS_AUTH_MODE, NN_TLS_AUTH_REQUIRED);
    assert_eq!(try_bind(s, "tls+tcp://127.0.0.1:19139"), Err(libc::EINVAL));
    close(s);

    let d = socket(NN_PAIR);
    assert_eq!(set_str(d, NN_TLS_CA_FILE, &c.path("missing.crt")), 0);
    assert_eq!(
        try_connect(d, "tls+tcp://127.0.0.1:19139"),
        Err(libc::ENOENT)
    );
    assert_eq!(set_str(d, NN_TLS_CA_FILE, &c.path("garbage.pem")), 0);
    assert_eq!(try_connect(d, "wss://localhost:19139/x"), Err(libc::EINVAL));
    // An empty value unsets the option again.
    assert_eq!(set_str(d, NN_TLS_CA_FILE, ""), 0);
    let mut buf = [0u8; 64];
    let mut len = buf.len();
    let rc = unsafe {
        nn_getsockopt(
            d,
            NN_TLS,
            NN_TLS_CA_FILE,
            buf.as_mut_ptr() as *mut _,
            &mut len,
        )
    };
    assert_eq!((rc, len), (0, 0));
    assert_eq!(set_str(d, 99, "x"), libc::ENOPROTOOPT);
    let bad: c_int = 7;
    let rc = unsafe {
        nn_setsockopt(
            d,
            NN_TLS,
            NN_TLS_AUTH_MODE,
            &bad as *const c_int as *const _,
            4,
        )
    };
    assert_eq!((rc, nn_errno()), (-1, libc::EINVAL));
    close(d);
}

/// Sockets binding paths on one wss port share its TLS (settled before the
/// path is known): one with other TLS options is refused, never served with
/// the first one's settings (found by a review: a path requiring client
/// certificates took clients without one).
#[test]
fn a_wss_port_is_shared_only_by_sockets_with_the_same_tls_options() {
    let c = certs();
    let a = tls_listener(NN_PAIR, "wss://127.0.0.1:19125/a", "server", None);
    let b = socket(NN_PAIR);
    assert_eq!(set_str(b, NN_TLS_CERT_FILE, &c.path("server.crt")), 0);
    assert_eq!(set_str(b, NN_TLS_KEY_FILE, &c.path("server.key")), 0);
    assert_eq!(set_str(b, NN_TLS_CA_FILE, &c.path("ca.crt")), 0);
    assert_eq!(
        try_bind(b, "wss://127.0.0.1:19125/b"),
        Err(libc::EADDRINUSE)
    );
    // The same options share the port.
    let same = tls_listener(NN_PAIR, "wss://127.0.0.1:19125/same", "server", None);
    let d = tls_dialer(NN_PAIR, "wss://127.0.0.1:19125/same", None);
    send(d, b"same options");
    assert_eq!(recv(same), b"same options");
    for s in [a, b, same, d] {
        close(s);
    }
}
