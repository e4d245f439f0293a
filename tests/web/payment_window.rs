//! Unpaid orders close when their window passes: on read, and by the
//! background job whether or not anyone looks. Time comes from the test clock.

use chrono::Duration;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn an_expired_order_is_closed_on_read_and_releases_its_stock() {
    let app = spawn_app().await;
    let product = app.product(20_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 2).await;
    let order_no = s.checkout("full", "", &method).await;
    let page = s.order(&order_no).await;
    // Deadline shown: placed 10:00 Beijing, 30-minute window.
    assert!(
        page.texts(".notice")[0].contains("2026-11-23 10:30"),
        "{:?}",
        page.texts(".notice")
    );
    assert_eq!(app.stock_of(product).await, 3);

    app.clock.advance(Duration::minutes(29));
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
    app.clock.advance(Duration::minutes(1));
    assert_eq!(s.status_of(&order_no).await, "closed");
    assert_eq!(app.stock_of(product).await, 5);
    // Paying now is refused with a message.
    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "closed"
    );
    assert_eq!(page.texts(".flash").len(), 1);
    assert_eq!(app.stock_of(product).await, 5, "released once");
}

#[tokio::test]
async fn the_background_job_closes_expired_orders_nobody_looks_at() {
    let app = spawn_app().await;
    let product = app.product(20_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &method).await;
    assert_eq!(app.run_jobs().await.closed, 0);
    app.clock.advance(Duration::minutes(31));
    assert_eq!(app.run_jobs().await.closed, 1);
    assert_eq!(app.run_jobs().await.closed, 0, "closed once");
    assert_eq!(app.stock_of(product).await, 5);
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "closed"
    );
    assert!(
        page.texts(".timeline li")
            .iter()
            .any(|t| t.contains("超时未付款"))
    );
}

#[tokio::test]
async fn the_window_is_configurable() {
    let app = spawn_app_with(&["--payment-window-minutes", "5"], None).await;
    let product = app.product(20_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &method).await;
    app.clock.advance(Duration::minutes(5));
    assert_eq!(s.status_of(&order_no).await, "closed");
}
