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

/// The verdict on an inspected entity: 合格 or 不合格 when it was inspected (待确认 while a
/// veto awaits a person's confirmation), else the state that kept it from being inspected.
/// Only an inspected entity has a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// 合格: inspected, no veto, score ≥ 60.
    #[serde(rename = "合格")]
    Pass,
    /// 不合格: inspected, and a veto or a score < 60.
    #[serde(rename = "不合格")]
    Fail,
    /// 待确认: inspected, score ≥ 60 and no veto a person need not confirm, but a veto a
    /// person must confirm first (a near-miss wording, a hidden outbound link): the machine
    /// cannot tell 合格 from 不合格 until someone reviews it (`govscan review`).
    #[serde(rename = "待确认")]
    Pending,
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
            Verdict::Pending => "待确认",
            Verdict::NotInspected => "无法检查",
            Verdict::Blocked => "被拦截",
        }
    }

    /// The verdict named by its Chinese name (as stored).
    pub fn from_zh(s: &str) -> Option<Verdict> {
        [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Pending,
            Verdict::NotInspected,
            Verdict::Blocked,
        ]
        .into_iter()
        .find(|v| v.zh() == s)
    }

    /// The entity was inspected (it has a score and 合格, 不合格 or 待确认).
    pub fn inspected(self) -> bool {
        matches!(self, Verdict::Pass | Verdict::Fail | Verdict::Pending)
    }

    /// 合格.
    pub fn passed(self) -> bool {
        self == Verdict::Pass
    }
}

/// A person's decision on a finding (人工确认).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// A real problem: it counts as any other finding, whatever its evidence says about
    /// needing confirmation (a confirmed near-miss wording is a veto).
    Confirmed,
    /// A false positive (误报): the finding is dropped from every judgement.
    Dismissed,
}

impl Decision {
    /// As stored (`confirmed`, `dismissed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Dismissed => "dismissed",
        }
    }

    /// The decision named as stored.
    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "confirmed" => Some(Decision::Confirmed),
            "dismissed" => Some(Decision::Dismissed),
            _ => None,
        }
    }

    /// Chinese name (已确认 / 误报).
    pub fn zh(self) -> &'static str {
        match self {
            Decision::Confirmed => "已确认",
            Decision::Dismissed => "误报",
        }
    }
}

/// A decision on the finding of `site` under `rule` about `target` (a finding's identity,
/// as the store keys findings from scan to scan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub site: String,
    pub rule: String,
    pub target: String,
    pub decision: Decision,
    /// Who decided.
    pub reviewer: Option<String>,
    /// Why.
    pub note: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

/// Apply the decisions on a site's findings: a dismissed finding is dropped; a confirmed one
/// no longer needs confirmation, and its evidence records the review. Findings without a
/// decision are left as they are. Returns how many findings a decision applied to.
pub fn apply_reviews(findings: &mut Vec<Finding>, reviews: &[Review]) -> usize {
    if reviews.is_empty() {
        return 0;
    }
    let of = |f: &Finding| {
        reviews
            .iter()
            .find(|r| r.rule == f.rule && r.target == f.url)
    };
    let before = findings.len();
    findings.retain(|f| of(f).is_none_or(|r| r.decision != Decision::Dismissed));
    let mut applied = before - findings.len();
    for f in findings.iter_mut() {
        let Some(r) = of(f) else { continue };
        applied += 1;
        if let Some(ev) = f.evidence.as_object_mut() {
            ev.insert("needs_confirmation".into(), serde_json::Value::Bool(false));
            ev.insert(
                "review".into(),
                serde_json::json!({
                    "decision": r.decision.as_str(),
                    "reviewer": r.reviewer,
                    "note": r.note,
                    "at": r.at,
                }),
            );
        } else {
            f.evidence = serde_json::json!({
                "value": f.evidence.take(),
                "needs_confirmation": false,
                "review": {"decision": r.decision.as_str(), "reviewer": r.reviewer,
                           "note": r.note, "at": r.at},
            });
        }
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_round_trip_through_their_chinese_names() {
        for v in [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Pending,
            Verdict::NotInspected,
            Verdict::Blocked,
        ] {
            assert_eq!(Verdict::from_zh(v.zh()), Some(v));
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.zh()));
        }
        assert_eq!(Verdict::from_zh("优秀"), None);
        assert!(Verdict::Pending.inspected() && !Verdict::Pending.passed());
        assert!(!Verdict::NotInspected.inspected() && !Verdict::Blocked.passed());
    }

    fn f(rule: &str, url: &str, confirm: bool) -> Finding {
        Finding {
            rule: rule.into(),
            kind: Kind::Veto,
            points: 0.0,
            url: url.into(),
            page: None,
            evidence: serde_json::json!({"needs_confirmation": confirm}),
            message: String::new(),
        }
    }

    fn review(rule: &str, target: &str, decision: Decision) -> Review {
        Review {
            site: "s".into(),
            rule: rule.into(),
            target: target.into(),
            decision,
            reviewer: Some("张三".into()),
            note: None,
            at: "2026-11-30T10:00:00+08:00".into(),
        }
    }

    #[test]
    fn reviews_confirm_or_dismiss_findings_by_identity() {
        let mut findings = vec![
            f("wording.serious", "http://a/1", true),
            f("wording.serious", "http://a/2", true),
            f("link.hidden_outbound", "http://a/", true),
        ];
        let reviews = vec![
            review("wording.serious", "http://a/1", Decision::Confirmed),
            review("link.hidden_outbound", "http://a/", Decision::Dismissed),
            review("wording.serious", "http://other/", Decision::Dismissed),
        ];
        assert_eq!(apply_reviews(&mut findings, &reviews), 2);
        assert_eq!(findings.len(), 2, "the dismissed one is dropped");
        assert!(!findings[0].needs_confirmation(), "confirmed");
        assert_eq!(findings[0].evidence["review"]["decision"], "confirmed");
        assert_eq!(findings[0].evidence["review"]["reviewer"], "张三");
        assert!(findings[1].needs_confirmation(), "no decision: unchanged");
        assert_eq!(apply_reviews(&mut findings, &[]), 0);
        assert_eq!(Decision::parse("dismissed"), Some(Decision::Dismissed));
        assert_eq!(Decision::parse("maybe"), None);
    }
}
