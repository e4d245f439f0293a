//! Money never moves without a ledger row (SPEC "Payment ledger"; issue
//! "money integrity", findings 1, 2 and 5): pay claims the order first, a
//! pay cut off by a crash completes on retry or by reconciliation, and
//! instalments are charged once however many collectors run.

use reqwest::StatusCode;
use storefront::domain::payment::PaymentState;
use storefront::service::Settings;
use storefront::service::orders::{Begun, begin_payment};

use crate::helpers::{Actor, TestApp, join_all, spawn_app, spawn_app_with};

/// A shopper with an unpaid full-payment order of `price` (one unit).
async fn unpaid_order(app: &TestApp, price: i64, card: &str) -> (Actor, String, String) {
    let product = app.product(price, 50).await;
    let s = app.shopper().await;
    let method = s.add_card(card, "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &method).await;
    (s, order_no, method)
}

fn settings() -> Settings {
    Settings {
        payment_window: chrono::Duration::minutes(30),
        installment_minimum: storefront::domain::Fen(30_000),
        reminder_days: 3,
    }
}

#[tokio::test]
async fn a_cancel_racing_a_pay_never_leaves_money_taken_on_a_cancelled_order() {
    // The gateway takes 300 ms: a cancel sent 50 ms after the pay lands while
    // the payment is in flight.
    let app = spawn_app_with(&["--sandbox-latency-ms", "300"], None).await;
    for _ in 0..6 {
        let (s, order_no, _) = unpaid_order(&app, 59_900, "4111111111111111").await;
        let token = s.token_from("/orders").await;
        let pay = {
            let (s, token, path) = (s.clone(), token.clone(), format!("/orders/{order_no}/pay"));
            async move {
                s.post_raw(&path, &[("csrf_token", &token), ("form_token", "payAAA")])
                    .await
                    .status
            }
        };
        let cancel = {
            let (s, token, path) = (
                s.clone(),
                token.clone(),
                format!("/orders/{order_no}/cancel"),
            );
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                s.post_raw(
                    &path,
                    &[("csrf_token", &token), ("form_token", "cancelBBB")],
                )
                .await
                .status
            }
        };
        let (paid, cancelled) = tokio::join!(tokio::spawn(pay), tokio::spawn(cancel));
        assert_eq!(paid.unwrap(), StatusCode::SEE_OTHER);
        assert_eq!(cancelled.unwrap(), StatusCode::SEE_OTHER);

        let page = s.order(&order_no).await;
        let status = page.attr("[data-order-no][data-status]", "data-status");
        let captured: i64 = page
            .attrs(
                "[data-payment=capture][data-payment-state=succeeded] [data-fen]",
                "data-fen",
            )
            .iter()
            .map(|f| f.parse::<i64>().unwrap())
            .sum();
        let voided: i64 = page
            .attrs(
                "[data-payment=void][data-payment-state=succeeded] [data-fen]",
                "data-fen",
            )
            .iter()
            .map(|f| f.parse::<i64>().unwrap())
            .sum();
        match status.as_str() {
            "paid" => assert_eq!((captured, voided), (59_900, 0), "{order_no}"),
            "cancelled" => assert_eq!(captured - voided, 0, "{order_no}: nothing kept"),
            other => panic!("{order_no} ended {other}"),
        }
        let charges = app.gateway_calls_for(&order_no).await;
        assert!(charges.len() <= 1, "{charges:?}");
    }
}

#[tokio::test]
async fn concurrent_pays_with_different_tokens_make_one_gateway_call() {
    let app = spawn_app_with(&["--sandbox-latency-ms", "100"], None).await;
    let (s, order_no, _) = unpaid_order(&app, 59_900, "4111111111111111").await;
    let token = s.token_from("/orders").await;
    let pays = (0..12).map(|i| {
        let (s, token, path) = (s.clone(), token.clone(), format!("/orders/{order_no}/pay"));
        async move {
            let form_token = format!("tok{i}");
            s.post_raw(
                &path,
                &[("csrf_token", &token), ("form_token", &form_token)],
            )
            .await
            .status
        }
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
    let calls = app.gateway_calls_for(&order_no).await;
    assert_eq!(calls.len(), 1, "one key reached the gateway: {calls:?}");
    assert_eq!(calls[0].calls, 1, "and once");
    assert_eq!(page.attrs("[data-payment]", "data-payment"), ["capture"]);
}

/// Writes the `requested` entry exactly as a pay POST would, then "crashes":
/// the gateway is never called (or, with `charge`, called without the
/// answer being recorded).
async fn pay_cut_off(app: &TestApp, s: &Actor, order_no: &str, token: &str, charge: bool) {
    let (user, no, token) = (s.user_id(app).await, order_no.to_owned(), token.to_owned());
    let now = app.clock_now();
    let begun = app
        .db
        .write(move |conn| begin_payment(conn, &settings(), user, &no, Some(&token), now))
        .await
        .unwrap();
    let Begun::Call(call) = begun else {
        panic!("payment did not begin: {begun:?}");
    };
    if charge {
        let gateway = app.gateway.clone();
        tokio::task::spawn_blocking(move || gateway.execute(&call.request).unwrap())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_pay_cut_off_by_a_crash_completes_when_the_same_form_is_sent_again() {
    let app = spawn_app().await;
    for charged_before_the_crash in [false, true] {
        let (s, order_no, _) = unpaid_order(&app, 59_900, "4111111111111111").await;
        pay_cut_off(&app, &s, &order_no, "retryTok", charged_before_the_crash).await;
        let before = s.order(&order_no).await;
        assert_eq!(
            before.attr("[data-status]", "data-status"),
            "pending_payment"
        );
        assert!(before.has("[data-payment=capture][data-payment-state=requested]"));

        // The shopper presses pay again: the same form, the same token.
        let token = s.token_from("/orders").await;
        s.post_raw(
            &format!("/orders/{order_no}/pay"),
            &[("csrf_token", &token), ("form_token", "retryTok")],
        )
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
        let page = s.order(&order_no).await;
        assert_eq!(
            page.attr("[data-status]", "data-status"),
            "paid",
            "{order_no}"
        );
        assert!(
            !page.texts(".flash").concat().contains("已提交"),
            "not 'already submitted': {:?}",
            page.texts(".flash")
        );
        let calls = app.gateway_calls_for(&order_no).await;
        assert_eq!(calls.len(), 1, "one charge at the gateway");
        let expected_calls = if charged_before_the_crash { 2 } else { 1 };
        assert_eq!(calls[0].calls, expected_calls, "the retry reused the key");
        assert_eq!(
            page.attrs("[data-payment]", "data-payment-state"),
            [PaymentState::Succeeded.as_str()]
        );
    }
}

#[tokio::test]
async fn reconciliation_finishes_payments_left_requested_by_a_crash() {
    let app = spawn_app().await;
    // Charged at the gateway, answer lost: reconciliation pays the order.
    let (s, charged, _) = unpaid_order(&app, 59_900, "4111111111111111").await;
    pay_cut_off(&app, &s, &charged, "crashA", true).await;
    // Never reached the gateway: reconciliation fails the entry; the order
    // stays payable and a new attempt pays it.
    let (t, lost, _) = unpaid_order(&app, 39_900, "4111111111111111").await;
    pay_cut_off(&app, &t, &lost, "crashB", false).await;

    // Not yet: the entries may still be in flight.
    assert_eq!(app.run_jobs().await.reconciled, 0);
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(app.run_jobs().await.reconciled, 2);

    let page = s.order(&charged).await;
    assert_eq!(page.attr("[data-status]", "data-status"), "paid");
    assert_eq!(
        app.gateway_calls_for(&charged).await[0].calls,
        1,
        "no second call"
    );
    let page = t.order(&lost).await;
    assert_eq!(page.attr("[data-status]", "data-status"), "pending_payment");
    assert!(page.has("[data-payment=capture][data-payment-state=failed]"));
    t.post(&format!("/orders/{lost}/pay"), &[]).await;
    assert_eq!(t.status_of(&lost).await, "paid");
    assert_eq!(app.run_jobs().await.reconciled, 0, "nothing left");
}

#[tokio::test]
async fn an_unpaid_order_with_a_payment_in_flight_is_not_closed_under_it() {
    let app = spawn_app().await;
    let (s, order_no, _) = unpaid_order(&app, 59_900, "4111111111111111").await;
    pay_cut_off(&app, &s, &order_no, "late", true).await;
    // The window passes while the answer is lost; the job reconciles first.
    app.clock.advance(chrono::Duration::minutes(31));
    let report = app.run_jobs().await;
    assert_eq!((report.reconciled, report.closed), (1, 0));
    assert_eq!(s.status_of(&order_no).await, "paid");
}

#[tokio::test]
async fn two_collectors_at_once_charge_an_instalment_once_and_a_retry_uses_a_new_key() {
    let app = spawn_app().await;
    let product = app.product(120_000, 5).await;
    let s = app.shopper().await;
    let good = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &good).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.status_of(&order_no).await, "paid");

    // The first instalment falls due; two collectors run at the same moment.
    app.clock.advance(chrono::Duration::days(31));
    let (a, b) = tokio::join!(app.run_jobs(), app.run_jobs());
    assert_eq!(a.charged + b.charged, 1, "{a:?} {b:?}");
    let charges: Vec<_> = app
        .gateway_calls_for(&order_no)
        .await
        .into_iter()
        .filter(|e| e.idempotency_key.starts_with("instalment:"))
        .collect();
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(charges[0].calls, 1);
    s.sign_in_again().await;
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attrs(
            "[data-payment=instalment][data-payment-state=succeeded]",
            "data-payment"
        )
        .len(),
        1
    );
    assert_eq!(
        page.attr("tr[data-instalment=\"1\"]", "data-instalment-status"),
        "paid"
    );
}

#[tokio::test]
async fn a_declined_instalment_is_retried_later_under_a_new_key() {
    let app = spawn_app().await;
    let product = app.product(120_000, 5).await;
    let s = app.shopper().await;
    let good = s.add_card("4111111111111111", "12/30").await;
    let declining = s.add_card("4000000000000002", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &good).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    s.post(
        &format!("/account/payment-methods/{declining}/priority"),
        &[("confirm", "on")],
    )
    .await;

    app.clock.advance(chrono::Duration::days(31));
    assert_eq!(app.run_jobs().await.declined, 1);
    assert_eq!(
        app.run_jobs().await.declined,
        0,
        "not before the retry time"
    );
    app.clock.advance(chrono::Duration::hours(7));
    assert_eq!(app.run_jobs().await.declined, 1);
    let keys: Vec<String> = app
        .gateway_calls_for(&order_no)
        .await
        .into_iter()
        .filter(|e| e.idempotency_key.starts_with("instalment:"))
        .map(|e| {
            assert_eq!(e.calls, 1);
            e.idempotency_key
        })
        .collect();
    assert_eq!(
        keys,
        [
            format!("instalment:{order_no}:1:#1"),
            format!("instalment:{order_no}:1:#2")
        ]
    );
}
