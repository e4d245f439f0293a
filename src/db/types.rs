//! How domain types are stored. The domain stays free of diesel; here each
//! of its value types gets its column mapping: ids and money as integers,
//! states and kinds as their `as_str` names (a `TEXT` column with a `CHECK`).
//! A stored name that no longer parses is a deserialization error, never a
//! silent default.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Integer, Text};

use crate::domain::account::Role;
use crate::domain::ids::{
    CategoryId, InstalmentId, OrderId, PaymentMethodId, ProductId, TicketId, UserId,
};
use crate::domain::mail::OutboxState;
use crate::domain::message::MessageKind;
use crate::domain::method::MethodKind;
use crate::domain::money::{BasisPoints, Fen};
use crate::domain::order::{CancelReason, InstalmentStatus, OrderStatus, ShippingMethod};
use crate::domain::payment::{PaymentState, Purpose};
use crate::domain::plan::PlanKind;
use crate::domain::support::TicketStatus;
use crate::domain::timeline::{Actor, EventKind};

/// A newtype over an integer column: ids (`INTEGER`), money (`BIGINT` fen),
/// rates (`INTEGER` basis points).
macro_rules! stored_as_number {
    ($($ty:ident($inner:ty): $sql:ty),* $(,)?) => {$(
        const _: () = {
            #[derive(AsExpression, FromSqlRow)]
            #[diesel(foreign_derive, sql_type = $sql)]
            #[allow(dead_code, reason = "only carries the derives for the domain type")]
            struct Column($ty);
        };

        impl<DB: Backend> ToSql<$sql, DB> for $ty
        where
            $inner: ToSql<$sql, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<$sql, DB> for $ty
        where
            $inner: FromSql<$sql, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                <$inner>::from_sql(bytes).map($ty)
            }
        }
    )*};
}

/// An enum stored as its name in a `TEXT` column.
macro_rules! stored_as_name {
    ($($ty:ident),* $(,)?) => {$(
        const _: () = {
            #[derive(AsExpression, FromSqlRow)]
            #[diesel(foreign_derive, sql_type = Text)]
            #[allow(dead_code, reason = "only carries the derives for the domain type")]
            struct Column($ty);
        };

        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                Ok(String::from_sql(bytes)?.parse::<$ty>()?)
            }
        }
    )*};
}

stored_as_number!(
    UserId(i32): Integer,
    CategoryId(i32): Integer,
    ProductId(i32): Integer,
    PaymentMethodId(i32): Integer,
    OrderId(i32): Integer,
    InstalmentId(i32): Integer,
    TicketId(i32): Integer,
    Fen(i64): BigInt,
    BasisPoints(i32): Integer,
);

stored_as_name!(
    OrderStatus,
    PlanKind,
    ShippingMethod,
    InstalmentStatus,
    CancelReason,
    MethodKind,
    TicketStatus,
    Actor,
    EventKind,
    Role,
    Purpose,
    PaymentState,
    MessageKind,
    OutboxState,
);

/// A table's row as a domain record: declares the private row struct (diesel
/// `Queryable` + `Selectable`, columns in the domain's types) and its move
/// into the record, field by field.
macro_rules! record_row {
    ($vis:vis $row:ident => $record:ty, $table:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        #[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
        #[diesel(table_name = $table, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
        $vis struct $row {
            $($field: $ty),*
        }

        impl From<$row> for $record {
            fn from(r: $row) -> $record {
                Self { $($field: r.$field),* }
            }
        }
    };
}
pub(crate) use record_row;

/// A row that does not make a valid domain value (e.g. a plan kind without its term).
pub fn invalid_row(e: impl std::error::Error + Send + Sync + 'static) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(e))
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use super::*;

    #[test]
    fn an_unknown_stored_name_is_an_error_not_a_default() {
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let ok: OrderStatus = diesel::select("paid".into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(ok, OrderStatus::Paid);
        let bad =
            diesel::select("shipping".into_sql::<Text>()).get_result::<OrderStatus>(&mut conn);
        assert!(matches!(
            bad,
            Err(diesel::result::Error::DeserializationError(_))
        ));
    }
}

/// A timestamp bound as a query parameter on a hot path. On SQLite it is
/// written exactly as diesel writes a `NaiveDateTime` (`%F %T%.f`, so text
/// comparisons with stored values hold) without interpreting a format
/// string each time; on PostgreSQL it is a `NaiveDateTime`.
#[derive(Debug, Clone, Copy, AsExpression)]
#[diesel(sql_type = diesel::sql_types::Timestamp)]
pub struct BoundTime(pub chrono::NaiveDateTime);

impl BoundTime {
    fn sqlite_text(&self) -> String {
        use chrono::{Datelike, Timelike};
        /// `value` as exactly `width` decimal digits (zero-padded).
        fn digits(text: &mut String, value: u32, width: u32) {
            for i in (0..width).rev() {
                let d = (value / 10u32.pow(i)) % 10;
                text.push(char::from(b'0' + d as u8));
            }
        }
        let (d, t) = (self.0.date(), self.0.time());
        let mut text = String::with_capacity(29);
        match u32::try_from(d.year()) {
            Ok(year) if year <= 9999 => digits(&mut text, year, 4),
            // Outside 0..=9999 (never in this app): chrono's own spelling.
            _ => return self.0.format("%F %T%.f").to_string(),
        }
        for (sep, value) in [
            ('-', d.month()),
            ('-', d.day()),
            (' ', t.hour()),
            (':', t.minute()),
            // A leap second's nanoseconds run past 10⁹: written as second 60.
            (':', t.second() + u32::from(t.nanosecond() >= 1_000_000_000)),
        ] {
            text.push(sep);
            digits(&mut text, value, 2);
        }
        let nanos = t.nanosecond() % 1_000_000_000;
        let (value, width) = match nanos {
            0 => return text,
            n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
            n if n % 1_000 == 0 => (n / 1_000, 6),
            n => (n, 9),
        };
        text.push('.');
        digits(&mut text, value, width);
        text
    }
}

impl ToSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite> for BoundTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::sqlite::Sqlite>) -> serialize::Result {
        out.set_value(self.sqlite_text());
        Ok(serialize::IsNull::No)
    }
}

impl ToSql<diesel::sql_types::Timestamp, diesel::pg::Pg> for BoundTime {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::pg::Pg>) -> serialize::Result {
        ToSql::<diesel::sql_types::Timestamp, diesel::pg::Pg>::to_sql(&self.0, out)
    }
}

#[cfg(test)]
mod bound_time_tests {
    use super::BoundTime;
    use chrono::NaiveDate;

    #[test]
    fn written_as_diesel_writes_a_timestamp() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        for (h, m, s, nanos) in [
            (0, 0, 0, 0),
            (9, 5, 3, 120_000_000),
            (23, 59, 59, 123_456_000),
            (12, 30, 1, 123_456_789),
            (1, 2, 3, 1_000),
            (4, 5, 6, 7),
        ] {
            let at = day.and_hms_nano_opt(h, m, s, nanos).unwrap();
            assert_eq!(
                BoundTime(at).sqlite_text(),
                at.format("%F %T%.f").to_string()
            );
        }
        // Other years and a leap second's nanoseconds too.
        for (y, nanos) in [(1, 5), (999, 0), (9999, 1_500_000_000), (2026, 999_999_999)] {
            let at = NaiveDate::from_ymd_opt(y, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, nanos)
                .unwrap();
            assert_eq!(
                BoundTime(at).sqlite_text(),
                at.format("%F %T%.f").to_string()
            );
        }
    }
}
