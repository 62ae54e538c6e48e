//! People's decisions on findings (人工确认): confirmed or dismissed, by a finding's identity.

use super::db::params;

use super::{Result, Store};

/// A `reviews` row: site, rule, target, decision, reviewer, note, time.
type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
);
use crate::finding::{Decision, Review};

impl Store {
    /// Record a decision, replacing any earlier one on the same finding identity.
    pub fn save_review(&mut self, review: &Review) -> Result<()> {
        let action = format!(
            "record the review of {} {} {} in",
            review.site, review.rule, review.target
        );
        self.conn
            .execute(
                "INSERT INTO reviews (site, rule, target, decision, reviewer, note, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (site, rule, target) DO UPDATE SET decision = excluded.decision, \
                 reviewer = excluded.reviewer, note = excluded.note, at = excluded.at",
                params![
                    review.site,
                    review.rule,
                    review.target,
                    review.decision.as_str(),
                    review.reviewer,
                    review.note,
                    review.at
                ],
            )
            .map_err(|e| self.err(&action, e))?;
        Ok(())
    }

    /// The decisions on a site's findings (every site's with `None`), by site, rule, target.
    pub fn reviews(&self, site: Option<&str>) -> Result<Vec<Review>> {
        let action = match site {
            Some(s) => format!("read the reviews of {s} from"),
            None => "read the reviews from".to_string(),
        };
        // A store written before version 9 has no decisions (a read-only store is not
        // migrated).
        if self.schema_version()? < 9 {
            return Ok(Vec::new());
        }
        let rows: Vec<Row> = self
            .conn
            .prepare_cached(
                "SELECT site, rule, target, decision, reviewer, note, at FROM reviews \
                     WHERE CAST(?1 AS TEXT) IS NULL OR site = ?1 ORDER BY site, rule, target",
            )
            .and_then(|mut st| {
                st.query_map([site], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.err(&action, e))?;
        rows.into_iter()
            .map(|(site, rule, target, decision, reviewer, note, at)| {
                let decision =
                    Decision::parse(&decision).ok_or_else(|| super::StoreError::Other {
                        action: action.clone(),
                        file: self.path.display().to_string(),
                        message: format!("unknown decision `{decision}`"),
                    })?;
                Ok(Review {
                    site,
                    rule,
                    target,
                    decision,
                    reviewer,
                    note,
                    at,
                })
            })
            .collect()
    }
}
