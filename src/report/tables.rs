//! Tables read from the store, as a person or a script reads them: the daily scan's summary,
//! `govscan findings` (text, JSON, CSV) and `govscan history` (text, JSON).

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use unicode_width::UnicodeWidthStr;

use super::fmt_points;
use crate::crawl::CrawlStats;
use crate::finding::Verdict;
use crate::rules::Kind;
use crate::store::{HistoryRow, RunId, SiteRunStatus, StoredFinding};

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
    let mut widths: [usize; 11] = header.map(|h| h.width());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |cells: &[&str]| -> String {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            // The site and the verdict are text (left-aligned); the rest are figures.
            if i == 0 || i == 9 {
                l.push_str(&pad_left(c, w));
            } else {
                l.push_str(&pad_right(c, w));
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&header));
    for (x, r) in s.iter().zip(&rows) {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "{}{}",
            line(&cells),
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
    let mut widths: [usize; 10] = header.map(|h| h.width());
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |row: &[&str]| -> String {
        let mut l = String::new();
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            if matches!(i, 0 | 1 | 9) {
                l.push_str(&pad_left(c, w));
            } else {
                l.push_str(&pad_right(c, w));
            }
        }
        l.trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&header));
    for r in &cells {
        let row: Vec<&str> = r.iter().map(String::as_str).collect();
        let _ = writeln!(out, "{}", line(&row));
    }
    out
}
