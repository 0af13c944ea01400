//! Every constant, structure and error value of the nanomsg C API, once.
//!
//! One file per public header; `build.rs` turns each into `include/nanomsg/<name>.h`.

pub mod bus;
pub mod errno;
pub mod inproc;
pub mod ipc;
pub mod nn;
pub mod pair;
pub mod pipeline;
pub mod pubsub;
pub mod reqrep;
pub mod survey;
pub mod tcp;
pub mod tls;
pub mod ws;

pub use bus::*;
pub use inproc::*;
pub use ipc::*;
pub use nn::*;
pub use pair::*;
pub use pipeline::*;
pub use pubsub::*;
pub use reqrep::*;
pub use survey::*;
pub use tcp::*;
pub use tls::*;
pub use ws::*;

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The checked-in headers are what build.rs makes from these sources;
    /// refresh them with `NN_UPDATE_HEADERS=1 cargo build`.
    #[test]
    fn checked_in_headers_match_the_rust_sources() {
        let generated = Path::new(env!("OUT_DIR")).join("include/nanomsg");
        let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/nanomsg");
        let mut n = 0;
        for entry in std::fs::read_dir(&generated).unwrap() {
            let name = entry.unwrap().file_name();
            let want = std::fs::read_to_string(generated.join(&name)).unwrap();
            let have = std::fs::read_to_string(checked_in.join(&name)).unwrap_or_default();
            assert!(
                want == have,
                "include/nanomsg/{} is stale: run NN_UPDATE_HEADERS=1 cargo build",
                name.to_string_lossy()
            );
            n += 1;
        }
        assert_eq!(n, 12);
    }
}
