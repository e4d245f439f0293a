//! Saved payment methods: kinds and the validation of a new one.

use std::str::FromStr;

use chrono::NaiveDate;

use super::card::{CardError, CardExpiry, mask_account_label, summarize_card_number};
use super::order::UnknownValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    CreditCard,
    DebitCard,
    Alipay,
    WechatPay,
}

impl MethodKind {
    pub const ALL: [MethodKind; 4] = [
        MethodKind::CreditCard,
        MethodKind::DebitCard,
        MethodKind::Alipay,
        MethodKind::WechatPay,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MethodKind::CreditCard => "credit_card",
            MethodKind::DebitCard => "debit_card",
            MethodKind::Alipay => "alipay",
            MethodKind::WechatPay => "wechat_pay",
        }
    }

    pub fn is_card(self) -> bool {
        matches!(self, MethodKind::CreditCard | MethodKind::DebitCard)
    }
}

impl FromStr for MethodKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MethodKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_string()))
    }
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
