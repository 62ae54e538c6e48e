//! The validator refuses values that parse but would break or never end the run (issue 11).

use super::*;

fn err(text: &str) -> ConfigError {
    match Config::parse(text, "c.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e,
    }
}

fn assert_located(text: &str, field: &str, line: usize) {
    let e = err(text);
    match &e {
        ConfigError::Invalid {
            line: l, field: f, ..
        } => {
            assert_eq!(f, field, "{e}");
            assert_eq!(*l, Some(line), "{e}");
        }
        other => panic!("not located: {other}"),
    }
}

#[test]
fn never_ending_and_zero_values_are_refused_at_their_line() {
    let cases: &[(&str, &str)] = &[
        ("rate_per_origin = 1e-300", "crawl.rate_per_origin"),
        ("rate_per_origin = nan", "crawl.rate_per_origin"),
        ("retries = 4294967295", "crawl.retries"),
        (
            "retry_backoff = \"100000000000000s\"",
            "crawl.retry_backoff",
        ),
        (
            "max_retry_after = \"18446744073709551615s\"",
            "crawl.max_retry_after",
        ),
        (
            "total_timeout = \"18446744073709551615s\"",
            "crawl.total_timeout",
        ),
        ("connect_timeout = \"0s\"", "crawl.connect_timeout"),
        ("max_url_length = 0", "crawl.max_url_length"),
        ("max_pages = 0", "crawl.max_pages"),
        ("max_links_per_page = 0", "crawl.max_links_per_page"),
        ("parse_concurrency = 0", "crawl.parse_concurrency"),
        ("max_body_bytes = 0", "crawl.max_body_bytes"),
        ("max_crawl_delay = \"100000h\"", "crawl.max_crawl_delay"),
        ("burst = 0", "crawl.burst"),
    ];
    for (line, field) in cases {
        let text = format!("# config\n[crawl]\nconcurrency_per_site = 2\n{line}\nburst = 3\n");
        let text = if line.starts_with("burst") {
            format!("# config\n[crawl]\nconcurrency_per_site = 2\n{line}\n")
        } else {
            text
        };
        assert_located(&text, field, 4);
    }
}

#[test]
fn dns_timeout_zero_is_refused() {
    assert_located(
        "[crawl]\nburst = 2\n[dns]\ntimeout = \"0s\"\n",
        "dns.timeout",
        4,
    );
}

#[test]
fn user_agent_with_line_break_is_a_located_error() {
    assert_located(
        "[crawl]\nburst = 2\nuser_agent = \"govscan\\r\\nX-Evil: 1\"\n",
        "crawl.user_agent",
        3,
    );
}

#[test]
fn two_sites_with_one_url_are_refused() {
    let text = "[[site]]\nname = \"a\"\nurl = \"http://a.gov.cn/\"\n\n[[site]]\nname = \"b\"\nurl = \"http://a.gov.cn/\"\n";
    assert_located(text, "site[1].url", 7);
}

#[test]
fn site_overrides_are_range_checked() {
    let text = "[[site]]\nname = \"a\"\nurl = \"http://a.gov.cn/\"\n[site.crawl]\nmax_pages = 0\n";
    assert_located(text, "site[0].crawl.max_pages", 5);
    let text = "[[site]]\nname = \"a\"\nurl = \"http://a.gov.cn/\"\n[site.crawl]\nrate_per_origin = 1e-300\n";
    assert_located(text, "site[0].crawl.rate_per_origin", 5);
}

#[test]
fn sane_values_and_the_shipped_config_pass() {
    Config::parse(DEFAULT_CONFIG, "config.toml").unwrap();
    Config::parse(
        "[crawl]\nrate_per_origin = 0\nretries = 10\nmax_retry_after = \"1h\"\nmax_depth = 0\n",
        "c.toml",
    )
    .unwrap();
    Config::parse("[crawl]\nrate_per_origin = 0.1\n", "c.toml").unwrap();
}

#[test]
fn outward_services_is_read_and_refused_on_a_portal() {
    let text = "[[site]]\nname = \"a\"\nurl = \"http://a.gov.cn/\"\nkind = \"portal\"\noutward_services = false\n";
    assert_located(text, "site[0].outward_services", 5);
    let text = "[[site]]\nname = \"a\"\nurl = \"http://a.gov.cn/\"\nkind = \"department\"\noutward_services = false\n\n[[site]]\nname = \"b\"\nurl = \"http://b.gov.cn/\"\n";
    let c = Config::parse(text, "c.toml").expect("valid");
    assert_eq!(c.sites[0].outward_services, Some(false));
    assert!(!c.sites[0].offers_services());
    // Unset: a department has outward services; a portal always has them.
    assert!(c.sites[1].offers_services());
}
