//! The crawler: a polite, rate-limited async crawler and link checker.
//!
//! Owns: the HTTP client, name resolution with pinned addresses and the private-address guard
//! ([`resolve`]), per-origin rate limiters, the global cap on requests in flight and robots.txt
//! ([`origin`]), single requests with redirects, retries, body cap and timeouts ([`fetch`]),
//! the per-site frontier with trap protection ([`frontier`]), and the crawl loop with the
//! blocked-host detection ([`engine`]). It records facts ([`SiteFacts`]); it judges nothing.

pub mod engine;
pub mod fetch;
pub mod frontier;
pub mod origin;
pub mod resolve;
mod types;

pub use engine::{
    CrawlError, CrawlRules, Crawler, NoObserver, Observer, PreviousPage, PreviousPages, Progress,
    SiteSeed,
};
pub use types::*;
