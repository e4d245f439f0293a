//! Staff console: `/staff` lists service requests, `/staff/tickets/{no}`
//! shows one and resolves it (switch the repayment method, or decline).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, StaffAgent};
use super::forms::{Refuses, render_refused};
use super::support::{TicketRow, ticket_status_label};
use super::{State, see_other};
use crate::domain::Fen;
use crate::error::AppError;
use crate::service::staff::{self as svc, Outcome, REPLY_MAX, ResolveError, StaffTicket};

#[derive(Template, WebTemplate)]
#[template(path = "staff/index.html")]
pub struct StaffPage {
    pub ctx: PageCtx,
    pub tickets: Vec<TicketRow>,
}

pub async fn staff_home(
    ctx: PageCtx,
    _agent: StaffAgent,
    state: State,
) -> Result<StaffPage, AppError> {
    let tickets = svc::list(&state.db)
        .await?
        .into_iter()
        .map(|v| TicketRow::of(&ctx, v))
        .collect();
    Ok(StaffPage { ctx, tickets })
}

pub struct InstalmentLine {
    pub seq: i32,
    pub due: String,
    pub amount: Fen,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/ticket.html")]
pub struct StaffTicketPage {
    pub ctx: PageCtx,
    pub ticket_no: String,
    pub status: String,
    pub status_label: String,
    pub account: String,
    pub order_no: String,
    pub order_status: String,
    pub plan: String,
    pub total: Fen,
    pub current_repayment: String,
    pub wanted: String,
    pub message: String,
    pub reply: String,
    pub instalments: Vec<InstalmentLine>,
    pub can_switch: bool,
    pub can_refund: bool,
    pub reply_max: usize,
    pub error: Option<String>,
}

impl StaffTicketPage {
    fn build(ctx: PageCtx, t: &StaffTicket) -> StaffTicketPage {
        let v = &t.view;
        StaffTicketPage {
            ticket_no: v.ticket.ticket_no.clone(),
            status: v.ticket.status.as_str().to_owned(),
            status_label: ticket_status_label(&ctx, &v.ticket),
            account: t.account.clone(),
            order_no: v.order.order_no.clone(),
            order_status: ctx.status_label(v.order.status),
            plan: ctx.plan_label(v.order.plan),
            total: v.order.total_fen,
            current_repayment: t
                .current_repayment
                .as_ref()
                .map(|m| m.describe())
                .unwrap_or_default(),
            wanted: v.wanted.as_ref().map(|m| m.describe()).unwrap_or_default(),
            message: v.ticket.message.clone(),
            reply: v.ticket.reply.clone().unwrap_or_default(),
            instalments: t
                .instalments
                .iter()
                .map(|i| InstalmentLine {
                    seq: i.seq,
                    due: i.due_on.to_string(),
                    amount: i.amount(),
                    status: ctx.text(&format!("instalment.{}", i.status.as_str())),
                })
                .collect(),
            can_switch: t.can_switch(),
            can_refund: t.can_refund(),
            reply_max: REPLY_MAX,
            error: None,
            ctx,
        }
    }
}

pub async fn show_staff_ticket(
    ctx: PageCtx,
    _agent: StaffAgent,
    state: State,
    path: web::Path<String>,
) -> Result<StaffTicketPage, AppError> {
    let t = svc::show(&state.db, path.into_inner()).await?;
    Ok(StaffTicketPage::build(ctx, &t))
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reply: String,
}

/// An unknown outcome, or the service's refusal.
pub enum Problem {
    Outcome,
    Refused(ResolveError),
}

impl Refuses<Problem> for StaffTicketPage {
    fn refuse(&mut self, problem: Problem) -> StatusCode {
        let (key, status) = match problem {
            Problem::Outcome | Problem::Refused(ResolveError::AlreadyHandled) => {
                ("staff.error.outcome", StatusCode::UNPROCESSABLE_ENTITY)
            }
            Problem::Refused(ResolveError::ReplyNeeded) => {
                ("staff.error.reply", StatusCode::UNPROCESSABLE_ENTITY)
            }
            Problem::Refused(ResolveError::ReplyTooLong) => {
                ("staff.error.reply_long", StatusCode::UNPROCESSABLE_ENTITY)
            }
            Problem::Refused(ResolveError::NothingToSwitch) => {
                ("staff.error.nothing_to_switch", StatusCode::CONFLICT)
            }
            Problem::Refused(ResolveError::NotRefundable) => {
                ("staff.error.not_refundable", StatusCode::CONFLICT)
            }
            Problem::Refused(ResolveError::PaymentInProgress) => {
                ("order.flash.in_progress", StatusCode::CONFLICT)
            }
            Problem::Refused(ResolveError::MethodGone) => {
                ("staff.error.method_gone", StatusCode::CONFLICT)
            }
            Problem::Refused(ResolveError::MethodExpires { last_due }) => {
                let text = self
                    .ctx
                    .tv("staff.error.method_expires", &last_due.to_string());
                self.error = Some(text);
                return StatusCode::CONFLICT;
            }
        };
        self.error = Some(self.ctx.tv(key, &REPLY_MAX.to_string()));
        status
    }
}

pub async fn resolve_ticket(
    ctx: PageCtx,
    session: Session,
    agent: StaffAgent,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> Result<HttpResponse, AppError> {
    let ticket_no = path.into_inner();
    let here = format!("/staff/tickets/{ticket_no}");
    let (now, reply) = (state.clock.now(), form.reply.clone());
    let resolved = match Outcome::parse(&form.outcome) {
        None => Err(Problem::Outcome),
        Some(outcome) => svc::resolve(
            &state.db,
            &state.gateway,
            agent.id,
            ticket_no.clone(),
            outcome,
            reply,
            now,
        )
        .await?
        .map_err(Problem::Refused),
    };
    match resolved {
        Ok(()) => {
            set_flash(
                &session,
                FlashKind::Success,
                "staff.flash.handled",
                &ticket_no,
            );
            Ok(see_other(&here))
        }
        Err(Problem::Refused(ResolveError::AlreadyHandled)) => {
            set_flash(&session, FlashKind::Info, "staff.flash.already_handled", "");
            Ok(see_other(&here))
        }
        Err(problem) => {
            let mut page = StaffTicketPage::build(ctx, &svc::show(&state.db, ticket_no).await?);
            page.reply = form.reply;
            render_refused(page, problem)
        }
    }
}
