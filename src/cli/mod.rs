//! The command line: every subcommand and flag defined in one place, and the exit statuses
//! (0 nothing at or above `--fail-on`, 1 something was, 2 usage/configuration/rule-file error,
//! 3 the run could not complete).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset};
use clap::{Args, Parser, Subcommand, ValueEnum};
use url::Url;

pub mod judge;
pub mod scan;

use crate::checks;
use crate::config::{Config, SiteConfig, SiteKind, SiteLevel};
use crate::crawl::{CrawlRules, Crawler, NoObserver, Observer, Progress};
use crate::report::{self, Document, SiteReport};
use crate::rules::{Kind, RuleSet};

pub mod probe;

/// Exit statuses.
pub mod exit {
    /// Nothing at or above `--fail-on` was found.
    pub const OK: i32 = 0;
    /// Something at or above `--fail-on` was found.
    pub const FOUND: i32 = 1;
    /// Usage, configuration or rule-file error.
    pub const USAGE: i32 = 2;
    /// The run could not complete.
    pub const FAILED: i32 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "govscan",
    version,
    about = "Inspect Chinese government websites against the national inspection indicators"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Crawl one site now and report its findings (an inspector's ad-hoc check).
    Check(CheckArgs),
    /// Serve the built-in sample government website on loopback and check it (no network needed).
    Demo(DemoArgs),
    /// The daily scan (日扫描): crawl every configured site and keep every result in the store.
    Scan(ScanArgs),
    /// Probe each site's home page over IPv4 and IPv6 and store the results (availability).
    Probe(ProbeArgs),
    /// Judge a stored scan again, without the network: under the current rules or as of
    /// another time.
    Judge(JudgeArgs),
    /// Write the monthly bulletin (月通报) and the rectification notices (整改通知) from the
    /// stored scans of a month.
    Bulletin(BulletinArgs),
    /// Read stored findings, with where each stands (new, persisting, fixed).
    Findings(FindingsArgs),
    /// One line per stored scan of a site.
    History(HistoryArgs),
    /// Validate or list the rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Debug, Args)]
struct CommonArgs {
    /// Configuration file (default: ./config.toml if present, else the built-in defaults).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Judge every date rule as of this time (default now, China Standard Time):
    /// 2026-11-30, "2026-11-30 09:00" or RFC 3339.
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Home page of the site to check.
    url: String,
    #[command(flatten)]
    common: CommonArgs,
    /// Exit with status 1 when a finding of this kind or above is found.
    #[arg(long, value_enum, default_value_t = FailOn::Veto)]
    fail_on: FailOn,
    /// Level of the site, when it is not in the configuration.
    #[arg(long, value_enum)]
    level: Option<LevelArg>,
    /// Kind of site, when it is not in the configuration.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Pages to crawl (overrides the configuration).
    #[arg(long)]
    max_pages: Option<usize>,
    /// Link depth (overrides the configuration).
    #[arg(long)]
    max_depth: Option<u32>,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Judge the demo as of this time (default now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Configuration file (default: ./config.toml if present, else the built-in defaults).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Scan only this site (by name); repeat for more.
    #[arg(long = "site", value_name = "NAME")]
    sites: Vec<String>,
    /// Judge every date rule as of this time (default now).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// Finish the last unfinished scan without fetching again what it already has.
    #[arg(long)]
    resume: bool,
}

#[derive(Debug, Args)]
struct JudgeArgs {
    /// Configuration file (its `[store] path`, `rules_dir` and sites are read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The scan run to judge (default: the latest finished one).
    #[arg(long, value_name = "ID")]
    run: Option<i64>,
    /// Judge only this site (by name); repeat for more.
    #[arg(long = "site", value_name = "NAME")]
    sites: Vec<String>,
    /// Judge every date rule as of this time (default: the run's own as-of time).
    #[arg(long, value_name = "TIME")]
    as_of: Option<String>,
    /// Rules folder to judge by (default: the config's `rules_dir`, else the built-in rules).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with status 1 when a finding of this kind or above is found.
    #[arg(long, value_enum, default_value_t = FailOn::Veto)]
    fail_on: FailOn,
}

#[derive(Debug, Args)]
struct BulletinArgs {
    /// The month (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM")]
    month: String,
    /// Configuration file (its `[store] path` and sites are read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder to write the files into (created if needed).
    #[arg(long, value_name = "DIR", default_value = "bulletin")]
    out: PathBuf,
    /// Title of the bulletin (default: YYYY年M月政府网站检查情况通报).
    #[arg(long)]
    title: Option<String>,
    /// Who issues the bulletin and receives the rectification reports.
    #[arg(long, default_value = "政府网站监管工作领导小组办公室")]
    issuer: String,
    /// Working days given for rectification.
    #[arg(long, value_name = "DAYS", default_value_t = 10)]
    deadline_days: u32,
    /// Date printed on the bulletin and the notices (default: today).
    #[arg(long, value_name = "DATE")]
    issued_on: Option<String>,
    /// Judge each scan again under the rule files in force (as `govscan judge` does), instead
    /// of taking the findings and scores the daily scans stored.
    #[arg(long)]
    rejudge: bool,
}

#[derive(Debug, Args)]
struct ProbeArgs {
    /// Configuration file (default: ./config.toml if present, else the built-in defaults).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Probe only this site (by name); repeat for more.
    #[arg(long = "site", value_name = "NAME")]
    sites: Vec<String>,
    /// Keep probing on this schedule (e.g. 60m, 30m) until SIGINT or SIGTERM.
    #[arg(long, value_name = "INTERVAL")]
    every: Option<String>,
}

#[derive(Debug, Args)]
struct FindingsArgs {
    /// Configuration file (its `[store] path` is read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only this site.
    #[arg(long)]
    site: Option<String>,
    /// Only this rule id.
    #[arg(long)]
    rule: Option<String>,
    /// new, persisting or fixed (relative to each site's latest finished scan).
    #[arg(long)]
    status: Option<String>,
    /// Only findings last seen on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    format: TableFormat,
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// Site name.
    site: String,
    /// Configuration file (its `[store] path` is read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Validate the rule files; every mistake is named with its file, line and field.
    Check(RulesArgs),
    /// Print every rule with its kind, points and source.
    List(RulesArgs),
}

#[derive(Debug, Args)]
struct RulesArgs {
    /// Rules folder (default: the config's `rules_dir`, else the built-in rules).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Configuration file whose `rules_dir` to use.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Veto,
    Deduct,
    Notice,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LevelArg {
    Province,
    City,
    County,
    Department,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Portal,
    Department,
}

/// A failure with its exit status.
#[derive(Debug)]
pub struct Failure {
    pub status: i32,
    pub message: String,
}

impl Failure {
    /// A usage, configuration or rule-file error (exit 2).
    pub fn usage(m: impl std::fmt::Display) -> Failure {
        Failure {
            status: exit::USAGE,
            message: m.to_string(),
        }
    }
    /// The run could not complete (exit 3).
    pub fn failed(m: impl std::fmt::Display) -> Failure {
        Failure {
            status: exit::FAILED,
            message: m.to_string(),
        }
    }
}

/// Run the command line; returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    // The scheduled scan logs its progress when nobody watches a progress bar.
    let scheduled = matches!(cli.command, Command::Scan(_)) && !std::io::stderr().is_terminal();
    init_logging(if scheduled { "info" } else { "warn" });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("govscan: cannot start the async runtime: {e}");
            return exit::FAILED;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Check(a) => cmd_check(a).await,
            Command::Demo(a) => cmd_demo(a).await,
            Command::Scan(a) => cmd_scan(a).await,
            Command::Probe(a) => cmd_probe(a).await,
            Command::Judge(a) => cmd_judge(a),
            Command::Bulletin(a) => cmd_bulletin(a),
            Command::Findings(a) => cmd_findings(a),
            Command::History(a) => cmd_history(a),
            Command::Rules { command } => cmd_rules(command),
        }
    });
    match result {
        Ok(status) => status,
        Err(f) => {
            eprintln!("govscan: {}", f.message);
            f.status
        }
    }
}

fn init_logging(default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GOVSCAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn parse_as_of(s: Option<&str>) -> Result<DateTime<FixedOffset>, Failure> {
    match s {
        Some(s) => crate::asof::parse(s).map_err(Failure::usage),
        None => Ok(crate::asof::now()),
    }
}

/// Load the configuration: an explicit file, else ./config.toml when present, else the
/// embedded defaults.
pub fn load_config(path: Option<&Path>) -> Result<Config, Failure> {
    match path {
        Some(p) => Config::load(p).map_err(Failure::usage),
        None if Path::new("config.toml").is_file() => {
            Config::load(Path::new("config.toml")).map_err(Failure::usage)
        }
        None => Ok(Config::embedded()),
    }
}

/// Load the rules a configuration points at (or the embedded ones).
pub fn load_rules(dir: Option<&Path>) -> Result<RuleSet, Failure> {
    let r = match dir {
        Some(d) => RuleSet::load_dir(d),
        None => RuleSet::embedded(),
    };
    r.map_err(|errors| {
        Failure::usage(
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })
}

/// Judge one crawled site: the page rules, then the IPv6 support measured now (through the
/// crawler's rate limits), and the availability rules from the stored probes when a store is
/// given. Returns the findings and the IPv6 summary.
pub async fn judge_site(
    crawler: &Crawler,
    site: &SiteConfig,
    facts: &crate::crawl::SiteFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    store: Option<&std::sync::Mutex<crate::store::Store>>,
) -> (Vec<checks::Finding>, Option<crate::store::Ipv6Summary>) {
    let ipv6 = if facts.error.is_none() {
        match crate::crawl::ipv6::ipv6_support(
            crawler,
            site,
            facts,
            &crate::crawl::ipv6::Ipv6Settings::from_rules(rules),
        )
        .await
        {
            Ok(summary) => Some(summary),
            Err(e) => {
                tracing::warn!(site = %site.name, error = %e, "IPv6 support not measured");
                None
            }
        }
    } else {
        None
    };
    let findings = match store.map(|s| s.lock()) {
        Some(Ok(store)) => judge_facts(site, facts, rules, as_of, ipv6.as_ref(), Some(&store)),
        _ => judge_facts(site, facts, rules, as_of, ipv6.as_ref(), None),
    };
    (findings, ipv6)
}

/// The findings of a site's facts: the page rules, the IPv6 rules on `ipv6` (measured now,
/// or stored with the scan), and the availability rules from the probes in `store`; sorted
/// by kind, rule and target.
pub fn judge_facts(
    site: &SiteConfig,
    facts: &crate::crawl::SiteFacts,
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    ipv6: Option<&crate::store::Ipv6Summary>,
    store: Option<&crate::store::Store>,
) -> Vec<checks::Finding> {
    let mut findings = checks::evaluate(facts, rules, as_of);
    if let Some(summary) = ipv6 {
        findings.extend(checks::ipv6::check(
            site.url.as_str(),
            site.level,
            site.kind,
            summary,
            rules,
        ));
    }
    if let Some(store) = store {
        match probe::availability_findings(store, site, rules, as_of) {
            Ok(f) => findings.extend(f),
            Err(e) => tracing::warn!(site = %site.name, error = %e, "availability not judged"),
        }
    }
    findings.sort_by(|a, b| (a.kind, &a.rule, &a.url).cmp(&(b.kind, &b.rule, &b.url)));
    findings
}

/// Crawl the given sites and judge them: the pipeline shared by `check` and `demo`.
pub async fn run_sites(
    config: Arc<Config>,
    sites: &[SiteConfig],
    rules: &RuleSet,
    as_of: DateTime<FixedOffset>,
    observer: Arc<dyn Observer>,
) -> Result<Vec<SiteReport>, Failure> {
    let crawler = Arc::new(
        Crawler::new(
            config.clone(),
            CrawlRules::from_rules(rules),
            observer,
            as_of.year(),
        )
        .map_err(Failure::failed)?,
    );
    // Availability comes from the probes of `govscan probe`, when there is a store with them.
    let store = if config.store.path.is_file() {
        crate::store::Store::open_read_only(&config.store.path)
            .ok()
            .map(std::sync::Mutex::new)
    } else {
        None
    };
    let mut handles = Vec::new();
    for site in sites {
        let c = crawler.clone();
        let s = site.clone();
        handles.push(tokio::spawn(async move { c.crawl_site(&s).await }));
    }
    let mut reports = Vec::new();
    for (h, site) in handles.into_iter().zip(sites) {
        let facts = h
            .await
            .map_err(|e| Failure::failed(format!("a site's crawl failed: {e}")))?;
        let (findings, ipv6) =
            judge_site(&crawler, site, &facts, rules, as_of, store.as_ref()).await;
        let score = checks::score::score(&findings, rules);
        let mut report = SiteReport::new(&facts, findings, score);
        report.ipv6 = ipv6.as_ref().map(crate::crawl::ipv6::Ipv6Detail::of);
        reports.push(report);
    }
    Ok(reports)
}

async fn cmd_check(a: CheckArgs) -> Result<i32, Failure> {
    let as_of = parse_as_of(a.common.as_of.as_deref())?;
    let mut config = load_config(a.common.config.as_deref())?;
    let url = Url::parse(a.url.trim())
        .map_err(|e| Failure::usage(format!("`{}` is not a URL: {e}", a.url)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Failure::usage(format!("`{url}` is not an http(s) URL")));
    }
    let mut site = config
        .find_site(url.as_str())
        .cloned()
        .unwrap_or_else(|| SiteConfig::adhoc(url.clone()));
    site.url = url;
    if let Some(l) = a.level {
        site.level = match l {
            LevelArg::Province => SiteLevel::Province,
            LevelArg::City => SiteLevel::City,
            LevelArg::County => SiteLevel::County,
            LevelArg::Department => SiteLevel::Department,
        };
    }
    if let Some(k) = a.kind {
        site.kind = match k {
            KindArg::Portal => SiteKind::Portal,
            KindArg::Department => SiteKind::Department,
        };
    }
    if a.max_pages.is_some() {
        site.crawl.max_pages = a.max_pages;
    }
    if a.max_depth.is_some() {
        site.crawl.max_depth = a.max_depth;
    }
    let rules = load_rules(config.rules_dir.as_deref())?;
    if !config.sites.iter().any(|s| s.name == site.name) {
        config.sites.push(site.clone());
    }
    let config = Arc::new(config);
    let bar = ProgressBar::start(&site.name);
    let reports = run_sites(
        config,
        std::slice::from_ref(&site),
        &rules,
        as_of,
        bar.observer(),
    )
    .await;
    bar.finish();
    let reports = reports?;
    let doc = Document::new(as_of, reports);
    print_doc(&doc, &rules, a.common.format);
    if let Some(err) = doc.sites.iter().find_map(|s| s.error.as_ref()) {
        // The report says what happened; the inspection itself could not be done.
        eprintln!("govscan: {err}");
        return Ok(exit::FAILED);
    }
    Ok(fail_status(&doc, a.fail_on))
}

async fn cmd_demo(a: DemoArgs) -> Result<i32, Failure> {
    let as_of = parse_as_of(a.as_of.as_deref())?;
    let running = crate::demo::site::start_demo(as_of.date_naive())
        .await
        .map_err(|e| Failure::failed(format!("cannot start the demo site on loopback: {e}")))?;
    let url = Url::parse(&running.url("/")).map_err(Failure::failed)?;
    eprintln!("govscan demo: sample government website serving at {url}");
    let mut config = Config::embedded();
    config.sites.clear();
    // The demo judges only what it serves: no store (no probes of an earlier scan) is read.
    config.store.path = PathBuf::new();
    config.crawl.rate_per_origin = 20.0;
    config.crawl.burst = 5;
    config.crawl.total_timeout = std::time::Duration::from_secs(5);
    config.crawl.retry_backoff = std::time::Duration::from_millis(100);
    let mut site = SiteConfig::adhoc(url);
    site.name = "示范县人民政府（演示）".into();
    site.level = SiteLevel::County;
    site.kind = SiteKind::Portal;
    config.sites.push(site.clone());
    let rules = load_rules(None)?;
    let bar = ProgressBar::start(&site.name);
    let reports = run_sites(
        Arc::new(config),
        std::slice::from_ref(&site),
        &rules,
        as_of,
        bar.observer(),
    )
    .await;
    bar.finish();
    let doc = Document::new(as_of, reports?);
    print_doc(&doc, &rules, a.format);
    running.shutdown().await;
    Ok(exit::OK)
}

async fn cmd_scan(a: ScanArgs) -> Result<i32, Failure> {
    let as_of = match a.as_of.as_deref() {
        Some(s) => Some(crate::asof::parse(s).map_err(Failure::usage)?),
        None => None,
    };
    let config = load_config(a.config.as_deref())?;
    let rules = load_rules(config.rules_dir.as_deref())?;
    let mut stdout = std::io::stdout();
    let req = scan::ScanRequest {
        config,
        rules,
        sites: a.sites,
        as_of,
        resume: a.resume,
        out: &mut stdout,
    };
    scan::scan(req).await.map(|o| o.status)
}

fn cmd_bulletin(a: BulletinArgs) -> Result<i32, Failure> {
    let month = chrono::NaiveDate::parse_from_str(&format!("{}-01", a.month.trim()), "%Y-%m-%d")
        .map_err(|_| Failure::usage(format!("`{}` is not a month like 2026-11", a.month)))?;
    let issued_on = match a.issued_on.as_deref() {
        Some(d) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| Failure::usage(format!("`{d}` is not a date like 2026-12-01")))?,
        None => crate::asof::now().date_naive(),
    };
    let config = load_config(a.config.as_deref())?;
    let rules = load_rules(config.rules_dir.as_deref())?;
    if !config.store.path.is_file() {
        return Err(Failure::failed(format!(
            "there is no store at {} (run `govscan scan` first)",
            config.store.path.display()
        )));
    }
    let store = crate::store::Store::open_read_only(&config.store.path)
        .map_err(|e| Failure::failed(e.to_string()))?;
    let opts = report::bulletin::BulletinOptions {
        month,
        title: a.title,
        issuer: a.issuer,
        deadline_days: a.deadline_days,
        issued_on,
    };
    let sites = config.sites.clone();
    let rejudger = if a.rejudge {
        Some(judge::Rejudge::new(config, &rules, crate::asof::now())?)
    } else {
        None
    };
    let rejudge_fn = |row: &crate::store::HistoryRow| -> Result<report::bulletin::Judged, String> {
        let Some(r) = &rejudger else {
            return Err("no rejudge".into());
        };
        let sr = store
            .site_run(row.site_run)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("site run {} is gone", row.site_run.0))?;
        let report = r
            .site_run(&store, &sr, &rules, row.as_of)
            .map_err(|f| f.message)?;
        Ok(report::bulletin::Judged {
            findings: report.findings,
            score: report.score,
            verdict: report.verdict,
        })
    };
    let rejudge: Option<report::bulletin::Rejudge<'_>> =
        if a.rejudge { Some(&rejudge_fn) } else { None };
    let b = report::bulletin::build(&store, &sites, &rules, &opts, rejudge)
        .map_err(|e| Failure::failed(e.to_string()))?;
    let written =
        report::bulletin::write_all(&b, &a.out).map_err(|e| Failure::failed(e.to_string()))?;
    println!(
        "{}：检查 {} 家，合格 {} 家，不合格 {} 家，合格率 {}%，平均 {} 分",
        b.title, b.inspected, b.passed, b.failed, b.pass_rate, b.average_score
    );
    for p in written {
        println!("  {}", p.display());
    }
    Ok(exit::OK)
}

fn cmd_judge(a: JudgeArgs) -> Result<i32, Failure> {
    let as_of = match a.as_of.as_deref() {
        Some(s) => Some(crate::asof::parse(s).map_err(Failure::usage)?),
        None => None,
    };
    let config = load_config(a.config.as_deref())?;
    let rules = load_rules(a.rules.as_deref().or(config.rules_dir.as_deref()))?;
    let doc = judge::judge(judge::JudgeRequest {
        config,
        rules: rules.clone(),
        run: a.run,
        sites: a.sites,
        as_of,
    })?;
    print_doc(&doc, &rules, a.format);
    Ok(fail_status(&doc, a.fail_on))
}

async fn cmd_probe(a: ProbeArgs) -> Result<i32, Failure> {
    let config = load_config(a.config.as_deref())?;
    let rules = load_rules(config.rules_dir.as_deref())?;
    let every =
        match a.every.as_deref() {
            Some(e) => Some(humantime::parse_duration(e.trim()).map_err(|err| {
                Failure::usage(format!("`{e}` is not an interval like 60m: {err}"))
            })?),
            None => None,
        };
    for name in &a.sites {
        if !config.sites.iter().any(|s| &s.name == name) {
            return Err(Failure::usage(format!(
                "no site named `{name}` in the configuration"
            )));
        }
    }
    let sites: Vec<SiteConfig> = config
        .sites
        .iter()
        .filter(|s| a.sites.is_empty() || a.sites.contains(&s.name))
        .cloned()
        .collect();
    let mut store = scan::open_store(&config)?;
    let print = |r: &probe::ProbeRound| {
        print!("{}", r.summary());
    };
    match every {
        None => {
            let round = probe::run_probe(&config, &sites, &mut store, &rules)
                .await
                .map_err(|e| Failure::failed(format!("{e:#}")))?;
            print(&round);
        }
        Some(interval) => {
            probe::probe_every(interval, &config, &sites, &mut store, &rules, print)
                .await
                .map_err(|e| Failure::failed(format!("{e:#}")))?;
        }
    }
    Ok(exit::OK)
}

fn cmd_findings(a: FindingsArgs) -> Result<i32, Failure> {
    let config = load_config(a.config.as_deref())?;
    let since = match a.since.as_deref() {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|e| Failure::usage(format!("`{d}` is not a date like 2026-11-01: {e}")))?,
        ),
        None => None,
    };
    let status = a.status.as_deref().map(scan::parse_status).transpose()?;
    let filter = crate::store::FindingFilter {
        site: a.site,
        rule: a.rule,
        status,
        since,
    };
    let format = match a.format {
        TableFormat::Text => "text",
        TableFormat::Json => "json",
        TableFormat::Csv => "csv",
    };
    scan::findings(&config, &filter, format, &mut std::io::stdout())
}

fn cmd_history(a: HistoryArgs) -> Result<i32, Failure> {
    let config = load_config(a.config.as_deref())?;
    let format = if a.format == Format::Json {
        "json"
    } else {
        "text"
    };
    scan::history(&config, &a.site, format, &mut std::io::stdout())
}

fn cmd_rules(c: RulesCommand) -> Result<i32, Failure> {
    let (args, list) = match c {
        RulesCommand::Check(a) => (a, false),
        RulesCommand::List(a) => (a, true),
    };
    let dir = match (&args.rules, &args.config) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(c)) => Config::load(c).map_err(Failure::usage)?.rules_dir,
        (None, None) => None,
    };
    let rules = load_rules(dir.as_deref())?;
    if list {
        print!("{}", crate::rules::list_text(&rules));
    } else {
        println!(
            "rules OK: {} rules in {}",
            rules.rules().len(),
            dir.map(|d| d.display().to_string())
                .unwrap_or_else(|| "the built-in rule files".into())
        );
    }
    Ok(exit::OK)
}

fn print_doc(doc: &Document, rules: &RuleSet, format: Format) {
    match format {
        Format::Text => print!("{}", report::text(doc, rules)),
        Format::Json => println!("{}", doc.to_json()),
    }
}

fn fail_status(doc: &Document, fail_on: FailOn) -> i32 {
    let threshold = match fail_on {
        FailOn::Never => return exit::OK,
        FailOn::Veto => Kind::Veto,
        FailOn::Deduct => Kind::Deduct,
        FailOn::Notice => Kind::Notice,
    };
    // Kind orders Veto < Deduct < Notice: "at or above" the threshold means <= it.
    let hit = doc
        .sites
        .iter()
        .flat_map(|s| &s.findings)
        .any(|f| f.kind <= threshold);
    if hit {
        exit::FOUND
    } else {
        exit::OK
    }
}

/// The progress bar on stderr (only on a terminal).
struct ProgressBar {
    bar: Option<indicatif::ProgressBar>,
}

struct BarObserver(indicatif::ProgressBar);

impl Observer for BarObserver {
    fn progress(&self, _site: &str, p: Progress) {
        self.0.set_message(format!(
            "页面 {} · 队列 {} · 已检查链接 {} · 错误 {}",
            p.pages, p.queued, p.checked, p.errors
        ));
        self.0.tick();
    }
}

impl ProgressBar {
    fn start(site: &str) -> ProgressBar {
        if !std::io::stderr().is_terminal() {
            return ProgressBar { bar: None };
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{spinner} {prefix} [{elapsed}] {msg}")
        {
            bar.set_style(style);
        }
        bar.set_prefix(site.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        ProgressBar { bar: Some(bar) }
    }

    fn observer(&self) -> Arc<dyn Observer> {
        match &self.bar {
            Some(b) => Arc::new(BarObserver(b.clone())),
            None => Arc::new(NoObserver),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
