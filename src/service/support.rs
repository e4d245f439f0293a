//! Service requests (SPEC rule 3): a paid order's payment cannot be changed by
//! the shopper, so they ask an agent, confirming their identity with their
//! password. Each request gets a ticket number and a status to follow.

use chrono::NaiveDateTime;
use rand::Rng;

use super::accounts::{LOCK_FOR, MAX_FAILURES, confirm_password};
use super::hashing::Hasher;
use super::orders::{find_owned, owned_order};
use super::timeline::{self, Actor, Entry};
use crate::clock::local_datetime;
use crate::db::orders;
use crate::db::payment_methods as pm;
use crate::db::tickets::{self, NewTicket};
use crate::db::{Conn, Db, users};
use crate::domain::ids::{PaymentMethodId, UserId};
use crate::domain::method::PaymentMethod;
use crate::domain::order::{Order, OrderItem};
use crate::domain::payment_change::ChangePath;
use crate::domain::support::{Ticket, TicketStatus, format_ticket_no};
use crate::domain::timeline::EventKind;
use crate::error::AppError;

pub const MESSAGE_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportError {
    /// No such order of this shopper.
    UnknownOrder,
    /// The order may be changed by the shopper (or has nothing to change).
    NotEligible(ChangePath),
    MethodNotFound,
    Message,
    Password,
    Throttled {
        minutes: i64,
    },
}

pub struct NewRequest {
    pub order_no: String,
    pub method: Option<PaymentMethodId>,
    pub message: String,
    pub password: String,
    pub token: Option<String>,
}

/// What the request form shows.
pub struct RequestForm {
    pub order: Option<Order>,
    pub items: Vec<OrderItem>,
    pub methods: Vec<PaymentMethod>,
}

pub async fn form(db: &Db, user: UserId, order_no: String) -> Result<RequestForm, AppError> {
    db.read(move |conn| {
        let order = find_owned(conn, user, &order_no)?;
        let items = match &order {
            Some(o) => orders::list_items(conn, o.id)?,
            None => Vec::new(),
        };
        Ok(RequestForm {
            order,
            items,
            methods: pm::list_methods(conn, user)?,
        })
    })
    .await
}

fn throttle_key(user: UserId) -> String {
    format!("support:{user}")
}

/// Opens a request; a repeated submit (same token) lands on the first ticket.
pub async fn open(
    db: &Db,
    hasher: &Hasher,
    user: UserId,
    request: NewRequest,
    now: NaiveDateTime,
) -> Result<Result<String, Vec<SupportError>>, AppError> {
    let key = throttle_key(user);
    let token = request.token.clone();
    let (existing, throttle) = db
        .read(move |conn| {
            let existing = match token.as_deref() {
                Some(t) => tickets::find_ticket_by_token(conn, user, t)?,
                None => None,
            };
            Ok((existing, users::find_throttle(conn, &key)?))
        })
        .await?;
    if let Some(ticket) = existing {
        return Ok(Ok(ticket.ticket_no));
    }
    if let Some(until) = throttle.and_then(|t| t.locked_until)
        && until > now
    {
        return Ok(Err(vec![SupportError::Throttled {
            minutes: ((until - now).num_seconds() + 59) / 60,
        }]));
    }

    let mut errors = Vec::new();
    let message = request.message.trim().to_owned();
    if message.is_empty() || message.chars().count() > MESSAGE_MAX {
        errors.push(SupportError::Message);
    }
    if !confirm_password(db, hasher, user, &request.password).await? {
        let key = throttle_key(user);
        let failures = db
            .write(move |conn| {
                let failures = users::find_throttle(conn, &key)?.map_or(0, |t| t.failures) + 1;
                users::save_throttle(
                    conn,
                    &key,
                    failures,
                    (failures >= MAX_FAILURES).then(|| now + LOCK_FOR),
                )?;
                Ok(failures)
            })
            .await?;
        errors.push(if failures >= MAX_FAILURES {
            SupportError::Throttled {
                minutes: LOCK_FOR.num_minutes(),
            }
        } else {
            SupportError::Password
        });
    }

    db.write(move |conn| file_request(conn, user, &request, &message, errors, now))
        .await
}

/// Files the request inside the caller's transaction, after the identity
/// checks (whose `errors` come in): a repeated token lands on its ticket; the
/// order must be the shopper's and one for a service request (rule 3), the
/// wanted method theirs. Writes the ticket and the order's timeline.
pub fn file_request(
    conn: &mut Conn,
    user: UserId,
    request: &NewRequest,
    message: &str,
    mut errors: Vec<SupportError>,
    now: NaiveDateTime,
) -> Result<Result<String, Vec<SupportError>>, AppError> {
    if let Some(t) = request.token.as_deref()
        && let Some(ticket) = tickets::find_ticket_by_token(conn, user, t)?
    {
        return Ok(Ok(ticket.ticket_no));
    }
    let order = find_owned(conn, user, &request.order_no)?;
    match &order {
        None => errors.push(SupportError::UnknownOrder),
        Some(o) if !o.actions(now).request => {
            errors.push(SupportError::NotEligible(o.actions(now).change));
        }
        Some(_) => {}
    }
    let method = match request.method {
        Some(id) => pm::find_method_for_owner(conn, user, id)?,
        None => None,
    };
    if method.is_none() {
        errors.push(SupportError::MethodNotFound);
    }
    let (Some(order), Some(method), true) = (order, method, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    users::clear_throttle(conn, &throttle_key(user))?;
    let ticket_no = new_ticket_no(conn, now)?;
    tickets::insert_ticket(
        conn,
        &NewTicket {
            ticket_no: &ticket_no,
            user_id: user,
            order_id: order.id,
            wanted_method_id: method.id,
            message,
            status: TicketStatus::Open,
            submit_token: request.token.as_deref(),
            created_at: now,
        },
    )?;
    timeline::record(
        conn,
        order.id,
        now,
        Actor::Shopper,
        Entry::new(EventKind::ServiceRequestOpened)
            .to(&ticket_no)
            .note(&method.describe()),
    )?;
    tracing::info!(%ticket_no, order_no = %order.order_no, "service request opened");
    Ok(Ok(ticket_no))
}

/// Ticket numbers: `S` + date + 10 random digits; unique by index.
fn new_ticket_no(conn: &mut Conn, now: NaiveDateTime) -> Result<String, AppError> {
    for _ in 0..8 {
        let no = format_ticket_no(local_datetime(now), rand::rng().random::<u64>());
        if tickets::find_ticket_by_no(conn, &no)?.is_none() {
            return Ok(no);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "could not draw a free ticket number"
    )))
}

pub struct TicketView {
    pub ticket: Ticket,
    pub order: Order,
    pub wanted: Option<PaymentMethod>,
}

/// A ticket with its order and wanted method.
pub fn ticket_view(conn: &mut Conn, ticket: Ticket) -> Result<TicketView, AppError> {
    let order = orders::find_order(conn, ticket.order_id)?.ok_or(AppError::NotFound)?;
    let wanted = pm::find_method(conn, ticket.wanted_method_id)?;
    Ok(TicketView {
        ticket,
        order,
        wanted,
    })
}

pub async fn list(db: &Db, user: UserId) -> Result<Vec<TicketView>, AppError> {
    db.read(move |conn| {
        tickets::list_tickets_for_owner(conn, user)?
            .into_iter()
            .map(|t| ticket_view(conn, t))
            .collect()
    })
    .await
}

pub async fn show(db: &Db, user: UserId, ticket_no: String) -> Result<TicketView, AppError> {
    db.read(move |conn| {
        let ticket =
            tickets::find_ticket_for_owner(conn, user, &ticket_no)?.ok_or(AppError::NotFound)?;
        let order = orders::find_order(conn, ticket.order_id)?.ok_or(AppError::NotFound)?;
        let wanted = pm::find_method(conn, ticket.wanted_method_id)?;
        Ok(TicketView {
            ticket,
            order,
            wanted,
        })
    })
    .await
}

/// The owner's order for the "new request" page, or `NotFound`.
pub async fn order_for_request(db: &Db, user: UserId, order_no: String) -> Result<Order, AppError> {
    db.read(move |conn| owned_order(conn, user, &order_no))
        .await
}
