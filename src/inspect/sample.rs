//! The quarterly spot check (季抽查): which sites are drawn for a deeper check this quarter.
//!
//! The draw is stratified by level and kind (省级门户, 市级部门…): from each stratum
//! `ceil(ratio × n)` sites, at least `min_per_stratum`. Last quarter's 不合格 sites are always
//! drawn (they count towards their stratum's share); the rest of each stratum's share is
//! drawn at random with ChaCha8 seeded from `seed` (by default from the quarter itself), over
//! the sites sorted by name — so the same configuration, store and seed give the same sample
//! on every machine, and the order of the sites in the configuration does not matter.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;

use super::InspectError;
use crate::config::{Config, SiteConfig, SiteKind, SiteLevel};
use crate::finding::Verdict;
use crate::report::bulletin::Period;
use crate::store::{SiteRunStatus, Store};

/// Why a site is in the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// 不合格 in a scan of last quarter: always drawn.
    FailedLastQuarter,
    /// Drawn at random from its stratum.
    Drawn,
}

impl Reason {
    /// Chinese, for the list.
    pub fn zh(self) -> &'static str {
        match self {
            Reason::FailedLastQuarter => "上季度不合格（必抽）",
            Reason::Drawn => "随机抽取",
        }
    }
}

/// A site in the sample.
#[derive(Debug, Clone, Serialize)]
pub struct Sampled {
    pub name: String,
    pub url: String,
    pub level: SiteLevel,
    pub kind: SiteKind,
    pub reason: Reason,
}

/// One stratum of the draw.
#[derive(Debug, Clone, Serialize)]
pub struct Stratum {
    pub level: SiteLevel,
    pub kind: SiteKind,
    /// Sites configured in the stratum, and drawn from it.
    pub sites: usize,
    pub drawn: usize,
}

/// The quarter's sample.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// `2026Q4`.
    pub quarter: String,
    pub ratio: f64,
    pub min_per_stratum: usize,
    /// The seed the draw used (give it again to draw the same sample).
    pub seed: u64,
    pub strata: Vec<Stratum>,
    /// The sites drawn, by level, kind and name.
    pub sites: Vec<Sampled>,
}

/// How to draw.
#[derive(Debug, Clone)]
pub struct SampleRequest {
    pub quarter: Period,
    /// Overrides of the configuration's `[sample]`.
    pub ratio: Option<f64>,
    pub seed: Option<u64>,
}

/// The default seed of a quarter: the same every time the quarter is drawn.
pub fn quarter_seed(quarter: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(format!("govscan-sample-{quarter}").as_bytes())
}

/// The sites that were 不合格 in a finished scan of `period` (from the store's history).
fn failed_in(
    store: &Store,
    sites: &[SiteConfig],
    period: Period,
) -> Result<Vec<String>, InspectError> {
    let (from, to) = period.bounds();
    let mut failed = Vec::new();
    for s in sites {
        let rows = store.history(&s.name)?;
        let hit = rows.iter().any(|r| {
            let d = r.as_of.date_naive();
            r.status == SiteRunStatus::Done
                && d >= from
                && d < to
                && r.verdict == Some(Verdict::Fail)
        });
        if hit {
            failed.push(s.name.clone());
        }
    }
    Ok(failed)
}

/// Draw the quarter's sample from the configured sites. Without a store, no site is known to
/// have failed last quarter.
pub fn draw(
    config: &Config,
    store: Option<&Store>,
    req: &SampleRequest,
) -> Result<Sample, InspectError> {
    let Period::Quarter { .. } = req.quarter else {
        return Err(InspectError::Usage(format!(
            "`{}` is not a quarter like 2026Q4",
            req.quarter.label()
        )));
    };
    let settings = &config.sample;
    let ratio = req.ratio.unwrap_or(settings.ratio);
    if !(ratio > 0.0 && ratio <= 1.0) {
        return Err(InspectError::Usage(format!(
            "{ratio} is not a share of the sites: use a number above 0 and at most 1"
        )));
    }
    let label = req.quarter.label();
    let seed = req
        .seed
        .or(settings.seed)
        .unwrap_or_else(|| quarter_seed(&label));
    let must: Vec<String> = match (store, settings.include_failed) {
        (Some(store), true) => failed_in(store, &config.sites, req.quarter.previous())?,
        _ => Vec::new(),
    };
    let mut by_stratum: BTreeMap<(SiteLevel, SiteKind), Vec<&SiteConfig>> = BTreeMap::new();
    for s in &config.sites {
        by_stratum.entry((s.level, s.kind)).or_default().push(s);
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut strata = Vec::new();
    let mut out = Vec::new();
    for ((level, kind), mut sites) in by_stratum {
        sites.sort_by(|a, b| a.name.cmp(&b.name));
        let n = sites.len();
        let share = ((ratio * n as f64).ceil() as usize)
            .max(settings.min_per_stratum)
            .min(n);
        let (forced, mut rest): (Vec<&SiteConfig>, Vec<&SiteConfig>) =
            sites.into_iter().partition(|s| must.contains(&s.name));
        rest.shuffle(&mut rng);
        let take = share.saturating_sub(forced.len());
        let mut drawn: Vec<Sampled> = forced
            .iter()
            .map(|s| (s, Reason::FailedLastQuarter))
            .chain(rest.iter().take(take).map(|s| (s, Reason::Drawn)))
            .map(|(s, reason)| Sampled {
                name: s.name.clone(),
                url: s.url.to_string(),
                level,
                kind,
                reason,
            })
            .collect();
        drawn.sort_by(|a, b| a.name.cmp(&b.name));
        strata.push(Stratum {
            level,
            kind,
            sites: n,
            drawn: drawn.len(),
        });
        out.extend(drawn);
    }
    Ok(Sample {
        quarter: label,
        ratio,
        min_per_stratum: settings.min_per_stratum,
        seed,
        strata,
        sites: out,
    })
}

/// The configured sites of a sample, in its order (for the quarterly report).
pub fn sites_of(config: &Config, sample: &Sample) -> Vec<SiteConfig> {
    sample
        .sites
        .iter()
        .filter_map(|s| config.sites.iter().find(|c| c.name == s.name).cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(n: usize) -> Config {
        let mut c = Config::default();
        for i in 0..n {
            let mut s = SiteConfig::adhoc(
                url::Url::parse(&format!("http://s{i}.example.gov.cn/")).unwrap(),
            );
            s.name = format!("站{i:02}");
            s.level = if i % 2 == 0 {
                SiteLevel::County
            } else {
                SiteLevel::City
            };
            s.kind = if i % 3 == 0 {
                SiteKind::Portal
            } else {
                SiteKind::Department
            };
            c.sites.push(s);
        }
        c
    }

    fn q4() -> SampleRequest {
        SampleRequest {
            quarter: Period::Quarter {
                year: 2026,
                quarter: 4,
            },
            ratio: None,
            seed: None,
        }
    }

    #[test]
    fn the_draw_is_reproducible_and_stratified() {
        let c = config(40);
        let a = draw(&c, None, &q4()).unwrap();
        let b = draw(&c, None, &q4()).unwrap();
        let names = |s: &Sample| s.sites.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), names(&b), "same quarter, same sample");
        assert_eq!(a.seed, quarter_seed("2026Q4"));
        // Every stratum gives ceil(0.3 × n).
        for st in &a.strata {
            assert_eq!(
                st.drawn,
                ((0.3 * st.sites as f64).ceil() as usize).min(st.sites)
            );
            let in_sample = a
                .sites
                .iter()
                .filter(|s| s.level == st.level && s.kind == st.kind)
                .count();
            assert_eq!(in_sample, st.drawn);
        }
        // The configuration's order does not matter.
        let mut shuffled = c.clone();
        shuffled.sites.reverse();
        assert_eq!(names(&draw(&shuffled, None, &q4()).unwrap()), names(&a));
        // Another seed draws another sample (40 sites: a collision is vanishingly unlikely).
        let other = draw(
            &c,
            None,
            &SampleRequest {
                seed: Some(7),
                ..q4()
            },
        )
        .unwrap();
        assert_ne!(names(&other), names(&a));
        assert_eq!(other.seed, 7);
    }

    #[test]
    fn a_month_is_not_a_quarter_and_the_ratio_is_a_share() {
        let c = config(3);
        let month = SampleRequest {
            quarter: Period::parse("2026-11").unwrap(),
            ..q4()
        };
        assert!(matches!(
            draw(&c, None, &month),
            Err(InspectError::Usage(_))
        ));
        let bad = SampleRequest {
            ratio: Some(1.5),
            ..q4()
        };
        assert!(matches!(draw(&c, None, &bad), Err(InspectError::Usage(_))));
        // Ratio 1 draws everything.
        let all = SampleRequest {
            ratio: Some(1.0),
            ..q4()
        };
        assert_eq!(draw(&c, None, &all).unwrap().sites.len(), 3);
    }
}
