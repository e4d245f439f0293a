//! The yardstick for the order page (`scripts/bench.sh`): about the least an
//! actix-web + askama + diesel app can do to show one order with its items —
//! a pooled SQLite connection, two queries, one template — on the same
//! database file as the storefront. No session, no sign-in, no owner check,
//! no ledger, timeline or schedule. The storefront's order page is measured
//! against it in the same run.
//!
//!   cargo run --release --example plain_order -- DATABASE ADDR

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use storefront::db::schema::{order_items, orders};

type DbPool = Pool<ConnectionManager<SqliteConnection>>;

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>订单 {{ order_no }}</title></head>
<body><main>
<h1>订单 {{ order_no }}</h1>
<p>状态：{{ status }}</p>
<table>
{% for (name, price, quantity) in items %}<tr><td>{{ name }}</td><td>¥{{ price / 100 }}.{{ "{:02}"|format(price % 100) }}</td><td>{{ quantity }}</td></tr>
{% endfor %}</table>
<p>合计：¥{{ total / 100 }}.{{ "{:02}"|format(total % 100) }}</p>
</main></body></html>"#
)]
struct OrderPage {
    order_no: String,
    status: String,
    total: i64,
    items: Vec<(String, i64, i32)>,
}

fn load(pool: &DbPool, order_no: &str) -> anyhow::Result<Option<OrderPage>> {
    let mut conn = pool.get()?;
    let found = orders::table
        .filter(orders::order_no.eq(order_no))
        .select((orders::id, orders::status, orders::total_fen))
        .first::<(i32, String, i64)>(&mut conn)
        .optional()?;
    let Some((id, status, total)) = found else {
        return Ok(None);
    };
    let items = order_items::table
        .filter(order_items::order_id.eq(id))
        .select((
            order_items::name_zh,
            order_items::unit_price_fen,
            order_items::quantity,
        ))
        .load(&mut conn)?;
    Ok(Some(OrderPage {
        order_no: order_no.to_owned(),
        status,
        total,
        items,
    }))
}

async fn show(pool: web::Data<DbPool>, path: web::Path<String>) -> actix_web::Result<HttpResponse> {
    let pool = pool.into_inner();
    let page = web::block(move || load(&pool, &path))
        .await?
        .map_err(actix_web::error::ErrorInternalServerError)?;
    match page {
        Some(p) => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(
                p.render()
                    .map_err(actix_web::error::ErrorInternalServerError)?,
            )),
        None => Ok(HttpResponse::NotFound().finish()),
    }
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let database = args.next().unwrap_or_else(|| "storefront.db".to_owned());
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let pool = Pool::builder()
        .max_size(8)
        .build(ConnectionManager::<SqliteConnection>::new(database))?;
    HttpServer::new(move || {
        App::new()
            .app_data(web::Data::new(pool.clone()))
            .route("/orders/{order_no}", web::get().to(show))
    })
    .bind(bind)?
    .run()
    .await?;
    Ok(())
}
