//! Secrets generated once per database (e.g. the session cookie key).

use diesel::prelude::*;

use super::schema::app_secrets;
use super::{Conn, on_backend};

pub fn find_secret(conn: &mut Conn, name: &str) -> QueryResult<Option<String>> {
    on_backend!(conn => {
        app_secrets::table
            .find(name)
            .select(app_secrets::value)
            .first(conn)
            .optional()
    })
}

pub fn insert_secret(conn: &mut Conn, name: &str, value: &str) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(app_secrets::table)
            .values((app_secrets::name.eq(name), app_secrets::value.eq(value)))
            .execute(conn)?;
        Ok(())
    })
}

/// Writes the readiness probe's row (proves the database takes writes).
pub fn touch_probe(conn: &mut Conn) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(app_secrets::table)
            .values((app_secrets::name.eq("readyz_probe"), app_secrets::value.eq("ok")))
            .on_conflict(app_secrets::name)
            .do_update()
            .set(app_secrets::value.eq("ok"))
            .execute(conn)?;
        Ok(())
    })
}
