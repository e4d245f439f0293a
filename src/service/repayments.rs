//! Installment repayments: where they are charged (the account's priority
//! method unless the order pins one), what changing that does, and the
//! collector that charges instalments as they fall due.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use super::orders::repayment_method;
use super::timeline::{self, Actor, Entry};
use crate::clock::local_date;
use crate::db::ids::{PaymentMethodId, UserId};
use crate::db::orders::{self, InstalmentRow, Order};
use crate::db::payment_methods::{self as pm, PaymentMethod};
use crate::db::{Conn, Db};
use crate::domain::Fen;
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
    pub next: Option<InstalmentRow>,
    pub from: Option<PaymentMethod>,
    pub to: Option<PaymentMethod>,
}

impl PlanImpact {
    pub fn next_amount(&self) -> Option<Fen> {
        self.next.as_ref().map(|i| Fen(i.principal_fen + i.fee_fen))
    }
}

/// Active plans whose repayments follow the account priority (not pinned to a live method).
fn plans_following_priority(conn: &mut Conn, user: UserId) -> Result<Vec<Order>, AppError> {
    let live: Vec<PaymentMethodId> = pm::list_methods(conn, user)?.iter().map(|m| m.id).collect();
    Ok(orders::list_active_plans(conn, user)?
        .into_iter()
        .filter(|o| o.repayment_method_id.is_none_or(|p| !live.contains(&p)))
        .collect())
}

fn next_instalment(conn: &mut Conn, order: &Order) -> Result<Option<InstalmentRow>, AppError> {
    Ok(orders::list_instalments(conn, order.id)?
        .into_iter()
        .find(|i| i.status != "paid"))
}

fn impacts(
    conn: &mut Conn,
    user: UserId,
    new_priority: &PaymentMethod,
) -> Result<Vec<PlanImpact>, AppError> {
    let current = pm::list_methods(conn, user)?.into_iter().next();
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
                Entry::change("repayment_method_changed", &from, &to),
            )?;
        }
    }
    Ok(())
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
        orders::OrderPage::new(user, &["pending_payment"], 100, 0),
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
    let today = local_date(now);
    let due = db
        .read(move |conn| {
            let mut out = Vec::new();
            for (instalment, order) in orders::list_collectable(conn, today, now)? {
                let method = repayment_method(conn, &order)?;
                out.push((instalment, order, method));
            }
            Ok(out)
        })
        .await?;
    let (mut charged, mut declined) = (0, 0);
    for (instalment, order, method) in due {
        let amount = Fen(instalment.principal_fen + instalment.fee_fen);
        let outcome = match &method {
            Some(m) => {
                let request = ChargeRequest {
                    reference: format!("{}-{}", order.order_no, instalment.seq),
                    amount,
                    purpose: ChargePurpose::Instalment,
                    method: MethodDescriptor {
                        kind: m.kind.clone(),
                        last4: m.last4.clone(),
                        account_label: m.account_label.clone(),
                    },
                };
                let gateway = gateway.clone();
                actix_web::web::block(move || gateway.charge(&request)).await?
            }
            None => ChargeOutcome::Declined {
                reason: "no_method".into(),
            },
        };
        let described = method.as_ref().map(|m| m.describe()).unwrap_or_default();
        let seq = instalment.seq.to_string();
        let won = db
            .write(move |conn| match &outcome {
                ChargeOutcome::Approved { .. } => {
                    let won = orders::mark_instalment_paid(conn, instalment.id, now)?;
                    if won {
                        timeline::record(
                            conn,
                            order.id,
                            now,
                            Actor::System,
                            Entry::change("instalment_charged", &seq, &described)
                                .note(&amount.to_string()),
                        )?;
                    }
                    Ok(won.then_some(true))
                }
                ChargeOutcome::Declined { reason } => {
                    let won = orders::mark_instalment_declined(
                        conn,
                        instalment.id,
                        reason,
                        now + RETRY_AFTER,
                    )?;
                    if won {
                        timeline::record(
                            conn,
                            order.id,
                            now,
                            Actor::System,
                            Entry::change("instalment_declined", &seq, &described).note(reason),
                        )?;
                    }
                    Ok(won.then_some(false))
                }
            })
            .await?;
        match won {
            Some(true) => {
                tracing::info!(order_no = %order.order_no, seq = instalment.seq, amount_fen = amount.0, "instalment charged");
                charged += 1;
            }
            Some(false) => {
                tracing::info!(order_no = %order.order_no, seq = instalment.seq, "instalment declined");
                declined += 1;
            }
            None => {}
        }
    }
    Ok((charged, declined))
}
