//! Judgements: a finding (one problem found on an inspected entity) and the verdict on the
//! entity. The store keeps them and the reports show them; the checks make them. They live
//! here, below the checks, so that the store does not depend on the checks.

use serde::{Deserialize, Serialize};

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

impl Finding {
    /// A person must confirm the finding before it counts as a problem to fix (its evidence
    /// says `needs_confirmation`): near-miss wording, a sub-column a body may lack, missing
    /// probe samples.
    pub fn needs_confirmation(&self) -> bool {
        self.evidence
            .get("needs_confirmation")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }
}

/// The verdict on an inspected entity: 合格 or 不合格 when it was inspected, else the state
/// that kept it from being inspected. Only an inspected entity has a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// 合格: inspected, no veto, score ≥ 60.
    #[serde(rename = "合格")]
    Pass,
    /// 不合格: inspected, and a veto or a score < 60.
    #[serde(rename = "不合格")]
    Fail,
    /// 无法检查: the site could not be inspected (its home page could not be fetched: refused,
    /// DNS, TLS, timeout, an error status). No score.
    #[serde(rename = "无法检查")]
    NotInspected,
    /// 被拦截: the site's server refused the scanner (blanket 403 or 429, a WAF challenge
    /// page). No score.
    #[serde(rename = "被拦截")]
    Blocked,
}

impl Verdict {
    /// Chinese name, as reports and the store write it.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Pass => "合格",
            Verdict::Fail => "不合格",
            Verdict::NotInspected => "无法检查",
            Verdict::Blocked => "被拦截",
        }
    }

    /// The verdict named by its Chinese name (as stored).
    pub fn from_zh(s: &str) -> Option<Verdict> {
        [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::NotInspected,
            Verdict::Blocked,
        ]
        .into_iter()
        .find(|v| v.zh() == s)
    }

    /// The entity was inspected (it has a score and 合格 or 不合格).
    pub fn inspected(self) -> bool {
        matches!(self, Verdict::Pass | Verdict::Fail)
    }

    /// 合格.
    pub fn passed(self) -> bool {
        self == Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_round_trip_through_their_chinese_names() {
        for v in [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::NotInspected,
            Verdict::Blocked,
        ] {
            assert_eq!(Verdict::from_zh(v.zh()), Some(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.zh()));
        }
        assert_eq!(Verdict::from_zh("优秀"), None);
        assert!(!Verdict::NotInspected.inspected() && !Verdict::Blocked.passed());
    }
}
