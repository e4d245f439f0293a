//! 我的订单: tabs with counts, 10 a page newest first; cancel releases stock once.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::{join_all, spawn_app};

#[tokio::test]
async fn tabs_count_each_state_and_pages_hold_ten_newest_first() {
    let app = spawn_app().await;
    let product = app.product(1_000, 99).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    let mut numbers = Vec::new();
    for _ in 0..12 {
        s.add_to_cart(product, 1).await;
        numbers.push(s.checkout("full", "", &method).await);
        app.clock.advance(Duration::seconds(1));
    }
    s.post(&format!("/orders/{}/pay", numbers[0]), &[]).await;
    s.post(&format!("/orders/{}/cancel", numbers[1]), &[]).await;

    let page = s.get("/orders").await;
    let count = |tab: &str| page.attr(&format!("[data-tab=\"{tab}\"]"), "data-count");
    assert_eq!(count(""), "12");
    assert_eq!(count("pending_payment"), "10");
    assert_eq!(count("paid"), "1");
    assert_eq!(count("cancelled"), "1");
    assert_eq!(count("shipped"), "0");
    let listed = page.attrs(".order-row", "data-order-no");
    let newest_first: Vec<String> = numbers.iter().rev().take(10).cloned().collect();
    assert_eq!(listed, newest_first);

    let second = s.get("/orders?page=2").await;
    assert_eq!(
        second.attrs(".order-row", "data-order-no"),
        vec![numbers[1].clone(), numbers[0].clone()]
    );

    let paid = s.get("/orders?status=paid").await;
    assert_eq!(paid.attrs(".order-row", "data-status"), vec!["paid"]);
    let cancelled = s.get("/orders?status=cancelled").await;
    assert_eq!(
        cancelled.attrs(".order-row", "data-order-no"),
        vec![numbers[1].clone()]
    );
    // Absurd page numbers and unknown tabs are not errors.
    assert_eq!(s.get("/orders?page=999").await.status, StatusCode::OK);
    assert_eq!(
        s.get("/orders?page=-4&status=bogus").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn closed_orders_show_under_the_cancelled_tab() {
    let app = spawn_app().await;
    let product = app.product(1_000, 9).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &method).await;
    app.clock.advance(Duration::minutes(45));
    let page = s.get("/orders?status=cancelled").await;
    assert_eq!(page.attrs(".order-row", "data-order-no"), vec![order_no]);
    assert_eq!(page.attrs(".order-row", "data-status"), vec!["closed"]);
}

#[tokio::test]
async fn cancelling_an_unpaid_order_releases_stock_and_records_the_reason() {
    let app = spawn_app().await;
    let product = app.product(10_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 2).await;
    let order_no = s.checkout("full", "", &method).await;
    assert_eq!(app.stock_of(product).await, 3);
    s.post(&format!("/orders/{order_no}/cancel"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "cancelled"
    );
    assert_eq!(app.stock_of(product).await, 5);
    assert!(page.texts(".timeline li")[0].contains("订单取消"));
    assert!(!page.has(&format!("form[action=\"/orders/{order_no}/pay\"]")));
    // A paid order cannot be cancelled by the shopper.
    s.add_to_cart(product, 1).await;
    let paid = s.checkout("full", "", &method).await;
    s.post(&format!("/orders/{paid}/pay"), &[]).await;
    s.post(&format!("/orders/{paid}/cancel"), &[])
        .await
        .assert_redirect(&format!("/orders/{paid}"));
    assert_eq!(s.status_of(&paid).await, "paid");
}

#[tokio::test]
async fn racing_cancels_release_stock_exactly_once() {
    let app = spawn_app().await;
    let product = app.product(10_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 3).await;
    let order_no = s.checkout("full", "", &method).await;
    let token = s.token_from("/orders").await;
    let cancels = (0..20).map(|_| {
        let (s, token, path) = (
            s.clone(),
            token.clone(),
            format!("/orders/{order_no}/cancel"),
        );
        async move { s.post_raw(&path, &[("csrf_token", &token)]).await.status }
    });
    let statuses = join_all(cancels).await;
    assert!(
        statuses.iter().all(|st| *st == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(
        app.stock_of(product).await,
        5,
        "released once, never above the start"
    );
    let page = s.order(&order_no).await;
    assert_eq!(
        page.texts(".timeline li")
            .iter()
            .filter(|t| t.contains("订单取消"))
            .count(),
        1
    );
}

#[tokio::test]
async fn racing_checkouts_never_oversell() {
    let app = spawn_app().await;
    let product = app.product(10_000, 3).await;
    let mut shoppers = Vec::new();
    for _ in 0..6 {
        let s = app.shopper().await;
        let method = s.add_card("4111111111111111", "12/30").await;
        s.add_to_cart(product, 1).await;
        shoppers.push((s, method));
    }
    let attempts = shoppers.into_iter().map(|(s, method)| async move {
        s.checkout_page(&[("plan", "full"), ("payment_method_id", &method)])
            .await
            .status
    });
    let statuses = join_all(attempts).await;
    let placed = statuses
        .iter()
        .filter(|st| **st == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses
        .iter()
        .filter(|st| **st == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((placed, refused), (3, 3), "{statuses:?}");
    assert_eq!(app.stock_of(product).await, 0);
}
