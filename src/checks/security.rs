//! Dark links and hijacked outbound links (V1 security), both semi-automatic (every finding
//! needs a person's confirmation):
//!
//! - `link.hidden_outbound`: links to other sites hidden from visitors (see
//!   [`crate::extract::hidden`]); one finding per page, listing each link with its hiding
//!   technique and a snippet of the page source.
//! - `link.outbound.bad_target`: a link to another site whose target page shows prohibited
//!   content (the rule's word categories, on the target's title and the start of its text), is
//!   a domain-parking page, or whose domain does not exist.
//!
//! A link belongs to the site when the crawl took it as internal, or its host is the site's
//! host or a sub- or parent domain of it (`www.` ignored); `allow_hosts` are never outbound.

use serde_json::json;

use super::Finding;
use crate::crawl::{LinkFact, SiteFacts, TargetSample};
use crate::rules::params::{LinkBadTargetParams, LinkHiddenOutboundParams};
use crate::rules::RuleSet;

/// Hidden links listed per finding (all are counted).
const MAX_LISTED: usize = 30;
/// Characters of context on each side of a matched word.
const CONTEXT_CHARS: usize = 20;

/// The security findings of one site.
pub fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
    let site = Site::of(facts);
    let mut out = hidden_outbound(facts, rules, &site);
    out.extend(bad_targets(facts, rules, &site));
    out
}

/// The site's own host, to tell outbound links from its own.
struct Site<'a> {
    facts: &'a SiteFacts,
    host: String,
}

impl<'a> Site<'a> {
    fn of(facts: &'a SiteFacts) -> Site<'a> {
        let host = url::Url::parse(&facts.url)
            .ok()
            .and_then(|u| u.host_str().map(bare))
            .unwrap_or_default();
        Site { facts, host }
    }

    /// Whether a link's target belongs to the site.
    fn owns(&self, target: &str) -> bool {
        if self.facts.link(target).is_some_and(|l| l.internal) {
            return true;
        }
        let Some(host) = host_of(target) else {
            return true;
        };
        !self.host.is_empty()
            && (host == self.host
                || host.ends_with(&format!(".{}", self.host))
                || self.host.ends_with(&format!(".{host}")))
    }
}

/// A host lower-cased, without a leading `www.`.
fn bare(host: &str) -> String {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
}

fn host_of(target: &str) -> Option<String> {
    url::Url::parse(target)
        .ok()
        .and_then(|u| u.host_str().map(bare))
}

/// Allow-list entries as ASCII host suffixes (`政务` → its punycode form).
fn suffixes(allow: &[String]) -> Vec<String> {
    allow
        .iter()
        .filter_map(|s| {
            let s = s.trim().trim_start_matches('.');
            match url::Host::parse(s) {
                Ok(url::Host::Domain(d)) => Some(d.to_ascii_lowercase()),
                _ => None,
            }
        })
        .collect()
}

fn allowed(host: &str, suffixes: &[String]) -> bool {
    suffixes
        .iter()
        .any(|s| host == s || host.ends_with(&format!(".{s}")))
}

fn hidden_outbound(facts: &SiteFacts, rules: &RuleSet, site: &Site<'_>) -> Vec<Finding> {
    let Some(rule) = rules.enabled_for("link.hidden_outbound", facts.level, facts.kind) else {
        return Vec::new();
    };
    let Some(params) = rule.typed::<LinkHiddenOutboundParams>() else {
        return Vec::new();
    };
    let allow = suffixes(&params.allow_hosts);
    let mut out = Vec::new();
    // The pages with hidden links are among those the checks go through (`checks::reads`).
    for p in facts.pages.iter().filter(|p| p.status.is_ok()) {
        let links: Vec<_> = p
            .facts
            .hidden_links
            .iter()
            .filter(|l| !site.owns(&l.url))
            .filter(|l| host_of(&l.url).is_some_and(|h| !allowed(&h, &allow)))
            .collect();
        let Some(first) = links.first() else {
            continue;
        };
        let listed: Vec<_> = links
            .iter()
            .take(MAX_LISTED)
            .map(|l| {
                json!({
                    "target": l.url,
                    "text": l.text,
                    "how": l.how,
                    "how_text": l.how.zh(),
                    "declaration": l.declaration,
                    "snippet": l.snippet,
                })
            })
            .collect();
        let shown: Vec<String> = links
            .iter()
            .take(3)
            .map(|l| {
                let host = host_of(&l.url).unwrap_or_default();
                if l.text.is_empty() {
                    host
                } else {
                    format!("「{}」→ {host}", l.text)
                }
            })
            .collect();
        let more = if links.len() > shown.len() {
            " 等"
        } else {
            ""
        };
        out.push(super::finding(
            rule,
            &p.url,
            Some(&p.url),
            json!({
                "page_title": p.title,
                "count": links.len(),
                "links": listed,
                "needs_confirmation": true,
            }),
            format!(
                "页面含 {} 个访客看不到的外部链接（疑似暗链）：{}{more}；隐藏方式：{}（{}）",
                links.len(),
                shown.join("，"),
                first.how.zh(),
                first.declaration,
            ),
        ));
    }
    out
}

/// Why a target is bad.
enum Bad {
    Words {
        category: String,
        hits: Vec<String>,
        context: String,
    },
    Parked {
        marker: String,
    },
    Gone,
}

fn judge_target(sample: &TargetSample, params: &LinkBadTargetParams) -> Option<Bad> {
    if sample.nxdomain {
        return params.nxdomain.then_some(Bad::Gone);
    }
    let text = format!(
        "{} {}",
        sample.title.as_deref().unwrap_or_default(),
        sample.text
    )
    .to_lowercase();
    for group in &params.categories {
        let Some((category, words)) = group.split_first() else {
            continue;
        };
        let mut hits: Vec<String> = Vec::new();
        for w in words {
            let lw = w.to_lowercase();
            if !lw.is_empty() && text.contains(&lw) && !hits.contains(w) {
                hits.push(w.clone());
            }
        }
        if !hits.is_empty() && hits.len() >= params.min_hits.max(1) {
            let context = context(&text, &hits[0].to_lowercase());
            return Some(Bad::Words {
                category: category.clone(),
                hits,
                context,
            });
        }
    }
    params
        .parking_markers
        .iter()
        .find(|m| !m.is_empty() && text.contains(&m.to_lowercase()))
        .map(|m| Bad::Parked { marker: m.clone() })
}

/// The text around the first occurrence of `word`.
fn context(text: &str, word: &str) -> String {
    let Some(at) = text.find(word) else {
        return String::new();
    };
    let before: String = {
        let v: Vec<char> = text[..at].chars().rev().take(CONTEXT_CHARS).collect();
        v.into_iter().rev().collect()
    };
    let after: String = text[at + word.len()..]
        .chars()
        .take(CONTEXT_CHARS)
        .collect();
    format!("……{before}【{word}】{after}……")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn bad_targets(facts: &SiteFacts, rules: &RuleSet, site: &Site<'_>) -> Vec<Finding> {
    let Some(rule) = rules.enabled_for("link.outbound.bad_target", facts.level, facts.kind) else {
        return Vec::new();
    };
    let Some(params) = rule.typed::<LinkBadTargetParams>() else {
        return Vec::new();
    };
    let allow = suffixes(&params.allow_hosts);
    let mut out = Vec::new();
    // The links with a target sample are among those the checks go through (`checks::reads`),
    // with their referrers.
    for link in facts.links.values() {
        let Some(sample) = &link.target else {
            continue;
        };
        if site.owns(&link.url) {
            continue;
        }
        let hosts_allowed = [link.url.as_str(), link.outcome.final_url.as_str()]
            .iter()
            .all(|u| host_of(u).is_none_or(|h| allowed(&h, &allow)));
        if hosts_allowed {
            continue;
        }
        let Some(bad) = judge_target(sample, params) else {
            continue;
        };
        out.push(finding(rule, link, sample, bad));
    }
    out
}

fn finding(rule: &crate::rules::Rule, link: &LinkFact, sample: &TargetSample, bad: Bad) -> Finding {
    let first = link.referrers.first();
    let text = first.map(|r| &*r.text).filter(|t| !t.is_empty());
    let label = match text {
        Some(t) => format!("外部链接「{t}」（{}）", link.url),
        None => format!("外部链接 {}", link.url),
    };
    let (kind, what, extra) = match &bad {
        Bad::Words {
            category,
            hits,
            context,
        } => (
            "prohibited",
            format!("指向疑似{category}内容的页面（命中：{}）", hits.join("、")),
            json!({"category": category, "words": hits, "snippet": context}),
        ),
        Bad::Parked { marker } => (
            "parked",
            format!("指向域名停放或出售页面（「{marker}」），域名可能已过期"),
            json!({"marker": marker}),
        ),
        Bad::Gone => (
            "nxdomain",
            "的域名已不存在（可能已过期，可被他人抢注）".to_string(),
            json!({"status_text": link.outcome.status.zh()}),
        ),
    };
    let mut evidence = json!({
        "reason": kind,
        "target": link.url,
        "final_url": link.outcome.final_url,
        "status": link.outcome.status,
        "target_title": sample.title,
        "referrer_count": link.referrer_count,
        "referrers": link.referrers.iter().take(5).collect::<Vec<_>>(),
        "needs_confirmation": true,
    });
    if let (Some(e), Some(x)) = (evidence.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            e.insert(k.clone(), v.clone());
        }
    }
    super::finding(
        rule,
        &link.url,
        first.map(|r| &*r.page),
        evidence,
        format!("{label}{what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testutil::{page, site};
    use crate::crawl::{FetchOutcome, LinkStatus, Referrer};
    use crate::extract::hidden::{HiddenLink, Hiding};
    use crate::extract::LinkElement;

    /// The check, asserting that it judges the facts reduced to what the checks read
    /// (`checks::reads`, the rest looked up) as it judges them whole.
    fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
        let whole = super::check(facts, rules);
        let reduced = super::check(&crate::checks::reads::reduce(facts, rules), rules);
        assert_eq!(whole, reduced, "whole and reduced facts judged differently");
        whole
    }

    fn hidden(url: &str, how: Hiding) -> HiddenLink {
        HiddenLink {
            url: url.into(),
            text: "澳门新葡京".into(),
            how,
            declaration: "style=\"display: none\"".into(),
            snippet: "<div style=\"display:none\">澳门新葡京".into(),
        }
    }

    fn outbound(url: &str, sample: Option<TargetSample>) -> LinkFact {
        LinkFact {
            url: url.into(),
            internal: false,
            on_home: true,
            outcome: FetchOutcome {
                status: LinkStatus::Ok { status: 200 },
                redirects: Vec::new(),
                final_url: url.into(),
                elapsed_ms: 1,
            },
            referrers: vec![Referrer {
                page: "http://www.x.gov.cn/".into(),
                text: "友情链接".into(),
                element: LinkElement::A,
            }],
            referrer_count: 1,
            target: sample,
        }
    }

    fn sample(title: &str, text: &str) -> TargetSample {
        TargetSample {
            title: Some(title.into()),
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn hidden_outbound_links_fire_once_per_page_and_same_site_or_allowed_do_not() {
        let rules = RuleSet::embedded().expect("rules");
        let mut home = page("http://www.x.gov.cn/", 0);
        home.facts.hidden_links = vec![
            hidden("http://casino.example/", Hiding::DisplayNone),
            hidden("http://bet.example/a", Hiding::TextIndent),
            hidden("http://news.x.gov.cn/", Hiding::DisplayNone),
            hidden("http://bszs.conac.cn/", Hiding::DisplayNone),
        ];
        let mut menu = page("http://www.x.gov.cn/zwgk/", 1);
        menu.facts.hidden_links = vec![hidden("http://x.gov.cn/a.html", Hiding::DisplayNone)];
        let mut s = site(vec![home, menu]);
        s.url = "http://www.x.gov.cn/".into();
        let f = check(&s, &rules);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "link.hidden_outbound");
        assert!(f[0].needs_confirmation());
        assert_eq!(f[0].kind, crate::rules::Kind::Veto);
        assert_eq!(f[0].evidence["count"], 2);
        assert_eq!(f[0].evidence["links"][0]["how"], "display_none");
        assert!(f[0].message.contains("casino.example"), "{}", f[0].message);
    }

    #[test]
    fn a_hidden_link_to_a_host_crawled_as_the_sites_own_is_not_outbound() {
        let rules = RuleSet::embedded().expect("rules");
        // A county site whose 政务服务 pages live on another host the crawl took as its own
        // (configured `hosts`): the link's result says so, looked up by URL.
        let mut art = page("http://www.x.gov.cn/zwgk/2026/t1.html", 3);
        art.facts.article_title = Some("通知".into());
        art.facts.hidden_links = vec![
            hidden("http://zwfw.y.cn/bs/", Hiding::DisplayNone),
            hidden("http://casino.example/", Hiding::DisplayNone),
        ];
        let mut s = site(vec![page("http://www.x.gov.cn/", 0), art]);
        s.url = "http://www.x.gov.cn/".into();
        let mut own = outbound("http://zwfw.y.cn/bs/", None);
        own.internal = true;
        s.links.insert(own.url.clone(), own);
        let f = check(&s, &rules);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].evidence["count"], 1);
        assert_eq!(
            f[0].evidence["links"][0]["target"],
            "http://casino.example/"
        );
        assert_eq!(f[0].url, "http://www.x.gov.cn/zwgk/2026/t1.html");
    }

    #[test]
    fn bad_targets_by_words_parking_and_nxdomain() {
        let rules = RuleSet::embedded().expect("rules");
        let mut s = site(vec![page("http://www.x.gov.cn/", 0)]);
        s.url = "http://www.x.gov.cn/".into();
        let links = [
            outbound(
                "http://casino.example/",
                Some(sample("澳门新葡京-真人荷官在线", "百家乐 注册送彩金")),
            ),
            // One word is not enough: a news page about fighting gambling.
            outbound(
                "http://news.example/a.html",
                Some(sample("警方通报", "依法打击博彩违法犯罪活动")),
            ),
            outbound(
                "http://parked.example/",
                Some(sample(
                    "parked.example",
                    "This domain is for sale! Buy this domain",
                )),
            ),
            outbound(
                "http://gone.example/",
                Some(TargetSample {
                    nxdomain: true,
                    ..Default::default()
                }),
            ),
            outbound(
                "http://plain.example/",
                Some(sample("某某协会", "协会简介")),
            ),
            // Allow-listed: never judged.
            outbound(
                "http://old.y.gov.cn/",
                Some(TargetSample {
                    nxdomain: true,
                    ..Default::default()
                }),
            ),
        ];
        for l in links {
            s.links.insert(l.url.clone(), l);
        }
        let f = check(&s, &rules);
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| {
                (
                    f.url.as_str(),
                    f.evidence["reason"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("http://casino.example/", "prohibited"),
                ("http://gone.example/", "nxdomain"),
                ("http://parked.example/", "parked"),
            ]
        );
        assert!(f.iter().all(|f| f.needs_confirmation() && f.page.is_some()));
        assert_eq!(f[0].evidence["category"], "赌博");
        assert!(f[0].message.contains("真人荷官"), "{}", f[0].message);
    }
}
