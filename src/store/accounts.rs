//! Government new-media accounts (政务新媒体): each account once (site, feed URL), each scan
//! of it with its facts and verdict, and its findings with their identity from scan to scan
//! (account, rule, target) — new, persisting and fixed against the account's previous scan.
//! Accounts are kept apart from their site's findings: an account never changes its site's
//! record.

use super::db::{params, Conn, DbResult, OptionalExtension};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{
    col_enum, col_json, col_time, col_time_opt, enum_text, int_usize, time_text, to_json,
    FindingDiff, FindingStatus, Result, RunId, Store, StoreError,
};
use crate::config::Platform;
use crate::crawl::feeds::AccountFacts;
use crate::finding::{Finding, Verdict};

/// One scan of an account as judged, to record.
#[derive(Debug, Clone)]
pub struct AccountScan<'a> {
    pub facts: &'a AccountFacts,
    pub verdict: Verdict,
    /// Why it could not be judged (无法检查 / 被拦截).
    pub reason: Option<&'a str>,
    pub findings: &'a [Finding],
    /// Newest post on or before the as-of time.
    pub newest: Option<DateTime<FixedOffset>>,
    /// Posts within `window_days` (the `feed.stale` window), when the feed was read.
    pub window_days: Option<i64>,
    pub posts: Option<usize>,
    /// Listed as a dormant (僵尸) account.
    pub dormant: bool,
}

/// An account with its latest scan, as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountRow {
    pub site: String,
    pub platform: Platform,
    pub name: String,
    pub unit: String,
    pub feed: String,
    pub discovered: bool,
    pub run: RunId,
    pub as_of: DateTime<FixedOffset>,
    /// The feed was read.
    pub read_ok: bool,
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub newest: Option<DateTime<FixedOffset>>,
    pub window_days: Option<i64>,
    pub posts: Option<usize>,
    pub dormant: bool,
    /// Failed reads in a row up to this scan.
    pub failures_in_a_row: usize,
    /// The findings of this scan with their status, and the findings fixed since the
    /// previous one.
    pub findings: Vec<AccountFinding>,
}

/// A finding of an account with its history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountFinding {
    pub status: FindingStatus,
    pub first_seen_at: DateTime<FixedOffset>,
    pub last_seen_at: DateTime<FixedOffset>,
    pub finding: Finding,
}

impl AccountRow {
    /// The findings that stand (new and persisting), not the fixed ones.
    pub fn problems(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.status != FindingStatus::Fixed)
            .map(|f| &f.finding)
    }
}

fn account_id(tx: &Conn, a: &AccountFacts) -> DbResult<i64> {
    tx.prepare_cached(
        "INSERT INTO accounts (site, feed, platform, name, unit, discovered) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (site, feed) DO UPDATE SET platform = excluded.platform, \
             name = excluded.name, unit = excluded.unit, discovered = excluded.discovered \
         RETURNING id",
    )?
    .query_row(
        params![
            a.site,
            a.feed_url,
            enum_text(&a.platform)?,
            a.name,
            a.unit,
            a.discovered
        ],
        |r| r.get(0),
    )
}

const F_COLS: &str = "f.rule, f.kind, f.points, f.url, f.page, f.evidence, f.message";

fn findings_of_scan(tx: &Conn, scan: i64) -> DbResult<Vec<(i64, Finding)>> {
    let sql = format!(
        "SELECT f.finding_key, {F_COLS} FROM account_findings f WHERE f.scan = ?1 ORDER BY f.id"
    );
    tx.prepare_cached(&sql)?
        .query_map([scan], |row| {
            Ok((
                row.get(0)?,
                Finding {
                    rule: row.get(1)?,
                    kind: col_enum(row, 2)?,
                    points: row.get(3)?,
                    url: row.get(4)?,
                    page: row.get(5)?,
                    evidence: col_json(row, 6)?,
                    message: row.get(7)?,
                },
            ))
        })?
        .collect()
}

impl Store {
    /// Record one scan of an account in run `run` (its as-of time is the run's). Returns how
    /// its findings changed against the account's previous scan; nothing counts as fixed when
    /// this scan could not judge the account (无法检查 / 被拦截). Recording the same account in
    /// the same run again replaces the first record.
    pub fn save_account(&mut self, run: RunId, scan: &AccountScan<'_>) -> Result<FindingDiff> {
        let action = format!(
            "record the account {} of {} in",
            scan.facts.name, scan.facts.site
        );
        let tx = self
            .conn
            .transaction()
            .map_err(|e| StoreError::from_db(&action, &self.path, e))?;
        let diff = record(&tx, run, scan)
            .and_then(|d| tx.commit().map(|()| d))
            .map_err(|e| StoreError::from_db(&action, &self.path, e))?;
        Ok(diff)
    }

    /// Failed reads in a row of an account's feed in its scans before run `before` (the
    /// newest first, stopping at the first read).
    pub fn account_failures_before(&self, site: &str, feed: &str, before: RunId) -> Result<usize> {
        let rows: Vec<bool> = self
            .conn
            .prepare_cached(
                "SELECT s.read_ok FROM account_scans s JOIN accounts a ON a.id = s.account \
                 WHERE a.site = ?1 AND a.feed = ?2 AND s.run_id < ?3 ORDER BY s.id DESC LIMIT 1000",
            )
            .and_then(|mut st| {
                st.query_map(params![site, feed, before.0], |r| r.get(0))?
                    .collect()
            })
            .map_err(|e| self.err("read the history of an account from", e))?;
        Ok(rows.iter().take_while(|ok| !**ok).count())
    }

    /// Every account with its latest scan (of `site` only, when given), optionally only
    /// scans with an as-of time up to `until`; sorted by site, platform and name.
    pub fn accounts(
        &self,
        site: Option<&str>,
        until: Option<DateTime<FixedOffset>>,
    ) -> Result<Vec<AccountRow>> {
        let err = |e| self.err("read the accounts from", e);
        let scans: Vec<(i64, i64, AccountRow)> = self
            .conn
            .prepare_cached(
                "SELECT a.id, s.id, a.site, a.platform, a.name, a.unit, a.feed, a.discovered, \
                        s.run_id, s.as_of, s.read_ok, s.verdict, s.reason, s.newest, \
                        s.window_days, s.posts, s.dormant \
                 FROM accounts a JOIN account_scans s ON s.account = a.id \
                 WHERE (CAST(?1 AS TEXT) IS NULL OR a.site = ?1) ORDER BY a.id, s.id",
            )
            .and_then(|mut st| {
                st.query_map(params![site], |row| {
                    let verdict: String = row.get(11)?;
                    let posts: Option<i64> = row.get(15)?;
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        AccountRow {
                            site: row.get(2)?,
                            platform: col_enum(row, 3)?,
                            name: row.get(4)?,
                            unit: row.get(5)?,
                            feed: row.get(6)?,
                            discovered: row.get(7)?,
                            run: RunId(row.get(8)?),
                            as_of: col_time(row, 9)?,
                            read_ok: row.get(10)?,
                            verdict: Verdict::from_zh(&verdict).unwrap_or(Verdict::NotInspected),
                            reason: row.get(12)?,
                            newest: col_time_opt(row, 13)?,
                            window_days: row.get(14)?,
                            posts: posts.and_then(|p| usize::try_from(p).ok()),
                            dormant: row.get(16)?,
                            failures_in_a_row: 0,
                            findings: Vec::new(),
                        },
                    ))
                })?
                .collect::<DbResult<Vec<_>>>()
            })
            .map_err(err)?;
        // The latest scan of each account (up to `until`), the one before, and the failures.
        let mut out: Vec<AccountRow> = Vec::new();
        let mut i = 0;
        while i < scans.len() {
            let account = scans[i].0;
            let mut j = i;
            while j < scans.len() && scans[j].0 == account {
                j += 1;
            }
            let mine: Vec<&(i64, i64, AccountRow)> = scans[i..j]
                .iter()
                .filter(|(_, _, r)| until.is_none_or(|u| r.as_of <= u))
                .collect();
            i = j;
            let Some(((_, latest, row), earlier)) = mine.split_last() else {
                continue;
            };
            let mut row = row.clone();
            row.failures_in_a_row = mine.iter().rev().take_while(|(_, _, r)| !r.read_ok).count();
            let keys = self.account_keys(account).map_err(err)?;
            let now = findings_of_scan(&self.conn, *latest).map_err(err)?;
            for (key, f) in now {
                let first = keys.iter().find(|k| k.0 == key);
                row.findings.push(AccountFinding {
                    status: if first.is_some_and(|k| k.1 == *latest) {
                        FindingStatus::New
                    } else {
                        FindingStatus::Persisting
                    },
                    first_seen_at: first.map_or(row.as_of, |k| k.2),
                    last_seen_at: row.as_of,
                    finding: f,
                });
            }
            if let (Some((_, prev, _)), true) = (earlier.last(), row.verdict.inspected()) {
                let present: Vec<(String, String)> = row
                    .findings
                    .iter()
                    .map(|f| (f.finding.rule.clone(), f.finding.url.trim().to_string()))
                    .collect();
                for (_, f) in findings_of_scan(&self.conn, *prev).map_err(err)? {
                    if present.contains(&(f.rule.clone(), f.url.trim().to_string())) {
                        continue;
                    }
                    let key = keys.iter().find(|k| k.3 == f.rule && k.4 == f.url.trim());
                    row.findings.push(AccountFinding {
                        status: FindingStatus::Fixed,
                        first_seen_at: key.map_or(row.as_of, |k| k.2),
                        last_seen_at: key.map_or(row.as_of, |k| k.5),
                        finding: f,
                    });
                }
            }
            out.push(row);
        }
        out.sort_by(|a, b| (&a.site, a.platform, &a.name).cmp(&(&b.site, b.platform, &b.name)));
        Ok(out)
    }

    /// (key id, first seen scan, first seen at, rule, target, last seen at) of an account.
    #[allow(clippy::type_complexity)]
    fn account_keys(
        &self,
        account: i64,
    ) -> DbResult<
        Vec<(
            i64,
            i64,
            DateTime<FixedOffset>,
            String,
            String,
            DateTime<FixedOffset>,
        )>,
    > {
        self.conn
            .prepare_cached(
                "SELECT id, first_seen_scan, first_seen_at, rule, target, last_seen_at \
                 FROM account_finding_keys WHERE account = ?1",
            )?
            .query_map([account], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    col_time(r, 2)?,
                    r.get(3)?,
                    r.get(4)?,
                    col_time(r, 5)?,
                ))
            })?
            .collect()
    }
}

fn record(tx: &Conn, run: RunId, scan: &AccountScan<'_>) -> DbResult<FindingDiff> {
    let a = scan.facts;
    let account = account_id(tx, a)?;
    let as_of: String = tx.query_row("SELECT as_of FROM runs WHERE id = ?1", [run.0], |r| {
        r.get(0)
    })?;
    // An earlier record of this account in this run is replaced in place: its findings
    // go, and the keys only it had seen.
    let old: Option<i64> = tx
        .query_row(
            "SELECT id FROM account_scans WHERE run_id = ?1 AND account = ?2",
            params![run.0, account],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(old) = old {
        tx.execute("DELETE FROM account_findings WHERE scan = ?1", [old])?;
        tx.execute(
            "DELETE FROM account_finding_keys WHERE first_seen_scan = ?1",
            [old],
        )?;
    }
    let values = params![
        account,
        run.0,
        as_of,
        a.read(),
        scan.verdict.zh(),
        scan.reason,
        scan.newest.as_ref().map(time_text),
        scan.window_days,
        scan.posts.map(int_usize),
        scan.dormant,
        to_json(a)?,
    ];
    let scan_id: i64 = match old {
        Some(old) => {
            tx.execute(
                "UPDATE account_scans SET account = ?1, run_id = ?2, as_of = ?3, read_ok = ?4, \
                     verdict = ?5, reason = ?6, newest = ?7, window_days = ?8, posts = ?9, \
                     dormant = ?10, facts = ?11 WHERE id = ?12",
                params![
                    account,
                    run.0,
                    as_of,
                    a.read(),
                    scan.verdict.zh(),
                    scan.reason,
                    scan.newest.as_ref().map(time_text),
                    scan.window_days,
                    scan.posts.map(int_usize),
                    scan.dormant,
                    to_json(a)?,
                    old
                ],
            )?;
            old
        }
        None => tx
            .prepare_cached(
                "INSERT INTO account_scans (account, run_id, as_of, read_ok, verdict, reason, \
                     newest, window_days, posts, dormant, facts) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
            )?
            .query_row(values, |r| r.get(0))?,
    };
    let previous: Option<i64> = tx
        .query_row(
            "SELECT id FROM account_scans WHERE account = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1",
            params![account, scan_id],
            |r| r.get(0),
        )
        .optional()?;
    let before: Vec<(i64, Finding)> = match previous {
        Some(p) => findings_of_scan(tx, p)?,
        None => Vec::new(),
    };
    let mut diff = FindingDiff::default();
    let mut present: Vec<i64> = Vec::new();
    for f in scan.findings {
        let target = f.url.trim();
        let key: i64 = tx
            .prepare_cached(
                "INSERT INTO account_finding_keys (account, rule, target, first_seen_scan, \
                     first_seen_at, last_seen_scan, last_seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?4, ?5) \
                 ON CONFLICT (account, rule, target) DO UPDATE SET \
                     last_seen_scan = excluded.last_seen_scan, last_seen_at = excluded.last_seen_at \
                 RETURNING id",
            )?
            .query_row(params![account, f.rule, target, scan_id, as_of], |r| r.get(0))?;
        tx.prepare_cached(
            "INSERT INTO account_findings (scan, finding_key, rule, kind, points, url, page, \
                 evidence, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            scan_id,
            key,
            f.rule,
            enum_text(&f.kind)?,
            f.points,
            f.url,
            f.page,
            to_json(&f.evidence)?,
            f.message
        ])?;
        present.push(key);
        if before.iter().any(|(k, _)| *k == key) {
            diff.persisting.push(f.clone());
        } else {
            diff.new.push(f.clone());
        }
    }
    if scan.verdict.inspected() {
        diff.fixed = before
            .into_iter()
            .filter(|(k, _)| !present.contains(k))
            .map(|(_, f)| f)
            .collect();
    }
    Ok(diff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::LinkStatus;
    use crate::finding::Kind;

    fn facts(read: bool) -> AccountFacts {
        AccountFacts {
            site: "某县".into(),
            platform: Platform::Weibo,
            name: "某县微博".into(),
            unit: "县委宣传部".into(),
            feed_url: "http://rss.example.gov.cn/wb.xml".into(),
            discovered: false,
            found_on: None,
            status: if read {
                LinkStatus::Ok { status: 200 }
            } else {
                LinkStatus::HttpError { status: 404 }
            },
            parse_error: None,
            feed: read.then(Default::default),
            links: Vec::new(),
            failures_before: 0,
        }
    }

    fn finding(rule: &str, url: &str) -> Finding {
        Finding {
            rule: rule.into(),
            kind: Kind::Veto,
            points: 0.0,
            url: url.into(),
            page: None,
            evidence: serde_json::json!({}),
            message: "m".into(),
        }
    }

    fn save(
        store: &mut Store,
        day: &str,
        f: &AccountFacts,
        findings: &[Finding],
        v: Verdict,
    ) -> FindingDiff {
        let as_of = DateTime::parse_from_rfc3339(&format!("{day}T10:00:00+08:00")).unwrap();
        let run = store.begin_run(as_of, "c", "r", &["某县".into()]).unwrap();
        let scan = AccountScan {
            facts: f,
            verdict: v,
            reason: None,
            findings,
            newest: None,
            window_days: Some(14),
            posts: Some(0),
            dormant: false,
        };
        // Recording twice in a run replaces the first record.
        store.save_account(run, &scan).unwrap();
        store.save_account(run, &scan).unwrap()
    }

    #[test]
    fn accounts_keep_their_findings_across_scans_apart_from_sites() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let stale = finding("feed.stale", "http://rss.example.gov.cn/wb.xml");
        let link = finding("link.broken", "http://a.gov.cn/1");
        let d1 = save(
            &mut store,
            "2026-11-01",
            &facts(true),
            &[stale.clone(), link.clone()],
            Verdict::Fail,
        );
        assert_eq!(
            (d1.new.len(), d1.persisting.len(), d1.fixed.len()),
            (2, 0, 0)
        );
        let d2 = save(
            &mut store,
            "2026-11-02",
            &facts(true),
            std::slice::from_ref(&link),
            Verdict::Pass,
        );
        assert_eq!(
            (d2.new.len(), d2.persisting.len(), d2.fixed.len()),
            (0, 1, 1)
        );
        let rows = store.accounts(None, None).unwrap();
        assert_eq!(rows.len(), 1);
        let st: Vec<(&str, FindingStatus)> = rows[0]
            .findings
            .iter()
            .map(|f| (f.finding.rule.as_str(), f.status))
            .collect();
        assert_eq!(
            st,
            vec![
                ("link.broken", FindingStatus::Persisting),
                ("feed.stale", FindingStatus::Fixed)
            ]
        );
        // As of the first day, the first scan is the latest.
        let until = DateTime::parse_from_rfc3339("2026-11-01T23:00:00+08:00").unwrap();
        let rows = store.accounts(Some("某县"), Some(until)).unwrap();
        assert_eq!(rows[0].findings.len(), 2);
        assert!(rows[0]
            .findings
            .iter()
            .all(|f| f.status == FindingStatus::New));
        // Failed reads in a row; an unread scan fixes nothing.
        let broken = finding("feed.broken", "http://rss.example.gov.cn/wb.xml");
        save(
            &mut store,
            "2026-11-03",
            &facts(false),
            std::slice::from_ref(&broken),
            Verdict::NotInspected,
        );
        let d4 = save(
            &mut store,
            "2026-11-04",
            &facts(false),
            std::slice::from_ref(&broken),
            Verdict::NotInspected,
        );
        assert!(d4.fixed.is_empty());
        assert_eq!(
            store
                .account_failures_before(
                    "某县",
                    "http://rss.example.gov.cn/wb.xml",
                    RunId(i64::MAX)
                )
                .unwrap(),
            2
        );
        let rows = store.accounts(None, None).unwrap();
        assert_eq!(rows[0].failures_in_a_row, 2);
        assert!(!rows[0].read_ok);
        // Nothing of it is a site's finding.
        assert!(store.findings(&Default::default()).unwrap().is_empty());
    }
}
