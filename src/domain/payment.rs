//! The payment ledger (SPEC "Payment ledger"): every call to the gateway is
//! an entry written before the call and completed after it. Purposes,
//! states, idempotency keys and the ledger's sums are pure rules here.

use chrono::NaiveDateTime;

use super::ids::{InstalmentId, OrderId, PaymentMethodId};
use super::money::Fen;

/// Why the gateway is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Paying an installment order authorizes the plan on the method;
    /// nothing is captured then.
    AuthorizePlan,
    /// Paying in full captures the total.
    Capture,
    /// One instalment captured when it falls due (or repaid early).
    Instalment,
    /// Cancels an authorization or a capture not yet settled.
    Void,
    /// Gives captured money back.
    Refund,
}

named_enum!(Purpose {
    AuthorizePlan => "authorize_plan",
    Capture => "capture",
    Instalment => "instalment",
    Void => "void",
    Refund => "refund",
});

impl Purpose {
    /// Paying the order itself (not an instalment, not a reversal).
    pub fn is_order_payment(self) -> bool {
        matches!(self, Purpose::AuthorizePlan | Purpose::Capture)
    }

    /// Money moves from the shopper to the shop.
    pub fn takes_money(self) -> bool {
        matches!(self, Purpose::Capture | Purpose::Instalment)
    }

    /// A void or refund, reversing an earlier payment.
    pub fn is_reversal(self) -> bool {
        matches!(self, Purpose::Void | Purpose::Refund)
    }
}

/// Where a ledger entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentState {
    /// Written before the call; the answer is not known yet (in flight, or
    /// cut off by a crash until reconciliation).
    Requested,
    Succeeded,
    Failed,
}

named_enum!(PaymentState {
    Requested => "requested",
    Succeeded => "succeeded",
    Failed => "failed",
});

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: i32,
    pub order_id: OrderId,
    pub instalment_id: Option<InstalmentId>,
    pub purpose: Purpose,
    pub amount_fen: Fen,
    pub method_id: PaymentMethodId,
    /// The gateway deduplicates by this: the same key never charges twice.
    pub idempotency_key: String,
    pub state: PaymentState,
    /// The provider's reference, once it approved.
    pub gateway_ref: Option<String>,
    /// The decline code (a `decline.*` catalog key suffix), once it declined.
    pub failure: Option<String>,
    pub attempts: i32,
    /// For a void or refund: the entry it reverses.
    pub reverses_id: Option<i32>,
    pub requested_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
}

impl Payment {
    pub fn is_in_flight(&self) -> bool {
        self.state == PaymentState::Requested
    }
}

/// Idempotency keys: one per attempt, stable across retries of that attempt.
///
/// - paying an order from its page: `pay:{order_no}:{form token}` — a
///   retried submit (double click, back button, a retry after a crash)
///   reuses the key, so the gateway answers it once;
/// - paying without a form token: `pay:{order_no}:#{n}`, `n` the attempt;
/// - an instalment: `instalment:{order_no}:{seq}:#{attempt}`;
/// - a reversal: `{void|refund}:{key of the entry it reverses}`, and
///   `…#{n}` for the n-th try after earlier ones failed.
pub fn order_payment_key(order_no: &str, token: Option<&str>, attempt: i64) -> String {
    match token {
        Some(t) => format!("pay:{order_no}:{t}"),
        None => format!("pay:{order_no}:#{attempt}"),
    }
}

pub fn instalment_key(order_no: &str, seq: i32, attempt: i32) -> String {
    format!("instalment:{order_no}:{seq}:#{attempt}")
}

/// An early repayment: `repay:{order_no}:{scope}:{form token}` (or `#n`).
pub fn early_repayment_key(
    order_no: &str,
    scope: &str,
    token: Option<&str>,
    attempt: i64,
) -> String {
    match token {
        Some(t) => format!("repay:{order_no}:{scope}:{t}"),
        None => format!("repay:{order_no}:{scope}:#{attempt}"),
    }
}

pub fn reversal_key(purpose: Purpose, reversed_key: &str, attempt: i64) -> String {
    match attempt {
        ..=1 => format!("{}:{reversed_key}", purpose.as_str()),
        n => format!("{}:{reversed_key}#{n}", purpose.as_str()),
    }
}

/// What the ledger says an order's shopper has paid: money taken (captures
/// and instalments that succeeded) less money given back (refunds, and voids
/// of captures, that succeeded). Authorizations move no money.
pub fn net_taken(entries: &[Payment]) -> Fen {
    let signed = |p: &Payment| -> i64 {
        if p.state != PaymentState::Succeeded {
            return 0;
        }
        match p.purpose {
            Purpose::Capture | Purpose::Instalment => p.amount_fen.0,
            Purpose::Refund => -p.amount_fen.0,
            Purpose::Void => {
                let reversed = p
                    .reverses_id
                    .and_then(|id| entries.iter().find(|e| e.id == id));
                match reversed {
                    Some(r) if r.purpose.takes_money() => -p.amount_fen.0,
                    _ => 0,
                }
            }
            Purpose::AuthorizePlan => 0,
        }
    };
    Fen(entries.iter().map(signed).fold(0i64, i64::saturating_add))
}

/// What undoing an order gives back (SPEC "Refund before shipping"): every
/// succeeded capture and instalment is refunded to its method, a succeeded
/// plan authorization is voided; entries already reversed (a reversal in
/// flight or succeeded) are left alone. Oldest first.
pub fn to_reverse(entries: &[Payment]) -> Vec<(&Payment, Purpose)> {
    let reversed = |p: &Payment| {
        entries.iter().any(|r| {
            r.reverses_id == Some(p.id)
                && matches!(r.state, PaymentState::Requested | PaymentState::Succeeded)
        })
    };
    entries
        .iter()
        .filter(|p| p.state == PaymentState::Succeeded && !reversed(p))
        .filter_map(|p| match p.purpose {
            Purpose::Capture | Purpose::Instalment => Some((p, Purpose::Refund)),
            Purpose::AuthorizePlan => Some((p, Purpose::Void)),
            Purpose::Void | Purpose::Refund => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn entry(id: i32, purpose: Purpose, fen: i64, state: PaymentState) -> Payment {
        Payment {
            id,
            order_id: OrderId(1),
            instalment_id: None,
            purpose,
            amount_fen: Fen(fen),
            method_id: PaymentMethodId(1),
            idempotency_key: format!("k{id}"),
            state,
            gateway_ref: None,
            failure: None,
            attempts: 1,
            reverses_id: None,
            requested_at: NaiveDate::from_ymd_opt(2026, 11, 29)
                .unwrap()
                .and_hms_opt(1, 0, 0)
                .unwrap(),
            completed_at: None,
        }
    }

    #[test]
    fn keys_are_stable_per_attempt_and_distinct_between_attempts() {
        assert_eq!(order_payment_key("2026", Some("tok"), 1), "pay:2026:tok");
        assert_eq!(order_payment_key("2026", Some("tok"), 2), "pay:2026:tok");
        assert_ne!(
            order_payment_key("2026", None, 1),
            order_payment_key("2026", None, 2)
        );
        assert_ne!(instalment_key("2026", 1, 1), instalment_key("2026", 1, 2));
        assert_ne!(instalment_key("2026", 1, 1), instalment_key("2026", 2, 1));
        assert_eq!(
            reversal_key(Purpose::Void, "pay:2026:tok", 1),
            "void:pay:2026:tok"
        );
        assert_eq!(
            reversal_key(Purpose::Refund, "pay:2026:tok", 2),
            "refund:pay:2026:tok#2"
        );
    }

    #[test]
    fn only_succeeded_money_moves_count_and_reversals_give_it_back() {
        use PaymentState::*;
        let mut void = entry(3, Purpose::Void, 500, Succeeded);
        void.reverses_id = Some(1);
        let entries = [
            entry(1, Purpose::Capture, 500, Succeeded),
            entry(2, Purpose::Capture, 700, Failed),
            void,
        ];
        assert_eq!(net_taken(&entries), Fen(0));
        assert_eq!(net_taken(&entries[..2]), Fen(500));
        let mut auth_void = entry(5, Purpose::Void, 9_000, Succeeded);
        auth_void.reverses_id = Some(4);
        let plan = [
            entry(4, Purpose::AuthorizePlan, 9_000, Succeeded),
            entry(6, Purpose::Instalment, 750, Succeeded),
            entry(7, Purpose::Instalment, 750, Requested),
            auth_void,
            entry(8, Purpose::Refund, 750, Succeeded),
        ];
        // The authorization and its void move no money; the refund gives the instalment back.
        assert_eq!(net_taken(&plan), Fen(0));
    }

    #[test]
    fn undoing_an_order_refunds_what_was_taken_and_voids_the_authorization() {
        use PaymentState::*;
        let mut refunded = entry(5, Purpose::Refund, 750, Succeeded);
        refunded.reverses_id = Some(2);
        let mut failed_refund = entry(6, Purpose::Refund, 750, Failed);
        failed_refund.reverses_id = Some(3);
        let entries = [
            entry(1, Purpose::AuthorizePlan, 9_000, Succeeded),
            entry(2, Purpose::Instalment, 750, Succeeded),
            entry(3, Purpose::Instalment, 750, Succeeded),
            entry(4, Purpose::Instalment, 750, Failed),
            refunded,
            failed_refund,
        ];
        let plan: Vec<(i32, Purpose)> = to_reverse(&entries)
            .into_iter()
            .map(|(p, purpose)| (p.id, purpose))
            .collect();
        // 2 is refunded already; 3's refund failed, so it is refunded again; 4 took nothing.
        assert_eq!(plan, vec![(1, Purpose::Void), (3, Purpose::Refund)]);
        let full = [entry(7, Purpose::Capture, 12_000, Succeeded)];
        assert_eq!(to_reverse(&full)[0].1, Purpose::Refund);
        assert!(to_reverse(&[entry(8, Purpose::Capture, 1, Requested)]).is_empty());
    }

    #[test]
    fn purposes_say_what_they_do() {
        assert!(Purpose::Capture.is_order_payment() && Purpose::Capture.takes_money());
        assert!(Purpose::AuthorizePlan.is_order_payment() && !Purpose::AuthorizePlan.takes_money());
        assert!(Purpose::Instalment.takes_money() && !Purpose::Instalment.is_order_payment());
        assert!(Purpose::Void.is_reversal() && Purpose::Refund.is_reversal());
        for p in Purpose::ALL {
            assert_eq!(p.as_str().parse::<Purpose>(), Ok(p));
        }
    }
}
