//! Socket-level (NN_SOL_SOCKET) and transport-level options: defaults,
//! accepted ranges and how they are encoded.

use std::os::raw::c_int;

use crate::abi;
use crate::error::{Errno, EINVAL, ENOPROTOOPT};
pub use crate::link::EndpointOptions;
use crate::tls_options::{AuthMode, TlsOptions};

#[derive(Clone, Debug)]
pub struct Options {
    pub linger: c_int,
    pub sndbuf: c_int,
    pub rcvbuf: c_int,
    pub sndtimeo: c_int,
    pub rcvtimeo: c_int,
    pub reconnect_ivl: c_int,
    pub reconnect_ivl_max: c_int,
    pub sndprio: c_int,
    pub rcvprio: c_int,
    pub ipv4only: c_int,
    pub socket_name: Vec<u8>,
    pub rcvmaxsize: c_int,
    pub maxttl: c_int,
    pub tcp_nodelay: c_int,
    pub ws_msg_type: c_int,
    /// NN_IPC_SEC_ATTR (a pointer; Windows only), NN_IPC_OUTBUFSZ and
    /// NN_IPC_INBUFSZ: stored and reported, unused on Unix as in nanomsg.
    pub ipc_sec_attr: u64,
    pub ipc_outbufsz: c_int,
    pub ipc_inbufsz: c_int,
    /// Level NN_TLS.
    pub tls: TlsOptions,
}

/// Longest string option at level NN_TLS (a path, PATH_MAX).
pub const MAX_TLS_STRING: usize = 4096;

/// Longest NN_SOCKET_NAME, as nanomsg limits it.
pub const MAX_SOCKET_NAME: usize = 63;

impl Options {
    pub fn new(index: c_int) -> Options {
        Options {
            // nanomsg 1.1.5 reports 0 whatever its man page says (see docs/).
            linger: 0,
            sndbuf: 128 * 1024,
            rcvbuf: 128 * 1024,
            sndtimeo: -1,
            rcvtimeo: -1,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            sndprio: 8,
            rcvprio: 8,
            ipv4only: 1,
            socket_name: index.to_string().into_bytes(),
            rcvmaxsize: 1024 * 1024,
            maxttl: 8,
            tcp_nodelay: 0,
            ws_msg_type: abi::NN_WS_MSG_TYPE_BINARY,
            ipc_sec_attr: 0,
            ipc_outbufsz: 4096,
            ipc_inbufsz: 4096,
            tls: TlsOptions::default(),
        }
    }

    pub fn endpoint(&self) -> EndpointOptions {
        EndpointOptions {
            sndbuf: self.sndbuf as usize,
            rcvbuf: self.rcvbuf as usize,
            rcvmaxsize: usize::try_from(self.rcvmaxsize).ok(),
            reconnect_ivl_ms: self.reconnect_ivl as u64,
            reconnect_ivl_max_ms: self.reconnect_ivl_max as u64,
            sndprio: self.sndprio as u8,
            rcvprio: self.rcvprio as u8,
            ipv4only: self.ipv4only != 0,
            tcp_nodelay: self.tcp_nodelay != 0,
            ws_text: self.ws_msg_type == abi::NN_WS_MSG_TYPE_TEXT,
            tls: (self.tls != TlsOptions::default()).then(|| std::sync::Arc::new(self.tls.clone())),
        }
    }

    /// Sets an NN_SOL_SOCKET option. As in nanomsg, the length of an int
    /// option is checked before the option number.
    pub fn set_socket(&mut self, option: c_int, value: &[u8]) -> Result<(), Errno> {
        if option == abi::NN_SOCKET_NAME {
            if value.len() > MAX_SOCKET_NAME {
                return Err(EINVAL);
            }
            // Stored up to the first NUL, like a C string.
            let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
            self.socket_name = value[..end].to_vec();
            return Ok(());
        }
        let v = int_value(value)?;
        let (slot, ok) = match option {
            abi::NN_LINGER => (&mut self.linger, true),
            abi::NN_SNDBUF => (&mut self.sndbuf, v > 0),
            abi::NN_RCVBUF => (&mut self.rcvbuf, v > 0),
            abi::NN_SNDTIMEO => (&mut self.sndtimeo, true),
            abi::NN_RCVTIMEO => (&mut self.rcvtimeo, true),
            abi::NN_RECONNECT_IVL => (&mut self.reconnect_ivl, v >= 0),
            abi::NN_RECONNECT_IVL_MAX => (&mut self.reconnect_ivl_max, v >= 0),
            abi::NN_SNDPRIO => (&mut self.sndprio, (1..=16).contains(&v)),
            abi::NN_RCVPRIO => (&mut self.rcvprio, (1..=16).contains(&v)),
            abi::NN_IPV4ONLY => (&mut self.ipv4only, v == 0 || v == 1),
            abi::NN_RCVMAXSIZE => (&mut self.rcvmaxsize, v >= -1),
            abi::NN_MAXTTL => (&mut self.maxttl, (1..=255).contains(&v)),
            _ => return Err(ENOPROTOOPT),
        };
        if !ok {
            return Err(EINVAL);
        }
        *slot = v;
        Ok(())
    }

    pub fn get_socket(&self, option: c_int) -> Result<Vec<u8>, Errno> {
        let v = match option {
            abi::NN_LINGER => self.linger,
            abi::NN_SNDBUF => self.sndbuf,
            abi::NN_RCVBUF => self.rcvbuf,
            abi::NN_SNDTIMEO => self.sndtimeo,
            abi::NN_RCVTIMEO => self.rcvtimeo,
            abi::NN_RECONNECT_IVL => self.reconnect_ivl,
            abi::NN_RECONNECT_IVL_MAX => self.reconnect_ivl_max,
            abi::NN_SNDPRIO => self.sndprio,
            abi::NN_RCVPRIO => self.rcvprio,
            abi::NN_IPV4ONLY => self.ipv4only,
            abi::NN_RCVMAXSIZE => self.rcvmaxsize,
            abi::NN_MAXTTL => self.maxttl,
            abi::NN_SOCKET_NAME => return Ok(self.socket_name.clone()),
            _ => return Err(ENOPROTOOPT),
        };
        Ok(v.to_ne_bytes().to_vec())
    }

    /// Transport-level options (level NN_TCP, NN_IPC, NN_WS). NN_TCP and
    /// NN_WS check the length first; NN_IPC takes any length from 4.
    pub fn set_transport(
        &mut self,
        level: c_int,
        option: c_int,
        value: &[u8],
    ) -> Result<(), Errno> {
        match level {
            abi::NN_TCP => {
                let v = int_value(value)?;
                if option != abi::NN_TCP_NODELAY {
                    return Err(ENOPROTOOPT);
                }
                if v != 0 && v != 1 {
                    return Err(EINVAL);
                }
                self.tcp_nodelay = v;
                Ok(())
            }
            abi::NN_WS => {
                let v = int_value(value)?;
                if option != abi::NN_WS_MSG_TYPE {
                    return Err(ENOPROTOOPT);
                }
                if v != abi::NN_WS_MSG_TYPE_TEXT && v != abi::NN_WS_MSG_TYPE_BINARY {
                    return Err(EINVAL);
                }
                self.ws_msg_type = v;
                Ok(())
            }
            abi::NN_TLS => self.set_tls(option, value),
            abi::NN_IPC => {
                if !matches!(
                    option,
                    abi::NN_IPC_SEC_ATTR | abi::NN_IPC_OUTBUFSZ | abi::NN_IPC_INBUFSZ
                ) {
                    return Err(ENOPROTOOPT);
                }
                if value.len() < 4 {
                    return Err(EINVAL);
                }
                let int = c_int::from_ne_bytes(value[..4].try_into().expect("4 bytes"));
                match option {
                    abi::NN_IPC_SEC_ATTR => {
                        let mut b = [0u8; 8];
                        let n = value.len().min(8);
                        b[..n].copy_from_slice(&value[..n]);
                        self.ipc_sec_attr = u64::from_ne_bytes(b);
                    }
                    abi::NN_IPC_OUTBUFSZ => self.ipc_outbufsz = int,
                    _ => self.ipc_inbufsz = int,
                }
                Ok(())
            }
            _ => Err(ENOPROTOOPT),
        }
    }

    /// Level NN_TLS: the file and name options are strings (up to a NUL;
    /// an empty one unsets the option, so its environment variable applies
    /// again), NN_TLS_AUTH_MODE an int.
    fn set_tls(&mut self, option: c_int, value: &[u8]) -> Result<(), Errno> {
        if option == abi::NN_TLS_AUTH_MODE {
            let v = int_value(value)?;
            self.tls.auth_mode = Some(AuthMode::from_int(v).ok_or(EINVAL)?);
            return Ok(());
        }
        let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
        let text = &value[..end];
        if text.len() > MAX_TLS_STRING {
            return Err(EINVAL);
        }
        let path = || {
            use std::os::unix::ffi::OsStrExt;
            (!text.is_empty()).then(|| std::path::PathBuf::from(std::ffi::OsStr::from_bytes(text)))
        };
        match option {
            abi::NN_TLS_CA_FILE => self.tls.ca_file = path(),
            abi::NN_TLS_CERT_FILE => self.tls.cert_file = path(),
            abi::NN_TLS_KEY_FILE => self.tls.key_file = path(),
            abi::NN_TLS_SERVER_NAME => {
                let name = std::str::from_utf8(text).map_err(|_| EINVAL)?;
                self.tls.server_name = (!name.is_empty()).then(|| name.to_string());
            }
            _ => return Err(ENOPROTOOPT),
        }
        Ok(())
    }

    fn get_tls(&self, option: c_int) -> Result<Vec<u8>, Errno> {
        use std::os::unix::ffi::OsStrExt;
        let path = |p: &Option<std::path::PathBuf>| {
            p.as_ref()
                .map(|p| p.as_os_str().as_bytes().to_vec())
                .unwrap_or_default()
        };
        Ok(match option {
            abi::NN_TLS_CA_FILE => path(&self.tls.ca_file),
            abi::NN_TLS_CERT_FILE => path(&self.tls.cert_file),
            abi::NN_TLS_KEY_FILE => path(&self.tls.key_file),
            abi::NN_TLS_SERVER_NAME => self
                .tls
                .server_name
                .clone()
                .unwrap_or_default()
                .into_bytes(),
            // -1: not set (the environment's or the role's default applies).
            abi::NN_TLS_AUTH_MODE => self
                .tls
                .auth_mode
                .map_or(-1, AuthMode::to_int)
                .to_ne_bytes()
                .to_vec(),
            _ => return Err(ENOPROTOOPT),
        })
    }

    pub fn get_transport(&self, level: c_int, option: c_int) -> Result<Vec<u8>, Errno> {
        if level == abi::NN_TLS {
            return self.get_tls(option);
        }
        let v = match (level, option) {
            (abi::NN_TCP, abi::NN_TCP_NODELAY) => self.tcp_nodelay,
            (abi::NN_WS, abi::NN_WS_MSG_TYPE) => self.ws_msg_type,
            (abi::NN_IPC, abi::NN_IPC_SEC_ATTR) => {
                return Ok(self.ipc_sec_attr.to_ne_bytes().to_vec())
            }
            (abi::NN_IPC, abi::NN_IPC_OUTBUFSZ) => self.ipc_outbufsz,
            (abi::NN_IPC, abi::NN_IPC_INBUFSZ) => self.ipc_inbufsz,
            _ => return Err(ENOPROTOOPT),
        };
        Ok(v.to_ne_bytes().to_vec())
    }
}

/// Reads an int option value; nanomsg wants exactly sizeof(int) bytes.
pub fn int_value(value: &[u8]) -> Result<c_int, Errno> {
    let bytes: [u8; 4] = value.try_into().map_err(|_| EINVAL)?;
    Ok(c_int::from_ne_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(v: c_int) -> Vec<u8> {
        v.to_ne_bytes().to_vec()
    }

    #[test]
    fn defaults_match_nanomsg() {
        let o = Options::new(3);
        assert_eq!(o.get_socket(abi::NN_LINGER).unwrap(), int(0));
        assert_eq!(o.get_socket(abi::NN_SNDBUF).unwrap(), int(131072));
        assert_eq!(o.get_socket(abi::NN_RCVMAXSIZE).unwrap(), int(1048576));
        assert_eq!(o.get_socket(abi::NN_SOCKET_NAME).unwrap(), b"3");
    }

    #[test]
    fn out_of_range_values_are_einval() {
        let mut o = Options::new(0);
        assert_eq!(o.set_socket(abi::NN_SNDPRIO, &int(17)), Err(EINVAL));
        assert_eq!(o.set_socket(abi::NN_SNDPRIO, &int(0)), Err(EINVAL));
        assert_eq!(o.set_socket(abi::NN_SNDBUF, &int(0)), Err(EINVAL));
        assert_eq!(o.set_socket(abi::NN_IPV4ONLY, &int(2)), Err(EINVAL));
        assert_eq!(o.set_socket(abi::NN_LINGER, &[0, 0]), Err(EINVAL));
        assert_eq!(o.set_socket(999, &int(1)), Err(ENOPROTOOPT));
        // The length is checked before the option number.
        assert_eq!(o.set_socket(999, &[0, 0]), Err(EINVAL));
        assert_eq!(o.set_socket(abi::NN_SNDFD, &int(1)), Err(ENOPROTOOPT));
        assert_eq!(o.set_transport(abi::NN_TCP, 2, &[0, 0]), Err(EINVAL));
        assert_eq!(o.set_transport(abi::NN_TCP, 2, &int(1)), Err(ENOPROTOOPT));
        assert_eq!(
            o.set_transport(abi::NN_INPROC, 1, &int(1)),
            Err(ENOPROTOOPT)
        );
        o.set_socket(abi::NN_SNDPRIO, &int(16)).unwrap();
        assert_eq!(o.get_socket(abi::NN_SNDPRIO).unwrap(), int(16));
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn endpoint_defaults_are_the_sockets() {
        assert_eq!(Options::new(3).endpoint(), EndpointOptions::default());
    }

    #[test]
    fn socket_name_stops_at_nul_and_is_limited() {
        let mut o = Options::new(0);
        o.set_socket(abi::NN_SOCKET_NAME, b"ab\0cd").unwrap();
        assert_eq!(o.get_socket(abi::NN_SOCKET_NAME).unwrap(), b"ab");
        assert_eq!(o.set_socket(abi::NN_SOCKET_NAME, &[b'x'; 64]), Err(EINVAL));
        assert_eq!(o.get_socket(abi::NN_SOCKET_NAME).unwrap(), b"ab");
    }
}
