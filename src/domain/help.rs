//! Help-center articles: content in Chinese and English by category.

/// The categories articles are listed under, in order.
pub const CATEGORIES: [&str; 3] = ["payments", "orders", "account"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpArticle {
    pub id: i32,
    pub slug: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    pub position: i32,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
}
