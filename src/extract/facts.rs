//! Page facts for the content rules: dated list items (column freshness, home-page updates),
//! the article publication date, navigation links by name (the 政府信息公开 专栏 and its
//! columns), footer identifiers and wording-error candidates. Extracted while the page is in
//! memory; only these facts are kept.

use scraper::Html;
use serde::{Deserialize, Serialize};
use url::Url;

use super::ExtractedPage;

/// Parameters of fact extraction that come from the rules.
#[derive(Debug, Clone, Default)]
pub struct FactRules {}

impl FactRules {
    /// The extraction parameters of the content rules.
    pub fn from_rules(_rules: &crate::rules::RuleSet) -> FactRules {
        FactRules {}
    }
}

/// Facts of one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageFacts {}

impl PageFacts {
    /// Nothing was found.
    pub fn is_empty(&self) -> bool {
        self == &PageFacts::default()
    }
}

/// Extract the facts of a page (`depth` 0 is the home page).
pub fn page_facts(
    _doc: &Html,
    _page: &ExtractedPage,
    _url: &Url,
    _depth: u32,
    _rules: &FactRules,
) -> PageFacts {
    PageFacts::default()
}
