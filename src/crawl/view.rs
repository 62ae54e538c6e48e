//! How the checks read a site's facts: the pages they go through, and every other page, link
//! result, link list and referrer looked up by URL.
//!
//! A site crawled in memory (the tests' sites) holds every page and link fact, and the look-ups
//! search them. A site judged from the store holds only the pages and links its checks go
//! through (see `checks::reads`): the home page, the list pages, the pages with facts a check
//! reads, the failing links and the links to the pages kept. The rest are read from the store
//! when a check asks for one, through a [`FactLookup`], so the judgement's memory does not grow
//! with the site's pages.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::types::{LinkFact, PageLink, PageRecord, Referrer, SiteFacts};

/// What a site's facts do not hold in memory but can look up by URL (a site judged from the
/// store). Look-ups that fail to read are `None` / empty, and the failure is kept: the caller
/// asks [`FactLookup::error`] once the judgement is done, and a site whose facts could not be
/// read is not judged as if they had been.
pub trait FactLookup: Send + Sync {
    /// The page fetched as `url` (its URL, else its final URL), its facts drawn as the
    /// judgement draws them.
    fn page(&self, url: &str) -> Option<PageRecord>;
    /// The result of the link to `url`, without its referrers (see [`FactLookup::referrers`]).
    fn link(&self, url: &str) -> Option<LinkFact>;
    /// The links on the page fetched as `url`, in page order.
    fn links_on(&self, url: &str) -> Vec<PageLink>;
    /// For each of `targets` that any page links: its referrers (at most
    /// [`MAX_REFERRERS`](super::engine::MAX_REFERRERS), in crawl order) and how many pages link
    /// it. One pass over the site's link lists.
    fn referrers(&self, targets: &HashSet<String>) -> HashMap<String, (Vec<Referrer>, usize)>;
    /// The first read failure, if any.
    fn error(&self) -> Option<String>;
}

/// The navigation links of all the site's pages: each (URL, text) once, in the order first
/// seen, with how often pages show it. The header navigation repeats on every page; this is
/// what the checks that read every page's navigation need of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NavSummary {
    /// Pages with any navigation link.
    pub pages_with_nav: usize,
    /// (URL, text, how often pages show it, the first page showing it), in the order first seen.
    pub entries: Vec<NavEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    pub url: String,
    pub text: String,
    /// How often pages show it (a page showing it twice counts twice).
    pub shown: usize,
    pub first_page: String,
}

/// Folds pages' navigation links into a [`NavSummary`].
#[derive(Debug, Default)]
pub struct NavFold {
    summary: NavSummary,
    at: HashMap<(String, String), usize>,
}

impl NavFold {
    pub fn add(&mut self, page: &PageRecord) {
        if page.facts.nav.is_empty() {
            return;
        }
        self.summary.pages_with_nav += 1;
        for n in &page.facts.nav {
            let key = (n.url.clone(), n.text.clone());
            let i = match self.at.get(&key) {
                Some(&i) => i,
                None => {
                    let i = self.summary.entries.len();
                    self.summary.entries.push(NavEntry {
                        url: n.url.clone(),
                        text: n.text.clone(),
                        shown: 0,
                        first_page: page.url.clone(),
                    });
                    self.at.insert(key, i);
                    i
                }
            };
            self.summary.entries[i].shown += 1;
        }
    }

    pub fn finish(self) -> NavSummary {
        self.summary
    }
}

/// What a site's facts hold besides their pages and links when they were read back from the
/// store: the look-up for the rest, the navigation of every page, and the kept pages by URL.
#[derive(Clone, Default)]
pub struct FactsAccess {
    lookup: Option<Arc<dyn FactLookup>>,
    nav: Option<NavSummary>,
    /// Kept page by URL (index into `SiteFacts::pages`).
    index: HashMap<String, usize>,
}

impl std::fmt::Debug for FactsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactsAccess")
            .field("lookup", &self.lookup.is_some())
            .field("nav", &self.nav)
            .field("index", &self.index.len())
            .finish()
    }
}

impl FactsAccess {
    /// The access of facts that hold only `pages` of the site (the others behind `lookup`),
    /// with the navigation of every page.
    pub fn partial(
        lookup: Arc<dyn FactLookup>,
        nav: NavSummary,
        pages: &[PageRecord],
    ) -> FactsAccess {
        let mut index = HashMap::new();
        for (i, p) in pages.iter().enumerate() {
            index.entry(p.url.clone()).or_insert(i);
        }
        FactsAccess {
            lookup: Some(lookup),
            nav: Some(nav),
            index,
        }
    }
}

impl SiteFacts {
    /// Whether the facts hold every page and link of the crawl (else the rest is looked up).
    pub fn complete(&self) -> bool {
        self.access.lookup.is_none()
    }

    /// The first failure to read what a look-up asked for, if any: the judgement of such
    /// facts is not to be trusted.
    pub fn read_error(&self) -> Option<String> {
        self.access.lookup.as_ref().and_then(|l| l.error())
    }

    /// The page fetched as `url` (its URL, else its final URL; the home page too), whatever its
    /// status.
    pub fn page(&self, url: &str) -> Option<Cow<'_, PageRecord>> {
        if let Some(h) = self.home.as_ref().filter(|h| h.url == url) {
            return Some(Cow::Borrowed(h));
        }
        if self.complete() {
            return self
                .pages
                .iter()
                .find(|p| p.url == url)
                .or_else(|| self.pages.iter().find(|p| p.final_url == url))
                .or_else(|| self.home.as_ref().filter(|h| h.final_url == url))
                .map(Cow::Borrowed);
        }
        // A page held with this URL; else the store's (by URL, else the first by final URL,
        // as facts held whole answer: a page held only by its final URL may not be the first).
        if let Some(&i) = self.access.index.get(url) {
            return self.pages.get(i).map(Cow::Borrowed);
        }
        self.access
            .lookup
            .as_ref()
            .and_then(|l| l.page(url))
            .map(Cow::Owned)
    }

    /// The result of the link to `url`. Its referrers are there when the facts hold the link
    /// (every failing link, every link to a page held); else ask [`SiteFacts::referrers`].
    pub fn link(&self, url: &str) -> Option<Cow<'_, LinkFact>> {
        if let Some(l) = self.links.get(url) {
            return Some(Cow::Borrowed(l));
        }
        self.access
            .lookup
            .as_ref()
            .and_then(|l| l.link(url))
            .map(Cow::Owned)
    }

    /// The links on the page fetched as `url`: (target, anchor text), each target once (with
    /// its first anchor text on the page), by target URL. Read from the page's stored link
    /// list; facts held in memory rebuild it from the links' referrers (at most
    /// [`MAX_REFERRERS`](super::engine::MAX_REFERRERS) each, one per page: the same form).
    pub fn links_on(&self, url: &str) -> Vec<(String, String)> {
        match &self.access.lookup {
            Some(l) => {
                let mut out: Vec<(String, String)> = Vec::new();
                let mut seen: HashSet<String> = HashSet::new();
                for pl in l.links_on(url) {
                    if seen.insert(pl.to.clone()) {
                        out.push((pl.to, pl.text));
                    }
                }
                out.sort_by(|a, b| a.0.cmp(&b.0));
                out
            }
            None => {
                let mut out = Vec::new();
                for (target, l) in &self.links {
                    for r in l.referrers.iter().filter(|r| &*r.page == url) {
                        out.push((target.clone(), r.text.to_string()));
                    }
                }
                out
            }
        }
    }

    /// The referrers of each of `targets` any page links, with how many pages link it.
    pub fn referrers(&self, targets: &HashSet<String>) -> HashMap<String, (Vec<Referrer>, usize)> {
        let mut out = HashMap::new();
        let mut missing = HashSet::new();
        for t in targets {
            match self.links.get(t) {
                Some(l) if self.complete() || !l.referrers.is_empty() => {
                    out.insert(t.clone(), (l.referrers.clone(), l.referrer_count));
                }
                _ => {
                    missing.insert(t.clone());
                }
            }
        }
        if let (Some(l), false) = (&self.access.lookup, missing.is_empty()) {
            out.extend(l.referrers(&missing));
        }
        out
    }

    /// The navigation links of every page, each once (see [`NavSummary`]).
    pub fn nav_summary(&self) -> Cow<'_, NavSummary> {
        match &self.access.nav {
            Some(n) => Cow::Borrowed(n),
            None => {
                let mut fold = NavFold::default();
                for p in &self.pages {
                    fold.add(p);
                }
                Cow::Owned(fold.finish())
            }
        }
    }

    /// How many pages show each navigation link text for each URL (the site's names for its
    /// pages), from every page's navigation.
    pub fn nav_names(&self) -> BTreeMap<String, BTreeMap<String, usize>> {
        let mut out: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for e in &self.nav_summary().entries {
            *out.entry(e.url.clone())
                .or_default()
                .entry(e.text.clone())
                .or_default() += e.shown;
        }
        out
    }
}
