//! The payment-change rules (SPEC "The payment-change rules"), as pure
//! decisions that pages and services match on.

use chrono::NaiveDateTime;

use super::order::OrderStatus;
use super::plan::{Plan, Quote};

/// What a shopper may do about how an order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangePath {
    /// Rule 2: unpaid and inside its window — the shopper changes it themselves.
    SelfService,
    /// Rule 3: paid, shipped or completed — hotline and an online service request.
    ServiceRequest,
    /// Rule 4: cancelled, closed, or unpaid past its window — nothing to change.
    NothingToChange,
}

impl ChangePath {
    /// The page's name for the path (`data-path`, catalog keys).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangePath::SelfService => "self_service",
            ChangePath::ServiceRequest => "service_request",
            ChangePath::NothingToChange => "nothing_to_change",
        }
    }
}

/// Decides the path for an order in `status` whose payment window ends at
/// `deadline`, at `now`.
pub fn decide(status: OrderStatus, deadline: NaiveDateTime, now: NaiveDateTime) -> ChangePath {
    match status {
        OrderStatus::PendingPayment if now < deadline => ChangePath::SelfService,
        OrderStatus::PendingPayment => ChangePath::NothingToChange,
        OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed => {
            ChangePath::ServiceRequest
        }
        OrderStatus::Cancelled | OrderStatus::Closed | OrderStatus::Refunded => {
            ChangePath::NothingToChange
        }
    }
}

/// What confirming a choice does to an unpaid order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Same plan, same method: nothing to do.
    Unchanged,
    /// Same plan and term, another method: the order keeps its number, items
    /// and stock hold and just takes the new method.
    MethodOnly,
    /// Another plan or term: a new contract — cancel, items back to the cart,
    /// checkout again with the choice preselected.
    NewContract,
}

pub fn classify<M: PartialEq>(
    current_plan: Plan,
    current_method: M,
    new_plan: Plan,
    new_method: M,
) -> ChangeKind {
    match (current_plan == new_plan, current_method == new_method) {
        (true, true) => ChangeKind::Unchanged,
        (true, false) => ChangeKind::MethodOnly,
        (false, _) => ChangeKind::NewContract,
    }
}

/// A term of the contract that differs between two quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Difference {
    Plan,
    Rate,
    Fees,
    Total,
    Monthly,
    Payments,
    FirstDue,
    LastDue,
}

impl ChangeKind {
    /// The page's name for what confirming will do.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::MethodOnly => "method_only",
            ChangeKind::NewContract => "new_contract",
        }
    }
}

impl Difference {
    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Plan => "plan",
            Difference::Rate => "rate",
            Difference::Fees => "fees",
            Difference::Total => "total",
            Difference::Monthly => "monthly",
            Difference::Payments => "payments",
            Difference::FirstDue => "first_due",
            Difference::LastDue => "last_due",
        }
    }
}

/// Every term in which `new` differs from `current`, in reading order.
pub fn differences(current: &Quote, new: &Quote) -> Vec<Difference> {
    let checks = [
        (Difference::Plan, current.plan != new.plan),
        (Difference::Rate, current.rate != new.rate),
        (Difference::Fees, current.fees != new.fees),
        (Difference::Total, current.total != new.total),
        (Difference::Monthly, current.monthly != new.monthly),
        (Difference::Payments, current.payments != new.payments),
        (Difference::FirstDue, current.first_due != new.first_due),
        (Difference::LastDue, current.last_due != new.last_due),
    ];
    checks
        .into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(d, _)| d)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};

    use super::*;
    use crate::domain::plan::quote;
    use crate::domain::{BasisPoints, Fen};

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn unpaid_order_inside_its_window_is_self_service() {
        let deadline = at(10, 30);
        assert_eq!(
            decide(OrderStatus::PendingPayment, deadline, at(10, 29)),
            ChangePath::SelfService
        );
        assert_eq!(
            decide(OrderStatus::PendingPayment, deadline, at(10, 30)),
            ChangePath::NothingToChange
        );
        assert_eq!(
            decide(
                OrderStatus::PendingPayment,
                deadline,
                deadline + Duration::days(1)
            ),
            ChangePath::NothingToChange
        );
    }

    #[test]
    fn paid_shipped_and_completed_orders_offer_a_service_request() {
        for s in [
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Completed,
        ] {
            assert_eq!(
                decide(s, at(10, 30), at(9, 0)),
                ChangePath::ServiceRequest,
                "{s}"
            );
            assert_eq!(
                decide(s, at(10, 30), at(23, 0)),
                ChangePath::ServiceRequest,
                "{s}"
            );
        }
    }

    #[test]
    fn cancelled_and_closed_orders_have_nothing_to_change() {
        for s in [
            OrderStatus::Cancelled,
            OrderStatus::Closed,
            OrderStatus::Refunded,
        ] {
            assert_eq!(
                decide(s, at(10, 30), at(9, 0)),
                ChangePath::NothingToChange,
                "{s}"
            );
        }
    }

    #[test]
    fn a_new_method_alone_keeps_the_order_and_a_new_plan_is_a_new_contract() {
        let i6 = Plan::Installment { months: 6 };
        let i12 = Plan::Installment { months: 12 };
        assert_eq!(classify(i6, 1, i6, 1), ChangeKind::Unchanged);
        assert_eq!(classify(i6, 1, i6, 2), ChangeKind::MethodOnly);
        assert_eq!(classify(i6, 1, i12, 1), ChangeKind::NewContract);
        assert_eq!(classify(Plan::Full, 1, i6, 2), ChangeKind::NewContract);
        assert_eq!(classify(i6, 1, Plan::Full, 1), ChangeKind::NewContract);
    }

    #[test]
    fn paths_kinds_and_differences_have_their_page_names() {
        // `data-path`, `data-kind` and the `change.diff.*` catalog keys.
        let paths = [
            ChangePath::SelfService,
            ChangePath::ServiceRequest,
            ChangePath::NothingToChange,
        ]
        .map(ChangePath::as_str);
        assert_eq!(
            paths,
            ["self_service", "service_request", "nothing_to_change"]
        );
        let kinds = [
            ChangeKind::Unchanged,
            ChangeKind::MethodOnly,
            ChangeKind::NewContract,
        ]
        .map(ChangeKind::as_str);
        assert_eq!(kinds, ["unchanged", "method_only", "new_contract"]);
        let diffs = [
            Difference::Plan,
            Difference::Rate,
            Difference::Fees,
            Difference::Total,
            Difference::Monthly,
            Difference::Payments,
            Difference::FirstDue,
            Difference::LastDue,
        ]
        .map(Difference::as_str);
        assert_eq!(
            diffs,
            [
                "plan",
                "rate",
                "fees",
                "total",
                "monthly",
                "payments",
                "first_due",
                "last_due"
            ]
        );
    }

    #[test]
    fn differences_name_every_changed_term() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let full = quote(Fen(100_000), Plan::Full, BasisPoints(0), today).unwrap();
        let i3 = quote(
            Fen(100_000),
            Plan::Installment { months: 3 },
            BasisPoints(0),
            today,
        )
        .unwrap();
        let i12 = quote(
            Fen(100_000),
            Plan::Installment { months: 12 },
            BasisPoints(60),
            today,
        )
        .unwrap();
        assert!(differences(&i3, &i3).is_empty());
        // 3 months at 0 % cost the same in total as paying in full.
        assert_eq!(
            differences(&full, &i3),
            vec![
                Difference::Plan,
                Difference::Monthly,
                Difference::Payments,
                Difference::FirstDue,
                Difference::LastDue
            ]
        );
        assert!(differences(&i3, &i12).contains(&Difference::Fees));
        assert!(differences(&i3, &i12).contains(&Difference::Rate));
    }
}
