use super::*;
use crate::checks::testutil::{nav, page, site};
use crate::rules::Kind;

fn rules() -> RuleSet {
    RuleSet::embedded().expect("embedded rules")
}

/// The check, asserting that it judges the facts reduced to what the checks read
/// (`checks::reads`, the rest looked up) as it judges them whole.
fn check(facts: &SiteFacts, rules: &RuleSet, offers_services: bool) -> Vec<Finding> {
    let whole = super::check(facts, rules, offers_services);
    let reduced = super::check(
        &crate::checks::reads::reduce(facts, rules),
        rules,
        offers_services,
    );
    assert_eq!(whole, reduced, "whole and reduced facts judged differently");
    whole
}

const ALL: [&str; 10] = [
    "事项名称",
    "设定依据",
    "申请条件",
    "办理材料",
    "办理地点",
    "办理机构",
    "收费标准",
    "办理时间",
    "联系电话",
    "办理流程",
];

/// A guide page showing the first `shown` of the ten categories.
fn guide(url: &str, shown: usize) -> PageRecord {
    let mut p = page(url, 3);
    p.title = Some(format!("第{url}号事项办事指南"));
    p.facts.guide_labels = ALL[..shown].iter().map(|s| s.to_string()).collect();
    p
}

/// A portal whose home page links 办事服务 (/bsfw/) which lists the guides.
fn portal(guides: Vec<PageRecord>) -> SiteFacts {
    let mut home = home_page();
    home.facts.nav.push(nav("首页", "http://x.gov.cn/"));
    home.facts
        .nav
        .push(nav("办事服务", "http://x.gov.cn/bsfw/"));
    let mut section = page("http://x.gov.cn/bsfw/", 1);
    for g in &guides {
        section.facts.nav.push(nav("办事指南", &g.url));
    }
    let mut pages = vec![home, section];
    pages.extend(guides);
    site(pages)
}

/// A home page whose links were read.
fn home_page() -> PageRecord {
    let mut h = page("http://x.gov.cn/", 0);
    h.links_found = 12;
    h
}

fn ids(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn complete_guides_in_an_own_section_yield_nothing() {
    let guides = (0..6)
        .map(|i| guide(&format!("http://x.gov.cn/bsfw/bszn/{i}.html"), 10))
        .collect();
    let f = check(&portal(guides), &rules(), true);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn no_entry_is_a_veto_and_guides_are_not_inspected() {
    let mut home = home_page();
    home.facts
        .nav
        .push(nav("政务公开", "http://x.gov.cn/zwgk/"));
    let mut zwgk = page("http://x.gov.cn/zwgk/", 1);
    zwgk.facts
        .nav
        .push(nav("工作动态", "http://x.gov.cn/zwgk/gzdt/"));
    let f = check(&site(vec![home, zwgk]), &rules(), true);
    assert_eq!(
        ids(&f),
        vec!["service.none", "service.guide_elements.not_inspected"],
        "{f:#?}"
    );
    assert_eq!(f[0].kind, Kind::Veto);
    assert_eq!(f[0].evidence["pages_searched"], 2);
    assert!(
        f[0].message.contains("未发现办事服务入口"),
        "{}",
        f[0].message
    );
    assert_eq!(f[1].kind, Kind::Notice);
    assert!(f[1].message.contains("未检查"), "{}", f[1].message);
}

#[test]
fn a_department_without_outward_services_is_not_judged() {
    let home = home_page();
    assert!(check(&site(vec![home.clone()]), &rules(), false).is_empty());
    assert_eq!(
        ids(&check(&site(vec![home]), &rules(), true)),
        vec!["service.none", "service.guide_elements.not_inspected"]
    );
}

#[test]
fn a_link_into_the_platform_is_an_entry_whatever_its_text() {
    for (text, url) in [
        ("网上办事大厅", "http://zwfw.cq.gov.cn/"),
        ("点击进入", "https://zwfw.cq.gov.cn/col/index.html"),
        ("渝快办", "http://cq.zwfw.gov.cn/"),
        ("浙里办", "https://www.zjzwfw.gov.cn/"),
        ("国家政务服务平台", "http://gjzwfw.gov.cn/"),
    ] {
        let mut home = home_page();
        home.facts.nav.push(nav(text, url));
        let f = check(&site(vec![home]), &rules(), true);
        assert_eq!(
            ids(&f),
            vec!["service.guide_elements.not_inspected"],
            "{url}: {f:#?}"
        );
        assert!(
            f[0].message.contains("办事指南不在本网站上"),
            "{}",
            f[0].message
        );
    }
    // A look-alike host is no platform.
    let mut home = home_page();
    home.facts
        .nav
        .push(nav("点击进入", "http://zwfw.cq.gov.cn.evil.example/"));
    assert_eq!(
        ids(&check(&site(vec![home]), &rules(), true))[0],
        "service.none"
    );
}

#[test]
fn an_entry_one_level_down_counts() {
    let mut home = home_page();
    home.facts
        .nav
        .push(nav("政务公开", "http://x.gov.cn/zwgk/"));
    let mut zwgk = page("http://x.gov.cn/zwgk/", 1);
    zwgk.facts
        .nav
        .push(nav("政务服务", "http://zwfw.sc.gov.cn/"));
    let f = check(&site(vec![home, zwgk]), &rules(), true);
    assert!(!ids(&f).contains(&"service.none"), "{f:#?}");
}

fn defective_site(n: usize) -> SiteFacts {
    let mut guides: Vec<PageRecord> = (0..n)
        .map(|i| guide(&format!("http://x.gov.cn/bsfw/bad{i}.html"), 6))
        .collect();
    guides.extend((0..3).map(|i| guide(&format!("http://x.gov.cn/bsfw/good{i}.html"), 10)));
    portal(guides)
}

#[test]
fn five_defective_guides_veto_and_four_only_warn() {
    let f = check(&defective_site(5), &rules(), true);
    assert_eq!(ids(&f), vec!["service.guide_elements"], "{f:#?}");
    assert_eq!(f[0].kind, Kind::Veto);
    let listed = f[0].evidence["defective"].as_array().expect("list");
    assert_eq!(listed.len(), 5);
    assert_eq!(listed[0]["url"], "http://x.gov.cn/bsfw/bad0.html");
    assert_eq!(
        listed[0]["missing"],
        json!(["收费标准", "办理时间", "联系电话", "办理流程"])
    );
    assert_eq!(f[0].evidence["guides_read"], 8);
    assert!(f[0].message.contains("bad4.html"), "{}", f[0].message);

    let f = check(&defective_site(4), &rules(), true);
    assert_eq!(ids(&f), vec!["service.guide_elements.warn"], "{f:#?}");
    assert_eq!(f[0].kind, Kind::Notice);
    assert_eq!(f[0].evidence["defective"].as_array().map(Vec::len), Some(4));
}

#[test]
fn missing_three_is_no_defect_and_few_labels_are_no_guide() {
    // 7 of 10 shown: missing 3 < 4.
    let guides = (0..6)
        .map(|i| guide(&format!("http://x.gov.cn/bsfw/{i}.html"), 7))
        .collect();
    assert!(check(&portal(guides), &rules(), true).is_empty());
    // 2 categories are no guide: nothing was read, not a pass.
    let guides = (0..6)
        .map(|i| guide(&format!("http://x.gov.cn/bsfw/{i}.html"), 2))
        .collect();
    let f = check(&portal(guides), &rules(), true);
    assert_eq!(ids(&f), vec!["service.guide_elements.not_inspected"]);
    assert!(
        f[0].message.contains("未读取到办事指南"),
        "{}",
        f[0].message
    );
}

#[test]
fn guides_outside_the_service_section_are_not_read() {
    let mut site = defective_site(0);
    // Five defective 事项 tables under 政务公开, not linked from the 办事 section.
    for i in 0..5 {
        let mut g = guide(&format!("http://x.gov.cn/zwgk/qzqd/{i}.html"), 4);
        g.depth = 2;
        site.pages.push(g);
    }
    assert!(check(&site, &rules(), true).is_empty());
}

#[test]
fn host_patterns() {
    let m = |p: &str, h: &str| host_pattern(p).is_some_and(|re| re.is_match(h));
    assert!(m("zwfw.*.gov.cn", "zwfw.cq.gov.cn"));
    assert!(!m("zwfw.*.gov.cn", "zwfw.a.b.gov.cn"));
    assert!(m("*.zwfw.gov.cn", "zwfw.gov.cn"));
    assert!(m("*.zwfw.gov.cn", "www.sc.zwfw.gov.cn"));
    assert!(m("*zwfw.gov.cn", "zjzwfw.gov.cn"));
    assert!(!m("*zwfw.gov.cn", "www.zjzwfw.gov.cn"));
    assert!(m("*.*zwfw.gov.cn", "www.zjzwfw.gov.cn"));
    assert!(m("*.*zwfw.gov.cn", "gdzwfw.gov.cn"));
    assert!(!m("*.*zwfw.gov.cn", "www.zjzwfw.gov.cn.example"));
    assert!(!m("gjzwfw.gov.cn", "xgjzwfw.gov.cn"));
}

#[test]
fn changed_aliases_apply_to_stored_labels() {
    // A guide labelled 受理条件/申请材料/咨询电话 shows 申请条件/办理材料/联系电话 by alias.
    let mut g = guide("http://x.gov.cn/bsfw/a.html", 0);
    g.facts.guide_labels = ["事项名称", "受理条件", "申请材料", "咨询电话", "审批流程"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let guides: Vec<PageRecord> = (0..5)
        .map(|i| {
            let mut c = g.clone();
            c.url = format!("http://x.gov.cn/bsfw/{i}.html");
            c.final_url = c.url.clone();
            c
        })
        .collect();
    // 5 shown, 5 missing: five defective guides.
    let f = check(&portal(guides.clone()), &rules(), true);
    assert_eq!(ids(&f), vec!["service.guide_elements"]);
    let missing = &f[0].evidence["defective"][0]["missing"];
    assert_eq!(
        missing,
        &json!(["设定依据", "办理地点", "办理机构", "收费标准", "办理时间"])
    );
}

#[test]
fn a_contact_page_and_a_list_of_guides_are_no_guides() {
    let labels = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // The service hall's page: 办公地点, 办公时间, 联系电话 — three categories, no guide.
    let mut hall = page("http://x.gov.cn/bsfw/dt/", 2);
    hall.title = Some("政务服务大厅简介".into());
    hall.facts.guide_labels = labels(&["大厅简介", "办公地点", "办公时间", "联系电话"]);
    // A list of guides whose table header names four categories.
    let mut list = page("http://x.gov.cn/bsfw/sxqd/", 2);
    list.title = Some("办事指南_示例县人民政府".into());
    list.facts.guide_labels = labels(&["序号", "事项名称", "实施机构", "办理地点", "咨询电话"]);
    for i in 0..6 {
        list.facts.items.push(crate::extract::facts::ListItem {
            title: format!("第{i}项行政许可事项办事指南"),
            url: Some(format!("http://x.gov.cn/bsfw/sxqd/{i}.html")),
            date: None,
        });
    }
    let f = check(&portal(vec![hall.clone(), list]), &rules(), true);
    assert_eq!(
        ids(&f),
        vec!["service.guide_elements.not_inspected"],
        "{f:#?}"
    );
    // Titled as a guide, the same labels make a (defective) guide.
    hall.title = Some("政务服务大厅办事须知".into());
    let f = check(&portal(vec![hall]), &rules(), true);
    assert_eq!(ids(&f), vec!["service.guide_elements.warn"], "{f:#?}");
}

#[test]
fn a_home_page_whose_links_were_not_read_is_not_vetoed() {
    let mut home = home_page();
    home.links_found = 0;
    let f = check(&site(vec![home]), &rules(), true);
    assert_eq!(
        ids(&f),
        vec!["service.guide_elements.not_inspected"],
        "{f:#?}"
    );
}

#[test]
fn an_entry_that_was_not_read_as_a_page_says_so() {
    // 办事服务 on the site, not crawled (it redirected away, or the crawl stopped).
    let mut home = home_page();
    home.facts
        .nav
        .push(nav("办事服务", "http://x.gov.cn/bsfw/"));
    let f = check(&site(vec![home]), &rules(), true);
    assert_eq!(
        ids(&f),
        vec!["service.guide_elements.not_inspected"],
        "{f:#?}"
    );
    assert!(
        f[0].message.contains("未能作为本网站页面读取"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_named_entry_to_another_site_counts() {
    let mut home = home_page();
    home.facts
        .nav
        .push(nav("网上办事大厅", "http://bsdt.example.com/"));
    let f = check(&site(vec![home]), &rules(), true);
    assert_eq!(
        ids(&f),
        vec!["service.guide_elements.not_inspected"],
        "{f:#?}"
    );
    assert!(f[0].message.contains("站外办事链接"), "{}", f[0].message);
    assert_eq!(
        f[0].evidence["entries"][0]["url"],
        "http://bsdt.example.com/"
    );
}

/// A link the crawl recorded from `from` to `to` (answered 200, the site's own).
fn linked(s: &mut SiteFacts, from: &str, to: &str, text: &str) {
    use crate::crawl::{FetchOutcome, LinkFact, LinkStatus, Referrer};
    let l = s.links.entry(to.to_string()).or_insert_with(|| LinkFact {
        url: to.into(),
        internal: true,
        on_home: false,
        outcome: FetchOutcome {
            status: LinkStatus::Ok { status: 200 },
            redirects: Vec::new(),
            final_url: to.into(),
            elapsed_ms: 1,
        },
        referrers: Vec::new(),
        referrer_count: 0,
        target: None,
    });
    l.on_home |= from == "http://x.gov.cn/";
    l.referrers.push(Referrer {
        page: from.into(),
        text: text.into(),
        element: crate::extract::LinkElement::A,
    });
    l.referrer_count += 1;
}

#[test]
fn the_walk_reads_pages_and_links_the_checks_do_not_hold() {
    // Links written by the CMS's script-free markup but read only as the crawl's link records
    // (no navigation facts): 网上办事 → its category page (a plain page two levels down, which
    // the judgement does not hold and looks up) → three guides outside the section's folder;
    // two more guides under the folder, linked from nowhere the walk goes (old pagination).
    let bsfw = "http://x.gov.cn/wsbs/";
    let fl = "http://x.gov.cn/wsbs/fl/gr/";
    let mut pages = vec![home_page(), page(bsfw, 1), page(fl, 2)];
    let walked: Vec<String> = (0..3)
        .map(|i| format!("http://x.gov.cn/zwfw/sx/{i}.html"))
        .collect();
    let foldered: Vec<String> = (0..2)
        .map(|i| format!("http://x.gov.cn/wsbs/old/{i}.html"))
        .collect();
    for u in walked.iter().chain(&foldered) {
        let mut g = guide(u, 5);
        g.depth = 4;
        pages.push(g);
    }
    // A page under the folder without guide labels: no guide is read on it.
    pages.push(page("http://x.gov.cn/wsbs/about.html", 3));
    let mut s = site(pages);
    linked(&mut s, "http://x.gov.cn/", bsfw, "网上办事");
    linked(
        &mut s,
        "http://x.gov.cn/",
        "http://x.gov.cn/zwgk/",
        "政务公开",
    );
    linked(&mut s, bsfw, fl, "个人办事");
    for u in &walked {
        linked(&mut s, fl, u, "办事指南");
    }
    let reduced = crate::checks::reads::reduce(&s, &rules());
    assert!(
        reduced.pages.iter().all(|p| p.url != fl),
        "the category page is looked up, not held"
    );
    let f = check(&s, &rules(), true);
    assert_eq!(ids(&f), vec!["service.guide_elements"], "{f:#?}");
    let listed: Vec<&str> = f[0].evidence["defective"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|g| g["url"].as_str())
        .collect();
    let expected: Vec<&str> = walked.iter().chain(&foldered).map(String::as_str).collect();
    assert_eq!(listed, expected);
    assert_eq!(f[0].url, bsfw);

    // Labels too few for a guide: nothing read. The pages read are the pages walked (the
    // section, its category page, the three pages it lists) and the pages under the folder
    // showing guide labels.
    for p in s
        .pages
        .iter_mut()
        .filter(|p| !p.facts.guide_labels.is_empty())
    {
        p.facts.guide_labels.truncate(2);
    }
    let f = check(&s, &rules(), true);
    assert_eq!(
        ids(&f),
        vec!["service.guide_elements.not_inspected"],
        "{f:#?}"
    );
    assert_eq!(f[0].evidence["pages_read"], 7);
    assert!(f[0].message.contains("共7个页面"), "{}", f[0].message);
}
