//! Saved payment methods: kinds and the validation of a new one.

use chrono::{NaiveDate, NaiveDateTime};

use super::card::{CardError, CardExpiry, mask_account_label, summarize_card_number};
use super::ids::{PaymentMethodId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    CreditCard,
    DebitCard,
    Alipay,
    WechatPay,
}

named_enum!(MethodKind {
    CreditCard => "credit_card",
    DebitCard => "debit_card",
    Alipay => "alipay",
    WechatPay => "wechat_pay",
});

impl MethodKind {
    pub fn is_card(self) -> bool {
        matches!(self, MethodKind::CreditCard | MethodKind::DebitCard)
    }
}

/// A saved payment method. Cards keep brand, last four and expiry only;
/// wallets a masked account label. Removal is soft, so past orders still
/// name the method they used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod {
    pub id: PaymentMethodId,
    pub user_id: UserId,
    pub kind: MethodKind,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub expiry_month: Option<i32>,
    pub expiry_year: Option<i32>,
    pub holder_name: Option<String>,
    pub account_label: Option<String>,
    /// Lowest first: the first live method is the priority method.
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

impl PaymentMethod {
    /// The card's expiry, for cards.
    pub fn expiry(&self) -> Option<CardExpiry> {
        match (self.expiry_year, self.expiry_month) {
            (Some(year), Some(month)) => u32::try_from(month)
                .ok()
                .map(|month| CardExpiry { year, month }),
            _ => None,
        }
    }

    /// `VISA •••• 1111` or the masked wallet account.
    pub fn describe(&self) -> String {
        match (&self.brand, &self.last4, &self.account_label) {
            (Some(brand), Some(last4), _) => format!("{} •••• {last4}", brand.to_uppercase()),
            (_, _, Some(label)) => label.clone(),
            _ => String::new(),
        }
    }

    pub fn is_live(&self) -> bool {
        self.removed_at.is_none()
    }
}

/// SPEC "Priority payment method": the first of the shopper's live methods,
/// in their order.
pub fn priority_method(live: &[PaymentMethod]) -> Option<&PaymentMethod> {
    live.first()
}

/// SPEC "Which method pays an instalment": the plan's pinned method while it
/// is still one of the shopper's live methods, else the priority method.
pub fn repayment_method(
    pinned: Option<PaymentMethodId>,
    live: &[PaymentMethod],
) -> Option<&PaymentMethod> {
    pinned
        .and_then(|id| live.iter().find(|m| m.id == id))
        .or_else(|| priority_method(live))
}

/// Whether `method` can carry a plan whose last instalment falls due on
/// `last_due` (SPEC "Money and plans": a card that expires before the last
/// instalment's due date cannot carry it; wallets do not expire).
pub fn can_carry(method: &PaymentMethod, last_due: NaiveDate) -> bool {
    method.expiry().is_none_or(|e| e.last_day() >= last_due)
}

/// Whether a plan follows the account's priority method (not pinned to one
/// of the shopper's live methods): changing the priority moves it.
pub fn follows_priority(pinned: Option<PaymentMethodId>, live: &[PaymentMethod]) -> bool {
    pinned.is_none_or(|id| !live.iter().any(|m| m.id == id))
}

/// A method ready to store: for cards only brand, last four, expiry and holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMethod {
    pub kind: MethodKind,
    pub brand: Option<&'static str>,
    pub last4: Option<String>,
    pub expiry: Option<CardExpiry>,
    pub holder_name: Option<String>,
    pub account_label: Option<String>,
}

/// Which field is wrong, and why (a catalog key suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodFieldError {
    Kind,
    CardNumber(CardError),
    Expiry(CardError),
    HolderName,
    AccountLabel,
}

/// Validates the add-method form. The card number is checked (Luhn) and
/// reduced to brand + last four; it goes no further than this function.
pub fn validate_new_method(
    kind: &str,
    card_number: &str,
    expiry: &str,
    holder_name: &str,
    account_label: &str,
    today: NaiveDate,
) -> Result<ValidMethod, Vec<MethodFieldError>> {
    let Ok(kind) = kind.parse::<MethodKind>() else {
        return Err(vec![MethodFieldError::Kind]);
    };
    let mut errors = Vec::new();
    if kind.is_card() {
        let summary = summarize_card_number(card_number)
            .map_err(|e| errors.push(MethodFieldError::CardNumber(e)));
        let expiry =
            CardExpiry::parse(expiry, today).map_err(|e| errors.push(MethodFieldError::Expiry(e)));
        let holder = holder_name.trim();
        if holder.is_empty() || holder.chars().count() > 60 {
            errors.push(MethodFieldError::HolderName);
        }
        match (summary, expiry) {
            (Ok(s), Ok(e)) if errors.is_empty() => Ok(ValidMethod {
                kind,
                brand: Some(s.brand),
                last4: Some(s.last4),
                expiry: Some(e),
                holder_name: Some(holder.to_string()),
                account_label: None,
            }),
            _ => Err(errors),
        }
    } else {
        let label = account_label.trim();
        let n = label.chars().count();
        if !(3..=64).contains(&n) || label.chars().any(char::is_control) {
            return Err(vec![MethodFieldError::AccountLabel]);
        }
        Ok(ValidMethod {
            kind,
            brand: None,
            last4: None,
            expiry: None,
            holder_name: None,
            account_label: Some(mask_account_label(label)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn a_valid_card_keeps_only_brand_last_four_and_expiry() {
        let m = validate_new_method(
            "credit_card",
            "4111 1111 1111 1111",
            "12/28",
            "Li Lei",
            "",
            today(),
        )
        .unwrap();
        assert_eq!(m.brand, Some("visa"));
        assert_eq!(m.last4.as_deref(), Some("1111"));
        assert_eq!(
            m.expiry,
            Some(CardExpiry {
                year: 2028,
                month: 12
            })
        );
        assert_eq!(m.account_label, None);
    }

    #[test]
    fn card_errors_are_reported_per_field() {
        let errs = validate_new_method("debit_card", "4111111111111112", "01/20", "", "", today())
            .unwrap_err();
        assert_eq!(
            errs,
            vec![
                MethodFieldError::CardNumber(CardError::Luhn),
                MethodFieldError::Expiry(CardError::Expired),
                MethodFieldError::HolderName
            ]
        );
    }

    fn saved(id: i32, label: &str) -> PaymentMethod {
        PaymentMethod {
            id: PaymentMethodId(id),
            user_id: UserId(1),
            kind: MethodKind::Alipay,
            brand: None,
            last4: None,
            expiry_month: None,
            expiry_year: None,
            holder_name: None,
            account_label: Some(label.to_owned()),
            position: id,
            created_at: NaiveDate::from_ymd_opt(2026, 1, 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
            removed_at: None,
        }
    }

    #[test]
    fn instalments_go_to_the_pinned_method_else_the_priority() {
        let live = [saved(1, "first"), saved(2, "second")];
        assert_eq!(repayment_method(None, &live).map(|m| m.id.0), Some(1));
        let pinned = Some(PaymentMethodId(2));
        assert_eq!(repayment_method(pinned, &live).map(|m| m.id.0), Some(2));
        // A pinned method that is gone (removed) falls back to the priority.
        let gone = Some(PaymentMethodId(9));
        assert_eq!(repayment_method(gone, &live).map(|m| m.id.0), Some(1));
        assert_eq!(repayment_method(pinned, &[]), None);
        assert!(follows_priority(None, &live));
        assert!(!follows_priority(pinned, &live));
        assert!(follows_priority(gone, &live));
    }

    #[test]
    fn cards_describe_brand_and_last_four_and_wallets_their_label() {
        let mut card = saved(1, "");
        card.account_label = None;
        card.brand = Some("visa".into());
        card.last4 = Some("1111".into());
        assert_eq!(card.describe(), "VISA •••• 1111");
        assert_eq!(saved(2, "138****5678").describe(), "138****5678");
    }

    #[test]
    fn wallets_store_a_masked_label() {
        let m = validate_new_method("alipay", "", "", "", "13812345678", today()).unwrap();
        assert_eq!(m.account_label.as_deref(), Some("138****5678"));
        assert_eq!(
            validate_new_method("wechat_pay", "", "", "", " ", today()),
            Err(vec![MethodFieldError::AccountLabel])
        );
        assert_eq!(
            validate_new_method("bitcoin", "", "", "", "x", today()),
            Err(vec![MethodFieldError::Kind])
        );
    }
}
