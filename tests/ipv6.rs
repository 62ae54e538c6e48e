//! Availability probes and the IPv6 support degree against fixture servers on 127.0.0.1 and
//! [::1]. Every host name is pinned in `[resolve]` or an IP literal: no DNS query leaves the
//! machine.

mod common;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::checks;
use govscan::config::{Config, SiteConfig, SiteKind, SiteLevel};
use govscan::crawl::ipv6::{ipv6_support, link_levels, Ipv6Settings, DELEGATION_PINNED_NOTE};
use govscan::crawl::probe::Prober;
use govscan::crawl::{CrawlRules, Crawler, LinkStatus, NoObserver};
use govscan::demo::server::{drip, html, slow, spawn, Running};
use govscan::facts::{IpFamily, Probe};
use govscan::inspect::availability::findings as availability_findings;
use govscan::inspect::probe::{probe_until, run_probe};
use govscan::rules::RuleSet;
use govscan::store::Store;
use reqwest::Method;
use url::Url;

fn rules() -> RuleSet {
    RuleSet::embedded().expect("embedded rules")
}

/// A server on 127.0.0.1 and one on [::1] with the same port number, so that one URL
/// (`http://dual.test:PORT/`) reaches either depending on the address family. None when the
/// machine has no IPv6 loopback.
async fn dual_stack(v4: Router, v6: Router) -> Option<(Running, Running)> {
    for _ in 0..20 {
        let a = spawn("127.0.0.1:0".parse().expect("address"), v4.clone())
            .await
            .expect("bind 127.0.0.1");
        let port = a.addr.port();
        match spawn(
            SocketAddr::new("::1".parse().expect("address"), port),
            v6.clone(),
        )
        .await
        {
            Ok(b) => return Some((a, b)),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                a.shutdown().await;
                continue;
            }
            Err(e) => {
                eprintln!("no IPv6 loopback ({e}): test skipped");
                return None;
            }
        }
    }
    eprintln!("no port free on both 127.0.0.1 and [::1]: test skipped");
    None
}

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

/// The fast test settings with `dual.test` on both loopbacks and `v4only.test` on 127.0.0.1.
fn pinned_config() -> Config {
    let mut c = fast_config();
    c.resolve = BTreeMap::from([
        ("dual.test".to_string(), vec![ip("127.0.0.1"), ip("::1")]),
        ("v4only.test".to_string(), vec![ip("127.0.0.1")]),
    ]);
    c
}

fn site(name: &str, url: &str) -> SiteConfig {
    let mut s = SiteConfig::adhoc(Url::parse(url).expect("site URL"));
    s.name = name.into();
    s.level = SiteLevel::County;
    s.kind = SiteKind::Portal;
    s
}

fn page_with(title: &str, text: &str, links: &[String]) -> Response {
    let mut body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p>"
    );
    for (i, l) in links.iter().enumerate() {
        body.push_str(&format!("<a href=\"{l}\">栏目{}</a> ", i + 1));
    }
    body.push_str("</body></html>");
    html(StatusCode::OK, &body)
}

/// The port of the request's Host header (the fixture links to another host on it).
fn port_of(headers: &HeaderMap) -> String {
    headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map(|(_, p)| p.to_string())
        .unwrap_or_default()
}

/// A government site: the home page links to six pages of its own host and to four pages of
/// `v4only.test` (also the site's, but without an IPv6 address); each page links to pages
/// under it. `stamp` is dynamic text (a date and a counter) that differs per family.
fn gov_site(stamp: &'static str) -> Router {
    Router::new()
        .route(
            "/",
            get(move |headers: HeaderMap| async move {
                let port = port_of(&headers);
                let mut links: Vec<String> = (1..=6).map(|n| format!("/p{n}")).collect();
                links.extend((1..=4).map(|n| format!("http://v4only.test:{port}/q{n}")));
                page_with(
                    "示范县人民政府",
                    &format!("欢迎访问示范县人民政府门户网站。{stamp}"),
                    &links,
                )
            }),
        )
        .route(
            "/{page}",
            get(|Path(page): Path<String>| async move {
                let links: Vec<String> = if page.starts_with('p') {
                    vec![format!("/{page}/x1"), format!("/{page}/x2")]
                } else if page.starts_with('q') {
                    vec![format!("/{page}/y")]
                } else {
                    return html(StatusCode::NOT_FOUND, "<title>页面不存在</title>");
                };
                page_with(&format!("栏目{page}"), "栏目内容。", &links)
            }),
        )
        .route(
            "/{page}/{leaf}",
            get(|Path((page, leaf)): Path<(String, String)>| async move {
                page_with(&format!("{page}/{leaf}"), "文章正文。", &[])
            }),
        )
}

async fn crawler_for(config: Config) -> Arc<Crawler> {
    Arc::new(
        Crawler::new(
            Arc::new(config),
            CrawlRules::default(),
            Arc::new(NoObserver),
            2026,
        )
        .expect("crawler"),
    )
}

#[tokio::test]
async fn probes_force_the_address_family() {
    let Some((v4, v6)) = dual_stack(gov_site("v4"), gov_site("v6")).await else {
        return;
    };
    let port = v4.addr.port();
    // A server on [::1] only, reached by its IP literal.
    let Some(v6_only) = serve_v6(gov_site("v6 only")).await else {
        return;
    };
    let mut config = pinned_config();
    config.sites = vec![
        site("双栈站点", &format!("http://dual.test:{port}/")),
        site("仅IPv4站点", &format!("http://v4only.test:{port}/")),
        site("仅IPv6站点", &v6_only.url("/")),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("govscan.db")).expect("store");
    let sites = config.sites.clone();
    let round = run_probe(&config, &sites, &mut store, &rules())
        .await
        .expect("probe round");
    assert_eq!(round.probes.len(), 6);
    let get = |name: &str, family: IpFamily| {
        round
            .probes
            .iter()
            .find(|p| p.site == name && p.family == family)
            .unwrap_or_else(|| panic!("no {family:?} probe of {name}"))
            .clone()
    };
    let d4 = get("双栈站点", IpFamily::V4);
    let d6 = get("双栈站点", IpFamily::V6);
    assert!(d4.ok && d6.ok, "{d4:?} {d6:?}");
    assert_eq!(d4.address.as_deref(), Some("127.0.0.1"));
    assert_eq!(d6.address.as_deref(), Some("::1"));
    assert_eq!(d4.status, Some(200));
    assert!(d4.latency_ms.is_some());
    let o6 = get("仅IPv4站点", IpFamily::V6);
    assert!(!o6.ok);
    assert_eq!(o6.address, None);
    assert!(o6.error.as_deref().unwrap_or("").contains("AAAA"), "{o6:?}");
    assert!(get("仅IPv4站点", IpFamily::V4).ok);
    let l4 = get("仅IPv6站点", IpFamily::V4);
    assert!(!l4.ok, "{l4:?}");
    assert!(l4.error.as_deref().unwrap_or("").contains("IPv4"), "{l4:?}");
    assert!(get("仅IPv6站点", IpFamily::V6).ok);
    // Each family reached its own server only.
    assert_eq!(v4.log.count_path("/"), 2);
    assert_eq!(v6.log.count_path("/"), 1);
    assert_eq!(v6_only.log.count_path("/"), 1);
    // Stored.
    let as_of = govscan::asof::now() + chrono::Duration::seconds(5);
    let stored = store
        .probes("双栈站点", as_of - chrono::Duration::hours(1), as_of)
        .expect("read probes");
    assert_eq!(stored.len(), 2);
    assert!(
        round.summary().contains("IPv4失败1个，IPv6失败1个"),
        "{}",
        round.summary()
    );
}

#[tokio::test]
async fn a_page_not_received_within_the_timeout_fails_the_probe() {
    let app = Router::new()
        .route(
            "/",
            get(|| {
                slow(
                    Duration::from_millis(1200),
                    html(StatusCode::OK, "<title>迟到</title>"),
                )
            }),
        )
        .route(
            "/quick",
            get(|| slow(Duration::from_millis(200), html(StatusCode::OK, "好"))),
        )
        // Headers at once, the body over about 1.5 s: not fully received within 1 s.
        .route(
            "/drip",
            get(|| async { drip(b"<p>slow</p>", Duration::from_millis(150), 10) }),
        );
    let running = serve(app).await;
    let mut config = fast_config();
    let mut s = site("慢站点", &running.url("/"));
    config.sites.push(s.clone());
    let prober = Prober::from_config(&config).expect("prober");
    let started = Instant::now();
    let p = prober
        .probe_family(&s, IpFamily::V4, Duration::from_secs(1))
        .await;
    assert!(!p.ok, "{p:?}");
    assert_eq!(p.error.as_deref(), Some("timeout"));
    assert_eq!(p.address.as_deref(), Some("127.0.0.1"));
    assert!(started.elapsed() < Duration::from_millis(1150));
    // The same page within a longer timeout is a success.
    assert!(
        prober
            .probe_family(&s, IpFamily::V4, Duration::from_secs(3))
            .await
            .ok
    );
    s.url = Url::parse(&running.url("/quick")).expect("URL");
    assert!(
        prober
            .probe_family(&s, IpFamily::V4, Duration::from_secs(1))
            .await
            .ok
    );
    s.url = Url::parse(&running.url("/drip")).expect("URL");
    let p = prober
        .probe_family(&s, IpFamily::V4, Duration::from_secs(1))
        .await;
    assert!(!p.ok, "{p:?}");
    assert_eq!(p.error.as_deref(), Some("timeout"));
}

#[tokio::test]
async fn family_requests_wait_for_the_origin_rate_limiter() {
    let running =
        serve(Router::new().route("/", get(|| async { html(StatusCode::OK, "好") }))).await;
    let mut config = fast_config();
    let mut s = site("限速站点", &running.url("/"));
    s.crawl.rate_per_origin = Some(2.0);
    s.crawl.burst = Some(1);
    config.sites.push(s.clone());
    let prober = Prober::from_config(&config).expect("prober");
    let url = Url::parse(&running.url("/")).expect("URL");
    for _ in 0..3 {
        let f = prober
            .fetch(
                &url,
                IpFamily::V4,
                Method::GET,
                1024,
                Duration::from_secs(2),
            )
            .await;
        assert!(f.status.is_ok(), "{:?}", f.status);
        // Network time only: the wait for the limiter is not latency.
        assert!(f.latency_ms < 400, "{}", f.latency_ms);
    }
    let at: Vec<Instant> = running.log.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 3);
    for w in at.windows(2) {
        assert!(
            w[1].duration_since(w[0]) >= Duration::from_millis(400),
            "{:?}",
            w[1].duration_since(w[0])
        );
    }
}

#[tokio::test]
async fn ipv6_support_of_a_site_whose_pages_are_partly_ipv4_only() {
    let Some((v4, v6)) = dual_stack(
        gov_site("今天是2026年11月30日 09:15:02，访问量123456"),
        gov_site("今天是2026年11月30日 09:15:03，访问量123460"),
    )
    .await
    else {
        return;
    };
    let port = v4.addr.port();
    let mut config = pinned_config();
    let mut s = site("示范县人民政府", &format!("http://dual.test:{port}/"));
    s.hosts = vec!["v4only.test".into()];
    config.sites.push(s.clone());
    let crawler = crawler_for(config).await;
    let facts = crawler.crawl_site(&s).await;
    assert!(facts.error.is_none(), "{:?}", facts.error);
    assert_eq!(facts.stats.broken, 0);
    let rules = rules();
    // The levels are the same read from the facts reduced to what the checks hold (the
    // second-level pages' link lists and the links' results looked up).
    let levels = link_levels(&facts);
    let reduced = checks::reads::reduce(&facts, &rules);
    assert!(reduced.pages.len() < facts.pages.len());
    assert_eq!(link_levels(&reduced), levels);
    assert_eq!((levels.0.links.len(), levels.1.links.len()), (10, 16));
    let summary = ipv6_support(
        &crawler,
        &s,
        &facts,
        &Ipv6Settings::from_rules(&rules).expect("ipv6 rules"),
    )
    .await
    .expect("IPv6 measurement");
    let d = summary.detail.clone();
    assert!(summary.has_aaaa && summary.home_reachable, "{d:#?}");
    assert_eq!(d.aaaa, vec!["::1".to_string()]);
    assert_eq!(
        d.home_v6
            .as_ref()
            .and_then(|h| h.address.clone())
            .as_deref(),
        Some("::1")
    );
    // Second level: six pages on dual.test, four on v4only.test.
    assert_eq!((d.l2.checked, d.l2.reachable), (10, 6), "{:#?}", d.l2);
    assert_eq!(d.l2.rate, Some(0.6));
    assert!(d.l2.failures.iter().all(|f| f.url.contains("v4only.test")));
    assert!(d
        .l2
        .failures
        .iter()
        .all(|f| matches!(f.status, LinkStatus::Dns { .. })));
    // Third level: two under each dual.test page, one under each v4only.test page.
    assert_eq!((d.l3.checked, d.l3.reachable), (16, 12), "{:#?}", d.l3);
    assert_eq!(summary.links_checked, 26);
    assert_eq!(summary.links_reachable, 18);
    // The dates, times and counters differ; the pages are the same.
    let c = d.consistency.as_ref().expect("consistency measured");
    assert!(
        c.same_status && c.same_title && c.similarity == 1.0,
        "{c:?}"
    );
    assert_eq!(d.delegation.note.as_deref(), Some(DELEGATION_PINNED_NOTE));
    assert!(!d.delegation.checked);
    // Links went to the IPv6 server with HEAD.
    let v6_heads = v6
        .log
        .requests()
        .iter()
        .filter(|r| r.method == "HEAD")
        .count();
    assert_eq!(v6_heads, 18);

    let f = checks::ipv6::check(s.url.as_str(), s.level, s.kind, &summary, &rules);
    let ids: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(ids, vec!["ipv6.coverage"], "{f:#?}");
    assert!(
        f[0].message.contains("二级链接IPv6支持率60.0%"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].message.contains("三级链接IPv6支持率75.0%"),
        "{}",
        f[0].message
    );
}

#[tokio::test]
async fn different_content_over_ipv6_is_reported() {
    let v6_app = Router::new().route(
        "/",
        get(|| async {
            page_with(
                "IIS Windows Server",
                "Internet Information Services welcome page",
                &[],
            )
        }),
    );
    let Some((v4, _v6)) = dual_stack(gov_site("正常内容"), v6_app).await else {
        return;
    };
    let mut config = pinned_config();
    let s = site(
        "内容不一致站点",
        &format!("http://dual.test:{}/", v4.addr.port()),
    );
    config.sites.push(s.clone());
    let crawler = crawler_for(config).await;
    let facts = crawler.crawl_site(&s).await;
    let summary = ipv6_support(
        &crawler,
        &s,
        &facts,
        &Ipv6Settings::from_rules(&rules()).expect("ipv6 rules"),
    )
    .await
    .expect("IPv6 measurement");
    let d = summary.detail.clone();
    let c = d.consistency.as_ref().expect("consistency measured");
    assert!(
        c.same_status && !c.same_title && c.similarity < 0.5,
        "{c:?}"
    );
    let f = checks::ipv6::check(s.url.as_str(), s.level, s.kind, &summary, &rules());
    let consistency: Vec<_> = f.iter().filter(|f| f.rule == "ipv6.consistency").collect();
    assert_eq!(consistency.len(), 1, "{f:#?}");
    assert!(consistency[0].message.contains("IIS Windows Server"));
    // The second-level pages do not exist over IPv6: coverage is reported too.
    assert!(f.iter().any(|f| f.rule == "ipv6.coverage"), "{f:#?}");
}

#[tokio::test]
async fn an_ipv4_only_site_is_unsupported() {
    let running = serve(gov_site("v4")).await;
    let mut config = pinned_config();
    let mut s = site(
        "仅IPv4站点",
        &format!("http://v4only.test:{}/", running.addr.port()),
    );
    s.crawl.max_pages = Some(3);
    config.sites.push(s.clone());
    let crawler = crawler_for(config).await;
    let facts = crawler.crawl_site(&s).await;
    let summary = ipv6_support(
        &crawler,
        &s,
        &facts,
        &Ipv6Settings::from_rules(&rules()).expect("ipv6 rules"),
    )
    .await
    .expect("IPv6 measurement");
    assert!(!summary.has_aaaa && !summary.home_reachable);
    assert_eq!(summary.links_checked, 0);
    let d = summary.detail.clone();
    assert!(d.l2.note.as_deref().unwrap_or("").contains("not checked"));
    let f = checks::ipv6::check(s.url.as_str(), s.level, s.kind, &summary, &rules());
    let ids: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(ids, vec!["ipv6.unsupported"], "{f:#?}");
    assert!(f[0].message.contains("没有AAAA记录"), "{}", f[0].message);
}

#[tokio::test]
async fn probe_rounds_repeat_until_stopped() {
    let running = serve(gov_site("v4")).await;
    let mut config = pinned_config();
    let s = site(
        "定时探测站点",
        &format!("http://v4only.test:{}/", running.addr.port()),
    );
    config.sites.push(s.clone());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("govscan.db")).expect("store");
    let mut seen = 0usize;
    let rounds = probe_until(
        Duration::from_millis(250),
        &config,
        std::slice::from_ref(&s),
        &mut store,
        &rules(),
        tokio::time::sleep(Duration::from_millis(700)),
        |r| {
            seen += 1;
            assert_eq!(r.probes.len(), 2);
        },
    )
    .await
    .expect("probe rounds");
    assert!(rounds >= 2, "{rounds}");
    assert_eq!(rounds, seen);
    let as_of = govscan::asof::now() + chrono::Duration::seconds(5);
    let stored = store
        .probes(&s.name, as_of - chrono::Duration::hours(1), as_of)
        .expect("read probes");
    assert_eq!(stored.len(), 2 * rounds);
    assert_eq!(running.log.count_path("/"), rounds);
}

/// A week of stored probes, `per_day` a day, `failed` of the IPv4 ones failed, as of 2026-11-30 09:00.
fn week(
    store: &mut Store,
    name: &str,
    per_day: i64,
    failed: usize,
) -> chrono::DateTime<chrono::FixedOffset> {
    let as_of = govscan::asof::parse("2026-11-30T09:00:00+08:00").expect("time");
    let start = as_of - chrono::Duration::days(7);
    let n = 7 * per_day;
    let step = 86_400 / per_day;
    let every = usize::try_from(n).unwrap_or(1) / failed.max(1);
    let probes: Vec<Probe> = (0..n)
        .flat_map(|i| {
            let idx = usize::try_from(i).unwrap_or(0);
            let ok = failed == 0 || idx % every != 0 || idx / every >= failed;
            let at = start + chrono::Duration::seconds(i * step + 10);
            // IPv6 always answers: only IPv4 counts for availability.
            [(IpFamily::V4, ok), (IpFamily::V6, true)].map(|(family, ok)| Probe {
                site: name.into(),
                at,
                family,
                address: None,
                ok,
                status: ok.then_some(200),
                latency_ms: Some(100),
                error: (!ok).then(|| "timeout".into()),
            })
        })
        .collect();
    store.save_probes(&probes).expect("save probes");
    as_of
}

#[tokio::test]
async fn availability_is_judged_from_the_stored_week() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("govscan.db")).expect("store");
    let rules = rules();
    let veto_site = site("六个百分点", "https://a.example.gov.cn/");
    let warn_site = site("四个百分点", "https://b.example.gov.cn/");
    let few_site = site("样本不足", "https://c.example.gov.cn/");
    let as_of = week(&mut store, &veto_site.name, 50, 21);
    week(&mut store, &warn_site.name, 50, 14);
    week(&mut store, &few_site.name, 12, 0);
    let ids = |s: &SiteConfig| -> Vec<String> {
        availability_findings(&store, s, &rules, as_of)
            .expect("findings")
            .into_iter()
            .map(|f| f.rule)
            .collect()
    };
    assert_eq!(ids(&veto_site), vec!["site.unreachable"]);
    assert_eq!(ids(&warn_site), vec!["site.unreachable.warn"]);
    assert_eq!(ids(&few_site), vec!["site.unreachable.samples"]);
}
