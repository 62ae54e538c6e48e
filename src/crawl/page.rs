//! One page: fetched (conditionally, with the validators of an earlier scan), checked for
//! blocks, parsed within bounds on the blocking pool, compared with the site's answer to a
//! path that cannot exist (soft 404), and turned into a page record.

use std::sync::Arc;

use reqwest::Method;
use tokio::sync::Semaphore;
use url::Url;
use xxhash_rust::xxh3::xxh3_64;

use super::engine::{CrawlRules, PreviousPage};
use super::fetch::{fetch, BodyMode, Fetched, Validators};
use super::frontier::Task;
use super::origin::origin_key;
use super::site::{SiteRun, TaskResult};
use super::types::*;
use crate::extract::{self};

impl SiteRun {
    pub(super) async fn probe_not_found(&self, home: &Url) {
        let mut u = home.clone();
        let token: u64 = rand::random();
        u.set_path(&format!("/govscan-not-found-{token:016x}.html"));
        u.set_query(None);
        if self.settings.robots && !self.robots_for(&u).await.allowed(&u) {
            let _ = self.not_found.set(None);
            return;
        }
        let mut f = fetch(
            &self.crawler.client,
            &self.crawler.origins,
            &u,
            Method::GET,
            BodyMode::Full,
            &self.limits,
            None,
        )
        .await;
        // A challenge page is not the site's answer to a missing page: comparing pages with
        // it would make every challenged page a soft 404.
        self.classify_block(&u, &mut f);
        let sig = match f.outcome.status {
            LinkStatus::Ok { status: 200 } if f.is_html() => parse_page(
                f.body,
                f.content_type,
                f.final_url,
                1,
                self.crawler.rules.clone(),
                self.parse_settings(),
                self.crawler.parsing.clone(),
            )
            .await
            .filter(|p| !p.binary)
            .map(|p| (p.page.title, fingerprint(&p.page.text))),
            _ => None,
        };
        let _ = self.not_found.set(sig);
    }

    pub(super) async fn run_page(&self, task: Task) -> TaskResult {
        let c = &self.crawler;
        let validators = self
            .previous
            .as_ref()
            .and_then(|p| p.validators(&self.site_name, &task.key))
            .map(|(etag, last_modified)| Validators {
                etag,
                last_modified,
            });

        let mut f = fetch(
            &c.client,
            &c.origins,
            &task.url,
            Method::GET,
            BodyMode::Full,
            &self.limits,
            validators.as_ref(),
        )
        .await;
        if f.outcome.status == (LinkStatus::Ok { status: 304 }) {
            // The stored copy is read only now, off the async workers.
            let prev = match self.previous.clone() {
                Some(p) => {
                    let (site, key) = (self.site_name.clone(), task.key.clone());
                    tokio::task::spawn_blocking(move || p.get(&site, &key))
                        .await
                        .ok()
                        .flatten()
                }
                None => None,
            };
            if let Some(prev) = prev {
                return not_modified(task, f, prev, &c.rules);
            }
        }
        self.classify_block(&task.url, &mut f);
        let answer = f.http_status().map(|s| (origin_key(&f.final_url), s));
        let final_key =
            extract::canonicalize(&f.final_url, &self.settings.session_params).to_string();
        let parse = f.outcome.status.is_ok() && f.is_html() && self.in_scope(&f.final_url) && {
            // A redirect to a page already crawled or queued is not parsed again.
            final_key == task.key || self.lock().frontier.mark(&final_key)
        };
        if !parse {
            let mut r = TaskResult::fetched(task, f, None);
            r.answer = answer;
            return r;
        }
        let Some(parsed) = parse_page(
            std::mem::take(&mut f.body),
            f.content_type.clone(),
            f.final_url.clone(),
            task.depth,
            c.rules.clone(),
            self.parse_settings(),
            c.parsing.clone(),
        )
        .await
        else {
            tracing::warn!(url = %f.final_url, "the page could not be parsed");
            let mut r = TaskResult::fetched(task, f, None);
            r.answer = answer;
            return r;
        };
        let page = parsed.page;
        let page_facts = parsed.facts;
        let mut raw = parsed.raw;
        let mut outcome = f.outcome.clone();
        if let (Some(Some((title, nf))), false) = (self.not_found.get(), parsed.binary) {
            // Compared only on sites that answer 200 to a path that cannot exist, and titles
            // first: the fingerprint walks the whole text.
            if *title == page.title && task.depth > 0 && *nf == fingerprint(&page.text) {
                if let Some(raw) = raw.as_mut() {
                    raw.like_not_found = true;
                }
            }
        }
        if let Some(raw) = raw.as_mut() {
            raw.http_status = outcome.status.http_status();
        }
        if let Some(status) = soft404_status(
            page.title.as_deref(),
            &page.text,
            raw.as_ref().is_some_and(|r| r.like_not_found),
            &c.rules.soft404_patterns,
        ) {
            outcome.status = status;
        }
        let record = PageRecord {
            url: task.key.clone(),
            final_url: f.final_url.to_string(),
            depth: task.depth,
            status: outcome.status.clone(),
            charset: Some(parsed.encoding.to_string()),
            title: page.title.clone(),
            content_hash: Some(format!("{:016x}", parsed.text_hash)),
            etag: f.etag.clone(),
            last_modified: f.last_modified.clone(),
            fetched_at: chrono::Utc::now().to_rfc3339(),
            elapsed_ms: f.outcome.elapsed_ms,
            bytes: f.bytes,
            truncated: f.truncated || parsed.limited,
            links_found: page.links.len(),
            facts: page_facts,
            raw: raw.map(Box::new),
        };
        let links = if outcome.status.is_ok() {
            page.links
        } else {
            Vec::new()
        };
        TaskResult {
            requests: f.requests,
            task,
            outcome,
            page: Some(record),
            links,
            answer,
            target: None,
        }
    }
}

pub(super) struct Parsed {
    pub(super) encoding: &'static str,
    pub(super) page: extract::ExtractedPage,
    pub(super) facts: extract::PageFacts,
    /// The raw observation (none for binary content).
    pub(super) raw: Option<extract::PageRaw>,
    pub(super) text_hash: u64,
    /// The page was read only in part (see [`extract::PageFacts::parse_limit`]).
    pub(super) limited: bool,
    /// Binary content: not parsed at all.
    pub(super) binary: bool,
}

/// Decode and extract a page on the blocking pool: parsing is CPU work, so it must not stall
/// the async workers. At most `parse_concurrency` pages are parsed at once (the permit), and
/// each costs a bounded multiple of its body (see [`extract::bounded`]): binary content is not
/// parsed (None), a page too deep or too large for a DOM is scanned for links by the
/// tokenizer, and links beyond `max_links_per_page` are counted, not kept. A parser panic on
/// a malformed page is contained here and gives None.
pub(super) async fn parse_page(
    body: Vec<u8>,
    content_type: Option<String>,
    url: Url,
    depth: u32,
    rules: Arc<CrawlRules>,
    settings: ParseSettings,
    parsing: Arc<Semaphore>,
) -> Option<Parsed> {
    if extract::looks_binary(&body) {
        // Recorded as a page with nothing in it: binary content has no text or links.
        let facts = extract::PageFacts {
            parse_limit: Some("binary content (control characters): not parsed".into()),
            ..Default::default()
        };
        return Some(Parsed {
            encoding: "binary",
            page: extract::ExtractedPage::default(),
            facts,
            raw: None,
            text_hash: xxh3_64(&body),
            limited: true,
            binary: true,
        });
    }
    let _permit = parsing.acquire_owned().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let d = extract::decode(&body, content_type.as_deref());
        drop(body);
        let limits = extract::ParseLimits::with_max_links(settings.max_links_per_page);
        let shape = extract::bounded::shape(&d.text);
        let (page, found, mut facts, raw, mut limit) = match shape.exceeds(&limits) {
            Some(why) => {
                let (page, found) = extract::bounded::scan_links(
                    &d.text,
                    &url,
                    d.encoding,
                    &settings.session_params,
                    limits.max_links,
                );
                let raw = extract::PageRaw::of(&page, depth);
                (page, found, extract::PageFacts::default(), raw, Some(why))
            }
            None => {
                let doc = scraper::Html::parse_document(&d.text);
                let (page, found) = extract::extract_document_capped(
                    &doc,
                    &url,
                    d.encoding,
                    &settings.session_params,
                    limits.max_links,
                );
                let (facts, raw) =
                    extract::page_facts_and_raw(&doc, &page, &url, depth, &rules.facts);
                (page, found, facts, raw, None)
            }
        };
        if found > page.links.len() {
            let capped = format!(
                "links capped: {} of {} kept (max_links_per_page)",
                page.links.len(),
                found
            );
            limit = Some(match limit {
                Some(l) => format!("{l}; {capped}"),
                None => capped,
            });
        }
        let limited = limit.is_some();
        facts.parse_limit = limit;
        Parsed {
            encoding: d.encoding.name(),
            page,
            facts,
            raw: Some(raw),
            text_hash: xxh3_64(d.text.as_bytes()),
            limited,
            binary: false,
        }
    })
    .await
    .ok()
}

/// The crawl settings that page parsing needs.
#[derive(Clone)]
pub(super) struct ParseSettings {
    pub(super) session_params: Vec<String>,
    pub(super) max_links_per_page: usize,
}

/// Reason of a page that says it does not exist: a soft-404 phrase of the rules in its
/// title or short text, else the sameness with the site's answer to a missing page.
fn soft404_status(
    title: Option<&str>,
    text: &str,
    like_not_found: bool,
    patterns: &[String],
) -> Option<LinkStatus> {
    if let Some(reason) = extract::soft404::soft404_reason(title, text, patterns) {
        return Some(LinkStatus::Soft404 { reason });
    }
    like_not_found.then(|| LinkStatus::Soft404 {
        reason: LIKE_NOT_FOUND.into(),
    })
}

/// The soft-404 reason of a page that is the site's answer to a missing page.
const LIKE_NOT_FOUND: &str = "与网站对不存在地址的应答相同";

/// Draw a stored page's rule-dependent facts and its soft-404 classification again from its
/// raw observation, under `rules` (the rules being applied now). A page without a raw
/// observation (stored before version 6 of the store, or binary) keeps what was stored.
pub(super) fn reclassify(page: &mut PageRecord, rules: &CrawlRules) {
    let Some(raw) = page.raw.as_deref() else {
        return;
    };
    if raw.facts {
        extract::apply_fact_rules(
            &mut page.facts,
            &raw.text,
            raw,
            page.depth == 0,
            &rules.facts,
        );
    }
    // Only an answer that was a page (2xx, or a soft 404 of one) is classified again; a page
    // reused on a 304 stays a 304 unless it now reads as a soft 404.
    let Some(http) = raw.http_status else {
        return;
    };
    let ok = match page.status {
        LinkStatus::Ok { status } => status,
        LinkStatus::Soft404 { .. } => http,
        _ => return,
    };
    page.status = soft404_status(
        page.title.as_deref(),
        &raw.text,
        raw.like_not_found,
        &rules.soft404_patterns,
    )
    .unwrap_or(LinkStatus::Ok { status: ok });
}

/// A 304 Not Modified answer: the stored copy of the page stands, with its facts and links
/// (the rule-dependent facts drawn again under the rules of this crawl).
pub(super) fn not_modified(
    task: Task,
    f: Fetched,
    prev: PreviousPage,
    rules: &CrawlRules,
) -> TaskResult {
    let mut page = prev.page;
    reclassify(&mut page, rules);
    page.status = if page.status.is_ok() {
        LinkStatus::Ok { status: 304 }
    } else {
        page.status
    };
    page.url = task.key.clone();
    page.depth = task.depth;
    page.fetched_at = chrono::Utc::now().to_rfc3339();
    page.elapsed_ms = f.outcome.elapsed_ms;
    let outcome = FetchOutcome {
        status: page.status.clone(),
        redirects: f.outcome.redirects.clone(),
        final_url: page.final_url.clone(),
        elapsed_ms: f.outcome.elapsed_ms,
    };
    let links = if page.status.is_ok() {
        prev.links.iter().map(PageLink::to_raw).collect()
    } else {
        Vec::new()
    };
    let answer = Some((origin_key(&f.final_url), 304));
    TaskResult {
        task,
        outcome,
        page: Some(page),
        links,
        requests: f.requests,
        answer,
        target: None,
    }
}

/// A fingerprint of a page's text that ignores digits (dates, counters, request ids).
pub(super) fn fingerprint(text: &str) -> u64 {
    let stripped: String = text
        .chars()
        .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
        .collect();
    xxh3_64(stripped.as_bytes())
}
