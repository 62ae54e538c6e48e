//! The IPv6 support degree of a crawled site (IPv6 支持度), measured after its crawl during
//! `check` and `scan`, as the monitoring platforms score it:
//!
//! - AAAA records of the home page's host (`[resolve]` pins, else DNS);
//! - the home page fetched over IPv6 only, and over IPv4 only at the same moment, to compare
//!   status, title and text (IPv4/IPv6 consistency), after normalising whitespace and the
//!   digits that change from one request to the next (dates, times, visit counters);
//! - second-level links (the site's links on the home page) and third-level links (the site's
//!   links on those pages) requested over IPv6 only — HEAD, falling back to GET — each level a
//!   deterministic sample of at most `sample_per_level` links that answered over IPv4 in the
//!   crawl (a link broken for everyone is `link.broken`'s business, not IPv6's);
//! - the delegation chain: the NS records of the site's zone and whether each name server has
//!   an IPv6 address. Skipped, with a note, for hosts pinned in `[resolve]` or IP literals and
//!   where DNS cannot be queried.
//!
//! The result is an [`Ipv6Summary`](crate::facts::Ipv6Summary) whose `detail` is an
//! [`Ipv6Detail`] (stored as JSON); `checks::ipv6` judges it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use url::Url;
use xxhash_rust::xxh3::xxh3_64;

use super::engine::Crawler;
use super::probe::{ProbeError, Prober};
use super::types::{LinkStatus, SiteFacts};
use crate::config::SiteConfig;
use crate::facts::{IpFamily, Ipv6Summary};

/// The note recorded instead of the delegation chain for pinned hosts and IP literals.
pub const DELEGATION_PINNED_NOTE: &str = "pinned/IP host: delegation not checked";

/// Bytes of a link's body read on the GET fallback: enough to know the page is being served.
const LINK_BODY_CAP: u64 = 64 * 1024;

/// Failures kept per level as evidence.
const MAX_FAILURES: usize = 50;

/// Parameters of the measurement (from `rules/ipv6.toml`).
#[derive(Debug, Clone)]
pub struct Ipv6Settings {
    /// Time allowed for the home page and for each link (`ipv6.unsupported` `timeout_secs`).
    pub timeout: Duration,
    /// Links checked per level at most (`ipv6.coverage` `sample_per_level`).
    pub sample_per_level: usize,
    /// Link checks in flight at once for one site.
    pub concurrency: usize,
}

impl Ipv6Settings {
    /// Link checks in flight at once for one site (a property of the measurement, not a rule).
    pub const CONCURRENCY: usize = 4;
}

/// A home-page request over one family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HomeFetch {
    pub status: LinkStatus,
    pub address: Option<String>,
    pub latency_ms: u64,
    pub final_url: String,
    pub title: Option<String>,
}

/// IPv4/IPv6 consistency of the home page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consistency {
    pub v4_status: Option<u16>,
    pub v6_status: Option<u16>,
    pub same_status: bool,
    pub v4_title: Option<String>,
    pub v6_title: Option<String>,
    /// Titles equal after normalisation.
    pub same_title: bool,
    /// Similarity of the normalised texts, 0 to 1 (character-bigram Dice coefficient).
    pub similarity: f64,
}

/// A link that did not answer over IPv6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkFailure {
    pub url: String,
    pub status: LinkStatus,
    /// A page that links to it.
    pub page: Option<String>,
}

/// IPv6 reachability of one level of links.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelCoverage {
    /// The site's links of this level that answered over IPv4 in the crawl.
    pub candidates: usize,
    /// Links of this level left out because they did not answer over IPv4 either.
    pub not_ok_over_ipv4: usize,
    /// Links requested over IPv6 (the sample).
    pub checked: usize,
    pub reachable: usize,
    /// Answers that refused the scanner (429, 412, an origin the crawl found blocking):
    /// counted neither way.
    pub inconclusive: usize,
    /// `reachable / (checked - inconclusive)`, when anything was checked.
    pub rate: Option<f64>,
    /// The first failures.
    pub failures: Vec<LinkFailure>,
    pub note: Option<String>,
}

/// One authoritative name server of the site's zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameServer {
    pub name: String,
    pub ipv6: Vec<String>,
    pub error: Option<String>,
}

/// The IPv6 delegation chain: the zone's name servers and their IPv6 addresses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Delegation {
    /// The name servers were looked up.
    pub checked: bool,
    /// Why not, or what went wrong.
    pub note: Option<String>,
    pub zone: Option<String>,
    pub name_servers: Vec<NameServer>,
}

impl Delegation {
    /// Name servers with at least one IPv6 address.
    pub fn with_ipv6(&self) -> usize {
        self.name_servers
            .iter()
            .filter(|n| !n.ipv6.is_empty())
            .count()
    }
}

/// Everything the IPv6 check measured, kept as `Ipv6Summary::detail`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ipv6Detail {
    pub host: String,
    /// A and AAAA addresses of the home page's host.
    pub a: Vec<String>,
    pub aaaa: Vec<String>,
    /// A look-up that failed.
    pub dns_error: Option<String>,
    pub home_v4: Option<HomeFetch>,
    pub home_v6: Option<HomeFetch>,
    /// Present when both families got an HTTP answer.
    pub consistency: Option<Consistency>,
    /// Second-level links (on the home page).
    pub l2: LevelCoverage,
    /// Third-level links (on the second-level pages).
    pub l3: LevelCoverage,
    pub delegation: Delegation,
}

/// The second- and third-level links of a crawl: the site's own links on the home page, and
/// the site's own links on the pages those lead to (the crawl's depth-1 pages; not already
/// second level). Each link with a page that links to it (the home page; the first
/// second-level page in crawl order). Links that did not answer over IPv4 are returned apart.
/// Reads the link lists of the home page and the second-level pages and the result of each
/// link on them, looked up by URL (see `crawl::view`): not every link of the site.
pub fn link_levels(facts: &SiteFacts) -> (Level, Level) {
    let mut home_keys: BTreeSet<&str> = BTreeSet::new();
    home_keys.insert(facts.url.as_str());
    if let Some(h) = &facts.home {
        home_keys.insert(h.url.as_str());
        home_keys.insert(h.final_url.as_str());
    }
    // The site's own links that answered (or not) over IPv4, each once with its page.
    let mut l2: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    let mut l3: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    let own = |url: &str| -> Option<(bool, bool)> {
        if home_keys.contains(url) || !is_http(url) {
            return None;
        }
        let link = facts.link(url)?;
        link.internal
            .then(|| (link.on_home, link.outcome.status.is_ok()))
    };
    if let Some(h) = &facts.home {
        for (url, _) in facts.links_on(&h.url) {
            if l2.contains_key(&url) {
                continue;
            }
            if let Some((true, ok)) = own(&url) {
                l2.insert(url, (Some(h.url.clone()), ok));
            }
        }
    }
    // The second-level pages in crawl order (the pages at depth 1 are kept with the facts).
    for page in facts.pages.iter().filter(|p| p.depth == 1) {
        for (url, _) in facts.links_on(&page.url) {
            if l3.contains_key(&url) || l2.contains_key(&url) {
                continue;
            }
            if let Some((false, ok)) = own(&url) {
                l3.insert(url, (Some(page.url.clone()), ok));
            }
        }
    }
    let level = |m: BTreeMap<String, (Option<String>, bool)>| {
        let mut level = Level::default();
        for (url, (page, ok)) in m {
            if ok {
                level.links.push((url, page));
            } else {
                level.not_ok_over_ipv4 += 1;
            }
        }
        level
    };
    (level(l2), level(l3))
}

/// The links of one level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Level {
    /// (URL, a page linking to it), of links that answered over IPv4.
    pub links: Vec<(String, Option<String>)>,
    pub not_ok_over_ipv4: usize,
}

impl Level {
    /// A deterministic sample of at most `n` links spread over the site (ordered by a hash of
    /// the URL, not alphabetically, so one section does not fill the sample).
    pub fn sample(&self, n: usize) -> Vec<(String, Option<String>)> {
        let mut v = self.links.clone();
        v.sort_by_key(|(u, _)| (xxh3_64(u.as_bytes()), u.clone()));
        v.truncate(n);
        v
    }
}

fn is_http(u: &str) -> bool {
    u.starts_with("http://") || u.starts_with("https://")
}

/// Text normalised for comparison: digits (dates, times, counters) collapsed to one `0`,
/// whitespace removed, letters lower-cased.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_digits = false;
    for c in text.chars() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            if !in_digits {
                out.push('0');
            }
            in_digits = true;
            continue;
        }
        in_digits = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// Similarity of two texts after [`normalise`]: the Dice coefficient of their character
/// bigrams (multisets), 1 for identical texts, 0 for nothing in common.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = normalise(a).chars().collect();
    let b: Vec<char> = normalise(b).chars().collect();
    if a == b {
        return 1.0;
    }
    if a.len() < 2 || b.len() < 2 {
        return 0.0;
    }
    let mut counts: HashMap<(char, char), i64> = HashMap::new();
    for w in a.windows(2) {
        *counts.entry((w[0], w[1])).or_default() += 1;
    }
    let mut common = 0i64;
    for w in b.windows(2) {
        if let Some(c) = counts.get_mut(&(w[0], w[1])) {
            if *c > 0 {
                *c -= 1;
                common += 1;
            }
        }
    }
    let total = (a.len() - 1 + b.len() - 1) as f64;
    2.0 * common as f64 / total
}

/// Title and visible text of an HTML answer.
fn page_text(body: &[u8], content_type: Option<&str>, url: &Url) -> (Option<String>, String) {
    if body.is_empty() {
        return (None, String::new());
    }
    use crate::extract::bounded;
    if bounded::looks_binary(body) {
        return (None, String::new());
    }
    let decoded = crate::extract::decode(body, content_type);
    // Bounded like the crawl's parse: a page too deep or too large is only scanned.
    let limits = bounded::ParseLimits::with_max_links(1);
    let page = if bounded::shape(&decoded.text).exceeds(&limits).is_some() {
        bounded::scan_links(&decoded.text, url, decoded.encoding, &[], 1).0
    } else {
        crate::extract::extract_page(&decoded.text, url, decoded.encoding, &[])
    };
    (page.title, page.text)
}

/// Measure the IPv6 support of a crawled site with a crawler's rate limits and the rules'
/// parameters. The function to call from `check` and `scan` after `crawl_site`.
pub async fn ipv6_support(
    crawler: &Crawler,
    site: &SiteConfig,
    facts: &SiteFacts,
    settings: &Ipv6Settings,
) -> Result<Ipv6Summary, ProbeError> {
    let prober = Prober::for_crawler(crawler)?;
    let mut settings = settings.clone();
    settings.concurrency = crawler.config().crawl_for(site).concurrency_per_site.max(1);
    Ok(measure(&prober, site, facts, &settings).await)
}

/// Measure the IPv6 support of a crawled site with a prober (one prober can serve many sites).
pub async fn measure(
    prober: &Prober,
    site: &SiteConfig,
    facts: &SiteFacts,
    settings: &Ipv6Settings,
) -> Ipv6Summary {
    let host = site.url.host_str().unwrap_or_default().to_string();
    let mut d = Ipv6Detail {
        host: host.clone(),
        ..Ipv6Detail::default()
    };
    let lookup = prober.lookup();
    let (a, aaaa) = tokio::join!(
        lookup.addresses(&host, IpFamily::V4),
        lookup.addresses(&host, IpFamily::V6)
    );
    let mut errors = Vec::new();
    match a {
        Ok(v) => d.a = v.iter().map(ToString::to_string).collect(),
        Err(e) => errors.push(format!("A: {e}")),
    }
    match aaaa {
        Ok(v) => d.aaaa = v.iter().map(ToString::to_string).collect(),
        Err(e) => errors.push(format!("AAAA: {e}")),
    }
    if !errors.is_empty() {
        d.dns_error = Some(errors.join("; "));
    }
    let has_aaaa = !d.aaaa.is_empty();

    let (h4, h6) = tokio::join!(
        prober.fetch(
            &site.url,
            IpFamily::V4,
            Method::GET,
            2 * 1024 * 1024,
            settings.timeout
        ),
        prober.fetch(
            &site.url,
            IpFamily::V6,
            Method::GET,
            2 * 1024 * 1024,
            settings.timeout
        )
    );
    let (t4, text4) = page_text(&h4.body, h4.content_type.as_deref(), &h4.final_url);
    let (t6, text6) = page_text(&h6.body, h6.content_type.as_deref(), &h6.final_url);
    let home_reachable = has_aaaa && h6.status.is_ok();
    if h4.status.http_status().is_some() && h6.status.http_status().is_some() {
        let same_title = normalise(t4.as_deref().unwrap_or_default())
            == normalise(t6.as_deref().unwrap_or_default());
        d.consistency = Some(Consistency {
            v4_status: h4.status.http_status(),
            v6_status: h6.status.http_status(),
            same_status: h4.status.http_status() == h6.status.http_status(),
            v4_title: t4.clone(),
            v6_title: t6.clone(),
            same_title,
            similarity: similarity(&text4, &text6),
        });
    }
    let home = |f: &super::probe::FamilyFetch, title: Option<String>| HomeFetch {
        status: f.status.clone(),
        address: f.address.map(|a| a.to_string()),
        latency_ms: f.latency_ms,
        final_url: f.final_url.to_string(),
        title,
    };
    d.home_v4 = Some(home(&h4, t4));
    d.home_v6 = Some(home(&h6, t6));

    let (l2, l3) = link_levels(facts);
    if home_reachable {
        d.l2 = check_level(prober, &l2, settings).await;
        d.l3 = check_level(prober, &l3, settings).await;
    } else {
        for (level, links) in [(&mut d.l2, &l2), (&mut d.l3, &l3)] {
            level.candidates = links.links.len();
            level.not_ok_over_ipv4 = links.not_ok_over_ipv4;
            level.note = Some("home page not reachable over IPv6: links not checked".into());
        }
    }

    d.delegation = delegation(prober, &host).await;

    let links_checked = d.l2.checked + d.l3.checked;
    let links_reachable = d.l2.reachable + d.l3.reachable;
    Ipv6Summary {
        has_aaaa,
        home_reachable,
        links_checked,
        links_reachable,
        detail: d,
    }
}

/// Request a level's sample over IPv6.
async fn check_level(prober: &Prober, level: &Level, settings: &Ipv6Settings) -> LevelCoverage {
    let sample = level.sample(settings.sample_per_level);
    let results: Vec<(String, Option<String>, LinkStatus)> = stream::iter(sample)
        .map(|(url, page)| async move {
            let status = link_over_ipv6(prober, &url, settings.timeout).await;
            (url, page, status)
        })
        .buffer_unordered(settings.concurrency.max(1))
        .collect()
        .await;
    let mut c = LevelCoverage {
        candidates: level.links.len(),
        not_ok_over_ipv4: level.not_ok_over_ipv4,
        checked: results.len(),
        ..LevelCoverage::default()
    };
    let mut failures = Vec::new();
    for (url, page, status) in results {
        if status.is_ok() {
            c.reachable += 1;
        } else if status.is_blocked()
            || matches!(status, LinkStatus::HttpError { status: 429 | 412 })
        {
            c.inconclusive += 1;
        } else {
            failures.push(LinkFailure { url, status, page });
        }
    }
    failures.sort_by(|a, b| a.url.cmp(&b.url));
    failures.truncate(MAX_FAILURES);
    c.failures = failures;
    let judged = c.checked - c.inconclusive;
    if judged > 0 {
        c.rate = Some(c.reachable as f64 / judged as f64);
    }
    if c.candidates > c.checked {
        c.note = Some(format!("sample of {} of {} links", c.checked, c.candidates));
    }
    c
}

/// One link over IPv6: HEAD, and GET when HEAD is not answered with a success.
async fn link_over_ipv6(prober: &Prober, url: &str, timeout: Duration) -> LinkStatus {
    let Ok(u) = Url::parse(url) else {
        return LinkStatus::InvalidUrl {
            message: url.to_string(),
        };
    };
    let head = prober
        .fetch(&u, IpFamily::V6, Method::HEAD, 0, timeout)
        .await;
    if head.status.is_ok() || head.status.http_status().is_none() {
        // Success, or no answer at all (no AAAA, refused, timeout): GET would not do better.
        return head.status;
    }
    prober
        .fetch(&u, IpFamily::V6, Method::GET, LINK_BODY_CAP, timeout)
        .await
        .status
}

/// The delegation chain of the host's zone, or a note saying why it was not checked.
async fn delegation(prober: &Prober, host: &str) -> Delegation {
    let lookup = prober.lookup();
    if lookup.is_pinned_or_literal(host) {
        return Delegation {
            note: Some(DELEGATION_PINNED_NOTE.into()),
            ..Delegation::default()
        };
    }
    let zone = match lookup.dns().zone_servers(host).await {
        Ok(z) => z,
        Err(e) => {
            return Delegation {
                note: Some(format!("DNS cannot be queried: {e}")),
                ..Delegation::default()
            }
        }
    };
    let mut name_servers = Vec::new();
    for ns in &zone.servers {
        let r = lookup.dns().addresses(ns, IpFamily::V6).await;
        name_servers.push(match r {
            Ok(v) => NameServer {
                name: ns.clone(),
                ipv6: v.iter().map(ToString::to_string).collect(),
                error: None,
            },
            Err(e) => NameServer {
                name: ns.clone(),
                ipv6: Vec::new(),
                error: Some(e),
            },
        });
    }
    Delegation {
        checked: true,
        note: None,
        zone: Some(zone.zone),
        name_servers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{SiteKind, SiteLevel};
    use crate::crawl::{CrawlStats, FetchOutcome, LinkFact, PageRecord, Referrer};
    use crate::extract::LinkElement;
    use std::collections::BTreeMap;

    fn page(url: &str, depth: u32) -> PageRecord {
        PageRecord {
            url: url.into(),
            final_url: url.into(),
            depth,
            status: LinkStatus::Ok { status: 200 },
            charset: None,
            title: None,
            content_hash: None,
            etag: None,
            last_modified: None,
            fetched_at: String::new(),
            elapsed_ms: 0,
            bytes: 0,
            truncated: false,
            links_found: 0,
            facts: Default::default(),
            raw: None,
        }
    }

    fn link(url: &str, internal: bool, on_home: bool, from: &str, status: LinkStatus) -> LinkFact {
        LinkFact {
            url: url.into(),
            internal,
            on_home,
            outcome: FetchOutcome {
                status,
                redirects: vec![],
                final_url: url.into(),
                elapsed_ms: 0,
            },
            referrers: vec![Referrer {
                page: from.into(),
                text: "".into(),
                element: LinkElement::A,
            }],
            referrer_count: 1,
            target: None,
        }
    }

    fn facts() -> SiteFacts {
        let home = "http://s.test/";
        let ok = LinkStatus::Ok { status: 200 };
        let mut links = BTreeMap::new();
        for l in [
            link("http://s.test/a", true, true, home, ok.clone()),
            link(
                "http://s.test/b",
                true,
                true,
                home,
                LinkStatus::HttpError { status: 404 },
            ),
            link("http://other.test/x", false, true, home, ok.clone()),
            link(
                "http://s.test/a/1",
                true,
                false,
                "http://s.test/a",
                ok.clone(),
            ),
            link(
                "http://s.test/a/1/deep",
                true,
                false,
                "http://s.test/a/1",
                ok.clone(),
            ),
            link(
                "mailto:x@s.test",
                true,
                true,
                home,
                LinkStatus::NotHttp {
                    scheme: "mailto".into(),
                },
            ),
            link(home, true, true, home, ok.clone()),
        ] {
            links.insert(l.url.clone(), l);
        }
        SiteFacts {
            name: "s".into(),
            url: home.into(),
            level: SiteLevel::County,
            kind: SiteKind::Portal,
            started_at: String::new(),
            finished_at: String::new(),
            home: Some(page(home, 0)),
            pages: vec![
                page(home, 0),
                page("http://s.test/a", 1),
                page("http://s.test/a/1", 2),
            ],
            links,
            not_found_probe: None,
            robots: String::new(),
            stats: CrawlStats::default(),
            error: None,
            configured_columns: Default::default(),
            site_id_code: None,
            access: Default::default(),
        }
    }

    #[test]
    fn levels_follow_the_home_page_and_its_pages() {
        let (l2, l3) = link_levels(&facts());
        assert_eq!(
            l2.links,
            vec![(
                "http://s.test/a".to_string(),
                Some("http://s.test/".to_string())
            )]
        );
        assert_eq!(l2.not_ok_over_ipv4, 1);
        assert_eq!(
            l3.links,
            vec![(
                "http://s.test/a/1".to_string(),
                Some("http://s.test/a".to_string())
            )]
        );
        assert_eq!(l3.not_ok_over_ipv4, 0);
    }

    #[test]
    fn samples_are_capped_and_stable() {
        let level = Level {
            links: (0..300)
                .map(|i| (format!("http://s.test/p{i}"), None))
                .collect(),
            not_ok_over_ipv4: 0,
        };
        let a = level.sample(100);
        assert_eq!(a.len(), 100);
        assert_eq!(a, level.sample(100));
        // Spread over the site, not the first hundred in order.
        let late = a
            .iter()
            .filter(|(u, _)| {
                u.trim_start_matches("http://s.test/p")
                    .parse::<u32>()
                    .is_ok_and(|n| n >= 100)
            })
            .count();
        assert!(late > 30, "{late}");
    }

    #[test]
    fn dynamic_parts_do_not_make_pages_differ() {
        let v4 = "欢迎访问示范县人民政府  今天是2026年11月30日 09:15:02 访问量：123456";
        let v6 = "欢迎访问示范县人民政府 今天是2026年11月30日 09:15:03\n访问量：123999";
        assert_eq!(similarity(v4, v6), 1.0);
        let other = "404 页面不存在 请返回首页";
        assert!(similarity(v4, other) < 0.3, "{}", similarity(v4, other));
        assert_eq!(normalise(" A b\t１２３ c "), "ab0c");
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity("abc", ""), 0.0);
    }

    #[test]
    fn half_changed_text_is_about_half_similar() {
        let a = "一二三四五六七八九十";
        let b = "一二三四五甲乙丙丁戊";
        let s = similarity(a, b);
        assert!(s > 0.3 && s < 0.6, "{s}");
    }

    #[test]
    fn detail_round_trips_through_json() {
        let d = Ipv6Detail {
            host: "s.test".into(),
            aaaa: vec!["2001:db8::1".into()],
            delegation: Delegation {
                note: Some(DELEGATION_PINNED_NOTE.into()),
                ..Delegation::default()
            },
            ..Ipv6Detail::default()
        };
        let json = serde_json::to_value(&d).expect("serialise");
        let back: Ipv6Detail = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, d);
        // An older row with fewer fields still reads; the missing ones are empty.
        let old: Ipv6Detail =
            serde_json::from_value(serde_json::json!({"host": "x"})).expect("old row");
        assert_eq!(old.host, "x");
        // A field of the wrong type is an error, not a silent default.
        let bad = serde_json::from_value::<Ipv6Detail>(serde_json::json!({"aaaa": 7}));
        assert!(bad.is_err());
    }
}
