//! The catalog: categories and products (read-only for shoppers).

use chrono::NaiveDateTime;

use crate::db::catalog::{self, NewCategory, NewProduct};
use crate::db::{Conn, Db};
use crate::domain::Fen;
use crate::domain::catalog::{Category, Product};
use crate::domain::ids::{CategoryId, ProductId};
use crate::error::AppError;

pub struct Home {
    pub categories: Vec<Category>,
    pub selected: Option<Category>,
    pub products: Vec<Product>,
}

pub async fn home(db: &Db, category: Option<String>) -> Result<Home, AppError> {
    db.read(move |conn| {
        let categories = catalog::list_categories(conn)?;
        let selected = match category.as_deref() {
            Some(slug) if !slug.is_empty() => catalog::find_category_by_slug(conn, slug)?,
            _ => None,
        };
        let products = catalog::list_products(conn, selected.as_ref().map(|c| c.id))?;
        Ok(Home {
            categories,
            selected,
            products,
        })
    })
    .await
}

pub async fn product(db: &Db, id: ProductId) -> Result<(Product, Option<Category>), AppError> {
    db.read(move |conn| {
        let product = catalog::find_product(conn, id)?.ok_or(AppError::NotFound)?;
        let category = catalog::list_categories(conn)?
            .into_iter()
            .find(|c| c.id == product.category_id);
        Ok((product, category))
    })
    .await
}

/// For seeds and test fixtures.
/// An operator sets a product's price and stock (repricing, a delivery).
/// Orders already placed keep the prices they were placed at.
pub async fn set_price_and_stock(
    db: &Db,
    product: ProductId,
    price: Fen,
    stock: i32,
) -> Result<(), AppError> {
    db.write(move |conn| {
        Ok(catalog::set_product_price_and_stock(
            conn, product, price, stock,
        )?)
    })
    .await
}

pub async fn find_product(db: &Db, product: ProductId) -> Result<Option<Product>, AppError> {
    db.read(move |conn| Ok(catalog::find_product(conn, product)?))
        .await
}

/// Whether the shop has no catalog yet (a fresh database).
pub fn is_empty(conn: &mut Conn) -> Result<bool, AppError> {
    Ok(catalog::list_categories(conn)?.is_empty())
}

pub fn create_category(
    conn: &mut Conn,
    slug: &str,
    name_zh: &str,
    name_en: &str,
    position: i32,
) -> Result<CategoryId, AppError> {
    Ok(catalog::insert_category(
        conn,
        &NewCategory {
            slug,
            name_zh,
            name_en,
            position,
        },
    )?
    .id)
}

/// A product as seeds and test fixtures describe it: (zh, en) texts.
pub struct ProductSpec<'a> {
    pub category_id: CategoryId,
    pub name: (&'a str, &'a str),
    pub description: (&'a str, &'a str),
    pub price_fen: Fen,
    pub stock: i32,
}

/// For seeds and test fixtures.
pub fn create_product(
    conn: &mut Conn,
    spec: &ProductSpec<'_>,
    now: NaiveDateTime,
) -> Result<ProductId, AppError> {
    let ProductSpec {
        category_id,
        name,
        description,
        price_fen,
        stock,
    } = *spec;
    let new = NewProduct {
        category_id,
        name_zh: name.0,
        name_en: name.1,
        description_zh: description.0,
        description_en: description.1,
        price_fen,
        stock,
        created_at: now,
    };
    Ok(catalog::insert_product(conn, &new)?.id)
}
