use super::*;
use crate::checks::testutil::{page, site};
use crate::crawl::{FetchOutcome, LinkFact, LinkStatus, Referrer};
use crate::extract::LinkElement;

const LIB: &str = "http://x.gov.cn/zfxxgk/gfxwj/";

fn rules() -> RuleSet {
    RuleSet::embedded().unwrap()
}

/// The check, asserting that it judges the facts reduced to what the checks read
/// (`checks::reads`, the rest looked up) as it judges them whole.
fn check(
    facts: &SiteFacts,
    rules: &RuleSet,
    baseline: Baseline<'_>,
    as_of: NaiveDate,
) -> Vec<Finding> {
    let whole = super::check(facts, rules, baseline, as_of);
    let reduced = super::check(
        &crate::checks::reads::reduce(facts, rules),
        rules,
        baseline,
        as_of,
    );
    assert_eq!(whole, reduced, "whole and reduced facts judged differently");
    whole
}

/// The snapshot, the same of the reduced facts.
fn snapshot(facts: &SiteFacts, rules: &RuleSet) -> Option<LibrarySnapshot> {
    let whole = super::snapshot(facts, rules);
    let reduced = super::snapshot(&crate::checks::reads::reduce(facts, rules), rules);
    assert_eq!(whole, reduced, "whole and reduced facts read differently");
    whole
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rec(docno: Option<&str>, title: &str, url: &str, status: Option<DocStatus>) -> NormdocRecord {
    NormdocRecord {
        docno: docno.map(str::to_string),
        title: title.into(),
        written: None,
        published: Some(day(2024, 1, 2)),
        status,
        url: Some(url.into()),
        regno: None,
        valid_until: None,
    }
}

fn lib_page(url: &str, name: &str, records: Vec<NormdocRecord>) -> PageRecord {
    let mut p = page(url, 2);
    p.title = Some(format!("{name}_示例县人民政府"));
    p.facts.column_name = Some(name.into());
    p.facts.undated_items = u32::try_from(records.len()).unwrap();
    p.facts.normdoc.records = records;
    p
}

fn link(url: &str, refs: &[(&str, &str)]) -> LinkFact {
    LinkFact {
        url: url.into(),
        internal: true,
        on_home: false,
        outcome: FetchOutcome {
            status: LinkStatus::Ok { status: 200 },
            redirects: Vec::new(),
            final_url: url.into(),
            elapsed_ms: 1,
        },
        referrers: refs
            .iter()
            .map(|(p, t)| Referrer {
                page: (*p).into(),
                text: (*t).into(),
                element: LinkElement::A,
            })
            .collect(),
        referrer_count: refs.len(),
        target: None,
    }
}

fn facts_of(records: Vec<NormdocRecord>) -> SiteFacts {
    site(vec![
        page("http://x.gov.cn/", 0),
        lib_page(LIB, "行政规范性文件", records),
    ])
}

fn rules_of<'a>(f: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    f.iter().filter(|f| f.rule == id).collect()
}

fn snap(records: Vec<NormdocRecord>, complete: bool) -> LibrarySnapshot {
    LibrarySnapshot {
        name: "行政规范性文件".into(),
        url: LIB.into(),
        pages_read: 1,
        pages_total: None,
        complete,
        records,
    }
}

#[test]
fn library_is_found_and_snapshotted() {
    let f = facts_of(vec![rec(
        Some("某府规〔2024〕1号"),
        "甲办法",
        &format!("{LIB}1.html"),
        None,
    )]);
    let s = snapshot(&f, &rules()).unwrap();
    assert_eq!(s.url, LIB);
    assert_eq!(s.records.len(), 1);
    assert!(s.complete);
    // A library page whose rows were not understood is not a complete library.
    let mut empty = facts_of(Vec::new());
    empty.pages[1].facts.undated_items = 3;
    assert!(!snapshot(&empty, &rules()).unwrap().complete);
    let none = site(vec![page("http://x.gov.cn/", 0)]);
    assert!(snapshot(&none, &rules()).is_none());
}

#[test]
fn abolished_list_records_count_as_abolished() {
    let mut f = facts_of(vec![rec(
        Some("某府规〔2024〕1号"),
        "甲办法",
        &format!("{LIB}1.html"),
        None,
    )]);
    f.pages.push(lib_page(
        "http://x.gov.cn/zfxxgk/fzsx/",
        "废止和失效行政规范性文件",
        vec![rec(
            Some("某府规〔2019〕2号"),
            "乙办法",
            "http://x.gov.cn/old/2.html",
            None,
        )],
    ));
    let s = snapshot(&f, &rules()).unwrap();
    assert_eq!(s.records.len(), 2);
    assert_eq!(s.records[1].status, Some(DocStatus::Abolished));
}

#[test]
fn changes_new_revised_abolished_removed_and_moved() {
    let a = rec(
        Some("某府规〔2020〕1号"),
        "甲办法",
        "http://x.gov.cn/a.html",
        Some(DocStatus::Valid),
    );
    let b = rec(
        Some("某府规〔2020〕2号"),
        "乙办法",
        "http://x.gov.cn/b.html",
        None,
    );
    let c = rec(
        Some("某府规〔2020〕3号"),
        "丙办法",
        "http://x.gov.cn/c.html",
        None,
    );
    let d = rec(
        Some("某府规〔2020〕4号"),
        "丁办法",
        "http://x.gov.cn/d.html",
        None,
    );
    let e = rec(
        Some("某府规〔2020〕5号"),
        "戊办法",
        "http://x.gov.cn/e.html",
        None,
    );
    let prev = vec![a.clone(), b.clone(), c.clone(), d.clone(), e.clone()];
    let mut b2 = b.clone();
    b2.status = Some(DocStatus::Revised);
    let mut c2 = c.clone();
    c2.status = Some(DocStatus::Expired);
    // d moved to a new URL and its 文号 is written with other brackets: the same document.
    let mut d2 = d.clone();
    d2.url = Some("http://x.gov.cn/new/d.html".into());
    d2.docno = Some("某府规[2020]4号".into());
    // e is gone; f is new; a's new version replaces it under a new 文号.
    let f_new = rec(
        Some("某府规〔2024〕1号"),
        "己办法",
        "http://x.gov.cn/f.html",
        None,
    );
    let a2 = rec(
        Some("某府规〔2024〕9号"),
        "甲办法",
        "http://x.gov.cn/a2.html",
        None,
    );
    let cur = vec![a2, b2, c2, d2, f_new];
    let ch = changes(&snap(prev.clone(), true), &snap(cur.clone(), true));
    let mut kinds: Vec<(ChangeKind, &str, bool)> = ch
        .iter()
        .map(|c| (c.kind, c.title.as_str(), c.removed))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            (ChangeKind::New, "己办法", false),
            (ChangeKind::Revised, "乙办法", false),
            (ChangeKind::Revised, "甲办法", false),
            (ChangeKind::Abolished, "丙办法", false),
            (ChangeKind::Abolished, "戊办法", true),
        ],
        "{ch:#?}"
    );
    let replaced = ch.iter().find(|c| c.title == "甲办法").unwrap();
    assert_eq!(replaced.old_docno.as_deref(), Some("某府规〔2020〕1号"));
    // Without a complete read nothing is said to be gone.
    let partial = changes(&snap(prev, true), &snap(cur, false));
    assert!(partial.iter().all(|c| !c.removed));
}

#[test]
fn diff_rules_need_a_previous_snapshot() {
    let f = facts_of(vec![rec(
        Some("某府规〔2024〕1号"),
        "甲办法",
        &format!("{LIB}1.html"),
        None,
    )]);
    let r = rules();
    for b in [Baseline::NoStore, Baseline::FirstScan] {
        let found = check(&f, &r, b, day(2026, 11, 30));
        assert!(found.iter().all(|f| !matches!(
            f.rule.as_str(),
            "normdoc.new" | "normdoc.revised" | "normdoc.abolished"
        )));
    }
    let prev = snap(Vec::new(), true);
    let found = check(&f, &r, Baseline::Previous(&prev), day(2026, 11, 30));
    let new = rules_of(&found, "normdoc.new");
    assert_eq!(new.len(), 1);
    assert!(
        new[0].message.contains("某府规〔2024〕1号"),
        "{}",
        new[0].message
    );
    assert_eq!(new[0].evidence["change"]["title"], "甲办法");
}

#[test]
fn every_docno_malformation_is_named() {
    let cases = [
        ("某府发[2019]1号", "方括号"),
        ("某府发(2019)2号", "圆括号"),
        ("某府发（2019）3号", "圆括号"),
        ("某府发【2019】4号", "方头括号"),
        ("某府发〔2019〕第5号", "第"),
        ("某府发〔2019〕06号", "前导零"),
        ("某府发〔２０１９〕７号", "全角数字"),
        ("某府发〔2019〕8", "缺少"),
    ];
    let records: Vec<NormdocRecord> = cases
        .iter()
        .enumerate()
        .map(|(i, (d, _))| {
            rec(
                Some(d),
                &format!("文件{i}"),
                &format!("{LIB}{i}.html"),
                None,
            )
        })
        .chain([rec(
            Some("某府发〔2019〕12号"),
            "规范文件",
            &format!("{LIB}ok.html"),
            None,
        )])
        .collect();
    let found = check(
        &facts_of(records),
        &rules(),
        Baseline::NoStore,
        day(2026, 11, 30),
    );
    let bad = rules_of(&found, "normdoc.docno_format");
    assert_eq!(bad.len(), cases.len(), "{bad:#?}");
    for (d, why) in cases {
        let f = bad
            .iter()
            .find(|f| f.evidence["docno"] == d)
            .unwrap_or_else(|| panic!("{d}"));
        assert!(f.message.contains(why), "{d}: {}", f.message);
    }
    assert!(!bad
        .iter()
        .any(|f| f.evidence["docno"] == "某府发〔2019〕12号"));
}

#[test]
fn expired_validity_judged_against_as_of() {
    let mut r = rec(
        Some("某府规〔2020〕1号"),
        "甲暂行办法",
        &format!("{LIB}1.html"),
        Some(DocStatus::Valid),
    );
    r.valid_until = Some(day(2025, 12, 31));
    let f = facts_of(vec![r.clone()]);
    let found = check(&f, &rules(), Baseline::NoStore, day(2026, 11, 30));
    assert_eq!(rules_of(&found, "normdoc.expired_validity").len(), 1);
    let found = check(&f, &rules(), Baseline::NoStore, day(2025, 6, 1));
    assert!(rules_of(&found, "normdoc.expired_validity").is_empty());
    r.status = Some(DocStatus::Expired);
    let found = check(
        &facts_of(vec![r]),
        &rules(),
        Baseline::NoStore,
        day(2026, 11, 30),
    );
    assert!(rules_of(&found, "normdoc.expired_validity").is_empty());
}

#[test]
fn status_unmarked_on_the_document_page() {
    let url = "http://x.gov.cn/zfxxgk/gfxwj/202001/t1.html";
    let r = rec(
        Some("某府规〔2020〕1号"),
        "甲办法",
        url,
        Some(DocStatus::Abolished),
    );
    let mut f = facts_of(vec![r.clone()]);
    let mut doc = page(url, 3);
    doc.facts.article_title = Some("甲办法".into());
    f.pages.push(doc.clone());
    let found = check(&f, &rules(), Baseline::NoStore, day(2026, 11, 30));
    assert_eq!(rules_of(&found, "normdoc.status_unmarked").len(), 1);
    let mut f = facts_of(vec![r]);
    doc.facts.normdoc.own_status = Some(DocStatus::Abolished);
    f.pages.push(doc);
    let found = check(&f, &rules(), Baseline::NoStore, day(2026, 11, 30));
    assert!(rules_of(&found, "normdoc.status_unmarked").is_empty());
}

#[test]
fn stale_links_with_and_without_marker() {
    let url = "http://x.gov.cn/zfxxgk/gfxwj/202001/t1.html";
    let r = rec(
        Some("某府规〔2020〕1号"),
        "甲办法",
        url,
        Some(DocStatus::Abolished),
    );
    let mut f = facts_of(vec![r]);
    let news = "http://x.gov.cn/zwdt/t9.html";
    let marked_page = "http://x.gov.cn/zcjd/t8.html";
    let marked_text = "http://x.gov.cn/zcjd/t7.html";
    let mut mp = page(marked_page, 2);
    mp.facts.normdoc.marked_links = vec![url.into()];
    f.pages.push(page(news, 2));
    f.pages.push(mp);
    f.links.insert(
        url.into(),
        link(
            url,
            &[
                (LIB, "甲办法"),
                (news, "甲办法"),
                (marked_page, "甲办法"),
                (marked_text, "【已废止】甲办法"),
            ],
        ),
    );
    let found = check(&f, &rules(), Baseline::NoStore, day(2026, 11, 30));
    let stale = rules_of(&found, "normdoc.stale_link");
    assert_eq!(stale.len(), 1, "{stale:#?}");
    assert_eq!(stale[0].url, news);
    assert!(stale[0].message.contains("已废止"));
    assert_eq!(stale[0].evidence["links"][0]["link"], url);
}

#[test]
fn normative_docs_outside_the_library() {
    let mut f = facts_of(vec![rec(
        Some("某府规〔2024〕1号"),
        "甲办法",
        &format!("{LIB}1.html"),
        None,
    )]);
    f.pages.push(lib_page(
        "http://x.gov.cn/zcwj/",
        "政策文件",
        vec![
            rec(
                Some("某府规[2024]1号"),
                "甲办法",
                "http://x.gov.cn/zcwj/1.html",
                None,
            ),
            rec(
                Some("某府规〔2024〕2号"),
                "乙办法",
                "http://x.gov.cn/zcwj/2.html",
                None,
            ),
            rec(
                Some("某府发〔2024〕3号"),
                "丙通知",
                "http://x.gov.cn/zcwj/3.html",
                None,
            ),
        ],
    ));
    // A document page linked from the column, its 文号 shown only on it.
    let doc_url = "http://x.gov.cn/zcwj/4.html";
    let mut doc = page(doc_url, 3);
    doc.facts.article_title = Some("丁规定".into());
    doc.facts.normdoc.own_docno = Some("某府规〔2024〕4号".into());
    f.pages.push(doc.clone());
    // One not linked from the column is not judged.
    let mut other = page("http://x.gov.cn/qt/5.html", 3);
    other.facts.normdoc.own_docno = Some("某府规〔2024〕5号".into());
    f.pages.push(other);
    f.links.insert(
        doc_url.into(),
        link(doc_url, &[("http://x.gov.cn/zcwj/", "丁规定")]),
    );
    let found = check(&f, &rules(), Baseline::NoStore, day(2026, 11, 30));
    let nil = rules_of(&found, "normdoc.not_in_library");
    assert_eq!(nil.len(), 2, "{nil:#?}");
    assert_eq!(nil[0].evidence["docno"], "某府规〔2024〕2号");
    assert_eq!(nil[1].evidence["docno"], "某府规〔2024〕4号");
    assert_eq!(nil[1].url, doc_url);
    // Not judged when the library was not read whole.
    f.pages[1].facts.normdoc.pages_total = Some(2);
    let found = check(&f, &rules(), Baseline::NoStore, day(2026, 11, 30));
    assert!(rules_of(&found, "normdoc.not_in_library").is_empty());
}
