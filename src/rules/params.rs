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

/// Serde adapters for compiled regexes and `"MM-DD"` days (the validator has already checked
/// them, so a failure here is a mismatch between a struct and its spec, reported at load).
mod de {
    use regex::Regex;
    use serde::{Deserialize, Deserializer};

    pub fn regex<'de, D: Deserializer<'de>>(d: D) -> Result<Regex, D::Error> {
        let s = String::deserialize(d)?;
        Regex::new(&s).map_err(serde::de::Error::custom)
    }

    pub fn regexes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Regex>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| Regex::new(s).map_err(serde::de::Error::custom))
            .collect()
    }
}

/// A calendar day of the year from a `"MM-DD"` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let (month, day) = super::load::parse_month_day(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a day \"MM-DD\": {s}")))?;
        Ok(MonthDay { month, day })
    }
}

/// `home.not_updated` and `home.not_updated.warn`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeNotUpdatedParams {
    pub window_days: i64,
    pub undated_counts_as_stale: bool,
    /// With no dated item on the home page, the newest item of the second-level pages its
    /// navigation links to counts.
    pub nav_home_uses_second_level: bool,
}

impl Params for HomeNotUpdatedParams {
    const IDS: &'static [&'static str] = &["home.not_updated", "home.not_updated.warn"];
}

/// `column.missing.xxgk`: the 政府信息公开 专栏 and its required entries.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XxgkParams {
    pub entry_name: String,
    pub entry_aliases: Vec<String>,
    /// `[canonical name, alias...]` of each required entry.
    pub entries: Vec<Vec<String>>,
    pub uniform_names: Vec<String>,
    pub max_link_levels: i64,
}

impl Params for XxgkParams {
    const IDS: &'static [&'static str] = &["column.missing.xxgk"];
}

/// `column.xxgk.entrance`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XxgkEntranceParams {
    pub require_on_home: bool,
}

impl Params for XxgkEntranceParams {
    const IDS: &'static [&'static str] = &["column.xxgk.entrance"];
}

/// `column.missing.art20` and `column.missing.art21`: items of the 专栏 by name groups.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnItemsParams {
    pub items: Vec<Vec<String>>,
}

impl Params for ColumnItemsParams {
    const IDS: &'static [&'static str] = &["column.missing.art20", "column.missing.art21"];
}

/// The column classes judged for freshness (`column.stale.news` and the others).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnClassParams {
    #[serde(deserialize_with = "de::regexes")]
    pub name_patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regexes")]
    pub exclude_patterns: Vec<regex::Regex>,
    pub window_days: i64,
    pub first_level_only: bool,
    pub undated_counts_as_stale: bool,
}

impl Params for ColumnClassParams {
    const IDS: &'static [&'static str] = &[
        "column.stale.news",
        "column.stale.notice_policy",
        "column.stale.personnel_plan",
        "column.stale.policy",
    ];
}

/// `footer.missing_id.icp` and `footer.missing_id.psb`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterPatternsParams {
    #[serde(deserialize_with = "de::regexes")]
    pub patterns: Vec<regex::Regex>,
}

impl Params for FooterPatternsParams {
    const IDS: &'static [&'static str] = &["footer.missing_id.icp", "footer.missing_id.psb"];
}

/// `footer.missing_id.siteidcode`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteIdCodeParams {
    #[serde(deserialize_with = "de::regexes")]
    pub patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regex")]
    pub code_pattern: regex::Regex,
    pub meta_name: String,
}

impl Params for SiteIdCodeParams {
    const IDS: &'static [&'static str] = &["footer.missing_id.siteidcode"];
}

/// `footer.missing_id.conac`: the 党政机关 badge in its forms.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConacParams {
    #[serde(deserialize_with = "de::regexes")]
    pub patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regexes")]
    pub link_patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regexes")]
    pub script_patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regexes")]
    pub image_patterns: Vec<regex::Regex>,
}

impl Params for ConacParams {
    const IDS: &'static [&'static str] = &["footer.missing_id.conac"];
}

/// `footer.missing.sponsor_contact`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SponsorContactParams {
    #[serde(deserialize_with = "de::regexes")]
    pub sponsor_patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regexes")]
    pub contact_patterns: Vec<regex::Regex>,
}

impl Params for SponsorContactParams {
    const IDS: &'static [&'static str] = &["footer.missing.sponsor_contact"];
}

/// `footer.missing.jiucuo`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiucuoParams {
    #[serde(deserialize_with = "de::regexes")]
    pub patterns: Vec<regex::Regex>,
    pub check_site_code: bool,
}

impl Params for JiucuoParams {
    const IDS: &'static [&'static str] = &["footer.missing.jiucuo"];
}

/// `normdoc.new`: how the 行政规范性文件 library is found and read (shared by the family).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormdocParams {
    pub library_names: Vec<String>,
    pub abolished_list_words: Vec<String>,
    pub max_library_pages: usize,
    pub valid_markers: Vec<String>,
    pub abolished_markers: Vec<String>,
    pub expired_markers: Vec<String>,
    pub revised_markers: Vec<String>,
    #[serde(deserialize_with = "de::regex")]
    pub docno_pattern: regex::Regex,
    pub docno_headers: Vec<String>,
    pub title_headers: Vec<String>,
    pub written_headers: Vec<String>,
    pub published_headers: Vec<String>,
    pub status_headers: Vec<String>,
    pub regno_headers: Vec<String>,
    pub validity_headers: Vec<String>,
}

impl Params for NormdocParams {
    const IDS: &'static [&'static str] = &["normdoc.new"];
}

/// `normdoc.docno_format`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormdocDocnoParams {
    #[serde(deserialize_with = "de::regex")]
    pub pattern: regex::Regex,
}

impl Params for NormdocDocnoParams {
    const IDS: &'static [&'static str] = &["normdoc.docno_format"];
}

/// `normdoc.not_in_library`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormdocNotInLibraryParams {
    #[serde(deserialize_with = "de::regexes")]
    pub policy_column_patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regex")]
    pub normative_docno_pattern: regex::Regex,
}

impl Params for NormdocNotInLibraryParams {
    const IDS: &'static [&'static str] = &["normdoc.not_in_library"];
}

/// `feed.stale`: the window and how accounts are discovered on the site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedStaleParams {
    pub window_days: i64,
    #[serde(deserialize_with = "de::regexes")]
    pub matrix_titles: Vec<regex::Regex>,
    pub platform_words: Vec<Vec<String>>,
}

impl Params for FeedStaleParams {
    const IDS: &'static [&'static str] = &["feed.stale"];
}

/// `feed.late` and `feed.zombie`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedWindowParams {
    pub window_days: i64,
}

impl Params for FeedWindowParams {
    const IDS: &'static [&'static str] = &["feed.late", "feed.zombie"];
}

/// `feed.no_interaction`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedNoInteractionParams {
    #[serde(deserialize_with = "de::regexes")]
    pub menu_patterns: Vec<regex::Regex>,
}

impl Params for FeedNoInteractionParams {
    const IDS: &'static [&'static str] = &["feed.no_interaction"];
}

/// `feed.broken`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedBrokenParams {
    pub consecutive_failures: usize,
}

impl Params for FeedBrokenParams {
    const IDS: &'static [&'static str] = &["feed.broken"];
}

/// `annual_report.missing`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReportMissingParams {
    #[serde(deserialize_with = "de::regexes")]
    pub column_patterns: Vec<regex::Regex>,
    #[serde(deserialize_with = "de::regex")]
    pub title_pattern: regex::Regex,
    pub department_deadline: MonthDay,
    pub government_deadline: MonthDay,
}

impl Params for AnnualReportMissingParams {
    const IDS: &'static [&'static str] = &["annual_report.missing"];
}

/// `annual_report.sections`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReportSectionsParams {
    pub sections: Vec<Vec<String>>,
}

impl Params for AnnualReportSectionsParams {
    const IDS: &'static [&'static str] = &["annual_report.sections"];
}

/// `annual_report.inconsistent` and `annual_report.cross_year`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReportRelationsParams {
    pub relations: Vec<String>,
}

impl Params for AnnualReportRelationsParams {
    const IDS: &'static [&'static str] =
        &["annual_report.inconsistent", "annual_report.cross_year"];
}

/// `annual_report.format_version`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReportFormatParams {
    pub format_2021_from_year: i32,
}

impl Params for AnnualReportFormatParams {
    const IDS: &'static [&'static str] = &["annual_report.format_version"];
}

/// `site_annual_table.missing`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteAnnualTableParams {
    #[serde(deserialize_with = "de::regexes")]
    pub title_patterns: Vec<regex::Regex>,
    pub deadline: MonthDay,
}

impl Params for SiteAnnualTableParams {
    const IDS: &'static [&'static str] = &["site_annual_table.missing"];
}

/// `interaction.no_channel`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteractionChannelParams {
    /// Words naming a consultation or suggestion channel.
    pub channel_names: Vec<String>,
    /// Channels that do not count: `[shown name, words...]`.
    pub not_counted: Vec<Vec<String>>,
    /// Longest text of a channel entry (longer link texts are message titles).
    pub max_name_chars: usize,
}

impl Params for InteractionChannelParams {
    const IDS: &'static [&'static str] = &["interaction.no_channel"];
}

/// `interaction.unanswered`: the judging window and limit, and how message lists are read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteractionParams {
    pub window_days: u32,
    pub limit_months: u32,
    pub late_reply_counts: bool,
    /// Columns not judged: `[shown name, words...]`.
    pub excluded_columns: Vec<Vec<String>>,
    pub list_names: Vec<String>,
    pub title_headers: Vec<String>,
    pub asked_headers: Vec<String>,
    pub replied_headers: Vec<String>,
    pub status_headers: Vec<String>,
    pub answered_markers: Vec<String>,
    pub pending_markers: Vec<String>,
    pub invalid_markers: Vec<String>,
}

impl Params for InteractionParams {
    const IDS: &'static [&'static str] = &["interaction.unanswered"];
}

/// `service.none`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceNoneParams {
    /// Link texts of a 办事服务 entry (contained in the link text, spaces ignored).
    pub entry_names: Vec<String>,
    /// Host patterns of the province's 政务服务网.
    pub platform_hosts: Vec<String>,
    /// Links from the home page searched for an entry (1: the home page's own links).
    pub max_link_levels: usize,
}

impl Params for ServiceNoneParams {
    const IDS: &'static [&'static str] = &["service.none"];
}

/// `service.guide_elements`: what makes a 办事指南 and when it is defective.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceGuideParams {
    /// The key element categories, each `[name, alias...]`.
    pub categories: Vec<Vec<String>>,
    /// A crawled page keeps its labels when they show this many categories.
    pub record_min_categories: usize,
    /// A page is a guide when its labels show this many categories.
    pub guide_min_categories: usize,
    /// A page showing enough categories is a guide when its title (or heading) contains one
    /// of these, or its labels show the first category.
    pub title_words: Vec<String>,
    /// A page listing this many linked items is a list of guides, not a guide.
    pub list_min_items: usize,
    /// A guide missing this many categories is defective.
    pub missing_threshold: usize,
    /// Defective guides from which the veto fires.
    pub defective_threshold: usize,
    /// Links below the 办事 section page within which guides are read.
    pub section_max_levels: usize,
}

impl Params for ServiceGuideParams {
    const IDS: &'static [&'static str] = &["service.guide_elements"];
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
        HomeNotUpdatedParams,
        XxgkParams,
        XxgkEntranceParams,
        ColumnItemsParams,
        ColumnClassParams,
        FooterPatternsParams,
        SiteIdCodeParams,
        ConacParams,
        SponsorContactParams,
        JiucuoParams,
        NormdocParams,
        NormdocDocnoParams,
        NormdocNotInLibraryParams,
        FeedStaleParams,
        FeedWindowParams,
        FeedNoInteractionParams,
        FeedBrokenParams,
        AnnualReportMissingParams,
        AnnualReportSectionsParams,
        AnnualReportRelationsParams,
        AnnualReportFormatParams,
        SiteAnnualTableParams,
        InteractionChannelParams,
        InteractionParams,
        ServiceNoneParams,
        ServiceGuideParams,
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
        // Every family's ids are rules of the embedded set, and every rule with parameters
        // has its typed struct: no parameter is read by name.
        for r in rules.rules() {
            let built = build(&r.id, &r.params).expect("typed params build");
            assert_eq!(built.is_some(), r.typed.is_some(), "{}", r.id);
            assert_eq!(
                r.typed.is_some(),
                !r.params.is_empty(),
                "{}: a rule with parameters needs a typed struct (and one without none)",
                r.id
            );
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
