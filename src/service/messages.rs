//! Reminders and notices in the in-app inbox (SPEC "Repayment center"):
//! a reminder `--reminder-days` before each deduction, a notice after each
//! charge or decline — each naming date, amount and method, exactly once per
//! instalment and kind (a unique key), whatever the number of job runs or
//! app servers.

use chrono::{Duration, NaiveDateTime};

use super::orders::instalment_payer;
use crate::clock::local_date;
use crate::db::messages::{self, NewMessage};
use crate::db::{Conn, Db, orders};
use crate::domain::ids::UserId;
use crate::domain::message::{Message, MessageKind, dedupe_key};
use crate::domain::order::{Instalment, Order};
use crate::error::AppError;

/// Writes one message about `instalment` unless it was written before, and
/// puts it in the mail outbox when the account is an email address.
pub fn notify(
    conn: &mut Conn,
    order: &Order,
    instalment: &Instalment,
    kind: MessageKind,
    method: &str,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let key = dedupe_key(
        kind,
        instalment.id,
        instalment.due_on,
        instalment.attempts + 1,
    );
    let written = messages::insert_once(
        conn,
        &NewMessage {
            user_id: order.user_id,
            order_id: order.id,
            instalment_id: instalment.id,
            kind,
            dedupe_key: &key,
            due_on: instalment.due_on,
            amount_fen: instalment.amount(),
            method,
            reason,
            created_at: now,
        },
    )?;
    match written {
        Some(id) => {
            super::mail::enqueue(conn, order.user_id, id, now)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Reminds every shopper of each deduction due within `days` (today
/// included), once per instalment and due date. Returns how many were new.
pub async fn send_reminders(db: &Db, now: NaiveDateTime, days: i64) -> Result<usize, AppError> {
    let today = local_date(now);
    let horizon = today + Duration::days(days);
    let due = db
        .read(move |conn| Ok(orders::list_collectable(conn, horizon, now)?))
        .await?;
    let upcoming: Vec<(Instalment, Order)> =
        due.into_iter().filter(|(i, _)| i.due_on >= today).collect();
    if upcoming.is_empty() {
        return Ok(0);
    }
    db.write(move |conn| {
        let mut sent = 0;
        for (instalment, order) in &upcoming {
            let method = instalment_payer(conn, order)?
                .map(|m| m.describe())
                .unwrap_or_default();
            if notify(
                conn,
                order,
                instalment,
                MessageKind::Reminder,
                &method,
                None,
                now,
            )? {
                sent += 1;
            }
        }
        Ok(sent)
    })
    .await
}

/// The owner's messages, newest first, each with its order's number.
pub async fn list(db: &Db, user: UserId) -> Result<Vec<(Message, String)>, AppError> {
    db.read(move |conn| Ok(messages::list_for_owner(conn, user)?))
        .await
}

pub async fn mark_all_read(db: &Db, user: UserId, now: NaiveDateTime) -> Result<(), AppError> {
    db.write(move |conn| Ok(messages::mark_all_read(conn, user, now)?))
        .await
}
