//! `/account/messages`: the in-app inbox of reminders and notices.

use actix_web::HttpResponse;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::PageCtx;
use super::extract::{CsrfForm, CurrentShopper};
use super::{State, see_other};
use crate::domain::Fen;
use crate::domain::message::{Message, MessageKind};
use crate::error::AppError;
use crate::service::messages as svc;

pub struct MessageRow {
    pub kind: &'static str,
    pub text: String,
    pub due: String,
    pub amount: Fen,
    pub method: String,
    pub order_no_link: String,
    pub unread: bool,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/messages.html")]
pub struct MessagesPage {
    pub ctx: PageCtx,
    pub messages: Vec<MessageRow>,
    pub unread: usize,
}

fn row(ctx: &PageCtx, m: &Message, order_no: &str) -> MessageRow {
    let text = match (m.kind, &m.reason) {
        (MessageKind::Declined, Some(r)) => {
            ctx.tv("message.declined", &ctx.text(&format!("decline.{r}")))
        }
        (kind, _) => ctx.text(&format!("message.{}", kind.as_str())),
    };
    MessageRow {
        kind: m.kind.as_str(),
        text,
        due: m.due_on.to_string(),
        amount: m.amount_fen,
        method: m.method.clone(),
        order_no_link: format!("/orders/{order_no}#repayment-method"),
        unread: m.read_at.is_none(),
        at: ctx.time(&m.created_at),
    }
}

/// Reading the inbox writes nothing; "mark all read" is its own POST.
pub async fn inbox(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
) -> Result<MessagesPage, AppError> {
    let messages = svc::list(&state.db, shopper.id).await?;
    Ok(MessagesPage {
        unread: messages.iter().filter(|(m, _)| m.read_at.is_none()).count(),
        messages: messages.iter().map(|(m, no)| row(&ctx, m, no)).collect(),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn mark_read(
    shopper: CurrentShopper,
    state: State,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    svc::mark_all_read(&state.db, shopper.id, state.clock.now()).await?;
    Ok(see_other("/account/messages"))
}
