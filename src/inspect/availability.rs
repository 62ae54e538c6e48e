//! The availability rules judged from the probes stored by `govscan probe`: `site.unreachable`
//! with its warning and its sample notice, and `ipv6.success_rate`.

use chrono::{DateTime, FixedOffset};

use crate::checks::{self, Finding};
use crate::config::SiteConfig;
use crate::rules::RuleSet;
use crate::store::{Store, StoreError};

/// The availability findings of a site from the stored probes, judged as of `as_of`.
pub fn findings(
    store: &Store,
    site: &SiteConfig,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
) -> Result<Vec<Finding>, StoreError> {
    let days = [
        "site.unreachable",
        "site.unreachable.warn",
        "ipv6.success_rate",
    ]
    .iter()
    .filter_map(|id| rules.get(id))
    .map(|r| r.param_i64("window_days").max(1))
    .max()
    .unwrap_or(7);
    // A window the calendar cannot hold reads every probe there is.
    let from = chrono::Duration::try_days(days)
        .and_then(|d| as_of.checked_sub_signed(d))
        .unwrap_or(DateTime::<FixedOffset>::MIN_UTC.fixed_offset());
    let probes = store.probes(&site.name, from, as_of)?;
    let url = site.url.as_str();
    let mut f = checks::availability::check(url, site.level, site.kind, &probes, rules, as_of);
    f.extend(checks::ipv6::success_rate(
        url, site.level, site.kind, &probes, rules, as_of,
    ));
    Ok(f)
}
