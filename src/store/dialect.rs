//! The differences between the store's two databases, in one place. The store's SQL is
//! written once, in the dialect both understand (SQLite ≥ 3.39 and PostgreSQL ≥ 12 share
//! `ON CONFLICT` upserts, `RETURNING`, `IS NOT DISTINCT FROM`, window functions); what
//! differs is rewritten here when a statement is prepared for PostgreSQL:
//!
//! - placeholders: `?1` (and a bare `?`) become `$1`;
//! - the schema's types: `INTEGER PRIMARY KEY` becomes an identity column, `INTEGER` is
//!   `BIGINT`, `REAL` is `DOUBLE PRECISION`, `BLOB` is `BYTEA`, and text compares byte-wise
//!   (`COLLATE "C"`, as SQLite does), so that sorting and the comparison of RFC 3339 times
//!   are the same on both;
//! - the few expressions only one side has ([`POSTGRES_FRAGMENTS`]);
//! - where the schema version is kept (`PRAGMA user_version` / the `govscan_meta` table);
//! - row locks for the claims of the worker mode (`FOR UPDATE SKIP LOCKED`, which SQLite
//!   neither has nor needs: its write transactions are exclusive).

/// Which database a connection speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The clause that locks the selected rows for this transaction, skipping rows other
    /// transactions hold (empty on SQLite).
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// The database's clock in milliseconds since the Unix epoch (one value per statement).
    pub(crate) fn now_millis(self) -> &'static str {
        match self {
            Dialect::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
            Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS BIGINT)",
        }
    }
}

/// Expressions written for SQLite and their PostgreSQL form.
const POSTGRES_FRAGMENTS: &[(&str, &str)] = &[
    // A page's links: inline JSON text (rows before schema version 4, which no PostgreSQL
    // store has) or a compressed list; text and bytea do not mix in one COALESCE.
    ("COALESCE(l.links, p.links)", "l.links"),
];

/// A statement of the store as PostgreSQL reads it.
pub(crate) fn to_postgres(sql: &str) -> String {
    let mut sql = sql.to_string();
    for (from, to) in POSTGRES_FRAGMENTS {
        if sql.contains(from) {
            sql = sql.replace(from, to);
        }
    }
    placeholders(&sql)
}

/// `?N` → `$N`, a bare `?` → `$k` (counting), outside quoted text.
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next = 0u32;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                out.push(c);
            }
            (Some(_), c) => out.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '?') => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push('$');
                if digits.is_empty() {
                    next += 1;
                    out.push_str(&next.to_string());
                } else {
                    next = next.max(digits.parse().unwrap_or(0));
                    out.push_str(&digits);
                }
            }
            (None, c) => out.push(c),
        }
    }
    out
}

/// A migration's DDL as PostgreSQL reads it (see the module's notes).
pub(crate) fn ddl_to_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 256);
    let mut word = String::new();
    let mut pending: Vec<String> = Vec::new();
    // Tokenise into words and the rest, replacing type keywords (upper case, as the schema
    // writes them; column names are lower case).
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in sql.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut pending);
            pending.push(c.to_string());
        }
    }
    flush(&mut word, &mut pending);
    let mut i = 0;
    while i < pending.len() {
        let t = pending[i].as_str();
        let next_word = pending[i + 1..]
            .iter()
            .find(|w| !w.trim().is_empty())
            .map(String::as_str);
        match t {
            "INTEGER" if next_word == Some("PRIMARY") => {
                // `site_run INTEGER PRIMARY KEY REFERENCES …` is given its value; the others
                // number themselves.
                let references = pending[i + 1..]
                    .iter()
                    .take_while(|w| w.as_str() != "," && w.as_str() != "\n")
                    .any(|w| w == "REFERENCES");
                out.push_str(if references {
                    "BIGINT"
                } else {
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY"
                });
            }
            "INTEGER" => out.push_str("BIGINT"),
            "REAL" => out.push_str("DOUBLE PRECISION"),
            "BLOB" => out.push_str("BYTEA"),
            "TEXT" => out.push_str("TEXT COLLATE \"C\""),
            _ => out.push_str(t),
        }
        i += 1;
    }
    out
}

/// The PostgreSQL table holding the schema version (SQLite keeps it in the file's header).
pub(crate) const PG_META: &str =
    "CREATE TABLE IF NOT EXISTS govscan_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL)";

/// The lock that serialises beginning and taking over runs on PostgreSQL.
pub(crate) const PG_RUNS_LOCK: i64 = 0x0067_6f76_7363_616f;

/// The lock that serialises migrations of one PostgreSQL database (any constant key).
pub(crate) const PG_MIGRATION_LOCK: i64 = 0x0067_6f76_7363_616e;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(
            placeholders("SELECT a FROM t WHERE x = ?1 AND y = ?2 OR z = ?1"),
            "SELECT a FROM t WHERE x = $1 AND y = $2 OR z = $1"
        );
        assert_eq!(placeholders("VALUES (?, ?, '?')"), "VALUES ($1, $2, '?')");
    }

    #[test]
    fn ddl_types() {
        let t = ddl_to_postgres(
            "CREATE TABLE a (\n    id INTEGER PRIMARY KEY,\n    n INTEGER NOT NULL,\n    \
             s TEXT,\n    r REAL,\n    b BLOB\n);\nCREATE TABLE c (\n    site_run INTEGER PRIMARY KEY REFERENCES a (id),\n    text TEXT\n);",
        );
        assert!(t.contains("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
        assert!(t.contains("n BIGINT NOT NULL"));
        assert!(t.contains("s TEXT COLLATE \"C\""));
        assert!(t.contains("r DOUBLE PRECISION"));
        assert!(t.contains("b BYTEA"));
        assert!(t.contains("site_run BIGINT PRIMARY KEY REFERENCES"));
        assert!(t.contains("text TEXT COLLATE"));
    }
}
