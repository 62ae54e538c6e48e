//! New-media accounts (政务新媒体) judged as entities of their own: pure functions of an
//! account's facts, the rules and the as-of time. `feed.stale` (no post within its window:
//! veto), `feed.late` (no post within its shorter window: deduction), `feed.zombie` (no post
//! for months: listed as a dormant 僵尸 account), `feed.broken` (the feed cannot be read, or
//! its entries carry no dates; repeated failures said so), `wording.serious` on the entries'
//! titles and text, and `link.broken` for the entries' links with the account as the page.
//! Any veto makes the account 不合格; an account never changes its site's verdict.

use chrono::{DateTime, FixedOffset};
use serde_json::json;

use super::Finding;
use crate::crawl::feeds::AccountFacts;
use crate::crawl::LinkStatus;
use crate::extract::facts::{WordingKind, WordingMatcher};
use crate::extract::feeds::Activity;
use crate::finding::Verdict;
use crate::rules::{Kind, Rule, RuleSet};

/// Wording hits kept per entry.
const MAX_WORDING_PER_ENTRY: usize = 5;

/// The parameters of the feed rules (one place, easy to make a typed struct of).
#[derive(Debug, Clone)]
pub struct FeedParams {
    /// `feed.stale` `window_days`.
    pub stale_days: Option<i64>,
    /// `feed.late` `window_days`.
    pub late_days: Option<i64>,
    /// `feed.zombie` `window_days`.
    pub zombie_days: Option<i64>,
    /// `feed.broken` `consecutive_failures`.
    pub repeated_failures: Option<usize>,
}

fn enabled<'a>(rules: &'a RuleSet, id: &str) -> Option<&'a Rule> {
    rules.get(id).filter(|r| r.enabled)
}

impl FeedParams {
    /// The parameters of the enabled feed rules.
    pub fn from_rules(rules: &RuleSet) -> FeedParams {
        use crate::rules::params::{FeedBrokenParams, FeedStaleParams, FeedWindowParams};
        let days = |id: &str| {
            rules
                .enabled_params::<FeedWindowParams>(id)
                .map(|p| p.window_days)
        };
        FeedParams {
            stale_days: rules
                .enabled_params::<FeedStaleParams>("feed.stale")
                .map(|p| p.window_days),
            late_days: days("feed.late"),
            zombie_days: days("feed.zombie"),
            repeated_failures: rules
                .enabled_params::<FeedBrokenParams>("feed.broken")
                .map(|p| p.consecutive_failures),
        }
    }

    /// The windows whose post counts are reported (late, stale, zombie).
    pub fn windows(&self) -> Vec<i64> {
        [self.late_days, self.stale_days, self.zombie_days]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// An account judged.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountJudgement {
    pub findings: Vec<Finding>,
    /// 合格/不合格 when the feed was read; 无法检查 when it could not be read or has no
    /// dated entry; 被拦截 when its server refused the scanner.
    pub verdict: Verdict,
    /// Why it could not be judged, when it could not.
    pub reason: Option<String>,
    /// Its activity at the as-of time, when its feed was read.
    pub activity: Option<Activity>,
    /// Listed as a dormant (僵尸) account.
    pub dormant: bool,
    /// The `feed.stale` window: the posts within it are the account's "recent posts".
    pub window_days: Option<i64>,
}

use super::finding;

/// Judge one account at `as_of`. `wording` is the matcher of `wording.serious` (built once
/// per run: see [`crate::extract::facts::FactRules`]).
pub fn judge_account(
    a: &AccountFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    wording: Option<&WordingMatcher>,
) -> AccountJudgement {
    let p = FeedParams::from_rules(rules);
    let mut out: Vec<Finding> = Vec::new();
    let feed_url = a.feed_url.as_str();
    if let LinkStatus::Blocked { reason, .. } = &a.status {
        return AccountJudgement {
            findings: out,
            verdict: Verdict::Blocked,
            reason: Some(format!("订阅源服务器拒绝访问：{reason}")),
            activity: None,
            dormant: false,
            window_days: p.stale_days,
        };
    }
    let failed_now = a
        .feed
        .as_ref()
        .is_none_or(|f| f.total > 0 && f.undated == f.total);
    let broken = |why: String, out: &mut Vec<Finding>| {
        let Some(rule) = enabled(rules, "feed.broken") else {
            return;
        };
        let in_a_row = a.failures_before + 1;
        let repeated = failed_now && p.repeated_failures.is_some_and(|n| in_a_row >= n.max(1));
        let message = if repeated {
            format!(
                "政务新媒体「{}」{why}（已连续{in_a_row}次读取失败）",
                a.name
            )
        } else {
            format!("政务新媒体「{}」{why}", a.name)
        };
        out.push(finding(
            rule,
            feed_url,
            Some(feed_url),
            json!({
                "account": a.name,
                "platform": a.platform,
                "status": a.status,
                "status_text": a.status.zh(),
                "parse_error": a.parse_error,
                "failures_in_a_row": if failed_now { in_a_row } else { 0 },
                "repeated": repeated,
            }),
            message,
        ));
    };
    let Some(feed) = &a.feed else {
        let why = match &a.parse_error {
            Some(e) => format!("订阅源无法解析（{e}）"),
            None => format!("订阅源无法读取（{}）", a.status.zh()),
        };
        broken(why.clone(), &mut out);
        return AccountJudgement {
            findings: out,
            verdict: Verdict::NotInspected,
            reason: Some(why),
            activity: None,
            dormant: false,
            window_days: p.stale_days,
        };
    };
    if feed.undated > 0 {
        broken(
            format!(
                "订阅源中{}条内容（共{}条）没有可读的发布日期",
                feed.undated, feed.total
            ),
            &mut out,
        );
    }
    if failed_now {
        let why = "订阅源中的内容都没有发布日期，无法判断更新情况".to_string();
        return AccountJudgement {
            findings: out,
            verdict: Verdict::NotInspected,
            reason: Some(why),
            activity: None,
            dormant: false,
            window_days: p.stale_days,
        };
    }
    let activity = feed.activity(as_of, &p.windows());
    let idle_days = activity.newest.map(|n| (as_of - n).num_days());
    let last = activity
        .newest
        .map(|n| n.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "无".into());
    let evidence = |window: i64| {
        json!({
            "account": a.name,
            "platform": a.platform,
            "newest": activity.newest,
            "idle_days": idle_days,
            "window_days": window,
            "posts": activity.posts,
            "longest_gap_days": activity.longest_gap_days,
            "entries": feed.total,
        })
    };
    let older_than = |days: i64| idle_days.is_none_or(|d| d >= days);
    let stale = p.stale_days.filter(|d| older_than(*d));
    if let (Some(d), Some(rule)) = (stale, enabled(rules, "feed.stale")) {
        out.push(finding(
            rule,
            feed_url,
            Some(feed_url),
            evidence(d),
            format!(
                "政务新媒体「{}」监测时间点前{d}天内无更新（最近更新：{last}）",
                a.name
            ),
        ));
    } else if let (Some(d), Some(rule)) = (
        p.late_days.filter(|d| older_than(*d)),
        enabled(rules, "feed.late"),
    ) {
        out.push(finding(
            rule,
            feed_url,
            Some(feed_url),
            evidence(d),
            format!(
                "政务新媒体「{}」{d}天内无更新，内容更新不及时（最近更新：{last}）",
                a.name
            ),
        ));
    }
    let mut dormant = false;
    if let (Some(d), Some(rule)) = (
        p.zombie_days.filter(|d| older_than(*d)),
        enabled(rules, "feed.zombie"),
    ) {
        dormant = true;
        out.push(finding(
            rule,
            feed_url,
            Some(feed_url),
            evidence(d),
            format!(
                "政务新媒体「{}」超过{d}天未更新，列为“僵尸”账号（最近更新：{last}）",
                a.name
            ),
        ));
    }
    if let (Some(w), Some(rule)) = (wording, enabled(rules, "wording.serious")) {
        let mut seen = std::collections::HashSet::new();
        for e in &feed.entries {
            let text = format!("{} {}", e.title, e.summary);
            let target = e.link.as_deref().unwrap_or(feed_url);
            for h in w.find(&text, MAX_WORDING_PER_ENTRY) {
                if !seen.insert((target.to_string(), h.wrong.clone())) {
                    continue;
                }
                let how = match h.kind {
                    WordingKind::Listed => "错误表述",
                    WordingKind::Substitution => "疑似错别字",
                    WordingKind::Insertion => "疑似多字或名称中有多余空格、标点",
                    WordingKind::Homophone => "疑似同音错别字",
                    WordingKind::Deletion => "疑似漏字",
                    WordingKind::Transposition => "疑似字序颠倒",
                };
                out.push(finding(
                    rule,
                    target,
                    Some(feed_url),
                    json!({
                        "account": a.name,
                        "entry_title": e.title,
                        "entry_date": e.date,
                        "wrong": h.wrong,
                        "right": h.right,
                        "match": h.kind,
                        "snippet": h.snippet,
                        "needs_confirmation": true,
                    }),
                    format!(
                        "政务新媒体「{}」发布内容「{}」{how}：「{}」应为「{}」（{}）",
                        a.name, e.title, h.wrong, h.right, h.snippet
                    ),
                ));
            }
        }
    }
    if let Some(rule) = enabled(rules, "link.broken") {
        for (url, outcome) in a.links.iter().filter(|(_, o)| o.status.is_broken()) {
            let title = feed
                .entries
                .iter()
                .find(|e| e.link.as_deref() == Some(url.as_str()))
                .map(|e| e.title.as_str())
                .filter(|t| !t.is_empty());
            let message = match title {
                Some(t) => format!(
                    "政务新媒体「{}」内容「{t}」的链接不可用：{}",
                    a.name,
                    outcome.status.zh()
                ),
                None => format!(
                    "政务新媒体「{}」内容链接不可用：{}",
                    a.name,
                    outcome.status.zh()
                ),
            };
            out.push(finding(
                rule,
                url,
                Some(feed_url),
                json!({
                    "account": a.name,
                    "target": url,
                    "status": outcome.status,
                    "status_text": outcome.status.zh(),
                    "http_status": outcome.status.http_status(),
                    "redirects": outcome.redirects,
                    "final_url": outcome.final_url,
                    "entry_title": title,
                }),
                message,
            ));
        }
    }
    out.sort_by(|a, b| (a.kind, &a.rule, &a.url).cmp(&(b.kind, &b.rule, &b.url)));
    let verdict = if out.iter().any(|f| f.kind == Kind::Veto) {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    AccountJudgement {
        findings: out,
        verdict,
        reason: None,
        activity: Some(activity),
        dormant,
        window_days: p.stale_days,
    }
}

#[cfg(test)]
mod tests;
