//! `wording.serious`: serious wording errors in official names on any crawled page — the
//! rule's list of wrong forms, and near misses of official names (see
//! [`crate::extract::facts::WordingMatcher`]). One finding per page and wrong form, with the
//! correct form and the text around it. Semi-automatic: a person confirms each hit.

use serde_json::json;

use super::Finding;
use crate::crawl::SiteFacts;
use crate::extract::facts::WordingKind;
use crate::rules::RuleSet;

/// The wording findings.
pub fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
    let Some(rule) = rules.enabled_for("wording.serious", facts.level, facts.kind) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // The pages with wording hits are among those the checks go through (`checks::reads`).
    for p in facts.pages.iter().filter(|p| p.status.is_ok()) {
        for h in &p.facts.wording {
            if !seen.insert((p.url.as_str(), h.wrong.as_str())) {
                continue;
            }
            let how = match h.kind {
                WordingKind::Listed => "错误表述",
                WordingKind::Substitution => "疑似错别字",
                WordingKind::Insertion => "疑似多字或名称中有多余空格、标点",
                WordingKind::Homophone => "疑似同音错别字",
                WordingKind::Deletion => "疑似漏字",
                WordingKind::Transposition => "疑似字序颠倒",
            };
            out.push(Finding {
                rule: rule.id.clone(),
                kind: rule.kind,
                points: rule.points,
                url: p.url.clone(),
                page: Some(p.url.clone()),
                evidence: json!({
                    "wrong": h.wrong,
                    "right": h.right,
                    "match": h.kind,
                    "snippet": h.snippet,
                    "page_title": p.title,
                    "needs_confirmation": true,
                }),
                message: format!("{how}：「{}」应为「{}」（{}）", h.wrong, h.right, h.snippet),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil::{page, site};
    use crate::extract::facts::WordingHit;

    /// The check, asserting that it judges the facts reduced to what the checks read
    /// (`checks::reads`, the rest looked up) as it judges them whole.
    fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
        let whole = super::check(facts, rules);
        let reduced = super::check(&crate::checks::reads::reduce(facts, rules), rules);
        assert_eq!(whole, reduced, "whole and reduced facts judged differently");
        whole
    }

    #[test]
    fn one_finding_per_page_and_wrong_form() {
        let rules = RuleSet::embedded().expect("rules");
        let hit = |w: &str, r: &str| WordingHit {
            wrong: w.into(),
            right: r.into(),
            kind: WordingKind::Listed,
            snippet: format!("……【{w}】……"),
        };
        let mut a = page("http://x.gov.cn/a.html", 1);
        a.facts.wording = vec![
            hit("中华人民共合国", "中华人民共和国"),
            hit("依法制国", "依法治国"),
        ];
        let mut b = page("http://x.gov.cn/b.html", 2);
        b.facts.wording = vec![hit("中华人民共合国", "中华人民共和国")];
        let clean = page("http://x.gov.cn/c.html", 2);
        let f = check(&site(vec![a, b, clean]), &rules);
        assert_eq!(f.len(), 3);
        assert!(f
            .iter()
            .all(|x| x.rule == "wording.serious" && x.kind == crate::rules::Kind::Veto));
        assert_eq!(f[0].evidence["right"], "中华人民共和国");
        assert!(
            f[0].message.contains("应为「中华人民共和国」"),
            "{}",
            f[0].message
        );
        assert!(check(&site(vec![page("http://x.gov.cn/d.html", 1)]), &rules).is_empty());
    }
}
