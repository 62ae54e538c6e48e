//! Property tests (issue 11): page extraction, robots.txt and config parsing never panic on
//! arbitrary input. Run by `cargo test` with a fixed, small budget (a few seconds) and a
//! fixed seed, so CI is repeatable; raise `PROPTEST_CASES` locally to search longer.

use govscan::config::Config;
use govscan::extract::{self, bounded, FactRules};
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, RngAlgorithm, TestRng, TestRunner};
use url::Url;

fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    TestRunner::new_with_rng(
        PtConfig {
            cases,
            failure_persistence: None,
            ..PtConfig::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    )
}

/// HTML-ish text: fragments of real CMS markup (tag soup, upper-case tags, unclosed cells,
/// relative links, scripts, comments, entities, GBK-looking bytes) mixed with noise.
fn htmlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<TABLE><TR><TD>".to_string()),
        Just("<div class=\"list\"><ul><li>".to_string()),
        Just("</div></ul>".to_string()),
        Just("<a href=\"../gzdt/\">工作动态</a>".to_string()),
        Just("<a href='./202406/t20240601_1.html'>通知 2024-06-01</a>".to_string()),
        Just("<A HREF=javascript:window.open('/x.html')>打开".to_string()),
        Just("<script>document.write('<a href=\"/p/'+i+'\">')</script>".to_string()),
        Just("<!-- <div> --><base href=\"/base/\">".to_string()),
        Just("<meta http-equiv=refresh content=\"0;url=/index.shtml\">".to_string()),
        Just("<img src=\"data:,\" alt=图>".to_string()),
        Just("<title>政府网站</title>".to_string()),
        Just("&amp;&#x4e2d;&nbsp;&#99999999;".to_string()),
        Just("<div>".repeat(50)),
        Just("\u{0}\u{1}\u{fffd}".to_string()),
        "[ -~\u{4e00}-\u{4e20}<>/\"'=]{0,40}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

#[test]
fn page_extraction_never_panics() {
    let url = Url::parse("http://www.example.gov.cn/zwgk/index.html").unwrap();
    let rules = FactRules::default();
    runner(200)
        .run(
            &(htmlish(), proptest::collection::vec(any::<u8>(), 0..64)),
            |(html, noise)| {
                let mut body = html.into_bytes();
                body.extend(noise);
                let _ = bounded::looks_binary(&body);
                let d = extract::decode(&body, Some("text/html"));
                let shape = bounded::shape(&d.text);
                let (scanned, found) = bounded::scan_links(&d.text, &url, d.encoding, &[], 20);
                prop_assert!(scanned.links.len() <= 20);
                prop_assert!(found >= scanned.links.len());
                let doc = scraper::Html::parse_document(&d.text);
                let (page, found) =
                    extract::extract_document_capped(&doc, &url, d.encoding, &[], 20);
                prop_assert!(page.links.len() <= 20 && found >= page.links.len());
                let _ = extract::page_facts(&doc, &page, &url, 1, &rules);
                let _ = shape;
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn shape_is_linear_on_arbitrary_bytes() {
    runner(300)
        .run(&proptest::collection::vec(any::<u8>(), 0..4096), |bytes| {
            let text = String::from_utf8_lossy(&bytes);
            let s = bounded::shape(&text);
            prop_assert!(s.depth <= s.elements);
            Ok(())
        })
        .unwrap();
}

fn robotsish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("User-agent: *".to_string()),
        Just("User-agent: govscan".to_string()),
        Just("Disallow: /".to_string()),
        Just("Disallow: /admin/*?".to_string()),
        Just("Allow: /zwgk/$".to_string()),
        Just("Crawl-delay: 10".to_string()),
        Just("Crawl-delay: 1e300".to_string()),
        Just("Crawl-delay: -5".to_string()),
        Just("Crawl-delay: NaN".to_string()),
        Just("Sitemap: http://x/sitemap.xml".to_string()),
        "[ -~\u{4e00}-\u{4e10}]{0,30}",
    ];
    proptest::collection::vec(line, 0..30).prop_map(|v| v.join("\n"))
}

#[test]
fn robots_parsing_never_panics() {
    runner(300)
        .run(&(robotsish(), "[a-z/?*$%]{0,20}"), |(text, path)| {
            if let Ok(r) = texting_robots::Robot::new("govscan", text.as_bytes()) {
                let _ = r.allowed(&format!("http://www.example.gov.cn/{path}"));
                if let Some(d) = r.delay {
                    let _ = std::time::Duration::try_from_secs_f64(f64::from(d));
                }
            }
            Ok(())
        })
        .unwrap();
}

fn configish() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e-300".to_string()),
        Just("1e300".to_string()),
        Just("nan".to_string()),
        Just("4294967295".to_string()),
        Just("18446744073709551615".to_string()),
        Just("9223372036854775807".to_string()),
        Just("\"0s\"".to_string()),
        Just("\"100000000000000s\"".to_string()),
        Just("\"18446744073709551615s\"".to_string()),
        Just("\"10s\"".to_string()),
        Just("\"a\\r\\nb\"".to_string()),
        Just("true".to_string()),
        Just("[]".to_string()),
        (0u64..100_000).prop_map(|n| n.to_string()),
    ];
    let key = prop_oneof![
        Just("rate_per_origin"),
        Just("burst"),
        Just("max_in_flight"),
        Just("concurrency_per_site"),
        Just("connect_timeout"),
        Just("total_timeout"),
        Just("max_body_bytes"),
        Just("max_pages"),
        Just("max_depth"),
        Just("max_links"),
        Just("max_redirects"),
        Just("max_crawl_delay"),
        Just("max_query_variants"),
        Just("max_url_length"),
        Just("retries"),
        Just("retry_backoff"),
        Just("max_retry_after"),
        Just("user_agent"),
        Just("max_links_per_page"),
        Just("parse_concurrency"),
    ];
    let line = (key, value).prop_map(|(k, v)| format!("{k} = {v}"));
    (
        proptest::collection::vec(line.clone(), 0..8),
        proptest::collection::vec(line, 0..4),
        any::<bool>(),
    )
        .prop_map(|(crawl, site, dns)| {
            let mut t = format!("[crawl]\n{}\n", crawl.join("\n"));
            if dns {
                t.push_str("[dns]\ntimeout = \"0s\"\n");
            }
            t.push_str(&format!(
                "[[site]]\nname = \"甲\"\nurl = \"http://a.gov.cn/\"\n[site.crawl]\n{}\n",
                site.join("\n")
            ));
            t
        })
}

#[test]
fn config_parsing_never_panics_and_accepted_values_are_in_range() {
    runner(300)
        .run(&configish(), |text| {
            if let Ok(c) = Config::parse(&text, "fuzz.toml") {
                // Whatever is accepted can be used: the crawl's arithmetic on it is defined.
                for s in std::iter::once(c.crawl.clone())
                    .chain(c.sites.iter().map(|site| c.crawl_for(site)))
                {
                    prop_assert!(s.max_pages >= 1 && s.max_url_length >= 16);
                    prop_assert!(!s.connect_timeout.is_zero() && !s.total_timeout.is_zero());
                    prop_assert!(s.retries <= 10);
                    prop_assert!(s.rate_per_origin == 0.0 || s.rate_per_origin >= 0.001);
                    prop_assert!(!s.user_agent.contains('\r') && !s.user_agent.contains('\n'));
                }
            }
            Ok(())
        })
        .unwrap();
    runner(300)
        .run(&"[ -~\n\u{4e00}-\u{4e10}]{0,200}", |text| {
            let _ = Config::parse(&text, "fuzz.toml");
            Ok(())
        })
        .unwrap();
}
