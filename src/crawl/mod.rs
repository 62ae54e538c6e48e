//! The crawler: a polite, rate-limited async crawler and link checker.
//!
//! Owns: the HTTP client, name resolution with pinned addresses and the private-address guard,
//! per-origin rate limiters and robots.txt, the per-site frontier with trap protection, retries
//! and the blocked-host detection. It records facts ([`SiteFacts`]); it judges nothing.

mod types;
pub use types::*;
