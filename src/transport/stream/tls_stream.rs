//! TLS over a non-blocking TCP socket: rustls (sans-I/O) driven by the
//! stream's reads and writes, from whichever thread holds the pipe.
//!
//! Reads decrypt until `buf` is full or the kernel has nothing more, so a
//! short read means what it means for plain TCP, and a receiver that then
//! waits on the descriptor misses nothing. Writes hand plaintext to
//! rustls and write its records; records the kernel has no room for stay
//! buffered (at most one buffer limit's worth: no more plaintext is taken
//! while they wait), and the pipe watches for room until they are out.
//! rustls's own handshake messages go out the same way.

use std::io::{self, IoSlice, Read, Write};
use std::os::fd::AsRawFd;

use parking_lot::Mutex;

/// Records rustls may hold for the kernel before taking no more plaintext.
const BUFFER_LIMIT: usize = 256 * 1024;

pub struct TlsStream {
    tcp: mio::net::TcpStream,
    tls: Mutex<Tls>,
    /// The endpoint's name, for the NN_PRINT_ERRORS line of a failed
    /// handshake (an untrusted certificate says nothing otherwise).
    label: Option<std::sync::Arc<str>>,
}

/// rustls's state, and whether it is over: after a TLS error (its alert
/// sent) or our close_notify, the connection is not driven again, and
/// every call fails.
struct Tls {
    conn: rustls::Connection,
    failed: bool,
    /// Records read from the socket that rustls has not taken yet (it takes
    /// 4 KiB at a time), from `unfed_at` on.
    unfed: Vec<u8>,
    unfed_at: usize,
}

/// What one socket read may bring: records are read in large reads and
/// handed to rustls from memory (its own reads from a socket are 4 KiB
/// each: a 64 KiB message took sixteen system calls).
const SOCKET_READ: usize = 64 * 1024;

thread_local! {
    static READ_BUF: std::cell::RefCell<Box<[u8]>> =
        std::cell::RefCell::new(vec![0u8; SOCKET_READ].into_boxed_slice());
}

fn failed() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "the TLS connection failed")
}

/// The TCP socket as rustls's writer (writes with
/// MSG_NOSIGNAL: a peer gone must not raise SIGPIPE in a C program).
struct Wire<'a>(&'a mio::net::TcpStream);

impl Write for Wire<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        crate::sys::send_vectored(self.0.as_raw_fd(), &[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        crate::sys::send_vectored(self.0.as_raw_fd(), bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn invalid(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

impl TlsStream {
    pub fn new(tcp: mio::net::TcpStream, mut tls: rustls::Connection) -> TlsStream {
        tls.set_buffer_limit(Some(BUFFER_LIMIT));
        TlsStream {
            tcp,
            tls: Mutex::new(Tls {
                conn: tls,
                failed: false,
                unfed: Vec::new(),
                unfed_at: 0,
            }),
            label: None,
        }
    }

    /// Names the endpoint in error reports.
    pub fn labelled(mut self, label: std::sync::Arc<str>) -> TlsStream {
        self.label = Some(label);
        self
    }

    pub fn tcp(&self) -> &mio::net::TcpStream {
        &self.tcp
    }

    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut guard = self.tls.lock();
        let state = &mut *guard;
        if state.failed {
            return Err(failed());
        }
        let mut filled = 0;
        let mut ended = false;
        loop {
            match state.conn.reader().read(&mut buf[filled..]) {
                // The peer's close_notify: the end of the stream.
                Ok(0) => return Ok(filled),
                Ok(n) => {
                    filled += n;
                    if filled == buf.len() {
                        return Ok(filled);
                    }
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && !ended => {}
                // Closed without close_notify: an end all the same.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::UnexpectedEof | io::ErrorKind::WouldBlock
                    ) =>
                {
                    return Ok(filled)
                }
                Err(e) => return Err(e),
            }
            match self.feed(state) {
                // The TCP stream ended: what rustls still holds is read,
                // then the end.
                Ok(0) => ended = true,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && filled > 0 => return Ok(filled),
                Err(e) => return Err(e),
            }
            if let Err(e) = state.conn.process_new_packets() {
                // The alert rustls queued for the peer goes out first.
                let _ = Self::write_records(&self.tcp, &mut state.conn);
                state.failed = true;
                if let Some(label) = &self.label {
                    crate::report::endpoint_detail(label, libc::EPROTO, &format!("TLS: {e}"));
                }
                return Err(invalid(e));
            }
            // Handshake messages (or a key update) to answer with.
            if state.conn.wants_write() && !ended {
                Self::write_records(&self.tcp, &mut state.conn)?;
            }
        }
    }

    /// Hands rustls records: what it left of the last socket read, else a
    /// new read. Ok(0) at the end of the stream.
    fn feed(&self, state: &mut Tls) -> io::Result<usize> {
        if state.unfed_at < state.unfed.len() {
            let mut rest = &state.unfed[state.unfed_at..];
            let n = state.conn.read_tls(&mut rest)?;
            state.unfed_at += n;
            if state.unfed_at == state.unfed.len() {
                state.unfed.clear();
                state.unfed_at = 0;
            }
            return Ok(n.max(1));
        }
        READ_BUF.with_borrow_mut(|big| {
            let got = (&self.tcp).read(big)?;
            let mut rest = &big[..got];
            // (An empty slice tells rustls the stream ended.)
            let n = state.conn.read_tls(&mut rest)?;
            if n < got {
                state.unfed.extend_from_slice(&big[n..got]);
                state.unfed_at = 0;
            }
            Ok(got)
        })
    }

    pub fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut state = self.tls.lock();
        if state.failed {
            return Err(failed());
        }
        let tls = &mut state.conn;
        // Records still waiting for room come first; none are added.
        if !Self::write_records(&self.tcp, tls)? {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let n = tls.writer().write_vectored(bufs)?;
        if n == 0 && bufs.iter().any(|b| !b.is_empty()) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Self::write_records(&self.tcp, tls)?;
        Ok(n)
    }

    pub fn has_buffered_output(&self) -> bool {
        let state = self.tls.lock();
        !state.failed && state.conn.wants_write()
    }

    pub fn flush(&self) -> io::Result<bool> {
        let mut state = self.tls.lock();
        if state.failed {
            return Err(failed());
        }
        Self::write_records(&self.tcp, &mut state.conn)
    }

    /// Says a clean goodbye, as far as the kernel takes it at once. The
    /// stream is done with then: rustls is not driven again (it would
    /// answer more input with a second alert).
    pub fn close_notify(&self) {
        let mut state = self.tls.lock();
        if !state.failed {
            state.conn.send_close_notify();
            let _ = Self::write_records(&self.tcp, &mut state.conn);
            state.failed = true;
        }
    }

    /// Writes records until none is left (true) or the kernel has no
    /// room (false).
    fn write_records(tcp: &mio::net::TcpStream, tls: &mut rustls::Connection) -> io::Result<bool> {
        while tls.wants_write() {
            match tls.write_tls(&mut Wire(tcp)) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::tls::{client_config, AuthMode, TlsOptions, TlsSide};

    /// A dialer's TLS stream over loopback, and the peer's end.
    fn client() -> (TlsStream, std::net::TcpStream) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let ours = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (peer, _) = l.accept().unwrap();
        ours.set_nonblocking(true).unwrap();
        let o = TlsOptions {
            auth_mode: Some(AuthMode::None),
            ..Default::default()
        };
        let (c, name) = client_config(&o, "localhost").unwrap();
        let tls = TlsSide::Client(c, name).start().unwrap();
        (
            TlsStream::new(mio::net::TcpStream::from_std(ours), tls),
            peer,
        )
    }

    fn read_soon(t: &TlsStream) -> io::Result<usize> {
        let mut buf = [0u8; 64];
        for _ in 0..200 {
            match t.read(&mut buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(5))
                }
                r => return r,
            }
        }
        Err(io::ErrorKind::TimedOut.into())
    }

    /// After a TLS error, or after our close_notify, rustls is left alone:
    /// driving it again made it send a second alert (a debug assertion in
    /// rustls; found by fuzz/tls_handshake).
    #[test]
    fn a_failed_or_closed_stream_is_not_driven_again() {
        let (t, mut peer) = client();
        // A ClientHello's record header sent to a client: a protocol error.
        peer.write_all(b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00")
            .unwrap();
        let first = read_soon(&t);
        assert!(first.is_err(), "{first:?}");
        peer.write_all(b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00")
            .unwrap();
        assert!(read_soon(&t).is_err());
        assert!(t.write_vectored(&[IoSlice::new(b"x")]).is_err());
        assert!(!t.has_buffered_output());

        let (t, mut peer) = client();
        t.close_notify();
        peer.write_all(b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00")
            .unwrap();
        assert!(read_soon(&t).is_err());
    }
}
