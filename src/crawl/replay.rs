//! A stored crawl read back for judging without holding it: the pages and links the checks go
//! through are kept (the caller says which), the rest stays in the store and is looked up by
//! URL when a check asks (see [`super::view`]). Three streamed passes: the pages, the link
//! results, the pages' link lists. Memory holds the pages and links kept, the navigation
//! summary, the home page's targets and a 64-bit hash per link target (to count them).

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use url::Url;

use super::engine::{Crawler, StoredCrawl};
use super::finish::{blocked_403, home_error, home_record};
use super::origin::origin_key;
use super::site::{not_http, refer, Blanket403};
use super::types::*;
use super::view::{FactLookup, FactsAccess, NavFold};
use crate::config::SiteConfig;
use crate::extract;

/// Which pages and links a judgement goes through (the checks' `Reads`).
pub struct Keep<'k> {
    pub page: &'k dyn Fn(&PageRecord) -> bool,
    pub link: &'k dyn Fn(&LinkFact) -> bool,
}

/// What the look-ups apply to what they read, as the replay applied it to what it kept.
struct Applied {
    crawler: Arc<Crawler>,
    /// Keys relabelled blocked by the blanket-403 rule.
    blanket: HashSet<String>,
    /// Pages whose soft-404 classification changed under the rules applied now.
    reclassified: HashMap<String, LinkStatus>,
    /// Targets linked from the home page.
    on_home: HashSet<String>,
}

impl Applied {
    fn page(&self, mut page: PageRecord) -> PageRecord {
        super::page::reclassify(&mut page, &self.crawler.rules);
        page.raw = None;
        if self.blanket.contains(&page.url) {
            page.status = blocked_403();
        }
        page
    }

    fn link(&self, mut l: LinkFact) -> LinkFact {
        if let Some(s) = self.reclassified.get(&l.url) {
            l.outcome.status = s.clone();
        }
        if self.blanket.contains(&l.url)
            && l.outcome.status == (LinkStatus::HttpError { status: 403 })
        {
            l.outcome.status = blocked_403();
        }
        l.on_home = self.on_home.contains(&l.url);
        l
    }
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// The look-up into a stored crawl for what the replay did not keep.
struct Lookup<S> {
    stored: S,
    applied: Applied,
    error: Mutex<Option<String>>,
}

impl<S: StoredCrawl> Lookup<S>
where
    S::Error: std::fmt::Display,
{
    fn ok<T: Default>(&self, r: Result<T, S::Error>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => {
                if let Ok(mut g) = self.error.lock() {
                    g.get_or_insert_with(|| e.to_string());
                }
                T::default()
            }
        }
    }
}

impl<S> FactLookup for Lookup<S>
where
    S: StoredCrawl + Send + Sync,
    S::Error: std::fmt::Display,
{
    fn page(&self, url: &str) -> Option<PageRecord> {
        self.ok(self.stored.page(url)).map(|p| self.applied.page(p))
    }

    fn link(&self, url: &str) -> Option<LinkFact> {
        self.ok(self.stored.link(url)).map(|l| {
            let mut l = self.applied.link(l);
            l.referrers = Vec::new();
            l.referrer_count = 0;
            l
        })
    }

    fn links_on(&self, url: &str) -> Vec<PageLink> {
        self.ok(self.stored.links_on(url))
    }

    fn referrers(&self, targets: &HashSet<String>) -> HashMap<String, (Vec<Referrer>, usize)> {
        let mut facts: HashMap<String, LinkFact> = HashMap::new();
        let mut texts: HashSet<Arc<str>> = HashSet::new();
        let r = self.stored.for_each_link_list(&mut |page, _depth, links| {
            let page: Arc<str> = Arc::from(page);
            for l in &links {
                if !targets.contains(&l.to) {
                    continue;
                }
                let fact = facts.entry(l.to.clone()).or_insert_with(|| LinkFact {
                    url: l.to.clone(),
                    internal: false,
                    on_home: false,
                    outcome: FetchOutcome {
                        status: LinkStatus::NotChecked {
                            reason: String::new(),
                        },
                        redirects: Vec::new(),
                        final_url: l.to.clone(),
                        elapsed_ms: 0,
                    },
                    referrers: Vec::new(),
                    referrer_count: 0,
                    target: None,
                });
                refer(fact, &mut texts, &page, &l.text, l.element);
            }
        });
        self.ok(r);
        let mut out: HashMap<String, (Vec<Referrer>, usize)> = facts
            .into_iter()
            .map(|(k, f)| (k, (f.referrers, f.referrer_count)))
            .collect();
        // A target no page links (a redirect's end, the home page): its referrers as stored.
        let unlinked: Vec<&String> = targets.iter().filter(|t| !out.contains_key(*t)).collect();
        for t in unlinked {
            if let Some(l) = self.ok(self.stored.link(t)) {
                out.insert(t.clone(), (l.referrers, l.referrer_count));
            }
        }
        out
    }

    fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|g| g.clone())
    }
}

impl Crawler {
    /// A site's facts read back from its stored crawl for judging, holding only the pages and
    /// links `keep` says the checks go through; the rest is looked up in `stored` when a check
    /// asks (the facts own it). Pages, link results and the site's counts come out as
    /// [`Crawler::replay_stored`] gives them.
    pub fn replay_kept<S>(
        self: &Arc<Self>,
        site: &SiteConfig,
        stored: S,
        keep: Keep<'_>,
    ) -> Result<SiteFacts, S::Error>
    where
        S: StoredCrawl + Send + Sync + 'static,
        S::Error: std::fmt::Display,
    {
        let settings = self.config.crawl_for(site);
        let home_key = extract::canonicalize(&site.url, &settings.session_params).to_string();
        let mut stats = CrawlStats::default();

        // 1. The pages, in crawl order: classified again under the rules applied now; the
        // home page, the navigation of every page, and the pages kept.
        let mut pages: Vec<PageRecord> = Vec::new();
        let mut home: Option<PageRecord> = None;
        let mut home_keys: HashSet<String> = HashSet::new();
        let mut reclassified: HashMap<String, LinkStatus> = HashMap::new();
        let mut nav = NavFold::default();
        let mut links: BTreeMap<String, LinkFact> = BTreeMap::new();
        stored.for_each_page(&mut |mut page, _links| {
            let before = page.status.clone();
            super::page::reclassify(&mut page, &self.rules);
            page.raw = None;
            if page.status != before {
                reclassified.insert(page.url.clone(), page.status.clone());
            }
            if page.status.is_ok() {
                stats.pages += 1;
            }
            if page.depth == 0 && page.url == home_key {
                home_keys.insert(page.url.clone());
                home_keys.insert(page.final_url.clone());
                home = Some(page.clone());
            }
            nav.add(&page);
            if (keep.page)(&page) {
                links.entry(page.url.clone()).or_insert_with(|| LinkFact {
                    url: page.url.clone(),
                    internal: true,
                    on_home: false,
                    outcome: FetchOutcome {
                        status: page.status.clone(),
                        redirects: Vec::new(),
                        final_url: page.final_url.clone(),
                        elapsed_ms: page.elapsed_ms,
                    },
                    referrers: Vec::new(),
                    referrer_count: 0,
                    target: None,
                });
                pages.push(page);
            }
        })?;
        let kept_urls: HashSet<String> = pages
            .iter()
            .flat_map(|p| [p.url.clone(), p.final_url.clone()])
            .collect();

        // 2. The link results: the blanket-403 rule folded over all, the counts, and the
        // results kept (with the referrers stored, until the link lists give theirs).
        let mut answers = Blanket403::default();
        let mut targets: HashSet<u64> = HashSet::new();
        let mut stored_referrers: HashSet<String> = HashSet::new();
        stored.for_each_link(&mut |mut l| {
            if let Some(status) = l.outcome.status.http_status() {
                if let Ok(u) = Url::parse(&l.outcome.final_url) {
                    answers.record(origin_key(&u), &l.url, status);
                }
            }
            if let Some(s) = reclassified.get(&l.url) {
                l.outcome.status = s.clone();
            }
            targets.insert(hash(&l.url));
            let s = &l.outcome.status;
            stats.checked += usize::from(s.was_requested());
            stats.broken += usize::from(s.is_broken());
            stats.blocked += usize::from(s.is_blocked());
            stats.robots_disallowed += usize::from(*s == LinkStatus::RobotsDisallowed);
            if !(keep.link)(&l) && !kept_urls.contains(&l.url) {
                return;
            }
            match links.get_mut(&l.url) {
                Some(existing) => {
                    existing.outcome = l.outcome;
                    existing.target = l.target;
                }
                None => {
                    stored_referrers.insert(l.url.clone());
                    links.insert(l.url.clone(), l);
                }
            }
        })?;
        let min = self.rules.blanket_403_min.max(1);
        let blanket: HashSet<String> = answers
            .blanket(min)
            .into_iter()
            .map(str::to_string)
            .collect();
        drop(answers);
        for k in &blanket {
            if let Some(f) = links.get_mut(k) {
                if f.outcome.status == (LinkStatus::HttpError { status: 403 }) {
                    f.outcome.status = blocked_403();
                    stats.broken -= 1;
                    stats.blocked += 1;
                }
            }
        }
        for p in pages.iter_mut().filter(|p| blanket.contains(&p.url)) {
            p.status = blocked_403();
        }

        // 3. The pages' link lists, in crawl order: the referrers of the links kept, the
        // links that are not HTTP URLs, the home page's targets, and every target counted.
        let mut texts: HashSet<Arc<str>> = HashSet::new();
        let mut on_home: HashSet<String> = HashSet::new();
        stored.for_each_link_list(&mut |page_url, _depth, page_links| {
            let page: Arc<str> = Arc::from(page_url);
            let from_home = home_keys.contains(page_url);
            for l in &page_links {
                if targets.insert(hash(&l.to)) {
                    if let Some(status) = not_http(&l.to_raw().target) {
                        stats.broken += usize::from(status.is_broken());
                        links.insert(
                            l.to.clone(),
                            LinkFact {
                                url: l.to.clone(),
                                internal: false,
                                on_home: false,
                                outcome: FetchOutcome {
                                    status,
                                    redirects: Vec::new(),
                                    final_url: l.to.clone(),
                                    elapsed_ms: 0,
                                },
                                referrers: Vec::new(),
                                referrer_count: 0,
                                target: None,
                            },
                        );
                    }
                }
                if from_home {
                    on_home.insert(l.to.clone());
                }
                if let Some(fact) = links.get_mut(&l.to) {
                    if stored_referrers.remove(&l.to) {
                        fact.referrers = Vec::new();
                        fact.referrer_count = 0;
                    }
                    fact.on_home |= from_home;
                    refer(fact, &mut texts, &page, &l.text, l.element);
                }
            }
        })?;
        stats.links = targets.len();
        drop(targets);

        let home = home.or_else(|| links.get(&home_key).map(home_record));
        let error = home_error(home.as_ref());
        let applied = Applied {
            crawler: self.clone(),
            blanket,
            reclassified,
            on_home,
        };
        let lookup = Arc::new(Lookup {
            stored,
            applied,
            error: Mutex::new(None),
        });
        tracing::debug!(
            site = %site.name, pages = stats.pages, links = stats.links, pages_kept = pages.len(),
            links_kept = links.len(), "crawl read back for judging"
        );
        let access = FactsAccess::partial(lookup, nav.finish(), &pages);
        Ok(SiteFacts {
            name: site.name.clone(),
            url: site.url.to_string(),
            level: site.level,
            kind: site.kind,
            started_at: chrono::Utc::now().to_rfc3339(),
            finished_at: chrono::Utc::now().to_rfc3339(),
            home,
            pages,
            links,
            not_found_probe: None,
            robots: "not fetched (judged from the store)".to_string(),
            stats,
            error,
            configured_columns: site
                .columns
                .iter()
                .map(|(name, u)| {
                    let u = extract::canonicalize(u, &settings.session_params);
                    (name.clone(), u.to_string())
                })
                .collect(),
            site_id_code: site.site_id_code.clone(),
            access,
        })
    }
}
