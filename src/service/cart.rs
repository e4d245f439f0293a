//! The cart, kept in the database per account. Quantities are 1–99 and never
//! above stock; prices always come from the catalog, never from a form.

use chrono::NaiveDateTime;

use crate::db::catalog;
use crate::db::{Conn, Db, cart};
use crate::domain::Fen;
use crate::domain::catalog::Product;
use crate::domain::ids::{ProductId, UserId};
use crate::error::AppError;

pub const MAX_QUANTITY: i32 = 99;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CartError {
    UnknownProduct,
    /// The line would hold more than [`MAX_QUANTITY`].
    TooMany,
    NotEnoughStock {
        available: i32,
    },
}

#[derive(Debug, Clone)]
pub struct CartLine {
    pub product: Product,
    pub quantity: i32,
    pub unit_price: Fen,
    pub line_total: Fen,
}

impl CartLine {
    pub fn short_of_stock(&self) -> bool {
        self.quantity > self.product.stock
    }
}

#[derive(Debug, Clone, Default)]
pub struct CartView {
    pub lines: Vec<CartLine>,
    pub subtotal: Fen,
}

impl CartView {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn has_stock_problem(&self) -> bool {
        self.lines.iter().any(CartLine::short_of_stock)
    }
}

/// Builds the priced view of cart rows; `None` on an absurd overflow.
pub fn price_lines(rows: Vec<(cart::CartItem, Product)>) -> Option<CartView> {
    let mut subtotal = Fen::ZERO;
    let mut lines = Vec::with_capacity(rows.len());
    for (item, product) in rows {
        let unit_price = product.price_fen;
        let line_total = unit_price.checked_mul(i64::from(item.quantity))?;
        subtotal = subtotal.checked_add(line_total)?;
        lines.push(CartLine {
            product,
            quantity: item.quantity,
            unit_price,
            line_total,
        });
    }
    Some(CartView { lines, subtotal })
}

pub async fn view(db: &Db, user: UserId) -> Result<CartView, AppError> {
    let rows = db
        .read(move |conn| Ok(cart::list_cart(conn, user)?))
        .await?;
    price_lines(rows).ok_or(AppError::BadRequest)
}

/// Adds `quantity` (already checked to be 1–99) of a product to the cart.
pub async fn add_item(
    db: &Db,
    user: UserId,
    product: ProductId,
    quantity: i32,
    now: NaiveDateTime,
) -> Result<Result<(), CartError>, AppError> {
    db.write(move |conn| add_item_in(conn, user, product, quantity, now))
        .await
}

/// [`add_item`] inside the caller's transaction.
pub fn add_item_in(
    conn: &mut Conn,
    user: UserId,
    product: ProductId,
    quantity: i32,
    now: NaiveDateTime,
) -> Result<Result<(), CartError>, AppError> {
    let existing = cart::find_cart_quantity(conn, user, product)?.unwrap_or(0);
    set_line(conn, user, product, existing.saturating_add(quantity), now)
}

/// Sets a line's quantity (already checked to be 1–99), not above stock.
/// Only for a product already in the cart.
pub async fn set_quantity(
    db: &Db,
    user: UserId,
    product: ProductId,
    quantity: i32,
    now: NaiveDateTime,
) -> Result<Result<(), CartError>, AppError> {
    db.write(move |conn| {
        if cart::find_cart_quantity(conn, user, product)?.is_none() {
            return Ok(Err(CartError::UnknownProduct));
        }
        set_line(conn, user, product, quantity, now)
    })
    .await
}

/// Writes a line of `quantity` after the rules: the product exists, 1–99, not above stock.
fn set_line(
    conn: &mut Conn,
    user: UserId,
    product: ProductId,
    quantity: i32,
    now: NaiveDateTime,
) -> Result<Result<(), CartError>, AppError> {
    let Some(p) = catalog::find_product(conn, product)? else {
        return Ok(Err(CartError::UnknownProduct));
    };
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Ok(Err(CartError::TooMany));
    }
    if quantity > p.stock {
        return Ok(Err(CartError::NotEnoughStock { available: p.stock }));
    }
    cart::set_cart_quantity(conn, user, product, quantity, now)?;
    Ok(Ok(()))
}

pub async fn remove_item(db: &Db, user: UserId, product: ProductId) -> Result<(), AppError> {
    db.write(move |conn| Ok(cart::remove_cart_item(conn, user, product)?))
        .await
}
