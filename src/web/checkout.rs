//! Checkout: `/checkout` shows the cart, shipping, every plan with its fees
//! (computed on the server) and the saved methods; POST places the order.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use rand::distr::{Alphanumeric, SampleString};
use serde::Deserialize;

use super::accounts::render;
use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::{State, see_other};
use crate::db::ids::PaymentMethodId;
use crate::db::payment_methods::PaymentMethod;
use crate::domain::Fen;
use crate::domain::order::ShippingMethod;
use crate::domain::plan::{Plan, PlanError, Quote};
use crate::error::AppError;
use crate::service::Settings;
use crate::service::checkout::{self as svc, CheckoutData, CheckoutError, CheckoutInput};

/// The shopper's choices as sent (strings kept so the form can show them back).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Selection {
    #[serde(default)]
    pub shipping_method: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub payment_method_id: String,
    #[serde(default)]
    pub acknowledge: String,
    #[serde(default)]
    pub checkout_token: String,
    /// The order a payment change cancelled; the new order links to it.
    #[serde(default)]
    pub replaces: String,
}

impl Selection {
    fn shipping(&self) -> Option<ShippingMethod> {
        self.shipping_method.parse().ok()
    }

    fn method_id(&self) -> Option<PaymentMethodId> {
        self.payment_method_id
            .trim()
            .parse::<i32>()
            .ok()
            .map(PaymentMethodId)
    }

    fn acknowledged(&self) -> bool {
        self.acknowledge == "on"
    }

    fn replaces(&self) -> Option<String> {
        Some(self.replaces.trim().to_owned()).filter(|r| crate::domain::order::is_valid_order_no(r))
    }
}

/// A catalog text for a plan refusal.
pub fn plan_error_text(ctx: &PageCtx, e: PlanError) -> String {
    match e {
        PlanError::UnknownPlan => ctx.t("plan.error.unknown_plan"),
        PlanError::UnknownTerm => ctx.t("plan.error.unknown_term"),
        PlanError::BelowMinimum { minimum } => {
            ctx.tv("plan.error.below_minimum", &super::rich::fen_token(minimum))
        }
        PlanError::CardExpiresTooSoon { last_due } => {
            ctx.tv("plan.error.card_expires", &last_due.to_string())
        }
        PlanError::Overflow => ctx.t("plan.error.overflow"),
    }
}

pub struct ShippingOption {
    pub value: &'static str,
    pub label: String,
    pub fee: Fen,
    pub selected: bool,
    pub href: String,
}

pub struct TermOption {
    pub months: u32,
    pub rate: String,
    pub quote: Option<Quote>,
    pub refusal: Option<String>,
    pub selected: bool,
}

pub struct MethodOption {
    pub id: PaymentMethodId,
    pub kind: String,
    pub label: String,
    pub expiry: String,
    pub priority: bool,
    pub selected: bool,
}

impl MethodOption {
    pub fn of(
        ctx: &PageCtx,
        m: &PaymentMethod,
        index: usize,
        selected: Option<PaymentMethodId>,
    ) -> MethodOption {
        MethodOption {
            id: m.id,
            kind: ctx.t(&format!("method.kind.{}", m.kind)),
            label: m.describe(),
            expiry: m.expiry().map(|e| e.to_string()).unwrap_or_default(),
            priority: index == 0,
            selected: selected == Some(m.id),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "checkout/index.html")]
pub struct CheckoutPage {
    pub ctx: PageCtx,
    pub lines: Vec<super::cart::CartLineView>,
    pub subtotal: Fen,
    pub shipping: Vec<ShippingOption>,
    pub shipping_value: &'static str,
    pub full_selected: bool,
    pub full_quote: Option<Quote>,
    pub terms: Vec<TermOption>,
    pub methods: Vec<MethodOption>,
    pub preview: Option<Quote>,
    pub preview_error: Option<String>,
    pub acknowledged: bool,
    pub token: String,
    pub error: Option<String>,
    pub plan_error: Option<String>,
    pub method_error: Option<String>,
    pub ack_error: Option<String>,
    pub minimum: Fen,
    /// The replaced order's number (hidden field), when checking out after a payment change.
    pub replaces: String,
}

impl CheckoutPage {
    /// This page with another plan previewed (shipping, method and link kept).
    pub fn preview_href(&self, plan: &str, term: &str) -> String {
        let method = self
            .methods
            .iter()
            .find(|m| m.selected)
            .map(|m| m.id.to_string())
            .unwrap_or_default();
        let query = serde_urlencoded::to_string([
            ("shipping_method", self.shipping_value),
            ("plan", plan),
            ("term", term),
            ("payment_method_id", &method),
            ("replaces", &self.replaces),
        ])
        .unwrap_or_default();
        format!("/checkout?{query}")
    }

    fn build(
        ctx: PageCtx,
        data: &CheckoutData,
        sel: &Selection,
        settings: &Settings,
        now: chrono::NaiveDateTime,
    ) -> CheckoutPage {
        let shipping = sel.shipping().unwrap_or(ShippingMethod::Standard);
        let method_id = sel
            .method_id()
            .filter(|id| data.methods.iter().any(|m| m.id == *id))
            .or(data.methods.first().map(|m| m.id));
        let method = data.methods.iter().find(|m| Some(m.id) == method_id);
        let chosen = Plan::parse(
            if sel.plan.is_empty() {
                "full"
            } else {
                &sel.plan
            },
            &sel.term,
        );
        let quote_of = |plan: Plan| data.preview(shipping, plan, method, settings, now);

        let terms = data
            .terms
            .iter()
            .map(|(months, rate)| {
                let plan = Plan::Installment { months: *months };
                let q = quote_of(plan);
                TermOption {
                    months: *months,
                    rate: rate.to_string(),
                    refusal: q.as_ref().err().map(|e| plan_error_text(&ctx, *e)),
                    quote: q.ok(),
                    selected: chosen == Ok(plan),
                }
            })
            .collect();
        let preview = chosen.and_then(quote_of);
        let replaces = data
            .replacing
            .as_ref()
            .map(|r| r.order.order_no.clone())
            .unwrap_or_default();
        let shipping_options = ShippingMethod::ALL
            .into_iter()
            .map(|s| {
                let query = serde_urlencoded::to_string([
                    ("shipping_method", s.as_str()),
                    ("plan", sel.plan.as_str()),
                    ("term", sel.term.as_str()),
                    (
                        "payment_method_id",
                        &method_id.map(|m| m.to_string()).unwrap_or_default(),
                    ),
                    ("replaces", &replaces),
                ])
                .unwrap_or_default();
                ShippingOption {
                    value: s.as_str(),
                    label: ctx.t(&format!("shipping.{}", s.as_str())),
                    fee: s.fee(),
                    selected: s == shipping,
                    href: format!("/checkout?{query}"),
                }
            })
            .collect();
        let mut lines = super::cart::CartPage::lines_of(&ctx, &data.cart);
        for line in &mut lines {
            line.old_price = data.old_price(line.product_id, line.unit_price);
        }
        CheckoutPage {
            subtotal: data.cart.subtotal,
            shipping: shipping_options,
            shipping_value: shipping.as_str(),
            full_selected: chosen == Ok(Plan::Full) || chosen.is_err(),
            full_quote: quote_of(Plan::Full).ok(),
            terms,
            methods: data
                .methods
                .iter()
                .enumerate()
                .map(|(i, m)| MethodOption::of(&ctx, m, i, method_id))
                .collect(),
            preview_error: preview.as_ref().err().map(|e| plan_error_text(&ctx, *e)),
            preview: preview.ok(),
            acknowledged: sel.acknowledged(),
            token: if sel.checkout_token.is_empty() {
                Alphanumeric.sample_string(&mut rand::rng(), 32)
            } else {
                sel.checkout_token.clone()
            },
            error: None,
            plan_error: None,
            method_error: None,
            ack_error: None,
            minimum: settings.installment_minimum,
            replaces: data
                .replacing
                .as_ref()
                .map(|r| r.order.order_no.clone())
                .unwrap_or_default(),
            lines,
            ctx,
        }
    }
}

pub async fn checkout_form(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    query: web::Query<Selection>,
) -> Result<CheckoutPage, AppError> {
    let mut sel = query.into_inner();
    let data = svc::load(&state.db, shopper.id, sel.replaces()).await?;
    sel.checkout_token.clear();
    Ok(CheckoutPage::build(
        ctx,
        &data,
        &sel,
        &state.settings,
        state.clock.now(),
    ))
}

pub async fn checkout(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    CsrfForm(sel): CsrfForm<Selection>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let shipping = sel.shipping();
    let plan = Plan::parse(&sel.plan, &sel.term);
    let method = sel.method_id();
    let token =
        Some(sel.checkout_token.trim().to_owned()).filter(|t| !t.is_empty() && t.len() <= 64);

    let outcome = match (shipping, plan, method) {
        (Some(shipping), Ok(plan), Some(method)) => Some(
            svc::place_order(
                &state.db,
                &state.settings,
                shopper.id,
                CheckoutInput {
                    shipping,
                    plan,
                    method,
                    acknowledged: sel.acknowledged(),
                    token,
                    replaces: sel.replaces(),
                },
                now,
            )
            .await?,
        ),
        _ => None,
    };
    if let Some(Ok(placed)) = &outcome {
        if placed.repeated {
            set_flash(&session, FlashKind::Info, "checkout.already_placed", "");
        } else {
            set_flash(&session, FlashKind::Success, "checkout.placed", "");
        }
        return Ok(see_other(&format!("/orders/{}", placed.order_no)));
    }

    let data = svc::load(&state.db, shopper.id, sel.replaces()).await?;
    let mut page = CheckoutPage::build(ctx, &data, &sel, &state.settings, now);
    match outcome {
        Some(Err(e)) => match e {
            CheckoutError::EmptyCart => page.error = Some(page.ctx.t("checkout.error.empty")),
            CheckoutError::MethodNotFound => {
                page.method_error = Some(page.ctx.t("checkout.error.method"))
            }
            CheckoutError::Plan(p) => page.plan_error = Some(plan_error_text(&page.ctx, p)),
            CheckoutError::NotAcknowledged => {
                page.ack_error = Some(page.ctx.t("checkout.error.acknowledge"))
            }
            CheckoutError::OutOfStock {
                name_zh,
                name_en,
                available,
            } => {
                let name = page.ctx.pick(&name_zh, &name_en).to_owned();
                page.error = Some(
                    page.ctx
                        .tv("checkout.error.stock", &format!("{name} ({available})")),
                );
            }
        },
        _ => {
            if shipping.is_none() {
                page.error = Some(page.ctx.t("checkout.error.shipping"));
            }
            if let Err(e) = plan {
                page.plan_error = Some(plan_error_text(&page.ctx, e));
            }
            if method.is_none() {
                page.method_error = Some(page.ctx.t("checkout.error.method"));
            }
        }
    }
    render(page, StatusCode::UNPROCESSABLE_ENTITY)
}
