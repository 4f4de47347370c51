//! The client's address behind reverse proxies (`BROBYGGER_TRUSTED_PROXIES`).
//!
//! A request's socket peer is the client unless it is a trusted proxy. From a trusted proxy the
//! client is the right-most address of `Forwarded` (RFC 7239, its `for=` parameters) or, when
//! there is none, of `X-Forwarded-For` that is not itself a trusted proxy: everything left of
//! it was written by the client and may be forged. The middleware puts that address in the
//! request's `peer_addr`, so the sign-in throttle, the access log and `/metrics` all see it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::middleware::Next;
use actix_web::{Error, web};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// One address or network (`10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    fn contains(self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = text
            .split_once('/')
            .map_or((text, None), |(a, p)| (a, Some(p)));
        let address = canonical(
            address
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| format!("{text:?} is not an IP address or CIDR network"))?,
        );
        let bits = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("{text:?} has no valid prefix length (0–{bits})"))?,
        };
        Ok(Self { address, prefix })
    }
}

/// The proxies whose forwarding headers are believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// A comma-separated list of addresses and CIDR networks.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(Network::from_str)
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(ip))
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_chain(headers).iter().rev() {
            // An obfuscated or unparsable hop ends what can be known: the last proxy stands.
            let Some(ip) = hop else { return client };
            client = *ip;
            if !self.trusts(client) {
                break;
            }
        }
        client
    }
}

/// The addresses of `Forwarded`'s `for=` parameters, or else of `X-Forwarded-For`, left (the
/// original client) to right (the last proxy); `None` for a hop that is not an address.
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.split_once('=')?;
                    key.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_node(value.trim().trim_matches('"')))
                })
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .map(|v| parse_node(v))
        .collect()
}

/// `192.0.2.1`, `192.0.2.1:8080`, `[2001:db8::1]`, `[2001:db8::1]:443` or `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(canonical(socket.ip()));
    }
    let bracketed = node.strip_prefix('[')?.split(']').next()?;
    bracketed.parse::<IpAddr>().ok().map(canonical)
}

/// Replaces the request's peer address by the client's when the peer is a trusted proxy.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // Registered by `app` as data of its own (not through `AppState`, which holds the settings
    // that hold this).
    let proxies = req
        .app_data::<web::Data<TrustedProxies>>()
        .map(|proxies| proxies.get_ref().clone())
        .filter(|proxies| !proxies.is_empty());
    if let (Some(proxies), Some(peer)) = (proxies, req.peer_addr()) {
        let client = proxies.client_address(peer.ip(), req.headers());
        if client != peer.ip() {
            req.head_mut().peer_addr = Some(SocketAddr::new(client, 0));
        }
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn parses_addresses_and_networks() {
        let proxies: TrustedProxies = "10.0.0.0/8, 127.0.0.1 ,fd00::/8".parse().expect("valid");
        assert!(proxies.trusts(ip("10.1.2.3")));
        assert!(proxies.trusts(ip("127.0.0.1")));
        assert!(proxies.trusts(ip("::ffff:10.9.9.9")));
        assert!(proxies.trusts(ip("fd12::1")));
        assert!(!proxies.trusts(ip("11.0.0.1")));
        assert!(!proxies.trusts(ip("127.0.0.2")));
        assert!("".parse::<TrustedProxies>().expect("empty").is_empty());
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
        assert!(
            "0.0.0.0/0"
                .parse::<TrustedProxies>()
                .expect("all")
                .trusts(ip("8.8.8.8"))
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let proxies: TrustedProxies = "10.0.0.1".parse().expect("valid");
        let sent = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(proxies.client_address(ip("9.9.9.9"), &sent), ip("9.9.9.9"));
        let none = TrustedProxies::default();
        assert_eq!(none.client_address(ip("10.0.0.1"), &sent), ip("10.0.0.1"));
    }

    #[test]
    fn the_right_most_untrusted_hop_of_x_forwarded_for_is_the_client() {
        let proxies: TrustedProxies = "10.0.0.0/24".parse().expect("valid");
        let sent = headers(&[("x-forwarded-for", "6.6.6.6, 1.2.3.4, 10.0.0.2")]);
        assert_eq!(proxies.client_address(ip("10.0.0.1"), &sent), ip("1.2.3.4"));
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.7, 10.0.0.2")]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &all_trusted),
            ip("10.0.0.7")
        );
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for() {
        let proxies: TrustedProxies = "10.0.0.1".parse().expect("valid");
        let sent = headers(&[
            (
                "forwarded",
                "for=6.6.6.6;proto=https, for=\"[2001:db8::7]:443\"",
            ),
            ("x-forwarded-for", "1.2.3.4"),
        ]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &sent),
            ip("2001:db8::7")
        );
        let ported = headers(&[("forwarded", "For=\"192.0.2.60:4711\";by=10.0.0.1")]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &ported),
            ip("192.0.2.60")
        );
        let hidden = headers(&[("forwarded", "for=1.2.3.4, for=_hidden")]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.1"), &hidden),
            ip("10.0.0.1")
        );
    }
}
