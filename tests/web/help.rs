//! Help center: categories, Chinese substring search, articles linking into the flows.

use reqwest::StatusCode;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn the_help_center_lists_articles_by_category_with_the_configured_hotline() {
    let app = spawn_app_with(
        &[
            "--hotline",
            "400-000-1234",
            "--service-hours",
            "每天 8:00–22:00",
        ],
        None,
    )
    .await;
    let page = app.visitor().get("/help").await;
    assert_eq!(page.status, StatusCode::OK);
    for category in ["payments", "orders", "account"] {
        assert!(
            !page
                .attrs(
                    &format!("[data-help-category={category}] [data-article]"),
                    "data-article"
                )
                .is_empty(),
            "{category}"
        );
    }
    assert_eq!(page.texts("[data-hotline]"), vec!["400-000-1234"]);
    assert_eq!(page.texts("[data-service-hours]"), vec!["每天 8:00–22:00"]);
    let article = app.visitor().get("/help/service-requests").await;
    assert!(article.body.contains("400-000-1234") && article.body.contains("每天 8:00–22:00"));
}

#[tokio::test]
async fn search_finds_chinese_substrings_and_english_words() {
    let app = spawn_app().await;
    let v = app.visitor();
    let hits = |q: &'static str| {
        let v = v.clone();
        async move {
            let page = v.get(&format!("/help/search?q={}", urlencode(q))).await;
            assert_eq!(page.status, StatusCode::OK, "{q}");
            page.attrs(".results [data-article]", "data-article")
        }
    };
    assert_eq!(
        hits("更换支付").await.first().map(String::as_str),
        Some("change-payment-method")
    );
    assert!(
        hits("手续费")
            .await
            .contains(&"installment-fees".to_owned())
    );
    assert!(
        hits("优先支付方式")
            .await
            .contains(&"priority-payment-method".to_owned())
    );
    assert!(
        hits("分期").await.len() >= 3,
        "two-character terms match too"
    );
    assert!(hits("卡").await.contains(&"account-security".to_owned()));
    assert!(
        hits("priority")
            .await
            .contains(&"priority-payment-method".to_owned())
    );
    assert_eq!(
        hits("优先 删除").await,
        vec!["priority-payment-method".to_owned()],
        "every term must match"
    );
    assert!(hits("量子计算机").await.is_empty());
    for odd in ["\"", "%", "a OR b", "NEAR(", "*"] {
        let page = v.get(&format!("/help/search?q={}", urlencode(odd))).await;
        assert_eq!(page.status, StatusCode::OK, "{odd}");
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)])
        .unwrap()
        .trim_start_matches("q=")
        .to_owned()
}

#[tokio::test]
async fn articles_link_into_the_flows_and_show_live_rates() {
    let app = spawn_app().await;
    let v = app.visitor();
    let page = v.get("/help/priority-payment-method").await;
    assert!(
        page.attrs(".help-article a", "href")
            .contains(&"/account/payment-methods".to_owned())
    );
    let page = v.get("/help/change-payment-method").await;
    let links = page.attrs(".help-article a", "href");
    assert!(
        links.contains(&"/orders".to_owned()) && links.contains(&"/support".to_owned()),
        "{links:?}"
    );
    let fees = v.get("/help/installment-fees").await;
    assert!(fees.body.contains("¥300.00"), "the configured minimum");
    let rates: Vec<String> = fees.texts("tr[data-rate-term]");
    assert_eq!(rates.len(), 4);
    assert!(rates[2].contains("0.60%"), "{rates:?}");
    let en = v.get("/help/installment-fees?lang=en").await;
    assert!(en.texts("h1")[0].contains("installment fees"));
    assert_eq!(
        v.get("/help/no-such-article").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_repayment_center_pages_link_to_articles_in_both_languages() {
    let app = spawn_app().await;
    let product = app.product(90_000, 5).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let mut linked = Vec::new();
    for page in [
        "/repayments".to_owned(),
        format!("/orders/{order_no}/repay?scope=all"),
        format!("/orders/{order_no}"),
        "/account/messages".to_owned(),
    ] {
        let hrefs = s.get(&page).await.attrs("a[href^=\"/help/\"]", "href");
        assert!(!hrefs.is_empty(), "{page} links to help");
        linked.extend(hrefs);
    }
    for slug in [
        "repayment-center",
        "early-repayment",
        "repayment-method",
        "reminders",
        "refunds",
    ] {
        let href = format!("/help/{slug}");
        assert!(linked.contains(&href), "{href} is linked from the pages");
        let zh = s.get(&format!("{href}?lang=zh")).await;
        let en = s.get(&format!("{href}?lang=en")).await;
        assert_eq!((zh.status, en.status), (StatusCode::OK, StatusCode::OK));
        assert_ne!(zh.texts("h1"), en.texts("h1"), "{slug} in both languages");
    }
    // The settlement rule's worked example is in the article.
    let early = s.get("/help/early-repayment?lang=zh").await;
    assert!(early.body.contains("¥1,100.00") && early.body.contains("¥79.20"));
    // And search finds them by Chinese substrings.
    let found = s.get("/help/search?q=%E9%80%80%E6%AC%BE").await;
    assert!(
        found
            .attrs("[data-article]", "data-article")
            .contains(&"refunds".to_owned()),
        "退款 finds the refunds article"
    );
}
