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
use actix_web::{HttpResponse, guard, web};

use crate::error::AppError;
pub use crate::startup::AppState;

pub type State = web::Data<AppState>;

/// Largest accepted request body; larger ones get 413.
pub const BODY_LIMIT: usize = 16 * 1024;

// Every route, grouped by path. A `GET` route also answers `HEAD` (the
// body is left out); any other method on a known path gets `405 Method Not
// Allowed` with `Allow` listing the path's methods.
route_table! {
        "/" => { GET: catalog::index }
        "/products/{id}" => { GET: catalog::show_product }
        "/register" => { GET: accounts::register_form, POST: accounts::register }
        "/login" => { GET: accounts::login_form, POST: accounts::login }
        "/logout" => { POST: accounts::logout }
        "/cart" => { GET: cart::show_cart }
        "/cart/items" => { POST: cart::add_to_cart }
        "/cart/items/{product_id}" => { POST: cart::update_cart_item }
        "/cart/items/{product_id}/remove" => { POST: cart::remove_from_cart }
        "/checkout" => { GET: checkout::checkout_form, POST: checkout::checkout }
        "/orders" => { GET: orders::list_orders }
        "/orders/{order_no}" => { GET: orders::show_order }
        "/orders/{order_no}/pay" => { POST: orders::pay_order }
        "/orders/{order_no}/cancel" => { POST: orders::cancel_order }
        "/orders/{order_no}/buy-again" => { POST: orders::buy_again }
        "/orders/{order_no}/refund" => { POST: orders::refund_order }
        "/orders/{order_no}/change-payment" => { GET: payment_change::change_payment_form, POST: payment_change::change_payment }
        "/repayments" => { GET: repayments::repayment_center }
        "/account/messages" => { GET: messages::inbox }
        "/account/messages/read" => { POST: messages::mark_read }
        "/orders/{order_no}/repay" => { GET: repayments::repay_form, POST: repayments::repay }
        "/orders/{order_no}/repayment-method" => { POST: orders::switch_repayment_method }
        "/support" => { GET: support::list_tickets }
        "/support/new" => { GET: support::new_ticket_form, POST: support::new_ticket }
        "/support/{ticket_no}" => { GET: support::show_ticket }
        "/account/payment-methods" => { GET: payment_methods::list_methods, POST: payment_methods::add_method }
        "/account/payment-methods/{id}/priority" => { POST: payment_methods::make_priority }
        "/account/payment-methods/{id}/remove" => { POST: payment_methods::remove_method }
        "/staff" => { GET: staff::staff_home }
        "/staff/tickets/{ticket_no}" => { GET: staff::show_staff_ticket }
        "/staff/tickets/{ticket_no}/resolve" => { POST: staff::resolve_ticket }
        "/help" => { GET: help::help_index }
        "/help/search" => { GET: help::help_search }
        "/help/{slug}" => { GET: help::help_article }
        "/favicon.ico" => { GET: assets::favicon }
        "/healthz" => { GET: assets::healthz }
        "/readyz" => { GET: assets::readyz }
        "/static/{path:.*}" => { GET: assets::static_file }
}

/// `GET` (with `HEAD`) or `POST`.
macro_rules! route_for {
    (GET) => {
        web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
    };
    (POST) => {
        web::post()
    };
}
use route_for;

/// `routes` (the actix configuration) and `ROUTE_TABLE` (each path with its
/// methods, for tests that must cover every route) from one list.
macro_rules! route_table {
    ($($path:literal => { $($method:ident: $handler:expr),+ $(,)? })*) => {
        /// Every path and its methods (`HEAD` is implied by `GET`).
        pub const ROUTE_TABLE: &[(&str, &[&str])] = &[$(($path, &[$(stringify!($method)),+])),*];

        pub fn routes(cfg: &mut web::ServiceConfig) {
            let resources: Vec<(&'static str, MakeResource)> = vec![$(
                (
                    $path,
                    Box::new(|at: &str| {
                        web::resource(at.to_owned())
                            $(.route(route_for!($method).to($handler)))+
                            .default_service(web::to(|| async {
                                method_not_allowed(&[$(stringify!($method)),+])
                            }))
                    }),
                ),
            )*];
            register(cfg, resources);
        }
    };
}

/// Builds a route's resource at a path (its own, or the rest of it inside a scope).
type MakeResource = Box<dyn Fn(&str) -> actix_web::Resource>;

/// Registers the routes so that finding one is cheap: paths without
/// parameters first (matched by comparing strings), then the paths with
/// parameters grouped in one scope per first segment (`/orders`,
/// `/account`, …), so a request is matched against the patterns of its own
/// area only (each pattern is a regular expression).
fn register(cfg: &mut web::ServiceConfig, resources: Vec<(&'static str, MakeResource)>) {
    let mut areas: Vec<(&str, actix_web::Scope)> = Vec::new();
    for (path, resource) in resources {
        if !path.contains('{') {
            cfg.service(resource(path));
            continue;
        }
        let end = path[1..].find('/').map_or(path.len(), |i| i + 1);
        let (area, rest) = path.split_at(end);
        match areas.iter_mut().find(|(a, _)| *a == area) {
            Some((_, scope)) => {
                let taken = std::mem::replace(scope, web::scope(area));
                *scope = taken.service(resource(rest));
            }
            None => areas.push((area, web::scope(area).service(resource(rest)))),
        }
    }
    for (_, scope) in areas {
        cfg.service(scope);
    }
}

use route_table;

/// `405` with `Allow`: the path's methods (`HEAD` with `GET`).
fn method_not_allowed(methods: &[&str]) -> HttpResponse {
    let allow = methods
        .iter()
        .flat_map(|m| match *m {
            "GET" => vec!["GET", "HEAD"],
            other => vec![other],
        })
        .collect::<Vec<_>>()
        .join(", ");
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow))
        .content_type("text/plain; charset=utf-8")
        .body("405 Method Not Allowed")
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
