//! The crawler: a polite, rate-limited async crawler and link checker.
//!
//! Owns: the HTTP client, name resolution with pinned addresses and the private-address guard
//! ([`resolve`]), per-origin rate limiters, the global cap on requests in flight and robots.txt
//! ([`origin`]), single requests with redirects, retries, body cap and timeouts ([`fetch`]),
//! the per-site frontier with trap protection ([`frontier`]), and the crawl loop with the
//! blocked-host detection ([`engine`]), requests forced onto one address family for the
//! availability probes ([`probe`], with DNS by record type in [`dns`]) and the IPv6 support
//! degree of a crawled site ([`ipv6`]). It records facts ([`SiteFacts`]); it judges nothing.

mod check;
pub mod dns;
pub mod engine;
pub mod fetch;
mod finish;
pub mod frontier;
pub mod ipv6;
pub mod origin;
mod page;
pub mod probe;
pub mod resolve;
mod site;
mod types;

pub use engine::{
    CrawlError, CrawlRules, Crawler, NoObserver, Observer, PreviousPage, PreviousPages, Progress,
    SiteSeed,
};
pub use types::*;
