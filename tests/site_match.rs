//! `govscan check URL --config F`: the URL is judged as the configured site it belongs to —
//! matched on scheme, host, port and the longest path prefix — and as none (the defaults, with
//! a note in the report) when no configured site matches.

mod common;

use std::process::Command;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::html;

async fn check_json(url: &str, cfg: &str, format: &str) -> String {
    let args = vec![
        "check".to_string(),
        url.to_string(),
        "--config".into(),
        cfg.to_string(),
        "--format".into(),
        format.into(),
        "--as-of".into(),
        "2026-11-30".into(),
        "--fail-on".into(),
        "never".into(),
    ];
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_govscan"))
            .args(&args)
            .env("GOVSCAN_LOG", "error")
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .output()
            .expect("run the govscan binary")
    })
    .await
    .expect("join");
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn fixture() -> Router {
    let p = || async { html(StatusCode::OK, &page("首页", &["/a.html"])) };
    Router::new()
        .route("/", get(p))
        .route("/a.html", get(p))
        .route("/bm/jyj/", get(p))
        .route("/bm/jyjx/", get(p))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sites_on_one_host_are_each_judged_as_themselves() {
    let one = serve(fixture()).await;
    let two = serve(fixture()).await;
    let three = serve(fixture()).await;
    let cfg = format!(
        r#"
[crawl]
rate_per_origin = 0
total_timeout = "3s"
retries = 0
max_pages = 5

[[site]]
name = "甲市人民政府"
url = "{a}"
level = "city"
kind = "portal"

[[site]]
name = "甲市教育局（另一端口）"
url = "{b}"
level = "department"
kind = "department"

[[site]]
name = "甲市教育局（路径）"
url = "{c}"
level = "county"
kind = "department"
"#,
        a = one.url("/"),
        b = two.url("/"),
        c = one.url("/bm/jyj/"),
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("site-match-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("config.toml");
    std::fs::write(&path, cfg).expect("write config");
    let cfg = path.to_string_lossy().to_string();

    for (url, name, level) in [
        (one.url("/"), "甲市人民政府", "city"),
        (one.url("/a.html"), "甲市人民政府", "city"),
        (two.url("/"), "甲市教育局（另一端口）", "department"),
        (one.url("/bm/jyj/"), "甲市教育局（路径）", "county"),
        (one.url("/bm/jyjx/"), "甲市人民政府", "city"),
    ] {
        let out = check_json(&url, &cfg, "json").await;
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        let site = &doc["sites"][0];
        assert_eq!(site["name"], name, "{url}");
        assert_eq!(site["level"], level, "{url}");
        assert!(site.get("notes").is_none(), "{url}: {site}");
    }

    // No configured site on this port: the defaults, and the report says so.
    let out = check_json(&three.url("/"), &cfg, "json").await;
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["sites"][0]["level"], "department");
    assert_eq!(
        doc["sites"][0]["notes"][0],
        govscan::report::NOTE_NO_SITE_MATCHED
    );
    let text = check_json(&three.url("/"), &cfg, "text").await;
    assert!(text.contains("配置文件中没有与该网址匹配的网站"), "{text}");
    let text = check_json(&one.url("/"), &cfg, "text").await;
    assert!(!text.contains("没有与该网址匹配"), "{text}");
}
