//! Many workers on one PostgreSQL store, end to end: the binary's `scan` and `scan --worker`
//! against loopback fixture sites. The run's sites are shared out and the findings equal
//! one scan's; a killed worker's sites are taken over and finished with nothing lost or
//! counted twice; and two workers together keep to an origin's rate.
//!
//! They need the PostgreSQL database named by `GOVSCAN_TEST_PG_URL` (`.ci/run` starts a
//! throw-away cluster and sets it); without it each says so and is skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::{html, Running};
use govscan::store::{FindingFilter, Location, Store};

const TEST_PG_URL: &str = "GOVSCAN_TEST_PG_URL";

/// A schema of its own in the test database (its URL sets `search_path`), or `None` with
/// the reason printed.
fn pg_store(test: &str) -> Option<String> {
    let Some(url) = std::env::var(TEST_PG_URL).ok().filter(|u| !u.is_empty()) else {
        eprintln!(
            "skipped: {test}: {TEST_PG_URL} is not set (.ci/run starts a PostgreSQL cluster and sets it)"
        );
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let schema = format!("w{}_{nanos}", std::process::id());
    // The synchronous client runs its own runtime: on a thread of its own.
    let (u, sc) = (url.clone(), schema.clone());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&u, postgres::NoTls).expect("connect to the test PG");
        c.batch_execute(&format!("CREATE SCHEMA {sc}"))
            .expect("create schema");
    })
    .join()
    .expect("create the test schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    Some(format!("{url}{sep}options=-c%20search_path%3D{schema}"))
}

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("workers", name)
}

/// A config with the given sites, storing in PostgreSQL at `url` (or in `dir/govscan.db`).
fn write_config(dir: &Path, sites: &[(&str, String)], extra: &str, url: Option<&str>) -> String {
    let store = match url {
        Some(u) => format!("url = \"{u}\""),
        None => format!("path = \"{}\"", dir.join("govscan.db").display()),
    };
    let mut t = format!(
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n{extra}\n[store]\n{store}\n"
    );
    for (name, url) in sites {
        t.push_str(&format!(
            "\n[[site]]\nname = \"{name}\"\nurl = \"{url}\"\nlevel = \"county\"\nkind = \"portal\"\n"
        ));
    }
    let p = dir.join("config.toml");
    std::fs::write(&p, t).expect("write config");
    p.to_string_lossy().to_string()
}

fn ok(body: String) -> Response {
    html(StatusCode::OK, &body)
}

/// A site of `pages` pages, each `delay` slow; every seventh links to a missing page.
fn site(pages: usize, delay: Duration) -> Router {
    Router::new()
        .route("/", get(move || async move { ok(page("首页", &["/p/1"])) }))
        .route(
            "/p/{n}",
            get(
                move |axum::extract::Path(n): axum::extract::Path<usize>| async move {
                    tokio::time::sleep(delay).await;
                    let mut links: Vec<String> = Vec::new();
                    for k in [n * 2, n * 2 + 1] {
                        if k < pages {
                            links.push(format!("/p/{k}"));
                        }
                    }
                    if n % 7 == 0 {
                        links.push(format!("/missing/{n}"));
                    }
                    let refs: Vec<&str> = links.iter().map(String::as_str).collect();
                    ok(page(&format!("第{n}页"), &refs))
                },
            ),
        )
}

/// Every site's broken-link targets and page count, from the latest finished scan.
fn results(location: &Location, sites: &[&str]) -> Vec<(String, Vec<String>, usize, usize)> {
    let store = Store::open_location_read_only(location).expect("store");
    let findings = store.findings(&FindingFilter::default()).expect("findings");
    sites
        .iter()
        .map(|name| {
            let mut broken: Vec<String> = findings
                .iter()
                .filter(|f| f.site == *name && f.finding.rule.starts_with("link.broken"))
                .map(|f| {
                    let u = &f.finding.url;
                    u.split_once("/missing/")
                        .map(|x| x.1.to_string())
                        .unwrap_or_default()
                })
                .collect();
            broken.sort();
            let history = store.history(name).expect("history");
            // Every page stored once in the site run, as many as its statistics count.
            if let Some(h) = history.last() {
                let urls = store.page_urls(h.site_run).expect("pages");
                let mut unique = urls.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(unique.len(), urls.len(), "{name}: a page stored twice");
                assert_eq!(urls.len(), h.pages, "{name}: pages stored and counted");
            }
            (
                name.to_string(),
                broken,
                history.len(),
                history.last().map(|h| h.pages).unwrap_or(0),
            )
        })
        .collect()
}

fn scan_args(cfg: &str) -> Vec<String> {
    [
        "scan",
        "--config",
        cfg,
        "--as-of",
        "2026-11-30",
        "--fail-on",
        "never",
        "--sites-at-once",
        "1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn spawn(args: &[String]) -> std::process::Child {
    bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn govscan")
}

fn wait_ok(child: std::process::Child, what: &str) {
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The reference: one scan of the sites into an SQLite file.
async fn reference(
    sites: &[(&str, String)],
    names: &[&str],
    name: &str,
) -> Vec<(String, Vec<String>, usize, usize)> {
    let dir = temp_dir(name);
    let cfg = write_config(&dir, sites, "concurrency_per_site = 2", None);
    let mut args = scan_args(&cfg);
    args.truncate(7);
    let out = run(args).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    results(&Location::Sqlite(dir.join("govscan.db")), names)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_a_run_and_find_what_one_scan_finds() {
    let Some(url) = pg_store("two_workers_share_a_run_and_find_what_one_scan_finds") else {
        return;
    };
    let servers: Vec<Running> = vec![
        serve(site(20, Duration::from_millis(5))).await,
        serve(site(30, Duration::from_millis(5))).await,
        serve(site(25, Duration::from_millis(5))).await,
        serve(site(15, Duration::from_millis(5))).await,
    ];
    let names = ["甲县", "乙县", "丙县", "丁县"];
    let sites: Vec<(&str, String)> = names
        .iter()
        .zip(&servers)
        .map(|(n, s)| (*n, s.url("/")))
        .collect();
    let expected = reference(&sites, &names, "share-reference").await;
    assert!(expected.iter().all(|(_, b, _, _)| !b.is_empty()));
    let reference_cfg = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("workers-{}-share-reference", std::process::id()))
        .join("config.toml")
        .to_string_lossy()
        .to_string();

    let dir = temp_dir("share");
    let cfg = write_config(&dir, &sites, "concurrency_per_site = 2", Some(&url));
    for s in &servers {
        s.log.clear();
    }
    // The scan begins the run and works; a worker joins it (waiting for it to appear).
    let first = spawn(&scan_args(&cfg));
    let mut worker_args = scan_args(&cfg);
    worker_args.extend([
        "--worker".to_string(),
        "--wait".to_string(),
        "30s".to_string(),
    ]);
    let second = spawn(&worker_args);
    wait_ok(first, "scan");
    wait_ok(second, "worker");

    let location = Location::Postgres(url.clone());
    let store = Store::open_location_read_only(&location).expect("store");
    assert!(
        store.unfinished_run().expect("read").is_none(),
        "run finished"
    );
    drop(store);
    assert_eq!(results(&location, &names), expected);
    // The reading commands print the same from PostgreSQL as from the SQLite reference.
    for args in [
        vec!["findings".to_string()],
        vec!["history".to_string(), names[1].to_string()],
        vec![
            "judge".to_string(),
            "--fail-on".to_string(),
            "never".to_string(),
        ],
    ] {
        let with = |cfg: &str| {
            let mut a = args.clone();
            a.extend(["--config".to_string(), cfg.to_string()]);
            a
        };
        let want = run(with(&reference_cfg)).await;
        let got = run(with(&cfg)).await;
        assert_eq!(got.status.code(), want.status.code(), "{args:?}");
        assert!(!want.stdout.is_empty(), "{args:?}");
        // Everything but each crawl's duration (`用时`).
        let text = |o: &std::process::Output| -> Vec<String> {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter(|l| !l.contains("用时"))
                .map(str::to_string)
                .collect()
        };
        let (got, want) = (text(&got), text(&want));
        assert!(got == want, "{args:?} differs from the SQLite store's");
    }
    // Each site's pages were fetched once in all (no site crawled by both workers).
    for s in &servers {
        let pages: Vec<String> = s
            .log
            .requests()
            .iter()
            .filter(|r| r.path().starts_with("/p/"))
            .map(|r| r.path().to_string())
            .collect();
        let mut unique = pages.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(pages.len(), unique.len(), "a page fetched twice: {pages:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_sites_are_taken_over_and_finished() {
    let Some(url) = pg_store("a_killed_workers_sites_are_taken_over_and_finished") else {
        return;
    };
    const PAGES: usize = 60;
    let slow = serve(site(PAGES, Duration::from_millis(40))).await;
    let quick = serve(site(10, Duration::from_millis(1))).await;
    let names = ["慢县", "快县"];
    let sites = vec![(names[0], slow.url("/")), (names[1], quick.url("/"))];
    let expected = reference(&sites, &names, "kill-reference").await;

    let dir = temp_dir("kill");
    let cfg = write_config(&dir, &sites, "concurrency_per_site = 2", Some(&url));
    slow.log.clear();
    // One scan working alone, killed part-way through the slow site.
    let mut args = scan_args(&cfg);
    args.truncate(7);
    let mut child = spawn(&args);
    let started = Instant::now();
    while slow
        .log
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/p/"))
        .count()
        < PAGES / 3
    {
        assert!(started.elapsed() < Duration::from_secs(30), "scan too slow");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // SIGKILL (what `Child::kill` sends on Unix): no chance to clean up.
    child.kill().expect("kill the worker");
    let _ = child.wait();
    let fetched_before = page_paths(&slow);
    let before = slow.log.count();
    assert!(before < PAGES, "killed too late");
    let location = Location::Postgres(url.clone());
    let stored = committed(&location, names[0], &slow);
    {
        let store = Store::open_location_read_only(&location).expect("store");
        assert!(store.unfinished_run().expect("read").is_some());
    }
    // Another worker takes the killed one's claims over (its process is gone) and finishes.
    let mut worker_args = scan_args(&cfg);
    worker_args.push("--worker".into());
    wait_ok(spawn(&worker_args), "worker");
    let store = Store::open_location_read_only(&location).expect("store");
    assert!(
        store.unfinished_run().expect("read").is_none(),
        "run finished"
    );
    drop(store);
    // Identical findings, each site scanned once in the run, every page counted once.
    assert_eq!(results(&location, &names), expected);
    // What the killed scan had committed was not fetched again (only what it fetched in its
    // last moments, not yet written, may be).
    let again = refetched(&fetched_before, &page_paths(&slow));
    let twice: Vec<&String> = again.iter().filter(|p| stored.contains(p)).collect();
    assert!(
        twice.is_empty(),
        "stored before the kill, fetched again: {twice:?}"
    );
}

/// The pages of `site` that the store's unfinished run has committed, as the fixture's paths.
fn committed(location: &Location, site: &str, server: &Running) -> Vec<String> {
    let store = Store::open_location_read_only(location).expect("store");
    let Some(run) = store.unfinished_run().expect("read") else {
        return Vec::new();
    };
    let Some(sr) = store
        .site_runs(run.id)
        .expect("sites")
        .into_iter()
        .find(|s| s.site == site)
    else {
        return Vec::new();
    };
    let base = server.url("/");
    store
        .page_urls(sr.id)
        .expect("pages")
        .into_iter()
        .filter_map(|u| u.strip_prefix(&base).map(|p| format!("/{p}")))
        .collect()
}

/// The `/p/…` paths a fixture site was asked for, in order.
fn page_paths(s: &Running) -> Vec<String> {
    s.log
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/p/"))
        .map(|r| r.path().to_string())
        .collect()
}

/// The paths in `all` requested again after the first `before.len()` requests.
fn refetched(before: &[String], all: &[String]) -> Vec<String> {
    let mut again: Vec<String> = all[before.len().min(all.len())..]
        .iter()
        .filter(|p| before.contains(p))
        .cloned()
        .collect();
    again.sort();
    again.dedup();
    again
}

/// A worker (not the scan that began the run) killed mid-site while the scan goes on: the
/// scan takes the site over at once (the worker's process is gone), finishes it and the run,
/// with the findings of one scan, every page stored and counted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_site_is_taken_over_by_the_live_scan() {
    let Some(url) = pg_store("a_worker_killed_mid_site_is_taken_over_by_the_live_scan") else {
        return;
    };
    const PAGES: usize = 60;
    let first = serve(site(PAGES, Duration::from_millis(30))).await;
    let second = serve(site(PAGES, Duration::from_millis(30))).await;
    let names = ["甲县", "乙县"];
    let sites = vec![(names[0], first.url("/")), (names[1], second.url("/"))];
    let expected = reference(&sites, &names, "worker-kill-reference").await;
    let dir = temp_dir("worker-kill");
    let cfg = write_config(&dir, &sites, "concurrency_per_site = 2", Some(&url));
    first.log.clear();
    second.log.clear();
    // The scan claims one site (one at a time); the worker joins and claims the other.
    let scan = spawn(&scan_args(&cfg));
    let mut worker_args = scan_args(&cfg);
    worker_args.extend([
        "--worker".to_string(),
        "--wait".to_string(),
        "30s".to_string(),
    ]);
    let mut worker = spawn(&worker_args);
    let started = Instant::now();
    // Kill the worker a third of the way through its site (whichever it claimed).
    let theirs = loop {
        assert!(started.elapsed() < Duration::from_secs(30), "too slow");
        let location = Location::Postgres(url.clone());
        let claimed = std::thread::spawn(move || {
            let store = Store::open_location_read_only(&location).ok()?;
            let run = store.unfinished_run().ok()??;
            let sites = store.site_runs(run.id).ok()?;
            Some(sites.len())
        })
        .join()
        .ok()
        .flatten();
        let counts = [page_paths(&first).len(), page_paths(&second).len()];
        if claimed == Some(2) && counts.iter().all(|c| *c >= PAGES / 3) {
            break counts;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    worker.kill().expect("kill the worker");
    let _ = worker.wait();
    assert!(theirs.iter().all(|c| *c < PAGES), "killed too late");
    let before = [page_paths(&first), page_paths(&second)];
    let location = Location::Postgres(url.clone());
    let stored = [
        committed(&location, names[0], &first),
        committed(&location, names[1], &second),
    ];
    // The scan finishes both sites and the run.
    wait_ok(scan, "scan");
    let store = Store::open_location_read_only(&location).expect("store");
    assert!(
        store.unfinished_run().expect("read").is_none(),
        "run finished"
    );
    drop(store);
    assert_eq!(results(&location, &names), expected);
    // What either process had committed was not fetched again.
    for ((s, before), stored) in [&first, &second].into_iter().zip(&before).zip(&stored) {
        let again = refetched(before, &page_paths(s));
        let twice: Vec<&String> = again.iter().filter(|p| stored.contains(p)).collect();
        assert!(
            twice.is_empty(),
            "stored before the kill, fetched again: {twice:?}"
        );
    }
}

/// The exit status of a run shared by workers: the process that finishes the run (it records
/// the run's last site) answers for every site of the run, as one scan would; every other
/// process for the sites it judged itself. A site not inspected is 3, a finding at or above
/// `--fail-on` 1 (each fixture site has vetoes: its home page shows no dates).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_that_finishes_a_shared_run_answers_for_all_of_it() {
    let Some(url) = pg_store("the_process_that_finishes_a_shared_run_answers_for_all_of_it") else {
        return;
    };
    // 慢县 takes seconds (60 pages of 100 ms, two at a time): the workers, started once it
    // is being crawled, finish theirs well before.
    let slow = serve(site(60, Duration::from_millis(100))).await;
    let quick = serve(site(5, Duration::from_millis(1))).await;
    let names = ["慢县", "坏站", "快县"];
    let sites = vec![
        (names[0], slow.url("/")),
        (names[1], "http://127.0.0.1:9/".to_string()),
        (names[2], quick.url("/")),
    ];
    let dir = temp_dir("exit");
    let cfg = write_config(&dir, &sites, "concurrency_per_site = 2", Some(&url));
    let args = |worker: bool| -> Vec<String> {
        let mut a: Vec<String> = [
            "scan",
            "--config",
            cfg.as_str(),
            "--as-of",
            "2026-11-30",
            "--sites-at-once",
            "1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if worker {
            a.extend([
                "--worker".to_string(),
                "--wait".to_string(),
                "30s".to_string(),
            ]);
        }
        a
    };
    let spawn_out = |a: &[String]| {
        bin()
            .args(a)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn govscan")
    };
    // The scan begins the run and claims 慢县 (the queue's first); once it is crawling, two
    // workers join and share 坏站 and 快县, and are done long before the scan.
    let scan = spawn_out(&args(false));
    let started = Instant::now();
    while page_paths(&slow).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "scan too slow");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let workers = [spawn_out(&args(true)), spawn_out(&args(true))];
    let mut outs = vec![scan.wait_with_output().expect("wait")];
    for w in workers {
        outs.push(w.wait_with_output().expect("wait"));
    }
    // Each process's own sites (its summary) and, for the one that finished the run, the
    // sites the others judged.
    struct Said {
        code: Option<i32>,
        finished: bool,
        own: Vec<String>,
        others: Vec<String>,
    }
    let said: Vec<Said> = outs
        .iter()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout).to_string();
            let (mine, theirs) = text.split_once("由其他工作进程检查").unwrap_or((&text, ""));
            let listed = |part: &str| -> Vec<String> {
                names
                    .iter()
                    .filter(|n| part.lines().any(|l| l.starts_with(&format!("{n} "))))
                    .map(|n| n.to_string())
                    .collect()
            };
            assert!(
                text.contains("已全部完成") != text.contains("由其他工作进程完成"),
                "{text}
{}",
                String::from_utf8_lossy(&o.stderr)
            );
            Said {
                code: o.status.code(),
                finished: text.contains("已全部完成"),
                own: listed(mine),
                others: listed(theirs),
            }
        })
        .collect();
    // Exactly one process finished the run: the scan, whose site took longest.
    assert_eq!(said.iter().filter(|s| s.finished).count(), 1);
    let shown: Vec<String> = outs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .collect();
    assert!(said[0].finished, "the scan finished the run: {shown:#?}");
    assert_eq!(said[0].own, vec!["慢县".to_string()]);
    // Every site judged by exactly one process.
    let mut own: Vec<String> = said.iter().flat_map(|s| s.own.clone()).collect();
    own.sort();
    let mut all: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(own, all);
    for s in &said {
        let mut scope: Vec<String> = s.own.clone();
        if s.finished {
            // The finisher lists every site the others judged.
            let mut covered = [s.own.clone(), s.others.clone()].concat();
            covered.sort();
            assert_eq!(covered, all);
            scope.extend(s.others.clone());
        } else {
            assert!(s.others.is_empty());
        }
        let want = if scope.iter().any(|n| n == "坏站") {
            3
        } else if scope.is_empty() {
            0
        } else {
            1
        };
        assert_eq!(s.code, Some(want), "own {:?}, others {:?}", s.own, s.others);
    }
    // The scan judged only 慢县 (vetoes) but answers for 坏站 too: 3. The worker that
    // judged 快县 alone answers for it alone: 1.
    assert_eq!(said[0].code, Some(3));
    let store = Store::open_location_read_only(&Location::Postgres(url)).expect("store");
    assert!(store.unfinished_run().expect("read").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_together_keep_to_an_origins_rate() {
    let Some(url) = pg_store("two_workers_together_keep_to_an_origins_rate") else {
        return;
    };
    // A third origin both sites link into, many times each.
    let hits: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let h = hits.clone();
    let shared = serve(Router::new().route(
        "/doc/{n}",
        get(move || {
            let h = h.clone();
            async move {
                if let Ok(mut v) = h.lock() {
                    v.push(Instant::now());
                }
                ok(page("文件", &[]))
            }
        }),
    ))
    .await;
    let linking = |prefix: &'static str, target: String| {
        Router::new().route(
            "/",
            get(move || {
                let target = target.clone();
                async move {
                    // Slow enough that both workers have claimed their site before either
                    // checks a link.
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    let links: Vec<String> =
                        (0..8).map(|i| format!("{target}doc/{prefix}{i}")).collect();
                    let refs: Vec<&str> = links.iter().map(String::as_str).collect();
                    ok(page("首页", &refs))
                }
            }),
        )
    };
    let a = serve(linking("a", shared.url("/"))).await;
    let b = serve(linking("b", shared.url("/"))).await;
    let sites = vec![("甲站", a.url("/")), ("乙站", b.url("/"))];
    let dir = temp_dir("pace");
    // 5 requests a second per origin: at least 200 ms between two requests to the shared
    // origin, whichever worker sends them.
    let cfg = write_config(&dir, &sites, "", Some(&url));
    let text = std::fs::read_to_string(&cfg)
        .expect("read")
        .replace("rate_per_origin = 0", "rate_per_origin = 5\nburst = 1");
    std::fs::write(&cfg, text).expect("write");
    let first = spawn(&scan_args(&cfg));
    let mut worker_args = scan_args(&cfg);
    worker_args.extend([
        "--worker".to_string(),
        "--wait".to_string(),
        "30s".to_string(),
    ]);
    let second = spawn(&worker_args);
    wait_ok(first, "scan");
    wait_ok(second, "worker");
    let mut at = hits.lock().expect("hits").clone();
    at.sort();
    assert!(at.len() >= 16, "both sites' links checked: {}", at.len());
    // The slots are 200 ms apart; when a request reaches the server after its slot starts
    // varies by the scheduling delay of its process (tens of ms on a loaded machine), so the
    // rate is checked over windows: no six requests within 800 ms (two workers each keeping
    // to 5/s alone would send up to ten a second). A full second's span of six requests is
    // 1,000 ms; 200 ms is the jitter allowed.
    let spans: Vec<Duration> = at.windows(6).map(|w| w[5] - w[0]).collect();
    let least = spans.iter().min().copied().unwrap_or_default();
    assert!(
        least >= Duration::from_millis(800),
        "six requests within {least:?}: spans {spans:?}"
    );
    let mean = (at[at.len() - 1] - at[0]) / u32::try_from(at.len() - 1).unwrap_or(1);
    assert!(
        mean >= Duration::from_millis(190),
        "mean gap {mean:?}: above the rate"
    );
    // And both workers took part (each site was claimed by one of them).
    let store = Store::open_location_read_only(&Location::Postgres(url)).expect("store");
    let run = store.latest_finished_run().expect("run").expect("finished");
    assert_eq!(store.site_runs(run.id).expect("sites").len(), 2);
}
