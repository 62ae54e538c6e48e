//! Shared helpers of the integration tests: fixture sites on loopback and fast crawl settings.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use govscan::config::{Config, SiteConfig, SiteKind, SiteLevel};
use govscan::crawl::{CrawlRules, Crawler, NoObserver, SiteFacts};
use govscan::demo::server::{spawn, Running};
use url::Url;

/// Serve a router on 127.0.0.1 (any free port).
pub async fn serve(app: Router) -> Running {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("constant address");
    spawn(addr, app).await.expect("bind a loopback port")
}

/// Serve a router on [::1], or None when the machine has no IPv6 loopback.
pub async fn serve_v6(app: Router) -> Option<Running> {
    let addr: SocketAddr = "[::1]:0".parse().expect("constant address");
    spawn(addr, app).await.ok()
}

/// Crawl settings that keep tests fast: no rate limit unless a test sets one, short timeouts,
/// quick retries.
pub fn fast_config() -> Config {
    let mut c = Config::default();
    c.crawl.rate_per_origin = 0.0;
    c.crawl.burst = 10;
    c.crawl.total_timeout = Duration::from_secs(3);
    c.crawl.connect_timeout = Duration::from_secs(2);
    c.crawl.retries = 1;
    c.crawl.retry_backoff = Duration::from_millis(20);
    c.crawl.max_retry_after = Duration::from_millis(200);
    c.crawl.max_pages = 200;
    c
}

/// A site at the root of a running fixture server.
pub fn site_for(running: &Running) -> SiteConfig {
    let mut s = SiteConfig::adhoc(Url::parse(&running.url("/")).expect("fixture URL"));
    s.name = "测试站点".into();
    s.level = SiteLevel::County;
    s.kind = SiteKind::Portal;
    s
}

/// Crawl one site with a configuration (the site is added to it).
pub async fn crawl(mut config: Config, site: SiteConfig) -> SiteFacts {
    config.sites.push(site.clone());
    let crawler = Arc::new(
        Crawler::new(
            Arc::new(config),
            CrawlRules::default(),
            Arc::new(NoObserver),
            2026,
        )
        .expect("crawler"),
    );
    crawler.crawl_site(&site).await
}

/// Crawl a fixture server with the fast settings.
pub async fn crawl_fast(running: &Running) -> SiteFacts {
    crawl(fast_config(), site_for(running)).await
}

/// The status of a link target given by its path on the fixture server.
pub fn status_of<'a>(
    facts: &'a SiteFacts,
    running: &Running,
    path: &str,
) -> &'a govscan::crawl::LinkStatus {
    let url = running.url(path);
    match facts.links.get(&url) {
        Some(l) => &l.outcome.status,
        None => panic!(
            "no link {url} in {:?}",
            facts.links.keys().collect::<Vec<_>>()
        ),
    }
}

/// A minimal HTML page with links.
pub fn page(title: &str, links: &[&str]) -> String {
    let mut body = format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1><p>这是一个用于测试的政府网站页面，内容正常。</p>");
    for (i, l) in links.iter().enumerate() {
        body.push_str(&format!("<a href=\"{l}\">栏目{}</a> ", i + 1));
    }
    body.push_str("</body></html>");
    body
}

/// The govscan binary of this build, logging only errors.
pub fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_govscan"));
    c.env("GOVSCAN_LOG", "error");
    c
}

/// Run the binary with `args`, off the async runtime (the fixture servers run on it).
pub async fn run(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || bin().args(&args).output().expect("run govscan"))
        .await
        .expect("join")
}

/// A fresh, empty folder for one test, named after its file (`prefix`) and the test.
pub fn temp_dir_in(prefix: &str, name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A finding without what differs between two crawls of the same site (request timings in
/// its evidence).
fn comparable(f: &govscan::checks::Finding) -> String {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("elapsed_ms");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut evidence = f.evidence.clone();
    strip(&mut evidence);
    format!(
        "{} {:?} {} {} {:?} {} {evidence}",
        f.rule, f.kind, f.points, f.url, f.page, f.message
    )
}

/// A fixture site judged two ways, with one crawl worker (so both crawls visit its pages in
/// the same order): from the facts of a crawl held in memory, and from what a `scan` of it
/// wrote to a store in `dir`, read back page by page and link by link (with the rule-dependent
/// facts drawn again from the raw observations, as `judge` does). Returns the findings of
/// each, comparable, and how many pages the crawl read.
pub async fn judged_from_memory_and_store(
    mut config: Config,
    site: SiteConfig,
    rules: &govscan::rules::RuleSet,
    as_of: chrono::DateTime<chrono::FixedOffset>,
    dir: &std::path::Path,
) -> (Vec<String>, Vec<String>, usize) {
    config.crawl.concurrency_per_site = 1;
    let in_memory = crawl(config.clone(), site.clone()).await;
    let mut from_memory: Vec<String> =
        govscan::inspect::judge(&site, &in_memory, rules, as_of, None, None)
            .iter()
            .map(comparable)
            .collect();
    from_memory.sort();

    config.store.path = dir.join("govscan.db");
    config.sites = vec![site.clone()];
    govscan::inspect::scan::scan(govscan::inspect::scan::ScanRequest {
        config: config.clone(),
        rules: rules.clone(),
        sites: Vec::new(),
        as_of: Some(as_of),
        resume: false,
        wait: None,
        worker: false,
        sites_at_once: 2,
        progress: Arc::new(NoObserver),
    })
    .await
    .expect("scan");
    let store = govscan::store::Store::open_read_only(&config.store.path).expect("store");
    let run = store.latest_finished_run().expect("read").expect("a run");
    let sr = store.site_runs(run.id).expect("site runs");
    let crawler = Arc::new(
        Crawler::new(
            Arc::new(config.clone()),
            CrawlRules::from_rules(rules),
            Arc::new(NoObserver),
            2026,
        )
        .expect("crawler"),
    );
    // Read back as the scan and `judge` read it: only what the checks go through, the rest
    // looked up in the store.
    let from_store = govscan::inspect::rejudge::facts_from_store(
        &crawler,
        govscan::store::Store::open_read_only(&config.store.path).expect("store"),
        sr[0].id,
        &site,
        true,
        rules,
    )
    .expect("read back");
    assert!(!from_store.complete());
    let mut judged: Vec<String> =
        govscan::inspect::judge(&site, &from_store, rules, as_of, None, None)
            .iter()
            .map(comparable)
            .collect();
    judged.sort();
    (from_memory, judged, in_memory.pages.len())
}
