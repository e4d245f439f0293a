//! Priority payment method, its impact on installment plans, and the collector.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::{Actor, TestApp, spawn_app};

/// A paid 3-month order of ¥1,000.00 charged to the account priority.
async fn paid_plan(app: &TestApp, s: &Actor, card: &str) -> String {
    let product = app.product(100_000, 10).await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    order_no
}

#[tokio::test]
async fn the_priority_preview_shows_each_plans_next_deduction_before_and_after() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let master = s.add_card("5555555555554444", "12/30").await;
    let order_no = paid_plan(&app, &s, &visa).await;

    s.post(&format!("/account/payment-methods/{master}/priority"), &[])
        .await
        .assert_redirect(&format!("/account/payment-methods?priority={master}"));
    let preview = s
        .get(&format!("/account/payment-methods?priority={master}"))
        .await;
    let row = format!("tr[data-impact-order=\"{order_no}\"]");
    let cells = preview.texts(&format!("{row} td"));
    assert_eq!(cells[1], "2026-12-23", "next deduction date");
    assert_eq!(preview.fen(&format!("{row} [data-fen]")), 33_334);
    assert!(
        cells[3].contains("1111") && cells[3].contains("4444"),
        "{cells:?}"
    );
    // Nothing changed yet.
    assert!(s.order(&order_no).await.texts("[data-repayment-method]")[0].contains("1111"));

    s.post(
        &format!("/account/payment-methods/{master}/priority"),
        &[("confirm", "on")],
    )
    .await
    .assert_redirect("/account/payment-methods");
    let order = s.order(&order_no).await;
    assert!(order.texts("[data-repayment-method]")[0].contains("4444"));
    assert!(order.texts(".timeline li")[0].contains("还款方式变更"));
}

#[tokio::test]
async fn the_collector_charges_instalments_as_they_fall_due() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let order_no = paid_plan(&app, &s, &visa).await;
    assert_eq!(app.run_jobs().await.charged, 0, "nothing is due yet");
    app.clock.advance(Duration::days(30));
    assert_eq!(
        app.run_jobs().await.charged,
        1,
        "the first instalment is due on 2026-12-23"
    );
    assert_eq!(app.run_jobs().await.charged, 0, "charged once");
    s.sign_in_again().await;
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attrs("tr[data-instalment]", "data-instalment-status"),
        vec!["paid", "due", "due"]
    );
    assert!(page.texts(".timeline li")[0].contains("第 1 期扣款成功"));
    assert_eq!(page.attr("[data-next-due]", "data-next-due"), "2027-01-23");
    let list = s.get("/orders").await;
    let row = format!(".order-row[data-order-no=\"{order_no}\"] [data-next-due]");
    assert_eq!(
        list.attr(&row, "data-next-due"),
        "2027-01-23",
        "我的订单 shows the next deduction"
    );
    assert_eq!(list.fen(&format!("{row} [data-fen]")), 33_333);
}

#[tokio::test]
async fn a_declined_instalment_goes_overdue_and_is_retried_later() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let good = s.add_card("4111111111111111", "12/30").await;
    let bad = s.add_card("4000000000000002", "12/30").await;
    let order_no = paid_plan(&app, &s, &good).await;
    s.post(
        &format!("/account/payment-methods/{bad}/priority"),
        &[("confirm", "on")],
    )
    .await;
    app.clock.advance(Duration::days(30));
    let report = app.run_jobs().await;
    assert_eq!((report.charged, report.declined), (0, 1));
    s.sign_in_again().await;
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attrs("tr[data-instalment]", "data-instalment-status")[0],
        "overdue"
    );
    assert!(page.texts(".timeline li")[0].contains("余额不足"));
    assert_eq!(page.attr("[data-overdue]", "data-overdue"), "1");
    assert!(page.texts("[data-overdue]")[0].contains("余额不足"));
    assert!(
        page.texts("[data-overdue]")[0].contains("2026-12-23 16:00"),
        "retry time shown: {:?}",
        page.texts("[data-overdue]")
    );
    assert_eq!(
        app.run_jobs().await.declined,
        0,
        "no retry before the retry time"
    );

    s.post(
        &format!("/account/payment-methods/{good}/priority"),
        &[("confirm", "on")],
    )
    .await;
    app.clock.advance(Duration::hours(7));
    assert_eq!(
        app.run_jobs().await.charged,
        1,
        "retried on the next run after the wait"
    );
    s.sign_in_again().await;
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attrs("tr[data-instalment]", "data-instalment-status")[0],
        "paid"
    );
}

#[tokio::test]
async fn removing_a_method_plans_depend_on_explains_or_is_refused() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let order_no = paid_plan(&app, &s, &visa).await;

    // The only method: plans depend on it and nothing can take over.
    s.post(&format!("/account/payment-methods/{visa}/remove"), &[])
        .await
        .assert_redirect(&format!("/account/payment-methods?remove={visa}"));
    let preview = s
        .get(&format!("/account/payment-methods?remove={visa}"))
        .await;
    assert!(preview.has("[data-remove-refused]"));
    s.post(
        &format!("/account/payment-methods/{visa}/remove"),
        &[("confirm", "on")],
    )
    .await
    .assert_redirect("/account/payment-methods");
    assert!(
        s.get("/account/payment-methods")
            .await
            .has(&format!("[data-method-id=\"{visa}\"]")),
        "refused"
    );

    // With another method, the preview names where the plan moves, and it moves.
    let master = s.add_card("5555555555554444", "12/30").await;
    let preview = s
        .get(&format!("/account/payment-methods?remove={visa}"))
        .await;
    let cells = preview.texts(&format!("tr[data-impact-order=\"{order_no}\"] td"));
    assert!(
        cells[3].contains("1111") && cells[3].contains("4444"),
        "{cells:?}"
    );
    s.post(
        &format!("/account/payment-methods/{visa}/remove"),
        &[("confirm", "on")],
    )
    .await
    .assert_redirect("/account/payment-methods");
    let methods = s.get("/account/payment-methods").await;
    assert_eq!(methods.attrs(".method-row", "data-method-id"), vec![master]);
    let order = s.order(&order_no).await;
    assert!(order.texts("[data-repayment-method]")[0].contains("4444"));
    assert_eq!(
        s.get("/account/payment-methods?remove=abc").await.status,
        StatusCode::OK
    );
}
