//! Bounded extraction: whatever a body contains, what it costs to read it stays within a small
//! multiple of the body cap and a time linear in its size.
//!
//! - A body with many control characters (a page of NUL bytes, a decompressed bomb, an image
//!   served as `text/html`) is binary content: it is not parsed at all ([`looks_binary`]).
//! - Before building a DOM, one linear byte scan measures the page's shape ([`shape`]): its
//!   elements and an estimate of their nesting. html5ever's tree builder walks the stack of
//!   open elements for every tag, so deep nesting costs quadratic time (200,000 nested `<div>`s
//!   took minutes); a page with more elements or deeper nesting than [`ParseLimits`] allow is
//!   not built into a DOM but scanned for links at the tokenizer level ([`scan_links`]), in
//!   linear time and constant memory besides the links. The page's record says so.
//! - The links taken from one page are capped (`max_links_per_page`); the rest are counted.

use std::cell::RefCell;
use std::collections::HashSet;

use encoding_rs::Encoding;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use url::Url;

use super::links::{ExtractedPage, LinkElement, RawLink, MAX_TEXT_BYTES};
use super::urls::{resolve_href, LinkTarget};

/// Limits on the DOM built for one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Links taken from one page.
    pub max_links: usize,
    /// Elements in the DOM (the parser's own allocations grow with them).
    pub max_elements: usize,
    /// Estimated nesting depth of the elements.
    pub max_depth: usize,
}

/// Elements a DOM may have: far above real pages (a large list page has ~20,000), low
/// enough that the DOM costs tens of MB at most.
pub const MAX_ELEMENTS: usize = 150_000;

/// Nesting a DOM may have: real pages, even table-in-table CMS templates, stay under 100.
pub const MAX_DEPTH: usize = 512;

impl ParseLimits {
    /// The built-in element and depth limits with a cap on links.
    pub fn with_max_links(max_links: usize) -> ParseLimits {
        ParseLimits {
            max_links,
            max_elements: MAX_ELEMENTS,
            max_depth: MAX_DEPTH,
        }
    }
}

/// Share of control bytes from which a body is binary content, in per mille.
const BINARY_PER_MILLE: usize = 10;

/// Whether a body is binary content rather than text: more than 1% of its bytes are control
/// characters other than tab, line feed, form feed and carriage return (ESC, used by
/// ISO-2022 encodings, is allowed too). GBK and UTF-8 text never has them.
pub fn looks_binary(body: &[u8]) -> bool {
    if body.is_empty() {
        return false;
    }
    let control = body
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | 0x1B)) || b == 0x7F)
        .count();
    control.saturating_mul(1000) > body.len().saturating_mul(BINARY_PER_MILLE)
}

/// What the byte scan found of a page's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Start tags.
    pub elements: usize,
    /// Deepest estimated nesting (void and implicitly closed elements do not nest).
    pub depth: usize,
}

/// Elements that never have content.
const VOID: &[&[u8]] = &[
    b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param",
    b"source", b"track", b"wbr", b"frame", b"keygen",
];

/// Elements whose end tag is commonly left out (tag soup: `<td>` without `</td>`), or that the
/// parser closes when the next one starts (`<a>`): they do not count as nesting, so unclosed
/// cells, paragraphs and anchors do not look deep.
const IMPLIED_END: &[&[u8]] = &[
    b"a",
    b"p",
    b"li",
    b"td",
    b"th",
    b"tr",
    b"dt",
    b"dd",
    b"option",
    b"tbody",
    b"thead",
    b"tfoot",
    b"colgroup",
    b"optgroup",
    b"rb",
    b"rt",
    b"rp",
];

/// Elements whose content is text, not markup.
const RAW_TEXT: &[&[u8]] = &[b"script", b"style", b"textarea", b"title", b"xmp"];

/// Measure a page's shape in one linear pass over its bytes. An estimate: it does not know
/// the parser's rules, only tags, comments and the content of `<script>`/`<style>`.
pub fn shape(html: &str) -> Shape {
    let b = html.as_bytes();
    let mut s = Shape::default();
    let mut depth = 0usize;
    let mut i = 0usize;
    let is = |list: &[&[u8]], name: &[u8]| list.iter().any(|v| v.eq_ignore_ascii_case(name));
    while let Some(off) = memchr_lt(&b[i..]) {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let end_tag = b.get(i) == Some(&b'/');
        let start = if end_tag { i + 1 } else { i };
        let name_end = b[start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .map_or(b.len(), |p| start + p);
        if name_end == start || !b[start].is_ascii_alphabetic() {
            continue;
        }
        let name = &b[start..name_end];
        let tag_end = b[name_end..]
            .iter()
            .position(|&c| c == b'>')
            .map_or(b.len(), |p| name_end + p);
        let self_closing = tag_end > 0 && b.get(tag_end - 1) == Some(&b'/');
        i = tag_end.min(b.len());
        let nests = !is(VOID, name) && !is(IMPLIED_END, name) && !self_closing;
        if end_tag {
            if nests {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        s.elements += 1;
        if nests {
            depth += 1;
            s.depth = s.depth.max(depth);
        }
        // Raw text: skip to the matching end tag.
        if is(RAW_TEXT, name) {
            let mut close = b"</".to_vec();
            close.extend_from_slice(name);
            match find_ci(b, i, &close) {
                Some(e) => i = e,
                None => break,
            }
        }
    }
    s
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

impl Shape {
    /// Why a DOM must not be built for this page, if it must not.
    pub fn exceeds(&self, limits: &ParseLimits) -> Option<String> {
        if self.depth > limits.max_depth {
            Some(format!(
                "nesting depth ~{} exceeds {}: links scanned without building the page",
                self.depth, limits.max_depth
            ))
        } else if self.elements > limits.max_elements {
            Some(format!(
                "{} elements exceed {}: links scanned without building the page",
                self.elements, limits.max_elements
            ))
        } else {
            None
        }
    }
}

/// A tokenizer-level scan of a page that is not built into a DOM: the title, the links of
/// `<a>`, `<area>`, frames, images, scripts, `<link>` and `<meta refresh>` (at most
/// `max_links`), and the visible text (capped), in time linear in the page's size. Anchor
/// texts are taken up to the next tag.
pub fn scan_links(
    html: &str,
    page_url: &Url,
    encoding: &'static Encoding,
    session_params: &[String],
    max_links: usize,
) -> (ExtractedPage, usize) {
    let sink = ScanSink {
        state: RefCell::new(ScanState {
            base: page_url.clone(),
            base_seen: false,
            encoding,
            session_params: session_params.to_vec(),
            seen: HashSet::new(),
            page: ExtractedPage::default(),
            found: 0,
            max_links,
            in_title: false,
            open_anchor: None,
            hidden: 0,
        }),
    };
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(html));
    let _ = tok.feed(&input);
    tok.end();
    let mut st = tok.sink.state.into_inner();
    st.flush_anchor();
    st.page.text = st.page.text.trim().to_string();
    (st.page, st.found)
}

struct ScanSink {
    state: RefCell<ScanState>,
}

struct ScanState {
    base: Url,
    base_seen: bool,
    encoding: &'static Encoding,
    session_params: Vec<String>,
    seen: HashSet<(LinkTarget, LinkElement)>,
    page: ExtractedPage,
    /// Links found, kept or not.
    found: usize,
    max_links: usize,
    in_title: bool,
    /// The href of an `<a>` whose text is being read, and the text so far.
    open_anchor: Option<(String, String)>,
    /// Inside `<script>`/`<style>` (raw text).
    hidden: usize,
}

impl ScanState {
    fn add(&mut self, href: &str, element: LinkElement, text: String) {
        let Some(target) = resolve_href(&self.base, href, self.encoding, &self.session_params)
        else {
            return;
        };
        if self.seen.len() >= self.max_links {
            if !self.seen.contains(&(target.clone(), element)) {
                self.found += 1;
            }
            return;
        }
        if self.seen.insert((target.clone(), element)) {
            self.found += 1;
            self.page.links.push(RawLink {
                target,
                element,
                text,
            });
        }
    }

    fn flush_anchor(&mut self) {
        if let Some((href, text)) = self.open_anchor.take() {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            self.add(&href, LinkElement::A, text);
        }
    }

    fn text(&mut self, t: &str) {
        if self.hidden > 0 {
            return;
        }
        if self.in_title {
            let title = self.page.title.get_or_insert_with(String::new);
            if title.len() < 1024 {
                title.push_str(t);
            }
            return;
        }
        if let Some((_, text)) = &mut self.open_anchor {
            if text.len() < 1024 {
                text.push_str(t);
            }
        }
        if self.page.text.len() < MAX_TEXT_BYTES {
            let room = MAX_TEXT_BYTES - self.page.text.len();
            let mut cut = t.len().min(room);
            while !t.is_char_boundary(cut) {
                cut -= 1;
            }
            self.page.text.push_str(&t[..cut]);
        }
    }
}

impl TokenSink for ScanSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut st = self.state.borrow_mut();
        match token {
            Token::CharacterTokens(t) => {
                st.text(&t);
                TokenSinkResult::Continue
            }
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let attr = |n: &str| {
                    tag.attrs
                        .iter()
                        .find(|a| &*a.name.local == n)
                        .map(|a| a.value.to_string())
                };
                if tag.kind == TagKind::EndTag {
                    match name {
                        "a" => st.flush_anchor(),
                        "title" => st.in_title = false,
                        "script" | "style" => st.hidden = 0,
                        _ => {}
                    }
                    if matches!(name, "p" | "div" | "li" | "td" | "tr" | "br" | "h1" | "h2")
                        && st.page.text.len() < MAX_TEXT_BYTES
                    {
                        st.page.text.push(' ');
                    }
                    return TokenSinkResult::Continue;
                }
                match name {
                    "title" if st.page.title.is_none() => {
                        st.in_title = true;
                        return TokenSinkResult::RawData(RawKind::Rcdata);
                    }
                    "script" => {
                        if let Some(src) = attr("src") {
                            st.add(&src, LinkElement::Script, String::new());
                        }
                        st.hidden = 1;
                        return TokenSinkResult::RawData(RawKind::ScriptData);
                    }
                    "style" => {
                        st.hidden = 1;
                        return TokenSinkResult::RawData(RawKind::Rawtext);
                    }
                    "base" if !st.base_seen => {
                        st.base_seen = true;
                        if let Some(b) = attr("href").and_then(|h| st.base.join(h.trim()).ok()) {
                            if matches!(b.scheme(), "http" | "https") {
                                st.base = b;
                            }
                        }
                    }
                    "a" => {
                        st.flush_anchor();
                        if let Some(href) = attr("href") {
                            st.open_anchor = Some((href, String::new()));
                        }
                    }
                    "area" | "iframe" | "frame" | "img" | "embed" | "link" | "source" => {
                        let (key, element) = match name {
                            "area" => ("href", LinkElement::Area),
                            "iframe" => ("src", LinkElement::Iframe),
                            "frame" => ("src", LinkElement::Frame),
                            "img" => ("src", LinkElement::Img),
                            "embed" => ("src", LinkElement::Embed),
                            "source" => ("src", LinkElement::Source),
                            _ => ("href", LinkElement::Link),
                        };
                        if let Some(v) = attr(key) {
                            let text = attr("alt").or_else(|| attr("title")).unwrap_or_default();
                            st.add(&v, element, text);
                        }
                    }
                    "meta" => {
                        let refresh = attr("http-equiv")
                            .is_some_and(|e| e.trim().eq_ignore_ascii_case("refresh"));
                        if let Some(content) = attr("content") {
                            if refresh {
                                if let Some(target) = super::links::refresh_target(&content) {
                                    st.add(&target, LinkElement::MetaRefresh, String::new());
                                }
                            }
                            if let Some(n) = attr("name") {
                                st.page
                                    .meta
                                    .push((n.trim().to_lowercase(), content.trim().to_string()));
                            }
                        }
                    }
                    _ => {}
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_make_binary_content() {
        assert!(looks_binary(&vec![0u8; 4096]));
        let mut page = "<html><body>正常页面</body></html>"
            .repeat(100)
            .into_bytes();
        assert!(!looks_binary(&page));
        let (gbk, _, _) = encoding_rs::GBK.encode("政府网站 \t\r\n 内容");
        assert!(!looks_binary(&gbk));
        page.extend(std::iter::repeat_n(0u8, page.len() / 20));
        assert!(looks_binary(&page));
    }

    #[test]
    fn shape_of_deep_nesting_and_of_tag_soup() {
        let deep = "<div>".repeat(10_000);
        let s = shape(&deep);
        assert_eq!(s.depth, 10_000);
        assert!(s.exceeds(&ParseLimits::with_max_links(10)).is_some());
        // Unclosed cells and paragraphs, void elements, comments and scripts do not nest.
        let soup = "<TABLE><TR><TD>a<TD>b<TR><TD><P>x<P>y<BR><IMG SRC=a.gif><A HREF=/x>x\
                    <!-- <div><div> --><script>if (a<b) {'<div>'}</script></TABLE>"
            .repeat(2000);
        let s = shape(&soup);
        assert!(s.depth <= 2, "{s:?}");
        assert!(s.exceeds(&ParseLimits::with_max_links(10)).is_none());
    }

    #[test]
    fn tokenizer_scan_finds_links_title_and_caps_them() {
        let url = Url::parse("http://www.example.gov.cn/zwgk/").unwrap();
        let mut html =
            String::from("<html><head><title>政务公开</title><base href=\"/base/\"></head><body>");
        for i in 0..100 {
            html.push_str(&format!("<div><a href=\"../gzdt/{i}.html\">动态{i}</a>"));
        }
        html.push_str("<iframe src=\"./frame.html\"></iframe>");
        let (page, found) = scan_links(&html, &url, encoding_rs::UTF_8, &[], 10);
        assert_eq!(page.title.as_deref(), Some("政务公开"));
        assert_eq!(page.links.len(), 10);
        assert_eq!(found, 101);
        assert_eq!(
            page.links[0].target_str(),
            "http://www.example.gov.cn/gzdt/0.html"
        );
        assert_eq!(page.links[0].text, "动态0");
        assert!(page.text.contains("动态5"));
    }
}
