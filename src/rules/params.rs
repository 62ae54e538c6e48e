//! Typed parameters of the rule families, deserialised by serde from a rule's validated
//! parameters when the rule set is loaded.
//!
//! The validator ([`super::spec`]) checks every name, type and range and locates each mistake
//! (file, line, field); the loader then builds the family's struct below from the validated
//! values and keeps it with the rule, so a reader asks for `rule.typed::<Ipv6CoverageParams>()`
//! instead of a parameter by its name. A struct that does not match its rule's spec (a
//! programming error, caught by the test `every_embedded_rule_builds_its_typed_params`) is a
//! located load error too, never a silent default.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::ParamValue;

/// A rule family's typed parameters.
pub trait Params: DeserializeOwned + Send + Sync + 'static {
    /// The rule ids whose parameters this struct holds.
    const IDS: &'static [&'static str];
}

/// `link.broken`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkBrokenParams {
    /// Phrases that make an HTTP 200 page a soft 404.
    pub soft404_patterns: Vec<String>,
    /// Broken links on other pages are deducted only from this count on.
    pub min_count: usize,
}

impl Params for LinkBrokenParams {
    const IDS: &'static [&'static str] = &["link.broken"];
}

/// `link.blocked`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkBlockedParams {
    pub challenge_markers: Vec<String>,
    pub blocked_statuses: Vec<u16>,
    pub blanket_403_min: usize,
    pub stop_after_blocked: usize,
    pub challenge_max_bytes: usize,
    pub challenge_max_links: usize,
}

impl Params for LinkBlockedParams {
    const IDS: &'static [&'static str] = &["link.blocked"];
}

/// `link.hidden_outbound`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkHiddenOutboundParams {
    /// Host suffixes (whole labels) never treated as outbound.
    pub allow_hosts: Vec<String>,
    /// Offset (px) beyond which content is off-screen (read while crawling).
    pub offscreen_px: u32,
}

impl Params for LinkHiddenOutboundParams {
    const IDS: &'static [&'static str] = &["link.hidden_outbound"];
}

/// `link.outbound.bad_target`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkBadTargetParams {
    /// `[category, words...]`.
    pub categories: Vec<Vec<String>>,
    /// Distinct words of one category a target page must show.
    pub min_hits: usize,
    /// Substrings (case-insensitive) of a domain-parking page.
    pub parking_markers: Vec<String>,
    /// A target whose domain does not exist is a finding.
    pub nxdomain: bool,
    /// Host suffixes (whole labels) never judged.
    pub allow_hosts: Vec<String>,
    /// Bytes of a target page's visible text kept (read while crawling).
    pub sample_bytes: usize,
}

impl Params for LinkBadTargetParams {
    const IDS: &'static [&'static str] = &["link.outbound.bad_target"];
}

/// `site.unreachable`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteUnreachableParams {
    pub window_days: u32,
    pub min_probes_per_day: usize,
    pub veto_rate: f64,
    /// A probe fails when the home page has not opened after this many seconds.
    pub timeout_secs: u64,
}

impl Params for SiteUnreachableParams {
    const IDS: &'static [&'static str] = &["site.unreachable"];
}

/// `site.unreachable.warn`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteUnreachableWarnParams {
    pub window_days: u32,
    pub min_probes_per_day: usize,
    pub notice_rate: f64,
}

impl Params for SiteUnreachableWarnParams {
    const IDS: &'static [&'static str] = &["site.unreachable.warn"];
}

/// `ipv6.unsupported`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ipv6UnsupportedParams {
    /// Seconds allowed for the home page (and each link) over IPv6.
    pub timeout_secs: u64,
}

impl Params for Ipv6UnsupportedParams {
    const IDS: &'static [&'static str] = &["ipv6.unsupported"];
}

/// `ipv6.coverage`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ipv6CoverageParams {
    pub l2_target: f64,
    pub l3_target: f64,
    pub min_links: usize,
    pub sample_per_level: usize,
}

impl Params for Ipv6CoverageParams {
    const IDS: &'static [&'static str] = &["ipv6.coverage"];
}

/// `ipv6.success_rate`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ipv6SuccessRateParams {
    pub target: f64,
    pub window_days: u32,
    pub min_probes: usize,
}

impl Params for Ipv6SuccessRateParams {
    const IDS: &'static [&'static str] = &["ipv6.success_rate"];
}

/// `ipv6.consistency`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ipv6ConsistencyParams {
    pub min_similarity: f64,
}

impl Params for Ipv6ConsistencyParams {
    const IDS: &'static [&'static str] = &["ipv6.consistency"];
}

/// `column.blank`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnBlankParams {
    pub threshold: usize,
    /// Phrases of a list page that lists nothing (暂无信息...).
    pub empty_markers: Vec<String>,
}

impl Params for ColumnBlankParams {
    const IDS: &'static [&'static str] = &["column.blank"];
}

/// `column.blank.warn`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnBlankWarnParams {
    pub threshold: usize,
}

impl Params for ColumnBlankWarnParams {
    const IDS: &'static [&'static str] = &["column.blank.warn"];
}

/// `column.stale.veto` and `column.stale.should_update`: columns counted from other rules.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRuleParams {
    /// Counted columns at which the rule fires.
    pub threshold: usize,
    /// Rules whose per-column findings are counted.
    pub count_rules: Vec<String>,
}

impl Params for CountRuleParams {
    const IDS: &'static [&'static str] = &["column.stale.veto", "column.stale.should_update"];
}

/// `wording.serious`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WordingParams {
    pub corrections: Vec<(String, String)>,
    pub official_names: Vec<String>,
    pub confusables: Vec<(String, String)>,
    pub min_name_chars: usize,
    pub min_drop_chars: usize,
    pub never_substituted: Vec<String>,
    pub separators: String,
    pub max_separated_gaps: usize,
}

impl Params for WordingParams {
    const IDS: &'static [&'static str] = &["wording.serious"];
}

/// A typed parameter struct as kept with its rule.
pub(super) type Typed = Arc<dyn Any + Send + Sync>;

fn one<T: Params>(params: &BTreeMap<String, ParamValue>) -> Result<Typed, String> {
    let value = serde_json::to_value(params).map_err(|e| e.to_string())?;
    let typed: T = serde_json::from_value(value).map_err(|e| e.to_string())?;
    Ok(Arc::new(typed))
}

/// The typed parameters of rule `id` from its validated parameters: None for a family
/// without a typed struct, an error when the values do not fit it.
pub(super) fn build(
    id: &str,
    params: &BTreeMap<String, ParamValue>,
) -> Result<Option<Typed>, String> {
    macro_rules! families {
        ($($t:ty),* $(,)?) => {
            $(
                if <$t as Params>::IDS.contains(&id) {
                    return one::<$t>(params).map(Some);
                }
            )*
        };
    }
    families!(
        LinkBrokenParams,
        LinkBlockedParams,
        LinkHiddenOutboundParams,
        LinkBadTargetParams,
        SiteUnreachableParams,
        SiteUnreachableWarnParams,
        Ipv6UnsupportedParams,
        Ipv6CoverageParams,
        Ipv6SuccessRateParams,
        Ipv6ConsistencyParams,
        ColumnBlankParams,
        ColumnBlankWarnParams,
        CountRuleParams,
        WordingParams,
    );
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    #[test]
    fn every_embedded_rule_builds_its_typed_params() {
        let rules = RuleSet::embedded().expect("embedded rules");
        let c = rules
            .get("ipv6.coverage")
            .and_then(|r| r.typed::<Ipv6CoverageParams>())
            .expect("typed");
        assert_eq!(c.sample_per_level, 100);
        assert_eq!(c.min_links, 10);
        let b = rules
            .get("link.blocked")
            .and_then(|r| r.typed::<LinkBlockedParams>())
            .expect("typed");
        assert_eq!(b.blocked_statuses, vec![429, 412]);
        let u = rules
            .get("site.unreachable")
            .and_then(|r| r.typed::<SiteUnreachableParams>())
            .expect("typed");
        assert_eq!(u.timeout_secs, 15);
        assert_eq!(u.window_days, 7);
        assert!(rules
            .get("wording.serious")
            .and_then(|r| r.typed::<WordingParams>())
            .is_some_and(|w| !w.official_names.is_empty()));
        // Asking for another family's struct gives nothing.
        assert!(rules
            .get("ipv6.coverage")
            .and_then(|r| r.typed::<LinkBlockedParams>())
            .is_none());
        // Every family's ids are rules of the embedded set.
        for r in rules.rules() {
            let built = build(&r.id, &r.params).expect("typed params build");
            assert_eq!(built.is_some(), r.typed.is_some(), "{}", r.id);
        }
    }

    #[test]
    fn values_that_do_not_fit_the_struct_are_an_error() {
        let mut params = BTreeMap::new();
        params.insert("timeout_secs".to_string(), ParamValue::Str("soon".into()));
        let err = build("ipv6.unsupported", &params).expect_err("a string is not seconds");
        assert!(
            err.contains("timeout_secs") || err.contains("invalid type"),
            "{err}"
        );
        params.insert("timeout_secs".to_string(), ParamValue::Int(5));
        params.insert("extra".to_string(), ParamValue::Int(5));
        let err = build("ipv6.unsupported", &params).expect_err("an unknown name");
        assert!(err.contains("extra"), "{err}");
        assert!(build("link.broken.home", &BTreeMap::new())
            .expect("no params")
            .is_none());
    }
}
