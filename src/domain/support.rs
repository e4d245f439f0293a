//! Service requests (SPEC rule 3): a paid order's shopper asks an agent to
//! change how the remaining instalments are paid; the agent switches or
//! declines with a reason.

use chrono::NaiveDateTime;

use super::ids::{OrderId, PaymentMethodId, TicketId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketStatus {
    Open,
    /// The agent switched the repayment method.
    Resolved,
    /// The agent answered with a reason instead.
    Declined,
}

named_enum!(TicketStatus {
    Open => "open",
    Resolved => "resolved",
    Declined => "declined",
});

/// A service request, with the method the shopper wants and the agent's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    pub ticket_no: String,
    pub user_id: UserId,
    pub order_id: OrderId,
    pub wanted_method_id: PaymentMethodId,
    pub message: String,
    pub status: TicketStatus,
    pub reply: Option<String>,
    pub created_at: NaiveDateTime,
    pub resolved_at: Option<NaiveDateTime>,
    pub resolved_by: Option<UserId>,
}

/// Ticket numbers: `S` + the local date + 10 random digits; unique by index.
pub fn format_ticket_no(local: NaiveDateTime, random: u64) -> String {
    format!("S{}{:010}", local.format("%Y%m%d"), random % 10_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_status_round_trips_and_numbers_have_the_s_prefix() {
        for s in TicketStatus::ALL {
            assert_eq!(s.as_str().parse::<TicketStatus>(), Ok(s));
        }
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(format_ticket_no(at, 7), "S202611290000000007");
    }
}
