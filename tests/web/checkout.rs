//! Checkout: server-side fee preview, eligibility, acknowledgement, stock
//! reserved with the order, one order per checkout token.

use reqwest::StatusCode;
use storefront::domain::plan::{Plan, quote};
use storefront::domain::{BasisPoints, Fen};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_preview_shows_every_term_computed_on_the_server() {
    let app = spawn_app().await;
    let product = app.product(333_333, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let page = s
        .get(&format!(
            "/checkout?plan=installment&term=12&payment_method_id={method}"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    for (months, bp) in [(3, 0), (6, 50), (12, 60), (24, 65)] {
        let q = quote(
            Fen(333_333),
            Plan::Installment { months },
            BasisPoints(bp),
            today,
        )
        .unwrap();
        let row = format!("tr[data-term=\"{months}\"]");
        let fens: Vec<i64> = page
            .attrs(&format!("{row} [data-fen]"), "data-fen")
            .iter()
            .map(|f| f.parse().unwrap())
            .collect();
        assert!(fens.contains(&q.monthly.0), "{months}: monthly {fens:?}");
        assert!(fens.contains(&q.fees.0), "{months}: fees {fens:?}");
        assert!(fens.contains(&q.total.0), "{months}: total {fens:?}");
        assert!(page.texts(&row)[0].contains(&q.first_due.to_string()));
        // Each term's own preview is on the page too (the stylesheet shows
        // the checked one), with the same figures.
        let preview = format!("[data-plan-preview=\"{months}\"]");
        let shown: Vec<String> = page.attrs(&format!("{preview} [data-fen]"), "data-fen");
        for f in [q.principal, q.fees, q.total, q.monthly] {
            assert!(
                shown.contains(&f.0.to_string()),
                "{months}: {f:?} in {shown:?}"
            );
        }
        assert_eq!(
            page.attr(&format!("{preview} dl"), "data-payments"),
            months.to_string()
        );
    }
    assert!(page.has("[data-plan-preview=full] [data-fen]"));
    assert_eq!(
        page.attrs("[data-preview-payments]", "data-preview-payments")
            .len(),
        1,
        "the hooks name the chosen plan's preview only"
    );
    // The selected plan's preview: 12 months at 0.6 % → ¥20.00 a month in fees.
    assert_eq!(
        page.attr("[data-preview-payments]", "data-preview-payments"),
        "12"
    );
    assert_eq!(page.attr("input[name=term][checked]", "value"), "12");
    assert_eq!(
        page.attr("input[name=plan][checked]", "value"),
        "installment"
    );
    let fens = page.attrs(".preview [data-fen]", "data-fen");
    assert!(fens.contains(&"24000".to_owned()), "fees {fens:?}");
    assert!(fens.contains(&"357333".to_owned()), "total {fens:?}");
}

#[tokio::test]
async fn placing_an_order_reserves_stock_empties_the_cart_and_uses_catalog_prices() {
    let app = spawn_app().await;
    let product = app.product(45_000, 10).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 3).await;
    // The price changes after the item went into the cart: checkout uses the catalog's.
    app.set_price_and_stock(product, 40_000, 10).await;
    let order_no = s.checkout("full", "", &method).await;
    assert!(
        order_no.len() >= 16 && order_no.bytes().all(|b| b.is_ascii_digit()),
        "{order_no}"
    );
    assert_eq!(app.stock_of(product).await, 7);
    assert!(!s.get("/cart").await.has("tr[data-product-id]"));
    let page = s.order(&order_no).await;
    assert_eq!(
        page.attr("[data-order-no][data-status]", "data-status"),
        "pending_payment"
    );
    assert_eq!(page.fen("[data-total] [data-fen]"), 120_000);
    assert_eq!(page.texts(".timeline li").len(), 1);

    // Express shipping adds its fee to the total.
    s.add_to_cart(product, 1).await;
    let page = s
        .checkout_page(&[
            ("plan", "full"),
            ("payment_method_id", &method),
            ("shipping_method", "express"),
        ])
        .await;
    let order_no = page
        .location
        .unwrap()
        .trim_start_matches("/orders/")
        .to_owned();
    assert_eq!(
        s.order(&order_no).await.fen("[data-total] [data-fen]"),
        40_000 + 1_800
    );
}

#[tokio::test]
async fn order_numbers_are_not_sequential() {
    let app = spawn_app().await;
    let product = app.product(1_000, 50).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    let mut numbers = Vec::new();
    for _ in 0..3 {
        s.add_to_cart(product, 1).await;
        numbers.push(
            s.checkout("full", "", &method)
                .await
                .parse::<u128>()
                .unwrap(),
        );
    }
    assert!(
        numbers
            .windows(2)
            .all(|w| w[1] != w[0] + 1 && w[0] != w[1] + 1),
        "{numbers:?}"
    );
}

#[tokio::test]
async fn unknown_plans_terms_methods_and_shipping_are_refused_with_nothing_written() {
    let app = spawn_app().await;
    let product = app.product(50_000, 10).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    // Each bad field is named on the form (shipping has no field of its own:
    // its message heads the form).
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case<'_>; 6] = [
        (
            &[("plan", "layaway"), ("payment_method_id", &method)],
            &["plan"],
        ),
        (
            &[
                ("plan", "installment"),
                ("term", "5"),
                ("payment_method_id", &method),
            ],
            &["plan"],
        ),
        (
            &[
                ("plan", "installment"),
                ("term", ""),
                ("payment_method_id", &method),
            ],
            &["plan"],
        ),
        (
            &[("plan", "full"), ("payment_method_id", "99999")],
            &["payment_method_id"],
        ),
        (
            &[("plan", "full"), ("payment_method_id", "abc")],
            &["payment_method_id"],
        ),
        (
            &[
                ("plan", "full"),
                ("payment_method_id", &method),
                ("shipping_method", "drone"),
            ],
            &[],
        ),
    ];
    for (fields, expected) in cases {
        let page = s.checkout_page(fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert_eq!(page.error_fields(), expected, "{fields:?}");
        if expected.is_empty() {
            assert!(!page.texts(".form-error").is_empty(), "{fields:?}");
        }
    }
    assert_eq!(app.stock_of(product).await, 10);
    assert!(
        s.get("/cart").await.has("tr[data-product-id]"),
        "the cart is untouched"
    );
    assert_eq!(
        s.get("/orders").await.attr("[data-tab=\"\"]", "data-count"),
        "0"
    );
}

#[tokio::test]
async fn installments_need_the_minimum_an_acknowledgement_and_a_card_that_lasts() {
    let app = spawn_app().await;
    let cheap = app.product(29_999, 10).await;
    let dear = app.product(80_000, 10).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    let short_card = s.add_card("5555555555554444", "03/27").await;

    s.add_to_cart(cheap, 1).await;
    let page = s
        .checkout_page(&[
            ("plan", "installment"),
            ("term", "3"),
            ("payment_method_id", &card),
        ])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.error_fields(), ["plan"]);
    assert!(
        page.error_on("plan").contains("¥300.00"),
        "{}",
        page.error_on("plan")
    );
    assert!(
        page.unhooked_amounts().is_empty(),
        "{:?}",
        page.unhooked_amounts()
    );
    s.post(&format!("/cart/items/{cheap}/remove"), &[]).await;

    s.add_to_cart(dear, 1).await;
    let page = s
        .checkout_page(&[
            ("plan", "installment"),
            ("term", "6"),
            ("payment_method_id", &card),
            ("acknowledge", ""),
        ])
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no acknowledgement"
    );
    assert_eq!(
        page.attr("input[name=term][checked]", "value"),
        "6",
        "choice kept"
    );

    // 6 months from 2026-11-23 ends 2027-05-23, after a card valid through
    // 03/27: as the priority method it would pay the instalments.
    s.post(
        &format!("/account/payment-methods/{short_card}/priority"),
        &[("confirm", "on")],
    )
    .await;
    let page = s
        .checkout_page(&[
            ("plan", "installment"),
            ("term", "6"),
            ("payment_method_id", &short_card),
        ])
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "card expires too soon"
    );
    assert_eq!(page.error_fields(), ["plan"]);
    assert!(page.error_on("plan").contains("2027-05-23"));
    assert_eq!(app.stock_of(dear).await, 10);

    // 3 months fit that card.
    let order_no = s.checkout("installment", "3", &short_card).await;
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
    assert_eq!(app.stock_of(dear).await, 9);
}

#[tokio::test]
async fn a_repeated_checkout_submit_lands_on_the_first_order() {
    let app = spawn_app().await;
    let product = app.product(10_000, 10).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 2).await;
    let form = s.get("/checkout").await;
    let csrf = form.attr("input[name=csrf_token]", "value");
    let token = form.attr("input[name=checkout_token]", "value");
    let submits = (0..10).map(|_| {
        let (s, csrf, token, method) = (s.clone(), csrf.clone(), token.clone(), method.clone());
        async move {
            let fields = [
                ("csrf_token", csrf.as_str()),
                ("checkout_token", token.as_str()),
                ("shipping_method", "standard"),
                ("plan", "full"),
                ("payment_method_id", method.as_str()),
            ];
            s.post_raw("/checkout", &fields).await
        }
    });
    let pages = crate::helpers::join_all(submits).await;
    let locations: std::collections::HashSet<_> = pages
        .iter()
        .map(|p| p.location.clone().expect("every submit redirects"))
        .collect();
    assert_eq!(
        locations.len(),
        1,
        "all submits land on one order: {locations:?}"
    );
    assert_eq!(app.stock_of(product).await, 8, "stock reserved once");
    assert_eq!(
        s.get("/orders").await.attr("[data-tab=\"\"]", "data-count"),
        "1"
    );
}
