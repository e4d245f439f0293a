//! The service agent's side of service requests: list, read, resolve. An
//! agent resolves a request for an installment order by switching the
//! repayment method of its remaining instalments, refunds the order (any
//! paid, shipped or completed order), or declines with a reason.
//! Either way the ticket and the order timeline record it, in one transaction.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};

use super::orders::repayment_method;
use super::refunds::{RefundRefusal, give_back, refund_in};
use super::repayments::pin_plan;
use super::support::{TicketView, ticket_view};
use super::timeline::{self, Actor, Entry};
use crate::db::orders;
use crate::db::payment_methods as pm;
use crate::db::tickets;
use crate::db::{Db, users};
use crate::domain::ids::UserId;
use crate::domain::method::PaymentMethod;
use crate::domain::method::can_carry;
use crate::domain::order::{Instalment, OrderEvent, last_due, next_open};
use crate::domain::support::TicketStatus;
use crate::domain::timeline::EventKind;
use crate::error::AppError;
use crate::gateway::PaymentGateway;

pub const REPLY_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Switched,
    Declined,
    /// Everything taken is given back and the order ends `refunded` (a
    /// shipped or completed order, or a paid one the shopper asked about).
    Refunded,
}

impl Outcome {
    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "switched" => Some(Outcome::Switched),
            "declined" => Some(Outcome::Declined),
            "refunded" => Some(Outcome::Refunded),
            _ => None,
        }
    }

    fn status(self) -> TicketStatus {
        match self {
            Outcome::Switched | Outcome::Refunded => TicketStatus::Resolved,
            Outcome::Declined => TicketStatus::Declined,
        }
    }

    fn event(self) -> EventKind {
        match self {
            Outcome::Switched | Outcome::Refunded => EventKind::ServiceRequestResolved,
            Outcome::Declined => EventKind::ServiceRequestDeclined,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolveError {
    /// Declining needs a reason for the shopper.
    ReplyNeeded,
    ReplyTooLong,
    /// Only an installment order with unpaid instalments has a repayment method to switch.
    NothingToSwitch,
    /// The wanted method was removed since the request.
    MethodGone,
    /// The wanted method expires before the plan's last instalment.
    MethodExpires {
        last_due: NaiveDate,
    },
    /// Another agent (or a repeated submit) handled it first.
    AlreadyHandled,
    /// Only a paid, shipped or completed order can be refunded; this one is
    /// (now) in another state.
    NotRefundable,
    /// A payment for the order is in flight; try again once it is answered.
    PaymentInProgress,
}

pub struct StaffTicket {
    pub view: TicketView,
    pub account: String,
    pub instalments: Vec<Instalment>,
    pub current_repayment: Option<PaymentMethod>,
}

impl StaffTicket {
    /// Only a plan with unpaid instalments has a repayment method to switch.
    pub fn can_switch(&self) -> bool {
        next_open(&self.instalments).is_some()
    }

    /// Paid, shipped and completed orders may be refunded by an agent.
    pub fn can_refund(&self) -> bool {
        self.view
            .order
            .status
            .transition(OrderEvent::Refund)
            .is_ok()
    }
}

pub async fn list(db: &Db) -> Result<Vec<TicketView>, AppError> {
    db.read(|conn| {
        tickets::list_tickets(conn, 200)?
            .into_iter()
            .map(|t| ticket_view(conn, t))
            .collect()
    })
    .await
}

pub async fn show(db: &Db, ticket_no: String) -> Result<StaffTicket, AppError> {
    db.read(move |conn| {
        let ticket = tickets::find_ticket_by_no(conn, &ticket_no)?.ok_or(AppError::NotFound)?;
        let order = orders::find_order(conn, ticket.order_id)?.ok_or(AppError::NotFound)?;
        let wanted = pm::find_method(conn, ticket.wanted_method_id)?;
        let account = users::find_user(conn, ticket.user_id)?
            .and_then(|u| crate::domain::account::Account::parse(&u.account).ok())
            .map(|a| a.masked())
            .unwrap_or_default();
        Ok(StaffTicket {
            instalments: orders::list_instalments(conn, order.id)?,
            current_repayment: repayment_method(conn, &order)?,
            account,
            view: TicketView {
                ticket,
                order,
                wanted,
            },
        })
    })
    .await
}

pub async fn resolve(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    agent: UserId,
    ticket_no: String,
    outcome: Outcome,
    reply: String,
    now: NaiveDateTime,
) -> Result<Result<(), ResolveError>, AppError> {
    let reply = reply.trim().to_owned();
    if reply.chars().count() > REPLY_MAX {
        return Ok(Err(ResolveError::ReplyTooLong));
    }
    if outcome == Outcome::Declined && reply.is_empty() {
        return Ok(Err(ResolveError::ReplyNeeded));
    }
    let decided = db.write(move |conn| {
        let mut reversals = Vec::new();
        let ticket = tickets::find_ticket_by_no(conn, &ticket_no)?.ok_or(AppError::NotFound)?;
        if ticket.status != TicketStatus::Open {
            return Ok(Err(ResolveError::AlreadyHandled));
        }
        let order = orders::find_order(conn, ticket.order_id)?.ok_or(AppError::NotFound)?;
        if outcome == Outcome::Switched {
            let instalments = orders::list_instalments(conn, order.id)?;
            if next_open(&instalments).is_none() {
                return Ok(Err(ResolveError::NothingToSwitch));
            }
            let Some(wanted) = pm::find_method_for_owner(conn, order.user_id, ticket.wanted_method_id)? else {
                return Ok(Err(ResolveError::MethodGone));
            };
            if let Some(last) = last_due(&instalments)
                && !can_carry(&wanted, last)
            {
                return Ok(Err(ResolveError::MethodExpires { last_due: last }));
            }
            pin_plan(conn, &order, &wanted, Actor::Staff, Some(&ticket.ticket_no), now)?;
        }
        if outcome == Outcome::Refunded {
            match refund_in(conn, &order, Actor::Staff, now)? {
                Ok(calls) => reversals = calls,
                Err(RefundRefusal::PaymentInProgress) => {
                    return Ok(Err(ResolveError::PaymentInProgress));
                }
                Err(_) => return Ok(Err(ResolveError::NotRefundable)),
            }
        }
        if !tickets::close_ticket(conn, ticket.id, outcome.status(), &reply, agent, now)? {
            return Err(AppError::Internal(anyhow::anyhow!("ticket changed inside the write lock")));
        }
        let mut entry = Entry::new(outcome.event()).to(&ticket.ticket_no);
        if !reply.is_empty() {
            entry = entry.note(&reply);
        }
        timeline::record(conn, order.id, now, Actor::Staff, entry)?;
        tracing::info!(ticket_no = %ticket.ticket_no, outcome = outcome.status().as_str(), "service request handled");
        Ok(Ok(reversals))
    })
    .await?;
    match decided {
        Ok(reversals) => give_back(db, gateway, reversals, now).await.map(Ok),
        Err(e) => Ok(Err(e)),
    }
}
