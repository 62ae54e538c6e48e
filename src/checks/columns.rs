//! Column checks: freshness by column class (`column.stale.news`, `.notice_policy`,
//! `.personnel_plan`), the counting vetoes (`column.stale.veto`, `column.stale.should_update`),
//! the 政策文件 deduction (`column.stale.policy`), blank columns (`column.blank`,
//! `column.blank.warn`) and the 政府信息公开 专栏 (`column.missing.xxgk`, `.art20`, `.art21`).
//!
//! # Which pages are columns
//!
//! A column is a crawled page (not the home page, not an article — article pages carry
//! `PubDate`/`ArticleTitle`) that lists items or says it lists nothing (暂无信息...), or a page
//! named in the site's configuration — wherever it is linked from (the home page, a section's
//! side navigation with relative hrefs...). Its name is, in order of preference, the
//! configured name, `<meta name="ColumnName">`, the anchor texts of links to it, the heading
//! the page shows over its list (or its breadcrumb's last part), and the first part of its
//! `<title>`; the first of these that matches a class's name patterns classifies it.
//! Pages of the same name are one column (its pagination, or the same list under two URLs):
//! the newest item of any of them counts. A page whose items are all undated links to other
//! list pages is a channel page (栏目导航), judged through its sub-columns.
//!
//! No double counting: a blank column is never also stale, and each column counts once in the
//! counting rules even if its name fits two classes (the first class in the order news,
//! notice/policy, personnel/plan wins).

use crate::rules::params::{
    ColumnBlankParams, ColumnBlankWarnParams, ColumnClassParams, ColumnItemsParams,
    CountRuleParams, XxgkEntranceParams, XxgkParams,
};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::Finding;
use crate::crawl::{PageRecord, SiteFacts};
use crate::extract::facts::{ListItem, NavLink};
use crate::rules::RuleSet;

/// The per-class freshness rules, in classification order.
pub const CLASS_RULES: &[&str] = &[
    "column.stale.news",
    "column.stale.notice_policy",
    "column.stale.personnel_plan",
];

/// Anchor texts that never name a column.
const GENERIC_NAMES: &[&str] = &[
    "更多",
    "更多>>",
    "more",
    "MORE",
    "More",
    "首页",
    "返回",
    "返回首页",
    "上一页",
    "下一页",
    "尾页",
    "末页",
    "详细",
    "详情",
    "查看",
    "进入",
    "点击进入",
];

/// One column: the pages of one name.
#[derive(Debug, Clone)]
pub struct Column<'a> {
    pub name: String,
    /// The class rule id (`column.stale.news`...), if its name fits one.
    pub class: Option<&'static str>,
    /// Its main page (the shallowest).
    pub url: String,
    pub pages: Vec<&'a PageRecord>,
    /// Linked from the home page, or configured.
    pub first_level: bool,
    pub configured: bool,
    pub dated: u32,
    pub undated: u32,
    pub empty_marker: Option<String>,
}

impl Column<'_> {
    /// Lists nothing and says so.
    pub fn is_blank(&self) -> bool {
        self.dated == 0 && self.undated == 0 && self.empty_marker.is_some()
    }

    /// The newest item date not after `as_of`, with the item (if among the samples).
    pub fn newest(&self, as_of: NaiveDate) -> Option<(NaiveDate, Option<&ListItem>)> {
        let mut best: Option<NaiveDate> = None;
        for p in &self.pages {
            for d in p.facts.dates.iter().filter_map(|d| d.resolve(as_of)) {
                if d <= as_of {
                    best = best.max(Some(d));
                }
            }
        }
        let best = best?;
        let item = self.pages.iter().find_map(|p| {
            p.facts
                .items
                .iter()
                .find(|i| i.date.and_then(|d| d.resolve(as_of)) == Some(best))
        });
        Some((best, item))
    }

    /// The page that links to it, for the report: the first referrer. (A column's pages are
    /// kept, and so are the links to them with their referrers.)
    fn linked_from(&self, facts: &SiteFacts) -> Option<String> {
        self.pages.iter().find_map(|p| {
            facts
                .link(&p.url)
                .and_then(|l| l.referrers.first().map(|r| r.page.to_string()))
        })
    }
}

/// Strip what surrounds a name in a link (spaces, arrows, brackets, punctuation).
pub fn normalize_name(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '“' | '”' | '、'))
        .collect()
}

fn usable_name(s: &str) -> Option<String> {
    let n = normalize_name(s);
    let len = n.chars().count();
    ((2..=16).contains(&len) && !GENERIC_NAMES.contains(&n.as_str()) && !n.contains("更多"))
        .then_some(n)
}

fn title_name(title: &str) -> Option<String> {
    let first = title
        .split(['_', '|', '｜', '—', '-', '–'])
        .map(str::trim)
        .find(|s| !s.is_empty())?;
    usable_name(first).filter(|n| n.chars().count() <= 12)
}

/// The page answered OK at `url` (its URL, else its final URL), held or looked up.
fn ok_page<'f>(facts: &'f SiteFacts, url: &str) -> Option<Cow<'f, PageRecord>> {
    facts.page(url).filter(|p| p.status.is_ok())
}

/// The names the site gives its pages in the navigation of every page: per URL, how many
/// times pages show each usable name.
struct Anchors {
    nav: HashMap<String, BTreeMap<String, usize>>,
}

impl Anchors {
    fn new(facts: &SiteFacts) -> Anchors {
        let mut nav: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
        for (url, texts) in facts.nav_names() {
            for (text, shown) in texts {
                if let Some(name) = usable_name(&text) {
                    *nav.entry(url.clone()).or_default().entry(name).or_default() += shown;
                }
            }
        }
        Anchors { nav }
    }

    /// Anchor texts of the links to `url`, most frequent first: the navigation's, and the
    /// referrers' of the link to it (a column page is kept, and so is the link to it with its
    /// referrers).
    fn names(&self, facts: &SiteFacts, url: &str) -> Vec<String> {
        let mut counts = self.nav.get(url).cloned().unwrap_or_default();
        if let Some(l) = facts.link(url) {
            for r in &l.referrers {
                if let Some(name) = usable_name(&r.text) {
                    counts.entry(name).or_insert(1);
                }
            }
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter().map(|(n, _)| n).collect()
    }
}

fn class_matches(p: &ColumnClassParams, name: &str) -> bool {
    p.name_patterns.iter().any(|r| r.is_match(name))
        && !p.exclude_patterns.iter().any(|r| r.is_match(name))
}

/// The columns of a site (see the module documentation).
pub fn discover<'a>(facts: &'a SiteFacts, rules: &RuleSet) -> Vec<Column<'a>> {
    let anchors = Anchors::new(facts);
    let configured: HashMap<&str, &str> = facts
        .configured_columns
        .iter()
        .map(|(n, u)| (u.as_str(), n.as_str()))
        .collect();
    let home_urls: HashSet<&str> = facts
        .home
        .iter()
        .flat_map(|h| [h.url.as_str(), h.final_url.as_str()])
        .collect();
    let home_nav: HashSet<&str> = facts
        .home
        .iter()
        .flat_map(|h| h.facts.nav.iter().map(|n| n.url.as_str()))
        .collect();
    let classes: Vec<(&'static str, &ColumnClassParams)> = CLASS_RULES
        .iter()
        .filter_map(|id| {
            rules
                .enabled_typed::<ColumnClassParams>(id, facts.level, facts.kind)
                .map(|(_, p)| (*id, p))
        })
        .collect();

    let mut seen_pages: HashSet<*const PageRecord> = HashSet::new();
    let mut columns: Vec<Column<'a>> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut pages: Vec<&PageRecord> = facts.pages.iter().filter(|p| p.status.is_ok()).collect();
    pages.sort_by_key(|p| p.depth);
    for p in pages {
        if home_urls.contains(p.url.as_str()) || home_urls.contains(p.final_url.as_str()) {
            continue;
        }
        if !seen_pages.insert(std::ptr::from_ref(p)) {
            continue;
        }
        let configured_name = configured
            .get(p.url.as_str())
            .or_else(|| configured.get(p.final_url.as_str()))
            .copied();
        let f = &p.facts;
        if f.is_article() {
            continue;
        }
        if configured_name.is_none() && f.item_count() == 0 && f.empty_marker.is_none() {
            continue;
        }
        if is_channel(p, facts) {
            continue;
        }
        let mut names: Vec<String> = Vec::new();
        names.extend(configured_name.map(str::to_string));
        names.extend(f.column_name.as_deref().and_then(usable_name));
        for u in [p.url.as_str(), p.final_url.as_str()] {
            names.extend(anchors.names(facts, u));
        }
        names.extend(f.heading.as_deref().and_then(usable_name));
        names.extend(p.title.as_deref().and_then(title_name));
        let classified = names.iter().find_map(|n| {
            classes
                .iter()
                .find(|(_, r)| class_matches(r, n))
                .map(|(id, _)| (n.clone(), Some(*id)))
        });
        let (name, class) = classified.unwrap_or_else(|| {
            let n = configured_name
                .map(str::to_string)
                .or_else(|| names.first().cloned())
                .unwrap_or_else(|| p.url.clone());
            (n, None)
        });
        let first_level = configured_name.is_some()
            || home_nav.contains(p.url.as_str())
            || home_nav.contains(p.final_url.as_str())
            || facts.link(&p.url).is_some_and(|l| l.on_home);
        let i = *by_name.entry(name.clone()).or_insert_with(|| {
            columns.push(Column {
                name: name.clone(),
                class,
                url: p.url.clone(),
                pages: Vec::new(),
                first_level: false,
                configured: false,
                dated: 0,
                undated: 0,
                empty_marker: None,
            });
            columns.len() - 1
        });
        let c = &mut columns[i];
        c.pages.push(p);
        c.first_level |= first_level;
        c.configured |= configured_name.is_some();
        c.dated += f.dated_items;
        c.undated += f.undated_items;
        if c.empty_marker.is_none() {
            c.empty_marker.clone_from(&f.empty_marker);
        }
    }
    columns
}

/// A page whose items are all undated and mostly link to other list pages: a channel page.
/// The pages its items lead to are looked up until the answer is known.
fn is_channel(p: &PageRecord, facts: &SiteFacts) -> bool {
    let f = &p.facts;
    if f.dated_items > 0 || f.items.is_empty() {
        return false;
    }
    let total = f.items.len();
    let mut lists = 0;
    for (i, it) in f.items.iter().enumerate() {
        let is_list = it
            .url
            .as_deref()
            .and_then(|u| ok_page(facts, u))
            .is_some_and(|q| {
                !q.facts.is_article() && (q.facts.item_count() > 0 || !q.facts.nav.is_empty())
            });
        lists += usize::from(is_list);
        let left = total - i - 1;
        if lists * 2 >= total || (lists + left) * 2 < total {
            break;
        }
    }
    lists * 2 >= total
}

/// Why a column is stale: its newest item, or none dated.
struct Stale<'c> {
    newest: Option<(NaiveDate, Option<&'c ListItem>)>,
    age_days: Option<i64>,
}

fn staleness<'c>(c: &'c Column<'_>, p: &ColumnClassParams, as_of: NaiveDate) -> Option<Stale<'c>> {
    if c.is_blank() {
        return None;
    }
    if p.first_level_only && !c.first_level {
        return None;
    }
    let window = p.window_days;
    match c.newest(as_of) {
        Some((d, item)) => {
            let age = (as_of - d).num_days();
            (age > window).then_some(Stale {
                newest: Some((d, item)),
                age_days: Some(age),
            })
        }
        None if c.undated > 0 && p.undated_counts_as_stale => Some(Stale {
            newest: None,
            age_days: None,
        }),
        None => None,
    }
}

fn column_evidence(
    c: &Column<'_>,
    facts: &SiteFacts,
    params: Option<&ColumnClassParams>,
    stale: Option<&Stale<'_>>,
) -> Value {
    let newest = stale.and_then(|s| s.newest);
    json!({
        "column": c.name,
        "class": c.class,
        "url": c.url,
        "pages_looked_at": c.pages.iter().map(|p| p.url.as_str()).take(10).collect::<Vec<_>>(),
        "linked_from": c.linked_from(facts),
        "first_level": c.first_level,
        "configured": c.configured,
        "window_days": params.map(|p| p.window_days),
        "newest_date": newest.map(|(d, _)| d.to_string()),
        "newest_item": newest.and_then(|(_, i)| i).map(|i| json!({"title": i.title, "url": i.url})),
        "age_days": stale.and_then(|s| s.age_days),
        "dated_items": c.dated,
        "undated_items": c.undated,
        "empty_marker": c.empty_marker,
    })
}

use super::finding;

fn class_zh(id: &str) -> &'static str {
    match id {
        "column.stale.news" => "动态要闻类",
        "column.stale.notice_policy" => "通知公告、政策文件类",
        "column.stale.personnel_plan" => "人事、规划计划类",
        "column.stale.policy" => "政策文件",
        _ => "",
    }
}

/// A window of days in words: whole years as 年, about whole months (within 3 days) from two
/// months on as 个月, whole weeks under two months as 周, else 天.
fn days_zh(days: i64) -> String {
    let months = (days as f64 / 30.44).round();
    match days {
        d if d > 0 && d % 365 == 0 => format!("{}年", d / 365),
        d if d >= 60 && (months * 30.44 - d as f64).abs() <= 3.0 => format!("{months}个月"),
        d if d > 0 && d < 60 && d % 7 == 0 => format!("{}周", d / 7),
        d => format!("{d}天"),
    }
}

fn stale_message(c: &Column<'_>, class: &str, p: &ColumnClassParams, s: &Stale<'_>) -> String {
    let window = p.window_days;
    match (s.newest, s.age_days) {
        (Some((d, _)), Some(age)) => format!(
            "{class}栏目「{}」超过 {window} 天未更新：最新信息发布于 {d}（距检查时 {age} 天）",
            c.name
        ),
        _ => format!(
            "{class}栏目「{}」的 {} 条信息均未标注发布日期，视为未更新",
            c.name, c.undated
        ),
    }
}

/// The column freshness and blank-column findings.
pub fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    let columns = discover(facts, rules);
    let mut out = Vec::new();
    // Per class: each stale column once.
    let mut counted: HashMap<&'static str, Vec<(usize, Option<NaiveDate>)>> = HashMap::new();
    for (i, c) in columns.iter().enumerate() {
        let Some(class) = c.class else { continue };
        let Some((rule, params)) =
            rules.enabled_typed::<ColumnClassParams>(class, facts.level, facts.kind)
        else {
            continue;
        };
        let Some(s) = staleness(c, params, as_of) else {
            continue;
        };
        counted
            .entry(class)
            .or_default()
            .push((i, s.newest.map(|(d, _)| d)));
        out.push(finding(
            rule,
            &c.url,
            c.linked_from(facts).as_deref(),
            column_evidence(c, facts, Some(params), Some(&s)),
            stale_message(c, class_zh(class), params, &s),
        ));
    }
    // The counting rules.
    for id in ["column.stale.veto", "column.stale.should_update"] {
        let Some((rule, p)) = rules.enabled_typed::<CountRuleParams>(id, facts.level, facts.kind)
        else {
            continue;
        };
        let mut listed: Vec<(usize, Option<NaiveDate>, &str)> = Vec::new();
        for r in &p.count_rules {
            for (i, d) in counted.get(r.as_str()).into_iter().flatten() {
                if !listed.iter().any(|(j, _, _)| j == i) {
                    listed.push((*i, *d, class_zh(r)));
                }
            }
        }
        let threshold = p.threshold;
        if listed.is_empty() || listed.len() < threshold {
            continue;
        }
        let list: Vec<Value> = listed
            .iter()
            .map(|(i, d, class)| {
                json!({"column": columns[*i].name, "class": class, "url": columns[*i].url,
                       "newest_date": d.map(|d| d.to_string())})
            })
            .collect();
        let names: Vec<&str> = listed
            .iter()
            .map(|(i, _, _)| columns[*i].name.as_str())
            .collect();
        let what = if id == "column.stale.veto" {
            // The windows of the counted rules, as the rule files set them.
            let windows: Vec<String> = p
                .count_rules
                .iter()
                .filter_map(|cid| rules.get(cid))
                .filter_map(|cr| {
                    let window = cr.typed::<ColumnClassParams>()?.window_days;
                    Some(format!("{}栏目{}内", class_zh(&cr.id), days_zh(window)))
                })
                .collect();
            format!("{}未更新", windows.join("、"))
        } else {
            "应更新但长期未更新的栏目".to_string()
        };
        out.push(finding(
            rule,
            &facts.url,
            None,
            json!({"count": listed.len(), "threshold": threshold, "columns": list}),
            format!(
                "{what}共 {} 个（达到 {threshold} 个）：{}",
                listed.len(),
                names.join("、")
            ),
        ));
    }
    // 政策文件 column stale: a deduction, once per column; blank columns are not stale.
    if let Some((rule, params)) =
        rules.enabled_typed::<ColumnClassParams>("column.stale.policy", facts.level, facts.kind)
    {
        for c in &columns {
            if !class_matches(params, &c.name) {
                continue;
            }
            if let Some(s) = staleness(c, params, as_of) {
                out.push(finding(
                    rule,
                    &c.url,
                    c.linked_from(facts).as_deref(),
                    column_evidence(c, facts, Some(params), Some(&s)),
                    stale_message(c, "", params, &s),
                ));
            }
        }
    }
    // Blank columns.
    let blank: Vec<&Column<'_>> = columns.iter().filter(|c| c.is_blank()).collect();
    if let Some((rule, p)) =
        rules.enabled_typed::<ColumnBlankWarnParams>("column.blank.warn", facts.level, facts.kind)
    {
        let threshold = p.threshold;
        if !blank.is_empty() && blank.len() >= threshold {
            for c in &blank {
                out.push(finding(
                    rule,
                    &c.url,
                    c.linked_from(facts).as_deref(),
                    column_evidence(c, facts, None, None),
                    format!(
                        "空白栏目「{}」：栏目页面没有任何信息（页面显示「{}」）",
                        c.name,
                        c.empty_marker.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if let Some((rule, p)) =
        rules.enabled_typed::<ColumnBlankParams>("column.blank", facts.level, facts.kind)
    {
        let threshold = p.threshold;
        if !blank.is_empty() && blank.len() >= threshold {
            let names: Vec<&str> = blank.iter().map(|c| c.name.as_str()).collect();
            out.push(finding(
                rule,
                &facts.url,
                None,
                json!({
                    "count": blank.len(),
                    "threshold": threshold,
                    "columns": blank.iter().map(|c| json!({"column": c.name, "url": c.url,
                        "empty_marker": c.empty_marker})).collect::<Vec<_>>(),
                }),
                format!(
                    "空白栏目共 {} 个（达到 {threshold} 个）：{}",
                    blank.len(),
                    names.join("、")
                ),
            ));
        }
    }
    out
}

// ─── The 政府信息公开 专栏 ─────────────────────────────────────────────────────────────

fn name_fits(text: &str, group: &[String]) -> bool {
    let t = normalize_name(text);
    if t.is_empty() {
        return false;
    }
    group.iter().enumerate().any(|(i, alias)| {
        let a = normalize_name(alias);
        !a.is_empty() && (t == a || ((i == 0 || a.chars().count() >= 3) && t.contains(&a)))
    })
}

fn find_link<'n>(navs: &[&'n [NavLink]], group: &[String]) -> Option<&'n NavLink> {
    navs.iter()
        .flat_map(|n| n.iter())
        .find(|l| name_fits(&l.text, group))
}

/// The page judged as the 专栏 and how it was reached.
struct Entrance {
    url: String,
    /// Its name as linked (or its heading).
    text: String,
    /// Named with the uniform name.
    uniform: bool,
    /// Links from the home page (0: configured).
    level: u32,
    /// The home-page link it was reached through, when not linked from the home page
    /// (text, URL).
    via: Option<(String, String)>,
    /// How the home page itself links it, when it does (text).
    home_text: Option<String>,
    /// Link text or page heading.
    how: &'static str,
    configured: bool,
    /// How many of the four entries its page shows.
    entries_found: usize,
}

/// How a name relates to the 专栏: Some(true) uniform, Some(false) an alias.
fn xxgk_name(p: &XxgkParams, text: &str) -> Option<bool> {
    let n = normalize_name(text);
    if n.is_empty() {
        return None;
    }
    let uniform =
        std::iter::once(p.entry_name.as_str()).chain(p.uniform_names.iter().map(String::as_str));
    let mut uniform = uniform.map(normalize_name);
    if uniform.any(|u| u == n) {
        return Some(true);
    }
    p.entry_aliases
        .iter()
        .any(|a| normalize_name(a) == n)
        .then_some(false)
}

/// A page's heading: its `ColumnName`, else its title's first part.
fn xxgk_heading(p: &PageRecord) -> Option<String> {
    p.facts
        .column_name
        .clone()
        .or_else(|| p.title.as_deref().and_then(title_name))
}

/// Whether the 专栏 look-up (`find_entrance`) reads this page's heading: near enough to the
/// home page, and named as the 专栏 (`checks::reads` keeps such pages).
pub(crate) fn xxgk_heading_page(params: &XxgkParams, p: &PageRecord) -> bool {
    p.depth >= 1
        && i64::from(p.depth) <= params.max_link_levels.max(1)
        && xxgk_heading(p).is_some_and(|h| xxgk_name(params, &h).is_some())
}

fn entries_on(page: Option<&PageRecord>, entries: &[Vec<String>]) -> usize {
    let Some(p) = page else { return 0 };
    let navs = [p.facts.nav.as_slice()];
    entries
        .iter()
        .filter(|g| find_link(&navs, g).is_some())
        .count()
}

fn find_entrance(facts: &SiteFacts, rule: &XxgkParams) -> Option<Entrance> {
    let entry = rule.entry_name.as_str();
    let aliases = &rule.entry_aliases;
    let uniform = normalize_name(entry);
    let is_alias = |t: &str| aliases.iter().any(|a| normalize_name(a) == t);
    for (name, url) in &facts.configured_columns {
        let n = normalize_name(name);
        if n == uniform || is_alias(&n) || xxgk_name(rule, name).is_some() {
            return Some(Entrance {
                url: url.clone(),
                text: name.clone(),
                uniform: xxgk_name(rule, name) == Some(true),
                level: 0,
                via: None,
                home_text: Some(name.clone()),
                how: "配置",
                configured: true,
                entries_found: 0,
            });
        }
    }
    let home = facts.home.as_ref()?;
    let entries = &rule.entries;
    let max_levels = rule.max_link_levels.max(1);
    let home_text_of = |url: &str| {
        home.facts
            .nav
            .iter()
            .find(|l| l.url == url)
            .map(|l| l.text.clone())
    };
    let mut candidates: Vec<Entrance> = Vec::new();
    let mut push = |url: &str, text: &str, how: &'static str, via: Option<(String, String)>| {
        let Some(uniform) = xxgk_name(rule, text) else {
            return;
        };
        let home_text = home_text_of(url);
        let level = if home_text.is_some() { 1 } else { 2 };
        candidates.push(Entrance {
            url: url.to_string(),
            text: text.trim().to_string(),
            uniform,
            level,
            via: if home_text.is_some() { None } else { via },
            home_text,
            how,
            configured: false,
            entries_found: entries_on(ok_page(facts, url).as_deref(), entries),
        });
    };
    // Level 1: the home page's links.
    for l in &home.facts.nav {
        push(&l.url, &l.text, "链接文字", None);
    }
    // Level 2: the links of the pages the home page links.
    if max_levels >= 2 {
        for hl in &home.facts.nav {
            let Some(p) = ok_page(facts, &hl.url) else {
                continue;
            };
            if p.url == home.url {
                continue;
            }
            for l in &p.facts.nav {
                push(
                    &l.url,
                    &l.text,
                    "链接文字",
                    Some((hl.text.clone(), hl.url.clone())),
                );
            }
        }
    }
    // Page headings (`ColumnName`, the title's first part) of pages near the home page (the
    // pages whose heading names the 专栏 are kept: `checks::reads`).
    for p in facts
        .pages
        .iter()
        .filter(|p| p.status.is_ok() && p.depth >= 1 && i64::from(p.depth) <= max_levels)
    {
        let Some(h) = xxgk_heading(p) else { continue };
        let via = facts.link(&p.url).and_then(|l| {
            l.referrers
                .iter()
                .find(|r| *r.page != *home.url)
                .map(|r| (r.text.to_string(), r.page.to_string()))
        });
        push(&p.url, &h, "页面标题", via);
    }
    // The 专栏 is the candidate that shows the most entries; then the uniform name, then the
    // one nearest the home page.
    candidates
        .into_iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| {
            (
                a.entries_found,
                a.uniform,
                std::cmp::Reverse(a.level),
                std::cmp::Reverse(*i),
            )
                .cmp(&(
                    b.entries_found,
                    b.uniform,
                    std::cmp::Reverse(b.level),
                    std::cmp::Reverse(*j),
                ))
        })
        .map(|(_, e)| e)
}

/// The 政府信息公开 专栏 findings: `column.missing.xxgk` (no 专栏, or an entry missing on
/// it), `column.xxgk.entrance` (how the home page leads to it) and the sub-columns of its
/// 法定主动公开内容 (`column.missing.art20`, `.art21`).
pub fn check_xxgk(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some((rule, params)) =
        rules.enabled_typed::<XxgkParams>("column.missing.xxgk", facts.level, facts.kind)
    else {
        return out;
    };
    let Some(home) = facts.home.as_ref().filter(|h| h.status.is_ok()) else {
        return out;
    };
    let entry_name = params.entry_name.as_str();
    let Some(entrance) = find_entrance(facts, params) else {
        out.push(finding(
            rule,
            &facts.url,
            Some(&home.url),
            json!({"looked_for": entry_name, "aliases": params.entry_aliases,
                   "where": "首页及其链接页面的链接文字和已抓取页面的标题",
                   "max_link_levels": params.max_link_levels}),
            format!("未找到「{entry_name}」专栏：首页及其链接的页面中均无名为「{entry_name}」（或其常见别名）的栏目链接或页面"),
        ));
        return out;
    };
    let reached = match (&entrance.via, entrance.configured) {
        (_, true) => "网站配置指定".to_string(),
        (Some((t, u)), _) => format!("首页 →「{}」（{u}）→「{}」", t.trim(), entrance.text),
        (None, _) => format!("首页 →「{}」", entrance.text),
    };
    let entrance_evidence = json!({
        "xxgk_url": entrance.url,
        "xxgk_name": entrance.text,
        "found_by": entrance.how,
        "reached": reached,
        "via": entrance.via.as_ref().map(|(t, u)| json!({"text": t, "url": u})),
        "home_link_text": entrance.home_text,
        "link_levels": entrance.level,
        "entries_found": entrance.entries_found,
        "configured": entrance.configured,
    });
    if let Some((er, ep)) =
        rules.enabled_typed::<XxgkEntranceParams>("column.xxgk.entrance", facts.level, facts.kind)
    {
        let mut problems: Vec<String> = Vec::new();
        if entrance.level > 1 && ep.require_on_home {
            let via = entrance
                .via
                .as_ref()
                .map(|(t, _)| format!("，需经「{}」页面进入", t.trim()))
                .unwrap_or_default();
            problems.push(format!("首页未直接链接政府信息公开专栏{via}"));
        }
        let shown = entrance.home_text.as_deref().unwrap_or(&entrance.text);
        let shown_uniform = xxgk_name(params, shown) == Some(true);
        if !shown_uniform {
            problems.push(format!(
                "专栏入口名称为「{}」，未使用统一名称「{entry_name}」",
                shown.trim()
            ));
        }
        if !problems.is_empty() {
            let mut ev = entrance_evidence.clone();
            ev["problems"] = json!(problems);
            ev["uniform_name"] = json!(entry_name);
            out.push(finding(
                er,
                &entrance.url,
                Some(&home.url),
                ev,
                format!(
                    "政府信息公开专栏入口不规范：{}（专栏页面 {}，{reached}）",
                    problems.join("；"),
                    entrance.url
                ),
            ));
        }
    }
    let xxgk_page = ok_page(facts, &entrance.url);
    let configured_nav: Vec<NavLink> = facts
        .configured_columns
        .iter()
        .map(|(n, u)| NavLink {
            text: n.clone(),
            url: u.clone(),
        })
        .collect();
    let mut navs: Vec<&[NavLink]> = vec![configured_nav.as_slice()];
    navs.extend(xxgk_page.as_deref().map(|p| p.facts.nav.as_slice()));
    if entrance.level <= 1 {
        navs.push(home.facts.nav.as_slice());
    }
    let mut where_looked: Vec<&str> = vec![entrance.url.as_str()];
    if entrance.level <= 1 {
        where_looked.push(home.url.as_str());
    }
    let entries = &params.entries;
    let mut fdzdgk: Option<String> = None;
    // Entries can only be missing from a 专栏 page that was read (or configured entries).
    let judged = xxgk_page.is_some() || !configured_nav.is_empty();
    for (i, group) in entries.iter().enumerate() {
        let Some(canonical) = group.first() else {
            continue;
        };
        match find_link(&navs, group) {
            Some(l) if canonical.contains("法定主动公开") || (fdzdgk.is_none() && i == 2) => {
                fdzdgk = Some(l.url.clone());
            }
            Some(_) => {}
            None if judged => {
                let mut ev = entrance_evidence.clone();
                ev["missing"] = json!(canonical);
                ev["aliases"] = json!(group);
                ev["looked_in"] = json!(where_looked);
                ev["xxgk_page_crawled"] = json!(xxgk_page.is_some());
                out.push(finding(
                    rule,
                    &entrance.url,
                    Some(&entrance.url),
                    ev,
                    format!(
                        "政府信息公开专栏（{}）缺少「{canonical}」栏目",
                        entrance.url
                    ),
                ));
            }
            None => {}
        }
    }
    // Sub-columns of 法定主动公开内容.
    let Some(fd_url) = fdzdgk else { return out };
    let Some(fd_page) = ok_page(facts, &fd_url) else {
        return out;
    };
    // The pages it links (its sub-columns), looked up.
    let children: Vec<Cow<'_, PageRecord>> = fd_page
        .facts
        .nav
        .iter()
        .filter_map(|l| ok_page(facts, &l.url))
        .filter(|child| child.url != fd_page.url)
        .collect();
    let mut sub_navs: Vec<&[NavLink]> =
        vec![configured_nav.as_slice(), fd_page.facts.nav.as_slice()];
    sub_navs.extend(xxgk_page.as_deref().map(|p| p.facts.nav.as_slice()));
    for child in &children {
        sub_navs.push(child.facts.nav.as_slice());
    }
    for (id, article) in [
        ("column.missing.art20", "第二十条"),
        ("column.missing.art21", "第二十一条"),
    ] {
        let Some((r, items)) =
            rules.enabled_typed::<ColumnItemsParams>(id, facts.level, facts.kind)
        else {
            continue;
        };
        for group in &items.items {
            let Some(canonical) = group.first() else {
                continue;
            };
            if find_link(&sub_navs, group).is_none() {
                out.push(finding(
                    r,
                    &fd_url,
                    Some(&fd_url),
                    json!({"missing": canonical, "aliases": group, "article": article,
                           "looked_in": [fd_url.as_str(), entrance.url.as_str()]}),
                    format!(
                        "法定主动公开内容未发现《政府信息公开条例》{article}规定的「{canonical}」子栏目，需人工确认"
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "columns_tests.rs"]
mod tests;
