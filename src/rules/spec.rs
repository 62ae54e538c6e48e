//! The registry of rule ids the code implements and the parameters each one takes.
//!
//! A rule file may only name ids listed here (a typo is an error, not a silently dead rule),
//! and only the parameters listed for its id. Every parameter has a type, checked at load
//! time. The registry holds no values: the one default of every parameter is the value the
//! shipped rule files (`rules/*.toml`, embedded in the binary) give it. A rule folder of the
//! user's may leave a parameter out and inherits the shipped value; the shipped files must
//! give every parameter (a test and the loader hold them to it).

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

const fn param(name: &'static str, ty: ParamType, doc: &'static str) -> ParamSpec {
    ParamSpec {
        name,
        ty,
        allowed: &[],
        doc,
    }
}

use ParamType as T;

const WINDOW_14: ParamSpec = param(
    "window_days",
    T::Int,
    "days before the as-of time within which something new must appear",
);
const UNDATED: ParamSpec = param(
    "undated_counts_as_stale",
    T::Bool,
    "items without a visible date count as not updated (2015 census note)",
);
const COLUMN_CLASS: &[ParamSpec] = &[
    param(
        "name_patterns",
        T::Regexes,
        "column names (regex) that belong to the class",
    ),
    param(
        "exclude_patterns",
        T::Regexes,
        "column names (regex) excluded from the class, e.g. historical topics",
    ),
    param(
        "window_days",
        T::Int,
        "longest allowed age of the newest item",
    ),
    param(
        "first_level_only",
        T::Bool,
        "only first-level columns (linked from the home page navigation) count",
    ),
    UNDATED,
];
const COUNT_RULE: &[ParamSpec] = &[
    param(
        "threshold",
        T::Int,
        "number of counted columns at which the rule fires",
    ),
    param(
        "count_rules",
        T::RuleIds,
        "rules whose per-column findings are counted",
    ),
];
const NAME_PATTERNS: ParamSpec = param(
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
            param(
                "soft404_patterns",
                T::Strs,
                "phrases that make an HTTP 200 page a soft 404",
            ),
            param(
    "min_count",
    T::Int,
    "broken links on other pages are deducted only from this count on",
),
        ],
    },
    RuleSpec {
        id: "link.blocked",
        params: &[
            param(
                "challenge_markers",
                T::Strs,
                "body or header substrings (case-insensitive) of WAF/challenge pages",
            ),
            param(
    "blocked_statuses",
    T::Ints,
    "HTTP statuses that mean the scanner was refused, not that the page is gone",
),
            param(
    "blanket_403_min",
    T::Int,
    "a host answering 403 to this many different URLs is treated as blocking",
),
            param(
    "stop_after_blocked",
    T::Int,
    "blocked answers after which an origin is no longer asked",
),
            param(
    "challenge_max_bytes",
    T::Int,
    "largest 2xx body in which a challenge marker makes a challenge page",
),
            param(
    "challenge_max_links",
    T::Int,
    "most links (<a>) a 2xx challenge page may have; a real page has more",
),
        ],
    },
    // ── security (dark links, hijacked outbound links) ─────────────────────
    RuleSpec {
        id: "link.hidden_outbound",
        params: &[
            param(
                "allow_hosts",
                T::Strs,
                "host suffixes (whole labels) never treated as outbound",
            ),
            param("offscreen_px", T::Int, "offset (px) beyond which positioned, negative-margin or text-indent content is off-screen (applied while crawling)"),
        ],
    },
    RuleSpec {
        id: "link.outbound.bad_target",
        params: &[
            param(
                "categories",
                T::Groups,
                "[category, words...]: words of prohibited content, matched on a target page's title and text",
            ),
            param("min_hits", T::Int, "distinct words of one category a target page must show"),
            param("parking_markers", T::Strs, "substrings (case-insensitive) of a domain-parking page"),
            param("nxdomain", T::Bool, "a target whose domain does not exist (NXDOMAIN) is a finding"),
            param("allow_hosts", T::Strs, "host suffixes (whole labels) never judged"),
            param("sample_bytes", T::Int, "bytes of a target page's visible text kept for the match (applied while crawling)"),
        ],
    },
    // ── availability ───────────────────────────────────────────────────────
    RuleSpec {
        id: "site.unreachable",
        params: &[
            param(
    "window_days",
    T::Int,
    "monitoring window",
),
            param(
    "min_probes_per_day",
    T::Int,
    "probes per day needed for a day to count",
),
            param(
    "veto_rate",
    T::Rate,
    "share of failed probes at which the rule fires",
),
            param(
    "timeout_secs",
    T::Int,
    "a probe fails when the home page has not opened after this",
),
        ],
    },
    RuleSpec {
        id: "site.unreachable.warn",
        params: &[
            param(
    "window_days",
    T::Int,
    "monitoring window",
),
            param(
    "min_probes_per_day",
    T::Int,
    "probes per day needed for a day to count",
),
            param(
    "notice_rate",
    T::Rate,
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
        params: &[param(
    "timeout_secs",
    T::Int,
    "time allowed for the home page over IPv6",
)],
    },
    RuleSpec {
        id: "ipv6.coverage",
        params: &[
            param(
    "l2_target",
    T::Rate,
    "share of second-level links that must be reachable over IPv6",
),
            param(
    "l3_target",
    T::Rate,
    "share of third-level links that must be reachable over IPv6",
),
            param(
    "min_links",
    T::Int,
    "fewest links of a level for its share to be judged",
),
            param(
    "sample_per_level",
    T::Int,
    "most links of a level requested over IPv6 (a deterministic sample)",
),
        ],
    },
    RuleSpec {
        id: "ipv6.success_rate",
        params: &[
            param(
    "target",
    T::Rate,
    "share of IPv6 home-page probes that must succeed",
),
            param(
    "window_days",
    T::Int,
    "monitoring window",
),
            param(
    "min_probes",
    T::Int,
    "fewest IPv6 probes in the window for the rate to be judged",
),
        ],
    },
    RuleSpec {
        id: "ipv6.consistency",
        params: &[param(
    "min_similarity",
    T::Rate,
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
            param(
    "nav_home_uses_second_level",
    T::Bool,
    "for a navigation-only home page, judge its second-level pages instead",
),
        ],
    },
    RuleSpec {
        id: "home.not_updated.warn",
        params: &[
            param(
    "window_days",
    T::Int,
    "days without a new item",
),
            UNDATED,
            param(
                "nav_home_uses_second_level",
                T::Bool,
                "for a navigation-only home page, judge its second-level pages instead",
            ),
        ],
    },
    RuleSpec {
        id: "column.missing.xxgk",
        params: &[
            param(
    "entry_name",
    T::Str,
    "the uniform name of the 专栏",
),
            param(
    "entry_aliases",
    T::Strs,
    "names that identify the 专栏 under a non-uniform name (reported as renamed)",
),
            param(
                "entries",
                T::Groups,
                "the four first-level entries of the 专栏, each [name, alias...]",
            ),
            param(
    "uniform_names",
    T::Strs,
    "further names that count as the uniform name (政府信息公开专栏...)",
),
            param(
    "max_link_levels",
    T::Int,
    "the 专栏 is looked for on pages up to this many links from the home page",
),
        ],
    },
    RuleSpec {
        id: "column.xxgk.entrance",
        params: &[param(
    "require_on_home",
    T::Bool,
    "the home page must link the 专栏 directly, not only through another page",
)],
    },
    RuleSpec {
        id: "column.missing.art20",
        params: &[param(
            "items",
            T::Groups,
            "sub-columns for the items of 条例 第二十条, each [name, alias...]",
        )],
    },
    RuleSpec {
        id: "column.missing.art21",
        params: &[param(
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
            param("threshold", T::Int, "blank columns at which the rule fires"),
            param(
    "empty_markers",
    T::Strs,
    "phrases of a list page that lists nothing (暂无信息...)",
),
        ],
    },
    RuleSpec {
        id: "column.blank.warn",
        params: &[param(
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
            param(
    "code_pattern",
    T::Regex,
    "shape of a valid 网站标识码",
),
            param(
    "meta_name",
    T::Str,
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
            param(
    "patterns",
    T::Regexes,
    "regexes of the footer's visible text that show the mark",
),
            param(
    "link_patterns",
    T::Regexes,
    "regexes of a link (`a href=URL`) to the mark's registration page",
),
            param(
    "script_patterns",
    T::Regexes,
    "regexes of the mark's script (`script src=URL`)",
),
            param(
    "image_patterns",
    T::Regexes,
    "regexes of the mark's image (`img src=URL`, `img alt=…`, `img title=…`)",
),
        ],
    },
    RuleSpec {
        id: "footer.missing.sponsor_contact",
        params: &[
            param(
                "sponsor_patterns",
                T::Regexes,
                "regexes that mark the 主办单位",
            ),
            param(
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
            param(
    "check_site_code",
    T::Bool,
    "the entry's site_code must equal the site's 网站标识码",
),
        ],
    },
    // ── wording ────────────────────────────────────────────────────────────
    RuleSpec {
        id: "wording.serious",
        params: &[
            param(
                "corrections",
                T::Pairs,
                "[wrong form, correct form] pairs found verbatim",
            ),
            param(
                "official_names",
                T::Strs,
                "official names; a near miss (look-alike or homophone character, separator inside, dropped or swapped characters) is reported",
            ),
            param(
                "confusables",
                T::Pairs,
                "look-alike characters [a, b] used for near misses (homophones come from the pinyin crate)",
            ),
            param(
    "min_name_chars",
    T::Int,
    "official names shorter than this are not searched for near misses",
),
            param(
    "min_drop_chars",
    T::Int,
    "official names shorter than this are not searched for a dropped character",
),
            param(
    "never_substituted",
    T::Strs,
    "characters never taken as a homophone typo or a stray character inside a name (function words)",
),
            param(
    "separators",
    T::Str,
    "characters besides white space that count as punctuation inside a name",
),
            param(
    "max_separated_gaps",
    T::Int,
    "a name with separators in more gaps than this (中 华 人 民) is spaced on purpose",
),
        ],
    },
    // ── normative documents ────────────────────────────────────────────────
    RuleSpec {
        id: "normdoc.new",
        params: &[
            param(
                "library_names",
                T::Strs,
                "column names of the 行政规范性文件 library (a column whose name is or ends with one)",
            ),
            param(
                "abolished_list_words",
                T::Strs,
                "words that make a library-named column a list of repealed documents (废止, 失效)",
            ),
            param(
                "max_library_pages",
                T::Int,
                "budget: list pages of the library read per scan",
            ),
            param("valid_markers", T::Strs, "status words meaning in force (有效)"),
            param("abolished_markers", T::Strs, "status words meaning repealed (废止)"),
            param("expired_markers", T::Strs, "status words meaning expired (失效)"),
            param("revised_markers", T::Strs, "status words meaning revised (已修订)"),
            param(
                "docno_pattern",
                T::Regex,
                "a 文号 as written, well-formed or not (to find it in a row or on a page)",
            ),
            param(
                "docno_headers",
                T::Strs,
                "table headers of the 文号 column",
            ),
            param("title_headers", T::Strs, "table headers of the title column"),
            param("written_headers", T::Strs, "table headers of the 成文日期 column"),
            param("published_headers", T::Strs, "table headers of the 发布日期 column"),
            param("status_headers", T::Strs, "table headers of the 有效性 column"),
            param(
                "regno_headers",
                T::Strs,
                "table headers of the 统一编号/登记号 column",
            ),
            param("validity_headers", T::Strs, "table headers of the 有效期 column"),
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
        params: &[param("pattern", T::Regex, "a well-formed 文号 (GB/T 9704)")],
    },
    RuleSpec {
        id: "normdoc.expired_validity",
        params: &[],
    },
    RuleSpec {
        id: "normdoc.not_in_library",
        params: &[
            param(
                "policy_column_patterns",
                T::Regexes,
                "column names (regex) of policy-document columns outside the library",
            ),
            param(
                "normative_docno_pattern",
                T::Regex,
                "a 文号 that marks a normative document (the 规 of 渝府规〔2020〕1号)",
            ),
        ],
    },
    // ── interaction (互动交流) ─────────────────────────────────────────────
    RuleSpec {
        id: "interaction.no_channel",
        params: &[
            param(
                "channel_names",
                T::Strs,
                "words naming a consultation or suggestion channel (咨询, 建议, 留言, 信箱...) in a link or page heading",
            ),
            param(
                "not_counted",
                T::Groups,
                "channels that do not count, by group [shown name, words...] (网上信访, 纪检举报, 在线访谈, 调查征集)",
            ),
            param(
                "max_name_chars",
                T::Int,
                "a channel entry's text is at most this long (longer link texts are message titles)",
            ),
        ],
    },
    RuleSpec {
        id: "interaction.unanswered",
        params: &[
            param(
                "window_days",
                T::Int,
                "messages written within this many days before the as-of date are judged",
            ),
            param(
                "limit_months",
                T::Int,
                "a message unanswered longer than this many months is overdue",
            ),
            param(
                "late_reply_counts",
                T::Bool,
                "a reply given later than the limit counts as overdue too",
            ),
            param(
                "excluded_columns",
                T::Groups,
                "columns not judged, by group [shown name, words...] (在线访谈, 调查征集, 网上信访, 纪检举报)",
            ),
            param(
                "list_names",
                T::Strs,
                "names of message-list pages (信件选登, 留言公开...): there, rows with a link and a date are messages",
            ),
            param("title_headers", T::Strs, "table headers of the message title"),
            param(
                "asked_headers",
                T::Strs,
                "table headers and labels of the date asked (来信时间, 留言时间...)",
            ),
            param(
                "replied_headers",
                T::Strs,
                "table headers and labels of the date answered (回复时间, 答复时间...)",
            ),
            param("status_headers", T::Strs, "table headers of the status (状态)"),
            param("answered_markers", T::Strs, "status words meaning answered (已回复, 已办结)"),
            param(
                "pending_markers",
                T::Strs,
                "status words meaning not answered yet (未回复, 办理中); checked before the answered words",
            ),
            param(
                "invalid_markers",
                T::Strs,
                "status words of messages that do not count (无效, 不予受理, 重复件)",
            ),
        ],
    },
    RuleSpec {
        id: "interaction.reply_stats",
        params: &[],
    },
    // ── new media ──────────────────────────────────────────────────────────
    RuleSpec {
        id: "feed.stale",
        params: &[
            WINDOW_14,
            param(
                "matrix_titles",
                T::Regexes,
                "title or heading (regex) of a site's page listing its new-media accounts",
            ),
            param(
                "platform_words",
                T::Groups,
                "platform name as configured, then the words that name it on a page",
            ),
        ],
    },
    RuleSpec {
        id: "feed.late",
        params: &[param(
    "window_days",
    T::Int,
    "days without a post",
)],
    },
    RuleSpec {
        id: "feed.zombie",
        params: &[param(
    "window_days",
    T::Int,
    "days without a post",
)],
    },
    RuleSpec {
        id: "feed.no_interaction",
        params: &[param(
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
        params: &[param(
    "consecutive_failures",
    T::Int,
    "failed reads in a row (this scan's included) from which the finding says the failure is repeated",
)],
    },
    // ── annual reports ─────────────────────────────────────────────────────
    RuleSpec {
        id: "annual_report.missing",
        params: &[
            param(
                "column_patterns",
                T::Regexes,
                "column names (regex) of the 年报 column",
            ),
            param(
                "title_pattern",
                T::Regex,
                "a report title; capture group 1 is the year",
            ),
            param(
    "department_deadline",
    T::MonthDay,
    "departments publish last year's report by this day",
),
            param(
    "government_deadline",
    T::MonthDay,
    "governments publish their own report by this day",
),
        ],
    },
    RuleSpec {
        id: "annual_report.sections",
        params: &[param(
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
            allowed: &["T3-1", "T3-2", "T3-3", "T4-1"],
            doc: "cross-check relations verified (regulations §4.5)",
        }],
    },
    RuleSpec {
        id: "annual_report.cross_year",
        params: &[ParamSpec {
            name: "relations",
            ty: T::Strs,
            allowed: &["X-1", "X-2"],
            doc: "cross-year relations verified (regulations §4.5)",
        }],
    },
    RuleSpec {
        id: "annual_report.format_version",
        params: &[param(
    "format_2021_from_year",
    T::Int,
    "reports for this year and later must use the 2021 format",
)],
    },
    RuleSpec {
        id: "site_annual_table.missing",
        params: &[
            param(
                "title_patterns",
                T::Regexes,
                "titles (regex) of the 政府网站工作年度报表",
            ),
            param(
    "deadline",
    T::MonthDay,
    "published by this day of the following year",
),
        ],
    },    // ── 办事服务 (V6) ──────────────────────────────────────────────────────
    RuleSpec {
        id: "service.none",
        params: &[
            param(
                "entry_names",
                T::Strs,
                "link texts (contained, spaces ignored) of a 办事服务 entry",
            ),
            param(
                "platform_hosts",
                T::Strs,
                "host patterns of the 政务服务网 (`*` inside a label: any characters; a \
                 leading `*.`: any subdomains or none)",
            ),
            param(
                "max_link_levels",
                T::Int,
                "links from the home page searched (1: the home page's own links)",
            ),
        ],
    },
    RuleSpec {
        id: "service.guide_elements",
        params: &[
            param(
                "categories",
                T::Groups,
                "the key element categories of a 办事指南: [name, alias...] (a label \
                 containing the name or an alias shows the category)",
            ),
            param(
                "record_min_categories",
                T::Int,
                "a crawled page keeps its labels when they show this many categories",
            ),
            param(
                "guide_min_categories",
                T::Int,
                "a page is a 办事指南 when its labels show this many categories",
            ),
            param(
                "title_words",
                T::Strs,
                "a page showing enough categories is a guide when its title (or heading) \
                 contains one of these, or its labels show the first category",
            ),
            param(
                "list_min_items",
                T::Int,
                "a page listing this many linked items is a list of guides, not a guide",
            ),
            param(
                "missing_threshold",
                T::Int,
                "a guide missing this many categories is defective",
            ),
            param(
                "defective_threshold",
                T::Int,
                "defective guides from which the veto fires",
            ),
            param(
                "section_max_levels",
                T::Int,
                "links below the 办事 section page within which guides are read",
            ),
        ],
    },
    RuleSpec {
        id: "service.guide_elements.warn",
        params: &[],
    },
    RuleSpec {
        id: "service.guide_elements.not_inspected",
        params: &[],
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
