//! The cart: one row per account and product.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::catalog::ProductRow;
use super::schema::{cart_items, pending_replacements, products};
use super::{Conn, on_backend};
use crate::domain::catalog::Product;
use crate::domain::ids::{OrderId, ProductId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cart_items, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CartItem {
    pub user_id: UserId,
    pub product_id: ProductId,
    pub quantity: i32,
    pub added_at: NaiveDateTime,
}

/// The cart with its products, oldest line first.
pub fn list_cart(conn: &mut Conn, user: UserId) -> QueryResult<Vec<(CartItem, Product)>> {
    on_backend!(conn => {
        cart_items::table
            .inner_join(products::table)
            .filter(cart_items::user_id.eq(user))
            .order((cart_items::added_at, cart_items::product_id))
            .select((CartItem::as_select(), ProductRow::as_select()))
            .load::<(CartItem, ProductRow)>(conn)
            .map(|rows| rows.into_iter().map(|(i, p)| (i, p.into())).collect())
    })
}

pub fn find_cart_quantity(
    conn: &mut Conn,
    user: UserId,
    product: ProductId,
) -> QueryResult<Option<i32>> {
    on_backend!(conn => {
        cart_items::table
            .find((user, product))
            .select(cart_items::quantity)
            .first(conn)
            .optional()
    })
}

pub fn count_cart_items(conn: &mut Conn, user: UserId) -> QueryResult<i64> {
    on_backend!(conn => {
        cart_items::table
            .filter(cart_items::user_id.eq(user))
            .select(diesel::dsl::sum(cart_items::quantity))
            .first::<Option<i64>>(conn)
            .map(|n| n.unwrap_or(0))
    })
}

/// Sets the quantity of a line, creating it if needed.
pub fn set_cart_quantity(
    conn: &mut Conn,
    user: UserId,
    product: ProductId,
    quantity: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(cart_items::table)
            .values((
                cart_items::user_id.eq(user),
                cart_items::product_id.eq(product),
                cart_items::quantity.eq(quantity),
                cart_items::added_at.eq(now),
            ))
            .on_conflict((cart_items::user_id, cart_items::product_id))
            .do_update()
            .set(cart_items::quantity.eq(quantity))
            .execute(conn)?;
        Ok(())
    })
}

pub fn remove_cart_item(conn: &mut Conn, user: UserId, product: ProductId) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::delete(cart_items::table.find((user, product))).execute(conn)?;
        Ok(())
    })
}

pub fn clear_cart(conn: &mut Conn, user: UserId) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::delete(cart_items::table.filter(cart_items::user_id.eq(user))).execute(conn)?;
        Ok(())
    })
}

/// Remembers the order a new-contract payment change cancelled, until its
/// replacement is placed (one per account; a newer change takes its place).
pub fn set_pending_replacement(
    conn: &mut Conn,
    user: UserId,
    order: OrderId,
    now: NaiveDateTime,
) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(pending_replacements::table)
            .values((
                pending_replacements::user_id.eq(user),
                pending_replacements::order_id.eq(order),
                pending_replacements::created_at.eq(now),
            ))
            .on_conflict(pending_replacements::user_id)
            .do_update()
            .set((
                pending_replacements::order_id.eq(order),
                pending_replacements::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn find_pending_replacement(conn: &mut Conn, user: UserId) -> QueryResult<Option<OrderId>> {
    on_backend!(conn => {
        pending_replacements::table
            .find(user)
            .select(pending_replacements::order_id)
            .first(conn)
            .optional()
    })
}

pub fn clear_pending_replacement(conn: &mut Conn, user: UserId) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::delete(pending_replacements::table.find(user)).execute(conn)?;
        Ok(())
    })
}
