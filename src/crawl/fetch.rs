//! The one request primitive ([`request`]) of the crawl, the link check, the probes and the
//! IPv6 check: redirects followed by hand (each hop through the private-address guard and its
//! origin's rate limiter, its chain recorded, loops detected), retries with backoff on 429/503
//! and connection resets (Retry-After in both forms honoured up to a cap, beyond which the
//! target is blocked), the body streamed up to a cap counted after decompression, and the
//! network time of the request (connect, headers, body; never the waits for the limiter,
//! Crawl-delay or Retry-After) bounded by a total timeout so a dripping server is cut off.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, CONTENT_TYPE, ETAG, LAST_MODIFIED, LOCATION, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use url::Url;

use super::origin::Origins;
use super::resolve::ResolveError;
use super::types::{FetchOutcome, LinkStatus, Redirect};

/// How much of the body to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyMode {
    /// Read the whole body (up to the cap): pages to parse.
    Full,
    /// Read only a small prefix, enough to recognise a challenge or error page.
    Peek,
    /// Read nothing.
    None,
}

/// Limits of one request.
#[derive(Debug, Clone)]
pub struct FetchLimits {
    pub total_timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub retries: u32,
    pub retry_backoff: Duration,
    pub max_retry_after: Duration,
}

/// What a request brought back.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub outcome: FetchOutcome,
    /// The final URL, parsed.
    pub final_url: Url,
    /// The address of the server that gave the final answer, if one answered.
    pub address: Option<std::net::IpAddr>,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Selected response headers of the final answer (lower-case names).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// The body was cut at the cap.
    pub truncated: bool,
    /// Requests sent (redirect hops and retries included).
    pub requests: usize,
}

impl Fetched {
    fn failed(
        url: &Url,
        status: LinkStatus,
        redirects: Vec<Redirect>,
        network: Duration,
        requests: usize,
    ) -> Fetched {
        Fetched {
            outcome: FetchOutcome {
                status,
                redirects,
                final_url: url.to_string(),
                elapsed_ms: millis(network),
            },
            final_url: url.clone(),
            address: None,
            content_type: None,
            etag: None,
            last_modified: None,
            headers: Vec::new(),
            body: Vec::new(),
            bytes: 0,
            truncated: false,
            requests,
        }
    }

    fn redirects_into(&mut self, redirects: Vec<Redirect>, network: Duration, requests: usize) {
        self.outcome.redirects = redirects;
        self.outcome.elapsed_ms = millis(network);
        self.requests = requests;
    }

    /// The HTTP status of the final answer, if any.
    pub fn http_status(&self) -> Option<u16> {
        self.outcome.status.http_status()
    }

    /// Whether the body looks like HTML.
    pub fn is_html(&self) -> bool {
        match &self.content_type {
            Some(ct) => {
                let ct = ct.to_ascii_lowercase();
                ct.contains("html") || ct.contains("xml") && self.body_starts_with_markup()
            }
            None => self.body_starts_with_markup(),
        }
    }

    fn body_starts_with_markup(&self) -> bool {
        let head: Vec<u8> = self
            .body
            .iter()
            .skip_while(|b| b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF)
            .take(20)
            .map(|b| b.to_ascii_lowercase())
            .collect();
        head.starts_with(b"<!doctype html")
            || head.starts_with(b"<html")
            || head.starts_with(b"<head")
    }

    /// A response header of the final answer.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Conditional-request validators from a previous scan.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Request one URL. `method` is GET or HEAD; redirects are followed with the same method
/// (HEAD stays HEAD), each hop through its origin's rate limiter.
pub async fn fetch(
    client: &reqwest::Client,
    origins: &Origins,
    url: &Url,
    method: Method,
    body_mode: BodyMode,
    limits: &FetchLimits,
    validators: Option<&Validators>,
) -> Fetched {
    let body_cap = match body_mode {
        BodyMode::Full => limits.max_body_bytes,
        BodyMode::Peek => limits.max_body_bytes.min(PEEK_BYTES),
        BodyMode::None => 0,
    };
    request(
        client,
        origins,
        url,
        &Request {
            method,
            body_cap,
            page: body_mode == BodyMode::Full,
            whole_body: false,
            limits,
            validators,
            hop_check: None,
        },
    )
    .await
}

/// Bytes read of a body in [`BodyMode::Peek`]: enough to recognise a challenge page.
pub const PEEK_BYTES: u64 = 64 * 1024;

/// One request as the crawl, the link check, the probes and the IPv6 check make it.
#[derive(Clone)]
pub struct Request<'a> {
    /// GET or HEAD (kept across redirects).
    pub method: Method,
    /// Body bytes read of the final answer (0: none), counted after decompression.
    pub body_cap: u64,
    /// A page to parse: a body cut off by the peer before any byte arrived is a failure.
    pub page: bool,
    /// A body cut off by the peer is a failure even when part of it arrived (the probes:
    /// a page not fully received is a failure).
    pub whole_body: bool,
    /// Time, redirects, retries.
    pub limits: &'a FetchLimits,
    /// Conditional-request validators for the first hop.
    pub validators: Option<&'a Validators>,
    /// A further check of every hop's URL before it is requested (the probes refuse an IP
    /// literal of the other address family).
    pub hop_check: Option<&'a HopCheck>,
}

/// See [`Request::hop_check`].
pub type HopCheck = dyn Fn(&Url) -> Option<LinkStatus> + Send + Sync;

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("body_cap", &self.body_cap)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// What one hop brought back, read within the time allowed.
enum Hop {
    /// A redirect with its Location.
    Redirect {
        status: StatusCode,
        location: String,
    },
    /// A 429 or 503 worth retrying, with the Retry-After header's value if any.
    Retry {
        status: StatusCode,
        retry_after: Option<String>,
    },
    /// The final answer, body read.
    Final(Box<Fetched>),
    /// The request failed.
    Failed(LinkStatus),
}

/// The one request primitive: every hop first passes the private-address and blocked-origin
/// guard, then waits for its origin's rate limiter and a global slot (waiting is never
/// counted as the server's time), then gets `limits.total_timeout` of network time (connect,
/// headers and body, summed over hops and retries). 429 and 503 answers and connection
/// resets are retried with backoff; a Retry-After (delta-seconds or HTTP-date) longer than
/// `limits.max_retry_after` makes the target blocked, with the header's value as evidence.
pub async fn request(
    client: &reqwest::Client,
    origins: &Origins,
    url: &Url,
    req: &Request<'_>,
) -> Fetched {
    let limits = req.limits;
    let mut network = Duration::ZERO;
    let mut current = url.clone();
    let mut redirects: Vec<Redirect> = Vec::new();
    let mut seen: Vec<String> = vec![current.to_string()];
    let mut requests = 0usize;
    let mut attempt = 0u32;
    loop {
        let refused = req
            .hop_check
            .and_then(|check| check(&current))
            .or_else(|| origins.guard(&current));
        if let Some(status) = refused {
            return Fetched::failed(&current, status, redirects, network, requests);
        }
        let permit = origins.acquire(&current).await;
        requests += 1;
        let remaining = limits.total_timeout.saturating_sub(network);
        let started = Instant::now();
        let validators = if redirects.is_empty() {
            req.validators
        } else {
            None
        };
        let retryable = attempt < limits.retries;
        let hop =
            tokio::time::timeout(remaining, hop(client, &current, req, validators, retryable))
                .await;
        network += started.elapsed();
        drop(permit);
        let hop = match hop {
            Ok(h) => h,
            Err(_) => Hop::Failed(LinkStatus::Timeout),
        };
        match hop {
            Hop::Final(mut f) => {
                f.redirects_into(redirects, network, requests);
                return *f;
            }
            Hop::Failed(status) => {
                let transient = matches!(&status, LinkStatus::Connection { .. });
                if transient && retryable {
                    tokio::time::sleep(backoff(limits, attempt)).await;
                    attempt += 1;
                    continue;
                }
                return Fetched::failed(&current, status, redirects, network, requests);
            }
            Hop::Retry {
                status,
                retry_after,
            } => {
                let asked = retry_after.as_deref().and_then(parse_retry_after);
                if let (Some(raw), Some(wait)) = (&retry_after, asked) {
                    if wait > limits.max_retry_after {
                        let status = LinkStatus::Blocked {
                            status: Some(status.as_u16()),
                            reason: format!(
                                "Retry-After: {}，超过等待上限 {}",
                                raw.trim(),
                                humantime::format_duration(limits.max_retry_after)
                            ),
                        };
                        origins.note_blocked(&current);
                        return Fetched::failed(&current, status, redirects, network, requests);
                    }
                }
                tokio::time::sleep(asked.unwrap_or_else(|| backoff(limits, attempt))).await;
                attempt += 1;
                continue;
            }
            Hop::Redirect { status, location } => {
                let next = match current.join(location.trim()) {
                    Ok(n) => n,
                    Err(e) => {
                        let status = LinkStatus::InvalidUrl {
                            message: format!("redirect to `{location}`: {e}"),
                        };
                        return Fetched::failed(&current, status, redirects, network, requests);
                    }
                };
                redirects.push(Redirect {
                    url: current.to_string(),
                    status: status.as_u16(),
                    location: next.to_string(),
                });
                let mut next_key = next.clone();
                next_key.set_fragment(None);
                let failure = if seen.contains(&next_key.to_string()) {
                    Some(LinkStatus::RedirectLoop)
                } else if redirects.len() > limits.max_redirects {
                    Some(LinkStatus::TooManyRedirects)
                } else if !matches!(next.scheme(), "http" | "https") {
                    Some(LinkStatus::NotHttp {
                        scheme: next.scheme().to_string(),
                    })
                } else {
                    None
                };
                if let Some(status) = failure {
                    return Fetched::failed(&next, status, redirects, network, requests);
                }
                seen.push(next_key.to_string());
                current = next;
                attempt = 0;
            }
        }
    }
}

/// The delay before retry `attempt` (0-based): the backoff doubled each time, saturating.
fn backoff(limits: &FetchLimits, attempt: u32) -> Duration {
    let factor = 2u32.checked_pow(attempt).unwrap_or(u32::MAX);
    limits
        .retry_backoff
        .checked_mul(factor)
        .unwrap_or(limits.max_retry_after)
        .min(limits.max_retry_after.max(limits.retry_backoff))
}

/// A Retry-After value (RFC 9110 §10.2.3): delta-seconds or an HTTP-date (a date in the past
/// means now).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Send one request and read its answer within the caller's timeout.
async fn hop(
    client: &reqwest::Client,
    url: &Url,
    req: &Request<'_>,
    validators: Option<&Validators>,
    retryable: bool,
) -> Hop {
    let mut r = client.request(req.method.clone(), url.clone());
    if let Some(v) = validators {
        if let Some(e) = &v.etag {
            r = r.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(lm) = &v.last_modified {
            r = r.header(reqwest::header::IF_MODIFIED_SINCE, lm);
        }
    }
    let response = match r.send().await {
        Ok(resp) => resp,
        Err(e) => return Hop::Failed(classify_error(&e)),
    };
    let s = response.status();
    if s.is_redirection() && s != StatusCode::NOT_MODIFIED {
        if let Some(location) = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            return Hop::Redirect {
                status: s,
                location: location.to_string(),
            };
        }
        // A 3xx without Location is an answer in itself.
    }
    if s == StatusCode::TOO_MANY_REQUESTS || s == StatusCode::SERVICE_UNAVAILABLE {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let too_long = retry_after
            .as_deref()
            .and_then(parse_retry_after)
            .is_some_and(|d| d > req.limits.max_retry_after);
        if retryable || too_long {
            return Hop::Retry {
                status: s,
                retry_after,
            };
        }
    }
    Hop::Final(Box::new(finish(response, url.clone(), req).await))
}

async fn finish(mut response: reqwest::Response, url: Url, req: &Request<'_>) -> Fetched {
    let status = response.status().as_u16();
    let address = response.remote_addr().map(|a| a.ip());
    let h = response.headers();
    let text = |v: Option<&HeaderValue>| v.and_then(|v| v.to_str().ok()).map(str::to_string);
    let content_type = text(h.get(CONTENT_TYPE));
    let etag = text(h.get(ETAG));
    let last_modified = text(h.get(LAST_MODIFIED));
    let headers: Vec<(String, String)> = h
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "server"
                    | "cf-mitigated"
                    | "cf-ray"
                    | "x-waf"
                    | "set-cookie"
                    | "content-length"
                    | "retry-after"
            )
        })
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let cap = if req.method == Method::HEAD {
        0
    } else {
        req.body_cap
    };
    let mut body = Vec::new();
    let mut bytes = 0u64;
    let mut truncated = false;
    let mut body_error: Option<LinkStatus> = None;
    if cap > 0 {
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = usize::try_from(cap.saturating_sub(bytes)).unwrap_or(usize::MAX);
                    bytes = bytes.saturating_add(chunk.len() as u64);
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    body_error = Some(classify_error(&e));
                    break;
                }
            }
        }
    }
    let link_status = match body_error {
        // A body cut off by the peer is a failure only when it matters: a page we read fully.
        Some(s) if req.whole_body || req.page && body.is_empty() => s,
        _ if (200..300).contains(&status) || status == 304 => LinkStatus::Ok { status },
        _ => LinkStatus::HttpError { status },
    };
    Fetched {
        outcome: FetchOutcome {
            status: link_status,
            redirects: Vec::new(),
            final_url: url.to_string(),
            elapsed_ms: 0,
        },
        final_url: url,
        address,
        content_type,
        etag,
        last_modified,
        headers,
        body,
        bytes: bytes.min(cap),
        truncated,
        requests: 0,
    }
}

/// Turn a reqwest error into what happened, looking through its chain of causes.
pub fn classify_error(e: &reqwest::Error) -> LinkStatus {
    if e.is_timeout() {
        return LinkStatus::Timeout;
    }
    let mut src: Option<&(dyn StdError + 'static)> = e.source();
    let mut messages = vec![e.to_string()];
    while let Some(s) = src {
        if let Some(r) = s.downcast_ref::<ResolveError>() {
            return match r {
                ResolveError::Private { address, .. } => LinkStatus::PrivateAddress {
                    address: address.to_string(),
                },
                ResolveError::NotFound { message, .. } => LinkStatus::Dns {
                    message: message.clone(),
                },
            };
        }
        // An io::Error may wrap another (hyper wraps rustls's InvalidData in Other), and its
        // source() skips the wrapped one: look inside by hand.
        let mut io = s.downcast_ref::<std::io::Error>();
        while let Some(inner) = io
            .filter(|e| e.kind() == std::io::ErrorKind::Other)
            .and_then(|e| e.get_ref())
        {
            match inner.downcast_ref::<std::io::Error>() {
                Some(i) => io = Some(i),
                None => break,
            }
        }
        if let Some(io) = io {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return LinkStatus::Refused,
                std::io::ErrorKind::TimedOut => return LinkStatus::Timeout,
                // rustls reports handshake and certificate failures as InvalidData.
                std::io::ErrorKind::InvalidData => {
                    return LinkStatus::Tls {
                        message: io.to_string(),
                    }
                }
                _ => {}
            }
        }
        messages.push(s.to_string());
        src = s.source();
    }
    let all = messages.join(": ").to_ascii_lowercase();
    if all.contains("certificate")
        || all.contains("tls")
        || all.contains("handshake")
        || all.contains("ssl")
    {
        return LinkStatus::Tls {
            message: messages.last().cloned().unwrap_or_default(),
        };
    }
    if all.contains("dns") || all.contains("resolve") || all.contains("lookup") {
        return LinkStatus::Dns {
            message: messages.last().cloned().unwrap_or_default(),
        };
    }
    if all.contains("connection refused") {
        return LinkStatus::Refused;
    }
    LinkStatus::Connection {
        message: messages.last().cloned().unwrap_or_default(),
    }
}
