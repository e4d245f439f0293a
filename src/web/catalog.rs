//! Catalog pages: `/` and `/products/{id}`.

use actix_session::Session;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::PageCtx;
use super::{State, parse_id};
use crate::domain::Fen;
use crate::domain::catalog::{Category, Product};
use crate::domain::ids::ProductId;
use crate::error::AppError;
use crate::service::cart::MAX_QUANTITY;
use crate::service::catalog as svc;

pub struct CategoryTab {
    pub slug: String,
    pub name: String,
    pub active: bool,
}

pub struct ProductCard {
    pub id: ProductId,
    pub name: String,
    pub price: Fen,
    pub stock: i32,
}

impl ProductCard {
    pub fn of(ctx: &PageCtx, p: &Product) -> ProductCard {
        ProductCard {
            id: p.id,
            name: ctx.pick(&p.name_zh, &p.name_en).to_owned(),
            price: p.price_fen,
            stock: p.stock,
        }
    }

    pub fn initial(&self) -> String {
        self.name
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/index.html")]
pub struct IndexPage {
    pub ctx: PageCtx,
    pub tabs: Vec<CategoryTab>,
    pub all_active: bool,
    pub products: Vec<ProductCard>,
}

#[derive(Deserialize)]
pub struct IndexQuery {
    #[serde(default)]
    category: Option<String>,
}

pub async fn index(
    ctx: PageCtx,
    state: State,
    query: actix_web::web::Query<IndexQuery>,
) -> Result<IndexPage, AppError> {
    let home = svc::home(&state.db, query.into_inner().category).await?;
    let selected = home.selected.as_ref().map(|c| c.id);
    let tabs = home
        .categories
        .iter()
        .map(|c| CategoryTab {
            slug: c.slug.clone(),
            name: ctx.pick(&c.name_zh, &c.name_en).to_owned(),
            active: Some(c.id) == selected,
        })
        .collect();
    let products = home
        .products
        .iter()
        .map(|p| ProductCard::of(&ctx, p))
        .collect();
    Ok(IndexPage {
        ctx,
        tabs,
        all_active: selected.is_none(),
        products,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/product.html")]
pub struct ProductPage {
    pub ctx: PageCtx,
    pub product: ProductCard,
    pub description: String,
    pub category: String,
    pub max_quantity: i32,
    pub quantity: String,
    pub error: Option<String>,
    /// The smallest order total that may be paid in instalments.
    pub minimum: Fen,
}

impl ProductPage {
    pub fn build(
        ctx: PageCtx,
        product: &Product,
        category: Option<&Category>,
        minimum: Fen,
    ) -> ProductPage {
        ProductPage {
            description: ctx
                .pick(&product.description_zh, &product.description_en)
                .to_owned(),
            category: category
                .map(|c| ctx.pick(&c.name_zh, &c.name_en).to_owned())
                .unwrap_or_default(),
            product: ProductCard::of(&ctx, product),
            max_quantity: product.stock.clamp(1, MAX_QUANTITY),
            quantity: "1".to_owned(),
            error: None,
            minimum,
            ctx,
        }
    }
}

pub async fn show_product(
    mut ctx: PageCtx,
    session: Session,
    state: State,
    path: actix_web::web::Path<String>,
) -> Result<ProductPage, AppError> {
    let id = ProductId(parse_id(&path)?);
    let (product, category) = svc::product(&state.db, id).await?;
    if ctx.user.is_some() {
        ctx.csrf = super::ctx::ensure_csrf(&session);
    }
    Ok(ProductPage::build(
        ctx,
        &product,
        category.as_ref(),
        state.settings.installment_minimum,
    ))
}
