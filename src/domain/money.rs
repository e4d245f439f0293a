//! Money as integer fen (1/100 CNY). No floats anywhere near money: this module
//! denies float arithmetic, and every operation that could overflow is checked.
#![deny(clippy::float_arithmetic)]

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in fen. `Fen(129_900)` is ¥1,299.00.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_mul(self, n: i64) -> Option<Fen> {
        self.0.checked_mul(n).map(Fen)
    }

    /// `self × bp / 10 000`, rounded half up (0.5 fen → 1 fen).
    ///
    /// Example: ¥3,333.33 at 60 bp (0.6 %) is 333 333 × 60 / 10 000 = 1 999.998 fen,
    /// which rounds to 2 000 fen (¥20.00). Amounts are never negative here, so
    /// "half up" and "half away from zero" agree.
    pub fn percent_bp(self, bp: BasisPoints) -> Option<Fen> {
        let product = i128::from(self.0).checked_mul(i128::from(bp.0))?;
        let rounded = (product + 5_000).div_euclid(10_000);
        i64::try_from(rounded).ok().map(Fen)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// A rate in basis points: 1 bp = 0.01 %. 50 bp = 0.5 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BasisPoints(pub i32);

impl fmt::Display for BasisPoints {
    /// `50` → `0.50%`, `0` → `0%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0%");
        }
        write!(f, "{}.{:02}%", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Fen {
    /// `¥1,299.00`; negative amounts as `-¥5.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let fen = abs % 100;
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, ch) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}¥{grouped}.{fen:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_thousands_separators_and_two_decimals() {
        assert_eq!(Fen(129_900).to_string(), "¥1,299.00");
        assert_eq!(Fen(0).to_string(), "¥0.00");
        assert_eq!(Fen(5).to_string(), "¥0.05");
        assert_eq!(Fen(100_000_000).to_string(), "¥1,000,000.00");
        assert_eq!(Fen(99_999).to_string(), "¥999.99");
        assert_eq!(Fen(-500).to_string(), "-¥5.00");
    }

    #[test]
    fn percent_rounds_half_up() {
        assert_eq!(Fen(333_333).percent_bp(BasisPoints(60)), Some(Fen(2_000)));
        // 10 000 × 50 / 10 000 = 50 exactly
        assert_eq!(Fen(10_000).percent_bp(BasisPoints(50)), Some(Fen(50)));
        // 100 × 50 bp = 0.5 fen → 1 fen
        assert_eq!(Fen(100).percent_bp(BasisPoints(50)), Some(Fen(1)));
        // 99 × 50 bp = 0.495 fen → 0 fen
        assert_eq!(Fen(99).percent_bp(BasisPoints(50)), Some(Fen(0)));
        assert_eq!(Fen(i64::MAX).percent_bp(BasisPoints(20_000)), None);
    }

    #[test]
    fn only_amounts_below_zero_are_negative() {
        assert!(Fen(-1).is_negative());
        assert!(!Fen(0).is_negative());
        assert!(!Fen(1).is_negative());
    }

    #[test]
    fn rates_display_as_percent() {
        assert_eq!(BasisPoints(50).to_string(), "0.50%");
        assert_eq!(BasisPoints(65).to_string(), "0.65%");
        assert_eq!(BasisPoints(0).to_string(), "0%");
        assert_eq!(BasisPoints(125).to_string(), "1.25%");
    }
}
