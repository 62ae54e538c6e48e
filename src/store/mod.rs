//! The store: every scan's facts, findings and scores, kept in one SQLite file.
//!
//! Owns: the database file (opening, locking, the schema and its migrations) and all SQL of
//! the program. The rest of govscan speaks to it through the typed functions of [`Store`];
//! see `SCHEMA.md` beside this file for the tables.
//!
//! - **Written as results arrive.** A run and each site's part in it are recorded when they
//!   start ([`Store::begin_run`], [`Store::begin_site`]); pages, link results and facts as the
//!   crawl produces them ([`Store::save_page`], [`Store::save_link`], [`Store::save_facts`],
//!   or many at once in one transaction with [`Store::write`]); findings and the score when a
//!   site is judged ([`Store::finish_site`]). A page and its links are written in one
//!   transaction, so a killed scan never leaves half a page, and `scan --resume` rebuilds a
//!   site's frontier from [`Store::resume_state`].
//! - **Finding identity.** A finding is the same problem from scan to scan when its site,
//!   rule and target URL are the same; [`Store::finish_site`] returns what is new, persisting
//!   and fixed against the site's previous finished scan, and [`Store::findings`] reads them
//!   back with that status.
//! - **Schema versions.** `PRAGMA user_version` holds the version; opening a file upgrades an
//!   older one in place, one migration per transaction, and refuses a newer one untouched.
//! - **Durability.** WAL journal with `synchronous = NORMAL`: a killed process loses no
//!   committed transaction; a power cut may lose the last few, never corrupt the file.
//! - **Cheap writes.** The crawl's workers encode pages and link results ([`PageRow`],
//!   [`LinkRow`]: JSON, the page's body — raw observation, links, title and facts —
//!   zstd-compressed as one frame, with the site's dictionary once its first pages trained
//!   one: [`SiteCodec`]) so that the writer thread only binds and inserts; 16 KiB pages and a
//!   32 MiB page cache fit its transactions of a few thousand rows. A page's body is stored
//!   once per distinct content (`page_bodies`, version 14; before, the link list in
//!   `link_lists` and the raw observation — visible text, home-page meta, status; what a
//!   re-judging draws the rule-dependent facts from — in `page_raws`), so the daily scan of
//!   an unchanged site adds page rows but no bodies.
//!
//! **Not tied to SQLite.** The API takes and returns domain types, ids as [`RunId`] and
//! [`SiteRunId`], times as `chrono` values and JSON as `serde_json::Value`; no database type
//! leaks out, and errors are [`StoreError`] variants named by what went wrong (locked,
//! read-only, full, corrupt), not by SQLite codes. The SQL itself is plain (upserts with
//! `ON CONFLICT`, JSON kept as text, one compressed blob) so that the planned PostgreSQL store, shared by many
//! workers that take sites from it, can implement the same functions on the same schema.
//!
//! A [`Store`] is one connection: it is `Send` but not `Sync`. Give it to one writer (a
//! thread, or a task using `spawn_blocking`) that receives results over a channel and commits
//! them in batches with [`Store::write`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use rusqlite::OpenFlags;
use serde::de::DeserializeOwned;
use serde::Serialize;

mod accounts;
pub(crate) mod db;
mod dialect;
mod error;
mod findings;
mod normdoc;
mod pages;
mod probes;
mod reviews;
mod runs;
mod schema;
mod sitedict;
mod tls;
mod types;
mod work;

#[cfg(test)]
mod tests;

use db::{Conn, DbError, Row};

pub use accounts::{AccountFinding, AccountRow, AccountScan};
pub use dialect::Dialect;
pub use error::StoreError;
pub use normdoc::StoredSnapshot;
pub use pages::{Batch, LinkRow, PageRow};
pub use runs::{this_process, Claim, HEARTBEAT_EVERY};
pub use schema::SCHEMA_VERSION;
pub use sitedict::{SiteCodec, SiteDict};
pub use types::{
    Edge, Fact, FindingDiff, FindingFilter, FindingStatus, HistoryRow, IpFamily, Ipv6Summary,
    Probe, ResumeState, RunId, RunInfo, SiteRunId, SiteRunInfo, SiteRunStatus, StoredFinding,
    ValidatorIndex, Validators,
};
pub use work::{Completion, QueueState, SiteClaim, WORKER_STALE_AFTER};

/// The environment variable that names a PostgreSQL store, overriding `[store] url`.
pub const STORE_URL_ENV: &str = "GOVSCAN_STORE_URL";

/// How to open a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOptions {
    /// How long to wait for a lock held by another connection before failing with
    /// [`StoreError::Busy`].
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Where a store lives: an SQLite file (the embedded default) or a PostgreSQL database shared
/// by many workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A `postgres://` (or `postgresql://`) URL, or a libpq `key=value` string.
    Postgres(String),
}

impl Location {
    /// The location of a store setting: a URL in the environment variable [`STORE_URL_ENV`]
    /// wins over the `url` of `[store]`, which wins over its `path`.
    pub fn from_settings(path: &Path, url: Option<&str>) -> Location {
        let env = std::env::var(STORE_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty());
        match env.as_deref().or(url).map(str::trim) {
            Some(u) if !u.is_empty() => Location::Postgres(u.to_string()),
            _ => Location::Sqlite(path.to_path_buf()),
        }
    }

    /// Whether the store exists (a PostgreSQL database always is, as far as opening goes).
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(p) => p.is_file(),
            Location::Postgres(_) => true,
        }
    }

    /// For messages: the file, or the database URL without its password.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(u) => redact(u),
        }
    }
}

/// A connection string without its password.
fn redact(url: &str) -> String {
    if let Ok(mut u) = url::Url::parse(url) {
        if u.password().is_some() {
            let _ = u.set_password(Some("***"));
        }
        return u.to_string();
    }
    url.split_whitespace()
        .map(|kv| {
            if kv.starts_with("password=") {
                "password=***"
            } else {
                kv
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The store: one database connection, opened once per process (or per writer).
#[derive(Debug)]
pub struct Store {
    conn: Conn,
    path: PathBuf,
    location: Location,
    read_only: bool,
}

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    /// Open (creating if needed) the store at `path` for reading and writing, upgrading an
    /// older schema in place.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, &StoreOptions::default())
    }

    /// Open the store at `location` for reading and writing (creating and upgrading it).
    pub fn open_location(location: &Location) -> Result<Store> {
        match location {
            Location::Sqlite(p) => Store::open(p),
            Location::Postgres(url) => Store::open_postgres(url, false),
        }
    }

    /// Open the store at `location` for reading only.
    pub fn open_location_read_only(location: &Location) -> Result<Store> {
        match location {
            Location::Sqlite(p) => Store::open_read_only(p),
            Location::Postgres(url) => Store::open_postgres(url, true),
        }
    }

    /// Connect to a PostgreSQL store, creating and upgrading its schema (unless `read_only`,
    /// which refuses an outdated one and makes every transaction read-only).
    pub fn open_postgres(url: &str, read_only: bool) -> Result<Store> {
        let location = Location::Postgres(url.to_string());
        let shown = location.display();
        let path = PathBuf::from(&shown);
        let open_err = |e: DbError| StoreError::from_db("open", &path, e);
        let target = tls::PgTarget::parse(url).map_err(|message| StoreError::Other {
            action: "open".into(),
            file: shown.clone(),
            message,
        })?;
        let require_tls = target.requires_tls();
        let connect = move || target.connect();
        // The synchronous client starts a runtime of its own: not from inside another one.
        let client = if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| s.spawn(connect).join()).map_err(|_| StoreError::Io {
                action: "open".into(),
                file: shown.clone(),
                message: "the connection thread failed".into(),
            })?
        } else {
            connect()
        }
        .map_err(|e| match e {
            tls::ConnectError::Pg(e) => {
                let e = DbError::Pg(e);
                let text = e.to_string();
                if require_tls && text.contains("TLS") {
                    StoreError::Other {
                        action: "open".into(),
                        file: shown.clone(),
                        message: format!(
                            "{text} (the URL says sslmode=require: the server must offer TLS \
                             with a certificate from a known authority or from sslrootcert)"
                        ),
                    }
                } else {
                    open_err(e)
                }
            }
            tls::ConnectError::Setup(message) => StoreError::Other {
                action: "open".into(),
                file: shown.clone(),
                message,
            },
        })?;
        let conn = Conn::Pg(Box::new(db::PgConn::new(client)));
        let found = schema::pg_version(&conn).map_err(open_err)?;
        check_found(found, &path)?;
        if found < SCHEMA_VERSION {
            if read_only {
                return Err(StoreError::Outdated {
                    file: shown,
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            schema::migrate_pg(&conn, SCHEMA_VERSION)
                .map_err(|(from, to, e)| migrate_err(from, to, &path, e))?;
        }
        if read_only {
            conn.execute_batch("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                .map_err(open_err)?;
        }
        Ok(Store {
            conn,
            path,
            location,
            read_only,
        })
    }

    /// [`Store::open`] with options.
    pub fn open_with(path: &Path, options: &StoreOptions) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = connect(path, flags, options)?;
        let found = check_version(&conn, path)?;
        let open_err = |e: rusqlite::Error| StoreError::from_db("open", path, e.into());
        // SQLite quietly falls back to read-only when the file is write-protected; say so now
        // rather than at the first write of a scan.
        if conn
            .is_readonly(rusqlite::DatabaseName::Main)
            .map_err(open_err)?
        {
            return Err(StoreError::ReadOnly {
                action: "open".into(),
                file: path.display().to_string(),
                message: "the file or its folder cannot be written".into(),
            });
        }
        if found == 0 {
            // A new file: 16 KiB pages hold several compressed page rows each (with 4 KiB pages
            // a 2 KiB row took a page to itself). It can only be set before the first write.
            conn.pragma_update(None, "page_size", 16_384)
                .map_err(open_err)?;
        }
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(file = %path.display(), mode, "the store could not switch to WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        // 8 MiB of page cache: it holds the indexes a scan's writes look up (page observations
        // and link lists by content hash); a larger one only kept more of the freshly written
        // rows (32 MiB measured the same pages/s and 20 MiB more memory).
        conn.pragma_update(None, "cache_size", -8_192)
            .map_err(open_err)?;
        let conn = Conn::Sqlite(conn);
        if found < SCHEMA_VERSION {
            schema::migrate(&conn, SCHEMA_VERSION)
                .map_err(|(from, to, e)| migrate_err(from, to, path, e))?;
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            location: Location::Sqlite(path.to_path_buf()),
            read_only: false,
        })
    }

    /// Open an existing store for reading only (reports, the bulletin). Never writes to the
    /// file; every write through it fails with [`StoreError::ReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = connect(path, flags, &StoreOptions::default())?;
        let found = check_version(&conn, path)?;
        if found < SCHEMA_VERSION {
            return Err(StoreError::Outdated {
                file: path.display().to_string(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(Store {
            conn: Conn::Sqlite(conn),
            path: path.to_path_buf(),
            location: Location::Sqlite(path.to_path_buf()),
            read_only: true,
        })
    }

    /// The database file (for PostgreSQL, its URL without the password, as a path).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the store lives.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Which database the store is kept in.
    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    /// Whether the store is shared by many processes on many machines (PostgreSQL), so that
    /// a run's sites are claimed by workers.
    pub fn is_shared(&self) -> bool {
        self.dialect() == Dialect::Postgres
    }

    /// The schema version of the file.
    pub fn schema_version(&self) -> Result<i64> {
        match &self.conn {
            Conn::Sqlite(c) => schema::user_version(c)
                .map_err(|e| self.err("read the schema version of", e.into())),
            Conn::Pg(_) => schema::pg_version(&self.conn)
                .map_err(|e| self.err("read the schema version of", e)),
        }
    }

    /// Classify a database error raised while doing `action`.
    fn err(&self, action: &str, e: DbError) -> StoreError {
        let e = if self.read_only {
            match e {
                DbError::Pg(pg)
                    if pg.code() == Some(&postgres::error::SqlState::READ_ONLY_SQL_TRANSACTION) =>
                {
                    return StoreError::ReadOnly {
                        action: action.to_string(),
                        file: self.path.display().to_string(),
                        message: pg.to_string(),
                    }
                }
                e => e,
            }
        } else {
            e
        };
        StoreError::from_db(action, &self.path, e)
    }
}

fn migrate_err(from: i64, to: i64, path: &Path, e: DbError) -> StoreError {
    let action = if from == 0 && to == SCHEMA_VERSION {
        "migrate".to_string()
    } else {
        format!("migrate (schema version {from} to {to})")
    };
    StoreError::from_db(&action, path, e)
}

fn connect(path: &Path, flags: OpenFlags, options: &StoreOptions) -> Result<rusqlite::Connection> {
    let open_err = |e: rusqlite::Error| StoreError::from_db("open", path, e.into());
    let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(open_err)?;
    conn.busy_timeout(options.busy_timeout).map_err(open_err)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// The file's schema version, refusing one newer than this program (before anything is
/// written: not even the journal mode is changed).
fn check_version(conn: &rusqlite::Connection, path: &Path) -> Result<i64> {
    let found =
        schema::user_version(conn).map_err(|e| StoreError::from_db("open", path, e.into()))?;
    check_found(found, path)?;
    Ok(found)
}

fn check_found(found: i64, path: &Path) -> Result<()> {
    if found < 0 {
        return Err(StoreError::Corrupt {
            action: "open".into(),
            file: path.display().to_string(),
            message: format!("schema version {found} is not one govscan writes"),
        });
    }
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            file: path.display().to_string(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

// ---- conversions between domain values and columns ----

fn now() -> DateTime<FixedOffset> {
    crate::asof::now()
}

fn time_text(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339()
}

/// A non-negative count as a column value (saturating: no real count reaches 2^63).
fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn int_usize(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// JSON text of a value.
fn to_json<T: Serialize + ?Sized>(v: &T) -> std::result::Result<String, DbError> {
    serde_json::to_string(v).map_err(|e| DbError::Encode(e.to_string()))
}

/// The text of a unit-like enum (`veto`, `county`, `a`) as serde writes it.
fn enum_text<T: Serialize>(v: &T) -> std::result::Result<String, DbError> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(DbError::Encode(format!("not a unit enum: {other}"))),
        Err(e) => Err(DbError::Encode(e.to_string())),
    }
}

use db::bad;

fn col_json<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> db::DbResult<T> {
    let s: String = row.get(idx)?;
    serde_json::from_str(&s).map_err(|e| bad(idx, e))
}

fn col_json_opt<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> db::DbResult<Option<T>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| serde_json::from_str(&s).map_err(|e| bad(idx, e)))
        .transpose()
}

fn col_enum<T: DeserializeOwned>(row: &Row<'_>, idx: usize) -> db::DbResult<T> {
    let s: String = row.get(idx)?;
    serde_json::from_value(serde_json::Value::String(s)).map_err(|e| bad(idx, e))
}

fn col_u64(row: &Row<'_>, idx: usize) -> db::DbResult<u64> {
    let v: i64 = row.get(idx)?;
    u64::try_from(v).map_err(|e| bad(idx, e))
}

fn col_usize(row: &Row<'_>, idx: usize) -> db::DbResult<usize> {
    let v: i64 = row.get(idx)?;
    usize::try_from(v).map_err(|e| bad(idx, e))
}

fn col_time(row: &Row<'_>, idx: usize) -> db::DbResult<DateTime<FixedOffset>> {
    let s: String = row.get(idx)?;
    DateTime::parse_from_rfc3339(&s).map_err(|e| bad(idx, e))
}

fn col_time_opt(row: &Row<'_>, idx: usize) -> db::DbResult<Option<DateTime<FixedOffset>>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| DateTime::parse_from_rfc3339(&s).map_err(|e| bad(idx, e)))
        .transpose()
}
