//! `[[site.account]]` and top-level `[[account]]` (issue 14).

use super::*;

const SITE: &str = r#"
[[site]]
name = "某县人民政府"
url = "http://www.example.gov.cn/"
"#;

fn located(text: &str) -> (String, Option<usize>) {
    match Config::parse(text, "c.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(ConfigError::Invalid { field, line, .. }) => (field, line),
        Err(e) => panic!("not located: {e}"),
    }
}

#[test]
fn accounts_in_a_site_and_at_top_level_are_read_into_their_site() {
    let text = format!(
        "{SITE}\n[[site.account]]\nplatform = \"微信\"\nname = \"某县发布\"\nunit = \"县委宣传部\"\nfeed = \"https://rss.example.org/wx/1.xml\"\n\n[[account]]\nsite = \"某县人民政府\"\nplatform = \"weibo\"\nname = \"某县微博\"\nfeed = \"http://rss.example.org/wb.xml\"\n"
    );
    let cfg = Config::parse(&text, "c.toml").unwrap_or_else(|e| panic!("{e}"));
    let accounts = &cfg.sites[0].accounts;
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0].platform, Platform::WeChat);
    assert_eq!(accounts[0].unit.as_deref(), Some("县委宣传部"));
    assert_eq!(accounts[1].platform, Platform::Weibo);
    assert!(!accounts[1].discovered);
    assert!(cfg.accounts.is_empty());
}

#[test]
fn an_unknown_platform_is_a_located_error() {
    let text = format!(
        "{SITE}\n[[site.account]]\nplatform = \"快手号\"\nname = \"某县发布\"\nfeed = \"https://rss.example.org/1.xml\"\n"
    );
    let e = Config::parse(&text, "c.toml").err().map(|e| e.to_string());
    let e = e.unwrap_or_default();
    assert!(e.starts_with("c.toml:7"), "{e}");
    assert!(e.contains("platform"), "{e}");
}

#[test]
fn a_feed_must_be_http() {
    let text = format!(
        "{SITE}\n[[site.account]]\nplatform = \"抖音\"\nname = \"某县发布\"\nfeed = \"ftp://rss.example.org/1.xml\"\n"
    );
    let (field, line) = located(&text);
    assert_eq!(field, "site[0].account[0].feed");
    assert_eq!(line, Some(9));
}

#[test]
fn a_top_level_account_of_an_unknown_site_is_located() {
    let text = format!(
        "{SITE}\n[[account]]\nsite = \"别的县\"\nplatform = \"头条\"\nname = \"x\"\nfeed = \"https://a.example.org/f\"\n"
    );
    let (field, line) = located(&text);
    assert_eq!(field, "account[0].site");
    assert_eq!(line, Some(7));
}

#[test]
fn platforms_parse_by_chinese_and_english_names() {
    assert_eq!(Platform::parse("客户端"), Some(Platform::App));
    assert_eq!(Platform::parse("WeChat"), Some(Platform::WeChat));
    assert_eq!(Platform::parse("快手"), None);
}
