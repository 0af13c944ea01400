//! nn_sendmsg with control data whose lengths would wrap round (found in
//! review for issue 18): EINVAL, at once, and an NN_MSG body stays the
//! application's.

mod common;
use common::*;
use nanomsg::abi::*;
use nanomsg::ffi::*;
use std::os::raw::c_void;

#[test]
fn wrapping_control_lengths_are_einval_and_the_body_stays_owned() {
    let s = nn_socket(AF_SP_RAW, NN_REP);
    assert!(s >= 0);
    bind(s, "inproc://cmsg-bounds");
    let sp = (PROTO_SP as usize) | ((SP_HDR as usize) << 32);
    for words in [
        [16usize, 0, usize::MAX, 0],
        [usize::MAX, sp, 0, 0],
        [24, sp, usize::MAX, 0],
        [24, sp, usize::MAX - 7, 0],
    ] {
        let mut ctl = words;
        // A zero-copy body: after a failed send it is still ours to free.
        let mut body = nn_allocmsg(3, 0);
        assert!(!body.is_null());
        let mut iov = nn_iovec {
            iov_base: &mut body as *mut *mut c_void as *mut c_void,
            iov_len: NN_MSG,
        };
        let hdr = nn_msghdr {
            msg_iov: &mut iov,
            msg_iovlen: 1,
            msg_control: ctl.as_mut_ptr() as *mut c_void,
            msg_controllen: std::mem::size_of_val(&ctl),
        };
        let rc = unsafe { nn_sendmsg(s, &hdr, NN_DONTWAIT) };
        assert_eq!((rc, nn_errno()), (-1, libc::EINVAL), "{words:x?}");
        assert_eq!(
            unsafe { nn_freemsg(body) },
            0,
            "the body was freed by the failed send"
        );
    }
    close(s);
}
