use super::*;

fn url() -> Url {
    Url::parse("http://rss.example.gov.cn/wx/feed.xml").unwrap()
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>某县发布</title><link>http://www.example.gov.cn/</link>
<item><title>县政府召开常务会议</title><link>/2026/11/28/a.html</link>
<pubDate>Sat, 28 Nov 2026 09:30:00 CST</pubDate><description><![CDATA[<p>会议 <b>研究</b>了</p>]]></description></item>
<item><title>冬季防火提示</title><link>http://www.example.gov.cn/b.html</link>
<pubDate>Fri, 20 Nov 2026 18:00:00 +0800</pubDate></item>
<item><title>没有日期的一条</title><link>http://www.example.gov.cn/c.html</link></item>
<item><title>日期写坏了</title><pubDate>某年某月</pubDate></item>
</channel></rss>"#;

#[test]
fn rss_with_chinese_time_zones_and_undated_entries() {
    let f = parse_feed(RSS.as_bytes(), Some("application/rss+xml"), &url()).unwrap();
    assert_eq!(f.format, "RSS 2.0");
    assert_eq!(f.title.as_deref(), Some("某县发布"));
    assert_eq!(f.total, 4);
    assert_eq!(f.undated, 2);
    assert_eq!(f.entries[0].title, "县政府召开常务会议");
    assert_eq!(
        f.entries[0].link.as_deref(),
        Some("http://rss.example.gov.cn/2026/11/28/a.html")
    );
    // CST is China Standard Time (+08:00), not US Central.
    assert_eq!(f.entries[0].date, Some(at("2026-11-28T09:30:00+08:00")));
    assert_eq!(f.entries[0].summary, "会议 研究了");
    let as_of = at("2026-11-30T10:00:00+08:00");
    assert_eq!(f.newest(as_of), Some(at("2026-11-28T09:30:00+08:00")));
    assert_eq!(f.posts_within(as_of, 7), 1);
    assert_eq!(f.posts_within(as_of, 14), 2);
    let a = f.activity(as_of, &[7, 14, 90]);
    assert_eq!(a.posts, vec![(7, 1), (14, 2), (90, 2)]);
    // 1 Nov → 20 Nov is the longest stretch of the month.
    assert_eq!(a.longest_gap_days, 19);
}

#[test]
fn atom_and_json_feed() {
    let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>某市微博</title><id>x</id><updated>2026-11-01T00:00:00Z</updated>
<entry><title>通知</title><id>1</id><link href="http://a.example.gov.cn/1"/><updated>2026-11-25T08:00:00</updated></entry>
</feed>"#;
    let f = parse_feed(atom.as_bytes(), None, &url()).unwrap();
    assert_eq!(f.format, "Atom");
    // ISO 8601 without a zone is China Standard Time.
    assert_eq!(f.entries[0].date, Some(at("2026-11-25T08:00:00+08:00")));
    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"某县抖音",
      "items":[{"id":"1","url":"http://a.example.gov.cn/v/1","title":"视频","content_text":"正文",
                "date_published":"2026-10-01T10:00:00+08:00"}]}"#;
    let f = parse_feed(json.as_bytes(), Some("application/feed+json"), &url()).unwrap();
    assert_eq!(f.format, "JSON Feed");
    assert_eq!(f.entries[0].summary, "正文");
    assert_eq!(f.entries[0].date, Some(at("2026-10-01T10:00:00+08:00")));
}

#[test]
fn gbk_rss_is_decoded_from_its_declaration() {
    let text = RSS.replace("UTF-8", "GBK");
    let (body, _, _) = encoding_rs::GBK.encode(&text);
    // The server says nothing about the charset: the declaration decides.
    let f = parse_feed(&body, Some("text/xml"), &url()).unwrap();
    assert_eq!(f.encoding, "gb18030");
    assert_eq!(f.title.as_deref(), Some("某县发布"));
    assert_eq!(f.entries[1].title, "冬季防火提示");
    // No declaration, charset in the Content-Type.
    let text = RSS.replace(r#"<?xml version="1.0" encoding="UTF-8"?>"#, "");
    let (body, _, _) = encoding_rs::GBK.encode(&text);
    let f = parse_feed(&body, Some("text/xml; charset=gb2312"), &url()).unwrap();
    assert_eq!(f.title.as_deref(), Some("某县发布"));
}

#[test]
fn malformed_xml_and_html_are_errors() {
    assert!(parse_feed(b"<rss><channel><item><title>x</channel>", None, &url()).is_err());
    assert!(parse_feed(b"<html><body>404</body></html>", None, &url()).is_err());
    assert!(parse_feed(b"", None, &url()).is_err());
}

#[test]
fn odd_dates() {
    let cn = |s: &str| parse_date(s);
    assert_eq!(
        cn("2026-11-20 10:00:00"),
        Some(at("2026-11-20T10:00:00+08:00"))
    );
    assert_eq!(cn("2026/11/20"), Some(at("2026-11-20T00:00:00+08:00")));
    assert_eq!(cn("2026年11月20日"), Some(at("2026-11-20T00:00:00+08:00")));
    assert_eq!(
        cn("2026年11月20日 10:05"),
        Some(at("2026-11-20T10:05:00+08:00"))
    );
    assert_eq!(
        cn("20 Nov 2026 10:00:00 GMT+8"),
        Some(at("2026-11-20T10:00:00+08:00"))
    );
    assert_eq!(
        cn("Mon, 20 Nov 2026 10:00 +0800"),
        Some(at("2026-11-20T10:00:00+08:00"))
    );
    assert_eq!(
        cn("2026-11-20T10:00:00+0800"),
        Some(at("2026-11-20T10:00:00+08:00"))
    );
    assert_eq!(
        cn("2026-11-20T02:00:00Z"),
        Some(at("2026-11-20T10:00:00+08:00"))
    );
    assert_eq!(cn("昨天"), None);
    assert_eq!(cn(""), None);
}

#[test]
fn accounts_are_discovered_from_alternate_links_and_the_matrix_page() {
    let rules = crate::rules::RuleSet::embedded().unwrap();
    let d = Discovery::from_rules(&rules);
    let home = Url::parse("http://www.example.gov.cn/").unwrap();
    let html = r#"<HTML><HEAD><TITLE>某县人民政府</TITLE>
<LINK REL="alternate" TYPE="application/rss+xml" TITLE="某县发布 微信公众号" HREF="/rss/wx.xml">
<link rel="stylesheet" href="/a.css"><link rel="alternate" hreflang="en" href="/en/">
</HEAD><BODY><A HREF="/rss/other.xml">不是矩阵页上的链接</A></BODY></HTML>"#;
    let f = discover(&Html::parse_document(html), &home, Some("某县人民政府"), &d);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].url, "http://www.example.gov.cn/rss/wx.xml");
    assert_eq!(f[0].platform.as_deref(), Some("微信"));
    assert_eq!(f[0].found_by, FoundBy::AlternateLink);

    let matrix = r#"<html><head><title>政务新媒体矩阵</title></head><body>
<table><tr><td>微博</td><td>某县发布</td><td><a href="../feeds/wb.xml">RSS订阅</a></td></tr>
<tr><td>抖音</td><td><a href="http://bridge.example.org/dy/123/feed" title="某县融媒">订阅</a></td></tr>
<tr><td>网站</td><td><a href="/gzdt/">工作动态</a></td></tr></table></body></html>"#;
    let page = Url::parse("http://www.example.gov.cn/xmt/index.html").unwrap();
    let f = discover(
        &Html::parse_document(matrix),
        &page,
        Some("政务新媒体矩阵"),
        &d,
    );
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[0].url, "http://www.example.gov.cn/feeds/wb.xml");
    assert_eq!(f[0].platform.as_deref(), Some("微博"));
    assert_eq!(f[0].name.as_deref(), Some("某县发布"), "{f:?}");
    assert_eq!(f[1].name.as_deref(), Some("某县融媒"));
    assert_eq!(f[1].platform.as_deref(), Some("抖音"));
    assert_eq!(f[1].found_by, FoundBy::MatrixPage);
}
