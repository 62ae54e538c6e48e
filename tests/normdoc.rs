//! The 行政规范性文件 library end to end: a fixture site in two states scanned twice through
//! the binary (documents added, revised, repealed, expired, moved, removed), the findings and
//! the `normdocs` command; libraries as GBK lists paginated by `?page=N` and as tag-soup tables
//! paginated by script.

mod common;

use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::html;
use govscan::store::{FindingFilter, FindingStatus, Store};

async fn run(args: &[&str]) -> Output {
    common::run(args.iter().map(|s| s.to_string()).collect()).await
}

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("normdoc", name)
}

fn ok(body: String) -> Response {
    html(StatusCode::OK, &body)
}

/// One row of the library: (文号, title, path, 有效性, 有效期).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const DAY1: &[&[Row]] = &[
    &[
        (
            "某府规〔2020〕1号",
            "甲办法",
            "/zfxxgk/gfxwj/202001/t1.html",
            "有效",
            "",
        ),
        (
            "某府规〔2020〕2号",
            "乙办法",
            "/zfxxgk/gfxwj/202002/t2.html",
            "有效",
            "",
        ),
    ],
    &[
        (
            "某府规〔2021〕3号",
            "丙暂行办法",
            "/zfxxgk/gfxwj/202103/t3.html",
            "有效",
            "2021-07-01至2023-06-30",
        ),
        (
            "某府规〔2019〕4号",
            "丁试行办法",
            "/zfxxgk/gfxwj/201904/t4.html",
            "有效",
            "",
        ),
    ],
    &[(
        "某府规〔2018〕5号",
        "戊办法",
        "/zfxxgk/gfxwj/201805/t5.html",
        "有效",
        "",
    )],
];

const DAY2: &[&[Row]] = &[
    &[
        (
            "某府规〔2026〕6号",
            "己办法",
            "/zfxxgk/gfxwj/202611/t6.html",
            "有效",
            "",
        ),
        (
            "某府规[2026]07号",
            "庚办法",
            "/zfxxgk/gfxwj/202611/t7.html",
            "有效",
            "",
        ),
        (
            "某府规〔2020〕1号",
            "【已废止】甲办法",
            "/zfxxgk/gfxwj/202001/t1.html",
            "废止",
            "",
        ),
    ],
    &[
        (
            "某府规〔2020〕2号",
            "乙办法",
            "/zfxxgk/gfxwj/202002/t2.html",
            "已修订",
            "",
        ),
        // Moved to a new address, the same document.
        (
            "某府规（2021）3号",
            "丙暂行办法",
            "/zfxxgk/gfxwj/new/t3.html",
            "有效",
            "2021-07-01至2023-06-30",
        ),
    ],
    &[(
        "某府规〔2019〕4号",
        "丁试行办法",
        "/zfxxgk/gfxwj/201904/t4.html",
        "失效",
        "",
    )],
];

/// A library page in an old TRS template: upper-case tag soup, unclosed cells, the pager
/// written by script.
fn library_page(rows: &[Row], page: usize, total: usize) -> String {
    let mut b = String::from(
        "<HTML><HEAD><META charset=utf-8><TITLE>行政规范性文件_示范县人民政府</TITLE></HEAD><BODY>\
         <DIV class=position>当前位置：<A href=\"/\">首页</A> &gt; <A href=\"../\">政府信息公开</A> &gt; 行政规范性文件</DIV>\
         <H2 class=lmmc>行政规范性文件</H2><TABLE class=gfxwj>\
         <TR><TH>序号<TH>文号<TH>标题<TH>发布日期<TH>有效性<TH>有效期\n",
    );
    for (i, (no, title, path, status, validity)) in rows.iter().enumerate() {
        b.push_str(&format!(
            "<TR><TD>{}<TD>{no}<TD><A href=\"{path}\" target=_blank>{title}</A><TD>2026-0{}-1{}<TD>{status}<TD>{validity}\n",
            page * 10 + i + 1,
            page + 1,
            i
        ));
    }
    b.push_str(&format!(
        "</TABLE><DIV class=page>共{total}页<SCRIPT>createPageHTML({total}, {page}, \"index\", \"html\");</SCRIPT></DIV></BODY></HTML>"
    ));
    b
}

fn doc_page(title: &str, docno: &str, marked: bool) -> String {
    let status = if marked {
        "<p class=status>有效性：已废止</p>"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"ArticleTitle\" content=\"{title}\">\
         <meta name=\"PubDate\" content=\"2020-01-05 10:00\"><title>{title}</title></head><body>\
         <table class=meta><tr><td>文号：</td><td>{docno}</td></tr></table>{status}<h1>{title}</h1>\
         <p>各乡镇人民政府，县政府各部门：现将有关事项通知如下。</p></body></html>"
    )
}

fn site(day2: Arc<AtomicBool>) -> Router {
    let d = day2.clone();
    let lib = move |page: usize| {
        let d = d.clone();
        move || {
            let day = if d.load(Ordering::SeqCst) { DAY2 } else { DAY1 };
            async move { ok(library_page(day[page], page, day.len())) }
        }
    };
    let mut app = Router::new()
        .route(
            "/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范县人民政府</title></head><body>\
                    <div class=\"nav\"><ul><li><a href=\"/zfxxgk/gfxwj/index.html\">行政规范性文件</a></li>\
                    <li><a href=\"/xwzx/t9.html\">关于贯彻落实甲办法的通知</a></li>\
                    <li><a href=\"/xwzx/t8.html\">政策解读：甲办法</a></li></ul></div>\
                    <p>这是一个用于测试的政府网站首页，内容正常。</p></body></html>"
                    .into())
            }),
        )
        .route("/zfxxgk/gfxwj/index.html", get(lib(0)))
        .route("/zfxxgk/gfxwj/index_1.html", get(lib(1)))
        .route("/zfxxgk/gfxwj/index_2.html", get(lib(2)))
        // A news page still presents 甲办法 as current; another marks it.
        .route(
            "/xwzx/t9.html",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"ArticleTitle\" content=\"关于贯彻落实甲办法的通知\">\
                    <title>关于贯彻落实甲办法的通知</title></head><body><p>请认真贯彻落实\
                    <a href=\"/zfxxgk/gfxwj/202001/t1.html\">甲办法</a>。</p></body></html>"
                    .into())
            }),
        )
        .route(
            "/xwzx/t8.html",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"ArticleTitle\" content=\"政策解读：甲办法\">\
                    <title>政策解读：甲办法</title></head><body><ul><li>\
                    <a href=\"/zfxxgk/gfxwj/202001/t1.html\">甲办法</a><span>（已废止）</span></li></ul></body></html>"
                    .into())
            }),
        );
    let mut routed = std::collections::HashSet::new();
    for day in [DAY1, DAY2] {
        for rows in day {
            for (no, title, path, _, _) in rows.iter() {
                if !routed.insert(*path) {
                    continue;
                }
                let title = title.trim_start_matches("【已废止】");
                // 丁试行办法's page marks its status; 甲办法's does not.
                let body = doc_page(title, no, path.ends_with("t4.html"));
                app = app.route(path, get(move || async move { ok(body) }));
            }
        }
    }
    app
}

fn findings(store: &Store, status: Option<FindingStatus>) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = store
        .findings(&FindingFilter {
            status,
            ..FindingFilter::default()
        })
        .expect("findings")
        .into_iter()
        .filter(|f| f.finding.rule.starts_with("normdoc."))
        .map(|f| (f.finding.rule, f.finding.url, f.finding.message))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_scans_report_the_library_changes_and_the_normdocs_command_lists_them() {
    let day2 = Arc::new(AtomicBool::new(false));
    let s = serve(site(day2.clone())).await;
    let dir = temp_dir("two-scans");
    let cfg = format!(
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n\n[store]\npath = \"{}\"\n\n\
         [[site]]\nname = \"示范县\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
        dir.join("govscan.db").display(),
        s.url("/")
    );
    let cfg_path = dir.join("config.toml");
    std::fs::write(&cfg_path, cfg).expect("config");
    let cfg = cfg_path.to_string_lossy().to_string();

    let scan = |as_of: &'static str| {
        let cfg = cfg.clone();
        async move {
            let out = run(&[
                "scan",
                "--fail-on",
                "never",
                "--config",
                &cfg,
                "--as-of",
                as_of,
            ])
            .await;
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    };
    scan("2026-11-29").await;
    {
        let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
        let snaps = store.normdoc_snapshots("示范县").expect("snapshots");
        assert_eq!(snaps.len(), 1);
        let snap = &snaps[0].snapshot;
        // Every page of the script-written pager was read.
        assert_eq!(snap.records.len(), 5, "{snap:#?}");
        assert!(snap.complete);
        assert_eq!(snap.pages_total, Some(3));
        // The first scan has nothing to compare with.
        let f = findings(&store, None);
        assert!(
            !f.iter()
                .any(|(r, _, _)| r == "normdoc.new" || r == "normdoc.abolished"),
            "{f:#?}"
        );
        // 丙暂行办法's 有效期 ended in 2023 while it is marked 有效.
        assert!(f
            .iter()
            .any(|(r, u, _)| r == "normdoc.expired_validity" && u.ends_with("t3.html")));
        // Nothing is dead yet: no stale link.
        assert!(!f.iter().any(|(r, _, _)| r == "normdoc.stale_link"));
    }

    day2.store(true, Ordering::SeqCst);
    scan("2026-11-30").await;
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    let f = findings(&store, None);
    let has = |rule: &str, tail: &str| f.iter().any(|(r, u, _)| r == rule && u.ends_with(tail));
    assert!(has("normdoc.new", "t6.html"), "{f:#?}");
    assert!(has("normdoc.new", "t7.html"), "{f:#?}");
    assert!(has("normdoc.revised", "t2.html"), "{f:#?}");
    assert!(has("normdoc.abolished", "t1.html"), "{f:#?}");
    assert!(has("normdoc.abolished", "t4.html"), "{f:#?}");
    // 戊办法 is gone from a library read in full both times.
    let gone = f
        .iter()
        .find(|(r, u, _)| r == "normdoc.abolished" && u.ends_with("t5.html"))
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert!(gone.2.contains("移除"), "{}", gone.2);
    // 丙暂行办法 moved and its 文号 is now written with other brackets: not new, not gone.
    assert!(!has("normdoc.new", "new/t3.html"), "{f:#?}");
    assert!(!has("normdoc.abolished", "202103/t3.html"), "{f:#?}");
    // The news page presents the repealed 甲办法 as current; the marked one does not.
    let stale: Vec<_> = f
        .iter()
        .filter(|(r, _, _)| r == "normdoc.stale_link")
        .collect();
    assert_eq!(stale.len(), 1, "{stale:#?}");
    assert!(stale[0].1.ends_with("/xwzx/t9.html"));
    assert!(stale[0].2.contains("t1.html") && stale[0].2.contains("已废止"));
    // 甲办法's own page does not say it is repealed.
    assert!(has("normdoc.status_unmarked", "t1.html"), "{f:#?}");
    assert!(!has("normdoc.status_unmarked", "t4.html"), "{f:#?}");
    // 某府规[2026]07号: square brackets and a leading zero.
    let bad = f
        .iter()
        .find(|(r, _, _)| r == "normdoc.docno_format")
        .unwrap_or_else(|| panic!("{f:#?}"));
    assert!(
        bad.2.contains("方括号") && bad.2.contains("前导零"),
        "{}",
        bad.2
    );

    // The command: the library as last seen.
    let out = run(&["normdocs", "示范县", "--config", &cfg]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("某府规〔2026〕6号") && text.contains("已废止"),
        "{text}"
    );
    assert!(!text.contains("戊办法"), "{text}");
    // Its changes, as CSV for scripts and as JSON since a day.
    let out = run(&[
        "normdocs",
        "示范县",
        "--config",
        &cfg,
        "--changes",
        "--format",
        "csv",
        "--no-bom",
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("site,seen_at,change,docno"), "{csv}");
    for w in ["new", "revised", "abolished", "己办法", "戊办法"] {
        assert!(csv.contains(w), "{w}: {csv}");
    }
    let out = run(&[
        "normdocs",
        "示范县",
        "--config",
        &cfg,
        "--changes",
        "--since",
        "2026-12-01",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    // The monthly bulletin's 规范性文件变动 section, with the stale link.
    let out_dir = dir.join("bulletin");
    let out = run(&[
        "bulletin",
        "--config",
        &cfg,
        "--month",
        "2026-11",
        "--out",
        &out_dir.to_string_lossy(),
        "--issued-on",
        "2026-12-01",
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(out_dir.join("月通报-2026-11.md")).expect("md");
    let section = md.split("七、规范性文件变动").nth(1).expect("the section");
    for w in [
        "示范县",
        "新增",
        "《己办法》（某府规〔2026〕6号）",
        "已从文件库移除",
        "/xwzx/t9.html",
    ] {
        assert!(section.contains(w), "{w}: {section}");
    }
    let html = std::fs::read_to_string(out_dir.join("月通报-2026-11.html")).expect("html");
    assert!(
        html.contains("七、规范性文件变动") && html.contains("有效 → 已废止"),
        "{html}"
    );
    // And in the DOCX 公文.
    let docx = std::fs::read(out_dir.join("月通报-2026-11.docx")).expect("docx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("document"),
        &mut xml,
    )
    .expect("read");
    assert!(xml.contains("规范性文件变动") && xml.contains("某府规〔2026〕6号"));
    // An unknown site is a usage error.
    let out = run(&["normdocs", "无此站", "--config", &cfg]).await;
    assert_ne!(out.status.code(), Some(0));
}

fn gbk(body: &str) -> Response {
    let (bytes, _, _) = encoding_rs::GBK.encode(body);
    (
        [(header::CONTENT_TYPE, "text/html; charset=GBK")],
        bytes.into_owned(),
    )
        .into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gbk_list_library_paginated_by_query_is_read_whole() {
    async fn list(q: axum::extract::Query<std::collections::HashMap<String, String>>) -> Response {
        let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let mut b = String::from(
            "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\
             <title>规范性文件库-示范市人民政府</title></head><body><div class=\"crumb\">首页 > 规范性文件库</div>\
             <div class=\"list\"><ul>",
        );
        for i in 0..2 {
            let n = page * 10 + i;
            let prefix = if n == 31 { "【已失效】" } else { "" };
            b.push_str(&format!(
                "<li><a href=\"/gfxwj/content.jsp?id={n}\" title=\"{prefix}示范市关于第{n}号事项的管理规定\">{prefix}示范市关于第{n}号事项的管理规定</a>\
                 <span class=\"wh\">示府规〔2025〕{n}号</span><span class=\"date\">2025-0{page}-1{i}</span></li>"
            ));
        }
        b.push_str("</ul></div><div class=\"pager\">");
        if page < 3 {
            b.push_str(&format!("<a href=\"?page={}\">下一页</a>", page + 1));
        }
        b.push_str(" 共3页</div></body></html>");
        gbk(&b)
    }
    let app = Router::new()
        .route(
            "/",
            get(|| async {
                gbk("<html><head><meta charset=\"gbk\"><title>示范市人民政府</title></head><body>\
                     <ul><li><a href=\"/gfxwj/list.jsp?page=1\">规范性文件库</a></li></ul>\
                     <p>这是一个用于测试的政府网站首页。</p></body></html>")
            }),
        )
        .route("/gfxwj/list.jsp", get(list))
        .route(
            "/gfxwj/content.jsp",
            get(|| async { gbk("<html><head><meta charset=\"gbk\"><title>规定</title></head><body><p>正文</p></body></html>") }),
        );
    let s = serve(app).await;
    let facts = crawl_fast(&s).await;
    let rules = govscan::rules::RuleSet::embedded().expect("rules");
    let snap = govscan::checks::normdoc::snapshot(&facts, &rules).expect("a library");
    assert_eq!(snap.name, "规范性文件库");
    assert_eq!(snap.records.len(), 6, "{snap:#?}");
    assert!(snap.complete, "{snap:#?}");
    let expired = snap
        .records
        .iter()
        .find(|r| r.docno.as_deref() == Some("示府规〔2025〕31号"))
        .expect("page 3 read");
    assert_eq!(
        expired.status,
        Some(govscan::extract::normdoc::DocStatus::Expired)
    );
    assert!(expired
        .url
        .as_deref()
        .is_some_and(|u| u.ends_with("content.jsp?id=31")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_without_a_store_reports_no_changes_and_says_so() {
    let s = serve(site(Arc::new(AtomicBool::new(true)))).await;
    let dir = temp_dir("check");
    let cfg_path = dir.join("config.toml");
    std::fs::write(
        &cfg_path,
        format!(
            "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n\n[store]\npath = \"{}\"\n",
            dir.join("none.db").display()
        ),
    )
    .expect("config");
    let out = run(&[
        "check",
        &s.url("/"),
        "--config",
        &cfg_path.to_string_lossy(),
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
        "--fail-on",
        "never",
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let site = &doc["sites"][0];
    let notes = site["notes"].to_string();
    assert!(notes.contains("未作比较"), "{site}");
    let rules: Vec<&str> = site["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(!rules.contains(&"normdoc.new") && !rules.contains(&"normdoc.abolished"));
    // What needs no earlier scan is judged.
    assert!(rules.contains(&"normdoc.stale_link"), "{rules:?}");
    assert!(rules.contains(&"normdoc.docno_format"), "{rules:?}");
    assert!(!dir.join("none.db").exists(), "check creates no store");
}
