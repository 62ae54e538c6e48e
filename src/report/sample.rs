//! The quarterly spot check's list (季度抽查名单), as a person or a script reads it.

use std::fmt::Write as _;

use crate::inspect::sample::Sample;

/// The list as text: the draw's rules, the strata, then the sites.
pub fn text(s: &Sample) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} 季度抽查名单：抽取 {} 家（各层按 {:.0}% 抽取，每层至少 {} 家；上季度不合格网站必抽；随机种子 {}）",
        s.quarter,
        s.sites.len(),
        s.ratio * 100.0,
        s.min_per_stratum,
        s.seed
    );
    let _ = writeln!(o, "\n分层：");
    for st in &s.strata {
        let _ = writeln!(
            o,
            "  {}{}：共 {} 家，抽取 {} 家",
            st.level.zh(),
            st.kind.zh(),
            st.sites,
            st.drawn
        );
    }
    let _ = writeln!(o, "\n名单：");
    for (i, x) in s.sites.iter().enumerate() {
        let _ = writeln!(
            o,
            "  {:>3}. {}（{}{}）{}  {}",
            i + 1,
            x.name,
            x.level.zh(),
            x.kind.zh(),
            x.url,
            x.reason.zh()
        );
    }
    o
}

/// The list as JSON.
pub fn json(s: &Sample) -> String {
    serde_json::to_string_pretty(s).unwrap_or_default() + "\n"
}

/// The list as CSV (UTF-8 with a BOM unless `bom` is false, so Excel opens it right).
pub fn csv(s: &Sample, bom: bool) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["quarter", "site", "url", "level", "kind", "reason", "seed"]);
    for x in &s.sites {
        let _ = w.write_record([
            s.quarter.as_str(),
            x.name.as_str(),
            x.url.as_str(),
            x.level.zh(),
            x.kind.zh(),
            x.reason.zh(),
            &s.seed.to_string(),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    if bom {
        format!("\u{feff}{body}")
    } else {
        body
    }
}
