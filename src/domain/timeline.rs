//! An order's timeline (SPEC "Order life cycle"): who did what, when, from
//! what to what. Every transition and payment-related change writes one entry.

use chrono::NaiveDateTime;

use super::ids::OrderId;
use super::order::OrderEvent;

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    Shopper,
    System,
    Staff,
}

/// What happened. Each names a catalog key `timeline.<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Created,
    Paid,
    PaymentDeclined,
    Cancelled,
    Closed,
    Shipped,
    Completed,
    MethodChanged,
    PlanChange,
    Replaces,
    ReplacedBy,
    RepaymentMethodChanged,
    InstalmentCharged,
    InstalmentDeclined,
    ServiceRequestOpened,
    ServiceRequestResolved,
    ServiceRequestDeclined,
    /// A payment-ledger entry completed: `from` its purpose, `to` its state.
    Ledger,
    /// Instalments repaid early: `from` the scope (`next`/`all`), `to` the instalments.
    EarlyRepayment,
    /// The order was refunded (a transition).
    Refunded,
    /// Instalments a refund left unpaid were cancelled: `to` their numbers.
    InstalmentsCancelled,
}

named_enum!(Actor { Shopper => "shopper", System => "system", Staff => "staff" });

named_enum!(EventKind {
    Created => "created",
    Paid => "paid",
    PaymentDeclined => "payment_declined",
    Cancelled => "cancelled",
    Closed => "closed",
    Shipped => "shipped",
    Completed => "completed",
    MethodChanged => "method_changed",
    PlanChange => "plan_change",
    Replaces => "replaces",
    ReplacedBy => "replaced_by",
    RepaymentMethodChanged => "repayment_method_changed",
    InstalmentCharged => "instalment_charged",
    InstalmentDeclined => "instalment_declined",
    ServiceRequestOpened => "service_request_opened",
    ServiceRequestResolved => "service_request_resolved",
    ServiceRequestDeclined => "service_request_declined",
    Ledger => "ledger",
    EarlyRepayment => "early_repayment",
    Refunded => "refunded",
    InstalmentsCancelled => "instalments_cancelled",
});

impl EventKind {
    /// The entry a state transition writes.
    pub fn of(event: OrderEvent) -> EventKind {
        match event {
            OrderEvent::Pay => EventKind::Paid,
            OrderEvent::Ship => EventKind::Shipped,
            OrderEvent::Complete => EventKind::Completed,
            OrderEvent::Cancel => EventKind::Cancelled,
            OrderEvent::Close => EventKind::Closed,
            OrderEvent::Refund => EventKind::Refunded,
        }
    }

    /// Instalment entries carry the instalment number in `from`.
    pub fn is_instalment(self) -> bool {
        matches!(
            self,
            EventKind::InstalmentCharged | EventKind::InstalmentDeclined
        )
    }
}

/// One stored timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub id: i32,
    pub order_id: OrderId,
    pub at: NaiveDateTime,
    pub actor: Actor,
    pub kind: EventKind,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_actor_round_trips_through_its_name() {
        for k in EventKind::ALL {
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(k));
        }
        for a in Actor::ALL {
            assert_eq!(a.as_str().parse::<Actor>(), Ok(a));
        }
        assert!("teleported".parse::<EventKind>().is_err());
    }
}
