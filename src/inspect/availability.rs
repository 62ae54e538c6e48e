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
    use crate::rules::params::{
        Ipv6SuccessRateParams, SiteUnreachableParams, SiteUnreachableWarnParams,
    };
    // The widest window of the availability rules in the set (none: no probe is judged).
    let windows = [
        rules
            .get("site.unreachable")
            .and_then(|r| r.typed::<SiteUnreachableParams>())
            .map(|p| p.window_days),
        rules
            .get("site.unreachable.warn")
            .and_then(|r| r.typed::<SiteUnreachableWarnParams>())
            .map(|p| p.window_days),
        rules
            .get("ipv6.success_rate")
            .and_then(|r| r.typed::<Ipv6SuccessRateParams>())
            .map(|p| p.window_days),
    ];
    let Some(days) = windows.into_iter().flatten().max() else {
        return Ok(Vec::new());
    };
    let days = i64::from(days.max(1));
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
