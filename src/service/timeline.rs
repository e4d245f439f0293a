//! Writes an order's timeline: who, when, what from → to. Always called inside
//! the same transaction as the change it records.

use chrono::NaiveDateTime;

use crate::db::Conn;
use crate::db::ids::OrderId;
use crate::db::orders::{self, NewOrderEvent};
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Shopper,
    System,
    Staff,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Shopper => "shopper",
            Actor::System => "system",
            Actor::Staff => "staff",
        }
    }
}

/// One timeline entry. `kind` names a catalog key `timeline.<kind>`.
pub struct Entry<'a> {
    pub kind: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(kind: &'a str) -> Entry<'a> {
        Entry {
            kind,
            from: None,
            to: None,
            note: None,
        }
    }

    pub fn change(kind: &'a str, from: &'a str, to: &'a str) -> Entry<'a> {
        Entry {
            kind,
            from: Some(from),
            to: Some(to),
            note: None,
        }
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
            actor: actor.as_str(),
            kind: entry.kind,
            from_value: entry.from,
            to_value: entry.to,
            note: entry.note,
        },
    )?;
    Ok(())
}
