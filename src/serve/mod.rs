//! `govscan serve`: a read-only dashboard over the store.
//!
//! Pages (HTML, rendered from the templates of `reports/serve/`, embedded): the overview
//! (`/`), the table of sites (`/sites`, sorted on the server by `?sort=&order=`), a page per
//! site (`/sites/{name}`), the bulletins (`/bulletins`, each generated on request from the
//! store in every format); the same data as JSON under `/api/…`. See the README for every
//! route.
//!
//! - **Read-only.** Only GET and HEAD are served (anything else is `405 Method Not Allowed`,
//!   on every path); there is no write endpoint. The store is opened read-only for each
//!   request ([`crate::store::Store::open_read_only`]), so a daily scan writing it meanwhile is
//!   never disturbed, and a missing or unusable store is a clear page, not a failure.
//! - **Escaped.** Every crawled string (anchor texts, messages, evidence, addresses) goes
//!   through the templates' HTML auto-escaping; only `http(s)` addresses are made links; the
//!   pages carry a Content-Security-Policy without scripts.
//! - **Over the store's read API.** The views ([`data`]) call only the store's reading
//!   functions, so a store over another database (PostgreSQL) that offers them slots in.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::rules::RuleSet;
use crate::store::{Store, StoreError};

pub mod data;

use data::SortKey;

const BASE: &str = include_str!("../../reports/serve/base.html.j2");
const OVERVIEW: &str = include_str!("../../reports/serve/overview.html.j2");
const SITES: &str = include_str!("../../reports/serve/sites.html.j2");
const SITE: &str = include_str!("../../reports/serve/site.html.j2");
const BULLETINS: &str = include_str!("../../reports/serve/bulletins.html.j2");
const ERROR: &str = include_str!("../../reports/serve/error.html.j2");
const MONTH: &str = include_str!("../../reports/serve/month.html.j2");

/// The dashboard could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {message}")]
    Listen { addr: SocketAddr, message: String },
    #[error("the dashboard's templates are broken: {0}")]
    Template(String),
    #[error("the server stopped: {0}")]
    Stopped(String),
}

/// What the handlers share.
struct App {
    config: Config,
    rules: RuleSet,
    templates: minijinja::Environment<'static>,
}

/// Why a request could not be answered.
#[derive(Debug)]
enum Failure {
    /// There is no store file yet.
    NoStore(String),
    NotFound(String),
    BadRequest(String),
    Store(StoreError),
    Internal(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::Store(e)
    }
}

impl Failure {
    fn status(&self) -> StatusCode {
        match self {
            Failure::NoStore(_) => StatusCode::SERVICE_UNAVAILABLE,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::Store(StoreError::Busy { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            Failure::Store(_) | Failure::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Failure::NoStore(_) => "还没有检查数据",
            Failure::NotFound(_) => "未找到",
            Failure::BadRequest(_) => "请求有误",
            Failure::Store(_) => "无法读取检查数据库",
            Failure::Internal(_) => "内部错误",
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::NoStore(m)
            | Failure::NotFound(m)
            | Failure::BadRequest(m)
            | Failure::Internal(m) => m.clone(),
            Failure::Store(e) => e.to_string(),
        }
    }
}

/// The router of the dashboard over the store of `config` (used by `govscan serve` and the
/// tests).
pub fn router(config: Config, rules: RuleSet) -> Result<Router, ServeError> {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // The names end in .html: minijinja escapes every value for HTML unless marked safe.
    for (name, source) in [
        ("base.html", BASE),
        ("overview.html", OVERVIEW),
        ("sites.html", SITES),
        ("site.html", SITE),
        ("bulletins.html", BULLETINS),
        ("error.html", ERROR),
        ("month.html", MONTH),
    ] {
        env.add_template(name, source)
            .map_err(|e| ServeError::Template(format!("{name}: {e:#}")))?;
    }
    env.add_filter("points", |v: f64| crate::report::fmt_points(v));
    env.add_filter("day", |v: String| v.get(..10).unwrap_or(&v).to_string());
    env.add_filter("minute", |v: String| {
        v.get(..16).unwrap_or(&v).replace('T', " ")
    });
    env.add_filter("urlencode_path", |v: String| {
        url::form_urlencoded::byte_serialize(v.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    });
    let app = Arc::new(App {
        config,
        rules,
        templates: env,
    });
    Ok(Router::new()
        .route("/", get(page_overview))
        .route("/sites", get(page_sites))
        .route("/sites/{name}", get(page_site))
        .route("/bulletins", get(page_bulletins))
        .route("/bulletins/{month}", get(page_bulletin_month))
        .route("/bulletins/{month}/{format}", get(download_bulletin))
        .route(
            "/bulletins/{month}/notices/{site}/{format}",
            get(download_notice),
        )
        .route("/api", get(api_index))
        .route("/api/overview", get(api_overview))
        .route("/api/runs", get(api_runs))
        .route("/api/sites", get(api_sites))
        .route("/api/sites/{name}", get(api_site))
        .route("/api/sites/{name}/months", get(api_site_months))
        .route("/api/bulletins", get(api_bulletins))
        .route("/api/bulletins/{month}", get(api_bulletin))
        .fallback(not_found)
        .layer(middleware::from_fn(read_only))
        .with_state(app))
}

/// Serve the dashboard on `addr` until `shutdown` completes; `ready` is told the address
/// bound (port 0 picks a free one).
pub async fn serve(
    config: Config,
    rules: RuleSet,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let app = router(config, rules)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Listen {
            addr,
            message: e.to_string(),
        })?;
    let bound = listener.local_addr().map_err(|e| ServeError::Listen {
        addr,
        message: e.to_string(),
    })?;
    ready(bound);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| ServeError::Stopped(e.to_string()))
}

/// GET and HEAD only, on every path; security headers on every answer.
async fn read_only(req: Request, next: Next) -> Response {
    let mut resp = if req.method() == Method::GET || req.method() == Method::HEAD {
        next.run(req).await
    } else {
        let mut r = (
            StatusCode::METHOD_NOT_ALLOWED,
            "405 Method Not Allowed: the dashboard is read-only (GET and HEAD only)\n",
        )
            .into_response();
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    };
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// Run `f` with the store opened read-only, off the async threads.
async fn with_store<T, F>(app: &Arc<App>, f: F) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(&Store, &App) -> Result<T, Failure> + Send + 'static,
{
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let location = app.config.store.location();
        if !location.exists() {
            return Err(Failure::NoStore(format!(
                "没有找到检查数据库 {}：请先运行 `govscan scan` 进行日扫描，或用 --config 指定配置文件。\
                 (there is no store at {}: run `govscan scan` first)",
                location.display(),
                location.display()
            )));
        }
        let store = Store::open_location_read_only(&location)?;
        f(&store, &app)
    })
    .await
    .map_err(|e| Failure::Internal(format!("the request's task failed: {e}")))?
}

fn html_page(app: &App, name: &str, ctx: minijinja::Value) -> Response {
    match app.templates.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(body) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %format!("{e:#}"), "cannot render a page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "500: the page could not be rendered\n",
            )
                .into_response()
        }
    }
}

fn html_failure(app: &App, f: Failure) -> Response {
    let status = f.status();
    let ctx = minijinja::context! {
        title => f.title(),
        status => status.as_u16(),
        message => f.message(),
        no_store => matches!(f, Failure::NoStore(_)),
        store => app.config.store.location().display(),
    };
    let mut r = html_page(app, "error.html", ctx);
    *r.status_mut() = status;
    r
}

fn json<T: Serialize>(v: &T) -> Response {
    match serde_json::to_string_pretty(v) {
        Ok(body) => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body + "\n",
        )
            .into_response(),
        Err(e) => json_failure(Failure::Internal(e.to_string())),
    }
}

fn json_failure(f: Failure) -> Response {
    let status = f.status();
    let mut r = json(&serde_json::json!({ "error": f.message(), "status": status.as_u16() }));
    *r.status_mut() = status;
    r
}

fn page_result(app: &App, r: Result<Response, Failure>) -> Response {
    r.unwrap_or_else(|f| html_failure(app, f))
}

fn api_result<T: Serialize>(r: Result<T, Failure>) -> Response {
    match r {
        Ok(v) => json(&v),
        Err(f) => json_failure(f),
    }
}

async fn not_found(State(app): State<Arc<App>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let f = Failure::NotFound(format!("没有这个页面：{path}"));
    if path.starts_with("/api") {
        json_failure(f)
    } else {
        html_failure(&app, f)
    }
}

// ---- the overview ----

fn overview_charts(o: &data::Overview) -> Result<(String, String), Failure> {
    let chart_err = |e: crate::report::charts::ChartError| Failure::Internal(e.to_string());
    let labels: Vec<String> = o
        .runs
        .iter()
        .map(|r| r.as_of.format("%m-%d").to_string())
        .collect();
    let runs = crate::report::charts::series_svg(
        &labels,
        &[
            o.runs.iter().map(|r| r.pass_rate).collect(),
            o.runs.iter().map(|r| r.average_score).collect(),
        ],
    )
    .map_err(chart_err)?;
    let months = crate::report::charts::trend(&o.months).map_err(chart_err)?;
    Ok((runs, months.svg))
}

async fn page_overview(State(app): State<Arc<App>>) -> Response {
    let r = with_store(&app, |store, app| {
        let o = data::overview(store, &app.config)?;
        let (runs_svg, months_svg) = overview_charts(&o)?;
        let ctx = minijinja::context! {
            nav => "overview",
            store => app.config.store.location().display(),
            runs_svg => minijinja::Value::from_safe_string(runs_svg),
            months_svg => minijinja::Value::from_safe_string(months_svg),
            ..minijinja::Value::from_serialize(&o)
        };
        Ok(html_page(app, "overview.html", ctx))
    })
    .await;
    page_result(&app, r)
}

async fn api_overview(State(app): State<Arc<App>>) -> Response {
    api_result(with_store(&app, |store, app| Ok(data::overview(store, &app.config)?)).await)
}

async fn api_runs(State(app): State<Arc<App>>) -> Response {
    api_result(with_store(&app, |store, _| Ok(store.runs(1000)?)).await)
}

// ---- the table of sites ----

#[derive(Debug, Deserialize)]
struct SortQuery {
    sort: Option<String>,
    order: Option<String>,
}

fn parse_sort(q: &SortQuery) -> Result<(SortKey, bool), Failure> {
    let key = match q.sort.as_deref() {
        None | Some("") => SortKey::Name,
        Some(s) => SortKey::parse(s).ok_or_else(|| {
            Failure::BadRequest(format!(
                "不能按 `{s}` 排序：可用 {}",
                SortKey::ALL.map(SortKey::as_str).join("、")
            ))
        })?,
    };
    let desc = match q.order.as_deref() {
        None | Some("") => matches!(key, SortKey::Score | SortKey::LastScan),
        Some("asc") => false,
        Some("desc") => true,
        Some(o) => {
            return Err(Failure::BadRequest(format!(
                "排序方向 `{o}` 无效：用 asc 或 desc"
            )))
        }
    };
    Ok((key, desc))
}

async fn page_sites(State(app): State<Arc<App>>, Query(q): Query<SortQuery>) -> Response {
    let sort = match parse_sort(&q) {
        Ok(s) => s,
        Err(f) => return html_failure(&app, f),
    };
    let r = with_store(&app, move |store, app| {
        let mut rows = data::sites(store, &app.config)?;
        data::sort_sites(&mut rows, sort.0, sort.1);
        let columns: Vec<minijinja::Value> = [
            ("name", "网站名称"),
            ("level", "级别"),
            ("kind", "类型"),
            ("last_scan", "最近检查"),
            ("score", "得分"),
            ("verdict", "结论"),
            ("vetoes", "否决项"),
            ("deductions", "扣分项"),
        ]
        .into_iter()
        .map(|(key, label)| {
            let current = key == sort.0.as_str();
            // A click on the current column flips the order.
            let order = if current && !sort.1 { "desc" } else { "asc" };
            minijinja::context! {
                key => key,
                label => label,
                current => current,
                arrow => if current { if sort.1 { "▼" } else { "▲" } } else { "" },
                href => format!("/sites?sort={key}&order={order}"),
            }
        })
        .collect();
        let ctx = minijinja::context! {
            nav => "sites",
            sites => minijinja::Value::from_serialize(&rows),
            columns => columns,
            sort => sort.0.as_str(),
            order => if sort.1 { "desc" } else { "asc" },
        };
        Ok(html_page(app, "sites.html", ctx))
    })
    .await;
    page_result(&app, r)
}

async fn api_sites(State(app): State<Arc<App>>, Query(q): Query<SortQuery>) -> Response {
    let sort = match parse_sort(&q) {
        Ok(s) => s,
        Err(f) => return json_failure(f),
    };
    api_result(
        with_store(&app, move |store, app| {
            let mut rows = data::sites(store, &app.config)?;
            data::sort_sites(&mut rows, sort.0, sort.1);
            Ok(rows)
        })
        .await,
    )
}

// ---- a site ----

fn site_data(store: &Store, app: &App, name: &str) -> Result<data::SitePage, Failure> {
    data::site_page(store, &app.config, &app.rules, name, crate::asof::now())?.ok_or_else(|| {
        Failure::NotFound(format!(
            "没有名为「{name}」的网站（配置和检查数据库中都没有）"
        ))
    })
}

async fn page_site(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let r = with_store(&app, move |store, app| {
        let page = site_data(store, app, &name)?;
        let labels: Vec<String> = page
            .history
            .iter()
            .map(|r| r.as_of.format("%m-%d").to_string())
            .collect();
        let svg = crate::report::charts::series_svg(
            &labels,
            &[page
                .history
                .iter()
                .map(|r| {
                    r.score
                        .filter(|_| r.status == crate::store::SiteRunStatus::Done)
                })
                .collect()],
        )
        .map_err(|e| Failure::Internal(e.to_string()))?;
        let mut history = page.history.clone();
        history.reverse();
        let ctx = minijinja::context! {
            nav => "sites",
            score_svg => minijinja::Value::from_safe_string(svg),
            history_newest => minijinja::Value::from_serialize(&history),
            ..minijinja::Value::from_serialize(&page)
        };
        Ok(html_page(app, "site.html", ctx))
    })
    .await;
    page_result(&app, r)
}

async fn api_site(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    api_result(with_store(&app, move |store, app| site_data(store, app, &name)).await)
}

#[derive(Debug, Deserialize)]
struct MonthsQuery {
    months: Option<String>,
    as_of: Option<String>,
}

async fn api_site_months(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    Query(q): Query<MonthsQuery>,
) -> Response {
    let n = match q.months.as_deref().map(str::trim) {
        None | Some("") => data::MONTHS,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=240).contains(&n) => n,
            _ => {
                return json_failure(Failure::BadRequest(format!(
                    "months must be a number from 1 to 240, not `{s}`"
                )))
            }
        },
    };
    let last = match q.as_of.as_deref() {
        None | Some("") => crate::asof::now(),
        Some(s) => match crate::asof::parse(s) {
            Ok(t) => t,
            Err(e) => return json_failure(Failure::BadRequest(e)),
        },
    };
    api_result(
        with_store(&app, move |store, app| {
            let known = app.config.sites.iter().any(|s| s.name == name)
                || store.site_names()?.contains(&name);
            if !known {
                return Err(Failure::NotFound(format!("no site named `{name}`")));
            }
            let rows = store.history(&name)?;
            let months = crate::report::tables::monthly(&rows, last.date_naive(), n);
            Ok(serde_json::json!({ "site": name, "months": months }))
        })
        .await,
    )
}

// ---- the bulletins ----

/// A bulletin's formats: (route name, file extension, content type).
const FORMATS: [(&str, &str, &str); 5] = [
    ("html", "html", "text/html; charset=utf-8"),
    ("md", "md", "text/markdown; charset=utf-8"),
    (
        "docx",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("json", "json", "application/json; charset=utf-8"),
];

fn parse_month(s: &str) -> Result<chrono::NaiveDate, Failure> {
    chrono::NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d")
        .map_err(|_| Failure::BadRequest(format!("`{s}` 不是 2026-11 这样的月份")))
}

/// The bulletin of a month, built from the store as `govscan bulletin` builds it (the stored
/// judgements; the issuer and header from the configuration).
fn build_bulletin(
    store: &Store,
    app: &App,
    month: chrono::NaiveDate,
) -> Result<crate::report::bulletin::Bulletin, Failure> {
    let settings = &app.config.bulletin;
    let issuer = settings
        .issuer
        .clone()
        .unwrap_or_else(|| crate::config::BulletinSettings::DEFAULT_ISSUER.into());
    let opts = crate::report::bulletin::BulletinOptions {
        period: crate::report::bulletin::Period::Month(month),
        title: None,
        header: settings
            .header
            .clone()
            .unwrap_or_else(|| format!("{issuer}文件")),
        doc_no: settings.doc_no.clone(),
        addressees: settings
            .addressees
            .clone()
            .unwrap_or_else(|| crate::config::BulletinSettings::DEFAULT_ADDRESSEES.into()),
        issuer,
        deadline_days: 10,
        issued_on: crate::asof::now().date_naive(),
    };
    let sites = app.config.sites.clone();
    crate::inspect::rejudge::bulletin(store, app.config.clone(), &sites, &app.rules, &opts, false)
        .map_err(|e| match e {
            crate::inspect::InspectError::Store(e) => Failure::Store(e),
            e => Failure::NotFound(e.to_string()),
        })
}

async fn page_bulletins(State(app): State<Arc<App>>) -> Response {
    let r = with_store(&app, |store, app| {
        let months = data::bulletin_months(store)?;
        let formats: Vec<&str> = FORMATS.iter().map(|f| f.0).collect();
        let ctx = minijinja::context! {
            nav => "bulletins",
            months => minijinja::Value::from_serialize(&months),
            formats => formats,
        };
        Ok(html_page(app, "bulletins.html", ctx))
    })
    .await;
    page_result(&app, r)
}

async fn download_bulletin(
    State(app): State<Arc<App>>,
    Path((month, format)): Path<(String, String)>,
) -> Response {
    let Some(&(_, ext, content_type)) = FORMATS.iter().find(|f| f.0 == format) else {
        return html_failure(
            &app,
            Failure::NotFound(format!(
                "没有 `{format}` 格式：可用 {}",
                FORMATS.map(|f| f.0).join("、")
            )),
        );
    };
    let first = match parse_month(&month) {
        Ok(m) => m,
        Err(f) => return html_failure(&app, f),
    };
    let r = with_store(&app, move |store, app| {
        use crate::report::bulletin as b;
        let bulletin = build_bulletin(store, app, first)?;
        let render = |e: b::RenderError| Failure::Internal(e.to_string());
        let body: Vec<u8> = match ext {
            "html" => b::html(&bulletin).map_err(render)?.into_bytes(),
            "md" => b::markdown(&bulletin).map_err(render)?.into_bytes(),
            "docx" => b::docx(&bulletin).map_err(render)?,
            "xlsx" => b::xlsx(&bulletin).map_err(render)?,
            _ => serde_json::to_vec_pretty(&bulletin)
                .map_err(|e| Failure::Internal(e.to_string()))?,
        };
        Ok(file_response(
            body,
            content_type,
            &format!("bulletin-{}.{ext}", first.format("%Y-%m")),
            &format!("{}.{ext}", bulletin.stem),
        ))
    })
    .await;
    page_result(&app, r)
}

/// A file's answer: its type, and its name for the browser (HTML is shown, the rest saved).
fn file_response(body: Vec<u8>, content_type: &'static str, ascii: &str, name: &str) -> Response {
    let ext = ascii.rsplit('.').next().unwrap_or_default();
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let disposition = if ext == "html" {
        "inline"
    } else {
        "attachment"
    };
    let mut r = Response::new(Body::from(body));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// A month's page: its bulletin in every format and the rectification notice of each site
/// that has one.
async fn page_bulletin_month(State(app): State<Arc<App>>, Path(month): Path<String>) -> Response {
    let first = match parse_month(&month) {
        Ok(m) => m,
        Err(f) => return html_failure(&app, f),
    };
    let r = with_store(&app, move |store, app| {
        let b = build_bulletin(store, app, first)?;
        let notices: Vec<minijinja::Value> = b
            .sites
            .iter()
            .filter(|s| s.notice.is_some())
            .map(|s| {
                minijinja::context! {
                    name => s.name.clone(),
                    score => s.score,
                    verdict => s.verdict.clone(),
                    vetoes => s.vetoes.len(),
                    deductions => s.deductions.len(),
                }
            })
            .collect();
        let formats: Vec<&str> = FORMATS.iter().map(|f| f.0).collect();
        let ctx = minijinja::context! {
            nav => "bulletins",
            month => first.format("%Y-%m").to_string(),
            title => b.title.clone(),
            inspected => b.inspected,
            passed => b.passed,
            failed => b.failed,
            pending => b.pending,
            pass_rate => b.pass_rate,
            average_score => b.average_score,
            not_inspected => b.not_inspected.len(),
            formats => formats,
            notices => notices,
            notice_formats => NOTICE_FORMATS.map(|f| f.0).to_vec(),
        };
        Ok(html_page(app, "month.html", ctx))
    })
    .await;
    page_result(&app, r)
}

/// A notice's formats: (route name, content type).
const NOTICE_FORMATS: [(&str, &str); 3] = [
    ("html", "text/html; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
];

async fn download_notice(
    State(app): State<Arc<App>>,
    Path((month, site, format)): Path<(String, String, String)>,
) -> Response {
    let Some(&(ext, content_type)) = NOTICE_FORMATS.iter().find(|f| f.0 == format) else {
        return html_failure(
            &app,
            Failure::NotFound(format!(
                "整改通知没有 `{format}` 格式：可用 {}",
                NOTICE_FORMATS.map(|f| f.0).join("、")
            )),
        );
    };
    let first = match parse_month(&month) {
        Ok(m) => m,
        Err(f) => return html_failure(&app, f),
    };
    let r = with_store(&app, move |store, app| {
        use crate::report::bulletin as b;
        let bulletin = build_bulletin(store, app, first)?;
        let Some((s, stem)) = bulletin.sites.iter().find_map(|s| {
            (s.name == site)
                .then(|| s.notice.clone().map(|n| (s, n)))
                .flatten()
        }) else {
            return Err(Failure::NotFound(format!(
                "{}没有「{site}」的整改通知（该网站当月未检查，或没有需要整改的问题）",
                first.format("%Y-%m")
            )));
        };
        let render = |e: b::RenderError| Failure::Internal(e.to_string());
        let body: Vec<u8> = match ext {
            "html" => b::notice_html(&bulletin, s).map_err(render)?.into_bytes(),
            "md" => b::notice_markdown(&bulletin, s)
                .map_err(render)?
                .into_bytes(),
            _ => b::notice_docx(&bulletin, s).map_err(render)?,
        };
        Ok(file_response(
            body,
            content_type,
            &format!("notice-{}.{ext}", first.format("%Y-%m")),
            &format!("{stem}.{ext}"),
        ))
    })
    .await;
    page_result(&app, r)
}

async fn api_bulletins(State(app): State<Arc<App>>) -> Response {
    api_result(
        with_store(&app, |store, _| {
            let months = data::bulletin_months(store)?;
            Ok(months
                .into_iter()
                .map(|m| {
                    let files: serde_json::Map<String, serde_json::Value> = FORMATS
                        .iter()
                        .map(|f| {
                            (
                                f.0.to_string(),
                                format!("/bulletins/{}/{}", m.month, f.0).into(),
                            )
                        })
                        .collect();
                    serde_json::json!({ "month": m.month, "runs": m.runs, "files": files })
                })
                .collect::<Vec<_>>())
        })
        .await,
    )
}

async fn api_bulletin(State(app): State<Arc<App>>, Path(month): Path<String>) -> Response {
    let first = match parse_month(&month) {
        Ok(m) => m,
        Err(f) => return json_failure(f),
    };
    api_result(with_store(&app, move |store, app| build_bulletin(store, app, first)).await)
}

async fn api_index() -> Response {
    json(&serde_json::json!({
        "routes": [
            "/api/overview",
            "/api/runs",
            "/api/sites?sort=name|score|verdict|level|kind|last_scan|vetoes|deductions&order=asc|desc",
            "/api/sites/{name}",
            "/api/sites/{name}/months?months=12&as_of=2026-11-30",
            "/api/bulletins",
            "/api/bulletins/{month}",
        ]
    }))
}
