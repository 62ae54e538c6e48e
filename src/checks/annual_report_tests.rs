use super::*;
use crate::checks::testutil::{assert_reduced_alike, list, nav, page, site, ymd};
use crate::demo::annual_report::{Cut, FixtureLayout, ReportFixture};

/// `annual_report::check`, held to the same findings on the facts reduced to what
/// `checks::reads` keeps.
fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    assert_reduced_alike(facts, rules, |f| super::check(f, rules, as_of))
}

fn rules() -> RuleSet {
    RuleSet::embedded().unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A crawled report page built from a fixture.
fn report_page(f: &ReportFixture, url: &str, published: NaiveDate) -> PageRecord {
    let html = f.html();
    let doc = scraper::Html::parse_document(&html);
    let mut pg = page(url, 3);
    pg.title = Some(f.title());
    pg.facts.article_title = Some(f.title());
    pg.facts.pub_date = Some(ymd(published));
    pg.facts.annual_report = crate::extract::annual_report::read(
        &doc,
        &html,
        Some(&f.title()),
        Some(&f.title()),
        &ReportRules::from_rules(&rules()).unwrap(),
    );
    assert!(pg.facts.annual_report.is_some());
    pg
}

/// A site: home → 政府信息公开 → 政府信息公开年报 listing the reports.
fn site_with(reports: Vec<(ReportFixture, NaiveDate)>) -> SiteFacts {
    let mut home = page("http://x.gov.cn/", 0);
    home.facts.nav = vec![nav("政府信息公开", "http://x.gov.cn/zfxxgk/")];
    let mut xxgk = page("http://x.gov.cn/zfxxgk/", 1);
    xxgk.facts.nav = vec![nav("政府信息公开年报", "http://x.gov.cn/zfxxgk/ndbg/")];
    let dates: Vec<_> = reports.iter().map(|(_, dt)| ymd(*dt)).collect();
    let mut col = list(
        "http://x.gov.cn/zfxxgk/ndbg/",
        2,
        "政府信息公开年报",
        &dates,
    );
    let mut pages = vec![home, xxgk];
    for (i, (f, dt)) in reports.iter().enumerate() {
        let url = format!("http://x.gov.cn/zfxxgk/ndbg/{}.html", f.year);
        col.facts.items[i].title = f.title();
        col.facts.items[i].url = Some(url.clone());
        pages.push(report_page(f, &url, *dt));
    }
    pages.insert(2, col);
    site(pages)
}

fn of<'a>(findings: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == id).collect()
}

#[test]
fn the_embedded_rules_give_every_parameter() {
    let p = Params::from_rules(&rules()).unwrap();
    assert_eq!(p.department_deadline, (1, 31));
    assert_eq!(p.government_deadline, (3, 31));
    assert_eq!(p.sections.len(), 6);
    assert_eq!(p.relations, ["T3-1", "T3-2", "T3-3", "T4-1"]);
    assert_eq!(p.format_2021_from_year, Some(2021));
    assert_eq!(p.year_due(d(2026, 3, 31), SiteKind::Portal), 2024);
    assert_eq!(p.year_due(d(2026, 4, 1), SiteKind::Portal), 2025);
    assert_eq!(p.year_due(d(2026, 1, 31), SiteKind::Department), 2024);
    assert_eq!(p.year_due(d(2026, 2, 1), SiteKind::Department), 2025);
}

#[test]
fn consistent_reports_hold_in_both_layouts() {
    for layout in [FixtureLayout::Y2019, FixtureLayout::Y2021] {
        for merged in [true, false] {
            let year = if layout == FixtureLayout::Y2019 {
                2020
            } else {
                2025
            };
            let mut f = ReportFixture::new(year, layout);
            f.merged = merged;
            let facts = site_with(vec![(f, d(year + 1, 1, 20))]);
            let p = Params::from_rules(&rules()).unwrap();
            let r = facts.pages[3].facts.annual_report.as_ref().unwrap();
            let checks = relations(r, &p.relations);
            assert!(
                checks.iter().all(|c| c.outcome == Outcome::Holds),
                "{layout:?} merged={merged}: {:?}",
                checks
                    .iter()
                    .filter(|c| c.outcome != Outcome::Holds)
                    .collect::<Vec<_>>()
            );
            let findings = check(&facts, &rules(), d(2026, 4, 10));
            assert!(of(&findings, "annual_report.inconsistent").is_empty());
            assert!(
                of(&findings, "annual_report.sections").is_empty(),
                "{findings:?}"
            );
            assert!(of(&findings, "annual_report.format_version").is_empty());
        }
    }
}

#[test]
fn each_relation_broken_once_is_reported_alone() {
    for layout in [FixtureLayout::Y2019, FixtureLayout::Y2021] {
        for id in ["T3-1", "T3-2", "T3-3", "T4-1"] {
            let mut f = ReportFixture::new(2025, layout);
            f.broken = Some(id);
            let facts = site_with(vec![(f, d(2026, 1, 20))]);
            let findings = check(&facts, &rules(), d(2026, 4, 10));
            let inc = of(&findings, "annual_report.inconsistent");
            assert_eq!(inc.len(), 1, "{layout:?} {id}: {inc:?}");
            assert_eq!(inc[0].evidence["relation"], id);
            let failed = inc[0].evidence["failed"].as_array().unwrap();
            assert!(!failed.is_empty());
            let first = &failed[0];
            assert!(first["left_value"].is_number() && first["right_value"].is_number());
            assert_ne!(first["left_value"], first["right_value"]);
            assert!(first["row"].is_string() && first["column"].is_string());
            assert!(inc[0].message.contains(id), "{}", inc[0].message);
        }
    }
}

#[test]
fn a_missing_section_is_reported() {
    let mut f = ReportFixture::new(2025, FixtureLayout::Y2021);
    f.omit_sections = vec![4];
    let facts = site_with(vec![(f, d(2026, 1, 20))]);
    let findings = check(&facts, &rules(), d(2026, 4, 10));
    let s = of(&findings, "annual_report.sections");
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(
        s[0].message.contains("存在的主要问题及改进情况"),
        "{}",
        s[0].message
    );
}

#[test]
fn a_truncated_report_is_truncated_not_inconsistent() {
    let mut f = ReportFixture::new(2025, FixtureLayout::Y2021);
    f.cut = Cut::PageEndsAfter("3.4.1");
    let facts = site_with(vec![(f, d(2026, 1, 20))]);
    let findings = check(&facts, &rules(), d(2026, 4, 10));
    assert!(
        of(&findings, "annual_report.inconsistent").is_empty(),
        "{findings:?}"
    );
    let s = of(&findings, "annual_report.sections");
    assert!(
        s.iter()
            .any(|f| f.message.contains("四、政府信息公开行政复议")),
        "{s:?}"
    );
    assert!(s
        .iter()
        .any(|f| f.evidence["truncated"] == true && f.message.contains("不完整")));
    let r = facts.pages[3].facts.annual_report.as_ref().unwrap();
    let checks = relations(r, &Params::from_rules(&rules()).unwrap().relations);
    let t31: Vec<_> = checks.iter().filter(|c| c.id == "T3-1").collect();
    assert!(t31
        .iter()
        .all(|c| matches!(&c.outcome, Outcome::NotJudged(why) if why.contains("缺少"))));
    // Rows read whole still hold.
    assert!(checks
        .iter()
        .any(|c| c.id == "T3-3" && c.outcome == Outcome::Holds));
    assert!(checks
        .iter()
        .filter(|c| c.id == "T4-1")
        .all(|c| matches!(c.outcome, Outcome::NotJudged(_))));
}

#[test]
fn a_2021_report_in_the_2019_layout_is_an_old_format() {
    let facts = site_with(vec![(
        ReportFixture::new(2025, FixtureLayout::Y2019),
        d(2026, 1, 20),
    )]);
    let findings = check(&facts, &rules(), d(2026, 4, 10));
    assert_eq!(of(&findings, "annual_report.format_version").len(), 1);
    let facts = site_with(vec![(
        ReportFixture::new(2020, FixtureLayout::Y2019),
        d(2021, 1, 20),
    )]);
    let findings = check(&facts, &rules(), d(2021, 4, 10));
    assert!(of(&findings, "annual_report.format_version").is_empty());
}

#[test]
fn no_report_before_and_after_the_deadline() {
    // A government (portal) with only the 2024 report.
    let facts = site_with(vec![(
        ReportFixture::new(2024, FixtureLayout::Y2021),
        d(2025, 1, 20),
    )]);
    let before = check(&facts, &rules(), d(2026, 3, 31));
    assert!(
        of(&before, "annual_report.missing").is_empty(),
        "{before:?}"
    );
    let after = check(&facts, &rules(), d(2026, 4, 1));
    let m = of(&after, "annual_report.missing");
    assert_eq!(m.len(), 1);
    assert!(m[0].message.contains("2025"), "{}", m[0].message);
    assert_eq!(m[0].evidence["deadline"], "2026-03-31");
    // A department: 31 January.
    let mut facts = facts;
    facts.kind = SiteKind::Department;
    assert!(of(
        &check(&facts, &rules(), d(2026, 1, 31)),
        "annual_report.missing"
    )
    .is_empty());
    assert_eq!(
        of(
            &check(&facts, &rules(), d(2026, 2, 1)),
            "annual_report.missing"
        )
        .len(),
        1
    );
}

#[test]
fn a_late_report_is_reported_with_its_date() {
    let facts = site_with(vec![(
        ReportFixture::new(2025, FixtureLayout::Y2021),
        d(2026, 4, 20),
    )]);
    let m = check(&facts, &rules(), d(2026, 5, 1));
    let m = of(&m, "annual_report.missing");
    assert_eq!(m.len(), 1);
    assert!(m[0].message.contains("逾期"), "{}", m[0].message);
    assert_eq!(m[0].evidence["days_late"], 20);
}

#[test]
fn cross_year_compares_carried_requests() {
    let last = ReportFixture::new(2024, FixtureLayout::Y2021);
    let mut this = ReportFixture::new(2025, FixtureLayout::Y2021);
    // Last year's 结转下年度 is 1 + c % 3 per column.
    this.carried_in = [1, 2, 3, 1, 2, 3];
    // Last year's 现行有效 5 and 31; this year 1 made, 0 repealed and 6 made, 2 repealed.
    this.in_force = [6, 35];
    let facts = site_with(vec![
        (this.clone(), d(2026, 1, 20)),
        (last.clone(), d(2025, 1, 20)),
    ]);
    let findings = check(&facts, &rules(), d(2026, 4, 10));
    assert!(
        of(&findings, "annual_report.cross_year").is_empty(),
        "{findings:?}"
    );
    assert!(of(&findings, "annual_report.inconsistent").is_empty());
    this.carried_in = [0, 2, 3, 1, 2, 3];
    let facts = site_with(vec![(this, d(2026, 1, 20)), (last, d(2025, 1, 20))]);
    let findings = check(&facts, &rules(), d(2026, 4, 10));
    let x = of(&findings, "annual_report.cross_year");
    assert_eq!(x.len(), 1, "{findings:?}");
    assert!(
        x[0].message.contains("X-1") && x[0].message.contains("自然人"),
        "{}",
        x[0].message
    );
}

#[test]
fn row_names_read_like_the_form() {
    assert_eq!(row_zh("3.3.1"), "三（三）1");
    assert_eq!(row_zh("4"), "四");
    assert_eq!(fmt_num(7.0), "7");
    assert_eq!(fmt_num(552.94), "552.94");
}

#[test]
fn a_news_item_naming_the_report_is_not_the_report() {
    let mut facts = site_with(vec![(
        ReportFixture::new(2025, FixtureLayout::Y2021),
        d(2026, 1, 20),
    )]);
    let title = "我县召开2025年政府信息公开工作年度报告编制工作会";
    let html = format!("<html><head><title>{title}</title></head><body><h1>{title}</h1><p>会议要求按时编制。</p></body></html>");
    let doc = scraper::Html::parse_document(&html);
    let mut news = page("http://x.gov.cn/zwdt/1.html", 2);
    news.facts.pub_date = Some(ymd(d(2026, 2, 1)));
    news.facts.annual_report = crate::extract::annual_report::read(
        &doc,
        &html,
        Some(title),
        None,
        &ReportRules::from_rules(&rules()).unwrap(),
    );
    assert_eq!(news.facts.annual_report.as_ref().unwrap().year, Some(2025));
    facts.pages.push(news);
    let findings = check(&facts, &rules(), d(2026, 4, 10));
    assert!(findings.is_empty(), "{findings:#?}");
}

/// home → 政府信息公开 (depth 1, links the 年报 column by an image) → the 年报 column (depth
/// 2: no ColumnName, the site's name as title) listing the reports of `years`, and the
/// 专栏's single pages 指南 and 制度 (depth 2: no list, not articles; not held when judged from
/// the store) naming the column in their side navigation (`../ndbg/`).
fn site_named_by_side_navigation(years: &[i32]) -> SiteFacts {
    let mut home = page("http://x.gov.cn/", 0);
    home.facts.nav = vec![nav("政府信息公开", "http://x.gov.cn/zfxxgk/")];
    let mut xxgk = page("http://x.gov.cn/zfxxgk/", 1);
    xxgk.facts.nav = vec![
        nav("政府信息公开指南", "http://x.gov.cn/zfxxgk/zn/"),
        nav("", "http://x.gov.cn/zfxxgk/ndbg/"),
    ];
    let dates: Vec<_> = years.iter().map(|y| ymd(d(*y + 1, 2, 10))).collect();
    let mut col = list("http://x.gov.cn/zfxxgk/ndbg/", 2, "", &dates);
    col.facts.column_name = None;
    col.title = Some("示例县人民政府".into());
    let mut pages = vec![home, xxgk];
    let mut articles = Vec::new();
    for (i, y) in years.iter().enumerate() {
        let url = format!("http://x.gov.cn/zfxxgk/ndbg/{}02/t{y}.html", y + 1);
        col.facts.items[i].title = format!("示例县人民政府{y}年政府信息公开工作年度报告");
        col.facts.items[i].url = Some(url.clone());
        let mut a = page(&url, 3);
        a.facts.article_title = Some(col.facts.items[i].title.clone());
        a.facts.pub_date = Some(ymd(d(*y + 1, 2, 10)));
        articles.push(a);
    }
    pages.push(col);
    for (dir, name) in [("zn", "政府信息公开指南"), ("zd", "政府信息公开制度")] {
        let mut p = page(&format!("http://x.gov.cn/zfxxgk/{dir}/"), 2);
        p.title = Some(format!("{name}_示例县人民政府"));
        p.facts.nav = vec![
            nav("政府信息公开指南", "http://x.gov.cn/zfxxgk/zn/"),
            nav("政府信息公开制度", "http://x.gov.cn/zfxxgk/zd/"),
            nav("政府信息公开年报", "http://x.gov.cn/zfxxgk/ndbg/"),
        ];
        pages.push(p);
    }
    pages.extend(articles);
    site(pages)
}

#[test]
fn the_report_column_named_only_by_the_side_navigation_of_its_neighbours() {
    // The 2025 report is due by 2026-03-31; the column lists 2023 and 2024 only.
    let facts = site_named_by_side_navigation(&[2024, 2023]);
    let m = check(&facts, &rules(), d(2026, 4, 10));
    let m = of(&m, "annual_report.missing");
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(
        m[0].message.contains("「政府信息公开年报」"),
        "{}",
        m[0].message
    );
    assert_eq!(m[0].url, "http://x.gov.cn/zfxxgk/ndbg/");
    assert_eq!(
        m[0].evidence["column"]["reports_listed"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    // Listed: nothing missing.
    let facts = site_named_by_side_navigation(&[2025, 2024]);
    assert!(of(
        &check(&facts, &rules(), d(2026, 4, 10)),
        "annual_report.missing"
    )
    .is_empty());
}

#[test]
fn a_report_column_not_read_is_named_from_the_navigation_of_every_page() {
    // The column's page answered 404; the report itself was read (late), and the column is
    // known only from the side navigation of the 专栏's single pages.
    let mut facts = site_named_by_side_navigation(&[2024]);
    for p in &mut facts.pages {
        if p.url == "http://x.gov.cn/zfxxgk/ndbg/" {
            p.status = crate::crawl::LinkStatus::HttpError { status: 404 };
        }
    }
    facts.pages.push(report_page(
        &ReportFixture::new(2025, FixtureLayout::Y2021),
        "http://x.gov.cn/zfxxgk/ndbg/202604/t2025.html",
        d(2026, 4, 20),
    ));
    let m = check(&facts, &rules(), d(2026, 5, 1));
    let m = of(&m, "annual_report.missing");
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(m[0].message.contains("逾期"), "{}", m[0].message);
    assert_eq!(m[0].evidence["column"]["name"], "政府信息公开年报");
    assert_eq!(m[0].evidence["column"]["crawled"], false);
    assert_eq!(m[0].page.as_deref(), Some("http://x.gov.cn/zfxxgk/ndbg/"));
}
