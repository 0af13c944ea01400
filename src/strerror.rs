//! nn_strerror: nanomsg's texts for its own codes, the C library's for the rest.

use std::ffi::CStr;
use std::os::raw::c_int;

use crate::error::{EFSM, ETERM};

pub fn text(errnum: c_int) -> &'static CStr {
    match errnum {
        ETERM => c"Nanomsg library was terminated",
        EFSM => c"Operation cannot be performed in this state",
        // SAFETY: strerror returns a pointer to a NUL-terminated string that
        // stays valid (glibc: a static table, or a thread-local buffer for
        // unknown codes, as nanomsg's own nn_strerror returns).
        _ => unsafe { CStr::from_ptr(libc::strerror(errnum)) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        assert_eq!(
            text(ETERM).to_str().unwrap(),
            "Nanomsg library was terminated"
        );
        assert_eq!(
            text(EFSM).to_str().unwrap(),
            "Operation cannot be performed in this state"
        );
        assert_eq!(text(libc::EINVAL).to_str().unwrap(), "Invalid argument");
        assert_eq!(text(999999).to_str().unwrap(), "Unknown error 999999");
    }
}
