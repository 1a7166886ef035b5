//! CIDR blocks for `token_bound_cidrs` (and, later, AppRole's `secret_id_bound_cidrs`):
//! parsing what an administrator writes, and checking a login's source address.
//!
//! Invariant: a check fails closed. An address that cannot be parsed, a missing client
//! address, or a stored block that no longer parses never matches.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// An address block: `10.0.0.0/8`, `2001:db8::/32`, or a single address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parse `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or `ipv6/n`. An IPv4-mapped IPv6
    /// address (`::ffff:10.0.0.1`) is taken as the IPv4 address it names.
    pub fn parse(input: &str) -> Result<Cidr, String> {
        let s = input.trim();
        let fail =
            || format!("error parsing address {input:?}: Unable to convert {input:?} to an IPv4 or IPv6 address");
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| fail())?;
        let (addr, mapped_offset) = match addr {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => (IpAddr::V4(v4), 96u8),
                None => (addr, 0),
            },
            IpAddr::V4(_) => (addr, 0),
        };
        let max = max_prefix(addr);
        let prefix = match prefix {
            None => max,
            Some(bits) => {
                let bits: u8 = bits.parse().map_err(|_| fail())?;
                bits.checked_sub(mapped_offset).filter(|b| *b <= max).ok_or_else(fail)?
            }
        };
        Ok(Cidr { addr, prefix })
    }

    /// Whether `ip` lies inside this block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn max_prefix(addr: IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// A single address is shown without its `/32` (or `/128`), as OpenBao shows it.
impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == max_prefix(self.addr) {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

/// Parse a list of blocks into their canonical spelling; the first bad entry is the error.
pub fn parse_list(items: &[String]) -> Result<Vec<String>, String> {
    items.iter().filter(|s| !s.trim().is_empty()).map(|s| Cidr::parse(s).map(|c| c.to_string())).collect()
}

/// The client address of a request (`1.2.3.4`, or with a port) as an IP.
pub fn parse_remote(remote: &str) -> Option<IpAddr> {
    let remote = remote.trim();
    remote
        .parse::<IpAddr>()
        .ok()
        .or_else(|| remote.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .map(|ip| ip.to_canonical())
}

/// Whether a request from `remote` may go on, given the stored `cidrs`. No blocks means
/// no restriction; with blocks, an unknown or unparseable client address is refused.
pub fn remote_allowed(remote: Option<&str>, cidrs: &[String]) -> bool {
    if cidrs.is_empty() {
        return true;
    }
    let Some(ip) = remote.and_then(parse_remote) else { return false };
    cidrs.iter().filter_map(|c| Cidr::parse(c).ok()).any(|c| c.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_and_shows_blocks_canonically() {
        assert_eq!(Cidr::parse("127.0.0.1").unwrap().to_string(), "127.0.0.1");
        assert_eq!(Cidr::parse("127.0.0.1/32").unwrap().to_string(), "127.0.0.1");
        assert_eq!(Cidr::parse(" 10.0.0.0/8 ").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(Cidr::parse("2001:db8::/32").unwrap().to_string(), "2001:db8::/32");
        assert_eq!(Cidr::parse("::1/128").unwrap().to_string(), "::1");
        assert_eq!(Cidr::parse("::ffff:10.0.0.0/104").unwrap().to_string(), "10.0.0.0/8");
        for bad in ["notacidr", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "/8", "::/129", "::ffff:1.2.3.4/95", ""] {
            assert!(Cidr::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Cidr::parse("notacidr").unwrap_err(),
            r#"error parsing address "notacidr": Unable to convert "notacidr" to an IPv4 or IPv6 address"#
        );
        assert_eq!(parse_list(&strings(&["127.0.0.1/32", "", "10.0.0.0/8"])).unwrap(), ["127.0.0.1", "10.0.0.0/8"]);
        assert!(parse_list(&strings(&["10.0.0.0/8", "x"])).is_err());
    }

    #[test]
    fn matches_addresses_and_fails_closed() {
        let cidrs = strings(&["10.0.0.0/8", "192.168.1.7", "2001:db8::/32"]);
        assert!(remote_allowed(Some("10.200.3.4"), &cidrs));
        assert!(remote_allowed(Some("10.200.3.4:51234"), &cidrs));
        assert!(remote_allowed(Some("::ffff:10.1.1.1"), &cidrs), "IPv4-mapped IPv6 counts as IPv4");
        assert!(remote_allowed(Some("192.168.1.7"), &cidrs));
        assert!(remote_allowed(Some("2001:db8:1::5"), &cidrs));
        assert!(!remote_allowed(Some("192.168.1.8"), &cidrs));
        assert!(!remote_allowed(Some("11.0.0.1"), &cidrs));
        assert!(!remote_allowed(Some("2001:db9::1"), &cidrs));
        assert!(!remote_allowed(None, &cidrs), "no client address");
        assert!(!remote_allowed(Some("garbage"), &cidrs));
        assert!(!remote_allowed(Some("10.0.0.1"), &strings(&["corrupt"])));
        assert!(remote_allowed(None, &[]), "no blocks, no restriction");
        assert!(remote_allowed(Some("1.1.1.1"), &strings(&["0.0.0.0/0"])));
        assert!(remote_allowed(Some("::2"), &strings(&["::/0"])));
    }
}
