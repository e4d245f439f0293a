//! Help center articles. Full-text search lives in [`super::sqlite`].

use diesel::prelude::*;

use super::Conn;
use super::schema::help_articles;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = help_articles, check_for_backend(diesel::sqlite::Sqlite))]
pub struct HelpArticle {
    pub id: i32,
    pub slug: String,
    pub category: String,
    pub position: i32,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
}

#[derive(Insertable)]
#[diesel(table_name = help_articles)]
pub struct NewHelpArticle<'a> {
    pub slug: &'a str,
    pub category: &'a str,
    pub position: i32,
    pub title_zh: &'a str,
    pub title_en: &'a str,
    pub body_zh: &'a str,
    pub body_en: &'a str,
}

pub fn list_articles(conn: &mut Conn) -> QueryResult<Vec<HelpArticle>> {
    help_articles::table
        .order((
            help_articles::category,
            help_articles::position,
            help_articles::id,
        ))
        .select(HelpArticle::as_select())
        .load(conn)
}

pub fn find_article(conn: &mut Conn, slug: &str) -> QueryResult<Option<HelpArticle>> {
    help_articles::table
        .filter(help_articles::slug.eq(slug))
        .select(HelpArticle::as_select())
        .first(conn)
        .optional()
}

pub fn count_articles(conn: &mut Conn) -> QueryResult<i64> {
    help_articles::table.count().get_result(conn)
}

pub fn insert_articles(conn: &mut Conn, rows: &[NewHelpArticle<'_>]) -> QueryResult<()> {
    diesel::insert_into(help_articles::table)
        .values(rows)
        .execute(conn)?;
    Ok(())
}

/// Articles containing `term` (any language, title or body). For terms too
/// short for the trigram index; portable SQL.
pub fn list_articles_containing(conn: &mut Conn, term: &str) -> QueryResult<Vec<i32>> {
    let pattern = format!(
        "%{}%",
        term.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    help_articles::table
        .filter(
            help_articles::title_zh
                .like(&pattern)
                .escape('\\')
                .or(help_articles::body_zh.like(&pattern).escape('\\'))
                .or(help_articles::title_en.like(&pattern).escape('\\'))
                .or(help_articles::body_en.like(&pattern).escape('\\')),
        )
        .select(help_articles::id)
        .load(conn)
}
