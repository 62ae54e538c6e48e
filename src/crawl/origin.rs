//! Per-origin politeness: one governor rate limiter per origin (scheme + host + port), the
//! process-wide cap on requests in flight, robots.txt (RFC 9309) fetched once per origin with
//! its Crawl-delay honoured up to a cap, and the record of origins that block the scanner.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use url::Url;

use super::resolve::{ResolveError, Resolver};
use super::types::LinkStatus;
use crate::config::{Config, CrawlSettings, SiteConfig};

/// The origin of a URL: `scheme://host:port`.
pub fn origin_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or("").to_ascii_lowercase(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Request slots shared with other processes (the workers of one run): before a request to
/// a rate-limited origin leaves, its slot is leased here, so that all the processes together
/// send the origin at most one request per period. Implemented outside the crawl (on the
/// store); the crawl only asks.
pub trait SharedPace: Send + Sync {
    /// Lease the next slot of `origin` (`scheme://host:port`), each `period` long; returns
    /// how long to wait until it starts.
    fn lease(
        &self,
        origin: &str,
        period: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Duration> + Send + '_>>;
}

/// Rate settings of an origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Requests per second; 0 = unlimited.
    pub per_second: f64,
    /// Requests at once (the bucket size).
    pub burst: u32,
}

/// What robots.txt says for an origin.
#[derive(Debug)]
pub enum Robots {
    /// No robots.txt (4xx) or robots disabled: everything allowed.
    AllowAll,
    /// robots.txt unreachable (5xx, network): RFC 9309 says assume complete disallow.
    DisallowAll(String),
    /// A parsed robots.txt.
    Parsed(Box<texting_robots::Robot>),
}

impl Robots {
    /// Whether a URL may be fetched.
    pub fn allowed(&self, url: &Url) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll(_) => false,
            Robots::Parsed(r) => r.allowed(url.as_str()),
        }
    }

    /// A short description for the crawl facts.
    pub fn describe(&self) -> String {
        match self {
            Robots::AllowAll => "none (all allowed)".into(),
            Robots::DisallowAll(why) => format!("unreachable ({why}): all disallowed per RFC 9309"),
            Robots::Parsed(r) => match r.delay {
                Some(d) => format!("ok (crawl-delay {d}s)"),
                None => "ok".into(),
            },
        }
    }
}

/// State of one origin.
pub struct Origin {
    limiter: RwLock<Option<Arc<DefaultDirectRateLimiter>>>,
    /// The least time between two requests (rate and Crawl-delay); `None`: unlimited.
    period: RwLock<Option<Duration>>,
    rate: Mutex<Rate>,
    robots: OnceCell<Arc<Robots>>,
    delay_applied: AtomicBool,
    blocked: AtomicUsize,
}

impl Origin {
    fn new(rate: Rate) -> Origin {
        Origin {
            limiter: RwLock::new(build_limiter(rate, None)),
            period: RwLock::new(period_of(rate, None)),
            rate: Mutex::new(rate),
            robots: OnceCell::new(),
            delay_applied: AtomicBool::new(false),
            blocked: AtomicUsize::new(0),
        }
    }

    fn limiter(&self) -> Option<Arc<DefaultDirectRateLimiter>> {
        self.limiter.read().map(|l| l.clone()).unwrap_or(None)
    }

    fn set_crawl_delay(&self, delay: Duration) {
        let rate = self.rate.lock().map(|r| *r).unwrap_or(Rate {
            per_second: 0.0,
            burst: 1,
        });
        if let Ok(mut l) = self.limiter.write() {
            *l = build_limiter(rate, Some(delay));
        }
        if let Ok(mut p) = self.period.write() {
            *p = period_of(rate, Some(delay));
        }
    }

    fn period(&self) -> Option<Duration> {
        self.period.read().map(|p| *p).unwrap_or(None)
    }
}

/// The longest period between two requests to an origin (one a day).
const MAX_PERIOD: Duration = Duration::from_secs(86_400);

/// The least time between two requests to an origin: its rate's period, or a longer
/// Crawl-delay. `None` for an unlimited rate.
fn period_of(rate: Rate, crawl_delay: Option<Duration>) -> Option<Duration> {
    let period = (rate.per_second > 0.0).then(|| {
        Duration::try_from_secs_f64(1.0 / rate.per_second)
            .unwrap_or(MAX_PERIOD)
            .min(MAX_PERIOD)
    });
    match crawl_delay.filter(|d| !d.is_zero()) {
        Some(d) => Some(period.map_or(d, |p| p.max(d))),
        None => period,
    }
}

fn build_limiter(
    rate: Rate,
    crawl_delay: Option<Duration>,
) -> Option<Arc<DefaultDirectRateLimiter>> {
    // Checked: a rate so small that its period does not fit a Duration (the validator refuses
    // it) turns into the longest period rather than a panic.
    let mut period = if rate.per_second > 0.0 {
        Some(
            Duration::try_from_secs_f64(1.0 / rate.per_second)
                .unwrap_or(MAX_PERIOD)
                .min(MAX_PERIOD),
        )
    } else {
        None
    };
    let mut burst = rate.burst.max(1);
    if let Some(d) = crawl_delay.filter(|d| !d.is_zero()) {
        // Crawl-delay asks for one request per `d`: no bursts.
        period = Some(period.map_or(d, |p| p.max(d)));
        burst = 1;
    }
    let quota = Quota::with_period(period?)?.allow_burst(NonZeroU32::new(burst)?);
    Some(Arc::new(RateLimiter::direct(quota)))
}

/// Every origin the process talks to, with the global cap on requests in flight.
pub struct Origins {
    map: Mutex<HashMap<String, Arc<Origin>>>,
    default_rate: Rate,
    global: Arc<Semaphore>,
    resolver: Resolver,
    /// Blocked answers after which an origin is no longer asked.
    block_after: usize,
    /// A slot wait longer than this means the token taken before it is stale.
    stale_token: Duration,
    /// Slots shared with other workers, when the run is shared.
    shared: RwLock<Option<Arc<dyn SharedPace>>>,
}

impl Origins {
    /// A registry with a default rate for origins nobody configured (other sites' hosts).
    pub fn new(
        default_rate: Rate,
        max_in_flight: usize,
        resolver: Resolver,
        block_after: usize,
    ) -> Origins {
        Origins {
            map: Mutex::new(HashMap::new()),
            default_rate,
            global: Arc::new(Semaphore::new(max_in_flight.max(1))),
            resolver,
            block_after: block_after.max(1),
            stale_token: Duration::from_millis(20),
            shared: RwLock::new(None),
        }
    }

    /// The resolver every request goes through.
    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    /// The registry of a configuration: unconfigured origins at the global rate, every
    /// configured site's origins at the site's (see [`Origins::configure_site`]).
    pub fn for_config(config: &Config, resolver: Resolver, block_after: usize) -> Origins {
        let c = &config.crawl;
        let origins = Origins::new(
            Rate {
                per_second: c.rate_per_origin,
                burst: c.burst,
            },
            c.max_in_flight,
            resolver,
            block_after,
        );
        for site in &config.sites {
            origins.configure_site(site, &config.crawl_for(site));
        }
        origins
    }

    /// Lease every request slot of a rate-limited origin from `pace` too (a worker of a
    /// shared run): the workers together keep to each origin's rate.
    pub fn share_pace(&self, pace: Arc<dyn SharedPace>) {
        if let Ok(mut p) = self.shared.write() {
            *p = Some(pace);
        }
    }

    /// Set the rate of an origin (a site's own origins get the site's settings).
    pub fn configure(&self, url: &Url, rate: Rate) {
        let key = origin_key(url);
        if let Ok(mut m) = self.map.lock() {
            m.entry(key).or_insert_with(|| Arc::new(Origin::new(rate)));
        }
    }

    /// Set the rate of every origin of a site (each of its hosts, over http and https, the
    /// home page's own port kept) from the site's settings. The one place the crawl and the
    /// probes configure a site's limiters.
    pub fn configure_site(&self, site: &SiteConfig, settings: &CrawlSettings) {
        let rate = Rate {
            per_second: settings.rate_per_origin,
            burst: settings.burst,
        };
        self.configure(&site.url, rate);
        for h in site.all_hosts() {
            for scheme in ["http", "https"] {
                if let Ok(mut u) = Url::parse(&format!("{scheme}://{h}/")) {
                    if u.host_str() == site.url.host_str() && scheme == site.url.scheme() {
                        let _ = u.set_port(site.url.port());
                    }
                    self.configure(&u, rate);
                }
            }
        }
    }

    fn get(&self, url: &Url) -> Arc<Origin> {
        let key = origin_key(url);
        match self.map.lock() {
            Ok(mut m) => m
                .entry(key)
                .or_insert_with(|| Arc::new(Origin::new(self.default_rate)))
                .clone(),
            // A poisoned map only happens after a panic elsewhere; keep going with a fresh
            // limiter rather than stop the scan.
            Err(_) => Arc::new(Origin::new(self.default_rate)),
        }
    }

    /// Wait until a request to `url` may leave: its origin's rate limiter has a token and a
    /// global slot is free. The request must be sent as soon as this returns; dropping the
    /// permit frees the slot.
    pub async fn acquire(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let origin = self.get(url);
        let limiter = origin.limiter();
        if let Some(l) = &limiter {
            l.until_ready().await;
        }
        let waited = Instant::now();
        let permit = self.global.clone().acquire_owned().await.ok();
        if let Some(l) = &limiter {
            if waited.elapsed() > self.stale_token {
                // The slot took long: the token is stale, and sending now could bunch requests
                // into one second. Take a fresh token while holding the slot.
                l.until_ready().await;
            }
        }
        // Shared with other workers: the slot leased while holding the global slot, so the
        // request leaves as soon as the slot starts (not later, bunched with the next one).
        let shared = self.shared.read().map(|p| p.clone()).unwrap_or(None);
        if let (Some(pace), Some(period)) = (shared, origin.period()) {
            let wait = pace.lease(&origin_key(url), period).await;
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        permit
    }

    /// Refuse a request before it is sent: an IP-literal private host, or an origin that has
    /// blocked the scanner repeatedly (no point hammering it).
    pub fn guard(&self, url: &Url) -> Option<LinkStatus> {
        if let Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) = url.host() {
            let host = url.host_str().unwrap_or("");
            let ip = host.trim_start_matches('[').trim_end_matches(']').parse();
            if let Ok(ip) = ip {
                if let Err(ResolveError::Private { address, .. }) =
                    self.resolver.check_literal(host, ip)
                {
                    return Some(LinkStatus::PrivateAddress {
                        address: address.to_string(),
                    });
                }
            }
        }
        let origin = self.get(url);
        if origin.blocked.load(Ordering::Relaxed) >= self.block_after {
            return Some(LinkStatus::Blocked {
                status: None,
                reason: "该站点已多次拦截扫描器，未再访问".into(),
            });
        }
        None
    }

    /// Blocked answers an origin has given so far.
    pub fn blocked_count(&self, url: &Url) -> usize {
        self.get(url).blocked.load(Ordering::Relaxed)
    }

    /// Record that an origin answered with a block (429, challenge page).
    pub fn note_blocked(&self, url: &Url) {
        self.get(url).blocked.fetch_add(1, Ordering::Relaxed);
    }

    /// robots.txt of the URL's origin, fetched once with `load` on first use.
    pub async fn robots<F, Fut>(&self, url: &Url, max_delay: Duration, load: F) -> Arc<Robots>
    where
        F: FnOnce(Url) -> Fut,
        Fut: std::future::Future<Output = Robots>,
    {
        let origin = self.get(url);
        let robots = origin
            .robots
            .get_or_init(|| async {
                let mut robots_url = url.clone();
                robots_url.set_path("/robots.txt");
                robots_url.set_query(None);
                robots_url.set_fragment(None);
                Arc::new(load(robots_url).await)
            })
            .await
            .clone();
        if let Robots::Parsed(r) = robots.as_ref() {
            if let Some(d) = r.delay.filter(|d| *d > 0.0 && d.is_finite()) {
                let d = Duration::try_from_secs_f64(f64::from(d))
                    .unwrap_or(max_delay)
                    .min(max_delay);
                // Applied once: rebuilding the limiter on every call would reset its state.
                if !origin.delay_applied.swap(true, Ordering::Relaxed) {
                    origin.set_crawl_delay(d);
                }
            }
        }
        robots
    }
}
