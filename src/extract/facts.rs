//! Page facts for the content rules: dated list items (column freshness, home-page updates),
//! the article publication date, navigation links by name (the 政府信息公开 专栏 and its
//! columns), footer identifiers and wording-error candidates. Extracted while the page is in
//! memory; only these facts are kept.
//!
//! A large crawl keeps every page's facts in memory, so everything here is bounded: a few
//! list items as samples (with the dates of up to [`MAX_DATES`] items), navigation links only
//! on pages near the home page, the footer only on the home page, a handful of wording hits.
//!
//! # List items
//!
//! One walk over the document finds the *rows* of lists: the innermost `li`, `tr`, `dd`,
//! `dt`, `p` and `div` elements that carry at most three links, outside navigation bars,
//! menus, headers and footers (told apart by tag, `id` and `class`). A row is an item when it
//! has a link and a date (anywhere in its text, the link text included), or a link whose text
//! looks like a title (at least [`MIN_UNDATED_TITLE_CHARS`] characters) without a date, or a
//! date and some text without a link. Article pages (`<meta name="PubDate">` or
//! `ArticleTitle`) keep no items: their "related articles" are not a column.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use aho_corasick::AhoCorasick;
use ego_tree::iter::Edge;
use ego_tree::NodeId;
use scraper::{Html, Node};
use serde::{Deserialize, Serialize};
use url::Url;

use super::dates::{self, ItemDate};
use super::links::LinkElement;
use super::urls::LinkTarget;
use super::ExtractedPage;

/// Item samples kept per page (the first ones, in document order: lists put the newest
/// first).
pub const MAX_ITEMS: usize = 15;
/// Dates of dated items kept per page.
pub const MAX_DATES: usize = 300;
/// Navigation links kept per page.
pub const MAX_NAV: usize = 150;
/// Navigation links are kept on pages up to this depth (the home page is 0).
pub const NAV_MAX_DEPTH: u32 = 3;
/// An undated row counts as an item only when its link text is at least this long: shorter
/// ones are menu entries, not titles.
pub const MIN_UNDATED_TITLE_CHARS: usize = 6;
/// Wording hits kept per page.
pub const MAX_WORDING_HITS: usize = 10;
/// Bytes of footer text kept.
pub const MAX_FOOTER_BYTES: usize = 6 * 1024;
/// Item titles are cut to this many characters.
const MAX_TITLE_CHARS: usize = 60;
/// Row text gathered per row (bytes).
const MAX_ROW_BYTES: usize = 800;
/// Footer marks (attribute strings) kept.
const MAX_MARKS: usize = 40;
/// Characters of context on each side of a wording hit.
const SNIPPET_CHARS: usize = 15;

/// Parameters of fact extraction that come from the rules.
#[derive(Debug, Clone)]
pub struct FactRules {
    /// Phrases of a list page that lists nothing (`column.blank` `empty_markers`).
    pub empty_markers: Vec<String>,
    /// The wording matcher (`wording.serious`), if the rule is present.
    pub wording: Option<Arc<WordingMatcher>>,
    /// The `<meta name>` of the 网站标识码 (`footer.missing_id.siteidcode` `meta_name`),
    /// lower-cased; None without the rule.
    pub site_id_meta: Option<String>,
    /// The 行政规范性文件 library's extraction parameters.
    pub normdoc: super::normdoc::NormdocRules,
    /// What tells and reads an annual report page (`annual_report.*`), if the rules have it.
    pub annual_report: Option<Arc<super::annual_report::ReportRules>>,
    /// How new-media accounts are discovered on pages (`feed.stale`).
    pub feeds: super::feeds::Discovery,
    /// How message lists of the 互动交流 section are read (`interaction.unanswered`), if the
    /// rules have it.
    pub interaction: Option<Arc<crate::rules::params::InteractionParams>>,
    /// Which pages keep their 办事指南 labels (`service.guide_elements`), if the rules have it.
    pub service: Option<Arc<super::service::GuideRules>>,
    /// How hidden links are read (`link.hidden_outbound`), if the rule is present.
    pub hidden: Option<super::hidden::HiddenRules>,
}

/// The parameters of the embedded rules, built once (the wording matcher takes a while).
static EMBEDDED: std::sync::LazyLock<FactRules> =
    std::sync::LazyLock::new(|| match crate::rules::RuleSet::embedded() {
        Ok(rules) => FactRules::from_rules(&rules),
        // The embedded rules are tested to load; should they not, draw nothing.
        Err(_) => FactRules::none(),
    });

impl Default for FactRules {
    /// The parameters of the embedded rules.
    fn default() -> Self {
        EMBEDDED.clone()
    }
}

impl FactRules {
    /// The extraction parameters of the content rules.
    pub fn from_rules(rules: &crate::rules::RuleSet) -> FactRules {
        use crate::rules::params::{ColumnBlankParams, WordingParams};
        let empty_markers = rules
            .get("column.blank")
            .and_then(|r| r.typed::<ColumnBlankParams>())
            .map(|p| p.empty_markers.clone())
            .unwrap_or_default();
        let wording = rules
            .get("wording.serious")
            .and_then(|r| r.typed::<WordingParams>())
            .map(|p| {
                Arc::new(
                    WordingMatcher::new(
                        &p.corrections,
                        &p.official_names,
                        &p.confusables,
                        p.min_name_chars,
                    )
                    .with_near_misses(&NearMissParams {
                        min_drop_chars: p.min_drop_chars,
                        never_substituted: &p.never_substituted,
                        separators: &p.separators,
                        max_separated_gaps: p.max_separated_gaps,
                    }),
                )
            });
        let site_id_meta = rules
            .get("footer.missing_id.siteidcode")
            .and_then(|r| r.typed::<crate::rules::params::SiteIdCodeParams>())
            .map(|p| p.meta_name.to_lowercase())
            .filter(|s| !s.is_empty());
        FactRules {
            empty_markers,
            wording,
            site_id_meta,
            normdoc: super::normdoc::NormdocRules::from_rules(rules),
            annual_report: super::annual_report::ReportRules::from_rules(rules).map(Arc::new),
            feeds: super::feeds::Discovery::from_rules(rules),
            interaction: rules
                .get("interaction.unanswered")
                .and_then(|r| r.typed::<crate::rules::params::InteractionParams>())
                .map(|p| Arc::new(p.clone())),
            service: super::service::GuideRules::from_rules(rules).map(Arc::new),
            hidden: rules
                .get("link.hidden_outbound")
                .and_then(|r| r.typed::<crate::rules::params::LinkHiddenOutboundParams>())
                .map(|p| super::hidden::HiddenRules {
                    offscreen_px: p.offscreen_px as f32,
                }),
        }
    }

    /// Parameters that draw no rule-dependent fact.
    pub fn none() -> FactRules {
        FactRules {
            empty_markers: Vec::new(),
            wording: None,
            site_id_meta: None,
            normdoc: Default::default(),
            annual_report: None,
            feeds: Default::default(),
            interaction: None,
            service: None,
            hidden: None,
        }
    }
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListItem {
    /// The title (link text, or its `title` attribute when the text is cut short).
    pub title: String,
    /// Absolute URL of the item's link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its date, if the row shows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<ItemDate>,
}

/// A navigation link: anchor text and canonical target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavLink {
    pub text: String,
    pub url: String,
}

/// Where the footer text was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FooterRegion {
    /// A `<footer>` element or one whose id/class says foot, bottom or copyright.
    Element,
    /// No footer could be told apart: the end of the page's text.
    PageEnd,
}

impl FooterRegion {
    /// Chinese description for evidence.
    pub fn zh(self) -> &'static str {
        match self {
            FooterRegion::Element => "页面底部区域",
            FooterRegion::PageEnd => "页面末尾文字（未识别出底部区域）",
        }
    }
}

/// The home page's footer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FooterFacts {
    pub region: FooterRegion,
    /// Visible text of the footer (the last [`MAX_FOOTER_BYTES`]).
    pub text: String,
    /// Attribute strings, each with its element (`a href=…`, `img src=…`, `img alt=…`,
    /// `script src=…`, `script sitecode=…`), of the footer's links, images and scripts, and of
    /// any element of the page that refers to the conac mark or the 找错 entry.
    pub marks: Vec<String>,
    /// `<meta name="SiteIDCode">`.
    pub meta_site_id: Option<String>,
    /// The `site_code` of the 我为政府网站找错 entry (`site_code=` in its URL, or the
    /// `sitecode` attribute of its script).
    pub jiucuo_site_code: Option<String>,
}

/// How a wording hit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WordingKind {
    /// A wrong form of the rule's list.
    Listed,
    /// An official name with one character replaced by a look-alike or homophone.
    Substitution,
    /// An official name with a stray space, punctuation or character inside.
    Insertion,
    /// An official name with one character replaced by another of the same pinyin (tone
    /// ignored).
    Homophone,
    /// An official name with one character dropped.
    Deletion,
    /// An official name with two neighbouring characters swapped.
    Transposition,
}

/// A serious wording error candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordingHit {
    /// As written on the page.
    pub wrong: String,
    /// The correct form.
    pub right: String,
    pub kind: WordingKind,
    /// The text around it.
    pub snippet: String,
}

/// Facts of one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageFacts {
    /// `<meta name="PubDate">`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pub_date: Option<ItemDate>,
    /// `<meta name="ArticleTitle">`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_title: Option<String>,
    /// `<meta name="ColumnName">`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_name: Option<String>,
    /// The heading of a list page as shown on it: the first `h1`–`h3` or heading-like element
    /// (class or id `title`, `lmmc`, `column`...), or the last part of its breadcrumb
    /// (当前位置：首页 > 新闻中心 > 工作动态), outside headers and navigation bars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The first list items (at most [`MAX_ITEMS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ListItem>,
    /// The dates of the dated items (at most [`MAX_DATES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<ItemDate>,
    /// How many items had a date.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dated_items: u32,
    /// How many items had none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub undated_items: u32,
    /// The "lists nothing" phrase found in the page text (暂无信息...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_marker: Option<String>,
    /// Navigation links (pages of depth ≤ [`NAV_MAX_DEPTH`] that are not articles).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nav: Vec<NavLink>,
    /// The footer (home page only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<FooterFacts>,
    /// Serious wording error candidates in the visible text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wording: Vec<WordingHit>,
    /// Why the page was read only in part (links capped, too deep or too large to build:
    /// links scanned by the tokenizer, no list or footer facts). None: read whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parse_limit: Option<String>,
    /// 行政规范性文件 records and status marks ([`super::normdoc`]).
    #[serde(default, skip_serializing_if = "super::normdoc::NormdocPage::is_empty")]
    pub normdoc: super::normdoc::NormdocPage,
    /// The 政府信息公开工作年度报告 on the page, when it is one (see [`super::annual_report`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_report: Option<super::annual_report::AnnualReport>,
    /// New-media accounts (feeds) found on the page (see [`super::feeds::discover`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feeds: Vec<super::feeds::DiscoveredFeed>,
    /// Messages of the 互动交流 section listed on the page, or the message the page is
    /// ([`super::interaction`]).
    #[serde(
        default,
        skip_serializing_if = "super::interaction::InteractionPage::is_empty"
    )]
    pub interaction: super::interaction::InteractionPage,
    /// The label texts of a page that may be a 办事指南 (see [`super::service`]): kept raw,
    /// so a re-judging applies the rule file's current element names and aliases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guide_labels: Vec<String>,
    /// Links to other hosts hidden from visitors (see [`super::hidden`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_links: Vec<super::hidden::HiddenLink>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl PageFacts {
    /// Nothing was found.
    pub fn is_empty(&self) -> bool {
        self == &PageFacts::default()
    }

    /// An article page (it carries article metadata).
    pub fn is_article(&self) -> bool {
        self.pub_date.is_some() || self.article_title.is_some()
    }

    /// Items of any kind were found.
    pub fn item_count(&self) -> u32 {
        self.dated_items + self.undated_items
    }
}

/// Bytes of a page's visible text kept in its [`PageRaw`] (cut on a character boundary).
/// Rule-dependent facts drawn again from a stored page see this much of its text: wording
/// errors further into a longer page are found by the crawl but not by a later re-judging.
pub const MAX_RAW_TEXT_BYTES: usize = 64 * 1024;

/// What was observed on a page before any rule was applied: the input of the facts that
/// depend on rule data (wording hits, the "lists nothing" phrase, the 标识码 meta, the
/// soft-404 phrases). The store keeps it (zstd-compressed) so a stored scan can be judged
/// again under changed rules without the network; the crawl does not keep it in memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageRaw {
    /// The visible text, at most [`MAX_RAW_TEXT_BYTES`].
    pub text: String,
    /// The text was cut to [`MAX_RAW_TEXT_BYTES`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub text_cut: bool,
    /// `<meta>` name/content pairs (names lower-cased), of the home page only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meta: Vec<(String, String)>,
    /// The column heading of a list page that showed no items: it becomes the page's
    /// [`PageFacts::heading`] when an empty-list phrase makes the page a (blank) column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The rule-dependent page facts were drawn from the page (it was parsed whole enough
    /// for its facts, see [`PageFacts::parse_limit`]); false: only the soft-404 phrases apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub facts: bool,
    /// The HTTP status of the answer, before any soft-404 classification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The page was the same as the site's answer to an address that cannot exist (a
    /// soft 404 that no phrase decides).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub like_not_found: bool,
}

impl PageRaw {
    /// The raw observation of a page: its text (cut to [`MAX_RAW_TEXT_BYTES`]) and, for the
    /// home page, its meta pairs.
    pub fn of(page: &ExtractedPage, depth: u32) -> PageRaw {
        let mut end = page.text.len().min(MAX_RAW_TEXT_BYTES);
        while !page.text.is_char_boundary(end) {
            end -= 1;
        }
        PageRaw {
            text: page.text[..end].to_string(),
            text_cut: end < page.text.len(),
            meta: if depth == 0 {
                page.meta.clone()
            } else {
                Vec::new()
            },
            ..PageRaw::default()
        }
    }
}

/// Extract the facts of a page (`depth` 0 is the home page).
pub fn page_facts(
    doc: &Html,
    page: &ExtractedPage,
    url: &Url,
    depth: u32,
    rules: &FactRules,
) -> PageFacts {
    page_facts_and_raw(doc, page, url, depth, rules).0
}

/// The facts of a page and its raw observation ([`PageRaw`], with `facts` set).
pub fn page_facts_and_raw(
    doc: &Html,
    page: &ExtractedPage,
    url: &Url,
    depth: u32,
    rules: &FactRules,
) -> (PageFacts, PageRaw) {
    let meta = |names: &[&str]| meta_value(&page.meta, names);
    let mut facts = PageFacts {
        pub_date: meta(&["pubdate", "publishdate"]).and_then(|c| dates::parse_pub_date(&c)),
        article_title: meta(&["articletitle"]).map(|t| cut_chars(&t, MAX_TITLE_CHARS)),
        column_name: meta(&["columnname"]).map(|t| cut_chars(&t, 30)),
        ..PageFacts::default()
    };
    facts.feeds = super::feeds::discover(doc, url, page.title.as_deref(), &rules.feeds);
    if let Some(hidden) = &rules.hidden {
        facts.hidden_links = super::hidden::find(doc, url, hidden);
    }
    let mut raw = PageRaw::of(page, depth);
    raw.facts = true;
    let home = depth == 0;
    let walk = walk(doc, url, home || !facts.is_article(), home);
    if home || !facts.is_article() {
        facts.items = walk.items;
        facts.dates = walk.dates;
        facts.dated_items = walk.dated;
        facts.undated_items = walk.undated;
        if depth <= NAV_MAX_DEPTH {
            facts.nav = nav_links(page);
        }
        if !home {
            let heading = column_heading(doc, page.title.as_deref());
            if facts.item_count() > 0 {
                facts.heading = heading;
            } else {
                raw.heading = heading;
            }
        }
    }
    if home {
        let (region, text) = if walk.footer_text.trim().is_empty() {
            (
                FooterRegion::PageEnd,
                tail(&page.text, MAX_FOOTER_BYTES / 2),
            )
        } else {
            (
                FooterRegion::Element,
                tail(&walk.footer_text, MAX_FOOTER_BYTES),
            )
        };
        facts.footer = Some(FooterFacts {
            region,
            text,
            marks: walk.marks,
            meta_site_id: None,
            jiucuo_site_code: walk.site_code,
        });
    }
    // The library records and the annual report are read now, under the rules in force (a
    // re-judging keeps them as stored).
    facts.normdoc = super::normdoc::of_page(doc, page, url, &facts, &rules.normdoc);
    if let Some(ar) = &rules.annual_report {
        facts.annual_report = super::annual_report::read(
            doc,
            &page.text,
            page.title.as_deref(),
            meta(&["articletitle"]).as_deref(),
            ar,
        );
    }
    if let Some(ip) = &rules.interaction {
        let heading = facts.heading.clone().or_else(|| raw.heading.clone());
        facts.interaction = super::interaction::of_page(
            doc,
            url,
            &page.text,
            facts.column_name.as_deref(),
            heading.as_deref(),
            page.title.as_deref(),
            facts.article_title.as_deref(),
            ip,
        );
    }
    // The labels of a possible 办事指南 (their meaning is judged later, under the rules then).
    if let (false, Some(service)) = (home, &rules.service) {
        facts.guide_labels = super::service::of_page(doc, service);
    }
    // The rule-dependent facts, from the whole text (a re-judging sees the stored part).
    apply_fact_rules(&mut facts, &page.text, &raw, home, rules);
    (facts, raw)
}

/// The first non-blank content of a `<meta>` among `names`, trimmed.
fn meta_value(meta: &[(String, String)], names: &[&str]) -> Option<String> {
    meta.iter()
        .find(|(n, c)| names.contains(&n.as_str()) && !c.trim().is_empty())
        .map(|(_, c)| c.trim().to_string())
}

/// Draw the facts that depend on rule data — the "lists nothing" phrase (and with it the
/// heading of a blank column), the 标识码 `<meta>`, the wording hits — from a page's `text`
/// and raw observation, replacing what an earlier drawing (under other rules) found. The
/// crawl calls it with the page's whole text; a re-judging of a stored scan with the stored
/// text, under the rules being applied.
pub fn apply_fact_rules(
    facts: &mut PageFacts,
    text: &str,
    raw: &PageRaw,
    home: bool,
    rules: &FactRules,
) {
    let listing = home || !facts.is_article();
    let empty = listing && facts.item_count() == 0;
    facts.empty_marker = if empty {
        rules
            .empty_markers
            .iter()
            .find(|m| !m.is_empty() && text.contains(m.as_str()))
            .cloned()
    } else {
        None
    };
    if empty && !home {
        // A list page without items is a column only when it says it lists nothing.
        facts.heading = facts.empty_marker.as_ref().and(raw.heading.clone());
    }
    if let Some(footer) = facts.footer.as_mut() {
        footer.meta_site_id = rules
            .site_id_meta
            .as_deref()
            .and_then(|name| meta_value(&raw.meta, &[name]));
    }
    facts.wording = match &rules.wording {
        Some(w) => w.find(text, MAX_WORDING_HITS),
        None => Vec::new(),
    };
}

/// id/class fragments of a column heading.
const HEADING_TOKENS: &[&str] = &[
    "title", "lmmc", "lanmu", "column", "lmname", "lm_name", "colname", "cur",
];
/// id/class fragments of a breadcrumb.
const CRUMB_TOKENS: &[&str] = &["position", "location", "crumb", "dqwz", "weizhi"];
/// id/class fragments of regions whose headings are not the column's (the site's banner).
const NOT_HEADING_TOKENS: &[&str] = &["header", "top", "logo", "banner", "nav", "menu", "foot"];

/// The column heading of a list page (see [`PageFacts::heading`]).
fn column_heading(doc: &Html, title: Option<&str>) -> Option<String> {
    let segments: Vec<&str> = title
        .unwrap_or_default()
        .split(['_', '|', '｜', '—', '-', '–'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    // The site's own name: the title's last part, or the whole title when it has one part.
    let site_name = segments.last().copied().unwrap_or_default();
    for node in doc.root_element().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let name = el.name();
        let crumb = class_tokens_match(el, CRUMB_TOKENS);
        let heading = matches!(name, "h1" | "h2" | "h3") || class_tokens_match(el, HEADING_TOKENS);
        if !crumb && !heading {
            continue;
        }
        let excluded = node.ancestors().any(|a| {
            a.value().as_element().is_some_and(|e| {
                matches!(e.name(), "header" | "nav" | "footer" | "li" | "a")
                    || class_tokens_match(e, NOT_HEADING_TOKENS)
            })
        });
        if excluded || class_tokens_match(el, NOT_HEADING_TOKENS) {
            continue;
        }
        let Some(er) = scraper::ElementRef::wrap(node) else {
            continue;
        };
        let text: String = er.text().collect::<Vec<_>>().join(" ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = if crumb || text.starts_with("当前位置") || text.starts_with("您的位置")
        {
            match text
                .rsplit(['>', '»', '＞', '›', '/'])
                .map(str::trim)
                .find(|s| !s.is_empty())
            {
                Some(last) => last.trim_start_matches(['：', ':']).to_string(),
                None => continue,
            }
        } else {
            text
        };
        let clean: String = text
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '“' | '”' | '、'))
            .collect();
        let n = clean.chars().count();
        if (2..=12).contains(&n) && clean != site_name && !clean.contains("更多") {
            return Some(clean);
        }
    }
    None
}

fn nav_links(page: &ExtractedPage) -> Vec<NavLink> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for l in &page.links {
        if out.len() >= MAX_NAV {
            break;
        }
        if !matches!(l.element, LinkElement::A | LinkElement::Area) {
            continue;
        }
        let LinkTarget::Http(u) = &l.target else {
            continue;
        };
        let text = l.text.trim();
        let n = text.chars().count();
        if !(2..=20).contains(&n) {
            continue;
        }
        if seen.insert((u.as_str(), text)) {
            out.push(NavLink {
                text: text.to_string(),
                url: u.to_string(),
            });
        }
    }
    out
}

/// The last `max` bytes of `s` (on a character boundary).
fn tail(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    s[start..].to_string()
}

fn cut_chars(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

// ─── The document walk ──────────────────────────────────────────────────────────────────

const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "noframes", "head", "select", "textarea",
];
const ROW_TAGS: &[&str] = &["li", "tr", "dd", "dt", "p", "div"];
/// id/class fragments of regions whose rows are not list items.
const SKIP_TOKENS: &[&str] = &[
    "nav",
    "menu",
    "foot",
    "header",
    "crumb",
    "bottom",
    "copyright",
];
/// id/class fragments of footer regions.
const FOOTER_TOKENS: &[&str] = &["foot", "bottom", "copyright", "banquan"];
/// Attribute values that mark the conac mark or the 找错 entry wherever they are.
const MARK_TOKENS: &[&str] = &[
    "conac",
    "jiucuo",
    "zfwzgl",
    "党政机关",
    "找错",
    "dzjg",
    "red.png",
    "sitename",
];

#[derive(Default)]
struct Walk {
    items: Vec<ListItem>,
    dates: Vec<ItemDate>,
    dated: u32,
    undated: u32,
    footer_text: String,
    marks: Vec<String>,
    site_code: Option<String>,
}

struct RowLink {
    href: String,
    text: String,
    title: String,
}

struct Row {
    id: NodeId,
    text: String,
    pieces: Vec<String>,
    /// Links inside the row (at most four are kept: more means it is not an item).
    links: Vec<RowLink>,
    /// A row opened inside this one.
    inner: bool,
    /// Inside a navigation bar, menu, header or footer.
    skipped: bool,
    /// The walk's counters when the row opened, to roll back what its children added.
    at_items: usize,
    at_dates: usize,
    at_dated: u32,
    at_undated: u32,
}

struct Anchor {
    id: NodeId,
    href: String,
    title: String,
    text: String,
}

fn class_tokens_match(el: &scraper::node::Element, tokens: &[&str]) -> bool {
    let id = el.attr("id").unwrap_or_default();
    let class = el.attr("class").unwrap_or_default();
    if id.is_empty() && class.is_empty() {
        return false;
    }
    let both = format!("{id} {class}").to_ascii_lowercase();
    tokens.iter().any(|t| both.contains(t))
}

fn push_text(buf: &mut String, s: &str, max: usize) {
    for c in s.chars() {
        if buf.len() >= max {
            return;
        }
        if c.is_whitespace() {
            if !buf.is_empty() && !buf.ends_with(' ') {
                buf.push(' ');
            }
        } else {
            buf.push(c);
        }
    }
}

fn push_break(buf: &mut String) {
    if !buf.is_empty() && !buf.ends_with(' ') {
        buf.push(' ');
    }
}

fn site_code_of(name: &str, value: &str) -> Option<String> {
    let code = if name.eq_ignore_ascii_case("sitecode") || name.eq_ignore_ascii_case("site_code") {
        value.trim()
    } else {
        let lower = value.to_ascii_lowercase();
        let at = lower
            .find("site_code=")
            .map(|i| i + "site_code=".len())
            .or_else(|| lower.find("sitecode=").map(|i| i + "sitecode=".len()))?;
        let rest = &value[at..];
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        &rest[..end]
    };
    (!code.is_empty() && code.len() <= 32).then(|| code.to_string())
}

fn walk(doc: &Html, url: &Url, want_items: bool, want_footer: bool) -> Walk {
    let root = doc.tree.root();
    let base = root
        .descendants()
        .find_map(|n| {
            n.value()
                .as_element()
                .filter(|e| e.name() == "base")
                .and_then(|e| e.attr("href"))
        })
        .and_then(|h| url.join(h.trim()).ok())
        .unwrap_or_else(|| url.clone());
    let mut w = Walk::default();
    let mut hidden: Option<NodeId> = None;
    let mut skip: Vec<NodeId> = Vec::new();
    let mut footer: Option<NodeId> = None;
    let mut footer_parts: Vec<String> = Vec::new();
    let mut footer_buf = String::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut anchor: Option<Anchor> = None;

    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if hidden.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => {
                        if footer.is_some() {
                            push_text(&mut footer_buf, t, MAX_FOOTER_BYTES);
                        }
                        // Only pieces that could be a bare month-day date are kept.
                        let piece = t.trim();
                        let md_piece = (3..=5).contains(&piece.len())
                            && piece
                                .bytes()
                                .all(|b| b.is_ascii_digit() || b"-/.".contains(&b));
                        // A row with more than three links is no item: stop feeding it.
                        for row in rows.iter_mut().filter(|r| r.links.len() <= 3) {
                            if row.text.len() < MAX_ROW_BYTES {
                                push_text(&mut row.text, t, MAX_ROW_BYTES);
                            }
                            if md_piece && row.pieces.len() < 16 {
                                row.pieces.push(piece.to_string());
                            }
                        }
                        if let Some(a) = anchor.as_mut() {
                            push_text(&mut a.text, t, 400);
                        }
                    }
                    Node::Element(el) => {
                        let name = el.name();
                        if want_footer {
                            let in_footer = footer.is_some();
                            for (attr, value) in el.attrs() {
                                if w.site_code.is_none() {
                                    if let Some(code) = site_code_of(attr, value) {
                                        w.site_code = Some(code);
                                    }
                                }
                                let wanted = matches!(attr, "href" | "src" | "alt" | "title")
                                    || attr.eq_ignore_ascii_case("sitecode");
                                let marked = MARK_TOKENS.iter().any(|t| value.contains(t));
                                if w.marks.len() < MAX_MARKS && wanted && (in_footer || marked) {
                                    w.marks
                                        .push(format!("{name} {attr}={}", cut_chars(value, 200)));
                                }
                            }
                        }
                        if HIDDEN.contains(&name) {
                            hidden = Some(node.id());
                            continue;
                        }
                        if want_footer
                            && footer.is_none()
                            && (name == "footer" || class_tokens_match(el, FOOTER_TOKENS))
                        {
                            footer = Some(node.id());
                        }
                        if footer.is_some() {
                            push_break(&mut footer_buf);
                        }
                        if !want_items {
                            continue;
                        }
                        if matches!(name, "nav" | "header" | "footer")
                            || class_tokens_match(el, SKIP_TOKENS)
                        {
                            skip.push(node.id());
                        }
                        for row in &mut rows {
                            push_break(&mut row.text);
                        }
                        if ROW_TAGS.contains(&name) {
                            for parent in &mut rows {
                                parent.inner = true;
                            }
                            rows.push(Row {
                                id: node.id(),
                                text: String::new(),
                                pieces: Vec::new(),
                                links: Vec::new(),
                                inner: false,
                                skipped: !skip.is_empty(),
                                at_items: w.items.len(),
                                at_dates: w.dates.len(),
                                at_dated: w.dated,
                                at_undated: w.undated,
                            });
                        } else if name == "a" && anchor.is_none() {
                            if let Some(href) = el.attr("href") {
                                anchor = Some(Anchor {
                                    id: node.id(),
                                    href: href.trim().to_string(),
                                    title: el.attr("title").unwrap_or_default().trim().to_string(),
                                    text: String::new(),
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                let id = node.id();
                if hidden == Some(id) {
                    hidden = None;
                    continue;
                }
                if hidden.is_some() || !node.value().is_element() {
                    continue;
                }
                if footer == Some(id) {
                    footer = None;
                    footer_parts.push(std::mem::take(&mut footer_buf));
                } else if footer.is_some() {
                    push_break(&mut footer_buf);
                }
                if !want_items {
                    continue;
                }
                if anchor.as_ref().is_some_and(|a| a.id == id) {
                    if let Some(a) = anchor.take() {
                        let text = a.text.trim().to_string();
                        for row in rows.iter_mut().filter(|r| r.links.len() < 4) {
                            row.links.push(RowLink {
                                href: a.href.clone(),
                                text: text.clone(),
                                title: a.title.clone(),
                            });
                        }
                    }
                }
                if rows.last().is_some_and(|r| r.id == id) {
                    if let Some(row) = rows.pop() {
                        close_row(&mut w, &row, &base);
                    }
                }
                for row in &mut rows {
                    push_break(&mut row.text);
                }
                if skip.last() == Some(&id) {
                    skip.pop();
                }
            }
        }
    }
    if !footer_buf.is_empty() {
        footer_parts.push(footer_buf);
    }
    w.footer_text = footer_parts
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    w
}

fn clean_title(s: &str) -> String {
    let t = s
        .trim()
        .trim_start_matches([
            '·', '•', '●', '■', '□', '◆', '◇', '>', '»', '-', '*', '▪', '▶',
        ])
        .trim();
    cut_chars(t, MAX_TITLE_CHARS)
}

fn is_cut_short(s: &str) -> bool {
    s.ends_with("...") || s.ends_with('…') || s.ends_with("..")
}

/// A row closes: a row without rows inside is an item if it looks like one; a row with rows
/// inside (`li > div.title + div.date`) replaces what its children gave when they found no
/// dated item and the row as a whole is a dated item.
fn close_row(w: &mut Walk, row: &Row, base: &Url) {
    if row.skipped {
        return;
    }
    if !row.inner {
        if let Some(item) = make_item(row, base) {
            push_item(w, item);
        }
        return;
    }
    if w.dated != row.at_dated {
        return;
    }
    if let Some(item) = make_item(row, base).filter(|i| i.date.is_some()) {
        w.items.truncate(row.at_items);
        w.dates.truncate(row.at_dates);
        w.undated = row.at_undated;
        push_item(w, item);
    }
}

fn push_item(w: &mut Walk, item: ListItem) {
    if let Some(d) = item.date {
        w.dated += 1;
        if w.dates.len() < MAX_DATES {
            w.dates.push(d);
        }
    } else {
        w.undated += 1;
    }
    if w.items.len() < MAX_ITEMS {
        w.items.push(item);
    }
}

fn link_title(l: &RowLink) -> &str {
    if l.text.is_empty() || (is_cut_short(&l.text) && l.title.len() > l.text.len()) {
        &l.title
    } else {
        &l.text
    }
}

fn make_item(row: &Row, base: &Url) -> Option<ListItem> {
    let links: Vec<&RowLink> = row
        .links
        .iter()
        .filter(|l| !l.href.is_empty() && !l.href.starts_with('#'))
        .collect();
    if links.len() > 3 {
        return None;
    }
    let best = links.iter().max_by_key(|l| link_title(l).chars().count());
    let date = dates::find_item_date(&row.text, row.pieces.iter().map(String::as_str));
    match best {
        Some(l) => {
            let title = clean_title(link_title(l));
            let lower = l.href.to_ascii_lowercase();
            let url = if lower.starts_with("javascript:") || lower.starts_with("mailto:") {
                None
            } else {
                base.join(&l.href)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .map(|u| super::canonicalize(&u, &[]).to_string())
            };
            let n = title.chars().count();
            match date {
                Some(d) if n >= 2 => Some(ListItem {
                    date: Some(url.as_deref().map_or(d, |u| dates::year_from_url(d, u))),
                    title,
                    url,
                }),
                None if n >= MIN_UNDATED_TITLE_CHARS && url.is_some() => Some(ListItem {
                    title,
                    url,
                    date: None,
                }),
                _ => None,
            }
        }
        None => {
            let d = date?;
            let title = clean_title(&row.text);
            (title.chars().count() >= MIN_UNDATED_TITLE_CHARS + 8).then_some(ListItem {
                title,
                url: None,
                date: Some(d),
            })
        }
    }
}

// ─── Wording ────────────────────────────────────────────────────────────────────────────

/// Finds serious wording errors: the listed wrong forms verbatim, and near misses of official
/// names — one character replaced by a look-alike or homophone, or one stray character
/// (a space included) inside the name. One regex of every variant finds candidates; a
/// candidate is dropped when a correct form (an official name or a listed correct form)
/// occurs in the text over the position of the error, so 中国共产党党员 (a name followed by
/// 党) or 中华人民共和国国务院 are never reported.
#[derive(Debug)]
pub struct WordingMatcher {
    finder: Option<SharedRegex>,
    listed: HashMap<String, String>,
    /// Substitution variant → (official name, char index of the replaced character).
    substituted: HashMap<String, (String, usize)>,
    /// Official names searched for insertions.
    names: HashSet<String>,
    correct: Option<AhoCorasick>,
    /// Every correct form (official names and listed correct forms).
    correct_set: HashSet<String>,
    /// Dropped-character and swapped-character near misses.
    near: NearMisses,
}

/// Parameters of the near-miss search beyond one look-alike character.
#[derive(Debug, Clone, Default)]
pub struct NearMissParams<'a> {
    /// Names shorter than this are not searched for a dropped character.
    pub min_drop_chars: usize,
    /// Characters never taken as a homophone typo (function words: 不, 的...).
    pub never_substituted: &'a [String],
    /// Characters, besides white space, that count as punctuation inside a name.
    pub separators: &'a str,
    /// A name written with separators in more gaps than this is letter-spaced on purpose.
    pub max_separated_gaps: usize,
}

/// The near-miss machinery: a literal finder of dropped/swapped variants, and the pinyin
/// skeleton of every official name.
#[derive(Debug, Default)]
struct NearMisses {
    /// Literal variants (dropped or swapped characters).
    finder: Option<AhoCorasick>,
    /// Variant → (official name, kind).
    variants: HashMap<String, (String, WordingKind)>,
    /// Toneless pinyin → the key character that stands for it in skeletons.
    keys: HashMap<&'static str, char>,
    /// Finder of name skeletons in a text skeleton.
    skeleton_finder: Option<AhoCorasick>,
    /// Skeleton → the official names that have it.
    by_skeleton: HashMap<String, Vec<Vec<char>>>,
    never: HashSet<char>,
    separators: HashSet<char>,
    max_gaps: usize,
}

/// The first key character (a private-use code point) of pinyin skeletons.
const SKELETON_BASE: u32 = 0xE000;

impl WordingMatcher {
    /// Build the matcher from the rule's parameters.
    pub fn new(
        corrections: &[(String, String)],
        official_names: &[String],
        confusables: &[(String, String)],
        min_name_chars: usize,
    ) -> WordingMatcher {
        let mut correct: Vec<String> = official_names
            .iter()
            .chain(corrections.iter().map(|(_, r)| r))
            .filter(|s| !s.is_empty())
            .cloned()
            .collect();
        correct.sort();
        correct.dedup();
        let is_correct = |v: &str| correct.iter().any(|c| c.contains(v));

        let mut swaps: HashMap<char, Vec<char>> = HashMap::new();
        for (a, b) in confusables {
            let (Some(a), Some(b)) = (single_char(a), single_char(b)) else {
                continue;
            };
            swaps.entry(a).or_default().push(b);
            swaps.entry(b).or_default().push(a);
        }

        let listed: HashMap<String, String> = corrections
            .iter()
            .filter(|(w, _)| !w.is_empty() && !is_correct(w))
            .cloned()
            .collect();
        let mut substituted = HashMap::new();
        let mut names = HashSet::new();
        let mut alternatives: Vec<String> = listed.keys().map(|w| regex::escape(w)).collect();
        for name in official_names {
            let chars: Vec<char> = name.chars().collect();
            if chars.len() < min_name_chars.max(2) {
                continue;
            }
            for (i, c) in chars.iter().enumerate() {
                for &s in swaps.get(c).map(Vec::as_slice).unwrap_or_default() {
                    let mut v = chars.clone();
                    v[i] = s;
                    let v: String = v.into_iter().collect();
                    if is_correct(&v) || listed.contains_key(&v) {
                        continue;
                    }
                    alternatives.push(regex::escape(&v));
                    substituted.insert(v, (name.clone(), i));
                }
            }
            names.insert(name.clone());
            for i in 1..chars.len() {
                let head: String = chars[..i].iter().collect();
                let rest: String = chars[i..].iter().collect();
                alternatives.push(format!("{}.{}", regex::escape(&head), regex::escape(&rest)));
            }
        }
        // Longer alternatives first, so a longer name wins over a shorter one it contains.
        alternatives.sort_by_key(|a| std::cmp::Reverse(a.chars().count()));
        alternatives.dedup();
        let finder = (!alternatives.is_empty())
            .then(|| SharedRegex::new(&alternatives.join("|")))
            .flatten();
        let correct_re = literal_finder(correct.clone());
        WordingMatcher {
            finder,
            listed,
            substituted,
            names,
            correct: correct_re,
            correct_set: correct.into_iter().collect(),
            near: NearMisses::default(),
        }
    }

    /// Also find homophone substitutions (same pinyin, tone ignored, from the `pinyin`
    /// crate), spaces or punctuation inside a name, a dropped character and two swapped
    /// neighbouring characters, for the official names of at least `min_name_chars`.
    pub fn with_near_misses(mut self, p: &NearMissParams<'_>) -> WordingMatcher {
        use pinyin::ToPinyin;
        let mut near = NearMisses {
            never: p
                .never_substituted
                .iter()
                .filter_map(|c| single_char(c))
                .collect(),
            separators: p.separators.chars().collect(),
            max_gaps: p.max_separated_gaps,
            ..NearMisses::default()
        };
        let names: Vec<&String> = {
            let mut v: Vec<&String> = self.names.iter().collect();
            v.sort();
            v
        };
        // Pinyin keys of the names' characters.
        for name in &names {
            for c in name.chars() {
                if let Some(py) = c.to_pinyin() {
                    let next = u32::try_from(near.keys.len()).unwrap_or(0);
                    if let Some(k) = char::from_u32(SKELETON_BASE + next) {
                        near.keys.entry(py.plain()).or_insert(k);
                    }
                }
            }
        }
        let mut skeletons: Vec<String> = Vec::new();
        let mut variants: Vec<String> = Vec::new();
        let is_name_plus_one = |v: &[char]| {
            v.len() >= 2
                && (self.names.contains(&v[1..].iter().collect::<String>())
                    || self
                        .names
                        .contains(&v[..v.len() - 1].iter().collect::<String>()))
        };
        for name in &names {
            let chars: Vec<char> = name.chars().collect();
            let sk = near.skeleton_of_chars(&chars);
            if !near.by_skeleton.contains_key(&sk) {
                skeletons.push(sk.clone());
            }
            near.by_skeleton.entry(sk).or_default().push(chars.clone());
            // A dropped character (not the first or the last).
            if chars.len() >= p.min_drop_chars.max(3) {
                for i in 1..chars.len() - 1 {
                    let mut v = chars.clone();
                    v.remove(i);
                    if is_name_plus_one(&v) {
                        continue;
                    }
                    let v: String = v.into_iter().collect();
                    if self.is_correct_form(&v) || self.listed.contains_key(&v) {
                        continue;
                    }
                    near.variants
                        .entry(v.clone())
                        .or_insert_with(|| ((*name).clone(), WordingKind::Deletion));
                    variants.push(v);
                }
            }
            // Two neighbouring characters swapped.
            for i in 0..chars.len().saturating_sub(1) {
                if chars[i] == chars[i + 1] {
                    continue;
                }
                let mut v = chars.clone();
                v.swap(i, i + 1);
                let v: String = v.into_iter().collect();
                if self.is_correct_form(&v) || self.listed.contains_key(&v) {
                    continue;
                }
                near.variants
                    .entry(v.clone())
                    .or_insert_with(|| ((*name).clone(), WordingKind::Transposition));
                variants.push(v);
            }
        }
        near.finder = literal_finder(variants);
        near.skeleton_finder = literal_finder(skeletons);
        self.near = near;
        self
    }

    fn is_correct_form(&self, v: &str) -> bool {
        self.correct_set.iter().any(|c| c.contains(v))
    }

    /// Wrong forms in `text` (visible text), each wrong form once, at most `max`.
    pub fn find(&self, text: &str, max: usize) -> Vec<WordingHit> {
        let Some(finder) = &self.finder else {
            return Vec::new();
        };
        let mut out: Vec<WordingHit> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for m in finder.find_iter(text) {
            if out.len() >= max {
                break;
            }
            let wrong = &text[m.start()..m.end()];
            let Some((right, kind, err)) = self.classify(wrong) else {
                continue;
            };
            // Byte range of the erroneous character(s) in the text.
            let (es, ee) = match err {
                Some(ci) => {
                    let (off, c) = wrong.char_indices().nth(ci).unwrap_or((0, ' '));
                    (m.start() + off, m.start() + off + c.len_utf8())
                }
                None => (m.start(), m.end()),
            };
            if self.covered_by_correct(text, es, ee) {
                continue;
            }
            if out.iter().any(|h| h.wrong == wrong) {
                continue;
            }
            spans.push((m.start(), m.end()));
            out.push(WordingHit {
                wrong: wrong.to_string(),
                right,
                kind,
                snippet: snippet(text, m.start(), m.end()),
            });
        }
        self.find_near(text, max, &mut out, &mut spans);
        out
    }

    /// Dropped/swapped characters, homophones and separators inside names; a candidate that
    /// overlaps an earlier hit (a shorter name inside a listed wrong form) is the same error.
    fn find_near(
        &self,
        text: &str,
        max: usize,
        out: &mut Vec<WordingHit>,
        spans: &mut Vec<(usize, usize)>,
    ) {
        let mut push = |out: &mut Vec<WordingHit>, s: usize, e: usize, right: &str, kind| {
            let wrong = &text[s..e];
            if out.len() >= max
                || out.iter().any(|h| h.wrong == wrong)
                || spans.iter().any(|(a, b)| s < *b && *a < e)
            {
                return;
            }
            spans.push((s, e));
            out.push(WordingHit {
                wrong: wrong.to_string(),
                right: right.to_string(),
                kind,
                snippet: snippet(text, s, e),
            });
        };
        if let Some(finder) = &self.near.finder {
            for m in finder.find_iter(text) {
                let Some((right, kind)) = self.near.variants.get(&text[m.start()..m.end()]) else {
                    continue;
                };
                if self.covered_by_correct(text, m.start(), m.end()) {
                    continue;
                }
                push(out, m.start(), m.end(), right, *kind);
            }
        }
        let Some(finder) = &self.near.skeleton_finder else {
            return;
        };
        // The text's skeleton: one key per character, separators left out; `at[i]` is the
        // byte range in `text` of the skeleton's i-th character.
        let mut skeleton = String::with_capacity(text.len());
        let mut starts: Vec<usize> = Vec::new();
        let mut at: Vec<(usize, usize)> = Vec::new();
        for (i, c) in text.char_indices() {
            if c.is_whitespace() || self.near.separators.contains(&c) {
                continue;
            }
            starts.push(skeleton.len());
            skeleton.push(self.near.key(c));
            at.push((i, i + c.len_utf8()));
        }
        for m in finder.find_iter(&skeleton) {
            let index = |byte: usize| {
                if byte == skeleton.len() {
                    Some(starts.len())
                } else {
                    starts.binary_search(&byte).ok()
                }
            };
            let (Some(a), Some(b)) = (index(m.start()), index(m.end())) else {
                continue;
            };
            if b == 0 || a >= b {
                continue;
            }
            let (s, e) = (at[a].0, at[b - 1].1);
            let written: Vec<char> = at[a..b]
                .iter()
                .filter_map(|(x, _)| text[*x..].chars().next())
                .collect();
            let Some(names) = self.near.by_skeleton.get(&skeleton[m.start()..m.end()]) else {
                continue;
            };
            // Separators inside the name.
            let gaps = at[a..b].windows(2).filter(|w| w[0].1 != w[1].0).count();
            if let Some(name) = names.iter().find(|n| **n == written) {
                if gaps >= 1 && gaps <= self.near.max_gaps && gaps < written.len() - 1 {
                    let right: String = name.iter().collect();
                    push(out, s, e, &right, WordingKind::Insertion);
                }
                continue;
            }
            if gaps > 0 {
                continue;
            }
            // One character replaced by a homophone.
            let Some((name, i)) = names.iter().find_map(|n| {
                let diff: Vec<usize> = (0..n.len()).filter(|&j| n[j] != written[j]).collect();
                (diff.len() == 1).then(|| (n, diff[0]))
            }) else {
                continue;
            };
            if self.near.never.contains(&written[i]) {
                continue;
            }
            let (es, ee) = at[a + i];
            if self.covered_by_correct_within(text, es, ee, Some((s, e)))
                || self.is_correct_form(&text[s..e])
            {
                continue;
            }
            let right: String = name.iter().collect();
            push(out, s, e, &right, WordingKind::Homophone);
        }
    }

    /// What a candidate is: (correct form, kind, char index of the error if one character).
    fn classify(&self, wrong: &str) -> Option<(String, WordingKind, Option<usize>)> {
        if let Some(right) = self.listed.get(wrong) {
            return Some((right.clone(), WordingKind::Listed, None));
        }
        if let Some((name, i)) = self.substituted.get(wrong) {
            return Some((name.clone(), WordingKind::Substitution, Some(*i)));
        }
        let chars: Vec<char> = wrong.chars().collect();
        for i in 1..chars.len().saturating_sub(1) {
            // A function word inside is ordinary text (人民的政府), not a stray character.
            if self.near.never.contains(&chars[i]) {
                continue;
            }
            let without: String = chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| *c)
                .collect();
            if self.names.contains(&without) {
                return Some((without, WordingKind::Insertion, Some(i)));
            }
        }
        None
    }

    /// Whether a correct form occurs in `text` over the bytes `es..ee`.
    fn covered_by_correct(&self, text: &str, es: usize, ee: usize) -> bool {
        self.covered_by_correct_within(text, es, ee, None)
    }

    /// Like [`Self::covered_by_correct`], but a correct form lying strictly inside the
    /// candidate `span` does not count (纪律检察委员会 is wrong although 检察委员会 is a name).
    fn covered_by_correct_within(
        &self,
        text: &str,
        es: usize,
        ee: usize,
        span: Option<(usize, usize)>,
    ) -> bool {
        let Some(re) = &self.correct else {
            return false;
        };
        let mut from = es.saturating_sub(120);
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (ee + 120).min(text.len());
        while !text.is_char_boundary(to) {
            to += 1;
        }
        // Overlapping occurrences matter, so search from every start position in the window
        // that could cover the error.
        let window = &text[from..to];
        let mut at = 0;
        while at < window.len() {
            let Some(m) = re.find(aho_corasick::Input::new(window).span(at..window.len())) else {
                break;
            };
            let (s, e) = (from + m.start(), from + m.end());
            if s > es {
                break;
            }
            let inside = span.is_some_and(|(ss, se)| ss <= s && e <= se && (ss, se) != (s, e));
            if s <= es && ee <= e && !inside {
                return true;
            }
            // Next character after this match's start.
            at = m.start() + window[m.start()..].chars().next().map_or(1, char::len_utf8);
        }
        false
    }
}

impl NearMisses {
    /// The skeleton key of a character: its pinyin's key, or the character itself.
    fn key(&self, c: char) -> char {
        use pinyin::ToPinyin;
        c.to_pinyin()
            .and_then(|p| self.keys.get(p.plain()).copied())
            .unwrap_or(c)
    }

    fn skeleton_of_chars(&self, chars: &[char]) -> String {
        chars.iter().map(|c| self.key(*c)).collect()
    }
}

/// One regex of literal alternatives, the longest first.
/// A finder of literal strings, the longer of two that start at the same place winning (as
/// in a regex alternation ordered longest first). An Aho-Corasick automaton is built once and
/// searched without a per-thread cache, so the many threads that parse pages share it.
fn literal_finder(mut alternatives: Vec<String>) -> Option<AhoCorasick> {
    alternatives.sort_by_key(|a| std::cmp::Reverse(a.chars().count()));
    alternatives.dedup();
    if alternatives.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(&alternatives)
        .ok()
}

/// A regex searched with caches from a small pool of its own. `regex::Regex` keeps one lazy-DFA
/// cache per thread that ever used it at once (up to its DFA size limit each, and never given
/// back): with the wording list's two thousand alternatives and the runtime's many parsing
/// threads that came to tens of MiB. Here a cache is taken for a search and put back, and at
/// most [`SharedRegex::KEEP`] idle caches are kept.
#[derive(Debug)]
pub(crate) struct SharedRegex {
    re: regex_automata::meta::Regex,
    caches: std::sync::Mutex<Vec<regex_automata::meta::Cache>>,
}

impl SharedRegex {
    /// Idle caches kept (as many as pages are parsed at once by default).
    const KEEP: usize = 2;

    fn new(pattern: &str) -> Option<SharedRegex> {
        let re = regex_automata::meta::Builder::new()
            .configure(
                regex_automata::meta::Config::new()
                    .nfa_size_limit(Some(64 << 20))
                    .hybrid_cache_capacity(8 << 20),
            )
            .build(pattern)
            .ok()?;
        Some(SharedRegex {
            re,
            caches: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Every leftmost-first match in `text`, without overlaps.
    fn find_iter(&self, text: &str) -> Vec<regex_automata::Match> {
        let mut cache = self
            .caches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .unwrap_or_else(|| self.re.create_cache());
        let found: Vec<regex_automata::Match> =
            regex_automata::util::iter::Searcher::new(regex_automata::Input::new(text))
                .into_matches_iter(|input| Ok(self.re.search_with(&mut cache, input)))
                .infallible()
                .collect();
        let mut caches = self.caches.lock().unwrap_or_else(|p| p.into_inner());
        if caches.len() < Self::KEEP {
            caches.push(cache);
        }
        found
    }
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

fn snippet(text: &str, start: usize, end: usize) -> String {
    let before: String = {
        let mut v: Vec<char> = text[..start].chars().rev().take(SNIPPET_CHARS).collect();
        v.reverse();
        v.into_iter().collect()
    };
    let after: String = text[end..].chars().take(SNIPPET_CHARS).collect();
    format!("{before}【{}】{after}", &text[start..end])
}

#[cfg(test)]
mod tests;
