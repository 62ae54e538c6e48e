//! `govscan serve` over HTTP: every page and API route against a store filled by real scans
//! of fixture sites (and probes written through the store API), read-only methods, escaping
//! of crawled text, a missing store, `history --months`, and the pages as headless Chromium
//! renders them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::config::Config;
use govscan::demo::server::{html, Running};
use govscan::facts::{IpFamily, Probe};
use govscan::rules::RuleSet;
use govscan::store::Store;

const SITE: &str = "测试县<b>人民政府</b>";
const DEAD: &str = "坏站";

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("serve", name)
}

/// A table-based county portal (upper-case tags, unclosed cells) whose home page links a
/// missing page under an anchor text holding a script, and a page that exists only once
/// `fixed` is set.
fn fixture(fixed: Arc<AtomicBool>) -> Router {
    let home = "<HTML><HEAD><META charset=\"utf-8\"><TITLE>测试县人民政府</TITLE></HEAD><BODY>\
        <TABLE width=\"960\"><TR><TD class=\"nav\"><A href=\"./gzdt/\">工作动态</A>\
        <TD><A href=\"/missing.html\">&lt;script&gt;alert(1)&lt;/script&gt;坏链接</A>\
        <TR><TD colspan=\"2\"><A href=\"../gone.html\">旧通知</A>\
        <P>这是一个用于测试的县级政府门户网站，内容正常。</P></TABLE></BODY></HTML>"
        .to_string();
    Router::new()
        .route(
            "/",
            get(move || {
                let home = home.clone();
                async move { html(StatusCode::OK, &home) }
            }),
        )
        .route(
            "/gzdt/",
            get(|| async { html(StatusCode::OK, &page("工作动态", &["../"])) }),
        )
        .route(
            "/gone.html",
            get(move || {
                let fixed = fixed.clone();
                async move {
                    if fixed.load(Ordering::SeqCst) {
                        html(StatusCode::OK, &page("旧通知", &[]))
                    } else {
                        html(StatusCode::NOT_FOUND, "not found")
                    }
                }
            }),
        )
}

struct Fixture {
    dir: PathBuf,
    config: PathBuf,
}

/// Two scans (October and November) of the fixture and of a dead site, then probes.
async fn scanned_store(name: &str) -> Fixture {
    let fixed = Arc::new(AtomicBool::new(false));
    let site: Running = serve(fixture(fixed.clone())).await;
    let dir = temp_dir(name);
    let db = dir.join("govscan.db");
    let text = format!(
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n\n[store]\npath = \"{}\"\n\n\
         [bulletin]\nissuer = \"某市政务公开办\"\n\n\
         [[site]]\nname = \"{SITE}\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n\n\
         [[site]]\nname = \"{DEAD}\"\nurl = \"http://127.0.0.1:9/\"\nlevel = \"county\"\nkind = \"department\"\n",
        db.display(),
        site.url("/")
    );
    let config = dir.join("config.toml");
    std::fs::write(&config, text).expect("write config");
    for (day, fix) in [("2026-10-15", false), ("2026-11-20", true)] {
        fixed.store(fix, Ordering::SeqCst);
        let out = run(vec![
            "scan".into(),
            "--config".into(),
            config.to_string_lossy().to_string(),
            "--as-of".into(),
            day.into(),
        ])
        .await;
        // The dead site cannot be inspected: exit 3, the other site is scanned all the same.
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    site.shutdown().await;
    // Probes of the last hours: IPv4 answers, IPv6 fails once.
    let mut store = Store::open(&db).expect("store");
    let now = govscan::asof::now();
    let probe = |mins: i64, family, ok: bool| Probe {
        site: SITE.into(),
        at: now - chrono::Duration::minutes(mins),
        family,
        address: Some("127.0.0.1".into()),
        ok,
        status: ok.then_some(200),
        latency_ms: Some(12),
        error: (!ok).then(|| "connection refused <i>".to_string()),
    };
    store
        .save_probes(&[
            probe(120, IpFamily::V4, true),
            probe(60, IpFamily::V4, true),
            probe(120, IpFamily::V6, true),
            probe(60, IpFamily::V6, false),
        ])
        .expect("probes");
    drop(store);
    Fixture { dir, config }
}

async fn dashboard(config: &Path) -> Running {
    let config = Config::load(config).expect("config");
    let rules = RuleSet::embedded().expect("rules");
    serve(govscan::serve::router(config, rules).expect("router")).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

async fn get_text(url: &str) -> (u16, String, String) {
    let r = client().get(url).send().await.expect("request");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, r.text().await.expect("body"))
}

async fn get_json(url: &str) -> (u16, serde_json::Value) {
    let (status, ct, body) = get_text(url).await;
    assert!(ct.starts_with("application/json"), "{url}: {ct}");
    (status, serde_json::from_str(&body).expect("json"))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_and_api_route_answers_from_the_store_read_only_and_escaped() {
    let fx = scanned_store("routes").await;
    let d = dashboard(&fx.config).await;
    let site_path = format!("/sites/{}", enc(SITE));

    // The overview: the latest run, its figures, the charts, the sites failing now.
    let (status, ct, body) = get_text(&d.url("/")).await;
    assert_eq!(status, 200, "{body}");
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(body.contains("最近一次日扫描（#2）"), "{body}");
    assert!(body.contains("2026-11-20"), "{body}");
    assert_eq!(body.matches("<svg").count(), 2, "two charts: {body}");
    assert!(body.contains(DEAD) && body.contains("无法检查"), "{body}");
    // The site's name holds markup: escaped wherever it is shown.
    assert!(!body.contains("<b>人民政府</b>"), "{body}");

    // The table of sites, sorted on the server.
    let (status, _, body) = get_text(&d.url("/sites")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("测试县&lt;b&gt;人民政府&lt;&#x2f;b&gt;"),
        "{body}"
    );
    assert!(body.contains(&format!("href=\"{site_path}\"")), "{body}");
    let order = |body: &str| {
        let a = body.find("测试县&lt;b&gt;").expect("site in table");
        let b = body.find(DEAD).expect("dead site in table");
        a < b
    };
    let (_, _, by_score) = get_text(&d.url("/sites?sort=score&order=desc")).await;
    assert!(order(&by_score), "the scored site first: {by_score}");
    let (_, _, by_name) = get_text(&d.url("/sites?sort=name&order=desc")).await;
    assert!(order(&by_name), "测 > 坏 descending: {by_name}");
    let (_, _, by_name_asc) = get_text(&d.url("/sites?sort=name&order=asc")).await;
    assert!(!order(&by_name_asc), "{by_name_asc}");
    assert!(by_name.contains("sort=name&amp;order=asc\""), "{by_name}");
    let (status, _, body) = get_text(&d.url("/sites?sort=bogus")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("last_scan"), "{body}");

    // A site: its findings new / persisting / fixed with evidence and links, its history,
    // IPv6 and availability.
    let (status, _, body) = get_text(&d.url(&site_path)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;坏链接"),
        "the anchor text is escaped: {body}"
    );
    assert!(
        !body.contains("<script>"),
        "no script reaches the page: {body}"
    );
    assert!(!body.contains("<i>"), "probe errors escaped too: {body}");
    let section = |body: &str, from: &str, to: &str| -> String {
        let a = body
            .find(from)
            .unwrap_or_else(|| panic!("no {from}: {body}"));
        let b = a + body[a..]
            .find(to)
            .unwrap_or_else(|| panic!("no {to}: {body}"));
        body[a..b].to_string()
    };
    assert!(
        section(&body, "未整改（", "已整改（").contains("missing.html"),
        "missing.html persists: {body}"
    );
    let fixed = section(&body, "已整改（", "得分历史");
    assert!(fixed.contains("gone.html"), "gone.html was fixed: {body}");
    assert!(!fixed.contains("missing.html"), "{body}");
    assert!(body.contains("missing.html\" rel="), "linked: {body}");
    assert!(body.contains("证据"), "{body}");
    assert!(
        body.contains("2026-10") && body.contains("2026-11"),
        "{body}"
    );
    assert!(
        body.contains("IPv6 支持") && body.contains("可用性"),
        "{body}"
    );
    assert!(body.contains("50.0%"), "IPv6 probes 1 of 2: {body}");
    let (status, _, body) = get_text(&d.url(&format!("/sites/{}", enc(DEAD)))).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("无法检查"), "{body}");
    let (status, _, body) = get_text(&d.url("/sites/%E6%B2%A1%E6%9C%89")).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("没有名为「没有」的网站"), "{body}");
    let (status, _, _) = get_text(&d.url("/no/such/page")).await;
    assert_eq!(status, 404);

    // The bulletins, generated on request.
    let (status, _, body) = get_text(&d.url("/bulletins")).await;
    assert_eq!(status, 200);
    assert!(body.contains("/bulletins/2026-11/docx"), "{body}");
    assert!(body.contains("/bulletins/2026-10/html"), "{body}");
    for (fmt, ct, magic) in [
        ("html", "text/html", &b"<!DOCTYPE"[..]),
        ("md", "text/markdown", "# ".as_bytes()),
        ("docx", "application/vnd.openxmlformats", b"PK"),
        ("xlsx", "application/vnd.openxmlformats", b"PK"),
        ("json", "application/json", b"{"),
    ] {
        let r = client()
            .get(d.url(&format!("/bulletins/2026-11/{fmt}")))
            .send()
            .await
            .expect("bulletin");
        assert_eq!(r.status().as_u16(), 200, "{fmt}");
        let got = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(got.starts_with(ct), "{fmt}: {got}");
        let disposition = r
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(
            disposition.contains(&format!("bulletin-2026-11.{fmt}")),
            "{disposition}"
        );
        let bytes = r.bytes().await.expect("body");
        assert!(
            bytes.trim_ascii_start().starts_with(magic),
            "{fmt}: {:?}",
            &bytes[..bytes.len().min(40)]
        );
        if fmt == "html" {
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                text.contains("2026年11月") && !text.contains("<script>alert"),
                "{text}"
            );
        }
    }
    // A month's page, and the rectification notice of each site that has one.
    let (status, _, body) = get_text(&d.url("/bulletins/2026-11")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("2026年11月政府网站检查情况通报"), "{body}");
    let notice = format!("/bulletins/2026-11/notices/{}/docx", enc(SITE));
    assert!(body.contains(&notice), "{body}");
    assert!(body.contains("测试县&lt;b&gt;"), "{body}");
    for (fmt, magic) in [("docx", &b"PK"[..]), ("html", b"<"), ("md", b"")] {
        let r = client()
            .get(d.url(&format!("/bulletins/2026-11/notices/{}/{fmt}", enc(SITE))))
            .send()
            .await
            .expect("notice");
        assert_eq!(r.status().as_u16(), 200, "{fmt}");
        let bytes = r.bytes().await.expect("body");
        assert!(bytes.trim_ascii_start().starts_with(magic), "{fmt}");
        if fmt != "docx" {
            let text = String::from_utf8_lossy(&bytes);
            assert!(text.contains("整改"), "{text}");
        }
    }
    let (status, _, body) =
        get_text(&d.url(&format!("/bulletins/2026-11/notices/{}/docx", enc(DEAD)))).await;
    assert_eq!(status, 404, "no notice for a site not inspected: {body}");
    let (status, _, _) =
        get_text(&d.url(&format!("/bulletins/2026-11/notices/{}/pdf", enc(SITE)))).await;
    assert_eq!(status, 404);
    let (status, _, body) = get_text(&d.url("/bulletins/2025-01/html")).await;
    assert_eq!(
        status, 404,
        "a month without scans is no month of passes: {body}"
    );
    let (status, _, _) = get_text(&d.url("/bulletins/2026-13/html")).await;
    assert_eq!(status, 400);
    let (status, _, _) = get_text(&d.url("/bulletins/2026-11/pdf")).await;
    assert_eq!(status, 404);

    // The API.
    let (status, v) = get_json(&d.url("/api")).await;
    assert_eq!(status, 200);
    assert!(v["routes"].as_array().is_some_and(|r| r.len() >= 7), "{v}");
    let (status, v) = get_json(&d.url("/api/overview")).await;
    assert_eq!(status, 200);
    assert_eq!(v["latest_run"]["id"], 2, "{v}");
    assert_eq!(v["latest_run"]["inspected"], 1, "{v}");
    assert_eq!(v["latest_run"]["not_inspected"], 1, "{v}");
    assert_eq!(v["months"].as_array().map(Vec::len), Some(12), "{v}");
    assert_eq!(v["months"][11]["month"], "2026-11", "{v}");
    assert_eq!(v["months"][0]["pass_rate"], serde_json::Value::Null, "{v}");
    assert!(v["failing"]
        .as_array()
        .is_some_and(|f| f.iter().any(|s| s["name"] == DEAD)));
    let (status, v) = get_json(&d.url("/api/runs")).await;
    assert_eq!(status, 200);
    assert_eq!(v.as_array().map(Vec::len), Some(2), "{v}");
    let (status, v) = get_json(&d.url("/api/sites?sort=score&order=desc")).await;
    assert_eq!(status, 200);
    assert_eq!(v[0]["name"], SITE, "{v}");
    assert_eq!(v[1]["name"], DEAD, "{v}");
    assert_eq!(v[1]["score"], serde_json::Value::Null, "{v}");
    assert_eq!(v[1]["verdict"], "无法检查", "{v}");
    let (status, _) = get_json(&d.url("/api/sites?order=sideways")).await;
    assert_eq!(status, 400);
    let (status, v) = get_json(&d.url(&format!("/api{site_path}"))).await;
    assert_eq!(status, 200);
    assert_eq!(v["site"]["name"], SITE);
    let urls = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|f| f["url"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        urls(&v["persisting"])
            .iter()
            .any(|u| u.ends_with("/missing.html")),
        "{v}"
    );
    assert!(
        urls(&v["fixed"]).iter().any(|u| u.ends_with("/gone.html")),
        "{v}"
    );
    assert!(urls(&v["new"]).is_empty(), "{v}");
    assert!(
        v["persisting"]
            .as_array()
            .is_some_and(|l| l.iter().any(|f| f["message"]
                .as_str()
                .is_some_and(|m| m.contains("<script>alert(1)</script>")))),
        "JSON carries the text as crawled: {v}"
    );
    assert_eq!(v["history"].as_array().map(Vec::len), Some(2), "{v}");
    assert_eq!(
        v["availability"]["families"][1]["success_rate"], 50.0,
        "{v}"
    );
    let (status, v) = get_json(&d.url("/api/sites/%E6%B2%A1%E6%9C%89")).await;
    assert_eq!(status, 404, "{v}");
    assert!(v["error"].is_string());
    let (status, v) =
        get_json(&d.url(&format!("/api{site_path}/months?months=3&as_of=2026-12-05"))).await;
    assert_eq!(status, 200);
    let months = v["months"].as_array().expect("months");
    assert_eq!(months.len(), 3, "{v}");
    assert_eq!(months[0]["month"], "2026-10");
    assert_eq!(months[2]["month"], "2026-12");
    assert_eq!(
        months[2]["score"],
        serde_json::Value::Null,
        "no data is no pass: {v}"
    );
    assert_eq!(months[2]["verdict"], serde_json::Value::Null);
    let (status, _) = get_json(&d.url(&format!("/api{site_path}/months?months=0"))).await;
    assert_eq!(status, 400);
    let (status, v) = get_json(&d.url("/api/bulletins")).await;
    assert_eq!(status, 200);
    assert_eq!(v[0]["month"], "2026-11", "{v}");
    assert_eq!(v[0]["files"]["docx"], "/bulletins/2026-11/docx", "{v}");
    let (status, v) = get_json(&d.url("/api/bulletins/2026-11")).await;
    assert_eq!(status, 200);
    assert_eq!(v["inspected"], 1, "{v}");
    assert_eq!(v["issuer"], "某市政务公开办", "{v}");
    let (status, _) = get_json(&d.url("/api/bulletins/2025-01")).await;
    assert_eq!(status, 404);
    let (status, _) = get_json(&d.url("/api/nothing")).await;
    assert_eq!(status, 404);

    // Read-only: every other method is refused on every path; HEAD answers without a body.
    for (method, path) in [
        (reqwest::Method::POST, "/"),
        (reqwest::Method::POST, "/api/sites"),
        (reqwest::Method::PUT, site_path.as_str()),
        (reqwest::Method::DELETE, "/api/runs"),
        (reqwest::Method::PATCH, "/no/such/page"),
    ] {
        let r = client()
            .request(method.clone(), d.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 405, "{method} {path}");
        assert_eq!(
            r.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some("GET, HEAD")
        );
    }
    let r = client().head(d.url("/")).send().await.expect("head");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("default-src 'none'")));
    assert!(r.bytes().await.expect("body").is_empty());
    // Nothing was written: the store file still holds the two runs and nothing else.
    let store = Store::open_read_only(&fx.dir.join("govscan.db")).expect("store");
    assert_eq!(store.runs(10).expect("runs").len(), 2);
    d.shutdown().await;

    // `history --months` on the same store.
    let cfg = fx.config.to_string_lossy().to_string();
    let out = run(vec![
        "history".into(),
        SITE.into(),
        "--config".into(),
        cfg.clone(),
        "--months".into(),
        "3".into(),
        "--as-of".into(),
        "2026-12-05".into(),
    ])
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines[2].starts_with("2026-10") && lines[2].contains("2026-10-15"),
        "{text}"
    );
    assert!(
        lines[3].starts_with("2026-11") && lines[3].contains("2026-11-20"),
        "{text}"
    );
    assert!(
        lines[4].starts_with("2026-12") && !lines[4].contains("合格"),
        "{text}"
    );
    let out = run(vec![
        "history".into(),
        DEAD.into(),
        "--config".into(),
        cfg.clone(),
        "--months".into(),
        "2".into(),
        "--as-of".into(),
        "2026-11-30".into(),
        "--format".into(),
        "json".into(),
    ])
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["months"][1]["month"], "2026-11", "{v}");
    assert_eq!(v["months"][1]["score"], serde_json::Value::Null, "{v}");
    assert_eq!(v["months"][1]["state"], "无法检查", "{v}");
    assert_eq!(v["months"][1]["not_inspected"], 1, "{v}");
    let out = run(vec![
        "history".into(),
        SITE.into(),
        "--config".into(),
        cfg,
        "--months".into(),
        "0".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_store_is_a_clear_page_not_a_failure() {
    let dir = temp_dir("missing");
    let mut config = Config::default();
    config.store.path = dir.join("nothing-here.db");
    let d =
        serve(govscan::serve::router(config, RuleSet::embedded().expect("rules")).expect("router"))
            .await;
    for path in [
        "/",
        "/sites",
        "/sites/x",
        "/bulletins",
        "/bulletins/2026-11/html",
    ] {
        let (status, ct, body) = get_text(&d.url(path)).await;
        assert_eq!(status, 503, "{path}: {body}");
        assert!(ct.starts_with("text/html"), "{ct}");
        assert!(
            body.contains("还没有检查数据") && body.contains("govscan scan"),
            "{body}"
        );
        assert!(body.contains("nothing-here.db"), "{body}");
    }
    let (status, v) = get_json(&d.url("/api/overview")).await;
    assert_eq!(status, 503);
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("govscan scan")),
        "{v}"
    );
    assert!(
        !dir.join("nothing-here.db").exists(),
        "serving never creates the store"
    );
    d.shutdown().await;
}

#[test]
fn serve_refuses_a_bad_listen_address() {
    let out = bin()
        .args(["serve", "--listen", "not-an-address"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("127.0.0.1:8080"));
}

/// Find Debian's Chromium.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// The DOM Chromium renders for `url` (at most 90 seconds).
fn dump_dom(chromium: &Path, profile: &Path, url: &str) -> String {
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s for {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().expect("reader")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_renders_the_overview_and_a_site_page() {
    let Some(chromium) = chromium() else {
        println!("skipped: Chromium is not installed (apt-get install chromium)");
        return;
    };
    let fx = scanned_store("chromium").await;
    let d = dashboard(&fx.config).await;
    let profile = fx.dir.join("chromium-profile");
    let url = d.url("/");
    let dom = {
        let (c, p) = (chromium.clone(), profile.clone());
        tokio::task::spawn_blocking(move || dump_dom(&c, &p, &url))
            .await
            .expect("join")
    };
    assert!(dom.contains("最近一次日扫描（#2）"), "{dom}");
    assert!(dom.contains(DEAD), "{dom}");
    assert!(dom.contains("<svg"), "the charts are in the DOM: {dom}");
    let url = d.url(&format!("/sites/{}", enc(SITE)));
    let dom = tokio::task::spawn_blocking(move || dump_dom(&chromium, &profile, &url))
        .await
        .expect("join");
    // The rendered text holds the name and the anchor text as text, not as elements.
    assert!(dom.contains("测试县&lt;b&gt;人民政府&lt;/b&gt;"), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;坏链接"),
        "{dom}"
    );
    assert!(!dom.contains("<b>人民政府</b>"), "{dom}");
    assert!(
        dom.contains("未整改（") && dom.contains("已整改（"),
        "{dom}"
    );
    assert!(dom.contains("gone.html"), "{dom}");
    d.shutdown().await;
}

/// A measure, not a check (`cargo test --test serve -- --ignored --nocapture`): the time of
/// each page over a store of 100 sites × 60 daily scans with 20 findings each, written
/// through the store API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn measure_pages_over_a_large_store() {
    use govscan::config::SiteConfig;
    use govscan::finding::{Finding, Kind, Verdict};
    let dir = temp_dir("large");
    let db = dir.join("govscan.db");
    let sites: Vec<SiteConfig> = (0..100)
        .map(|i| {
            let mut s = SiteConfig::adhoc(
                url::Url::parse(&format!("http://site{i}.example.gov.cn/")).expect("url"),
            );
            s.name = format!("站点{i:03}");
            s
        })
        .collect();
    let names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    let started = Instant::now();
    let mut store = Store::open(&db).expect("store");
    for day in 0..60 {
        let as_of = govscan::asof::parse("2026-10-01").expect("day") + chrono::Duration::days(day);
        let run = store.begin_run(as_of, "c", "r", &names).expect("run");
        for (i, site) in sites.iter().enumerate() {
            let sr = store.begin_site(run, site).expect("site");
            let findings: Vec<Finding> = (0..20)
                .map(|k| Finding {
                    rule: "link.broken".into(),
                    kind: Kind::Deduct,
                    points: 0.1,
                    url: format!("http://site{i}.example.gov.cn/p{}.html", (k + day) % 30),
                    page: Some(format!("http://site{i}.example.gov.cn/")),
                    evidence: serde_json::json!({ "status": 404 }),
                    message: "页面链接「栏目」不可用：404".into(),
                })
                .collect();
            let score = 60.0 + (i as f64 % 40.0);
            store
                .finish_site(
                    sr,
                    &Default::default(),
                    &findings,
                    score,
                    if score >= 60.0 {
                        Verdict::Pass
                    } else {
                        Verdict::Fail
                    },
                    &serde_json::json!({}),
                )
                .expect("finish");
        }
        store.finish_run(run).expect("finish run");
    }
    drop(store);
    println!("filled in {:?}", started.elapsed());
    let mut config = Config::default();
    config.store.path = db;
    config.sites = sites;
    let d =
        serve(govscan::serve::router(config, RuleSet::embedded().expect("rules")).expect("router"))
            .await;
    for path in [
        "/",
        "/sites?sort=score",
        "/sites/%E7%AB%99%E7%82%B9001",
        "/api/overview",
        "/bulletins/2026-11",
        "/bulletins/2026-11/docx",
    ] {
        let t = Instant::now();
        let (status, _, body) = get_text(&d.url(path)).await;
        println!("{path}: {status} {} bytes in {:?}", body.len(), t.elapsed());
    }
    d.shutdown().await;
}
