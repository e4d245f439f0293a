//! Integration tests over HTTP, one module per capability.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod helpers;

mod accessibility;
mod accounts;
mod bench_seed;
mod catalog_cart;
mod checkout;
mod crash;
mod early_repayment;
mod expiry;
mod help;
mod http_methods;
mod integrity;
mod language;
mod ledger;
mod logs;
mod mail;
mod messages;
mod metrics;
mod orders;
mod paying;
mod payment_change;
mod payment_methods;
mod payment_window;
mod plan_method;
mod refunds;
mod repayment_center;
mod repayments;
mod run_contract;
mod scale_out;
mod security;
mod smtp_sink;
mod staff;
mod support;
mod unavailable;
