//! Our side of a TLS handshake (transport/stream/tls_stream.rs driving
//! rustls) fed whatever a peer sends before and during it, as a listener
//! (with a certificate made by openssl when the fuzzer starts) or a
//! dialer, over a real loopback TCP connection: the peer's bytes arrive in
//! pieces of arbitrary sizes between our reads and writes. Nothing may
//! panic; each read must end (data, end of stream, would-block or an
//! error), and after an error the stream must stay an error or an end.
#![no_main]

use std::io::{IoSlice, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use nanomsg::transport::stream::TlsStream;
use nanomsg::transport::tls::{client_config, server_config, AuthMode, TlsOptions, TlsSide};

struct Setup {
    listener: TcpListener,
    server: TlsSide,
    client: TlsSide,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("nn-fuzz-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ok = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "k.pem",
                "-out",
                "c.pem",
                "-days",
                "30",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
            ])
            .current_dir(&dir)
            .output()
            .expect("openssl")
            .status
            .success();
        assert!(ok, "openssl made no certificate");
        let server = TlsOptions {
            cert_file: Some(dir.join("c.pem")),
            key_file: Some(dir.join("k.pem")),
            ..Default::default()
        };
        let client = TlsOptions {
            auth_mode: Some(AuthMode::None),
            ..Default::default()
        };
        let (c, name) = client_config(&client, "localhost").expect("client config");
        Setup {
            listener: TcpListener::bind("127.0.0.1:0").unwrap(),
            server: TlsSide::Server(server_config(&server).expect("server config")),
            client: TlsSide::Client(c, name),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let [role, piece, bytes @ ..] = data else {
        return;
    };
    let s = setup();
    let mut peer = TcpStream::connect(s.listener.local_addr().unwrap()).unwrap();
    let (ours, _) = s.listener.accept().unwrap();
    ours.set_nonblocking(true).unwrap();
    peer.set_nonblocking(true).unwrap();
    let side = if role & 1 == 0 { &s.server } else { &s.client };
    let tls = side.start().expect("a rustls connection");
    let stream = TlsStream::new(mio::net::TcpStream::from_std(ours), tls);
    let piece = usize::from(*piece).max(1);
    let mut failed = false;
    let mut buf = [0u8; 4096];
    let mut sink = [0u8; 65536];
    for chunk in bytes.chunks(piece) {
        let _ = peer.write_all(chunk);
        // What we answer the peer with is read away, so writes never stall.
        while matches!(peer.read(&mut sink), Ok(n) if n > 0) {}
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => assert!(!failed, "data after an error"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => failed = true,
        }
        if role & 2 != 0 {
            let _ = stream.write_vectored(&[IoSlice::new(b"\0\0\0\x05hello")]);
        }
        let _ = stream.flush();
        let _ = stream.has_buffered_output();
    }
    if role & 4 != 0 {
        stream.close_notify();
    }
    // The peer hangs up: the stream ends.
    drop(peer);
    for _ in 0..4 {
        if matches!(stream.read(&mut buf), Ok(0) | Err(_)) {
            break;
        }
    }
});
