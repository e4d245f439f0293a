//! Order states, their one transition function, shipping methods and order numbers.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;

use super::money::Fen;

/// SPEC "Order life cycle".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Shipped,
    Completed,
    Cancelled,
    Closed,
}

/// What happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    Pay,
    Ship,
    Complete,
    Cancel,
    Close,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order in state {from} cannot {event:?}")]
pub struct TransitionError {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Closed => "closed",
        }
    }

    /// The one transition function: the state after `event`, or why not.
    pub fn transition(self, event: OrderEvent) -> Result<OrderStatus, TransitionError> {
        use OrderEvent as E;
        use OrderStatus as S;
        match (self, event) {
            (S::PendingPayment, E::Pay) => Ok(S::Paid),
            (S::PendingPayment, E::Cancel) => Ok(S::Cancelled),
            (S::PendingPayment, E::Close) => Ok(S::Closed),
            (S::Paid, E::Ship) => Ok(S::Shipped),
            (S::Shipped, E::Complete) => Ok(S::Completed),
            (from, event) => Err(TransitionError { from, event }),
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

impl FromStr for OrderStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrderStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_string()))
    }
}

/// The tabs of 我的订单; `Cancelled` covers cancelled and closed orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderTab {
    All,
    PendingPayment,
    Paid,
    Shipped,
    Completed,
    Cancelled,
}

impl OrderTab {
    pub const ALL: [OrderTab; 6] = [
        OrderTab::All,
        OrderTab::PendingPayment,
        OrderTab::Paid,
        OrderTab::Shipped,
        OrderTab::Completed,
        OrderTab::Cancelled,
    ];

    /// `status=` query value; `""` for all.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderTab::All => "",
            OrderTab::PendingPayment => "pending_payment",
            OrderTab::Paid => "paid",
            OrderTab::Shipped => "shipped",
            OrderTab::Completed => "completed",
            OrderTab::Cancelled => "cancelled",
        }
    }

    /// Unknown values fall back to all orders rather than erroring: a tab is a view.
    pub fn parse(s: &str) -> OrderTab {
        OrderTab::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .unwrap_or(OrderTab::All)
    }

    pub fn statuses(self) -> &'static [OrderStatus] {
        match self {
            OrderTab::All => &OrderStatus::ALL,
            OrderTab::PendingPayment => &[OrderStatus::PendingPayment],
            OrderTab::Paid => &[OrderStatus::Paid],
            OrderTab::Shipped => &[OrderStatus::Shipped],
            OrderTab::Completed => &[OrderStatus::Completed],
            OrderTab::Cancelled => &[OrderStatus::Cancelled, OrderStatus::Closed],
        }
    }
}

/// Shipping methods and their fees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShippingMethod {
    Standard,
    Express,
}

impl ShippingMethod {
    pub const ALL: [ShippingMethod; 2] = [ShippingMethod::Standard, ShippingMethod::Express];

    pub fn as_str(self) -> &'static str {
        match self {
            ShippingMethod::Standard => "standard",
            ShippingMethod::Express => "express",
        }
    }

    /// Standard shipping is free; express costs ¥18.00.
    pub fn fee(self) -> Fen {
        match self {
            ShippingMethod::Standard => Fen::ZERO,
            ShippingMethod::Express => Fen(1_800),
        }
    }
}

impl FromStr for ShippingMethod {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ShippingMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_string()))
    }
}

/// Order numbers: `YYYYMMDD` of creation + 10 random digits = 18 digits.
/// Not sequential and not guessable (10¹⁰ per day); unique by index.
pub fn format_order_no(created_at: NaiveDateTime, random: u64) -> String {
    format!(
        "{}{:010}",
        created_at.format("%Y%m%d"),
        random % 10_000_000_000
    )
}

/// A syntactically valid order number: 16 to 32 ASCII digits.
pub fn is_valid_order_no(s: &str) -> bool {
    (16..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_exactly_the_transitions_of_the_spec() {
        use OrderEvent as E;
        use OrderStatus as S;
        let events = [E::Pay, E::Ship, E::Complete, E::Cancel, E::Close];
        let allowed = [
            (S::PendingPayment, E::Pay, S::Paid),
            (S::PendingPayment, E::Cancel, S::Cancelled),
            (S::PendingPayment, E::Close, S::Closed),
            (S::Paid, E::Ship, S::Shipped),
            (S::Shipped, E::Complete, S::Completed),
        ];
        for from in S::ALL {
            for event in events {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(from.transition(event).ok(), expected, "{from} {event:?}");
            }
        }
    }

    #[test]
    fn status_round_trips_through_its_name() {
        for s in OrderStatus::ALL {
            assert_eq!(s.as_str().parse::<OrderStatus>(), Ok(s));
        }
        assert!("shipping".parse::<OrderStatus>().is_err());
    }

    #[test]
    fn cancelled_tab_covers_closed_orders() {
        assert_eq!(
            OrderTab::parse("cancelled").statuses(),
            &[OrderStatus::Cancelled, OrderStatus::Closed]
        );
        assert_eq!(OrderTab::parse("bogus"), OrderTab::All);
    }

    #[test]
    fn order_numbers_have_eighteen_digits() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let no = format_order_no(at, 42);
        assert_eq!(no, "202611250000000042");
        assert!(is_valid_order_no(&no));
        assert!(!is_valid_order_no("12345"));
        assert!(!is_valid_order_no("2026112500000000a2"));
    }
}
