//! `site_annual_table.missing`: the 政府网站工作年度报表 of the last year whose deadline has
//! passed (by 31 January of the following year, 国办函〔2018〕12号) is not published, or was
//! published late.
//!
//! The table is looked for where sites publish it: a link on the home page (a banner, a 专题
//! entry, a footer link), an item of a list page (政务公开 / 通知公告 / 年度报表 columns) or the
//! page itself, among the pages the crawl read. A link or item is the table when its text
//! matches one of the rule's `title_patterns`; its year is the four-digit year in the text
//! (`2025年度…`, `…（2025年）`), else the year in the title of the page it leads to, if that
//! page was read. A finding says how many pages were looked at: the table may sit deeper than
//! the crawl went, so the absence is only stated of the pages inspected.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use serde_json::json;

use super::{finding, Finding};
use crate::crawl::{PageRecord, SiteFacts};
use crate::rules::params::SiteAnnualTableParams;
use crate::rules::RuleSet;

static YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(20\d{2})\s*年?").unwrap_or_else(|_| unreachable!("constant regex"))
});

/// One place the table (of some year) shows up.
#[derive(Debug, Clone)]
struct Seen {
    year: Option<i32>,
    text: String,
    /// The table's own address (the link's target or the page).
    url: String,
    /// The page it was seen on.
    on: String,
    on_home: bool,
    date: Option<NaiveDate>,
}

fn year_in(text: &str) -> Option<i32> {
    YEAR.captures(text)?.get(1)?.as_str().parse().ok()
}

fn matches(p: &SiteAnnualTableParams, text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    !t.is_empty() && p.title_patterns.iter().any(|r| r.is_match(&t))
}

/// Whether a page shows the table in its title or its list items (such pages are kept for
/// this check: `checks::reads`).
pub(crate) fn shows_table(p: &SiteAnnualTableParams, pg: &PageRecord) -> bool {
    let title = pg.facts.article_title.as_deref().or(pg.title.as_deref());
    title.is_some_and(|t| matches(p, t)) || pg.facts.items.iter().any(|i| matches(p, &i.title))
}

/// Every place the crawled pages show a 政府网站工作年度报表: the navigation links of every
/// page (each link once, seen on the first page showing it), and the list items and titles of
/// the pages that show it.
fn seen(facts: &SiteFacts, p: &SiteAnnualTableParams, as_of: NaiveDate) -> Vec<Seen> {
    let home = facts.home.as_ref();
    let home_urls: Vec<&str> = home
        .iter()
        .flat_map(|h| [h.url.as_str(), h.final_url.as_str()])
        .collect();
    let title_of = |url: &str| {
        facts
            .page(url)
            .filter(|pg| pg.status.is_ok())
            .and_then(|pg| pg.facts.article_title.clone().or_else(|| pg.title.clone()))
    };
    let mut out = Vec::new();
    let mut push = |text: &str, url: &str, on: &str, on_home: bool, date: Option<NaiveDate>| {
        let year = year_in(text).or_else(|| title_of(url).as_deref().and_then(year_in));
        out.push(Seen {
            year,
            text: text.trim().chars().take(80).collect(),
            url: url.to_string(),
            on: on.to_string(),
            on_home,
            date,
        });
    };
    for e in facts
        .nav_summary()
        .entries
        .iter()
        .filter(|e| matches(p, &e.text))
    {
        let on_home = home.is_some_and(|h| {
            h.status.is_ok()
                && h.facts
                    .nav
                    .iter()
                    .any(|n| n.url == e.url && n.text == e.text)
        });
        push(&e.text, &e.url, &e.first_page, on_home, None);
    }
    for pg in facts
        .pages
        .iter()
        .filter(|pg| pg.status.is_ok() && shows_table(p, pg))
    {
        let on_home = home_urls.contains(&pg.url.as_str());
        let mut push = |text: &str, url: &str, date: Option<NaiveDate>| {
            push(text, url, &pg.url, on_home, date);
        };
        for it in pg.facts.items.iter().filter(|i| matches(p, &i.title)) {
            let url = it.url.clone().unwrap_or_else(|| pg.url.clone());
            push(&it.title, &url, it.date.and_then(|d| d.resolve(as_of)));
        }
        let title = pg.facts.article_title.as_deref().or(pg.title.as_deref());
        if let Some(t) = title.filter(|t| matches(p, t)) {
            let date = pg.facts.pub_date.and_then(|d| d.resolve(as_of));
            push(t, &pg.url, date);
        }
    }
    out
}

/// The `site_annual_table.missing` finding of a site, as of `as_of`.
pub fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    let Some((rule, p)) = rules.enabled_typed::<SiteAnnualTableParams>(
        "site_annual_table.missing",
        facts.level,
        facts.kind,
    ) else {
        return Vec::new();
    };
    let Some(home) = facts.home.as_ref().filter(|h| h.status.is_ok()) else {
        return Vec::new();
    };
    let deadline_of = |y: i32| NaiveDate::from_ymd_opt(y + 1, p.deadline.month, p.deadline.day);
    // The table due: the last year whose deadline has passed.
    let year = match deadline_of(as_of.year() - 1) {
        Some(d) if as_of > d => as_of.year() - 1,
        _ => as_of.year() - 2,
    };
    let Some(deadline) = deadline_of(year) else {
        return Vec::new();
    };
    let all = seen(facts, p, as_of);
    // Every page read, whether the facts hold it or not.
    let pages = facts.stats.pages;
    let listed = |v: &[&Seen]| {
        v.iter()
            .take(10)
            .map(|s| {
                json!({"year": s.year, "text": s.text, "url": s.url, "on": s.on,
                       "on_home": s.on_home, "date": s.date.map(|d| d.to_string())})
            })
            .collect::<Vec<_>>()
    };
    let due: Vec<&Seen> = all.iter().filter(|s| s.year == Some(year)).collect();
    if due.is_empty() {
        let yearless: Vec<&Seen> = all.iter().filter(|s| s.year.is_none()).collect();
        let others: Vec<&Seen> = all.iter().filter(|s| s.year.is_some()).collect();
        let mut message = format!(
            "未发现{year}年度政府网站工作年度报表：应于{deadline}前在网站首页公开，已检查的 {pages} 个页面中没有该年度报表"
        );
        if !yearless.is_empty() {
            message.push_str(&format!(
                "（发现未标明年度的报表链接「{}」，需人工确认）",
                yearless[0].text
            ));
        }
        return vec![finding(
            rule,
            &facts.url,
            Some(&home.url),
            json!({
                "year": year,
                "deadline": deadline.to_string(),
                "pages_looked_at": pages,
                "other_years": listed(&others),
                "without_year": listed(&yearless),
                "needs_confirmation": !yearless.is_empty(),
            }),
            message,
        )];
    }
    // Published: late when every date it shows is after the deadline.
    let first = due.iter().filter_map(|s| s.date).min();
    match first {
        Some(d) if d > deadline => {
            let at = due.iter().find(|s| s.date == Some(d)).unwrap_or(&due[0]);
            vec![finding(
                rule,
                &at.url,
                Some(&at.on),
                json!({
                    "year": year,
                    "deadline": deadline.to_string(),
                    "published": d.to_string(),
                    "days_late": (d - deadline).num_days(),
                    "seen": listed(&due),
                }),
                format!("{year}年度政府网站工作年度报表逾期公开：发布于{d}，规定期限为{deadline}"),
            )]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil::{assert_reduced_alike, list, nav, page, site, ymd};

    fn rules() -> RuleSet {
        RuleSet::embedded().expect("rules")
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    /// The finding of the site of these pages (its crawl counted them), held to the same on
    /// the facts reduced to what `checks::reads` keeps.
    fn run(pages: Vec<crate::crawl::PageRecord>, as_of: NaiveDate) -> Vec<Finding> {
        let mut facts = site(pages);
        facts.stats.pages = facts.pages.iter().filter(|p| p.status.is_ok()).count();
        let rules = rules();
        assert_reduced_alike(&facts, &rules, |f| check(f, &rules, as_of))
    }

    #[test]
    fn a_banner_link_on_the_home_page_with_its_year_is_the_table() {
        let mut home = page("http://x.gov.cn/", 0);
        home.facts.nav = vec![nav(
            "2025年度 政府网站工作年度报表",
            "http://x.gov.cn/bb/2025.html",
        )];
        assert!(run(vec![home], d(2026, 11, 30)).is_empty());
    }

    #[test]
    fn only_other_years_is_a_finding_that_names_them() {
        let mut home = page("http://x.gov.cn/", 0);
        home.facts.nav = vec![nav("专题专栏", "http://x.gov.cn/ztzl/")];
        let mut col = list(
            "http://x.gov.cn/zwgk/ndbb/",
            1,
            "年度报表",
            &[ymd(d(2025, 1, 20))],
        );
        col.facts.items[0].title = "2024年度政府网站工作年度报表".into();
        let f = run(vec![home, col], d(2026, 11, 30));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["year"], 2025);
        assert_eq!(f[0].evidence["deadline"], "2026-01-31");
        assert_eq!(f[0].evidence["other_years"][0]["year"], 2024);
        assert!(!f[0].needs_confirmation());
        assert!(f[0].message.contains("2025年度"), "{}", f[0].message);
    }

    #[test]
    fn before_the_deadline_the_year_before_is_due() {
        let mut home = page("http://x.gov.cn/", 0);
        home.facts.nav = vec![nav("2024年度政府网站工作年度报表", "http://x.gov.cn/bb/")];
        assert!(run(vec![home.clone()], d(2026, 1, 20)).is_empty());
        assert_eq!(run(vec![home], d(2026, 2, 1)).len(), 1);
    }

    #[test]
    fn a_yearless_link_takes_the_year_of_the_page_it_leads_to() {
        let mut home = page("http://x.gov.cn/", 0);
        home.facts.nav = vec![nav("政府网站年度报表", "http://x.gov.cn/bb/")];
        let mut table = page("http://x.gov.cn/bb/", 1);
        table.title = Some("示例县人民政府网站2025年度政府网站工作年度报表".into());
        assert!(run(vec![home.clone(), table], d(2026, 11, 30)).is_empty());
        // Its page not read: the absence needs a person's eye.
        let f = run(vec![home], d(2026, 11, 30));
        assert_eq!(f.len(), 1);
        assert!(f[0].needs_confirmation());
        assert!(f[0].message.contains("需人工确认"));
    }

    #[test]
    fn a_table_dated_after_the_deadline_is_late() {
        let home = page("http://x.gov.cn/", 0);
        let mut col = list(
            "http://x.gov.cn/zwgk/tzgg/",
            1,
            "通知公告",
            &[ymd(d(2026, 3, 2))],
        );
        col.facts.items[0].title = "关于公开2025年度政府网站工作年度报表的通知".into();
        let f = run(vec![home.clone(), col.clone()], d(2026, 11, 30));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["published"], "2026-03-02");
        assert_eq!(f[0].evidence["days_late"], 30);
        col.facts.items[0].date = Some(ymd(d(2026, 1, 15)));
        assert!(run(vec![home, col], d(2026, 11, 30)).is_empty());
    }

    /// home → 政务公开 (depth 1) → 通知公告 (depth 2, table layout) → the table's own page
    /// (depth 3, an article: not held when judged from the store).
    fn deep_table(published: NaiveDate) -> Vec<crate::crawl::PageRecord> {
        let mut home = page("http://x.gov.cn/", 0);
        home.facts.nav = vec![nav("政务公开", "http://x.gov.cn/zwgk/")];
        let mut zwgk = page("http://x.gov.cn/zwgk/", 1);
        zwgk.facts.nav = vec![nav("通知公告", "http://x.gov.cn/zwgk/tzgg/")];
        let mut tzgg = list(
            "http://x.gov.cn/zwgk/tzgg/",
            2,
            "通知公告",
            &[ymd(d(2026, 1, 22)), ymd(d(2026, 1, 8))],
        );
        tzgg.facts.items[0].title = "关于春节期间值班安排的通知".into();
        tzgg.facts.items[1].title = "示例县人民政府网站年度工作情况".into();
        let url = "http://x.gov.cn/zwgk/tzgg/202601/t20260108_1.html";
        tzgg.facts.items[1].url = Some(url.into());
        let mut table = page(url, 3);
        table.title = Some("示例县人民政府网站_示例县人民政府".into());
        table.facts.article_title = Some("2025年度政府网站工作年度报表".into());
        table.facts.pub_date = Some(ymd(published));
        vec![home, zwgk, tzgg, table]
    }

    #[test]
    fn the_table_page_itself_deep_in_a_column_counts() {
        assert!(run(deep_table(d(2026, 1, 8)), d(2026, 11, 30)).is_empty());
        let f = run(deep_table(d(2026, 2, 3)), d(2026, 11, 30));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["published"], "2026-02-03");
        assert_eq!(f[0].evidence["days_late"], 3);
        assert_eq!(
            f[0].url,
            "http://x.gov.cn/zwgk/tzgg/202601/t20260108_1.html"
        );
        // Without its page read, nothing shows the table.
        let mut pages = deep_table(d(2026, 1, 8));
        pages.pop();
        let f = run(pages, d(2026, 11, 30));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["pages_looked_at"], 3);
        assert!(
            f[0].message.contains("已检查的 3 个页面"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn a_footer_link_on_every_inner_page_is_seen_once() {
        // A GBK table site whose inner template's footer, on every single page of 领导之窗
        // (depth 3, no list: not held when judged from the store) but not on the home page,
        // links last year's table.
        let mut home = page("http://x.gov.cn/", 0);
        home.facts.nav = vec![nav("领导之窗", "http://x.gov.cn/ldzc/")];
        home.charset = Some("GBK".into());
        let mut pages = vec![home];
        for i in 0..4 {
            let mut p = page(&format!("http://x.gov.cn/ldzc/xz/ld{i}/"), 3);
            p.charset = Some("GBK".into());
            p.title = Some(format!("领导{i}_领导之窗_示例县人民政府"));
            p.facts.nav = vec![
                nav("网站首页", "http://x.gov.cn/"),
                nav(
                    "2024年度 政府网站工作年度报表",
                    "http://x.gov.cn/bb/2024.html",
                ),
            ];
            pages.push(p);
        }
        let f = run(pages, d(2026, 11, 30));
        assert_eq!(f.len(), 1);
        let others = f[0].evidence["other_years"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(others.len(), 1, "{others:#?}");
        assert_eq!(others[0]["year"], 2024);
        assert_eq!(others[0]["on"], "http://x.gov.cn/ldzc/xz/ld0/");
        assert_eq!(others[0]["on_home"], false);
        assert_eq!(f[0].evidence["pages_looked_at"], 5);
    }

    #[test]
    fn a_site_whose_home_page_was_not_read_is_not_judged() {
        let mut home = page("http://x.gov.cn/", 0);
        home.status = crate::crawl::LinkStatus::HttpError { status: 500 };
        assert!(run(vec![home], d(2026, 11, 30)).is_empty());
    }
}
