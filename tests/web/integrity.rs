//! Findings from outside (issue "money integrity", 6–10 and 12): the
//! pending replacement lives on the server, the change page shows what
//! checkout will really charge, one-time tokens per account and per form,
//! invalid text refused, and an overdue pinned plan says what helps.

use reqwest::StatusCode;

use crate::helpers::{Actor, SHOPPER_PASSWORD, TestApp, spawn_app};

/// An unpaid 3-month order of ¥1,000.00 paid by card A (the priority).
async fn unpaid_plan(app: &TestApp) -> (Actor, String, String, storefront::domain::ids::ProductId) {
    let product = app.product(100_000, 10).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card).await;
    (s, order_no, card, product)
}

async fn confirm_new_plan(s: &Actor, order_no: &str, card: &str) -> String {
    let res = s
        .post(
            &format!("/orders/{order_no}/change-payment"),
            &[
                ("plan", "installment"),
                ("term", "12"),
                ("payment_method_id", card),
                ("acknowledge", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    res.location.expect("to checkout")
}

#[tokio::test]
async fn the_replacement_link_survives_leaving_the_checkout_url() {
    let app = spawn_app().await;
    let (s, order_no, card, product) = unpaid_plan(&app).await;
    confirm_new_plan(&s, &order_no, &card).await;
    app.set_price_and_stock(product, 110_000, 10).await;
    // The shopper goes to the cart and presses its checkout button: a plain /checkout.
    let checkout = s.get("/checkout").await;
    assert_eq!(checkout.attr("input[name=replaces]", "value"), order_no);
    assert!(
        checkout.has(&format!(
            "li[data-product-id=\"{product}\"] [data-flag=price]"
        )),
        "the changed price is flagged"
    );
    let new_no = s.checkout("installment", "12", &card).await;
    let new = s.order(&new_no).await;
    assert_eq!(new.attr("[data-replaces]", "data-replaces"), order_no);
    assert_eq!(
        s.order(&order_no)
            .await
            .attr("[data-replaced-by]", "data-replaced-by"),
        new_no
    );
}

#[tokio::test]
async fn the_change_page_shows_what_checkout_will_charge_when_the_cart_holds_more() {
    let app = spawn_app().await;
    let (s, order_no, card, product) = unpaid_plan(&app).await;
    let other = app.product(20_000, 10).await;
    s.add_to_cart(other, 2).await;
    s.add_to_cart(product, 1).await;
    let compare = s
        .get(&format!(
            "/orders/{order_no}/change-payment?plan=installment&term=12&payment_method_id={card}"
        ))
        .await;
    assert!(
        compare.has("[data-cart-merge]"),
        "the merge is named before confirming"
    );
    let announced = compare.fen("[data-checkout-total] [data-fen]");

    let location = confirm_new_plan(&s, &order_no, &card).await;
    let checkout = s.get(&location).await;
    let charged = checkout.fen("[data-preview-total] [data-fen]");
    assert_eq!(
        announced, charged,
        "what was announced is what checkout charges"
    );
    // ¥1,000 ×2 + ¥200 ×2 at 0.6 % a month for 12 months.
    assert_eq!(charged, 240_000 + 12 * 1_440);
}

#[tokio::test]
async fn a_checkout_token_used_by_another_account_is_no_error() {
    let app = spawn_app().await;
    let product = app.product(10_000, 10).await;
    let a = app.shopper().await;
    let b = app.shopper().await;
    let card_a = a.add_card("4111111111111111", "12/30").await;
    let card_b = b.add_card("4111111111111111", "12/30").await;
    a.add_to_cart(product, 1).await;
    b.add_to_cart(product, 1).await;
    let first = a
        .checkout_page(&[
            ("plan", "full"),
            ("payment_method_id", &card_a),
            ("checkout_token", "sharedTok"),
        ])
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = b
        .checkout_page(&[
            ("plan", "full"),
            ("payment_method_id", &card_b),
            ("checkout_token", "sharedTok"),
        ])
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let b_order = second
        .location
        .unwrap()
        .trim_start_matches("/orders/")
        .to_owned();
    assert_eq!(
        b.status_of(&b_order).await,
        "pending_payment",
        "B's own order"
    );
    assert_ne!(first.location.unwrap(), format!("/orders/{b_order}"));
}

#[tokio::test]
async fn saving_a_method_twice_from_one_form_saves_it_once() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let page = s.get("/account/payment-methods").await;
    let token = page.attr(
        "form[action=\"/account/payment-methods\"] input[name=form_token]",
        "value",
    );
    for _ in 0..2 {
        s.post(
            "/account/payment-methods",
            &[
                ("kind", "credit_card"),
                ("card_number", "4111111111111111"),
                ("expiry", "12/30"),
                ("holder_name", "Li Lei"),
                ("form_token", &token),
            ],
        )
        .await
        .assert_redirect("/account/payment-methods");
    }
    let list = s.get("/account/payment-methods").await;
    assert_eq!(list.attrs(".method-row", "data-method-id").len(), 1);
    assert_eq!(list.texts(".flash").len(), 1, "the repeat is told");
}

#[tokio::test]
async fn invalid_utf8_and_control_characters_are_refused_not_replaced() {
    let app = spawn_app().await;
    let v = app.visitor();
    let csrf = v.token_from("/register").await;
    let page = v
        .post_encoded(
            "/register",
            &format!(
                "csrf_token={csrf}&account=%FF%FF@x.com&password=long+enough+pw&password_confirm=long+enough+pw"
            ),
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert!(page.body.contains("UTF-8"), "a clear message");
    // Nothing was created under a replaced name.
    let login = v
        .login("\u{FFFD}\u{FFFD}@x.com", "long enough pw", "/")
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);

    // A NUL byte in a service request message is refused too.
    let product = app.product(100_000, 10).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let csrf = s.token_from("/support").await;
    let page = s
        .post_encoded(
            "/support/new",
            &format!(
                "csrf_token={csrf}&order_no={order_no}&payment_method_id={card}&message=a%00b&password={}",
                SHOPPER_PASSWORD.replace(' ', "+")
            ),
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert!(
        s.get("/support")
            .await
            .attrs("[data-ticket-status]", "data-ticket-status")
            .is_empty()
    );
}

#[tokio::test]
async fn an_overdue_pinned_plan_points_to_what_helps_not_to_the_priority_method() {
    let app = spawn_app().await;
    let product = app.product(100_000, 10).await;
    let s = app.shopper().await;
    let good = s.add_card("4111111111111111", "12/30").await;
    let declining = s.add_card("4000000000000002", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &good).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    // An agent pins the plan to the declining card.
    let ticket = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &declining),
                ("message", "switch"),
                ("password", SHOPPER_PASSWORD),
            ],
        )
        .await
        .location
        .expect("ticket");
    let no = ticket.trim_start_matches("/support/");
    let agent = app.staff().await;
    agent
        .post_from(
            &format!("/staff/tickets/{no}"),
            &format!("/staff/tickets/{no}/resolve"),
            &[("outcome", "switched"), ("reply", "")],
        )
        .await
        .assert_redirect(&format!("/staff/tickets/{no}"));
    app.clock.advance(chrono::Duration::days(31));
    assert_eq!(app.run_jobs().await.declined, 1);
    s.sign_in_again().await;
    let page = s.order(&order_no).await;
    let notice = page.texts("[data-overdue]").concat();
    assert!(
        !page.has("[data-overdue] a[href=\"/account/payment-methods\"]"),
        "changing the priority does not move a pinned plan: {notice}"
    );
    assert!(
        page.has(&format!(
            "[data-overdue] a[href=\"/support/new?order={order_no}\"]"
        )),
        "{notice}"
    );
}
