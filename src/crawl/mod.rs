//! The crawler: a polite, rate-limited async crawler and link checker.
//!
//! Owns: the HTTP client, name resolution with pinned addresses and the private-address guard
//! ([`resolve`]), per-origin rate limiters, the global cap on requests in flight and robots.txt
//! ([`origin`]), the one request primitive every request goes through — redirects with the
//! guard at each hop, retries, Retry-After, body cap, a timeout on network time only
//! ([`fetch`]) — the per-site frontier with trap protection ([`frontier`]), the crawler and its
//! hooks ([`engine`]) with the crawl loop of a site (`site`), its pages (`page`: bounded
//! parsing, soft 404), its checked links and the blocked-host detection (`check`) and its
//! facts (`finish`), requests forced onto one address family for the availability probes
//! ([`probe`], with DNS by record type in [`dns`]) and the IPv6 support degree of a crawled
//! site ([`ipv6`]). It records facts ([`SiteFacts`]); it judges nothing, and imports no rules,
//! checks, store or report: the rules' side builds its parameters ([`CrawlRules`],
//! [`ipv6::Ipv6Settings`]).

mod check;
pub mod dns;
pub mod engine;
pub mod feeds;
pub mod fetch;
mod finish;
pub mod frontier;
pub mod ipv6;
pub mod origin;
mod page;
pub mod probe;
mod replay;
pub mod resolve;
mod site;
mod types;
pub mod view;

pub use engine::{
    CrawlError, CrawlRules, Crawler, ErrText, NoObserver, Observer, PreviousPage, PreviousPages,
    Progress, SiteSeed, StoredCrawl,
};
pub use origin::SharedPace;
pub use replay::Keep;
pub use types::*;
