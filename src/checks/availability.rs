//! Availability of the home page from the probe series (`govscan probe`): `site.unreachable`
//! (veto, 国办秘函〔2019〕19号 V2), `site.unreachable.warn` (early warning) and
//! `site.unreachable.samples` (not enough probes to judge — never a silent pass).
//!
//! The indicator judges the site as visitors reach it, so a probe round counts as failed when
//! its **IPv4** probe failed; IPv6 probes are judged by `ipv6.success_rate`. The window is the
//! `window_days` × 24 hours before the as-of time, cut into days of 24 hours counted back from
//! it, each of which must hold `min_probes_per_day` probes.

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Finding;
use crate::config::{SiteKind, SiteLevel};
use crate::facts::{IpFamily, Probe};
use crate::rules::{Rule, RuleSet};

/// Probes of one 24-hour slice of the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCount {
    /// Start of the slice.
    pub from: DateTime<FixedOffset>,
    pub probes: usize,
    pub failed: usize,
}

/// The longest run of consecutive failed probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outage {
    /// The first failed probe.
    pub start: DateTime<FixedOffset>,
    /// The first successful probe after it, or the last failed one while it goes on.
    pub end: DateTime<FixedOffset>,
    /// No successful probe followed within the window.
    pub ongoing: bool,
    pub failed_probes: usize,
    pub duration_minutes: i64,
}

/// A family's probe statistics over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    pub family: IpFamily,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub total: usize,
    pub failed: usize,
    /// `failed / total` (0 without probes).
    pub rate: f64,
    pub days: Vec<DayCount>,
    /// Days with fewer probes than required.
    pub short_days: usize,
    pub longest_outage: Option<Outage>,
}

impl Availability {
    /// Enough probes on every day of the window.
    pub fn sufficient(&self) -> bool {
        self.short_days == 0 && self.total > 0
    }
}

/// The statistics of `family`'s probes in the `window_days` before `as_of`.
pub fn availability(
    probes: &[Probe],
    family: IpFamily,
    window_days: u32,
    min_per_day: usize,
    as_of: DateTime<FixedOffset>,
) -> Availability {
    // Checked: the validator bounds `window_days`; a larger value must not overflow the date
    // arithmetic (a panic) or allocate a day per value.
    let max_days = u32::try_from(crate::rules::spec::WINDOW_DAYS_MAX).unwrap_or(u32::MAX);
    let window_days = window_days.clamp(1, max_days);
    let from = Duration::try_days(i64::from(window_days))
        .and_then(|d| as_of.checked_sub_signed(d))
        .unwrap_or(as_of);
    let mut series: Vec<&Probe> = probes
        .iter()
        .filter(|p| p.family == family && p.at >= from && p.at < as_of)
        .collect();
    series.sort_by_key(|p| p.at);
    let mut days: Vec<DayCount> = (0..window_days)
        .map(|i| DayCount {
            from: from + Duration::days(i64::from(i)),
            probes: 0,
            failed: 0,
        })
        .collect();
    for p in &series {
        let i = usize::try_from((p.at - from).num_days()).unwrap_or(0);
        if let Some(d) = days.get_mut(i) {
            d.probes += 1;
            d.failed += usize::from(!p.ok);
        }
    }
    let total = series.len();
    let failed = series.iter().filter(|p| !p.ok).count();
    let short_days = days.iter().filter(|d| d.probes < min_per_day).count();
    Availability {
        family,
        from,
        to: as_of,
        total,
        failed,
        rate: if total == 0 {
            0.0
        } else {
            failed as f64 / total as f64
        },
        days,
        short_days,
        longest_outage: longest_outage(&series),
    }
}

fn longest_outage(series: &[&Probe]) -> Option<Outage> {
    let mut best: Option<Outage> = None;
    let mut i = 0;
    while i < series.len() {
        if series[i].ok {
            i += 1;
            continue;
        }
        let start = series[i].at;
        let mut j = i;
        while j < series.len() && !series[j].ok {
            j += 1;
        }
        let (end, ongoing) = match series.get(j) {
            Some(p) => (p.at, false),
            None => (series[j - 1].at, true),
        };
        let o = Outage {
            start,
            end,
            ongoing,
            failed_probes: j - i,
            duration_minutes: (end - start).num_minutes(),
        };
        let longer = match &best {
            None => true,
            Some(b) => {
                (o.duration_minutes, o.failed_probes) > (b.duration_minutes, b.failed_probes)
            }
        };
        if longer {
            best = Some(o);
        }
        i = j;
    }
    best
}

/// A monitoring window: its days and the probes needed per day.
#[derive(Debug, Clone, Copy)]
struct Window {
    days: u32,
    per_day: usize,
}

/// The window of `site.unreachable` or `site.unreachable.warn` (their typed parameters).
fn window(rule: &Rule) -> Option<Window> {
    use crate::rules::params::{SiteUnreachableParams, SiteUnreachableWarnParams};
    if let Some(p) = rule.typed::<SiteUnreachableParams>() {
        return Some(Window {
            days: p.window_days,
            per_day: p.min_probes_per_day,
        });
    }
    rule.typed::<SiteUnreachableWarnParams>().map(|p| Window {
        days: p.window_days,
        per_day: p.min_probes_per_day,
    })
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

fn outage_text(o: &Option<Outage>) -> String {
    match o {
        None => String::new(),
        Some(o) => {
            let start = o.start.format("%m月%d日 %H:%M");
            let hours = o.duration_minutes as f64 / 60.0;
            if o.ongoing {
                format!(
                    "；最长中断自{start}起，连续{}次失败，至监测截止仍未恢复（已约{hours:.1}小时）",
                    o.failed_probes
                )
            } else {
                format!(
                    "；最长中断自{start}起约{hours:.1}小时，连续{}次失败",
                    o.failed_probes
                )
            }
        }
    }
}

fn evidence(a: &Availability, w: Window, threshold: Option<f64>) -> serde_json::Value {
    json!({
        "family": a.family,
        "window_days": w.days,
        "min_probes_per_day": w.per_day,
        "from": a.from,
        "to": a.to,
        "probes": a.total,
        "failed": a.failed,
        "rate": a.rate,
        "threshold": threshold,
        "short_days": a.short_days,
        "days": a.days,
        "longest_outage": a.longest_outage,
    })
}

/// Findings of the availability rules for one site from its probes (any families, any
/// times: the window is taken from them), judged as of `as_of`.
pub fn check(
    site_url: &str,
    level: SiteLevel,
    kind: SiteKind,
    probes: &[Probe],
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
) -> Vec<Finding> {
    use crate::rules::params::{SiteUnreachableParams, SiteUnreachableWarnParams};
    let veto = rules
        .enabled_for("site.unreachable", level, kind)
        .and_then(|r| Some((r, r.typed::<SiteUnreachableParams>()?, window(r)?)));
    let warn = rules
        .enabled_for("site.unreachable.warn", level, kind)
        .and_then(|r| Some((r, r.typed::<SiteUnreachableWarnParams>()?, window(r)?)));
    let samples = rules.enabled_for("site.unreachable.samples", level, kind);
    let stats = |w: Window| availability(probes, IpFamily::V4, w.days, w.per_day, as_of);
    let finding = |r: &Rule, evidence: serde_json::Value, message: String| Finding {
        rule: r.id.clone(),
        kind: r.kind,
        points: r.points,
        url: site_url.to_string(),
        page: None,
        evidence,
        message,
    };
    let mut out = Vec::new();
    // Whether the sample is large enough is judged by the veto rule's own window (the warning's
    // when the veto is off): the notice says so once.
    if let Some(basis) = veto.map(|(_, _, w)| w).or(warn.map(|(_, _, w)| w)) {
        let a = stats(basis);
        if !a.sufficient() {
            if let Some(s) = samples {
                let message = format!(
                    "首页可用性监测样本不足：{}天内应每天至少探测{}次，有{}天不足（共探测{}次，失败{}次，{}），无法判定“站点无法访问”指标",
                    basis.days,
                    basis.per_day,
                    a.short_days,
                    a.total,
                    a.failed,
                    percent(a.rate)
                );
                out.push(finding(s, evidence(&a, basis, None), message));
            }
            return out;
        }
    }
    if let Some((r, p, w)) = veto {
        let a = stats(w);
        let threshold = p.veto_rate;
        if a.rate >= threshold {
            let message = format!(
                "首页监测{}天内共探测{}次，失败{}次（{}），达到{}的单项否决标准{}",
                w.days,
                a.total,
                a.failed,
                percent(a.rate),
                percent(threshold),
                outage_text(&a.longest_outage)
            );
            out.push(finding(r, evidence(&a, w, Some(threshold)), message));
            return out;
        }
    }
    if let Some((r, p, w)) = warn {
        let a = stats(w);
        if a.sufficient() {
            let threshold = p.notice_rate;
            if a.rate >= threshold && a.failed > 0 {
                let message = format!(
                    "首页监测{}天内共探测{}次，失败{}次（{}），超过{}的预警线{}",
                    w.days,
                    a.total,
                    a.failed,
                    percent(a.rate),
                    percent(threshold),
                    outage_text(&a.longest_outage)
                );
                out.push(finding(r, evidence(&a, w, Some(threshold)), message));
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::checks::Kind;

    pub(crate) fn as_of() -> DateTime<FixedOffset> {
        crate::asof::parse("2026-11-30T09:00:00+08:00").expect("constant time")
    }

    /// `per_day` probes a day over `days` days before `as_of`, evenly spaced, with the probes
    /// at the given indices (0 = oldest) failed; each round has an IPv4 and an IPv6 probe, the
    /// IPv6 one always failing (IPv6 must not count for availability).
    pub(crate) fn series(days: i64, per_day: i64, failed: &[usize]) -> Vec<Probe> {
        let start = as_of() - Duration::days(days);
        let step = Duration::seconds(86_400 / per_day);
        let mut v = Vec::new();
        for i in 0..(days * per_day) {
            let at = start + step * i32::try_from(i).unwrap_or(0) + Duration::seconds(30);
            let idx = usize::try_from(i).unwrap_or(0);
            let ok = !failed.contains(&idx);
            for family in [IpFamily::V4, IpFamily::V6] {
                let ok = ok && family == IpFamily::V4;
                v.push(Probe {
                    site: "示范县人民政府".into(),
                    at,
                    family,
                    address: Some("203.0.113.7".into()),
                    ok,
                    status: ok.then_some(200),
                    latency_ms: Some(120),
                    error: (!ok).then(|| "timeout".into()),
                });
            }
        }
        v
    }

    fn rules() -> RuleSet {
        RuleSet::embedded().expect("embedded rules")
    }

    fn run(probes: &[Probe]) -> Vec<Finding> {
        check(
            "https://www.example.gov.cn/",
            SiteLevel::County,
            SiteKind::Portal,
            probes,
            &rules(),
            as_of(),
        )
    }

    #[test]
    fn six_percent_failures_are_a_veto() {
        // 50 probes a day for a week = 350; 21 failed = 6 %, 10 of them in a row.
        let mut failed: Vec<usize> = (100..110).collect();
        failed.extend([5, 40, 77, 150, 190, 220, 260, 290, 310, 330, 349]);
        assert_eq!(failed.len(), 21);
        let f = run(&series(7, 50, &failed));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "site.unreachable");
        assert_eq!(f[0].kind, Kind::Veto);
        assert_eq!(f[0].evidence["probes"], 350);
        assert_eq!(f[0].evidence["failed"], 21);
        assert!((f[0].evidence["rate"].as_f64().unwrap_or(0.0) - 0.06).abs() < 1e-9);
        let o = &f[0].evidence["longest_outage"];
        assert_eq!(o["failed_probes"], 10);
        assert_eq!(o["ongoing"], false);
        // 10 failed probes 28.8 minutes apart: from the first failure to the recovery.
        assert_eq!(o["duration_minutes"], 288);
        assert!(
            f[0].message.contains("失败21次（6.0%）"),
            "{}",
            f[0].message
        );
        assert!(f[0].message.contains("单项否决"), "{}", f[0].message);
    }

    #[test]
    fn four_percent_failures_are_a_warning() {
        // 350 probes, 14 failed = 4 %: below the 5 % veto, above the 3 % warning.
        let failed: Vec<usize> = (0..14).map(|i| i * 25).collect();
        let f = run(&series(7, 50, &failed));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "site.unreachable.warn");
        assert_eq!(f[0].kind, Kind::Notice);
        assert_eq!(f[0].evidence["failed"], 14);
        assert!(f[0].message.contains("4.0%"), "{}", f[0].message);
    }

    #[test]
    fn two_percent_failures_pass() {
        let failed: Vec<usize> = (0..7).map(|i| i * 50).collect();
        assert!(run(&series(7, 50, &failed)).is_empty());
    }

    #[test]
    fn too_few_probes_are_reported_not_passed() {
        // 10 probes a day, none failed: not enough to judge.
        let f = run(&series(7, 10, &[]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "site.unreachable.samples");
        assert_eq!(f[0].kind, Kind::Notice);
        assert_eq!(f[0].evidence["short_days"], 7);
        assert!(f[0].message.contains("监测样本不足"), "{}", f[0].message);
        // No probes at all.
        let f = run(&[]);
        assert_eq!(f[0].rule, "site.unreachable.samples");
        // Six good days and one day missing: still not enough.
        let f = run(&series(6, 50, &[]));
        assert_eq!(f[0].rule, "site.unreachable.samples");
        assert_eq!(f[0].evidence["short_days"], 1);
    }

    #[test]
    fn probes_outside_the_window_do_not_count() {
        // Two weeks of probes, the older week all failed.
        let failed: Vec<usize> = (0..350).collect();
        assert!(run(&series(14, 50, &failed)).is_empty());
    }

    #[test]
    fn an_outage_at_the_end_is_ongoing() {
        let failed: Vec<usize> = (330..350).collect();
        let f = run(&series(7, 50, &failed));
        assert_eq!(f[0].rule, "site.unreachable");
        assert_eq!(f[0].evidence["longest_outage"]["ongoing"], true);
        assert!(f[0].message.contains("仍未恢复"), "{}", f[0].message);
    }

    #[test]
    fn the_probe_timeout_defaults_to_fifteen_seconds() {
        let rules = rules();
        let r = rules.get("site.unreachable").expect("rule");
        assert_eq!(r.param_i64("timeout_secs"), 15);
        assert_eq!(r.param_i64("window_days"), 7);
        assert_eq!(r.param_i64("min_probes_per_day"), 20);
    }
}
