//! Feeds of a site's new-media accounts, fetched the way the site's pages are (robots.txt,
//! the origin's rate limiter, timeouts, the body cap, retries, blocks recognised), and the
//! links of their entries checked the way the site's links are. Only the raw outcome is
//! handed on: parsing and judging are elsewhere.

use std::collections::HashSet;
use std::sync::Arc;

use reqwest::Method;
use url::Url;

use super::engine::Crawler;
use super::fetch::{fetch, BodyMode};
use super::frontier::{Task, TaskKind};
use super::site::SiteRun;
use super::types::{FetchOutcome, LinkStatus};
use serde::{Deserialize, Serialize};

use super::types::SiteFacts;
use crate::config::{AccountConfig, Platform, SiteConfig};
use crate::extract;
use crate::extract::feeds::{parse_feed, DiscoveredFeed, FeedFacts};

/// Entry links checked per account (the newest entries'): a feed of hundreds of posts is
/// sampled, not crawled.
pub const MAX_ENTRY_LINKS: usize = 50;

/// Accounts discovered per site at most (a CMS that announces a feed per column on every
/// page must not turn one site into hundreds of feeds to fetch).
pub const MAX_DISCOVERED_PER_SITE: usize = 20;

/// One new-media account of a site, as inspected: who it is, what reading its feed brought
/// back, and its entries' links. The checks judge it; the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountFacts {
    /// The site that runs it.
    pub site: String,
    pub platform: Platform,
    pub name: String,
    /// The operating unit (责任单位).
    pub unit: String,
    /// The feed URL (the account's identity in the store, with the site).
    pub feed_url: String,
    /// Found on the site's pages, not configured.
    pub discovered: bool,
    /// The page it was found on, for a discovered account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_on: Option<String>,
    /// How reading the feed ended.
    pub status: LinkStatus,
    /// Why the feed could not be parsed, when it was fetched but is no feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<String>,
    /// The feed, when it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed: Option<FeedFacts>,
    /// The outcomes of the entries' links that were checked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<(String, FetchOutcome)>,
    /// Failed reads in a row in the scans before this one (from the store; 0 when none or
    /// unknown).
    #[serde(default)]
    pub failures_before: usize,
}

impl AccountFacts {
    /// The feed was fetched and parsed.
    pub fn read(&self) -> bool {
        self.feed.is_some()
    }
}

/// The accounts of a site: the configured ones, then the ones its crawled pages point to
/// (`<link rel="alternate">` feeds, its 政务新媒体 page), each feed once, marked discovered.
pub fn site_accounts(
    site: &SiteConfig,
    facts: Option<&SiteFacts>,
) -> Vec<(AccountConfig, Option<String>)> {
    let mut out: Vec<(AccountConfig, Option<String>)> =
        site.accounts.iter().map(|a| (a.clone(), None)).collect();
    let Some(facts) = facts else {
        return out;
    };
    let mut discovered = 0;
    // The pages with feeds are among those a site judged from the store holds (the checks'
    // reads): going through the pages held sees them all.
    for p in facts.pages.iter().filter(|p| p.status.is_ok()) {
        for d in &p.facts.feeds {
            if discovered >= MAX_DISCOVERED_PER_SITE {
                return out;
            }
            let Ok(feed) = Url::parse(&d.url) else {
                continue;
            };
            if out.iter().any(|(a, _)| a.feed == feed) {
                continue;
            }
            out.push((discovered_account(site, d, feed), Some(p.url.clone())));
            discovered += 1;
        }
    }
    out
}

fn discovered_account(site: &SiteConfig, d: &DiscoveredFeed, feed: Url) -> AccountConfig {
    AccountConfig {
        platform: d
            .platform
            .as_deref()
            .and_then(Platform::parse)
            .unwrap_or(Platform::Other),
        name: d.name.clone().unwrap_or_default(),
        unit: Some(site.name.clone()),
        feed,
        discovered: true,
    }
}

/// What fetching a feed brought back.
#[derive(Debug, Clone)]
pub struct FeedFetch {
    /// Status, redirects, final URL, time.
    pub outcome: FetchOutcome,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The body was cut at the size cap.
    pub truncated: bool,
}

impl Crawler {
    /// The wording matcher of the crawl's content rules (`wording.serious`), if any.
    pub fn wording_matcher(&self) -> Option<Arc<extract::facts::WordingMatcher>> {
        self.rules.facts.wording.clone()
    }

    fn feed_run(self: &Arc<Self>, site: &SiteConfig) -> Arc<SiteRun> {
        let settings = self.config.crawl_for(site);
        let hosts: HashSet<String> = site.all_hosts().into_iter().collect();
        self.origins.configure_site(site, &settings);
        let home = extract::canonicalize(&site.url, &settings.session_params);
        self.site_run(site, settings, hosts, &home, None, false)
    }

    /// Fetch one feed of `site`'s accounts politely: robots.txt of the feed's origin, its
    /// rate limiter, the site's time and size limits and retries. A refusal by the server (a
    /// 429, a challenge page) comes back as `Blocked`.
    pub async fn fetch_feed(self: &Arc<Self>, site: &SiteConfig, url: &Url) -> FeedFetch {
        let run = self.feed_run(site);
        if run.settings.robots && !run.robots_for(url).await.allowed(url) {
            return FeedFetch {
                outcome: FetchOutcome {
                    status: LinkStatus::RobotsDisallowed,
                    redirects: Vec::new(),
                    final_url: url.to_string(),
                    elapsed_ms: 0,
                },
                content_type: None,
                body: Vec::new(),
                truncated: false,
            };
        }
        let mut f = fetch(
            &self.client,
            &self.origins,
            url,
            Method::GET,
            BodyMode::Full,
            &run.limits,
            None,
        )
        .await;
        run.classify_block(url, &mut f);
        FeedFetch {
            outcome: f.outcome,
            content_type: f.content_type,
            body: f.body,
            truncated: f.truncated,
        }
    }

    /// Read one account of `site`: fetch its feed ([`Crawler::fetch_feed`]), parse it, and
    /// check the links of its newest entries (at most [`MAX_ENTRY_LINKS`]). A discovered
    /// account without a name takes the feed's title.
    pub async fn read_account(
        self: &Arc<Self>,
        site: &SiteConfig,
        account: &AccountConfig,
        found_on: Option<String>,
    ) -> AccountFacts {
        let fetched = self.fetch_feed(site, &account.feed).await;
        let final_url =
            Url::parse(&fetched.outcome.final_url).unwrap_or_else(|_| account.feed.clone());
        let (feed, parse_error) = if fetched.outcome.status.is_ok() {
            let body = fetched.body;
            let ct = fetched.content_type.clone();
            let u = final_url.clone();
            // Parsing is CPU work on a hostile body: off the async workers, bounded by the
            // body cap.
            match tokio::task::spawn_blocking(move || parse_feed(&body, ct.as_deref(), &u)).await {
                Ok(Ok(f)) => (Some(f), None),
                Ok(Err(e)) => (None, Some(e.0)),
                Err(e) => (None, Some(format!("parser failed: {e}"))),
            }
        } else {
            (None, None)
        };
        let mut links = Vec::new();
        if let Some(f) = &feed {
            let mut urls: Vec<Url> = Vec::new();
            for l in f.entries.iter().filter_map(|e| e.link.as_deref()) {
                if let Ok(u) = Url::parse(l) {
                    if matches!(u.scheme(), "http" | "https") && !urls.contains(&u) {
                        urls.push(u);
                    }
                }
                if urls.len() >= MAX_ENTRY_LINKS {
                    break;
                }
            }
            links = self.check_feed_links(site, &urls).await;
        }
        let name = if account.name.trim().is_empty() {
            feed.as_ref()
                .and_then(|f| f.title.clone())
                .unwrap_or_else(|| account.feed.to_string())
        } else {
            account.name.clone()
        };
        AccountFacts {
            site: site.name.clone(),
            platform: account.platform,
            name,
            unit: account.unit.clone().unwrap_or_else(|| site.name.clone()),
            feed_url: account.feed.to_string(),
            discovered: account.discovered,
            found_on,
            status: fetched.outcome.status,
            parse_error,
            feed,
            links,
            failures_before: 0,
        }
    }

    /// Check the links of a feed's entries as `site`'s links are checked (links to other
    /// sites once per run, HEAD falling back to GET, blocks told from broken links). Links
    /// to other sites are not checked when `check_external` is off.
    pub async fn check_feed_links(
        self: &Arc<Self>,
        site: &SiteConfig,
        urls: &[Url],
    ) -> Vec<(String, FetchOutcome)> {
        let run = self.feed_run(site);
        let mut out = Vec::new();
        for u in urls {
            let u = extract::canonicalize(u, &run.settings.session_params);
            let internal = run.in_scope(&u);
            if !internal && !run.settings.check_external {
                continue;
            }
            let task = Task {
                key: u.to_string(),
                url: u,
                depth: 1,
                kind: TaskKind::Check,
                internal,
                sample: false,
            };
            let r = run.run(task).await;
            out.push((r.task.key, r.outcome));
        }
        out
    }
}
