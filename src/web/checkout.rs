//! Checkout: `/checkout` shows the cart, shipping, every plan with its fees
//! (computed on the server) and the saved methods; POST places the order.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::forms::{
    MethodOption, Refuses, checkout_href, keep_or_new_token, method_id, plan_error_text,
    render_refused, ticked,
};
use super::{State, see_other};
use crate::domain::Fen;
use crate::domain::ids::PaymentMethodId;
use crate::domain::method::priority_method;
use crate::domain::order::{ShippingMethod, is_valid_order_no};
use crate::domain::plan::{Plan, Quote};
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
        method_id(&self.payment_method_id)
    }

    fn acknowledged(&self) -> bool {
        ticked(&self.acknowledge)
    }

    fn replaces(&self) -> Option<String> {
        Some(self.replaces.trim().to_owned()).filter(|r| is_valid_order_no(r))
    }

    /// The order as the service takes it, or why the input cannot be one.
    fn input(&self) -> Result<CheckoutInput, Problem> {
        let shipping = self.shipping();
        let plan = Plan::parse(&self.plan, &self.term);
        let method = self.method_id();
        match (shipping, plan, method) {
            (Some(shipping), Ok(plan), Some(method)) => Ok(CheckoutInput {
                shipping,
                plan,
                method,
                acknowledged: self.acknowledged(),
                token: Some(self.checkout_token.trim().to_owned())
                    .filter(|t| !t.is_empty() && t.len() <= 64),
                replaces: self.replaces(),
            }),
            (shipping, plan, method) => Err(Problem::Input {
                shipping: shipping.is_none(),
                plan: plan.err(),
                method: method.is_none(),
            }),
        }
    }
}

/// Why checkout did not place the order: unreadable fields, or the service's refusal.
pub enum Problem {
    Input {
        shipping: bool,
        plan: Option<crate::domain::plan::PlanError>,
        method: bool,
    },
    Refused(CheckoutError),
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

/// The fee preview of one choice (paying in full, or one term). Every
/// choice's is on the page; the stylesheet shows the one whose radios are
/// checked (the server's choice where `:has()` is not supported), so the
/// preview follows the shopper's selection without a script.
pub struct PlanPreview {
    /// `full`, or the term's months.
    pub key: String,
    pub label: String,
    /// The plan this page was asked for (its figures carry the
    /// `data-preview-*` hooks).
    pub chosen: bool,
    pub quote: Option<Quote>,
    pub refusal: Option<String>,
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
    pub previews: Vec<PlanPreview>,
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
        checkout_href(self.shipping_value, plan, term, &method, &self.replaces)
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
            .or(priority_method(&data.methods).map(|m| m.id));
        let chosen = Plan::parse(
            if sel.plan.is_empty() {
                "full"
            } else {
                &sel.plan
            },
            &sel.term,
        );
        let quote_of = |plan: Plan| data.preview(shipping, plan, settings, now);

        let terms: Vec<TermOption> = data
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
        let full = quote_of(Plan::Full);
        let full_selected = chosen == Ok(Plan::Full) || chosen.is_err();
        let mut previews = vec![PlanPreview {
            key: "full".to_owned(),
            label: ctx.text("plan.full"),
            chosen: full_selected,
            refusal: full.as_ref().err().map(|e| plan_error_text(&ctx, *e)),
            quote: full.as_ref().ok().cloned(),
        }];
        previews.extend(terms.iter().map(|t| PlanPreview {
            key: t.months.to_string(),
            label: ctx.tv("plan.installment_n", &t.months.to_string()),
            chosen: t.selected,
            quote: t.quote.clone(),
            refusal: t.refusal.clone(),
        }));
        let replaces = data
            .replacing
            .as_ref()
            .map(|r| r.order.order_no.clone())
            .unwrap_or_default();
        let shipping_options = ShippingMethod::ALL
            .into_iter()
            .map(|s| {
                let method = method_id.map(|m| m.to_string()).unwrap_or_default();
                ShippingOption {
                    value: s.as_str(),
                    label: ctx.text(&format!("shipping.{}", s.as_str())),
                    fee: s.fee(),
                    selected: s == shipping,
                    href: checkout_href(s.as_str(), &sel.plan, &sel.term, &method, &replaces),
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
            full_selected,
            full_quote: full.ok(),
            terms,
            previews,
            methods: MethodOption::list(&ctx, &data.methods, method_id),
            acknowledged: sel.acknowledged(),
            token: keep_or_new_token(&sel.checkout_token),
            error: None,
            plan_error: None,
            method_error: None,
            ack_error: None,
            minimum: settings.installment_minimum,
            replaces,
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

impl Refuses<Problem> for CheckoutPage {
    fn refuse(&mut self, problem: Problem) -> StatusCode {
        let ctx = &self.ctx;
        match problem {
            Problem::Input {
                shipping,
                plan,
                method,
            } => {
                self.error = shipping.then(|| ctx.text("checkout.error.shipping"));
                self.plan_error = plan.map(|e| plan_error_text(ctx, e));
                self.method_error = method.then(|| ctx.text("checkout.error.method"));
            }
            Problem::Refused(e) => match e {
                CheckoutError::EmptyCart => self.error = Some(ctx.text("checkout.error.empty")),
                CheckoutError::MethodNotFound => {
                    self.method_error = Some(ctx.text("checkout.error.method"));
                }
                CheckoutError::Plan(p) => self.plan_error = Some(plan_error_text(ctx, p)),
                CheckoutError::NotAcknowledged => {
                    self.ack_error = Some(ctx.text("checkout.error.acknowledge"));
                }
                CheckoutError::OutOfStock {
                    name_zh,
                    name_en,
                    available,
                } => {
                    let name = format!("{} ({available})", ctx.pick(&name_zh, &name_en));
                    self.error = Some(ctx.tv("checkout.error.stock", &name));
                }
            },
        }
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub async fn checkout(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    CsrfForm(sel): CsrfForm<Selection>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let placed = match sel.input() {
        Ok(input) => svc::place_order(&state.db, &state.settings, shopper.id, input, now)
            .await?
            .map_err(Problem::Refused),
        Err(problem) => Err(problem),
    };
    match placed {
        Ok(placed) => {
            let key = if placed.repeated {
                "checkout.already_placed"
            } else {
                "checkout.placed"
            };
            let kind = if placed.repeated {
                FlashKind::Info
            } else {
                FlashKind::Success
            };
            set_flash(&session, kind, key, "");
            Ok(see_other(&format!("/orders/{}", placed.order_no)))
        }
        Err(problem) => {
            let data = svc::load(&state.db, shopper.id, sel.replaces()).await?;
            let page = CheckoutPage::build(ctx, &data, &sel, &state.settings, now);
            render_refused(page, problem)
        }
    }
}
