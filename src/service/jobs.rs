//! Background jobs: close unpaid orders whose window passed, drop expired
//! sessions. Runs on an interval; each run is also callable directly (tests).

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::{Db, sessions};
use crate::error::AppError;

/// One pass of every job; returns how many orders were closed.
pub async fn run_once(db: &Db, clock: &dyn Clock) -> Result<usize, AppError> {
    let now = clock.now();
    let closed = super::orders::close_expired(db, now, None).await?;
    db.write(move |conn| Ok(sessions::delete_expired_sessions(conn, now)?))
        .await?;
    Ok(closed)
}

/// Runs the jobs every `every` until the task is dropped.
pub async fn run_forever(db: Db, clock: Arc<dyn Clock>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = run_once(&db, clock.as_ref()).await {
            tracing::error!(error = %e, "background job failed");
        }
    }
}
