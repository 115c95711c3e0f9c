//! Where Accord's own outbound requests (webhook deliveries) may go. A URL given by a tenant
//! must not reach the machine Accord runs on or its private network: refused when it is
//! registered if its host is a reserved address (in any spelling) or a `localhost` name, and
//! checked again on every address its name resolves to just before connecting (DNS rebinding).
//!
//! Host parsing is the `url` crate's (WHATWG): it reads `127.1`, `2130706433`, `0x7f.1` and
//! `0177.0.0.1` as the IPv4 addresses a browser or `inet_aton` would, so a spelling that the
//! check would miss cannot reach the socket either.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
};

use url::{Host, Url};

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// A range of addresses outbound requests never go to (unless private addresses are allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserved {
    Loopback,
    /// 10/8, 172.16/12, 192.168/16, and IPv6 site-local.
    Private,
    LinkLocal,
    UniqueLocal,
    Multicast,
    Unspecified,
    Broadcast,
    CarrierGradeNat,
    /// Reserved for future use (240/4) or a deprecated IPv6 embedding.
    Other,
}

impl Reserved {
    fn describe(self) -> &'static str {
        match self {
            Reserved::Loopback => "a loopback address",
            Reserved::Private => "a private address",
            Reserved::LinkLocal => "a link-local address",
            Reserved::UniqueLocal => "a unique-local address",
            Reserved::Multicast => "a multicast address",
            Reserved::Unspecified => "the unspecified address",
            Reserved::Broadcast => "the broadcast address",
            Reserved::CarrierGradeNat => "a carrier-grade NAT address",
            Reserved::Other => "a reserved address",
        }
    }
}

/// The reserved range `ip` falls in; `None` for an address on the public internet.
pub fn reserved(ip: IpAddr) -> Option<Reserved> {
    match ip {
        IpAddr::V4(v4) => reserved_v4(v4),
        IpAddr::V6(v6) => reserved_v6(v6),
    }
}

fn reserved_v4(ip: Ipv4Addr) -> Option<Reserved> {
    let [a, b, ..] = ip.octets();
    Some(match (a, b) {
        // 0.0.0.0/8: Linux connects 0.0.0.0 to the local machine.
        (0, _) => Reserved::Unspecified,
        (127, _) => Reserved::Loopback,
        (10, _) | (172, 16..=31) | (192, 168) => Reserved::Private,
        (169, 254) => Reserved::LinkLocal,
        (100, 64..=127) => Reserved::CarrierGradeNat,
        (224..=239, _) => Reserved::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => Reserved::Broadcast,
        (240..=255, _) => Reserved::Other,
        _ => return None,
    })
}

fn reserved_v6(ip: Ipv6Addr) -> Option<Reserved> {
    if ip.is_unspecified() {
        return Some(Reserved::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Reserved::Loopback);
    }
    // An IPv4 address inside an IPv6 one reaches that IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return reserved_v4(v4);
    }
    let segments = ip.segments();
    let embedded = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match segments {
        // ::a.b.c.d, the deprecated "IPv4-compatible" form.
        [0, 0, 0, 0, 0, 0, high, low] => {
            return Some(reserved_v4(embedded(high, low)).unwrap_or(Reserved::Other))
        }
        // NAT64 (64:ff9b::/96) translates to the embedded address.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => return reserved_v4(embedded(high, low)),
        // 6to4 (2002::/16) tunnels to the embedded address.
        [0x2002, high, low, ..] => return reserved_v4(embedded(high, low)),
        _ => {}
    }
    let first = segments[0];
    Some(match first {
        _ if first & 0xfe00 == 0xfc00 => Reserved::UniqueLocal,
        _ if first & 0xffc0 == 0xfe80 => Reserved::LinkLocal,
        _ if first & 0xffc0 == 0xfec0 => Reserved::Private,
        _ if first & 0xff00 == 0xff00 => Reserved::Multicast,
        _ => return None,
    })
}

/// Whether `host` is `localhost` or a name under it (RFC 6761: they always mean this machine).
fn is_localhost(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// Why a webhook URL is refused; [`UrlRefusal::message`] is the answer's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRefusal {
    NotHttp,
    TooLong,
    WithCredentials,
    BadHost,
    Localhost,
    ReservedAddress(Reserved, IpAddr),
}

impl UrlRefusal {
    pub fn message(&self) -> String {
        match self {
            UrlRefusal::NotHttp => "must be an http or https URL".into(),
            UrlRefusal::TooLong => format!("must be at most {MAX_URL_LEN} characters"),
            UrlRefusal::WithCredentials => "must not hold a user name or password".into(),
            UrlRefusal::BadHost => "must name a host such as hooks.example.com".into(),
            UrlRefusal::Localhost => "must not point to localhost".into(),
            UrlRefusal::ReservedAddress(range, ip) => {
                format!("must not point to {} ({ip})", range.describe())
            }
        }
    }
}

/// Checks a webhook URL and returns it in the normal form it is stored and sent in: http or
/// https, a host that is a public address or a domain name, no credentials. With
/// `allow_private` (on-premise installs, tests) reserved addresses and `localhost` pass.
pub fn webhook_url(raw: &str, allow_private: bool) -> Result<Url, UrlRefusal> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(UrlRefusal::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| UrlRefusal::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UrlRefusal::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefusal::WithCredentials);
    }
    match url.host() {
        None => return Err(UrlRefusal::BadHost),
        Some(Host::Domain(name)) => {
            if is_localhost(name) {
                if !allow_private {
                    return Err(UrlRefusal::Localhost);
                }
            } else if !super::text::is_domain(name.trim_end_matches('.')) {
                return Err(UrlRefusal::BadHost);
            }
        }
        Some(Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), allow_private)?,
        Some(Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), allow_private)?,
    }
    Ok(url)
}

fn check_ip(ip: IpAddr, allow_private: bool) -> Result<(), UrlRefusal> {
    match reserved(ip) {
        Some(range) if !allow_private => Err(UrlRefusal::ReservedAddress(range, ip)),
        _ => Ok(()),
    }
}

/// A name resolved to (or a URL named) an address outbound requests may not reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockedAddress {
    pub ip: IpAddr,
    pub range: Reserved,
}

impl fmt::Display for BlockedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is {}", self.ip, self.range.describe())
    }
}

impl std::error::Error for BlockedAddress {}

/// The addresses a host resolved to, when every one of them may be contacted. One reserved
/// address refuses them all: a name that answers with both a public and a private address is
/// an attempt to reach the private one.
pub fn checked_addresses(
    addrs: Vec<SocketAddr>,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, BlockedAddress> {
    if !allow_private {
        for addr in &addrs {
            if let Some(range) = reserved(addr.ip()) {
                return Err(BlockedAddress {
                    ip: addr.ip(),
                    range,
                });
            }
        }
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(url: &str) -> UrlRefusal {
        webhook_url(url, false).expect_err(url)
    }

    fn range_of(url: &str) -> Reserved {
        match refusal(url) {
            UrlRefusal::ReservedAddress(range, _) => range,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn every_spelling_of_loopback_is_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://127.0.0.1:6379/",
            "http://127.1/",
            "http://127.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://0177.1/",
            "http://127.0.0.1./",
            "http://127.255.255.254/",
            "http://[::1]/",
            "http://[0:0:0:0:0:0:0:1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[2002:7f00:1::]/",
            "https://%31%32%37.0.0.1/",
        ] {
            assert_eq!(range_of(url), Reserved::Loopback, "{url}");
        }
    }

    #[test]
    fn each_reserved_range_is_refused_and_named() {
        for (url, range) in [
            ("http://10.0.0.1/", Reserved::Private),
            ("http://10.255.255.255/", Reserved::Private),
            ("http://172.16.0.1/", Reserved::Private),
            ("http://172.31.255.1/", Reserved::Private),
            ("http://192.168.1.1/", Reserved::Private),
            ("http://0xc0.0xa8.1.1/", Reserved::Private),
            ("http://3232235777/", Reserved::Private),
            ("http://[::ffff:10.1.2.3]/", Reserved::Private),
            (
                "http://169.254.169.254/latest/meta-data/",
                Reserved::LinkLocal,
            ),
            ("http://[fe80::1]/", Reserved::LinkLocal),
            ("http://[febf::1]/", Reserved::LinkLocal),
            ("http://[fc00::1]/", Reserved::UniqueLocal),
            ("http://[fd12:3456::1]/", Reserved::UniqueLocal),
            ("http://224.0.0.1/", Reserved::Multicast),
            ("http://239.255.255.250/", Reserved::Multicast),
            ("http://[ff02::1]/", Reserved::Multicast),
            ("http://0.0.0.0/", Reserved::Unspecified),
            ("http://0/", Reserved::Unspecified),
            ("http://0.1.2.3/", Reserved::Unspecified),
            ("http://[::]/", Reserved::Unspecified),
            ("http://255.255.255.255/", Reserved::Broadcast),
            ("http://100.64.0.1/", Reserved::CarrierGradeNat),
            ("http://100.127.255.254/", Reserved::CarrierGradeNat),
            ("http://240.0.0.1/", Reserved::Other),
        ] {
            assert_eq!(range_of(url), range, "{url}");
        }
        assert_eq!(
            refusal("http://169.254.169.254/").message(),
            "must not point to a link-local address (169.254.169.254)"
        );
    }

    #[test]
    fn localhost_names_are_refused() {
        for url in [
            "http://localhost/",
            "http://localhost:8080/hook",
            "http://LOCALHOST/",
            "http://localhost./",
            "http://api.localhost/",
            "https://a.b.localhost./x",
            "http://%6cocalhost/",
        ] {
            assert_eq!(refusal(url), UrlRefusal::Localhost, "{url}");
        }
    }

    #[test]
    fn public_addresses_and_names_pass_in_normal_form() {
        for (url, normal) in [
            (
                "https://hooks.example.com/accord",
                "https://hooks.example.com/accord",
            ),
            ("  https://Hooks.Example.com ", "https://hooks.example.com/"),
            (
                "http://93.184.216.34:8080/h?x=1",
                "http://93.184.216.34:8080/h?x=1",
            ),
            ("http://172.32.0.1/", "http://172.32.0.1/"),
            ("http://100.128.0.1/", "http://100.128.0.1/"),
            ("http://[2606:4700::1111]/", "http://[2606:4700::1111]/"),
            ("http://[::ffff:8.8.8.8]/", "http://[::ffff:808:808]/"),
            ("http://[64:ff9b::8.8.8.8]/", "http://[64:ff9b::808:808]/"),
            (
                "https://localhost.example.com/",
                "https://localhost.example.com/",
            ),
        ] {
            assert_eq!(webhook_url(url, false).expect(url).as_str(), normal);
        }
    }

    #[test]
    fn malformed_urls_are_refused() {
        assert_eq!(refusal("ftp://example.com/"), UrlRefusal::NotHttp);
        assert_eq!(refusal("example.com/hook"), UrlRefusal::NotHttp);
        assert_eq!(refusal("http://"), UrlRefusal::NotHttp);
        assert_eq!(
            refusal("https://user:pw@example.com/"),
            UrlRefusal::WithCredentials
        );
        assert_eq!(refusal("http://intranet/"), UrlRefusal::BadHost);
        assert_eq!(refusal("http://a_b.example.com/"), UrlRefusal::BadHost);
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(refusal(&long), UrlRefusal::TooLong);
    }

    #[test]
    fn private_addresses_pass_when_allowed() {
        for url in [
            "http://127.0.0.1:9/",
            "http://localhost:9/",
            "http://10.1.2.3/",
            "http://[::1]/",
        ] {
            assert!(webhook_url(url, true).is_ok(), "{url}");
        }
        assert!(webhook_url("ftp://127.0.0.1/", true).is_err());
    }

    #[test]
    fn resolved_addresses_are_refused_if_any_is_reserved() {
        let public: SocketAddr = "93.184.216.34:443".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:443".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:169.254.169.254]:80".parse().unwrap();
        assert_eq!(checked_addresses(vec![public], false), Ok(vec![public]));
        assert_eq!(
            checked_addresses(vec![public, loopback], false),
            Err(BlockedAddress {
                ip: loopback.ip(),
                range: Reserved::Loopback
            })
        );
        assert_eq!(
            checked_addresses(vec![mapped], false).unwrap_err().range,
            Reserved::LinkLocal
        );
        assert_eq!(
            checked_addresses(vec![public, loopback], true),
            Ok(vec![public, loopback])
        );
        assert_eq!(checked_addresses(Vec::new(), false), Ok(Vec::new()));
    }
}
