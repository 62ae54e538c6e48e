//! Annual reports (政府信息公开工作年度报告, regulations §4): `annual_report.missing` (no
//! report for the year due, or one published after its deadline), `annual_report.sections`
//! (a section 一–六 missing, a table cut short), `annual_report.inconsistent` (the relations
//! T3-1, T3-2, T3-3, T4-1), `annual_report.cross_year` and
//! `annual_report.format_version` (a report for 2021 or later in the 2019 layout).
//!
//! The reports are read at crawl time (`extract::annual_report`, kept in the page facts); this
//! module only judges them. The year judged is the newest whose deadline has passed as of the
//! as-of day: for year Y, 31 January Y+1 for a department, 31 March Y+1 for a government
//! (portal), both from the rule file. The report is found among the crawled pages (a page
//! whose title names the report of year Y) or in the 年报 column's list (an item whose title
//! does; the newest such item).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use serde::Serialize;
use serde_json::json;

use super::columns;
use super::Finding;
use crate::config::SiteKind;
use crate::crawl::{PageRecord, SiteFacts};
#[cfg(test)]
use crate::extract::annual_report::ReportRules;
use crate::extract::annual_report::{AnnualReport, Layout};
use crate::rules::RuleSet;

/// Every parameter the annual-report rules take, read in this one place.
#[derive(Debug, Clone)]
pub struct Params {
    /// `annual_report.missing` `column_patterns`.
    pub column_patterns: Vec<Regex>,
    /// `annual_report.missing` `title_pattern` (group 1: the year).
    pub title_pattern: Regex,
    /// `annual_report.missing` `department_deadline` (month, day).
    pub department_deadline: (u32, u32),
    /// `annual_report.missing` `government_deadline` (month, day).
    pub government_deadline: (u32, u32),
    /// `annual_report.sections` `sections`.
    pub sections: Vec<Vec<String>>,
    /// `annual_report.inconsistent` `relations`.
    pub relations: Vec<String>,
    /// `annual_report.cross_year` `relations`.
    pub cross_relations: Vec<String>,
    /// `annual_report.format_version` `format_2021_from_year` (none without the rule).
    pub format_2021_from_year: Option<i64>,
}

impl Params {
    /// The parameters, when the rule set has `annual_report.missing` and
    /// `annual_report.sections` (the others are optional).
    pub fn from_rules(rules: &RuleSet) -> Option<Params> {
        use crate::rules::params::{
            AnnualReportFormatParams, AnnualReportMissingParams, AnnualReportRelationsParams,
            AnnualReportSectionsParams,
        };
        let missing = rules
            .get("annual_report.missing")?
            .typed::<AnnualReportMissingParams>()?;
        let sections = rules
            .get("annual_report.sections")?
            .typed::<AnnualReportSectionsParams>()?;
        let relations = |id: &str| {
            rules
                .get(id)
                .and_then(|r| r.typed::<AnnualReportRelationsParams>())
                .map(|p| p.relations.clone())
                .unwrap_or_default()
        };
        let day = |d: crate::rules::params::MonthDay| (d.month, d.day);
        Some(Params {
            column_patterns: missing.column_patterns.clone(),
            title_pattern: missing.title_pattern.clone(),
            department_deadline: day(missing.department_deadline),
            government_deadline: day(missing.government_deadline),
            sections: sections.sections.clone(),
            relations: relations("annual_report.inconsistent"),
            cross_relations: relations("annual_report.cross_year"),
            format_2021_from_year: rules
                .get("annual_report.format_version")
                .and_then(|r| r.typed::<AnnualReportFormatParams>())
                .map(|p| i64::from(p.format_2021_from_year)),
        })
    }

    /// The deadline of the report for `year` for a site of this kind.
    pub fn deadline(&self, year: i32, kind: SiteKind) -> Option<NaiveDate> {
        let (m, d) = match kind {
            SiteKind::Department => self.department_deadline,
            SiteKind::Portal => self.government_deadline,
        };
        NaiveDate::from_ymd_opt(year + 1, m, d)
    }

    /// The newest report year whose deadline is on or before `as_of`.
    pub fn year_due(&self, as_of: NaiveDate, kind: SiteKind) -> i32 {
        let last = as_of.year() - 1;
        match self.deadline(last, kind) {
            Some(d) if as_of > d => last,
            _ => last - 1,
        }
    }
}

// ─── Relations ───────────────────────────────────────────────────────────────────────────

/// The seven columns of table 三.
pub const T3_COLUMNS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

/// The three groups and five columns of table 四.
pub const T4_GROUPS: [&str; 3] = [
    "行政复议",
    "行政诉讼（未经复议直接起诉）",
    "行政诉讼（复议后起诉）",
];
pub const T4_COLUMNS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];

/// The result of one relation at one row and column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "reason")]
pub enum Outcome {
    Holds,
    Fails,
    /// Not judged, and why (a row missing, a cell unreadable).
    NotJudged(String),
}

/// One relation checked at one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelationCheck {
    /// T3-1, T3-2, T3-3, T4-1, X-1, X-2.
    pub id: String,
    /// Where: the row (or group).
    pub row: String,
    /// Where: the column.
    pub column: String,
    /// The left side, written out.
    pub left: String,
    pub left_value: Option<f64>,
    /// The right side, written out.
    pub right: String,
    pub right_value: Option<f64>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl RelationCheck {
    /// The relation holds nowhere else: a failure.
    pub fn fails(&self) -> bool {
        self.outcome == Outcome::Fails
    }
}

/// A sum of cells of table 三: the values, or the first thing that keeps it from being
/// judged.
fn sum3(r: &AnnualReport, keys: &[&str], col: usize) -> Result<f64, String> {
    let mut total = 0.0;
    for k in keys {
        let Some(row) = r.row3(k) else {
            return Err(format!("缺少第{}行", row_zh(k)));
        };
        match row.cells.get(col).and_then(|c| c.value) {
            Some(v) => total += v,
            None => {
                return Err(format!(
                    "第{}行「{}」列无法读取",
                    row_zh(k),
                    T3_COLUMNS.get(col).unwrap_or(&"")
                ))
            }
        }
    }
    Ok(total)
}

/// A row key as the report numbers it: "3.3.1" → "三（三）1".
pub fn row_zh(key: &str) -> String {
    const TOP: [&str; 4] = ["一", "二", "三", "四"];
    const SUB: [&str; 7] = [
        "（一）",
        "（二）",
        "（三）",
        "（四）",
        "（五）",
        "（六）",
        "（七）",
    ];
    let parts: Vec<usize> = key.split('.').filter_map(|p| p.parse().ok()).collect();
    let mut s = String::new();
    if let Some(t) = parts.first().and_then(|i| TOP.get(i.wrapping_sub(1))) {
        s.push_str(t);
    }
    if let Some(t) = parts.get(1).and_then(|i| SUB.get(i.wrapping_sub(1))) {
        s.push_str(t);
    }
    if let Some(n) = parts.get(2) {
        s.push_str(&n.to_string());
    }
    s
}

fn judge(
    id: &str,
    row: String,
    column: &str,
    left: String,
    l: Result<f64, String>,
    right: String,
    r: Result<f64, String>,
) -> RelationCheck {
    let outcome = match (&l, &r) {
        (Ok(a), Ok(b)) if (a - b).abs() < 1e-6 => Outcome::Holds,
        (Ok(_), Ok(_)) => Outcome::Fails,
        (Err(e), _) | (_, Err(e)) => Outcome::NotJudged(e.clone()),
    };
    RelationCheck {
        id: id.to_string(),
        row,
        column: column.to_string(),
        left,
        left_value: l.ok(),
        right,
        right_value: r.ok(),
        outcome,
    }
}

/// The keys of 本年度办理结果 (一) to (六) in the report's layout.
fn result_keys(r: &AnnualReport) -> Vec<&'static str> {
    let has_2021_rows = r
        .table3
        .as_ref()
        .is_some_and(|t| t.rows.iter().any(|x| x.key.starts_with("3.6.")));
    let layout = if r.row3("3.6").is_some() {
        Some(Layout::Y2019)
    } else if has_2021_rows {
        Some(Layout::Y2021)
    } else {
        r.layout
    };
    crate::extract::annual_report::expected_keys(layout)
        .into_iter()
        .filter(|k| k.starts_with('3') && *k != "3.7")
        .collect()
}

/// Every relation of `which` (T3-1, T3-2, T3-3, T4-1) at every row and column of the report.
/// A relation that needs a row the page does not have is not judged, never computed with
/// zeros.
pub fn relations(r: &AnnualReport, which: &[String]) -> Vec<RelationCheck> {
    let on = |id: &str| which.iter().any(|w| w == id);
    let mut out = Vec::new();
    let no_table3 = || Err::<f64, String>("页面无表三".to_string());
    if on("T3-1") {
        for (c, col) in T3_COLUMNS.iter().enumerate() {
            let (l, rr) = if r.table3.is_some() {
                (sum3(r, &["1", "2"], c), sum3(r, &["3.7", "4"], c))
            } else {
                (no_table3(), no_table3())
            };
            out.push(judge(
                "T3-1",
                "一+二 = 三（七）+四".into(),
                col,
                "一、本年新收 + 二、上年结转".into(),
                l,
                "三（七）总计 + 四、结转下年度继续办理".into(),
                rr,
            ));
        }
    }
    if on("T3-2") {
        let keys = result_keys(r);
        for (c, col) in T3_COLUMNS.iter().enumerate() {
            let (l, rr) = if r.table3.is_some() {
                (sum3(r, &keys, c), sum3(r, &["3.7"], c))
            } else {
                (no_table3(), no_table3())
            };
            out.push(judge(
                "T3-2",
                "三（一）至（六）= 三（七）".into(),
                col,
                "三（一）+（二）+（三）1–8+（四）1–3+（五）1–5+（六）".into(),
                l,
                "三（七）总计".into(),
                rr,
            ));
        }
    }
    if on("T3-3") {
        if let Some(t) = &r.table3 {
            for row in &t.rows {
                let cell = |i: usize| {
                    row.cells.get(i).and_then(|c| c.value).ok_or_else(|| {
                        format!("「{}」列无法读取", T3_COLUMNS.get(i).unwrap_or(&""))
                    })
                };
                let l = (0..6).try_fold(0.0, |acc, i| cell(i).map(|v| acc + v));
                out.push(judge(
                    "T3-3",
                    format!("{} {}", row_zh(&row.key), row.label),
                    "总计",
                    "自然人 + 法人或其他组织（五列）".into(),
                    l,
                    "总计".into(),
                    cell(6),
                ));
            }
        } else {
            out.push(judge(
                "T3-3",
                "—".into(),
                "总计",
                "自然人 + 法人或其他组织（五列）".into(),
                no_table3(),
                "总计".into(),
                no_table3(),
            ));
        }
    }
    if on("T4-1") {
        for (g, group) in T4_GROUPS.iter().enumerate() {
            let cell = |i: usize| -> Result<f64, String> {
                match &r.table4 {
                    None => Err("页面无表四".into()),
                    Some(t) => t.cells.get(g * 5 + i).and_then(|c| c.value).ok_or_else(|| {
                        if t.truncated {
                            "表四不完整".to_string()
                        } else {
                            format!("「{}」无法读取", T4_COLUMNS.get(i).unwrap_or(&""))
                        }
                    }),
                }
            };
            let l = (0..4).try_fold(0.0, |acc, i| cell(i).map(|v| acc + v));
            out.push(judge(
                "T4-1",
                (*group).to_string(),
                "总计",
                "结果维持 + 结果纠正 + 其他结果 + 尚未审结".into(),
                l,
                "总计".into(),
                cell(4),
            ));
        }
    }
    out
}

/// X-1 and X-2 (`which`) between this year's report and last year's.
pub fn cross_year(
    this: &AnnualReport,
    last: &AnnualReport,
    which: &[String],
) -> Vec<RelationCheck> {
    let on = |id: &str| which.iter().any(|w| w == id);
    let mut out = Vec::new();
    if on("X-1") {
        for (c, col) in T3_COLUMNS.iter().enumerate() {
            out.push(judge(
                "X-1",
                "上年结转".into(),
                col,
                "本年报告 二、上年结转".into(),
                sum3(this, &["2"], c).map_err(|e| format!("本年报告{e}")),
                "上年报告 四、结转下年度继续办理".into(),
                sum3(last, &["4"], c).map_err(|e| format!("上年报告{e}")),
            ));
        }
    }
    if on("X-2") && this.layout == Some(Layout::Y2021) && last.layout == Some(Layout::Y2021) {
        for label in ["规章", "行政规范性文件"] {
            let get = |r: &AnnualReport, i: usize| -> Result<f64, String> {
                r.table2
                    .iter()
                    .find(|x| x.label.replace(' ', "") == label)
                    .and_then(|x| x.cells.get(i))
                    .and_then(|c| c.value)
                    .ok_or_else(|| format!("表二「{label}」行无法读取"))
            };
            let l = get(last, 2)
                .and_then(|a| get(this, 0).map(|b| a + b))
                .and_then(|a| get(this, 1).map(|b| a - b));
            out.push(judge(
                "X-2",
                label.into(),
                "现行有效件数",
                "上年现行有效件数 + 本年制发件数 − 本年废止件数".into(),
                l,
                "本年现行有效件数".into(),
                get(this, 2),
            ));
        }
    }
    out
}

// ─── The site's reports ──────────────────────────────────────────────────────────────────

/// A report page of the site.
struct ReportPage<'a> {
    page: &'a PageRecord,
    report: &'a AnnualReport,
}

/// The crawled report pages by year: per year the page that reads most like the report (most
/// sections found, then with table 三 — a news item that names the report is not it), then
/// the newest by publication date, else the first crawled.
fn report_pages(facts: &SiteFacts) -> BTreeMap<i32, ReportPage<'_>> {
    let mut out: BTreeMap<i32, ReportPage<'_>> = BTreeMap::new();
    for p in facts.pages.iter().filter(|p| p.status.is_ok()) {
        let Some(r) = p.facts.annual_report.as_ref() else {
            continue;
        };
        let Some(y) = r.year else { continue };
        let rank = |p: &PageRecord, r: &AnnualReport| {
            (
                r.sections.iter().filter(|s| s.is_some()).count(),
                r.table3.is_some(),
                p.facts.pub_date.and_then(|d| d.resolve(NaiveDate::MAX)),
            )
        };
        match out.get(&y) {
            Some(old) if rank(old.page, old.report) >= rank(p, r) => {}
            _ => {
                out.insert(y, ReportPage { page: p, report: r });
            }
        }
    }
    out
}

/// The 年报 column: its URL and the report items it lists (title, URL, date).
struct ReportColumn {
    url: String,
    name: String,
    crawled: bool,
    items: Vec<(i32, String, Option<String>, Option<NaiveDate>)>,
}

fn report_column(
    facts: &SiteFacts,
    rules: &RuleSet,
    p: &Params,
    as_of: NaiveDate,
) -> Option<ReportColumn> {
    let fits = |name: &str| {
        let n = columns::normalize_name(name);
        !n.is_empty() && p.column_patterns.iter().any(|r| r.is_match(&n))
    };
    // Configured, then discovered columns, then any navigation link (the 专栏's entries).
    let mut candidate: Option<(String, String)> = facts
        .configured_columns
        .iter()
        .find(|(n, _)| fits(n))
        .map(|(n, u)| (n.clone(), u.clone()));
    if candidate.is_none() {
        candidate = columns::discover(facts, rules)
            .into_iter()
            .find(|c| fits(&c.name))
            .map(|c| (c.name, c.url));
    }
    if candidate.is_none() {
        // The navigation of every page, in the order first seen.
        candidate = facts
            .nav_summary()
            .entries
            .iter()
            .find(|l| fits(&l.text))
            .map(|l| (l.text.trim().to_string(), l.url.clone()));
    }
    let (name, url) = candidate?;
    let page = facts.page(&url).filter(|pg| pg.status.is_ok());
    let mut items = Vec::new();
    for it in page.iter().flat_map(|pg| pg.facts.items.iter()) {
        let Some(c) = p.title_pattern.captures(&it.title) else {
            continue;
        };
        let Some(y) = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok()) else {
            continue;
        };
        items.push((
            y,
            it.title.clone(),
            it.url.clone(),
            it.date.and_then(|d| d.resolve(as_of)),
        ));
    }
    Some(ReportColumn {
        url,
        name,
        crawled: page.is_some(),
        items,
    })
}

use super::finding;

/// The annual-report findings of a site, as of `as_of`.
pub fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(p) = Params::from_rules(rules) else {
        return out;
    };
    let rule = |id: &str| rules.enabled_for(id, facts.level, facts.kind);
    if facts.home.as_ref().is_none_or(|h| !h.status.is_ok()) {
        return out;
    }
    let year = p.year_due(as_of, facts.kind);
    let Some(deadline) = p.deadline(year, facts.kind) else {
        return out;
    };
    let pages = report_pages(facts);
    let column = report_column(facts, rules, &p, as_of);
    let column_url = column.as_ref().map(|c| c.url.clone());
    let listed = column.as_ref().and_then(|c| {
        c.items
            .iter()
            .filter(|i| i.0 == year)
            .max_by_key(|i| i.3)
            .cloned()
    });
    let crawled = pages.get(&year);
    // annual_report.missing: absent, or published after the deadline.
    if let Some(r) = rule("annual_report.missing") {
        let kind_zh = match facts.kind {
            SiteKind::Department => "部门",
            SiteKind::Portal => "政府",
        };
        let published = crawled
            .and_then(|c| c.page.facts.pub_date.and_then(|d| d.resolve(as_of)))
            .or_else(|| listed.as_ref().and_then(|l| l.3));
        let report_url = crawled
            .map(|c| c.page.url.clone())
            .or_else(|| listed.as_ref().and_then(|l| l.2.clone()));
        let base = json!({
            "year": year,
            "deadline": deadline.to_string(),
            "site_kind": kind_zh,
            "column": column.as_ref().map(|c| json!({"name": c.name, "url": c.url, "crawled": c.crawled,
                "reports_listed": c.items.iter().map(|i| json!({"year": i.0, "title": i.1, "url": i.2,
                    "date": i.3.map(|d| d.to_string())})).collect::<Vec<_>>()})),
            "reports_crawled": pages.values().map(|rp| json!({"year": rp.report.year, "url": rp.page.url,
                "title": rp.report.title})).collect::<Vec<_>>(),
        });
        // Absent only where it was looked for: the 年报 column's page was read. A column not
        // found or not readable is reported by `column.missing.xxgk` and the link rules.
        let looked = column.as_ref().filter(|c| c.crawled);
        if let (None, None, Some(c)) = (crawled, listed.as_ref(), looked) {
            out.push(finding(
                r,
                &c.url,
                Some(&c.url),
                base.clone(),
                format!(
                    "未发现{year}年政府信息公开工作年度报告：{kind_zh}应于{deadline}前公开，政府信息公开年报栏目「{}」（{}）中没有该年度报告",
                    c.name, c.url
                ),
            ));
        } else if let Some(d) = published.filter(|d| *d > deadline) {
            let mut ev = base.clone();
            ev["published"] = json!(d.to_string());
            ev["days_late"] = json!((d - deadline).num_days());
            out.push(finding(
                r,
                report_url.as_deref().unwrap_or(&facts.url),
                column_url.as_deref(),
                ev,
                format!(
                    "{year}年政府信息公开工作年度报告逾期公开：发布于{d}，规定期限为{deadline}（{kind_zh}）"
                ),
            ));
        }
    }
    // The report judged: the one for the year due, else the newest crawled.
    let judged = crawled.or_else(|| pages.values().next_back());
    let Some(rp) = judged else { return out };
    out.extend(judge_report(
        rp.report,
        rp.page,
        &p,
        rules,
        facts,
        column_url.as_deref(),
    ));
    // Cross-year relations.
    if let (Some(r), Some(y)) = (rule("annual_report.cross_year"), rp.report.year) {
        if let Some(prev) = pages.get(&(y - 1)) {
            let checks = cross_year(rp.report, prev.report, &p.cross_relations);
            let failed: Vec<&RelationCheck> = checks.iter().filter(|c| c.fails()).collect();
            if !failed.is_empty() {
                let parts: Vec<String> = failed.iter().take(4).map(|c| describe(c)).collect();
                out.push(finding(
                    r,
                    &rp.page.url,
                    Some(&prev.page.url),
                    json!({"year": y, "previous_year": y - 1, "previous_url": prev.page.url,
                           "failed": failed, "needs_confirmation": failed.iter().all(|c| c.id == "X-2")}),
                    format!(
                        "{y}年度报告与{}年度报告数据不衔接：{}{}",
                        y - 1,
                        parts.join("；"),
                        if failed.len() > 4 { format!("等{}处", failed.len()) } else { String::new() }
                    ),
                ));
            }
        }
    }
    out
}

/// "T3-1 自然人列：一+二 = 10，三（七）+四 = 11".
pub fn describe(c: &RelationCheck) -> String {
    let v = |x: Option<f64>| x.map(fmt_num).unwrap_or_else(|| "？".into());
    format!(
        "{} {}「{}」：{} = {}，而 {} = {}",
        c.id,
        c.row,
        c.column,
        c.left,
        v(c.left_value),
        c.right,
        v(c.right_value)
    )
}

/// A number as a report prints it (no ".0").
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The findings of one report page: sections, format version, relations.
pub fn judge_report(
    report: &AnnualReport,
    page: &PageRecord,
    p: &Params,
    rules: &RuleSet,
    facts: &SiteFacts,
    column_url: Option<&str>,
) -> Vec<Finding> {
    let rule = |id: &str| rules.enabled_for(id, facts.level, facts.kind);
    let mut out = Vec::new();
    let year = report.year.map(|y| format!("{y}年")).unwrap_or_default();
    let url = page.url.as_str();
    let referrer = column_url;
    // The page was cut by the crawl's own limits: what is missing may be ours.
    let read_whole = !page.truncated;
    if let (Some(r), true) = (rule("annual_report.sections"), read_whole) {
        let missing: Vec<String> = report
            .sections
            .iter()
            .zip(&p.sections)
            .zip(["一", "二", "三", "四", "五", "六"])
            .filter(|((found, _), _)| found.is_none())
            .map(|((_, g), n)| format!("{n}、{}", g.first().map(String::as_str).unwrap_or("")))
            .collect();
        if !missing.is_empty() {
            out.push(finding(
                r,
                url,
                referrer,
                json!({"title": report.title, "missing": missing, "found": report.sections}),
                format!(
                    "{year}政府信息公开工作年度报告缺少「{}」部分",
                    missing.join("」「")
                ),
            ));
        }
        if let Some(t) = report.table3.as_ref().filter(|t| t.truncated) {
            let last = t
                .rows
                .last()
                .map(|r| format!("在「{}」之后中断，", r.label))
                .unwrap_or_default();
            out.push(finding(
                r,
                url,
                referrer,
                json!({"title": report.title, "table": "三", "truncated": true, "rows_read": t.rows.len(),
                       "missing_rows": t.missing, "needs_confirmation": true}),
                format!(
                    "{year}政府信息公开工作年度报告第三部分表格不完整：{last}缺少{}等{}行（缺少的行未按0计，相关勾稽关系未判定）",
                    t.missing.iter().take(3).map(|k| row_zh(k)).collect::<Vec<_>>().join("、"),
                    t.missing.len()
                ),
            ));
        }
        if let Some(t) = report
            .table4
            .as_ref()
            .filter(|t| t.truncated && report.sections.get(3).is_some_and(Option::is_some))
        {
            out.push(finding(
                r,
                url,
                referrer,
                json!({"title": report.title, "table": "四", "truncated": true, "cells_read": t.cells.iter().filter(|c| c.value.is_some()).count(), "needs_confirmation": true}),
                format!("{year}政府信息公开工作年度报告第四部分表格不完整或缺失（未按0计，相关勾稽关系未判定）"),
            ));
        }
    }
    if let (Some(r), Some(from_year), Some(y), Some(Layout::Y2019)) = (
        rule("annual_report.format_version"),
        p.format_2021_from_year,
        report.year,
        report.layout,
    ) {
        if i64::from(y) >= from_year {
            out.push(finding(
                r,
                url,
                referrer,
                json!({"year": y, "layout": "2019", "evidence": report.layout_evidence,
                       "from_year": from_year}),
                format!(
                    "{y}年度报告仍使用2019年格式（{}），应使用国办公开办函〔2021〕30号规定的新格式",
                    report.layout_evidence.as_deref().unwrap_or("表格格式")
                ),
            ));
        }
    }
    if let Some(r) = rule("annual_report.inconsistent") {
        let checks = relations(report, &p.relations);
        for id in &p.relations {
            let failed: Vec<&RelationCheck> =
                checks.iter().filter(|c| &c.id == id && c.fails()).collect();
            if failed.is_empty() {
                continue;
            }
            let parts: Vec<String> = failed.iter().take(3).map(|c| describe(c)).collect();
            out.push(finding(
                r,
                url,
                referrer,
                json!({"title": report.title, "relation": id, "failed": failed}),
                format!(
                    "{year}政府信息公开工作年度报告勾稽关系 {id} 不符：{}{}",
                    parts.join("；"),
                    if failed.len() > 3 {
                        format!("等{}处", failed.len())
                    } else {
                        String::new()
                    }
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
#[path = "annual_report_tests.rs"]
mod tests;
