//! The text of `govscan annual-report`: the page, the report's sections, its tables as read
//! (notes and units beside the numbers, blanks read as zero marked, rows the page lacks
//! listed, never shown as zero), every relation with its result, and the findings.

use std::fmt::Write as _;

use crate::checks::annual_report::{fmt_num, row_zh, Outcome, T3_COLUMNS, T4_COLUMNS, T4_GROUPS};
use crate::extract::annual_report::Cell;
use crate::inspect::annual_report::ReportPageCheck;

const SECTION_NAMES: [&str; 6] = ["一", "二", "三", "四", "五", "六"];

fn cell(c: &Cell) -> String {
    let mut s = match c.value {
        Some(_) if c.blank && c.text.is_empty() => "（空，按0计）".to_string(),
        Some(_) if c.blank => format!("{}（按0计）", c.text),
        Some(v) => fmt_num(v),
        None if c.text.is_empty() => "（无）".to_string(),
        None => format!("「{}」（无法读取）", c.text),
    };
    if let Some(u) = &c.unit {
        s.push_str(u);
    }
    if let Some(n) = &c.note {
        let _ = write!(s, "〔注：{n}〕");
    }
    s
}

/// The text report of one report page.
pub fn text(c: &ReportPageCheck) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "年度报告检查：{}", c.url);
    if let Some(f) = c.final_url.as_ref().filter(|f| **f != c.url) {
        let _ = writeln!(out, "实际地址：{f}");
    }
    let _ = writeln!(out, "访问结果：{}", c.status);
    if let Some(t) = &c.title {
        let _ = writeln!(out, "页面标题：{t}");
    }
    if let Some(cs) = &c.charset {
        let _ = writeln!(out, "页面编码：{cs}");
    }
    let _ = writeln!(out, "检查时间基准：{}", c.as_of);
    if c.truncated {
        let _ = writeln!(
            out,
            "注意：页面未完整读取（超过大小或解析上限），缺少的内容不作判定"
        );
    }
    if let Some(e) = &c.error {
        let _ = writeln!(out, "无法检查：{e}");
    }
    let Some(r) = &c.report else {
        return out;
    };
    let _ = writeln!(out, "\n报告：{}", r.title);
    if let Some(y) = r.year {
        let _ = writeln!(out, "报告年度：{y}");
    }
    if let Some((kind, d)) = &c.deadline {
        let _ = write!(out, "公开期限（{kind}）：{d}");
        match &c.published {
            Some(p) if p.as_str() > d.as_str() => {
                let _ = writeln!(out, "；页面发布日期 {p}，逾期");
            }
            Some(p) => {
                let _ = writeln!(out, "；页面发布日期 {p}");
            }
            None => {
                let _ = writeln!(out, "；页面未标注发布日期");
            }
        }
    }
    let _ = writeln!(
        out,
        "表格格式：{}",
        match (r.layout, &r.layout_evidence) {
            (Some(l), Some(e)) => format!("{}（依据：{e}）", l.zh()),
            (Some(l), None) => l.zh().to_string(),
            _ => "无法判断".to_string(),
        }
    );
    let _ = writeln!(out, "\n规定部分：");
    for (i, s) in r.sections.iter().enumerate() {
        let n = SECTION_NAMES.get(i).unwrap_or(&"");
        match s {
            Some(h) => {
                let _ = writeln!(out, "  {n}　有　「{h}」");
            }
            None => {
                let _ = writeln!(out, "  {n}　缺少");
            }
        }
    }
    let _ = writeln!(out, "\n表二（主动公开政府信息情况），按页面所载：");
    if r.table2.is_empty() {
        let _ = writeln!(out, "  （未找到表格）");
    }
    for row in &r.table2 {
        let cells: Vec<String> = row
            .cells
            .iter()
            .enumerate()
            .map(|(i, x)| match row.columns.get(i) {
                Some(h) => format!("{h} {}", cell(x)),
                None => cell(x),
            })
            .collect();
        let _ = writeln!(
            out,
            "  {}{}：{}",
            row.block
                .as_deref()
                .map(|b| format!("{b} "))
                .unwrap_or_default(),
            row.label,
            cells.join("；")
        );
    }
    let _ = writeln!(
        out,
        "\n表三（收到和处理政府信息公开申请情况），按页面所载："
    );
    match &r.table3 {
        None => {
            let _ = writeln!(out, "  （未找到表格）");
        }
        Some(t) => {
            let _ = writeln!(out, "  列：{}", T3_COLUMNS.join(" | "));
            for row in &t.rows {
                let cells: Vec<String> = row.cells.iter().map(cell).collect();
                let _ = writeln!(
                    out,
                    "  {} {}：{}",
                    row_zh(&row.key),
                    row.label,
                    cells.join(" | ")
                );
            }
            if t.truncated {
                let _ = writeln!(
                    out,
                    "  表格不完整：在最后读到的行之后中断，以下行页面没有，未按0计：{}",
                    t.missing
                        .iter()
                        .map(|k| row_zh(k))
                        .collect::<Vec<_>>()
                        .join("、")
                );
            } else if !t.missing.is_empty() {
                let _ = writeln!(
                    out,
                    "  缺少的行（未按0计）：{}",
                    t.missing
                        .iter()
                        .map(|k| row_zh(k))
                        .collect::<Vec<_>>()
                        .join("、")
                );
            }
            if !t.unrecognised.is_empty() {
                let _ = writeln!(out, "  无法识别的行：{}", t.unrecognised.join("；"));
            }
        }
    }
    let _ = writeln!(
        out,
        "\n表四（政府信息公开行政复议、行政诉讼情况），按页面所载："
    );
    match &r.table4 {
        None => {
            let _ = writeln!(out, "  （未找到表格）");
        }
        Some(t) if t.cells.is_empty() => {
            let _ = writeln!(out, "  表格缺失或没有数据行");
        }
        Some(t) => {
            for (g, group) in T4_GROUPS.iter().enumerate() {
                let cells: Vec<String> = (0..5)
                    .map(|i| {
                        let c = t
                            .cells
                            .get(g * 5 + i)
                            .map(cell)
                            .unwrap_or_else(|| "（无）".into());
                        format!("{} {c}", T4_COLUMNS[i])
                    })
                    .collect();
                let _ = writeln!(out, "  {group}：{}", cells.join("；"));
            }
            if t.truncated {
                let _ = writeln!(out, "  表格不完整（未按0计）");
            }
        }
    }
    let _ = writeln!(out, "\n勾稽关系：");
    let v = |x: Option<f64>| x.map(fmt_num).unwrap_or_else(|| "？".into());
    for rel in &c.relations {
        let result = match &rel.outcome {
            Outcome::Holds => "相符".to_string(),
            Outcome::Fails => "不符".to_string(),
            Outcome::NotJudged(why) => format!("未判定（{why}）"),
        };
        let _ = writeln!(
            out,
            "  [{result}] {} {}「{}」：{} = {}；{} = {}",
            rel.id,
            rel.row,
            rel.column,
            rel.left,
            v(rel.left_value),
            rel.right,
            v(rel.right_value)
        );
    }
    let held = c
        .relations
        .iter()
        .filter(|r| r.outcome == Outcome::Holds)
        .count();
    let failed = c.relations.iter().filter(|r| r.fails()).count();
    let _ = writeln!(
        out,
        "  合计：相符 {held}，不符 {failed}，未判定 {}",
        c.relations.len() - held - failed
    );
    let _ = writeln!(out, "\n问题：");
    if c.findings.is_empty() {
        let _ = writeln!(out, "  未发现问题");
    }
    for f in &c.findings {
        let _ = writeln!(out, "  [{}] {}：{}", f.kind.zh(), f.rule, f.message);
    }
    out
}
