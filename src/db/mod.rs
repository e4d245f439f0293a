//! Database access: the pool, `Db::read`/`Db::write`, and one module of sync
//! query functions per aggregate. Diesel DSL only. One binary, two backends:
//! a SQLite path (the embedded default) or a `postgres://` URL. [`Conn`] is
//! either connection; every query function runs the same DSL on whichever it
//! is ([`on_backend!`]), and backend specifics (pragmas, how a write
//! transaction takes its lock, migrations, help search) live in one module
//! per backend: [`sqlite`] and [`postgres`].

pub mod cart;
pub mod catalog;
pub mod help;
pub mod mail;
pub mod messages;
pub mod orders;
pub mod payment_methods;
pub mod payments;
pub mod postgres;
pub mod sandbox;
pub mod schema;
pub mod secrets;
pub mod seed;
pub mod sessions;
pub mod sqlite;
pub mod tickets;
pub mod types;
pub mod users;

use actix_web::web;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{Pool, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::AppError;

/// A connection to whichever database the app runs on.
pub enum Conn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs the same diesel DSL on whichever backend `conn` is: the body is
/// compiled once per backend with `conn` bound to the concrete connection.
macro_rules! on_backend {
    ($conn:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($conn) => $body,
            $crate::db::Conn::Pg($conn) => $body,
        }
    };
}
pub(crate) use on_backend;

impl Conn {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Conn::Pg(_))
    }
}

impl SimpleConnection for Conn {
    fn batch_execute(&mut self, query: &str) -> diesel::QueryResult<()> {
        match self {
            Conn::Sqlite(c) => c.batch_execute(query),
            Conn::Pg(c) => c.batch_execute(query),
        }
    }
}

/// A database URL for messages: any password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// SQLite's `synchronous` setting (WAL mode): when commits reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Synchronous {
    /// The log is synced at every commit: an acknowledged write survives a
    /// power cut (the default).
    Full,
    /// Synced at checkpoints only: faster commits; a power cut may lose the
    /// last ones (never corrupts).
    Normal,
}

/// Which backend a `--database` value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Opens connections of the backend the URL names.
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let conn = match self.backend {
            Backend::Sqlite => Conn::Sqlite(SqliteConnection::establish(&self.url)?),
            Backend::Postgres => Conn::Pg(PgConnection::establish(&self.url)?),
        };
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        match conn {
            Conn::Sqlite(c) => c.ping(),
            Conn::Pg(c) => c.ping(),
        }
        .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        match conn {
            Conn::Sqlite(c) => c.is_broken(),
            Conn::Pg(c) => c.is_broken(),
        }
    }
}

pub type DbPool = Pool<Manager>;

/// Handle to the database shared by handlers and background tasks.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
    /// SQLite: reads run on the calling thread (see [`Db::read`]).
    inline_reads: bool,
}

impl Db {
    /// Opens (creating if needed) the database at `url` — a SQLite path or a
    /// `postgres://` URL — and applies its backend's migrations.
    pub fn open(url: &str, pool_size: u32) -> Result<Db, AppError> {
        Db::open_with(url, pool_size, Synchronous::Full)
    }

    /// [`Db::open`] with SQLite's durability setting chosen.
    pub fn open_with(url: &str, pool_size: u32, sync: Synchronous) -> Result<Db, AppError> {
        let backend = Backend::of(url);
        // First one connection by hand, with the migrations: a database that
        // cannot be reached or written is said once, clearly, and start-up
        // stops — rather than the pool retrying (and logging) for 30 s.
        let unusable = |e: AppError| {
            AppError::Internal(anyhow::anyhow!(
                "cannot use the database {}: {}",
                redact(url),
                e.chain()
            ))
        };
        match backend {
            Backend::Sqlite => {
                let mut c = SqliteConnection::establish(url)
                    .map_err(|e| unusable(AppError::Internal(e.into())))?;
                sqlite::prepare_database(&mut c).map_err(unusable)?;
            }
            Backend::Postgres => {
                let mut c = PgConnection::establish(url)
                    .map_err(|e| unusable(AppError::Internal(e.into())))?;
                postgres::prepare_database(&mut c).map_err(unusable)?;
            }
        }
        let manager = Manager {
            url: url.to_owned(),
            backend,
        };
        let pool = match backend {
            Backend::Sqlite => sqlite::build_pool(manager, pool_size, sync)?,
            Backend::Postgres => postgres::build_pool(manager, pool_size)?,
        };
        Ok(Db {
            pool,
            inline_reads: backend == Backend::Sqlite,
        })
    }

    /// Runs `f` on a pooled connection off the async workers.
    ///
    ///
    /// On SQLite the reads run in one deferred transaction (one consistent
    /// snapshot; the file's read lock taken once rather than per statement),
    /// and right here on the calling thread when a pooled connection is free
    /// at once: an in-process WAL read takes microseconds and never waits for
    /// a writer, so handing it to another thread and back (two context
    /// switches) costs more than it saves — measured: +35 % on the order
    /// page. When every connection is busy (writers queued for the lock) it
    /// goes off-thread as before, so a worker never waits for the pool.
    /// PostgreSQL reads always go off-thread (the network), in autocommit (a
    /// transaction there would cost two more round trips).
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        if self.inline_reads
            && let Some(mut conn) = self.pool.try_get()
        {
            return read_transaction(&mut conn, f);
        }
        let pool = self.pool.clone();
        web::block(move || read_transaction(&mut *pool.get()?, f)).await?
    }

    /// Runs `f`, which reads with one statement, outside any transaction (a
    /// statement is its own snapshot): on SQLite this saves the `BEGIN` and
    /// `COMMIT` of [`Db::read`]. Inline like [`Db::read`] when a connection
    /// is free at once.
    pub async fn query<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        if self.inline_reads
            && let Some(mut conn) = self.pool.try_get()
        {
            return f(&mut conn);
        }
        let pool = self.pool.clone();
        web::block(move || f(&mut *pool.get()?)).await?
    }

    /// Runs `f` on a pooled connection as it is, outside any transaction
    /// (tests and operations that manage transactions themselves).
    pub async fn raw<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let pool = self.pool.clone();
        web::block(move || f(&mut *pool.get()?)).await?
    }

    /// Runs `f` in one write transaction off the async workers: writers take
    /// the write lock up front, one at a time (see [`write_transaction`]).
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let pool = self.pool.clone();
        web::block(move || write_transaction(&mut *pool.get()?, f)).await?
    }

    /// Synchronous access for start-up work and the command line (seeding,
    /// `create-staff`); never call from a request handler.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        write_transaction(&mut *self.pool.get()?, f)
    }

    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        f(&mut *self.pool.get()?)
    }
}

/// One write transaction, serialized with every other writer: SQLite's
/// `BEGIN IMMEDIATE` takes the database's write lock; on PostgreSQL a
/// transaction-scoped advisory lock does the same across every app server.
/// So every check-then-write inside `f` (a guarded update, a one-time token,
/// a ledger claim) means the same on both backends and with several servers.
/// Committed when `f` returns `Ok`, rolled back otherwise.
pub fn write_transaction<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, AppError>,
) -> Result<T, AppError> {
    // Through diesel's transaction manager, so statements inside that open
    // their own transaction (batch inserts, migrations) nest as savepoints.
    match conn {
        Conn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, sqlite::BEGIN_WRITE)?,
        Conn::Pg(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
            c.batch_execute(postgres::LOCK_WRITERS)?;
        }
    }
    let result = f(conn);
    let end = match (&result, &mut *conn) {
        (Ok(_), Conn::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (Ok(_), Conn::Pg(c)) => AnsiTransactionManager::commit_transaction(c),
        (Err(_), Conn::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (Err(_), Conn::Pg(c)) => AnsiTransactionManager::rollback_transaction(c),
    };
    match (result, end) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(e)) => Err(e.into()),
        (Err(e), Err(rollback)) => {
            tracing::warn!(error = %rollback, "rollback failed");
            Err(e)
        }
        (Err(e), Ok(())) => Err(e),
    }
}

/// A read: on SQLite inside one deferred transaction (see [`Db::read`]).
fn read_transaction<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let Conn::Sqlite(c) = conn else {
        return f(conn);
    };
    AnsiTransactionManager::begin_transaction_sql(c, "BEGIN DEFERRED")?;
    let result = f(conn);
    let Conn::Sqlite(c) = conn else {
        return result;
    };
    // Nothing was written: commit and rollback both just end the snapshot.
    let end = AnsiTransactionManager::commit_transaction(c);
    match (result, end) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(e)) => Err(e.into()),
        (Err(e), _) => Err(e),
    }
}

/// Reverts every migration of the backend, then applies them again (tested:
/// up, down, up). Not inside a write transaction: each migration runs in its own.
pub fn redo_all_migrations(conn: &mut Conn) -> Result<(), AppError> {
    match conn {
        Conn::Sqlite(c) => sqlite::redo_all_migrations(c),
        Conn::Pg(c) => postgres::redo_all_migrations(c),
    }
}

/// Does the database answer?
pub fn ping(conn: &mut Conn) -> diesel::QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

/// Whether `e` means the database cannot take writes (or answer) right now
/// rather than a bug: SQLite's full disk, read-only file or lock waited out
/// (`busy_timeout`); PostgreSQL's read-only transaction, full disk, lock or
/// statement time-out, lost connection. Those clear by themselves.
pub fn is_unavailable(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind as Kind, Error};
    let Error::DatabaseError(kind, info) = e else {
        return false;
    };
    if matches!(
        kind,
        Kind::ReadOnlyTransaction | Kind::ClosedConnection | Kind::UnableToSendCommand
    ) {
        return true;
    }
    let message = info.message().to_ascii_lowercase();
    [
        "database or disk is full",
        "readonly database",
        "read-only",
        "database is locked",
        "disk i/o error",
        "unable to open database",
        "no space left on device",
        "lock timeout",
        "statement timeout",
        "could not extend file",
    ]
    .iter()
    .any(|m| message.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://shop:s3cret@db.internal:5432/shop"),
            "postgres://shop:***@db.internal:5432/shop"
        );
        assert_eq!(redact("postgres://db/shop"), "postgres://db/shop");
        assert_eq!(redact("storefront.db"), "storefront.db");
    }

    #[test]
    fn a_full_disk_or_a_lock_is_unavailable_a_bug_is_not() {
        use diesel::result::{DatabaseErrorKind, Error};
        let db = |kind, msg: &str| Error::DatabaseError(kind, Box::new(msg.to_owned()));
        for msg in [
            "database or disk is full",
            "attempt to write a readonly database",
            "database is locked",
            "canceling statement due to lock timeout",
        ] {
            assert!(
                is_unavailable(&db(DatabaseErrorKind::Unknown, msg)),
                "{msg}"
            );
        }
        assert!(is_unavailable(&db(
            DatabaseErrorKind::ReadOnlyTransaction,
            "x"
        )));
        assert!(!is_unavailable(&db(
            DatabaseErrorKind::UniqueViolation,
            "UNIQUE constraint failed"
        )));
        assert!(!is_unavailable(&Error::NotFound));
    }
}
