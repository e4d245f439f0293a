//! The payment ledger: one row per gateway call, written before the call and
//! completed after it. Guards live in the schema: one live order payment per
//! order, one live charge per instalment, one live reversal per payment
//! (partial unique indexes); an insert that would break one is refused
//! (`None`), so concurrent requests make one gateway call.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::payments;
use super::types::record_row;
use super::{Conn, on_backend};
use crate::domain::Fen;
use crate::domain::ids::{InstalmentId, OrderId, PaymentMethodId};
use crate::domain::payment::{Payment, PaymentState, Purpose};

record_row!(PaymentRow => Payment, payments {
    id: i32,
    order_id: OrderId,
    instalment_id: Option<InstalmentId>,
    purpose: Purpose,
    amount_fen: Fen,
    method_id: PaymentMethodId,
    idempotency_key: String,
    state: PaymentState,
    gateway_ref: Option<String>,
    failure: Option<String>,
    attempts: i32,
    reverses_id: Option<i32>,
    requested_at: NaiveDateTime,
    completed_at: Option<NaiveDateTime>,
});

#[derive(Insertable)]
#[diesel(table_name = payments)]
pub struct NewPayment<'a> {
    pub order_id: OrderId,
    pub instalment_id: Option<InstalmentId>,
    pub purpose: Purpose,
    pub amount_fen: Fen,
    pub method_id: PaymentMethodId,
    pub idempotency_key: &'a str,
    pub state: PaymentState,
    pub reverses_id: Option<i32>,
    pub requested_at: NaiveDateTime,
}

/// Writes a `requested` entry; `None` when a guard refused it (another live
/// payment of the same kind, or the key already used).
pub fn insert_requested(conn: &mut Conn, new: &NewPayment<'_>) -> QueryResult<Option<Payment>> {
    on_backend!(conn => {
        let inserted = diesel::insert_into(payments::table)
            .values(new)
            .on_conflict_do_nothing()
            .returning(PaymentRow::as_returning())
            .get_result(conn)
            .optional()?;
        Ok(inserted.map(Payment::from))
    })
}

/// How many reversals of entry `id` were ever requested (to number the next).
pub fn count_reversals(conn: &mut Conn, id: i32) -> QueryResult<i64> {
    on_backend!(conn => {
        payments::table
            .filter(payments::reverses_id.eq(Some(id)))
            .count()
            .get_result(conn)
    })
}

pub fn find_by_key(conn: &mut Conn, key: &str) -> QueryResult<Option<Payment>> {
    on_backend!(conn => {
        payments::table
            .filter(payments::idempotency_key.eq(key))
            .select(PaymentRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Payment::from))
    })
}

pub fn find(conn: &mut Conn, id: i32) -> QueryResult<Option<Payment>> {
    on_backend!(conn => {
        payments::table
            .find(id)
            .select(PaymentRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Payment::from))
    })
}

/// An order's entries, oldest first.
pub fn list_for_order(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<Payment>> {
    on_backend!(conn => {
        payments::table
            .filter(payments::order_id.eq(order))
            .order(payments::id)
            .select(PaymentRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(Payment::from).collect())
    })
}

/// Whether any call for the order is in flight (its answer not recorded yet).
pub fn in_flight_for_order(conn: &mut Conn, order: OrderId) -> QueryResult<bool> {
    on_backend!(conn => {
        diesel::select(diesel::dsl::exists(
            payments::table
                .filter(payments::order_id.eq(order))
                .filter(payments::state.eq(PaymentState::Requested)),
        ))
        .get_result(conn)
    })
}

/// How many entries of `purpose` the order has (numbers the next attempt).
pub fn count_for_order(conn: &mut Conn, order: OrderId, purpose: Purpose) -> QueryResult<i64> {
    on_backend!(conn => {
        payments::table
            .filter(payments::order_id.eq(order))
            .filter(payments::purpose.eq(purpose))
            .count()
            .get_result(conn)
    })
}

/// Records the gateway's answer on a `requested` entry; false when it was
/// already completed (by reconciliation, or a concurrent retry).
pub fn complete(
    conn: &mut Conn,
    id: i32,
    state: PaymentState,
    gateway_ref: Option<&str>,
    failure: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            payments::table
                .find(id)
                .filter(payments::state.eq(PaymentState::Requested)),
        )
        .set((
            payments::state.eq(state),
            payments::gateway_ref.eq(gateway_ref),
            payments::failure.eq(failure),
            payments::completed_at.eq(Some(now)),
        ))
        .execute(conn)?;
        Ok(n == 1)
    })
}

/// Counts one more call of an entry whose answer was lost (a resumed retry).
pub fn count_attempt(conn: &mut Conn, id: i32) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(payments::table.find(id))
            .set(payments::attempts.eq(payments::attempts + 1))
            .execute(conn)?;
        Ok(())
    })
}

/// Entries still `requested` that were written before `before`: their
/// caller is gone (a crash) or very late; reconciliation asks the gateway.
pub fn list_stale(conn: &mut Conn, before: NaiveDateTime) -> QueryResult<Vec<Payment>> {
    on_backend!(conn => {
        payments::table
            .filter(payments::state.eq(PaymentState::Requested))
            .filter(payments::requested_at.lt(before))
            .order(payments::id)
            .select(PaymentRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(Payment::from).collect())
    })
}
