//! The cart: `/cart`, add and remove.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::forms::render;
use super::{State, parse_id, see_other};
use crate::domain::Fen;
use crate::domain::ids::ProductId;
use crate::error::AppError;
use crate::service::cart::{self as svc, CartError, CartView, MAX_QUANTITY};

pub struct CartLineView {
    pub product_id: ProductId,
    pub name: String,
    pub unit_price: Fen,
    pub quantity: i32,
    pub line_total: Fen,
    pub stock: i32,
    pub short: bool,
    /// The price an earlier order had, when it changed since.
    pub old_price: Option<Fen>,
}

#[derive(Template, WebTemplate)]
#[template(path = "cart/index.html")]
pub struct CartPage {
    pub ctx: PageCtx,
    pub lines: Vec<CartLineView>,
    pub subtotal: Fen,
    pub stock_problem: bool,
    pub error: Option<String>,
}

impl CartPage {
    pub fn lines_of(ctx: &PageCtx, cart: &CartView) -> Vec<CartLineView> {
        cart.lines
            .iter()
            .map(|l| CartLineView {
                product_id: l.product.id,
                name: ctx.pick(&l.product.name_zh, &l.product.name_en).to_owned(),
                unit_price: l.unit_price,
                quantity: l.quantity,
                line_total: l.line_total,
                stock: l.product.stock,
                short: l.short_of_stock(),
                old_price: None,
            })
            .collect()
    }

    fn build(ctx: PageCtx, cart: &CartView, error: Option<String>) -> CartPage {
        let lines = Self::lines_of(&ctx, cart);
        CartPage {
            lines,
            subtotal: cart.subtotal,
            stock_problem: cart.has_stock_problem(),
            error,
            ctx,
        }
    }
}

pub async fn show_cart(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
) -> Result<CartPage, AppError> {
    let cart = svc::view(&state.db, shopper.id).await?;
    Ok(CartPage::build(ctx, &cart, None))
}

/// Why a cart change was not made: unreadable fields, or the service's refusal.
enum Problem {
    Product,
    Quantity,
    Refused(CartError),
}

impl Problem {
    /// The message explaining it, in the page language.
    fn message(self, ctx: &PageCtx) -> String {
        let max = MAX_QUANTITY.to_string();
        match self {
            Problem::Product | Problem::Refused(CartError::UnknownProduct) => {
                ctx.text("cart.error.unknown_product")
            }
            Problem::Quantity => ctx.tv("cart.error.quantity", &max),
            Problem::Refused(CartError::TooMany) => ctx.tv("cart.error.too_many", &max),
            Problem::Refused(CartError::NotEnoughStock { available }) => {
                ctx.tv("cart.error.stock", &available.to_string())
            }
        }
    }
}

/// A quantity field: 1 to [`MAX_QUANTITY`], anything else refused.
fn quantity(raw: &str) -> Result<i32, Problem> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|q| (1..=MAX_QUANTITY).contains(q))
        .ok_or(Problem::Quantity)
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    product_id: String,
    #[serde(default)]
    quantity: String,
}

pub async fn add_to_cart(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<HttpResponse, AppError> {
    let product = form
        .product_id
        .parse::<ProductId>()
        .map_err(|_| Problem::Product);
    let outcome = match (product, quantity(&form.quantity)) {
        (Err(p), _) | (_, Err(p)) => Err(p),
        (Ok(product), Ok(quantity)) => {
            svc::add_item(&state.db, shopper.id, product, quantity, state.clock.now())
                .await?
                .map_err(Problem::Refused)
        }
    };
    match outcome {
        Ok(()) => {
            set_flash(&session, FlashKind::Success, "cart.added", "");
            Ok(see_other("/cart"))
        }
        Err(problem) => {
            let message = problem.message(&ctx);
            refuse_add(ctx, &state, shopper, form, message).await
        }
    }
}

/// Shows a refused addition on the product's form when there is one (input
/// kept), else on the cart; 422 either way.
async fn refuse_add(
    ctx: PageCtx,
    state: &State,
    shopper: CurrentShopper,
    form: AddForm,
    message: String,
) -> Result<HttpResponse, AppError> {
    if let Ok(p) = form.product_id.parse::<ProductId>()
        && let Ok((prod, category)) = crate::service::catalog::product(&state.db, p).await
    {
        let minimum = state.settings.installment_minimum;
        let mut page = super::catalog::ProductPage::build(ctx, &prod, category.as_ref(), minimum);
        page.quantity = form.quantity;
        page.error = Some(message);
        return render(page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let cart = svc::view(&state.db, shopper.id).await?;
    let page = CartPage::build(ctx, &cart, Some(message));
    render(page, StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn remove_from_cart(
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let product = ProductId(parse_id(&path)?);
    svc::remove_item(&state.db, shopper.id, product).await?;
    Ok(see_other("/cart"))
}

#[derive(Deserialize)]
pub struct QuantityForm {
    #[serde(default)]
    quantity: String,
}

/// Changes a line's quantity in place (1–99, not above stock).
pub async fn update_cart_item(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<QuantityForm>,
) -> Result<HttpResponse, AppError> {
    let product = ProductId(parse_id(&path)?);
    let outcome = match quantity(&form.quantity) {
        Err(p) => Err(p),
        Ok(q) => svc::set_quantity(&state.db, shopper.id, product, q, state.clock.now())
            .await?
            .map_err(Problem::Refused),
    };
    match outcome {
        Ok(()) => Ok(see_other("/cart")),
        Err(problem) => {
            let message = problem.message(&ctx);
            let cart = svc::view(&state.db, shopper.id).await?;
            let page = CartPage::build(ctx, &cart, Some(message));
            render(page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
