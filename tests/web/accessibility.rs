//! Markup that assistive technology and browsers rely on (issue #12's
//! findings, checked on the served HTML; the browser suite runs axe-core).

use reqwest::StatusCode;

use crate::helpers::{Page, spawn_app};

/// Table header cells all have text (visible or for screen readers).
fn no_empty_header_cells(page: &Page) {
    let html = page.html();
    let th = scraper::Selector::parse("th").unwrap();
    for cell in html.select(&th) {
        let text: String = cell.text().collect();
        assert!(!text.trim().is_empty(), "empty <th>: {}", cell.html());
    }
}

/// Every label holds one form control at most.
fn one_control_a_label(page: &Page) {
    let html = page.html();
    let label = scraper::Selector::parse("label").unwrap();
    let control = scraper::Selector::parse("input, select, textarea").unwrap();
    for l in html.select(&label) {
        let n = l.select(&control).count();
        assert!(n <= 1, "a label with {n} controls: {}", l.html());
    }
}

/// Tables that scroll sideways on a phone can be reached by keyboard.
fn scrolling_tables_take_focus(page: &Page) {
    let all = page.attrs("table.table", "class").len();
    assert_eq!(page.attrs("table.table[tabindex='0']", "class").len(), all);
}

#[tokio::test]
async fn the_icon_is_served_where_browsers_look_for_it() {
    let app = spawn_app().await;
    let visitor = app.visitor();
    let res = reqwest::get(format!("{}/favicon.ico", app.address))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg"));
    let home = visitor.get("/").await;
    let icon = home.attr("link[rel=icon]", "href");
    assert_eq!(visitor.get(&icon).await.status, StatusCode::OK);
}

#[tokio::test]
async fn tables_have_named_headers_and_keyboard_reachable_scrolling_and_labels_one_control() {
    let app = spawn_app().await;
    let product = app.product(90_000, 5).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;

    let cart = s.get("/cart").await;
    no_empty_header_cells(&cart);
    scrolling_tables_take_focus(&cart);
    let checkout = s.get("/checkout").await;
    scrolling_tables_take_focus(&checkout);
    one_control_a_label(&checkout);

    let order_no = s.checkout("installment", "12", &card).await;
    let change = s.get(&format!("/orders/{order_no}/change-payment")).await;
    assert_eq!(change.status, StatusCode::OK);
    no_empty_header_cells(&change);
    one_control_a_label(&change);
    assert!(change.has("select[name=term][aria-label]"));

    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let paid = s.order(&order_no).await;
    assert!(paid.has("table.table[data-schedule], table.table"));
    scrolling_tables_take_focus(&paid);
    no_empty_header_cells(&paid);
    one_control_a_label(&paid);
}
