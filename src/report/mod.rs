//! Reports: the terminal report for an inspector (findings grouped by rule, with evidence,
//! then a summary) and the JSON document for machines (the contract in DESIGN.md).

pub mod accounts;
pub mod annual_report;
pub mod bulletin;
pub mod charts;
pub mod docx;
pub mod normdocs;
pub mod reviews;
pub mod sample;
pub mod tables;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::checks::score::Score;
use crate::checks::Finding;
use crate::config::{SiteKind, SiteLevel};
use crate::crawl::{CrawlStats, SiteFacts};
use crate::finding::Verdict;
use crate::rules::{Kind, RuleSet};

/// One site's result, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub name: String,
    pub url: String,
    pub level: SiteLevel,
    pub kind: SiteKind,
    /// The score; `None` (JSON `null`) when the site could not be inspected.
    pub score: Option<f64>,
    /// 合格 / 不合格, or the state that kept the site from being inspected (无法检查 /
    /// 被拦截).
    pub verdict: Verdict,
    /// How the score was made; `None` when there is no score.
    pub score_detail: Option<Score>,
    pub stats: CrawlStats,
    pub robots: String,
    /// A site-level failure (the home page could not be fetched).
    pub error: Option<String>,
    /// IPv6 support as measured with the crawl (AAAA, home page over IPv6, consistency, L2
    /// and L3 link rates, delegation).
    pub ipv6: Option<crate::crawl::ipv6::Ipv6Detail>,
    pub findings: Vec<Finding>,
    /// Notes on how the site was inspected (e.g. that no configured site matched the URL).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The identity marks found on the home page (each form of the 党政机关网站标识 with what
    /// matched), so a report says what was found, not only what is missing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<String>,
    /// The site's new-media accounts, each judged apart (never part of the site's score or
    /// verdict).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<accounts::AccountReport>,
}

/// The note of `govscan check URL` when no configured site matched the URL.
pub const NOTE_NO_SITE_MATCHED: &str =
    "配置文件中没有与该网址匹配的网站（按协议、主机、端口和路径前缀匹配），按默认设置检查";

impl SiteReport {
    /// Build a site's report from its facts, its findings, its score (none when it could not
    /// be inspected) and its verdict.
    pub fn new(
        facts: &SiteFacts,
        findings: Vec<Finding>,
        score: Option<Score>,
        verdict: Verdict,
    ) -> SiteReport {
        SiteReport {
            name: facts.name.clone(),
            url: facts.url.clone(),
            level: facts.level,
            kind: facts.kind,
            score: score.as_ref().map(|s| s.score),
            verdict,
            score_detail: score,
            stats: facts.stats.clone(),
            robots: facts.robots.clone(),
            error: facts.error.clone(),
            ipv6: None,
            findings,
            notes: Vec::new(),
            marks: Vec::new(),
            accounts: Vec::new(),
        }
    }
}

/// The whole JSON document.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub tool: &'static str,
    pub version: &'static str,
    pub as_of: String,
    pub generated_at: String,
    pub sites: Vec<SiteReport>,
}

impl Document {
    /// A document for these sites, judged as of `as_of`.
    pub fn new(as_of: DateTime<FixedOffset>, sites: Vec<SiteReport>) -> Document {
        Document {
            tool: "govscan",
            version: env!("CARGO_PKG_VERSION"),
            as_of: as_of.to_rfc3339(),
            generated_at: crate::asof::now().to_rfc3339(),
            sites,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise report: {e}\"}}"))
    }
}

/// Why a site's IPv6 findings say more about where govscan runs than about the site, if they
/// do: the site is on a loopback address (the demo, a test), or the IPv6 fetch of its home
/// page failed for want of an IPv6 route on this host.
fn local_ipv6_reason(site: &SiteReport) -> Option<String> {
    let host = url::Url::parse(&site.url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_string()));
    if let Some(h) = host {
        let loopback = h.eq_ignore_ascii_case("localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Some(format!(
                "站点位于本机回环地址（{h}），IPv6 各项只反映运行 govscan 的环境（演示或测试），不代表网站在互联网上的情况"
            ));
        }
    }
    let home_v6 = site.ipv6.as_ref()?.home_v6.as_ref()?;
    let text = serde_json::to_string(&home_v6.status).unwrap_or_default();
    const NO_ROUTE: [&str; 6] = [
        "os error 101",
        "Network is unreachable",
        "os error 99",
        "Cannot assign requested address",
        "os error 97",
        "Address family not supported",
    ];
    NO_ROUTE.iter().any(|m| text.contains(m)).then(|| {
        "运行 govscan 的主机没有 IPv6 连通性，首页的 IPv6 访问在本机即告失败：IPv6 各项只反映检查所在的网络，不代表网站本身；请在有 IPv6 的网络中复核".to_string()
    })
}

/// Whether a rule's findings are measured over IPv6.
fn is_ipv6_rule(rule_id: &str, rules: &RuleSet) -> bool {
    rule_id.starts_with("ipv6.")
        || rules
            .get(rule_id)
            .is_some_and(|r| r.indicator.as_deref() == Some("ipv6"))
}

/// The as-of time as people read it (to the second); the text as given when it is not RFC
/// 3339.
fn as_of_text(as_of: &str) -> String {
    DateTime::parse_from_rfc3339(as_of)
        .map(|t| tables::fmt_time(&t))
        .unwrap_or_else(|_| as_of.to_string())
}

/// The terminal report: per site, the findings grouped by rule; at the end, once, the source
/// of every rule reported (and which rules hold unconfirmed defaults, 未核实) as numbered notes.
pub fn text(doc: &Document, rules: &RuleSet) -> String {
    let mut o = String::new();
    // Rule ids in the order their notes are numbered.
    let mut notes: Vec<String> = Vec::new();
    for site in &doc.sites {
        let _ = writeln!(o, "══ {}  {}", site.name, site.url);
        let _ = writeln!(
            o,
            "   {} · {} · 监测时间点 {}",
            site.level.zh(),
            site.kind.zh(),
            as_of_text(&doc.as_of)
        );
        let local_ipv6 = local_ipv6_reason(site);
        for n in &site.notes {
            let _ = writeln!(o, "   注：{n}");
        }
        if let Some(e) = &site.error {
            let _ = writeln!(o, "   ！{e}");
        }
        let mut groups: BTreeMap<(u8, &str), Vec<&Finding>> = BTreeMap::new();
        for f in &site.findings {
            let order = match f.kind {
                Kind::Veto => 0,
                Kind::Deduct => 1,
                Kind::Notice => 2,
            };
            groups.entry((order, f.rule.as_str())).or_default().push(f);
        }
        if groups.is_empty() {
            let _ = writeln!(o, "\n   未发现问题。");
        }
        for ((_, rule_id), findings) in &groups {
            let rule = rules.get(rule_id);
            let title = rule.map(|r| r.title.as_str()).unwrap_or(rule_id);
            let kind = findings[0].kind;
            let points: f64 = findings.iter().map(|f| f.points).sum();
            let pts = if kind == Kind::Deduct {
                format!("，合计扣 {} 分（封顶前）", fmt_points(points))
            } else {
                String::new()
            };
            let note = match rule {
                Some(_) => {
                    let n = match notes.iter().position(|id| id == rule_id) {
                        Some(i) => i + 1,
                        None => {
                            notes.push(rule_id.to_string());
                            notes.len()
                        }
                    };
                    format!("〔注{n}〕")
                }
                None => String::new(),
            };
            let _ = writeln!(
                o,
                "\n── {title} [{rule_id}] {}：{} 项{pts}{note}",
                kind.zh(),
                findings.len()
            );
            if let Some(why) = local_ipv6.as_ref().filter(|_| is_ipv6_rule(rule_id, rules)) {
                let _ = writeln!(o, "   ※ 本项只来自检查所在环境：{why}。");
            }
            for f in findings {
                let _ = writeln!(o, "  • {}", f.message);
                let _ = writeln!(o, "    目标：{}", f.url);
                write_evidence(&mut o, f);
            }
        }
        let s = &site.stats;
        let _ = writeln!(o, "\n── 小结");
        let _ = writeln!(
            o,
            "   页面 {} · 链接 {} · 不可用 {} · 被拦截 {} · robots 禁止 {} · 疑似陷阱跳过 {} · 请求 {} · 用时 {:.1} 秒",
            s.pages,
            s.links,
            s.broken,
            s.blocked,
            s.robots_disallowed,
            s.trap_skipped,
            s.requests,
            s.duration_ms as f64 / 1000.0
        );
        let _ = writeln!(o, "   robots.txt：{}", site.robots);
        for m in &site.marks {
            let _ = writeln!(o, "   {m}");
        }
        if let Some(v6) = &site.ipv6 {
            let _ = writeln!(o, "   IPv6：{}", ipv6_line(v6));
            if let Some(why) = &local_ipv6 {
                let _ = writeln!(o, "   ※ {why}。");
            }
        }
        match site.score {
            Some(score) => {
                let _ = writeln!(
                    o,
                    "   得分 {} · 结论 {}",
                    fmt_points(score),
                    site.verdict.zh()
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "   结论 {}（未评分：{}）",
                    site.verdict.zh(),
                    site.error.as_deref().unwrap_or("未能完成检查")
                );
            }
        }
        let deductions = site.score_detail.iter().flat_map(|s| &s.deductions);
        for d in deductions {
            let _ = writeln!(
                o,
                "     {} 扣 {} 分（上限 {}）",
                d.name,
                fmt_points(d.points),
                fmt_points(d.cap)
            );
        }
        let _ = writeln!(o);
        accounts::write_text(&mut o, &site.accounts, rules);
    }
    if !notes.is_empty() {
        let _ = writeln!(o, "── 注（规则依据）");
        let mut unconfirmed = false;
        for (i, id) in notes.iter().enumerate() {
            let Some(r) = rules.get(id) else { continue };
            let flag = if r.unconfirmed {
                unconfirmed = true;
                "（未核实）"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "   〔注{}〕{} [{id}]{flag}：{}",
                i + 1,
                r.title,
                r.source
            );
        }
        if unconfirmed {
            let _ = writeln!(
                o,
                "   标“未核实”的规则含未经核实的默认值（阈值、时限等），以来源文件为准。"
            );
        }
        let _ = writeln!(o);
    }
    o
}

/// The IPv6 support of a site on one line.
pub fn ipv6_line(d: &crate::crawl::ipv6::Ipv6Detail) -> String {
    let yes = |b: bool| if b { "是" } else { "否" };
    let rate = |l: &crate::crawl::ipv6::LevelCoverage| match l.rate {
        Some(r) => format!(
            "{:.0}%（{}/{}）",
            r * 100.0,
            l.reachable,
            l.checked.saturating_sub(l.inconclusive)
        ),
        None => "未检测".to_string(),
    };
    let home = d.home_v6.as_ref().is_some_and(|h| h.status.is_ok());
    let consistent = match &d.consistency {
        Some(c) => format!(
            "{}（相似度 {:.0}%）",
            yes(c.same_status && c.same_title && c.similarity >= 0.9),
            c.similarity * 100.0
        ),
        None => "未检测".to_string(),
    };
    format!(
        "AAAA 记录 {} · 首页 IPv6 可访问 {} · IPv4/IPv6 一致 {} · 二级链接 {} · 三级链接 {}",
        yes(!d.aaaa.is_empty()),
        yes(home),
        consistent,
        rate(&d.l2),
        rate(&d.l3)
    )
}

fn write_evidence(o: &mut String, f: &Finding) {
    let e = &f.evidence;
    if let Some(st) = e.get("status_text").and_then(|v| v.as_str()) {
        let _ = writeln!(o, "    状态：{st}");
    }
    if let Some(chain) = e
        .get("redirects")
        .and_then(|v| v.as_array())
        .filter(|a| !a.is_empty())
    {
        let hops: Vec<String> = chain
            .iter()
            .map(|h| {
                format!(
                    "{} →{} {}",
                    h.get("url").and_then(|v| v.as_str()).unwrap_or(""),
                    h.get("status").and_then(|v| v.as_u64()).unwrap_or(0),
                    h.get("location").and_then(|v| v.as_str()).unwrap_or("")
                )
            })
            .collect();
        let _ = writeln!(o, "    重定向：{}", hops.join(" ; "));
    }
    if let Some(refs) = e
        .get("referrers")
        .and_then(|v| v.as_array())
        .filter(|a| !a.is_empty())
    {
        let count = e
            .get("referrer_count")
            .and_then(|v| v.as_u64())
            .unwrap_or(refs.len() as u64);
        let _ = writeln!(o, "    所在页面（共 {count} 个）：");
        for r in refs.iter().take(5) {
            let page = r.get("page").and_then(|v| v.as_str()).unwrap_or("");
            let text = r.get("text").and_then(|v| v.as_str()).unwrap_or("");
            if text.is_empty() {
                let _ = writeln!(o, "      - {page}");
            } else {
                let _ = writeln!(o, "      - {page}（链接文字「{text}」）");
            }
        }
        if count > 5 {
            let _ = writeln!(o, "      - ……另有 {} 个页面", count - 5);
        }
    } else if let Some(p) = &f.page {
        let _ = writeln!(o, "    所在页面：{p}");
    }
    if let Some(links) = e.get("links").and_then(|v| v.as_array()) {
        for l in links.iter().take(5) {
            let t = l.get("target").and_then(|v| v.as_str()).unwrap_or("");
            let st = l.get("status_text").and_then(|v| v.as_str()).unwrap_or("");
            let _ = writeln!(o, "      - {t}：{st}");
        }
        if links.len() > 5 {
            let _ = writeln!(o, "      - ……共 {} 个", links.len());
        }
    }
}

/// Points without a trailing ".0".
pub fn fmt_points(p: f64) -> String {
    if (p - p.round()).abs() < 1e-9 {
        format!("{}", p.round() as i64)
    } else {
        format!("{p:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crawl::ipv6::{HomeFetch, Ipv6Detail};
    use crate::crawl::LinkStatus;

    fn site(url: &str, home_v6: Option<LinkStatus>) -> SiteReport {
        SiteReport {
            name: "甲".into(),
            url: url.into(),
            level: SiteLevel::County,
            kind: SiteKind::Portal,
            score: Some(95.0),
            verdict: Verdict::Pass,
            score_detail: None,
            stats: CrawlStats::default(),
            robots: "ok".into(),
            error: None,
            notes: Vec::new(),
            marks: Vec::new(),
            accounts: Vec::new(),
            ipv6: Some(Ipv6Detail {
                host: "www.example.gov.cn".into(),
                aaaa: vec!["2001:db8::1".into()],
                home_v6: home_v6.map(|status| HomeFetch {
                    status,
                    address: Some("[2001:db8::1]:80".into()),
                    latency_ms: 0,
                    final_url: url.into(),
                    title: None,
                }),
                ..Ipv6Detail::default()
            }),
            findings: vec![Finding {
                rule: "ipv6.unsupported".into(),
                kind: Kind::Deduct,
                points: 5.0,
                url: url.into(),
                page: None,
                evidence: serde_json::Value::Null,
                message: "首页不支持IPv6访问".into(),
            }],
        }
    }

    fn report(s: SiteReport) -> String {
        let rules = RuleSet::embedded().expect("rules");
        let as_of =
            DateTime::parse_from_rfc3339("2026-11-30T09:15:42.123456789+08:00").expect("time");
        text(&Document::new(as_of, vec![s]), &rules)
    }

    #[test]
    fn ipv6_findings_from_a_host_without_ipv6_say_so() {
        let unreachable = LinkStatus::Connection {
            message: "error trying to connect: Network is unreachable (os error 101)".into(),
        };
        let t = report(site("https://www.example.gov.cn/", Some(unreachable)));
        assert!(
            t.contains("※ 本项只来自检查所在环境") && t.contains("没有 IPv6 连通性"),
            "{t}"
        );
        // The as-of time to the second.
        assert!(t.contains("监测时间点 2026-11-30 09:15:42 +08:00"), "{t}");
        assert!(!t.contains("123456789"), "{t}");
    }

    #[test]
    fn ipv6_findings_measured_over_working_ipv6_have_no_such_note() {
        let t = report(site(
            "https://www.example.gov.cn/",
            Some(LinkStatus::Timeout),
        ));
        assert!(!t.contains('※'), "{t}");
        let t = report(site("https://www.example.gov.cn/", None));
        assert!(!t.contains('※'), "{t}");
        let t = report(site("http://[::1]:8080/", None));
        assert!(t.contains("本机回环地址（::1）"), "{t}");
    }
}
