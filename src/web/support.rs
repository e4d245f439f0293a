//! Service requests: `/support`, `/support/new?order=`, `/support/{ticket_no}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::forms::{MethodOption, Refuses, keep_or_new_token, method_id, render_refused};
use super::{State, see_other};
use crate::domain::Fen;
use crate::domain::payment_change::ChangePath;
use crate::domain::support::Ticket;
use crate::error::AppError;
use crate::service::support::{
    self as svc, MESSAGE_MAX, NewRequest, RequestForm, SupportError, TicketView,
};
use crate::service::tokens::parse_token;

pub struct TicketRow {
    pub ticket_no: String,
    pub order_no: String,
    pub status: String,
    pub status_label: String,
    pub created: String,
    pub wanted: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "support/list.html")]
pub struct TicketsPage {
    pub ctx: PageCtx,
    pub tickets: Vec<TicketRow>,
    pub hotline: String,
    pub service_hours: String,
}

/// `已受理` / `Resolved`.
pub fn ticket_status_label(ctx: &PageCtx, ticket: &Ticket) -> String {
    ctx.text(&format!("ticket.status.{}", ticket.status.as_str()))
}

impl TicketRow {
    /// One line of a ticket list (the shopper's and the staff console's).
    pub fn of(ctx: &PageCtx, v: TicketView) -> TicketRow {
        TicketRow {
            status_label: ticket_status_label(ctx, &v.ticket),
            created: ctx.time(&v.ticket.created_at),
            wanted: v.wanted.map(|m| m.describe()).unwrap_or_default(),
            ticket_no: v.ticket.ticket_no,
            order_no: v.order.order_no,
            status: v.ticket.status.as_str().to_owned(),
        }
    }
}

pub async fn list_tickets(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
) -> Result<TicketsPage, AppError> {
    let tickets = svc::list(&state.db, shopper.id)
        .await?
        .into_iter()
        .map(|v| TicketRow::of(&ctx, v))
        .collect();
    Ok(TicketsPage {
        ctx,
        tickets,
        hotline: state.config.hotline.clone(),
        service_hours: state.config.service_hours.clone(),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TicketForm {
    #[serde(default)]
    order_no: String,
    #[serde(default)]
    payment_method_id: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    form_token: String,
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    order: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "support/new.html")]
pub struct NewTicketPage {
    pub ctx: PageCtx,
    pub order_no: String,
    pub order_found: bool,
    pub order_status: String,
    pub order_plan: String,
    pub order_total: Fen,
    pub order_items: Vec<String>,
    /// `service_request`, `self_service` or `nothing_to_change`.
    pub path: &'static str,
    pub methods: Vec<MethodOption>,
    pub message: String,
    pub message_max: usize,
    pub hotline: String,
    pub service_hours: String,
    pub form_token: String,
    pub order_error: Option<String>,
    pub method_error: Option<String>,
    pub message_error: Option<String>,
    pub password_error: Option<String>,
}

impl NewTicketPage {
    fn build(ctx: PageCtx, data: &RequestForm, form: &TicketForm, state: &State) -> NewTicketPage {
        let now = state.clock.now();
        let selected = method_id(&form.payment_method_id);
        let path = data
            .order
            .as_ref()
            .map_or(ChangePath::ServiceRequest, |o| o.actions(now).change);
        NewTicketPage {
            order_no: form.order_no.clone(),
            order_found: data.order.is_some(),
            order_status: data
                .order
                .as_ref()
                .map(|o| ctx.status_label(o.status))
                .unwrap_or_default(),
            order_plan: data
                .order
                .as_ref()
                .map(|o| ctx.plan_label(o.plan))
                .unwrap_or_default(),
            order_total: data.order.as_ref().map_or(Fen::ZERO, |o| o.total_fen),
            order_items: data
                .items
                .iter()
                .map(|i| format!("{} × {}", ctx.pick(&i.name_zh, &i.name_en), i.quantity))
                .collect(),
            path: path.as_str(),
            methods: MethodOption::list(&ctx, &data.methods, selected),
            message: form.message.clone(),
            message_max: MESSAGE_MAX,
            hotline: state.config.hotline.clone(),
            service_hours: state.config.service_hours.clone(),
            form_token: keep_or_new_token(&form.form_token),
            order_error: None,
            method_error: None,
            message_error: None,
            password_error: None,
            ctx,
        }
    }
}

pub async fn new_ticket_form(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    query: web::Query<NewQuery>,
) -> Result<NewTicketPage, AppError> {
    let form = TicketForm {
        order_no: query.order.trim().to_owned(),
        ..TicketForm::default()
    };
    let data = svc::form(&state.db, shopper.id, form.order_no.clone()).await?;
    Ok(NewTicketPage::build(ctx, &data, &form, &state))
}

impl Refuses<Vec<SupportError>> for NewTicketPage {
    fn refuse(&mut self, errors: Vec<SupportError>) -> StatusCode {
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        let ctx = &self.ctx;
        for e in errors {
            match e {
                SupportError::UnknownOrder => {
                    self.order_error = Some(ctx.text("ticket.error.order"))
                }
                SupportError::NotEligible(ChangePath::SelfService) => {
                    self.order_error = Some(ctx.text("ticket.error.self_service"));
                }
                SupportError::NotEligible(_) => {
                    self.order_error = Some(ctx.text("ticket.error.nothing"));
                }
                SupportError::MethodNotFound => {
                    self.method_error = Some(ctx.text("ticket.error.method"));
                }
                SupportError::Message => {
                    let max = MESSAGE_MAX.to_string();
                    self.message_error = Some(ctx.tv("ticket.error.message", &max));
                }
                SupportError::Password => {
                    self.password_error = Some(ctx.text("ticket.error.password"));
                    status = StatusCode::UNAUTHORIZED;
                }
                SupportError::Throttled { minutes } => {
                    let minutes = minutes.to_string();
                    self.password_error = Some(ctx.tv("login.error.throttled", &minutes));
                    status = StatusCode::TOO_MANY_REQUESTS;
                }
            }
        }
        status
    }
}

impl TicketForm {
    fn request(&self) -> NewRequest {
        NewRequest {
            order_no: self.order_no.trim().to_owned(),
            method: method_id(&self.payment_method_id),
            message: self.message.clone(),
            password: self.password.clone(),
            token: parse_token(&self.form_token),
        }
    }
}

pub async fn new_ticket(
    ctx: PageCtx,
    session: actix_session::Session,
    shopper: CurrentShopper,
    state: State,
    CsrfForm(form): CsrfForm<TicketForm>,
) -> Result<HttpResponse, AppError> {
    match svc::open(
        &state.db,
        &state.hasher,
        shopper.id,
        form.request(),
        state.clock.now(),
    )
    .await?
    {
        Ok(ticket_no) => {
            set_flash(
                &session,
                FlashKind::Success,
                "ticket.flash.opened",
                &ticket_no,
            );
            Ok(see_other(&format!("/support/{ticket_no}")))
        }
        Err(errors) => {
            let data = svc::form(&state.db, shopper.id, form.order_no.trim().to_owned()).await?;
            let page = NewTicketPage::build(ctx, &data, &form, &state);
            render_refused(page, errors)
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "support/show.html")]
pub struct TicketPage {
    pub ctx: PageCtx,
    pub ticket_no: String,
    pub status: String,
    pub status_label: String,
    pub order_no: String,
    pub wanted: String,
    pub message: String,
    pub reply: String,
    pub created: String,
    pub resolved: String,
    pub hotline: String,
}

pub async fn show_ticket(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
) -> Result<TicketPage, AppError> {
    let v = svc::show(&state.db, shopper.id, path.into_inner()).await?;
    Ok(TicketPage {
        status_label: ticket_status_label(&ctx, &v.ticket),
        created: ctx.time(&v.ticket.created_at),
        resolved: v
            .ticket
            .resolved_at
            .as_ref()
            .map(|t| ctx.time(t))
            .unwrap_or_default(),
        wanted: v.wanted.map(|m| ctx.method_label(&m)).unwrap_or_default(),
        ticket_no: v.ticket.ticket_no,
        status: v.ticket.status.as_str().to_owned(),
        order_no: v.order.order_no,
        message: v.ticket.message,
        reply: v.ticket.reply.unwrap_or_default(),
        hotline: state.config.hotline.clone(),
        ctx,
    })
}
