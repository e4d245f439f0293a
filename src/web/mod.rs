//! HTTP: routes, middleware and one module per area. Handlers extract, parse,
//! call a service, then render or answer `303`; no SQL and no rules here.

pub mod accounts;
pub mod assets;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod ctx;
pub mod extract;
pub mod forms;
pub mod help;
pub mod messages;
pub mod middleware;
pub mod orders;
pub mod payment_change;
pub mod payment_methods;
pub mod repayments;
pub mod rich;
pub mod staff;
pub mod support;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::error::AppError;
pub use crate::startup::AppState;

pub type State = web::Data<AppState>;

/// Largest accepted request body; larger ones get 413.
pub const BODY_LIMIT: usize = 16 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/", get().to(catalog::index))
        .route("/products/{id}", get().to(catalog::show_product))
        .route("/register", get().to(accounts::register_form))
        .route("/register", post().to(accounts::register))
        .route("/login", get().to(accounts::login_form))
        .route("/login", post().to(accounts::login))
        .route("/logout", post().to(accounts::logout))
        .route("/cart", get().to(cart::show_cart))
        .route("/cart/items", post().to(cart::add_to_cart))
        .route(
            "/cart/items/{product_id}",
            post().to(cart::update_cart_item),
        )
        .route(
            "/cart/items/{product_id}/remove",
            post().to(cart::remove_from_cart),
        )
        .route("/checkout", get().to(checkout::checkout_form))
        .route("/checkout", post().to(checkout::checkout))
        .route("/orders", get().to(orders::list_orders))
        .route("/orders/{order_no}", get().to(orders::show_order))
        .route("/orders/{order_no}/pay", post().to(orders::pay_order))
        .route("/orders/{order_no}/cancel", post().to(orders::cancel_order))
        .route("/orders/{order_no}/buy-again", post().to(orders::buy_again))
        .route("/orders/{order_no}/refund", post().to(orders::refund_order))
        .route(
            "/orders/{order_no}/change-payment",
            get().to(payment_change::change_payment_form),
        )
        .route(
            "/orders/{order_no}/change-payment",
            post().to(payment_change::change_payment),
        )
        .route("/repayments", get().to(repayments::repayment_center))
        .route("/account/messages", get().to(messages::inbox))
        .route("/account/messages/read", post().to(messages::mark_read))
        .route("/orders/{order_no}/repay", get().to(repayments::repay_form))
        .route("/orders/{order_no}/repay", post().to(repayments::repay))
        .route(
            "/orders/{order_no}/repayment-method",
            post().to(orders::switch_repayment_method),
        )
        .route("/support", get().to(support::list_tickets))
        .route("/support/new", get().to(support::new_ticket_form))
        .route("/support/new", post().to(support::new_ticket))
        .route("/support/{ticket_no}", get().to(support::show_ticket))
        .route(
            "/account/payment-methods",
            get().to(payment_methods::list_methods),
        )
        .route(
            "/account/payment-methods",
            post().to(payment_methods::add_method),
        )
        .route(
            "/account/payment-methods/{id}/priority",
            post().to(payment_methods::make_priority),
        )
        .route(
            "/account/payment-methods/{id}/remove",
            post().to(payment_methods::remove_method),
        )
        .route("/staff", get().to(staff::staff_home))
        .route(
            "/staff/tickets/{ticket_no}",
            get().to(staff::show_staff_ticket),
        )
        .route(
            "/staff/tickets/{ticket_no}/resolve",
            post().to(staff::resolve_ticket),
        )
        .route("/help", get().to(help::help_index))
        .route("/help/search", get().to(help::help_search))
        .route("/help/{slug}", get().to(help::help_article))
        .route("/healthz", get().to(assets::healthz))
        .route("/readyz", get().to(assets::readyz))
        .route("/static/{path:.*}", get().to(assets::static_file));
}

pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// `303 See Other` to `location`.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Parses a numeric id from the path; anything else is a plain 404.
pub fn parse_id(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound)
}
