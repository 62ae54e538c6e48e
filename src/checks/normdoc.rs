//! The 行政规范性文件 library (`normdoc.*`): its snapshot, its changes since the site's
//! previous finished scan (`normdoc.new`, `.revised`, `.abolished`), pages that still link to
//! dead documents as if current (`.stale_link`), documents whose own page does not show the
//! status the library gives them (`.status_unmarked`), malformed 文号 (`.docno_format`),
//! 有效期 passed while marked 有效 (`.expired_validity`) and normative documents published in a
//! policy-document column but absent from the library (`.not_in_library`).
//!
//! # The library
//!
//! A column (see [`super::columns::discover`], which also takes the site's configured column
//! URLs) whose name is or ends with one of `library_names`; a column of such a name containing
//! one of `abolished_list_words` (废止和失效行政规范性文件) is one of its abolished lists,
//! whose documents count as 已废止 unless they say otherwise. The library's pages are its
//! column's pages and the list pages under the same directory (its pagination:
//! `index_1.html`, `?page=2`), at most `max_library_pages` of them. The snapshot is complete
//! when the stated page count (共5页) was read within that budget.
//!
//! Everything here is a pure function of the facts, the previous snapshot, the rules and the
//! as-of day.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use regex::Regex;
use serde_json::json;

use super::columns::{discover, normalize_name, Column};
use super::Finding;
use crate::crawl::{PageRecord, SiteFacts};
use crate::extract::normdoc::{
    changes, normalize_docno, ChangeKind, DocStatus, LibrarySnapshot, NormdocRecord, NormdocRules,
};
use crate::rules::{Rule, RuleSet};

/// What the diff rules compare with.
#[derive(Debug, Clone, Copy)]
pub enum Baseline<'a> {
    /// No store: changes cannot be judged.
    NoStore,
    /// The store holds no earlier snapshot of this site's library.
    FirstScan,
    /// The library as the site's previous finished scan saw it.
    Previous(&'a LibrarySnapshot),
}

/// The parameters of the normdoc rules (one struct, read once).
#[derive(Debug, Clone)]
pub struct Params {
    pub library_names: Vec<String>,
    pub abolished_list_words: Vec<String>,
    pub max_library_pages: usize,
    pub docno_format: Option<Regex>,
    pub policy_columns: Vec<Regex>,
    pub normative_docno: Option<Regex>,
    pub markers: NormdocRules,
}

impl Params {
    /// From the rule set; `None` when `normdoc.new` (which carries the library's parameters)
    /// is absent.
    pub fn from_rules(rules: &RuleSet) -> Option<Params> {
        use crate::rules::params::{NormdocDocnoParams, NormdocNotInLibraryParams, NormdocParams};
        let lib = rules.get("normdoc.new")?.typed::<NormdocParams>()?;
        let docno = rules
            .get("normdoc.docno_format")
            .and_then(|r| r.typed::<NormdocDocnoParams>());
        let nil = rules
            .get("normdoc.not_in_library")
            .and_then(|r| r.typed::<NormdocNotInLibraryParams>());
        Some(Params {
            library_names: lib.library_names.clone(),
            abolished_list_words: lib.abolished_list_words.clone(),
            max_library_pages: lib.max_library_pages,
            docno_format: docno.map(|p| p.pattern.clone()),
            policy_columns: nil
                .map(|p| p.policy_column_patterns.clone())
                .unwrap_or_default(),
            normative_docno: nil.map(|p| p.normative_docno_pattern.clone()),
            markers: NormdocRules::from_rules(rules),
        })
    }

    fn library_name(&self, name: &str) -> Option<bool> {
        let n = normalize_name(name);
        let fits = self
            .library_names
            .iter()
            .any(|l| !l.is_empty() && (n == *l || n.ends_with(l.as_str())));
        fits.then(|| {
            self.abolished_list_words
                .iter()
                .any(|w| !w.is_empty() && n.contains(w.as_str()))
        })
    }
}

/// The library as found: the snapshot and the pages it was read from.
struct Library<'a> {
    snapshot: LibrarySnapshot,
    /// Its list pages and its abolished lists' (URL and final URL).
    pages: HashSet<&'a str>,
}

fn dir_of(url: &str) -> &str {
    let no_query = url.split(['?', '#']).next().unwrap_or(url);
    match no_query.rfind('/') {
        Some(i) => &no_query[..=i],
        None => no_query,
    }
}

fn merge(into: &mut Vec<NormdocRecord>, keys: &mut HashMap<String, usize>, r: &NormdocRecord) {
    match keys.get(&r.key()) {
        Some(&i) => {
            let e = &mut into[i];
            e.written = e.written.or(r.written);
            e.published = e.published.or(r.published);
            e.status = e.status.or(r.status);
            e.url = e.url.clone().or_else(|| r.url.clone());
            e.regno = e.regno.clone().or_else(|| r.regno.clone());
            e.valid_until = e.valid_until.or(r.valid_until);
        }
        None => {
            keys.insert(r.key(), into.len());
            into.push(r.clone());
        }
    }
}

fn find_library<'a>(
    facts: &'a SiteFacts,
    columns: &[Column<'a>],
    p: &Params,
) -> Option<Library<'a>> {
    let main = columns
        .iter()
        .find(|c| p.library_name(&c.name) == Some(false))?;
    let abolished: Vec<&Column<'a>> = columns
        .iter()
        .filter(|c| p.library_name(&c.name) == Some(true))
        .collect();
    let abolished_pages: HashSet<*const PageRecord> = abolished
        .iter()
        .flat_map(|c| c.pages.iter().map(|p| std::ptr::from_ref(*p)))
        .collect();
    // The column's pages, then the list pages under its directory (its pagination). List
    // pages and pages with normdoc facts are among those the checks go through
    // (`checks::reads`).
    let dir = dir_of(&main.url);
    let mut main_pages: Vec<&PageRecord> = main.pages.clone();
    let mut extra: Vec<&PageRecord> = facts
        .pages
        .iter()
        .filter(|pg| {
            pg.status.is_ok()
                && !pg.facts.is_article()
                && !pg.facts.normdoc.records.is_empty()
                && pg.url.starts_with(dir)
                && !abolished_pages.contains(&std::ptr::from_ref(*pg))
                && !main_pages.iter().any(|m| std::ptr::eq(*m, *pg))
        })
        .collect();
    extra.sort_by(|a, b| (a.depth, &a.url).cmp(&(b.depth, &b.url)));
    main_pages.extend(extra);
    let budget_cut = main_pages.len() > p.max_library_pages;
    main_pages.truncate(p.max_library_pages);
    let pages_total = main_pages
        .iter()
        .filter_map(|pg| pg.facts.normdoc.pages_total)
        .max();
    let read = u32::try_from(main_pages.len()).unwrap_or(u32::MAX);
    let mut records = Vec::new();
    let mut keys = HashMap::new();
    for pg in &main_pages {
        for r in &pg.facts.normdoc.records {
            merge(&mut records, &mut keys, r);
        }
    }
    let mut pages: HashSet<&'a str> = main_pages
        .iter()
        .flat_map(|pg| [pg.url.as_str(), pg.final_url.as_str()])
        .collect();
    let mut read_abolished = 0u32;
    let main_records = records.len();
    for c in &abolished {
        for pg in c.pages.iter().take(p.max_library_pages) {
            read_abolished += 1;
            pages.insert(pg.url.as_str());
            pages.insert(pg.final_url.as_str());
            for r in &pg.facts.normdoc.records {
                let mut r = r.clone();
                r.status = r.status.or(Some(DocStatus::Abolished));
                merge(&mut records, &mut keys, &r);
            }
        }
    }
    Some(Library {
        snapshot: LibrarySnapshot {
            name: main.name.clone(),
            url: main.url.clone(),
            pages_read: read + read_abolished,
            pages_total,
            // A library read as empty is a page whose layout was not understood, not a
            // library whose documents were all removed.
            complete: !budget_cut && pages_total.is_none_or(|t| read >= t) && main_records > 0,
            records,
        },
        pages,
    })
}

/// The site's library as read in this crawl, if one was found.
pub fn snapshot(facts: &SiteFacts, rules: &RuleSet) -> Option<LibrarySnapshot> {
    let p = Params::from_rules(rules)?;
    let columns = discover(facts, rules);
    find_library(facts, &columns, &p).map(|l| l.snapshot)
}

fn finding(
    rule: &Rule,
    url: String,
    page: Option<&str>,
    evidence: serde_json::Value,
    message: String,
) -> Finding {
    super::finding(rule, &url, page, evidence, message)
}

/// A record's target: its URL, else the library page with its identity as fragment.
fn target(lib: &LibrarySnapshot, r: &NormdocRecord) -> String {
    r.url
        .clone()
        .unwrap_or_else(|| format!("{}#{}", lib.url, r.key()))
}

fn label(docno: Option<&str>, title: &str) -> String {
    match docno {
        Some(d) => format!("《{title}》（{d}）"),
        None => format!("《{title}》"),
    }
}

fn status_zh(s: Option<DocStatus>) -> &'static str {
    s.map_or("未标注", DocStatus::zh)
}

/// Every normdoc finding of a site.
pub fn check(
    facts: &SiteFacts,
    rules: &RuleSet,
    baseline: Baseline<'_>,
    as_of: NaiveDate,
) -> Vec<Finding> {
    let Some(p) = Params::from_rules(rules) else {
        return Vec::new();
    };
    let enabled = |id: &str| rules.enabled_for(id, facts.level, facts.kind);
    let columns = discover(facts, rules);
    let Some(lib) = find_library(facts, &columns, &p) else {
        return Vec::new();
    };
    let snap = &lib.snapshot;
    let mut out = Vec::new();

    // Changes since the previous scan.
    match baseline {
        Baseline::Previous(prev) => {
            for ch in changes(prev, snap) {
                let id = match ch.kind {
                    ChangeKind::New => "normdoc.new",
                    ChangeKind::Revised => "normdoc.revised",
                    ChangeKind::Abolished => "normdoc.abolished",
                };
                let Some(rule) = enabled(id) else { continue };
                let what = label(ch.docno.as_deref(), &ch.title);
                let message = match ch.kind {
                    ChangeKind::New => {
                        format!("文件库新增{what}，有效性：{}", status_zh(ch.new_status))
                    }
                    ChangeKind::Revised => match &ch.old_docno {
                        Some(old) => format!("{what}为新版本，替代原{old}"),
                        None => format!(
                            "{what}有效性由“{}”变为“{}”",
                            status_zh(ch.old_status),
                            status_zh(ch.new_status)
                        ),
                    },
                    ChangeKind::Abolished if ch.removed => format!(
                        "{what}已从文件库中移除（上次检查时为“{}”）",
                        status_zh(ch.old_status)
                    ),
                    ChangeKind::Abolished => format!(
                        "{what}有效性由“{}”变为“{}”",
                        status_zh(ch.old_status),
                        status_zh(ch.new_status)
                    ),
                };
                let url = ch
                    .url
                    .clone()
                    .unwrap_or_else(|| format!("{}#{}", snap.url, ch.key));
                out.push(finding(
                    rule,
                    url,
                    Some(&snap.url),
                    json!({ "library": snap.url, "change": ch }),
                    message,
                ));
            }
        }
        Baseline::NoStore => {
            tracing::info!(site = %facts.name, "no store: normdoc changes not judged");
        }
        Baseline::FirstScan => {
            tracing::info!(site = %facts.name, "first snapshot of the library: no changes");
        }
    }

    // A page read, by URL (looked up: any page of the site).
    let read_page = |url: &str| facts.page(url).filter(|pg| pg.status.is_ok());
    // The rules that need the referrers of links: stale links (the records' documents) and
    // documents with their own 文号 linked from a policy column. One batch.
    let stale_rule = enabled("normdoc.stale_link");
    let not_in_library = match (enabled("normdoc.not_in_library"), &p.normative_docno) {
        (Some(rule), Some(norm)) if snap.complete => Some((rule, norm)),
        _ => None,
    };
    // Pages with an own 文号 have normdoc facts: they are among the pages the checks go
    // through (`checks::reads`).
    let own_docno_pages: Vec<&PageRecord> = match not_in_library {
        Some(_) => facts
            .pages
            .iter()
            .filter(|pg| pg.status.is_ok() && pg.facts.normdoc.own_docno.is_some())
            .collect(),
        None => Vec::new(),
    };
    let mut targets: HashSet<String> = own_docno_pages.iter().map(|d| d.url.clone()).collect();
    if stale_rule.is_some() {
        targets.extend(
            snap.records
                .iter()
                .filter_map(|r| match (r.status, &r.url) {
                    (Some(s), Some(url)) if s != DocStatus::Valid => Some(url.clone()),
                    _ => None,
                }),
        );
    }
    let referrers = if targets.is_empty() {
        HashMap::new()
    } else {
        facts.referrers(&targets)
    };

    for r in &snap.records {
        let status = r.status;
        // 文号 format.
        if let (Some(rule), Some(re), Some(d)) =
            (enabled("normdoc.docno_format"), &p.docno_format, &r.docno)
        {
            let compact: String = d.chars().filter(|c| !c.is_whitespace()).collect();
            if !re.is_match(&compact) {
                let problems = docno_problems(d);
                out.push(finding(
                    rule,
                    target(snap, r),
                    Some(&snap.url),
                    json!({ "docno": d, "title": r.title, "problems": problems, "library": snap.url }),
                    format!(
                        "文号“{d}”格式不规范（{}），应为“机关代字〔年份〕序号号”，如渝府发〔2019〕12号：《{}》",
                        problems.join("；"),
                        r.title
                    ),
                ));
            }
        }
        // 有效期 passed while 有效.
        if let (Some(rule), Some(until)) = (enabled("normdoc.expired_validity"), r.valid_until) {
            if until < as_of && matches!(status, None | Some(DocStatus::Valid)) {
                out.push(finding(
                    rule,
                    target(snap, r),
                    Some(&snap.url),
                    json!({ "docno": r.docno, "title": r.title, "valid_until": until.to_string(),
                            "status": status.map(DocStatus::zh), "as_of": as_of.to_string() }),
                    format!(
                        "{}有效期至{until}，已过期，文件库仍标注为“{}”",
                        label(r.docno.as_deref(), &r.title),
                        status_zh(status).replace("未标注", "有效（未标注）")
                    ),
                ));
            }
        }
        // The document's own page shows its status.
        if let (Some(rule), Some(s), Some(url)) =
            (enabled("normdoc.status_unmarked"), status, &r.url)
        {
            if s != DocStatus::Valid {
                if let Some(pg) = read_page(url) {
                    let own = pg.facts.normdoc.own_status;
                    if matches!(own, None | Some(DocStatus::Valid)) {
                        out.push(finding(
                            rule,
                            url.clone(),
                            Some(&snap.url),
                            json!({ "docno": r.docno, "title": r.title, "library_status": s.zh(),
                                    "page_status": own.map(DocStatus::zh), "library": snap.url }),
                            format!(
                                "文件库标注{}为“{}”，但文件页面未标注其{}状态",
                                label(r.docno.as_deref(), &r.title),
                                s.zh(),
                                s.zh()
                            ),
                        ));
                    }
                }
            }
        }
    }

    // Pages that link to dead or superseded documents without a marker.
    if let Some(rule) = stale_rule {
        let mut by_page: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
        let mut texts: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        // The links each referring page marks (looked up once per page).
        let mut marks: HashMap<&str, Vec<String>> = HashMap::new();
        for r in &snap.records {
            let (Some(s), Some(url)) = (r.status, &r.url) else {
                continue;
            };
            if s == DocStatus::Valid {
                continue;
            }
            let Some((refs, _)) = referrers.get(url) else {
                continue;
            };
            for rf in refs {
                if lib.pages.contains(&*rf.page) || *rf.page == **url {
                    continue;
                }
                let page_marks = marks
                    .entry(&*rf.page)
                    .or_insert_with(|| {
                        read_page(&rf.page)
                            .map(|pg| pg.facts.normdoc.marked_links.clone())
                            .unwrap_or_default()
                    })
                    .iter()
                    .any(|m| m == url);
                if p.markers.marked(&rf.text) || page_marks {
                    continue;
                }
                by_page.entry(&*rf.page).or_default().push(json!({
                    "link": url, "text": &*rf.text, "docno": r.docno, "title": r.title, "status": s.zh(),
                }));
                texts.entry(&*rf.page).or_default().push(format!(
                    "“{}”（{}，{}）",
                    if rf.text.is_empty() {
                        r.title.as_str()
                    } else {
                        &rf.text
                    },
                    url,
                    s.zh()
                ));
            }
        }
        for (page, links) in by_page {
            let list = texts.remove(page).unwrap_or_default().join("；");
            out.push(finding(
                rule,
                page.to_string(),
                Some(page),
                json!({ "page": page, "links": links,
                        "note": "referrers are the first pages the crawl recorded for each document" }),
                format!("页面 {page} 链接的文件已废止、失效或修订，但链接处未标注：{list}"),
            ));
        }
    }

    // Normative documents in policy columns but not in the library.
    if let Some((rule, norm)) = not_in_library {
        let in_lib: HashSet<String> = snap
            .records
            .iter()
            .filter_map(|r| r.docno.as_deref().map(normalize_docno))
            .collect();
        let mut seen = HashSet::new();
        for c in columns.iter().filter(|c| {
            p.library_name(&c.name).is_none()
                && p.policy_columns.iter().any(|re| re.is_match(&c.name))
        }) {
            for pg in &c.pages {
                for r in &pg.facts.normdoc.records {
                    let Some(d) = &r.docno else { continue };
                    let n = normalize_docno(d);
                    if !norm.is_match(d) || in_lib.contains(&n) || !seen.insert(n) {
                        continue;
                    }
                    out.push(finding(
                        rule,
                        r.url.clone().unwrap_or_else(|| format!("{}#{d}", pg.url)),
                        Some(&pg.url),
                        json!({ "docno": d, "title": r.title, "column": c.name, "column_url": c.url,
                                "library": snap.url, "library_pages_read": snap.pages_read }),
                        format!(
                            "栏目“{}”发布的行政规范性文件{}未纳入文件库（{}）",
                            c.name,
                            label(Some(d), &r.title),
                            snap.url
                        ),
                    ));
                }
            }
            // Article pages linked from the column that show a normative 文号 of their own.
            let column_pages: HashSet<&str> = c.pages.iter().map(|pg| pg.url.as_str()).collect();
            for doc in &own_docno_pages {
                let Some(d) = &doc.facts.normdoc.own_docno else {
                    continue;
                };
                let n = normalize_docno(d);
                if !norm.is_match(d) || in_lib.contains(&n) || seen.contains(&n) {
                    continue;
                }
                let linked = referrers.get(&doc.url).is_some_and(|(refs, _)| {
                    refs.iter().any(|rf| column_pages.contains(&*rf.page))
                });
                if !linked {
                    continue;
                }
                seen.insert(n);
                let title = doc
                    .facts
                    .article_title
                    .clone()
                    .or_else(|| doc.title.clone())
                    .unwrap_or_default();
                out.push(finding(
                    rule,
                    doc.url.clone(),
                    Some(&c.url),
                    json!({ "docno": d, "title": title, "column": c.name, "column_url": c.url,
                            "library": snap.url, "library_pages_read": snap.pages_read }),
                    format!(
                        "栏目“{}”发布的行政规范性文件{}未纳入文件库（{}）",
                        c.name,
                        label(Some(d), &title),
                        snap.url
                    ),
                ));
            }
        }
    }
    out
}

/// What is wrong with a 文号 (in Chinese).
pub fn docno_problems(docno: &str) -> Vec<&'static str> {
    let mut v = Vec::new();
    if docno.contains(['[', ']', '［', '］']) {
        v.push("使用了方括号[ ]");
    }
    if docno.contains(['(', ')', '（', '）']) {
        v.push("使用了圆括号( )");
    }
    if docno.contains(['【', '】']) {
        v.push("使用了方头括号【 】");
    }
    if docno.contains('第') {
        v.push("序号前有“第”");
    }
    if docno.chars().any(|c| ('０'..='９').contains(&c)) {
        v.push("使用了全角数字");
    }
    let ascii = crate::extract::normdoc::ascii_digits(docno);
    let serial_zero = ascii
        .char_indices()
        .filter(|(_, c)| matches!(c, '〕' | ']' | ')' | '）' | '】' | '］' | '第'))
        .any(|(i, c)| {
            ascii
                .get(i + c.len_utf8()..)
                .map(|rest| rest.trim_start_matches('第').trim_start())
                .is_some_and(|rest| rest.starts_with('0'))
        });
    if serial_zero {
        v.push("序号有前导零");
    }
    if docno.chars().any(char::is_whitespace) {
        v.push("含有空格");
    }
    if !docno.ends_with('号') {
        v.push("缺少“号”");
    }
    if v.is_empty() {
        v.push("不符合“机关代字〔年份〕序号号”格式");
    }
    v
}

#[cfg(test)]
#[path = "normdoc_tests.rs"]
mod tests;
