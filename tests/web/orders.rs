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

/// The order page's own part is rendered once and reused; what is per
/// request in it is still per request: the session's CSRF token in every
/// form, a fresh form token each view, the language asked for, the actions
/// of this moment (the pay button is gone once the window has passed).
#[tokio::test]
async fn a_reused_order_page_still_carries_this_requests_tokens_language_and_actions() {
    let app = spawn_app().await;
    let product = app.product(19_900, 5).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &card).await;

    let first = s.order(&order_no).await;
    let second = s.order(&order_no).await;
    let csrf = first.attrs("input[name=csrf_token]", "value");
    assert!(csrf.len() >= 3, "the logout, pay and cancel forms");
    assert!(
        csrf.iter().all(|t| t == &csrf[0] && t.len() >= 32),
        "{csrf:?}"
    );
    assert_eq!(second.attrs("input[name=csrf_token]", "value"), csrf);
    let tokens = |p: &crate::helpers::Page| p.attrs("input[name=form_token]", "value");
    let (once, again) = (tokens(&first), tokens(&second));
    assert!(!once.is_empty() && once.iter().all(|t| t == &once[0]));
    assert_ne!(once[0], again[0], "a fresh form token each view");
    assert!(!first.body.contains("Mark"), "no placeholder left");

    // Another shopper gets nothing of it (what is kept is kept per owner).
    let other = app.shopper().await;
    assert_eq!(
        other.get(&format!("/orders/{order_no}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The other language, then the first again: each as asked.
    let en = s.get(&format!("/orders/{order_no}?lang=en")).await;
    assert_eq!(en.texts(".crumbs a"), ["My orders"]);
    let zh = s.get(&format!("/orders/{order_no}?lang=zh")).await;
    assert_eq!(zh.texts(".crumbs a"), ["我的订单"]);

    // The same unchanged order, later: past its window it is closed, no pay button.
    assert!(zh.has(&format!("form[action='/orders/{order_no}/pay']")));
    app.clock.advance(Duration::hours(2));
    let later = s.order(&order_no).await;
    assert_eq!(later.attr("[data-status]", "data-status"), "closed");
    assert!(!later.has(&format!("form[action='/orders/{order_no}/pay']")));
}
