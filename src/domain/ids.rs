//! Typed ids, so a product id can never be passed where an order id belongs.
//! Plain newtypes: their database mapping lives in `db::types`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            /// A positive decimal id, as sent in a path or a form field.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse::<i32>().ok().filter(|n| *n > 0).map($name).ok_or(InvalidId)
            }
        }
    )*};
}

id_type!(
    UserId,
    CategoryId,
    ProductId,
    PaymentMethodId,
    OrderId,
    InstalmentId,
    TicketId
);

/// Not a positive decimal id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not an id")]
pub struct InvalidId;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_positive_numbers() {
        assert_eq!(" 7 ".parse::<OrderId>(), Ok(OrderId(7)));
        assert_eq!("0".parse::<OrderId>(), Err(InvalidId));
        assert_eq!("-3".parse::<ProductId>(), Err(InvalidId));
        assert_eq!("7a".parse::<UserId>(), Err(InvalidId));
    }
}
