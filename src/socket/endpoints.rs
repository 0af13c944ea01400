//! A socket's endpoints: nn_bind and nn_connect add one (the transport
//! is chosen by the URL's scheme), nn_shutdown takes one away, waiting up
//! to NN_LINGER for its queued output.

use std::os::raw::c_int;
use std::time::Duration;

use super::Socket;
use crate::error::{Result, EINVAL};
use crate::transport::{self, EndpointCtx};

impl Socket {
    pub fn bind(&self, addr: &str) -> Result<c_int> {
        self.add_endpoint(addr, true)
    }

    pub fn connect(&self, addr: &str) -> Result<c_int> {
        self.add_endpoint(addr, false)
    }

    fn add_endpoint(&self, addr: &str, bind: bool) -> Result<c_int> {
        self.check_usable()?;
        let mut core = self.lock();
        let name = String::from_utf8_lossy(&core.opts.socket_name);
        let where_ = addr.split_once("://").map_or(addr, |(_, rest)| rest);
        let ctx = EndpointCtx {
            link: self.link.clone(),
            protocol: self.protocol,
            opts: core.opts.endpoint(),
            label: format!("socket.{name}[{where_}]").into(),
            tls: None,
        };
        let ep = if bind {
            transport::bind(addr, ctx)?
        } else {
            transport::connect(addr, ctx)?
        };
        let id = core.next_endpoint_id;
        core.next_endpoint_id += 1;
        core.endpoints.push((id, ep));
        Ok(id)
    }

    pub fn shutdown(&self, how: c_int) -> Result<()> {
        self.check_usable()?;
        let mut core = self.lock();
        let pos = core
            .endpoints
            .iter()
            .position(|(id, _)| *id == how)
            .ok_or(EINVAL)?;
        let (_, mut ep) = core.endpoints.remove(pos);
        let linger = Duration::from_millis(core.opts.linger.max(0) as u64);
        // Never wait for the I/O or timer threads while holding the core:
        // they take it to deliver timeouts.
        drop(core);
        ep.shutdown(linger);
        Ok(())
    }
}
