//! Constants of `<nanomsg/tls.h>`: the options of the `tls+tcp://` and
//! `wss://` transports, which nanomsg 1.1.5 does not have. Set them with
//! nn_setsockopt at level NN_TLS before nn_bind or nn_connect; each
//! endpoint takes the values of the moment it is created. Where one is
//! not set, the environment variable of the same name gives its default
//! (see docs/tls.md).
use std::os::raw::c_int;

/// The option level of the TLS transports (after NN_WS = -4).
pub const NN_TLS: c_int = -5;

/// File of PEM certificates of the authorities trusted to sign the peer's
/// certificate (a string). Without it a dialer trusts the system's store;
/// a listener given one asks its clients for certificates.
pub const NN_TLS_CA_FILE: c_int = 1;
/// File of this side's certificate chain in PEM, leaf first (a string).
/// Required to listen; a dialer offers it when the listener asks.
pub const NN_TLS_CERT_FILE: c_int = 2;
/// File of the private key of NN_TLS_CERT_FILE in PEM (a string).
pub const NN_TLS_KEY_FILE: c_int = 3;
/// The name a dialer checks the server's certificate against (a string);
/// by default the host of the URL.
pub const NN_TLS_SERVER_NAME: c_int = 4;
/// How the peer is authenticated (an int): one of the values below.
pub const NN_TLS_AUTH_MODE: c_int = 5;

/// The peer's certificate is not checked (a dialer's `--insecure`; a
/// listener asks for none).
pub const NN_TLS_AUTH_NONE: c_int = 0;
/// A listener asks for a client certificate and checks one given, but
/// takes a client without one.
pub const NN_TLS_AUTH_OPTIONAL: c_int = 1;
/// The peer must present a certificate that verifies: a dialer's default,
/// and a listener's when NN_TLS_CA_FILE is given.
pub const NN_TLS_AUTH_REQUIRED: c_int = 2;
