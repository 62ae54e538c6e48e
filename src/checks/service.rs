//! 办事服务 (国办秘函〔2019〕19号 V6 服务不实用): `service.none` (no 办事服务 entry: neither an
//! own 办事 section nor a link into the province's 政务服务网) and `service.guide_elements`
//! (办事指南 missing key element categories), with the notices
//! `service.guide_elements.warn` (defective guides below the veto count) and
//! `service.guide_elements.not_inspected` (no guide could be read: no pass).
//!
//! Judged only for a site that must offer 办事服务 (a portal, or a department with outward
//! services: `SiteConfig::offers_services`). The guides' labels are read at crawl time
//! (`extract::service`, kept raw in the page facts); which categories they show is decided
//! here, under the rule file's names and aliases, so a re-judging applies changed aliases.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet, VecDeque};

use regex::Regex;
use serde_json::json;
use url::Url;

use super::{finding, Finding};
use crate::crawl::{PageRecord, SiteFacts};
use crate::extract::facts::NavLink;
use crate::extract::service::categories_shown;
use crate::rules::params::{ServiceGuideParams, ServiceNoneParams};
use crate::rules::RuleSet;

/// How an entry leads to 办事服务.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    /// A link to a 政务服务网 host.
    Platform,
    /// A link on the site named as a 办事服务 entry: its own 办事 section.
    Section,
    /// A link to another site named as a 办事服务 entry.
    Elsewhere,
}

impl EntryKind {
    fn zh(self) -> &'static str {
        match self {
            EntryKind::Platform => "政务服务网链接",
            EntryKind::Section => "本网站办事栏目",
            EntryKind::Elsewhere => "站外办事链接",
        }
    }
}

/// One 办事服务 entry found.
#[derive(Debug, Clone)]
struct Entry {
    text: String,
    url: String,
    /// The page that carries the link.
    on: String,
    kind: EntryKind,
}

/// A host pattern of `platform_hosts` as a regex: `*` inside a label is any characters of
/// that label; a leading `*.` is any subdomains, or none.
fn host_pattern(p: &str) -> Option<Regex> {
    let p = p.trim().to_ascii_lowercase();
    let (any_sub, rest) = match p.strip_prefix("*.") {
        Some(r) => (true, r.to_string()),
        None => (false, p.clone()),
    };
    if rest.is_empty() {
        return None;
    }
    let body = rest
        .split('*')
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join("[^.]*");
    let prefix = if any_sub { r"(?:[^.]+\.)*" } else { "" };
    Regex::new(&format!("^{prefix}{body}$")).ok()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn host_of(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
}

/// What the entry search needs of the site: its pages, links and link results are looked up
/// by URL (see `checks::reads`).
struct Site<'f> {
    facts: &'f SiteFacts,
    home_host: Option<String>,
}

impl<'f> Site<'f> {
    fn new(facts: &'f SiteFacts) -> Site<'f> {
        Site {
            facts,
            home_host: host_of(&facts.url),
        }
    }

    /// The page fetched as `url` (its URL, else its final URL).
    fn page(&self, url: &str) -> Option<Cow<'f, PageRecord>> {
        self.facts.page(url)
    }

    /// The target belongs to the site (crawled as its own).
    fn internal(&self, url: &str) -> bool {
        match self.facts.link(url) {
            Some(l) => l.internal,
            None => self.facts.page(url).is_some() || host_of(url) == self.home_host,
        }
    }

    /// The links a page leads to: its navigation links, its list items, and every link on
    /// the page the crawl recorded.
    fn links_of(&self, page: &PageRecord) -> Vec<NavLink> {
        let mut out: Vec<NavLink> = page.facts.nav.clone();
        for i in &page.facts.items {
            if let Some(u) = &i.url {
                out.push(NavLink {
                    text: i.title.clone(),
                    url: u.clone(),
                });
            }
        }
        out.extend(
            self.facts
                .links_on(&page.url)
                .into_iter()
                .map(|(url, text)| NavLink { text, url }),
        );
        out
    }
}

/// Every 办事服务 entry within `max_levels` links of the home page, and how many pages were
/// searched.
fn find_entries<'f>(
    site: &Site<'f>,
    home: &'f PageRecord,
    p: &ServiceNoneParams,
) -> (Vec<Entry>, usize) {
    let names: Vec<String> = p
        .entry_names
        .iter()
        .map(|n| squeeze(n))
        .filter(|n| !n.is_empty())
        .collect();
    let hosts: Vec<Regex> = p
        .platform_hosts
        .iter()
        .filter_map(|h| host_pattern(h))
        .collect();
    let mut entries: Vec<Entry> = Vec::new();
    // Each target once, where first seen (the header navigation repeats it on every page).
    let mut seen: HashSet<String> = HashSet::new();
    let mut searched = 0usize;
    let mut level: Vec<Cow<'f, PageRecord>> = vec![Cow::Borrowed(home)];
    let mut visited: HashSet<String> = HashSet::from([home.url.clone()]);
    for depth in 1..=p.max_link_levels.max(1) {
        let mut next: Vec<Cow<'f, PageRecord>> = Vec::new();
        for page in level {
            searched += 1;
            for l in site.links_of(&page) {
                let platform =
                    host_of(&l.url).is_some_and(|h| hosts.iter().any(|re| re.is_match(&h)));
                let text = squeeze(&l.text);
                let named = !text.is_empty() && names.iter().any(|n| text.contains(n.as_str()));
                let kind = match (platform, named, site.internal(&l.url)) {
                    (true, _, _) => Some(EntryKind::Platform),
                    (false, true, true) => Some(EntryKind::Section),
                    (false, true, false) => Some(EntryKind::Elsewhere),
                    (false, false, _) => None,
                };
                if let Some(kind) = kind {
                    if seen.insert(l.url.clone()) {
                        entries.push(Entry {
                            text: l.text.trim().to_string(),
                            url: l.url.clone(),
                            on: page.url.clone(),
                            kind,
                        });
                    }
                }
                if depth < p.max_link_levels && !visited.contains(&l.url) {
                    if let Some(child) = site.page(&l.url) {
                        if child.status.is_ok() && visited.insert(child.url.clone()) {
                            next.push(child);
                        }
                    }
                }
            }
        }
        level = next;
    }
    (entries, searched)
}

/// A 办事指南 read, with the categories it shows and misses.
#[derive(Debug, Clone)]
struct Guide {
    /// The guide's page (its URL).
    url: String,
    title: String,
    /// Category name → the label that shows it.
    shown: Vec<(String, String)>,
    missing: Vec<String>,
}

/// The pages of the 办事 sections: the section pages and those up to `levels` links below
/// them (by their links, list items and the crawl's link records), and the pages under a
/// section's folder that show guide labels (the only pages of those a guide is read on; they
/// are among the pages the checks go through, so the folder is not searched page by page).
/// The pages the home page links are the site's other sections (the header navigation every
/// page repeats): the walk does not enter them.
///
/// Returns how many pages were read and, of them, those showing guide labels, in the order
/// read (the walk looks pages up one at a time and keeps only those).
fn section_pages<'f>(
    site: &Site<'f>,
    sections: &[Cow<'f, PageRecord>],
    levels: usize,
) -> (usize, Vec<Cow<'f, PageRecord>>) {
    let home = site.facts.home.as_ref();
    let top: HashSet<String> = home
        .map(|h| site.links_of(h).into_iter().map(|l| l.url).collect())
        .unwrap_or_default();
    let mut read = 0usize;
    let mut labelled: Vec<Cow<'f, PageRecord>> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Pages to read by URL, with their distance below a section.
    let mut queue: VecDeque<(String, usize)> = VecDeque::new();
    for s in sections {
        if seen.insert(s.url.clone()) {
            queue.push_back((s.url.clone(), 0));
        }
    }
    let home_url = home.map(|h| h.url.as_str());
    while let Some((url, d)) = queue.pop_front() {
        let Some(page) = site.page(&url) else {
            continue;
        };
        read += 1;
        if d < levels {
            for l in site.links_of(&page) {
                // Looked up once (a page reached again is not).
                if top.contains(&l.url) || seen.contains(&l.url) {
                    continue;
                }
                if let Some(child) = site.page(&l.url) {
                    if Some(child.url.as_str()) != home_url && seen.insert(child.url.clone()) {
                        queue.push_back((child.url.clone(), d + 1));
                    }
                }
            }
        }
        if !page.facts.guide_labels.is_empty() {
            labelled.push(page);
        }
    }
    // Pages under a section's folder (pagination, deeper lists), unless the folder is the
    // site's root.
    let folders: Vec<String> = sections
        .iter()
        .filter_map(|s| {
            let u = Url::parse(&s.final_url).ok()?;
            let path = u.path();
            let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
            (dir.len() > 1).then(|| format!("{}{}", &u[..url::Position::BeforePath], dir))
        })
        .collect();
    if !folders.is_empty() {
        for p in site.facts.pages.iter().filter(|p| {
            !p.facts.guide_labels.is_empty()
                && folders.iter().any(|f| p.final_url.starts_with(f.as_str()))
        }) {
            if seen.insert(p.url.clone()) {
                read += 1;
                labelled.push(Cow::Borrowed(p));
            }
        }
    }
    (read, labelled)
}

fn guide_title(p: &PageRecord) -> String {
    p.facts
        .article_title
        .clone()
        .or_else(|| p.title.clone())
        .or_else(|| p.facts.heading.clone())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| p.url.clone())
}

fn read_guides(pages: &[Cow<'_, PageRecord>], p: &ServiceGuideParams) -> Vec<Guide> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for page in pages {
        if page.facts.guide_labels.is_empty()
            || !page.status.is_ok()
            || !seen.insert(page.final_url.as_str())
        {
            continue;
        }
        let shown = categories_shown(&page.facts.guide_labels, &p.categories);
        let n = shown.iter().filter(|s| s.is_some()).count();
        let linked_items = page.facts.items.iter().filter(|i| i.url.is_some()).count();
        if n < p.guide_min_categories.max(1) || linked_items >= p.list_min_items.max(1) {
            continue;
        }
        let title = guide_title(page);
        let named = [Some(&title), page.facts.heading.as_ref()]
            .into_iter()
            .flatten()
            .any(|t| p.title_words.iter().any(|w| t.contains(w.as_str())));
        if !named && shown.first().is_none_or(Option::is_none) {
            continue;
        }
        let mut guide = Guide {
            url: page.url.clone(),
            title,
            shown: Vec::new(),
            missing: Vec::new(),
        };
        for (group, label) in p.categories.iter().zip(shown) {
            let name = group.first().cloned().unwrap_or_default();
            match label {
                Some(l) => guide.shown.push((name, l.to_string())),
                None => guide.missing.push(name),
            }
        }
        out.push(guide);
    }
    out
}

/// Every finding of the 办事服务 rules for a site; `offers_services`: the site must offer
/// 办事服务 (else it is not judged by these rules, and nothing is said).
pub fn check(facts: &SiteFacts, rules: &RuleSet, offers_services: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if !offers_services {
        return out;
    }
    let Some(home) = facts.home.as_ref().filter(|h| h.status.is_ok()) else {
        return out;
    };
    let none_rule = rules.enabled_for("service.none", facts.level, facts.kind);
    let none_params = rules
        .get("service.none")
        .and_then(|r| r.typed::<ServiceNoneParams>());
    let site = Site::new(facts);
    let (entries, searched) = match none_params {
        Some(p) => find_entries(&site, home, p),
        None => (Vec::new(), 0),
    };
    // A home page whose links could not be read (written by script, cut short) says nothing
    // of its entries: no veto on what was not seen.
    let links_read = home.links_found > 0;
    if let (Some(rule), Some(p), true) = (none_rule, none_params, links_read) {
        if entries.is_empty() {
            out.push(finding(
                rule,
                &home.url,
                Some(&home.url),
                json!({
                    "pages_searched": searched,
                    "max_link_levels": p.max_link_levels,
                    "entry_names": p.entry_names,
                    "platform_hosts": p.platform_hosts,
                }),
                format!(
                    "首页及其下{}级页面（共{searched}个页面）中未发现办事服务入口：\
                     既无名为办事服务、政务服务等的栏目链接，也无指向政务服务网的链接",
                    p.max_link_levels.saturating_sub(1)
                ),
            ));
        }
    }
    out.extend(check_guides(&site, rules, &entries));
    out
}

fn entries_json(entries: &[Entry]) -> serde_json::Value {
    entries
        .iter()
        .map(|e| json!({"text": e.text, "url": e.url, "on": e.on, "kind": e.kind.zh()}))
        .collect()
}

fn check_guides(site: &Site<'_>, rules: &RuleSet, entries: &[Entry]) -> Vec<Finding> {
    let facts = site.facts;
    let mut out = Vec::new();
    let Some(p) = rules
        .get("service.guide_elements")
        .and_then(|r| r.typed::<ServiceGuideParams>())
    else {
        return out;
    };
    let Some(home) = facts.home.as_ref() else {
        return out;
    };
    let sections: Vec<Cow<'_, PageRecord>> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Section)
        .filter_map(|e| site.page(&e.url))
        .filter(|s| s.status.is_ok() && s.url != home.url)
        .collect();
    let (pages_read, pages) = section_pages(site, &sections, p.section_max_levels);
    let guides = read_guides(&pages, p);
    let section_urls: Vec<&str> = sections.iter().map(|s| s.url.as_str()).collect();
    if guides.is_empty() {
        if let Some(rule) = rules.enabled_for(
            "service.guide_elements.not_inspected",
            facts.level,
            facts.kind,
        ) {
            let outside = entries.iter().find(|e| e.kind != EntryKind::Section);
            let why = if !sections.is_empty() {
                format!(
                    "办事栏目（{}）及其下{}级页面（共{}个页面）中未读取到办事指南",
                    section_urls.join("、"),
                    p.section_max_levels,
                    pages_read
                )
            } else if let Some(e) = outside {
                format!(
                    "本网站无自有办事栏目，办事服务入口「{}」指向{}（{}），办事指南不在本网站上",
                    e.text,
                    e.kind.zh(),
                    e.url
                )
            } else if let Some(e) = entries.first() {
                format!(
                    "办事服务入口「{}」（{}）未能作为本网站页面读取",
                    e.text, e.url
                )
            } else {
                "未发现办事服务入口".to_string()
            };
            let url = sections
                .first()
                .map_or(home.url.as_str(), |s| s.url.as_str());
            out.push(finding(
                rule,
                url,
                Some(url),
                json!({
                    "entries": entries_json(entries),
                    "sections": section_urls,
                    "pages_read": pages_read,
                    "guides_read": 0,
                }),
                format!("{why}，未检查办事指南要素（不视为合格，需人工检查）"),
            ));
        }
        return out;
    }
    let defective: Vec<&Guide> = guides
        .iter()
        .filter(|g| g.missing.len() >= p.missing_threshold.max(1))
        .collect();
    if defective.is_empty() {
        return out;
    }
    let veto = defective.len() >= p.defective_threshold.max(1);
    let id = if veto {
        "service.guide_elements"
    } else {
        "service.guide_elements.warn"
    };
    let Some(rule) = rules.enabled_for(id, facts.level, facts.kind) else {
        return out;
    };
    let listed: Vec<serde_json::Value> = defective
        .iter()
        .map(|g| {
            json!({
                "url": g.url,
                "title": g.title,
                "missing": g.missing,
                "shown": g.shown.iter().map(|(c, l)| json!({"category": c, "label": l})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let lines: Vec<String> = defective
        .iter()
        .map(|g| format!("《{}》（{}）缺少{}", g.title, g.url, g.missing.join("、")))
        .collect();
    let url = sections
        .first()
        .map_or(defective[0].url.as_str(), |s| s.url.as_str());
    out.push(finding(
        rule,
        url,
        Some(url),
        json!({
            "guides_read": guides.len(),
            "defective": listed,
            "missing_threshold": p.missing_threshold,
            "defective_threshold": p.defective_threshold,
            "sections": section_urls,
        }),
        format!(
            "读取的{}个办事指南中有{}个缺少{}类及以上关键要素{}：{}",
            guides.len(),
            defective.len(),
            p.missing_threshold,
            if veto {
                format!("（达到{}个）", p.defective_threshold)
            } else {
                format!("（未达否决数量{}个）", p.defective_threshold)
            },
            lines.join("；")
        ),
    ));
    out
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
