//! Publication dates as Chinese government sites write them in column lists and metadata:
//! `2026-11-28`, `2026/11/28`, `2026.11.28`, `2026年11月28日`, and month-day forms without a
//! year (`[11-28]`, `11-28`, `11月28日`).
//!
//! Extraction has no as-of time, so a month-day date keeps `year: None` unless the item's
//! link carries the year (TRS-style paths such as `/202611/t20261128_3581.html`); the checks
//! resolve the rest against the as-of date with [`ItemDate::resolve`].

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// A date as written on a page: the year is missing for month-day forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemDate {
    /// The year, when written (or known from the item's link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    pub month: u32,
    pub day: u32,
}

impl ItemDate {
    /// A full date.
    pub fn ymd(year: i32, month: u32, day: u32) -> Option<ItemDate> {
        NaiveDate::from_ymd_opt(year, month, day).map(|_| ItemDate {
            year: Some(year),
            month,
            day,
        })
    }

    /// A month-day date (year from context). February 29 is allowed.
    pub fn md(month: u32, day: u32) -> Option<ItemDate> {
        NaiveDate::from_ymd_opt(2024, month, day).map(|_| ItemDate {
            year: None,
            month,
            day,
        })
    }

    /// The calendar date judged as of `as_of`: a full date as written; a month-day date in the
    /// most recent year that does not put it after `as_of` (for February 29, the most recent
    /// leap year).
    pub fn resolve(self, as_of: NaiveDate) -> Option<NaiveDate> {
        if let Some(y) = self.year {
            return NaiveDate::from_ymd_opt(y, self.month, self.day);
        }
        let mut year = as_of.year();
        for _ in 0..8 {
            if let Some(d) = NaiveDate::from_ymd_opt(year, self.month, self.day) {
                if d <= as_of {
                    return Some(d);
                }
            }
            year -= 1;
        }
        None
    }

    /// As written, e.g. `2026-11-28` or `11-28`.
    pub fn display(self) -> String {
        match self.year {
            Some(y) => format!("{y:04}-{:02}-{:02}", self.month, self.day),
            None => format!("{:02}-{:02}", self.month, self.day),
        }
    }
}

/// Full dates: `2026-11-28`, `2026/11/28`, `2026.11.28`, `2026年11月28日` (spaces allowed in
/// the Chinese form). Digits around the match are checked by the caller.
static FULL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"((?:19|20)\d\d)\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)",
    )
    .unwrap_or_else(|_| unreachable!("constant regex"))
});

/// Month-day dates in brackets: `[11-28]`, `(11-28)`, `【11-28】`, `[11/28]`.
static BRACKET_MD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\[(（【]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[\])）】]")
        .unwrap_or_else(|_| unreachable!("constant regex"))
});

/// Month-day dates written in Chinese: `11月28日`.
static CHINESE_MD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")
        .unwrap_or_else(|_| unreachable!("constant regex"))
});

/// A bare month-day date standing alone (a whole cell or span): `11-28`, `11/28`.
static BARE_MD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})[-/.](\d{1,2})$").unwrap_or_else(|_| unreachable!("constant regex"))
});

/// A date in an article URL: `/202611/t20261128_3581.html`, `/2026-11-28/`, `/20261128/`.
static URL_DATE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[/_t])((?:19|20)\d\d)-?(0[1-9]|1[0-2])(?:-?(0[1-9]|[12]\d|3[01]))?(?:[/_.]|$)",
    )
    .unwrap_or_else(|_| unreachable!("constant regex"))
});

fn num(s: Option<regex::Match<'_>>) -> Option<u32> {
    s.and_then(|m| m.as_str().parse().ok())
}

fn digit_before(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_digit())
}

fn digit_after(text: &str, at: usize) -> bool {
    text[at..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// The first full date (with a year) in `text`.
pub fn find_full_date(text: &str) -> Option<ItemDate> {
    for c in FULL_RE.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        if digit_before(text, m.start()) || digit_after(text, m.end()) {
            continue;
        }
        let year = num(c.get(1)).and_then(|y| i32::try_from(y).ok());
        let month = num(c.get(2)).or_else(|| num(c.get(4)));
        let day = num(c.get(3)).or_else(|| num(c.get(5)));
        if let (Some(y), Some(m), Some(d)) = (year, month, day) {
            if let Some(date) = ItemDate::ymd(y, m, d) {
                return Some(date);
            }
        }
    }
    None
}

/// The first month-day date of `text` in brackets (`[11-28]`) or in Chinese (`11月28日`, not
/// part of a full date).
pub fn find_month_day(text: &str) -> Option<ItemDate> {
    for c in BRACKET_MD_RE.captures_iter(text) {
        if let Some(d) = num(c.get(1))
            .zip(num(c.get(2)))
            .and_then(|(m, d)| ItemDate::md(m, d))
        {
            return Some(d);
        }
    }
    for c in CHINESE_MD_RE.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let before = text[..m.start()].trim_end();
        if digit_before(text, m.start()) || before.ends_with('年') {
            continue;
        }
        if let Some(d) = num(c.get(1))
            .zip(num(c.get(2)))
            .and_then(|(m, d)| ItemDate::md(m, d))
        {
            return Some(d);
        }
    }
    None
}

/// A bare month-day date making up the whole of `text` (a cell or span): `11-28`.
pub fn bare_month_day(text: &str) -> Option<ItemDate> {
    let c = BARE_MD_RE.captures(text.trim())?;
    num(c.get(1))
        .zip(num(c.get(2)))
        .and_then(|(m, d)| ItemDate::md(m, d))
}

/// The date of an item's row: a full date anywhere in the row text, else a month-day date
/// in brackets or Chinese in the row text, else a bare month-day date making up one of the
/// row's text pieces (`cells`).
pub fn find_item_date<'a>(
    row_text: &str,
    cells: impl IntoIterator<Item = &'a str>,
) -> Option<ItemDate> {
    find_full_date(row_text)
        .or_else(|| find_month_day(row_text))
        .or_else(|| cells.into_iter().find_map(bare_month_day))
}

/// Give a month-day date the year of the item's URL when the URL carries a date of the same
/// month (`/202611/t20261128_1.html`).
pub fn year_from_url(date: ItemDate, url: &str) -> ItemDate {
    if date.year.is_some() {
        return date;
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    for c in URL_DATE_RE.captures_iter(path) {
        let year = num(c.get(1)).and_then(|y| i32::try_from(y).ok());
        let month = num(c.get(2));
        let day = num(c.get(3));
        if month == Some(date.month) && day.is_none_or(|d| d == date.day) {
            if let Some(y) = year {
                if let Some(full) = ItemDate::ymd(y, date.month, date.day) {
                    return full;
                }
            }
        }
    }
    date
}

/// A `<meta name="PubDate">` value (`2026-11-29 17:42`, `2026年11月29日`).
pub fn parse_pub_date(content: &str) -> Option<ItemDate> {
    find_full_date(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> ItemDate {
        ItemDate::ymd(y, m, day).expect("valid")
    }

    fn nd(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid")
    }

    #[test]
    fn full_dates_in_every_format() {
        for s in [
            "2026-11-28",
            "2026/11/28",
            "2026.11.28",
            "2026年11月28日",
            "2026 年 11 月 28 日",
            "发布时间：2026-11-28 17:42",
            "关于做好冬季森林防火工作的通知2026/11/28",
        ] {
            assert_eq!(find_full_date(s), Some(d(2026, 11, 28)), "{s}");
        }
        assert_eq!(find_full_date("2026-1-5"), Some(d(2026, 1, 5)));
        assert_eq!(find_full_date("2026年1月5日"), Some(d(2026, 1, 5)));
    }

    #[test]
    fn not_dates() {
        for s in [
            "0999-1234567",
            "12026-11-28",
            "2026-11-281",
            "2026-13-01",
            "2026-02-30",
            "示政办发〔2026〕12号",
            "共1页 当前第1页",
            "3.14.15",
        ] {
            assert_eq!(find_full_date(s), None, "{s}");
        }
        assert_eq!(find_month_day("第11-28号"), None);
        assert_eq!(bare_month_day("13-01"), None);
        assert_eq!(bare_month_day("11-28 条"), None);
        assert_eq!(find_item_date("电话 0999-1234567", ["0999-1234567"]), None);
    }

    #[test]
    fn month_day_forms() {
        let md = ItemDate::md(11, 28).expect("valid");
        assert_eq!(find_month_day("[11-28]"), Some(md));
        assert_eq!(find_month_day("标题 【11-28】"), Some(md));
        assert_eq!(find_month_day("（11/28）"), Some(md));
        assert_eq!(find_month_day("11月28日 县政府召开会议"), Some(md));
        assert_eq!(find_month_day("2026年11月28日"), None, "a full date");
        assert_eq!(bare_month_day(" 11-28 "), Some(md));
        assert_eq!(
            find_item_date("县政府召开会议 11-28", ["县政府召开会议", "11-28"]),
            Some(md)
        );
        // A full date wins over a month-day one.
        assert_eq!(
            find_item_date("[11-28] 2025-11-28", ["[11-28]"]),
            Some(d(2025, 11, 28))
        );
    }

    #[test]
    fn year_from_context() {
        let md = ItemDate::md(11, 28).expect("valid");
        // The most recent such date not after as-of.
        assert_eq!(md.resolve(nd(2026, 11, 30)), Some(nd(2026, 11, 28)));
        assert_eq!(md.resolve(nd(2026, 11, 28)), Some(nd(2026, 11, 28)));
        assert_eq!(md.resolve(nd(2026, 11, 27)), Some(nd(2025, 11, 28)));
        assert_eq!(md.resolve(nd(2027, 1, 3)), Some(nd(2026, 11, 28)));
        let leap = ItemDate::md(2, 29).expect("valid");
        assert_eq!(leap.resolve(nd(2027, 3, 1)), Some(nd(2024, 2, 29)));
        assert_eq!(
            d(2026, 11, 28).resolve(nd(2020, 1, 1)),
            Some(nd(2026, 11, 28))
        );
        // The item's URL gives the year.
        let url = "http://x.gov.cn/zwdt/202511/t20251128_3571.html";
        assert_eq!(year_from_url(md, url), d(2025, 11, 28));
        assert_eq!(
            year_from_url(md, "http://x.gov.cn/2025-11-28/a.html"),
            d(2025, 11, 28)
        );
        // Another month in the URL: no year.
        assert_eq!(
            year_from_url(md, "http://x.gov.cn/202510/t20251001_1.html"),
            md
        );
        assert_eq!(year_from_url(md, "http://x.gov.cn/art/12345.html"), md);
        assert_eq!(md.display(), "11-28");
        assert_eq!(d(2026, 1, 5).display(), "2026-01-05");
    }

    #[test]
    fn pub_date_meta() {
        assert_eq!(parse_pub_date("2026-11-29 17:42"), Some(d(2026, 11, 29)));
        assert_eq!(
            parse_pub_date("2026年11月29日 17:42"),
            Some(d(2026, 11, 29))
        );
        assert_eq!(parse_pub_date("yesterday"), None);
    }
}
