//! The score of a site under the 2019 indicators (国办秘函〔2019〕19号): any veto finding makes
//! the site 不合格; otherwise the deduction part starts at 100, each indicator loses at most
//! its allotted points, and below 60 the site is 不合格. A veto a person must confirm first
//! (its evidence says `needs_confirmation`) does not by itself make the site 不合格: with no
//! other veto and a passing score the verdict is 待确认 until someone reviews it.
//!
//! What this module does not do:
//! - **Double counting** is the checks' job: a column already penalised as blank or stale
//!   must not be penalised again under another indicator ("已按其他指标扣分的，不在本指标项下
//!   重复扣分"), so a check emits its finding with 0 points (or not at all) in that case.
//!   [`score`] adds up what it is given.
//! - The bonus part (加分, 30 points for portals) and the 75 × 4/3 rescaling for State Council
//!   departments without outward services are not computed.
//! - The score is computed even when a veto makes the site 不合格, so bulletins can still
//!   rank sites; the verdict is what decides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Finding;
use crate::rules::{Kind, RuleSet};

/// Full marks of the deduction part.
pub const FULL_MARKS: f64 = 100.0;
/// Below this the site is 不合格.
pub const PASS_MARK: f64 = 60.0;

pub use crate::finding::Verdict;

/// Points lost under one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorDeduction {
    /// Indicator id; for a deduct finding whose rule has no indicator in the rule set, the
    /// rule id (uncapped).
    pub indicator: String,
    /// Chinese name.
    pub name: String,
    /// Points deducted, after the cap.
    pub points: f64,
    /// The cap (the indicator's points).
    pub cap: f64,
    /// Points before the cap.
    pub raw_points: f64,
    /// Deduct findings counted.
    pub findings: usize,
}

/// The score of one site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// 100 − capped deductions, never below 0; rounded to 0.01.
    pub score: f64,
    /// 合格 / 不合格 / 待确认.
    pub verdict: Verdict,
    /// Veto findings that need no person's confirmation.
    pub vetoes: usize,
    /// Veto findings a person must confirm first ([`Finding::needs_confirmation`]): alone
    /// they make the verdict 待确认, not 不合格.
    #[serde(default)]
    pub unconfirmed_vetoes: usize,
    /// Deductions per indicator with points lost, in the rule set's indicator order.
    pub deductions: Vec<IndicatorDeduction>,
}

/// Score a site's findings. Each finding's own `kind` and `points` are used (checks set them
/// from the rule); the rule set supplies each rule's indicator and the caps.
pub fn score(findings: &[Finding], rules: &RuleSet) -> Score {
    let vetoes = findings
        .iter()
        .filter(|f| f.kind == Kind::Veto && !f.needs_confirmation())
        .count();
    let unconfirmed_vetoes = findings
        .iter()
        .filter(|f| f.kind == Kind::Veto && f.needs_confirmation())
        .count();

    // indicator id → (name, cap, raw points, findings, order)
    let mut groups: BTreeMap<String, (String, Option<f64>, f64, usize, usize)> = BTreeMap::new();
    let order_of = |id: &str| {
        rules
            .indicators()
            .iter()
            .position(|i| i.id == id)
            .unwrap_or(usize::MAX)
    };
    for f in findings.iter().filter(|f| f.kind == Kind::Deduct) {
        if !(f.points.is_finite() && f.points > 0.0) {
            continue;
        }
        let indicator = rules
            .get(&f.rule)
            .and_then(|r| r.indicator.as_deref())
            .and_then(|id| rules.indicator(id));
        let (key, name, cap) = match indicator {
            Some(i) => (i.id.clone(), i.name.clone(), Some(i.points)),
            None => (f.rule.clone(), f.rule.clone(), None),
        };
        let order = order_of(&key);
        let g = groups
            .entry(key)
            .or_insert_with(|| (name, cap, 0.0, 0, order));
        g.2 += f.points;
        g.3 += 1;
    }

    let mut deductions: Vec<IndicatorDeduction> = groups
        .into_iter()
        .map(|(id, (name, cap, raw, n, _))| {
            let cap = cap.unwrap_or(raw);
            IndicatorDeduction {
                indicator: id,
                name,
                points: round2(raw.min(cap)),
                cap,
                raw_points: round2(raw),
                findings: n,
            }
        })
        .collect();
    deductions.sort_by_key(|d| (order_of(&d.indicator), d.indicator.clone()));

    let lost: f64 = deductions.iter().map(|d| d.points).sum();
    let score = round2((FULL_MARKS - lost).max(0.0));
    let verdict = if vetoes > 0 || score < PASS_MARK {
        Verdict::Fail
    } else if unconfirmed_vetoes > 0 {
        Verdict::Pending
    } else {
        Verdict::Pass
    };
    Score {
        score,
        verdict,
        vetoes,
        unconfirmed_vetoes,
        deductions,
    }
}

/// Round to 0.01 so that sums of 0.1-point deductions print cleanly.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RuleSet {
        let text = r#"
[[indicator]]
id = "usability"
name = "可用性"
points = 10

[[indicator]]
id = "ipv6"
name = "IPv6改造"
points = 5

[[rule]]
id = "link.broken.home"
title = "首页不可用链接"
source = "s"
kind = "deduct"
points = 1
indicator = "usability"

[[rule]]
id = "link.broken"
title = "其他页面不可用链接"
source = "s"
kind = "deduct"
points = 0.1
indicator = "usability"
[rule.params]
soft404_patterns = ["页面不存在"]

[[rule]]
id = "ipv6.unsupported"
title = "首页不支持IPv6访问"
source = "s"
kind = "deduct"
points = 5
indicator = "ipv6"

[[rule]]
id = "site.unreachable"
title = "站点无法访问"
source = "s"
kind = "veto"

[[rule]]
id = "ipv6.delegation"
title = "授权链"
source = "s"
kind = "notice"
"#;
        match RuleSet::from_sources(vec![("t.toml".into(), text.into())]) {
            Ok(r) => r,
            Err(e) => panic!("{}", crate::rules::format_errors(&e)),
        }
    }

    fn finding(rule: &str, kind: Kind, points: f64) -> Finding {
        Finding {
            rule: rule.into(),
            kind,
            points,
            url: "http://x.gov.cn/".into(),
            page: None,
            evidence: serde_json::Value::Null,
            message: String::new(),
        }
    }

    #[test]
    fn no_findings_is_full_marks() {
        let s = score(&[], &rules());
        assert_eq!(s.score, 100.0);
        assert_eq!(s.verdict, Verdict::Pass);
        assert_eq!(s.vetoes, 0);
        assert!(s.deductions.is_empty());
    }

    #[test]
    fn deductions_are_capped_per_indicator() {
        let mut f: Vec<Finding> = (0..15)
            .map(|_| finding("link.broken.home", Kind::Deduct, 1.0))
            .collect();
        f.push(finding("link.broken", Kind::Deduct, 0.1));
        f.push(finding("ipv6.unsupported", Kind::Deduct, 5.0));
        f.push(finding("ipv6.delegation", Kind::Notice, 0.0));
        let s = score(&f, &rules());
        assert_eq!(s.deductions.len(), 2);
        let u = &s.deductions[0];
        assert_eq!(
            (u.indicator.as_str(), u.name.as_str()),
            ("usability", "可用性")
        );
        assert_eq!(
            (u.points, u.cap, u.raw_points, u.findings),
            (10.0, 10.0, 15.1, 16)
        );
        assert_eq!(s.deductions[1].points, 5.0);
        assert_eq!(s.score, 85.0);
        assert_eq!(s.verdict, Verdict::Pass);
    }

    #[test]
    fn small_deductions_round_cleanly() {
        let f: Vec<Finding> = (0..3)
            .map(|_| finding("link.broken", Kind::Deduct, 0.1))
            .collect();
        assert_eq!(score(&f, &rules()).score, 99.7);
    }

    #[test]
    fn any_veto_fails() {
        let f = vec![finding("site.unreachable", Kind::Veto, 0.0)];
        let s = score(&f, &rules());
        assert_eq!(s.vetoes, 1);
        assert_eq!(s.score, 100.0);
        assert_eq!(s.verdict, Verdict::Fail);
    }

    #[test]
    fn a_veto_to_confirm_alone_is_pending_not_a_failure() {
        let mut unsure = finding("site.unreachable", Kind::Veto, 0.0);
        unsure.evidence = serde_json::json!({"needs_confirmation": true});
        let s = score(std::slice::from_ref(&unsure), &rules());
        assert_eq!((s.vetoes, s.unconfirmed_vetoes), (0, 1));
        assert_eq!(s.verdict, Verdict::Pending);
        // With a veto that needs no confirmation, or a failing score, it fails.
        let sure = finding("site.unreachable", Kind::Veto, 0.0);
        let s = score(&[unsure.clone(), sure], &rules());
        assert_eq!((s.vetoes, s.verdict), (1, Verdict::Fail));
        // (A rule unknown to the set is uncapped.)
        let mut f: Vec<Finding> = (0..10)
            .map(|_| finding("x.uncapped", Kind::Deduct, 5.0))
            .collect();
        f.push(unsure);
        assert_eq!(score(&f, &rules()).verdict, Verdict::Fail);
    }

    #[test]
    fn below_sixty_fails_and_never_negative() {
        // Findings of rules unknown to the set are grouped under the rule id, uncapped.
        let f: Vec<Finding> = (0..5)
            .map(|_| finding("local.thing", Kind::Deduct, 10.0))
            .collect();
        let s = score(&f, &rules());
        assert_eq!(s.score, 50.0);
        assert_eq!(s.verdict, Verdict::Fail);
        assert_eq!(s.deductions[0].indicator, "local.thing");
        let f: Vec<Finding> = (0..15)
            .map(|_| finding("local.thing", Kind::Deduct, 10.0))
            .collect();
        assert_eq!(score(&f, &rules()).score, 0.0);
        // Exactly 60 passes.
        let f: Vec<Finding> = (0..4)
            .map(|_| finding("local.thing", Kind::Deduct, 10.0))
            .collect();
        assert_eq!(score(&f, &rules()).verdict, Verdict::Pass);
    }

    #[test]
    fn verdict_serialises_in_chinese() {
        let s = score(&[finding("site.unreachable", Kind::Veto, 0.0)], &rules());
        let j = serde_json::to_value(&s).unwrap_or_default();
        assert_eq!(j["verdict"], "不合格");
        assert_eq!(
            serde_json::to_value(Verdict::Pass).unwrap_or_default(),
            "合格"
        );
        let back: Score = serde_json::from_value(j).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, s);
    }
}
