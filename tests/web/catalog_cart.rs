//! Catalog pages and the cart: quantities 1–99, never above stock.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn catalog_and_product_pages_show_price_and_stock() {
    let app = spawn_app().await;
    let product = app.product(129_900, 7).await;
    let v = app.visitor();
    let home = v.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let card = format!("[data-product-id=\"{product}\"] [data-fen]");
    assert_eq!(home.fen(&card), 129_900);
    assert!(home.texts(&card)[0].contains("¥1,299.00"));

    let page = v.get(&format!("/products/{product}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.attr("[data-stock]", "data-stock"), "7");
    assert_eq!(page.fen(".price-large [data-fen]"), 129_900);
    // Visitors are asked to sign in before buying, and come back here.
    assert!(
        page.attrs("a", "href")
            .contains(&format!("/login?next=%2Fproducts%2F{product}"))
    );
    for bad in ["999999", "abc", "-1", "0"] {
        assert_eq!(
            v.get(&format!("/products/{bad}")).await.status,
            StatusCode::NOT_FOUND,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn adding_to_the_cart_merges_lines_and_prices_from_the_catalog() {
    let app = spawn_app().await;
    let a = app.product(10_000, 20).await;
    let b = app.product(2_550, 20).await;
    let s = app.shopper().await;
    s.add_to_cart(a, 2).await.assert_redirect("/cart");
    s.add_to_cart(a, 3).await.assert_redirect("/cart");
    s.add_to_cart(b, 1).await.assert_redirect("/cart");
    let cart = s.get("/cart").await;
    assert_eq!(
        cart.attr(&format!("tr[data-product-id=\"{a}\"]"), "data-quantity"),
        "5"
    );
    assert_eq!(cart.fen(".summary [data-fen]"), 5 * 10_000 + 2_550);

    s.post(&format!("/cart/items/{a}/remove"), &[])
        .await
        .assert_redirect("/cart");
    let cart = s.get("/cart").await;
    assert!(!cart.has(&format!("tr[data-product-id=\"{a}\"]")));
    assert_eq!(cart.fen(".summary [data-fen]"), 2_550);
}

#[tokio::test]
async fn bad_quantities_are_refused_on_the_form_and_nothing_is_written() {
    let app = spawn_app().await;
    let product = app.product(10_000, 5).await;
    let s = app.shopper().await;
    let pid = product.0.to_string();
    for qty in ["0", "-1", "100", "99999999999", "abc", "", "1.5"] {
        let page = s
            .post("/cart/items", &[("product_id", &pid), ("quantity", qty)])
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "quantity {qty:?}"
        );
        assert_eq!(page.error_fields(), ["quantity"], "quantity {qty:?}");
        assert_eq!(
            page.attr("input[name=quantity]", "value"),
            qty,
            "input kept"
        );
    }
    // Above stock, also after merging with what is in the cart.
    let page = s
        .post("/cart/items", &[("product_id", &pid), ("quantity", "6")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    s.add_to_cart(product, 4).await.assert_redirect("/cart");
    let page = s
        .post("/cart/items", &[("product_id", &pid), ("quantity", "2")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        s.get("/cart")
            .await
            .attr("tr[data-product-id]", "data-quantity"),
        "4"
    );
    // Unknown products.
    for id in ["424242", "x", "-3"] {
        let page = s
            .post("/cart/items", &[("product_id", id), ("quantity", "1")])
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "product {id}"
        );
    }
}

#[tokio::test]
async fn the_cart_is_personal_and_needs_a_sign_in() {
    let app = spawn_app().await;
    let product = app.product(10_000, 5).await;
    let s = app.shopper().await;
    s.add_to_cart(product, 1).await;
    let other = app.shopper().await;
    assert!(!other.get("/cart").await.has("tr[data-product-id]"));
    app.visitor()
        .get("/cart")
        .await
        .assert_redirect("/login?next=%2Fcart");
}

#[tokio::test]
async fn cart_quantities_can_be_changed_in_place_within_limits() {
    let app = spawn_app().await;
    let product = app.product(10_000, 5).await;
    let s = app.shopper().await;
    s.add_to_cart(product, 1).await;
    let path = format!("/cart/items/{product}");
    s.post(&path, &[("quantity", "4")])
        .await
        .assert_redirect("/cart");
    let cart = s.get("/cart").await;
    assert_eq!(cart.attr("tr[data-product-id]", "data-quantity"), "4");
    assert_eq!(cart.fen(".summary [data-fen]"), 40_000);
    for bad in ["0", "6", "-2", "abc", "100"] {
        let page = s.post(&path, &[("quantity", bad)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(page.texts(".form-error").len(), 1, "{bad}");
    }
    assert_eq!(
        s.get("/cart")
            .await
            .attr("tr[data-product-id]", "data-quantity"),
        "4"
    );
    // A product not in the cart is not added this way.
    let other = app.product(10_000, 5).await;
    let page = s
        .post(&format!("/cart/items/{other}"), &[("quantity", "1")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !s.get("/cart")
            .await
            .has(&format!("tr[data-product-id=\"{other}\"]"))
    );
}
