//! Prometheus metrics on their own listener (`--metrics-bind`): requests by
//! route and status with latency histograms, gateway calls by purpose and
//! outcome, job runs, the outbox depth.

use reqwest::StatusCode;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn metrics_count_requests_gateway_calls_and_jobs_on_their_own_listener() {
    let app = spawn_app_with(&["--metrics-bind", "127.0.0.1:0"], None).await;
    let port = app.metrics_port.expect("a metrics listener");
    let product = app.product(20_000, 5).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.order(&order_no).await.status, StatusCode::OK);
    app.run_jobs().await;

    let scrape = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
    let text = scrape.text().await.unwrap();
    let has = |needle: &str| text.lines().any(|l| l.starts_with(needle));
    assert!(
        has(r#"http_requests_total{method="GET",route="/orders/{order_no}",status="200"}"#),
        "{text}"
    );
    assert!(has(
        r#"http_request_duration_seconds_bucket{method="GET",route="/orders/{order_no}",le="0.05"}"#
    ));
    assert!(has(
        r#"http_requests_total{method="POST",route="/orders/{order_no}/pay",status="303"}"#
    ));
    assert!(has(
        r#"gateway_calls_total{purpose="capture",outcome="approved"}"#
    ));
    assert!(has(
        r#"gateway_call_duration_seconds_count{purpose="capture"}"#
    ));
    assert!(has(r#"job_runs_total{outcome="ok"}"#));
    assert!(has("mail_outbox_depth"));
    // Not on the shop's own listener.
    assert_eq!(
        app.visitor().get("/metrics").await.status,
        StatusCode::NOT_FOUND
    );
}
