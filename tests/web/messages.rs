//! Reminders and notices in the inbox (SPEC "Repayment center"): N days
//! before each deduction, after each charge and each decline; exactly once
//! per instalment and kind, across job runs and servers.

use chrono::Duration;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_reminder_comes_three_days_before_then_a_notice_after_the_charge_each_once() {
    let app = spawn_app().await;
    let b = app.second_server().await;
    let product = app.product(90_000, 5).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert!(s.get("/account/messages").await.has("[data-messages=none]"));

    // First due 2026-12-23: nothing on the 19th, a reminder from the 20th.
    app.clock.advance(Duration::days(26));
    b.clock.advance(Duration::days(26));
    assert_eq!(app.run_jobs().await.reminded, 0);
    app.clock.advance(Duration::days(1));
    b.clock.advance(Duration::days(1));
    let (ra, rb) = tokio::join!(app.run_jobs(), b.run_jobs());
    assert_eq!(ra.reminded + rb.reminded, 1, "{ra:?} {rb:?}");
    assert_eq!(app.run_jobs().await.reminded, 0, "once");
    s.sign_in_again().await;
    let inbox = s.get("/account/messages").await;
    assert_eq!(
        inbox.attrs("[data-message-kind]", "data-message-kind"),
        ["reminder"]
    );
    assert_eq!(inbox.attr("[data-message-kind]", "data-due"), "2026-12-23");
    assert_eq!(inbox.fen("[data-message-kind] [data-fen]"), 30_000);
    assert!(
        inbox.texts("[data-message-kind]")[0].contains("1111"),
        "names the method"
    );
    assert_eq!(inbox.attr("[data-unread]", "data-unread"), "1");
    assert_eq!(
        inbox.attrs("[data-message-kind] a", "href"),
        [format!("/orders/{order_no}#repayment-method")],
        "links to change the method"
    );
    // Every page's header shows the unread count.
    let orders = s.get("/orders").await;
    assert_eq!(orders.attr("[data-unread-count]", "data-unread-count"), "1");
    assert_eq!(orders.texts("[data-unread-count] .count-badge"), ["1"]);

    // The charge on the due date brings one notice.
    app.clock.advance(Duration::days(3));
    assert_eq!(app.run_jobs().await.charged, 1);
    app.run_jobs().await;
    s.sign_in_again().await;
    let inbox = s.get("/account/messages").await;
    assert_eq!(
        inbox.attrs("[data-message-kind]", "data-message-kind"),
        ["charged", "reminder"]
    );
    // Reading writes nothing; marking read does.
    s.post("/account/messages/read", &[])
        .await
        .assert_redirect("/account/messages");
    assert_eq!(
        s.get("/account/messages")
            .await
            .attr("[data-unread]", "data-unread"),
        "0"
    );
    let home = s.get("/").await;
    assert_eq!(home.attr("[data-unread-count]", "data-unread-count"), "0");
    assert!(!home.has(".count-badge"));
}

#[tokio::test]
async fn a_declined_deduction_sends_a_notice_naming_the_reason() {
    let app = spawn_app().await;
    let product = app.product(90_000, 5).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    let declining = s.add_card("4000000000000002", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    s.post(
        &format!("/account/payment-methods/{declining}/priority"),
        &[("confirm", "on")],
    )
    .await;
    app.clock.advance(Duration::days(31));
    assert_eq!(app.run_jobs().await.declined, 1);
    s.sign_in_again().await;
    let inbox = s.get("/account/messages").await;
    let kinds = inbox.attrs("[data-message-kind]", "data-message-kind");
    assert_eq!(kinds[0], "declined", "{kinds:?}");
    assert!(inbox.texts("[data-message-kind=declined]")[0].contains("余额不足"));
    assert!(inbox.texts("[data-message-kind=declined]")[0].contains("0002"));
}
