//! The few operating-system calls std and mio do not offer.

use std::net::IpAddr;

/// Sets the calling thread's errno.
pub fn set_errno(e: libc::c_int) {
    // SAFETY: __errno_location returns the calling thread's errno slot.
    unsafe { *libc::__errno_location() = e };
}

/// Reads the calling thread's errno.
pub fn errno() -> libc::c_int {
    // SAFETY: as above.
    unsafe { *libc::__errno_location() }
}

/// Starts a non-blocking TCP connect to `remote`, first binding to `local`
/// (the `tcp://local;remote:port` form) when given.
pub fn tcp_connect(
    remote: std::net::SocketAddr,
    local: Option<IpAddr>,
) -> std::io::Result<mio::net::TcpStream> {
    let Some(local) = local else {
        return mio::net::TcpStream::connect(remote);
    };
    use std::os::fd::FromRawFd;
    let family = if remote.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: plain socket(2) call; the result is checked.
    let fd = unsafe {
        libc::socket(
            family,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: fd is a fresh socket we own; the std stream closes it on drop.
    let stream = unsafe { std::net::TcpStream::from_raw_fd(fd) };
    let (la, la_len) = sockaddr(std::net::SocketAddr::new(local, 0));
    // SAFETY: la is a valid sockaddr of la_len bytes for this family.
    if unsafe { libc::bind(fd, &la as *const _ as *const libc::sockaddr, la_len) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let (ra, ra_len) = sockaddr(remote);
    // SAFETY: as above, for the remote address.
    let rc = unsafe { libc::connect(fd, &ra as *const _ as *const libc::sockaddr, ra_len) };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINPROGRESS) {
            return Err(e);
        }
    }
    Ok(mio::net::TcpStream::from_std(stream))
}

fn sockaddr(a: std::net::SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match a {
        std::net::SocketAddr::V4(v4) => {
            // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_in.
            let sin = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in) };
            sin.sin_family = libc::AF_INET as libc::sa_family_t;
            sin.sin_port = v4.port().to_be();
            sin.sin_addr.s_addr = u32::from(*v4.ip()).to_be();
            std::mem::size_of::<libc::sockaddr_in>()
        }
        std::net::SocketAddr::V6(v6) => {
            // SAFETY: as above, for sockaddr_in6.
            let sin6 = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in6) };
            sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            sin6.sin6_port = v6.port().to_be();
            sin6.sin6_addr.s6_addr = v6.ip().octets();
            sin6.sin6_scope_id = v6.scope_id();
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// Takes ownership of the descriptor a creating call (eventfd,
/// timerfd_create) returned, or its error.
fn new_fd(rc: libc::c_int) -> std::io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a non-negative result is a fresh descriptor nothing else owns.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(rc) })
}

/// Reads the 8-byte counter of an eventfd or timerfd, which resets it (the
/// descriptor stops being readable).
fn take_counter(fd: libc::c_int) {
    let mut v: u64 = 0;
    // SAFETY: reads 8 bytes into a live u64.
    unsafe { libc::read(fd, &mut v as *mut u64 as *mut libc::c_void, 8) };
}

/// setsockopt(2) with an int value; failures are ignored (the default then
/// stays).
fn set_int_option(fd: libc::c_int, level: libc::c_int, name: libc::c_int, value: libc::c_int) {
    // SAFETY: the option value is a live c_int of the size given.
    unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            &value as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

/// A non-blocking eventfd used as a readiness signal: readable while set.
pub struct EventFd(std::os::fd::OwnedFd);

impl EventFd {
    pub fn new() -> std::io::Result<EventFd> {
        // SAFETY: plain eventfd(2) call; new_fd checks the result.
        new_fd(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) }).map(EventFd)
    }

    pub fn raw(&self) -> libc::c_int {
        use std::os::fd::AsRawFd;
        self.0.as_raw_fd()
    }

    /// Makes the descriptor readable.
    pub fn set(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to our eventfd.
        unsafe { libc::write(self.raw(), &one as *const u64 as *const libc::c_void, 8) };
    }

    /// Makes the descriptor unreadable.
    pub fn clear(&self) {
        take_counter(self.raw());
    }
}

/// A non-blocking timerfd on the monotonic clock, for deadlines finer than
/// epoll's millisecond timeouts.
pub struct TimerFd(std::os::fd::OwnedFd);

impl TimerFd {
    pub fn new() -> std::io::Result<TimerFd> {
        // SAFETY: plain timerfd_create(2) call; new_fd checks the result.
        let rc = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        new_fd(rc).map(TimerFd)
    }

    pub fn raw(&self) -> libc::c_int {
        use std::os::fd::AsRawFd;
        self.0.as_raw_fd()
    }

    /// Fires once, `after` from now (at least a nanosecond).
    pub fn arm(&self, after: std::time::Duration) {
        let nanos = after.as_nanos().max(1);
        // SAFETY: itimerspec is plain data; all-zero is valid.
        let mut spec: libc::itimerspec = unsafe { std::mem::zeroed() };
        spec.it_value.tv_sec = (nanos / 1_000_000_000) as libc::time_t;
        spec.it_value.tv_nsec = (nanos % 1_000_000_000) as libc::c_long;
        // SAFETY: spec is a live itimerspec; the old value is not asked for.
        unsafe { libc::timerfd_settime(self.raw(), 0, &spec, std::ptr::null_mut()) };
    }

    /// Consumes an expiry, so the descriptor stops being readable.
    pub fn clear(&self) {
        take_counter(self.raw());
    }
}

/// Runs `f` when the process exits normally (or this library is unloaded).
pub fn at_exit(f: extern "C" fn()) {
    // SAFETY: registers a function with no arguments that lives as long as
    // this library; glibc runs it at exit or when the library is unloaded.
    unsafe { libc::atexit(f) };
}

/// Runs `f` in the child process after every fork().
pub fn at_fork_child(f: extern "C" fn()) {
    // SAFETY: registers a handler with no arguments that lives as long as
    // this library (glibc drops it if the library is unloaded).
    unsafe { libc::pthread_atfork(None, None, Some(f)) };
}

/// Sets how late the kernel may fire this thread's timers (default 50 µs),
/// for a thread whose timers must be punctual.
pub fn set_timer_slack(nanos: libc::c_ulong) {
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, nanos) };
}

/// poll(2) over raw descriptors; returns how many have events.
pub fn poll(fds: &mut [libc::pollfd], timeout_ms: libc::c_int) -> std::io::Result<usize> {
    // SAFETY: fds is a live slice of pollfd of the given length.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(rc as usize)
}

/// Writes the slices to a connected socket without raising SIGPIPE when the
/// peer is gone (writev would kill a C program that keeps the default
/// SIGPIPE action; this reports EPIPE instead).
pub fn send_vectored(fd: libc::c_int, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
    // SAFETY: msghdr is plain data; all-zero is a valid empty header.
    let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
    // IoSlice is guaranteed ABI-compatible with struct iovec on Unix.
    hdr.msg_iov = bufs.as_ptr() as *mut libc::iovec;
    hdr.msg_iovlen = bufs.len() as _;
    // SAFETY: hdr points at bufs.len() live iovecs for the duration of the call.
    let n = unsafe { libc::sendmsg(fd, &hdr, libc::MSG_NOSIGNAL | libc::MSG_DONTWAIT) };
    if n < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(n as usize)
}

/// Has a TCP socket acknowledge what arrives at once (TCP_QUICKACK). The
/// kernel returns to delaying ACKs by itself if the traffic turns
/// interactive (a reply sent right after each message received).
pub fn tcp_quickack(fd: libc::c_int) {
    set_int_option(fd, libc::IPPROTO_TCP, libc::TCP_QUICKACK, 1);
}

/// Asks the kernel for send and receive buffers of `bytes` each (it caps
/// them at net.core.wmem_max / rmem_max); failures are ignored, the
/// defaults then stay.
pub fn set_socket_buffers(fd: libc::c_int, bytes: libc::c_int) {
    for opt in [libc::SO_SNDBUF, libc::SO_RCVBUF] {
        set_int_option(fd, libc::SOL_SOCKET, opt, bytes);
    }
}

/// The name of a TCP socket's congestion control algorithm ("cubic", "bbr").
pub fn tcp_congestion(fd: libc::c_int) -> Option<String> {
    let mut name = [0u8; 16];
    let mut len = name.len() as libc::socklen_t;
    // SAFETY: name is a live buffer of len bytes; the kernel writes at most
    // len bytes and stores the length it wrote in len.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_CONGESTION,
            name.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return None;
    }
    let name = &name[..(len as usize).min(name.len())];
    let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
    Some(String::from_utf8_lossy(&name[..end]).into_owned())
}

/// Switches a TCP socket to the congestion control algorithm `name`;
/// false if the kernel refused (not built in, or not allowed to
/// unprivileged processes by net.ipv4.tcp_allowed_congestion_control).
pub fn set_tcp_congestion(fd: libc::c_int, name: &str) -> bool {
    // SAFETY: the kernel reads name.len() bytes from the live string.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::IPPROTO_TCP,
            libc::TCP_CONGESTION,
            name.as_ptr().cast(),
            name.len() as libc::socklen_t,
        )
    };
    rc == 0
}

/// How many bytes a stream socket holds ready to read (FIONREAD).
pub fn bytes_readable(fd: libc::c_int) -> Option<usize> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD stores one int through the pointer.
    let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) };
    (rc == 0 && n >= 0).then_some(n as usize)
}
