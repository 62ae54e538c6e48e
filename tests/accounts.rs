//! Government new-media accounts (政务新媒体, issue 14) end to end: feeds of every format and
//! encoding served on loopback, judged relative to a fixed as-of time; an account discovered
//! on the site's 新媒体矩阵 page; an account's veto never fails its site; accounts in the store
//! with new / persisting / fixed across two scans; the `accounts` command.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::config::{AccountConfig, Platform};
use govscan::demo::server::html;
use govscan::finding::Verdict;
use govscan::rules::RuleSet;
use url::Url;

fn ok(body: String) -> Response {
    html(StatusCode::OK, &body)
}

fn feed(ct: &'static str, body: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, ct)], body).into_response()
}

fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>某县发布</title><link>/</link>\n",
    );
    for (title, link, date) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>\n"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// The fixture site: a table-layout home page (upper-case tags, unclosed cells) with an
/// alternate feed link and a link to its 新媒体矩阵 page, and the feeds of its accounts.
fn site(day2: Arc<AtomicBool>) -> Router {
    let d = day2.clone();
    Router::new()
        .route(
            "/",
            get(|| async {
                ok(r#"<HTML><HEAD><TITLE>某县人民政府</TITLE>
<LINK REL="alternate" TYPE="application/rss+xml" TITLE="某县政府网站动态" HREF="/rss/site.xml">
</HEAD><BODY><TABLE><TR><TD><A HREF="./xxgk/index.html">政府信息公开</A>
<TD><A HREF="/xmt/">政务新媒体</A></TABLE></BODY></HTML>"#
                    .into())
            }),
        )
        .route("/xxgk/index.html", get(|| async { ok(page("政府信息公开", &["/"])) }))
        .route(
            "/xmt/",
            get(|| async {
                ok(r#"<html><head><title>政务新媒体矩阵</title></head><body><div class="list">
<ul><li><span>抖音</span> 某县融媒 <a href="../feeds/douyin.json">订阅</a></li></ul></div></body></html>"#
                    .into())
            }),
        )
        .route(
            "/rss/site.xml",
            get(|| async {
                feed(
                    "application/rss+xml",
                    rss(&[("网站动态", "/", "Sat, 28 Nov 2026 09:00:00 +0800")]).into_bytes(),
                )
            }),
        )
        // Fresh RSS with China Standard Time written as CST.
        .route(
            "/feeds/wx.xml",
            get(move || {
                let day2 = d.load(Ordering::SeqCst);
                async move {
                    let mut items = vec![
                        ("县政府召开常务会议", "/", "Sun, 29 Nov 2026 09:00:00 CST"),
                        ("冬季防火", "/xxgk/index.html", "Wed, 25 Nov 2026 10:00:00 CST"),
                    ];
                    if day2 {
                        // A post whose link is broken.
                        items.push(("旧闻", "/gone.html", "Tue, 24 Nov 2026 10:00:00 CST"));
                    }
                    feed("application/rss+xml", rss(&items).into_bytes())
                }
            }),
        )
        // Atom, stale on day 1 (veto), fresh on day 2.
        .route(
            "/feeds/wb.atom",
            get(move || {
                let day2 = day2.load(Ordering::SeqCst);
                async move {
                    let updated = if day2 { "2026-11-30T08:00:00" } else { "2026-11-01T08:00:00" };
                    feed(
                        "application/atom+xml",
                        format!(
                            r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>某县微博</title><id>wb</id><updated>{updated}</updated><entry><title>提示</title><id>1</id><link href="/"/><updated>{updated}</updated></entry></feed>"#
                        )
                        .into_bytes(),
                    )
                }
            }),
        )
        // JSON Feed, dormant: nothing since summer.
        .route(
            "/feeds/douyin.json",
            get(|| async {
                feed(
                    "application/feed+json",
                    r#"{"version":"https://jsonfeed.org/version/1.1","title":"某县融媒","items":[{"id":"1","url":"/","title":"视频","date_published":"2026-07-01T10:00:00+08:00"}]}"#.as_bytes().to_vec(),
                )
            }),
        )
        // GBK RSS, declared in the XML declaration only; dates ISO 8601 without a zone.
        .route(
            "/feeds/tt.xml",
            get(|| async {
                let text = "<?xml version=\"1.0\" encoding=\"GBK\"?><rss version=\"2.0\"><channel><title>某县头条</title>\
<item><title>秋收进度</title><link>/</link><pubDate>2026-11-27 16:00:00</pubDate></item></channel></rss>";
                let (bytes, _, _) = encoding_rs::GBK.encode(text);
                feed("text/xml", bytes.into_owned())
            }),
        )
        .route(
            "/feeds/app.xml",
            get(|| async { feed("text/xml", b"<rss><channel><item><title>x</channel>".to_vec()) }),
        )
        .route(
            "/feeds/undated.xml",
            get(|| async {
                feed(
                    "application/rss+xml",
                    rss(&[("无日期", "/", ""), ("日期不明", "/", "某日")]).into_bytes(),
                )
            }),
        )
}

fn account(base: &str, platform: Platform, name: &str, path: &str) -> AccountConfig {
    AccountConfig {
        platform,
        name: name.into(),
        unit: Some("县委宣传部".into()),
        feed: Url::parse(&format!("{base}{path}")).expect("feed URL"),
        discovered: false,
    }
}

fn as_of() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00+08:00").expect("as-of")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_judged_apart_from_their_site() {
    let s = serve(site(Arc::new(AtomicBool::new(false)))).await;
    let base = s.url("");
    let base = base.trim_end_matches('/');
    let rules = RuleSet::embedded().expect("rules");
    let mut cfg = fast_config();
    let plain = site_for(&s);
    cfg.sites.push(plain.clone());
    // The site alone, then with its accounts.
    let alone = govscan::inspect::check_sites(
        Arc::new(cfg.clone()),
        std::slice::from_ref(&plain),
        &rules,
        as_of(),
        Arc::new(govscan::crawl::NoObserver),
    )
    .await
    .expect("check");
    let mut with = plain.clone();
    with.accounts = vec![
        account(base, Platform::WeChat, "某县发布", "/feeds/wx.xml"),
        account(base, Platform::Weibo, "某县微博", "/feeds/wb.atom"),
        account(base, Platform::Toutiao, "某县头条", "/feeds/tt.xml"),
        account(base, Platform::App, "某县客户端", "/feeds/app.xml"),
        account(base, Platform::Other, "不存在的源", "/feeds/missing.xml"),
        account(base, Platform::Other, "无日期源", "/feeds/undated.xml"),
    ];
    cfg.sites = vec![with.clone()];
    let reports = govscan::inspect::check_sites(
        Arc::new(cfg),
        std::slice::from_ref(&with),
        &rules,
        as_of(),
        Arc::new(govscan::crawl::NoObserver),
    )
    .await
    .expect("check");
    let r = &reports[0];
    // The site's verdict and score do not change for its accounts.
    assert_eq!(r.verdict, alone[0].verdict);
    assert_eq!(r.score, alone[0].score);
    assert!(r.findings.iter().all(|f| !f.rule.starts_with("feed.")));
    let acc = |name: &str| {
        r.accounts
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no account {name}: {:#?}", r.accounts))
    };
    let rules_of =
        |name: &str| -> Vec<String> { acc(name).findings.iter().map(|f| f.rule.clone()).collect() };
    // Fresh RSS with CST dates.
    assert_eq!(
        acc("某县发布").verdict,
        Verdict::Pass,
        "{:#?}",
        acc("某县发布")
    );
    assert_eq!(acc("某县发布").posts[1], (14, 2));
    // Stale Atom: a veto of the account only.
    assert_eq!(acc("某县微博").verdict, Verdict::Fail);
    assert_eq!(rules_of("某县微博"), vec!["feed.stale"]);
    // GBK RSS, zone-less dates.
    assert_eq!(acc("某县头条").verdict, Verdict::Pass);
    assert_eq!(
        acc("某县头条").newest.map(|d| d.to_rfc3339()),
        Some("2026-11-27T16:00:00+08:00".into())
    );
    // Malformed XML and a 404: broken, not judged.
    assert_eq!(acc("某县客户端").verdict, Verdict::NotInspected);
    assert_eq!(rules_of("某县客户端"), vec!["feed.broken"]);
    assert_eq!(acc("不存在的源").verdict, Verdict::NotInspected);
    assert!(acc("不存在的源").findings[0].message.contains("HTTP 404"));
    assert_eq!(acc("无日期源").verdict, Verdict::NotInspected);
    assert!(acc("无日期源").findings[0].message.contains("2条"));
    // Discovered: the JSON Feed on the 新媒体矩阵 page (dormant), and the site's own feed.
    let dy = acc("某县融媒");
    assert!(dy.discovered);
    assert_eq!(dy.platform, Platform::Douyin);
    assert!(dy.dormant);
    assert_eq!(dy.found_on.as_deref(), Some(s.url("/xmt/").as_str()));
    assert!(r
        .accounts
        .iter()
        .any(|a| a.discovered && a.feed.ends_with("/rss/site.xml")));
    // The text report: a section per account, the site's conclusion unchanged.
    let doc = govscan::report::Document::new(as_of(), reports.clone());
    let text = govscan::report::text(&doc, &rules);
    assert!(
        text.contains("政务新媒体（单独评价，不计入网站得分）"),
        "{text}"
    );
    assert!(text.contains("◆ 微博 · 某县微博"), "{text}");
    let json = doc.to_json();
    assert!(json.contains("\"accounts\""), "{json}");
}

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("accounts", name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scans_keep_accounts_with_new_persisting_and_fixed_findings() {
    let day2 = Arc::new(AtomicBool::new(false));
    let s = serve(site(day2.clone())).await;
    let dir = temp_dir("two-scans");
    let cfg = dir.join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n\n[store]\npath = \"{db}\"\n\n\
[[site]]\nname = \"某县\"\nurl = \"{home}\"\nlevel = \"county\"\nkind = \"portal\"\n\n\
[[site.account]]\nplatform = \"微信\"\nname = \"某县发布\"\nunit = \"县委宣传部\"\nfeed = \"{wx}\"\n\n\
[[account]]\nsite = \"某县\"\nplatform = \"weibo\"\nname = \"某县微博\"\nfeed = \"{wb}\"\n\n\
[[account]]\nsite = \"某县\"\nplatform = \"other\"\nname = \"不存在的源\"\nfeed = \"{missing}\"\n",
            db = dir.join("govscan.db").display(),
            home = s.url("/"),
            wx = s.url("/feeds/wx.xml"),
            wb = s.url("/feeds/wb.atom"),
            missing = s.url("/feeds/missing.xml"),
        ),
    )
    .expect("config");
    let cfg = cfg.to_string_lossy().to_string();
    let scan = |day: &str| {
        vec![
            "scan".to_string(),
            "--fail-on".into(),
            "never".into(),
            "--config".into(),
            cfg.clone(),
            "--as-of".into(),
            day.into(),
        ]
    };
    let out = run(scan("2026-11-29")).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("某县 政务新媒体（单独评价）"), "{text}");
    day2.store(true, Ordering::SeqCst);
    let out = run(scan("2026-11-30")).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let store = govscan::store::Store::open_read_only(&dir.join("govscan.db")).expect("store");
    let rows = store.accounts(Some("某县"), None).expect("accounts");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no {name}: {rows:#?}"))
    };
    use govscan::store::FindingStatus as St;
    let statuses = |name: &str| -> Vec<(String, St)> {
        row(name)
            .findings
            .iter()
            .map(|f| (f.finding.rule.clone(), f.status))
            .collect()
    };
    // The Weibo account posted on day 2: its veto is fixed, and it passes.
    assert_eq!(
        statuses("某县微博"),
        vec![("feed.stale".to_string(), St::Fixed)]
    );
    assert_eq!(row("某县微博").verdict, Verdict::Pass);
    // The WeChat account's new post links to a missing page: a new finding.
    assert_eq!(
        statuses("某县发布"),
        vec![("link.broken".to_string(), St::New)]
    );
    assert_eq!(row("某县发布").unit, "县委宣传部");
    // The missing feed failed twice in a row: persisting, and said so.
    assert_eq!(
        statuses("不存在的源"),
        vec![("feed.broken".to_string(), St::Persisting)]
    );
    assert_eq!(row("不存在的源").failures_in_a_row, 2);
    assert!(!row("不存在的源").read_ok);
    // Discovered on the site's pages.
    assert!(rows
        .iter()
        .any(|r| r.discovered && r.platform == Platform::Douyin && r.dormant));
    // The site's own record has no account findings.
    let site_findings = store
        .findings(&govscan::store::FindingFilter::default())
        .expect("findings");
    assert!(site_findings
        .iter()
        .all(|f| !f.finding.rule.starts_with("feed.")));

    // `govscan accounts` in every format.
    let list = |format: &str| {
        vec![
            "accounts".to_string(),
            "--config".into(),
            cfg.clone(),
            "--site".into(),
            "某县".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let out = run(list("text")).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "某县 · 微信 · 某县发布 · 责任单位 县委宣传部 · 最近更新 2026-11-29 · 14天内 3 条"
        ),
        "{text}"
    );
    assert!(
        text.contains("某县 · 抖音 · 某县融媒（自动发现）"),
        "{text}"
    );
    assert!(text.contains("（连续2次）"), "{text}");
    let out = run(list("json")).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(json.as_array().is_some_and(|a| a.len() >= 4), "{json}");
    let out = run(list("csv")).await;
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    assert!(csv.contains("site,platform,name,unit,feed"), "{csv}");
    assert!(csv.contains("某县,微博,某县微博"), "{csv}");
    // An unknown site is a usage error.
    let out = run(vec![
        "accounts".into(),
        "--config".into(),
        cfg.clone(),
        "--site".into(),
        "别的县".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The monthly bulletin's 政务新媒体 part, in Markdown and in the DOCX 公文.
    let out_dir = dir.join("bulletin");
    let out = run(vec![
        "bulletin".into(),
        "--config".into(),
        cfg.clone(),
        "--month".into(),
        "2026-11".into(),
        "--out".into(),
        out_dir.to_string_lossy().to_string(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(out_dir.join("月通报-2026-11.md")).expect("md");
    assert!(md.contains("政务新媒体检查情况"), "{md}");
    let docx = std::fs::read(out_dir.join("月通报-2026-11.docx")).expect("docx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("document"),
        &mut xml,
    )
    .expect("read");
    for w in [
        "政务新媒体检查情况",
        "新媒体类型",
        "责任单位",
        "检查时更新日期",
        "某县发布",
    ] {
        assert!(xml.contains(w), "{w} missing from the DOCX");
    }
    // `check` of the site with the store there reads it while judging (the previous library,
    // the accounts' failures in a row): it finishes (it once waited for ever on the store's
    // lock, held by the first read while the second asked).
    let mut child = bin()
        .args([
            "check",
            &s.url("/"),
            "--config",
            &cfg,
            "--as-of",
            "2026-11-30",
            "--fail-on",
            "never",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn check");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("check did not finish in 60 s");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(status.code(), Some(0));
}
