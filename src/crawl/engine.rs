//! The crawl loop of one site: workers take tasks from the site's frontier, fetch, extract,
//! enqueue what they find, and stop when the queue is empty and nothing is in flight (counted
//! explicitly, so termination is certain). Pages stream through extraction and are dropped;
//! only facts are kept.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use tokio::sync::{Notify, OnceCell, Semaphore};
use url::Url;
use xxhash_rust::xxh3::xxh3_64;

use super::fetch::{fetch, BodyMode, FetchLimits, Fetched, Validators};
use super::frontier::{Frontier, Task, TaskKind};
use super::origin::{origin_key, Origins, Rate, Robots};
use super::resolve::Resolver;
use super::types::*;
use crate::config::{Config, CrawlSettings, SiteConfig};
use crate::extract::{self, LinkTarget, RawLink};

/// Referrers kept per link target (all are counted).
const MAX_REFERRERS: usize = 20;

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
    /// Earlier scans' pages, for conditional requests.
    pub previous: Option<Arc<dyn PreviousPages>>,
}

/// An observer that ignores everything.
pub struct NoObserver;
impl Observer for NoObserver {}

/// The crawler shared by every site of a run.
pub struct Crawler {
    client: reqwest::Client,
    origins: Arc<Origins>,
    config: Arc<Config>,
    rules: Arc<CrawlRules>,
    observer: Arc<dyn Observer>,
    /// Results of links to other sites, shared across sites: checked once per run.
    external: Mutex<HashMap<String, Arc<OnceCell<FetchOutcome>>>>,
    /// Answers of other sites' root pages, to tell a lone 403 from a blanket one.
    roots: Mutex<HashMap<String, Arc<OnceCell<Option<u16>>>>>,
    /// Latest year that is not a far-future calendar page.
    max_year: i32,
    /// Pages parsed at once across the process (`parse_concurrency`).
    parsing: Arc<Semaphore>,
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
        let trusted: HashSet<String> = config.sites.iter().flat_map(|s| s.all_hosts()).collect();
        let allow_private = c.allow_private_addresses;
        let resolver = Resolver::new(config.resolve.clone(), allow_private, trusted);
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
        let default_rate = Rate {
            per_second: c.rate_per_origin,
            burst: c.burst,
        };
        let origins = Arc::new(Origins::new(
            default_rate,
            c.max_in_flight,
            resolver,
            rules.stop_after_blocked,
        ));
        let parsing = Arc::new(Semaphore::new(c.parse_concurrency.max(1)));
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
        })
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
        let settings = self.config.crawl_for(site);
        let started = Instant::now();
        let started_at = chrono::Utc::now().to_rfc3339();
        let hosts: HashSet<String> = site.all_hosts().into_iter().collect();
        let rate = Rate {
            per_second: settings.rate_per_origin,
            burst: settings.burst,
        };
        self.origins.configure(&site.url, rate);
        for h in &hosts {
            for scheme in ["http", "https"] {
                if let Ok(mut u) = Url::parse(&format!("{scheme}://{h}/")) {
                    if u.host_str() == site.url.host_str() && scheme == site.url.scheme() {
                        let _ = u.set_port(site.url.port());
                    }
                    self.origins.configure(&u, rate);
                }
            }
        }
        let home = extract::canonicalize(&site.url, &settings.session_params);
        let state = self.site_run(site, settings, hosts, &home, seed.previous.clone());
        let robots_note = if state.settings.robots {
            state.robots_for(&home).await.describe()
        } else {
            "disabled by configuration".to_string()
        };
        state.probe_not_found(&home).await;
        {
            let mut st = state.lock();
            state.apply_seed(&mut st, seed);
            if st.frontier.mark(home.as_str()) {
                st.frontier.push(Task {
                    url: home.clone(),
                    key: home.to_string(),
                    depth: 0,
                    kind: TaskKind::Page,
                    internal: true,
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
                    });
                }
            }
        }
        let workers = state.settings.concurrency_per_site.max(1);
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
        let state = self.site_run(site, settings, hosts, &home, None);
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

    fn site_run(
        self: &Arc<Self>,
        site: &SiteConfig,
        settings: CrawlSettings,
        hosts: HashSet<String>,
        home: &Url,
        previous: Option<Arc<dyn PreviousPages>>,
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
        })
    }

    async fn root_status(&self, url: &Url, limits: &FetchLimits) -> Option<u16> {
        let mut root = url.clone();
        root.set_path("/");
        root.set_query(None);
        let key = origin_key(&root);
        let cell = match self.roots.lock() {
            Ok(mut m) => m.entry(key).or_default().clone(),
            Err(_) => return None,
        };
        *cell
            .get_or_init(|| async {
                let f = fetch(
                    &self.client,
                    &self.origins,
                    &root,
                    Method::GET,
                    BodyMode::Peek,
                    limits,
                    None,
                )
                .await;
                f.http_status()
            })
            .await
    }
}

#[derive(Default)]
struct SiteState {
    frontier: Frontier,
    in_flight: usize,
    links: BTreeMap<String, LinkFact>,
    pages: Vec<PageRecord>,
    home: Option<PageRecord>,
    home_keys: HashSet<String>,
    /// (origin, link key, HTTP status) of every answer, in order, for the blanket-403 rule.
    answers: Vec<(String, String, u16)>,
    stats: CrawlStats,
    worker_failures: usize,
}

struct SiteRun {
    crawler: Arc<Crawler>,
    site_name: String,
    hosts: HashSet<String>,
    /// The site's explicit non-default port, if any.
    port: Option<u16>,
    settings: CrawlSettings,
    limits: FetchLimits,
    home_key: String,
    state: Mutex<SiteState>,
    notify: Notify,
    /// How the site answers a path that cannot exist: status, title and text fingerprint.
    not_found: OnceCell<Option<(Option<String>, u64)>>,
    /// Earlier copies of pages, for conditional requests.
    previous: Option<Arc<dyn PreviousPages>>,
}

enum Next {
    Task(Task),
    Wait,
    Done,
}

impl SiteRun {
    fn lock(&self) -> std::sync::MutexGuard<'_, SiteState> {
        // A poisoned lock means a worker panicked mid-update; the data is still usable for
        // the facts gathered so far.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a URL belongs to the site: one of its hosts, on the site's own port (a site at
    /// a default port owns the default ports of both schemes).
    fn in_scope(&self, url: &Url) -> bool {
        let host_ok = url
            .host_str()
            .is_some_and(|h| self.hosts.contains(&h.to_ascii_lowercase()));
        let port_ok = match self.port {
            Some(p) => url.port_or_known_default() == Some(p),
            None => url.port().is_none(),
        };
        host_ok && port_ok
    }

    fn parse_settings(&self) -> ParseSettings {
        ParseSettings {
            session_params: self.settings.session_params.clone(),
            max_links_per_page: self.settings.max_links_per_page,
        }
    }

    async fn work(self: Arc<Self>) {
        loop {
            let notified = self.notify.notified();
            let next = {
                let mut st = self.lock();
                match st.frontier.pop() {
                    Some(t) => {
                        st.in_flight += 1;
                        Next::Task(t)
                    }
                    None if st.in_flight == 0 => Next::Done,
                    None => Next::Wait,
                }
            };
            match next {
                Next::Done => {
                    self.notify.notify_waiters();
                    return;
                }
                Next::Wait => notified.await,
                Next::Task(task) => {
                    let result = self.run(task).await;
                    // Observed before the site's lock is taken: the store encodes the page
                    // here, in parallel with the other workers.
                    if let Some(page) = &result.page {
                        self.crawler
                            .observer
                            .page(&self.site_name, page, &result.links);
                    }
                    let progress = {
                        let mut st = self.lock();
                        self.apply(&mut st, result);
                        st.in_flight -= 1;
                        Progress {
                            pages: st.stats.pages,
                            queued: st.frontier.len() + st.in_flight,
                            checked: st.stats.checked,
                            errors: st.stats.broken,
                            done: false,
                        }
                    };
                    self.notify.notify_waiters();
                    self.crawler.observer.progress(&self.site_name, progress);
                }
            }
        }
    }

    async fn robots_for(&self, url: &Url) -> Arc<Robots> {
        let client = self.crawler.client.clone();
        let origins = self.crawler.origins.clone();
        let limits = self.limits.clone();
        self.crawler
            .origins
            .robots(
                url,
                self.settings.max_crawl_delay,
                |robots_url| async move {
                    let f = fetch(
                        &client,
                        &origins,
                        &robots_url,
                        Method::GET,
                        BodyMode::Full,
                        &limits,
                        None,
                    )
                    .await;
                    match &f.outcome.status {
                        LinkStatus::Ok { .. } => {
                            let agent = "govscan";
                            match texting_robots::Robot::new(agent, &f.body) {
                                Ok(r) => Robots::Parsed(Box::new(r)),
                                Err(_) => Robots::AllowAll,
                            }
                        }
                        LinkStatus::HttpError { status } if (400..500).contains(status) => {
                            Robots::AllowAll
                        }
                        LinkStatus::Blocked { .. } => Robots::AllowAll,
                        // RFC 9309: a server error means "assume complete disallow".
                        LinkStatus::HttpError { status } => {
                            Robots::DisallowAll(format!("HTTP {status}"))
                        }
                        // The origin cannot be reached at all: its pages cannot either, and saying
                        // "disallowed" would hide that. Let the page request fail on its own.
                        _ => Robots::AllowAll,
                    }
                },
            )
            .await
    }

    async fn probe_not_found(&self, home: &Url) {
        let mut u = home.clone();
        let token: u64 = rand::random();
        u.set_path(&format!("/govscan-not-found-{token:016x}.html"));
        u.set_query(None);
        if self.settings.robots && !self.robots_for(&u).await.allowed(&u) {
            let _ = self.not_found.set(None);
            return;
        }
        let mut f = fetch(
            &self.crawler.client,
            &self.crawler.origins,
            &u,
            Method::GET,
            BodyMode::Full,
            &self.limits,
            None,
        )
        .await;
        // A challenge page is not the site's answer to a missing page: comparing pages with
        // it would make every challenged page a soft 404.
        self.classify_block(&u, &mut f);
        let sig = match f.outcome.status {
            LinkStatus::Ok { status: 200 } if f.is_html() => parse_page(
                f.body,
                f.content_type,
                f.final_url,
                1,
                self.crawler.rules.clone(),
                self.parse_settings(),
                self.crawler.parsing.clone(),
            )
            .await
            .filter(|p| !p.binary)
            .map(|p| (p.page.title, fingerprint(&p.page.text))),
            _ => None,
        };
        let _ = self.not_found.set(sig);
    }

    async fn run(&self, task: Task) -> TaskResult {
        if task.internal
            && self.settings.robots
            && !self.robots_for(&task.url).await.allowed(&task.url)
        {
            return TaskResult::status_only(task, LinkStatus::RobotsDisallowed);
        }
        if !task.internal {
            return self.run_external(task).await;
        }
        match task.kind {
            TaskKind::Page => self.run_page(task).await,
            TaskKind::Check => {
                let f = self.check(&task.url).await;
                TaskResult::fetched(task, f, None)
            }
        }
    }

    async fn run_external(&self, task: Task) -> TaskResult {
        let cell = match self.crawler.external.lock() {
            Ok(mut m) => m.entry(task.key.clone()).or_default().clone(),
            Err(_) => Arc::new(OnceCell::new()),
        };
        let mut requests = 0;
        let outcome = cell
            .get_or_init(|| async {
                let f = self.check(&task.url).await;
                requests = f.requests;
                let mut outcome = f.outcome.clone();
                if outcome.status == (LinkStatus::HttpError { status: 403 }) {
                    // A lone 403 from another site: is it the page, or the site refusing us?
                    let root = self.crawler.root_status(&f.final_url, &self.limits).await;
                    if matches!(root, Some(403) | None)
                        || root.is_some_and(|s| self.crawler.rules.blocked_statuses.contains(&s))
                    {
                        outcome.status = LinkStatus::Blocked {
                            status: Some(403),
                            reason: "该站点首页同样拒绝访问（403）".into(),
                        };
                    }
                }
                outcome
            })
            .await
            .clone();
        TaskResult {
            task,
            outcome,
            page: None,
            links: Vec::new(),
            requests,
            answer: None,
        }
    }

    /// Check a link: HEAD, then GET (a small prefix) when HEAD is refused or fails, since many
    /// government servers answer HEAD wrongly.
    async fn check(&self, url: &Url) -> Fetched {
        let c = &self.crawler;
        let head = fetch(
            &c.client,
            &c.origins,
            url,
            Method::HEAD,
            BodyMode::None,
            &self.limits,
            None,
        )
        .await;
        let retry_with_get = match &head.outcome.status {
            LinkStatus::HttpError { status } => *status != 429,
            LinkStatus::Connection { .. } => true,
            // An origin that has served challenge pages may serve one to HEAD with a 200 and
            // no body: look at the body before counting the link as working.
            LinkStatus::Ok { .. } => c.origins.blocked_count(&head.final_url) > 0,
            _ => false,
        };
        let mut f = if retry_with_get {
            let mut g = fetch(
                &c.client,
                &c.origins,
                url,
                Method::GET,
                BodyMode::Peek,
                &self.limits,
                None,
            )
            .await;
            g.requests += head.requests;
            g
        } else {
            head
        };
        self.classify_block(url, &mut f);
        f
    }

    /// Relabel an answer that is the server refusing the scanner (429, 412, a challenge page).
    fn classify_block(&self, url: &Url, f: &mut Fetched) {
        let rules = &self.crawler.rules;
        let status = match &f.outcome.status {
            LinkStatus::Ok { status } | LinkStatus::HttpError { status } => *status,
            _ => return,
        };
        let mut reason: Option<String> = None;
        if f.header("cf-mitigated")
            .is_some_and(|v| v.eq_ignore_ascii_case("challenge"))
        {
            reason = Some("Cloudflare 人机验证".into());
        } else if rules.blocked_statuses.contains(&status) {
            reason = Some(if status == 429 {
                "请求过多（429）".into()
            } else {
                format!("防护系统拦截（HTTP {status}）")
            });
        } else if !f.body.is_empty() {
            // A challenge page served with 200 is recognised by its content too, when it is
            // small enough to be one (a real page may mention a WAF vendor in passing).
            let success = (200..300).contains(&status);
            if !success || (f.body.len() <= rules.challenge_max_bytes && !f.truncated) {
                let head = String::from_utf8_lossy(&f.body[..f.body.len().min(64 * 1024)]);
                if let Some(m) = rules
                    .challenge_markers
                    .iter()
                    .find(|m| head.contains(m.as_str()))
                {
                    reason = Some(format!("防护系统验证页（{m}）"));
                }
            }
        }
        if let Some(reason) = reason {
            f.outcome.status = LinkStatus::Blocked {
                status: Some(status),
                reason,
            };
            self.crawler.origins.note_blocked(url);
        }
    }

    async fn run_page(&self, task: Task) -> TaskResult {
        let c = &self.crawler;
        let validators = self
            .previous
            .as_ref()
            .and_then(|p| p.validators(&self.site_name, &task.key))
            .map(|(etag, last_modified)| Validators {
                etag,
                last_modified,
            });

        let mut f = fetch(
            &c.client,
            &c.origins,
            &task.url,
            Method::GET,
            BodyMode::Full,
            &self.limits,
            validators.as_ref(),
        )
        .await;
        if f.outcome.status == (LinkStatus::Ok { status: 304 }) {
            // The stored copy is read only now, off the async workers.
            let prev = match self.previous.clone() {
                Some(p) => {
                    let (site, key) = (self.site_name.clone(), task.key.clone());
                    tokio::task::spawn_blocking(move || p.get(&site, &key))
                        .await
                        .ok()
                        .flatten()
                }
                None => None,
            };
            if let Some(prev) = prev {
                return not_modified(task, f, prev);
            }
        }
        self.classify_block(&task.url, &mut f);
        let answer = f.http_status().map(|s| (origin_key(&f.final_url), s));
        let final_key =
            extract::canonicalize(&f.final_url, &self.settings.session_params).to_string();
        let parse = f.outcome.status.is_ok() && f.is_html() && self.in_scope(&f.final_url) && {
            // A redirect to a page already crawled or queued is not parsed again.
            final_key == task.key || self.lock().frontier.mark(&final_key)
        };
        if !parse {
            let mut r = TaskResult::fetched(task, f, None);
            r.answer = answer;
            return r;
        }
        let Some(parsed) = parse_page(
            std::mem::take(&mut f.body),
            f.content_type.clone(),
            f.final_url.clone(),
            task.depth,
            c.rules.clone(),
            self.parse_settings(),
            c.parsing.clone(),
        )
        .await
        else {
            tracing::warn!(url = %f.final_url, "the page could not be parsed");
            let mut r = TaskResult::fetched(task, f, None);
            r.answer = answer;
            return r;
        };
        let page = parsed.page;
        let page_facts = parsed.facts;
        let mut outcome = f.outcome.clone();
        if let Some(reason) = extract::soft404::soft404_reason(
            page.title.as_deref(),
            &page.text,
            &c.rules.soft404_patterns,
        ) {
            outcome.status = LinkStatus::Soft404 { reason };
        } else if let (Some(Some((title, nf))), false) = (self.not_found.get(), parsed.binary) {
            // Compared only on sites that answer 200 to a path that cannot exist, and titles
            // first: the fingerprint walks the whole text.
            if *title == page.title && task.depth > 0 && *nf == fingerprint(&page.text) {
                outcome.status = LinkStatus::Soft404 {
                    reason: "与网站对不存在地址的应答相同".into(),
                };
            }
        }
        let record = PageRecord {
            url: task.key.clone(),
            final_url: f.final_url.to_string(),
            depth: task.depth,
            status: outcome.status.clone(),
            charset: Some(parsed.encoding.to_string()),
            title: page.title.clone(),
            content_hash: Some(format!("{:016x}", parsed.text_hash)),
            etag: f.etag.clone(),
            last_modified: f.last_modified.clone(),
            fetched_at: chrono::Utc::now().to_rfc3339(),
            elapsed_ms: f.outcome.elapsed_ms,
            bytes: f.bytes,
            truncated: f.truncated || parsed.limited,
            links_found: page.links.len(),
            facts: page_facts,
        };
        let links = if outcome.status.is_ok() {
            page.links
        } else {
            Vec::new()
        };
        TaskResult {
            requests: f.requests,
            task,
            outcome,
            page: Some(record),
            links,
            answer,
        }
    }

    /// Take in what the scan already has of the site: seen URLs are never fetched again, the
    /// saved pages' links are followed as if just parsed, saved link outcomes are kept.
    fn apply_seed(&self, st: &mut SiteState, seed: SiteSeed) {
        for (page, _) in &seed.pages {
            st.frontier.mark(&page.url);
            st.frontier.pages_enqueued += 1;
        }
        for l in &seed.links {
            if st.frontier.mark(&l.url) {
                st.frontier.checks_enqueued += 1;
            }
        }
        for (page, links) in seed.pages {
            let Ok(url) = Url::parse(&page.url) else {
                continue;
            };
            let outcome = FetchOutcome {
                status: page.status.clone(),
                redirects: Vec::new(),
                final_url: page.final_url.clone(),
                elapsed_ms: page.elapsed_ms,
            };
            let task = Task {
                key: page.url.clone(),
                url,
                depth: page.depth,
                kind: TaskKind::Page,
                internal: true,
            };
            let links = links.iter().map(PageLink::to_raw).collect();
            let r = TaskResult {
                task,
                outcome,
                page: Some(page),
                links,
                requests: 0,
                answer: None,
            };
            self.apply_inner(st, r, false);
        }
        for l in seed.links {
            if let Some(status) = l.outcome.status.http_status() {
                if let Ok(u) = Url::parse(&l.outcome.final_url) {
                    st.answers.push((origin_key(&u), l.url.clone(), status));
                }
            }
            match st.links.get_mut(&l.url) {
                Some(existing) => existing.outcome = l.outcome,
                None => {
                    st.links.insert(l.url.clone(), l);
                }
            }
        }
    }

    /// Fold a task's result into the site state and enqueue what it found.
    fn apply(&self, st: &mut SiteState, r: TaskResult) {
        self.apply_inner(st, r, true);
    }

    fn apply_inner(&self, st: &mut SiteState, r: TaskResult, observe: bool) {
        st.stats.requests += r.requests;
        if !matches!(
            r.outcome.status,
            LinkStatus::RobotsDisallowed
                | LinkStatus::NotHttp { .. }
                | LinkStatus::NotChecked { .. }
        ) {
            st.stats.checked += 1;
        }
        if let Some((origin, status)) = r.answer.clone() {
            st.answers.push((origin, r.task.key.clone(), status));
        }
        let is_home = r.task.depth == 0 && r.task.key == self.home_key;
        let entry = st
            .links
            .entry(r.task.key.clone())
            .or_insert_with(|| LinkFact {
                url: r.task.key.clone(),
                internal: r.task.internal,
                on_home: false,
                outcome: r.outcome.clone(),
                referrers: Vec::new(),
                referrer_count: 0,
            });
        entry.outcome = r.outcome.clone();
        if observe {
            self.crawler.observer.link(&self.site_name, entry);
        }
        let Some(page) = r.page else { return };
        let page_url = page.url.clone();
        if is_home {
            st.home_keys.insert(page.url.clone());
            st.home_keys.insert(page.final_url.clone());
            st.home = Some(page.clone());
        }
        if page.status.is_ok() {
            st.stats.pages += 1;
        }
        let on_home = is_home || st.home_keys.contains(&page_url);
        st.pages.push(page);
        for link in r.links {
            self.add_link(st, &page_url, r.task.depth, on_home, link);
        }
    }

    fn add_link(&self, st: &mut SiteState, page: &str, depth: u32, on_home: bool, link: RawLink) {
        let (key, url) = match &link.target {
            LinkTarget::Http(u) => (u.to_string(), Some(u.clone())),
            LinkTarget::NotHttp { raw, .. } | LinkTarget::Invalid { raw, .. } => {
                (raw.clone(), None)
            }
        };
        let referrer = Referrer {
            page: page.to_string(),
            text: link.text.clone(),
            element: link.element,
        };
        if let Some(fact) = st.links.get_mut(&key) {
            if fact.referrers.last().map(|r| r.page.as_str()) != Some(page) {
                fact.referrer_count += 1;
                if fact.referrers.len() < MAX_REFERRERS {
                    fact.referrers.push(referrer);
                }
            }
            fact.on_home |= on_home;
            return;
        }
        let pending = |status: LinkStatus, internal: bool| LinkFact {
            url: key.clone(),
            internal,
            on_home,
            outcome: FetchOutcome {
                status,
                redirects: Vec::new(),
                final_url: key.clone(),
                elapsed_ms: 0,
            },
            referrers: vec![referrer.clone()],
            referrer_count: 1,
        };
        let Some(url) = url else {
            let status = match &link.target {
                LinkTarget::NotHttp { scheme, .. } => LinkStatus::NotHttp {
                    scheme: scheme.clone(),
                },
                LinkTarget::Invalid { reason, .. } => LinkStatus::InvalidUrl {
                    message: reason.clone(),
                },
                LinkTarget::Http(_) => LinkStatus::NotChecked {
                    reason: "内部错误".into(),
                },
            };
            st.links.insert(key.clone(), pending(status, false));
            return;
        };
        let internal = self.in_scope(&url);
        if st.frontier.seen(&key) {
            // Seen (e.g. as a redirect target) but not yet a link: record the link.
            st.links.insert(
                key.clone(),
                pending(
                    LinkStatus::NotChecked {
                        reason: "已在抓取中".into(),
                    },
                    internal,
                ),
            );
            return;
        }
        st.frontier.mark(&key);
        let s = &self.settings;
        let mut fact = pending(
            LinkStatus::NotChecked {
                reason: "等待检查".into(),
            },
            internal,
        );
        let kind = if !internal {
            if !s.check_external {
                fact.outcome.status = LinkStatus::NotChecked {
                    reason: "未启用外部链接检查".into(),
                };
                None
            } else {
                Some(TaskKind::Check)
            }
        } else if link.element.is_navigation() {
            if let Some(trap) = st.frontier.trap(
                &url,
                s.max_url_length,
                s.max_query_variants,
                self.crawler.max_year,
            ) {
                st.stats.trap_skipped += 1;
                fact.outcome.status = LinkStatus::NotChecked {
                    reason: trap.zh().into(),
                };
                None
            } else if depth < s.max_depth && st.frontier.pages_enqueued < s.max_pages {
                Some(TaskKind::Page)
            } else {
                Some(TaskKind::Check)
            }
        } else {
            Some(TaskKind::Check)
        };
        let kind = match kind {
            Some(TaskKind::Check) if st.frontier.checks_enqueued >= s.max_links => {
                fact.outcome.status = LinkStatus::NotChecked {
                    reason: "超出每站检查链接数上限".into(),
                };
                None
            }
            k => k,
        };
        st.links.insert(key.clone(), fact);
        if let Some(kind) = kind {
            st.frontier.push(Task {
                url,
                key,
                depth: depth + 1,
                kind,
                internal,
            });
        }
    }

    fn finish(
        &self,
        site: &SiteConfig,
        started_at: String,
        elapsed: Duration,
        robots: String,
    ) -> SiteFacts {
        let mut st = self.lock();
        let min = self.crawler.rules.blanket_403_min.max(1);
        // Blanket 403: from some point on, an origin answered 403 to everything (at least
        // `min` times): the scanner was shut out, the pages are not broken.
        let mut by_origin: HashMap<&str, Vec<(&str, u16)>> = HashMap::new();
        for (o, k, s) in &st.answers {
            by_origin
                .entry(o.as_str())
                .or_default()
                .push((k.as_str(), *s));
        }
        let mut relabel: Vec<String> = Vec::new();
        for answers in by_origin.values() {
            if let Some(first) = answers.iter().position(|(_, s)| *s == 403) {
                let tail = &answers[first..];
                if tail.len() >= min && tail.iter().all(|(_, s)| *s == 403) {
                    relabel.extend(tail.iter().map(|(k, _)| k.to_string()));
                }
            }
        }
        for k in relabel {
            if let Some(f) = st.links.get_mut(&k) {
                if f.outcome.status == (LinkStatus::HttpError { status: 403 }) {
                    f.outcome.status = LinkStatus::Blocked {
                        status: Some(403),
                        reason: "站点对扫描器全部返回403".into(),
                    };
                }
            }
            for p in st.pages.iter_mut().filter(|p| p.url == k) {
                p.status = LinkStatus::Blocked {
                    status: Some(403),
                    reason: "站点对扫描器全部返回403".into(),
                };
            }
        }
        let mut stats = std::mem::take(&mut st.stats);
        stats.links = st.links.len();
        // Counted from the links rather than as tasks finish, so that a resumed crawl counts
        // what it reused exactly once.
        stats.checked = st
            .links
            .values()
            .filter(|l| l.outcome.status.was_requested())
            .count();
        stats.broken = st
            .links
            .values()
            .filter(|l| l.outcome.status.is_broken())
            .count();
        stats.blocked = st
            .links
            .values()
            .filter(|l| l.outcome.status.is_blocked())
            .count();
        stats.robots_disallowed = st
            .links
            .values()
            .filter(|l| l.outcome.status == LinkStatus::RobotsDisallowed)
            .count();
        stats.duration_ms = elapsed.as_millis() as u64;
        let home = st.home.clone().or_else(|| {
            // The home page was not parsed (not HTML, failed): keep its outcome as a record.
            st.links.get(&self.home_key).map(|l| PageRecord {
                url: l.url.clone(),
                final_url: l.outcome.final_url.clone(),
                depth: 0,
                status: l.outcome.status.clone(),
                charset: None,
                title: None,
                content_hash: None,
                etag: None,
                last_modified: None,
                fetched_at: chrono::Utc::now().to_rfc3339(),
                elapsed_ms: l.outcome.elapsed_ms,
                bytes: 0,
                truncated: false,
                links_found: 0,
                facts: Default::default(),
            })
        });
        let error = match &home {
            Some(h) if h.status.is_ok() => None,
            Some(h) => Some(format!("首页无法访问：{}", h.status.zh())),
            None => Some("首页未能抓取".to_string()),
        };
        let error = if st.worker_failures > 0 {
            Some(format!(
                "{}；{} 个抓取任务异常中止",
                error.unwrap_or_default(),
                st.worker_failures
            ))
        } else {
            error
        };
        SiteFacts {
            name: site.name.clone(),
            url: site.url.to_string(),
            level: site.level,
            kind: site.kind,
            started_at,
            finished_at: chrono::Utc::now().to_rfc3339(),
            home,
            pages: std::mem::take(&mut st.pages),
            links: std::mem::take(&mut st.links),
            not_found_probe: None,
            robots,
            stats,
            error,
            configured_columns: site
                .columns
                .iter()
                .map(|(name, u)| {
                    let u = extract::canonicalize(u, &self.settings.session_params);
                    (name.clone(), u.to_string())
                })
                .collect(),
            site_id_code: site.site_id_code.clone(),
        }
    }
}

struct TaskResult {
    task: Task,
    outcome: FetchOutcome,
    page: Option<PageRecord>,
    links: Vec<RawLink>,
    requests: usize,
    answer: Option<(String, u16)>,
}

impl TaskResult {
    fn status_only(task: Task, status: LinkStatus) -> TaskResult {
        let final_url = task.key.clone();
        TaskResult {
            task,
            outcome: FetchOutcome {
                status,
                redirects: Vec::new(),
                final_url,
                elapsed_ms: 0,
            },
            page: None,
            links: Vec::new(),
            requests: 0,
            answer: None,
        }
    }

    fn fetched(task: Task, f: Fetched, page: Option<PageRecord>) -> TaskResult {
        let answer = f.http_status().map(|s| (origin_key(&f.final_url), s));
        TaskResult {
            task,
            requests: f.requests,
            outcome: f.outcome,
            page,
            links: Vec::new(),
            answer,
        }
    }
}

struct Parsed {
    encoding: &'static str,
    page: extract::ExtractedPage,
    facts: extract::PageFacts,
    text_hash: u64,
    /// The page was read only in part (see [`extract::PageFacts::parse_limit`]).
    limited: bool,
    /// Binary content: not parsed at all.
    binary: bool,
}

/// Decode and extract a page on the blocking pool: parsing is CPU work, so it must not stall
/// the async workers. At most `parse_concurrency` pages are parsed at once (the permit), and
/// each costs a bounded multiple of its body (see [`extract::bounded`]): binary content is not
/// parsed (None), a page too deep or too large for a DOM is scanned for links by the
/// tokenizer, and links beyond `max_links_per_page` are counted, not kept. A parser panic on
/// a malformed page is contained here and gives None.
async fn parse_page(
    body: Vec<u8>,
    content_type: Option<String>,
    url: Url,
    depth: u32,
    rules: Arc<CrawlRules>,
    settings: ParseSettings,
    parsing: Arc<Semaphore>,
) -> Option<Parsed> {
    if extract::looks_binary(&body) {
        // Recorded as a page with nothing in it: binary content has no text or links.
        let facts = extract::PageFacts {
            parse_limit: Some("binary content (control characters): not parsed".into()),
            ..Default::default()
        };
        return Some(Parsed {
            encoding: "binary",
            page: extract::ExtractedPage::default(),
            facts,
            text_hash: xxh3_64(&body),
            limited: true,
            binary: true,
        });
    }
    let _permit = parsing.acquire_owned().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let d = extract::decode(&body, content_type.as_deref());
        drop(body);
        let limits = extract::ParseLimits::with_max_links(settings.max_links_per_page);
        let shape = extract::bounded::shape(&d.text);
        let (page, found, mut facts, mut limit) = match shape.exceeds(&limits) {
            Some(why) => {
                let (page, found) = extract::bounded::scan_links(
                    &d.text,
                    &url,
                    d.encoding,
                    &settings.session_params,
                    limits.max_links,
                );
                (page, found, extract::PageFacts::default(), Some(why))
            }
            None => {
                let doc = scraper::Html::parse_document(&d.text);
                let (page, found) = extract::extract_document_capped(
                    &doc,
                    &url,
                    d.encoding,
                    &settings.session_params,
                    limits.max_links,
                );
                let facts = extract::page_facts(&doc, &page, &url, depth, &rules.facts);
                (page, found, facts, None)
            }
        };
        if found > page.links.len() {
            let capped = format!(
                "links capped: {} of {} kept (max_links_per_page)",
                page.links.len(),
                found
            );
            limit = Some(match limit {
                Some(l) => format!("{l}; {capped}"),
                None => capped,
            });
        }
        let limited = limit.is_some();
        facts.parse_limit = limit;
        Parsed {
            encoding: d.encoding.name(),
            page,
            facts,
            text_hash: xxh3_64(d.text.as_bytes()),
            limited,
            binary: false,
        }
    })
    .await
    .ok()
}

/// The crawl settings that page parsing needs.
#[derive(Clone)]
struct ParseSettings {
    session_params: Vec<String>,
    max_links_per_page: usize,
}

/// A 304 Not Modified answer: the stored copy of the page stands, with its facts and links.
fn not_modified(task: Task, f: Fetched, prev: PreviousPage) -> TaskResult {
    let mut page = prev.page;
    page.status = if page.status.is_ok() {
        LinkStatus::Ok { status: 304 }
    } else {
        page.status
    };
    page.url = task.key.clone();
    page.depth = task.depth;
    page.fetched_at = chrono::Utc::now().to_rfc3339();
    page.elapsed_ms = f.outcome.elapsed_ms;
    let outcome = FetchOutcome {
        status: page.status.clone(),
        redirects: f.outcome.redirects.clone(),
        final_url: page.final_url.clone(),
        elapsed_ms: f.outcome.elapsed_ms,
    };
    let links = if page.status.is_ok() {
        prev.links.iter().map(PageLink::to_raw).collect()
    } else {
        Vec::new()
    };
    let answer = Some((origin_key(&f.final_url), 304));
    TaskResult {
        task,
        outcome,
        page: Some(page),
        links,
        requests: f.requests,
        answer,
    }
}

/// A fingerprint of a page's text that ignores digits (dates, counters, request ids).
fn fingerprint(text: &str) -> u64 {
    let stripped: String = text
        .chars()
        .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
        .collect();
    xxh3_64(stripped.as_bytes())
}
