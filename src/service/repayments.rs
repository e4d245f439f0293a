//! Installment repayments: where they are charged (the account's priority
//! method unless the order pins one), what changing that does, and the
//! collector that charges instalments as they fall due.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::ledger::{self, Call, Intent};
use super::orders::repayment_method;
use super::timeline::{self, Actor, Entry, EventKind};
use crate::clock::local_date;
use crate::db::orders::{self, OrderPage};
use crate::db::payment_methods as pm;
use crate::db::{Conn, Db};
use crate::domain::Fen;
use crate::domain::ids::{PaymentMethodId, UserId};
use crate::domain::method::{PaymentMethod, follows_priority, priority_method};
use crate::domain::order::{Instalment, Order, OrderStatus, next_open};
use crate::domain::payment::{Payment, Purpose, instalment_key};
use crate::error::AppError;
use crate::gateway::{GatewayOutcome, PaymentGateway};

/// After a declined instalment, the collector tries again this much later.
pub const RETRY_AFTER: Duration = Duration::hours(6);

/// One active plan and what a change does to its next deduction.
#[derive(Debug, Clone)]
pub struct PlanImpact {
    pub order_no: String,
    pub next: Option<Instalment>,
    pub from: Option<PaymentMethod>,
    pub to: Option<PaymentMethod>,
}

impl PlanImpact {
    pub fn next_amount(&self) -> Option<Fen> {
        self.next.as_ref().map(Instalment::amount)
    }
}

/// Active plans whose repayments follow the account priority (not pinned to a live method).
fn plans_following_priority(conn: &mut Conn, user: UserId) -> Result<Vec<Order>, AppError> {
    let live = pm::list_methods(conn, user)?;
    Ok(orders::list_active_plans(conn, user)?
        .into_iter()
        .filter(|o| follows_priority(o.repayment_method_id, &live))
        .collect())
}

fn next_instalment(conn: &mut Conn, order: &Order) -> Result<Option<Instalment>, AppError> {
    Ok(next_open(&orders::list_instalments(conn, order.id)?).cloned())
}

fn impacts(
    conn: &mut Conn,
    user: UserId,
    new_priority: &PaymentMethod,
) -> Result<Vec<PlanImpact>, AppError> {
    let current = priority_method(&pm::list_methods(conn, user)?).cloned();
    let mut out = Vec::new();
    for order in plans_following_priority(conn, user)? {
        out.push(PlanImpact {
            next: next_instalment(conn, &order)?,
            order_no: order.order_no,
            from: current.clone(),
            to: Some(new_priority.clone()),
        });
    }
    Ok(out)
}

/// What making `id` the priority method would change; `None` if it is not the shopper's.
pub async fn priority_impact(
    db: &Db,
    user: UserId,
    id: PaymentMethodId,
) -> Result<Option<(PaymentMethod, Vec<PlanImpact>)>, AppError> {
    db.read(move |conn| {
        let Some(target) = pm::find_method_for_owner(conn, user, id)? else {
            return Ok(None);
        };
        let impacts = impacts(conn, user, &target)?;
        Ok(Some((target, impacts)))
    })
    .await
}

/// Makes `id` the priority method and records the change on every plan that follows it.
/// `Ok(false)` when the method is not the shopper's (or is gone).
pub async fn make_priority(
    db: &Db,
    user: UserId,
    id: PaymentMethodId,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    db.write(move |conn| {
        let methods = pm::list_methods(conn, user)?;
        let Some(target) = methods.iter().find(|m| m.id == id).cloned() else {
            return Ok(false);
        };
        let affected = impacts(conn, user, &target)?;
        let order: Vec<PaymentMethodId> = std::iter::once(id)
            .chain(methods.iter().map(|m| m.id).filter(|m| *m != id))
            .collect();
        pm::set_order(conn, user, &order)?;
        record_switches(conn, &affected, now, Actor::Shopper)?;
        Ok(true)
    })
    .await
}

fn record_switches(
    conn: &mut Conn,
    affected: &[PlanImpact],
    now: NaiveDateTime,
    actor: Actor,
) -> Result<(), AppError> {
    for impact in affected {
        let from = impact
            .from
            .as_ref()
            .map(|m| m.describe())
            .unwrap_or_default();
        let to = impact.to.as_ref().map(|m| m.describe()).unwrap_or_default();
        if from == to {
            continue;
        }
        if let Some(order) = orders::find_order_by_no(conn, &impact.order_no)? {
            timeline::record(
                conn,
                order.id,
                now,
                actor,
                Entry::change(EventKind::RepaymentMethodChanged, &from, &to),
            )?;
        }
    }
    Ok(())
}

/// Pins a plan's remaining instalments to `method` (an agent's switch, or
/// demo data) and records the change from the method that paid them before.
pub fn pin_plan(
    conn: &mut Conn,
    order: &Order,
    method: &PaymentMethod,
    actor: Actor,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let before = repayment_method(conn, order)?
        .map(|m| m.describe())
        .unwrap_or_default();
    orders::set_repayment_method(conn, order.id, Some(method.id))?;
    let after = method.describe();
    let entry = Entry::change(EventKind::RepaymentMethodChanged, &before, &after);
    let entry = match note {
        Some(n) => entry.note(n),
        None => entry,
    };
    timeline::record(conn, order.id, now, actor, entry)
}

/// What removing a method does.
#[derive(Debug, Clone)]
pub struct RemovalImpact {
    pub method: PaymentMethod,
    /// Active plans charged to it today, and where they will be charged instead.
    pub affected: Vec<PlanImpact>,
    /// Unpaid orders that would be paid with it: they must pick another method.
    pub unpaid_orders: Vec<String>,
    /// Plans depend on it and no other method is left to take over.
    pub refused: bool,
}

fn removal_impact_in(
    conn: &mut Conn,
    user: UserId,
    id: PaymentMethodId,
) -> Result<Option<RemovalImpact>, AppError> {
    let methods = pm::list_methods(conn, user)?;
    let Some(method) = methods.iter().find(|m| m.id == id).cloned() else {
        return Ok(None);
    };
    let remaining: Vec<&PaymentMethod> = methods.iter().filter(|m| m.id != id).collect();
    let mut affected = Vec::new();
    for order in orders::list_active_plans(conn, user)? {
        let charged_to = repayment_method(conn, &order)?;
        if charged_to.as_ref().map(|m| m.id) != Some(id) {
            continue;
        }
        // A pinned plan falls back to the priority; a plan following the
        // priority moves to the method that becomes the priority.
        affected.push(PlanImpact {
            next: next_instalment(conn, &order)?,
            order_no: order.order_no,
            from: Some(method.clone()),
            to: remaining.first().map(|m| (*m).clone()),
        });
    }
    let unpaid_orders = orders::list_orders_for_owner(
        conn,
        OrderPage::new(user, &[OrderStatus::PendingPayment], 100, 0),
    )?
    .into_iter()
    .filter(|o| o.payment_method_id == id)
    .map(|o| o.order_no)
    .collect();
    let refused = !affected.is_empty() && remaining.is_empty();
    Ok(Some(RemovalImpact {
        method,
        affected,
        unpaid_orders,
        refused,
    }))
}

pub async fn removal_impact(
    db: &Db,
    user: UserId,
    id: PaymentMethodId,
) -> Result<Option<RemovalImpact>, AppError> {
    db.read(move |conn| removal_impact_in(conn, user, id)).await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoveOutcome {
    Removed,
    /// Plans depend on the method and nothing could take over.
    Refused,
    NotFound,
}

/// Removes a method; plans charged to it move to the (new) priority method,
/// recorded on their timelines, in the same transaction.
pub async fn remove_method(
    db: &Db,
    user: UserId,
    id: PaymentMethodId,
    now: NaiveDateTime,
) -> Result<RemoveOutcome, AppError> {
    db.write(move |conn| {
        let Some(impact) = removal_impact_in(conn, user, id)? else {
            return Ok(RemoveOutcome::NotFound);
        };
        if impact.refused {
            return Ok(RemoveOutcome::Refused);
        }
        for plan in &impact.affected {
            if let Some(order) = orders::find_order_by_no(conn, &plan.order_no)?
                && order.repayment_method_id == Some(id)
            {
                orders::set_repayment_method(conn, order.id, None)?;
            }
        }
        if !pm::remove_method(conn, user, id, now)? {
            return Ok(RemoveOutcome::NotFound);
        }
        record_switches(conn, &impact.affected, now, Actor::Shopper)?;
        Ok(RemoveOutcome::Removed)
    })
    .await
}

/// Charges every instalment that has fallen due to its order's repayment
/// method. Each charge is claimed first ([`claim_charge`]: a `requested`
/// ledger entry, one live per instalment, so several collectors never charge
/// one twice), then made with the entry's own idempotency key, then recorded
/// ([`record_charge`]). A decline marks the instalment overdue with the
/// reason; it is retried after [`RETRY_AFTER`] with a new key. Returns
/// (charged, declined).
pub async fn collect_due(
    db: &Db,
    gateway: Arc<dyn PaymentGateway>,
    now: NaiveDateTime,
) -> Result<(usize, usize), AppError> {
    let due = db
        .read(move |conn| Ok(orders::list_collectable(conn, local_date(now), now)?))
        .await?;
    let (mut charged, mut declined) = (0, 0);
    for (instalment, order) in due {
        let claimed = db
            .write(move |conn| claim_charge(conn, &order, &instalment, now))
            .await?;
        let Some((order, call)) = claimed else {
            continue;
        };
        let outcome = match &call {
            Claim::Call(call) => ledger::execute(&gateway, &call.request).await?,
            Claim::NoMethod(_) => GatewayOutcome::Declined {
                reason: "no_method".into(),
            },
        };
        let approved = matches!(outcome, GatewayOutcome::Approved { .. });
        let no = order.order_no.clone();
        let won = db
            .write(move |conn| match &call {
                Claim::Call(call) => record_charge(conn, &order, &call.payment, &outcome, now),
                Claim::NoMethod(instalment) => record_unpayable(conn, &order, instalment, now),
            })
            .await?;
        match (won, approved) {
            (false, _) => {}
            (true, true) => {
                tracing::info!(order_no = %no, "instalment charged");
                charged += 1;
            }
            (true, false) => {
                tracing::info!(order_no = %no, "instalment declined");
                declined += 1;
            }
        }
    }
    Ok((charged, declined))
}

/// What claiming an instalment found.
enum Claim {
    /// Charge it: the ledger entry is written.
    Call(Call),
    /// No method can be charged (every method removed).
    NoMethod(Instalment),
}

/// Claims one instalment for charging, in one transaction: still unpaid and
/// due, with no live charge, a ledger entry under a key of this attempt.
/// `None` when another collector (or an early repayment) got it first.
fn claim_charge(
    conn: &mut Conn,
    order: &Order,
    instalment: &Instalment,
    now: NaiveDateTime,
) -> Result<Option<(Order, Claim)>, AppError> {
    // Checked again under the write lock: another collector may have charged
    // or declined it (moving its retry time) since the list was read.
    let collectable = |i: &Instalment| {
        i.id == instalment.id
            && i.status.is_open()
            && i.due_on <= local_date(now)
            && i.next_attempt_at.is_none_or(|t| t <= now)
    };
    let current = orders::list_instalments(conn, order.id)?
        .into_iter()
        .find(collectable);
    let Some(instalment) = current else {
        return Ok(None);
    };
    let Some(method) = repayment_method(conn, order)? else {
        return Ok(Some((order.clone(), Claim::NoMethod(instalment))));
    };
    let key = instalment_key(&order.order_no, instalment.seq, instalment.attempts + 1);
    let intent = Intent {
        order,
        instalment: Some(instalment.id),
        purpose: Purpose::Instalment,
        amount: instalment.amount(),
        method: &method,
        key: &key,
    };
    Ok(ledger::request(conn, &intent, now)?.map(|call| (order.clone(), Claim::Call(call))))
}

/// The charge's answer on the ledger entry and the instalment (paid, or
/// overdue with the reason and a retry time), and the timeline. False when
/// the entry was already recorded (by reconciliation).
pub(crate) fn record_charge(
    conn: &mut Conn,
    order: &Order,
    payment: &Payment,
    outcome: &GatewayOutcome,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    if !ledger::complete(conn, payment, outcome, now)? {
        return Ok(false);
    }
    let Some(instalment_id) = payment.instalment_id else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "instalment entry without instalment"
        )));
    };
    let instalment = orders::list_instalments(conn, order.id)?
        .into_iter()
        .find(|i| i.id == instalment_id)
        .ok_or(AppError::NotFound)?;
    let seq = instalment.seq.to_string();
    let method = pm::find_method(conn, payment.method_id)?
        .map(|m| m.describe())
        .unwrap_or_default();
    let entry = match outcome {
        GatewayOutcome::Approved { .. } => {
            orders::mark_instalment_paid(conn, instalment.id, now)?;
            Entry::change(EventKind::InstalmentCharged, &seq, &method)
        }
        GatewayOutcome::Declined { reason } => {
            orders::mark_instalment_declined(conn, instalment.id, reason, now + RETRY_AFTER)?;
            Entry::change(EventKind::InstalmentDeclined, &seq, &method).note(reason)
        }
    };
    let amount = instalment.amount().to_string();
    let entry = match outcome {
        GatewayOutcome::Approved { .. } => entry.note(&amount),
        GatewayOutcome::Declined { .. } => entry,
    };
    timeline::record(conn, order.id, now, Actor::System, entry)?;
    Ok(true)
}

/// No method left to charge: the instalment is overdue (nothing was sent to
/// the gateway, so there is no ledger entry).
fn record_unpayable(
    conn: &mut Conn,
    order: &Order,
    instalment: &Instalment,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let reason = "no_method";
    if !orders::mark_instalment_declined(conn, instalment.id, reason, now + RETRY_AFTER)? {
        return Ok(false);
    }
    let seq = instalment.seq.to_string();
    let entry = Entry::change(EventKind::InstalmentDeclined, &seq, "").note(reason);
    timeline::record(conn, order.id, now, Actor::System, entry)?;
    Ok(true)
}
