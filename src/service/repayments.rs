//! Installment repayments: where they are charged (the account's priority
//! method unless the order pins one), what changing that does, and the
//! collector that charges instalments as they fall due.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

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
use crate::error::AppError;
use crate::gateway::{
    ChargeOutcome, ChargePurpose, ChargeRequest, MethodDescriptor, PaymentGateway,
};

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
/// method. A decline marks the instalment overdue with the reason and is
/// retried after [`RETRY_AFTER`]. Returns (charged, declined).
pub async fn collect_due(
    db: &Db,
    gateway: Arc<dyn PaymentGateway>,
    now: NaiveDateTime,
) -> Result<(usize, usize), AppError> {
    let due = db.read(move |conn| collectable(conn, now)).await?;
    let (mut charged, mut declined) = (0, 0);
    for (instalment, order, method) in due {
        let outcome = charge_one(&gateway, &order, &instalment, method.as_ref()).await?;
        let described = method
            .as_ref()
            .map(PaymentMethod::describe)
            .unwrap_or_default();
        let approved = matches!(outcome, ChargeOutcome::Approved { .. });
        let (no, seq) = (order.order_no.clone(), instalment.seq);
        let won = db
            .write(move |conn| record_charge(conn, &order, &instalment, &outcome, &described, now))
            .await?;
        match (won, approved) {
            (false, _) => {}
            (true, true) => {
                tracing::info!(order_no = %no, seq, "instalment charged");
                charged += 1;
            }
            (true, false) => {
                tracing::info!(order_no = %no, seq, "instalment declined");
                declined += 1;
            }
        }
    }
    Ok((charged, declined))
}

/// Instalments to charge now, each with the method that pays it.
fn collectable(
    conn: &mut Conn,
    now: NaiveDateTime,
) -> Result<Vec<(Instalment, Order, Option<PaymentMethod>)>, AppError> {
    let mut out = Vec::new();
    for (instalment, order) in orders::list_collectable(conn, local_date(now), now)? {
        let method = repayment_method(conn, &order)?;
        out.push((instalment, order, method));
    }
    Ok(out)
}

/// One instalment at the gateway; without any method it is declined as such.
async fn charge_one(
    gateway: &Arc<dyn PaymentGateway>,
    order: &Order,
    instalment: &Instalment,
    method: Option<&PaymentMethod>,
) -> Result<ChargeOutcome, AppError> {
    let Some(m) = method else {
        return Ok(ChargeOutcome::Declined {
            reason: "no_method".into(),
        });
    };
    let request = ChargeRequest {
        reference: format!("{}-{}", order.order_no, instalment.seq),
        amount: instalment.amount(),
        purpose: ChargePurpose::Instalment,
        method: MethodDescriptor::of(m),
    };
    let gateway = gateway.clone();
    super::off_thread(move || gateway.charge(&request)).await
}

/// The charge's result on the instalment (guarded: false when it was already
/// paid) and the timeline.
fn record_charge(
    conn: &mut Conn,
    order: &Order,
    instalment: &Instalment,
    outcome: &ChargeOutcome,
    described: &str,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let seq = instalment.seq.to_string();
    let (won, entry) = match outcome {
        ChargeOutcome::Approved { .. } => (
            orders::mark_instalment_paid(conn, instalment.id, now)?,
            Entry::change(EventKind::InstalmentCharged, &seq, described),
        ),
        ChargeOutcome::Declined { reason } => (
            orders::mark_instalment_declined(conn, instalment.id, reason, now + RETRY_AFTER)?,
            Entry::change(EventKind::InstalmentDeclined, &seq, described).note(reason),
        ),
    };
    if won {
        let amount = instalment.amount().to_string();
        let entry = match outcome {
            ChargeOutcome::Approved { .. } => entry.note(&amount),
            ChargeOutcome::Declined { .. } => entry,
        };
        timeline::record(conn, order.id, now, Actor::System, entry)?;
    }
    Ok(won)
}
