//! Tables read from the store, as a person or a script reads them: the daily scan's summary,
//! `govscan findings` (text, JSON, CSV) and `govscan history` (text, JSON).

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::fmt_points;
use crate::crawl::CrawlStats;
use crate::finding::Verdict;
use crate::rules::Kind;
use crate::store::{HistoryRow, RunId, StoredFinding};

/// One site's line in the daily scan's summary.
#[derive(Debug, Clone)]
pub struct SiteSummary {
    pub site: String,
    pub stats: CrawlStats,
    /// `None` when the site could not be inspected.
    pub score: Option<f64>,
    pub verdict: Verdict,
    pub error: Option<String>,
    /// Findings new, persisting and fixed since the site's previous finished scan.
    pub new: usize,
    pub persisting: usize,
    pub fixed: usize,
    pub duration: Duration,
}

/// A table's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    Text,
    Json,
    Csv,
}

/// The daily scan's summary: one line per site.
pub fn scan_summary(run: RunId, as_of: DateTime<FixedOffset>, s: &[SiteSummary]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "日扫描 #{run} · 监测时间点 {}", as_of.to_rfc3339());
    let _ = writeln!(
        out,
        "{:<24} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>8}",
        "站点", "页面", "链接", "不可用", "被拦截", "新增", "持续", "整改", "得分", "结论", "用时"
    );
    for x in s {
        let _ = writeln!(
            out,
            "{:<24} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>7.1}s{}",
            x.site,
            x.stats.pages,
            x.stats.links,
            x.stats.broken,
            x.stats.blocked,
            x.new,
            x.persisting,
            x.fixed,
            x.score.map(fmt_points).unwrap_or_else(|| "-".into()),
            x.verdict.zh(),
            x.duration.as_secs_f64(),
            x.error
                .as_ref()
                .map(|e| format!("  ！{e}"))
                .unwrap_or_default()
        );
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
        TableFormat::Csv => {
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
                ]);
            }
            let bytes = w.into_inner().unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        TableFormat::Text => {
            let mut out = String::new();
            if rows.is_empty() {
                let _ = writeln!(out, "没有符合条件的问题。");
            }
            for r in rows {
                let _ = writeln!(
                    out,
                    "[{}] {} {} {}：{}\n    {}（首次 {}，最近 {}）",
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
    let _ = writeln!(
        out,
        "{:<12} {:<6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} 结论",
        "日期", "状态", "页面", "链接", "不可用", "否决", "扣分", "提示", "得分"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<12} {:<6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {}",
            r.as_of.date_naive().to_string(),
            r.status.as_str(),
            r.pages,
            r.links,
            r.broken,
            r.vetoes,
            r.deductions,
            r.notices,
            r.score.map(fmt_points).unwrap_or_else(|| "-".into()),
            r.verdict.map(|v| v.zh()).unwrap_or("-")
        );
    }
    out
}
