//! Judging a stored scan again (`govscan judge`, `bulletin --rejudge`), without the network — under the rule files in
//! force now (a changed threshold, a new wrong-wording entry) or as of another time.
//!
//! Facts are kept apart from judgements: the store holds what the crawl saw (pages with their
//! facts, links and raw observation — visible text, home-page meta pairs, status — link
//! results, the IPv6 measure, the probes), and this command rebuilds each site's facts from it
//! exactly as `scan --resume` does, drawing the facts that depend on rule data (wording hits,
//! empty-list phrases, the 标识码 meta, soft 404s) again under the rules applied, then runs the
//! checks and the score. Nothing is fetched and nothing is written. What cannot be re-applied
//! (the WAF/challenge classification of refused answers) is listed in the README.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::InspectError;
use crate::config::{Config, SiteConfig};
use crate::crawl::{CrawlRules, Crawler, NoObserver, SiteFacts, StoredCrawl};
use crate::report::{Document, SiteReport};
use crate::rules::RuleSet;
use crate::store::{RunId, SiteRunId, SiteRunInfo, SiteRunStatus, Store, StoreError};

/// What to judge again.
pub struct JudgeRequest {
    pub config: Config,
    pub rules: RuleSet,
    /// The run (default: the latest finished one).
    pub run: Option<i64>,
    /// Only these sites (by name; default all of the run's finished sites).
    pub sites: Vec<String>,
    /// Judge as of this time (default: the run's own as-of time).
    pub as_of: Option<DateTime<FixedOffset>>,
}

/// Judge a stored run again; returns the report, as `check` prints it.
pub fn judge(req: JudgeRequest) -> Result<Document, InspectError> {
    let JudgeRequest {
        config,
        rules,
        run,
        sites: wanted,
        as_of,
    } = req;
    let location = config.store.location();
    if !location.exists() {
        return Err(InspectError::Failed(format!(
            "there is no store at {} (run `govscan scan` first)",
            location.display()
        )));
    }
    let store = Store::open_location_read_only(&location)?;
    let info = match run {
        Some(id) => store
            .run(RunId(id))?
            .ok_or_else(|| InspectError::Usage(format!("there is no run {id} in the store")))?,
        None => store.latest_finished_run()?.ok_or_else(|| {
            InspectError::Failed("the store has no finished scan to judge".into())
        })?,
    };
    let as_of = as_of.unwrap_or(info.as_of);
    let site_runs = store.site_runs(info.id)?;
    for name in &wanted {
        if !site_runs.iter().any(|s| &s.site == name) {
            return Err(InspectError::Usage(format!(
                "run {} has no site named `{name}`",
                info.id
            )));
        }
    }
    let rejudge = Rejudge::new(config, &rules, as_of)?;
    let mut reports = Vec::new();
    for sr in site_runs {
        if !wanted.is_empty() && !wanted.contains(&sr.site) {
            continue;
        }
        if sr.status != SiteRunStatus::Done {
            tracing::warn!(site = %sr.site, status = ?sr.status, "not judged: the site's scan did not finish");
            continue;
        }
        reports.push(rejudge.site_run(&store, &sr, &rules, as_of)?);
    }
    Ok(Document::new(as_of, reports))
}

/// Judges stored site runs again: the crawler's replay without the network, then the checks.
pub struct Rejudge {
    config: Arc<Config>,
    crawler: Arc<Crawler>,
}

impl Rejudge {
    /// Ready to judge sites of `config` under `rules`.
    pub fn new(
        config: Config,
        rules: &RuleSet,
        as_of: DateTime<FixedOffset>,
    ) -> Result<Rejudge, InspectError> {
        let config = Arc::new(config);
        let crawler = Arc::new(
            Crawler::new(
                config.clone(),
                CrawlRules::from_rules(rules),
                Arc::new(NoObserver),
                chrono::Datelike::year(&as_of),
            )
            .map_err(|e| InspectError::Failed(e.to_string()))?,
        );
        Ok(Rejudge { config, crawler })
    }

    /// Judge one finished site run as of `as_of`.
    pub fn site_run(
        &self,
        store: &Store,
        sr: &SiteRunInfo,
        rules: &RuleSet,
        as_of: DateTime<FixedOffset>,
    ) -> Result<SiteReport, InspectError> {
        // The site as configured now (its column URLs, 标识码, crawl settings), else as stored.
        let site = match self.config.sites.iter().find(|s| s.name == sr.site) {
            Some(s) => s.clone(),
            None => {
                let url = url::Url::parse(&sr.url).map_err(|e| {
                    InspectError::Failed(format!("the stored URL of {} is invalid: {e}", sr.site))
                })?;
                let mut s = SiteConfig::adhoc(url);
                s.name = sr.site.clone();
                s.level = sr.level;
                s.kind = sr.kind;
                s
            }
        };
        let own = Store::open_location_read_only(store.location())?;
        let mut facts = facts_from_store(&self.crawler, own, sr.id, &site, true, rules)?;
        if let Some(stats) = sr.stats.clone() {
            // The crawl's own counts (requests, timings), not the replay's.
            facts.stats = stats;
        }
        facts.started_at = sr.started.to_rfc3339();
        facts.finished_at = sr.finished.map(|t| t.to_rfc3339()).unwrap_or_default();
        // The IPv6 support measured by that scan, not now.
        let ipv6 = store.site_ipv6(sr.id)?;
        let findings = super::judge(&site, &facts, rules, as_of, ipv6.as_ref(), Some(store));
        let inspection = super::assess(&facts, findings, rules);
        Ok(super::site_report(&facts, inspection, ipv6.as_ref()))
    }
}

/// A stored scan as the daily scan judged it, with the decisions people have made on its
/// findings since (人工确认): when one applies, the score and verdict follow from the findings
/// as decided (a dismissed veto no longer fails the site; a confirmed one does).
fn stored_with_reviews(
    store: &Store,
    row: &crate::store::HistoryRow,
    rules: &RuleSet,
) -> Result<crate::report::bulletin::Judged, String> {
    let mut findings = store
        .site_findings(row.site_run)
        .map_err(|e| e.to_string())?;
    let site = store
        .site_run(row.site_run)
        .map_err(|e| e.to_string())?
        .map(|sr| sr.site)
        .ok_or_else(|| format!("site run {} is gone", row.site_run.0))?;
    let reviews = store.reviews(Some(&site)).map_err(|e| e.to_string())?;
    // Only finished scans are chosen, and a finished scan has its score and verdict.
    let (score, verdict) = match (row.score, row.verdict) {
        (Some(s), Some(v)) => (s, v),
        _ => return Err("the stored scan has no score".into()),
    };
    if crate::finding::apply_reviews(&mut findings, &reviews) == 0 {
        return Ok(crate::report::bulletin::Judged {
            findings,
            score,
            verdict,
        });
    }
    let s = crate::checks::score::score(&findings, rules);
    Ok(crate::report::bulletin::Judged {
        findings,
        score: s.score,
        verdict: s.verdict,
    })
}

/// A site run's crawl in the store, read back page by page ([`Crawler::replay_stored`]). With
/// `raw`, each page's stored raw observation comes with it, so the facts that depend on rule
/// data are drawn again under the rules applied now.
pub struct StoredSite<'a> {
    pub store: &'a Store,
    pub site_run: SiteRunId,
    pub raw: bool,
}

impl StoredCrawl for StoredSite<'_> {
    type Error = StoreError;

    fn page_urls(&self) -> Result<Vec<String>, StoreError> {
        self.store.page_urls(self.site_run)
    }

    fn links(&self) -> Result<Vec<crate::crawl::LinkFact>, StoreError> {
        self.store.link_results(self.site_run)
    }

    fn for_each_page(
        &self,
        f: &mut dyn FnMut(crate::crawl::PageRecord, Vec<crate::crawl::PageLink>),
    ) -> Result<(), StoreError> {
        self.store.for_each_page(self.site_run, self.raw, f)
    }

    fn for_each_page_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), StoreError> {
        self.store.for_each_page_url(self.site_run, f)
    }

    fn for_each_link_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), StoreError> {
        self.store.for_each_link_url(self.site_run, f)
    }

    fn for_each_link(&self, f: &mut dyn FnMut(crate::crawl::LinkFact)) -> Result<(), StoreError> {
        self.store.for_each_link(self.site_run, f)
    }

    fn for_each_link_list(
        &self,
        f: &mut dyn FnMut(&str, u32, Vec<crate::crawl::PageLink>),
    ) -> Result<(), StoreError> {
        self.store.for_each_link_list(self.site_run, f)
    }

    fn page(&self, url: &str) -> Result<Option<crate::crawl::PageRecord>, StoreError> {
        self.store.page_by_url(self.site_run, url, self.raw)
    }

    fn link(&self, url: &str) -> Result<Option<crate::crawl::LinkFact>, StoreError> {
        self.store.link_result(self.site_run, url)
    }

    fn links_on(&self, url: &str) -> Result<Vec<crate::crawl::PageLink>, StoreError> {
        self.store.links_on(self.site_run, url)
    }
}

/// A site run's crawl in the store through a connection of its own: what the facts of a site
/// judged from the store look up the pages and links they do not hold in (see
/// `crawl::view`), for as long as the facts live.
pub(crate) struct OwnedSite {
    store: std::sync::Mutex<Option<Store>>,
    location: crate::store::Location,
    site_run: SiteRunId,
    raw: bool,
}

impl OwnedSite {
    /// Through `store`, kept.
    pub(crate) fn with_store(store: Store, site_run: SiteRunId, raw: bool) -> OwnedSite {
        OwnedSite {
            location: store.location().clone(),
            store: std::sync::Mutex::new(Some(store)),
            site_run,
            raw,
        }
    }

    /// Through a read-only connection to the store at `location`, opened when first read.
    pub(crate) fn at(
        location: crate::store::Location,
        site_run: SiteRunId,
        raw: bool,
    ) -> OwnedSite {
        OwnedSite {
            store: std::sync::Mutex::new(None),
            location,
            site_run,
            raw,
        }
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&StoredSite<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.store.lock().map_err(|_| StoreError::Other {
            action: format!("read site run {}", self.site_run),
            file: String::new(),
            message: "a reader of the store panicked".into(),
        })?;
        if guard.is_none() {
            *guard = Some(Store::open_location_read_only(&self.location)?);
        }
        let Some(store) = guard.as_ref() else {
            return Err(StoreError::Other {
                action: format!("read site run {}", self.site_run),
                file: String::new(),
                message: "the store is not open".into(),
            });
        };
        f(&StoredSite {
            store,
            site_run: self.site_run,
            raw: self.raw,
        })
    }
}

impl StoredCrawl for OwnedSite {
    type Error = StoreError;

    fn page_urls(&self) -> Result<Vec<String>, StoreError> {
        self.with(|s| s.page_urls())
    }

    fn links(&self) -> Result<Vec<crate::crawl::LinkFact>, StoreError> {
        self.with(|s| s.links())
    }

    fn for_each_page(
        &self,
        f: &mut dyn FnMut(crate::crawl::PageRecord, Vec<crate::crawl::PageLink>),
    ) -> Result<(), StoreError> {
        self.with(|s| s.for_each_page(f))
    }

    fn for_each_page_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), StoreError> {
        self.with(|s| s.for_each_page_url(f))
    }

    fn for_each_link_url(&self, f: &mut dyn FnMut(&str)) -> Result<(), StoreError> {
        self.with(|s| s.for_each_link_url(f))
    }

    fn for_each_link(&self, f: &mut dyn FnMut(crate::crawl::LinkFact)) -> Result<(), StoreError> {
        self.with(|s| s.for_each_link(f))
    }

    fn for_each_link_list(
        &self,
        f: &mut dyn FnMut(&str, u32, Vec<crate::crawl::PageLink>),
    ) -> Result<(), StoreError> {
        self.with(|s| s.for_each_link_list(f))
    }

    fn page(&self, url: &str) -> Result<Option<crate::crawl::PageRecord>, StoreError> {
        self.with(|s| s.page(url))
    }

    fn link(&self, url: &str) -> Result<Option<crate::crawl::LinkFact>, StoreError> {
        self.with(|s| s.link(url))
    }

    fn links_on(&self, url: &str) -> Result<Vec<crate::crawl::PageLink>, StoreError> {
        self.with(|s| s.links_on(url))
    }
}

/// A site's facts rebuilt from its crawl in the store, without the network: what `judge`
/// judges again and what the daily scan and `check` judge once a site's crawl is written.
/// With `raw`, the facts that depend on rule data are drawn again from the stored raw
/// observations (a re-judging under other rules); without, they are taken as the crawl drew
/// them (the crawl that just wrote them, under the same rules).
///
/// The facts hold only the pages and links the checks go through (`checks::reads`); the
/// others they look up in `store`, which they keep (a connection of their own) for as long
/// as they live. Memory does not grow with the site's pages.
pub fn facts_from_store(
    crawler: &Arc<Crawler>,
    store: Store,
    site_run: SiteRunId,
    site: &SiteConfig,
    raw: bool,
    rules: &RuleSet,
) -> Result<SiteFacts, StoreError> {
    let reads = crate::checks::reads::Reads::new(rules);
    crawler.replay_kept(
        site,
        OwnedSite::with_store(store, site_run, raw),
        crate::crawl::Keep {
            page: &|p| reads.page(p),
            link: &|l| reads.link(l),
        },
    )
}

/// The month's bulletin from the store: each site's scans as the daily scans judged them, or,
/// with `rejudge`, judged again under `rules` (without the network).
pub fn bulletin(
    store: &Store,
    config: Config,
    sites: &[SiteConfig],
    rules: &RuleSet,
    opts: &crate::report::bulletin::BulletinOptions,
    rejudge: bool,
) -> Result<crate::report::bulletin::Bulletin, InspectError> {
    use crate::report::bulletin::{self, Judged};
    let rejudger = if rejudge {
        Some(Rejudge::new(config, rules, crate::asof::now())?)
    } else {
        None
    };
    let judge_row = |row: &crate::store::HistoryRow| -> Result<Judged, String> {
        let Some(r) = &rejudger else {
            return stored_with_reviews(store, row, rules);
        };
        let sr = store
            .site_run(row.site_run)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("site run {} is gone", row.site_run.0))?;
        let report = r
            .site_run(store, &sr, rules, row.as_of)
            .map_err(|e| e.to_string())?;
        let score = report.score.ok_or_else(|| {
            format!(
                "the scan could not be judged again: {}",
                report.verdict.zh()
            )
        })?;
        Ok(Judged {
            findings: report.findings,
            score,
            verdict: report.verdict,
        })
    };
    bulletin::build(store, sites, rules, opts, Some(&judge_row)).map_err(|e| match e {
        bulletin::BuildError::Store(e) => InspectError::Store(e),
        e => InspectError::Failed(e.to_string()),
    })
}
