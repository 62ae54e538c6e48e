//! Availability probes and the per-scan IPv6 summary (schema version 2).

use super::db::{params, DbResult, OptionalExtension};
use chrono::{DateTime, FixedOffset};

use super::{
    col_json, col_time, int, int_usize, to_json, IpFamily, Ipv6Summary, Probe, Result, SiteRunId,
    Store,
};

/// Probe times are kept in UTC with a fixed width, so that text order is time order and a
/// time range is a plain comparison; they are read back in China Standard Time.
fn utc_text(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Store {
    /// Record probes of sites' home pages, in one transaction.
    pub fn save_probes(&mut self, probes: &[Probe]) -> Result<()> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| super::StoreError::from_db("save probes to", &self.path, e))?;
        (|| -> DbResult<()> {
            let mut insert = tx.prepare_cached(
                "INSERT INTO probes (site, at, family, address, ok, status, latency_ms, error) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for p in probes {
                insert.execute(params![
                    p.site,
                    utc_text(&p.at),
                    p.family.number(),
                    p.address,
                    p.ok,
                    p.status,
                    p.latency_ms.map(int),
                    p.error
                ])?;
            }
            Ok(())
        })()
        .and_then(|()| tx.commit())
        .map_err(|e| super::StoreError::from_db("save probes to", &self.path, e))
    }

    /// The probes of a site taken in `[from, to)`, oldest first.
    pub fn probes(
        &self,
        site: &str,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Vec<Probe>> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT site, at, family, address, ok, status, latency_ms, error FROM probes \
                 WHERE site = ?1 AND at >= ?2 AND at < ?3 ORDER BY at, id",
            )
            .and_then(|mut st| {
                st.query_map(params![site, utc_text(&from), utc_text(&to)], |row| {
                    let family: i64 = row.get(2)?;
                    let latency: Option<i64> = row.get(6)?;
                    Ok(Probe {
                        site: row.get(0)?,
                        at: col_time(row, 1)?.with_timezone(&crate::asof::cst()),
                        family: IpFamily::from_number(family).ok_or_else(|| {
                            super::bad(2, format!("unknown address family {family}"))
                        })?,
                        address: row.get(3)?,
                        ok: row.get(4)?,
                        status: row.get(5)?,
                        latency_ms: latency
                            .map(u64::try_from)
                            .transpose()
                            .map_err(|e| super::db::bad(6, e))?,
                        error: row.get(7)?,
                    })
                })?
                .collect::<DbResult<Vec<_>>>()
            })
            .map_err(|e| self.err(&format!("read the probes of site {site} from"), e))?;
        Ok(rows)
    }

    /// Record a site's IPv6 support as measured in a scan (replacing an earlier record).
    pub fn save_site_ipv6(&mut self, site_run: SiteRunId, summary: &Ipv6Summary) -> Result<()> {
        let action = format!("save the IPv6 summary of site run {site_run} to");
        self.conn
            .prepare_cached(
                "INSERT INTO site_ipv6 (site_run, has_aaaa, home_reachable, links_checked, \
                 links_reachable, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (site_run) DO UPDATE SET has_aaaa = excluded.has_aaaa, \
                 home_reachable = excluded.home_reachable, links_checked = excluded.links_checked, \
                 links_reachable = excluded.links_reachable, detail = excluded.detail",
            )
            .and_then(|mut st| {
                st.execute(params![
                    site_run.0,
                    summary.has_aaaa,
                    summary.home_reachable,
                    int_usize(summary.links_checked),
                    int_usize(summary.links_reachable),
                    to_json(&summary.detail)?
                ])
            })
            .map_err(|e| self.err(&action, e))?;
        Ok(())
    }

    /// A site run's IPv6 summary, if one was recorded.
    pub fn site_ipv6(&self, site_run: SiteRunId) -> Result<Option<Ipv6Summary>> {
        self.conn
            .prepare_cached(
                "SELECT has_aaaa, home_reachable, links_checked, links_reachable, detail \
                 FROM site_ipv6 WHERE site_run = ?1",
            )
            .and_then(|mut st| {
                st.query_row([site_run.0], |row| {
                    Ok(Ipv6Summary {
                        has_aaaa: row.get(0)?,
                        home_reachable: row.get(1)?,
                        links_checked: super::col_usize(row, 2)?,
                        links_reachable: super::col_usize(row, 3)?,
                        detail: col_json(row, 4)?,
                    })
                })
                .optional()
            })
            .map_err(|e| {
                self.err(
                    &format!("read the IPv6 summary of site run {site_run} from"),
                    e,
                )
            })
    }
}
