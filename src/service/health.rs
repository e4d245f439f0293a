//! Health: whether the database answers (`/healthz`).

use crate::db::{Db, sqlite};
use crate::error::AppError;

/// Ok when the database answers a trivial query.
pub async fn database_answers(db: &Db) -> Result<(), AppError> {
    db.read(|conn| Ok(sqlite::ping(conn)?)).await
}
