//! The C boundary: every exported `nn_*` function. Argument checks, errno
//! and panic containment live here; behaviour lives in the modules below.
//!
//! cbindgen reads this file to write the prototypes in `nn.h`.
//!
//! Each function's safety contract is the one in nanomsg's man page of the
//! same name (valid pointers and lengths), so they carry no `# Safety` text.
#![allow(clippy::missing_safety_doc)]

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::abi::{
    nn_cmsghdr, nn_msghdr, nn_pollfd, nn_symbol_properties, AF_SP_RAW, NN_DONTWAIT, NN_MSG,
    NN_SOCKET_NAME, NN_SOL_SOCKET,
};
use crate::error::{Errno, EFAULT, EINVAL, ENOMEM};
use crate::message::{Chunk, Msg, RecvBuf};
use crate::socket::Received;
use crate::{cmsg, global, symbols, sys};

/// Runs `f`, turning an error into errno and `fail`, and a panic into
/// EFAULT-free failure without unwinding into C.
fn guard<T>(fail: T, f: impl FnOnce() -> Result<T, Errno>) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            sys::set_errno(e);
            fail
        }
        Err(_) => {
            sys::set_errno(libc::EIO);
            fail
        }
    }
}

fn dontwait(flags: c_int) -> bool {
    flags & NN_DONTWAIT != 0
}

/// Reads a C address string.
///
/// # Safety
/// `addr` must be null or a NUL-terminated string.
unsafe fn address<'a>(addr: *const c_char) -> Result<&'a str, Errno> {
    if addr.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(addr) };
    s.to_str().map_err(|_| EINVAL)
}

/// Retrieves the errno as the library knows it.
#[no_mangle]
pub extern "C" fn nn_errno() -> c_int {
    sys::errno()
}

/// Resolves system errors and native errors to human-readable strings.
#[no_mangle]
pub extern "C" fn nn_strerror(errnum: c_int) -> *const c_char {
    crate::strerror::text(errnum).as_ptr()
}

/// Returns the symbol name (e.g. "NN_REQ") and value at a specified index.
#[no_mangle]
pub unsafe extern "C" fn nn_symbol(i: c_int, value: *mut c_int) -> *const c_char {
    guard(ptr::null(), || {
        let s = usize::try_from(i)
            .ok()
            .and_then(|i| symbols::SYMBOLS.get(i))
            .ok_or(EINVAL)?;
        if !value.is_null() {
            // SAFETY: the caller passes a writable int or NULL.
            unsafe { *value = s.value };
        }
        Ok(s.name.as_ptr())
    })
}

/// Fills in nn_symbol_properties and returns its length, or 0 past the end.
#[no_mangle]
pub unsafe extern "C" fn nn_symbol_info(
    i: c_int,
    buf: *mut nn_symbol_properties,
    buflen: c_int,
) -> c_int {
    guard(0, || {
        let Some(s) = usize::try_from(i)
            .ok()
            .and_then(|i| symbols::SYMBOLS.get(i))
        else {
            return Ok(0);
        };
        let props = nn_symbol_properties {
            value: s.value,
            name: s.name.as_ptr(),
            ns: s.ns,
            r#type: s.ty,
            unit: s.unit,
        };
        let n = (buflen.max(0) as usize).min(std::mem::size_of::<nn_symbol_properties>());
        if buf.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: buf has room for buflen bytes; we copy at most that many.
        unsafe { ptr::copy_nonoverlapping(&props as *const _ as *const u8, buf as *mut u8, n) };
        Ok(n as c_int)
    })
}

/// Closes every socket at once (a call blocked on one returns EBADF, as in
/// nanomsg 1.1.5); every later nn_socket fails with ETERM.
#[no_mangle]
pub extern "C" fn nn_term() {
    guard((), || {
        global::term();
        Ok(())
    })
}

/// Allocates a message buffer for zero-copy send.
#[no_mangle]
pub extern "C" fn nn_allocmsg(size: usize, r#type: c_int) -> *mut c_void {
    guard(ptr::null_mut(), || {
        if r#type != 0 {
            return Err(EINVAL);
        }
        let p = Chunk::alloc_for_application(size).ok_or(ENOMEM)?;
        Ok(p as *mut c_void)
    })
}

/// Resizes a message buffer from nn_allocmsg.
#[no_mangle]
pub unsafe extern "C" fn nn_reallocmsg(msg: *mut c_void, size: usize) -> *mut c_void {
    guard(ptr::null_mut(), || {
        // SAFETY: the caller passes a buffer from nn_allocmsg (or garbage, as with nanomsg).
        let c = unsafe { Chunk::from_raw(msg as *mut u8) }.ok_or(EFAULT)?;
        match c.resize(size) {
            Ok(c) => Ok(c.into_raw() as *mut c_void),
            Err(c) => {
                c.into_raw();
                Err(ENOMEM)
            }
        }
    })
}

/// Frees a message buffer from nn_allocmsg or a zero-copy receive.
#[no_mangle]
pub unsafe extern "C" fn nn_freemsg(msg: *mut c_void) -> c_int {
    guard(-1, || {
        // SAFETY: as for nn_reallocmsg.
        let c = unsafe { Chunk::from_raw(msg as *mut u8) }.ok_or(EFAULT)?;
        drop(c);
        Ok(0)
    })
}

/// Internal: walks the ancillary data of a message header. Use the NN_CMSG_* macros.
#[no_mangle]
pub unsafe extern "C" fn nn_cmsg_nxthdr_(
    mhdr: *const nn_msghdr,
    cmsg: *const nn_cmsghdr,
) -> *mut nn_cmsghdr {
    guard(ptr::null_mut(), || {
        // SAFETY: the macros pass the application's msghdr and one of its cmsgs.
        Ok(unsafe { cmsg::next_header(mhdr, cmsg) })
    })
}

/// Creates an SP socket.
#[no_mangle]
pub extern "C" fn nn_socket(domain: c_int, protocol: c_int) -> c_int {
    guard(-1, || global::create(domain, protocol))
}

/// Closes an SP socket.
#[no_mangle]
pub extern "C" fn nn_close(s: c_int) -> c_int {
    guard(-1, || global::close(s).map(|_| 0))
}

/// Sets a socket option.
#[no_mangle]
pub unsafe extern "C" fn nn_setsockopt(
    s: c_int,
    level: c_int,
    option: c_int,
    optval: *const c_void,
    optvallen: usize,
) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        if optval.is_null() && optvallen > 0 {
            return Err(EFAULT);
        }
        let value: &[u8] = if optvallen == 0 {
            &[]
        } else {
            // SAFETY: the caller passes optvallen readable bytes at optval.
            unsafe { std::slice::from_raw_parts(optval as *const u8, optvallen) }
        };
        sock.set_option(level, option, value).map(|_| 0)
    })
}

/// Retrieves a socket option.
#[no_mangle]
pub unsafe extern "C" fn nn_getsockopt(
    s: c_int,
    level: c_int,
    option: c_int,
    optval: *mut c_void,
    optvallen: *mut usize,
) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        if optval.is_null() || optvallen.is_null() {
            return Err(EFAULT);
        }
        let v = sock.get_option(level, option)?;
        // SAFETY: optvallen is a valid size_t pointer (checked non-null).
        let room = unsafe { *optvallen };
        let n = room.min(v.len());
        // SAFETY: optval has room for *optvallen bytes; we write at most that.
        unsafe { ptr::copy_nonoverlapping(v.as_ptr(), optval as *mut u8, n) };
        if level == NN_SOL_SOCKET && option == NN_SOCKET_NAME && room > n {
            // Like strncpy, as nanomsg: the rest of the buffer is zeroed.
            // SAFETY: bytes n..room of optval are the caller's.
            unsafe { ptr::write_bytes((optval as *mut u8).add(n), 0, room - n) };
        }
        // SAFETY: as above. Always the option's real size, even if truncated.
        unsafe { *optvallen = v.len() };
        Ok(0)
    })
}

/// Adds a local endpoint to the socket.
#[no_mangle]
pub unsafe extern "C" fn nn_bind(s: c_int, addr: *const c_char) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        // SAFETY: addr is NULL or a C string.
        sock.bind(unsafe { address(addr) }?)
    })
}

/// Adds a remote endpoint to the socket.
#[no_mangle]
pub unsafe extern "C" fn nn_connect(s: c_int, addr: *const c_char) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        // SAFETY: addr is NULL or a C string.
        sock.connect(unsafe { address(addr) }?)
    })
}

/// Removes an endpoint from the socket.
#[no_mangle]
pub extern "C" fn nn_shutdown(s: c_int, how: c_int) -> c_int {
    guard(-1, || global::get(s)?.shutdown(how).map(|_| 0))
}

/// Takes the message body the application passes: a copy of `len` bytes, or
/// the NN_MSG buffer `*(void **)buf` itself.
///
/// # Safety
/// For NN_MSG, `buf` points at a pointer; otherwise at `len` readable bytes.
unsafe fn body_from_user(buf: *const c_void, len: usize) -> Result<(Chunk, bool), Errno> {
    if len == NN_MSG {
        if buf.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: for NN_MSG, buf points at the application's message pointer.
        let p = unsafe { *(buf as *const *mut u8) };
        // SAFETY: p came from nn_allocmsg or a zero-copy receive.
        let c = unsafe { Chunk::from_raw(p) }.ok_or(EFAULT)?;
        return Ok((c, true));
    }
    // SAFETY: buf/len as documented for nn_send.
    let data = unsafe { user_bytes(buf, len) }?;
    Ok((Chunk::from_slice(data).ok_or(ENOMEM)?, false))
}

/// The application's buffer of `len` bytes at `buf` (EFAULT if null).
///
/// # Safety
/// `buf` must point at `len` readable bytes that stay valid and unchanged
/// while the slice is used (the length of an nn_send call).
unsafe fn user_bytes<'a>(buf: *const c_void, len: usize) -> Result<&'a [u8], Errno> {
    if buf.is_null() && len != 0 {
        return Err(EFAULT);
    }
    if len == 0 {
        return Ok(&[]);
    }
    // SAFETY: the caller promises len readable bytes at buf.
    Ok(unsafe { std::slice::from_raw_parts(buf as *const u8, len) })
}

/// Sends a message; a zero-copy buffer is owned by the library once this succeeds.
fn send_owned(s: c_int, msg: Msg, zero_copy: bool, flags: c_int) -> Result<c_int, Errno> {
    let len = msg.body.len();
    let sock = match global::get(s) {
        Ok(sock) => sock,
        Err(e) => {
            if zero_copy {
                msg.body.into_raw();
            }
            return Err(e);
        }
    };
    match sock.send(msg, dontwait(flags)) {
        Ok(()) => Ok(len as c_int),
        Err((e, back)) => {
            // The application still owns its buffer when the send fails.
            if zero_copy {
                if let Some(m) = back {
                    m.body.into_raw();
                }
            }
            Err(e)
        }
    }
}

/// Sends a message.
#[no_mangle]
pub unsafe extern "C" fn nn_send(s: c_int, buf: *const c_void, len: usize, flags: c_int) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        if len != NN_MSG {
            // SAFETY: buf/len as documented for nn_send.
            let data = unsafe { user_bytes(buf, len) }?;
            sock.send_copy(data, dontwait(flags))?;
            return Ok(len as c_int);
        }
        // SAFETY: buf/len as documented for nn_send.
        let (body, zero_copy) = unsafe { body_from_user(buf, len) }?;
        send_owned(s, Msg::new(body), zero_copy, flags)
    })
}

/// Receives a message.
#[no_mangle]
pub unsafe extern "C" fn nn_recv(s: c_int, buf: *mut c_void, len: usize, flags: c_int) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        if buf.is_null() && len != 0 {
            return Err(EFAULT);
        }
        // (No slice may exceed isize::MAX bytes; no message can either.)
        let usable = len.min(isize::MAX as usize);
        let mut app_buf = (len != NN_MSG && len > 0).then(|| {
            // SAFETY: the application gives len >= usable writable bytes at
            // buf (checked non-null above); they may be uninitialised, hence
            // MaybeUninit, and nothing else uses them during this call.
            RecvBuf::new(unsafe {
                std::slice::from_raw_parts_mut(buf as *mut std::mem::MaybeUninit<u8>, usable)
            })
        });
        let msg = match sock.recv_into(app_buf.as_mut(), dontwait(flags))? {
            Received::Msg(msg) => msg,
            Received::IntoBuffer(n) => return Ok(n as c_int),
        };
        let n = msg.body.len();
        if len == NN_MSG {
            // SAFETY: for NN_MSG, buf points at a pointer the application reads.
            unsafe { *(buf as *mut *mut u8) = msg.body.into_raw() };
        } else {
            let k = n.min(len);
            if k > 0 {
                // SAFETY: buf has room for len >= k bytes.
                unsafe {
                    ptr::copy_nonoverlapping(msg.body.as_slice().as_ptr(), buf as *mut u8, k)
                };
            }
        }
        Ok(n as c_int)
    })
}

/// Sends a message described by a scatter array and optional control data.
#[no_mangle]
pub unsafe extern "C" fn nn_sendmsg(s: c_int, msghdr: *const nn_msghdr, flags: c_int) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        if msghdr.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: non-null pointer to the application's msghdr.
        let hdr = unsafe { &*msghdr };
        // Only raw sockets take the SP header from the control data; cooked
        // ones make their own and ignore it, as nanomsg does. It is read
        // before the body is taken: an NN_MSG body taken over and then
        // dropped on an error would free what the application still owns.
        let header = if sock.domain == AF_SP_RAW {
            // SAFETY: the msghdr describes valid control data.
            unsafe { cmsg::sp_header(hdr) }?
        } else {
            None
        };
        // SAFETY: the msghdr describes valid iovecs.
        let (body, zero_copy) = unsafe { cmsg::gather(hdr) }?;
        let mut msg = Msg::new(body);
        if let Some(h) = header {
            msg.header = h;
        }
        drop(sock);
        let sent = send_owned(s, msg, zero_copy, flags)?;
        // SAFETY: the msghdr describes valid control data (read above).
        unsafe { cmsg::release_control(hdr) };
        Ok(sent)
    })
}

/// Receives a message into a gather array and optional control data.
#[no_mangle]
pub unsafe extern "C" fn nn_recvmsg(s: c_int, msghdr: *mut nn_msghdr, flags: c_int) -> c_int {
    guard(-1, || {
        let sock = global::get(s)?;
        if msghdr.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: non-null pointer to the application's msghdr.
        let hdr = unsafe { &mut *msghdr };
        // SAFETY: as above.
        unsafe { cmsg::check_scatter(hdr) }?;
        let msg = sock.recv(dontwait(flags))?;
        // SAFETY: the msghdr was checked and describes writable buffers.
        unsafe { cmsg::scatter(hdr, msg) }
    })
}

/// Waits until any of the sockets can send or receive, or `timeout` ms pass.
#[no_mangle]
pub unsafe extern "C" fn nn_poll(fds: *mut nn_pollfd, nfds: c_int, timeout: c_int) -> c_int {
    guard(-1, || {
        if nfds < 0 {
            return Err(EINVAL);
        }
        if fds.is_null() && nfds > 0 {
            return Err(EFAULT);
        }
        if nfds == 0 {
            // Nothing to watch: sleep out the timeout, as nanomsg does.
            crate::sys::poll(&mut [], timeout).map_err(|e| crate::error::from_io(&e))?;
            return Ok(0);
        }
        // SAFETY: fds points at nfds pollfd structures.
        let fds = unsafe { std::slice::from_raw_parts_mut(fds, nfds as usize) };
        crate::poll::poll(fds, timeout)
    })
}

/// Forwards messages between two raw sockets (or one, in loopback) until
/// the library terminates.
#[no_mangle]
pub extern "C" fn nn_device(s1: c_int, s2: c_int) -> c_int {
    guard(-1, || crate::device::run(s1, s2).map(|_| 0))
}

/// Returns one of the socket's statistics counters.
#[no_mangle]
pub extern "C" fn nn_get_statistic(s: c_int, stat: c_int) -> u64 {
    guard(u64::MAX, || global::get(s)?.statistic(stat))
}
