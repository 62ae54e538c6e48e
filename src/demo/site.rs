//! The built-in sample government website served by `govscan demo`: the portal of the
//! fictional 示范县人民政府 (site code 5000000099), about 50 pages that look like a real county
//! portal, with a handful of defects planted for the inspection to find.
//!
//! Every date on the site is computed from the `as_of` date it is built for, so the demo is
//! "fresh" whenever it runs — except the 人事信息 column, deliberately left two years stale.
//! Every link stays on the loopback server (the 党政机关网站标识 and 我为政府网站找错 entries
//! point at local stand-ins), so the demo works offline; the only outbound link is the one
//! planted to be refused.
//!
//! # Layout
//!
//! | path | what | charset |
//! |---|---|---|
//! | `/` | 首页: navigation, latest 工作动态 / 通知公告 / 政策文件, footer | UTF-8 |
//! | `/zfxxgk/` | 政府信息公开 专栏: 指南, 制度, 法定主动公开内容, 年报 | UTF-8 |
//! | `/zfxxgk/gkzn/` | 政府信息公开指南 | **GBK, declared in `<meta>` only** |
//! | `/zfxxgk/gkzd/`, `/zfxxgk/fdzdgk/`, `/zfxxgk/ndbg/` | 制度, 法定主动公开内容, 年报 (two reports) | UTF-8 |
//! | `/zfxxgk/rsxx/` | 人事信息, **stale**: newest item two years old | UTF-8 |
//! | `/zfxxgk/fdzdgk/…/` | the other sub-columns of 法定主动公开内容 (条例 第二十条, 第二十一条), single pages | UTF-8 |
//! | `/zwdt/gzdt/` | 工作动态, dates like `2026-11-28` | UTF-8 |
//! | `/zwdt/xzdt/` | 乡镇动态, dates like `[11-10]` | UTF-8 |
//! | `/tzgg/` | 通知公告, dates like `2026/11/20` | **GBK, declared in the header only** |
//! | `/tzgg/…/t….html` | 通知公告 articles | GBK, declared in `<meta>` (`gb2312`) |
//! | `/zcwj/` | 政策文件, dates like `2026年11月15日` | UTF-8 |
//! | `/hdjl/`, `/bsfw/`, `/wzdt/`, `/jiucuo/`, `/conac/sitename` | 互动交流, 办事服务, 网站地图, 找错, 标识 | UTF-8 |
//! | `/hdjl/xzxx/`, `/hdjl/xjxd/` | 县长信箱 (a letter form) and 信件选登 (a table of letters, all answered within days) | UTF-8 |
//! | `/bsfw/bszn/`, `/bsfw/bszn/N.html` | 办事指南 list and two complete guides (label/value tables) | UTF-8 |
//! | `…/YYYYMM/tYYYYMMDD_N.html` | articles, with `<meta name="PubDate">` | as their column |
//! | `/robots.txt` | `Disallow: /admin/` | |
//! | anything else | a custom 404 page (status 404, 「抱歉，您访问的页面不存在或已被删除」) | UTF-8 |
//!
//! # Planted defects
//!
//! See [`PLANTED`] (the same list as data):
//!
//! - `/zfxxgk/jgzn/` (linked from `/zfxxgk/fdzdgk/` as 机构职能): an internal page that is
//!   missing, **404**.
//! - `/hdjl/zxft/` (linked from `/hdjl/` as 在线访谈): an internal page answering **500**.
//! - `/images/banner_2025.jpg` (an `<img>` on the home page): a broken image, **404**.
//! - `http://127.0.0.1:PORT/` (linked from `/bsfw/` as 市政务服务网): an outbound link to a
//!   closed loopback port, **connection refused**.
//! - `/zcwj/zcjd/` (linked from `/zcwj/` as 政策解读): a **soft 404**, status 200 with
//!   「您访问的页面不存在」.
//! - `/nbtxl/` (linked from `/hdjl/` as 内部通讯录): a lone **403**.
//! - `/zfxxgk/rsxx/` (linked from `/zfxxgk/fdzdgk/`): the **stale column** 人事信息, newest
//!   item 24 months before `as_of`.
//! - `/admin/` (linked from the home page as 管理登录): answers 200 but is **disallowed by
//!   robots.txt**, so a polite crawler never requests it (check the server's request log).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, Days, Months, NaiveDate};

use super::server::{self, html, GbkDeclare, Running};

/// The fictional site's name, as in `<meta name="SiteName">`.
pub const SITE_NAME: &str = "示范县人民政府门户网站";
/// The fictional 网站标识码, in the footer and in `<meta name="SiteIDCode">`.
pub const SITE_ID_CODE: &str = "5000000099";
/// The fictional ICP 备案号 in the footer.
pub const ICP: &str = "示ICP备05000099号-1";
/// The fictional 公安机关备案号 in the footer (14 digits).
pub const PSB: &str = "示公网安备99000002000099号";

/// The path of the page whose charset is GBK declared only in the `Content-Type` header.
pub const GBK_HEADER_PAGE: &str = "/tzgg/";
/// The path of the page whose charset is GBK declared only in a `<meta>` element.
pub const GBK_META_PAGE: &str = "/zfxxgk/gkzn/";
/// The page linking to the closed port (the refused outbound link).
pub const REFUSED_LINK_PAGE: &str = "/bsfw/";
/// The stale column.
pub const STALE_COLUMN: &str = "/zfxxgk/rsxx/";

/// What kind of defect was planted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlantedKind {
    /// An internal link to a page that answers 404.
    NotFound,
    /// An internal link to a page that answers 500.
    ServerError,
    /// An image that answers 404.
    BrokenImage,
    /// An outbound link to a closed port: the connection is refused.
    Refused,
    /// A page that answers 200 with "page not found" text.
    Soft404,
    /// A page that answers 403.
    Forbidden,
    /// A column whose newest item is two years old.
    StaleColumn,
    /// A linked page disallowed by robots.txt.
    RobotsDisallowed,
}

/// One planted defect of the demo site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planted {
    /// The kind of defect.
    pub kind: PlantedKind,
    /// The path on the demo site; for [`PlantedKind::Refused`], a description of the URL (the
    /// port changes every run; the real URL is in [`DemoSite::refused_url`]).
    pub path: &'static str,
    /// The page that links to it.
    pub linked_from: &'static str,
    /// The HTTP status it answers with (`None`: no answer at all).
    pub status: Option<u16>,
    /// What is wrong, in Chinese, as an inspector would say it.
    pub what: &'static str,
}

/// The defects planted in the demo site (see the module documentation).
pub const PLANTED: &[Planted] = &[
    Planted {
        kind: PlantedKind::NotFound,
        path: "/zfxxgk/jgzn/",
        linked_from: "/zfxxgk/fdzdgk/",
        status: Some(404),
        what: "内部链接失效：“机构职能”页面不存在（404）",
    },
    Planted {
        kind: PlantedKind::ServerError,
        path: "/hdjl/zxft/",
        linked_from: "/hdjl/",
        status: Some(500),
        what: "内部链接失效：“在线访谈”页面服务器错误（500）",
    },
    Planted {
        kind: PlantedKind::BrokenImage,
        path: "/images/banner_2025.jpg",
        linked_from: "/",
        status: Some(404),
        what: "首页图片无法显示（404）",
    },
    Planted {
        kind: PlantedKind::Refused,
        path: "http://127.0.0.1:<closed port>/",
        linked_from: REFUSED_LINK_PAGE,
        status: None,
        what: "外部链接无法访问：“市政务服务网”拒绝连接",
    },
    Planted {
        kind: PlantedKind::Soft404,
        path: "/zcwj/zcjd/",
        linked_from: "/zcwj/",
        status: Some(200),
        what: "“政策解读”页面返回 200，但内容为“您访问的页面不存在”（软 404）",
    },
    Planted {
        kind: PlantedKind::Forbidden,
        path: "/nbtxl/",
        linked_from: "/hdjl/",
        status: Some(403),
        what: "“内部通讯录”页面禁止访问（403）",
    },
    Planted {
        kind: PlantedKind::StaleColumn,
        path: STALE_COLUMN,
        linked_from: "/zfxxgk/fdzdgk/",
        status: Some(200),
        what: "“人事信息”栏目最新一条信息发布于两年前，长期未更新",
    },
    Planted {
        kind: PlantedKind::RobotsDisallowed,
        path: "/admin/",
        linked_from: "/",
        status: Some(200),
        what: "robots.txt 禁止抓取 /admin/，礼貌的爬虫不应访问",
    },
];

/// The demo site, serving.
#[derive(Debug)]
pub struct DemoSite {
    /// The server and its request log.
    pub running: Running,
    /// The outbound URL planted to be refused (a closed loopback port).
    pub refused_url: String,
}

/// Start the demo site on `127.0.0.1:0` (a free port). The refused outbound link points at a
/// port that was free a moment before.
pub async fn start_demo(as_of: NaiveDate) -> io::Result<Running> {
    Ok(start_demo_site(as_of).await?.running)
}

/// [`start_demo`], also telling the refused outbound URL.
pub async fn start_demo_site(as_of: NaiveDate) -> io::Result<DemoSite> {
    let refused_url = server::closed_port_url()?;
    let app = demo_router_with(as_of, &refused_url);
    let running = server::spawn(SocketAddr::from(([127, 0, 0, 1], 0)), app).await?;
    Ok(DemoSite {
        running,
        refused_url,
    })
}

/// The demo site as a router, its refused outbound link pointing at `http://127.0.0.1:1/`
/// (port 1 is privileged and practically never served). [`start_demo`] uses a freshly closed
/// ephemeral port instead.
pub fn demo_router(as_of: NaiveDate) -> Router {
    demo_router_with(as_of, "http://127.0.0.1:1/")
}

/// The demo site as a router, with the refused outbound link pointing at `refused_url`.
pub fn demo_router_with(as_of: NaiveDate, refused_url: &str) -> Router {
    let mut router = Router::new();
    for page in build_pages(as_of, refused_url) {
        let body: Arc<str> = page.html.into();
        let enc = page.enc;
        let status = page.status;
        router = router.route(
            &page.path,
            get(move || {
                let body = Arc::clone(&body);
                async move { respond(status, enc, &body) }
            }),
        );
    }
    router
        .route(
            "/robots.txt",
            get(|| async { text("text/plain; charset=utf-8", ROBOTS) }),
        )
        .route(
            "/css/main.css",
            get(|| async { text("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/js/common.js",
            get(|| async { text("application/javascript; charset=utf-8", JS) }),
        )
        .route("/images/logo.png", get(|| async { png() }))
        .route("/images/dzjg.png", get(|| async { png() }))
        .route("/images/jiucuo.png", get(|| async { png() }))
        .fallback(|| async { html(StatusCode::NOT_FOUND, &not_found_page()) })
}

/// The paths of every HTML page the demo site serves with status 200 for this `as_of`
/// (including the soft 404 and `/admin/`, excluding the planted error pages), sorted.
pub fn page_paths(as_of: NaiveDate) -> Vec<String> {
    let mut v: Vec<String> = build_pages(as_of, "http://127.0.0.1:1/")
        .into_iter()
        .filter(|p| p.status == StatusCode::OK)
        .map(|p| p.path)
        .collect();
    v.sort();
    v
}

const ROBOTS: &str = "# 示范县人民政府门户网站\nUser-agent: *\nDisallow: /admin/\n";
const CSS: &str = "body{font-family:\"Microsoft YaHei\",sans-serif;margin:0}\
.header{background:#b31b1b;color:#fff}.nav a{color:#fff;margin:0 1em}\
.footer{background:#f2f2f2;font-size:12px;text-align:center}\n";
const JS: &str = "/* 示范县人民政府门户网站 */\nfunction setHome(){}\n";

fn text(content_type: &'static str, body: &'static str) -> Response {
    server::bytes(StatusCode::OK, content_type, body.as_bytes())
}

fn png() -> Response {
    server::bytes(StatusCode::OK, "image/png", server::TINY_PNG)
}

/// How a page's bytes and charset are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    /// GBK, charset in the header only (the page has no charset `<meta>`).
    GbkHeader,
    /// GBK, charset in a `<meta>` only (the header says plain `text/html`).
    GbkMeta,
}

fn respond(status: StatusCode, enc: Enc, body: &str) -> Response {
    match enc {
        Enc::Utf8 => html(status, body),
        Enc::GbkHeader => server::gbk_html_status(status, body, GbkDeclare::Header),
        Enc::GbkMeta => server::gbk_html_status(status, body, GbkDeclare::Meta),
    }
}

struct Page {
    path: String,
    status: StatusCode,
    enc: Enc,
    html: String,
}

/// How a column list writes its dates.
#[derive(Debug, Clone, Copy)]
enum DateStyle {
    /// `2026-11-28`
    Iso,
    /// `2026/11/20`
    Slash,
    /// `2026年11月15日`
    Chinese,
    /// `[11-10]`
    Bracket,
}

fn fmt_date(d: NaiveDate, style: DateStyle) -> String {
    match style {
        DateStyle::Iso => d.format("%Y-%m-%d").to_string(),
        DateStyle::Slash => d.format("%Y/%m/%d").to_string(),
        DateStyle::Chinese => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        DateStyle::Bracket => d.format("[%m-%d]").to_string(),
    }
}

/// An article as listed in its column.
struct Article {
    title: String,
    date: NaiveDate,
    /// Hour and minute of publication, for PubDate.
    time: &'static str,
    source: &'static str,
    paragraphs: Vec<String>,
    path: String,
}

/// A column with dated articles.
struct Column {
    path: &'static str,
    name: &'static str,
    /// The breadcrumb parent (path, name), if not the home page.
    parent: Option<(&'static str, &'static str)>,
    style: DateStyle,
    list_enc: Enc,
    article_enc: Enc,
    articles: Vec<Article>,
}

fn days_before(as_of: NaiveDate, days: u64) -> NaiveDate {
    as_of.checked_sub_days(Days::new(days)).unwrap_or(as_of)
}

fn months_before(as_of: NaiveDate, months: u32) -> NaiveDate {
    as_of
        .checked_sub_months(Months::new(months))
        .unwrap_or(as_of)
}

/// The path of the `n`th article of a column published on `date`, in the usual TRS style.
fn article_path(column: &str, date: NaiveDate, n: u32) -> String {
    format!(
        "{column}{}/t{}_{n}.html",
        date.format("%Y%m"),
        date.format("%Y%m%d")
    )
}

/// Build an article from (title, date, time, source, paragraphs).
fn article(
    column: &str,
    n: u32,
    title: String,
    date: NaiveDate,
    time: &'static str,
    source: &'static str,
    paragraphs: &[&str],
) -> Article {
    Article {
        path: article_path(column, date, n),
        title,
        date,
        time,
        source,
        paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
    }
}

fn columns(as_of: NaiveDate) -> Vec<Column> {
    let y = as_of.year();
    let gzdt = "/zwdt/gzdt/";
    let xzdt = "/zwdt/xzdt/";
    let tzgg = "/tzgg/";
    let zcwj = "/zcwj/";
    let rsxx = STALE_COLUMN;
    let d = |n| days_before(as_of, n);
    let stale1 = months_before(as_of, 24);
    let stale2 = days_before(stale1, 41);
    vec![
        Column {
            path: gzdt,
            name: "工作动态",
            parent: Some(("/zwdt/", "政务动态")),
            style: DateStyle::Iso,
            list_enc: Enc::Utf8,
            article_enc: Enc::Utf8,
            articles: vec![
                article(
                    gzdt,
                    3581,
                    "县政府召开常务会议研究部署冬春农田水利建设工作".into(),
                    d(1),
                    "17:42",
                    "县政府办公室",
                    &[
                        "会议听取了县水利局关于今冬明春农田水利基本建设工作安排的汇报，研究了灌区续建配套、高标准农田建设和农村饮水安全巩固提升等事项。",
                        "会议强调，各乡镇、各部门要压实工作责任，倒排工期、挂图作战，确保各项工程在春耕前完工并发挥效益。",
                        "会议还研究了其他事项。",
                    ],
                ),
                article(
                    gzdt,
                    3574,
                    "示范县开展安全生产大检查 筑牢冬季安全防线".into(),
                    d(4),
                    "10:15",
                    "县应急管理局",
                    &[
                        "为切实做好岁末年初安全生产工作，县安委会办公室组织应急、住建、交通、市场监管等部门组成联合检查组，深入企业、工地和人员密集场所开展安全生产大检查。",
                        "检查组共检查生产经营单位四十六家，发现并督促整改隐患一百一十三处，对存在重大隐患的两家企业依法责令停产整顿。",
                    ],
                ),
                article(
                    gzdt,
                    3566,
                    "县领导调研重点项目建设推进情况".into(),
                    d(9),
                    "16:30",
                    "县发展和改革局",
                    &[
                        "县领导一行先后来到工业园区标准厂房、城南污水处理厂提标改造等项目现场，详细了解项目进度和存在的困难。",
                        "调研指出，要强化要素保障，优化审批服务，全力推动项目早竣工、早投产、早见效。",
                    ],
                ),
            ],
        },
        Column {
            path: xzdt,
            name: "乡镇动态",
            parent: Some(("/zwdt/", "政务动态")),
            style: DateStyle::Bracket,
            list_enc: Enc::Utf8,
            article_enc: Enc::Utf8,
            articles: vec![
                article(
                    xzdt,
                    3571,
                    "城关镇开展“文明家庭”评选表彰活动".into(),
                    d(3),
                    "09:20",
                    "城关镇人民政府",
                    &[
                        "城关镇近日开展“文明家庭”评选表彰活动，经群众推荐、村（社区）评议和镇级审核，评选出镇级文明家庭三十户。",
                        "活动进一步弘扬了向上向善、孝老爱亲的良好家风，推动形成文明乡风。",
                    ],
                ),
                article(
                    xzdt,
                    3552,
                    "石桥乡扎实推进农村人居环境整治提升".into(),
                    d(12),
                    "11:05",
                    "石桥乡人民政府",
                    &[
                        "石桥乡以“清垃圾、清杂物、清沟渠”为重点，组织干部群众开展村庄清洁行动，累计清理生活垃圾八十余吨。",
                        "下一步，该乡将建立长效管护机制，持续巩固整治成果。",
                    ],
                ),
            ],
        },
        Column {
            path: tzgg,
            name: "通知公告",
            parent: None,
            style: DateStyle::Slash,
            list_enc: Enc::GbkHeader,
            article_enc: Enc::GbkMeta,
            articles: vec![
                article(
                    tzgg,
                    3577,
                    "关于做好冬季森林防火工作的通知".into(),
                    d(2),
                    "15:00",
                    "县林业局",
                    &[
                        "各乡镇人民政府，县直有关单位：",
                        "当前已进入森林防火紧要期，为切实做好冬季森林防火工作，严防森林火灾发生，现就有关事项通知如下：一、严格落实防火责任；二、加强野外火源管控；三、做好应急值守和扑救准备。",
                        "特此通知。",
                    ],
                ),
                article(
                    tzgg,
                    3560,
                    "关于公开征求《示范县城区停车管理办法（征求意见稿）》意见的公告".into(),
                    d(7),
                    "08:45",
                    "县住房和城乡建设局",
                    &[
                        "为规范城区停车秩序，县住房和城乡建设局起草了《示范县城区停车管理办法（征求意见稿）》，现向社会公开征求意见。",
                        "公众可通过县长信箱或信函方式提出意见建议，征求意见时间为本公告发布之日起三十日。",
                    ],
                ),
            ],
        },
        Column {
            path: zcwj,
            name: "政策文件",
            parent: None,
            style: DateStyle::Chinese,
            list_enc: Enc::Utf8,
            article_enc: Enc::Utf8,
            articles: vec![
                article(
                    zcwj,
                    3568,
                    format!("示范县人民政府办公室关于印发《示范县农村生活垃圾治理实施方案》的通知（示政办发〔{y}〕12号）"),
                    d(6),
                    "17:00",
                    "县政府办公室",
                    &[
                        "各乡镇人民政府，县政府各部门：",
                        "《示范县农村生活垃圾治理实施方案》已经县政府同意，现印发给你们，请认真组织实施。",
                    ],
                ),
                article(
                    zcwj,
                    3520,
                    format!("示范县人民政府关于进一步优化营商环境的若干意见（示政发〔{y}〕5号）"),
                    d(33),
                    "16:20",
                    "县政府办公室",
                    &[
                        "为深入贯彻落实优化营商环境有关决策部署，进一步激发市场主体活力，结合我县实际，提出如下意见。",
                        "一、提升政务服务效能；二、降低企业经营成本；三、加强法治保障。本意见自印发之日起施行。",
                    ],
                ),
            ],
        },
        Column {
            path: rsxx,
            name: "人事信息",
            parent: Some(("/zfxxgk/", "政府信息公开")),
            style: DateStyle::Iso,
            list_enc: Enc::Utf8,
            article_enc: Enc::Utf8,
            articles: vec![
                article(
                    rsxx,
                    2107,
                    "示范县人民政府关于王某某等同志职务任免的通知".into(),
                    stale1,
                    "10:00",
                    "县人力资源和社会保障局",
                    &[
                        "各乡镇人民政府，县政府各部门：",
                        "经县人民政府研究决定：任命王某某为县政府办公室副主任；免去李某某的县农业农村局副局长职务。",
                    ],
                ),
                article(
                    rsxx,
                    2093,
                    format!("示范县{}年公开招聘事业单位工作人员拟聘用人员公示", stale2.year()),
                    stale2,
                    "09:30",
                    "县人力资源和社会保障局",
                    &[
                        "根据公开招聘工作安排，经笔试、面试、体检和考察，现将拟聘用人员名单予以公示，公示期为七个工作日。",
                    ],
                ),
            ],
        },
    ]
}

/// The year of the newest annual report due by `as_of`, and its publication date.
fn annual_reports(as_of: NaiveDate) -> Vec<(i32, NaiveDate)> {
    let y = as_of.year();
    let this_year = NaiveDate::from_ymd_opt(y, 1, 25);
    let newest = match this_year {
        Some(d) if as_of >= d => y - 1,
        _ => y - 2,
    };
    [newest, newest - 1]
        .into_iter()
        .filter_map(|report_year| {
            NaiveDate::from_ymd_opt(report_year + 1, 1, 25).map(|d| (report_year, d))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Templates

struct Head<'a> {
    title: &'a str,
    enc: Enc,
    /// Extra `<meta name=… content=…>` pairs.
    metas: Vec<(&'a str, String)>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const NAV: &[(&str, &str)] = &[
    ("/", "首页"),
    ("/zfxxgk/", "政府信息公开"),
    ("/zwdt/", "政务动态"),
    ("/tzgg/", "通知公告"),
    ("/zcwj/", "政策文件"),
    ("/hdjl/", "互动交流"),
    ("/bsfw/", "办事服务"),
];

fn head_html(h: &Head<'_>) -> String {
    let charset = match h.enc {
        Enc::Utf8 => "<meta charset=\"utf-8\">\n",
        // The header carries the charset; the document carries none.
        Enc::GbkHeader => "",
        Enc::GbkMeta => {
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">\n"
        }
    };
    let mut s = format!("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n{charset}");
    s.push_str(&format!(
        "<title>{}_{SITE_NAME}</title>\n\
         <meta name=\"SiteName\" content=\"{SITE_NAME}\">\n\
         <meta name=\"SiteDomain\" content=\"www.shifanxian.example\">\n\
         <meta name=\"SiteIDCode\" content=\"{SITE_ID_CODE}\">\n",
        esc(h.title)
    ));
    for (name, content) in &h.metas {
        s.push_str(&format!(
            "<meta name=\"{name}\" content=\"{}\">\n",
            esc(content)
        ));
    }
    s.push_str(
        "<link rel=\"stylesheet\" href=\"/css/main.css\">\n\
         <script src=\"/js/common.js\"></script>\n\
         </head>\n<body>\n\
         <div class=\"header\"><a href=\"/\"><img src=\"/images/logo.png\" alt=\"示范县人民政府\"></a>\
         <h1>示范县人民政府</h1></div>\n<div class=\"nav\">",
    );
    for (href, name) in NAV {
        s.push_str(&format!("<a href=\"{href}\">{name}</a>"));
    }
    s.push_str("</div>\n");
    s
}

fn footer_html() -> String {
    format!(
        "<div class=\"footer\">\n\
         <p><a href=\"/wzdt/\">网站地图</a> | <a href=\"/hdjl/\">联系我们</a></p>\n\
         <p><a href=\"/conac/sitename?method=show&amp;id=5A1B2C3D4E\" target=\"_blank\">\
         <img src=\"/images/dzjg.png\" alt=\"党政机关\" title=\"党政机关网站标识\"></a>\
         <a href=\"/jiucuo/?site_code={SITE_ID_CODE}\" target=\"_blank\">\
         <img src=\"/images/jiucuo.png\" alt=\"我为政府网站找错\">我为政府网站找错</a></p>\n\
         <p>主办单位：示范县人民政府办公室　承办单位：示范县大数据发展中心</p>\n\
         <p>联系方式：0999-1234567（演示号码）　地址：示范县人民路1号　邮编：999999</p>\n\
         <p>网站标识码：{SITE_ID_CODE}　{ICP}　{PSB}</p>\n\
         <p>本网站为 govscan 演示用虚构网站，内容均为虚构。</p>\n\
         </div>\n</body>\n</html>\n"
    )
}

fn breadcrumb(trail: &[(&str, &str)], here: &str) -> String {
    let mut s = String::from("<div class=\"position\">当前位置：<a href=\"/\">首页</a>");
    for (href, name) in trail {
        s.push_str(&format!(" &gt; <a href=\"{href}\">{name}</a>"));
    }
    s.push_str(&format!(" &gt; {}</div>\n", esc(here)));
    s
}

fn page_html(head: &Head<'_>, body: &str) -> String {
    let mut s = head_html(head);
    s.push_str(body);
    s.push_str(&footer_html());
    s
}

/// The 办事指南 list under 办事服务 and its two guides, complete (the ten key elements, some
/// under their aliases: 受理条件, 申请材料, 咨询电话), as label/value tables.
fn service_guides() -> Vec<Page> {
    const GUIDES: [(&str, &str); 2] = [
        ("/bsfw/bszn/1.html", "个体工商户设立登记办事指南"),
        ("/bsfw/bszn/2.html", "公共场所卫生许可办事指南"),
    ];
    const ROWS: [(&str, &str); 10] = [
        ("事项名称", "见标题"),
        ("设定依据", "《中华人民共和国行政许可法》等法律法规"),
        ("受理条件", "申请人材料齐全、符合法定形式"),
        ("申请材料", "申请书一份；身份证明复印件一份"),
        ("办理地点", "示范县政务服务中心一楼综合窗口"),
        ("办理机构", "示范县行政审批局"),
        ("收费标准", "不收费"),
        ("办理时间", "工作日上午9:00至12:00，下午14:00至17:00"),
        ("咨询电话", "023-00000000"),
        ("办理流程", "申请、受理、审查、决定、送达"),
    ];
    let trail = [("/bsfw/", "办事服务")];
    let mut list = String::from("<ul>\n");
    let mut pages = Vec::new();
    for (path, title) in GUIDES {
        list.push_str(&format!("<li><a href=\"{path}\">{title}</a></li>\n"));
        let mut table = String::from("<table class=\"bszn\">\n");
        for (label, value) in ROWS {
            table.push_str(&format!(
                "<tr><td class=\"label\">{label}</td><td>{value}</td></tr>\n"
            ));
        }
        table.push_str("</table>\n");
        pages.push(simple_page(path, title, &trail, Enc::Utf8, &table));
    }
    list.push_str("</ul>\n");
    pages.push(simple_page(
        "/bsfw/bszn/",
        "办事指南",
        &trail,
        Enc::Utf8,
        &list,
    ));
    pages
}

fn column_metas(name: &str, kind: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ColumnName", name.to_owned()),
        ("ColumnDescription", format!("示范县人民政府{name}")),
        ("ColumnKeywords", name.to_owned()),
        ("ColumnType", kind.to_owned()),
    ]
}

fn list_page(col: &Column) -> Page {
    let mut body = String::new();
    let trail: Vec<(&str, &str)> = col.parent.iter().copied().collect();
    body.push_str(&breadcrumb(&trail, col.name));
    body.push_str(&format!(
        "<div class=\"list\">\n<h2>{}</h2>\n<ul>\n",
        col.name
    ));
    for a in &col.articles {
        body.push_str(&format!(
            "<li><a href=\"{}\" title=\"{t}\">{t}</a><span class=\"date\">{}</span></li>\n",
            a.path,
            fmt_date(a.date, col.style),
            t = esc(&a.title)
        ));
    }
    body.push_str("</ul>\n<div class=\"page\">共1页 当前第1页</div>\n</div>\n");
    if col.path == "/zcwj/" {
        body.push_str("<div class=\"related\"><a href=\"/zcwj/zcjd/\">政策解读</a></div>\n");
    }
    let head = Head {
        title: col.name,
        enc: col.list_enc,
        metas: column_metas(col.name, "列表"),
    };
    Page {
        path: col.path.to_owned(),
        status: StatusCode::OK,
        enc: col.list_enc,
        html: page_html(&head, &body),
    }
}

fn article_page(col: &Column, a: &Article) -> Page {
    let pub_date = format!("{} {}", a.date.format("%Y-%m-%d"), a.time);
    let mut trail: Vec<(&str, &str)> = col.parent.iter().copied().collect();
    trail.push((col.path, col.name));
    let mut body = breadcrumb(&trail, "正文");
    body.push_str(&format!(
        "<div class=\"article\">\n<h2>{}</h2>\n\
         <div class=\"info\">发布时间：{pub_date}　来源：{}</div>\n<div class=\"content\">\n",
        esc(&a.title),
        a.source
    ));
    for p in &a.paragraphs {
        body.push_str(&format!("<p>{}</p>\n", esc(p)));
    }
    body.push_str("</div>\n</div>\n");
    let mut metas = column_metas(col.name, "文章");
    metas.extend([
        ("ArticleTitle", a.title.clone()),
        ("PubDate", pub_date),
        ("ContentSource", a.source.to_owned()),
    ]);
    let head = Head {
        title: &a.title,
        enc: col.article_enc,
        metas,
    };
    Page {
        path: a.path.clone(),
        status: StatusCode::OK,
        enc: col.article_enc,
        html: page_html(&head, &body),
    }
}

/// A plain page of the site: a title, a breadcrumb trail and some body HTML.
fn simple_page(path: &str, title: &str, trail: &[(&str, &str)], enc: Enc, inner: &str) -> Page {
    simple_page_status(path, StatusCode::OK, title, trail, enc, inner)
}

fn simple_page_status(
    path: &str,
    status: StatusCode,
    title: &str,
    trail: &[(&str, &str)],
    enc: Enc,
    inner: &str,
) -> Page {
    let mut body = breadcrumb(trail, title);
    body.push_str(&format!(
        "<div class=\"main\">\n<h2>{}</h2>\n{inner}</div>\n",
        esc(title)
    ));
    let head = Head {
        title,
        enc,
        metas: column_metas(title, "栏目"),
    };
    Page {
        path: path.to_owned(),
        status,
        enc,
        html: page_html(&head, &body),
    }
}

fn home_page(cols: &[Column]) -> Page {
    let mut body = String::from(
        "<div class=\"banner\"><img src=\"/images/banner_2025.jpg\" alt=\"魅力示范\"></div>\n\
         <div class=\"top-links\"><a href=\"/admin/\">管理登录</a>\
         <a href=\"/wzndbb/\">政府网站工作年度报表</a></div>\n",
    );
    let block = |col: &Column, style: DateStyle, n: usize| {
        let mut s = format!(
            "<div class=\"block\">\n<h3><a href=\"{}\">{}</a><a class=\"more\" href=\"{}\">更多</a></h3>\n<ul>\n",
            col.path, col.name, col.path
        );
        for a in col.articles.iter().take(n) {
            s.push_str(&format!(
                "<li><a href=\"{}\">{}</a><span>{}</span></li>\n",
                a.path,
                esc(&a.title),
                fmt_date(a.date, style)
            ));
        }
        s.push_str("</ul>\n</div>\n");
        s
    };
    for col in cols {
        match col.path {
            "/zwdt/gzdt/" => body.push_str(&block(col, DateStyle::Iso, 3)),
            "/tzgg/" => body.push_str(&block(col, DateStyle::Bracket, 2)),
            "/zcwj/" => body.push_str(&block(col, DateStyle::Chinese, 2)),
            _ => {}
        }
    }
    body.push_str(
        "<div class=\"block\"><h3>政府信息公开</h3><ul>\
         <li><a href=\"/zfxxgk/gkzn/\">政府信息公开指南</a></li>\
         <li><a href=\"/zfxxgk/gkzd/\">政府信息公开制度</a></li>\
         <li><a href=\"/zfxxgk/fdzdgk/\">法定主动公开内容</a></li>\
         <li><a href=\"/zfxxgk/ndbg/\">政府信息公开年报</a></li></ul></div>\n",
    );
    let head = Head {
        title: "首页",
        enc: Enc::Utf8,
        metas: vec![("Description", "示范县人民政府门户网站（演示）".to_owned())],
    };
    Page {
        path: "/".to_owned(),
        status: StatusCode::OK,
        enc: Enc::Utf8,
        html: page_html(&head, &body),
    }
}

fn build_pages(as_of: NaiveDate, refused_url: &str) -> Vec<Page> {
    let cols = columns(as_of);
    let mut pages = vec![home_page(&cols)];
    for col in &cols {
        pages.push(list_page(col));
        for a in &col.articles {
            pages.push(article_page(col, a));
        }
    }
    // The 政府网站工作年度报表 of the last year whose deadline (31 January) has passed.
    let table_year = {
        use chrono::Datelike;
        let jan31 = NaiveDate::from_ymd_opt(as_of.year(), 1, 31).unwrap_or(as_of);
        if as_of > jan31 {
            as_of.year() - 1
        } else {
            as_of.year() - 2
        }
    };
    pages.push(simple_page(
        "/wzndbb/",
        &format!("{table_year}年度政府网站工作年度报表"),
        &[],
        Enc::Utf8,
        &format!(
            "<p>示范县人民政府门户网站{table_year}年度政府网站工作年度报表（演示）。</p>\n\
             <table><tr><td>网站名称</td><td>示范县人民政府</td></tr>\
             <tr><td>网站标识码</td><td>{SITE_ID_CODE}</td></tr></table>\n"
        ),
    ));
    let xxgk: &[(&str, &str)] = &[("/zfxxgk/", "政府信息公开")];
    pages.push(simple_page(
        "/zfxxgk/",
        "政府信息公开",
        &[],
        Enc::Utf8,
        "<ul>\n<li><a href=\"/zfxxgk/gkzn/\">政府信息公开指南</a></li>\n\
         <li><a href=\"/zfxxgk/gkzd/\">政府信息公开制度</a></li>\n\
         <li><a href=\"/zfxxgk/fdzdgk/\">法定主动公开内容</a></li>\n\
         <li><a href=\"/zfxxgk/ndbg/\">政府信息公开年报</a></li>\n</ul>\n",
    ));
    pages.push(simple_page(
        GBK_META_PAGE,
        "政府信息公开指南",
        xxgk,
        Enc::GbkMeta,
        "<p>为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。</p>\n\
         <p>一、主动公开：本机关主动公开的政府信息分为机构职能、政策文件、人事信息、财政预决算等类别，可通过本网站查阅或下载。</p>\n\
         <p>二、依申请公开：申请人可通过当面、信函或网络方式提出申请。</p>\n\
         <p>受理机构：示范县人民政府办公室　地址：示范县人民路1号　办公时间：工作日上午9:00—12:00，下午14:00—17:30　\
         联系电话：0999-1234567　传真：0999-1234568　电子邮箱：zfxxgk@shifanxian.example</p>\n",
    ));
    pages.push(simple_page(
        "/zfxxgk/gkzd/",
        "政府信息公开制度",
        xxgk,
        Enc::Utf8,
        "<ul>\n<li>示范县政府信息主动公开制度</li>\n<li>示范县政府信息依申请公开办理制度</li>\n\
         <li>示范县政府信息公开保密审查制度</li>\n</ul>\n",
    ));
    let mut fdzdgk = String::from(
        "<ul>\n<li><a href=\"/zfxxgk/jgzn/\">机构职能</a></li>\n\
         <li><a href=\"/zcwj/\">政策文件</a></li>\n\
         <li><a href=\"/zfxxgk/rsxx/\">人事信息</a></li>\n\
         <li><a href=\"/zwdt/gzdt/\">工作动态</a></li>\n\
         <li><a href=\"/tzgg/\">通知公告</a></li>\n",
    );
    for (slug, name) in FDZDGK_SUBCOLUMNS {
        fdzdgk.push_str(&format!(
            "<li><a href=\"/zfxxgk/fdzdgk/{slug}/\">{name}</a></li>\n"
        ));
    }
    fdzdgk.push_str("</ul>\n");
    pages.push(simple_page(
        "/zfxxgk/fdzdgk/",
        "法定主动公开内容",
        xxgk,
        Enc::Utf8,
        &fdzdgk,
    ));
    let fd_trail: &[(&str, &str)] = &[
        ("/zfxxgk/", "政府信息公开"),
        ("/zfxxgk/fdzdgk/", "法定主动公开内容"),
    ];
    for (slug, name) in FDZDGK_SUBCOLUMNS {
        pages.push(simple_page(
            &format!("/zfxxgk/fdzdgk/{slug}/"),
            name,
            fd_trail,
            Enc::Utf8,
            &format!(
                "<p>本栏目依据《中华人民共和国政府信息公开条例》公开示范县{name}方面的政府信息。</p>\n"
            ),
        ));
    }
    let reports = annual_reports(as_of);
    let mut list = String::from("<ul>\n");
    for (year, date) in &reports {
        list.push_str(&format!(
            "<li><a href=\"/zfxxgk/ndbg/{year}.html\">示范县人民政府{year}年政府信息公开工作年度报告</a>\
             <span class=\"date\">{}</span></li>\n",
            fmt_date(*date, DateStyle::Iso)
        ));
    }
    list.push_str("</ul>\n");
    pages.push(simple_page(
        "/zfxxgk/ndbg/",
        "政府信息公开年报",
        xxgk,
        Enc::Utf8,
        &list,
    ));
    for (year, date) in &reports {
        pages.push(annual_report_page(*year, *date));
    }
    pages.push(simple_page(
        "/zwdt/",
        "政务动态",
        &[],
        Enc::Utf8,
        "<ul>\n<li><a href=\"/zwdt/gzdt/\">工作动态</a></li>\n\
         <li><a href=\"/zwdt/xzdt/\">乡镇动态</a></li>\n</ul>\n",
    ));
    pages.push(simple_page(
        "/hdjl/",
        "互动交流",
        &[],
        Enc::Utf8,
        "<ul>\n<li><a href=\"/hdjl/xzxx/\">县长信箱</a></li>\n\
         <li><a href=\"/hdjl/xjxd/\">信件选登</a></li>\n\
         <li><a href=\"/hdjl/zxft/\">在线访谈</a></li>\n\
         <li><a href=\"/tzgg/\">意见征集</a></li>\n\
         <li><a href=\"/nbtxl/\">内部通讯录</a></li>\n</ul>\n\
         <p>县长信箱：xzxx@shifanxian.example</p>\n",
    ));
    pages.push(simple_page(
        "/hdjl/xzxx/",
        "县长信箱",
        &[("/hdjl/", "互动交流")],
        Enc::Utf8,
        "<form action=\"/hdjl/xzxx/\" method=\"post\">\n<p>姓名：<input name=\"name\"></p>\n\
         <p>信件内容：<textarea name=\"content\"></textarea></p>\n\
         <p><input type=\"submit\" value=\"提交\"></p>\n</form>\n\
         <p>来信将在15个工作日内答复，答复情况在“信件选登”中公开。</p>\n",
    ));
    // 信件选登: every letter answered within days (the 互动交流 figures of the demo).
    let letters = [
        ("关于县城停车难问题的建议", 40, 35),
        ("咨询新生入学报名时间", 100, 97),
        ("关于增设公交站点的建议", 200, 190),
    ];
    let mut rows = String::from(
        "<table class=\"xjxd\">\n<tr><th>信件标题</th><th>来信时间</th><th>回复时间</th><th>状态</th></tr>\n",
    );
    for (title, asked, replied) in letters {
        rows.push_str(&format!(
            "<tr><td>{title}</td><td>{}</td><td>{}</td><td>已回复</td></tr>\n",
            days_before(as_of, asked),
            days_before(as_of, replied)
        ));
    }
    rows.push_str("</table>\n");
    pages.push(simple_page(
        "/hdjl/xjxd/",
        "信件选登",
        &[("/hdjl/", "互动交流")],
        Enc::Utf8,
        &rows,
    ));
    pages.push(simple_page(
        REFUSED_LINK_PAGE,
        "办事服务",
        &[],
        Enc::Utf8,
        &format!(
            "<ul>\n<li><a href=\"{}\" target=\"_blank\">市政务服务网</a></li>\n\
             <li><a href=\"/bsfw/bszn/\">办事指南</a></li>\n\
             <li><a href=\"/zfxxgk/gkzn/\">依申请公开</a></li>\n</ul>\n",
            esc(refused_url)
        ),
    ));
    pages.extend(service_guides());
    let mut map = String::from("<ul>\n");
    for (href, name) in NAV {
        map.push_str(&format!("<li><a href=\"{href}\">{name}</a></li>\n"));
    }
    map.push_str(
        "<li><a href=\"/zwdt/gzdt/\">工作动态</a></li>\n\
         <li><a href=\"/zwdt/xzdt/\">乡镇动态</a></li>\n\
         <li><a href=\"/zfxxgk/ndbg/\">政府信息公开年报</a></li>\n</ul>\n",
    );
    pages.push(simple_page("/wzdt/", "网站地图", &[], Enc::Utf8, &map));
    pages.push(simple_page(
        "/jiucuo/",
        "我为政府网站找错",
        &[],
        Enc::Utf8,
        &format!(
            "<p>网站名称：{SITE_NAME}　网站标识码：{SITE_ID_CODE}</p>\n\
             <p>（演示：真实网站此处链接到全国政府网站找错平台。）</p>\n"
        ),
    ));
    pages.push(simple_page(
        "/conac/sitename",
        "党政机关网站标识",
        &[],
        Enc::Utf8,
        &format!(
            "<p>网站名称：{SITE_NAME}　开办单位：示范县人民政府</p>\n\
             <p>（演示：真实网站此处链接到党政机关网站标识查询页面。）</p>\n"
        ),
    ));
    pages.push(simple_page(
        "/admin/",
        "后台管理登录",
        &[],
        Enc::Utf8,
        "<form method=\"post\" action=\"/admin/\"><input name=\"user\"><input name=\"pass\" type=\"password\">\
         <button>登录</button></form>\n",
    ));
    // Planted defects with pages of their own (404 and the refused link need none).
    pages.push(simple_page(
        "/zcwj/zcjd/",
        "提示信息",
        &[],
        Enc::Utf8,
        "<p>您访问的页面不存在，请返回<a href=\"/\">首页</a>。</p>\n",
    ));
    pages.push(Page {
        path: "/hdjl/zxft/".to_owned(),
        status: StatusCode::INTERNAL_SERVER_ERROR,
        enc: Enc::Utf8,
        html: "<html><head><title>500 Internal Server Error</title></head><body>\
               <h1>Internal Server Error</h1><p>java.lang.NullPointerException</p></body></html>"
            .to_owned(),
    });
    pages.push(Page {
        path: "/nbtxl/".to_owned(),
        status: StatusCode::FORBIDDEN,
        enc: Enc::Utf8,
        html: "<html><head><meta charset=\"utf-8\"><title>403 Forbidden</title></head><body>\
               <h1>403 Forbidden</h1><p>您无权访问该页面。</p></body></html>"
            .to_owned(),
    });
    pages
}

/// The sub-columns of 法定主动公开内容 (条例 第二十条 and, for a county, 第二十一条) besides the
/// dated columns linked from it: single pages describing what they publish.
const FDZDGK_SUBCOLUMNS: &[(&str, &str)] = &[
    ("ghxx", "规划信息"),
    ("tjxx", "统计信息"),
    ("xzxk", "行政许可"),
    ("xzcf", "行政处罚"),
    ("czyjs", "财政预决算"),
    ("xzsyxsf", "行政事业性收费"),
    ("zfcg", "政府采购"),
    ("zdjsxm", "重大建设项目"),
    ("msxx", "民生信息"),
    ("yjgl", "应急管理"),
    ("jdjc", "监督检查"),
    ("qtfdgkxx", "其他法定公开信息"),
    ("szjs", "市政建设"),
    ("ggfw", "公共服务"),
    ("gysy", "公益事业"),
    ("tdzs", "土地征收"),
    ("fwzs", "房屋征收"),
    ("zagl", "治安管理"),
    ("shjz", "社会救助"),
];

/// The demo's report of `year`: complete, consistent tables in the layout of its year, carrying
/// over from the year before (its 上年结转 and 现行有效件数 follow the previous report's).
fn demo_report(year: i32) -> super::annual_report::ReportFixture {
    use super::annual_report::{FixtureLayout, ReportFixture};
    let layout = if year >= 2021 {
        FixtureLayout::Y2021
    } else {
        FixtureLayout::Y2019
    };
    let mut f = ReportFixture::new(year, layout);
    f.body = "示范县人民政府".into();
    // Every year carries 1 + c % 3 requests over, and in force grow by 1 and by 4 a year.
    f.carried_in = [1, 2, 3, 1, 2, 3];
    let n = i64::from(year.saturating_sub(2000));
    f.in_force = [n, 4 * n];
    f
}

fn annual_report_page(year: i32, date: NaiveDate) -> Page {
    let title = format!("示范县人民政府{year}年政府信息公开工作年度报告");
    let pub_date = format!("{} 10:00", date.format("%Y-%m-%d"));
    let mut body = breadcrumb(
        &[
            ("/zfxxgk/", "政府信息公开"),
            ("/zfxxgk/ndbg/", "政府信息公开年报"),
        ],
        "正文",
    );
    body.push_str(&format!(
        "<div class=\"article\">\n<h2>{title}</h2>\n<div class=\"info\">发布时间：{pub_date}　来源：县政府办公室</div>\n\
         <div class=\"content\">\n\
         <p>本报告根据《中华人民共和国政府信息公开条例》要求编制，数据统计期限为{year}年1月1日至{year}年12月31日。</p>\n\
         {}\
         </div>\n</div>\n",
        demo_report(year).content()
    ));
    let mut metas = column_metas("政府信息公开年报", "文章");
    metas.extend([
        ("ArticleTitle", title.clone()),
        ("PubDate", pub_date),
        ("ContentSource", "县政府办公室".to_owned()),
    ]);
    let head = Head {
        title: &title,
        enc: Enc::Utf8,
        metas,
    };
    Page {
        path: format!("/zfxxgk/ndbg/{year}.html"),
        status: StatusCode::OK,
        enc: Enc::Utf8,
        html: page_html(&head, &body),
    }
}

fn not_found_page() -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>404 页面不存在_{SITE_NAME}</title>\n</head>\n<body>\n\
         <div class=\"error\"><h2>抱歉，您访问的页面不存在或已被删除</h2>\n\
         <p>请检查网址是否正确，或返回<a href=\"/\">首页</a>。</p></div>\n</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet, VecDeque};
    use std::time::Duration;

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).expect("a valid date")
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("a reqwest client builds")
    }

    /// Status, content type and body decoded as the page declares (GBK or UTF-8).
    async fn fetch(c: &reqwest::Client, url: &str) -> (u16, String, String) {
        let r = c.get(url).send().await.expect("GET");
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = r.bytes().await.expect("body");
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        let gbk = ct.to_ascii_lowercase().contains("gbk") || head.contains("charset=gb");
        let text = if gbk {
            let (t, _, had_errors) = encoding_rs::GBK.decode(&bytes);
            assert!(!had_errors, "{url} is not valid GBK");
            t.into_owned()
        } else if ct.starts_with("text/") {
            String::from_utf8(bytes.to_vec()).expect("valid UTF-8")
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        (status, ct, text)
    }

    fn links(html: &str) -> Vec<String> {
        let re = regex::Regex::new(r#"(?:href|src)="([^"]+)""#).expect("a valid regex");
        re.captures_iter(html)
            .map(|c| c[1].replace("&amp;", "&"))
            .collect()
    }

    #[tokio::test]
    async fn planted_defects_answer_as_documented() {
        let demo = start_demo_site(as_of()).await.expect("start the demo");
        let c = client();
        for p in PLANTED {
            let url = match p.kind {
                PlantedKind::Refused => demo.refused_url.clone(),
                _ => demo.running.url(p.path),
            };
            // The defect is linked from where the list says.
            let (_, _, from) = fetch(&c, &demo.running.url(p.linked_from)).await;
            let target = match p.kind {
                PlantedKind::Refused => demo.refused_url.as_str(),
                _ => p.path,
            };
            assert!(
                links(&from).iter().any(|l| l == target),
                "{} does not link to {target}",
                p.linked_from
            );
            match p.kind {
                PlantedKind::Refused => {
                    let err = c.get(&url).send().await.expect_err("refused");
                    assert!(err.is_connect(), "{err:?}");
                }
                _ => {
                    let (status, _, body) = fetch(&c, &url).await;
                    assert_eq!(Some(status), p.status, "{}", p.path);
                    if p.kind == PlantedKind::Soft404 {
                        assert!(body.contains("您访问的页面不存在"));
                    }
                    if p.kind == PlantedKind::StaleColumn {
                        let newest = months_before(as_of(), 24).format("%Y-%m-%d").to_string();
                        assert!(body.contains(&newest), "{body}");
                    }
                }
            }
        }
        // The 403 page is the only one.
        assert_eq!(
            PLANTED
                .iter()
                .filter(|p| p.kind == PlantedKind::Forbidden)
                .count(),
            1
        );
    }

    /// Walk the whole site like a crawler (ignoring robots.txt) and check that every link
    /// answers 200 except the planted defects.
    #[tokio::test]
    async fn every_link_resolves_except_the_planted_ones() {
        let demo = start_demo_site(as_of()).await.expect("start the demo");
        let c = client();
        let base = demo.running.url("");
        let base = base.trim_end_matches('/');
        let planted: BTreeMap<&str, Option<u16>> =
            PLANTED.iter().map(|p| (p.path, p.status)).collect();
        let mut seen = BTreeSet::from(["/".to_owned()]);
        let mut queue = VecDeque::from(["/".to_owned()]);
        let mut html_ok = BTreeSet::new();
        let mut outbound = BTreeSet::new();
        while let Some(path) = queue.pop_front() {
            let (status, ct, body) = fetch(&c, &format!("{base}{path}")).await;
            let bare = path.split('?').next().unwrap_or_default();
            match planted.get(bare) {
                Some(expected) if path != "/zfxxgk/rsxx/" && path != "/admin/" => {
                    assert_eq!(Some(status), *expected, "{path}");
                }
                _ => assert_eq!(status, 200, "{path}"),
            }
            if !ct.starts_with("text/html") {
                continue;
            }
            if status == 200 {
                html_ok.insert(bare.to_owned());
            }
            for l in links(&body) {
                if l.starts_with('/') {
                    if seen.insert(l.clone()) {
                        queue.push_back(l);
                    }
                } else {
                    outbound.insert(l);
                }
            }
        }
        assert_eq!(outbound, BTreeSet::from([demo.refused_url.clone()]));
        let expected: BTreeSet<String> = page_paths(as_of()).into_iter().collect();
        assert_eq!(html_ok, expected);
        assert!((45..=60).contains(&expected.len()), "{}", expected.len());
        for p in PLANTED.iter().filter(|p| p.kind != PlantedKind::Refused) {
            assert!(seen.contains(p.path), "{} is not linked", p.path);
        }
        // Each page was fetched once.
        assert!(demo.running.log.requests().len() >= expected.len());
    }

    #[tokio::test]
    async fn charsets_are_declared_where_documented() {
        let demo = start_demo_site(as_of()).await.expect("start the demo");
        let c = client();
        let raw = |path: &str| {
            let url = demo.running.url(path);
            let c = c.clone();
            async move {
                let r = c.get(url).send().await.expect("GET");
                let ct = r.headers()["content-type"]
                    .to_str()
                    .expect("ascii")
                    .to_owned();
                (ct, r.bytes().await.expect("body"))
            }
        };
        // 通知公告 in GBK.
        let tzgg_gbk: &[u8] = &[0xCD, 0xA8, 0xD6, 0xAA, 0xB9, 0xAB, 0xB8, 0xE6];
        let (ct, body) = raw(GBK_HEADER_PAGE).await;
        assert_eq!(ct, "text/html; charset=GBK");
        assert!(body.windows(8).any(|w| w == tzgg_gbk));
        assert!(!body.windows(7).any(|w| w.eq_ignore_ascii_case(b"charset")));

        let (ct, body) = raw(GBK_META_PAGE).await;
        assert_eq!(ct, "text/html");
        assert!(body.windows(14).any(|w| w == b"charset=gb2312"));
        let (text, _, bad) = encoding_rs::GBK.decode(&body);
        assert!(!bad);
        assert!(text.contains("政府信息公开指南"));
        assert!(std::str::from_utf8(&body).is_err(), "not UTF-8");

        // The 通知公告 articles: GBK, declared in <meta> only.
        let (_, _, list) = fetch(&c, &demo.running.url("/tzgg/")).await;
        let article = links(&list)
            .into_iter()
            .find(|l| l.starts_with("/tzgg/2026"))
            .expect("an article link");
        let (ct, body) = raw(&article).await;
        assert_eq!(ct, "text/html");
        assert!(body.windows(14).any(|w| w == b"charset=gb2312"));

        let (ct, body) = raw("/").await;
        assert_eq!(ct, "text/html; charset=utf-8");
        assert!(std::str::from_utf8(&body).is_ok());
    }

    #[tokio::test]
    async fn dates_follow_as_of_in_several_formats() {
        let demo = start_demo_site(as_of()).await.expect("start the demo");
        let c = client();
        let (_, _, home) = fetch(&c, &demo.running.url("/")).await;
        assert!(
            home.contains("2026-11-29"),
            "the newest 工作动态 is yesterday"
        );
        assert!(home.contains("<meta name=\"SiteIDCode\" content=\"5000000099\">"));
        for s in [
            "网站标识码：5000000099",
            ICP,
            PSB,
            "主办单位",
            "联系方式",
            "我为政府网站找错",
        ] {
            assert!(home.contains(s), "footer lacks {s}");
        }
        let (_, _, gzdt) = fetch(&c, &demo.running.url("/zwdt/gzdt/")).await;
        assert!(gzdt.contains("<span class=\"date\">2026-11-26</span>"));
        let (_, _, tzgg) = fetch(&c, &demo.running.url("/tzgg/")).await;
        assert!(tzgg.contains("2026/11/28"));
        let (_, _, zcwj) = fetch(&c, &demo.running.url("/zcwj/")).await;
        assert!(zcwj.contains("2026年11月24日"));
        let (_, _, xzdt) = fetch(&c, &demo.running.url("/zwdt/xzdt/")).await;
        assert!(xzdt.contains("[11-27]"));
        let (_, _, article) = fetch(
            &c,
            &demo.running.url("/zwdt/gzdt/202611/t20261129_3581.html"),
        )
        .await;
        assert!(article.contains("<meta name=\"PubDate\" content=\"2026-11-29 17:42\">"));
        let (_, _, ndbg) = fetch(&c, &demo.running.url("/zfxxgk/ndbg/")).await;
        assert!(ndbg.contains("/zfxxgk/ndbg/2025.html"));

        // Another day, other dates; early January still builds a consistent site.
        let jan = NaiveDate::from_ymd_opt(2027, 1, 3).expect("date");
        let paths = page_paths(jan);
        assert!(paths.contains(&"/zwdt/gzdt/202701/t20270102_3581.html".to_owned()));
        assert!(paths.contains(&"/zwdt/gzdt/202612/t20261225_3566.html".to_owned()));
        assert!(paths.contains(&"/zfxxgk/ndbg/2025.html".to_owned()));
        assert!(paths.contains(&"/zfxxgk/rsxx/202501/t20250103_2107.html".to_owned()));
    }

    #[tokio::test]
    async fn robots_404_and_static_files() {
        let running = server::spawn(SocketAddr::from(([127, 0, 0, 1], 0)), demo_router(as_of()))
            .await
            .expect("bind");
        let c = client();
        let (status, ct, robots) = fetch(&c, &running.url("/robots.txt")).await;
        assert_eq!(status, 200);
        assert!(ct.starts_with("text/plain"));
        assert!(robots.contains("Disallow: /admin/"));
        let (status, _, body) = fetch(&c, &running.url("/no/such/page.html")).await;
        assert_eq!(status, 404);
        assert!(body.contains("您访问的页面不存在"));
        let r = c
            .get(running.url("/images/logo.png"))
            .send()
            .await
            .expect("GET");
        assert_eq!(r.headers()["content-type"], "image/png");
        let (_, _, bsfw) = fetch(&c, &running.url(REFUSED_LINK_PAGE)).await;
        assert!(bsfw.contains("href=\"http://127.0.0.1:1/\""));
        let r = c.head(running.url("/")).send().await.expect("HEAD");
        assert_eq!(r.status(), 200);
        assert_eq!(running.log.count(), 5);
    }
}
