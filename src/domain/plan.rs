//! Payment plans and installment math: pure, no I/O, `today` is an argument.
//!
//! # Fixed rules (SPEC "Money and plans")
//! - The **principal** is the order total before fees (goods + shipping).
//! - The **monthly fee** is `principal × rate`, rounded half up to the fen
//!   ([`Fen::percent_bp`]); it is the same every month. Total fees are
//!   `monthly fee × months`.
//! - The **principal split**: every instalment carries `⌊principal / months⌋`;
//!   the remainder (fewer than `months` fen) is added to the *first* instalment.
//!   So the instalments add up to the principal to the fen.
//!
//!   Example: ¥1,000.00 over 3 months at 0 %: 100 000 / 3 = 33 333 r 1, so the
//!   instalments are ¥333.34, ¥333.33, ¥333.33.
//! - Instalment `k` (1-based) falls due `k` months after the payment date,
//!   each computed from the payment date (Jan 31 → Feb 28/29 → Mar 31), never chained.
#![deny(clippy::float_arithmetic)]

use std::fmt;
use std::str::FromStr;

use chrono::{Months, NaiveDate};

use super::card::CardExpiry;
use super::money::{BasisPoints, Fen};

/// The terms a plan may have. The fee rates live in the `installment_terms` table.
pub const TERMS: [u32; 4] = [3, 6, 12, 24];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    Full,
    Installment,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Full => "full",
            PlanKind::Installment => "installment",
        }
    }
}

impl FromStr for PlanKind {
    type Err = PlanError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "full" => Ok(PlanKind::Full),
            "installment" => Ok(PlanKind::Installment),
            _ => Err(PlanError::UnknownPlan),
        }
    }
}

/// A payment plan: pay in full, or in `months` instalments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Full,
    Installment { months: u32 },
}

impl Plan {
    /// Parses the form pair `plan` + `term`; the term is only read for installments.
    pub fn parse(plan: &str, term: &str) -> Result<Plan, PlanError> {
        match plan.parse::<PlanKind>()? {
            PlanKind::Full => Ok(Plan::Full),
            PlanKind::Installment => {
                let months: u32 = term.trim().parse().map_err(|_| PlanError::UnknownTerm)?;
                if TERMS.contains(&months) {
                    Ok(Plan::Installment { months })
                } else {
                    Err(PlanError::UnknownTerm)
                }
            }
        }
    }

    pub fn kind(self) -> PlanKind {
        match self {
            Plan::Full => PlanKind::Full,
            Plan::Installment { .. } => PlanKind::Installment,
        }
    }

    pub fn months(self) -> Option<u32> {
        match self {
            Plan::Full => None,
            Plan::Installment { months } => Some(months),
        }
    }

    /// The plan stored as its kind and term (`installment` needs a known term,
    /// `full` has none).
    pub fn from_parts(kind: PlanKind, term: Option<i32>) -> Result<Plan, PlanError> {
        match (kind, term) {
            (PlanKind::Full, None) => Ok(Plan::Full),
            (PlanKind::Installment, Some(m)) => u32::try_from(m)
                .ok()
                .filter(|m| TERMS.contains(m))
                .map(|months| Plan::Installment { months })
                .ok_or(PlanError::UnknownTerm),
            _ => Err(PlanError::UnknownTerm),
        }
    }

    /// Whether choosing this plan needs the shopper's explicit acknowledgement
    /// (`acknowledge=on`). An installment plan is a credit contract, so
    /// checkout asks for it; confirming a payment change always asks for it,
    /// whatever the plan (SPEC rule 2).
    pub fn needs_acknowledgement(self, step: Step) -> bool {
        match step {
            Step::Checkout => matches!(self, Plan::Installment { .. }),
            Step::PaymentChange => true,
        }
    }
}

/// Where a plan is chosen, for [`Plan::needs_acknowledgement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Checkout,
    PaymentChange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("unknown plan")]
    UnknownPlan,
    #[error("unknown term")]
    UnknownTerm,
    #[error("installments need an order total of at least {minimum}")]
    BelowMinimum { minimum: Fen },
    #[error("the card expires before the last instalment is due")]
    CardExpiresTooSoon { last_due: NaiveDate },
    #[error("amount out of range")]
    Overflow,
}

/// One instalment of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instalment {
    pub seq: u32,
    pub due: NaiveDate,
    pub principal: Fen,
    pub fee: Fen,
}

impl Instalment {
    pub fn amount(&self) -> Fen {
        Fen(self.principal.0.saturating_add(self.fee.0))
    }
}

/// What a plan costs, as shown side by side at checkout and on the change page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub plan: Plan,
    pub principal: Fen,
    pub rate: BasisPoints,
    pub monthly_fee: Fen,
    pub fees: Fen,
    pub total: Fen,
    pub payments: u32,
    /// The regular amount per payment (the first may carry up to `payments - 1` fen more).
    pub monthly: Fen,
    pub first_amount: Fen,
    pub first_due: NaiveDate,
    pub last_due: NaiveDate,
}

/// Adds `months` calendar months, clamping to the month's last day.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The repayment schedule of `principal` over `months` at `rate` per month,
/// starting from the payment date `paid_on` (rules in the module doc).
pub fn schedule(
    principal: Fen,
    months: u32,
    rate: BasisPoints,
    paid_on: NaiveDate,
) -> Result<Vec<Instalment>, PlanError> {
    if months == 0 || principal.is_negative() {
        return Err(PlanError::Overflow);
    }
    let n = i64::from(months);
    let base = principal.0 / n;
    let remainder = principal.0 % n;
    let fee = principal.percent_bp(rate).ok_or(PlanError::Overflow)?;
    Ok((1..=months)
        .map(|seq| Instalment {
            seq,
            due: add_months(paid_on, seq),
            principal: Fen(if seq == 1 { base + remainder } else { base }),
            fee,
        })
        .collect())
}

/// Quotes `plan` for an order of `principal`, paid on `today`.
pub fn quote(
    principal: Fen,
    plan: Plan,
    rate: BasisPoints,
    today: NaiveDate,
) -> Result<Quote, PlanError> {
    match plan {
        Plan::Full => Ok(Quote {
            plan,
            principal,
            rate: BasisPoints(0),
            monthly_fee: Fen::ZERO,
            fees: Fen::ZERO,
            total: principal,
            payments: 1,
            monthly: principal,
            first_amount: principal,
            first_due: today,
            last_due: today,
        }),
        Plan::Installment { months } => {
            let items = schedule(principal, months, rate, today)?;
            let monthly_fee = items[0].fee;
            let fees = monthly_fee
                .checked_mul(i64::from(months))
                .ok_or(PlanError::Overflow)?;
            let total = principal.checked_add(fees).ok_or(PlanError::Overflow)?;
            let last = items[items.len() - 1];
            Ok(Quote {
                plan,
                principal,
                rate,
                monthly_fee,
                fees,
                total,
                payments: months,
                monthly: last.amount(),
                first_amount: items[0].amount(),
                first_due: items[0].due,
                last_due: last.due,
            })
        }
    }
}

/// Whether `plan` may carry an order of `principal` paid with a method whose
/// card expiry is `card_expiry` (`None` for wallets and for full payment).
///
/// SPEC: installments need at least `minimum`; a card that expires before the
/// last instalment's due date cannot carry an installment plan.
pub fn check_eligibility(
    principal: Fen,
    plan: Plan,
    minimum: Fen,
    card_expiry: Option<CardExpiry>,
    today: NaiveDate,
) -> Result<(), PlanError> {
    let Plan::Installment { months } = plan else {
        return Ok(());
    };
    if principal < minimum {
        return Err(PlanError::BelowMinimum { minimum });
    }
    let last_due = add_months(today, months);
    if let Some(expiry) = card_expiry
        && expiry.last_day() < last_due
    {
        return Err(PlanError::CardExpiresTooSoon { last_due });
    }
    Ok(())
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plan::Full => f.write_str("full"),
            Plan::Installment { months } => write!(f, "installment/{months}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plans_name_their_kind_term_and_text() {
        let i12 = Plan::Installment { months: 12 };
        assert_eq!(i12.months(), Some(12));
        assert_eq!(Plan::Full.months(), None);
        assert_eq!(i12.to_string(), "installment/12");
        assert_eq!(Plan::Full.to_string(), "full");
        for kind in [PlanKind::Full, PlanKind::Installment] {
            assert_eq!(kind.as_str().parse::<PlanKind>(), Ok(kind));
        }
        assert_eq!(PlanKind::Installment.as_str(), "installment");
        assert_eq!(PlanKind::Full.as_str(), "full");
    }

    #[test]
    fn a_schedule_needs_months_and_a_principal_that_is_not_negative() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert!(schedule(Fen(100), 0, BasisPoints(0), today).is_err());
        assert!(schedule(Fen(-1), 3, BasisPoints(0), today).is_err());
        assert!(schedule(Fen(0), 3, BasisPoints(0), today).is_ok());
    }

    #[test]
    fn a_card_valid_through_the_last_due_date_can_carry_the_plan() {
        // 3 months from 30 Nov 2026 end on 28 Feb 2027, the last day of a 02/27 card.
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let plan = Plan::Installment { months: 3 };
        let card = |month| Some(CardExpiry { year: 2027, month });
        assert_eq!(
            check_eligibility(Fen(100_000), plan, Fen(30_000), card(2), today),
            Ok(())
        );
        assert!(check_eligibility(Fen(100_000), plan, Fen(30_000), card(1), today).is_err());
    }

    #[test]
    fn stored_plans_need_a_known_term_exactly_for_installments() {
        assert_eq!(Plan::from_parts(PlanKind::Full, None), Ok(Plan::Full));
        assert_eq!(
            Plan::from_parts(PlanKind::Installment, Some(12)),
            Ok(Plan::Installment { months: 12 })
        );
        assert!(Plan::from_parts(PlanKind::Installment, Some(5)).is_err());
        assert!(Plan::from_parts(PlanKind::Installment, None).is_err());
        assert!(Plan::from_parts(PlanKind::Full, Some(3)).is_err());
    }

    #[test]
    fn installments_need_acknowledgement_at_checkout_and_every_change_does() {
        let i6 = Plan::Installment { months: 6 };
        assert!(i6.needs_acknowledgement(Step::Checkout));
        assert!(!Plan::Full.needs_acknowledgement(Step::Checkout));
        assert!(i6.needs_acknowledgement(Step::PaymentChange));
        assert!(Plan::Full.needs_acknowledgement(Step::PaymentChange));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn remainder_goes_to_the_first_instalment() {
        let s = schedule(Fen(100_000), 3, BasisPoints(0), d(2026, 1, 15)).unwrap();
        let principals: Vec<i64> = s.iter().map(|i| i.principal.0).collect();
        assert_eq!(principals, vec![33_334, 33_333, 33_333]);
        assert_eq!(s[0].due, d(2026, 2, 15));
        assert_eq!(s[2].due, d(2026, 4, 15));
    }

    #[test]
    fn due_dates_clamp_to_month_end_without_drifting() {
        let s = schedule(Fen(60_000), 3, BasisPoints(0), d(2026, 1, 31)).unwrap();
        let dues: Vec<NaiveDate> = s.iter().map(|i| i.due).collect();
        assert_eq!(dues, vec![d(2026, 2, 28), d(2026, 3, 31), d(2026, 4, 30)]);
    }

    #[test]
    fn quote_for_twelve_months_at_point_six_percent() {
        // ¥3,333.33 at 0.6 % a month: fee 1 999.998 → 2 000 fen a month.
        let q = quote(
            Fen(333_333),
            Plan::Installment { months: 12 },
            BasisPoints(60),
            d(2026, 3, 1),
        )
        .unwrap();
        assert_eq!(q.monthly_fee, Fen(2_000));
        assert_eq!(q.fees, Fen(24_000));
        assert_eq!(q.total, Fen(357_333));
        assert_eq!(q.payments, 12);
        // 333 333 / 12 = 27 777 r 9
        assert_eq!(q.monthly, Fen(27_777 + 2_000));
        assert_eq!(q.first_amount, Fen(27_786 + 2_000));
        assert_eq!(q.first_due, d(2026, 4, 1));
        assert_eq!(q.last_due, d(2027, 3, 1));
    }

    #[test]
    fn full_payment_has_no_fees_and_one_payment() {
        let q = quote(Fen(129_900), Plan::Full, BasisPoints(60), d(2026, 3, 1)).unwrap();
        assert_eq!((q.fees, q.total, q.payments), (Fen(0), Fen(129_900), 1));
    }

    #[test]
    fn parse_refuses_unknown_plans_and_terms() {
        assert_eq!(Plan::parse("full", "99"), Ok(Plan::Full));
        assert_eq!(
            Plan::parse("installment", "12"),
            Ok(Plan::Installment { months: 12 })
        );
        assert_eq!(Plan::parse("installment", "5"), Err(PlanError::UnknownTerm));
        assert_eq!(Plan::parse("installment", ""), Err(PlanError::UnknownTerm));
        assert_eq!(Plan::parse("layaway", "3"), Err(PlanError::UnknownPlan));
    }

    #[test]
    fn installments_need_the_minimum_total() {
        let today = d(2026, 1, 1);
        let plan = Plan::Installment { months: 3 };
        assert_eq!(
            check_eligibility(Fen(29_999), plan, Fen(30_000), None, today),
            Err(PlanError::BelowMinimum {
                minimum: Fen(30_000)
            })
        );
        assert_eq!(
            check_eligibility(Fen(30_000), plan, Fen(30_000), None, today),
            Ok(())
        );
        assert_eq!(
            check_eligibility(Fen(100), Plan::Full, Fen(30_000), None, today),
            Ok(())
        );
    }

    #[test]
    fn a_card_expiring_before_the_last_due_date_cannot_carry_the_plan() {
        let today = d(2026, 1, 10);
        let expiry = CardExpiry {
            year: 2026,
            month: 6,
        };
        // 6 months: last due 2026-07-10, after the card's end of June.
        assert!(matches!(
            check_eligibility(
                Fen(50_000),
                Plan::Installment { months: 6 },
                Fen(30_000),
                Some(expiry),
                today
            ),
            Err(PlanError::CardExpiresTooSoon { .. })
        ));
        // 3 months: last due 2026-04-10, fine.
        assert_eq!(
            check_eligibility(
                Fen(50_000),
                Plan::Installment { months: 3 },
                Fen(30_000),
                Some(expiry),
                today
            ),
            Ok(())
        );
    }

    proptest! {
        #[test]
        fn instalments_add_up_to_the_total_to_the_fen(
            principal in 0i64..10_000_000_000,
            term_index in 0usize..4,
            rate in 0i32..500,
        ) {
            let months = TERMS[term_index];
            let today = d(2026, 5, 31);
            let items = schedule(Fen(principal), months, BasisPoints(rate), today).unwrap();
            let q = quote(Fen(principal), Plan::Installment { months }, BasisPoints(rate), today).unwrap();
            prop_assert_eq!(items.len() as u32, months);
            prop_assert_eq!(items.iter().map(|i| i.principal.0).sum::<i64>(), principal);
            prop_assert_eq!(items.iter().map(|i| i.amount().0).sum::<i64>(), q.total.0);
            prop_assert_eq!(q.total.0, principal + q.fees.0);
            // No instalment differs from another by more than the remainder.
            let max = items.iter().map(|i| i.principal.0).max().unwrap();
            let min = items.iter().map(|i| i.principal.0).min().unwrap();
            prop_assert!(max - min < i64::from(months));
            prop_assert!(items.windows(2).all(|w| w[0].due < w[1].due));
        }
    }
}
