//! Builders of facts for the checks' unit tests.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::config::{SiteKind, SiteLevel};
use crate::crawl::{CrawlStats, LinkStatus, PageRecord, SiteFacts};
use crate::extract::facts::{ListItem, NavLink};
use crate::extract::ItemDate;

/// A page answered 200, with empty facts.
pub fn page(url: &str, depth: u32) -> PageRecord {
    PageRecord {
        url: url.into(),
        final_url: url.into(),
        depth,
        status: LinkStatus::Ok { status: 200 },
        charset: Some("UTF-8".into()),
        title: None,
        content_hash: None,
        etag: None,
        last_modified: None,
        fetched_at: "2026-11-30T00:00:00Z".into(),
        elapsed_ms: 1,
        bytes: 1,
        truncated: false,
        links_found: 0,
        facts: Default::default(),
        raw: None,
    }
}

/// A full date.
pub fn ymd(d: NaiveDate) -> ItemDate {
    use chrono::Datelike;
    ItemDate {
        year: Some(d.year()),
        month: d.month(),
        day: d.day(),
    }
}

/// A list page named `name` (ColumnName) whose items carry these dates.
pub fn list(url: &str, depth: u32, name: &str, dates: &[ItemDate]) -> PageRecord {
    let mut p = page(url, depth);
    p.title = Some(format!("{name}_示例县人民政府"));
    p.facts.column_name = Some(name.into());
    for (i, d) in dates.iter().enumerate() {
        p.facts.items.push(ListItem {
            title: format!("{name}的第{i}条信息"),
            url: Some(format!("{url}t{i}.html")),
            date: Some(*d),
        });
        p.facts.dates.push(*d);
    }
    p.facts.dated_items = u32::try_from(dates.len()).unwrap_or(0);
    p
}

/// A navigation link.
pub fn nav(text: &str, url: &str) -> NavLink {
    NavLink {
        text: text.into(),
        url: url.into(),
    }
}

/// The site of these pages; the first page of depth 0 is the home page.
pub fn site(pages: Vec<PageRecord>) -> SiteFacts {
    SiteFacts {
        name: "示例县人民政府".into(),
        url: "http://x.gov.cn/".into(),
        level: SiteLevel::County,
        kind: SiteKind::Portal,
        started_at: String::new(),
        finished_at: String::new(),
        home: pages.iter().find(|p| p.depth == 0).cloned(),
        pages,
        links: BTreeMap::new(),
        not_found_probe: None,
        robots: "none".into(),
        stats: CrawlStats::default(),
        error: None,
        configured_columns: BTreeMap::new(),
        site_id_code: None,
        access: Default::default(),
    }
}

/// The site with the link results a crawl would have recorded for its pages' navigation links
/// and list items (each target once, its referrers in page order, answered as the page of
/// that URL answered, else 200): for the tests that hold a check to the same findings on facts
/// reduced to what `checks::reads` keeps.
pub fn with_links(mut s: SiteFacts) -> SiteFacts {
    use std::sync::Arc;

    use crate::crawl::{FetchOutcome, LinkFact, Referrer};
    use crate::extract::links::LinkElement;

    let home: Vec<String> = s
        .home
        .iter()
        .flat_map(|h| [h.url.clone(), h.final_url.clone()])
        .collect();
    let mut links: BTreeMap<String, LinkFact> = BTreeMap::new();
    for p in &s.pages {
        let page: Arc<str> = Arc::from(p.url.as_str());
        let on_home = home.contains(&p.url);
        let targets = p
            .facts
            .nav
            .iter()
            .map(|n| (n.url.clone(), n.text.clone()))
            .chain(
                p.facts
                    .items
                    .iter()
                    .filter_map(|i| Some((i.url.clone()?, i.title.clone()))),
            );
        for (to, text) in targets {
            let status = s
                .pages
                .iter()
                .find(|q| q.url == to)
                .map_or(LinkStatus::Ok { status: 200 }, |q| q.status.clone());
            let l = links.entry(to.clone()).or_insert_with(|| LinkFact {
                url: to.clone(),
                internal: true,
                on_home: false,
                outcome: FetchOutcome {
                    status,
                    redirects: Vec::new(),
                    final_url: to.clone(),
                    elapsed_ms: 1,
                },
                referrers: Vec::new(),
                referrer_count: 0,
                target: None,
            });
            l.on_home |= on_home;
            if l.referrers.last().is_some_and(|r| r.page == page) {
                continue;
            }
            l.referrer_count += 1;
            l.referrers.push(Referrer {
                page: page.clone(),
                text: Arc::from(text.as_str()),
                element: LinkElement::A,
            });
        }
    }
    s.links = links;
    s
}

/// The findings `check` gives on `facts`, asserting it gives the same on the facts reduced to
/// what `checks::reads` keeps (the rest looked up by URL), as a site judged from the store
/// holds them; and, for facts without link results, the same again with the link results a
/// crawl would have recorded ([`with_links`]).
pub fn assert_reduced_alike(
    facts: &SiteFacts,
    rules: &crate::rules::RuleSet,
    check: impl Fn(&SiteFacts) -> Vec<crate::checks::Finding>,
) -> Vec<crate::checks::Finding> {
    use crate::checks::reads::reduce;

    let whole = check(facts);
    assert_eq!(
        whole,
        check(&reduce(facts, rules)),
        "the check judges the facts reduced to what checks::reads keeps differently (left: whole)"
    );
    if facts.links.is_empty() {
        let linked = with_links(facts.clone());
        assert_eq!(
            check(&linked),
            check(&reduce(&linked, rules)),
            "with link results, the check judges the reduced facts differently (left: whole)"
        );
    }
    whole
}
