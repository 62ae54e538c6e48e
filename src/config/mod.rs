//! Configuration: `config.toml` parsed into typed settings (crawl limits, sites, name
//! resolution overrides, store path) with errors that name the file, line and field.
//!
//! Owns: the config schema, its defaults (the embedded `DEFAULT_CONFIG`), validation of values
//! that serde alone cannot check (URLs, ranges), and per-site overrides of the crawl settings.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

mod error;
mod site_match;
pub use error::ConfigError;

/// The example configuration shipped at the top of the repository, embedded so that the
/// binary runs with sensible defaults even without a file.
pub const DEFAULT_CONFIG: &str = include_str!("../../config.toml");

/// Level of the government that runs a site (affects which rules apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SiteLevel {
    /// 省级
    Province,
    /// 地市级
    City,
    /// 县级
    County,
    /// 部门
    Department,
}

impl SiteLevel {
    /// Chinese name used in reports.
    pub fn zh(self) -> &'static str {
        match self {
            SiteLevel::Province => "省级",
            SiteLevel::City => "市级",
            SiteLevel::County => "县级",
            SiteLevel::Department => "部门",
        }
    }
}

/// Kind of site: a government portal (门户网站) or a department site (部门网站).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// 政府门户网站
    Portal,
    /// 部门网站
    Department,
}

impl SiteKind {
    /// Chinese name used in reports.
    pub fn zh(self) -> &'static str {
        match self {
            SiteKind::Portal => "门户网站",
            SiteKind::Department => "部门网站",
        }
    }
}

/// Crawl settings. Every field can be overridden per site in `[site.crawl]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlSettings {
    /// User-Agent sent with every request; should name the tool and a contact.
    pub user_agent: String,
    /// Requests per second allowed per origin (scheme+host+port). 0 turns the limit off
    /// (benchmarks only).
    pub rate_per_origin: f64,
    /// Requests an origin may receive at once (the size of its token bucket): in any one
    /// second an origin receives at most `rate_per_origin + burst` requests.
    pub burst: u32,
    /// Requests in flight across the whole process.
    pub max_in_flight: usize,
    /// Workers per site (concurrent requests a single site's crawl may have in flight).
    pub concurrency_per_site: usize,
    /// Time allowed to establish a connection.
    #[serde(with = "humantime_serde_compat")]
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, body included (a dripping server is cut off).
    #[serde(with = "humantime_serde_compat")]
    pub total_timeout: Duration,
    /// Largest body read, counted after decompression; reading stops beyond it.
    pub max_body_bytes: u64,
    /// Pages crawled (fetched and parsed) per site.
    pub max_pages: usize,
    /// Link depth from the home page.
    pub max_depth: u32,
    /// Links checked (not parsed) per site, beyond the crawled pages.
    pub max_links: usize,
    /// Redirects followed before a link counts as "too many redirects".
    pub max_redirects: usize,
    /// Obey robots.txt (RFC 9309).
    pub robots: bool,
    /// Longest Crawl-delay honoured; a longer one is capped to this.
    #[serde(with = "humantime_serde_compat")]
    pub max_crawl_delay: Duration,
    /// Different query strings crawled per path (protection from calendars and filters).
    pub max_query_variants: usize,
    /// Longest URL crawled.
    pub max_url_length: usize,
    /// Retries on 429/503 and connection resets.
    pub retries: u32,
    /// First retry delay; doubled each retry.
    #[serde(with = "humantime_serde_compat")]
    pub retry_backoff: Duration,
    /// Longest Retry-After honoured.
    #[serde(with = "humantime_serde_compat")]
    pub max_retry_after: Duration,
    /// Query parameters (case-insensitive) that carry session ids and are removed from URLs.
    pub session_params: Vec<String>,
    /// Allow fetching links whose host resolves to private, loopback or link-local addresses.
    /// Off by default: a hacked page must not make the scanner probe the inspector's network.
    pub allow_private_addresses: bool,
    /// Check links to other sites (HEAD, falling back to GET).
    pub check_external: bool,
    /// Links taken from one page; the rest of a page's links are counted, not followed.
    pub max_links_per_page: usize,
    /// Pages parsed at once across the whole process (each costs a small multiple of
    /// `max_body_bytes` while it is parsed).
    pub parse_concurrency: usize,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            user_agent: format!(
                "govscan/{} (government website inspection; +https://www.gov.cn/)",
                env!("CARGO_PKG_VERSION")
            ),
            rate_per_origin: 2.0,
            burst: 2,
            max_in_flight: 64,
            concurrency_per_site: 4,
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_pages: 2000,
            max_depth: 6,
            max_links: 20_000,
            max_redirects: 10,
            robots: true,
            max_crawl_delay: Duration::from_secs(30),
            max_query_variants: 30,
            max_url_length: 1024,
            retries: 2,
            retry_backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            session_params: [
                "jsessionid",
                "phpsessid",
                "sid",
                "sessionid",
                "session_id",
                "aspsessionid",
                "cfid",
                "cftoken",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            allow_private_addresses: false,
            check_external: true,
            max_links_per_page: 5000,
            parse_concurrency: 2,
        }
    }
}

/// Per-site overrides of [`CrawlSettings`]; any field left out keeps the global value. The
/// user agent, connect timeout and private-address policy are process-wide (one HTTP client).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrawlOverrides {
    pub rate_per_origin: Option<f64>,
    pub burst: Option<u32>,
    pub concurrency_per_site: Option<usize>,
    #[serde(default, with = "humantime_serde_compat::option")]
    pub total_timeout: Option<Duration>,
    pub max_body_bytes: Option<u64>,
    pub max_pages: Option<usize>,
    pub max_depth: Option<u32>,
    pub max_links: Option<usize>,
    pub max_redirects: Option<usize>,
    pub robots: Option<bool>,
    pub max_query_variants: Option<usize>,
    pub check_external: Option<bool>,
    pub max_links_per_page: Option<usize>,
}

impl CrawlSettings {
    /// These settings with a site's overrides applied.
    pub fn with_overrides(&self, o: &CrawlOverrides) -> CrawlSettings {
        let mut s = self.clone();
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = o.$f.clone() { s.$f = v; } )* };
        }
        take!(
            rate_per_origin,
            burst,
            concurrency_per_site,
            total_timeout,
            max_body_bytes,
            max_pages,
            max_depth,
            max_links,
            max_redirects,
            robots,
            max_query_variants,
            check_external,
            max_links_per_page
        );
        s
    }
}

/// One government website to inspect.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Name of the site (the body that runs it), as used in bulletins.
    pub name: String,
    /// Home page URL.
    pub url: Url,
    /// Level of the government that runs it.
    #[serde(default = "default_level")]
    pub level: SiteLevel,
    /// Portal or department site.
    #[serde(default = "default_kind")]
    pub kind: SiteKind,
    /// Whether a department site has outward-facing services (对外服务职能); `false` only for
    /// a department without them (e.g. some State Council departments), whose site is then
    /// not judged by the 办事服务 rules (`service.*`). Unset: it has them. A portal always
    /// has them (`false` on a portal is an error).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outward_services: Option<bool>,
    /// Further host names that belong to the same site (crawled, not just checked).
    #[serde(default)]
    pub hosts: Vec<String>,
    /// 网站标识码 as registered, checked against the footer when set.
    #[serde(default)]
    pub site_id_code: Option<String>,
    /// Explicit column URLs (column name → list page URL); they override discovery.
    #[serde(default)]
    pub columns: BTreeMap<String, Url>,
    /// Crawl settings for this site only.
    #[serde(default)]
    pub crawl: CrawlOverrides,
    /// The site's government new-media accounts (政务新媒体), `[[site.account]]`; the
    /// top-level `[[account]]` tables with `site = "…"` are moved here when the file is read.
    #[serde(default, rename = "account", skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountConfig>,
}

/// Platform of a government new-media account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Platform {
    #[serde(rename = "微信", alias = "wechat")]
    WeChat,
    #[serde(rename = "微博", alias = "weibo")]
    Weibo,
    #[serde(rename = "抖音", alias = "douyin")]
    Douyin,
    #[serde(rename = "头条", alias = "toutiao")]
    Toutiao,
    #[serde(rename = "客户端", alias = "app")]
    App,
    #[serde(rename = "other", alias = "其他")]
    Other,
}

impl Platform {
    /// Every platform, in report order.
    pub const ALL: [Platform; 6] = [
        Platform::WeChat,
        Platform::Weibo,
        Platform::Douyin,
        Platform::Toutiao,
        Platform::App,
        Platform::Other,
    ];

    /// Chinese name used in reports (新媒体类型).
    pub fn zh(self) -> &'static str {
        match self {
            Platform::WeChat => "微信",
            Platform::Weibo => "微博",
            Platform::Douyin => "抖音",
            Platform::Toutiao => "头条",
            Platform::App => "客户端",
            Platform::Other => "其他",
        }
    }

    /// The platform named by its Chinese name or its English alias (`wechat`, `other`…).
    pub fn parse(s: &str) -> Option<Platform> {
        let s = s.trim();
        let english = ["wechat", "weibo", "douyin", "toutiao", "app", "other"];
        Platform::ALL
            .into_iter()
            .zip(english)
            .find(|(p, e)| p.zh() == s || s.eq_ignore_ascii_case(e))
            .map(|(p, _)| p)
    }
}

/// One government new-media account of a site, followed through a public feed of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// 微信, 微博, 抖音, 头条, 客户端 or other.
    pub platform: Platform,
    /// The account's name (新媒体名称).
    pub name: String,
    /// The operating unit (责任单位); default the site's name.
    #[serde(default, alias = "operating_unit")]
    pub unit: Option<String>,
    /// A public feed of the account (RSS, Atom or JSON Feed; an RSS bridge).
    pub feed: Url,
    /// Found by discovery, not configured (never read from a file).
    #[serde(skip)]
    pub discovered: bool,
}

/// A top-level `[[account]]`: an account with the name of its site.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TopAccountConfig {
    /// The site (by name) the account belongs to.
    pub site: String,
    #[serde(flatten)]
    pub account: AccountConfig,
}

fn default_level() -> SiteLevel {
    SiteLevel::Department
}
fn default_kind() -> SiteKind {
    SiteKind::Department
}

impl SiteConfig {
    /// An ad-hoc site for `govscan check URL` that is not in the configuration.
    pub fn adhoc(url: Url) -> SiteConfig {
        SiteConfig {
            name: url.host_str().unwrap_or("site").to_string(),
            url,
            level: default_level(),
            kind: default_kind(),
            outward_services: None,
            hosts: Vec::new(),
            site_id_code: None,
            columns: BTreeMap::new(),
            crawl: CrawlOverrides::default(),
            accounts: Vec::new(),
        }
    }

    /// The site must offer 办事服务 (a portal, or a department with outward-facing
    /// services): the `service.*` rules judge it.
    pub fn offers_services(&self) -> bool {
        self.kind == SiteKind::Portal || self.outward_services != Some(false)
    }

    /// Every host name that belongs to this site (lower-case).
    pub fn all_hosts(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .url
            .host_str()
            .map(|h| h.to_ascii_lowercase())
            .into_iter()
            .collect();
        for h in &self.hosts {
            let h = h.trim().to_ascii_lowercase();
            if !h.is_empty() && !v.contains(&h) {
                v.push(h);
            }
        }
        v
    }
}

/// Where the store lives.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// SQLite database file (the embedded default).
    pub path: PathBuf,
    /// A PostgreSQL database shared by many workers (`postgres://user@host/db`); when given
    /// it is used instead of `path`. The environment variable `GOVSCAN_STORE_URL` overrides
    /// both.
    pub url: Option<String>,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            path: PathBuf::from("govscan.db"),
            url: None,
        }
    }
}

impl StoreSettings {
    /// Where the store is: `GOVSCAN_STORE_URL`, else `url`, else the file at `path`.
    pub fn location(&self) -> crate::store::Location {
        crate::store::Location::from_settings(&self.path, self.url.as_deref())
    }
}

/// The name server used for the look-ups of the availability probes and the IPv6 check (A,
/// AAAA and NS records). Host names pinned in `[resolve]` are never looked up.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DnsSettings {
    /// `"ip:port"` of a name server to ask; left out, the system's configuration
    /// (`/etc/resolv.conf`).
    pub nameserver: Option<std::net::SocketAddr>,
    /// Time allowed for one DNS query.
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
}

impl Default for DnsSettings {
    fn default() -> Self {
        DnsSettings {
            nameserver: None,
            timeout: Duration::from_secs(5),
        }
    }
}

/// Who issues the monthly bulletin and the rectification notices, as their 公文 (DOCX) print
/// it. Each can be given on the command line too, which wins.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields, default)]
pub struct BulletinSettings {
    /// The issuing office (发文机关署名), who also receives the rectification reports.
    pub issuer: Option<String>,
    /// The red header (发文机关标志); default `<issuer>文件`.
    pub header: Option<String>,
    /// The document number (发文字号), e.g. `某政办〔2026〕12号`.
    pub doc_no: Option<String>,
    /// The addressees (主送机关), e.g. `各区县人民政府，市政府各部门：`.
    pub addressees: Option<String>,
}

impl BulletinSettings {
    /// The issuer when neither the command line nor the configuration names one.
    pub const DEFAULT_ISSUER: &'static str = "政府网站监管工作领导小组办公室";
    /// The addressees when neither the command line nor the configuration names them.
    pub const DEFAULT_ADDRESSEES: &'static str = "各有关单位：";
}

/// The rules of the quarterly spot check's draw (季抽查, `govscan sample`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SampleSettings {
    /// Share of each stratum (level × kind) drawn, in (0, 1].
    pub ratio: f64,
    /// Sites drawn from every stratum at least (when it has that many).
    pub min_per_stratum: usize,
    /// The draw's seed; left out, one derived from the quarter, so a quarter's sample is the
    /// same every time it is drawn.
    pub seed: Option<u64>,
    /// Last quarter's 不合格 sites are always in the sample.
    pub include_failed: bool,
}

impl Default for SampleSettings {
    fn default() -> Self {
        SampleSettings {
            ratio: 0.3,
            min_per_stratum: 1,
            seed: None,
            include_failed: true,
        }
    }
}

/// The whole configuration file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Crawl settings for every site.
    #[serde(default)]
    pub crawl: CrawlSettings,
    /// Folder of rule files; relative to the config file. Empty = the embedded rules.
    #[serde(default)]
    pub rules_dir: Option<PathBuf>,
    /// The store.
    #[serde(default)]
    pub store: StoreSettings,
    /// Host name → addresses to use for it, like curl's `--resolve`.
    #[serde(default)]
    pub resolve: BTreeMap<String, Vec<IpAddr>>,
    /// The name server of the probes and the IPv6 check.
    #[serde(default)]
    pub dns: DnsSettings,
    /// The sites to inspect.
    #[serde(default, rename = "site")]
    pub sites: Vec<SiteConfig>,
    /// Top-level `[[account]]` tables (moved into their sites' `accounts` when read).
    #[serde(default, rename = "account", skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<TopAccountConfig>,
    /// Who issues the bulletin (its 公文 header).
    #[serde(default)]
    pub bulletin: BulletinSettings,
    /// The quarterly spot check's draw.
    #[serde(default)]
    pub sample: SampleSettings,
    /// Where the config was read from (not part of the file).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

impl Config {
    /// Parse configuration text; `origin` names the file in error messages.
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let de = toml::Deserializer::new(text);
        let cfg: Config = serde_path_to_error::deserialize(de)
            .map_err(|e| ConfigError::from_toml(origin, text, e))?;
        let mut cfg = cfg;
        cfg.validate(origin, text)?;
        for top in std::mem::take(&mut cfg.accounts) {
            if let Some(site) = cfg.sites.iter_mut().find(|s| s.name == top.site) {
                site.accounts.push(top.account);
            }
        }
        Ok(cfg)
    }

    /// Read and parse a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut cfg = Config::parse(&text, &path.display().to_string())?;
        cfg.source = Some(path.to_path_buf());
        if let (Some(dir), Some(parent)) = (&cfg.rules_dir, path.parent()) {
            if dir.is_relative() {
                cfg.rules_dir = Some(parent.join(dir));
            }
        }
        if cfg.store.path.is_relative() {
            if let Some(parent) = path.parent() {
                if !parent.as_os_str().is_empty() {
                    cfg.store.path = parent.join(&cfg.store.path);
                }
            }
        }
        Ok(cfg)
    }

    /// The embedded defaults (the shipped `config.toml`).
    pub fn embedded() -> Config {
        // The embedded file is tested to parse (see tests); fall back to the built-in defaults
        // rather than panic should it ever not.
        Config::parse(DEFAULT_CONFIG, "config.toml (embedded)").unwrap_or_default()
    }

    /// Effective crawl settings for a site.
    pub fn crawl_for(&self, site: &SiteConfig) -> CrawlSettings {
        self.crawl.with_overrides(&site.crawl)
    }

    /// Find a configured site by name, or the site a URL belongs to
    /// ([`Config::site_for_url`]: scheme, host, port and the longest path prefix).
    pub fn find_site(&self, key: &str) -> Option<&SiteConfig> {
        self.sites.iter().find(|s| s.name == key).or_else(|| {
            let u = Url::parse(key).ok()?;
            self.site_for_url(&u)
        })
    }

    fn validate(&self, origin: &str, text: &str) -> Result<(), ConfigError> {
        let bad = |field: &str, message: String| ConfigError::locate(origin, text, field, message);
        let c = &self.crawl;
        validate_settings(c, "crawl", &bad)?;
        let ua = &c.user_agent;
        if ua.trim().is_empty() || ua.len() > 512 || ua.chars().any(|ch| ch.is_control()) {
            return Err(bad(
                "crawl.user_agent",
                "must be 1 to 512 characters with no control characters (CR, LF, tab)".into(),
            ));
        }
        check_range(
            &bad,
            "crawl.connect_timeout",
            c.connect_timeout,
            ranges::CONNECT_TIMEOUT,
        )?;
        check_range(&bad, "dns.timeout", self.dns.timeout, ranges::DNS_TIMEOUT)?;
        let r = self.sample.ratio;
        if !(r > 0.0 && r <= 1.0) {
            return Err(bad(
                "sample.ratio",
                format!("{r} is not a share of the sites: use a number above 0 and at most 1"),
            ));
        }
        if self.sample.min_per_stratum > 1000 {
            return Err(bad(
                "sample.min_per_stratum",
                "must be a whole number from 0 to 1000".into(),
            ));
        }
        let mut names = std::collections::HashSet::new();
        let mut urls = std::collections::HashSet::new();
        for (i, s) in self.sites.iter().enumerate() {
            if !matches!(s.url.scheme(), "http" | "https") || s.url.host_str().is_none() {
                return Err(bad(
                    &format!("site[{i}].url"),
                    format!("`{}` is not an http(s) URL with a host", s.url),
                ));
            }
            if s.name.trim().is_empty() {
                return Err(bad(&format!("site[{i}].name"), "must not be empty".into()));
            }
            if !names.insert(s.name.as_str()) {
                return Err(bad(
                    &format!("site[{i}].name"),
                    format!("duplicate site name `{}`", s.name),
                ));
            }
            if !urls.insert(s.url.as_str()) {
                return Err(bad(
                    &format!("site[{i}].url"),
                    format!("`{}` is already the URL of another site", s.url),
                ));
            }
            if s.kind == SiteKind::Portal && s.outward_services == Some(false) {
                return Err(bad(
                    &format!("site[{i}].outward_services"),
                    "a portal always offers 办事服务: `outward_services = false` applies only \
                     to a department site (`kind = \"department\"`)"
                        .into(),
                ));
            }
            let effective = c.with_overrides(&s.crawl);
            validate_settings(&effective, &format!("site[{i}].crawl"), &bad)?;
            for (j, a) in s.accounts.iter().enumerate() {
                validate_account(a, &format!("site[{i}].account[{j}]"), &bad)?;
            }
        }
        for (j, top) in self.accounts.iter().enumerate() {
            if !self.sites.iter().any(|s| s.name == top.site) {
                let known: Vec<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
                return Err(bad(
                    &format!("account[{j}].site"),
                    format!(
                        "no site named `{}`; the sites are: {}",
                        top.site,
                        known.join(", ")
                    ),
                ));
            }
            validate_account(&top.account, &format!("account[{j}]"), &bad)?;
        }
        Ok(())
    }
}

/// Check one new-media account: a name, and an http(s) feed URL with a host.
fn validate_account(
    a: &AccountConfig,
    prefix: &str,
    bad: &dyn Fn(&str, String) -> ConfigError,
) -> Result<(), ConfigError> {
    if a.name.trim().is_empty() {
        return Err(bad(&format!("{prefix}.name"), "must not be empty".into()));
    }
    if !matches!(a.feed.scheme(), "http" | "https") || a.feed.host_str().is_none() {
        return Err(bad(
            &format!("{prefix}.feed"),
            format!("`{}` is not an http(s) URL with a host", a.feed),
        ));
    }
    if a.unit.as_deref().is_some_and(|u| u.trim().is_empty()) {
        return Err(bad(
            &format!("{prefix}.unit"),
            "must not be empty (leave it out for the site's name)".into(),
        ));
    }
    Ok(())
}

/// The accepted range of every numeric crawl setting (documented in the README's
/// configuration table). Values outside them either make no sense (0 pages, a timeout of 0)
/// or never end (a retry backoff of centuries), so the validator refuses them.
pub mod ranges {
    use std::time::Duration;

    /// Requests per second per origin; 0 (unlimited) is also accepted.
    pub const RATE_PER_ORIGIN: (f64, f64) = (0.001, 1000.0);
    pub const BURST: (u32, u32) = (1, 1000);
    pub const MAX_IN_FLIGHT: (usize, usize) = (1, 10_000);
    pub const CONCURRENCY_PER_SITE: (usize, usize) = (1, 256);
    pub const CONNECT_TIMEOUT: (Duration, Duration) =
        (Duration::from_millis(10), Duration::from_secs(300));
    pub const TOTAL_TIMEOUT: (Duration, Duration) =
        (Duration::from_millis(10), Duration::from_secs(3600));
    pub const MAX_BODY_BYTES: (u64, u64) = (1024, 256 * 1024 * 1024);
    pub const MAX_PAGES: (usize, usize) = (1, 1_000_000);
    pub const MAX_DEPTH: (u32, u32) = (0, 100);
    pub const MAX_LINKS: (usize, usize) = (0, 10_000_000);
    pub const MAX_REDIRECTS: (usize, usize) = (0, 50);
    pub const MAX_CRAWL_DELAY: (Duration, Duration) = (Duration::ZERO, Duration::from_secs(600));
    pub const MAX_QUERY_VARIANTS: (usize, usize) = (1, 1_000_000);
    pub const MAX_URL_LENGTH: (usize, usize) = (16, 65_536);
    pub const RETRIES: (u32, u32) = (0, 10);
    pub const RETRY_BACKOFF: (Duration, Duration) = (Duration::ZERO, Duration::from_secs(60));
    pub const MAX_RETRY_AFTER: (Duration, Duration) = (Duration::ZERO, Duration::from_secs(3600));
    pub const MAX_LINKS_PER_PAGE: (usize, usize) = (1, 100_000);
    pub const PARSE_CONCURRENCY: (usize, usize) = (1, 64);
    pub const DNS_TIMEOUT: (Duration, Duration) =
        (Duration::from_millis(10), Duration::from_secs(60));
}

/// A value and how to show it in an error message.
trait Shown: PartialOrd + Copy {
    fn shown(self) -> String;
}
macro_rules! shown_display {
    ($($t:ty),*) => { $( impl Shown for $t { fn shown(self) -> String { self.to_string() } } )* };
}
shown_display!(u32, u64, usize, f64);
impl Shown for Duration {
    fn shown(self) -> String {
        format!("\"{}\"", humantime::format_duration(self))
    }
}

fn check_range<T: Shown>(
    bad: &dyn Fn(&str, String) -> ConfigError,
    field: &str,
    value: T,
    (lo, hi): (T, T),
) -> Result<(), ConfigError> {
    // Written so that NaN fails too.
    if value >= lo && value <= hi {
        Ok(())
    } else {
        Err(bad(
            field,
            format!(
                "{} is out of range: must be between {} and {}",
                value.shown(),
                lo.shown(),
                hi.shown()
            ),
        ))
    }
}

/// Check every numeric setting of `s` (the global `[crawl]` or a site's effective settings,
/// named by `prefix`) against [`ranges`].
fn validate_settings(
    s: &CrawlSettings,
    prefix: &str,
    bad: &dyn Fn(&str, String) -> ConfigError,
) -> Result<(), ConfigError> {
    use ranges::*;
    let f = |name: &str| format!("{prefix}.{name}");
    if s.rate_per_origin != 0.0 {
        check_range(
            bad,
            &f("rate_per_origin"),
            s.rate_per_origin,
            RATE_PER_ORIGIN,
        )
        .map_err(|e| match e {
            ConfigError::Invalid {
                file,
                line,
                field,
                message,
            } => ConfigError::Invalid {
                file,
                line,
                field,
                message: format!("{message} (or 0 for unlimited)"),
            },
            e => e,
        })?;
    }
    check_range(bad, &f("burst"), s.burst, BURST)?;
    check_range(bad, &f("max_in_flight"), s.max_in_flight, MAX_IN_FLIGHT)?;
    check_range(
        bad,
        &f("concurrency_per_site"),
        s.concurrency_per_site,
        CONCURRENCY_PER_SITE,
    )?;
    check_range(bad, &f("total_timeout"), s.total_timeout, TOTAL_TIMEOUT)?;
    check_range(bad, &f("max_body_bytes"), s.max_body_bytes, MAX_BODY_BYTES)?;
    check_range(bad, &f("max_pages"), s.max_pages, MAX_PAGES)?;
    check_range(bad, &f("max_depth"), s.max_depth, MAX_DEPTH)?;
    check_range(bad, &f("max_links"), s.max_links, MAX_LINKS)?;
    check_range(bad, &f("max_redirects"), s.max_redirects, MAX_REDIRECTS)?;
    check_range(
        bad,
        &f("max_crawl_delay"),
        s.max_crawl_delay,
        MAX_CRAWL_DELAY,
    )?;
    check_range(
        bad,
        &f("max_query_variants"),
        s.max_query_variants,
        MAX_QUERY_VARIANTS,
    )?;
    check_range(bad, &f("max_url_length"), s.max_url_length, MAX_URL_LENGTH)?;
    check_range(bad, &f("retries"), s.retries, RETRIES)?;
    check_range(bad, &f("retry_backoff"), s.retry_backoff, RETRY_BACKOFF)?;
    check_range(
        bad,
        &f("max_retry_after"),
        s.max_retry_after,
        MAX_RETRY_AFTER,
    )?;
    check_range(
        bad,
        &f("max_links_per_page"),
        s.max_links_per_page,
        MAX_LINKS_PER_PAGE,
    )?;
    check_range(
        bad,
        &f("parse_concurrency"),
        s.parse_concurrency,
        PARSE_CONCURRENCY,
    )?;
    Ok(())
}

/// serde adapters for durations written as "10s", "500ms", "15m".
pub mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{s}` is not a duration like \"10s\" or \"500ms\": {e}"
            ))
        })
    }

    pub mod option {
        use super::*;
        pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

#[cfg(test)]
mod range_tests;

#[cfg(test)]
mod account_tests;
