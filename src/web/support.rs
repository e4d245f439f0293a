//! Service requests: `/support`, `/support/new?order=`, `/support/{ticket_no}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::accounts::render;
use super::checkout::MethodOption;
use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::orders::{new_form_token, one_time_token, plan_text};
use super::{State, see_other};
use crate::db::ids::PaymentMethodId;
use crate::domain::Fen;
use crate::domain::payment_change::{ChangePath, decide};
use crate::error::AppError;
use crate::service::support::{self as svc, MESSAGE_MAX, NewRequest, RequestForm, SupportError};

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

pub async fn list_tickets(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
) -> Result<TicketsPage, AppError> {
    let tickets = svc::list(&state.db, shopper.id)
        .await?
        .into_iter()
        .map(|v| TicketRow {
            status_label: ctx.t(&format!("ticket.status.{}", v.ticket.status)),
            created: ctx.time(&v.ticket.created_at),
            wanted: v.wanted.map(|m| m.describe()).unwrap_or_default(),
            ticket_no: v.ticket.ticket_no,
            order_no: v.order.order_no,
            status: v.ticket.status,
        })
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
        let selected = form
            .payment_method_id
            .parse::<i32>()
            .ok()
            .map(PaymentMethodId);
        let path = match data
            .order
            .as_ref()
            .map(|o| decide(o.state(), o.pay_deadline, now))
        {
            Some(ChangePath::SelfService) => "self_service",
            Some(ChangePath::NothingToChange) => "nothing_to_change",
            _ => "service_request",
        };
        NewTicketPage {
            order_no: form.order_no.clone(),
            order_found: data.order.is_some(),
            order_status: data
                .order
                .as_ref()
                .map(|o| ctx.status_label(o.state()))
                .unwrap_or_default(),
            order_plan: data
                .order
                .as_ref()
                .map(|o| plan_text(&ctx, o))
                .unwrap_or_default(),
            order_total: Fen(data.order.as_ref().map_or(0, |o| o.total_fen)),
            order_items: data
                .items
                .iter()
                .map(|i| format!("{} × {}", ctx.pick(&i.name_zh, &i.name_en), i.quantity))
                .collect(),
            path,
            methods: data
                .methods
                .iter()
                .enumerate()
                .map(|(i, m)| MethodOption::of(&ctx, m, i, selected))
                .collect(),
            message: form.message.clone(),
            message_max: MESSAGE_MAX,
            hotline: state.config.hotline.clone(),
            service_hours: state.config.service_hours.clone(),
            form_token: if form.form_token.is_empty() {
                new_form_token()
            } else {
                form.form_token.clone()
            },
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

pub async fn new_ticket(
    ctx: PageCtx,
    session: actix_session::Session,
    shopper: CurrentShopper,
    state: State,
    CsrfForm(form): CsrfForm<TicketForm>,
) -> Result<HttpResponse, AppError> {
    let request = NewRequest {
        order_no: form.order_no.trim().to_owned(),
        method: form
            .payment_method_id
            .trim()
            .parse::<i32>()
            .ok()
            .map(PaymentMethodId),
        message: form.message.clone(),
        password: form.password.clone(),
        token: one_time_token(&form.form_token),
    };
    match svc::open(&state.db, shopper.id, request, state.clock.now()).await? {
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
            let mut page = NewTicketPage::build(ctx, &data, &form, &state);
            let mut status = StatusCode::UNPROCESSABLE_ENTITY;
            for e in errors {
                match e {
                    SupportError::UnknownOrder => {
                        page.order_error = Some(page.ctx.t("ticket.error.order"))
                    }
                    SupportError::NotEligible(ChangePath::SelfService) => {
                        page.order_error = Some(page.ctx.t("ticket.error.self_service"))
                    }
                    SupportError::NotEligible(_) => {
                        page.order_error = Some(page.ctx.t("ticket.error.nothing"))
                    }
                    SupportError::MethodNotFound => {
                        page.method_error = Some(page.ctx.t("ticket.error.method"))
                    }
                    SupportError::Message => {
                        page.message_error = Some(
                            page.ctx
                                .tv("ticket.error.message", &MESSAGE_MAX.to_string()),
                        )
                    }
                    SupportError::Password => {
                        page.password_error = Some(page.ctx.t("ticket.error.password"));
                        status = StatusCode::UNAUTHORIZED;
                    }
                    SupportError::Throttled { minutes } => {
                        page.password_error =
                            Some(page.ctx.tv("login.error.throttled", &minutes.to_string()));
                        status = StatusCode::TOO_MANY_REQUESTS;
                    }
                }
            }
            render(page, status)
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
        status_label: ctx.t(&format!("ticket.status.{}", v.ticket.status)),
        created: ctx.time(&v.ticket.created_at),
        resolved: v
            .ticket
            .resolved_at
            .as_ref()
            .map(|t| ctx.time(t))
            .unwrap_or_default(),
        wanted: v.wanted.map(|m| ctx.method_label(&m)).unwrap_or_default(),
        ticket_no: v.ticket.ticket_no,
        status: v.ticket.status,
        order_no: v.order.order_no,
        message: v.ticket.message,
        reply: v.ticket.reply.unwrap_or_default(),
        hotline: state.config.hotline.clone(),
        ctx,
    })
}
