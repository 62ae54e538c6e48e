//! The daily scan end to end: the binary against fixture sites, the store it fills, new /
//! persisting / fixed findings across scans, a killed scan resumed, conditional requests, and
//! store failures.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::{html, Running};
use govscan::store::{FindingFilter, FindingStatus, Store};

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("scan", name)
}

/// A config with the given sites (name, url), storing in `dir/govscan.db`.
fn write_config(dir: &Path, sites: &[(&str, String)], extra: &str) -> String {
    let mut t = format!(
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n{extra}\n[store]\npath = \"{}\"\n",
        dir.join("govscan.db").display()
    );
    for (name, url) in sites {
        t.push_str(&format!("\n[[site]]\nname = \"{name}\"\nurl = \"{url}\"\nlevel = \"county\"\nkind = \"portal\"\n"));
    }
    let p = dir.join("config.toml");
    std::fs::write(&p, t).expect("write config");
    p.to_string_lossy().to_string()
}

fn ok(body: String) -> Response {
    html(StatusCode::OK, &body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rescans_report_new_persisting_and_fixed_findings() {
    // Day 1: /a.html and /b.html are broken. Day 2: /a.html is fixed, /c.html breaks.
    let day2 = Arc::new(AtomicBool::new(false));
    let d = day2.clone();
    let app = Router::new()
        .route("/", get(|| async { ok(page("首页", &["/p.html"])) }))
        .route(
            "/p.html",
            get(move || {
                let d = d.load(Ordering::SeqCst);
                async move {
                    if d {
                        ok(page("列表", &["/a.html", "/b.html", "/c.html"]))
                    } else {
                        ok(page("列表", &["/a.html", "/b.html"]))
                    }
                }
            }),
        )
        .route(
            "/a.html",
            get({
                let d = day2.clone();
                move || {
                    let d = d.load(Ordering::SeqCst);
                    async move {
                        if d {
                            ok(page("甲", &[]))
                        } else {
                            html(StatusCode::NOT_FOUND, "没有")
                        }
                    }
                }
            }),
        );
    let s = serve(app).await;
    let dir = temp_dir("rescan");
    let cfg = write_config(&dir, &[("示范站", s.url("/"))], "");
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        cfg.clone(),
        "--as-of".into(),
        "2026-11-29".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("示范站"), "{text}");

    day2.store(true, Ordering::SeqCst);
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        cfg.clone(),
        "--as-of".into(),
        "2026-11-30".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    let links = |status| {
        let mut v: Vec<String> = store
            .findings(&FindingFilter {
                status: Some(status),
                ..FindingFilter::default()
            })
            .expect("findings")
            .into_iter()
            .filter(|f| f.finding.rule.starts_with("link.broken"))
            .map(|f| f.finding.url.rsplit('/').next().unwrap_or("").to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(links(FindingStatus::New), vec!["c.html"]);
    assert_eq!(links(FindingStatus::Persisting), vec!["b.html"]);
    assert_eq!(links(FindingStatus::Fixed), vec!["a.html"]);

    let hist = store.history("示范站").expect("history");
    assert_eq!(hist.len(), 2);

    // The reading commands.
    let out = run(vec![
        "findings".into(),
        "--config".into(),
        cfg.clone(),
        "--status".into(),
        "fixed".into(),
        "--format".into(),
        "csv".into(),
        // For scripts: no byte order mark (the default CSV has one, for Excel).
        "--no-bom".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with("site,status,rule") && csv.contains("a.html") && !csv.contains("c.html"),
        "{csv}"
    );
    let out = run(vec![
        "history".into(),
        "示范站".into(),
        "--config".into(),
        cfg.clone(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    let h = String::from_utf8_lossy(&out.stdout);
    assert!(h.contains("2026-11-29") && h.contains("2026-11-30"), "{h}");
}

/// A site of many pages, each a little slow, so a scan can be killed half-way.
fn slow_site(pages: usize) -> Router {
    Router::new()
        .route("/", get(move || async move { ok(page("首页", &["/p/1"])) }))
        .route(
            "/p/{n}",
            get(
                move |axum::extract::Path(n): axum::extract::Path<usize>| async move {
                    tokio::time::sleep(Duration::from_millis(40)).await;
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

/// Start `govscan scan` on `cfg` in the background and wait until the slow site `s` has
/// received `pages` page requests.
async fn start_scan(cfg: &str, s: &Running, pages: usize) -> std::process::Child {
    let child = bin()
        .args([
            "scan",
            "--config",
            cfg,
            "--as-of",
            "2026-11-30",
            "--fail-on",
            "never",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn scan");
    let started = Instant::now();
    while s
        .log
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/p/"))
        .count()
        < pages
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "scan too slow to start"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child
}

fn broken_targets(db: &Path) -> Vec<String> {
    let store = Store::open_read_only(db).expect("store");
    let mut v: Vec<String> = store
        .findings(&FindingFilter::default())
        .expect("findings")
        .into_iter()
        .filter(|f| f.finding.rule.starts_with("link.broken"))
        .map(|f| {
            f.finding
                .url
                .rsplit_once(':')
                .map(|(_, p)| {
                    p.split_once('/')
                        .map(|x| x.1.to_string())
                        .unwrap_or_default()
                })
                .unwrap_or_default()
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_scan_resumes_without_losing_or_refetching_anything() {
    const PAGES: usize = 60;
    // Uninterrupted reference scan.
    let reference = serve(slow_site(PAGES)).await;
    let rdir = temp_dir("reference");
    let rcfg = write_config(
        &rdir,
        &[("站点", reference.url("/"))],
        "concurrency_per_site = 2",
    );
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        rcfg,
        "--as-of".into(),
        "2026-11-30".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = broken_targets(&rdir.join("govscan.db"));
    assert!(!expected.is_empty());
    let expected_pages = Store::open_read_only(&rdir.join("govscan.db"))
        .expect("store")
        .history("站点")
        .expect("history")[0]
        .pages;

    // The same site, killed part-way.
    let s = serve(slow_site(PAGES)).await;
    let dir = temp_dir("killed");
    let cfg = write_config(&dir, &[("站点", s.url("/"))], "concurrency_per_site = 2");
    let mut child = start_scan(&cfg, &s, PAGES / 3).await;
    child.kill().expect("kill the scan");
    let _ = child.wait();
    let before: Vec<String> = s
        .log
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path().to_string())
        .collect();
    assert!(
        before.len() < PAGES,
        "killed too late: {} requests",
        before.len()
    );

    // What was saved survives, and the run is unfinished.
    {
        let store = Store::open(&dir.join("govscan.db")).expect("store after kill");
        let run = store
            .unfinished_run()
            .expect("read")
            .expect("an unfinished run");
        let site_runs = store.site_runs(run.id).expect("site runs");
        let saved = store.resume_state(site_runs[0].id).expect("resume state");
        assert!(!saved.pages.is_empty(), "pages written as they arrived");
    }

    s.log.clear();
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        cfg.clone(),
        "--resume".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: Vec<String> = s
        .log
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path().to_string())
        .collect();
    // Nothing already saved is fetched again (robots.txt and the not-found probe aside); pages
    // in flight when the scan was killed may be.
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    assert!(
        store.unfinished_run().expect("read").is_none(),
        "the resumed run is finished"
    );
    let refetched: Vec<&String> = after
        .iter()
        .filter(|p| p.starts_with("/p/") && before.contains(p))
        .collect();
    assert!(refetched.len() <= 4, "refetched {refetched:?}");
    // The crawl does not fetch the saved home page again; the IPv6 check fetches it once over
    // each family to compare them (the IPv6 one finds no address on 127.0.0.1).
    assert!(
        after.iter().filter(|p| *p == "/").count() <= 1,
        "the home page was saved and not crawled again"
    );
    // The result equals the uninterrupted scan's.
    assert_eq!(broken_targets(&dir.join("govscan.db")), expected);
    let hist = store.history("站点").expect("history");
    assert_eq!(hist.len(), 1, "resumed, not a second scan");
    assert_eq!(hist[0].pages, expected_pages, "every page counted once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rescans_send_conditional_requests_and_reuse_stored_pages_on_304() {
    fn etag_page(headers: HeaderMap, tag: &'static str, body: String) -> Response {
        if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(tag) {
            return StatusCode::NOT_MODIFIED.into_response();
        }
        (
            [("etag", tag), ("content-type", "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
    let app = Router::new()
        .route(
            "/",
            get(|h: HeaderMap| async move {
                etag_page(h, "\"home-v1\"", page("首页", &["/list.html"]))
            }),
        )
        .route(
            "/list.html",
            get(|h: HeaderMap| async move {
                etag_page(h, "\"list-v1\"", page("列表", &["/gone.html"]))
            }),
        );
    let s = serve(app).await;
    let dir = temp_dir("etag");
    let cfg = write_config(&dir, &[("条件请求站", s.url("/"))], "");
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        cfg.clone(),
        "--as-of".into(),
        "2026-11-29".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    s.log.clear();
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        cfg.clone(),
        "--as-of".into(),
        "2026-11-30".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conditional: Vec<String> = s
        .log
        .requests()
        .iter()
        .filter(|r| r.header("if-none-match").is_some())
        .map(|r| r.path().to_string())
        .collect();
    assert!(
        conditional.contains(&"/".to_string()) && conditional.contains(&"/list.html".to_string()),
        "{conditional:?}"
    );
    // The links of the 304 pages were reused: the broken link is still found, and persists.
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    let persisting = store
        .findings(&FindingFilter {
            status: Some(FindingStatus::Persisting),
            ..FindingFilter::default()
        })
        .expect("findings");
    assert!(
        persisting
            .iter()
            .any(|f| f.finding.url.ends_with("/gone.html")),
        "{persisting:?}"
    );
    let hist = store.history("条件请求站").expect("history");
    assert_eq!(
        hist[1].pages, hist[0].pages,
        "same pages from the stored copies"
    );
}

#[test]
fn an_unusable_store_is_a_clear_error_with_status_3() {
    // Locked by another process's exclusive transaction.
    let dir = temp_dir("locked");
    let cfg = write_config(&dir, &[("甲", "http://127.0.0.1:9/".into())], "");
    Store::open(&dir.join("govscan.db")).expect("create the store");
    let conn = rusqlite::Connection::open(dir.join("govscan.db")).expect("open");
    conn.execute_batch("BEGIN EXCLUSIVE;").expect("lock");
    let out = bin()
        .args(["scan", "--config", &cfg])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("govscan.db") && err.contains("locked"),
        "{err}"
    );
    conn.execute_batch("ROLLBACK;").expect("unlock");

    // Not a database at all: refused, and left as it was.
    let dir = temp_dir("notadb");
    let cfg = write_config(&dir, &[("甲", "http://127.0.0.1:9/".into())], "");
    std::fs::write(dir.join("govscan.db"), "这不是数据库".repeat(100)).expect("write");
    let out = bin()
        .args(["scan", "--config", &cfg])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("govscan.db"));
    assert_eq!(
        std::fs::read_to_string(dir.join("govscan.db")).expect("read"),
        "这不是数据库".repeat(100)
    );

    // Unknown site name: a usage error.
    let out = bin()
        .args(["scan", "--config", &cfg, "--site", "不存在"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    // The message lists the configured sites.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("不存在") && err.contains("甲"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_stores_a_round_per_family_and_the_scan_judges_availability() {
    let s = serve(Router::new().route("/", get(|| async { ok(page("首页", &[])) }))).await;
    let dir = temp_dir("probe");
    let cfg = write_config(&dir, &[("探测站", s.url("/"))], "");
    for _ in 0..2 {
        let out = run(vec!["probe".into(), "--config".into(), cfg.clone()]).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    let now = govscan::asof::now();
    let probes = store
        .probes(
            "探测站",
            now - chrono::Duration::hours(1),
            now + chrono::Duration::hours(1),
        )
        .expect("probes");
    assert_eq!(probes.len(), 4, "two rounds, IPv4 and IPv6 each");
    assert_eq!(
        probes.iter().filter(|p| p.ok).count(),
        2,
        "the site answers over IPv4 only"
    );
    // Two probes are far from 20 a day: the scan says so rather than pass the site.
    let out = run(vec![
        "scan".into(),
        "--config".into(),
        cfg.clone(),
        "--fail-on".into(),
        "never".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    let rules: Vec<String> = store
        .findings(&FindingFilter::default())
        .expect("findings")
        .into_iter()
        .map(|f| f.finding.rule)
        .collect();
    assert!(
        rules.iter().any(|r| r == "site.unreachable.samples"),
        "{rules:?}"
    );
    assert!(!rules.iter().any(|r| r == "site.unreachable"), "{rules:?}");
    // A bad interval is a usage error.
    let out = run(vec![
        "probe".into(),
        "--config".into(),
        cfg,
        "--every".into(),
        "often".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
}

/// (rule, url) of every finding of a `--format json` report.
fn judged(out: &Output) -> Vec<(String, String)> {
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("judge prints one JSON document");
    let mut v: Vec<(String, String)> = doc["sites"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["url"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judge_rejudges_a_stored_scan_without_the_network() {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let demo = govscan::demo::site::start_demo(as_of)
        .await
        .expect("demo site");
    let dir = temp_dir("judge");
    let cfg = write_config(&dir, &[("示范县", demo.url("/"))], "");
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        cfg.clone(),
        "--as-of".into(),
        "2026-11-30".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored: Vec<(String, String)> = {
        let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
        let run = store.runs(1).expect("runs")[0].id;
        let sr = store.site_runs(run).expect("site runs")[0].id;
        let mut v: Vec<(String, String)> = store
            .site_findings(sr)
            .expect("findings")
            .into_iter()
            .map(|f| (f.rule, f.url))
            .collect();
        v.sort();
        v
    };
    assert!(!stored.is_empty());
    demo.log.clear();

    // Same rules, the run's own as-of: the same findings, and not one request.
    let judge = |extra: Vec<&str>| {
        let mut args: Vec<String> = vec![
            "judge".into(),
            "--config".into(),
            cfg.clone(),
            "--format".into(),
            "json".into(),
            "--fail-on".into(),
            "never".into(),
        ];
        args.extend(extra.into_iter().map(String::from));
        run(args)
    };
    let out = judge(vec![]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(judged(&out), stored);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        doc["as_of"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2026-11-30"),
        "{doc}"
    );

    // Seven months later, the home page has not been updated for months.
    let out = judge(vec!["--as-of", "2027-06-30"]).await;
    let later = judged(&out);
    assert!(
        later.iter().any(|(r, _)| r == "home.not_updated"),
        "{later:?}"
    );
    assert!(!stored.iter().any(|(r, _)| r == "home.not_updated"));

    // A threshold changed in the rule files applies to the stored facts: with a window of
    // 1000 days, the 人事信息 column (two years old) is no longer stale.
    let personnel = |v: &[(String, String)]| {
        v.iter()
            .filter(|(r, _)| r == "column.stale.personnel_plan")
            .count()
    };
    assert_eq!(personnel(&stored), 1, "{stored:?}");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).expect("rules")
    {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("rule file");
        if path.ends_with("columns.toml") {
            assert_eq!(text.matches("window_days = 365").count(), 1);
            text = text.replacen("window_days = 365", "window_days = 1000", 1);
        }
        std::fs::write(rules.join(path.file_name().expect("name")), text).expect("copy");
    }
    let out = judge(vec!["--rules", rules.to_str().expect("path")]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let relaxed = judged(&out);
    assert_eq!(personnel(&relaxed), 0, "{relaxed:?}");
    assert_eq!(relaxed.len(), stored.len() - 1);

    // Not one request reached the site while judging.
    assert_eq!(demo.log.count(), 0, "{:?}", demo.log.requests());

    // A run that is not there is a usage error.
    let out = judge(vec!["--run", "99"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_leaves_alone_a_run_that_another_process_is_still_writing() {
    const PAGES: usize = 60;
    let s = serve(slow_site(PAGES)).await;
    let dir = temp_dir("live");
    let cfg = write_config(&dir, &[("站点", s.url("/"))], "concurrency_per_site = 1");
    let mut child = start_scan(&cfg, &s, 5).await;
    // The 06:30 `--resume` while the 02:30 scan is still running: nothing is taken over.
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        cfg.clone(),
        "--resume".into(),
    ])
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("still being written by"), "{text}");
    // The first scan finishes on its own, every page counted once.
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success());
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    assert!(store.unfinished_run().expect("read").is_none());
    let hist = store.history("站点").expect("history");
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].pages, PAGES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulletin_writes_the_month_from_the_store_with_notices_per_site() {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    let demo = govscan::demo::site::start_demo(as_of)
        .await
        .expect("demo site");
    let small =
        serve(Router::new().route("/", get(|| async { ok(page("首页", &["/missing.html"])) })))
            .await;
    let dir = temp_dir("bulletin");
    let dead = "http://127.0.0.1:9/".to_string();
    let cfg = write_config(
        &dir,
        &[
            ("示范县", demo.url("/")),
            ("小站", small.url("/")),
            ("坏站", dead),
        ],
        "",
    );
    for day in ["2026-10-30", "2026-11-15", "2026-11-29"] {
        let out = run(vec![
            "scan".into(),
            "--config".into(),
            cfg.clone(),
            "--as-of".into(),
            day.into(),
        ])
        .await;
        // 坏站 cannot be inspected: the run could not complete (exit 3), the others are
        // scanned all the same.
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains("坏站"), "{err}");
    }
    let out_dir = dir.join("out");
    let out = run(vec![
        "bulletin".into(),
        "--config".into(),
        cfg.clone(),
        "--month".into(),
        "2026-11".into(),
        "--out".into(),
        out_dir.to_string_lossy().to_string(),
        "--issued-on".into(),
        "2026-12-01".into(),
        "--issuer".into(),
        "某市政务公开办".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("月通报-2026-11.json")).expect("json file"),
    )
    .expect("json");
    assert_eq!(json["title"], "2026年11月政府网站检查情况通报");
    assert_eq!(json["sites_total"], 3);
    assert_eq!(json["inspected"], 2);
    // 坏站 could not be inspected: listed with its state and reason, never scored.
    let ni = json["not_inspected"].as_array().expect("not inspected");
    assert_eq!(ni.len(), 1, "{ni:?}");
    assert_eq!(ni[0]["name"], "坏站");
    assert_eq!(ni[0]["state"], "无法检查");
    assert!(
        ni[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("首页无法访问")),
        "{ni:?}"
    );
    let sites = json["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 2);
    let passed = sites.iter().filter(|s| s["passed"] == true).count();
    assert_eq!(json["passed"], passed);
    assert_eq!(json["failed"], 2 - passed);
    // Two scans in November, the latest reported; October gives the change.
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    for s in sites {
        let name = s["name"].as_str().expect("name");
        assert_eq!(s["scans"], 2, "{s}");
        assert_eq!(s["scanned_on"], "2026-11-29");
        let hist = store.history(name).expect("history");
        let oct = hist
            .iter()
            .find(|h| h.as_of.date_naive().to_string() == "2026-10-30")
            .and_then(|h| h.score)
            .expect("october score");
        let nov = hist
            .iter()
            .find(|h| h.as_of.date_naive().to_string() == "2026-11-29")
            .and_then(|h| h.score)
            .expect("november score");
        assert_eq!(s["score"].as_f64(), Some(nov));
        assert_eq!(s["previous_score"].as_f64(), Some(oct));
        // Problems to fix: the findings a person need not confirm first (those are listed
        // apart, 待人工确认事项, and never in a notice).
        let to_fix = |f: &&serde_json::Value| f["needs_confirmation"] != true;
        let problems = s["vetoes"]
            .as_array()
            .map_or(0, |v| v.iter().filter(to_fix).count())
            + s["deductions"]
                .as_array()
                .map_or(0, |v| v.iter().filter(to_fix).count());
        // A notice exactly for the sites with problems, listing every one of them.
        if problems > 0 {
            let stem = s["notice"].as_str().expect("notice");
            let notice =
                std::fs::read_to_string(out_dir.join(format!("{stem}.md"))).expect("notice");
            assert!(notice.contains(&format!("关于{name}存在问题的整改通知")));
            assert!(notice.contains("10 个工作日内完成整改"));
            // The rules' 整改建议, once per rule with an advice.
            assert!(notice.contains("## 整改建议"), "{notice}");
            for a in s["advice"].as_array().expect("advice") {
                assert!(notice.contains(a["advice"].as_str().expect("advice")));
            }
            assert!(notice.contains("某市政务公开办"));
            for f in s["vetoes"]
                .as_array()
                .into_iter()
                .chain(s["deductions"].as_array())
                .flatten()
                .filter(to_fix)
            {
                assert!(
                    notice.contains(f["message"].as_str().expect("message")),
                    "{f}"
                );
            }
            assert!(out_dir.join(format!("{stem}.html")).is_file());
        } else {
            assert!(s["notice"].is_null());
        }
    }
    // 合格 sites are ranked by score, best first; 不合格 sites come after them, unranked.
    let passing: Vec<f64> = sites
        .iter()
        .filter(|s| s["passed"] == true)
        .filter_map(|s| s["score"].as_f64())
        .collect();
    assert!(passing.windows(2).all(|w| w[0] >= w[1]));
    let first_failing = sites.iter().position(|s| s["passed"] == false);
    let last_passing = sites.iter().rposition(|s| s["passed"] == true);
    if let (Some(f), Some(p)) = (first_failing, last_passing) {
        assert!(p < f, "a 不合格 site is listed above a 合格 one");
    }
    for s in sites {
        assert_eq!(s["rank"].is_null(), s["passed"] == false, "{s}");
    }
    if sites[0]["passed"] == true {
        assert_eq!(sites[0]["rank"], 1);
    }
    // The problem counts add up.
    let counted: u64 = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p["findings"].as_u64())
        .sum();
    let listed: usize = sites
        .iter()
        .map(|s| {
            ["vetoes", "deductions", "notices"]
                .iter()
                .map(|k| s[*k].as_array().map_or(0, Vec::len))
                .sum::<usize>()
        })
        .sum();
    assert_eq!(counted as usize, listed);
    let md = std::fs::read_to_string(out_dir.join("月通报-2026-11.md")).expect("md");
    for needle in [
        "# 2026年11月政府网站检查情况通报",
        "示范县",
        "小站",
        "坏站",
        "合格率",
    ] {
        assert!(md.contains(needle), "{needle}\n{md}");
    }
    let html = std::fs::read_to_string(out_dir.join("月通报-2026-11.html")).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("示范县"));
    let xlsx = std::fs::read(out_dir.join("月通报-2026-11.xlsx")).expect("xlsx");
    assert!(xlsx.starts_with(b"PK"), "an XLSX is a zip file");
    // The 公文 in Word, and the charts as images.
    let docx = std::fs::read(out_dir.join("月通报-2026-11.docx")).expect("docx");
    assert!(docx.starts_with(b"PK"), "a DOCX is a zip file");
    for i in 1..=3 {
        assert!(out_dir.join(format!("月通报-2026-11-图{i}.svg")).is_file());
        assert!(out_dir.join(format!("月通报-2026-11-图{i}.png")).is_file());
    }
    assert_eq!(html.matches("<figure><svg").count(), 3);
    for s in sites {
        if let Some(stem) = s["notice"].as_str() {
            assert!(out_dir.join(format!("{stem}.docx")).is_file(), "{stem}");
        }
    }

    // October is last month.
    assert_eq!(json["last_month"]["inspected"], 2);
    assert!(md.contains("上月检查 2 家"), "{md}");
    // Twelve months of trend, ending with November; months without data are not passes.
    let trend = json["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 12);
    assert_eq!(json["trend_months"][0], "2025-12");
    assert_eq!(trend[11]["month"], "2026-11");
    assert_eq!(trend[11]["inspected"], 2);
    assert_eq!(trend[11]["pass_rate"], json["pass_rate"]);
    assert_eq!(trend[10]["inspected"], 2);
    assert_eq!(trend[9]["inspected"], 0);
    assert!(trend[9]["pass_rate"].is_null() && trend[9]["average_score"].is_null());
    for s in sites {
        let t = s["trend"].as_array().expect("site trend");
        assert_eq!(t.len(), 12);
        assert_eq!(
            t[11].as_f64(),
            s["score"].as_f64().map(|v| (v * 10.0).round() / 10.0)
        );
        assert_eq!(
            t[10].as_f64(),
            s["previous_score"]
                .as_f64()
                .map(|v| (v * 10.0).round() / 10.0)
        );
        assert!(t[9].is_null());
    }
    // Each problem's change against October.
    for p in json["problems"].as_array().expect("problems") {
        let prev = p["previous_findings"].as_i64().expect("october had data");
        assert_eq!(
            p["change"].as_i64(),
            Some(p["findings"].as_i64().unwrap_or(0) - prev)
        );
    }
    assert!(md.contains("近12个月走势"), "{md}");

    // Judged again under the same rules, the month comes out the same.
    let re_dir = dir.join("rejudged");
    let out = run(vec![
        "bulletin".into(),
        "--config".into(),
        cfg.clone(),
        "--month".into(),
        "2026-11".into(),
        "--out".into(),
        re_dir.to_string_lossy().to_string(),
        "--rejudge".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(re_dir.join("月通报-2026-11.json")).expect("json file"),
    )
    .expect("json");
    assert_eq!(again["rejudged"], true);
    for key in ["inspected", "passed", "failed", "average_score", "problems"] {
        assert_eq!(again[key], json[key], "{key}");
    }
    for (a, b) in again["sites"].as_array().expect("sites").iter().zip(sites) {
        for key in [
            "name",
            "score",
            "verdict",
            "previous_score",
            "vetoes",
            "deductions",
        ] {
            assert_eq!(a[key], b[key], "{key}");
        }
    }

    // A month without scans is not a month of passes: the bulletin refuses, writes nothing.
    let out = run(vec![
        "bulletin".into(),
        "--config".into(),
        cfg.clone(),
        "--month".into(),
        "2026-09".into(),
        "--out".into(),
        out_dir.to_string_lossy().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("2026-09") && err.contains("no site has a finished scan"),
        "{err}"
    );
    assert!(!out_dir.join("月通报-2026-09.json").exists());
    // The text never claims passes for sites it did not inspect.
    assert!(!md.contains("本月检查的网站均合格"), "{md}");
    assert!(md.contains("坏站（无法检查"), "{md}");
    // A bad month is a usage error.
    let out = run(vec![
        "bulletin".into(),
        "--config".into(),
        cfg,
        "--month".into(),
        "2026-13".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_that_cannot_be_inspected_has_no_score_and_its_state() {
    // 甲 answers; 乙 refuses connections; 丙 answers 429 to everything (blocked).
    let good = serve(Router::new().route("/", get(|| async { ok(page("首页", &[])) }))).await;
    let blocked = serve(
        Router::new()
            .fallback(|| async { (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response() }),
    )
    .await;
    let refused = govscan::demo::server::closed_port_url().expect("closed port");
    let dir = temp_dir("uninspected");
    let cfg = write_config(
        &dir,
        &[
            ("甲", good.url("/")),
            ("乙", refused),
            ("丙", blocked.url("/")),
        ],
        "",
    );
    let out = run(vec![
        "scan".into(),
        "--config".into(),
        cfg.clone(),
        "--as-of".into(),
        "2026-11-30".into(),
    ])
    .await;
    // The others were scanned; the run could not complete (exit 3) and says which sites.
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("乙") && err.contains("丙") && !err.contains("甲"),
        "{err}"
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("甲").contains("合格"), "{text}");
    assert!(
        line("乙").contains("无法检查") && !line("乙").contains("合格"),
        "{text}"
    );
    assert!(
        line("丙").contains("被拦截") && !line("丙").contains("合格"),
        "{text}"
    );
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    let run_id = store
        .latest_finished_run()
        .expect("read")
        .expect("a run")
        .id;
    for sr in store.site_runs(run_id).expect("site runs") {
        match sr.site.as_str() {
            "甲" => assert!(sr.score.is_some() && sr.verdict.is_some_and(|v| v.inspected())),
            "乙" => assert_eq!(
                (sr.score, sr.verdict.map(|v| v.zh())),
                (None, Some("无法检查"))
            ),
            "丙" => assert_eq!(
                (sr.score, sr.verdict.map(|v| v.zh())),
                (None, Some("被拦截"))
            ),
            other => panic!("unexpected site {other}"),
        }
    }
    // History says so too, with no score.
    let out = run(vec![
        "history".into(),
        "乙".into(),
        "--config".into(),
        cfg.clone(),
        "--format".into(),
        "json".into(),
    ])
    .await;
    let h: serde_json::Value = serde_json::from_slice(&out.stdout).expect("history JSON");
    assert_eq!(h[0]["verdict"], "无法检查");
    assert!(h[0]["score"].is_null());
    good.shutdown().await;
    blocked.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_error_while_recording_findings_fails_the_scan() {
    // The findings table refuses every row (as a corrupted page would): the scan must say so
    // and exit 3, never report 0 new / 0 fixed and exit 0.
    let s = serve(
        Router::new()
            .route("/", get(|| async { ok(page("首页", &["/gone.html"])) }))
            .route(
                "/gone.html",
                get(|| async { html(StatusCode::NOT_FOUND, "<title>404</title>") }),
            ),
    )
    .await;
    let dir = temp_dir("badfindings");
    let cfg = write_config(&dir, &[("甲", s.url("/"))], "");
    Store::open(&dir.join("govscan.db")).expect("create the store");
    let conn = rusqlite::Connection::open(dir.join("govscan.db")).expect("open");
    conn.execute_batch(
        "CREATE TRIGGER boom BEFORE INSERT ON findings \
         BEGIN SELECT RAISE(ABORT, 'database disk image is malformed'); END;",
    )
    .expect("trigger");
    drop(conn);
    let out = run(vec!["scan".into(), "--config".into(), cfg]).await;
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("malformed"), "{err}");
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_exit_status_follows_fail_on_and_the_summary_aligns_by_display_width() {
    // Both sites have a veto (首页不更新: no dates) and deductions (a broken link).
    let s = serve(
        Router::new()
            .route("/", get(|| async { ok(page("首页", &["/gone.html"])) }))
            .route(
                "/gone.html",
                get(|| async { html(StatusCode::NOT_FOUND, "<title>404</title>") }),
            ),
    )
    .await;
    let dir = temp_dir("failon");
    let cfg = write_config(
        &dir,
        &[("甲", s.url("/")), ("示范县人民政府门户网站", s.url("/?b"))],
        "",
    );
    let scan = |fail_on: Option<&str>| {
        let mut args: Vec<String> = vec![
            "scan".into(),
            "--config".into(),
            cfg.clone(),
            "--as-of".into(),
            "2026-11-30".into(),
        ];
        if let Some(f) = fail_on {
            args.extend(["--fail-on".into(), f.into()]);
        }
        run(args)
    };
    for (fail_on, status) in [
        (None, 1),
        (Some("veto"), 1),
        (Some("deduct"), 1),
        (Some("never"), 0),
    ] {
        let out = scan(fail_on).await;
        assert_eq!(
            out.status.code(),
            Some(status),
            "--fail-on {fail_on:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The summary's columns line up on the terminal: every line of the table has the same
    // display width (a Chinese character is two columns).
    let out = scan(Some("never")).await;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let table: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(table.len(), 3, "{text}");
    assert!(table[0].starts_with("站点"), "{text}");
    let widths: Vec<usize> = table
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(*l))
        .collect();
    assert!(
        widths.windows(2).all(|w| w[0] == w[1]),
        "{widths:?}\n{text}"
    );
    // The 结论 column starts at the same display column on every line.
    let col = |l: &str, word: &str| {
        l.find(word)
            .map(|i| unicode_width::UnicodeWidthStr::width(&l[..i]))
    };
    assert_eq!(col(table[1], "不合格"), col(table[2], "不合格"), "{text}");
    assert_eq!(col(table[0], "结论"), col(table[1], "不合格"), "{text}");
    // The as-of time to the second.
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.contains("监测时间点 2026-11-30 23:59:59 +08:00")),
        "{text}"
    );
    s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_scan_refuses_while_another_owns_the_store_or_waits_for_it() {
    const PAGES: usize = 60;
    let s = serve(slow_site(PAGES)).await;
    let dir = temp_dir("onewriter");
    let cfg = write_config(&dir, &[("站点", s.url("/"))], "concurrency_per_site = 1");
    let mut child = start_scan(&cfg, &s, 5).await;
    let pid = child.id();
    // A second scan (not --resume): refused at once, naming the owner and its heartbeat.
    let started = Instant::now();
    let out = run(vec![
        "scan".into(),
        "--config".into(),
        cfg.clone(),
        "--fail-on".into(),
        "never".into(),
    ])
    .await;
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!(":{pid}")) && err.contains("heartbeat") && err.contains("--wait"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    // With --wait: it waits for the first scan, then scans.
    let out = run(vec![
        "scan".into(),
        "--config".into(),
        cfg.clone(),
        "--fail-on".into(),
        "never".into(),
        "--wait".into(),
        "60s".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success());
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    assert!(store.unfinished_run().expect("read").is_none());
    let hist = store.history("站点").expect("history");
    assert_eq!(hist.len(), 2, "two runs, one after the other");
    assert!(hist.iter().all(|h| h.pages == PAGES), "{hist:?}");
    // The second did not start before the first finished.
    let runs = store.runs(10).expect("runs");
    assert_eq!(runs.len(), 2);
    let (second, first) = (&runs[0], &runs[1]);
    assert!(
        first.finished.is_some_and(|f| second.started >= f),
        "{runs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_scan_is_resumable_at_once_while_its_process_is_a_zombie() {
    const PAGES: usize = 60;
    let s = serve(slow_site(PAGES)).await;
    let dir = temp_dir("zombie");
    let cfg = write_config(&dir, &[("站点", s.url("/"))], "concurrency_per_site = 1");
    let mut child = start_scan(&cfg, &s, 5).await;
    // SIGKILL, not reaped yet: the process is a zombie, /proc/PID still exists.
    child.kill().expect("kill");
    let pid = child.id();
    let started = Instant::now();
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat
            .rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not a zombie: {stat}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Its heartbeat is fresh, but its process is gone: --resume takes the run over at once.
    let out = run(vec![
        "scan".into(),
        "--config".into(),
        cfg.clone(),
        "--resume".into(),
        "--fail-on".into(),
        "never".into(),
    ])
    .await;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("still being written"), "{text}");
    assert!(text.contains("日扫描 #1"), "{text}");
    let _ = child.wait();
    let store = Store::open_read_only(&dir.join("govscan.db")).expect("store");
    assert!(store.unfinished_run().expect("read").is_none());
    let hist = store.history("站点").expect("history");
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].pages, PAGES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_and_history_select_what_was_fixed_since_a_day_and_refuse_unknown_names() {
    // 11-10: /a.html and /b.html broken. 11-20: /a.html fixed. 11-25: /b.html fixed.
    let day = Arc::new(std::sync::atomic::AtomicUsize::new(1));
    let broken = |d: Arc<std::sync::atomic::AtomicUsize>, until: usize| {
        move || {
            let now = d.load(Ordering::SeqCst);
            async move {
                if now >= until {
                    ok(page("好了", &[]))
                } else {
                    html(StatusCode::NOT_FOUND, "没有")
                }
            }
        }
    };
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/a.html", "/b.html"])) }),
        )
        .route("/a.html", get(broken(day.clone(), 2)))
        .route("/b.html", get(broken(day.clone(), 3)));
    let s = serve(app).await;
    let dir = temp_dir("fixedsince");
    let cfg = write_config(&dir, &[("示范站", s.url("/"))], "");
    for (n, as_of) in [(1, "2026-11-10"), (2, "2026-11-20"), (3, "2026-11-25")] {
        day.store(n, Ordering::SeqCst);
        let out = run(vec![
            "scan".into(),
            "--config".into(),
            cfg.clone(),
            "--as-of".into(),
            as_of.into(),
            "--fail-on".into(),
            "never".into(),
        ])
        .await;
        assert_eq!(out.status.code(), Some(0));
    }
    let findings = |extra: &[&str]| {
        let mut args: Vec<String> = vec!["findings".into(), "--config".into(), cfg.clone()];
        args.extend(extra.iter().map(|s| s.to_string()));
        run(args)
    };
    let fixed_since = |d: &'static str| {
        let f = findings(&["--status", "fixed", "--since", d, "--format", "json"]);
        async move {
            let out = f.await;
            assert_eq!(out.status.code(), Some(0));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
            let mut urls: Vec<String> = v
                .as_array()
                .expect("array")
                .iter()
                .filter(|f| {
                    f["finding"]["rule"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("link.broken"))
                })
                .map(|f| {
                    let u = f["finding"]["url"].as_str().unwrap_or("");
                    u.rsplit('/').next().unwrap_or("").to_string()
                })
                .collect();
            urls.sort();
            urls
        }
    };
    // /a.html was last seen 11-10 and fixed 11-20; /b.html last seen 11-20, fixed 11-25.
    assert_eq!(fixed_since("2026-11-15").await, vec!["a.html", "b.html"]);
    assert_eq!(fixed_since("2026-11-21").await, vec!["b.html"]);
    assert_eq!(fixed_since("2026-11-26").await, Vec::<String>::new());

    // The text says when a finding was fixed.
    let out = findings(&["--status", "fixed"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("整改于 2026-11-20") && text.contains("整改于 2026-11-25"),
        "{text}"
    );

    // CSV opens in Excel: a byte order mark by default, none with --no-bom.
    let out = findings(&["--format", "csv"]).await;
    assert!(out
        .stdout
        .starts_with("\u{feff}site,status,rule".as_bytes()));
    let out = findings(&["--format", "csv", "--no-bom"]).await;
    assert!(out.stdout.starts_with(b"site,status,rule"));
    // --output writes the file, not standard output.
    let file = dir.join("findings.csv");
    let out = findings(&["--format", "csv", "--output", &file.to_string_lossy()]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written = std::fs::read(&file).expect("file");
    assert!(written.starts_with("\u{feff}site,".as_bytes()));

    // Unknown names are errors listing the valid ones, not an empty table.
    let out = findings(&["--site", "不存在站"]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("不存在站") && err.contains("示范站"), "{err}");
    let out = findings(&["--rule", "link.brokn"]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("link.brokn") && err.contains("link.broken.home"),
        "{err}"
    );
    let out = findings(&["--site", "示范站", "--rule", "link.broken"]).await;
    assert_eq!(out.status.code(), Some(0));
    let history = |extra: &[&str]| {
        let mut args: Vec<String> = vec!["history".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(["--config".into(), cfg.clone()]);
        run(args)
    };
    let out = history(&["不存在站"]).await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("示范站"), "{err}");

    // History in the user's language.
    let out = history(&["示范站"]).await;
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("完成").count(), 3, "{text}");
    assert!(!text.contains("done") && !text.contains("failed"), "{text}");
    let file = dir.join("history.txt");
    let out = history(&["示范站", "--output", &file.to_string_lossy()]).await;
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&file)
        .expect("file")
        .contains("2026-11-25"));

    // judge --output.
    let file = dir.join("judged.json");
    let out = run(vec![
        "judge".into(),
        "--config".into(),
        cfg.clone(),
        "--format".into(),
        "json".into(),
        "--fail-on".into(),
        "never".into(),
        "--output".into(),
        file.to_string_lossy().to_string(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("file")).expect("JSON");
    assert_eq!(doc["sites"][0]["name"], "示范站");
    s.shutdown().await;
}

#[test]
fn probe_with_nothing_to_store_fails() {
    let dir = temp_dir("probenothing");
    let cfg = write_config(&dir, &[], "");
    let out = bin()
        .args(["probe", "--config", &cfg])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing to probe"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quarterly_sample_is_stratified_reproducible_and_keeps_last_quarters_failures() {
    let s = serve(Router::new().route("/", get(|| async { ok(page("首页", &[])) }))).await;
    let dir = temp_dir("sample");
    // One stratum of six county portals; only 甲 is ever scanned (and fails: its home page
    // shows nothing dated, 首页不更新).
    let mut sites = vec![("甲", s.url("/"))];
    for (i, n) in ["乙", "丙", "丁", "戊", "己"].into_iter().enumerate() {
        sites.push((n, format!("http://127.0.0.1:9/site{i}/")));
    }
    let cfg = write_config(&dir, &sites, "");
    let out = run(vec![
        "scan".into(),
        "--config".into(),
        cfg.clone(),
        "--site".into(),
        "甲".into(),
        "--as-of".into(),
        "2026-09-15".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let sample = |extra: &[&str]| {
        let mut args: Vec<String> = vec![
            "sample".into(),
            "--quarter".into(),
            "2026Q4".into(),
            "--config".into(),
            cfg.clone(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = bin().args(&args).output().expect("run");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON")
    };
    // A tenth of six is one site: last quarter's failure takes it.
    let a = sample(&["--ratio", "0.1"]);
    assert_eq!(a["sites"].as_array().map(Vec::len), Some(1), "{a}");
    assert_eq!(a["sites"][0]["name"], "甲");
    assert_eq!(a["sites"][0]["reason"], "failed_last_quarter");
    // Half: 甲 plus two drawn at random, the same every time; another seed may differ.
    let b = sample(&["--ratio", "0.5"]);
    let again = sample(&["--ratio", "0.5"]);
    assert_eq!(b["sites"], again["sites"]);
    assert_eq!(b["sites"].as_array().map(Vec::len), Some(3));
    assert_eq!(b["strata"][0]["sites"], 6);
    assert_eq!(b["strata"][0]["drawn"], 3);
    let seeded = sample(&["--ratio", "0.5", "--seed", "5"]);
    assert_eq!(seeded["seed"], 5);
    assert!(seeded["sites"]
        .as_array()
        .expect("sites")
        .iter()
        .any(|x| x["name"] == "甲"));
    // Text for a person.
    let out = bin()
        .args([
            "sample",
            "--quarter",
            "2026Q4",
            "--config",
            &cfg,
            "--ratio",
            "0.1",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2026Q4 季度抽查名单") && text.contains("上季度不合格（必抽）"),
        "{text}"
    );
    // Not a quarter: a usage error.
    let out = bin()
        .args(["sample", "--quarter", "2026-11", "--config", &cfg])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));

    // The quarterly report over the sample, from a scan in the quarter.
    let out = run(vec![
        "scan".into(),
        "--config".into(),
        cfg.clone(),
        "--site".into(),
        "甲".into(),
        "--as-of".into(),
        "2026-11-20".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let out_dir = dir.join("q");
    let out = run(vec![
        "bulletin".into(),
        "--config".into(),
        cfg.clone(),
        "--quarter".into(),
        "2026Q4".into(),
        "--ratio".into(),
        "0.1".into(),
        "--out".into(),
        out_dir.to_string_lossy().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("季度抽查通报-2026Q4.json")).expect("json"),
    )
    .expect("json");
    assert_eq!(json["title"], "2026年第四季度政府网站抽查情况通报");
    assert_eq!(json["period"], "quarter");
    assert_eq!(json["sites_total"], 1);
    assert_eq!(json["inspected"], 1);
    assert_eq!(
        json["last_month"]["inspected"], 1,
        "Q3 is the period before"
    );
    for ext in ["md", "html", "xlsx", "docx"] {
        assert!(
            out_dir.join(format!("季度抽查通报-2026Q4.{ext}")).is_file(),
            "{ext}"
        );
    }
    let md = std::fs::read_to_string(out_dir.join("季度抽查通报-2026Q4.md")).expect("md");
    assert!(
        md.contains("从纳入监管的政府网站中抽取 1 家开展了季度抽查"),
        "{md}"
    );
    assert!(md.contains("上季度检查 1 家"), "{md}");
    s.shutdown().await;
}

/// What a finding says, without the request timings its evidence may carry.
fn said(findings: &[govscan::checks::Finding]) -> Vec<(String, String, Option<String>, String)> {
    findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.url.clone(),
                f.page.clone(),
                f.message.clone(),
            )
        })
        .collect()
}

/// The scan keeps only its frontier while it crawls and judges a site from what the store
/// has of it: on the demo county portal (GBK columns declared in a header or a `<meta>`,
/// dates in four notations, a stale column, a refused outbound link, robots.txt), the facts
/// read back from the store are judged exactly as the facts of the same crawl held in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn judgement_from_the_store_equals_judgement_from_memory() {
    use chrono::TimeZone;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let as_of = chrono::FixedOffset::east_opt(8 * 3600)
        .expect("offset")
        .with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
        .single()
        .expect("time");
    let demo = serve(govscan::demo::site::demo_router(day)).await;
    let rules = govscan::rules::RuleSet::embedded().expect("rules");
    let mut site = site_for(&demo);
    site.site_id_code = Some(govscan::demo::site::SITE_ID_CODE.into());
    // One worker: both crawls visit the pages in the same order (referrers are kept in it).
    let mut config = fast_config();
    config.crawl.concurrency_per_site = 1;
    let in_memory = crawl(config.clone(), site.clone()).await;

    let dir = temp_dir("store-equals-memory");
    config.store.path = dir.join("govscan.db");
    config.sites = vec![site.clone()];
    let outcome = govscan::inspect::scan::scan(govscan::inspect::scan::ScanRequest {
        config: config.clone(),
        rules: rules.clone(),
        sites: Vec::new(),
        as_of: Some(as_of),
        resume: false,
        wait: None,
        worker: false,
        sites_at_once: 4,
        progress: Arc::new(govscan::crawl::NoObserver),
    })
    .await
    .expect("scan");
    assert_eq!(outcome.sites.len(), 1);
    let store = Store::open_read_only(&config.store.path).expect("store");
    let run = store.latest_finished_run().expect("read").expect("a run");
    let sr = store.site_runs(run.id).expect("site runs");
    let crawler = Arc::new(
        govscan::crawl::Crawler::new(
            Arc::new(config.clone()),
            govscan::crawl::CrawlRules::from_rules(&rules),
            Arc::new(govscan::crawl::NoObserver),
            2026,
        )
        .expect("crawler"),
    );
    let from_store = crawler
        .replay_stored(
            &site,
            &govscan::inspect::rejudge::StoredSite {
                store: &store,
                site_run: sr[0].id,
                raw: false,
            },
        )
        .expect("read back");

    // The same pages, links and outcomes.
    let pages = |f: &govscan::crawl::SiteFacts| {
        let mut v: Vec<(String, String, String)> = f
            .pages
            .iter()
            .map(|p| (p.url.clone(), p.status.short(), format!("{:?}", p.facts)))
            .collect();
        v.sort();
        v
    };
    let links = |f: &govscan::crawl::SiteFacts| {
        f.links
            .values()
            .map(|l| {
                let referrers: Vec<&str> = l.referrers.iter().map(|r| &*r.page).collect();
                format!(
                    "{} {} {} {} {} {:?}",
                    l.url,
                    l.internal,
                    l.on_home,
                    l.outcome.status.short(),
                    l.referrer_count,
                    referrers
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(in_memory.pages.len() > 20, "{}", in_memory.pages.len());
    assert_eq!(pages(&from_store), pages(&in_memory));
    assert_eq!(links(&from_store), links(&in_memory));
    assert_eq!(from_store.stats.pages, in_memory.stats.pages);
    assert_eq!(from_store.stats.broken, in_memory.stats.broken);
    assert_eq!(
        from_store.home.as_ref().map(|h| &h.url),
        in_memory.home.as_ref().map(|h| &h.url)
    );

    // Judged the same.
    let judged = |f: &govscan::crawl::SiteFacts| {
        said(&govscan::inspect::judge(
            &site, f, &rules, as_of, None, None,
        ))
    };
    let from_memory = judged(&in_memory);
    assert!(
        from_memory
            .iter()
            .any(|(rule, ..)| rule == "column.stale.personnel_plan"),
        "{from_memory:?}"
    );
    assert_eq!(judged(&from_store), from_memory);

    // Read back holding only what the checks go through (as the scan, `check` and `judge`
    // do): the same counts, the pages and links kept as the whole has them, and the same
    // judgement.
    let kept = govscan::inspect::rejudge::facts_from_store(
        &crawler,
        Store::open_read_only(&config.store.path).expect("store"),
        sr[0].id,
        &site,
        false,
        &rules,
    )
    .expect("read back what the checks read");
    assert!(!kept.complete());
    assert!(
        kept.pages.len() < in_memory.pages.len(),
        "{} of {} pages kept",
        kept.pages.len(),
        in_memory.pages.len()
    );
    let mut whole_stats = from_store.stats.clone();
    whole_stats.trap_skipped = 0;
    assert_eq!(kept.stats, whole_stats);
    let whole_pages = pages(&in_memory);
    for p in pages(&kept) {
        assert!(whole_pages.contains(&p), "{p:?}");
    }
    let whole_links = links(&in_memory);
    for l in links(&kept) {
        assert!(whole_links.contains(&l), "{l}");
    }
    for l in in_memory
        .links
        .values()
        .filter(|l| !l.outcome.status.is_ok())
    {
        assert!(kept.links.contains_key(&l.url), "{} not kept", l.url);
    }
    for p in &in_memory.pages {
        let found = kept.page(&p.url).expect("every page can be looked up");
        assert_eq!(format!("{:?}", found.facts), format!("{:?}", p.facts));
        let l = kept.link(&p.url).expect("and its link result");
        assert_eq!(l.outcome.status, in_memory.links[&p.url].outcome.status);
    }
    assert_eq!(judged(&kept), from_memory);
    assert_eq!(kept.read_error(), None);
    // And the scan's own findings are those (its IPv6 and availability rules aside).
    let stored: Vec<String> = store
        .site_findings(sr[0].id)
        .expect("findings")
        .iter()
        .map(|f| f.rule.clone())
        .filter(|r| !r.starts_with("ipv6.") && !r.starts_with("site.unreachable"))
        .collect();
    let mut expected: Vec<String> = from_memory
        .iter()
        .map(|(r, ..)| r.clone())
        .filter(|r| !r.starts_with("ipv6.") && !r.starts_with("site.unreachable"))
        .collect();
    let mut stored = stored;
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected);
}

/// `check` without a store crawls into a temporary store and judges from it, as the scan
/// does: the report is the full judgement, no store appears at the configured path, and the
/// temporary store is gone afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_without_a_store_judges_from_a_temporary_store_it_then_deletes() {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let demo = govscan::demo::site::start_demo(as_of)
        .await
        .expect("demo site");
    let dir = temp_dir("check-temporary-store");
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let cfg = write_config(&dir, &[], "");
    let url = demo.url("/");
    let out = tokio::task::spawn_blocking(move || {
        bin()
            .env("TMPDIR", &tmp)
            .args([
                "check",
                "--config",
                &cfg,
                "--as-of",
                "2026-11-30",
                "--format",
                "json",
                "--fail-on",
                "never",
                &url,
            ])
            .output()
            .expect("run govscan")
    })
    .await
    .expect("join");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let text = doc.to_string();
    assert!(
        text.contains("column.stale.personnel_plan"),
        "the stale column judged from the temporary store: {text}"
    );
    assert!(
        !dir.join("govscan.db").exists(),
        "check writes no store at the configured path"
    );
    let left: Vec<_> = std::fs::read_dir(dir.join("tmp"))
        .expect("tmp")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "the temporary store is deleted: {left:?}");
}
