//! A site's new-media accounts (政务新媒体), inspected after its crawl: the configured ones and
//! the ones its pages point to, each read through the crawler and judged on its own. An
//! account's verdict never touches its site's.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use crate::checks::feeds::{judge_account, AccountJudgement};
use crate::config::SiteConfig;
use crate::crawl::feeds::{site_accounts, AccountFacts};
use crate::crawl::{Crawler, SiteFacts};
use crate::rules::RuleSet;

/// An account read and judged.
#[derive(Debug, Clone)]
pub struct InspectedAccount {
    pub facts: AccountFacts,
    pub judgement: AccountJudgement,
}

/// Read and judge every account of `site` (configured, then discovered on its crawled
/// pages). `failures_before` gives the failed reads in a row of a feed (by URL) in earlier
/// scans, from the store.
pub async fn inspect_accounts(
    crawler: &Arc<Crawler>,
    site: &SiteConfig,
    facts: Option<&SiteFacts>,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    failures_before: &(dyn Fn(&str) -> usize + Send + Sync),
) -> Vec<InspectedAccount> {
    let wording = crawler.wording_matcher();
    let mut out = Vec::new();
    for (account, found_on) in site_accounts(site, facts) {
        let mut facts = crawler.read_account(site, &account, found_on).await;
        facts.failures_before = failures_before(&facts.feed_url);
        let judgement = judge_account(&facts, rules, as_of, wording.as_deref());
        tracing::info!(
            site = %site.name, account = %facts.name, verdict = judgement.verdict.zh(),
            "account inspected"
        );
        out.push(InspectedAccount { facts, judgement });
    }
    out
}
