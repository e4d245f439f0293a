//! Storefront: a server-rendered storefront for buying outright or on
//! installments, with enforced payment-change rules.
//!
//! Layers point one way: `web` → `service` → `domain` + `db`.

rust_i18n::i18n!("src/locales", fallback = "zh-CN");

pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod gateway;
pub mod i18n;
pub mod mailer;
pub mod service;
pub mod session_store;
pub mod startup;
pub mod telemetry;
pub mod web;

pub use startup::Application;
