//! Background jobs: reconcile payments cut off by a crash, close unpaid
//! orders whose window passed, collect instalments that fell due, write
//! reminders, send the mail outbox, drop expired sessions. Runs on an
//! interval; each run is also callable directly (tests).

use std::sync::Arc;
use std::time::Duration;

use super::mail::Postman;
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
    /// Emails sent, to be retried, and given up.
    pub mailed: usize,
    pub mail_retrying: usize,
    pub mail_failed: usize,
}

/// What the jobs work with.
#[derive(Clone)]
pub struct Jobs {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub reminder_days: i64,
    /// Set when `--smtp-url` is: the outbox is sent.
    pub postman: Option<Arc<Postman>>,
}

impl Jobs {
    /// One pass of every job, in order: payments whose answer was lost
    /// first (an order they paid must not close), then expiry, collection,
    /// reminders, the mail outbox (so a notice written now goes out now),
    /// sessions.
    pub async fn run_once(&self) -> Result<JobReport, AppError> {
        let started = std::time::Instant::now();
        let report = self.pass().await;
        let outcome = if report.is_ok() { "ok" } else { "error" };
        metrics::counter!("job_runs_total", "outcome" => outcome).increment(1);
        metrics::histogram!("job_run_duration_seconds").record(started.elapsed().as_secs_f64());
        if let Ok(r) = &report {
            for (what, n) in [
                ("reconciled", r.reconciled),
                ("closed", r.closed),
                ("charged", r.charged),
                ("declined", r.declined),
                ("reminded", r.reminded),
                ("mailed", r.mailed),
                ("mail_failed", r.mail_failed),
            ] {
                metrics::counter!("job_items_total", "what" => what).increment(n as u64);
            }
        }
        if let Ok(depth) = super::mail::pending(&self.db).await {
            metrics::gauge!("mail_outbox_depth").set(depth as f64);
        }
        report
    }

    async fn pass(&self) -> Result<JobReport, AppError> {
        let (db, now) = (&self.db, self.clock.now());
        let reconciled = super::ledger::reconcile(db, &self.gateway, now).await?;
        let closed = super::orders::close_expired(db, now, None).await?;
        let (charged, declined) =
            super::repayments::collect_due(db, self.gateway.clone(), now).await?;
        let reminded = super::messages::send_reminders(db, now, self.reminder_days).await?;
        let mail = match &self.postman {
            Some(postman) => super::mail::dispatch(db, postman, now).await?,
            None => super::mail::MailReport::default(),
        };
        db.write(move |conn| Ok(sessions::delete_expired_sessions(conn, now)?))
            .await?;
        Ok(JobReport {
            reconciled: reconciled.finished + reconciled.not_received,
            closed,
            charged,
            declined,
            reminded,
            mailed: mail.sent,
            mail_retrying: mail.retrying,
            mail_failed: mail.failed,
        })
    }

    /// Runs the jobs every `every` until the task is dropped.
    pub async fn run_forever(self, every: Duration) {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let due = interval.tick().await;
            // How late this run starts against its schedule (a long previous
            // run, or a starved runtime).
            metrics::gauge!("job_lag_seconds").set(due.elapsed().as_secs_f64());
            if let Err(e) = self.run_once().await {
                tracing::error!(error = %e, "background job failed");
            }
        }
    }
}
