//! The command line end to end: the binary against fixture sites on loopback, exit statuses,
//! error messages that name file, line and field, the JSON contract, and the demo.

mod common;

use std::process::{Command, Output};

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::html;

fn govscan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govscan"))
        .args(args)
        .env("GOVSCAN_LOG", "error")
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("run the govscan binary")
}

/// Run the binary off the async runtime so the fixture server keeps serving.
async fn govscan_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        govscan(&refs)
    })
    .await
    .expect("join")
}

fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write temp file");
    p
}

const TEST_CONFIG: &str = r#"
[crawl]
rate_per_origin = 0
total_timeout = "3s"
retries = 0
"#;

fn fixture() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                html(
                    StatusCode::OK,
                    &page("首页", &["/ok.html", "/missing.html"]),
                )
            }),
        )
        .route(
            "/ok.html",
            get(|| async { html(StatusCode::OK, &page("正常", &["/gone.html"])) }),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_prints_the_json_contract_and_exit_status_follows_fail_on() {
    let s = serve(fixture()).await;
    let cfg = write_temp("config.toml", TEST_CONFIG);
    let cfg = cfg.to_string_lossy().to_string();
    let url = s.url("/");
    let out = govscan_async(vec![
        "check".into(),
        url.clone(),
        "--config".into(),
        cfg.clone(),
        "--format".into(),
        "json".into(),
        "--as-of".into(),
        "2026-11-30".into(),
        "--fail-on".into(),
        "never".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["tool"], "govscan");
    assert_eq!(doc["as_of"], "2026-11-30T23:59:59+08:00");
    let site = &doc["sites"][0];
    for key in ["url", "score", "verdict", "stats", "findings"] {
        assert!(site.get(key).is_some(), "missing {key}");
    }
    let findings = site["findings"].as_array().expect("findings");
    let home = findings
        .iter()
        .find(|f| f["rule"] == "link.broken.home")
        .expect("home-page broken link");
    assert!(home["url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/missing.html")));
    assert_eq!(home["page"], url.as_str());
    assert_eq!(home["evidence"]["http_status"], 404);
    assert_eq!(home["kind"], "deduct");
    assert!(home["message"].as_str().is_some_and(|m| m.contains("首页")));
    let other = findings
        .iter()
        .find(|f| f["rule"] == "link.broken")
        .expect("other-page broken link");
    assert!(other["url"]
        .as_str()
        .is_some_and(|u| u.ends_with("/gone.html")));
    assert_eq!(site["stats"]["broken"], 2);

    // --fail-on: 1 when a finding at or above the threshold exists, else 0.
    for (fail_on, kinds) in [
        ("veto", &["veto"][..]),
        ("deduct", &["veto", "deduct"][..]),
        ("notice", &["veto", "deduct", "notice"][..]),
    ] {
        let expected = if findings
            .iter()
            .any(|f| kinds.contains(&f["kind"].as_str().unwrap_or("")))
        {
            1
        } else {
            0
        };
        let out = govscan_async(vec![
            "check".into(),
            url.clone(),
            "--config".into(),
            cfg.clone(),
            "--format".into(),
            "json".into(),
            "--fail-on".into(),
            fail_on.into(),
            "--as-of".into(),
            "2026-11-30".into(),
        ])
        .await;
        assert_eq!(out.status.code(), Some(expected), "--fail-on {fail_on}");
    }
    // Deduct findings exist here, so --fail-on deduct must fail.
    let out = govscan_async(vec![
        "check".into(),
        url.clone(),
        "--config".into(),
        cfg.clone(),
        "--fail-on".into(),
        "deduct".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("首页不可用链接") && text.contains("missing.html") && text.contains("小结"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_site_is_a_run_that_could_not_complete() {
    let url = govscan::demo::server::closed_port_url().expect("closed port");
    let cfg = write_temp("config.toml", TEST_CONFIG);
    let out = govscan_async(vec![
        "check".into(),
        url,
        "--config".into(),
        cfg.to_string_lossy().to_string(),
        "--format".into(),
        "json".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON even so");
    assert!(doc["sites"][0]["error"]
        .as_str()
        .is_some_and(|e| e.contains("首页无法访问")));
    // Not inspected: no score, and the verdict names the state, never 合格.
    assert!(doc["sites"][0]["score"].is_null(), "{doc}");
    assert!(doc["sites"][0]["score_detail"].is_null(), "{doc}");
    assert_eq!(doc["sites"][0]["verdict"], "无法检查");
}

#[test]
fn a_broken_config_names_file_line_and_field() {
    let cfg = write_temp("bad.toml", "[crawl]\nrate_per_origin = 2.0\nburts = 3\n");
    let out = govscan(&[
        "check",
        "http://127.0.0.1:9/",
        "--config",
        &cfg.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3") && err.contains("burts"), "{err}");

    let cfg = write_temp(
        "badurl.toml",
        "[[site]]\nname = \"甲\"\nurl = \"ftp://example.gov.cn/\"\n",
    );
    let out = govscan(&[
        "check",
        "http://127.0.0.1:9/",
        "--config",
        &cfg.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("badurl.toml:3") && err.contains("site[0].url"),
        "{err}"
    );

    let cfg = write_temp("badtype.toml", "[crawl]\nmax_pages = \"many\"\n");
    let out = govscan(&[
        "check",
        "http://127.0.0.1:9/",
        "--config",
        &cfg.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("badtype.toml:2") && err.contains("max_pages"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(govscan(&["check", "not a url"]).status.code(), Some(2));
    assert_eq!(
        govscan(&["check", "http://127.0.0.1:9/", "--as-of", "yesterday"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(govscan(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(govscan(&["--help"]).status.code(), Some(0));
}

#[test]
fn rules_check_and_list() {
    let out = govscan(&["rules", "check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = govscan(&["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("link.broken.home") && text.contains("首页不可用链接"));

    let dir = write_temp("x.toml", "")
        .parent()
        .expect("dir")
        .join("badrules");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("links.toml"), "[[rule]]\nid = \"link.broken.home\"\ntitle = \"首页不可用链接\"\nsource = \"x\"\nkind = \"deduct\"\npoints = 1\nindicator = \"nowhere\"\ncolour = \"red\"\n").expect("write");
    let out = govscan(&["rules", "check", "--rules", &dir.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("links.toml:8") && err.contains("colour"),
        "{err}"
    );
}

#[test]
fn the_demo_runs_offline_and_finds_the_planted_defects() {
    let out = govscan(&["demo", "--format", "json", "--as-of", "2026-11-30"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let site = &doc["sites"][0];
    let findings = site["findings"].as_array().expect("findings");
    let broken: Vec<&str> = findings
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("link.broken"))
        })
        .filter_map(|f| f["url"].as_str())
        .collect();
    for path in [
        "/zfxxgk/jgzn/",
        "/hdjl/zxft/",
        "/images/banner_2025.jpg",
        "/zcwj/zcjd/",
        "/nbtxl/",
    ] {
        assert!(
            broken.iter().any(|u| u.ends_with(path)),
            "{path} not reported in {broken:?}"
        );
    }
    let refused = findings
        .iter()
        .any(|f| f["evidence"]["status"]["type"] == "refused");
    assert!(refused, "the refused outbound link");
    assert_eq!(
        site["stats"]["robots_disallowed"], 1,
        "/admin/ is disallowed by robots.txt"
    );
    assert!(!broken.iter().any(|u| u.contains("/admin/")));
}

/// `govscan` with its log filter from the test (the helper above silences the log).
fn govscan_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govscan"));
    c.args(args)
        .env_remove("GOVSCAN_LOG")
        .env_remove("NO_COLOR")
        .current_dir(env!("CARGO_TARGET_TMPDIR"));
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run the govscan binary")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_text_reads_well_and_goes_to_a_file_with_output() {
    let s = serve(fixture()).await;
    let cfg = write_temp("config.toml", TEST_CONFIG);
    let report = write_temp("report.txt", "");
    let out = govscan_async(vec![
        "check".into(),
        s.url("/"),
        "--config".into(),
        cfg.to_string_lossy().to_string(),
        "--as-of".into(),
        "2026-11-30".into(),
        "--fail-on".into(),
        "never".into(),
        "--output".into(),
        report.to_string_lossy().to_string(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "the report went to the file");
    let text = std::fs::read_to_string(&report).expect("report file");
    // The as-of time to the second, with its offset; no RFC 3339 'T' or fractions.
    assert!(
        text.contains("监测时间点 2026-11-30 23:59:59 +08:00"),
        "{text}"
    );
    assert!(!text.contains("T23:59:59"), "{text}");
    // The IPv6 finding on a loopback site says it only reflects where govscan runs.
    assert!(text.contains("[ipv6.unsupported]"), "{text}");
    assert!(
        text.contains("※ 本项只来自检查所在环境") && text.contains("本机回环地址"),
        "{text}"
    );
    // Each rule's source once, in the notes at the end; never under every rule.
    assert!(!text.contains("本规则含未经核实的默认值"), "{text}");
    let notes = text.split("── 注（规则依据）").nth(1).expect("the notes");
    let body = text.split("── 注（规则依据）").next().unwrap_or_default();
    for rule in ["link.broken.home", "link.broken", "ipv6.unsupported"] {
        let marker = format!("[{rule}]（未核实）：");
        assert_eq!(notes.matches(&marker).count(), 1, "{rule}: {text}");
        assert!(!body.contains(&marker), "{text}");
    }
    assert_eq!(
        notes.matches("标“未核实”的规则含未经核实的默认值").count(),
        1,
        "{text}"
    );
    assert!(text.contains("〔注1〕"), "{text}");
    s.shutdown().await;
}

#[test]
fn check_suggests_a_scheme_for_a_bare_host() {
    for bare in ["www.example.gov.cn", "www.example.gov.cn:8080/index.html"] {
        let out = govscan(&["check", bare]);
        assert_eq!(out.status.code(), Some(2), "{bare}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("did you mean `http://{bare}")),
            "{err}"
        );
    }
    let out = govscan(&["check", "ftp://www.example.gov.cn/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an http(s) URL"));
}

#[test]
fn messages_use_plain_words_not_rust_types() {
    let cfg = write_temp("plain.toml", "[crawl]\nburst = \"lots\"\n");
    let out = govscan(&[
        "check",
        "http://127.0.0.1:9/",
        "--config",
        &cfg.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("plain.toml:2") && err.contains("expected a whole number"),
        "{err}"
    );
    assert!(!err.contains("u32"), "{err}");
    let out = govscan(&["check", "http://127.0.0.1:9/", "--max-pages", "lots"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expected a whole number"), "{err}");
    assert!(!err.contains("invalid digit"), "{err}");
}

#[test]
fn help_mentions_the_log_variable_and_completions_are_generated() {
    let out = govscan(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("GOVSCAN_LOG") && help.contains("--quiet") && help.contains("--verbose"),
        "{help}"
    );
    for shell in ["bash", "zsh", "fish"] {
        let out = govscan(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("govscan") && script.contains("bulletin"),
            "{shell}: {script}"
        );
    }
    assert_eq!(govscan(&["completions", "cmd.exe"]).status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_off_a_terminal_have_no_colours_and_local_times_with_offset() {
    let s = serve(fixture()).await;
    let cfg = write_temp("config.toml", TEST_CONFIG);
    let (url, cfg) = (s.url("/"), cfg.to_string_lossy().to_string());
    let (u, c) = (url.clone(), cfg.clone());
    let out = tokio::task::spawn_blocking(move || {
        govscan_env(
            &["check", &u, "--config", &c, "--fail-on", "never"],
            &[("GOVSCAN_LOG", "debug")],
        )
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(0));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.is_empty(), "debug logging shows something");
    assert!(!log.contains('\u{1b}'), "no ANSI escape codes: {log:?}");
    let stamp = regex::Regex::new(r"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d ")
        .expect("regex");
    assert!(stamp.is_match(&log), "local time with offset: {log}");
    // -q overrides GOVSCAN_LOG: only errors.
    let (u, c) = (url.clone(), cfg.clone());
    let out = tokio::task::spawn_blocking(move || {
        govscan_env(
            &["-q", "check", &u, "--config", &c, "--fail-on", "never"],
            &[("GOVSCAN_LOG", "debug")],
        )
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(0));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("DEBUG") && !log.contains("INFO"), "{log}");
    // -v without GOVSCAN_LOG logs progress.
    let (u, c) = (url.clone(), cfg.clone());
    let out = tokio::task::spawn_blocking(move || {
        govscan_env(
            &["check", &u, "--config", &c, "--fail-on", "never", "-v"],
            &[],
        )
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(0));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("DEBUG"), "{log}");
    // -vv: debugging.
    let (u, c) = (url.clone(), cfg.clone());
    let out = tokio::task::spawn_blocking(move || {
        govscan_env(
            &["check", &u, "--config", &c, "--fail-on", "never", "-vv"],
            &[],
        )
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(0));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("DEBUG") && !log.contains('\u{1b}'), "{log}");
    s.shutdown().await;
}

#[test]
fn the_demo_writes_its_report_to_a_file_with_output() {
    let file = write_temp("demo.json", "");
    let out = govscan(&[
        "demo",
        "--format",
        "json",
        "--as-of",
        "2026-11-30",
        "--output",
        &file.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("file")).expect("JSON");
    assert_eq!(doc["tool"], "govscan");
}
