//! Rule 3: service requests for paid orders, with identity confirmation.

use reqwest::StatusCode;

use crate::helpers::{Actor, TestApp, join_all, spawn_app};

const PASSWORD: &str = "correct horse battery";

async fn paid_order(app: &TestApp) -> (Actor, String, String) {
    let product = app.product(100_000, 10).await;
    let s = app.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    let wanted = s.add_card("5555555555554444", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "6", &card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    (s, order_no, wanted)
}

#[tokio::test]
async fn a_request_is_prefilled_needs_the_password_and_can_be_followed() {
    let app = spawn_app().await;
    let (s, order_no, wanted) = paid_order(&app).await;
    let form = s.get(&format!("/support/new?order={order_no}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.attr("input[name=order_no]", "value"), order_no);
    assert_eq!(
        form.attr("[data-order-summary]", "data-order-summary"),
        order_no
    );

    let wrong = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &wanted),
                ("message", "请改用万事达卡还款"),
                ("password", "not my password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong.texts("textarea[name=message]"),
        vec!["请改用万事达卡还款"],
        "message kept"
    );
    assert!(
        !s.get("/support").await.has("[data-ticket-no]"),
        "nothing created"
    );

    let ok = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &wanted),
                ("message", "请改用万事达卡还款"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let location = ok.location.clone().expect("303 to the ticket");
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let ticket_no = location.trim_start_matches("/support/").to_owned();
    assert!(
        ticket_no.starts_with('S') && ticket_no.len() >= 16,
        "{ticket_no}"
    );
    let ticket = s.get(&location).await;
    assert_eq!(
        ticket.attr("[data-ticket-status]", "data-ticket-status"),
        "open"
    );
    assert!(ticket.body.contains("4444"), "wanted method shown");
    assert_eq!(
        s.get("/support")
            .await
            .attrs("[data-ticket-no]", "data-ticket-no"),
        vec![ticket_no.clone()]
    );
    let order = s.order(&order_no).await;
    assert!(
        order.texts(".timeline li")[0].contains(&ticket_no),
        "timeline records it"
    );
    assert_eq!(
        order.attrs("li[data-ticket-no]", "data-ticket-no"),
        vec![ticket_no.clone()]
    );

    let stranger = app.shopper().await;
    assert_eq!(stranger.get(&location).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unpaid_or_foreign_orders_and_empty_messages_are_refused() {
    let app = spawn_app().await;
    let (s, order_no, wanted) = paid_order(&app).await;
    let product = app.product(50_000, 10).await;
    s.add_to_cart(product, 1).await;
    let unpaid = s.checkout("full", "", &wanted).await;
    let page = s
        .post(
            "/support/new",
            &[
                ("order_no", &unpaid),
                ("payment_method_id", &wanted),
                ("message", "x"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unpaid orders are self-service"
    );
    let other = app.shopper().await;
    let foreign = other
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &wanted),
                ("message", "x"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    let empty = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &wanted),
                ("message", "  "),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let long = "长".repeat(501);
    let too_long = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &wanted),
                ("message", &long),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!s.get("/support").await.has("[data-ticket-no]"));
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled() {
    let app = spawn_app().await;
    let (s, order_no, wanted) = paid_order(&app).await;
    let fields = |pw: &'static str| {
        [
            ("order_no", order_no.clone()),
            ("payment_method_id", wanted.clone()),
            ("message", "help".to_owned()),
            ("password", pw.to_owned()),
        ]
    };
    for _ in 0..4 {
        let f = fields("wrong");
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            s.post("/support/new", &refs).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let f = fields("wrong");
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        s.post("/support/new", &refs).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let f = fields(PASSWORD);
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        s.post("/support/new", &refs).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked even with the right one"
    );
    assert!(!s.get("/support").await.has("[data-ticket-no]"));
}

#[tokio::test]
async fn twenty_racing_submits_open_one_ticket() {
    let app = spawn_app().await;
    let (s, order_no, wanted) = paid_order(&app).await;
    let form = s.get(&format!("/support/new?order={order_no}")).await;
    let csrf = form.attr("input[name=csrf_token]", "value");
    let token = form.attr("input[name=form_token]", "value");
    let submits = (0..20).map(|_| {
        let (s, csrf, token, order_no, wanted) = (
            s.clone(),
            csrf.clone(),
            token.clone(),
            order_no.clone(),
            wanted.clone(),
        );
        async move {
            s.post_raw(
                "/support/new",
                &[
                    ("csrf_token", &csrf),
                    ("form_token", &token),
                    ("order_no", &order_no),
                    ("payment_method_id", &wanted),
                    ("message", "switch please"),
                    ("password", PASSWORD),
                ],
            )
            .await
        }
    });
    let pages = join_all(submits).await;
    let locations: std::collections::HashSet<_> = pages
        .iter()
        .map(|p| p.location.clone().expect("redirect"))
        .collect();
    assert_eq!(locations.len(), 1, "every submit lands on the one ticket");
    assert_eq!(
        s.get("/support")
            .await
            .attrs("[data-ticket-no]", "data-ticket-no")
            .len(),
        1
    );
    let order = s.order(&order_no).await;
    assert_eq!(
        order
            .texts(".timeline li")
            .iter()
            .filter(|t| t.contains("提交服务申请"))
            .count(),
        1
    );
}
