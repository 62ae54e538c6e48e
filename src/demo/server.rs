//! A small fixture HTTP server toolkit on axum, shared by `govscan demo`, the integration tests
//! and the benchmark.
//!
//! [`spawn`] serves any [`Router`] on a loopback address in a background task and records every
//! request it receives in a [`RequestLog`], so that a test can assert what a crawler did (how
//! often it fetched a page, whether it obeyed robots.txt, which User-Agent it sent, how its
//! requests were spaced in time).
//!
//! The response helpers build the hostile or unusual answers a crawler must survive: a body that
//! drips in slowly ([`drip`]), one too large to hold ([`huge`]), a gzip bomb ([`gzip_bomb`]),
//! GBK-encoded pages with the charset declared in different places ([`gbk_html`]), redirects
//! ([`redirect`]) and late answers ([`slow`]).
//!
//! ```no_run
//! use axum::{http::StatusCode, routing::get, Router};
//! use govscan::demo::server::{self, html};
//! use std::time::Duration;
//!
//! # async fn example() -> std::io::Result<()> {
//! let app = Router::new()
//!     .route("/", get(|| async { html(StatusCode::OK, "<a href=\"/slow\">慢</a>") }))
//!     // A handler that answers after two seconds: sleep inside the handler.
//!     .route("/slow", get(|| server::slow(Duration::from_secs(2), html(StatusCode::OK, "迟到"))));
//! let running = server::spawn("127.0.0.1:0".parse().expect("a valid address"), app).await?;
//! let home = running.url("/");
//! // ... point the crawler at `home` ...
//! assert_eq!(running.log.count_path("/"), 0);
//! running.shutdown().await;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long [`Running::shutdown`] waits for connections still in flight (a slow drip, say)
/// before it abandons the server task.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// One request as the fixture server received it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// When the request reached the server (before the handler ran).
    pub at: Instant,
    /// The method, e.g. `GET` or `HEAD`.
    pub method: String,
    /// The path with its query string, e.g. `/list?page=2`.
    pub path_and_query: String,
    /// The request headers, names lower-cased, values lossily decoded as UTF-8.
    pub headers: Vec<(String, String)>,
}

impl LoggedRequest {
    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(p, _)| p)
    }

    /// The value of the first header with this name (case-insensitive), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every request a fixture server received, in order of arrival. Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<LoggedRequest>>>);

impl RequestLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<LoggedRequest>> {
        // A panic while holding the lock cannot leave the Vec half-written in a way that
        // matters to a test log: keep using it.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Record one request.
    pub fn push(&self, request: LoggedRequest) {
        self.lock().push(request);
    }

    /// A snapshot of every request so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().clone()
    }

    /// How many requests so far.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// How many requests for `p`. With a `?` in `p` the whole path and query must match;
    /// without one, only the path is compared (any query).
    pub fn count_path(&self, p: &str) -> usize {
        let with_query = p.contains('?');
        self.lock()
            .iter()
            .filter(|r| {
                if with_query {
                    r.path_and_query == p
                } else {
                    r.path() == p
                }
            })
            .count()
    }

    /// Forget every request logged so far.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// A fixture server serving in a background task. Dropping it (or calling
/// [`shutdown`](Self::shutdown)) stops it.
#[derive(Debug)]
pub struct Running {
    /// The address actually bound (the real port when port 0 was asked for).
    pub addr: SocketAddr,
    /// Every request received.
    pub log: RequestLog,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Running {
    /// `http://addr/path`, with brackets around an IPv6 address. A missing leading `/` is added.
    pub fn url(&self, path: &str) -> String {
        let slash = if path.starts_with('/') { "" } else { "/" };
        // SocketAddr's Display already brackets IPv6 addresses: `[::1]:8080`.
        format!("http://{}{slash}{path}", self.addr)
    }

    /// The request log (also available as the public field `log`).
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// Stop accepting connections and wait (a few seconds at most) for the ones in flight to
    /// finish. The listening socket is closed when this returns.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            // The receiver is gone only if the server task already ended: nothing to stop.
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Bind `addr` (port 0 picks a free port; IPv4 or IPv6), serve `app` in a background tokio
/// task, and log every request. Must be called within a tokio runtime.
pub async fn spawn(addr: SocketAddr, app: Router) -> io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let log = RequestLog::new();
    let app = with_log(app, log.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                // Either a signal or the sender being dropped means stop.
                let _ = rx.await;
            })
            .await
    });
    Ok(Running {
        addr,
        log,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Wrap `app` so that every request (matched or not) is recorded in `log`.
pub fn with_log(app: Router, log: RequestLog) -> Router {
    // Nesting the app as the fallback of an outer router makes the layer see unmatched paths
    // too, whatever fallback `app` has.
    Router::new()
        .fallback_service(app)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let log = log.clone();
            async move {
                log.push(LoggedRequest {
                    at: Instant::now(),
                    method: req.method().as_str().to_owned(),
                    path_and_query: req
                        .uri()
                        .path_and_query()
                        .map_or_else(|| req.uri().path().to_owned(), |pq| pq.as_str().to_owned()),
                    headers: req
                        .headers()
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.as_str().to_owned(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                });
                next.run(req).await
            }
        }))
}

/// The address of a loopback port nobody listens on, so that connecting to it is refused:
/// bind `127.0.0.1:0`, note the port, close the socket. (Another process could take the port
/// afterwards, but on a test machine that is rare.)
pub fn closed_port_addr() -> io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.local_addr()
}

/// `http://127.0.0.1:PORT/` for a closed port (see [`closed_port_addr`]).
pub fn closed_port_url() -> io::Result<String> {
    Ok(format!("http://{}/", closed_port_addr()?))
}

fn header_value(s: &'static str) -> HeaderValue {
    HeaderValue::from_static(s)
}

/// An HTML page encoded as UTF-8, with `Content-Type: text/html; charset=utf-8`.
pub fn html(status: StatusCode, body: &str) -> Response {
    let mut r = (status, body.to_owned()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header_value("text/html; charset=utf-8"),
    );
    r
}

/// Where a GBK page declares its charset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GbkDeclare {
    /// In the `Content-Type` header only (`text/html; charset=GBK`); the body is sent as is.
    Header,
    /// In the document only: the header says plain `text/html`. When the body carries no
    /// `charset=` of its own, `<meta http-equiv="Content-Type" content="text/html; charset=gbk">`
    /// is inserted right after `<head>` (or at the very start when there is no `<head>`).
    Meta,
    /// Nowhere: plain `text/html` and the body as is, for charset sniffing.
    None,
}

/// An HTML page encoded as GBK (characters outside GBK become numeric character references),
/// with its charset declared as `declare` says.
pub fn gbk_html(body: &str, declare: GbkDeclare) -> Response {
    gbk_html_status(StatusCode::OK, body, declare)
}

/// [`gbk_html`] with a status other than 200.
pub fn gbk_html_status(status: StatusCode, body: &str, declare: GbkDeclare) -> Response {
    let text: std::borrow::Cow<'_, str> = match declare {
        GbkDeclare::Meta if !body.to_ascii_lowercase().contains("charset=") => {
            const META: &str =
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">";
            let at = body
                .to_ascii_lowercase()
                .find("<head>")
                .map_or(0, |i| i + "<head>".len());
            let mut s = String::with_capacity(body.len() + META.len());
            s.push_str(&body[..at]);
            s.push_str(META);
            s.push_str(&body[at..]);
            s.into()
        }
        _ => body.into(),
    };
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    let content_type = match declare {
        GbkDeclare::Header => "text/html; charset=GBK",
        GbkDeclare::Meta | GbkDeclare::None => "text/html",
    };
    let mut r = (status, bytes.into_owned()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, header_value(content_type));
    r
}

/// A redirect to `location` (301, 302, 303, 307 or 308 — any status is accepted) with a tiny
/// HTML body. An invalid `location` yields a 500 that says so.
pub fn redirect(status: StatusCode, location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut r = html(status, "<html><body>已移动</body></html>");
            r.headers_mut().insert(header::LOCATION, value);
            r
        }
        Err(_) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "fixture error: invalid redirect location",
        ),
    }
}

/// Answer with `response` after `delay`. Use it as a handler body:
/// `get(|| slow(Duration::from_secs(5), html(StatusCode::OK, "…")))`. For a page that never
/// answers within a test, pass a delay far beyond the client's timeout.
pub async fn slow(delay: Duration, response: Response) -> Response {
    tokio::time::sleep(delay).await;
    response
}

/// A slow-drip response: status 200 and headers at once (`text/html`, no `Content-Length`),
/// then `count` copies of `chunk`, each sent after waiting `interval`, so the whole body takes
/// about `count × interval`.
pub fn drip(chunk: &'static [u8], interval: Duration, count: usize) -> Response {
    let stream = futures_util::stream::unfold(0usize, move |sent| async move {
        if sent >= count {
            return None;
        }
        tokio::time::sleep(interval).await;
        Some((Ok::<_, Infallible>(Bytes::from_static(chunk)), sent + 1))
    });
    let mut r = Body::from_stream(stream).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header_value("text/html; charset=utf-8"),
    );
    r
}

static FILL: [u8; 64 * 1024] = [b'a'; 64 * 1024];
static FILL_BYTES: &[u8] = &FILL;

/// A response whose body is exactly `bytes` bytes of `a` (type `text/html`, with a
/// `Content-Length`), streamed in 64 KiB chunks of one static buffer, so nothing of its size is
/// ever held in memory.
pub fn huge(bytes: u64) -> Response {
    let chunk_len = FILL_BYTES.len() as u64;
    let stream = futures_util::stream::unfold(bytes, move |left| async move {
        if left == 0 {
            return None;
        }
        let n = left.min(chunk_len);
        // n <= 64 KiB, so it fits in usize on every platform.
        let slice = &FILL_BYTES[..usize::try_from(n).unwrap_or(FILL_BYTES.len())];
        Some((Ok::<_, Infallible>(Bytes::from_static(slice)), left - n))
    });
    let mut r = Body::from_stream(stream).into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header_value("text/html; charset=utf-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
    r
}

/// Gzip-compress `decompressed` zero bytes, fed in chunks so the input is never held whole.
fn compress_zeros(decompressed: usize) -> Bytes {
    static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let mut left = decompressed;
    while left > 0 {
        let n = left.min(ZEROS.len());
        // Writing to a Vec cannot fail.
        if encoder.write_all(&ZEROS[..n]).is_err() {
            break;
        }
        left -= n;
    }
    Bytes::from(encoder.finish().unwrap_or_default())
}

/// A gzip bomb: `decompressed` zero bytes, gzip-compressed (about 1000:1) and sent with
/// `Content-Encoding: gzip`, `Content-Type: text/html` and the compressed `Content-Length`.
/// Each size is compressed once per process and cached, so serving it again is cheap.
pub fn gzip_bomb(decompressed: usize) -> Response {
    static CACHE: OnceLock<Mutex<HashMap<usize, Bytes>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let cached = cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&decompressed)
        .cloned();
    let body = cached.unwrap_or_else(|| {
        let b = compress_zeros(decompressed);
        cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(decompressed, b.clone());
        b
    });
    let len = body.len();
    let mut r = body.into_response();
    let headers = r.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header_value("text/html; charset=utf-8"),
    );
    headers.insert(header::CONTENT_ENCODING, header_value("gzip"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    r
}

/// A response with this status, a content type and a body, e.g. a tiny image or stylesheet.
pub fn bytes(status: StatusCode, content_type: &'static str, body: &'static [u8]) -> Response {
    let mut r = (status, Bytes::from_static(body)).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, header_value(content_type));
    r
}

/// The smallest valid PNG: one transparent pixel, for image links in fixture sites.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::io::Read as _;

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a reqwest client builds")
    }

    fn app() -> Router {
        Router::new()
            .route("/", get(|| async { html(StatusCode::OK, "<p>首页</p>") }))
            .route(
                "/drip",
                get(|| async { drip(b"<p>x</p>", Duration::from_millis(100), 5) }),
            )
            .route("/huge", get(|| async { huge(20 * 1024 * 1024 + 17) }))
            .route("/bomb", get(|| async { gzip_bomb(10 * 1024 * 1024) }))
            .route(
                "/gbk-header",
                get(|| async {
                    gbk_html(
                        "<html><head></head><body>通知公告</body></html>",
                        GbkDeclare::Header,
                    )
                }),
            )
            .route(
                "/gbk-meta",
                get(|| async {
                    gbk_html(
                        "<html><head></head><body>通知公告</body></html>",
                        GbkDeclare::Meta,
                    )
                }),
            )
            .route(
                "/moved",
                get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/") }),
            )
            .route(
                "/late",
                get(|| slow(Duration::from_millis(300), html(StatusCode::OK, "迟到"))),
            )
    }

    async fn body_len(resp: reqwest::Response) -> u64 {
        let mut resp = resp;
        let mut n = 0u64;
        while let Some(chunk) = resp.chunk().await.expect("body chunk") {
            n += chunk.len() as u64;
        }
        n
    }

    #[tokio::test]
    async fn binds_ipv4_and_logs_requests() {
        let running = spawn("127.0.0.1:0".parse().expect("addr"), app())
            .await
            .expect("bind 127.0.0.1");
        assert_ne!(running.addr.port(), 0);
        let url = running.url("/");
        assert_eq!(url, format!("http://127.0.0.1:{}/", running.addr.port()));
        assert_eq!(running.url("x?y=1"), format!("{}x?y=1", url));
        let c = client();
        let r = c
            .get(&url)
            .header("user-agent", "govscan-test")
            .send()
            .await
            .expect("GET /");
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-type"].to_str().expect("ascii"),
            "text/html; charset=utf-8"
        );
        assert_eq!(r.text().await.expect("text"), "<p>首页</p>");
        let r = c
            .get(running.url("/nope?q=1"))
            .send()
            .await
            .expect("GET /nope");
        assert_eq!(r.status(), 404);
        let r = c.head(running.url("/nope?q=2")).send().await.expect("HEAD");
        assert_eq!(r.status(), 404);

        assert_eq!(running.log.count(), 3);
        assert_eq!(running.log.count_path("/"), 1);
        assert_eq!(running.log.count_path("/nope"), 2);
        assert_eq!(running.log.count_path("/nope?q=1"), 1);
        let reqs = running.log.requests();
        assert_eq!(reqs[0].method, "GET");
        assert_eq!(reqs[0].header("User-Agent"), Some("govscan-test"));
        assert_eq!(reqs[2].method, "HEAD");
        assert_eq!(reqs[2].path_and_query, "/nope?q=2");
        assert!(reqs[0].at <= reqs[1].at);

        let addr = running.addr;
        running.shutdown().await;
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
    }

    #[tokio::test]
    async fn binds_ipv6_loopback_when_available() {
        // Skip on machines without ::1 (some containers).
        if std::net::TcpListener::bind("[::1]:0").is_err() {
            eprintln!("no IPv6 loopback here: skipping");
            return;
        }
        let running = spawn("[::1]:0".parse().expect("addr"), app())
            .await
            .expect("bind [::1]");
        let url = running.url("/");
        assert!(url.starts_with("http://[::1]:"), "{url}");
        let r = client().get(&url).send().await.expect("GET over IPv6");
        assert_eq!(r.status(), 200);
        assert_eq!(running.log.count_path("/"), 1);
    }

    #[tokio::test]
    async fn dropping_stops_the_server() {
        let running = spawn("127.0.0.1:0".parse().expect("addr"), app())
            .await
            .expect("bind");
        let addr = running.addr;
        drop(running);
        // Give the background task a moment to see the signal and close the listener.
        let mut refused = false;
        for _ in 0..50 {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "the listener is still open after drop");
    }

    #[tokio::test]
    async fn closed_port_refuses() {
        let addr = closed_port_addr().expect("bind and drop");
        let err = tokio::net::TcpStream::connect(addr)
            .await
            .expect_err("nobody listens");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        assert!(closed_port_url()
            .expect("url")
            .starts_with("http://127.0.0.1:"));
    }

    #[tokio::test]
    async fn drip_really_drips() {
        let running = spawn("127.0.0.1:0".parse().expect("addr"), app())
            .await
            .expect("bind");
        let start = Instant::now();
        let r = client()
            .get(running.url("/drip"))
            .send()
            .await
            .expect("GET /drip");
        let headers_after = start.elapsed();
        let body = r.bytes().await.expect("body");
        let total = start.elapsed();
        assert_eq!(body.len(), 5 * b"<p>x</p>".len());
        assert!(
            headers_after < Duration::from_millis(400),
            "{headers_after:?}"
        );
        assert!(total >= Duration::from_millis(480), "{total:?}");
    }

    #[tokio::test]
    async fn slow_waits_and_redirect_points() {
        let running = spawn("127.0.0.1:0".parse().expect("addr"), app())
            .await
            .expect("bind");
        let start = Instant::now();
        let r = client()
            .get(running.url("/late"))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 200);
        assert!(start.elapsed() >= Duration::from_millis(290));
        let no_follow = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = no_follow
            .get(running.url("/moved"))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.status(), 301);
        assert_eq!(r.headers()["location"], "/");
    }

    #[tokio::test]
    async fn huge_streams_the_advertised_size() {
        let running = spawn("127.0.0.1:0".parse().expect("addr"), app())
            .await
            .expect("bind");
        let r = client()
            .get(running.url("/huge"))
            .send()
            .await
            .expect("GET");
        let expected = 20 * 1024 * 1024 + 17;
        assert_eq!(r.content_length(), Some(expected));
        assert_eq!(body_len(r).await, expected);
    }

    #[tokio::test]
    async fn gzip_bomb_inflates_to_the_advertised_size() {
        let running = spawn("127.0.0.1:0".parse().expect("addr"), app())
            .await
            .expect("bind");
        let raw = reqwest::Client::builder()
            .no_proxy()
            .no_gzip()
            .build()
            .expect("client");
        let r = raw.get(running.url("/bomb")).send().await.expect("GET");
        assert_eq!(r.headers()["content-encoding"], "gzip");
        let compressed = r.bytes().await.expect("body");
        assert!(compressed.len() < 100 * 1024, "{}", compressed.len());
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_end(&mut inflated)
            .expect("valid gzip");
        assert_eq!(inflated.len(), 10 * 1024 * 1024);
        assert!(inflated.iter().all(|&b| b == 0));

        // A client that decompresses sees the full size.
        let r = client()
            .get(running.url("/bomb"))
            .send()
            .await
            .expect("GET");
        assert_eq!(body_len(r).await, 10 * 1024 * 1024);
        assert_eq!(running.log.count_path("/bomb"), 2);
    }

    #[tokio::test]
    async fn gbk_pages_are_gbk_bytes() {
        let running = spawn("127.0.0.1:0".parse().expect("addr"), app())
            .await
            .expect("bind");
        let c = client();
        // 通知 in GBK.
        let gbk_tongzhi: &[u8] = &[0xCD, 0xA8, 0xD6, 0xAA];
        let r = c.get(running.url("/gbk-header")).send().await.expect("GET");
        assert_eq!(r.headers()["content-type"], "text/html; charset=GBK");
        let body = r.bytes().await.expect("body");
        assert!(body.windows(4).any(|w| w == gbk_tongzhi));
        assert!(!body.windows(7).any(|w| w == b"charset"));

        let r = c.get(running.url("/gbk-meta")).send().await.expect("GET");
        assert_eq!(r.headers()["content-type"], "text/html");
        let body = r.bytes().await.expect("body");
        assert!(body.starts_with(
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"
        ));
        assert!(body.windows(4).any(|w| w == gbk_tongzhi));
    }

    #[test]
    fn tiny_png_is_a_png() {
        assert!(TINY_PNG.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
}
