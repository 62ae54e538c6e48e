//! The end of a site's crawl: the blanket-403 rule, the counts, and the site's facts.

use std::collections::HashSet;
use std::time::Duration;

use super::site::SiteRun;
use super::types::*;
use crate::config::SiteConfig;
use crate::extract::{self};

impl SiteRun {
    pub(super) fn finish(
        &self,
        site: &SiteConfig,
        started_at: String,
        elapsed: Duration,
        robots: String,
    ) -> SiteFacts {
        let mut st = self.lock();
        let min = self.crawler.rules.blanket_403_min.max(1);
        // Blanket 403: from some point on, an origin answered 403 to everything (at least
        // `min` times): the scanner was shut out, the pages are not broken.
        let relabel: Vec<String> = st
            .answers
            .blanket(min)
            .into_iter()
            .map(str::to_string)
            .collect();
        for k in &relabel {
            if let Some(f) = st.links.get_mut(k) {
                if f.outcome.status == (LinkStatus::HttpError { status: 403 }) {
                    f.outcome.status = blocked_403();
                }
            }
        }
        if !relabel.is_empty() {
            let keys: HashSet<&str> = relabel.iter().map(String::as_str).collect();
            for p in st
                .pages
                .iter_mut()
                .filter(|p| keys.contains(p.url.as_str()))
            {
                p.status = blocked_403();
            }
        }
        let mut stats = std::mem::take(&mut st.stats);
        stats.links = st.links.len();
        // Counted from the links rather than as tasks finish, so that a resumed crawl counts
        // what it reused exactly once.
        stats.checked = st
            .links
            .values()
            .filter(|l| l.outcome.status.was_requested())
            .count();
        stats.broken = st
            .links
            .values()
            .filter(|l| l.outcome.status.is_broken())
            .count();
        stats.blocked = st
            .links
            .values()
            .filter(|l| l.outcome.status.is_blocked())
            .count();
        stats.robots_disallowed = st
            .links
            .values()
            .filter(|l| l.outcome.status == LinkStatus::RobotsDisallowed)
            .count();
        stats.duration_ms = elapsed.as_millis() as u64;
        let home = st
            .home
            .clone()
            .or_else(|| st.links.get(&self.home_key).map(home_record));
        let error = home_error(home.as_ref());
        let error = if st.worker_failures > 0 {
            Some(format!(
                "{}；{} 个抓取任务异常中止",
                error.unwrap_or_default(),
                st.worker_failures
            ))
        } else {
            error
        };
        let error = match &st.seed_error {
            Some(e) => Some(format!(
                "{}；读取中断前保存的抓取记录失败：{e}",
                error.unwrap_or_default()
            )),
            None => error,
        };
        let error = if st.frontier.lost > 0 {
            Some(format!(
                "{}；{} 个待抓取网址丢失（临时文件读取失败）",
                error.unwrap_or_default(),
                st.frontier.lost
            ))
        } else {
            error
        };
        SiteFacts {
            name: site.name.clone(),
            url: site.url.to_string(),
            level: site.level,
            kind: site.kind,
            started_at,
            finished_at: chrono::Utc::now().to_rfc3339(),
            home,
            pages: std::mem::take(&mut st.pages),
            links: std::mem::take(&mut st.links),
            not_found_probe: None,
            robots,
            stats,
            error,
            configured_columns: site
                .columns
                .iter()
                .map(|(name, u)| {
                    let u = extract::canonicalize(u, &self.settings.session_params);
                    (name.clone(), u.to_string())
                })
                .collect(),
            site_id_code: site.site_id_code.clone(),
            access: Default::default(),
        }
    }
}

/// The status of what the blanket-403 rule relabels: the scanner was shut out.
pub(super) fn blocked_403() -> LinkStatus {
    LinkStatus::Blocked {
        status: Some(403),
        reason: "站点对扫描器全部返回403".into(),
    }
}

/// The record of a home page that was not parsed (not HTML, failed): its link result.
pub(super) fn home_record(l: &LinkFact) -> PageRecord {
    PageRecord {
        url: l.url.clone(),
        final_url: l.outcome.final_url.clone(),
        depth: 0,
        status: l.outcome.status.clone(),
        charset: None,
        title: None,
        content_hash: None,
        etag: None,
        last_modified: None,
        fetched_at: chrono::Utc::now().to_rfc3339(),
        elapsed_ms: l.outcome.elapsed_ms,
        bytes: 0,
        truncated: false,
        links_found: 0,
        facts: Default::default(),
        raw: None,
    }
}

/// The site's error when its home page was not fetched, or not answered.
pub(super) fn home_error(home: Option<&PageRecord>) -> Option<String> {
    match home {
        Some(h) if h.status.is_ok() => None,
        Some(h) => Some(format!("首页无法访问：{}", h.status.zh())),
        None => Some("首页未能抓取".to_string()),
    }
}
