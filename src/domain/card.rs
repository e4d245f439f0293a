//! Card numbers and expiry dates. A number is checked (digits, length, Luhn)
//! and reduced to brand + last four; the full number is never kept.

use std::fmt;

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("card number must be 12 to 19 digits")]
    Format,
    #[error("card number fails the checksum")]
    Luhn,
    #[error("expiry must be MM/YY")]
    ExpiryFormat,
    #[error("card has expired")]
    Expired,
}

/// What is kept of a card: brand and last four digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSummary {
    pub brand: &'static str,
    pub last4: String,
}

/// Checks a card number (spaces and dashes allowed) and returns only its summary.
pub fn summarize_card_number(input: &str) -> Result<CardSummary, CardError> {
    let digits: Vec<u8> = input
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_digit(10).map(|d| d as u8).ok_or(CardError::Format))
        .collect::<Result<_, _>>()?;
    if !(12..=19).contains(&digits.len()) {
        return Err(CardError::Format);
    }
    if !luhn_valid(&digits) {
        return Err(CardError::Luhn);
    }
    let last4 = digits[digits.len() - 4..]
        .iter()
        .map(|d| char::from(b'0' + d))
        .collect();
    Ok(CardSummary {
        brand: brand_of(&digits),
        last4,
    })
}

/// The Luhn (mod 10) checksum over decimal digits.
pub fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn brand_of(digits: &[u8]) -> &'static str {
    let prefix = |n: usize| {
        digits
            .iter()
            .take(n)
            .fold(0u32, |acc, d| acc * 10 + u32::from(*d))
    };
    match (prefix(1), prefix(2), prefix(4)) {
        (4, _, _) => "visa",
        (_, 51..=55, _) | (_, _, 2221..=2720) => "mastercard",
        (_, 34 | 37, _) => "amex",
        (_, 62, _) => "unionpay",
        (_, 35, _) => "jcb",
        _ => "card",
    }
}

/// A card's expiry: valid through the last day of `month`/`year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardExpiry {
    pub year: i32,
    pub month: u32,
}

impl CardExpiry {
    /// Parses `MM/YY` (also `MM/YYYY`) and refuses a month already past on `today`.
    pub fn parse(input: &str, today: NaiveDate) -> Result<CardExpiry, CardError> {
        let (mm, yy) = input
            .trim()
            .split_once('/')
            .ok_or(CardError::ExpiryFormat)?;
        let month: u32 = mm.trim().parse().map_err(|_| CardError::ExpiryFormat)?;
        let yy = yy.trim();
        let year: i32 = match yy.len() {
            2 => 2000 + yy.parse::<i32>().map_err(|_| CardError::ExpiryFormat)?,
            4 => yy.parse().map_err(|_| CardError::ExpiryFormat)?,
            _ => return Err(CardError::ExpiryFormat),
        };
        if !(1..=12).contains(&month) {
            return Err(CardError::ExpiryFormat);
        }
        let expiry = CardExpiry { year, month };
        if expiry.is_expired(today) {
            return Err(CardError::Expired);
        }
        Ok(expiry)
    }

    /// The last day on which the card may be charged.
    pub fn last_day(self) -> NaiveDate {
        let (y, m) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn is_expired(self, today: NaiveDate) -> bool {
        (self.year, self.month) < (today.year(), today.month())
    }
}

impl fmt::Display for CardExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}", self.month, self.year % 100)
    }
}

/// Masks a wallet account label: `13812345678` → `138****5678`,
/// `alice@example.com` → `a***@example.com`.
pub fn mask_account_label(input: &str) -> String {
    let s = input.trim();
    if let Some((user, domain)) = s.split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 4 {
        return "****".to_string();
    }
    let head: String = chars.iter().take(3.min(chars.len() - 4)).collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn accepts_valid_numbers_and_keeps_only_brand_and_last_four() {
        let s = summarize_card_number("4111 1111 1111 1111").unwrap();
        assert_eq!((s.brand, s.last4.as_str()), ("visa", "1111"));
        let s = summarize_card_number("5555-5555-5555-4444").unwrap();
        assert_eq!((s.brand, s.last4.as_str()), ("mastercard", "4444"));
        assert_eq!(
            summarize_card_number("6212345678901232").unwrap().brand,
            "unionpay"
        );
    }

    #[test]
    fn refuses_luhn_failures_and_malformed_numbers() {
        assert_eq!(
            summarize_card_number("4111111111111112"),
            Err(CardError::Luhn)
        );
        assert_eq!(summarize_card_number("4111-abcd"), Err(CardError::Format));
        assert_eq!(summarize_card_number("42"), Err(CardError::Format));
        assert_eq!(summarize_card_number(""), Err(CardError::Format));
    }

    #[test]
    fn expiry_parses_and_refuses_past_months() {
        assert_eq!(
            CardExpiry::parse("12/28", today()),
            Ok(CardExpiry {
                year: 2028,
                month: 12
            })
        );
        assert_eq!(
            CardExpiry::parse("11/26", today()),
            Ok(CardExpiry {
                year: 2026,
                month: 11
            })
        );
        assert_eq!(CardExpiry::parse("10/26", today()), Err(CardError::Expired));
        assert_eq!(
            CardExpiry::parse("13/28", today()),
            Err(CardError::ExpiryFormat)
        );
        assert_eq!(
            CardExpiry::parse("1228", today()),
            Err(CardError::ExpiryFormat)
        );
    }

    #[test]
    fn expiry_last_day_is_the_end_of_the_month() {
        let e = CardExpiry {
            year: 2028,
            month: 2,
        };
        assert_eq!(e.last_day(), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        let e = CardExpiry {
            year: 2028,
            month: 12,
        };
        assert_eq!(e.last_day(), NaiveDate::from_ymd_opt(2028, 12, 31).unwrap());
    }

    #[test]
    fn wallet_labels_are_masked() {
        assert_eq!(mask_account_label("13812345678"), "138****5678");
        assert_eq!(mask_account_label("alice@example.com"), "a***@example.com");
        assert_eq!(mask_account_label("abc"), "****");
    }
}
