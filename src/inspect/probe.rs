//! The probes (`govscan probe`): one round of home-page probes (each site once over IPv4, once over IPv6,
//! each family forced), stored for `site.unreachable` and `ipv6.success_rate`; or rounds on a
//! schedule until SIGINT/SIGTERM (`--every 60m`), ending cleanly between rounds.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use futures_util::stream::{self, StreamExt};

use crate::config::{Config, SiteConfig};
use crate::crawl::probe::{family_zh, Prober};
use crate::facts::{IpFamily, Probe};
use crate::rules::RuleSet;
use crate::store::Store;

use super::InspectError;

/// Sites probed at once (each site's requests still go through its origin's rate limiter).
const SITES_AT_ONCE: usize = 16;

/// The probes of one round.
#[derive(Debug, Clone)]
pub struct ProbeRound {
    /// When the round started.
    pub started: DateTime<FixedOffset>,
    /// Two probes per site: IPv4, then IPv6.
    pub probes: Vec<Probe>,
}

impl ProbeRound {
    /// Failed probes of a family.
    pub fn failed(&self, family: IpFamily) -> usize {
        self.probes
            .iter()
            .filter(|p| p.family == family && !p.ok)
            .count()
    }

    /// A few lines for the terminal: the counts, then each failed probe.
    pub fn summary(&self) -> String {
        let sites = self.probes.len() / 2;
        let mut s = format!(
            "{} 探测{sites}个站点首页：IPv4失败{}个，IPv6失败{}个\n",
            self.started.format("%Y-%m-%d %H:%M:%S"),
            self.failed(IpFamily::V4),
            self.failed(IpFamily::V6)
        );
        for p in self.probes.iter().filter(|p| !p.ok) {
            s.push_str(&format!(
                "  {} {}：{}\n",
                p.site,
                family_zh(p.family),
                p.error.as_deref().unwrap_or("失败")
            ));
        }
        s
    }
}

/// The time a probe allows the home page: `site.unreachable`'s `timeout_secs`, else (a rule
/// set judging IPv6 only) `ipv6.unsupported`'s. A rule set with neither cannot say how long a
/// probe may wait: a usage error.
pub fn probe_timeout(rules: &RuleSet) -> Result<Duration, InspectError> {
    use crate::rules::params::{Ipv6UnsupportedParams, SiteUnreachableParams};
    rules
        .get("site.unreachable")
        .and_then(|r| r.typed::<SiteUnreachableParams>())
        .map(|p| p.timeout_secs)
        .or_else(|| {
            rules
                .get("ipv6.unsupported")
                .and_then(|r| r.typed::<Ipv6UnsupportedParams>())
                .map(|p| p.timeout_secs)
        })
        .map(Duration::from_secs)
        .ok_or_else(|| {
            InspectError::Usage(
                "the rules have neither `site.unreachable` nor `ipv6.unsupported`, whose \
                 `timeout_secs` is the probes' timeout"
                    .into(),
            )
        })
}

/// One probe round over `sites`, stored in one transaction; returns the round.
pub async fn run_probe(
    config: &Config,
    sites: &[SiteConfig],
    store: &mut Store,
    rules: &RuleSet,
) -> Result<ProbeRound, InspectError> {
    let prober = Prober::from_config(config)
        .map_err(|e| InspectError::Failed(format!("cannot start the probes: {e}")))?;
    round(&prober, sites, store, probe_timeout(rules)?).await
}

async fn round(
    prober: &Prober,
    sites: &[SiteConfig],
    store: &mut Store,
    timeout: Duration,
) -> Result<ProbeRound, InspectError> {
    let started = crate::asof::now();
    let mut per_site: Vec<(usize, Vec<Probe>)> = stream::iter(sites.iter().enumerate())
        .map(|(i, site)| async move { (i, prober.probe_site(site, timeout).await) })
        .buffer_unordered(SITES_AT_ONCE)
        .collect()
        .await;
    per_site.sort_by_key(|(i, _)| *i);
    let probes: Vec<Probe> = per_site.into_iter().flat_map(|(_, p)| p).collect();
    store.save_probes(&probes)?;
    Ok(ProbeRound { started, probes })
}

/// Probe rounds every `interval` (the first at once) until SIGINT or SIGTERM; a signal during
/// a round lets the round finish and store its probes. `on_round` sees each round (to print
/// it). Returns the number of rounds.
pub async fn probe_every(
    interval: Duration,
    config: &Config,
    sites: &[SiteConfig],
    store: &mut Store,
    rules: &RuleSet,
    on_round: impl FnMut(&ProbeRound),
) -> Result<usize, InspectError> {
    let stop = stop_signal()
        .map_err(|e| InspectError::Failed(format!("cannot listen for SIGINT/SIGTERM: {e}")))?;
    probe_until(interval, config, sites, store, rules, stop, on_round).await
}

/// [`probe_every`] with any stop condition (tests use a timer).
pub async fn probe_until(
    interval: Duration,
    config: &Config,
    sites: &[SiteConfig],
    store: &mut Store,
    rules: &RuleSet,
    stop: impl Future<Output = ()>,
    mut on_round: impl FnMut(&ProbeRound),
) -> Result<usize, InspectError> {
    let prober = Prober::from_config(config)
        .map_err(|e| InspectError::Failed(format!("cannot start the probes: {e}")))?;
    let timeout = probe_timeout(rules)?;
    let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(1)));
    // A round that overruns the interval delays the next one rather than bunching rounds.
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    let mut rounds = 0usize;
    loop {
        tokio::select! {
            biased;
            () = &mut stop => break,
            _ = ticker.tick() => {}
        }
        let r = round(&prober, sites, store, timeout).await?;
        rounds += 1;
        on_round(&r);
    }
    Ok(rounds)
}

/// A future that completes on SIGINT or SIGTERM. The handlers are installed now, so a signal
/// that arrives during a round is not lost and does not kill the process mid-write.
pub fn stop_signal() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_timeout_comes_from_the_rules() {
        let rules = RuleSet::embedded().expect("embedded rules");
        assert_eq!(
            probe_timeout(&rules).expect("a timeout"),
            Duration::from_secs(15)
        );
    }
}
