//! Checks: pure functions from a site's facts, the rules and the as-of time to findings, and
//! the score. No check touches the network, so a stored crawl can be judged again.

use serde::{Deserialize, Serialize};

pub mod score;

pub use crate::rules::Kind;

/// One problem found on a site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `link.broken`.
    pub rule: String,
    pub kind: Kind,
    /// Points deducted by this finding (before the indicator cap).
    pub points: f64,
    /// What the finding is about (the broken link, the stale column...).
    pub url: String,
    /// Where it was found (the page that carries the link...).
    pub page: Option<String>,
    /// Machine-readable evidence.
    pub evidence: serde_json::Value,
    /// The finding in Chinese, for the report.
    pub message: String,
}
