//! Runs and site runs: starting, finishing, failing, and reading where a run stands.

use super::db::{params, DbResult, OptionalExtension, Row};
use chrono::{DateTime, FixedOffset};

use super::{
    col_enum, col_json, col_json_opt, col_time, col_time_opt, enum_text, now, time_text, to_json,
    Result, RunId, RunInfo, SiteRunId, SiteRunInfo, SiteRunStatus, Store, StoreError,
};
use crate::config::SiteConfig;
use crate::finding::Verdict;

const RUN_COLUMNS: &str =
    "id, started, finished, as_of, config_fingerprint, rules_fingerprint, sites, owner, heartbeat";

/// How often a live scan records that it is alive.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// This process, as a run's owner: `host:pid`.
pub fn this_process() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_string());
    format!("{host}:{}", std::process::id())
}

impl RunInfo {
    /// Whether the process that owns this unfinished run is still writing it: its last
    /// heartbeat is recent (within three beats of `now`) and, when it runs on this host, its
    /// process still exists (where `/proc` tells), so a scan killed a moment ago can be
    /// resumed at once.
    pub fn owner_alive(&self, now: DateTime<FixedOffset>) -> bool {
        alive(self.owner.as_deref(), self.heartbeat, now)
    }

    /// The owner and its last heartbeat, for a message: `host:pid (last heartbeat …)`.
    pub fn owner_text(&self) -> String {
        format!(
            "{} (last heartbeat {})",
            self.owner.as_deref().unwrap_or("another process"),
            self.heartbeat
                .map(|h| h.to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
                .unwrap_or_else(|| "unknown".into())
        )
    }
}

/// Whether the process `owner` (`host:pid`) that last beat at `heartbeat` is still at work:
/// the beat is recent (within three beats of `now`) and, when it runs on this host, its
/// process still exists (where `/proc` tells), so a process killed a moment ago is taken over
/// at once.
pub(crate) fn alive(
    owner: Option<&str>,
    heartbeat: Option<DateTime<FixedOffset>>,
    now: DateTime<FixedOffset>,
) -> bool {
    let Some(owner) = owner else {
        return false;
    };
    let fresh = chrono::Duration::from_std(HEARTBEAT_EVERY * 3).unwrap_or_default();
    if heartbeat.is_none_or(|h| now - h >= fresh) {
        return false;
    }
    let me = this_process();
    let (my_host, _) = me.rsplit_once(':').unwrap_or((&me, ""));
    match owner.rsplit_once(':') {
        Some((host, pid)) if host == my_host && std::path::Path::new("/proc/self").exists() => pid
            .parse::<u32>()
            .is_ok_and(|p| p == std::process::id() || process_running(p)),
        _ => true,
    }
}

/// Whether process `pid` on this host is running: it exists in `/proc` and is neither a
/// zombie (exited, not yet reaped by its parent) nor dead (`/proc/PID/stat` state `Z`/`X`).
fn process_running(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // "PID (comm) S ...": the state follows the last ')' (comm may hold spaces and parens).
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    !matches!(state, Some('Z' | 'X' | 'x'))
}

/// What [`Store::claim_unfinished_run`] found.
#[derive(Debug, Clone)]
pub enum Claim {
    /// The run is now this process's.
    Claimed(RunInfo),
    /// Another live process still owns it.
    Owned(RunInfo),
}

fn run_row(row: &Row<'_>) -> DbResult<RunInfo> {
    Ok(RunInfo {
        id: RunId(row.get(0)?),
        started: col_time(row, 1)?,
        finished: col_time_opt(row, 2)?,
        as_of: col_time(row, 3)?,
        config_fingerprint: row.get(4)?,
        rules_fingerprint: row.get(5)?,
        sites: col_json(row, 6)?,
        owner: row.get(7)?,
        heartbeat: col_time_opt(row, 8)?,
    })
}

const SITE_RUN_COLUMNS: &str = "id, run_id, site, url, level, kind, started, finished, status, \
     error, stats, score, verdict, score_json";

fn site_run_row(row: &Row<'_>) -> DbResult<SiteRunInfo> {
    let status: String = row.get(8)?;
    let status = SiteRunStatus::parse(&status)
        .ok_or_else(|| super::bad(8, format!("unknown site run status `{status}`")))?;
    Ok(SiteRunInfo {
        id: SiteRunId(row.get(0)?),
        run: RunId(row.get(1)?),
        site: row.get(2)?,
        url: row.get(3)?,
        level: col_enum(row, 4)?,
        kind: col_enum(row, 5)?,
        started: col_time(row, 6)?,
        finished: col_time_opt(row, 7)?,
        status,
        error: row.get(9)?,
        stats: col_json_opt(row, 10)?,
        score: row.get(11)?,
        verdict: row
            .get::<Option<String>>(12)?
            .and_then(|v| Verdict::from_zh(&v)),
        score_detail: col_json_opt(row, 13)?,
    })
}

impl Store {
    /// Record the start of a scan run over `sites` (their names), judged as of `as_of`.
    pub fn begin_run(
        &mut self,
        as_of: DateTime<FixedOffset>,
        config_fingerprint: &str,
        rules_fingerprint: &str,
        sites: &[String],
    ) -> Result<RunId> {
        const ACTION: &str = "record a new run in";
        let sites = to_json(sites).map_err(|e| self.err(ACTION, e))?;
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO runs (started, as_of, config_fingerprint, rules_fingerprint, sites, \
                 owner, heartbeat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?1) RETURNING id",
            )
            .and_then(|mut st| {
                st.query_row(
                    params![
                        time_text(&now()),
                        time_text(&as_of),
                        config_fingerprint,
                        rules_fingerprint,
                        sites,
                        this_process(),
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(|e| self.err(ACTION, e))?;
        Ok(RunId(id))
    }

    /// Record the start of a scan run, as [`Store::begin_run`] does, unless another live
    /// process owns an unfinished run (checked and recorded in one write transaction, so two
    /// scans started together cannot both begin). Returns the run that is in the way instead.
    pub fn begin_run_unless_owned(
        &mut self,
        as_of: DateTime<FixedOffset>,
        config_fingerprint: &str,
        rules_fingerprint: &str,
        sites: &[String],
    ) -> Result<std::result::Result<RunId, RunInfo>> {
        const ACTION: &str = "record a new run in";
        let sites = to_json(sites).map_err(|e| self.err(ACTION, e))?;
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::from_db(ACTION, &self.path, e))?;
        let result = (|| -> DbResult<std::result::Result<RunId, RunInfo>> {
            tx.lock_runs()?;
            let sql =
                format!("SELECT {RUN_COLUMNS} FROM runs WHERE finished IS NULL ORDER BY id DESC");
            let unfinished = tx
                .prepare_cached(&sql)?
                .query_map(params![], run_row)?
                .collect::<DbResult<Vec<_>>>()?;
            let at = now();
            if let Some(owned) = unfinished.into_iter().find(|r| r.owner_alive(at)) {
                return Ok(Err(owned));
            }
            let id = tx.prepare_cached(
                "INSERT INTO runs (started, as_of, config_fingerprint, rules_fingerprint, sites, \
                 owner, heartbeat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?1) RETURNING id",
            )?
            .query_row(params![
                time_text(&at),
                time_text(&as_of),
                config_fingerprint,
                rules_fingerprint,
                sites,
                this_process(),
            ], |r| r.get(0))
            .map(RunId)?;
            tx.commit()?;
            Ok(Ok(id))
        })()
        .map_err(|e| StoreError::from_db(ACTION, &self.path, e))?;
        Ok(result)
    }

    /// Take over the latest unfinished run for `--resume`, unless another live process still
    /// owns it (checked and recorded in one write transaction, so two resumes started together
    /// cannot both take it). `Ok(None)`: nothing to resume.
    pub fn claim_unfinished_run(&mut self) -> Result<Option<Claim>> {
        const ACTION: &str = "take over the unfinished run in";
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::from_db(ACTION, &self.path, e))?;
        let result = (|| -> DbResult<Option<Claim>> {
            tx.lock_runs()?;
            let sql = format!(
                "SELECT {RUN_COLUMNS} FROM runs WHERE finished IS NULL ORDER BY id DESC LIMIT 1"
            );
            let Some(info) = tx
                .prepare_cached(&sql)?
                .query_row(params![], run_row)
                .optional()?
            else {
                return Ok(None);
            };
            let at = now();
            if info.owner_alive(at) {
                return Ok(Some(Claim::Owned(info)));
            }
            tx.prepare_cached("UPDATE runs SET owner = ?2, heartbeat = ?3 WHERE id = ?1")?
                .execute(params![info.id.0, this_process(), time_text(&at)])?;
            tx.commit()?;
            Ok(Some(Claim::Claimed(info)))
        })()
        .map_err(|e| StoreError::from_db(ACTION, &self.path, e))?;
        Ok(result)
    }

    /// Record that this process is (still, or now) writing a run: its owner and heartbeat.
    pub fn heartbeat(&mut self, run: RunId) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE runs SET owner = ?2, heartbeat = ?3 WHERE id = ?1")
            .and_then(|mut st| st.execute(params![run.0, this_process(), time_text(&now())]))
            .map_err(|e| self.err(&format!("record the heartbeat of run {run} in"), e))?;
        Ok(())
    }

    /// Record that a run is over (every site done or failed).
    pub fn finish_run(&mut self, run: RunId) -> Result<()> {
        let action = format!("finish run {run} in");
        let n = self
            .conn
            .prepare_cached("UPDATE runs SET finished = ?2 WHERE id = ?1")
            .and_then(|mut st| st.execute(params![run.0, time_text(&now())]))
            .map_err(|e| self.err(&action, e))?;
        if n == 0 {
            return Err(self.not_found(&action, format!("there is no run {run}")));
        }
        Ok(())
    }

    /// Copy the write-ahead log into the database file and empty it, so that a finished scan
    /// leaves one compact file. Readers still open may keep part of the log; that is not an
    /// error (the next checkpoint takes it).
    pub fn checkpoint(&mut self) -> Result<()> {
        self.conn
            .sqlite()
            .map_or(Ok(()), |c| {
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            })
            .map_err(|e| self.err("checkpoint", e.into()))
    }

    /// A run by id.
    pub fn run(&self, run: RunId) -> Result<Option<RunInfo>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.query_row([run.0], run_row).optional())
            .map_err(|e| self.err(&format!("read run {run} from"), e))
    }

    /// The latest run that has not finished (a scan that was killed), to resume.
    pub fn unfinished_run(&self) -> Result<Option<RunInfo>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE finished IS NULL ORDER BY id DESC LIMIT 1"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.query_row(params![], run_row).optional())
            .map_err(|e| self.err("look for an unfinished run in", e))
    }

    /// The latest run that finished.
    pub fn latest_finished_run(&self) -> Result<Option<RunInfo>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE finished IS NOT NULL ORDER BY id DESC LIMIT 1"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.query_row(params![], run_row).optional())
            .map_err(|e| self.err("read the latest finished run from", e))
    }

    /// The latest runs, newest first.
    pub fn runs(&self, limit: usize) -> Result<Vec<RunInfo>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| {
                st.query_map([super::int_usize(limit)], run_row)?
                    .collect::<DbResult<Vec<_>>>()
            })
            .map_err(|e| self.err("read the runs from", e))
    }

    /// Record the start of a site's crawl in a run. Calling it again for the same site and
    /// run (on resume) returns the same site run, set back to running if it had failed.
    pub fn begin_site(&mut self, run: RunId, site: &SiteConfig) -> Result<SiteRunId> {
        let action = format!("record the start of site {} in run {run} in", site.name);
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::from_db(&action, &self.path, e))?;
        let id = (move || -> DbResult<i64> {
            let level = enum_text(&site.level)?;
            let kind = enum_text(&site.kind)?;
            tx.prepare_cached(
                "INSERT INTO site_runs (run_id, site, url, level, kind, started, status) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running') \
                 ON CONFLICT (run_id, site) DO UPDATE SET status = 'running', error = NULL, \
                 finished = NULL WHERE site_runs.status = 'failed'",
            )?
            .execute(params![
                run.0,
                site.name,
                site.url.as_str(),
                level,
                kind,
                time_text(&now())
            ])?;
            let id: i64 = tx
                .prepare_cached("SELECT id FROM site_runs WHERE run_id = ?1 AND site = ?2")?
                .query_row(params![run.0, site.name], |r| r.get(0))?;
            tx.commit()?;
            Ok(id)
        })()
        .map_err(|e| StoreError::from_db(&action, &self.path, e))?;
        Ok(SiteRunId(id))
    }

    /// Every site's part in a run, with its status, in the order they were started.
    pub fn site_runs(&self, run: RunId) -> Result<Vec<SiteRunInfo>> {
        let sql = format!("SELECT {SITE_RUN_COLUMNS} FROM site_runs WHERE run_id = ?1 ORDER BY id");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| {
                st.query_map([run.0], site_run_row)?
                    .collect::<DbResult<Vec<_>>>()
            })
            .map_err(|e| self.err(&format!("read the sites of run {run} from"), e))
    }

    /// One site run by id.
    pub fn site_run(&self, site_run: SiteRunId) -> Result<Option<SiteRunInfo>> {
        let sql = format!("SELECT {SITE_RUN_COLUMNS} FROM site_runs WHERE id = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut st| st.query_row([site_run.0], site_run_row).optional())
            .map_err(|e| self.err(&format!("read site run {site_run} from"), e))
    }

    /// Record that a site could not be inspected (its crawl failed, or its server blocked the
    /// scanner): its reason and its state (无法检查 / 被拦截), and no score.
    pub fn mark_site_failed(
        &mut self,
        site_run: SiteRunId,
        error: &str,
        state: Verdict,
    ) -> Result<()> {
        let action = format!("record the failure of site run {site_run} in");
        let n = self
            .conn
            .prepare_cached(
                "UPDATE site_runs SET status = 'failed', error = ?2, finished = ?3, \
                 score = NULL, verdict = ?4 WHERE id = ?1",
            )
            .and_then(|mut st| {
                st.execute(params![site_run.0, error, time_text(&now()), state.zh()])
            })
            .map_err(|e| self.err(&action, e))?;
        if n == 0 {
            return Err(self.not_found(&action, format!("there is no site run {site_run}")));
        }
        Ok(())
    }

    pub(crate) fn not_found(&self, action: &str, message: String) -> StoreError {
        StoreError::NotFound {
            action: action.to_string(),
            file: self.path.display().to_string(),
            message,
        }
    }
}
