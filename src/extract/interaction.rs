//! Facts of the 互动交流 section: the messages a page lists (信件选登 / 留言公开) with the date
//! asked, the date answered and the status, and the dates a message's own page shows.
//!
//! Messages come from
//! - tables with a header row naming the columns (标题, 来信时间, 回复时间, 状态 — the rule
//!   file's header lists), old tag soup included: every later row with a title is a message;
//! - list rows (`li`, `dd`, `p`, `div`, `tr` outside such tables) with a link, when the row
//!   labels a date (来信时间：2026-01-05), or when the page is a message list by its name
//!   (信件选登…) and the row shows a date or a status word, or a long enough title (a list
//!   lacking the dates: the message's own page has them).
//!
//! A page that lists no message but labels a date asked (来信时间：…) is a message's own page:
//! its title, dates and status are kept as [`InteractionPage::own`]. The checks join a listed
//! message with its own page by URL.

use std::collections::HashSet;

use chrono::NaiveDate;
use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use url::Url;

use super::dates;
use super::normdoc::ascii_digits;
use super::urls::{resolve_href, LinkTarget};
use crate::rules::params::InteractionParams;

/// Messages kept per page.
pub const MAX_MESSAGES: usize = 200;
/// Characters of a title kept.
const MAX_TITLE_CHARS: usize = 80;
/// A list row longer than this (in characters) is a container, not a row.
const MAX_ROW_CHARS: usize = 400;
/// An undated row on a message-list page is a message only when its title is this long.
const MIN_TITLE_CHARS: usize = 5;
/// Characters after a label searched for its date or status.
const LABEL_REACH: usize = 24;
/// A table's header row is one of its first rows.
const MAX_HEADER_ROW: usize = 3;
/// Header cells longer than this are not headers.
const MAX_HEADER_CHARS: usize = 10;
/// Characters of the breadcrumb kept.
const MAX_COLUMN_CHARS: usize = 80;

/// Class or id words of page regions that are not the list (navigation, header, footer).
const NOT_LIST_TOKENS: &[&str] = &[
    "nav", "menu", "header", "footer", "foot", "banner", "crumb", "position", "location", "side",
];
/// Class or id words of a breadcrumb.
const CRUMB_TOKENS: &[&str] = &["position", "location", "crumb", "dqwz", "weizhi"];

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyState {
    /// 已回复, 已办结.
    Answered,
    /// 未回复, 办理中.
    Pending,
    /// 无效, 不予受理, 重复件: not a valid message.
    Invalid,
}

impl ReplyState {
    /// As shown to users.
    pub fn zh(self) -> &'static str {
        match self {
            ReplyState::Answered => "已回复",
            ReplyState::Pending => "未回复",
            ReplyState::Invalid => "无效留言",
        }
    }
}

/// One message as a list or its own page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub title: String,
    /// The message's own page (absolute URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// 来信时间 / 留言时间.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<NaiveDate>,
    /// 回复时间 / 答复时间.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied: Option<NaiveDate>,
    /// The status shown, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ReplyState>,
}

/// The interaction facts of one page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionPage {
    /// What names the page's column: `<meta name="ColumnName">`, the breadcrumb, the page's
    /// heading and title (for telling consultation columns from 网上信访 and 纪检举报).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The page is a message list by its name (信件选登…).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_list: bool,
    /// Messages the page lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
    /// The page is one message's own page: what it shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own: Option<Message>,
}

impl InteractionPage {
    /// Nothing was found.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty() && self.own.is_none() && !self.is_list
    }
}

/// The status a text shows: invalid first, then pending (未回复 before 回复), then answered.
pub fn state_of(p: &InteractionParams, text: &str) -> Option<ReplyState> {
    let has = |m: &[String]| m.iter().any(|w| !w.is_empty() && text.contains(w.as_str()));
    if has(&p.invalid_markers) {
        Some(ReplyState::Invalid)
    } else if has(&p.pending_markers) {
        Some(ReplyState::Pending)
    } else if has(&p.answered_markers) {
        Some(ReplyState::Answered)
    } else {
        None
    }
}

/// The first full date in `text` (full-width digits read too).
fn full_date(text: &str) -> Option<NaiveDate> {
    let text = ascii_digits(text);
    let d = dates::find_full_date(&text)?;
    NaiveDate::from_ymd_opt(d.year?, d.month, d.day)
}

/// The text just after the first of `labels` found in `text` (its colon skipped).
fn after_label<'a>(text: &'a str, labels: &[String]) -> Option<&'a str> {
    labels
        .iter()
        .filter(|l| !l.is_empty())
        .filter_map(|l| text.find(l.as_str()).map(|i| i + l.len()))
        .min()
        .map(|start| {
            let rest = text[start..].trim_start_matches([' ', '：', ':', '\u{a0}', '　']);
            let end = rest
                .char_indices()
                .nth(LABEL_REACH)
                .map_or(rest.len(), |(i, _)| i);
            &rest[..end]
        })
}

/// The date a label names in `text` (来信时间：2026-01-05).
fn labelled_date(text: &str, labels: &[String]) -> Option<NaiveDate> {
    after_label(text, labels).and_then(full_date)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_of(el: ElementRef<'_>) -> String {
    collapse(&el.text().collect::<Vec<_>>().join(" "))
}

/// The text of a row, or None when it is longer than a row can be (a container: its text is
/// not gathered whole).
fn row_text(el: ElementRef<'_>) -> Option<String> {
    let mut out = String::new();
    for t in el.text() {
        out.push_str(t);
        out.push(' ');
        if out.len() > MAX_ROW_CHARS * 4 {
            return None;
        }
    }
    let text = collapse(&out);
    (text.chars().count() <= MAX_ROW_CHARS).then_some(text)
}

fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn absolute(base: &Url, href: &str) -> Option<String> {
    match resolve_href(base, href, encoding_rs::UTF_8, &[])? {
        LinkTarget::Http(u) => Some(u.to_string()),
        _ => None,
    }
}

fn tokens_match(el: &scraper::node::Element, tokens: &[&str]) -> bool {
    let both = format!(
        "{} {}",
        el.attr("id").unwrap_or_default(),
        el.attr("class").unwrap_or_default()
    )
    .to_ascii_lowercase();
    !both.trim().is_empty() && tokens.iter().any(|t| both.contains(t))
}

fn selector(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

/// The best link of a row: the one with the longest text (title attribute preferred when
/// longer), with its absolute URL.
fn row_link(row: ElementRef<'_>, base: &Url, a_sel: &Selector) -> Option<(String, Option<String>)> {
    let mut best: Option<(String, Option<String>)> = None;
    for a in row.select(a_sel) {
        let text = text_of(a);
        let title = a.value().attr("title").map(collapse).unwrap_or_default();
        let t = if title.chars().count() > text.chars().count() {
            title
        } else {
            text
        };
        if t.is_empty() {
            continue;
        }
        let url = a.value().attr("href").and_then(|h| absolute(base, h));
        if best
            .as_ref()
            .is_none_or(|(b, _)| t.chars().count() > b.chars().count())
        {
            best = Some((t, url));
        }
    }
    best.map(|(t, u)| (cut(&t, MAX_TITLE_CHARS), u))
}

/// Which header list a header cell's text belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Title,
    Asked,
    Replied,
    State,
}

fn header_kind(p: &InteractionParams, text: &str) -> Option<Col> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() || t.chars().count() > MAX_HEADER_CHARS {
        return None;
    }
    let is = |list: &[String]| list.iter().any(|h| !h.is_empty() && t.contains(h.as_str()));
    if is(&p.asked_headers) {
        Some(Col::Asked)
    } else if is(&p.replied_headers) {
        Some(Col::Replied)
    } else if is(&p.status_headers) {
        Some(Col::State)
    } else if is(&p.title_headers) {
        Some(Col::Title)
    } else {
        None
    }
}

/// The rows of a table that belong to it (not to a table nested in it).
fn own_rows<'a>(table: ElementRef<'a>, tr_sel: &Selector) -> Vec<ElementRef<'a>> {
    table
        .select(tr_sel)
        .filter(|tr| {
            tr.ancestors()
                .filter_map(ElementRef::wrap)
                .find(|e| e.value().name() == "table")
                .is_some_and(|t| t.id() == table.id())
        })
        .collect()
}

fn cells<'a>(tr: ElementRef<'a>) -> Vec<ElementRef<'a>> {
    tr.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "td" | "th"))
        .collect()
}

/// Messages of the tables with a message header row; the rows read are added to `used`.
fn table_messages(
    doc: &Html,
    base: &Url,
    p: &InteractionParams,
    used: &mut HashSet<NodeId>,
) -> Vec<Message> {
    let (Some(table_sel), Some(tr_sel), Some(a_sel)) =
        (selector("table"), selector("tr"), selector("a[href]"))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for table in doc.select(&table_sel) {
        let rows = own_rows(table, &tr_sel);
        let header = rows
            .iter()
            .take(MAX_HEADER_ROW)
            .enumerate()
            .find_map(|(i, tr)| {
                let kinds: Vec<Option<Col>> = cells(*tr)
                    .iter()
                    .map(|c| header_kind(p, &text_of(*c)))
                    .collect();
                kinds
                    .iter()
                    .any(|k| matches!(k, Some(Col::Asked) | Some(Col::Replied)))
                    .then_some((i, kinds))
            });
        let Some((hi, kinds)) = header else { continue };
        let idx = |col: Col| kinds.iter().position(|k| *k == Some(col));
        for tr in rows.iter().skip(hi + 1) {
            used.insert(tr.id());
            let cs = cells(*tr);
            let cell_text = |col: Col| idx(col).and_then(|i| cs.get(i)).map(|c| text_of(*c));
            let link = row_link(*tr, base, &a_sel);
            let title = match (&link, cell_text(Col::Title)) {
                (Some((t, _)), _) => t.clone(),
                (None, Some(t)) => cut(&t, MAX_TITLE_CHARS),
                (None, None) => continue,
            };
            if title.is_empty() {
                continue;
            }
            let row_text = text_of(*tr);
            let state = cell_text(Col::State)
                .and_then(|t| state_of(p, &t))
                .or_else(|| state_of(p, &row_text));
            let replied = cell_text(Col::Replied).and_then(|t| full_date(&t));
            // A reply column left empty: not answered, as the list shows it.
            let state = match (state, replied, idx(Col::Replied)) {
                (None, None, Some(_)) => Some(ReplyState::Pending),
                (s, _, _) => s,
            };
            let m = Message {
                title,
                url: link.and_then(|(_, u)| u),
                asked: cell_text(Col::Asked).and_then(|t| full_date(&t)),
                replied,
                state,
            };
            if m.asked.is_some() || m.replied.is_some() || m.state.is_some() || m.url.is_some() {
                out.push(m);
            }
            if out.len() >= MAX_MESSAGES {
                return out;
            }
        }
    }
    out
}

/// Messages of list rows outside the tables already read.
fn row_messages(
    doc: &Html,
    base: &Url,
    p: &InteractionParams,
    is_list: bool,
    used: &HashSet<NodeId>,
) -> Vec<Message> {
    let (Some(row_sel), Some(a_sel)) = (selector("li, dd, p, div, tr"), selector("a[href]")) else {
        return Vec::new();
    };
    // (row, message) in document order; a row holding another row is a container.
    let mut found: Vec<(NodeId, Message)> = Vec::new();
    for row in doc.select(&row_sel) {
        if used.contains(&row.id()) || row.ancestors().any(|a| used.contains(&a.id())) {
            continue;
        }
        let outside = row.ancestors().filter_map(ElementRef::wrap).any(|a| {
            matches!(a.value().name(), "nav" | "header" | "footer")
                || tokens_match(a.value(), NOT_LIST_TOKENS)
        });
        if outside || tokens_match(row.value(), NOT_LIST_TOKENS) {
            continue;
        }
        let Some(text) = row_text(row) else {
            continue;
        };
        let Some((title, url)) = row_link(row, base, &a_sel) else {
            continue;
        };
        let asked = labelled_date(&text, &p.asked_headers);
        let replied = labelled_date(&text, &p.replied_headers);
        let state = after_label(&text, &p.status_headers)
            .and_then(|t| state_of(p, t))
            .or_else(|| state_of(p, &text.replacen(&title, "", 1)));
        let state = match (state, replied) {
            (None, None) if after_label(&text, &p.replied_headers).is_some() => {
                Some(ReplyState::Pending)
            }
            (s, _) => s,
        };
        let labelled = asked.is_some() || replied.is_some();
        let m = if labelled {
            Message {
                title,
                url,
                asked,
                replied,
                state,
            }
        } else if is_list {
            // Unlabelled dates on a message list: the first is the date asked, a second the
            // date answered.
            let rest = text.replacen(&title, "", 1);
            let ds: Vec<NaiveDate> = rest
                .split_whitespace()
                .filter_map(full_date)
                .take(2)
                .collect();
            let long_title = title.chars().count() >= MIN_TITLE_CHARS;
            if ds.is_empty() && state.is_none() && !long_title {
                continue;
            }
            Message {
                title,
                url,
                asked: ds.first().copied(),
                replied: ds.get(1).copied(),
                state,
            }
        } else {
            continue;
        };
        found.push((row.id(), m));
    }
    // Keep the innermost rows: drop a row that is an ancestor of another found row.
    let ids: HashSet<NodeId> = found.iter().map(|(id, _)| *id).collect();
    let mut containers: HashSet<NodeId> = HashSet::new();
    for (id, _) in &found {
        if let Some(node) = doc.tree.get(*id) {
            for a in node.ancestors() {
                if ids.contains(&a.id()) {
                    containers.insert(a.id());
                }
            }
        }
    }
    let mut seen = HashSet::new();
    found
        .into_iter()
        .filter(|(id, _)| !containers.contains(id))
        .map(|(_, m)| m)
        .filter(|m| seen.insert((m.title.clone(), m.url.clone())))
        .take(MAX_MESSAGES)
        .collect()
}

/// The breadcrumb's text, if the page has one.
fn breadcrumb(doc: &Html) -> Option<String> {
    let sel = selector("div, p, span, td, ul, nav")?;
    doc.select(&sel)
        .filter(|e| tokens_match(e.value(), CRUMB_TOKENS))
        .map(text_of)
        .find(|t| !t.is_empty() && t.chars().count() <= MAX_COLUMN_CHARS * 2)
        .or_else(|| {
            // 当前位置：首页 > 互动交流 > 市长信箱 without a class.
            doc.select(&sel)
                .map(text_of)
                .filter(|t| {
                    t.starts_with("当前位置")
                        || t.starts_with("您的位置")
                        || t.starts_with("您现在的位置")
                })
                .find(|t| t.chars().count() <= MAX_COLUMN_CHARS * 2)
        })
}

/// The interaction facts of a page. `column_meta` is `<meta name="ColumnName">`, `heading`
/// the list page's heading, `title` the page's `<title>`, `article_title` its
/// `<meta name="ArticleTitle">`; `text` the page's visible text.
#[allow(clippy::too_many_arguments)]
pub fn of_page(
    doc: &Html,
    url: &Url,
    text: &str,
    column_meta: Option<&str>,
    heading: Option<&str>,
    title: Option<&str>,
    article_title: Option<&str>,
    p: &InteractionParams,
) -> InteractionPage {
    let named = |s: &str| {
        p.list_names
            .iter()
            .any(|n| !n.is_empty() && s.contains(n.as_str()))
    };
    // Most pages are neither a message list nor a message: without a date label or a list
    // name anywhere in the page (its title and metadata included), nothing is read.
    let labels = |s: &str| {
        p.asked_headers
            .iter()
            .chain(&p.replied_headers)
            .any(|n| !n.is_empty() && s.contains(n.as_str()))
    };
    let maybe = [Some(text), column_meta, heading, title]
        .into_iter()
        .flatten()
        .any(|s| labels(s) || named(s));
    if !maybe {
        return InteractionPage::default();
    }
    let crumb = breadcrumb(doc);
    let is_list = [column_meta, heading, title, crumb.as_deref()]
        .into_iter()
        .flatten()
        .any(named);
    let mut used = HashSet::new();
    let mut messages = table_messages(doc, url, p, &mut used);
    if messages.len() < MAX_MESSAGES {
        let rows = row_messages(doc, url, p, false, &used);
        let room = MAX_MESSAGES - messages.len();
        messages.extend(rows.into_iter().take(room));
    }
    // No table or labelled rows: a message's own page (it labels its date asked), else on a
    // page named as a message list, the rows without labels (a detail page's title or
    // breadcrumb often names the list too, so its own dates come first).
    let mut own = None;
    if messages.is_empty() {
        let asked = labelled_date(text, &p.asked_headers);
        if let Some(asked) = asked {
            let replied = labelled_date(text, &p.replied_headers);
            let state = after_label(text, &p.status_headers)
                .and_then(|t| state_of(p, t))
                .or_else(|| {
                    // 回复时间： shown without a date: not answered.
                    (replied.is_none() && after_label(text, &p.replied_headers).is_some())
                        .then_some(ReplyState::Pending)
                });
            // The page title's first part: "标题-留言公开-某市" names the message.
            let first_part = title.and_then(|t| {
                t.split(['-', '_', '|', '｜', '—', '–'])
                    .map(str::trim)
                    .find(|s| !s.is_empty())
            });
            let name = article_title
                .or(heading)
                .or(first_part)
                .map(|t| cut(&collapse(t), MAX_TITLE_CHARS))
                .unwrap_or_default();
            own = Some(Message {
                title: name,
                url: Some(url.to_string()),
                asked: Some(asked),
                replied,
                state,
            });
        }
    }
    if messages.is_empty() && own.is_none() && is_list {
        messages = row_messages(doc, url, p, true, &used);
    }
    if messages.is_empty() && own.is_none() && !is_list {
        return InteractionPage::default();
    }
    // The column: metadata, the breadcrumb (without the message's own title), the heading,
    // and on list pages the title.
    let own_title = own.as_ref().map(|m| m.title.clone());
    let crumb = crumb.map(|c| {
        c.split(['>', '»', '＞', '›'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter(|s| {
                own_title
                    .as_deref()
                    .is_none_or(|t| !t.contains(*s) && !s.contains(t))
            })
            .collect::<Vec<_>>()
            .join(" > ")
    });
    let mut parts: Vec<String> = Vec::new();
    for part in [
        column_meta.map(str::to_string),
        crumb,
        heading.map(str::to_string),
    ]
    .into_iter()
    .flatten()
    {
        let is_own_title = own_title
            .as_deref()
            .is_some_and(|t| t.contains(part.as_str()) || part.contains(t));
        if !part.trim().is_empty() && !parts.contains(&part) && !is_own_title {
            parts.push(part);
        }
    }
    if let Some(t) = title.filter(|_| own.is_none()) {
        // The title without its last part, the site's own name ("信件选登-某市信访局" must not
        // make every list of the site a 信访 list).
        let segments: Vec<&str> = t
            .split(['-', '_', '|', '｜', '—', '–'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let kept = match segments.len() {
            0 => String::new(),
            1 => segments[0].to_string(),
            n => segments[..n - 1].join(" "),
        };
        if !kept.is_empty() && !parts.contains(&kept) {
            parts.push(kept);
        }
    }
    let column = (!parts.is_empty()).then(|| cut(&parts.join(" | "), MAX_COLUMN_CHARS));
    InteractionPage {
        column,
        is_list: is_list && own.is_none(),
        messages,
        own,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> InteractionParams {
        let rules = crate::rules::RuleSet::embedded().expect("embedded rules");
        rules
            .get("interaction.unanswered")
            .and_then(|r| r.typed::<InteractionParams>())
            .expect("typed params")
            .clone()
    }

    fn read(html: &str, title: Option<&str>) -> InteractionPage {
        let doc = Html::parse_document(html);
        let url = Url::parse("http://x.gov.cn/hdjl/xjxd/index.html").expect("url");
        let text = text_of(doc.root_element());
        of_page(&doc, &url, &text, None, None, title, None, &params())
    }

    fn d(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn status_words_are_read_pending_before_answered() {
        let p = params();
        assert_eq!(state_of(&p, "未回复"), Some(ReplyState::Pending));
        assert_eq!(state_of(&p, "未办结"), Some(ReplyState::Pending));
        assert_eq!(state_of(&p, "已办结"), Some(ReplyState::Answered));
        assert_eq!(state_of(&p, "重复件"), Some(ReplyState::Invalid));
        assert_eq!(state_of(&p, "群众来信"), None);
    }

    #[test]
    fn a_tag_soup_table_is_read_by_its_headers() {
        let page = read(
            "<TABLE><TR><TD>序号<TD>信件标题<TD>来信时间<TD>答复时间<TD>办理状态\
             <TR><TD>1<TD><A HREF=\"d?id=1\">关于小区供暖的咨询</A><TD>２０２６年３月５日<TD><TD>办理中\
             <TR><TD>2<TD><A HREF=\"d?id=2\">建议增设公交站</A><TD>2026/02/01<TD>2026/02/03<TD>已回复\
             <TR><TD>3<TD><A HREF=\"d?id=3\">咨询医保报销</A><TD>2026.01.09<TD><TD>\
             </TABLE>",
            Some("信件选登"),
        );
        assert_eq!(page.messages.len(), 3, "{page:#?}");
        let m = &page.messages[0];
        assert_eq!(m.title, "关于小区供暖的咨询");
        assert_eq!(m.asked, d("2026-03-05"));
        assert_eq!(m.replied, None);
        assert_eq!(m.state, Some(ReplyState::Pending));
        assert_eq!(m.url.as_deref(), Some("http://x.gov.cn/hdjl/xjxd/d?id=1"));
        assert_eq!(page.messages[1].replied, d("2026-02-03"));
        assert_eq!(page.messages[1].state, Some(ReplyState::Answered));
        // An empty reply cell and no status: not answered, as the list shows it.
        assert_eq!(page.messages[2].state, Some(ReplyState::Pending));
        assert!(page.is_list);
    }

    #[test]
    fn labelled_rows_are_messages_on_any_page_and_menus_are_not() {
        let page = read(
            "<div class=\"nav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"/hd/\">领导信箱 留言时间：2026-01-01</a></li></ul></div>\
             <ul class=\"list\"><li><a href=\"a.html\">关于路灯维修的建议</a><span>留言时间：2026-10-01</span><span>回复时间：2026-10-09</span></li>\
             <li><a href=\"b.html\">咨询落户</a><em>留言时间：2026-11-02</em><em>回复时间：</em></li></ul>",
            Some("示范市人民政府"),
        );
        assert_eq!(page.messages.len(), 2, "{page:#?}");
        assert_eq!(page.messages[0].replied, d("2026-10-09"));
        assert_eq!(page.messages[1].asked, d("2026-11-02"));
        assert_eq!(page.messages[1].state, Some(ReplyState::Pending));
    }

    #[test]
    fn unlabelled_rows_count_only_on_a_list_page() {
        let html = "<div class=\"list\"><div class=\"item\"><a href=\"1.html\">关于教育收费的咨询</a><span>2026-06-01</span><span>2026-06-03</span></div>\
             <div class=\"item\"><a href=\"2.html\">咨询公积金提取条件</a></div></div>";
        let page = read(html, Some("留言公开-示范区"));
        assert_eq!(page.messages.len(), 2, "{page:#?}");
        assert_eq!(page.messages[0].asked, d("2026-06-01"));
        assert_eq!(page.messages[0].replied, d("2026-06-03"));
        assert_eq!(page.messages[1].asked, None);
        let page = read(html, Some("新闻动态"));
        assert!(page.is_empty(), "{page:#?}");
    }

    #[test]
    fn the_site_name_in_the_title_is_not_the_column() {
        let page = read(
            "<ul class=\"list\"><li><a href=\"a.html\">关于路灯维修的建议</a><span>留言时间：2026-01-01</span></li></ul>",
            Some("信件选登-示范市信访局"),
        );
        let column = page.column.unwrap_or_default();
        assert!(column.contains("信件选登"), "{column}");
        assert!(!column.contains("信访"), "{column}");
    }

    #[test]
    fn a_message_page_keeps_its_own_dates_even_under_the_list_name() {
        let page = read(
            "<div class=\"position\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"../\">留言公开</a> &gt; 关于噪音扰民的咨询</div>\
             <h1>关于噪音扰民的咨询</h1><p>留言时间：2026-04-01 10:20</p><p>回复时间：</p><p>处理状态：办理中</p>\
             <p><a href=\"../\">返回留言公开列表页面</a></p>",
            Some("关于噪音扰民的咨询-留言公开"),
        );
        assert!(page.messages.is_empty(), "{page:#?}");
        let own = page.own.expect("own message");
        assert_eq!(own.asked, d("2026-04-01"));
        assert_eq!(own.state, Some(ReplyState::Pending));
        assert!(!page.is_list);
        let column = page.column.unwrap_or_default();
        assert!(column.contains("留言公开"), "{column}");
        assert!(!column.contains("噪音"), "{column}");
    }
}
