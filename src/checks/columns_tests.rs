use chrono::{Days, NaiveDate};

use super::*;
use crate::checks::testutil::{assert_reduced_alike, list, nav, page, site, ymd};
use crate::config::SiteLevel;
use crate::extract::ItemDate;

/// `columns::check`, held to the same findings on the facts reduced to what `checks::reads`
/// keeps.
fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    assert_reduced_alike(facts, rules, |f| super::check(f, rules, as_of))
}

/// `columns::check_xxgk`, held to the same findings on the reduced facts.
fn check_xxgk(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
    assert_reduced_alike(facts, rules, |f| super::check_xxgk(f, rules))
}

fn rules() -> RuleSet {
    RuleSet::embedded().expect("embedded rules")
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

fn ago(days: u64) -> ItemDate {
    ymd(as_of().checked_sub_days(Days::new(days)).expect("date"))
}

/// A home page linking to every page given, and the pages.
fn site_with(columns: Vec<PageRecord>) -> SiteFacts {
    let mut home = page("http://x.gov.cn/", 0);
    home.facts.dates.push(ago(1));
    home.facts.dated_items = 1;
    for c in &columns {
        let name = c.facts.column_name.clone().unwrap_or_default();
        home.facts.nav.push(nav(&name, &c.url));
    }
    let mut pages = vec![home];
    pages.extend(columns);
    site(pages)
}

fn ids(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|x| x.rule.as_str()).collect()
}

fn count(f: &[Finding], id: &str) -> usize {
    f.iter().filter(|x| x.rule == id).count()
}

fn stale_columns(n_news: usize, n_notice: usize) -> Vec<PageRecord> {
    let mut v = Vec::new();
    for i in 0..n_news {
        v.push(list(
            &format!("http://x.gov.cn/dt{i}/"),
            1,
            &format!("部门动态{i}"),
            &[ago(20), ago(40)],
        ));
    }
    for i in 0..n_notice {
        v.push(list(
            &format!("http://x.gov.cn/gg{i}/"),
            1,
            &format!("通知公告{i}"),
            &[ago(200)],
        ));
    }
    v
}

#[test]
fn four_stale_columns_are_no_veto_five_are() {
    let r = rules();
    let f = check(&site_with(stale_columns(2, 2)), &r, as_of());
    assert_eq!(count(&f, "column.stale.news"), 2, "{:?}", ids(&f));
    assert_eq!(count(&f, "column.stale.notice_policy"), 2);
    assert_eq!(count(&f, "column.stale.veto"), 0);

    let f = check(&site_with(stale_columns(3, 2)), &r, as_of());
    assert_eq!(count(&f, "column.stale.veto"), 1, "{:?}", ids(&f));
    let veto = f
        .iter()
        .find(|x| x.rule == "column.stale.veto")
        .expect("veto");
    assert_eq!(veto.kind, crate::rules::Kind::Veto);
    assert_eq!(veto.evidence["count"], 5);
    assert!(veto.message.contains("共 5 个"), "{}", veto.message);
    // Each stale column is listed with its newest date.
    let news = f
        .iter()
        .find(|x| x.rule == "column.stale.news")
        .expect("news");
    assert_eq!(news.evidence["newest_date"], "2026-11-10");
    assert_eq!(news.evidence["age_days"], 20);
    assert_eq!(news.evidence["dated_items"], 2);
    assert!(news.message.contains("2026-11-10"), "{}", news.message);
}

#[test]
fn fresh_and_unclassified_columns_are_never_stale() {
    let r = rules();
    let mut cols = vec![
        list("http://x.gov.cn/gzdt/", 1, "工作动态", &[ago(3)]),
        list("http://x.gov.cn/tzgg/", 1, "通知公告", &[ago(100)]),
        list("http://x.gov.cn/rsxx/", 2, "人事信息", &[ago(300)]),
    ];
    // No class: never stale, however old.
    cols.push(list("http://x.gov.cn/jgzn/", 1, "机构职能", &[ago(3000)]));
    let f = check(&site_with(cols), &r, as_of());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn should_update_counts_every_class() {
    let r = rules();
    let mut cols = stale_columns(3, 1);
    for i in 0..5 {
        cols.push(list(
            &format!("http://x.gov.cn/rs{i}/"),
            2,
            &format!("人事任免{i}"),
            &[ago(400)],
        ));
    }
    let f = check(&site_with(cols.clone()), &r, as_of());
    assert_eq!(count(&f, "column.stale.personnel_plan"), 5);
    assert_eq!(count(&f, "column.stale.should_update"), 0, "9 columns");
    cols.push(list("http://x.gov.cn/gh/", 2, "规划计划", &[ago(500)]));
    let f = check(&site_with(cols), &r, as_of());
    assert_eq!(count(&f, "column.stale.should_update"), 1);
    assert_eq!(
        count(&f, "column.stale.veto"),
        0,
        "only 4 news/notice columns"
    );
}

#[test]
fn policy_column_deducts_when_first_level() {
    let r = rules();
    let zcwj = list("http://x.gov.cn/zcwj/", 1, "政策文件", &[ago(200)]);
    let f = check(&site_with(vec![zcwj.clone()]), &r, as_of());
    assert_eq!(
        ids(&f),
        vec!["column.stale.notice_policy", "column.stale.policy"]
    );
    let d = f
        .iter()
        .find(|x| x.rule == "column.stale.policy")
        .expect("policy");
    assert_eq!(d.kind, crate::rules::Kind::Deduct);
    assert!((d.points - 5.0).abs() < 1e-9);
    // Not linked from the home page: neither (first-level columns only).
    let mut s = site_with(vec![]);
    s.pages.push(zcwj);
    assert!(check(&s, &r, as_of()).is_empty());
    // Fresh within 6 months: nothing.
    let fresh = list("http://x.gov.cn/zcwj/", 1, "政策文件", &[ago(150)]);
    assert!(check(&site_with(vec![fresh]), &r, as_of()).is_empty());
}

fn blank(url: &str, name: &str) -> PageRecord {
    let mut p = list(url, 1, name, &[]);
    p.facts.empty_marker = Some("暂无信息".into());
    p
}

#[test]
fn blank_columns_are_not_also_stale() {
    let r = rules();
    let f = check(
        &site_with(vec![
            blank("http://x.gov.cn/gzdt/", "工作动态"),
            blank("http://x.gov.cn/zcwj/", "政策文件"),
        ]),
        &r,
        as_of(),
    );
    assert_eq!(count(&f, "column.blank.warn"), 2, "{:?}", ids(&f));
    assert_eq!(count(&f, "column.blank"), 0);
    assert_eq!(count(&f, "column.stale.news"), 0);
    assert_eq!(count(&f, "column.stale.policy"), 0);
    assert_eq!(count(&f, "column.stale.notice_policy"), 0);

    let cols: Vec<PageRecord> = (0..5)
        .map(|i| blank(&format!("http://x.gov.cn/b{i}/"), &format!("空白栏目{i}")))
        .collect();
    let f = check(&site_with(cols), &r, as_of());
    assert_eq!(count(&f, "column.blank"), 1);
    assert_eq!(count(&f, "column.blank.warn"), 5);
    let cols: Vec<PageRecord> = (0..4)
        .map(|i| blank(&format!("http://x.gov.cn/b{i}/"), &format!("空白栏目{i}")))
        .collect();
    assert_eq!(
        count(&check(&site_with(cols), &r, as_of()), "column.blank"),
        0
    );
}

#[test]
fn undated_items_count_as_not_updated() {
    let r = rules();
    let mut p = list("http://x.gov.cn/gzdt/", 1, "工作动态", &[]);
    p.facts.items.push(ListItem {
        title: "一条没有日期的动态信息".into(),
        url: Some("http://x.gov.cn/gzdt/a.html".into()),
        date: None,
    });
    p.facts.undated_items = 1;
    let f = check(&site_with(vec![p]), &r, as_of());
    assert_eq!(ids(&f), vec!["column.stale.news"]);
    assert!(f[0].message.contains("未标注发布日期"), "{}", f[0].message);
    assert_eq!(f[0].evidence["newest_date"], Value::Null);
}

#[test]
fn pages_of_one_column_count_together() {
    let r = rules();
    let first = list("http://x.gov.cn/gzdt/", 1, "工作动态", &[ago(2)]);
    let second = list(
        "http://x.gov.cn/gzdt/index_1.html",
        2,
        "工作动态",
        &[ago(90)],
    );
    let f = check(&site_with(vec![first, second]), &r, as_of());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn month_day_dates_take_their_year_from_as_of() {
    let r = rules();
    let md = ItemDate::md(11, 20).expect("date");
    let p = list("http://x.gov.cn/gzdt/", 1, "工作动态", &[md]);
    assert!(check(&site_with(vec![p.clone()]), &r, as_of()).is_empty());
    let later = NaiveDate::from_ymd_opt(2027, 1, 10).expect("date");
    let f = check(&site_with(vec![p]), &r, later);
    assert_eq!(ids(&f), vec!["column.stale.news"]);
    assert_eq!(f[0].evidence["newest_date"], "2026-11-20");
}

#[test]
fn dates_after_as_of_do_not_count() {
    let r = rules();
    let future = ymd(NaiveDate::from_ymd_opt(2027, 5, 1).expect("date"));
    let p = list("http://x.gov.cn/gzdt/", 1, "工作动态", &[future, ago(30)]);
    let f = check(&site_with(vec![p]), &r, as_of());
    assert_eq!(ids(&f), vec!["column.stale.news"]);
    assert_eq!(f[0].evidence["newest_date"], "2026-10-31");
}

#[test]
fn channel_pages_and_articles_are_not_columns() {
    let r = rules();
    let sub = list("http://x.gov.cn/zwdt/gzdt/", 2, "工作动态", &[ago(1)]);
    let mut channel = list("http://x.gov.cn/zwdt/", 1, "政务动态", &[]);
    channel.facts.items.push(ListItem {
        title: "工作动态栏目入口链接".into(),
        url: Some(sub.url.clone()),
        date: None,
    });
    channel.facts.undated_items = 1;
    let mut article = list(
        "http://x.gov.cn/zwdt/gzdt/t1.html",
        3,
        "工作动态",
        &[ago(100)],
    );
    article.facts.pub_date = Some(ago(100));
    let f = check(&site_with(vec![channel, sub, article]), &r, as_of());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn names_come_from_anchor_text_and_configuration() {
    let r = rules();
    // No ColumnName meta: the anchor text of the home page's link names the column.
    let mut p = list("http://x.gov.cn/a/", 1, "", &[ago(30)]);
    p.facts.column_name = None;
    p.title = Some("示例县人民政府".into());
    let mut s = site_with(vec![]);
    if let Some(h) = s.pages.first_mut() {
        h.facts.nav.push(nav("今日要闻", "http://x.gov.cn/a/"));
    }
    s.home = s.pages.first().cloned();
    s.pages.push(p.clone());
    let f = check(&s, &r, as_of());
    assert_eq!(ids(&f), vec!["column.stale.news"]);
    assert!(f[0].message.contains("今日要闻"));
    // A configured name wins.
    let mut s = site_with(vec![]);
    s.pages.push(p);
    s.configured_columns
        .insert("政务要闻".into(), "http://x.gov.cn/a/".into());
    let f = check(&s, &r, as_of());
    assert_eq!(ids(&f), vec!["column.stale.news"]);
    assert_eq!(f[0].evidence["column"], "政务要闻");
    assert_eq!(f[0].evidence["configured"], true);
}

// ─── 政府信息公开 专栏 ────────────────────────────────────────────────────────────────

const ENTRIES: &[&str] = &[
    "政府信息公开指南",
    "政府信息公开制度",
    "法定主动公开内容",
    "政府信息公开年报",
];

fn all_items(r: &RuleSet, id: &str) -> Vec<String> {
    r.get(id)
        .expect("rule")
        .typed::<crate::rules::params::ColumnItemsParams>()
        .expect("typed")
        .items
        .iter()
        .filter_map(|g| g.first().cloned())
        .collect()
}

fn xxgk_site(entrance: &str, entries: &[&str], items: &[String]) -> SiteFacts {
    let mut home = page("http://x.gov.cn/", 0);
    home.facts
        .nav
        .push(nav(entrance, "http://x.gov.cn/zfxxgk/"));
    let mut zl = page("http://x.gov.cn/zfxxgk/", 1);
    for (i, e) in entries.iter().enumerate() {
        let url = if *e == "法定主动公开内容" {
            "http://x.gov.cn/zfxxgk/fdzdgk/".to_string()
        } else {
            format!("http://x.gov.cn/zfxxgk/e{i}/")
        };
        zl.facts.nav.push(nav(e, &url));
    }
    let mut fd = page("http://x.gov.cn/zfxxgk/fdzdgk/", 2);
    for (i, it) in items.iter().enumerate() {
        fd.facts
            .nav
            .push(nav(it, &format!("http://x.gov.cn/zfxxgk/fdzdgk/i{i}/")));
    }
    site(vec![home, zl, fd])
}

#[test]
fn complete_xxgk_has_no_findings() {
    let r = rules();
    let mut items = all_items(&r, "column.missing.art20");
    items.extend(all_items(&r, "column.missing.art21"));
    let f = check_xxgk(&xxgk_site("政府信息公开", ENTRIES, &items), &r);
    assert!(f.is_empty(), "{f:#?}");
    // Aliases of entries and items are accepted.
    let entries = [
        "信息公开指南",
        "政府信息公开制度",
        "法定主动公开内容",
        "政府信息公开工作年度报告",
    ];
    let items: Vec<String> = items
        .iter()
        .map(|i| i.replace("法规文件", "行政规范性文件"))
        .collect();
    let f = check_xxgk(&xxgk_site("政府信息公开", &entries, &items), &r);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn xxgk_renamed_missing_and_incomplete() {
    let r = rules();
    let mut items = all_items(&r, "column.missing.art20");
    items.extend(all_items(&r, "column.missing.art21"));
    // Renamed.
    // Renamed on the home page: one entrance finding, the entries are judged on the page.
    let f = check_xxgk(&xxgk_site("政务公开", ENTRIES, &items), &r);
    assert_eq!(ids(&f), vec!["column.xxgk.entrance"]);
    assert!(f[0].message.contains("「政务公开」"), "{}", f[0].message);
    assert_eq!(f[0].evidence["xxgk_url"], "http://x.gov.cn/zfxxgk/");
    // Absent.
    let f = check_xxgk(&xxgk_site("新闻中心", ENTRIES, &items), &r);
    assert_eq!(ids(&f), vec!["column.missing.xxgk"]);
    assert!(f[0].message.contains("未找到"), "{}", f[0].message);
    // An entry missing.
    let f = check_xxgk(&xxgk_site("政府信息公开", &ENTRIES[..3], &items), &r);
    assert_eq!(ids(&f), vec!["column.missing.xxgk"]);
    assert!(
        f[0].message.contains("政府信息公开年报"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].evidence["missing"], "政府信息公开年报");
    // A sub-column missing: a notice naming it; art. 21 only for city and county sites.
    let without: Vec<String> = items
        .iter()
        .filter(|i| *i != "财政预决算" && *i != "社会救助")
        .cloned()
        .collect();
    let f = check_xxgk(&xxgk_site("政府信息公开", ENTRIES, &without), &r);
    assert_eq!(
        ids(&f),
        vec!["column.missing.art20", "column.missing.art21"]
    );
    assert!(f[0].message.contains("财政预决算"));
    assert_eq!(f[0].kind, crate::rules::Kind::Notice);
    let mut s = xxgk_site("政府信息公开", ENTRIES, &without);
    s.level = SiteLevel::Province;
    assert_eq!(ids(&check_xxgk(&s, &r)), vec!["column.missing.art20"]);
}

#[test]
fn configured_xxgk_overrides_discovery() {
    let r = rules();
    let mut items = all_items(&r, "column.missing.art20");
    items.extend(all_items(&r, "column.missing.art21"));
    let mut s = xxgk_site("网站首页", ENTRIES, &items);
    s.configured_columns
        .insert("政府信息公开".into(), "http://x.gov.cn/zfxxgk/".into());
    assert!(check_xxgk(&s, &r).is_empty());
}

#[test]
fn a_single_blank_column_is_listed() {
    let f = check(
        &site_with(vec![blank("http://x.gov.cn/gzdt/", "工作动态")]),
        &rules(),
        as_of(),
    );
    assert_eq!(ids(&f), vec!["column.blank.warn"]);
    assert_eq!(f[0].kind, crate::rules::Kind::Notice);
    assert!(f[0].message.contains("工作动态"));
}

/// home → 政务公开 (/zwgk/) → 政府信息公开专栏 (/zwgk/zfxxgkzl/) with its entries and the
/// 法定主动公开内容 page.
fn xxgk_one_level_down(
    home_name: &str,
    zl_name: &str,
    entries: &[&str],
    items: &[String],
) -> SiteFacts {
    let mut home = page("http://x.gov.cn/", 0);
    home.facts.nav.push(nav(home_name, "http://x.gov.cn/zwgk/"));
    home.facts
        .nav
        .push(nav("新闻中心", "http://x.gov.cn/xwzx/"));
    let mut zwgk = page("http://x.gov.cn/zwgk/", 1);
    zwgk.facts.nav.push(nav("首页", "http://x.gov.cn/"));
    zwgk.facts.nav.push(nav(home_name, "http://x.gov.cn/zwgk/"));
    zwgk.facts
        .nav
        .push(nav(zl_name, "http://x.gov.cn/zwgk/zfxxgkzl/"));
    zwgk.facts
        .nav
        .push(nav("政策解读", "http://x.gov.cn/zwgk/zcjd/"));
    let mut zl = page("http://x.gov.cn/zwgk/zfxxgkzl/", 2);
    for (i, e) in entries.iter().enumerate() {
        let url = if *e == "法定主动公开内容" {
            "http://x.gov.cn/zwgk/zfxxgkzl/fdzdgknr/".to_string()
        } else {
            format!("http://x.gov.cn/zwgk/zfxxgkzl/e{i}/")
        };
        zl.facts.nav.push(nav(e, &url));
    }
    let mut fd = page("http://x.gov.cn/zwgk/zfxxgkzl/fdzdgknr/", 3);
    for (i, it) in items.iter().enumerate() {
        fd.facts.nav.push(nav(
            it,
            &format!("./i{i}/").replace("./", "http://x.gov.cn/zwgk/zfxxgkzl/fdzdgknr/"),
        ));
    }
    site(vec![home, zwgk, zl, fd])
}

#[test]
fn xxgk_one_level_down_is_one_entrance_finding_and_its_subcolumns_are_judged() {
    let r = rules();
    let mut items = all_items(&r, "column.missing.art20");
    items.extend(all_items(&r, "column.missing.art21"));
    let f = check_xxgk(
        &xxgk_one_level_down("政务公开", "政府信息公开专栏", ENTRIES, &items),
        &r,
    );
    assert_eq!(ids(&f), vec!["column.xxgk.entrance"], "{f:#?}");
    assert!(f[0].message.contains("首页未直接链接"), "{}", f[0].message);
    assert!(f[0].message.contains("「政务公开」"), "{}", f[0].message);
    assert_eq!(f[0].evidence["xxgk_url"], "http://x.gov.cn/zwgk/zfxxgkzl/");
    assert_eq!(f[0].evidence["via"]["url"], "http://x.gov.cn/zwgk/");
    assert_eq!(f[0].evidence["link_levels"], 2);
    assert_eq!(f[0].evidence["problems"].as_array().map(Vec::len), Some(1));
    // True missing sub-columns are found on the 专栏's 法定主动公开内容 page.
    let without: Vec<String> = items
        .iter()
        .filter(|i| *i != "政府采购" && *i != "土地征收")
        .cloned()
        .collect();
    let f = check_xxgk(
        &xxgk_one_level_down("政务公开", "政府信息公开", ENTRIES, &without),
        &r,
    );
    assert_eq!(
        ids(&f),
        vec![
            "column.xxgk.entrance",
            "column.missing.art20",
            "column.missing.art21"
        ],
        "{f:#?}"
    );
    assert!(f[1].message.contains("政府采购"));
    assert!(f[2].message.contains("土地征收"));
    assert_eq!(f[1].url, "http://x.gov.cn/zwgk/zfxxgkzl/fdzdgknr/");
    // A true missing entry is found on the 专栏 page, not four of them.
    let f = check_xxgk(
        &xxgk_one_level_down("政务公开", "政府信息公开", &ENTRIES[1..], &items),
        &r,
    );
    assert_eq!(
        ids(&f),
        vec!["column.xxgk.entrance", "column.missing.xxgk"],
        "{f:#?}"
    );
    assert_eq!(f[1].evidence["missing"], "政府信息公开指南");
    assert_eq!(f[1].evidence["xxgk_url"], "http://x.gov.cn/zwgk/zfxxgkzl/");
    // Reached one level down and renamed there: still one entrance finding, naming both.
    let f = check_xxgk(
        &xxgk_one_level_down("政务公开", "信息公开目录", ENTRIES, &items),
        &r,
    );
    assert_eq!(ids(&f), vec!["column.xxgk.entrance"], "{f:#?}");
    assert_eq!(f[0].evidence["problems"].as_array().map(Vec::len), Some(2));
    // The home page links the 专栏 directly under its uniform name: nothing to report.
    let mut s = xxgk_one_level_down("政务公开", "政府信息公开", ENTRIES, &items);
    s.home
        .as_mut()
        .expect("home")
        .facts
        .nav
        .push(nav("政府信息公开", "http://x.gov.cn/zwgk/zfxxgkzl/"));
    s.pages[0] = s.home.clone().expect("home");
    let f = check_xxgk(&s, &r);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn xxgk_found_by_its_heading_when_linked_by_an_image() {
    let r = rules();
    let mut items = all_items(&r, "column.missing.art20");
    items.extend(all_items(&r, "column.missing.art21"));
    let mut s = xxgk_one_level_down("政务公开", "", ENTRIES, &items);
    for p in &mut s.pages {
        if p.url == "http://x.gov.cn/zwgk/zfxxgkzl/" {
            p.title = Some("政府信息公开专栏_示例县人民政府".into());
        }
    }
    let f = check_xxgk(&s, &r);
    assert_eq!(ids(&f), vec!["column.xxgk.entrance"], "{f:#?}");
    assert_eq!(f[0].evidence["xxgk_url"], "http://x.gov.cn/zwgk/zfxxgkzl/");
    assert_eq!(f[0].evidence["found_by"], "页面标题");
    // Nothing named like the 专栏 anywhere: one "not found" finding, no entries.
    let s = xxgk_one_level_down("政务动态", "专题专栏", ENTRIES, &items);
    let f = check_xxgk(&s, &r);
    assert_eq!(ids(&f), vec!["column.missing.xxgk"], "{f:#?}");
    assert!(f[0].message.contains("未找到"), "{}", f[0].message);
}

/// The embedded rule files, with `change(file, text)` applied.
fn rules_with(change: impl Fn(&str, &str) -> String) -> RuleSet {
    let sources = crate::rules::EMBEDDED
        .iter()
        .map(|(name, text)| (name.to_string(), change(name, text)))
        .collect();
    RuleSet::from_sources(sources).expect("changed rules")
}

#[test]
fn the_veto_message_takes_its_windows_from_the_counted_rules() {
    let f = check(&site_with(stale_columns(3, 2)), &rules(), as_of());
    let veto = f
        .iter()
        .find(|x| x.rule == "column.stale.veto")
        .expect("veto");
    assert!(
        veto.message
            .contains("动态要闻类栏目2周内、通知公告、政策文件类栏目6个月内未更新"),
        "{}",
        veto.message
    );
    // Three weeks for news instead of two: the message says so.
    let r = rules_with(|name, text| {
        if name == "columns.toml" {
            let at = text.find("id = \"column.stale.news\"").expect("news rule");
            let (head, tail) = text.split_at(at);
            format!(
                "{head}{}",
                tail.replacen("window_days = 14", "window_days = 10", 1)
            )
        } else {
            text.to_string()
        }
    });
    let f = check(&site_with(stale_columns(3, 2)), &r, as_of());
    let veto = f
        .iter()
        .find(|x| x.rule == "column.stale.veto")
        .expect("veto");
    assert!(
        veto.message.contains("动态要闻类栏目10天内"),
        "{}",
        veto.message
    );
}

#[test]
fn windows_in_words() {
    assert_eq!(days_zh(14), "2周");
    assert_eq!(days_zh(21), "3周");
    assert_eq!(days_zh(183), "6个月");
    assert_eq!(days_zh(90), "3个月");
    assert_eq!(days_zh(365), "1年");
    assert_eq!(days_zh(10), "10天");
}

// ─── Pages the judgement does not hold (`checks::reads`) ─────────────────────────────────

#[test]
fn a_column_named_only_by_the_side_navigation_of_its_sections_pages() {
    let r = rules();
    let mut home = page("http://x.gov.cn/", 0);
    home.facts.dates.push(ago(1));
    home.facts.dated_items = 1;
    home.facts
        .nav
        .push(nav("新闻中心", "http://x.gov.cn/xwzx/"));
    // The section links its lists by images (no text).
    let mut xwzx = page("http://x.gov.cn/xwzx/", 1);
    xwzx.facts.nav.push(nav("", "http://x.gov.cn/xwzx/jryw/"));
    xwzx.facts.nav.push(nav("", "http://x.gov.cn/xwzx/ldhd/"));
    // The list: no ColumnName, the site's name as its title.
    let mut jryw = list("http://x.gov.cn/xwzx/jryw/", 2, "", &[ago(40), ago(60)]);
    jryw.facts.column_name = None;
    jryw.title = Some("示例县人民政府".into());
    let mut pages = vec![home, xwzx, jryw];
    // The section's single pages (领导之窗: no list, not articles; not held when judged from
    // the store) name it in their side navigation (`../jryw/`).
    for (i, name) in ["县长", "副县长", "县政府党组成员"].iter().enumerate() {
        let mut p = page(&format!("http://x.gov.cn/xwzx/ldhd/ld{i}/"), 3);
        p.title = Some(format!("{name}_领导之窗_示例县人民政府"));
        p.facts
            .nav
            .push(nav("今日要闻", "http://x.gov.cn/xwzx/jryw/"));
        p.facts
            .nav
            .push(nav("领导之窗", "http://x.gov.cn/xwzx/ldhd/"));
        pages.push(p);
    }
    let f = check(&site(pages), &r, as_of());
    assert_eq!(ids(&f), vec!["column.stale.news"], "{f:#?}");
    assert_eq!(f[0].evidence["column"], "今日要闻");
    assert_eq!(f[0].evidence["url"], "http://x.gov.cn/xwzx/jryw/");
}

#[test]
fn a_channel_whose_sections_show_only_a_side_navigation_is_not_a_column() {
    let r = rules();
    // A channel page (table layout, undated entries) leading to two sections that show only
    // their side navigation (their lists are written by script): the sections are not held
    // when judged from the store and are looked up.
    let mut channel = list("http://x.gov.cn/zwgk/rsxx/", 1, "人事信息", &[]);
    let mut sections = Vec::new();
    for (i, (name, dir)) in [("人事任免", "rsrm"), ("招考录用", "zkly")]
        .iter()
        .enumerate()
    {
        let url = format!("http://x.gov.cn/zwgk/rsxx/{dir}/");
        channel.facts.items.push(ListItem {
            title: (*name).into(),
            url: Some(url.clone()),
            date: None,
        });
        let mut s = page(&url, 2);
        s.title = Some(format!("{name}_示例县人民政府"));
        s.facts
            .nav
            .push(nav("人事信息", "http://x.gov.cn/zwgk/rsxx/"));
        s.facts.nav.push(nav(name, &url));
        s.facts.nav.push(nav(
            ["招考录用", "人事任免"][i],
            &format!("http://x.gov.cn/zwgk/rsxx/{}/", ["zkly", "rsrm"][i]),
        ));
        sections.push(s);
    }
    channel.facts.undated_items = 2;
    let mut cols = vec![channel.clone()];
    cols.extend(sections);
    let f = check(&site_with(cols), &r, as_of());
    assert!(f.is_empty(), "{f:#?}");
    // Without the sections read, the same page is a column whose entries are undated.
    let f = check(&site_with(vec![channel]), &r, as_of());
    assert_eq!(ids(&f), vec!["column.stale.personnel_plan"], "{f:#?}");
}

#[test]
fn xxgk_subcolumns_named_on_the_pages_below_the_fdzdgk_page() {
    let r = rules();
    let mut items = all_items(&r, "column.missing.art20");
    items.extend(all_items(&r, "column.missing.art21"));
    // The 法定主动公开内容 page (depth 3) links one page per group (depth 4, not held when
    // judged from the store); the sub-columns are named in those pages' side navigation.
    let (first, rest) = items.split_at(items.len() / 2);
    let mut s = xxgk_one_level_down("政务公开", "政府信息公开", ENTRIES, &[]);
    let fd_url = "http://x.gov.cn/zwgk/zfxxgkzl/fdzdgknr/";
    for (g, group) in [first, rest].iter().enumerate() {
        let url = format!("{fd_url}g{g}/");
        if let Some(fd) = s.pages.iter_mut().find(|p| p.url == fd_url) {
            fd.facts.nav.push(nav(&format!("第{}组", g + 1), &url));
        }
        let mut p = page(&url, 4);
        p.title = Some("法定主动公开内容_示例县人民政府".into());
        for (i, it) in group.iter().enumerate() {
            p.facts.nav.push(nav(it, &format!("{url}i{i}/")));
        }
        s.pages.push(p);
    }
    // Reached one level down: the entrance finding only.
    let f = check_xxgk(&s, &r);
    assert_eq!(ids(&f), vec!["column.xxgk.entrance"], "{f:#?}");
    // One group's page not read: its sub-columns are missing.
    s.pages.retain(|p| !p.url.ends_with("/g1/"));
    let f = check_xxgk(&s, &r);
    assert_eq!(f.len(), 1 + rest.len(), "{f:#?}");
    assert_eq!(f[0].rule, "column.xxgk.entrance");
    for (x, name) in f[1..].iter().zip(rest) {
        assert!(x.rule.starts_with("column.missing.art2"), "{x:#?}");
        assert!(x.message.contains(name.as_str()), "{}", x.message);
    }
}
