//! Rule 2–5: changing how an order is paid.

use reqwest::StatusCode;
use storefront::domain::plan::{Plan, quote};
use storefront::domain::{BasisPoints, Fen};

use crate::helpers::{Actor, TestApp, join_all, spawn_app};

/// A shopper with two cards and an unpaid 3-month order of one ¥1,000.00 product.
async fn unpaid_installment_order(
    app: &TestApp,
) -> (
    Actor,
    String,
    String,
    String,
    storefront::domain::ids::ProductId,
) {
    let product = app.product(100_000, 10).await;
    let s = app.shopper().await;
    let card_a = s.add_card("4111111111111111", "12/30").await;
    let card_b = s.add_card("5555555555554444", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card_a).await;
    (s, order_no, card_a, card_b, product)
}

fn change_path(order_no: &str) -> String {
    format!("/orders/{order_no}/change-payment")
}

#[tokio::test]
async fn the_change_page_compares_the_current_and_the_new_plan_side_by_side() {
    let app = spawn_app().await;
    let (s, order_no, card_a, _, _) = unpaid_installment_order(&app).await;
    let page = s
        .get(&format!(
            "{}?plan=installment&term=12&payment_method_id={card_a}",
            change_path(&order_no)
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attr("[data-change-path]", "data-change-path"),
        "self_service"
    );
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let current = quote(
        Fen(100_000),
        Plan::Installment { months: 3 },
        BasisPoints(0),
        today,
    )
    .unwrap();
    let new = quote(
        Fen(100_000),
        Plan::Installment { months: 12 },
        BasisPoints(60),
        today,
    )
    .unwrap();
    let cells = |key: &str| {
        page.attrs(
            &format!("tr[data-compare=\"{key}\"] [data-fen]"),
            "data-fen",
        )
    };
    assert_eq!(
        cells("fees"),
        vec![current.fees.0.to_string(), new.fees.0.to_string()]
    );
    assert_eq!(
        cells("total"),
        vec![current.total.0.to_string(), new.total.0.to_string()]
    );
    assert_eq!(
        cells("monthly"),
        vec![current.monthly.0.to_string(), new.monthly.0.to_string()]
    );
    let row = |key: &str| page.texts(&format!("tr[data-compare=\"{key}\"] td"));
    assert_eq!(row("payments"), vec!["3", "12"]);
    assert_eq!(
        row("first_due"),
        vec![current.first_due.to_string(), new.first_due.to_string()]
    );
    let differing = page.attrs("tr[data-differs=true]", "data-compare");
    for key in [
        "plan", "rate", "fees", "total", "monthly", "payments", "last_due",
    ] {
        assert!(
            differing.contains(&key.to_owned()),
            "{key} differs: {differing:?}"
        );
    }
    assert!(!differing.contains(&"method".to_owned()));
    assert_eq!(page.attr("[data-kind]", "data-kind"), "new_contract");
    // The confirm form carries exactly what was compared.
    assert_eq!(
        page.attr("form[method=post] input[name=term]", "value"),
        "12"
    );
    assert_eq!(
        page.attr("form[method=post] input[name=plan]", "value"),
        "installment"
    );
}

#[tokio::test]
async fn a_confirmation_without_the_acknowledgement_changes_nothing() {
    let app = spawn_app().await;
    let (s, order_no, card_a, _, product) = unpaid_installment_order(&app).await;
    let page = s
        .post(
            &change_path(&order_no),
            &[
                ("plan", "installment"),
                ("term", "12"),
                ("payment_method_id", &card_a),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.error_fields(), ["acknowledge"]);
    assert_eq!(
        page.attr("form[method=post] input[name=term]", "value"),
        "12",
        "choice kept"
    );
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
    assert_eq!(app.stock_of(product).await, 9);
    assert!(!s.get("/cart").await.has("tr[data-product-id]"));
}

#[tokio::test]
async fn an_ineligible_choice_is_refused_before_anything_is_cancelled() {
    let app = spawn_app().await;
    let cheap = app.product(20_000, 10).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(cheap, 1).await;
    let order_no = s.checkout("full", "", &card).await;
    // ¥200.00 is under the installment minimum.
    let page = s
        .post(
            &change_path(&order_no),
            &[
                ("plan", "installment"),
                ("term", "3"),
                ("payment_method_id", &card),
                ("acknowledge", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.error_fields(), ["plan"]);
    assert!(
        page.error_on("plan").contains("¥300.00"),
        "{}",
        page.error_on("plan")
    );
    assert_eq!(s.status_of(&order_no).await, "pending_payment");

    let (s, order_no, _, _, product) = unpaid_installment_order(&app).await;
    let short_card = s.add_card("5555555555554444", "03/27").await;
    // As the priority method it would pay the new plan's instalments.
    s.post(
        &format!("/account/payment-methods/{short_card}/priority"),
        &[("confirm", "on")],
    )
    .await;
    let page = s
        .post(
            &change_path(&order_no),
            &[
                ("plan", "installment"),
                ("term", "12"),
                ("payment_method_id", &short_card),
                ("acknowledge", "on"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "card expires before the last instalment"
    );
    assert_eq!(page.error_fields(), ["plan"]);
    for (plan, term, method) in [
        ("layaway", "", "1"),
        ("installment", "7", "1"),
        ("full", "", "99999"),
    ] {
        let page = s
            .post(
                &change_path(&order_no),
                &[
                    ("plan", plan),
                    ("term", term),
                    ("payment_method_id", method),
                    ("acknowledge", "on"),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{plan} {term} {method}"
        );
    }
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
    assert_eq!(app.stock_of(product).await, 9);
}

#[tokio::test]
async fn changing_only_the_method_keeps_the_order_number_items_and_stock() {
    let app = spawn_app().await;
    let (s, order_no, _, card_b, product) = unpaid_installment_order(&app).await;
    s.post(
        &change_path(&order_no),
        &[
            ("plan", "installment"),
            ("term", "3"),
            ("payment_method_id", &card_b),
            ("acknowledge", "on"),
        ],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "pending_payment"
    );
    assert!(page.texts("[data-method]")[0].contains("4444"));
    assert!(page.texts(".timeline li")[0].contains("更换支付方式"));
    assert!(
        page.texts(".timeline li")[0].contains("1111")
            && page.texts(".timeline li")[0].contains("4444")
    );
    assert_eq!(app.stock_of(product).await, 9);
    assert!(!s.get("/cart").await.has("tr[data-product-id]"));
    // And it can be paid right away with the new method.
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.status_of(&order_no).await, "paid");
}

#[tokio::test]
async fn a_new_plan_cancels_puts_items_back_and_links_the_new_order() {
    let app = spawn_app().await;
    let (s, order_no, card_a, _, product) = unpaid_installment_order(&app).await;
    let other = app.product(5_000, 10).await;
    s.add_to_cart(other, 2).await;
    s.add_to_cart(product, 1).await;
    let res = s
        .post(
            &change_path(&order_no),
            &[
                ("plan", "installment"),
                ("term", "12"),
                ("payment_method_id", &card_a),
                ("acknowledge", "on"),
            ],
        )
        .await;
    let location = res.location.clone().expect("redirect");
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!(
            "/checkout?shipping_method=standard&plan=installment&term=12&payment_method_id={card_a}&replaces={order_no}"
        )
    );
    let old = s.order(&order_no).await;
    assert_eq!(
        old.attr("[data-order-no][data-status]", "data-status"),
        "cancelled"
    );
    assert!(old.body.contains("更换支付方式"), "reason shown");
    assert_eq!(app.stock_of(product).await, 10, "stock released");
    let cart = s.get("/cart").await;
    assert_eq!(
        cart.attr(
            &format!("tr[data-product-id=\"{product}\"]"),
            "data-quantity"
        ),
        "2",
        "merged with the cart"
    );
    assert_eq!(
        cart.attr(&format!("tr[data-product-id=\"{other}\"]"), "data-quantity"),
        "2"
    );

    // Meanwhile the price went up: checkout flags it with old and new figures.
    app.set_price_and_stock(product, 110_000, 10).await;
    let checkout = s.get(&location).await;
    assert_eq!(
        checkout.attr("input[name=plan][checked]", "value"),
        "installment"
    );
    assert_eq!(checkout.attr("input[name=term][checked]", "value"), "12");
    assert_eq!(
        checkout.attr("input[name=payment_method_id][checked]", "value"),
        card_a
    );
    assert_eq!(checkout.attr("input[name=replaces]", "value"), order_no);
    let flag = format!("li[data-product-id=\"{product}\"] [data-flag=price] [data-fen]");
    assert_eq!(checkout.attrs(&flag, "data-fen"), vec!["100000", "110000"]);

    let csrf = checkout.attr("input[name=csrf_token]", "value");
    let token = checkout.attr("input[name=checkout_token]", "value");
    let placed = s
        .post_raw(
            "/checkout",
            &[
                ("csrf_token", &csrf),
                ("checkout_token", &token),
                ("shipping_method", "standard"),
                ("plan", "installment"),
                ("term", "12"),
                ("payment_method_id", &card_a),
                ("acknowledge", "on"),
                ("replaces", &order_no),
            ],
        )
        .await;
    let new_no = placed
        .location
        .expect("placed")
        .trim_start_matches("/orders/")
        .to_owned();
    let new = s.order(&new_no).await;
    assert_eq!(new.attr("[data-replaces]", "data-replaces"), order_no);
    assert!(
        new.texts(".timeline li")
            .iter()
            .any(|t| t.contains(&order_no))
    );
    let old = s.order(&order_no).await;
    assert_eq!(old.attr("[data-replaced-by]", "data-replaced-by"), new_no);
    assert!(
        old.texts(".timeline li")
            .iter()
            .any(|t| t.contains(&new_no))
    );
}

#[tokio::test]
async fn a_paid_order_offers_the_hotline_and_a_service_request_instead() {
    let app = spawn_app().await;
    let (s, order_no, _, card_b, _) = unpaid_installment_order(&app).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let page = s.get(&change_path(&order_no)).await;
    assert_eq!(
        page.attr("[data-change-path]", "data-change-path"),
        "service_request"
    );
    assert_eq!(page.texts("[data-hotline]"), vec!["400-820-8820"]);
    assert!(
        page.attrs("a", "href")
            .contains(&format!("/support/new?order={order_no}"))
    );
    assert!(!page.has("form[method=post][action$=\"/change-payment\"]"));
    let refused = s
        .post(
            &change_path(&order_no),
            &[
                ("plan", "installment"),
                ("term", "3"),
                ("payment_method_id", &card_b),
                ("acknowledge", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(s.status_of(&order_no).await, "paid");
    assert!(!s.order(&order_no).await.texts("[data-method]")[0].contains("4444"));
}

#[tokio::test]
async fn the_hotline_comes_from_configuration() {
    let app = crate::helpers::spawn_app_with(
        &[
            "--hotline",
            "021-5555-0000",
            "--service-hours",
            "8:00-20:00",
        ],
        None,
    )
    .await;
    let (s, order_no, _, _, _) = unpaid_installment_order(&app).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let page = s.get(&change_path(&order_no)).await;
    assert_eq!(page.texts("[data-hotline]"), vec!["021-5555-0000"]);
    assert!(page.body.contains("8:00-20:00"));
}

#[tokio::test]
async fn cancelled_and_closed_orders_offer_buy_again_which_flags_changes() {
    let app = spawn_app().await;
    let (s, order_no, _, _, product) = unpaid_installment_order(&app).await;
    s.post(&format!("/orders/{order_no}/cancel"), &[]).await;
    let page = s.get(&change_path(&order_no)).await;
    assert_eq!(
        page.attr("[data-change-path]", "data-change-path"),
        "nothing_to_change"
    );
    assert!(page.has(&format!("form[action=\"/orders/{order_no}/buy-again\"]")));

    app.set_price_and_stock(product, 90_000, 10).await;
    s.post(&format!("/orders/{order_no}/buy-again"), &[])
        .await
        .assert_redirect("/cart");
    let cart = s.get("/cart").await;
    assert_eq!(
        cart.attr(
            &format!("tr[data-product-id=\"{product}\"]"),
            "data-quantity"
        ),
        "1"
    );
    assert!(
        cart.unhooked_amounts().is_empty(),
        "amounts in the message carry data-fen"
    );
    let flash = cart.texts(".flash")[0].clone();
    assert!(
        flash.contains("¥1,000.00") && flash.contains("¥900.00"),
        "{flash}"
    );

    // An expired order is closed and offers the same.
    let (s2, order2, _, _, _) = unpaid_installment_order(&app).await;
    app.clock.advance(chrono::Duration::minutes(31));
    let page = s2.get(&change_path(&order2)).await;
    assert_eq!(page.attr("[data-status]", "data-status"), "closed");
    assert_eq!(
        page.attr("[data-change-path]", "data-change-path"),
        "nothing_to_change"
    );
}

#[tokio::test]
async fn another_accounts_order_cannot_be_changed() {
    let app = spawn_app().await;
    let (_, order_no, card_a, _, _) = unpaid_installment_order(&app).await;
    let stranger = app.shopper().await;
    assert_eq!(
        stranger.get(&change_path(&order_no)).await.status,
        StatusCode::NOT_FOUND
    );
    let res = stranger
        .post(
            &change_path(&order_no),
            &[
                ("plan", "full"),
                ("payment_method_id", &card_a),
                ("acknowledge", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger
            .post(&format!("/orders/{order_no}/buy-again"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn twenty_racing_confirmations_cancel_once() {
    let app = spawn_app().await;
    let (s, order_no, card_a, _, product) = unpaid_installment_order(&app).await;
    let page = s
        .get(&format!(
            "{}?plan=installment&term=6&payment_method_id={card_a}",
            change_path(&order_no)
        ))
        .await;
    let csrf = page.attr("input[name=csrf_token]", "value");
    let token = page.attr("input[name=form_token]", "value");
    let confirms = (0..20).map(|_| {
        let (s, csrf, token, card, path) = (
            s.clone(),
            csrf.clone(),
            token.clone(),
            card_a.clone(),
            change_path(&order_no),
        );
        async move {
            s.post_raw(
                &path,
                &[
                    ("csrf_token", &csrf),
                    ("form_token", &token),
                    ("plan", "installment"),
                    ("term", "6"),
                    ("payment_method_id", &card),
                    ("acknowledge", "on"),
                ],
            )
            .await
        }
    });
    let pages = join_all(confirms).await;
    assert!(
        pages.iter().all(|p| p.status == StatusCode::SEE_OTHER),
        "{:?}",
        pages.iter().map(|p| p.status).collect::<Vec<_>>()
    );
    let to_checkout = pages
        .iter()
        .filter(|p| {
            p.location
                .as_deref()
                .is_some_and(|l| l.starts_with("/checkout"))
        })
        .count();
    assert_eq!(to_checkout, 1, "one confirmation won");
    assert_eq!(app.stock_of(product).await, 10, "stock released once");
    let cart = s.get("/cart").await;
    assert_eq!(
        cart.attr(
            &format!("tr[data-product-id=\"{product}\"]"),
            "data-quantity"
        ),
        "1",
        "items back once"
    );
    let old = s.order(&order_no).await;
    assert_eq!(
        old.texts(".timeline li")
            .iter()
            .filter(|t| t.contains("订单取消"))
            .count(),
        1
    );
}

#[tokio::test]
async fn twenty_racing_buy_again_submits_fill_the_cart_once() {
    let app = spawn_app().await;
    let (s, order_no, _, _, product) = unpaid_installment_order(&app).await;
    s.post(&format!("/orders/{order_no}/cancel"), &[]).await;
    let page = s.order(&order_no).await;
    let csrf = page.attr("input[name=csrf_token]", "value");
    let token = page.attr(
        &format!("form[action=\"/orders/{order_no}/buy-again\"] input[name=form_token]"),
        "value",
    );
    let submits = (0..20).map(|_| {
        let (s, csrf, token, path) = (
            s.clone(),
            csrf.clone(),
            token.clone(),
            format!("/orders/{order_no}/buy-again"),
        );
        async move {
            s.post_raw(&path, &[("csrf_token", &csrf), ("form_token", &token)])
                .await
                .status
        }
    });
    let statuses = join_all(submits).await;
    assert!(statuses.iter().all(|st| *st == StatusCode::SEE_OTHER));
    let cart = s.get("/cart").await;
    assert_eq!(
        cart.attr(
            &format!("tr[data-product-id=\"{product}\"]"),
            "data-quantity"
        ),
        "1"
    );
}
