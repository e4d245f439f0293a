//! Installment repayments: where they are charged (the account's priority
//! method unless the order pins one), what changing that does, and the
//! collector that charges instalments as they fall due.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::ledger::{self, Call, Intent};
use super::orders::{instalment_payer, repayment_method};
use super::timeline::{self, Actor, Entry, EventKind};
use crate::clock::local_date;
use crate::db::orders::{self, OrderPage};
use crate::db::payment_methods as pm;
use crate::db::payments;
use crate::db::{Conn, Db};
use crate::domain::Fen;
use crate::domain::ids::{PaymentMethodId, UserId};
use crate::domain::message::MessageKind;
use crate::domain::method::{PaymentMethod, can_carry, follows_priority, priority_method};
use crate::domain::order::{Instalment, Order, OrderStatus, last_due, next_open};
use crate::domain::payment::{Payment, PaymentState, Purpose, early_repayment_key, instalment_key};
use crate::domain::repayment::{Scope, Settlement, settle};
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
    /// What happens to the plan's repayment method.
    pub change: PlanChange,
}

/// How a plan's instalments are charged after a priority change or removal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanChange {
    /// It follows the (new) priority method.
    FollowsPriority,
    /// It is pinned to this method (the next one that lasts long enough).
    Pinned(PaymentMethodId),
    /// The new priority expires before its last instalment: it stays on its
    /// current method, pinned there.
    Keeps(PaymentMethodId),
}

impl PlanImpact {
    pub fn next_amount(&self) -> Option<Fen> {
        self.next.as_ref().map(Instalment::amount)
    }

    /// The plan stays on its current method although the priority changes.
    pub fn keeps(&self) -> bool {
        matches!(self.change, PlanChange::Keeps(_))
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

/// A plan's next unpaid instalment and its last due date.
fn schedule_of(
    conn: &mut Conn,
    order: &Order,
) -> Result<(Option<Instalment>, Option<NaiveDate>), AppError> {
    let instalments = orders::list_instalments(conn, order.id)?;
    Ok((next_open(&instalments).cloned(), last_due(&instalments)))
}

fn lasts(method: &PaymentMethod, last: Option<NaiveDate>) -> bool {
    last.is_none_or(|d| can_carry(method, d))
}

/// What making `new_priority` the priority does to each plan that follows
/// the priority: it moves there, unless that method expires before the
/// plan's last instalment — then it keeps its current method.
fn impacts(
    conn: &mut Conn,
    user: UserId,
    new_priority: &PaymentMethod,
) -> Result<Vec<PlanImpact>, AppError> {
    let current = priority_method(&pm::list_methods(conn, user)?).cloned();
    let mut out = Vec::new();
    for order in plans_following_priority(conn, user)? {
        let (next, last) = schedule_of(conn, &order)?;
        let (to, change) = match &current {
            Some(c) if !lasts(new_priority, last) => (Some(c.clone()), PlanChange::Keeps(c.id)),
            _ => (Some(new_priority.clone()), PlanChange::FollowsPriority),
        };
        out.push(PlanImpact {
            next,
            order_no: order.order_no,
            from: current.clone(),
            to,
            change,
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

/// Makes `id` the priority method; plans it cannot carry are pinned to the
/// method they had; every plan that changes is recorded on its timeline.
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
        apply_impacts(conn, &affected, now, Actor::Shopper)?;
        Ok(true)
    })
    .await
}

/// Carries out each plan's change (pin or follow the priority) and records
/// the switches on the timelines.
fn apply_impacts(
    conn: &mut Conn,
    affected: &[PlanImpact],
    now: NaiveDateTime,
    actor: Actor,
) -> Result<(), AppError> {
    for impact in affected {
        let Some(order) = orders::find_order_by_no(conn, &impact.order_no)? else {
            continue;
        };
        let pin = match impact.change {
            PlanChange::FollowsPriority => None,
            PlanChange::Pinned(m) | PlanChange::Keeps(m) => Some(m),
        };
        if order.repayment_method_id != pin {
            orders::set_repayment_method(conn, order.id, pin)?;
        }
        let describe =
            |m: &Option<PaymentMethod>| m.as_ref().map(|m| m.describe()).unwrap_or_default();
        let (from, to) = (describe(&impact.from), describe(&impact.to));
        if from != to {
            let entry = Entry::change(EventKind::RepaymentMethodChanged, &from, &to);
            timeline::record(conn, order.id, now, actor, entry)?;
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
    /// Plans depend on it and no other method that lasts long enough is
    /// left to take over.
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
    let remaining: Vec<PaymentMethod> = methods.into_iter().filter(|m| m.id != id).collect();
    let mut affected = Vec::new();
    let mut refused = false;
    for order in orders::list_active_plans(conn, user)? {
        let charged_to = repayment_method(conn, &order)?;
        if charged_to.as_ref().map(|m| m.id) != Some(id) {
            continue;
        }
        // The plan moves to the method that becomes the priority, or, when
        // that one expires before the plan's last instalment, to the next
        // method in the shopper's order that lasts long enough (pinned).
        let (next, last) = schedule_of(conn, &order)?;
        let carrier = remaining.iter().position(|m| lasts(m, last));
        let (to, change) = match carrier {
            Some(0) => (remaining.first().cloned(), PlanChange::FollowsPriority),
            Some(i) => (
                remaining.get(i).cloned(),
                PlanChange::Pinned(remaining[i].id),
            ),
            None => {
                refused = true;
                (None, PlanChange::FollowsPriority)
            }
        };
        affected.push(PlanImpact {
            next,
            order_no: order.order_no,
            from: Some(method.clone()),
            to,
            change,
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
        if !pm::remove_method(conn, user, id, now)? {
            return Ok(RemoveOutcome::NotFound);
        }
        apply_impacts(conn, &impact.affected, now, Actor::Shopper)?;
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
    // An early repayment in flight for the order goes first.
    if payments::in_flight_for_order(conn, order.id)? {
        return Ok(None);
    }
    let Some(method) = instalment_payer(conn, order)? else {
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
    let (kind, reason) = match outcome {
        GatewayOutcome::Approved { .. } => (MessageKind::Charged, None),
        GatewayOutcome::Declined { reason } => (MessageKind::Declined, Some(reason.as_str())),
    };
    super::messages::notify(conn, order, &instalment, kind, &method, reason, now)?;
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

/// One unpaid instalment in the repayment center.
#[derive(Debug, Clone)]
pub struct Due {
    pub order_no: String,
    pub instalment: Instalment,
    /// The method that will be charged (SPEC "Which method pays an instalment").
    pub method: Option<PaymentMethod>,
}

/// The repayment center: every unpaid instalment of the shopper's active
/// plans, overdue first, then by due date; and the total outstanding.
#[derive(Debug, Clone, Default)]
pub struct Center {
    pub plans: usize,
    pub dues: Vec<Due>,
    pub outstanding: Fen,
}

pub async fn center(db: &Db, user: UserId) -> Result<Center, AppError> {
    db.read(move |conn| {
        let mut center = Center::default();
        for order in orders::list_active_plans(conn, user)? {
            let method = instalment_payer(conn, &order)?;
            center.plans += 1;
            for instalment in orders::list_instalments(conn, order.id)? {
                if instalment.status.is_open() {
                    center.dues.push(Due {
                        order_no: order.order_no.clone(),
                        instalment,
                        method: method.clone(),
                    });
                }
            }
        }
        center.dues.sort_by_key(|d| {
            let overdue = d.instalment.status == crate::domain::order::InstalmentStatus::Overdue;
            (
                !overdue,
                d.instalment.due_on,
                d.order_no.clone(),
                d.instalment.seq,
            )
        });
        let total = center
            .dues
            .iter()
            .fold(0i64, |sum, d| sum.saturating_add(d.instalment.amount().0));
        center.outstanding = Fen(total);
        Ok(center)
    })
    .await
}

/// What the early-repayment page shows.
pub struct RepayView {
    pub order: Order,
    pub settlement: Option<Settlement>,
    pub methods: Vec<PaymentMethod>,
    /// The method charged unless another is chosen: the plan's payer.
    pub payer: Option<PaymentMethod>,
}

pub async fn repay_view(
    db: &Db,
    user: UserId,
    order_no: String,
    scope: Scope,
    now: NaiveDateTime,
) -> Result<RepayView, AppError> {
    db.read(move |conn| {
        let order = super::orders::owned_order(conn, user, &order_no)?;
        let instalments = orders::list_instalments(conn, order.id)?;
        Ok(RepayView {
            settlement: settle(&instalments, scope, local_date(now)),
            methods: pm::list_methods(conn, user)?,
            payer: instalment_payer(conn, &order)?,
            order,
        })
    })
    .await
}

/// Why an early repayment was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepayRefusal {
    NotAcknowledged,
    MethodNotFound,
    /// Not a running installment plan, or nothing left to pay.
    NothingToRepay,
    /// A payment for the order is being processed.
    InProgress,
    /// The instalments covered are no longer those previewed (one was
    /// charged meanwhile): the shopper reviews the new preview.
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepayOutcome {
    Repaid {
        total: Fen,
    },
    Declined {
        reason: String,
    },
    /// This very form was sent before: its result stands.
    AlreadyDone,
}

pub struct RepayRequest {
    pub scope: Scope,
    pub method: Option<PaymentMethodId>,
    pub acknowledged: bool,
    pub token: Option<String>,
    /// The first instalment the preview covered: the charge must cover the same.
    pub previewed_first: Option<i32>,
}

/// Repays now through the ledger (SPEC "Early repayment"): one charge of the
/// settlement's total, claimed first; approved → the covered instalments are
/// paid (fees not yet due waived); declined → nothing changes.
pub async fn repay(
    db: &Db,
    gateway: Arc<dyn PaymentGateway>,
    user: UserId,
    order_no: String,
    request: RepayRequest,
    now: NaiveDateTime,
) -> Result<Result<RepayOutcome, RepayRefusal>, AppError> {
    let begun = db
        .write(move |conn| begin_repayment(conn, user, &order_no, &request, now))
        .await?;
    let (call, settlement) = match begun {
        Err(refusal) => return Ok(Err(refusal)),
        Ok(Err(done)) => return Ok(Ok(done)),
        Ok(Ok(claimed)) => claimed,
    };
    let outcome = ledger::execute(&gateway, &call.request).await?;
    db.write(move |conn| record_repayment(conn, &call.payment, &settlement, &outcome, now))
        .await
        .map(Ok)
}

type Begun = Result<Result<(Call, Settlement), RepayOutcome>, RepayRefusal>;

fn begin_repayment(
    conn: &mut Conn,
    user: UserId,
    order_no: &str,
    request: &RepayRequest,
    now: NaiveDateTime,
) -> Result<Begun, AppError> {
    let order = super::orders::owned_order(conn, user, order_no)?;
    let attempt = payments::count_for_order(conn, order.id, Purpose::Instalment)? + 1;
    let key = early_repayment_key(
        order_no,
        request.scope.as_str(),
        request.token.as_deref(),
        attempt,
    );
    if let Some(earlier) = payments::find_by_key(conn, &key)? {
        return Ok(Ok(Err(match earlier.state {
            PaymentState::Failed => RepayOutcome::Declined {
                reason: earlier.failure.unwrap_or_default(),
            },
            _ => RepayOutcome::AlreadyDone,
        })));
    }
    let instalments = orders::list_instalments(conn, order.id)?;
    let running = matches!(
        order.status,
        OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed
    );
    let Some(settlement) = settle(&instalments, request.scope, local_date(now)).filter(|_| running)
    else {
        return Ok(Err(RepayRefusal::NothingToRepay));
    };
    if request
        .previewed_first
        .is_some_and(|seq| seq != settlement.lines[0].instalment.seq)
    {
        return Ok(Err(RepayRefusal::Changed));
    }
    let method = match request.method {
        Some(id) => pm::find_method_for_owner(conn, user, id)?,
        None => instalment_payer(conn, &order)?,
    };
    let Some(method) = method else {
        return Ok(Err(RepayRefusal::MethodNotFound));
    };
    if !request.acknowledged {
        return Ok(Err(RepayRefusal::NotAcknowledged));
    }
    if payments::in_flight_for_order(conn, order.id)? {
        return Ok(Err(RepayRefusal::InProgress));
    }
    let first = settlement.lines[0].instalment.id;
    let intent = Intent {
        order: &order,
        instalment: Some(first),
        purpose: Purpose::Instalment,
        amount: settlement.total,
        method: &method,
        key: &key,
    };
    Ok(match ledger::request(conn, &intent, now)? {
        Some(call) => Ok(Ok((call, settlement))),
        None => Err(RepayRefusal::InProgress),
    })
}

fn record_repayment(
    conn: &mut Conn,
    payment: &Payment,
    settlement: &Settlement,
    outcome: &GatewayOutcome,
    now: NaiveDateTime,
) -> Result<RepayOutcome, AppError> {
    if !ledger::complete(conn, payment, outcome, now)? {
        return Ok(RepayOutcome::AlreadyDone);
    }
    match outcome {
        GatewayOutcome::Declined { reason } => {
            let entry = Entry::new(EventKind::PaymentDeclined).note(reason);
            timeline::record(conn, payment.order_id, now, Actor::Shopper, entry)?;
            Ok(RepayOutcome::Declined {
                reason: reason.clone(),
            })
        }
        GatewayOutcome::Approved { .. } => {
            for line in &settlement.lines {
                if line.fee_waived > Fen::ZERO {
                    orders::waive_fee(conn, line.instalment.id)?;
                }
                orders::mark_instalment_paid(conn, line.instalment.id, now)?;
            }
            let seqs: Vec<String> = settlement
                .lines
                .iter()
                .map(|l| l.instalment.seq.to_string())
                .collect();
            let seqs = seqs.join(", ");
            let entry = Entry::change(EventKind::EarlyRepayment, settlement.scope.as_str(), &seqs);
            timeline::record(conn, payment.order_id, now, Actor::Shopper, entry)?;
            Ok(RepayOutcome::Repaid {
                total: settlement.total,
            })
        }
    }
}

/// How close to its next deduction a plan may still be moved by the shopper.
pub const SWITCH_CUTOFF_DAYS: i64 = 3;

/// Why a plan's repayment method was not switched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchRefusal {
    NotAcknowledged,
    MethodNotFound,
    /// Not a running plan with instalments left.
    NothingToSwitch,
    /// The next deduction is within [`SWITCH_CUTOFF_DAYS`]: a service request can still do it.
    TooClose {
        next_due: NaiveDate,
    },
    /// The method expires before the plan's last instalment.
    Expires {
        last_due: NaiveDate,
    },
}

/// Moves one plan's remaining instalments to another saved method and pins
/// it there (SPEC "Per-plan repayment method"): refused within 3 days of the
/// next deduction unless the plan is overdue (that is how a failing card gets
/// fixed — its overdue instalment is retried on the new method at once); the
/// method must last until the plan's last instalment.
pub async fn switch_plan_method(
    db: &Db,
    user: UserId,
    order_no: String,
    method: PaymentMethodId,
    acknowledged: bool,
    now: NaiveDateTime,
) -> Result<Result<(), SwitchRefusal>, AppError> {
    db.write(move |conn| {
        let order = super::orders::owned_order(conn, user, &order_no)?;
        let instalments = orders::list_instalments(conn, order.id)?;
        let running = matches!(
            order.status,
            OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed
        );
        let (Some(next), Some(last), true) =
            (next_open(&instalments), last_due(&instalments), running)
        else {
            return Ok(Err(SwitchRefusal::NothingToSwitch));
        };
        let overdue = instalments
            .iter()
            .any(|i| i.status == crate::domain::order::InstalmentStatus::Overdue);
        let today = local_date(now);
        if !overdue && next.due_on <= today + Duration::days(SWITCH_CUTOFF_DAYS) {
            return Ok(Err(SwitchRefusal::TooClose {
                next_due: next.due_on,
            }));
        }
        let Some(method) = pm::find_method_for_owner(conn, user, method)? else {
            return Ok(Err(SwitchRefusal::MethodNotFound));
        };
        if !can_carry(&method, last) {
            return Ok(Err(SwitchRefusal::Expires { last_due: last }));
        }
        if !acknowledged {
            return Ok(Err(SwitchRefusal::NotAcknowledged));
        }
        pin_plan(conn, &order, &method, Actor::Shopper, None, now)?;
        if overdue {
            orders::retry_overdue(conn, order.id, now)?;
        }
        Ok(Ok(()))
    })
    .await
}
