//! Feeds of government new-media accounts (政务新媒体): the body of a feed decoded from its
//! declared encoding and parsed with `feed-rs` (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into
//! [`FeedFacts`]; dates read the way Chinese feeds write them (RFC 822 with `+0800` or `CST`
//! for China Standard Time, ISO 8601 without a zone taken as +08:00, `2026年11月20日`); and
//! discovery of accounts on a site's pages (`<link rel="alternate">` feeds, and the links of
//! its 政务新媒体 / 新媒体矩阵 page).

use std::io::Cursor;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc,
};
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use url::Url;

/// Entries kept of one feed (the newest first).
pub const MAX_ENTRIES: usize = 200;
/// Characters kept of an entry's summary text.
const MAX_SUMMARY_CHARS: usize = 2000;
/// Accounts discovered on one page at most.
const MAX_DISCOVERED: usize = 50;

/// China Standard Time, the zone of a date written without one.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// One entry (post) of a feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEntry {
    pub title: String,
    /// The entry's link, absolute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Publication date (or the update date when it has none), in China Standard Time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<DateTime<FixedOffset>>,
    /// The summary or content as plain text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
}

/// What a feed says about its account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedFacts {
    /// `RSS 2.0`, `Atom`, `JSON Feed`…
    pub format: String,
    /// The encoding the body was decoded from.
    pub encoding: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Entries, newest first, at most [`MAX_ENTRIES`].
    pub entries: Vec<FeedEntry>,
    /// Entries in the feed (all of them, kept or not).
    pub total: usize,
    /// Entries without a readable date.
    pub undated: usize,
}

/// The account's activity at an as-of time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// The newest post on or before the as-of time.
    pub newest: Option<DateTime<FixedOffset>>,
    /// Posts within the windows, as `(days, posts)`.
    pub posts: Vec<(i64, usize)>,
    /// The longest stretch without a post in the as-of time's calendar month (from its first
    /// day to the as-of time), in whole days.
    pub longest_gap_days: i64,
}

impl FeedFacts {
    /// Dated entries, on or before `as_of` (a post dated in the future is not evidence of
    /// activity now).
    fn dates_until(&self, as_of: DateTime<FixedOffset>) -> Vec<DateTime<FixedOffset>> {
        let mut d: Vec<_> = self
            .entries
            .iter()
            .filter_map(|e| e.date)
            .filter(|d| *d <= as_of)
            .collect();
        d.sort();
        d
    }

    /// Posts within `days` days before `as_of`.
    pub fn posts_within(&self, as_of: DateTime<FixedOffset>, days: i64) -> usize {
        let from = as_of - Duration::days(days);
        self.dates_until(as_of)
            .iter()
            .filter(|d| **d > from)
            .count()
    }

    /// The newest post on or before `as_of`.
    pub fn newest(&self, as_of: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        self.dates_until(as_of).last().copied()
    }

    /// The activity at `as_of` with the post counts of `windows` (days).
    pub fn activity(&self, as_of: DateTime<FixedOffset>, windows: &[i64]) -> Activity {
        let dates = self.dates_until(as_of);
        let local = as_of.with_timezone(&china());
        let month_start = NaiveDate::from_ymd_opt(local.year(), local.month(), 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|d| china().from_local_datetime(&d).single())
            .unwrap_or(as_of);
        let mut points = vec![month_start];
        points.extend(dates.iter().filter(|d| **d > month_start).copied());
        points.push(as_of);
        let longest_gap_days = points
            .windows(2)
            .map(|w| (w[1] - w[0]).num_days())
            .max()
            .unwrap_or(0);
        Activity {
            newest: dates.last().copied(),
            posts: windows
                .iter()
                .map(|w| (*w, self.posts_within(as_of, *w)))
                .collect(),
            longest_gap_days,
        }
    }
}

/// The body of a feed as UTF-8 text, decoded from the encoding its XML declaration names
/// (else the Content-Type's charset, else UTF-8 with a BOM or when valid, else GB18030), with
/// the declaration rewritten to say UTF-8. Returns the text and the encoding's name.
pub fn decode_feed(body: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(body) {
        let (text, _, _) = enc.decode(body);
        return (rewrite_declaration(&text), enc.name());
    }
    static DECL: std::sync::LazyLock<Option<regex::bytes::Regex>> =
        std::sync::LazyLock::new(|| {
            regex::bytes::Regex::new(
                r#"(?i)^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']"#,
            )
            .ok()
        });
    let head = &body[..body.len().min(512)];
    let declared = DECL
        .as_ref()
        .and_then(|re| re.captures(head))
        .and_then(|c| c.get(1))
        .and_then(|m| encoding_rs::Encoding::for_label(m.as_bytes()));
    let from_header = content_type.and_then(|ct| {
        ct.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .and_then(|(_, v)| {
                encoding_rs::Encoding::for_label(v.trim().trim_matches('"').as_bytes())
            })
    });
    let enc = declared.or(from_header).unwrap_or_else(|| {
        if std::str::from_utf8(body).is_ok() {
            encoding_rs::UTF_8
        } else {
            encoding_rs::GB18030
        }
    });
    // GB2312 and GBK labels decode as GBK, a subset of GB18030: read them as GB18030.
    let enc = if enc == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        enc
    };
    let (text, _) = enc.decode_without_bom_handling(body);
    (rewrite_declaration(&text), enc.name())
}

/// The XML declaration of decoded text made to say UTF-8 (the text is UTF-8 now).
fn rewrite_declaration(text: &str) -> String {
    static ENC: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
        Regex::new(r#"(?i)^(\s*<\?xml[^>]*?\bencoding\s*=\s*)["'][^"']*["']"#).ok()
    });
    match ENC.as_ref() {
        Some(re) => re.replace(text, "${1}\"UTF-8\"").into_owned(),
        None => text.to_string(),
    }
}

/// A feed's date as Chinese feeds write it: RFC 822/2822 (`CST`, `+0800`, `GMT+8`, a missing
/// weekday or seconds), RFC 3339, ISO 8601 or `YYYY-MM-DD HH:MM[:SS]` without a zone (China
/// Standard Time), `YYYY/MM/DD`, `YYYY年MM月DD日 [HH:MM]`, or a bare date.
pub fn parse_date(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    // RFC 822: Chinese servers write CST for China Standard Time, or GMT+8; the weekday may
    // be missing or wrong.
    static ZONE: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
        Regex::new(r"(?i)\s*(?:\bCST\b|\bBeijing\b|GMT\s*\+\s*0?8(?::?00)?|UTC\s*\+\s*0?8(?::?00)?|\+08:00)\s*$").ok()
    });
    let mut rfc = s.to_string();
    if let Some(re) = ZONE.as_ref() {
        if re.is_match(&rfc) {
            rfc = format!("{} +0800", re.replace(&rfc, ""));
        }
    }
    let no_weekday = rfc
        .split_once(',')
        .map(|(_, rest)| rest.trim().to_string())
        .unwrap_or_else(|| rfc.clone());
    for cand in [rfc.as_str(), no_weekday.as_str()] {
        if let Ok(d) = DateTime::parse_from_rfc2822(cand) {
            return Some(d);
        }
        for f in [
            "%d %b %Y %H:%M:%S %z",
            "%d %b %Y %H:%M %z",
            "%d %B %Y %H:%M:%S %z",
        ] {
            if let Ok(d) = DateTime::parse_from_str(cand, f) {
                return Some(d);
            }
        }
    }
    // ISO 8601 with a zone the RFC 3339 parser refuses (+0800, a space for the T).
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d);
        }
    }
    // No zone: China Standard Time.
    let local = |n: NaiveDateTime| china().from_local_datetime(&n).single();
    let s_cn = s.replace(['年', '月', '/', '.'], "-").replace('日', " ");
    let s_cn = s_cn.trim();
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) =
            NaiveDateTime::parse_from_str(s, f).or_else(|_| NaiveDateTime::parse_from_str(s_cn, f))
        {
            return local(n);
        }
    }
    for f in ["%Y-%m-%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s_cn, f) {
            return d.and_hms_opt(0, 0, 0).and_then(local);
        }
    }
    None
}

/// Why a feed could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedError(pub String);

/// Parse a fetched feed: decode it, parse it with feed-rs with [`parse_date`] for its dates,
/// and keep its entries (newest first) as plain text.
pub fn parse_feed(
    body: &[u8],
    content_type: Option<&str>,
    url: &Url,
) -> Result<FeedFacts, FeedError> {
    let (text, encoding) = decode_feed(body, content_type);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url.as_str()))
        .sanitize_content(false)
        .timestamp_parser(|s| parse_date(s).map(|d| d.with_timezone(&Utc)))
        .build();
    let feed = parser
        .parse(Cursor::new(text.as_bytes()))
        .map_err(|e| FeedError(e.to_string()))?;
    let format = match feed.feed_type {
        feed_rs::model::FeedType::Atom => "Atom",
        feed_rs::model::FeedType::JSON => "JSON Feed",
        feed_rs::model::FeedType::RSS0 => "RSS 0.9x",
        feed_rs::model::FeedType::RSS1 => "RSS 1.0",
        feed_rs::model::FeedType::RSS2 => "RSS 2.0",
    };
    let total = feed.entries.len();
    let mut entries: Vec<FeedEntry> = feed
        .entries
        .into_iter()
        .map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| e.links.first())
                .and_then(|l| url.join(l.href.trim()).ok())
                .map(|u| u.to_string());
            let summary = e
                .summary
                .as_ref()
                .map(|t| t.content.clone())
                .or_else(|| e.content.as_ref().and_then(|c| c.body.clone()))
                .map(|s| html_text(&s))
                .unwrap_or_default();
            FeedEntry {
                title: e.title.map(|t| html_text(&t.content)).unwrap_or_default(),
                link,
                date: e.published.or(e.updated).map(|d| d.with_timezone(&china())),
                summary: cut(&summary, MAX_SUMMARY_CHARS),
            }
        })
        .collect();
    let undated = entries.iter().filter(|e| e.date.is_none()).count();
    // Newest first; undated entries last, in feed order.
    entries.sort_by_key(|e| std::cmp::Reverse(e.date));
    entries.truncate(MAX_ENTRIES);
    Ok(FeedFacts {
        format: format.into(),
        encoding: encoding.into(),
        title: feed
            .title
            .map(|t| html_text(&t.content))
            .filter(|t| !t.is_empty()),
        entries,
        total,
        undated,
    })
}

/// Plain text of an HTML fragment (or of plain text), whitespace collapsed.
fn html_text(s: &str) -> String {
    let text: String = if s.contains('<') {
        Html::parse_fragment(s).root_element().text().collect()
    } else {
        s.to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Where a discovered account was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// A `<link rel="alternate" type="application/rss+xml|atom+xml|feed+json">` in a page's
    /// head.
    AlternateLink,
    /// A feed link on the site's 政务新媒体 / 新媒体矩阵 page.
    MatrixPage,
}

/// An account (a feed) found on a site's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredFeed {
    /// The feed URL, absolute.
    pub url: String,
    /// The account's name as the page gives it (link text or `title`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The platform named next to it (微信, 微博…), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    pub found_by: FoundBy,
}

/// What identifies a site's 政务新媒体 page (from `feed.stale`'s `matrix_titles`).
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// A page whose title or heading matches one of these lists the site's accounts.
    pub matrix_titles: Vec<Regex>,
    /// Platform names (as configured: 微信, 微博…) and the words that name them on a page.
    pub platform_words: Vec<(String, Vec<String>)>,
}

impl Discovery {
    /// The discovery parameters of a rule set (`feed.stale`: `matrix_titles`,
    /// `platform_words`).
    pub fn from_rules(rules: &crate::rules::RuleSet) -> Discovery {
        let Some(r) = rules
            .get("feed.stale")
            .and_then(|r| r.typed::<crate::rules::params::FeedStaleParams>())
        else {
            return Discovery::default();
        };
        Discovery {
            matrix_titles: r.matrix_titles.clone(),
            platform_words: r
                .platform_words
                .iter()
                .filter_map(|g| g.split_first().map(|(n, rest)| (n.clone(), rest.to_vec())))
                .collect(),
        }
    }

    fn platform_in(&self, text: &str) -> Option<String> {
        let lower = text.to_lowercase();
        self.platform_words
            .iter()
            .find(|(name, words)| {
                lower.contains(&name.to_lowercase())
                    || words.iter().any(|w| lower.contains(&w.to_lowercase()))
            })
            .map(|(n, _)| n.clone())
    }
}

/// Is this link target a feed (by its path or query)?
fn looks_like_feed(u: &Url) -> bool {
    let p = u.path().to_ascii_lowercase();
    p.ends_with(".xml")
        || p.ends_with(".rss")
        || p.ends_with(".atom")
        || p.ends_with("/feed")
        || p.ends_with("/rss")
        || p.ends_with(".json")
        || p.contains("/rss/")
        || p.contains("/feed/")
        || u.query().is_some_and(|q| {
            let q = q.to_ascii_lowercase();
            q.contains("format=rss") || q.contains("format=atom") || q.contains("type=rss")
        })
}

/// Accounts found on a page: its `<link rel="alternate">` feeds, and when the page is the
/// site's 政务新媒体 / 新媒体矩阵 page (by its title or first heading), the feed links it lists
/// with the account's name (the link's text or title, else its row's text) and the platform
/// named in its row.
pub fn discover(doc: &Html, url: &Url, title: Option<&str>, d: &Discovery) -> Vec<DiscoveredFeed> {
    let mut out: Vec<DiscoveredFeed> = Vec::new();
    let push = |f: DiscoveredFeed, out: &mut Vec<DiscoveredFeed>| {
        if out.len() < MAX_DISCOVERED && !out.iter().any(|o| o.url == f.url) {
            out.push(f);
        }
    };
    static LINKS: std::sync::LazyLock<Option<Selector>> =
        std::sync::LazyLock::new(|| Selector::parse("link[rel][href]").ok());
    static HEADINGS: std::sync::LazyLock<Option<Selector>> =
        std::sync::LazyLock::new(|| Selector::parse("h1, h2, h3").ok());
    static ANCHORS: std::sync::LazyLock<Option<Selector>> =
        std::sync::LazyLock::new(|| Selector::parse("a[href]").ok());
    if let Some(sel) = LINKS.as_ref() {
        for el in doc.select(sel) {
            let v = el.value();
            let rel = v.attr("rel").unwrap_or("").to_ascii_lowercase();
            let ty = v.attr("type").unwrap_or("").to_ascii_lowercase();
            let feed_type = [
                "application/rss+xml",
                "application/atom+xml",
                "application/feed+json",
            ]
            .iter()
            .any(|t| ty.trim() == *t);
            if !rel.split_whitespace().any(|r| r == "alternate") || !feed_type {
                continue;
            }
            let Some(u) = v.attr("href").and_then(|h| url.join(h.trim()).ok()) else {
                continue;
            };
            if !matches!(u.scheme(), "http" | "https") {
                continue;
            }
            let name = v
                .attr("title")
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            let platform = name.as_deref().and_then(|n| d.platform_in(n));
            push(
                DiscoveredFeed {
                    url: u.to_string(),
                    name,
                    platform,
                    found_by: FoundBy::AlternateLink,
                },
                &mut out,
            );
        }
    }
    let heading = HEADINGS
        .as_ref()
        .and_then(|s| doc.select(s).next().map(|h| h.text().collect::<String>()));
    let is_matrix = [title, heading.as_deref()]
        .into_iter()
        .flatten()
        .any(|t| d.matrix_titles.iter().any(|re| re.is_match(t)));
    if !is_matrix {
        return out;
    }
    let Some(anchors) = ANCHORS.as_ref() else {
        return out;
    };
    for a in doc.select(anchors) {
        let Some(u) = a.value().attr("href").and_then(|h| url.join(h.trim()).ok()) else {
            continue;
        };
        if !matches!(u.scheme(), "http" | "https") || !looks_like_feed(&u) {
            continue;
        }
        let row = row_text(a);
        let text: String = a
            .text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let name = [a.value().attr("title").unwrap_or(""), text.as_str()]
            .into_iter()
            .map(str::trim)
            .find(|t| !t.is_empty() && !t.eq_ignore_ascii_case("rss") && !t.contains("订阅"))
            .map(str::to_string)
            .or_else(|| {
                let bare = d
                    .platform_words
                    .iter()
                    .flat_map(|(n, w)| std::iter::once(n).chain(w.iter()))
                    .fold(row.clone(), |r, w| r.replace(w.as_str(), " "));
                Some(bare).map(|r| {
                    r.split(|c: char| c.is_whitespace() || "：:|｜".contains(c))
                        .filter(|p| {
                            !p.is_empty() && !p.eq_ignore_ascii_case("rss") && !p.contains("订阅")
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })
            .filter(|n| !n.is_empty());
        push(
            DiscoveredFeed {
                url: u.to_string(),
                name,
                platform: d.platform_in(&row),
                found_by: FoundBy::MatrixPage,
            },
            &mut out,
        );
    }
    out
}

/// The text of the row (table row, list item, paragraph or block) that holds an element.
fn row_text(el: ElementRef<'_>) -> String {
    let mut cur = el.parent();
    while let Some(n) = cur {
        if let Some(e) = ElementRef::wrap(n) {
            let name = e.value().name();
            if matches!(name, "tr" | "li" | "p" | "dd" | "dl" | "div") {
                // Cells and inline elements are words of their own.
                let t = e.text().collect::<Vec<_>>().join(" ");
                return t.split_whitespace().collect::<Vec<_>>().join(" ");
            }
        }
        cur = n.parent();
    }
    String::new()
}

#[cfg(test)]
mod tests;
