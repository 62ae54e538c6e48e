//! The monthly bulletin and the rectification notices as 公文 in Word (DOCX), laid out after
//! GB/T 9704-2012 《党政机关公文格式》, written with `docx-rs`:
//!
//! - A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right;
//! - the issuer's red header (发文机关标志, red 小标宋), the document number (发文字号) and the
//!   red rule (版头中的分隔线) under it;
//! - the title in 2号小标宋, centred; the addressees (主送机关);
//! - the body in 3号仿宋_GB2312 with a first-line indent of two characters and 28 pt lines,
//!   headings of the first level in 3号黑体, of the second in 3号楷体_GB2312;
//! - the attachments' list (附件说明), the issuer and the date (署名、成文日期) on the right;
//! - page numbers "— 1 —" in 4号宋体, outside (right on odd pages, left on even ones);
//! - each 附件 on a page of its own, its label in 3号黑体, its tables in 仿宋.
//!
//! Font names are set, not embedded: Word and LibreOffice take the machine's own fonts of
//! those names (or their substitutes).

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin,
    PageNum, Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Pic, Run,
    RunFonts, SpecialIndentType, Table, TableCell, TableRow, WidthType,
};

use super::bulletin::{Bulletin, BulletinFinding, BulletinSite};
use super::charts::Chart;

const FANGSONG: &str = "仿宋_GB2312";
const HEITI: &str = "黑体";
const KAITI: &str = "楷体_GB2312";
const XIAOBIAOSONG: &str = "方正小标宋简体";
const SONGTI: &str = "宋体";
const RED: &str = "FF0000";

/// Font sizes in half-points (docx units): 初号 42 pt … 5号 10.5 pt.
const SIZE_HEADER: usize = 72; // 36 pt, the issuer's mark
const SIZE_2: usize = 44; // 2号, 22 pt
const SIZE_3: usize = 32; // 3号, 16 pt
const SIZE_4: usize = 28; // 4号, 14 pt
const SIZE_5: usize = 21; // 5号, 10.5 pt

/// Twips (1/20 pt) per millimetre.
fn mm(v: f64) -> i32 {
    (v * 1440.0 / 25.4).round() as i32
}

/// The 公文's header and signature: who issues it, under which number.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// 发文机关标志, e.g. `某市人民政府办公室文件`.
    pub header: String,
    /// 发文字号, e.g. `某政办〔2026〕12号`; none leaves the line out.
    pub doc_no: Option<String>,
    /// 主送机关, e.g. `各区县人民政府，市政府各部门：`.
    pub addressees: String,
    /// 发文机关署名.
    pub signature: String,
}

/// Why a DOCX could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the DOCX {name}: {message}")]
pub struct DocxError {
    pub name: String,
    pub message: String,
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(name)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

/// A paragraph of the body: 3号仿宋, first line indented two characters, 28 pt lines.
fn body(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, FANGSONG, SIZE_3))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact(560))
}

fn exact(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line(twips)
        .line_rule(LineSpacingType::Exact)
}

/// A first-level heading (一、…): 3号黑体.
fn heading1(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, HEITI, SIZE_3))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact(560))
        .keep_next(true)
}

/// A second-level heading (（一）…): 3号楷体.
fn heading2(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, KAITI, SIZE_3))
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact(560))
        .keep_next(true)
}

fn centred(text: &str, font: &str, size: usize) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, size))
        .align(AlignmentType::Center)
}

fn right(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, FANGSONG, SIZE_3))
        .align(AlignmentType::Right)
        .indent(None, None, Some(mm(11.0)), None)
        .line_spacing(exact(560))
}

fn blank() -> Paragraph {
    Paragraph::new()
        .add_run(run("", FANGSONG, SIZE_3))
        .line_spacing(exact(560))
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

/// The red header, the document number and the red rule.
fn masthead(doc: Docx, issuer: &Issuer) -> Docx {
    let mark = Paragraph::new()
        .add_run(
            run(&issuer.header, XIAOBIAOSONG, SIZE_HEADER)
                .color(RED)
                .character_spacing(20),
        )
        .align(AlignmentType::Center);
    let mut doc = doc
        .add_paragraph(blank())
        .add_paragraph(mark)
        .add_paragraph(blank());
    let mut number = Paragraph::new()
        .add_run(run(
            issuer.doc_no.as_deref().unwrap_or(""),
            FANGSONG,
            SIZE_3,
        ))
        .align(AlignmentType::Center);
    // The red rule: the number's paragraph gets a red bottom border (about 1 pt).
    number.property = number.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(8)
                .space(4)
                .color(RED),
        ),
    );
    doc = doc.add_paragraph(number).add_paragraph(blank());
    doc
}

/// An A4 公文 with its page numbers.
fn page() -> Docx {
    let odd = Footer::new().add_paragraph(
        Paragraph::new()
            .add_run(run("— ", SONGTI, SIZE_4))
            .add_page_num(PageNum::new())
            .add_run(run(" —", SONGTI, SIZE_4))
            .align(AlignmentType::Right)
            .indent(None, None, Some(mm(7.0)), None),
    );
    let even = Footer::new().add_paragraph(
        Paragraph::new()
            .add_run(run("— ", SONGTI, SIZE_4))
            .add_page_num(PageNum::new())
            .add_run(run(" —", SONGTI, SIZE_4))
            .align(AlignmentType::Left)
            .indent(Some(mm(7.0)), None, None, None),
    );
    Docx::new()
        .page_size(11906, 16838)
        .page_margin(
            PageMargin::new()
                .top(mm(37.0))
                .bottom(mm(35.0))
                .left(mm(28.0))
                .right(mm(26.0))
                .header(mm(15.0))
                .footer(mm(20.0)),
        )
        .default_fonts(fonts(FANGSONG))
        .default_size(SIZE_3)
        .footer(odd)
        .even_footer(even)
}

/// A table with a bold header row, in 5号仿宋 (wide tables) or 4号.
fn table(head: &[&str], rows: Vec<Vec<String>>, widths_mm: &[f64]) -> Table {
    let size = if head.len() > 5 { SIZE_5 } else { SIZE_4 };
    let cell = |text: &str, bold: bool, w: f64| {
        let r = run(text, if bold { HEITI } else { FANGSONG }, size);
        TableCell::new()
            .add_paragraph(Paragraph::new().add_run(r))
            .width(mm(w) as usize, WidthType::Dxa)
    };
    let mut out = vec![TableRow::new(
        head.iter()
            .zip(widths_mm)
            .map(|(h, w)| cell(h, true, *w))
            .collect(),
    )
    .cant_split()];
    for r in rows {
        out.push(
            TableRow::new(
                r.iter()
                    .zip(widths_mm)
                    .map(|(t, w)| cell(t, false, *w))
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(out).set_grid(widths_mm.iter().map(|w| mm(*w) as usize).collect())
}

fn chart(doc: Docx, c: &Chart) -> Docx {
    // 150 mm wide, the height in proportion; EMU: 36,000 per mm.
    let w = 150.0;
    let h = w * f64::from(c.height) / f64::from(c.width.max(1));
    let pic = Pic::new(&c.png).size((w * 36_000.0) as u32, (h * 36_000.0) as u32);
    doc.add_paragraph(
        Paragraph::new()
            .add_run(Run::new().add_image(pic))
            .align(AlignmentType::Center),
    )
    .add_paragraph(
        Paragraph::new()
            .add_run(run(&c.caption, KAITI, SIZE_5))
            .align(AlignmentType::Center),
    )
}

fn fmt_change(c: Option<f64>) -> String {
    match c {
        None => "—".into(),
        Some(c) if c > 0.0 => format!("+{c}"),
        Some(c) => format!("{c}"),
    }
}

/// 2026-12-01 → 2026年12月1日.
fn zh_date(day: &str) -> String {
    match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => {
            use chrono::Datelike;
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        }
        Err(_) => day.to_string(),
    }
}

/// A site's problems a site is told to fix (not those a person must confirm first).
fn to_fix(s: &BulletinSite) -> impl Iterator<Item = &BulletinFinding> {
    s.vetoes
        .iter()
        .chain(&s.deductions)
        .chain(&s.notices)
        .filter(|f| !f.needs_confirmation)
}

fn to_confirm(s: &BulletinSite) -> impl Iterator<Item = &BulletinFinding> {
    s.vetoes
        .iter()
        .chain(&s.deductions)
        .chain(&s.notices)
        .filter(|f| f.needs_confirmation)
}

fn pack(doc: Docx, name: &str) -> Result<Vec<u8>, DocxError> {
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).map_err(|e| DocxError {
        name: name.to_string(),
        message: e.to_string(),
    })?;
    Ok(buf.into_inner())
}

/// The monthly bulletin as a 公文, with the charts and its attachments: 1 the problems of
/// each site, 2 the items a person must confirm.
pub fn bulletin(b: &Bulletin, issuer: &Issuer, charts: &[Chart]) -> Result<Vec<u8>, DocxError> {
    let mut doc = masthead(page(), issuer);
    doc = doc
        .add_paragraph(centred(&b.title, XIAOBIAOSONG, SIZE_2).line_spacing(exact(700)))
        .add_paragraph(blank())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&issuer.addressees, FANGSONG, SIZE_3))
                .line_spacing(exact(560)),
        );
    doc = doc.add_paragraph(body(&format!(
        "根据《政府网站与政务新媒体检查指标》《政府网站与政务新媒体监管工作年度考核指标》（国办秘函〔2019〕19号）等规定，{}{}。现将有关情况通报如下。",
        b.month_zh, b.scope_zh
    )));

    doc = doc.add_paragraph(heading1("一、总体情况"));
    let pending = if b.pending > 0 {
        format!(
            "待人工确认{}家（存在须经人工确认的单项否决问题，确认前不判定合格与否，不计为合格），",
            b.pending
        )
    } else {
        String::new()
    };
    let mut overall = format!(
        "{}完成检查{}家，检查合格{}家，不合格{}家，{pending}合格率{}%，平均得分{}分。",
        b.this_zh, b.inspected, b.passed, b.failed, b.pass_rate, b.average_score
    );
    if b.last_month.inspected > 0 {
        overall.push_str(&format!(
            "{}检查{}家，合格率{}%，平均得分{}分。",
            b.previous_zh,
            b.last_month.inspected,
            b.last_month.pass_rate,
            b.last_month.average_score
        ));
    }
    if !b.not_inspected.is_empty() {
        let names: Vec<String> = b
            .not_inspected
            .iter()
            .map(|n| match &n.reason {
                Some(r) => format!("{}（{}：{}）", n.name, n.state, r),
                None => format!("{}（{}）", n.name, n.state),
            })
            .collect();
        overall.push_str(&format!(
            "另有{}家网站{}未能完成检查，未予评分，不计入合格率：{}。",
            b.not_inspected.len(),
            b.this_zh,
            names.join("；")
        ));
    }
    doc = doc.add_paragraph(body(&overall));
    for c in charts {
        doc = chart(doc, c);
    }

    doc = doc.add_paragraph(heading1("二、不合格网站"));
    let failing: Vec<&BulletinSite> = b.sites.iter().filter(|s| !s.passed && !s.pending).collect();
    let pending_sites: Vec<&BulletinSite> = b.sites.iter().filter(|s| s.pending).collect();
    if failing.is_empty() && !pending_sites.is_empty() {
        doc = doc.add_paragraph(body(&format!(
            "{}完成检查的网站中未发现确定的不合格网站（{}家待人工确认，见下）。",
            b.this_zh,
            pending_sites.len()
        )));
    } else if failing.is_empty() {
        doc = doc.add_paragraph(body(&format!(
            "{}完成检查的{}家网站均合格。",
            b.this_zh, b.inspected
        )));
    } else {
        doc = doc.add_paragraph(body(&format!(
            "{}检查不合格的网站{}家，按单项否决问题列示如下：",
            b.this_zh,
            failing.len()
        )));
        for (i, s) in failing.iter().enumerate() {
            doc = doc.add_paragraph(heading2(&format!("（{}）{}", zh_number(i + 1), s.name)));
            let vetoes: Vec<String> = s
                .vetoes
                .iter()
                .map(|f| {
                    if f.needs_confirmation {
                        format!("{}（待人工确认）", f.title)
                    } else {
                        f.title.clone()
                    }
                })
                .collect();
            let why = if vetoes.is_empty() {
                format!("得分{}分，低于合格线。", s.score)
            } else {
                format!("存在单项否决问题：{}。", dedup(vetoes).join("；"))
            };
            doc = doc.add_paragraph(body(&why));
        }
    }

    if !pending_sites.is_empty() {
        doc = doc.add_paragraph(body(
            "待人工确认的网站（其单项否决问题须经人工核实，核实后按结论计为合格或不合格）：",
        ));
        for s in &pending_sites {
            let titles: Vec<String> = s.vetoes.iter().map(|f| f.title.clone()).collect();
            doc = doc.add_paragraph(body(&format!(
                "{}（得分{}分）：{}。",
                s.name,
                s.score,
                dedup(titles).join("；")
            )));
        }
    }

    doc = doc.add_paragraph(heading1("三、得分与排名"));
    doc = doc.add_paragraph(body(
        "合格网站按得分排名；待确认、不合格网站列于其后，不参与排名。",
    ));
    let rows = b
        .sites
        .iter()
        .map(|s| {
            vec![
                s.rank.map_or("—".into(), |r| r.to_string()),
                s.name.clone(),
                s.score.to_string(),
                fmt_change(s.change),
                s.verdict.clone(),
            ]
        })
        .collect();
    doc = doc.add_table(table(
        &[
            "排名",
            "网站名称",
            "得分",
            &format!("较{}", b.previous_zh),
            "结论",
        ],
        rows,
        &[16.0, 70.0, 22.0, 22.0, 22.0],
    ));

    doc = doc.add_paragraph(heading1("四、主要问题"));
    if b.problems.is_empty() {
        doc = doc.add_paragraph(body(&format!(
            "{}完成检查的{}家网站未发现问题。",
            b.this_zh, b.inspected
        )));
    } else {
        let rows = b
            .problems
            .iter()
            .map(|p| {
                vec![
                    p.title.clone(),
                    p.kind.clone(),
                    p.sites.to_string(),
                    p.findings.to_string(),
                    match p.change {
                        None => "—".into(),
                        Some(c) if c > 0 => format!("+{c}"),
                        Some(c) => c.to_string(),
                    },
                ]
            })
            .collect();
        doc = doc.add_table(table(
            &[
                "问题类型",
                "性质",
                "涉及网站",
                "问题数",
                &format!("较{}", b.previous_zh),
            ],
            rows,
            &[70.0, 20.0, 22.0, 20.0, 20.0],
        ));
    }
    doc = interaction_figures(doc, b);

    // Further sections, numbered on: the new-media accounts (judged apart from the sites)
    // and the changes of the 行政规范性文件 libraries, when the period has any.
    let mut next = 5;
    let numeral = |n: usize| ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][n - 1];
    let a = &b.accounts;
    if a.checked + a.not_inspected > 0 {
        doc = doc.add_paragraph(heading1(&format!("{}、政务新媒体检查情况", numeral(next))));
        next += 1;
        let mut text = match a.pass_rate {
            Some(rate) => format!(
                "{}检查政务新媒体账号{}个，合格{}个，合格率{}%。",
                b.this_zh, a.checked, a.passed, rate
            ),
            None => format!("{}未能完成政务新媒体账号的检查。", b.this_zh),
        };
        if a.not_inspected > 0 {
            text.push_str(&format!(
                "另有{}个账号未能读取，未予评价，不计入合格率。",
                a.not_inspected
            ));
        }
        if !a.platforms.is_empty() {
            let per: Vec<String> = a
                .platforms
                .iter()
                .map(|p| format!("{}{}个、合格率{}%", p.platform, p.checked, p.pass_rate))
                .collect();
            text.push_str(&format!("分平台：{}。", per.join("；")));
        }
        if !a.dormant.is_empty() {
            let names: Vec<String> = a.dormant.iter().map(|d| d.name.clone()).collect();
            text.push_str(&format!("长期未更新（僵尸）账号：{}。", names.join("、")));
        }
        doc = doc.add_paragraph(body(&text));
        if !a.table.is_empty() {
            let rows = a
                .table
                .iter()
                .map(|l| {
                    vec![
                        l.platform.clone(),
                        l.name.clone(),
                        l.unit.clone(),
                        l.problems.clone(),
                        l.last_update.clone(),
                    ]
                })
                .collect();
            doc = doc.add_table(table(
                &[
                    "新媒体类型",
                    "新媒体名称",
                    "责任单位",
                    "问题类别",
                    "检查时更新日期",
                ],
                rows,
                &[22.0, 36.0, 36.0, 40.0, 22.0],
            ));
        }
    }
    let n = &b.normdoc;
    if !n.sites.is_empty() || !n.stale_links.is_empty() {
        doc = doc.add_paragraph(heading1(&format!("{}、规范性文件变动", numeral(next))));
        next += 1;
        let mut rows = Vec::new();
        for s in &n.sites {
            for (kind, list) in [
                ("新增", &s.new),
                ("修订", &s.revised),
                ("废止/失效", &s.abolished),
            ] {
                for c in list {
                    rows.push(vec![
                        s.site.clone(),
                        kind.to_string(),
                        c.change.docno.clone().unwrap_or_default(),
                        c.change.title.clone(),
                        c.what.clone(),
                    ]);
                }
            }
        }
        if !rows.is_empty() {
            doc = doc.add_table(table(
                &["网站名称", "变动", "文号", "标题", "说明"],
                rows,
                &[26.0, 16.0, 30.0, 50.0, 34.0],
            ));
        }
        for l in &n.stale_links {
            doc = doc.add_paragraph(body(&format!(
                "{}：{}（页面：{}）",
                l.site, l.message, l.page
            )));
        }
    }

    doc = doc.add_paragraph(heading1(&format!("{}、整改要求", numeral(next))));
    doc = doc.add_paragraph(body(&format!(
        "请存在问题的网站主办单位对照附件1所列问题，于收到通报之日起{}个工作日内完成整改，并将整改情况报送{}。对逾期未整改或整改不到位的，将在后续通报中继续通报，并纳入年度考核。附件2所列事项需人工核实后再作认定。",
        b.deadline_days, b.issuer
    )));

    doc = doc
        .add_paragraph(blank())
        .add_paragraph(body("附件：1. 各网站问题清单"))
        .add_paragraph(
            Paragraph::new()
                .add_run(run("2. 待人工确认事项", FANGSONG, SIZE_3))
                .indent(Some(mm(11.3) + 640 + 3 * 320), None, None, None)
                .line_spacing(exact(560)),
        )
        .add_paragraph(blank())
        .add_paragraph(blank())
        .add_paragraph(right(&issuer.signature))
        .add_paragraph(right(&zh_date(&b.issued_on)));

    // 附件1: the problems to fix.
    doc = doc
        .add_paragraph(page_break())
        .add_paragraph(Paragraph::new().add_run(run("附件1", HEITI, SIZE_3)))
        .add_paragraph(blank())
        .add_paragraph(centred("各网站问题清单", XIAOBIAOSONG, SIZE_2))
        .add_paragraph(blank());
    let mut rows = Vec::new();
    for s in &b.sites {
        for f in to_fix(s) {
            rows.push(vec![
                (rows.len() + 1).to_string(),
                s.name.clone(),
                f.title.clone(),
                f.kind.clone(),
                f.message.clone(),
                f.url.clone(),
                f.first_seen.clone().unwrap_or_default(),
            ]);
        }
    }
    if rows.is_empty() {
        doc = doc.add_paragraph(body("无。"));
    } else {
        doc = doc.add_table(table(
            &[
                "序号",
                "网站名称",
                "问题类型",
                "性质",
                "问题描述",
                "问题地址",
                "首次发现",
            ],
            rows,
            &[12.0, 22.0, 24.0, 12.0, 40.0, 26.0, 20.0],
        ));
    }

    // 附件2: what a person must confirm before it counts.
    doc = doc
        .add_paragraph(page_break())
        .add_paragraph(Paragraph::new().add_run(run("附件2", HEITI, SIZE_3)))
        .add_paragraph(blank())
        .add_paragraph(centred("待人工确认事项", XIAOBIAOSONG, SIZE_2))
        .add_paragraph(blank());
    let mut rows = Vec::new();
    for s in &b.sites {
        for f in to_confirm(s) {
            rows.push(vec![
                (rows.len() + 1).to_string(),
                s.name.clone(),
                f.title.clone(),
                f.message.clone(),
                f.page.clone().unwrap_or_else(|| f.url.clone()),
            ]);
        }
    }
    if rows.is_empty() {
        doc = doc.add_paragraph(body("无。"));
    } else {
        doc = doc.add_table(table(
            &["序号", "网站名称", "事项", "说明", "所在页面"],
            rows,
            &[12.0, 26.0, 26.0, 56.0, 36.0],
        ));
    }
    pack(doc, &format!("{}.docx", b.stem))
}

/// A site's rectification notice (整改通知) as a 公文: its problems as the body and as a
/// table in 附件, the advice of each rule, the deadline.
pub fn notice(b: &Bulletin, s: &BulletinSite, issuer: &Issuer) -> Result<Vec<u8>, DocxError> {
    let mut doc = masthead(page(), issuer);
    doc = doc
        .add_paragraph(centred(
            &format!("关于{}存在问题的整改通知", s.name),
            XIAOBIAOSONG,
            SIZE_2,
        ))
        .add_paragraph(blank())
        .add_paragraph(
            Paragraph::new()
                .add_run(run(&format!("{}主办单位：", s.name), FANGSONG, SIZE_3))
                .line_spacing(exact(560)),
        );
    doc = doc.add_paragraph(body(&format!(
        "根据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号），{}于{}对你单位网站（{}）进行了检查（检查日期：{}），得分{}分，结论为“{}”。发现的问题详见附件。",
        b.issuer,
        b.month_zh,
        s.url,
        zh_date(&s.scanned_on),
        s.score,
        s.verdict
    )));
    doc = doc.add_paragraph(heading1("一、存在的问题"));
    let groups = [
        ("（一）单项否决问题", &s.vetoes),
        ("（二）扣分问题", &s.deductions),
        ("（三）提示事项", &s.notices),
    ];
    for (title, findings) in groups {
        let fix: Vec<&BulletinFinding> =
            findings.iter().filter(|f| !f.needs_confirmation).collect();
        if fix.is_empty() {
            continue;
        }
        doc = doc.add_paragraph(heading2(title));
        for (i, f) in fix.iter().enumerate() {
            doc = doc.add_paragraph(body(&format!("{}. {}：{}", i + 1, f.title, f.message)));
        }
    }
    if !s.advice.is_empty() {
        doc = doc.add_paragraph(heading1("二、整改建议"));
        for (i, a) in s.advice.iter().enumerate() {
            doc = doc.add_paragraph(body(&format!("{}. {}：{}", i + 1, a.title, a.advice)));
        }
    }
    doc = doc.add_paragraph(heading1(if s.advice.is_empty() {
        "二、整改要求"
    } else {
        "三、整改要求"
    }));
    doc = doc.add_paragraph(body(&format!(
        "请于收到本通知之日起{}个工作日内完成整改，并将整改情况书面报送{}。",
        b.deadline_days, b.issuer
    )));
    let confirm: Vec<&BulletinFinding> = to_confirm(s).collect();
    if !confirm.is_empty() {
        doc = doc.add_paragraph(body(&format!(
            "另有{}项需人工核实的事项，核实前不作为整改要求：{}。",
            confirm.len(),
            dedup(confirm.iter().map(|f| f.title.clone()).collect()).join("；")
        )));
    }
    doc = doc
        .add_paragraph(blank())
        .add_paragraph(body("附件：问题清单"))
        .add_paragraph(blank())
        .add_paragraph(right(&issuer.signature))
        .add_paragraph(right(&zh_date(&b.issued_on)))
        .add_paragraph(page_break())
        .add_paragraph(Paragraph::new().add_run(run("附件", HEITI, SIZE_3)))
        .add_paragraph(blank())
        .add_paragraph(centred("问题清单", XIAOBIAOSONG, SIZE_2))
        .add_paragraph(blank());
    let rows: Vec<Vec<String>> = to_fix(s)
        .enumerate()
        .map(|(i, f)| {
            vec![
                (i + 1).to_string(),
                f.title.clone(),
                f.kind.clone(),
                f.message.clone(),
                f.url.clone(),
                f.page.clone().unwrap_or_default(),
            ]
        })
        .collect();
    doc = doc.add_table(table(
        &[
            "序号",
            "问题类型",
            "性质",
            "问题描述",
            "问题地址",
            "所在页面",
        ],
        rows,
        &[12.0, 24.0, 12.0, 48.0, 30.0, 30.0],
    ));
    pack(doc, &format!("整改通知-{}.docx", s.name))
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v
}

/// 1 → 一 … 99 → 九十九 (the numbering of second-level headings).
fn zh_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            D[n / 10],
            if n.is_multiple_of(10) { "" } else { D[n % 10] }
        ),
        _ => n.to_string(),
    }
}

/// The 互动交流 figures per site (under 四、主要问题), when any site has them.
fn interaction_figures(mut doc: Docx, b: &Bulletin) -> Docx {
    let sites: Vec<_> = b
        .sites
        .iter()
        .filter_map(|s| s.interaction.as_ref().map(|i| (s, i)))
        .collect();
    if sites.is_empty() {
        return doc;
    }
    doc = doc.add_paragraph(heading2("互动交流留言办理情况"));
    doc = doc.add_paragraph(body(
        "咨询类栏目（不含在线访谈、调查征集、网上信访、纪检举报）监测时间点前一年内的有效留言；“无法检查”表示未读取到留言列表，不作为无问题。",
    ));
    let dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let rows = sites
        .iter()
        .map(|(s, i)| {
            if i.inspected {
                vec![
                    s.name.clone(),
                    i.messages.to_string(),
                    i.answered.to_string(),
                    dash(i.answered_pct.map(|p| format!("{p}%"))),
                    dash(i.median_days.map(|d| d.to_string())),
                    dash(i.max_days.map(|d| d.to_string())),
                    i.overdue.to_string(),
                ]
            } else {
                vec![
                    s.name.clone(),
                    "无法检查".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                ]
            }
        })
        .collect();
    doc.add_table(table(
        &[
            "网站名称",
            "留言数",
            "已答复",
            "答复率",
            "用时中位数（天）",
            "最长用时（天）",
            "超期未答复",
        ],
        rows,
        &[50.0, 18.0, 18.0, 18.0, 24.0, 24.0, 20.0],
    ))
}
