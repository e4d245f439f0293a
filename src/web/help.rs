//! Help center: `/help`, `/help/search?q=`, `/help/{slug}`.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::State;
use super::ctx::PageCtx;
use crate::domain::help::HelpArticle;
use crate::error::AppError;
use crate::service::help::{self as svc, CATEGORIES, Segment, render_body};

pub struct ArticleLink {
    pub slug: String,
    pub title: String,
}

pub struct CategoryView {
    pub key: &'static str,
    pub name: String,
    pub articles: Vec<ArticleLink>,
}

fn link(ctx: &PageCtx, a: &HelpArticle) -> ArticleLink {
    ArticleLink {
        slug: a.slug.clone(),
        title: ctx.pick(&a.title_zh, &a.title_en).to_owned(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "help/index.html")]
pub struct HelpPage {
    pub ctx: PageCtx,
    pub categories: Vec<CategoryView>,
    pub hotline: String,
    pub service_hours: String,
}

pub async fn help_index(ctx: PageCtx, state: State) -> Result<HelpPage, AppError> {
    let articles = svc::list(&state.db).await?;
    let categories = CATEGORIES
        .iter()
        .map(|key| CategoryView {
            key,
            name: ctx.text(&format!("help.category.{key}")),
            articles: articles
                .iter()
                .filter(|a| a.category == *key)
                .map(|a| link(&ctx, a))
                .collect(),
        })
        .collect();
    Ok(HelpPage {
        ctx,
        categories,
        hotline: state.config.hotline.clone(),
        service_hours: state.config.service_hours.clone(),
    })
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "help/search.html")]
pub struct SearchPage {
    pub ctx: PageCtx,
    pub q: String,
    pub results: Vec<ArticleLink>,
}

pub async fn help_search(
    ctx: PageCtx,
    state: State,
    query: web::Query<SearchQuery>,
) -> Result<SearchPage, AppError> {
    let q: String = query.q.trim().chars().take(100).collect();
    let results = svc::search(&state.db, &q)
        .await?
        .iter()
        .map(|a| link(&ctx, a))
        .collect();
    Ok(SearchPage { ctx, q, results })
}

#[derive(Template, WebTemplate)]
#[template(path = "help/article.html")]
pub struct ArticlePage {
    pub ctx: PageCtx,
    pub slug: String,
    pub title: String,
    pub category: String,
    pub paragraphs: Vec<Vec<Segment>>,
    pub rates: Vec<(u32, String)>,
}

pub async fn help_article(
    ctx: PageCtx,
    state: State,
    path: web::Path<String>,
) -> Result<ArticlePage, AppError> {
    let (article, terms) = svc::article(&state.db, path.into_inner()).await?;
    let vars = [
        ("hotline", state.config.hotline.clone()),
        ("service_hours", state.config.service_hours.clone()),
        (
            "payment_window",
            state.config.payment_window_minutes.to_string(),
        ),
    ];
    let money = [("minimum", state.settings.installment_minimum)];
    let body = ctx.pick(&article.body_zh, &article.body_en).to_owned();
    Ok(ArticlePage {
        slug: article.slug.clone(),
        title: ctx.pick(&article.title_zh, &article.title_en).to_owned(),
        category: ctx.text(&format!("help.category.{}", article.category)),
        paragraphs: render_body(&body, &vars, &money),
        rates: if article.slug == "installment-fees" {
            terms.iter().map(|(m, r)| (*m, r.to_string())).collect()
        } else {
            Vec::new()
        },
        ctx,
    })
}
