//! The values the store hands out and takes in. They are plain Rust and domain types (no
//! database types), so the same API can sit on another database.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::config::{SiteKind, SiteLevel};
use crate::crawl::{CrawlStats, LinkFact, PageRecord};
use crate::finding::{Finding, Verdict};

/// The id of a scan run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RunId(pub i64);

/// The id of one site's part in a scan run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SiteRunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for SiteRunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A link as it appears on a page: the edge from the page to a target (the crawler's
/// [`PageLink`](crate::crawl::PageLink)).
pub use crate::crawl::PageLink as Edge;

/// A scan run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    pub id: RunId,
    pub started: DateTime<FixedOffset>,
    /// `None` while the run is unfinished (a killed scan, to resume).
    pub finished: Option<DateTime<FixedOffset>>,
    /// The time every date rule of the run is judged against.
    pub as_of: DateTime<FixedOffset>,
    /// Fingerprint of the configuration the run used.
    pub config_fingerprint: String,
    /// Fingerprint of the rules the run used.
    pub rules_fingerprint: String,
    /// Names of the sites the run covers.
    pub sites: Vec<String>,
    /// The process writing the run (`host:pid`), when known (files before schema v5: never).
    pub owner: Option<String>,
    /// When that process last recorded that it was alive.
    pub heartbeat: Option<DateTime<FixedOffset>>,
}

/// Where one site's part of a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteRunStatus {
    /// Started and not finished (still crawling, or killed).
    Running,
    /// Crawled and judged.
    Done,
    /// Could not be completed.
    Failed,
}

impl SiteRunStatus {
    /// `running`, `done` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteRunStatus::Running => "running",
            SiteRunStatus::Done => "done",
            SiteRunStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<SiteRunStatus> {
        match s {
            "running" => Some(SiteRunStatus::Running),
            "done" => Some(SiteRunStatus::Done),
            "failed" => Some(SiteRunStatus::Failed),
            _ => None,
        }
    }
}

/// One site's part in a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRunInfo {
    pub id: SiteRunId,
    pub run: RunId,
    pub site: String,
    pub url: String,
    pub level: SiteLevel,
    pub kind: SiteKind,
    pub started: DateTime<FixedOffset>,
    pub finished: Option<DateTime<FixedOffset>>,
    pub status: SiteRunStatus,
    /// Why the site failed.
    pub error: Option<String>,
    /// Crawl statistics, once finished.
    pub stats: Option<CrawlStats>,
    /// Score and verdict (合格/不合格), once judged; a failed site's state (无法检查/被拦截)
    /// and no score.
    pub score: Option<f64>,
    pub verdict: Option<Verdict>,
    /// The full score as the checks produced it.
    pub score_detail: Option<serde_json::Value>,
}

/// What a killed site crawl had already recorded, to rebuild its frontier without fetching
/// again what it has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResumeState {
    /// The pages fetched, in the order they were first saved.
    pub pages: Vec<PageRecord>,
    /// The links found on each page, by page URL, in page order.
    pub edges: HashMap<String, Vec<Edge>>,
    /// The link targets already checked, in the order they were first saved.
    pub links: Vec<LinkFact>,
}

impl ResumeState {
    /// Each page with the links on it, in page order (what a crawl is seeded with).
    pub fn pages_with_links(self) -> (Vec<(PageRecord, Vec<Edge>)>, Vec<LinkFact>) {
        let mut edges = self.edges;
        let pages = self
            .pages
            .into_iter()
            .map(|p| {
                let links = edges.remove(&p.url).unwrap_or_default();
                (p, links)
            })
            .collect();
        (pages, self.links)
    }
}

/// What a conditional request on a rescan needs: the validators of the last copy of a page,
/// and the page and its links to reuse on a `304 Not Modified`.
#[derive(Debug, Clone, PartialEq)]
pub struct Validators {
    /// The site run the copy was saved in.
    pub site_run: SiteRunId,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub page: PageRecord,
    pub edges: Vec<Edge>,
}

/// The validators of a site's pages: URL → (ETag, Last-Modified) of its latest copy that has
/// any.
pub type ValidatorIndex = HashMap<String, (Option<String>, Option<String>)>;

/// How the findings of a site changed against its previous finished scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingDiff {
    /// Findings whose key the previous scan did not have.
    pub new: Vec<Finding>,
    /// Findings whose key the previous scan had too.
    pub persisting: Vec<Finding>,
    /// Findings of the previous scan whose key is absent now (as they were recorded then).
    pub fixed: Vec<Finding>,
}

/// Where a finding stands in the history of its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Found in the site's latest finished scan, and never before.
    New,
    /// Found in the latest finished scan and in an earlier one.
    Persisting,
    /// Found in an earlier scan, not in the latest finished one.
    Fixed,
}

impl FindingStatus {
    /// `new`, `persisting` or `fixed`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Persisting => "persisting",
            FindingStatus::Fixed => "fixed",
        }
    }

    /// Chinese name for reports.
    pub fn zh(self) -> &'static str {
        match self {
            FindingStatus::New => "新发现",
            FindingStatus::Persisting => "未整改",
            FindingStatus::Fixed => "已整改",
        }
    }

    /// Parse `new`, `persisting` or `fixed`.
    pub fn parse(s: &str) -> Option<FindingStatus> {
        match s {
            "new" => Some(FindingStatus::New),
            "persisting" => Some(FindingStatus::Persisting),
            "fixed" => Some(FindingStatus::Fixed),
            _ => None,
        }
    }
}

/// Which stored findings to read. Every field left `None` selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingFilter {
    /// Site name.
    pub site: Option<String>,
    /// Rule id.
    pub rule: Option<String>,
    pub status: Option<FindingStatus>,
    /// Only findings that stand on or after this day: new and persisting ones last seen on
    /// or after it, fixed ones fixed on or after it (the as-of date of the first scan that no
    /// longer had them).
    pub since: Option<NaiveDate>,
}

/// A finding read back with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFinding {
    pub site: String,
    pub status: FindingStatus,
    /// The run and site run whose record this is (for a fixed finding, the last one that saw
    /// it).
    pub run: RunId,
    pub site_run: SiteRunId,
    /// As-of times of the first and the last scans that saw it.
    pub first_seen_at: DateTime<FixedOffset>,
    pub last_seen_at: DateTime<FixedOffset>,
    /// For a fixed finding, the as-of time of the first scan that no longer had it.
    pub fixed_at: Option<DateTime<FixedOffset>>,
    pub finding: Finding,
}

/// One scan of a site, for its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    pub run: RunId,
    pub site_run: SiteRunId,
    /// When the site's crawl started.
    pub started: DateTime<FixedOffset>,
    /// The run's as-of time.
    pub as_of: DateTime<FixedOffset>,
    pub status: SiteRunStatus,
    /// Pages crawled, link targets seen and broken (from the crawl statistics once the site
    /// is finished, counted from the saved rows before).
    pub pages: usize,
    pub links: usize,
    pub broken: usize,
    /// Findings by kind.
    pub vetoes: usize,
    pub deductions: usize,
    pub notices: usize,
    pub score: Option<f64>,
    /// 合格/不合格 once judged; 无法检查/被拦截 for a site that could not be inspected.
    pub verdict: Option<Verdict>,
}

/// One fact the checks extracted (a column, a footer field, a normative document...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// The page it was found on, if it belongs to one.
    pub page: Option<String>,
    /// What kind of fact (`column`, `footer`, `normdoc`...).
    pub kind: String,
    pub key: String,
    pub value: serde_json::Value,
}

pub use crate::facts::{IpFamily, Ipv6Summary, Probe};
