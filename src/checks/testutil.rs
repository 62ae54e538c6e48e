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
