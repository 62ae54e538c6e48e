//! The daily scan (日扫描): every configured site at once, every result written to the store
//! as it arrives (by one writer thread, batching many pages per transaction), conditional
//! requests from the stored validators, `--resume` of a killed scan, and the per-site summary
//! with the findings that are new, persisting and fixed since the site's previous scan. Also
//! `findings` and `history`, which read the store.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, FixedOffset};

use super::{exit, Failure};
use crate::checks;
use crate::config::{Config, SiteConfig};
use crate::crawl::{
    CrawlRules, CrawlStats, Crawler, LinkFact, Observer, PageRecord, PreviousPage, PreviousPages,
    Progress, SiteSeed,
};
use crate::extract::RawLink;
use crate::report::fmt_points;
use crate::rules::RuleSet;
use crate::store::{
    FindingDiff, FindingFilter, FindingStatus, LinkRow, PageRow, RunId, SiteRunId, SiteRunStatus,
    Store, StoreError, HEARTBEAT_EVERY,
};

/// What the scan command was asked.
pub struct ScanRequest<'a> {
    pub config: Config,
    pub rules: RuleSet,
    pub sites: Vec<String>,
    pub as_of: Option<DateTime<FixedOffset>>,
    pub resume: bool,
    /// Print the per-site summary to this writer (stdout in the CLI).
    pub out: &'a mut dyn std::io::Write,
}

/// One site's result, as the summary shows it.
#[derive(Debug, Clone)]
pub struct SiteSummary {
    pub site: String,
    pub stats: CrawlStats,
    pub score: f64,
    pub verdict: String,
    pub error: Option<String>,
    pub new: usize,
    pub persisting: usize,
    pub fixed: usize,
    pub duration: Duration,
}

/// Messages to the writer thread.
enum Msg {
    /// Pages and link results come encoded by the crawl's workers; the writer only inserts.
    Page(SiteRunId, Box<PageRow>),
    Link(SiteRunId, Box<LinkRow>),
    Links(SiteRunId, Vec<LinkFact>),
    Ipv6(SiteRunId, Box<crate::store::Ipv6Summary>),
    Finish(
        Box<FinishSite>,
        mpsc::Sender<Result<FindingDiff, StoreError>>,
    ),
    Fail(SiteRunId, String),
}

struct FinishSite {
    site_run: SiteRunId,
    stats: CrawlStats,
    findings: Vec<checks::Finding>,
    score: f64,
    verdict: String,
    detail: serde_json::Value,
}

/// The first store error of a scan; after it nothing more is written.
#[derive(Clone, Default)]
struct FirstError(Arc<Mutex<Option<StoreError>>>);

impl FirstError {
    fn failed(&self) -> bool {
        self.0.lock().map(|e| e.is_some()).unwrap_or(true)
    }

    fn record(&self, e: StoreError) {
        tracing::error!(error = %e, "store write failed");
        if let Ok(mut slot) = self.0.lock() {
            slot.get_or_insert(e);
        }
    }

    fn take(&self) -> Option<StoreError> {
        self.0.lock().ok().and_then(|mut e| e.take())
    }
}

/// The writer thread: owns the store connection, writes messages in batches (one transaction
/// per batch), keeps the first error and stops writing after it.
fn writer(
    mut store: Store,
    run: RunId,
    rx: mpsc::Receiver<Msg>,
    error: FirstError,
) -> (Store, WriterStats) {
    let mut stats = WriterStats::default();
    let mut next_beat = Instant::now() + HEARTBEAT_EVERY;
    loop {
        // The run's heartbeat, so that no other process takes it over for `--resume` while
        // this one is writing it (even while no page arrives for a while).
        if Instant::now() >= next_beat {
            if !error.failed() {
                if let Err(e) = store.heartbeat(run) {
                    tracing::warn!(error = %e, "the run's heartbeat was not recorded");
                }
            }
            next_beat = Instant::now() + HEARTBEAT_EVERY;
        }
        let first = match rx.recv_timeout(next_beat.saturating_duration_since(Instant::now())) {
            Ok(m) => m,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        // Under load, gather what keeps arriving for up to the commit interval (or a full
        // batch): one transaction per interval instead of one per trickle of messages, so the
        // B-tree's inner pages go to the WAL once per interval, not once per page. When
        // messages stop coming for a moment, commit at once: a light scan then writes each
        // page as soon as it is finished.
        let deadline = Instant::now() + COMMIT_INTERVAL;
        let mut batch = vec![first];
        while batch.len() < BATCH && !matches!(batch.last(), Some(Msg::Finish(..))) {
            // A site's finish is answered at once: its task waits for the reply.
            let wait = deadline
                .saturating_duration_since(Instant::now())
                .min(QUIET);
            match rx.recv_timeout(wait) {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        let started = Instant::now();
        // Pages and links go in one transaction; a finish or failure is written after the
        // rows before it, in order.
        let mut rows: Vec<Msg> = Vec::new();
        for msg in batch {
            match msg {
                Msg::Page(..) | Msg::Link(..) | Msg::Links(..) => rows.push(msg),
                Msg::Ipv6(site_run, summary) => {
                    flush(&mut store, &mut rows, &error, &mut stats);
                    if !error.failed() {
                        if let Err(e) = store.save_site_ipv6(site_run, &summary) {
                            error.record(e);
                        }
                    }
                }
                Msg::Finish(f, reply) => {
                    flush(&mut store, &mut rows, &error, &mut stats);
                    let result = if error.failed() {
                        Err(StoreError::Other {
                            action: "finish the site in".into(),
                            file: store.path().display().to_string(),
                            message: "an earlier write to the store failed".into(),
                        })
                    } else {
                        store.finish_site(
                            f.site_run,
                            &f.stats,
                            &f.findings,
                            f.score,
                            &f.verdict,
                            &f.detail,
                        )
                    };
                    let _ = reply.send(result);
                }
                Msg::Fail(site_run, why) => {
                    flush(&mut store, &mut rows, &error, &mut stats);
                    if !error.failed() {
                        if let Err(e) = store.mark_site_failed(site_run, &why) {
                            error.record(e);
                        }
                    }
                }
            }
        }
        flush(&mut store, &mut rows, &error, &mut stats);
        stats.busy += started.elapsed();
    }
    (store, stats)
}

/// Messages written per transaction at most.
const BATCH: usize = 2000;
/// How long the writer gathers messages under load before it commits them. A scan killed
/// under load loses at most about this much finished work (fetched again on `--resume`).
const COMMIT_INTERVAL: Duration = Duration::from_millis(250);

/// A gap between messages this long ends the gathering: the crawl is not busy.
const QUIET: Duration = Duration::from_millis(10);

/// What the store writer did during a scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriterStats {
    /// Time spent writing (the writer runs on its own thread beside the crawl).
    pub busy: Duration,
    /// Write transactions committed.
    pub transactions: usize,
}

fn flush(store: &mut Store, rows: &mut Vec<Msg>, error: &FirstError, stats: &mut WriterStats) {
    if rows.is_empty() || error.failed() {
        rows.clear();
        return;
    }
    stats.transactions += 1;
    let taken = std::mem::take(rows);
    let result = store.write(|b| {
        for m in &taken {
            match m {
                Msg::Page(sr, row) => b.save_page_row(*sr, row)?,
                Msg::Link(sr, row) => b.save_link_row(*sr, row)?,
                Msg::Links(sr, links) => {
                    for l in links {
                        b.save_link(*sr, l)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        error.record(e);
    }
}

/// Sends what the crawl produces to the writer, and drives the progress bars.
struct ScanObserver {
    /// `Sender` is `Sync`: every crawl worker sends without a lock.
    tx: mpsc::Sender<Msg>,
    site_runs: HashMap<String, SiteRunId>,
    error: FirstError,
    bars: Option<Bars>,
}

struct Bars {
    multi: indicatif::MultiProgress,
    sites: Mutex<HashMap<String, indicatif::ProgressBar>>,
    total: indicatif::ProgressBar,
}

impl ScanObserver {
    fn send(&self, m: Msg) {
        // The writer only goes away after the scan; a send error cannot lose data that
        // matters then.
        let _ = self.tx.send(m);
    }
}

impl Observer for ScanObserver {
    fn page(&self, site: &str, page: &PageRecord, links: &[RawLink]) {
        let Some(sr) = self.site_runs.get(site) else {
            return;
        };
        let links = links
            .iter()
            .map(|l| (l.target_str(), l.text.as_str(), l.element));
        match PageRow::encode(page, links) {
            Ok(row) => self.send(Msg::Page(*sr, Box::new(row))),
            Err(e) => self.error.record(e),
        }
    }

    fn link(&self, site: &str, link: &LinkFact) {
        let Some(sr) = self.site_runs.get(site) else {
            return;
        };
        match LinkRow::encode(link) {
            Ok(row) => self.send(Msg::Link(*sr, Box::new(row))),
            Err(e) => self.error.record(e),
        }
    }

    fn progress(&self, site: &str, p: Progress) {
        let Some(bars) = &self.bars else { return };
        let Ok(mut map) = bars.sites.lock() else {
            return;
        };
        if p.done {
            if let Some(b) = map.remove(site) {
                b.finish_and_clear();
                bars.multi.remove(&b);
            }
            bars.total.inc(1);
            return;
        }
        let bar = map.entry(site.to_string()).or_insert_with(|| {
            let b = bars
                .multi
                .insert_before(&bars.total, indicatif::ProgressBar::new_spinner());
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{spinner} {prefix:20} [{elapsed}] {msg}")
            {
                b.set_style(style);
            }
            b.set_prefix(site.to_string());
            b.enable_steady_tick(Duration::from_millis(150));
            b
        });
        bar.set_message(format!(
            "页面 {} · 队列 {} · 链接 {} · 错误 {}",
            p.pages, p.queued, p.checked, p.errors
        ));
    }
}

/// Earlier copies of pages from the store, read through their own connection (WAL lets it
/// read while the writer writes). The validators of each site are loaded once, before its
/// crawl; a stored page is read only when the server answers 304.
struct StorePrevious {
    store: Mutex<Store>,
    validators: HashMap<String, crate::store::ValidatorIndex>,
}

impl PreviousPages for StorePrevious {
    fn validators(&self, site: &str, url: &str) -> Option<(Option<String>, Option<String>)> {
        self.validators.get(site)?.get(url).cloned()
    }

    fn get(&self, site: &str, url: &str) -> Option<PreviousPage> {
        let store = self.store.lock().ok()?;
        match store.validators(site, url) {
            Ok(Some(v)) => Some(PreviousPage {
                etag: v.etag,
                last_modified: v.last_modified,
                page: v.page,
                links: v.edges,
            }),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a stored page; fetching in full");
                None
            }
        }
    }
}

fn store_failure(e: StoreError) -> Failure {
    Failure::failed(e)
}

/// Open the store named by the configuration.
pub fn open_store(config: &Config) -> Result<Store, Failure> {
    Store::open(&config.store.path).map_err(store_failure)
}

fn fingerprint_config(config: &Config) -> String {
    let json = serde_json::to_string(config).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(json.as_bytes()))
}

/// What a scan did.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// Exit status.
    pub status: i32,
    /// One summary per site scanned.
    pub sites: Vec<SiteSummary>,
    /// What the store writer did.
    pub writer: WriterStats,
}

/// Run the daily scan.
pub async fn scan(req: ScanRequest<'_>) -> Result<ScanOutcome, Failure> {
    let ScanRequest {
        mut config,
        rules,
        sites: wanted,
        as_of,
        resume,
        out,
    } = req;
    for name in &wanted {
        if !config.sites.iter().any(|s| &s.name == name) {
            return Err(Failure::usage(format!(
                "no site named `{name}` in the configuration"
            )));
        }
    }
    let mut store = open_store(&config)?;
    // Which run, which sites, which as-of.
    let (run, as_of, sites): (RunId, DateTime<FixedOffset>, Vec<SiteConfig>) = if resume {
        let Some(info) = store.unfinished_run().map_err(store_failure)? else {
            writeln!(out, "nothing to resume: the last scan finished").ok();
            return Ok(ScanOutcome {
                status: exit::OK,
                sites: Vec::new(),
                writer: WriterStats::default(),
            });
        };
        if info.owner_alive(crate::asof::now()) {
            // Another live process (this morning's scan still running, or a second worker on
            // the same store) is writing it: taking it over would crawl its sites twice.
            writeln!(
                out,
                "nothing to resume: run {} is still being written by {} (last heartbeat {})",
                info.id,
                info.owner.as_deref().unwrap_or("another process"),
                info.heartbeat
                    .map(|h| h.to_rfc3339())
                    .unwrap_or_else(|| "unknown".into())
            )
            .ok();
            return Ok(ScanOutcome {
                status: exit::OK,
                sites: Vec::new(),
                writer: WriterStats::default(),
            });
        }
        // Ours now.
        store.heartbeat(info.id).map_err(store_failure)?;
        let sites = config
            .sites
            .iter()
            .filter(|s| info.sites.contains(&s.name))
            .cloned()
            .collect();
        (info.id, info.as_of, sites)
    } else {
        let as_of = as_of.unwrap_or_else(crate::asof::now);
        let sites: Vec<SiteConfig> = if wanted.is_empty() {
            config.sites.clone()
        } else {
            config
                .sites
                .iter()
                .filter(|s| wanted.contains(&s.name))
                .cloned()
                .collect()
        };
        let names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
        let run = store
            .begin_run(
                as_of,
                &fingerprint_config(&config),
                rules.fingerprint(),
                &names,
            )
            .map_err(store_failure)?;
        (run, as_of, sites)
    };
    // Site runs: skip the sites a resumed run already finished; seed the others.
    let done: HashMap<String, SiteRunStatus> = store
        .site_runs(run)
        .map_err(store_failure)?
        .into_iter()
        .map(|s| (s.site, s.status))
        .collect();
    // A second connection reads while the writer writes (WAL): earlier copies of pages for
    // conditional requests, and the probes for the availability rules.
    let reader: Option<Arc<StorePrevious>> = match Store::open_read_only(&config.store.path) {
        Ok(s) => {
            let mut validators = HashMap::new();
            for site in &sites {
                match s.validator_index(&site.name) {
                    Ok(v) => {
                        validators.insert(site.name.clone(), v);
                    }
                    Err(e) => {
                        tracing::warn!(site = %site.name, error = %e, "no conditional requests")
                    }
                }
            }
            Some(Arc::new(StorePrevious {
                store: Mutex::new(s),
                validators,
            }))
        }
        Err(e) => {
            tracing::warn!(error = %e, "no conditional requests or availability this time");
            None
        }
    };
    let previous: Option<Arc<dyn PreviousPages>> =
        reader.clone().map(|r| r as Arc<dyn PreviousPages>);
    let mut todo: Vec<(SiteConfig, SiteRunId, SiteSeed)> = Vec::new();
    for site in sites {
        if done.get(&site.name) == Some(&SiteRunStatus::Done) {
            continue;
        }
        let sr = store.begin_site(run, &site).map_err(store_failure)?;
        let mut seed = SiteSeed {
            previous: previous.clone(),
            ..SiteSeed::default()
        };
        if resume {
            let state = store.resume_state(sr).map_err(store_failure)?;
            (seed.pages, seed.links) = state.pages_with_links();
        }
        todo.push((site, sr, seed));
    }
    // Every site must be known to the crawler (its hosts may live on private addresses).
    config.sites = todo.iter().map(|(s, _, _)| s.clone()).collect();
    let config = Arc::new(config);
    let error = FirstError::default();
    let (tx, rx) = mpsc::channel::<Msg>();
    let writer_error = error.clone();
    let writer_thread = std::thread::Builder::new()
        .name("govscan-store".into())
        .spawn(move || writer(store, run, rx, writer_error))
        .map_err(|e| Failure::failed(format!("cannot start the store writer: {e}")))?;
    let bars = if std::io::stderr().is_terminal() {
        let multi = indicatif::MultiProgress::new();
        let total = multi.add(indicatif::ProgressBar::new(todo.len() as u64));
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("  合计 [{elapsed}] {pos}/{len} 个站点完成")
        {
            total.set_style(style);
        }
        Some(Bars {
            multi,
            sites: Mutex::new(HashMap::new()),
            total,
        })
    } else {
        None
    };
    let observer = Arc::new(ScanObserver {
        tx: tx.clone(),
        error: error.clone(),
        site_runs: todo
            .iter()
            .map(|(s, sr, _)| (s.name.clone(), *sr))
            .collect(),
        bars,
    });
    let crawler = Crawler::new(
        config.clone(),
        CrawlRules::from_rules(&rules),
        observer.clone(),
        as_of.year(),
    )
    .map_err(Failure::failed)?;
    let crawler = Arc::new(crawler);
    let rules = Arc::new(rules);
    let mut handles = Vec::new();
    for (site, sr, seed) in todo {
        let crawler = crawler.clone();
        let rules = rules.clone();
        let tx = tx.clone();
        let reader = reader.clone();
        handles.push(tokio::spawn(async move {
            let started = Instant::now();
            tracing::info!(site = %site.name, "scan started");
            let facts = crawler.crawl_site_seeded(&site, seed).await;
            let (findings, ipv6) = super::judge_site(
                &crawler,
                &site,
                &facts,
                &rules,
                as_of,
                reader.as_ref().map(|r| &r.store),
            )
            .await;
            if let Some(summary) = ipv6 {
                let _ = tx.send(Msg::Ipv6(sr, Box::new(summary)));
            }
            let score = checks::score::score(&findings, &rules);
            // Each link was saved when its outcome became known; the pages that link to it
            // keep coming after that. Save the broken and blocked ones again with every
            // referrer now known (the others' referrers live in the pages' link lists).
            let failing: Vec<LinkFact> = facts
                .links
                .values()
                .filter(|l| l.outcome.status.is_broken() || l.outcome.status.is_blocked())
                .cloned()
                .collect();
            let _ = tx.send(Msg::Links(sr, failing));
            let mut summary = SiteSummary {
                site: site.name.clone(),
                stats: facts.stats.clone(),
                score: score.score,
                verdict: score.verdict.zh().to_string(),
                error: facts.error.clone(),
                new: 0,
                persisting: 0,
                fixed: 0,
                duration: started.elapsed(),
            };
            if let Some(err) = &facts.error {
                // A site that could not be crawled is recorded as failed: its findings of
                // today would make every earlier finding look fixed.
                let _ = tx.send(Msg::Fail(sr, err.clone()));
                tracing::warn!(site = %site.name, error = %err, "site failed");
                return summary;
            }
            let (reply_tx, reply_rx) = mpsc::channel();
            let finish = FinishSite {
                site_run: sr,
                stats: facts.stats.clone(),
                findings,
                score: score.score,
                verdict: score.verdict.zh().to_string(),
                detail: serde_json::to_value(&score).unwrap_or_default(),
            };
            let _ = tx.send(Msg::Finish(Box::new(finish), reply_tx));
            let diff = tokio::task::spawn_blocking(move || reply_rx.recv()).await;
            if let Ok(Ok(Ok(d))) = diff {
                summary.new = d.new.len();
                summary.persisting = d.persisting.len();
                summary.fixed = d.fixed.len();
            }
            tracing::info!(
                site = %site.name, pages = facts.stats.pages, broken = facts.stats.broken,
                new = summary.new, fixed = summary.fixed, score = summary.score, "scan finished"
            );
            summary
        }));
    }
    let mut summaries = Vec::new();
    for h in handles {
        match h.await {
            Ok(s) => summaries.push(s),
            Err(e) => tracing::error!(error = %e, "a site's scan task failed"),
        }
    }
    if let Some(b) = &observer.bars {
        b.total.finish_and_clear();
    }
    drop(observer);
    drop(crawler);
    drop(tx);
    let (mut store, writer) = writer_thread
        .join()
        .map_err(|_| Failure::failed("the store writer thread failed"))?;
    if let Some(e) = error.take() {
        return Err(store_failure(e));
    }
    store.finish_run(run).map_err(store_failure)?;
    if let Err(e) = store.checkpoint() {
        // Everything is committed; only the log's folding into the file is left for later.
        tracing::warn!(error = %e, "the store's write-ahead log was not checkpointed");
    }
    write_summary(out, run, as_of, &summaries);
    tracing::info!(busy = ?writer.busy, transactions = writer.transactions, "store writer finished");
    Ok(ScanOutcome {
        status: exit::OK,
        sites: summaries,
        writer,
    })
}

fn write_summary(
    out: &mut dyn std::io::Write,
    run: RunId,
    as_of: DateTime<FixedOffset>,
    s: &[SiteSummary],
) {
    let _ = writeln!(out, "日扫描 #{run} · 监测时间点 {}", as_of.to_rfc3339());
    let _ = writeln!(
        out,
        "{:<24} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>8}",
        "站点", "页面", "链接", "不可用", "被拦截", "新增", "持续", "整改", "得分", "结论", "用时"
    );
    for x in s {
        let _ = writeln!(
            out,
            "{:<24} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>7.1}s{}",
            x.site,
            x.stats.pages,
            x.stats.links,
            x.stats.broken,
            x.stats.blocked,
            x.new,
            x.persisting,
            x.fixed,
            fmt_points(x.score),
            x.verdict,
            x.duration.as_secs_f64(),
            x.error
                .as_ref()
                .map(|e| format!("  ！{e}"))
                .unwrap_or_default()
        );
    }
}

/// `govscan findings`: stored findings, filtered.
pub fn findings(
    config: &Config,
    filter: &FindingFilter,
    format: &str,
    out: &mut dyn std::io::Write,
) -> Result<i32, Failure> {
    let store = Store::open_read_only(&config.store.path).map_err(store_failure)?;
    let rows = store.findings(filter).map_err(store_failure)?;
    match format {
        "json" => {
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        }
        "csv" => {
            let mut w = csv::Writer::from_writer(out);
            let _ = w.write_record([
                "site",
                "status",
                "rule",
                "kind",
                "points",
                "url",
                "page",
                "message",
                "first_seen",
                "last_seen",
            ]);
            for r in &rows {
                let _ = w.write_record([
                    r.site.as_str(),
                    r.status.as_str(),
                    r.finding.rule.as_str(),
                    kind_str(r.finding.kind),
                    &fmt_points(r.finding.points),
                    r.finding.url.as_str(),
                    r.finding.page.as_deref().unwrap_or(""),
                    r.finding.message.as_str(),
                    &r.first_seen_at.to_rfc3339(),
                    &r.last_seen_at.to_rfc3339(),
                ]);
            }
            let _ = w.flush();
        }
        _ => {
            if rows.is_empty() {
                let _ = writeln!(out, "没有符合条件的问题。");
            }
            for r in &rows {
                let _ = writeln!(
                    out,
                    "[{}] {} {} {}：{}\n    {}（首次 {}，最近 {}）",
                    r.status.zh(),
                    r.site,
                    r.finding.rule,
                    r.finding.kind.zh(),
                    r.finding.message,
                    r.finding.url,
                    r.first_seen_at.date_naive(),
                    r.last_seen_at.date_naive()
                );
            }
        }
    }
    Ok(exit::OK)
}

fn kind_str(k: crate::rules::Kind) -> &'static str {
    match k {
        crate::rules::Kind::Veto => "veto",
        crate::rules::Kind::Deduct => "deduct",
        crate::rules::Kind::Notice => "notice",
    }
}

/// `govscan history SITE`: one line per scan.
pub fn history(
    config: &Config,
    site: &str,
    format: &str,
    out: &mut dyn std::io::Write,
) -> Result<i32, Failure> {
    if !Path::new(&config.store.path).exists() {
        return Err(Failure::failed(format!(
            "no store at {}",
            config.store.path.display()
        )));
    }
    let store = Store::open_read_only(&config.store.path).map_err(store_failure)?;
    let rows = store.history(site).map_err(store_failure)?;
    if format == "json" {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(exit::OK);
    }
    if rows.is_empty() {
        let _ = writeln!(out, "{site}：还没有扫描记录。");
    }
    let _ = writeln!(
        out,
        "{:<12} {:<6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} 结论",
        "日期", "状态", "页面", "链接", "不可用", "否决", "扣分", "提示", "得分"
    );
    for r in &rows {
        let _ = writeln!(
            out,
            "{:<12} {:<6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {}",
            r.as_of.date_naive().to_string(),
            r.status.as_str(),
            r.pages,
            r.links,
            r.broken,
            r.vetoes,
            r.deductions,
            r.notices,
            r.score.map(fmt_points).unwrap_or_else(|| "-".into()),
            r.verdict.clone().unwrap_or_else(|| "-".into())
        );
    }
    Ok(exit::OK)
}

/// Parse `--status`.
pub fn parse_status(s: &str) -> Result<FindingStatus, Failure> {
    FindingStatus::parse(s).ok_or_else(|| {
        Failure::usage(format!(
            "`{s}` is not a status: use new, persisting or fixed"
        ))
    })
}
