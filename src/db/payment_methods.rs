//! Saved payment methods. Cards keep brand, last four and expiry only.
//! Removal is soft, so past orders still name the method they used.
//! `position` orders a shopper's methods; the lowest is the priority method.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Conn;
use super::ids::{PaymentMethodId, UserId};
use super::schema::payment_methods;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payment_methods, check_for_backend(diesel::sqlite::Sqlite))]
pub struct PaymentMethod {
    pub id: PaymentMethodId,
    pub user_id: UserId,
    pub kind: String,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub expiry_month: Option<i32>,
    pub expiry_year: Option<i32>,
    pub holder_name: Option<String>,
    pub account_label: Option<String>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = payment_methods)]
pub struct NewPaymentMethod<'a> {
    pub user_id: UserId,
    pub kind: &'a str,
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
    payment_methods::table
        .filter(payment_methods::user_id.eq(user))
        .filter(payment_methods::removed_at.is_null())
        .order((payment_methods::position, payment_methods::id))
        .select(PaymentMethod::as_select())
        .load(conn)
}

/// A live method of this owner; another account's method is `None`.
pub fn find_method_for_owner(
    conn: &mut Conn,
    user: UserId,
    id: PaymentMethodId,
) -> QueryResult<Option<PaymentMethod>> {
    payment_methods::table
        .find(id)
        .filter(payment_methods::user_id.eq(user))
        .filter(payment_methods::removed_at.is_null())
        .select(PaymentMethod::as_select())
        .first(conn)
        .optional()
}

/// Any method by id, removed or not (for showing what an order used).
pub fn find_method(conn: &mut Conn, id: PaymentMethodId) -> QueryResult<Option<PaymentMethod>> {
    payment_methods::table
        .find(id)
        .select(PaymentMethod::as_select())
        .first(conn)
        .optional()
}

pub fn next_position(conn: &mut Conn, user: UserId) -> QueryResult<i32> {
    let max: Option<i32> = payment_methods::table
        .filter(payment_methods::user_id.eq(user))
        .filter(payment_methods::removed_at.is_null())
        .select(diesel::dsl::max(payment_methods::position))
        .first(conn)?;
    Ok(max.map_or(0, |m| m + 1))
}

pub fn insert_method(conn: &mut Conn, new: &NewPaymentMethod<'_>) -> QueryResult<PaymentMethod> {
    diesel::insert_into(payment_methods::table)
        .values(new)
        .returning(PaymentMethod::as_returning())
        .get_result(conn)
}

/// Soft-removes a live method of this owner; false if there was none.
pub fn remove_method(
    conn: &mut Conn,
    user: UserId,
    id: PaymentMethodId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        payment_methods::table
            .find(id)
            .filter(payment_methods::user_id.eq(user))
            .filter(payment_methods::removed_at.is_null()),
    )
    .set(payment_methods::removed_at.eq(now))
    .execute(conn)?;
    Ok(n == 1)
}

/// Rewrites the positions of the owner's methods to the given order.
pub fn set_order(conn: &mut Conn, user: UserId, ordered: &[PaymentMethodId]) -> QueryResult<()> {
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
}
