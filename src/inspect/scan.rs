//! The daily scan (日扫描): every configured site at once, every result written to the store
//! as it arrives (by one writer thread, batching many pages per transaction), conditional
//! requests from the stored validators, `--resume` of a killed scan, and the per-site summary
//! with the findings that are new, persisting and fixed since the site's previous scan.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, FixedOffset};

use super::InspectError;
use crate::checks;
use crate::config::{Config, SiteConfig};
use crate::crawl::{
    CrawlRules, CrawlStats, Crawler, LinkFact, Observer, PageRecord, PreviousPage, PreviousPages,
    Progress, SiteFacts, SiteSeed,
};
use crate::extract::RawLink;
use crate::finding::Verdict;
pub use crate::report::tables::{OtherSite, SiteSummary};
use crate::rules::{Kind, RuleSet};
use crate::store::{
    this_process, Claim, Completion, FindingDiff, LinkRow, PageRow, RunId, SiteCodec, SiteRunId,
    SiteRunStatus, Store, StoreError, HEARTBEAT_EVERY,
};

/// What the scan is asked.
pub struct ScanRequest {
    pub config: Config,
    pub rules: RuleSet,
    /// Only these sites (by name; default every configured site).
    pub sites: Vec<String>,
    pub as_of: Option<DateTime<FixedOffset>>,
    pub resume: bool,
    /// When another live process owns an unfinished run of the store: wait up to this long
    /// for it to finish (polling), instead of refusing at once.
    pub wait: Option<Duration>,
    /// Sees the crawl's progress (the command line's progress bars); `NoObserver` for none.
    pub progress: Arc<dyn Observer>,
    /// Join the latest unfinished run of a shared (PostgreSQL) store as one more worker,
    /// instead of beginning a run.
    pub worker: bool,
    /// On a shared store: how many sites this process scans at once (each claimed from the
    /// run's queue when a slot is free).
    pub sites_at_once: usize,
}

/// Messages to the writer thread.
enum Msg {
    /// Pages and link results come encoded by the crawl's workers; the writer only inserts.
    Page(SiteRunId, Box<PageRow>),
    Link(SiteRunId, Box<LinkRow>),
    Links(SiteRunId, Vec<LinkFact>),
    Ipv6(SiteRunId, Box<crate::facts::Ipv6Summary>),
    Finish(
        Box<FinishSite>,
        mpsc::Sender<Result<FindingDiff, StoreError>>,
    ),
    Fail(SiteRunId, String, Verdict),
    /// Everything sent before is committed: answered once it is (a site's crawl is read back
    /// from the store to be judged).
    Sync(mpsc::Sender<()>),
    /// A claimed site of a shared run is done (after its finish or failure is written).
    ClaimDone(RunId, String),
    /// An account read and judged, recorded in the run.
    Account(
        RunId,
        Box<super::accounts::InspectedAccount>,
        mpsc::Sender<Result<FindingDiff, StoreError>>,
    ),
}

struct FinishSite {
    site_run: SiteRunId,
    stats: CrawlStats,
    findings: Vec<checks::Finding>,
    score: f64,
    verdict: Verdict,
    detail: serde_json::Value,
    /// The 行政规范性文件 library as read now.
    normdoc: Option<crate::extract::normdoc::LibrarySnapshot>,
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

/// The writer thread's handle: it gives the store back with its figures.
type WriterThread = std::thread::JoinHandle<(Store, WriterStats)>;

/// Start the writer thread on `store`: the queue to it (bounded by [`QUEUED`]), its handle
/// and the first error it meets.
fn spawn_writer(
    store: Store,
    run: RunId,
) -> Result<(mpsc::SyncSender<Msg>, WriterThread, FirstError), InspectError> {
    let error = FirstError::default();
    let (tx, rx) = mpsc::sync_channel::<Msg>(QUEUED);
    let writer_error = error.clone();
    let thread = std::thread::Builder::new()
        .name("govscan-store".into())
        .spawn(move || writer(store, run, rx, writer_error))
        .map_err(|e| InspectError::Failed(format!("cannot start the store writer: {e}")))?;
    Ok((tx, thread, error))
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
                // A worker's claims on a shared store: renewed, or other workers take the
                // sites over.
                if store.is_shared() {
                    if let Err(e) = store.beat_claims(run, &this_process()) {
                        tracing::warn!(error = %e, "the claims' heartbeat was not recorded");
                    }
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
        while batch.len() < BATCH && !matches!(batch.last(), Some(Msg::Finish(..) | Msg::Sync(..)))
        {
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
                        store
                            .finish_site(
                                f.site_run,
                                &f.stats,
                                &f.findings,
                                f.score,
                                f.verdict,
                                &f.detail,
                            )
                            .and_then(|diff| match &f.normdoc {
                                Some(snap) => {
                                    store.save_normdoc_snapshot(f.site_run, snap).map(|()| diff)
                                }
                                None => Ok(diff),
                            })
                    };
                    let _ = reply.send(result);
                }
                Msg::Account(run, a, reply) => {
                    flush(&mut store, &mut rows, &error, &mut stats);
                    let result = if error.failed() {
                        Err(StoreError::Other {
                            action: "record an account in".into(),
                            file: store.path().display().to_string(),
                            message: "an earlier write to the store failed".into(),
                        })
                    } else {
                        let activity = a.judgement.activity.as_ref();
                        let window = a.judgement.window_days;
                        store.save_account(
                            run,
                            &crate::store::AccountScan {
                                facts: &a.facts,
                                verdict: a.judgement.verdict,
                                reason: a.judgement.reason.as_deref(),
                                findings: &a.judgement.findings,
                                newest: activity.and_then(|x| x.newest),
                                window_days: window,
                                posts: activity.and_then(|x| {
                                    window.and_then(|w| {
                                        x.posts.iter().find(|(d, _)| *d == w).map(|(_, n)| *n)
                                    })
                                }),
                                dormant: a.judgement.dormant,
                            },
                        )
                    };
                    let _ = reply.send(result);
                }
                Msg::Sync(reply) => {
                    flush(&mut store, &mut rows, &error, &mut stats);
                    let _ = reply.send(());
                }
                Msg::ClaimDone(run, site) => {
                    flush(&mut store, &mut rows, &error, &mut stats);
                    if !error.failed() {
                        match store.complete_claim_and_finish(run, &site) {
                            Ok(done) => stats.finished_run |= done == Completion::FinishedHere,
                            Err(e) => error.record(e),
                        }
                    }
                }
                Msg::Fail(site_run, why, state) => {
                    flush(&mut store, &mut rows, &error, &mut stats);
                    if !error.failed() {
                        if let Err(e) = store.mark_site_failed(site_run, &why, state) {
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

/// Messages waiting for the writer at most. When the store falls behind (a slow disk, a busy
/// machine), the crawl's workers wait for it rather than pile encoded pages up in memory
/// (about 10 KB each): the queue holds about 10 MiB at most.
const QUEUED: usize = 1024;

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
    /// Whether this writer recorded the last site of a shared run done, finishing the run.
    pub finished_run: bool,
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

/// The codec of each site run being crawled (dropped when its crawl ends: a codec holds its
/// dictionary ready to compress with, most of a megabyte).
type Codecs = Arc<std::sync::RwLock<HashMap<SiteRunId, Arc<SiteCodec>>>>;

/// Sends what the crawl produces to the writer, and passes the progress on.
struct ScanObserver {
    /// `SyncSender` is `Sync`: every crawl worker sends without a lock (and waits when the
    /// writer's queue is full).
    tx: mpsc::SyncSender<Msg>,
    /// The site runs being written (a worker adds each site it claims).
    site_runs: std::sync::RwLock<HashMap<String, SiteRunId>>,
    /// How each site run's raw observations are compressed (its zstd dictionary, trained on
    /// its first pages or reused from an earlier scan of the site).
    codecs: Codecs,
    error: FirstError,
    progress: Arc<dyn Observer>,
}

impl ScanObserver {
    fn site_run(&self, site: &str) -> Option<SiteRunId> {
        self.site_runs.read().ok()?.get(site).copied()
    }

    /// The codec of a site run (one without a stored dictionary if none was set up).
    fn codec(&self, site: &str, sr: SiteRunId) -> Option<Arc<SiteCodec>> {
        if let Some(c) = self.codecs.read().ok()?.get(&sr) {
            return Some(c.clone());
        }
        let mut m = self.codecs.write().ok()?;
        Some(
            m.entry(sr)
                .or_insert_with(|| Arc::new(SiteCodec::new(site, None)))
                .clone(),
        )
    }

    /// Set up a site run's codec, starting from the site's stored dictionary, if any.
    fn set_codec(&self, site: &str, sr: SiteRunId, store: &Store) {
        let previous = match store.latest_site_dict(site) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(site, error = %e, "a new text dictionary will be trained");
                None
            }
        };
        if let Ok(mut m) = self.codecs.write() {
            m.insert(sr, Arc::new(SiteCodec::new(site, previous)));
        }
    }

    fn send(&self, m: Msg) {
        // The writer only goes away after the scan; a send error cannot lose data that
        // matters then.
        let _ = self.tx.send(m);
    }
}

impl Observer for ScanObserver {
    fn page(&self, site: &str, page: &PageRecord, links: &[RawLink]) {
        let Some(sr) = self.site_run(site) else {
            return;
        };
        let links = links
            .iter()
            .map(|l| (l.target_str(), l.text.as_str(), l.element));
        let codec = self.codec(site, sr);
        match PageRow::encode_with(page, links, codec.as_deref()) {
            Ok(row) => self.send(Msg::Page(sr, Box::new(row))),
            Err(e) => self.error.record(e),
        }
    }

    fn link(&self, site: &str, link: &LinkFact) {
        let Some(sr) = self.site_run(site) else {
            return;
        };
        match LinkRow::encode(link) {
            Ok(row) => self.send(Msg::Link(sr, Box::new(row))),
            Err(e) => self.error.record(e),
        }
    }

    fn progress(&self, site: &str, p: Progress) {
        self.progress.progress(site, p);
    }
}

/// Earlier copies of pages from the store, read through their own connection (WAL lets it
/// read while the writer writes). The validators of each site are loaded once, before its
/// crawl; a stored page is read only when the server answers 304.
struct StorePrevious {
    store: Mutex<Store>,
    validators: std::sync::RwLock<HashMap<String, crate::store::ValidatorIndex>>,
}

impl StorePrevious {
    /// Load the validators of `site` (before its crawl).
    fn load(&self, site: &str) {
        let index = match self.store.lock().map(|s| s.validator_index(site)) {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                tracing::warn!(site, error = %e, "no conditional requests");
                return;
            }
            Err(_) => return,
        };
        if let Ok(mut m) = self.validators.write() {
            m.insert(site.to_string(), index);
        }
    }
}

impl PreviousPages for StorePrevious {
    fn validators(&self, site: &str, url: &str) -> Option<(Option<String>, Option<String>)> {
        self.validators.read().ok()?.get(site)?.get(url).cloned()
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

/// What a killed crawl of a site run saved, read one page at a time when the site's crawl
/// starts (through a read-only connection of its own, closed when the crawl has taken it in).
fn saved_crawl(
    location: &crate::store::Location,
    sr: SiteRunId,
) -> Arc<dyn crate::crawl::StoredCrawl<Error = String> + Send + Sync> {
    Arc::new(crate::crawl::ErrText(super::rejudge::OwnedSite::at(
        location.clone(),
        sr,
        true,
    )))
}

/// A site's facts read back from the store, with what only the crawl knows: its times, its
/// robots note, its request count, traps skipped and duration, and its state (a worker that failed).
pub(super) fn with_crawl(mut facts: SiteFacts, crawled: SiteFacts) -> SiteFacts {
    facts.stats.requests = crawled.stats.requests;
    facts.stats.trap_skipped = crawled.stats.trap_skipped;
    facts.stats.duration_ms = crawled.stats.duration_ms;
    facts.started_at = crawled.started_at;
    facts.finished_at = crawled.finished_at;
    facts.robots = crawled.robots;
    facts.error = crawled.error;
    facts
}

/// A temporary store for `check`: the crawl is written to it and each site judged from what it
/// has, as the daily scan does (one code path), then it is deleted. Nothing of it is kept.
pub(super) struct Scratch {
    dir: tempfile::TempDir,
    tx: mpsc::SyncSender<Msg>,
    writer: Option<std::thread::JoinHandle<(Store, WriterStats)>>,
    error: FirstError,
    site_runs: HashMap<String, SiteRunId>,
    observer: Option<Arc<ScanObserver>>,
}

impl Scratch {
    /// A temporary store with a run of `sites`, its writer thread, and the observer that
    /// sends the crawl to it (passing progress on to `progress`).
    pub(super) fn start(
        sites: &[SiteConfig],
        as_of: DateTime<FixedOffset>,
        progress: Arc<dyn Observer>,
    ) -> Result<Scratch, InspectError> {
        let dir = tempfile::Builder::new()
            .prefix("govscan-check-")
            .tempdir()
            .map_err(|e| {
                InspectError::Failed(format!("cannot create a temporary store folder: {e}"))
            })?;
        let mut store = Store::open(&dir.path().join("check.db"))?;
        let names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
        let run = store.begin_run(as_of, "check", "check", &names)?;
        let mut site_runs = HashMap::new();
        for site in sites {
            site_runs.insert(site.name.clone(), store.begin_site(run, site)?);
        }
        let error = FirstError::default();
        let (tx, rx) = mpsc::sync_channel::<Msg>(QUEUED);
        let writer_error = error.clone();
        let writer = std::thread::Builder::new()
            .name("govscan-check-store".into())
            .spawn(move || writer(store, run, rx, writer_error))
            .map_err(|e| InspectError::Failed(format!("cannot start the store writer: {e}")))?;
        let observer = Arc::new(ScanObserver {
            tx: tx.clone(),
            site_runs: std::sync::RwLock::new(site_runs.clone()),
            codecs: Codecs::default(),
            error: error.clone(),
            progress,
        });
        Ok(Scratch {
            dir,
            tx,
            writer: Some(writer),
            error,
            site_runs,
            observer: Some(observer),
        })
    }

    /// The observer to crawl with.
    pub(super) fn observer(&self) -> Arc<dyn Observer> {
        match &self.observer {
            Some(o) => o.clone(),
            None => Arc::new(crate::crawl::NoObserver),
        }
    }

    /// A site's facts: its crawl (`crawled`, from [`Crawler::crawl_site_lean`]) read back from
    /// the temporary store once everything of it is written.
    pub(super) async fn facts(
        &self,
        crawler: &Arc<Crawler>,
        site: &SiteConfig,
        crawled: SiteFacts,
        rules: Arc<RuleSet>,
    ) -> Result<SiteFacts, InspectError> {
        let Some(&sr) = self.site_runs.get(&site.name) else {
            return Err(InspectError::Failed(format!(
                "{} is not in the temporary store",
                site.name
            )));
        };
        let (sync_tx, sync_rx) = mpsc::channel();
        let _ = self.tx.send(Msg::Sync(sync_tx));
        let _ = tokio::task::spawn_blocking(move || sync_rx.recv()).await;
        if let Some(e) = self.error.take() {
            return Err(e.into());
        }
        let path = self.dir.path().join("check.db");
        let (c, s, r) = (crawler.clone(), site.clone(), rules);
        let facts = tokio::task::spawn_blocking(move || {
            let store = Store::open_read_only(&path)?;
            super::rejudge::facts_from_store(&c, store, sr, &s, false, &r)
        })
        .await
        .map_err(|e| InspectError::Failed(format!("reading {} back failed: {e}", site.name)))??;
        Ok(with_crawl(facts, crawled))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // The writer ends when every sender is gone (the crawler's observer included); the
        // folder is deleted after it.
        let (tx, _) = mpsc::sync_channel(0);
        drop(std::mem::replace(&mut self.tx, tx));
        // Only when nothing else holds the observer (the crawler is gone) can the writer end
        // now; else it ends with the crawler, and the folder, removed meanwhile, goes with it.
        let last = self
            .observer
            .take()
            .is_some_and(|o| Arc::try_unwrap(o).is_ok());
        if last {
            if let Some(w) = self.writer.take() {
                let _ = w.join();
            }
        }
    }
}

/// The summary of a site whose crawl could not be read back from the store (the run fails
/// with the store's error).
fn site_not_read(site: &SiteConfig, why: String, started: Instant) -> SiteSummary {
    SiteSummary {
        site: site.name.clone(),
        stats: CrawlStats::default(),
        score: None,
        verdict: Verdict::NotInspected,
        worst: None,
        error: Some(why),
        new: 0,
        persisting: 0,
        fixed: 0,
        duration: started.elapsed(),
        accounts: Vec::new(),
    }
}

/// Open the store named by the configuration.
pub fn open_store(config: &Config) -> Result<Store, StoreError> {
    Store::open_location(&config.store.location())
}

fn fingerprint_config(config: &Config) -> String {
    let json = serde_json::to_string(config).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(json.as_bytes()))
}

/// What a scan did.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// The run scanned, with its as-of time; `None` when there was nothing to do.
    pub run: Option<(RunId, DateTime<FixedOffset>)>,
    /// Why nothing was scanned (a `--resume` with nothing to resume).
    pub nothing: Option<String>,
    /// One summary per site scanned.
    pub sites: Vec<SiteSummary>,
    /// The most serious kind of finding of the sites a resumed run had finished before it
    /// was resumed (not in `sites`).
    pub earlier_worst: Option<Kind>,
    /// What the store writer did.
    pub writer: WriterStats,
    /// Whether this process finished the run: then its exit status covers every site of the
    /// run (its own in `sites`, those of other workers in `others`). A process that leaves
    /// a shared run to others answers for its own sites only.
    pub finished_run: bool,
    /// The sites of a shared run that other workers judged, when this process finished it.
    pub others: Vec<OtherSite>,
    /// Whether the run was a shared one (PostgreSQL, worked on by claims).
    pub shared: bool,
}

/// How often a scan waiting for another one looks again.
const WAIT_POLL: Duration = Duration::from_secs(1);

/// Begin a new run, unless another live process owns an unfinished run of the store (one
/// writer per store): then refuse, naming the owner, or with `wait` poll until it is gone
/// (finished, exited or killed) or the wait is over.
async fn begin_owned_run(
    store: &mut Store,
    as_of: DateTime<FixedOffset>,
    config_fingerprint: &str,
    rules_fingerprint: &str,
    names: &[String],
    wait: Option<Duration>,
) -> Result<RunId, InspectError> {
    let started = Instant::now();
    let mut said = false;
    loop {
        let owned = match store.begin_run_unless_owned(
            as_of,
            config_fingerprint,
            rules_fingerprint,
            names,
        )? {
            Ok(run) => return Ok(run),
            Err(owned) => owned,
        };
        let waited = started.elapsed();
        match wait {
            Some(limit) if waited < limit => {
                if !said {
                    tracing::warn!(
                        run = %owned.id, owner = %owned.owner_text(),
                        "another scan is writing this store; waiting for it"
                    );
                    said = true;
                }
                tokio::time::sleep(WAIT_POLL.min(limit - waited)).await;
            }
            Some(limit) => {
                return Err(InspectError::Failed(format!(
                    "another scan is still writing this store after waiting {}: run {} by {}",
                    humantime::format_duration(Duration::from_secs(limit.as_secs())),
                    owned.id,
                    owned.owner_text()
                )))
            }
            None => {
                return Err(InspectError::Failed(format!(
                    "another scan is writing this store: run {} by {}; not starting a second \
                     one (use --wait to wait for it)",
                    owned.id,
                    owned.owner_text()
                )))
            }
        }
    }
}

/// What a site's scan task shares with the others.
#[derive(Clone)]
struct SiteCtx {
    crawler: Arc<Crawler>,
    rules: Arc<RuleSet>,
    tx: mpsc::SyncSender<Msg>,
    reader: Option<Arc<StorePrevious>>,
    error: FirstError,
    run: RunId,
    as_of: DateTime<FixedOffset>,
    /// Sites judged at once: each holds its facts read back from the store meanwhile.
    judging: Arc<tokio::sync::Semaphore>,
    /// The store, to read a site's crawl back from it.
    location: crate::store::Location,
    codecs: Codecs,
}

/// Crawl, judge and record one site of a run (its results go to the writer as they come).
async fn scan_site(ctx: SiteCtx, site: SiteConfig, sr: SiteRunId, seed: SiteSeed) -> SiteSummary {
    let SiteCtx {
        crawler,
        rules,
        tx,
        reader,
        error,
        run,
        as_of,
        judging,
        location,
        codecs,
    } = ctx;
    let started = Instant::now();
    tracing::info!(site = %site.name, "scan started");
    // The crawl keeps only what it needs to go on; pages and link results go to the store as
    // they are made, and the site is judged from what the store has of it (as `judge` judges
    // a stored scan), a few sites at a time.
    let crawled = crawler.crawl_site_lean(&site, seed).await;
    if let Ok(mut m) = codecs.write() {
        m.remove(&sr);
    }
    let (sync_tx, sync_rx) = mpsc::channel();
    let _ = tx.send(Msg::Sync(sync_tx));
    let _ = tokio::task::spawn_blocking(move || sync_rx.recv()).await;
    let _permit = judging.acquire().await;
    let (c, s, r) = (crawler.clone(), site.clone(), rules.clone());
    let replayed = tokio::task::spawn_blocking(move || {
        let store = Store::open_location_read_only(&location)?;
        super::rejudge::facts_from_store(&c, store, sr, &s, false, &r)
    })
    .await;
    let facts = match replayed {
        Ok(Ok(facts)) => with_crawl(facts, crawled),
        Ok(Err(e)) => {
            let why = format!("读取已保存的抓取结果失败：{e}");
            error.record(e);
            return site_not_read(&site, why, started);
        }
        Err(e) => {
            let why = format!("读取已保存的抓取结果失败：{e}");
            error.record(StoreError::Other {
                action: format!("read the crawl of {} back from", site.name),
                file: String::new(),
                message: e.to_string(),
            });
            return site_not_read(&site, why, started);
        }
    };
    let (inspection, ipv6) = super::inspect_crawled(
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
    // The site's new-media accounts: read and judged apart, recorded in the run.
    let before = |feed: &str| -> usize {
        reader
            .as_ref()
            .and_then(|r| r.store.lock().ok())
            .and_then(|s| s.account_failures_before(&site.name, feed, run).ok())
            .unwrap_or(0)
    };
    let inspected =
        super::accounts::inspect_accounts(&crawler, &site, Some(&facts), &rules, as_of, &before)
            .await;
    let mut accounts = Vec::new();
    for a in inspected {
        let (reply_tx, reply_rx) = mpsc::channel();
        let _ = tx.send(Msg::Account(run, Box::new(a.clone()), reply_tx));
        let diff = match tokio::task::spawn_blocking(move || reply_rx.recv()).await {
            Ok(Ok(Ok(d))) => Some(d),
            Ok(Ok(Err(e))) => {
                error.record(e);
                None
            }
            Ok(Err(_)) | Err(_) => {
                error.record(StoreError::Other {
                    action: format!("record the accounts of {}", site.name),
                    file: String::new(),
                    message: "the store writer stopped before answering".into(),
                });
                None
            }
        };
        accounts.push(crate::report::accounts::AccountReport::new(
            &a.facts,
            &a.judgement,
            diff.as_ref(),
        ));
    }
    let mut summary = SiteSummary {
        site: site.name.clone(),
        stats: facts.stats.clone(),
        score: inspection.score.as_ref().map(|s| s.score),
        verdict: inspection.verdict,
        worst: inspection.findings.iter().map(|f| f.kind).min(),
        error: inspection.reason.clone(),
        new: 0,
        persisting: 0,
        fixed: 0,
        duration: started.elapsed(),
        accounts,
    };
    let Some(score) = inspection.score else {
        // A site that could not be inspected is recorded as failed, with its state
        // (无法检查 / 被拦截) and no score: its findings of today would make every
        // earlier finding look fixed.
        let why = inspection.reason.clone().unwrap_or_default();
        let _ = tx.send(Msg::Fail(sr, why.clone(), inspection.verdict));
        tracing::warn!(site = %site.name, error = %why, "site not inspected");
        return summary;
    };
    let (reply_tx, reply_rx) = mpsc::channel();
    let finish = FinishSite {
        site_run: sr,
        stats: facts.stats.clone(),
        findings: inspection.findings,
        score: score.score,
        verdict: inspection.verdict,
        detail: serde_json::to_value(&score).unwrap_or_default(),
        normdoc: checks::normdoc::snapshot(&facts, &rules),
    };
    let _ = tx.send(Msg::Finish(Box::new(finish), reply_tx));
    match tokio::task::spawn_blocking(move || reply_rx.recv()).await {
        Ok(Ok(Ok(d))) => {
            summary.new = d.new.len();
            summary.persisting = d.persisting.len();
            summary.fixed = d.fixed.len();
        }
        // Every store error fails the run: a scan whose findings were not recorded
        // must not look like a clean one.
        Ok(Ok(Err(e))) => error.record(e),
        Ok(Err(_)) | Err(_) => error.record(StoreError::Other {
            action: format!("record the findings of {}", site.name),
            file: String::new(),
            message: "the store writer stopped before answering".into(),
        }),
    }
    tracing::info!(
        site = %site.name, pages = facts.stats.pages, broken = facts.stats.broken,
        new = summary.new, fixed = summary.fixed, score = ?summary.score, "scan finished"
    );
    summary
}

/// Run the daily scan.
pub async fn scan(req: ScanRequest) -> Result<ScanOutcome, InspectError> {
    let ScanRequest {
        mut config,
        rules,
        sites: wanted,
        as_of,
        resume,
        wait,
        progress,
        worker,
        sites_at_once,
    } = req;
    for name in &wanted {
        if !config.sites.iter().any(|s| &s.name == name) {
            let names: Vec<&str> = config.sites.iter().map(|s| s.name.as_str()).collect();
            return Err(InspectError::Usage(format!(
                "no site named `{name}` in the configuration; the sites are: {}",
                names.join(", ")
            )));
        }
    }
    let mut store = open_store(&config)?;
    if store.is_shared() {
        let shared = Shared {
            wanted,
            as_of,
            join: worker || resume,
            wait,
            sites_at_once: sites_at_once.max(1),
        };
        return scan_shared(config, rules, store, shared, progress).await;
    }
    if worker {
        return Err(InspectError::Usage(format!(
            "`scan --worker` needs a store shared by the workers: set `[store] url = \
             \"postgres://…\"` or {} (the store is the file {})",
            crate::store::STORE_URL_ENV,
            store.path().display()
        )));
    }
    // Which run, which sites, which as-of.
    let (run, as_of, sites): (RunId, DateTime<FixedOffset>, Vec<SiteConfig>) = if resume {
        let info = match store.claim_unfinished_run()? {
            None => {
                return Ok(ScanOutcome {
                    nothing: Some("nothing to resume: the last scan finished".into()),
                    ..ScanOutcome::default()
                })
            }
            // Another live process (this morning's scan still running, or a second worker on
            // the same store) is writing it: taking it over would crawl its sites twice.
            Some(Claim::Owned(info)) => {
                return Ok(ScanOutcome {
                    nothing: Some(format!(
                        "nothing to resume: run {} is still being written by {}",
                        info.id,
                        info.owner_text()
                    )),
                    ..ScanOutcome::default()
                })
            }
            // Ours now.
            Some(Claim::Claimed(info)) => info,
        };
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
        let run = begin_owned_run(
            &mut store,
            as_of,
            &fingerprint_config(&config),
            rules.fingerprint(),
            &names,
            wait,
        )
        .await?;
        (run, as_of, sites)
    };
    // Site runs: skip the sites a resumed run already finished; seed the others.
    let site_runs = store.site_runs(run)?;
    let done: HashMap<String, SiteRunStatus> = site_runs
        .iter()
        .map(|s| (s.site.clone(), s.status))
        .collect();
    // The sites a resumed run had already finished count for its exit status too.
    let mut earlier_worst: Option<Kind> = None;
    for sr in site_runs.iter().filter(|s| s.status == SiteRunStatus::Done) {
        let worst = store.site_findings(sr.id)?.iter().map(|f| f.kind).min();
        earlier_worst = earlier_worst.into_iter().chain(worst).min();
    }
    // A second connection reads while the writer writes (WAL): earlier copies of pages for
    // conditional requests, and the probes for the availability rules.
    let reader: Option<Arc<StorePrevious>> =
        match Store::open_location_read_only(&config.store.location()) {
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
                    validators: std::sync::RwLock::new(validators),
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
        let sr = store.begin_site(run, &site)?;
        let mut seed = SiteSeed {
            previous: previous.clone(),
            ..SiteSeed::default()
        };
        if resume {
            // Read one page at a time when the site's crawl starts, not all sites' now.
            seed.saved = Some(saved_crawl(&config.store.location(), sr));
        }
        todo.push((site, sr, seed));
    }
    // Every site must be known to the crawler (its hosts may live on private addresses).
    config.sites = todo.iter().map(|(s, _, _)| s.clone()).collect();
    let config = Arc::new(config);
    let (tx, writer_thread, error) = spawn_writer(store, run)?;
    let observer = Arc::new(ScanObserver {
        tx: tx.clone(),
        error: error.clone(),
        site_runs: std::sync::RwLock::new(
            todo.iter()
                .map(|(s, sr, _)| (s.name.clone(), *sr))
                .collect(),
        ),
        codecs: Codecs::default(),
        progress,
    });
    if let Some(r) = &reader {
        if let Ok(s) = r.store.lock() {
            for (site, sr, _) in &todo {
                observer.set_codec(&site.name, *sr, &s);
            }
        }
    }
    let crawler = Crawler::new(
        config.clone(),
        CrawlRules::from_rules(&rules),
        observer.clone(),
        as_of.year(),
    )
    .map_err(|e| InspectError::Failed(e.to_string()))?;
    let crawler = Arc::new(crawler);
    let rules = Arc::new(rules);
    // Sites judged at once: each holds its facts read back from the store meanwhile.
    let judging = Arc::new(tokio::sync::Semaphore::new(
        config.crawl.parse_concurrency.max(2),
    ));
    let mut handles = Vec::new();
    for (site, sr, seed) in todo {
        let name = site.name.clone();
        let ctx = SiteCtx {
            crawler: crawler.clone(),
            rules: rules.clone(),
            tx: tx.clone(),
            reader: reader.clone(),
            error: error.clone(),
            run,
            as_of,
            judging: judging.clone(),
            location: config.store.location(),
            codecs: observer.codecs.clone(),
        };
        let task = tokio::spawn(scan_site(ctx, site, sr, seed));
        handles.push((name, sr, task));
    }
    let mut summaries = Vec::new();
    let mut failed_tasks = Vec::new();
    for (name, sr, h) in handles {
        match h.await {
            Ok(s) => summaries.push(s),
            Err(e) => {
                // One site's task failing never stops the others; the site is recorded as
                // not inspected and the run reports it.
                tracing::error!(site = %name, error = %e, "a site's scan task failed");
                let why = format!("扫描任务异常中止：{e}");
                let _ = tx.send(Msg::Fail(sr, why.clone(), Verdict::NotInspected));
                failed_tasks.push(name);
            }
        }
    }
    drop(observer);
    drop(crawler);
    drop(tx);
    let (mut store, writer) = writer_thread
        .join()
        .map_err(|_| InspectError::Failed("the store writer thread failed".into()))?;
    if let Some(e) = error.take() {
        return Err(e.into());
    }
    if !failed_tasks.is_empty() {
        return Err(InspectError::Failed(format!(
            "the scan of {} failed; run `govscan scan --resume` to finish it",
            failed_tasks.join(", ")
        )));
    }
    store.finish_run(run)?;
    if let Err(e) = store.checkpoint() {
        // Everything is committed; only the log's folding into the file is left for later.
        tracing::warn!(error = %e, "the store's write-ahead log was not checkpointed");
    }
    tracing::info!(busy = ?writer.busy, transactions = writer.transactions, "store writer finished");
    Ok(ScanOutcome {
        run: Some((run, as_of)),
        nothing: None,
        sites: summaries,
        earlier_worst,
        writer,
        finished_run: true,
        others: Vec::new(),
        shared: false,
    })
}

/// How a scan takes part in a run of a shared store.
struct Shared {
    wanted: Vec<String>,
    as_of: Option<DateTime<FixedOffset>>,
    /// Join the latest unfinished run (a worker, or `--resume`) rather than begin one.
    join: bool,
    /// How long a worker waits for a run to appear, or a new scan for the one in its way.
    wait: Option<Duration>,
    sites_at_once: usize,
}

/// How often a worker with nothing to claim looks again (for sites given back, or the
/// claims of a worker that stopped).
const CLAIM_POLL: Duration = Duration::from_millis(500);

/// The scan on a shared (PostgreSQL) store: begin a run and queue its sites (or join the
/// latest unfinished one), then claim its sites one at a time, up to `sites_at_once` at once,
/// until every site of the run is done, by this worker or another. A claim whose worker
/// stopped beating is taken over, the site's crawl resumed from what that worker stored.
async fn scan_shared(
    mut config: Config,
    rules: RuleSet,
    mut store: Store,
    shared: Shared,
    progress: Arc<dyn Observer>,
) -> Result<ScanOutcome, InspectError> {
    let me = this_process();
    let location = config.store.location();
    let (run, as_of, names) = if shared.join {
        let started = Instant::now();
        loop {
            if let Some(info) = store.unfinished_queued_run()? {
                break (info.id, info.as_of, info.sites);
            }
            match shared.wait {
                Some(limit) if started.elapsed() < limit => {
                    tokio::time::sleep(WAIT_POLL.min(limit - started.elapsed())).await;
                }
                _ => {
                    return Ok(ScanOutcome {
                        nothing: Some("nothing to work on: no unfinished run in the store".into()),
                        ..ScanOutcome::default()
                    })
                }
            }
        }
    } else {
        let as_of = shared.as_of.unwrap_or_else(crate::asof::now);
        let names: Vec<String> = config
            .sites
            .iter()
            .filter(|s| shared.wanted.is_empty() || shared.wanted.contains(&s.name))
            .map(|s| s.name.clone())
            .collect();
        let run = begin_owned_run(
            &mut store,
            as_of,
            &fingerprint_config(&config),
            rules.fingerprint(),
            &names,
            shared.wait,
        )
        .await?;
        store.queue_sites(run, &names)?;
        (run, as_of, names)
    };
    tracing::info!(run = %run, worker = %me, sites = names.len(), "working on a shared run");
    // Every site of the run must be known to the crawler (hosts on private addresses, rates).
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !config.sites.iter().any(|s| &s.name == *n))
        .collect();
    if !missing.is_empty() {
        tracing::warn!(
            ?missing,
            "sites of the run are not in this worker's configuration"
        );
    }
    config.sites.retain(|s| names.contains(&s.name));
    let by_name: HashMap<String, SiteConfig> = config
        .sites
        .iter()
        .map(|s| (s.name.clone(), s.clone()))
        .collect();
    let control = Arc::new(Mutex::new(Store::open_location(&location)?));
    let reader: Option<Arc<StorePrevious>> = match Store::open_location_read_only(&location) {
        Ok(s) => Some(Arc::new(StorePrevious {
            store: Mutex::new(s),
            validators: std::sync::RwLock::new(HashMap::new()),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "no conditional requests or availability this time");
            None
        }
    };
    let previous: Option<Arc<dyn PreviousPages>> =
        reader.clone().map(|r| r as Arc<dyn PreviousPages>);
    let config = Arc::new(config);
    let (tx, writer_thread, error) = spawn_writer(store, run)?;
    let observer = Arc::new(ScanObserver {
        tx: tx.clone(),
        error: error.clone(),
        site_runs: std::sync::RwLock::new(HashMap::new()),
        codecs: Codecs::default(),
        progress,
    });
    let mut crawler = Crawler::new(
        config.clone(),
        CrawlRules::from_rules(&rules),
        observer.clone(),
        as_of.year(),
    )
    .map_err(|e| InspectError::Failed(e.to_string()))?;
    // Politeness across workers: every request to a rate-limited origin leases its slot
    // from the store, so the workers together keep to the origin's rate.
    match Store::open_location(&location) {
        Ok(pace) => crawler.share_pace(Arc::new(StorePace(Arc::new(Mutex::new(pace))))),
        Err(e) => {
            return Err(InspectError::Failed(format!(
                "cannot open the store for the shared request rates: {e}"
            )))
        }
    }
    let crawler = Arc::new(crawler);
    let rules = Arc::new(rules);
    let ctx = SiteCtx {
        crawler: crawler.clone(),
        rules,
        tx: tx.clone(),
        reader: reader.clone(),
        error: error.clone(),
        run,
        as_of,
        // Sites judged at once: each holds its facts read back from the store meanwhile.
        judging: Arc::new(tokio::sync::Semaphore::new(
            config.crawl.parse_concurrency.max(2),
        )),
        location: location.clone(),
        codecs: observer.codecs.clone(),
    };
    let mut tasks: tokio::task::JoinSet<(String, SiteRunId, SiteSummary)> =
        tokio::task::JoinSet::new();
    let mut running: HashMap<tokio::task::Id, (String, SiteRunId)> = HashMap::new();
    let mut summaries = Vec::new();
    // Sites of the run this worker's configuration does not have: left to other workers.
    let mut unknown: Vec<String> = Vec::new();
    let mut stranded: Vec<String> = Vec::new();
    // Whether this process marked the run finished (exactly one does).
    let mut finished_here = false;
    loop {
        // Claim while there are free slots and sites to claim.
        while tasks.len() < shared.sites_at_once && !error.failed() {
            let worker = me.clone();
            let skip = unknown.clone();
            let claimed: Option<(crate::store::SiteClaim, Option<SiteRunStatus>)> =
                on_control(&control, move |s: &mut Store| {
                    let Some(c) = s.claim_site(run, &worker, &skip)? else {
                        return Ok(None);
                    };
                    let status = s
                        .site_runs(run)?
                        .into_iter()
                        .find(|r| r.site == c.site)
                        .map(|r| r.status);
                    Ok(Some((c, status)))
                })
                .await?;
            let Some((claim, status)) = claimed else {
                break;
            };
            // A worker that stopped after recording the site (but before marking it done):
            // nothing to do again, nothing counted twice.
            if matches!(status, Some(SiteRunStatus::Done | SiteRunStatus::Failed)) {
                let _ = tx.send(Msg::ClaimDone(run, claim.site.clone()));
                continue;
            }
            let Some(site) = by_name.get(&claim.site).cloned() else {
                // Not in this worker's configuration: give it back for another worker.
                tracing::warn!(site = %claim.site, "not configured here; left to other workers");
                let (name, worker) = (claim.site.clone(), me.clone());
                on_control(&control, move |s: &mut Store| {
                    s.release_claim(run, &name, &worker)
                })
                .await?;
                unknown.push(claim.site);
                continue;
            };
            if let Some(from) = &claim.taken_from {
                tracing::warn!(site = %site.name, from = %from, "taking over a stopped worker's site");
            }
            let s2 = site.clone();
            let sr = on_control(&control, move |s: &mut Store| s.begin_site(run, &s2)).await?;
            if let Some(r) = &reader {
                let r = r.clone();
                let name = site.name.clone();
                let o = observer.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    r.load(&name);
                    if let Ok(s) = r.store.lock() {
                        o.set_codec(&name, sr, &s);
                    }
                })
                .await;
            }
            let mut seed = SiteSeed {
                previous: previous.clone(),
                ..SiteSeed::default()
            };
            // A site taken over from a stopped worker goes on from what that worker saved.
            seed.saved = Some(saved_crawl(&ctx.location, sr));
            if let Ok(mut m) = observer.site_runs.write() {
                m.insert(site.name.clone(), sr);
            }
            let ctx = ctx.clone();
            let name = site.name.clone();
            let handle = tasks.spawn(async move {
                let name = site.name.clone();
                let summary = scan_site(ctx, site, sr, seed).await;
                (name, sr, summary)
            });
            running.insert(handle.id(), (name, sr));
        }
        if tasks.is_empty() {
            if error.failed() {
                break;
            }
            // Nothing claimable and nothing running here: the run is done, or other workers
            // hold its last sites (look again: they may stop, and theirs become ours).
            let completion = on_control(&control, move |s: &mut Store| {
                s.finish_run_when_complete(run)
            })
            .await?;
            if completion != Completion::Open {
                finished_here |= completion == Completion::FinishedHere;
                break;
            }
            // What is left is only sites no live worker holds and this one cannot scan.
            let q = on_control(&control, move |s: &mut Store| s.queue_state(run)).await?;
            if q.claimed == 0 && q.todo <= unknown.len() {
                stranded = unknown.clone();
                break;
            }
            tokio::time::sleep(CLAIM_POLL).await;
            continue;
        }
        match tasks.join_next_with_id().await {
            Some(Ok((id, (name, _, summary)))) => {
                running.remove(&id);
                let _ = tx.send(Msg::ClaimDone(run, name));
                summaries.push(summary);
            }
            Some(Err(e)) => {
                // A site's task failed: recorded as not inspected (and done), so that no
                // worker tries it again and again.
                if let Some((name, sr)) = running.remove(&e.id()) {
                    tracing::error!(site = %name, error = %e, "a site's scan task failed");
                    let why = format!("扫描任务异常中止：{e}");
                    let _ = tx.send(Msg::Fail(sr, why, Verdict::NotInspected));
                    let _ = tx.send(Msg::ClaimDone(run, name));
                }
            }
            None => {}
        }
    }
    drop(ctx);
    drop(observer);
    drop(crawler);
    drop(tx);
    let (mut store, writer) = writer_thread
        .join()
        .map_err(|_| InspectError::Failed("the store writer thread failed".into()))?;
    if let Some(e) = error.take() {
        return Err(e.into());
    }
    // The last claim's completion went through the writer: the run may be complete now.
    finished_here |=
        writer.finished_run || store.finish_run_when_complete(run)? == Completion::FinishedHere;
    if !stranded.is_empty() {
        return Err(InspectError::Failed(format!(
            "run {run} still has sites this worker's configuration does not have: {}; \
             start a worker whose configuration has them",
            stranded.join(", ")
        )));
    }
    tracing::info!(busy = ?writer.busy, transactions = writer.transactions, "store writer finished");
    summaries.sort_by(|a, b| a.site.cmp(&b.site));
    // The process that finished the run answers for all of it: the sites other workers
    // judged (or a stopped worker recorded before its claim was marked) as stored.
    let mut others = Vec::new();
    if finished_here {
        for sr in store.site_runs(run)? {
            if summaries.iter().any(|s| s.site == sr.site) {
                continue;
            }
            let worst = store.site_findings(sr.id)?.iter().map(|f| f.kind).min();
            others.push(OtherSite {
                site: sr.site,
                score: sr.score,
                verdict: sr.verdict.unwrap_or(Verdict::NotInspected),
                worst,
                error: sr.error,
            });
        }
        others.sort_by(|a, b| a.site.cmp(&b.site));
    }
    Ok(ScanOutcome {
        run: Some((run, as_of)),
        nothing: None,
        sites: summaries,
        earlier_worst: others.iter().filter_map(|o| o.worst).min(),
        writer,
        finished_run: finished_here,
        others,
        shared: true,
    })
}

/// Run `f` with the control connection of a worker, off the async threads.
async fn on_control<T: Send + 'static>(
    control: &Arc<Mutex<Store>>,
    f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, InspectError> {
    let control = control.clone();
    tokio::task::spawn_blocking(move || match control.lock() {
        Ok(mut s) => f(&mut s),
        Err(_) => Err(StoreError::Other {
            action: "use".into(),
            file: String::new(),
            message: "the control connection failed".into(),
        }),
    })
    .await
    .map_err(|e| InspectError::Failed(format!("a store task failed: {e}")))?
    .map_err(InspectError::from)
}

/// Request slots of rate-limited origins leased from the shared store (see
/// [`Store::lease_origin_slot`]).
struct StorePace(Arc<Mutex<Store>>);

impl crate::crawl::SharedPace for StorePace {
    fn lease(
        &self,
        origin: &str,
        period: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Duration> + Send + '_>> {
        let store = self.0.clone();
        let origin = origin.to_string();
        Box::pin(async move {
            let leased = tokio::task::spawn_blocking(move || {
                store
                    .lock()
                    .map_err(|_| "the pace connection failed".to_string())
                    .and_then(|mut s| {
                        s.lease_origin_slot(&origin, period)
                            .map_err(|e| e.to_string())
                    })
            })
            .await;
            match leased {
                Ok(Ok(wait)) => wait,
                // The store cannot say: wait a whole period, which keeps to the rate alone.
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "no shared request slot; waiting a period");
                    period
                }
                Err(_) => period,
            }
        })
    }
}
