//! The catalog as the shop sees it: categories and products with their
//! current price (integer fen) and stock.

use chrono::NaiveDateTime;

use super::ids::{CategoryId, ProductId};
use super::money::Fen;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub slug: String,
    pub name_zh: String,
    pub name_en: String,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub category_id: CategoryId,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub description_en: String,
    pub price_fen: Fen,
    /// Units not reserved by any order; never negative.
    pub stock: i32,
    pub created_at: NaiveDateTime,
}
