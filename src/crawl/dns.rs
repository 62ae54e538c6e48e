//! DNS look-ups by record type for the availability probes and the IPv6 check: A and AAAA
//! records asked separately (the system's `getaddrinfo` hides AAAA records on a machine
//! without an IPv6 route), and the NS records of a site's zone for the IPv6 delegation chain.
//!
//! hickory-resolver with the system configuration (`/etc/resolv.conf`) or the name server of
//! `[dns]`. Host names pinned in `[resolve]` and IP literals never get here (see
//! [`super::probe::Lookup`]), which is how the tests stay off the network.

use std::net::IpAddr;

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::TokioResolver;

use crate::config::DnsSettings;
use crate::facts::IpFamily;

/// A DNS client, or the reason there is none.
pub struct Dns {
    inner: Result<TokioResolver, String>,
}

impl std::fmt::Debug for Dns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Ok(_) => f.write_str("Dns(hickory)"),
            Err(why) => write!(f, "Dns(unavailable: {why})"),
        }
    }
}

/// The authoritative name servers of a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneServers {
    /// The zone that has NS records (the host itself or the nearest parent).
    pub zone: String,
    /// Host names of its name servers.
    pub servers: Vec<String>,
}

impl Dns {
    /// A client as configured: the `[dns]` name server, else the system configuration. Building
    /// it sends no query.
    pub fn from_settings(settings: &DnsSettings) -> Dns {
        let mut opts = ResolverOpts::default();
        opts.timeout = settings.timeout;
        opts.attempts = 2;
        let inner = match settings.nameserver {
            Some(addr) => {
                let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                let config = ResolverConfig::from_parts(None, Vec::new(), group);
                Ok(
                    TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                        .with_options(opts)
                        .build(),
                )
            }
            None => TokioResolver::builder_tokio()
                .map(|b| b.with_options(opts).build())
                .map_err(|e| format!("no system DNS configuration: {e}")),
        };
        Dns { inner }
    }

    /// A client that answers every query with `reason` (no DNS available).
    pub fn unavailable(reason: impl Into<String>) -> Dns {
        Dns {
            inner: Err(reason.into()),
        }
    }

    fn resolver(&self) -> Result<&TokioResolver, String> {
        self.inner.as_ref().map_err(Clone::clone)
    }

    /// The A or AAAA addresses of a host. No record of that type is an empty list, not an
    /// error; an error means the question could not be answered (no such name, no server).
    pub async fn addresses(&self, host: &str, family: IpFamily) -> Result<Vec<IpAddr>, String> {
        let r = self.resolver()?;
        let fqdn = fqdn(host);
        let found: Result<Vec<IpAddr>, hickory_resolver::ResolveError> = match family {
            IpFamily::V4 => r
                .ipv4_lookup(fqdn.as_str())
                .await
                .map(|l| l.iter().map(|a| IpAddr::V4(a.0)).collect()),
            IpFamily::V6 => r
                .ipv6_lookup(fqdn.as_str())
                .await
                .map(|l| l.iter().map(|a| IpAddr::V6(a.0)).collect()),
        };
        match found {
            Ok(v) => Ok(v),
            Err(e) if e.is_no_records_found() && !e.is_nx_domain() => Ok(Vec::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Whether the name servers say a host does not exist (NXDOMAIN). No answer, no DNS or
    /// an IP literal: false.
    pub async fn nxdomain(&self, host: &str) -> bool {
        let Ok(r) = self.resolver() else {
            return false;
        };
        if host.parse::<IpAddr>().is_ok() || host.starts_with('[') {
            return false;
        }
        match r.ipv4_lookup(fqdn(host).as_str()).await {
            Ok(_) => false,
            Err(e) => e.is_nx_domain(),
        }
    }

    /// The name servers of the zone a host belongs to: NS records of the host, else of its
    /// parents, stopping before the top-level domain.
    pub async fn zone_servers(&self, host: &str) -> Result<ZoneServers, String> {
        let r = self.resolver()?;
        let labels: Vec<&str> = host
            .trim_end_matches('.')
            .split('.')
            .filter(|l| !l.is_empty())
            .collect();
        for start in 0..labels.len().saturating_sub(1) {
            let zone = labels[start..].join(".");
            match r.ns_lookup(fqdn(&zone).as_str()).await {
                Ok(l) => {
                    let mut servers: Vec<String> = l
                        .iter()
                        .map(|ns| ns.0.to_utf8().trim_end_matches('.').to_ascii_lowercase())
                        .collect();
                    servers.sort();
                    servers.dedup();
                    if !servers.is_empty() {
                        return Ok(ZoneServers { zone, servers });
                    }
                }
                Err(e) if e.is_no_records_found() => continue,
                Err(e) => return Err(format!("NS {zone}: {e}")),
            }
        }
        Err(format!("no NS records found for {host} or its parents"))
    }
}

/// A host name as an absolute name, so no search domain is appended.
fn fqdn(host: &str) -> String {
    let h = host.trim_end_matches('.');
    format!("{h}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unavailable_dns_says_why() {
        let d = Dns::unavailable("no network in tests");
        assert_eq!(
            d.addresses("www.example.gov.cn", IpFamily::V6).await,
            Err("no network in tests".to_string())
        );
        assert!(d.zone_servers("www.example.gov.cn").await.is_err());
    }

    #[tokio::test]
    async fn a_silent_name_server_fails_in_time() {
        // A loopback UDP socket that reads nothing: the query times out. No packet leaves the
        // machine.
        let silent = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback UDP");
        let addr = silent.local_addr().expect("local address");
        let d = Dns::from_settings(&DnsSettings {
            nameserver: Some(addr),
            timeout: std::time::Duration::from_millis(200),
        });
        let started = std::time::Instant::now();
        let r = d.addresses("www.example.gov.cn", IpFamily::V6).await;
        assert!(r.is_err(), "{r:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(d.zone_servers("www.example.gov.cn").await.is_err());
    }

    #[test]
    fn names_are_absolute() {
        assert_eq!(fqdn("www.gov.cn"), "www.gov.cn.");
        assert_eq!(fqdn("www.gov.cn."), "www.gov.cn.");
    }
}
