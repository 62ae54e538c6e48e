//! `govscan annual-report URL`: one report page read through the crawler (robots.txt, rate
//! limits, body cap — one page, no links followed or checked), its tables as read, every
//! relation with its result and the findings of the page.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;
use url::Url;

use super::InspectError;
use crate::checks::annual_report::{self as ar, Params, RelationCheck};
use crate::checks::Finding;
use crate::config::{Config, SiteConfig};
use crate::crawl::{CrawlRules, Crawler, NoObserver};
use crate::extract::annual_report::AnnualReport;
use crate::rules::RuleSet;

/// One report page checked.
#[derive(Debug, Clone, Serialize)]
pub struct ReportPageCheck {
    /// The URL asked for and the one that answered.
    pub url: String,
    pub final_url: Option<String>,
    /// How the request went (Chinese).
    pub status: String,
    /// Why the page could not be read, when it could not.
    pub error: Option<String>,
    pub title: Option<String>,
    pub charset: Option<String>,
    /// The body was cut at the size cap or read only in part.
    pub truncated: bool,
    /// Judged as of (RFC 3339).
    pub as_of: String,
    /// The report as read; None when the page is no report.
    pub report: Option<AnnualReport>,
    /// The publication date the page states.
    pub published: Option<String>,
    /// The deadline of the report's year for a site of this kind (Chinese kind name).
    pub deadline: Option<(String, String)>,
    /// Every relation at every row and column.
    pub relations: Vec<RelationCheck>,
    /// The findings of the page (sections, format version, relations).
    pub findings: Vec<Finding>,
}

impl ReportPageCheck {
    /// Something failed: a relation, or a finding.
    pub fn has_problems(&self) -> bool {
        !self.findings.is_empty() || self.relations.iter().any(RelationCheck::fails)
    }
}

/// Fetch the page at `url` politely (one page: no link followed or checked) and read it.
pub async fn check_report_page(
    mut config: Config,
    mut site: SiteConfig,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
) -> Result<ReportPageCheck, InspectError> {
    let Some(params) = Params::from_rules(rules) else {
        return Err(InspectError::Usage(
            "the rules have no annual_report.missing and annual_report.sections".into(),
        ));
    };
    site.crawl.max_pages = Some(1);
    site.crawl.max_depth = Some(0);
    site.crawl.max_links = Some(0);
    site.crawl.check_external = Some(false);
    config.sites.retain(|s| s.name != site.name);
    config.sites.push(site.clone());
    let crawler = Arc::new(
        Crawler::new(
            Arc::new(config),
            CrawlRules::from_rules(rules),
            Arc::new(NoObserver),
            chrono::Datelike::year(&as_of),
        )
        .map_err(|e| InspectError::Failed(e.to_string()))?,
    );
    let facts = crawler.crawl_site(&site).await;
    let url: Url = site.url.clone();
    let Some(page) = facts.home.as_ref() else {
        return Ok(empty(url.as_str(), as_of, facts.error.clone(), "未能读取"));
    };
    let mut out = empty(url.as_str(), as_of, facts.error.clone(), &page.status.zh());
    out.final_url = Some(page.final_url.clone());
    out.title.clone_from(&page.title);
    out.charset.clone_from(&page.charset);
    out.truncated = page.truncated;
    let day = as_of.date_naive();
    out.published = page
        .facts
        .pub_date
        .and_then(|d| d.resolve(day))
        .map(|d| d.to_string());
    let Some(report) = page.facts.annual_report.as_ref() else {
        if out.error.is_none() && page.status.is_ok() {
            out.error = Some(
                "页面不是政府信息公开工作年度报告：标题不符合年度报告标题，且未找到至少三个规定部分"
                    .into(),
            );
        }
        return Ok(out);
    };
    if let Some(y) = report.year {
        let kind = match site.kind {
            crate::config::SiteKind::Department => "部门",
            crate::config::SiteKind::Portal => "政府",
        };
        out.deadline = params
            .deadline(y, site.kind)
            .map(|d: NaiveDate| (kind.to_string(), d.to_string()));
    }
    out.relations = ar::relations(report, &params.relations);
    out.findings = ar::judge_report(report, page, &params, rules, &facts, None);
    out.report = Some(report.clone());
    Ok(out)
}

fn empty(
    url: &str,
    as_of: DateTime<FixedOffset>,
    error: Option<String>,
    status: &str,
) -> ReportPageCheck {
    ReportPageCheck {
        url: url.to_string(),
        final_url: None,
        status: status.to_string(),
        error,
        title: None,
        charset: None,
        truncated: false,
        as_of: as_of.to_rfc3339(),
        report: None,
        published: None,
        deadline: None,
        relations: Vec::new(),
        findings: Vec::new(),
    }
}
