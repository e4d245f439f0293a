//! Money never moves without a ledger row (SPEC "Payment ledger"): a call to
//! the gateway is first written as a `requested` entry (inside the caller's
//! transaction, where the schema's guards make concurrent callers lose
//! cleanly), then made outside any transaction with the entry's idempotency
//! key, then completed with the answer and a timeline entry. [`reconcile`]
//! finishes entries whose caller was cut off (a crash) by asking the gateway
//! what it answered to the key.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::timeline::{self, Actor, Entry, EventKind};
use crate::db::payments::{self, NewPayment};
use crate::db::{Conn, Db, orders, payment_methods as pm};
use crate::domain::Fen;
use crate::domain::ids::InstalmentId;
use crate::domain::method::PaymentMethod;
use crate::domain::order::Order;
use crate::domain::payment::{Payment, PaymentState, Purpose, reversal_key};
use crate::error::AppError;
use crate::gateway::{GatewayOutcome, GatewayRequest, MethodDescriptor, PaymentGateway};

/// An entry still `requested` this long after it was written has lost its
/// caller; reconciliation takes it over.
pub const RECONCILE_AFTER: Duration = Duration::seconds(60);

/// A written `requested` entry and the gateway request it stands for.
#[derive(Debug, Clone)]
pub struct Call {
    pub payment: Payment,
    pub request: GatewayRequest,
}

/// What a new entry is for.
pub struct Intent<'a> {
    pub order: &'a Order,
    pub instalment: Option<InstalmentId>,
    pub purpose: Purpose,
    pub amount: Fen,
    pub method: &'a PaymentMethod,
    pub key: &'a str,
}

/// Writes the `requested` entry; `None` when a guard refused it (another
/// live payment of its kind for the order or instalment, or the key used).
pub fn request(
    conn: &mut Conn,
    intent: &Intent<'_>,
    now: NaiveDateTime,
) -> Result<Option<Call>, AppError> {
    let new = NewPayment {
        order_id: intent.order.id,
        instalment_id: intent.instalment,
        purpose: intent.purpose,
        amount_fen: intent.amount,
        method_id: intent.method.id,
        idempotency_key: intent.key,
        state: PaymentState::Requested,
        reverses_id: None,
        requested_at: now,
    };
    Ok(payments::insert_requested(conn, &new)?.map(|payment| Call {
        request: GatewayRequest {
            key: payment.idempotency_key.clone(),
            purpose: payment.purpose,
            amount: payment.amount_fen,
            method: MethodDescriptor::of(intent.method),
            reverses: None,
        },
        payment,
    }))
}

/// Writes the entry that voids (`Purpose::Void`) or refunds
/// (`Purpose::Refund`) a succeeded payment, to its method; `None` when a
/// reversal of it is already live.
pub fn request_reversal(
    conn: &mut Conn,
    reversed: &Payment,
    purpose: Purpose,
    now: NaiveDateTime,
) -> Result<Option<Call>, AppError> {
    let attempt = payments::count_reversals(conn, reversed.id)? + 1;
    let key = reversal_key(purpose, &reversed.idempotency_key, attempt);
    let new = NewPayment {
        order_id: reversed.order_id,
        instalment_id: None,
        purpose,
        amount_fen: reversed.amount_fen,
        method_id: reversed.method_id,
        idempotency_key: &key,
        state: PaymentState::Requested,
        reverses_id: Some(reversed.id),
        requested_at: now,
    };
    let Some(payment) = payments::insert_requested(conn, &new)? else {
        return Ok(None);
    };
    Ok(Some(Call {
        request: rebuild(conn, &payment)?,
        payment,
    }))
}

/// The gateway request an entry stands for (to resume or reconcile it).
pub fn rebuild(conn: &mut Conn, payment: &Payment) -> Result<GatewayRequest, AppError> {
    let method = pm::find_method(conn, payment.method_id)?.ok_or(AppError::NotFound)?;
    let reverses = match payment.reverses_id {
        Some(id) => payments::find(conn, id)?.and_then(|p| p.gateway_ref),
        None => None,
    };
    Ok(GatewayRequest {
        key: payment.idempotency_key.clone(),
        purpose: payment.purpose,
        amount: payment.amount_fen,
        method: MethodDescriptor::of(&method),
        reverses,
    })
}

/// Makes the call, off the async workers and outside any transaction.
pub async fn execute(
    gateway: &Arc<dyn PaymentGateway>,
    request: &GatewayRequest,
) -> Result<GatewayOutcome, AppError> {
    let (gateway, request) = (gateway.clone(), request.clone());
    let purpose = request.purpose.as_str();
    let started = std::time::Instant::now();
    let answer = super::off_thread(move || gateway.execute(&request)).await?;
    let outcome = match &answer {
        Ok(GatewayOutcome::Approved { .. }) => "approved",
        Ok(GatewayOutcome::Declined { .. }) => "declined",
        Err(_) => "error",
    };
    metrics::counter!("gateway_calls_total", "purpose" => purpose, "outcome" => outcome)
        .increment(1);
    metrics::histogram!("gateway_call_duration_seconds", "purpose" => purpose)
        .record(started.elapsed().as_secs_f64());
    answer
}

/// Records the answer on the entry and writes it on the order's timeline.
/// False when the entry was already completed (by reconciliation or a
/// concurrent retry): then nothing is written.
pub fn complete(
    conn: &mut Conn,
    payment: &Payment,
    outcome: &GatewayOutcome,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let (state, reference, failure) = match outcome {
        GatewayOutcome::Approved { reference } => (PaymentState::Succeeded, Some(reference), None),
        GatewayOutcome::Declined { reason } => (PaymentState::Failed, None, Some(reason)),
    };
    let done = payments::complete(
        conn,
        payment.id,
        state,
        reference.map(String::as_str),
        failure.map(String::as_str),
        now,
    )?;
    if done {
        // The note names the provider's reference or the decline code; the
        // amount is on the entry, listed with the order's payments.
        let note = reference
            .or(failure)
            .map(String::as_str)
            .unwrap_or_default();
        let entry =
            Entry::change(EventKind::Ledger, payment.purpose.as_str(), state.as_str()).note(note);
        timeline::record(conn, payment.order_id, now, Actor::System, entry)?;
    }
    Ok(done)
}

/// Executes a reversal and records it (used right after the decision, and by
/// reconciliation for reversals whose caller was cut off).
pub async fn run_reversal(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    call: Call,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let outcome = execute(gateway, &call.request).await?;
    db.write(move |conn| complete(conn, &call.payment, &outcome, now).map(|_| ()))
        .await
}

/// What reconciliation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Entries finished with the answer the gateway had given.
    pub finished: usize,
    /// Entries the gateway never received: failed, nothing moved.
    pub not_received: usize,
}

/// Finishes every entry left `requested` for longer than [`RECONCILE_AFTER`]:
/// asks the gateway what it answered to the key and carries the answer
/// through as the cut-off caller would have (an order paid, or its capture
/// voided; an instalment paid or declined). A key the gateway never received
/// fails (nothing moved; a retry may try again), except a reversal, which is
/// sent again — money taken must be given back.
pub async fn reconcile(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    now: NaiveDateTime,
) -> Result<Reconciled, AppError> {
    let stale = db
        .read(move |conn| Ok(payments::list_stale(conn, now - RECONCILE_AFTER)?))
        .await?;
    let mut report = Reconciled::default();
    for payment in stale {
        let lookup = {
            let (gateway, key) = (gateway.clone(), payment.idempotency_key.clone());
            super::off_thread(move || gateway.lookup(&key)).await??
        };
        let outcome = match (lookup, payment.purpose.is_reversal()) {
            (Some(outcome), _) => outcome,
            (None, true) => {
                let p = payment.clone();
                let request = db.read(move |conn| rebuild(conn, &p)).await?;
                execute(gateway, &request).await?
            }
            (None, false) => GatewayOutcome::Declined {
                reason: "not_received".into(),
            },
        };
        if matches!(&outcome, GatewayOutcome::Declined { reason } if reason == "not_received") {
            report.not_received += 1;
        } else {
            report.finished += 1;
        }
        tracing::warn!(key = %payment.idempotency_key, purpose = %payment.purpose, "reconciling a payment left requested");
        finish(db, gateway, &payment, outcome, now).await?;
    }
    Ok(report)
}

/// Carries a gateway answer through for `payment`, whatever its purpose.
pub async fn finish(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    payment: &Payment,
    outcome: GatewayOutcome,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    match payment.purpose {
        Purpose::AuthorizePlan | Purpose::Capture => {
            super::orders::settle_answer(db, gateway, payment.clone(), outcome, now)
                .await
                .map(|_| ())
        }
        Purpose::Instalment => {
            let p = payment.clone();
            db.write(move |conn| {
                let order = orders::find_order(conn, p.order_id)?.ok_or(AppError::NotFound)?;
                super::repayments::record_charge(conn, &order, &p, &outcome, now).map(|_| ())
            })
            .await
        }
        Purpose::Void | Purpose::Refund => {
            let p = payment.clone();
            db.write(move |conn| complete(conn, &p, &outcome, now).map(|_| ()))
                .await
        }
    }
}
