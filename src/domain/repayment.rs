//! Repaying a plan early (SPEC "Repayment center"): what `next` and `all`
//! charge. Pure: the instalments and `today` are arguments.
//!
//! # Settlement rule
//! - `next` pays the next unpaid instalment in full: its principal and fee.
//! - `all` settles the plan: the remaining principal of every unpaid
//!   instalment, plus the fees of instalments already due (due on or before
//!   today); the fees of instalments not yet due are waived.
//!
//! Example: ¥1,200.00 over 12 months at 0.60 % a month (fee ¥7.20 a month),
//! paid on 23 Nov; on 10 Jan the first instalment (23 Dec) is paid, none
//! overdue. `all` charges the remaining principal 11 × ¥100.00 = ¥1,100.00 and
//! no fee (the next due date, 23 Jan, is still ahead): ¥1,100.00, with
//! 11 × ¥7.20 = ¥79.20 waived.

use chrono::NaiveDate;

use super::money::Fen;
use super::order::Instalment;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Next,
    All,
}

named_enum!(Scope {
    Next => "next",
    All => "all",
});

/// What an early repayment charges, instalment by instalment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub scope: Scope,
    /// Each covered instalment with the fee charged and the fee waived.
    pub lines: Vec<SettledLine>,
    pub principal: Fen,
    pub fees: Fen,
    pub waived: Fen,
    pub total: Fen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettledLine {
    pub instalment: Instalment,
    pub fee_charged: Fen,
    pub fee_waived: Fen,
}

/// The settlement of `scope` over a plan's instalments (any order, paid ones
/// ignored); `None` when nothing is left to pay.
pub fn settle(instalments: &[Instalment], scope: Scope, today: NaiveDate) -> Option<Settlement> {
    let mut open: Vec<&Instalment> = instalments.iter().filter(|i| i.status.is_open()).collect();
    open.sort_by_key(|i| i.seq);
    let covered: Vec<&Instalment> = match scope {
        Scope::Next => open.into_iter().take(1).collect(),
        Scope::All => open,
    };
    if covered.is_empty() {
        return None;
    }
    let lines: Vec<SettledLine> = covered
        .into_iter()
        .map(|i| {
            let charged = scope == Scope::Next || i.due_on <= today;
            let (fee_charged, fee_waived) = if charged {
                (i.fee_fen, Fen::ZERO)
            } else {
                (Fen::ZERO, i.fee_fen)
            };
            SettledLine {
                instalment: i.clone(),
                fee_charged,
                fee_waived,
            }
        })
        .collect();
    let sum = |f: fn(&SettledLine) -> i64| Fen(lines.iter().map(f).fold(0i64, i64::saturating_add));
    let principal = sum(|l| l.instalment.principal_fen.0);
    let fees = sum(|l| l.fee_charged.0);
    let waived = sum(|l| l.fee_waived.0);
    Some(Settlement {
        scope,
        principal,
        fees,
        waived,
        total: Fen(principal.0.saturating_add(fees.0)),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{InstalmentId, OrderId};
    use crate::domain::money::BasisPoints;
    use crate::domain::order::InstalmentStatus;
    use crate::domain::plan::schedule;

    fn plan(principal: i64, months: u32, bp: i32) -> Vec<Instalment> {
        let paid_on = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        schedule(Fen(principal), months, BasisPoints(bp), paid_on)
            .unwrap()
            .into_iter()
            .map(|s| Instalment {
                id: InstalmentId(i32::try_from(s.seq).unwrap()),
                order_id: OrderId(1),
                seq: i32::try_from(s.seq).unwrap(),
                due_on: s.due,
                principal_fen: s.principal,
                fee_fen: s.fee,
                status: InstalmentStatus::Due,
                paid_at: None,
                attempts: 0,
                last_error: None,
                next_attempt_at: None,
            })
            .collect()
    }

    fn day(m: u32, d: u32, y: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn next_pays_the_next_instalment_in_full() {
        let p = plan(100_000, 3, 0);
        let s = settle(&p, Scope::Next, day(11, 30, 2026)).unwrap();
        assert_eq!(s.lines.len(), 1);
        assert_eq!(
            (s.principal, s.fees, s.total),
            (Fen(33_334), Fen(0), Fen(33_334))
        );
        let p = plan(120_000, 12, 60);
        let s = settle(&p, Scope::Next, day(11, 30, 2026)).unwrap();
        assert_eq!(
            (s.principal, s.fees, s.waived),
            (Fen(10_000), Fen(720), Fen(0))
        );
    }

    #[test]
    fn all_charges_the_remaining_principal_and_only_the_fees_already_due() {
        // The worked example of the module doc, on 3, 6, 12 and 24 months.
        for (months, bp) in [(3u32, 0), (6, 50), (12, 60), (24, 65)] {
            let mut p = plan(120_000, months, bp);
            p[0].status = InstalmentStatus::Paid;
            let fee = Fen(120_000).percent_bp(BasisPoints(bp)).unwrap();
            let remaining: i64 = p[1..].iter().map(|i| i.principal_fen.0).sum();
            // On 10 Jan nothing unpaid is due yet: every remaining fee is waived.
            let s = settle(&p, Scope::All, day(1, 10, 2027)).unwrap();
            assert_eq!(s.principal, Fen(remaining), "{months}");
            assert_eq!(s.fees, Fen(0), "{months}");
            assert_eq!(s.waived.0, fee.0 * i64::from(months - 1), "{months}");
            assert_eq!(s.total, Fen(remaining), "{months}");
            // On 23 Jan the second instalment is due: its fee is charged.
            let s = settle(&p, Scope::All, day(1, 23, 2027)).unwrap();
            assert_eq!(s.fees, fee, "{months}");
            assert_eq!(s.total.0, remaining + fee.0, "{months}");
            assert_eq!(s.fees.0 + s.waived.0, fee.0 * i64::from(months - 1));
        }
    }

    #[test]
    fn nothing_left_settles_nothing() {
        let mut p = plan(100_000, 3, 0);
        for i in &mut p {
            i.status = InstalmentStatus::Paid;
        }
        assert_eq!(settle(&p, Scope::All, day(1, 1, 2027)), None);
        assert_eq!(settle(&p, Scope::Next, day(1, 1, 2027)), None);
    }
}
