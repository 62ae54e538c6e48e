use super::*;
use crate::demo::annual_report::{text_report_html, Cut, FixtureLayout, ReportFixture};

const CHONGQING: &str = include_str!("../../tests/fixtures/chongqing-2019-annual-report.txt");

fn rules() -> ReportRules {
    let set = crate::rules::RuleSet::embedded().unwrap();
    ReportRules::from_rules(&set).unwrap()
}

fn read_html(html: &str) -> AnnualReport {
    let doc = Html::parse_document(html);
    read(
        &doc,
        &doc.root_element().text().collect::<String>(),
        None,
        None,
        &rules(),
    )
    .expect("an annual report")
}

fn values(r: &AnnualReport, key: &str) -> Vec<Option<f64>> {
    r.row3(key)
        .unwrap_or_else(|| panic!("row {key} in {:?}", r.table3))
        .cells
        .iter()
        .map(|c| c.value)
        .collect()
}

#[test]
fn cells_read_as_published() {
    let c = read_cell("8（含2018年结转1件）");
    assert_eq!(c.value, Some(8.0));
    assert_eq!(c.note.as_deref(), Some("含2018年结转1件"));
    let c = read_cell("１，２３４");
    assert_eq!(c.value, Some(1234.0));
    let c = read_cell("9,960,742");
    assert_eq!(c.value, Some(9_960_742.0));
    let c = read_cell("552.94亿元");
    assert_eq!(c.value, Some(552.94));
    assert_eq!(c.unit.as_deref(), Some("亿元"));
    let c = read_cell("－105");
    assert_eq!(c.value, Some(-105.0));
    let c = read_cell("");
    assert_eq!((c.value, c.blank), (Some(0.0), true));
    let c = read_cell("—");
    assert_eq!((c.value, c.blank), (Some(0.0), true));
    let c = read_cell("12件");
    assert_eq!((c.value, c.unit.as_deref()), (Some(12.0), Some("件")));
    assert_eq!(read_cell("自然人").value, None);
    assert_eq!(read_cell("1. 属于国家秘密").value, None);
}

#[test]
fn chongqing_2019_section_two_as_published() {
    let r = read_html(&text_report_html(CHONGQING));
    assert_eq!(r.year, Some(2019));
    assert_eq!(r.layout, Some(Layout::Y2019));
    let row = |label: &str| {
        r.table2
            .iter()
            .find(|x| x.label == label)
            .unwrap_or_else(|| panic!("{label} in {:?}", r.table2))
    };
    let gz = row("规章");
    assert_eq!(
        gz.cells.iter().map(|c| c.value).collect::<Vec<_>>(),
        vec![Some(7.0), Some(8.0), Some(186.0)]
    );
    assert_eq!(gz.cells[1].note.as_deref(), Some("含2018年结转1件"));
    assert_eq!(gz.block.as_deref(), Some("第二十条第（一）项"));
    assert_eq!(
        gz.columns,
        vec!["本年新制作数量", "本年新公开数量", "对外公开总数量"]
    );
    let gf = row("规范性文件");
    assert_eq!(
        gf.cells.iter().map(|c| c.value).collect::<Vec<_>>(),
        vec![Some(1510.0), Some(1515.0), Some(8617.0)]
    );
    assert_eq!(gf.cells[1].note.as_deref(), Some("含2018年结转5件"));
    assert_eq!(row("行政许可").cells[2].value, Some(9_960_742.0));
    assert_eq!(row("行政处罚").cells[1].value, Some(-105.0));
    let cg = row("政府集中采购");
    assert_eq!(cg.cells[1].value, Some(552.94));
    assert_eq!(cg.cells[1].unit.as_deref(), Some("亿元"));
    assert_eq!(cg.block.as_deref(), Some("第二十条第（九）项"));
}

#[test]
fn chongqing_2019_section_three_is_truncated_not_zero() {
    let r = read_html(&text_report_html(CHONGQING));
    let t3 = r.table3.as_ref().unwrap();
    assert!(t3.truncated, "{t3:?}");
    assert_eq!(
        values(&r, "1"),
        [6398.0, 561.0, 185.0, 86.0, 273.0, 19.0, 7522.0]
            .map(Some)
            .to_vec()
    );
    assert_eq!(values(&r, "2")[6], Some(149.0));
    assert_eq!(values(&r, "3.1")[6], Some(3983.0));
    assert_eq!(values(&r, "3.2")[6], Some(146.0));
    assert_eq!(values(&r, "3.3.5")[6], Some(124.0));
    for k in ["3.3.6", "3.3.8", "3.4.1", "3.6", "3.7", "4"] {
        assert!(r.row3(k).is_none(), "{k} must not be read as zero");
        assert!(t3.missing.iter().any(|m| m == k), "{k} listed missing");
    }
    // Section 四 is not on the page; 五 and 六 are.
    assert!(r.sections[3].is_none());
    assert!(r.sections[4].is_some() && r.sections[5].is_some());
    assert!(r.sections[..3].iter().all(Option::is_some));
}

#[test]
fn both_layouts_merged_and_flat_read_every_row() {
    for layout in [FixtureLayout::Y2019, FixtureLayout::Y2021] {
        for merged in [true, false] {
            let mut f = ReportFixture::new(2022, layout);
            f.merged = merged;
            let r = read_html(&f.html());
            let t3 = r.table3.as_ref().unwrap();
            assert!(
                t3.missing.is_empty() && !t3.truncated,
                "{layout:?} merged={merged}: {t3:?}"
            );
            assert!(t3.unrecognised.is_empty(), "{:?}", t3.unrecognised);
            for (key, _, _, v) in f.table3() {
                let got: Vec<Option<f64>> = values(&r, key);
                let want: Vec<Option<f64>> = v.iter().map(|x| Some(*x as f64)).collect();
                assert_eq!(got, want, "{layout:?} merged={merged} row {key}");
            }
            let t4 = r.table4.as_ref().unwrap();
            assert!(!t4.truncated);
            assert_eq!(
                t4.cells.iter().map(|c| c.value).collect::<Vec<_>>(),
                f.table4()
                    .iter()
                    .map(|x| Some(*x as f64))
                    .collect::<Vec<_>>()
            );
            let want = match layout {
                FixtureLayout::Y2019 => Layout::Y2019,
                FixtureLayout::Y2021 => Layout::Y2021,
            };
            assert_eq!(r.layout, Some(want));
            assert!(r.sections.iter().all(Option::is_some));
        }
    }
}

#[test]
fn a_page_cut_in_table_three_is_truncated() {
    let mut f = ReportFixture::new(2022, FixtureLayout::Y2021);
    f.cut = Cut::PageEndsAfter("3.3.2");
    let r = read_html(&f.html());
    let t3 = r.table3.as_ref().unwrap();
    assert!(t3.truncated);
    assert!(r.row3("3.3.2").is_some() && r.row3("3.3.3").is_none());
    assert!(r.sections[3].is_none() && r.sections[5].is_none());
    assert!(r.table4.is_none());
}

#[test]
fn a_missing_section_is_none() {
    let mut f = ReportFixture::new(2022, FixtureLayout::Y2021);
    f.omit_sections = vec![4];
    let r = read_html(&f.html());
    assert!(r.sections[4].is_none());
    assert_eq!(r.sections.iter().filter(|s| s.is_some()).count(), 5);
}

#[test]
fn a_page_that_is_not_a_report_is_none() {
    let doc = Html::parse_document(
        "<html><head><title>工作动态</title></head><body><table><tr><td>a</td><td>1</td></tr>\
         <tr><td>b</td><td>2</td></tr></table></body></html>",
    );
    assert!(read(&doc, "工作动态 a 1 b 2", Some("工作动态"), None, &rules()).is_none());
}

#[test]
fn a_table_split_in_two_is_read_as_one() {
    // The published text with the row 本年度办理结果 as a paragraph: table 三 continues in a
    // second table without any label of its own.
    let html = text_report_html(CHONGQING).replace(
        "<tr><td>本年度办理结果</td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>",
        "</table><p>本年度办理结果</p><table border=\"1\">",
    );
    assert!(html.contains("<p>本年度办理结果</p>"));
    let r = read_html(&html);
    assert_eq!(values(&r, "3.2")[6], Some(146.0));
    assert_eq!(values(&r, "3.3.1")[6], Some(216.0));
}
