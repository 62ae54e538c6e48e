//! The inspection pipeline: crawl a site, gather its facts, judge them under a rule set and an
//! as-of time, score them. `check`, `scan`, `judge` and `bulletin --rejudge` all go through
//! [`judge`] (the judging tail) and [`assess`] (the verdict), so a site is judged the same way
//! whether it was crawled now or replayed from the store.
//!
//! - [`check_sites`]: crawl and judge sites now, without keeping them (the ad-hoc check).
//! - [`scan`]: the daily scan, with the store writer, run ownership, heartbeat and resume.
//! - [`rejudge`]: judge a stored scan again, without the network.
//! - [`probe`]: the availability probe rounds.
//! - [`availability`]: the availability rules judged from the stored probes.
//!
//! Nothing here parses arguments or prints for a person: that is `cli` and `report`.

pub mod accounts;
pub mod annual_report;
pub mod availability;
pub mod probe;
pub mod rejudge;
pub mod sample;
pub mod scan;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, FixedOffset};

use crate::checks::{self, score::Score, Finding};
use crate::config::{Config, SiteConfig};
use crate::crawl::{CrawlRules, Crawler, Observer, SiteFacts, SiteSeed};
use crate::facts::Ipv6Summary;
use crate::finding::Verdict;
use crate::report::SiteReport;
use crate::rules::RuleSet;
use crate::store::{Store, StoreError};

/// Why an inspection could not be run.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The request names something that does not exist (a site, a run, a rule): the caller's
    /// mistake, not the run's.
    #[error("{0}")]
    Usage(String),
    /// The store could not be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The inspection could not be run (the crawler or the store writer could not start, a
    /// site's task failed).
    #[error("{0}")]
    Failed(String),
}

/// A site judged: its findings, its score (only when it was inspected) and its verdict.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub findings: Vec<Finding>,
    /// `None` when the site could not be inspected.
    pub score: Option<Score>,
    pub verdict: Verdict,
    /// Why the site could not be inspected (无法检查 / 被拦截), when it could not.
    pub reason: Option<String>,
    /// The identity marks found (for the report: what was found, not only what is missing).
    pub marks: Vec<String>,
}

/// The findings of a site's facts: the page rules, the IPv6 rules on `ipv6` (measured now, or
/// stored with the scan), and the availability rules from the probes in `store`; sorted by
/// kind, rule and target.
///
/// A site whose crawl failed (its home page could not be fetched) gets only the findings that
/// do not depend on the crawl — the availability rules from the week's probes: judging pages
/// that were never read would state more than was inspected.
pub fn judge(
    site: &SiteConfig,
    facts: &SiteFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    ipv6: Option<&Ipv6Summary>,
    store: Option<&Store>,
) -> Vec<Finding> {
    let findings = judge_facts(site, facts, rules, as_of, ipv6, store);
    // The checks' contract (`checks::reads`): facts reduced to what they go through, the rest
    // looked up, judge the same. Debug builds (the tests) hold every judgement of facts held
    // whole to it.
    #[cfg(debug_assertions)]
    if facts.complete() {
        let reduced = checks::reads::reduce(facts, rules);
        let again = judge_facts(site, &reduced, rules, as_of, ipv6, store);
        if again != findings {
            let show = |v: &[Finding]| {
                v.iter()
                    .map(|f| format!("{} {} {}", f.rule, f.url, f.message))
                    .collect::<Vec<_>>()
            };
            panic!(
                "site {}: the checks judge facts reduced to what they read (checks::reads) \
                 differently: whole {:#?}\nreduced {:#?}",
                site.name,
                show(&findings),
                show(&again)
            );
        }
    }
    findings
}

fn judge_facts(
    site: &SiteConfig,
    facts: &SiteFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    ipv6: Option<&Ipv6Summary>,
    store: Option<&Store>,
) -> Vec<Finding> {
    let inspected = crawl_state(facts).is_none();
    let mut findings = if inspected {
        checks::evaluate(facts, rules, as_of)
    } else {
        Vec::new()
    };
    if let (Some(summary), true) = (ipv6, inspected) {
        findings.extend(checks::ipv6::check(
            site.url.as_str(),
            site.level,
            site.kind,
            summary,
            rules,
        ));
    }
    if inspected {
        findings.extend(normdoc_findings(site, facts, rules, as_of, store));
        findings.extend(checks::service::check(facts, rules, site.offers_services()));
    }
    if let Some(store) = store {
        match availability::findings(store, site, rules, as_of) {
            Ok(f) => findings.extend(f),
            Err(e) => tracing::warn!(site = %site.name, error = %e, "availability not judged"),
        }
    }
    // People's decisions on findings (人工确认): confirmed ones count, dismissed ones go.
    if let Some(store) = store {
        match store.reviews(Some(&site.name)) {
            Ok(reviews) => {
                crate::finding::apply_reviews(&mut findings, &reviews);
            }
            Err(e) => tracing::warn!(site = %site.name, error = %e, "reviews not applied"),
        }
    }
    findings.sort_by(|a, b| (a.kind, &a.rule, &a.url).cmp(&(b.kind, &b.rule, &b.url)));
    findings
}

/// The normdoc findings of a site, the changes judged against the library as the site's
/// previous finished scan in `store` saw it (no store: no changes, and the log says so).
fn normdoc_findings(
    site: &SiteConfig,
    facts: &SiteFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    store: Option<&Store>,
) -> Vec<Finding> {
    use checks::normdoc::Baseline;
    let previous = match store.map(|s| s.normdoc_previous(&site.name, as_of)) {
        Some(Err(e)) => {
            tracing::warn!(site = %site.name, error = %e, "previous normdoc library not read");
            None
        }
        other => other.map(Result::ok),
    };
    let baseline = match &previous {
        Some(Some(Some(p))) => Baseline::Previous(&p.snapshot),
        Some(_) => Baseline::FirstScan,
        None => Baseline::NoStore,
    };
    checks::normdoc::check(facts, rules, baseline, as_of.date_naive())
}

/// What an ad-hoc check says of the library's changes when it cannot judge them: no store, or
/// no earlier snapshot of the site's library in it.
fn normdoc_note(
    site: &SiteConfig,
    facts: &SiteFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    store: Option<&Store>,
) -> Option<String> {
    if crawl_state(facts).is_some() {
        return None;
    }
    checks::normdoc::snapshot(facts, rules)?;
    match store.map(|s| s.normdoc_previous(&site.name, as_of)) {
        None => Some(
            "未使用检查记录存储：行政规范性文件库的变动（新增、修订、废止）未作比较".into(),
        ),
        Some(Ok(None)) | Some(Err(_)) => Some(
            "存储中没有该网站行政规范性文件库的上次检查记录：文件库的变动（新增、修订、废止）未作比较"
                .into(),
        ),
        Some(Ok(Some(_))) => None,
    }
}

/// The state of a site's crawl: `None` when it was inspected, else the verdict that says why
/// not, with the reason: 被拦截 when the server refused the scanner (its home page blocked —
/// a WAF challenge even with status 200, 412/429, a Retry-After beyond the cap, a blanket
/// 403 — or most of what was requested), 无法检查 when the home page could not be fetched.
pub fn crawl_state(facts: &SiteFacts) -> Option<(Verdict, String)> {
    // What the checks looked up in the store could not be read: their judgement stands on
    // less than was crawled.
    if let Some(e) = facts.read_error() {
        return Some((
            Verdict::NotInspected,
            format!("读取已保存的抓取结果失败：{e}"),
        ));
    }
    if let Some(why) = facts.blocked() {
        return Some((Verdict::Blocked, why));
    }
    facts
        .error
        .as_ref()
        .map(|e| (Verdict::NotInspected, e.clone()))
}

/// Score and verdict of a site's findings: 合格/不合格 with a score when the site was
/// inspected; 无法检查/被拦截 and no score when it was not.
pub fn assess(facts: &SiteFacts, findings: Vec<Finding>, rules: &RuleSet) -> Inspection {
    match crawl_state(facts) {
        Some((state, why)) => Inspection {
            findings,
            score: None,
            verdict: state,
            reason: Some(why),
            marks: Vec::new(),
        },
        None => {
            let score = checks::score::score(&findings, rules);
            Inspection {
                verdict: score.verdict,
                score: Some(score),
                findings,
                reason: None,
                marks: checks::footer::identity_marks(facts, rules),
            }
        }
    }
}

/// Judge one crawled site: measure its IPv6 support now (through the crawler's rate limits),
/// judge every rule, and assess. Returns the inspection and the IPv6 summary measured.
pub async fn inspect_crawled(
    crawler: &Crawler,
    site: &SiteConfig,
    facts: &SiteFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    store: Option<&Mutex<Store>>,
) -> (Inspection, Option<Ipv6Summary>) {
    let ipv6 = if crawl_state(facts).is_none() {
        match crate::crawl::ipv6::Ipv6Settings::from_rules(rules) {
            Some(settings) => {
                match crate::crawl::ipv6::ipv6_support(crawler, site, facts, &settings).await {
                    Ok(summary) => Some(summary),
                    Err(e) => {
                        tracing::warn!(site = %site.name, error = %e, "IPv6 support not measured");
                        None
                    }
                }
            }
            // No `ipv6.unsupported` in the rules: nothing to judge the measure by.
            None => None,
        }
    } else {
        None
    };
    let findings = match store.map(|s| s.lock()) {
        Some(Ok(store)) => judge(site, facts, rules, as_of, ipv6.as_ref(), Some(&store)),
        _ => judge(site, facts, rules, as_of, ipv6.as_ref(), None),
    };
    (assess(facts, findings, rules), ipv6)
}

/// A site's report from its facts, its inspection and its IPv6 summary.
pub fn site_report(
    facts: &SiteFacts,
    inspection: Inspection,
    ipv6: Option<&Ipv6Summary>,
) -> SiteReport {
    let mut report = SiteReport::new(
        facts,
        inspection.findings,
        inspection.score,
        inspection.verdict,
    );
    if report.error.is_none() {
        report.error = inspection.reason;
    }
    report.marks = inspection.marks;
    report.ipv6 = ipv6.map(|s| s.detail.clone());
    report
}

/// Crawl the given sites now and judge them, keeping nothing (the crawl goes to a temporary
/// store that is deleted afterwards): the inspector's ad-hoc check
/// (`check`, `demo`). Availability comes from the probes of `govscan probe` when a store with
/// them exists at the configured path.
pub async fn check_sites(
    config: Arc<Config>,
    sites: &[SiteConfig],
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    observer: Arc<dyn Observer>,
) -> Result<Vec<SiteReport>, InspectError> {
    // The crawl goes to a temporary store and each site is judged from it, as the daily
    // scan judges from its store: one code path, and memory that does not grow with the pages.
    let scratch = scan::Scratch::start(sites, as_of, observer)?;
    let crawler = Arc::new(
        Crawler::new(
            config.clone(),
            CrawlRules::from_rules(rules),
            scratch.observer(),
            as_of.year(),
        )
        .map_err(|e| InspectError::Failed(e.to_string()))?,
    );
    let store = if config.store.location().exists() {
        Store::open_location_read_only(&config.store.location())
            .ok()
            .map(Mutex::new)
    } else {
        None
    };
    let shared_rules = Arc::new(rules.clone());
    let mut handles = Vec::new();
    for site in sites {
        let c = crawler.clone();
        let s = site.clone();
        handles.push(tokio::spawn(async move {
            c.crawl_site_lean(&s, SiteSeed::default()).await
        }));
    }
    let mut reports = Vec::new();
    for (h, site) in handles.into_iter().zip(sites) {
        let crawled = h
            .await
            .map_err(|e| InspectError::Failed(format!("the crawl of {} failed: {e}", site.name)))?;
        let facts = scratch
            .facts(&crawler, site, crawled, shared_rules.clone())
            .await?;
        let (inspection, ipv6) =
            inspect_crawled(&crawler, site, &facts, rules, as_of, store.as_ref()).await;
        let mut report = site_report(&facts, inspection, ipv6.as_ref());
        {
            // Released before the accounts ask the store for their failures (the same lock:
            // held across both, `check` of a site with accounts and a store hung for ever).
            let guard = store.as_ref().and_then(|s| s.lock().ok());
            report
                .notes
                .extend(normdoc_note(site, &facts, rules, as_of, guard.as_deref()));
        }
        let failures = |feed: &str| -> usize {
            store
                .as_ref()
                .and_then(|s| s.lock().ok())
                .and_then(|s| {
                    s.account_failures_before(&site.name, feed, crate::store::RunId(i64::MAX))
                        .ok()
                })
                .unwrap_or(0)
        };
        let accounts =
            accounts::inspect_accounts(&crawler, site, Some(&facts), rules, as_of, &failures).await;
        report.accounts = accounts
            .iter()
            .map(|a| crate::report::accounts::AccountReport::new(&a.facts, &a.judgement, None))
            .collect();
        reports.push(report);
    }
    drop(crawler);
    drop(scratch);
    Ok(reports)
}
