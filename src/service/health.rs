//! Health: whether the database answers (`/healthz`).

use crate::db::{self, Db};
use crate::error::AppError;

/// Ok when the database answers a trivial query.
pub async fn database_answers(db: &Db) -> Result<(), AppError> {
    db.read(|conn| Ok(db::ping(conn)?)).await
}
