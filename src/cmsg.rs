//! nn_sendmsg / nn_recvmsg plumbing: scatter/gather arrays and the
//! ancillary data (the SP header of raw sockets, as a PROTO_SP/SP_HDR
//! control message whose data is the header's length as a size_t followed
//! by the header bytes).

use std::mem::size_of;
use std::os::raw::c_int;
use std::ptr;

use crate::abi::{nn_cmsghdr, nn_iovec, nn_msghdr, NN_MSG, PROTO_SP, SP_HDR};
use crate::error::{Errno, EFAULT, EINVAL, EMSGSIZE, ENOMEM};
use crate::message::{Chunk, Msg};

/// NN_CMSG_ALIGN_: rounds up to a multiple of size_t.
pub const fn align(len: usize) -> usize {
    (len + size_of::<usize>() - 1) & !(size_of::<usize>() - 1)
}

/// `align` for a length the application gave: None where it would wrap.
fn checked_align(len: usize) -> Option<usize> {
    Some(len.checked_add(size_of::<usize>() - 1)? & !(size_of::<usize>() - 1))
}

const CMSG_HDR: usize = align(size_of::<nn_cmsghdr>());

/// The iovecs of a message header, checked.
///
/// # Safety
/// `hdr.msg_iov` must point at `hdr.msg_iovlen` iovecs when non-null.
unsafe fn iovecs(hdr: &nn_msghdr) -> Result<&[nn_iovec], Errno> {
    if hdr.msg_iovlen < 0 {
        return Err(EMSGSIZE);
    }
    if hdr.msg_iovlen == 0 {
        return Ok(&[]);
    }
    if hdr.msg_iov.is_null() {
        return Err(EFAULT);
    }
    // SAFETY: by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(hdr.msg_iov, hdr.msg_iovlen as usize) })
}

/// Whether the array is the single `NN_MSG` element of a zero-copy transfer.
fn is_zero_copy(iov: &[nn_iovec]) -> bool {
    iov.len() == 1 && iov[0].iov_len == NN_MSG
}

fn check_elements(iov: &[nn_iovec]) -> Result<(), Errno> {
    for v in iov {
        if v.iov_len == NN_MSG {
            return Err(EINVAL);
        }
        if v.iov_base.is_null() && v.iov_len != 0 {
            return Err(EFAULT);
        }
    }
    Ok(())
}

/// Builds the body to send: the NN_MSG buffer itself (true), or a copy of
/// the gathered iovecs (false).
///
/// # Safety
/// The header must describe readable buffers.
pub unsafe fn gather(hdr: &nn_msghdr) -> Result<(Chunk, bool), Errno> {
    // SAFETY: per the caller's contract.
    let iov = unsafe { iovecs(hdr) }?;
    if is_zero_copy(iov) {
        if iov[0].iov_base.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: for NN_MSG, iov_base points at the message pointer.
        let p = unsafe { *(iov[0].iov_base as *const *mut u8) };
        // SAFETY: p came from nn_allocmsg or a zero-copy receive.
        let c = unsafe { Chunk::from_raw(p) }.ok_or(EFAULT)?;
        return Ok((c, true));
    }
    check_elements(iov)?;
    let total = iov
        .iter()
        .try_fold(0usize, |acc, v| acc.checked_add(v.iov_len))
        .ok_or(EINVAL)?;
    let mut c = Chunk::zeroed(total).ok_or(ENOMEM)?;
    let mut off = 0;
    let out = c.as_mut_slice();
    for v in iov {
        if v.iov_len > 0 {
            // SAFETY: iov_base has iov_len readable bytes.
            let src = unsafe { std::slice::from_raw_parts(v.iov_base as *const u8, v.iov_len) };
            out[off..off + v.iov_len].copy_from_slice(src);
            off += v.iov_len;
        }
    }
    Ok((c, false))
}

/// The control buffer of a header as bytes (following an NN_MSG pointer).
///
/// # Safety
/// `msg_control` must be null, a pointer to an NN_MSG buffer pointer, or
/// `msg_controllen` readable bytes.
unsafe fn control_bytes<'a>(hdr: &nn_msghdr) -> Result<Option<&'a [u8]>, Errno> {
    if hdr.msg_control.is_null() {
        return Ok(None);
    }
    if hdr.msg_controllen == NN_MSG {
        // SAFETY: msg_control points at a buffer pointer.
        let p = unsafe { *(hdr.msg_control as *const *mut u8) };
        // SAFETY: the pointer came from this library.
        let c = unsafe { Chunk::from_raw(p) }.ok_or(EFAULT)?;
        let (ptr, len) = (c.as_slice().as_ptr(), c.len());
        c.into_raw();
        // SAFETY: the buffer stays owned by the application while we read it.
        return Ok(Some(unsafe { std::slice::from_raw_parts(ptr, len) }));
    }
    // SAFETY: msg_controllen readable bytes.
    Ok(Some(unsafe {
        std::slice::from_raw_parts(hdr.msg_control as *const u8, hdr.msg_controllen)
    }))
}

fn read_usize(b: &[u8]) -> Option<usize> {
    Some(usize::from_ne_bytes(
        b.get(..size_of::<usize>())?.try_into().ok()?,
    ))
}

/// The SP header given as ancillary data, if any.
///
/// # Safety
/// As for [`control_bytes`].
pub unsafe fn sp_header(hdr: &nn_msghdr) -> Result<Option<Vec<u8>>, Errno> {
    // SAFETY: per the caller's contract.
    let Some(ctl) = (unsafe { control_bytes(hdr) })? else {
        return Ok(None);
    };
    // Every length here is the application's: checked before it is added
    // or used as an index (a cmsg_len near SIZE_MAX once wrapped round).
    let mut rest = ctl;
    while rest.len() >= CMSG_HDR {
        let len = read_usize(rest).ok_or(EINVAL)?;
        let level = c_int::from_ne_bytes(rest[8..12].try_into().expect("4 bytes"));
        let ty = c_int::from_ne_bytes(rest[12..16].try_into().expect("4 bytes"));
        if len < CMSG_HDR || len > rest.len() {
            return Err(EINVAL);
        }
        if level == PROTO_SP && ty == SP_HDR {
            let data = &rest[CMSG_HDR..len];
            let n = read_usize(data).ok_or(EINVAL)?;
            let end = size_of::<usize>().checked_add(n).ok_or(EINVAL)?;
            let bytes = data.get(size_of::<usize>()..end).ok_or(EINVAL)?;
            return Ok(Some(bytes.to_vec()));
        }
        // (An aligned length past the buffer ends the list.)
        let step = checked_align(len).ok_or(EINVAL)?;
        rest = rest.get(step..).unwrap_or_default();
    }
    Ok(None)
}

/// After a successful send: an NN_MSG control buffer (msg_controllen
/// NN_MSG, msg_control pointing at the buffer's pointer) was the message's
/// to take, as nanomsg takes it, and is freed. After a failed send the
/// application keeps it.
///
/// # Safety
/// As for [`control_bytes`].
pub unsafe fn release_control(hdr: &nn_msghdr) {
    if hdr.msg_control.is_null() || hdr.msg_controllen != NN_MSG {
        return;
    }
    // SAFETY: msg_control points at a buffer pointer.
    let p = unsafe { *(hdr.msg_control as *const *mut u8) };
    // SAFETY: the pointer came from this library (control_bytes read it).
    drop(unsafe { Chunk::from_raw(p) });
}

/// Checks a receive header before a message is taken off the socket.
///
/// # Safety
/// As for [`iovecs`].
pub unsafe fn check_scatter(hdr: &nn_msghdr) -> Result<(), Errno> {
    // SAFETY: per the caller's contract.
    let iov = unsafe { iovecs(hdr) }?;
    if is_zero_copy(iov) {
        if iov[0].iov_base.is_null() {
            return Err(EFAULT);
        }
        return Ok(());
    }
    check_elements(iov)
}

/// The control data describing a message's SP header.
fn header_cmsg(header: &[u8]) -> Vec<u8> {
    let data_len = size_of::<usize>() + header.len();
    let space = CMSG_HDR + align(data_len);
    let mut v = vec![0u8; space];
    // nanomsg reports NN_CMSG_SPACE here, not NN_CMSG_LEN.
    v[..8].copy_from_slice(&space.to_ne_bytes());
    v[8..12].copy_from_slice(&PROTO_SP.to_ne_bytes());
    v[12..16].copy_from_slice(&SP_HDR.to_ne_bytes());
    v[CMSG_HDR..CMSG_HDR + 8].copy_from_slice(&header.len().to_ne_bytes());
    v[CMSG_HDR + 8..CMSG_HDR + data_len].copy_from_slice(header);
    v
}

/// Delivers a received message into the header's buffers; returns the body size.
///
/// # Safety
/// The header was checked with [`check_scatter`] and its buffers are writable.
pub unsafe fn scatter(hdr: &mut nn_msghdr, msg: Msg) -> Result<c_int, Errno> {
    let Msg { header, body } = msg;
    let n = body.len();
    if !hdr.msg_control.is_null() {
        let ctl = header_cmsg(&header);
        if hdr.msg_controllen == NN_MSG {
            let c = Chunk::from_slice(&ctl).ok_or(ENOMEM)?;
            // SAFETY: msg_control points at a pointer the application reads.
            unsafe { *(hdr.msg_control as *mut *mut u8) = c.into_raw() };
        } else if ctl.len() <= hdr.msg_controllen {
            // SAFETY: msg_control has msg_controllen writable bytes.
            unsafe {
                ptr::copy_nonoverlapping(ctl.as_ptr(), hdr.msg_control as *mut u8, ctl.len())
            };
        }
    }
    // SAFETY: checked by check_scatter.
    let iov = unsafe { iovecs(hdr) }?;
    if is_zero_copy(iov) {
        // SAFETY: iov_base points at a pointer the application reads.
        unsafe { *(iov[0].iov_base as *mut *mut u8) = body.into_raw() };
        return Ok(n as c_int);
    }
    let mut src = body.as_slice();
    for v in iov {
        if src.is_empty() {
            break;
        }
        let k = v.iov_len.min(src.len());
        if k > 0 {
            // SAFETY: iov_base has iov_len >= k writable bytes.
            unsafe { ptr::copy_nonoverlapping(src.as_ptr(), v.iov_base as *mut u8, k) };
        }
        src = &src[k..];
    }
    Ok(n as c_int)
}

/// nn_cmsg_nxthdr_: the control message after `cmsg` (the first if null),
/// or null when there is none.
///
/// # Safety
/// `mhdr` is null or a valid header whose control buffer holds well-formed
/// control messages; `cmsg` is null or one of them.
pub unsafe fn next_header(mhdr: *const nn_msghdr, cmsg: *const nn_cmsghdr) -> *mut nn_cmsghdr {
    if mhdr.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: non-null header from the application.
    let hdr = unsafe { &*mhdr };
    // SAFETY: per the contract.
    let Ok(Some(ctl)) = (unsafe { control_bytes(hdr) }) else {
        return ptr::null_mut();
    };
    let base = ctl.as_ptr() as usize;
    let end = base + ctl.len();
    // Advancing past a control message whose length is shorter than a
    // header ends the list: nanomsg, given one of 0, returned the same
    // header again and the caller's loop never ended. So does one that
    // would wrap. The header returned may itself say 0 (a zeroed buffer
    // the caller is about to fill, as NN_CMSG_FIRSTHDR is used): nanomsg
    // returns it, and so do we.
    let next = if cmsg.is_null() {
        Some(base)
    } else {
        // SAFETY: cmsg is one of the buffer's control messages.
        let len = unsafe { (*cmsg).cmsg_len };
        checked_align(len)
            .filter(|_| len >= CMSG_HDR)
            .and_then(|s| (cmsg as usize).checked_add(s))
    };
    let Some(next) = next.filter(|n| n.saturating_add(CMSG_HDR) <= end) else {
        return ptr::null_mut();
    };
    // SAFETY: next + header lies inside the buffer.
    let len = unsafe { (*(next as *const nn_cmsghdr)).cmsg_len };
    match checked_align(len).and_then(|s| next.checked_add(s)) {
        Some(after) if after <= end => next as *mut nn_cmsghdr,
        _ => ptr::null_mut(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_cmsg_round_trips() {
        let ctl = header_cmsg(&[0x80, 0, 0, 1]);
        let hdr = nn_msghdr {
            msg_iov: ptr::null_mut(),
            msg_iovlen: 0,
            msg_control: ctl.as_ptr() as *mut _,
            msg_controllen: ctl.len(),
        };
        assert_eq!(
            unsafe { sp_header(&hdr) }.unwrap(),
            Some(vec![0x80, 0, 0, 1])
        );
        let first = unsafe { next_header(&hdr, ptr::null()) };
        assert_eq!(first as usize, ctl.as_ptr() as usize);
        assert!(unsafe { next_header(&hdr, first) }.is_null());
    }

    fn control(words: &[usize]) -> (Vec<u8>, nn_msghdr) {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let hdr = nn_msghdr {
            msg_iov: ptr::null_mut(),
            msg_iovlen: 0,
            msg_control: bytes.as_ptr() as *mut _,
            msg_controllen: bytes.len(),
        };
        (bytes, hdr)
    }

    /// Lengths near SIZE_MAX once wrapped round: nn_sendmsg looped for
    /// ever, or a slice index panicked.
    #[test]
    fn lengths_that_would_wrap_are_refused() {
        let sp = (PROTO_SP as usize) | ((SP_HDR as usize) << 32);
        for words in [
            vec![16, 0, usize::MAX, 0],
            vec![16, 0, usize::MAX - 3, 0],
            vec![usize::MAX, sp],
            vec![24, sp, usize::MAX],
            vec![24, sp, usize::MAX - 7],
        ] {
            let (_keep, hdr) = control(&words);
            assert_eq!(unsafe { sp_header(&hdr) }, Err(EINVAL), "{words:x?}");
        }
        // Advancing past a cmsg_len shorter than a header ends the list
        // (nanomsg returned a header of length 0 again and again); one
        // that wraps is never returned.
        for len in [0, 8] {
            let (_keep, hdr) = control(&[len, 0, 16, 0]);
            let first = unsafe { next_header(&hdr, ptr::null()) };
            assert!(!first.is_null(), "{len}");
            assert!(unsafe { next_header(&hdr, first) }.is_null(), "{len}");
        }
        for len in [0, 8, usize::MAX, usize::MAX - 6] {
            let (_keep, hdr) = control(&[16, 0, len, 0]);
            let first = unsafe { next_header(&hdr, ptr::null()) };
            assert!(!first.is_null());
            let second = unsafe { next_header(&hdr, first) };
            if len >= CMSG_HDR {
                assert!(second.is_null(), "{len}");
            } else {
                // A zeroed header is returned, as nanomsg does; past it
                // the list ends.
                assert!(!second.is_null(), "{len}");
                assert!(unsafe { next_header(&hdr, second) }.is_null(), "{len}");
            }
        }
        for len in [usize::MAX, usize::MAX - 6] {
            let (_keep, hdr) = control(&[len, 0, 16, 0]);
            assert!(unsafe { next_header(&hdr, ptr::null()) }.is_null(), "{len}");
        }
    }

    /// NN_CMSG_FIRSTHDR on a zeroed control buffer gives its first header,
    /// which the caller then fills (nanomsg's own tests build control
    /// messages so).
    #[test]
    fn first_header_of_a_zeroed_buffer() {
        let (keep, hdr) = control(&[0; 4]);
        let first = unsafe { next_header(&hdr, ptr::null()) };
        assert_eq!(first as usize, keep.as_ptr() as usize);
    }

    #[test]
    fn alignment_matches_the_c_macros() {
        assert_eq!(align(1), 8);
        assert_eq!(align(8), 8);
        assert_eq!(CMSG_HDR, 16);
    }
}
