//! 办事服务 (V6 服务不实用) end to end: fixture sites on loopback in several real layouts
//! (table-based GBK tag soup, div/dl templates, headed sections, a TRS list with script-written
//! pagination one level below the section, relative side navigation), crawled and judged by
//! `inspect::judge`; then a stored scan judged again under changed aliases, and the monthly
//! bulletin's 主要问题.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, FixedOffset, TimeZone};
use common::*;
use govscan::checks::{Finding, Kind};
use govscan::config::{SiteConfig, SiteKind};
use govscan::demo::server::{gbk_html, html, GbkDeclare, Running};
use govscan::rules::RuleSet;

fn as_of() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
        .single()
        .expect("time")
}

#[derive(Clone)]
enum Body {
    Utf8(String),
    Gbk(String),
}

fn respond(b: &Body) -> Response {
    match b {
        Body::Utf8(s) => html(StatusCode::OK, s),
        Body::Gbk(s) => gbk_html(s, GbkDeclare::Header),
    }
}

/// A router serving these pages (path → body).
fn router(pages: BTreeMap<String, Body>) -> Router {
    let mut r = Router::new();
    for (path, body) in pages {
        let body = Arc::new(body);
        r = r.route(
            &path,
            get(move || {
                let body = Arc::clone(&body);
                async move { respond(&body) }
            }),
        );
    }
    r
}

/// The ten categories as a complete guide labels them, with aliases in places.
const COMPLETE: [&str; 10] = [
    "事项名称",
    "设定依据",
    "受理条件",
    "申请材料",
    "办理地点",
    "实施机构",
    "收费标准",
    "法定办结时限",
    "咨询电话",
    "办理流程",
];
/// A guide showing five categories (missing 设定依据, 办理机构, 收费标准, 办理时间, 办理流程).
const DEFECTIVE: [&str; 5] = ["事项名称", "申请条件", "办理材料", "办理地点", "联系电话"];

#[derive(Clone, Copy)]
enum Style {
    /// GBK, upper-case table tag soup with unclosed cells and `：` after labels.
    TableSoup,
    /// A div template with `dl/dt` and label divs.
    DivDl,
    /// Headed sections (一、申请条件) and bold `咨询电话：` runs.
    Headings,
}

fn guide(title: &str, labels: &[&str], style: Style) -> Body {
    match style {
        Style::TableSoup => {
            let mut s = format!(
                "<HTML><HEAD><TITLE>{title}</TITLE></HEAD><BODY>\
                 <TABLE width=\"100%\"><TR><TD><A href=\"../../\">首页</A><TD><A href=\"../\">办事指南</A></TABLE>\
                 <TABLE class=\"bszn\" border=\"1\"><TR><TD colspan=2><B>{title}</B>\n"
            );
            for l in labels {
                s.push_str(&format!(
                    "<TR><TD class=\"lb\" width=\"20%\">{l}：<TD>按规定办理，详见窗口公示。\n"
                ));
            }
            s.push_str("</TABLE></BODY></HTML>");
            Body::Gbk(s)
        }
        Style::DivDl => {
            let mut s = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}_示范县人民政府</title></head>\
                 <body><div class=\"nav\"><a href=\"/\">首页</a><a href=\"/bsfw/\">办事服务</a></div>\
                 <div class=\"bszn-main\"><h1>{title}</h1>"
            );
            for (i, l) in labels.iter().enumerate() {
                if i % 2 == 0 {
                    s.push_str(&format!("<dl><dt>{l}</dt><dd>按规定办理。</dd></dl>"));
                } else {
                    s.push_str(&format!(
                        "<div class=\"item\"><div class=\"item-label\">{l}</div>\
                         <div class=\"item-value\">详见附件。</div></div>"
                    ));
                }
            }
            s.push_str("</div></body></html>");
            Body::Utf8(s)
        }
        Style::Headings => {
            const NUM: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
            let mut s = format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
                 <body><div class=\"article\"><h2>{title}</h2>"
            );
            for (i, l) in labels.iter().enumerate() {
                if i % 3 == 2 {
                    s.push_str(&format!("<p><strong>{l}：</strong>023-12345678</p>"));
                } else {
                    s.push_str(&format!(
                        "<h3>{}、{l}</h3><p>依照有关规定执行。</p>",
                        NUM[i % 10]
                    ));
                }
            }
            s.push_str("</div></body></html>");
            Body::Utf8(s)
        }
    }
}

fn utf8(title: &str, body: &str) -> Body {
    Body::Utf8(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>{body}</body></html>"
    ))
}

/// The header navigation every page of the section repeats (links to the other sections).
const HEADER: &str = "<div class=\"header\"><a href=\"/\">首页</a><a href=\"/zwgk/\">政务公开</a>\
     <a href=\"/bsfw/\">办事服务</a><a href=\"/hdjl/\">互动交流</a></div>";

/// A table-based home page (upper-case tags, unclosed cells) linking `nav` (text, href).
fn home(nav: &[(&str, &str)]) -> Body {
    let mut s = String::from(
        "<HTML><HEAD><META charset=\"utf-8\"><TITLE>示范县人民政府</TITLE></HEAD><BODY>\
         <TABLE class=\"nav\" width=\"100%\"><TR>",
    );
    for (text, href) in nav {
        s.push_str(&format!("<TD><A href=\"{href}\">{text}</A>"));
    }
    s.push_str(
        "</TABLE><DIV class=\"main\"><UL><LI><A href=\"./zwgk/\">示范县召开政府常务会议研究部署重点工作</A>\
         <SPAN>2026-11-28</SPAN></UL></DIV><DIV class=\"footer\">主办：示范县人民政府办公室</DIV></BODY></HTML>",
    );
    Body::Utf8(s)
}

/// 政务公开 with five 权责清单 pages whose tables name only 事项名称/设定依据/实施机构: not
/// guides of the 办事 section, never judged as defective guides.
fn add_zwgk(pages: &mut BTreeMap<String, Body>) {
    let mut list = String::from("<div class=\"side\"><a href=\"./\">政务公开</a></div><ul>");
    for i in 0..5 {
        list.push_str(&format!(
            "<li><a href=\"./qzqd/{i}.html\">示范县行政权力清单第{i}部分</a><span>2026-11-2{i}</span></li>"
        ));
        pages.insert(
            format!("/zwgk/qzqd/{i}.html"),
            guide(
                &format!("行政权力清单第{i}部分"),
                &["事项名称", "设定依据", "实施机构"],
                Style::TableSoup,
            ),
        );
    }
    list.push_str("</ul>");
    pages.insert("/zwgk/".into(), utf8("政务公开_示范县人民政府", &list));
}

/// A portal with its own 办事服务 section (`/bsfw/`, side navigation with relative links) whose
/// 办事指南 list one level deeper (`/bsfw/bszn/`, two pages, the second written by script) links
/// the guides, one per (labels, style).
fn own_section(guides: &[(&[&str], Style)]) -> BTreeMap<String, Body> {
    let mut pages = BTreeMap::new();
    pages.insert(
        "/".into(),
        home(&[
            ("首页", "./"),
            ("政务公开", "./zwgk/"),
            ("办事服务", "./bsfw/"),
            ("互动交流", "./hdjl/"),
        ]),
    );
    add_zwgk(&mut pages);
    pages.insert(
        "/bsfw/".into(),
        utf8(
            "办事服务_示范县人民政府",
            &format!("{HEADER}<div class=\"side-nav\"><a href=\"./bszn/\">办事指南</a><a href=\"./bgxz/\">表格下载</a>\
             <a href=\"./dt/\">办事大厅</a><a href=\"./sxqd/\">事项清单</a></div>\
             <p>欢迎访问示范县办事服务栏目。</p>"),
        ),
    );
    pages.insert("/bsfw/bgxz/".into(), utf8("表格下载", "<p>暂无信息</p>"));
    // The service hall's page (办公地点, 办公时间, 联系电话: three categories, no guide) and a
    // 事项 table whose header row names four categories (a list of guides, no guide).
    pages.insert(
        "/bsfw/dt/".into(),
        utf8(
            "政务服务大厅简介_示范县人民政府",
            "<div class=\"side-nav\"><a href=\"../\">办事服务</a></div>\
             <p>办公地点：示范县政务服务中心</p><p>办公时间：工作日9:00-17:00</p><p>联系电话：023-12345678</p>",
        ),
    );
    let mut rows =
        String::from("<TABLE><TR><TH>序号<TH>事项名称<TH>实施机构<TH>办理地点<TH>咨询电话<TH>操作");
    for i in 0..6 {
        rows.push_str(&format!(
            "<TR><TD>{i}<TD><A href=\"../bszn/\">示范县第{i}项行政许可事项</A><TD>县行政审批局<TD>政务服务中心<TD>12345<TD>查看"
        ));
    }
    rows.push_str("</TABLE>");
    pages.insert("/bsfw/sxqd/".into(), utf8("办事指南_事项清单", &rows));
    let half = guides.len().div_ceil(2);
    let mut lists = [String::new(), String::new()];
    for (i, (labels, style)) in guides.iter().enumerate() {
        let title = format!("示范县第{i}项行政许可事项办事指南");
        let path = format!("/bsfw/bszn/202611/t20261120_{i}.html");
        lists[usize::from(i >= half)].push_str(&format!(
            "<li><a href=\"./202611/t20261120_{i}.html\">{title}</a><span>2026-11-20</span></li>"
        ));
        pages.insert(path, guide(&title, labels, *style));
    }
    let script = "<script>createPageHTML(2, 0, \"index\", \"html\");</script>";
    pages.insert(
        "/bsfw/bszn/".into(),
        utf8(
            "办事指南_示范县人民政府",
            &format!(
                "{HEADER}<div class=\"side-nav\"><a href=\"../\">办事服务</a></div><ul>{}</ul>{script}",
                lists[0]
            ),
        ),
    );
    pages.insert(
        "/bsfw/bszn/index_1.html".into(),
        utf8(
            "办事指南_示范县人民政府",
            &format!("{HEADER}<ul>{}</ul>", lists[1]),
        ),
    );
    pages
}

async fn judge_site(
    pages: BTreeMap<String, Body>,
    kind: SiteKind,
    outward: Option<bool>,
) -> (Vec<Finding>, Running) {
    let running = serve(router(pages)).await;
    let mut site: SiteConfig = site_for(&running);
    site.kind = kind;
    site.outward_services = outward;
    let mut config = fast_config();
    // No test reaches the internet: the 政务服务网 links are never requested.
    config.crawl.check_external = false;
    let facts = crawl(config, site.clone()).await;
    let rules = RuleSet::embedded().expect("rules");
    let findings = govscan::inspect::judge(&site, &facts, &rules, as_of(), None, None);
    (
        findings
            .into_iter()
            .filter(|f| f.rule.starts_with("service."))
            .collect(),
        running,
    )
}

fn ids(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.rule.as_str()).collect()
}

#[tokio::test]
async fn a_portal_with_its_own_section_and_complete_guides_has_no_finding() {
    let guides: Vec<(&[&str], Style)> = vec![
        (&COMPLETE, Style::TableSoup),
        (&COMPLETE, Style::DivDl),
        (&COMPLETE, Style::Headings),
        (&COMPLETE[..8], Style::TableSoup), // missing 2: not defective
        (&COMPLETE, Style::DivDl),
        (&COMPLETE, Style::Headings),
    ];
    let (f, running) = judge_site(own_section(&guides), SiteKind::Portal, None).await;
    assert!(f.is_empty(), "{f:#?}");
    // The guides were read, the one on the script-written second list page included.
    assert_eq!(running.log.count_path("/bsfw/bszn/index_1.html"), 1);
}

#[tokio::test]
async fn five_defective_guides_veto_and_each_is_listed() {
    let guides: Vec<(&[&str], Style)> = vec![
        (&DEFECTIVE, Style::TableSoup),
        (&COMPLETE, Style::DivDl),
        (&DEFECTIVE, Style::DivDl),
        (&DEFECTIVE, Style::Headings),
        (&COMPLETE, Style::Headings),
        (&DEFECTIVE, Style::TableSoup),
        (&DEFECTIVE, Style::DivDl),
    ];
    let (f, running) = judge_site(own_section(&guides), SiteKind::Portal, None).await;
    assert_eq!(ids(&f), vec!["service.guide_elements"], "{f:#?}");
    assert_eq!(f[0].kind, Kind::Veto);
    let listed = f[0].evidence["defective"].as_array().expect("defective");
    assert_eq!(listed.len(), 5, "{listed:#?}");
    assert_eq!(f[0].evidence["guides_read"], 7);
    for i in [0, 2, 3, 5, 6] {
        let url = running.url(&format!("/bsfw/bszn/202611/t20261120_{i}.html"));
        let g = listed
            .iter()
            .find(|g| g["url"] == url.as_str())
            .unwrap_or_else(|| panic!("{url} listed: {listed:#?}"));
        assert_eq!(
            g["missing"],
            serde_json::json!(["设定依据", "办理机构", "收费标准", "办理时间", "办理流程"])
        );
        assert!(
            g["title"]
                .as_str()
                .is_some_and(|t| t.contains(&format!("第{i}项"))),
            "{g}"
        );
        assert!(f[0].message.contains(&url), "{}", f[0].message);
    }
    assert_eq!(f[0].url, running.url("/bsfw/"));
}

#[tokio::test]
async fn four_defective_guides_are_no_veto() {
    let guides: Vec<(&[&str], Style)> = vec![
        (&DEFECTIVE, Style::TableSoup),
        (&DEFECTIVE, Style::DivDl),
        (&COMPLETE, Style::TableSoup),
        (&DEFECTIVE, Style::Headings),
        (&DEFECTIVE, Style::TableSoup),
    ];
    let (f, _running) = judge_site(own_section(&guides), SiteKind::Portal, None).await;
    assert_eq!(ids(&f), vec!["service.guide_elements.warn"], "{f:#?}");
    assert_eq!(f[0].kind, Kind::Notice);
    assert_eq!(f[0].evidence["defective"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn a_portal_linking_only_the_province_platform_has_an_entry() {
    let mut pages = BTreeMap::new();
    pages.insert(
        "/".into(),
        home(&[
            ("首页", "./"),
            ("政务公开", "./zwgk/"),
            ("网上办事", "http://zwfw.cq.gov.cn/col/col1/index.html"),
        ]),
    );
    add_zwgk(&mut pages);
    let (f, _running) = judge_site(pages, SiteKind::Portal, None).await;
    assert_eq!(
        ids(&f),
        vec!["service.guide_elements.not_inspected"],
        "{f:#?}"
    );
    assert_eq!(f[0].kind, Kind::Notice);
    assert!(f[0].message.contains("zwfw.cq.gov.cn"), "{}", f[0].message);
    assert!(f[0].message.contains("未检查"), "{}", f[0].message);
}

fn no_entry() -> BTreeMap<String, Body> {
    let mut pages = BTreeMap::new();
    pages.insert(
        "/".into(),
        home(&[
            ("首页", "./"),
            ("政务公开", "./zwgk/"),
            ("互动交流", "./hdjl/"),
        ]),
    );
    add_zwgk(&mut pages);
    pages.insert(
        "/hdjl/".into(),
        utf8("互动交流", "<a href=\"../\">首页</a><p>县长信箱</p>"),
    );
    pages
}

#[tokio::test]
async fn a_portal_without_any_service_entry_is_vetoed() {
    let (f, running) = judge_site(no_entry(), SiteKind::Portal, None).await;
    assert_eq!(
        ids(&f),
        vec!["service.none", "service.guide_elements.not_inspected"],
        "{f:#?}"
    );
    assert_eq!(f[0].kind, Kind::Veto);
    assert_eq!(f[0].url, running.url("/"));
    assert!(
        f[0].message.contains("未发现办事服务入口"),
        "{}",
        f[0].message
    );
    // A department is judged too unless configured without outward services.
    let (f, _r) = judge_site(no_entry(), SiteKind::Department, None).await;
    assert_eq!(ids(&f)[0], "service.none");
}

#[tokio::test]
async fn a_department_without_outward_services_is_not_judged() {
    let (f, _running) = judge_site(no_entry(), SiteKind::Department, Some(false)).await;
    assert!(f.is_empty(), "{f:#?}");
}

/// A portal whose 网上办事 section (`/wsbs/`, GBK table soup) links a notice one level
/// deeper (an article page: the judgement of a stored crawl does not hold it) whose body links
/// the guides, kept outside the section's folder (`/zwfw/sx/`, as a provincial template puts
/// them); two more guides lie under the folder, linked from nowhere the walk goes.
fn notice_section() -> BTreeMap<String, Body> {
    let mut pages = BTreeMap::new();
    pages.insert(
        "/".into(),
        home(&[
            ("首页", "./"),
            ("政务公开", "./zwgk/"),
            ("网上办事", "./wsbs/"),
        ]),
    );
    add_zwgk(&mut pages);
    pages.insert(
        "/wsbs/".into(),
        Body::Gbk(
            "<HTML><HEAD><TITLE>网上办事_示范县人民政府</TITLE></HEAD><BODY>\
             <TABLE><TR><TD><A href=\"../\">首页</A><TD><A href=\"./\">网上办事</A></TABLE>\
             <TABLE class=\"side\"><TR><TD><A href=\"./gr/t20261120_1.html\">个人办事</A>\
             <TR><TD>法人办事（建设中）</TABLE></BODY></HTML>"
                .into(),
        ),
    );
    let mut body = String::from(
        "<div class=\"article\"><h1>关于公布个人办事事项办事指南的通知</h1>\
         <div class=\"info\">发布时间：2026-11-20 来源：县政务服务中心</div><div class=\"content\">\
         <p>现将个人办事事项办事指南公布如下：</p>",
    );
    for i in 0..3 {
        body.push_str(&format!(
            "<p><a href=\"../../zwfw/sx/{i}.html\">个人办事第{i}项办事指南</a></p>"
        ));
        pages.insert(
            format!("/zwfw/sx/{i}.html"),
            guide(
                &format!("个人办事第{i}项办事指南"),
                &DEFECTIVE,
                Style::Headings,
            ),
        );
    }
    body.push_str("</div></div>");
    // A TRS article: its CMS meta tags say so.
    let title = "关于公布个人办事事项办事指南的通知";
    pages.insert(
        "/wsbs/gr/t20261120_1.html".into(),
        Body::Utf8(format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
             <meta name=\"ArticleTitle\" content=\"{title}\">\
             <meta name=\"PubDate\" content=\"2026-11-20 09:30\"></head><body>{body}</body></html>"
        )),
    );
    // Under the folder: crawled from the 政务公开 list (an old pagination left linked there).
    let mut list = String::from("<ul>");
    for i in 0..2 {
        list.push_str(&format!(
            "<li><a href=\"../../wsbs/old/{i}.html\">法人办事第{i}项</a><span>2026-10-0{i}</span></li>"
        ));
        pages.insert(
            format!("/wsbs/old/{i}.html"),
            guide(
                &format!("法人办事第{i}项办事指南"),
                &DEFECTIVE,
                Style::DivDl,
            ),
        );
    }
    list.push_str("</ul>");
    pages.insert("/zwgk/fr/".into(), utf8("法人办事_示范县人民政府", &list));
    if let Some(Body::Utf8(zwgk)) = pages.get_mut("/zwgk/") {
        *zwgk = zwgk.replace(
            "</ul>",
            "<li><a href=\"./fr/\">法人办事</a><span>2026-11-01</span></li></ul>",
        );
    }
    pages
}

#[tokio::test]
async fn a_stored_scan_walks_through_pages_it_does_not_hold() {
    let running = serve(router(notice_section())).await;
    let site: SiteConfig = site_for(&running);
    let mut config = fast_config();
    config.crawl.check_external = false;
    config.crawl.concurrency_per_site = 1;
    let rules = RuleSet::embedded().expect("rules");
    let facts = crawl(config.clone(), site.clone()).await;
    let notice = running.url("/wsbs/gr/t20261120_1.html");
    assert!(
        facts.pages.iter().any(|p| p.url == notice),
        "the notice was crawled"
    );
    assert!(
        !govscan::checks::reads::reduce(&facts, &rules)
            .pages
            .iter()
            .any(|p| p.url == notice),
        "the notice is an article page the judgement of a stored crawl looks up"
    );
    let service = |f: Vec<Finding>| -> Vec<(String, String, String, serde_json::Value)> {
        f.into_iter()
            .filter(|f| f.rule.starts_with("service."))
            .map(|f| (f.rule, f.url, f.message, f.evidence))
            .collect()
    };
    // (The service check alone: judged whole and reduced alike.)
    let from_memory = service(govscan::checks::service::check(&facts, &rules, true));
    assert_eq!(
        service(govscan::checks::service::check(
            &govscan::checks::reads::reduce(&facts, &rules),
            &rules,
            true
        )),
        from_memory
    );
    assert_eq!(from_memory.len(), 1, "{from_memory:#?}");
    assert_eq!(from_memory[0].0, "service.guide_elements");
    let listed: Vec<&str> = from_memory[0].3["defective"]
        .as_array()
        .expect("defective")
        .iter()
        .filter_map(|g| g["url"].as_str())
        .collect();
    assert_eq!(listed.len(), 5, "{listed:#?}");
    assert!(listed.contains(&running.url("/zwfw/sx/2.html").as_str()));
    assert!(listed.contains(&running.url("/wsbs/old/1.html").as_str()));

    // The daily scan judges the site from what it wrote to the store, holding only the pages
    // the checks go through: the same finding.
    let dir = temp_dir("walk");
    config.store.path = dir.join("govscan.db");
    config.sites = vec![site.clone()];
    govscan::inspect::scan::scan(govscan::inspect::scan::ScanRequest {
        config: config.clone(),
        rules: rules.clone(),
        sites: Vec::new(),
        as_of: Some(as_of()),
        resume: false,
        wait: None,
        worker: false,
        sites_at_once: 1,
        progress: Arc::new(govscan::crawl::NoObserver),
    })
    .await
    .expect("scan");
    let store = govscan::store::Store::open_read_only(&config.store.path).expect("store");
    let run = store.latest_finished_run().expect("read").expect("a run");
    let sr = store.site_runs(run.id).expect("site runs");
    let stored = store.site_findings(sr[0].id).expect("findings");
    assert_eq!(service(stored.clone()), from_memory);
    // So do the other checks that read every page's navigation, links and headings.
    let theirs = |f: Vec<Finding>| -> Vec<(String, String, String)> {
        let mut v: Vec<(String, String, String)> = f
            .into_iter()
            .filter(|f| {
                ["interaction.", "link.", "wording.", "footer."]
                    .iter()
                    .any(|p| f.rule.starts_with(p))
            })
            .map(|f| (f.rule, f.url, f.message))
            .collect();
        v.sort();
        v
    };
    let mut whole = govscan::checks::interaction::check(&facts, &rules, as_of().date_naive());
    whole.extend(govscan::checks::links::check(&facts, &rules));
    whole.extend(govscan::checks::security::check(&facts, &rules));
    whole.extend(govscan::checks::wording::check(&facts, &rules));
    whole.extend(govscan::checks::footer::check(&facts, &rules));
    let whole = theirs(whole);
    assert!(
        whole.iter().any(|f| f.0 == "interaction.no_channel"),
        "{whole:#?}"
    );
    assert_eq!(theirs(stored), whole);
}

// ─── A stored scan judged again, and the bulletin ──────────────────────────────────────────

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("service", name)
}

/// Guides labelling 办理材料 as 申办材料 and 办理机构 as 承办单位 (names no shipped alias
/// knows): each shows 6 categories (事项名称 设定依据 申请条件 办理地点 联系电话 办理流程),
/// missing 4 — five defective guides.
fn unknown_aliases() -> BTreeMap<String, Body> {
    const LABELS: [&str; 8] = [
        "事项名称",
        "设定依据",
        "申请条件",
        "申办材料",
        "办理地点",
        "承办单位",
        "联系电话",
        "办理流程",
    ];
    let guides: Vec<(&[&str], Style)> = vec![
        (&LABELS, Style::TableSoup),
        (&LABELS, Style::DivDl),
        (&LABELS, Style::Headings),
        (&LABELS, Style::TableSoup),
        (&LABELS, Style::DivDl),
    ];
    own_section(&guides)
}

async fn run_ok(args: &[&str]) -> std::process::Output {
    let out = run(args.iter().map(|s| s.to_string()).collect()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn rules_of(out: &std::process::Output) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut v: Vec<String> = doc["sites"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .filter(|r| r.starts_with("service."))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_added_to_the_rule_file_apply_to_a_stored_scan_and_the_bulletin_lists_it() {
    let server = serve(router(unknown_aliases())).await;
    let dir = temp_dir("rejudge");
    let config = format!(
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\ncheck_external = false\n\n\
         [store]\npath = \"{}\"\n\n[[site]]\nname = \"示范县\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
        dir.join("govscan.db").display(),
        server.url("/")
    );
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, config).expect("config");
    let cfg = cfg.to_string_lossy().to_string();
    run_ok(&[
        "scan",
        "--fail-on",
        "never",
        "--config",
        &cfg,
        "--as-of",
        "2026-11-30",
    ])
    .await;
    let judge = [
        "judge",
        "--config",
        &cfg,
        "--format",
        "json",
        "--fail-on",
        "never",
    ];
    let before = rules_of(&run_ok(&judge).await);
    assert_eq!(before, vec!["service.guide_elements"]);

    // The monthly bulletin's 主要问题 names the problem.
    let out_dir = dir.join("bulletin");
    run_ok(&[
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
    let md = std::fs::read_to_string(out_dir.join("月通报-2026-11.md")).expect("md");
    let problems = md
        .split("四、主要问题")
        .nth(1)
        .and_then(|s| s.split("五、").next())
        .expect("the section");
    assert!(problems.contains("办事指南要素缺失"), "{problems}");

    // Teach the rule file the two aliases: the stored labels now show 8 categories.
    server.log.clear();
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).expect("rules")
    {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let mut text = std::fs::read_to_string(&path).expect("rule file");
        if name == "service.toml" {
            for (from, to) in [
                ("[\"办理材料\", ", "[\"办理材料\", \"申办材料\", "),
                ("[\"办理机构\", ", "[\"办理机构\", \"承办单位\", "),
            ] {
                assert_eq!(text.matches(from).count(), 1, "{from}");
                text = text.replacen(from, to, 1);
            }
        }
        std::fs::write(rules.join(&name), text).expect("copy");
    }
    let rules = rules.to_string_lossy().to_string();
    let mut args = judge.to_vec();
    args.extend(["--rules", &rules]);
    let after = rules_of(&run_ok(&args).await);
    assert!(after.is_empty(), "{after:?}");
    // Judged from the store, without the network.
    assert_eq!(server.log.count(), 0, "{:?}", server.log.requests());
}
