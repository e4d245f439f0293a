//! Bulk inserts for `storefront bench-seed`: rows with their ids chosen by
//! the caller (so items and payments can name their order without a round
//! trip), in multi-row statements of [`CHUNK`] rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{order_events, order_items, orders, payment_methods, payments, users};
use super::{Conn, on_backend};
use crate::domain::Fen;
use crate::domain::account::Role;
use crate::domain::ids::{OrderId, PaymentMethodId, ProductId, UserId};
use crate::domain::method::MethodKind;
use crate::domain::order::{OrderStatus, ShippingMethod};
use crate::domain::payment::{PaymentState, Purpose};
use crate::domain::plan::PlanKind;
use crate::domain::timeline::{Actor, EventKind};

/// Rows a statement: well under SQLite's 32,766 and PostgreSQL's 65,535
/// bind parameters for the widest row (orders, 20 columns).
pub const CHUNK: usize = 1_000;

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct SeedUser<'a> {
    pub id: UserId,
    pub account: String,
    pub password_hash: &'a str,
    pub role: Role,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = payment_methods)]
pub struct SeedMethod {
    pub id: PaymentMethodId,
    pub user_id: UserId,
    pub kind: MethodKind,
    pub brand: Option<&'static str>,
    pub last4: Option<String>,
    pub expiry_month: Option<i32>,
    pub expiry_year: Option<i32>,
    pub holder_name: Option<&'static str>,
    pub position: i32,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = orders)]
pub struct SeedOrder {
    pub id: OrderId,
    pub order_no: String,
    pub user_id: UserId,
    pub status: OrderStatus,
    pub shipping_method: ShippingMethod,
    pub items_fen: Fen,
    pub shipping_fen: Fen,
    pub plan: PlanKind,
    pub monthly_fee_bp: i32,
    pub fee_fen: Fen,
    pub total_fen: Fen,
    pub payment_method_id: PaymentMethodId,
    pub created_at: NaiveDateTime,
    pub pay_deadline: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = order_items)]
pub struct SeedItem {
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub name_zh: String,
    pub name_en: String,
    pub unit_price_fen: Fen,
    pub quantity: i32,
}

#[derive(Insertable)]
#[diesel(table_name = order_events)]
pub struct SeedEvent {
    pub order_id: OrderId,
    pub at: NaiveDateTime,
    pub actor: Actor,
    pub kind: EventKind,
    pub from_value: Option<OrderStatus>,
    pub to_value: Option<OrderStatus>,
}

#[derive(Insertable)]
#[diesel(table_name = payments)]
pub struct SeedPayment {
    pub order_id: OrderId,
    pub purpose: Purpose,
    pub amount_fen: Fen,
    pub method_id: PaymentMethodId,
    pub idempotency_key: String,
    pub state: PaymentState,
    pub gateway_ref: Option<String>,
    pub attempts: i32,
    pub requested_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

macro_rules! insert_chunks {
    ($name:ident, $table:ident, $row:ty) => {
        pub fn $name(conn: &mut Conn, rows: &[$row]) -> QueryResult<()> {
            for chunk in rows.chunks(CHUNK) {
                on_backend!(conn => {
                    diesel::insert_into($table::table).values(chunk).execute(conn)?;
                });
            }
            Ok(())
        }
    };
}

insert_chunks!(insert_users, users, SeedUser<'_>);
insert_chunks!(insert_methods, payment_methods, SeedMethod);
insert_chunks!(insert_orders, orders, SeedOrder);
insert_chunks!(insert_items, order_items, SeedItem);
insert_chunks!(insert_events, order_events, SeedEvent);
insert_chunks!(insert_payments, payments, SeedPayment);

/// The largest ids in use (to number new rows after them).
pub fn max_ids(conn: &mut Conn) -> QueryResult<(i32, i32, i32)> {
    use diesel::dsl::max;
    on_backend!(conn => {
        Ok((
            users::table.select(max(users::id)).first::<Option<i32>>(conn)?.unwrap_or(0),
            payment_methods::table
                .select(max(payment_methods::id))
                .first::<Option<i32>>(conn)?
                .unwrap_or(0),
            orders::table.select(max(orders::id)).first::<Option<i32>>(conn)?.unwrap_or(0),
        ))
    })
}

/// PostgreSQL: move the id sequences past the ids inserted by hand.
pub fn resync_sequences(conn: &mut Conn) -> QueryResult<()> {
    use diesel::connection::SimpleConnection;
    if !conn.is_postgres() {
        return Ok(());
    }
    conn.batch_execute(
        "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
         SELECT setval(pg_get_serial_sequence('payment_methods', 'id'), (SELECT max(id) FROM payment_methods));
         SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders));",
    )
}
