//! Pure rules: money, plans, orders, cards, accounts. No actix, diesel or
//! askama, no I/O, never the clock (`now`/`today` are arguments).

pub mod account;
pub mod card;
pub mod catalog;
pub mod help;
pub mod ids;
pub mod method;
pub mod money;
pub mod order;
pub mod payment_change;
pub mod plan;
pub mod support;
pub mod timeline;

pub use money::{BasisPoints, Fen};
