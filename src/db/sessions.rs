//! Server-side session rows for [`crate::session_store`].

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{sessions, users};
use super::types::BoundTime;
use super::{Conn, on_backend};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SessionRow {
    pub id: String,
    pub state: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    /// The signed-in user (the state's user id, kept as a column to join on).
    pub user_id: Option<i32>,
}

/// A session as loaded, with its signed-in user's counters.
pub struct FoundSession {
    pub state: String,
    /// Neither idle past its deadline nor older than its absolute limit.
    pub live: bool,
    /// Its idle deadline is due to be pushed back.
    pub stale: bool,
    /// The user's unread inbox messages (0 when signed out).
    pub unread: i64,
    /// The user's revision (see migration 000008; `None` when signed out).
    pub revision: Option<i64>,
}

/// The deadlines a loaded session is measured against.
pub struct SessionClock {
    pub now: NaiveDateTime,
    /// Sessions created at or before this are past their absolute limit.
    pub created_cutoff: NaiveDateTime,
    /// An idle deadline before this is pushed back.
    pub refresh_before: NaiveDateTime,
}

/// The session with its user's unread messages and revision, its deadlines
/// compared in the statement: one statement, so it needs no transaction and
/// is one round trip.
pub fn find_session(
    conn: &mut Conn,
    id: &str,
    clock: &SessionClock,
) -> QueryResult<Option<FoundSession>> {
    on_backend!(conn => {
        sessions::table
            .left_join(users::table)
            .filter(sessions::id.eq(id))
            .select((
                sessions::state,
                sessions::expires_at
                    .gt(BoundTime(clock.now))
                    .and(sessions::created_at.gt(BoundTime(clock.created_cutoff))),
                sessions::expires_at.lt(BoundTime(clock.refresh_before)),
                users::unread_messages.nullable(),
                users::revision.nullable(),
            ))
            .first::<(String, bool, bool, Option<i64>, Option<i64>)>(conn)
            .optional()
            .map(|found| {
                found.map(|(state, live, stale, unread, revision)| FoundSession {
                    state,
                    live,
                    stale,
                    unread: unread.unwrap_or(0),
                    revision,
                })
            })
    })
}

pub fn insert_session(conn: &mut Conn, row: &SessionRow) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&row.id),
                sessions::state.eq(&row.state),
                sessions::created_at.eq(row.created_at),
                sessions::expires_at.eq(row.expires_at),
                sessions::user_id.eq(row.user_id),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Returns whether a row was updated (false: the session is gone).
pub fn update_session(
    conn: &mut Conn,
    id: &str,
    state: &str,
    user_id: Option<i32>,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(sessions::table.find(id))
            .set((
                sessions::state.eq(state),
                sessions::user_id.eq(user_id),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        Ok(n == 1)
    })
}

pub fn touch_session(conn: &mut Conn, id: &str, expires_at: NaiveDateTime) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(sessions::table.find(id))
            .set(sessions::expires_at.eq(expires_at))
            .execute(conn)?;
        Ok(())
    })
}

pub fn delete_session(conn: &mut Conn, id: &str) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::delete(sessions::table.find(id)).execute(conn)?;
        Ok(())
    })
}

pub fn delete_expired_sessions(conn: &mut Conn, now: NaiveDateTime) -> QueryResult<usize> {
    on_backend!(conn => {
        diesel::delete(sessions::table.filter(sessions::expires_at.lt(now))).execute(conn)
    })
}
