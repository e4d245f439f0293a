//! CSRF on every POST, security headers, body limit, owner checks.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// Every state-changing route, from the app's own route table (so a new
/// POST route is covered the day it is added), with sample path values.
fn post_routes() -> Vec<String> {
    storefront::web::ROUTE_TABLE
        .iter()
        .filter(|(_, methods)| methods.contains(&"POST"))
        .map(|(path, _)| {
            path.replace("{order_no}", "202611230000000001")
                .replace("{product_id}", "1")
                .replace("{ticket_no}", "T202611230001")
                .replace("{id}", "1")
        })
        .collect()
}

#[tokio::test]
async fn every_post_without_a_valid_csrf_token_is_refused_with_403() {
    let app = spawn_app().await;
    let shopper = app.shopper().await;
    let product = app.product(10_000, 5).await;
    let routes = post_routes();
    assert!(routes.len() >= 20, "{routes:?}");
    // The staff console's are the agent's (below); a shopper gets 404 there.
    for path in routes.iter().filter(|p| !p.starts_with("/staff/")) {
        let missing = shopper
            .post_raw(
                path,
                &[("product_id", &product.0.to_string()), ("quantity", "1")],
            )
            .await;
        assert_eq!(
            missing.status,
            StatusCode::FORBIDDEN,
            "{path} without token"
        );
        let wrong = shopper
            .post_raw(
                path,
                &[("csrf_token", "forged-token-value-of-some-length-here")],
            )
            .await;
        assert_eq!(
            wrong.status,
            StatusCode::FORBIDDEN,
            "{path} with a forged token"
        );
    }
    // And nothing happened: the cart is still empty, the shopper still signed in.
    let cart = shopper.get("/cart").await;
    assert_eq!(cart.status, StatusCode::OK);
    assert!(!cart.has("[data-product-id]"));
    // The staff console too, for an agent.
    let db = app.db.clone();
    let now = app.clock_now();
    tokio::task::spawn_blocking(move || {
        storefront::service::accounts::create_staff(
            &db,
            "csrf-agent@example.com",
            "agent password 1",
            now,
        )
    })
    .await
    .unwrap()
    .unwrap();
    let agent = app.visitor();
    agent
        .login("csrf-agent@example.com", "agent password 1", "/staff")
        .await
        .assert_redirect("/staff");
    let page = agent
        .post_raw(
            "/staff/tickets/S2026112300000001/resolve",
            &[("outcome", "declined"), ("reply", "x")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "staff resolve without token"
    );
    // A visitor's token does not work for another session either.
    let visitor = app.visitor();
    let foreign = visitor.token_from("/login").await;
    let page = shopper
        .post_raw(
            "/cart/items",
            &[
                ("csrf_token", &foreign),
                ("product_id", "1"),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_response_carries_strict_security_headers() {
    let app = spawn_app().await;
    let shopper = app.shopper().await;
    for path in ["/", "/orders", "/login", "/no-such-page"] {
        let res = shopper
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
    let css = shopper
        .client
        .get(format!("{}/static/css/app.css", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = spawn_app().await;
    let shopper = app.shopper().await;
    let token = shopper.token_from("/account/payment-methods").await;
    let huge = "x".repeat(64 * 1024);
    let page = shopper
        .post_raw(
            "/account/payment-methods",
            &[
                ("csrf_token", &token),
                ("kind", "alipay"),
                ("account_label", &huge),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        !shopper
            .get("/account/payment-methods")
            .await
            .has(".method-row")
    );
}

#[tokio::test]
async fn another_accounts_order_is_the_same_404_as_a_missing_one() {
    let app = spawn_app().await;
    let product = app.product(50_000, 10).await;
    let owner = app.shopper().await;
    let method = owner.add_card("4111111111111111", "12/30").await;
    owner.add_to_cart(product, 1).await;
    let order_no = owner.checkout("full", "", &method).await;

    let stranger = app.shopper().await;
    let foreign = stranger.order(&order_no).await;
    let missing = stranger.order("202611239999999999").await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        foreign.body, missing.body,
        "no difference leaks between foreign and missing"
    );
    assert!(!foreign.body.contains(&order_no));

    // Writes are refused the same way and change nothing.
    let pay = stranger.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let cancel = stranger
        .post(&format!("/orders/{order_no}/cancel"), &[])
        .await;
    assert_eq!(pay.status, StatusCode::NOT_FOUND);
    assert_eq!(cancel.status, StatusCode::NOT_FOUND);
    assert_eq!(owner.status_of(&order_no).await, "pending_payment");

    // Malformed numbers too.
    for bad in ["abc", "123", "20261123000000000x", "%27%20OR%201=1"] {
        assert_eq!(
            stranger.get(&format!("/orders/{bad}")).await.status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn foreign_payment_methods_cannot_be_used_or_removed() {
    let app = spawn_app().await;
    let product = app.product(50_000, 10).await;
    let owner = app.shopper().await;
    let method = owner.add_card("4111111111111111", "12/30").await;
    let stranger = app.shopper().await;
    stranger.add_card("5555555555554444", "12/30").await;
    let remove = stranger
        .post(&format!("/account/payment-methods/{method}/remove"), &[])
        .await;
    assert_eq!(remove.status, StatusCode::NOT_FOUND);
    let priority = stranger
        .post(
            &format!("/account/payment-methods/{method}/priority"),
            &[("confirm", "on")],
        )
        .await;
    assert_eq!(priority.status, StatusCode::NOT_FOUND);
    stranger.add_to_cart(product, 1).await;
    let page = stranger
        .checkout_page(&[("plan", "full"), ("payment_method_id", &method)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        owner
            .get("/account/payment-methods")
            .await
            .has(&format!("[data-method-id=\"{method}\"]"))
    );
}

#[tokio::test]
async fn templates_escape_user_input() {
    let app = spawn_app().await;
    let v = app.visitor();
    let page = v
        .post_from(
            "/register",
            "/register",
            &[
                ("account", "<script>alert(1)</script>"),
                ("password", "long enough pw"),
                ("password_confirm", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(
        page.body.contains("&lt;script&gt;") || page.body.contains("&#60;script&#62;"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_burst_of_sign_ins_is_hashed_a_few_at_a_time_and_the_rest_told_to_retry() {
    let app = crate::helpers::spawn_app().await;
    let v = app.visitor();
    let token = v.token_from("/login").await;
    let attempts = (0..200).map(|n| {
        let (v, token) = (v.clone(), token.clone());
        async move {
            let account = format!("139{:08}", 50_000_000 + n);
            let form = [
                ("csrf_token", token.as_str()),
                ("account", account.as_str()),
                ("password", "wrong password"),
            ];
            let url = format!("{}/login", v.base);
            let r = v.client.post(url).form(&form).send().await.unwrap();
            (r.status(), r.headers().contains_key("retry-after"))
        }
    });
    let answers = crate::helpers::join_all(attempts).await;
    let busy: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        answers
            .iter()
            .all(|(s, _)| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{answers:?}"
    );
    assert!(!busy.is_empty(), "a burst beyond the queue is refused");
    assert!(
        busy.iter().all(|(_, retry)| *retry),
        "503 says when to retry"
    );
    assert!(
        answers.iter().any(|(s, _)| *s == StatusCode::UNAUTHORIZED),
        "the queued ones are answered"
    );
    assert!(
        app.hasher.peak() <= app.hasher.threads(),
        "at most one hash a thread: {} > {}",
        app.hasher.peak(),
        app.hasher.threads()
    );
    // Afterwards sign-in works as before.
    let s = app.shopper().await;
    s.sign_in_again().await;
    assert_eq!(s.get("/orders").await.status, StatusCode::OK);
}
