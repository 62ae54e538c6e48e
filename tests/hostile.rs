//! Hostile servers on loopback (issue 11): waiting to be polite is not a timeout, memory and
//! parse time are bounded whatever a page contains, challenge pages served with 200 make the
//! site blocked, and values that would break the run are refused.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::crawl::LinkStatus;

fn ok(body: String) -> Response {
    ([("content-type", "text/html; charset=utf-8")], body).into_response()
}

/// A page titled after its path (a catch-all answering one page everywhere would be a soft 404).
async fn named_page(axum::extract::Path(p): axum::extract::Path<String>) -> Response {
    if p.starts_with("govscan-not-found") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    ok(page(&format!("页面 {p}"), &[]))
}

fn assert_nothing_broken(facts: &govscan::crawl::SiteFacts) {
    let broken: Vec<_> = facts
        .links
        .values()
        .filter(|l| l.outcome.status.is_broken())
        .map(|l| (l.url.clone(), l.outcome.status.short()))
        .collect();
    assert!(broken.is_empty(), "false broken links: {broken:?}");
}

/// Crawl-delay far longer than the request timeout: every link waits its turn, none is
/// reported as a timeout (4 workers queue behind one limiter: the last waits 4 delays).
#[tokio::test]
async fn crawl_delay_longer_than_the_timeout_is_not_a_timeout() {
    let app = Router::new()
        .route(
            "/",
            get(|| async {
                ok(page(
                    "首页",
                    &["/a.html", "/b.html", "/gzdt/c.html", "./d.html"],
                ))
            }),
        )
        .route(
            "/robots.txt",
            get(|| async {
                (
                    [("content-type", "text/plain")],
                    "User-agent: *\nCrawl-delay: 0.4\n",
                )
                    .into_response()
            }),
        )
        .route("/gzdt/{p}", get(named_page))
        .route("/{p}", get(named_page));
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.rate_per_origin = 100.0;
    cfg.crawl.total_timeout = Duration::from_millis(150);
    cfg.crawl.max_crawl_delay = Duration::from_secs(1);
    let started = Instant::now();
    let facts = crawl(cfg, site_for(&s)).await;
    assert_nothing_broken(&facts);
    assert_eq!(facts.stats.pages, 5, "{:?}", facts.links.keys());
    // The waits did happen (politeness kept): 6 requests at 0.4 s apart.
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// A slow per-origin rate (one request per 0.3 s, far above the 100 ms timeout) on eight
/// links: none is a timeout.
#[tokio::test]
async fn slow_rate_per_origin_is_not_a_timeout() {
    let links: Vec<String> = (0..8).map(|i| format!("/p{i}.html")).collect();
    let app = Router::new()
        .route(
            "/",
            get(move || {
                let links = links.clone();
                async move {
                    let l: Vec<&str> = links.iter().map(String::as_str).collect();
                    ok(page("首页", &l))
                }
            }),
        )
        .route("/{p}", get(named_page));
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.rate_per_origin = 3.3;
    cfg.crawl.burst = 1;
    cfg.crawl.robots = false;
    cfg.crawl.total_timeout = Duration::from_millis(100);
    let facts = crawl(cfg, site_for(&s)).await;
    assert_nothing_broken(&facts);
    assert_eq!(facts.stats.pages, 9);
}

/// A 429 whose Retry-After is within the cap is waited for (not counted as the server's time)
/// and retried; one beyond the cap makes the target blocked with the header's value, never a
/// timeout or broken. Both forms: delta-seconds and HTTP-date.
#[tokio::test]
async fn retry_after_is_waited_for_or_makes_the_target_blocked() {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let h = hits.clone();
    let far = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(7200));
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/later.html", "/never.html", "/date.html"])) }),
        )
        .route(
            "/later.html",
            get(move || {
                let n = h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if n == 0 {
                        (
                            StatusCode::TOO_MANY_REQUESTS,
                            [("retry-after", "1")],
                            "slow down",
                        )
                            .into_response()
                    } else {
                        ok(page("稍后", &[]))
                    }
                }
            }),
        )
        .route(
            "/never.html",
            get(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", "3600")],
                    "go away",
                )
                    .into_response()
            }),
        )
        .route(
            "/date.html",
            get(move || {
                let far = far.clone();
                async move {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [("retry-after", far)],
                        "maintenance",
                    )
                        .into_response()
                }
            }),
        );
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.robots = false;
    cfg.crawl.total_timeout = Duration::from_millis(300);
    cfg.crawl.max_retry_after = Duration::from_secs(2);
    let facts = crawl(cfg, site_for(&s)).await;
    assert_nothing_broken(&facts);
    assert!(status_of(&facts, &s, "/later.html").is_ok());
    match status_of(&facts, &s, "/never.html") {
        LinkStatus::Blocked { reason, status } => {
            assert_eq!(*status, Some(429));
            assert!(reason.contains("Retry-After: 3600"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    match status_of(&facts, &s, "/date.html") {
        LinkStatus::Blocked { reason, .. } => assert!(reason.contains("GMT"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Reported as link.blocked with the header's value in the evidence, never link.broken.
    let rules = govscan::rules::RuleSet::embedded().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339("2026-06-30T12:00:00+08:00").unwrap();
    let findings = govscan::checks::evaluate(&facts, &rules, as_of);
    assert!(!findings.iter().any(|f| f.rule.starts_with("link.broken")));
    let blocked = findings
        .iter()
        .find(|f| f.rule == "link.blocked")
        .expect("a link.blocked finding");
    assert!(
        blocked.evidence.to_string().contains("Retry-After: 3600"),
        "{}",
        blocked.evidence
    );
}

/// The home page itself answers 429 with Retry-After: 3600: the site is blocked, not
/// unreachable by timeout.
#[tokio::test]
async fn home_page_with_long_retry_after_is_blocked_not_a_timeout() {
    let app = Router::new().route(
        "/",
        get(|| async {
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "3600")],
                "busy",
            )
                .into_response()
        }),
    );
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.robots = false;
    let started = Instant::now();
    let facts = crawl(cfg, site_for(&s)).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let home = facts.home.as_ref().expect("home record");
    assert!(home.status.is_blocked(), "{:?}", home.status);
    assert!(home.status.zh().contains("3600"));
}

/// A 瑞数-style challenge stub served with 200 for every path (home, inner pages and the
/// not-found probe): the site is blocked, no page counts as working, none as broken, and no
/// soft 404 comes from comparing challenge pages with each other.
#[tokio::test]
async fn challenge_pages_served_with_200_make_the_site_blocked() {
    const CHALLENGE: &str = "<html><head><meta charset=\"utf-8\"><title></title>\
        <script>var $_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=12345;</script>\
        </head><body><script src=\"/FSSBBIl1UgzbN7N/abc.js\"></script></body></html>";
    let app = Router::new().fallback(get(|| async { ok(CHALLENGE.to_string()) }));
    let s = serve(app).await;
    let mut site = site_for(&s);
    site.columns.insert(
        "工作动态".into(),
        url::Url::parse(&s.url("/zwgk/gzdt/")).unwrap(),
    );
    let facts = crawl(fast_config(), site).await;
    let home = facts.home.as_ref().expect("home record");
    assert!(home.status.is_blocked(), "{:?}", home.status);
    assert!(facts.blocked().is_some_and(|r| r.contains("首页被拦截")));
    assert_nothing_broken(&facts);
    assert!(
        facts.pages.iter().all(|p| !p.status.is_ok()),
        "challenge pages counted as working: {:?}",
        facts
            .pages
            .iter()
            .map(|p| (&p.url, &p.status))
            .collect::<Vec<_>>()
    );
    assert_eq!(facts.stats.pages, 0);
    // Nothing is judged from the challenge page: no veto or deduction of the home page,
    // its columns or its links.
    let rules = govscan::rules::RuleSet::embedded().unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339("2026-06-30T12:00:00+08:00").unwrap();
    let findings = govscan::checks::evaluate(&facts, &rules, as_of);
    let judged: Vec<_> = findings
        .iter()
        .filter(|f| f.rule.starts_with("home.") || f.rule.starts_with("link.broken"))
        .map(|f| f.rule.clone())
        .collect();
    assert!(
        judged.is_empty(),
        "judged from a challenge page: {judged:?}"
    );
    // The pipeline's verdict: 被拦截, no score, only what does not come from the crawl.
    let site = site_for(&s);
    let all = govscan::inspect::judge(&site, &facts, &rules, as_of, None, None);
    assert!(all.is_empty(), "{all:?}");
    let inspection = govscan::inspect::assess(&facts, all, &rules);
    assert_eq!(inspection.verdict.zh(), "被拦截");
    assert!(inspection.score.is_none());
    assert!(inspection
        .reason
        .as_deref()
        .is_some_and(|r| r.contains("首页被拦截")));
}

/// Only inner pages are challenged (the home page is served): they are blocked, not working
/// and not broken; the home page is judged normally. A real page that mentions a WAF vendor
/// in its text (larger than a challenge stub) is not a challenge.
#[tokio::test]
async fn challenged_inner_pages_are_neither_working_nor_broken() {
    let big_mention = format!(
        "<html><head><meta charset=\"utf-8\"><title>网络安全工作</title></head><body>\
         <p>本单位部署了网站防火墙（safedog）。</p>{}</body></html>",
        "<p>政务公开工作持续推进，信息发布及时准确。</p>".repeat(2000)
    );
    let app = Router::new()
        .route(
            "/",
            get(|| async {
                ok(page(
                    "首页",
                    &["/zwgk/a.html", "./zwgk/b.html", "/aqgz/index.html"],
                ))
            }),
        )
        .route(
            "/aqgz/index.html",
            get(move || {
                let b = big_mention.clone();
                async move { ok(b) }
            }),
        )
        .route(
            "/zwgk/{p}",
            get(|| async {
                ok("<html><title>Just a moment...</title><body>Checking your browser</body></html>"
                    .to_string())
            }),
        )
        .fallback(get(|| async {
            (StatusCode::NOT_FOUND, "nf").into_response()
        }));
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.robots = false;
    let facts = crawl(cfg, site_for(&s)).await;
    assert_nothing_broken(&facts);
    assert!(facts.home.as_ref().unwrap().status.is_ok());
    assert!(status_of(&facts, &s, "/zwgk/a.html").is_blocked());
    assert!(status_of(&facts, &s, "/zwgk/b.html").is_blocked());
    assert!(status_of(&facts, &s, "/aqgz/index.html").is_ok());
    assert_eq!(facts.stats.pages, 2, "home and the real page only");
    assert!(facts.blocked().is_none());
}

fn govscan_bin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_govscan"))
        .args(args)
        .env("GOVSCAN_LOG", "error")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run the govscan binary")
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hostile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Values that used to panic (exit 101) or fail without a location (exit 3) are refused at
/// load with exit 2 and file:line:field, before any request.
#[test]
fn values_that_would_break_the_run_exit_2_with_their_location() {
    let dir = temp_dir("config");
    let cases = [
        ("rate.toml", "[crawl]\nburst = 2\nrate_per_origin = 1e-300\n", "rate.toml:3", "crawl.rate_per_origin"),
        ("ua.toml", "[crawl]\nuser_agent = \"govscan\\r\\nX: 1\"\n", "ua.toml:2", "crawl.user_agent"),
        ("retries.toml", "[crawl]\nretries = 4294967295\n", "retries.toml:2", "crawl.retries"),
        ("connect.toml", "[crawl]\ntotal_timeout = \"30s\"\nconnect_timeout = \"0s\"\n", "connect.toml:3", "crawl.connect_timeout"),
        ("dup.toml", "[[site]]\nname = \"甲\"\nurl = \"http://a.gov.cn/\"\n[[site]]\nname = \"乙\"\nurl = \"http://a.gov.cn/\"\n", "dup.toml:6", "site[1].url"),
    ];
    for (file, text, at, field) in cases {
        let p = dir.join(file);
        std::fs::write(&p, text).unwrap();
        let out = govscan_bin(&[
            "check",
            "http://127.0.0.1:9/",
            "--config",
            &p.to_string_lossy(),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(at) && err.contains(field), "{file}: {err}");
    }
}

/// A day window that overflows date arithmetic is a located rule error (exit 2), not a panic.
#[test]
fn an_overflowing_window_is_a_located_rule_error() {
    let dir = temp_dir("rules");
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let path = dir.join("availability.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("window_days"))
        .unwrap()
        + 1;
    std::fs::write(
        &path,
        text.replacen("window_days = 7", "window_days = 9223372036854775807", 1),
    )
    .unwrap();
    let out = govscan_bin(&["rules", "check", "--rules", &dir.to_string_lossy()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("availability.toml:{line}")) && err.contains("window_days"),
        "{err}"
    );
}

/// The availability window arithmetic is checked: a window far beyond the validated range
/// neither panics nor allocates a day per value.
#[test]
fn availability_window_arithmetic_is_checked() {
    let as_of = chrono::DateTime::parse_from_rfc3339("2026-11-30T09:00:00+08:00").unwrap();
    let a = govscan::checks::availability::availability(
        &[],
        govscan::store::IpFamily::V4,
        u32::MAX,
        1,
        as_of,
    );
    assert_eq!(a.total, 0);
}

/// A small real page that carries a WAF vendor's badge (safedog) and links to the rest of the
/// site is the site's content, not a challenge page.
#[tokio::test]
async fn a_small_page_with_a_waf_badge_is_not_a_challenge() {
    let app = Router::new()
        .route(
            "/",
            get(|| async {
                let mut p = page(
                    "首页",
                    &["/gzdt/", "/tzgg/", "./zwgk/index.html", "../xxgk/"],
                );
                p = p.replace(
                    "</body>",
                    "<script src=\"http://www.safedog.cn/safedogsite/logo.js\"></script></body>",
                );
                ok(p)
            }),
        )
        .route("/{p}/", get(named_page))
        .route(
            "/zwgk/index.html",
            get(|| async { ok(page("政务公开", &[])) }),
        );
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.robots = false;
    let facts = crawl(cfg, site_for(&s)).await;
    assert!(facts.home.as_ref().unwrap().status.is_ok());
    assert!(facts.blocked().is_none());
    assert!(facts.stats.pages >= 4, "{:?}", facts.stats);
}
