//! The built-in sample government website that `govscan demo` serves on loopback.
//!
//! Three parts, all serving on loopback only:
//!
//! - [`server`]: the fixture server toolkit — [`spawn`] a router in the background with a
//!   [`RequestLog`] of every request, plus helpers for hostile responses (slow drip, huge
//!   bodies, gzip bombs, GBK pages, redirects, late answers). Used by `govscan demo`, the
//!   integration tests and the benchmark.
//! - [`site`]: the sample county portal (示范县人民政府门户网站) with its [`PLANTED`] defects,
//!   its dates computed from an as-of date: [`start_demo`], [`demo_router`].
//! - [`bench`](mod@bench): synthetic 20–40 KB pages for the benchmark: [`bench_router`], [`bench_page`].

pub mod annual_report;
pub mod bench;
pub mod server;
pub mod site;

pub use bench::{bench_page, bench_page_path, bench_router};
pub use server::{spawn, GbkDeclare, LoggedRequest, RequestLog, Running};
pub use site::{
    demo_router, demo_router_with, start_demo, start_demo_site, DemoSite, Planted, PlantedKind,
    PLANTED,
};
