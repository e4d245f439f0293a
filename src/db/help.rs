//! Help center articles. Full-text search lives in [`super::sqlite`].

use diesel::prelude::*;

use super::schema::help_articles;
use super::types::record_row;
use super::{Conn, on_backend};
use crate::domain::help::HelpArticle;

record_row!(ArticleRow => HelpArticle, help_articles {
    id: i32,
    slug: String,
    category: String,
    position: i32,
    title_zh: String,
    title_en: String,
    body_zh: String,
    body_en: String,
});

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
    on_backend!(conn => {
        help_articles::table
            .order((
                help_articles::category,
                help_articles::position,
                help_articles::id,
            ))
            .select(ArticleRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(HelpArticle::from).collect())
    })
}

pub fn find_article(conn: &mut Conn, slug: &str) -> QueryResult<Option<HelpArticle>> {
    on_backend!(conn => {
        help_articles::table
            .filter(help_articles::slug.eq(slug))
            .select(ArticleRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(HelpArticle::from))
    })
}

pub fn count_articles(conn: &mut Conn) -> QueryResult<i64> {
    on_backend!(conn => {
        help_articles::table.count().get_result(conn)
    })
}

pub fn insert_articles(conn: &mut Conn, rows: &[NewHelpArticle<'_>]) -> QueryResult<()> {
    on_backend!(conn => {
        diesel::insert_into(help_articles::table)
            .values(rows)
            .execute(conn)?;
        Ok(())
    })
}

/// Articles containing `term` (any language, title or body). For terms too
/// short for the trigram index; portable SQL.
pub fn list_articles_containing(conn: &mut Conn, term: &str) -> QueryResult<Vec<i32>> {
    on_backend!(conn => {
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
    })
}

/// Articles matching every term (3+ characters each), best first: SQLite's
/// FTS5 trigram index, or on PostgreSQL a substring match the `pg_trgm`
/// index serves (in article order: PostgreSQL has no FTS5 rank).
pub fn search_indexed(conn: &mut Conn, terms: &[&str]) -> QueryResult<Vec<i32>> {
    match conn {
        Conn::Sqlite(c) => super::sqlite::search_help_fts(c, terms),
        Conn::Pg(_) => {
            let mut ids: Option<Vec<i32>> = None;
            for term in terms {
                let found = list_articles_containing(conn, term)?;
                ids = Some(match ids {
                    None => found,
                    Some(prev) => prev.into_iter().filter(|id| found.contains(id)).collect(),
                });
            }
            Ok(ids.unwrap_or_default())
        }
    }
}
