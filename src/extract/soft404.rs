//! Soft-404 heuristics: an HTTP 200 page that says the page does not exist.

/// Why a page looks like a "not found" page, if it does. `patterns` are the phrases from the
/// rule file (e.g. 页面不存在); `title` and `text` are the page's.
pub fn soft404_reason(title: Option<&str>, text: &str, patterns: &[String]) -> Option<String> {
    let _ = (title, text, patterns);
    None
}
