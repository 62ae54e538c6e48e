//! The crawl loop of one site: workers take tasks from the site's frontier, fetch, extract,
//! enqueue what they find, and stop when the queue is empty and nothing is in flight (counted
//! explicitly, so termination is certain). The site's state (frontier, link facts, pages) and
//! how a task's result is folded into it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use tokio::sync::{Notify, OnceCell};
use url::Url;

use super::engine::{Crawler, PreviousPages, Progress, SiteSeed, MAX_REFERRERS};
use super::fetch::{fetch, BodyMode, FetchLimits, Fetched};
use super::frontier::{Frontier, Task, TaskKind};
use super::origin::{origin_key, Robots};
use super::page::ParseSettings;
use super::types::*;
use crate::config::CrawlSettings;
use crate::extract::{LinkTarget, RawLink};

#[derive(Default)]
pub(super) struct SiteState {
    pub(super) frontier: Frontier,
    pub(super) in_flight: usize,
    pub(super) links: BTreeMap<String, LinkFact>,
    pub(super) pages: Vec<PageRecord>,
    pub(super) home: Option<PageRecord>,
    pub(super) home_keys: HashSet<String>,
    /// The answers of each origin, folded in order for the blanket-403 rule.
    pub(super) answers: Blanket403,
    pub(super) stats: CrawlStats,
    pub(super) worker_failures: usize,
    /// What a killed crawl saved could not be read back (see `SiteSeed::saved`).
    pub(super) seed_error: Option<String>,
    /// The anchor texts of the referrers kept, each once (see [`Referrer`]).
    pub(super) texts: HashSet<Arc<str>>,
}

/// `text` as a shared string, kept once in `texts`.
fn intern(texts: &mut HashSet<Arc<str>>, text: &str) -> Arc<str> {
    if let Some(t) = texts.get(text) {
        return t.clone();
    }
    let t: Arc<str> = Arc::from(text);
    texts.insert(t.clone());
    t
}

/// Add a referrer to a target's (at most [`MAX_REFERRERS`]), growing the list in small steps
/// up to that cap rather than doubling past it.
fn push_referrer(referrers: &mut Vec<Referrer>, r: Referrer) {
    if referrers.len() >= MAX_REFERRERS {
        return;
    }
    if referrers.len() == referrers.capacity() {
        let extra = referrers.len().max(4).min(MAX_REFERRERS - referrers.len());
        referrers.reserve_exact(extra);
    }
    referrers.push(r);
}

/// `page` (with the anchor `text`) as a referrer of `fact`: counted once per page in a row,
/// kept while the target has fewer than [`MAX_REFERRERS`], its text shared through `texts`.
pub(super) fn refer(
    fact: &mut LinkFact,
    texts: &mut HashSet<Arc<str>>,
    page: &Arc<str>,
    text: &str,
    element: crate::extract::LinkElement,
) {
    if fact.referrers.last().map(|r| &*r.page) == Some(&**page) {
        return;
    }
    fact.referrer_count += 1;
    if fact.referrers.len() < MAX_REFERRERS {
        let text = intern(texts, text);
        push_referrer(
            &mut fact.referrers,
            Referrer {
                page: page.clone(),
                text,
                element,
            },
        );
    }
}

/// The status of a link whose target is not an HTTP URL (`None` for one that is).
pub(super) fn not_http(target: &LinkTarget) -> Option<LinkStatus> {
    match target {
        LinkTarget::Http(_) => None,
        LinkTarget::NotHttp { scheme, .. } => Some(LinkStatus::NotHttp {
            scheme: scheme.clone(),
        }),
        LinkTarget::Invalid { reason, .. } => Some(LinkStatus::InvalidUrl {
            message: reason.clone(),
        }),
    }
}

/// The blanket-403 rule, folded answer by answer with a small state per origin: from its first
/// 403 on, an origin that answered nothing but 403 (at least `blanket_403_min` times, to the
/// end of the crawl) shut the scanner out. Only the keys answered 403 since an origin's first
/// 403 are kept, and none once the origin answers anything else after it: the state does not
/// grow with the pages that answered normally.
#[derive(Default)]
pub(super) struct Blanket403 {
    origins: HashMap<String, Origin403>,
}

#[derive(Default)]
struct Origin403 {
    /// The keys answered 403 since the origin's first 403.
    tail: Vec<String>,
    /// The origin answered something else after its first 403: no blanket 403.
    ended: bool,
}

impl Blanket403 {
    /// An answer of `origin` to the request for `key`.
    pub(super) fn record(&mut self, origin: String, key: &str, status: u16) {
        let o = self.origins.entry(origin).or_default();
        if o.ended {
            return;
        }
        if status == 403 {
            o.tail.push(key.to_string());
        } else if !o.tail.is_empty() {
            o.ended = true;
            o.tail = Vec::new();
        }
    }

    /// The keys to relabel as blocked: those of the origins whose answers, from their first
    /// 403 on, were all 403 and at least `min` of them.
    pub(super) fn blanket(&self, min: usize) -> HashSet<&str> {
        self.origins
            .values()
            .filter(|o| !o.ended && !o.tail.is_empty() && o.tail.len() >= min)
            .flat_map(|o| o.tail.iter().map(String::as_str))
            .collect()
    }
}

pub(super) struct SiteRun {
    pub(super) crawler: Arc<Crawler>,
    pub(super) site_name: String,
    pub(super) hosts: HashSet<String>,
    /// The site's explicit non-default port, if any.
    pub(super) port: Option<u16>,
    pub(super) settings: CrawlSettings,
    pub(super) limits: FetchLimits,
    pub(super) home_key: String,
    pub(super) state: Mutex<SiteState>,
    pub(super) notify: Notify,
    /// How the site answers a path that cannot exist: status, title and text fingerprint.
    pub(super) not_found: OnceCell<Option<(Option<String>, u64)>>,
    /// Earlier copies of pages, for conditional requests.
    pub(super) previous: Option<Arc<dyn PreviousPages>>,
    /// The observer keeps the pages and link results (the store), and the site is judged from
    /// it: the crawl keeps only what it needs to go on (the frontier, the seen set, the home
    /// page's record), not the pages, the link facts or their referrers.
    pub(super) lean: bool,
}

pub(super) enum Next {
    Task(Task),
    Wait,
    Done,
}

impl SiteRun {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, SiteState> {
        // A poisoned lock means a worker panicked mid-update; the data is still usable for
        // the facts gathered so far.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a URL belongs to the site: one of its hosts, on the site's own port (a site at
    /// a default port owns the default ports of both schemes).
    pub(super) fn in_scope(&self, url: &Url) -> bool {
        let host_ok = url
            .host_str()
            .is_some_and(|h| self.hosts.contains(&h.to_ascii_lowercase()));
        let port_ok = match self.port {
            Some(p) => url.port_or_known_default() == Some(p),
            None => url.port().is_none(),
        };
        host_ok && port_ok
    }

    pub(super) fn parse_settings(&self) -> ParseSettings {
        ParseSettings {
            session_params: self.settings.session_params.clone(),
            max_links_per_page: self.settings.max_links_per_page,
        }
    }

    pub(super) async fn work(self: Arc<Self>) {
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

    pub(super) async fn robots_for(&self, url: &Url) -> Arc<Robots> {
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

    pub(super) async fn run(&self, task: Task) -> TaskResult {
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

    /// Take in what the scan already has of the site: seen URLs are never fetched again, the
    /// saved pages' links are followed as if just parsed, saved link outcomes are kept.
    pub(super) fn apply_seed(&self, st: &mut SiteState, seed: SiteSeed) {
        self.mark_seeded(st, seed.pages.iter().map(|(p, _)| p.url.as_str()));
        self.mark_seeded_links(st, &seed.links);
        let mut reclassified: Vec<(String, LinkStatus)> = Vec::new();
        for (page, links) in seed.pages {
            self.apply_seeded_page(st, page, links, &mut reclassified);
        }
        self.apply_seeded_links(st, seed.links, reclassified);
        if let Some(saved) = seed.saved {
            if let Err(e) = self.apply_saved(st, saved.as_ref()) {
                tracing::error!(site = %self.site_name, error = %e, "the saved crawl could not be read");
                st.seed_error = Some(e);
            }
        }
    }

    /// A killed crawl's saved pages and link results taken in one at a time, in the steps of
    /// [`SiteRun::apply_seed`] (a lean crawl keeps none of them: it marks them seen and
    /// queues what their links lead to that was not fetched yet).
    fn apply_saved(
        &self,
        st: &mut SiteState,
        saved: &(dyn super::engine::StoredCrawl<Error = String> + Send + Sync),
    ) -> Result<(), String> {
        saved.for_each_page_url(&mut |u| self.mark_seeded(st, std::iter::once(u)))?;
        saved.for_each_link_url(&mut |u| self.mark_seeded_link(st, u))?;
        let mut reclassified = Vec::new();
        saved.for_each_page(&mut |page, links| {
            self.apply_seeded_page(st, page, links, &mut reclassified);
        })?;
        saved.for_each_link(&mut |l| self.apply_seeded_link(st, l))?;
        self.apply_reclassified(st, reclassified);
        Ok(())
    }

    /// The first step of taking in a seed: its pages are seen.
    pub(super) fn mark_seeded<'a>(&self, st: &mut SiteState, pages: impl Iterator<Item = &'a str>) {
        for url in pages {
            st.frontier.mark(url);
            st.frontier.pages_enqueued += 1;
        }
    }

    /// The second step: its link results are seen.
    pub(super) fn mark_seeded_links(&self, st: &mut SiteState, links: &[LinkFact]) {
        for l in links {
            self.mark_seeded_link(st, &l.url);
        }
    }

    /// The second step, for one link result.
    pub(super) fn mark_seeded_link(&self, st: &mut SiteState, url: &str) {
        if st.frontier.mark(url) {
            st.frontier.checks_enqueued += 1;
        }
    }

    /// The third step, page by page in crawl order: a saved page and its links, taken in as if
    /// just fetched. A page whose soft-404 classification changed under the rules applied now
    /// is noted in `reclassified`: its link result (stored with the old status) follows.
    pub(super) fn apply_seeded_page(
        &self,
        st: &mut SiteState,
        mut page: PageRecord,
        links: Vec<PageLink>,
        reclassified: &mut Vec<(String, LinkStatus)>,
    ) {
        let Ok(url) = Url::parse(&page.url) else {
            return;
        };
        let before = page.status.clone();
        super::page::reclassify(&mut page, &self.crawler.rules);
        if page.status != before {
            reclassified.push((page.url.clone(), page.status.clone()));
        }
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
            sample: false,
        };
        let links = links.iter().map(PageLink::to_raw).collect();
        let r = TaskResult {
            task,
            outcome,
            page: Some(page),
            links,
            requests: 0,
            answer: None,
            target: None,
        };
        self.apply_inner(st, r, false);
    }

    /// The last step: the saved link results.
    pub(super) fn apply_seeded_links(
        &self,
        st: &mut SiteState,
        links: Vec<LinkFact>,
        reclassified: Vec<(String, LinkStatus)>,
    ) {
        for l in links {
            self.apply_seeded_link(st, l);
        }
        self.apply_reclassified(st, reclassified);
    }

    /// The last step, for one saved link result.
    pub(super) fn apply_seeded_link(&self, st: &mut SiteState, l: LinkFact) {
        if self.lean {
            return;
        }
        if let Some(status) = l.outcome.status.http_status() {
            if let Ok(u) = Url::parse(&l.outcome.final_url) {
                st.answers.record(origin_key(&u), &l.url, status);
            }
        }
        match st.links.get_mut(&l.url) {
            Some(existing) => {
                existing.outcome = l.outcome;
                existing.target = l.target;
            }
            None => {
                st.links.insert(l.url.clone(), l);
            }
        }
    }

    /// After the saved link results: the pages whose soft-404 classification changed under
    /// the rules applied now carry it to their link results (stored with the old status).
    pub(super) fn apply_reclassified(
        &self,
        st: &mut SiteState,
        reclassified: Vec<(String, LinkStatus)>,
    ) {
        for (url, status) in reclassified {
            if let Some(l) = st.links.get_mut(&url) {
                l.outcome.status = status;
            }
        }
    }

    /// Fold a task's result into the site state and enqueue what it found.
    pub(super) fn apply(&self, st: &mut SiteState, r: TaskResult) {
        self.apply_inner(st, r, true);
    }

    pub(super) fn apply_inner(&self, st: &mut SiteState, r: TaskResult, observe: bool) {
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
            if !self.lean {
                st.answers.record(origin, &r.task.key, status);
            }
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
                target: None,
            });
        entry.outcome = r.outcome.clone();
        if r.target.is_some() {
            entry.target = r.target.clone();
        }
        if observe {
            self.crawler.observer.link(&self.site_name, entry);
        }
        if self.lean && r.task.key != self.home_key {
            // Written; the site's judgement reads it back from the store. The home page's
            // result stays: the site's state (inspected or not) is read from it.
            st.links.remove(&r.task.key);
        }
        let Some(mut page) = r.page else { return };
        // The raw observation went to the observer (the store); the crawl does not keep it.
        page.raw = None;
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
        if !self.lean {
            st.pages.push(page);
        }
        // One shared copy of the page's URL for all the referrers it becomes.
        let page_ref: Arc<str> = Arc::from(page_url.as_str());
        for link in r.links {
            self.add_link(st, &page_ref, r.task.depth, on_home, link);
        }
    }

    pub(super) fn add_link(
        &self,
        st: &mut SiteState,
        page: &Arc<str>,
        depth: u32,
        on_home: bool,
        link: RawLink,
    ) {
        let (key, url) = match &link.target {
            LinkTarget::Http(u) => (u.to_string(), Some(u.clone())),
            LinkTarget::NotHttp { raw, .. } | LinkTarget::Invalid { raw, .. } => {
                (raw.clone(), None)
            }
        };
        if self.lean {
            // Only whether to fetch it matters here: its referrers and its place on the home
            // page are in the pages' link lists in the store.
            let LinkTarget::Http(url) = &link.target else {
                return;
            };
            if st.frontier.seen(&key) {
                return;
            }
            let internal = self.in_scope(url);
            st.frontier.mark(&key);
            if let Ok(kind) = self.task_kind(st, url, depth, internal, link.element) {
                let sample = !internal
                    && self.crawler.rules.outbound_sample_bytes.is_some()
                    && link.element.is_navigation();
                st.frontier.push(Task {
                    url: url.clone(),
                    key,
                    depth: depth + 1,
                    kind,
                    internal,
                    sample,
                });
            }
            return;
        }
        if let Some(fact) = st.links.get_mut(&key) {
            refer(fact, &mut st.texts, page, &link.text, link.element);
            fact.on_home |= on_home;
            return;
        }
        let referrer = Referrer {
            page: page.clone(),
            text: intern(&mut st.texts, &link.text),
            element: link.element,
        };
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
            target: None,
        };
        let Some(url) = url else {
            let status = not_http(&link.target).unwrap_or_else(|| LinkStatus::NotChecked {
                reason: "内部错误".into(),
            });
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
        let mut fact = pending(
            LinkStatus::NotChecked {
                reason: "等待检查".into(),
            },
            internal,
        );
        let kind = match self.task_kind(st, &url, depth, internal, link.element) {
            Ok(kind) => Some(kind),
            Err(status) => {
                fact.outcome.status = status;
                None
            }
        };
        st.links.insert(key.clone(), fact);
        if let Some(kind) = kind {
            let sample = !internal
                && self.crawler.rules.outbound_sample_bytes.is_some()
                && link.element.is_navigation();
            st.frontier.push(Task {
                url,
                key,
                depth: depth + 1,
                kind,
                internal,
                sample,
            });
        }
    }
}

impl SiteRun {
    /// What to do with a URL first seen on a page: fetch it as a page or check it, or not
    /// fetch it, and why (the status its link records). Counts traps and query variants.
    pub(super) fn task_kind(
        &self,
        st: &mut SiteState,
        url: &Url,
        depth: u32,
        internal: bool,
        element: crate::extract::LinkElement,
    ) -> Result<TaskKind, LinkStatus> {
        let s = &self.settings;
        let kind = if !internal {
            if !s.check_external {
                return Err(LinkStatus::NotChecked {
                    reason: "未启用外部链接检查".into(),
                });
            }
            TaskKind::Check
        } else if element.is_navigation() {
            if let Some(trap) = st.frontier.trap(
                url,
                s.max_url_length,
                s.max_query_variants,
                self.crawler.max_year,
            ) {
                st.stats.trap_skipped += 1;
                return Err(LinkStatus::NotChecked {
                    reason: trap.zh().into(),
                });
            } else if depth < s.max_depth && st.frontier.pages_enqueued < s.max_pages {
                TaskKind::Page
            } else {
                TaskKind::Check
            }
        } else {
            TaskKind::Check
        };
        if kind == TaskKind::Check && st.frontier.checks_enqueued >= s.max_links {
            return Err(LinkStatus::NotChecked {
                reason: "超出每站检查链接数上限".into(),
            });
        }
        Ok(kind)
    }
}

pub(super) struct TaskResult {
    pub(super) task: Task,
    pub(super) outcome: FetchOutcome,
    pub(super) page: Option<PageRecord>,
    pub(super) links: Vec<RawLink>,
    pub(super) requests: usize,
    pub(super) answer: Option<(String, u16)>,
    /// What a link to another site showed.
    pub(super) target: Option<TargetSample>,
}

impl TaskResult {
    pub(super) fn status_only(task: Task, status: LinkStatus) -> TaskResult {
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
            target: None,
        }
    }

    pub(super) fn fetched(task: Task, f: Fetched, page: Option<PageRecord>) -> TaskResult {
        let answer = f.http_status().map(|s| (origin_key(&f.final_url), s));
        TaskResult {
            task,
            requests: f.requests,
            outcome: f.outcome,
            page,
            links: Vec::new(),
            answer,
            target: None,
        }
    }
}
