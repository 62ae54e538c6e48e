//! One connection to either database, with the small API the store's SQL is written against:
//! prepared (cached) statements, typed parameters and columns, transactions. Everything that
//! differs between SQLite and PostgreSQL at the level of a statement lives here and in
//! [`super::dialect`]: placeholders (`?1` / `$1`), how a column value is decoded, how a
//! transaction begins, and calling the synchronous PostgreSQL client from inside an async
//! runtime.

use std::cell::RefCell;
use std::collections::HashMap;

use postgres::types::{FromSql, IsNull, ToSql, Type as PgType};

use super::dialect::{self, Dialect};

/// A parameter value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What can be bound as a parameter.
pub(crate) trait ToValue {
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}
impl ToValue for i32 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for u32 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for u16 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for u8 {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl<const N: usize> ToValue for [u8; N] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}

/// A statement's parameters.
pub(crate) trait Params {
    fn into_values(self) -> Vec<Value>;
}

impl<T: ToValue, const N: usize> Params for [T; N] {
    fn into_values(self) -> Vec<Value> {
        self.iter().map(ToValue::to_value).collect()
    }
}

impl Params for Vec<Value> {
    fn into_values(self) -> Vec<Value> {
        self
    }
}

/// `params![a, b, c]`: the parameters of a statement, each anything [`ToValue`].
macro_rules! params {
    () => {{
        let none: [$crate::store::db::Value; 0] = [];
        none
    }};
    ($($x:expr),+ $(,)?) => {
        [$($crate::store::db::ToValue::to_value(&$x)),+]
    };
}
pub(crate) use params;

/// A failure at the level of one statement.
#[derive(Debug)]
pub(crate) enum DbError {
    Sqlite(rusqlite::Error),
    Pg(postgres::Error),
    /// A column value that does not decode to what was asked.
    Decode {
        column: usize,
        message: String,
    },
    /// A value that cannot be encoded for the store.
    Encode(String),
    /// `query_row` found no row.
    NoRows,
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Sqlite(e) => write!(f, "{e}"),
            DbError::Pg(e) => match e.as_db_error() {
                Some(db) => write!(f, "{}: {}", db.code().code(), db.message()),
                // The client's message names the step ("error performing TLS handshake");
                // its cause says why ("server does not support TLS", "Connection refused").
                None => {
                    write!(f, "{e}")?;
                    let mut cause = std::error::Error::source(e);
                    while let Some(c) = cause {
                        write!(f, ": {c}")?;
                        cause = c.source();
                    }
                    Ok(())
                }
            },
            DbError::Decode { column, message } => {
                write!(f, "column {column} does not decode: {message}")
            }
            DbError::Encode(m) => write!(f, "cannot encode a value: {m}"),
            DbError::NoRows => write!(f, "query returned no rows"),
        }
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => DbError::NoRows,
            rusqlite::Error::FromSqlConversionFailure(column, _, e) => DbError::Decode {
                column,
                message: e.to_string(),
            },
            rusqlite::Error::InvalidColumnType(column, name, ty) => DbError::Decode {
                column,
                message: format!("column {name} holds {ty}"),
            },
            rusqlite::Error::IntegralValueOutOfRange(column, v) => DbError::Decode {
                column,
                message: format!("{v} is out of range"),
            },
            e => DbError::Sqlite(e),
        }
    }
}

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        DbError::Pg(e)
    }
}

pub(crate) type DbResult<T> = std::result::Result<T, DbError>;

/// A column that failed to decode.
pub(crate) fn bad(
    column: usize,
    e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> DbError {
    DbError::Decode {
        column,
        message: e.into().to_string(),
    }
}

/// `query_row(..).optional()`: no row is `None`.
pub(crate) trait OptionalExtension<T> {
    fn optional(self) -> DbResult<Option<T>>;
}

impl<T> OptionalExtension<T> for DbResult<T> {
    fn optional(self) -> DbResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

// ---- values in and out ----

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Integer(*v),
            Value::Real(v) => ValueRef::Real(*v),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &PgType,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                PgType::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                PgType::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                PgType::FLOAT8 => (*v as f64).to_sql(ty, out),
                PgType::FLOAT4 => (*v as f32).to_sql(ty, out),
                PgType::BOOL => (*v != 0).to_sql(ty, out),
                PgType::TEXT | PgType::VARCHAR => v.to_string().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                PgType::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &PgType) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// An integer column of PostgreSQL, whatever integer type the expression has (a `SUM` of
/// `BIGINT`s is `NUMERIC`, a literal `INT4`, `EXISTS` a `BOOL`).
struct PgInt(i64);

impl<'a> FromSql<'a> for PgInt {
    fn from_sql(
        ty: &PgType,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgInt(match *ty {
            PgType::INT2 => i64::from(i16::from_sql(ty, raw)?),
            PgType::INT4 => i64::from(i32::from_sql(ty, raw)?),
            PgType::BOOL => i64::from(bool::from_sql(ty, raw)?),
            PgType::NUMERIC => numeric_to_f64(raw)?.round() as i64,
            _ => i64::from_sql(ty, raw)?,
        }))
    }

    fn accepts(ty: &PgType) -> bool {
        matches!(
            *ty,
            PgType::INT2 | PgType::INT4 | PgType::INT8 | PgType::BOOL | PgType::NUMERIC
        )
    }
}

struct PgReal(f64);

impl<'a> FromSql<'a> for PgReal {
    fn from_sql(
        ty: &PgType,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(PgReal(match *ty {
            PgType::FLOAT4 => f64::from(f32::from_sql(ty, raw)?),
            PgType::INT2 | PgType::INT4 | PgType::INT8 | PgType::BOOL => {
                PgInt::from_sql(ty, raw)?.0 as f64
            }
            PgType::NUMERIC => numeric_to_f64(raw)?,
            _ => f64::from_sql(ty, raw)?,
        }))
    }

    fn accepts(ty: &PgType) -> bool {
        matches!(
            *ty,
            PgType::FLOAT4
                | PgType::FLOAT8
                | PgType::INT2
                | PgType::INT4
                | PgType::INT8
                | PgType::BOOL
                | PgType::NUMERIC
        )
    }
}

/// PostgreSQL's binary `NUMERIC` (base-10000 digits) as a float.
fn numeric_to_f64(raw: &[u8]) -> Result<f64, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> Result<i16, Box<dyn std::error::Error + Sync + Send>> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short NUMERIC value".into())
    };
    let ndigits = usize::try_from(word(0)?).unwrap_or(0);
    let weight = i32::from(word(1)?);
    let sign = word(2)? as u16;
    if sign == 0xC000 {
        return Err("NUMERIC NaN".into());
    }
    let mut v = 0f64;
    for i in 0..ndigits {
        let d = f64::from(word(4 + i)?);
        v += d * 10000f64.powi(weight - i32::try_from(i).unwrap_or(0));
    }
    Ok(if sign == 0x4000 { -v } else { v })
}

/// A row being read.
pub(crate) enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

/// A column's raw value (for columns that hold either text or a blob).
pub(crate) enum RawValue<'a> {
    Null,
    Text(&'a [u8]),
    Blob(&'a [u8]),
    Other(&'static str),
}

impl Row<'_> {
    pub(crate) fn get<T: FromColumn>(&self, idx: usize) -> DbResult<T> {
        match self {
            Row::Sqlite(r) => T::from_sqlite(r, idx).map_err(DbError::from),
            Row::Pg(r) => T::from_pg(r, idx),
        }
    }

    pub(crate) fn get_raw(&self, idx: usize) -> DbResult<RawValue<'_>> {
        use rusqlite::types::ValueRef;
        match self {
            Row::Sqlite(r) => Ok(match r.get_ref(idx)? {
                ValueRef::Null => RawValue::Null,
                ValueRef::Text(t) => RawValue::Text(t),
                ValueRef::Blob(b) => RawValue::Blob(b),
                ValueRef::Integer(_) => RawValue::Other("an integer"),
                ValueRef::Real(_) => RawValue::Other("a real"),
            }),
            Row::Pg(r) => {
                let ty = r
                    .columns()
                    .get(idx)
                    .map(|c| c.type_().clone())
                    .ok_or_else(|| bad(idx, "no such column"))?;
                Ok(match ty {
                    PgType::BYTEA => match r.try_get::<_, Option<&[u8]>>(idx)? {
                        Some(b) => RawValue::Blob(b),
                        None => RawValue::Null,
                    },
                    PgType::TEXT | PgType::VARCHAR => match r.try_get::<_, Option<&str>>(idx)? {
                        Some(t) => RawValue::Text(t.as_bytes()),
                        None => RawValue::Null,
                    },
                    _ => RawValue::Other("neither text nor a blob"),
                })
            }
        }
    }
}

/// A column type the store reads.
pub(crate) trait FromColumn: Sized {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self>;
    fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self>;
}

macro_rules! direct_column {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
                row.get(idx)
            }
            fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
                Ok(row.try_get(idx)?)
            }
        }
    )*};
}
direct_column!(String, Option<String>, Vec<u8>, Option<Vec<u8>>);

impl FromColumn for i64 {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        row.get(idx)
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
        Ok(row.try_get::<_, PgInt>(idx)?.0)
    }
}

impl FromColumn for Option<i64> {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        row.get(idx)
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
        Ok(row.try_get::<_, Option<PgInt>>(idx)?.map(|v| v.0))
    }
}

impl FromColumn for f64 {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        row.get(idx)
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
        Ok(row.try_get::<_, PgReal>(idx)?.0)
    }
}

impl FromColumn for Option<f64> {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        row.get(idx)
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
        Ok(row.try_get::<_, Option<PgReal>>(idx)?.map(|v| v.0))
    }
}

impl FromColumn for bool {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        row.get(idx)
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
        Ok(row.try_get::<_, PgInt>(idx)?.0 != 0)
    }
}

impl FromColumn for Option<bool> {
    fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
        row.get(idx)
    }
    fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
        Ok(row.try_get::<_, Option<PgInt>>(idx)?.map(|v| v.0 != 0))
    }
}

macro_rules! narrow_int_column {
    ($($t:ty),*) => {$(
        impl FromColumn for $t {
            fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
                row.get(idx)
            }
            fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
                let v = row.try_get::<_, PgInt>(idx)?.0;
                <$t>::try_from(v).map_err(|e| bad(idx, e))
            }
        }
        impl FromColumn for Option<$t> {
            fn from_sqlite(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Self> {
                row.get(idx)
            }
            fn from_pg(row: &postgres::Row, idx: usize) -> DbResult<Self> {
                row.try_get::<_, Option<PgInt>>(idx)?
                    .map(|v| <$t>::try_from(v.0).map_err(|e| bad(idx, e)))
                    .transpose()
            }
        }
    )*};
}
narrow_int_column!(i32, u32, u16, u8, usize, u64);

// ---- the connection ----

/// A PostgreSQL connection with its prepared statements.
pub(crate) struct PgConn {
    /// Always `Some` until dropped.
    client: RefCell<Option<postgres::Client>>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// How many streamed reads ([`PgConn::for_each`]) are open on this connection: the next
    /// one's cursor is named after this depth, so nested reads never share a name.
    cursors_open: std::cell::Cell<usize>,
    /// Bumped when closing a cursor failed (it may still exist), so its name is not reused.
    cursor_generation: std::cell::Cell<u64>,
}

/// Rows fetched from a cursor at a time by [`PgConn::for_each`].
pub(crate) const PG_FETCH_ROWS: usize = 500;

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgConn")
    }
}

impl Drop for PgConn {
    fn drop(&mut self) {
        // Closing the connection blocks on the client's runtime too.
        let statements = std::mem::take(self.statements.get_mut());
        if let Some(client) = self.client.get_mut().take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                std::thread::scope(|s| {
                    s.spawn(move || {
                        drop(statements);
                        drop(client);
                    });
                });
            } else {
                drop(statements);
                drop(client);
            }
        }
    }
}

impl PgConn {
    pub(crate) fn new(client: postgres::Client) -> PgConn {
        PgConn {
            client: RefCell::new(Some(client)),
            statements: RefCell::new(HashMap::new()),
            cursors_open: std::cell::Cell::new(0),
            cursor_generation: std::cell::Cell::new(0),
        }
    }

    /// Run `f` with the client. The synchronous client drives its own runtime, which cannot
    /// be entered from inside another: called from an async task (a report command, the
    /// crawl's look-ups of stored pages), it runs on a short-lived thread of its own.
    fn with<R: Send>(&self, f: impl FnOnce(&mut postgres::Client) -> R + Send) -> DbResult<R> {
        let mut guard = self
            .client
            .try_borrow_mut()
            .map_err(|_| DbError::Encode("the connection is already in use".into()))?;
        let client = guard
            .as_mut()
            .ok_or_else(|| DbError::Encode("the connection is closed".into()))?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Ok(f(client));
        }
        std::thread::scope(|s| match s.spawn(move || f(client)).join() {
            Ok(r) => Ok(r),
            Err(panic) => std::panic::resume_unwind(panic),
        })
    }

    fn statement(&self, sql: &str) -> DbResult<postgres::Statement> {
        if let Some(st) = self
            .statements
            .try_borrow()
            .ok()
            .and_then(|m| m.get(sql).cloned())
        {
            return Ok(st);
        }
        let text = dialect::to_postgres(sql);
        let st = self.with(|c| c.prepare(&text))??;
        if let Ok(mut m) = self.statements.try_borrow_mut() {
            if m.len() > 256 {
                m.clear();
            }
            m.insert(sql.to_string(), st.clone());
        }
        Ok(st)
    }

    fn execute(&self, sql: &str, params: &[Value]) -> DbResult<usize> {
        let st = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        let n = self.with(|c| c.execute(&st, &refs))??;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn query(&self, sql: &str, params: &[Value]) -> DbResult<Vec<postgres::Row>> {
        let st = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|v| v as _).collect();
        Ok(self.with(|c| c.query(&st, &refs))??)
    }

    fn batch(&self, sql: &str) -> DbResult<()> {
        Ok(self.with(|c| c.batch_execute(sql))??)
    }

    /// Visit the rows of a query a chunk at a time, through a server-side cursor: at most
    /// [`PG_FETCH_ROWS`] rows are held at once. The cursor is declared `WITH HOLD`, so it
    /// works inside a transaction and outside one (where the server keeps the result for the
    /// cursor), and survives a visitor that commits or runs other statements between rows.
    /// It is closed on every path.
    fn for_each(
        &self,
        sql: &str,
        params: &[Value],
        mut f: impl FnMut(&Row<'_>) -> DbResult<()>,
    ) -> DbResult<()> {
        let depth = self.cursors_open.get();
        let name = format!("govscan_c{depth}_{}", self.cursor_generation.get());
        let declare = format!("DECLARE {name} NO SCROLL CURSOR WITH HOLD FOR {sql}");
        self.execute(&declare, params)?;
        self.cursors_open.set(depth + 1);
        let fetch = format!("FETCH FORWARD {PG_FETCH_ROWS} FROM {name}");
        let visited = (|| loop {
            // The FETCH is prepared with each call (`query_typed`, one round trip): its
            // columns are those of whichever query the cursor of this name runs.
            let rows = self.with(|c| c.query_typed(&fetch, &[]))??;
            for r in &rows {
                f(&Row::Pg(r))?;
            }
            if rows.len() < PG_FETCH_ROWS {
                return Ok(());
            }
        })();
        self.cursors_open.set(depth);
        let closed = self.batch(&format!("CLOSE {name}"));
        if closed.is_err() {
            // The cursor may outlive this call (a visitor's failed statement aborted the
            // transaction around it): never declare this name again.
            self.cursor_generation
                .set(self.cursor_generation.get().wrapping_add(1));
        }
        visited.and(closed)
    }
}

/// One connection to the store's database.
#[derive(Debug)]
pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    Pg(Box<PgConn>),
}

impl Conn {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Pg(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection (pragmas, checkpoints), or `None` on PostgreSQL.
    pub(crate) fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    /// A statement (prepared once per connection and kept).
    pub(crate) fn prepare_cached(&self, sql: &str) -> DbResult<Stmt<'_>> {
        Ok(Stmt {
            conn: self,
            sql: sql.to_string(),
        })
    }

    pub(crate) fn execute(&self, sql: &str, params: impl Params) -> DbResult<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Several statements separated by semicolons, without parameters.
    pub(crate) fn execute_batch(&self, sql: &str) -> DbResult<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Pg(c) => c.batch(sql),
        }
    }

    /// In a transaction: wait for the lock that serialises starting and taking over runs
    /// (PostgreSQL; an SQLite write transaction holds the whole file already).
    pub(crate) fn lock_runs(&self) -> DbResult<()> {
        match self {
            Conn::Sqlite(_) => Ok(()),
            Conn::Pg(c) => c.batch(&format!(
                "SELECT pg_advisory_xact_lock({})",
                dialect::PG_RUNS_LOCK
            )),
        }
    }

    /// Begin a write transaction (on SQLite, taking the write lock at once), rolled back
    /// unless committed.
    pub(crate) fn transaction(&self) -> DbResult<Tx<'_>> {
        self.execute_batch(match self {
            Conn::Sqlite(_) => "BEGIN IMMEDIATE",
            Conn::Pg(_) => "BEGIN",
        })?;
        Ok(Tx {
            conn: self,
            open: true,
        })
    }
}

/// An open transaction; reads and writes go through it as through the connection.
pub(crate) struct Tx<'a> {
    conn: &'a Conn,
    open: bool,
}

impl Tx<'_> {
    pub(crate) fn commit(mut self) -> DbResult<()> {
        self.open = false;
        self.conn.execute_batch("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

/// A statement of one connection.
pub(crate) struct Stmt<'a> {
    conn: &'a Conn,
    sql: String,
}

impl Stmt<'_> {
    pub(crate) fn execute(&mut self, params: impl Params) -> DbResult<usize> {
        let params = params.into_values();
        match self.conn {
            Conn::Sqlite(c) => Ok(c
                .prepare_cached(&self.sql)?
                .execute(rusqlite::params_from_iter(params.iter()))?),
            Conn::Pg(c) => c.execute(&self.sql, &params),
        }
    }

    /// Every row, each decoded by `f`.
    pub(crate) fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<std::vec::IntoIter<DbResult<T>>> {
        let params = params.into_values();
        let mut out = Vec::new();
        match self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(&self.sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(r) = rows.next()? {
                    out.push(f(&Row::Sqlite(r)));
                }
            }
            Conn::Pg(c) => {
                for r in c.query(&self.sql, &params)? {
                    out.push(f(&Row::Pg(&r)));
                }
            }
        }
        Ok(out.into_iter())
    }

    /// Visit every row with `f` (stopping at its first error), one at a time: SQLite steps
    /// through the rows; PostgreSQL fetches them from a cursor in bounded chunks. `f` may run
    /// other statements on the same connection.
    pub(crate) fn for_each(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> DbResult<()>,
    ) -> DbResult<()> {
        let params = params.into_values();
        match self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(&self.sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(r) = rows.next()? {
                    f(&Row::Sqlite(r))?;
                }
            }
            Conn::Pg(c) => c.for_each(&self.sql, &params, f)?,
        }
        Ok(())
    }

    /// The first row, decoded by `f`; [`DbError::NoRows`] when there is none.
    pub(crate) fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> DbResult<T>,
    ) -> DbResult<T> {
        let params = params.into_values();
        match self.conn {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(&self.sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)),
                    None => Err(DbError::NoRows),
                }
            }
            Conn::Pg(c) => match c.query(&self.sql, &params)?.first() {
                Some(r) => f(&Row::Pg(r)),
                None => Err(DbError::NoRows),
            },
        }
    }

    /// Whether the query returns a row.
    pub(crate) fn exists(&mut self, params: impl Params) -> DbResult<bool> {
        self.query_row(params, |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
    }
}
