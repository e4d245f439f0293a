//! 我的订单, order detail, cancel, pay and the closing of unpaid orders whose
//! payment window has passed. Every shopper read is owner-scoped; every
//! transition is a guarded update inside one immediate transaction.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::timeline::{self, Actor, Entry};
use crate::clock::local_date;
use crate::db::ids::{OrderId, UserId};
use crate::db::orders::{self, InstalmentRow, NewInstalment, Order, OrderEvent, OrderItem};
use crate::db::payment_methods::{self as pm, PaymentMethod};
use crate::db::tickets::{self, Ticket};
use crate::db::{Conn, Db, catalog};
use crate::domain::order::{OrderStatus, OrderTab, is_valid_order_no};
use crate::domain::plan;
use crate::domain::{BasisPoints, Fen};
use crate::error::AppError;
use crate::gateway::{
    ChargeOutcome, ChargePurpose, ChargeRequest, MethodDescriptor, PaymentGateway,
};
use crate::service::payment_change::{claim_token, token_used};

pub const PAGE_SIZE: i64 = 10;

impl Order {
    pub fn state(&self) -> OrderStatus {
        // The CHECK constraint admits only known states.
        self.status.parse().unwrap_or(OrderStatus::Closed)
    }

    /// Order total before fees (goods + shipping): the installment principal.
    pub fn principal(&self) -> Fen {
        Fen(self.items_fen + self.shipping_fen)
    }
}

pub struct OrderSummary {
    pub order: Order,
    pub items: Vec<OrderItem>,
    /// The first unpaid instalment of a paid installment order.
    pub next_instalment: Option<InstalmentRow>,
}

pub struct OrdersPage {
    pub tab: OrderTab,
    pub page: i64,
    pub total_pages: i64,
    pub counts: Vec<(OrderTab, i64)>,
    pub orders: Vec<OrderSummary>,
}

pub async fn list(
    db: &Db,
    user: UserId,
    tab: OrderTab,
    page: i64,
    now: NaiveDateTime,
) -> Result<OrdersPage, AppError> {
    close_expired(db, now, Some(user)).await?;
    db.read(move |conn| {
        let by_status = orders::count_orders_by_status(conn, user)?;
        let count_of = |statuses: &[OrderStatus]| -> i64 {
            by_status
                .iter()
                .filter(|(s, _)| statuses.iter().any(|st| st.as_str() == s))
                .map(|(_, n)| n)
                .sum()
        };
        let counts: Vec<(OrderTab, i64)> = OrderTab::ALL
            .into_iter()
            .map(|t| (t, count_of(t.statuses())))
            .collect();
        let total = count_of(tab.statuses());
        let total_pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        let page = page.clamp(1, total_pages);
        let statuses: Vec<&str> = tab.statuses().iter().map(|s| s.as_str()).collect();
        let on_page = orders::OrderPage::new(user, &statuses, PAGE_SIZE, (page - 1) * PAGE_SIZE);
        let found = orders::list_orders_for_owner(conn, on_page)?;
        let mut items = orders::list_items_on_page(conn, on_page)?;
        let open = orders::list_open_instalments_on_page(conn, on_page)?;
        let orders = found
            .into_iter()
            .map(|order| {
                let (mine, rest): (Vec<_>, Vec<_>) =
                    items.drain(..).partition(|i| i.order_id == order.id);
                items = rest;
                let next_instalment = open.iter().find(|i| i.order_id == order.id).cloned();
                OrderSummary {
                    order,
                    items: mine,
                    next_instalment,
                }
            })
            .collect();
        Ok(OrdersPage {
            tab,
            page,
            total_pages,
            counts,
            orders,
        })
    })
    .await
}

pub struct OrderDetail {
    pub order: Order,
    pub items: Vec<OrderItem>,
    pub method: Option<PaymentMethod>,
    /// Where instalments are charged: the pinned method, else the account priority.
    pub repayment_method: Option<PaymentMethod>,
    pub instalments: Vec<InstalmentRow>,
    pub events: Vec<OrderEvent>,
    /// The order this one replaced, and the order that replaced this one.
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    pub tickets: Vec<Ticket>,
}

/// The method instalments of `order` are charged to: its pinned repayment
/// method while that still exists, otherwise the owner's priority method.
pub fn repayment_method(conn: &mut Conn, order: &Order) -> Result<Option<PaymentMethod>, AppError> {
    if let Some(pinned) = order.repayment_method_id
        && let Some(m) = pm::find_method_for_owner(conn, order.user_id, pinned)?
    {
        return Ok(Some(m));
    }
    Ok(pm::list_methods(conn, order.user_id)?.into_iter().next())
}

/// Closes the owner's order if its window has passed (state checked on read).
pub async fn close_if_expired(
    db: &Db,
    user: UserId,
    order_no: String,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let order = db
        .read(move |conn| owned_order(conn, user, &order_no))
        .await?;
    if order.state() == OrderStatus::PendingPayment && order.pay_deadline <= now {
        db.write(move |conn| close_in_txn(conn, &order, now))
            .await?;
    }
    Ok(())
}

impl OrderDetail {
    /// The next instalment not yet paid.
    pub fn next_instalment(&self) -> Option<&InstalmentRow> {
        self.instalments.iter().find(|i| i.status != "paid")
    }
}

/// The owner's order, or `NotFound` for a malformed number, a missing order
/// and another account's order alike.
pub(crate) fn owned_order(
    conn: &mut Conn,
    user: UserId,
    order_no: &str,
) -> Result<Order, AppError> {
    if !is_valid_order_no(order_no) {
        return Err(AppError::NotFound);
    }
    orders::find_order_for_owner(conn, user, order_no)?.ok_or(AppError::NotFound)
}

pub async fn detail(
    db: &Db,
    user: UserId,
    order_no: String,
    now: NaiveDateTime,
) -> Result<OrderDetail, AppError> {
    // Checked on read: the window may have passed before the job ran.
    close_if_expired(db, user, order_no.clone(), now).await?;
    db.read(move |conn| {
        let order = owned_order(conn, user, &order_no)?;
        let replaces = match order.replaces_order_id {
            Some(id) => orders::find_order(conn, id)?.map(|o| o.order_no),
            None => None,
        };
        Ok(OrderDetail {
            items: orders::list_items(conn, order.id)?,
            method: pm::find_method(conn, order.payment_method_id)?,
            repayment_method: repayment_method(conn, &order)?,
            instalments: orders::list_instalments(conn, order.id)?,
            events: orders::list_events(conn, order.id)?,
            replaces,
            replaced_by: orders::find_replacement(conn, order.id)?.map(|o| o.order_no),
            tickets: tickets::list_tickets_for_order(conn, order.id)?,
            order,
        })
    })
    .await
}

/// Gives the items' stock back.
pub(crate) fn release_items(conn: &mut Conn, order: OrderId) -> Result<(), AppError> {
    for item in orders::list_items(conn, order)? {
        catalog::release_stock(conn, item.product_id, item.quantity)?;
    }
    Ok(())
}

/// Closes one expired unpaid order; false if it was no longer open or not expired.
fn close_in_txn(conn: &mut Conn, order: &Order, now: NaiveDateTime) -> Result<bool, AppError> {
    if !orders::mark_closed(conn, order.id, now)? {
        return Ok(false);
    }
    release_items(conn, order.id)?;
    timeline::record(
        conn,
        order.id,
        now,
        Actor::System,
        Entry::change(
            "closed",
            OrderStatus::PendingPayment.as_str(),
            OrderStatus::Closed.as_str(),
        ),
    )?;
    tracing::info!(order_no = %order.order_no, "unpaid order closed");
    Ok(true)
}

/// Closes every unpaid order whose window has passed (one owner's, or all).
/// Reads first and writes only when there is something to close.
pub async fn close_expired(
    db: &Db,
    now: NaiveDateTime,
    user: Option<UserId>,
) -> Result<usize, AppError> {
    let expired = db
        .read(move |conn| {
            Ok(match user {
                Some(u) => orders::list_expired_unpaid_for(conn, u, now)?,
                None => orders::list_expired_unpaid(conn, now)?,
            })
        })
        .await?;
    if expired.is_empty() {
        return Ok(0);
    }
    db.write(move |conn| {
        let mut closed = 0;
        for order in &expired {
            if close_in_txn(conn, order, now)? {
                closed += 1;
            }
        }
        Ok(closed)
    })
    .await
}

/// Why an action was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The order is (now) in this state, where the action does not apply.
    State(OrderStatus),
    /// The payment window passed; the order is closed.
    Expired,
    /// This very form was submitted before; its result stands.
    AlreadyDone,
}

pub async fn cancel(
    db: &Db,
    user: UserId,
    order_no: String,
    token: Option<String>,
    now: NaiveDateTime,
) -> Result<Result<(), Refusal>, AppError> {
    db.write(move |conn| {
        let order = owned_order(conn, user, &order_no)?;
        if token_used(conn, token.as_deref())? {
            return Ok(Err(Refusal::AlreadyDone));
        }
        if order.state() == OrderStatus::PendingPayment && order.pay_deadline <= now {
            close_in_txn(conn, &order, now)?;
            return Ok(Err(Refusal::Expired));
        }
        let from = OrderStatus::PendingPayment.as_str();
        if !orders::transition(conn, order.id, from, OrderStatus::Cancelled.as_str(), now)? {
            return Ok(Err(Refusal::State(order.state())));
        }
        claim_token(conn, user, token.as_deref(), now)?;
        orders::set_cancel_reason(conn, order.id, "shopper")?;
        release_items(conn, order.id)?;
        timeline::record(
            conn,
            order.id,
            now,
            Actor::Shopper,
            Entry::change("cancelled", from, OrderStatus::Cancelled.as_str()).note("shopper"),
        )?;
        Ok(Ok(()))
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    Paid,
    Declined {
        reason: String,
    },
    Refused(Refusal),
    /// The order's method was removed; the shopper must pick another.
    MethodGone,
}

/// Pays an unpaid order with its method: the gateway call happens outside
/// any transaction; the state change is a guarded update afterwards.
pub async fn pay(
    db: &Db,
    gateway: Arc<dyn PaymentGateway>,
    user: UserId,
    order_no: String,
    token: Option<String>,
    now: NaiveDateTime,
) -> Result<PayOutcome, AppError> {
    let no = order_no.clone();
    let found = db
        .write(move |conn| {
            let order = owned_order(conn, user, &no)?;
            if token_used(conn, token.as_deref())? {
                return Ok(None);
            }
            claim_token(conn, user, token.as_deref(), now)?;
            let method = pm::find_method(conn, order.payment_method_id)?;
            Ok(Some((order, method)))
        })
        .await?;
    let Some((order, method)) = found else {
        return Ok(PayOutcome::Refused(Refusal::AlreadyDone));
    };
    if order.state() != OrderStatus::PendingPayment {
        return Ok(PayOutcome::Refused(Refusal::State(order.state())));
    }
    if order.pay_deadline <= now {
        db.write(move |conn| close_in_txn(conn, &order, now))
            .await?;
        return Ok(PayOutcome::Refused(Refusal::Expired));
    }
    let Some(method) = method.filter(|m| m.removed_at.is_none()) else {
        return Ok(PayOutcome::MethodGone);
    };
    let request = ChargeRequest {
        reference: order.order_no.clone(),
        amount: Fen(order.total_fen),
        purpose: if order.term_months.is_some() {
            ChargePurpose::InstalmentAgreement
        } else {
            ChargePurpose::Payment
        },
        method: MethodDescriptor {
            kind: method.kind.clone(),
            last4: method.last4.clone(),
            account_label: method.account_label.clone(),
        },
    };
    let outcome = actix_web::web::block(move || gateway.charge(&request)).await?;
    match outcome {
        ChargeOutcome::Declined { reason } => {
            let note = reason.clone();
            db.write(move |conn| {
                timeline::record(
                    conn,
                    order.id,
                    now,
                    Actor::System,
                    Entry::new("payment_declined").note(&note),
                )
            })
            .await?;
            tracing::info!(order_no = %order_no, %reason, "payment declined");
            Ok(PayOutcome::Declined { reason })
        }
        ChargeOutcome::Approved { transaction_id } => {
            db.write(move |conn| {
                if !orders::mark_paid(conn, order.id, now)? {
                    let current = orders::find_order(conn, order.id)?
                        .map_or(OrderStatus::Closed, |o| o.state());
                    return Ok(PayOutcome::Refused(Refusal::State(current)));
                }
                if let Some(months) = order.term_months.and_then(|m| u32::try_from(m).ok()) {
                    let rows: Vec<NewInstalment> = plan::schedule(
                        order.principal(),
                        months,
                        BasisPoints(order.monthly_fee_bp),
                        local_date(now),
                    )
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("schedule: {e}")))?
                    .into_iter()
                    .map(|i| NewInstalment {
                        order_id: order.id,
                        seq: i32::try_from(i.seq).unwrap_or(i32::MAX),
                        due_on: i.due,
                        principal_fen: i.principal.0,
                        fee_fen: i.fee.0,
                        status: "due",
                        paid_at: None,
                    })
                    .collect();
                    orders::insert_instalments(conn, &rows)?;
                }
                timeline::record(
                    conn,
                    order.id,
                    now,
                    Actor::Shopper,
                    Entry::change(
                        "paid",
                        OrderStatus::PendingPayment.as_str(),
                        OrderStatus::Paid.as_str(),
                    )
                    .note(&transaction_id),
                )?;
                Ok(PayOutcome::Paid)
            })
            .await
        }
    }
}

/// Fulfilment steps (paid → shipped → completed), for operations and demo data.
pub async fn advance_fulfilment(
    db: &Db,
    order_no: String,
    to: OrderStatus,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    db.write(move |conn| {
        let order = orders::find_order_by_no(conn, &order_no)?.ok_or(AppError::NotFound)?;
        let from = order.state();
        let event = match to {
            OrderStatus::Shipped => crate::domain::order::OrderEvent::Ship,
            OrderStatus::Completed => crate::domain::order::OrderEvent::Complete,
            _ => return Ok(false),
        };
        if from.transition(event) != Ok(to)
            || !orders::transition(conn, order.id, from.as_str(), to.as_str(), now)?
        {
            return Ok(false);
        }
        timeline::record(
            conn,
            order.id,
            now,
            Actor::System,
            Entry::change(to.as_str(), from.as_str(), to.as_str()),
        )?;
        Ok(true)
    })
    .await
}
