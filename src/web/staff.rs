//! Staff console: `/staff` lists service requests, `/staff/tickets/{no}`
//! shows one and resolves it (switch the repayment method, or decline).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::accounts::render;
use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, StaffAgent};
use super::orders::plan_text;
use super::{State, see_other};
use crate::domain::Fen;
use crate::error::AppError;
use crate::service::staff::{self as svc, Outcome, REPLY_MAX, ResolveError, StaffTicket};

pub struct StaffRow {
    pub ticket_no: String,
    pub status: String,
    pub status_label: String,
    pub order_no: String,
    pub created: String,
    pub wanted: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/index.html")]
pub struct StaffPage {
    pub ctx: PageCtx,
    pub tickets: Vec<StaffRow>,
}

pub async fn staff_home(
    ctx: PageCtx,
    _agent: StaffAgent,
    state: State,
) -> Result<StaffPage, AppError> {
    let tickets = svc::list(&state.db)
        .await?
        .into_iter()
        .map(|v| StaffRow {
            status_label: ctx.t(&format!("ticket.status.{}", v.ticket.status)),
            created: ctx.time(&v.ticket.created_at),
            wanted: v.wanted.map(|m| m.describe()).unwrap_or_default(),
            ticket_no: v.ticket.ticket_no,
            status: v.ticket.status,
            order_no: v.order.order_no,
        })
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
    pub reply_max: usize,
    pub error: Option<String>,
}

impl StaffTicketPage {
    fn build(ctx: PageCtx, t: &StaffTicket) -> StaffTicketPage {
        let v = &t.view;
        StaffTicketPage {
            ticket_no: v.ticket.ticket_no.clone(),
            status: v.ticket.status.clone(),
            status_label: ctx.t(&format!("ticket.status.{}", v.ticket.status)),
            account: t.account.clone(),
            order_no: v.order.order_no.clone(),
            order_status: ctx.status_label(v.order.state()),
            plan: plan_text(&ctx, &v.order),
            total: Fen(v.order.total_fen),
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
                    amount: Fen(i.principal_fen + i.fee_fen),
                    status: ctx.t(&format!("instalment.{}", i.status)),
                })
                .collect(),
            can_switch: t.instalments.iter().any(|i| i.status != "paid"),
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
    let error = match Outcome::parse(&form.outcome) {
        None => Some(("staff.error.outcome", StatusCode::UNPROCESSABLE_ENTITY)),
        Some(outcome) => {
            match svc::resolve(
                &state.db,
                agent.id,
                ticket_no.clone(),
                outcome,
                form.reply.clone(),
                state.clock.now(),
            )
            .await?
            {
                Ok(()) => {
                    set_flash(
                        &session,
                        FlashKind::Success,
                        "staff.flash.handled",
                        &ticket_no,
                    );
                    return Ok(see_other(&here));
                }
                Err(ResolveError::AlreadyHandled) => {
                    set_flash(&session, FlashKind::Info, "staff.flash.already_handled", "");
                    return Ok(see_other(&here));
                }
                Err(ResolveError::ReplyNeeded) => {
                    Some(("staff.error.reply", StatusCode::UNPROCESSABLE_ENTITY))
                }
                Err(ResolveError::ReplyTooLong) => {
                    Some(("staff.error.reply_long", StatusCode::UNPROCESSABLE_ENTITY))
                }
                Err(ResolveError::NothingToSwitch) => {
                    Some(("staff.error.nothing_to_switch", StatusCode::CONFLICT))
                }
                Err(ResolveError::MethodGone) => {
                    Some(("staff.error.method_gone", StatusCode::CONFLICT))
                }
            }
        }
    };
    let t = svc::show(&state.db, ticket_no).await?;
    let mut page = StaffTicketPage::build(ctx, &t);
    page.reply = form.reply;
    let (key, status) = error.unwrap_or(("staff.error.outcome", StatusCode::UNPROCESSABLE_ENTITY));
    page.error = Some(page.ctx.tv(key, &REPLY_MAX.to_string()));
    render(page, status)
}
