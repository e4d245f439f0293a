//! Orders, their items, instalments and timeline. Every read of a shopper's
//! order goes through an owner-scoped query (`find_order_for_owner`): another
//! account's order is simply not found. Rows speak domain types and are
//! handed out as the domain's records.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{
    form_tokens, installment_terms, instalments, order_events, order_items, orders, users,
};
use super::types::{invalid_row, record_row};
use super::{Conn, on_backend};
use crate::domain::ids::{InstalmentId, OrderId, PaymentMethodId, ProductId, UserId};
use crate::domain::order::{
    CancelReason, Instalment, InstalmentStatus, Order, OrderEvent, OrderItem, OrderStatus,
    ShippingMethod,
};
use crate::domain::plan::{Plan, PlanKind};
use crate::domain::timeline::{Actor, EventKind, TimelineEntry};
use crate::domain::{BasisPoints, Fen};

/// Instalment states still to be paid ([`InstalmentStatus::is_open`]), as
/// two comparisons rather than `IN (…)`: diesel caches the prepared
/// statement only when its SQL cannot vary.
macro_rules! open_instalment {
    () => {
        instalments::status
            .eq(InstalmentStatus::Due)
            .or(instalments::status.eq(InstalmentStatus::Overdue))
    };
}

/// The states in which an order's plan is running (paid and after), as
/// comparisons (see `open_instalment!`).
macro_rules! plan_running {
    () => {
        orders::status
            .eq(OrderStatus::Paid)
            .or(orders::status.eq(OrderStatus::Shipped))
            .or(orders::status.eq(OrderStatus::Completed))
    };
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct OrderRow {
    id: OrderId,
    order_no: String,
    user_id: UserId,
    status: OrderStatus,
    shipping_method: ShippingMethod,
    items_fen: Fen,
    shipping_fen: Fen,
    plan: PlanKind,
    term_months: Option<i32>,
    monthly_fee_bp: BasisPoints,
    fee_fen: Fen,
    total_fen: Fen,
    payment_method_id: PaymentMethodId,
    created_at: NaiveDateTime,
    pay_deadline: NaiveDateTime,
    paid_at: Option<NaiveDateTime>,
    ended_at: Option<NaiveDateTime>,
    cancel_reason: Option<CancelReason>,
    repayment_method_id: Option<PaymentMethodId>,
    replaces_order_id: Option<OrderId>,
}

impl TryFrom<OrderRow> for Order {
    type Error = diesel::result::Error;
    fn try_from(r: OrderRow) -> QueryResult<Order> {
        Ok(Order {
            plan: Plan::from_parts(r.plan, r.term_months).map_err(invalid_row)?,
            id: r.id,
            order_no: r.order_no,
            user_id: r.user_id,
            status: r.status,
            shipping_method: r.shipping_method,
            items_fen: r.items_fen,
            shipping_fen: r.shipping_fen,
            monthly_fee_bp: r.monthly_fee_bp,
            fee_fen: r.fee_fen,
            total_fen: r.total_fen,
            payment_method_id: r.payment_method_id,
            created_at: r.created_at,
            pay_deadline: r.pay_deadline,
            paid_at: r.paid_at,
            ended_at: r.ended_at,
            cancel_reason: r.cancel_reason,
            repayment_method_id: r.repayment_method_id,
            replaces_order_id: r.replaces_order_id,
        })
    }
}

fn orders_of(rows: Vec<OrderRow>) -> QueryResult<Vec<Order>> {
    rows.into_iter().map(Order::try_from).collect()
}

fn order_of(row: Option<OrderRow>) -> QueryResult<Option<Order>> {
    row.map(Order::try_from).transpose()
}

/// A new order: what checkout decided, priced and eligible.
pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub user_id: UserId,
    pub shipping_method: ShippingMethod,
    pub items_fen: Fen,
    pub shipping_fen: Fen,
    pub plan: Plan,
    pub monthly_fee_bp: BasisPoints,
    pub fee_fen: Fen,
    pub total_fen: Fen,
    pub payment_method_id: PaymentMethodId,
    pub checkout_token: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub pay_deadline: NaiveDateTime,
    pub replaces_order_id: Option<OrderId>,
}

#[derive(Insertable)]
#[diesel(table_name = orders)]
struct NewOrderRow<'a> {
    order_no: &'a str,
    user_id: UserId,
    status: OrderStatus,
    shipping_method: ShippingMethod,
    items_fen: Fen,
    shipping_fen: Fen,
    plan: PlanKind,
    term_months: Option<i32>,
    monthly_fee_bp: BasisPoints,
    fee_fen: Fen,
    total_fen: Fen,
    payment_method_id: PaymentMethodId,
    checkout_token: Option<&'a str>,
    created_at: NaiveDateTime,
    pay_deadline: NaiveDateTime,
    replaces_order_id: Option<OrderId>,
}

record_row!(ItemRow => OrderItem, order_items {
    id: i32,
    order_id: OrderId,
    product_id: ProductId,
    name_zh: String,
    name_en: String,
    unit_price_fen: Fen,
    quantity: i32,
});

#[derive(Insertable)]
#[diesel(table_name = order_items)]
pub struct NewOrderItem<'a> {
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub unit_price_fen: Fen,
    pub quantity: i32,
}

record_row!(InstalmentRow => Instalment, instalments {
    id: InstalmentId,
    order_id: OrderId,
    seq: i32,
    due_on: NaiveDate,
    principal_fen: Fen,
    fee_fen: Fen,
    status: InstalmentStatus,
    paid_at: Option<NaiveDateTime>,
    attempts: i32,
    last_error: Option<String>,
    next_attempt_at: Option<NaiveDateTime>,
});

#[derive(Insertable)]
#[diesel(table_name = instalments)]
pub struct NewInstalment {
    pub order_id: OrderId,
    pub seq: i32,
    pub due_on: NaiveDate,
    pub principal_fen: Fen,
    pub fee_fen: Fen,
    pub status: InstalmentStatus,
}

record_row!(EventRow => TimelineEntry, order_events {
    id: i32,
    order_id: OrderId,
    at: NaiveDateTime,
    actor: Actor,
    kind: EventKind,
    from_value: Option<String>,
    to_value: Option<String>,
    note: Option<String>,
});

#[derive(Insertable)]
#[diesel(table_name = order_events)]
pub struct NewOrderEvent<'a> {
    pub order_id: OrderId,
    pub at: NaiveDateTime,
    pub actor: Actor,
    pub kind: EventKind,
    pub from_value: Option<&'a str>,
    pub to_value: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// The user's revision (migration 000008): read in the same transaction as
/// an order page's data, it names the state that data was read in.
pub fn user_revision(conn: &mut Conn, user: UserId) -> QueryResult<i64> {
    on_backend!(conn => {
        users::table
            .find(user)
            .select(users::revision)
            .first(conn)
    })
}

pub fn find_order_for_owner(
    conn: &mut Conn,
    user: UserId,
    order_no: &str,
) -> QueryResult<Option<Order>> {
    on_backend!(conn => {
        order_of(
            orders::table
                .filter(orders::order_no.eq(order_no))
                .filter(orders::user_id.eq(user))
                .select(OrderRow::as_select())
                .first(conn)
                .optional()?,
        )
    })
}

pub fn find_order(conn: &mut Conn, id: OrderId) -> QueryResult<Option<Order>> {
    on_backend!(conn => {
        order_of(
            orders::table
                .find(id)
                .select(OrderRow::as_select())
                .first(conn)
                .optional()?,
        )
    })
}

pub fn find_order_by_no(conn: &mut Conn, order_no: &str) -> QueryResult<Option<Order>> {
    on_backend!(conn => {
        order_of(
            orders::table
                .filter(orders::order_no.eq(order_no))
                .select(OrderRow::as_select())
                .first(conn)
                .optional()?,
        )
    })
}

/// Checkout tokens are one-time per account: the column (unique in the
/// first schema) stores `{user id}:{token}`, so another account sending the
/// same token neither finds this order nor collides with it.
fn stored_checkout_token(user: UserId, token: &str) -> String {
    format!("{user}:{token}")
}

/// The order `user` placed with this checkout token; another account's token
/// finds nothing.
pub fn find_order_by_checkout_token(
    conn: &mut Conn,
    user: UserId,
    token: &str,
) -> QueryResult<Option<Order>> {
    on_backend!(conn => {
        order_of(
            orders::table
                .filter(orders::checkout_token.eq(stored_checkout_token(user, token)))
                .filter(orders::user_id.eq(user))
                .select(OrderRow::as_select())
                .first(conn)
                .optional()?,
        )
    })
}

/// A page of one owner's orders in one or two states (or all), newest first.
///
/// The state filter is always `(status = ? OR status = ? OR ?)`, the last bind
/// true for "all": one statement shape whatever the tab, so the prepared
/// statement is cached (an `IN (…)` list of varying length never is).
#[derive(Debug, Clone, Copy)]
pub struct OrderPage {
    pub user: UserId,
    /// Up to three states (repeated to fill), unless `all`.
    pub states: [OrderStatus; 3],
    pub all: bool,
    pub limit: i64,
    pub offset: i64,
}

impl OrderPage {
    /// The orders in `statuses` (a tab: one to three states, or every state).
    pub fn new(user: UserId, statuses: &[OrderStatus], limit: i64, offset: i64) -> OrderPage {
        let (states, all) = match statuses {
            [one] => ([*one; 3], false),
            [a, b] => ([*a, *b, *b], false),
            [a, b, c] => ([*a, *b, *c], false),
            _ => {
                debug_assert_eq!(statuses.len(), OrderStatus::ALL.len(), "a tab of 4+ states");
                ([OrderStatus::PendingPayment; 3], true)
            }
        };
        OrderPage {
            user,
            states,
            all,
            limit,
            offset,
        }
    }
}

macro_rules! page_of_orders {
    ($page:expr) => {
        orders::table
            .filter(orders::user_id.eq($page.user))
            .filter(
                orders::status
                    .eq($page.states[0])
                    .or(orders::status.eq($page.states[1]))
                    .or(orders::status.eq($page.states[2]))
                    .or($page.all.into_sql::<diesel::sql_types::Bool>()),
            )
            .order((orders::created_at.desc(), orders::id.desc()))
            .limit($page.limit)
            .offset($page.offset)
    };
}

pub fn list_orders_for_owner(conn: &mut Conn, page: OrderPage) -> QueryResult<Vec<Order>> {
    on_backend!(conn => {
        orders_of(
            page_of_orders!(page)
                .select(OrderRow::as_select())
                .load(conn)?,
        )
    })
}

/// The items of the orders on `page`.
pub fn list_items_on_page(conn: &mut Conn, page: OrderPage) -> QueryResult<Vec<OrderItem>> {
    on_backend!(conn => {
        Ok(order_items::table
            .filter(order_items::order_id.eq_any(page_of_orders!(page).select(orders::id)))
            .order(order_items::id)
            .select(ItemRow::as_select())
            .load(conn)?
            .into_iter()
            .map(OrderItem::from)
            .collect())
    })
}

/// Unpaid instalments of the orders on `page`, earliest first within each order.
pub fn list_open_instalments_on_page(
    conn: &mut Conn,
    page: OrderPage,
) -> QueryResult<Vec<Instalment>> {
    on_backend!(conn => {
        instalments_of(
            instalments::table
                .filter(instalments::order_id.eq_any(page_of_orders!(page).select(orders::id)))
                .filter(open_instalment!())
                .order((instalments::order_id, instalments::seq))
                .select(InstalmentRow::as_select())
                .load(conn)?,
        )
    })
}

fn instalments_of(rows: Vec<InstalmentRow>) -> QueryResult<Vec<Instalment>> {
    Ok(rows.into_iter().map(Instalment::from).collect())
}

/// How many orders the owner has in each state.
pub fn count_orders_by_status(
    conn: &mut Conn,
    user: UserId,
) -> QueryResult<Vec<(OrderStatus, i64)>> {
    on_backend!(conn => {
        orders::table
            .filter(orders::user_id.eq(user))
            .group_by(orders::status)
            .select((orders::status, diesel::dsl::count_star()))
            .load(conn)
    })
}

/// Unpaid orders whose window has passed: one owner's, or everyone's.
pub fn list_expired_unpaid(
    conn: &mut Conn,
    user: Option<UserId>,
    now: NaiveDateTime,
) -> QueryResult<Vec<Order>> {
    on_backend!(conn => {
        let expired = orders::table
            .filter(orders::status.eq(OrderStatus::PendingPayment))
            .filter(orders::pay_deadline.le(now))
            .select(OrderRow::as_select());
        orders_of(match user {
            Some(u) => expired.filter(orders::user_id.eq(u)).load(conn)?,
            None => expired.load(conn)?,
        })
    })
}

pub fn insert_order(conn: &mut Conn, new: &NewOrder<'_>) -> QueryResult<Order> {
    on_backend!(conn => {
        let token = new
            .checkout_token
            .map(|t| stored_checkout_token(new.user_id, t));
        let row = NewOrderRow {
            order_no: new.order_no,
            user_id: new.user_id,
            status: OrderStatus::PendingPayment,
            shipping_method: new.shipping_method,
            items_fen: new.items_fen,
            shipping_fen: new.shipping_fen,
            plan: new.plan.kind(),
            term_months: new.plan.months().and_then(|m| i32::try_from(m).ok()),
            monthly_fee_bp: new.monthly_fee_bp,
            fee_fen: new.fee_fen,
            total_fen: new.total_fen,
            payment_method_id: new.payment_method_id,
            checkout_token: token.as_deref(),
            created_at: new.created_at,
            pay_deadline: new.pay_deadline,
            replaces_order_id: new.replaces_order_id,
        };
        diesel::insert_into(orders::table)
            .values(&row)
            .returning(OrderRow::as_returning())
            .get_result(conn)?
            .try_into()
    })
}

pub fn insert_items(conn: &mut Conn, items: &[NewOrderItem<'_>]) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(order_items::table)
            .values(items)
            .execute(conn)?;
        Ok(())
    })
}

pub fn list_items(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<OrderItem>> {
    on_backend!(conn => {
        Ok(order_items::table
            .filter(order_items::order_id.eq(order))
            .order(order_items::id)
            .select(ItemRow::as_select())
            .load(conn)?
            .into_iter()
            .map(OrderItem::from)
            .collect())
    })
}

/// Applies `event` to an order that is still in `from`, through the one
/// transition function [`OrderStatus::transition`]. Cancelling needs the
/// payment window still open at `now`, closing needs it passed; paying
/// checks only the state (the window was checked when the payment was
/// claimed with its ledger entry, which keeps the order from closing while
/// the gateway answers). Returns false when the event does not apply or
/// another request got there first (the guard is in the `WHERE`).
pub fn transition(
    conn: &mut Conn,
    id: OrderId,
    from: OrderStatus,
    event: OrderEvent,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let Ok(to) = from.transition(event) else {
            return Ok(false);
        };
        let target = orders::table.find(id).filter(orders::status.eq(from));
        let n = match event {
            OrderEvent::Pay => diesel::update(target)
                .set((orders::status.eq(to), orders::paid_at.eq(Some(now))))
                .execute(conn)?,
            OrderEvent::Cancel => diesel::update(target.filter(orders::pay_deadline.gt(now)))
                .set((orders::status.eq(to), orders::ended_at.eq(Some(now))))
                .execute(conn)?,
            OrderEvent::Close => diesel::update(target.filter(orders::pay_deadline.le(now)))
                .set((orders::status.eq(to), orders::ended_at.eq(Some(now))))
                .execute(conn)?,
            OrderEvent::Refund => diesel::update(target)
                .set((orders::status.eq(to), orders::ended_at.eq(Some(now))))
                .execute(conn)?,
            OrderEvent::Ship | OrderEvent::Complete => diesel::update(target)
                .set(orders::status.eq(to))
                .execute(conn)?,
        };
        Ok(n == 1)
    })
}

pub fn set_cancel_reason(conn: &mut Conn, id: OrderId, reason: CancelReason) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(orders::table.find(id))
            .set(orders::cancel_reason.eq(Some(reason)))
            .execute(conn)?;
        Ok(())
    })
}

pub fn insert_event(conn: &mut Conn, event: &NewOrderEvent<'_>) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(order_events::table)
            .values(event)
            .execute(conn)?;
        Ok(())
    })
}

/// The timeline, newest first.
pub fn list_events(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<TimelineEntry>> {
    on_backend!(conn => {
        Ok(order_events::table
            .filter(order_events::order_id.eq(order))
            .order(order_events::id.desc())
            .select(EventRow::as_select())
            .load(conn)?
            .into_iter()
            .map(TimelineEntry::from)
            .collect())
    })
}

pub fn insert_instalments(conn: &mut Conn, rows: &[NewInstalment]) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(instalments::table)
            .values(rows)
            .execute(conn)?;
        Ok(())
    })
}

pub fn list_instalments(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<Instalment>> {
    on_backend!(conn => {
        instalments_of(
            instalments::table
                .filter(instalments::order_id.eq(order))
                .order(instalments::seq)
                .select(InstalmentRow::as_select())
                .load(conn)?,
        )
    })
}

/// The fee-rate table: (months, monthly fee), shortest first.
pub fn list_terms(conn: &mut Conn) -> QueryResult<Vec<(i32, BasisPoints)>> {
    on_backend!(conn => {
        installment_terms::table
            .order(installment_terms::months)
            .select((installment_terms::months, installment_terms::monthly_fee_bp))
            .load(conn)
    })
}

/// The order placed to replace `order` (after a payment change), if any.
pub fn find_replacement(conn: &mut Conn, order: OrderId) -> QueryResult<Option<Order>> {
    on_backend!(conn => {
        order_of(
            orders::table
                .filter(orders::replaces_order_id.eq(order))
                .select(OrderRow::as_select())
                .first(conn)
                .optional()?,
        )
    })
}

/// Switches an unpaid order to another method, only if it still has `from`.
pub fn change_method(
    conn: &mut Conn,
    id: OrderId,
    from: PaymentMethodId,
    to: PaymentMethodId,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            orders::table
                .find(id)
                .filter(orders::status.eq(OrderStatus::PendingPayment))
                .filter(orders::payment_method_id.eq(from)),
        )
        .set(orders::payment_method_id.eq(to))
        .execute(conn)?;
        Ok(n == 1)
    })
}

/// Pins (or with `None`, unpins) the repayment method of an order.
pub fn set_repayment_method(
    conn: &mut Conn,
    id: OrderId,
    method: Option<PaymentMethodId>,
) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(orders::table.find(id))
            .set(orders::repayment_method_id.eq(method))
            .execute(conn)?;
        Ok(())
    })
}

/// The owner's paid orders that still have unpaid instalments.
pub fn list_active_plans(conn: &mut Conn, user: UserId) -> QueryResult<Vec<Order>> {
    on_backend!(conn => {
        let with_open_instalments = instalments::table
            .filter(open_instalment!())
            .select(instalments::order_id);
        orders_of(
            orders::table
                .filter(orders::user_id.eq(user))
                .filter(plan_running!())
                .filter(orders::id.eq_any(with_open_instalments))
                .order(orders::created_at)
                .select(OrderRow::as_select())
                .load(conn)?,
        )
    })
}

/// Instalments that may be charged now: not paid, due on or before `today`,
/// not waiting for a retry, of an order that is paid.
pub fn list_collectable(
    conn: &mut Conn,
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Vec<(Instalment, Order)>> {
    on_backend!(conn => {
        instalments::table
            .inner_join(orders::table)
            .filter(open_instalment!())
            .filter(instalments::due_on.le(today))
            .filter(
                instalments::next_attempt_at
                    .is_null()
                    .or(instalments::next_attempt_at.le(now)),
            )
            .filter(plan_running!())
            .order((instalments::due_on, instalments::id))
            .select((InstalmentRow::as_select(), OrderRow::as_select()))
            .load::<(InstalmentRow, OrderRow)>(conn)?
            .into_iter()
            .map(|(i, o)| Ok((Instalment::from(i), Order::try_from(o)?)))
            .collect()
    })
}

/// Marks an instalment paid, only if it is not yet.
pub fn mark_instalment_paid(
    conn: &mut Conn,
    id: InstalmentId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            instalments::table
                .find(id)
                .filter(open_instalment!()),
        )
        .set((
            instalments::status.eq(InstalmentStatus::Paid),
            instalments::paid_at.eq(Some(now)),
            instalments::attempts.eq(instalments::attempts + 1),
            instalments::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
        Ok(n == 1)
    })
}

/// Marks an unpaid instalment overdue after a decline and schedules the retry.
pub fn mark_instalment_declined(
    conn: &mut Conn,
    id: InstalmentId,
    reason: &str,
    retry_at: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            instalments::table
                .find(id)
                .filter(open_instalment!()),
        )
        .set((
            instalments::status.eq(InstalmentStatus::Overdue),
            instalments::attempts.eq(instalments::attempts + 1),
            instalments::last_error.eq(Some(reason)),
            instalments::next_attempt_at.eq(Some(retry_at)),
        ))
        .execute(conn)?;
        Ok(n == 1)
    })
}

pub fn form_token_exists(conn: &mut Conn, token: &str) -> QueryResult<bool> {
    on_backend!(conn => {
        diesel::select(diesel::dsl::exists(form_tokens::table.find(token))).get_result(conn)
    })
}

/// Claims a one-time form token; false if it was used before.
pub fn claim_form_token(
    conn: &mut Conn,
    user: UserId,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::insert_into(form_tokens::table)
            .values((
                form_tokens::token.eq(token),
                form_tokens::user_id.eq(user),
                form_tokens::used_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        Ok(n == 1)
    })
}

/// Waives an unpaid instalment's fee (settling a plan early waives the fees
/// of instalments not yet due).
pub fn waive_fee(conn: &mut Conn, id: InstalmentId) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(
            instalments::table
                .find(id)
                .filter(open_instalment!()),
        )
        .set(instalments::fee_fen.eq(Fen::ZERO))
        .execute(conn)?;
        Ok(())
    })
}

/// Cancels `order`'s unpaid instalments (it was refunded); their numbers.
pub fn cancel_open_instalments(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<i32>> {
    on_backend!(conn => {
        diesel::update(
            instalments::table
                .filter(instalments::order_id.eq(order))
                .filter(open_instalment!()),
        )
        .set((
            instalments::status.eq(InstalmentStatus::Cancelled),
            instalments::next_attempt_at.eq(None::<NaiveDateTime>),
        ))
        .returning(instalments::seq)
        .get_results(conn)
    })
}

/// Makes an overdue instalment of `order` due for another try at `at` (its
/// method was just changed).
pub fn retry_overdue(conn: &mut Conn, order: OrderId, at: NaiveDateTime) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(
            instalments::table
                .filter(instalments::order_id.eq(order))
                .filter(instalments::status.eq(InstalmentStatus::Overdue)),
        )
        .set(instalments::next_attempt_at.eq(Some(at)))
        .execute(conn)?;
        Ok(())
    })
}
