//! Saved payment methods: add (validated, card number dropped), list in
//! priority order, make priority, remove.

use chrono::{NaiveDate, NaiveDateTime};

use super::tokens;
use crate::db::payment_methods::{self as pm, NewPaymentMethod};
use crate::db::{Conn, Db};
use crate::domain::ids::{PaymentMethodId, UserId};
use crate::domain::method::{MethodFieldError, PaymentMethod, ValidMethod, validate_new_method};
use crate::error::AppError;

/// The add-method form as typed.
#[derive(Debug, Clone, Default)]
pub struct MethodInput {
    pub kind: String,
    pub card_number: String,
    pub expiry: String,
    pub holder_name: String,
    pub account_label: String,
}

pub async fn list(db: &Db, user: UserId) -> Result<Vec<PaymentMethod>, AppError> {
    db.read(move |conn| Ok(pm::list_methods(conn, user)?)).await
}

/// A live method of this owner; another account's is `None`.
pub fn find_for_owner(
    conn: &mut Conn,
    user: UserId,
    id: PaymentMethodId,
) -> Result<Option<PaymentMethod>, AppError> {
    Ok(pm::find_method_for_owner(conn, user, id)?)
}

/// Stores a validated method (used by the form and by seeds).
pub fn insert_valid(
    conn: &mut Conn,
    user: UserId,
    m: &ValidMethod,
    now: NaiveDateTime,
) -> Result<PaymentMethod, AppError> {
    let position = pm::next_position(conn, user)?;
    let new = NewPaymentMethod {
        user_id: user,
        kind: m.kind,
        brand: m.brand,
        last4: m.last4.as_deref(),
        expiry_month: m.expiry.and_then(|e| i32::try_from(e.month).ok()),
        expiry_year: m.expiry.map(|e| e.year),
        holder_name: m.holder_name.as_deref(),
        account_label: m.account_label.as_deref(),
        position,
        created_at: now,
    };
    Ok(pm::insert_method(conn, &new)?)
}

/// What adding a method did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    New(PaymentMethod),
    /// This very form was sent before: its method stands, none is added.
    Repeated,
}

/// Adds a validated method; a repeated form (same one-time token) adds none.
pub async fn add(
    db: &Db,
    user: UserId,
    input: MethodInput,
    token: Option<String>,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Result<Added, Vec<MethodFieldError>>, AppError> {
    let valid = match validate_new_method(
        &input.kind,
        &input.card_number,
        &input.expiry,
        &input.holder_name,
        &input.account_label,
        today,
    ) {
        Ok(v) => v,
        Err(errors) => return Ok(Err(errors)),
    };
    db.write(move |conn| {
        if tokens::used(conn, token.as_deref())? {
            return Ok(Ok(Added::Repeated));
        }
        tokens::claim(conn, user, token.as_deref(), now)?;
        Ok(Ok(Added::New(insert_valid(conn, user, &valid, now)?)))
    })
    .await
}
