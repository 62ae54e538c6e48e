use super::*;
use crate::extract::{decode, extract_document};

fn rules() -> FactRules {
    FactRules::default()
}

fn facts_at(html: &str, url: &str, depth: u32) -> PageFacts {
    let url = Url::parse(url).expect("url");
    let doc = Html::parse_document(html);
    let page = extract_document(&doc, &url, encoding_rs::UTF_8, &[]);
    page_facts(&doc, &page, &url, depth, &rules())
}

fn facts(html: &str) -> PageFacts {
    facts_at(html, "http://www.example.gov.cn/tzgg/", 1)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<ItemDate> {
    ItemDate::ymd(y, m, d)
}

fn wrap(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>通知公告</title></head><body>\
         <div class=\"nav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"/zfxxgk/\">政府信息公开</a></li>\
         <li><a href=\"/zwdt/\">政务动态要闻与新闻发布</a></li></ul></div>{body}\
         <div class=\"footer\"><p>主办单位：示例县人民政府办公室</p></div></body></html>"
    )
}

#[test]
fn list_items_in_every_date_format() {
    let html = wrap(
        "<ul class=\"list\">\
         <li><a href=\"a1.html\">关于做好冬季森林防火工作的通知</a><span>2026-11-28</span></li>\
         <li><a href=\"/tzgg/a2.html\">关于公开征求意见的公告</a><span>2026/11/20</span></li>\
         <li><a href=\"a3.html\">关于停水的通知</a><span>2026.11.15</span></li>\
         <li><a href=\"a4.html\">县政府召开常务会议</a><span>2026年11月10日</span></li>\
         <li><a href=\"202611/t20261105_1.html\">乡镇动态一则</a><span>[11-05]</span></li>\
         <li><a href=\"a6.html\">一则没有年份的动态</a><span>11-01</span></li>\
         <li><a href=\"a7.html\">日期写在标题里 2026-10-30</a></li>\
         <li><a href=\"a8.html\">一条没有日期的信息标题</a></li>\
         </ul>",
    );
    let f = facts(&html);
    assert_eq!(f.dated_items, 7, "{f:#?}");
    assert_eq!(f.undated_items, 1);
    let dates: Vec<Option<ItemDate>> = f.items.iter().map(|i| i.date).collect();
    assert_eq!(
        dates,
        vec![
            ymd(2026, 11, 28),
            ymd(2026, 11, 20),
            ymd(2026, 11, 15),
            ymd(2026, 11, 10),
            ymd(2026, 11, 5),
            ItemDate::md(11, 1),
            ymd(2026, 10, 30),
            None,
        ]
    );
    assert_eq!(
        f.items[0].url.as_deref(),
        Some("http://www.example.gov.cn/tzgg/a1.html")
    );
    assert_eq!(f.items[0].title, "关于做好冬季森林防火工作的通知");
    assert_eq!(f.dates.len(), 7);
    // The navigation menu is not a list of items, but its links are kept by name.
    assert!(f.items.iter().all(|i| i.title != "政务动态要闻与新闻发布"));
    assert!(f
        .nav
        .iter()
        .any(|n| n.text == "政府信息公开" && n.url == "http://www.example.gov.cn/zfxxgk/"));
    assert!(f.footer.is_none(), "footer only on the home page");
    assert_eq!(f.empty_marker, None);
}

#[test]
fn table_rows_and_nested_cells() {
    let html = wrap(
        "<table><tr><th>标题</th><th>日期</th></tr>\
         <tr><td><a href=\"t1.html\" title=\"示例县人民政府关于印发某某实施方案的通知\">示例县人民政府关于印发...</a></td><td>2026-09-01</td></tr>\
         <tr><td><a href=\"t2.html\">第二个文件的标题</a></td><td>2026-08-01</td></tr></table>\
         <ul><li><div class=\"title\"><a href=\"n1.html\">嵌套结构里的新闻标题</a></div><div class=\"date\">2026-07-01</div></li></ul>\
         <div class=\"item\"><p><a href=\"d1.html\">div 和 p 组成的列表项</a></p><p>2026-06-01</p></div>",
    );
    let f = facts(&html);
    assert_eq!(f.dated_items, 4, "{f:#?}");
    assert_eq!(f.undated_items, 0, "{f:#?}");
    assert_eq!(f.items[0].title, "示例县人民政府关于印发某某实施方案的通知");
    assert_eq!(f.items[2].date, ymd(2026, 7, 1));
    assert_eq!(f.items[3].date, ymd(2026, 6, 1));
}

#[test]
fn article_pages_keep_their_date_not_their_lists() {
    let html = "<html><head><meta name=\"PubDate\" content=\"2026-11-29 17:42\">\
        <meta name=\"ArticleTitle\" content=\"县政府召开常务会议\"><meta name=\"ColumnName\" content=\"工作动态\"></head>\
        <body><h1>县政府召开常务会议</h1><ul><li><a href=\"x.html\">相关文章一</a><span>2026-01-01</span></li></ul></body></html>";
    let f = facts(html);
    assert!(f.is_article());
    assert_eq!(f.pub_date, ymd(2026, 11, 29));
    assert_eq!(f.article_title.as_deref(), Some("县政府召开常务会议"));
    assert_eq!(f.column_name.as_deref(), Some("工作动态"));
    assert_eq!(f.item_count(), 0);
    assert!(f.nav.is_empty());
}

#[test]
fn empty_list_pages_and_deep_pages() {
    let f = facts(&wrap("<div class=\"list\"><p>暂无信息</p></div>"));
    assert_eq!(f.item_count(), 0);
    assert_eq!(f.empty_marker.as_deref(), Some("暂无信息"));
    // Beyond depth 3 no navigation links are kept.
    let f = facts_at(&wrap(""), "http://www.example.gov.cn/a/b/c/d/", 4);
    assert!(f.nav.is_empty());
}

#[test]
fn gbk_list_pages() {
    let html = wrap(
        "<ul><li><a href=\"g1.html\">关于做好冬季森林防火工作的通知</a><span>2026年11月28日</span></li>\
         <li><a href=\"g2.html\">关于公开征求意见的公告</a><span>[11-20]</span></li></ul>",
    )
    .replace("<meta charset=\"utf-8\">", "");
    let (bytes, _, _) = encoding_rs::GBK.encode(&html);
    let d = decode(&bytes, Some("text/html; charset=GBK"));
    assert_eq!(d.encoding, encoding_rs::GBK);
    let f = facts(&d.text);
    assert_eq!(f.dated_items, 2);
    assert_eq!(f.items[0].title, "关于做好冬季森林防火工作的通知");
    assert_eq!(f.items[0].date, ymd(2026, 11, 28));
    assert_eq!(f.items[1].date, ItemDate::md(11, 20));
    // Declared in <meta> only.
    let html = html.replace(
        "<head>",
        "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">",
    );
    let (bytes, _, _) = encoding_rs::GBK.encode(&html);
    let d = decode(&bytes, Some("text/html"));
    assert_eq!(facts(&d.text).dated_items, 2);
}

#[test]
fn bounded_lists() {
    let mut body = String::from("<ul>");
    for i in 0..500 {
        body.push_str(&format!(
            "<li><a href=\"p{i}.html\">第{i}条信息的标题文字</a><span>2026-01-{:02}</span></li>",
            i % 28 + 1
        ));
    }
    body.push_str("</ul>");
    let f = facts(&wrap(&body));
    assert_eq!(f.dated_items, 500);
    assert_eq!(f.items.len(), MAX_ITEMS);
    assert_eq!(f.dates.len(), MAX_DATES);
}

const HOME_FOOTER: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
    <meta name=\"SiteIDCode\" content=\"5000000099\"></head><body>\
    <div class=\"main\"><ul><li><a href=\"/a.html\">首页上的一条新闻标题</a><span>2026-11-28</span></li></ul></div>\
    <div id=\"footer\"><p><a href=\"https://bszs.conac.cn/sitename?method=show&amp;id=X\"><img src=\"https://dcs.conac.cn/image/red.png\" alt=\"党政机关\"></a>\
    <script id=\"_jiucuo_\" sitecode=\"5000000099\" src=\"https://zfwzgl.www.gov.cn/exposure/jiucuo.js\"></script></p>\
    <p>主办单位：示例县人民政府办公室 联系电话：0999-1234567</p>\
    <p>网站标识码：5000000099 示ICP备05000099号-1 示公网安备99000002000099号</p></div>\
    <script>var x = '网站标识码：1111111111';</script></body></html>";

#[test]
fn home_footer_facts() {
    let f = facts_at(HOME_FOOTER, "http://www.example.gov.cn/", 0);
    let footer = f.footer.expect("footer");
    assert_eq!(footer.region, FooterRegion::Element);
    assert!(footer.text.contains("网站标识码：5000000099"));
    assert!(footer.text.contains("主办单位"));
    assert!(!footer.text.contains("1111111111"), "scripts are not text");
    assert!(!footer.text.contains("首页上的一条新闻标题"));
    assert_eq!(footer.meta_site_id.as_deref(), Some("5000000099"));
    assert_eq!(footer.jiucuo_site_code.as_deref(), Some("5000000099"));
    assert!(footer.marks.iter().any(|m| m.contains("dcs.conac.cn")));
    assert!(footer.marks.iter().any(|m| m.contains("zfwzgl.www.gov.cn")));
    assert_eq!(f.dated_items, 1);
}

#[test]
fn home_footer_without_footer_element() {
    let html = "<html><body><p>正文内容</p><p>主办：示例县人民政府 网站标识码：5000000099</p>\
        <a href=\"http://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5000000099&amp;url=x\">我为政府网站找错</a></body></html>";
    let f = facts_at(html, "http://www.example.gov.cn/", 0);
    let footer = f.footer.expect("footer");
    assert_eq!(footer.region, FooterRegion::PageEnd);
    assert!(footer.text.contains("网站标识码：5000000099"));
    assert_eq!(footer.jiucuo_site_code.as_deref(), Some("5000000099"));
    assert_eq!(footer.meta_site_id, None);
}

fn matcher() -> Arc<WordingMatcher> {
    rules().wording.expect("wording rule")
}

fn wrongs(text: &str) -> Vec<(String, String)> {
    matcher()
        .find(text, 100)
        .into_iter()
        .map(|h| (h.wrong, h.right))
        .collect()
}

#[test]
fn wording_listed_wrong_forms() {
    let hits = matcher().find("中华人民共合国成立以来，坚持全面从严制党。", 10);
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!(hits[0].wrong, "中华人民共合国");
    assert_eq!(hits[0].right, "中华人民共和国");
    assert_eq!(hits[0].kind, WordingKind::Listed);
    assert!(
        hits[0].snippet.contains("【中华人民共合国】"),
        "{}",
        hits[0].snippet
    );
    assert_eq!(hits[1].wrong, "全面从严制党");
}

#[test]
fn wording_near_misses() {
    // One look-alike character (not in the listed wrong forms).
    assert_eq!(
        wrongs("根据中央军事季员会的命令"),
        vec![("中央军事季员会".into(), "中央军事委员会".into())]
    );
    // 查 is no look-alike of 察, but has the same pinyin (cha): a homophone.
    assert_eq!(
        wrongs("最高人民检查院发布"),
        vec![("最高人民检查院".into(), "最高人民检察院".into())]
    );
    // A stray space or character inside a name.
    assert_eq!(
        wrongs("热烈庆祝中国 共产党成立"),
        vec![("中国 共产党".into(), "中国共产党".into())]
    );
    assert_eq!(
        wrongs("中华人民民共和国成立"),
        vec![("中华人民民共和国".into(), "中华人民共和国".into())]
    );
    let hits = matcher().find("中华人民共合国国务院", 10);
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn wording_correct_forms_never_match() {
    let rules = crate::rules::RuleSet::embedded().expect("rules");
    let r = rules.get("wording.serious").expect("rule");
    let mut text = String::new();
    for n in r.param_strs("official_names") {
        text.push_str(n);
        text.push('，');
        text.push_str(n);
        text.push('的');
    }
    for (_, right) in r.param_pairs("corrections") {
        text.push_str(right);
        text.push('。');
    }
    assert!(wrongs(&text).is_empty(), "{:?}", wrongs(&text));
    // Ordinary words that merely resemble a name, names followed by words that start with
    // their last character.
    for s in [
        "中国共产党党员要发挥先锋模范作用",
        "中国共产党党章规定",
        "中华人民共和国国务院令",
        "中华人民共和国国旗法",
        "国务院办公厅厅长",
        "中共中央、国务院印发",
        "中共中央 国务院关于实施乡村振兴战略的意见",
        "公园建设、社会治理、依法办事",
        "全国人民代表大会代表选举",
        "中国特色社会主义制度",
        "社会主义核心价值观教育",
        "台湾地区领导人",
        "新时代中国特色社会主义思想",
        "人民代表大会制度是根本政治制度",
        "中 华 人 民 共 和 国",
    ] {
        assert!(wrongs(s).is_empty(), "{s}: {:?}", wrongs(s));
    }
}

#[test]
fn wording_only_in_visible_text() {
    let html = "<html><head><title>中华人民共合国</title><meta name=\"Keywords\" content=\"中华人民共合国\"></head><body>\
        <script>var s = '中华人民共合国';</script><style>.x{content:'中华人民共合国'}</style>\
        <img alt=\"中华人民共合国\" src=\"a.png\"><a href=\"/x\" title=\"中华人民共合国\">正常链接</a>\
        <p>中国共产<span>觉</span>领导</p></body></html>";
    let f = facts(html);
    assert_eq!(f.wording.len(), 1, "{:?}", f.wording);
    assert_eq!(f.wording[0].wrong, "中国共产觉");
}

#[test]
fn wording_is_fast_enough() {
    let m = matcher();
    let text = "示范县人民政府召开常务会议，研究部署冬春农田水利建设工作。".repeat(3000);
    let started = std::time::Instant::now();
    assert!(m.find(&text, 10).is_empty());
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs_f64() < 2.0, "{elapsed:?}");
}

#[test]
#[ignore = "timing, run by hand"]
fn timing_against_link_extraction() {
    let url = Url::parse("http://127.0.0.1:1/").expect("url");
    let rules = rules();
    let pages: Vec<String> = (1..40)
        .map(|i| {
            crate::demo::bench::bench_page(0, 1000, i)
                .replace("name=\"PubDate\"", "name=\"x\"")
                .replace("name=\"ArticleTitle\"", "name=\"y\"")
        })
        .collect();
    let docs: Vec<Html> = pages.iter().map(|p| Html::parse_document(p)).collect();
    let t = std::time::Instant::now();
    let extracted: Vec<ExtractedPage> = docs
        .iter()
        .map(|d| extract_document(d, &url, encoding_rs::UTF_8, &[]))
        .collect();
    let links = t.elapsed();
    let t = std::time::Instant::now();
    let mut items = 0;
    for (d, p) in docs.iter().zip(&extracted) {
        items += page_facts(d, p, &url, 1, &rules).dated_items;
    }
    let facts = t.elapsed();
    let m = matcher();
    let t = std::time::Instant::now();
    let hits: usize = extracted.iter().map(|p| m.find(&p.text, 10).len()).sum();
    let wording = t.elapsed();
    println!("links {links:?} facts {facts:?} (wording {wording:?}, {hits} hits) items {items}");
}

#[test]
#[ignore = "timing, run by hand"]
fn timing_matcher_build() {
    let t = std::time::Instant::now();
    let _ = rules();
    println!("build {:?}", t.elapsed());
}

fn hits(text: &str) -> Vec<(String, String, WordingKind)> {
    matcher()
        .find(text, 100)
        .into_iter()
        .map(|h| (h.wrong, h.right, h.kind))
        .collect()
}

#[test]
fn wording_near_miss_kinds() {
    use WordingKind::*;
    for (text, wrong, right, kind) in [
        (
            "示范县人民政俯召开常务会议",
            "人民政俯",
            "人民政府",
            Homophone,
        ),
        (
            "国务院办公听印发通知",
            "国务院办公听",
            "国务院办公厅",
            Homophone,
        ),
        (
            "县纪律检察委员会通报",
            "纪律检察委员会",
            "纪律检查委员会",
            Homophone,
        ),
        (
            "根据个人信息保户法的规定",
            "个人信息保户法",
            "个人信息保护法",
            Homophone,
        ),
        (
            "国务院 办公厅关于",
            "国务院 办公厅",
            "国务院办公厅",
            Insertion,
        ),
        (
            "国务院  办公厅关于",
            "国务院  办公厅",
            "国务院办公厅",
            Insertion,
        ),
        (
            "国务院·办公厅关于",
            "国务院·办公厅",
            "国务院办公厅",
            Insertion,
        ),
        (
            "中华人民共国成立以来",
            "中华人民共国",
            "中华人民共和国",
            Deletion,
        ),
        (
            "国家发展和改委员会",
            "国家发展和改委员会",
            "国家发展和改革委员会",
            Deletion,
        ),
        (
            "全国人民代表大会常务员会",
            "全国人民代表大会常务员会",
            "全国人民代表大会常务委员会",
            Deletion,
        ),
        (
            "国务院公办厅印发",
            "国务院公办厅",
            "国务院办公厅",
            Transposition,
        ),
        (
            "最高人民察检院工作报告",
            "最高人民察检院",
            "最高人民检察院",
            Transposition,
        ),
    ] {
        let found = hits(text);
        assert!(
            found
                .iter()
                .any(|h| h.0 == wrong && h.1 == right && h.2 == kind),
            "{text}: {found:?}"
        );
        let h = matcher().find(text, 10);
        let h = h.iter().find(|h| h.wrong == wrong).expect("hit");
        assert!(h.snippet.contains(&format!("【{wrong}】")), "{}", h.snippet);
    }
}

#[test]
fn wording_correct_and_other_real_names_are_not_near_misses() {
    for s in [
        // Names that differ from another by a character but are real names themselves.
        "市人民政协召开会议，市人民政府办公室、省人民政府办公厅参加",
        "人民政协报报道",
        "最高人民检察院检察委员会审议；国家监察委员会、县监察委员会",
        "县纪律检查委员会、县监察委员会联合发文",
        "国家发展改革委、市发展改革委员会",
        "市住房城乡建设局、文化旅游局、省人力资源社会保障厅、住房城乡建设部",
        // Ordinary text around names.
        "国家安全不容忽视，应急管理不到位的问题，自然资源不可再生",
        "遵守中华人民共和国法律法规",
        "个人政府信息公开申请",
        "中 华 人 民 共 和 国",
        "国 务 院 办 公 厅",
        "中共中央 国务院关于实施乡村振兴战略的意见",
        "国务院办公厅关于印发政府网站发展指引的通知",
        "人民法院、人民检察院依法独立行使职权",
        "科学发展观，全面依法治国",
        "人民的政府为人民，人民和政府同心",
        "坚持科学发展关键在于落实",
    ] {
        assert!(hits(s).is_empty(), "{s}: {:?}", hits(s));
    }
}

#[test]
fn column_heading_of_list_pages() {
    let list = "<ul><li><a href=\"/a/1.html\">关于开展冬季安全生产检查的通知</a><span>2026-11-20</span></li></ul>";
    for (html, want) in [
        (
            format!("<html><head><title>示范市人民政府</title></head><body><div class=\"header\"><h1>示范市人民政府</h1></div>\
             <div class=\"position\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"/xw/\">新闻中心</a> &gt; 乡镇动态</div>{list}</body></html>"),
            Some("乡镇动态"),
        ),
        (
            format!("<HTML><HEAD><TITLE>工作动态--示范市</TITLE></HEAD><BODY><TABLE><TR><TD CLASS=menu><H2>导航</H2><TR><TD CLASS=lmmc>工作动态<TR><TD>{list}</TABLE></BODY></HTML>"),
            Some("工作动态"),
        ),
        (
            format!("<html><head><title>通知公告_示范区</title></head><body><div class=\"main\"><h2>通知公告</h2>{list}</div></body></html>"),
            Some("通知公告"),
        ),
        (
            format!("<html><head><title>示范区</title></head><body><div class=\"top\"><h1>示范区</h1></div>{list}</body></html>"),
            None,
        ),
    ] {
        let f = facts_at(&html, "http://x.gov.cn/col/col1/index.html", 2);
        assert_eq!(f.heading.as_deref(), want, "{html}");
    }
}
