//! Link and page extraction with scraper.
//!
//! One pass over the parsed document collects the title, the meta tags and every link in
//! document order; a second pass over `<body>` collects the visible text. Links are resolved
//! against `<base href>` (the first one, as browsers do) and put in canonical form by
//! [`super::urls`]; the same (target, element) pair is reported once per page.
//!
//! Besides the usual attributes, links hidden in JavaScript are extracted because Chinese
//! government CMSs are full of them: `<a href="javascript:window.open('…')">`,
//! `onclick="location.href='…'"` on table rows and buttons, and redirect scripts on
//! homepages. Only string literals are taken, and a literal followed by `+` is skipped: it is
//! the start of a URL built at run time, and fetching the fragment would report a broken link
//! that no visitor ever sees.

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use encoding_rs::Encoding;
use regex::Regex;
use scraper::{Html, Node};
use serde::{Deserialize, Serialize};
use url::Url;

use super::urls::{resolve_href, LinkTarget};

/// The element a link was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkElement {
    A,
    Area,
    Img,
    Script,
    Link,
    Iframe,
    Frame,
    Embed,
    Source,
    Object,
    /// A URL in an inline script (`window.open('…')`, `location.href = '…'`).
    InlineScript,
    /// The target of `<meta http-equiv="refresh" content="0;url=…">`, the usual way a
    /// government homepage forwards to its real index page.
    MetaRefresh,
    /// A redirect target, robots.txt or other link the crawler made itself.
    Other,
}

impl LinkElement {
    /// Whether following this link leads to a page that should be crawled (as opposed to a
    /// resource that is only checked).
    pub fn is_navigation(self) -> bool {
        matches!(
            self,
            LinkElement::A
                | LinkElement::Area
                | LinkElement::Iframe
                | LinkElement::Frame
                | LinkElement::InlineScript
                | LinkElement::MetaRefresh
        )
    }
}

/// One link on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLink {
    pub target: LinkTarget,
    pub element: LinkElement,
    /// Anchor text, or alt/title for images; whitespace collapsed.
    pub text: String,
}

impl RawLink {
    /// The target as text: the canonical URL, or the raw text of a link that is not http(s).
    pub fn target_str(&self) -> &str {
        match &self.target {
            LinkTarget::Http(u) => u.as_str(),
            LinkTarget::NotHttp { raw, .. } | LinkTarget::Invalid { raw, .. } => raw,
        }
    }
}

/// What extraction found on one HTML page.
#[derive(Debug, Clone, Default)]
pub struct ExtractedPage {
    pub title: Option<String>,
    /// `<meta name=… content=…>` pairs, names lower-cased; `<meta http-equiv=… content=…>`
    /// appear under their (lower-cased) http-equiv name.
    pub meta: Vec<(String, String)>,
    /// Visible text (no scripts, styles or attributes), whitespace collapsed.
    pub text: String,
    pub links: Vec<RawLink>,
}

/// Upper bound on [`ExtractedPage::text`], in bytes: enough for any article, and a cap on
/// what a hostile or broken page can make the crawler hold.
pub const MAX_TEXT_BYTES: usize = 200 * 1024;

/// Upper bound on a link's text, in bytes (a `<div onclick>` can wrap a whole page).
const MAX_LINK_TEXT_BYTES: usize = 1024;

/// Elements whose content is never rendered as text.
const HIDDEN_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "noframes", "head",
];

/// Elements that start a new line when rendered; text on either side of them is separated by
/// a space. Inline elements are not: `<span>政府</span><span>网站</span>` reads 政府网站, and
/// the wording checks must see it that way.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "button",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "section",
    "select",
    "summary",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

const HTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// String literals handed to `window.open(…)`, `location.replace(…)`/`assign(…)`, or
/// assigned to `location` / `location.href`. Group 1 or 2 is the literal's body (single- or
/// double-quoted, backslash escapes allowed); group 3 is a `+` right after it. `=` must be
/// followed by the quote, so comparisons (`==`, `!=`) and `+=` do not match.
static JS_URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:\bwindow\.open\s*\(|\blocation\.(?:replace|assign)\s*\(|\blocation(?:\.href)?\s*=)\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")\s*(\+)?"#,
    )
    .expect("JavaScript URL regex is valid")
});

/// `<meta http-equiv=refresh>` content: a delay, a separator, an optional `url=`, the URL.
static REFRESH_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)^\s*[0-9.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)$").expect("refresh regex is valid")
});

/// Extract title, meta, text and links from an HTML page.
pub fn extract_page(
    html: &str,
    page_url: &Url,
    encoding: &'static Encoding,
    session_params: &[String],
) -> ExtractedPage {
    let doc = Html::parse_document(html);
    extract_document(&doc, page_url, encoding, session_params)
}

/// [`extract_page`] on a document already parsed (so further fact extractors can share the
/// parse).
pub fn extract_document(
    doc: &Html,
    page_url: &Url,
    encoding: &'static Encoding,
    session_params: &[String],
) -> ExtractedPage {
    extract_document_capped(doc, page_url, encoding, session_params, usize::MAX).0
}

/// [`extract_document`] taking at most `max_links` links; also returns how many distinct
/// links the page has (kept or not).
pub fn extract_document_capped(
    doc: &Html,
    page_url: &Url,
    encoding: &'static Encoding,
    session_params: &[String],
    max_links: usize,
) -> (ExtractedPage, usize) {
    let root = doc.tree.root();

    let base = find_base(root, page_url, encoding);
    let mut links = LinkCollector {
        base,
        encoding,
        session_params,
        seen: HashSet::new(),
        links: Vec::new(),
        max_links,
        found: 0,
    };
    let mut title = None;
    let mut meta = Vec::new();

    for node in root.descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        let name = el.name();
        let is_html = &*el.name.ns == HTML_NS;
        match name {
            "title" if is_html && title.is_none() => {
                let t = element_text(node, MAX_LINK_TEXT_BYTES);
                if !t.is_empty() {
                    title = Some(t);
                }
            }
            "meta" => {
                if let Some(content) = el.attr("content") {
                    let content = content.trim();
                    if let Some(n) = el.attr("name") {
                        meta.push((n.trim().to_lowercase(), content.to_string()));
                    }
                    if let Some(equiv) = el.attr("http-equiv") {
                        let equiv = equiv.trim().to_lowercase();
                        if equiv == "refresh" {
                            if let Some(target) = refresh_target(content) {
                                links.add(&target, LinkElement::MetaRefresh, String::new());
                            }
                        }
                        meta.push((equiv, content.to_string()));
                    }
                }
            }
            "a" | "area" => {
                if let Some(href) = el.attr("href") {
                    let (element, text) = if name == "a" {
                        (LinkElement::A, anchor_text(node))
                    } else {
                        (LinkElement::Area, alt_or_title(node))
                    };
                    links.add(href, element, text.clone());
                    if let Some(js) = strip_javascript_scheme(href) {
                        links.add_from_script(js, &text);
                    }
                }
            }
            "img" => {
                let text = alt_or_title(node);
                if let Some(src) = el.attr("src") {
                    links.add(src, LinkElement::Img, text.clone());
                }
                if let Some(first) = el.attr("srcset").and_then(first_srcset_url) {
                    links.add(first, LinkElement::Img, text);
                }
            }
            "source" => {
                if let Some(src) = el.attr("src") {
                    links.add(src, LinkElement::Source, String::new());
                }
                if let Some(first) = el.attr("srcset").and_then(first_srcset_url) {
                    links.add(first, LinkElement::Source, String::new());
                }
            }
            "script" => match el.attr("src") {
                Some(src) => links.add(src, LinkElement::Script, String::new()),
                // Browsers ignore the content of a script with a src.
                None => {
                    let code: String = node
                        .children()
                        .filter_map(|c| c.value().as_text().map(|t| &**t))
                        .collect();
                    links.add_from_script(&code, "");
                    for href in super::pagination::script_pages(&code) {
                        links.add(&href, LinkElement::InlineScript, String::new());
                    }
                    for (href, text) in super::hidden::written_anchors(&code) {
                        links.add(&href, LinkElement::InlineScript, text);
                    }
                }
            },
            "link" => {
                // Host hints, not resources: the URL is usually a bare origin.
                let hint = el.attr("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace().any(|r| {
                        r.eq_ignore_ascii_case("dns-prefetch")
                            || r.eq_ignore_ascii_case("preconnect")
                    })
                });
                if let (Some(href), false) = (el.attr("href"), hint) {
                    links.add(href, LinkElement::Link, title_attr(node));
                }
            }
            "iframe" | "frame" | "embed" => {
                if let Some(src) = el.attr("src") {
                    let element = match name {
                        "iframe" => LinkElement::Iframe,
                        "frame" => LinkElement::Frame,
                        _ => LinkElement::Embed,
                    };
                    links.add(src, element, title_attr(node));
                }
            }
            "object" => {
                if let Some(data) = el.attr("data") {
                    links.add(data, LinkElement::Object, title_attr(node));
                }
            }
            _ => {}
        }
        // Event handlers (onclick on rows, buttons, images...) carry navigation too.
        let mut handler_text = None;
        for (attr, value) in el.attrs() {
            let is_handler =
                attr.len() > 2 && attr.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on"));
            if is_handler && JS_URL_RE.is_match(value) {
                let text = handler_text.get_or_insert_with(|| {
                    let t = element_text(node, MAX_LINK_TEXT_BYTES);
                    if t.is_empty() {
                        alt_or_title(node)
                    } else {
                        t
                    }
                });
                links.add_from_script(value, text);
            }
        }
    }

    let text = root
        .children()
        .find_map(|html| {
            html.children()
                .find(|n| n.value().as_element().is_some_and(|e| e.name() == "body"))
        })
        .map(|body| element_text(body, MAX_TEXT_BYTES))
        .unwrap_or_default();
    // `?page=N` lists that say 共N页 but link only the next few pages.
    let pager: Vec<url::Url> = {
        let targets: Vec<&Url> = links
            .links
            .iter()
            .filter_map(|l| match &l.target {
                LinkTarget::Http(u) if l.element == LinkElement::A => Some(u),
                _ => None,
            })
            .collect();
        super::pagination::query_pages(&text, &targets)
    };
    for u in pager {
        links.add(u.as_str(), LinkElement::A, String::new());
    }

    let found = links.found;
    (
        ExtractedPage {
            title,
            meta,
            text,
            links: links.links,
        },
        found,
    )
}

/// Resolves, canonicalises and de-duplicates the links of one page.
struct LinkCollector<'a> {
    base: Url,
    encoding: &'static Encoding,
    session_params: &'a [String],
    seen: HashSet<(LinkTarget, LinkElement)>,
    links: Vec<RawLink>,
    /// Links kept; beyond it links are only counted.
    max_links: usize,
    /// Distinct links found, kept or not.
    found: usize,
}

impl LinkCollector<'_> {
    fn add(&mut self, href: &str, element: LinkElement, text: String) {
        let Some(target) = resolve_href(&self.base, href, self.encoding, self.session_params)
        else {
            return;
        };
        if self.links.len() >= self.max_links {
            // Counted, not kept (the set of seen links stops growing too).
            if !self.seen.contains(&(target, element)) {
                self.found += 1;
            }
            return;
        }
        if self.seen.insert((target.clone(), element)) {
            self.found += 1;
            self.links.push(RawLink {
                target,
                element,
                text,
            });
        }
    }

    /// Add the URL literals found in JavaScript code as [`LinkElement::InlineScript`] links.
    fn add_from_script(&mut self, code: &str, text: &str) {
        for caps in JS_URL_RE.captures_iter(code) {
            if caps.get(3).is_some() {
                continue; // `'…?id=' + id`: built at run time.
            }
            let Some(literal) = caps.get(1).or(caps.get(2)) else {
                continue;
            };
            let url = unescape_js(literal.as_str());
            // Server-side or client-side templates that were never filled in.
            if ["{{", "${", "<%", "'+", "\"+"]
                .iter()
                .any(|t| url.contains(t))
            {
                continue;
            }
            self.add(&url, LinkElement::InlineScript, text.to_string());
        }
    }
}

/// The document's base URL: the first `<base href>` resolved against the page URL, if it is
/// an http(s) URL; else the page URL.
fn find_base(root: NodeRef<'_, Node>, page_url: &Url, encoding: &'static Encoding) -> Url {
    root.descendants()
        .filter_map(|n| n.value().as_element())
        .find(|e| e.name() == "base" && e.attr("href").is_some())
        .and_then(|e| e.attr("href"))
        .and_then(|href| match resolve_href(page_url, href, encoding, &[]) {
            Some(LinkTarget::Http(url)) => Some(url),
            _ => None,
        })
        .unwrap_or_else(|| page_url.clone())
}

/// `javascript:` hrefs: the code after the scheme.
fn strip_javascript_scheme(href: &str) -> Option<&str> {
    let href = href.trim_start();
    let prefix = href.get(..11)?;
    prefix
        .eq_ignore_ascii_case("javascript:")
        .then(|| href.get(11..))
        .flatten()
}

/// Undo the escapes that appear in URL literals (`'\/a\/b.html'`, `"\"…"`); anything after a
/// backslash is taken literally, which is right for these and harmless for the rest.
fn unescape_js(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The URL of a refresh `content` value (`5;URL='/index.html'`), if there is one.
pub(crate) fn refresh_target(content: &str) -> Option<String> {
    let caps = REFRESH_RE.captures(content)?;
    let url = caps.get(1)?.as_str().trim();
    let url = url
        .strip_prefix(['\'', '"'])
        .map(|rest| rest.trim_end_matches(['\'', '"']))
        .unwrap_or(url);
    (!url.is_empty()).then(|| url.to_string())
}

/// The first URL of a `srcset` (`a.jpg 1x, b.jpg 2x`).
fn first_srcset_url(srcset: &str) -> Option<&str> {
    let url = srcset
        .trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',')
        .split_ascii_whitespace()
        .next()?
        .trim_end_matches(',');
    (!url.is_empty()).then_some(url)
}

/// Anchor text: the link's text; for an image-only link the image's alt (then title); then
/// the link's own title attribute.
fn anchor_text(a: NodeRef<'_, Node>) -> String {
    let text = element_text(a, MAX_LINK_TEXT_BYTES);
    if !text.is_empty() {
        return text;
    }
    a.descendants()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "img"))
        .map(alt_or_title)
        .find(|t| !t.is_empty())
        .unwrap_or_else(|| title_attr(a))
}

/// `alt`, else `title`, whitespace collapsed.
fn alt_or_title(node: NodeRef<'_, Node>) -> String {
    let Some(el) = node.value().as_element() else {
        return String::new();
    };
    let alt = collapse_whitespace(el.attr("alt").unwrap_or_default());
    if alt.is_empty() {
        title_attr(node)
    } else {
        alt
    }
}

fn title_attr(node: NodeRef<'_, Node>) -> String {
    node.value()
        .as_element()
        .and_then(|e| e.attr("title"))
        .map(collapse_whitespace)
        .unwrap_or_default()
}

fn collapse_whitespace(s: &str) -> String {
    let mut buf = TextBuf::new(usize::MAX);
    buf.push_str(s);
    buf.finish()
}

/// The rendered text of a subtree: hidden elements skipped, a space at block boundaries,
/// whitespace collapsed, at most `limit` bytes (plus one character).
fn element_text(root: NodeRef<'_, Node>, limit: usize) -> String {
    let mut buf = TextBuf::new(limit);
    // While inside a hidden element, the id of that element.
    let mut hidden = None;
    for edge in root.traverse() {
        if buf.is_full() {
            break;
        }
        match edge {
            Edge::Open(node) => {
                if hidden.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => buf.push_str(t),
                    Node::Element(e) if node != root && HIDDEN_ELEMENTS.contains(&e.name()) => {
                        hidden = Some(node.id());
                    }
                    Node::Element(e) if BLOCK_ELEMENTS.contains(&e.name()) => buf.push_break(),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if hidden == Some(node.id()) {
                    hidden = None;
                } else if hidden.is_none()
                    && node
                        .value()
                        .as_element()
                        .is_some_and(|e| BLOCK_ELEMENTS.contains(&e.name()))
                {
                    buf.push_break();
                }
            }
        }
    }
    buf.finish()
}

/// Accumulates text with runs of whitespace collapsed to one space and no leading or
/// trailing space. Unicode whitespace counts, so the ideographic space (U+3000) used to
/// indent Chinese paragraphs and `&nbsp;` collapse like ASCII spaces.
struct TextBuf {
    out: String,
    limit: usize,
    pending_space: bool,
}

impl TextBuf {
    fn new(limit: usize) -> Self {
        TextBuf {
            out: String::new(),
            limit,
            pending_space: false,
        }
    }

    fn is_full(&self) -> bool {
        self.out.len() >= self.limit
    }

    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            if self.is_full() {
                return;
            }
            if c.is_whitespace() {
                self.pending_space = true;
            } else {
                if self.pending_space && !self.out.is_empty() {
                    self.out.push(' ');
                }
                self.pending_space = false;
                self.out.push(c);
            }
        }
    }

    fn push_break(&mut self) {
        self.pending_space = true;
    }

    fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{GBK, UTF_8};

    fn page_url() -> Url {
        Url::parse("http://www.example.gov.cn/zwgk/index.html").expect("valid test URL")
    }

    fn extract(html: &str) -> ExtractedPage {
        extract_page(html, &page_url(), UTF_8, &["sid".to_string()])
    }

    /// (url or scheme:raw, element, text) triples, for compact assertions.
    fn summary(page: &ExtractedPage) -> Vec<(String, LinkElement, String)> {
        page.links
            .iter()
            .map(|l| {
                let target = match &l.target {
                    LinkTarget::Http(u) => u.to_string(),
                    LinkTarget::NotHttp { raw, .. } => raw.clone(),
                    LinkTarget::Invalid { raw, .. } => format!("invalid:{raw}"),
                };
                (target, l.element, l.text.clone())
            })
            .collect()
    }

    fn link(url: &str, element: LinkElement, text: &str) -> (String, LinkElement, String) {
        (url.to_string(), element, text.to_string())
    }

    #[test]
    fn title_meta_and_text() {
        let page = extract(
            r#"<html><head>
            <title>
               XX市人民政府
               门户网站 </title>
            <meta name="SiteIDCode" content=" 1100000088 ">
            <meta http-equiv="Content-Type" content="text/html; charset=utf-8">
            <meta charset="utf-8">
            <style>.a { color: red }</style>
            <script>var x = "不应出现";</script>
            </head><body>
            <div>　　政务<span>公开</span></div><p>通知&nbsp;公告</p>
            <script>document.write("脚本文本")</script><noscript>请启用脚本</noscript>
            <style>p{}</style><template><p>模板</p></template>
            <table><tr><td>一</td><td>二</td></tr></table>
            <svg><title>图形标题</title></svg>
            </body></html>"#,
        );
        assert_eq!(page.title.as_deref(), Some("XX市人民政府 门户网站"));
        assert_eq!(
            page.meta,
            vec![
                ("siteidcode".to_string(), "1100000088".to_string()),
                (
                    "content-type".to_string(),
                    "text/html; charset=utf-8".to_string()
                ),
            ]
        );
        assert_eq!(page.text, "政务公开 通知 公告 一 二 图形标题");
    }

    #[test]
    fn missing_or_blank_title() {
        assert_eq!(extract("<p>x</p>").title, None);
        assert_eq!(extract("<title>  </title><p>x</p>").title, None);
    }

    #[test]
    fn text_is_bounded() {
        let html = format!("<body><p>{}</p></body>", "政".repeat(200_000));
        let page = extract(&html);
        assert!(page.text.len() <= MAX_TEXT_BYTES + 4);
        assert!(page.text.len() >= MAX_TEXT_BYTES);
    }

    #[test]
    fn all_element_kinds() {
        let page = extract(
            r#"<html><head>
            <link rel="stylesheet" href="/css/main.css">
            <link rel="dns-prefetch" href="//cdn.example.com">
            <link rel="preconnect" href="https://cdn.example.com">
            <link rel="icon" href="/favicon.ico">
            <script src="/js/jquery.js"></script>
            </head><body>
            <a href="a.html"> 机构
              设置 </a>
            <map><area href="/map/1.html" alt="东城区"></map>
            <img src="/img/logo.png" alt="网站标识">
            <img src="/img/banner.jpg" title="横幅">
            <iframe src="/frame.html" title="嵌入"></iframe>
            <embed src="/media/a.swf">
            <video><source src="/media/a.mp4"></video>
            <picture><source srcset="/img/a-1x.webp 1x, /img/a-2x.webp 2x"></picture>
            <object data="/files/a.pdf"></object>
            </body></html>"#,
        );
        use LinkElement::*;
        let base = "http://www.example.gov.cn";
        assert_eq!(
            summary(&page),
            vec![
                link(&format!("{base}/css/main.css"), Link, ""),
                link(&format!("{base}/favicon.ico"), Link, ""),
                link(&format!("{base}/js/jquery.js"), Script, ""),
                link(&format!("{base}/zwgk/a.html"), A, "机构 设置"),
                link(&format!("{base}/map/1.html"), Area, "东城区"),
                link(&format!("{base}/img/logo.png"), Img, "网站标识"),
                link(&format!("{base}/img/banner.jpg"), Img, "横幅"),
                link(&format!("{base}/frame.html"), Iframe, "嵌入"),
                link(&format!("{base}/media/a.swf"), Embed, ""),
                link(&format!("{base}/media/a.mp4"), Source, ""),
                link(&format!("{base}/img/a-1x.webp"), Source, ""),
                link(&format!("{base}/files/a.pdf"), Object, ""),
            ]
        );
    }

    #[test]
    fn frames() {
        let page = extract(
            r#"<html><frameset cols="20%,80%"><frame src="left.html"><frame src="main.html"></frameset></html>"#,
        );
        assert_eq!(
            summary(&page),
            vec![
                link(
                    "http://www.example.gov.cn/zwgk/left.html",
                    LinkElement::Frame,
                    ""
                ),
                link(
                    "http://www.example.gov.cn/zwgk/main.html",
                    LinkElement::Frame,
                    ""
                ),
            ]
        );
    }

    #[test]
    fn anchor_text_for_image_links() {
        let page = extract(
            r#"<a href="/1.html"><img src="/i.png" alt="政务服务"></a>
               <a href="/2.html"><img src="/j.png" title=" 互动 交流 "></a>
               <a href="/3.html" title="首页"><img src="/k.png"></a>
               <a href="/4.html"> <img src="/k.png" alt="忽略">文字优先</a>"#,
        );
        let texts: Vec<_> = page
            .links
            .iter()
            .filter(|l| l.element == LinkElement::A)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(texts, vec!["政务服务", "互动 交流", "首页", "文字优先"]);
    }

    #[test]
    fn base_href_is_honoured() {
        let page = extract(
            r#"<html><head><base href="/site/"><base href="/other/"></head>
               <body><a href="news.html">新闻</a><img src="../img/a.png"></body></html>"#,
        );
        assert_eq!(
            summary(&page),
            vec![
                link(
                    "http://www.example.gov.cn/site/news.html",
                    LinkElement::A,
                    "新闻"
                ),
                link("http://www.example.gov.cn/img/a.png", LinkElement::Img, ""),
            ]
        );
        // A base that is not http(s) is ignored.
        let page = extract(r#"<base href="javascript:void(0)"><a href="x.html">x</a>"#);
        assert_eq!(summary(&page)[0].0, "http://www.example.gov.cn/zwgk/x.html");
    }

    #[test]
    fn inline_script_urls() {
        let page = extract(
            r#"<html><head><script>
                if (isMobile) { window.location.href = "/m/index.html"; }
                function go(id) { window.open('/detail.jsp?id=' + id); }
                location.replace('\/new\/index.html');
                if (location.href == "/never.html") {}
                top.location = '/top.html';
                var t = "{{url}}"; window.open("{{url}}");
            </script></head><body>
            <a href="javascript:window.open('/zwgk/open.html')">打开</a>
            <a href="javascript:void(0)" onclick="location.href='/click.html';return false;">点击</a>
            <tr onclick="window.open(&quot;/row.html&quot;)"><td>行</td></tr>
            <a href="javascript:;">无</a>
            <button onclick="location.assign('/btn.html')">按钮</button>
            </body></html>"#,
        );
        use LinkElement::*;
        assert_eq!(
            summary(&page),
            vec![
                link("http://www.example.gov.cn/m/index.html", InlineScript, ""),
                link("http://www.example.gov.cn/new/index.html", InlineScript, ""),
                link("http://www.example.gov.cn/top.html", InlineScript, ""),
                link("javascript:window.open('/zwgk/open.html')", A, "打开"),
                link(
                    "http://www.example.gov.cn/zwgk/open.html",
                    InlineScript,
                    "打开"
                ),
                link("javascript:void(0)", A, "点击"),
                link("http://www.example.gov.cn/click.html", InlineScript, "点击"),
                // (<tr> outside a table is dropped by the parser; its handler is not.)
                link("javascript:;", A, "无"),
                link("http://www.example.gov.cn/btn.html", InlineScript, "按钮"),
            ]
        );
    }

    #[test]
    fn onclick_on_table_rows() {
        let page = extract(
            r#"<table><tr onclick="window.open('/row.html')"><td>第一行</td></tr></table>"#,
        );
        assert_eq!(
            summary(&page),
            vec![link(
                "http://www.example.gov.cn/row.html",
                LinkElement::InlineScript,
                "第一行"
            )]
        );
    }

    #[test]
    fn meta_refresh_is_a_navigation_link() {
        for content in [
            "0;url=/site/index.html",
            "0; URL='/site/index.html'",
            "3,/site/index.html",
        ] {
            let html = format!(r#"<meta http-equiv="refresh" content="{content}">"#);
            let page = extract(&html);
            assert_eq!(
                summary(&page),
                vec![link(
                    "http://www.example.gov.cn/site/index.html",
                    LinkElement::MetaRefresh,
                    ""
                )],
                "{content}"
            );
            assert!(LinkElement::MetaRefresh.is_navigation());
        }
        assert!(extract(r#"<meta http-equiv="refresh" content="300">"#)
            .links
            .is_empty());
    }

    #[test]
    fn duplicates_are_reported_once_per_element() {
        let page = extract(
            r##"<a href="/a.html">一</a><a href="/a.html#x">二</a><a href="/a.html?sid=1">三</a>
               <img src="/a.html"><a href="#top">顶部</a><a href="">空</a>"##,
        );
        assert_eq!(
            summary(&page),
            vec![
                link("http://www.example.gov.cn/a.html", LinkElement::A, "一"),
                link("http://www.example.gov.cn/a.html", LinkElement::Img, ""),
            ]
        );
    }

    #[test]
    fn gbk_page_query_and_chinese_paths() {
        let page = extract_page(
            r#"<a href="/search.jsp?q=政务 公开">搜索</a><a href="/附件/通知.doc">附件</a>"#,
            &page_url(),
            GBK,
            &[],
        );
        assert_eq!(
            summary(&page),
            vec![
                link(
                    "http://www.example.gov.cn/search.jsp?q=%D5%FE%CE%F1%20%B9%AB%BF%AA",
                    LinkElement::A,
                    "搜索"
                ),
                link(
                    "http://www.example.gov.cn/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.doc",
                    LinkElement::A,
                    "附件"
                ),
            ]
        );
    }

    #[test]
    fn non_http_and_invalid_links_are_kept() {
        let page = extract(
            r#"<a href="mailto:a@b.gov.cn">信箱</a><a href="http://exa mple.com/">坏</a>
               <a href=" /ok.html ">好</a>"#,
        );
        let s = summary(&page);
        assert_eq!(s[0], link("mailto:a@b.gov.cn", LinkElement::A, "信箱"));
        assert_eq!(s[1].0, "invalid:http://exa mple.com/");
        assert_eq!(s[2].0, "http://www.example.gov.cn/ok.html");
    }

    #[test]
    fn hostile_markup_does_not_panic() {
        // (html5ever's parse time grows with the square of the nesting depth, so this stays
        // modest; the crawler's body cap bounds it in production.)
        let deep = "<div>".repeat(1_000) + "深" + &"</div>".repeat(1_000);
        let page = extract(&deep);
        assert_eq!(page.text, "深");
        for html in [
            "",
            "<",
            "<a href",
            "<a href=>",
            "<script>window.open('",
            "<meta http-equiv=refresh content=\"0;url=\">",
            "<img srcset=\" , \">",
            "<a onclick=\"location.href='\\\">x</a>",
        ] {
            let _ = extract(html);
        }
    }
}
