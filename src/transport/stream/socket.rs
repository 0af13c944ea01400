//! The byte stream under a pipe (a TCP or Unix socket, or TLS over TCP)
//! and the socket options the connection sets on it.

use std::io::{self, IoSlice, Read};
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};

use super::tls_stream::TlsStream;
use crate::transport::framing::Wire;

/// A connected, non-blocking byte stream.
pub enum Stream {
    Tcp(mio::net::TcpStream),
    Unix(mio::net::UnixStream),
    Tls(Box<TlsStream>),
}

impl Stream {
    /// Reads what arrived (for TLS: decrypted). A read shorter than `buf`
    /// means the kernel had no more just then, for TLS too: nothing
    /// decrypted is left behind where a poll of the descriptor would miss
    /// it.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => (&*s).read(buf),
            Stream::Unix(s) => (&*s).read(buf),
            Stream::Tls(t) => t.read(buf),
        }
    }

    /// Writes what the kernel takes (for TLS: what the TLS layer takes,
    /// whose records may wait for room; see `has_buffered_output`).
    pub fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Stream::Tls(t) => t.write_vectored(bufs),
            _ => crate::sys::send_vectored(self.raw_fd(), bufs),
        }
    }

    /// TLS records written but not yet taken by the kernel: the stream
    /// must be watched for room until they are.
    pub fn has_buffered_output(&self) -> bool {
        match self {
            Stream::Tls(t) => t.has_buffered_output(),
            _ => false,
        }
    }

    /// Writes buffered TLS records: Ok(true) once none is left, Ok(false)
    /// if the kernel has no room.
    pub fn flush_buffered(&self) -> io::Result<bool> {
        match self {
            Stream::Tls(t) => t.flush(),
            _ => Ok(true),
        }
    }

    /// A TCP stream with TLS started on it (anything else is as it was);
    /// None if rustls could not start a connection.
    pub fn secured(
        self,
        side: Option<&crate::transport::tls::TlsSide>,
        label: &std::sync::Arc<str>,
    ) -> Option<Stream> {
        match (side, self) {
            (Some(side), Stream::Tcp(s)) => {
                let tls = side.start()?;
                let t = TlsStream::new(s, tls).labelled(label.clone());
                Some(Stream::Tls(Box::new(t)))
            }
            (_, stream) => Some(stream),
        }
    }

    /// Whether reads may bypass `read`: a body read straight from the
    /// descriptor into a message or a receiver's buffer. Not through TLS.
    pub fn reads_in_place(&self) -> bool {
        !matches!(self, Stream::Tls(_))
    }

    /// The TCP socket under a tcp:// or TLS stream.
    pub fn tcp(&self) -> Option<&mio::net::TcpStream> {
        match self {
            Stream::Tcp(s) => Some(s),
            Stream::Tls(t) => Some(t.tcp()),
            Stream::Unix(_) => None,
        }
    }

    pub fn shutdown(&self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            Stream::Unix(s) => s.shutdown(Shutdown::Both),
            Stream::Tls(t) => {
                t.close_notify();
                t.tcp().shutdown(Shutdown::Both)
            }
        };
    }

    /// Called once a connection's opening exchange (SP headers, WebSocket
    /// upgrade) is done. Each side sent right after it received, which the
    /// kernel takes for request/reply traffic: it starts delaying its ACKs
    /// to carry them on replies. A one-way stream (PUSH, PUB) has none, so
    /// with Nagle on, the sender's next small message waited for the
    /// delayed-ACK timer (~40 ms), and a busy stream was ACKed every other
    /// segment, late, at under half speed. Interactive traffic that follows
    /// puts the kernel back into delaying ACKs by itself.
    pub fn ack_promptly(&self) {
        if let Some(s) = self.tcp() {
            crate::sys::tcp_quickack(s.as_raw_fd());
        }
    }

    /// A connection that never leaves this host (to a loopback address,
    /// or to the host's own address, which Linux carries over loopback
    /// too) has no network path for congestion control to model. BBR
    /// nevertheless paces it with kernel timers: 64 KiB messages crossed
    /// at ~1.3 GB/s on a BBR host, against ~7 GB/s with cubic (the
    /// raw-socket stream of perf/raw_floor.c, either way). Such a
    /// connection is switched to cubic (or reno); any other is left alone.
    pub fn skip_pacing_on_host(&self) {
        let Some(s) = self.tcp() else {
            return;
        };
        let (Ok(own), Ok(peer)) = (s.local_addr(), s.peer_addr()) else {
            return;
        };
        if !stays_on_host(own.ip(), peer.ip()) {
            return;
        }
        let fd = s.as_raw_fd();
        if crate::sys::tcp_congestion(fd).is_some_and(|cc| cc.starts_with("bbr")) {
            let _ = crate::sys::set_tcp_congestion(fd, "cubic")
                || crate::sys::set_tcp_congestion(fd, "reno");
        }
    }

    /// Sends what Nagle's algorithm holds back now, leaving it on for what
    /// follows: setting TCP_NODELAY flushes pending output (tcp(7)).
    pub fn push_past_nagle(&self) {
        if let Some(s) = self.tcp() {
            let _ = s.set_nodelay(true);
            let _ = s.set_nodelay(false);
        }
    }

    pub fn raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tls(t) => t.tcp().as_raw_fd(),
        }
    }

    /// After a non-blocking connect: connected (true), still in progress
    /// (false), or the error it failed with.
    pub fn connect_status(&self) -> io::Result<bool> {
        let (err, peer) = match self {
            Stream::Tcp(s) => (s.take_error(), s.peer_addr().map(drop)),
            Stream::Unix(s) => (s.take_error(), s.peer_addr().map(drop)),
            Stream::Tls(t) => (t.tcp().take_error(), t.tcp().peer_addr().map(drop)),
        };
        if let Some(e) = err? {
            return Err(e);
        }
        match peer {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn wire(&self) -> Wire {
        match self {
            Stream::Tcp(_) | Stream::Tls(_) => Wire::Tcp,
            Stream::Unix(_) => Wire::Ipc,
        }
    }
}

/// Whether a TCP connection between these addresses never leaves this
/// host: either end is a loopback address (an IPv4 one may come mapped
/// into IPv6, from a socket bound to `*`), or the peer is at the
/// connection's own address.
fn stays_on_host(own: std::net::IpAddr, peer: std::net::IpAddr) -> bool {
    let (own, peer) = (own.to_canonical(), peer.to_canonical());
    own.is_loopback() || peer.is_loopback() || peer == own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_connections_within_the_host_count_as_host_local() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert!(stays_on_host(ip("127.0.0.1"), ip("127.0.0.1")));
        assert!(stays_on_host(ip("::1"), ip("::1")));
        assert!(stays_on_host(ip("10.1.2.3"), ip("10.1.2.3")));
        assert!(!stays_on_host(ip("10.1.2.3"), ip("10.1.2.4")));
        assert!(!stays_on_host(ip("fe80::1"), ip("fe80::2")));
        // An accepted connection on a socket bound to `*` sees IPv4
        // addresses mapped into IPv6.
        assert!(stays_on_host(
            ip("::ffff:127.0.0.2"),
            ip("::ffff:127.0.0.1")
        ));
        assert!(stays_on_host(ip("::ffff:10.1.2.3"), ip("10.1.2.3")));
        assert!(!stays_on_host(ip("::ffff:10.1.2.3"), ip("::ffff:10.1.2.4")));
        // A loopback source (tcp://127.0.0.1;host-address:port) reaches
        // only this host.
        assert!(stays_on_host(ip("127.0.0.1"), ip("10.1.2.3")));
    }
}
