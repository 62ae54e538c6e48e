//! Soft-404 heuristics: an HTTP 200 page that says the page does not exist.
//!
//! The heuristic, and why:
//!
//! - A phrase from the rules (页面不存在, 您访问的页面不存在...) in the **title** is decisive:
//!   error templates put it there, real articles almost never do.
//! - In the **text** it counts only on a short page (fewer than [`SHORT_PAGE_CHARS`]
//!   characters of visible text). Error templates are short; a long page that merely
//!   mentions the phrase (a notice about fixing broken links, an FAQ) is not an error page,
//!   however the navigation around it reads.
//! - **Pure-digit phrases** such as `404` are matched only as a standalone number, in the
//!   title as in the text, and in the text only on a short page. Government pages are full of
//!   numbers: 14040 人, 2014年04月 written 201404, 〔2019〕404号, 第404期. A digit run counts
//!   when it is not part of a longer number (no digit, letter, or digit-joined `.`, `,`, `-`,
//!   `/`, `:` next to it), not preceded by 第 and not followed by a Chinese counter or unit
//!   (号, 期, 条, 年, 月, 日, 元, 人...). 404错误, 错误404 and "Error 404" still count.
//! - ASCII letters match case-insensitively (`Not Found` = `not found`).

/// Visible text shorter than this (in characters) makes a page "short".
pub const SHORT_PAGE_CHARS: usize = 3000;

/// Characters that, right after a number, make it a count, an ordinal, a date part or a
/// document number rather than an HTTP status. 页 is not among them (404页面 is an error
/// page).
const COUNTERS: &str =
    "号期条年月日时分秒次元角人个件项届批篇份章节卷册户室栋楼层路米名家所例余多万亿千百岁周天km%％";

/// Why a page looks like a "not found" page, if it does. `patterns` are the phrases from the
/// rule file (e.g. 页面不存在); `title` and `text` are the page's.
pub fn soft404_reason(title: Option<&str>, text: &str, patterns: &[String]) -> Option<String> {
    let patterns: Vec<&str> = patterns
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if let Some(title) = title {
        let title_lower = title.to_ascii_lowercase();
        for &pattern in &patterns {
            if contains_phrase(&title_lower, &pattern.to_ascii_lowercase()) {
                return Some(format!("标题包含“{pattern}”"));
            }
        }
    }
    let chars = text.chars().count();
    if chars >= SHORT_PAGE_CHARS {
        return None;
    }
    let text_lower = text.to_ascii_lowercase();
    for &pattern in &patterns {
        if contains_phrase(&text_lower, &pattern.to_ascii_lowercase()) {
            return Some(format!("页面正文较短（{chars} 字）且包含“{pattern}”"));
        }
    }
    None
}

/// Whether `haystack` contains `pattern`, digit-only patterns as standalone numbers only.
fn contains_phrase(haystack: &str, pattern: &str) -> bool {
    if !pattern.chars().all(|c| c.is_ascii_digit()) {
        return haystack.contains(pattern);
    }
    haystack
        .match_indices(pattern)
        .any(|(start, m)| is_standalone_number(haystack, start, start + m.len()))
}

/// Whether the digits at `start..end` of `s` stand alone (see the module docs).
fn is_standalone_number(s: &str, start: usize, end: usize) -> bool {
    let before = s.get(..start).unwrap_or_default();
    let after = s.get(end..).unwrap_or_default();
    let mut back = before.chars().rev();
    let mut fwd = after.chars();
    let (b1, b2) = (back.next(), back.next());
    let (a1, a2) = (fwd.next(), fwd.next());

    let is_digit =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
    let is_word = |c: Option<char>| is_digit(c) || c.is_some_and(|c| c.is_ascii_alphabetic());
    let is_joiner = |c: Option<char>| c.is_some_and(|c| ".,-/:．，－／：".contains(c));

    if is_word(b1) || is_word(a1) {
        return false; // 14040, a404, 404b
    }
    if (is_joiner(b1) && is_digit(b2)) || (is_joiner(a1) && is_digit(a2)) {
        return false; // 1.404, 2021-404, 404.5, 10:404
    }
    if b1 == Some('第') {
        return false; // 第404期
    }
    // Skip one space between the number and a counter (第 404 号 is written both ways).
    let next = if a1.is_some_and(char::is_whitespace) {
        a2
    } else {
        a1
    };
    if next.is_some_and(|c| COUNTERS.contains(c)) {
        return false;
    }
    let prev = if b1.is_some_and(char::is_whitespace) {
        b2
    } else {
        b1
    };
    prev != Some('第')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns() -> Vec<String> {
        ["页面不存在", "您访问的页面不存在", "404", "Not Found"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn reason(title: Option<&str>, text: &str) -> Option<String> {
        soft404_reason(title, text, &patterns())
    }

    fn long_text(extra: &str) -> String {
        format!(
            "{}{extra}{}",
            "政务公开工作要点。".repeat(300),
            "信息公开。".repeat(300)
        )
    }

    #[test]
    fn phrase_in_title() {
        let r = reason(Some("对不起，页面不存在！"), &long_text(""));
        assert_eq!(r.as_deref(), Some("标题包含“页面不存在”"));
        assert!(reason(Some("404 Not Found"), &long_text("")).is_some());
        assert!(reason(Some("错误404"), "").is_some());
        assert!(reason(Some("NOT FOUND"), "").is_some());
    }

    #[test]
    fn phrase_in_text_of_a_short_page() {
        let r = reason(
            Some("XX市人民政府"),
            "首页 > 提示 抱歉，您访问的页面不存在或已被删除。 返回首页",
        );
        assert!(
            r.as_deref().is_some_and(|r| r.contains("页面不存在")),
            "{r:?}"
        );
        assert!(reason(None, "404 您要找的内容走丢了").is_some());
        assert!(reason(None, "错误代码：404").is_some());
        assert!(reason(None, "HTTP 404 - 未找到文件").is_some());
        assert!(reason(None, "404页面").is_some());
        assert!(reason(None, "404错误").is_some());
    }

    #[test]
    fn phrase_in_text_of_a_long_page_does_not_count() {
        let text = long_text("关于清理网站“页面不存在”等问题的通知 出现404错误的链接");
        assert_eq!(reason(Some("关于网站整改的通知"), &text), None);
    }

    #[test]
    fn numbers_that_merely_contain_404() {
        for text in [
            "发布日期：2014年04月05日",
            "201404 期刊",
            "累计接待群众14040人次",
            "国办发〔2019〕404号",
            "第404号令",
            "第 404 号",
            "共404条",
            "404人参加",
            "金额 1,404.50 元",
            "电话 0571-404-1234",
            "2021/404",
            "编号A404",
            "版本 4.04 和 404.1",
        ] {
            assert_eq!(reason(Some("通知公告"), text), None, "{text}");
            assert_eq!(reason(Some(text), &long_text("")), None, "title {text}");
        }
    }

    #[test]
    fn no_patterns_or_blank_patterns() {
        assert_eq!(soft404_reason(Some("页面不存在"), "", &[]), None);
        assert_eq!(
            soft404_reason(Some("页面不存在"), "", &["  ".to_string()]),
            None
        );
    }

    #[test]
    fn short_threshold_counts_characters_not_bytes() {
        // 2000 Chinese characters are 6000 bytes but still a short page.
        let text = format!("{}页面不存在", "字".repeat(2000));
        assert!(reason(None, &text).is_some());
        let text = format!("{}页面不存在", "字".repeat(SHORT_PAGE_CHARS));
        assert!(reason(None, &text).is_none());
    }
}
