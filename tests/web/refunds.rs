//! Refund before shipping (SPEC "Repayment center"): a paid, unshipped order
//! is refunded by its shopper — everything taken back to its method through
//! the ledger, the plan authorization voided, the remaining instalments
//! cancelled, stock released — and a shipped one by an agent.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::{Actor, Page, SHOPPER_PASSWORD, TestApp, join_all, spawn_app};
use storefront::domain::ids::ProductId;

/// A 3-month plan of ¥900.00 (3 × ¥300.00, no fee), paid; stock 5 → 4.
async fn paid_plan(app: &TestApp) -> (Actor, String, ProductId) {
    let product = app.product(90_000, 5).await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &visa).await;
    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    (s, order_no, product)
}

fn refund_path(order_no: &str) -> String {
    format!("/orders/{order_no}/refund")
}

/// The fen of every ledger entry of `purpose` in `state` on the order page.
fn ledger_fen(page: &Page, purpose: &str, state: &str) -> Vec<i64> {
    let selector = format!("[data-payment={purpose}][data-payment-state={state}] [data-fen]");
    page.attrs(&selector, "data-fen")
        .iter()
        .map(|f| f.parse().unwrap())
        .collect()
}

#[tokio::test]
async fn refunding_a_plan_gives_back_every_instalment_voids_the_authorization_and_cancels_the_rest()
{
    let app = spawn_app().await;
    let (s, order_no, product) = paid_plan(&app).await;
    assert_eq!(app.stock_of(product).await, 4);
    app.clock.advance(Duration::days(30));
    assert_eq!(
        app.run_jobs().await.charged,
        1,
        "the first instalment is taken"
    );
    s.sign_in_again().await;

    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-refund-fen]", "data-refund-fen"), "30000");

    // Without the acknowledgement: the page again with the reason, nothing changed.
    let refused = s
        .post(&refund_path(&order_no), &[("form_token", "refundTok")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), ["acknowledge"]);
    assert_eq!(s.status_of(&order_no).await, "paid");

    let fields = [("acknowledge", "on"), ("form_token", "refundTok")];
    s.post(&refund_path(&order_no), &fields)
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    // The same form again (a double click): nothing more happens.
    s.post(&refund_path(&order_no), &fields)
        .await
        .assert_redirect(&format!("/orders/{order_no}"));

    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-order-no]", "data-status"), "refunded");
    assert_eq!(
        page.attrs("tr[data-instalment]", "data-instalment-status"),
        vec!["paid", "cancelled", "cancelled"]
    );
    let taken: i64 = ledger_fen(&page, "instalment", "succeeded").iter().sum();
    let refunded = ledger_fen(&page, "refund", "succeeded");
    assert_eq!((taken, refunded), (30_000, vec![30_000]));
    assert_eq!(ledger_fen(&page, "void", "succeeded"), vec![90_000]);
    assert!(!page.has("[data-refund-fen]"), "nothing left to refund");
    let timeline = page.texts(".timeline li").join("\n");
    assert!(timeline.contains("订单已退款"), "{timeline}");
    assert!(timeline.contains("剩余分期已取消"), "{timeline}");
    assert_eq!(app.stock_of(product).await, 5, "stock released");
    // The sandbox saw one refund and one void: money moved back exactly once.
    let reversals: Vec<_> = app
        .gateway_calls_for(&order_no)
        .await
        .into_iter()
        .filter(|e| {
            e.idempotency_key.starts_with("refund:") || e.idempotency_key.starts_with("void:")
        })
        .collect();
    assert_eq!(reversals.len(), 2, "{reversals:?}");
    assert!(reversals.iter().all(|e| e.calls == 1));

    // Listed under the cancelled tab, and it can be bought again.
    let list = s.get("/orders?status=cancelled").await;
    assert!(list.has(&format!(".order-row[data-order-no=\"{order_no}\"]")));
    assert!(page.has(&format!("form[action=\"/orders/{order_no}/buy-again\"]")));

    // The cancelled instalments are never charged.
    app.clock.advance(Duration::days(70));
    let report = app.run_jobs().await;
    assert_eq!((report.charged, report.declined), (0, 0));
    assert!(
        s.get("/repayments")
            .await
            .attrs("[data-instalment]", "data-instalment")
            .iter()
            .all(|i| !i.starts_with(&order_no))
    );
}

#[tokio::test]
async fn refunding_a_full_payment_gives_the_capture_back_and_only_paid_unshipped_orders_qualify() {
    let app = spawn_app().await;
    let product = app.product(25_000, 3).await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 2).await;
    let unpaid = s.checkout("full", "", &visa).await;
    // Unpaid: nothing to refund (and nothing offered).
    assert!(!s.order(&unpaid).await.has("[data-refund-fen]"));
    s.post(&refund_path(&unpaid), &[("acknowledge", "on")])
        .await;
    assert_eq!(s.status_of(&unpaid).await, "pending_payment");

    s.post(&format!("/orders/{unpaid}/pay"), &[]).await;
    let order_no = unpaid;
    // Another account cannot even see it.
    let other = app.shopper().await;
    let foreign = other
        .post(&refund_path(&order_no), &[("acknowledge", "on")])
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);

    s.post(&refund_path(&order_no), &[("acknowledge", "on")])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-order-no]", "data-status"), "refunded");
    assert_eq!(ledger_fen(&page, "capture", "succeeded"), vec![50_000]);
    assert_eq!(ledger_fen(&page, "refund", "succeeded"), vec![50_000]);
    assert_eq!(app.stock_of(product).await, 3);

    // Shipped: no self-service refund; the page points to a service request.
    s.add_to_cart(product, 1).await;
    let shipped = s.checkout("full", "", &visa).await;
    s.post(&format!("/orders/{shipped}/pay"), &[]).await;
    app.ship(&shipped).await;
    let page = s.order(&shipped).await;
    assert!(!page.has("[data-refund-fen]"));
    assert!(page.has(&format!("a[href=\"/support/new?order={shipped}\"]")));
    s.post(&refund_path(&shipped), &[("acknowledge", "on")])
        .await
        .assert_redirect(&format!("/orders/{shipped}"));
    assert_eq!(s.status_of(&shipped).await, "shipped");
    assert!(
        app.gateway_calls_for(&shipped)
            .await
            .iter()
            .all(|e| !e.idempotency_key.starts_with("refund:"))
    );
}

#[tokio::test]
async fn an_agent_refunds_a_shipped_order_through_its_service_request() {
    let app = spawn_app().await;
    let product = app.product(40_000, 2).await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &visa).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    app.ship(&order_no).await;
    let ticket = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &visa),
                ("message", "商品有问题，申请退货退款"),
                ("password", SHOPPER_PASSWORD),
            ],
        )
        .await
        .location
        .expect("ticket")
        .trim_start_matches("/support/")
        .to_owned();

    let a = app.staff().await;
    let path = format!("/staff/tickets/{ticket}");
    assert!(
        a.get(&path)
            .await
            .has("input[name=outcome][value=refunded]")
    );
    a.post(
        &format!("{path}/resolve"),
        &[("outcome", "refunded"), ("reply", "已退货，全额退款")],
    )
    .await
    .assert_redirect(&path);

    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-order-no]", "data-status"), "refunded");
    assert_eq!(ledger_fen(&page, "refund", "succeeded"), vec![40_000]);
    assert_eq!(
        app.stock_of(product).await,
        1,
        "shipped goods are restocked when they come back, not by the refund"
    );
    let ticket_page = s.get(&format!("/support/{ticket}")).await;
    assert_eq!(
        ticket_page.attr("[data-ticket-status]", "data-ticket-status"),
        "resolved"
    );
    assert_eq!(
        app.gateway_calls_for(&order_no)
            .await
            .iter()
            .filter(|e| e.idempotency_key.starts_with("refund:"))
            .count(),
        1
    );
}

#[tokio::test]
async fn racing_refunds_and_the_collector_leave_nothing_taken() {
    let app = spawn_app().await;
    let (s, order_no, product) = paid_plan(&app).await;
    app.clock.advance(Duration::days(30));
    s.sign_in_again().await;
    let token = s.token_from(&format!("/orders/{order_no}")).await;
    // Ten refund submits (each its own form) and the collector, all at once.
    let refunds = (0..10).map(|i| {
        let (s, token, path) = (s.clone(), token.clone(), refund_path(&order_no));
        async move {
            let form_token = format!("race{i}");
            s.post_raw(
                &path,
                &[
                    ("csrf_token", &token),
                    ("acknowledge", "on"),
                    ("form_token", &form_token),
                ],
            )
            .await
            .status
        }
    });
    let (statuses, _) = tokio::join!(join_all(refunds), app.run_jobs());
    assert!(
        statuses.iter().all(|st| *st == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    // Refused while the charge was in flight? Then once more, now that it is in.
    if s.status_of(&order_no).await == "paid" {
        s.post(&refund_path(&order_no), &[("acknowledge", "on")])
            .await;
    }
    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-order-no]", "data-status"), "refunded");
    let taken: i64 = ledger_fen(&page, "instalment", "succeeded").iter().sum();
    let refunded: i64 = ledger_fen(&page, "refund", "succeeded").iter().sum();
    assert_eq!(taken, refunded, "every fen taken is given back");
    assert_eq!(ledger_fen(&page, "void", "succeeded"), vec![90_000]);
    assert_eq!(
        page.texts(".timeline li")
            .iter()
            .filter(|t| t.contains("订单已退款"))
            .count(),
        1
    );
    assert_eq!(app.stock_of(product).await, 5, "released once");
}
