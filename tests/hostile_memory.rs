//! Memory and parse time bounded by the body cap whatever a page contains (issue 11, §2–3).
//! Heap use is measured in-process by a counting allocator; this binary holds one test so no
//! other test's allocations are counted.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::config::Config;
use govscan::crawl::{CrawlRules, Crawler, NoObserver, SiteFacts};
use govscan::demo::server::gzip_bomb;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const MIB: usize = 1024 * 1024;
/// The body cap of these tests.
const CAP: usize = 2 * MIB;

fn html(body: String) -> Response {
    ([("content-type", "text/html; charset=utf-8")], body).into_response()
}

/// Peak heap growth (bytes) while `f` runs.
async fn peak_during<F: std::future::Future<Output = T>, T>(f: F) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f.await;
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

fn config() -> Config {
    let mut cfg = fast_config();
    cfg.crawl.max_body_bytes = CAP as u64;
    cfg.crawl.total_timeout = Duration::from_secs(20);
    cfg.crawl.robots = false;
    cfg.crawl.max_links_per_page = 1000;
    cfg.crawl.check_external = false;
    cfg
}

/// Crawl several fixture sites at once with one crawler.
async fn crawl_all(cfg: Config, servers: &[&govscan::demo::server::Running]) -> Vec<SiteFacts> {
    let mut cfg = cfg;
    let sites: Vec<_> = servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut site = site_for(s);
            site.name = format!("站点{i}");
            site
        })
        .collect();
    cfg.sites = sites.clone();
    let crawler = Arc::new(
        Crawler::new(
            Arc::new(cfg),
            CrawlRules::default(),
            Arc::new(NoObserver),
            2026,
        )
        .unwrap(),
    );
    let futs = sites.iter().map(|s| {
        let c = crawler.clone();
        let s = s.clone();
        async move { c.crawl_site(&s).await }
    });
    futures_util::future::join_all(futs).await
}

fn page_of<'a>(f: &'a SiteFacts, path: &str) -> &'a govscan::crawl::PageRecord {
    f.pages
        .iter()
        .find(|p| p.url.ends_with(path))
        .unwrap_or_else(|| panic!("no page {path}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_and_parse_time_are_bounded_by_the_body_cap() {
    // Fixtures built before measuring.
    let nul = vec![0u8; 3 * MIB];
    let nul = String::from_utf8(nul).unwrap();
    let _ = tokio::task::spawn_blocking(|| gzip_bomb(50 * MIB)).await;
    let mut links = String::from("<html><head><title>链接</title></head><body><table>");
    for i in 0..150_000 {
        links.push_str(&format!("<TR><TD><a href=\"/x/{i}.html\">链接{i}</a>\n"));
    }
    let nested = format!(
        "<html><head><title>深</title></head><body>{}<a href=\"./deep.html\">深处</a></body></html>",
        "<div>".repeat(200_000)
    );
    let (nul2, links2, nested2) = (nul.clone(), links.clone(), nested.clone());
    let app = Router::new()
        .route(
            "/",
            get(|| async {
                html(page(
                    "首页",
                    &["/nul.html", "/bomb.html", "/links.html", "/nested.html"],
                ))
            }),
        )
        .route(
            "/nul.html",
            get(move || {
                let b = nul2.clone();
                async move { html(b) }
            }),
        )
        .route("/bomb.html", get(|| async { gzip_bomb(50 * MIB) }))
        .route(
            "/links.html",
            get(move || {
                let b = links2.clone();
                async move { html(b) }
            }),
        )
        .route(
            "/nested.html",
            get(move || {
                let b = nested2.clone();
                async move { html(b) }
            }),
        )
        .route("/{p}", get(|| async { html(page("其他", &[])) }))
        .route("/x/{p}", get(|| async { html(page("其他", &[])) }));
    let s = serve(app).await;
    let mut cfg = config();
    cfg.crawl.max_depth = 1;
    cfg.crawl.max_links = 10;
    let started = Instant::now();
    let (facts, peak) = peak_during(crawl_all(cfg, &[&s])).await;
    let took = started.elapsed();
    let f = &facts[0];
    eprintln!(
        "one site with four hostile pages: peak heap {} MiB, {took:?}",
        peak / MIB
    );
    // The nested page: bounded time (it took minutes), the record says it was only scanned,
    // and its link was still found.
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let nested_page = page_of(f, "/nested.html");
    assert!(nested_page.truncated);
    let why = nested_page.facts.parse_limit.as_deref().unwrap_or_default();
    assert!(why.contains("nesting depth"), "{why}");
    assert!(f.links.keys().any(|k| k.ends_with("/deep.html")));
    // NUL bytes and the bomb: binary content, recorded, not parsed.
    for p in ["/nul.html", "/bomb.html"] {
        let r = page_of(f, p);
        assert!(r.status.is_ok());
        assert!(r
            .facts
            .parse_limit
            .as_deref()
            .unwrap_or_default()
            .contains("binary"));
        assert_eq!(r.links_found, 0);
    }
    // The links page: capped, and the record says so.
    let l = page_of(f, "/links.html");
    assert_eq!(l.links_found, 1000);
    assert!(l
        .facts
        .parse_limit
        .as_deref()
        .unwrap_or_default()
        .contains("capped"));
    assert!(l.truncated);
    // Memory: a small multiple of the cap per page parsed at once (parse_concurrency = 2),
    // plus the DOM allowance of the element limit.
    let budget = 2 * 8 * CAP + 64 * MIB;
    assert!(
        peak < budget,
        "peak {} MiB > {} MiB",
        peak / MIB,
        budget / MIB
    );

    // Eight pages of NUL bytes crawled at once: bodies only, never parsed.
    let mut servers = Vec::new();
    for _ in 0..8 {
        let b = nul.clone();
        let app = Router::new().route(
            "/",
            get(move || {
                let b = b.clone();
                async move { html(b) }
            }),
        );
        servers.push(serve(app).await);
    }
    let refs: Vec<_> = servers.iter().collect();
    let (facts, peak) = peak_during(crawl_all(config(), &refs)).await;
    eprintln!("eight NUL pages at once: peak heap {} MiB", peak / MIB);
    assert_eq!(facts.len(), 8);
    for f in &facts {
        assert!(f.home.as_ref().is_some_and(|h| h.status.is_ok()));
    }
    let budget = 8 * 3 * CAP + 16 * MIB;
    assert!(
        peak < budget,
        "peak {} MiB > {} MiB",
        peak / MIB,
        budget / MIB
    );
}
