//! Tables read from the store, as a person or a script reads them: the daily scan's summary,
//! `govscan findings` (text, JSON, CSV) and `govscan history` (text, JSON; per scan, or per
//! month with `--months`).

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::fmt_points;
use crate::crawl::CrawlStats;
use crate::finding::Verdict;
use crate::rules::Kind;
use crate::store::{HistoryRow, RunId, SiteRunId, SiteRunStatus, StoredFinding};

/// One site's line in the daily scan's summary.
#[derive(Debug, Clone)]
pub struct SiteSummary {
    pub site: String,
    pub stats: CrawlStats,
    /// `None` when the site could not be inspected.
    pub score: Option<f64>,
    pub verdict: Verdict,
    /// The most serious kind of finding the site has (`None`: no finding, or not inspected).
    pub worst: Option<Kind>,
    pub error: Option<String>,
    /// Findings new, persisting and fixed since the site's previous finished scan.
    pub new: usize,
    pub persisting: usize,
    pub fixed: usize,
    pub duration: Duration,
    /// The site's new-media accounts, judged apart.
    pub accounts: Vec<super::accounts::AccountReport>,
}

/// A site of a shared run that another worker judged, as the worker that finished the run
/// reports it (read from the store).
#[derive(Debug, Clone)]
pub struct OtherSite {
    pub site: String,
    /// `None` when the site could not be inspected.
    pub score: Option<f64>,
    pub verdict: Verdict,
    /// The most serious kind of finding the site has.
    pub worst: Option<Kind>,
    pub error: Option<String>,
}

/// What a process working on a shared run adds to its summary: whether it finished the
/// run — then its exit status covers every site of the run, and the sites other workers
/// judged are listed — or left it to others, answering for its own `own` sites only.
pub fn shared_run_summary(
    run: RunId,
    finished_here: bool,
    own: usize,
    others: &[OtherSite],
) -> String {
    let mut out = String::new();
    if !finished_here {
        let _ = writeln!(
            out,
            "日扫描 #{run} 由其他工作进程完成；本进程检查了 {own} 个站点，退出状态只按这些站点计。"
        );
        return out;
    }
    let _ = writeln!(
        out,
        "日扫描 #{run} 已全部完成（本进程完成了最后一个站点）；本进程检查了 {own} 个站点，退出状态按全部 {} 个站点计。",
        own + others.len()
    );
    if others.is_empty() {
        return out;
    }
    let _ = writeln!(out, "其余 {} 个站点由其他工作进程检查：", others.len());
    let rows: Vec<[String; 3]> = others
        .iter()
        .map(|x| {
            [
                x.site.clone(),
                x.score.map(fmt_points).unwrap_or_else(|| "-".into()),
                x.verdict.zh().to_string(),
            ]
        })
        .collect();
    let mut lines = aligned(["站点", "得分", "结论"], &rows, &[0, 2]).into_iter();
    let _ = writeln!(out, "{}", lines.next().unwrap_or_default());
    for (x, line) in others.iter().zip(lines) {
        let _ = writeln!(
            out,
            "{}{}",
            line,
            x.error
                .as_ref()
                .map(|e| format!("  ！{e}"))
                .unwrap_or_default()
        );
    }
    out
}

/// A table's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Text,
    Json,
    /// CSV for scripts: no byte order mark.
    Csv,
    /// CSV that Excel opens as UTF-8: starts with a byte order mark.
    CsvExcel,
}

/// The UTF-8 byte order mark, which tells Excel (as set up in China) that a CSV is UTF-8.
pub const BOM: char = '\u{feff}';

/// Pad `s` with spaces to `width` terminal columns (a Chinese character takes two).
fn pad_left(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(s.width())))
}

/// Right-align `s` in `width` terminal columns.
fn pad_right(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(s.width())))
}

/// The lines of a table aligned by terminal width (a Chinese character takes two columns):
/// the header first, then one line per row; the columns in `text` are left-aligned, the
/// others (figures) right-aligned.
fn aligned<const N: usize>(header: [&str; N], rows: &[[String; N]], text: &[usize]) -> Vec<String> {
    let mut widths: [usize; N] = header.map(|h| h.width());
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
        let mut l = String::new();
        for (i, (c, w)) in cells.zip(widths).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            if text.contains(&i) {
                l.push_str(&pad_left(c, w));
            } else {
                l.push_str(&pad_right(c, w));
            }
        }
        l.trim_end().to_string()
    };
    std::iter::once(line(&mut header.into_iter()))
        .chain(rows.iter().map(|r| line(&mut r.iter().map(String::as_str))))
        .collect()
}

/// A site run's status in words: 完成, 失败 or 未完成 (still running, or killed).
pub fn status_zh(s: SiteRunStatus) -> &'static str {
    match s {
        SiteRunStatus::Done => "完成",
        SiteRunStatus::Failed => "失败",
        SiteRunStatus::Running => "未完成",
    }
}

/// A time as people read it: to the second, with its offset.
pub fn fmt_time(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M:%S %:z").to_string()
}

/// The daily scan's summary: one line per site, the columns aligned by display width (a
/// Chinese character is two columns wide).
pub fn scan_summary(run: RunId, as_of: DateTime<FixedOffset>, s: &[SiteSummary]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "日扫描 #{run} · 监测时间点 {}", fmt_time(&as_of));
    let header = [
        "站点",
        "页面",
        "链接",
        "不可用",
        "被拦截",
        "新增",
        "持续",
        "整改",
        "得分",
        "结论",
        "用时",
    ];
    let rows: Vec<[String; 11]> = s
        .iter()
        .map(|x| {
            [
                x.site.clone(),
                x.stats.pages.to_string(),
                x.stats.links.to_string(),
                x.stats.broken.to_string(),
                x.stats.blocked.to_string(),
                x.new.to_string(),
                x.persisting.to_string(),
                x.fixed.to_string(),
                x.score.map(fmt_points).unwrap_or_else(|| "-".into()),
                x.verdict.zh().to_string(),
                format!("{:.1}s", x.duration.as_secs_f64()),
            ]
        })
        .collect();
    // The site and the verdict are text (left-aligned); the rest are figures.
    let mut lines = aligned(header, &rows, &[0, 9]).into_iter();
    let _ = writeln!(out, "{}", lines.next().unwrap_or_default());
    for (x, line) in s.iter().zip(lines) {
        let _ = writeln!(
            out,
            "{}{}",
            line,
            x.error
                .as_ref()
                .map(|e| format!("  ！{e}"))
                .unwrap_or_default()
        );
    }
    // Accounts are judged apart from their sites: listed under the table.
    for x in s.iter().filter(|x| !x.accounts.is_empty()) {
        let _ = writeln!(out, "{} 政务新媒体（单独评价）：", x.site);
        for a in &x.accounts {
            let problems: Vec<&str> = a.findings.iter().map(|f| f.rule.as_str()).collect();
            let _ = writeln!(
                out,
                "  {} · {} · {}{}{}",
                a.platform.zh(),
                a.name,
                a.verdict.zh(),
                if problems.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", problems.join(","))
                },
                match (a.new, a.fixed) {
                    (Some(n), Some(f)) => format!(" · 新增 {n} · 整改 {f}"),
                    _ => String::new(),
                }
            );
        }
    }
    out
}

fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::Veto => "veto",
        Kind::Deduct => "deduct",
        Kind::Notice => "notice",
    }
}

/// `govscan findings`: stored findings with their history.
pub fn findings(rows: &[StoredFinding], format: TableFormat) -> String {
    match format {
        TableFormat::Json => serde_json::to_string_pretty(rows).unwrap_or_default() + "\n",
        TableFormat::Csv | TableFormat::CsvExcel => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record([
                "site",
                "status",
                "rule",
                "kind",
                "points",
                "url",
                "page",
                "message",
                "first_seen",
                "last_seen",
                "fixed_on",
            ]);
            for r in rows {
                let _ = w.write_record([
                    r.site.as_str(),
                    r.status.as_str(),
                    r.finding.rule.as_str(),
                    kind_str(r.finding.kind),
                    &fmt_points(r.finding.points),
                    r.finding.url.as_str(),
                    r.finding.page.as_deref().unwrap_or(""),
                    r.finding.message.as_str(),
                    &r.first_seen_at.to_rfc3339(),
                    &r.last_seen_at.to_rfc3339(),
                    &r.fixed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
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
                let _ = writeln!(out, "没有符合条件的问题。");
            }
            for r in rows {
                let fixed = r
                    .fixed_at
                    .map(|t| format!("，整改于 {}", t.date_naive()))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "[{}] {} {} {}：{}\n    {}（首次 {}，最近 {}{fixed}）",
                    r.status.zh(),
                    r.site,
                    r.finding.rule,
                    r.finding.kind.zh(),
                    r.finding.message,
                    r.finding.url,
                    r.first_seen_at.date_naive(),
                    r.last_seen_at.date_naive()
                );
            }
            out
        }
    }
}

/// `govscan history SITE`: one line per scan.
pub fn history(site: &str, rows: &[HistoryRow], format: TableFormat) -> String {
    if format == TableFormat::Json {
        return serde_json::to_string_pretty(rows).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    if rows.is_empty() {
        let _ = writeln!(out, "{site}：还没有扫描记录。");
    }
    let header = [
        "日期",
        "状态",
        "页面",
        "链接",
        "不可用",
        "否决",
        "扣分",
        "提示",
        "得分",
        "结论",
    ];
    let cells: Vec<[String; 10]> = rows
        .iter()
        .map(|r| {
            [
                r.as_of.date_naive().to_string(),
                status_zh(r.status).to_string(),
                r.pages.to_string(),
                r.links.to_string(),
                r.broken.to_string(),
                r.vetoes.to_string(),
                r.deductions.to_string(),
                r.notices.to_string(),
                r.score.map(fmt_points).unwrap_or_else(|| "-".into()),
                r.verdict.map(|v| v.zh()).unwrap_or("-").to_string(),
            ]
        })
        .collect();
    let lines = aligned(header, &cells, &[0, 1, 9]);
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    out
}

/// One month of a site's history, as the bulletin counts it: the month's latest finished
/// (inspected) scan gives its score, verdict and findings. A month without an inspected scan
/// has none of them (never a month of passes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthSummary {
    /// `2026-11`.
    pub month: String,
    /// Finished (inspected) scans whose as-of date falls in the month.
    pub scans: usize,
    /// Scans in the month that could not inspect the site (无法检查 / 被拦截).
    pub not_inspected: usize,
    /// The scan the month is counted by: its site run and as-of time.
    pub site_run: Option<SiteRunId>,
    pub as_of: Option<DateTime<FixedOffset>>,
    pub score: Option<f64>,
    pub verdict: Option<Verdict>,
    pub vetoes: Option<usize>,
    pub deductions: Option<usize>,
    pub notices: Option<usize>,
    /// For a month without an inspected scan: the state of its latest scan (无法检查 /
    /// 被拦截), if there was one.
    pub state: Option<Verdict>,
}

/// The first day of the month before `first`.
fn month_before(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 1 {
        (first.year() - 1, 12)
    } else {
        (first.year(), first.month() - 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

/// The first day of the month after `first`.
fn month_after(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

/// The `n` months ending with the month of `last` (oldest first), each summarised from a
/// site's scans (`Store::history`).
pub fn monthly(rows: &[HistoryRow], last: NaiveDate, n: usize) -> Vec<MonthSummary> {
    let mut first = NaiveDate::from_ymd_opt(last.year(), last.month(), 1).unwrap_or(last);
    let mut months = Vec::with_capacity(n);
    for _ in 0..n {
        months.push(first);
        first = month_before(first);
    }
    months.reverse();
    months
        .into_iter()
        .map(|from| {
            let to = month_after(from);
            let in_month = |r: &&HistoryRow| {
                let d = r.as_of.date_naive();
                d >= from && d < to
            };
            let inspected: Vec<&HistoryRow> = rows
                .iter()
                .filter(in_month)
                .filter(|r| r.status == SiteRunStatus::Done && r.score.is_some())
                .collect();
            let failed: Vec<&HistoryRow> = rows
                .iter()
                .filter(in_month)
                .filter(|r| r.status == SiteRunStatus::Failed)
                .collect();
            let latest = inspected.iter().max_by_key(|r| (r.as_of, r.run)).copied();
            let state = match latest {
                Some(_) => None,
                None => failed
                    .iter()
                    .max_by_key(|r| (r.as_of, r.run))
                    .map(|r| r.verdict.unwrap_or(Verdict::NotInspected)),
            };
            MonthSummary {
                month: from.format("%Y-%m").to_string(),
                scans: inspected.len(),
                not_inspected: failed.len(),
                site_run: latest.map(|r| r.site_run),
                as_of: latest.map(|r| r.as_of),
                score: latest.and_then(|r| r.score),
                verdict: latest.and_then(|r| r.verdict),
                vetoes: latest.map(|r| r.vetoes),
                deductions: latest.map(|r| r.deductions),
                notices: latest.map(|r| r.notices),
                state,
            }
        })
        .collect()
}

/// `govscan history SITE --months N`: one line per month (see [`monthly`]); `—` where the
/// month has no inspected scan.
pub fn history_months(site: &str, months: &[MonthSummary], format: TableFormat) -> String {
    if format == TableFormat::Json {
        let v = serde_json::json!({ "site": site, "months": months });
        return serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
    }
    const NONE: &str = "—";
    let header = [
        "月份",
        "检查次数",
        "未能检查",
        "得分",
        "结论",
        "否决",
        "扣分",
        "提示",
        "计入扫描",
    ];
    let count = |v: Option<usize>| v.map(|c| c.to_string()).unwrap_or_else(|| NONE.into());
    let cells: Vec<[String; 9]> = months
        .iter()
        .map(|m| {
            [
                m.month.clone(),
                m.scans.to_string(),
                m.not_inspected.to_string(),
                m.score.map(fmt_points).unwrap_or_else(|| NONE.into()),
                match (m.verdict, m.state) {
                    (Some(v), _) => v.zh().to_string(),
                    (None, Some(s)) => format!("{NONE}（{}）", s.zh()),
                    (None, None) => NONE.to_string(),
                },
                count(m.vetoes),
                count(m.deductions),
                count(m.notices),
                m.as_of
                    .map(|t| t.date_naive().to_string())
                    .unwrap_or_else(|| NONE.into()),
            ]
        })
        .collect();
    let lines = aligned(header, &cells, &[0, 4, 8]);
    let mut out = String::new();
    let inspected = months.iter().filter(|m| m.score.is_some()).count();
    let _ = writeln!(
        out,
        "{site}：近 {} 个月，{inspected} 个月有完成检查的扫描（每月按当月最后一次完成的扫描计；“—”为当月无完成检查的扫描）",
        months.len()
    );
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    out
}

#[cfg(test)]
mod month_tests {
    use super::*;

    fn row(run: i64, day: &str, status: SiteRunStatus, score: Option<f64>) -> HistoryRow {
        let as_of = crate::asof::parse(day).unwrap();
        HistoryRow {
            run: RunId(run),
            site_run: SiteRunId(run * 10),
            started: as_of,
            as_of,
            status,
            pages: 3,
            links: 5,
            broken: 1,
            vetoes: usize::from(score.is_some_and(|s| s < 60.0)),
            deductions: 2,
            notices: 0,
            score,
            verdict: match (status, score) {
                (SiteRunStatus::Done, Some(s)) if s >= 60.0 => Some(Verdict::Pass),
                (SiteRunStatus::Done, Some(_)) => Some(Verdict::Fail),
                (SiteRunStatus::Failed, _) => Some(Verdict::Blocked),
                _ => None,
            },
        }
    }

    #[test]
    fn a_month_is_its_latest_finished_scan_and_a_month_without_one_is_a_dash() {
        let rows = vec![
            row(1, "2026-09-10", SiteRunStatus::Done, Some(90.0)),
            row(2, "2026-09-20", SiteRunStatus::Done, Some(50.0)),
            row(3, "2026-10-05", SiteRunStatus::Failed, None),
            row(4, "2026-11-02", SiteRunStatus::Done, Some(88.5)),
            row(5, "2026-11-28", SiteRunStatus::Running, None),
        ];
        let last = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let m = monthly(&rows, last, 4);
        assert_eq!(
            m.iter().map(|m| m.month.as_str()).collect::<Vec<_>>(),
            ["2026-08", "2026-09", "2026-10", "2026-11"]
        );
        assert_eq!((m[0].scans, m[0].score, m[0].verdict), (0, None, None));
        // September: two scans, counted by the latest (50, vetoed), not the best.
        assert_eq!(m[1].scans, 2);
        assert_eq!(m[1].score, Some(50.0));
        assert_eq!(m[1].verdict, Some(Verdict::Fail));
        assert_eq!((m[1].vetoes, m[1].deductions), (Some(1), Some(2)));
        assert_eq!(m[1].site_run, Some(SiteRunId(20)));
        // October: only a blocked scan: no score, its state.
        assert_eq!((m[2].scans, m[2].not_inspected), (0, 1));
        assert_eq!((m[2].score, m[2].state), (None, Some(Verdict::Blocked)));
        // November: the unfinished scan does not count.
        assert_eq!((m[3].scans, m[3].score), (1, Some(88.5)));

        let text = history_months("某站", &m, TableFormat::Text);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("近 4 个月，2 个月"), "{text}");
        assert!(
            lines[2].starts_with("2026-08") && lines[2].contains('—'),
            "{text}"
        );
        assert!(
            !lines[2].contains("合格"),
            "a month without data is no pass: {text}"
        );
        assert!(
            lines[3].contains("不合格") && lines[3].contains("50"),
            "{text}"
        );
        assert!(lines[4].contains("—（被拦截）"), "{text}");
        assert!(
            lines[5].contains("88.5") && lines[5].contains("合格"),
            "{text}"
        );

        let json: serde_json::Value =
            serde_json::from_str(&history_months("某站", &m, TableFormat::Json)).unwrap();
        assert_eq!(json["site"], "某站");
        assert_eq!(json["months"][0]["score"], serde_json::Value::Null);
        assert_eq!(json["months"][0]["verdict"], serde_json::Value::Null);
        assert_eq!(json["months"][1]["verdict"], "不合格");
        assert_eq!(json["months"][2]["state"], "被拦截");
        assert_eq!(json["months"][3]["scans"], 1);
    }

    #[test]
    fn months_cross_the_year() {
        let m = monthly(&[], NaiveDate::from_ymd_opt(2027, 2, 3).unwrap(), 3);
        assert_eq!(
            m.iter().map(|m| m.month.as_str()).collect::<Vec<_>>(),
            ["2026-12", "2027-01", "2027-02"]
        );
    }
}
