//! TLS for `tls+tcp://` and `wss://`, on rustls (sans-I/O, driven by the
//! stream it wraps; see `stream/socket.rs`). Here: the settings an
//! endpoint takes (socket options at level NN_TLS, else the environment
//! variables of the same names), the rustls configurations made from them
//! when the endpoint is created (so a missing or bad file is an errno at
//! nn_bind / nn_connect, not a connection that fails later), and the
//! connection state a stream drives.
//!
//! Defaults are the safe ones: a dialer verifies the server's chain (with
//! NN_TLS_CA_FILE, else the system's store) and name (NN_TLS_SERVER_NAME,
//! else the URL's host); a listener given a CA asks for and requires
//! client certificates. See docs/tls.md.

use std::io;
use std::path::{Path, PathBuf};

use crate::tls_options::env_path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};

use crate::error::{Errno, Result, EINVAL};
pub use crate::tls_options::{AuthMode, TlsOptions};

/// A configuration error: the errno the call returns, and what to print
/// with NN_PRINT_ERRORS.
#[derive(Debug)]
pub struct ConfigError {
    pub errno: Errno,
    pub detail: String,
}

impl ConfigError {
    fn new(errno: Errno, detail: impl Into<String>) -> ConfigError {
        ConfigError {
            errno,
            detail: detail.into(),
        }
    }

    fn file(path: &Path, e: &io::Error) -> ConfigError {
        ConfigError::new(crate::error::from_io(e), format!("{}: {e}", path.display()))
    }
}

type ConfigResult<T> = std::result::Result<T, ConfigError>;

/// ring: it builds from crates.io with a C compiler alone (aws-lc-rs, the
/// other provider rustls ships, needs cmake and a long native build), and
/// its AES-GCM and ChaCha20 are as fast on x86_64 and aarch64. rustls
/// marks it deprecated for its lack of post-quantum key exchange, which
/// nng and mangos do not offer either (docs/decisions.md).
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Reads a whole file first, so that a missing or unreadable one gives
/// its own errno (ENOENT, EACCES) rather than a parse error.
fn read_file(path: &Path) -> ConfigResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| ConfigError::file(path, &e))
}

fn certificates(path: &Path) -> ConfigResult<Vec<CertificateDer<'static>>> {
    let pem = read_file(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| ConfigError::new(EINVAL, format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(ConfigError::new(
            EINVAL,
            format!("{}: no PEM certificate in it", path.display()),
        ));
    }
    Ok(certs)
}

fn private_key(path: &Path) -> ConfigResult<PrivateKeyDer<'static>> {
    let pem = read_file(path)?;
    if pem.windows(9).any(|w| w == b"ENCRYPTED") {
        return Err(ConfigError::new(
            EINVAL,
            format!(
                "{}: encrypted private keys are not supported",
                path.display()
            ),
        ));
    }
    PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| ConfigError::new(EINVAL, format!("{}: no private key: {e}", path.display())))
}

fn roots_from(path: &Path) -> ConfigResult<RootCertStore> {
    let mut roots = RootCertStore::empty();
    for cert in certificates(path)? {
        roots
            .add(cert)
            .map_err(|e| ConfigError::new(EINVAL, format!("{}: {e}", path.display())))?;
    }
    Ok(roots)
}

/// The system's trusted authorities: SSL_CERT_FILE, else Debian's bundle.
fn system_roots() -> ConfigResult<RootCertStore> {
    let path = env_path("SSL_CERT_FILE")
        .unwrap_or_else(|| PathBuf::from("/etc/ssl/certs/ca-certificates.crt"));
    let pem = read_file(&path)?;
    let mut roots = RootCertStore::empty();
    // A bundle may hold a certificate rustls cannot use; the rest serve.
    let certs = CertificateDer::pem_slice_iter(&pem).filter_map(|c| c.ok());
    roots.add_parsable_certificates(certs);
    Ok(roots)
}

/// This side's certificate chain and key, if both are given; one without
/// the other is EINVAL.
fn identity(
    o: &TlsOptions,
) -> ConfigResult<Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>> {
    match (&o.cert_file, &o.key_file) {
        (Some(c), Some(k)) => Ok(Some((certificates(c)?, private_key(k)?))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::new(
            EINVAL,
            "NN_TLS_CERT_FILE without NN_TLS_KEY_FILE",
        )),
        (None, Some(_)) => Err(ConfigError::new(
            EINVAL,
            "NN_TLS_KEY_FILE without NN_TLS_CERT_FILE",
        )),
    }
}

/// A listener's configuration. It needs a certificate and key; with a CA
/// it asks clients for certificates, and requires them unless the mode
/// says `optional` (or `none`: not asked).
pub fn server_config(o: &TlsOptions) -> ConfigResult<Arc<ServerConfig>> {
    let (chain, key) = identity(o)?.ok_or_else(|| {
        ConfigError::new(
            EINVAL,
            "a TLS listener needs NN_TLS_CERT_FILE and NN_TLS_KEY_FILE",
        )
    })?;
    let mode = o.auth_mode.unwrap_or(if o.ca_file.is_some() {
        AuthMode::Required
    } else {
        AuthMode::None
    });
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new(EINVAL, e.to_string()))?;
    let builder = match (mode, &o.ca_file) {
        (AuthMode::None, _) => builder.with_no_client_auth(),
        (_, None) => {
            return Err(ConfigError::new(
                EINVAL,
                "client authentication needs NN_TLS_CA_FILE",
            ))
        }
        (mode, Some(ca)) => {
            let roots = Arc::new(roots_from(ca)?);
            let v = WebPkiClientVerifier::builder_with_provider(roots, provider());
            let v = if mode == AuthMode::Optional {
                v.allow_unauthenticated()
            } else {
                v
            };
            builder.with_client_cert_verifier(
                v.build()
                    .map_err(|e| ConfigError::new(EINVAL, e.to_string()))?,
            )
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| ConfigError::new(EINVAL, format!("certificate and key: {e}")))?;
    // SP is the only protocol spoken; offering none keeps nng and mangos,
    // which send no ALPN, happy.
    config.alpn_protocols.clear();
    Ok(Arc::new(config))
}

/// A dialer's configuration and the name it checks the server against.
pub fn client_config(
    o: &TlsOptions,
    host: &str,
) -> ConfigResult<(Arc<ClientConfig>, ServerName<'static>)> {
    let name = o.server_name.clone().unwrap_or_else(|| {
        host.strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .to_string()
    });
    let server_name = ServerName::try_from(name.clone())
        .map_err(|_| ConfigError::new(EINVAL, format!("{name}: not a server name")))?;
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new(EINVAL, e.to_string()))?;
    let builder = if o.auth_mode == Some(AuthMode::None) {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyServer(provider())))
    } else {
        let roots = match &o.ca_file {
            Some(ca) => roots_from(ca)?,
            None => system_roots()?,
        };
        if roots.is_empty() {
            return Err(ConfigError::new(
                EINVAL,
                "no trusted authority to verify the server with",
            ));
        }
        builder.with_root_certificates(roots)
    };
    let config = match identity(o)? {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| ConfigError::new(EINVAL, format!("certificate and key: {e}")))?,
        None => builder.with_no_client_auth(),
    };
    Ok((Arc::new(config), server_name))
}

/// NN_TLS_AUTH_NONE on a dialer (nngcat's --insecure): any certificate is
/// taken, though the handshake's signatures are still checked, so the
/// peer must at least hold the key of the certificate it shows.
#[derive(Debug)]
struct AnyServer(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyServer {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// What an endpoint needs to start TLS on each of its connections.
#[derive(Clone)]
pub enum TlsSide {
    Server(Arc<ServerConfig>),
    Client(Arc<ClientConfig>, ServerName<'static>),
}

impl TlsSide {
    /// The rustls state of one new connection.
    pub fn start(&self) -> Option<rustls::Connection> {
        let conn: rustls::Connection = match self {
            TlsSide::Server(c) => rustls::ServerConnection::new(c.clone()).ok()?.into(),
            TlsSide::Client(c, name) => rustls::ClientConnection::new(c.clone(), name.clone())
                .ok()?
                .into(),
        };
        Some(conn)
    }
}

impl std::fmt::Debug for TlsSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsSide::Server(_) => f.write_str("TlsSide::Server"),
            TlsSide::Client(_, name) => write!(f, "TlsSide::Client({name:?})"),
        }
    }
}

/// Builds the side for an endpoint, printing what is wrong (with
/// NN_PRINT_ERRORS) when it cannot be built.
pub fn endpoint_side(
    o: Option<&TlsOptions>,
    listen: bool,
    host: &str,
    label: &str,
) -> Result<Arc<TlsSide>> {
    let made = o
        .cloned()
        .unwrap_or_default()
        .resolved()
        .map_err(|e| ConfigError::new(e, "NN_TLS_AUTH_MODE: not none, optional or required"))
        .and_then(|o| {
            if listen {
                server_config(&o).map(TlsSide::Server)
            } else {
                client_config(&o, host).map(|(c, n)| TlsSide::Client(c, n))
            }
        });
    made.map(Arc::new).map_err(|e| {
        crate::report::endpoint_detail(label, e.errno, &e.detail);
        e.errno
    })
}
