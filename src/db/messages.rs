//! The in-app inbox. One row per instalment and kind (`dedupe_key` unique).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{messages, orders};
use super::types::record_row;
use super::{Conn, on_backend};
use crate::domain::Fen;
use crate::domain::ids::{InstalmentId, OrderId, UserId};
use crate::domain::message::{Message, MessageKind};

record_row!(MessageRow => Message, messages {
    id: i32,
    user_id: UserId,
    order_id: OrderId,
    instalment_id: InstalmentId,
    kind: MessageKind,
    dedupe_key: String,
    due_on: NaiveDate,
    amount_fen: Fen,
    method: String,
    reason: Option<String>,
    created_at: NaiveDateTime,
    read_at: Option<NaiveDateTime>,
});

#[derive(Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage<'a> {
    pub user_id: UserId,
    pub order_id: OrderId,
    pub instalment_id: InstalmentId,
    pub kind: MessageKind,
    pub dedupe_key: &'a str,
    pub due_on: NaiveDate,
    pub amount_fen: Fen,
    pub method: &'a str,
    pub reason: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

/// Writes the message unless one with its key exists; its id when written.
pub fn insert_once(conn: &mut Conn, new: &NewMessage<'_>) -> QueryResult<Option<i32>> {
    on_backend!(conn => {
        diesel::insert_into(messages::table)
            .values(new)
            .on_conflict_do_nothing()
            .returning(messages::id)
            .get_result(conn)
            .optional()
    })
}

pub fn find(conn: &mut Conn, id: i32) -> QueryResult<Option<Message>> {
    on_backend!(conn => {
        messages::table
            .find(id)
            .select(MessageRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Message::from))
    })
}

/// How many of the owner's messages are unread (the header's badge).
pub fn count_unread(conn: &mut Conn, user: UserId) -> QueryResult<i64> {
    on_backend!(conn => {
        messages::table
            .filter(messages::user_id.eq(user))
            .filter(messages::read_at.is_null())
            .count()
            .get_result(conn)
    })
}

/// The owner's messages, newest first, each with its order's number.
pub fn list_for_owner(conn: &mut Conn, user: UserId) -> QueryResult<Vec<(Message, String)>> {
    on_backend!(conn => {
        messages::table
            .inner_join(orders::table)
            .filter(messages::user_id.eq(user))
            .order(messages::id.desc())
            .limit(200)
            .select((MessageRow::as_select(), orders::order_no))
            .load::<(MessageRow, String)>(conn)
            .map(|rows| rows.into_iter().map(|(m, no)| (Message::from(m), no)).collect())
    })
}

pub fn mark_all_read(conn: &mut Conn, user: UserId, now: NaiveDateTime) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(
            messages::table
                .filter(messages::user_id.eq(user))
                .filter(messages::read_at.is_null()),
        )
        .set(messages::read_at.eq(Some(now)))
        .execute(conn)?;
        Ok(())
    })
}
