//! Everything PostgreSQL-specific, in one clearly marked place: the pool,
//! how a write transaction serializes with every other writer (also across
//! app servers), embedded migrations for this backend, and the help search
//! (`pg_trgm`-indexed substring match instead of SQLite's FTS5 trigram).
//! Nothing outside this module may use PostgreSQL-only SQL.

use diesel::PgConnection;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{CustomizeConnection, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{Conn, DbPool, Manager};
use crate::error::AppError;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Every write transaction first takes one transaction-scoped advisory
/// lock, so writers run one at a time across all app servers, as SQLite's
/// `BEGIN IMMEDIATE` does in one process: READ COMMITTED reads inside see
/// every earlier writer's commit, and every check-then-write keeps its
/// meaning. (Throughput of writes is that of one writer, as on SQLite.)
pub const LOCK_WRITERS: &str = "SELECT pg_advisory_xact_lock(7419004211);";

/// Per-connection settings: a write waits at most 5 s for the writers'
/// lock (as SQLite's `busy_timeout`), then fails as unavailable (503).
#[derive(Debug, Clone, Copy)]
struct Settings;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for Settings {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute("SET lock_timeout = '5s';")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

pub fn build_pool(manager: Manager, size: u32) -> Result<DbPool, AppError> {
    Ok(Pool::builder()
        .max_size(size)
        .connection_customizer(Box::new(Settings))
        .build(manager)?)
}

/// Once at start: pending migrations (several servers starting at once
/// take turns under a session advisory lock).
pub fn prepare_database(conn: &mut PgConnection) -> Result<(), AppError> {
    // However long another server's migrations take: no lock time-out here.
    conn.batch_execute("SET lock_timeout = 0; SELECT pg_advisory_lock(7419004212);")?;
    let ran = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|_| ())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("migrations failed: {e}")));
    conn.batch_execute("SELECT pg_advisory_unlock(7419004212); SET lock_timeout = '5s';")?;
    ran
}

/// Reverts every migration, then applies them again (tested: up, down, up).
pub fn redo_all_migrations(conn: &mut PgConnection) -> Result<(), AppError> {
    conn.revert_all_migrations(MIGRATIONS)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("revert failed: {e}")))?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("migrations failed: {e}")))?;
    Ok(())
}
