//! Every command that reads or writes the store, end to end on PostgreSQL: the binary's
//! `scan`, `findings`, `history`, `normdocs`, `accounts`, `judge` (and `--rules`), `bulletin`,
//! `sample`, `review` and `probe`, and the dashboard's data (`serve::data`), against the same
//! fixture sites scanned into an SQLite store and into a PostgreSQL one. What each prints
//! from PostgreSQL must be what it prints from SQLite (everything but measured durations).
//!
//! They need the PostgreSQL database named by `GOVSCAN_TEST_PG_URL` (`.ci/run` starts a
//! throw-away cluster and sets it), each test in a schema of its own that it drops at the
//! end; without it each says so and is skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::config::Config;
use govscan::demo::server::{html, Running};
use govscan::rules::RuleSet;
use govscan::store::{Location, Store};

const TEST_PG_URL: &str = "GOVSCAN_TEST_PG_URL";
const DEMO: &str = "示范县";
const SMALL: &str = "小站";
const DEAD: &str = "坏站";

/// A schema of its own in the test database, dropped when the test ends.
struct Schema {
    base: String,
    name: String,
    /// The URL whose connections use the schema (`search_path`).
    url: String,
}

impl Schema {
    /// `None`, saying why, without a test database.
    fn new(test: &str) -> Option<Schema> {
        let Some(base) = std::env::var(TEST_PG_URL).ok().filter(|u| !u.is_empty()) else {
            eprintln!(
                "skipped: {test}: {TEST_PG_URL} is not set (.ci/run starts a PostgreSQL cluster and sets it)"
            );
            return None;
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("c{}_{nanos}", std::process::id());
        let sql = format!("CREATE SCHEMA {name}");
        pg_batch(&base, sql);
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{name}");
        Some(Schema { base, name, url })
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        pg_batch(
            &self.base,
            format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name),
        );
    }
}

/// Run SQL on the test database (the synchronous client runs its own runtime: on a thread
/// of its own).
fn pg_batch(url: &str, sql: String) {
    let url = url.to_string();
    std::thread::spawn(move || {
        let mut c =
            postgres::Client::connect(&url, postgres::NoTls).expect("connect to the test PG");
        c.batch_execute(&sql).expect("run SQL on the test PG");
    })
    .join()
    .expect("the test PG thread");
}

/// A table-based county portal (upper-case tags, unclosed cells, relative side navigation)
/// with a broken link that is mended once `day2` is set and one that stays broken; its
/// 行政规范性文件 library (a tag-soup table: on day 2 one document is repealed and one added);
/// and the feeds of its new-media accounts (one stale on day 1, one gaining a broken post).
fn small_site(day2: Arc<AtomicBool>) -> Router {
    let home = "<HTML><HEAD><META charset=\"utf-8\"><TITLE>小站人民政府</TITLE></HEAD><BODY>\
        <TABLE width=\"960\"><TR><TD class=\"nav\"><A href=\"./gzdt/\">工作动态</A>\
        <TD><A href=\"/missing.html\">坏链接</A>\
        <TD><A href=\"zfxxgk/gfxwj/index.html\">行政规范性文件</A>\
        <TR><TD colspan=\"3\"><A href=\"../gone.html\">旧通知</A>\
        <P>这是一个用于测试的县级政府门户网站，内容正常。</P></TABLE></BODY></HTML>"
        .to_string();
    let (d1, d2, d3, d4) = (day2.clone(), day2.clone(), day2.clone(), day2);
    let mut app = Router::new()
        .route(
            "/",
            get(move || {
                let home = home.clone();
                async move { html(StatusCode::OK, &home) }
            }),
        )
        .route(
            "/gzdt/",
            get(|| async { html(StatusCode::OK, &page("工作动态", &["../", "./2026/"])) }),
        )
        .route(
            "/gzdt/2026/",
            get(|| async { html(StatusCode::OK, &page("二〇二六年", &["../../gzdt/"])) }),
        )
        .route(
            "/gone.html",
            get(move || {
                let fixed = d1.load(Ordering::SeqCst);
                async move {
                    if fixed {
                        html(StatusCode::OK, &page("旧通知", &[]))
                    } else {
                        html(StatusCode::NOT_FOUND, "not found")
                    }
                }
            }),
        )
        .route(
            "/zfxxgk/gfxwj/index.html",
            get(move || {
                let later = d2.load(Ordering::SeqCst);
                async move { html(StatusCode::OK, &library(later)) }
            }),
        )
        .route(
            "/feeds/wx.xml",
            get(move || {
                let later = d3.load(Ordering::SeqCst);
                async move {
                    let mut items = vec![
                        ("县政府召开常务会议", "/", "Sun, 29 Nov 2026 09:00:00 +0800"),
                        ("冬季防火", "/gzdt/", "Wed, 25 Nov 2026 10:00:00 +0800"),
                    ];
                    if later {
                        items.push(("旧闻", "/gone-post.html", "Tue, 24 Nov 2026 10:00:00 +0800"));
                    }
                    feed("application/rss+xml", rss(&items))
                }
            }),
        )
        .route(
            "/feeds/wb.xml",
            get(move || {
                let date = if d4.load(Ordering::SeqCst) {
                    "Mon, 30 Nov 2026 08:00:00 +0800"
                } else {
                    "Sun, 01 Nov 2026 08:00:00 +0800"
                };
                async move { feed("application/rss+xml", rss(&[("提示", "/", date)])) }
            }),
        );
    for (no, title, path) in DOCS {
        let body = format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"ArticleTitle\" content=\"{title}\">\
             <meta name=\"PubDate\" content=\"2020-01-05 10:00\"><title>{title}</title></head><body>\
             <table class=meta><tr><td>文号：</td><td>{no}</td></tr></table><h1>{title}</h1>\
             <p>各乡镇人民政府，县政府各部门：现将有关事项通知如下。</p></body></html>"
        );
        app = app.route(
            path,
            get(move || async move { html(StatusCode::OK, &body) }),
        );
    }
    app
}

/// The library's documents: (文号, title, path).
const DOCS: [(&str, &str, &str); 3] = [
    (
        "小府规〔2020〕1号",
        "甲办法",
        "/zfxxgk/gfxwj/202001/t1.html",
    ),
    (
        "小府规〔2020〕2号",
        "乙办法",
        "/zfxxgk/gfxwj/202002/t2.html",
    ),
    (
        "小府规〔2026〕3号",
        "丙办法",
        "/zfxxgk/gfxwj/202610/t3.html",
    ),
];

/// The library page: on day 2 乙办法 is repealed and 丙办法 added.
fn library(day2: bool) -> String {
    let mut b = String::from(
        "<HTML><HEAD><META charset=utf-8><TITLE>行政规范性文件_小站人民政府</TITLE></HEAD><BODY>\
         <H2 class=lmmc>行政规范性文件</H2><TABLE class=gfxwj>\
         <TR><TH>序号<TH>文号<TH>标题<TH>发布日期<TH>有效性\n",
    );
    let rows: Vec<(usize, &str)> = if day2 {
        vec![(0, "有效"), (1, "已废止"), (2, "有效")]
    } else {
        vec![(0, "有效"), (1, "有效")]
    };
    for (i, (d, status)) in rows.into_iter().enumerate() {
        let (no, title, path) = DOCS[d];
        b.push_str(&format!(
            "<TR><TD>{}<TD>{no}<TD><A href=\"{path}\">{title}</A><TD>2020-0{}-05<TD>{status}\n",
            i + 1,
            i + 1
        ));
    }
    b.push_str("</TABLE></BODY></HTML>");
    b
}

fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>小站发布</title>",
    );
    for (title, link, date) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn feed(content_type: &'static str, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, content_type)],
        body,
    )
        .into_response()
}

/// The fixture sites of one test: the demo county (every kind of defect), the small portal
/// and a site that cannot be reached.
struct Sites {
    /// The demo county is rich but slow to judge in a debug build (seconds a scan): only
    /// where its variety is needed.
    demo: Option<Running>,
    small: Running,
    fixed: Arc<AtomicBool>,
}

impl Sites {
    async fn start(with_demo: bool) -> Sites {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        let demo = if with_demo {
            Some(
                govscan::demo::site::start_demo(as_of)
                    .await
                    .expect("demo site"),
            )
        } else {
            None
        };
        let fixed = Arc::new(AtomicBool::new(false));
        let small = serve(small_site(fixed.clone())).await;
        Sites { demo, small, fixed }
    }

    /// Requests the fixture servers have answered.
    fn requests(&self) -> usize {
        self.small.log.count() + self.demo.as_ref().map_or(0, |d| d.log.count())
    }

    fn list(&self) -> Vec<(&'static str, String, &'static str)> {
        let mut v = vec![
            (SMALL, self.small.url("/"), "portal"),
            (DEAD, "http://127.0.0.1:9/".to_string(), "department"),
        ];
        if let Some(demo) = &self.demo {
            v.insert(0, (DEMO, demo.url("/"), "portal"));
        }
        v
    }
}

/// One test's two stores: the same configuration storing in an SQLite file and in the
/// test's PostgreSQL schema.
struct Stores {
    dir: PathBuf,
    sqlite: String,
    pg: String,
    schema: Schema,
}

impl Stores {
    fn new(name: &str, schema: Schema, sites: &Sites) -> Stores {
        let dir = temp_dir_in("postgres", name);
        let write = |sub: &str, store: String| -> String {
            let d = dir.join(sub);
            std::fs::create_dir_all(&d).expect("dir");
            let mut t = format!(
                "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\n\n\
                 [store]\n{store}\n\n[bulletin]\nissuer = \"某市政务公开办\"\n"
            );
            for (name, url, kind) in sites.list() {
                t.push_str(&format!(
                    "\n[[site]]\nname = \"{name}\"\nurl = \"{url}\"\nlevel = \"county\"\nkind = \"{kind}\"\n"
                ));
                if name == SMALL {
                    t.push_str(&format!(
                        "\n[[site.account]]\nplatform = \"微信\"\nname = \"小站发布\"\nunit = \"县委宣传部\"\nfeed = \"{}\"\n",
                        sites.small.url("/feeds/wx.xml")
                    ));
                }
            }
            t.push_str(&format!(
                "\n[[account]]\nsite = \"{SMALL}\"\nplatform = \"weibo\"\nname = \"小站微博\"\nfeed = \"{}\"\n\n\
                 [[account]]\nsite = \"{SMALL}\"\nplatform = \"other\"\nname = \"不存在的源\"\nfeed = \"{}\"\n",
                sites.small.url("/feeds/wb.xml"),
                sites.small.url("/feeds/missing.xml")
            ));
            let p = d.join("config.toml");
            std::fs::write(&p, t).expect("write config");
            p.to_string_lossy().to_string()
        };
        let sqlite = write(
            "sqlite",
            format!(
                "path = \"{}\"",
                dir.join("sqlite").join("govscan.db").display()
            ),
        );
        let pg = write("pg", format!("url = \"{}\"", schema.url));
        Stores {
            dir,
            sqlite,
            pg,
            schema,
        }
    }

    fn location(&self) -> Location {
        Location::Postgres(self.schema.url.clone())
    }

    fn sqlite_location(&self) -> Location {
        Location::Sqlite(self.dir.join("sqlite").join("govscan.db"))
    }

    /// The October scan of the small site and 坏站 (the small site's old notice broken), then
    /// the November one of every site (mended), into both stores; 坏站 cannot be inspected,
    /// so each scan exits 3.
    async fn scan_twice(&self, sites: &Sites) {
        for (day, fixed) in [("2026-10-15", false), ("2026-11-30", true)] {
            sites.fixed.store(fixed, Ordering::SeqCst);
            let mut a = vec!["scan", "--as-of", day];
            if !fixed {
                a.extend(["--site", SMALL, "--site", DEAD]);
            }
            for cfg in [&self.sqlite, &self.pg] {
                let mut a = args(&a);
                a.extend(["--config".to_string(), cfg.to_string()]);
                let out = run(a).await;
                let err = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(3), "{cfg}: {err}");
                assert!(err.contains(DEAD), "{err}");
            }
        }
    }

    /// Run a command with each store's configuration; both must exit alike and print the
    /// same (but for durations). Returns the PostgreSQL run's output.
    async fn same(&self, command: &[&str]) -> Output {
        let with = |cfg: &str| {
            let mut a = args(command);
            a.extend(["--config".to_string(), cfg.to_string()]);
            a
        };
        let want = run(with(&self.sqlite)).await;
        let got = run(with(&self.pg)).await;
        assert_eq!(
            got.status.code(),
            want.status.code(),
            "{command:?}: SQLite said {} / PostgreSQL said {}",
            String::from_utf8_lossy(&want.stderr),
            String::from_utf8_lossy(&got.stderr)
        );
        let (w, g) = (text(&want.stdout), text(&got.stdout));
        if w != g {
            let first = w
                .iter()
                .zip(&g)
                .position(|(a, b)| a != b)
                .unwrap_or(w.len().min(g.len()));
            panic!(
                "{command:?} prints differently from PostgreSQL, first at line {first}:\n\
                 SQLite:     {:?}\nPostgreSQL: {:?}",
                w.get(first),
                g.get(first)
            );
        }
        got
    }
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

/// Output lines without what is measured anew on each run: a crawl's duration (`用时`, or
/// `duration_ms` in JSON), a response's latency, and the clock times a scan started and finished (the as-of times,
/// fixed by the tests, stay).
fn text(out: &[u8]) -> Vec<String> {
    let clock = clock_times();
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| {
            !l.contains("用时")
                && !["\"duration_ms\"", "\"latency_ms\""]
                    .iter()
                    .any(|k| l.contains(k))
        })
        .map(|l| clock.replace_all(l, "<time>").to_string())
        .collect()
}

/// Times of around now (yesterday to tomorrow, in China Standard Time or UTC), as the store
/// and the tables print them.
fn clock_times() -> regex::Regex {
    let now = chrono::Utc::now();
    let days: Vec<String> = [-1i64, 0, 1]
        .iter()
        .map(|d| {
            (now + chrono::Duration::days(*d))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    regex::Regex::new(&format!(
        r"(?:{})[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?: ?(?:[+-]\d\d:?\d\d|Z))?",
        days.join("|")
    ))
    .expect("regex")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Set up a test: its schema, its sites, both stores scanned twice.
async fn scanned(name: &str, with_demo: bool) -> Option<(Sites, Stores)> {
    let schema = Schema::new(name)?;
    let sites = Sites::start(with_demo).await;
    let stores = Stores::new(name, schema, &sites);
    stores.scan_twice(&sites).await;
    Some((sites, stores))
}

/// One scanned pair of stores serves every command that only reads (scanning the demo county
/// takes seconds in a debug build); the commands that write have tests of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_commands_print_the_same_from_postgresql_as_from_sqlite() {
    let Some((sites, s)) = scanned(
        "reading_commands_print_the_same_from_postgresql_as_from_sqlite",
        true,
    )
    .await
    else {
        return;
    };
    let before = sites.requests();
    findings_history_normdocs_and_accounts(&s).await;
    judge_also_under_changed_rules(&s).await;
    bulletin_and_sample(&s).await;
    dashboard_data(&s);
    // Not one of them sent a request to a site.
    assert_eq!(sites.requests(), before);
}

async fn findings_history_normdocs_and_accounts(s: &Stores) {
    for format in ["text", "json", "csv"] {
        let out = s.same(&["findings", "--format", format]).await;
        assert!(stdout(&out).contains(DEMO), "{format}: {}", stdout(&out));
    }
    // The old notice was mended in November: fixed since the day before.
    let out = s
        .same(&[
            "findings",
            "--format",
            "json",
            "--status",
            "fixed",
            "--since",
            "2026-11-01",
        ])
        .await;
    assert!(stdout(&out).contains("gone.html"), "{}", stdout(&out));
    let out = s
        .same(&["findings", "--status", "persisting", "--site", SMALL])
        .await;
    assert!(stdout(&out).contains("missing.html"), "{}", stdout(&out));
    s.same(&["findings", "--status", "new"]).await;
    s.same(&["findings", "--rule", "link.broken", "--format", "csv"])
        .await;
    // Unknown names are refused alike, listing the same valid ones.
    let out = s.same(&["findings", "--site", "无此站"]).await;
    assert_eq!(out.status.code(), Some(2));
    let out = s.same(&["findings", "--rule", "no.such.rule"]).await;
    assert_eq!(out.status.code(), Some(2));
    for site in [DEMO, SMALL, DEAD] {
        for format in ["text", "json"] {
            let out = s.same(&["history", site, "--format", format]).await;
            assert!(stdout(&out).contains("2026-11-30"), "{}", stdout(&out));
        }
        s.same(&["history", site, "--months", "3", "--as-of", "2026-11-30"])
            .await;
    }
    // The library as November saw it, and its changes since October.
    let out = s.same(&["normdocs", SMALL, "--format", "json"]).await;
    assert!(stdout(&out).contains("丙办法"), "{}", stdout(&out));
    let out = s.same(&["normdocs", SMALL, "--changes"]).await;
    assert!(stdout(&out).contains("已废止"), "{}", stdout(&out));
    s.same(&[
        "normdocs",
        SMALL,
        "--changes",
        "--since",
        "2026-11-01",
        "--format",
        "csv",
    ])
    .await;
    // The accounts with their findings new and fixed since October.
    let out = s.same(&["accounts", "--format", "json"]).await;
    for name in ["小站发布", "小站微博", "不存在的源"] {
        assert!(stdout(&out).contains(name), "{}", stdout(&out));
    }
    s.same(&["accounts", "--site", SMALL]).await;
    s.same(&["review", "list"]).await;
}

async fn judge_also_under_changed_rules(s: &Stores) {
    let base = ["judge", "--fail-on", "never", "--format", "json"];
    let out = s.same(&base).await;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        doc["sites"].as_array().is_some_and(|a| a.len() == 2),
        "the two sites inspected: {}",
        doc["sites"]
    );
    for extra in [
        &["--run", "1"][..],
        &["--site", SMALL, "--as-of", "2027-06-30"][..],
        &["--run", "99"][..],
    ] {
        let mut a = base.to_vec();
        a.extend(extra);
        s.same(&a).await;
    }
    // A window changed in the rule files applies to the stored facts of both stores.
    let rules = s.dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")).expect("rules")
    {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("rule file");
        if path.ends_with("columns.toml") {
            text = text.replacen("window_days = 365", "window_days = 1000", 1);
        }
        std::fs::write(rules.join(path.file_name().expect("name")), text).expect("copy");
    }
    let rules = rules.to_string_lossy().to_string();
    let mut a = base.to_vec();
    a.extend(["--rules", rules.as_str()]);
    let relaxed = s.same(&a).await;
    assert_ne!(
        text(&relaxed.stdout),
        text(&out.stdout),
        "the rules changed"
    );
    // The exit status under --fail-on, and the text, from PostgreSQL as from SQLite.
    let out = s
        .same(&["judge", "--run", "1", "--fail-on", "deduct"])
        .await;
    assert_eq!(out.status.code(), Some(1));
}

async fn bulletin_and_sample(s: &Stores) {
    for (period, stem) in [
        (["--month", "2026-11"], "月通报-2026-11"),
        (["--quarter", "2026Q4"], "季度抽查通报-2026Q4"),
    ] {
        let mut outs = Vec::new();
        for (cfg, sub) in [(&s.sqlite, "sqlite"), (&s.pg, "pg")] {
            let dir = s.dir.join(format!("bulletin-{sub}-{}", period[1]));
            let out = run(args(&[
                "bulletin",
                period[0],
                period[1],
                "--config",
                cfg,
                "--out",
                &dir.to_string_lossy(),
                "--issued-on",
                "2026-12-01",
            ]))
            .await;
            assert_eq!(
                out.status.code(),
                Some(0),
                "{sub}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            outs.push(dir);
        }
        let file = |dir: &Path, name: &str| -> String {
            let path = dir.join(name);
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let mut names: Vec<String> = ["md", "json", "html"]
            .iter()
            .map(|ext| format!("{stem}.{ext}"))
            .collect();
        // And the rectification notices.
        names.push(format!("整改通知-{SMALL}.md"));
        for name in names {
            let (want, got) = (file(&outs[0], &name), file(&outs[1], &name));
            assert!(!want.is_empty());
            assert!(
                want == got,
                "{name} differs from PostgreSQL:\n--- SQLite\n{want}\n--- PostgreSQL\n{got}"
            );
        }
        let json: serde_json::Value =
            serde_json::from_str(&file(&outs[1], &format!("{stem}.json"))).expect("json");
        assert_eq!(json["not_inspected"][0]["name"], DEAD, "{json}");
    }
    // The quarterly sample: last quarter's 不合格 sites come from the store.
    for ratio in ["0.1", "0.5", "1"] {
        s.same(&[
            "sample",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--ratio",
            ratio,
        ])
        .await;
    }
    s.same(&["sample", "--quarter", "2026Q4", "--format", "csv"])
        .await;
}

/// The dashboard's data (`govscan serve` renders it) from each store: the same.
fn dashboard_data(s: &Stores) {
    let (sqlite, pg) = (
        Store::open_location_read_only(&s.sqlite_location()).expect("sqlite"),
        Store::open_location_read_only(&s.location()).expect("pg"),
    );
    let config = |cfg: &str| Config::load(Path::new(cfg)).expect("config");
    let (cs, cp) = (config(&s.sqlite), config(&s.pg));
    let rules = RuleSet::embedded().expect("rules");
    let json = |v: serde_json::Value| -> serde_json::Value { strip(v) };
    let (a, b) = (
        govscan::serve::data::sites(&sqlite, &cs).expect("sites"),
        govscan::serve::data::sites(&pg, &cp).expect("sites"),
    );
    assert_eq!(a.len(), cs.sites.len());
    assert_eq!(json(serde_json::json!(a)), json(serde_json::json!(b)));
    let (a, b) = (
        govscan::serve::data::overview(&sqlite, &cs).expect("overview"),
        govscan::serve::data::overview(&pg, &cp).expect("overview"),
    );
    assert_eq!(json(serde_json::json!(a)), json(serde_json::json!(b)));
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00+08:00").expect("time");
    let mut names: Vec<&str> = cs.sites.iter().map(|x| x.name.as_str()).collect();
    names.push("无此站");
    for site in names {
        let (a, b) = (
            govscan::serve::data::site_page(&sqlite, &cs, &rules, site, now).expect("page"),
            govscan::serve::data::site_page(&pg, &cp, &rules, site, now).expect("page"),
        );
        assert_eq!(a.is_some(), site != "无此站");
        assert_eq!(
            json(serde_json::json!(a)),
            json(serde_json::json!(b)),
            "{site}"
        );
    }
    let (a, b) = (
        govscan::serve::data::bulletin_months(&sqlite).expect("months"),
        govscan::serve::data::bulletin_months(&pg).expect("months"),
    );
    assert!(!a.is_empty());
    assert_eq!(json(serde_json::json!(a)), json(serde_json::json!(b)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_are_recorded_in_postgresql_and_change_judge_and_findings_alike() {
    let Some((_sites, s)) = scanned(
        "reviews_are_recorded_in_postgresql_and_change_judge_and_findings_alike",
        false,
    )
    .await
    else {
        return;
    };
    // A finding a person must confirm, and a broken link to dismiss.
    let store = Store::open_location_read_only(&s.location()).expect("store");
    let findings = store
        .findings(&govscan::store::FindingFilter::default())
        .expect("findings");
    drop(store);
    let confirm = findings
        .iter()
        .find(|f| f.finding.needs_confirmation())
        .expect("a finding that needs confirmation");
    let dismiss = findings
        .iter()
        .find(|f| f.site == SMALL && f.finding.rule.starts_with("link.broken"))
        .expect("a broken link of the small site");
    let before = s
        .same(&["judge", "--fail-on", "never", "--format", "json"])
        .await;
    for (verb, f) in [("confirm", confirm), ("dismiss", dismiss)] {
        let out = s
            .same(&[
                "review",
                verb,
                &f.site,
                &f.finding.rule,
                &f.finding.url,
                "--by",
                "张三",
                "--note",
                "已核实",
            ])
            .await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A target the store has no finding of is refused alike.
    let out = s
        .same(&["review", "confirm", SMALL, "link.broken", "http://nowhere/"])
        .await;
    assert_eq!(out.status.code(), Some(2));
    // The decisions are listed; they are stored with the time they were made, which differs.
    let list = |o: &Output| -> serde_json::Value {
        strip(serde_json::from_slice::<serde_json::Value>(&o.stdout).expect("json"))
    };
    let mut lists = Vec::new();
    for cfg in [&s.sqlite, &s.pg] {
        let out = run(args(&[
            "review", "list", "--format", "json", "--config", cfg,
        ]))
        .await;
        assert_eq!(out.status.code(), Some(0));
        lists.push(list(&out));
    }
    assert_eq!(lists[0].as_array().map(Vec::len), Some(2), "{}", lists[0]);
    assert_eq!(lists[0], lists[1]);
    // The decisions apply when judging again.
    let after = s
        .same(&["judge", "--fail-on", "never", "--format", "json"])
        .await;
    assert_ne!(text(&after.stdout), text(&before.stdout));
    s.same(&["judge", "--fail-on", "deduct"]).await;
    s.same(&["findings", "--format", "json"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_go_to_postgresql_and_the_scan_and_dashboard_read_them_alike() {
    let name = "probes_go_to_postgresql_and_the_scan_and_dashboard_read_them_alike";
    let Some(schema) = Schema::new(name) else {
        return;
    };
    let sites = Sites::start(false).await;
    let s = Stores::new(name, schema, &sites);
    // Probes before the scans (the availability rules judge them) and after.
    for cfg in [&s.sqlite, &s.pg] {
        let out = run(args(&["probe", "--config", cfg, "--site", DEAD])).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    s.scan_twice(&sites).await;
    for cfg in [&s.sqlite, &s.pg] {
        let out = run(args(&["probe", "--config", cfg])).await;
        assert_eq!(out.status.code(), Some(0));
    }
    let (sqlite, pg) = (
        Store::open_location_read_only(&s.sqlite_location()).expect("sqlite"),
        Store::open_location_read_only(&s.location()).expect("pg"),
    );
    let (from, to) = (
        chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:00+08:00").expect("time"),
        chrono::DateTime::parse_from_rfc3339("2100-01-01T00:00:00+08:00").expect("time"),
    );
    let probes = |st: &Store, site: &str| {
        let mut v: Vec<(bool, Option<u16>, String)> = st
            .probes(site, from, to)
            .expect("probes")
            .into_iter()
            .map(|p| (p.ok, p.status, format!("{:?}", p.family)))
            .collect();
        v.sort();
        v
    };
    for site in [SMALL, DEAD] {
        assert_eq!(probes(&pg, site), probes(&sqlite, site), "{site}");
        assert!(!probes(&pg, site).is_empty(), "{site}");
    }
    assert_eq!(
        probes(&pg, DEAD).len(),
        2 * probes(&pg, SMALL).len(),
        "two rounds of 坏站, one of 小站"
    );
    drop((sqlite, pg));
    s.same(&["findings", "--site", DEAD, "--format", "json"])
        .await;
    // `check` reads the probes (and the previous library) of the configured store too.
    // One as-of time for both (just after the probes), so that the windows are the same.
    let as_of = (chrono::Utc::now() + chrono::Duration::minutes(1))
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let out = s
        .same(&[
            "check",
            &sites.small.url("/"),
            "--format",
            "json",
            "--as-of",
            &as_of,
        ])
        .await;
    assert!(
        stdout(&out).contains("site.unreachable"),
        "{}",
        stdout(&out)
    );
    dashboard_data(&s);
}

/// A JSON value without what differs between two scans of the same sites made one after the
/// other: the times things were measured, and durations.
fn strip(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| !VOLATILE.contains(&k.as_str()))
                .map(|(k, v)| (k, strip(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(strip).collect()),
        v => v,
    }
}

const VOLATILE: &[&str] = &[
    "started",
    "finished",
    "at",
    "duration_ms",
    "latency_ms",
    "last_probe",
];

/// A server that answers PostgreSQL's TLS request with "no" (as one without TLS does), for
/// every connection; its port, and for each connection the bytes the client sent after the
/// "no" (none, if it gave up as it must).
fn server_without_tls() -> (u16, std::sync::mpsc::Receiver<usize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut request = [0u8; 8];
            if conn.read_exact(&mut request).is_ok() && conn.write_all(b"N").is_ok() {
                let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                let mut rest = Vec::new();
                let _ = conn.read_to_end(&mut rest);
                let _ = tx.send(rest.len());
            }
        }
    });
    (port, rx)
}

/// A store URL asking for TLS (`sslmode=require`) of a server that has none: a clear error,
/// exit 3, nothing sent in the clear. (No PostgreSQL needed: the server only says no.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_requiring_tls_of_a_server_without_it_is_a_clear_error() {
    let (port, sent_after) = server_without_tls();
    let url = format!("postgres://govscan@127.0.0.1:{port}/postgres?sslmode=require");
    let err = Store::open_location(&Location::Postgres(url.clone()))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let after = sent_after
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the connection was made");
    assert_eq!(after, 0, "the client went on in the clear");
    assert!(
        err.contains("server does not support TLS") && err.contains("sslmode=require"),
        "{err}"
    );
    let dir = temp_dir_in("postgres", "no-tls");
    let cfg = dir.join("config.toml");
    std::fs::write(&cfg, format!("[store]\nurl = \"{url}\"\n")).expect("config");
    let out = run(args(&["findings", "--config", &cfg.to_string_lossy()])).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("server does not support TLS"), "{stderr}");
    assert_eq!(
        sent_after.recv_timeout(std::time::Duration::from_secs(10)),
        Ok(0)
    );
    // A mode the client does not know is refused before connecting.
    std::fs::write(
        &cfg,
        format!(
            "[store]\nurl = \"{}\"\n",
            url.replace("require", "verify-full")
        ),
    )
    .expect("config");
    let out = run(args(&["findings", "--config", &cfg.to_string_lossy()])).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("use sslmode=require"), "{stderr}");
}

/// Over TLS to the test server (`scripts/pg-cluster` gives it a certificate from a throw-away
/// authority, `GOVSCAN_TEST_PG_CA`): with the authority as `sslrootcert` the store opens and
/// works; without it the certificate is refused.
#[test]
fn sslmode_require_connects_over_tls_and_verifies_the_certificate() {
    let test = "sslmode_require_connects_over_tls_and_verifies_the_certificate";
    let Some(ca) = std::env::var("GOVSCAN_TEST_PG_CA")
        .ok()
        .filter(|c| Path::new(c).is_file())
    else {
        eprintln!(
            "skipped: {test}: GOVSCAN_TEST_PG_CA is not set or no file (.ci/run sets it when the test cluster offers TLS)"
        );
        return;
    };
    let Some(schema) = Schema::new(test) else {
        return;
    };
    let with_ca = format!("{}&sslmode=require&sslrootcert={ca}", schema.url);
    let mut store = Store::open_location(&Location::Postgres(with_ca)).expect("open over TLS");
    let run = store
        .begin_run(
            chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00+08:00").expect("time"),
            "c",
            "r",
            &["甲".to_string()],
        )
        .expect("write over TLS");
    assert_eq!(
        store.unfinished_run().expect("read over TLS").map(|r| r.id),
        Some(run)
    );
    drop(store);
    let without = format!("{}&sslmode=require", schema.url);
    let err = Store::open_location(&Location::Postgres(without))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("UnknownIssuer"), "{err}");
}
