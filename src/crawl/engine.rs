//! The crawler shared by every site of a run, and what it offers its callers: the crawl of a
//! site (its loop in [`super::site`], pages in [`super::page`], checked links and blocks in
//! [`super::check`], the site's facts in [`super::finish`]), the replay of a stored scan, and
//! the observer and resume hooks. Pages stream through extraction and are dropped; only facts
//! are kept.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OnceCell, Semaphore};
use url::Url;

use super::fetch::FetchLimits;
use super::frontier::{Task, TaskKind};
use super::origin::Origins;
use super::probe::crawl_resolver;
use super::site::{SiteRun, SiteState};
use super::types::*;
use crate::config::{Config, CrawlSettings, SiteConfig};
use crate::extract::{self, RawLink};

/// Referrers kept per link target (all are counted).
pub(super) const MAX_REFERRERS: usize = 20;

/// Parameters of the crawl that come from the rules (`rules/links.toml`). Built from a rule
/// set on the rules' side (`CrawlRules::from_rules`); the default is the embedded rules'.
#[derive(Debug, Clone)]
pub struct CrawlRules {
    /// Phrases that make an HTTP 200 page a soft 404.
    pub soft404_patterns: Vec<String>,
    /// Markers (in the body or headers) of a WAF or challenge page.
    pub challenge_markers: Vec<String>,
    /// Statuses that mean the server refuses the scanner (429, 412).
    pub blocked_statuses: Vec<u16>,
    /// Consecutive 403s from an origin, to the end of the crawl, that make a blanket 403.
    pub blanket_403_min: usize,
    /// Blocked answers after which an origin is no longer asked.
    pub stop_after_blocked: usize,
    /// Largest 2xx body in which a challenge marker makes the answer a challenge page (a
    /// real page may mention a WAF vendor; a challenge page is small).
    pub challenge_max_bytes: usize,
    /// Most links a 2xx challenge page may carry (a real page links to others; a challenge
    /// stub does not, even when it mentions a WAF vendor in a badge).
    pub challenge_max_links: usize,
    /// Bytes of visible text kept of an outbound link's target page (`link.outbound.bad_target`
    /// `sample_bytes`); None: targets are checked, not sampled.
    pub outbound_sample_bytes: Option<usize>,
    /// Parameters of the page facts for the content rules.
    pub facts: extract::FactRules,
}

/// Progress of one site's crawl, for progress bars.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub pages: usize,
    pub queued: usize,
    pub checked: usize,
    pub errors: usize,
    pub done: bool,
}

/// Receives what the crawl produces as it happens: progress bars, and the store, which writes
/// pages and link results as they arrive so a killed scan keeps them.
pub trait Observer: Send + Sync {
    /// A page was fetched and parsed, with the links on it (borrowed: an observer copies or
    /// encodes what it keeps). Called from the crawl's workers, outside any lock.
    fn page(&self, _site: &str, _page: &PageRecord, _links: &[RawLink]) {}
    /// A link target's outcome is known.
    fn link(&self, _site: &str, _link: &LinkFact) {}
    /// A site's progress changed.
    fn progress(&self, _site: &str, _p: Progress) {}
}

/// An earlier copy of a page, for conditional requests: if the server answers 304 Not
/// Modified, the stored page facts and links are reused.
#[derive(Debug, Clone)]
pub struct PreviousPage {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub page: PageRecord,
    pub links: Vec<PageLink>,
}

/// Where earlier copies of pages come from (the store).
pub trait PreviousPages: Send + Sync {
    /// The validators (ETag, Last-Modified) of the latest stored copy of a page, if any.
    /// Called for every page fetched: it must be cheap (an in-memory look-up).
    fn validators(&self, site: &str, url: &str) -> Option<(Option<String>, Option<String>)>;
    /// The latest stored copy of a page with validators, to reuse on a 304 (rare: may block).
    fn get(&self, site: &str, url: &str) -> Option<PreviousPage>;
}

/// What a scan already has of a site before crawling it: what a killed crawl had saved
/// (resumed without fetching it again), and where earlier copies of pages are.
#[derive(Default, Clone)]
pub struct SiteSeed {
    /// Pages already fetched in this scan, with their links, in crawl order.
    pub pages: Vec<(PageRecord, Vec<PageLink>)>,
    /// Link targets already checked in this scan.
    pub links: Vec<LinkFact>,
    /// What a killed crawl of the site saved, read one page and one link result at a time
    /// after `pages` and `links` (a resumed scan: a large site's saved crawl is never held
    /// whole). A failure to read it makes the site's crawl fail (its error says so), so that
    /// nothing saved is fetched and counted again.
    pub saved: Option<Arc<dyn StoredCrawl<Error = String> + Send + Sync>>,
    /// Earlier scans' pages, for conditional requests.
    pub previous: Option<Arc<dyn PreviousPages>>,
}

/// A site's crawl as kept by an observer (the store), read back page by page to judge it.
pub trait StoredCrawl {
    type Error;
    /// The URLs of the pages, in the order they were saved.
    fn page_urls(&self) -> Result<Vec<String>, Self::Error>;
    /// The link results, in the order they were first saved.
    fn links(&self) -> Result<Vec<LinkFact>, Self::Error>;
    /// Each page with the links on it, in the order they were saved.
    fn for_each_page(
        &self,
        f: &mut dyn FnMut(PageRecord, Vec<PageLink>),
    ) -> Result<(), Self::Error>;
    /// Each page URL, in the order they were saved, one at a time (by default from
    /// [`Self::page_urls`]; a store streams them, so a large site's URLs are not all held).
    fn for_each_page_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), Self::Error> {
        for u in self.page_urls()? {
            f(&u);
        }
        Ok(())
    }
    /// Each link result's URL, in the order they were first saved (by default from
    /// [`Self::links`]).
    fn for_each_link_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), Self::Error> {
        for l in self.links()? {
            f(&l.url);
        }
        Ok(())
    }
    /// Each link result, in the order they were first saved (by default from [`Self::links`]).
    fn for_each_link(&self, f: &mut dyn FnMut(LinkFact)) -> Result<(), Self::Error> {
        for l in self.links()? {
            f(l);
        }
        Ok(())
    }
    /// Each page's URL and depth with the links on it, in the order they were saved (by
    /// default from [`Self::for_each_page`]; a store reads only the link lists).
    fn for_each_link_list(
        &self,
        f: &mut dyn FnMut(&str, u32, Vec<PageLink>),
    ) -> Result<(), Self::Error> {
        self.for_each_page(&mut |p, links| f(&p.url, p.depth, links))
    }
    /// The page saved as `url` (its URL, else its final URL), by default found among all.
    fn page(&self, url: &str) -> Result<Option<PageRecord>, Self::Error> {
        let mut by_final = None;
        let mut found = None;
        self.for_each_page(&mut |p, _| {
            if found.is_none() && p.url == url {
                found = Some(p);
            } else if by_final.is_none() && p.final_url == url {
                by_final = Some(p);
            }
        })?;
        Ok(found.or(by_final))
    }
    /// The result saved for the link to `url`, by default found among all.
    fn link(&self, url: &str) -> Result<Option<LinkFact>, Self::Error> {
        Ok(self.links()?.into_iter().find(|l| l.url == url))
    }
    /// The links on the page saved as `url`, by default found among all.
    fn links_on(&self, url: &str) -> Result<Vec<PageLink>, Self::Error> {
        let mut out = Vec::new();
        self.for_each_page(&mut |p, links| {
            if p.url == url {
                out = links;
            }
        })?;
        Ok(out)
    }
}

/// A stored crawl whose errors are text (what [`SiteSeed::saved`] holds).
pub struct ErrText<S>(pub S);

impl<S> StoredCrawl for ErrText<S>
where
    S: StoredCrawl,
    S::Error: std::fmt::Display,
{
    type Error = String;

    fn page_urls(&self) -> Result<Vec<String>, String> {
        self.0.page_urls().map_err(|e| e.to_string())
    }
    fn links(&self) -> Result<Vec<LinkFact>, String> {
        self.0.links().map_err(|e| e.to_string())
    }
    fn for_each_page(&self, f: &mut dyn FnMut(PageRecord, Vec<PageLink>)) -> Result<(), String> {
        self.0.for_each_page(f).map_err(|e| e.to_string())
    }
    fn for_each_page_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), String> {
        self.0.for_each_page_url(f).map_err(|e| e.to_string())
    }
    fn for_each_link_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), String> {
        self.0.for_each_link_url(f).map_err(|e| e.to_string())
    }
    fn for_each_link(&self, f: &mut dyn FnMut(LinkFact)) -> Result<(), String> {
        self.0.for_each_link(f).map_err(|e| e.to_string())
    }
    fn for_each_link_list(
        &self,
        f: &mut dyn FnMut(&str, u32, Vec<PageLink>),
    ) -> Result<(), String> {
        self.0.for_each_link_list(f).map_err(|e| e.to_string())
    }
    fn page(&self, url: &str) -> Result<Option<PageRecord>, String> {
        self.0.page(url).map_err(|e| e.to_string())
    }
    fn link(&self, url: &str) -> Result<Option<LinkFact>, String> {
        self.0.link(url).map_err(|e| e.to_string())
    }
    fn links_on(&self, url: &str) -> Result<Vec<PageLink>, String> {
        self.0.links_on(url).map_err(|e| e.to_string())
    }
}

/// An observer that ignores everything.
pub struct NoObserver;
impl Observer for NoObserver {}

/// The answer of a link to another site, computed once per run.
pub(super) type ExternalCell = OnceCell<(FetchOutcome, Option<TargetSample>)>;

/// The crawler shared by every site of a run.
pub struct Crawler {
    pub(super) client: reqwest::Client,
    pub(super) origins: Arc<Origins>,
    pub(super) config: Arc<Config>,
    pub(super) rules: Arc<CrawlRules>,
    pub(super) observer: Arc<dyn Observer>,
    /// Results of links to other sites, shared across sites: checked once per run.
    pub(super) external: Mutex<HashMap<String, Arc<ExternalCell>>>,
    /// Answers of other sites' root pages, to tell a lone 403 from a blanket one.
    pub(super) roots: Mutex<HashMap<String, Arc<OnceCell<Option<u16>>>>>,
    /// Latest year that is not a far-future calendar page.
    pub(super) max_year: i32,
    /// Pages parsed at once across the process (`parse_concurrency`).
    pub(super) parsing: Arc<Semaphore>,
    /// DNS by record type, to tell a name that does not exist from one not answered.
    pub(super) dns: super::dns::Dns,
}

/// The crawler could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

impl Crawler {
    /// A crawler for the sites of `config`.
    pub fn new(
        config: Arc<Config>,
        rules: CrawlRules,
        observer: Arc<dyn Observer>,
        as_of_year: i32,
    ) -> Result<Crawler, CrawlError> {
        let c = &config.crawl;
        let resolver = crawl_resolver(&config);
        let client = reqwest::Client::builder()
            .user_agent(c.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(c.connect_timeout)
            .pool_max_idle_per_host(8)
            .pool_idle_timeout(Duration::from_secs(30))
            .no_proxy()
            .dns_resolver(Arc::new(resolver.clone()))
            .build()
            .map_err(|e| CrawlError::Client(e.to_string()))?;
        let origins = Arc::new(Origins::for_config(
            &config,
            resolver,
            rules.stop_after_blocked,
        ));
        let parsing = Arc::new(Semaphore::new(c.parse_concurrency.max(1)));
        let dns = super::dns::Dns::from_settings(&config.dns);
        Ok(Crawler {
            client,
            origins,
            config,
            rules: Arc::new(rules),
            observer,
            external: Mutex::new(HashMap::new()),
            roots: Mutex::new(HashMap::new()),
            max_year: as_of_year + 1,
            parsing,
            dns,
        })
    }

    /// Lease the request slots of rate-limited origins from `pace` (see
    /// [`super::origin::SharedPace`]).
    pub fn share_pace(&mut self, pace: Arc<dyn super::origin::SharedPace>) {
        self.origins.share_pace(pace);
    }

    /// The per-origin limiters and the global cap, shared with the IPv6 check.
    pub(crate) fn origins(&self) -> &Arc<Origins> {
        &self.origins
    }

    /// The configuration the crawler was built with.
    pub(crate) fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// Crawl one site and return its facts. Never fails: a site that cannot be reached is
    /// recorded as such.
    pub async fn crawl_site(self: &Arc<Self>, site: &SiteConfig) -> SiteFacts {
        self.crawl_site_seeded(site, SiteSeed::default()).await
    }

    /// Crawl one site, starting from what the scan already has of it (see [`SiteSeed`]).
    pub async fn crawl_site_seeded(
        self: &Arc<Self>,
        site: &SiteConfig,
        seed: SiteSeed,
    ) -> SiteFacts {
        self.crawl(site, seed, false).await
    }

    /// Crawl one site for an observer that keeps what the crawl produces (the store), keeping
    /// in memory only what the crawl needs to go on: the frontier, the seen set (hashes) and
    /// the home page's record. The facts returned have the crawl's times, robots note, request
    /// count, duration and home page, but no pages and no link facts: the site is judged from
    /// what the observer kept, read back with [`Crawler::replay_kept`]. Memory then does not
    /// grow with the site's pages while it is crawled.
    pub async fn crawl_site_lean(self: &Arc<Self>, site: &SiteConfig, seed: SiteSeed) -> SiteFacts {
        self.crawl(site, seed, true).await
    }

    async fn crawl(self: &Arc<Self>, site: &SiteConfig, seed: SiteSeed, lean: bool) -> SiteFacts {
        let settings = self.config.crawl_for(site);
        let started = Instant::now();
        let started_at = chrono::Utc::now().to_rfc3339();
        let hosts: HashSet<String> = site.all_hosts().into_iter().collect();
        self.origins.configure_site(site, &settings);
        let home = extract::canonicalize(&site.url, &settings.session_params);
        let state = self.site_run(site, settings, hosts, &home, seed.previous.clone(), lean);
        let robots_note = if state.settings.robots {
            state.robots_for(&home).await.describe()
        } else {
            "disabled by configuration".to_string()
        };
        state.probe_not_found(&home).await;
        let seeded = {
            let mut st = state.lock();
            state.apply_seed(&mut st, seed);
            st.seed_error.is_none()
        };
        if seeded {
            let mut st = state.lock();
            if st.frontier.mark(home.as_str()) {
                st.frontier.push(Task {
                    url: home.clone(),
                    key: home.to_string(),
                    depth: 0,
                    kind: TaskKind::Page,
                    internal: true,
                    sample: false,
                });
            }
            // Column URLs the inspector knows are crawled as if linked from the home page.
            for u in site.columns.values() {
                let u = extract::canonicalize(u, &state.settings.session_params);
                let key = u.to_string();
                if st.frontier.mark(&key) {
                    let internal = state.in_scope(&u);
                    st.frontier.push(Task {
                        url: u,
                        key,
                        depth: 1,
                        kind: TaskKind::Page,
                        internal,
                        sample: false,
                    });
                }
            }
        }
        // What was saved could not be read back: nothing is fetched again (the site's error
        // says why), so nothing saved is counted twice.
        let workers = if seeded {
            state.settings.concurrency_per_site.max(1)
        } else {
            0
        };
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..workers {
            let s = state.clone();
            set.spawn(async move { s.work().await });
        }
        while let Some(r) = set.join_next().await {
            if let Err(e) = r {
                // A worker panicked (a bug): the others go on; the site is marked.
                tracing::error!(site = %site.name, error = %e, "crawl worker failed");
                state.lock().worker_failures += 1;
            }
        }
        let facts = state.finish(site, started_at, started.elapsed(), robots_note);
        self.observer.progress(
            &site.name,
            Progress {
                pages: facts.stats.pages,
                queued: 0,
                checked: facts.stats.checked,
                errors: facts.stats.broken,
                done: true,
            },
        );
        facts
    }

    /// Rebuild a site's facts from what a scan saved, without the network: the saved pages
    /// (with their links) and link results are taken in as `--resume` takes them, and nothing
    /// is fetched. What the checks read (pages, their facts, link results, referrers, the home
    /// page) comes out as the crawl had it, so stored scans can be judged again under other
    /// rules or another as-of time.
    pub fn replay_site(self: &Arc<Self>, site: &SiteConfig, seed: SiteSeed) -> SiteFacts {
        let settings = self.config.crawl_for(site);
        let hosts: HashSet<String> = site.all_hosts().into_iter().collect();
        let home = extract::canonicalize(&site.url, &settings.session_params);
        let state = self.site_run(site, settings, hosts, &home, None, false);
        {
            let mut st = state.lock();
            state.apply_seed(&mut st, seed);
        }
        state.finish(
            site,
            chrono::Utc::now().to_rfc3339(),
            Duration::ZERO,
            "not fetched (judged from the store)".to_string(),
        )
    }

    /// Rebuild a site's facts from a stored crawl, as [`Crawler::replay_site`] does, reading
    /// the pages one at a time (a site's pages with their link lists are never all in memory
    /// at once, only the facts the checks read).
    pub fn replay_stored<S: StoredCrawl>(
        self: &Arc<Self>,
        site: &SiteConfig,
        stored: &S,
    ) -> Result<SiteFacts, S::Error> {
        let settings = self.config.crawl_for(site);
        let hosts: HashSet<String> = site.all_hosts().into_iter().collect();
        let home = extract::canonicalize(&site.url, &settings.session_params);
        let state = self.site_run(site, settings, hosts, &home, None, false);
        {
            // Streamed: the URLs mark the seen set, then the pages are taken in, then the
            // link results, one at a time (none of the store's lists is held whole).
            let mut st = state.lock();
            stored.for_each_page_url(&mut |u| state.mark_seeded(&mut st, std::iter::once(u)))?;
            stored.for_each_link_url(&mut |u| state.mark_seeded_link(&mut st, u))?;
            let mut reclassified = Vec::new();
            stored.for_each_page(&mut |page, links| {
                state.apply_seeded_page(&mut st, page, links, &mut reclassified);
            })?;
            stored.for_each_link(&mut |l| state.apply_seeded_link(&mut st, l))?;
            state.apply_reclassified(&mut st, reclassified);
        }
        Ok(state.finish(
            site,
            chrono::Utc::now().to_rfc3339(),
            Duration::ZERO,
            "not fetched (judged from the store)".to_string(),
        ))
    }

    pub(super) fn site_run(
        self: &Arc<Self>,
        site: &SiteConfig,
        settings: CrawlSettings,
        hosts: HashSet<String>,
        home: &Url,
        previous: Option<Arc<dyn PreviousPages>>,
        lean: bool,
    ) -> Arc<SiteRun> {
        Arc::new(SiteRun {
            crawler: self.clone(),
            site_name: site.name.clone(),
            hosts,
            port: site.url.port(),
            limits: FetchLimits {
                total_timeout: settings.total_timeout,
                max_body_bytes: settings.max_body_bytes,
                max_redirects: settings.max_redirects,
                retries: settings.retries,
                retry_backoff: settings.retry_backoff,
                max_retry_after: settings.max_retry_after,
            },
            settings,
            home_key: home.to_string(),
            state: Mutex::new(SiteState::default()),
            notify: Notify::new(),
            not_found: OnceCell::new(),
            previous,
            lean,
        })
    }
}
