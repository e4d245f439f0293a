//! Service requests (工单). A shopper reads only their own tickets.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::service_tickets;
use super::types::record_row;
use super::{Conn, on_backend};
use crate::domain::ids::{OrderId, PaymentMethodId, TicketId, UserId};
use crate::domain::support::{Ticket, TicketStatus};

record_row!(TicketRow => Ticket, service_tickets {
    id: TicketId,
    ticket_no: String,
    user_id: UserId,
    order_id: OrderId,
    wanted_method_id: PaymentMethodId,
    message: String,
    status: TicketStatus,
    reply: Option<String>,
    created_at: NaiveDateTime,
    resolved_at: Option<NaiveDateTime>,
    resolved_by: Option<UserId>,
});

#[derive(Insertable)]
#[diesel(table_name = service_tickets)]
pub struct NewTicket<'a> {
    pub ticket_no: &'a str,
    pub user_id: UserId,
    pub order_id: OrderId,
    pub wanted_method_id: PaymentMethodId,
    pub message: &'a str,
    pub status: TicketStatus,
    pub submit_token: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

pub fn insert_ticket(conn: &mut Conn, new: &NewTicket<'_>) -> QueryResult<Ticket> {
    on_backend!(conn => {
        diesel::insert_into(service_tickets::table)
            .values(new)
            .returning(TicketRow::as_returning())
            .get_result(conn)
            .map(Ticket::from)
    })
}

pub fn find_ticket_for_owner(
    conn: &mut Conn,
    user: UserId,
    ticket_no: &str,
) -> QueryResult<Option<Ticket>> {
    on_backend!(conn => {
        service_tickets::table
            .filter(service_tickets::ticket_no.eq(ticket_no))
            .filter(service_tickets::user_id.eq(user))
            .select(TicketRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Ticket::from))
    })
}

pub fn find_ticket_by_no(conn: &mut Conn, ticket_no: &str) -> QueryResult<Option<Ticket>> {
    on_backend!(conn => {
        service_tickets::table
            .filter(service_tickets::ticket_no.eq(ticket_no))
            .select(TicketRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Ticket::from))
    })
}

pub fn find_ticket_by_token(
    conn: &mut Conn,
    user: UserId,
    token: &str,
) -> QueryResult<Option<Ticket>> {
    on_backend!(conn => {
        service_tickets::table
            .filter(service_tickets::submit_token.eq(token))
            .filter(service_tickets::user_id.eq(user))
            .select(TicketRow::as_select())
            .first(conn)
            .optional()
            .map(|row| row.map(Ticket::from))
    })
}

/// The owner's tickets, newest first.
pub fn list_tickets_for_owner(conn: &mut Conn, user: UserId) -> QueryResult<Vec<Ticket>> {
    on_backend!(conn => {
        service_tickets::table
            .filter(service_tickets::user_id.eq(user))
            .order((
                service_tickets::created_at.desc(),
                service_tickets::id.desc(),
            ))
            .select(TicketRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(Ticket::from).collect())
    })
}

pub fn list_tickets_for_order(conn: &mut Conn, order: OrderId) -> QueryResult<Vec<Ticket>> {
    on_backend!(conn => {
        service_tickets::table
            .filter(service_tickets::order_id.eq(order))
            .order(service_tickets::id.desc())
            .select(TicketRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(Ticket::from).collect())
    })
}

/// Every ticket, open ones first, newest first within a status.
pub fn list_tickets(conn: &mut Conn, limit: i64) -> QueryResult<Vec<Ticket>> {
    on_backend!(conn => {
        service_tickets::table
            .order((
                service_tickets::status.eq(TicketStatus::Open).desc(),
                service_tickets::created_at.desc(),
                service_tickets::id.desc(),
            ))
            .limit(limit)
            .select(TicketRow::as_select())
            .load(conn)
            .map(|rows| rows.into_iter().map(Ticket::from).collect())
    })
}

/// open → resolved/declined, only if still open. False: someone else handled it.
pub fn close_ticket(
    conn: &mut Conn,
    id: TicketId,
    status: TicketStatus,
    reply: &str,
    agent: UserId,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    on_backend!(conn => {
        let n = diesel::update(
            service_tickets::table
                .find(id)
                .filter(service_tickets::status.eq(TicketStatus::Open)),
        )
        .set((
            service_tickets::status.eq(status),
            service_tickets::reply.eq(Some(reply)),
            service_tickets::resolved_by.eq(Some(agent)),
            service_tickets::resolved_at.eq(Some(now)),
        ))
        .execute(conn)?;
        Ok(n == 1)
    })
}
