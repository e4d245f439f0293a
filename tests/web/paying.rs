//! Paying through the gateway: approvals, declines that leave the order
//! unpaid, retries, and the repayment schedule of installment orders.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use reqwest::StatusCode;
use storefront::error::AppError;
use storefront::gateway::{GatewayOutcome, GatewayRequest, PaymentGateway};

use crate::helpers::{join_all, spawn_app, spawn_app_with};

#[tokio::test]
async fn paying_in_full_marks_the_order_paid_and_records_it() {
    let app = spawn_app().await;
    let product = app.product(59_900, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &method).await;
    let before = s.order(&order_no).await;
    assert!(before.has(&format!("form[action=\"/orders/{order_no}/pay\"]")));

    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "paid"
    );
    assert!(
        !page.has(&format!("form[action=\"/orders/{order_no}/pay\"]")),
        "no pay button once paid"
    );
    assert!(
        !page.has(&format!("form[action=\"/orders/{order_no}/cancel\"]")),
        "no cancel button once paid"
    );
    // created, the ledger entry (capture succeeded), paid
    assert_eq!(page.texts(".timeline li").len(), 3);
    assert_eq!(page.attrs("[data-payment]", "data-payment"), ["capture"]);
    assert_eq!(
        page.fen("[data-payment=capture][data-payment-state=succeeded] [data-fen]"),
        59_900
    );
    assert!(
        !page.has("tr[data-instalment]"),
        "no schedule for a full payment"
    );
    assert_eq!(app.stock_of(product).await, 4, "stock stays taken");

    // Paying again is a clear message, not an error, and no second entry.
    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(page.texts(".flash").len(), 1);
    assert_eq!(page.texts(".timeline li").len(), 3);
    assert_eq!(page.attrs("[data-payment]", "data-payment").len(), 1);
}

#[tokio::test]
async fn a_declined_card_leaves_the_order_unpaid_and_says_why() {
    let app = spawn_app().await;
    let product = app.product(59_900, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4000000000000002", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &method).await;
    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "pending_payment"
    );
    assert!(
        page.texts(".flash-error")[0].contains("余额不足"),
        "{:?}",
        page.texts(".flash")
    );
    assert!(
        page.has(&format!("form[action=\"/orders/{order_no}/pay\"]")),
        "retry is offered"
    );
    assert_eq!(
        page.texts(".timeline li").len(),
        3,
        "created + ledger entry + declined"
    );
    assert!(page.has("[data-payment=capture][data-payment-state=failed]"));
}

/// Declines the first charge, approves the rest: a retry must work.
struct FlakyGateway(AtomicUsize);

impl PaymentGateway for FlakyGateway {
    fn execute(&self, request: &GatewayRequest) -> Result<GatewayOutcome, AppError> {
        Ok(if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            GatewayOutcome::Declined {
                reason: "insufficient_funds".into(),
            }
        } else {
            GatewayOutcome::Approved {
                reference: format!("t-{}", request.key),
            }
        })
    }

    fn lookup(&self, _key: &str) -> Result<Option<GatewayOutcome>, AppError> {
        Ok(None)
    }
}

#[tokio::test]
async fn a_retry_after_a_decline_pays_the_order() {
    let app = spawn_app_with(&[], Some(Arc::new(FlakyGateway(AtomicUsize::new(0))))).await;
    let product = app.product(59_900, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &method).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.status_of(&order_no).await, "paid");
}

#[tokio::test]
async fn paying_an_installment_order_creates_a_schedule_that_adds_up() {
    let app = spawn_app().await;
    let product = app.product(100_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &method).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "paid"
    );
    let amounts: Vec<i64> = (1..=3)
        .map(|k| {
            let cells = page.attrs(
                &format!("tr[data-instalment=\"{k}\"] [data-fen]"),
                "data-fen",
            );
            cells[2].parse().unwrap()
        })
        .collect();
    assert_eq!(amounts, vec![33_334, 33_333, 33_333]);
    assert_eq!(
        amounts.iter().sum::<i64>(),
        page.fen("[data-total] [data-fen]")
    );
    assert_eq!(
        page.attrs("tr[data-instalment]", "data-instalment-status"),
        vec!["due"; 3]
    );
    // First due one month after payment (2026-11-23 in Beijing).
    assert_eq!(page.attr("[data-next-due]", "data-next-due"), "2026-12-23");
}

#[tokio::test]
async fn racing_pay_requests_pay_once() {
    let app = spawn_app().await;
    let product = app.product(59_900, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "6", &method).await;
    let token = s.token_from("/orders").await;
    let pays = (0..20).map(|_| {
        let (s, token, path) = (s.clone(), token.clone(), format!("/orders/{order_no}/pay"));
        async move { s.post_raw(&path, &[("csrf_token", &token)]).await.status }
    });
    let statuses = join_all(pays).await;
    assert!(
        statuses.iter().all(|st| *st == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "paid"
    );
    let paid_entries = page
        .texts(".timeline li")
        .iter()
        .filter(|t| t.contains("支付成功"))
        .count();
    assert_eq!(paid_entries, 1, "one paid entry");
    assert_eq!(
        page.attrs("tr[data-instalment]", "data-instalment").len(),
        6,
        "one schedule"
    );
}
