//! Requests over one address family only, for the availability probes (`site.unreachable`) and
//! the IPv6 check.
//!
//! A [`Prober`] holds one HTTP client per family. Each client's name resolution returns only
//! that family's addresses — `[resolve]` pins first, IP literals as they are, else A or AAAA
//! records asked of DNS ([`super::dns`]) — so an IPv6 request can never fall back to IPv4.
//! Every hop of every request waits for its origin's rate limiter and the global cap
//! ([`Origins`]) like the crawl's requests; the time allowed (the rule's `timeout_secs`) counts
//! network time only, not the wait for the limiter, and covers the whole answer: a page not
//! fully received within it is a failure.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Method;
use url::Url;

use super::dns::Dns;
use super::engine::Crawler;
use super::fetch::{request, FetchLimits, Request};
use super::origin::Origins;
use super::resolve::{ResolveError, Resolver};
use super::types::LinkStatus;
use crate::config::{Config, SiteConfig};
use crate::facts::{IpFamily, Probe};

/// The family-forced clients could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot build the HTTP client for {family:?}: {message}")]
    Client { family: IpFamily, message: String },
}

/// Name resolution by family: `[resolve]` pins, IP literals, else DNS.
#[derive(Debug)]
pub struct Lookup {
    resolver: Resolver,
    dns: Dns,
}

impl Lookup {
    /// A lookup with the crawl's pins and private-address policy and a DNS client.
    pub fn new(resolver: Resolver, dns: Dns) -> Lookup {
        Lookup { resolver, dns }
    }

    /// Whether the host's addresses come from `[resolve]` or the host is an IP literal (no
    /// DNS is asked for it).
    pub fn is_pinned_or_literal(&self, host: &str) -> bool {
        self.resolver.pinned(host).is_some() || literal(host).is_some()
    }

    /// The DNS client (for the delegation chain).
    pub fn dns(&self) -> &Dns {
        &self.dns
    }

    /// The addresses of `host` in `family` the scanner may connect to. An empty answer is
    /// `Ok(vec![])` (no A/AAAA record); the private-address guard applies as in the crawl.
    pub async fn addresses(
        &self,
        host: &str,
        family: IpFamily,
    ) -> Result<Vec<IpAddr>, ResolveError> {
        let key = host.trim_end_matches('.').to_ascii_lowercase();
        let all: Vec<IpAddr> = if let Some(p) = self.resolver.pinned(&key) {
            p.to_vec()
        } else if let Some(ip) = literal(&key) {
            vec![ip]
        } else {
            self.dns
                .addresses(&key, family)
                .await
                .map_err(|message| ResolveError::NotFound {
                    host: key.clone(),
                    message,
                })?
        };
        let mut of_family: Vec<IpAddr> = all
            .into_iter()
            .filter(|ip| family_of(*ip) == family)
            .collect();
        of_family.dedup();
        self.resolver.guard(key, of_family)
    }
}

/// The family of an address (an IPv4-mapped IPv6 address counts as IPv4).
pub fn family_of(ip: IpAddr) -> IpFamily {
    match ip {
        IpAddr::V4(_) => IpFamily::V4,
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() => IpFamily::V4,
        IpAddr::V6(_) => IpFamily::V6,
    }
}

/// The Chinese name of a family for messages.
pub fn family_zh(family: IpFamily) -> &'static str {
    match family {
        IpFamily::V4 => "IPv4",
        IpFamily::V6 => "IPv6",
    }
}

fn literal(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .ok()
}

/// reqwest's resolver for one family's client.
struct FamilyResolve {
    lookup: Arc<Lookup>,
    family: IpFamily,
}

impl Resolve for FamilyResolve {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = self.lookup.clone();
        let family = self.family;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let ips = lookup
                .addresses(&host, family)
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            if ips.is_empty() {
                let e = ResolveError::NotFound {
                    host,
                    message: no_address(family),
                };
                return Err(Box::new(e) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

fn no_address(family: IpFamily) -> String {
    match family {
        IpFamily::V4 => "no IPv4 address (A record)".into(),
        IpFamily::V6 => "no IPv6 address (AAAA record)".into(),
    }
}

/// What a family-forced request brought back.
#[derive(Debug, Clone)]
pub struct FamilyFetch {
    /// What happened (redirects followed).
    pub status: LinkStatus,
    /// The address of the server that gave the final answer, if one answered.
    pub address: Option<IpAddr>,
    /// The URL finally answered.
    pub final_url: Url,
    /// Network time in milliseconds (waits for the rate limiter excluded).
    pub latency_ms: u64,
    pub content_type: Option<String>,
    /// The body (up to the cap asked for).
    pub body: Vec<u8>,
}

/// Requests over one address family at a time, rate-limited with the crawl's origins.
pub struct Prober {
    v4: reqwest::Client,
    v6: reqwest::Client,
    lookup: Arc<Lookup>,
    origins: Arc<Origins>,
    max_redirects: usize,
    max_body_bytes: u64,
    max_retry_after: Duration,
}

/// The crawl's resolver for a configuration: the same pins, private-address policy and
/// trusted hosts as [`Crawler::new`] builds.
pub fn crawl_resolver(config: &Config) -> Resolver {
    let trusted: HashSet<String> = config.sites.iter().flat_map(|s| s.all_hosts()).collect();
    Resolver::new(
        config.resolve.clone(),
        config.crawl.allow_private_addresses,
        trusted,
    )
}

impl Prober {
    /// A prober sharing `origins` (and so the per-origin rate limits) with other requests.
    pub fn new(
        config: &Config,
        origins: Arc<Origins>,
        lookup: Lookup,
    ) -> Result<Prober, ProbeError> {
        let lookup = Arc::new(lookup);
        let build = |family: IpFamily| {
            reqwest::Client::builder()
                .user_agent(config.crawl.user_agent.clone())
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(config.crawl.connect_timeout)
                .pool_max_idle_per_host(2)
                .pool_idle_timeout(Duration::from_secs(30))
                .no_proxy()
                .dns_resolver(Arc::new(FamilyResolve {
                    lookup: lookup.clone(),
                    family,
                }))
                .build()
                .map_err(|e| ProbeError::Client {
                    family,
                    message: e.to_string(),
                })
        };
        Ok(Prober {
            v4: build(IpFamily::V4)?,
            v6: build(IpFamily::V6)?,
            lookup: lookup.clone(),
            origins,
            max_redirects: config.crawl.max_redirects,
            max_body_bytes: config.crawl.max_body_bytes,
            max_retry_after: config.crawl.max_retry_after,
        })
    }

    /// A standalone prober for `govscan probe`: its own origins, each configured site's
    /// origin at the site's rate, DNS as configured in `[dns]`.
    pub fn from_config(config: &Config) -> Result<Prober, ProbeError> {
        let resolver = crawl_resolver(config);
        let origins = Arc::new(Origins::for_config(config, resolver.clone(), usize::MAX));
        Prober::new(
            config,
            origins,
            Lookup::new(resolver, Dns::from_settings(&config.dns)),
        )
    }

    /// A prober sharing a crawler's origins (rate limiters and cap), for the IPv6 check after
    /// a crawl.
    pub fn for_crawler(crawler: &Crawler) -> Result<Prober, ProbeError> {
        let config = crawler.config();
        Prober::new(
            config,
            crawler.origins().clone(),
            Lookup::new(crawl_resolver(config), Dns::from_settings(&config.dns)),
        )
    }

    /// Name resolution by family.
    pub fn lookup(&self) -> &Lookup {
        &self.lookup
    }

    /// Request `url` over `family` only, following redirects (each hop rate-limited), reading
    /// at most `body_cap` bytes of the final answer (0: none), all within `timeout` of network
    /// time.
    pub async fn fetch(
        &self,
        url: &Url,
        family: IpFamily,
        method: Method,
        body_cap: u64,
        timeout: Duration,
    ) -> FamilyFetch {
        let client = match family {
            IpFamily::V4 => &self.v4,
            IpFamily::V6 => &self.v6,
        };
        let limits = FetchLimits {
            total_timeout: timeout,
            max_body_bytes: body_cap,
            max_redirects: self.max_redirects,
            retries: 0,
            retry_backoff: Duration::ZERO,
            max_retry_after: self.max_retry_after,
        };
        let other_family = move |u: &Url| {
            let ip = u.host_str().and_then(literal)?;
            (family_of(ip) != family).then(|| LinkStatus::Dns {
                message: format!("{} (IP literal {ip})", no_address(family)),
            })
        };
        let f = request(
            client,
            &self.origins,
            url,
            &Request {
                method,
                body_cap,
                page: false,
                whole_body: true,
                limits: &limits,
                validators: None,
                hop_check: Some(&other_family),
            },
        )
        .await;
        FamilyFetch {
            status: f.outcome.status,
            address: f.address,
            final_url: f.final_url,
            latency_ms: f.outcome.elapsed_ms,
            content_type: f.content_type,
            body: f.body,
        }
    }

    /// Probe a site's home page once over IPv4 and once over IPv6, at the same time. The page
    /// must be fully received within `timeout`.
    pub async fn probe_site(&self, site: &SiteConfig, timeout: Duration) -> Vec<Probe> {
        let (v4, v6) = tokio::join!(
            self.probe_family(site, IpFamily::V4, timeout),
            self.probe_family(site, IpFamily::V6, timeout)
        );
        vec![v4, v6]
    }

    /// One probe of a site's home page over one family.
    pub async fn probe_family(
        &self,
        site: &SiteConfig,
        family: IpFamily,
        timeout: Duration,
    ) -> Probe {
        let at: DateTime<FixedOffset> = crate::asof::now();
        let host = site.url.host_str().unwrap_or_default();
        let resolved = self.lookup.addresses(host, family).await;
        let first = match &resolved {
            Ok(v) => v.first().copied(),
            Err(_) => None,
        };
        let failure = match resolved {
            Err(e) => Some(e.to_string()),
            Ok(v) if v.is_empty() => Some(format!("{host}: {}", no_address(family))),
            Ok(_) => None,
        };
        if let Some(error) = failure {
            return Probe {
                site: site.name.clone(),
                at,
                family,
                address: None,
                ok: false,
                status: None,
                latency_ms: None,
                error: Some(error),
            };
        }
        let f = self
            .fetch(&site.url, family, Method::GET, self.max_body_bytes, timeout)
            .await;
        let ok = f.status.is_ok();
        Probe {
            site: site.name.clone(),
            at,
            family,
            address: f.address.or(first).map(|ip| ip.to_string()),
            ok,
            status: f.status.http_status(),
            latency_ms: Some(f.latency_ms),
            error: (!ok).then(|| f.status.short()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn lookup(pins: &[(&str, &[&str])]) -> Lookup {
        let mut pinned = BTreeMap::new();
        for (h, ips) in pins {
            pinned.insert(
                h.to_string(),
                ips.iter()
                    .map(|s| s.parse().expect("test address"))
                    .collect(),
            );
        }
        Lookup::new(
            Resolver::new(pinned, false, HashSet::from(["dual.test".to_string()])),
            Dns::unavailable("no DNS in unit tests"),
        )
    }

    #[tokio::test]
    async fn pins_are_split_by_family() {
        let l = lookup(&[
            ("dual.test", &["127.0.0.1", "::1"]),
            ("public.test", &["203.0.113.7"]),
            ("hidden.test", &["::1"]),
        ]);
        assert_eq!(
            l.addresses("DUAL.test", IpFamily::V6).await.ok(),
            Some(vec!["::1".parse::<IpAddr>().expect("address")])
        );
        assert_eq!(
            l.addresses("dual.test", IpFamily::V4).await.ok(),
            Some(vec!["127.0.0.1".parse::<IpAddr>().expect("address")])
        );
        // No AAAA: an empty answer, not an error.
        assert_eq!(
            l.addresses("public.test", IpFamily::V6).await.ok(),
            Some(vec![])
        );
        // Private addresses stay guarded for hosts that are not sites.
        assert!(matches!(
            l.addresses("hidden.test", IpFamily::V6).await,
            Err(ResolveError::Private { .. })
        ));
        // Unpinned names go to DNS, which is unavailable here.
        assert!(matches!(
            l.addresses("www.example.gov.cn", IpFamily::V6).await,
            Err(ResolveError::NotFound { .. })
        ));
        assert!(l.is_pinned_or_literal("dual.test"));
        assert!(l.is_pinned_or_literal("[2001:db8::1]"));
        assert!(!l.is_pinned_or_literal("www.example.gov.cn"));
    }

    #[test]
    fn mapped_addresses_are_ipv4() {
        assert_eq!(
            family_of("::ffff:192.0.2.1".parse().expect("address")),
            IpFamily::V4
        );
        assert_eq!(
            family_of("2001:db8::1".parse().expect("address")),
            IpFamily::V6
        );
    }
}
