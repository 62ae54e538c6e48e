//! Fixture annual reports (政府信息公开工作年度报告) for the tests: pages in the 2019 or the
//! 2021 layout, with consistent tables that a test can break one relation at a time, drop a
//! section from, cut short like a real published page, lay out with merged label and header
//! cells or as flat tag soup; and a page built from a report's published text (tab-separated
//! table rows become table rows).

use std::fmt::Write as _;

/// Which national layout a fixture follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixtureLayout {
    Y2019,
    Y2021,
}

/// How a fixture report is cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cut {
    /// Whole.
    None,
    /// Table 三 stops after the row with this key; section 四 is left out; 五 and 六 follow
    /// (like the published Chongqing 2019 report).
    TableStopsAfter(&'static str),
    /// The page ends after the row of table 三 with this key (no closing tags).
    PageEndsAfter(&'static str),
}

/// A fixture report.
#[derive(Debug, Clone)]
pub struct ReportFixture {
    pub year: i32,
    pub layout: FixtureLayout,
    /// The body's name, in the title.
    pub body: String,
    /// Merged label columns (rowspan) and header cells (colspan); else one label column with
    /// the group labels on rows of their own, upper-case tags and unclosed cells.
    pub merged: bool,
    /// Relation to break: "T3-1", "T3-2", "T3-3" or "T4-1".
    pub broken: Option<&'static str>,
    /// Sections (0 = 一 … 5 = 六) left out.
    pub omit_sections: Vec<usize>,
    pub cut: Cut,
    /// Per column (自然人 … 其他), 上年结转 (row 二): the previous report's 结转下年度.
    pub carried_in: [i64; 6],
    /// 现行有效件数 of 规章 and 行政规范性文件 (2021 layout).
    pub in_force: [i64; 2],
}

impl ReportFixture {
    /// A consistent report.
    pub fn new(year: i32, layout: FixtureLayout) -> ReportFixture {
        ReportFixture {
            year,
            layout,
            body: "示范县人民政府".into(),
            merged: true,
            broken: None,
            omit_sections: Vec::new(),
            cut: Cut::None,
            carried_in: [0, 1, 0, 1, 0, 1],
            in_force: [5, 31],
        }
    }

    /// The report's title.
    pub fn title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告", self.body, self.year)
    }

    /// Table 三's rows: (key, group label, label, seven values), consistent unless broken.
    pub fn table3(&self) -> Vec<(&'static str, &'static str, String, [i64; 7])> {
        let mut keys: Vec<(&'static str, &'static str, String)> = Vec::new();
        keys.push(("3.1", "", "（一）予以公开".into()));
        keys.push((
            "3.2",
            "",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）".into(),
        ));
        for (i, l) in [
            "属于国家秘密",
            "其他法律行政法规禁止公开",
            "危及“三安全一稳定”",
            "保护第三方合法权益",
            "属于三类内部事务信息",
            "属于四类过程性信息",
            "属于行政执法案卷",
            "属于行政查询事项",
        ]
        .iter()
        .enumerate()
        {
            keys.push((KEYS33[i], "（三）不予公开", format!("{}．{l}", i + 1)));
        }
        for (i, l) in [
            "本机关不掌握相关政府信息",
            "没有现成信息需要另行制作",
            "补正后申请内容仍不明确",
        ]
        .iter()
        .enumerate()
        {
            keys.push((KEYS34[i], "（四）无法提供", format!("{}．{l}", i + 1)));
        }
        for (i, l) in [
            "信访举报投诉类申请",
            "重复申请",
            "要求提供公开出版物",
            "无正当理由大量反复申请",
            "要求行政机关确认或重新出具已获取信息",
        ]
        .iter()
        .enumerate()
        {
            keys.push((KEYS35[i], "（五）不予处理", format!("{}．{l}", i + 1)));
        }
        match self.layout {
            FixtureLayout::Y2019 => keys.push(("3.6", "", "（六）其他处理".into())),
            FixtureLayout::Y2021 => {
                for (i, l) in [
                    "申请人无正当理由逾期不补正、行政机关不再处理其申请",
                    "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其申请",
                    "其他",
                ]
                .iter()
                .enumerate()
                {
                    keys.push((KEYS36[i], "（六）其他处理", format!("{}．{l}", i + 1)));
                }
            }
        }
        let mut rows: Vec<(&'static str, &'static str, String, [i64; 7])> = Vec::new();
        let mut total = [0i64; 7];
        for (k, (key, group, label)) in keys.into_iter().enumerate() {
            let mut v = [0i64; 7];
            for (c, x) in v.iter_mut().take(6).enumerate() {
                *x = i64::try_from((k * 3 + c * 5) % 7).unwrap_or(0);
            }
            v[6] = v[..6].iter().sum();
            for c in 0..7 {
                total[c] += v[c];
            }
            rows.push((key, group, label, v));
        }
        let mut carried_out = [0i64; 7];
        let mut carried_in = [0i64; 7];
        let mut new = [0i64; 7];
        for c in 0..6 {
            carried_out[c] = 1 + i64::try_from(c % 3).unwrap_or(0);
            carried_in[c] = self.carried_in[c];
            new[c] = total[c] + carried_out[c] - carried_in[c];
        }
        for a in [&mut carried_out, &mut carried_in, &mut new] {
            a[6] = a[..6].iter().sum();
        }
        let mut all = vec![
            ("1", "", "一、本年新收政府信息公开申请数量".to_string(), new),
            (
                "2",
                "",
                "二、上年结转政府信息公开申请数量".to_string(),
                carried_in,
            ),
        ];
        all.extend(rows);
        all.push(("3.7", "", "（七）总计".to_string(), total));
        all.push(("4", "", "四、结转下年度继续办理".to_string(), carried_out));
        let at = |all: &mut Vec<(&str, &str, String, [i64; 7])>, key: &str| {
            all.iter().position(|r| r.0 == key).unwrap_or(0)
        };
        match self.broken {
            Some("T3-1") => {
                let i = at(&mut all, "1");
                all[i].3[0] += 1;
                all[i].3[6] += 1;
            }
            Some("T3-2") => {
                let i = at(&mut all, "3.7");
                all[i].3[0] += 1;
                all[i].3[6] += 1;
                let j = at(&mut all, "4");
                all[j].3[0] -= 1;
                all[j].3[6] -= 1;
            }
            Some("T3-3") => {
                let i = at(&mut all, "2");
                all[i].3[0] += 1;
                let j = at(&mut all, "1");
                all[j].3[0] -= 1;
            }
            _ => {}
        }
        all
    }

    /// Table 四's 15 values.
    pub fn table4(&self) -> [i64; 15] {
        let mut v = [1, 2, 0, 1, 4, 0, 1, 1, 0, 2, 1, 0, 0, 1, 2];
        if self.broken == Some("T4-1") {
            v[0] += 1;
        }
        v
    }

    /// Table 二's rows: (block, label, columns, values).
    pub fn table2(&self) -> Vec<(&'static str, &'static str, Vec<&'static str>, Vec<String>)> {
        match self.layout {
            FixtureLayout::Y2021 => vec![
                (
                    "第二十条第（一）项",
                    "规章",
                    vec!["本年制发件数", "本年废止件数", "现行有效件数"],
                    vec!["1".into(), "0".into(), self.in_force[0].to_string()],
                ),
                (
                    "第二十条第（一）项",
                    "行政规范性文件",
                    vec!["本年制发件数", "本年废止件数", "现行有效件数"],
                    vec!["6".into(), "2".into(), self.in_force[1].to_string()],
                ),
                (
                    "第二十条第（五）项",
                    "行政许可",
                    vec!["本年处理决定数量"],
                    vec!["1,204".into()],
                ),
                (
                    "第二十条第（六）项",
                    "行政处罚",
                    vec!["本年处理决定数量"],
                    vec!["45".into()],
                ),
                (
                    "第二十条第（六）项",
                    "行政强制",
                    vec!["本年处理决定数量"],
                    vec!["".into()],
                ),
                (
                    "第二十条第（八）项",
                    "行政事业性收费",
                    vec!["本年收费金额（万元）"],
                    vec!["12.5".into()],
                ),
            ],
            FixtureLayout::Y2019 => vec![
                (
                    "第二十条第（一）项",
                    "规章",
                    vec!["本年新制作数量", "本年新公开数量", "对外公开总数量"],
                    vec!["0".into(), "0".into(), "3".into()],
                ),
                (
                    "第二十条第（一）项",
                    "规范性文件",
                    vec!["本年新制作数量", "本年新公开数量", "对外公开总数量"],
                    vec!["５".into(), "６（含上年结转1件）".into(), "４８".into()],
                ),
                (
                    "第二十条第（九）项",
                    "政府集中采购",
                    vec!["采购项目数量", "采购总金额"],
                    vec!["12".into(), "356.8万元".into()],
                ),
            ],
        }
    }

    /// The page's HTML.
    pub fn html(&self) -> String {
        let title = self.title();
        let mut h = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}_{}</title>\
             <meta name=\"ArticleTitle\" content=\"{title}\"><meta name=\"PubDate\" content=\"{}-01-20 10:00\">\
             </head><body><div class=\"nav\"><a href=\"/\">首页</a></div>\
             <div class=\"article\"><h1>{title}</h1><div class=\"content\">\
             <p>本报告根据《中华人民共和国政府信息公开条例》编制。</p>\n",
            self.body,
            self.year + 1
        );
        h.push_str(&self.content());
        if !matches!(self.cut, Cut::PageEndsAfter(_)) {
            h.push_str("</div></div></body></html>\n");
        }
        h
    }

    /// The report's sections 一 to 六 (the page ends early when cut so).
    pub fn content(&self) -> String {
        let soup = !self.merged;
        let (td, tdc, tr, trc) = if soup {
            ("<TD>", "", "<TR>", "")
        } else {
            ("<td>", "</td>", "<tr>", "</tr>")
        };
        let mut h = String::new();
        let heading = |h: &mut String, i: usize, name: &str| {
            if !self.omit_sections.contains(&i) {
                let _ = writeln!(h, "<p><strong>{}、{name}</strong></p>", NUMERALS[i]);
            }
        };
        heading(&mut h, 0, "总体情况");
        h.push_str("<p>本年度，我单位认真贯彻落实政府信息公开工作要求。</p>\n");
        heading(&mut h, 1, "主动公开政府信息情况");
        if !self.omit_sections.contains(&1) {
            let mut block = "";
            for (b, label, cols, vals) in self.table2() {
                if b != block {
                    if !block.is_empty() {
                        h.push_str("</table>\n");
                    }
                    block = b;
                    let _ = writeln!(
                        h,
                        "<p>{b}</p><table border=\"1\"><tr><td>信息内容</td>{}</tr>",
                        cols.iter()
                            .map(|c| format!("<td>{c}</td>"))
                            .collect::<String>()
                    );
                }
                let _ = writeln!(
                    h,
                    "<tr><td>{label}</td>{}</tr>",
                    vals.iter()
                        .map(|v| format!("<td>{v}</td>"))
                        .collect::<String>()
                );
            }
            h.push_str("</table>\n");
        }
        heading(&mut h, 2, "收到和处理政府信息公开申请情况");
        if !self.omit_sections.contains(&2) {
            h.push_str("<table border=\"1\" class=\"MsoTableGrid\">\n");
            if self.merged {
                h.push_str(
                    "<tr><td colspan=\"3\" rowspan=\"3\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>\
                     <td colspan=\"7\">申请人情况</td></tr>\n\
                     <tr><td rowspan=\"2\">自然人</td><td colspan=\"5\">法人或其他组织</td><td rowspan=\"2\">总计</td></tr>\n\
                     <tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>\n",
                );
            } else {
                let _ = writeln!(
                    h,
                    "{tr}{td}申请人情况{tdc}{td}自然人{tdc}{td}商业企业{tdc}{td}科研机构{tdc}{td}社会公益组织{tdc}{td}法律服务机构{tdc}{td}其他{tdc}{td}总计{tdc}{trc}"
                );
            }
            let rows = self.table3();
            let n_results = rows
                .iter()
                .filter(|r| r.0.starts_with('3') && r.0 != "3.7")
                .count()
                + 1;
            let mut last_group = "";
            for (key, group, label, v) in &rows {
                let mut line = String::from(tr);
                if self.merged {
                    let group_len = rows.iter().filter(|r| r.1 == *group).count();
                    if *key == "3.1" {
                        let _ = write!(line, "<td rowspan=\"{n_results}\">三、本年度办理结果</td>");
                    }
                    if group.is_empty() {
                        let span = if key.starts_with('3') { 2 } else { 3 };
                        let _ = write!(line, "<td colspan=\"{span}\">{label}</td>");
                    } else {
                        if *group != last_group {
                            let _ = write!(line, "<td rowspan=\"{group_len}\">{group}</td>");
                        }
                        let _ = write!(line, "<td>{label}</td>");
                    }
                } else {
                    if !group.is_empty() && *group != last_group {
                        let _ = writeln!(
                            h,
                            "{tr}{td}{group}{tdc}{}{trc}",
                            format!("{td}{tdc}").repeat(7)
                        );
                    }
                    let _ = write!(line, "{td}{label}{tdc}");
                }
                last_group = group;
                for x in v {
                    // Zeros are left blank on some rows, as real reports do.
                    if *x == 0 && key.starts_with("3.5") {
                        let _ = write!(line, "{td}{tdc}");
                    } else {
                        let _ = write!(line, "{td}{x}{tdc}");
                    }
                }
                line.push_str(trc);
                h.push_str(&line);
                h.push('\n');
                match &self.cut {
                    Cut::PageEndsAfter(k) if k == key => return h,
                    Cut::TableStopsAfter(k) if k == key => break,
                    _ => {}
                }
            }
            h.push_str("</table>\n");
        }
        let section4 = !matches!(self.cut, Cut::TableStopsAfter(_));
        if section4 {
            heading(&mut h, 3, "政府信息公开行政复议、行政诉讼情况");
        }
        if section4 && !self.omit_sections.contains(&3) {
            h.push_str(
                "<table border=\"1\"><tr><td colspan=\"5\" rowspan=\"2\">行政复议</td><td colspan=\"10\">行政诉讼</td></tr>\
                 <tr><td colspan=\"5\">未经复议直接起诉</td><td colspan=\"5\">复议后起诉</td></tr><tr>",
            );
            for _ in 0..3 {
                h.push_str(
                    "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>",
                );
            }
            h.push_str("</tr><tr>");
            for x in self.table4() {
                let _ = write!(h, "<td>{x}</td>");
            }
            h.push_str("</tr></table>\n");
        }
        heading(&mut h, 4, "存在的主要问题及改进情况");
        h.push_str("<p>部分栏目更新不够及时，下一步将加强日常监测。</p>\n");
        heading(&mut h, 5, "其他需要报告的事项");
        h.push_str("<p>本年度未收取信息处理费。</p>\n");
        h
    }
}

const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六"];
const KEYS33: &[&str] = &[
    "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.3.5", "3.3.6", "3.3.7", "3.3.8",
];
const KEYS34: &[&str] = &["3.4.1", "3.4.2", "3.4.3"];
const KEYS35: &[&str] = &["3.5.1", "3.5.2", "3.5.3", "3.5.4", "3.5.5"];
const KEYS36: &[&str] = &["3.6.1", "3.6.2", "3.6.3"];

/// A page built from a report's published text: the first non-empty line is the title, lines
/// with tabs are table rows (a run of them is one table, cells split on tabs, kept as
/// published), every other line a paragraph.
pub fn text_report_html(text: &str) -> String {
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches(['\r', ' ']))
        .filter(|l| !l.trim().is_empty());
    let title = lines.next().unwrap_or_default().trim().to_string();
    let mut h = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><div class=\"article\"><h1>{title}</h1>\n"
    );
    let mut in_table = false;
    for line in lines {
        if line.contains('\t') {
            if !in_table {
                h.push_str("<table border=\"1\">\n");
                in_table = true;
            }
            h.push_str("<tr>");
            for cell in line.split('\t') {
                let _ = write!(h, "<td>{}</td>", escape(cell.trim()));
            }
            h.push_str("</tr>\n");
        } else {
            if in_table {
                h.push_str("</table>\n");
                in_table = false;
            }
            let _ = writeln!(h, "<p>{}</p>", escape(line.trim()));
        }
    }
    if in_table {
        h.push_str("</table>\n");
    }
    h.push_str("</div></body></html>\n");
    h
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
