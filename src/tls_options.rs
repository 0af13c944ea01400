//! The TLS settings of an endpoint (options at level NN_TLS, defaults from
//! the environment), kept below socket/ and transport/ as link.rs is: the
//! socket stores them, the TLS transports use them (transport/tls.rs).

use std::path::PathBuf;

use crate::abi::{NN_TLS_AUTH_NONE, NN_TLS_AUTH_OPTIONAL, NN_TLS_AUTH_REQUIRED};
use crate::error::{Result, EINVAL};

/// How the peer is authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    None,
    Optional,
    Required,
}

impl AuthMode {
    pub fn from_int(v: i32) -> Option<AuthMode> {
        match v {
            NN_TLS_AUTH_NONE => Some(AuthMode::None),
            NN_TLS_AUTH_OPTIONAL => Some(AuthMode::Optional),
            NN_TLS_AUTH_REQUIRED => Some(AuthMode::Required),
            _ => None,
        }
    }

    pub fn to_int(self) -> i32 {
        match self {
            AuthMode::None => NN_TLS_AUTH_NONE,
            AuthMode::Optional => NN_TLS_AUTH_OPTIONAL,
            AuthMode::Required => NN_TLS_AUTH_REQUIRED,
        }
    }

    /// The environment's spelling: `none`, `optional`, `required`.
    fn from_name(s: &str) -> Option<AuthMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Some(AuthMode::None),
            "optional" => Some(AuthMode::Optional),
            "required" => Some(AuthMode::Required),
            _ => None,
        }
    }
}

/// The TLS options of a socket, as set with nn_setsockopt (None: not set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub server_name: Option<String>,
    pub auth_mode: Option<AuthMode>,
}

pub fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl TlsOptions {
    /// What an endpoint uses: each option not set is taken from the
    /// environment variable of its name, read now (a program that cannot
    /// be changed is configured that way). An NN_TLS_AUTH_MODE the
    /// environment spells wrong is EINVAL.
    pub fn resolved(&self) -> Result<TlsOptions> {
        let auth_mode = match self.auth_mode {
            Some(m) => Some(m),
            None => match std::env::var("NN_TLS_AUTH_MODE") {
                Ok(v) if !v.is_empty() => Some(AuthMode::from_name(&v).ok_or(EINVAL)?),
                _ => None,
            },
        };
        Ok(TlsOptions {
            ca_file: self.ca_file.clone().or_else(|| env_path("NN_TLS_CA_FILE")),
            cert_file: self
                .cert_file
                .clone()
                .or_else(|| env_path("NN_TLS_CERT_FILE")),
            key_file: self
                .key_file
                .clone()
                .or_else(|| env_path("NN_TLS_KEY_FILE")),
            server_name: self.server_name.clone().or_else(|| {
                std::env::var("NN_TLS_SERVER_NAME")
                    .ok()
                    .filter(|v| !v.is_empty())
            }),
            auth_mode,
        })
    }
}
