//! Background jobs: close unpaid orders whose window passed, drop expired
//! sessions. Runs on an interval; each run is also callable directly (tests).

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::{Db, sessions};
use crate::error::AppError;
use crate::gateway::PaymentGateway;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobReport {
    /// Ledger entries left `requested` by a crash, now finished.
    pub reconciled: usize,
    pub closed: usize,
    pub charged: usize,
    pub declined: usize,
    /// Reminders written to inboxes.
    pub reminded: usize,
}

/// One pass of every job: close expired unpaid orders, collect instalments
/// that fell due, drop expired sessions.
pub async fn run_once(
    db: &Db,
    clock: &dyn Clock,
    gateway: Arc<dyn PaymentGateway>,
    reminder_days: i64,
) -> Result<JobReport, AppError> {
    let now = clock.now();
    // First the payments whose answer was lost: an order they paid must not close.
    let reconciled = super::ledger::reconcile(db, &gateway, now).await?;
    let closed = super::orders::close_expired(db, now, None).await?;
    let (charged, declined) = super::repayments::collect_due(db, gateway, now).await?;
    let reminded = super::messages::send_reminders(db, now, reminder_days).await?;
    db.write(move |conn| Ok(sessions::delete_expired_sessions(conn, now)?))
        .await?;
    Ok(JobReport {
        reconciled: reconciled.finished + reconciled.not_received,
        closed,
        charged,
        declined,
        reminded,
    })
}

/// Runs the jobs every `every` until the task is dropped.
pub async fn run_forever(
    db: Db,
    clock: Arc<dyn Clock>,
    gateway: Arc<dyn PaymentGateway>,
    every: Duration,
    reminder_days: i64,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = run_once(&db, clock.as_ref(), gateway.clone(), reminder_days).await {
            tracing::error!(error = %e, "background job failed");
        }
    }
}
