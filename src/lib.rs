//! govscan inspects Chinese government websites (政府网站) and their new-media accounts
//! (政务新媒体) against the national inspection indicators (国办秘函〔2019〕19号), keeps the
//! history of every scan and writes the reports officials use.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! config ─► crawl ─► extract ─► (facts) ─► store
//!                                  │
//!                                  ▼
//!                 checks (driven by rules) ─► findings, score ─► store ─► report
//! ```
//!
//! - [`config`]: `config.toml`, the sites and crawl limits.
//! - [`rules`]: `rules/*.toml`, the indicators as data, with a validator.
//! - [`crawl`]: the polite, rate-limited async crawler and link checker, the availability
//!   probes and the IPv6 measures.
//! - [`extract`]: charset decoding, links, titles and text out of fetched pages.
//! - [`checks`]: pure functions from facts and rules to findings, and the score.
//! - [`store`]: every scan kept in SQLite (pages, links, facts, findings with their history,
//!   probes), written as results arrive.
//! - [`report`]: terminal and JSON output.
//! - [`cli`]: the command line.
//! - [`demo`]: the built-in sample government website used by `govscan demo`.
//! - [`asof`]: the injectable "as-of" time every date rule is judged against.

pub mod asof;
pub mod checks;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod extract;
pub mod report;
pub mod rules;
pub mod store;
