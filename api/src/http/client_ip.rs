//! The address a request comes from, for the anonymous rate limit. A forwarding header is a claim
//! anyone can make, so it is believed only when the peer is a proxy the operator trusts
//! (`ACCORD_TRUSTED_PROXIES`), and then only up to the last hop that is not itself trusted.

use std::net::IpAddr;

use ipnet::IpNet;

/// The client's address: the peer itself, unless the peer is a trusted proxy; then the right-most
/// `X-Forwarded-For` entry that is not a trusted proxy (entries further left are the client's own
/// claims, which a forged header would fill).
pub fn client_ip(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut hops = header.rsplit(',').map(str::trim);
    let mut last_trusted = peer;
    for hop in hops.by_ref() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => last_trusted = ip,
            Some(ip) => return ip,
            // An unreadable hop ends what can be believed.
            None => return last_trusted,
        }
    }
    last_trusted
}

/// One `X-Forwarded-For` entry: an address, possibly with a port or IPv6 brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Ok(addr) = hop.parse::<std::net::SocketAddr>() {
        return Some(addr.ip());
    }
    hop.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

/// Parses one `ACCORD_TRUSTED_PROXIES` entry: a CIDR block, or a single address.
pub fn parse_trusted_proxy(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{raw}` is not an address or a CIDR block"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter()
            .map(|s| parse_trusted_proxy(s).unwrap())
            .collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let forged = Some("1.2.3.4, 5.6.7.8");
        assert_eq!(client_ip(ip("203.0.113.9"), forged, &[]), ip("203.0.113.9"));
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), forged, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8", "192.0.2.7"]);
        // The client forged "1.2.3.4"; the proxies appended what they saw.
        let header = Some("1.2.3.4, 198.51.100.20, 192.0.2.7");
        assert_eq!(
            client_ip(ip("10.1.1.1"), header, &trusted),
            ip("198.51.100.20")
        );
    }

    #[test]
    fn a_trusted_peer_without_a_header_is_itself() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(client_ip(ip("10.1.1.1"), None, &trusted), ip("10.1.1.1"));
        assert_eq!(
            client_ip(ip("10.1.1.1"), Some("10.2.2.2"), &trusted),
            ip("10.2.2.2")
        );
    }

    #[test]
    fn garbage_hops_stop_the_walk() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("10.1.1.1"), Some("1.2.3.4, nonsense"), &trusted),
            ip("10.1.1.1")
        );
        assert_eq!(
            client_ip(ip("10.1.1.1"), Some("[2001:db8::1]:443"), &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_ip(ip("10.1.1.1"), Some("198.51.100.1:5000"), &trusted),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn proxies_are_blocks_or_addresses() {
        assert!(parse_trusted_proxy("10.0.0.0/8").is_ok());
        assert!(parse_trusted_proxy("::1").is_ok());
        assert!(parse_trusted_proxy("fd00::/8").is_ok());
        assert!(parse_trusted_proxy("ten.zero").is_err());
    }
}
