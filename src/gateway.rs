//! Payments go through [`PaymentGateway`]. The built-in [`SandboxGateway`]
//! decides deterministically; a real provider would be another implementation.
//! Calls are keyed by a reference (the order number), so a provider can
//! refuse to charge the same reference twice.

use crate::domain::Fen;
use crate::domain::method::{MethodKind, PaymentMethod};

/// What the gateway needs to know about the method being charged.
#[derive(Debug, Clone)]
pub struct MethodDescriptor {
    pub kind: MethodKind,
    pub last4: Option<String>,
    pub account_label: Option<String>,
}

impl MethodDescriptor {
    pub fn of(m: &PaymentMethod) -> MethodDescriptor {
        MethodDescriptor {
            kind: m.kind,
            last4: m.last4.clone(),
            account_label: m.account_label.clone(),
        }
    }
}

/// Why the gateway is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargePurpose {
    /// Capture the order total now (paying in full).
    Payment,
    /// Authorize an installment plan of `amount` on the method; nothing is
    /// captured now — each instalment is captured on its due date.
    InstalmentAgreement,
    /// Capture one instalment that fell due.
    Instalment,
}

#[derive(Debug, Clone)]
pub struct ChargeRequest {
    /// Idempotency key: the order number (or order number and instalment).
    pub reference: String,
    pub amount: Fen,
    pub purpose: ChargePurpose,
    pub method: MethodDescriptor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Approved {
        transaction_id: String,
    },
    /// `reason` is a stable code shown through the message catalog.
    Declined {
        reason: String,
    },
}

pub trait PaymentGateway: Send + Sync + 'static {
    /// Blocking call; run it off the async workers and outside any transaction.
    fn charge(&self, request: &ChargeRequest) -> ChargeOutcome;
}

/// Approves everything except cards ending in `0002` (declined: insufficient
/// funds) and `0069` (declined: card expired at the issuer).
#[derive(Debug, Default, Clone, Copy)]
pub struct SandboxGateway;

impl PaymentGateway for SandboxGateway {
    fn charge(&self, request: &ChargeRequest) -> ChargeOutcome {
        match request.method.last4.as_deref() {
            Some("0002") => ChargeOutcome::Declined {
                reason: "insufficient_funds".into(),
            },
            Some("0069") => ChargeOutcome::Declined {
                reason: "expired_card".into(),
            },
            _ => ChargeOutcome::Approved {
                transaction_id: format!("sandbox-{}", request.reference),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(last4: Option<&str>) -> ChargeRequest {
        ChargeRequest {
            reference: "202611250000000001".into(),
            amount: Fen(100),
            purpose: ChargePurpose::Payment,
            method: MethodDescriptor {
                kind: MethodKind::CreditCard,
                last4: last4.map(Into::into),
                account_label: None,
            },
        }
    }

    #[test]
    fn sandbox_declines_cards_ending_in_0002_and_approves_others() {
        let g = SandboxGateway;
        assert!(matches!(
            g.charge(&request(Some("0002"))),
            ChargeOutcome::Declined { .. }
        ));
        assert!(matches!(
            g.charge(&request(Some("1111"))),
            ChargeOutcome::Approved { .. }
        ));
        assert!(matches!(
            g.charge(&request(None)),
            ChargeOutcome::Approved { .. }
        ));
    }
}
