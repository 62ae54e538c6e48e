//! IPv6 checks from a site's measured IPv6 support ([`Ipv6Summary`], see `crawl::ipv6`) and
//! its IPv6 probes:
//!
//! - `ipv6.unsupported`: no AAAA record, or the home page does not answer over IPv6;
//! - `ipv6.coverage`: the share of second- or third-level links reachable over IPv6 below its
//!   target (one finding for both levels; not reported when the home page itself is
//!   unsupported — that is already `ipv6.unsupported`);
//! - `ipv6.consistency`: the IPv4 and IPv6 home pages differ (status, title, or text
//!   similarity below `min_similarity`);
//! - `ipv6.delegation`: a name server of the site's zone has no IPv6 address;
//! - `ipv6.success_rate`: IPv6 home-page probes of the window succeeding less than `target`.

use chrono::{DateTime, FixedOffset};
use serde_json::json;

use super::availability::availability;
use super::Finding;
use crate::config::{SiteKind, SiteLevel};
use crate::facts::{IpFamily, Ipv6Summary, Probe};
use crate::rules::params::{Ipv6ConsistencyParams, Ipv6CoverageParams, Ipv6SuccessRateParams};
use crate::rules::{Rule, RuleSet};

fn finding(rule: &Rule, url: &str, evidence: serde_json::Value, message: String) -> Finding {
    Finding {
        rule: rule.id.clone(),
        kind: rule.kind,
        points: rule.points,
        url: url.to_string(),
        page: None,
        evidence,
        message,
    }
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// Findings of the IPv6 rules from a site's IPv6 summary.
pub fn check(
    site_url: &str,
    level: SiteLevel,
    kind: SiteKind,
    summary: &Ipv6Summary,
    rules: &RuleSet,
) -> Vec<Finding> {
    let d = &summary.detail;
    let mut out = Vec::new();
    let unsupported = !summary.has_aaaa || !summary.home_reachable;
    if let Some(r) = rules.enabled_for("ipv6.unsupported", level, kind) {
        if unsupported {
            let v6 = d.home_v6.as_ref();
            let message = if !summary.has_aaaa {
                match &d.dns_error {
                    Some(e) => format!(
                        "首页域名 {} 的AAAA记录查询失败（{e}），首页不支持IPv6访问",
                        d.host
                    ),
                    None => format!("首页域名 {} 没有AAAA记录，首页不支持IPv6访问", d.host),
                }
            } else {
                let why = v6.map_or_else(|| "未能访问".to_string(), |h| h.status.zh());
                format!("首页通过IPv6无法正常访问：{why}")
            };
            out.push(finding(
                r,
                site_url,
                json!({
                    "host": d.host,
                    "aaaa": d.aaaa,
                    "a": d.a,
                    "dns_error": d.dns_error,
                    "home_v6": v6,
                }),
                message,
            ));
        }
    }
    if let Some((r, p)) = rules.enabled_typed::<Ipv6CoverageParams>("ipv6.coverage", level, kind) {
        if !unsupported {
            let min = p.min_links;
            let mut parts = Vec::new();
            for (name, cov, target) in [
                ("二级链接", &d.l2, p.l2_target),
                ("三级链接", &d.l3, p.l3_target),
            ] {
                let judged = cov.checked.saturating_sub(cov.inconclusive);
                if let Some(rate) = cov.rate {
                    if judged >= min && rate < target {
                        parts.push(format!(
                            "{name}IPv6支持率{}（抽查{judged}个，可访问{}个），低于{}的目标",
                            percent(rate),
                            cov.reachable,
                            percent(target)
                        ));
                    }
                }
            }
            if !parts.is_empty() {
                out.push(finding(
                    r,
                    site_url,
                    json!({
                        "l2": d.l2,
                        "l3": d.l3,
                        "l2_target": p.l2_target,
                        "l3_target": p.l3_target,
                        "min_links": min,
                    }),
                    parts.join("；"),
                ));
            }
        }
    }
    if let (Some((r, p)), Some(c)) = (
        rules.enabled_typed::<Ipv6ConsistencyParams>("ipv6.consistency", level, kind),
        &d.consistency,
    ) {
        let min = p.min_similarity;
        let mut why = Vec::new();
        if !c.same_status {
            let s = |v: Option<u16>| v.map_or_else(|| "无".to_string(), |v| v.to_string());
            why.push(format!(
                "状态码不同（IPv4 {}，IPv6 {}）",
                s(c.v4_status),
                s(c.v6_status)
            ));
        }
        if !c.same_title {
            why.push(format!(
                "标题不同（IPv4「{}」，IPv6「{}」）",
                c.v4_title.as_deref().unwrap_or(""),
                c.v6_title.as_deref().unwrap_or("")
            ));
        }
        if c.similarity < min {
            why.push(format!(
                "正文相似度{}，低于{}",
                percent(c.similarity),
                percent(min)
            ));
        }
        if !why.is_empty() {
            out.push(finding(
                r,
                site_url,
                json!({
                    "consistency": c,
                    "min_similarity": min,
                    "home_v4": d.home_v4,
                    "home_v6": d.home_v6,
                }),
                format!("首页IPv4与IPv6访问内容不一致：{}", why.join("；")),
            ));
        }
    }
    if let Some(r) = rules.enabled_for("ipv6.delegation", level, kind) {
        let del = &d.delegation;
        let with = del.with_ipv6();
        let all = del.name_servers.len();
        if del.checked && all > 0 && with < all {
            let zone = del.zone.as_deref().unwrap_or(&d.host);
            let without: Vec<&str> = del
                .name_servers
                .iter()
                .filter(|n| n.ipv6.is_empty())
                .map(|n| n.name.as_str())
                .collect();
            let message = if with == 0 {
                format!("域名 {zone} 的权威域名服务器均无IPv6地址，解析授权链不支持IPv6")
            } else {
                format!(
                    "域名 {zone} 的{all}个权威域名服务器中有{}个无IPv6地址：{}",
                    all - with,
                    without.join("、")
                )
            };
            out.push(finding(r, site_url, json!({ "delegation": del }), message));
        }
    }
    out
}

/// `ipv6.success_rate` from the IPv6 home-page probes of the window before `as_of`.
pub fn success_rate(
    site_url: &str,
    level: SiteLevel,
    kind: SiteKind,
    probes: &[Probe],
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
) -> Vec<Finding> {
    let Some((r, p)) =
        rules.enabled_typed::<Ipv6SuccessRateParams>("ipv6.success_rate", level, kind)
    else {
        return Vec::new();
    };
    let days = p.window_days;
    let min = p.min_probes;
    let a = availability(probes, IpFamily::V6, days, 0, as_of);
    let target = p.target;
    if a.total == 0 || a.total < min {
        return Vec::new();
    }
    let success = 1.0 - a.rate;
    if success >= target {
        return Vec::new();
    }
    vec![finding(
        r,
        site_url,
        json!({
            "window_days": days,
            "from": a.from,
            "to": a.to,
            "probes": a.total,
            "failed": a.failed,
            "success_rate": success,
            "target": target,
            "longest_outage": a.longest_outage,
        }),
        format!(
            "首页IPv6访问成功率{}（{}天内探测{}次，失败{}次），低于{}的目标",
            percent(success),
            days,
            a.total,
            a.failed,
            percent(target)
        ),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::availability::tests::{as_of, series};
    use crate::crawl::ipv6::{
        Consistency, Delegation, HomeFetch, Ipv6Detail, LevelCoverage, NameServer,
        DELEGATION_PINNED_NOTE,
    };
    use crate::crawl::LinkStatus;

    const URL: &str = "https://www.example.gov.cn/";

    fn rules() -> RuleSet {
        RuleSet::embedded().expect("embedded rules")
    }

    fn summary(d: &Ipv6Detail, has_aaaa: bool, home: bool) -> Ipv6Summary {
        Ipv6Summary {
            has_aaaa,
            home_reachable: home,
            links_checked: d.l2.checked + d.l3.checked,
            links_reachable: d.l2.reachable + d.l3.reachable,
            detail: d.clone(),
        }
    }

    fn run(s: &Ipv6Summary) -> Vec<Finding> {
        check(URL, SiteLevel::County, SiteKind::Portal, s, &rules())
    }

    fn level(checked: usize, reachable: usize) -> LevelCoverage {
        LevelCoverage {
            candidates: checked,
            checked,
            reachable,
            rate: (checked > 0).then(|| reachable as f64 / checked as f64),
            ..LevelCoverage::default()
        }
    }

    fn good() -> Ipv6Detail {
        Ipv6Detail {
            host: "www.example.gov.cn".into(),
            aaaa: vec!["2001:db8::7".into()],
            a: vec!["203.0.113.7".into()],
            home_v6: Some(HomeFetch {
                status: LinkStatus::Ok { status: 200 },
                address: Some("2001:db8::7".into()),
                latency_ms: 80,
                final_url: URL.into(),
                title: Some("示范县人民政府".into()),
            }),
            consistency: Some(Consistency {
                v4_status: Some(200),
                v6_status: Some(200),
                same_status: true,
                v4_title: Some("示范县人民政府".into()),
                v6_title: Some("示范县人民政府".into()),
                same_title: true,
                similarity: 0.99,
            }),
            l2: level(40, 40),
            l3: level(100, 95),
            delegation: Delegation {
                note: Some(DELEGATION_PINNED_NOTE.into()),
                ..Delegation::default()
            },
            ..Ipv6Detail::default()
        }
    }

    #[test]
    fn full_support_passes() {
        assert!(run(&summary(&good(), true, true)).is_empty());
    }

    #[test]
    fn no_aaaa_is_unsupported_and_coverage_is_not_added() {
        let mut d = good();
        d.aaaa.clear();
        d.l2 = level(40, 0);
        let f = run(&summary(&d, false, false));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "ipv6.unsupported");
        assert!(f[0].message.contains("没有AAAA记录"), "{}", f[0].message);
    }

    #[test]
    fn home_unreachable_over_ipv6_is_unsupported() {
        let mut d = good();
        d.home_v6 = Some(HomeFetch {
            status: LinkStatus::Timeout,
            address: None,
            latency_ms: 15_000,
            final_url: URL.into(),
            title: None,
        });
        d.consistency = None;
        let f = run(&summary(&d, true, false));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "ipv6.unsupported");
        assert!(f[0].message.contains("访问超时"), "{}", f[0].message);
    }

    #[test]
    fn low_link_coverage_is_one_finding_for_both_levels() {
        let mut d = good();
        d.l2 = level(20, 12);
        d.l3 = level(40, 30);
        let f = run(&summary(&d, true, true));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "ipv6.coverage");
        assert!(
            f[0].message.contains("二级链接IPv6支持率60.0%"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message.contains("三级链接IPv6支持率75.0%"),
            "{}",
            f[0].message
        );
        // Too few links on a level: not judged.
        d.l2 = level(5, 1);
        d.l3 = level(9, 0);
        assert!(run(&summary(&d, true, true)).is_empty());
    }

    #[test]
    fn different_content_is_a_consistency_notice() {
        let mut d = good();
        d.consistency = Some(Consistency {
            v4_status: Some(200),
            v6_status: Some(200),
            same_status: true,
            v4_title: Some("示范县人民政府".into()),
            v6_title: Some("IIS Windows Server".into()),
            same_title: false,
            similarity: 0.1,
        });
        let f = run(&summary(&d, true, true));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "ipv6.consistency");
        assert_eq!(f[0].kind, crate::checks::Kind::Notice);
        assert!(f[0].message.contains("标题不同"), "{}", f[0].message);
        assert!(f[0].message.contains("正文相似度10.0%"), "{}", f[0].message);
    }

    #[test]
    fn name_servers_without_ipv6_are_a_delegation_notice() {
        let mut d = good();
        d.delegation = Delegation {
            checked: true,
            note: None,
            zone: Some("example.gov.cn".into()),
            name_servers: vec![
                NameServer {
                    name: "ns1.example.gov.cn".into(),
                    ipv6: vec!["2001:db8::53".into()],
                    error: None,
                },
                NameServer {
                    name: "ns2.example.gov.cn".into(),
                    ipv6: vec![],
                    error: None,
                },
            ],
        };
        let f = run(&summary(&d, true, true));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "ipv6.delegation");
        assert!(
            f[0].message.contains("ns2.example.gov.cn"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn ipv6_probe_success_rate() {
        // The series' IPv6 probes all fail.
        let probes = series(7, 24, &[]);
        let f = success_rate(
            URL,
            SiteLevel::County,
            SiteKind::Portal,
            &probes,
            &rules(),
            as_of(),
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].rule, "ipv6.success_rate");
        assert_eq!(f[0].evidence["probes"], 168);
        assert!(f[0].message.contains("成功率0.0%"), "{}", f[0].message);
        // Too few probes: not judged.
        let few = series(1, 10, &[]);
        assert!(success_rate(
            URL,
            SiteLevel::County,
            SiteKind::Portal,
            &few,
            &rules(),
            as_of()
        )
        .is_empty());
    }
}
