//! Orders, their items, instalments and timeline. Every read of a shopper's
//! order goes through an owner-scoped query (`find_order_for_owner`): another
//! account's order is simply not found.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Conn;
use super::ids::{OrderId, PaymentMethodId, ProductId, UserId};
use super::schema::{
    form_tokens, installment_terms, instalments, order_events, order_items, orders,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Order {
    pub id: OrderId,
    pub order_no: String,
    pub user_id: UserId,
    pub status: String,
    pub shipping_method: String,
    pub items_fen: i64,
    pub shipping_fen: i64,
    pub plan: String,
    pub term_months: Option<i32>,
    pub monthly_fee_bp: i32,
    pub fee_fen: i64,
    pub total_fen: i64,
    pub payment_method_id: PaymentMethodId,
    pub checkout_token: Option<String>,
    pub created_at: NaiveDateTime,
    pub pay_deadline: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    /// Pinned repayment method; `None` follows the account's priority method.
    pub repayment_method_id: Option<PaymentMethodId>,
    /// The order this one replaced after a payment change.
    pub replaces_order_id: Option<OrderId>,
}

#[derive(Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub user_id: UserId,
    pub status: &'a str,
    pub shipping_method: &'a str,
    pub items_fen: i64,
    pub shipping_fen: i64,
    pub plan: &'a str,
    pub term_months: Option<i32>,
    pub monthly_fee_bp: i32,
    pub fee_fen: i64,
    pub total_fen: i64,
    pub payment_method_id: PaymentMethodId,
    pub checkout_token: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub pay_deadline: NaiveDateTime,
    pub replaces_order_id: Option<OrderId>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_items, check_for_backend(diesel::sqlite::Sqlite))]
pub struct OrderItem {
    pub id: i32,
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub name_zh: String,
    pub name_en: String,
    pub unit_price_fen: i64,
    pub quantity: i32,
}

#[derive(Insertable)]
#[diesel(table_name = order_items)]
pub struct NewOrderItem<'a> {
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub unit_price_fen: i64,
    pub quantity: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = instalments, check_for_backend(diesel::sqlite::Sqlite))]
pub struct InstalmentRow {
    pub id: i32,
    pub order_id: OrderId,
    pub seq: i32,
    pub due_on: NaiveDate,
    pub principal_fen: i64,
    pub fee_fen: i64,
    pub status: String,
    pub paid_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = instalments)]
pub struct NewInstalment {
    pub order_id: OrderId,
    pub seq: i32,
    pub due_on: NaiveDate,
    pub principal_fen: i64,
    pub fee_fen: i64,
    pub status: &'static str,
    pub paid_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_events, check_for_backend(diesel::sqlite::Sqlite))]
pub struct OrderEvent {
    pub id: i32,
    pub order_id: OrderId,
    pub at: NaiveDateTime,
    pub actor: String,
    pub kind: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub note: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = order_events)]
pub struct NewOrderEvent<'a> {
    pub order_id: OrderId,
    pub at: NaiveDateTime,
    pub actor: &'a str,
    pub kind: &'a str,
    pub from_value: Option<&'a str>,
    pub to_value: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub fn find_order_for_owner(
    conn: &mut Conn,
    user: UserId,
    order_no: &str,
) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::order_no.eq(order_no))
        .filter(orders::user_id.eq(user))
        .select(Order::as_select())
        .first(conn)
        .optional()
}

pub fn find_order(conn: &mut Conn, id: OrderId) -> QueryResult<Option<Order>> {
    orders::table
        .find(id)
        .select(Order::as_select())
        .first(conn)
        .optional()
}

pub fn find_order_by_checkout_token(
    conn: &mut Conn,
    user: UserId,
    token: &str,
) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::checkout_token.eq(token))
        .filter(orders::user_id.eq(user))
        .select(Order::as_select())
        .first(conn)
        .optional()
}

/// A page of one owner's orders in one or two states (or all), newest first.
///
/// The state filter is always `(status = ? OR status = ? OR ?)`, the last bind
/// true for "all": one statement shape whatever the tab, so the prepared
/// statement is cached (an `IN (…)` list of varying length never is).
#[derive(Debug, Clone, Copy)]
pub struct OrderPage<'a> {
    pub user: UserId,
    pub first: &'a str,
    pub second: &'a str,
    pub all: bool,
    pub limit: i64,
    pub offset: i64,
}

impl<'a> OrderPage<'a> {
    /// `statuses` of one or two states, or every state for "all".
    pub fn new(user: UserId, statuses: &[&'a str], limit: i64, offset: i64) -> OrderPage<'a> {
        let (first, second, all) = match statuses {
            [one] => (*one, *one, false),
            [a, b] => (*a, *b, false),
            _ => ("", "", true),
        };
        OrderPage {
            user,
            first,
            second,
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
                    .eq($page.first)
                    .or(orders::status.eq($page.second))
                    .or($page.all.into_sql::<diesel::sql_types::Bool>()),
            )
            .order((orders::created_at.desc(), orders::id.desc()))
            .limit($page.limit)
            .offset($page.offset)
    };
}

pub fn list_orders_for_owner(conn: &mut Conn, page: OrderPage<'_>) -> QueryResult<Vec<Order>> {
    page_of_orders!(page).select(Order::as_select()).load(conn)
}

/// The items of the orders on `page`.
pub fn list_items_on_page(conn: &mut Conn, page: OrderPage<'_>) -> QueryResult<Vec<OrderItem>> {
    order_items::table
        .filter(order_items::order_id.eq_any(page_of_orders!(page).select(orders::id)))
        .order(order_items::id)
        .select(OrderItem::as_select())
        .load(conn)
}

/// Unpaid instalments of the orders on `page`, earliest first within each order.
pub fn list_open_instalments_on_page(
    conn: &mut Conn,
    page: OrderPage<'_>,
) -> QueryResult<Vec<InstalmentRow>> {
    instalments::table
        .filter(instalments::order_id.eq_any(page_of_orders!(page).select(orders::id)))
        .filter(instalments::status.ne("paid"))
        .order((instalments::order_id, instalments::seq))
        .select(InstalmentRow::as_select())
        .load(conn)
}

/// How many orders the owner has in each state.
pub fn count_orders_by_status(conn: &mut Conn, user: UserId) -> QueryResult<Vec<(String, i64)>> {
    orders::table
        .filter(orders::user_id.eq(user))
        .group_by(orders::status)
        .select((orders::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Unpaid orders whose window has passed.
pub fn list_expired_unpaid(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<Vec<Order>> {
    orders::table
        .filter(orders::status.eq("pending_payment"))
        .filter(orders::pay_deadline.le(now))
        .select(Order::as_select())
        .load(conn)
}

/// One owner's unpaid orders whose window has passed (checked on every 我的订单 view).
pub fn list_expired_unpaid_for(
    conn: &mut Conn,
    user: UserId,
    now: NaiveDateTime,
) -> QueryResult<Vec<Order>> {
    orders::table
        .filter(orders::user_id.eq(user))
        .filter(orders::status.eq("pending_payment"))
        .filter(orders::pay_deadline.le(now))
        .select(Order::as_select())
        .load(conn)
}

pub fn insert_order(conn: &mut Conn, new: &NewOrder<'_>) -> QueryResult<Order> {
    diesel::insert_into(orders::table)
        .values(new)
        .returning(Order::as_returning())
        .get_result(conn)
}

pub fn insert_items(conn: &mut Conn, items: &[NewOrderItem<'_>]) -> QueryResult<()> {
    diesel::insert_into(order_items::table)
        .values(items)
        .execute(conn)?;
    Ok(())
}

pub fn list_items(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<OrderItem>> {
    order_items::table
        .filter(order_items::order_id.eq(order))
        .order(order_items::id)
        .select(OrderItem::as_select())
        .load(conn)
}

/// Moves an order from `from` to `to`, only if it is still in `from`.
/// Returns false when another request got there first.
pub fn transition(
    conn: &mut Conn,
    id: OrderId,
    from: &str,
    to: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let target = orders::table.find(id).filter(orders::status.eq(from));
    let n = match to {
        "paid" => diesel::update(target)
            .set((orders::status.eq(to), orders::paid_at.eq(Some(at))))
            .execute(conn)?,
        "cancelled" | "closed" => diesel::update(target)
            .set((orders::status.eq(to), orders::ended_at.eq(Some(at))))
            .execute(conn)?,
        _ => diesel::update(target)
            .set(orders::status.eq(to))
            .execute(conn)?,
    };
    Ok(n == 1)
}

pub fn set_cancel_reason(conn: &mut Conn, id: OrderId, reason: &str) -> QueryResult<()> {
    diesel::update(orders::table.find(id))
        .set(orders::cancel_reason.eq(Some(reason)))
        .execute(conn)?;
    Ok(())
}

pub fn insert_event(conn: &mut Conn, event: &NewOrderEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(order_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

/// The timeline, newest first.
pub fn list_events(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<OrderEvent>> {
    order_events::table
        .filter(order_events::order_id.eq(order))
        .order(order_events::id.desc())
        .select(OrderEvent::as_select())
        .load(conn)
}

pub fn insert_instalments(conn: &mut Conn, rows: &[NewInstalment]) -> QueryResult<()> {
    diesel::insert_into(instalments::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

pub fn list_instalments(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<InstalmentRow>> {
    instalments::table
        .filter(instalments::order_id.eq(order))
        .order(instalments::seq)
        .select(InstalmentRow::as_select())
        .load(conn)
}

/// The fee-rate table: (months, monthly fee in basis points), shortest first.
pub fn list_terms(conn: &mut Conn) -> QueryResult<Vec<(i32, i32)>> {
    installment_terms::table
        .order(installment_terms::months)
        .select((installment_terms::months, installment_terms::monthly_fee_bp))
        .load(conn)
}

pub fn find_order_by_no(conn: &mut Conn, order_no: &str) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::order_no.eq(order_no))
        .select(Order::as_select())
        .first(conn)
        .optional()
}

/// pending_payment → paid, only while the payment window is open.
pub fn mark_paid(conn: &mut Conn, id: OrderId, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        orders::table
            .find(id)
            .filter(orders::status.eq("pending_payment"))
            .filter(orders::pay_deadline.gt(now)),
    )
    .set((orders::status.eq("paid"), orders::paid_at.eq(Some(now))))
    .execute(conn)?;
    Ok(n == 1)
}

/// pending_payment → closed, only once the payment window has passed.
pub fn mark_closed(conn: &mut Conn, id: OrderId, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        orders::table
            .find(id)
            .filter(orders::status.eq("pending_payment"))
            .filter(orders::pay_deadline.le(now)),
    )
    .set((orders::status.eq("closed"), orders::ended_at.eq(Some(now))))
    .execute(conn)?;
    Ok(n == 1)
}

/// The order placed to replace `order` (after a payment change), if any.
pub fn find_replacement(conn: &mut Conn, order: OrderId) -> QueryResult<Option<Order>> {
    orders::table
        .filter(orders::replaces_order_id.eq(order))
        .select(Order::as_select())
        .first(conn)
        .optional()
}

/// Switches an unpaid order to another method, only if it still has `from`.
pub fn change_method(
    conn: &mut Conn,
    id: OrderId,
    from: PaymentMethodId,
    to: PaymentMethodId,
) -> QueryResult<bool> {
    let n = diesel::update(
        orders::table
            .find(id)
            .filter(orders::status.eq("pending_payment"))
            .filter(orders::payment_method_id.eq(from)),
    )
    .set(orders::payment_method_id.eq(to))
    .execute(conn)?;
    Ok(n == 1)
}

/// Pins (or with `None`, unpins) the repayment method of an order.
pub fn set_repayment_method(
    conn: &mut Conn,
    id: OrderId,
    method: Option<PaymentMethodId>,
) -> QueryResult<()> {
    diesel::update(orders::table.find(id))
        .set(orders::repayment_method_id.eq(method))
        .execute(conn)?;
    Ok(())
}

/// The owner's paid orders that still have unpaid instalments.
pub fn list_active_plans(conn: &mut Conn, user: UserId) -> QueryResult<Vec<Order>> {
    let with_open_instalments = instalments::table
        .filter(instalments::status.ne("paid"))
        .select(instalments::order_id);
    orders::table
        .filter(orders::user_id.eq(user))
        .filter(orders::status.eq_any(["paid", "shipped", "completed"]))
        .filter(orders::id.eq_any(with_open_instalments))
        .order(orders::created_at)
        .select(Order::as_select())
        .load(conn)
}

/// Instalments that may be charged now: not paid, due on or before `today`,
/// not waiting for a retry, of an order that is paid.
pub fn list_collectable(
    conn: &mut Conn,
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Vec<(InstalmentRow, Order)>> {
    instalments::table
        .inner_join(orders::table)
        .filter(instalments::status.ne("paid"))
        .filter(instalments::due_on.le(today))
        .filter(
            instalments::next_attempt_at
                .is_null()
                .or(instalments::next_attempt_at.le(now)),
        )
        .filter(orders::status.eq_any(["paid", "shipped", "completed"]))
        .order((instalments::due_on, instalments::id))
        .select((InstalmentRow::as_select(), Order::as_select()))
        .load(conn)
}

/// Marks an instalment paid, only if it is not yet.
pub fn mark_instalment_paid(conn: &mut Conn, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        instalments::table
            .find(id)
            .filter(instalments::status.ne("paid")),
    )
    .set((
        instalments::status.eq("paid"),
        instalments::paid_at.eq(Some(now)),
        instalments::attempts.eq(instalments::attempts + 1),
        instalments::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks an unpaid instalment overdue after a decline and schedules the retry.
pub fn mark_instalment_declined(
    conn: &mut Conn,
    id: i32,
    reason: &str,
    retry_at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        instalments::table
            .find(id)
            .filter(instalments::status.ne("paid")),
    )
    .set((
        instalments::status.eq("overdue"),
        instalments::attempts.eq(instalments::attempts + 1),
        instalments::last_error.eq(Some(reason)),
        instalments::next_attempt_at.eq(Some(retry_at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn form_token_exists(conn: &mut Conn, token: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(form_tokens::table.find(token))).get_result(conn)
}

/// Claims a one-time form token; false if it was used before.
pub fn claim_form_token(
    conn: &mut Conn,
    user: UserId,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::insert_into(form_tokens::table)
        .values((
            form_tokens::token.eq(token),
            form_tokens::user_id.eq(user),
            form_tokens::used_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(n == 1)
}
