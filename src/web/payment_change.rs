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

use super::accounts::render;
use super::checkout::{MethodOption, plan_error_text};
use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::orders::{new_form_token, one_time_token, plan_text};
use super::{State, see_other};
use crate::db::ids::PaymentMethodId;
use crate::domain::Fen;
use crate::domain::payment_change::{ChangePath, differences};
use crate::domain::plan::{Plan, Quote};
use crate::error::AppError;
use crate::service::Settings;
use crate::service::payment_change::{
    self as svc, ChangeOutcome, ChangeRefusal, ChangeRequest, ChangeView,
};

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
        self.payment_method_id
            .trim()
            .parse::<i32>()
            .ok()
            .map(PaymentMethodId)
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
}

fn quote_rows(
    ctx: &PageCtx,
    current: Option<&Quote>,
    new: Option<&Quote>,
    current_method: &str,
    new_method: &str,
) -> Vec<CompareRow> {
    let fen_row = |key: &'static str, f: fn(&Quote) -> Fen| CompareRow {
        label: ctx.t(&format!("quote.{key}")),
        current_fen: current.map(f),
        new_fen: new.map(f),
        current_text: String::new(),
        new_text: String::new(),
        differs: current.map(f) != new.map(f),
        key,
    };
    let text_row = |key: &'static str, cur: String, new: String| CompareRow {
        label: ctx.t(&format!("quote.{key}")),
        current_fen: None,
        new_fen: None,
        differs: cur != new,
        current_text: cur,
        new_text: new,
        key,
    };
    let plan_label = |q: Option<&Quote>| match q.map(|q| q.plan) {
        Some(Plan::Installment { months }) => ctx.tv("plan.installment_n", &months.to_string()),
        Some(Plan::Full) => ctx.t("plan.full"),
        None => String::new(),
    };
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
        let current_plan = o.plan();
        let plan = if choice.plan.is_empty() {
            Ok(current_plan)
        } else {
            Plan::parse(&choice.plan, &choice.term)
        };
        let method_id = choice.method_id().unwrap_or(o.payment_method_id);
        let method = view.methods.iter().find(|m| m.id == method_id);
        let current_quote = view.current_quote(now);
        let describe = |m: &crate::db::payment_methods::PaymentMethod| ctx.method_label(m);
        let current_method = view
            .current_method
            .as_ref()
            .map(describe)
            .unwrap_or_default();
        let new_method = method.map(describe).unwrap_or_default();
        let (new_quote, choice_error) = match (plan, method) {
            (Err(e), _) => (None, Some(plan_error_text(&ctx, e))),
            (_, None) => (None, Some(ctx.t("checkout.error.method"))),
            (Ok(p), Some(m)) => match view.quote_for(p, Some(m), settings, now) {
                Ok(q) => (Some(q), None),
                Err(e) => (None, Some(plan_error_text(&ctx, e))),
            },
        };
        let kind = match (&plan, method) {
            (Ok(p), Some(m)) if *p == current_plan && m.id == o.payment_method_id => "unchanged",
            (Ok(p), Some(_)) if *p == current_plan => "method_only",
            (Ok(_), Some(_)) => "new_contract",
            _ => "invalid",
        };
        let changes = match (&current_quote, &new_quote) {
            (Some(c), Some(n)) => differences(c, n)
                .iter()
                .map(|d| ctx.t(&format!("change.diff.{}", d.as_str())))
                .collect(),
            _ => Vec::new(),
        };
        let rows = quote_rows(
            &ctx,
            current_quote.as_ref(),
            new_quote.as_ref(),
            &current_method,
            &new_method,
        );
        let chosen = plan.unwrap_or(current_plan);
        ChangePaymentPage {
            order_no: o.order_no.clone(),
            status: o.state().as_str(),
            status_label: ctx.status_label(o.state()),
            path: match view.path {
                ChangePath::SelfService => "self_service",
                ChangePath::ServiceRequest => "service_request",
                ChangePath::NothingToChange => "nothing_to_change",
            },
            total: Fen(o.total_fen),
            current_plan: plan_text(&ctx, o),
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
            methods: view
                .methods
                .iter()
                .enumerate()
                .map(|(i, m)| MethodOption::of(&ctx, m, i, Some(method_id)))
                .collect(),
            chosen_plan: chosen.kind().as_str().to_owned(),
            chosen_term: chosen.months().map(|m| m.to_string()).unwrap_or_default(),
            chosen_method: method_id.to_string(),
            rows,
            changes,
            kind,
            choice_error,
            ack_error: None,
            error: None,
            acknowledged: false,
            form_token: new_form_token(),
            ctx,
        }
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
    Ok(ChangePaymentPage::build(
        ctx,
        &view,
        &query,
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
    let now = state.clock.now();
    let order_no = path.into_inner();
    let detail = format!("/orders/{order_no}");
    let plan = Plan::parse(&form.plan, &form.term);
    let outcome = match (plan, form.method_id()) {
        (Ok(plan), Some(method)) => {
            let request = ChangeRequest {
                plan,
                method,
                acknowledged: form.acknowledge == "on",
                token: one_time_token(&form.form_token),
            };
            Some(
                svc::confirm(
                    &state.db,
                    &state.settings,
                    shopper.id,
                    order_no.clone(),
                    request,
                    now,
                )
                .await?,
            )
        }
        _ => None,
    };
    let refusal = match outcome {
        Some(Ok(ChangeOutcome::Unchanged)) => {
            set_flash(&session, FlashKind::Info, "change.flash.unchanged", "");
            return Ok(see_other(&detail));
        }
        Some(Ok(ChangeOutcome::MethodChanged)) => {
            set_flash(
                &session,
                FlashKind::Success,
                "change.flash.method_changed",
                "",
            );
            return Ok(see_other(&detail));
        }
        Some(Ok(ChangeOutcome::NewContract { checkout })) => {
            set_flash(
                &session,
                FlashKind::Success,
                "change.flash.new_contract",
                &order_no,
            );
            return Ok(see_other(&checkout));
        }
        Some(Ok(ChangeOutcome::AlreadyDone)) => {
            set_flash(&session, FlashKind::Info, "order.flash.already_done", "");
            return Ok(see_other(&detail));
        }
        Some(Err(r)) => Some(r),
        None => None,
    };
    let view = svc::load(&state.db, shopper.id, order_no, now).await?;
    let mut page = ChangePaymentPage::build(ctx, &view, &form, &state.config, &state.settings, now);
    page.acknowledged = form.acknowledge == "on";
    let status = match refusal {
        None => {
            page.choice_error = Some(match plan {
                Err(e) => plan_error_text(&page.ctx, e),
                Ok(_) => page.ctx.t("checkout.error.method"),
            });
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(ChangeRefusal::NotAcknowledged) => {
            page.ack_error = Some(page.ctx.t("change.error.acknowledge"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(ChangeRefusal::MethodNotFound) => {
            page.choice_error = Some(page.ctx.t("checkout.error.method"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(ChangeRefusal::Plan(e)) => {
            page.choice_error = Some(plan_error_text(&page.ctx, e));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(ChangeRefusal::NotAllowed(_)) => {
            page.error = Some(page.ctx.t("change.error.not_allowed"));
            StatusCode::CONFLICT
        }
    };
    render(page, status)
}
