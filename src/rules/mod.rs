//! Rules as data: `rules/*.toml` loaded into typed [`Rule`]s, with a validator that names the
//! file, line and field of any mistake. The rule files in `rules/` are embedded in the binary
//! as the defaults ([`RuleSet::embedded`]); a config may point at another folder
//! ([`RuleSet::load_dir`]).
//!
//! # Rule file schema
//!
//! (the README's "Rule files" section has the same in Markdown, with the table of rule ids and parameters
//! produced by [`params_markdown`].)
//!
//! A rule folder holds `*.toml` files, read in name order. Each file has `[[indicator]]`
//! and/or `[[rule]]` tables; nothing else is allowed at the top level, and every table
//! rejects unknown keys.
//!
//! ```toml
//! [[indicator]]
//! id = "usability"            # referenced by rules' `indicator`
//! name = "可用性"              # shown in scores and bulletins
//! points = 10                 # cap: deductions under this indicator never exceed it
//! source = "…"                # optional: where the cap comes from
//! unconfirmed = true          # optional (default false): the cap is a best-knowledge default
//! note = "…"                  # optional
//!
//! [[rule]]
//! id = "link.broken.home"     # stable id; must be one the code implements (see below)
//! title = "首页不可用链接"      # Chinese title used in reports
//! source = "国办秘函〔2019〕19号 扣分指标 可用性"   # document and item
//! kind = "deduct"             # veto (单项否决) | deduct (扣分) | notice (提示)
//! points = 1                  # deduct only, required there: points per finding
//! indicator = "usability"     # deduct: required; any kind: must name an [[indicator]]
//! levels = ["province", "city", "county", "department"]   # optional, default all
//! site_kinds = ["portal", "department"]                   # optional, default all
//! enabled = true              # optional, default true
//! unconfirmed = true          # optional, default false: a value is not confirmed in a
//!                             # source; reports mark the rule 未核实
//! note = "…"                  # optional: why, what is unconfirmed
//! advice = "…"                # optional: how to fix it (整改建议), printed in 整改通知
//!
//! [rule.params]               # rule-specific parameters, typed per rule id
//! soft404_patterns = ["页面不存在"]
//! ```
//!
//! Parameter types: integer ≥ 0 (counts, `window_days` — windows are always whole days),
//! list of integers, number ≥ 0, rate (0–1), boolean, string, list of strings, regex, list
//! of regexes (Rust `regex` syntax, compiled at load time), name groups (`[["name",
//! "alias", …], …]`), pairs (`[["a", "b"], …]`), rule-id lists (must name rules of the
//! set) and `"MM-DD"` days. Every parameter has one default: the value the shipped rule files
//! give it (the code's registry [`spec::RULES`] holds names, types and meanings, no values).
//! A parameter left out of a user's rule file takes the shipped value; the shipped files
//! themselves must give every parameter.
//!
//! # Validation
//!
//! Loading collects every mistake of every file, each as a [`ConfigError`] reading
//! `file:line: field `rule[3].params.window_days`: message`: TOML syntax, unknown keys (top
//! level, in tables, in `params`), wrong types, bad regexes, unknown level/site-kind/kind
//! names, a `deduct` rule without `points` or `indicator`, `points` on a `veto` or `notice`
//! rule, duplicate indicator or rule ids (naming both places), unknown indicator
//! references, missing required parameters, and unknown rule ids.
//!
//! An unknown rule id is an error, never a warning: a rule the code does not implement would
//! produce no findings, so accepting it would let a typo silently switch a check off. The
//! message lists the known ids of the same family.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, SiteKind, SiteLevel};

mod crawl_params;
mod load;
pub mod params;
pub mod spec;
#[cfg(test)]
mod tests;

/// The kind of a rule, as the indicators judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 单项否决: any finding makes the site 不合格.
    Veto,
    /// 扣分: points deducted, capped per indicator.
    Deduct,
    /// 提示: information only.
    Notice,
}

impl Kind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Kind::Veto => "单项否决",
            Kind::Deduct => "扣分",
            Kind::Notice => "提示",
        }
    }
}

/// The rule files shipped in `rules/`, embedded in the binary. Listed explicitly so that a
/// file added to the folder must be added here too (the test `embedded_lists_every_file`
/// checks it).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "indicators.toml",
        include_str!("../../rules/indicators.toml"),
    ),
    ("links.toml", include_str!("../../rules/links.toml")),
    (
        "availability.toml",
        include_str!("../../rules/availability.toml"),
    ),
    ("ipv6.toml", include_str!("../../rules/ipv6.toml")),
    ("columns.toml", include_str!("../../rules/columns.toml")),
    ("footer.toml", include_str!("../../rules/footer.toml")),
    ("wording.toml", include_str!("../../rules/wording.toml")),
    ("security.toml", include_str!("../../rules/security.toml")),
    ("normdoc.toml", include_str!("../../rules/normdoc.toml")),
    ("feeds.toml", include_str!("../../rules/feeds.toml")),
    (
        "annual_report.toml",
        include_str!("../../rules/annual_report.toml"),
    ),
    (
        "interaction.toml",
        include_str!("../../rules/interaction.toml"),
    ),
    ("service.toml", include_str!("../../rules/service.toml")),
];

/// An indicator (指标) whose allotted points cap the deductions of its rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Id referenced by rules.
    pub id: String,
    /// Chinese name, e.g. 可用性.
    pub name: String,
    /// The indicator's points: the cap on its deductions.
    pub points: f64,
    /// Where the value comes from.
    pub source: Option<String>,
    /// The cap is a best-knowledge default.
    pub unconfirmed: bool,
    /// Free text.
    pub note: Option<String>,
}

/// A typed, validated parameter value.
#[derive(Debug, Clone)]
pub enum ParamValue {
    /// `Int`.
    Int(i64),
    /// `Ints`.
    Ints(Vec<i64>),
    /// `Float` and `Rate`.
    Float(f64),
    /// `Bool`.
    Bool(bool),
    /// `Str` and `MonthDay`.
    Str(String),
    /// `Strs` and `RuleIds`.
    Strs(Vec<String>),
    /// `Regex`, compiled.
    Regex(Regex),
    /// `Regexes`, compiled.
    Regexes(Vec<Regex>),
    /// `Groups`.
    Groups(Vec<Vec<String>>),
    /// `Pairs`.
    Pairs(Vec<(String, String)>),
}

impl Serialize for ParamValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ParamValue::Int(v) => v.serialize(s),
            ParamValue::Ints(v) => v.serialize(s),
            ParamValue::Float(v) => v.serialize(s),
            ParamValue::Bool(v) => v.serialize(s),
            ParamValue::Str(v) => v.serialize(s),
            ParamValue::Strs(v) => v.serialize(s),
            ParamValue::Regex(r) => r.as_str().serialize(s),
            ParamValue::Regexes(v) => s.collect_seq(v.iter().map(Regex::as_str)),
            ParamValue::Groups(v) => v.serialize(s),
            ParamValue::Pairs(v) => v.serialize(s),
        }
    }
}

/// One rule as loaded and validated.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `link.broken.home`.
    pub id: String,
    /// Chinese title.
    pub title: String,
    /// Document and item it implements.
    pub source: String,
    /// Veto, deduct or notice.
    pub kind: Kind,
    /// Points per finding; 0 unless `kind` is deduct.
    pub points: f64,
    /// Indicator whose cap applies (always set for deduct rules).
    pub indicator: Option<String>,
    /// Site levels the rule applies to.
    pub levels: Vec<SiteLevel>,
    /// Site kinds the rule applies to.
    pub site_kinds: Vec<SiteKind>,
    /// Switched on.
    pub enabled: bool,
    /// A value is a best-knowledge default, not confirmed in a source (reports say 未核实).
    pub unconfirmed: bool,
    /// Free text.
    pub note: Option<String>,
    /// How to fix a finding (整改建议), in Chinese, for the rectification notices.
    pub advice: Option<String>,
    /// Every parameter of the rule id, defaults filled in.
    pub params: BTreeMap<String, ParamValue>,
    /// The file it was read from.
    #[serde(skip)]
    pub file: String,
    /// The line of its `[[rule]]` header.
    #[serde(skip)]
    pub line: Option<usize>,
    /// The family's typed parameters ([`params`]), built from `params` at load time.
    #[serde(skip)]
    pub(crate) typed: Option<params::Typed>,
}

// Accessors by name, for tests only: the code reads a rule's typed parameters
// ([`Rule::typed`]), never a parameter by its name. The validator guarantees that every parameter of the rule's spec is present with
// its declared type, so a mismatch here is a programming error (asking for a name the spec
// does not declare, or with the wrong accessor): it fails loudly in debug builds and yields a
// neutral value in release builds rather than taking a scan down.
macro_rules! accessor {
    ($(#[$m:meta])* $name:ident, $variant:ident, $ret:ty, |$v:ident| $conv:expr, $none:expr) => {
        $(#[$m])*
        #[cfg(test)]
        pub(crate) fn $name(&self, name: &str) -> $ret {
            match self.params.get(name) {
                Some(ParamValue::$variant($v)) => $conv,
                other => {
                    debug_assert!(
                        false,
                        "rule {}: parameter `{}` is not a {}: {:?}",
                        self.id,
                        name,
                        stringify!($variant),
                        other
                    );
                    $none
                }
            }
        }
    };
}

impl Rule {
    /// The rule's typed parameters (see [`params`]): None when `T` is not the struct of this
    /// rule's family.
    pub fn typed<T: params::Params>(&self) -> Option<&T> {
        self.typed.as_deref()?.downcast_ref::<T>()
    }

    accessor!(
        /// An `Int` parameter.
        param_i64, Int, i64, |v| *v, 0
    );
    accessor!(
        /// An `Ints` parameter.
        param_i64s, Ints, &[i64], |v| v.as_slice(), &[]
    );
    accessor!(
        /// A `Float` or `Rate` parameter.
        param_f64, Float, f64, |v| *v, 0.0
    );
    accessor!(
        /// A `Str` or `MonthDay` parameter.
        param_str, Str, &str, |v| v.as_str(), ""
    );
    accessor!(
        /// A `Strs` or `RuleIds` parameter.
        param_strs, Strs, &[String], |v| v.as_slice(), &[]
    );
    accessor!(
        /// A `Regexes` parameter, compiled.
        param_regexes, Regexes, &[Regex], |v| v.as_slice(), &[]
    );
    accessor!(
        /// A `Groups` parameter: `[canonical name, alias...]` lists.
        param_groups, Groups, &[Vec<String>], |v| v.as_slice(), &[]
    );
    accessor!(
        /// A `Pairs` parameter.
        param_pairs, Pairs, &[(String, String)], |v| v.as_slice(), &[]
    );

    /// A `Regex` parameter, compiled. On a programming error (see above) a regex that
    /// matches nothing.
    #[cfg(test)]
    pub(crate) fn param_regex(&self, name: &str) -> &Regex {
        static NOTHING: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
            Regex::new(r"[^\s\S]").unwrap_or_else(|_| unreachable!("constant regex"))
        });
        match self.params.get(name) {
            Some(ParamValue::Regex(r)) => r,
            other => {
                debug_assert!(
                    false,
                    "rule {}: parameter `{name}` is not a Regex: {other:?}",
                    self.id
                );
                &NOTHING
            }
        }
    }

    /// A `MonthDay` parameter as (month, day).
    #[cfg(test)]
    pub(crate) fn param_month_day(&self, name: &str) -> (u32, u32) {
        load::parse_month_day(self.param_str(name)).unwrap_or((1, 1))
    }

    /// Whether the rule is enabled and applies to a site of this level and kind.
    pub fn applies_to(&self, level: SiteLevel, kind: SiteKind) -> bool {
        self.enabled && self.levels.contains(&level) && self.site_kinds.contains(&kind)
    }
}

/// A validated set of indicators and rules.
#[derive(Debug, Clone)]
pub struct RuleSet {
    indicators: Vec<Indicator>,
    rules: Vec<Rule>,
    by_id: HashMap<String, usize>,
    fingerprint: String,
}

impl RuleSet {
    /// The rule files shipped in `rules/`, embedded in the binary.
    pub fn embedded() -> Result<RuleSet, Vec<ConfigError>> {
        let sources = EMBEDDED
            .iter()
            .map(|(name, text)| (format!("rules/{name} (embedded)"), (*text).to_string()))
            .collect();
        load::load_sources(sources, false)
    }

    /// Every `*.toml` file in `dir`, in name order.
    pub fn load_dir(dir: &Path) -> Result<RuleSet, Vec<ConfigError>> {
        let io = |file: &Path, e: std::io::Error| {
            vec![ConfigError::Io {
                file: file.display().to_string(),
                message: e.to_string(),
            }]
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().is_some_and(|x| x == "toml") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        if paths.is_empty() {
            return Err(vec![ConfigError::Invalid {
                file: dir.display().to_string(),
                line: None,
                field: String::new(),
                message: "no rule files (*.toml) in this folder".into(),
            }]);
        }
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        for p in paths {
            match std::fs::read_to_string(&p) {
                Ok(text) => sources.push((p.display().to_string(), text)),
                Err(e) => errors.extend(io(&p, e)),
            }
        }
        match load::load_sources(sources, true) {
            Ok(set) if errors.is_empty() => Ok(set),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.extend(more);
                Err(errors)
            }
        }
    }

    /// Parse rule files given as (name, text) pairs, in the order given.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<RuleSet, Vec<ConfigError>> {
        load::load_sources(sources, true)
    }

    pub(crate) fn new(indicators: Vec<Indicator>, rules: Vec<Rule>) -> RuleSet {
        let by_id = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let fingerprint = fingerprint_of(&indicators, &rules);
        RuleSet {
            indicators,
            rules,
            by_id,
            fingerprint,
        }
    }

    /// A rule by id (enabled or not).
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    /// A rule by id if it is enabled and applies to a site of this level and kind.
    pub fn enabled_for(&self, id: &str, level: SiteLevel, kind: SiteKind) -> Option<&Rule> {
        self.get(id).filter(|r| r.applies_to(level, kind))
    }

    /// Rule `id` with its typed parameters `T`, if it is in the set, enabled and applies to
    /// a site of this level and kind.
    pub fn enabled_typed<T: params::Params>(
        &self,
        id: &str,
        level: SiteLevel,
        kind: SiteKind,
    ) -> Option<(&Rule, &T)> {
        let r = self.enabled_for(id, level, kind)?;
        Some((r, r.typed::<T>()?))
    }

    /// The typed parameters `T` of rule `id` if it is in the set and enabled (whatever the
    /// site), for parameters that steer reading rather than judging one site.
    pub fn enabled_params<T: params::Params>(&self, id: &str) -> Option<&T> {
        self.get(id).filter(|r| r.enabled)?.typed::<T>()
    }

    /// Every rule, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every indicator, in file order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// An indicator by id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// A stable hash of the rule set's content (16 hex digits): the same rules, thresholds
    /// and texts give the same fingerprint whatever the files' layout, comments or order.
    /// The store keeps it beside findings to tell which rules judged them.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

fn fingerprint_of(indicators: &[Indicator], rules: &[Rule]) -> String {
    // Canonical form: JSON of the items sorted by id (params are a BTreeMap, so sorted too).
    let mut ind: Vec<&Indicator> = indicators.iter().collect();
    ind.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rs: Vec<&Rule> = rules.iter().collect();
    rs.sort_by(|a, b| a.id.cmp(&b.id));
    let canonical = serde_json::to_string(&(ind, rs)).unwrap_or_default();
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(canonical.as_bytes()))
}

/// One line per rule for `govscan rules list`: id, kind, points, title, source, and the
/// markers [未核实] (unconfirmed) and [停用] (disabled).
pub fn list_text(rules: &RuleSet) -> String {
    let width = rules.rules().iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rules.rules() {
        let points = if r.kind == Kind::Deduct {
            format_points(r.points)
        } else {
            "-".to_string()
        };
        let _ = write!(
            out,
            "{:<width$}  {:\u{3000}<4}  {:>5}  {}  ({})",
            r.id,
            r.kind.zh(),
            points,
            r.title,
            r.source
        );
        if r.unconfirmed {
            out.push_str("  [未核实]");
        }
        if !r.enabled {
            out.push_str("  [停用]");
        }
        out.push('\n');
    }
    out
}

fn format_points(p: f64) -> String {
    let s = format!("{p:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Load the rules (`dir`, or the embedded ones when `None`) for `govscan rules check`:
/// `Ok` with a one-line summary, or `Err` with every error, one per line.
pub fn check(dir: Option<&Path>) -> Result<String, String> {
    let loaded = match dir {
        Some(d) => RuleSet::load_dir(d),
        None => RuleSet::embedded(),
    };
    match loaded {
        Ok(set) => {
            let enabled = set.rules().iter().filter(|r| r.enabled).count();
            Ok(format!(
                "rules OK: {} rules ({} enabled), {} indicators, fingerprint {}",
                set.rules().len(),
                enabled,
                set.indicators().len(),
                set.fingerprint()
            ))
        }
        Err(errors) => Err(format_errors(&errors)),
    }
}

/// Errors one per line.
pub fn format_errors(errors: &[ConfigError]) -> String {
    let mut out = String::new();
    for e in errors {
        let _ = writeln!(out, "{e}");
    }
    out
}

/// The parameter registry as a Markdown table (for the README): rule id, parameter, type,
/// default, meaning.
pub fn params_markdown() -> String {
    let mut out =
        String::from("| rule id | parameter | type | default (the shipped value) | meaning |\n|---|---|---|---|---|\n");
    for r in spec::RULES {
        if r.params.is_empty() {
            let _ = writeln!(out, "| `{}` | — | | | |", r.id);
        }
        for p in r.params {
            let default = match load::shipped_value(r.id, p.name) {
                Some(v) => {
                    let text = v.to_string();
                    if text.chars().count() <= 40 {
                        format!("`{}`", text.replace('|', "\\|"))
                    } else {
                        format!(
                            "see `rules/{}`",
                            load::shipped_file(r.id).unwrap_or("*.toml")
                        )
                    }
                }
                None => "—".to_string(),
            };
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} |",
                r.id,
                p.name,
                p.ty.describe(),
                default,
                p.doc
            );
        }
    }
    out
}
