//! 互动回应差 (V5): `interaction.no_channel`, `interaction.unanswered` and
//! `interaction.reply_stats`.
//!
//! - Channels are the navigation links (and page headings) of the pages read whose text
//!   names a consultation or suggestion channel (`channel_names`); a link named by a
//!   `not_counted` group (网上信访, 纪检举报, 在线访谈, 调查征集) does not count, nor one whose
//!   target failed. The finding lists every interaction link found and why it did not count.
//! - Messages are the records of the message lists read while crawling, joined with their own
//!   pages by URL (a list lacking the dates takes them from the message's page). Messages of
//!   the `excluded_columns` (在线访谈, 调查征集, 网上信访, 纪检举报) and invalid ones are left
//!   out; a message asked within `window_days` before the as-of date and left unanswered
//!   longer than `limit_months` is overdue.
//! - `interaction.reply_stats` gives the figures of the window, or says that no message list
//!   could be read (无法检查) — never a pass on what was not read.

use std::collections::{BTreeMap, HashMap};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{finding, Finding};
use crate::crawl::SiteFacts;
use crate::extract::interaction::{Message, ReplyState};
use crate::rules::params::{InteractionChannelParams, InteractionParams};
use crate::rules::RuleSet;

/// Overdue messages named in a finding's message (the evidence lists them all).
const MAX_LISTED: usize = 20;

/// A message of the site as judged: the list's record joined with its own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteMessage {
    pub title: String,
    /// The message's own page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The list page it was read on (its own page when no list showed it).
    pub page: String,
    /// The column as the page names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replied: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ReplyState>,
}

/// Every message read on the site, one per own page (or per list row without one), listed
/// records first, with what their own pages add. (The pages with interaction facts are among
/// those the checks go through, `checks::reads`: going through the pages held sees them all.)
pub fn messages(facts: &SiteFacts) -> Vec<SiteMessage> {
    let mut own: HashMap<&str, (&Message, Option<&String>)> = HashMap::new();
    for p in &facts.pages {
        if let Some(m) = &p.facts.interaction.own {
            own.entry(p.final_url.as_str())
                .or_insert((m, p.facts.interaction.column.as_ref()));
            own.entry(p.url.as_str())
                .or_insert((m, p.facts.interaction.column.as_ref()));
        }
    }
    let mut out: Vec<SiteMessage> = Vec::new();
    let mut by_url: HashMap<String, usize> = HashMap::new();
    let mut joined: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for p in &facts.pages {
        for m in &p.facts.interaction.messages {
            let mut sm = SiteMessage {
                title: m.title.clone(),
                url: m.url.clone(),
                page: p.final_url.clone(),
                column: p.facts.interaction.column.clone(),
                asked: m.asked,
                replied: m.replied,
                state: m.state,
            };
            if let Some((o, _)) = m.url.as_deref().and_then(|u| own.get(u)) {
                if let Some(u) = m.url.as_deref() {
                    joined.insert(u);
                }
                sm.asked = sm.asked.or(o.asked);
                sm.replied = sm.replied.or(o.replied);
                // The message's own page is the fuller record.
                sm.state = o.state.or(sm.state);
            }
            match sm.url.clone().and_then(|u| by_url.get(&u).copied()) {
                Some(i) => {
                    let e = &mut out[i];
                    e.asked = e.asked.or(sm.asked);
                    e.replied = e.replied.or(sm.replied);
                    e.state = e.state.or(sm.state);
                }
                None => {
                    if let Some(u) = &sm.url {
                        by_url.insert(u.clone(), out.len());
                    }
                    out.push(sm);
                }
            }
        }
    }
    // Own pages no list showed.
    for p in &facts.pages {
        let Some(m) = &p.facts.interaction.own else {
            continue;
        };
        let listed = joined.contains(p.url.as_str())
            || joined.contains(p.final_url.as_str())
            || by_url.contains_key(&p.url)
            || by_url.contains_key(&p.final_url);
        if listed {
            continue;
        }
        by_url.insert(p.url.clone(), out.len());
        out.push(SiteMessage {
            title: m.title.clone(),
            url: Some(p.final_url.clone()),
            page: p.final_url.clone(),
            column: p.facts.interaction.column.clone(),
            asked: m.asked,
            replied: m.replied,
            state: m.state,
        });
    }
    out
}

/// The group of `groups` (`[shown name, words...]`) whose word `text` contains.
fn group_of<'a>(groups: &'a [Vec<String>], text: &str) -> Option<&'a str> {
    groups
        .iter()
        .find(|g| g.iter().any(|w| !w.is_empty() && text.contains(w.as_str())))
        .and_then(|g| g.first())
        .map(String::as_str)
}

/// How one message was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    /// Outside the consultation columns or invalid: not counted.
    Excluded,
    /// No readable date asked.
    Undated,
    /// Asked outside the window.
    OutOfWindow,
    /// Answered (days, when both dates are known); overdue when answered late.
    Answered { days: Option<i64>, late: bool },
    /// Not answered yet; overdue past the limit.
    Unanswered { overdue: bool },
    /// The page shows no reply information: not judged.
    Unknown,
}

fn judge_one(m: &SiteMessage, p: &InteractionParams, as_of: NaiveDate) -> Judged {
    if m.state == Some(ReplyState::Invalid)
        || m.column
            .as_deref()
            .is_some_and(|c| group_of(&p.excluded_columns, c).is_some())
    {
        return Judged::Excluded;
    }
    let Some(asked) = m.asked else {
        return Judged::Undated;
    };
    let from = as_of - chrono::Duration::days(i64::from(p.window_days));
    if asked > as_of || asked < from {
        return Judged::OutOfWindow;
    }
    let deadline = asked
        .checked_add_months(Months::new(p.limit_months))
        .unwrap_or(NaiveDate::MAX);
    match (m.replied, m.state) {
        (Some(r), _) => Judged::Answered {
            days: Some((r - asked).num_days().max(0)),
            late: p.late_reply_counts && r > deadline,
        },
        (None, Some(ReplyState::Answered)) => Judged::Answered {
            days: None,
            late: false,
        },
        (None, Some(ReplyState::Pending)) => Judged::Unanswered {
            overdue: as_of > deadline,
        },
        _ => Judged::Unknown,
    }
}

/// The figures of the window (what `interaction.reply_stats` reports and the bulletin shows,
/// read back from the finding's evidence).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplyStats {
    /// A message list (or a message's own page) of a consultation column was read.
    pub inspected: bool,
    /// Message-list pages of consultation columns read.
    pub list_pages: usize,
    /// Valid messages of consultation columns asked in the window.
    pub messages: usize,
    pub answered: usize,
    /// Answered share, percent (one decimal); None without messages.
    pub answered_pct: Option<f64>,
    /// Median and longest reply time, days (answered messages with both dates).
    pub median_days: Option<f64>,
    pub max_days: Option<i64>,
    pub overdue: usize,
    /// Messages in the window whose page shows no reply information.
    pub unknown: usize,
    /// Messages without a readable date asked.
    pub undated: usize,
    pub window_days: u32,
}

/// The judged messages: figures and the overdue ones.
fn judge_all(
    facts: &SiteFacts,
    p: &InteractionParams,
    as_of: NaiveDate,
) -> (ReplyStats, Vec<(SiteMessage, bool)>) {
    let all = messages(facts);
    let consult = |c: Option<&String>| c.is_none_or(|c| group_of(&p.excluded_columns, c).is_none());
    let list_pages = facts
        .pages
        .iter()
        .filter(|pg| {
            let i = &pg.facts.interaction;
            (i.is_list || !i.messages.is_empty()) && consult(i.column.as_ref())
        })
        .count();
    let own_pages = facts
        .pages
        .iter()
        .filter(|pg| {
            let i = &pg.facts.interaction;
            i.own.is_some() && consult(i.column.as_ref())
        })
        .count();
    let mut stats = ReplyStats {
        inspected: list_pages + own_pages > 0,
        list_pages,
        window_days: p.window_days,
        ..ReplyStats::default()
    };
    let mut days = Vec::new();
    let mut overdue = Vec::new();
    for m in all {
        match judge_one(&m, p, as_of) {
            Judged::Excluded | Judged::OutOfWindow => {}
            Judged::Undated => stats.undated += 1,
            Judged::Unknown => {
                stats.messages += 1;
                stats.unknown += 1;
            }
            Judged::Answered { days: d, late } => {
                stats.messages += 1;
                stats.answered += 1;
                days.extend(d);
                if late {
                    stats.overdue += 1;
                    overdue.push((m, true));
                }
            }
            Judged::Unanswered { overdue: o } => {
                stats.messages += 1;
                if o {
                    stats.overdue += 1;
                    overdue.push((m, false));
                }
            }
        }
    }
    days.sort_unstable();
    stats.median_days = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2] as f64),
        n => Some((days[n / 2 - 1] + days[n / 2]) as f64 / 2.0),
    };
    stats.max_days = days.last().copied();
    stats.answered_pct = (stats.messages > 0)
        .then(|| (1000.0 * stats.answered as f64 / stats.messages as f64).round() / 10.0);
    (stats, overdue)
}

/// The figures of a site's messages in the window of `interaction.unanswered`; None without
/// that rule's parameters.
pub fn reply_stats(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Option<ReplyStats> {
    let p = rules
        .get("interaction.unanswered")
        .and_then(|r| r.typed::<InteractionParams>())?;
    Some(judge_all(facts, p, as_of).0)
}

fn date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "—".to_string(), |d| d.to_string())
}

/// Every interaction finding of a site.
pub fn check(facts: &SiteFacts, rules: &RuleSet, as_of: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    if facts.home.as_ref().is_none_or(|h| !h.status.is_ok()) {
        return out;
    }
    let rule = |id: &str| rules.enabled_for(id, facts.level, facts.kind);
    if let Some(r) = rule("interaction.no_channel") {
        if let Some(p) = r.typed::<InteractionChannelParams>() {
            out.extend(no_channel(facts, r, p));
        }
    }
    let Some(p) = rules
        .get("interaction.unanswered")
        .and_then(|r| r.typed::<InteractionParams>())
    else {
        return out;
    };
    let (stats, overdue) = judge_all(facts, p, as_of);
    if let (Some(r), false) = (rule("interaction.unanswered"), overdue.is_empty()) {
        let listed: Vec<String> = overdue
            .iter()
            .take(MAX_LISTED)
            .map(|(m, late)| {
                let answer = if *late {
                    format!("{}才答复", date(m.replied))
                } else {
                    "至今未答复".to_string()
                };
                format!(
                    "《{}》（来信时间 {}，{}，{}）",
                    m.title,
                    date(m.asked),
                    answer,
                    m.url.as_deref().unwrap_or(&m.page)
                )
            })
            .collect();
        let more = if overdue.len() > MAX_LISTED {
            format!("等{}条", overdue.len())
        } else {
            String::new()
        };
        let evidence_list: Vec<serde_json::Value> = overdue
            .iter()
            .map(|(m, late)| {
                json!({
                    "title": m.title,
                    "url": m.url,
                    "page": m.page,
                    "column": m.column,
                    "asked": m.asked,
                    "replied": m.replied,
                    "state": m.state.map(ReplyState::zh),
                    "answered_late": late,
                })
            })
            .collect();
        out.push(finding(
            r,
            &facts.url,
            overdue.first().map(|(m, _)| m.page.as_str()),
            json!({
                "as_of": as_of,
                "window_days": p.window_days,
                "limit_months": p.limit_months,
                "overdue": evidence_list,
            }),
            format!(
                "监测时间点前{}天内，咨询类栏目有{}条有效留言超过{}个月未答复：{}{}",
                p.window_days,
                overdue.len(),
                p.limit_months,
                listed.join("；"),
                more
            ),
        ));
    }
    if let Some(r) = rule("interaction.reply_stats") {
        let message = if !stats.inspected {
            format!(
                "未读取到咨询类栏目的留言列表（信件选登、留言公开等）或留言页面：是否存在超过{}个月未答复的留言无法检查",
                p.limit_months
            )
        } else {
            let mut s = format!(
                "近{}天咨询类栏目有效留言{}条，已答复{}条",
                p.window_days, stats.messages, stats.answered
            );
            if let Some(pct) = stats.answered_pct {
                s.push_str(&format!("（{pct}%）"));
            }
            if let (Some(med), Some(max)) = (stats.median_days, stats.max_days) {
                s.push_str(&format!("，答复用时中位数{med}天、最长{max}天"));
            }
            if stats.overdue > 0 {
                s.push_str(&format!(
                    "，超过{}个月未答复{}条",
                    p.limit_months, stats.overdue
                ));
            }
            if stats.unknown > 0 {
                s.push_str(&format!("；{}条未显示答复情况，无法判断", stats.unknown));
            }
            if stats.undated > 0 {
                s.push_str(&format!("；{}条未显示来信时间，未计入", stats.undated));
            }
            s.push_str(&format!("（读取留言列表页{}个）", stats.list_pages));
            s
        };
        let mut ev = serde_json::to_value(&stats).unwrap_or_else(|_| json!({}));
        if let Some(o) = ev.as_object_mut() {
            o.insert("as_of".into(), json!(as_of));
        }
        out.push(finding(r, &facts.url, None, ev, message));
    }
    out
}

/// An interaction link found and why it did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Found {
    text: String,
    url: String,
    counted: bool,
    why: String,
}

/// Whether a link text or heading names an interaction channel, counted or not (a channel
/// name, or a `not_counted` group's), short enough to be an entry rather than a message title.
pub fn names_channel(p: &InteractionChannelParams, text: &str) -> bool {
    text.chars().count() <= p.max_name_chars
        && (group_of(&p.not_counted, text).is_some()
            || p.channel_names
                .iter()
                .any(|w| !w.is_empty() && text.contains(w.as_str())))
}

fn no_channel(
    facts: &SiteFacts,
    rule: &crate::rules::Rule,
    p: &InteractionChannelParams,
) -> Option<Finding> {
    let mut found: BTreeMap<(String, String), Found> = BTreeMap::new();
    // Every page's navigation links (each once), and the headings that name a channel (the
    // pages showing one are among those the checks go through: `checks::reads`).
    let nav = facts.nav_summary();
    let pages_read = nav.pages_with_nav;
    let headings = facts.pages.iter().filter_map(|pg| {
        pg.facts
            .heading
            .as_ref()
            .filter(|h| names_channel(p, h))
            .map(|h| (h.clone(), pg.final_url.clone()))
    });
    let candidates = nav
        .entries
        .iter()
        .map(|n| (n.text.clone(), n.url.clone()))
        .chain(headings);
    for (text, url) in candidates {
        if !names_channel(p, &text) {
            continue;
        }
        let excluded = group_of(&p.not_counted, &text);
        let key = (text.clone(), url.clone());
        if found.contains_key(&key) {
            continue;
        }
        let (counted, why) = match excluded {
            Some(g) => (false, format!("属于{g}渠道，不计入咨询建议渠道")),
            None => match facts.link(&url).map(|l| l.outcome.status.clone()) {
                Some(s) if s.is_broken() => (false, format!("链接无法访问（{}）", s.zh())),
                _ => (true, "有效".to_string()),
            },
        };
        found.insert(
            key,
            Found {
                text,
                url,
                counted,
                why,
            },
        );
    }
    if found.values().any(|f| f.counted) {
        return None;
    }
    if pages_read == 0 {
        // No navigation link was read at all (a page built by script, or read only in part):
        // the absence of a channel would state more than was inspected.
        tracing::info!(site = %facts.name, "no navigation links read: interaction.no_channel not judged");
        return None;
    }
    let list: Vec<&Found> = found.values().collect();
    let what = if list.is_empty() {
        "未发现任何互动渠道入口".to_string()
    } else {
        let mut by_text: Vec<String> = Vec::new();
        for f in &list {
            let s = format!("“{}”{}", f.text, f.why);
            if !by_text.contains(&s) {
                by_text.push(s);
            }
        }
        format!("发现的互动渠道均不计入：{}", by_text.join("；"))
    };
    Some(finding(
        rule,
        &facts.url,
        facts.home.as_ref().map(|h| h.final_url.as_str()),
        // Semi-automatic (regulations §10): a channel behind a script, a search form or a
        // login is not among the links read, so a person confirms the absence.
        json!({
            "pages_with_navigation": pages_read,
            "found": list,
            "needs_confirmation": true,
        }),
        format!("未发现有效的网上咨询、建议渠道（查看了{pages_read}个页面的导航链接）。{what}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil::{nav, page, site};
    use crate::crawl::PageRecord;
    use crate::extract::interaction::InteractionPage;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
    }

    fn d(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    fn msg(title: &str, asked: &str, replied: &str, state: Option<ReplyState>) -> Message {
        Message {
            title: title.into(),
            url: Some(format!("http://x.gov.cn/hd/{title}.html")),
            asked: d(asked),
            replied: d(replied),
            state,
        }
    }

    fn list(url: &str, column: &str, messages: Vec<Message>) -> PageRecord {
        let mut p = page(url, 2);
        p.facts.interaction = InteractionPage {
            column: Some(column.into()),
            is_list: true,
            messages,
            own: None,
        };
        p
    }

    fn home(links: &[(&str, &str)]) -> PageRecord {
        let mut h = page("http://x.gov.cn/", 0);
        h.facts.nav = links.iter().map(|(t, u)| nav(t, u)).collect();
        h
    }

    fn rules_of(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.rule.as_str()).collect()
    }

    /// The check, asserting that it judges the facts reduced to what the checks read
    /// (`checks::reads`, the rest looked up) as it judges them whole.
    fn run_on(facts: &SiteFacts) -> Vec<Finding> {
        let rules = RuleSet::embedded().expect("rules");
        let whole = check(facts, &rules, as_of());
        let reduced = check(
            &crate::checks::reads::reduce(facts, &rules),
            &rules,
            as_of(),
        );
        assert_eq!(whole, reduced, "whole and reduced facts judged differently");
        whole
    }

    fn run(pages: Vec<PageRecord>) -> Vec<Finding> {
        run_on(&site(pages))
    }

    #[test]
    fn the_limit_is_three_months_after_the_date_asked() {
        use ReplyState::Pending;
        let f = run(vec![
            home(&[("书记信箱", "http://x.gov.cn/sjxx/")]),
            list(
                "http://x.gov.cn/hd/xjxd/",
                "信件选登",
                vec![
                    // Three months and a day: overdue.
                    msg("甲", "2026-08-29", "", Some(Pending)),
                    // Exactly three months: not yet.
                    msg("乙", "2026-08-30", "", Some(Pending)),
                    // Before the year: not judged.
                    msg("丙", "2025-11-29", "", Some(Pending)),
                    // No reply information: not judged either way.
                    msg("丁", "2026-01-01", "", None),
                    // Invalid.
                    msg("戊", "2026-01-01", "", Some(ReplyState::Invalid)),
                ],
            ),
        ]);
        let u = f
            .iter()
            .find(|f| f.rule == "interaction.unanswered")
            .expect("甲 is overdue");
        assert!(u.message.contains("《甲》"), "{}", u.message);
        for not in ["《乙》", "《丙》", "《丁》", "《戊》"] {
            assert!(!u.message.contains(not), "{}", u.message);
        }
        let s = f
            .iter()
            .find(|f| f.rule == "interaction.reply_stats")
            .expect("stats");
        assert_eq!(s.evidence["messages"], 3);
        assert_eq!(s.evidence["unknown"], 1);
        assert!(s.message.contains("1条未显示答复情况"), "{}", s.message);
        assert!(!rules_of(&f).contains(&"interaction.no_channel"));
    }

    #[test]
    fn excluded_columns_are_not_judged_and_all_answered_is_no_finding() {
        let f = run(vec![
            home(&[("我要咨询", "http://x.gov.cn/zx/")]),
            list(
                "http://x.gov.cn/xf/",
                "网上信访 | 信件公开",
                vec![msg("信访件", "2026-01-01", "", Some(ReplyState::Pending))],
            ),
            list(
                "http://x.gov.cn/zx/",
                "咨询回复",
                vec![msg("咨询件", "2026-01-01", "2026-01-09", None)],
            ),
        ]);
        assert!(!rules_of(&f).contains(&"interaction.unanswered"), "{f:#?}");
        let s = f
            .iter()
            .find(|f| f.rule == "interaction.reply_stats")
            .expect("stats");
        assert_eq!(s.evidence["messages"], 1);
        assert_eq!(s.evidence["answered_pct"], 100.0);
        assert_eq!(s.evidence["list_pages"], 1);
    }

    #[test]
    fn a_listed_message_takes_its_dates_from_its_own_page() {
        let mut own = page("http://x.gov.cn/hd/甲.html", 3);
        own.facts.interaction = InteractionPage {
            column: Some("留言公开".into()),
            is_list: false,
            messages: Vec::new(),
            own: Some(msg("甲", "2026-02-01", "", Some(ReplyState::Pending))),
        };
        let f = run(vec![
            home(&[("留言公开", "http://x.gov.cn/hd/")]),
            list(
                "http://x.gov.cn/hd/",
                "留言公开",
                vec![msg("甲", "", "", None)],
            ),
            own,
        ]);
        let u = f
            .iter()
            .find(|f| f.rule == "interaction.unanswered")
            .expect("overdue");
        assert_eq!(u.evidence["overdue"][0]["page"], "http://x.gov.cn/hd/");
        assert_eq!(u.evidence["overdue"][0]["asked"], "2026-02-01");
    }

    #[test]
    fn only_petition_channels_fire_no_channel_and_nothing_read_is_not_inspected() {
        let f = run(vec![home(&[
            ("网上信访", "http://x.gov.cn/xf/"),
            ("纪检举报", "http://x.gov.cn/jj/"),
        ])]);
        let n = f
            .iter()
            .find(|f| f.rule == "interaction.no_channel")
            .expect("no channel");
        assert!(n.message.contains("属于网上信访渠道"), "{}", n.message);
        assert!(
            n.needs_confirmation(),
            "the absence of a channel is confirmed by a person"
        );
        let s = f
            .iter()
            .find(|f| f.rule == "interaction.reply_stats")
            .expect("stats");
        assert_eq!(s.evidence["inspected"], false);
        assert!(s.message.contains("无法检查"));
        assert!(!rules_of(&f).contains(&"interaction.unanswered"));
        // A site with no interaction link at all says so.
        let f = run(vec![home(&[("政务公开", "http://x.gov.cn/zwgk/")])]);
        let n = f
            .iter()
            .find(|f| f.rule == "interaction.no_channel")
            .expect("no channel");
        assert!(
            n.message.contains("未发现任何互动渠道入口"),
            "{}",
            n.message
        );
    }

    /// A page two levels down the checks do not hold (an article: no list, no interaction
    /// facts), with this navigation and heading.
    fn article(url: &str, links: &[(&str, &str)], heading: Option<&str>) -> PageRecord {
        let mut p = page(url, 3);
        p.facts.article_title = Some("关于开展安全生产检查的通知".into());
        p.facts.nav = links.iter().map(|(t, u)| nav(t, u)).collect();
        p.facts.heading = heading.map(str::to_string);
        p
    }

    #[test]
    fn channels_are_read_in_the_navigation_and_headings_of_every_page() {
        let rules = RuleSet::embedded().expect("rules");
        let zwgk = ("政务公开", "http://x.gov.cn/zwgk/");
        // A channel only in the side navigation of article pages the checks do not hold.
        let side = [zwgk, ("领导信箱", "http://x.gov.cn/hdjl/ldxx/")];
        let s = site(vec![
            home(&[zwgk]),
            article("http://x.gov.cn/zwgk/a1.html", &side, None),
            article("http://x.gov.cn/zwgk/a2.html", &side, None),
        ]);
        assert_eq!(crate::checks::reads::reduce(&s, &rules).pages.len(), 1);
        let f = run_on(&s);
        assert!(!rules_of(&f).contains(&"interaction.no_channel"), "{f:#?}");

        // A channel only as a page's heading (its entry written by script).
        let s = site(vec![
            home(&[zwgk]),
            article("http://x.gov.cn/hdjl/zxts/", &[zwgk], Some("我要咨询")),
            article("http://x.gov.cn/zwgk/a3.html", &[zwgk], Some("政策解读")),
        ]);
        let kept = crate::checks::reads::reduce(&s, &rules);
        assert!(kept
            .pages
            .iter()
            .any(|p| p.url == "http://x.gov.cn/hdjl/zxts/"));
        assert!(!kept
            .pages
            .iter()
            .any(|p| p.url == "http://x.gov.cn/zwgk/a3.html"));
        let f = run_on(&s);
        assert!(!rules_of(&f).contains(&"interaction.no_channel"), "{f:#?}");

        // The only channel's link fails: it does not count; every page with navigation is
        // counted as read, the ones not held too.
        let mut s = site(vec![
            home(&[zwgk]),
            article("http://x.gov.cn/zwgk/a1.html", &side, None),
            article("http://x.gov.cn/zwgk/a2.html", &side, None),
        ]);
        s.links.insert(
            "http://x.gov.cn/hdjl/ldxx/".into(),
            crate::crawl::LinkFact {
                url: "http://x.gov.cn/hdjl/ldxx/".into(),
                internal: true,
                on_home: false,
                outcome: crate::crawl::FetchOutcome {
                    status: crate::crawl::LinkStatus::HttpError { status: 404 },
                    redirects: Vec::new(),
                    final_url: "http://x.gov.cn/hdjl/ldxx/".into(),
                    elapsed_ms: 1,
                },
                referrers: Vec::new(),
                referrer_count: 0,
                target: None,
            },
        );
        let f = run_on(&s);
        let n = f
            .iter()
            .find(|f| f.rule == "interaction.no_channel")
            .expect("no channel");
        assert_eq!(n.evidence["pages_with_navigation"], 3);
        assert_eq!(n.evidence["found"].as_array().map(Vec::len), Some(1));
        assert!(
            n.message.contains("“领导信箱”链接无法访问"),
            "{}",
            n.message
        );
    }

    #[test]
    fn no_navigation_read_is_no_judgement_of_the_channels() {
        let f = run(vec![home(&[])]);
        assert!(!rules_of(&f).contains(&"interaction.no_channel"), "{f:#?}");
    }

    #[test]
    fn a_site_not_read_gets_no_interaction_finding() {
        let mut h = home(&[]);
        h.status = crate::crawl::LinkStatus::Timeout;
        assert!(run(vec![h]).is_empty());
    }
}
