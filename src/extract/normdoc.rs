//! Facts of the 行政规范性文件 library: the records a page lists (文号, title, 成文日期,
//! 发布日期, 有效性, URL, 统一编号/登记号, 有效期), the status a document's own page shows, and
//! which of a page's links stand next to a status marker.
//!
//! Records come from tables with a header row (序号/文号/标题/成文日期/发布日期/有效性/统一编号,
//! named by the rule file's header lists) and from list rows (`li`, `tr`, `dd`, `p`) with a
//! link: on a page that names itself after the library every titled row is a record, elsewhere
//! only rows that show a 文号 (so policy-document columns are seen too). A status comes from the
//! 有效性 cell, else from a marker in the title (【已失效】…) or the row.
//!
//! A document is identified across scans by [`identity`]: its 文号 normalised, else its URL,
//! else its title.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use scraper::{ElementRef, Html, Node};
use serde::{Deserialize, Serialize};
use url::Url;

use super::dates;
use super::urls::{resolve_href, LinkTarget};

/// Records kept per page.
pub const MAX_RECORDS: usize = 300;
/// Marked links kept per page.
pub const MAX_MARKED_LINKS: usize = 200;
/// Characters of a title kept.
const MAX_TITLE_CHARS: usize = 120;
/// Characters of an article's text searched for its own 文号 and status.
const HEAD_CHARS: usize = 1500;
/// Nodes in a header cell, at most.
const MAX_HEADER_NODES: usize = 12;
/// A table's header row is one of its first rows.
const MAX_HEADER_ROW: usize = 3;
/// A row without a 文号 is a record only when its link text is at least this long.
const MIN_TITLE_CHARS: usize = 6;

/// The 有效性 of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    Valid,
    Revised,
    Abolished,
    Expired,
}

impl DocStatus {
    /// As shown to users.
    pub fn zh(self) -> &'static str {
        match self {
            DocStatus::Valid => "有效",
            DocStatus::Revised => "已修订",
            DocStatus::Abolished => "已废止",
            DocStatus::Expired => "已失效",
        }
    }

    /// Repealed or expired: no longer in force.
    pub fn is_dead(self) -> bool {
        matches!(self, DocStatus::Abolished | DocStatus::Expired)
    }
}

/// One document as a library lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormdocRecord {
    /// 文号 as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docno: Option<String>,
    pub title: String,
    /// 成文日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<NaiveDate>,
    /// 发布日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<NaiveDate>,
    /// 有效性, when shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DocStatus>,
    /// The document's page (canonical URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// 统一编号 / 登记号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regno: Option<String>,
    /// End of the 有效期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
}

impl NormdocRecord {
    /// The key that identifies the document across scans (see [`identity`]).
    pub fn key(&self) -> String {
        identity(self.docno.as_deref(), self.url.as_deref(), &self.title)
    }
}

/// A site's library as read in one scan (what the store keeps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibrarySnapshot {
    /// The library's name as found, and its first page.
    pub name: String,
    pub url: String,
    /// List pages read (the library's and its abolished lists').
    pub pages_read: u32,
    /// The page count the library states (共5页), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages_total: Option<u32>,
    /// Every page of the library was read (the stated count, within the budget). Only a
    /// complete snapshot may say a document is gone.
    pub complete: bool,
    /// The documents, one per identity, in the order first seen.
    pub records: Vec<NormdocRecord>,
}

/// The normdoc facts of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormdocPage {
    /// Records listed on the page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<NormdocRecord>,
    /// The page's own 文号 (an article's 文号：… line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_docno: Option<String>,
    /// The status the page shows for itself (title, heading, metadata at the top).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_status: Option<DocStatus>,
    /// Links that stand next to a status marker that is not 有效 (in their text or row).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marked_links: Vec<String>,
    /// The page count the page states (共5页).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages_total: Option<u32>,
}

impl NormdocPage {
    pub fn is_empty(&self) -> bool {
        self == &NormdocPage::default()
    }
}

/// Extraction parameters (from the `normdoc.new` rule's parameters).
#[derive(Debug, Clone, Default)]
pub struct NormdocRules {
    pub library_names: Vec<String>,
    pub valid_markers: Vec<String>,
    pub abolished_markers: Vec<String>,
    pub expired_markers: Vec<String>,
    pub revised_markers: Vec<String>,
    pub docno: Option<Regex>,
    pub docno_headers: Vec<String>,
    pub title_headers: Vec<String>,
    pub written_headers: Vec<String>,
    pub published_headers: Vec<String>,
    pub status_headers: Vec<String>,
    pub regno_headers: Vec<String>,
    pub validity_headers: Vec<String>,
}

impl NormdocRules {
    /// The parameters of the `normdoc.new` rule; none (nothing extracted) without it.
    pub fn from_rules(rules: &crate::rules::RuleSet) -> NormdocRules {
        let Some(r) = rules
            .get("normdoc.new")
            .and_then(|r| r.typed::<crate::rules::params::NormdocParams>())
        else {
            return NormdocRules::default();
        };
        NormdocRules {
            library_names: r.library_names.clone(),
            valid_markers: r.valid_markers.clone(),
            abolished_markers: r.abolished_markers.clone(),
            expired_markers: r.expired_markers.clone(),
            revised_markers: r.revised_markers.clone(),
            docno: Some(r.docno_pattern.clone()),
            docno_headers: r.docno_headers.clone(),
            title_headers: r.title_headers.clone(),
            written_headers: r.written_headers.clone(),
            published_headers: r.published_headers.clone(),
            status_headers: r.status_headers.clone(),
            regno_headers: r.regno_headers.clone(),
            validity_headers: r.validity_headers.clone(),
        }
    }

    /// The status a text states, the strongest first (废止, 失效, 修订, 有效).
    pub fn status_of(&self, text: &str) -> Option<DocStatus> {
        let has = |m: &[String]| m.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
        if has(&self.abolished_markers) {
            Some(DocStatus::Abolished)
        } else if has(&self.expired_markers) {
            Some(DocStatus::Expired)
        } else if has(&self.revised_markers) {
            Some(DocStatus::Revised)
        } else if has(&self.valid_markers) {
            Some(DocStatus::Valid)
        } else {
            None
        }
    }

    /// A status marker other than 有效 in `text`.
    pub fn marked(&self, text: &str) -> bool {
        self.status_of(text).is_some_and(|s| s != DocStatus::Valid)
    }

    fn find_docno(&self, text: &str) -> Option<String> {
        self.docno
            .as_ref()?
            .find(text)
            .map(|m| m.as_str().trim().to_string())
    }
}

/// Full-width digits and letters to ASCII.
pub fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A 文号 normalised for comparison: brackets of every kind dropped, spaces dropped,
/// full-width digits made ASCII, 第 before the serial number and leading zeros dropped.
pub fn normalize_docno(docno: &str) -> String {
    static LEAD_ZERO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(\d{4})第?0*(\d+号)").expect("docno regex is valid"));
    let s: String = ascii_digits(docno)
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '[' | ']' | '(' | ')' | '（' | '）' | '【' | '】' | '〔' | '〕' | '［' | '］'
                )
        })
        .collect();
    LEAD_ZERO.replace(&s, "$1$2").into_owned()
}

/// The identity of a document across scans: `docno:` its normalised 文号, else `url:` its URL,
/// else `title:` its title without status markers and spaces.
pub fn identity(docno: Option<&str>, url: Option<&str>, title: &str) -> String {
    if let Some(d) = docno.map(normalize_docno).filter(|d| !d.is_empty()) {
        return format!("docno:{d}");
    }
    if let Some(u) = url.filter(|u| !u.is_empty()) {
        return format!("url:{u}");
    }
    format!("title:{}", bare_title(title))
}

/// A title without a leading bracketed marker (【已失效】) and without spaces.
pub fn bare_title(title: &str) -> String {
    let t = title.trim();
    let t = if t.starts_with('【') {
        t.split_once('】').map_or(t, |(_, rest)| rest)
    } else {
        t
    };
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

/// How a document changed between two snapshots of a library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    New,
    Revised,
    Abolished,
}

impl ChangeKind {
    pub fn zh(self) -> &'static str {
        match self {
            ChangeKind::New => "新增",
            ChangeKind::Revised => "修订",
            ChangeKind::Abolished => "废止/失效",
        }
    }
}

/// One document's change between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The document's identity ([`identity`]) now (or, when it is gone, before).
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docno: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_status: Option<DocStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_status: Option<DocStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The earlier version's URL when it differs (a moved page, a replaced version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_url: Option<String>,
    /// The earlier version's 文号 when a new version replaced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_docno: Option<String>,
    /// Gone from the library (rather than marked).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// What a status says for comparison: unmarked counts as 有效.
fn effective(s: Option<DocStatus>) -> DocStatus {
    s.unwrap_or(DocStatus::Valid)
}

/// The changes from `prev` to `cur`. A document is matched by its identity, else (a moved
/// page, a 文号 first shown or corrected) by its URL or its title. A document missing from
/// `cur` is reported gone only when both snapshots read the whole library.
pub fn changes(prev: &LibrarySnapshot, cur: &LibrarySnapshot) -> Vec<Change> {
    let prev_keys: Vec<String> = prev.records.iter().map(NormdocRecord::key).collect();
    let mut prev_used = vec![false; prev.records.len()];
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut unmatched: Vec<usize> = Vec::new();
    for (ci, c) in cur.records.iter().enumerate() {
        let key = c.key();
        match prev_keys
            .iter()
            .enumerate()
            .position(|(pi, k)| !prev_used[pi] && *k == key)
        {
            Some(pi) => {
                prev_used[pi] = true;
                pairs.push((pi, ci));
            }
            None => unmatched.push(ci),
        }
    }
    let mut out = Vec::new();
    for ci in unmatched {
        let c = &cur.records[ci];
        let same = prev.records.iter().enumerate().position(|(pi, p)| {
            !prev_used[pi]
                && ((c.url.is_some() && p.url == c.url)
                    || (!bare_title(&c.title).is_empty()
                        && bare_title(&p.title) == bare_title(&c.title)))
        });
        match same {
            Some(pi) => {
                prev_used[pi] = true;
                let p = &prev.records[pi];
                let both_docnos = p.docno.is_some() && c.docno.is_some();
                if both_docnos && c.url != p.url {
                    // A new version under a new 文号 in place of the old one.
                    out.push(change(ChangeKind::Revised, c, Some(p), false));
                } else {
                    pairs.push((pi, ci));
                }
            }
            None => out.push(change(ChangeKind::New, c, None, false)),
        }
    }
    for (pi, ci) in pairs {
        let (p, c) = (&prev.records[pi], &cur.records[ci]);
        let (old, new) = (effective(p.status), effective(c.status));
        if old == new {
            continue;
        }
        let kind = if new.is_dead() && !old.is_dead() {
            ChangeKind::Abolished
        } else if new.is_dead() {
            // 废止 ↔ 失效: still not in force.
            continue;
        } else {
            ChangeKind::Revised
        };
        out.push(change(kind, c, Some(p), false));
    }
    if prev.complete && cur.complete {
        for (pi, p) in prev.records.iter().enumerate() {
            if !prev_used[pi] && !effective(p.status).is_dead() {
                let mut ch = change(ChangeKind::Abolished, p, None, true);
                ch.old_status = p.status.or(Some(DocStatus::Valid));
                ch.new_status = None;
                out.push(ch);
            }
        }
    }
    out.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    out
}

fn change(kind: ChangeKind, c: &NormdocRecord, p: Option<&NormdocRecord>, removed: bool) -> Change {
    Change {
        kind,
        key: c.key(),
        docno: c.docno.clone(),
        title: c.title.clone(),
        old_status: p.map(|p| effective(p.status)),
        new_status: Some(effective(c.status)),
        url: c.url.clone(),
        old_url: p
            .and_then(|p| p.url.clone())
            .filter(|u| Some(u) != c.url.as_ref()),
        old_docno: p
            .and_then(|p| p.docno.clone())
            .filter(|d| c.docno.as_deref().map(normalize_docno) != Some(normalize_docno(d))),
        removed,
    }
}

/// The normdoc facts of a page whose other facts are known: the library is recognised by the
/// column name, heading or title of a list page; an article is named by its title.
pub fn of_page(
    doc: &Html,
    page: &super::ExtractedPage,
    url: &Url,
    facts: &super::PageFacts,
    rules: &NormdocRules,
) -> NormdocPage {
    let article = facts.is_article();
    let names = if article {
        [&None, &None, &facts.article_title, &page.title]
    } else {
        [&facts.column_name, &facts.heading, &None, &page.title]
    };
    let label = names
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    normdoc_page(doc, &page.text, Some(&label), url, article, rules)
}

/// The normdoc facts of a page. `article` says the page carries article metadata.
pub fn normdoc_page(
    doc: &Html,
    text: &str,
    title: Option<&str>,
    url: &Url,
    article: bool,
    rules: &NormdocRules,
) -> NormdocPage {
    let mut out = NormdocPage::default();
    if rules.docno.is_none() {
        return out;
    }
    static PAGES_RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"共\s*(\d{1,5})\s*页").expect("page count regex is valid"));
    out.pages_total = PAGES_RE
        .captures(text)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse().ok());
    let library_page = title.is_some_and(|t| {
        rules
            .library_names
            .iter()
            .any(|n| !n.is_empty() && t.contains(n.as_str()))
    });
    let mut seen_rows: HashSet<ego_tree::NodeId> = HashSet::new();
    // Tables with a header row.
    let table_sel = scraper::Selector::parse("table").ok();
    if let Some(sel) = &table_sel {
        for table in doc.select(sel) {
            table_records(table, url, rules, &mut out.records, &mut seen_rows);
        }
    }
    // Rows with a link: list items, and table rows outside headed tables.
    if let Ok(sel) = scraper::Selector::parse("li, tr, dd, p, div") {
        for row in doc.select(&sel) {
            if out.records.len() >= MAX_RECORDS {
                break;
            }
            if seen_rows.contains(&row.id()) || has_row_descendant(row) || !few_links(row) {
                continue;
            }
            if let Some(r) = list_record(row, url, rules, library_page) {
                out.records.push(r);
            }
        }
    }
    // Links next to a status marker.
    if let Ok(sel) = scraper::Selector::parse("a[href]") {
        for a in doc.select(&sel) {
            if out.marked_links.len() >= MAX_MARKED_LINKS {
                break;
            }
            let row_text = row_of(a)
                .filter(|r| !has_row_descendant(*r) && few_links(*r))
                .map(|r| cell_text(r))
                .unwrap_or_default();
            let own = cell_text(a) + a.value().attr("title").unwrap_or("");
            if rules.marked(&own) || rules.marked(&row_text) {
                if let Some(u) = a.value().attr("href").and_then(|h| absolute(url, h)) {
                    if !out.marked_links.contains(&u) {
                        out.marked_links.push(u);
                    }
                }
            }
        }
    }
    if article {
        let head: String = text.chars().take(HEAD_CHARS).collect();
        static LABEL_RE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?:文号|发文字号|文件编号)\s*[：:]?\s*").expect("label regex is valid")
        });
        out.own_docno = LABEL_RE
            .find_iter(&head)
            .find_map(|m| rules.find_docno(head.get(m.end()..).unwrap_or("")));
        let title_text = title.unwrap_or("");
        out.own_status = rules
            .status_of(title_text)
            .filter(|s| *s != DocStatus::Valid)
            .or_else(|| status_in_head(&head, rules));
    }
    out
}

/// The status stated at the top of an article: a marker other than a bare 有效 (the text of a
/// body says 有效 in many senses; 有效性：有效 counts).
fn status_in_head(head: &str, rules: &NormdocRules) -> Option<DocStatus> {
    let s = rules.status_of(head)?;
    if s != DocStatus::Valid {
        return Some(s);
    }
    static VALID_RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:有效性|效力状态|时效性)\s*[：:]\s*(?:现行)?有效").expect("regex is valid")
    });
    VALID_RE.is_match(head).then_some(DocStatus::Valid)
}

fn absolute(base: &Url, href: &str) -> Option<String> {
    match resolve_href(base, href, encoding_rs::UTF_8, &[])? {
        LinkTarget::Http(u) => Some(u.to_string()),
        _ => None,
    }
}

fn is_row(name: &str) -> bool {
    matches!(name, "li" | "tr" | "dd" | "p")
}

/// Nodes of a row looked at: a larger element is a container, not a row.
const MAX_ROW_NODES: usize = 400;

/// The element holds rows (or a table, or a `div`), or is too large to be one row.
fn has_row_descendant(row: ElementRef<'_>) -> bool {
    let mut n_nodes = 0;
    row.descendants().skip(1).any(|n| {
        n_nodes += 1;
        n_nodes > MAX_ROW_NODES
            || n.value()
                .as_element()
                .is_some_and(|e| is_row(e.name()) || matches!(e.name(), "table" | "div"))
    })
}

/// Links in a row: a row carries at most three (title, attachment, interpretation).
fn few_links(row: ElementRef<'_>) -> bool {
    row.descendants()
        .filter(|n| {
            n.value()
                .as_element()
                .is_some_and(|e| e.name() == "a" && e.attr("href").is_some())
        })
        .take(4)
        .count()
        <= 3
}

/// The nearest row (li, tr, dd, p) around an element.
fn row_of(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| is_row(e.value().name()))
}

/// Visible text of an element, whitespace collapsed.
fn cell_text(el: ElementRef<'_>) -> String {
    let mut s = String::new();
    for n in el.descendants() {
        if let Node::Text(t) = n.value() {
            let hidden = n.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "script" | "style"))
            });
            if !hidden {
                s.push_str(t);
                s.push(' ');
            }
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(s: &str) -> String {
    s.chars().take(MAX_TITLE_CHARS).collect()
}

/// A title without a leading bracketed status marker (【已失效】), cut to length.
fn clean_title(title: &str, rules: &NormdocRules) -> String {
    let t = title.trim();
    if let Some((head, rest)) = t.strip_prefix('【').and_then(|r| r.split_once('】')) {
        if rules.status_of(head).is_some() && !rest.trim().is_empty() {
            return cut(rest.trim());
        }
    }
    cut(t)
}

fn date_of(text: &str) -> Option<NaiveDate> {
    let d = dates::find_full_date(&ascii_digits(text))?;
    NaiveDate::from_ymd_opt(d.year?, d.month, d.day)
}

/// The last date of a 有效期 cell (2021-01-01至2025-12-31 → 2025-12-31).
fn last_date_of(text: &str) -> Option<NaiveDate> {
    let t = ascii_digits(text);
    let mut last = None;
    let mut rest = t.as_str();
    while let Some(d) = dates::find_full_date(rest) {
        let Some(date) = d
            .year
            .and_then(|y| NaiveDate::from_ymd_opt(y, d.month, d.day))
        else {
            break;
        };
        last = Some(date);
        // Continue after the year of this date.
        let y = date.format("%Y").to_string();
        match rest.find(&y) {
            Some(i) => rest = rest.get(i + 4..).unwrap_or(""),
            None => break,
        }
    }
    last
}

fn link_in(el: ElementRef<'_>) -> Option<(String, Option<String>)> {
    let sel = scraper::Selector::parse("a[href]").ok()?;
    let a = el.select(&sel).next()?;
    let text = cell_text(a);
    let title_attr = a.value().attr("title").map(str::trim).unwrap_or("");
    let text = if title_attr.chars().count() > text.chars().count() {
        title_attr.to_string()
    } else {
        text
    };
    Some((text, a.value().attr("href").map(str::to_string)))
}

#[derive(Default)]
struct Columns {
    docno: Option<usize>,
    title: Option<usize>,
    written: Option<usize>,
    published: Option<usize>,
    status: Option<usize>,
    regno: Option<usize>,
    validity: Option<usize>,
}

fn header_matches(cell: &str, names: &[String]) -> bool {
    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    names.iter().any(|n| !n.is_empty() && c == *n)
}

fn cells_of(tr: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    tr.children()
        .filter_map(ElementRef::wrap)
        .filter(|e| matches!(e.value().name(), "td" | "th"))
        .collect()
}

/// The records of a table with a header row naming at least the title or 文号 column and one
/// more; rows of the table are marked seen.
fn table_records(
    table: ElementRef<'_>,
    base: &Url,
    rules: &NormdocRules,
    out: &mut Vec<NormdocRecord>,
    seen: &mut HashSet<ego_tree::NodeId>,
) {
    // Only this table's rows (the parser puts them in thead/tbody/tfoot), not nested ones.
    let rows: Vec<ElementRef<'_>> = table
        .children()
        .filter_map(ElementRef::wrap)
        .flat_map(|sec| {
            let name = sec.value().name();
            let direct = name == "tr";
            let section = matches!(name, "thead" | "tbody" | "tfoot");
            let mut v: Vec<ElementRef<'_>> = Vec::new();
            if direct {
                v.push(sec);
            } else if section {
                v.extend(
                    sec.children()
                        .filter_map(ElementRef::wrap)
                        .filter(|e| e.value().name() == "tr"),
                );
            }
            v
        })
        .collect();
    let mut cols: Option<Columns> = None;
    for (i, tr) in rows.into_iter().enumerate() {
        // The header is among the first rows; a layout table has none.
        if cols.is_none() && i >= MAX_HEADER_ROW {
            return;
        }
        let cells = cells_of(tr);
        match &cols {
            None => {
                let mut c = Columns::default();
                let mut named = 0;
                for (i, cell) in cells.iter().enumerate() {
                    // A header cell is short; a layout cell holds a page.
                    if cell.descendants().nth(MAX_HEADER_NODES).is_some() {
                        continue;
                    }
                    let t = cell_text(*cell);
                    let slot = if header_matches(&t, &rules.docno_headers) {
                        &mut c.docno
                    } else if header_matches(&t, &rules.title_headers) {
                        &mut c.title
                    } else if header_matches(&t, &rules.written_headers) {
                        &mut c.written
                    } else if header_matches(&t, &rules.published_headers) {
                        &mut c.published
                    } else if header_matches(&t, &rules.status_headers) {
                        &mut c.status
                    } else if header_matches(&t, &rules.regno_headers) {
                        &mut c.regno
                    } else if header_matches(&t, &rules.validity_headers) {
                        &mut c.validity
                    } else {
                        continue;
                    };
                    if slot.is_none() {
                        *slot = Some(i);
                        named += 1;
                    }
                }
                if (c.title.is_some() || c.docno.is_some()) && named >= 2 {
                    seen.insert(tr.id());
                    cols = Some(c);
                }
            }
            Some(c) => {
                seen.insert(tr.id());
                if out.len() >= MAX_RECORDS {
                    continue;
                }
                let text_at = |i: Option<usize>| {
                    i.and_then(|i| cells.get(i))
                        .map(|e| cell_text(*e))
                        .filter(|t| !t.is_empty())
                };
                let link = c
                    .title
                    .and_then(|i| cells.get(i))
                    .and_then(|e| link_in(*e))
                    .or_else(|| link_in(tr));
                let Some(title) = link
                    .as_ref()
                    .map(|(t, _)| t.clone())
                    .filter(|t| !t.is_empty())
                    .or_else(|| text_at(c.title))
                else {
                    continue;
                };
                let docno = text_at(c.docno).and_then(|d| rules.find_docno(&d).or(Some(d)));
                let status = text_at(c.status)
                    .and_then(|s| rules.status_of(&s))
                    .or_else(|| rules.status_of(&title).filter(|s| *s != DocStatus::Valid));
                out.push(NormdocRecord {
                    docno,
                    title: clean_title(&title, rules),
                    written: text_at(c.written).and_then(|t| date_of(&t)),
                    published: text_at(c.published).and_then(|t| date_of(&t)),
                    status,
                    url: link.and_then(|(_, h)| h).and_then(|h| absolute(base, &h)),
                    regno: text_at(c.regno),
                    valid_until: text_at(c.validity).and_then(|t| last_date_of(&t)),
                });
            }
        }
    }
}

/// A list row as a record: a link, and a 文号 in the row (or, on a library page, a title of
/// some length).
fn list_record(
    row: ElementRef<'_>,
    base: &Url,
    rules: &NormdocRules,
    library_page: bool,
) -> Option<NormdocRecord> {
    let (title, href) = link_in(row)?;
    let text = cell_text(row);
    let docno = rules.find_docno(&text);
    if docno.is_none() && !(library_page && title.chars().count() >= MIN_TITLE_CHARS) {
        return None;
    }
    // Dates outside the 文号 (its year is not a date anyway, but be safe) and the title.
    let rest = text.replacen(title.as_str(), " ", 1);
    let rest = match &docno {
        Some(d) => rest.replacen(d.as_str(), " ", 1),
        None => rest,
    };
    let status = rules
        .status_of(&title)
        .filter(|s| *s != DocStatus::Valid)
        .or_else(|| rules.status_of(&rest));
    let valid_until = rest
        .find("有效期")
        .and_then(|i| last_date_of(rest.get(i..).unwrap_or("")));
    Some(NormdocRecord {
        docno,
        title: clean_title(&title, rules),
        written: None,
        published: date_of(&rest),
        status,
        url: href.and_then(|h| absolute(base, &h)),
        regno: None,
        valid_until,
    })
}

#[cfg(test)]
#[path = "normdoc_tests.rs"]
mod tests;
