use std::path::Path;

use super::*;

fn load(files: &[(&str, &str)]) -> Result<RuleSet, Vec<ConfigError>> {
    RuleSet::from_sources(
        files
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect(),
    )
}

fn errors(files: &[(&str, &str)]) -> Vec<ConfigError> {
    match load(files) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e,
    }
}

/// The error about `field`, asserting its file and line and that its message contains
/// `needle`.
#[track_caller]
fn expect(errs: &[ConfigError], file: &str, line: usize, field: &str, needle: &str) {
    let found = errs.iter().find(|e| match e {
        ConfigError::Invalid { field: f, .. } => f == field,
        ConfigError::Io { .. } => false,
    });
    let Some(ConfigError::Invalid {
        file: fl,
        line: l,
        message,
        ..
    }) = found
    else {
        panic!("no error about `{field}` in:\n{}", format_errors(errs));
    };
    assert_eq!(fl, file, "file of {field}");
    assert_eq!(*l, Some(line), "line of {field}: {message}");
    assert!(
        message.contains(needle),
        "message of {field} lacks {needle:?}: {message}"
    );
    // The displayed form is `file:line: field `x`: message`.
    let shown = found.map(ToString::to_string).unwrap_or_default();
    assert!(
        shown.starts_with(&format!("{file}:{line}: field `{field}`: ")),
        "{shown}"
    );
}

const IND: &str = r#"
[[indicator]]
id = "usability"
name = "可用性"
points = 10
"#;

const HOME: &str = r#"
[[rule]]
id = "link.broken.home"
title = "首页不可用链接"
source = "s"
kind = "deduct"
points = 1
indicator = "usability"
"#;

#[test]
fn embedded_rules_load() {
    let set = match RuleSet::embedded() {
        Ok(s) => s,
        Err(e) => panic!("{}", format_errors(&e)),
    };
    assert!(set.rules().len() >= 50);
    assert_eq!(set.fingerprint().len(), 16);
    // Every id the code knows has a rule in the shipped files, and vice versa.
    for id in spec::known_ids() {
        assert!(set.get(id).is_some(), "no rule for `{id}` in rules/");
    }
    // Deduct rules all have an indicator with a cap; unconfirmed values carry a note.
    for r in set.rules() {
        if r.kind == Kind::Deduct {
            let ind = r.indicator.as_deref().and_then(|i| set.indicator(i));
            assert!(ind.is_some(), "{}", r.id);
        }
        if r.unconfirmed {
            assert!(r.note.is_some(), "{} is unconfirmed without a note", r.id);
        }
        // Every website veto and deduction tells the notice how to fix it (整改建议).
        let website = !r.id.starts_with("feed.")
            && !r.id.starts_with("normdoc.")
            && !r.id.starts_with("annual_report.");
        if website && r.kind != Kind::Notice && r.enabled {
            assert!(r.advice.is_some(), "{} has no advice", r.id);
        }
    }
    assert_eq!(check(None).map(|s| s.starts_with("rules OK")), Ok(true));
}

#[test]
fn embedded_lists_every_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    on_disk.sort();
    let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
    // The folder, loaded from disk, is the same rule set.
    let from_disk = RuleSet::load_dir(&dir).map(|s| s.fingerprint().to_string());
    let embedded = RuleSet::embedded().map(|s| s.fingerprint().to_string());
    assert_eq!(from_disk.ok(), embedded.ok());
}

#[test]
fn load_dir_reads_toml_files_in_name_order() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write =
        |n: &str, t: &str| std::fs::write(dir.path().join(n), t).unwrap_or_else(|e| panic!("{e}"));
    write("b.toml", HOME);
    write("a.toml", IND);
    write("notes.txt", "not a rule file");
    let set = RuleSet::load_dir(dir.path()).unwrap_or_else(|e| panic!("{}", format_errors(&e)));
    assert_eq!(set.rules().len(), 1);
    assert!(set.rules()[0].file.ends_with("b.toml"));
    assert_eq!(set.rules()[0].line, Some(2));

    // Errors name the real path.
    write("c.toml", "[[rule]]\nid = 3\n");
    let errs = RuleSet::load_dir(dir.path()).err().unwrap_or_default();
    let c = dir.path().join("c.toml").display().to_string();
    expect(&errs, &c, 2, "rule[0].id", "invalid type");

    let empty = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert!(RuleSet::load_dir(empty.path()).is_err());
    assert!(check(Some(empty.path())).is_err());
}

#[test]
fn unknown_keys_everywhere() {
    let text = r#"[[indicator]]
id = "usability"
name = "可用性"
points = 10
cap = 3

[[rule]]
id = "link.broken"
title = "其他页面不可用链接"
source = "s"
kind = "deduct"
points = 0.1
indicator = "usability"
weight = 2

[rule.params]
soft404_patterns = ["页面不存在"]
min_cont = 2

[extra]
x = 1
"#;
    let errs = errors(&[("links.toml", text)]);
    expect(&errs, "links.toml", 5, "indicator[0].cap", "unknown key");
    expect(&errs, "links.toml", 14, "rule[0].weight", "unknown key");
    expect(
        &errs,
        "links.toml",
        18,
        "rule[0].params.min_cont",
        "rule `link.broken` takes: soft404_patterns, min_count",
    );
    expect(&errs, "links.toml", 20, "extra", "unknown key");
    assert_eq!(errs.len(), 4, "{}", format_errors(&errs));
}

#[test]
fn wrong_types() {
    let text = r#"[[rule]]
id = "site.unreachable"
title = "站点无法访问"
source = "s"
kind = "veto"
enabled = "yes"

[[rule]]
id = "site.unreachable.warn"
title = "首页连通率预警"
source = "s"
kind = "notice"

[rule.params]
window_days = "7 days"
notice_rate = 3
"#;
    let errs = errors(&[("availability.toml", text)]);
    expect(
        &errs,
        "availability.toml",
        6,
        "rule[0].enabled",
        "invalid type",
    );
    expect(
        &errs,
        "availability.toml",
        15,
        "rule[1].params.window_days",
        "expected an integer",
    );
    expect(
        &errs,
        "availability.toml",
        16,
        "rule[1].params.notice_rate",
        "number from 0 to 1",
    );
}

#[test]
fn bad_regex_names_the_element_line() {
    let text = r#"[[rule]]
id = "footer.missing_id.icp"
title = "页面底部缺少ICP备案编号"
source = "s"
kind = "notice"

[rule.params]
patterns = [
    'ICP备\d+号',
    'ICP证(\d+号',
]
"#;
    let errs = errors(&[("footer.toml", text)]);
    expect(
        &errs,
        "footer.toml",
        10,
        "rule[0].params.patterns[1]",
        "bad regex `ICP证(\\d+号`",
    );
}

#[test]
fn duplicate_ids_name_both_places() {
    let other = format!("# another file\n{HOME}");
    let errs = errors(&[("a.toml", &format!("{IND}{HOME}")), ("b.toml", &other)]);
    expect(
        &errs,
        "b.toml",
        4,
        "rule[0].id",
        "duplicate rule id `link.broken.home`; first defined at a.toml:7",
    );
    let errs = errors(&[("a.toml", IND), ("b.toml", IND), ("c.toml", HOME)]);
    expect(
        &errs,
        "b.toml",
        3,
        "indicator[0].id",
        "first defined at a.toml:2",
    );
}

#[test]
fn unknown_indicator() {
    let errs = errors(&[
        ("ind.toml", IND),
        ("links.toml", HOME.replace("usability", "usabilty").as_str()),
    ]);
    expect(
        &errs,
        "links.toml",
        8,
        "rule[0].indicator",
        "unknown indicator `usabilty`; defined indicators: usability",
    );
}

#[test]
fn points_rules() {
    let no_points = HOME.replace("points = 1\n", "");
    let errs = errors(&[("ind.toml", IND), ("links.toml", &no_points)]);
    // The key is absent: the error points at the rule's header.
    expect(
        &errs,
        "links.toml",
        2,
        "rule[0].points",
        "a deduct rule needs `points`",
    );
    let veto = HOME.replace("\"deduct\"", "\"veto\"");
    let errs = errors(&[("ind.toml", IND), ("links.toml", &veto)]);
    expect(
        &errs,
        "links.toml",
        7,
        "rule[0].points",
        "a veto rule takes no points",
    );
    let no_indicator = HOME.replace("indicator = \"usability\"\n", "");
    let errs = errors(&[("links.toml", &no_indicator)]);
    expect(
        &errs,
        "links.toml",
        2,
        "rule[0].indicator",
        "a deduct rule needs `indicator`",
    );
}

#[test]
fn unknown_rule_id() {
    let typo = HOME.replace("link.broken.home", "link.broken.hom");
    let errs = errors(&[("ind.toml", IND), ("links.toml", &typo)]);
    expect(
        &errs,
        "links.toml",
        3,
        "rule[0].id",
        "unknown rule id `link.broken.hom`; known ids: link.broken.home, link.broken, link.blocked",
    );
    let bad = HOME.replace("link.broken.home", "Link-Broken");
    let errs = errors(&[("ind.toml", IND), ("links.toml", &bad)]);
    expect(&errs, "links.toml", 3, "rule[0].id", "invalid id");
}

#[test]
fn unknown_level_kind_and_site_kind() {
    let text = format!(
        "{}levels = [\"city\", \"town\"]\nsite_kinds = [\"portal\", \"app\"]\n",
        HOME.replace("\"deduct\"", "\"dedcut\"")
    );
    let errs = errors(&[("ind.toml", IND), ("links.toml", &text)]);
    // Every bad field of a table is reported, not only the first.
    expect(
        &errs,
        "links.toml",
        6,
        "rule[0].kind",
        "unknown variant `dedcut`, expected one of `veto`, `deduct`, `notice`",
    );
    expect(
        &errs,
        "links.toml",
        9,
        "rule[0].levels[1]",
        "unknown variant `town`",
    );
    expect(
        &errs,
        "links.toml",
        10,
        "rule[0].site_kinds[1]",
        "unknown variant `app`",
    );
    assert_eq!(errs.len(), 3, "{}", format_errors(&errs));
    let text = format!("{HOME}levels = [\"city\", \"town\"]\n");
    let errs = errors(&[("ind.toml", IND), ("links.toml", &text)]);
    expect(
        &errs,
        "links.toml",
        9,
        "rule[0].levels[1]",
        "unknown variant `town`, expected one of `province`, `city`, `county`, `department`",
    );
    let text = format!("{HOME}site_kinds = [\"app\"]\n");
    let errs = errors(&[("ind.toml", IND), ("links.toml", &text)]);
    expect(
        &errs,
        "links.toml",
        9,
        "rule[0].site_kinds[0]",
        "unknown variant `app`",
    );
    let text = format!("{HOME}levels = []\n");
    let errs = errors(&[("ind.toml", IND), ("links.toml", &text)]);
    expect(
        &errs,
        "links.toml",
        9,
        "rule[0].levels",
        "must not be empty",
    );
}

#[test]
fn missing_required_param_and_rule_refs() {
    let text = r#"[[rule]]
id = "column.stale.veto"
title = "栏目不更新"
source = "s"
kind = "veto"

[rule.params]
count_rules = ["column.stale.news"]
"#;
    // The shipped rule files are the one default, so they must give every parameter: loaded
    // as the shipped set, a parameter left out is a located error.
    let sources = vec![("columns.toml".to_string(), text.to_string())];
    let errs = match load::load_sources(sources, false) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e,
    };
    expect(
        &errs,
        "columns.toml",
        7,
        "rule[0].params.threshold",
        "missing parameter (integer ≥ 0)",
    );
    // A user's folder inherits the shipped value (so only the rule reference is wrong).
    let errs = errors(&[("columns.toml", text)]);
    assert!(
        !errs
            .iter()
            .any(|e| e.to_string().contains("params.threshold")),
        "{errs:?}"
    );
    expect(
        &errs,
        "columns.toml",
        8,
        "rule[0].params.count_rules[0]",
        "no rule `column.stale.news` in the rule set",
    );
}

#[test]
fn a_parameter_left_out_takes_the_shipped_value() {
    let text = r#"[[rule]]
id = "column.blank"
title = "空白栏目"
source = "s"
kind = "veto"

[rule.params]
threshold = 3
"#;
    let set = load(&[("columns.toml", text)]).expect("loads");
    let shipped = RuleSet::embedded().expect("embedded");
    let p = set
        .get("column.blank")
        .and_then(|r| r.typed::<params::ColumnBlankParams>())
        .expect("typed");
    let q = shipped
        .get("column.blank")
        .and_then(|r| r.typed::<params::ColumnBlankParams>())
        .expect("typed");
    assert_eq!(p.threshold, 3, "the given value wins");
    assert!(!q.empty_markers.is_empty());
    assert_eq!(
        p.empty_markers, q.empty_markers,
        "the left-out one is the shipped one"
    );
}

#[test]
fn syntax_error_is_located() {
    let errs = errors(&[("a.toml", "[[rule]]\nid = \"x\"\ntitle = \n")]);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].line(), Some(3), "{}", errs[0]);
}

#[test]
fn all_errors_of_all_files_are_collected() {
    let a = "[[rule]]\nid = \"nope.one\"\ntitle = \"t\"\nsource = \"s\"\nkind = \"notice\"\n\n[[rule]]\nid = \"nope.two\"\ntitle = \"t\"\nsource = \"s\"\nkind = \"notice\"\n";
    let b = "bogus = 1\n";
    let c = "[[rule]\n";
    let errs = errors(&[("a.toml", a), ("b.toml", b), ("c.toml", c)]);
    assert_eq!(errs.len(), 4, "{}", format_errors(&errs));
    expect(
        &errs,
        "a.toml",
        2,
        "rule[0].id",
        "unknown rule id `nope.one`",
    );
    expect(
        &errs,
        "a.toml",
        8,
        "rule[1].id",
        "unknown rule id `nope.two`",
    );
    expect(&errs, "b.toml", 1, "bogus", "unknown key");
    let text = format_errors(&errs);
    assert_eq!(text.lines().count(), 4);
}

#[test]
fn accessors_return_defaults() {
    let text = r#"[[rule]]
id = "site.unreachable"
title = "站点无法访问"
source = "s"
kind = "veto"

[[rule]]
id = "link.blocked"
title = "链接检查被拦截"
source = "s"
kind = "notice"
levels = ["province"]
site_kinds = ["portal"]
[rule.params]
challenge_markers = ["Just a moment..."]
blanket_403_min = 5

[[rule]]
id = "normdoc.docno_format"
title = "文号格式不规范"
source = "s"
kind = "notice"
enabled = false
[rule.params]
pattern = '^\S+〔\d{4}〕\d+号$'

[[rule]]
id = "annual_report.missing"
title = "年报"
source = "s"
kind = "notice"
[rule.params]
column_patterns = ["年报"]
title_pattern = '(\d{4})年'
government_deadline = "04-15"
"#;
    let set = load(&[("t.toml", text)]).unwrap_or_else(|e| panic!("{}", format_errors(&e)));
    let r = set
        .get("site.unreachable")
        .unwrap_or_else(|| panic!("missing"));
    assert_eq!(r.param_i64("window_days"), 7);
    assert_eq!(r.param_i64("min_probes_per_day"), 20);
    assert_eq!(r.param_f64("veto_rate"), 0.05);
    assert_eq!(r.param_i64("timeout_secs"), 15);
    assert_eq!(r.points, 0.0);
    assert_eq!(r.levels.len(), 4);

    let b = set.get("link.blocked").unwrap_or_else(|| panic!("missing"));
    assert_eq!(b.param_i64s("blocked_statuses"), &[429, 412]);
    assert_eq!(b.param_i64("blanket_403_min"), 5);
    assert_eq!(
        b.param_strs("challenge_markers"),
        &["Just a moment...".to_string()]
    );
    assert!(set
        .enabled_for("link.blocked", SiteLevel::Province, SiteKind::Portal)
        .is_some());
    assert!(set
        .enabled_for("link.blocked", SiteLevel::City, SiteKind::Portal)
        .is_none());
    assert!(set
        .enabled_for("link.blocked", SiteLevel::Province, SiteKind::Department)
        .is_none());

    let d = set
        .get("normdoc.docno_format")
        .unwrap_or_else(|| panic!("missing"));
    assert!(d.param_regex("pattern").is_match("渝府发〔2019〕12号"));
    assert!(set
        .enabled_for(
            "normdoc.docno_format",
            SiteLevel::Province,
            SiteKind::Portal
        )
        .is_none());

    let a = set
        .get("annual_report.missing")
        .unwrap_or_else(|| panic!("missing"));
    assert_eq!(a.param_month_day("department_deadline"), (1, 31));
    assert_eq!(a.param_month_day("government_deadline"), (4, 15));
    assert_eq!(a.param_regexes("column_patterns").len(), 1);
}

#[test]
fn embedded_parameters_are_usable() {
    let set = RuleSet::embedded().unwrap_or_else(|e| panic!("{}", format_errors(&e)));
    let get = |id: &str| set.get(id).unwrap_or_else(|| panic!("{id}"));
    let icp = get("footer.missing_id.icp");
    assert!(icp.param_regexes("patterns")[0].is_match("京ICP备05070218号-1"));
    let psb = get("footer.missing_id.psb");
    assert!(psb.param_regexes("patterns")[0].is_match("京公网安备11010202008132号"));
    let xxgk = get("column.missing.xxgk");
    assert_eq!(xxgk.param_groups("entries").len(), 4);
    assert_eq!(xxgk.param_str("entry_name"), "政府信息公开");
    assert_eq!(get("column.missing.art20").param_groups("items").len(), 15);
    assert_eq!(
        get("column.missing.art21").levels,
        vec![SiteLevel::City, SiteLevel::County]
    );
    let w = get("wording.serious");
    assert!(w
        .param_pairs("corrections")
        .iter()
        .any(|(wrong, right)| wrong == "中华人民共合国" && right == "中华人民共和国"));
    assert!(get("normdoc.docno_format")
        .param_regex("pattern")
        .is_match("国办发〔2018〕37号"));
    assert!(!get("normdoc.docno_format")
        .param_regex("pattern")
        .is_match("国办发[2018]37号"));
    let title = get("annual_report.missing").param_regex("title_pattern");
    let caps = title.captures("某某市人民政府2023年政府信息公开工作年度报告");
    assert_eq!(
        caps.and_then(|c| c.get(1)).map(|m| m.as_str()),
        Some("2023")
    );
    assert_eq!(get("ipv6.coverage").param_f64("l3_target"), 0.85);
    assert_eq!(
        get("column.stale.notice_policy").param_i64("window_days"),
        183
    );
    assert_eq!(get("column.stale.policy").points, 5.0);
}

#[test]
fn fingerprint_ignores_layout_but_not_values() {
    let a = load(&[("a.toml", &format!("{IND}{HOME}"))]).map(|s| s.fingerprint().to_string());
    let b = load(&[("x.toml", &format!("# comment\n{HOME}")), ("y.toml", IND)])
        .map(|s| s.fingerprint().to_string());
    let c = load(&[(
        "a.toml",
        &format!("{IND}{}", HOME.replace("points = 1", "points = 2")),
    )])
    .map(|s| s.fingerprint().to_string());
    assert!(a.is_ok());
    assert_eq!(a.as_ref().ok(), b.as_ref().ok());
    assert_ne!(a.ok(), c.ok());
}

#[test]
fn list_text_marks_kind_and_unconfirmed() {
    let set = RuleSet::embedded().unwrap_or_else(|e| panic!("{}", format_errors(&e)));
    let text = list_text(&set);
    assert_eq!(text.lines().count(), set.rules().len());
    let home = text
        .lines()
        .find(|l| l.starts_with("link.broken.home "))
        .unwrap_or_default();
    assert!(home.contains("扣分"), "{home}");
    assert!(home.contains(" 1  首页不可用链接"), "{home}");
    assert!(home.ends_with("[未核实]"), "{home}");
    let veto = text
        .lines()
        .find(|l| l.starts_with("site.unreachable "))
        .unwrap_or_default();
    assert!(veto.contains("单项否决"), "{veto}");
    assert!(!veto.contains("未核实"), "{veto}");
}

#[test]
fn params_markdown_lists_every_rule() {
    let md = params_markdown();
    for id in spec::known_ids() {
        assert!(md.contains(&format!("| `{id}` |")), "{id}");
    }
}

#[test]
fn readme_parameter_table_is_current() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap_or_default();
    assert!(
        readme.contains(&params_markdown()),
        "README.md is out of date: paste rules::params_markdown() into its rule table"
    );
}

#[test]
fn typed_parameters_come_from_the_file_and_their_mistakes_are_located() {
    let good = r#"[[rule]]
id = "ipv6.coverage"
title = "IPv6覆盖"
source = "s"
kind = "notice"

[rule.params]
l2_target = 0.5
l3_target = 0.25
min_links = 3
sample_per_level = 7
"#;
    let rules = load(&[("ipv6.toml", good)]).expect("loads");
    let p = rules
        .get("ipv6.coverage")
        .and_then(|r| r.typed::<params::Ipv6CoverageParams>())
        .expect("typed params");
    assert_eq!(
        *p,
        params::Ipv6CoverageParams {
            l2_target: 0.5,
            l3_target: 0.25,
            min_links: 3,
            sample_per_level: 7,
        }
    );
    // A misspelt name and a wrong type of a typed family: each located, nothing loaded.
    let bad = r#"[[rule]]
id = "ipv6.coverage"
title = "IPv6覆盖"
source = "s"
kind = "notice"

[rule.params]
sample_per_levl = 7
min_links = "ten"
"#;
    let errs = errors(&[("ipv6.toml", bad)]);
    expect(
        &errs,
        "ipv6.toml",
        8,
        "rule[0].params.sample_per_levl",
        "unknown parameter",
    );
    expect(
        &errs,
        "ipv6.toml",
        9,
        "rule[0].params.min_links",
        "expected an integer",
    );
}
