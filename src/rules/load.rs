//! Parsing and validation of rule files. Every mistake of every file is collected; nothing
//! stops at the first one except a TOML syntax error, which ends that file only. An item
//! with mistakes of its own still takes part in the cross-file checks (duplicates,
//! references); no rule set is built while any mistake is recorded.

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use serde::Deserialize;

use super::spec::{self, ParamSpec, ParamType};
use super::{Indicator, Kind, ParamValue, Rule, RuleSet};
use crate::config::{ConfigError, SiteKind, SiteLevel};

const TOP_KEYS: &[&str] = &["indicator", "rule"];
const INDICATOR_KEYS: &[&str] = &["id", "name", "points", "source", "unconfirmed", "note"];
const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "source",
    "kind",
    "points",
    "indicator",
    "levels",
    "site_kinds",
    "enabled",
    "unconfirmed",
    "note",
    "advice",
    "params",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: String,
    name: String,
    points: f64,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    unconfirmed: bool,
    #[serde(default)]
    note: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: String,
    source: String,
    kind: Kind,
    #[serde(default)]
    points: Option<f64>,
    #[serde(default)]
    indicator: Option<String>,
    #[serde(default)]
    levels: Option<Vec<SiteLevel>>,
    #[serde(default)]
    site_kinds: Option<Vec<SiteKind>>,
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default)]
    unconfirmed: bool,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    advice: Option<String>,
    #[serde(default)]
    params: toml::Table,
}

/// Where an item was defined: file index and its table's field prefix (`rule[3]`).
#[derive(Clone)]
struct Loc {
    file: usize,
    prefix: String,
}

struct Loader {
    files: Vec<(String, String)>,
    errors: Vec<ConfigError>,
    /// Parameters a rule leaves out take the shipped rule files' values (the one default);
    /// false while loading the shipped files themselves, which must give every parameter.
    inherit: bool,
}

/// The parameters of every rule of the shipped rule files, by rule id: the one default of
/// each parameter. A shipped file that does not parse gives nothing here (the test suite
/// loads the shipped set and would fail first).
fn shipped_params() -> &'static HashMap<String, (&'static str, toml::Table)> {
    static SHIPPED: std::sync::LazyLock<HashMap<String, (&'static str, toml::Table)>> =
        std::sync::LazyLock::new(|| {
            let mut out = HashMap::new();
            for (file, text) in super::EMBEDDED {
                let Ok(table) = toml::from_str::<toml::Table>(text) else {
                    continue;
                };
                let Some(rules) = table.get("rule").and_then(toml::Value::as_array) else {
                    continue;
                };
                for r in rules {
                    if let Some(id) = r.get("id").and_then(toml::Value::as_str) {
                        let params = r
                            .get("params")
                            .and_then(toml::Value::as_table)
                            .cloned()
                            .unwrap_or_default();
                        out.insert(id.to_string(), (*file, params));
                    }
                }
            }
            out
        });
    &SHIPPED
}

/// The shipped value of parameter `name` of rule `id` (the default shown in the README).
pub(super) fn shipped_value(id: &str, name: &str) -> Option<&'static toml::Value> {
    shipped_params().get(id)?.1.get(name)
}

/// The shipped rule file (`columns.toml`) that holds rule `id`.
pub(super) fn shipped_file(id: &str) -> Option<&'static str> {
    shipped_params().get(id).map(|(file, _)| *file)
}

impl Loader {
    /// Record an error about `field` of file `file`. Indexes inside values (`levels[1]`,
    /// `params.x[2]`) are kept in the field but ignored to find the line, which is the key's
    /// (or, for a string element of a multi-line array, the element's when it can be found).
    fn err(&mut self, file: usize, field: &str, message: String, element: Option<&str>) {
        let (name, text) = &self.files[file];
        let key_path = strip_value_indexes(field);
        let mut e = ConfigError::locate(name, text, &key_path, message);
        if let ConfigError::Invalid { field: f, line, .. } = &mut e {
            *f = field.to_string();
            if let (Some(el), Some(l)) = (element, *line) {
                *line = Some(find_element_line(text, l, el).unwrap_or(l));
            }
        }
        self.errors.push(e);
    }

    fn at(&mut self, loc: &Loc, field: &str, message: String) {
        let full = if field.is_empty() {
            loc.prefix.clone()
        } else {
            format!("{}.{field}", loc.prefix)
        };
        self.err(loc.file, &full, message, None);
    }
}

pub(super) fn load_sources(
    sources: Vec<(String, String)>,
    inherit: bool,
) -> Result<RuleSet, Vec<ConfigError>> {
    let mut ld = Loader {
        files: sources,
        errors: Vec::new(),
        inherit,
    };
    let mut indicators: Vec<(Indicator, Loc)> = Vec::new();
    let mut rules: Vec<(Rule, Loc)> = Vec::new();

    for fi in 0..ld.files.len() {
        let Some(table) = parse_file(&mut ld, fi) else {
            continue;
        };
        for (key, value) in table {
            let items = match (key.as_str(), value) {
                ("indicator" | "rule", toml::Value::Array(a)) => a,
                ("indicator" | "rule", other) => {
                    let msg = format!(
                        "expected an array of tables `[[{key}]]`, found {}",
                        other.type_str()
                    );
                    ld.err(fi, &key, msg, None);
                    continue;
                }
                _ => {
                    let msg = format!(
                        "unknown key; a rule file holds only arrays of tables: {}",
                        TOP_KEYS
                            .iter()
                            .map(|k| format!("[[{k}]]"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    ld.err(fi, &key, msg, None);
                    continue;
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let loc = Loc {
                    file: fi,
                    prefix: format!("{key}[{i}]"),
                };
                let toml::Value::Table(t) = item else {
                    let msg = format!("expected a table, found {}", item.type_str());
                    ld.at(&loc, "", msg);
                    continue;
                };
                if key == "indicator" {
                    if let Some(ind) = parse_indicator(&mut ld, &loc, t) {
                        indicators.push((ind, loc));
                    }
                } else if let Some(rule) = parse_rule(&mut ld, &loc, t) {
                    rules.push((rule, loc));
                }
            }
        }
    }

    // Cross-file checks: duplicates and references.
    let mut seen: HashMap<String, Loc> = HashMap::new();
    for (ind, loc) in &indicators {
        if let Some(first) = seen.get(&ind.id) {
            let msg = format!(
                "duplicate indicator id `{}`; first defined at {}",
                ind.id,
                describe(&ld, first)
            );
            ld.at(loc, "id", msg);
        } else {
            seen.insert(ind.id.clone(), loc.clone());
        }
    }
    let mut seen: HashMap<String, Loc> = HashMap::new();
    for (rule, loc) in &rules {
        if let Some(first) = seen.get(&rule.id) {
            let msg = format!(
                "duplicate rule id `{}`; first defined at {}",
                rule.id,
                describe(&ld, first)
            );
            ld.at(loc, "id", msg);
        } else {
            seen.insert(rule.id.clone(), loc.clone());
        }
    }
    let indicator_ids: Vec<&str> = indicators.iter().map(|(i, _)| i.id.as_str()).collect();
    for (rule, loc) in &rules {
        if let Some(ind) = &rule.indicator {
            if !indicator_ids.contains(&ind.as_str()) {
                let msg = format!(
                    "rule `{}`: unknown indicator `{ind}`; defined indicators: {}",
                    rule.id,
                    if indicator_ids.is_empty() {
                        "none".to_string()
                    } else {
                        indicator_ids.join(", ")
                    }
                );
                ld.at(loc, "indicator", msg);
            }
        }
        for (name, value) in &rule.params {
            let is_rule_ids = spec::spec(&rule.id)
                .and_then(|s| s.param(name))
                .is_some_and(|p| p.ty == ParamType::RuleIds);
            if let (true, ParamValue::Strs(ids)) = (is_rule_ids, value) {
                for (k, id) in ids.iter().enumerate() {
                    if !seen.contains_key(id) {
                        let field = format!("{}.params.{name}[{k}]", loc.prefix);
                        let msg = format!("rule `{}`: no rule `{id}` in the rule set", rule.id);
                        ld.err(loc.file, &field, msg, Some(id));
                    }
                }
            }
        }
    }

    // Report in file order, then line order.
    let files: Vec<String> = ld.files.iter().map(|(n, _)| n.clone()).collect();
    ld.errors.sort_by_key(|e| match e {
        ConfigError::Invalid { file, line, .. } => {
            (files.iter().position(|f| f == file), line.unwrap_or(0))
        }
        ConfigError::Io { .. } => (None, 0),
    });
    if ld.errors.is_empty() {
        Ok(RuleSet::new(
            indicators.into_iter().map(|(i, _)| i).collect(),
            rules.into_iter().map(|(r, _)| r).collect(),
        ))
    } else {
        Err(ld.errors)
    }
}

fn describe(ld: &Loader, loc: &Loc) -> String {
    let (name, text) = &ld.files[loc.file];
    match ConfigError::locate(name, text, &loc.prefix, String::new()).line() {
        Some(l) => format!("{name}:{l}"),
        None => name.clone(),
    }
}

fn parse_file(ld: &mut Loader, fi: usize) -> Option<toml::Table> {
    let (name, text) = &ld.files[fi];
    let de = toml::Deserializer::new(text);
    match serde_path_to_error::deserialize::<_, toml::Table>(de) {
        Ok(t) => Some(t),
        Err(e) => {
            let err = ConfigError::from_toml(name, text, e);
            ld.errors.push(err);
            None
        }
    }
}

/// Report keys of `t` not in `allowed` and remove them, so that deserialising the rest can
/// still report type errors.
fn unknown_keys(ld: &mut Loader, loc: &Loc, t: &mut toml::Table, allowed: &[&str]) {
    let unknown: Vec<String> = t
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in unknown {
        t.remove(&k);
        let msg = format!("unknown key; expected one of: {}", allowed.join(", "));
        ld.at(loc, &k, msg);
    }
}

/// Deserialise a table, reporting serde errors at their paths. serde stops at the first bad
/// field, so the bad key is removed and the rest tried again, to report every bad field; a
/// field that was removed and turns out required is not reported twice.
fn deserialize<T: for<'de> Deserialize<'de>>(
    ld: &mut Loader,
    loc: &Loc,
    mut t: toml::Table,
) -> Option<T> {
    let mut removed: Vec<String> = Vec::new();
    loop {
        match serde_path_to_error::deserialize::<_, T>(toml::Value::Table(t.clone())) {
            Ok(v) => return Some(v),
            Err(e) => {
                let path = e.path().to_string();
                let msg = e
                    .into_inner()
                    .message()
                    .lines()
                    .next()
                    .unwrap_or("invalid value")
                    .trim()
                    .to_string();
                let again = removed
                    .iter()
                    .any(|k| msg.starts_with(&format!("missing field `{k}`")));
                if !again {
                    ld.at(loc, if path == "." { "" } else { &path }, msg);
                }
                let key = path.split(['.', '[']).next().unwrap_or("").to_string();
                if again || key.is_empty() || t.remove(&key).is_none() {
                    return None;
                }
                removed.push(key);
            }
        }
    }
}

fn parse_indicator(ld: &mut Loader, loc: &Loc, mut t: toml::Table) -> Option<Indicator> {
    unknown_keys(ld, loc, &mut t, INDICATOR_KEYS);
    let raw: RawIndicator = deserialize(ld, loc, t)?;
    check_id(ld, loc, &raw.id);
    if !(raw.points.is_finite() && raw.points > 0.0) {
        ld.at(loc, "points", "must be a number > 0".into());
    }
    if raw.name.trim().is_empty() {
        ld.at(loc, "name", "must not be empty".into());
    }
    Some(Indicator {
        id: raw.id,
        name: raw.name,
        points: raw.points,
        source: raw.source,
        unconfirmed: raw.unconfirmed,
        note: raw.note,
    })
}

fn check_id(ld: &mut Loader, loc: &Loc, id: &str) {
    let ok = !id.is_empty()
        && id.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if !ok {
        let msg = format!(
            "invalid id `{id}`: use lower-case ASCII words separated by dots, e.g. `link.broken`"
        );
        ld.at(loc, "id", msg);
    }
}

fn parse_rule(ld: &mut Loader, loc: &Loc, mut t: toml::Table) -> Option<Rule> {
    unknown_keys(ld, loc, &mut t, RULE_KEYS);
    let raw: RawRule = deserialize(ld, loc, t)?;
    check_id(ld, loc, &raw.id);
    let id = raw.id.as_str();

    for (field, value) in [("title", &raw.title), ("source", &raw.source)] {
        if value.trim().is_empty() {
            ld.at(loc, field, format!("rule `{id}`: must not be empty"));
        }
    }
    let points = match (raw.kind, raw.points) {
        (Kind::Deduct, None) => {
            ld.at(
                loc,
                "points",
                format!("rule `{id}`: a deduct rule needs `points` (points per finding)"),
            );
            0.0
        }
        (Kind::Deduct, Some(p)) if !(p.is_finite() && p > 0.0) => {
            ld.at(loc, "points", format!("rule `{id}`: must be a number > 0"));
            0.0
        }
        (Kind::Deduct, Some(p)) => p,
        (kind, Some(_)) => {
            ld.at(
                loc,
                "points",
                format!(
                    "rule `{id}`: a {} rule takes no points (only deduct rules do)",
                    serde_kind(kind)
                ),
            );
            0.0
        }
        (_, None) => 0.0,
    };
    if raw.kind == Kind::Deduct && raw.indicator.is_none() {
        ld.at(
            loc,
            "indicator",
            format!("rule `{id}`: a deduct rule needs `indicator` (whose cap applies)"),
        );
    }
    let levels = match raw.levels {
        None => vec![
            SiteLevel::Province,
            SiteLevel::City,
            SiteLevel::County,
            SiteLevel::Department,
        ],
        Some(v) if v.is_empty() => {
            ld.at(
                loc,
                "levels",
                format!("rule `{id}`: must not be empty (leave it out for all levels)"),
            );
            v
        }
        Some(v) => v,
    };
    let site_kinds = match raw.site_kinds {
        None => vec![SiteKind::Portal, SiteKind::Department],
        Some(v) if v.is_empty() => {
            ld.at(
                loc,
                "site_kinds",
                format!("rule `{id}`: must not be empty (leave it out for all kinds)"),
            );
            v
        }
        Some(v) => v,
    };

    let errors_before = ld.errors.len();
    let params = match spec::spec(id) {
        None => {
            let family = id.split('.').next().unwrap_or(id);
            let mut known: Vec<&str> = spec::known_ids()
                .filter(|k| k.split('.').next() == Some(family))
                .collect();
            if known.is_empty() {
                known = spec::known_ids().collect();
            }
            ld.at(
                loc,
                "id",
                format!("unknown rule id `{id}`; known ids: {}", known.join(", ")),
            );
            return None;
        }
        Some(s) => parse_params(ld, loc, id, s.params, raw.params),
    };

    // Built only from parameters that passed the validator (whose errors say more).
    let typed = match super::params::build(id, &params) {
        _ if ld.errors.len() > errors_before => None,
        Ok(t) => t,
        Err(e) => {
            ld.at(loc, "params", format!("rule `{id}`: {e}"));
            None
        }
    };
    let (file, text) = &ld.files[loc.file];
    let line = ConfigError::locate(file, text, &loc.prefix, String::new()).line();
    let rule = Rule {
        id: raw.id.clone(),
        title: raw.title,
        source: raw.source,
        kind: raw.kind,
        points,
        indicator: raw.indicator,
        levels,
        site_kinds,
        enabled: raw.enabled,
        unconfirmed: raw.unconfirmed,
        note: raw.note,
        advice: raw.advice.filter(|a| !a.trim().is_empty()),
        params,
        file: file.clone(),
        line,
        typed,
    };
    Some(rule)
}

fn serde_kind(k: Kind) -> &'static str {
    match k {
        Kind::Veto => "veto",
        Kind::Deduct => "deduct",
        Kind::Notice => "notice",
    }
}

fn parse_params(
    ld: &mut Loader,
    loc: &Loc,
    id: &str,
    specs: &[ParamSpec],
    mut given: toml::Table,
) -> BTreeMap<String, ParamValue> {
    let mut out = BTreeMap::new();
    let names: Vec<&str> = specs.iter().map(|p| p.name).collect();
    let unknown: Vec<String> = given
        .keys()
        .filter(|k| !names.contains(&k.as_str()))
        .cloned()
        .collect();
    for k in unknown {
        given.remove(&k);
        let msg = if names.is_empty() {
            format!("unknown parameter; rule `{id}` takes no parameters")
        } else {
            format!("unknown parameter; rule `{id}` takes: {}", names.join(", "))
        };
        ld.at(loc, &format!("params.{k}"), msg);
    }
    for p in specs {
        let field = format!("{}.params.{}", loc.prefix, p.name);
        let value = match given.remove(p.name) {
            Some(v) => v,
            None => match ld.inherit.then(|| shipped_value(id, p.name)).flatten() {
                Some(v) => v.clone(),
                None => {
                    let msg = if ld.inherit {
                        format!(
                            "rule `{id}`: missing parameter ({}), and the shipped rules give it no value",
                            p.ty.describe()
                        )
                    } else {
                        format!(
                            "rule `{id}`: missing parameter ({}); the shipped rule files must give every parameter, as they are its default",
                            p.ty.describe()
                        )
                    };
                    ld.err(loc.file, &field, msg, None);
                    continue;
                }
            },
        };
        match convert(p, &value) {
            Ok(v) => {
                out.insert(p.name.to_string(), v);
            }
            Err(bad) => {
                let f = match bad.index {
                    Some(i) => format!("{field}[{i}]"),
                    None => field.clone(),
                };
                ld.err(
                    loc.file,
                    &f,
                    format!("rule `{id}`: {}", bad.message),
                    bad.element.as_deref(),
                );
            }
        }
    }
    out
}

struct Bad {
    index: Option<usize>,
    element: Option<String>,
    message: String,
}

fn bad(message: String) -> Bad {
    Bad {
        index: None,
        element: None,
        message,
    }
}

fn convert(p: &ParamSpec, v: &toml::Value) -> Result<ParamValue, Bad> {
    use toml::Value as V;
    let expected = |v: &V| {
        bad(format!(
            "expected {}, found {}",
            p.ty.describe(),
            v.type_str()
        ))
    };
    let array = |v: &V| -> Result<Vec<V>, Bad> {
        match v {
            V::Array(a) => Ok(a.clone()),
            other => Err(expected(other)),
        }
    };
    // Map each element of an array, reporting the first bad one with its index.
    fn each<T>(
        items: Vec<toml::Value>,
        f: impl Fn(&toml::Value) -> Result<T, String>,
    ) -> Result<Vec<T>, Bad> {
        items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                f(x).map_err(|message| Bad {
                    index: Some(i),
                    element: x.as_str().map(str::to_string),
                    message,
                })
            })
            .collect()
    }
    let (int_lo, int_hi) = super::spec::int_range(p.name);
    let int = |x: &V| match x {
        V::Integer(i) if (int_lo..=int_hi).contains(i) => Ok(*i),
        V::Integer(i) if *i < 0 => Err("must not be negative".to_string()),
        V::Integer(i) => Err(format!(
            "{i} is out of range: must be between {int_lo} and {int_hi}"
        )),
        other => Err(format!("expected an integer, found {}", other.type_str())),
    };
    let string = |x: &V| match x {
        V::String(s) if s.trim().is_empty() => Err("must not be empty".to_string()),
        V::String(s) if !p.allowed.is_empty() && !p.allowed.contains(&s.as_str()) => Err(format!(
            "`{s}` is not allowed; expected one of: {}",
            p.allowed.join(", ")
        )),
        V::String(s) => Ok(s.clone()),
        other => Err(format!("expected a string, found {}", other.type_str())),
    };
    let strings = |x: &V| match x {
        V::Array(a) if !a.is_empty() => a.iter().map(&string).collect::<Result<Vec<_>, _>>(),
        V::Array(_) => Err("expected a non-empty list of strings".to_string()),
        other => Err(format!(
            "expected a list of strings, found {}",
            other.type_str()
        )),
    };
    Ok(match p.ty {
        ParamType::Int => ParamValue::Int(int(v).map_err(bad)?),
        ParamType::Ints => ParamValue::Ints(each(array(v)?, int)?),
        ParamType::Float | ParamType::Rate => {
            let f = match v {
                V::Integer(i) => *i as f64,
                V::Float(f) => *f,
                other => return Err(expected(other)),
            };
            let max = if p.ty == ParamType::Rate {
                1.0
            } else {
                super::spec::FLOAT_MAX
            };
            if !(f.is_finite() && (0.0..=max).contains(&f)) {
                return Err(bad(format!("expected {}, found {f}", p.ty.describe())));
            }
            ParamValue::Float(f)
        }
        ParamType::Bool => match v {
            V::Boolean(b) => ParamValue::Bool(*b),
            other => return Err(expected(other)),
        },
        ParamType::Str => ParamValue::Str(string(v).map_err(bad)?),
        ParamType::Strs | ParamType::RuleIds => ParamValue::Strs(each(array(v)?, string)?),
        ParamType::MonthDay => {
            let s = string(v).map_err(bad)?;
            if parse_month_day(&s).is_none() {
                return Err(bad(format!(
                    "expected a day \"MM-DD\" such as \"01-31\", found \"{s}\""
                )));
            }
            ParamValue::Str(s)
        }
        ParamType::Regex => {
            let s = string(v).map_err(bad)?;
            ParamValue::Regex(compile(&s).map_err(bad)?)
        }
        ParamType::Regexes => ParamValue::Regexes(each(array(v)?, |x| compile(&string(x)?))?),
        ParamType::Groups => ParamValue::Groups(each(array(v)?, strings)?),
        ParamType::Pairs => ParamValue::Pairs(each(array(v)?, |x| {
            let s = strings(x)?;
            match <[String; 2]>::try_from(s) {
                Ok([a, b]) => Ok((a, b)),
                Err(s) => Err(format!("expected a pair [a, b], found {} strings", s.len())),
            }
        })?),
    })
}

fn compile(s: &str) -> Result<Regex, String> {
    Regex::new(s).map_err(|e| {
        // The regex crate's message shows the pattern with a caret, then "error: …".
        let text = e.to_string();
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("invalid regex")
            .trim()
            .trim_start_matches("error: ")
            .to_string();
        format!("bad regex `{s}`: {last}")
    })
}

/// `"MM-DD"` → (month, day), checking the day exists in a leap year.
pub(super) fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let (m, d) = s.split_once('-')?;
    if m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (m, d): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    chrono::NaiveDate::from_ymd_opt(2024, m, d).map(|_| (m, d))
}

/// `rule[3].levels[1]` → `rule[3].levels`: keep the index of the first segment (the array
/// of tables), drop indexes into values, which `locate_line` cannot see.
fn strip_value_indexes(field: &str) -> String {
    field
        .split('.')
        .enumerate()
        .map(|(i, seg)| match (i, seg.find('[')) {
            (0, _) | (_, None) => seg,
            (_, Some(p)) => &seg[..p],
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The line of a string element of a multi-line array that starts at `from` (1-based): the
/// first line at or after it that holds the string as a TOML basic or literal string.
fn find_element_line(text: &str, from: usize, element: &str) -> Option<usize> {
    let basic = format!("\"{}\"", element.replace('\\', "\\\\").replace('"', "\\\""));
    let literal = format!("'{element}'");
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(&basic) || l.contains(&literal))
        .map(|(n, _)| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_rule_is_shipped_with_every_parameter() {
        for r in spec::RULES {
            assert!(
                shipped_params().contains_key(r.id),
                "{}: no shipped rule, so its parameters have no default",
                r.id
            );
            for p in r.params {
                let v = shipped_value(r.id, p.name).unwrap_or_else(|| {
                    panic!("{}.{}: not given by the shipped rules", r.id, p.name)
                });
                if let Err(b) = convert(p, v) {
                    panic!("{}.{}: bad shipped value: {}", r.id, p.name, b.message);
                }
            }
        }
    }

    #[test]
    fn strips_value_indexes() {
        assert_eq!(
            strip_value_indexes("rule[3].params.x[2]"),
            "rule[3].params.x"
        );
        assert_eq!(strip_value_indexes("rule[0].levels[1]"), "rule[0].levels");
    }

    #[test]
    fn month_days() {
        assert_eq!(parse_month_day("01-31"), Some((1, 31)));
        assert_eq!(parse_month_day("02-29"), Some((2, 29)));
        assert_eq!(parse_month_day("02-30"), None);
        assert_eq!(parse_month_day("1-31"), None);
    }
}
