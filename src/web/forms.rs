//! What every form page shares: rendering a page with a status, the
//! one-time token, method choices, id fields, and the texts of the refusals
//! several pages show. One place, so the same refusal always reads the same.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use serde::Deserialize;

use super::ctx::PageCtx;
use crate::domain::ids::PaymentMethodId;
use crate::domain::method::{PaymentMethod, priority_method};
use crate::domain::plan::PlanError;
use crate::error::AppError;
use crate::service::tokens;

/// Renders `page` with `status` (a re-shown form gets a 4xx).
pub fn render<T: Template>(page: T, status: StatusCode) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// A page whose form refuses input with a field message and a status: the
/// handler answers `render_refused(page, refusal)`, one mapping per page.
pub trait Refuses<R> {
    /// Puts the message for `refusal` on its field; returns the status.
    fn refuse(&mut self, refusal: R) -> StatusCode;
}

/// Shows `page` with the message for `refusal` on the right field.
pub fn render_refused<P: Template + Refuses<R>, R>(
    mut page: P,
    refusal: R,
) -> Result<HttpResponse, AppError> {
    let status = page.refuse(refusal);
    render(page, status)
}

/// The one-time token every action form on a page carries (`form_token`).
#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    form_token: String,
}

impl ActionForm {
    pub fn token(&self) -> Option<String> {
        sent_token(&self.form_token)
    }
}

/// A form's `form_token` field, if it looks like one.
pub fn sent_token(raw: &str) -> Option<String> {
    tokens::parse_token(raw)
}

/// A fresh one-time token for the forms of a page.
pub fn new_form_token() -> String {
    tokens::new_token()
}

/// The sent token to show again on a re-rendered form, or a fresh one.
pub fn keep_or_new_token(sent: &str) -> String {
    tokens::parse_token(sent).unwrap_or_else(tokens::new_token)
}

/// A method id field; anything but a positive number is no choice.
pub fn method_id(raw: &str) -> Option<PaymentMethodId> {
    raw.parse().ok()
}

/// `acknowledge=on`.
pub fn ticked(raw: &str) -> bool {
    raw == "on"
}

/// `/checkout?…` with a choice preselected (SPEC: GET accepts the form's names).
pub fn checkout_href(
    shipping: &str,
    plan: &str,
    term: &str,
    method: &str,
    replaces: &str,
) -> String {
    let query = serde_urlencoded::to_string([
        ("shipping_method", shipping),
        ("plan", plan),
        ("term", term),
        ("payment_method_id", method),
        ("replaces", replaces),
    ])
    .unwrap_or_default();
    format!("/checkout?{query}")
}

/// One saved method as a choice on a form.
pub struct MethodOption {
    pub id: PaymentMethodId,
    pub kind: String,
    pub label: String,
    pub expiry: String,
    pub priority: bool,
    pub selected: bool,
}

impl MethodOption {
    /// The shopper's live methods (priority first) as choices, `selected` marked.
    pub fn list(
        ctx: &PageCtx,
        methods: &[PaymentMethod],
        selected: Option<PaymentMethodId>,
    ) -> Vec<MethodOption> {
        let priority = priority_method(methods).map(|m| m.id);
        methods
            .iter()
            .map(|m| MethodOption {
                id: m.id,
                kind: ctx.kind_label(m.kind),
                label: m.describe(),
                expiry: m.expiry().map(|e| e.to_string()).unwrap_or_default(),
                priority: priority == Some(m.id),
                selected: selected == Some(m.id),
            })
            .collect()
    }
}

/// A catalog text for a plan refusal.
pub fn plan_error_text(ctx: &PageCtx, e: PlanError) -> String {
    match e {
        PlanError::UnknownPlan => ctx.text("plan.error.unknown_plan"),
        PlanError::UnknownTerm => ctx.text("plan.error.unknown_term"),
        PlanError::BelowMinimum { minimum } => {
            ctx.tv("plan.error.below_minimum", &super::rich::fen_token(minimum))
        }
        PlanError::CardExpiresTooSoon { last_due } => {
            ctx.tv("plan.error.card_expires", &last_due.to_string())
        }
        PlanError::Overflow => ctx.text("plan.error.overflow"),
    }
}
