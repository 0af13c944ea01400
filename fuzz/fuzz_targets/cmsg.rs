//! nn_sendmsg / nn_recvmsg's header plumbing (src/cmsg.rs) fed what an
//! application may pass: arbitrary control bytes (cmsg lengths near
//! SIZE_MAX, shorter than a header, past the buffer), iovec arrays of
//! arbitrary lengths over real buffers, and received messages scattered
//! into buffers too small. It must never panic or touch memory outside the
//! buffers given (the fuzzer runs under AddressSanitizer), walking the
//! control messages must end, and what it returns must be inside them.
#![no_main]

use std::mem::size_of;
use std::ptr;

use libfuzzer_sys::fuzz_target;
use nanomsg::abi::{nn_cmsghdr, nn_iovec, nn_msghdr, NN_MSG};
use nanomsg::cmsg::{check_scatter, gather, next_header, scatter, sp_header};
use nanomsg::message::{Chunk, Msg};

/// Up to eight iovecs cut from `buf`, their lengths taken from `lens`
/// (0 means a null base with length 0).
fn iovecs(buf: &mut [u8], lens: &[u8]) -> Vec<nn_iovec> {
    let mut out = Vec::new();
    let mut off = 0;
    for &l in lens.iter().take(8) {
        let l = usize::from(l).min(buf.len() - off);
        let base = if l == 0 {
            ptr::null_mut()
        } else {
            // SAFETY: off + l <= buf.len().
            unsafe { buf.as_mut_ptr().add(off) }.cast()
        };
        out.push(nn_iovec {
            iov_base: base,
            iov_len: l,
        });
        off += l;
    }
    out
}

/// The zero-copy forms: one NN_MSG iovec pointing at a buffer pointer, and
/// an NN_MSG control buffer.
fn zero_copy(payload: &[u8]) {
    // The two pointer slots the application owns, reached only through
    // these raw pointers from here on.
    let body = Box::into_raw(Box::new(
        Chunk::from_slice(payload).expect("alloc").into_raw(),
    ));
    let ctl = Box::into_raw(Box::new(
        Chunk::from_slice(payload).expect("alloc").into_raw(),
    ));
    let mut iov = [nn_iovec {
        iov_base: body.cast(),
        iov_len: NN_MSG,
    }];
    let mut hdr = nn_msghdr {
        msg_iov: iov.as_mut_ptr(),
        msg_iovlen: 1,
        msg_control: ctl.cast(),
        msg_controllen: NN_MSG,
    };
    // SAFETY: the header's pointers are live; gather takes the body over.
    let _ = unsafe { sp_header(&hdr) };
    // SAFETY: as above.
    let _ = unsafe { next_header(&hdr, ptr::null()) };
    // SAFETY: as above.
    let (chunk, zc) = unsafe { gather(&hdr) }.expect("an allocated NN_MSG body");
    assert!(zc && chunk.len() == payload.len());
    drop(chunk);
    // The application's control buffer is still its own: free it, then let
    // a receive put new ones in both slots.
    // SAFETY: *ctl came from into_raw above and was not taken; the slots
    // are live boxes.
    unsafe {
        drop(Chunk::from_raw(*ctl));
        *ctl = ptr::null_mut();
        *body = ptr::null_mut();
        check_scatter(&hdr).expect("a zero-copy receive header");
    }
    let msg = Msg::new(Chunk::from_slice(payload).expect("alloc"));
    // SAFETY: as above; both slots are written.
    let n = unsafe { scatter(&mut hdr, msg) }.expect("scatter");
    assert_eq!(n as usize, payload.len());
    // SAFETY: scatter put buffers of this library in both slots; the boxes
    // are freed once.
    unsafe {
        assert_eq!(Chunk::from_raw(*body).expect("a body").len(), payload.len());
        drop(Chunk::from_raw(*ctl).expect("a control buffer"));
        drop(Box::from_raw(body));
        drop(Box::from_raw(ctl));
    }
}

fuzz_target!(|data: &[u8]| {
    let [nctl, niov, rest @ ..] = data else {
        return;
    };
    let (ctl, rest) = rest.split_at(usize::from(*nctl).min(rest.len()));
    let (lens, payload) = rest.split_at(usize::from(*niov % 9).min(rest.len()));
    // The control buffer, aligned as a C program's would be.
    let words = ctl.len().div_ceil(size_of::<usize>());
    let mut ctl_buf = vec![0usize; words.max(1)];
    // SAFETY: ctl_buf holds words * size_of::<usize>() >= ctl.len() bytes.
    unsafe { ptr::copy_nonoverlapping(ctl.as_ptr(), ctl_buf.as_mut_ptr().cast(), ctl.len()) };
    let mut body = payload.to_vec();
    let mut iov = iovecs(&mut body, lens);
    let mut hdr = nn_msghdr {
        msg_iov: if iov.is_empty() {
            ptr::null_mut()
        } else {
            iov.as_mut_ptr()
        },
        msg_iovlen: iov.len() as i32,
        msg_control: ctl_buf.as_mut_ptr().cast(),
        msg_controllen: ctl.len(),
    };

    // Sending: the SP header and the gathered body.
    // SAFETY: every pointer in hdr is into a live buffer of its length.
    if let Ok(Some(h)) = unsafe { sp_header(&hdr) } {
        assert!(h.len() <= ctl.len());
    }
    // SAFETY: as above.
    if let Ok((chunk, zero_copy)) = unsafe { gather(&hdr) } {
        assert!(!zero_copy);
        let total: usize = iov.iter().map(|v| v.iov_len).sum();
        assert_eq!(chunk.len(), total);
    }

    if niov & 0x80 != 0 {
        zero_copy(payload);
    }

    // Walking the control messages: each inside the buffer, and it ends.
    let base = ctl_buf.as_ptr() as usize;
    let end = base + ctl.len();
    let mut c: *const nn_cmsghdr = ptr::null();
    for _ in 0..=ctl.len() {
        // SAFETY: hdr is valid; c is null or a header this returned.
        let next = unsafe { next_header(&hdr, c) };
        if next.is_null() {
            c = ptr::null();
            break;
        }
        let at = next as usize;
        assert!(at >= base && at + size_of::<nn_cmsghdr>() <= end);
        assert!(c.is_null() || at > c as usize, "the walk went backwards");
        c = next;
    }
    assert!(c.is_null(), "the control messages never ended");

    // Receiving: a message with an SP header scattered into the buffers.
    // SAFETY: as above.
    if unsafe { check_scatter(&hdr) }.is_ok() {
        let n = payload.len().min(300);
        let mut msg = Msg::new(Chunk::from_slice(&payload[..n]).expect("alloc"));
        msg.header = payload.iter().rev().take(12).copied().collect();
        // SAFETY: checked above, and every buffer is writable.
        if let Ok(got) = unsafe { scatter(&mut hdr, msg) } {
            assert_eq!(got as usize, n);
        }
    }
});
