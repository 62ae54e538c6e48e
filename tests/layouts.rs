//! Content judgements on fixture sites built the way real government portals are built
//! (layouts.md): a table-based, upper-case, GBK tag-soup CMS with `/col/col123/` paths and the
//! 政府信息公开 专栏 one level below the home page; a div template with the 专栏 on the home
//! page; side navigations with `./` and `../x/` hrefs that are the only links to some columns;
//! every form of the 党政机关网站标识; near misses of official names.

mod common;

use std::sync::Arc;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeZone};
use govscan::checks::{evaluate, Finding};
use govscan::crawl::SiteFacts;
use govscan::demo::annual_report::{FixtureLayout, ReportFixture};
use govscan::demo::server::{gbk_html, html, GbkDeclare};
use govscan::rules::RuleSet;

fn as_of_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

fn as_of() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
        .single()
        .expect("time")
}

fn ago(days: u64) -> String {
    as_of_date()
        .checked_sub_days(Days::new(days))
        .expect("date")
        .to_string()
}

/// The sub-column names of 法定主动公开内容 (the first name of each group of both articles).
fn subcolumns() -> Vec<String> {
    let rules = RuleSet::embedded().expect("rules");
    ["column.missing.art20", "column.missing.art21"]
        .iter()
        .flat_map(|id| {
            rules
                .get(id)
                .expect("rule")
                .typed::<govscan::rules::params::ColumnItemsParams>()
                .expect("typed")
                .items
                .iter()
                .filter_map(|g| g.first().cloned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A page of a site: path, HTML, GBK or not.
type Page = (String, String, bool);

/// Serve the pages; `/art/…` are articles, every `…/c{n}/` under a 法定主动公开内容 page a
/// fresh list (div template).
fn router(pages: Vec<Page>) -> Router {
    let mut r = Router::new();
    for (path, body, gbk) in pages {
        let body: Arc<str> = body.into();
        r = r.route(
            &path,
            get(move || {
                let body = Arc::clone(&body);
                async move {
                    if gbk {
                        gbk_html(&body, GbkDeclare::Meta)
                    } else {
                        html(StatusCode::OK, &body)
                    }
                }
            }),
        );
    }
    r.route(
        "/art/{*rest}",
        get(|| async {
            html(
                StatusCode::OK,
                &format!(
                    "<html><head><meta name=\"ArticleTitle\" content=\"工作动态\"><meta name=\"PubDate\" content=\"{} 09:00\"><title>工作动态</title></head><body><h1>工作动态</h1><p>正文。</p></body></html>",
                    ago(3)
                ),
            )
        }),
    )
    .route(
        "/{section}/{sub}/fdzdgknr/{col}/",
        get(|Path((_, _, col)): Path<(String, String, String)>| async move {
            html(StatusCode::OK, &div_list(&format!("子栏目{col}"), 5, ""))
        }),
    )
    .route(
        "/{section}/fdzdgk/{col}/",
        get(|Path((_, col)): Path<(String, String)>| async move {
            html(StatusCode::OK, &div_list(&format!("子栏目{col}"), 5, ""))
        }),
    )
}

/// A div-template list page with items `age` days old (none: "暂无数据").
fn div_list(name: &str, age: u64, side_nav: &str) -> String {
    let mut p = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{name}_示范区人民政府</title></head><body>\
         <div class=\"header\"><div class=\"nav\"><a href=\"/\">首页</a></div></div>\
         <div class=\"container\">{side_nav}<div class=\"right-content\"><div class=\"title\">{name}</div><ul class=\"list\">"
    );
    if age == u64::MAX {
        p.push_str("<li class=\"empty\">暂无数据</li>");
    } else {
        for k in 0..3u64 {
            p.push_str(&format!(
                "<li><a href=\"/art/{k}/a.html\" target=\"_blank\">{name}第{k}条信息的标题文字</a><span class=\"date\">{}</span></li>",
                ago(age + k * 3)
            ));
        }
    }
    p.push_str("</ul></div></div><div class=\"footer\"><p>主办单位：示范区人民政府办公室</p></div></body></html>");
    p
}

const FOOTER_IDS: &str = "主办单位：示范市人民政府办公室 联系电话：0999-7654321<BR>\
    网站标识码：5000000001 示ICP备05000001号 示公网安备99000002000001号<BR>\
    <A HREF=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5000000001\"><IMG SRC=\"/images/jiucuo.png\"></A>";

/// A table-based CMS page (upper-case tags, unclosed cells and rows, GBK): top menu, a side
/// navigation of relative links, and a dated list.
fn table_list(name: &str, side: &[(&str, &str)], age: Option<u64>) -> String {
    let mut p = format!(
        "<HTML><HEAD><TITLE>{name}--示范市人民政府</TITLE></HEAD><BODY>\
         <TABLE WIDTH=1000 ALIGN=center CELLPADDING=0><TR><TD CLASS=menu>\
         <A HREF=\"/\">首页</A> | <A HREF=\"/zwgk/\">政务公开</A> | <A HREF=\"/col/col101/index.html\">新闻中心</A>\
         <TR><TD><TABLE WIDTH=100%><TR><TD WIDTH=220 VALIGN=top CLASS=leftnav><TABLE>"
    );
    for (text, href) in side {
        p.push_str(&format!("<TR><TD HEIGHT=30><A HREF=\"{href}\">{text}</A>"));
    }
    p.push_str(&format!(
        "</TABLE><TD VALIGN=top><TABLE WIDTH=100%><TR><TD CLASS=position>当前位置：<A HREF=\"/\">首页</A> &gt; <A HREF=\"/col/col101/index.html\">新闻中心</A> &gt; {name}"
    ));
    match age {
        Some(age) => {
            for k in 0..4u64 {
                p.push_str(&format!(
                    "<TR><TD><A HREF=\"/art/2026/col/art_{k}.html\" TARGET=_blank>{name}第{k}条信息的标题文字</A><TD WIDTH=90>[{}]",
                    ago(age + k * 2)
                ));
            }
        }
        None => p.push_str("<TR><TD ALIGN=center>暂无信息"),
    }
    p.push_str("</TABLE></TABLE></TABLE></BODY></HTML>");
    p
}

/// Site A: table soup, GBK, `/col/col123/` paths; home → 政务公开 (/zwgk/) → 政府信息公开专栏
/// (/zwgk/zfxxgkzl/); the 法定主动公开内容 lacks `missing` sub-columns; 工作动态 (stale) and
/// 通知公告 (blank) are linked only from the section's side navigation; the conac mark is a
/// local red.png without alt.
fn site_a(missing: &[&str]) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    let mut home = String::from(
        "<HTML><HEAD><TITLE>示范市人民政府</TITLE><META NAME=\"SiteIDCode\" CONTENT=\"5000000001\"></HEAD>\
         <BODY><TABLE WIDTH=1000 ALIGN=center><TR><TD CLASS=menu>\
         <A HREF=\"/\">首页</A> | <A HREF=\"/zwgk/\">政务公开</A> | <A HREF=\"/col/col101/index.html\">新闻中心</A>\
         <TR><TD><TABLE WIDTH=100%>",
    );
    for k in 0..5u64 {
        home.push_str(&format!(
            "<TR><TD><A HREF=\"/art/2026/home/art_{k}.html\">示范市召开冬季安全生产工作会议第{k}次</A><TD>{}",
            ago(1 + k)
        ));
    }
    home.push_str(&format!(
        "</TABLE><TR><TD ID=footer ALIGN=center><A HREF=\"/dzjg/index.html\" TARGET=_blank><IMG SRC=\"/images/red.png\" BORDER=0></A>\
         <A HREF=\"zt/wzndbb.html\">2025年度政府网站工作年度报表</A><BR>{FOOTER_IDS}</TABLE></BODY></HTML>"
    ));
    pages.push(("/".into(), home, true));
    pages.push((
        "/zt/wzndbb.html".into(),
        "<HTML><HEAD><TITLE>2025年度政府网站工作年度报表</TITLE></HEAD><BODY><TABLE><TR><TD>网站名称<TD>示范市人民政府</TABLE></BODY></HTML>".into(),
        true,
    ));
    // 乡镇动态 is linked by an image without text and its <title> is the site's name: only the
    // breadcrumb over its list names it.
    let side = [
        ("新闻中心", "../col101/index.html"),
        ("工作动态", "../col102/index.html"),
        ("通知公告", "../col103/index.html"),
        (
            "<IMG SRC=\"/images/xzdt.gif\" BORDER=0>",
            "../col104/index.html",
        ),
    ];
    pages.push((
        "/col/col101/index.html".into(),
        table_list("新闻中心", &side, Some(2)),
        true,
    ));
    pages.push((
        "/col/col102/index.html".into(),
        table_list("工作动态", &side, Some(40)),
        true,
    ));
    pages.push((
        "/col/col103/index.html".into(),
        table_list("通知公告", &side, None),
        true,
    ));
    pages.push((
        "/col/col104/index.html".into(),
        table_list("乡镇动态", &side, Some(60)).replace(
            "<TITLE>乡镇动态--示范市人民政府</TITLE>",
            "<TITLE>示范市人民政府</TITLE>",
        ),
        true,
    ));
    // 政务公开: a hub page that links the 专栏 (and other things).
    pages.push((
        "/zwgk/".into(),
        "<HTML><HEAD><TITLE>政务公开--示范市人民政府</TITLE></HEAD><BODY><TABLE><TR><TD CLASS=menu><A HREF=\"/\">首页</A>\
         <TR><TD><TABLE><TR><TD><A HREF=\"./zfxxgkzl/\"><IMG SRC=\"/images/xxgk.jpg\">政府信息公开专栏</A>\
         <TD><A HREF=\"../col/col101/index.html\">新闻中心</A><TD><A HREF=\"./zcjd/\">政策解读</A></TABLE></TABLE></BODY></HTML>"
            .into(),
        true,
    ));
    // The 专栏 proper (div template, UTF-8).
    pages.push((
        "/zwgk/zfxxgkzl/".into(),
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>政府信息公开专栏</title></head><body>\
         <div class=\"xxgk-left\"><ul><li><a href=\"./zn/\">政府信息公开指南</a></li><li><a href=\"./zd/\">政府信息公开制度</a></li>\
         <li><a href=\"./fdzdgknr/\">法定主动公开内容</a></li><li><a href=\"./nb/\">政府信息公开年报</a></li></ul></div>\
         <div class=\"xxgk-right\">请选择栏目</div></body></html>"
            .into(),
        false,
    ));
    for (p, n) in [("zn", "政府信息公开指南"), ("zd", "政府信息公开制度")] {
        pages.push((format!("/zwgk/zfxxgkzl/{p}/"), div_list(n, 20, ""), false));
    }
    // The 年报 column lists last year's report, published in time, complete and consistent.
    let report = ReportFixture::new(2025, FixtureLayout::Y2021);
    let list = div_list("政府信息公开年报", 20, "");
    let first = list.find("<li>").expect("an item");
    let end = first + list[first..].find("</li>").expect("an item") + "</li>".len();
    let item = format!(
        "<li><a href=\"./2025.html\">{}</a><span class=\"date\">2026-01-20</span></li>",
        report.title()
    );
    pages.push((
        "/zwgk/zfxxgkzl/nb/".into(),
        format!("{}{item}{}", &list[..first], &list[end..]),
        false,
    ));
    pages.push(("/zwgk/zfxxgkzl/nb/2025.html".into(), report.html(), false));
    let mut fd = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>法定主动公开内容</title></head><body><div class=\"xxgk-left\"><ul>",
    );
    for (i, name) in subcolumns().iter().enumerate() {
        if !missing.contains(&name.as_str()) {
            fd.push_str(&format!("<li><a href=\"./c{i}/\">{name}</a></li>"));
        }
    }
    fd.push_str("</ul></div></body></html>");
    pages.push(("/zwgk/zfxxgkzl/fdzdgknr/".into(), fd, false));
    pages
}

/// Site B: a div template (UTF-8); the 专栏 on the home page; 部门动态 (stale) and 图片新闻
/// (blank) linked only from the side menu of 新闻中心 with `./` hrefs; the conac mark as
/// `badge` HTML; `text` in the home page's body.
fn site_b(badge: &str, text: &str, missing: &[&str]) -> Vec<Page> {
    let mut pages: Vec<Page> = Vec::new();
    let mut home = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范区人民政府</title>\
         <meta name=\"SiteIDCode\" content=\"5000000001\"></head><body>\
         <div class=\"header\"><div class=\"nav\"><ul><li><a href=\"/index.html\">首页</a></li>\
         <li><a href=\"/zfxxgk/\">政府信息公开</a></li><li><a href=\"/xwzx/\">新闻中心</a></li></ul></div></div>\
         <div class=\"main\"><div class=\"news\"><ul>",
    );
    for k in 0..5u64 {
        home.push_str(&format!(
            "<li><a href=\"/art/home/{k}.html\">示范区召开全区经济工作会议第{k}次</a><span>{}</span></li>",
            ago(1 + k)
        ));
    }
    home.push_str(&format!(
        "</ul></div><div class=\"notice\"><p>{text}</p></div></div><div class=\"footer\">{badge}\
         <p>主办单位：示范区人民政府办公室 联系电话：0999-7654321</p>\
         <p>网站标识码：5000000001 示ICP备05000001号 示公网安备99000002000001号</p>\
         <p><a href=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5000000001\">我为政府网站找错</a> \
         <a href=\"./wzndbb/\">政府网站工作年度报表</a></p></div></body></html>"
    ));
    pages.push(("/".into(), home.clone(), false));
    pages.push((
        "/wzndbb/".into(),
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>示范区人民政府2025年度政府网站工作年度报表</title></head>\
         <body><div class=\"content\"><table><tr><td>网站名称</td><td>示范区人民政府</td></tr></table></div></body></html>"
            .into(),
        false,
    ));
    pages.push(("/index.html".into(), home, false));
    let side = "<div class=\"side-menu\"><ul><li><a href=\"./\">新闻中心</a></li><li><a href=\"./bmdt/\">部门动态</a></li><li><a href=\"./tpxw/\">图片新闻</a></li></ul></div>";
    let side_sub = side.replace("./", "../");
    pages.push(("/xwzx/".into(), div_list("新闻中心", 1, side), false));
    pages.push((
        "/xwzx/bmdt/".into(),
        div_list("部门动态", 30, &side_sub),
        false,
    ));
    pages.push((
        "/xwzx/tpxw/".into(),
        div_list("图片新闻", u64::MAX, &side_sub),
        false,
    ));
    pages.push((
        "/zfxxgk/".into(),
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>政府信息公开_示范区人民政府</title></head><body>\
         <div class=\"column-nav\"><a href=\"/zfxxgk/zn/\">政府信息公开指南</a><a href=\"/zfxxgk/zd/\">政府信息公开制度</a>\
         <a href=\"/zfxxgk/fdzdgk/\">法定主动公开内容</a><a href=\"/zfxxgk/nb/\">政府信息公开工作年度报告</a></div></body></html>"
            .into(),
        false,
    ));
    let mut fd = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>法定主动公开内容</title></head><body><div class=\"tree\">",
    );
    for (i, name) in subcolumns().iter().enumerate() {
        if !missing.contains(&name.as_str()) {
            fd.push_str(&format!(
                "<p><a href=\"/zfxxgk/fdzdgk/c{i}/\">{name}</a></p>"
            ));
        }
    }
    fd.push_str("</div></body></html>");
    pages.push(("/zfxxgk/fdzdgk/".into(), fd, false));
    pages
}

async fn crawl(pages: Vec<Page>) -> (SiteFacts, govscan::demo::server::Running) {
    let running = common::serve(router(pages)).await;
    let mut config = common::fast_config();
    config.crawl.check_external = false;
    let mut site = common::site_for(&running);
    site.site_id_code = Some("5000000001".into());
    let facts = common::crawl(config, site).await;
    (facts, running)
}

/// Findings of the content rules (the link rules, and the interaction rules of
/// `tests/interaction.rs`, are tested elsewhere).
fn content(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| !f.rule.starts_with("link.") && !f.rule.starts_with("interaction."))
        .collect()
}

fn of<'a>(findings: &[&'a Finding], rule: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.rule == rule)
        .copied()
        .collect()
}

#[tokio::test]
async fn xxgk_one_level_down_in_a_gbk_table_site() {
    let (facts, running) = crawl(site_a(&["政府采购", "社会救助"])).await;
    let findings = evaluate(&facts, &RuleSet::embedded().expect("rules"), as_of());
    let found = content(&findings);
    // The entrance once, no entry "missing", the true missing sub-columns found on the 专栏's
    // 法定主动公开内容 page.
    assert!(of(&found, "column.missing.xxgk").is_empty(), "{found:#?}");
    let entrance = of(&found, "column.xxgk.entrance");
    assert_eq!(entrance.len(), 1, "{found:#?}");
    let e = entrance[0];
    assert_eq!(e.evidence["xxgk_url"], running.url("/zwgk/zfxxgkzl/"));
    assert_eq!(e.evidence["via"]["url"], running.url("/zwgk/"));
    assert!(e.message.contains("首页未直接链接"), "{}", e.message);
    assert!(e.message.contains("政务公开"), "{}", e.message);
    let art20 = of(&found, "column.missing.art20");
    assert_eq!(art20.len(), 1, "{found:#?}");
    assert!(art20[0].message.contains("政府采购"));
    assert_eq!(art20[0].url, running.url("/zwgk/zfxxgkzl/fdzdgknr/"));
    let art21 = of(&found, "column.missing.art21");
    assert_eq!(art21.len(), 1, "{found:#?}");
    assert!(art21[0].message.contains("社会救助"));
    // Columns linked only from the side navigation (../col102/index.html) are judged.
    let stale = of(&found, "column.stale.news");
    assert_eq!(stale.len(), 2, "{found:#?}");
    assert_eq!(stale[0].url, running.url("/col/col102/index.html"));
    assert_eq!(stale[0].evidence["column"], "工作动态");
    assert_eq!(stale[0].evidence["first_level"], false);
    // Named by the breadcrumb over its list.
    assert_eq!(stale[1].url, running.url("/col/col104/index.html"));
    assert_eq!(stale[1].evidence["column"], "乡镇动态");
    let blank = of(&found, "column.blank.warn");
    assert_eq!(blank.len(), 1, "{found:#?}");
    assert_eq!(blank[0].url, running.url("/col/col103/index.html"));
    // The locally hosted red.png is the mark; nothing else is wrong.
    let mut rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    assert_eq!(
        rules,
        vec![
            "column.blank.warn",
            "column.missing.art20",
            "column.missing.art21",
            "column.stale.news",
            "column.stale.news",
            "column.xxgk.entrance"
        ],
        "{found:#?}"
    );
}

#[tokio::test]
async fn xxgk_on_the_home_page_and_side_menu_columns_in_a_div_site() {
    let badge = "<script id=\"_jiucuo_\" src=\"https://dcs.conac.cn/js/33/000/0000/60429971/CA330000000604299710000.js\"></script>";
    let (facts, running) = crawl(site_b(badge, "", &["统计信息"])).await;
    let findings = evaluate(&facts, &RuleSet::embedded().expect("rules"), as_of());
    let found = content(&findings);
    let mut rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    assert_eq!(
        rules,
        vec![
            "column.blank.warn",
            "column.missing.art20",
            "column.stale.news"
        ],
        "{found:#?}"
    );
    assert!(of(&found, "column.missing.art20")[0]
        .message
        .contains("统计信息"));
    assert_eq!(
        of(&found, "column.stale.news")[0].url,
        running.url("/xwzx/bmdt/")
    );
    assert_eq!(
        of(&found, "column.blank.warn")[0].url,
        running.url("/xwzx/tpxw/")
    );
}

#[tokio::test]
async fn every_form_of_the_conac_mark_and_its_absence() {
    for (badge, present) in [
        (
            "<a href=\"https://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C\" target=\"_blank\"><img src=\"https://dcs.conac.cn/image/red.png\"></a>",
            true,
        ),
        (
            "<script type=\"text/javascript\" src=\"https://dcs.conac.cn/js/33/000/0000/60429971/CA330000000604299710000.js\"></script>",
            true,
        ),
        ("<img src=\"/static/img/badge.png\" alt=\"党政机关\">", true),
        ("<IMG SRC=\"/static/img/badge.gif\" TITLE=\"党政机关网站标识\">", true),
        ("<img src=\"../images/red.png\" width=\"55\">", true),
        ("<a href=\"/conac/sitename?method=show&amp;id=0A1B2C\"><img src=\"/i/mark.png\"></a>", true),
        ("<img src=\"/static/img/logo.png\" alt=\"示范区人民政府\">", false),
        ("", false),
    ] {
        let (facts, _running) = crawl(site_b(badge, "", &[])).await;
        let rules = RuleSet::embedded().expect("rules");
        let findings = evaluate(&facts, &rules, as_of());
        let conac: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule == "footer.missing_id.conac")
            .collect();
        assert_eq!(conac.is_empty(), present, "{badge}: {conac:#?}");
        // The report says which form was found (and nothing when none was).
        let marks = govscan::checks::footer::identity_marks(&facts, &rules);
        assert_eq!(!marks.is_empty(), present, "{badge}: {marks:?}");
        assert!(marks.iter().all(|m| m.starts_with("党政机关网站标识：")), "{marks:?}");
    }
}

#[tokio::test]
async fn near_misses_of_official_names_on_a_page() {
    let text = "示范区人民政俯办公室关于印发工作要点的通知；转发国务院 办公厅通知；\
                学习中华人民共国宪法；全国人民代表大会常务委会；国务院公办厅；\
                区人民政协、区人民政府办公厅、区纪律检查委员会、区监察委员会、人民检察院检察委员会";
    let (facts, _running) = crawl(site_b("<img src=\"/images/red.png\">", text, &[])).await;
    let findings = evaluate(&facts, &RuleSet::embedded().expect("rules"), as_of());
    let wording: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "wording.serious" && f.url.ends_with('/'))
        .collect();
    let mut got: Vec<(String, String)> = wording
        .iter()
        .map(|f| {
            assert_eq!(f.evidence["needs_confirmation"], true);
            assert!(f.evidence["snippet"]
                .as_str()
                .is_some_and(|s| s.contains('【')));
            (
                f.evidence["wrong"].as_str().unwrap_or_default().to_string(),
                f.evidence["right"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = [
        ("人民政俯办公室", "人民政府办公室"),
        ("国务院 办公厅", "国务院办公厅"),
        ("中华人民共国宪法", "中华人民共和国宪法"),
        ("全国人民代表大会常务委会", "全国人民代表大会常务委员会"),
        ("国务院公办厅", "国务院办公厅"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want, "{wording:#?}");
}

/// Both layouts (a GBK table site with its 信息公开 one level down and columns missing, a div
/// site with side menus and a wrong-wording badge) are judged the same from the store, read
/// back page by page and link by link as `scan` and `judge` read them, as from the facts of a
/// crawl held in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judged_the_same_from_the_store_as_from_memory() {
    let rules = RuleSet::embedded().expect("rules");
    let sites = [
        ("a", site_a(&["政府采购", "社会救助"])),
        ("b", site_b("", "中华人民共合国", &["统计信息"])),
    ];
    for (name, pages) in sites {
        let running = common::serve(router(pages)).await;
        let mut config = common::fast_config();
        config.crawl.check_external = false;
        let mut site = common::site_for(&running);
        site.site_id_code = Some("5000000001".into());
        let dir = common::temp_dir_in("layouts", &format!("store-{name}"));
        let (from_memory, from_store, pages) =
            common::judged_from_memory_and_store(config, site, &rules, as_of(), &dir).await;
        assert!(pages >= 5, "{name}: {pages} pages");
        assert!(!from_memory.is_empty(), "{name}");
        assert_eq!(from_store, from_memory, "{name}");
    }
}
