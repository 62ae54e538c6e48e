//! The crawl benchmark: generated government-like sites served on loopback from this process.
//!
//! Run with `cargo bench --bench crawl` (release build). Environment knobs:
//! `BENCH_SITES` (default 20), `BENCH_PAGES` pages per site (default 2000), `BENCH_RATE` the
//! per-origin rate for the rate-limited run (default 5 req/s), `BENCH_RATE_SECS` how long the
//! rate-limited run should last (default 20 s), `BENCH_PARSE_PAGES` pages for the parse-only
//! run (default 2000), `BENCH_ROUNDS` how many times the store-off and store-on runs
//! alternate (default 3; their medians are compared), `BENCH_PHASES` a comma-separated subset
//! of `parse,crawl,scan,rate` to run (default all; `scan` alone is handy under `perf record`).
//!
//! It reports:
//! 1. parse-only throughput: HTML decoding, parsing and link extraction of the same pages;
//! 2. the crawl with the rate limit off: pages/second over all sites;
//! 3. the crawl with every origin limited to r req/s: the achieved aggregate request rate as a
//!    share of sites × r;
//! 4. the same crawl as a daily scan with the store on (pages/second against the crawl with the
//!    store off, and the database size per 10,000 pages);
//! 5. peak memory (VmHWM) after each phase.

use std::sync::Arc;
use std::time::{Duration, Instant};

use govscan::config::{Config, SiteConfig, SiteKind, SiteLevel};
use govscan::crawl::{CrawlRules, Crawler, NoObserver};
use govscan::demo::bench::{bench_page, bench_router};
use govscan::demo::server::{spawn, Running};
use govscan::rules::RuleSet;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn parse_only(pages: usize) {
    let html: Vec<String> = (0..pages).map(|i| bench_page(i % 20, 2000, i)).collect();
    let bytes: usize = html.iter().map(String::len).sum();
    let url = url::Url::parse("http://127.0.0.1:8080/").expect("constant URL");
    let rules = RuleSet::embedded().expect("embedded rules");
    let crawl_rules = CrawlRules::from_rules(&rules);
    let params: Vec<String> = vec!["jsessionid".into(), "sid".into()];
    let started = Instant::now();
    let mut links = 0usize;
    for (i, h) in html.iter().enumerate() {
        let page_url = url.join(&format!("/p/{i}.html")).expect("page URL");
        let d = govscan::extract::decode(h.as_bytes(), Some("text/html; charset=utf-8"));
        let doc = scraper::Html::parse_document(&d.text);
        let page = govscan::extract::extract_document(&doc, &page_url, d.encoding, &params);
        let facts = govscan::extract::page_facts(&doc, &page, &page_url, 2, &crawl_rules.facts);
        links += page.links.len();
        std::hint::black_box(facts);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "parse only: {pages} pages ({:.1} MiB, {links} links) in {secs:.2} s = {:.0} pages/s ({:.1} MiB/s) on one core",
        bytes as f64 / 1048576.0,
        pages as f64 / secs,
        bytes as f64 / 1048576.0 / secs
    );
}

async fn serve_sites(sites: usize, pages: usize) -> Vec<Running> {
    let mut v = Vec::new();
    for s in 0..sites {
        let addr = "127.0.0.1:0".parse().expect("constant address");
        v.push(
            spawn(addr, bench_router(s, pages))
                .await
                .expect("bind loopback"),
        );
    }
    v
}

fn config_for(servers: &[Running], rate: f64, max_pages: usize) -> (Config, Vec<SiteConfig>) {
    let mut c = Config::default();
    c.crawl.rate_per_origin = rate;
    c.crawl.burst = 1;
    c.crawl.max_in_flight = 64;
    c.crawl.concurrency_per_site = 4;
    c.crawl.max_pages = max_pages;
    c.crawl.max_depth = 100;
    c.crawl.max_links = 100_000;
    c.crawl.check_external = false;
    if rate > 0.0 {
        // The rate run measures the limiter: pages only, no further link checks.
        c.crawl.max_links = 0;
    }
    c.crawl.total_timeout = Duration::from_secs(30);
    let sites: Vec<SiteConfig> = servers
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut s = SiteConfig::adhoc(url::Url::parse(&r.url("/")).expect("server URL"));
            s.name = format!("bench-{i}");
            s.level = SiteLevel::County;
            s.kind = SiteKind::Portal;
            s
        })
        .collect();
    c.sites = sites.clone();
    (c, sites)
}

/// Crawl every site at once, judging each as the scan does when `judge` is set; returns
/// (pages, requests, seconds).
async fn crawl_all(config: Config, sites: Vec<SiteConfig>, judge: bool) -> (usize, usize, f64) {
    let rules = Arc::new(RuleSet::embedded().expect("embedded rules"));
    let crawler = Arc::new(
        Crawler::new(
            Arc::new(config),
            CrawlRules::from_rules(&rules),
            Arc::new(NoObserver),
            2026,
        )
        .expect("crawler"),
    );
    let started = Instant::now();
    let mut handles = Vec::new();
    for s in sites {
        let c = crawler.clone();
        let rules = rules.clone();
        handles.push(tokio::spawn(async move {
            let facts = c.crawl_site(&s).await;
            if judge {
                // Judged as the scan judges (every check and the IPv6 measure), without the store.
                let as_of = govscan::asof::now();
                let judged =
                    govscan::inspect::inspect_crawled(&c, &s, &facts, &rules, as_of, None).await;
                std::hint::black_box(judged);
            }
            facts
        }));
    }
    let (mut pages, mut requests) = (0, 0);
    for h in handles {
        if let Ok(f) = h.await {
            pages += f.stats.pages;
            requests += f.stats.requests;
        }
    }
    (pages, requests, started.elapsed().as_secs_f64())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The crawl with every check, rate limit and store off; returns pages/second.
async fn run_crawl(sites: usize, pages: usize, round: usize) -> f64 {
    let servers = serve_sites(sites, pages).await;
    let (config, site_list) = config_for(&servers, 0.0, pages);
    let (p, req, secs) = crawl_all(config, site_list, true).await;
    println!(
        "[{round}] crawl and every check, rate limit off, store off: {p} pages, {req} requests in {secs:.1} s = {:.0} pages/s, {:.0} requests/s (server in the same process)",
        p as f64 / secs,
        req as f64 / secs
    );
    println!(
        "[{round}] peak RSS after the unlimited crawl: {:.0} MiB",
        peak_rss_mib()
    );
    p as f64 / secs
}

/// One scan of `config`'s sites into its store: (outcome, pages, seconds, store bytes after).
async fn scan_once(
    config: &Config,
    rules: &RuleSet,
) -> (govscan::inspect::scan::ScanOutcome, usize, f64, u64) {
    let started = Instant::now();
    let req = govscan::inspect::scan::ScanRequest {
        config: config.clone(),
        rules: rules.clone(),
        sites: Vec::new(),
        as_of: None,
        resume: false,
        wait: None,
        progress: std::sync::Arc::new(govscan::crawl::NoObserver),
        worker: false,
        sites_at_once: 4,
    };
    let outcome = match govscan::inspect::scan::scan(req).await {
        Ok(o) => o,
        Err(e) => panic!("scan failed: {e}"),
    };
    let secs = started.elapsed().as_secs_f64();
    let pages: usize = outcome.sites.iter().map(|s| s.stats.pages).sum();
    let db = &config.store.path;
    let bytes: u64 = [db.clone(), db.with_extension("db-wal")]
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    (outcome, pages, secs, bytes)
}

/// The same crawl as a daily scan with the store on (every page, its links and every link
/// result written); returns pages/second.
async fn run_scan(sites: usize, pages: usize, round: usize) -> f64 {
    let servers = serve_sites(sites, pages).await;
    let (mut config, _) = config_for(&servers, 0.0, pages);
    let dir = std::env::temp_dir().join(format!("govscan-bench-{}-{round}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench temp dir");
    config.store.path = dir.join("bench.db");
    let rules = RuleSet::embedded().expect("embedded rules");
    let (outcome, p, secs, db_bytes) = scan_once(&config, &rules).await;
    println!(
        "[{round}] the same as a scan, store on: {p} pages in {secs:.1} s = {:.0} pages/s; database {:.1} MiB = {:.1} MiB per 10,000 pages",
        p as f64 / secs,
        db_bytes as f64 / 1048576.0,
        db_bytes as f64 / 1048576.0 / (p.max(1) as f64) * 10_000.0
    );
    println!(
        "[{round}]   (the scan also runs every check and the IPv6 measure; the store writer thread was busy {:.1} s of the {secs:.1} s, in {} transactions)",
        outcome.writer.busy.as_secs_f64(),
        outcome.writer.transactions
    );
    println!(
        "[{round}] peak RSS after the scan: {:.0} MiB",
        peak_rss_mib()
    );
    if round == 1 {
        // The next day's scan of the same, unchanged sites into the same store: what the
        // history grows by per scan.
        let (_, p2, secs2, after) = scan_once(&config, &rules).await;
        let grown = after.saturating_sub(db_bytes) as f64 / 1048576.0;
        println!(
            "[{round}] a second scan of the unchanged sites into the same store: {p2} pages in {secs2:.1} s = {:.0} pages/s; the database grew {grown:.1} MiB = {:.1} MiB per 10,000 pages",
            p2 as f64 / secs2,
            grown / (p2.max(1) as f64) * 10_000.0
        );
    }
    if std::env::var_os("BENCH_KEEP_DB").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("[{round}] database kept at {}", dir.display());
    }
    p as f64 / secs
}

fn phase(name: &str) -> bool {
    match std::env::var("BENCH_PHASES") {
        Ok(v) => v.split(',').any(|p| p.trim() == name),
        Err(_) => true,
    }
}

fn main() {
    let sites = env_usize("BENCH_SITES", 20);
    let pages = env_usize("BENCH_PAGES", 2000);
    let rate = env_usize("BENCH_RATE", 5) as f64;
    let rate_secs = env_usize("BENCH_RATE_SECS", 20) as f64;
    println!("govscan crawl benchmark: {sites} sites x {pages} pages (20-40 KB each), loopback, {} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));

    if phase("parse") {
        parse_only(env_usize("BENCH_PARSE_PAGES", 2000));
    }
    println!("peak RSS after parse-only: {:.0} MiB", peak_rss_mib());

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // Store off and store on alternate, `BENCH_ROUNDS` times each, so that drift on a
        // shared machine weighs on both; the ratio is of the medians.
        let rounds = env_usize("BENCH_ROUNDS", 3).max(1);
        let (mut off, mut on) = (Vec::new(), Vec::new());
        for round in 1..=rounds {
            if phase("crawl") {
                off.push(run_crawl(sites, pages, round).await);
            }
            if phase("scan") {
                on.push(run_scan(sites, pages, round).await);
            }
        }
        if !off.is_empty() && !on.is_empty() {
            let (m_off, m_on) = (median(&mut off), median(&mut on));
            println!(
                "median of {rounds} rounds: store off {m_off:.0} pages/s, store on {m_on:.0} pages/s = {:.0}% of the store-off rate",
                100.0 * m_on / m_off
            );
        }

        // Rate-limited: enough pages per site to keep each origin busy for `rate_secs`.
        if phase("rate") {
        let per_site = ((rate * rate_secs) as usize).clamp(10, pages);
        let servers = serve_sites(sites, pages).await;
        let (config, site_list) = config_for(&servers, rate, per_site);
        let (p, _, secs) = crawl_all(config, site_list, false).await;
        let received: usize = servers.iter().map(|s| s.log.count()).sum();
        let achieved = received as f64 / secs;
        let allowed = sites as f64 * rate;
        println!(
            "crawl, {rate} req/s per origin: {p} pages, {received} requests received in {secs:.1} s = {achieved:.1} req/s of {allowed:.0} allowed ({:.1}%)",
            100.0 * achieved / allowed
        );
        // Per-origin worst one-second window (should never exceed rate + burst).
        let mut worst = 0;
        for s in &servers {
            let times: Vec<Instant> = s.log.requests().iter().map(|r| r.at).collect();
            for (i, t) in times.iter().enumerate() {
                let n = times[i..].iter().take_while(|u| u.duration_since(*t) < Duration::from_secs(1)).count();
                worst = worst.max(n);
            }
        }
        println!("busiest one-second window of any origin: {worst} requests (limit {} = rate + burst)", rate as usize + 1);
        }
        println!("peak RSS at the end: {:.0} MiB", peak_rss_mib());
    });
}
