//! The sandbox provider's own records (see `gateway::SandboxGateway`): what
//! it answered to each idempotency key. Not the shop's ledger.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::sandbox_gateway;
use super::{Conn, on_backend};
use crate::domain::Fen;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sandbox_gateway, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct JournalEntry {
    pub idempotency_key: String,
    pub purpose: String,
    pub amount_fen: Fen,
    pub approved: bool,
    pub answer: String,
    pub reverses: Option<String>,
    /// How often the key was sent; money moved at most once.
    pub calls: i32,
    pub at: NaiveDateTime,
}

pub fn find(conn: &mut Conn, key: &str) -> QueryResult<Option<JournalEntry>> {
    on_backend!(conn => {
        sandbox_gateway::table
            .find(key)
            .select(JournalEntry::as_select())
            .first(conn)
            .optional()
    })
}

/// What the provider answers a key it has not seen before.
pub struct NewAnswer<'a> {
    pub key: &'a str,
    pub purpose: &'a str,
    pub amount: Fen,
    pub approved: bool,
    pub answer: &'a str,
    pub reverses: Option<&'a str>,
    pub at: NaiveDateTime,
}

/// Records `new` for a new key, or counts a repeat and returns the entry
/// first recorded (call inside one transaction).
pub fn answer(conn: &mut Conn, new: &NewAnswer<'_>) -> QueryResult<JournalEntry> {
    if find(conn, new.key)?.is_some() {
        count_repeat(conn, new.key)?;
    } else {
        insert(conn, new)?;
    }
    find(conn, new.key)?.ok_or(diesel::result::Error::NotFound)
}

fn count_repeat(conn: &mut Conn, key: &str) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(sandbox_gateway::table.find(key))
            .set(sandbox_gateway::calls.eq(sandbox_gateway::calls + 1))
            .execute(conn)?;
        Ok(())
    })
}

fn insert(conn: &mut Conn, new: &NewAnswer<'_>) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(sandbox_gateway::table)
            .values((
                sandbox_gateway::idempotency_key.eq(new.key),
                sandbox_gateway::purpose.eq(new.purpose),
                sandbox_gateway::amount_fen.eq(new.amount),
                sandbox_gateway::approved.eq(new.approved),
                sandbox_gateway::answer.eq(new.answer),
                sandbox_gateway::reverses.eq(new.reverses),
                sandbox_gateway::at.eq(new.at),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn list(conn: &mut Conn) -> QueryResult<Vec<JournalEntry>> {
    on_backend!(conn => {
        sandbox_gateway::table
            .order(sandbox_gateway::at)
            .select(JournalEntry::as_select())
            .load(conn)
    })
}
