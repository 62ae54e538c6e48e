//! Link checks: `link.broken.home` (links on the home page), `link.broken` (links on other
//! pages) and `link.blocked` (hosts that refused the scanner: inconclusive, listed so an
//! inspector can check them by hand, never counted as broken).

use std::collections::BTreeMap;

use serde_json::json;

use super::Finding;
use crate::crawl::{LinkFact, SiteFacts};
use crate::rules::RuleSet;

/// Findings of the link rules for one site.
pub fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
    let mut out = Vec::new();
    let home = rules.enabled_for("link.broken.home", facts.level, facts.kind);
    let other = rules.enabled_for("link.broken", facts.level, facts.kind);
    // Every link that did not answer OK is among those the checks go through, with its
    // referrers (`checks::reads`).
    for link in facts
        .links
        .values()
        .filter(|l| l.outcome.status.is_broken())
    {
        let rule = if link.on_home { home } else { other };
        let Some(rule) = rule else { continue };
        let first = link.referrers.first();
        let text = first.map(|r| &*r.text).filter(|t| !t.is_empty());
        let place = if link.on_home { "首页" } else { "页面" };
        let message = match text {
            Some(t) => format!("{place}链接「{t}」不可用：{}", link.outcome.status.zh()),
            None => format!("{place}链接不可用：{}", link.outcome.status.zh()),
        };
        out.push(Finding {
            rule: rule.id.clone(),
            kind: rule.kind,
            points: rule.points,
            url: link.url.clone(),
            page: first.map(|r| r.page.to_string()),
            evidence: evidence(link),
            message,
        });
    }
    if let Some(rule) = rules.enabled_for("link.blocked", facts.level, facts.kind) {
        let mut by_host: BTreeMap<String, Vec<&LinkFact>> = BTreeMap::new();
        for link in facts
            .links
            .values()
            .filter(|l| l.outcome.status.is_blocked())
        {
            let host = url::Url::parse(&link.url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default();
            by_host.entry(host).or_default().push(link);
        }
        for (host, links) in by_host {
            let reason = match &links[0].outcome.status {
                crate::crawl::LinkStatus::Blocked { reason, .. } => reason.clone(),
                _ => String::new(),
            };
            out.push(Finding {
                rule: rule.id.clone(),
                kind: rule.kind,
                points: rule.points,
                url: host.clone(),
                page: links[0].referrers.first().map(|r| r.page.to_string()),
                evidence: json!({
                    "host": host,
                    "reason": reason,
                    "count": links.len(),
                    "links": links.iter().take(50).map(|l| evidence(l)).collect::<Vec<_>>(),
                }),
                message: format!(
                    "{host} 拦截了扫描（{reason}），{} 个链接无法判定，需人工核实",
                    links.len()
                ),
            });
        }
    }
    out
}

/// The evidence an inspector needs to act on a link: what failed, how, and where it is.
pub fn evidence(link: &LinkFact) -> serde_json::Value {
    json!({
        "target": link.url,
        "status": link.outcome.status,
        "status_text": link.outcome.status.zh(),
        "http_status": link.outcome.status.http_status(),
        "internal": link.internal,
        "on_home": link.on_home,
        "redirects": link.outcome.redirects,
        "final_url": link.outcome.final_url,
        "referrer_count": link.referrer_count,
        "referrers": link.referrers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil::{page, site};
    use crate::crawl::{FetchOutcome, LinkStatus, Referrer};
    use crate::extract::LinkElement;

    /// The check, asserting that it judges the facts reduced to what the checks read
    /// (`checks::reads`, the rest looked up) as it judges them whole.
    fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
        let whole = super::check(facts, rules);
        let reduced = super::check(&crate::checks::reads::reduce(facts, rules), rules);
        assert_eq!(whole, reduced, "whole and reduced facts judged differently");
        whole
    }

    fn link(url: &str, status: LinkStatus, on_home: bool, from: &[(&str, &str)]) -> LinkFact {
        LinkFact {
            url: url.into(),
            internal: true,
            on_home,
            outcome: FetchOutcome {
                status,
                redirects: Vec::new(),
                final_url: url.into(),
                elapsed_ms: 1,
            },
            referrers: from
                .iter()
                .map(|(p, t)| Referrer {
                    page: (*p).into(),
                    text: (*t).into(),
                    element: LinkElement::A,
                })
                .collect(),
            referrer_count: from.len(),
            target: None,
        }
    }

    #[test]
    fn broken_links_by_place_and_blocked_hosts_listed_once() {
        let rules = RuleSet::embedded().expect("rules");
        let home = "http://x.gov.cn/";
        let list = "http://x.gov.cn/zwgk/gzdt/index_2.html";
        let mut s = site(vec![page(home, 0), page(list, 2)]);
        let blocked = || LinkStatus::Blocked {
            status: Some(403),
            reason: "站点对扫描器全部返回403".into(),
        };
        for l in [
            link(
                "http://x.gov.cn/ztzl/",
                LinkStatus::HttpError { status: 404 },
                true,
                &[(home, "专题专栏")],
            ),
            link(
                "http://x.gov.cn/zwgk/gzdt/t1.html",
                LinkStatus::Timeout,
                false,
                &[(list, "关于印发工作要点的通知")],
            ),
            link(
                "http://x.gov.cn/zwgk/",
                LinkStatus::Ok { status: 200 },
                true,
                &[(home, "政务公开")],
            ),
            link("http://a.other.cn/1", blocked(), false, &[(list, "")]),
            link("http://a.other.cn/2", blocked(), false, &[(list, "")]),
        ] {
            s.links.insert(l.url.clone(), l);
        }
        let f = check(&s, &rules);
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.rule.as_str(), f.url.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("link.broken.home", "http://x.gov.cn/ztzl/"),
                ("link.broken", "http://x.gov.cn/zwgk/gzdt/t1.html"),
                ("link.blocked", "a.other.cn"),
            ]
        );
        assert!(
            f[0].message.contains("首页链接「专题专栏」"),
            "{}",
            f[0].message
        );
        assert_eq!(f[1].page.as_deref(), Some(list));
        assert_eq!(f[2].evidence["count"], 2);
        // Nothing broken, nothing blocked: no finding.
        s.links.retain(|_, l| l.outcome.status.is_ok());
        assert!(check(&s, &rules).is_empty());
    }
}
