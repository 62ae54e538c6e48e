//! Dark links (`link.hidden_outbound`) and hijacked outbound links
//! (`link.outbound.bad_target`) on fixture sites: a compromised county portal (div template)
//! whose pages hide casino links in every way the crawler reads — an inline `display:none`
//! block, a `<style>` class, an off-screen text-indent, text coloured like its background, a
//! `document.write` — and a GBK table-layout page in upper-case tag soup with a hidden cell;
//! beside them what must not fire: a hidden drop-down menu of the site's own columns, a hidden
//! element with no links, a visible outbound link to a normal page. Outbound targets live on
//! a second loopback server under names pinned in `[resolve]` (`casino.test`, `parked.test`,
//! `normal.test`); `gone.test` is pinned to no address, a name that does not exist. No query
//! leaves the machine.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use common::*;
use govscan::demo::server::{gbk_html, html, GbkDeclare, Running};

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}_示范县人民政府</title></head>\
         <body><div class=\"header\"><a href=\"/\">首页</a> <a href=\"/zwgk/\">政务公开</a></div>\
         <div class=\"main\"><h1>{title}</h1>{body}</div>\
         <div class=\"footer\">主办：示范县人民政府办公室</div></body></html>"
    )
}

/// The other sites: a gambling page, a parked domain, a normal association page (most hidden
/// links' targets are not found: they are judged as hidden, not by their target).
fn outside() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                html(
                    StatusCode::OK,
                    "<html><head><title>澳门新葡京娱乐城-真人荷官在线</title></head><body>\
                     <h1>百家乐 真人荷官 首存送彩金</h1><p>注册送38元，在线投注，24小时取款。</p></body></html>",
                )
            }),
        )
        .route(
            "/parked/",
            get(|| async {
                html(
                    StatusCode::OK,
                    "<html><head><title>parked.test</title></head><body><h1>This domain is for sale!</h1>\
                     <p>Buy this domain today.</p></body></html>",
                )
            }),
        )
        .route(
            "/normal/",
            get(|| async {
                html(
                    StatusCode::OK,
                    "<html><head><title>示范县老年人协会</title></head><body><h1>协会简介</h1>\
                     <p>本会依法开展为老服务活动，配合公安机关开展防范电信诈骗、抵制赌博宣传。</p></body></html>",
                )
            }),
        )
}

/// The compromised portal; `o` is the outside server's port.
fn portal(o: u16) -> Router {
    let casino = format!("http://casino.test:{o}/");
    let home = page(
        "首页",
        &format!(
            r#"<style>.menu ul {{ display: none }} .menu li:hover ul {{ display: block }}</style>
<ul class="menu"><li><a href="/zwgk/">政务公开</a><ul><li><a href="/zwgk/tzgg/">通知公告</a><li><a href="./zwgk/zcwj/">政策文件</a></ul></li></ul>
<div class="mobile-nav" style="display:none"><a href="/zwgk/">政务公开</a><a href="/hdjl/">互动交流</a></div>
<div class="ad" style="display:none"></div>
<p>示范县人民政府门户网站欢迎您。</p>
<div style="display:none"><a href="{casino}">澳门新葡京</a><a href="http://bet.test:{o}/">百家乐</a></div>
<div class="links">友情链接：<a href="{casino}">娱乐平台</a> <a href="http://parked.test:{o}/parked/">旧合作网站</a>
<a href="http://normal.test:{o}/normal/">老年人协会</a> <a href="http://gone.test/">已停办的合作网站</a></div>
<a href="/style/">a</a> <a href="/indent/">b</a> <a href="/colour/">c</a> <a href="/script/">d</a>
<a href="/gbk/">e</a> <a href="/clean/">f</a>"#
        ),
    );
    let style = page(
        "工作动态",
        &format!(
            r#"<style type="text/css">
.list li {{ line-height: 28px }}
.yqlj a, .yqlj {{ font-size: 12px; display : none }}
</style><ul class="list"><li><a href="/zwgk/a.html">县政府召开常务会议</a> 2026-11-28</ul>
<p class="yqlj"><a href="http://spam.test:{o}/s/">太阳城</a></p>"#
        ),
    );
    let indent = page(
        "通知公告",
        &format!(
            r#"<div style="text-indent:-9999px;overflow:hidden"><a href="http://indent.test:{o}/i/">真人荷官</a></div><p>暂无信息</p>"#
        ),
    );
    let colour = page(
        "政策解读",
        &format!(
            r##"<div style="background-color:#ffffff"><p>解读正文。<a href="http://white.test:{o}/w/" style="color:#FFF">皇冠体育</a></p></div>"##
        ),
    );
    let script = page(
        "机构职能",
        &format!(
            r#"<p>机构职能正文。</p><script type="text/javascript">document.write('<a href="http://written.test:{o}/" target="_blank">彩票投注</a>');</script>"#
        ),
    );
    let gbk = format!(
        r#"<HTML><HEAD><TITLE>领导之窗_示范县人民政府</TITLE></HEAD><BODY>
<TABLE width=100% border=0><TR><TD class=nav><A href="../zwgk/">政务公开</A><TD><A href="./ldzc/">领导之窗</A>
<TR><TD>县长：张三<TD STYLE="DISPLAY:NONE"><A HREF="http://gbk.test:{o}/g/">六合彩开奖</A>
<TR><TD colspan=2>主办：示范县人民政府
</TABLE></BODY></HTML>"#
    );
    let clean = page(
        "互动交流",
        r##"<div id="subnav" style="display:none"><a href="/hdjl/xxgk/">信箱</a><a href="../hdjl/zx/">咨询</a></div>
<span style="display:none"></span><a class="skip" href="#main" style="position:absolute;left:-9999px">跳到主要内容</a>
<p>欢迎留言。</p>"##,
    );
    let pages: Vec<(&str, String, bool)> = vec![
        ("/", home, false),
        ("/style/", style, false),
        ("/indent/", indent, false),
        ("/colour/", colour, false),
        ("/script/", script, false),
        ("/gbk/", gbk, true),
        ("/clean/", clean, false),
    ];
    let mut r = Router::new();
    for (path, body, is_gbk) in pages {
        let body: Arc<str> = body.into();
        r = r.route(
            path,
            get(move || {
                let body = Arc::clone(&body);
                async move {
                    if is_gbk {
                        gbk_html(&body, GbkDeclare::Meta)
                    } else {
                        html(StatusCode::OK, &body)
                    }
                }
            }),
        );
    }
    r
}

struct Fixture {
    _outside: Running,
    portal: Running,
    dir: PathBuf,
    config: String,
}

async fn fixture(name: &str) -> Fixture {
    let outside = serve(outside()).await;
    let portal = serve(portal(outside.addr.port())).await;
    let dir = temp_dir_in("security", name);
    let pins = [
        "casino.test",
        "bet.test",
        "parked.test",
        "normal.test",
        "spam.test",
        "indent.test",
        "white.test",
        "written.test",
        "gbk.test",
    ]
    .iter()
    .map(|h| format!("\"{h}\" = [\"127.0.0.1\"]\n"))
    .collect::<String>();
    let config = format!(
        "[crawl]\nrate_per_origin = 0\ntotal_timeout = \"3s\"\nretries = 0\nallow_private_addresses = true\n\n\
         [resolve]\n{pins}\"gone.test\" = []\n\n[store]\npath = \"{}\"\n\n\
         [[site]]\nname = \"示范县\"\nurl = \"{}\"\nlevel = \"county\"\nkind = \"portal\"\n",
        dir.join("govscan.db").display(),
        portal.url("/")
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, config).expect("write config");
    Fixture {
        _outside: outside,
        portal,
        dir,
        config: path.to_string_lossy().to_string(),
    }
}

fn ok_exit(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (rule, url, finding) of a JSON report's findings of the security rules.
fn security_findings(doc: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut v: Vec<_> = doc["sites"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            matches!(
                f["rule"].as_str(),
                Some("link.hidden_outbound" | "link.outbound.bad_target")
            )
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["url"].as_str().unwrap_or_default().to_string(),
                f.clone(),
            )
        })
        .collect();
    v.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    v
}

impl Fixture {
    async fn scan(&self) {
        ok_exit(
            &run(vec![
                "scan".into(),
                "--fail-on".into(),
                "never".into(),
                "--config".into(),
                self.config.clone(),
                "--as-of".into(),
                "2026-11-30".into(),
            ])
            .await,
        );
    }

    async fn judge(&self, rules: Option<&PathBuf>) -> serde_json::Value {
        let mut args: Vec<String> = vec![
            "judge".into(),
            "--config".into(),
            self.config.clone(),
            "--format".into(),
            "json".into(),
            "--fail-on".into(),
            "never".into(),
        ];
        if let Some(r) = rules {
            args.push("--rules".into());
            args.push(r.to_string_lossy().to_string());
        }
        let out = run(args).await;
        ok_exit(&out);
        serde_json::from_slice(&out.stdout).expect("judge prints JSON")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dark_links_and_bad_outbound_targets_are_found_and_menus_are_not() {
    let f = fixture("found").await;
    f.scan().await;
    let doc = f.judge(None).await;
    let found = security_findings(&doc);
    let p = |path: &str| f.portal.url(path);
    let hidden: Vec<&str> = found
        .iter()
        .filter(|x| x.0 == "link.hidden_outbound")
        .map(|x| x.1.as_str())
        .collect();
    let mut want = vec![
        p("/"),
        p("/colour/"),
        p("/gbk/"),
        p("/indent/"),
        p("/script/"),
        p("/style/"),
    ];
    want.sort();
    assert_eq!(hidden, want, "{found:#?}");
    for (rule, _, x) in &found {
        assert_eq!(x["kind"], "veto", "{x}");
        assert_eq!(x["evidence"]["needs_confirmation"], true, "{rule}: {x}");
    }
    let how = |path: &str| {
        found
            .iter()
            .find(|x| x.0 == "link.hidden_outbound" && x.1 == p(path))
            .map(|x| {
                x.2["evidence"]["links"][0]["how"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .unwrap_or_default()
    };
    assert_eq!(how("/"), "display_none");
    assert_eq!(how("/style/"), "display_none");
    assert_eq!(how("/indent/"), "text_indent");
    assert_eq!(how("/colour/"), "same_colour");
    assert_eq!(how("/script/"), "script_written");
    assert_eq!(how("/gbk/"), "display_none");
    // The home page's finding lists both hidden casino links, with a snippet of the source.
    let home = found
        .iter()
        .find(|x| x.0 == "link.hidden_outbound" && x.1 == p("/"))
        .expect("home");
    assert_eq!(home.2["evidence"]["count"], 2, "{}", home.2);
    assert!(home.2["evidence"]["links"][0]["snippet"]
        .as_str()
        .unwrap_or_default()
        .contains("display:none"));
    // The GBK page was decoded: the link text reads as written.
    let gbk = found
        .iter()
        .find(|x| x.0 == "link.hidden_outbound" && x.1 == p("/gbk/"))
        .expect("gbk");
    assert_eq!(gbk.2["evidence"]["links"][0]["text"], "六合彩开奖");

    let bad: Vec<(String, String)> = found
        .iter()
        .filter(|x| x.0 == "link.outbound.bad_target")
        .map(|x| {
            (
                x.1.clone(),
                x.2["evidence"]["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let o = f._outside.addr.port();
    let mut want = vec![
        (format!("http://bet.test:{o}/"), "prohibited".to_string()),
        (format!("http://casino.test:{o}/"), "prohibited".to_string()),
        ("http://gone.test/".to_string(), "nxdomain".to_string()),
        (
            format!("http://parked.test:{o}/parked/"),
            "parked".to_string(),
        ),
        // Written by a script: checked like any link, and its target read.
        (
            format!("http://written.test:{o}/"),
            "prohibited".to_string(),
        ),
    ];
    want.sort();
    assert_eq!(bad, want, "{found:#?}");
    let casino = found
        .iter()
        .find(|x| x.1 == format!("http://casino.test:{o}/") && x.0 == "link.outbound.bad_target")
        .expect("casino");
    assert_eq!(casino.2["evidence"]["category"], "赌博");
    assert_eq!(casino.2["page"], p("/"));
    // The site is 不合格 by the veto.
    assert_eq!(doc["sites"][0]["verdict"], "不合格", "{}", doc["sites"][0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_added_to_a_category_is_applied_to_stored_outbound_targets_and_the_bulletin_lists_both_rules(
) {
    let f = fixture("rejudge").await;
    f.scan().await;
    let o = f._outside.addr.port();
    let normal = format!("http://normal.test:{o}/normal/");
    let before = security_findings(&f.judge(None).await);
    assert!(!before.iter().any(|x| x.1 == normal), "{before:#?}");
    // Under rules that count 老年人协会 and 电信诈骗 as words of a category, the stored sample
    // of the normal page matches: the target is not fetched again.
    let rules = f.dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    for entry in std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
        .expect("rules")
    {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("rule file");
        if path.ends_with("security.toml") {
            assert_eq!(text.matches("[\"其他违法\", ").count(), 1);
            text = text.replace(
                "[\"其他违法\", ",
                "[\"其他违法\", \"老年人协会\", \"电信诈骗\", ",
            );
        }
        std::fs::write(rules.join(path.file_name().expect("name")), text).expect("copy");
    }
    f.portal.log.clear();
    let after = security_findings(&f.judge(Some(&rules)).await);
    let hit = after
        .iter()
        .find(|x| x.1 == normal)
        .unwrap_or_else(|| panic!("{after:#?}"));
    assert_eq!(hit.2["evidence"]["category"], "其他违法");
    assert_eq!(f.portal.log.count(), 0);

    // The month's bulletin counts both rules among its 主要问题.
    let out_dir = f.dir.join("bulletin");
    ok_exit(
        &run(vec![
            "bulletin".into(),
            "--config".into(),
            f.config.clone(),
            "--month".into(),
            "2026-11".into(),
            "--out".into(),
            out_dir.to_string_lossy().to_string(),
        ])
        .await,
    );
    let md = std::fs::read_to_string(out_dir.join("月通报-2026-11.md")).expect("md");
    let problems = md
        .split("## 五、")
        .next()
        .and_then(|head| head.split("主要问题").nth(1))
        .unwrap_or_default()
        .to_string();
    assert!(
        problems.contains("| 隐藏的外部链接（疑似暗链） | 单项否决 | 1 | 6 |"),
        "{problems}"
    );
    assert!(
        problems.contains("| 外部链接指向违法违规内容或失效域名 | 单项否决 | 1 | 5 |"),
        "{problems}"
    );
}
