//! The monthly bulletin (月通报) and the per-site rectification notices (整改通知): built
//! from a month of stored scans, rendered through the templates of `reports/` (Markdown and
//! HTML), as a workbook (XLSX) and as JSON.
//!
//! A site's month is its latest finished scan whose as-of date falls in the month; the month
//! before gives the change in score and rank. Ranks are competition ranks (1, 2, 2, 4). Sites
//! configured but without a finished scan in the month are listed as not inspected, never as
//! passing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::SiteConfig;
use crate::finding::Verdict;
use crate::rules::{Kind, RuleSet};
use crate::store::{FindingFilter, HistoryRow, SiteRunStatus, Store, StoreError};

/// What a bulletin covers: a month (the monthly bulletin, 月通报) or a quarter (the quarterly
/// spot-check report over the drawn sample, 季度抽查通报).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// A month, as its first day.
    Month(NaiveDate),
    /// A quarter (1–4) of a year.
    Quarter { year: i32, quarter: u32 },
}

impl Period {
    /// `2026-11` → the month; `2026Q4` (or `2026q4`, `2026-Q4`) → the quarter.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let year: i32 = y.trim_end_matches('-').parse().ok()?;
            let quarter: u32 = q.parse().ok()?;
            return ((1..=4).contains(&quarter) && (1000..=9999).contains(&year))
                .then_some(Period::Quarter { year, quarter });
        }
        NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .ok()
            .map(Period::Month)
    }

    /// The first day of the period and the first day after it.
    pub fn bounds(self) -> (NaiveDate, NaiveDate) {
        match self {
            Period::Month(first) => month_bounds(first),
            Period::Quarter { year, quarter } => {
                let first =
                    NaiveDate::from_ymd_opt(year, 3 * quarter - 2, 1).unwrap_or(NaiveDate::MIN);
                let mut next = first;
                for _ in 0..3 {
                    next = month_bounds(next).1;
                }
                (first, next)
            }
        }
    }

    /// The period before.
    pub fn previous(self) -> Period {
        match self {
            Period::Month(first) => Period::Month(previous_month(first)),
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
        }
    }

    /// The first day of the period's last month (where its 12-month trend ends).
    pub fn last_month(self) -> NaiveDate {
        previous_month(self.bounds().1)
    }

    /// `2026-11` or `2026Q4`.
    pub fn label(self) -> String {
        match self {
            Period::Month(first) => first.format("%Y-%m").to_string(),
            Period::Quarter { year, quarter } => format!("{year}Q{quarter}"),
        }
    }

    /// `2026年11月` or `2026年第四季度`.
    pub fn zh(self) -> String {
        match self {
            Period::Month(first) => format!("{}年{}月", first.year(), first.month()),
            Period::Quarter { year, quarter } => {
                let q = ["一", "二", "三", "四"]
                    .get(quarter as usize - 1)
                    .copied()
                    .unwrap_or("");
                format!("{year}年第{q}季度")
            }
        }
    }

    /// 本月 / 本季度.
    pub fn this_zh(self) -> &'static str {
        match self {
            Period::Month(_) => "本月",
            Period::Quarter { .. } => "本季度",
        }
    }

    /// 上月 / 上季度.
    pub fn previous_zh(self) -> &'static str {
        match self {
            Period::Month(_) => "上月",
            Period::Quarter { .. } => "上季度",
        }
    }

    /// The files' stem: `月通报-2026-11` or `季度抽查通报-2026Q4`.
    pub fn stem(self) -> String {
        match self {
            Period::Month(_) => format!("月通报-{}", self.label()),
            Period::Quarter { .. } => format!("季度抽查通报-{}", self.label()),
        }
    }
}

/// The templates, embedded so the binary needs no files beside it.
const BULLETIN_MD: &str = include_str!("../../reports/bulletin.md.j2");
const BULLETIN_HTML: &str = include_str!("../../reports/bulletin.html.j2");
/// The 政务新媒体 part, rendered after the bulletin's body.
const ACCOUNTS_MD: &str = include_str!("../../reports/bulletin_accounts.md.j2");
const ACCOUNTS_HTML: &str = include_str!("../../reports/bulletin_accounts.html.j2");
const NOTICE_MD: &str = include_str!("../../reports/notice.md.j2");
const NOTICE_HTML: &str = include_str!("../../reports/notice.html.j2");

/// What the bulletin is asked for.
#[derive(Debug, Clone)]
pub struct BulletinOptions {
    /// The month (the monthly bulletin) or the quarter (the spot-check report).
    pub period: Period,
    /// Title; default `{年}年{月}月政府网站检查情况通报`.
    pub title: Option<String>,
    /// Who issues the bulletin and receives the rectification reports.
    pub issuer: String,
    /// The red header of the DOCX 公文 (发文机关标志).
    pub header: String,
    /// The document number (发文字号).
    pub doc_no: Option<String>,
    /// The addressees (主送机关).
    pub addressees: String,
    /// Working days given for rectification.
    pub deadline_days: u32,
    /// The date printed on the bulletin and the notices (YYYY-MM-DD).
    pub issued_on: NaiveDate,
}

/// The bulletin's data: what the templates, the workbook and the JSON show.
#[derive(Debug, Clone, Serialize)]
pub struct Bulletin {
    pub title: String,
    /// `month` or `quarter`.
    pub period: String,
    /// The period: `2026-11`, or `2026Q4` for the quarterly report.
    pub month: String,
    /// `2026年11月` or `2026年第四季度`.
    pub month_zh: String,
    pub previous_month: String,
    /// 本月 / 本季度, 上月 / 上季度: the words the text uses for the period and the one before.
    pub this_zh: String,
    pub previous_zh: String,
    /// What was inspected, for the opening sentence (纳入监管的 N 家政府网站开展了日常监测检查,
    /// or the spot check's sample).
    pub scope_zh: String,
    pub issuer: String,
    /// The DOCX 公文's red header, document number and addressees.
    pub header: String,
    pub doc_no: Option<String>,
    pub addressees: String,
    pub issued_on: String,
    pub deadline_days: u32,
    /// Sites under supervision (configured), inspected this month, passed, failed.
    pub sites_total: usize,
    pub inspected: usize,
    pub passed: usize,
    pub failed: usize,
    /// Inspected sites whose only vetoes await a person's confirmation (待确认): neither
    /// passed nor failed; not counted as passes.
    pub pending: usize,
    /// Share of inspected sites that passed, in percent (one decimal).
    pub pass_rate: f64,
    pub average_score: f64,
    /// The 合格 sites ranked by score, best first, then the 不合格 sites (not ranked: a
    /// vetoed site is never ranked above a passing one).
    pub sites: Vec<BulletinSite>,
    /// Configured sites not inspected this month, with the reason.
    pub not_inspected: Vec<NotInspected>,
    /// Problems by rule, most sites first.
    pub problems: Vec<ProblemCount>,
    /// The same figures for the month before (its sites' latest scans).
    pub last_month: MonthFigures,
    /// The overall figures of the last 12 months, oldest first, ending with this month; a
    /// month without any inspected site has `inspected` 0 and no rate or average.
    pub trend: Vec<TrendMonth>,
    /// The months of `trend` (`2026-11`), for the per-site trend table's header.
    pub trend_months: Vec<String>,
    /// The files' stem (`月通报-2026-11`, `季度抽查通报-2026Q4`).
    pub stem: String,
    /// Whether the scans were judged again under the rules in force (`--rejudge`) rather than
    /// taken as the daily scans stored them.
    pub rejudged: bool,
    /// 规范性文件变动: each site's library changes in the period, and the stale links.
    pub normdoc: super::normdocs::NormdocChanges,
    /// The 政务新媒体 part (accounts judged apart from the sites).
    pub accounts: super::accounts::AccountsPart,
}

/// One month of the overall trend.
#[derive(Debug, Clone, Serialize)]
pub struct TrendMonth {
    /// `2026-11`.
    pub month: String,
    pub inspected: usize,
    pub passed: usize,
    /// `None` when no site was inspected that month (not a month of passes).
    pub pass_rate: Option<f64>,
    pub average_score: Option<f64>,
}

/// A month's overall figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MonthFigures {
    pub inspected: usize,
    pub passed: usize,
    pub pass_rate: f64,
    pub average_score: f64,
}

/// A configured site that was not inspected in the month, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotInspected {
    pub name: String,
    pub url: String,
    /// 无法检查 / 被拦截 (its latest scan in the month failed), or 无检查记录.
    pub state: String,
    /// The latest failure's reason, when there was a scan.
    pub reason: Option<String>,
}

/// One site's month.
#[derive(Debug, Clone, Serialize)]
pub struct BulletinSite {
    /// Rank among the 合格 sites (competition ranks: 1, 2, 2, 4); `None` for a 不合格 site,
    /// which is listed after them, not ranked by score.
    pub rank: Option<usize>,
    pub name: String,
    pub url: String,
    pub level: String,
    pub kind: String,
    /// Finished scans this month, and the as-of date of the one reported.
    pub scans: usize,
    pub scanned_on: String,
    pub score: f64,
    pub verdict: String,
    pub passed: bool,
    /// 待确认: no veto but ones a person must confirm, and a passing score.
    pub pending: bool,
    /// The site's score in each month of the bulletin's `trend_months` (its latest finished
    /// scan of the month); `None` for a month it was not inspected.
    pub trend: Vec<Option<f64>>,
    /// Last month's score and rank, and the change in score.
    pub previous_score: Option<f64>,
    pub previous_rank: Option<usize>,
    pub change: Option<f64>,
    pub vetoes: Vec<BulletinFinding>,
    pub deductions: Vec<BulletinFinding>,
    pub notices: Vec<BulletinFinding>,
    /// Points deducted (before indicator caps).
    pub deducted: f64,
    /// File name of its rectification notice (without extension), when it has problems.
    pub notice: Option<String>,
    /// How to fix each kind of problem it has (the rules' `advice`), once per rule.
    pub advice: Vec<RuleAdvice>,
    /// The 互动交流 figures of the scan (`interaction.reply_stats`): messages, answered share,
    /// median and longest reply time; `inspected` false when no message list was read.
    pub interaction: Option<crate::checks::interaction::ReplyStats>,
}

/// A rule's 整改建议.
#[derive(Debug, Clone, Serialize)]
pub struct RuleAdvice {
    pub rule: String,
    pub title: String,
    pub advice: String,
}

/// One problem of a site, as the bulletin and the notice print it.
#[derive(Debug, Clone, Serialize)]
pub struct BulletinFinding {
    pub rule: String,
    pub title: String,
    pub kind: String,
    pub points: f64,
    pub url: String,
    pub page: Option<String>,
    pub message: String,
    /// As-of date of the first scan that found it.
    pub first_seen: Option<String>,
    /// A person must confirm it before it counts as a problem to fix (a near-miss wording, a
    /// sub-column the body may lack, missing probe samples): it goes to the items to confirm,
    /// never into what a site is told to fix.
    pub needs_confirmation: bool,
}

/// How many sites and findings a rule caught this month, and the change against last month.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemCount {
    pub rule: String,
    pub title: String,
    pub kind: String,
    pub sites: usize,
    pub findings: usize,
    /// Last month's findings of the rule, when last month had an inspected site (else `None`:
    /// no comparison is made with a month without data).
    pub previous_findings: Option<usize>,
    /// `findings − previous_findings`.
    pub change: Option<i64>,
}

fn month_bounds(first: NaiveDate) -> (NaiveDate, NaiveDate) {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    (first, next.unwrap_or(first))
}

fn previous_month(first: NaiveDate) -> NaiveDate {
    let prev = if first.month() == 1 {
        NaiveDate::from_ymd_opt(first.year() - 1, 12, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() - 1, 1)
    };
    prev.unwrap_or(first)
}

/// The latest finished scan of a site whose as-of date is in the month, and how many there
/// were.
fn scan_in(rows: &[HistoryRow], period: Period) -> Option<(&HistoryRow, usize)> {
    let (from, to) = period.bounds();
    let in_month: Vec<&HistoryRow> = rows
        .iter()
        .filter(|r| r.status == SiteRunStatus::Done && r.score.is_some())
        .filter(|r| {
            let d = r.as_of.date_naive();
            d >= from && d < to
        })
        .collect();
    let latest = in_month.iter().max_by_key(|r| (r.as_of, r.run)).copied()?;
    Some((latest, in_month.len()))
}

/// Competition ranks of scores, best first: equal scores share a rank.
fn ranks(scores: &[f64]) -> Vec<usize> {
    scores
        .iter()
        .map(|s| 1 + scores.iter().filter(|o| *o > s).count())
        .collect()
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A name usable as a file name: path separators and control characters replaced.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect()
}

/// A site's scan as the bulletin counts it: findings, score and verdict.
pub struct Judged {
    pub findings: Vec<crate::checks::Finding>,
    pub score: f64,
    pub verdict: Verdict,
}

/// Judges a stored scan again under the rules in force (see `govscan judge`); without one the
/// bulletin takes the findings and scores the daily scans stored.
pub type Rejudge<'a> = &'a dyn Fn(&HistoryRow) -> Result<Judged, String>;

/// Why a bulletin could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot judge the scan of {site} again: {message}")]
    Rejudge { site: String, message: String },
    /// No configured site has a finished scan in the month: a bulletin would report nothing
    /// as if it were a month of passes.
    #[error(
        "no site has a finished scan in {month} ({sites} configured): there is nothing to report \
         (run `govscan scan` in that month, or choose another month)"
    )]
    NoData { month: String, sites: usize },
}

/// The 12 months ending with `month` (oldest first): each site's score per month (its latest
/// finished scan in it, as stored) and the overall figures per month.
#[allow(clippy::type_complexity)]
fn trends(
    store: &Store,
    sites: &[SiteConfig],
    month: NaiveDate,
) -> Result<
    (
        Vec<String>,
        Vec<TrendMonth>,
        HashMap<String, Vec<Option<f64>>>,
    ),
    StoreError,
> {
    let mut months = vec![month];
    for _ in 1..12 {
        let m = previous_month(*months.last().unwrap_or(&month));
        months.push(m);
    }
    months.reverse();
    let mut per_site: HashMap<String, Vec<Option<f64>>> = HashMap::new();
    let mut overall: Vec<(usize, usize, f64)> = vec![(0, 0, 0.0); months.len()];
    for site in sites {
        let rows = store.history(&site.name)?;
        let series: Vec<Option<f64>> = months
            .iter()
            .zip(overall.iter_mut())
            .map(|(m, o)| {
                let (r, _) = scan_in(&rows, Period::Month(*m))?;
                let score = r.score?;
                o.0 += 1;
                if r.verdict.is_some_and(Verdict::passed) {
                    o.1 += 1;
                }
                o.2 += score;
                Some(round1(score))
            })
            .collect();
        per_site.insert(site.name.clone(), series);
    }
    let trend = months
        .iter()
        .zip(overall)
        .map(|(m, (inspected, passed, sum))| TrendMonth {
            month: m.format("%Y-%m").to_string(),
            inspected,
            passed,
            pass_rate: (inspected > 0).then(|| round1(100.0 * passed as f64 / inspected as f64)),
            average_score: (inspected > 0).then(|| round1(sum / inspected as f64)),
        })
        .collect();
    let names = months
        .iter()
        .map(|m| m.format("%Y-%m").to_string())
        .collect();
    Ok((names, trend, per_site))
}

/// Why a configured site has no inspected scan in the month: its latest scan in the month
/// failed (无法检查 / 被拦截, with the reason), or there was none.
fn not_inspected_in(
    store: &Store,
    site: &SiteConfig,
    rows: &[HistoryRow],
    period: Period,
) -> Result<NotInspected, StoreError> {
    let (from, to) = period.bounds();
    let failed = rows
        .iter()
        .filter(|r| r.status == SiteRunStatus::Failed)
        .filter(|r| {
            let d = r.as_of.date_naive();
            d >= from && d < to
        })
        .max_by_key(|r| (r.as_of, r.run));
    let (state, reason) = match failed {
        Some(r) => {
            let info = store.site_run(r.site_run)?;
            (
                r.verdict.unwrap_or(Verdict::NotInspected).zh().to_string(),
                info.and_then(|i| i.error),
            )
        }
        None => ("无检查记录".to_string(), None),
    };
    Ok(NotInspected {
        name: site.name.clone(),
        url: site.url.to_string(),
        state,
        reason,
    })
}

fn judged(
    store: &Store,
    site: &str,
    row: &HistoryRow,
    rejudge: Option<Rejudge<'_>>,
) -> Result<Judged, BuildError> {
    match rejudge {
        Some(f) => f(row).map_err(|message| BuildError::Rejudge {
            site: site.to_string(),
            message,
        }),
        None => Ok(Judged {
            findings: store.site_findings(row.site_run)?,
            // Only finished scans are chosen, and a finished scan has its score and verdict.
            score: row.score.unwrap_or(0.0),
            verdict: row.verdict.unwrap_or(Verdict::Fail),
        }),
    }
}

/// Build the bulletin of `opts.period` for `sites` (the configured sites for a month, the
/// drawn sample for a quarter).
pub fn build(
    store: &Store,
    sites: &[SiteConfig],
    rules: &RuleSet,
    opts: &BulletinOptions,
    rejudge: Option<Rejudge<'_>>,
) -> Result<Bulletin, BuildError> {
    let period = opts.period;
    let prev = period.previous();
    let site_names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    // (site, chosen scan, scans in month, how it is judged)
    let mut chosen = Vec::new();
    let mut previous: Vec<(String, f64, bool)> = Vec::new();
    let mut previous_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut not_inspected = Vec::new();
    for site in sites {
        let rows = store.history(&site.name)?;
        if let Some((r, _)) = scan_in(&rows, prev) {
            let j = judged(store, &site.name, r, rejudge)?;
            previous.push((site.name.clone(), j.score, j.verdict.passed()));
            for f in &j.findings {
                *previous_counts.entry(f.rule.clone()).or_default() += 1;
            }
        }
        match scan_in(&rows, period) {
            Some((r, n)) => {
                let j = judged(store, &site.name, r, rejudge)?;
                chosen.push((site, r.clone(), n, j));
            }
            None => not_inspected.push(not_inspected_in(store, site, &rows, period)?),
        }
    }
    let prev_scores: Vec<f64> = previous.iter().map(|(_, s, _)| *s).collect();
    let prev_passing: Vec<f64> = previous
        .iter()
        .filter(|(_, _, p)| *p)
        .map(|(_, s, _)| *s)
        .collect();
    let prev_ranks: HashMap<&str, (f64, Option<usize>)> = previous
        .iter()
        .map(|(n, s, p)| {
            let rank = p.then(|| 1 + prev_passing.iter().filter(|o| *o > s).count());
            (n.as_str(), (*s, rank))
        })
        .collect();
    let prev_passed = previous.iter().filter(|(_, _, p)| *p).count();
    let last_month = MonthFigures {
        inspected: previous.len(),
        passed: prev_passed,
        pass_rate: if previous.is_empty() {
            0.0
        } else {
            round1(100.0 * prev_passed as f64 / previous.len() as f64)
        },
        average_score: if previous.is_empty() {
            0.0
        } else {
            round1(prev_scores.iter().sum::<f64>() / previous.len() as f64)
        },
    };

    let mut out: Vec<BulletinSite> = Vec::new();
    let mut counts: BTreeMap<String, (String, String, usize, usize)> = BTreeMap::new();
    for (site, row, scans, j) in chosen {
        let first_seen: HashMap<(String, String), String> = store
            .findings(&FindingFilter {
                site: Some(site.name.clone()),
                ..FindingFilter::default()
            })?
            .into_iter()
            .map(|f| {
                (
                    (f.finding.rule.clone(), f.finding.url.clone()),
                    f.first_seen_at.date_naive().to_string(),
                )
            })
            .collect();
        let mut entry = BulletinSite {
            rank: None,
            name: site.name.clone(),
            url: site.url.to_string(),
            level: site.level.zh().to_string(),
            kind: site.kind.zh().to_string(),
            scans,
            scanned_on: row.as_of.date_naive().to_string(),
            score: j.score,
            verdict: j.verdict.zh().to_string(),
            passed: j.verdict.passed(),
            pending: j.verdict == Verdict::Pending,
            trend: Vec::new(),
            previous_score: prev_ranks.get(site.name.as_str()).map(|(s, _)| *s),
            previous_rank: prev_ranks.get(site.name.as_str()).and_then(|(_, r)| *r),
            change: None,
            vetoes: Vec::new(),
            deductions: Vec::new(),
            notices: Vec::new(),
            deducted: 0.0,
            notice: None,
            advice: Vec::new(),
            interaction: j
                .findings
                .iter()
                .find(|f| f.rule == "interaction.reply_stats")
                .and_then(|f| serde_json::from_value(f.evidence.clone()).ok()),
        };
        entry.change = entry.previous_score.map(|p| round1(entry.score - p));
        let mut seen_rules: Vec<String> = Vec::new();
        for f in j.findings {
            let (title, kind) = match rules.get(&f.rule) {
                Some(r) => (r.title.clone(), r.kind),
                None => (f.rule.clone(), f.kind),
            };
            let b = BulletinFinding {
                needs_confirmation: f.needs_confirmation(),
                first_seen: first_seen.get(&(f.rule.clone(), f.url.clone())).cloned(),
                rule: f.rule.clone(),
                title: title.clone(),
                kind: f.kind.zh().to_string(),
                points: f.points,
                url: f.url,
                page: f.page,
                message: f.message,
            };
            let c = counts
                .entry(f.rule.clone())
                .or_insert_with(|| (title, kind.zh().to_string(), 0, 0));
            c.3 += 1;
            if !seen_rules.contains(&f.rule) {
                seen_rules.push(f.rule.clone());
                c.2 += 1;
            }
            if f.kind != Kind::Notice
                && !b.needs_confirmation
                && !entry.advice.iter().any(|a| a.rule == f.rule)
            {
                if let Some(advice) = rules.get(&f.rule).and_then(|r| r.advice.clone()) {
                    entry.advice.push(RuleAdvice {
                        rule: f.rule.clone(),
                        title: b.title.clone(),
                        advice,
                    });
                }
            }
            match f.kind {
                Kind::Veto => entry.vetoes.push(b),
                Kind::Deduct => {
                    entry.deducted += f.points;
                    entry.deductions.push(b);
                }
                Kind::Notice => entry.notices.push(b),
            }
        }
        entry.deducted = round1(entry.deducted);
        let to_fix = entry
            .vetoes
            .iter()
            .chain(&entry.deductions)
            .any(|f| !f.needs_confirmation);
        if to_fix {
            entry.notice = Some(format!("整改通知-{}", file_stem(&site.name)));
        }
        out.push(entry);
    }
    if out.is_empty() {
        return Err(BuildError::NoData {
            month: period.label(),
            sites: sites.len(),
        });
    }
    // 合格 sites by score, best first; then the 待确认 sites and the 不合格 sites, most vetoes
    // first, unranked.
    let order = |s: &BulletinSite| (!s.passed, !s.pending);
    out.sort_by(|a, b| {
        order(a)
            .cmp(&order(b))
            .then_with(|| {
                if a.passed {
                    b.score.total_cmp(&a.score)
                } else {
                    b.vetoes.len().cmp(&a.vetoes.len())
                }
            })
            .then_with(|| a.name.cmp(&b.name))
    });
    let scores: Vec<f64> = out.iter().map(|s| s.score).collect();
    let passing: Vec<f64> = out.iter().filter(|s| s.passed).map(|s| s.score).collect();
    for (s, r) in out.iter_mut().zip(ranks(&passing)) {
        s.rank = Some(r);
    }
    let inspected = out.len();
    let passed = out.iter().filter(|s| s.passed).count();
    let pending = out.iter().filter(|s| s.pending).count();
    let had_last_month = !previous.is_empty();
    let mut problems: Vec<ProblemCount> = counts
        .into_iter()
        .map(|(rule, (title, kind, sites, findings))| {
            let previous_findings =
                had_last_month.then(|| previous_counts.get(&rule).copied().unwrap_or(0));
            ProblemCount {
                change: previous_findings.map(|p| findings as i64 - p as i64),
                previous_findings,
                rule,
                title,
                kind,
                sites,
                findings,
            }
        })
        .collect();
    problems.sort_by(|a, b| (b.sites, b.findings, &a.rule).cmp(&(a.sites, a.findings, &b.rule)));
    let (trend_months, trend, site_trends) = trends(store, sites, period.last_month())?;
    for s in &mut out {
        if let Some(t) = site_trends.get(&s.name) {
            s.trend = t.clone();
        }
    }
    let normdoc = {
        let (from, end) = period.bounds();
        let names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
        super::normdocs::month_changes(store, &names, from, end.pred_opt().unwrap_or(end))?
    };
    let month_zh = period.zh();
    let (kind, title, scope_zh) = match period {
        Period::Month(_) => (
            "month",
            format!("{month_zh}政府网站检查情况通报"),
            format!("对纳入监管的 {} 家政府网站开展了日常监测检查", sites.len()),
        ),
        Period::Quarter { .. } => (
            "quarter",
            format!("{month_zh}政府网站抽查情况通报"),
            format!(
                "从纳入监管的政府网站中抽取 {} 家开展了季度抽查",
                sites.len()
            ),
        ),
    };
    Ok(Bulletin {
        trend,
        trend_months,
        title: opts.title.clone().unwrap_or(title),
        period: kind.to_string(),
        month: period.label(),
        month_zh,
        previous_month: prev.label(),
        this_zh: period.this_zh().to_string(),
        previous_zh: period.previous_zh().to_string(),
        scope_zh,
        issuer: opts.issuer.clone(),
        header: opts.header.clone(),
        doc_no: opts.doc_no.clone(),
        addressees: opts.addressees.clone(),
        issued_on: opts.issued_on.to_string(),
        deadline_days: opts.deadline_days,
        sites_total: sites.len(),
        inspected,
        passed,
        failed: inspected - passed - pending,
        pending,
        pass_rate: if inspected == 0 {
            0.0
        } else {
            round1(100.0 * passed as f64 / inspected as f64)
        },
        average_score: if inspected == 0 {
            0.0
        } else {
            round1(scores.iter().sum::<f64>() / inspected as f64)
        },
        sites: out,
        not_inspected,
        problems,
        last_month,
        rejudged: rejudge.is_some(),
        stem: period.stem(),
        normdoc,
        accounts: super::accounts::month_accounts(store, &site_names, period.bounds(), rules)?,
    })
}

/// An error while writing the bulletin's files.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot render the template {template}: {message}")]
    Template { template: String, message: String },
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

fn render(name: &str, source: &str, ctx: &minijinja::Value) -> Result<String, RenderError> {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    let fail = |e: minijinja::Error| RenderError::Template {
        template: name.to_string(),
        message: format!("{e:#}"),
    };
    env.add_template(name, source).map_err(fail)?;
    env.get_template(name)
        .map_err(fail)?
        .render(ctx)
        .map_err(fail)
}

/// The bulletin in Markdown.
pub fn markdown(b: &Bulletin) -> Result<String, RenderError> {
    let ctx = minijinja::Value::from_serialize(b);
    Ok(render("bulletin.md.j2", BULLETIN_MD, &ctx)?
        + &render("bulletin_accounts.md.j2", ACCOUNTS_MD, &ctx)?)
}

/// The bulletin in HTML (one self-contained page, charts inline as SVG, print CSS for A4).
pub fn html(b: &Bulletin) -> Result<String, RenderError> {
    html_with(b, &charts(b)?)
}

fn html_with(b: &Bulletin, charts: &[super::charts::Chart]) -> Result<String, RenderError> {
    let charts: Vec<minijinja::Value> = charts
        .iter()
        .map(|c| minijinja::context! { caption => c.caption.clone(), svg => c.svg.clone() })
        .collect();
    let ctx = minijinja::context! { charts => charts, ..minijinja::Value::from_serialize(b) };
    let part = render("bulletin_accounts.html.j2", ACCOUNTS_HTML, &ctx)?;
    Ok(render("bulletin.html.j2", BULLETIN_HTML, &ctx)?.replacen(
        "</body>",
        &format!("{part}</body>"),
        1,
    ))
}

/// The bulletin's charts: the 12-month trend, the score distribution, the main problems.
pub fn charts(b: &Bulletin) -> Result<Vec<super::charts::Chart>, RenderError> {
    let fail = |e: super::charts::ChartError| RenderError::Template {
        template: "charts".into(),
        message: e.to_string(),
    };
    Ok(vec![
        super::charts::trend(&b.trend).map_err(fail)?,
        super::charts::distribution(&b.sites).map_err(fail)?,
        super::charts::problems(&b.problems).map_err(fail)?,
    ])
}

/// The 公文 header of the DOCX files.
fn issuer(b: &Bulletin) -> super::docx::Issuer {
    super::docx::Issuer {
        header: b.header.clone(),
        doc_no: b.doc_no.clone(),
        addressees: b.addressees.clone(),
        signature: b.issuer.clone(),
    }
}

/// The bulletin as a DOCX 公文 (GB/T 9704 layout) with its charts and attachments.
pub fn docx(b: &Bulletin) -> Result<Vec<u8>, RenderError> {
    docx_with(b, &charts(b)?)
}

fn docx_with(b: &Bulletin, charts: &[super::charts::Chart]) -> Result<Vec<u8>, RenderError> {
    super::docx::bulletin(b, &issuer(b), charts).map_err(|e| RenderError::Template {
        template: "docx".into(),
        message: e.to_string(),
    })
}

/// A site's rectification notice as a DOCX 公文.
pub fn notice_docx(b: &Bulletin, site: &BulletinSite) -> Result<Vec<u8>, RenderError> {
    super::docx::notice(b, site, &issuer(b)).map_err(|e| RenderError::Template {
        template: "docx".into(),
        message: e.to_string(),
    })
}

fn notice_ctx(b: &Bulletin, site: &BulletinSite) -> minijinja::Value {
    minijinja::context! { bulletin => minijinja::Value::from_serialize(b), site => minijinja::Value::from_serialize(site) }
}

/// A site's rectification notice in Markdown.
pub fn notice_markdown(b: &Bulletin, site: &BulletinSite) -> Result<String, RenderError> {
    render("notice.md.j2", NOTICE_MD, &notice_ctx(b, site))
}

/// A site's rectification notice in HTML.
pub fn notice_html(b: &Bulletin, site: &BulletinSite) -> Result<String, RenderError> {
    render("notice.html.j2", NOTICE_HTML, &notice_ctx(b, site))
}

/// The workbook: the ranking, every problem, and the problems by rule.
pub fn xlsx(b: &Bulletin) -> Result<Vec<u8>, RenderError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| RenderError::Write {
        path: "workbook".into(),
        message: e.to_string(),
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");

    let ws = wb.add_worksheet();
    ws.set_name("得分排名").map_err(fail)?;
    let head = [
        "排名",
        "网站名称",
        "网址",
        "级别",
        "类型",
        "检查日期",
        "得分",
        "结论",
        "较上月",
        "单项否决",
        "扣分项",
        "提示",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &bold).map_err(fail)?;
    }
    for (i, s) in b.sites.iter().enumerate() {
        let r = (i + 1) as u32;
        match s.rank {
            Some(rank) => ws.write(r, 0, rank as u32).map_err(fail)?,
            None => ws.write(r, 0, "—").map_err(fail)?,
        };
        ws.write(r, 1, &s.name).map_err(fail)?;
        ws.write(r, 2, &s.url).map_err(fail)?;
        ws.write(r, 3, &s.level).map_err(fail)?;
        ws.write(r, 4, &s.kind).map_err(fail)?;
        write_date(ws, r, 5, &s.scanned_on, &date).map_err(fail)?;
        ws.write(r, 6, s.score).map_err(fail)?;
        ws.write(r, 7, &s.verdict).map_err(fail)?;
        if let Some(c) = s.change {
            ws.write(r, 8, c).map_err(fail)?;
        }
        ws.write(r, 9, s.vetoes.len() as u32).map_err(fail)?;
        ws.write(r, 10, s.deductions.len() as u32).map_err(fail)?;
        ws.write(r, 11, s.notices.len() as u32).map_err(fail)?;
    }
    ws.set_column_width(1, 28).map_err(fail)?;
    ws.set_column_width(2, 36).map_err(fail)?;
    ws.set_column_width(5, 12).map_err(fail)?;
    table_header(ws, b.sites.len() as u32, head.len() as u16).map_err(fail)?;

    let ws = wb.add_worksheet();
    ws.set_name("问题清单").map_err(fail)?;
    let head = [
        "网站名称",
        "问题类型",
        "性质",
        "扣分",
        "问题地址",
        "所在页面",
        "问题描述",
        "首次发现",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &bold).map_err(fail)?;
    }
    let mut r = 1u32;
    for s in &b.sites {
        for f in s.vetoes.iter().chain(&s.deductions).chain(&s.notices) {
            ws.write(r, 0, &s.name).map_err(fail)?;
            ws.write(r, 1, &f.title).map_err(fail)?;
            ws.write(r, 2, &f.kind).map_err(fail)?;
            ws.write(r, 3, f.points).map_err(fail)?;
            ws.write(r, 4, &f.url).map_err(fail)?;
            ws.write(r, 5, f.page.as_deref().unwrap_or(""))
                .map_err(fail)?;
            ws.write(r, 6, &f.message).map_err(fail)?;
            if let Some(d) = &f.first_seen {
                write_date(ws, r, 7, d, &date).map_err(fail)?;
            }
            r += 1;
        }
    }
    ws.set_column_width(0, 28).map_err(fail)?;
    ws.set_column_width(4, 40).map_err(fail)?;
    ws.set_column_width(6, 50).map_err(fail)?;
    ws.set_column_width(7, 12).map_err(fail)?;
    table_header(ws, r - 1, head.len() as u16).map_err(fail)?;

    let ws = wb.add_worksheet();
    ws.set_name("问题统计").map_err(fail)?;
    for (c, h) in ["问题类型", "规则", "性质", "涉及网站数", "问题数"]
        .iter()
        .enumerate()
    {
        ws.write_with_format(0, c as u16, *h, &bold).map_err(fail)?;
    }
    for (i, p) in b.problems.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write(r, 0, &p.title).map_err(fail)?;
        ws.write(r, 1, &p.rule).map_err(fail)?;
        ws.write(r, 2, &p.kind).map_err(fail)?;
        ws.write(r, 3, p.sites as u32).map_err(fail)?;
        ws.write(r, 4, p.findings as u32).map_err(fail)?;
    }
    ws.set_column_width(0, 30).map_err(fail)?;
    table_header(ws, b.problems.len() as u32, 5).map_err(fail)?;

    // The 互动交流 figures per site, when any site has them.
    let with_figures: Vec<_> = b
        .sites
        .iter()
        .filter_map(|s| s.interaction.as_ref().map(|i| (s, i)))
        .collect();
    if !with_figures.is_empty() {
        let ws = wb.add_worksheet();
        ws.set_name("留言办理").map_err(fail)?;
        let head = [
            "网站名称",
            "检查情况",
            "留言数",
            "已答复",
            "答复率(%)",
            "答复用时中位数(天)",
            "最长答复用时(天)",
            "超期未答复",
            "未显示答复情况",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_with_format(0, c as u16, *h, &bold).map_err(fail)?;
        }
        for (i, (s, f)) in with_figures.iter().enumerate() {
            let r = (i + 1) as u32;
            ws.write(r, 0, &s.name).map_err(fail)?;
            if !f.inspected {
                ws.write(r, 1, "无法检查（未读取到留言列表）")
                    .map_err(fail)?;
                continue;
            }
            ws.write(r, 1, "已检查").map_err(fail)?;
            ws.write(r, 2, f.messages as u32).map_err(fail)?;
            ws.write(r, 3, f.answered as u32).map_err(fail)?;
            if let Some(p) = f.answered_pct {
                ws.write(r, 4, p).map_err(fail)?;
            }
            if let Some(d) = f.median_days {
                ws.write(r, 5, d).map_err(fail)?;
            }
            if let Some(d) = f.max_days {
                ws.write(r, 6, d as f64).map_err(fail)?;
            }
            ws.write(r, 7, f.overdue as u32).map_err(fail)?;
            ws.write(r, 8, f.unknown as u32).map_err(fail)?;
        }
        ws.set_column_width(0, 28).map_err(fail)?;
        ws.set_column_width(1, 28).map_err(fail)?;
        table_header(ws, with_figures.len() as u32, head.len() as u16).map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}

/// The header row frozen, and an autofilter over the table (header plus `rows` rows).
fn table_header(
    ws: &mut rust_xlsxwriter::Worksheet,
    rows: u32,
    cols: u16,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows, cols.saturating_sub(1))?;
    Ok(())
}

/// A `YYYY-MM-DD` day as a real Excel date (sortable, filterable); text if it is not one.
fn write_date(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    day: &str,
    format: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => {
            let d = rust_xlsxwriter::ExcelDateTime::from_ymd(
                u16::try_from(d.year()).unwrap_or(1900),
                d.month() as u8,
                d.day() as u8,
            )?;
            ws.write_datetime_with_format(row, col, d, format)?;
        }
        Err(_) => {
            ws.write(row, col, day)?;
        }
    }
    Ok(())
}

/// Write every file of the bulletin into `dir`: `月通报-YYYY-MM.{md,html,json,xlsx}` and one
/// `整改通知-<site>.{md,html}` per site with problems. Returns the paths written.
pub fn write_all(b: &Bulletin, dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let write = |name: String, bytes: &[u8]| -> Result<PathBuf, RenderError> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| RenderError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Ok(path)
    };
    std::fs::create_dir_all(dir).map_err(|e| RenderError::Write {
        path: dir.display().to_string(),
        message: e.to_string(),
    })?;
    let stem = b.stem.clone();
    let json = serde_json::to_string_pretty(b).map_err(|e| RenderError::Template {
        template: "json".into(),
        message: e.to_string(),
    })?;
    let charts = charts(b)?;
    let mut written = vec![
        write(format!("{stem}.md"), markdown(b)?.as_bytes())?,
        write(format!("{stem}.html"), html_with(b, &charts)?.as_bytes())?,
        write(format!("{stem}.json"), json.as_bytes())?,
        write(format!("{stem}.xlsx"), &xlsx(b)?)?,
        write(format!("{stem}.docx"), &docx_with(b, &charts)?)?,
    ];
    for (i, c) in charts.iter().enumerate() {
        written.push(write(format!("{stem}-图{}.svg", i + 1), c.svg.as_bytes())?);
        written.push(write(format!("{stem}-图{}.png", i + 1), &c.png)?);
    }
    for s in &b.sites {
        if let Some(n) = &s.notice {
            written.push(write(format!("{n}.md"), notice_markdown(b, s)?.as_bytes())?);
            written.push(write(format!("{n}.html"), notice_html(b, s)?.as_bytes())?);
            written.push(write(format!("{n}.docx"), &notice_docx(b, s)?)?);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_competition_ranks() {
        assert_eq!(ranks(&[90.0, 85.0, 85.0, 70.0]), vec![1, 2, 2, 4]);
        assert_eq!(ranks(&[]), Vec::<usize>::new());
    }

    #[test]
    fn months_wrap_at_the_year() {
        let jan = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        assert_eq!(previous_month(jan).to_string(), "2026-12-01");
        let dec = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(month_bounds(dec).1.to_string(), "2027-01-01");
    }

    #[test]
    fn workbook_sheets_have_frozen_headers_filters_and_real_dates() {
        use std::io::Read as _;
        let bytes = xlsx(&sample("x")).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for sheet in 1..=3 {
            let mut xml = String::new();
            zip.by_name(&format!("xl/worksheets/sheet{sheet}.xml"))
                .unwrap()
                .read_to_string(&mut xml)
                .unwrap();
            assert!(
                xml.contains(r#"ySplit="1""#) && xml.contains("frozen"),
                "{xml}"
            );
            assert!(xml.contains("<autoFilter"), "{xml}");
        }
        let mut styles = String::new();
        zip.by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut styles)
            .unwrap();
        assert!(styles.contains("yyyy-mm-dd"), "{styles}");
        // 2026-11-29 is Excel serial 46355: a number, not text.
        let mut ranking = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut ranking)
            .unwrap();
        assert!(ranking.contains("<v>46355</v>"), "{ranking}");
    }

    fn sample(message: &str) -> Bulletin {
        let f = BulletinFinding {
            rule: "link.broken.other".into(),
            title: "其他页面不可用链接".into(),
            kind: "扣分".into(),
            points: 0.1,
            url: "https://x.gov.cn/a".into(),
            page: Some("https://x.gov.cn/".into()),
            message: message.into(),
            first_seen: Some("2026-11-01".into()),
            needs_confirmation: false,
        };
        Bulletin {
            title: "2026年11月政府网站检查情况通报".into(),
            period: "month".into(),
            month: "2026-11".into(),
            month_zh: "2026年11月".into(),
            previous_month: "2026-10".into(),
            this_zh: "本月".into(),
            previous_zh: "上月".into(),
            scope_zh: "对纳入监管的 1 家政府网站开展了日常监测检查".into(),
            issuer: "办公室".into(),
            header: "办公室文件".into(),
            doc_no: Some("某办〔2026〕12号".into()),
            addressees: "各有关单位：".into(),
            issued_on: "2026-12-01".into(),
            deadline_days: 10,
            sites_total: 1,
            inspected: 1,
            passed: 1,
            failed: 0,
            pending: 0,
            pass_rate: 100.0,
            average_score: 99.9,
            sites: vec![BulletinSite {
                rank: Some(1),
                name: "某县".into(),
                url: "https://x.gov.cn/".into(),
                level: "县级".into(),
                kind: "门户网站".into(),
                scans: 1,
                scanned_on: "2026-11-29".into(),
                score: 99.9,
                verdict: "合格".into(),
                passed: true,
                pending: false,
                trend: vec![Some(99.9)],
                previous_score: None,
                previous_rank: None,
                change: None,
                vetoes: Vec::new(),
                deductions: vec![f],
                notices: Vec::new(),
                deducted: 0.1,
                notice: Some("整改通知-某县".into()),
                advice: Vec::new(),
                interaction: Some(crate::checks::interaction::ReplyStats {
                    inspected: true,
                    list_pages: 2,
                    messages: 12,
                    answered: 11,
                    answered_pct: Some(91.7),
                    median_days: Some(6.0),
                    max_days: Some(120),
                    overdue: 1,
                    unknown: 0,
                    undated: 0,
                    window_days: 365,
                }),
            }],
            not_inspected: Vec::new(),
            problems: Vec::new(),
            last_month: MonthFigures::default(),
            trend: Vec::new(),
            trend_months: vec!["2026-11".into()],
            rejudged: false,
            normdoc: Default::default(),
            accounts: Default::default(),
            stem: "月通报-2026-11".into(),
        }
    }

    #[test]
    fn page_text_in_a_message_is_escaped_in_html_and_kept_in_markdown() -> Result<(), RenderError> {
        // Anchor texts come from the crawled pages: a hostile page must not inject markup.
        let b = sample("页面链接「<script>alert(1)</script>」不可用");
        let page = html(&b)?;
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;"));
        let notice = notice_html(&b, &b.sites[0])?;
        assert!(!notice.contains("<script>"));
        assert!(markdown(&b)?.contains("页面链接「<script>alert(1)</script>」不可用"));
        Ok(())
    }

    #[test]
    fn the_workbook_is_a_zip_with_the_three_sheets() -> Result<(), RenderError> {
        let bytes = xlsx(&sample("HTTP 404"))?;
        assert!(bytes.starts_with(b"PK"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("xl/worksheets/sheet3.xml"));
        // The 互动交流 figures on their own sheet.
        assert!(text.contains("xl/worksheets/sheet4.xml"));
        let shared = read_zip(&bytes, "xl/sharedStrings.xml");
        assert!(
            shared.contains("留言办理") || read_zip(&bytes, "xl/workbook.xml").contains("留言办理")
        );
        assert!(shared.contains("答复用时中位数"), "{shared}");
        Ok(())
    }

    fn read_zip(bytes: &[u8], name: &str) -> String {
        use std::io::Read as _;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn zip_names(bytes: &[u8]) -> Vec<String> {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        zip.file_names().map(String::from).collect()
    }

    #[test]
    fn the_interaction_figures_are_in_every_form() -> Result<(), RenderError> {
        let mut b = sample("HTTP 404");
        let doc = read_zip(&docx(&b)?, "word/document.xml");
        assert!(doc.contains("互动交流留言办理情况"));
        assert!(doc.contains("91.7%"));
        let page = html(&b)?;
        assert!(page.contains("互动交流留言办理情况") && page.contains("<td>120</td>"));
        let md = markdown(&b)?;
        assert!(
            md.contains("| 某县 | 12 | 11 | 91.7% | 6.0 | 120 | 1 |"),
            "{md}"
        );
        // A site whose message lists were not read says so: never a pass.
        if let Some(i) = b.sites[0].interaction.as_mut() {
            i.inspected = false;
        }
        assert!(markdown(&b)?.contains("无法检查（未读取到留言列表）"));
        assert!(html(&b)?.contains("无法检查（未读取到留言列表）"));
        assert!(read_zip(&docx(&b)?, "word/document.xml").contains("无法检查"));
        // Without the figures (scans stored before the rule), no section.
        b.sites[0].interaction = None;
        assert!(!markdown(&b)?.contains("互动交流留言办理情况"));
        Ok(())
    }

    /// The sample with a near-miss wording veto a person must confirm first.
    fn with_item_to_confirm() -> Bulletin {
        let mut b = sample("HTTP 404");
        b.sites[0].vetoes.push(BulletinFinding {
            rule: "wording.serious".into(),
            title: "严重错别字".into(),
            kind: "单项否决".into(),
            points: 0.0,
            url: "https://x.gov.cn/news/1.html".into(),
            page: Some("https://x.gov.cn/news/1.html".into()),
            message: "疑似「人民政俯」应为「人民政府」".into(),
            first_seen: None,
            needs_confirmation: true,
        });
        b
    }

    #[test]
    fn the_docx_bulletin_is_a_gongwen_with_charts_and_attachments() -> Result<(), RenderError> {
        let b = with_item_to_confirm();
        let bytes = docx(&b)?;
        assert!(bytes.starts_with(b"PK"));
        let doc = read_zip(&bytes, "word/document.xml");
        for needle in [
            "办公室文件",       // the red header
            "某办〔2026〕12号", // the document number
            r#"w:val="FF0000""#,
            "仿宋_GB2312",
            "方正小标宋简体",
            "黑体",
            "各有关单位：",
            "一、总体情况",
            "三、得分与排名",
            "附件1",
            "各网站问题清单",
            "附件2",
            "待人工确认事项",
            "2026年12月1日",
        ] {
            assert!(doc.contains(needle), "{needle} missing");
        }
        // A4 with the GB/T 9704 margins (37 mm top = 2098 twips).
        assert!(doc.contains(r#"w:w="11906""#) && doc.contains(r#"w:h="16838""#));
        assert!(doc.contains(r#"w:top="2098""#), "top margin");
        // The three charts as images.
        let media: Vec<String> = zip_names(&bytes)
            .into_iter()
            .filter(|n| n.starts_with("word/media/") && n.ends_with(".png"))
            .collect();
        assert_eq!(media.len(), 3, "{media:?}");
        // Page numbers in the footers, odd and even.
        let footers: Vec<String> = zip_names(&bytes)
            .into_iter()
            .filter(|n| n.starts_with("word/footer"))
            .collect();
        assert!(footers.len() >= 2, "{footers:?}");
        assert!(footers.iter().all(|f| read_zip(&bytes, f).contains("PAGE")));
        // The near miss is an item to confirm (附件2), not a problem to fix (附件1).
        let att2 = doc.find("待人工确认事项").unwrap_or(0);
        let confirm_at = doc.rfind("人民政俯").unwrap_or(0);
        assert!(confirm_at > att2, "the item to confirm is in 附件2");
        Ok(())
    }

    #[test]
    fn items_to_confirm_never_become_problems_to_fix() -> Result<(), RenderError> {
        let b = with_item_to_confirm();
        let md = markdown(&b)?;
        let (problems, confirm) = md.split_at(md.find("## 附：待人工确认事项").unwrap_or(0));
        assert!(!problems.contains("人民政俯"), "{md}");
        assert!(confirm.contains("人民政俯"), "{md}");
        let html = html(&b)?;
        let (problems, confirm) = html.split_at(html.find("附：待人工确认事项").unwrap_or(0));
        assert!(!problems.contains("人民政俯") && confirm.contains("人民政俯"));
        let site = &b.sites[0];
        assert!(!notice_markdown(&b, site)?.contains("人民政俯"));
        assert!(!notice_html(&b, site)?.contains("人民政俯"));
        let notice = notice_docx(&b, site)?;
        let doc = read_zip(&notice, "word/document.xml");
        assert!(doc.contains("关于某县存在问题的整改通知"));
        assert!(!doc.contains("人民政俯"));
        assert!(doc.contains("需人工核实的事项"));
        Ok(())
    }

    #[test]
    fn the_html_bulletin_has_charts_and_prints_on_a4() -> Result<(), RenderError> {
        let page = html(&sample("HTTP 404"))?;
        assert_eq!(page.matches("<figure><svg").count(), 3, "{page}");
        assert!(page.contains("@page { size: A4"));
        assert!(page.contains("thead { display: table-header-group; }"));
        assert!(page.contains("<thead><tr><th>排名</th>"));
        Ok(())
    }

    #[test]
    fn libreoffice_opens_the_docx_files() -> Result<(), RenderError> {
        let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        }) else {
            eprintln!(
                "skipped: LibreOffice (soffice) is not installed, the DOCX files were not opened"
            );
            return Ok(());
        };
        let b = with_item_to_confirm();
        let dir = tempfile::tempdir().map_err(|e| RenderError::Write {
            path: "tempdir".into(),
            message: e.to_string(),
        })?;
        std::fs::write(dir.path().join("bulletin.docx"), docx(&b)?).unwrap();
        if let Ok(keep) = std::env::var("GOVSCAN_DOCX_DIR") {
            std::fs::write(format!("{keep}/bulletin.docx"), docx(&b)?).unwrap();
            std::fs::write(format!("{keep}/notice.docx"), notice_docx(&b, &b.sites[0])?).unwrap();
        }
        std::fs::write(
            dir.path().join("notice.docx"),
            notice_docx(&b, &b.sites[0])?,
        )
        .unwrap();
        let out = std::process::Command::new(soffice)
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(dir.path().join("bulletin.docx"))
            .arg(dir.path().join("notice.docx"))
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        for f in ["bulletin.pdf", "notice.pdf"] {
            let pdf = std::fs::read(dir.path().join(f)).unwrap_or_default();
            assert!(pdf.starts_with(b"%PDF"), "{f}: {out:?}");
        }
        Ok(())
    }

    #[test]
    fn site_names_become_safe_file_names() {
        assert_eq!(file_stem("市/县:政府*网站"), "市_县_政府_网站");
    }
}
