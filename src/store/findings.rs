//! Findings, their identity from scan to scan, and the reads the command line needs.
//!
//! A finding's identity is its key: (site name, rule, target URL). `finding_keys` remembers
//! when each key was first and last seen (the as-of times of those scans); every finding row
//! of a scan points at its key.

use std::collections::HashSet;

use super::db::{params, Conn, DbResult, OptionalExtension, Row};

use super::{
    col_enum, col_json, col_json_opt, col_time, col_time_opt, enum_text, now, time_text, to_json,
    FindingDiff, FindingFilter, FindingStatus, HistoryRow, Result, RunId, SiteRunId, SiteRunStatus,
    Store, StoreError, StoredFinding,
};
use crate::crawl::CrawlStats;
use crate::finding::{Finding, Kind, Verdict};

const FINDING_COLUMNS: &str = "f.rule, f.kind, f.points, f.url, f.page, f.evidence, f.message";

/// A finding from the [`FINDING_COLUMNS`] starting at `offset`.
fn finding_row(row: &Row<'_>, offset: usize) -> DbResult<Finding> {
    Ok(Finding {
        rule: row.get(offset)?,
        kind: col_enum(row, offset + 1)?,
        points: row.get(offset + 2)?,
        url: row.get(offset + 3)?,
        page: row.get(offset + 4)?,
        evidence: col_json(row, offset + 5)?,
        message: row.get(offset + 6)?,
    })
}

/// The stable target of a finding: its URL without surrounding blanks. URLs reach the checks
/// already canonical (the crawler canonicalises them), so nothing more is done here.
fn target_of(f: &Finding) -> &str {
    f.url.trim()
}

/// The findings of a site run with their key ids, in the order they were recorded.
fn findings_of(conn: &Conn, site_run: i64) -> DbResult<Vec<(i64, Finding)>> {
    let sql = format!(
        "SELECT f.finding_key, {FINDING_COLUMNS} FROM findings f WHERE f.site_run = ?1 ORDER BY f.id"
    );
    conn.prepare_cached(&sql)?
        .query_map([site_run], |row| Ok((row.get(0)?, finding_row(row, 1)?)))?
        .collect()
}

impl Store {
    /// Record that a site has been crawled and judged: its crawl statistics, its findings and
    /// its score (the score `score`, the verdict `合格`/`不合格`, and the full score as JSON).
    /// Returns how the findings changed against the site's previous finished (done) scan.
    /// Calling it again for the same site run replaces what the first call recorded.
    pub fn finish_site(
        &mut self,
        site_run: SiteRunId,
        stats: &CrawlStats,
        findings: &[Finding],
        score: f64,
        verdict: Verdict,
        score_detail: &serde_json::Value,
    ) -> Result<FindingDiff> {
        let action = format!("record the findings of site run {site_run} in");
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::from_db(&action, &self.path, e))?;
        let found: Option<(String, String)> = tx
            .prepare_cached(
                "SELECT s.site, r.as_of FROM site_runs s JOIN runs r ON r.id = s.run_id \
                 WHERE s.id = ?1",
            )
            .and_then(|mut st| {
                st.query_row([site_run.0], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| StoreError::from_db(&action, &self.path, e))?;
        let Some((site, as_of)) = found else {
            return Err(StoreError::NotFound {
                action,
                file: self.path.display().to_string(),
                message: format!("there is no site run {site_run}"),
            });
        };
        let diff = record_findings(
            &tx,
            site_run.0,
            &site,
            &as_of,
            stats,
            findings,
            score,
            verdict,
            score_detail,
        )
        .and_then(|diff| tx.commit().map(|()| diff))
        .map_err(|e| StoreError::from_db(&action, &self.path, e))?;
        Ok(diff)
    }

    /// The findings of one site run, in the order they were recorded.
    pub fn site_findings(&self, site_run: SiteRunId) -> Result<Vec<Finding>> {
        let rows = findings_of(&self.conn, site_run.0)
            .map_err(|e| self.err(&format!("read the findings of site run {site_run} from"), e))?;
        Ok(rows.into_iter().map(|(_, f)| f).collect())
    }

    /// Stored findings with their status relative to the latest finished scan of their
    /// site: `new` (in that scan, first seen in it), `persisting` (in that scan, seen
    /// before too) and `fixed` (last seen in an earlier scan, not in the latest). A fixed
    /// finding is given as the last scan that saw it recorded it. Sorted by site, status,
    /// rule and target.
    pub fn findings(&self, filter: &FindingFilter) -> Result<Vec<StoredFinding>> {
        let sql = format!(
            "WITH latest AS (SELECT site, MAX(id) AS sr FROM site_runs \
                             WHERE status = 'done' GROUP BY site) \
             SELECT k.site, s.run_id, f.site_run, k.first_seen_site_run, l.sr, \
                    k.first_seen_at, k.last_seen_at, \
                    (SELECT r2.as_of FROM site_runs s2 JOIN runs r2 ON r2.id = s2.run_id \
                     WHERE s2.site = k.site AND s2.status = 'done' AND s2.id > f.site_run \
                     ORDER BY s2.id LIMIT 1), \
                    {FINDING_COLUMNS} \
             FROM latest l \
             JOIN finding_keys k ON k.site = l.site \
             JOIN findings f ON f.finding_key = k.id AND f.site_run = \
                  (CASE WHEN k.last_seen_site_run >= l.sr THEN l.sr ELSE k.last_seen_site_run END) \
             JOIN site_runs s ON s.id = f.site_run \
             WHERE (CAST(?1 AS TEXT) IS NULL OR k.site = ?1) AND (CAST(?2 AS TEXT) IS NULL OR k.rule = ?2) \
             ORDER BY k.site, f.rule, f.url, f.id"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut st| {
                st.query_map(params![filter.site, filter.rule], |row| {
                    let site_run: i64 = row.get(2)?;
                    let first_seen: i64 = row.get(3)?;
                    let latest: i64 = row.get(4)?;
                    let status = if site_run != latest {
                        FindingStatus::Fixed
                    } else if first_seen == latest {
                        FindingStatus::New
                    } else {
                        FindingStatus::Persisting
                    };
                    Ok(StoredFinding {
                        site: row.get(0)?,
                        status,
                        run: RunId(row.get(1)?),
                        site_run: SiteRunId(site_run),
                        first_seen_at: col_time(row, 5)?,
                        last_seen_at: col_time(row, 6)?,
                        fixed_at: if status == FindingStatus::Fixed {
                            col_time_opt(row, 7)?
                        } else {
                            None
                        },
                        finding: finding_row(row, 8)?,
                    })
                })?
                .collect::<DbResult<Vec<_>>>()
            })
            .map_err(|e| self.err("read the findings from", e))?;
        let mut rows: Vec<StoredFinding> = rows
            .into_iter()
            .filter(|f| filter.status.is_none_or(|s| s == f.status))
            .filter(|f| {
                // Since a day: a fixed finding by the day it was fixed (the first scan that no
                // longer had it), the others by the day they were last seen.
                filter.since.is_none_or(|d| {
                    let day = match f.status {
                        FindingStatus::Fixed => f.fixed_at.unwrap_or(f.last_seen_at),
                        _ => f.last_seen_at,
                    };
                    day.date_naive() >= d
                })
            })
            .collect();
        rows.sort_by_key(|f| {
            (
                f.site.clone(),
                match f.status {
                    FindingStatus::New => 0,
                    FindingStatus::Persisting => 1,
                    FindingStatus::Fixed => 2,
                },
            )
        });
        Ok(rows)
    }

    /// The names of every site the store has a scan of, sorted.
    pub fn site_names(&self) -> Result<Vec<String>> {
        self.conn
            .prepare_cached("SELECT DISTINCT site FROM site_runs ORDER BY site")
            .and_then(|mut st| {
                st.query_map(params![], |r| r.get(0))?
                    .collect::<DbResult<Vec<String>>>()
            })
            .map_err(|e| self.err("read the site names from", e))
    }

    /// The rule ids of every finding the store has, sorted.
    pub fn rule_ids(&self) -> Result<Vec<String>> {
        self.conn
            .prepare_cached("SELECT DISTINCT rule FROM finding_keys ORDER BY rule")
            .and_then(|mut st| {
                st.query_map(params![], |r| r.get(0))?
                    .collect::<DbResult<Vec<String>>>()
            })
            .map_err(|e| self.err("read the rule ids from", e))
    }

    /// Every scan of a site, oldest first: counts, findings by kind, score and verdict.
    pub fn history(&self, site: &str) -> Result<Vec<HistoryRow>> {
        let (veto, deduct, notice) = (
            enum_text(&Kind::Veto),
            enum_text(&Kind::Deduct),
            enum_text(&Kind::Notice),
        );
        let rows = (|| -> DbResult<Vec<HistoryRow>> {
            let (veto, deduct, notice) = (veto?, deduct?, notice?);
            self.conn
                .prepare_cached(
                    "SELECT s.run_id, s.id, s.started, r.as_of, s.status, s.stats, s.score, \
                            s.verdict, \
                            (SELECT COUNT(*) FROM pages p WHERE p.site_run = s.id), \
                            (SELECT COUNT(*) FROM links l WHERE l.site_run = s.id), \
                            (SELECT COUNT(*) FROM links l WHERE l.site_run = s.id AND l.broken <> 0), \
                            (SELECT COUNT(*) FROM findings f WHERE f.site_run = s.id AND f.kind = ?2), \
                            (SELECT COUNT(*) FROM findings f WHERE f.site_run = s.id AND f.kind = ?3), \
                            (SELECT COUNT(*) FROM findings f WHERE f.site_run = s.id AND f.kind = ?4) \
                     FROM site_runs s JOIN runs r ON r.id = s.run_id \
                     WHERE s.site = ?1 ORDER BY s.run_id, s.id",
                )?
                .query_map(params![site, veto, deduct, notice], |row| {
                    let status: String = row.get(4)?;
                    let status = SiteRunStatus::parse(&status).ok_or_else(|| {
                        super::db::bad(4, format!("unknown site run status `{status}`"))
                    })?;
                    let stats: Option<CrawlStats> = col_json_opt(row, 5)?;
                    let count = |i: usize| -> DbResult<usize> { super::col_usize(row, i) };
                    let (pages, links, broken) = match stats {
                        Some(s) => (s.pages, s.links, s.broken),
                        None => (count(8)?, count(9)?, count(10)?),
                    };
                    Ok(HistoryRow {
                        run: RunId(row.get(0)?),
                        site_run: SiteRunId(row.get(1)?),
                        started: col_time(row, 2)?,
                        as_of: col_time(row, 3)?,
                        status,
                        pages,
                        links,
                        broken,
                        vetoes: count(11)?,
                        deductions: count(12)?,
                        notices: count(13)?,
                        score: row.get(6)?,
                        verdict: row
                            .get::<Option<String>>(7)?
                            .and_then(|v| Verdict::from_zh(&v)),
                    })
                })?
                .collect()
        })()
        .map_err(|e| self.err(&format!("read the history of site {site} from"), e))?;
        Ok(rows)
    }
}

/// The body of [`Store::finish_site`], inside its transaction.
#[allow(clippy::too_many_arguments)]
fn record_findings(
    tx: &Conn,
    site_run: i64,
    site: &str,
    as_of: &str,
    stats: &CrawlStats,
    findings: &[Finding],
    score: f64,
    verdict: Verdict,
    score_detail: &serde_json::Value,
) -> DbResult<FindingDiff> {
    let previous: Option<i64> = tx
        .prepare_cached(
            "SELECT MAX(id) FROM site_runs WHERE site = ?1 AND status = 'done' AND id < ?2",
        )?
        .query_row(params![site, site_run], |r| r.get(0))?;
    tx.prepare_cached("DELETE FROM findings WHERE site_run = ?1")?
        .execute([site_run])?;

    let mut upsert_key = tx.prepare_cached(
        "INSERT INTO finding_keys (site, rule, target, first_seen_site_run, first_seen_at, \
                                   last_seen_site_run, last_seen_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5) \
         ON CONFLICT (site, rule, target) DO UPDATE SET \
           first_seen_site_run = CASE WHEN excluded.first_seen_site_run < finding_keys.first_seen_site_run \
                                      THEN excluded.first_seen_site_run ELSE finding_keys.first_seen_site_run END, \
           first_seen_at = CASE WHEN excluded.first_seen_site_run < finding_keys.first_seen_site_run \
                                THEN excluded.first_seen_at ELSE finding_keys.first_seen_at END, \
           last_seen_site_run = CASE WHEN excluded.last_seen_site_run > finding_keys.last_seen_site_run \
                                     THEN excluded.last_seen_site_run ELSE finding_keys.last_seen_site_run END, \
           last_seen_at = CASE WHEN excluded.last_seen_site_run > finding_keys.last_seen_site_run \
                               THEN excluded.last_seen_at ELSE finding_keys.last_seen_at END",
    )?;
    let mut key_id = tx.prepare_cached(
        "SELECT id FROM finding_keys WHERE site = ?1 AND rule = ?2 AND target = ?3",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO findings (site_run, finding_key, rule, kind, points, url, page, evidence, message) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut current_keys = Vec::with_capacity(findings.len());
    for f in findings {
        let target = target_of(f);
        upsert_key.execute(params![site, f.rule, target, site_run, as_of])?;
        let key: i64 = key_id.query_row(params![site, f.rule, target], |r| r.get(0))?;
        insert.execute(params![
            site_run,
            key,
            f.rule,
            enum_text(&f.kind)?,
            f.points,
            f.url,
            f.page,
            to_json(&f.evidence)?,
            f.message
        ])?;
        current_keys.push(key);
    }

    tx.prepare_cached(
        "UPDATE site_runs SET status = 'done', error = NULL, finished = ?2, stats = ?3, \
         score = ?4, verdict = ?5, score_json = ?6 WHERE id = ?1",
    )?
    .execute(params![
        site_run,
        time_text(&now()),
        to_json(stats)?,
        score,
        verdict.zh(),
        to_json(score_detail)?
    ])?;

    let before = match previous {
        Some(p) => findings_of(tx, p)?,
        None => Vec::new(),
    };
    let before_keys: HashSet<i64> = before.iter().map(|(k, _)| *k).collect();
    let now_keys: HashSet<i64> = current_keys.iter().copied().collect();
    let mut diff = FindingDiff::default();
    for (key, f) in current_keys.iter().zip(findings) {
        if before_keys.contains(key) {
            diff.persisting.push(f.clone());
        } else {
            diff.new.push(f.clone());
        }
    }
    diff.fixed = before
        .into_iter()
        .filter(|(k, _)| !now_keys.contains(k))
        .map(|(_, f)| f)
        .collect();
    Ok(diff)
}
