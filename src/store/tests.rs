//! Tests of the store on temporary files.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::Connection;

use super::db::{params, Conn};
use serde_json::json;
use url::Url;

use super::*;
use crate::config::{SiteConfig, SiteKind, SiteLevel};
use crate::crawl::{
    CrawlStats, FetchOutcome, LinkFact, LinkStatus, PageRecord, Redirect, Referrer,
};
use crate::extract::LinkElement;
use crate::finding::{Finding, Kind, Verdict};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn db(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("govscan.db")
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
}

fn site(name: &str) -> SiteConfig {
    let url = Url::parse(&format!("https://{name}.gov.cn/")).unwrap_or_else(|e| panic!("{e}"));
    let mut s = SiteConfig::adhoc(url);
    s.name = name.to_string();
    s.level = SiteLevel::County;
    s.kind = SiteKind::Portal;
    s
}

fn page(url: &str, depth: u32) -> PageRecord {
    PageRecord {
        url: url.to_string(),
        final_url: url.to_string(),
        depth,
        status: LinkStatus::Ok { status: 200 },
        charset: Some("GBK".into()),
        title: Some("示范县人民政府".into()),
        content_hash: Some("0123456789abcdef".into()),
        etag: Some(format!("\"{depth}-etag\"")),
        last_modified: Some("Mon, 02 Nov 2026 08:00:00 GMT".into()),
        fetched_at: "2026-11-02T10:00:00+08:00".into(),
        elapsed_ms: 123,
        bytes: 45_678,
        truncated: false,
        links_found: 2,
        facts: Default::default(),
        raw: None,
    }
}

fn edge(to: &str, text: &str) -> Edge {
    Edge {
        to: to.to_string(),
        text: text.to_string(),
        element: LinkElement::A,
    }
}

fn link(url: &str, status: LinkStatus, on_home: bool) -> LinkFact {
    LinkFact {
        url: url.to_string(),
        internal: url.contains("xian.gov.cn"),
        on_home,
        outcome: FetchOutcome {
            status,
            redirects: vec![Redirect {
                url: url.to_string(),
                status: 302,
                location: format!("{url}?moved"),
            }],
            final_url: format!("{url}?moved"),
            elapsed_ms: 42,
        },
        referrers: vec![Referrer {
            page: "https://xian.gov.cn/".into(),
            text: "政务公开".into(),
            element: LinkElement::A,
        }],
        referrer_count: 3,
        target: None,
    }
}

fn finding(rule: &str, kind: Kind, url: &str) -> Finding {
    Finding {
        rule: rule.to_string(),
        kind,
        points: if kind == Kind::Deduct { 0.5 } else { 0.0 },
        url: url.to_string(),
        page: Some("https://xian.gov.cn/".into()),
        evidence: json!({ "status_text": "HTTP 404", "redirects": [] }),
        message: format!("首页链接不可用：{url}"),
    }
}

fn stats(pages: usize, links: usize, broken: usize) -> CrawlStats {
    CrawlStats {
        pages,
        links,
        broken,
        ..CrawlStats::default()
    }
}

/// Run one complete scan of `name` with these findings, judged as of `as_of`.
fn scan(
    store: &mut Store,
    name: &str,
    as_of: &str,
    findings: &[Finding],
) -> std::result::Result<(RunId, SiteRunId, FindingDiff), StoreError> {
    let run = store.begin_run(at(as_of), "cfg", "rules", &[name.to_string()])?;
    let sr = store.begin_site(run, &site(name))?;
    let verdict = if findings.iter().any(|f| f.kind == Kind::Veto) {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    let diff = store.finish_site(
        sr,
        &stats(1, findings.len(), findings.len()),
        findings,
        90.0,
        verdict,
        &json!({ "score": 90.0 }),
    )?;
    store.finish_run(run)?;
    Ok((run, sr, diff))
}

fn rules_of(v: &[Finding]) -> Vec<String> {
    let mut r: Vec<String> = v.iter().map(|f| format!("{}:{}", f.rule, f.url)).collect();
    r.sort();
    r
}

fn want(v: &[&Finding]) -> Vec<String> {
    let mut r: Vec<String> = v.iter().map(|f| format!("{}:{}", f.rule, f.url)).collect();
    r.sort();
    r
}

/// Bring a raw SQLite connection to schema version `target`.
fn migrate_raw(
    conn: Connection,
    target: i64,
) -> std::result::Result<Connection, Box<dyn std::error::Error>> {
    let c = Conn::Sqlite(conn);
    schema::migrate(&c, target).map_err(|(_, _, e)| e)?;
    match c {
        Conn::Sqlite(c) => Ok(c),
        Conn::Pg(_) => Err("not SQLite".into()),
    }
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap_or_else(|e| panic!("raw open: {e}"))
}

// ---- opening and migrations ----

#[test]
fn a_new_file_gets_the_latest_schema_in_wal_mode() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db(&dir))?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 15);
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", params![], |r| r.get(0))?;
    assert_eq!(mode, "wal");
    let fk: i64 = store
        .conn
        .query_row("PRAGMA foreign_keys", params![], |r| r.get(0))?;
    assert_eq!(fk, 1);
    let timeout: i64 = store
        .conn
        .query_row("PRAGMA busy_timeout", params![], |r| r.get(0))?;
    assert_eq!(timeout, 5000);
    drop(store);
    // Opening again is a no-op.
    let store = Store::open(&db(&dir))?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    Ok(())
}

#[test]
fn a_version_1_file_is_upgraded_in_place_and_keeps_its_data() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    {
        let conn = migrate_raw(raw(&path), 1)?;
        assert_eq!(schema::user_version(&conn)?, 1);
        conn.execute(
            "INSERT INTO runs (started, finished, as_of, config_fingerprint, rules_fingerprint, sites) \
             VALUES ('2026-10-01T08:00:00+08:00', NULL, '2026-10-01T08:00:00+08:00', 'c1', 'r1', '[\"xian\"]')",
            [],
        )?;
        // The v2 tables do not exist yet.
        assert!(conn.prepare("SELECT * FROM probes").is_err());
    }
    let mut store = Store::open(&path)?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    let run = store.unfinished_run()?.ok_or("the v1 run is gone")?;
    assert_eq!(run.config_fingerprint, "c1");
    assert_eq!(run.sites, vec!["xian".to_string()]);
    // The v2 tables work.
    store.save_probes(&[Probe {
        site: "xian".into(),
        at: at("2026-10-01T09:00:00+08:00"),
        family: IpFamily::V6,
        address: Some("2001:db8::1".into()),
        ok: true,
        status: Some(200),
        latency_ms: Some(80),
        error: None,
    }])?;
    let p = store.probes(
        "xian",
        at("2026-10-01T00:00:00+08:00"),
        at("2026-10-02T00:00:00+08:00"),
    )?;
    assert_eq!(p.len(), 1);
    Ok(())
}

#[test]
fn a_version_2_file_is_upgraded_and_its_edges_move_into_the_pages() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    {
        let conn = migrate_raw(raw(&path), 2)?;
        conn.execute_batch(
            "INSERT INTO runs (started, finished, as_of, config_fingerprint, rules_fingerprint, sites) \
             VALUES ('2026-10-01T08:00:00+08:00', NULL, '2026-10-01T08:00:00+08:00', 'c', 'r', '[\"xian\"]');
             INSERT INTO site_runs (run_id, site, url, level, kind, started, status) \
             VALUES (1, 'xian', 'https://xian.gov.cn/', 'county', 'portal', '2026-10-01T08:00:00+08:00', 'running');
             INSERT INTO pages (site_run, url, final_url, depth, status, fetched_at, elapsed_ms, bytes, truncated, links_found) \
             VALUES (1, 'https://xian.gov.cn/', 'https://xian.gov.cn/', 0, '{\"type\":\"ok\",\"status\":200}', '2026-10-01T08:00:01+08:00', 5, 100, 0, 2);
             INSERT INTO edges (site_run, from_url, to_url, text, element) VALUES (1, 'https://xian.gov.cn/', 'https://xian.gov.cn/a', '甲', 'a');
             INSERT INTO edges (site_run, from_url, to_url, text, element) VALUES (1, 'https://xian.gov.cn/', 'https://xian.gov.cn/b.png', '', 'img');",
        )?;
    }
    let store = Store::open(&path)?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    let state = store.resume_state(SiteRunId(1))?;
    assert_eq!(state.pages.len(), 1);
    let links = state
        .edges
        .get("https://xian.gov.cn/")
        .ok_or("links moved")?;
    assert_eq!(links.len(), 2);
    assert_eq!(
        (links[0].to.as_str(), links[0].text.as_str()),
        ("https://xian.gov.cn/a", "甲")
    );
    assert_eq!(links[1].element, LinkElement::Img);
    Ok(())
}

#[test]
fn a_failed_migration_leaves_the_file_at_its_previous_version() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    {
        let conn = migrate_raw(raw(&path), 1)?;
        // Something in the way of migration 2: its first table already exists.
        conn.execute_batch("CREATE TABLE site_ipv6 (x INTEGER);")?;
    }
    let err = Store::open(&path).err().ok_or("open should fail")?;
    let msg = err.to_string();
    assert!(msg.contains("migrate (schema version 1 to 2)"), "{msg}");
    assert!(msg.contains("govscan.db"), "{msg}");
    let conn = raw(&path);
    assert_eq!(schema::user_version(&conn)?, 1);
    // Migration 2 was rolled back as a whole: its first table is not there either.
    assert!(conn.prepare("SELECT * FROM probes").is_err());
    Ok(())
}

#[test]
fn a_newer_file_is_refused_and_left_untouched() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    {
        let conn = raw(&path);
        conn.execute_batch(&format!(
            "CREATE TABLE future (x); PRAGMA user_version = {};",
            SCHEMA_VERSION + 1
        ))?;
    }
    let before = std::fs::read(&path)?;
    let err = Store::open(&path).err().ok_or("open should fail")?;
    assert!(
        matches!(
            err,
            StoreError::TooNew {
                found: _,
                supported: SCHEMA_VERSION,
                ..
            }
        ),
        "{err:?}"
    );
    if let StoreError::TooNew { found, .. } = &err {
        assert_eq!(*found, SCHEMA_VERSION + 1);
    }
    assert!(err.to_string().contains("newer"), "{err}");
    let err = Store::open_read_only(&path)
        .err()
        .ok_or("read-only open should fail")?;
    assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
    assert_eq!(std::fs::read(&path)?, before);
    assert!(!dir.path().join("govscan.db-wal").exists());
    Ok(())
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_corrupt() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "这不是数据库。".repeat(400))?;
    let before = std::fs::read(&path)?;
    for err in [
        Store::open(&path).err().ok_or("open should fail")?,
        Store::open_read_only(&path)
            .err()
            .ok_or("read-only open should fail")?,
    ] {
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("notes.db") && msg.contains("not a database"),
            "{msg}"
        );
    }
    assert_eq!(std::fs::read(&path)?, before);
    Ok(())
}

#[test]
fn a_negative_schema_version_is_reported_as_corrupt() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    raw(&path).execute_batch("PRAGMA user_version = -3;")?;
    let err = Store::open(&path).err().ok_or("open should fail")?;
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    Ok(())
}

#[test]
fn a_missing_folder_gives_an_io_error_naming_the_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("no/such/folder/govscan.db");
    let err = Store::open(&path).err().ok_or("open should fail")?;
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot open the store"), "{err}");
    assert!(err.to_string().contains("folder/govscan.db"), "{err}");
    Ok(())
}

// ---- read-only and locked ----

#[test]
fn writes_through_a_read_only_store_fail_as_read_only() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let (run, sr) = {
        let mut s = Store::open(&path)?;
        let run = s.begin_run(at("2026-11-01T08:00:00+08:00"), "c", "r", &["xian".into()])?;
        let sr = s.begin_site(run, &site("xian"))?;
        (run, sr)
    };
    let mut ro = Store::open_read_only(&path)?;
    // Reading works.
    assert_eq!(ro.site_runs(run)?.len(), 1);
    let errs = [
        ro.save_page(sr, &page("https://xian.gov.cn/", 0), &[])
            .err(),
        ro.begin_run(at("2026-11-02T08:00:00+08:00"), "c", "r", &[])
            .err(),
        ro.finish_site(sr, &stats(0, 0, 0), &[], 100.0, Verdict::Pass, &json!({}))
            .err(),
    ];
    for err in errs {
        let err = err.ok_or("a write through a read-only store succeeded")?;
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
        assert!(err.to_string().contains("read-only"), "{err}");
    }
    Ok(())
}

#[test]
fn a_write_protected_file_is_refused_as_read_only() -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    drop(Store::open(&path)?);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444))?;
    // As root, file modes do not stop writes, so this case cannot happen there: the
    // read-only path is covered by `writes_through_a_read_only_store_fail_as_read_only`.
    if std::fs::OpenOptions::new().append(true).open(&path).is_ok() {
        eprintln!("running as root: a 0444 file is still writable, skipping");
        return Ok(());
    }
    let err = Store::open(&path).err().ok_or("open should fail")?;
    assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
    Ok(())
}

#[test]
fn a_lock_held_by_another_connection_gives_busy_not_a_panic() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(100),
    };
    let mut store = Store::open_with(&path, &options)?;
    let other = raw(&path);
    other.execute_batch("BEGIN EXCLUSIVE")?;
    let started = Instant::now();
    let err = store
        .begin_run(at("2026-11-01T08:00:00+08:00"), "c", "r", &[])
        .err()
        .ok_or("the write should wait and fail")?;
    assert!(started.elapsed() >= Duration::from_millis(90));
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(err.is_busy());
    let msg = err.to_string();
    assert!(
        msg.contains("govscan.db") && msg.contains("locked"),
        "{msg}"
    );
    other.execute_batch("ROLLBACK")?;
    // Once the lock is gone, the store works.
    store.begin_run(at("2026-11-01T08:00:00+08:00"), "c", "r", &[])?;
    Ok(())
}

#[test]
fn opening_a_file_locked_by_another_process_gives_busy() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    // A rollback-journal database (as an older tool would leave it) under an exclusive lock:
    // not even its schema version can be read.
    let other = raw(&path);
    other.execute_batch("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")?;
    let options = StoreOptions {
        busy_timeout: Duration::from_millis(50),
    };
    let err = Store::open_with(&path, &options)
        .err()
        .ok_or("open should fail")?;
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    assert!(
        err.to_string().starts_with("cannot open the store"),
        "{err}"
    );
    other.execute_batch("ROLLBACK")?;
    Ok(())
}

// ---- writing and reading a scan ----

fn a_full_scan_round_trips(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let as_of = at("2026-11-02T09:00:00+08:00");
    let run = store.begin_run(as_of, "cfg-1", "rules-1", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let home = page("https://xian.gov.cn/", 0);
    let news = page("https://xian.gov.cn/news/", 1);
    store.save_pages(
        sr,
        &[
            (
                home.clone(),
                vec![
                    edge("https://xian.gov.cn/news/", "新闻"),
                    edge("https://gone.example.cn/", "旧链接"),
                ],
            ),
            (news.clone(), vec![edge("https://xian.gov.cn/", "首页")]),
        ],
    )?;
    let broken = link(
        "https://gone.example.cn/",
        LinkStatus::HttpError { status: 404 },
        true,
    );
    let fine = link(
        "https://xian.gov.cn/news/",
        LinkStatus::Ok { status: 200 },
        true,
    );
    store.save_links(sr, &[broken.clone(), fine.clone()])?;
    store.save_facts(
        sr,
        Some("https://xian.gov.cn/"),
        "footer",
        &[
            ("icp".into(), json!("京ICP备12345678号")),
            ("site_id".into(), json!("1234000001")),
        ],
    )?;
    store.save_facts(
        sr,
        None,
        "column",
        &[("政策文件".into(), json!({ "items": 3 }))],
    )?;

    let findings = vec![
        finding("link.broken.home", Kind::Veto, "https://gone.example.cn/"),
        finding("footer.missing_id", Kind::Deduct, "https://xian.gov.cn/"),
        finding("normdoc.new", Kind::Notice, "https://xian.gov.cn/doc/1"),
    ];
    let diff = store.finish_site(
        sr,
        &stats(2, 2, 1),
        &findings,
        0.0,
        Verdict::Fail,
        &json!({ "score": 0.0, "verdict": "不合格", "vetoes": 1 }),
    )?;
    assert_eq!(diff.new, findings);
    assert!(diff.persisting.is_empty() && diff.fixed.is_empty());
    store.finish_run(run)?;

    assert!(store.unfinished_run()?.is_none());
    let info = store.run(run)?.ok_or("run missing")?;
    assert!(info.finished.is_some());
    assert_eq!(info.as_of, as_of);
    assert_eq!(
        (
            info.config_fingerprint.as_str(),
            info.rules_fingerprint.as_str()
        ),
        ("cfg-1", "rules-1")
    );

    let srs = store.site_runs(run)?;
    assert_eq!(srs.len(), 1);
    let s = &srs[0];
    assert_eq!(s.status, SiteRunStatus::Done);
    assert_eq!((s.level, s.kind), (SiteLevel::County, SiteKind::Portal));
    assert_eq!(s.url, "https://xian.gov.cn/");
    assert_eq!(s.stats, Some(stats(2, 2, 1)));
    assert_eq!(s.verdict.map(Verdict::zh), Some("不合格"));
    assert_eq!(
        s.score_detail.as_ref().and_then(|d| d.get("vetoes")),
        Some(&json!(1))
    );

    assert_eq!(store.site_findings(sr)?, findings);
    let facts = store.facts(sr, Some("footer"))?;
    assert_eq!(facts.len(), 2);
    assert_eq!(facts[0].value, json!("京ICP备12345678号"));
    assert_eq!(facts[0].page.as_deref(), Some("https://xian.gov.cn/"));
    assert_eq!(store.facts(sr, None)?.len(), 3);
    // Saving a kind for a page again replaces it.
    store.save_facts(
        sr,
        Some("https://xian.gov.cn/"),
        "footer",
        &[("icp".into(), json!("x"))],
    )?;
    assert_eq!(store.facts(sr, Some("footer"))?.len(), 1);
    assert_eq!(store.facts(sr, Some("column"))?.len(), 1);

    let history = store.history("xian")?;
    assert_eq!(history.len(), 1);
    let h = &history[0];
    assert_eq!(
        (h.run, h.site_run, h.status),
        (run, sr, SiteRunStatus::Done)
    );
    assert_eq!((h.pages, h.links, h.broken), (2, 2, 1));
    assert_eq!((h.vetoes, h.deductions, h.notices), (1, 1, 1));
    assert_eq!(
        (h.score, h.verdict.map(Verdict::zh)),
        (Some(0.0), Some("不合格"))
    );
    assert_eq!(h.as_of, as_of);
    assert!(store.history("nobody")?.is_empty());

    let all = store.findings(&FindingFilter::default())?;
    assert_eq!(all.len(), 3);
    assert!(all
        .iter()
        .all(|f| f.status == FindingStatus::New && f.run == run && f.site == "xian"));
    Ok(())
}

fn new_persisting_and_fixed_over_three_runs(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let a = finding("link.broken", Kind::Deduct, "https://xian.gov.cn/a");
    let b = finding("link.broken", Kind::Deduct, "https://xian.gov.cn/b");
    let c = finding("column.stale", Kind::Deduct, "https://xian.gov.cn/c");
    let d = finding("link.broken.home", Kind::Veto, "https://xian.gov.cn/d");

    let (_, _, d1) = scan(
        &mut store,
        "xian",
        "2026-11-01T09:00:00+08:00",
        &[a.clone(), b.clone()],
    )?;
    assert_eq!(rules_of(&d1.new), want(&[&a, &b]));

    // A failed scan in between is not a "previous finished scan".
    let run = store.begin_run(at("2026-11-01T20:00:00+08:00"), "c", "r", &["xian".into()])?;
    let failed = store.begin_site(run, &site("xian"))?;
    store.mark_site_failed(failed, "home page unreachable", Verdict::NotInspected)?;
    store.finish_run(run)?;

    // Another site's findings do not mix with this one's.
    scan(
        &mut store,
        "other",
        "2026-11-02T09:00:00+08:00",
        std::slice::from_ref(&a),
    )?;

    let (_, _, d2) = scan(
        &mut store,
        "xian",
        "2026-11-02T09:00:00+08:00",
        &[b.clone(), c.clone()],
    )?;
    assert_eq!(rules_of(&d2.new), want(&[&c]));
    assert_eq!(rules_of(&d2.persisting), want(&[&b]));
    assert_eq!(rules_of(&d2.fixed), want(&[&a]));

    let (run3, sr3, d3) = scan(
        &mut store,
        "xian",
        "2026-11-03T09:00:00+08:00",
        &[c.clone(), d.clone()],
    )?;
    assert_eq!(rules_of(&d3.new), want(&[&d]));
    assert_eq!(rules_of(&d3.persisting), want(&[&c]));
    assert_eq!(rules_of(&d3.fixed), want(&[&b]));

    let only_xian = |status| FindingFilter {
        site: Some("xian".into()),
        status,
        ..FindingFilter::default()
    };
    let all = store.findings(&only_xian(None))?;
    let summary: Vec<(String, FindingStatus)> = all
        .iter()
        .map(|f| (f.finding.url.clone(), f.status))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("https://xian.gov.cn/d".to_string(), FindingStatus::New),
            (
                "https://xian.gov.cn/c".to_string(),
                FindingStatus::Persisting
            ),
            ("https://xian.gov.cn/a".to_string(), FindingStatus::Fixed),
            ("https://xian.gov.cn/b".to_string(), FindingStatus::Fixed),
        ]
    );
    let new = store.findings(&only_xian(Some(FindingStatus::New)))?;
    assert_eq!(new.len(), 1);
    assert_eq!((new[0].run, new[0].site_run), (run3, sr3));
    assert_eq!(new[0].finding, d);
    let c_row = &store.findings(&only_xian(Some(FindingStatus::Persisting)))?[0];
    assert_eq!(c_row.first_seen_at, at("2026-11-02T09:00:00+08:00"));
    assert_eq!(c_row.last_seen_at, at("2026-11-03T09:00:00+08:00"));
    let fixed = store.findings(&only_xian(Some(FindingStatus::Fixed)))?;
    assert_eq!(fixed.len(), 2);
    assert_eq!(fixed[1].last_seen_at, at("2026-11-02T09:00:00+08:00"));

    // By rule, and across sites.
    let broken = store.findings(&FindingFilter {
        rule: Some("link.broken".into()),
        ..FindingFilter::default()
    })?;
    let mut sites: Vec<(&str, FindingStatus)> =
        broken.iter().map(|f| (f.site.as_str(), f.status)).collect();
    sites.sort_by_key(|(s, st)| (s.to_string(), st.as_str()));
    assert_eq!(
        sites,
        vec![
            ("other", FindingStatus::New),
            ("xian", FindingStatus::Fixed),
            ("xian", FindingStatus::Fixed)
        ]
    );

    // Since: what stands on or after the day — new and persisting ones by the day they were
    // last seen, fixed ones by the day they were fixed (the first scan without them): a was
    // fixed on the 2nd, b on the 3rd.
    let since = |d| {
        store.findings(&FindingFilter {
            site: Some("xian".into()),
            since: NaiveDate::from_ymd_opt(2026, 11, d),
            ..FindingFilter::default()
        })
    };
    let on_3rd = since(3)?;
    assert_eq!(on_3rd.len(), 3);
    assert!(on_3rd
        .iter()
        .all(|f| f.finding.url != "https://xian.gov.cn/a"));
    assert_eq!(since(2)?.len(), 4);
    let fixed_since_3rd = store.findings(&FindingFilter {
        site: Some("xian".into()),
        status: Some(FindingStatus::Fixed),
        since: NaiveDate::from_ymd_opt(2026, 11, 3),
        ..FindingFilter::default()
    })?;
    assert_eq!(fixed_since_3rd.len(), 1);
    assert_eq!(fixed_since_3rd[0].finding.url, "https://xian.gov.cn/b");
    assert_eq!(
        fixed_since_3rd[0].fixed_at,
        Some(at("2026-11-03T09:00:00+08:00"))
    );

    // History: three finished scans and the failed one, oldest first.
    let h = store.history("xian")?;
    let statuses: Vec<SiteRunStatus> = h.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        vec![
            SiteRunStatus::Done,
            SiteRunStatus::Failed,
            SiteRunStatus::Done,
            SiteRunStatus::Done
        ]
    );
    assert_eq!((h[3].vetoes, h[3].deductions), (1, 1));
    assert_eq!(h[3].verdict.map(Verdict::zh), Some("不合格"));
    Ok(())
}

fn a_reappearing_finding_counts_as_new_in_the_diff_and_persisting_in_the_history(
    b: &Backend,
) -> TestResult {
    let mut store = b.open()?;
    let a = finding("link.broken", Kind::Deduct, "https://xian.gov.cn/a");
    scan(
        &mut store,
        "xian",
        "2026-11-01T09:00:00+08:00",
        std::slice::from_ref(&a),
    )?;
    let (_, _, d2) = scan(&mut store, "xian", "2026-11-02T09:00:00+08:00", &[])?;
    assert_eq!(d2.fixed.len(), 1);
    let (_, _, d3) = scan(
        &mut store,
        "xian",
        "2026-11-03T09:00:00+08:00",
        std::slice::from_ref(&a),
    )?;
    assert_eq!(d3.new, vec![a]);
    let f = store.findings(&FindingFilter::default())?;
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, FindingStatus::Persisting);
    assert_eq!(f[0].first_seen_at, at("2026-11-01T09:00:00+08:00"));
    Ok(())
}

fn resume_state_returns_exactly_what_was_saved(b: &Backend) -> TestResult {
    let (run, sr, pages, links) = {
        let mut store = b.open()?;
        let run = store.begin_run(
            at("2026-11-02T09:00:00+08:00"),
            "c",
            "r",
            &["xian".into(), "shi".into()],
        )?;
        let sr = store.begin_site(run, &site("xian"))?;
        let other = store.begin_site(run, &site("shi"))?;
        let mut p0 = page("https://xian.gov.cn/", 0);
        let p1 = page("https://xian.gov.cn/a", 1);
        let mut p2 = page("https://xian.gov.cn/b", 1);
        p2.status = LinkStatus::Soft404 {
            reason: "页面不存在".into(),
        };
        p2.etag = None;
        p2.charset = None;
        p2.truncated = true;
        store.save_page(sr, &p0, &[edge("https://xian.gov.cn/old", "旧")])?;
        // The home page is saved again (fetched again after a restart): it replaces the first
        // copy and its links.
        p0.title = Some("新标题".into());
        let e0 = vec![
            edge("https://xian.gov.cn/a", "甲"),
            edge("https://xian.gov.cn/b", "乙"),
        ];
        store.save_page(sr, &p0, &e0)?;
        let e1 = vec![Edge {
            to: "https://xian.gov.cn/logo.png".into(),
            text: "标志".into(),
            element: LinkElement::Img,
        }];
        store.save_pages(sr, &[(p1.clone(), e1.clone()), (p2.clone(), vec![])])?;
        let l1 = link(
            "https://xian.gov.cn/a",
            LinkStatus::Ok { status: 200 },
            true,
        );
        let mut l2 = link("https://gone.example.cn/", LinkStatus::Timeout, false);
        store.save_link(sr, &l2)?;
        l2.outcome.status = LinkStatus::Dns {
            message: "NXDOMAIN".into(),
        };
        store.save_link(sr, &l1)?;
        store.save_link(sr, &l2)?;
        // The other site's rows stay apart.
        store.save_page(other, &page("https://shi.gov.cn/", 0), &[])?;
        // The process is killed here: nothing is finished.
        let pages = vec![(p0, e0), (p1, e1), (p2, vec![])];
        (run, sr, pages, vec![l2, l1])
    };
    let store = b.open()?;
    let unfinished = store.unfinished_run()?.ok_or("no unfinished run")?;
    assert_eq!(unfinished.id, run);
    assert_eq!(
        unfinished.sites,
        vec!["xian".to_string(), "shi".to_string()]
    );
    let srs = store.site_runs(run)?;
    assert!(srs
        .iter()
        .all(|s| s.status == SiteRunStatus::Running && s.finished.is_none()));
    let state = store.resume_state(sr)?;
    assert_eq!(
        state.pages,
        pages.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()
    );
    let expected_edges: std::collections::HashMap<String, Vec<Edge>> = pages
        .iter()
        .filter(|(_, e)| !e.is_empty())
        .map(|(p, e)| (p.url.clone(), e.clone()))
        .collect();
    assert_eq!(state.edges, expected_edges);
    // A working link's referrers are not kept in its row (they are in the pages' link
    // lists); a failing link's are.
    let expected_links: Vec<LinkFact> = links
        .into_iter()
        .map(|mut l| {
            if !(l.outcome.status.is_broken() || l.outcome.status.is_blocked()) {
                l.referrers.clear();
            }
            l
        })
        .collect();
    assert!(expected_links.iter().any(|l| !l.referrers.is_empty()));
    assert!(expected_links.iter().any(|l| l.referrers.is_empty()));
    assert_eq!(state.links, expected_links);
    // A link result looked up by URL is the one listed; an unknown URL has none, and another
    // site run's rows are not seen.
    for l in &expected_links {
        assert_eq!(store.link_result(sr, &l.url)?.as_ref(), Some(l));
    }
    assert_eq!(store.link_result(sr, "https://xian.gov.cn/none")?, None);
    assert_eq!(store.page_by_url(sr, "https://shi.gov.cn/", false)?, None);
    // A page is found by its URL.
    let p1 = &pages[1].0;
    assert_eq!(store.page_by_url(sr, &p1.url, false)?.as_ref(), Some(p1));
    // The streamed reads of a judgement from the store see the same, row by row, in order.
    let mut urls = Vec::new();
    store.for_each_page_url(sr, &mut |u| urls.push(u.to_string()))?;
    assert_eq!(urls, store.page_urls(sr)?);
    assert_eq!(
        urls,
        pages.iter().map(|(p, _)| p.url.clone()).collect::<Vec<_>>()
    );
    let mut link_urls = Vec::new();
    store.for_each_link_url(sr, &mut |u| link_urls.push(u.to_string()))?;
    assert_eq!(
        link_urls,
        expected_links
            .iter()
            .map(|l| l.url.clone())
            .collect::<Vec<_>>()
    );
    let mut streamed = Vec::new();
    store.for_each_link(sr, &mut |l| streamed.push(l))?;
    assert_eq!(streamed, expected_links);
    assert_eq!(streamed, store.link_results(sr)?);
    Ok(())
}

fn begin_site_again_resumes_the_same_site_run(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    assert_eq!(store.begin_site(run, &site("xian"))?, sr);
    store.mark_site_failed(sr, "connection refused", Verdict::NotInspected)?;
    let info = store.site_run(sr)?.ok_or("missing")?;
    assert_eq!(
        (info.status, info.error.as_deref()),
        (SiteRunStatus::Failed, Some("connection refused"))
    );
    assert_eq!(store.begin_site(run, &site("xian"))?, sr);
    let info = store.site_run(sr)?.ok_or("missing")?;
    assert_eq!((info.status, info.error), (SiteRunStatus::Running, None));
    Ok(())
}

fn a_normdoc_library_is_kept_once_per_site_run_and_replaced(b: &Backend) -> TestResult {
    use crate::extract::normdoc::LibrarySnapshot;
    let mut store = b.open()?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let snapshot = |pages_read: u32, complete: bool| LibrarySnapshot {
        name: "行政规范性文件".into(),
        url: "https://xian.gov.cn/gfxwj/".into(),
        pages_read,
        pages_total: Some(2),
        complete,
        records: Vec::new(),
    };
    store.save_normdoc_snapshot(sr, &snapshot(1, false))?;
    // Saved again for the same site run (a resumed site): the later one is kept.
    store.save_normdoc_snapshot(sr, &snapshot(2, true))?;
    store.finish_site(sr, &stats(1, 0, 0), &[], 100.0, Verdict::Pass, &json!({}))?;
    let kept = store.normdoc_snapshots("xian")?;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].snapshot, snapshot(2, true));
    assert_eq!(kept[0].site_run, sr);
    Ok(())
}

fn unknown_ids_give_not_found(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let err = store
        .finish_site(
            SiteRunId(99),
            &stats(0, 0, 0),
            &[],
            100.0,
            Verdict::Pass,
            &json!({}),
        )
        .err()
        .ok_or("should fail")?;
    assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    assert!(matches!(
        store.finish_run(RunId(5)),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.mark_site_failed(SiteRunId(5), "x", Verdict::NotInspected),
        Err(StoreError::NotFound { .. })
    ));
    // A page of an unknown site run breaks a foreign key.
    let err = store
        .save_page(SiteRunId(99), &page("https://x/", 0), &[])
        .err()
        .ok_or("should fail")?;
    assert!(
        err.to_string().contains("save the page https://x/"),
        "{err}"
    );
    assert!(store.run(RunId(5))?.is_none());
    assert!(store.site_run(SiteRunId(5))?.is_none());
    Ok(())
}

// ---- atomicity ----

/// Make every page whose URL ends in `boom` fail, as a disk error in the middle of a batch
/// would.
fn arm_failure(store: &Store) -> TestResult {
    store.conn.execute_batch(
        "CREATE TEMP TRIGGER boom BEFORE INSERT ON pages WHEN NEW.url LIKE '%boom' \
         BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
    )?;
    Ok(())
}

/// Rows of a table; `edges` counts the links kept with the pages.
fn count(store: &Store, table: &str) -> std::result::Result<i64, db::DbError> {
    if table == "edges" {
        let sql = format!(
            "SELECT {} {}",
            super::pages::page_select(false),
            super::pages::PAGE_FROM
        );
        let mut st = store.conn.prepare_cached(&sql)?;
        let mut n = 0;
        let dicts = super::sitedict::Dicts::new(&store.conn);
        st.for_each(params![], |row| {
            n += super::pages::read_page(row, 0, &dicts, false)?.1.len() as i64;
            Ok(())
        })?;
        return Ok(n);
    }
    store
        .conn
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), params![], |r| {
            r.get(0)
        })
}

#[test]
fn a_page_that_fails_half_way_is_not_written_at_all() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&db(&dir))?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    arm_failure(&store)?;

    // One page: neither the row nor its links are written.
    let err = store
        .save_page(
            sr,
            &page("https://xian.gov.cn/boom", 0),
            &[
                edge("https://xian.gov.cn/a", "甲"),
                edge("https://xian.gov.cn/b", "乙"),
            ],
        )
        .err()
        .ok_or("should fail")?;
    assert!(err.to_string().contains("simulated failure"), "{err}");
    assert_eq!((count(&store, "pages")?, count(&store, "edges")?), (0, 0));

    // A batch: the good page before the bad one is rolled back too.
    let batch = vec![
        (
            page("https://xian.gov.cn/a", 1),
            vec![edge("https://xian.gov.cn/", "首页")],
        ),
        (
            page("https://xian.gov.cn/boom", 1),
            vec![edge("https://xian.gov.cn/b", "x")],
        ),
    ];
    assert!(store.save_pages(sr, &batch).is_err());
    assert_eq!((count(&store, "pages")?, count(&store, "edges")?), (0, 0));

    // A writer that gives up after saving.
    let r: std::result::Result<(), StoreError> = store.write(|b| {
        b.save_page(
            sr,
            &page("https://xian.gov.cn/c", 1),
            &[edge("https://xian.gov.cn/", "首页")],
        )?;
        b.save_link(
            sr,
            &link(
                "https://xian.gov.cn/",
                LinkStatus::Ok { status: 200 },
                false,
            ),
        )?;
        Err(StoreError::Other {
            action: "test".into(),
            file: "test".into(),
            message: "writer gave up".into(),
        })
    });
    assert!(r.is_err());
    // A writer that panics half-way.
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = store.write(|b| -> std::result::Result<(), StoreError> {
            b.save_page(sr, &page("https://xian.gov.cn/d", 1), &[])?;
            panic!("writer task died");
        });
    }));
    assert!(caught.is_err());
    assert_eq!(
        (
            count(&store, "pages")?,
            count(&store, "edges")?,
            count(&store, "links")?
        ),
        (0, 0, 0)
    );

    // The store is still usable, and a whole batch commits.
    store.save_pages(sr, &batch[..1])?;
    assert_eq!((count(&store, "pages")?, count(&store, "edges")?), (1, 1));
    Ok(())
}

#[test]
fn an_uncommitted_batch_is_lost_when_the_process_dies() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let sr = {
        let mut store = Store::open(&path)?;
        let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
        store.begin_site(run, &site("xian"))?
    };
    // Another connection (another process) writes a page inside a transaction and dies
    // before committing.
    {
        let conn = raw(&path);
        conn.execute_batch(&format!(
            "BEGIN; INSERT INTO pages (site_run, url, final_url, depth, status, fetched_at, \
             elapsed_ms, bytes, truncated, links_found) VALUES ({}, 'https://xian.gov.cn/', \
             'https://xian.gov.cn/', 0, '{{\"type\":\"timeout\"}}', 'x', 0, 0, 0, 0);",
            sr.0
        ))?;
        // Dropped without COMMIT.
    }
    let store = Store::open(&path)?;
    assert!(store.resume_state(sr)?.pages.is_empty());
    Ok(())
}

// ---- conditional requests ----

fn validators_come_from_the_latest_copy_that_has_them(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let url = "https://xian.gov.cn/news/";
    assert!(store.validators("xian", url)?.is_none());

    let run1 = store.begin_run(at("2026-11-01T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr1 = store.begin_site(run1, &site("xian"))?;
    let mut p = page(url, 1);
    p.etag = Some("\"v1\"".into());
    let e1 = vec![edge("https://xian.gov.cn/news/1", "一")];
    store.save_page(sr1, &p, &e1)?;
    let mut no_validators = page("https://xian.gov.cn/plain", 1);
    no_validators.etag = None;
    no_validators.last_modified = None;
    store.save_page(sr1, &no_validators, &[])?;
    store.finish_site(sr1, &stats(2, 1, 0), &[], 100.0, Verdict::Pass, &json!({}))?;
    store.finish_run(run1)?;

    let v = store.validators("xian", url)?.ok_or("no validators")?;
    assert_eq!(v.site_run, sr1);
    assert_eq!(v.etag.as_deref(), Some("\"v1\""));
    assert_eq!(v.last_modified, p.last_modified);
    assert_eq!(v.page, p);
    assert_eq!(v.edges, e1);
    assert!(store
        .validators("xian", "https://xian.gov.cn/plain")?
        .is_none());
    assert!(store.validators("other", url)?.is_none());

    // The current (unfinished) scan's copy wins once it has one.
    let run2 = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr2 = store.begin_site(run2, &site("xian"))?;
    assert_eq!(store.validators("xian", url)?.ok_or("gone")?.site_run, sr1);
    p.etag = Some("\"v2\"".into());
    store.save_page(sr2, &p, &[])?;
    let v = store.validators("xian", url)?.ok_or("no validators")?;
    assert_eq!((v.site_run, v.etag.as_deref()), (sr2, Some("\"v2\"")));
    assert!(v.edges.is_empty());
    // The index a scan loads once per site agrees: latest copy, pages with validators only.
    let index = store.validator_index("xian")?;
    assert_eq!(index.len(), 1);
    assert_eq!(
        index.get(url).and_then(|(e, _)| e.as_deref()),
        Some("\"v2\"")
    );
    assert!(store.validator_index("other")?.is_empty());
    Ok(())
}

// ---- probes ----

fn probes_and_the_ipv6_summary_round_trip(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let probe = |t: &str, family, ok| Probe {
        site: "xian".into(),
        at: at(t),
        family,
        address: None,
        ok,
        status: ok.then_some(200),
        latency_ms: ok.then_some(35),
        error: (!ok).then(|| "connect timeout".to_string()),
    };
    let probes = vec![
        probe("2026-11-01T23:30:00+08:00", IpFamily::V4, true),
        // Written in UTC: 2026-11-02T01:00+08:00.
        probe("2026-11-01T17:00:00Z", IpFamily::V6, false),
        probe("2026-11-02T12:00:00+08:00", IpFamily::V4, true),
        probe("2026-11-03T00:00:00+08:00", IpFamily::V4, true),
    ];
    store.save_probes(&probes)?;
    let day = store.probes(
        "xian",
        at("2026-11-02T00:00:00+08:00"),
        at("2026-11-03T00:00:00+08:00"),
    )?;
    assert_eq!(day.len(), 2);
    assert_eq!(day[0].family, IpFamily::V6);
    assert_eq!(day[0].at, probes[1].at);
    assert_eq!(day[0].at.offset().local_minus_utc(), 8 * 3600);
    assert_eq!(day[0].error.as_deref(), Some("connect timeout"));
    assert_eq!(day[1].status, Some(200));
    assert!(store
        .probes(
            "other",
            at("2026-01-01T00:00:00+08:00"),
            at("2027-01-01T00:00:00+08:00")
        )?
        .is_empty());

    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    assert!(store.site_ipv6(sr)?.is_none());
    let summary = Ipv6Summary {
        has_aaaa: true,
        home_reachable: false,
        links_checked: 40,
        links_reachable: 31,
        detail: crate::facts::Ipv6Detail {
            host: "xian.gov.cn".into(),
            aaaa: vec!["2001:db8::1".into()],
            ..Default::default()
        },
    };
    store.save_site_ipv6(sr, &summary)?;
    store.save_site_ipv6(sr, &summary)?;
    assert_eq!(store.site_ipv6(sr)?, Some(summary));
    Ok(())
}

#[test]
fn an_older_ipv6_detail_reads_and_a_broken_one_is_a_clear_error() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut store = Store::open(&path)?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let sr2 = store.begin_site(run, &site("yanta"))?;
    let conn = raw(&path);
    // A row written before the detail was typed: fewer fields, one unknown.
    conn.execute(
        "INSERT INTO site_ipv6 (site_run, has_aaaa, home_reachable, links_checked, \
         links_reachable, detail) VALUES (?1, 1, 0, 0, 0, ?2)",
        rusqlite::params![
            sr.0,
            r#"{"host": "xian.gov.cn", "addresses": ["2001:db8::1"]}"#
        ],
    )?;
    conn.execute(
        "INSERT INTO site_ipv6 (site_run, has_aaaa, home_reachable, links_checked, \
         links_reachable, detail) VALUES (?1, 1, 0, 0, 0, ?2)",
        rusqlite::params![sr2.0, r#"{"aaaa": "not a list"}"#],
    )?;
    let old = store.site_ipv6(sr)?.expect("a summary");
    assert_eq!(old.detail.host, "xian.gov.cn");
    assert!(old.detail.aaaa.is_empty());
    let err = store.site_ipv6(sr2).expect_err("a broken detail");
    let msg = err.to_string();
    assert!(msg.contains("IPv6 summary"), "{msg}");
    Ok(())
}

// ---- throughput ----

#[test]
fn batched_writes_keep_up_with_a_fast_crawl() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&db(&dir))?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let pages: Vec<(PageRecord, Vec<Edge>)> = (0..2000)
        .map(|i| {
            let p = page(&format!("https://xian.gov.cn/p/{i}"), 2);
            let e = (0..20)
                .map(|j| edge(&format!("https://xian.gov.cn/p/{}", i * 7 + j), "链接"))
                .collect();
            (p, e)
        })
        .collect();
    let links: Vec<LinkFact> = (0..2000)
        .map(|i| {
            link(
                &format!("https://xian.gov.cn/p/{i}"),
                LinkStatus::Ok { status: 200 },
                false,
            )
        })
        .collect();
    let started = Instant::now();
    for (pc, lc) in pages.chunks(100).zip(links.chunks(100)) {
        store.write(|b| {
            for (p, e) in pc {
                b.save_page(sr, p, e)?;
            }
            for l in lc {
                b.save_link(sr, l)?;
            }
            Ok(())
        })?;
    }
    let elapsed = started.elapsed();
    let rate = 2000.0 / elapsed.as_secs_f64();
    eprintln!(
        "store: 2000 pages (20 links each) + 2000 link results in {elapsed:?}: {rate:.0} pages/s"
    );
    assert_eq!(count(&store, "edges")?, 40_000);
    // Far above the ~200 pages/s of a crawl, even in a debug build on a busy machine.
    assert!(rate > 400.0, "only {rate:.0} pages/s");
    Ok(())
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_a_sound_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut store = Store::open(&path)?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    store.save_page(sr, &page("https://xian.gov.cn/", 0), &[])?;
    // The file may not grow any more: SQLite answers SQLITE_FULL, as on a full disk.
    let pages: i64 = store
        .conn
        .query_row("PRAGMA page_count", params![], |r| r.get(0))?;
    store
        .conn
        .execute_batch(&format!("PRAGMA max_page_count = {pages};"))?;
    let mut err = None;
    for i in 0..10_000 {
        let links: Vec<Edge> = (0..50)
            .map(|k| edge(&format!("https://xian.gov.cn/{i}/{k}"), "甲乙丙丁"))
            .collect();
        if let Err(e) = store.save_page(sr, &page(&format!("https://xian.gov.cn/p/{i}"), 1), &links)
        {
            err = Some(e);
            break;
        }
    }
    let err = err.ok_or("the store never filled up")?;
    assert!(matches!(err, StoreError::Full { .. }), "{err:?}");
    assert!(err.to_string().contains("govscan.db"), "{err}");
    drop(store);
    // Everything committed before is there, nothing half-written, and the file is sound.
    let store = Store::open(&path)?;
    let ok: String = store
        .conn
        .query_row("PRAGMA integrity_check", params![], |r| r.get(0))?;
    assert_eq!(ok, "ok");
    let state = store.resume_state(sr)?;
    assert!(state.pages.iter().any(|p| p.url == "https://xian.gov.cn/"));
    for p in &state.pages {
        let n = state.edges.get(&p.url).map_or(0, Vec::len);
        assert!(
            n == 0 || n == 50,
            "page {} half-written with {n} links",
            p.url
        );
    }
    Ok(())
}

fn a_store_can_be_moved_to_a_writer_thread(b: &Backend) -> TestResult {
    fn assert_send<T: Send>() {}
    assert_send::<Store>();
    let mut store = b.open()?;
    let handle =
        std::thread::spawn(move || store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &[]));
    let run = handle.join().map_err(|_| "writer thread panicked")??;
    assert_eq!(run, RunId(1));
    Ok(())
}

#[test]
fn a_pages_links_are_stored_compressed_and_read_back_whole() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&db(&dir))?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let edges: Vec<Edge> = (0..60)
        .map(|i| {
            edge(
                &format!("https://xian.gov.cn/zwgk/2026/t{i}.html"),
                "政务公开",
            )
        })
        .collect();
    store.save_page(sr, &page("https://xian.gov.cn/", 0), &edges)?;
    let (kind, stored): (String, i64) = store.conn.query_row(
        "SELECT typeof(b.body), length(b.body) FROM pages p JOIN page_bodies b ON b.id = p.body_id",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(kind, "blob");
    let json = serde_json::to_string(
        &edges
            .iter()
            .map(|e| (&e.to, &e.text, e.element))
            .collect::<Vec<_>>(),
    )?;
    assert!(
        (stored as usize) * 3 < json.len(),
        "{stored} bytes stored for {} bytes of JSON",
        json.len()
    );
    let state = store.resume_state(sr)?;
    assert_eq!(state.edges.get("https://xian.gov.cn/"), Some(&edges));
    Ok(())
}

#[test]
fn link_lists_written_as_json_text_by_older_versions_still_read() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&db(&dir))?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let edges = vec![
        edge("https://xian.gov.cn/a", "甲"),
        edge("mailto:x@y.cn", ""),
    ];
    save_v13(
        &mut store,
        sr,
        None,
        &[(page("https://xian.gov.cn/", 0), edges.clone())],
    )?;
    store.conn.execute(
        "UPDATE pages SET links = ?1, links_id = NULL",
        [r#"[["https://xian.gov.cn/a","甲","a"],["mailto:x@y.cn","","a"]]"#],
    )?;
    assert_eq!(
        store.resume_state(sr)?.edges.get("https://xian.gov.cn/"),
        Some(&edges)
    );
    Ok(())
}

#[test]
fn a_corrupt_link_list_is_an_error_not_a_panic_or_a_huge_allocation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&db(&dir))?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    save_v13(
        &mut store,
        sr,
        None,
        &[(page("https://xian.gov.cn/", 0), vec![])],
    )?;
    for bad in [
        vec![0xff, 0xff, 0xff, 0x7f, 1, 2, 3],
        vec![10, 0, 0, 0, 0xf0, 1],
        vec![1, 2],
    ] {
        store
            .conn
            .execute("UPDATE link_lists SET links = ?1", [bad.clone()])?;
        let err = store.resume_state(sr).err().ok_or("should fail")?;
        assert!(matches!(err, StoreError::Data { .. }), "{bad:?}: {err}");
    }
    Ok(())
}

fn an_unchanged_pages_link_list_is_stored_once_across_scans(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let edges: Vec<Edge> = (0..30)
        .map(|i| edge(&format!("https://xian.gov.cn/p/{i}.html"), "链接"))
        .collect();
    let mut changed = edges.clone();
    changed.push(edge("https://xian.gov.cn/new.html", "新增"));
    let mut site_runs = Vec::new();
    for (day, list) in [(2, &edges), (3, &edges), (4, &changed)] {
        let run = store.begin_run(
            at(&format!("2026-11-0{day}T09:00:00+08:00")),
            "c",
            "r",
            &["xian".into()],
        )?;
        let sr = store.begin_site(run, &site("xian"))?;
        store.save_page(sr, &page("https://xian.gov.cn/", 0), list)?;
        store.save_page(sr, &page("https://xian.gov.cn/empty", 1), &[])?;
        site_runs.push(sr);
    }
    // Day 2 and day 3 share one list (in the page's body), day 4 has its own; the page
    // without links is stored once.
    assert_eq!(count(&store, "page_bodies")?, 3);
    assert_eq!(count(&store, "pages")?, 6);
    for (sr, list) in site_runs.iter().zip([&edges, &edges, &changed]) {
        let state = store.resume_state(*sr)?;
        assert_eq!(state.edges.get("https://xian.gov.cn/"), Some(list));
        assert_eq!(state.edges.get("https://xian.gov.cn/empty"), None);
    }
    Ok(())
}

fn a_run_knows_whether_its_owner_is_still_writing_it(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let info = store.unfinished_run()?.ok_or("unfinished")?;
    assert_eq!(info.owner.as_deref(), Some(this_process().as_str()));
    let now = crate::asof::now();
    // This process is alive.
    assert!(info.owner_alive(now));
    let me = this_process();
    let (host, _) = me.rsplit_once(':').ok_or("host:pid")?;
    let set = |owner: Option<&str>,
               beat: &str|
     -> std::result::Result<RunInfo, Box<dyn std::error::Error>> {
        store.conn.execute(
            "UPDATE runs SET owner = ?2, heartbeat = ?3 WHERE id = ?1",
            params![run.0, owner, beat],
        )?;
        Ok(store.run(run)?.ok_or("run")?)
    };
    let recent = (now - chrono::Duration::seconds(20)).to_rfc3339();
    let old = (now - chrono::Duration::minutes(10)).to_rfc3339();
    // A process on this host that no longer exists, however recent its heartbeat (a killed
    // scan resumed at once).
    if std::path::Path::new("/proc/self").exists() {
        assert!(!set(Some(&format!("{host}:4294967")), &recent)?.owner_alive(now));
    }
    // Another host: judged by its heartbeat.
    assert!(set(Some("elsewhere:1"), &recent)?.owner_alive(now));
    assert!(!set(Some("elsewhere:1"), &old)?.owner_alive(now));
    // A run from before owners were recorded.
    assert!(!set(None, &recent)?.owner_alive(now));
    // Taking it over makes this process the owner.
    store.heartbeat(run)?;
    assert!(store.run(run)?.ok_or("run")?.owner_alive(now));
    Ok(())
}

#[test]
fn a_version_4_file_is_upgraded_and_its_unfinished_run_resumes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    {
        let conn = migrate_raw(raw(&path), 4)?;
        // A killed v4 scan: one page with its links inline (as v3 wrote them).
        conn.execute_batch(
            "INSERT INTO runs (started, finished, as_of, config_fingerprint, rules_fingerprint, sites) \
             VALUES ('2026-10-01T08:00:00+08:00', NULL, '2026-10-01T08:00:00+08:00', 'c', 'r', '[\"xian\"]');
             INSERT INTO site_runs (run_id, site, url, level, kind, started, status) \
             VALUES (1, 'xian', 'https://xian.gov.cn/', 'county', 'portal', '2026-10-01T08:00:00+08:00', 'running');
             INSERT INTO pages (site_run, url, final_url, depth, status, fetched_at, elapsed_ms, bytes, truncated, links_found, links) \
             VALUES (1, 'https://xian.gov.cn/', 'https://xian.gov.cn/', 0, '{\"type\":\"ok\",\"status\":200}', '2026-10-01T08:00:01+08:00', 5, 100, 0, 1, \
             '[[\"https://xian.gov.cn/a\",\"甲\",\"a\"]]');",
        )?;
    }
    let mut store = Store::open(&path)?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    let info = store.unfinished_run()?.ok_or("unfinished")?;
    assert_eq!(info.owner, None);
    assert!(!info.owner_alive(crate::asof::now()), "no owner: resumable");
    let state = store.resume_state(SiteRunId(1))?;
    assert_eq!(
        state.edges.get("https://xian.gov.cn/"),
        Some(&vec![edge("https://xian.gov.cn/a", "甲")])
    );
    // New pages of the resumed run go to the shared page bodies.
    store.heartbeat(info.id)?;
    store.save_page(
        SiteRunId(1),
        &page("https://xian.gov.cn/a", 1),
        &[edge("https://xian.gov.cn/", "首页")],
    )?;
    assert_eq!(count(&store, "page_bodies")?, 1);
    assert_eq!(count(&store, "edges")?, 2);
    Ok(())
}

#[test]
fn raw_observations_round_trip_are_shared_and_a_broken_one_is_a_clear_error() -> TestResult {
    use crate::extract::PageRaw;
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut store = Store::open(&path)?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr1 = store.begin_site(run, &site("xian"))?;
    let sr2 = store.begin_site(run, &site("yanta"))?;
    let raw = PageRaw {
        text: "示范县人民政府 暂无信息".into(),
        meta: vec![("siteidcode".into(), "6101000001".into())],
        facts: true,
        http_status: Some(200),
        ..PageRaw::default()
    };
    let mut home = page("https://xian.gov.cn/", 0);
    home.raw = Some(Box::new(raw.clone()));
    let plain = page("https://xian.gov.cn/old", 1);
    store.save_page(sr1, &home, &[])?;
    store.save_page(sr1, &plain, &[])?;
    // The same observation in another site run is stored once (the home page's body and
    // the plain page's).
    assert_eq!(count(&store, "page_bodies")?, 2);
    store.save_page(sr2, &home, &[])?;
    assert_eq!(count(&store, "page_bodies")?, 2);

    let state = store.resume_state(sr1)?;
    assert_eq!(state.pages[0].raw.as_deref(), Some(&raw));
    assert_eq!(state.pages[1].raw, None);
    // The copy reused on a 304 carries its observation to the next scan.
    let v = store
        .validators("xian", "https://xian.gov.cn/")?
        .ok_or("validators")?;
    assert_eq!(v.page.raw.as_deref(), Some(&raw));

    // A corrupt blob is an error naming the read, never a panic or a silent empty text.
    raw_conn_update(&path, "UPDATE page_bodies SET body = x'ffffff7f0000'")?;
    let store = Store::open(&path)?;
    let err = store
        .resume_state(sr1)
        .expect_err("a corrupt raw observation");
    assert!(err.to_string().contains("saved crawl"), "{err}");
    Ok(())
}

/// A page of a site with the usual shared parts (navigation, footer) around text of its own,
/// with its raw observation and links.
fn framed_page(i: usize) -> (PageRecord, Vec<Edge>) {
    let nav: String = (0..30).map(|k| format!("栏目{k} ")).collect();
    let body: String = (0..10)
        .map(|k| format!("第{i}篇第{k}段：{}。", (i * 7919 + k * 104_729) % 1_000_003))
        .collect();
    let mut p = page(&format!("https://xian.gov.cn/xwzx/t{i}.html"), 1);
    p.raw = Some(Box::new(crate::extract::PageRaw {
        text: format!(
            "示范县人民政府门户网站 {nav} 当前位置：首页 > 新闻中心 {body} \
             主办单位：示范县人民政府办公室 网站标识码：6101000001 示ICP备05003300号"
        ),
        facts: true,
        http_status: Some(200),
        ..Default::default()
    }));
    let mut edges: Vec<Edge> = (0..30)
        .map(|k| Edge {
            to: format!("https://xian.gov.cn/lm{k}/"),
            text: format!("栏目{k}"),
            element: LinkElement::A,
        })
        .collect();
    edges.push(Edge {
        to: format!("https://xian.gov.cn/xwzx/t{}.html", i + 1),
        text: format!("第{}篇", i + 1),
        element: LinkElement::A,
    });
    (p, edges)
}

/// Save `pages` to `sr` through `codec` in one transaction.
fn save_coded(
    store: &mut Store,
    sr: SiteRunId,
    codec: &SiteCodec,
    pages: &[(PageRecord, Vec<Edge>)],
) -> TestResult {
    store.write(|b| {
        for (p, edges) in pages {
            let links = edges
                .iter()
                .map(|e| (e.to.as_str(), e.text.as_str(), e.element));
            b.save_page_row(sr, &PageRow::encode_with(p, links, Some(codec))?)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Save `pages` to `sr` as version 13 wrote them (see [`PageRow::encode_v13`]), through
/// `codec` if given, in one transaction.
fn save_v13(
    store: &mut Store,
    sr: SiteRunId,
    codec: Option<&SiteCodec>,
    pages: &[(PageRecord, Vec<Edge>)],
) -> TestResult {
    store.write(|b| {
        for (p, edges) in pages {
            let links = edges
                .iter()
                .map(|e| (e.to.as_str(), e.text.as_str(), e.element));
            b.save_page_row(sr, &PageRow::encode_v13(p, links, codec)?)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn pages_compressed_with_the_sites_dictionary_round_trip(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let codec = SiteCodec::new("xian", None);
    let pages: Vec<_> = (0..50).map(framed_page).collect();
    save_coded(&mut store, sr, &codec, &pages)?;
    let dict = codec.dict().ok_or("a dictionary after the first pages")?;
    assert_eq!(count(&store, "site_dicts")?, 1);
    // The first pages are plain zstd frames, the later ones name the dictionary.
    let with_dict = |table: &str| -> std::result::Result<(i64, i64), db::DbError> {
        store.conn.query_row(
            &format!("SELECT COUNT(dict_id), COUNT(*) - COUNT(dict_id) FROM {table}"),
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    };
    let (bodies_with, bodies_plain) = with_dict("page_bodies")?;
    assert!(
        bodies_with > 10 && bodies_plain > 10,
        "{bodies_with} {bodies_plain}"
    );

    // Every reader gets back what was saved: the resume state, the page stream, a validator.
    let state = store.resume_state(sr)?;
    assert_eq!(state.pages.len(), pages.len());
    for ((want, edges), got) in pages.iter().zip(&state.pages) {
        assert_eq!(got.raw, want.raw, "{}", want.url);
        assert_eq!(state.edges.get(&want.url), Some(edges), "{}", want.url);
    }
    let mut streamed = Vec::new();
    store.for_each_page(sr, true, &mut |p, e| streamed.push((p.raw, e)))?;
    for ((want, edges), (raw, links)) in pages.iter().zip(&streamed) {
        assert_eq!((raw, links), (&want.raw, edges));
    }
    // The look-ups a judgement makes for what it does not hold: a page by URL (with its raw
    // observation when asked) and by final URL, its links, every link list in order.
    for (want, edges) in pages.iter().step_by(7) {
        let got = store.page_by_url(sr, &want.url, true)?.ok_or("the page")?;
        assert_eq!((&got.raw, &got.facts), (&want.raw, &want.facts));
        let bare = store.page_by_url(sr, &want.url, false)?.ok_or("the page")?;
        assert_eq!(bare.raw, None);
        assert_eq!(&store.links_on(sr, &want.url)?, edges);
    }
    assert_eq!(store.page_by_url(sr, "http://x.gov.cn/none", false)?, None);
    assert!(store.links_on(sr, "http://x.gov.cn/none")?.is_empty());
    let mut lists = Vec::new();
    store.for_each_link_list(sr, &mut |u, d, e| lists.push((u.to_string(), d, e)))?;
    assert_eq!(lists.len(), pages.len());
    for ((want, edges), (url, depth, links)) in pages.iter().zip(&lists) {
        assert_eq!((url, *depth, links), (&want.url, want.depth, edges));
    }
    let last = &pages[pages.len() - 1];
    let v = store.validators("xian", &last.0.url)?.ok_or("validators")?;
    assert_eq!((&v.page.raw, &v.edges), (&last.0.raw, &last.1));

    // The next scan starts from the stored dictionary, adds none while it fits, and its new
    // pages read back too.
    let stored = store
        .latest_site_dict("xian")?
        .ok_or("the stored dictionary")?;
    assert_eq!(stored.bytes(), dict.bytes());
    let run2 = store.begin_run(at("2026-11-03T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr2 = store.begin_site(run2, &site("xian"))?;
    let codec2 = SiteCodec::new("xian", Some(stored));
    let pages2: Vec<_> = (40..100).map(framed_page).collect();
    save_coded(&mut store, sr2, &codec2, &pages2)?;
    assert_eq!(count(&store, "site_dicts")?, 1);
    let state2 = store.resume_state(sr2)?;
    for ((want, _), got) in pages2.iter().zip(&state2.pages) {
        assert_eq!(got.raw, want.raw);
    }
    assert_eq!(
        store.latest_site_dict("yanta")?.map(|d| d.bytes().len()),
        None
    );

    // A corrupt dictionary is an error naming it, for the pages and for the next scan.
    store.conn.execute(
        "UPDATE site_dicts SET dict = ?1",
        params![vec![0x37u8, 0xA4, 0x30, 0xEC, 1, 2, 3]],
    )?;
    let err = store.resume_state(sr).expect_err("a corrupt dictionary");
    assert!(err.to_string().contains("dictionary"), "{err}");
    let err = store
        .latest_site_dict("xian")
        .expect_err("a corrupt dictionary");
    assert!(err.to_string().contains("dictionary"), "{err}");
    Ok(())
}

fn a_corrupt_frame_compressed_with_a_dictionary_is_a_clear_error(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let codec = SiteCodec::new("xian", None);
    let pages: Vec<_> = (0..50).map(framed_page).collect();
    save_coded(&mut store, sr, &codec, &pages)?;
    // A frame cut short, and a plain frame where a dictionary is named.
    store.conn.execute(
        "UPDATE page_bodies SET body = ?1 WHERE dict_id IS NOT NULL",
        params![vec![0x28u8, 0xB5, 0x2F, 0xFD, 0x23, 0, 0]],
    )?;
    let err = store.resume_state(sr).expect_err("a corrupt page body");
    assert!(err.to_string().contains("dictionary"), "{err}");
    let plain = zstd::bulk::compress(b"{\"text\":\"x\"}", 3)?;
    store.conn.execute(
        "UPDATE page_bodies SET body = ?1 WHERE dict_id IS NOT NULL",
        params![plain],
    )?;
    let mut seen = 0;
    let err = store
        .for_each_page(sr, true, &mut |_, _| seen += 1)
        .expect_err("a frame without its dictionary");
    assert!(err.to_string().contains("dictionary"), "{err}");
    assert!(seen < pages.len());
    Ok(())
}

fn a_pages_body_holds_its_observation_links_title_and_facts_and_is_shared(
    b: &Backend,
) -> TestResult {
    let mut store = b.open()?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    // An article with its raw observation and facts, whose final URL is the one asked for.
    let mut article = page("https://xian.gov.cn/xwzx/t1.html", 1);
    article.title = Some("关于做好防汛抗旱工作的通知_示范县人民政府".into());
    article.facts.article_title = Some("关于做好防汛抗旱工作的通知".into());
    article.facts.column_name = Some("新闻中心".into());
    article.raw = Some(Box::new(crate::extract::PageRaw {
        text: "示范县人民政府 关于做好防汛抗旱工作的通知 相关信息 关于印发森林防火工作的通知"
            .into(),
        facts: true,
        http_status: Some(200),
        ..Default::default()
    }));
    let article_links = vec![
        edge("https://xian.gov.cn/", "首页"),
        edge(
            "https://xian.gov.cn/xwzx/t2.html",
            "关于印发森林防火工作的通知",
        ),
    ];
    // A page that answered 404 after a redirect: its status and final URL are kept whole.
    let mut gone = page("https://xian.gov.cn/old.html", 2);
    gone.final_url = "https://xian.gov.cn/404.html".into();
    gone.status = LinkStatus::HttpError { status: 404 };
    gone.title = None;
    // (A working target keeps no referrers: the pages' links name them.)
    let mut ok = link(
        "https://xian.gov.cn/xwzx/t2.html",
        LinkStatus::Ok { status: 200 },
        false,
    );
    ok.referrers.clear();
    let mut same = ok.clone();
    same.url = "https://xian.gov.cn/".into();
    same.outcome.final_url = same.url.clone();
    same.outcome.redirects.clear();
    let broken = link(
        "https://xian.gov.cn/old.html",
        LinkStatus::HttpError { status: 404 },
        false,
    );
    store.save_pages(
        sr,
        &[
            (article.clone(), article_links.clone()),
            (gone.clone(), vec![]),
        ],
    )?;
    store.save_links(sr, &[ok.clone(), same.clone(), broken.clone()])?;

    // The page row keeps no title, facts, raw observation or link list of its own; a final
    // URL equal to the URL and a 2xx status are stored empty.
    let row = |url: &str| -> std::result::Result<(String, String, bool, bool, bool), DbError> {
        store.conn.query_row(
            "SELECT final_url, status, title IS NULL AND facts IS NULL, \
             links_id IS NULL AND raw_id IS NULL, body_id IS NOT NULL FROM pages WHERE url = ?1",
            params![url],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
    };
    assert_eq!(
        row(&article.url)?,
        (String::new(), String::new(), true, true, true)
    );
    let (final_url, status, ..) = row(&gone.url)?;
    assert_eq!(final_url, gone.final_url);
    assert_eq!(status, serde_json::to_string(&gone.status)?);
    let link_row = |url: &str| -> std::result::Result<(String, String), DbError> {
        store.conn.query_row(
            "SELECT final_url, status FROM links WHERE url = ?1",
            params![url],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    };
    assert_eq!(link_row(&same.url)?, (String::new(), String::new()));
    assert_eq!(link_row(&ok.url)?.0, ok.outcome.final_url);
    assert_eq!(
        link_row(&broken.url)?.1,
        serde_json::to_string(&broken.outcome.status)?
    );
    assert_eq!(count(&store, "page_bodies")?, 2);
    assert_eq!(
        (count(&store, "page_raws")?, count(&store, "link_lists")?),
        (0, 0)
    );

    // Every reader gets back what was saved.
    let state = store.resume_state(sr)?;
    assert_eq!(state.pages, vec![article.clone(), gone.clone()]);
    assert_eq!(state.edges.get(&article.url), Some(&article_links));
    assert_eq!(state.edges.get(&gone.url), None);
    assert_eq!(state.links, vec![ok.clone(), same.clone(), broken.clone()]);
    assert_eq!(store.link_results(sr)?, state.links);
    let mut streamed = Vec::new();
    store.for_each_page(sr, true, &mut |p, e| streamed.push((p, e)))?;
    assert_eq!(
        streamed,
        vec![
            (article.clone(), article_links.clone()),
            (gone.clone(), vec![])
        ]
    );
    // Without the raw observation: everything else.
    let mut lean = Vec::new();
    store.for_each_page(sr, false, &mut |p, e| lean.push((p, e)))?;
    let mut no_raw = article.clone();
    no_raw.raw = None;
    assert_eq!(lean[0], (no_raw, article_links.clone()));
    let v = store
        .validators("xian", &article.url)?
        .ok_or("validators")?;
    assert_eq!((&v.page, &v.edges), (&article, &article_links));

    // The next scan of the unchanged page adds a page row and no body.
    let run2 = store.begin_run(at("2026-11-03T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr2 = store.begin_site(run2, &site("xian"))?;
    let mut again = article.clone();
    again.fetched_at = "2026-11-03T10:00:00+08:00".into();
    store.save_page(sr2, &again, &article_links)?;
    assert_eq!(count(&store, "page_bodies")?, 2);
    assert_eq!(store.resume_state(sr2)?.pages, vec![again]);
    Ok(())
}

#[test]
fn a_corrupt_page_body_is_an_error_naming_what_is_corrupt() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut store = Store::open(&path)?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    store.save_page(
        sr,
        &page("https://xian.gov.cn/", 0),
        &[edge("https://xian.gov.cn/a", "甲")],
    )?;
    // A frame that claims more than a body may hold (refused before allocating), one that
    // is no JSON body, a frame cut short, bytes that are no frame.
    let huge = zstd::bulk::compress(&vec![b' '; 70 << 20], 1)?;
    let not_a_body = zstd::bulk::compress(b"[1, 2, 3]", 3)?;
    for (bad, says) in [
        (huge, "claims"),
        (not_a_body, "page body"),
        (vec![0x28, 0xB5, 0x2F, 0xFD, 0x23, 0, 0], ""),
        (vec![1, 2], ""),
    ] {
        store
            .conn
            .execute("UPDATE page_bodies SET body = ?1", params![bad])?;
        let err = store.resume_state(sr).expect_err("a corrupt body");
        assert!(matches!(err, StoreError::Data { .. }), "{err}");
        assert!(err.to_string().contains(says), "{says}: {err}");
        let err = store
            .for_each_page(sr, false, &mut |_, _| {})
            .expect_err("a corrupt body");
        assert!(err.to_string().contains(says), "{says}: {err}");
    }
    // An empty status (a 2xx answer) without its HTTP status.
    let sr2 = store.begin_site(run, &site("yanta"))?;
    store.save_page(sr2, &page("https://yanta.gov.cn/", 0), &[])?;
    store.conn.execute(
        "UPDATE pages SET status = '', http_status = NULL WHERE site_run = ?1",
        params![sr2.0],
    )?;
    let err = store
        .resume_state(sr2)
        .expect_err("a status without its code");
    assert!(err.to_string().contains("HTTP status"), "{err}");
    Ok(())
}

// ---- streamed reads ----

/// More rows than one chunk of a PostgreSQL cursor, in a scratch table.
const STREAM_ROWS: i64 = 2 * db::PG_FETCH_ROWS as i64 + 234;

fn stream_table(store: &Store) -> TestResult {
    store.conn.execute_batch(&format!(
        "CREATE TABLE stream_probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {STREAM_ROWS}) \
         INSERT INTO stream_probe (id, v) SELECT i, 'row ' || i FROM n"
    ))?;
    Ok(())
}

/// Cursors left open on the connection (PostgreSQL; SQLite has none).
fn open_cursors(store: &Store) -> std::result::Result<i64, DbError> {
    if store.conn.dialect() == dialect::Dialect::Sqlite {
        return Ok(0);
    }
    // (Every portal is listed, the one of this query too.)
    store.conn.query_row(
        "SELECT COUNT(*) FROM pg_cursors WHERE name LIKE 'govscan_c%'",
        params![],
        |r| r.get(0),
    )
}

fn for_each_visits_every_row_in_order_across_chunks(b: &Backend) -> TestResult {
    let store = b.open()?;
    stream_table(&store)?;
    let sql = "SELECT id, v FROM stream_probe WHERE id > ?1 ORDER BY id";
    // Outside a transaction and inside one; the parameter reaches the cursor's query.
    for (after, in_tx) in [(0i64, false), (10, true)] {
        let tx = if in_tx {
            Some(store.conn.transaction()?)
        } else {
            None
        };
        let mut seen = Vec::new();
        store
            .conn
            .prepare_cached(sql)?
            .for_each(params![after], |r| {
                let (id, v): (i64, String) = (r.get(0)?, r.get(1)?);
                assert_eq!(v, format!("row {id}"));
                if seen.is_empty() && store.conn.dialect() == dialect::Dialect::Postgres {
                    // Read from a cursor, not all at once.
                    assert_eq!(open_cursors(&store)?, 1);
                }
                seen.push(id);
                Ok(())
            })?;
        assert_eq!(seen, (after + 1..=STREAM_ROWS).collect::<Vec<_>>());
        if let Some(tx) = tx {
            tx.commit()?;
        }
        assert_eq!(open_cursors(&store)?, 0);
    }
    // No rows at all.
    let mut n = 0;
    store
        .conn
        .prepare_cached(sql)?
        .for_each(params![STREAM_ROWS], |_| {
            n += 1;
            Ok(())
        })?;
    assert_eq!(n, 0);
    Ok(())
}

fn a_failing_visitor_stops_and_closes_the_cursor(b: &Backend) -> TestResult {
    let store = b.open()?;
    stream_table(&store)?;
    let sql = "SELECT id FROM stream_probe ORDER BY id";
    let stop_at = db::PG_FETCH_ROWS as i64 + 7;
    let mut last = 0;
    let err = store
        .conn
        .prepare_cached(sql)?
        .for_each(params![], |r| {
            last = r.get::<i64>(0)?;
            if last == stop_at {
                return Err(DbError::Encode("the visitor gives up".into()));
            }
            Ok(())
        })
        .expect_err("the visitor's error");
    assert!(err.to_string().contains("gives up"), "{err}");
    assert_eq!(last, stop_at);
    assert_eq!(open_cursors(&store)?, 0);
    let n: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM stream_probe", params![], |r| r.get(0))?;
    assert_eq!(n, STREAM_ROWS);

    // A visitor whose statement fails inside the caller's transaction (on PostgreSQL this
    // aborts the transaction, so the cursor cannot be closed until it is rolled back).
    {
        let tx = store.conn.transaction()?;
        let err = tx
            .prepare_cached(sql)?
            .for_each(params![], |_| {
                tx.execute("SELECT * FROM no_such_table", params![])?;
                Ok(())
            })
            .expect_err("the visitor's failed statement");
        assert!(err.to_string().contains("no_such_table"), "{err}");
    }
    // The same read again on the same connection: every row.
    let mut seen = 0;
    store.conn.prepare_cached(sql)?.for_each(params![], |_| {
        seen += 1;
        Ok(())
    })?;
    assert_eq!(seen, STREAM_ROWS);
    assert_eq!(open_cursors(&store)?, 0);
    Ok(())
}

fn a_visitor_may_query_the_same_connection_between_rows(b: &Backend) -> TestResult {
    let store = b.open()?;
    stream_table(&store)?;
    store
        .conn
        .execute_batch("CREATE TABLE stream_log (id INTEGER NOT NULL)")?;
    let mut seen = 0i64;
    store
        .conn
        .prepare_cached("SELECT id, v FROM stream_probe ORDER BY id")?
        .for_each(params![], |r| {
            let id: i64 = r.get(0)?;
            let v: String = store.conn.query_row(
                "SELECT v FROM stream_probe WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )?;
            assert_eq!(v, r.get::<String>(1)?);
            if id % 400 == 0 {
                // A nested streamed read, and a write.
                let mut inner = Vec::new();
                store
                    .conn
                    .prepare_cached("SELECT id FROM stream_probe WHERE id <= ?1 ORDER BY id DESC")?
                    .for_each(params![3], |r| {
                        inner.push(r.get::<i64>(0)?);
                        Ok(())
                    })?;
                assert_eq!(inner, [3, 2, 1]);
                store
                    .conn
                    .execute("INSERT INTO stream_log (id) VALUES (?1)", params![id])?;
            }
            seen += 1;
            Ok(())
        })?;
    assert_eq!(seen, STREAM_ROWS);
    assert_eq!(open_cursors(&store)?, 0);
    let logged: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM stream_log", params![], |r| r.get(0))?;
    assert_eq!(logged, STREAM_ROWS / 400);
    Ok(())
}

#[test]
fn page_by_page_reads_walk_an_index_in_order() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&db(&dir))?;
    let conn = store.conn.sqlite().expect("an SQLite store");
    // Many site runs' rows, with statistics, as a store that has scanned for a while.
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF; \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
         INSERT INTO pages (site_run, url, final_url, depth, status, fetched_at, elapsed_ms, \
         bytes, truncated, links_found) SELECT i % 50 + 1, 'u' || i, 'u', 0, 's', 't', 0, 0, 0, 0 FROM n; \
         ANALYZE;",
    )?;
    for sql in [
        format!(
            "SELECT {} {} WHERE p.site_run = ?1 ORDER BY p.id",
            super::pages::page_select(true),
            super::pages::PAGE_FROM
        ),
        "SELECT url FROM pages WHERE site_run = ?1 ORDER BY id".to_string(),
        "SELECT url FROM links WHERE site_run = ?1 ORDER BY id".to_string(),
    ] {
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let plan = st
            .query_map([1], |r| r.get::<_, String>(3))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .join("; ");
        assert!(plan.contains("_site_run_id (site_run=?)"), "{sql}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
    }
    Ok(())
}

#[test]
fn old_lz4_and_plain_zstd_rows_are_read_beside_dictionary_ones() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = db(&dir);
    let mut store = Store::open(&path)?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let codec = SiteCodec::new("xian", None);
    // Rows as version 13 wrote them (the raw observation and the link list apart, plain
    // zstd, then with the site's dictionary), then rows of version 14 (page bodies).
    let pages: Vec<_> = (0..60).map(framed_page).collect();
    save_v13(&mut store, sr, Some(&codec), &pages[..50])?;
    save_coded(&mut store, sr, &codec, &pages[50..])?;
    // Rows as version 11 wrote them: the first page's raw observation and links in LZ4.
    let (first, edges) = &pages[0];
    let raw_json = serde_json::to_vec(first.raw.as_deref().ok_or("raw")?)?;
    let links: Vec<(&str, &str, LinkElement)> = edges
        .iter()
        .map(|e| (e.to.as_str(), e.text.as_str(), e.element))
        .collect();
    let links_json = serde_json::to_vec(&links)?;
    let c = raw(&path);
    c.execute(
        "UPDATE page_raws SET raw = ?1 WHERE id = (SELECT raw_id FROM pages WHERE url = ?2)",
        rusqlite::params![lz4_flex::compress_prepend_size(&raw_json), first.url],
    )?;
    c.execute(
        "UPDATE link_lists SET links = ?1 WHERE id = (SELECT links_id FROM pages WHERE url = ?2)",
        rusqlite::params![lz4_flex::compress_prepend_size(&links_json), first.url],
    )?;
    drop(c);
    let state = store.resume_state(sr)?;
    assert_eq!(state.pages.len(), pages.len());
    for ((want, edges), got) in pages.iter().zip(&state.pages) {
        assert_eq!(got, want, "{}", want.url);
        assert_eq!(state.edges.get(&want.url), Some(edges), "{}", want.url);
    }
    let (v13, v14): (i64, i64) = store.conn.query_row(
        "SELECT COUNT(raw_id), COUNT(body_id) FROM pages",
        params![],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!((v13, v14), (50, 10));
    Ok(())
}

fn raw_conn_update(path: &Path, sql: &str) -> TestResult {
    raw(path).execute(sql, [])?;
    Ok(())
}

fn an_outbound_targets_sample_is_stored_and_read_back(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &["xian".into()])?;
    let sr = store.begin_site(run, &site("xian"))?;
    let mut sampled = link(
        "http://casino.example/",
        LinkStatus::Ok { status: 200 },
        true,
    );
    sampled.internal = false;
    sampled.target = Some(crate::crawl::TargetSample {
        title: Some("澳门新葡京".into()),
        text: "真人荷官 百家乐".into(),
        text_cut: true,
        nxdomain: false,
    });
    let mut gone = link(
        "http://gone.example/",
        LinkStatus::Dns {
            message: "no address".into(),
        },
        false,
    );
    gone.target = Some(crate::crawl::TargetSample {
        nxdomain: true,
        ..Default::default()
    });
    let plain = link(
        "https://xian.gov.cn/a.html",
        LinkStatus::Ok { status: 200 },
        false,
    );
    for l in [&sampled, &gone, &plain] {
        store.save_link(sr, l)?;
    }
    let state = store.resume_state(sr)?;
    let by_url = |u: &str| state.links.iter().find(|l| l.url == u).cloned();
    assert_eq!(
        by_url("http://casino.example/").and_then(|l| l.target),
        sampled.target
    );
    assert_eq!(
        by_url("http://gone.example/").and_then(|l| l.target),
        gone.target
    );
    assert_eq!(
        by_url("https://xian.gov.cn/a.html").and_then(|l| l.target),
        None
    );
    // The streamed reads of a judgement from the store see the same.
    let links = store.link_results(sr)?;
    assert_eq!(links.len(), 3);
    assert_eq!(links[0].target, sampled.target);
    let mut seen = 0;
    store.for_each_page(sr, true, &mut |_, _| seen += 1)?;
    assert_eq!(seen, 0);
    assert!(store.page_urls(sr)?.is_empty());
    Ok(())
}
// ---- many workers: claims and shared request slots ----

fn sites_are_claimed_once_and_a_stopped_workers_are_taken_over(b: &Backend) -> TestResult {
    let mut store = b.open()?;
    let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let run = store.begin_run(at("2026-11-02T09:00:00+08:00"), "c", "r", &names)?;
    store.queue_sites(run, &names)?;
    assert!(store.has_queue(run)?);
    assert_eq!(store.unfinished_queued_run()?.map(|r| r.id), Some(run));
    // Hosts other than this one: their liveness is their heartbeat alone.
    let (w1, w2, w3) = ("elsewhere-1:11", "elsewhere-2:22", "elsewhere-3:33");
    let claim = |s: &mut Store, w: &str, skip: &[String]| s.claim_site(run, w, skip);
    assert_eq!(
        claim(&mut store, w1, &[])?.map(|c| c.site).as_deref(),
        Some("a")
    );
    assert_eq!(
        claim(&mut store, w2, &[])?.map(|c| c.site).as_deref(),
        Some("b")
    );
    assert_eq!(
        claim(&mut store, w1, &[])?.map(|c| c.site).as_deref(),
        Some("c")
    );
    assert_eq!(
        claim(&mut store, w2, &[])?,
        None,
        "every site claimed by a live worker"
    );
    assert_eq!(
        store.queue_state(run)?,
        QueueState {
            todo: 0,
            claimed: 3,
            done: 0
        }
    );
    // w1 stops beating; w2 goes on.
    store.conn.execute(
        "UPDATE run_sites SET heartbeat = ?2 WHERE worker = ?1",
        params![w1, "2026-01-01T00:00:00+08:00"],
    )?;
    assert_eq!(store.beat_claims(run, w2)?, 1);
    let taken = claim(&mut store, w3, &[])?.ok_or("a stale claim is taken over")?;
    assert_eq!(taken.site, "a");
    assert_eq!(taken.taken_from.as_deref(), Some(w1));
    let taken = claim(&mut store, w3, &[String::from("c")])?;
    assert_eq!(taken, None, "the skipped site is left");
    assert_eq!(
        claim(&mut store, w3, &[])?.map(|c| c.site).as_deref(),
        Some("c")
    );
    assert!(!store.finish_run_if_complete(run)?);
    for site in ["a", "b"] {
        store.complete_claim(run, site)?;
    }
    store.release_claim(run, "c", w3)?;
    assert_eq!(store.queue_state(run)?.todo, 1);
    assert_eq!(
        claim(&mut store, w2, &[])?.map(|c| c.site).as_deref(),
        Some("c")
    );
    store.complete_claim(run, "c")?;
    assert_eq!(
        store.finish_run_when_complete(run)?,
        crate::store::Completion::FinishedHere
    );
    // Whoever looks next finds it finished, and did not finish it.
    assert_eq!(
        b.open()?.finish_run_when_complete(run)?,
        crate::store::Completion::FinishedBefore
    );
    assert!(store.finish_run_if_complete(run)?);
    assert!(store.unfinished_run()?.is_none());
    assert!(store.unfinished_queued_run()?.is_none());
    Ok(())
}

fn reviews_are_kept_one_per_finding_and_the_latest_wins(b: &Backend) -> TestResult {
    use crate::finding::{Decision, Review};
    let mut store = b.open()?;
    let review = |site: &str, target: &str, decision, by: &str| Review {
        site: site.into(),
        rule: "wording.serious".into(),
        target: target.into(),
        decision,
        reviewer: Some(by.into()),
        note: None,
        at: "2026-11-30T10:00:00+08:00".into(),
    };
    store.save_review(&review(
        "xian",
        "http://xian/1",
        Decision::Confirmed,
        "张三",
    ))?;
    store.save_review(&review(
        "xian",
        "http://xian/2",
        Decision::Dismissed,
        "张三",
    ))?;
    store.save_review(&review("shi", "http://shi/1", Decision::Dismissed, "李四"))?;
    store.save_review(&review(
        "xian",
        "http://xian/1",
        Decision::Dismissed,
        "王五",
    ))?;
    let xian = store.reviews(Some("xian"))?;
    assert_eq!(xian.len(), 2);
    assert_eq!(xian[0].target, "http://xian/1");
    assert_eq!(
        (xian[0].decision, xian[0].reviewer.as_deref()),
        (Decision::Dismissed, Some("王五")),
        "the latest decision replaces the earlier one"
    );
    assert_eq!(store.reviews(None)?.len(), 3);
    assert!(store.reviews(Some("nowhere"))?.is_empty());
    Ok(())
}

fn origin_slots_are_leased_in_turn(b: &Backend) -> TestResult {
    let mut one = b.open()?;
    let mut two = b.open()?;
    let period = Duration::from_millis(400);
    let origin = "http://xian.gov.cn:80";
    let first = one.lease_origin_slot(origin, period)?;
    let second = two.lease_origin_slot(origin, period)?;
    let third = one.lease_origin_slot(origin, period)?;
    assert!(first < Duration::from_millis(50), "{first:?}");
    // Each next slot starts a period after the one before, whoever leased it.
    assert!(
        second > Duration::from_millis(250) && second <= period,
        "{second:?}"
    );
    assert!(
        third > Duration::from_millis(650) && third <= period * 2,
        "{third:?}"
    );
    // Another origin is free at once.
    assert!(two.lease_origin_slot("https://other.gov.cn:443", period)? < Duration::from_millis(50));
    Ok(())
}

// ---- the same tests on both backends ----

/// A store for a test: a file in a temporary folder, or a schema of its own in the PostgreSQL
/// database named by `GOVSCAN_TEST_PG_URL` (dropped at the end).
pub(crate) struct Backend {
    location: Location,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

/// The variable naming the PostgreSQL database the tests may use (`.ci/run` starts one).
pub(crate) const TEST_PG_URL: &str = "GOVSCAN_TEST_PG_URL";

impl Backend {
    pub(crate) fn sqlite() -> std::result::Result<Backend, Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        Ok(Backend {
            location: Location::Sqlite(db(&dir)),
            _dir: Some(dir),
            schema: None,
        })
    }

    /// A fresh schema in the test database; `None` (saying why) without one.
    pub(crate) fn postgres(
        test: &str,
    ) -> std::result::Result<Option<Backend>, Box<dyn std::error::Error>> {
        let Some(url) = std::env::var(TEST_PG_URL).ok().filter(|u| !u.is_empty()) else {
            eprintln!("skipped: {test} on PostgreSQL: {TEST_PG_URL} is not set (.ci/run starts a cluster and sets it)");
            return Ok(None);
        };
        let (url, schema) = pg_test_schema(&url)?;
        Ok(Some(Backend {
            location: Location::Postgres(url.clone()),
            _dir: None,
            schema: Some((url, schema)),
        }))
    }

    /// A new connection to the test's store.
    pub(crate) fn open(&self) -> std::result::Result<Store, StoreError> {
        Store::open_location(&self.location)
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.schema {
            if let Ok(mut c) = ::postgres::Client::connect(url, ::postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// Create a schema of its own for a test in the database at `url`; returns the URL whose
/// connections use it (`search_path`) and its name.
pub(crate) fn pg_test_schema(
    url: &str,
) -> std::result::Result<(String, String), Box<dyn std::error::Error>> {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .subsec_nanos();
    let schema = format!("t{}_{n}_{nanos}", std::process::id());
    let mut c = ::postgres::Client::connect(url, ::postgres::NoTls)?;
    c.batch_execute(&format!("CREATE SCHEMA {schema}"))?;
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok((
        format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        schema,
    ))
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() -> super::TestResult {
                    super::$name(&super::Backend::sqlite()?)
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() -> super::TestResult {
                    match super::Backend::postgres(stringify!($name))? {
                        Some(b) => super::$name(&b),
                        None => Ok(()),
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    reviews_are_kept_one_per_finding_and_the_latest_wins,
    an_outbound_targets_sample_is_stored_and_read_back,
    sites_are_claimed_once_and_a_stopped_workers_are_taken_over,
    origin_slots_are_leased_in_turn,
    a_full_scan_round_trips,
    new_persisting_and_fixed_over_three_runs,
    a_reappearing_finding_counts_as_new_in_the_diff_and_persisting_in_the_history,
    resume_state_returns_exactly_what_was_saved,
    begin_site_again_resumes_the_same_site_run,
    a_normdoc_library_is_kept_once_per_site_run_and_replaced,
    unknown_ids_give_not_found,
    validators_come_from_the_latest_copy_that_has_them,
    probes_and_the_ipv6_summary_round_trip,
    an_unchanged_pages_link_list_is_stored_once_across_scans,
    a_run_knows_whether_its_owner_is_still_writing_it,
    a_store_can_be_moved_to_a_writer_thread,
    pages_compressed_with_the_sites_dictionary_round_trip,
    a_corrupt_frame_compressed_with_a_dictionary_is_a_clear_error,
    a_pages_body_holds_its_observation_links_title_and_facts_and_is_shared,
    for_each_visits_every_row_in_order_across_chunks,
    a_failing_visitor_stops_and_closes_the_cursor,
    a_visitor_may_query_the_same_connection_between_rows,
);
