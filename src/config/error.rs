//! Errors of configuration and rule files, located by file, line and field.

use std::fmt;

/// A mistake in a TOML file (the configuration or a rule file), located by file, line and
/// field so the person who wrote it can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// The file could not be read.
    Io { file: String, message: String },
    /// The file was read but something in it is wrong.
    Invalid {
        file: String,
        line: Option<usize>,
        field: String,
        message: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { file, message } => write!(f, "{file}: cannot read: {message}"),
            ConfigError::Invalid {
                file,
                line,
                field,
                message,
            } => {
                write!(f, "{file}")?;
                if let Some(l) = line {
                    write!(f, ":{l}")?;
                }
                if !field.is_empty() {
                    write!(f, ": field `{field}`")?;
                }
                write!(f, ": {}", plain_words(message))
            }
        }
    }
}

impl std::error::Error for ConfigError {}

/// Rewrite the Rust and serde type names that deserialisation errors carry ("expected u32",
/// "invalid type: sequence", "struct SiteConfig") into words the person who wrote the file
/// knows ("expected a whole number", "a list", "a table"). Text without them is unchanged.
pub fn plain_words(message: &str) -> String {
    use regex::Regex;
    use std::sync::LazyLock;
    static WORDS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
        [
            (
                r"\b(?:u8|u16|u32|u64|u128|usize)\b",
                "a whole number (0 or more)",
            ),
            (r"\b(?:i8|i16|i32|i64|i128|isize)\b", "a whole number"),
            (r"\b(?:f32|f64)\b", "a number"),
            (r"\bfloating point `([^`]*)`", "the number $1"),
            (r"\binteger `([^`]*)`", "the whole number $1"),
            (r"\bboolean `([^`]*)`", "$1"),
            (r#"\bstring "([^"]*)""#, "the text \"$1\""),
            (r"\ba (?:borrowed )?string\b", "text in quotes"),
            (r"\ba boolean\b", "true or false"),
            (r"\b(?:a )?(?:newtype )?struct \w+", "a table"),
            (
                r"\b(?:a )?(?:unit )?variant of enum \w+|\benum \w+",
                "one of the allowed values",
            ),
            (r"\b(?:a )?sequence\b", "a list"),
            (r"\b(?:a )?map\b", "a table"),
            (r"\bchar\b", "a single character"),
        ]
        .into_iter()
        .filter_map(|(re, to)| Regex::new(re).ok().map(|re| (re, to)))
        .collect()
    });
    WORDS.iter().fold(message.to_string(), |m, (re, to)| {
        re.replace_all(&m, *to).into_owned()
    })
}

impl ConfigError {
    /// Build an error from a TOML deserialisation error, with the serde path as the field.
    pub fn from_toml(
        origin: &str,
        text: &str,
        e: serde_path_to_error::Error<toml::de::Error>,
    ) -> ConfigError {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let line = inner
            .span()
            .map(|s| line_of_offset(text, s.start))
            .or_else(|| locate_line(text, &path));
        // toml's message repeats the source excerpt; keep only its first line.
        let message = inner
            .message()
            .lines()
            .next()
            .unwrap_or("invalid value")
            .trim()
            .to_string();
        ConfigError::Invalid {
            file: origin.to_string(),
            line,
            field: if path == "." { String::new() } else { path },
            message,
        }
    }

    /// Build an error about `field` (a dotted path such as `site[2].url`), finding its line.
    pub fn locate(origin: &str, text: &str, field: &str, message: String) -> ConfigError {
        ConfigError::Invalid {
            file: origin.to_string(),
            line: locate_line(text, field),
            field: field.to_string(),
            message,
        }
    }

    /// The line of the error, when known (1-based).
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Invalid { line, .. } => *line,
            ConfigError::Io { .. } => None,
        }
    }
}

/// 1-based line number of a byte offset.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Find the line of a dotted field path such as `crawl.burst`, `site[1].url` or
/// `rule[3].params.window` in TOML text written in the usual style (one table header per
/// line, `key = value` lines). Returns the best line found: the key's line, else its table's.
pub fn locate_line(text: &str, path: &str) -> Option<usize> {
    // Split "site[1].crawl.burst" into [("site", Some(1)), ("crawl", None), ("burst", None)].
    let segs: Vec<(String, Option<usize>)> = path
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| match s.find('[') {
            Some(i) => {
                let idx = s[i + 1..].trim_end_matches(']').parse().ok();
                (s[..i].to_string(), idx)
            }
            None => (s.to_string(), None),
        })
        .collect();
    if segs.is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    // Walk table headers: find the header that matches the longest prefix of the path.
    let mut table_path: Vec<String> = Vec::new();
    let mut counters: std::collections::HashMap<String, usize> = Default::default();
    let mut best: Option<usize> = None;
    let mut best_depth = 0usize;
    for (n, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            // A nested array of tables ([[site.account]]) counts its elements per element
            // of its parent array: site[0].account[0], site[1].account[0].
            let parts: Vec<String> = h.trim().split('.').map(|s| s.trim().to_string()).collect();
            let mut full: Vec<String> = Vec::new();
            for (i, p) in parts.iter().enumerate() {
                match table_path.get(i) {
                    Some(tp) if i + 1 < parts.len() && tp.split('[').next() == Some(p.as_str()) => {
                        full.push(tp.clone())
                    }
                    _ => full.push(p.clone()),
                }
            }
            let c = counters.entry(full.join(".")).or_insert(0);
            let idx = *c;
            *c += 1;
            if let Some(last) = full.last_mut() {
                *last = format!("{last}[{idx}]");
            }
            table_path = full;
        } else if let Some(h) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            let name = h.trim();
            // A sub-table of the last array element keeps its index: [site.crawl] after [[site]].
            let parts: Vec<String> = name.split('.').map(|s| s.trim().to_string()).collect();
            let mut full = Vec::new();
            for (i, p) in parts.iter().enumerate() {
                match table_path.get(i) {
                    Some(tp) if tp.split('[').next() == Some(p.as_str()) => full.push(tp.clone()),
                    _ => full.push(p.clone()),
                }
            }
            table_path = full;
        } else if let Some((k, _)) = line.split_once('=') {
            let key = k.trim().trim_matches('"');
            let mut here: Vec<String> = table_path.clone();
            here.extend(
                key.split('.')
                    .map(|s| s.trim().trim_matches('"').to_string()),
            );
            let depth = matching_depth(&segs, &here);
            if depth > best_depth {
                best_depth = depth;
                best = Some(n + 1);
            }
            continue;
        } else {
            continue;
        }
        let depth = matching_depth(&segs, &table_path);
        if depth > best_depth {
            best_depth = depth;
            best = Some(n + 1);
        }
    }
    best
}

fn matching_depth(segs: &[(String, Option<usize>)], here: &[String]) -> usize {
    let mut d = 0;
    for (i, (name, idx)) in segs.iter().enumerate() {
        let Some(h) = here.get(i) else { break };
        let want = match idx {
            Some(i) => format!("{name}[{i}]"),
            None => name.clone(),
        };
        if *h == want {
            d += 1;
        } else {
            break;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_type_names_become_plain_words() {
        assert_eq!(
            plain_words("invalid type: string \"lots\", expected u32"),
            "invalid type: the text \"lots\", expected a whole number (0 or more)"
        );
        assert_eq!(
            plain_words("invalid type: floating point `1.5`, expected i64"),
            "invalid type: the number 1.5, expected a whole number"
        );
        assert_eq!(
            plain_words("invalid type: integer `3`, expected a sequence"),
            "invalid type: the whole number 3, expected a list"
        );
        assert_eq!(
            plain_words("invalid type: string \"x\", expected struct SiteConfig"),
            "invalid type: the text \"x\", expected a table"
        );
        assert_eq!(plain_words("expected f64"), "expected a number");
        assert_eq!(plain_words("expected a boolean"), "expected true or false");
        // Messages without type names are left alone.
        let m = "unknown key; expected one of: name, url";
        assert_eq!(plain_words(m), m);
        assert_eq!(
            plain_words("expected a string, found integer"),
            "expected text in quotes, found integer"
        );
    }

    #[test]
    fn locates_nested_fields() {
        let t = "[crawl]\nburst = 0\n\n[[site]]\nname = \"a\"\nurl = \"x\"\n\n[[site]]\nname = \"b\"\nurl = \"y\"\n[site.crawl]\nburst = 3\n";
        assert_eq!(locate_line(t, "crawl.burst"), Some(2));
        assert_eq!(locate_line(t, "site[0].url"), Some(6));
        assert_eq!(locate_line(t, "site[1].url"), Some(10));
        assert_eq!(locate_line(t, "site[1].crawl.burst"), Some(12));
        assert_eq!(locate_line(t, "site[1].missing"), Some(8));
    }
}
