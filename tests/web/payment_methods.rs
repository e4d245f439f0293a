//! Saved methods: Luhn-checked cards stored as brand + last four + expiry,
//! masked wallets, priority order, removal.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_card_is_checked_and_only_brand_last_four_and_expiry_are_kept() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    s.add_card("4111 1111 1111 1111", "12/30").await;
    let page = s.get("/account/payment-methods").await;
    let label = page.texts(".method-label");
    assert_eq!(label, vec!["VISA •••• 1111"]);
    assert!(!page.body.contains("4111111111111111") && !page.body.contains("4111 1111 1111 1111"));

    // The database holds no full number either.
    let methods = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use storefront::db::schema::payment_methods::dsl::*;
            type Stored = (Option<String>, Option<String>, Option<i32>, Option<i32>);
            let query = payment_methods.select((last4, brand, expiry_month, expiry_year));
            Ok(match conn {
                storefront::db::Conn::Sqlite(c) => query.load::<Stored>(c)?,
                storefront::db::Conn::Pg(c) => query.load::<Stored>(c)?,
            })
        })
        .await
        .unwrap();
    assert_eq!(
        methods,
        vec![(
            Some("1111".into()),
            Some("visa".into()),
            Some(12),
            Some(2030)
        )]
    );
}

#[tokio::test]
async fn bad_cards_are_refused_per_field_with_other_input_kept() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let page = s
        .post(
            "/account/payment-methods",
            &[
                ("kind", "credit_card"),
                ("card_number", "4111111111111112"),
                ("expiry", "01/20"),
                ("holder_name", "Li Lei"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.error_fields(),
        ["card_number", "expiry"],
        "Luhn and expiry"
    );
    assert_eq!(page.attr("input[name=holder_name]", "value"), "Li Lei");
    assert_eq!(page.attr("input[name=expiry]", "value"), "01/20");
    assert!(
        !page.body.contains("4111111111111112"),
        "the card number is never echoed"
    );
    for (number, expiry) in [
        ("1234", "12/30"),
        ("abcd efgh ijkl", "12/30"),
        ("4111111111111111", "13/30"),
        ("4111111111111111", "1230"),
    ] {
        let page = s
            .post(
                "/account/payment-methods",
                &[
                    ("kind", "debit_card"),
                    ("card_number", number),
                    ("expiry", expiry),
                    ("holder_name", "Li"),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{number} {expiry}"
        );
    }
    let page = s
        .post(
            "/account/payment-methods",
            &[("kind", "bitcoin"), ("account_label", "x")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !s.get("/account/payment-methods").await.has(".method-row"),
        "nothing was saved"
    );
}

#[tokio::test]
async fn wallets_are_stored_masked() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let page = s
        .post(
            "/account/payment-methods",
            &[("kind", "alipay"), ("account_label", "13812345678")],
        )
        .await;
    page.assert_redirect("/account/payment-methods");
    let page = s.get("/account/payment-methods").await;
    assert_eq!(page.texts(".method-label"), vec!["138****5678"]);
    assert!(!page.body.contains("13812345678"));
}

#[tokio::test]
async fn the_first_method_is_the_priority_one_and_the_shopper_can_reorder_and_remove() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    let first = s.add_card("4111111111111111", "12/30").await;
    let second = s.add_card("5555555555554444", "12/30").await;
    let page = s.get("/account/payment-methods").await;
    assert_eq!(
        page.attrs(".method-row", "data-method-id"),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(page.attr("[data-priority=true]", "data-method-id"), first);

    // Without `confirm` the shopper sees what will change first.
    s.post(&format!("/account/payment-methods/{second}/priority"), &[])
        .await
        .assert_redirect(&format!("/account/payment-methods?priority={second}"));
    let preview = s
        .get(&format!("/account/payment-methods?priority={second}"))
        .await;
    assert_eq!(
        preview.attr("[data-confirm-priority]", "data-confirm-priority"),
        second
    );
    assert_eq!(
        s.get("/account/payment-methods")
            .await
            .attr("[data-priority=true]", "data-method-id"),
        first
    );

    s.post(
        &format!("/account/payment-methods/{second}/priority"),
        &[("confirm", "on")],
    )
    .await
    .assert_redirect("/account/payment-methods");
    let page = s.get("/account/payment-methods").await;
    assert_eq!(
        page.attrs(".method-row", "data-method-id"),
        vec![second.clone(), first.clone()]
    );
    // The priority method is preselected at checkout.
    let product = app.product(10_000, 5).await;
    s.add_to_cart(product, 1).await;
    let checkout = s.get("/checkout").await;
    assert_eq!(
        checkout.attr("input[name=payment_method_id][checked]", "value"),
        second
    );

    s.post(&format!("/account/payment-methods/{second}/remove"), &[])
        .await
        .assert_redirect("/account/payment-methods");
    let page = s.get("/account/payment-methods").await;
    assert_eq!(
        page.attrs(".method-row", "data-method-id"),
        vec![first.clone()]
    );
    assert_eq!(page.attr("[data-priority=true]", "data-method-id"), first);
    // Removing twice is a plain 404, not an error page.
    assert_eq!(
        s.post(&format!("/account/payment-methods/{second}/remove"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn removing_a_method_an_unpaid_order_uses_names_the_order() {
    let app = spawn_app().await;
    let product = app.product(10_000, 5).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    let other = s.add_card("5555555555554444", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &card).await;
    s.post(&format!("/account/payment-methods/{card}/remove"), &[])
        .await
        .assert_redirect("/account/payment-methods");
    let page = s.get("/account/payment-methods").await;
    assert_eq!(
        page.attrs(".method-row", "data-method-id"),
        vec![other.clone()]
    );
    assert!(page.texts(".flash")[0].contains(&order_no));
    // Paying it now asks for another method; changing the method fixes it.
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
    s.post(
        &format!("/orders/{order_no}/change-payment"),
        &[
            ("plan", "full"),
            ("payment_method_id", &other),
            ("acknowledge", "on"),
        ],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    assert_eq!(s.status_of(&order_no).await, "paid");
}
