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
use crate::extract;

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
        // A target sampled and one only checked are separate answers (one of each at most).
        let key = if task.sample {
            format!("{}\u{1}sample", task.key)
        } else {
            task.key.clone()
        };
        let cell = match self.crawler.external.lock() {
            Ok(mut m) => m.entry(key).or_default().clone(),
            Err(_) => Arc::new(OnceCell::new()),
        };
        let mut requests = 0;
        let (outcome, target) = cell
            .get_or_init(|| async {
                let (f, mut target) = match self.crawler.rules.outbound_sample_bytes {
                    Some(bytes) if task.sample => self.sample(&task.url, bytes).await,
                    _ => (self.check(&task.url).await, None),
                };
                if matches!(f.outcome.status, LinkStatus::Dns { .. })
                    && self.nxdomain(&f.final_url).await
                {
                    target.get_or_insert_with(TargetSample::default).nxdomain = true;
                }
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
                (outcome, target)
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
            target,
        }
    }

    /// Check a link to another site as [`Self::check`] does and, when it answers with HTML,
    /// keep the title and the first `bytes` of the visible text (read from the first
    /// [`super::fetch::PEEK_BYTES`] of the body: a GET follows a HEAD that said HTML).
    async fn sample(&self, url: &Url, bytes: usize) -> (Fetched, Option<TargetSample>) {
        let c = &self.crawler;
        let mut f = self.check(url).await;
        let html_type = f
            .content_type
            .as_deref()
            .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
        if f.outcome.status.is_ok() && f.body.is_empty() && html_type {
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
            self.classify_block(url, &mut g);
            g.requests += f.requests;
            if g.outcome.status.is_ok() {
                f = g;
            }
        }
        if !f.outcome.status.is_ok() || !f.is_html() || f.body.is_empty() {
            return (f, None);
        }
        let body = std::mem::take(&mut f.body);
        let content_type = f.content_type.clone();
        let page_url = f.final_url.clone();
        let Ok(_permit) = c.parsing.clone().acquire_owned().await else {
            return (f, None);
        };
        let sample = tokio::task::spawn_blocking(move || {
            let d = extract::decode(&body, content_type.as_deref());
            let page = extract::extract_page(&d.text, &page_url, d.encoding, &[]);
            let mut end = page.text.len().min(bytes);
            while !page.text.is_char_boundary(end) {
                end -= 1;
            }
            TargetSample {
                title: page.title.clone(),
                text: page.text[..end].to_string(),
                text_cut: end < page.text.len(),
                nxdomain: false,
            }
        })
        .await
        .ok();
        (f, sample)
    }

    /// Whether the host of a URL whose name did not resolve does not exist: pinned to no
    /// address in `[resolve]` (how the inspector, and the tests, declare a name gone), or
    /// NXDOMAIN from the name servers (a server that does not answer is not NXDOMAIN).
    async fn nxdomain(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        if let Some(pinned) = self.crawler.origins.resolver().pinned(host) {
            return pinned.is_empty();
        }
        self.crawler.dns.nxdomain(host).await
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
