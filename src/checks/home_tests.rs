use chrono::{Days, NaiveDate};

use super::*;
use crate::checks::testutil::{assert_reduced_alike, page, site, ymd};
use crate::extract::ItemDate;

/// `home::check`, held to the same findings on the facts reduced to what `checks::reads`
/// keeps.
fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    assert_reduced_alike(facts, rules, |f| super::check(f, rules, as_of))
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

fn ago(days: u64) -> ItemDate {
    ymd(as_of().checked_sub_days(Days::new(days)).expect("date"))
}

fn home_with(dates: &[ItemDate], undated: u32) -> PageRecord {
    let mut h = page("http://x.gov.cn/", 0);
    h.facts.dates = dates.to_vec();
    h.facts.dated_items = u32::try_from(dates.len()).unwrap_or(0);
    h.facts.undated_items = undated;
    h
}

fn ids(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|x| x.rule.as_str()).collect()
}

fn run(pages: Vec<PageRecord>) -> Vec<Finding> {
    check(&site(pages), &RuleSet::embedded().expect("rules"), as_of())
}

#[test]
fn fresh_warned_and_stale_home_pages() {
    assert!(run(vec![home_with(&[ago(30), ago(1)], 0)]).is_empty());
    assert!(run(vec![home_with(&[ago(10)], 0)]).is_empty());
    assert_eq!(
        ids(&run(vec![home_with(&[ago(11)], 0)])),
        vec!["home.not_updated.warn"]
    );
    assert_eq!(
        ids(&run(vec![home_with(&[ago(14)], 0)])),
        vec!["home.not_updated.warn"]
    );
    let f = run(vec![home_with(&[ago(15), ago(40)], 3)]);
    assert_eq!(ids(&f), vec!["home.not_updated"]);
    assert_eq!(f[0].kind, crate::rules::Kind::Veto);
    assert_eq!(f[0].evidence["newest_date"], "2026-11-15");
    assert!(f[0].message.contains("2026-11-15"), "{}", f[0].message);
}

#[test]
fn undated_items_do_not_count() {
    let f = run(vec![home_with(&[], 12)]);
    assert_eq!(ids(&f), vec!["home.not_updated"]);
    assert!(f[0].message.contains("未标注日期"), "{}", f[0].message);
}

#[test]
fn month_day_dates_on_the_home_page() {
    let md = ItemDate::md(11, 28).expect("date");
    assert!(run(vec![home_with(&[md], 0)]).is_empty());
    let f = check(
        &site(vec![home_with(&[md], 0)]),
        &RuleSet::embedded().expect("rules"),
        NaiveDate::from_ymd_opt(2027, 1, 2).expect("date"),
    );
    assert_eq!(ids(&f), vec!["home.not_updated"]);
}

#[test]
fn navigation_home_pages_are_judged_by_second_level_pages() {
    let nav_home = home_with(&[], 0);
    let mut second = page("http://x.gov.cn/index.html", 1);
    second.facts.dates = vec![ago(2)];
    second.facts.dated_items = 1;
    assert!(run(vec![nav_home.clone(), second.clone()]).is_empty());
    // An article among the second-level pages counts by its PubDate.
    let mut article = page("http://x.gov.cn/a.html", 1);
    article.facts.pub_date = Some(ago(3));
    assert!(run(vec![nav_home.clone(), article]).is_empty());
    second.facts.dates = vec![ago(30)];
    let f = run(vec![nav_home.clone(), second]);
    assert_eq!(ids(&f), vec!["home.not_updated"]);
    assert!(f[0].message.contains("二级页面"), "{}", f[0].message);
    assert_eq!(f[0].page.as_deref(), Some("http://x.gov.cn/index.html"));
    // Third-level pages do not count.
    let mut third = page("http://x.gov.cn/a/b.html", 2);
    third.facts.dates = vec![ago(1)];
    third.facts.dated_items = 1;
    assert_eq!(ids(&run(vec![nav_home, third])), vec!["home.not_updated"]);
}

#[test]
fn articles_below_the_second_level_do_not_count() {
    // A navigation home page: its second-level page (held when judged from the store) is
    // stale; a fresh article one level further down (not held) does not make it fresh.
    let nav_home = home_with(&[], 0);
    let mut second = page("http://x.gov.cn/xwzx/", 1);
    second.facts.dates = vec![ago(30)];
    second.facts.dated_items = 1;
    let mut article = page("http://x.gov.cn/xwzx/202611/t20261129_1.html", 2);
    article.facts.pub_date = Some(ago(1));
    article.facts.article_title = Some("示例县召开常务会议".into());
    let f = run(vec![nav_home, second, article]);
    assert_eq!(ids(&f), vec!["home.not_updated"]);
    assert_eq!(f[0].evidence["pages_looked_at"], 1);
    assert_eq!(f[0].page.as_deref(), Some("http://x.gov.cn/xwzx/"));
}
