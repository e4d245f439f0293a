//! Chinese by default; `?lang=` switches and is remembered; Accept-Language otherwise.

use crate::helpers::spawn_app;

#[tokio::test]
async fn chinese_by_default_english_on_request_and_remembered() {
    let app = spawn_app().await;
    let v = app.visitor();
    let home = v.get("/").await;
    assert_eq!(home.attr("html", "lang"), "zh-CN");
    assert!(home.texts(".nav a").contains(&"我的订单".to_owned()));

    let en = v.get("/?lang=en").await;
    assert_eq!(en.attr("html", "lang"), "en");
    assert!(en.texts(".nav a").contains(&"My orders".to_owned()));
    // Remembered by cookie on the next page without the parameter.
    let next = v.get("/login").await;
    assert_eq!(next.attr("html", "lang"), "en");
    assert_eq!(next.attr(".lang-switch", "href"), "/login?lang=zh");
    let back = v.get("/?lang=zh").await;
    assert_eq!(back.attr("html", "lang"), "zh-CN");
}

#[tokio::test]
async fn accept_language_decides_without_a_choice() {
    let app = spawn_app().await;
    let v = app.visitor();
    let en = v.get_with("/", ("accept-language", "en-US,en;q=0.9")).await;
    assert_eq!(en.attr("html", "lang"), "en");
    let zh = v
        .get_with("/", ("accept-language", "fr-FR,zh-CN;q=0.8,en;q=0.5"))
        .await;
    assert_eq!(zh.attr("html", "lang"), "zh-CN");
    let other = v.get_with("/", ("accept-language", "de")).await;
    assert_eq!(other.attr("html", "lang"), "zh-CN");
}

#[tokio::test]
async fn every_text_comes_from_the_catalog_and_every_amount_carries_data_fen() {
    let app = spawn_app().await;
    let product = app.product(50_000, 5).await;
    let s = app.shopper().await;
    let method = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &method).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let ticket = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &method),
                ("message", "help"),
                ("password", crate::helpers::SHOPPER_PASSWORD),
            ],
        )
        .await
        .location
        .expect("ticket");
    s.add_to_cart(product, 1).await;
    let unpaid = s.checkout("full", "", &method).await;
    for lang in ["zh", "en"] {
        for path in [
            "/help",
            "/help/installment-fees",
            "/help/search?q=%E5%88%86%E6%9C%9F",
            ticket.as_str(),
            "/support",
            &format!("/support/new?order={order_no}"),
            &format!("/orders/{order_no}/change-payment"),
            &format!(
                "/orders/{unpaid}/change-payment?plan=installment&term=6&payment_method_id={method}"
            ),
            &format!("/account/payment-methods?priority={method}"),
            &format!("/account/payment-methods?remove={method}"),
            "/",
            "/cart",
            "/checkout",
            "/repayments",
            "/account/messages",
            &format!("/orders/{order_no}/repay?scope=all"),
            "/orders",
            &format!("/orders/{order_no}"),
            "/account/payment-methods",
            &format!("/products/{product}"),
        ] {
            let page = s
                .get(&format!(
                    "{path}{}lang={lang}",
                    if path.contains('?') { '&' } else { '?' }
                ))
                .await;
            assert_eq!(page.status, reqwest::StatusCode::OK, "{path} ({lang})");
            // A missing catalog key renders as the key itself, e.g. "order.flash.paid".
            let leaked: Vec<&str> = page
                .body
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                .filter(|w| {
                    w.contains('.')
                        && w.split('.').count() >= 2
                        && w.split('.').all(|p| {
                            !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        })
                })
                .filter(|w| !w.ends_with(".css") && !w.ends_with(".svg") && !w.contains("example"))
                .collect();
            assert!(
                leaked.is_empty(),
                "{path} ({lang}) shows untranslated keys: {leaked:?}"
            );
            let unhooked = page.unhooked_amounts();
            assert!(
                unhooked.is_empty(),
                "{path} ({lang}) shows amounts without data-fen: {unhooked:?}"
            );
        }
    }
}
