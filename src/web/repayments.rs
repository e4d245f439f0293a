//! `/repayments`: the repayment center (SPEC "Repayment center").

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash, set_flash_keyed};
use super::extract::{CsrfForm, CurrentShopper};
use super::forms::{MethodOption, Refuses, keep_or_new_token, method_id, render_refused, ticked};
use super::rich::fen_token;
use super::{State, see_other};
use crate::domain::Fen;
use crate::domain::order::InstalmentStatus;
use crate::domain::repayment::{Scope, Settlement};
use crate::error::AppError;
use crate::service::repayments::{
    self as svc, Due, RepayOutcome, RepayRefusal, RepayRequest, RepayView,
};
use crate::service::tokens::parse_token;

pub struct DueRow {
    pub order_no: String,
    pub seq: i32,
    pub due: String,
    pub amount: Fen,
    pub overdue: bool,
    pub method: String,
    pub status_label: String,
}

impl DueRow {
    fn of(ctx: &PageCtx, d: &Due) -> DueRow {
        let i = &d.instalment;
        DueRow {
            order_no: d.order_no.clone(),
            seq: i.seq,
            due: i.due_on.to_string(),
            amount: i.amount(),
            overdue: i.status == InstalmentStatus::Overdue,
            method: d
                .method
                .as_ref()
                .map(|m| ctx.method_label(m))
                .unwrap_or_default(),
            status_label: ctx.text(&format!("instalment.{}", i.status.as_str())),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "repayments/index.html")]
pub struct RepaymentsPage {
    pub ctx: PageCtx,
    pub plans: usize,
    pub dues: Vec<DueRow>,
    pub outstanding: Fen,
}

pub async fn repayment_center(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
) -> Result<RepaymentsPage, AppError> {
    let center = svc::center(&state.db, shopper.id).await?;
    Ok(RepaymentsPage {
        dues: center.dues.iter().map(|d| DueRow::of(&ctx, d)).collect(),
        plans: center.plans,
        outstanding: center.outstanding,
        ctx,
    })
}

#[derive(Deserialize, Default)]
pub struct RepayForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    payment_method_id: String,
    #[serde(default)]
    acknowledge: String,
    #[serde(default)]
    form_token: String,
    /// The first instalment the preview covered.
    #[serde(default)]
    first: String,
}

impl RepayForm {
    fn scope(&self) -> Scope {
        self.scope.parse().unwrap_or(Scope::Next)
    }
}

pub struct SettledRow {
    pub seq: i32,
    pub due: String,
    pub principal: Fen,
    pub fee: Fen,
    pub waived: Fen,
}

#[derive(Template, WebTemplate)]
#[template(path = "repayments/repay.html")]
pub struct RepayPage {
    pub ctx: PageCtx,
    pub order_no: String,
    pub scope: &'static str,
    pub lines: Vec<SettledRow>,
    pub principal: Fen,
    pub fees: Fen,
    pub waived: Fen,
    pub total: Fen,
    pub nothing: bool,
    pub first: i32,
    pub methods: Vec<MethodOption>,
    pub form_token: String,
    pub acknowledged: bool,
    pub ack_error: Option<String>,
    pub method_error: Option<String>,
    pub error: Option<String>,
}

impl RepayPage {
    fn build(ctx: PageCtx, view: &RepayView, form: &RepayForm) -> RepayPage {
        let chosen = method_id(&form.payment_method_id).or(view.payer.as_ref().map(|m| m.id));
        let s = view.settlement.as_ref();
        let fen = |f: fn(&Settlement) -> Fen| s.map_or(Fen::ZERO, f);
        RepayPage {
            order_no: view.order.order_no.clone(),
            scope: form.scope().as_str(),
            lines: s
                .map(|s| {
                    s.lines
                        .iter()
                        .map(|l| SettledRow {
                            seq: l.instalment.seq,
                            due: l.instalment.due_on.to_string(),
                            principal: l.instalment.principal_fen,
                            fee: l.fee_charged,
                            waived: l.fee_waived,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            principal: fen(|s| s.principal),
            fees: fen(|s| s.fees),
            waived: fen(|s| s.waived),
            total: fen(|s| s.total),
            nothing: s.is_none(),
            first: s
                .and_then(|s| s.lines.first())
                .map_or(0, |l| l.instalment.seq),
            methods: MethodOption::list(&ctx, &view.methods, chosen),
            form_token: keep_or_new_token(&form.form_token),
            acknowledged: ticked(&form.acknowledge),
            ack_error: None,
            method_error: None,
            error: None,
            ctx,
        }
    }
}

impl Refuses<RepayRefusal> for RepayPage {
    fn refuse(&mut self, refusal: RepayRefusal) -> StatusCode {
        match refusal {
            RepayRefusal::NotAcknowledged => {
                self.ack_error = Some(self.ctx.text("repay.error.acknowledge"));
            }
            RepayRefusal::MethodNotFound => {
                self.method_error = Some(self.ctx.text("checkout.error.method"));
            }
            RepayRefusal::NothingToRepay => {
                self.error = Some(self.ctx.text("repay.error.nothing"));
                return StatusCode::CONFLICT;
            }
            RepayRefusal::InProgress => {
                self.error = Some(self.ctx.text("order.flash.in_progress"));
                return StatusCode::CONFLICT;
            }
            RepayRefusal::Changed => {
                self.error = Some(self.ctx.text("repay.error.changed"));
                return StatusCode::CONFLICT;
            }
        }
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub async fn repay_form(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    query: web::Query<RepayForm>,
) -> Result<RepayPage, AppError> {
    let (now, form) = (state.clock.now(), query.into_inner());
    let view = svc::repay_view(&state.db, shopper.id, path.into_inner(), form.scope(), now).await?;
    Ok(RepayPage::build(ctx, &view, &form))
}

pub async fn repay(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<RepayForm>,
) -> Result<HttpResponse, AppError> {
    let (now, order_no) = (state.clock.now(), path.into_inner());
    let request = RepayRequest {
        scope: form.scope(),
        method: method_id(&form.payment_method_id),
        acknowledged: ticked(&form.acknowledge),
        token: parse_token(&form.form_token),
        previewed_first: form.first.trim().parse().ok(),
    };
    let gateway = state.gateway.clone();
    let no = order_no.clone();
    match svc::repay(&state.db, gateway, shopper.id, no, request, now).await? {
        Ok(outcome) => {
            match outcome {
                RepayOutcome::Repaid { total } => {
                    let amount = fen_token(total);
                    set_flash(&session, FlashKind::Success, "repay.flash.repaid", amount);
                }
                RepayOutcome::Declined { reason } => {
                    let reason = format!("decline.{reason}");
                    set_flash_keyed(&session, FlashKind::Error, "repay.flash.declined", &reason);
                }
                RepayOutcome::AlreadyDone => {
                    set_flash(&session, FlashKind::Info, "order.flash.already_done", "");
                }
            }
            Ok(see_other(&format!("/orders/{order_no}")))
        }
        Err(refusal) => {
            let view = svc::repay_view(&state.db, shopper.id, order_no, form.scope(), now).await?;
            render_refused(RepayPage::build(ctx, &view, &form), refusal)
        }
    }
}
