//! Snapshots of each site's 行政规范性文件 library, one per finished site run.

use chrono::{DateTime, FixedOffset};
use rusqlite::params;

use super::{Result, SiteRunId, Store};
use crate::extract::normdoc::LibrarySnapshot;

/// A stored snapshot with the scan it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSnapshot {
    pub site_run: SiteRunId,
    /// The as-of time of the scan.
    pub as_of: DateTime<FixedOffset>,
    pub snapshot: LibrarySnapshot,
}

impl Store {
    /// Keep the library of a site run (replacing what the site run had).
    pub fn save_normdoc_snapshot(
        &mut self,
        site_run: SiteRunId,
        snapshot: &LibrarySnapshot,
    ) -> Result<()> {
        let action = format!("save the normative-document library of site run {site_run} in");
        let json = serde_json::to_string(snapshot).map_err(|e| self.other(&action, e))?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO normdoc_snapshots \
                 (site_run, library_url, complete, records, snapshot) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    site_run.0,
                    snapshot.url,
                    snapshot.complete,
                    i64::try_from(snapshot.records.len()).unwrap_or(i64::MAX),
                    json
                ],
            )
            .map_err(|e| self.err(&action, e))?;
        Ok(())
    }

    /// The snapshots of a site's finished (done) scans, oldest first.
    pub fn normdoc_snapshots(&self, site: &str) -> Result<Vec<StoredSnapshot>> {
        let action = format!("read the normative-document libraries of {site} from");
        let rows: Vec<(i64, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT s.id, r.as_of, n.snapshot FROM normdoc_snapshots n \
                 JOIN site_runs s ON s.id = n.site_run JOIN runs r ON r.id = s.run_id \
                 WHERE s.site = ?1 AND s.status = 'done' ORDER BY r.as_of, s.id",
            )
            .and_then(|mut st| {
                st.query_map([site], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(|e| self.err(&action, e))?;
        let mut out = Vec::new();
        for (id, as_of, json) in rows {
            let as_of = DateTime::parse_from_rfc3339(&as_of).map_err(|e| self.other(&action, e))?;
            let snapshot: LibrarySnapshot =
                serde_json::from_str(&json).map_err(|e| self.other(&action, e))?;
            out.push(StoredSnapshot {
                site_run: SiteRunId(id),
                as_of,
                snapshot,
            });
        }
        out.sort_by_key(|s| (s.as_of, s.site_run.0));
        Ok(out)
    }

    /// The library as the site's latest finished scan before `before` saw it.
    pub fn normdoc_previous(
        &self,
        site: &str,
        before: DateTime<FixedOffset>,
    ) -> Result<Option<StoredSnapshot>> {
        Ok(self
            .normdoc_snapshots(site)?
            .into_iter()
            .rfind(|s| s.as_of < before))
    }

    fn other(&self, action: &str, e: impl std::fmt::Display) -> super::StoreError {
        super::StoreError::Other {
            action: action.to_string(),
            file: self.path.display().to_string(),
            message: e.to_string(),
        }
    }
}
