//! Readiness: whether the database can be read and written (`/readyz`).

use crate::db::{self, Db, secrets};
use crate::error::AppError;

/// Ok when the database answers a read and takes a write (a probe row).
pub async fn ready(db: &Db) -> Result<(), AppError> {
    db.read(|conn| Ok(db::ping(conn)?)).await?;
    db.write(|conn| Ok(secrets::touch_probe(conn)?)).await
}
