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
