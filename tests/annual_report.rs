//! Annual reports (政府信息公开工作年度报告) end to end: fixture sites on loopback with the 专栏
//! and its 政府信息公开年报 column, report pages in both layouts (merged cells, flat tag soup,
//! GBK), crawled, read and judged; the published Chongqing 2019 report; and the
//! `annual-report` command on one page, as text and JSON.

mod common;

use std::process::{Command, Output};

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::checks::Finding;
use govscan::config::SiteKind;
use govscan::crawl::SiteFacts;
use govscan::demo::annual_report::{text_report_html, Cut, FixtureLayout, ReportFixture};
use govscan::demo::server::{gbk_html, html, GbkDeclare, Running};
use govscan::rules::RuleSet;

const CHONGQING: &str = include_str!("fixtures/chongqing-2019-annual-report.txt");

#[derive(Clone)]
enum Body {
    Utf8(String),
    Gbk(String),
}

fn respond(b: &Body) -> Response {
    match b {
        Body::Utf8(s) => html(StatusCode::OK, s),
        Body::Gbk(s) => gbk_html(&s.replace("<meta charset=\"utf-8\">", ""), GbkDeclare::Meta),
    }
}

/// A county site: home → 政府信息公开 (relative link) → its side navigation with
/// 政府信息公开年报 (`./ndbg/`) → a table-based list of the reports → the report pages.
fn site_router(reports: Vec<(i32, &str, Body)>) -> Router {
    let home = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范县人民政府</title></head><body>\
        <div class=\"nav\"><a href=\"./\">首页</a> <a href=\"./zfxxgk/\">政府信息公开</a> <a href=\"./zwdt/\">政务动态</a></div>\
        <p>示范县人民政府门户网站欢迎您。</p></body></html>";
    let xxgk = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>政府信息公开_示范县人民政府</title></head><body>\
        <div class=\"side\"><ul><li><a href=\"./zn/\">政府信息公开指南</a></li><li><a href=\"./zd/\">政府信息公开制度</a></li>\
        <li><a href=\"./fdzdgk/\">法定主动公开内容</a></li><li><a href=\"./ndbg/\">政府信息公开年报</a></li></ul></div>\
        <h2 class=\"title\">政府信息公开</h2><ul><li><a href=\"./zn/\">政府信息公开指南内容页面</a> 2025-02-01</li></ul></body></html>";
    let mut list = String::from(
        "<HTML><HEAD><META charset=\"utf-8\"><TITLE>政府信息公开年报_示范县人民政府</TITLE></HEAD><BODY>\
         <TABLE class=\"position\"><TR><TD>当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</TD></TR></TABLE>\
         <TABLE class=\"list\">",
    );
    for (year, date, _) in &reports {
        list.push_str(&format!(
            "<TR><TD><A href=\"./{year}.html\">示范县人民政府{year}年政府信息公开工作年度报告</A><TD>{date}\n"
        ));
    }
    list.push_str("</TABLE></BODY></HTML>");
    let mut r = Router::new()
        .route("/", get(move || async move { html(StatusCode::OK, home) }))
        .route(
            "/zfxxgk/",
            get(move || async move { html(StatusCode::OK, xxgk) }),
        )
        .route(
            "/zfxxgk/ndbg/",
            get(move || async move { html(StatusCode::OK, &list) }),
        );
    for (year, _, body) in reports {
        r = r.route(
            &format!("/zfxxgk/ndbg/{year}.html"),
            get(move || {
                let body = body.clone();
                async move { respond(&body) }
            }),
        );
    }
    r
}

async fn crawl_site(reports: Vec<(i32, &str, Body)>) -> (Running, SiteFacts) {
    let running = serve(site_router(reports)).await;
    let facts = crawl_fast(&running).await;
    (running, facts)
}

fn judge(facts: &SiteFacts, as_of: &str) -> Vec<Finding> {
    let rules = RuleSet::embedded().unwrap();
    govscan::checks::evaluate(facts, &rules, govscan::asof::parse(as_of).unwrap())
        .into_iter()
        .filter(|f| f.rule.starts_with("annual_report."))
        .collect()
}

fn of<'a>(findings: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == id).collect()
}

fn report_of(facts: &SiteFacts, year: i32) -> &govscan::extract::annual_report::AnnualReport {
    facts
        .pages
        .iter()
        .filter_map(|p| p.facts.annual_report.as_ref())
        .find(|r| r.year == Some(year))
        .unwrap_or_else(|| {
            panic!(
                "no report of {year} among {:?}",
                facts.pages.iter().map(|p| &p.url).collect::<Vec<_>>()
            )
        })
}

fn fixture(year: i32, layout: FixtureLayout, merged: bool) -> ReportFixture {
    let mut f = ReportFixture::new(year, layout);
    f.merged = merged;
    f.carried_in = [1, 2, 3, 1, 2, 3];
    f
}

#[tokio::test]
async fn consistent_reports_in_both_layouts_are_found_read_and_hold() {
    let this = fixture(2025, FixtureLayout::Y2021, true);
    let mut last = fixture(2024, FixtureLayout::Y2021, false);
    last.in_force = [4, 27];
    let old = fixture(2020, FixtureLayout::Y2019, true);
    let (_s, facts) = crawl_site(vec![
        (2025, "2026-01-20", Body::Utf8(this.html())),
        (2024, "2025-01-22", Body::Utf8(last.html())),
        (2020, "2021-01-25", Body::Utf8(old.html())),
    ])
    .await;
    let r = report_of(&facts, 2025);
    assert!(r.table3.as_ref().is_some_and(|t| t.missing.is_empty()));
    assert_eq!(r.row3("3.6.3").unwrap().cells.len(), 7);
    let r = report_of(&facts, 2020);
    assert_eq!(r.row3("3.6").unwrap().cells.len(), 7);
    let findings = judge(&facts, "2026-04-10");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[tokio::test]
async fn each_relation_broken_once_is_reported() {
    for id in ["T3-1", "T3-2", "T3-3", "T4-1"] {
        let mut f = fixture(2025, FixtureLayout::Y2021, id != "T3-3");
        f.broken = Some(id);
        let (_s, facts) = crawl_site(vec![(2025, "2026-01-20", Body::Utf8(f.html()))]).await;
        let findings = judge(&facts, "2026-04-10");
        let inc = of(&findings, "annual_report.inconsistent");
        assert_eq!(inc.len(), 1, "{id}: {findings:#?}");
        assert_eq!(inc[0].evidence["relation"], id);
        assert!(inc[0].url.ends_with("/zfxxgk/ndbg/2025.html"));
    }
}

#[tokio::test]
async fn a_gbk_report_in_tag_soup_is_read() {
    let f = fixture(2020, FixtureLayout::Y2019, false);
    let (_s, facts) = crawl_site(vec![(2020, "2021-01-25", Body::Gbk(f.html()))]).await;
    let page = facts
        .pages
        .iter()
        .find(|p| p.url.ends_with("2020.html"))
        .unwrap();
    assert_eq!(page.charset.as_deref(), Some("GBK"));
    let r = report_of(&facts, 2020);
    let gf = r.table2.iter().find(|x| x.label == "规范性文件").unwrap();
    // Full-width digits, the note kept apart.
    assert_eq!(gf.cells[1].value, Some(6.0));
    assert_eq!(gf.cells[1].note.as_deref(), Some("含上年结转1件"));
    let cg = r.table2.iter().find(|x| x.label == "政府集中采购").unwrap();
    assert_eq!(cg.cells[1].unit.as_deref(), Some("万元"));
    for (key, _, _, v) in f.table3() {
        let got: Vec<Option<f64>> = r.row3(key).unwrap().cells.iter().map(|c| c.value).collect();
        assert_eq!(got, v.map(|x| Some(x as f64)).to_vec(), "row {key}");
    }
    assert!(judge(&facts, "2021-04-10").is_empty());
    // A 2021 report in that layout is an old format.
    let f = fixture(2021, FixtureLayout::Y2019, false);
    let (_s, facts) = crawl_site(vec![(2021, "2022-01-25", Body::Gbk(f.html()))]).await;
    let findings = judge(&facts, "2022-04-10");
    assert_eq!(
        of(&findings, "annual_report.format_version").len(),
        1,
        "{findings:#?}"
    );
}

#[tokio::test]
async fn no_report_before_and_after_the_deadline() {
    let f = fixture(2024, FixtureLayout::Y2021, true);
    let (_s, mut facts) = crawl_site(vec![(2024, "2025-01-20", Body::Utf8(f.html()))]).await;
    assert!(of(&judge(&facts, "2026-03-31"), "annual_report.missing").is_empty());
    let after = judge(&facts, "2026-04-01");
    let m = of(&after, "annual_report.missing");
    assert_eq!(m.len(), 1, "{after:#?}");
    assert!(m[0].message.contains("2025年"), "{}", m[0].message);
    assert!(m[0].url.ends_with("/zfxxgk/ndbg/"), "{}", m[0].url);
    assert_eq!(m[0].evidence["column"]["crawled"], true);
    facts.kind = SiteKind::Department;
    assert!(of(&judge(&facts, "2026-01-31"), "annual_report.missing").is_empty());
    assert_eq!(
        of(&judge(&facts, "2026-02-01"), "annual_report.missing").len(),
        1
    );
}

#[tokio::test]
async fn cross_year_with_two_reports() {
    let mut this = fixture(2025, FixtureLayout::Y2021, true);
    this.in_force = [6, 35];
    this.carried_in = [2, 2, 3, 1, 2, 3];
    let last = fixture(2024, FixtureLayout::Y2021, true);
    let (_s, facts) = crawl_site(vec![
        (2025, "2026-01-20", Body::Utf8(this.html())),
        (2024, "2025-01-20", Body::Utf8(last.html())),
    ])
    .await;
    let findings = judge(&facts, "2026-04-10");
    let x = of(&findings, "annual_report.cross_year");
    assert_eq!(x.len(), 1, "{findings:#?}");
    assert!(x[0].message.contains("X-1"), "{}", x[0].message);
    assert!(of(&findings, "annual_report.inconsistent").is_empty());
}

#[tokio::test]
async fn a_report_cut_off_in_section_three_is_truncated() {
    let mut f = fixture(2025, FixtureLayout::Y2021, true);
    f.cut = Cut::PageEndsAfter("3.3.4");
    let (_s, facts) = crawl_site(vec![(2025, "2026-01-20", Body::Utf8(f.html()))]).await;
    let findings = judge(&facts, "2026-04-10");
    assert!(
        of(&findings, "annual_report.inconsistent").is_empty(),
        "{findings:#?}"
    );
    let s = of(&findings, "annual_report.sections");
    assert!(s.iter().any(|f| f.message.contains("四、")), "{s:#?}");
    assert!(s.iter().any(|f| f.evidence["truncated"] == true));
}

#[tokio::test]
async fn the_published_chongqing_2019_report() {
    let page = text_report_html(CHONGQING);
    let (_s, facts) = crawl_site(vec![(2019, "2020-03-30", Body::Utf8(page))]).await;
    let r = report_of(&facts, 2019);
    let gz = r.table2.iter().find(|x| x.label == "规章").unwrap();
    let v: Vec<Option<f64>> = gz.cells.iter().map(|c| c.value).collect();
    assert_eq!(v, vec![Some(7.0), Some(8.0), Some(186.0)]);
    assert_eq!(gz.cells[1].note.as_deref(), Some("含2018年结转1件"));
    let gf = r.table2.iter().find(|x| x.label == "规范性文件").unwrap();
    let v: Vec<Option<f64>> = gf.cells.iter().map(|c| c.value).collect();
    assert_eq!(v, vec![Some(1510.0), Some(1515.0), Some(8617.0)]);
    assert_eq!(gf.cells[1].note.as_deref(), Some("含2018年结转5件"));
    let t3 = r.table3.as_ref().unwrap();
    assert!(t3.truncated);
    assert_eq!(t3.rows.last().unwrap().key, "3.3.5");
    assert!(r.row3("3.7").is_none() && r.row3("4").is_none());
    let findings = judge(&facts, "2020-04-10");
    assert!(of(&findings, "annual_report.inconsistent").is_empty());
    assert!(of(&findings, "annual_report.missing").is_empty());
    let s = of(&findings, "annual_report.sections");
    assert!(s.iter().any(|f| f.message.contains("四、")), "{s:#?}");
    assert!(s
        .iter()
        .any(|f| f.evidence["table"] == "三" && f.evidence["truncated"] == true));
}

fn govscan(args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govscan"))
        .args(args)
        .env("GOVSCAN_LOG", "error")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run the govscan binary")
}

#[tokio::test]
async fn the_annual_report_command_on_one_page() {
    let page = text_report_html(CHONGQING);
    let running = serve(site_router(vec![(2019, "2020-03-30", Body::Utf8(page))])).await;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("annual-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n",
    )
    .unwrap();
    let url = running.url("/zfxxgk/ndbg/2019.html");
    let args = |format: &str| -> Vec<String> {
        [
            "annual-report",
            &url,
            "--format",
            format,
            "--as-of",
            "2020-06-01",
            "--config",
            config.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let (a, b) = (args("text"), args("json"));
    let (text, json) = tokio::task::spawn_blocking(move || (govscan(&a), govscan(&b)))
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&text.stdout);
    assert_eq!(
        text.status.code(),
        Some(1),
        "{out}\n{}",
        String::from_utf8_lossy(&text.stderr)
    );
    assert!(out.contains("报告年度：2019"), "{out}");
    assert!(
        out.contains(
            "规章：本年新制作数量 7；本年新公开数量 8〔注：含2018年结转1件〕；对外公开总数量 186"
        ),
        "{out}"
    );
    assert!(out.contains("1510") && out.contains("8617"), "{out}");
    assert!(out.contains("表格不完整"), "{out}");
    assert!(out.contains("[未判定（缺少第"), "{out}");
    assert!(out.contains("[相符] T3-3"), "{out}");
    assert!(out.contains("四　缺少"), "{out}");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&json.stdout));
    });
    assert_eq!(json.status.code(), Some(1));
    assert_eq!(v["report"]["year"], 2019);
    assert_eq!(v["report"]["table3"]["truncated"], true);
    let rels = v["relations"].as_array().unwrap();
    assert!(rels
        .iter()
        .any(|r| r["id"] == "T3-1" && r["result"] == "not_judged"));
    assert!(rels
        .iter()
        .any(|r| r["id"] == "T3-3" && r["result"] == "holds"));
    assert!(!rels.iter().any(|r| r["result"] == "fails"));
    // Politely: one page, robots.txt asked first; no link of the page followed.
    let paths: Vec<String> = running
        .log()
        .requests()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    assert!(!paths.iter().any(|p| p == "/zfxxgk/ndbg/"), "{paths:?}");
}
