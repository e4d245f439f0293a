//! Reminders and notices (SPEC "Repayment center"): a reminder N days before
//! each deduction, and a notice after each charge or decline, each naming the
//! date, amount and method, once per instalment and kind.

use chrono::{NaiveDate, NaiveDateTime};

use super::ids::{InstalmentId, OrderId, UserId};
use super::money::Fen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Reminder,
    Charged,
    Declined,
}

named_enum!(MessageKind {
    Reminder => "reminder",
    Charged => "charged",
    Declined => "declined",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i32,
    pub user_id: UserId,
    pub order_id: OrderId,
    pub instalment_id: InstalmentId,
    pub kind: MessageKind,
    pub dedupe_key: String,
    pub due_on: NaiveDate,
    pub amount_fen: Fen,
    /// The method charged, as shown (`VISA •••• 1111`).
    pub method: String,
    /// A decline's code.
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// Once per instalment and kind; a reminder also per due date (a plan
/// whose dates moved would be reminded again).
pub fn dedupe_key(
    kind: MessageKind,
    instalment: InstalmentId,
    due_on: NaiveDate,
    attempt: i32,
) -> String {
    match kind {
        MessageKind::Reminder => format!("reminder:{instalment}:{due_on}"),
        MessageKind::Charged => format!("charged:{instalment}"),
        MessageKind::Declined => format!("declined:{instalment}:#{attempt}"),
    }
}
