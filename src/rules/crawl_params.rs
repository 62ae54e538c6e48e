//! The crawl's parameters taken from the rules: the crawl knows nothing of rule files, so the
//! conversions from a [`RuleSet`] live here, on the rules' side of the house.
//!
//! The embedded rule files are the single source of the defaults: [`CrawlRules::default`] is
//! [`CrawlRules::from_rules`] of the embedded rules.

use std::time::Duration;

use super::RuleSet;
use crate::crawl::ipv6::Ipv6Settings;
use crate::crawl::CrawlRules;
use crate::extract::FactRules;

impl CrawlRules {
    /// The crawl parameters of the link rules (`link.broken`, `link.blocked`). A rule left
    /// out of the rule set turns its classification off.
    pub fn from_rules(rules: &RuleSet) -> CrawlRules {
        let broken = rules.get("link.broken");
        let blocked = rules.get("link.blocked");
        let count = |name: &str| {
            blocked
                .map(|r| usize::try_from(r.param_i64(name)).unwrap_or(usize::MAX))
                .unwrap_or(usize::MAX)
        };
        CrawlRules {
            soft404_patterns: broken
                .map(|r| r.param_strs("soft404_patterns").to_vec())
                .unwrap_or_default(),
            challenge_markers: blocked
                .map(|r| r.param_strs("challenge_markers").to_vec())
                .unwrap_or_default(),
            blocked_statuses: blocked
                .map(|r| {
                    r.param_i64s("blocked_statuses")
                        .iter()
                        .filter_map(|s| u16::try_from(*s).ok())
                        .collect()
                })
                .unwrap_or_default(),
            blanket_403_min: count("blanket_403_min"),
            stop_after_blocked: count("stop_after_blocked"),
            challenge_max_bytes: blocked
                .map(|r| usize::try_from(r.param_i64("challenge_max_bytes")).unwrap_or(0))
                .unwrap_or(0),
            challenge_max_links: blocked
                .map(|r| usize::try_from(r.param_i64("challenge_max_links")).unwrap_or(0))
                .unwrap_or(0),
            facts: FactRules::from_rules(rules),
        }
    }
}

impl Default for CrawlRules {
    /// The parameters of the embedded rules (`rules/links.toml`).
    fn default() -> Self {
        match RuleSet::embedded() {
            Ok(rules) => CrawlRules::from_rules(&rules),
            // The embedded rules are tested to load; should they not, classify nothing.
            Err(_) => CrawlRules {
                soft404_patterns: Vec::new(),
                challenge_markers: Vec::new(),
                blocked_statuses: Vec::new(),
                blanket_403_min: usize::MAX,
                stop_after_blocked: usize::MAX,
                challenge_max_bytes: 0,
                challenge_max_links: 0,
                facts: FactRules::default(),
            },
        }
    }
}

impl Ipv6Settings {
    /// The settings of the IPv6 rules (`ipv6.unsupported` `timeout_secs`, `ipv6.coverage`
    /// `sample_per_level`); defaults where a rule is absent.
    pub fn from_rules(rules: &RuleSet) -> Ipv6Settings {
        let mut s = Ipv6Settings::default();
        if let Some(r) = rules.get("ipv6.unsupported") {
            if let Ok(secs) = u64::try_from(r.param_i64("timeout_secs")) {
                s.timeout = Duration::from_secs(secs);
            }
        }
        if let Some(r) = rules.get("ipv6.coverage") {
            if let Ok(n) = usize::try_from(r.param_i64("sample_per_level")) {
                s.sample_per_level = n;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_settings_follow_the_rules() {
        let rules = RuleSet::embedded().expect("embedded rules");
        let s = Ipv6Settings::from_rules(&rules);
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
