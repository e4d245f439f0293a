//! Early repayment (SPEC "Repayment center"): preview then confirm, through
//! the ledger, exactly once; a declined repayment changes nothing.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::{Actor, TestApp, join_all, spawn_app};

/// A paid 12-month plan of ¥1,200.00 at 0.60 % (fee ¥7.20 a month).
async fn paid_plan(app: &TestApp, card: &str) -> (Actor, String, String) {
    let product = app.product(120_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card(card, "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "12", &method).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    (s, order_no, method)
}

fn repay_path(order_no: &str) -> String {
    format!("/orders/{order_no}/repay")
}

#[tokio::test]
async fn settling_all_charges_the_remaining_principal_waives_later_fees_and_pays_every_instalment()
{
    let app = spawn_app().await;
    let (s, order_no, method) = paid_plan(&app, "4111111111111111").await;
    let preview = s.get(&format!("{}?scope=all", repay_path(&order_no))).await;
    assert_eq!(preview.status, StatusCode::OK);
    // Nothing is due yet on the day of payment: 12 × ¥100.00, every fee waived.
    assert_eq!(preview.fen("[data-repay-total] [data-fen]"), 120_000);
    assert_eq!(preview.fen("[data-repay-waived] [data-fen]"), 12 * 720);
    assert_eq!(preview.attrs("[data-settled]", "data-settled").len(), 12);

    // Without the acknowledgement nothing is charged.
    let refused = s
        .post(
            &repay_path(&order_no),
            &[("scope", "all"), ("payment_method_id", &method)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), ["acknowledge"]);
    assert!(
        app.gateway_calls_for(&order_no)
            .await
            .iter()
            .all(|e| !e.idempotency_key.starts_with("repay:"))
    );

    let fields = [
        ("scope", "all"),
        ("payment_method_id", method.as_str()),
        ("acknowledge", "on"),
        ("form_token", "settleTok"),
    ];
    s.post(&repay_path(&order_no), &fields)
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    // The same form again: no second charge.
    s.post(&repay_path(&order_no), &fields)
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attrs("tr[data-instalment]", "data-instalment-status"),
        vec!["paid"; 12]
    );
    assert_eq!(
        page.fen("[data-payment=instalment][data-payment-state=succeeded] [data-fen]"),
        120_000
    );
    let repays: Vec<_> = app
        .gateway_calls_for(&order_no)
        .await
        .into_iter()
        .filter(|e| e.idempotency_key.starts_with("repay:"))
        .collect();
    assert_eq!(repays.len(), 1);
    assert_eq!(repays[0].calls, 1);
    assert!(s.get("/repayments").await.has("[data-repayments=none]"));
    // Nothing left to repay.
    let again = s
        .get(&format!("{}?scope=next", repay_path(&order_no)))
        .await;
    assert!(again.has("[data-repay=nothing]"));
}

#[tokio::test]
async fn repaying_the_next_instalment_pays_it_in_full_and_a_decline_changes_nothing() {
    let app = spawn_app().await;
    let (s, order_no, method) = paid_plan(&app, "4111111111111111").await;
    let preview = s
        .get(&format!("{}?scope=next", repay_path(&order_no)))
        .await;
    assert_eq!(preview.fen("[data-repay-total] [data-fen]"), 10_000 + 720);
    s.post(
        &repay_path(&order_no),
        &[
            ("scope", "next"),
            ("payment_method_id", &method),
            ("acknowledge", "on"),
        ],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    let statuses = page.attrs("tr[data-instalment]", "data-instalment-status");
    assert_eq!(statuses[0], "paid");
    assert!(statuses[1..].iter().all(|st| st == "due"));

    // With a declining card the plan stays as it was.
    let declining = s.add_card("4000000000000002", "12/30").await;
    s.post(
        &repay_path(&order_no),
        &[
            ("scope", "all"),
            ("payment_method_id", &declining),
            ("acknowledge", "on"),
        ],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    let after = s.order(&order_no).await;
    assert_eq!(
        after.attrs("tr[data-instalment]", "data-instalment-status"),
        statuses
    );
    assert!(after.texts(".flash-error").concat().contains("余额不足"));
    assert!(after.has("[data-payment=instalment][data-payment-state=failed]"));
}

#[tokio::test]
async fn an_early_repayment_racing_the_collector_charges_the_instalment_once() {
    let app = spawn_app().await;
    let (s, order_no, method) = paid_plan(&app, "4111111111111111").await;
    app.clock.advance(Duration::days(31));
    s.sign_in_again().await;
    let token = s.token_from("/orders").await;
    let repay = {
        let (s, token, path, method) = (
            s.clone(),
            token.clone(),
            repay_path(&order_no),
            method.clone(),
        );
        async move {
            s.post_raw(
                &path,
                &[
                    ("csrf_token", &token),
                    ("scope", "next"),
                    ("first", "1"),
                    ("payment_method_id", &method),
                    ("acknowledge", "on"),
                ],
            )
            .await
            .status
        }
    };
    let jobs = {
        let jobs = app.jobs.clone();
        async move {
            jobs.run_once().await.expect("jobs");
            StatusCode::OK
        }
    };
    let _ = join_all([
        Box::pin(repay) as std::pin::Pin<Box<dyn std::future::Future<Output = StatusCode> + Send>>,
        Box::pin(jobs),
    ])
    .await;
    let page = s.order(&order_no).await;
    let first_charges = page
        .attrs(
            "[data-payment=instalment][data-payment-state=succeeded]",
            "data-payment",
        )
        .len();
    assert_eq!(first_charges, 1, "one charge for instalment 1");
    let statuses = page.attrs("tr[data-instalment]", "data-instalment-status");
    assert_eq!(statuses[0], "paid");
    assert_eq!(statuses[1], "due", "the second was not taken by mistake");
}
