//! Categories, products and stock. Stock moves only through guarded updates
//! that can never take it below zero.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{categories, products};
use super::types::record_row;
use super::{Conn, on_backend};
use crate::domain::Fen;
use crate::domain::catalog::{Category, Product};
use crate::domain::ids::{CategoryId, ProductId};

record_row!(CategoryRow => Category, categories {
    id: CategoryId,
    slug: String,
    name_zh: String,
    name_en: String,
    position: i32,
});

#[derive(Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategory<'a> {
    pub slug: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub position: i32,
}

record_row!(pub(super) ProductRow => Product, products {
    id: ProductId,
    category_id: CategoryId,
    name_zh: String,
    name_en: String,
    description_zh: String,
    description_en: String,
    price_fen: Fen,
    stock: i32,
    created_at: NaiveDateTime,
});

#[derive(Insertable)]
#[diesel(table_name = products)]
pub struct NewProduct<'a> {
    pub category_id: CategoryId,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub description_zh: &'a str,
    pub description_en: &'a str,
    pub price_fen: Fen,
    pub stock: i32,
    pub created_at: NaiveDateTime,
}

pub fn list_categories(conn: &mut Conn) -> QueryResult<Vec<Category>> {
    on_backend!(conn => {
        categories::table
            .order((categories::position, categories::id))
            .select(CategoryRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(Category::from).collect())
    })
}

pub fn find_category_by_slug(conn: &mut Conn, slug: &str) -> QueryResult<Option<Category>> {
    on_backend!(conn => {
        categories::table
            .filter(categories::slug.eq(slug))
            .select(CategoryRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Category::from))
    })
}

pub fn insert_category(conn: &mut Conn, new: &NewCategory<'_>) -> QueryResult<Category> {
    on_backend!(conn => {
        diesel::insert_into(categories::table)
            .values(new)
            .returning(CategoryRow::as_returning())
            .get_result(conn)
            .map(Category::from)
    })
}

pub fn list_products(conn: &mut Conn, category: Option<CategoryId>) -> QueryResult<Vec<Product>> {
    on_backend!(conn => {
        let mut query = products::table
            .select(ProductRow::as_select())
            .order(products::id)
            .into_boxed();
        if let Some(c) = category {
            query = query.filter(products::category_id.eq(c));
        }
        query
            .load(conn)
            .map(|rows| rows.into_iter().map(Product::from).collect())
    })
}

pub fn find_product(conn: &mut Conn, id: ProductId) -> QueryResult<Option<Product>> {
    on_backend!(conn => {
        products::table
            .find(id)
            .select(ProductRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Product::from))
    })
}

pub fn list_products_by_ids(conn: &mut Conn, ids: &[ProductId]) -> QueryResult<Vec<Product>> {
    on_backend!(conn => {
        products::table
            .filter(products::id.eq_any(ids))
            .select(ProductRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(Product::from).collect())
    })
}

pub fn insert_product(conn: &mut Conn, new: &NewProduct<'_>) -> QueryResult<Product> {
    on_backend!(conn => {
        diesel::insert_into(products::table)
            .values(new)
            .returning(ProductRow::as_returning())
            .get_result(conn)
            .map(Product::from)
    })
}

pub fn set_product_price_and_stock(
    conn: &mut Conn,
    id: ProductId,
    price_fen: Fen,
    stock: i32,
) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(products::table.find(id))
            .set((products::price_fen.eq(price_fen), products::stock.eq(stock)))
            .execute(conn)?;
        Ok(())
    })
}

/// Takes `quantity` from stock if that much is there; false otherwise.
pub fn reserve_stock(conn: &mut Conn, id: ProductId, quantity: i32) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            products::table
                .find(id)
                .filter(products::stock.ge(quantity)),
        )
        .set(products::stock.eq(products::stock - quantity))
        .execute(conn)?;
        Ok(n == 1)
    })
}

pub fn release_stock(conn: &mut Conn, id: ProductId, quantity: i32) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::update(products::table.find(id))
            .set(products::stock.eq(products::stock + quantity))
            .execute(conn)?;
        Ok(())
    })
}
