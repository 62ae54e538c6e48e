//! Pagination links that a list page does not carry as plain `<a href>`s.
//!
//! - TRS templates write the pager by script: `createPageHTML(totalPages, currentPage,
//!   "index", "html")` writes links to `index.html`, `index_1.html` … `index_{total-1}.html`
//!   (some variants take the pager's element id first: `createPageHTML('page', 5, 0, 'index',
//!   'html', 20)`). [`script_pages`] reads the call and names every page.
//! - `?page=N` lists often link only the next few pages and say 共5页 in the text.
//!   [`query_pages`] takes the page parameter of such a link and names pages 1 … N.
//!
//! Both return hrefs relative to the page, for the link extractor to resolve and canonicalise
//! like any other link; both are capped at [`MAX_PAGES`].

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

/// At most this many pages of one list are named (a hostile page could claim millions; the
/// crawl's page budget bounds what is fetched anyway).
pub const MAX_PAGES: usize = 200;

/// Query parameter names that number the pages of a list (compared case-insensitively).
const PAGE_PARAMS: &[&str] = &[
    "page",
    "pageno",
    "pagenum",
    "pageindex",
    "currpage",
    "currentpage",
    "curpage",
    "pn",
];

static CREATE_PAGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"createPageHTML\s*\(([^)]{0,200})\)").expect("createPageHTML regex is valid")
});

static TOTAL_PAGES_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"共\s*(\d{1,5})\s*页").expect("page count regex is valid"));

/// The pages named by `createPageHTML(…)` calls in a script (see the module documentation).
pub fn script_pages(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for caps in CREATE_PAGE_RE.captures_iter(code) {
        let Some(args) = caps.get(1) else { continue };
        let args: Vec<&str> = args
            .as_str()
            .split(',')
            .map(|a| a.trim().trim_matches(|c| c == '"' || c == '\''))
            .collect();
        // The first two integers are the total and the current page; the two strings after
        // them are the file name and its extension.
        let Some(first_int) = args.iter().position(|a| a.parse::<usize>().is_ok()) else {
            continue;
        };
        let total = args[first_int].parse::<usize>().unwrap_or(0);
        let names: Vec<&str> = args
            .iter()
            .skip(first_int + 2)
            .copied()
            .filter(|a| is_file_part(a))
            .take(2)
            .collect();
        let [name, ext] = names[..] else { continue };
        for i in 0..total.min(MAX_PAGES) {
            let href = if i == 0 {
                format!("{name}.{ext}")
            } else {
                format!("{name}_{i}.{ext}")
            };
            if !out.contains(&href) {
                out.push(href);
            }
        }
    }
    out
}

/// A literal that can be part of a file name (not a number, not a variable).
fn is_file_part(a: &str) -> bool {
    !a.is_empty()
        && a.parse::<i64>().is_err()
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The pages 1 … N of a `?page=N` list: `text` is the page's visible text (it must say 共N页)
/// and `links` the links it carries; the first link with a page parameter is the model.
pub fn query_pages(text: &str, links: &[&Url]) -> Vec<Url> {
    let Some(total) = TOTAL_PAGES_RE
        .captures(text)
        .and_then(|c| c.get(1))
        .and_then(|m| m.as_str().parse::<usize>().ok())
    else {
        return Vec::new();
    };
    let Some((model, param)) = links.iter().find_map(|u| {
        u.query_pairs()
            .find(|(k, v)| {
                PAGE_PARAMS.contains(&k.to_ascii_lowercase().as_str()) && v.parse::<u32>().is_ok()
            })
            .map(|(k, _)| (*u, k.into_owned()))
    }) else {
        return Vec::new();
    };
    (1..=total.min(MAX_PAGES))
        .map(|n| {
            let pairs: Vec<(String, String)> = model
                .query_pairs()
                .map(|(k, v)| {
                    if k == param.as_str() {
                        (k.into_owned(), n.to_string())
                    } else {
                        (k.into_owned(), v.into_owned())
                    }
                })
                .collect();
            let mut u = model.clone();
            u.query_pairs_mut().clear().extend_pairs(pairs);
            u
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trs_script_names_every_page() {
        let code = r#"var countPage = 5; createPageHTML(5, 0, "index", "html");"#;
        assert_eq!(
            script_pages(code),
            vec![
                "index.html",
                "index_1.html",
                "index_2.html",
                "index_3.html",
                "index_4.html"
            ]
        );
    }

    #[test]
    fn trs_variant_with_element_id_and_single_quotes() {
        let code = "createPageHTML('page_div',3, 1,'list','shtml',20);";
        assert_eq!(
            script_pages(code),
            vec!["list.shtml", "list_1.shtml", "list_2.shtml"]
        );
    }

    #[test]
    fn script_with_variables_or_no_call_names_nothing() {
        assert!(script_pages("createPageHTML(countPage, currentPage, name, ext);").is_empty());
        assert!(script_pages("var a = 1;").is_empty());
        assert!(script_pages(r#"createPageHTML(1, 0, "index", "html")"#) == vec!["index.html"]);
    }

    #[test]
    fn script_total_is_capped() {
        let code = r#"createPageHTML(999999, 0, "index", "html")"#;
        assert_eq!(script_pages(code).len(), MAX_PAGES);
    }

    #[test]
    fn query_pages_follow_the_page_count() {
        let next = Url::parse("http://x.gov.cn/gfxwj/list.jsp?cat=3&page=2").unwrap();
        let other = Url::parse("http://x.gov.cn/about.html").unwrap();
        let pages = query_pages("首页 上一页 下一页 尾页 共4页", &[&other, &next]);
        let got: Vec<&str> = pages.iter().map(Url::as_str).collect();
        assert_eq!(
            got,
            vec![
                "http://x.gov.cn/gfxwj/list.jsp?cat=3&page=1",
                "http://x.gov.cn/gfxwj/list.jsp?cat=3&page=2",
                "http://x.gov.cn/gfxwj/list.jsp?cat=3&page=3",
                "http://x.gov.cn/gfxwj/list.jsp?cat=3&page=4",
            ]
        );
    }

    #[test]
    fn the_link_extractor_enqueues_script_and_query_pages() {
        let url = Url::parse("http://x.gov.cn/gfxwj/index.html").unwrap();
        let html = r#"<HTML><BODY><DIV class=page>共3页<SCRIPT>createPageHTML(3, 0, "index", "html");</SCRIPT></DIV>
<A href="list.jsp?page=2">下一页</A></BODY></HTML>"#;
        let page = crate::extract::extract_page(html, &url, encoding_rs::UTF_8, &[]);
        let targets: Vec<&str> = page.links.iter().map(|l| l.target_str()).collect();
        for t in [
            "http://x.gov.cn/gfxwj/index_1.html",
            "http://x.gov.cn/gfxwj/index_2.html",
            "http://x.gov.cn/gfxwj/list.jsp?page=1",
            "http://x.gov.cn/gfxwj/list.jsp?page=3",
        ] {
            assert!(targets.contains(&t), "{t}: {targets:?}");
        }
        assert!(!targets.contains(&"http://x.gov.cn/gfxwj/index_3.html"));
    }

    #[test]
    fn query_pages_need_a_count_and_a_page_link() {
        let next = Url::parse("http://x.gov.cn/list?page=2").unwrap();
        let plain = Url::parse("http://x.gov.cn/list?id=2").unwrap();
        assert!(query_pages("下一页", &[&next]).is_empty());
        assert!(query_pages("共3页", &[&plain]).is_empty());
    }
}
