//! Snapshots of each site's 行政规范性文件 library, one per finished site run.

use super::db::params;
use chrono::{DateTime, FixedOffset};

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
                "INSERT INTO normdoc_snapshots \
                 (site_run, library_url, complete, records, snapshot) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (site_run) DO UPDATE SET library_url = excluded.library_url, \
                 complete = excluded.complete, records = excluded.records, \
                 snapshot = excluded.snapshot",
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

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use serde_json::json;
    use url::Url;

    use super::*;
    use crate::config::SiteConfig;
    use crate::crawl::CrawlStats;
    use crate::extract::normdoc::NormdocRecord;
    use crate::finding::Verdict;

    fn snap(titles: &[&str]) -> LibrarySnapshot {
        LibrarySnapshot {
            name: "行政规范性文件".into(),
            url: "https://a.gov.cn/gfxwj/".into(),
            pages_read: 1,
            pages_total: None,
            complete: true,
            records: titles
                .iter()
                .map(|t| NormdocRecord {
                    docno: None,
                    title: (*t).into(),
                    written: None,
                    published: None,
                    status: None,
                    url: None,
                    regno: None,
                    valid_until: None,
                })
                .collect(),
        }
    }

    #[test]
    fn snapshots_of_finished_scans_in_as_of_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("govscan.db")).unwrap();
        let mut site = SiteConfig::adhoc(Url::parse("https://a.gov.cn/").unwrap());
        site.name = "甲".into();
        let mut scan = |as_of: &str, titles: &[&str], finish: bool| {
            let t = DateTime::parse_from_rfc3339(as_of).unwrap();
            let run = store
                .begin_run(t, "c", "r", std::slice::from_ref(&site.name))
                .unwrap();
            let sr = store.begin_site(run, &site).unwrap();
            store.save_normdoc_snapshot(sr, &snap(titles)).unwrap();
            if finish {
                store
                    .finish_site(
                        sr,
                        &CrawlStats::default(),
                        &[],
                        90.0,
                        Verdict::Pass,
                        &json!({}),
                    )
                    .unwrap();
            }
            store.finish_run(run).unwrap();
        };
        scan("2026-11-29T02:00:00+08:00", &["一"], true);
        scan("2026-11-30T02:00:00+08:00", &["一", "二"], true);
        // A scan that did not finish the site is not a baseline.
        scan("2026-12-01T02:00:00+08:00", &["三"], false);
        let all = store.normdoc_snapshots("甲").unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].snapshot.records.len(), 2);
        let before = DateTime::parse_from_rfc3339("2026-11-30T02:00:00+08:00").unwrap();
        let prev = store.normdoc_previous("甲", before).unwrap().unwrap();
        assert_eq!(prev.snapshot.records.len(), 1);
        let first = DateTime::parse_from_rfc3339("2026-11-29T02:00:00+08:00").unwrap();
        assert!(store.normdoc_previous("甲", first).unwrap().is_none());
        assert!(store.normdoc_snapshots("乙").unwrap().is_empty());
    }
}
