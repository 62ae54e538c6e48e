//! The store's one error type. Every message says what was being done and with which file, and
//! the failures an operator must act on (a lock held by another process, a read-only file, a
//! full disk, a damaged file, a file written by a newer govscan) are variants of their own so
//! the command line can explain them (exit status 3).

use std::path::Path;

/// A failure of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another connection holds the lock for longer than the busy timeout (SQLITE_BUSY,
    /// SQLITE_LOCKED).
    #[error("cannot {action} the store {file}: database is locked by another process or connection ({message})")]
    Busy {
        action: String,
        file: String,
        message: String,
    },
    /// The file (or its folder) cannot be written, or the store was opened read-only.
    #[error("cannot {action} the store {file}: the database is read-only ({message})")]
    ReadOnly {
        action: String,
        file: String,
        message: String,
    },
    /// The disk (or a quota) is full.
    #[error("cannot {action} the store {file}: the disk is full ({message})")]
    Full {
        action: String,
        file: String,
        message: String,
    },
    /// The file is damaged or is not an SQLite database at all.
    #[error("cannot {action} the store {file}: the file is corrupt or not a database ({message})")]
    Corrupt {
        action: String,
        file: String,
        message: String,
    },
    /// The file has a schema version newer than this program knows; it is left untouched.
    #[error("cannot open the store {file}: its schema version is {found}, newer than version {supported} that this govscan knows; use a newer govscan (the file was not changed)")]
    TooNew {
        file: String,
        found: i64,
        supported: i64,
    },
    /// The file has an older schema and was opened read-only, so it cannot be upgraded.
    #[error("cannot open the store {file} read-only: its schema version is {found}, older than version {supported}; open it once for writing to upgrade it")]
    Outdated {
        file: String,
        found: i64,
        supported: i64,
    },
    /// A value read back from the store does not decode (hand-edited or damaged data).
    #[error("cannot {action} the store {file}: stored data is invalid ({message})")]
    Data {
        action: String,
        file: String,
        message: String,
    },
    /// The caller referred to something the store does not hold (an unknown run or site run).
    #[error("cannot {action} the store {file}: {message}")]
    NotFound {
        action: String,
        file: String,
        message: String,
    },
    /// The file cannot be opened (missing folder, permissions) or another I/O failure.
    #[error("cannot {action} the store {file}: {message}")]
    Io {
        action: String,
        file: String,
        message: String,
    },
    /// A value could not be encoded for the store (a bug rather than bad input).
    #[error("cannot encode {what} for the store: {message}")]
    Encode { what: String, message: String },
    /// Any other database failure.
    #[error("cannot {action} the store {file}: {message}")]
    Other {
        action: String,
        file: String,
        message: String,
    },
}

impl StoreError {
    /// Classify a database error raised while doing `action` with `file`.
    pub(crate) fn from_db(action: &str, file: &Path, e: super::db::DbError) -> StoreError {
        use super::db::DbError;
        match e {
            DbError::Sqlite(e) => StoreError::from_sqlite(action, file, e),
            DbError::Pg(e) => StoreError::from_postgres(action, file, e),
            e @ (DbError::Decode { .. } | DbError::NoRows) => StoreError::Data {
                action: action.to_string(),
                file: file.display().to_string(),
                message: e.to_string(),
            },
            DbError::Encode(message) => StoreError::Encode {
                what: format!("{action} {}", file.display()),
                message,
            },
        }
    }

    fn from_postgres(action: &str, file: &Path, e: postgres::Error) -> StoreError {
        use postgres::error::SqlState as S;
        let action = action.to_string();
        let file = file.display().to_string();
        let message = match e.as_db_error() {
            Some(db) => format!("{} ({})", db.message(), db.code().code()),
            // The client's message names the step; its causes say why.
            None => {
                let mut m = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    m.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                m
            }
        };
        let Some(code) = e.code() else {
            // No answer from the server: the connection failed or was lost.
            return if e.is_closed() || e.to_string().contains("connect") {
                StoreError::Io {
                    action,
                    file,
                    message,
                }
            } else {
                StoreError::Other {
                    action,
                    file,
                    message,
                }
            };
        };
        if [
            S::LOCK_NOT_AVAILABLE,
            S::T_R_DEADLOCK_DETECTED,
            S::T_R_SERIALIZATION_FAILURE,
        ]
        .contains(code)
        {
            StoreError::Busy {
                action,
                file,
                message,
            }
        } else if [S::READ_ONLY_SQL_TRANSACTION, S::INSUFFICIENT_PRIVILEGE].contains(code) {
            StoreError::ReadOnly {
                action,
                file,
                message,
            }
        } else if [
            S::DISK_FULL,
            S::INSUFFICIENT_RESOURCES,
            S::PROGRAM_LIMIT_EXCEEDED,
        ]
        .contains(code)
        {
            StoreError::Full {
                action,
                file,
                message,
            }
        } else if [S::DATA_CORRUPTED, S::INDEX_CORRUPTED].contains(code) {
            StoreError::Corrupt {
                action,
                file,
                message,
            }
        } else if code.code().starts_with("08") || code.code().starts_with("28") {
            // Connection exceptions, authorisation failures.
            StoreError::Io {
                action,
                file,
                message,
            }
        } else {
            StoreError::Other {
                action,
                file,
                message,
            }
        }
    }

    /// Classify an SQLite error raised while doing `action` with `file`.
    fn from_sqlite(action: &str, file: &Path, e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode as C;
        let action = action.to_string();
        let file = file.display().to_string();
        let message = e.to_string();
        let code = match &e {
            rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
            _ => None,
        };
        match code {
            Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Busy {
                action,
                file,
                message,
            },
            Some(C::ReadOnly) => StoreError::ReadOnly {
                action,
                file,
                message,
            },
            Some(C::DiskFull) => StoreError::Full {
                action,
                file,
                message,
            },
            Some(C::DatabaseCorrupt | C::NotADatabase) => StoreError::Corrupt {
                action,
                file,
                message,
            },
            Some(C::CannotOpen | C::PermissionDenied | C::SystemIoFailure) => StoreError::Io {
                action,
                file,
                message,
            },
            _ => match e {
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)
                | rusqlite::Error::InvalidColumnType(..) => StoreError::Data {
                    action,
                    file,
                    message,
                },
                _ => StoreError::Other {
                    action,
                    file,
                    message,
                },
            },
        }
    }

    /// The lock is held elsewhere: retrying later may succeed.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy { .. })
    }
}
