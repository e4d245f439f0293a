//! Saved payment methods. Cards keep brand, last four and expiry only.
//! Removal is soft, so past orders still name the method they used.
//! `position` orders a shopper's methods; the lowest is the priority method.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::payment_methods;
use super::types::record_row;
use super::{Conn, on_backend};
use crate::domain::ids::{PaymentMethodId, UserId};
use crate::domain::method::{MethodKind, PaymentMethod};

record_row!(MethodRow => PaymentMethod, payment_methods {
    id: PaymentMethodId,
    user_id: UserId,
    kind: MethodKind,
    brand: Option<String>,
    last4: Option<String>,
    expiry_month: Option<i32>,
    expiry_year: Option<i32>,
    holder_name: Option<String>,
    account_label: Option<String>,
    position: i32,
    created_at: NaiveDateTime,
    removed_at: Option<NaiveDateTime>,
});

#[derive(Insertable)]
#[diesel(table_name = payment_methods)]
pub struct NewPaymentMethod<'a> {
    pub user_id: UserId,
    pub kind: MethodKind,
    pub brand: Option<&'a str>,
    pub last4: Option<&'a str>,
    pub expiry_month: Option<i32>,
    pub expiry_year: Option<i32>,
    pub holder_name: Option<&'a str>,
    pub account_label: Option<&'a str>,
    pub position: i32,
    pub created_at: NaiveDateTime,
}

/// The shopper's live methods, priority first.
pub fn list_methods(conn: &mut Conn, user: UserId) -> QueryResult<Vec<PaymentMethod>> {
    on_backend!(conn => {
        payment_methods::table
            .filter(payment_methods::user_id.eq(user))
            .filter(payment_methods::removed_at.is_null())
            .order((payment_methods::position, payment_methods::id))
            .select(MethodRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(PaymentMethod::from).collect())
    })
}

/// Every method of the owner, removed ones too (to name what a past payment used).
pub fn list_all_methods(conn: &mut Conn, user: UserId) -> QueryResult<Vec<PaymentMethod>> {
    on_backend!(conn => {
        payment_methods::table
            .filter(payment_methods::user_id.eq(user))
            .order(payment_methods::id)
            .select(MethodRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(PaymentMethod::from).collect())
    })
}

/// A live method of this owner; another account's method is `None`.
pub fn find_method_for_owner(
    conn: &mut Conn,
    user: UserId,
    id: PaymentMethodId,
) -> QueryResult<Option<PaymentMethod>> {
    on_backend!(conn => {
        payment_methods::table
            .find(id)
            .filter(payment_methods::user_id.eq(user))
            .filter(payment_methods::removed_at.is_null())
            .select(MethodRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(PaymentMethod::from))
    })
}

/// Any method by id, removed or not (for showing what an order used).
pub fn find_method(conn: &mut Conn, id: PaymentMethodId) -> QueryResult<Option<PaymentMethod>> {
    on_backend!(conn => {
        payment_methods::table
            .find(id)
            .select(MethodRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(PaymentMethod::from))
    })
}

pub fn next_position(conn: &mut Conn, user: UserId) -> QueryResult<i32> {
    on_backend!(conn => {
        let max: Option<i32> = payment_methods::table
            .filter(payment_methods::user_id.eq(user))
            .filter(payment_methods::removed_at.is_null())
            .select(diesel::dsl::max(payment_methods::position))
            .first(conn)?;
        Ok(max.map_or(0, |m| m + 1))
    })
}

pub fn insert_method(conn: &mut Conn, new: &NewPaymentMethod<'_>) -> QueryResult<PaymentMethod> {
    on_backend!(conn => {
        diesel::insert_into(payment_methods::table)
            .values(new)
            .returning(MethodRow::as_returning())
            .get_result(conn)
            .map(PaymentMethod::from)
    })
}

/// Soft-removes a live method of this owner; false if there was none.
pub fn remove_method(
    conn: &mut Conn,
    user: UserId,
    id: PaymentMethodId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            payment_methods::table
                .find(id)
                .filter(payment_methods::user_id.eq(user))
                .filter(payment_methods::removed_at.is_null()),
        )
        .set(payment_methods::removed_at.eq(now))
        .execute(conn)?;
        Ok(n == 1)
    })
}

/// Rewrites the positions of the owner's methods to the given order.
pub fn set_order(conn: &mut Conn, user: UserId, ordered: &[PaymentMethodId]) -> QueryResult<()> {
    on_backend!(conn => {
        for (position, id) in ordered.iter().enumerate() {
            diesel::update(
                payment_methods::table
                    .find(*id)
                    .filter(payment_methods::user_id.eq(user)),
            )
            .set(payment_methods::position.eq(i32::try_from(position).unwrap_or(i32::MAX)))
            .execute(conn)?;
        }
        Ok(())
    })
}
