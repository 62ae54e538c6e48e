//! Checks: pure functions from a site's facts, the rules and the as-of time to findings, and
//! the score. No check touches the network, so a stored crawl can be judged again.

pub mod score;

pub use crate::rules::Kind;

pub use crate::finding::Finding;

/// A finding of `rule` (with the rule's kind and points) about `url`, found on `page`.
pub(crate) fn finding(
    rule: &crate::rules::Rule,
    url: &str,
    page: Option<&str>,
    evidence: serde_json::Value,
    message: String,
) -> Finding {
    Finding {
        rule: rule.id.clone(),
        kind: rule.kind,
        points: rule.points,
        url: url.to_string(),
        page: page.map(str::to_string),
        evidence,
        message,
    }
}

pub mod annual_report;
pub mod availability;
pub mod columns;
pub mod feeds;
pub mod footer;
pub mod home;
pub mod interaction;
pub mod ipv6;
pub mod links;
pub mod normdoc;
pub mod reads;
pub mod security;
pub mod service;
pub mod site_annual_table;
pub mod wording;

#[cfg(test)]
pub(crate) mod testutil;

use chrono::{DateTime, FixedOffset};

use crate::crawl::SiteFacts;
use crate::rules::RuleSet;

/// Every finding of every enabled rule for one site, judged as of `as_of`.
pub fn evaluate(facts: &SiteFacts, rules: &RuleSet, as_of: DateTime<FixedOffset>) -> Vec<Finding> {
    let day = as_of.date_naive();
    let mut findings = links::check(facts, rules);
    findings.extend(home::check(facts, rules, day));
    findings.extend(columns::check(facts, rules, day));
    findings.extend(columns::check_xxgk(facts, rules));
    findings.extend(footer::check(facts, rules));
    findings.extend(wording::check(facts, rules));
    findings.extend(security::check(facts, rules));
    findings.extend(annual_report::check(facts, rules, day));
    findings.extend(site_annual_table::check(facts, rules, day));
    findings.extend(interaction::check(facts, rules, day));
    findings.sort_by(|a, b| (a.kind, &a.rule, &a.url).cmp(&(b.kind, &b.rule, &b.url)));
    findings
}
