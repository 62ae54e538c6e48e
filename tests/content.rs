//! Content rules end to end: fixture sites served on loopback, crawled, then judged by
//! `checks::evaluate` with the embedded rules.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeZone};
use govscan::checks::{evaluate, Finding, Kind};
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

fn ago(days: u64) -> NaiveDate {
    as_of_date()
        .checked_sub_days(Days::new(days))
        .expect("date")
}

/// Findings of the content rules (the link rules, and the interaction rules of
/// `tests/interaction.rs`, are tested elsewhere).
fn content(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| !f.rule.starts_with("link.") && !f.rule.starts_with("interaction."))
        .collect()
}

fn count(findings: &[&Finding], rule: &str) -> usize {
    findings.iter().filter(|f| f.rule == rule).count()
}

fn rules_of<'a>(findings: &[&'a Finding]) -> Vec<&'a str> {
    findings.iter().map(|f| f.rule.as_str()).collect()
}

#[tokio::test]
async fn demo_site_yields_exactly_the_stale_personnel_column() {
    let running = common::serve(govscan::demo::site::demo_router(as_of_date())).await;
    let mut site = common::site_for(&running);
    site.site_id_code = Some(govscan::demo::site::SITE_ID_CODE.into());
    let facts = common::crawl(common::fast_config(), site).await;
    let findings = evaluate(&facts, &RuleSet::embedded().expect("rules"), as_of());
    let content = content(&findings);
    assert_eq!(
        rules_of(&content),
        vec!["column.stale.personnel_plan"],
        "{content:#?}"
    );
    let f = content[0];
    assert_eq!(f.url, running.url(govscan::demo::site::STALE_COLUMN));
    assert_eq!(f.evidence["column"], "人事信息");
    let newest = as_of_date()
        .checked_sub_months(chrono::Months::new(24))
        .expect("date");
    assert_eq!(f.evidence["newest_date"], newest.to_string());
    assert!(f.message.contains("人事信息"), "{}", f.message);
    // The dated columns were read in every format, GBK included.
    let page = |path: &str| {
        facts
            .pages
            .iter()
            .find(|p| p.url == running.url(path))
            .unwrap_or_else(|| panic!("{path} crawled"))
    };
    for path in ["/zwdt/gzdt/", "/zwdt/xzdt/", "/tzgg/", "/zcwj/", "/"] {
        assert!(
            page(path).facts.dated_items >= 2,
            "{path}: {:?}",
            page(path).facts
        );
    }
    assert_eq!(page("/tzgg/").charset.as_deref(), Some("GBK"));
    // [MM-DD] dates took their year from the article URL.
    assert!(page("/zwdt/xzdt/")
        .facts
        .dates
        .iter()
        .all(|d| d.year == Some(2026)));
}

// ─── A configurable fixture site ───────────────────────────────────────────────────────────

#[derive(Clone, Copy)]
enum Style {
    Iso,
    Slash,
    Dot,
    Chinese,
    Bracket,
    BareMonthDay,
}

fn fmt(d: NaiveDate, style: Style) -> String {
    match style {
        Style::Iso => d.format("%Y-%m-%d").to_string(),
        Style::Slash => d.format("%Y/%m/%d").to_string(),
        Style::Dot => d.format("%Y.%m.%d").to_string(),
        Style::Chinese => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Style::Bracket => d.format("[%m-%d]").to_string(),
        Style::BareMonthDay => d.format("%m-%d").to_string(),
    }
}

struct Col {
    path: String,
    name: String,
    newest: NaiveDate,
    style: Style,
    gbk: bool,
    /// Lists nothing ("暂无信息").
    blank: bool,
}

struct Fixture {
    cols: Vec<Col>,
    home_newest: NaiveDate,
    xxgk_name: &'static str,
    footer: String,
    extra_home_html: String,
    /// The home page links the 2025 政府网站工作年度报表 (due by 2026-01-31).
    annual_table: bool,
}

const FOOTER: &str = "<div class=\"footer\">\
    <a href=\"https://bszs.conac.cn/sitename?method=show&amp;id=ABC\"><img src=\"https://dcs.conac.cn/image/red.png\" alt=\"党政机关\"></a>\
    <a href=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5000000001&amp;url=x\">我为政府网站找错</a>\
    <p>主办单位：示例县人民政府办公室 联系电话：0999-7654321</p>\
    <p>网站标识码：5000000001 示ICP备05000001号 示公网安备99000002000001号</p></div>";

fn col(i: usize, name: &str, age: u64, style: Style) -> Col {
    Col {
        path: format!("/col{i}/"),
        name: name.into(),
        newest: ago(age),
        style,
        gbk: false,
        blank: false,
    }
}

impl Fixture {
    fn new(cols: Vec<Col>) -> Fixture {
        Fixture {
            cols,
            home_newest: ago(1),
            xxgk_name: "政府信息公开",
            footer: FOOTER.into(),
            extra_home_html: String::new(),
            annual_table: true,
        }
    }

    fn pages(&self) -> Vec<(String, String, bool)> {
        let head = |title: &str, meta: &str| {
            format!(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}_示例县人民政府</title>\
                 <meta name=\"SiteIDCode\" content=\"5000000001\">{meta}</head><body>"
            )
        };
        let mut pages = Vec::new();
        // Home page.
        let mut home = head("首页", "");
        home.push_str("<div class=\"nav\">");
        home.push_str(&format!("<a href=\"/zfxxgk/\">{}</a>", self.xxgk_name));
        for c in &self.cols {
            home.push_str(&format!("<a href=\"{}\">{}</a>", c.path, c.name));
        }
        home.push_str("</div><div class=\"news\"><ul>");
        for k in 0..3u64 {
            let d = self
                .home_newest
                .checked_sub_days(Days::new(k * 5))
                .expect("date");
            home.push_str(&format!(
                "<li><a href=\"/home/t{k}.html\">首页要闻第{k}条信息标题</a><span>{}</span></li>",
                fmt(d, Style::Iso)
            ));
        }
        home.push_str("</ul></div>");
        if self.annual_table {
            home.push_str(
                "<div class=\"zt\"><a href=\"/home/t0.html\">2025年度政府网站工作年度报表</a></div>",
            );
        }
        home.push_str(&self.extra_home_html);
        home.push_str(&self.footer);
        home.push_str("</body></html>");
        pages.push(("/".to_string(), home, false));
        // The 专栏.
        let mut zl = head("政府信息公开", "");
        for (href, name) in [
            ("/zfxxgk/zn/", "政府信息公开指南"),
            ("/zfxxgk/zd/", "政府信息公开制度"),
            ("/zfxxgk/fdzdgk/", "法定主动公开内容"),
            ("/zfxxgk/nb/", "政府信息公开年报"),
        ] {
            zl.push_str(&format!("<p><a href=\"{href}\">{name}</a></p>"));
        }
        zl.push_str("</body></html>");
        pages.push(("/zfxxgk/".into(), zl, false));
        let rules = RuleSet::embedded().expect("rules");
        let mut fd = head("法定主动公开内容", "");
        for id in ["column.missing.art20", "column.missing.art21"] {
            for (i, g) in rules
                .get(id)
                .expect("rule")
                .typed::<govscan::rules::params::ColumnItemsParams>()
                .expect("typed")
                .items
                .iter()
                .enumerate()
            {
                fd.push_str(&format!(
                    "<p><a href=\"/zfxxgk/{id}/{i}/\">{}</a></p>",
                    g[0]
                ));
            }
        }
        fd.push_str("</body></html>");
        pages.push(("/zfxxgk/fdzdgk/".into(), fd, false));
        // Columns.
        for c in &self.cols {
            let mut p = head(
                &c.name,
                &format!("<meta name=\"ColumnName\" content=\"{}\">", c.name),
            );
            p.push_str(&format!("<h2>{}</h2><ul class=\"list\">", c.name));
            if c.blank {
                p.push_str("<li>暂无信息</li>");
            } else {
                for k in 0..3u64 {
                    let d = c.newest.checked_sub_days(Days::new(k * 7)).expect("date");
                    p.push_str(&format!(
                        "<li><a href=\"{}a{k}.html\">{}的第{k}条信息标题</a><span class=\"date\">{}</span></li>",
                        c.path,
                        c.name,
                        fmt(d, c.style)
                    ));
                }
            }
            p.push_str("</ul></body></html>");
            pages.push((c.path.clone(), p, c.gbk));
        }
        pages
    }

    fn router(&self) -> Router {
        let mut r = Router::new();
        for (path, body, gbk) in self.pages() {
            let body: Arc<str> = body.into();
            r = r.route(
                &path,
                get(move || {
                    let body = Arc::clone(&body);
                    async move {
                        if gbk {
                            gbk_html(&body, GbkDeclare::Header)
                        } else {
                            html(StatusCode::OK, &body)
                        }
                    }
                }),
            );
        }
        r
    }

    async fn judge(&self) -> Vec<Finding> {
        let running = common::serve(self.router()).await;
        let facts = common::crawl_fast(&running).await;
        evaluate(&facts, &RuleSet::embedded().expect("rules"), as_of())
    }
}

/// `news` stale news columns and `notices` stale notice columns (first-level), each column in
/// another date format, one of them GBK.
fn stale_site(news: usize, notices: usize) -> Fixture {
    let styles = [
        Style::Iso,
        Style::Slash,
        Style::Dot,
        Style::Chinese,
        Style::Bracket,
        Style::BareMonthDay,
    ];
    let mut cols = Vec::new();
    for i in 0..news {
        cols.push(col(
            i,
            &format!("部门动态{i}"),
            30,
            styles[i % styles.len()],
        ));
    }
    for i in 0..notices {
        let mut c = col(
            100 + i,
            &format!("通知公告{i}"),
            200,
            styles[(i + 3) % styles.len()],
        );
        // Month-day dates cannot be 200 days old within this year's context; use full dates.
        if matches!(c.style, Style::Bracket | Style::BareMonthDay) {
            c.style = Style::Chinese;
        }
        c.gbk = i == 0;
        cols.push(c);
    }
    // Fresh columns never count.
    cols.push(col(200, "工作动态", 2, Style::Bracket));
    cols.push(col(201, "政策文件", 20, Style::Chinese));
    Fixture::new(cols)
}

#[tokio::test]
async fn a_clean_site_has_no_content_findings() {
    let findings = stale_site(0, 0).judge().await;
    let content = content(&findings);
    assert!(content.is_empty(), "{content:#?}");
}

#[tokio::test]
async fn a_home_page_without_the_site_annual_table_is_a_deduction() {
    let mut site = stale_site(0, 0);
    site.annual_table = false;
    let findings = site.judge().await;
    let content = content(&findings);
    assert_eq!(
        rules_of(&content),
        ["site_annual_table.missing"],
        "{content:#?}"
    );
    let f = content[0];
    assert_eq!(f.evidence["year"], 2025);
    assert_eq!(f.evidence["deadline"], "2026-01-31");
    assert!(!f.needs_confirmation());
}

#[tokio::test]
async fn four_stale_columns_no_veto_five_veto() {
    let findings = stale_site(2, 2).judge().await;
    let content = content(&findings);
    assert_eq!(count(&content, "column.stale.news"), 2, "{content:#?}");
    assert_eq!(count(&content, "column.stale.notice_policy"), 2);
    assert_eq!(count(&content, "column.stale.veto"), 0);
    assert!(content.iter().all(|f| f.kind != Kind::Veto));

    let findings = stale_site(3, 2).judge().await;
    let content = self::content(&findings);
    assert_eq!(count(&content, "column.stale.news"), 3, "{content:#?}");
    assert_eq!(count(&content, "column.stale.notice_policy"), 2);
    assert_eq!(count(&content, "column.stale.veto"), 1);
    let veto = content
        .iter()
        .find(|f| f.rule == "column.stale.veto")
        .expect("veto");
    assert_eq!(veto.kind, Kind::Veto);
    assert_eq!(veto.evidence["count"], 5);
    // The GBK notice column was read: its newest date is listed.
    let gbk = content
        .iter()
        .find(|f| f.evidence["column"] == "通知公告0")
        .expect("the GBK column");
    assert_eq!(gbk.evidence["newest_date"], ago(200).to_string());
}

#[tokio::test]
async fn every_date_format_is_read() {
    // Six news columns, each in one format, all 30 days old: all six stale with the right date.
    let findings = stale_site(6, 0).judge().await;
    let content = content(&findings);
    let news: Vec<&&Finding> = content
        .iter()
        .filter(|f| f.rule == "column.stale.news")
        .collect();
    assert_eq!(news.len(), 6, "{content:#?}");
    for f in news {
        assert_eq!(f.evidence["newest_date"], ago(30).to_string(), "{f:#?}");
        assert_eq!(f.evidence["dated_items"], 3);
    }
}

#[tokio::test]
async fn blank_columns_counted_once() {
    let mut site = stale_site(0, 0);
    for i in 0..5 {
        let mut c = col(300 + i, &format!("乡镇动态{i}"), 1, Style::Iso);
        c.blank = true;
        site.cols.push(c);
    }
    let findings = site.judge().await;
    let content = content(&findings);
    assert_eq!(count(&content, "column.blank"), 1, "{content:#?}");
    assert_eq!(count(&content, "column.blank.warn"), 5);
    assert_eq!(
        count(&content, "column.stale.news"),
        0,
        "blank is not also stale"
    );
    assert_eq!(count(&content, "column.stale.veto"), 0);
}

#[tokio::test]
async fn stale_home_page_and_policy_column() {
    let mut site = stale_site(0, 0);
    site.home_newest = ago(20);
    site.cols.push(col(400, "规范性文件", 250, Style::Iso));
    let findings = site.judge().await;
    let content = content(&findings);
    assert_eq!(
        rules_of(&content),
        vec![
            "home.not_updated",
            "column.stale.policy",
            "column.stale.notice_policy"
        ],
        "{content:#?}"
    );
    let home = content[0];
    assert_eq!(home.evidence["newest_date"], ago(20).to_string());
    let policy = content[1];
    assert!((policy.points - 5.0).abs() < 1e-9);

    let mut site = stale_site(0, 0);
    site.home_newest = ago(12);
    let findings = site.judge().await;
    assert_eq!(
        rules_of(&self::content(&findings)),
        vec!["home.not_updated.warn"]
    );
}

#[tokio::test]
async fn footer_xxgk_and_wording_defects() {
    let mut site = stale_site(0, 0);
    site.xxgk_name = "政务公开";
    site.footer = FOOTER
        .replace("示ICP备05000001号", "")
        .replace("示公网安备99000002000001号", "")
        .replace("site_code=5000000001", "site_code=5000000002");
    site.extra_home_html = "<p>热烈庆祝中华人民共合国成立七十七周年，中国共产党党员带头。</p>\
        <script>var t = '依法制国';</script><a href=\"/x\" title=\"全面从严制党\">链接</a>"
        .into();
    let findings = site.judge().await;
    let content = content(&findings);
    assert_eq!(
        rules_of(&content),
        vec![
            "wording.serious",
            "column.xxgk.entrance",
            "footer.missing.jiucuo",
            "footer.missing_id.icp",
            "footer.missing_id.psb"
        ],
        "{content:#?}"
    );
    let wording = content[0];
    assert_eq!(wording.evidence["wrong"], "中华人民共合国");
    assert_eq!(wording.evidence["right"], "中华人民共和国");
    assert!(wording.message.contains("中华人民共合国"));
    assert!(content[1].message.contains("「政务公开」"));
    assert!(content[2].message.contains("5000000002"));
    assert!(content[3].message.contains("ICP"));
}

#[tokio::test]
async fn configured_column_urls_override_discovery() {
    let mut fixture = stale_site(0, 0);
    fixture.xxgk_name = "网站导航";
    let running = common::serve(fixture.router()).await;
    let mut site = common::site_for(&running);
    site.columns.insert(
        "政府信息公开".into(),
        url::Url::parse(&running.url("/zfxxgk/")).expect("url"),
    );
    site.site_id_code = Some("5000000001".into());
    let facts = common::crawl(common::fast_config(), site).await;
    assert_eq!(
        facts.configured_columns.get("政府信息公开"),
        Some(&running.url("/zfxxgk/"))
    );
    let findings = evaluate(&facts, &RuleSet::embedded().expect("rules"), as_of());
    let found = content(&findings);
    assert!(found.is_empty(), "{found:#?}");
}

#[tokio::test]
async fn navigation_only_home_page_uses_second_level_pages() {
    let index = |age: u64| {
        format!(
            "<html><head><meta charset=\"utf-8\"><title>首页</title></head><body>\
             <ul><li><a href=\"/n/1.html\">二级页面上的新闻信息标题</a><span>{}</span></li></ul></body></html>",
            ago(age).format("%Y-%m-%d")
        )
    };
    for (age, stale) in [(3, false), (30, true)] {
        let nav_home = "<html><head><meta charset=\"utf-8\"><title>导航</title></head><body>\
             <a href=\"/index.html\"><img src=\"/enter.png\" alt=\"进入主站\"></a></body></html>";
        let body = index(age);
        let app = Router::new()
            .route(
                "/",
                get(move || async move { html(StatusCode::OK, nav_home) }),
            )
            .route(
                "/index.html",
                get(move || {
                    let b = body.clone();
                    async move { html(StatusCode::OK, &b) }
                }),
            );
        let running = common::serve(app).await;
        let facts = common::crawl_fast(&running).await;
        let findings = evaluate(&facts, &RuleSet::embedded().expect("rules"), as_of());
        let home: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.rule == "home.not_updated")
            .collect();
        assert_eq!(home.len(), usize::from(stale), "{findings:#?}");
        if stale {
            assert!(home[0].message.contains("二级页面"), "{}", home[0].message);
        }
    }
}

/// Stale columns in six date notations (one GBK), wrong wording and footer defects are judged
/// the same from the store, read back page by page and link by link as `scan` and `judge`
/// read them, as from the facts of a crawl held in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judged_the_same_from_the_store_as_from_memory() {
    let mut fixture = stale_site(3, 2);
    fixture.footer = FOOTER.replace("示ICP备05000001号", "");
    fixture.extra_home_html = "<p>热烈庆祝中华人民共合国成立七十七周年。</p>".into();
    let running = common::serve(fixture.router()).await;
    let dir = common::temp_dir_in("content", "store-equals-memory");
    let rules = RuleSet::embedded().expect("rules");
    let (from_memory, from_store, pages) = common::judged_from_memory_and_store(
        common::fast_config(),
        common::site_for(&running),
        &rules,
        as_of(),
        &dir,
    )
    .await;
    assert!(pages >= 8, "{pages} pages");
    assert!(
        from_memory.iter().any(|f| f.starts_with("wording.serious")),
        "{from_memory:#?}"
    );
    assert_eq!(from_store, from_memory);
}
