//! Use cases. Each state change is one `Db::write` (one immediate
//! transaction): a guarded update first, then stock, cart and timeline.
//! Business refusals come back as `Ok(Err(..))` so handlers can show them on
//! the page; infrastructure failures are `Err(AppError)`.

pub mod accounts;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod hashing;
pub mod health;
pub mod help;
pub mod jobs;
pub mod ledger;
pub mod mail;
pub mod messages;
pub mod orders;
pub mod payment_change;
pub mod payment_methods;
pub mod pricing;
pub mod refunds;
pub mod repayments;
pub mod seed;
pub mod staff;
pub mod support;
pub mod timeline;
pub mod tokens;

use crate::domain::Fen;
use crate::error::AppError;

/// Runs blocking work (a gateway call, password hashing) off the async
/// workers, never inside a transaction.
pub async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))
}

/// The business settings services need, taken from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub payment_window: chrono::Duration,
    pub installment_minimum: Fen,
    /// Days before a deduction that the shopper is reminded.
    pub reminder_days: i64,
}

impl Settings {
    pub fn from_config(config: &crate::config::Config) -> Settings {
        Settings {
            payment_window: chrono::Duration::minutes(i64::from(config.payment_window_minutes)),
            installment_minimum: Fen(config.installment_minimum_fen),
            reminder_days: i64::from(config.reminder_days),
        }
    }
}
