//! Help center: articles by category, search (Chinese substrings through the
//! trigram index), and the small markup of article bodies.

use rust_embed::RustEmbed;

use crate::db::Db;
use crate::db::help::{self, NewHelpArticle};
pub use crate::domain::help::CATEGORIES;
use crate::domain::help::{ArticleSource, HelpArticle};
use crate::domain::{BasisPoints, Fen};
use crate::error::AppError;

/// The articles' content files, embedded in the binary; their names
/// (`NN-slug.md`) give the order.
#[derive(RustEmbed)]
#[folder = "content/help/"]
struct Articles;

/// Every content file, parsed, in file-name order.
fn article_sources() -> Result<Vec<ArticleSource>, AppError> {
    let mut names: Vec<_> = Articles::iter().collect();
    names.sort();
    names
        .iter()
        .map(|name| {
            let file = Articles::get(name)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("help file {name} vanished")))?;
            let text = std::str::from_utf8(&file.data)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("help file {name}: {e}")))?;
            ArticleSource::parse(text)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("help file {name}: {e}")))
        })
        .collect()
}

/// Loads the articles into an empty help center (at start, with or without
/// demo data: they document the product).
pub fn ensure_articles(db: &Db) -> Result<(), AppError> {
    let sources = article_sources()?;
    db.write_blocking(|conn| {
        if help::count_articles(conn)? > 0 {
            return Ok(());
        }
        let rows: Vec<NewHelpArticle<'_>> = sources
            .iter()
            .enumerate()
            .map(|(i, a)| NewHelpArticle {
                slug: &a.slug,
                category: &a.category,
                position: i32::try_from(i).unwrap_or(i32::MAX),
                title_zh: &a.title_zh,
                title_en: &a.title_en,
                body_zh: &a.body_zh,
                body_en: &a.body_en,
            })
            .collect();
        Ok(help::insert_articles(conn, &rows)?)
    })
}

pub async fn list(db: &Db) -> Result<Vec<HelpArticle>, AppError> {
    db.read(|conn| Ok(help::list_articles(conn)?)).await
}

/// An article and the fee-rate table (shown with the fees article).
pub async fn article(
    db: &Db,
    slug: String,
) -> Result<(HelpArticle, Vec<(u32, BasisPoints)>), AppError> {
    db.read(move |conn| {
        let article = help::find_article(conn, &slug)?.ok_or(AppError::NotFound)?;
        let terms = super::pricing::list_terms(conn)?;
        Ok((article, terms))
    })
    .await
}

/// Articles containing every whitespace-separated term of `query` (at most 5
/// terms), best match first. Terms of 3+ characters use the full-text index;
/// shorter ones (e.g. 分期) a plain substring match.
pub async fn search(db: &Db, query: &str) -> Result<Vec<HelpArticle>, AppError> {
    let terms: Vec<String> = query
        .split_whitespace()
        .take(5)
        .map(|t| t.chars().take(50).collect())
        .collect();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    db.read(move |conn| {
        let (long, short): (Vec<&str>, Vec<&str>) = terms
            .iter()
            .map(String::as_str)
            .partition(|t| t.chars().count() >= 3);
        let mut ids: Option<Vec<i32>> = None;
        if !long.is_empty() {
            ids = Some(help::search_indexed(conn, &long)?);
        }
        for term in short {
            let found = help::list_articles_containing(conn, term)?;
            ids = Some(match ids {
                None => found,
                Some(prev) => prev.into_iter().filter(|id| found.contains(id)).collect(),
            });
        }
        let ids = ids.unwrap_or_default();
        let all = help::list_articles(conn)?;
        Ok(ids
            .iter()
            .filter_map(|id| all.iter().find(|a| a.id == *id).cloned())
            .collect())
    })
    .await
}

/// A run of text, linked when `href` is set, or an amount when `fen` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub href: Option<String>,
    pub fen: Option<Fen>,
}

impl Segment {
    fn text(text: &str) -> Segment {
        Segment {
            text: text.to_owned(),
            href: None,
            fen: None,
        }
    }
}

/// Splits text segments at `{name}` money placeholders into amount segments,
/// so every amount on a page carries its `data-fen`.
fn split_money(segments: Vec<Segment>, money: &[(&str, Fen)]) -> Vec<Segment> {
    let mut out = Vec::new();
    for seg in segments {
        if seg.href.is_some() {
            out.push(seg);
            continue;
        }
        let mut rest = seg.text.as_str();
        'scan: loop {
            for (name, fen) in money {
                let token = format!("{{{name}}}");
                if let Some(at) = rest.find(&token) {
                    if at > 0 {
                        out.push(Segment::text(&rest[..at]));
                    }
                    out.push(Segment {
                        text: fen.to_string(),
                        href: None,
                        fen: Some(*fen),
                    });
                    rest = &rest[at + token.len()..];
                    continue 'scan;
                }
            }
            break;
        }
        if !rest.is_empty() {
            out.push(Segment::text(rest));
        }
    }
    out
}

/// Splits a body into paragraphs (blank lines) of text and `[text](/path)`
/// links, after filling `{name}` placeholders. Only same-site paths become
/// links; anything else stays text. Output is data: templates escape it.
pub fn render_body(
    body: &str,
    vars: &[(&str, String)],
    money: &[(&str, Fen)],
) -> Vec<Vec<Segment>> {
    let mut filled = body.to_owned();
    for (name, value) in vars {
        filled = filled.replace(&format!("{{{name}}}"), value);
    }
    filled
        .split("\n\n")
        .map(|para| {
            let mut segments = Vec::new();
            let mut rest = para.trim();
            while let Some(open) = rest.find('[') {
                let Some(close) = rest[open..].find("](").map(|i| open + i) else {
                    break;
                };
                let Some(end) = rest[close..].find(')').map(|i| close + i) else {
                    break;
                };
                let (text, href) = (&rest[open + 1..close], &rest[close + 2..end]);
                if !rest[..open].is_empty() {
                    segments.push(Segment::text(&rest[..open]));
                }
                let safe = href.starts_with('/') && !href.starts_with("//");
                segments.push(Segment {
                    text: text.to_owned(),
                    href: safe.then(|| href.to_owned()),
                    fen: None,
                });
                rest = &rest[end + 1..];
            }
            if !rest.is_empty() {
                segments.push(Segment::text(rest));
            }
            split_money(segments, money)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_content_file_parses_with_a_unique_slug() {
        let sources = article_sources().unwrap();
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/content/help"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "md"))
            })
            .count();
        assert_eq!(sources.len(), files, "every file is an article");
        assert!(sources.len() >= 13);
        let mut slugs: Vec<&str> = sources.iter().map(|a| a.slug.as_str()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), sources.len());
    }

    #[test]
    fn bodies_split_into_paragraphs_links_amounts_and_filled_placeholders() {
        let body = "Call {hotline} or see [orders](/orders).\n\n[evil](https://evil.example) from {minimum}.";
        let out = render_body(
            body,
            &[("hotline", "400-1".to_owned())],
            &[("minimum", Fen(30_000))],
        );
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0],
            vec![
                Segment::text("Call 400-1 or see "),
                Segment {
                    text: "orders".into(),
                    href: Some("/orders".into()),
                    fen: None
                },
                Segment::text("."),
            ]
        );
        assert_eq!(out[1][0], Segment::text("evil"), "only same-site links");
        assert_eq!(
            out[1][2],
            Segment {
                text: "¥300.00".into(),
                href: None,
                fen: Some(Fen(30_000))
            }
        );
        assert_eq!(out[1][3], Segment::text("."));
    }
}
