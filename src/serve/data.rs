//! What the dashboard shows, read from the store: plain serialisable views that the HTML
//! templates and the JSON routes share. Every function takes the store's read API only
//! (`runs`, `site_runs`, `site_names`, `history`, `findings`, `site_ipv6`, `probes`), so a
//! store over another database that offers the same functions slots in unchanged.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::config::Config;
use crate::facts::{IpFamily, Ipv6Summary};
use crate::finding::Verdict;
use crate::report::tables::{self, MonthSummary};
use crate::rules::RuleSet;
use crate::store::{
    FindingFilter, FindingStatus, HistoryRow, RunInfo, SiteRunStatus, Store, StoreError,
};

/// How many finished runs the overview's chart covers.
pub const RUNS_CHARTED: usize = 60;
/// How many months the site page and the overview summarise.
pub const MONTHS: usize = 12;
/// How many days of probes the availability figures cover.
pub const PROBE_DAYS: i64 = 30;

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// An address a page may link to: only `http(s)` (a crawled `javascript:` URL is shown, never
/// linked).
fn href(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.to_string())
}

/// A run with its figures: sites inspected, passed, failed, not inspected.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub id: i64,
    pub started: DateTime<FixedOffset>,
    pub finished: Option<DateTime<FixedOffset>>,
    pub as_of: DateTime<FixedOffset>,
    pub sites: usize,
    pub inspected: usize,
    pub passed: usize,
    pub failed: usize,
    /// 待确认: inspected, with vetoes awaiting a person's confirmation only.
    pub pending: usize,
    pub not_inspected: usize,
    /// Of the inspected sites; `None` when none was inspected.
    pub pass_rate: Option<f64>,
    pub average_score: Option<f64>,
}

fn run_summary(store: &Store, run: &RunInfo) -> Result<RunSummary, StoreError> {
    let srs = store.site_runs(run.id)?;
    let scored: Vec<(f64, Option<Verdict>)> = srs
        .iter()
        .filter(|s| s.status == SiteRunStatus::Done)
        .filter_map(|s| s.score.map(|v| (v, s.verdict)))
        .collect();
    let inspected = scored.len();
    let passed = scored
        .iter()
        .filter(|(_, v)| v.is_some_and(Verdict::passed))
        .count();
    let pending = scored
        .iter()
        .filter(|(_, v)| *v == Some(Verdict::Pending))
        .count();
    let sum: f64 = scored.iter().map(|(s, _)| s).sum();
    Ok(RunSummary {
        id: run.id.0,
        started: run.started,
        finished: run.finished,
        as_of: run.as_of,
        sites: run.sites.len().max(srs.len()),
        inspected,
        passed,
        failed: inspected - passed - pending,
        pending,
        not_inspected: srs
            .iter()
            .filter(|s| s.status == SiteRunStatus::Failed)
            .count(),
        pass_rate: (inspected > 0).then(|| round1(100.0 * passed as f64 / inspected as f64)),
        average_score: (inspected > 0).then(|| round1(sum / inspected as f64)),
    })
}

/// One site's line in the table of sites: its latest finished scan.
#[derive(Debug, Clone, Serialize)]
pub struct SiteRow {
    pub name: String,
    pub url: String,
    pub level: String,
    pub kind: String,
    /// Whether the site is in the configuration (else only in the store).
    pub configured: bool,
    /// Finished scans (inspected or not) the store has.
    pub scans: usize,
    /// The as-of time of the latest finished scan.
    pub last_scan: Option<DateTime<FixedOffset>>,
    pub score: Option<f64>,
    /// 合格 / 不合格 / 无法检查 / 被拦截; `None`: never scanned to the end.
    pub verdict: Option<String>,
    pub passed: bool,
    pub vetoes: Option<usize>,
    pub deductions: Option<usize>,
    pub notices: Option<usize>,
}

fn latest_finished(rows: &[HistoryRow]) -> Option<&HistoryRow> {
    rows.iter()
        .filter(|r| r.status != SiteRunStatus::Running)
        .max_by_key(|r| (r.as_of, r.run, r.site_run))
}

/// Every site, configured or in the store, with its latest finished scan.
pub fn sites(store: &Store, config: &Config) -> Result<Vec<SiteRow>, StoreError> {
    Ok(sites_with_history(store, config)?
        .into_iter()
        .map(|(row, _)| row)
        .collect())
}

/// Every site with its row and its scans (read once for both).
fn sites_with_history(
    store: &Store,
    config: &Config,
) -> Result<Vec<(SiteRow, Vec<HistoryRow>)>, StoreError> {
    let mut names: BTreeSet<String> = config.sites.iter().map(|s| s.name.clone()).collect();
    names.extend(store.site_names()?);
    names
        .into_iter()
        .map(|name| site_row(store, config, name))
        .collect()
}

/// One site's row and its scans.
fn site_row(
    store: &Store,
    config: &Config,
    name: String,
) -> Result<(SiteRow, Vec<HistoryRow>), StoreError> {
    let rows = store.history(&name)?;
    let configured = config.sites.iter().find(|s| s.name == name);
    let last = latest_finished(&rows);
    let stored = match last {
        Some(r) => store.site_run(r.site_run)?,
        None => None,
    };
    let inspected = last.filter(|r| r.status == SiteRunStatus::Done);
    let row = SiteRow {
        url: configured
            .map(|s| s.url.to_string())
            .or_else(|| stored.as_ref().map(|s| s.url.clone()))
            .unwrap_or_default(),
        level: configured
            .map(|s| s.level)
            .or_else(|| stored.as_ref().map(|s| s.level))
            .map(|l| l.zh().to_string())
            .unwrap_or_default(),
        kind: configured
            .map(|s| s.kind)
            .or_else(|| stored.as_ref().map(|s| s.kind))
            .map(|k| k.zh().to_string())
            .unwrap_or_default(),
        configured: configured.is_some(),
        scans: rows
            .iter()
            .filter(|r| r.status != SiteRunStatus::Running)
            .count(),
        last_scan: last.map(|r| r.as_of),
        score: inspected.and_then(|r| r.score),
        verdict: last.and_then(|r| r.verdict).map(|v| v.zh().to_string()),
        passed: inspected
            .and_then(|r| r.verdict)
            .is_some_and(Verdict::passed),
        vetoes: inspected.map(|r| r.vetoes),
        deductions: inspected.map(|r| r.deductions),
        notices: inspected.map(|r| r.notices),
        name,
    };
    Ok((row, rows))
}

/// A column the table of sites sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Score,
    Verdict,
    Level,
    Kind,
    LastScan,
    Vetoes,
    Deductions,
}

impl SortKey {
    pub const ALL: [SortKey; 8] = [
        SortKey::Name,
        SortKey::Score,
        SortKey::Verdict,
        SortKey::Level,
        SortKey::Kind,
        SortKey::LastScan,
        SortKey::Vetoes,
        SortKey::Deductions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Score => "score",
            SortKey::Verdict => "verdict",
            SortKey::Level => "level",
            SortKey::Kind => "kind",
            SortKey::LastScan => "last_scan",
            SortKey::Vetoes => "vetoes",
            SortKey::Deductions => "deductions",
        }
    }

    pub fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Sort the table of sites; sites without the value (not inspected) always come last.
pub fn sort_sites(rows: &mut [SiteRow], key: SortKey, descending: bool) {
    use std::cmp::Ordering;
    fn opt<T: PartialOrd>(a: Option<T>, b: Option<T>, desc: bool) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => {
                let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
                if desc {
                    o.reverse()
                } else {
                    o
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    let verdict_rank = |r: &SiteRow| -> Option<u8> {
        r.verdict.as_deref().map(|v| match v {
            "不合格" => 0,
            "待确认" => 1,
            "无法检查" => 2,
            "被拦截" => 3,
            _ => 4,
        })
    };
    rows.sort_by(|a, b| {
        let o = match key {
            SortKey::Name => opt(Some(&a.name), Some(&b.name), descending),
            SortKey::Score => opt(a.score, b.score, descending),
            SortKey::Verdict => opt(verdict_rank(a), verdict_rank(b), descending),
            SortKey::Level => opt(Some(&a.level), Some(&b.level), descending),
            SortKey::Kind => opt(Some(&a.kind), Some(&b.kind), descending),
            SortKey::LastScan => opt(a.last_scan, b.last_scan, descending),
            SortKey::Vetoes => opt(a.vetoes, b.vetoes, descending),
            SortKey::Deductions => opt(a.deductions, b.deductions, descending),
        };
        o.then_with(|| a.name.cmp(&b.name))
    });
}

/// The overview: the latest run, the figures over time, the sites failing now.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// The latest finished run, with its figures.
    pub latest_run: Option<RunSummary>,
    /// A run still being written (or killed), if any.
    pub unfinished_run: Option<RunSummary>,
    /// The last finished runs, oldest first (the charts' points).
    pub runs: Vec<RunSummary>,
    /// The 12 months ending with the latest run's month, counted as the bulletin counts them
    /// (each site's latest finished scan in the month).
    pub months: Vec<crate::report::bulletin::TrendMonth>,
    /// Sites whose latest finished scan is 不合格, 无法检查 or 被拦截.
    pub failing: Vec<SiteRow>,
    pub sites: usize,
}

pub fn overview(store: &Store, config: &Config) -> Result<Overview, StoreError> {
    let runs = store.runs(RUNS_CHARTED * 2)?;
    let unfinished_run = match runs.iter().find(|r| r.finished.is_none()) {
        Some(r) => Some(run_summary(store, r)?),
        None => None,
    };
    let mut finished = Vec::new();
    for r in runs
        .iter()
        .filter(|r| r.finished.is_some())
        .take(RUNS_CHARTED)
    {
        finished.push(run_summary(store, r)?);
    }
    finished.reverse();
    let sites = sites_with_history(store, config)?;
    let last_month = finished
        .last()
        .map(|r| r.as_of.date_naive())
        .unwrap_or_else(|| crate::asof::now().date_naive());
    let months = months(&sites, last_month);
    let failing = sites
        .iter()
        .map(|(s, _)| s)
        .filter(|s| s.verdict.is_some() && !s.passed)
        .cloned()
        .collect();
    Ok(Overview {
        latest_run: finished.last().cloned(),
        unfinished_run,
        runs: finished,
        months,
        failing,
        sites: sites.len(),
    })
}

/// The pass rate and average score per month over every site, counted as the bulletin
/// counts them.
fn months(
    sites: &[(SiteRow, Vec<HistoryRow>)],
    last: NaiveDate,
) -> Vec<crate::report::bulletin::TrendMonth> {
    let mut acc: Vec<(String, usize, usize, f64)> = Vec::new();
    for (_, rows) in sites {
        for (i, m) in tables::monthly(rows, last, MONTHS).into_iter().enumerate() {
            if acc.len() <= i {
                acc.push((m.month.clone(), 0, 0, 0.0));
            }
            if let Some(score) = m.score {
                acc[i].1 += 1;
                acc[i].2 += usize::from(m.verdict.is_some_and(Verdict::passed));
                acc[i].3 += score;
            }
        }
    }
    if acc.is_empty() {
        acc = tables::monthly(&[], last, MONTHS)
            .into_iter()
            .map(|m| (m.month, 0, 0, 0.0))
            .collect();
    }
    acc.into_iter()
        .map(
            |(month, inspected, passed, sum)| crate::report::bulletin::TrendMonth {
                month,
                inspected,
                passed,
                pass_rate: (inspected > 0)
                    .then(|| round1(100.0 * passed as f64 / inspected as f64)),
                average_score: (inspected > 0).then(|| round1(sum / inspected as f64)),
            },
        )
        .collect()
}

/// A finding as the site page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub status: String,
    pub status_zh: String,
    pub rule: String,
    pub title: String,
    pub kind: String,
    pub points: f64,
    pub url: String,
    /// The target as a link, when it is an `http(s)` address.
    pub href: Option<String>,
    pub page: Option<String>,
    pub page_href: Option<String>,
    pub message: String,
    pub evidence: serde_json::Value,
    /// The evidence, pretty-printed for people.
    pub evidence_text: String,
    pub first_seen: DateTime<FixedOffset>,
    pub last_seen: DateTime<FixedOffset>,
    pub fixed_at: Option<DateTime<FixedOffset>>,
    /// An item a person confirms (never a problem the site is told to fix).
    pub needs_confirmation: bool,
}

/// A family's probes over the last days.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeFigures {
    pub family: String,
    pub probes: usize,
    pub ok: usize,
    pub success_rate: Option<f64>,
    pub last: Option<DateTime<FixedOffset>>,
    pub last_ok: Option<bool>,
    pub last_error: Option<String>,
}

/// A failed probe, for the list of recent failures.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeFailure {
    pub at: DateTime<FixedOffset>,
    pub family: String,
    pub address: Option<String>,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// Availability over the last [`PROBE_DAYS`] days, from the stored probes.
#[derive(Debug, Clone, Serialize)]
pub struct Availability {
    pub days: i64,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub families: Vec<ProbeFigures>,
    /// The latest failures, newest first (at most 20).
    pub failures: Vec<ProbeFailure>,
}

/// Everything the site page shows.
#[derive(Debug, Clone, Serialize)]
pub struct SitePage {
    pub site: SiteRow,
    /// Every scan, oldest first.
    pub history: Vec<HistoryRow>,
    /// The last 12 months, each counted by its latest finished scan.
    pub months: Vec<MonthSummary>,
    pub new: Vec<FindingView>,
    pub persisting: Vec<FindingView>,
    pub fixed: Vec<FindingView>,
    /// The IPv6 support measured by the latest inspected scan.
    pub ipv6: Option<Ipv6Summary>,
    pub availability: Availability,
}

/// The page of one site; `None` when neither the configuration nor the store knows it.
pub fn site_page(
    store: &Store,
    config: &Config,
    rules: &RuleSet,
    name: &str,
    now: DateTime<FixedOffset>,
) -> Result<Option<SitePage>, StoreError> {
    let known = config.sites.iter().any(|s| s.name == name)
        || store.site_names()?.iter().any(|n| n == name);
    if !known {
        return Ok(None);
    }
    let (site, history) = site_row(store, config, name.to_string())?;
    let last = history
        .iter()
        .filter(|r| r.status == SiteRunStatus::Done)
        .max_by_key(|r| (r.as_of, r.run, r.site_run));
    let months_last = last
        .map(|r| r.as_of.date_naive())
        .unwrap_or(now.date_naive());
    let months = tables::monthly(&history, months_last, MONTHS);
    let stored = store.findings(&FindingFilter {
        site: Some(name.to_string()),
        ..FindingFilter::default()
    })?;
    let (mut new, mut persisting, mut fixed) = (Vec::new(), Vec::new(), Vec::new());
    for f in stored {
        let title = rules
            .get(&f.finding.rule)
            .map(|r| r.title.clone())
            .unwrap_or_else(|| f.finding.rule.clone());
        let view = FindingView {
            status: f.status.as_str().to_string(),
            status_zh: f.status.zh().to_string(),
            title,
            rule: f.finding.rule.clone(),
            kind: f.finding.kind.zh().to_string(),
            points: f.finding.points,
            href: href(&f.finding.url),
            url: f.finding.url.clone(),
            page_href: f.finding.page.as_deref().and_then(href),
            page: f.finding.page.clone(),
            message: f.finding.message.clone(),
            evidence_text: serde_json::to_string_pretty(&f.finding.evidence).unwrap_or_default(),
            evidence: f.finding.evidence.clone(),
            first_seen: f.first_seen_at,
            last_seen: f.last_seen_at,
            fixed_at: f.fixed_at,
            needs_confirmation: f.finding.needs_confirmation(),
        };
        match f.status {
            FindingStatus::New => new.push(view),
            FindingStatus::Persisting => persisting.push(view),
            FindingStatus::Fixed => fixed.push(view),
        }
    }
    let ipv6 = match last {
        Some(r) => store.site_ipv6(r.site_run)?,
        None => None,
    };
    let from = now - chrono::Duration::days(PROBE_DAYS);
    let probes = store.probes(name, from, now)?;
    let families = [IpFamily::V4, IpFamily::V6]
        .into_iter()
        .map(|fam| {
            let of: Vec<_> = probes.iter().filter(|p| p.family == fam).collect();
            let ok = of.iter().filter(|p| p.ok).count();
            let last = of.last();
            ProbeFigures {
                family: family_name(fam),
                probes: of.len(),
                ok,
                success_rate: (!of.is_empty()).then(|| round1(100.0 * ok as f64 / of.len() as f64)),
                last: last.map(|p| p.at),
                last_ok: last.map(|p| p.ok),
                last_error: last.and_then(|p| p.error.clone()),
            }
        })
        .collect();
    let failures = probes
        .iter()
        .rev()
        .filter(|p| !p.ok)
        .take(20)
        .map(|p| ProbeFailure {
            at: p.at,
            family: family_name(p.family),
            address: p.address.clone(),
            status: p.status,
            error: p.error.clone(),
        })
        .collect();
    Ok(Some(SitePage {
        site,
        history,
        months,
        new,
        persisting,
        fixed,
        ipv6,
        availability: Availability {
            days: PROBE_DAYS,
            from,
            to: now,
            families,
            failures,
        },
    }))
}

fn family_name(f: IpFamily) -> String {
    match f {
        IpFamily::V4 => "IPv4".into(),
        IpFamily::V6 => "IPv6".into(),
    }
}

/// A month a bulletin can be generated for: it has finished scans.
#[derive(Debug, Clone, Serialize)]
pub struct BulletinMonth {
    /// `2026-11`.
    pub month: String,
    /// Finished runs whose as-of date is in the month.
    pub runs: usize,
}

/// The months with finished runs, newest first.
pub fn bulletin_months(store: &Store) -> Result<Vec<BulletinMonth>, StoreError> {
    let mut out: Vec<BulletinMonth> = Vec::new();
    for r in store.runs(100_000)?.iter().filter(|r| r.finished.is_some()) {
        let month = r.as_of.format("%Y-%m").to_string();
        match out.iter_mut().find(|m| m.month == month) {
            Some(m) => m.runs += 1,
            None => out.push(BulletinMonth { month, runs: 1 }),
        }
    }
    out.sort_by(|a, b| b.month.cmp(&a.month));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, score: Option<f64>, verdict: Option<&str>) -> SiteRow {
        SiteRow {
            name: name.into(),
            url: String::new(),
            level: "县级".into(),
            kind: "门户网站".into(),
            configured: true,
            scans: 1,
            last_scan: None,
            score,
            verdict: verdict.map(str::to_string),
            passed: verdict == Some("合格"),
            vetoes: score.map(|_| 0),
            deductions: score.map(|_| 1),
            notices: None,
        }
    }

    #[test]
    fn sites_without_the_value_sort_last_either_way() {
        let mut rows = vec![
            row("c", None, Some("无法检查")),
            row("a", Some(70.0), Some("合格")),
            row("b", Some(90.0), Some("合格")),
            row("d", Some(50.0), Some("不合格")),
        ];
        sort_sites(&mut rows, SortKey::Score, true);
        let names = |r: &[SiteRow]| r.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&rows), ["b", "a", "d", "c"]);
        sort_sites(&mut rows, SortKey::Score, false);
        assert_eq!(names(&rows), ["d", "a", "b", "c"]);
        sort_sites(&mut rows, SortKey::Verdict, false);
        assert_eq!(names(&rows), ["d", "c", "a", "b"]);
        assert_eq!(SortKey::parse("last_scan"), Some(SortKey::LastScan));
        assert_eq!(SortKey::parse("password"), None);
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            href("http://x.gov.cn/a?b=1").as_deref(),
            Some("http://x.gov.cn/a?b=1")
        );
        assert_eq!(href("javascript:alert(1)"), None);
        assert_eq!(href("data:text/html,<b>x</b>"), None);
        assert_eq!(href("x.gov.cn"), None);
    }
}
