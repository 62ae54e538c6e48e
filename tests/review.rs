//! A person's decision on a finding (`govscan review`): a veto that needs confirmation makes
//! the site 待确认, not 不合格; confirming it makes the site 不合格, dismissing it (误报) drops
//! it, in `judge`, in the next scan and in the bulletin (which reads the stored scans).

mod common;

use std::path::PathBuf;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::{html, Running};

fn ok(body: &str) -> Response {
    html(StatusCode::OK, body)
}

/// A county portal in upper-case table tag soup whose home page misspells the country's name
/// (a listed wrong form), and a div-template news page one level deeper, relative links, that
/// misspells the Party's name.
fn site() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                ok(r#"<HTML><HEAD><META charset="utf-8"><TITLE>示范县人民政府</TITLE></HEAD><BODY>
<TABLE width="100%"><TR><TD><A href="./xwdt/">新闻动态</A><TD><A href="./xwdt/1.html">要闻</A>
</TABLE>
<DIV class="main"><P>根据《中华人民共合国政府信息公开条例》，本县公开以下信息。</P></DIV>
<DIV class="footer">主办：示范县人民政府办公室</DIV>
</BODY></HTML>"#)
            }),
        )
        .route(
            "/xwdt/",
            get(|| async {
                ok(r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻动态</title></head>
<body><div class="nav"><a href="../">首页</a></div>
<ul class="list"><li><a href="./1.html">县委召开会议</a><span>2026-11-20</span></li></ul></body></html>"#)
            }),
        )
        .route(
            "/xwdt/1.html",
            get(|| async {
                ok(r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>县委召开会议</title></head>
<body><div class="article"><h1>县委召开会议</h1><p>会议学习了中国共产觉第二十次全国代表大会精神。</p></div></body></html>"#)
            }),
        )
}

struct Scanned {
    server: Running,
    dir: PathBuf,
    config: String,
}

/// The site scanned as of 2026-11-30 under a rules folder holding only the wording rule (so
/// no other rule decides the verdict).
async fn scanned(name: &str) -> Scanned {
    let server = serve(site()).await;
    let dir = temp_dir_in("review", name);
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    let wording = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/wording.toml"),
    )
    .expect("wording.toml");
    std::fs::write(rules.join("wording.toml"), wording).expect("copy");
    let config = format!(
        "rules_dir = \"{}\"\n\n[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n\n[store]\npath = \"{}\"\n\n[[site]]\nname = \"示范县\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
        rules.display(),
        dir.join("govscan.db").display(),
        server.url("/")
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, config).expect("write config");
    let s = Scanned {
        server,
        dir,
        config: path.to_string_lossy().to_string(),
    };
    s.scan().await;
    s
}

impl Scanned {
    async fn scan(&self) {
        let out = run(vec![
            "scan".into(),
            "--fail-on".into(),
            "never".into(),
            "--config".into(),
            self.config.clone(),
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
    }

    async fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.push("--config".into());
        v.push(self.config.clone());
        run(v).await
    }

    /// (verdict, score, wording findings' urls) of `judge` on the latest scan.
    async fn judge(&self) -> (String, Option<f64>, Vec<String>) {
        let out = self
            .cli(&["judge", "--format", "json", "--fail-on", "never"])
            .await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let site = &doc["sites"][0];
        let mut urls: Vec<String> = site["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == "wording.serious")
            .map(|f| f["url"].as_str().unwrap_or_default().to_string())
            .collect();
        urls.sort();
        (
            site["verdict"].as_str().unwrap_or_default().to_string(),
            site["score"].as_f64(),
            urls,
        )
    }

    /// The bulletin of November 2026 as JSON.
    async fn bulletin(&self, name: &str) -> serde_json::Value {
        let out_dir = self.dir.join(name);
        let out = self
            .cli(&[
                "bulletin",
                "--month",
                "2026-11",
                "--out",
                &out_dir.to_string_lossy(),
            ])
            .await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json = std::fs::read_to_string(out_dir.join("月通报-2026-11.json")).expect("json");
        serde_json::from_str(&json).expect("bulletin json")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_veto_to_confirm_leaves_the_site_pending_until_a_person_decides() {
    let s = scanned("decide").await;
    let home = s.server.url("/");
    let news = s.server.url("/xwdt/1.html");

    // Two wording vetoes, both to be confirmed: the site is neither 合格 nor 不合格.
    let (verdict, score, urls) = s.judge().await;
    assert_eq!(verdict, "待确认");
    assert_eq!(score, Some(100.0));
    assert_eq!(urls.len(), 2, "{urls:?}");
    let b = s.bulletin("before").await;
    assert_eq!(
        (
            b["passed"].as_u64(),
            b["failed"].as_u64(),
            b["pending"].as_u64()
        ),
        (Some(0), Some(0), Some(1))
    );
    assert_eq!(b["sites"][0]["verdict"], "待确认");
    let md = std::fs::read_to_string(s.dir.join("before/月通报-2026-11.md")).expect("md");
    assert!(md.contains("待人工确认 1 家"), "{md}");
    assert!(!md.contains("均合格"), "a pending site is not a pass: {md}");

    // A target the store never saw is refused, with the ones it knows.
    let out = s
        .cli(&[
            "review",
            "confirm",
            "示范县",
            "wording.serious",
            "http://nowhere/",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&home) || err.contains(&news), "{err}");

    // Dismissing the news page's finding (it quotes a document) leaves one veto to confirm.
    let out = s
        .cli(&[
            "review",
            "dismiss",
            "示范县",
            "wording.serious",
            &news,
            "--by",
            "李四",
            "--note",
            "引用原文",
        ])
        .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (verdict, _, urls) = s.judge().await;
    assert_eq!(
        (verdict.as_str(), urls.clone()),
        ("待确认", vec![home.clone()])
    );

    // Confirming the other makes the site 不合格, in judge and in the bulletin (without
    // --rejudge: the stored scan with the decisions applied).
    let out = s
        .cli(&[
            "review",
            "confirm",
            "示范县",
            "wording.serious",
            &home,
            "--by",
            "张三",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0));
    let (verdict, _, urls) = s.judge().await;
    assert_eq!((verdict.as_str(), urls), ("不合格", vec![home.clone()]));
    let b = s.bulletin("confirmed").await;
    assert_eq!(
        (
            b["passed"].as_u64(),
            b["failed"].as_u64(),
            b["pending"].as_u64()
        ),
        (Some(0), Some(1), Some(0))
    );

    // A new decision replaces the old: both dismissed, the site passes — in the next scan too.
    let out = s
        .cli(&["review", "dismiss", "示范县", "wording.serious", &home])
        .await;
    assert_eq!(out.status.code(), Some(0));
    s.scan().await;
    let (verdict, _, urls) = s.judge().await;
    assert_eq!((verdict.as_str(), urls.len()), ("合格", 0));
    let b = s.bulletin("dismissed").await;
    assert_eq!(b["sites"][0]["verdict"], "合格");

    let out = s.cli(&["review", "list", "--format", "json"]).await;
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    assert!(list
        .iter()
        .all(|r| r["decision"] == "dismissed" && r["site"] == "示范县"));
    assert!(list
        .iter()
        .any(|r| r["reviewer"] == "李四" && r["note"] == "引用原文"));
}
