//! Many workers on one store: a run's queue of sites, claimed one at a time by workers that
//! beat for their claims, with the claims of a worker that stopped taken over; and the
//! per-origin request slots leased from the database, so that the workers together never
//! send an origin more than its rate.
//!
//! On PostgreSQL a claim locks the queue's row (`FOR UPDATE SKIP LOCKED`): workers claiming
//! at once each get another site without waiting for each other. On SQLite the same
//! statements run in an exclusive write transaction.

use super::db::{params, Conn, DbResult, OptionalExtension, ToValue};
use super::runs::alive;
use super::{col_time_opt, now, time_text, Result, RunId, RunInfo, Store, HEARTBEAT_EVERY};

/// A claim not renewed for this long belongs to a worker that stopped (three beats).
pub const WORKER_STALE_AFTER: std::time::Duration =
    std::time::Duration::from_secs(HEARTBEAT_EVERY.as_secs() * 3);

/// A site a worker claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteClaim {
    pub site: String,
    /// The worker whose claim this one takes over (it stopped beating), if any.
    pub taken_from: Option<String>,
}

/// Whether a run is finished, and by whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// Sites of the run are not done yet.
    Open,
    /// This call marked the run finished.
    FinishedHere,
    /// The run was finished already (by another worker).
    FinishedBefore,
}

/// Where a run's queue stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueState {
    pub todo: usize,
    pub claimed: usize,
    pub done: usize,
}

impl Store {
    /// Put the sites of `run` in its queue, in order (sites already queued are kept).
    pub fn queue_sites(&mut self, run: RunId, sites: &[String]) -> Result<()> {
        let action = format!("queue the sites of run {run} in");
        let tx = self.conn.transaction().map_err(|e| self.err(&action, e))?;
        (|| -> DbResult<()> {
            for (i, site) in sites.iter().enumerate() {
                tx.execute(
                    "INSERT INTO run_sites (run_id, site, position, state) \
                     VALUES (?1, ?2, ?3, 'todo') ON CONFLICT (run_id, site) DO NOTHING",
                    params![run.0, site, super::int_usize(i)],
                )?;
            }
            Ok(())
        })()
        .map_err(|e| self.err(&action, e))?;
        tx.commit().map_err(|e| self.err(&action, e))
    }

    /// Whether `run` has a queue of sites (it was begun by a scan on a shared store).
    pub fn has_queue(&self, run: RunId) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM run_sites WHERE run_id = ?1 LIMIT 1")
            .and_then(|mut st| st.exists(params![run.0]))
            .map_err(|e| self.err(&format!("read the queue of run {run} in"), e))
    }

    /// The latest unfinished run that has a queue of sites, for a worker to join.
    pub fn unfinished_queued_run(&self) -> Result<Option<RunInfo>> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT r.id FROM runs r WHERE r.finished IS NULL \
                 AND EXISTS (SELECT 1 FROM run_sites q WHERE q.run_id = r.id) \
                 ORDER BY r.id DESC LIMIT 1",
                params![],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err("look for a run to work on in", e))?;
        match id {
            Some(id) => self.run(RunId(id)),
            None => Ok(None),
        }
    }

    /// Claim the next site of `run` for `worker`: the first one nobody has claimed, or else
    /// the first one whose worker stopped beating (taken over); never one of `skip` (sites
    /// this worker cannot scan). `None`: nothing to claim now (every site done or claimed by
    /// a live worker).
    pub fn claim_site(
        &mut self,
        run: RunId,
        worker: &str,
        skip: &[String],
    ) -> Result<Option<SiteClaim>> {
        let action = format!("claim a site of run {run} in");
        let skip_locked = self.conn.dialect().skip_locked();
        let tx = self.conn.transaction().map_err(|e| self.err(&action, e))?;
        let at = now();
        let claim = (|| -> DbResult<Option<SiteClaim>> {
            let not_skipped: String = (0..skip.len())
                .map(|i| format!(" AND site <> ?{}", i + 2))
                .collect();
            let mut values = vec![run.0.to_value()];
            values.extend(skip.iter().map(ToValue::to_value));
            let todo_sql = format!(
                "SELECT site FROM run_sites WHERE run_id = ?1 AND state = 'todo'{not_skipped} \
                 ORDER BY position LIMIT 1{skip_locked}"
            );
            let mut claim: Option<SiteClaim> = tx
                .query_row(&todo_sql, values, |r| r.get(0))
                .optional()?
                .map(|site| SiteClaim {
                    site,
                    taken_from: None,
                });
            if claim.is_none() {
                let claimed_sql = format!(
                    "SELECT site, worker, heartbeat FROM run_sites \
                     WHERE run_id = ?1 AND state = 'claimed' ORDER BY position{skip_locked}"
                );
                let mut st = tx.prepare_cached(&claimed_sql)?;
                let rows = st
                    .query_map(params![run.0], |r| {
                        Ok((
                            r.get::<String>(0)?,
                            r.get::<Option<String>>(1)?,
                            col_time_opt(r, 2)?,
                        ))
                    })?
                    .collect::<DbResult<Vec<_>>>()?;
                claim = rows
                    .into_iter()
                    .filter(|(site, _, _)| !skip.contains(site))
                    .find(|(_, w, beat)| !alive(w.as_deref(), *beat, at))
                    .map(|(site, w, _)| SiteClaim {
                        site,
                        taken_from: Some(w.unwrap_or_default()),
                    });
            }
            let Some(claim) = claim else {
                return Ok(None);
            };
            tx.execute(
                "UPDATE run_sites SET state = 'claimed', worker = ?3, heartbeat = ?4, \
                 claims = claims + 1 WHERE run_id = ?1 AND site = ?2",
                params![run.0, claim.site, worker, time_text(&at)],
            )?;
            Ok(Some(claim))
        })()
        .map_err(|e| self.err(&action, e))?;
        tx.commit().map_err(|e| self.err(&action, e))?;
        Ok(claim)
    }

    /// Renew every claim `worker` holds in `run`. Returns how many it holds.
    pub fn beat_claims(&mut self, run: RunId, worker: &str) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE run_sites SET heartbeat = ?3 \
                 WHERE run_id = ?1 AND worker = ?2 AND state = 'claimed'",
                params![run.0, worker, time_text(&now())],
            )
            .map_err(|e| self.err(&format!("renew the claims of run {run} in"), e))
    }

    /// The claimed site is done (its site run finished or failed).
    pub fn complete_claim(&mut self, run: RunId, site: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE run_sites SET state = 'done', heartbeat = ?3 \
                 WHERE run_id = ?1 AND site = ?2",
                params![run.0, site, time_text(&now())],
            )
            .map(|_| ())
            .map_err(|e| self.err(&format!("record site {site} of run {run} as done in"), e))
    }

    /// Record a claimed site as done and, when it was the run's last, finish the run, in
    /// one transaction: the worker that completes a run's last site is the one that
    /// finishes it (workers completing their last sites at once take turns on the runs
    /// lock, so one of them sees every site done).
    pub fn complete_claim_and_finish(&mut self, run: RunId, site: &str) -> Result<Completion> {
        let action = format!("record site {site} of run {run} as done in");
        let tx = self.conn.transaction().map_err(|e| self.err(&action, e))?;
        let done = (|| -> DbResult<Completion> {
            tx.lock_runs()?;
            tx.execute(
                "UPDATE run_sites SET state = 'done', heartbeat = ?3 \
                 WHERE run_id = ?1 AND site = ?2",
                params![run.0, site, time_text(&now())],
            )?;
            finish_if_complete(&tx, run)
        })()
        .map_err(|e| self.err(&action, e))?;
        tx.commit().map_err(|e| self.err(&action, e))?;
        Ok(done)
    }

    /// Give a claimed site back to the queue (its scan could not be completed here).
    pub fn release_claim(&mut self, run: RunId, site: &str, worker: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE run_sites SET state = 'todo', worker = NULL, heartbeat = NULL \
                 WHERE run_id = ?1 AND site = ?2 AND worker = ?3 AND state = 'claimed'",
                params![run.0, site, worker],
            )
            .map(|_| ())
            .map_err(|e| self.err(&format!("release site {site} of run {run} in"), e))
    }

    /// How many sites of `run` are waiting, claimed and done.
    pub fn queue_state(&self, run: RunId) -> Result<QueueState> {
        let mut q = QueueState::default();
        self.conn
            .prepare_cached(
                "SELECT state, COUNT(*) FROM run_sites WHERE run_id = ?1 GROUP BY state",
            )
            .and_then(|mut st| {
                st.for_each(params![run.0], |r| {
                    let n = usize::try_from(r.get::<i64>(1)?).unwrap_or(0);
                    match r.get::<String>(0)?.as_str() {
                        "todo" => q.todo = n,
                        "claimed" => q.claimed = n,
                        _ => q.done = n,
                    }
                    Ok(())
                })
            })
            .map_err(|e| self.err(&format!("read the queue of run {run} in"), e))?;
        Ok(q)
    }

    /// Finish `run` if every site of its queue is done (whichever worker gets there first;
    /// the others find it finished). Returns whether the run is finished.
    pub fn finish_run_if_complete(&mut self, run: RunId) -> Result<bool> {
        Ok(self.finish_run_when_complete(run)? != Completion::Open)
    }

    /// [`Store::finish_run_if_complete`], saying who finished it: exactly one caller gets
    /// [`Completion::FinishedHere`] for a run (the one whose update marked it finished; the
    /// row lock serialises the others, which find it finished).
    pub fn finish_run_when_complete(&mut self, run: RunId) -> Result<Completion> {
        let action = format!("finish run {run} in");
        let tx = self.conn.transaction().map_err(|e| self.err(&action, e))?;
        let done = (|| -> DbResult<Completion> {
            tx.lock_runs()?;
            finish_if_complete(&tx, run)
        })()
        .map_err(|e| self.err(&action, e))?;
        tx.commit().map_err(|e| self.err(&action, e))?;
        Ok(done)
    }

    /// Lease the next request slot of `origin` to this process: the slot's start is the later
    /// of now and the end of the slot leased before (by any worker), and each slot is
    /// `period` long. Returns how long to wait until the slot starts. Times are the
    /// database's clock, so workers on machines whose clocks differ still take turns.
    pub fn lease_origin_slot(
        &mut self,
        origin: &str,
        period: std::time::Duration,
    ) -> Result<std::time::Duration> {
        let period_ms = i64::try_from(period.as_millis()).unwrap_or(i64::MAX).max(1);
        let now_ms = self.conn.dialect().now_millis();
        let sql = format!(
            "INSERT INTO origin_pace (origin, next_at) VALUES (?1, {now_ms} + ?2) \
             ON CONFLICT (origin) DO UPDATE SET next_at = \
             (CASE WHEN origin_pace.next_at > {now_ms} THEN origin_pace.next_at \
             ELSE {now_ms} END) + ?2 \
             RETURNING next_at - ?2 - {now_ms}"
        );
        let wait: i64 = self
            .conn
            .query_row(&sql, params![origin, period_ms], |r| r.get(0))
            .map_err(|e| self.err(&format!("lease a request slot of {origin} in"), e))?;
        Ok(std::time::Duration::from_millis(
            u64::try_from(wait).unwrap_or(0),
        ))
    }
}

/// In a transaction holding the runs lock: finish `run` if every site of its queue is done.
fn finish_if_complete(tx: &Conn, run: RunId) -> DbResult<Completion> {
    let open: i64 = tx.query_row(
        "SELECT COUNT(*) FROM run_sites WHERE run_id = ?1 AND state <> 'done'",
        params![run.0],
        |r| r.get(0),
    )?;
    if open > 0 {
        return Ok(Completion::Open);
    }
    let marked = tx.execute(
        "UPDATE runs SET finished = ?2 WHERE id = ?1 AND finished IS NULL",
        params![run.0, time_text(&now())],
    )?;
    Ok(if marked > 0 {
        Completion::FinishedHere
    } else {
        Completion::FinishedBefore
    })
}
