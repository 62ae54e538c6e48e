use super::*;
use crate::rules::RuleSet;

fn rules() -> NormdocRules {
    NormdocRules::from_rules(&RuleSet::embedded().unwrap())
}

fn page(html: &str, title: &str, article: bool) -> NormdocPage {
    let url = Url::parse("http://www.example.gov.cn/zfxxgk/gfxwj/index.html").unwrap();
    let doc = Html::parse_document(html);
    let text = cell_text(doc.root_element());
    normdoc_page(&doc, &text, Some(title), &url, article, &rules())
}

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

#[test]
fn tag_soup_table_with_headers() {
    let html = r#"<HTML><BODY><TABLE class=list>
<TR><TH>序号<TH>文号<TH>标题<TH>成文日期<TH>发布日期<TH>有效性<TH>统一编号<TH>有效期
<TR><TD>1<TD>渝府规〔2021〕3号<TD><A href="./202103/t20210301_1.html" title="重庆市示例管理办法（全称）">重庆市示例管理办法</A><TD>2021年2月20日<TD>2021-03-01<TD>有效<TD>CQGS-2021-0003<TD>2021-03-01至2026-02-28
<TR><TD>2<TD>渝府规[2019]１２号<TD><A href="../old/t20190101_2.html">【已废止】重庆市旧办法</A><TD>2019-01-01<TD>2019-01-05<TD><TD><TD>
<TR><TD>3<TD>渝府发〔2018〕5号<TD><A href="/x/3.html">关于某事的通知</A><TD>2018-05-01<TD>2018-05-03<TD>已修订<TD><TD>
</TABLE></BODY></HTML>"#;
    let p = page(html, "行政规范性文件", false);
    assert_eq!(p.records.len(), 3, "{:#?}", p.records);
    let r = &p.records[0];
    assert_eq!(r.docno.as_deref(), Some("渝府规〔2021〕3号"));
    assert_eq!(r.title, "重庆市示例管理办法（全称）");
    assert_eq!(r.written, d(2021, 2, 20));
    assert_eq!(r.published, d(2021, 3, 1));
    assert_eq!(r.status, Some(DocStatus::Valid));
    assert_eq!(r.regno.as_deref(), Some("CQGS-2021-0003"));
    assert_eq!(r.valid_until, d(2026, 2, 28));
    assert_eq!(
        r.url.as_deref(),
        Some("http://www.example.gov.cn/zfxxgk/gfxwj/202103/t20210301_1.html")
    );
    assert_eq!(p.records[1].status, Some(DocStatus::Abolished));
    assert_eq!(p.records[1].docno.as_deref(), Some("渝府规[2019]１２号"));
    assert_eq!(
        p.records[1].url.as_deref(),
        Some("http://www.example.gov.cn/zfxxgk/old/t20190101_2.html")
    );
    assert_eq!(p.records[2].status, Some(DocStatus::Revised));
    // The abolished link is marked where it stands.
    assert!(p
        .marked_links
        .contains(&"http://www.example.gov.cn/zfxxgk/old/t20190101_2.html".to_string()));
    assert!(!p
        .marked_links
        .iter()
        .any(|u| u.ends_with("t20210301_1.html")));
}

#[test]
fn list_library_with_title_prefixes() {
    let html = r#"<html><body><div class="list"><ul>
<li><a href="/gfxwj/1.html">【已失效】关于印发某某暂行办法的通知</a><span>某府规〔2020〕1号</span><span>2020-01-02</span></li>
<li><a href="/gfxwj/2.html">关于加强某某管理的通知</a><span>2024-05-06</span></li>
<li><a href="/">首页</a></li>
</ul></div><div class="page">共3页</div></body></html>"#;
    let p = page(html, "规范性文件库", false);
    assert_eq!(p.records.len(), 2, "{:#?}", p.records);
    assert_eq!(p.records[0].status, Some(DocStatus::Expired));
    assert_eq!(p.records[0].docno.as_deref(), Some("某府规〔2020〕1号"));
    assert_eq!(p.records[0].published, d(2020, 1, 2));
    assert_eq!(p.records[1].docno, None);
    assert_eq!(p.records[1].status, None);
    assert_eq!(p.pages_total, Some(3));
}

#[test]
fn other_lists_keep_only_rows_with_a_docno() {
    let html = r#"<html><body><ul>
<li><a href="/zcwj/1.html">某某市人民政府关于某事的通知（某府规〔2022〕2号）</a> 2022-02-02</li>
<li><a href="/zcwj/2.html">某某市召开专题会议研究部署工作</a> 2022-02-03</li>
</ul></body></html>"#;
    let p = page(html, "政策文件", false);
    assert_eq!(p.records.len(), 1);
    assert_eq!(p.records[0].docno.as_deref(), Some("某府规〔2022〕2号"));
}

#[test]
fn article_shows_its_docno_and_status() {
    let html = r#"<html><body><table><tr><td>文号：</td><td>某府规〔2020〕1号</td>
<td>有效性：</td><td>已废止</td></tr></table><p>根据国办发〔2018〕37号……</p></body></html>"#;
    let p = page(html, "关于某事的通知", true);
    assert_eq!(p.own_docno.as_deref(), Some("某府规〔2020〕1号"));
    assert_eq!(p.own_status, Some(DocStatus::Abolished));
    let plain = page(
        "<html><body><p>发文字号：某府规〔2020〕1号</p><p>正文。</p></body></html>",
        "关于某事的通知",
        true,
    );
    assert_eq!(plain.own_status, None);
}

#[test]
fn docno_identity_ignores_brackets_spaces_and_width() {
    let a = normalize_docno("渝府发〔2019〕12号");
    for v in [
        "渝府发[2019]12号",
        "渝府发（2019）12号",
        "渝府发【2019】12号",
        "渝府发 (２０１９) １２号",
        "渝府发〔2019〕第12号",
        "渝府发〔2019〕012号",
    ] {
        assert_eq!(normalize_docno(v), a, "{v}");
    }
    assert_ne!(normalize_docno("渝府发〔2019〕13号"), a);
    assert_eq!(
        identity(None, Some("http://x/1.html"), "t"),
        "url:http://x/1.html"
    );
    assert_eq!(identity(None, None, "【已失效】某 办法"), "title:某办法");
}

#[test]
fn div_template_rows() {
    let html = r#"<html><body><div class="list">
<div class="item"><a href="/gfxwj/1.html">关于印发某某管理办法的通知</a><span class="wh">某府规〔2023〕4号</span><span>[2023-04-05]</span></div>
<div class="item"><a href="/gfxwj/2.html">【已修改】关于某某补贴的通知</a><span class="wh">某府规〔2022〕9号</span><span>[2022-09-01]</span></div>
</div></body></html>"#;
    let p = page(html, "行政规范性文件", false);
    assert_eq!(p.records.len(), 2, "{:#?}", p.records);
    assert_eq!(p.records[0].published, d(2023, 4, 5));
    assert_eq!(p.records[1].status, Some(DocStatus::Revised));
    assert_eq!(p.records[1].title, "关于某某补贴的通知");
}

#[test]
fn a_marker_elsewhere_in_a_long_paragraph_does_not_mark_every_link() {
    let html = r#"<html><body><p>依据<a href="/a.html">甲办法</a>、<a href="/b.html">乙办法</a>、<a href="/c.html">丙办法</a>、<a href="/d.html">丁办法</a>，原戊办法同时废止。</p>
<ul><li><a href="/e.html">己办法</a>（已失效）</li></ul></body></html>"#;
    let p = page(html, "关于某事的通知", true);
    assert_eq!(
        p.marked_links,
        vec!["http://www.example.gov.cn/e.html".to_string()]
    );
}

#[test]
fn library_table_nested_in_a_layout_table() {
    let html = r#"<TABLE width=1000><TR><TD width=200><A href="/">首页</A><BR><A href="/zwgk/">政务公开</A>
<TD><TABLE><TR><TD>文号<TD>文件名称<TD>效力状态
<TR><TD>某政规〔2024〕1号<TD><A href="/d/1.html">某某实施细则</A><TD>现行有效
<TR><TD>某政规〔2017〕2号<TD><A href="/d/2.html">某某旧细则</A><TD>已失效
</TABLE></TABLE>"#;
    let p = page(html, "规范性文件", false);
    assert_eq!(p.records.len(), 2, "{:#?}", p.records);
    assert_eq!(p.records[0].status, Some(DocStatus::Valid));
    assert_eq!(p.records[1].status, Some(DocStatus::Expired));
    assert_eq!(p.records[1].title, "某某旧细则");
}
