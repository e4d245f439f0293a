//! Everything SQLite-specific, in one clearly marked place: connection pragmas,
//! WAL, `BEGIN IMMEDIATE`, embedded migrations for the SQLite backend.
//! Nothing outside this module may use SQLite-only SQL.

use diesel::SqliteConnection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{Conn, DbPool, Manager, Synchronous};
use crate::error::AppError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// `BEGIN IMMEDIATE` takes the write lock up front, so two writers never
/// deadlock upgrading a read lock; `busy_timeout` queues them.
pub const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// Per-connection settings, run whenever the pool opens a connection.
#[derive(Debug, Clone, Copy)]
struct Pragmas(Synchronous);

impl CustomizeConnection<Conn, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        let synchronous = match self.0 {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        conn.batch_execute(&format!(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = {synchronous};"
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

pub fn build_pool(manager: Manager, size: u32, sync: Synchronous) -> Result<DbPool, AppError> {
    Ok(Pool::builder()
        .max_size(size)
        .connection_customizer(Box::new(Pragmas(sync)))
        .build(manager)?)
}

/// Once at start: WAL journal (persistent in the file) and pending migrations.
pub fn prepare_database(conn: &mut SqliteConnection) -> Result<(), AppError> {
    conn.batch_execute("PRAGMA journal_mode = WAL;")?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("migrations failed: {e}")))?;
    Ok(())
}

/// Reverts every migration, then applies them again (tested: up, down, up).
pub fn redo_all_migrations(conn: &mut SqliteConnection) -> Result<(), AppError> {
    conn.revert_all_migrations(MIGRATIONS)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("revert failed: {e}")))?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("migrations failed: {e}")))?;
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct RowId {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
}

/// Help articles matching every term, best first, through the FTS5 trigram
/// index (each term needs at least 3 characters; shorter ones are matched by
/// [`super::help::list_articles_containing`]).
pub fn search_help_fts(
    conn: &mut SqliteConnection,
    terms: &[&str],
) -> diesel::QueryResult<Vec<i32>> {
    use diesel::RunQueryDsl;
    let query = terms
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ");
    diesel::sql_query(
        "SELECT rowid AS id FROM help_articles_fts WHERE help_articles_fts MATCH ? ORDER BY rank",
    )
    .bind::<diesel::sql_types::Text, _>(query)
    .load::<RowId>(conn)
    .map(|rows| rows.into_iter().map(|r| r.id).collect())
}
