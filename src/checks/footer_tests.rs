use super::*;
use crate::checks::testutil::{page, site};
use crate::extract::facts::FooterRegion;

fn complete() -> FooterFacts {
    FooterFacts {
        region: FooterRegion::Element,
        text: "网站地图 | 联系我们 主办单位：示例县人民政府办公室 联系电话：0999-1234567 \
               网站标识码：5000000099 示ICP备05000099号-1 示公网安备99000002000099号"
            .into(),
        marks: vec![
            "img src=https://dcs.conac.cn/image/red.png".into(),
            "a href=https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5000000099".into(),
        ],
        meta_site_id: Some("5000000099".into()),
        jiucuo_site_code: Some("5000000099".into()),
    }
}

/// The check, asserting that it judges the facts reduced to what the checks read
/// (`checks::reads`, the rest looked up) as it judges them whole.
fn check(facts: &SiteFacts, rules: &RuleSet) -> Vec<Finding> {
    let whole = super::check(facts, rules);
    let reduced = super::check(&crate::checks::reads::reduce(facts, rules), rules);
    assert_eq!(whole, reduced, "whole and reduced facts judged differently");
    whole
}

fn run_with(f: FooterFacts, configured: Option<&str>) -> Vec<Finding> {
    let mut home = page("http://x.gov.cn/", 0);
    home.facts.footer = Some(f);
    let mut s = site(vec![home]);
    s.site_id_code = configured.map(str::to_string);
    check(&s, &RuleSet::embedded().expect("rules"))
}

fn ids(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|x| x.rule.as_str()).collect()
}

#[test]
fn complete_footer_has_no_findings() {
    assert!(run_with(complete(), None).is_empty());
    assert!(run_with(complete(), Some("5000000099")).is_empty());
}

#[test]
fn each_missing_identifier_is_named() {
    for (cut, id, name) in [
        (
            "示ICP备05000099号-1",
            "footer.missing_id.icp",
            "ICP备案编号",
        ),
        (
            "示公网安备99000002000099号",
            "footer.missing_id.psb",
            "公安机关备案标识",
        ),
        (
            "主办单位：示例县人民政府办公室",
            "footer.missing.sponsor_contact",
            "网站主办单位",
        ),
    ] {
        let mut f = complete();
        f.text = f.text.replace(cut, "");
        let found = run_with(f, None);
        assert_eq!(ids(&found), vec![id], "{cut}");
        assert!(found[0].message.contains(name), "{}", found[0].message);
    }
    let mut f = complete();
    f.marks.retain(|m| !m.contains("conac"));
    let found = run_with(f, None);
    assert_eq!(ids(&found), vec!["footer.missing_id.conac"]);
    assert!(found[0].message.contains("党政机关网站标识"));

    let mut f = complete();
    f.marks.retain(|m| !m.contains("jiucuo"));
    f.jiucuo_site_code = None;
    assert_eq!(ids(&run_with(f, None)), vec!["footer.missing.jiucuo"]);

    let mut f = complete();
    f.text = f.text.replace("网站标识码：5000000099", "");
    let found = run_with(f, None);
    assert_eq!(ids(&found), vec!["footer.missing_id.siteidcode"]);
    assert!(
        found[0].message.contains("页面底部未标注网站标识码"),
        "{}",
        found[0].message
    );
}

#[test]
fn site_id_code_must_agree_everywhere() {
    let mut f = complete();
    f.meta_site_id = Some("5000000098".into());
    let found = run_with(f, None);
    assert_eq!(
        ids(&found),
        vec!["footer.missing_id.siteidcode", "footer.missing.jiucuo"]
    );
    assert!(found[0].message.contains("不一致"), "{}", found[0].message);

    let found = run_with(complete(), Some("5000000001"));
    assert_eq!(
        ids(&found),
        vec!["footer.missing_id.siteidcode", "footer.missing.jiucuo"]
    );
    assert_eq!(found[0].evidence["configured_code"], "5000000001");

    let mut f = complete();
    f.meta_site_id = None;
    let found = run_with(f, None);
    assert_eq!(ids(&found), vec!["footer.missing_id.siteidcode"]);
    assert!(
        found[0].message.contains("SiteIDCode"),
        "{}",
        found[0].message
    );

    let mut f = complete();
    f.jiucuo_site_code = Some("1234567890".into());
    let found = run_with(f, None);
    assert_eq!(ids(&found), vec!["footer.missing.jiucuo"]);
    assert!(found[0].message.contains("1234567890"));
}

#[test]
fn every_form_of_the_conac_mark_is_recognised_and_named() {
    let rules = RuleSet::embedded().expect("rules");
    let rule = rules
        .get("footer.missing_id.conac")
        .and_then(|r| r.typed::<crate::rules::params::ConacParams>())
        .expect("rule");
    for (marks, text, form) in [
        (
            vec!["a href=https://bszs.conac.cn/sitename?method=show&id=5A1B"],
            "",
            "链接至党政机关网站标识注册页面",
        ),
        (
            vec!["a href=/conac/sitename?method=show&id=5A1B"],
            "",
            "链接至党政机关网站标识注册页面",
        ),
        (
            vec!["script src=https://dcs.conac.cn/js/33/000/0000/60429971/CA330000000604299710000.js"],
            "",
            "党政机关网站标识脚本",
        ),
        (vec!["img alt=党政机关"], "", "党政机关网站标识图片"),
        (vec!["img title=党政机关网站标识"], "", "党政机关网站标识图片"),
        (vec!["img src=/images/red.png"], "", "党政机关网站标识图片"),
        (vec!["img src=../static/img/dzjg.gif"], "", "党政机关网站标识图片"),
        (vec![], "党政机关网站标识 网站标识码", "页面底部文字"),
    ] {
        let mut f = complete();
        f.marks = marks.iter().map(|m| m.to_string()).collect();
        f.marks
            .push("a href=https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5000000099".into());
        f.text = format!("{} {text}", f.text);
        let forms = crate::checks::footer::conac_forms(rule, &f);
        assert_eq!(forms.first().map(|x| x.0), Some(form), "{marks:?} {text}");
        assert!(
            !ids(&run_with(f, None)).contains(&"footer.missing_id.conac"),
            "{marks:?}"
        );
    }
    // Look-alikes that are not the mark.
    for mark in [
        "img src=/images/logo.png",
        "a href=/sitemap.html",
        "img alt=网站地图",
        "script src=/js/jquery.js",
        "img src=/images/credit.png",
    ] {
        let mut f = complete();
        f.marks = vec![
            mark.to_string(),
            "a href=https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=5000000099".into(),
        ];
        let found = run_with(f, None);
        assert_eq!(ids(&found), vec!["footer.missing_id.conac"], "{mark}");
        assert!(found[0].message.contains("未发现"), "{}", found[0].message);
        assert!(found[0].evidence["looked_for"]
            .as_array()
            .is_some_and(|a| a.len() == 4));
    }
}
