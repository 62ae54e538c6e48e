//! Government new-media accounts (政务新媒体) in reports: an account's part of a site's report
//! (its own verdict, scored apart from the site), the `govscan accounts` listing, and the
//! bulletin's 政务新媒体 part ([`month_accounts`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::tables::{TableFormat, BOM};
use crate::checks::feeds::AccountJudgement;
use crate::config::Platform;
use crate::crawl::feeds::AccountFacts;
use crate::finding::{Finding, Verdict};
use crate::rules::{Kind, RuleSet};
use crate::store::{AccountRow, FindingDiff, Store, StoreError};

/// One account's result, under its site but scored apart.
#[derive(Debug, Clone, Serialize)]
pub struct AccountReport {
    pub platform: Platform,
    pub name: String,
    pub unit: String,
    pub feed: String,
    pub discovered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_on: Option<String>,
    /// 合格 / 不合格, or 无法检查 / 被拦截 when the feed could not be read.
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How reading the feed ended, in words.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Newest post on or before the as-of time.
    pub newest: Option<DateTime<FixedOffset>>,
    /// Posts within each window, as `[days, posts]`.
    pub posts: Vec<(i64, usize)>,
    pub longest_gap_days: Option<i64>,
    pub entries: usize,
    pub undated: usize,
    /// Listed as a dormant (僵尸) account.
    pub dormant: bool,
    pub findings: Vec<Finding>,
    /// Against the account's previous scan (scan only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persisting: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<usize>,
}

impl AccountReport {
    /// An account's report from its facts and its judgement (and, in a scan, how its
    /// findings changed).
    pub fn new(
        a: &AccountFacts,
        j: &AccountJudgement,
        diff: Option<&FindingDiff>,
    ) -> AccountReport {
        AccountReport {
            platform: a.platform,
            name: a.name.clone(),
            unit: a.unit.clone(),
            feed: a.feed_url.clone(),
            discovered: a.discovered,
            found_on: a.found_on.clone(),
            verdict: j.verdict,
            reason: j.reason.clone(),
            status: match &a.parse_error {
                Some(e) => format!("无法解析：{e}"),
                None => a.status.zh(),
            },
            format: a.feed.as_ref().map(|f| f.format.clone()),
            newest: j.activity.as_ref().and_then(|x| x.newest),
            posts: j
                .activity
                .as_ref()
                .map(|x| x.posts.clone())
                .unwrap_or_default(),
            longest_gap_days: j.activity.as_ref().map(|x| x.longest_gap_days),
            entries: a.feed.as_ref().map_or(0, |f| f.total),
            undated: a.feed.as_ref().map_or(0, |f| f.undated),
            dormant: j.dormant,
            findings: j.findings.clone(),
            new: diff.map(|d| d.new.len()),
            persisting: diff.map(|d| d.persisting.len()),
            fixed: diff.map(|d| d.fixed.len()),
        }
    }
}

fn date(t: Option<DateTime<FixedOffset>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The accounts' section of a site in the text report: one block per account, with its own
/// verdict (an account's result never changes its site's).
pub fn write_text(o: &mut String, accounts: &[AccountReport], rules: &RuleSet) {
    if accounts.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "── 政务新媒体（单独评价，不计入网站得分）：{} 个",
        accounts.len()
    );
    for a in accounts {
        let how = if a.discovered {
            "（自动发现）"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "\n   ◆ {} · {}{how} · 责任单位 {}",
            a.platform.zh(),
            a.name,
            a.unit
        );
        let _ = writeln!(o, "     订阅源：{}（{}）", a.feed, a.status);
        if let Some(p) = &a.found_on {
            let _ = writeln!(o, "     发现于：{p}");
        }
        if a.format.is_some() {
            let posts: Vec<String> = a
                .posts
                .iter()
                .map(|(d, n)| format!("{d}天内 {n} 条"))
                .collect();
            let _ = writeln!(
                o,
                "     最近更新 {} · {} · 本月最长间隔 {} 天 · 共 {} 条{}",
                date(a.newest),
                posts.join(" · "),
                a.longest_gap_days.unwrap_or(0),
                a.entries,
                if a.undated > 0 {
                    format!("（{} 条无日期）", a.undated)
                } else {
                    String::new()
                }
            );
        }
        for f in &a.findings {
            let title = rules
                .get(&f.rule)
                .map(|r| r.title.as_str())
                .unwrap_or(&f.rule);
            let _ = writeln!(o, "     • [{}·{}] {}", f.kind.zh(), title, f.message);
            if f.url != a.feed {
                let _ = writeln!(o, "       目标：{}", f.url);
            }
        }
        match &a.reason {
            Some(r) => {
                let _ = writeln!(o, "     结论 {}（{r}）", a.verdict.zh());
            }
            None => {
                let _ = writeln!(o, "     结论 {}", a.verdict.zh());
            }
        }
    }
    let _ = writeln!(o);
}

/// `govscan accounts`: every account with its latest scan.
pub fn list(rows: &[AccountRow], format: TableFormat) -> String {
    let status = |r: &AccountRow| -> String {
        if !r.read_ok {
            let mut s = r.reason.clone().unwrap_or_else(|| "订阅源无法读取".into());
            if r.failures_in_a_row > 1 {
                let _ = write!(s, "（连续{}次）", r.failures_in_a_row);
            }
            s
        } else if r.dormant {
            "僵尸账号".into()
        } else {
            let problems: Vec<&str> = r
                .problems()
                .map(|f| f.rule.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if problems.is_empty() {
                "正常".into()
            } else {
                problems.join(",")
            }
        }
    };
    match format {
        TableFormat::Json => serde_json::to_string_pretty(rows).unwrap_or_default() + "\n",
        TableFormat::Csv | TableFormat::CsvExcel => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record([
                "site",
                "platform",
                "name",
                "unit",
                "feed",
                "discovered",
                "as_of",
                "last_post",
                "window_days",
                "posts_in_window",
                "status",
                "verdict",
            ]);
            for r in rows {
                let _ = w.write_record([
                    r.site.as_str(),
                    r.platform.zh(),
                    r.name.as_str(),
                    r.unit.as_str(),
                    r.feed.as_str(),
                    if r.discovered { "true" } else { "false" },
                    &r.as_of.to_rfc3339(),
                    &r.newest.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    &r.window_days.map(|d| d.to_string()).unwrap_or_default(),
                    &r.posts.map(|d| d.to_string()).unwrap_or_default(),
                    &status(r),
                    r.verdict.zh(),
                ]);
            }
            let bytes = w.into_inner().unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            if format == TableFormat::CsvExcel {
                format!("{BOM}{text}")
            } else {
                text.into_owned()
            }
        }
        TableFormat::Text => {
            let mut out = String::new();
            if rows.is_empty() {
                let _ = writeln!(out, "存储中没有政务新媒体账号的检查记录。");
            }
            for r in rows {
                let posts = match (r.window_days, r.posts) {
                    (Some(d), Some(n)) => format!("{d}天内 {n} 条"),
                    _ => "—".into(),
                };
                let how = if r.discovered {
                    "（自动发现）"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{} · {} · {}{how} · 责任单位 {} · 最近更新 {} · {} · {} · {}",
                    r.site,
                    r.platform.zh(),
                    r.name,
                    r.unit,
                    date(r.newest),
                    posts,
                    status(r),
                    r.verdict.zh()
                );
            }
            out
        }
    }
}

/// The bulletin's 政务新媒体 part.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AccountsPart {
    /// Accounts inspected (their feed read and judged) in the period.
    pub checked: usize,
    pub passed: usize,
    /// Pass rate in percent, one decimal (`None` when nothing was checked).
    pub pass_rate: Option<f64>,
    /// Accounts whose feed could not be read (not counted as checked).
    pub not_inspected: usize,
    pub platforms: Vec<PlatformRate>,
    /// The 不合格 accounts with their problems.
    pub failed: Vec<AccountLine>,
    /// Dormant (僵尸) accounts.
    pub dormant: Vec<AccountLine>,
    /// The table 新媒体类型 | 新媒体名称 | 责任单位 | 问题类别 | 检查时更新日期: every account with
    /// a problem.
    pub table: Vec<AccountLine>,
}

/// Accounts checked and passed on one platform.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformRate {
    pub platform: String,
    pub checked: usize,
    pub passed: usize,
    pub pass_rate: f64,
}

/// One account in the bulletin.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLine {
    pub site: String,
    pub platform: String,
    pub name: String,
    pub unit: String,
    /// 问题类别: the rule titles of its standing problems.
    pub problems: String,
    /// 检查时更新日期: the newest post at the check.
    pub last_update: String,
}

fn rate(passed: usize, checked: usize) -> f64 {
    if checked == 0 {
        0.0
    } else {
        (passed as f64 * 1000.0 / checked as f64).round() / 10.0
    }
}

/// The 政务新媒体 part of the bulletin for the period `[from, to)` (days): each account of
/// `sites` at its latest scan before `to` that falls in the period.
pub fn month_accounts(
    store: &Store,
    sites: &[String],
    period: (chrono::NaiveDate, chrono::NaiveDate),
    rules: &RuleSet,
) -> Result<AccountsPart, StoreError> {
    let (from, to) = period;
    let until = to
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(crate::asof::cst()).single());
    let rows: Vec<AccountRow> = store
        .accounts(None, until)?
        .into_iter()
        .filter(|r| sites.is_empty() || sites.contains(&r.site))
        .filter(|r| r.as_of.date_naive() >= from)
        .collect();
    let mut part = AccountsPart::default();
    let mut by_platform: BTreeMap<Platform, (usize, usize)> = BTreeMap::new();
    for r in &rows {
        if !r.verdict.inspected() {
            part.not_inspected += 1;
            continue;
        }
        part.checked += 1;
        let e = by_platform.entry(r.platform).or_default();
        e.0 += 1;
        if r.verdict.passed() {
            part.passed += 1;
            e.1 += 1;
        }
        let mut titles: Vec<&str> = Vec::new();
        let mut order: Vec<(Kind, &str)> =
            r.problems().map(|f| (f.kind, f.rule.as_str())).collect();
        order.sort();
        for (_, id) in order {
            let t = rules.get(id).map(|r| r.title.as_str()).unwrap_or(id);
            if !titles.contains(&t) {
                titles.push(t);
            }
        }
        let line = AccountLine {
            site: r.site.clone(),
            platform: r.platform.zh().into(),
            name: r.name.clone(),
            unit: r.unit.clone(),
            problems: titles.join("；"),
            last_update: date(r.newest),
        };
        if r.verdict == Verdict::Fail {
            part.failed.push(line.clone());
        }
        if r.dormant {
            part.dormant.push(line.clone());
        }
        if !titles.is_empty() {
            part.table.push(line);
        }
    }
    part.pass_rate = (part.checked > 0).then(|| rate(part.passed, part.checked));
    part.platforms = by_platform
        .into_iter()
        .map(|(p, (c, n))| PlatformRate {
            platform: p.zh().into(),
            checked: c,
            passed: n,
            pass_rate: rate(n, c),
        })
        .collect();
    Ok(part)
}
