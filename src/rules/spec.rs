//! The registry of rule ids the code implements and the parameters each one takes.
//!
//! A rule file may only name ids listed here (a typo is an error, not a silently dead rule),
//! and only the parameters listed for its id. Every parameter has a type, checked at load
//! time, and either a default (a TOML literal, validated like a value from a file) or none,
//! in which case the rule file must give it.

/// Type of a rule parameter. Numbers are never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// An integer ≥ 0 (counts, `window_days`, seconds).
    Int,
    /// A list of integers ≥ 0 (HTTP statuses).
    Ints,
    /// A number ≥ 0 (an integer literal is accepted).
    Float,
    /// A number between 0 and 1 (rates, shares).
    Rate,
    /// `true` or `false`.
    Bool,
    /// A non-empty string.
    Str,
    /// A list of non-empty strings.
    Strs,
    /// A regular expression (Rust `regex` syntax), compiled at load time.
    Regex,
    /// A list of regular expressions, compiled at load time.
    Regexes,
    /// A list of name groups: each a non-empty list of strings, the first being the canonical
    /// name and the others its aliases.
    Groups,
    /// A list of pairs `[a, b]` of strings (wrong form → correct form; look-alike characters).
    Pairs,
    /// A list of rule ids defined in the rule set.
    RuleIds,
    /// A calendar day of the year, `"MM-DD"`.
    MonthDay,
}

impl ParamType {
    /// How the type is described in messages and documentation.
    pub fn describe(self) -> &'static str {
        match self {
            ParamType::Int => "integer ≥ 0",
            ParamType::Ints => "list of integers ≥ 0",
            ParamType::Float => "number ≥ 0",
            ParamType::Rate => "number from 0 to 1",
            ParamType::Bool => "boolean",
            ParamType::Str => "string",
            ParamType::Strs => "list of strings",
            ParamType::Regex => "regex",
            ParamType::Regexes => "list of regexes",
            ParamType::Groups => "list of name groups [name, alias...]",
            ParamType::Pairs => "list of pairs [a, b]",
            ParamType::RuleIds => "list of rule ids",
            ParamType::MonthDay => "day \"MM-DD\"",
        }
    }
}

/// Largest integer parameter (counts, thresholds, years, seconds): larger values make no
/// sense for a website inspection and would overflow date arithmetic.
pub const INT_MAX: i64 = 100_000;
/// Largest day window (`window_days`): ten years.
pub const WINDOW_DAYS_MAX: i64 = 3660;
/// Largest non-rate number parameter.
pub const FLOAT_MAX: f64 = 1_000_000.0;

/// Longest time a request may be given (`timeout_secs`): one hour.
pub const TIMEOUT_SECS_MAX: i64 = 3600;

/// The accepted range of an integer parameter (or list element) named `name`.
pub fn int_range(name: &str) -> (i64, i64) {
    if name.ends_with("window_days") {
        (1, WINDOW_DAYS_MAX)
    } else if name.ends_with("timeout_secs") {
        (1, TIMEOUT_SECS_MAX)
    } else {
        (0, INT_MAX)
    }
}

/// One parameter a rule id accepts.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    /// Key in `[rule.params]`.
    pub name: &'static str,
    /// Its type.
    pub ty: ParamType,
    /// Default as a TOML literal; `None` = required.
    pub default: Option<&'static str>,
    /// For `Str`/`Strs`: the only values allowed (empty = any).
    pub allowed: &'static [&'static str],
    /// What it means.
    pub doc: &'static str,
}

/// A rule id the code implements, with its parameters.
#[derive(Debug, Clone, Copy)]
pub struct RuleSpec {
    /// The stable id.
    pub id: &'static str,
    /// Its parameters.
    pub params: &'static [ParamSpec],
}

impl RuleSpec {
    /// The spec of one parameter.
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// The spec of a rule id, if the code implements it.
pub fn spec(id: &str) -> Option<&'static RuleSpec> {
    RULES.iter().find(|r| r.id == id)
}

/// Every rule id the code implements, in registry order.
pub fn known_ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.id)
}

const fn req(name: &'static str, ty: ParamType, doc: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        default: None,
        allowed: &[],
        doc,
    }
}

const fn opt(
    name: &'static str,
    ty: ParamType,
    default: &'static str,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        default: Some(default),
        allowed: &[],
        doc,
    }
}

use ParamType as T;

const WINDOW_14: ParamSpec = opt(
    "window_days",
    T::Int,
    "14",
    "days before the as-of time within which something new must appear",
);
const UNDATED: ParamSpec = opt(
    "undated_counts_as_stale",
    T::Bool,
    "true",
    "items without a visible date count as not updated (2015 census note)",
);
const COLUMN_CLASS: &[ParamSpec] = &[
    req(
        "name_patterns",
        T::Regexes,
        "column names (regex) that belong to the class",
    ),
    opt(
        "exclude_patterns",
        T::Regexes,
        "[]",
        "column names (regex) excluded from the class, e.g. historical topics",
    ),
    req(
        "window_days",
        T::Int,
        "longest allowed age of the newest item",
    ),
    opt(
        "first_level_only",
        T::Bool,
        "false",
        "only first-level columns (linked from the home page navigation) count",
    ),
    UNDATED,
];
const COUNT_RULE: &[ParamSpec] = &[
    req(
        "threshold",
        T::Int,
        "number of counted columns at which the rule fires",
    ),
    req(
        "count_rules",
        T::RuleIds,
        "rules whose per-column findings are counted",
    ),
];
const NAME_PATTERNS: ParamSpec = req(
    "patterns",
    T::Regexes,
    "regexes, any of which marks the item as present",
);

/// The registry. Keep ids sorted by family; the rule files follow the same order.
pub static RULES: &[RuleSpec] = &[
    // ── links ──────────────────────────────────────────────────────────────
    RuleSpec {
        id: "link.broken.home",
        params: &[],
    },
    RuleSpec {
        id: "link.broken",
        params: &[
            req(
                "soft404_patterns",
                T::Strs,
                "phrases that make an HTTP 200 page a soft 404",
            ),
            opt(
                "min_count",
                T::Int,
                "1",
                "broken links on other pages are deducted only from this count on",
            ),
        ],
    },
    RuleSpec {
        id: "link.blocked",
        params: &[
            req(
                "challenge_markers",
                T::Strs,
                "body or header substrings (case-insensitive) of WAF/challenge pages",
            ),
            opt(
                "blocked_statuses",
                T::Ints,
                "[429, 412]",
                "HTTP statuses that mean the scanner was refused, not that the page is gone",
            ),
            opt(
                "blanket_403_min",
                T::Int,
                "3",
                "a host answering 403 to this many different URLs is treated as blocking",
            ),
            opt(
                "stop_after_blocked",
                T::Int,
                "5",
                "blocked answers after which an origin is no longer asked",
            ),
            opt(
                "challenge_max_bytes",
                T::Int,
                "65536",
                "largest 2xx body in which a challenge marker makes a challenge page",
            ),
            opt(
                "challenge_max_links",
                T::Int,
                "3",
                "most links (<a>) a 2xx challenge page may have; a real page has more",
            ),
        ],
    },
    // ── security (dark links, hijacked outbound links) ─────────────────────
    RuleSpec {
        id: "link.hidden_outbound",
        params: &[
            req(
                "allow_hosts",
                T::Strs,
                "host suffixes (whole labels) never treated as outbound",
            ),
            opt(
                "offscreen_px",
                T::Int,
                "1000",
                "offset (px) beyond which positioned, negative-margin or text-indent content is off-screen (applied while crawling)",
            ),
        ],
    },
    RuleSpec {
        id: "link.outbound.bad_target",
        params: &[
            req(
                "categories",
                T::Groups,
                "[category, words...]: words of prohibited content, matched on a target page's title and text",
            ),
            opt(
                "min_hits",
                T::Int,
                "2",
                "distinct words of one category a target page must show",
            ),
            opt(
                "parking_markers",
                T::Strs,
                "[]",
                "substrings (case-insensitive) of a domain-parking page",
            ),
            opt(
                "nxdomain",
                T::Bool,
                "true",
                "a target whose domain does not exist (NXDOMAIN) is a finding",
            ),
            opt(
                "allow_hosts",
                T::Strs,
                "[]",
                "host suffixes (whole labels) never judged",
            ),
            opt(
                "sample_bytes",
                T::Int,
                "4096",
                "bytes of a target page's visible text kept for the match (applied while crawling)",
            ),
        ],
    },
    // ── availability ───────────────────────────────────────────────────────
    RuleSpec {
        id: "site.unreachable",
        params: &[
            opt("window_days", T::Int, "7", "monitoring window"),
            opt(
                "min_probes_per_day",
                T::Int,
                "20",
                "probes per day needed for a day to count",
            ),
            opt(
                "veto_rate",
                T::Rate,
                "0.05",
                "share of failed probes at which the rule fires",
            ),
            opt(
                "timeout_secs",
                T::Int,
                "15",
                "a probe fails when the home page has not opened after this",
            ),
        ],
    },
    RuleSpec {
        id: "site.unreachable.warn",
        params: &[
            opt("window_days", T::Int, "7", "monitoring window"),
            opt(
                "min_probes_per_day",
                T::Int,
                "20",
                "probes per day needed for a day to count",
            ),
            opt(
                "notice_rate",
                T::Rate,
                "0.03",
                "share of failed probes at which the warning fires",
            ),
        ],
    },
    RuleSpec {
        // Judged with `site.unreachable`'s window and probes per day.
        id: "site.unreachable.samples",
        params: &[],
    },
    // ── IPv6 ───────────────────────────────────────────────────────────────
    RuleSpec {
        id: "ipv6.unsupported",
        params: &[opt(
            "timeout_secs",
            T::Int,
            "15",
            "time allowed for the home page over IPv6",
        )],
    },
    RuleSpec {
        id: "ipv6.coverage",
        params: &[
            opt(
                "l2_target",
                T::Rate,
                "0.90",
                "share of second-level links that must be reachable over IPv6",
            ),
            opt(
                "l3_target",
                T::Rate,
                "0.85",
                "share of third-level links that must be reachable over IPv6",
            ),
            opt(
                "min_links",
                T::Int,
                "10",
                "fewest links of a level for its share to be judged",
            ),
            opt(
                "sample_per_level",
                T::Int,
                "100",
                "most links of a level requested over IPv6 (a deterministic sample)",
            ),
        ],
    },
    RuleSpec {
        id: "ipv6.success_rate",
        params: &[
            opt(
                "target",
                T::Rate,
                "0.95",
                "share of IPv6 home-page probes that must succeed",
            ),
            opt("window_days", T::Int, "7", "monitoring window"),
            opt(
                "min_probes",
                T::Int,
                "20",
                "fewest IPv6 probes in the window for the rate to be judged",
            ),
        ],
    },
    RuleSpec {
        id: "ipv6.consistency",
        params: &[opt(
            "min_similarity",
            T::Rate,
            "0.90",
            "text similarity of the IPv4 and IPv6 home pages below which they differ",
        )],
    },
    RuleSpec {
        id: "ipv6.delegation",
        params: &[],
    },
    // ── home page and columns ──────────────────────────────────────────────
    RuleSpec {
        id: "home.not_updated",
        params: &[
            WINDOW_14,
            UNDATED,
            opt(
                "nav_home_uses_second_level",
                T::Bool,
                "true",
                "for a navigation-only home page, judge its second-level pages instead",
            ),
        ],
    },
    RuleSpec {
        id: "home.not_updated.warn",
        params: &[
            opt("window_days", T::Int, "10", "days without a new item"),
            UNDATED,
        ],
    },
    RuleSpec {
        id: "column.missing.xxgk",
        params: &[
            opt(
                "entry_name",
                T::Str,
                "\"政府信息公开\"",
                "the uniform name of the 专栏",
            ),
            opt(
                "entry_aliases",
                T::Strs,
                "[]",
                "names that identify the 专栏 under a non-uniform name (reported as renamed)",
            ),
            req(
                "entries",
                T::Groups,
                "the four first-level entries of the 专栏, each [name, alias...]",
            ),
            opt(
                "uniform_names",
                T::Strs,
                "[]",
                "further names that count as the uniform name (政府信息公开专栏...)",
            ),
            opt(
                "max_link_levels",
                T::Int,
                "2",
                "the 专栏 is looked for on pages up to this many links from the home page",
            ),
        ],
    },
    RuleSpec {
        id: "column.xxgk.entrance",
        params: &[opt(
            "require_on_home",
            T::Bool,
            "true",
            "the home page must link the 专栏 directly, not only through another page",
        )],
    },
    RuleSpec {
        id: "column.missing.art20",
        params: &[req(
            "items",
            T::Groups,
            "sub-columns for the items of 条例 第二十条, each [name, alias...]",
        )],
    },
    RuleSpec {
        id: "column.missing.art21",
        params: &[req(
            "items",
            T::Groups,
            "sub-columns for the items of 条例 第二十一条, each [name, alias...]",
        )],
    },
    RuleSpec {
        id: "column.stale.news",
        params: COLUMN_CLASS,
    },
    RuleSpec {
        id: "column.stale.notice_policy",
        params: COLUMN_CLASS,
    },
    RuleSpec {
        id: "column.stale.personnel_plan",
        params: COLUMN_CLASS,
    },
    RuleSpec {
        id: "column.stale.veto",
        params: COUNT_RULE,
    },
    RuleSpec {
        id: "column.stale.should_update",
        params: COUNT_RULE,
    },
    RuleSpec {
        id: "column.stale.policy",
        params: COLUMN_CLASS,
    },
    RuleSpec {
        id: "column.blank",
        params: &[
            req("threshold", T::Int, "blank columns at which the rule fires"),
            opt(
                "empty_markers",
                T::Strs,
                "[]",
                "phrases of a list page that lists nothing (暂无信息...)",
            ),
        ],
    },
    RuleSpec {
        id: "column.blank.warn",
        params: &[req(
            "threshold",
            T::Int,
            "blank columns at which the warning fires",
        )],
    },
    // ── footer ─────────────────────────────────────────────────────────────
    RuleSpec {
        id: "footer.missing_id.siteidcode",
        params: &[
            NAME_PATTERNS,
            opt(
                "code_pattern",
                T::Regex,
                r#"'^(?:\d{10}|bm\d{8})$'"#,
                "shape of a valid 网站标识码",
            ),
            opt(
                "meta_name",
                T::Str,
                "\"SiteIDCode\"",
                "the <meta name> that carries the code",
            ),
        ],
    },
    RuleSpec {
        id: "footer.missing_id.icp",
        params: &[NAME_PATTERNS],
    },
    RuleSpec {
        id: "footer.missing_id.psb",
        params: &[NAME_PATTERNS],
    },
    RuleSpec {
        id: "footer.missing_id.conac",
        params: &[
            opt(
                "patterns",
                T::Regexes,
                "[]",
                "regexes of the footer's visible text that show the mark",
            ),
            opt(
                "link_patterns",
                T::Regexes,
                "[]",
                "regexes of a link (`a href=URL`) to the mark's registration page",
            ),
            opt(
                "script_patterns",
                T::Regexes,
                "[]",
                "regexes of the mark's script (`script src=URL`)",
            ),
            opt(
                "image_patterns",
                T::Regexes,
                "[]",
                "regexes of the mark's image (`img src=URL`, `img alt=…`, `img title=…`)",
            ),
        ],
    },
    RuleSpec {
        id: "footer.missing.sponsor_contact",
        params: &[
            req(
                "sponsor_patterns",
                T::Regexes,
                "regexes that mark the 主办单位",
            ),
            req(
                "contact_patterns",
                T::Regexes,
                "regexes that mark contact details",
            ),
        ],
    },
    RuleSpec {
        id: "footer.missing.jiucuo",
        params: &[
            NAME_PATTERNS,
            opt(
                "check_site_code",
                T::Bool,
                "true",
                "the entry's site_code must equal the site's 网站标识码",
            ),
        ],
    },
    // ── wording ────────────────────────────────────────────────────────────
    RuleSpec {
        id: "wording.serious",
        params: &[
            req(
                "corrections",
                T::Pairs,
                "[wrong form, correct form] pairs found verbatim",
            ),
            req(
                "official_names",
                T::Strs,
                "official names; a near miss (look-alike or homophone character, separator inside, dropped or swapped characters) is reported",
            ),
            req(
                "confusables",
                T::Pairs,
                "look-alike characters [a, b] used for near misses (homophones come from the pinyin crate)",
            ),
            opt(
                "min_name_chars",
                T::Int,
                "4",
                "official names shorter than this are not searched for near misses",
            ),
            opt(
                "min_drop_chars",
                T::Int,
                "5",
                "official names shorter than this are not searched for a dropped character",
            ),
            opt(
                "never_substituted",
                T::Strs,
                "[]",
                "characters never taken as a homophone typo or a stray character inside a name (function words)",
            ),
            opt(
                "separators",
                T::Str,
                "\"·\"",
                "characters besides white space that count as punctuation inside a name",
            ),
            opt(
                "max_separated_gaps",
                T::Int,
                "2",
                "a name with separators in more gaps than this (中 华 人 民) is spaced on purpose",
            ),
        ],
    },
    // ── normative documents ────────────────────────────────────────────────
    RuleSpec {
        id: "normdoc.new",
        params: &[
            req(
                "library_names",
                T::Strs,
                "column names of the 行政规范性文件 library (a column whose name is or ends with one)",
            ),
            req(
                "abolished_list_words",
                T::Strs,
                "words that make a library-named column a list of repealed documents (废止, 失效)",
            ),
            req(
                "max_library_pages",
                T::Int,
                "budget: list pages of the library read per scan",
            ),
            req("valid_markers", T::Strs, "status words meaning in force (有效)"),
            req("abolished_markers", T::Strs, "status words meaning repealed (废止)"),
            req("expired_markers", T::Strs, "status words meaning expired (失效)"),
            req("revised_markers", T::Strs, "status words meaning revised (已修订)"),
            req(
                "docno_pattern",
                T::Regex,
                "a 文号 as written, well-formed or not (to find it in a row or on a page)",
            ),
            req(
                "docno_headers",
                T::Strs,
                "table headers of the 文号 column",
            ),
            req("title_headers", T::Strs, "table headers of the title column"),
            req("written_headers", T::Strs, "table headers of the 成文日期 column"),
            req("published_headers", T::Strs, "table headers of the 发布日期 column"),
            req("status_headers", T::Strs, "table headers of the 有效性 column"),
            req(
                "regno_headers",
                T::Strs,
                "table headers of the 统一编号/登记号 column",
            ),
            req("validity_headers", T::Strs, "table headers of the 有效期 column"),
        ],
    },
    RuleSpec {
        id: "normdoc.revised",
        params: &[],
    },
    RuleSpec {
        id: "normdoc.abolished",
        params: &[],
    },
    RuleSpec {
        id: "normdoc.stale_link",
        params: &[],
    },
    RuleSpec {
        id: "normdoc.status_unmarked",
        params: &[],
    },
    RuleSpec {
        id: "normdoc.docno_format",
        params: &[req("pattern", T::Regex, "a well-formed 文号 (GB/T 9704)")],
    },
    RuleSpec {
        id: "normdoc.expired_validity",
        params: &[],
    },
    RuleSpec {
        id: "normdoc.not_in_library",
        params: &[
            req(
                "policy_column_patterns",
                T::Regexes,
                "column names (regex) of policy-document columns outside the library",
            ),
            req(
                "normative_docno_pattern",
                T::Regex,
                "a 文号 that marks a normative document (the 规 of 渝府规〔2020〕1号)",
            ),
        ],
    },
    // ── new media ──────────────────────────────────────────────────────────
    RuleSpec {
        id: "feed.stale",
        params: &[
            WINDOW_14,
            req(
                "matrix_titles",
                T::Regexes,
                "title or heading (regex) of a site's page listing its new-media accounts",
            ),
            req(
                "platform_words",
                T::Groups,
                "platform name as configured, then the words that name it on a page",
            ),
        ],
    },
    RuleSpec {
        id: "feed.late",
        params: &[opt("window_days", T::Int, "7", "days without a post")],
    },
    RuleSpec {
        id: "feed.zombie",
        params: &[opt("window_days", T::Int, "90", "days without a post")],
    },
    RuleSpec {
        id: "feed.no_interaction",
        params: &[req(
            "menu_patterns",
            T::Regexes,
            "menu or entry names (regex) of a message/consultation function",
        )],
    },
    RuleSpec {
        id: "feed.function_broken",
        params: &[],
    },
    RuleSpec {
        id: "feed.duplicate_account",
        params: &[],
    },
    RuleSpec {
        id: "feed.identity_mismatch",
        params: &[],
    },
    RuleSpec {
        id: "feed.broken",
        params: &[opt(
            "consecutive_failures",
            T::Int,
            "3",
            "failed reads in a row (this scan's included) from which the finding says the failure is repeated",
        )],
    },
    // ── annual reports ─────────────────────────────────────────────────────
    RuleSpec {
        id: "annual_report.missing",
        params: &[
            req(
                "column_patterns",
                T::Regexes,
                "column names (regex) of the 年报 column",
            ),
            req(
                "title_pattern",
                T::Regex,
                "a report title; capture group 1 is the year",
            ),
            opt(
                "department_deadline",
                T::MonthDay,
                "\"01-31\"",
                "departments publish last year's report by this day",
            ),
            opt(
                "government_deadline",
                T::MonthDay,
                "\"03-31\"",
                "governments publish their own report by this day",
            ),
        ],
    },
    RuleSpec {
        id: "annual_report.sections",
        params: &[req(
            "sections",
            T::Groups,
            "the six required section headings, each [heading, alias...]",
        )],
    },
    RuleSpec {
        id: "annual_report.inconsistent",
        params: &[ParamSpec {
            name: "relations",
            ty: T::Strs,
            default: Some(r#"["T3-1", "T3-2", "T3-3", "T4-1"]"#),
            allowed: &["T3-1", "T3-2", "T3-3", "T4-1"],
            doc: "cross-check relations verified (regulations §4.5)",
        }],
    },
    RuleSpec {
        id: "annual_report.cross_year",
        params: &[ParamSpec {
            name: "relations",
            ty: T::Strs,
            default: Some(r#"["X-1", "X-2"]"#),
            allowed: &["X-1", "X-2"],
            doc: "cross-year relations verified (regulations §4.5)",
        }],
    },
    RuleSpec {
        id: "annual_report.format_version",
        params: &[opt(
            "format_2021_from_year",
            T::Int,
            "2021",
            "reports for this year and later must use the 2021 format",
        )],
    },
    RuleSpec {
        id: "site_annual_table.missing",
        params: &[
            req(
                "title_patterns",
                T::Regexes,
                "titles (regex) of the 政府网站工作年度报表",
            ),
            opt(
                "deadline",
                T::MonthDay,
                "\"01-31\"",
                "published by this day of the following year",
            ),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_param_names_are_unique() {
        let mut ids: Vec<_> = known_ids().collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule id in the registry");
        for r in RULES {
            let mut names: Vec<_> = r.params.iter().map(|p| p.name).collect();
            names.sort_unstable();
            let n = names.len();
            names.dedup();
            assert_eq!(names.len(), n, "duplicate param in {}", r.id);
        }
    }
}
