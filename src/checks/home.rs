//! `home.not_updated` (veto) and `home.not_updated.warn` (notice): the newest dated item on
//! the home page. A navigation-only home page (no list items at all) is judged by its
//! second-level pages (depth 1): their list items and the publication dates of the articles
//! among them. Items without a date never count as new.

use chrono::NaiveDate;
use serde_json::json;

use super::Finding;
use crate::crawl::{PageRecord, SiteFacts};
use crate::rules::params::HomeNotUpdatedParams;
use crate::rules::RuleSet;

/// The newest date on these pages, not after `as_of`, with the page it is on.
fn newest<'a>(
    pages: impl Iterator<Item = &'a PageRecord>,
    as_of: NaiveDate,
) -> Option<(NaiveDate, &'a PageRecord)> {
    let mut best: Option<(NaiveDate, &PageRecord)> = None;
    for p in pages {
        let dates = p.facts.dates.iter().chain(p.facts.pub_date.iter());
        for d in dates
            .filter_map(|d| d.resolve(as_of))
            .filter(|d| *d <= as_of)
        {
            if best.is_none_or(|(b, _)| b < d) {
                best = Some((d, p));
            }
        }
    }
    best
}

/// What the home-page rules judge.
struct Judged<'a> {
    newest: Option<(NaiveDate, &'a PageRecord)>,
    /// "首页" or "首页（导航页）的二级页面".
    place: &'static str,
    undated: u32,
    pages: usize,
}

fn judge<'a>(
    facts: &'a SiteFacts,
    home: &'a PageRecord,
    params: &HomeNotUpdatedParams,
    as_of: NaiveDate,
) -> Judged<'a> {
    let nav_only = home.facts.item_count() == 0;
    if nav_only && params.nav_home_uses_second_level {
        let pages: Vec<&PageRecord> = facts
            .pages
            .iter()
            .filter(|p| p.depth == 1 && p.status.is_ok())
            .collect();
        Judged {
            newest: newest(pages.iter().copied(), as_of),
            place: "首页（导航页）的二级页面",
            undated: pages.iter().map(|p| p.facts.undated_items).sum(),
            pages: pages.len(),
        }
    } else {
        Judged {
            newest: newest(std::iter::once(home), as_of),
            place: "首页",
            undated: home.facts.undated_items,
            pages: 1,
        }
    }
}

/// The home-page update findings.
pub fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(home) = facts.home.as_ref().filter(|h| h.status.is_ok()) else {
        return out;
    };
    let mut vetoed = false;
    for id in ["home.not_updated", "home.not_updated.warn"] {
        let Some(rule) = rules.enabled_for(id, facts.level, facts.kind) else {
            continue;
        };
        let Some(params) = rule.typed::<HomeNotUpdatedParams>() else {
            continue;
        };
        if vetoed {
            continue;
        }
        let j = judge(facts, home, params, as_of);
        let window = params.window_days;
        let message = match j.newest {
            Some((d, _)) => {
                let age = (as_of - d).num_days();
                if age <= window {
                    continue;
                }
                format!(
                    "{}超过 {window} 天没有新信息：最新信息发布于 {d}（距检查时 {age} 天）",
                    j.place
                )
            }
            None if !params.undated_counts_as_stale => continue,
            None if j.undated > 0 => format!(
                "{}没有标注发布日期的信息（{} 条信息均未标注日期），视为未更新",
                j.place, j.undated
            ),
            None => format!("{}未发现任何带发布日期的信息，视为未更新", j.place),
        };
        vetoed = id == "home.not_updated";
        out.push(Finding {
            rule: rule.id.clone(),
            kind: rule.kind,
            points: rule.points,
            url: home.url.clone(),
            page: j.newest.map(|(_, p)| p.url.clone()),
            evidence: json!({
                "where": j.place,
                "pages_looked_at": j.pages,
                "window_days": window,
                "newest_date": j.newest.map(|(d, _)| d.to_string()),
                "newest_on": j.newest.map(|(_, p)| p.url.as_str()),
                "age_days": j.newest.map(|(d, _)| (as_of - d).num_days()),
                "dated_items": home.facts.dated_items,
                "undated_items": j.undated,
                "as_of": as_of.to_string(),
            }),
            message,
        });
    }
    out
}

#[cfg(test)]
#[path = "home_tests.rs"]
mod tests;
