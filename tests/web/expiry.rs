//! The card-expiry rule applies to the method that actually pays the
//! instalments (SPEC "Which method pays an instalment": the pinned method,
//! else the priority), with the dates of the schedule that will be used
//! (issue "money integrity", findings 3 and 4).

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::{Actor, TestApp, spawn_app, spawn_app_with};

const GOOD: &str = "4111111111111111";
const SHORT: &str = "5555555555554444";

/// A paid 24-month plan of ¥1,000.00 (last due 2028-11-23), paid by the priority.
async fn paid_long_plan(app: &TestApp, s: &Actor, card: &str) -> String {
    let product = app.product(100_000, 10).await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "24", card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.status_of(&order_no).await, "paid");
    order_no
}

#[tokio::test]
async fn checkout_checks_the_expiry_of_the_priority_method_that_will_pay_the_instalments() {
    let app = spawn_app().await;
    let product = app.product(100_000, 10).await;
    let s = app.shopper().await;
    // The priority card expires 06/27; Alipay has no expiry.
    let _short = s.add_card(SHORT, "06/27").await;
    let alipay = s.add_wallet("alipay", "13912345678").await;
    s.add_to_cart(product, 1).await;
    let page = s
        .checkout_page(&[
            ("shipping_method", "standard"),
            ("plan", "installment"),
            ("term", "24"),
            ("payment_method_id", &alipay),
            ("acknowledge", "on"),
        ])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.error_fields(), ["plan"]);
    assert!(
        page.error_on("plan").contains("2028-11-23"),
        "{}",
        page.error_on("plan")
    );
    // A plan the card outlives is fine.
    let order_no = s.checkout("installment", "3", &alipay).await;
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
}

#[tokio::test]
async fn a_new_priority_that_expires_first_leaves_long_plans_on_their_method_and_says_so() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let good = s.add_card(GOOD, "12/30").await;
    let order_no = paid_long_plan(&app, &s, &good).await;
    let short = s.add_card(SHORT, "03/27").await;

    let preview = s
        .get(&format!("/account/payment-methods?priority={short}"))
        .await;
    let row = format!("tr[data-impact-order=\"{order_no}\"]");
    assert_eq!(preview.attr(&row, "data-impact-keeps"), "true");
    let cells = preview.texts(&format!("{row} td"));
    assert!(
        cells[3].contains("1111") && !cells[3].contains("4444"),
        "{cells:?}"
    );

    s.post(
        &format!("/account/payment-methods/{short}/priority"),
        &[("confirm", "on")],
    )
    .await
    .assert_redirect("/account/payment-methods");
    let order = s.order(&order_no).await;
    assert!(
        order.texts("[data-repayment-method]")[0].contains("1111"),
        "{:?}",
        order.texts("[data-repayment-method]")
    );
}

#[tokio::test]
async fn an_agent_cannot_switch_a_plan_to_a_card_that_expires_before_its_last_instalment() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let good = s.add_card(GOOD, "12/30").await;
    let order_no = paid_long_plan(&app, &s, &good).await;
    let short = s.add_card(SHORT, "03/27").await;
    let ticket = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &short),
                ("message", "please switch"),
                ("password", crate::helpers::SHOPPER_PASSWORD),
            ],
        )
        .await
        .location
        .expect("ticket");
    let ticket_no = ticket.trim_start_matches("/support/");
    let agent = app.staff().await;
    let page = agent
        .post_from(
            &format!("/staff/tickets/{ticket_no}"),
            &format!("/staff/tickets/{ticket_no}/resolve"),
            &[("outcome", "switched"), ("reply", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("2028-11-23"), "names the last due date");
    assert!(s.order(&order_no).await.texts("[data-repayment-method]")[0].contains("1111"));
}

#[tokio::test]
async fn removing_the_priority_moves_plans_to_the_next_method_that_lasts_long_enough() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let good = s.add_card(GOOD, "12/30").await;
    let _short = s.add_card(SHORT, "03/27").await;
    let _other = s.add_card("378282246310005", "12/31").await;
    let order_no = paid_long_plan(&app, &s, &good).await;

    s.post(
        &format!("/account/payment-methods/{good}/remove"),
        &[("confirm", "on")],
    )
    .await
    .assert_redirect("/account/payment-methods");
    let order = s.order(&order_no).await;
    let payer = order.texts("[data-repayment-method]")[0].clone();
    assert!(
        payer.contains("0005"),
        "not the card expiring 03/27: {payer}"
    );
}

#[tokio::test]
async fn paying_after_midnight_checks_the_plan_with_the_real_schedule() {
    // A 60-minute window: placed on 30 Nov at 23:50 Beijing time, the last of
    // 3 instalments would fall on 28 Feb (within a 02/27 card); paid after
    // midnight, the schedule starts on 1 Dec and ends on 1 Mar.
    let app = spawn_app_with(&["--payment-window-minutes", "60"], None).await;
    let product = app.product(100_000, 10).await;
    app.clock
        .advance(Duration::days(7) + Duration::hours(13) + Duration::minutes(50));
    let s = app.shopper().await;
    let card = s.add_card(SHORT, "02/27").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card).await;
    app.clock.advance(Duration::minutes(20));
    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-status]", "data-status"), "pending_payment");
    assert!(
        page.texts(".flash").concat().contains("2027-03-01"),
        "{:?}",
        page.texts(".flash")
    );
    assert!(
        app.gateway_calls_for(&order_no).await.is_empty(),
        "nothing sent"
    );
}
