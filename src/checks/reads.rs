//! What the checks read of a site's crawl, so that a site judged from the store holds only
//! that in memory (see `crawl::view`).
//!
//! The contract every check keeps: it goes through `SiteFacts::pages` only for the pages
//! [`Reads::page`] keeps (the home page and the pages it links; list pages; pages with a fact
//! some check reads: 政务公开 and interaction facts, a report, wording hits, hidden links,
//! guide labels, feeds; pages near the home page headed as the 政府信息公开 专栏, pages whose
//! title or list names the 网站工作年度报表, pages headed as an interaction channel), and through `SiteFacts::links` only for the links [`Reads::link`]
//! keeps (every link that did not answer OK, every outbound link sampled) and the links to the
//! pages kept. Anything else it looks up by URL (`SiteFacts::page`, `link`, `links_on`,
//! `referrers`), and every page's navigation it reads from `SiteFacts::nav_summary`. Facts
//! held whole (a crawl in memory) answer the same, so the checks' tests hold for both.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::crawl::view::{FactLookup, FactsAccess};
use crate::crawl::{LinkFact, PageLink, PageRecord, Referrer, SiteFacts};
use crate::rules::params::{InteractionChannelParams, SiteAnnualTableParams, XxgkParams};
use crate::rules::RuleSet;

/// Which pages and links of a site its checks go through.
#[derive(Debug, Clone)]
pub struct Reads {
    /// `column.missing.xxgk` (`columns::check_xxgk`): its parameters, if the rule set has it.
    xxgk: Option<XxgkParams>,
    /// `site_annual_table.missing`: its parameters, if the rule set has it.
    site_annual_table: Option<SiteAnnualTableParams>,
    /// interaction.no_channel: the channel names its headings are read for.
    channels: Option<InteractionChannelParams>,
}

impl Reads {
    pub fn new(rules: &RuleSet) -> Reads {
        Reads {
            xxgk: rules
                .get("column.missing.xxgk")
                .and_then(|r| r.typed::<XxgkParams>())
                .cloned(),
            site_annual_table: rules
                .get("site_annual_table.missing")
                .and_then(|r| r.typed::<SiteAnnualTableParams>())
                .cloned(),
            channels: rules
                .get("interaction.no_channel")
                .and_then(|r| r.typed::<InteractionChannelParams>())
                .cloned(),
        }
    }

    /// Whether the checks go through this page (see the module documentation).
    pub fn page(&self, p: &PageRecord) -> bool {
        let f = &p.facts;
        // The home page and the pages it links (the configured columns are crawled as if it
        // did).
        p.depth <= 1
            // Columns: list pages and pages that say they list nothing.
            || (!f.is_article() && (f.item_count() > 0 || f.empty_marker.is_some()))
            || !f.wording.is_empty()
            || !f.normdoc.is_empty()
            || f.annual_report.is_some()
            || !f.feeds.is_empty()
            || !f.interaction.is_empty()
            || !f.guide_labels.is_empty()
            || !f.hidden_links.is_empty()
            // columns::check_xxgk: pages near the home page whose heading names the 专栏.
            || self
                .xxgk
                .as_ref()
                .is_some_and(|x| super::columns::xxgk_heading_page(x, p))
            // site_annual_table: pages whose title or items name the 网站工作年度报表.
            || self
                .site_annual_table
                .as_ref()
                .is_some_and(|t| super::site_annual_table::shows_table(t, p))
            // interaction.no_channel: a heading naming an interaction channel.
            || f.heading.as_deref().is_some_and(|h| {
                self.channels
                    .as_ref()
                    .is_some_and(|c| super::interaction::names_channel(c, h))
            })
    }

    /// Whether the checks go through this link's result (see the module documentation); the
    /// links to the pages kept are kept too.
    pub fn link(&self, l: &LinkFact) -> bool {
        !l.outcome.status.is_ok() || l.target.is_some()
    }
}

/// Facts held whole, reduced to what [`Reads`] keeps, the rest behind a look-up into the whole:
/// what a site judged from the store holds, built from a crawl in memory. Judging both must
/// give the same findings (debug builds check it on every judgement of facts held whole).
pub fn reduce(full: &SiteFacts, rules: &RuleSet) -> SiteFacts {
    let reads = Reads::new(rules);
    let pages: Vec<PageRecord> = full
        .pages
        .iter()
        .filter(|p| reads.page(p))
        .cloned()
        .collect();
    let kept: HashSet<&str> = pages
        .iter()
        .chain(full.home.as_ref())
        .flat_map(|p| [p.url.as_str(), p.final_url.as_str()])
        .collect();
    let links = full
        .links
        .iter()
        .filter(|(k, l)| reads.link(l) || kept.contains(k.as_str()))
        .map(|(k, l)| (k.clone(), l.clone()))
        .collect();
    let nav = full.nav_summary().into_owned();
    let whole = Arc::new(Whole(full.clone()));
    let access = FactsAccess::partial(whole, nav, &pages);
    SiteFacts {
        pages,
        links,
        access,
        ..full.clone()
    }
}

/// The look-up into facts held whole (see [`reduce`]): answers as the store does.
struct Whole(SiteFacts);

impl FactLookup for Whole {
    fn page(&self, url: &str) -> Option<PageRecord> {
        self.0.page(url).map(|p| p.into_owned())
    }

    fn link(&self, url: &str) -> Option<LinkFact> {
        self.0.links.get(url).map(|l| LinkFact {
            referrers: Vec::new(),
            referrer_count: 0,
            ..l.clone()
        })
    }

    fn links_on(&self, url: &str) -> Vec<PageLink> {
        let mut out = Vec::new();
        for (target, l) in &self.0.links {
            for r in l.referrers.iter().filter(|r| &*r.page == url) {
                out.push(PageLink {
                    to: target.clone(),
                    text: r.text.to_string(),
                    element: r.element,
                });
            }
        }
        out
    }

    fn referrers(&self, targets: &HashSet<String>) -> HashMap<String, (Vec<Referrer>, usize)> {
        targets
            .iter()
            .filter_map(|t| {
                let l = self.0.links.get(t)?;
                Some((t.clone(), (l.referrers.clone(), l.referrer_count)))
            })
            .collect()
    }

    fn error(&self) -> Option<String> {
        None
    }
}
