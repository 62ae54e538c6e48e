//! The 政府信息公开工作年度报告 on a page: its year, which of the six sections it has, and the
//! tables of sections 二, 三 and 四 as published, in the 2019 or the 2021 layout
//! (regulations §4). Judging them (the 勾稽关系, deadlines) belongs to `checks::annual_report`.
//!
//! # Reading the tables
//!
//! The page is walked in document order; the innermost tables of at least two rows and two
//! columns are data tables, everything else is text (so a report laid out in table-based
//! tag soup still has its headings in the text). Each data table becomes a grid: `rowspan` and
//! `colspan` are expanded (a merged label or header covers every row or column it spans; a
//! merged number counts once, at its first cell). A cell reads as a number after full-width
//! digits and signs are made ASCII, thousands separators are dropped, a parenthesised note
//! such as "（含2018年结转1件）" is kept apart as a note, and a unit (件, 万元, 亿元) is kept apart as
//! a unit. An empty cell (or "—", "/", "无") means zero and is marked as such.
//!
//! A table is assigned to a section by its content (table 三 has 本年新收…, table 四 has
//! 行政复议…), else by the section heading it follows. Rows of table 三 are recognised by their
//! labels (merged label columns are read together, so "（三）不予公开 / 1. 属于国家秘密" is
//! row 3.3.1 whether the group label is merged, repeated or on a row of its own). A row the
//! layout requires but the page does not have is *missing*, never zero; when the rows after the
//! last one read are missing the table is *truncated* (the page ends or the table stops).
//!
//! Everything is bounded: at most [`MAX_TABLES`] tables, [`MAX_ROWS`] rows and [`MAX_COLS`]
//! columns per table are read.

use std::collections::HashSet;

use ego_tree::NodeRef;
use regex::Regex;
use scraper::{ElementRef, Html, Node};
use serde::{Deserialize, Serialize};

/// Data tables read per page.
pub const MAX_TABLES: usize = 40;
/// Rows read per table.
pub const MAX_ROWS: usize = 200;
/// Columns read per table (a span is capped to it too).
pub const MAX_COLS: usize = 60;
/// Characters kept of a cell's text.
const MAX_CELL_CHARS: usize = 120;
/// Bytes of page text searched for section headings.
const MAX_STREAM_BYTES: usize = 400 * 1024;

/// The extraction parameters, from the rules (`annual_report.missing` `title_pattern`,
/// `annual_report.sections` `sections`); built by `checks::annual_report::Params`.
#[derive(Debug, Clone)]
pub struct ReportRules {
    /// A report title; capture group 1 is the year.
    pub title: Regex,
    /// The six sections, each [heading, alias...].
    pub sections: Vec<Vec<String>>,
}

impl ReportRules {
    /// What tells and reads a report page, from `annual_report.missing` `title_pattern` and
    /// `annual_report.sections` `sections`; none without both rules.
    pub fn from_rules(rules: &crate::rules::RuleSet) -> Option<ReportRules> {
        use crate::rules::params::{AnnualReportMissingParams, AnnualReportSectionsParams};
        let missing = rules
            .get("annual_report.missing")?
            .typed::<AnnualReportMissingParams>()?;
        let sections = rules
            .get("annual_report.sections")?
            .typed::<AnnualReportSectionsParams>()?;
        Some(ReportRules {
            title: missing.title_pattern.clone(),
            sections: sections.sections.clone(),
        })
    }
}

/// Which national layout the tables follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Layout {
    /// 国办公开办函〔2019〕60号 (reports for 2019 and 2020).
    #[serde(rename = "2019")]
    Y2019,
    /// 国办公开办函〔2021〕30号 (reports from 2021).
    #[serde(rename = "2021")]
    Y2021,
}

impl Layout {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Layout::Y2019 => "2019年格式（国办公开办函〔2019〕60号）",
            Layout::Y2021 => "2021年格式（国办公开办函〔2021〕30号）",
        }
    }
}

/// One cell as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The cell's text as published (whitespace collapsed).
    pub text: String,
    /// Its number; `None` when it cannot be read as one (or the cell is not there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// A parenthesised note, kept apart from the number ("含2018年结转1件").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A unit written after the number (件, 万元, 亿元).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Empty (or a dash): read as zero.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blank: bool,
}

impl Cell {
    /// A position the table does not have.
    fn absent() -> Cell {
        Cell {
            text: String::new(),
            value: None,
            note: None,
            unit: None,
            blank: false,
        }
    }
}

/// A row of table 二 (主动公开政府信息情况).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table2Row {
    /// The block it is in (第二十条第（一）项), when the page says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    /// Its label (规章, 行政许可...).
    pub label: String,
    /// The column headings over its cells, when the table has a heading row.
    pub columns: Vec<String>,
    pub cells: Vec<Cell>,
}

/// A row of table 三.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table3Row {
    /// Its place in the layout: "1", "2", "3.1" … "3.3.8", "3.6" (2019) or "3.6.1"–"3.6.3"
    /// (2021), "3.7", "4".
    pub key: String,
    /// Its label as published (merged label cells joined by " / ").
    pub label: String,
    /// The seven columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
    pub cells: Vec<Cell>,
}

/// Table 三 (收到和处理政府信息公开申请情况) as read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table3 {
    pub rows: Vec<Table3Row>,
    /// Rows the layout requires that the page does not have (keys).
    pub missing: Vec<String>,
    /// The rows after the last one read are missing: the table stops (or the page ends).
    pub truncated: bool,
    /// Labels of rows with numbers that fit no row of the layout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrecognised: Vec<String>,
}

/// Table 四 (行政复议、行政诉讼) as read: 15 cells, three groups of 结果维持, 结果纠正, 其他结果,
/// 尚未审结, 总计 (行政复议; 行政诉讼 未经复议直接起诉; 复议后起诉).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table4 {
    pub cells: Vec<Cell>,
    /// The table has no data row, or fewer than 15 cells.
    pub truncated: bool,
}

/// An annual report as read from one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnnualReport {
    /// The year it reports on (from its title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Its title (the title, article title or first heading that names it).
    pub title: String,
    /// Per required section (一 to 六): the heading as found, or None.
    pub sections: Vec<Option<String>>,
    /// The layout of its tables, when they tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// What told the layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout_evidence: Option<String>,
    /// Table 二's rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table2: Vec<Table2Row>,
    /// Table 三, when the page has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table3: Option<Table3>,
    /// Table 四, when the page has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table4: Option<Table4>,
    /// Data tables beyond [`MAX_TABLES`] (not read).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tables_capped: bool,
}

impl AnnualReport {
    /// The row of table 三 with this key.
    pub fn row3(&self, key: &str) -> Option<&Table3Row> {
        self.table3.as_ref()?.rows.iter().find(|r| r.key == key)
    }
}

// ─── Entry point ─────────────────────────────────────────────────────────────────────────

/// The annual report on a page, when the page is one: its title (or article title, or first
/// heading) matches the report title pattern, or its text has at least three of the six
/// section headings.
pub fn read(
    doc: &Html,
    text: &str,
    title: Option<&str>,
    article_title: Option<&str>,
    rules: &ReportRules,
) -> Option<AnnualReport> {
    let year_of = |t: &str| {
        rules.title.captures(t).map(|c| {
            let year = c.get(1).and_then(|m| m.as_str().parse::<i32>().ok());
            (t.trim().to_string(), year)
        })
    };
    let mut named = [article_title, title]
        .into_iter()
        .flatten()
        .find_map(year_of);
    if named.is_none() {
        // Cheap first: most pages are no report and name no section.
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let named_sections = rules
            .sections
            .iter()
            .filter(|g| {
                g.iter()
                    .any(|a| !a.is_empty() && squeezed.contains(a.as_str()))
            })
            .count();
        if named_sections < 3 {
            return None;
        }
        named = first_heading(doc).as_deref().and_then(year_of);
    }
    let (stream, tables, capped) = stream(doc);
    let first_heading = first_heading(doc);
    let sections = find_sections(&stream.text, &rules.sections);
    let found = sections.iter().filter(|s| s.is_some()).count();
    if named.is_none() && found < 3 {
        return None;
    }
    let (title, year) = named.unwrap_or_else(|| {
        (
            article_title
                .or(first_heading.as_deref())
                .or(title)
                .unwrap_or_default()
                .trim()
                .to_string(),
            None,
        )
    });
    let mut report = AnnualReport {
        year,
        title,
        sections: sections
            .iter()
            .map(|s| s.as_ref().map(|(h, _)| h.clone()))
            .collect(),
        tables_capped: capped,
        ..AnnualReport::default()
    };
    // Section regions: the positions of the headings of 二, 三, 四 and the next one found.
    let pos = |i: usize| sections.get(i).and_then(|s| s.as_ref()).map(|(_, p)| *p);
    let region_of = |at: usize| -> Option<usize> {
        let mut region = None;
        for i in 0..sections.len() {
            if let Some(p) = pos(i) {
                if p < at {
                    region = Some(i);
                }
            }
        }
        region
    };
    let mut t3_rows: Vec<LabelledRow> = Vec::new();
    let mut t4_grids: Vec<Grid> = Vec::new();
    let mut t3_seen = false;
    for (at, grid) in &tables {
        let class = classify(grid).or_else(|| match region_of(*at) {
            Some(1) => Some(Class::T2),
            Some(2) => Some(Class::T3),
            Some(3) => Some(Class::T4),
            _ => None,
        });
        match class {
            Some(Class::T2) => {
                let block = stream.block_before(*at);
                report.table2.extend(table2_rows(grid, block));
            }
            Some(Class::T3) => {
                t3_seen = true;
                t3_rows.extend(labelled_rows(grid, 7));
            }
            Some(Class::T4) => t4_grids.push(grid.clone()),
            None => {}
        }
    }
    if t3_seen {
        report.table3 = Some(table3(&t3_rows));
    } else if pos(2).is_some() {
        // The heading is there but no table follows it: nothing was read.
        report.table3 = Some(Table3 {
            truncated: true,
            missing: expected_keys(None)
                .iter()
                .map(|k| (*k).to_string())
                .collect(),
            ..Table3::default()
        });
    }
    if !t4_grids.is_empty() {
        report.table4 = Some(table4(&t4_grids));
    } else if pos(3).is_some() {
        // The heading is there but no table follows it.
        report.table4 = Some(Table4 {
            cells: Vec::new(),
            truncated: true,
        });
    }
    let (layout, evidence) = detect_layout(&report);
    report.layout = layout;
    report.layout_evidence = evidence;
    Some(report)
}

// ─── The document as text and tables ─────────────────────────────────────────────────────

const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "noframes", "head", "select", "textarea",
];

/// The page's text outside data tables, with the offsets of the tables in it and the
/// 第二十条第（X）项 block names seen.
#[derive(Default)]
struct Stream {
    text: String,
}

impl Stream {
    fn push(&mut self, s: &str) {
        if self.text.len() >= MAX_STREAM_BYTES {
            return;
        }
        for c in s.chars() {
            if c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' {
                if !self.text.ends_with(' ') && !self.text.is_empty() {
                    self.text.push(' ');
                }
            } else {
                self.text.push(c);
            }
        }
    }

    fn block_before(&self, at: usize) -> Option<String> {
        static BLOCK: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
            Regex::new(r"第二十条\s*第\s*[（(]\s*[一二三四五六七八九十]+\s*[)）]\s*项").ok()
        });
        let re = BLOCK.as_ref()?;
        let head = self.text.get(..at.min(self.text.len()))?;
        re.find_iter(head)
            .last()
            .map(|m| m.as_str().replace(' ', ""))
    }
}

/// The first h1–h3 heading of the page.
fn first_heading(doc: &Html) -> Option<String> {
    doc.root_element().descendants().find_map(|n| {
        let el = n.value().as_element()?;
        if !matches!(el.name(), "h1" | "h2" | "h3") {
            return None;
        }
        let er = ElementRef::wrap(n)?;
        let t = collapse(&er.text().collect::<String>());
        (!t.is_empty()).then_some(t)
    })
}

fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Tables are data tables when innermost and at least 2×2.
fn stream(doc: &Html) -> (Stream, Vec<(usize, Grid)>, bool) {
    // Tables that contain another table are layout tables.
    let mut outer: HashSet<ego_tree::NodeId> = HashSet::new();
    for n in doc.root_element().descendants() {
        if n.value().as_element().is_some_and(|e| e.name() == "table") {
            for a in n.ancestors() {
                if a.value().as_element().is_some_and(|e| e.name() == "table")
                    && !outer.insert(a.id())
                {
                    break;
                }
            }
        }
    }
    let mut s = Stream::default();
    let mut tables = Vec::new();
    let mut capped = false;
    walk(doc.tree.root(), &outer, &mut s, &mut tables, &mut capped);
    (s, tables, capped)
}

fn walk(
    node: NodeRef<'_, Node>,
    outer: &HashSet<ego_tree::NodeId>,
    s: &mut Stream,
    tables: &mut Vec<(usize, Grid)>,
    capped: &mut bool,
) {
    // An explicit stack: a deeply nested page must not exhaust the thread's stack.
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n.value() {
            Node::Text(t) => s.push(t),
            Node::Element(el) => {
                let name = el.name();
                if HIDDEN.contains(&name) {
                    continue;
                }
                if name == "table" && !outer.contains(&n.id()) {
                    let grid = Grid::of(n);
                    if grid.rows.len() >= 2 && grid.width() >= 2 {
                        if tables.len() < MAX_TABLES {
                            s.push(" ");
                            tables.push((s.text.len(), grid));
                            s.push(" ");
                        } else {
                            *capped = true;
                        }
                        continue;
                    }
                }
                if is_block(name) {
                    s.push(" ");
                }
                let children: Vec<_> = n.children().collect();
                stack.extend(children.into_iter().rev());
            }
            _ => {
                let children: Vec<_> = n.children().collect();
                stack.extend(children.into_iter().rev());
            }
        }
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "tr"
            | "td"
            | "th"
            | "li"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "table"
            | "section"
            | "article"
    )
}

// ─── Grids ───────────────────────────────────────────────────────────────────────────────

/// One position of a grid.
#[derive(Debug, Clone, Default)]
struct GridCell {
    text: String,
    /// The first position of its cell (a merged cell's other positions are copies).
    origin: bool,
}

/// A table with its spans expanded.
#[derive(Debug, Clone, Default)]
struct Grid {
    rows: Vec<Vec<Option<GridCell>>>,
}

impl Grid {
    fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }

    fn of(table: NodeRef<'_, Node>) -> Grid {
        let mut rows: Vec<Vec<Option<GridCell>>> = Vec::new();
        // Rows of this table, not of a table inside it (there is none: innermost).
        let trs = table
            .descendants()
            .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "tr"));
        for (r, tr) in trs.enumerate() {
            if r >= MAX_ROWS {
                break;
            }
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            let mut col = 0usize;
            for cell in tr.children() {
                let Some(el) = cell.value().as_element() else {
                    continue;
                };
                if !matches!(el.name(), "td" | "th") {
                    continue;
                }
                let span = |a: &str, max: usize| {
                    el.attr(a)
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .clamp(1, max)
                };
                let colspan = span("colspan", MAX_COLS);
                let rowspan = span("rowspan", MAX_ROWS);
                let text = ElementRef::wrap(cell)
                    .map(|e| collapse(&e.text().collect::<String>()))
                    .unwrap_or_default();
                let text: String = text.chars().take(MAX_CELL_CHARS).collect();
                // The next free position of this row.
                while rows[r].get(col).is_some_and(Option::is_some) {
                    col += 1;
                }
                for dr in 0..rowspan {
                    let rr = r + dr;
                    if rr >= MAX_ROWS {
                        break;
                    }
                    if rows.len() <= rr {
                        rows.resize(rr + 1, Vec::new());
                    }
                    for dc in 0..colspan {
                        let cc = col + dc;
                        if cc >= MAX_COLS {
                            break;
                        }
                        if rows[rr].len() <= cc {
                            rows[rr].resize(cc + 1, None);
                        }
                        rows[rr][cc] = Some(GridCell {
                            text: text.clone(),
                            origin: dr == 0 && dc == 0,
                        });
                    }
                }
                col += colspan;
            }
        }
        rows.retain(|r| !r.is_empty());
        Grid { rows }
    }

    fn text(&self) -> String {
        let mut t = String::new();
        for r in &self.rows {
            for c in r.iter().flatten() {
                if c.origin {
                    t.push_str(&c.text);
                    t.push(' ');
                }
            }
        }
        t
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    T2,
    T3,
    T4,
}

fn classify(grid: &Grid) -> Option<Class> {
    let t: String = grid.text().chars().filter(|c| !c.is_whitespace()).collect();
    if [
        "本年新收",
        "予以公开",
        "不予公开",
        "本年度办理结果",
        "结转下年度",
    ]
    .iter()
    .any(|k| t.contains(k))
    {
        Some(Class::T3)
    } else if t.contains("行政复议") && (t.contains("维持") || t.contains("纠正")) {
        Some(Class::T4)
    } else if [
        "规章",
        "规范性文件",
        "行政许可",
        "行政处罚",
        "行政事业性收费",
        "政府集中采购",
        "第二十条",
    ]
    .iter()
    .any(|k| t.contains(k))
    {
        Some(Class::T2)
    } else {
        None
    }
}

// ─── Numbers ─────────────────────────────────────────────────────────────────────────────

/// Read a cell (see the module documentation).
pub fn read_cell(text: &str) -> Cell {
    static NUMBER: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
        Regex::new(r"^([+-]?)\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*([^\d\s.,+-]{1,4})?$").ok()
    });
    let ascii: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '－' | '−' | '–' => '-',
            '＋' => '+',
            '，' => ',',
            '．' => '.',
            '\u{3000}' | '\u{a0}' => ' ',
            _ => c,
        })
        .collect();
    // Notes in brackets, kept apart.
    let mut rest = String::new();
    let mut notes: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut note = String::new();
    for c in ascii.chars() {
        match c {
            '（' | '(' | '【' | '[' => {
                if depth > 0 {
                    note.push(c);
                }
                depth += 1;
            }
            '）' | ')' | '】' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    notes.push(std::mem::take(&mut note).trim().to_string());
                } else {
                    note.push(c);
                }
            }
            _ if depth > 0 => note.push(c),
            _ => rest.push(c),
        }
    }
    if !note.trim().is_empty() {
        notes.push(note.trim().to_string());
    }
    let note = (!notes.is_empty()).then(|| notes.join("；"));
    let core = rest.trim();
    let mut cell = Cell {
        text: text.trim().to_string(),
        value: None,
        note,
        unit: None,
        blank: false,
    };
    if core.is_empty() || matches!(core, "-" | "—" | "——" | "/" | "无" | "－") {
        cell.value = Some(0.0);
        cell.blank = true;
        return cell;
    }
    let Some(re) = NUMBER.as_ref() else {
        return cell;
    };
    if let Some(c) = re.captures(core) {
        let int: String = c
            .get(2)
            .map(|m| m.as_str().replace(',', ""))
            .unwrap_or_default();
        let frac = c.get(3).map(|m| m.as_str()).unwrap_or("0");
        if let Ok(v) = format!("{int}.{frac}").parse::<f64>() {
            let neg = c.get(1).is_some_and(|m| m.as_str() == "-");
            cell.value = Some(if neg { -v } else { v });
            cell.unit = c.get(4).map(|m| m.as_str().to_string());
        }
    }
    cell
}

/// A number proper (not a blank read as zero).
fn is_number(text: &str) -> bool {
    let c = read_cell(text);
    c.value.is_some() && !c.blank
}

// ─── Rows with labels ────────────────────────────────────────────────────────────────────

#[derive(Debug, Clone)]
struct LabelledRow {
    /// Distinct label pieces, left to right.
    pieces: Vec<String>,
    cells: Vec<Cell>,
    /// Every data cell is blank.
    all_blank: bool,
}

impl LabelledRow {
    fn label(&self) -> String {
        self.pieces.join(" / ")
    }

    fn joined(&self) -> String {
        self.pieces
            .concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }
}

/// The first column holding a number in rows that hold at least `min` numbers.
fn data_start(grid: &Grid, min: usize) -> Option<usize> {
    grid.rows
        .iter()
        .filter_map(|r| {
            let numeric: Vec<usize> = r
                .iter()
                .enumerate()
                .filter(|(_, c)| c.as_ref().is_some_and(|c| c.origin && is_number(&c.text)))
                .map(|(i, _)| i)
                .collect();
            (numeric.len() >= min)
                .then(|| numeric.first().copied())
                .flatten()
        })
        .min()
}

/// Rows with a label and `n` data cells (numbers or blanks in at least half of them).
fn labelled_rows(grid: &Grid, n: usize) -> Vec<LabelledRow> {
    let Some(start) = data_start(grid, 2.min(n)) else {
        // No numbers at all: keep labels of rows that look like data rows (all blank).
        return blank_rows(grid, n);
    };
    let mut out = Vec::new();
    for r in &grid.rows {
        let mut pieces: Vec<String> = Vec::new();
        for c in r.iter().take(start).flatten() {
            let t = c.text.trim();
            if !t.is_empty() && pieces.last().map(String::as_str) != Some(t) {
                pieces.push(t.to_string());
            }
        }
        if pieces.is_empty() {
            continue;
        }
        let mut cells = Vec::with_capacity(n);
        let mut readable = 0;
        for i in start..start + n {
            let cell = match r.get(i).and_then(Option::as_ref) {
                Some(c) if c.origin => read_cell(&c.text),
                Some(c) => Cell {
                    text: c.text.clone(),
                    ..Cell::absent()
                },
                None if i < r.len() || r.len() > start => read_cell(""),
                None => Cell::absent(),
            };
            if cell.value.is_some() {
                readable += 1;
            }
            cells.push(cell);
        }
        if readable * 2 < n {
            continue;
        }
        let all_blank = cells.iter().all(|c| c.blank);
        out.push(LabelledRow {
            pieces,
            cells,
            all_blank,
        });
    }
    out
}

fn blank_rows(grid: &Grid, n: usize) -> Vec<LabelledRow> {
    grid.rows
        .iter()
        .filter_map(|r| {
            let first = r.first()?.as_ref()?;
            let label = first.text.trim();
            if label.is_empty()
                || r.iter()
                    .skip(1)
                    .flatten()
                    .any(|c| !c.text.trim().is_empty())
            {
                return None;
            }
            Some(LabelledRow {
                pieces: vec![label.to_string()],
                cells: (0..n).map(|_| read_cell("")).collect(),
                all_blank: true,
            })
        })
        .collect()
}

// ─── Table 二 ────────────────────────────────────────────────────────────────────────────

fn table2_rows(grid: &Grid, block: Option<String>) -> Vec<Table2Row> {
    let mut out = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    let mut block = block;
    for r in &grid.rows {
        let texts: Vec<&str> = r
            .iter()
            .map(|c| c.as_ref().map(|c| c.text.trim()).unwrap_or(""))
            .collect();
        let first_num = r
            .iter()
            .position(|c| c.as_ref().is_some_and(|c| c.origin && is_number(&c.text)));
        match first_num {
            None => {
                // A heading row (信息内容 | 本年新制作数量 ...), or a block row.
                if let Some(b) = texts.iter().find(|t| t.contains("第二十条")) {
                    block = Some(b.replace(' ', ""));
                }
                let named: Vec<String> = texts
                    .iter()
                    .skip(1)
                    .filter(|t| !t.is_empty() && !t.contains("第二十条"))
                    .map(|t| (*t).to_string())
                    .collect();
                if !named.is_empty() {
                    let mut dedup: Vec<String> = Vec::new();
                    for n in named {
                        if dedup.last() != Some(&n) {
                            dedup.push(n);
                        }
                    }
                    columns = dedup;
                }
            }
            Some(start) => {
                let mut pieces: Vec<String> = Vec::new();
                for t in texts.iter().take(start) {
                    if t.contains("第二十条") {
                        block = Some(t.replace(' ', ""));
                        continue;
                    }
                    if !t.is_empty() && pieces.last().map(String::as_str) != Some(*t) {
                        pieces.push((*t).to_string());
                    }
                }
                let mut cells: Vec<Cell> = r
                    .iter()
                    .skip(start)
                    .map(|c| match c {
                        Some(c) if c.origin => read_cell(&c.text),
                        _ => Cell::absent(),
                    })
                    .collect();
                while cells.len() > columns.len().max(1)
                    && cells.last().is_some_and(|c| c.blank && c.text.is_empty())
                {
                    cells.pop();
                }
                let cols = columns
                    .iter()
                    .rev()
                    .take(cells.len())
                    .rev()
                    .cloned()
                    .collect();
                out.push(Table2Row {
                    block: block.clone(),
                    label: pieces.join(" / "),
                    columns: cols,
                    cells,
                });
            }
        }
    }
    out
}

// ─── Table 三 ────────────────────────────────────────────────────────────────────────────

/// The rows of table 三 in layout order (`layout` None: the rows both layouts share, with
/// 其他处理 as "3.6").
pub fn expected_keys(layout: Option<Layout>) -> Vec<&'static str> {
    let mut v = vec!["1", "2", "3.1", "3.2"];
    v.extend([
        "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6", "3.3.7", "3.3.8",
    ]);
    v.extend(["3.4.1", "3.4.2", "3.4.3"]);
    v.extend(["3.5.1", "3.5.2", "3.5.3", "3.5.4", "3.5.5"]);
    match layout {
        Some(Layout::Y2021) => v.extend(["3.6.1", "3.6.2", "3.6.3"]),
        _ => v.push("3.6"),
    }
    v.extend(["3.7", "4"]);
    v
}

/// The groups of 本年度办理结果 and the number of their sub-rows.
const GROUPS: &[(&str, &str)] = &[
    ("不予公开", "3.3"),
    ("无法提供", "3.4"),
    ("不予处理", "3.5"),
    ("其他处理", "3.6"),
];

fn sub_number(piece: &str) -> Option<u32> {
    static SUB: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
        Regex::new(r"^[（(]?\s*(\d{1,2})\s*[)）]?\s*[.．、,，\s]").ok()
    });
    let ascii: String = piece
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let padded = format!("{ascii} ");
    let c = SUB.as_ref()?.captures(&padded)?;
    c.get(1)?.as_str().parse().ok()
}

fn table3(rows: &[LabelledRow]) -> Table3 {
    let mut t = Table3::default();
    let mut group: Option<&'static str> = None;
    // (key, row index) of a 其他处理 row that may be the head of 2021 sub-rows.
    let mut other_head: Option<usize> = None;
    for r in rows {
        let l = r.joined();
        let last = r.pieces.last().map(String::as_str).unwrap_or_default();
        let key: Option<String> = if l.contains("本年新收") {
            Some("1".into())
        } else if l.contains("上年结转") {
            Some("2".into())
        } else if l.contains("结转下年度") {
            Some("4".into())
        } else if l.contains("总计") || l.contains("合计") {
            Some("3.7".into())
        } else if l.contains("部分公开") {
            Some("3.2".into())
        } else if l.contains("予以公开") && !l.contains("不予公开") {
            Some("3.1".into())
        } else {
            if let Some((_, k)) = GROUPS
                .iter()
                .filter_map(|(name, k)| l.rfind(name).map(|p| (p, *k)))
                .max_by_key(|(p, _)| *p)
            {
                group = Some(k);
            }
            match (sub_number(last), group) {
                (Some(n), Some(g)) => Some(format!("{g}.{n}")),
                (None, Some("3.6")) if last.contains("其他处理") => {
                    other_head = Some(t.rows.len());
                    Some("3.6".into())
                }
                (None, Some(_)) if r.all_blank => None,
                _ if r.all_blank => None,
                _ => {
                    t.unrecognised.push(r.label());
                    None
                }
            }
        };
        let Some(key) = key else { continue };
        if t.rows.iter().any(|x| x.key == key) {
            continue;
        }
        t.rows.push(Table3Row {
            key,
            label: r.label(),
            cells: r.cells.clone(),
        });
    }
    // A blank 其他处理 row followed by numbered sub-rows is the 2021 group head.
    if let Some(i) = other_head {
        let has_subs = t.rows.iter().any(|r| r.key.starts_with("3.6."));
        if has_subs
            && t.rows
                .get(i)
                .is_some_and(|r| r.cells.iter().all(|c| c.blank))
        {
            t.rows.remove(i);
        }
    }
    let layout = if t.rows.iter().any(|r| r.key.starts_with("3.6.")) {
        Some(Layout::Y2021)
    } else if t.rows.iter().any(|r| r.key == "3.6") {
        Some(Layout::Y2019)
    } else {
        None
    };
    let expected = expected_keys(layout);
    let order = |k: &str| expected.iter().position(|e| *e == k);
    let last_read = t.rows.iter().filter_map(|r| order(&r.key)).max();
    t.missing = expected
        .iter()
        .filter(|k| !t.rows.iter().any(|r| r.key == **k))
        .map(|k| (*k).to_string())
        .collect();
    t.truncated = match last_read {
        Some(last) => t.missing.iter().any(|k| order(k).is_some_and(|o| o > last)),
        None => true,
    };
    t.rows.sort_by_key(|r| order(&r.key).unwrap_or(usize::MAX));
    t
}

// ─── Table 四 ────────────────────────────────────────────────────────────────────────────

fn table4(grids: &[Grid]) -> Table4 {
    for g in grids {
        let Some(start) = data_start(g, 5) else {
            continue;
        };
        for r in &g.rows {
            let numbers = r
                .iter()
                .skip(start)
                .filter(|c| c.as_ref().is_some_and(|c| c.origin && is_number(&c.text)))
                .count();
            if numbers == 0 {
                continue;
            }
            let cells: Vec<Cell> = (start..start + 15)
                .map(|i| match r.get(i).and_then(Option::as_ref) {
                    Some(c) if c.origin => read_cell(&c.text),
                    _ => Cell::absent(),
                })
                .collect();
            let truncated = cells.iter().any(|c| c.value.is_none() && c.text.is_empty());
            return Table4 { cells, truncated };
        }
    }
    Table4 {
        cells: Vec::new(),
        truncated: true,
    }
}

// ─── Sections and layout ─────────────────────────────────────────────────────────────────

const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六"];

/// Per section, the heading found and its offset in `text`: the numbered form
/// ("三、收到和处理…") first, else the bare name; each searched after the previous one found.
fn find_sections(text: &str, sections: &[Vec<String>]) -> Vec<Option<(String, usize)>> {
    let squeezed = text;
    let mut from = 0usize;
    let mut out = Vec::new();
    for (i, group) in sections.iter().enumerate() {
        let numeral = NUMERALS.get(i).copied().unwrap_or("");
        let hay = squeezed.get(from..).unwrap_or("");
        let mut found: Option<(String, usize)> = None;
        for numbered in [true, false] {
            for alias in group {
                let alias = alias.trim();
                if alias.is_empty() {
                    continue;
                }
                let pattern = if numbered {
                    format!(
                        r"{}\s*[、．.，,]?\s*{}",
                        regex::escape(numeral),
                        spaced(alias)
                    )
                } else {
                    spaced(alias)
                };
                let Ok(re) = Regex::new(&pattern) else {
                    continue;
                };
                if let Some(m) = re.find(hay) {
                    if found.as_ref().is_none_or(|(_, p)| from + m.start() < *p) {
                        found = Some((m.as_str().to_string(), from + m.start()));
                    }
                }
            }
            if found.is_some() {
                break;
            }
        }
        if let Some((_, p)) = &found {
            from = *p + 1;
            while !squeezed.is_char_boundary(from) && from < squeezed.len() {
                from += 1;
            }
        }
        out.push(found);
    }
    out
}

/// A name as a regex that tolerates spaces between its characters.
fn spaced(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| regex::escape(&c.to_string()))
        .collect::<Vec<_>>()
        .join(r"\s*")
}

fn detect_layout(r: &AnnualReport) -> (Option<Layout>, Option<String>) {
    const NEW: &[&str] = &[
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
    ];
    const OLD: &[&str] = &[
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "采购项目数量",
        "采购总金额",
    ];
    for row in &r.table2 {
        for c in &row.columns {
            let c: String = c.chars().filter(|c| !c.is_whitespace()).collect();
            if let Some(m) = NEW.iter().find(|m| c.contains(**m)) {
                return (Some(Layout::Y2021), Some(format!("表二列名「{m}」")));
            }
            if let Some(m) = OLD.iter().find(|m| c.contains(**m)) {
                return (Some(Layout::Y2019), Some(format!("表二列名「{m}」")));
            }
        }
        if row.label.contains("政府集中采购") {
            return (Some(Layout::Y2019), Some("表二「政府集中采购」行".into()));
        }
    }
    if let Some(t) = &r.table3 {
        if t.rows.iter().any(|r| r.key.starts_with("3.6.")) {
            return (Some(Layout::Y2021), Some("表三「其他处理」分三行".into()));
        }
        if t.rows.iter().any(|r| r.key == "3.6") {
            return (Some(Layout::Y2019), Some("表三「其他处理」为一行".into()));
        }
    }
    (None, None)
}

#[cfg(test)]
#[path = "annual_report_tests.rs"]
mod tests;
