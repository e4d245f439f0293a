//! Pricing shared by checkout and the change page: the fee-rate table, a
//! plan's rate, and the eligibility-checked quote.

use chrono::NaiveDateTime;

use super::Settings;
use crate::clock::local_date;
use crate::db::Conn;
use crate::db::orders;
use crate::domain::method::PaymentMethod;
use crate::domain::plan::{self, Plan, PlanError, Quote};
use crate::domain::{BasisPoints, Fen};
use crate::error::AppError;

/// The rate a plan carries in the table (0 for paying in full).
fn rate_of(terms: &[(u32, BasisPoints)], plan: Plan) -> Result<BasisPoints, PlanError> {
    match plan {
        Plan::Full => Ok(BasisPoints(0)),
        Plan::Installment { months } => terms
            .iter()
            .find(|(m, _)| *m == months)
            .map(|(_, r)| *r)
            .ok_or(PlanError::UnknownTerm),
    }
}

/// The quote for `plan`, after its eligibility check (minimum, and the
/// expiry of `payer`: the method that will pay the instalments — the
/// priority method for a new plan, SPEC "Which method pays an instalment" —
/// not the one chosen to pay the order).
pub fn eligible_quote(
    principal: Fen,
    plan: Plan,
    terms: &[(u32, BasisPoints)],
    payer: Option<&PaymentMethod>,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<Quote, PlanError> {
    let today = local_date(now);
    let rate = rate_of(terms, plan)?;
    plan::check_eligibility(
        principal,
        plan,
        settings.installment_minimum,
        payer.and_then(PaymentMethod::expiry),
        today,
    )?;
    plan::quote(principal, plan, rate, today)
}

/// The fee-rate table: (months, monthly rate), shortest first.
pub fn list_terms(conn: &mut Conn) -> Result<Vec<(u32, BasisPoints)>, AppError> {
    Ok(orders::list_terms(conn)?
        .into_iter()
        .filter_map(|(m, bp)| u32::try_from(m).ok().map(|m| (m, bp)))
        .collect())
}
