//! Links hidden from visitors (暗链): `<a>`/`<area>` links to another host inside an element a
//! browser would not show, and links an inline script writes into the page.
//!
//! No browser: the page's inline `style` attributes and its own `<style>` blocks are read
//! (external stylesheets are not fetched). The `<style>` blocks are tokenised with `cssparser`
//! (the CSS tokenizer of Servo, already in the tree through `scraper`) and their selectors are
//! matched with `scraper`. An element is hidden by:
//! - `display:none` or the `hidden` attribute, `visibility:hidden|collapse` (inherited,
//!   `visible` on a nearer element shows it again), `opacity:0`;
//! - zero width or height (≤ 1px) with `overflow:hidden`, a zero `font-size` (inherited, a
//!   nearer non-zero size resets it);
//! - far off-screen: `left`/`top` of a positioned element, `margin-left`/`margin-top`, or an
//!   (inherited) `text-indent` at or beyond `-offscreen_px`;
//! - link text coloured like its background: a colour declared on the link itself (or on the
//!   one element wrapping its text) equal to the nearest declared background colour; no
//!   declared background (or a background image) is not a finding;
//! - an `<a>` written by `document.write` in an inline script, or links inside a hiding
//!   element an inline script opens (`document.write('<div style="display:none">')`).
//!
//! Rules inside `@media` and rules with a user-action pseudo-class (`:hover`, `:focus`...)
//! never hide; when they show an element again (a drop-down menu, a mobile navigation), the
//! element is not hidden. Neither is an element whose `id` or class the page's scripts or event
//! handlers name (a tab or a menu toggled by script). Only cascade order, `!important` and a
//! simple specificity (ids, classes, tags) decide between declarations.
//!
//! Only links to a host other than the page's own are kept (whether that host belongs to the
//! site is the check's business), at most [`MAX_HIDDEN_LINKS`] per page.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use cssparser::{
    AtRuleParser, CowRcStr, DeclarationParser, ParseError, Parser, ParserState,
    QualifiedRuleParser, RuleBodyItemParser, RuleBodyParser, StyleSheetParser,
};
use ego_tree::NodeId;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};
use url::Url;

use super::urls::{resolve_href, LinkTarget};

/// Hidden links kept per page.
pub const MAX_HIDDEN_LINKS: usize = 30;
/// Style rules read per page (a page's own `<style>` blocks; more are ignored).
const MAX_STYLE_RULES: usize = 3000;
/// Bytes of `<style>` text read per page.
const MAX_STYLE_BYTES: usize = 512 * 1024;
/// Bytes of script and event-handler text searched for the ids and classes they toggle.
const MAX_SCRIPT_BYTES: usize = 1024 * 1024;
/// Characters of a snippet.
const SNIPPET_CHARS: usize = 160;

/// Parameters of the hidden-link reading (`link.hidden_outbound`).
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenRules {
    /// Offset (px) beyond which content is off-screen.
    pub offscreen_px: f32,
}

/// How a link is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hiding {
    DisplayNone,
    HiddenAttribute,
    VisibilityHidden,
    Opacity,
    ZeroSize,
    ZeroFontSize,
    Offscreen,
    TextIndent,
    SameColour,
    ScriptWritten,
    ScriptRegion,
}

impl Hiding {
    /// Chinese description for findings.
    pub fn zh(self) -> &'static str {
        match self {
            Hiding::DisplayNone => "元素设为不显示（display:none）",
            Hiding::HiddenAttribute => "元素带 hidden 属性（不显示）",
            Hiding::VisibilityHidden => "元素设为不可见（visibility:hidden）",
            Hiding::Opacity => "元素完全透明（opacity:0）",
            Hiding::ZeroSize => "元素尺寸为零且溢出隐藏",
            Hiding::ZeroFontSize => "字号为零（font-size:0）",
            Hiding::Offscreen => "元素定位到屏幕之外",
            Hiding::TextIndent => "文字缩进到屏幕之外（text-indent）",
            Hiding::SameColour => "链接文字颜色与背景色相同",
            Hiding::ScriptWritten => "由页面脚本（document.write）写入的链接",
            Hiding::ScriptRegion => "位于脚本写入的隐藏容器中",
        }
    }
}

/// A link hidden from visitors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiddenLink {
    /// Canonical target URL.
    pub url: String,
    /// Link text (collapsed, cut).
    pub text: String,
    pub how: Hiding,
    /// The declaration that hides it, and where it is (`style 属性`, a `<style>` rule, a
    /// script).
    pub declaration: String,
    /// The hiding element's start tag and text, cut.
    pub snippet: String,
}

/// A declaration: lower-cased name, lower-cased value, `!important`.
#[derive(Debug, Clone)]
struct Decl {
    name: String,
    value: String,
    important: bool,
}

/// A style rule of the page.
struct StyleRule {
    selector: Selector,
    text: String,
    specificity: u32,
    decls: Vec<Decl>,
}

/// Parsed `<style>` blocks: the rules that apply unconditionally, and the selectors of rules
/// that may show an element again.
#[derive(Default)]
struct Sheet {
    rules: Vec<StyleRule>,
    /// Selectors (pseudo-classes removed) of rules that show an element on a user action or
    /// on some screens, with the classes and ids of their subject.
    reveal: Vec<(Option<Selector>, Vec<String>)>,
    /// Subject names of unconditional rules that show an element with a further (state) class.
    states: Vec<Vec<String>>,
}

struct DeclParser;

impl<'i> DeclarationParser<'i> for DeclParser {
    type Declaration = Decl;
    type Error = ();

    fn parse_value(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
        _start: &ParserState,
    ) -> Result<Decl, ParseError<()>> {
        let start = input.position();
        while input.next().is_ok() {}
        let raw = input.slice_from(start).trim().to_ascii_lowercase();
        let (value, important) = match raw.strip_suffix("important") {
            Some(v) if v.trim_end().ends_with('!') => {
                (v.trim_end().trim_end_matches('!').trim().to_string(), true)
            }
            _ => (raw, false),
        };
        Ok(Decl {
            name: name.to_ascii_lowercase(),
            value,
            important,
        })
    }
}

impl<'i> AtRuleParser<'i> for DeclParser {
    type Prelude = ();
    type AtRule = Decl;
    type Error = ();
}

impl<'i> QualifiedRuleParser<'i> for DeclParser {
    type Prelude = ();
    type QualifiedRule = Decl;
    type Error = ();
}

impl<'i> RuleBodyItemParser<'i, Decl, ()> for DeclParser {
    fn parse_declarations(&self) -> bool {
        true
    }
    fn parse_qualified(&self) -> bool {
        false
    }
}

/// Declarations of a block or a `style` attribute.
fn declarations(input: &mut Parser<'_>) -> Vec<Decl> {
    let mut p = DeclParser;
    RuleBodyParser::new(input, &mut p)
        .filter_map(Result::ok)
        .collect()
}

/// Declarations of a `style` attribute.
fn inline_declarations(style: &str) -> Vec<Decl> {
    let mut parser = Parser::new(style);
    declarations(&mut parser)
}

/// A rule of a stylesheet as read: the selector text and the declarations, or a conditional
/// group (`@media`) with its rules.
enum RawRule {
    Style(String, Vec<Decl>),
    Conditional(Vec<RawRule>),
    Other,
}

struct SheetParser;

impl<'i> QualifiedRuleParser<'i> for SheetParser {
    type Prelude = String;
    type QualifiedRule = RawRule;
    type Error = ();

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<String, ParseError<()>> {
        let start = input.position();
        while input.next().is_ok() {}
        Ok(input.slice_from(start).trim().to_string())
    }

    fn parse_block(
        &mut self,
        prelude: String,
        _start: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<RawRule, ParseError<()>> {
        Ok(RawRule::Style(prelude, declarations(input)))
    }
}

impl<'i> AtRuleParser<'i> for SheetParser {
    type Prelude = bool;
    type AtRule = RawRule;
    type Error = ();

    fn parse_prelude(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
    ) -> Result<bool, ParseError<()>> {
        while input.next().is_ok() {}
        Ok(name.eq_ignore_ascii_case("media") || name.eq_ignore_ascii_case("supports"))
    }

    fn rule_without_block(&mut self, _prelude: bool, _start: &ParserState) -> Result<RawRule, ()> {
        Ok(RawRule::Other)
    }

    fn parse_block(
        &mut self,
        group: bool,
        _start: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<RawRule, ParseError<()>> {
        if !group {
            while input.next().is_ok() {}
            return Ok(RawRule::Other);
        }
        let mut inner = SheetParser;
        let rules = StyleSheetParser::new(input, &mut inner)
            .filter_map(Result::ok)
            .collect();
        Ok(RawRule::Conditional(rules))
    }
}

/// User-action and link-state pseudo-classes (removed from a selector: a `:hover` rule is a
/// reveal rule; `a:link` matches any link).
static USER_PSEUDO_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i):(hover|focus|focus-within|focus-visible|active|target|checked|link|visited)\b",
    )
    .expect("pseudo-class regex is valid")
});
static ACTION_PSEUDO_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i):(hover|focus|focus-within|focus-visible|active|target|checked)\b")
        .expect("pseudo-class regex is valid")
});
/// Pseudo-elements: the rule styles generated content, not the element.
static PSEUDO_ELEMENT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)::?(before|after|first-line|first-letter|placeholder|selection|marker|-webkit-[a-z-]+|-moz-[a-z-]+)\b")
        .expect("pseudo-element regex is valid")
});
/// The classes and ids of a selector's subject (its last compound).
static SUBJECT_NAME_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[.#]([A-Za-z0-9_-]+)").expect("name regex is valid"));

/// The classes and ids of a selector's subject (its last compound).
fn subject_names(selector: &str) -> Vec<String> {
    let subject = selector
        .rsplit([' ', '>', '+', '~'])
        .next()
        .unwrap_or_default();
    SUBJECT_NAME_RE
        .captures_iter(subject)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
        .collect()
}

/// Specificity of one selector (ids, classes and attributes, tags), as one number.
fn specificity(sel: &str) -> u32 {
    let ids = sel.matches('#').count() as u32;
    let classes =
        (sel.matches('.').count() + sel.matches('[').count() + sel.matches(':').count()) as u32;
    let tags = sel
        .split([' ', '>', '+', '~'])
        .filter(|c| c.chars().next().is_some_and(|ch| ch.is_ascii_alphabetic()))
        .count() as u32;
    ids * 10_000 + classes * 100 + tags
}

/// Whether a declaration can show an element again.
fn shows(d: &Decl) -> bool {
    match d.name.as_str() {
        "display" => d.value != "none",
        "visibility" => d.value == "visible",
        "opacity" => number(&d.value).is_some_and(|n| n > 0.0),
        _ => false,
    }
}

impl Sheet {
    fn read(doc: &Html) -> Sheet {
        let mut sheet = Sheet::default();
        let mut bytes = 0usize;
        for style in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| e.value().name() == "style")
        {
            let text: String = style.text().collect();
            bytes += text.len();
            if bytes > MAX_STYLE_BYTES {
                break;
            }
            let mut parser = Parser::new(&text);
            let mut p = SheetParser;
            let rules: Vec<RawRule> = StyleSheetParser::new(&mut parser, &mut p)
                .filter_map(Result::ok)
                .collect();
            for r in rules {
                sheet.take(r, false);
            }
        }
        sheet
    }

    fn take(&mut self, rule: RawRule, conditional: bool) {
        if self.rules.len() + self.reveal.len() >= MAX_STYLE_RULES {
            return;
        }
        match rule {
            RawRule::Style(prelude, decls) => {
                for part in prelude.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    self.take_selector(part, &decls, conditional);
                }
            }
            RawRule::Conditional(rules) => {
                for r in rules {
                    self.take(r, true);
                }
            }
            RawRule::Other => {}
        }
    }

    fn take_selector(&mut self, part: &str, decls: &[Decl], conditional: bool) {
        if PSEUDO_ELEMENT_RE.is_match(part) {
            return;
        }
        let action = ACTION_PSEUDO_RE.is_match(part);
        let plain = USER_PSEUDO_RE.replace_all(part, "").to_string();
        if conditional || action {
            if decls.iter().any(shows) {
                self.reveal
                    .push((Selector::parse(&plain).ok(), subject_names(&plain)));
            }
            return;
        }
        if decls.iter().any(shows) {
            // `.tab-con.on { display: block }`: a state class shows a hidden element.
            let names = subject_names(&plain);
            if names.len() >= 2 {
                self.states.push(names);
            }
        }
        let relevant: Vec<Decl> = decls
            .iter()
            .filter(|d| RELEVANT.contains(&d.name.as_str()))
            .cloned()
            .collect();
        if relevant.is_empty() {
            return;
        }
        if let Ok(selector) = Selector::parse(&plain) {
            self.rules.push(StyleRule {
                selector,
                text: cut(part, 80),
                specificity: specificity(&plain),
                decls: relevant,
            });
        }
    }
}

/// Properties read.
const RELEVANT: &[&str] = &[
    "display",
    "visibility",
    "opacity",
    "width",
    "height",
    "overflow",
    "font-size",
    "font",
    "position",
    "left",
    "top",
    "margin",
    "margin-left",
    "margin-top",
    "text-indent",
    "color",
    "background",
    "background-color",
    "background-image",
];

/// The winning declaration of a property on an element, with where it came from.
#[derive(Debug, Clone)]
struct Won {
    value: String,
    source: String,
}

/// The declared properties of the elements looked at.
struct Styles<'a> {
    sheet: &'a Sheet,
    /// Element → indices of the sheet rules matching it.
    matched: HashMap<NodeId, Vec<usize>>,
    cache: HashMap<NodeId, HashMap<String, Won>>,
}

impl<'a> Styles<'a> {
    fn new(doc: &Html, sheet: &'a Sheet) -> Styles<'a> {
        let mut matched: HashMap<NodeId, Vec<usize>> = HashMap::new();
        for (i, r) in sheet.rules.iter().enumerate() {
            for e in doc.select(&r.selector) {
                matched.entry(e.id()).or_default().push(i);
            }
        }
        Styles {
            sheet,
            matched,
            cache: HashMap::new(),
        }
    }

    /// The declared value of each relevant property of `e` (cascade: importance, specificity,
    /// order; the `style` attribute beats normal sheet declarations).
    fn of(&mut self, e: ElementRef<'_>) -> &HashMap<String, Won> {
        let sheet = self.sheet;
        let matched = &self.matched;
        self.cache.entry(e.id()).or_insert_with(|| {
            // (important, specificity, order) of the winner so far, per property.
            let mut best: HashMap<String, ((bool, u32, usize), Won)> = HashMap::new();
            let mut put = |d: &Decl, rank: (bool, u32, usize), source: String| {
                for (name, value) in expand(d) {
                    let better = best.get(&name).is_none_or(|(r, _)| rank >= *r);
                    if better {
                        best.insert(
                            name,
                            (
                                rank,
                                Won {
                                    value,
                                    source: source.clone(),
                                },
                            ),
                        );
                    }
                }
            };
            if let Some(ix) = matched.get(&e.id()) {
                for &i in ix {
                    let r = &sheet.rules[i];
                    for d in &r.decls {
                        put(
                            d,
                            (d.important, r.specificity, i),
                            format!("<style> {} {{ {}: {} }}", r.text, d.name, d.value),
                        );
                    }
                }
            }
            if let Some(style) = e.value().attr("style") {
                for d in inline_declarations(style) {
                    if RELEVANT.contains(&d.name.as_str()) {
                        put(
                            &d,
                            (d.important, u32::MAX, usize::MAX),
                            format!("style=\"{}: {}\"", d.name, d.value),
                        );
                    }
                }
            }
            best.into_iter().map(|(k, (_, w))| (k, w)).collect()
        })
    }
}

/// A declaration as longhand properties (the shorthands `margin`, `font`, `background`).
fn expand(d: &Decl) -> Vec<(String, String)> {
    match d.name.as_str() {
        "margin" => {
            let v: Vec<&str> = d.value.split_whitespace().collect();
            let (top, left) = match v.len() {
                1 => (v[0], v[0]),
                2 | 3 => (v[0], v[1]),
                4 => (v[0], v[3]),
                _ => return Vec::new(),
            };
            vec![
                ("margin-top".into(), top.into()),
                ("margin-left".into(), left.into()),
            ]
        }
        "font" => d
            .value
            .split_whitespace()
            .find(|t| t.split('/').next().is_some_and(|s| length(s).is_some()))
            .map(|t| {
                vec![(
                    "font-size".into(),
                    t.split('/').next().unwrap_or_default().to_string(),
                )]
            })
            .unwrap_or_default(),
        "background" => vec![("background-color".into(), d.value.clone())],
        "background-image" if d.value != "none" => {
            vec![("background-color".into(), d.value.clone())]
        }
        "background-image" => Vec::new(),
        _ => vec![(d.name.clone(), d.value.clone())],
    }
}

/// A number at the start of a value (`0`, `-9999px`, `0.5`).
fn number(v: &str) -> Option<f32> {
    let end = v
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && (*c == '-' || *c == '+'))))
        .map_or(v.len(), |(i, _)| i);
    v[..end].parse().ok()
}

/// A length in px (`0`, `-9999px`, `-600em` counted at 16px; percentages and other units:
/// None).
fn length(v: &str) -> Option<f32> {
    let v = v.trim();
    let n = number(v)?;
    let unit = v
        .trim_start_matches(['-', '+'])
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    match unit {
        "" | "px" => Some(n),
        "pt" => Some(n * 4.0 / 3.0),
        "em" | "rem" => Some(n * 16.0),
        "cm" => Some(n * 37.8),
        "mm" => Some(n * 3.78),
        "in" => Some(n * 96.0),
        _ => None,
    }
}

/// An RGB colour from a CSS colour value or a `color`/`bgcolor` attribute.
fn colour(v: &str) -> Option<(u8, u8, u8)> {
    let v = v.trim().to_ascii_lowercase();
    if let Some(hex) = v.strip_prefix('#') {
        return cssparser::color::parse_hash_color(hex.as_bytes())
            .ok()
            .filter(|c| c.3 > 0.0)
            .map(|c| (c.0, c.1, c.2));
    }
    if let Some(args) = v
        .strip_prefix("rgba(")
        .or_else(|| v.strip_prefix("rgb("))
        .and_then(|a| a.strip_suffix(')'))
    {
        let parts: Vec<&str> = args
            .split([',', ' ', '/'])
            .filter(|s| !s.is_empty())
            .collect();
        if parts.len() < 3
            || parts
                .get(3)
                .and_then(|a| number(a))
                .is_some_and(|a| a == 0.0)
        {
            return None;
        }
        let c = |s: &str| -> Option<u8> {
            let n = number(s)?;
            let n = if s.ends_with('%') { n * 2.55 } else { n };
            Some(n.clamp(0.0, 255.0).round() as u8)
        };
        return Some((c(parts[0])?, c(parts[1])?, c(parts[2])?));
    }
    if v.len() == 6 && v.chars().all(|c| c.is_ascii_hexdigit()) {
        // A `color="FFFFFF"` attribute without the hash.
        return cssparser::color::parse_hash_color(v.as_bytes())
            .ok()
            .map(|c| (c.0, c.1, c.2));
    }
    cssparser::color::parse_named_color(&v).ok()
}

/// Two colours a reader cannot tell apart.
fn same_colour(a: (u8, u8, u8), b: (u8, u8, u8)) -> bool {
    let d = |x: u8, y: u8| i32::from(x).abs_diff(i32::from(y));
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2) <= 24
}

/// A host without a leading `www.`, lower-cased.
fn bare_host(u: &Url) -> String {
    let h = u.host_str().unwrap_or_default().to_ascii_lowercase();
    h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
}

/// Collapse whitespace and cut to `max` characters.
fn cut(s: &str, max: usize) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        collapsed
    } else {
        let mut out: String = collapsed.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// An element's start tag and text, cut: what an inspector looks for in the page source.
fn snippet(e: ElementRef<'_>) -> String {
    let v = e.value();
    let mut tag = format!("<{}", v.name());
    for (k, val) in v.attrs() {
        tag.push_str(&format!(" {k}=\"{}\"", cut(val, 60)));
    }
    tag.push('>');
    let mut text = String::new();
    for t in e.text() {
        text.push_str(t);
        if text.len() > SNIPPET_CHARS * 4 {
            break;
        }
    }
    cut(&format!("{tag}{}", text.trim()), SNIPPET_CHARS)
}

/// `document.write(…)` / `writeln(…)` calls: the text up to the call's end (approximate: up
/// to the next `)` followed by `;` or a line end).
static WRITE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"document\s*\.\s*write(?:ln)?\s*\(((?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|[^;\n])*)\)"#)
        .expect("document.write regex is valid")
});
/// String literals.
static LITERAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)""#).expect("literal regex is valid")
});
/// `<a … href=…>` in written HTML.
static WRITTEN_A_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?is)<a\s[^>]*?href\s*=\s*(?:\\?["']([^"'\\\s>]+)|([^"'\s>]+))[^>]*>(.{0,200}?)</a"#,
    )
    .expect("written anchor regex is valid")
});
/// A written start tag that hides its content.
static WRITTEN_HIDING_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<([a-z][a-z0-9]*)\s[^>]*style\s*=\s*\\?["']?[^>]*?(display\s*:\s*none|visibility\s*:\s*hidden|(?:left|top|text-indent)\s*:\s*-\d{3,})"#)
        .expect("written hiding regex is valid")
});
static CLOSE_TAG_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</\s*[a-z]").expect("close tag regex is valid"));
static OPEN_TAG_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<\s*[a-z]").expect("open tag regex is valid"));
static TAGS_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("tag regex is valid"));

/// The text an inline script writes into the page (its `document.write` literals, joined).
fn written(script: &str) -> String {
    let mut out = String::new();
    for call in WRITE_RE.captures_iter(script) {
        let args = call.get(1).map_or("", |m| m.as_str());
        for lit in LITERAL_RE.captures_iter(args) {
            let body = lit.get(1).or_else(|| lit.get(2)).map_or("", |m| m.as_str());
            out.push_str(
                &body
                    .replace("\\/", "/")
                    .replace("\\\"", "\"")
                    .replace("\\'", "'"),
            );
        }
    }
    out
}

/// The absolute http(s) links (`href`, text) an inline script writes with `document.write`:
/// links a visitor's browser shows (or hides), which the link extraction adds so that they
/// are checked like the others.
pub fn written_anchors(script: &str) -> Vec<(String, String)> {
    if !script.contains("document") {
        return Vec::new();
    }
    let text = written(script);
    WRITTEN_A_RE
        .captures_iter(&text)
        .filter_map(|c| {
            let href = c.get(1).or_else(|| c.get(2))?.as_str();
            let lower = href.to_ascii_lowercase();
            (lower.starts_with("http://")
                || lower.starts_with("https://")
                || lower.starts_with("//"))
            .then(|| {
                let label = TAGS_RE.replace_all(c.get(3).map_or("", |m| m.as_str()), "");
                (href.to_string(), cut(&label, 60))
            })
        })
        .collect()
}

/// Reads the hidden links of one page.
struct Reader<'a> {
    doc: &'a Html,
    page: &'a Url,
    page_host: String,
    rules: &'a HiddenRules,
    styles: Styles<'a>,
    /// Ids and classes named by the page's scripts and event handlers.
    scripted: String,
    out: Vec<HiddenLink>,
    seen: HashSet<String>,
}

/// The hidden links to other hosts on a page.
pub fn find(doc: &Html, page: &Url, rules: &HiddenRules) -> Vec<HiddenLink> {
    // Most pages have no link to another host and no script that writes one: nothing to read.
    let host = bare_host(page);
    let candidate = doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .any(|e| match e.value().name() {
            "a" | "area" => e.value().attr("href").is_some_and(|h| {
                let lower = h.trim_start().to_ascii_lowercase();
                // Only an absolute link can lead to another host.
                (lower.starts_with("http") || lower.starts_with("//"))
                    && matches!(
                        resolve_href(page, h, encoding_rs::UTF_8, &[]),
                        Some(LinkTarget::Http(u)) if bare_host(&u) != host
                    )
            }),
            "script" => e.text().any(|t| t.contains("document")),
            _ => false,
        });
    if !candidate {
        return Vec::new();
    }
    let sheet = Sheet::read(doc);
    let mut scripted = String::new();
    for e in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if scripted.len() > MAX_SCRIPT_BYTES {
            break;
        }
        if e.value().name() == "script" && e.value().attr("src").is_none() {
            scripted.extend(e.text());
        }
        for (k, v) in e.value().attrs() {
            if k.len() > 2 && k.starts_with("on") {
                scripted.push('\n');
                scripted.push_str(v);
            }
        }
    }
    let mut r = Reader {
        doc,
        page,
        page_host: bare_host(page),
        rules,
        styles: Styles::new(doc, &sheet),
        scripted,
        out: Vec::new(),
        seen: HashSet::new(),
    };
    r.walk();
    r.out
}

impl Reader<'_> {
    /// The canonical URL of `href` when it is an http(s) link to another host.
    fn outbound(&self, href: &str) -> Option<Url> {
        match resolve_href(self.page, href, encoding_rs::UTF_8, &[])? {
            LinkTarget::Http(u) if bare_host(&u) != self.page_host => Some(u),
            _ => None,
        }
    }

    fn push(&mut self, link: HiddenLink) {
        if self.out.len() < MAX_HIDDEN_LINKS && self.seen.insert(link.url.clone()) {
            self.out.push(link);
        }
    }

    fn walk(&mut self) {
        // A hiding container an inline script opened, with what opened it.
        let mut region: Option<(String, String)> = None;
        let doc = self.doc;
        for e in doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            if self.out.len() >= MAX_HIDDEN_LINKS {
                break;
            }
            let name = e.value().name();
            if name == "script" && e.value().attr("src").is_none() {
                let script: String = e.text().collect();
                let text = written(&script);
                if text.is_empty() {
                    continue;
                }
                for c in WRITTEN_A_RE.captures_iter(&text) {
                    let href = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
                    if let Some(u) = self.outbound(href) {
                        let label = TAGS_RE.replace_all(c.get(3).map_or("", |m| m.as_str()), "");
                        self.push(HiddenLink {
                            url: u.to_string(),
                            text: cut(&label, 60),
                            how: Hiding::ScriptWritten,
                            declaration: "<script> document.write".into(),
                            snippet: cut(&script, SNIPPET_CHARS),
                        });
                    }
                }
                let opens = OPEN_TAG_RE.find_iter(&text).count();
                let closes = CLOSE_TAG_RE.find_iter(&text).count();
                if let Some(h) = WRITTEN_HIDING_RE.captures(&text) {
                    if opens > closes {
                        region = Some((
                            format!(
                                "<script> document.write <{} …{}>",
                                h.get(1).map_or("", |m| m.as_str()),
                                h.get(2).map_or("", |m| m.as_str())
                            ),
                            cut(&script, SNIPPET_CHARS),
                        ));
                    }
                } else if closes > 0 && opens <= closes {
                    region = None;
                }
                continue;
            }
            if !matches!(name, "a" | "area") {
                continue;
            }
            let Some(href) = e.value().attr("href") else {
                continue;
            };
            let Some(url) = self.outbound(href) else {
                continue;
            };
            let text = cut(&e.text().collect::<String>(), 60);
            let text = if text.is_empty() {
                e.value()
                    .attr("title")
                    .or_else(|| e.value().attr("alt"))
                    .map(|t| cut(t, 60))
                    .unwrap_or_default()
            } else {
                text
            };
            if let Some((declaration, snippet)) = &region {
                self.push(HiddenLink {
                    url: url.to_string(),
                    text,
                    how: Hiding::ScriptRegion,
                    declaration: declaration.clone(),
                    snippet: snippet.clone(),
                });
                continue;
            }
            if let Some((how, declaration, holder)) = self.hidden(e) {
                self.push(HiddenLink {
                    url: url.to_string(),
                    text,
                    how,
                    declaration,
                    snippet: snippet(holder),
                });
            }
        }
    }

    /// Whether an element named by the page's scripts or shown again by a reveal rule.
    fn revealable(&self, e: ElementRef<'_>) -> bool {
        let v = e.value();
        let mut names: Vec<&str> = v.classes().collect();
        if let Some(id) = v.id() {
            names.push(id);
        }
        let named = |n: &str| {
            n.len() >= 2
                && [
                    format!("'{n}'"),
                    format!("\"{n}\""),
                    format!("#{n}"),
                    format!(".{n}"),
                ]
                .iter()
                .any(|p| self.scripted.contains(p.as_str()))
        };
        if names.iter().any(|n| named(n)) {
            return true;
        }
        let sheet = self.styles.sheet;
        if sheet.states.iter().any(|state| {
            state.iter().any(|n| names.contains(&n.as_str()))
                && state.iter().any(|n| !names.contains(&n.as_str()))
        }) {
            return true;
        }
        sheet.reveal.iter().any(|(sel, subject)| {
            sel.as_ref().is_some_and(|s| s.matches(&e))
                || subject.iter().any(|n| names.contains(&n.as_str()))
        })
    }

    /// How `link` is hidden, the declaration, and the element that hides it.
    fn hidden<'d>(&mut self, link: ElementRef<'d>) -> Option<(Hiding, String, ElementRef<'d>)> {
        let off = -self.rules.offscreen_px;
        // Inherited properties: the nearest declaration decides.
        let mut visibility: Option<(bool, String, ElementRef<'d>)> = None;
        let mut font_size: Option<(bool, String, ElementRef<'d>)> = None;
        let mut indent: Option<(bool, String, ElementRef<'d>)> = None;
        let mut node = Some(link);
        while let Some(e) = node {
            let decl = self.styles.of(e).clone();
            let v = |k: &str| decl.get(k).map(|w| w.value.as_str()).unwrap_or_default();
            let src = |k: &str| decl.get(k).map(|w| w.source.clone()).unwrap_or_default();
            let mut own: Option<(Hiding, String)> = None;
            if e.value().attr("hidden").is_some() {
                own = Some((Hiding::HiddenAttribute, "hidden 属性".into()));
            } else if v("display") == "none" {
                own = Some((Hiding::DisplayNone, src("display")));
            } else if number(v("opacity")).is_some_and(|n| n <= 0.0) {
                own = Some((Hiding::Opacity, src("opacity")));
            } else if v("overflow") == "hidden"
                && (length(v("width")).is_some_and(|n| n <= 1.0)
                    || length(v("height")).is_some_and(|n| n <= 1.0))
            {
                let k = if length(v("width")).is_some_and(|n| n <= 1.0) {
                    "width"
                } else {
                    "height"
                };
                own = Some((Hiding::ZeroSize, format!("{}; overflow: hidden", src(k))));
            } else if matches!(v("position"), "absolute" | "fixed" | "relative") {
                for k in ["left", "top"] {
                    if length(v(k)).is_some_and(|n| n <= off) {
                        own = Some((Hiding::Offscreen, src(k)));
                    }
                }
            }
            if own.is_none() {
                for k in ["margin-left", "margin-top"] {
                    if length(v(k)).is_some_and(|n| n <= off) {
                        own = Some((Hiding::Offscreen, src(k)));
                    }
                }
            }
            if let Some((how, declaration)) = own {
                if !self.revealable(e) {
                    return Some((how, declaration, e));
                }
            }
            if visibility.is_none() && !v("visibility").is_empty() {
                visibility = Some((
                    matches!(v("visibility"), "hidden" | "collapse"),
                    src("visibility"),
                    e,
                ));
            }
            if font_size.is_none() && !v("font-size").is_empty() {
                font_size = Some((
                    length(v("font-size")).is_some_and(|n| n <= 0.0),
                    src("font-size"),
                    e,
                ));
            }
            if indent.is_none() && !v("text-indent").is_empty() {
                indent = Some((
                    length(v("text-indent")).is_some_and(|n| n <= off),
                    src("text-indent"),
                    e,
                ));
            }
            node = e.parent().and_then(ElementRef::wrap);
        }
        for (state, how) in [
            (visibility, Hiding::VisibilityHidden),
            (font_size, Hiding::ZeroFontSize),
            (indent, Hiding::TextIndent),
        ] {
            if let Some((true, declaration, holder)) = state {
                if !self.revealable(holder) {
                    return Some((how, declaration, holder));
                }
            }
        }
        self.same_colour(link)
    }

    /// Link text coloured like the nearest declared background.
    fn same_colour<'d>(
        &mut self,
        link: ElementRef<'d>,
    ) -> Option<(Hiding, String, ElementRef<'d>)> {
        // The link's own colour, or that of the one element wrapping its text.
        let own = |styles: &mut Styles<'_>, e: ElementRef<'_>| -> Option<(String, String)> {
            if let Some(c) = e.value().attr("color") {
                return Some((c.to_string(), format!("color=\"{c}\"")));
            }
            styles
                .of(e)
                .get("color")
                .filter(|w| w.value != "inherit" && w.value != "currentcolor")
                .map(|w| (w.value.clone(), w.source.clone()))
        };
        let mut fg = own(&mut self.styles, link);
        if fg.is_none() {
            let children: Vec<ElementRef<'d>> =
                link.children().filter_map(ElementRef::wrap).collect();
            let loose_text = link
                .children()
                .filter_map(|n| n.value().as_text())
                .any(|t| !t.trim().is_empty());
            if let [only] = children.as_slice() {
                if !loose_text {
                    fg = own(&mut self.styles, *only);
                }
            }
        }
        let (fg_value, fg_source) = fg?;
        let fg = colour(&fg_value)?;
        let mut node = Some(link);
        while let Some(e) = node {
            let declared = e
                .value()
                .attr("bgcolor")
                .map(|c| (c.to_string(), format!("bgcolor=\"{c}\"")))
                .or_else(|| {
                    self.styles
                        .of(e)
                        .get("background-color")
                        .map(|w| (w.value.clone(), w.source.clone()))
                });
            if let Some((value, source)) = declared {
                if value.contains("url(") || value.contains("gradient") {
                    return None;
                }
                let token = value
                    .split_whitespace()
                    .find_map(colour)
                    .or_else(|| colour(&value));
                if let Some(bg) = token {
                    return same_colour(fg, bg)
                        .then(|| (Hiding::SameColour, format!("{fg_source}; {source}"), e));
                }
                if value.contains("transparent") || value == "none" || value == "inherit" {
                    node = e.parent().and_then(ElementRef::wrap);
                    continue;
                }
                return None;
            }
            node = e.parent().and_then(ElementRef::wrap);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(html: &str) -> Vec<HiddenLink> {
        let doc = Html::parse_document(html);
        let url = Url::parse("http://www.example.gov.cn/index.html").unwrap();
        find(
            &doc,
            &url,
            &HiddenRules {
                offscreen_px: 1000.0,
            },
        )
    }

    fn hows(html: &str) -> Vec<(String, Hiding)> {
        run(html).into_iter().map(|l| (l.url, l.how)).collect()
    }

    #[test]
    fn inline_display_none_with_casino_links() {
        let v = run(
            r#"<html><body><p>正文</p><div style="display:none"><a href="http://casino.test/">澳门新葡京</a><a href="/local.html">本站</a></div><a href="http://other.test/">友情链接</a></body></html>"#,
        );
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].url, "http://casino.test/");
        assert_eq!(v[0].how, Hiding::DisplayNone);
        assert_eq!(v[0].text, "澳门新葡京");
        assert!(v[0].declaration.contains("display: none"), "{v:?}");
        assert!(v[0].snippet.starts_with("<div style="), "{v:?}");
    }

    #[test]
    fn style_block_class_and_descendant_rules() {
        let v = hows(
            r#"<html><head><style>
            .nav a { color: #333 }
            .ft .yq { display : none !important }
            #box span { visibility: hidden }
        </style></head><body>
        <div class="ft"><p class="yq"><a href="http://a.test/">a</a></p></div>
        <div id="box"><span><a href="http://b.test/">b</a></span></div>
        <div class="nav"><a href="http://c.test/">c</a></div>
        </body></html>"#,
        );
        assert_eq!(
            v,
            vec![
                ("http://a.test/".to_string(), Hiding::DisplayNone),
                ("http://b.test/".to_string(), Hiding::VisibilityHidden)
            ]
        );
    }

    #[test]
    fn offscreen_indent_size_and_font() {
        let v = hows(
            r#"<BODY>
        <DIV style="position:absolute;left:-9999px;top:0"><A href="http://a.test/">a</A></DIV>
        <P style="text-indent:-10000px"><A href="http://b.test/">b</A></P>
        <DIV style="width:0;height:0;overflow:hidden"><A href="http://c.test/">c</A></DIV>
        <UL style="font-size:0"><LI><A href="http://d.test/">d</A></UL>
        <UL style="font-size:0"><LI style="font-size:14px"><A href="http://e.test/">e</A></UL>
        <DIV style="position:absolute;left:-20px"><A href="http://f.test/">f</A></DIV>
        <DIV style="margin:0 0 0 -3000px"><A href="http://g.test/">g</A></DIV>
        </BODY>"#,
        );
        assert_eq!(
            v,
            vec![
                ("http://a.test/".to_string(), Hiding::Offscreen),
                ("http://b.test/".to_string(), Hiding::TextIndent),
                ("http://c.test/".to_string(), Hiding::ZeroSize),
                ("http://d.test/".to_string(), Hiding::ZeroFontSize),
                ("http://g.test/".to_string(), Hiding::Offscreen),
            ]
        );
    }

    #[test]
    fn same_colour_only_against_a_declared_background() {
        let v = hows(
            r##"<body bgcolor="#FFFFFF">
        <a href="http://a.test/" style="color:#fff">a</a>
        <a href="http://b.test/"><font color="white">b</font></a>
        <div style="background:#003399"><a href="http://c.test/" style="color:#fff">c</a></div>
        <div style="background:url(bg.png)"><a href="http://d.test/" style="color:#fff">d</a></div>
        </body>"##,
        );
        assert_eq!(
            v,
            vec![
                ("http://a.test/".to_string(), Hiding::SameColour),
                ("http://b.test/".to_string(), Hiding::SameColour),
            ]
        );
        // No background declared anywhere: the page's look is not known, nothing is said.
        assert!(
            run(r#"<body><a href="http://a.test/" style="color:#fff">a</a></body>"#).is_empty()
        );
    }

    #[test]
    fn menus_shown_on_hover_media_or_by_script_are_not_hidden() {
        let v = hows(
            r#"<html><head><style>
            .menu ul { display: none }
            .menu li:hover ul { display: block }
            .tab-con { display: none }
            .tab-con.on { display: block }
            .mnav { display: none }
            @media (max-width: 768px) { .mnav { display: block } .pc { display: none } }
            .sub { display: none }
        </style></head><body>
        <ul class="menu"><li>部门<ul><li><a href="http://dept.test/">部门网站</a></ul></ul>
        <div class="tab-con"><a href="http://media.test/">媒体</a></div>
        <div class="mnav"><a href="http://m.test/">m</a></div>
        <div class="pc"><a href="http://pc.test/">pc</a></div>
        <div id="sub2" class="sub"><a href="http://js.test/">js</a></div>
        <span onmouseover="show('sub2')">更多</span>
        </body></html>"#,
        );
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn script_written_links_and_regions() {
        let v = hows(
            r#"<body>
        <script>document.write('<a href="http://w.test/">百家乐</a>');</script>
        <script type="text/javascript">document.write("<div style=\"display:none\">");</script>
        <a href="http://r.test/">真人荷官</a>
        <script>document.write("</div>");</script>
        <a href="http://v.test/">visible</a>
        <script>document.write('<a href="/local.html">本站</a>');</script>
        <script>var u = "x"; document.write('<a href="' + u + '">x</a>');</script>
        </body>"#,
        );
        assert_eq!(
            v,
            vec![
                ("http://w.test/".to_string(), Hiding::ScriptWritten),
                ("http://r.test/".to_string(), Hiding::ScriptRegion),
            ]
        );
    }

    #[test]
    fn written_anchors_are_the_absolute_links_a_script_writes() {
        let v = written_anchors(
            r#"document.write('<A HREF="http://w.test/a.html" target=_blank><b>百家乐</b></A>');
            document.writeln("<a href='/local.html'>本站</a>"); var x = '<a href="http://no.test/">';"#,
        );
        assert_eq!(
            v,
            vec![("http://w.test/a.html".to_string(), "百家乐".to_string())]
        );
        assert!(written_anchors("var a = 1;").is_empty());
    }

    #[test]
    fn hidden_same_site_links_and_empty_hidden_elements_are_not_kept() {
        let v = run(
            r##"<body><div style="display:none"><a href="/a.html">a</a><a href="http://example.gov.cn/b.html">b</a></div>
        <div style="display:none"></div><a class="skip" style="position:absolute;left:-9999px" href="#main">跳到主要内容</a></body>"##,
        );
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn a_broken_stylesheet_is_read_as_far_as_it_goes() {
        let v = hows(
            r#"<style>}}} .x { display: none ; { @import "x.css"; .y{display:none}</style>
        <div class="y"><a href="http://y.test/">y</a></div>"#,
        );
        // Whatever the parser recovers, it neither panics nor invents a hiding rule for
        // elements no rule names.
        assert!(v.iter().all(|(u, _)| u == "http://y.test/"), "{v:?}");
    }
}
