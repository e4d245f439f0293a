//! Users (shoppers and staff) and the per-account login throttle.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{login_throttle, users};
use super::{Conn, on_backend};
use crate::domain::account::Role;
use crate::domain::ids::UserId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct User {
    pub id: UserId,
    pub account: String,
    pub password_hash: String,
    pub role: Role,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub account: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub created_at: NaiveDateTime,
}

pub fn find_user(conn: &mut Conn, id: UserId) -> QueryResult<Option<User>> {
    on_backend!(conn => {
        users::table
            .find(id)
            .select(User::as_select())
            .first(conn)
            .optional()
    })
}

pub fn find_user_by_account(conn: &mut Conn, account: &str) -> QueryResult<Option<User>> {
    on_backend!(conn => {
        users::table
            .filter(users::account.eq(account))
            .select(User::as_select())
            .first(conn)
            .optional()
    })
}

/// Inserts a user; `Ok(None)` when the account is already taken.
pub fn insert_user(conn: &mut Conn, new: &NewUser<'_>) -> QueryResult<Option<User>> {
    on_backend!(conn => {
        let inserted = diesel::insert_into(users::table)
            .values(new)
            .on_conflict_do_nothing()
            .returning(User::as_returning())
            .get_result(conn)
            .optional()?;
        Ok(inserted)
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_throttle, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Throttle {
    pub account: String,
    pub failures: i32,
    pub locked_until: Option<NaiveDateTime>,
}

pub fn find_throttle(conn: &mut Conn, account: &str) -> QueryResult<Option<Throttle>> {
    on_backend!(conn => {
        login_throttle::table
            .find(account)
            .select(Throttle::as_select())
            .first(conn)
            .optional()
    })
}

pub fn save_throttle(
    conn: &mut Conn,
    account: &str,
    failures: i32,
    locked_until: Option<NaiveDateTime>,
) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::account.eq(account),
                login_throttle::failures.eq(failures),
                login_throttle::locked_until.eq(locked_until),
            ))
            .on_conflict(login_throttle::account)
            .do_update()
            .set((
                login_throttle::failures.eq(failures),
                login_throttle::locked_until.eq(locked_until),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn clear_throttle(conn: &mut Conn, account: &str) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::delete(login_throttle::table.find(account)).execute(conn)?;
        Ok(())
    })
}
