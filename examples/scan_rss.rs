//! Peak memory of a real `govscan scan` process against generated sites on loopback.
//!
//! The benchmark sites of `benches/crawl.rs` (`govscan::demo::bench`) are served from this
//! process; a `govscan scan` child crawls them into a fresh store with the rate limit off, under
//! `/usr/bin/time -v`, and this reports its peak RSS, its wall time and pages/s, and the store's
//! size per 10,000 pages. Run it through `scripts/bench-scan-rss.sh` (which builds the release
//! binary first), or directly:
//!
//! ```sh
//! cargo build --release --bin govscan --example scan_rss
//! BENCH_SITES=40 BENCH_PAGES=2116 target/release/examples/scan_rss target/release/govscan
//! ```
//!
//! Knobs: `BENCH_SITES` (40), `BENCH_PAGES` pages per site (2116: about 84,600 pages in all),
//! `BENCH_KEEP_DB=1` to keep the store (its folder is printed), `BENCH_WRAPPER` a command
//! to run the scan under (a profiler: `BENCH_WRAPPER="heaptrack -o /tmp/scan"`).

use std::process::Command;
use std::time::Instant;

use govscan::demo::bench::bench_router;
use govscan::demo::server::spawn;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `Maximum resident set size (kbytes): N` of `/usr/bin/time -v`, in KiB.
fn max_rss_kib(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find(|l| l.contains("Maximum resident set size"))
        .and_then(|l| l.rsplit(':').next())
        .and_then(|v| v.trim().parse().ok())
}

fn main() {
    let bin = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/release/govscan".to_string());
    let sites = env_usize("BENCH_SITES", 40);
    let pages = env_usize("BENCH_PAGES", 2116);
    let dir = std::env::temp_dir().join(format!("govscan-scan-rss-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let servers = rt.block_on(async {
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
    });
    // The crawl settings of the benchmark's unlimited scan (`benches/crawl.rs`).
    let mut toml = format!(
        "[crawl]\nrate_per_origin = 0\nburst = 1\nmax_in_flight = 64\nconcurrency_per_site = 4\n\
         max_pages = {pages}\nmax_depth = 100\nmax_links = 100000\ncheck_external = false\n\
         total_timeout = \"30s\"\n\n[store]\npath = \"{}\"\n",
        dir.join("scan.db").display()
    );
    for (i, s) in servers.iter().enumerate() {
        toml.push_str(&format!(
            "\n[[site]]\nname = \"bench-{i}\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
            s.url("/")
        ));
    }
    let config = dir.join("config.toml");
    std::fs::write(&config, toml).expect("write the config");
    println!(
        "govscan scan of {sites} generated sites x {pages} pages on loopback ({bin}), {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let started = Instant::now();
    // `BENCH_WRAPPER="heaptrack -o /tmp/scan"` runs the scan under a profiler (its RSS is then
    // the profiler's too).
    let wrapper = std::env::var("BENCH_WRAPPER").unwrap_or_default();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .args(wrapper.split_whitespace())
        .arg(&bin)
        .arg("scan")
        .arg("--config")
        .arg(&config)
        .arg("--fail-on")
        .arg("never")
        .output()
        .expect("run /usr/bin/time -v govscan scan");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rss = max_rss_kib(&stderr);
    if !out.status.success() || rss.is_none() {
        eprintln!("{stderr}");
        panic!("govscan scan failed: {}", out.status);
    }
    let store = govscan::store::Store::open_read_only(&dir.join("scan.db")).expect("the store");
    let run = store
        .latest_finished_run()
        .expect("read the store")
        .expect("a finished run");
    let crawled: usize = store
        .site_runs(run.id)
        .expect("read the site runs")
        .iter()
        .filter_map(|s| s.stats.as_ref())
        .map(|s| s.pages)
        .sum();
    drop(store);
    let db: u64 = ["scan.db", "scan.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    let mib = db as f64 / 1048576.0;
    println!(
        "pages {crawled} in {secs:.1} s = {:.0} pages/s; peak RSS {:.0} MiB; store {mib:.1} MiB = {:.1} MiB per 10,000 pages",
        crawled as f64 / secs,
        rss.unwrap_or(0) as f64 / 1024.0,
        mib / crawled.max(1) as f64 * 10_000.0
    );
    if std::env::var_os("BENCH_KEEP_DB").is_some() {
        println!("store kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    drop(servers);
}
