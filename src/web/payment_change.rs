//! `/orders/{order_no}/change-payment`: the page decides by the order's state
//! (rule 2 self-service, rule 3 service request, rule 4 nothing to change).
//! Self-service is two steps without JavaScript: a GET form picks a plan and
//! method and shows the side-by-side comparison; the POST form confirms
//! exactly what was compared, with the acknowledgement.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDateTime;
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::forms::{
    MethodOption, Refuses, checkout_href, method_id, new_form_token, plan_error_text,
    render_refused, ticked,
};
use super::{State, see_other};
use crate::domain::Fen;
use crate::domain::ids::PaymentMethodId;
use crate::domain::payment_change::{classify, differences};
use crate::domain::plan::{Plan, Quote};
use crate::error::AppError;
use crate::service::Settings;
use crate::service::payment_change::{
    self as svc, ChangeOutcome, ChangeRefusal, ChangeRequest, ChangeView,
};
use crate::service::tokens::parse_token;

/// The choice as sent (query or form), strings kept for showing back.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    term: String,
    #[serde(default)]
    payment_method_id: String,
    #[serde(default)]
    acknowledge: String,
    #[serde(default)]
    form_token: String,
}

impl ChangeForm {
    fn method_id(&self) -> Option<PaymentMethodId> {
        method_id(&self.payment_method_id)
    }

    /// The confirmation as the service takes it, or the refusal of its input.
    fn request(&self) -> Result<ChangeRequest, ChangeRefusal> {
        let plan = Plan::parse(&self.plan, &self.term).map_err(ChangeRefusal::Plan)?;
        let method = self.method_id().ok_or(ChangeRefusal::MethodNotFound)?;
        Ok(ChangeRequest {
            plan,
            method,
            acknowledged: ticked(&self.acknowledge),
            token: parse_token(&self.form_token),
        })
    }
}

/// One line of the side-by-side comparison.
pub struct CompareRow {
    pub label: String,
    pub current_fen: Option<Fen>,
    pub new_fen: Option<Fen>,
    pub current_text: String,
    pub new_text: String,
    pub differs: bool,
    pub key: &'static str,
}

pub struct TermChoice {
    pub months: u32,
    pub rate: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/change_payment.html")]
pub struct ChangePaymentPage {
    pub ctx: PageCtx,
    pub order_no: String,
    pub status: &'static str,
    pub status_label: String,
    pub path: &'static str,
    pub total: Fen,
    pub current_plan: String,
    pub current_method: String,
    pub deadline: String,
    pub hotline: String,
    pub service_hours: String,
    pub full_selected: bool,
    pub terms: Vec<TermChoice>,
    pub methods: Vec<MethodOption>,
    /// The compared choice (hidden fields of the confirm form).
    pub chosen_plan: String,
    pub chosen_term: String,
    pub chosen_method: String,
    pub rows: Vec<CompareRow>,
    pub changes: Vec<String>,
    pub kind: &'static str,
    pub choice_error: Option<String>,
    pub ack_error: Option<String>,
    pub error: Option<String>,
    pub acknowledged: bool,
    pub form_token: String,
    /// A new contract goes through checkout over the refilled cart: when that
    /// differs from the comparison (other cart items, capped lines, new
    /// prices), what checkout will charge, shown before confirming.
    pub checkout_total: Option<Fen>,
    pub merge_others: Vec<String>,
    pub merge_capped: bool,
}

fn quote_rows(
    ctx: &PageCtx,
    current: Option<&Quote>,
    new: Option<&Quote>,
    current_method: &str,
    new_method: &str,
) -> Vec<CompareRow> {
    let fen_row = |key: &'static str, f: fn(&Quote) -> Fen| CompareRow {
        label: ctx.text(&format!("quote.{key}")),
        current_fen: current.map(f),
        new_fen: new.map(f),
        current_text: String::new(),
        new_text: String::new(),
        differs: current.map(f) != new.map(f),
        key,
    };
    let text_row = |key: &'static str, cur: String, new: String| CompareRow {
        label: ctx.text(&format!("quote.{key}")),
        current_fen: None,
        new_fen: None,
        differs: cur != new,
        current_text: cur,
        new_text: new,
        key,
    };
    let plan_label = |q: Option<&Quote>| q.map(|q| ctx.plan_label(q.plan)).unwrap_or_default();
    vec![
        text_row("plan", plan_label(current), plan_label(new)),
        text_row("method", current_method.to_owned(), new_method.to_owned()),
        text_row(
            "rate",
            current.map(|q| q.rate.to_string()).unwrap_or_default(),
            new.map(|q| q.rate.to_string()).unwrap_or_default(),
        ),
        fen_row("fees", |q| q.fees),
        fen_row("total", |q| q.total),
        fen_row("monthly", |q| q.monthly),
        text_row(
            "payments",
            current.map(|q| q.payments.to_string()).unwrap_or_default(),
            new.map(|q| q.payments.to_string()).unwrap_or_default(),
        ),
        text_row(
            "first_due",
            current.map(|q| q.first_due.to_string()).unwrap_or_default(),
            new.map(|q| q.first_due.to_string()).unwrap_or_default(),
        ),
        text_row(
            "last_due",
            current.map(|q| q.last_due.to_string()).unwrap_or_default(),
            new.map(|q| q.last_due.to_string()).unwrap_or_default(),
        ),
    ]
}

impl ChangePaymentPage {
    fn build(
        ctx: PageCtx,
        view: &ChangeView,
        choice: &ChangeForm,
        config: &crate::config::Config,
        settings: &Settings,
        now: NaiveDateTime,
    ) -> ChangePaymentPage {
        let o = &view.order;
        let plan = if choice.plan.is_empty() {
            Ok(o.plan)
        } else {
            Plan::parse(&choice.plan, &choice.term)
        };
        let method_id = choice.method_id().unwrap_or(o.payment_method_id);
        let method = view.methods.iter().find(|m| m.id == method_id);
        let current_quote = view.current_quote(now);
        let current_method = view
            .current_method
            .as_ref()
            .map(|m| ctx.method_label(m))
            .unwrap_or_default();
        let new_method = method.map(|m| ctx.method_label(m)).unwrap_or_default();
        let new_quote = match (plan, method) {
            (Err(e), _) => Err(plan_error_text(&ctx, e)),
            (_, None) => Err(ctx.text("checkout.error.method")),
            (Ok(p), Some(_)) => view
                .quote_for(p, settings, now)
                .map_err(|e| plan_error_text(&ctx, e)),
        };
        let kind = match (plan, method) {
            (Ok(p), Some(m)) => classify(o.plan, o.payment_method_id, p, m.id).as_str(),
            _ => "invalid",
        };
        let changes = match (&current_quote, &new_quote) {
            (Some(c), Ok(n)) => differences(c, n)
                .iter()
                .map(|d| ctx.text(&format!("change.diff.{}", d.as_str())))
                .collect(),
            _ => Vec::new(),
        };
        let rows = quote_rows(
            &ctx,
            current_quote.as_ref(),
            new_quote.as_ref().ok(),
            &current_method,
            &new_method,
        );
        let chosen = plan.unwrap_or(o.plan);
        let checkout_total = match (kind, &new_quote) {
            ("new_contract", Ok(q)) => view
                .checkout_quote(chosen, settings, now)
                .ok()
                .map(|c| c.total)
                .filter(|t| *t != q.total || !view.refill.others.is_empty() || view.refill.capped),
            _ => None,
        };
        ChangePaymentPage {
            checkout_total,
            merge_others: view
                .refill
                .others
                .iter()
                .map(|(zh, en, qty)| format!("{} × {qty}", ctx.pick(zh, en)))
                .collect(),
            merge_capped: view.refill.capped,
            order_no: o.order_no.clone(),
            status: o.status.as_str(),
            status_label: ctx.status_label(o.status),
            path: view.path.as_str(),
            total: o.total_fen,
            current_plan: ctx.plan_label(o.plan),
            current_method,
            deadline: ctx.time(&o.pay_deadline),
            hotline: config.hotline.clone(),
            service_hours: config.service_hours.clone(),
            full_selected: chosen == Plan::Full,
            terms: view
                .terms
                .iter()
                .map(|(m, r)| TermChoice {
                    months: *m,
                    rate: r.to_string(),
                    selected: chosen == Plan::Installment { months: *m },
                })
                .collect(),
            methods: MethodOption::list(&ctx, &view.methods, Some(method_id)),
            chosen_plan: chosen.kind().as_str().to_owned(),
            chosen_term: chosen.months().map(|m| m.to_string()).unwrap_or_default(),
            chosen_method: method_id.to_string(),
            rows,
            changes,
            kind,
            choice_error: new_quote.err(),
            ack_error: None,
            error: None,
            acknowledged: ticked(&choice.acknowledge),
            form_token: new_form_token(),
            ctx,
        }
    }
}

impl Refuses<ChangeRefusal> for ChangePaymentPage {
    fn refuse(&mut self, refusal: ChangeRefusal) -> StatusCode {
        match refusal {
            ChangeRefusal::NotAcknowledged => {
                self.ack_error = Some(self.ctx.text("change.error.acknowledge"));
            }
            ChangeRefusal::MethodNotFound => {
                self.choice_error = Some(self.ctx.text("checkout.error.method"));
            }
            ChangeRefusal::Plan(e) => self.choice_error = Some(plan_error_text(&self.ctx, e)),
            ChangeRefusal::NotAllowed(_) => {
                self.error = Some(self.ctx.text("change.error.not_allowed"));
                return StatusCode::CONFLICT;
            }
            ChangeRefusal::PaymentInProgress => {
                self.error = Some(self.ctx.text("order.flash.in_progress"));
                return StatusCode::CONFLICT;
            }
        }
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub async fn change_payment_form(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    query: web::Query<ChangeForm>,
) -> Result<ChangePaymentPage, AppError> {
    let now = state.clock.now();
    let view = svc::load(&state.db, shopper.id, path.into_inner(), now).await?;
    let mut choice = query.into_inner();
    // The GET form compares; only the confirmation carries the acknowledgement.
    choice.acknowledge.clear();
    Ok(ChangePaymentPage::build(
        ctx,
        &view,
        &choice,
        &state.config,
        &state.settings,
        now,
    ))
}

pub async fn change_payment(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let (now, order_no) = (state.clock.now(), path.into_inner());
    let outcome = match form.request() {
        Ok(request) => {
            let user = shopper.id;
            svc::confirm(
                &state.db,
                &state.settings,
                user,
                order_no.clone(),
                request,
                now,
            )
            .await?
        }
        Err(refusal) => Err(refusal),
    };
    match outcome {
        Ok(done) => {
            let (kind, key, location) = confirmed(&done, &order_no);
            set_flash(&session, kind, key, &order_no);
            Ok(see_other(&location))
        }
        Err(refusal) => {
            let view = svc::load(&state.db, shopper.id, order_no, now).await?;
            let page =
                ChangePaymentPage::build(ctx, &view, &form, &state.config, &state.settings, now);
            render_refused(page, refusal)
        }
    }
}

/// Where a confirmation leads, with its message: a new contract continues at
/// checkout with the choice preselected, everything else on the order.
fn confirmed(outcome: &ChangeOutcome, order_no: &str) -> (FlashKind, &'static str, String) {
    let detail = format!("/orders/{order_no}");
    match outcome {
        ChangeOutcome::Unchanged => (FlashKind::Info, "change.flash.unchanged", detail),
        ChangeOutcome::MethodChanged => (FlashKind::Success, "change.flash.method_changed", detail),
        ChangeOutcome::AlreadyDone => (FlashKind::Info, "order.flash.already_done", detail),
        ChangeOutcome::NewContract(p) => {
            let term = p.plan.months().map(|m| m.to_string()).unwrap_or_default();
            let href = checkout_href(
                p.shipping.as_str(),
                p.plan.kind().as_str(),
                &term,
                &p.method.to_string(),
                &p.replaces,
            );
            (FlashKind::Success, "change.flash.new_contract", href)
        }
    }
}
