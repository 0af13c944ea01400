//! ipc://: Unix domain sockets named by a file path. A stale socket file
//! left by a dead process is replaced; a live one is EADDRINUSE. The file
//! is removed when the binding endpoint closes.

use std::io;
use std::path::PathBuf;

use super::reactor::{self, Cmd, DialTarget, Listener, ReactorEndpoint};
use super::{Endpoint, EndpointCtx};
use crate::error::{self, Result, EADDRINUSE, EINVAL, ENAMETOOLONG};

/// sun_path holds 108 bytes including the terminating NUL.
const MAX_PATH: usize = 107;

/// Checks an ipc:// path: not empty, and short enough for sun_path.
pub fn check(path: &str) -> Result<PathBuf> {
    if path.is_empty() {
        return Err(EINVAL);
    }
    if path.len() > MAX_PATH {
        return Err(ENAMETOOLONG);
    }
    Ok(PathBuf::from(path))
}

pub fn bind(path: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let path = check(path)?;
    let listener = match std::os::unix::net::UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
            // Someone listening there? Then it is taken; else it is stale.
            if std::os::unix::net::UnixStream::connect(&path).is_ok() {
                return Err(EADDRINUSE);
            }
            let _ = std::fs::remove_file(&path);
            std::os::unix::net::UnixListener::bind(&path).map_err(|e| error::from_io(&e))?
        }
        Err(e) => return Err(error::from_io(&e)),
    };
    listener
        .set_nonblocking(true)
        .map_err(|e| error::from_io(&e))?;
    let key = reactor::next_endpoint_key();
    reactor::get().submit(Cmd::Listen {
        listener: Listener::Unix(mio::net::UnixListener::from_std(listener)),
        ctx,
        ep: key,
        unlink: Some(path),
    });
    Ok(Box::new(ReactorEndpoint { key }))
}

pub fn connect(path: &str, ctx: EndpointCtx) -> Result<Box<dyn Endpoint>> {
    let path = check(path)?;
    let key = reactor::next_endpoint_key();
    reactor::get().submit(Cmd::Dial {
        target: DialTarget::Ipc(path),
        ctx,
        ep: key,
    });
    Ok(Box::new(ReactorEndpoint { key }))
}
