//! The command line: every subcommand and flag defined in one place, and the exit statuses
//! (0 nothing at or above `--fail-on`, 1 something was, 2 usage/configuration/rule-file error,
//! 3 the run could not complete).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use clap::{Args, Parser, Subcommand, ValueEnum};
use url::Url;

mod bars;

use crate::config::{Config, SiteConfig, SiteKind, SiteLevel};
use crate::inspect::{self, probe, rejudge, scan, InspectError};
use crate::report::{self, tables::TableFormat as Table, Document};
use crate::rules::{Kind, RuleSet};
use bars::ProgressBar;

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
    about = "Inspect Chinese government websites against the national inspection indicators",
    after_help = "Logging: messages go to standard error. GOVSCAN_LOG sets what is logged, as a \
                  tracing filter (error, warn, info, debug, e.g. GOVSCAN_LOG=debug); -q and -v \
                  override it. Colours only on a terminal (NO_COLOR turns them off).\n\
                  Exit statuses: 0 nothing at or above --fail-on; 1 something at or above it; \
                  2 usage, configuration or rule-file error; 3 the run could not complete (a \
                  site could not be inspected, the store is busy or unusable)."
)]
struct Cli {
    /// Log only errors (overrides GOVSCAN_LOG).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Log more: -v progress (info), -vv debugging (overrides GOVSCAN_LOG).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
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
    /// Draw the quarterly spot check's sample (季抽查): stratified by level and kind, last
    /// quarter's 不合格 sites always in it, reproducible from its seed.
    Sample(SampleArgs),
    /// Read stored findings, with where each stands (new, persisting, fixed).
    Findings(FindingsArgs),
    /// A site's 行政规范性文件 library as its last scan saw it, or its changes between scans.
    Normdocs(NormdocsArgs),
    /// Check one 政府信息公开工作年度报告 page: print its tables as read and every cross-check
    /// relation (勾稽关系) with its result.
    AnnualReport(AnnualReportArgs),
    /// The government new-media accounts (政务新媒体) with their latest scan: platform,
    /// operating unit, last post, recent posts, status and verdict.
    Accounts(AccountsArgs),
    /// One line per stored scan of a site (or per month with --months).
    History(HistoryArgs),
    /// Record a person's decision on a stored finding (人工确认): confirm it as a real problem,
    /// or dismiss it as a false positive (误报); or list the decisions. Every later judgement
    /// of the site (scan, judge, bulletin) applies them.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// A read-only dashboard over the store in the browser (overview, sites, findings,
    /// bulletins, and the same data as JSON under /api).
    Serve(ServeArgs),
    /// Validate or list the rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print a shell completion script (e.g. `govscan completions bash > /etc/bash_completion.d/govscan`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
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
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct AnnualReportArgs {
    /// URL of the report page.
    url: String,
    #[command(flatten)]
    common: CommonArgs,
    /// Kind of site publishing it (its deadline: government 31 March, department 31 January),
    /// when the URL is not of a configured site.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
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
    #[arg(long, value_name = "N", value_parser = whole_number::<usize>)]
    max_pages: Option<usize>,
    /// Link depth (overrides the configuration).
    #[arg(long, value_name = "N", value_parser = whole_number::<u32>)]
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
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
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
    /// Exit with status 1 when a site has a finding of this kind or above.
    #[arg(long, value_enum, default_value_t = FailOn::Veto)]
    fail_on: FailOn,
    /// When another scan is writing the store, wait for it to finish (at most this long,
    /// default 6h) instead of refusing.
    #[arg(long, value_name = "MAX", num_args = 0..=1, default_missing_value = "6h")]
    wait: Option<String>,
    /// Work on the latest unfinished run of the shared (PostgreSQL) store as one more worker:
    /// claim its sites one at a time until every site is done. With --wait, wait that long
    /// for a run to appear.
    #[arg(long)]
    worker: bool,
    /// On a shared store: sites this process scans at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = whole_number::<usize>)]
    sites_at_once: usize,
}

#[derive(Debug, Args)]
struct JudgeArgs {
    /// Configuration file (its `[store] path`, `rules_dir` and sites are read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The scan run to judge (default: the latest finished one).
    #[arg(long, value_name = "ID", value_parser = whole_number::<i64>)]
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
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("period").required(true).args(["month", "quarter"])))]
struct BulletinArgs {
    /// The month (YYYY-MM): the monthly bulletin over every configured site.
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// The quarter (YYYYQn): the quarterly spot-check report over the quarter's sample (as
    /// `govscan sample` draws it, with the same `--ratio` and `--seed`).
    #[arg(long, value_name = "YYYYQn")]
    quarter: Option<String>,
    /// With `--quarter`: the share of each stratum drawn (default: `[sample] ratio`).
    #[arg(long, requires = "quarter")]
    ratio: Option<f64>,
    /// With `--quarter`: the draw's seed (default: `[sample] seed`, else from the quarter).
    #[arg(long, requires = "quarter")]
    seed: Option<u64>,
    /// Configuration file (its `[store] path` and sites are read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Folder to write the files into (created if needed).
    #[arg(long, value_name = "DIR", default_value = "bulletin")]
    out: PathBuf,
    /// Title of the bulletin (default: YYYY年M月政府网站检查情况通报).
    #[arg(long)]
    title: Option<String>,
    /// Who issues the bulletin and receives the rectification reports (default: `[bulletin]
    /// issuer` of the configuration, else 政府网站监管工作领导小组办公室).
    #[arg(long)]
    issuer: Option<String>,
    /// The red header of the DOCX 公文 (发文机关标志; default: `[bulletin] header`, else
    /// `<issuer>文件`).
    #[arg(long)]
    header: Option<String>,
    /// The document number (发文字号) of the DOCX bulletin, e.g. 某政办〔2026〕12号 (default:
    /// `[bulletin] doc_no`).
    #[arg(long, value_name = "NUMBER")]
    doc_no: Option<String>,
    /// The addressees (主送机关) of the DOCX bulletin (default: `[bulletin] addressees`, else
    /// 各有关单位：).
    #[arg(long)]
    addressees: Option<String>,
    /// Working days given for rectification.
    #[arg(long, value_name = "DAYS", default_value_t = 10, value_parser = whole_number::<u32>)]
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
    /// Only findings standing on or after this day (YYYY-MM-DD): new and persisting ones last
    /// seen on or after it, fixed ones fixed on or after it.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    #[command(flatten)]
    out: TableOut,
}

/// The output of a table command: its format, the CSV's byte order mark, and where it goes.
#[derive(Debug, Args)]
struct TableOut {
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    format: TableFormat,
    /// CSV without the UTF-8 byte order mark Excel needs (for scripts).
    #[arg(long)]
    no_bom: bool,
    /// Write the table to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl TableOut {
    /// The report's table format (CSV with the byte order mark unless `--no-bom`).
    fn table(&self) -> Table {
        match self.format {
            TableFormat::Text => Table::Text,
            TableFormat::Json => Table::Json,
            TableFormat::Csv if self.no_bom => Table::Csv,
            TableFormat::Csv => Table::CsvExcel,
        }
    }

    /// Print `text`, or write it to `--output`.
    fn emit(&self, text: &str) -> Result<(), Failure> {
        emit(text, self.output.as_deref())
    }
}

#[derive(Debug, Args)]
struct NormdocsArgs {
    /// Site name.
    site: String,
    /// Configuration file (its `[store] path` is read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// List the changes between consecutive scans instead of the library.
    #[arg(long)]
    changes: bool,
    /// With --changes: only changes seen by scans on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "changes")]
    since: Option<String>,
    #[command(flatten)]
    out: TableOut,
}

#[derive(Debug, Args)]
struct AccountsArgs {
    /// Configuration file (its `[store] path` is read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Only this site's accounts.
    #[arg(long)]
    site: Option<String>,
    #[command(flatten)]
    out: TableOut,
}

#[derive(Debug, Args)]
struct SampleArgs {
    /// The quarter (YYYYQn, e.g. 2026Q4).
    #[arg(long, value_name = "YYYYQn")]
    quarter: String,
    /// Share of each stratum drawn, above 0 and at most 1 (default: `[sample] ratio`, 0.3).
    #[arg(long)]
    ratio: Option<f64>,
    /// The draw's seed (default: `[sample] seed`, else one derived from the quarter).
    #[arg(long)]
    seed: Option<u64>,
    /// Configuration file (its sites, `[sample]` and `[store] path` are read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    out: TableOut,
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// Site name.
    site: String,
    /// Configuration file (its `[store] path` is read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// One line per month for the last N months instead of one per scan (each month counted
    /// by its latest finished scan, as the bulletin counts it; `—` for a month without one).
    #[arg(long, value_name = "N", value_parser = month_count)]
    months: Option<usize>,
    /// With --months: the last month is the month of this time (default now).
    #[arg(long, value_name = "TIME", requires = "months")]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the table to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `--months`: 1 to 240.
fn month_count(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=240).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of months from 1 to 240, found `{s}`"
        )),
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Configuration file (its `[store] path`, sites, rules and `[bulletin]` are read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (loopback by default: the dashboard has no login).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    listen: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
enum ReviewCommand {
    /// The finding is a real problem: it counts, even if it needed confirmation (a confirmed
    /// near-miss wording is a veto).
    Confirm(ReviewArgs),
    /// The finding is a false positive (误报): it is dropped from every later judgement.
    Dismiss(ReviewArgs),
    /// The decisions recorded.
    List(ReviewListArgs),
}

#[derive(Debug, Args)]
struct ReviewArgs {
    /// Site name.
    site: String,
    /// Rule id of the finding.
    rule: String,
    /// The finding's target URL, as `govscan findings` shows it.
    target: String,
    /// Who decides (recorded with the decision).
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Why (recorded with the decision).
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Configuration file (its `[store] path` is written).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ReviewListArgs {
    /// Only this site's decisions.
    #[arg(long)]
    site: Option<String>,
    /// Configuration file (its `[store] path` is read).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    out: TableOut,
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

/// A number argument, with a message in plain words ("expected a whole number") rather than
/// the parser's ("invalid digit found in string").
fn whole_number<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("expected a whole number (0 or more), found `{s}`"))
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

impl From<InspectError> for Failure {
    fn from(e: InspectError) -> Failure {
        match e {
            InspectError::Usage(m) => Failure::usage(m),
            e => Failure::failed(e),
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
    init_logging(
        if scheduled { "info" } else { "warn" },
        cli.quiet,
        cli.verbose,
    );
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
            Command::Sample(a) => cmd_sample(a),
            Command::Findings(a) => cmd_findings(a),
            Command::Normdocs(a) => cmd_normdocs(a),
            Command::AnnualReport(a) => cmd_annual_report(a).await,
            Command::Accounts(a) => cmd_accounts(a),
            Command::History(a) => cmd_history(a),
            Command::Review { command } => cmd_review(command),
            Command::Serve(a) => cmd_serve(a).await,
            Command::Rules { command } => cmd_rules(command),
            Command::Completions { shell } => {
                use clap::CommandFactory;
                let mut out = std::io::stdout();
                clap_complete::generate(shell, &mut Cli::command(), "govscan", &mut out);
                Ok(exit::OK)
            }
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

/// Logs on standard error: what `-q`/`-v` ask, else what `GOVSCAN_LOG` asks, else
/// `default`; colours only on a terminal and without `NO_COLOR`; times in local time with
/// their offset.
fn init_logging(default: &str, quiet: bool, verbose: u8) {
    let level = match (quiet, verbose) {
        (true, _) => Some("error"),
        (false, 0) => None,
        (false, 1) => Some("info"),
        (false, _) => Some("debug"),
    };
    let filter = match level {
        Some(l) => tracing_subscriber::EnvFilter::new(l),
        None => tracing_subscriber::EnvFilter::try_from_env("GOVSCAN_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
    };
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .with_timer(LocalTime)
        .with_target(false)
        .try_init();
}

/// Log times in local time with the offset: `2026-11-30T02:30:00.123+08:00`.
struct LocalTime;

impl tracing_subscriber::fmt::time::FormatTime for LocalTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        write!(
            w,
            "{}",
            chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        )
    }
}

/// Write a report to `output`, or to standard output.
fn emit(text: &str, output: Option<&Path>) -> Result<(), Failure> {
    match output {
        Some(p) => std::fs::write(p, text)
            .map_err(|e| Failure::failed(format!("cannot write {}: {e}", p.display()))),
        None => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Failure::failed(format!("cannot write the report: {e}")))
        }
    }
}

/// A name given on the command line must be one of `valid`: else a usage error listing them.
fn known_name(what: &str, name: &str, valid: &[String]) -> Result<(), Failure> {
    if valid.iter().any(|v| v == name) {
        return Ok(());
    }
    let list = if valid.is_empty() {
        "there are none yet".to_string()
    } else {
        format!("the {what}s are: {}", valid.join(", "))
    };
    Err(Failure::usage(format!("no {what} named `{name}`; {list}")))
}

/// The URL to check: an http(s) URL, else a usage error (suggesting `http://` when the scheme
/// was left out).
fn parse_check_url(raw: &str) -> Result<Url, Failure> {
    let raw = raw.trim();
    let suggest = || {
        Url::parse(&format!("http://{raw}"))
            .ok()
            .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
            .map(|u| {
                Failure::usage(format!(
                    "`{raw}` has no scheme; did you mean `{u}`? (give the site as http://… or https://…)"
                ))
            })
    };
    match Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
        // `www.gov.cn:8080` parses with the scheme `www.gov.cn`.
        Ok(u) if !raw.contains("://") => {
            Err(suggest().unwrap_or_else(|| Failure::usage(format!("`{u}` is not an http(s) URL"))))
        }
        Ok(u) => Err(Failure::usage(format!("`{u}` is not an http(s) URL"))),
        Err(url::ParseError::RelativeUrlWithoutBase) => Err(suggest().unwrap_or_else(|| {
            Failure::usage(format!(
                "`{raw}` is not a URL (give it as http://… or https://…)"
            ))
        })),
        Err(e) => Err(Failure::usage(format!("`{raw}` is not a URL: {e}"))),
    }
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

async fn cmd_check(a: CheckArgs) -> Result<i32, Failure> {
    let as_of = parse_as_of(a.common.as_of.as_deref())?;
    let mut config = load_config(a.common.config.as_deref())?;
    let url = parse_check_url(&a.url)?;
    let matched = config.site_for_url(&url).cloned();
    let no_match = matched.is_none();
    let mut site = matched.unwrap_or_else(|| SiteConfig::adhoc(url.clone()));
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
    let reports = inspect::check_sites(
        config,
        std::slice::from_ref(&site),
        &rules,
        as_of,
        bar.observer(),
    )
    .await;
    bar.finish();
    let mut reports = reports?;
    if no_match {
        for r in &mut reports {
            r.notes.push(crate::report::NOTE_NO_SITE_MATCHED.into());
        }
    }
    let doc = Document::new(as_of, reports);
    print_doc(&doc, &rules, a.common.format, a.common.output.as_deref())?;
    if let Some(err) = doc.sites.iter().find_map(|s| s.error.as_ref()) {
        // The report says what happened; the inspection itself could not be done.
        eprintln!("govscan: {err}");
        return Ok(exit::FAILED);
    }
    Ok(fail_status(&doc, a.fail_on))
}

async fn cmd_annual_report(a: AnnualReportArgs) -> Result<i32, Failure> {
    let as_of = parse_as_of(a.common.as_of.as_deref())?;
    let config = load_config(a.common.config.as_deref())?;
    let url = parse_check_url(&a.url)?;
    let mut site = config
        .site_for_url(&url)
        .cloned()
        .unwrap_or_else(|| SiteConfig::adhoc(url.clone()));
    site.url = url;
    if let Some(k) = a.kind {
        site.kind = match k {
            KindArg::Portal => SiteKind::Portal,
            KindArg::Department => SiteKind::Department,
        };
    }
    let rules = load_rules(config.rules_dir.as_deref())?;
    let checked = inspect::annual_report::check_report_page(config, site, &rules, as_of)
        .await
        .map_err(|e| match e {
            InspectError::Usage(m) => Failure::usage(m),
            other => Failure::failed(other),
        })?;
    let text = match a.common.format {
        Format::Text => report::annual_report::text(&checked),
        Format::Json => serde_json::to_string_pretty(&checked).map_err(Failure::failed)? + "\n",
    };
    emit(&text, a.common.output.as_deref())?;
    Ok(if checked.report.is_none() {
        exit::FAILED
    } else if checked.has_problems() {
        exit::FOUND
    } else {
        exit::OK
    })
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
    let reports = inspect::check_sites(
        Arc::new(config),
        std::slice::from_ref(&site),
        &rules,
        as_of,
        bar.observer(),
    )
    .await;
    bar.finish();
    let doc = Document::new(as_of, reports?);
    let printed = print_doc(&doc, &rules, a.format, a.output.as_deref());
    running.shutdown().await;
    printed?;
    Ok(exit::OK)
}

async fn cmd_scan(a: ScanArgs) -> Result<i32, Failure> {
    let as_of = match a.as_of.as_deref() {
        Some(s) => Some(crate::asof::parse(s).map_err(Failure::usage)?),
        None => None,
    };
    let wait = match a.wait.as_deref() {
        Some(w) => Some(humantime::parse_duration(w.trim()).map_err(|err| {
            Failure::usage(format!("`{w}` is not a duration like 30m or 6h: {err}"))
        })?),
        None => None,
    };
    let config = load_config(a.config.as_deref())?;
    let rules = load_rules(config.rules_dir.as_deref())?;
    let bars = bars::ScanBars::start();
    let req = scan::ScanRequest {
        config,
        rules,
        sites: a.sites,
        as_of,
        resume: a.resume,
        wait,
        progress: bars.observer(),
        worker: a.worker,
        sites_at_once: a.sites_at_once,
    };
    let outcome = scan::scan(req).await;
    bars.finish();
    let outcome = outcome?;
    if let Some(why) = &outcome.nothing {
        emit(&format!("{why}\n"), None)?;
    }
    if let Some((run, as_of)) = outcome.run {
        emit(
            &report::tables::scan_summary(run, as_of, &outcome.sites),
            None,
        )?;
        if outcome.shared {
            emit(
                &report::tables::shared_run_summary(
                    run,
                    outcome.finished_run,
                    outcome.sites.len(),
                    &outcome.others,
                ),
                None,
            )?;
        }
    }
    // Every other site was finished first; a site not inspected makes the run incomplete.
    // The process that finished a shared run answers for the sites other workers judged too;
    // any other worker for its own.
    let missed: Vec<&str> = outcome
        .sites
        .iter()
        .map(|s| (s.site.as_str(), s.verdict))
        .chain(outcome.others.iter().map(|s| (s.site.as_str(), s.verdict)))
        .filter(|(_, v)| !v.inspected())
        .map(|(s, _)| s)
        .collect();
    if !missed.is_empty() {
        eprintln!(
            "govscan: {} site(s) could not be inspected: {}",
            missed.len(),
            missed.join(", ")
        );
        return Ok(exit::FAILED);
    }
    let threshold = fail_threshold(a.fail_on);
    let hit = outcome
        .sites
        .iter()
        .map(|s| s.worst)
        .chain([outcome.earlier_worst])
        .any(|w| w.zip(threshold).is_some_and(|(w, t)| w <= t));
    Ok(if hit { exit::FOUND } else { exit::OK })
}

fn cmd_bulletin(a: BulletinArgs) -> Result<i32, Failure> {
    let period = match (&a.month, &a.quarter) {
        (Some(m), _) => match report::bulletin::Period::parse(m) {
            Some(p @ report::bulletin::Period::Month(_)) => p,
            _ => return Err(Failure::usage(format!("`{m}` is not a month like 2026-11"))),
        },
        (None, Some(q)) => parse_quarter(q)?,
        (None, None) => return Err(Failure::usage("give --month or --quarter")),
    };
    let issued_on = match a.issued_on.as_deref() {
        Some(d) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| Failure::usage(format!("`{d}` is not a date like 2026-12-01")))?,
        None => crate::asof::now().date_naive(),
    };
    let config = load_config(a.config.as_deref())?;
    let rules = load_rules(config.rules_dir.as_deref())?;
    if !config.store.location().exists() {
        return Err(Failure::failed(format!(
            "there is no store at {} (run `govscan scan` first)",
            config.store.location().display()
        )));
    }
    let store = crate::store::Store::open_location_read_only(&config.store.location())
        .map_err(|e| Failure::failed(e.to_string()))?;
    let settings = &config.bulletin;
    let issuer = a
        .issuer
        .or_else(|| settings.issuer.clone())
        .unwrap_or_else(|| crate::config::BulletinSettings::DEFAULT_ISSUER.into());
    let opts = report::bulletin::BulletinOptions {
        period,
        title: a.title,
        header: a
            .header
            .or_else(|| settings.header.clone())
            .unwrap_or_else(|| format!("{issuer}文件")),
        doc_no: a.doc_no.or_else(|| settings.doc_no.clone()),
        addressees: a
            .addressees
            .or_else(|| settings.addressees.clone())
            .unwrap_or_else(|| crate::config::BulletinSettings::DEFAULT_ADDRESSEES.into()),
        issuer,
        deadline_days: a.deadline_days,
        issued_on,
    };
    let sites = match period {
        report::bulletin::Period::Quarter { .. } => {
            let req = crate::inspect::sample::SampleRequest {
                quarter: period,
                ratio: a.ratio,
                seed: a.seed,
            };
            let sample = crate::inspect::sample::draw(&config, Some(&store), &req)?;
            eprintln!(
                "govscan: {} 抽查 {} 家（随机种子 {}）",
                sample.quarter,
                sample.sites.len(),
                sample.seed
            );
            crate::inspect::sample::sites_of(&config, &sample)
        }
        report::bulletin::Period::Month(_) => config.sites.clone(),
    };
    let b = rejudge::bulletin(&store, config, &sites, &rules, &opts, a.rejudge)?;
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
    let doc = rejudge::judge(rejudge::JudgeRequest {
        config,
        rules: rules.clone(),
        run: a.run,
        sites: a.sites,
        as_of,
    })?;
    print_doc(&doc, &rules, a.format, a.output.as_deref())?;
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
    let configured: Vec<String> = config.sites.iter().map(|s| s.name.clone()).collect();
    for name in &a.sites {
        known_name("site", name, &configured)?;
    }
    let sites: Vec<SiteConfig> = config
        .sites
        .iter()
        .filter(|s| a.sites.is_empty() || a.sites.contains(&s.name))
        .cloned()
        .collect();
    if sites.is_empty() {
        return Err(Failure::failed(
            "nothing to probe: the configuration has no site, so nothing was stored",
        ));
    }
    let mut store = scan::open_store(&config).map_err(Failure::failed)?;
    let print = |r: &probe::ProbeRound| {
        // A closed standard output must not stop the probes (nor panic).
        let _ = emit(&r.summary(), None);
    };
    match every {
        None => {
            let round = probe::run_probe(&config, &sites, &mut store, &rules).await?;
            print(&round);
        }
        Some(interval) => {
            probe::probe_every(interval, &config, &sites, &mut store, &rules, print).await?;
        }
    }
    Ok(exit::OK)
}

fn parse_quarter(q: &str) -> Result<report::bulletin::Period, Failure> {
    match report::bulletin::Period::parse(q) {
        Some(p @ report::bulletin::Period::Quarter { .. }) => Ok(p),
        _ => Err(Failure::usage(format!(
            "`{q}` is not a quarter like 2026Q4"
        ))),
    }
}

fn cmd_sample(a: SampleArgs) -> Result<i32, Failure> {
    let config = load_config(a.config.as_deref())?;
    let quarter = parse_quarter(&a.quarter)?;
    // Last quarter's 不合格 sites come from the store, when there is one.
    let store = if config.store.location().exists() {
        Some(
            crate::store::Store::open_location_read_only(&config.store.location())
                .map_err(Failure::failed)?,
        )
    } else {
        None
    };
    let req = crate::inspect::sample::SampleRequest {
        quarter,
        ratio: a.ratio,
        seed: a.seed,
    };
    let sample = crate::inspect::sample::draw(&config, store.as_ref(), &req)?;
    if store.is_none() {
        eprintln!(
            "govscan: no store at {}: last quarter's 不合格 sites are not known, so none is drawn for that",
            config.store.location().display()
        );
    }
    let text = match a.out.format {
        TableFormat::Text => report::sample::text(&sample),
        TableFormat::Json => report::sample::json(&sample),
        TableFormat::Csv => report::sample::csv(&sample, !a.out.no_bom),
    };
    a.out.emit(&text)?;
    Ok(exit::OK)
}

fn cmd_normdocs(a: NormdocsArgs) -> Result<i32, Failure> {
    let config = load_config(a.config.as_deref())?;
    let since = match a.since.as_deref() {
        Some(d) => Some(
            chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|e| Failure::usage(format!("`{d}` is not a date like 2026-11-01: {e}")))?,
        ),
        None => None,
    };
    let format = a.out.table();
    let store = open_existing_store(&config)?;
    known_name("site", &a.site, &site_names(&config, &store)?)?;
    let snapshots = store.normdoc_snapshots(&a.site).map_err(Failure::failed)?;
    let text = if a.changes {
        let rows = report::normdocs::changes_between(&a.site, &snapshots, since, None);
        report::normdocs::changes_table(&a.site, &rows, format)
    } else {
        report::normdocs::library(&a.site, snapshots.last(), format)
    };
    a.out.emit(&text)?;
    Ok(exit::OK)
}

fn cmd_review(c: ReviewCommand) -> Result<i32, Failure> {
    use crate::finding::{Decision, Review};
    let (a, decision) = match c {
        ReviewCommand::Confirm(a) => (a, Decision::Confirmed),
        ReviewCommand::Dismiss(a) => (a, Decision::Dismissed),
        ReviewCommand::List(a) => {
            let config = load_config(a.config.as_deref())?;
            let format = a.out.table();
            let store = open_existing_store(&config)?;
            if let Some(site) = &a.site {
                known_name("site", site, &site_names(&config, &store)?)?;
            }
            let rows = store.reviews(a.site.as_deref()).map_err(Failure::failed)?;
            a.out.emit(&report::reviews::list(&rows, format))?;
            return Ok(exit::OK);
        }
    };
    let config = load_config(a.config.as_deref())?;
    // Only a finding the store has seen can be decided on (a typo would decide nothing).
    let targets = {
        let store = open_existing_store(&config)?;
        known_name("site", &a.site, &site_names(&config, &store)?)?;
        let filter = crate::store::FindingFilter {
            site: Some(a.site.clone()),
            rule: Some(a.rule.clone()),
            ..Default::default()
        };
        store.findings(&filter).map_err(Failure::failed)?
    };
    if !targets.iter().any(|f| f.finding.url == a.target) {
        let mut known: Vec<String> = targets.iter().map(|f| f.finding.url.clone()).collect();
        known.sort();
        known.dedup();
        let hint = if known.is_empty() {
            format!("the store has no finding of rule {} for {}", a.rule, a.site)
        } else {
            format!(
                "its findings of rule {} are about: {}",
                a.rule,
                known
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(Failure::usage(format!(
            "no stored finding of {} under {} about {}; {hint}",
            a.site, a.rule, a.target
        )));
    }
    let mut store =
        crate::store::Store::open_location(&config.store.location()).map_err(Failure::failed)?;
    let review = Review {
        site: a.site,
        rule: a.rule,
        target: a.target,
        decision,
        reviewer: a.by,
        note: a.note,
        at: crate::asof::now().to_rfc3339(),
    };
    store.save_review(&review).map_err(Failure::failed)?;
    println!(
        "{}：{} {} {}（此后的检查、重新判定和通报均按此执行）",
        review.decision.zh(),
        review.site,
        review.rule,
        review.target
    );
    Ok(exit::OK)
}

fn cmd_accounts(a: AccountsArgs) -> Result<i32, Failure> {
    let config = load_config(a.config.as_deref())?;
    let format = a.out.table();
    let store = open_existing_store(&config)?;
    if let Some(site) = &a.site {
        known_name("site", site, &site_names(&config, &store)?)?;
    }
    let rows = store
        .accounts(a.site.as_deref(), None)
        .map_err(Failure::failed)?;
    a.out.emit(&report::accounts::list(&rows, format))?;
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
    let status = a
        .status
        .as_deref()
        .map(|s| {
            crate::store::FindingStatus::parse(s).ok_or_else(|| {
                Failure::usage(format!(
                    "`{s}` is not a status: use new, persisting or fixed"
                ))
            })
        })
        .transpose()?;
    let format = a.out.table();
    let store = open_existing_store(&config)?;
    if let Some(site) = &a.site {
        known_name("site", site, &site_names(&config, &store)?)?;
    }
    if let Some(rule) = &a.rule {
        let rules = load_rules(config.rules_dir.as_deref())?;
        let mut ids: Vec<String> = rules.rules().iter().map(|r| r.id.clone()).collect();
        ids.extend(store.rule_ids().map_err(Failure::failed)?);
        ids.sort();
        ids.dedup();
        known_name("rule", rule, &ids)?;
    }
    let filter = crate::store::FindingFilter {
        site: a.site,
        rule: a.rule,
        status,
        since,
    };
    let rows = store.findings(&filter).map_err(Failure::failed)?;
    a.out.emit(&report::tables::findings(&rows, format))?;
    Ok(exit::OK)
}

fn cmd_history(a: HistoryArgs) -> Result<i32, Failure> {
    let config = load_config(a.config.as_deref())?;
    let format = if a.format == Format::Json {
        Table::Json
    } else {
        Table::Text
    };
    let store = open_existing_store(&config)?;
    known_name("site", &a.site, &site_names(&config, &store)?)?;
    let rows = store.history(&a.site).map_err(Failure::failed)?;
    let text = match a.months {
        Some(n) => {
            let last = parse_as_of(a.as_of.as_deref())?.date_naive();
            let months = report::tables::monthly(&rows, last, n);
            report::tables::history_months(&a.site, &months, format)
        }
        None => report::tables::history(&a.site, &rows, format),
    };
    emit(&text, a.output.as_deref())?;
    Ok(exit::OK)
}

async fn cmd_serve(a: ServeArgs) -> Result<i32, Failure> {
    let addr: std::net::SocketAddr = a.listen.trim().parse().map_err(|_| {
        Failure::usage(format!(
            "`{}` is not an address to listen on like 127.0.0.1:8080",
            a.listen
        ))
    })?;
    let config = load_config(a.config.as_deref())?;
    let rules = load_rules(config.rules_dir.as_deref())?;
    if !config.store.location().exists() {
        eprintln!(
            "govscan serve: there is no store at {} yet: the pages say so until `govscan scan` has run",
            config.store.location().display()
        );
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    crate::serve::serve(
        config,
        rules,
        addr,
        |bound| eprintln!("govscan serve: dashboard at http://{bound}/ (Ctrl-C stops it)"),
        shutdown,
    )
    .await
    .map_err(Failure::failed)?;
    Ok(exit::OK)
}

/// The sites a reading command may name: the configured ones and those the store has scans of.
fn site_names(config: &Config, store: &crate::store::Store) -> Result<Vec<String>, Failure> {
    let mut names: Vec<String> = config.sites.iter().map(|s| s.name.clone()).collect();
    names.extend(store.site_names().map_err(Failure::failed)?);
    names.sort();
    names.dedup();
    Ok(names)
}

/// The configured store, read-only; it must exist.
fn open_existing_store(config: &Config) -> Result<crate::store::Store, Failure> {
    if !config.store.location().exists() {
        return Err(Failure::failed(format!(
            "no store at {} (run `govscan scan` first)",
            config.store.location().display()
        )));
    }
    crate::store::Store::open_location_read_only(&config.store.location()).map_err(Failure::failed)
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
        emit(&crate::rules::list_text(&rules), None)?;
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

fn print_doc(
    doc: &Document,
    rules: &RuleSet,
    format: Format,
    output: Option<&Path>,
) -> Result<(), Failure> {
    let text = match format {
        Format::Text => report::text(doc, rules),
        Format::Json => doc.to_json() + "\n",
    };
    emit(&text, output)
}

/// The least serious kind of finding that fails the run (`None`: nothing does).
fn fail_threshold(fail_on: FailOn) -> Option<Kind> {
    match fail_on {
        FailOn::Never => None,
        FailOn::Veto => Some(Kind::Veto),
        FailOn::Deduct => Some(Kind::Deduct),
        FailOn::Notice => Some(Kind::Notice),
    }
}

fn fail_status(doc: &Document, fail_on: FailOn) -> i32 {
    let Some(threshold) = fail_threshold(fail_on) else {
        return exit::OK;
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
