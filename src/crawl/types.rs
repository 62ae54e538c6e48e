//! The facts the crawler records: what happened to every request (a [`LinkStatus`]), every
//! page it fetched ([`PageRecord`]) and every link it saw ([`LinkFact`]), gathered per site in
//! [`SiteFacts`]. Judgements (broken or not, points) belong to `checks`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::{SiteKind, SiteLevel};
use crate::extract::{LinkElement, LinkTarget, PageFacts, PageRaw, RawLink};

/// What happened when a URL was requested.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LinkStatus {
    /// A 2xx answer (or 304 on a conditional request).
    Ok { status: u16 },
    /// A 4xx or 5xx answer from a server that otherwise serves us.
    HttpError { status: u16 },
    /// The server refused the scanner rather than the page (429s, a WAF or challenge page, a
    /// blanket 403): inconclusive, never reported as broken.
    Blocked { status: Option<u16>, reason: String },
    /// No complete answer within the time allowed.
    Timeout,
    /// The connection was refused.
    Refused,
    /// The host name could not be resolved.
    Dns { message: String },
    /// The TLS handshake failed (bad certificate, protocol).
    Tls { message: String },
    /// Another connection-level failure (reset, closed, malformed answer).
    Connection { message: String },
    /// A redirect led back to a URL already in the chain.
    RedirectLoop,
    /// More redirects than allowed.
    TooManyRedirects,
    /// HTTP 200 whose page says it does not exist.
    Soft404 { reason: String },
    /// robots.txt disallows it; not fetched.
    RobotsDisallowed,
    /// The host resolves to a private, loopback or link-local address; not fetched.
    PrivateAddress { address: String },
    /// Not an http(s) link (`javascript:`, `mailto:`, `tel:`): recorded, not fetched.
    NotHttp { scheme: String },
    /// Not checked because a budget (pages, links) was spent.
    NotChecked { reason: String },
    /// The link text is not a valid URL.
    InvalidUrl { message: String },
}

impl LinkStatus {
    /// A link no visitor can follow.
    pub fn is_broken(&self) -> bool {
        matches!(
            self,
            LinkStatus::HttpError { .. }
                | LinkStatus::Timeout
                | LinkStatus::Refused
                | LinkStatus::Dns { .. }
                | LinkStatus::Tls { .. }
                | LinkStatus::Connection { .. }
                | LinkStatus::RedirectLoop
                | LinkStatus::TooManyRedirects
                | LinkStatus::Soft404 { .. }
                | LinkStatus::InvalidUrl { .. }
        )
    }

    /// The target was requested (as opposed to skipped or not yet checked).
    pub fn was_requested(&self) -> bool {
        !matches!(
            self,
            LinkStatus::RobotsDisallowed
                | LinkStatus::PrivateAddress { .. }
                | LinkStatus::NotHttp { .. }
                | LinkStatus::NotChecked { .. }
                | LinkStatus::InvalidUrl { .. }
        )
    }

    /// The server blocked the scanner: inconclusive.
    pub fn is_blocked(&self) -> bool {
        matches!(self, LinkStatus::Blocked { .. })
    }

    /// The request was answered normally.
    pub fn is_ok(&self) -> bool {
        matches!(self, LinkStatus::Ok { .. })
    }

    /// The HTTP status, where there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            LinkStatus::Ok { status } | LinkStatus::HttpError { status } => Some(*status),
            LinkStatus::Blocked { status, .. } => *status,
            LinkStatus::Soft404 { .. } => Some(200),
            _ => None,
        }
    }

    /// A short Chinese description for reports.
    pub fn zh(&self) -> String {
        match self {
            LinkStatus::Ok { status } => format!("正常（HTTP {status}）"),
            LinkStatus::HttpError { status } => format!("HTTP {status}"),
            LinkStatus::Blocked { reason, .. } => format!("被拦截，无法判定（{reason}）"),
            LinkStatus::Timeout => "访问超时".into(),
            LinkStatus::Refused => "连接被拒绝".into(),
            LinkStatus::Dns { .. } => "域名无法解析".into(),
            LinkStatus::Tls { .. } => "安全连接（TLS）失败".into(),
            LinkStatus::Connection { message } => format!("连接失败（{message}）"),
            LinkStatus::RedirectLoop => "重定向循环".into(),
            LinkStatus::TooManyRedirects => "重定向次数过多".into(),
            LinkStatus::Soft404 { reason } => format!("页面不存在（软404：{reason}）"),
            LinkStatus::RobotsDisallowed => "robots.txt 禁止访问，未检查".into(),
            LinkStatus::PrivateAddress { address } => format!("指向内网地址 {address}，未检查"),
            LinkStatus::NotHttp { scheme } => format!("{scheme} 链接，未检查"),
            LinkStatus::NotChecked { reason } => format!("未检查（{reason}）"),
            LinkStatus::InvalidUrl { message } => format!("链接地址无效（{message}）"),
        }
    }

    /// A short English description for logs and the text report's evidence.
    pub fn short(&self) -> String {
        match self {
            LinkStatus::Ok { status } => format!("{status}"),
            LinkStatus::HttpError { status } => format!("HTTP {status}"),
            LinkStatus::Blocked {
                status: Some(s),
                reason,
            } => format!("blocked ({s}, {reason})"),
            LinkStatus::Blocked {
                status: None,
                reason,
            } => format!("blocked ({reason})"),
            LinkStatus::Timeout => "timeout".into(),
            LinkStatus::Refused => "connection refused".into(),
            LinkStatus::Dns { message } => format!("DNS failure: {message}"),
            LinkStatus::Tls { message } => format!("TLS failure: {message}"),
            LinkStatus::Connection { message } => format!("connection failure: {message}"),
            LinkStatus::RedirectLoop => "redirect loop".into(),
            LinkStatus::TooManyRedirects => "too many redirects".into(),
            LinkStatus::Soft404 { reason } => format!("soft 404: {reason}"),
            LinkStatus::RobotsDisallowed => "disallowed by robots.txt".into(),
            LinkStatus::PrivateAddress { address } => format!("private address {address}"),
            LinkStatus::NotHttp { scheme } => format!("{scheme}: not fetched"),
            LinkStatus::NotChecked { reason } => format!("not checked: {reason}"),
            LinkStatus::InvalidUrl { message } => format!("invalid URL: {message}"),
        }
    }
}

/// One hop of a redirect chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    pub url: String,
    pub status: u16,
    pub location: String,
}

/// The outcome of requesting one URL (with its redirects followed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchOutcome {
    /// Final status of the request.
    pub status: LinkStatus,
    /// The redirects followed, in order.
    pub redirects: Vec<Redirect>,
    /// The URL finally answered (after redirects).
    pub final_url: String,
    /// Milliseconds from the first byte sent to the last byte read.
    pub elapsed_ms: u64,
}

/// A page that was fetched and parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRecord {
    /// Canonical URL requested.
    pub url: String,
    /// URL after redirects.
    pub final_url: String,
    /// Link depth from the home page (0 = home).
    pub depth: u32,
    /// The outcome of the request.
    pub status: LinkStatus,
    /// Charset the body was decoded with (e.g. `GBK`, `UTF-8`).
    pub charset: Option<String>,
    /// `<title>`.
    pub title: Option<String>,
    /// Hash (xxh3, hex) of the decoded text, to see changes between scans.
    pub content_hash: Option<String>,
    /// Validators for conditional requests on the next scan.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// When it was fetched (RFC 3339).
    pub fetched_at: String,
    /// Request time in milliseconds.
    pub elapsed_ms: u64,
    /// Body bytes read (after decompression).
    pub bytes: u64,
    /// The body was cut at the size cap.
    pub truncated: bool,
    /// Links found on the page.
    pub links_found: usize,
    /// Facts for the content rules (dates, columns, footer, wording).
    #[serde(default, skip_serializing_if = "PageFacts::is_empty")]
    pub facts: PageFacts,
    /// The raw observation (visible text, home-page meta) on its way to the observer (the
    /// store keeps it) or coming back from the store for a re-judging. Never kept in a
    /// site's facts: the crawl drops it when it takes the page in, so a large site does not
    /// hold its pages' text.
    #[serde(skip)]
    pub raw: Option<Box<PageRaw>>,
}

/// A link as it stands on a page (what the store keeps as an edge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageLink {
    /// Canonical target URL, or the raw text of a link that is not http(s).
    pub to: String,
    /// Anchor text.
    pub text: String,
    /// The element the link is in.
    pub element: LinkElement,
}

impl PageLink {
    /// From a link just extracted.
    pub fn from_raw(l: &RawLink) -> PageLink {
        PageLink {
            to: l.target_str().to_string(),
            text: l.text.clone(),
            element: l.element,
        }
    }

    /// Back to an extracted link (for pages reused from the store).
    pub fn to_raw(&self) -> RawLink {
        let target = match url::Url::parse(&self.to) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => LinkTarget::Http(u),
            Ok(u) => LinkTarget::NotHttp {
                scheme: u.scheme().to_string(),
                raw: self.to.clone(),
            },
            Err(e) => LinkTarget::Invalid {
                raw: self.to.clone(),
                reason: e.to_string(),
            },
        };
        RawLink {
            target,
            element: self.element,
            text: self.text.clone(),
        }
    }
}

/// A page that links to a target. The page's URL and the anchor text are shared strings: a
/// site's pages are referrers of up to [`MAX_REFERRERS`](super::engine::MAX_REFERRERS) targets
/// each, and the same anchor text (a page's title, a column's name) stands on many pages, so
/// each is kept once however often it refers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referrer {
    /// The page carrying the link.
    #[serde(with = "shared_str")]
    pub page: Arc<str>,
    /// Anchor text (or alt/title of an image).
    #[serde(with = "shared_str")]
    pub text: Arc<str>,
    /// The element the link is in.
    pub element: LinkElement,
}

/// A shared string in serde form: a plain string (as `serde`'s `rc` feature would write it,
/// without turning that feature on for every crate that uses serde).
mod shared_str {
    use std::sync::Arc;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &Arc<str>, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(de: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(de).map(Arc::from)
    }
}

/// Everything known of one link target in a site's crawl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFact {
    /// Canonical target URL (or the raw text for links that are not http(s)).
    pub url: String,
    /// Belongs to the site (crawled) rather than another site (checked once).
    pub internal: bool,
    /// Linked from the home page.
    pub on_home: bool,
    /// What happened when it was requested.
    pub outcome: FetchOutcome,
    /// Pages that link to it (the first ones; `referrer_count` counts them all).
    pub referrers: Vec<Referrer>,
    /// How many pages link to it.
    pub referrer_count: usize,
    /// What the target showed, for links to other sites (see [`TargetSample`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetSample>,
}

/// What an outbound link's target showed, kept for the checks of hijacked outbound links
/// (`link.outbound.bad_target`): the page's title and the start of its visible text (the
/// keyword lists are applied by the checks, so a re-judging applies a changed list), or that
/// its domain does not exist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSample {
    /// `<title>` of the page answered (after redirects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The start of its visible text (at most the rule's `sample_bytes`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The text was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub text_cut: bool,
    /// The name does not exist (NXDOMAIN, or pinned to no address in `[resolve]`), as opposed
    /// to a name server that did not answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nxdomain: bool,
}

/// Crawl statistics of one site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrawlStats {
    /// Pages fetched and parsed.
    pub pages: usize,
    /// Distinct link targets seen.
    pub links: usize,
    /// Link targets requested (pages included).
    pub checked: usize,
    /// Requests sent (retries and redirects included).
    pub requests: usize,
    /// Link targets found broken.
    pub broken: usize,
    /// Link targets whose server blocked the scanner.
    pub blocked: usize,
    /// Link targets not fetched because robots.txt disallows them.
    pub robots_disallowed: usize,
    /// URLs not crawled because they looked like a crawler trap (calendar, query variants).
    pub trap_skipped: usize,
    /// Wall-clock duration in milliseconds.
    pub duration_ms: u64,
}

/// Everything the crawl of one site found, ready for the checks.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SiteFacts {
    /// Site name.
    pub name: String,
    /// Home page URL (as configured).
    pub url: String,
    pub level: SiteLevel,
    pub kind: SiteKind,
    /// When the crawl started and finished (RFC 3339).
    pub started_at: String,
    pub finished_at: String,
    /// The home page request.
    pub home: Option<PageRecord>,
    /// Every page fetched and parsed, in crawl order.
    pub pages: Vec<PageRecord>,
    /// Every link target, keyed by canonical URL.
    pub links: BTreeMap<String, LinkFact>,
    /// How the site answered a path that cannot exist (for soft-404 detection).
    pub not_found_probe: Option<LinkStatus>,
    /// robots.txt outcome: "none", "ok", "unreachable (disallow all)"...
    pub robots: String,
    /// Counts.
    pub stats: CrawlStats,
    /// Site-level failure (the home page could not be fetched at all), if any.
    pub error: Option<String>,
    /// Column URLs named in the site's configuration (`SiteConfig.columns`: column name →
    /// canonical URL). They override discovery: the content checks take these pages as the
    /// named columns.
    #[serde(default)]
    pub configured_columns: BTreeMap<String, String>,
    /// 网站标识码 as registered (`SiteConfig.site_id_code`), checked against the footer and
    /// `<meta name="SiteIDCode">`.
    #[serde(default)]
    pub site_id_code: Option<String>,
    /// How the rest is looked up when `pages` and `links` hold only part of the crawl (a site
    /// judged from the store); empty for facts held whole. Read through the accessors in
    /// [`view`](super::view).
    #[serde(skip)]
    pub access: super::view::FactsAccess,
}

impl SiteFacts {
    /// Why the site refused the scanner, if it did: its home page was blocked (a WAF challenge
    /// page, even one served with 200; 412/429; a Retry-After beyond the cap; a blanket 403),
    /// or most of what was requested was. Such a site is 被拦截: its findings cannot be
    /// judged, and it is not scored as if it had been inspected.
    pub fn blocked(&self) -> Option<String> {
        if let Some(LinkStatus::Blocked { reason, .. }) = self.home.as_ref().map(|h| &h.status) {
            return Some(format!("首页被拦截：{reason}"));
        }
        let requested = self.stats.checked;
        let blocked = self.stats.blocked;
        (blocked >= 3 && blocked.saturating_mul(2) > requested)
            .then(|| format!("多数请求被拦截（{blocked}/{requested}）"))
    }
}
