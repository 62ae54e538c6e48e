//! The 行政规范性文件 library as the store has it: `govscan normdocs SITE` (the library as last
//! seen, or its changes between consecutive scans) and the bulletin's 规范性文件变动 data
//! ([`month_changes`]).

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::tables::{TableFormat, BOM};
use crate::extract::normdoc::{changes, Change, ChangeKind, DocStatus, NormdocRecord};
use crate::store::{FindingFilter, Store, StoreError, StoredSnapshot};

/// A change with the scan that saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatedChange {
    pub site: String,
    /// The as-of time of the scan that saw it.
    pub seen_at: DateTime<FixedOffset>,
    /// The change in words (有效 → 已废止, 已从文件库移除, 新版本，替代…).
    pub what: String,
    #[serde(flatten)]
    pub change: Change,
}

/// The changes between consecutive stored snapshots (oldest first) seen by scans whose as-of
/// day is within `from ..= to` (either bound open).
pub fn changes_between(
    site: &str,
    snapshots: &[StoredSnapshot],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Vec<DatedChange> {
    let mut out = Vec::new();
    for pair in snapshots.windows(2) {
        let [prev, cur] = pair else { continue };
        let day = cur.as_of.date_naive();
        if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
            continue;
        }
        for change in changes(&prev.snapshot, &cur.snapshot) {
            out.push(DatedChange {
                site: site.to_string(),
                seen_at: cur.as_of,
                what: describe(&change),
                change,
            });
        }
    }
    out
}

fn status_zh(s: Option<DocStatus>) -> &'static str {
    s.map_or("", DocStatus::zh)
}

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn csv_out(format: TableFormat, header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    if format == TableFormat::CsvExcel {
        format!("{BOM}{text}")
    } else {
        text.into_owned()
    }
}

/// `govscan normdocs SITE`: the library as the latest scan with a snapshot saw it.
pub fn library(site: &str, latest: Option<&StoredSnapshot>, format: TableFormat) -> String {
    match format {
        TableFormat::Json => {
            let v = serde_json::json!({
                "site": site,
                "seen_at": latest.map(|s| s.as_of.to_rfc3339()),
                "library": latest.map(|s| &s.snapshot),
            });
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        TableFormat::Csv | TableFormat::CsvExcel => {
            let rows = latest
                .map(|s| s.snapshot.records.iter().map(record_row).collect())
                .unwrap_or_default();
            csv_out(
                format,
                &[
                    "docno",
                    "title",
                    "written",
                    "published",
                    "status",
                    "url",
                    "regno",
                    "valid_until",
                ],
                rows,
            )
        }
        TableFormat::Text => {
            let mut out = String::new();
            let Some(s) = latest else {
                let _ = writeln!(
                    out,
                    "{site}：尚无行政规范性文件库的检查记录（未发现文件库，或尚未扫描）。"
                );
                return out;
            };
            let snap = &s.snapshot;
            let _ = writeln!(
                out,
                "{site} 行政规范性文件库“{}”（{}），{} 检查，读取列表页 {} 页{}，共 {} 件：",
                snap.name,
                snap.url,
                s.as_of.format("%Y-%m-%d %H:%M"),
                snap.pages_read,
                match (snap.complete, snap.pages_total) {
                    (true, _) => String::new(),
                    (false, Some(t)) => format!("（未读完，共{t}页）"),
                    (false, None) => "（未读完）".into(),
                },
                snap.records.len()
            );
            for r in &snap.records {
                let _ = writeln!(
                    out,
                    "  {}  {}  {}  {}  {}",
                    r.docno.as_deref().unwrap_or("（无文号）"),
                    r.title,
                    day(r.published.or(r.written)),
                    status_zh(r.status),
                    r.url.as_deref().unwrap_or("")
                );
            }
            out
        }
    }
}

fn record_row(r: &NormdocRecord) -> Vec<String> {
    vec![
        r.docno.clone().unwrap_or_default(),
        r.title.clone(),
        day(r.written),
        day(r.published),
        status_zh(r.status).to_string(),
        r.url.clone().unwrap_or_default(),
        r.regno.clone().unwrap_or_default(),
        day(r.valid_until),
    ]
}

/// `govscan normdocs SITE --changes`.
pub fn changes_table(site: &str, rows: &[DatedChange], format: TableFormat) -> String {
    match format {
        TableFormat::Json => serde_json::to_string_pretty(rows).unwrap_or_default() + "\n",
        TableFormat::Csv | TableFormat::CsvExcel => csv_out(
            format,
            &[
                "site",
                "seen_at",
                "change",
                "docno",
                "title",
                "old_status",
                "new_status",
                "removed",
                "url",
                "old_url",
                "old_docno",
            ],
            rows.iter()
                .map(|r| {
                    let c = &r.change;
                    vec![
                        r.site.clone(),
                        r.seen_at.to_rfc3339(),
                        kind_str(c.kind).into(),
                        c.docno.clone().unwrap_or_default(),
                        c.title.clone(),
                        status_zh(c.old_status).into(),
                        status_zh(c.new_status).into(),
                        c.removed.to_string(),
                        c.url.clone().unwrap_or_default(),
                        c.old_url.clone().unwrap_or_default(),
                        c.old_docno.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        TableFormat::Text => {
            let mut out = String::new();
            if rows.is_empty() {
                let _ = writeln!(
                    out,
                    "{site}：行政规范性文件库没有变动（需至少两次扫描的记录）。"
                );
            }
            for r in rows {
                let _ = writeln!(out, "{}  {}", r.seen_at.format("%Y-%m-%d"), line(&r.change));
            }
            out
        }
    }
}

fn kind_str(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::New => "new",
        ChangeKind::Revised => "revised",
        ChangeKind::Abolished => "abolished",
    }
}

/// What changed, in words.
pub fn describe(c: &Change) -> String {
    match (c.kind, c.removed, &c.old_docno) {
        (_, true, _) => "已从文件库移除".to_string(),
        (ChangeKind::New, ..) => format!("新增，{}", status_zh(c.new_status)),
        (_, _, Some(old)) => format!("新版本，替代{old}"),
        _ => format!("{} → {}", status_zh(c.old_status), status_zh(c.new_status)),
    }
}

/// One change in a sentence.
pub fn line(c: &Change) -> String {
    let what = match &c.docno {
        Some(d) => format!("《{}》（{d}）", c.title),
        None => format!("《{}》", c.title),
    };
    let tail = describe(c);
    format!(
        "[{}] {what} {tail} {}",
        c.kind.zh(),
        c.url.as_deref().or(c.old_url.as_deref()).unwrap_or("")
    )
}

/// One site's changes in a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SiteNormdocChanges {
    pub site: String,
    pub new: Vec<DatedChange>,
    pub revised: Vec<DatedChange>,
    pub abolished: Vec<DatedChange>,
}

/// A stale link for the bulletin: the page, and the dead documents it links to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaleLink {
    pub site: String,
    pub page: String,
    pub message: String,
    pub links: serde_json::Value,
}

/// The bulletin's 规范性文件变动 section.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NormdocChanges {
    /// Sites with at least one change, in the order given.
    pub sites: Vec<SiteNormdocChanges>,
    /// `normdoc.stale_link` findings standing in the period (new or persisting).
    pub stale_links: Vec<StaleLink>,
}

/// The changes of each site's library seen by scans between `from` and `to` (as-of days,
/// inclusive), and the stale links the sites' latest scans found.
pub fn month_changes(
    store: &Store,
    sites: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<NormdocChanges, StoreError> {
    let mut out = NormdocChanges::default();
    for site in sites {
        let snaps = store.normdoc_snapshots(site)?;
        let mut s = SiteNormdocChanges {
            site: site.clone(),
            ..Default::default()
        };
        for c in changes_between(site, &snaps, Some(from), Some(to)) {
            match c.change.kind {
                ChangeKind::New => s.new.push(c),
                ChangeKind::Revised => s.revised.push(c),
                ChangeKind::Abolished => s.abolished.push(c),
            }
        }
        if !(s.new.is_empty() && s.revised.is_empty() && s.abolished.is_empty()) {
            out.sites.push(s);
        }
        let stale = store.findings(&FindingFilter {
            site: Some(site.clone()),
            rule: Some("normdoc.stale_link".into()),
            status: None,
            since: Some(from),
        })?;
        for f in stale
            .into_iter()
            .filter(|f| f.status != crate::store::FindingStatus::Fixed)
            .filter(|f| f.first_seen_at.date_naive() <= to)
        {
            out.stale_links.push(StaleLink {
                site: site.clone(),
                page: f.finding.url.clone(),
                message: f.finding.message.clone(),
                links: f.finding.evidence["links"].clone(),
            });
        }
    }
    Ok(out)
}
