//! Pure rules: money, plans, orders, cards, accounts. No actix, diesel or
//! askama, no I/O, never the clock (`now`/`today` are arguments).

/// An enum whose variants have stable names (stored, sent in forms, used as
/// catalog keys): `ALL`, `as_str`, `Display` and a `FromStr` that refuses
/// anything else with [`order::UnknownValue`].
macro_rules! named_enum {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: [$ty; [$($name),*].len()] = [$($ty::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),*
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::domain::order::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)*
                    _ => Err($crate::domain::order::UnknownValue(s.to_string())),
                }
            }
        }
    };
}

pub mod account;
pub mod card;
pub mod catalog;
pub mod help;
pub mod ids;
pub mod mail;
pub mod message;
pub mod method;
pub mod money;
pub mod order;
pub mod payment;
pub mod payment_change;
pub mod plan;
pub mod repayment;
pub mod support;
pub mod timeline;

pub use money::{BasisPoints, Fen};
