//! One URL requested the careful way: redirects followed by hand (each hop rate-limited, its
//! chain recorded, loops detected), retries with backoff on 429/503 and connection resets
//! (Retry-After honoured up to a cap), the body streamed up to a cap counted after
//! decompression, and the whole request bounded by a total timeout so a dripping server is
//! cut off.

use std::error::Error as StdError;
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, HeaderValue, CONTENT_TYPE, ETAG, LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
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
        started: Instant,
        requests: usize,
    ) -> Fetched {
        Fetched {
            outcome: FetchOutcome {
                status,
                redirects,
                final_url: url.to_string(),
                elapsed_ms: started.elapsed().as_millis() as u64,
            },
            final_url: url.clone(),
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
    let started = Instant::now();
    let total = limits.total_timeout;
    match tokio::time::timeout(
        total,
        fetch_inner(
            client, origins, url, method, body_mode, limits, validators, started,
        ),
    )
    .await
    {
        Ok(f) => f,
        Err(_) => Fetched::failed(url, LinkStatus::Timeout, Vec::new(), started, 1),
    }
}

#[allow(clippy::too_many_arguments)]
async fn fetch_inner(
    client: &reqwest::Client,
    origins: &Origins,
    url: &Url,
    method: Method,
    body_mode: BodyMode,
    limits: &FetchLimits,
    validators: Option<&Validators>,
    started: Instant,
) -> Fetched {
    let mut current = url.clone();
    let mut redirects: Vec<Redirect> = Vec::new();
    let mut seen: Vec<String> = vec![current.to_string()];
    let mut requests = 0usize;
    loop {
        if let Some(status) = origins.guard(&current) {
            return Fetched::failed(&current, status, redirects, started, requests);
        }
        let mut attempt = 0u32;
        let response = loop {
            let _permit = origins.acquire(&current).await;
            requests += 1;
            let mut req = client.request(method.clone(), current.clone());
            if redirects.is_empty() {
                if let Some(v) = validators {
                    if let Some(e) = &v.etag {
                        req = req.header(reqwest::header::IF_NONE_MATCH, e);
                    }
                    if let Some(lm) = &v.last_modified {
                        req = req.header(reqwest::header::IF_MODIFIED_SINCE, lm);
                    }
                }
            }
            match req.send().await {
                Ok(resp) => {
                    let s = resp.status();
                    if (s == StatusCode::TOO_MANY_REQUESTS || s == StatusCode::SERVICE_UNAVAILABLE)
                        && attempt < limits.retries
                    {
                        let wait = retry_wait(resp.headers(), limits, attempt);
                        drop(resp);
                        drop(_permit);
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                    break resp;
                }
                Err(e) => {
                    let status = classify_error(&e);
                    let retryable = matches!(&status, LinkStatus::Connection { .. });
                    if retryable && attempt < limits.retries {
                        drop(_permit);
                        tokio::time::sleep(limits.retry_backoff * 2u32.pow(attempt)).await;
                        attempt += 1;
                        continue;
                    }
                    return Fetched::failed(&current, status, redirects, started, requests);
                }
            }
        };
        let status = response.status();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let Some(location) = location else {
                // A 3xx without Location is an answer in itself.
                return finish(
                    response, current, redirects, body_mode, limits, started, requests,
                )
                .await;
            };
            let next = match current.join(location.trim()) {
                Ok(n) => n,
                Err(e) => {
                    return Fetched::failed(
                        &current,
                        LinkStatus::InvalidUrl {
                            message: format!("redirect to `{location}`: {e}"),
                        },
                        redirects,
                        started,
                        requests,
                    )
                }
            };
            redirects.push(Redirect {
                url: current.to_string(),
                status: status.as_u16(),
                location: next.to_string(),
            });
            let mut next_key = next.clone();
            next_key.set_fragment(None);
            if seen.contains(&next_key.to_string()) {
                return Fetched::failed(
                    &next,
                    LinkStatus::RedirectLoop,
                    redirects,
                    started,
                    requests,
                );
            }
            if redirects.len() > limits.max_redirects {
                return Fetched::failed(
                    &next,
                    LinkStatus::TooManyRedirects,
                    redirects,
                    started,
                    requests,
                );
            }
            if !matches!(next.scheme(), "http" | "https") {
                return Fetched::failed(
                    &next,
                    LinkStatus::NotHttp {
                        scheme: next.scheme().to_string(),
                    },
                    redirects,
                    started,
                    requests,
                );
            }
            seen.push(next_key.to_string());
            current = next;
            continue;
        }
        return finish(
            response, current, redirects, body_mode, limits, started, requests,
        )
        .await;
    }
}

async fn finish(
    mut response: reqwest::Response,
    url: Url,
    redirects: Vec<Redirect>,
    body_mode: BodyMode,
    limits: &FetchLimits,
    started: Instant,
    requests: usize,
) -> Fetched {
    let status = response.status().as_u16();
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
                "server" | "cf-mitigated" | "cf-ray" | "x-waf" | "set-cookie" | "content-length"
            )
        })
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let cap = match body_mode {
        BodyMode::Full => limits.max_body_bytes,
        BodyMode::Peek => limits.max_body_bytes.min(64 * 1024),
        BodyMode::None => 0,
    };
    let mut body = Vec::new();
    let mut bytes = 0u64;
    let mut truncated = false;
    let mut body_error: Option<LinkStatus> = None;
    if cap > 0 {
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = cap.saturating_sub(bytes) as usize;
                    bytes += chunk.len() as u64;
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
        Some(s) if body_mode == BodyMode::Full && body.is_empty() => s,
        _ if (200..300).contains(&status) || status == 304 => LinkStatus::Ok { status },
        _ => LinkStatus::HttpError { status },
    };
    Fetched {
        outcome: FetchOutcome {
            status: link_status,
            redirects,
            final_url: url.to_string(),
            elapsed_ms: started.elapsed().as_millis() as u64,
        },
        final_url: url,
        content_type,
        etag,
        last_modified,
        headers,
        body,
        bytes: bytes.min(cap.max(bytes)),
        truncated,
        requests,
    }
}

fn retry_wait(headers: &HeaderMap, limits: &FetchLimits, attempt: u32) -> Duration {
    let backoff = limits.retry_backoff * 2u32.pow(attempt);
    let from_header = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    from_header.unwrap_or(backoff).min(limits.max_retry_after)
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
