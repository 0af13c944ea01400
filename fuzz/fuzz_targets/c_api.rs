//! The C API (src/ffi.rs) called the way a careless program might: a
//! script of nn_* calls on up to four sockets with argument combinations
//! picked by the fuzzer (wrong domains and protocols, closed or made-up
//! socket numbers, every option level and number with values of every
//! length, null pointers where the call allows them, short buffers,
//! NN_MSG transfers, bad message headers). Nothing may panic or abort, a
//! failing call must give one of the errnos nanomsg gives, and every call
//! returns (sends and receives are non-blocking, polls take no time, and
//! linger is kept at 0). Only inproc:// addresses are bound or connected,
//! so the fuzzer touches no file and no port.
#![no_main]

use std::os::raw::{c_int, c_void};
use std::ptr;

use libfuzzer_sys::fuzz_target;
use nanomsg::abi::*;
use nanomsg::error::{EFSM, ETERM};
use nanomsg::ffi::*;
use nanomsg::protocol::ALL as PROTOCOLS;

const LEVELS: [c_int; 8] = [
    NN_SOL_SOCKET,
    NN_TCP,
    NN_WS,
    NN_IPC,
    NN_SUB,
    NN_REQ,
    NN_SURVEYOR,
    -1,
];
const ADDRS: [&[u8]; 8] = [
    b"inproc://a\0",
    b"inproc://b\0",
    b"inproc://\0",
    b"inproc:/a\0",
    b"nope://x\0",
    b"a\0",
    b"\0",
    b"inproc://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0",
];

/// What nanomsg answers a bad call with.
const ERRNOS: [c_int; 18] = [
    libc::EBADF,
    libc::EINVAL,
    libc::ENOPROTOOPT,
    libc::EFAULT,
    libc::EMSGSIZE,
    libc::EAGAIN,
    libc::ENOTSUP,
    libc::EADDRINUSE,
    libc::ENAMETOOLONG,
    libc::EPROTONOSUPPORT,
    libc::EAFNOSUPPORT,
    libc::ENODEV,
    libc::EMFILE,
    libc::ENOMEM,
    libc::ENOENT,
    libc::ECONNREFUSED,
    EFSM,
    ETERM,
];

fn check(r: c_int, what: &str) -> c_int {
    if r < 0 {
        let e = nn_errno();
        assert!(
            ERRNOS.contains(&e),
            "{what}: errno {e} is not one nanomsg gives"
        );
    }
    r
}

/// The bytes of the script, read one at a time (0 once it runs out).
struct Script<'a>(&'a [u8]);

impl Script<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn bytes(&mut self, n: usize) -> &[u8] {
        let (a, b) = self.0.split_at(n.min(self.0.len()));
        self.0 = b;
        a
    }
    fn int(&mut self) -> c_int {
        c_int::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
}

fuzz_target!(|data: &[u8]| {
    let mut s = Script(data);
    let mut socks: [c_int; 4] = [-1; 4];
    let mut opened: Vec<c_int> = Vec::new();
    let mut held: Vec<*mut c_void> = Vec::new();
    let mut steps = 0;
    while !s.0.is_empty() && steps < 64 {
        steps += 1;
        let op = s.byte();
        let slot = usize::from(op >> 4) % 4;
        // A socket of the script's, or any number at all.
        let sock = if op & 0x80 != 0 { s.int() } else { socks[slot] };
        match op % 13 {
            0 => {
                let domain = match s.byte() % 4 {
                    0 | 1 => AF_SP,
                    2 => AF_SP_RAW,
                    _ => s.int(),
                };
                let b = s.byte();
                let proto = if b < 240 {
                    PROTOCOLS[usize::from(b) % PROTOCOLS.len()]
                } else {
                    s.int()
                };
                let r = check(nn_socket(domain, proto), "nn_socket");
                if r >= 0 {
                    opened.push(r);
                    socks[slot] = r;
                    let mut d: c_int = 0;
                    let mut n = std::mem::size_of::<c_int>();
                    // SAFETY: d and n are live for the call.
                    let g = unsafe {
                        nn_getsockopt(
                            r,
                            NN_SOL_SOCKET,
                            NN_DOMAIN,
                            ptr::addr_of_mut!(d).cast(),
                            &mut n,
                        )
                    };
                    assert!(g == 0 && d == domain && n == 4);
                    let zero: c_int = 0;
                    // SAFETY: zero is live for the call.
                    let l = unsafe {
                        nn_setsockopt(r, NN_SOL_SOCKET, NN_LINGER, ptr::addr_of!(zero).cast(), 4)
                    };
                    assert_eq!(l, 0);
                }
            }
            1 => {
                check(nn_close(sock), "nn_close");
            }
            2 => {
                let level = LEVELS[usize::from(s.byte()) % LEVELS.len()];
                let option = c_int::from(s.byte() % 20);
                let len = usize::from(s.byte() % 17);
                let mut val = s.bytes(len).to_vec();
                if level == NN_SOL_SOCKET && option == NN_LINGER {
                    val.fill(0);
                }
                let p = if s.byte() & 7 == 0 {
                    ptr::null()
                } else {
                    val.as_ptr().cast()
                };
                // SAFETY: p is null or val's len bytes.
                check(
                    unsafe { nn_setsockopt(sock, level, option, p, val.len()) },
                    "nn_setsockopt",
                );
            }
            3 => {
                let level = LEVELS[usize::from(s.byte()) % LEVELS.len()];
                let option = c_int::from(s.byte() % 20);
                let mut buf = [0u8; 300];
                let given = usize::from(s.byte()).min(buf.len());
                let mut len = given;
                let how = s.byte() & 3;
                let p = if how == 0 {
                    ptr::null_mut()
                } else {
                    buf.as_mut_ptr().cast()
                };
                let lp = if how == 1 {
                    ptr::null_mut()
                } else {
                    &mut len as *mut usize
                };
                // SAFETY: p is null or `given` writable bytes; lp null or len.
                let r = check(
                    unsafe { nn_getsockopt(sock, level, option, p, lp) },
                    "nn_getsockopt",
                );
                if r == 0 && how >= 2 {
                    // The length written is the option's own; what was
                    // copied is never more than the buffer.
                    assert!(len <= 256, "option length {len}");
                }
            }
            4 | 5 => {
                let a = ADDRS[usize::from(s.byte()) % ADDRS.len()];
                let r = if op % 13 == 4 {
                    // SAFETY: a is NUL-terminated.
                    unsafe { nn_bind(sock, a.as_ptr().cast()) }
                } else {
                    // SAFETY: as above.
                    unsafe { nn_connect(sock, a.as_ptr().cast()) }
                };
                check(r, "nn_bind/nn_connect");
                if r >= 0 && s.byte() & 1 == 0 {
                    check(nn_shutdown(sock, r), "nn_shutdown");
                }
            }
            6 => {
                let len = usize::from(s.byte());
                let body = s.bytes(len).to_vec();
                let flags = s.int() | NN_DONTWAIT;
                let r = match s.byte() % 4 {
                    // SAFETY: null with a length: nanomsg's EFAULT.
                    0 => unsafe { nn_send(sock, ptr::null(), body.len(), flags) },
                    1 => {
                        let mut m = nn_allocmsg(body.len(), 0);
                        assert!(!m.is_null());
                        // SAFETY: m holds body.len() bytes.
                        unsafe { ptr::copy_nonoverlapping(body.as_ptr(), m.cast(), body.len()) };
                        // SAFETY: &mut m points at an NN_MSG buffer.
                        let r =
                            unsafe { nn_send(sock, ptr::addr_of_mut!(m).cast(), NN_MSG, flags) };
                        if r < 0 {
                            held.push(m);
                        }
                        r
                    }
                    // SAFETY: body's bytes.
                    _ => unsafe { nn_send(sock, body.as_ptr().cast(), body.len(), flags) },
                };
                check(r, "nn_send");
            }
            7 => {
                let mut buf = [0u8; 64];
                let flags = s.int() | NN_DONTWAIT;
                let r = match s.byte() % 3 {
                    0 => {
                        let mut m: *mut c_void = ptr::null_mut();
                        // SAFETY: &mut m receives a buffer pointer.
                        let r =
                            unsafe { nn_recv(sock, ptr::addr_of_mut!(m).cast(), NN_MSG, flags) };
                        if r >= 0 {
                            assert!(!m.is_null());
                            held.push(m);
                        }
                        r
                    }
                    // SAFETY: null buffer of 0 bytes: the message is dropped.
                    1 => unsafe { nn_recv(sock, ptr::null_mut(), 0, flags) },
                    // SAFETY: buf's bytes.
                    _ => unsafe {
                        nn_recv(
                            sock,
                            buf.as_mut_ptr().cast(),
                            usize::from(s.byte() % 65),
                            flags,
                        )
                    },
                };
                check(r, "nn_recv");
            }
            8 => {
                let mut a = [0u8; 32];
                let mut b = [0u8; 32];
                let mut ctl = [0usize; 8];
                for w in ctl.iter_mut().take(usize::from(s.byte() % 9)) {
                    *w = usize::from(s.byte()) | usize::from(s.byte()) << 8;
                }
                let mut iov = [
                    nn_iovec {
                        iov_base: a.as_mut_ptr().cast(),
                        iov_len: usize::from(s.byte() % 33),
                    },
                    nn_iovec {
                        iov_base: b.as_mut_ptr().cast(),
                        iov_len: usize::from(s.byte() % 33),
                    },
                ];
                let shape = s.byte();
                if shape & 1 != 0 {
                    iov[1].iov_base = ptr::null_mut();
                }
                let mut hdr = nn_msghdr {
                    msg_iov: if shape & 2 != 0 {
                        ptr::null_mut()
                    } else {
                        iov.as_mut_ptr()
                    },
                    msg_iovlen: c_int::from(s.byte() % 4) - 1,
                    msg_control: if shape & 4 != 0 {
                        ptr::null_mut()
                    } else {
                        ctl.as_mut_ptr().cast()
                    },
                    msg_controllen: usize::from(s.byte()) % (ctl.len() * 8 + 1),
                };
                let flags = NN_DONTWAIT;
                let r = if shape & 8 != 0 {
                    // SAFETY: every pointer is null or its buffer's length.
                    unsafe { nn_sendmsg(sock, &hdr, flags) }
                } else if shape & 16 != 0 {
                    // SAFETY: a null header: nanomsg's EFAULT.
                    unsafe { nn_recvmsg(sock, ptr::null_mut(), flags) }
                } else {
                    // SAFETY: as above; the buffers are writable.
                    unsafe { nn_recvmsg(sock, &mut hdr, flags) }
                };
                check(r, "nn_sendmsg/nn_recvmsg");
            }
            9 => {
                let mut fds: Vec<nn_pollfd> = socks
                    .iter()
                    .map(|&fd| nn_pollfd {
                        fd,
                        events: i16::from(s.byte() & 3),
                        revents: 0,
                    })
                    .collect();
                let n = c_int::from(s.byte() % 6) - 1;
                let p = if n == 4 {
                    ptr::null_mut()
                } else {
                    fds.as_mut_ptr()
                };
                // SAFETY: p is null or fds (4 entries, n <= 4).
                check(unsafe { nn_poll(p, n.min(4), 0) }, "nn_poll");
            }
            10 => {
                check(nn_shutdown(sock, s.int()), "nn_shutdown");
            }
            11 => match s.byte() % 3 {
                0 => {
                    let m = nn_allocmsg(usize::from(s.byte()), s.int());
                    if m.is_null() {
                        check(-1, "nn_allocmsg");
                    } else {
                        held.push(m);
                    }
                }
                1 => {
                    if let Some(m) = held.pop() {
                        // SAFETY: m came from this library and is live.
                        let n = unsafe { nn_reallocmsg(m, usize::from(s.byte()) * 7) };
                        held.push(if n.is_null() { m } else { n });
                    }
                }
                _ => {
                    if let Some(m) = held.pop() {
                        // SAFETY: as above; it is not used again.
                        assert_eq!(unsafe { nn_freemsg(m) }, 0);
                    }
                }
            },
            _ => {
                let i = s.int();
                let mut v: c_int = 0;
                // SAFETY: v is live; a null value pointer is allowed.
                let _ = unsafe { nn_symbol(i, if i & 1 == 0 { &mut v } else { ptr::null_mut() }) };
                let mut info = [0usize; 8];
                let len = c_int::from(s.byte() % 65);
                // SAFETY: info has 64 >= len bytes, aligned for the struct.
                let _ = unsafe { nn_symbol_info(i, info.as_mut_ptr().cast(), len) };
                assert!(!nn_strerror(i).is_null());
                let _ = nn_get_statistic(sock, s.int());
            }
        }
    }
    for m in held {
        // SAFETY: each came from this library and is freed once.
        unsafe { nn_freemsg(m) };
    }
    for sock in opened {
        // Closing one already closed (or renumbered) is EBADF.
        let r = nn_close(sock);
        assert!(r == 0 || nn_errno() == libc::EBADF);
    }
});
