//! Order states, their one transition function, shipping methods and order numbers.

use chrono::{NaiveDate, NaiveDateTime};

use super::ids::{InstalmentId, OrderId, PaymentMethodId, ProductId, UserId};
use super::money::{BasisPoints, Fen};
use super::payment_change::{ChangePath, decide};
use super::plan::Plan;

/// SPEC "Order life cycle".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Shipped,
    Completed,
    Cancelled,
    Closed,
    /// Everything taken was given back (SPEC "Repayment center").
    Refunded,
}

/// What happens to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    Pay,
    Ship,
    Complete,
    Cancel,
    Close,
    /// Money given back: by the shopper before shipping, by an agent after.
    Refund,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order in state {from} cannot {event:?}")]
pub struct TransitionError {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

named_enum!(OrderStatus {
    PendingPayment => "pending_payment",
    Paid => "paid",
    Shipped => "shipped",
    Completed => "completed",
    Cancelled => "cancelled",
    Closed => "closed",
    Refunded => "refunded",
});

impl OrderStatus {
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
            (S::Paid | S::Shipped | S::Completed, E::Refund) => Ok(S::Refunded),
            (from, event) => Err(TransitionError { from, event }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// The tabs of 我的订单; `Cancelled` covers cancelled, closed and refunded orders.
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
            OrderTab::Cancelled => &[
                OrderStatus::Cancelled,
                OrderStatus::Closed,
                OrderStatus::Refunded,
            ],
        }
    }
}

/// Shipping methods and their fees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShippingMethod {
    Standard,
    Express,
}

named_enum!(ShippingMethod {
    Standard => "standard",
    Express => "express",
});

impl ShippingMethod {
    /// Standard shipping is free; express costs ¥18.00.
    pub fn fee(self) -> Fen {
        match self {
            ShippingMethod::Standard => Fen::ZERO,
            ShippingMethod::Express => Fen(1_800),
        }
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

/// Why an unpaid order was cancelled (SPEC rules 2 and "Order life cycle").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancelReason {
    /// The shopper cancelled it.
    Shopper,
    /// A new plan or term replaced it: a new contract (rule 2).
    PaymentChanged,
}

named_enum!(CancelReason {
    Shopper => "shopper",
    PaymentChanged => "payment_changed",
});

/// The state of one instalment of a repayment schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstalmentStatus {
    /// Not yet charged, not yet late.
    Due,
    /// A charge was declined; retried later.
    Overdue,
    Paid,
    /// Left unpaid when the order was refunded: never charged.
    Cancelled,
}

named_enum!(InstalmentStatus {
    Due => "due",
    Overdue => "overdue",
    Paid => "paid",
    Cancelled => "cancelled",
});

impl InstalmentStatus {
    /// Still to be paid (due or overdue).
    pub fn is_open(self) -> bool {
        matches!(self, InstalmentStatus::Due | InstalmentStatus::Overdue)
    }
}

/// An order as stored: its state, prices (snapshotted at checkout), plan and method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: OrderId,
    pub order_no: String,
    pub user_id: UserId,
    pub status: OrderStatus,
    pub shipping_method: ShippingMethod,
    pub items_fen: Fen,
    pub shipping_fen: Fen,
    pub plan: Plan,
    /// The monthly fee rate the plan was sold at.
    pub monthly_fee_bp: BasisPoints,
    pub fee_fen: Fen,
    pub total_fen: Fen,
    pub payment_method_id: PaymentMethodId,
    pub created_at: NaiveDateTime,
    pub pay_deadline: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<CancelReason>,
    /// Pinned repayment method; `None` follows the account's priority method.
    pub repayment_method_id: Option<PaymentMethodId>,
    /// The order this one replaced after a payment change.
    pub replaces_order_id: Option<OrderId>,
}

impl Order {
    /// Order total before fees (goods + shipping): the installment principal.
    pub fn principal(&self) -> Fen {
        Fen(self.items_fen.0.saturating_add(self.shipping_fen.0))
    }

    pub fn is_installment(&self) -> bool {
        matches!(self.plan, Plan::Installment { .. })
    }

    /// Unpaid with its payment window passed at `now`: due to be closed.
    pub fn is_expired(&self, now: NaiveDateTime) -> bool {
        self.status == OrderStatus::PendingPayment && self.pay_deadline <= now
    }

    /// What the shopper may do with this order at `now`.
    pub fn actions(&self, now: NaiveDateTime) -> OrderActions {
        OrderActions::of(self.status, self.pay_deadline, now)
    }
}

/// The actions an order offers (SPEC "Order life cycle" and the
/// payment-change rules): the one place pages and services ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderActions {
    /// Unpaid and inside its window.
    pub pay: bool,
    /// Unpaid and inside its window.
    pub cancel: bool,
    /// What changing how it is paid means (rules 2–4).
    pub change: ChangePath,
    /// Anything no longer awaiting payment can be bought again.
    pub buy_again: bool,
    /// Paid, shipped or completed: an online service request (rule 3).
    pub request: bool,
    /// Paid and not shipped: the shopper may have everything refunded
    /// (SPEC "Refund before shipping"); later only an agent may.
    pub refund: bool,
}

impl OrderActions {
    pub fn of(status: OrderStatus, deadline: NaiveDateTime, now: NaiveDateTime) -> OrderActions {
        let change = decide(status, deadline, now);
        let open = change == ChangePath::SelfService;
        OrderActions {
            pay: open,
            cancel: open,
            change,
            buy_again: status != OrderStatus::PendingPayment,
            request: change == ChangePath::ServiceRequest,
            refund: status == OrderStatus::Paid,
        }
    }
}

/// One line of an order, with the name and price it was bought at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    pub id: i32,
    pub order_id: OrderId,
    pub product_id: ProductId,
    pub name_zh: String,
    pub name_en: String,
    pub unit_price_fen: Fen,
    pub quantity: i32,
}

impl OrderItem {
    pub fn line_total(&self) -> Fen {
        Fen(self
            .unit_price_fen
            .0
            .saturating_mul(i64::from(self.quantity)))
    }
}

/// One instalment of a paid installment order's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instalment {
    pub id: InstalmentId,
    pub order_id: OrderId,
    pub seq: i32,
    pub due_on: NaiveDate,
    pub principal_fen: Fen,
    pub fee_fen: Fen,
    pub status: InstalmentStatus,
    pub paid_at: Option<NaiveDateTime>,
    pub attempts: i32,
    /// Why the last charge was declined (a `decline.*` catalog key suffix).
    pub last_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
}

impl Instalment {
    /// What the deduction charges: principal plus fee.
    pub fn amount(&self) -> Fen {
        Fen(self.principal_fen.0.saturating_add(self.fee_fen.0))
    }
}

/// The due date of a schedule's last instalment.
pub fn last_due(instalments: &[Instalment]) -> Option<NaiveDate> {
    instalments.iter().map(|i| i.due_on).max()
}

/// The next instalment still to be paid, in schedule order.
pub fn next_open(instalments: &[Instalment]) -> Option<&Instalment> {
    instalments.iter().find(|i| i.status.is_open())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_exactly_the_transitions_of_the_spec() {
        use OrderEvent as E;
        use OrderStatus as S;
        let events = [E::Pay, E::Ship, E::Complete, E::Cancel, E::Close, E::Refund];
        let allowed = [
            (S::PendingPayment, E::Pay, S::Paid),
            (S::PendingPayment, E::Cancel, S::Cancelled),
            (S::PendingPayment, E::Close, S::Closed),
            (S::Paid, E::Ship, S::Shipped),
            (S::Shipped, E::Complete, S::Completed),
            (S::Paid, E::Refund, S::Refunded),
            (S::Shipped, E::Refund, S::Refunded),
            (S::Completed, E::Refund, S::Refunded),
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
    fn cancelled_tab_covers_closed_and_refunded_orders() {
        assert_eq!(
            OrderTab::parse("cancelled").statuses(),
            &[
                OrderStatus::Cancelled,
                OrderStatus::Closed,
                OrderStatus::Refunded
            ]
        );
        assert_eq!(OrderTab::parse("bogus"), OrderTab::All);
    }

    #[test]
    fn unpaid_orders_inside_their_window_can_be_paid_cancelled_and_changed() {
        let at = |m| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
                .unwrap()
                .and_hms_opt(8, m, 0)
                .unwrap()
        };
        let deadline = at(30);
        let open = OrderActions::of(OrderStatus::PendingPayment, deadline, at(29));
        assert!(open.pay && open.cancel && !open.buy_again && !open.request && !open.refund);
        assert_eq!(open.change, ChangePath::SelfService);
        let late = OrderActions::of(OrderStatus::PendingPayment, deadline, at(30));
        assert!(!late.pay && !late.cancel && !late.buy_again && !late.request);
        for s in [
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Completed,
        ] {
            let a = OrderActions::of(s, deadline, at(0));
            assert!(!a.pay && !a.cancel && a.buy_again && a.request, "{s}");
            assert_eq!(a.refund, s == OrderStatus::Paid, "{s}");
        }
        for s in [
            OrderStatus::Cancelled,
            OrderStatus::Closed,
            OrderStatus::Refunded,
        ] {
            let a = OrderActions::of(s, deadline, at(0));
            assert!(
                !a.pay && !a.cancel && a.buy_again && !a.request && !a.refund,
                "{s}"
            );
            assert_eq!(a.change, ChangePath::NothingToChange);
        }
    }

    #[test]
    fn instalment_and_cancel_reason_names_round_trip() {
        for s in InstalmentStatus::ALL {
            assert_eq!(s.as_str().parse::<InstalmentStatus>(), Ok(s));
        }
        for r in CancelReason::ALL {
            assert_eq!(r.as_str().parse::<CancelReason>(), Ok(r));
        }
        assert!("late".parse::<InstalmentStatus>().is_err());
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
