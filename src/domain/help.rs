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

/// An article as written in its content file (`content/help/NN-slug.md`):
///
/// ```text
/// slug: change-payment-method
/// category: payments
/// title_zh: 如何更换订单的支付方式
/// title_en: How to change how an order is paid
///
/// --- zh
/// 第一段……
///
/// --- en
/// First paragraph…
/// ```
///
/// Bodies are paragraphs separated by blank lines; `[text](/path)` links into
/// the shop; `{hotline}`, `{service_hours}`, `{payment_window}` and
/// `{minimum}` are filled from configuration when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSource {
    pub slug: String,
    pub category: String,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
}

/// What is wrong with a content file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArticleError {
    #[error("missing header field {0}")]
    MissingField(&'static str),
    #[error("unknown category {0:?}")]
    Category(String),
    #[error("missing body {0}")]
    MissingBody(&'static str),
}

impl ArticleSource {
    pub fn parse(text: &str) -> Result<ArticleSource, ArticleError> {
        let (header, bodies) = text
            .split_once("\n--- zh\n")
            .ok_or(ArticleError::MissingBody("zh"))?;
        let (body_zh, body_en) = bodies
            .split_once("\n--- en\n")
            .ok_or(ArticleError::MissingBody("en"))?;
        let field = |name: &'static str| {
            header
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or(ArticleError::MissingField(name))
        };
        let category = field("category")?;
        if !CATEGORIES.contains(&category.as_str()) {
            return Err(ArticleError::Category(category));
        }
        Ok(ArticleSource {
            slug: field("slug")?,
            category,
            title_zh: field("title_zh")?,
            title_en: field("title_en")?,
            body_zh: body_zh.trim().to_owned(),
            body_en: body_en.trim().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_file_gives_its_header_and_both_bodies() {
        let text = "slug: fees\ncategory: payments\ntitle_zh: 手续费\ntitle_en: Fees\n\n--- zh\n第一段\n\n第二段\n\n--- en\nOne\n";
        let a = ArticleSource::parse(text).unwrap();
        assert_eq!(a.slug, "fees");
        assert_eq!(a.title_zh, "手续费");
        assert_eq!(a.body_zh, "第一段\n\n第二段");
        assert_eq!(a.body_en, "One");
    }

    #[test]
    fn a_broken_content_file_says_what_is_missing() {
        assert_eq!(
            ArticleSource::parse("slug: x\ncategory: payments\n\n--- zh\na\n"),
            Err(ArticleError::MissingBody("en"))
        );
        assert_eq!(
            ArticleSource::parse(
                "slug: x\ncategory: gossip\ntitle_zh: a\ntitle_en: b\n--- zh\na\n--- en\nb"
            ),
            Err(ArticleError::Category("gossip".into()))
        );
        assert_eq!(
            ArticleSource::parse("category: payments\n--- zh\na\n--- en\nb"),
            Err(ArticleError::MissingField("slug"))
        );
    }
}
