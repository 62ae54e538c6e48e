//! Links that are checked, not parsed: HEAD falling back to GET, links to other sites checked
//! once per run, and the answers that are the server refusing the scanner (blocked, not
//! broken).

use std::sync::Arc;

use reqwest::Method;
use tokio::sync::OnceCell;
use url::Url;

use super::engine::Crawler;
use super::fetch::{fetch, BodyMode, FetchLimits, Fetched};
use super::frontier::Task;
use super::origin::origin_key;
use super::site::{SiteRun, TaskResult};
use super::types::*;

impl Crawler {
    pub(super) async fn root_status(&self, url: &Url, limits: &FetchLimits) -> Option<u16> {
        let mut root = url.clone();
        root.set_path("/");
        root.set_query(None);
        let key = origin_key(&root);
        let cell = match self.roots.lock() {
            Ok(mut m) => m.entry(key).or_default().clone(),
            Err(_) => return None,
        };
        *cell
            .get_or_init(|| async {
                let f = fetch(
                    &self.client,
                    &self.origins,
                    &root,
                    Method::GET,
                    BodyMode::Peek,
                    limits,
                    None,
                )
                .await;
                f.http_status()
            })
            .await
    }
}

impl SiteRun {
    pub(super) async fn run_external(&self, task: Task) -> TaskResult {
        let cell = match self.crawler.external.lock() {
            Ok(mut m) => m.entry(task.key.clone()).or_default().clone(),
            Err(_) => Arc::new(OnceCell::new()),
        };
        let mut requests = 0;
        let outcome = cell
            .get_or_init(|| async {
                let f = self.check(&task.url).await;
                requests = f.requests;
                let mut outcome = f.outcome.clone();
                if outcome.status == (LinkStatus::HttpError { status: 403 }) {
                    // A lone 403 from another site: is it the page, or the site refusing us?
                    let root = self.crawler.root_status(&f.final_url, &self.limits).await;
                    if matches!(root, Some(403) | None)
                        || root.is_some_and(|s| self.crawler.rules.blocked_statuses.contains(&s))
                    {
                        outcome.status = LinkStatus::Blocked {
                            status: Some(403),
                            reason: "该站点首页同样拒绝访问（403）".into(),
                        };
                    }
                }
                outcome
            })
            .await
            .clone();
        TaskResult {
            task,
            outcome,
            page: None,
            links: Vec::new(),
            requests,
            answer: None,
        }
    }

    /// Check a link: HEAD, then GET (a small prefix) when HEAD is refused or fails, since many
    /// government servers answer HEAD wrongly.
    pub(super) async fn check(&self, url: &Url) -> Fetched {
        let c = &self.crawler;
        let head = fetch(
            &c.client,
            &c.origins,
            url,
            Method::HEAD,
            BodyMode::None,
            &self.limits,
            None,
        )
        .await;
        let retry_with_get = match &head.outcome.status {
            LinkStatus::HttpError { status } => *status != 429,
            LinkStatus::Connection { .. } => true,
            // An origin that has served challenge pages may serve one to HEAD with a 200 and
            // no body: look at the body before counting the link as working.
            LinkStatus::Ok { .. } => c.origins.blocked_count(&head.final_url) > 0,
            _ => false,
        };
        let mut f = if retry_with_get {
            let mut g = fetch(
                &c.client,
                &c.origins,
                url,
                Method::GET,
                BodyMode::Peek,
                &self.limits,
                None,
            )
            .await;
            g.requests += head.requests;
            g
        } else {
            head
        };
        self.classify_block(url, &mut f);
        f
    }

    /// Relabel an answer that is the server refusing the scanner (429, 412, a challenge page).
    pub(super) fn classify_block(&self, url: &Url, f: &mut Fetched) {
        let rules = &self.crawler.rules;
        let status = match &f.outcome.status {
            LinkStatus::Ok { status } | LinkStatus::HttpError { status } => *status,
            _ => return,
        };
        let mut reason: Option<String> = None;
        if f.header("cf-mitigated")
            .is_some_and(|v| v.eq_ignore_ascii_case("challenge"))
        {
            reason = Some("Cloudflare 人机验证".into());
        } else if rules.blocked_statuses.contains(&status) {
            reason = Some(if status == 429 {
                "请求过多（429）".into()
            } else {
                format!("防护系统拦截（HTTP {status}）")
            });
        } else if !f.body.is_empty() {
            // A challenge page served with 200 is recognised by its content too, when it is
            // small enough to be one (a real page may mention a WAF vendor in passing).
            let success = (200..300).contains(&status);
            if !success
                || (f.body.len() <= rules.challenge_max_bytes
                    && !f.truncated
                    && anchors(&f.body) <= rules.challenge_max_links)
            {
                let head = String::from_utf8_lossy(&f.body[..f.body.len().min(64 * 1024)]);
                if let Some(m) = rules
                    .challenge_markers
                    .iter()
                    .find(|m| head.contains(m.as_str()))
                {
                    reason = Some(format!("防护系统验证页（{m}）"));
                }
            }
        }
        if let Some(reason) = reason {
            f.outcome.status = LinkStatus::Blocked {
                status: Some(status),
                reason,
            };
            self.crawler.origins.note_blocked(url);
        }
    }
}

/// Anchors (`<a ` start tags, any case) in a body.
fn anchors(body: &[u8]) -> usize {
    body.windows(3)
        .filter(|w| w[0] == b'<' && w[1].eq_ignore_ascii_case(&b'a') && w[2].is_ascii_whitespace())
        .count()
}
