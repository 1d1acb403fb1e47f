//! The customer's address behind a reverse proxy (`server.trusted_proxies`).
//!
//! Loket speaks plain HTTP and is meant to sit behind a TLS-terminating proxy. Every request then
//! arrives from the proxy's address, so the per-address limits (`limits.requests_per_ip_per_minute`,
//! `limits.conversations_per_ip_per_hour`, `limits.login_attempts_per_ip`) would count all
//! customers together and lock a busy shop out after its sixtieth conversation in an hour. The
//! proxy names the client in `X-Forwarded-For`; that header is believed only from the proxies the
//! company lists, because any client can send it. From a trusted peer the header is read from the
//! right, skipping the company's own proxies, and the first other address is the client: the
//! addresses left of it were written by whoever sent the request and prove nothing.

use std::net::IpAddr;

/// At most this many entries in `server.trusted_proxies`: a deployment has a few proxies or
/// ranges, and every request is compared against each.
pub const MAX_TRUSTED_PROXIES: usize = 64;
/// At most this many addresses of an `X-Forwarded-For` header are examined from the right.
const MAX_FORWARDED_HOPS: usize = 16;

/// One address or CIDR range (`10.0.0.0/8`, `2001:db8::/32`, `127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyRange {
    network: IpAddr,
    prefix: u8,
}

impl ProxyRange {
    /// Parses an address or `address/prefix`; the prefix is at most 32 (IPv4) or 128 (IPv6).
    pub fn parse(text: &str) -> Option<ProxyRange> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().ok()?;
        let width = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) if !prefix.is_empty() && prefix.bytes().all(|byte| byte.is_ascii_digit()) => {
                prefix.parse::<u8>().ok().filter(|prefix| *prefix <= width)?
            }
            Some(_) => return None,
            None => width,
        };
        Some(ProxyRange { network, prefix })
    }

    /// Whether `address` lies in the range. An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`,
    /// as a dual-stack listener reports it) counts as the IPv4 address.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                same_prefix(u32::from(network).into(), u32::from(address).into(), self.prefix, 32)
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                same_prefix(u128::from(network), u128::from(address), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed. Empty by default: the peer is the client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    ranges: Vec<ProxyRange>,
}

impl TrustedProxies {
    /// Parses every entry, or names the first that is not an address or range.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, String> {
        if entries.len() > MAX_TRUSTED_PROXIES {
            return Err(format!("at most {MAX_TRUSTED_PROXIES} entries"));
        }
        let mut ranges = Vec::with_capacity(entries.len());
        for entry in entries {
            let entry = entry.as_ref();
            match ProxyRange::parse(entry) {
                Some(range) => ranges.push(range),
                None => {
                    return Err(format!(
                        "{:?} is not an IP address or a range such as 10.0.0.0/8",
                        entry.chars().take(60).collect::<String>()
                    ));
                }
            }
        }
        Ok(TrustedProxies { ranges })
    }

    /// Whether `address` is one of the company's proxies.
    pub fn trusts(&self, address: IpAddr) -> bool {
        self.ranges.iter().any(|range| range.contains(address))
    }

    /// The client's address: the peer itself unless it is a trusted proxy; then the rightmost
    /// address of `forwarded_for` (the `X-Forwarded-For` values in order) that is not a trusted
    /// proxy. A malformed entry ends the walk at the last trusted address, so a garbled header
    /// can neither crash the request nor let a client choose its address.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let hops = forwarded_for
            .iter()
            .rev()
            .flat_map(|value| value.rsplit(','))
            .take(MAX_FORWARDED_HOPS);
        for hop in hops {
            let Some(address) = parse_hop(hop) else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, possibly `[v6]` or with a port as some proxies write.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(address) = hop.parse::<IpAddr>() {
        return Some(address.to_canonical());
    }
    if let Some(rest) = hop.strip_prefix('[') {
        let (address, _) = rest.split_once(']')?;
        return address.parse::<IpAddr>().ok().map(|address| address.to_canonical());
    }
    let (address, port) = hop.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    address.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

fn same_prefix(network: u128, address: u128, prefix: u8, width: u32) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = width - u32::from(prefix);
    network >> shift == address >> shift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("test address")
    }

    #[test]
    fn ranges_parse_addresses_and_prefixes_and_refuse_the_rest() {
        for good in [
            "10.0.0.0/8",
            "127.0.0.1",
            "2001:db8::/32",
            "::1",
            "0.0.0.0/0",
            " 192.168.1.0/24 ",
        ] {
            assert!(ProxyRange::parse(good).is_some(), "{good}");
        }
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "proxy.example",
            "10.0.0/8",
            "1.2.3.4/8/8",
        ] {
            assert!(ProxyRange::parse(bad).is_none(), "{bad}");
        }
        let error = TrustedProxies::parse(&["10.0.0.1", "nonsense"]).expect_err("refused");
        assert!(error.contains("nonsense"), "{error}");
        let too_many = vec!["10.0.0.1"; MAX_TRUSTED_PROXIES + 1];
        assert!(TrustedProxies::parse(&too_many).is_err());
    }

    #[test]
    fn a_range_contains_exactly_its_addresses() {
        let range = ProxyRange::parse("10.1.0.0/16").expect("range");
        assert!(range.contains(ip("10.1.255.3")));
        assert!(!range.contains(ip("10.2.0.1")));
        assert!(
            range.contains(ip("::ffff:10.1.2.3")),
            "an IPv4-mapped address is the IPv4 address"
        );
        assert!(!range.contains(ip("2001:db8::1")));
        let v6 = ProxyRange::parse("2001:db8::/32").expect("range");
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(ProxyRange::parse("0.0.0.0/0").expect("range").contains(ip("8.8.8.8")));
    }

    #[test]
    fn the_peer_is_the_client_unless_it_is_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9"),
            "a header from anyone is ignored"
        );
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).expect("valid");
        assert_eq!(
            proxies.client(ip("203.0.113.9"), &["198.51.100.1"]),
            ip("203.0.113.9"),
            "not a proxy"
        );
        assert_eq!(proxies.client(ip("127.0.0.1"), &["198.51.100.1"]), ip("198.51.100.1"));
        assert_eq!(
            proxies.client(ip("::ffff:127.0.0.1"), &["198.51.100.1"]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn the_rightmost_address_that_is_not_a_company_proxy_is_the_client() {
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).expect("valid");
        // The client wrote a false first hop; the company's two proxies appended the real one.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["1.1.1.1, 198.51.100.7, 10.0.0.5"]),
            ip("198.51.100.7")
        );
        // Several header lines count as one list, in order.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["1.1.1.1", "198.51.100.7", "10.0.0.5"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["[2001:db8::7]:443"]),
            ip("2001:db8::7")
        );
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["198.51.100.7:5123"]),
            ip("198.51.100.7")
        );
        // Only proxies in the header: the leftmost of them is as far as anything is known.
        assert_eq!(proxies.client(ip("127.0.0.1"), &["10.0.0.9, 10.0.0.5"]), ip("10.0.0.9"));
        // No header: the proxy itself.
        assert_eq!(proxies.client(ip("127.0.0.1"), &[]), ip("127.0.0.1"));
    }

    #[test]
    fn a_garbled_header_never_lets_the_client_choose_its_address() {
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).expect("valid");
        for header in ["garbage", "", "198.51.100.7 junk", "unknown", "1.2.3.4:port", "[::1"] {
            assert_eq!(
                proxies.client(ip("127.0.0.1"), &[header]),
                ip("127.0.0.1"),
                "{header:?}"
            );
        }
        // Garbage behind a real hop ends the walk at the last trusted address.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &["198.51.100.7, garbage, 10.0.0.5"]),
            ip("10.0.0.5")
        );
        let long = vec!["10.0.0.1"; 100].join(",");
        assert_eq!(proxies.client(ip("127.0.0.1"), &[long.as_str()]), ip("10.0.0.1"));
    }
}
