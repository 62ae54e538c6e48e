//! The crawler against fixture sites on loopback: every behaviour with the defect present and
//! absent.

mod common;

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::crawl::LinkStatus;
use govscan::demo::server::{
    closed_port_url, drip, gbk_html, gzip_bomb, html, huge, redirect, GbkDeclare,
};

fn ok(body: String) -> Response {
    html(StatusCode::OK, &body)
}

#[tokio::test]
async fn decodes_gbk_gb2312_and_utf8_pages() {
    let app = Router::new()
        .route("/", get(|| async { ok(page("首页", &["/gbk-header.html", "/gbk-meta.html", "/gb2312.html", "/utf8.html"])) }))
        .route("/gbk-header.html", get(|| async { gbk_html("<html><head><title>政务公开（GBK头）</title></head><body>内容</body></html>", GbkDeclare::Header) }))
        .route(
            "/gbk-meta.html",
            get(|| async { gbk_html("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\"><title>通知公告（GBK元）</title></head><body>内容</body></html>", GbkDeclare::None) }),
        )
        .route(
            "/gb2312.html",
            get(|| async {
                let (bytes, _, _) = encoding_rs::GBK.encode("<html><head><meta charset=\"gb2312\"><title>人事信息（GB2312）</title></head><body>内容</body></html>");
                ([("content-type", "text/html")], bytes.into_owned()).into_response()
            }),
        )
        .route("/utf8.html", get(|| async { ok(page("政策文件（UTF-8）", &[])) }));
    let s = serve(app).await;
    let facts = crawl_fast(&s).await;
    let titles: Vec<String> = facts.pages.iter().filter_map(|p| p.title.clone()).collect();
    for t in [
        "政务公开（GBK头）",
        "通知公告（GBK元）",
        "人事信息（GB2312）",
        "政策文件（UTF-8）",
    ] {
        assert!(
            titles.iter().any(|x| x == t),
            "missing title {t} in {titles:?}"
        );
    }
    let gbk = facts
        .pages
        .iter()
        .find(|p| p.url.ends_with("gbk-header.html"))
        .expect("gbk page");
    assert_eq!(gbk.charset.as_deref(), Some("GBK"));
}

#[tokio::test]
async fn honours_base_href_and_relative_links() {
    let app = Router::new()
        .route("/", get(|| async { ok("<html><head><base href=\"/sub/\"><title>首页</title></head><body><a href=\"a.html\">甲</a><a href=\"../top.html\">乙</a><a href=\" ./missing.html \">丙</a></body></html>".into()) }))
        .route("/sub/a.html", get(|| async { ok(page("甲", &[])) }))
        .route("/top.html", get(|| async { ok(page("乙", &[])) }));
    let s = serve(app).await;
    let facts = crawl_fast(&s).await;
    assert!(status_of(&facts, &s, "/sub/a.html").is_ok());
    assert!(status_of(&facts, &s, "/top.html").is_ok());
    // The relative link with spaces resolves against the base and is broken.
    assert_eq!(
        status_of(&facts, &s, "/sub/missing.html"),
        &LinkStatus::HttpError { status: 404 }
    );
    assert_eq!(
        s.log.count_path("/a.html"),
        0,
        "relative link must use the base href"
    );
}

#[tokio::test]
async fn obeys_robots_txt_and_can_be_told_not_to() {
    let app = || {
        Router::new()
            .route(
                "/",
                get(|| async { ok(page("首页", &["/private/secret.html", "/public.html"])) }),
            )
            .route(
                "/robots.txt",
                get(|| async {
                    (
                        [("content-type", "text/plain")],
                        "User-agent: *\nDisallow: /private/\n",
                    )
                        .into_response()
                }),
            )
            .route(
                "/private/secret.html",
                get(|| async { ok(page("秘密", &[])) }),
            )
            .route("/public.html", get(|| async { ok(page("公开", &[])) }))
    };
    let s = serve(app()).await;
    let facts = crawl_fast(&s).await;
    assert_eq!(
        status_of(&facts, &s, "/private/secret.html"),
        &LinkStatus::RobotsDisallowed
    );
    assert_eq!(s.log.count_path("/private/secret.html"), 0);
    assert!(status_of(&facts, &s, "/public.html").is_ok());
    assert_eq!(facts.stats.broken, 0);

    let s2 = serve(app()).await;
    let mut site = site_for(&s2);
    site.crawl.robots = Some(false);
    let facts = crawl(fast_config(), site).await;
    assert!(status_of(&facts, &s2, "/private/secret.html").is_ok());
    assert_eq!(s2.log.count_path("/robots.txt"), 0);
}

#[tokio::test]
async fn records_redirect_chains_and_detects_loops() {
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/r1", "/loop1", "/many0"])) }),
        )
        .route(
            "/r1",
            get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/r2") }),
        )
        .route(
            "/r2",
            get(|| async { redirect(StatusCode::FOUND, "/final.html") }),
        )
        .route("/final.html", get(|| async { ok(page("终点", &[])) }))
        .route(
            "/loop1",
            get(|| async { redirect(StatusCode::FOUND, "/loop2") }),
        )
        .route(
            "/loop2",
            get(|| async { redirect(StatusCode::FOUND, "/loop1") }),
        )
        .route(
            "/{name}",
            get(
                |axum::extract::Path(name): axum::extract::Path<String>| async move {
                    match name
                        .strip_prefix("many")
                        .and_then(|n| n.parse::<u32>().ok())
                    {
                        Some(n) => redirect(StatusCode::FOUND, &format!("/many{}", n + 1)),
                        None => html(StatusCode::NOT_FOUND, "没有"),
                    }
                },
            ),
        );
    let s = serve(app).await;
    let facts = crawl_fast(&s).await;
    let r1 = &facts.links[&s.url("/r1")];
    assert!(r1.outcome.status.is_ok());
    assert_eq!(r1.outcome.redirects.len(), 2);
    assert_eq!(r1.outcome.redirects[0].status, 301);
    assert!(r1.outcome.final_url.ends_with("/final.html"));
    assert_eq!(status_of(&facts, &s, "/loop1"), &LinkStatus::RedirectLoop);
    assert_eq!(
        status_of(&facts, &s, "/many0"),
        &LinkStatus::TooManyRedirects
    );
    assert!(
        s.log.count() < 40,
        "redirect following must stop: {} requests",
        s.log.count()
    );
}

#[tokio::test]
async fn classifies_404_500_refused_and_timeout() {
    let refused = closed_port_url().expect("closed port");
    let refused_link = format!("{refused}gone.html");
    let home = page(
        "首页",
        &[
            "/ok.html",
            "/404.html",
            "/500.html",
            "/slow.html",
            &refused_link,
        ],
    );
    let app = Router::new()
        .route(
            "/",
            get(move || {
                let h = home.clone();
                async move { ok(h) }
            }),
        )
        .route("/ok.html", get(|| async { ok(page("正常", &[])) }))
        .route(
            "/500.html",
            get(|| async { html(StatusCode::INTERNAL_SERVER_ERROR, "服务器错误") }),
        )
        .route(
            "/slow.html",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                ok(page("慢", &[]))
            }),
        );
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.total_timeout = Duration::from_secs(1);
    let facts = crawl(cfg, site_for(&s)).await;
    assert!(status_of(&facts, &s, "/ok.html").is_ok());
    assert_eq!(
        status_of(&facts, &s, "/404.html"),
        &LinkStatus::HttpError { status: 404 }
    );
    assert_eq!(
        status_of(&facts, &s, "/500.html"),
        &LinkStatus::HttpError { status: 500 }
    );
    assert_eq!(status_of(&facts, &s, "/slow.html"), &LinkStatus::Timeout);
    assert_eq!(
        facts.links[&refused_link].outcome.status,
        LinkStatus::Refused
    );
    assert_eq!(facts.stats.broken, 4);
    let ok = &facts.links[&s.url("/ok.html")];
    assert!(ok.on_home);
    assert_eq!(&*ok.referrers[0].text, "栏目1");
}

#[tokio::test]
async fn detects_soft_404_pages() {
    let long_article = format!(
        "<html><head><title>关于404号文件的解读</title></head><body>{}</body></html>",
        "本文解读市政府第404号令的主要内容，涉及政务公开、行政审批和便民服务等方面。".repeat(100)
    );
    let app = Router::new()
        .route("/", get(|| async { ok(page("首页", &["/soft.html", "/article.html", "/normal.html"])) }))
        .route("/soft.html", get(|| async { ok("<html><head><title>提示</title></head><body>对不起，您访问的页面不存在！</body></html>".into()) }))
        .route("/article.html", get(move || { let a = long_article.clone(); async move { ok(a) } }))
        .route("/normal.html", get(|| async { ok(page("工作动态", &[])) }));
    let s = serve(app).await;
    let facts = crawl_fast(&s).await;
    assert!(matches!(
        status_of(&facts, &s, "/soft.html"),
        LinkStatus::Soft404 { .. }
    ));
    assert!(
        status_of(&facts, &s, "/article.html").is_ok(),
        "an article about document No. 404 is not a soft 404"
    );
    assert!(status_of(&facts, &s, "/normal.html").is_ok());
}

#[tokio::test]
async fn detects_soft_404_by_the_sites_own_answer() {
    // This site answers every unknown path with 200 and the same "not here" page.
    let app = Router::new()
        .route("/", get(|| async { ok(page("首页", &["/exists.html", "/gone.html"])) }))
        .route("/exists.html", get(|| async { ok(page("通知公告", &[])) }))
        .fallback(get(|| async { ok("<html><head><title>示范县政府</title></head><body>信息已经撤下，请返回首页浏览其他内容。</body></html>".into()) }));
    let s = serve(app).await;
    let facts = crawl_fast(&s).await;
    assert!(matches!(
        status_of(&facts, &s, "/gone.html"),
        LinkStatus::Soft404 { .. }
    ));
    assert!(status_of(&facts, &s, "/exists.html").is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caps_the_body_and_cuts_off_gzip_bombs() {
    // Build the bomb before the clock starts (compressing 100 MiB is the fixture's cost, not
    // the crawler's; it is cached for the request).
    tokio::task::spawn_blocking(|| gzip_bomb(100 * 1024 * 1024))
        .await
        .expect("bomb fixture");
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/huge.html", "/bomb.html", "/small.html"])) }),
        )
        .route("/huge.html", get(|| async { huge(200 * 1024 * 1024) }))
        .route("/bomb.html", get(|| async { gzip_bomb(100 * 1024 * 1024) }))
        .route("/small.html", get(|| async { ok(page("小", &[])) }));
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.max_body_bytes = 1024 * 1024;
    cfg.crawl.total_timeout = Duration::from_secs(10);
    let started = Instant::now();
    let facts = crawl(cfg, site_for(&s)).await;
    // 300 MiB offered: reading stops at the cap, so this is quick even on a busy machine.
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let big = facts
        .pages
        .iter()
        .find(|p| p.url.ends_with("/huge.html"))
        .expect("huge page parsed up to the cap");
    assert!(big.truncated);
    // Reading stops within one chunk of the cap.
    assert!(
        big.bytes <= 1024 * 1024 + 256 * 1024,
        "read {} bytes",
        big.bytes
    );
    let bomb = facts
        .pages
        .iter()
        .find(|p| p.url.ends_with("/bomb.html"))
        .expect("bomb page parsed up to the cap");
    assert!(bomb.truncated, "decompressed bytes count against the cap");
    assert!(
        bomb.bytes <= 1024 * 1024 + 256 * 1024,
        "read {} decompressed bytes",
        bomb.bytes
    );
    let small = facts
        .pages
        .iter()
        .find(|p| p.url.ends_with("/small.html"))
        .expect("small page");
    assert!(!small.truncated);
}

#[tokio::test]
async fn cuts_off_a_dripping_server() {
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/drip.html", "/fine.html"])) }),
        )
        .route(
            "/drip.html",
            get(|| async { drip(b"<p>", Duration::from_millis(200), 1000) }),
        )
        .route("/fine.html", get(|| async { ok(page("好", &[])) }));
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.total_timeout = Duration::from_secs(1);
    let started = Instant::now();
    let facts = crawl(cfg, site_for(&s)).await;
    assert_eq!(status_of(&facts, &s, "/drip.html"), &LinkStatus::Timeout);
    assert!(status_of(&facts, &s, "/fine.html").is_ok());
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn calendar_and_session_id_traps_terminate_within_the_budget() {
    // A calendar links to the next month forever; every link carries a fresh session id.
    let app = Router::new()
        .route(
            "/",
            get(|| async {
                ok(page(
                    "首页",
                    &[
                        "/calendar?month=202601",
                        "/list;jsessionid=ABC123",
                        "/news.html?sid=77",
                    ],
                ))
            }),
        )
        .route(
            "/calendar",
            get(
                |q: axum::extract::Query<std::collections::HashMap<String, String>>| async move {
                    let m: u32 = q
                        .get("month")
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(202601);
                    let next = if m % 100 == 12 { m + 89 } else { m + 1 };
                    ok(page(
                        &format!("日历 {m}"),
                        &[&format!("/calendar?month={next}")],
                    ))
                },
            ),
        )
        .route(
            "/list",
            get(|| async {
                let sid: u64 = rand::random();
                ok(page(
                    "列表",
                    &[
                        &format!("/list;jsessionid={sid:x}"),
                        &format!("/news.html?sid={sid}"),
                    ],
                ))
            }),
        )
        .route("/news.html", get(|| async { ok(page("新闻", &[])) }));
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.max_query_variants = 10;
    cfg.crawl.max_depth = 100;
    let started = Instant::now();
    let facts = crawl(cfg, site_for(&s)).await;
    assert!(started.elapsed() < Duration::from_secs(20));
    let calendar_fetches = s
        .log
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/calendar"))
        .count();
    assert!(
        calendar_fetches <= 11,
        "calendar crawled {calendar_fetches} times"
    );
    assert!(facts.stats.trap_skipped >= 1);
    assert_eq!(
        s.log
            .requests()
            .iter()
            .filter(|r| r.path() == "/list")
            .count(),
        1,
        "session ids are stripped"
    );
    assert_eq!(
        s.log
            .requests()
            .iter()
            .filter(|r| r.path() == "/news.html")
            .count(),
        1
    );
}

#[tokio::test]
async fn page_budget_is_respected() {
    let app = Router::new()
        .route("/", get(|| async { ok(page("首页", &["/p/1"])) }))
        .route(
            "/p/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    ok(page(
                        &format!("第{n}页"),
                        &[&format!("/p/{}", n + 1), &format!("/p/{}", n + 2)],
                    ))
                },
            ),
        );
    let s = serve(app).await;
    let mut site = site_for(&s);
    site.crawl.max_pages = Some(15);
    site.crawl.max_depth = Some(1000);
    let facts = crawl(fast_config(), site).await;
    assert_eq!(facts.stats.pages, 15);
}

#[tokio::test]
async fn blocking_hosts_are_inconclusive_but_a_lone_403_is_broken() {
    // Site A: fine pages, one forbidden page (a real defect).
    let a = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/a.html", "/forbidden.html", "/b.html"])) }),
        )
        .route("/a.html", get(|| async { ok(page("甲", &[])) }))
        .route("/b.html", get(|| async { ok(page("乙", &[])) }))
        .route(
            "/forbidden.html",
            get(|| async {
                html(
                    StatusCode::FORBIDDEN,
                    "<html><body>403 Forbidden</body></html>",
                )
            }),
        );
    let sa = serve(a).await;
    let facts = crawl_fast(&sa).await;
    assert_eq!(
        status_of(&facts, &sa, "/forbidden.html"),
        &LinkStatus::HttpError { status: 403 }
    );

    // Site B: after the home page, 403 for everything (the scanner was shut out).
    let b = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/1.html", "/2.html", "/3.html", "/4.html"])) }),
        )
        .fallback(get(|| async {
            html(StatusCode::FORBIDDEN, "<html><body>Forbidden</body></html>")
        }));
    let sb = serve(b).await;
    let facts = crawl_fast(&sb).await;
    for p in ["/1.html", "/2.html", "/3.html", "/4.html"] {
        assert!(
            status_of(&facts, &sb, p).is_blocked(),
            "{p}: {:?}",
            status_of(&facts, &sb, p)
        );
    }
    assert_eq!(facts.stats.broken, 0);

    // Site C: rate-limited (429) and a WAF challenge page.
    let c = Router::new()
        .route("/", get(|| async { ok(page("首页", &["/busy.html", "/waf.html", "/fine.html"])) }))
        .route("/busy.html", get(|| async { (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "0")], "slow down").into_response() }))
        .route("/waf.html", get(|| async { html(StatusCode::FORBIDDEN, "<html><title>Just a moment...</title><body>cf-browser-verification</body></html>") }))
        .route("/fine.html", get(|| async { ok(page("好", &[])) }));
    let sc = serve(c).await;
    let facts = crawl_fast(&sc).await;
    assert!(status_of(&facts, &sc, "/busy.html").is_blocked());
    assert!(status_of(&facts, &sc, "/waf.html").is_blocked());
    assert!(status_of(&facts, &sc, "/fine.html").is_ok());
    assert_eq!(facts.stats.broken, 0);
    // The 429 was retried (with backoff) before giving up.
    assert!(sc.log.count_path("/busy.html") >= 2);
}

#[tokio::test]
async fn private_addresses_are_not_fetched() {
    // `intranet.test` is pinned to a loopback address: a hacked page linking to it must not
    // make the scanner probe it.
    let app = Router::new().route(
        "/",
        get(|| async {
            ok(page(
                "首页",
                &["http://intranet.test/admin", "http://127.0.0.9/x"],
            ))
        }),
    );
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.resolve.insert(
        "intranet.test".into(),
        vec!["127.0.0.2".parse().expect("ip")],
    );
    let facts = crawl(cfg, site_for(&s)).await;
    assert!(matches!(
        facts.links["http://intranet.test/admin"].outcome.status,
        LinkStatus::PrivateAddress { .. }
    ));
    assert!(matches!(
        facts.links["http://127.0.0.9/x"].outcome.status,
        LinkStatus::PrivateAddress { .. }
    ));
    assert_eq!(facts.stats.broken, 0);

    // Allowed by configuration (as tests and in-house checks need): fetched.
    let ext = serve(Router::new().route("/admin", get(|| async { ok(page("内网", &[])) }))).await;
    let link = format!("http://intranet.test:{}/admin", ext.addr.port());
    let home = page("首页", &[&link]);
    let s2 = serve(Router::new().route(
        "/",
        get(move || {
            let h = home.clone();
            async move { ok(h) }
        }),
    ))
    .await;
    let mut cfg = fast_config();
    cfg.crawl.allow_private_addresses = true;
    cfg.resolve.insert(
        "intranet.test".into(),
        vec!["127.0.0.1".parse().expect("ip")],
    );
    let facts = crawl(cfg, site_for(&s2)).await;
    assert!(
        facts.links[&link].outcome.status.is_ok(),
        "{:?}",
        facts.links[&link].outcome.status
    );
}

#[tokio::test]
async fn external_links_use_head_and_fall_back_to_get() {
    let ext = Router::new()
        .route(
            "/doc.pdf",
            get(|| async { ([("content-type", "application/pdf")], "%PDF-1.4").into_response() }),
        )
        .route(
            "/nohead",
            get(|headers: HeaderMap| async move {
                let _ = headers;
                ok(page("外部", &[]))
            })
            .head(|| async { StatusCode::METHOD_NOT_ALLOWED }),
        );
    let e = serve(ext).await;
    let l1 = format!("http://localhost:{}/doc.pdf", e.addr.port());
    let l2 = format!("http://localhost:{}/nohead", e.addr.port());
    let home = page("首页", &[&l1, &l2]);
    let s = serve(Router::new().route(
        "/",
        get(move || {
            let h = home.clone();
            async move { ok(h) }
        }),
    ))
    .await;
    let mut cfg = fast_config();
    cfg.crawl.allow_private_addresses = true;
    cfg.resolve
        .insert("localhost".into(), vec!["127.0.0.1".parse().expect("ip")]);
    let facts = crawl(cfg, site_for(&s)).await;
    assert!(facts.links[&l1].outcome.status.is_ok());
    assert!(facts.links[&l2].outcome.status.is_ok());
    assert!(!facts.links[&l1].internal);
    let methods: Vec<String> = e
        .log
        .requests()
        .iter()
        .filter(|r| r.path() == "/doc.pdf")
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, vec!["HEAD"]);
    let methods: Vec<String> = e
        .log
        .requests()
        .iter()
        .filter(|r| r.path() == "/nohead")
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(methods, vec!["HEAD", "GET"]);
}

#[tokio::test]
async fn crawls_a_site_on_ipv6_loopback() {
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/a.html", "/missing.html"])) }),
        )
        .route("/a.html", get(|| async { ok(page("甲", &[])) }));
    let Some(s) = serve_v6(app).await else {
        eprintln!("no IPv6 loopback on this machine: skipped");
        return;
    };
    let facts = crawl_fast(&s).await;
    assert!(status_of(&facts, &s, "/a.html").is_ok());
    assert_eq!(
        status_of(&facts, &s, "/missing.html"),
        &LinkStatus::HttpError { status: 404 }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_origin_gets_more_than_rate_plus_burst_in_any_second() {
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/p/1", "/p/2", "/p/3", "/p/4"])) }),
        )
        .route(
            "/p/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    let links: Vec<String> = (1..=4).map(|k| format!("/p/{}", n * 4 + k)).collect();
                    let refs: Vec<&str> = links.iter().map(String::as_str).collect();
                    ok(page(&format!("第{n}页"), &refs))
                },
            ),
        );
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.rate_per_origin = 5.0;
    cfg.crawl.burst = 2;
    cfg.crawl.concurrency_per_site = 8;
    let mut site = site_for(&s);
    site.crawl.max_pages = Some(18);
    site.crawl.max_links = Some(0);
    let started = Instant::now();
    let _ = crawl(cfg, site).await;
    let times: Vec<Instant> = s.log.requests().iter().map(|r| r.at).collect();
    assert!(times.len() >= 18, "{} requests", times.len());
    for (i, t) in times.iter().enumerate() {
        let in_window = times[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < Duration::from_secs(1))
            .count();
        assert!(
            in_window <= 7,
            "{in_window} requests within one second starting at request {i}"
        );
    }
    // And the limiter does not crawl much slower than allowed: 20 requests at 5/s ≈ 3.6 s.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn tls_and_dns_failures_are_broken_links() {
    // A plain-HTTP server asked for https: the TLS handshake fails. A host pinned to no
    // address: name resolution fails (no query leaves the machine).
    let plain = serve(Router::new().route("/", get(|| async { ok(page("明文", &[])) }))).await;
    let tls_link = format!("https://127.0.0.1:{}/", plain.addr.port());
    let home = page("首页", &[&tls_link, "http://gone.test/page.html"]);
    let s = serve(Router::new().route(
        "/",
        get(move || {
            let h = home.clone();
            async move { ok(h) }
        }),
    ))
    .await;
    let mut cfg = fast_config();
    cfg.crawl.allow_private_addresses = true;
    cfg.resolve.insert("gone.test".into(), Vec::new());
    let facts = crawl(cfg, site_for(&s)).await;
    assert!(
        matches!(
            facts.links[&tls_link].outcome.status,
            LinkStatus::Tls { .. }
        ),
        "{:?}",
        facts.links[&tls_link].outcome.status
    );
    assert!(matches!(
        facts.links["http://gone.test/page.html"].outcome.status,
        LinkStatus::Dns { .. }
    ));
    assert_eq!(facts.stats.broken, 2);
}

#[tokio::test]
async fn honours_robots_crawl_delay() {
    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/a.html", "/b.html", "/c.html"])) }),
        )
        .route(
            "/robots.txt",
            get(|| async {
                (
                    [("content-type", "text/plain")],
                    "User-agent: *\nCrawl-delay: 1\n",
                )
                    .into_response()
            }),
        )
        .route("/{p}", get(|| async { ok(page("页", &[])) }));
    let s = serve(app).await;
    let mut cfg = fast_config();
    cfg.crawl.rate_per_origin = 50.0;
    let _ = crawl(cfg, site_for(&s)).await;
    let times: Vec<Instant> = s
        .log
        .requests()
        .iter()
        .filter(|r| r.path().ends_with(".html") || r.path() == "/")
        .map(|r| r.at)
        .collect();
    assert!(times.len() >= 4);
    for w in times.windows(2) {
        assert!(
            w[1].duration_since(w[0]) >= Duration::from_millis(900),
            "requests {:?} apart",
            w[1].duration_since(w[0])
        );
    }
}

/// A saved crawl taken in one page at a time (`SiteSeed::saved`, what a resumed scan gives the
/// crawler): its pages are not fetched again and what their links lead to is; a saved crawl
/// that cannot be read makes the site's crawl fail, saying so, rather than fetch and count
/// again what was saved.
#[tokio::test]
async fn a_saved_crawl_is_taken_in_page_by_page_and_a_failure_to_read_it_fails_the_site() {
    use govscan::crawl::{
        CrawlRules, Crawler, LinkFact, NoObserver, PageLink, PageRecord, SiteSeed, StoredCrawl,
    };
    use std::sync::Arc;

    struct Saved {
        pages: Vec<(PageRecord, Vec<PageLink>)>,
        links: Vec<LinkFact>,
        fail: bool,
    }
    impl StoredCrawl for Saved {
        type Error = String;
        fn page_urls(&self) -> Result<Vec<String>, String> {
            Ok(self.pages.iter().map(|(p, _)| p.url.clone()).collect())
        }
        fn links(&self) -> Result<Vec<LinkFact>, String> {
            Ok(self.links.clone())
        }
        fn for_each_page(
            &self,
            f: &mut dyn FnMut(PageRecord, Vec<PageLink>),
        ) -> Result<(), String> {
            for (i, (p, l)) in self.pages.iter().enumerate() {
                if self.fail && i == 1 {
                    return Err("disk I/O error".into());
                }
                f(p.clone(), l.clone());
            }
            Ok(())
        }
    }

    let app = Router::new()
        .route(
            "/",
            get(|| async { ok(page("首页", &["/a.html", "/b.html"])) }),
        )
        .route("/a.html", get(|| async { ok(page("甲", &["/c.html"])) }))
        .route("/b.html", get(|| async { ok(page("乙", &[])) }))
        .route("/c.html", get(|| async { ok(page("丙", &[])) }));
    let s = serve(app).await;
    let site = site_for(&s);
    let mut config = fast_config();
    config.sites.push(site.clone());
    let crawler = Arc::new(
        Crawler::new(
            Arc::new(config),
            CrawlRules::default(),
            Arc::new(NoObserver),
            2026,
        )
        .expect("crawler"),
    );
    // A first crawl, kept whole, gives what a killed crawl would have saved: the home page
    // and page a (with its link to c), and their link results.
    let first = crawler.crawl_site(&site).await;
    let keep = [s.url("/"), s.url("/a.html")];
    let saved_pages: Vec<(PageRecord, Vec<PageLink>)> = first
        .pages
        .iter()
        .filter(|p| keep.contains(&p.url))
        .map(|p| {
            let links = first
                .links
                .values()
                .filter(|l| l.referrers.iter().any(|r| *r.page == *p.url))
                .map(|l| PageLink {
                    to: l.url.clone(),
                    text: String::new(),
                    element: govscan::extract::LinkElement::A,
                })
                .collect();
            (p.clone(), links)
        })
        .collect();
    assert_eq!(saved_pages.len(), 2);
    let saved_links: Vec<LinkFact> = first
        .links
        .values()
        .filter(|l| keep.contains(&l.url))
        .cloned()
        .collect();
    let before = s.log.count_path("/a.html");
    let seed = |fail: bool| SiteSeed {
        saved: Some(Arc::new(Saved {
            pages: saved_pages.clone(),
            links: saved_links.clone(),
            fail,
        })),
        ..SiteSeed::default()
    };
    let resumed = crawler.crawl_site_seeded(&site, seed(false)).await;
    assert_eq!(resumed.error, None);
    assert_eq!(
        s.log.count_path("/a.html"),
        before,
        "a saved page is not fetched again"
    );
    assert!(
        status_of(&resumed, &s, "/c.html").is_ok(),
        "what it links is"
    );
    assert!(status_of(&resumed, &s, "/b.html").is_ok());
    assert_eq!(resumed.stats.pages, first.stats.pages);

    let fetched = s.log.count_path("/b.html");
    let failed = crawler.crawl_site_seeded(&site, seed(true)).await;
    assert_eq!(
        s.log.count_path("/b.html"),
        fetched,
        "nothing is fetched again"
    );
    let error = failed.error.expect("the site's crawl failed");
    assert!(error.contains("读取中断前保存的抓取记录失败"), "{error}");
    assert!(error.contains("disk I/O error"), "{error}");
}
