//! Many workers on one PostgreSQL: the same run scanned by 1, 2 and 4 worker processes,
//! unthrottled and at a polite rate. Prints the wall time of each and checks that the
//! findings are identical.
//!
//! Run with `scripts/bench-workers` (starts a throw-away PostgreSQL cluster), or with
//! `GOVSCAN_BENCH_PG_URL=postgres://… cargo bench --bench workers`. Sizes:
//! `GOVSCAN_BENCH_SITES` (default 8), `GOVSCAN_BENCH_PAGES` (default 300 per site),
//! `GOVSCAN_BENCH_RATE` (the polite rate, requests per second per origin, default 20),
//! `GOVSCAN_BENCH_PER_WORKER` (sites each worker scans at once, default 2).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use govscan::demo::bench::bench_router;
use govscan::demo::server::{spawn, Running};
use govscan::store::{FindingFilter, Location, Store};

/// Every finding (site, rule, URL) of a run, and the pages it counted.
type Outcome = (BTreeSet<(String, String, String)>, usize);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A schema of its own for one measurement.
fn schema_url(url: &str, name: &str) -> String {
    let (u, n) = (url.to_string(), name.to_string());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&u, postgres::NoTls).expect("connect");
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {n} CASCADE; CREATE SCHEMA {n}"
        ))
        .expect("schema");
    })
    .join()
    .expect("schema thread");
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{name}")
}

fn write_config(dir: &Path, servers: &[Running], rate: f64, pages: usize, url: &str) -> String {
    let mut t = format!(
        "[crawl]\nrate_per_origin = {rate}\nburst = 1\nmax_in_flight = 64\nconcurrency_per_site = 4\n\
         max_pages = {pages}\nmax_depth = 100\nmax_links = 100000\ncheck_external = false\n\
         total_timeout = \"30s\"\n\n[store]\nurl = \"{url}\"\n"
    );
    for (i, s) in servers.iter().enumerate() {
        t.push_str(&format!(
            "\n[[site]]\nname = \"bench-{i}\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
            s.url("/")
        ));
    }
    let p = dir.join(format!("config-{rate}.toml"));
    std::fs::write(&p, t).expect("write config");
    p.to_string_lossy().to_string()
}

/// Scan with `workers` processes: the first begins the run, the others join it.
fn scan_with(cfg: &str, workers: usize, per_worker: usize) -> f64 {
    let started = Instant::now();
    let per = per_worker.to_string();
    let base = [
        "scan",
        "--config",
        cfg,
        "--as-of",
        "2026-11-30",
        "--fail-on",
        "never",
        "--sites-at-once",
        per.as_str(),
    ];
    let mut children = vec![Command::new(env!("CARGO_BIN_EXE_govscan"))
        .args(base)
        .env("GOVSCAN_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn scan")];
    for _ in 1..workers {
        children.push(
            Command::new(env!("CARGO_BIN_EXE_govscan"))
                .args(base)
                .args(["--worker", "--wait", "60s"])
                .env("GOVSCAN_LOG", "error")
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn worker"),
        );
    }
    for mut c in children {
        let status = c.wait().expect("wait");
        assert!(status.success(), "a worker failed: {status}");
    }
    started.elapsed().as_secs_f64()
}

/// Every finding of the store's latest run: (site, rule, URL), and the pages counted.
fn findings(url: &str) -> Outcome {
    let store =
        Store::open_location_read_only(&Location::Postgres(url.to_string())).expect("store");
    let set = store
        .findings(&FindingFilter::default())
        .expect("findings")
        .into_iter()
        .map(|f| (f.site, f.finding.rule, f.finding.url))
        .collect();
    let run = store
        .latest_finished_run()
        .expect("run")
        .expect("a finished run");
    let pages = store
        .site_runs(run.id)
        .expect("site runs")
        .iter()
        .filter_map(|s| s.stats.as_ref().map(|st| st.pages))
        .sum();
    (set, pages)
}

fn main() {
    let Some(url) = std::env::var("GOVSCAN_BENCH_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!(
            "skipped: GOVSCAN_BENCH_PG_URL is not set (scripts/bench-workers starts a cluster)"
        );
        return;
    };
    let sites = env_usize("GOVSCAN_BENCH_SITES", 8);
    let pages = env_usize("GOVSCAN_BENCH_PAGES", 300);
    let rate = env_usize("GOVSCAN_BENCH_RATE", 20) as f64;
    let per_worker = env_usize("GOVSCAN_BENCH_PER_WORKER", 2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let servers: Vec<Running> = runtime.block_on(async {
        let mut v = Vec::new();
        for s in 0..sites {
            let addr = "127.0.0.1:0".parse().expect("constant address");
            v.push(spawn(addr, bench_router(s, pages)).await.expect("bind"));
        }
        v
    });
    let dir = tempfile::tempdir().expect("tempdir");
    println!(
        "{sites} sites x {pages} pages, {per_worker} sites at once per worker, one PostgreSQL"
    );
    for (label, r) in [("unthrottled", 0.0), ("polite", rate)] {
        let mut reference: Option<Outcome> = None;
        for workers in [1usize, 2, 4] {
            let name = format!(
                "bench_{}_{workers}",
                if r > 0.0 { "polite" } else { "fast" }
            );
            let store = schema_url(&url, &name);
            let cfg = write_config(dir.path(), &servers, r, pages, &store);
            let secs = scan_with(&cfg, workers, per_worker);
            let (set, counted) = findings(&store);
            let same = match &reference {
                None => {
                    reference = Some((set.clone(), counted));
                    "reference".to_string()
                }
                Some((want, want_pages)) => {
                    if *want == set && *want_pages == counted {
                        "identical".to_string()
                    } else {
                        format!(
                            "DIFFERENT ({} vs {} findings, {counted} vs {want_pages} pages)",
                            set.len(),
                            want.len()
                        )
                    }
                }
            };
            println!(
                "{label:<12} rate {r:>4} /s  {workers} worker(s): {secs:>6.1} s  {counted} pages  {} findings  {same}",
                set.len()
            );
        }
    }
}
