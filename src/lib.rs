//! govscan inspects Chinese government websites (政府网站) and their new-media accounts
//! (政务新媒体) against the national inspection indicators (国办秘函〔2019〕19号), keeps the
//! history of every scan and writes the reports officials use.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! config ─► crawl ─► extract ─► facts ─► store
//!                                 │
//!                                 ▼
//!        checks (driven by rules, as of a time) ─► findings, score, verdict ─► store ─► report
//! ```
//!
//! - [`config`]: `config.toml`, the sites and crawl limits.
//! - [`rules`]: `rules/*.toml`, the indicators as data, with a validator.
//! - [`crawl`]: the polite, rate-limited async crawler and link checker, the availability
//!   probes and the IPv6 measures. It hands on facts and knows nothing above it.
//! - [`extract`]: charset decoding, links, titles and text out of fetched pages.
//! - [`facts`]: the facts shared by the layers (probes, the IPv6 summary).
//! - [`checks`]: pure functions from facts and rules to findings, and the score.
//! - [`finding`]: a finding and the verdict (合格 / 不合格 / 无法检查 / 被拦截).
//! - [`inspect`]: the one inspection pipeline — crawl, judge, score — that `check`, `scan`,
//!   `judge` and the bulletin all use; the daily scan's orchestration; the probe rounds.
//! - [`store`]: every scan kept in SQLite (pages, links, facts, findings with their history,
//!   probes), written as results arrive.
//! - [`report`]: terminal, JSON and table output, the monthly bulletin and notices.
//! - [`cli`]: the command line: parses arguments, calls the library, prints.
//! - [`demo`]: the built-in sample government website used by `govscan demo` and the tests.
//! - [`asof`]: the injectable "as-of" time every date rule is judged against.
//!
//! # Example
//!
//! Check a site now (here the built-in sample site, served on loopback) and print its
//! findings:
//!
//! ```
//! use std::sync::Arc;
//!
//! use govscan::config::{Config, SiteConfig};
//! use govscan::crawl::NoObserver;
//! use govscan::rules::RuleSet;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let as_of = govscan::asof::parse("2026-11-30")?;
//! let demo = govscan::demo::site::start_demo(as_of.date_naive()).await?;
//! let site = SiteConfig::adhoc(url::Url::parse(&demo.url("/"))?);
//!
//! let mut config = Config::embedded();
//! config.crawl.rate_per_origin = 50.0; // our own loopback server: no need to be slow
//! config.sites = vec![site.clone()];
//! # config.store.path = Default::default(); // no probes of an earlier scan
//! let rules = RuleSet::embedded().map_err(|e| format!("{e:?}"))?;
//!
//! let reports =
//!     govscan::inspect::check_sites(Arc::new(config), &[site], &rules, as_of, Arc::new(NoObserver))
//!         .await?;
//! for f in &reports[0].findings {
//!     println!("[{}] {}", f.rule, f.message);
//! }
//! println!("{} {:?}", reports[0].verdict.zh(), reports[0].score);
//! # demo.shutdown().await;
//! # Ok(())
//! # }
//! ```

pub mod asof;
pub mod checks;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod extract;
pub mod facts;
pub mod finding;
pub mod inspect;
pub mod report;
pub mod rules;
pub mod serve;
pub mod store;
