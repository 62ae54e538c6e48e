use super::*;
use crate::config::Platform;
use crate::crawl::FetchOutcome;
use crate::extract::feeds::{FeedEntry, FeedFacts};

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

const AS_OF: &str = "2026-11-30T10:00:00+08:00";

fn entry(title: &str, date: Option<&str>, link: &str) -> FeedEntry {
    FeedEntry {
        title: title.into(),
        link: Some(link.into()),
        date: date.map(at),
        summary: String::new(),
    }
}

fn account(entries: Vec<FeedEntry>) -> AccountFacts {
    let undated = entries.iter().filter(|e| e.date.is_none()).count();
    AccountFacts {
        site: "某县人民政府".into(),
        platform: Platform::WeChat,
        name: "某县发布".into(),
        unit: "县委宣传部".into(),
        feed_url: "http://rss.example.gov.cn/wx.xml".into(),
        discovered: false,
        found_on: None,
        status: LinkStatus::Ok { status: 200 },
        parse_error: None,
        feed: Some(FeedFacts {
            format: "RSS 2.0".into(),
            encoding: "UTF-8".into(),
            title: None,
            total: entries.len(),
            undated,
            entries,
        }),
        links: Vec::new(),
        failures_before: 0,
    }
}

fn judge(a: &AccountFacts) -> AccountJudgement {
    let rules = RuleSet::embedded().unwrap();
    judge_account(a, &rules, at(AS_OF), None)
}

fn rules_of(j: &AccountJudgement) -> Vec<&str> {
    j.findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn a_fresh_account_passes() {
    let j = judge(&account(vec![entry(
        "动态",
        Some("2026-11-29T09:00:00+08:00"),
        "http://a/1",
    )]));
    assert_eq!(j.verdict, Verdict::Pass);
    assert!(j.findings.is_empty(), "{:?}", j.findings);
    assert_eq!(j.activity.unwrap().posts, vec![(7, 1), (14, 1), (90, 1)]);
}

#[test]
fn no_post_within_a_week_is_late_within_two_weeks_a_veto_within_three_months_dormant() {
    let late = judge(&account(vec![entry(
        "动态",
        Some("2026-11-21T09:00:00+08:00"),
        "http://a/1",
    )]));
    assert_eq!(rules_of(&late), vec!["feed.late"]);
    assert_eq!(late.verdict, Verdict::Pass);
    let stale = judge(&account(vec![entry(
        "动态",
        Some("2026-11-10T09:00:00+08:00"),
        "http://a/1",
    )]));
    assert_eq!(rules_of(&stale), vec!["feed.stale"]);
    assert_eq!(stale.verdict, Verdict::Fail);
    assert!(!stale.dormant);
    let zombie = judge(&account(vec![entry(
        "动态",
        Some("2026-07-01T09:00:00+08:00"),
        "http://a/1",
    )]));
    assert_eq!(rules_of(&zombie), vec!["feed.stale", "feed.zombie"]);
    assert!(zombie.dormant);
    assert!(zombie.findings[0].message.contains("2026-07-01"));
    // An empty feed never posted.
    let empty = judge(&account(Vec::new()));
    assert_eq!(empty.verdict, Verdict::Fail);
    // A post dated after the as-of time is no evidence of activity at it.
    let future = judge(&account(vec![entry(
        "预告",
        Some("2026-12-20T09:00:00+08:00"),
        "http://a/1",
    )]));
    assert_eq!(future.verdict, Verdict::Fail);
}

#[test]
fn an_unreadable_feed_is_broken_and_not_judged_repeated_failures_said_so() {
    let mut a = account(Vec::new());
    a.feed = None;
    a.status = LinkStatus::HttpError { status: 404 };
    let j = judge(&a);
    assert_eq!(j.verdict, Verdict::NotInspected);
    assert_eq!(rules_of(&j), vec!["feed.broken"]);
    assert!(j.findings[0].message.contains("HTTP 404"));
    assert!(!j.findings[0].message.contains("连续"));
    a.failures_before = 2;
    let j = judge(&a);
    assert!(
        j.findings[0].message.contains("已连续3次读取失败"),
        "{}",
        j.findings[0].message
    );
    assert_eq!(j.findings[0].evidence["repeated"], true);
    // Malformed: fetched, not a feed.
    a.status = LinkStatus::Ok { status: 200 };
    a.parse_error = Some("bad xml".into());
    assert!(judge(&a).findings[0].message.contains("无法解析"));
    // Blocked is not broken.
    a.status = LinkStatus::Blocked {
        status: Some(429),
        reason: "请求过多".into(),
    };
    let j = judge(&a);
    assert_eq!(j.verdict, Verdict::Blocked);
    assert!(j.findings.is_empty());
}

#[test]
fn undated_entries_are_reported_all_undated_is_not_judged() {
    let j = judge(&account(vec![
        entry("动态", Some("2026-11-29T09:00:00+08:00"), "http://a/1"),
        entry("无日期", None, "http://a/2"),
    ]));
    assert_eq!(rules_of(&j), vec!["feed.broken"]);
    assert_eq!(j.verdict, Verdict::Pass);
    let j = judge(&account(vec![entry("无日期", None, "http://a/2")]));
    assert_eq!(j.verdict, Verdict::NotInspected);
}

#[test]
fn wording_and_broken_links_in_entries() {
    let rules = RuleSet::embedded().unwrap();
    let fr = crate::extract::facts::FactRules::from_rules(&rules);
    let mut a = account(vec![
        entry(
            "学习中华人民共合国宪法",
            Some("2026-11-29T09:00:00+08:00"),
            "http://a.gov.cn/1",
        ),
        entry(
            "正常标题",
            Some("2026-11-28T09:00:00+08:00"),
            "http://a.gov.cn/2",
        ),
    ]);
    a.links = vec![
        (
            "http://a.gov.cn/1".into(),
            FetchOutcome {
                status: LinkStatus::Ok { status: 200 },
                redirects: Vec::new(),
                final_url: "http://a.gov.cn/1".into(),
                elapsed_ms: 1,
            },
        ),
        (
            "http://a.gov.cn/2".into(),
            FetchOutcome {
                status: LinkStatus::HttpError { status: 404 },
                redirects: Vec::new(),
                final_url: "http://a.gov.cn/2".into(),
                elapsed_ms: 1,
            },
        ),
    ];
    let j = judge_account(&a, &rules, at(AS_OF), fr.wording.as_deref());
    let broken: Vec<&Finding> = j
        .findings
        .iter()
        .filter(|f| f.rule == "link.broken")
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].url, "http://a.gov.cn/2");
    assert_eq!(
        broken[0].page.as_deref(),
        Some("http://rss.example.gov.cn/wx.xml")
    );
    assert!(broken[0].message.contains("正常标题"));
    let wording: Vec<&Finding> = j
        .findings
        .iter()
        .filter(|f| f.rule == "wording.serious")
        .collect();
    assert_eq!(wording.len(), 1, "{:?}", j.findings);
    assert_eq!(wording[0].url, "http://a.gov.cn/1");
    assert!(wording[0].evidence["right"]
        .as_str()
        .unwrap()
        .starts_with("中华人民共和国"));
    // Wording is a veto: the account fails.
    assert_eq!(j.verdict, Verdict::Fail);
    // None of it without the defects.
    a.links.truncate(1);
    a.feed.as_mut().unwrap().entries[0].title = "学习中华人民共和国宪法".into();
    let j = judge_account(&a, &rules, at(AS_OF), fr.wording.as_deref());
    assert!(j.findings.is_empty(), "{:?}", j.findings);
}
