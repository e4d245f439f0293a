//! Writes an order's timeline: who, when, what from → to. Always called inside
//! the same transaction as the change it records.

use chrono::NaiveDateTime;

use crate::db::Conn;
use crate::db::orders::{self, NewOrderEvent};
use crate::domain::ids::OrderId;
use crate::domain::order::OrderStatus;
pub use crate::domain::timeline::{Actor, EventKind};
use crate::error::AppError;

/// One timeline entry to write.
pub struct Entry<'a> {
    pub kind: EventKind,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(kind: EventKind) -> Entry<'a> {
        Entry {
            kind,
            from: None,
            to: None,
            note: None,
        }
    }

    pub fn change(kind: EventKind, from: &'a str, to: &'a str) -> Entry<'a> {
        Entry {
            kind,
            from: Some(from),
            to: Some(to),
            note: None,
        }
    }

    /// A state transition: `kind` from one order state to another.
    pub fn transition(kind: EventKind, from: OrderStatus, to: OrderStatus) -> Entry<'a> {
        Entry::change(kind, from.as_str(), to.as_str())
    }

    /// Names something the entry points at (a ticket, a linked order).
    pub fn to(mut self, to: &'a str) -> Entry<'a> {
        self.to = Some(to);
        self
    }

    pub fn note(mut self, note: &'a str) -> Entry<'a> {
        self.note = Some(note);
        self
    }
}

pub fn record(
    conn: &mut Conn,
    order: OrderId,
    at: NaiveDateTime,
    actor: Actor,
    entry: Entry<'_>,
) -> Result<(), AppError> {
    orders::insert_event(
        conn,
        &NewOrderEvent {
            order_id: order,
            at,
            actor,
            kind: entry.kind,
            from_value: entry.from,
            to_value: entry.to,
            note: entry.note,
        },
    )?;
    Ok(())
}
