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

/// Tables that scroll sideways on a phone can be reached by keyboard; those
/// stacked into cards there (`.stack`) name every value with its column's
/// header (`data-label`) and take no focus (nothing to scroll).
fn scrolling_tables_take_focus(page: &Page) {
    let all = page.texts("table.table:not(.stack)").len();
    assert_eq!(
        page.attrs("table.table:not(.stack)[tabindex='0']", "class")
            .len(),
        all
    );
    assert!(!page.has("table.stack[tabindex]"));
    let cells = page.texts("table.stack td").len();
    let labels = page.attrs("table.stack td[data-label]", "data-label");
    assert_eq!(labels.len(), cells, "every stacked cell is labelled");
    let headers = page.texts("table.stack th");
    for l in &labels {
        assert!(headers.contains(l), "{l} is a column header of {headers:?}");
    }
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

    // The repayment center and a new priority's impact: stacked on a phone.
    let repayments = s.get("/repayments").await;
    assert!(repayments.has("table.stack td[data-label]"));
    scrolling_tables_take_focus(&repayments);
    let other = s.add_card("5555555555554444", "11/31").await;
    let preview = s
        .get(&format!("/account/payment-methods?priority={other}"))
        .await;
    assert!(preview.has(&format!("table.stack tr[data-impact-order='{order_no}']")));
    scrolling_tables_take_focus(&preview);
}

/// The Nu Html Checker (`vnu.jar` from the npm package vnu-jar, installed by
/// scripts/test.sh under `target/vnu`, or where `VNU_JAR` points) and Java,
/// or `None` with a loud message outside CI.
fn nu_checker() -> Option<String> {
    let jar = std::env::var("VNU_JAR").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
        )
        .to_owned()
    });
    let java = std::process::Command::new("java").arg("-version").output();
    if std::path::Path::new(&jar).is_file() && java.is_ok_and(|o| o.status.success()) {
        return Some(jar);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{jar} and java are required under CI=true (scripts/test.sh installs them)");
    }
    eprintln!(
        "\n*** HTML VALIDATION DID NOT RUN: no {jar} or no java (scripts/test.sh installs them) ***\n"
    );
    None
}

/// Every page a shopper, a visitor and an agent see is valid HTML: the Nu
/// Html Checker finds no error on any of them, in Chinese and in English.
#[tokio::test]
async fn every_page_is_valid_html() {
    let Some(jar) = nu_checker() else {
        return;
    };
    let app = spawn_app().await;
    let product = app.product(90_000, 5).await;
    let visitor = app.visitor();
    let mut pages: Vec<(String, String)> = Vec::new();
    for path in [
        "/",
        &format!("/products/{product}"),
        "/login",
        "/register",
        "/help",
        "/help/search?q=退款",
        "/help/early-repayment",
    ] {
        pages.push((format!("visitor {path}"), visitor.get(path).await.body));
    }
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    let wallet = s.add_wallet("alipay", "shopper@example.com").await;
    s.add_to_cart(product, 1).await;
    let cart_and_checkout = [s.get("/cart").await.body, s.get("/checkout").await.body];
    let order_no = s.checkout("installment", "12", &card).await;
    pages.push(("cart".into(), cart_and_checkout[0].clone()));
    pages.push(("checkout".into(), cart_and_checkout[1].clone()));
    for path in [
        format!("/orders/{order_no}"),
        format!("/orders/{order_no}/change-payment"),
    ] {
        pages.push((format!("unpaid {path}"), s.get(&path).await.body));
    }
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let filed = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &card),
                ("message", "请核对扣款 <b>日期</b>"),
                ("password", crate::helpers::SHOPPER_PASSWORD),
            ],
        )
        .await;
    let ticket = filed.location.clone().expect("303 to the request");
    for lang in ["zh", "en"] {
        for path in [
            "/orders".to_owned(),
            format!("/orders/{order_no}"),
            format!("/orders/{order_no}/repay?scope=all"),
            "/repayments".to_owned(),
            "/account/messages".to_owned(),
            "/account/payment-methods".to_owned(),
            "/support".to_owned(),
            ticket.clone(),
            format!("/support/new?order={order_no}"),
            "/cart".to_owned(),
            // The impact previews of a new priority and of a removal.
            format!("/account/payment-methods?priority={wallet}"),
            format!("/account/payment-methods?remove={card}"),
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let page = s.get(&format!("{path}{sep}lang={lang}")).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            pages.push((format!("{lang} {path}"), page.body));
        }
    }
    // A refund refused on its form (422), then done: the refunded order.
    let refused = s.post(&format!("/orders/{order_no}/refund"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    pages.push(("refund refused".into(), refused.body));
    s.post(
        &format!("/orders/{order_no}/refund"),
        &[("acknowledge", "on")],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    for path in [
        format!("/orders/{order_no}"),
        "/orders?status=refunded".to_owned(),
    ] {
        pages.push((format!("refunded {path}"), s.get(&path).await.body));
    }
    let agent = app.staff().await;
    pages.push(("staff /staff".into(), agent.get("/staff").await.body));
    let staff_ticket = ticket.replace("/support/", "/staff/tickets/");
    pages.push((
        format!("staff {staff_ticket}"),
        agent.get(&staff_ticket).await.body,
    ));

    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, (_, body)) in pages.iter().enumerate() {
        let file = dir.path().join(format!("page{i}.html"));
        std::fs::write(&file, body).unwrap();
        files.push(file);
    }
    let out = tokio::process::Command::new("java")
        .args(["-jar", &jar, "--errors-only", "--format", "json"])
        .args(&files)
        .output()
        .await
        .expect("the Nu checker runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let errors: Vec<String> = report["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .map(|m| {
            let url = m["url"].as_str().unwrap_or_default();
            let i: usize = url
                .rsplit("page")
                .next()
                .and_then(|n| n.trim_end_matches(".html").parse().ok())
                .unwrap_or(usize::MAX);
            let name = pages.get(i).map_or("?", |p| p.0.as_str());
            format!("{name}: {} [{}]", m["message"], m["extract"])
        })
        .collect();
    eprintln!(
        "Nu Html Checker: {} pages, {} errors",
        pages.len(),
        errors.len()
    );
    assert!(pages.len() >= 30, "{} pages checked", pages.len());
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
