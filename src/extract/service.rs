//! 办事指南 labels: the short label texts a page shows — table label cells (`<TD>事项名称`),
//! `dt`, headings and bold runs, leaf `div`/`span` labels of div templates, and the part before
//! the colon of `申请条件：…` lines — for the `service.guide_elements` rule.
//!
//! The labels are kept raw (spaces, numbering and trailing colons removed) so that a
//! re-judging of a stored scan applies the rule file's current names and aliases to them:
//! which categories a page shows is decided by the check, not here. To keep a large crawl's
//! facts small, a page keeps its labels only when, under the rules of the crawl, they show at
//! least `record_min_categories` categories (pages that showed fewer keep nothing, whatever
//! later aliases would have made of them).

use std::sync::LazyLock;

use ego_tree::NodeRef;
use regex::Regex;
use scraper::{Html, Node};

/// Labels kept per page.
pub const MAX_LABELS: usize = 80;
/// Longest label kept, in characters (after normalisation).
pub const MAX_LABEL_CHARS: usize = 16;
/// Text gathered per element to find a label (bytes).
const MAX_ELEMENT_TEXT_BYTES: usize = 160;
/// Nodes visited per element to gather its text.
const MAX_ELEMENT_NODES: usize = 200;

/// Elements that may carry a label.
const LABEL_TAGS: &[&str] = &[
    "th", "td", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "label", "span",
    "div", "p", "li", "em", "font", "caption", "legend", "i",
];
/// Elements whose text is never a label (links are navigation, not labels).
const SKIP_TAGS: &[&str] = &[
    "a", "script", "style", "noscript", "template", "select", "option", "textarea", "button",
    "head", "iframe",
];

/// Leading numbering and bullets: 一、 （一） 1. 1、 (1) ① 第一条 ★ ●.
static LEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[*＊★☆●○■□◆◇·•\-—>》【\[〔]+|[（(]?[0-9０-９一二三四五六七八九十]{1,3}[）)、.．,，:：]+|[（(][0-9０-９一二三四五六七八九十]{1,3}[）)]|[①-⑳]|第[0-9一二三四五六七八九十]{1,3}[条项部分章节]?[、.．:：]?)",
    )
    .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

/// The parameters of label extraction that come from the rules (`service.guide_elements`).
#[derive(Debug, Clone, Default)]
pub struct GuideRules {
    /// The key element categories, `[name, alias...]`.
    pub categories: Vec<Vec<String>>,
    /// A page keeps its labels when they show this many categories.
    pub record_min_categories: usize,
}

impl GuideRules {
    /// The extraction parameters, when the rule set has `service.guide_elements`.
    pub fn from_rules(rules: &crate::rules::RuleSet) -> Option<GuideRules> {
        let p = rules
            .get("service.guide_elements")?
            .typed::<crate::rules::params::ServiceGuideParams>()?;
        Some(GuideRules {
            categories: p.categories.clone(),
            record_min_categories: p.record_min_categories,
        })
    }
}

/// A label as kept: whitespace, numbering, bullets, brackets and trailing colons removed.
/// None when what remains is not a label (fewer than 2 or more than [`MAX_LABEL_CHARS`]
/// characters, or no Chinese character).
pub fn normalize_label(text: &str) -> Option<String> {
    // Numbering and brackets take a few characters: a longer text is no label.
    if text
        .chars()
        .filter(|c| !c.is_whitespace())
        .nth(MAX_LABEL_CHARS + 12)
        .is_some()
    {
        return None;
    }
    let mut s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    loop {
        let stripped = LEADING.replace(&s, "").to_string();
        if stripped == s {
            break;
        }
        s = stripped;
    }
    let s = s
        .trim_end_matches([
            '：', ':', '*', '＊', '】', ']', '〕', '。', '；', ';', '>', '》', '|',
        ])
        .trim_start_matches(['【', '[', '〔']);
    let n = s.chars().count();
    let han = s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    ((2..=MAX_LABEL_CHARS).contains(&n) && han).then(|| s.to_string())
}

/// A name or alias as matched: whitespace removed.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// For each category, the first label that shows it (contains its name or an alias).
pub fn categories_shown<'l>(
    labels: &'l [String],
    categories: &[Vec<String>],
) -> Vec<Option<&'l str>> {
    categories
        .iter()
        .map(|group| {
            let names: Vec<String> = group
                .iter()
                .map(|n| squeeze(n))
                .filter(|n| !n.is_empty())
                .collect();
            labels
                .iter()
                .find(|l| names.iter().any(|n| l.contains(n.as_str())))
                .map(String::as_str)
        })
        .collect()
}

/// The labels of a page, when they show at least `record_min_categories` categories under
/// `rules`; else none.
pub fn of_page(doc: &Html, rules: &GuideRules) -> Vec<String> {
    if rules.categories.is_empty() {
        return Vec::new();
    }
    let labels = labels(doc);
    let shown = categories_shown(&labels, &rules.categories)
        .iter()
        .filter(|c| c.is_some())
        .count();
    if shown >= rules.record_min_categories.max(1) {
        labels
    } else {
        Vec::new()
    }
}

/// Every label candidate of a page (at most [`MAX_LABELS`], in document order, distinct).
pub fn labels(doc: &Html) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |s: Option<String>, out: &mut Vec<String>| {
        if let Some(s) = s {
            if out.len() < MAX_LABELS && !out.contains(&s) {
                out.push(s);
            }
        }
    };
    let mut stack: Vec<NodeRef<'_, Node>> = vec![doc.tree.root()];
    while let Some(node) = stack.pop() {
        if out.len() >= MAX_LABELS {
            break;
        }
        if let Node::Text(t) = node.value() {
            // A `名称：值` line of its own, e.g. between `<br>`s in one cell.
            if let Some((before, _)) = t.split_once(['：', ':']) {
                push(normalize_label(before), &mut out);
            }
        }
        if let Node::Element(el) = node.value() {
            let name = el.name();
            if SKIP_TAGS.contains(&name) {
                continue;
            }
            if LABEL_TAGS.contains(&name) {
                let text = element_text(node);
                // `名称：值` is labelled by the part before the colon (of its first line).
                let first = text.trim_start().split('\n').next().unwrap_or_default();
                match first.split_once(['：', ':']) {
                    Some((before, _)) => push(normalize_label(before), &mut out),
                    None => push(normalize_label(&text), &mut out),
                }
            }
        }
        // Children in document order: push them reversed.
        stack.extend(node.children().rev());
    }
    out
}

/// The start of an element's text (at most [`MAX_ELEMENT_TEXT_BYTES`]), skipping links,
/// scripts and form controls; `<br>` and block boundaries read as a newline so that a
/// `名称：值<br>依据：值` cell yields its first label.
fn element_text(node: NodeRef<'_, Node>) -> String {
    let mut text = String::new();
    let mut visited = 0usize;
    let mut stack: Vec<NodeRef<'_, Node>> = node.children().rev().collect();
    while let Some(n) = stack.pop() {
        visited += 1;
        if visited > MAX_ELEMENT_NODES || text.len() >= MAX_ELEMENT_TEXT_BYTES {
            break;
        }
        match n.value() {
            Node::Text(t) => text.push_str(t),
            Node::Element(el) => {
                let name = el.name();
                if SKIP_TAGS.contains(&name) {
                    continue;
                }
                if name == "br" || name == "p" || name == "div" || name == "tr" {
                    text.push('\n');
                }
                stack.extend(n.children().rev());
            }
            _ => {}
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> GuideRules {
        GuideRules::from_rules(&crate::rules::RuleSet::embedded().expect("rules")).expect("rule")
    }

    #[test]
    fn labels_are_normalised() {
        assert_eq!(
            normalize_label(" 一、申请条件： ").as_deref(),
            Some("申请条件")
        );
        assert_eq!(
            normalize_label("（三）办理材料").as_deref(),
            Some("办理材料")
        );
        assert_eq!(normalize_label("【设定依据】").as_deref(), Some("设定依据"));
        assert_eq!(normalize_label("*联系 电话:").as_deref(), Some("联系电话"));
        assert_eq!(normalize_label("3.办理流程").as_deref(), Some("办理流程"));
        assert_eq!(normalize_label("①收费标准").as_deref(), Some("收费标准"));
        assert_eq!(normalize_label("2026-11-30"), None);
        assert_eq!(normalize_label("一"), None);
        assert_eq!(
            normalize_label("申请人应当提交身份证明、营业执照等材料并在窗口办理"),
            None
        );
    }

    #[test]
    fn table_dl_heading_and_colon_labels_are_found() {
        let doc = Html::parse_document(
            "<TABLE><TR><TD>事项名称<TD>某许可<TR><TH>设定依据：</TH><TD>《某法》第三条</TD></TABLE>\
             <dl><dt>受理条件</dt><dd>年满十八周岁</dd></dl><h3>一、申请材料</h3>\
             <p>办理地点：政务服务中心3号窗口</p><div class=\"item\"><span class=\"label\">咨询电话</span>\
             <span>023-12345678</span></div><ul><li><a href=\"/lc/\">办理流程</a></li></ul>",
        );
        let l = labels(&doc);
        for want in [
            "事项名称",
            "设定依据",
            "受理条件",
            "申请材料",
            "办理地点",
            "咨询电话",
        ] {
            assert!(l.iter().any(|x| x == want), "{want} in {l:?}");
        }
        // A link is navigation, never a label.
        assert!(!l.iter().any(|x| x == "办理流程"), "{l:?}");
        let shown = categories_shown(&l, &rules().categories);
        let names: Vec<bool> = shown.iter().map(Option::is_some).collect();
        assert_eq!(
            names,
            vec![true, true, true, true, true, false, false, false, true, false],
            "{shown:?}"
        );
    }

    #[test]
    fn lines_between_line_breaks_are_labelled() {
        let doc = Html::parse_document(
            "<TABLE><TR><TD>事项名称：某登记<BR>设定依据：《某条例》<BR>\n办理时限：5个工作日<BR>收费标准：不收费</TABLE>",
        );
        let l = labels(&doc);
        for want in ["事项名称", "设定依据", "办理时限", "收费标准"] {
            assert!(l.iter().any(|x| x == want), "{want} in {l:?}");
        }
    }

    #[test]
    fn a_page_without_enough_categories_keeps_nothing() {
        let doc = Html::parse_document(
            "<div class=\"foot\"><p>联系电话：023-1234567</p><p>地址：某路1号</p></div>",
        );
        assert!(of_page(&doc, &rules()).is_empty());
        let doc = Html::parse_document(
            "<table><tr><td>事项名称</td><td>某事项</td></tr><tr><td>联系电话</td><td>1</td></tr></table>",
        );
        assert_eq!(
            of_page(&doc, &rules()),
            vec!["事项名称", "某事项", "联系电话"]
        );
    }

    #[test]
    fn labels_are_bounded() {
        let mut html = String::from("<table>");
        for i in 0..500 {
            html.push_str(&format!("<tr><td>标签第{i}号</td><td>值</td></tr>"));
        }
        let l = labels(&Html::parse_document(&html));
        assert_eq!(l.len(), MAX_LABELS);
    }
}
