//! Per-plan repayment method (SPEC "Repayment center"): one paid plan moves
//! to another saved method and is pinned there; refused within 3 days of the
//! next deduction (unless overdue) and when the method expires first.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::{Actor, TestApp, spawn_app};

async fn paid_plan(app: &TestApp, s: &Actor, card: &str, term: &str) -> String {
    let product = app.product(120_000, 5).await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", term, card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    order_no
}

fn switch(order_no: &str) -> String {
    format!("/orders/{order_no}/repayment-method")
}

#[tokio::test]
async fn a_plan_moves_to_another_method_and_stays_there_when_the_priority_changes() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let master = s.add_card("5555555555554444", "12/30").await;
    let amex = s.add_card("378282246310005", "12/31").await;
    let order_no = paid_plan(&app, &s, &visa, "3").await;

    let refused = s
        .post(&switch(&order_no), &[("payment_method_id", &master)])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no acknowledgement"
    );
    assert_eq!(refused.error_fields(), ["payment_method_id"]);

    s.post(
        &switch(&order_no),
        &[("payment_method_id", &master), ("acknowledge", "on")],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert!(page.texts("[data-repayment-method]")[0].contains("4444"));
    // Pinned: a new priority leaves it where it is, and the preview says so.
    let preview = s
        .get(&format!("/account/payment-methods?priority={amex}"))
        .await;
    assert!(!preview.has(&format!("tr[data-impact-order=\"{order_no}\"]")));
    s.post(
        &format!("/account/payment-methods/{amex}/priority"),
        &[("confirm", "on")],
    )
    .await;
    assert!(s.order(&order_no).await.texts("[data-repayment-method]")[0].contains("4444"));
}

#[tokio::test]
async fn within_three_days_of_a_deduction_it_is_refused_naming_the_date_unless_overdue() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let master = s.add_card("5555555555554444", "12/30").await;
    let order_no = paid_plan(&app, &s, &visa, "3").await;
    app.clock.advance(Duration::days(28));
    s.sign_in_again().await;
    let page = s
        .post(
            &switch(&order_no),
            &[("payment_method_id", &master), ("acknowledge", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.error_on("payment_method_id").contains("2026-12-23"));
    assert!(page.has(&format!("a[href=\"/support/new?order={order_no}\"]")));
    assert!(s.order(&order_no).await.texts("[data-repayment-method]")[0].contains("1111"));
}

#[tokio::test]
async fn an_overdue_plan_may_always_switch_and_its_instalment_is_retried_on_the_new_method() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let declining = s.add_card("4000000000000002", "12/30").await;
    let order_no = paid_plan(&app, &s, &visa, "3").await;
    // The plan follows the priority, which becomes the card that declines.
    s.post(
        &format!("/account/payment-methods/{declining}/priority"),
        &[("confirm", "on")],
    )
    .await;
    app.clock.advance(Duration::days(31));
    assert_eq!(app.run_jobs().await.declined, 1);
    s.sign_in_again().await;
    s.post(
        &switch(&order_no),
        &[("payment_method_id", &visa), ("acknowledge", "on")],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    // Retried at once on the new method, not 6 hours later.
    assert_eq!(app.run_jobs().await.charged, 1);
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("tr[data-instalment=\"1\"]", "data-instalment-status"),
        "paid"
    );
}

#[tokio::test]
async fn a_method_that_expires_before_the_last_instalment_cannot_carry_the_plan() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let short = s.add_card("5555555555554444", "03/27").await;
    let order_no = paid_plan(&app, &s, &visa, "12").await;
    let page = s
        .post(
            &switch(&order_no),
            &[("payment_method_id", &short), ("acknowledge", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.error_on("payment_method_id").contains("2027-11-23"));
}
