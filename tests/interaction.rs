//! 互动回应差 (V5) on fixture sites built from real 互动交流 layouts: a well-kept div/ul
//! 信件选登 list paginated by script, a GBK tag-soup table of a 领导信箱 with overdue
//! messages beside a 网上信访 list, a 留言公开 list lacking the dates (each message's own page
//! has them) paginated by `?page=N`, a site whose only channels are 网上信访, 纪检举报 and
//! 在线访谈, and a site with only a 市长信箱. The as-of time is fixed: 2026-11-30.

mod common;

use std::path::PathBuf;
use std::process::Output;

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use common::*;
use govscan::crawl::SiteFacts;
use govscan::demo::server::html;
use govscan::finding::Finding;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

fn ok(body: String) -> Response {
    html(StatusCode::OK, &body)
}

fn gbk(body: &str) -> Response {
    let (bytes, _, _) = encoding_rs::GBK.encode(body);
    (
        [(header::CONTENT_TYPE, "text/html; charset=GBK")],
        bytes.into_owned(),
    )
        .into_response()
}

/// An ordinary page for every other address (message pages, forms).
async fn plain() -> Response {
    ok("<html><head><meta charset=\"utf-8\"><title>页面</title></head><body><p>正文内容。</p></body></html>".into())
}

/// A letter-writing form.
fn mailbox_form(name: &str) -> Response {
    ok(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{name}</title></head><body>\
         <h2>{name}</h2><form action=\"submit\" method=\"post\"><p>姓名<input name=\"n\"></p>\
         <p>内容<textarea name=\"c\"></textarea></p><input type=\"submit\" value=\"提交\"></form>\
         <p>请如实填写，我们将在规定时限内答复。</p></body></html>"
    ))
}

/// A message's own page (its address names it).
async fn message_page(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    ok(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>信件详情 {file}</title></head><body>\
         <h1>信件 {file}</h1><p>来信内容：群众反映的问题及诉求，编号 {file}。</p>\
         <p>答复内容：已转相关部门办理并答复。</p></body></html>"
    ))
}

async fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        "<html><body><p>404 页面不存在</p></body></html>",
    )
}

fn findings(facts: &SiteFacts) -> Vec<Finding> {
    let rules = govscan::rules::RuleSet::embedded().expect("rules");
    let whole = govscan::checks::interaction::check(facts, &rules, as_of());
    // The same on the facts reduced to what the checks read, the rest looked up.
    let reduced = govscan::checks::reads::reduce(facts, &rules);
    assert_eq!(
        whole,
        govscan::checks::interaction::check(&reduced, &rules, as_of()),
        "whole and reduced facts judged differently"
    );
    whole
}

fn rule<'a>(f: &'a [Finding], id: &str) -> Option<&'a Finding> {
    f.iter().find(|f| f.rule == id)
}

fn stats(f: &[Finding]) -> &serde_json::Value {
    &rule(f, "interaction.reply_stats")
        .expect("reply_stats is always reported")
        .evidence
}

/// A well-kept 互动交流 section: a 市长信箱, and its 信件选登 as a div/ul list with labelled
/// dates, paginated by script (createPageHTML), every message answered within days.
fn well_kept() -> Router {
    fn list_page(rows: &[(&str, &str, &str)], pager: &str) -> String {
        let mut b = String::from(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>信件选登_示范市人民政府</title></head><body>\
             <div class=\"nav\"><a href=\"../../\">首页</a><a href=\"../\">互动交流</a></div>\
             <div class=\"side\"><ul><li><a href=\"../szxx/\">市长信箱</a></li><li><a href=\"./\">信件选登</a></li></ul></div>\
             <div class=\"lmmc\">信件选登</div><div class=\"list\"><ul>",
        );
        for (i, (title, asked, replied)) in rows.iter().enumerate() {
            b.push_str(&format!(
                "<li><a href=\"./2026/t{i}_{asked}.html\" title=\"{title}\">{title}</a>\
                 <span class=\"sj\">留言时间：{asked}</span><span class=\"sj\">回复时间：{replied}</span>\
                 <span class=\"zt\">已回复</span></li>"
            ));
        }
        b.push_str(&format!(
            "</ul></div><script>{pager}</script></body></html>"
        ));
        b
    }
    Router::new()
        .route(
            "/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范市人民政府</title></head><body>\
                    <div class=\"nav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"./hdjl/\">互动交流</a></li></ul></div>\
                    <div class=\"main\"><p>欢迎访问示范市人民政府网站。</p></div></body></html>".into())
            }),
        )
        .route(
            "/hdjl/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>互动交流_示范市人民政府</title></head><body>\
                    <div class=\"side\"><a href=\"./szxx/\">市长信箱</a><a href=\"./xjxd/\">信件选登</a><a href=\"./wsxf/\">网上信访</a></div>\
                    <p>互动交流栏目。</p></body></html>".into())
            }),
        )
        .route(
            "/hdjl/xjxd/",
            get(|| async {
                ok(list_page(
                    &[
                        ("关于小区停车位规划的咨询", "2026-10-01", "2026-10-08"),
                        ("咨询老年人优待证办理", "2026-09-12", "2026-09-15"),
                    ],
                    "createPageHTML(2, 0, \"index\", \"html\");",
                ))
            }),
        )
        .route(
            "/hdjl/xjxd/index_1.html",
            get(|| async {
                ok(list_page(
                    &[
                        ("建议增加公交线路", "2026-01-10", "2026-02-20"),
                        // Answered late, but before the year: not judged.
                        ("关于菜市场改造的建议", "2025-06-01", "2025-10-30"),
                    ],
                    "createPageHTML(2, 1, \"index\", \"html\");",
                ))
            }),
        )
        .route("/hdjl/szxx/", get(|| async { mailbox_form("市长信箱") }))
        .route("/hdjl/wsxf/", get(|| async { mailbox_form("网上信访") }))
        .route("/hdjl/xjxd/2026/{file}", get(message_page))
        .fallback(get(not_found))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_well_kept_section_has_no_finding_and_its_figures() {
    let s = serve(well_kept()).await;
    let facts = crawl_fast(&s).await;
    let f = findings(&facts);
    assert!(rule(&f, "interaction.no_channel").is_none(), "{f:#?}");
    assert!(rule(&f, "interaction.unanswered").is_none(), "{f:#?}");
    let st = stats(&f);
    assert_eq!(st["inspected"], true, "{st}");
    assert_eq!(st["messages"], 3, "both pages read: {st}");
    assert_eq!(st["answered"], 3, "{st}");
    assert_eq!(st["answered_pct"], 100.0, "{st}");
    assert_eq!(st["median_days"], 7.0, "{st}");
    assert_eq!(st["max_days"], 41, "{st}");
    assert_eq!(st["list_pages"], 2, "{st}");
}

/// A 领导信箱 list as an old GBK table in upper-case tag soup (unclosed cells), beside a
/// 网上信访 list: overdue messages in the first, not in the second.
fn gbk_table() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                gbk("<HTML><HEAD><META http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><TITLE>示范县人民政府</TITLE></HEAD><BODY>\
                     <TABLE width=\"100%\"><TR><TD><A HREF=\"hdjl/ldxx/list.jsp\">领导信箱</A><TD><A HREF=\"hdjl/xf/list.jsp\">网上信访</A>\
                     </TABLE><P>示范县人民政府欢迎您。</P></BODY></HTML>")
            }),
        )
        .route(
            "/hdjl/ldxx/list.jsp",
            get(|| async {
                gbk("<HTML><HEAD><META http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><TITLE>领导信箱信件选登-示范县人民政府</TITLE></HEAD><BODY>\
                     <TABLE class=\"tb\" border=\"1\"><TR><TH>信件标题<TH>来信时间<TH>回复时间<TH>状态\
                     <TR><TD><A HREF=\"detail.jsp?id=1\">关于道路维修的建议</A><TD>2026-05-10<TD><TD>办理中\
                     <TR><TD><A HREF=\"detail.jsp?id=2\">咨询社保缴费问题</A><TD>2026-09-01<TD>2026-09-05<TD>已回复\
                     <TR><TD><A HREF=\"detail.jsp?id=3\">关于路灯不亮的反映</A><TD>2025-06-01<TD><TD>未回复\
                     <TR><TD><A HREF=\"detail.jsp?id=4\">反映噪音扰民问题</A><TD>2026-10-20<TD><TD>办理中\
                     <TR><TD><A HREF=\"detail.jsp?id=5\">咨询落户政策</A><TD>2026年1月5日<TD>2026年6月1日<TD>已回复\
                     <TR><TD><A HREF=\"detail.jsp?id=6\">重复来信</A><TD>2026-02-01<TD><TD>无效\
                     </TABLE></BODY></HTML>")
            }),
        )
        .route(
            "/hdjl/xf/list.jsp",
            get(|| async {
                gbk("<HTML><HEAD><META http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><TITLE>网上信访-信件公开</TITLE></HEAD><BODY>\
                     <TABLE><TR><TD>标题<TD>来信时间<TD>状态\
                     <TR><TD><A HREF=\"xfdetail.jsp?id=9\">关于征地补偿的信访</A><TD>2026-03-01<TD>未回复\
                     </TABLE></BODY></HTML>")
            }),
        )
        .fallback(get(plain))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gbk_table_with_overdue_messages_lists_each_one() {
    let s = serve(gbk_table()).await;
    let facts = crawl_fast(&s).await;
    let f = findings(&facts);
    assert!(rule(&f, "interaction.no_channel").is_none(), "{f:#?}");
    let u = rule(&f, "interaction.unanswered").expect("overdue messages");
    assert_eq!(u.kind, govscan::rules::Kind::Veto);
    assert!(u.message.contains("关于道路维修的建议"), "{}", u.message);
    assert!(u.message.contains("2026-05-10"), "{}", u.message);
    assert!(u.message.contains("detail.jsp?id=1"), "{}", u.message);
    // Answered after five months: overdue too.
    assert!(u.message.contains("咨询落户政策"), "{}", u.message);
    assert!(u.message.contains("2026-06-01才答复"), "{}", u.message);
    // Before the year, within the limit, invalid, or a 网上信访 message: not listed.
    for not in ["路灯", "噪音", "重复来信", "征地补偿"] {
        assert!(!u.message.contains(not), "{not}: {}", u.message);
    }
    let overdue = u.evidence["overdue"].as_array().expect("overdue list");
    assert_eq!(overdue.len(), 2, "{overdue:?}");
    assert!(overdue.iter().all(|m| m["page"]
        .as_str()
        .is_some_and(|p| p.ends_with("/hdjl/ldxx/list.jsp"))));
    let st = stats(&f);
    assert_eq!(st["messages"], 4, "{st}");
    assert_eq!(st["answered"], 2, "{st}");
    assert_eq!(st["overdue"], 2, "{st}");
    assert_eq!(st["max_days"], 147, "{st}");
}

/// A 留言公开 list that shows only titles (div items, `?page=N` pagination with 共2页): the
/// dates and the status are on each message's own page.
fn dateless_list() -> Router {
    async fn list(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
        let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let mut b = String::from(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>留言公开-示范区政府网</title></head><body>\
             <div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; 互动交流 &gt; 留言公开</div><div class=\"box\">",
        );
        let ids = if page == 1 { [1, 2] } else { [3, 4] };
        for id in ids {
            b.push_str(&format!(
                "<div class=\"item\"><a href=\"/hd/detail?id={id}\">关于第{id}号事项办理问题的咨询</a></div>"
            ));
        }
        b.push_str("</div><div class=\"pager\">");
        if page < 2 {
            b.push_str("<a href=\"?page=2\">下一页</a>");
        }
        b.push_str(" 共2页</div></body></html>");
        ok(b)
    }
    async fn detail(Query(q): Query<std::collections::HashMap<String, String>>) -> Response {
        let id: usize = q.get("id").and_then(|p| p.parse().ok()).unwrap_or(0);
        let (asked, replied, state) = match id {
            3 => ("2026-03-02".to_string(), "", "未回复"),
            4 => ("2026-11-20".to_string(), "", "办理中"),
            _ => (format!("2026-08-0{id}"), "2026-08-20", "已办结"),
        };
        ok(format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>关于第{id}号事项办理问题的咨询-留言公开-示范区政府网</title></head><body>\
             <div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; 互动交流 &gt; <a href=\"/hd/list?page=1\">留言公开</a></div>\
             <h1>关于第{id}号事项办理问题的咨询</h1>\
             <table><tr><td>留言时间：</td><td>{asked}</td></tr><tr><td>回复时间：</td><td>{replied}</td></tr>\
             <tr><td>办理状态：</td><td>{state}</td></tr></table><p>留言内容：请问如何办理。</p></body></html>"
        ))
    }
    Router::new()
        .route(
            "/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范区政府网</title></head><body>\
                    <ul class=\"menu\"><li><a href=\"/hd/list?page=1\">留言公开</a></li><li><a href=\"/hd/write\">我要留言</a></li></ul>\
                    <p>示范区政府网欢迎您。</p></body></html>".into())
            }),
        )
        .route("/hd/list", get(list))
        .route("/hd/detail", get(detail))
        .fallback(get(plain))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_without_dates_is_judged_from_each_message_page() {
    let s = serve(dateless_list()).await;
    let facts = crawl_fast(&s).await;
    let f = findings(&facts);
    assert!(rule(&f, "interaction.no_channel").is_none(), "{f:#?}");
    let u = rule(&f, "interaction.unanswered").expect("message 3 is overdue");
    assert!(
        u.message.contains("关于第3号事项办理问题的咨询"),
        "{}",
        u.message
    );
    assert!(u.message.contains("2026-03-02"), "{}", u.message);
    assert!(
        !u.message.contains("第4号"),
        "within the limit: {}",
        u.message
    );
    let overdue = u.evidence["overdue"].as_array().expect("list");
    assert_eq!(overdue.len(), 1);
    assert!(overdue[0]["url"]
        .as_str()
        .is_some_and(|p| p.ends_with("/hd/detail?id=3")));
    // The second page (?page=2) was read.
    assert!(overdue[0]["page"]
        .as_str()
        .is_some_and(|p| p.ends_with("/hd/list?page=2")));
    let st = stats(&f);
    assert_eq!(st["messages"], 4, "{st}");
    assert_eq!(st["answered"], 2, "{st}");
    assert_eq!(st["unknown"], 0, "{st}");
}

/// A site whose only interaction links are 网上信访, 纪检举报 and 在线访谈.
fn petition_only() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范局</title></head><body>\
                    <div class=\"nav\"><a href=\"/\">首页</a><a href=\"/zwgk/\">政务公开</a><a href=\"/hd/\">互动交流</a></div>\
                    <p>示范局网站。</p></body></html>".into())
            }),
        )
        .route(
            "/hd/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>互动交流-示范局</title></head><body>\
                    <div class=\"side\"><a href=\"../xf/\">网上信访</a><a href=\"../jjjb/\">纪检举报</a><a href=\"../ft/\">在线访谈</a></div>\
                    <p>互动交流。</p></body></html>".into())
            }),
        )
        .fallback(get(plain))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn petition_and_discipline_channels_alone_are_no_channel() {
    let s = serve(petition_only()).await;
    let facts = crawl_fast(&s).await;
    let f = findings(&facts);
    let n = rule(&f, "interaction.no_channel").expect("no consultation channel");
    assert_eq!(n.kind, govscan::rules::Kind::Veto);
    assert!(
        n.message.contains("“网上信访”属于网上信访渠道"),
        "{}",
        n.message
    );
    assert!(
        n.message.contains("“纪检举报”属于纪检举报渠道"),
        "{}",
        n.message
    );
    assert!(
        n.message.contains("“在线访谈”属于在线访谈渠道"),
        "{}",
        n.message
    );
    let found = n.evidence["found"].as_array().expect("found");
    assert!(found.iter().all(|f| f["counted"] == false), "{found:?}");
    // Nothing was read of a message list: unanswered is not passed but not checked.
    assert!(rule(&f, "interaction.unanswered").is_none());
    let st = rule(&f, "interaction.reply_stats").expect("stats");
    assert_eq!(st.evidence["inspected"], false);
    assert!(st.message.contains("无法检查"), "{}", st.message);
}

/// A site with a 市长信箱 and nothing published of its letters.
fn mailbox_only() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范市</title></head><body>\
                    <ul id=\"menu\"><li><a href=\"/\">首页</a></li><li><a href=\"./szxx/index.html\">市长信箱</a></li></ul>\
                    <p>示范市网站。</p></body></html>".into())
            }),
        )
        .route(
            "/szxx/index.html",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>市长信箱</title></head><body>\
                    <form action=\"submit\"><textarea name=\"c\"></textarea></form></body></html>".into())
            }),
        )
        .fallback(get(plain))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mayors_mailbox_is_a_channel() {
    let s = serve(mailbox_only()).await;
    let facts = crawl_fast(&s).await;
    let f = findings(&facts);
    assert!(rule(&f, "interaction.no_channel").is_none(), "{f:#?}");
    assert!(rule(&f, "interaction.unanswered").is_none(), "{f:#?}");
    let st = rule(&f, "interaction.reply_stats").expect("stats");
    assert_eq!(st.evidence["inspected"], false, "{}", st.evidence);
    assert!(st.message.contains("无法检查"), "{}", st.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_mailbox_link_does_not_count() {
    let app = Router::new()
        .route(
            "/",
            get(|| async {
                ok("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范市</title></head><body>\
                    <ul id=\"menu\"><li><a href=\"/\">首页</a></li><li><a href=\"/szxx/\">市长信箱</a></li></ul>\
                    <p>示范市网站。</p></body></html>".into())
            }),
        )
        .fallback(get(|| async { html(StatusCode::NOT_FOUND, "<html><body>404</body></html>") }));
    let s = serve(app).await;
    let facts = crawl_fast(&s).await;
    let f = findings(&facts);
    let n = rule(&f, "interaction.no_channel").expect("the only channel fails");
    assert!(
        n.message.contains("“市长信箱”链接无法访问"),
        "{}",
        n.message
    );
}

// ── through the binary: scan, re-judge under changed rules, bulletin ─────────────────────

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("interaction", name)
}

async fn run(args: &[&str]) -> Output {
    common::run(args.iter().map(|s| s.to_string()).collect()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_messages_are_judged_again_and_the_bulletin_shows_them() {
    let s = serve(gbk_table()).await;
    let dir = temp_dir("stored");
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n\n[store]\npath = \"{}\"\n\n[[site]]\nname = \"示范县\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
            dir.join("govscan.db").display(),
            s.url("/")
        ),
    )
    .expect("config");
    let cfg = cfg.to_string_lossy().to_string();
    let out = run(&[
        "scan",
        "--config",
        &cfg,
        "--as-of",
        "2026-11-30",
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
    s.log.clear();

    let judge = |rules: Option<String>| {
        let cfg = cfg.clone();
        async move {
            let mut args = vec![
                "judge",
                "--config",
                &cfg,
                "--format",
                "json",
                "--fail-on",
                "never",
            ];
            let r;
            if let Some(dir) = rules {
                r = dir;
                args.push("--rules");
                args.push(&r);
            }
            let out = run(&args).await;
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            doc["sites"][0]["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
        }
    };
    let stored = judge(None).await;
    assert!(
        stored.iter().any(|r| r == "interaction.unanswered"),
        "{stored:?}"
    );
    // A longer limit, applied to the stored messages without the network.
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    for entry in std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
        .expect("rules")
    {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let mut text = std::fs::read_to_string(&path).expect("rule file");
        if name == "interaction.toml" {
            assert_eq!(text.matches("limit_months = 3\n").count(), 1);
            text = text.replacen("limit_months = 3\n", "limit_months = 12\n", 1);
        }
        std::fs::write(rules.join(&name), text).expect("copy");
    }
    let relaxed = judge(Some(rules.to_string_lossy().to_string())).await;
    assert!(
        !relaxed.iter().any(|r| r == "interaction.unanswered"),
        "{relaxed:?}"
    );
    assert!(
        relaxed.iter().any(|r| r == "interaction.reply_stats"),
        "{relaxed:?}"
    );
    assert_eq!(s.log.count(), 0, "judging fetched nothing");

    // The bulletin: the veto among the main problems, the figures per site.
    let out_dir = dir.join("bulletin");
    let out = run(&[
        "bulletin",
        "--month",
        "2026-11",
        "--config",
        &cfg,
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
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out_dir.join("月通报-2026-11.json")).expect("bulletin json"),
    )
    .expect("json");
    let problems = json["problems"].as_array().expect("problems");
    assert!(
        problems
            .iter()
            .any(|p| p["rule"] == "interaction.unanswered"),
        "{problems:?}"
    );
    let site = &json["sites"][0];
    assert_eq!(site["interaction"]["messages"], 4, "{site}");
    assert_eq!(site["interaction"]["overdue"], 2, "{site}");
    let md = std::fs::read_to_string(out_dir.join("月通报-2026-11.md")).expect("markdown");
    assert!(md.contains("互动交流留言办理"), "{md}");
    assert!(md.contains("存在超过3个月未回复的有效留言"), "{md}");
    let html = std::fs::read_to_string(out_dir.join("月通报-2026-11.html")).expect("html");
    assert!(html.contains("互动交流留言办理"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_site_has_a_mailbox_and_answers_its_letters() {
    let s = serve(govscan::demo::site::demo_router(as_of())).await;
    let facts = crawl_fast(&s).await;
    let f = findings(&facts);
    assert!(rule(&f, "interaction.no_channel").is_none(), "{f:#?}");
    assert!(rule(&f, "interaction.unanswered").is_none(), "{f:#?}");
    let st = stats(&f);
    assert_eq!(st["messages"], 3, "{st}");
    assert_eq!(st["answered_pct"], 100.0, "{st}");
    assert_eq!(st["max_days"], 10, "{st}");
}
