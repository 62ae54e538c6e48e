//! Footer identifiers of the home page: `footer.missing_id.siteidcode` (网站标识码, also
//! compared with `<meta name="SiteIDCode">` and the configured code), `.icp`, `.psb`,
//! `.conac`, `footer.missing.sponsor_contact` and `footer.missing.jiucuo` (the 我为政府网站找错
//! entry, whose `site_code` must be the site's code).
//!
//! Patterns are matched against the footer's visible text and the attribute strings of its
//! links, images and scripts (plus any element of the page that refers to the conac mark or the
//! 找错 entry). When no footer element can be told apart, the end of the page's text is used.
//! Each rule gives at most one finding, listing everything wrong with its identifier.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::json;

use super::Finding;
use crate::crawl::SiteFacts;
use crate::extract::facts::FooterFacts;
use crate::rules::params::{
    ConacParams, FooterPatternsParams, JiucuoParams, SiteIdCodeParams, SponsorContactParams,
};
use crate::rules::{Rule, RuleSet};

static TRAILING_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9A-Za-z]+)\s*$").unwrap_or_else(|_| unreachable!("constant regex"))
});

fn haystack(f: &FooterFacts) -> String {
    let mut s = f.text.clone();
    for m in &f.marks {
        s.push('\n');
        s.push_str(m);
    }
    s
}

fn first_match<'h>(patterns: &[Regex], hay: &'h str) -> Option<&'h str> {
    patterns
        .iter()
        .find_map(|r| r.find(hay))
        .map(|m| m.as_str())
}

fn finding(
    rule: &Rule,
    facts: &SiteFacts,
    evidence: serde_json::Value,
    message: String,
) -> Finding {
    let page = facts.home.as_ref().map(|h| h.url.as_str());
    super::finding(
        rule,
        page.unwrap_or(facts.url.as_str()),
        page,
        evidence,
        message,
    )
}

/// The footer findings.
pub fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(home) = facts.home.as_ref().filter(|h| h.status.is_ok()) else {
        return out;
    };
    let Some(footer) = &home.facts.footer else {
        return out;
    };
    let hay = haystack(footer);
    let region = footer.region.zh();
    let excerpt: String = footer.text.chars().take(300).collect();

    // 网站标识码: footer, meta, configuration.
    let mut footer_code: Option<String> = None;
    if let Some((r, p)) = rules.enabled_typed::<SiteIdCodeParams>(
        "footer.missing_id.siteidcode",
        facts.level,
        facts.kind,
    ) {
        let found = first_match(&p.patterns, &hay);
        footer_code = found
            .and_then(|m| TRAILING_CODE.captures(m))
            .map(|c| c[1].to_string());
        let meta = footer.meta_site_id.as_deref();
        let configured = facts
            .site_id_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let shape = &p.code_pattern;
        let mut problems: Vec<String> = Vec::new();
        match &footer_code {
            None => problems.push("页面底部未标注网站标识码".into()),
            Some(c) if !shape.is_match(c) => {
                problems.push(format!("页面底部的网站标识码「{c}」格式不正确"))
            }
            _ => {}
        }
        match meta {
            None => problems.push(format!("首页缺少 <meta name=\"{}\">", p.meta_name)),
            Some(m) => {
                if let Some(c) = footer_code.as_deref().filter(|c| *c != m) {
                    problems.push(format!(
                        "页面底部网站标识码「{c}」与 <meta> 中的「{m}」不一致"
                    ));
                }
            }
        }
        if let Some(cfg) = configured {
            for (what, v) in [("页面底部", footer_code.as_deref()), ("<meta>", meta)] {
                if let Some(v) = v.filter(|v| *v != cfg) {
                    problems.push(format!("{what}的网站标识码「{v}」与登记的「{cfg}」不一致"));
                }
            }
        }
        if !problems.is_empty() {
            out.push(finding(
                r,
                facts,
                json!({
                    "identifier": "网站标识码",
                    "footer_code": footer_code,
                    "meta_code": meta,
                    "configured_code": configured,
                    "problems": problems,
                    "where": region,
                    "footer_excerpt": excerpt,
                }),
                format!("网站标识码问题：{}", problems.join("；")),
            ));
        }
    }

    if let Some((r, p)) =
        rules.enabled_typed::<ConacParams>("footer.missing_id.conac", facts.level, facts.kind)
    {
        out.extend(conac(r, p, facts, footer, region, &excerpt));
    }
    for (id, name) in [
        ("footer.missing_id.icp", "ICP备案编号"),
        ("footer.missing_id.psb", "公安机关备案标识"),
    ] {
        let Some((r, p)) = rules.enabled_typed::<FooterPatternsParams>(id, facts.level, facts.kind)
        else {
            continue;
        };
        if first_match(&p.patterns, &hay).is_none() {
            out.push(finding(
                r,
                facts,
                json!({"identifier": name, "where": region, "footer_excerpt": excerpt}),
                format!("首页{region}缺少{name}"),
            ));
        }
    }

    if let Some((r, p)) = rules.enabled_typed::<SponsorContactParams>(
        "footer.missing.sponsor_contact",
        facts.level,
        facts.kind,
    ) {
        let sponsor = first_match(&p.sponsor_patterns, &hay);
        let contact = first_match(&p.contact_patterns, &hay);
        let missing: Vec<&str> = [(sponsor, "网站主办单位"), (contact, "联系方式")]
            .into_iter()
            .filter(|(m, _)| m.is_none())
            .map(|(_, n)| n)
            .collect();
        if !missing.is_empty() {
            out.push(finding(
                r,
                facts,
                json!({"missing": missing, "where": region, "footer_excerpt": excerpt}),
                format!("首页{region}缺少{}", missing.join("和")),
            ));
        }
    }

    if let Some((r, p)) =
        rules.enabled_typed::<JiucuoParams>("footer.missing.jiucuo", facts.level, facts.kind)
    {
        let found = first_match(&p.patterns, &hay);
        let site_code = facts
            .site_id_code
            .clone()
            .or_else(|| footer.meta_site_id.clone())
            .or(footer_code);
        let problem = match (found, &footer.jiucuo_site_code, &site_code) {
            (None, _, _) => Some("首页缺少“我为政府网站找错”入口".to_string()),
            (Some(_), Some(entry), Some(code)) if p.check_site_code && entry != code => Some(
                format!("“我为政府网站找错”入口的网站标识码「{entry}」与本网站的「{code}」不一致"),
            ),
            _ => None,
        };
        if let Some(message) = problem {
            out.push(finding(
                r,
                facts,
                json!({
                    "identifier": "我为政府网站找错",
                    "entry_site_code": footer.jiucuo_site_code,
                    "site_code": site_code,
                    "where": region,
                    "marks": footer.marks.iter().take(10).collect::<Vec<_>>(),
                }),
                message,
            ));
        }
    }
    out
}

/// The forms of the 党政机关网站标识, in the order they are looked for: (its patterns, whether
/// they are matched on the marks rather than the footer text, description for the evidence).
fn conac_form_list(p: &ConacParams) -> [(&[Regex], bool, &'static str); 4] {
    [
        (&p.link_patterns, true, "链接至党政机关网站标识注册页面"),
        (&p.script_patterns, true, "党政机关网站标识脚本"),
        (&p.image_patterns, true, "党政机关网站标识图片"),
        (&p.patterns, false, "页面底部文字"),
    ]
}

/// `footer.missing_id.conac`: missing only when none of its forms is there.
fn conac(
    r: &Rule,
    p: &ConacParams,
    facts: &SiteFacts,
    footer: &FooterFacts,
    region: &str,
    excerpt: &str,
) -> Option<Finding> {
    if !conac_forms(p, footer).is_empty() {
        return None;
    }
    let looked_for: Vec<&str> = conac_form_list(p)
        .iter()
        .filter(|(patterns, _, _)| !patterns.is_empty())
        .map(|(_, _, form)| *form)
        .collect();
    Some(finding(
        r,
        facts,
        json!({"identifier": "党政机关网站标识", "where": region, "looked_for": looked_for,
               "footer_excerpt": excerpt,
               "marks": footer.marks.iter().take(10).collect::<Vec<_>>()}),
        format!(
            "首页{region}缺少党政机关网站标识（未发现{}）",
            looked_for.join("、")
        ),
    ))
}

/// What the home page shows of the identity marks the footer rules look for, for the report
/// (an inspector sees what was found, not only what is missing): each form of the 党政机关网站
/// 标识 found, with what matched.
pub fn identity_marks(facts: &SiteFacts, rules: &RuleSet) -> Vec<String> {
    let Some(footer) = facts
        .home
        .as_ref()
        .filter(|h| h.status.is_ok())
        .and_then(|h| h.facts.footer.as_ref())
    else {
        return Vec::new();
    };
    let Some((_, p)) =
        rules.enabled_typed::<ConacParams>("footer.missing_id.conac", facts.level, facts.kind)
    else {
        return Vec::new();
    };
    conac_forms(p, footer)
        .into_iter()
        .map(|(form, matched)| {
            let matched: String = matched.chars().take(120).collect();
            format!("党政机关网站标识：{form}（{matched}）")
        })
        .collect()
}

/// Which forms of the 党政机关网站标识 the footer shows, each with what matched (the mark
/// `tag attribute=value`, or the footer text).
pub fn conac_forms(p: &ConacParams, footer: &FooterFacts) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (patterns, on_marks, form) in conac_form_list(p) {
        let found = if on_marks {
            footer
                .marks
                .iter()
                .find(|m| patterns.iter().any(|p| p.is_match(m)))
                .map(String::as_str)
        } else {
            first_match(patterns, &footer.text)
        };
        if let Some(m) = found {
            out.push((form, m.to_string()));
        }
    }
    out
}

#[cfg(test)]
#[path = "footer_tests.rs"]
mod tests;
