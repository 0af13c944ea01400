//! Address parsing, as nanomsg 1.1.5 parses addresses: `scheme://rest`, and
//! for TCP `host:port` to bind and `[local;]host:port` to connect, where
//! host may also be a DNS name. A bind host is `*`, a literal address, or
//! (beyond nanomsg, as nng and mangos listeners do) a host name that
//! resolves to addresses of this machine: `localhost`, the machine's own
//! name. Interface names give ENODEV, as in Debian's nanomsg 1.1.5, unless
//! they also resolve as host names.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::abi::NN_SOCKADDR_MAX;
use crate::error::{Result, EINVAL, ENAMETOOLONG, ENODEV};

/// Splits `scheme://rest`; the whole URL must fit NN_SOCKADDR_MAX with its NUL.
pub fn split_url(url: &str) -> Result<(&str, &str)> {
    if url.len() >= NN_SOCKADDR_MAX as usize {
        return Err(ENAMETOOLONG);
    }
    url.split_once("://").ok_or(EINVAL)
}

/// Splits `host:port` at the last colon and checks the port (1–65535).
pub fn split_port(s: &str) -> Result<(&str, u16)> {
    let (host, port) = s.rsplit_once(':').ok_or(EINVAL)?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 {
        return Err(EINVAL);
    }
    let port: u32 = port.parse().map_err(|_| EINVAL)?;
    if port == 0 || port > 65535 {
        return Err(EINVAL);
    }
    Ok((host, port as u16))
}

/// A literal IPv4 or bracketed/plain IPv6 address.
pub fn literal_ip(host: &str) -> Option<IpAddr> {
    let h = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    h.parse().ok()
}

/// The address to listen on for a bind host: `*` or a literal address.
/// Anything else, and IPv6 when `ipv4only`, is ENODEV, as in nanomsg.
pub fn bind_ip(host: &str, ipv4only: bool) -> Result<IpAddr> {
    if host == "*" {
        return Ok(if ipv4only {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        });
    }
    if let Some(ip) = literal_ip(host) {
        if ipv4only && ip.is_ipv6() {
            return Err(ENODEV);
        }
        return Ok(ip);
    }
    Err(ENODEV)
}

/// The addresses a bind host stands for.
#[derive(Debug, PartialEq, Eq)]
pub struct BindAddrs {
    pub ips: Vec<IpAddr>,
    /// They came from a host name: those that are not this machine's are
    /// left out when binding, and ENODEV is the answer if none is left.
    pub from_name: bool,
}

/// The addresses to listen on for a bind host: `*` or a literal address
/// (as [`bind_ip`]), or every address a host name resolves to (IPv4 only
/// when `ipv4only`), in the resolver's order.
pub fn bind_addrs(host: &str, ipv4only: bool) -> Result<BindAddrs> {
    if host == "*" || literal_ip(host).is_some() {
        return Ok(BindAddrs {
            ips: vec![bind_ip(host, ipv4only)?],
            from_name: false,
        });
    }
    if !is_valid_hostname(host) {
        return Err(ENODEV);
    }
    use std::net::ToSocketAddrs;
    let resolved = (host, 0).to_socket_addrs().map_err(|_| ENODEV)?;
    let mut ips: Vec<IpAddr> = Vec::new();
    for a in resolved {
        let ip = a.ip().to_canonical();
        if !(ips.contains(&ip) || ipv4only && ip.is_ipv6()) {
            ips.push(ip);
        }
    }
    if ips.is_empty() {
        return Err(ENODEV);
    }
    Ok(BindAddrs {
        ips,
        from_name: true,
    })
}

/// The errno of a failed bind(2), as nanomsg reports it.
pub fn bind_errno(e: &std::io::Error) -> crate::error::Errno {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => libc::EADDRINUSE,
        std::io::ErrorKind::AddrNotAvailable => libc::EADDRNOTAVAIL,
        _ => crate::error::from_io(e),
    }
}

/// Checks a connect host: a literal address (IPv6 only when not
/// `ipv4only`) or a well-formed DNS name, else EINVAL.
pub fn check_connect_host(host: &str, ipv4only: bool) -> Result<()> {
    match literal_ip(host) {
        Some(ip) if ip.is_ipv6() && ipv4only => Err(EINVAL),
        Some(_) => Ok(()),
        None if is_valid_hostname(host) => Ok(()),
        None => Err(EINVAL),
    }
}

/// A hostname as nanomsg accepts it for connect (RFC 1123 labels).
pub fn is_valid_hostname(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_and_length_is_checked() {
        assert_eq!(split_url("tcp://a:1"), Ok(("tcp", "a:1")));
        assert_eq!(split_url("tcp:/a"), Err(EINVAL));
        let long = format!("inproc://{}", "x".repeat(119));
        assert_eq!(long.len(), 128);
        assert_eq!(split_url(&long), Err(ENAMETOOLONG));
        assert!(split_url(&long[..127]).is_ok());
    }

    #[test]
    fn ports_must_be_numbers_in_range() {
        assert_eq!(split_port("127.0.0.1:5555"), Ok(("127.0.0.1", 5555)));
        assert_eq!(split_port("[::1]:80"), Ok(("[::1]", 80)));
        for bad in ["127.0.0.1", "127.0.0.1:", "h:0", "h:65536", "h:-1", "h:abc"] {
            assert_eq!(split_port(bad), Err(EINVAL), "{bad}");
        }
    }

    #[test]
    fn bind_hosts() {
        assert_eq!(bind_ip("*", true), Ok(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        assert_eq!(bind_ip("127.0.0.1", true), Ok("127.0.0.1".parse().unwrap()));
        assert_eq!(bind_ip("[::1]", true), Err(ENODEV));
        assert_eq!(bind_ip("[::1]", false), Ok("::1".parse().unwrap()));
        assert_eq!(bind_ip("lo", true), Err(ENODEV));
        assert_eq!(bind_ip("", true), Err(ENODEV));
        assert_eq!(bind_ip("localhost", true), Err(ENODEV));
        assert_eq!(bind_ip("lo;127.0.0.1", true), Err(ENODEV));
    }

    #[test]
    fn bind_host_names_resolve_to_their_addresses() {
        let lo = bind_addrs("localhost", true).unwrap();
        assert!(lo.from_name);
        assert!(lo.ips.contains(&"127.0.0.1".parse().unwrap()), "{lo:?}");
        assert!(lo.ips.iter().all(|ip| ip.is_ipv4()));
        // Without NN_IPV4ONLY, whatever IPv6 addresses the name has too.
        let both = bind_addrs("localhost", false).unwrap();
        assert!(both.ips.len() >= lo.ips.len());
        assert_eq!(
            bind_addrs("127.0.0.1", true),
            Ok(BindAddrs {
                ips: vec!["127.0.0.1".parse().unwrap()],
                from_name: false
            })
        );
        for none in ["", "lo;127.0.0.1", "no-such-host.invalid", "-x", "a b"] {
            assert_eq!(bind_addrs(none, true), Err(ENODEV), "{none}");
        }
    }

    #[test]
    fn hostnames() {
        assert!(is_valid_hostname("localhost"));
        assert!(is_valid_hostname("a-b.example.org"));
        assert!(!is_valid_hostname("-a"));
        assert!(!is_valid_hostname("a..b"));
        assert!(!is_valid_hostname("a b"));
    }
}
