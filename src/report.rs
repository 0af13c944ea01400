//! NN_PRINT_ERRORS (nn_env(7)): when set to a non-empty value, errors that
//! happen in the background on an endpoint go to stderr as
//! `nanomsg: socket.<name>[<address>]: Error: <text>`, once until cleared.

use std::io::Write;
use std::os::raw::c_int;
use std::sync::OnceLock;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NN_PRINT_ERRORS").is_some_and(|v| !v.is_empty()))
}

pub fn endpoint_error(label: &str, errno: c_int) {
    if enabled() {
        let text = crate::strerror::text(errno).to_string_lossy();
        let _ = writeln!(std::io::stderr(), "nanomsg: {label}: Error: {text}");
    }
}

/// An endpoint error whose errno alone would not say what is wrong (a
/// certificate file that does not parse, say): printed with its detail.
pub fn endpoint_detail(label: &str, errno: c_int, detail: &str) {
    if enabled() {
        let text = crate::strerror::text(errno).to_string_lossy();
        let _ = writeln!(
            std::io::stderr(),
            "nanomsg: {label}: Error: {text}: {detail}"
        );
    }
}
