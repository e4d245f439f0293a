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
