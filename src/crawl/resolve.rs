//! Name resolution under the inspector's control: pinned addresses from `[resolve]` (like
//! curl's `--resolve`), else the system resolver; and the private-address guard, so that a
//! hacked page cannot make the scanner probe the inspector's own network.

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a host was not resolved to a usable address.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ResolveError {
    /// No address found for the name.
    #[error("cannot resolve {host}: {message}")]
    NotFound { host: String, message: String },
    /// Every address of the name is private, loopback or link-local, and that is not allowed.
    #[error("{host} resolves to the private address {address}; not fetched")]
    Private { host: String, address: IpAddr },
}

/// Whether an address is in a range the scanner must not probe unless allowed: loopback,
/// private (RFC 1918, unique-local), link-local, CGNAT, unspecified, documentation-free
/// multicast and broadcast.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (o[0] == 100 && (64..128).contains(&o[1])) // CGNAT 100.64/10
                || o[0] == 0
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link local fe80::/10
                || v6.to_ipv4_mapped().is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// The resolver shared by every request of a crawl.
#[derive(Debug, Clone)]
pub struct Resolver {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pinned: BTreeMap<String, Vec<IpAddr>>,
    allow_private: bool,
    /// Hosts of the configured sites: a site that itself lives on a private address may be
    /// crawled.
    trusted_hosts: HashSet<String>,
}

impl Resolver {
    /// A resolver with pinned addresses, the private-address policy and the trusted hosts.
    pub fn new(
        pinned: BTreeMap<String, Vec<IpAddr>>,
        allow_private: bool,
        trusted_hosts: HashSet<String>,
    ) -> Resolver {
        let pinned = pinned
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Resolver {
            inner: Arc::new(Inner {
                pinned,
                allow_private,
                trusted_hosts,
            }),
        }
    }

    /// Whether a host may resolve to private addresses.
    pub fn private_allowed(&self, host: &str) -> bool {
        self.inner.allow_private
            || self
                .inner
                .trusted_hosts
                .contains(&host.to_ascii_lowercase())
    }

    /// The addresses pinned for a host in `[resolve]`, if any.
    pub fn pinned(&self, host: &str) -> Option<&[IpAddr]> {
        let key = host.trim_end_matches('.').to_ascii_lowercase();
        self.inner.pinned.get(&key).map(Vec::as_slice)
    }

    /// Check an IP-literal host (reqwest does not call the resolver for those).
    pub fn check_literal(&self, host: &str, ip: IpAddr) -> Result<(), ResolveError> {
        if is_private(ip) && !self.private_allowed(host) {
            return Err(ResolveError::Private {
                host: host.to_string(),
                address: ip,
            });
        }
        Ok(())
    }

    /// Resolve a host name to the addresses the scanner may connect to.
    pub async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let key = host.trim_end_matches('.').to_ascii_lowercase();
        let addrs: Vec<IpAddr> = if let Some(p) = self.inner.pinned.get(&key) {
            p.clone()
        } else if let Ok(ip) = key
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            vec![ip]
        } else {
            let found = tokio::net::lookup_host((key.as_str(), 0))
                .await
                .map_err(|e| ResolveError::NotFound {
                    host: key.clone(),
                    message: e.to_string(),
                })?;
            let mut v: Vec<IpAddr> = Vec::new();
            for a in found {
                if !v.contains(&a.ip()) {
                    v.push(a.ip());
                }
            }
            v
        };
        if addrs.is_empty() {
            return Err(ResolveError::NotFound {
                host: key,
                message: "no address".into(),
            });
        }
        self.guard(key, addrs)
    }

    /// Keep the addresses of `host` the scanner may connect to: all of them for a trusted host
    /// (or when private addresses are allowed), else the public ones; an error when only
    /// private ones are left.
    pub fn guard(&self, host: String, addrs: Vec<IpAddr>) -> Result<Vec<IpAddr>, ResolveError> {
        if addrs.is_empty() || self.private_allowed(&host) {
            return Ok(addrs);
        }
        let public: Vec<IpAddr> = addrs
            .iter()
            .copied()
            .filter(|ip| !is_private(*ip))
            .collect();
        match (public.is_empty(), addrs.first()) {
            (true, Some(first)) => Err(ResolveError::Private {
                host,
                address: *first,
            }),
            _ => Ok(public),
        }
    }
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = this
                .lookup(&host)
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            // The connector sets the port from the URL.
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for p in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.1.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_private(p.parse().unwrap()), "{p}");
        }
        for p in ["203.0.113.7", "8.8.8.8", "2001:db8::7", "2400:3200::1"] {
            assert!(!is_private(p.parse().unwrap()), "{p}");
        }
    }

    #[tokio::test]
    async fn pinned_and_guarded() {
        let mut pinned = BTreeMap::new();
        pinned.insert(
            "evil.example".to_string(),
            vec!["10.0.0.5".parse().unwrap()],
        );
        pinned.insert(
            "site.example".to_string(),
            vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()],
        );
        let r = Resolver::new(
            pinned,
            false,
            ["site.example".to_string()].into_iter().collect(),
        );
        assert!(matches!(
            r.lookup("evil.example").await,
            Err(ResolveError::Private { .. })
        ));
        assert_eq!(r.lookup("SITE.example").await.unwrap().len(), 2);
        assert!(r
            .check_literal("10.0.0.1", "10.0.0.1".parse().unwrap())
            .is_err());
    }
}
