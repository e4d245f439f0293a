//! Refunds (SPEC "Refund before shipping"): a paid order not yet shipped may
//! be refunded by its shopper; a shipped or completed one by an agent
//! resolving a service request. Either way, in one transaction: the order
//! becomes `refunded`, its unpaid instalments are cancelled (the collector
//! never charges them), the stock of goods that never left is released, and
//! a reversal entry is written for everything the ledger says was taken
//! (each capture and instalment refunded to its method, the plan
//! authorization voided). The reversals are then made outside any
//! transaction; one cut off by a crash is sent again by reconciliation.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::ledger::{self, Call};
use super::orders::{apply, owned_order, release_items};
use super::timeline::{self, Actor, Entry, EventKind};
use super::tokens;
use crate::db::{Conn, Db, orders, payments};
use crate::domain::ids::UserId;
use crate::domain::order::{Order, OrderEvent, OrderStatus};
use crate::domain::payment::to_reverse;
use crate::error::AppError;
use crate::gateway::PaymentGateway;

/// Why a refund was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRefusal {
    /// The acknowledgement box was not ticked.
    NotAcknowledged,
    /// The order is (now) in this state: not refundable by the shopper
    /// (shipped and completed orders go through a service request).
    State(OrderStatus),
    /// This very form was submitted before; its result stands.
    AlreadyDone,
    /// A payment for the order is in flight (an instalment being charged):
    /// try again once its answer is in.
    PaymentInProgress,
}

/// The shopper's refund of a paid, unshipped order.
pub async fn refund(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    user: UserId,
    order_no: String,
    acknowledged: bool,
    token: Option<String>,
    now: NaiveDateTime,
) -> Result<Result<(), RefundRefusal>, AppError> {
    let decided = db
        .write(move |conn| {
            let order = owned_order(conn, user, &order_no)?;
            if tokens::used(conn, token.as_deref())? {
                return Ok(Err(RefundRefusal::AlreadyDone));
            }
            if !order.actions(now).refund {
                return Ok(Err(RefundRefusal::State(order.status)));
            }
            if !acknowledged {
                return Ok(Err(RefundRefusal::NotAcknowledged));
            }
            let calls = refund_in(conn, &order, Actor::Shopper, now)?;
            if calls.is_ok() {
                tokens::claim(conn, user, token.as_deref(), now)?;
            }
            Ok(calls)
        })
        .await?;
    match decided {
        Ok(calls) => give_back(db, gateway, calls, now).await.map(Ok),
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// Makes the reversals [`refund_in`] wrote, one after another.
pub async fn give_back(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    calls: Vec<Call>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for call in calls {
        ledger::run_reversal(db, gateway, call, now).await?;
    }
    Ok(())
}

/// The refund's decision, inside the caller's transaction: the transition,
/// cancelled instalments, released stock, timeline, and the reversal entries
/// to make. Refused while a payment for the order is in flight, or when the
/// order changed state meanwhile.
pub(crate) fn refund_in(
    conn: &mut Conn,
    order: &Order,
    actor: Actor,
    now: NaiveDateTime,
) -> Result<Result<Vec<Call>, RefundRefusal>, AppError> {
    if payments::in_flight_for_order(conn, order.id)? {
        return Ok(Err(RefundRefusal::PaymentInProgress));
    }
    if !apply(conn, order, OrderEvent::Refund, actor, now)? {
        let current = orders::find_order(conn, order.id)?.ok_or(AppError::NotFound)?;
        return Ok(Err(RefundRefusal::State(current.status)));
    }
    let cancelled = orders::cancel_open_instalments(conn, order.id)?;
    if !cancelled.is_empty() {
        let seqs = cancelled
            .iter()
            .map(|s| format!("#{s}"))
            .collect::<Vec<_>>()
            .join(", ");
        let entry = Entry::new(EventKind::InstalmentsCancelled).to(&seqs);
        timeline::record(conn, order.id, now, actor, entry)?;
    }
    // Goods that never left go back on the shelf; shipped goods come back
    // (or not) outside the shop, so their stock is counted when they do.
    if order.status == OrderStatus::Paid {
        release_items(conn, order.id)?;
    }
    let entries = payments::list_for_order(conn, order.id)?;
    let mut calls = Vec::new();
    for (taken, purpose) in to_reverse(&entries) {
        if let Some(call) = ledger::request_reversal(conn, taken, purpose, now)? {
            calls.push(call);
        }
    }
    tracing::info!(order_no = %order.order_no, reversals = calls.len(), "order refunded");
    Ok(Ok(calls))
}
