//! The schema as a list of migrations. `PRAGMA user_version` holds the version a file is at;
//! opening a file applies the missing migrations in order, each in its own transaction, so an
//! older file is upgraded in place and a failed upgrade leaves it at its previous version.
//! Never edit a shipped migration: add a new one.
//!
//! PostgreSQL gets the same migrations, rewritten by [`super::dialect::ddl_to_postgres`]
//! (types), with its version in the `govscan_meta` table; the one statement only SQLite can
//! run (version 3's copy of old rows, which no PostgreSQL store has) is left out there.

use super::db::{Conn, DbError, DbResult};
use super::dialect;

/// The schema version this program writes.
pub const SCHEMA_VERSION: i64 = 15;

/// Version 1: runs, site runs, pages, link edges and results, facts, findings and their keys.
const V1: &str = r#"
CREATE TABLE runs (
    id                 INTEGER PRIMARY KEY,
    started            TEXT NOT NULL,
    finished           TEXT,
    as_of              TEXT NOT NULL,
    config_fingerprint TEXT NOT NULL,
    rules_fingerprint  TEXT NOT NULL,
    sites              TEXT NOT NULL
);
CREATE INDEX runs_unfinished ON runs (finished, id);

CREATE TABLE site_runs (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    site       TEXT NOT NULL,
    url        TEXT NOT NULL,
    level      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    started    TEXT NOT NULL,
    finished   TEXT,
    status     TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    error      TEXT,
    stats      TEXT,
    score      REAL,
    verdict    TEXT,
    score_json TEXT,
    UNIQUE (run_id, site)
);
CREATE INDEX site_runs_site ON site_runs (site, status, id);

CREATE TABLE pages (
    id            INTEGER PRIMARY KEY,
    site_run      INTEGER NOT NULL REFERENCES site_runs (id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    final_url     TEXT NOT NULL,
    depth         INTEGER NOT NULL,
    status        TEXT NOT NULL,
    http_status   INTEGER,
    charset       TEXT,
    title         TEXT,
    content_hash  TEXT,
    etag          TEXT,
    last_modified TEXT,
    fetched_at    TEXT NOT NULL,
    elapsed_ms    INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    truncated     INTEGER NOT NULL,
    links_found   INTEGER NOT NULL,
    UNIQUE (site_run, url)
);
CREATE INDEX pages_url ON pages (url);

CREATE TABLE edges (
    id       INTEGER PRIMARY KEY,
    site_run INTEGER NOT NULL REFERENCES site_runs (id) ON DELETE CASCADE,
    from_url TEXT NOT NULL,
    to_url   TEXT NOT NULL,
    text     TEXT NOT NULL,
    element  TEXT NOT NULL,
    FOREIGN KEY (site_run, from_url) REFERENCES pages (site_run, url) ON DELETE CASCADE
);
CREATE INDEX edges_from ON edges (site_run, from_url);

CREATE TABLE links (
    id             INTEGER PRIMARY KEY,
    site_run       INTEGER NOT NULL REFERENCES site_runs (id) ON DELETE CASCADE,
    url            TEXT NOT NULL,
    internal       INTEGER NOT NULL,
    on_home        INTEGER NOT NULL,
    status         TEXT NOT NULL,
    http_status    INTEGER,
    broken         INTEGER NOT NULL,
    redirects      TEXT NOT NULL,
    final_url      TEXT NOT NULL,
    elapsed_ms     INTEGER NOT NULL,
    referrers      TEXT NOT NULL,
    referrer_count INTEGER NOT NULL,
    UNIQUE (site_run, url)
);

CREATE TABLE facts (
    id       INTEGER PRIMARY KEY,
    site_run INTEGER NOT NULL REFERENCES site_runs (id) ON DELETE CASCADE,
    page     TEXT,
    kind     TEXT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL
);
CREATE INDEX facts_kind ON facts (site_run, kind, page);

CREATE TABLE finding_keys (
    id                  INTEGER PRIMARY KEY,
    site                TEXT NOT NULL,
    rule                TEXT NOT NULL,
    target              TEXT NOT NULL,
    first_seen_site_run INTEGER NOT NULL REFERENCES site_runs (id),
    first_seen_at       TEXT NOT NULL,
    last_seen_site_run  INTEGER NOT NULL REFERENCES site_runs (id),
    last_seen_at        TEXT NOT NULL,
    UNIQUE (site, rule, target)
);

CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    site_run    INTEGER NOT NULL REFERENCES site_runs (id) ON DELETE CASCADE,
    finding_key INTEGER NOT NULL REFERENCES finding_keys (id),
    rule        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    points      REAL NOT NULL,
    url         TEXT NOT NULL,
    page        TEXT,
    evidence    TEXT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX findings_site_run ON findings (site_run, finding_key);
CREATE INDEX findings_key ON findings (finding_key, site_run);
"#;

/// Version 2: availability probes (hourly, per site and address family) and the per-scan IPv6
/// summary of a site.
const V2: &str = r#"
CREATE TABLE probes (
    id         INTEGER PRIMARY KEY,
    site       TEXT NOT NULL,
    at         TEXT NOT NULL,
    family     INTEGER NOT NULL CHECK (family IN (4, 6)),
    address    TEXT,
    ok         INTEGER NOT NULL,
    status     INTEGER,
    latency_ms INTEGER,
    error      TEXT
);
CREATE INDEX probes_site_at ON probes (site, at);

CREATE TABLE site_ipv6 (
    site_run        INTEGER PRIMARY KEY REFERENCES site_runs (id) ON DELETE CASCADE,
    has_aaaa        INTEGER NOT NULL,
    home_reachable  INTEGER NOT NULL,
    links_checked   INTEGER NOT NULL,
    links_reachable INTEGER NOT NULL,
    detail          TEXT NOT NULL
);
"#;

/// Version 3: each page keeps its content facts (dated items, columns, footer, wording) and
/// its links as one JSON array of `[to, text, element]`, instead of one `edges` row per link:
/// a page is one row, about a third of the size, and several times faster to write.
const V3: &str = r#"
ALTER TABLE pages ADD COLUMN facts TEXT;
ALTER TABLE pages ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
UPDATE pages SET links = COALESCE((
    SELECT json_group_array(json_array(e.to_url, e.text, e.element))
    FROM (SELECT to_url, text, element FROM edges
          WHERE edges.site_run = pages.site_run AND edges.from_url = pages.url ORDER BY id) AS e
), '[]');
DROP TABLE edges;
"#;

/// Version 4: a page's link list is kept once per distinct content, in `link_lists`, and
/// pages point to it: the daily scan of a site whose pages did not change adds page rows but
/// no link lists. Rows written before keep their list inline in `pages.links` (read when
/// `links_id` is empty); nothing is moved.
const V4: &str = r#"
CREATE TABLE link_lists (
    id    INTEGER PRIMARY KEY,
    hash  BLOB NOT NULL UNIQUE,
    links BLOB NOT NULL
);
ALTER TABLE pages ADD COLUMN links_id INTEGER REFERENCES link_lists(id);
"#;

/// Version 5: who is writing a run (`host:pid`) and when it last showed signs of life, so
/// that `scan --resume` never takes over a run that another live process (a second worker on
/// the same store, or this morning's scan still running) is writing.
const V5: &str = r#"
ALTER TABLE runs ADD COLUMN owner TEXT;
ALTER TABLE runs ADD COLUMN heartbeat TEXT;
"#;

/// Version 6: the 行政规范性文件 library of a site as read at each scan (one JSON snapshot per
/// site run), for the changes between scans.
const V6: &str = r#"
CREATE TABLE normdoc_snapshots (
    site_run    INTEGER PRIMARY KEY REFERENCES site_runs (id) ON DELETE CASCADE,
    library_url TEXT NOT NULL,
    complete    INTEGER NOT NULL,
    records     INTEGER NOT NULL,
    snapshot    TEXT NOT NULL
);
"#;

/// Version 7: government new-media accounts (政务新媒体), inspected entities of their own: the
/// account (site, feed URL), each scan of it (its facts, verdict, newest post), and its
/// findings with their identity from scan to scan (account, rule, target).
const V7: &str = r#"
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    site       TEXT NOT NULL,
    feed       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    name       TEXT NOT NULL,
    unit       TEXT NOT NULL,
    discovered INTEGER NOT NULL,
    UNIQUE (site, feed)
);

CREATE TABLE account_scans (
    id          INTEGER PRIMARY KEY,
    account     INTEGER NOT NULL REFERENCES accounts (id),
    run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    as_of       TEXT NOT NULL,
    read_ok     INTEGER NOT NULL,
    verdict     TEXT NOT NULL,
    reason      TEXT,
    newest      TEXT,
    window_days INTEGER,
    posts       INTEGER,
    dormant     INTEGER NOT NULL,
    facts       TEXT NOT NULL,
    UNIQUE (run_id, account)
);
CREATE INDEX account_scans_account ON account_scans (account, id);

CREATE TABLE account_finding_keys (
    id              INTEGER PRIMARY KEY,
    account         INTEGER NOT NULL REFERENCES accounts (id),
    rule            TEXT NOT NULL,
    target          TEXT NOT NULL,
    first_seen_scan INTEGER NOT NULL REFERENCES account_scans (id),
    first_seen_at   TEXT NOT NULL,
    last_seen_scan  INTEGER NOT NULL REFERENCES account_scans (id),
    last_seen_at    TEXT NOT NULL,
    UNIQUE (account, rule, target)
);

CREATE TABLE account_findings (
    id          INTEGER PRIMARY KEY,
    scan        INTEGER NOT NULL REFERENCES account_scans (id) ON DELETE CASCADE,
    finding_key INTEGER NOT NULL REFERENCES account_finding_keys (id),
    rule        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    points      REAL NOT NULL,
    url         TEXT NOT NULL,
    page        TEXT,
    evidence    TEXT NOT NULL,
    message     TEXT NOT NULL
);
CREATE INDEX account_findings_scan ON account_findings (scan, finding_key);
"#;

/// Version 8: each page keeps its raw observation (its visible text up to 64 KiB, the home
/// page's `<meta>` pairs, the answer's status; JSON, LZ4-compressed), so a stored scan can be
/// judged again under changed rules (wording lists, empty-list and soft-404 phrases, the
/// 标识码 meta name). Like link lists, each distinct observation is stored once, in
/// `page_raws`, and pages point to it: an unchanged page of tomorrow's scan adds nothing.
/// Pages written before have none and keep their stored facts.
const V8: &str = r#"
CREATE TABLE page_raws (
    id    INTEGER PRIMARY KEY,
    hash  BLOB NOT NULL UNIQUE,
    raw   BLOB NOT NULL
);
ALTER TABLE pages ADD COLUMN raw_id INTEGER REFERENCES page_raws(id);
"#;

/// Version 9: a person's decision on a finding (人工确认): confirmed (a real problem, whatever
/// its evidence says about needing confirmation) or dismissed (误报, a false positive), by the
/// finding's identity (site, rule, target). The latest decision per identity is kept, with
/// who made it, when and why. Judging applies them; nothing else changes.
const V9: &str = r#"
CREATE TABLE reviews (
    id        INTEGER PRIMARY KEY,
    site      TEXT NOT NULL,
    rule      TEXT NOT NULL,
    target    TEXT NOT NULL,
    decision  TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
    reviewer  TEXT,
    note      TEXT,
    at        TEXT NOT NULL,
    UNIQUE (site, rule, target)
);
"#;

/// Version 10: a link to another site keeps what its target showed (`target`, JSON: the
/// page's title and the start of its visible text, or that its domain does not exist), so a
/// re-judging applies a changed keyword list of `link.outbound.bad_target`. Links written
/// before have none.
const V10: &str = r#"
ALTER TABLE links ADD COLUMN target TEXT;
"#;

/// Version 11: many workers sharing one store (PostgreSQL). `run_sites` is a run's queue of
/// sites: each is claimed by one worker at a time (`worker`, `heartbeat` of the claim), done
/// when its site run is finished or failed; a claim whose worker stopped beating is taken
/// over. `origin_pace` holds, per origin (scheme://host:port), the time (milliseconds since
/// the epoch, the database's clock) of the next request slot not yet leased to any worker:
/// the workers' aggregate rate to an origin never exceeds its limit.
const V11: &str = r#"
CREATE TABLE run_sites (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    site      TEXT NOT NULL,
    position  INTEGER NOT NULL,
    state     TEXT NOT NULL CHECK (state IN ('todo', 'claimed', 'done')),
    worker    TEXT,
    heartbeat TEXT,
    claims    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, site)
);
CREATE INDEX run_sites_state ON run_sites (run_id, state, position);

CREATE TABLE origin_pace (
    origin  TEXT PRIMARY KEY,
    next_at INTEGER NOT NULL
);
"#;

/// Version 12: per-site zstd dictionaries (`site_dicts`: trained on the raw observations and
/// link lists of a site's first pages, keyed by the xxh3-128 hash of the dictionary, with the
/// site, when it was first used, how many samples it was trained on and the share they
/// compressed to with it). `page_raws.dict_id` and `link_lists.dict_id` name the dictionary a
/// row was compressed with (none: a plain zstd frame, or LZ4 in rows written before).
const V12: &str = r#"
CREATE TABLE site_dicts (
    id         INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    site       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    samples    INTEGER NOT NULL,
    ratio      REAL NOT NULL,
    dict       BLOB NOT NULL
);
CREATE INDEX site_dicts_site ON site_dicts (site, id);
ALTER TABLE page_raws ADD COLUMN dict_id INTEGER REFERENCES site_dicts(id);
ALTER TABLE link_lists ADD COLUMN dict_id INTEGER REFERENCES site_dicts(id);
"#;

/// Version 13: a site run's pages and links in the order they were written. The reads that
/// visit them one at a time (`WHERE site_run = ? ORDER BY id`) walk these indexes instead of
/// sorting the site's rows (SQLite scanned the whole table or sorted in a temporary B-tree;
/// PostgreSQL sorted the rows before the first reached the cursor).
const V13: &str = r#"
CREATE INDEX pages_site_run_id ON pages (site_run, id);
CREATE INDEX links_site_run_id ON links (site_run, id);
"#;

/// Version 14: a page's raw observation, links, title and facts are stored as one frame, its
/// body (`page_bodies`: content-addressed like `page_raws` and `link_lists`, compressed with
/// the site's dictionary), which `pages.body_id` names; the page row keeps its other columns,
/// with an empty `final_url` when it is the URL asked for and an empty `status` for a 2xx
/// answer (its code is `http_status`), as `links` rows do. Rows written before keep their
/// format and are read as before. The index of pages by URL alone goes: every read of a
/// page by URL names its site (`site_runs` by site, then `(site_run, url)`).
const V14: &str = r#"
CREATE TABLE page_bodies (
    id      INTEGER PRIMARY KEY,
    hash    BLOB NOT NULL UNIQUE,
    body    BLOB NOT NULL,
    dict_id INTEGER REFERENCES site_dicts(id)
);
ALTER TABLE pages ADD COLUMN body_id INTEGER REFERENCES page_bodies(id);
DROP INDEX pages_url;
"#;

/// Version 15: a site run's pages by final URL. A site judged from the store holds only the
/// pages its checks go through and looks the others up by URL, else by final URL (a page
/// reached through a redirect); without this index each such look-up read all the site
/// run's pages.
const V15: &str = r#"
CREATE INDEX pages_site_run_final_url ON pages (site_run, final_url);
"#;

/// The migrations, in order: `MIGRATIONS[i]` takes a file from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15,
];

/// Version 3 on PostgreSQL: without the copy of the rows of version 2 (SQLite's JSON
/// functions), since a PostgreSQL store starts empty (and is migrated to the current version at once).
const V3_POSTGRES: &str = r#"
ALTER TABLE pages ADD COLUMN facts TEXT;
ALTER TABLE pages ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
DROP TABLE edges;
"#;

/// Migration `step` (from version `step` to `step + 1`) as PostgreSQL reads it.
fn postgres_migration(step: usize) -> Option<String> {
    let sql = if step == 2 {
        V3_POSTGRES
    } else {
        MIGRATIONS.get(step)?
    };
    Some(dialect::ddl_to_postgres(sql))
}

/// The version a file is at.
pub(crate) fn user_version(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// The version a PostgreSQL database is at (0: no govscan tables yet).
pub(crate) fn pg_version(conn: &Conn) -> DbResult<i64> {
    let exists: bool = conn.query_row(
        "SELECT to_regclass('govscan_meta') IS NOT NULL",
        super::db::params![],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    let v: Option<i64> = conn.query_row(
        "SELECT MAX(value) FROM govscan_meta WHERE key = 'schema_version'",
        super::db::params![],
        |r| r.get(0),
    )?;
    Ok(v.unwrap_or(0))
}

/// Bring the file up to `target`, one migration per transaction. Returns the (from, to) of a
/// failed step with the error, so the message can say which upgrade failed.
pub(crate) fn migrate(conn: &Conn, target: i64) -> Result<(), (i64, i64, DbError)> {
    let Some(sqlite) = conn.sqlite() else {
        return migrate_pg(conn, target);
    };
    loop {
        // Take the write lock first, then read the version under it: two processes opening
        // an old file at once must not both apply the same migration.
        let tx = conn.transaction().map_err(|e| (0, target, e))?;
        let current = user_version(sqlite).map_err(|e| (0, target, e.into()))?;
        if current >= target {
            return Ok(());
        }
        let step = usize::try_from(current).unwrap_or(usize::MAX);
        let Some(sql) = MIGRATIONS.get(step) else {
            return Ok(());
        };
        let next = current + 1;
        tx.execute_batch(sql).map_err(|e| (current, next, e))?;
        sqlite
            .pragma_update(None, "user_version", next)
            .map_err(|e| (current, next, e.into()))?;
        tx.commit().map_err(|e| (current, next, e))?;
    }
}

/// [`migrate`] for PostgreSQL: each step in a transaction holding an advisory lock, so that
/// workers starting together against a new database apply each migration once.
pub(crate) fn migrate_pg(conn: &Conn, target: i64) -> Result<(), (i64, i64, DbError)> {
    loop {
        let tx = conn.transaction().map_err(|e| (0, target, e))?;
        tx.execute_batch(&format!(
            "SELECT pg_advisory_xact_lock({}); {}",
            dialect::PG_MIGRATION_LOCK,
            dialect::PG_META
        ))
        .map_err(|e| (0, target, e))?;
        let current = pg_version(&tx).map_err(|e| (0, target, e))?;
        if current >= target {
            return Ok(());
        }
        let step = usize::try_from(current).unwrap_or(usize::MAX);
        let Some(sql) = postgres_migration(step) else {
            return Ok(());
        };
        let next = current + 1;
        tx.execute_batch(&sql).map_err(|e| (current, next, e))?;
        tx.execute(
            "INSERT INTO govscan_meta (key, value) VALUES ('schema_version', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            super::db::params![next],
        )
        .map_err(|e| (current, next, e))?;
        tx.commit().map_err(|e| (current, next, e))?;
    }
}
