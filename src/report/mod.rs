//! Reports: the terminal report for an inspector (findings grouped by rule, with evidence,
//! then a summary) and the JSON document for machines (the contract in DESIGN.md).

pub mod bulletin;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::checks::score::Score;
use crate::checks::Finding;
use crate::config::{SiteKind, SiteLevel};
use crate::crawl::{CrawlStats, SiteFacts};
use crate::rules::{Kind, RuleSet};

/// One site's result, as reported.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub name: String,
    pub url: String,
    pub level: SiteLevel,
    pub kind: SiteKind,
    pub score: f64,
    pub verdict: String,
    pub score_detail: Score,
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
}

/// The note of `govscan check URL` when no configured site matched the URL.
pub const NOTE_NO_SITE_MATCHED: &str =
    "配置文件中没有与该网址匹配的网站（按协议、主机、端口和路径前缀匹配），按默认设置检查";

impl SiteReport {
    /// Build a site's report from its facts, findings and score.
    pub fn new(facts: &SiteFacts, findings: Vec<Finding>, score: Score) -> SiteReport {
        SiteReport {
            name: facts.name.clone(),
            url: facts.url.clone(),
            level: facts.level,
            kind: facts.kind,
            score: score.score,
            verdict: score.verdict.zh().to_string(),
            score_detail: score,
            stats: facts.stats.clone(),
            robots: facts.robots.clone(),
            error: facts.error.clone(),
            ipv6: None,
            findings,
            notes: Vec::new(),
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

/// The terminal report.
pub fn text(doc: &Document, rules: &RuleSet) -> String {
    let mut o = String::new();
    for site in &doc.sites {
        let _ = writeln!(o, "══ {}  {}", site.name, site.url);
        let _ = writeln!(
            o,
            "   {} · {} · 监测时间点 {}",
            site.level.zh(),
            site.kind.zh(),
            doc.as_of
        );
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
            let _ = writeln!(
                o,
                "\n── {title} [{rule_id}] {}：{} 项{pts}",
                kind.zh(),
                findings.len()
            );
            if let Some(r) = rule.filter(|r| r.unconfirmed) {
                let _ = writeln!(o, "   （本规则含未经核实的默认值，来源：{}）", r.source);
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
        if let Some(v6) = &site.ipv6 {
            let _ = writeln!(o, "   IPv6：{}", ipv6_line(v6));
        }
        let _ = writeln!(
            o,
            "   得分 {} · 结论 {}",
            fmt_points(site.score),
            site.verdict
        );
        for d in &site.score_detail.deductions {
            let _ = writeln!(
                o,
                "     {} 扣 {} 分（上限 {}）",
                d.name,
                fmt_points(d.points),
                fmt_points(d.cap)
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
