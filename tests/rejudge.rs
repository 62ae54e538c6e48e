//! `govscan judge --rules DIR` on a stored scan applies a change to the rule data that is read
//! from a page's text — the wording list, the empty-list phrases, the 标识码 meta name, the
//! soft-404 phrases — without the network: the store keeps each page's raw observation and
//! the replay draws those facts again under the rules being applied.

mod common;

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::{html, Running};

fn temp_dir(name: &str) -> PathBuf {
    temp_dir_in("rejudge", name)
}

fn ok(body: &str) -> Response {
    html(StatusCode::OK, body)
}

/// A county portal: a table-based home page in upper-case tag soup (unclosed cells, a relative
/// `../` link), a div-based list page one level deeper that lists nothing in words no default
/// phrase knows, and a page that says it is lost in words no default soft-404 phrase knows.
fn site() -> Router {
    site_with("")
}

/// [`site`] with `extra` at the end of the home page's main block.
fn site_with(extra: &'static str) -> Router {
    Router::new()
        .route(
            "/",
            get(move || async move {
                ok(&format!(r#"<HTML><HEAD><META charset="utf-8"><TITLE>示范县人民政府</TITLE>
<META name="GovSiteCode" content="6101000001"></HEAD><BODY>
<TABLE width="100%"><TR><TD><A href="./zwgk/tzgg/">通知公告</A><TD><A href="../gone.html">专题专栏</A>
</TABLE>
<DIV class="main"><P>示范县2026年政府网站工做年报已经发布，欢迎查阅。</P>{extra}</DIV>
<DIV class="footer">主办：示范县人民政府办公室 网站标识码：6101000001</DIV>
</BODY></HTML>"#))
            }),
        )
        .route(
            "/zwgk/tzgg/",
            get(|| async {
                ok(r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知公告_示范县人民政府</title></head>
<body><div class="nav"><a href="../../">首页</a></div>
<div class="lmmc">通知公告</div><div class="list"><p>本栏目信息正在整理中。</p></div></body></html>"#)
            }),
        )
        .route(
            "/gone.html",
            get(|| async {
                ok(r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面走丢了</title></head>
<body><p>抱歉，您要找的页面走丢了。</p><a href="/">返回首页</a></body></html>"#)
            }),
        )
}

/// A change to a rule file: (file name, text) → new text.
type RuleEdit = dyn Fn(&str, String) -> String;

/// A scanned fixture site: its server, the folder and the config file.
struct Scanned {
    server: Running,
    dir: PathBuf,
    config: String,
}

async fn scanned(name: &str) -> Scanned {
    scanned_site(name, site()).await
}

/// The shared parts of every page of the larger site: a table-based header with the
/// navigation, a side navigation with relative links, the footer.
fn framed(title: &str, body: &str) -> String {
    let nav: String = [
        "首页",
        "政务公开",
        "政务服务",
        "互动交流",
        "新闻中心",
        "专题专栏",
        "政策文件",
        "政策解读",
        "人事信息",
        "财政信息",
        "规划计划",
        "统计信息",
        "重点项目",
        "社会公益",
        "教育服务",
    ]
    .iter()
    .map(|l| format!("<TD><A href=\"../zwgk/\">{l}</A>"))
    .collect();
    let side: String = [
        "工作动态",
        "通知公告",
        "乡镇动态",
        "部门动态",
        "图片新闻",
        "视频新闻",
    ]
    .iter()
    .map(|l| format!("<li><a href=\"./\">{l}</a></li>"))
    .collect();
    format!(
        "<HTML><HEAD><META charset=\"utf-8\"><TITLE>{title}_示范县人民政府</TITLE></HEAD><BODY>\n\
         <TABLE><TR>{nav}</TABLE>\n<div class=\"side\"><ul>{side}</ul></div>\n\
         <div class=\"article\"><h1>{title}</h1><div class=\"info\">发布时间：2026-11-20 来源：县政府办公室</div>\n{body}</div>\n\
         <DIV class=\"footer\">主办单位：示范县人民政府办公室 承办单位：示范县大数据发展中心 联系电话：0999-7654321<BR>\
         网站标识码：6101000001 示ICP备05003300号 示公网安备50010302000001号</DIV></BODY></HTML>"
    )
}

/// The fixture site with 40 articles on the home page; the last one leads two levels deeper
/// to a page whose text has a wording error: that page is crawled, and stored, after the
/// site's first 32 pages, so with the zstd dictionary trained on them.
/// News pages of [`larger_site`].
const NEWS: usize = 120;

fn larger_site() -> Router {
    let mut r = site_with("<P><A href=\"/more.html\">更多新闻</A></P>").route(
        "/deep/1.html",
        get(|| async {
            ok(&framed(
                "专题报道",
                "<p>继续阅读：<a href=\"2.html\">下一篇</a></p>",
            ))
        }),
    );
    r = r.route(
        "/deep/2.html",
        get(|| async {
            ok(&framed(
                "年度报告",
                "<p>示范县2025年政府网站工做年报已经发布，全文如下。</p><p>一、基本情况。</p>",
            ))
        }),
    );
    // Enough pages that the deep ones come long after the site's dictionary is trained (on
    // its first 32 pages, while the crawl goes on): pages compressed meanwhile have none.
    for i in 0..NEWS {
        r = r.route(
            &format!("/xwzx/t{i}.html"),
            get(move || async move {
                let next = if i == NEWS - 1 {
                    "<p><a href=\"/deep/1.html\">专题报道</a></p>".to_string()
                } else {
                    String::new()
                };
                ok(&framed(
                    &format!("示范县召开第{i}次常务会议"),
                    &format!(
                        "<p>第{i}次会议听取了有关部门关于第{}项重点工作的汇报，研究部署了下一阶段任务。</p>{next}",
                        i * 7 + 3
                    ),
                ))
            }),
        );
    }
    let home_links: String = (0..NEWS)
        .map(|i| format!("<li><a href=\"/xwzx/t{i}.html\">示范县召开第{i}次常务会议</a></li>"))
        .collect();
    r.route(
        "/more.html",
        get(move || {
            let home_links = home_links.clone();
            async move { ok(&framed("新闻中心", &format!("<ul>{home_links}</ul>"))) }
        }),
    )
}

async fn scanned_site(name: &str, router: Router) -> Scanned {
    let server = serve(router).await;
    let dir = temp_dir(name);
    let config = format!(
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"10s\"\nretries = 0\n\n[store]\npath = \"{}\"\n\n[[site]]\nname = \"示范县\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
        dir.join("govscan.db").display(),
        server.url("/")
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, config).expect("write config");
    let config = path.to_string_lossy().to_string();
    let out = run(vec![
        "scan".into(),
        "--fail-on".into(),
        "never".into(),
        "--config".into(),
        config.clone(),
        "--as-of".into(),
        "2026-11-30".into(),
    ])
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(server.log.count() > 0);
    server.log.clear();
    Scanned {
        server,
        dir,
        config,
    }
}

impl Scanned {
    /// (rule, url) of every finding of `judge`, under the shipped rules or, with `change`,
    /// under a copy of them with `change(file name, text)` applied.
    async fn judge(&self, change: Option<&RuleEdit>) -> Vec<(String, String)> {
        let mut args: Vec<String> = vec![
            "judge".into(),
            "--config".into(),
            self.config.clone(),
            "--format".into(),
            "json".into(),
            "--fail-on".into(),
            "never".into(),
        ];
        if let Some(change) = change {
            let rules = self.dir.join("rules");
            let _ = std::fs::remove_dir_all(&rules);
            std::fs::create_dir_all(&rules).expect("rules dir");
            for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
                .expect("rules")
            {
                let path = entry.expect("entry").path();
                let name = path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .to_string();
                let text = std::fs::read_to_string(&path).expect("rule file");
                let changed = change(&name, text.clone());
                std::fs::write(rules.join(&name), changed).expect("copy");
            }
            args.push("--rules".into());
            args.push(rules.to_string_lossy().to_string());
        }
        let out = run(args).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("judge prints one JSON document");
        let mut v: Vec<(String, String)> = doc["sites"][0]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["url"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        v.sort();
        // Not one request reached the site while judging.
        assert_eq!(
            self.server.log.count(),
            0,
            "{:?}",
            self.server.log.requests()
        );
        v
    }
}

/// Replace `from` by `to` in the rule file `file` (exactly once).
fn edit(
    file: &'static str,
    from: &'static str,
    to: &'static str,
) -> impl Fn(&str, String) -> String {
    move |name, text| {
        if name != file {
            return text;
        }
        assert_eq!(text.matches(from).count(), 1, "{from} in {file}");
        text.replacen(from, to, 1)
    }
}

fn has(v: &[(String, String)], rule: &str, url_end: &str) -> bool {
    v.iter()
        .any(|(r, u)| r.starts_with(rule) && u.ends_with(url_end))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wording_added_to_the_list_is_found_in_a_stored_scan() {
    let s = scanned("wording").await;
    let before = s.judge(None).await;
    assert!(!has(&before, "wording.serious", ""), "{before:?}");
    let change = edit(
        "wording.toml",
        "corrections = [\n",
        "corrections = [\n    [\"工做年报\", \"工作年报\"],\n",
    );
    let after = s.judge(Some(&change)).await;
    assert!(has(&after, "wording.serious", "/"), "{after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_list_phrase_added_makes_a_stored_column_blank() {
    let s = scanned("blank").await;
    let before = s.judge(None).await;
    assert!(!has(&before, "column.blank", ""), "{before:?}");
    let change = edit(
        "columns.toml",
        "\"没有找到相关信息\"]",
        "\"没有找到相关信息\", \"正在整理中\"]",
    );
    let after = s.judge(Some(&change)).await;
    assert!(has(&after, "column.blank.warn", "/zwgk/tzgg/"), "{after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_id_meta_name_changed_reads_the_stored_home_meta_again() {
    let s = scanned("meta").await;
    let before = s.judge(None).await;
    assert!(
        has(&before, "footer.missing_id.siteidcode", ""),
        "{before:?}"
    );
    let change = edit(
        "footer.toml",
        "meta_name = \"SiteIDCode\"",
        "meta_name = \"GovSiteCode\"",
    );
    let after = s.judge(Some(&change)).await;
    assert!(
        !has(&after, "footer.missing_id.siteidcode", ""),
        "{after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_soft_404_phrase_added_makes_a_stored_page_broken() {
    let s = scanned("soft404").await;
    let before = s.judge(None).await;
    assert!(!has(&before, "link.broken", "/gone.html"), "{before:?}");
    let change = edit(
        "links.toml",
        "    \"找不到页面\",\n",
        "    \"找不到页面\",\n    \"页面走丢了\",\n",
    );
    let after = s.judge(Some(&change)).await;
    assert!(has(&after, "link.broken", "/gone.html"), "{after:?}");
    // And back: under the shipped rules the page is a page again.
    let again = s.judge(None).await;
    assert_eq!(again, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wording_added_to_the_list_is_found_on_a_page_stored_with_the_sites_dictionary() {
    let s = scanned_site("wording-dict", larger_site()).await;
    // The deep page was stored compressed with the site's dictionary (its raw observation
    // and its links, in its body).
    let db = rusqlite::Connection::open(s.dir.join("govscan.db")).expect("open the store");
    let body_dict: Option<i64> = db
        .query_row(
            "SELECT b.dict_id FROM pages p JOIN page_bodies b ON b.id = p.body_id \
             WHERE p.url LIKE '%/deep/2.html'",
            [],
            |r| r.get(0),
        )
        .expect("the deep page");
    assert!(body_dict.is_some());
    drop(db);
    let before = s.judge(None).await;
    assert!(!has(&before, "wording.serious", ""), "{before:?}");
    let change = edit(
        "wording.toml",
        "corrections = [\n",
        "corrections = [\n    [\"工做年报\", \"工作年报\"],\n",
    );
    let after = s.judge(Some(&change)).await;
    assert!(has(&after, "wording.serious", "/deep/2.html"), "{after:?}");
}
