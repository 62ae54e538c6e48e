//! The crawl's parameters taken from the rules: the crawl knows nothing of rule files, so the
//! conversions from a [`RuleSet`] live here, on the rules' side of the house.
//!
//! The embedded rule files are the single source of the defaults: [`CrawlRules::default`] is
//! [`CrawlRules::from_rules`] of the embedded rules.

use std::time::Duration;

use super::params::{
    Ipv6CoverageParams, Ipv6UnsupportedParams, LinkBadTargetParams, LinkBlockedParams,
    LinkBrokenParams,
};
use super::RuleSet;
use crate::crawl::ipv6::Ipv6Settings;
use crate::crawl::CrawlRules;
use crate::extract::FactRules;

impl CrawlRules {
    /// The crawl parameters of the link rules (`link.broken`, `link.blocked`). A rule left
    /// out of the rule set turns its classification off.
    pub fn from_rules(rules: &RuleSet) -> CrawlRules {
        let broken = rules
            .get("link.broken")
            .and_then(|r| r.typed::<LinkBrokenParams>());
        let blocked = rules
            .get("link.blocked")
            .and_then(|r| r.typed::<LinkBlockedParams>());
        CrawlRules {
            soft404_patterns: broken
                .map(|p| p.soft404_patterns.clone())
                .unwrap_or_default(),
            challenge_markers: blocked
                .map(|p| p.challenge_markers.clone())
                .unwrap_or_default(),
            blocked_statuses: blocked
                .map(|p| p.blocked_statuses.clone())
                .unwrap_or_default(),
            blanket_403_min: blocked.map_or(usize::MAX, |p| p.blanket_403_min),
            stop_after_blocked: blocked.map_or(usize::MAX, |p| p.stop_after_blocked),
            challenge_max_bytes: blocked.map_or(0, |p| p.challenge_max_bytes),
            challenge_max_links: blocked.map_or(0, |p| p.challenge_max_links),
            outbound_sample_bytes: rules
                .get("link.outbound.bad_target")
                .and_then(|r| r.typed::<LinkBadTargetParams>())
                .map(|p| p.sample_bytes),
            facts: FactRules::from_rules(rules),
        }
    }

    /// Parameters that classify nothing: no soft-404 or challenge phrases, no blocked
    /// statuses, no blanket 403 (what a rule set without the link rules gives).
    pub fn none() -> CrawlRules {
        CrawlRules {
            soft404_patterns: Vec::new(),
            challenge_markers: Vec::new(),
            blocked_statuses: Vec::new(),
            blanket_403_min: usize::MAX,
            stop_after_blocked: usize::MAX,
            challenge_max_bytes: 0,
            challenge_max_links: 0,
            outbound_sample_bytes: None,
            facts: FactRules::none(),
        }
    }
}

impl Default for CrawlRules {
    /// The parameters of the embedded rules (`rules/links.toml`).
    fn default() -> Self {
        match RuleSet::embedded() {
            Ok(rules) => CrawlRules::from_rules(&rules),
            // The embedded rules are tested to load; should they not, classify nothing.
            Err(_) => CrawlRules::none(),
        }
    }
}

impl Ipv6Settings {
    /// The settings of the IPv6 rules: `ipv6.unsupported` `timeout_secs` and `ipv6.coverage`
    /// `sample_per_level`. None (IPv6 support is not measured) when the rule set has no
    /// `ipv6.unsupported`; without `ipv6.coverage` no links are sampled.
    pub fn from_rules(rules: &RuleSet) -> Option<Ipv6Settings> {
        let unsupported = rules
            .get("ipv6.unsupported")
            .and_then(|r| r.typed::<Ipv6UnsupportedParams>())?;
        let coverage = rules
            .get("ipv6.coverage")
            .and_then(|r| r.typed::<Ipv6CoverageParams>());
        Some(Ipv6Settings {
            timeout: Duration::from_secs(unsupported.timeout_secs),
            sample_per_level: coverage.map_or(0, |c| c.sample_per_level),
            concurrency: Ipv6Settings::CONCURRENCY,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_settings_follow_the_rules() {
        let rules = RuleSet::embedded().expect("embedded rules");
        let s = Ipv6Settings::from_rules(&rules).expect("ipv6.unsupported is shipped");
        assert_eq!(s.timeout, Duration::from_secs(15));
        assert_eq!(s.sample_per_level, 100);
    }

    #[test]
    fn the_default_is_the_embedded_links_toml() {
        let d = CrawlRules::default();
        let rules = RuleSet::embedded().unwrap();
        let r = rules.get("link.blocked").unwrap();
        assert_eq!(d.challenge_markers, r.param_strs("challenge_markers"));
        assert!(d.challenge_markers.iter().any(|m| m == "$_ts"));
        assert_eq!(d.blocked_statuses, vec![429, 412]);
        assert_eq!(d.blanket_403_min, 3);
        assert_eq!(d.stop_after_blocked, 5);
        assert!(d.challenge_max_bytes > 0);
        assert!(d.soft404_patterns.iter().any(|p| p == "页面未找到"));
    }
}
