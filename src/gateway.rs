//! Payments go through [`PaymentGateway`]. Every call carries an idempotency
//! key, and a provider answers the same key with the same answer without
//! moving money twice — so a retry after a timeout or a crash is safe, and
//! [`PaymentGateway::lookup`] tells reconciliation what happened to a call
//! whose answer was lost.
//!
//! The built-in [`SandboxGateway`] decides deterministically (cards ending in
//! `0002` and `0069` decline) and keeps its answers in its own table
//! (`sandbox_gateway`), standing in for the provider's records, so it
//! deduplicates across restarts as a real provider does. A real provider is
//! another implementation.

use std::time::Duration;

use chrono::Utc;

use crate::db::{Db, sandbox};
use crate::domain::Fen;
use crate::domain::method::{MethodKind, PaymentMethod};
use crate::domain::payment::Purpose;
use crate::error::AppError;

/// What the gateway needs to know about the method being charged.
#[derive(Debug, Clone)]
pub struct MethodDescriptor {
    pub kind: MethodKind,
    pub last4: Option<String>,
    pub account_label: Option<String>,
}

impl MethodDescriptor {
    pub fn of(m: &PaymentMethod) -> MethodDescriptor {
        MethodDescriptor {
            kind: m.kind,
            last4: m.last4.clone(),
            account_label: m.account_label.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct GatewayRequest {
    /// Idempotency key: the same key never moves money twice.
    pub key: String,
    pub purpose: Purpose,
    pub amount: Fen,
    pub method: MethodDescriptor,
    /// For a void or refund: the provider's reference of the payment reversed.
    pub reverses: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayOutcome {
    Approved {
        /// The provider's reference for this payment.
        reference: String,
    },
    /// `reason` is a stable code shown through the message catalog.
    Declined { reason: String },
}

pub trait PaymentGateway: Send + Sync + 'static {
    /// Blocking call; run it off the async workers and outside any transaction.
    fn execute(&self, request: &GatewayRequest) -> Result<GatewayOutcome, AppError>;

    /// What the provider answered to `key`, if it ever received it.
    fn lookup(&self, key: &str) -> Result<Option<GatewayOutcome>, AppError>;
}

/// Approves everything except cards ending in `0002` (declined: insufficient
/// funds) and `0069` (declined: card expired at the issuer). Voids and
/// refunds of an approved payment are approved.
#[derive(Clone)]
pub struct SandboxGateway {
    db: Db,
    /// Simulated network time, half before and half after the provider
    /// records its answer (0 by default; tests widen the in-flight window).
    latency: Duration,
}

impl SandboxGateway {
    pub fn new(db: Db, latency: Duration) -> SandboxGateway {
        SandboxGateway { db, latency }
    }

    /// The provider's decision for a request it has not seen before.
    pub fn decide(request: &GatewayRequest) -> GatewayOutcome {
        if request.purpose.is_reversal() {
            return GatewayOutcome::Approved {
                reference: format!("sandbox-{}", request.key),
            };
        }
        match request.method.last4.as_deref() {
            Some("0002") => GatewayOutcome::Declined {
                reason: "insufficient_funds".into(),
            },
            Some("0069") => GatewayOutcome::Declined {
                reason: "expired_card".into(),
            },
            _ => GatewayOutcome::Approved {
                reference: format!("sandbox-{}", request.key),
            },
        }
    }

    /// Decides and records the answer (or replays the first one given for
    /// the key) inside the caller's transaction. Besides `execute`, used only
    /// for demo data, whose payments are the demo's own fiction written in
    /// one transaction.
    pub fn answer_in(
        conn: &mut crate::db::Conn,
        request: &GatewayRequest,
        at: chrono::NaiveDateTime,
    ) -> Result<GatewayOutcome, AppError> {
        let decided = Self::decide(request);
        let (approved, answer) = match &decided {
            GatewayOutcome::Approved { reference } => (true, reference.as_str()),
            GatewayOutcome::Declined { reason } => (false, reason.as_str()),
        };
        let new = sandbox::NewAnswer {
            key: &request.key,
            purpose: request.purpose.as_str(),
            amount: request.amount,
            approved,
            answer,
            reverses: request.reverses.as_deref(),
            at,
        };
        Ok(outcome_of(&sandbox::answer(conn, &new)?))
    }

    /// Every answer the sandbox gave (tests count gateway calls and charges here).
    pub fn journal(db: &Db) -> Result<Vec<sandbox::JournalEntry>, AppError> {
        db.read_blocking(|conn| Ok(sandbox::list(conn)?))
    }
}

fn outcome_of(entry: &sandbox::JournalEntry) -> GatewayOutcome {
    if entry.approved {
        GatewayOutcome::Approved {
            reference: entry.answer.clone(),
        }
    } else {
        GatewayOutcome::Declined {
            reason: entry.answer.clone(),
        }
    }
}

impl PaymentGateway for SandboxGateway {
    fn execute(&self, request: &GatewayRequest) -> Result<GatewayOutcome, AppError> {
        std::thread::sleep(self.latency / 2);
        let now = Utc::now().naive_utc();
        let outcome = self
            .db
            .write_blocking(|conn| Self::answer_in(conn, request, now))?;
        std::thread::sleep(self.latency / 2);
        Ok(outcome)
    }

    fn lookup(&self, key: &str) -> Result<Option<GatewayOutcome>, AppError> {
        self.db
            .read_blocking(|conn| Ok(sandbox::find(conn, key)?.map(|e| outcome_of(&e))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(purpose: Purpose, last4: Option<&str>) -> GatewayRequest {
        GatewayRequest {
            key: "pay:202611250000000001:t".into(),
            amount: Fen(100),
            purpose,
            method: MethodDescriptor {
                kind: MethodKind::CreditCard,
                last4: last4.map(Into::into),
                account_label: None,
            },
            reverses: None,
        }
    }

    #[test]
    fn sandbox_declines_cards_ending_in_0002_and_0069_and_approves_others() {
        let decide = |last4| SandboxGateway::decide(&request(Purpose::Capture, last4));
        assert!(matches!(
            decide(Some("0002")),
            GatewayOutcome::Declined { .. }
        ));
        assert!(matches!(
            decide(Some("0069")),
            GatewayOutcome::Declined { .. }
        ));
        assert!(matches!(
            decide(Some("1111")),
            GatewayOutcome::Approved { .. }
        ));
        assert!(matches!(decide(None), GatewayOutcome::Approved { .. }));
        // A reversal is approved whatever the card.
        let void = SandboxGateway::decide(&request(Purpose::Void, Some("0002")));
        assert!(matches!(void, GatewayOutcome::Approved { .. }));
    }

    #[test]
    fn the_same_key_gets_the_same_answer_and_is_recorded_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let db = Db::open(path.to_str().unwrap(), 2).unwrap();
        let g = SandboxGateway::new(db.clone(), Duration::ZERO);
        assert_eq!(g.lookup("pay:202611250000000001:t").unwrap(), None);
        let first = g.execute(&request(Purpose::Capture, Some("1111"))).unwrap();
        // A retry with the same key, even naming another card, replays the answer.
        let again = g.execute(&request(Purpose::Capture, Some("0002"))).unwrap();
        assert_eq!(first, again);
        assert_eq!(g.lookup("pay:202611250000000001:t").unwrap(), Some(first));
        let journal = SandboxGateway::journal(&db).unwrap();
        assert_eq!(journal.len(), 1);
        assert_eq!(journal[0].calls, 2);
    }
}
