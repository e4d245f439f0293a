//! The mail outbox: one row per inbox message to mail (`message_id` unique),
//! claimed for a lease by the sender that sends it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::mail_outbox;
use super::types::record_row;
use super::{Conn, on_backend};
use crate::domain::mail::{LEASE, OutboxEntry, OutboxState};

record_row!(OutboxRow => OutboxEntry, mail_outbox {
    id: i32,
    message_id: i32,
    to_address: String,
    state: OutboxState,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    claimed_until: Option<NaiveDateTime>,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
});

/// Puts message `message_id` in the outbox for `to` (once; a second call is a no-op).
pub fn insert_pending(
    conn: &mut Conn,
    message_id: i32,
    to: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::insert_into(mail_outbox::table)
            .values((
                mail_outbox::message_id.eq(message_id),
                mail_outbox::to_address.eq(to),
                mail_outbox::state.eq(OutboxState::Pending),
                mail_outbox::next_attempt_at.eq(now),
                mail_outbox::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
        Ok(n == 1)
    })
}

/// Claims up to `limit` entries due at `now` and not held by another sender
/// (no lease, or one that has run out) for [`LEASE`]. Inside the caller's
/// write transaction, so two senders never claim the same entry.
pub fn claim_due(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<OutboxEntry>> {
    on_backend!(conn => {
        let due: Vec<OutboxEntry> = mail_outbox::table
            .filter(mail_outbox::state.eq(OutboxState::Pending))
            .filter(mail_outbox::next_attempt_at.le(now))
            .filter(
                mail_outbox::claimed_until
                    .is_null()
                    .or(mail_outbox::claimed_until.le(now)),
            )
            .order(mail_outbox::id)
            .limit(limit)
            .select(OutboxRow::as_select())
            .load(conn)?
            .into_iter()
            .map(OutboxEntry::from)
            .collect();
        let ids: Vec<i32> = due.iter().map(|e| e.id).collect();
        diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
            .set(mail_outbox::claimed_until.eq(Some(now + LEASE)))
            .execute(conn)?;
        Ok(due)
    })
}

/// Records a sent entry (only if it is still pending).
pub fn record_sent(conn: &mut Conn, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            mail_outbox::table
                .find(id)
                .filter(mail_outbox::state.eq(OutboxState::Pending)),
        )
        .set((
            mail_outbox::state.eq(OutboxState::Sent),
            mail_outbox::sent_at.eq(Some(now)),
            mail_outbox::attempts.eq(mail_outbox::attempts + 1),
            mail_outbox::claimed_until.eq(None::<NaiveDateTime>),
            mail_outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
        Ok(n == 1)
    })
}

/// Records a failed try: pending again from `retry_at`, or given up (`None`).
pub fn record_failure(
    conn: &mut Conn,
    id: i32,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let target = mail_outbox::table
            .find(id)
            .filter(mail_outbox::state.eq(OutboxState::Pending));
        let n = match retry_at {
            Some(at) => diesel::update(target)
                .set((
                    mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                    mail_outbox::next_attempt_at.eq(at),
                    mail_outbox::claimed_until.eq(None::<NaiveDateTime>),
                    mail_outbox::last_error.eq(Some(error)),
                ))
                .execute(conn)?,
            None => diesel::update(target)
                .set((
                    mail_outbox::state.eq(OutboxState::Failed),
                    mail_outbox::attempts.eq(mail_outbox::attempts + 1),
                    mail_outbox::claimed_until.eq(None::<NaiveDateTime>),
                    mail_outbox::last_error.eq(Some(error)),
                ))
                .execute(conn)?,
        };
        Ok(n == 1)
    })
}

/// Every entry, oldest first (operations and tests).
pub fn list_all(conn: &mut Conn) -> QueryResult<Vec<OutboxEntry>> {
    on_backend!(conn => {
        mail_outbox::table
            .order(mail_outbox::id)
            .select(OutboxRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(OutboxEntry::from).collect())
    })
}

/// Entries still to send (the outbox depth).
pub fn count_pending(conn: &mut Conn) -> QueryResult<i64> {
    on_backend!(conn => {
        mail_outbox::table
            .filter(mail_outbox::state.eq(OutboxState::Pending))
            .count()
            .get_result(conn)
    })
}
