//! The staff console: agents resolve service requests by switching the
//! repayment method of the remaining instalments, or decline with a reason.

use chrono::Duration;
use reqwest::StatusCode;

use crate::helpers::{Actor, SHOPPER_PASSWORD, TestApp, join_all, spawn_app};

async fn agent(app: &TestApp) -> Actor {
    app.staff().await
}

/// A paid plan of `plan`/`term` and an open request to move it to a Mastercard.
async fn open_request(app: &TestApp, plan: &str, term: &str) -> (Actor, String, String) {
    let product = app.product(100_000, 10).await;
    let s = app.shopper().await;
    let visa = s.add_card("4111111111111111", "12/30").await;
    let master = s.add_card("5555555555554444", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout(plan, term, &visa).await;
    s.post(&format!("/orders/{order_no}/pay"), &[]).await;
    let ticket = s
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &master),
                ("message", "用万事达卡还款"),
                ("password", SHOPPER_PASSWORD),
            ],
        )
        .await
        .location
        .expect("ticket")
        .trim_start_matches("/support/")
        .to_owned();
    (s, order_no, ticket)
}

#[tokio::test]
async fn only_agents_reach_the_console() {
    let app = spawn_app().await;
    let (s, _, ticket) = open_request(&app, "installment", "3").await;
    app.visitor()
        .get("/staff")
        .await
        .assert_redirect("/login?next=%2Fstaff");
    assert_eq!(s.get("/staff").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get(&format!("/staff/tickets/{ticket}")).await.status,
        StatusCode::NOT_FOUND
    );
    let res = s
        .post(
            &format!("/staff/tickets/{ticket}/resolve"),
            &[("outcome", "switched"), ("reply", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        s.get(&format!("/support/{ticket}"))
            .await
            .attr("[data-ticket-status]", "data-ticket-status"),
        "open"
    );
}

#[tokio::test]
async fn switching_moves_the_remaining_instalments_to_the_wanted_method() {
    let app = spawn_app().await;
    let (s, order_no, ticket) = open_request(&app, "installment", "3").await;
    let a = agent(&app).await;
    let list = a.get("/staff").await;
    assert_eq!(
        list.attr(
            &format!("tr[data-ticket-no=\"{ticket}\"]"),
            "data-ticket-status"
        ),
        "open"
    );
    let page = a.get(&format!("/staff/tickets/{ticket}")).await;
    assert!(page.texts("[data-wanted]")[0].contains("4444"));
    let token = page.attr("input[name=csrf_token]", "value");
    a.post_raw(
        &format!("/staff/tickets/{ticket}/resolve"),
        &[
            ("csrf_token", &token),
            ("outcome", "switched"),
            ("reply", "已为您更换"),
        ],
    )
    .await
    .assert_redirect(&format!("/staff/tickets/{ticket}"));

    let mine = s.get(&format!("/support/{ticket}")).await;
    assert_eq!(
        mine.attr("[data-ticket-status]", "data-ticket-status"),
        "resolved"
    );
    assert_eq!(mine.texts("[data-reply]"), vec!["已为您更换"]);
    let order = s.order(&order_no).await;
    assert!(order.texts("[data-repayment-method]")[0].contains("4444"));
    let timeline = order.texts(".timeline li");
    assert!(
        timeline[0].contains("服务申请已处理") && timeline[1].contains("还款方式变更"),
        "{timeline:?}"
    );
    assert!(timeline[1].contains("客服"));

    // The collector now charges the Mastercard, not the priority Visa.
    app.clock.advance(Duration::days(30));
    assert_eq!(app.run_jobs().await.charged, 1);
    s.sign_in_again().await;
    let order = s.order(&order_no).await;
    assert!(order.texts(".timeline li")[0].contains("4444"));
}

#[tokio::test]
async fn declining_needs_a_reason_that_the_shopper_sees() {
    let app = spawn_app().await;
    let (s, order_no, ticket) = open_request(&app, "installment", "6").await;
    let a = agent(&app).await;
    let token = a.token_from(&format!("/staff/tickets/{ticket}")).await;
    let path = format!("/staff/tickets/{ticket}/resolve");
    let empty = a
        .post_raw(
            &path,
            &[
                ("csrf_token", &token),
                ("outcome", "declined"),
                ("reply", " "),
            ],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bogus = a
        .post_raw(
            &path,
            &[
                ("csrf_token", &token),
                ("outcome", "refund"),
                ("reply", "x"),
            ],
        )
        .await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
    a.post_raw(
        &path,
        &[
            ("csrf_token", &token),
            ("outcome", "declined"),
            ("reply", "该卡不支持分期扣款"),
        ],
    )
    .await
    .assert_redirect(&format!("/staff/tickets/{ticket}"));
    let mine = s.get(&format!("/support/{ticket}")).await;
    assert_eq!(
        mine.attr("[data-ticket-status]", "data-ticket-status"),
        "declined"
    );
    assert_eq!(mine.texts("[data-reply]"), vec!["该卡不支持分期扣款"]);
    let order = s.order(&order_no).await;
    assert!(order.texts(".timeline li")[0].contains("服务申请未通过"));
    assert!(
        order.texts("[data-repayment-method]")[0].contains("1111"),
        "unchanged"
    );
}

#[tokio::test]
async fn a_full_payment_has_no_instalments_to_switch() {
    let app = spawn_app().await;
    let (_, _, ticket) = open_request(&app, "full", "").await;
    let a = agent(&app).await;
    let token = a.token_from(&format!("/staff/tickets/{ticket}")).await;
    let res = a
        .post_raw(
            &format!("/staff/tickets/{ticket}/resolve"),
            &[
                ("csrf_token", &token),
                ("outcome", "switched"),
                ("reply", ""),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        a.get("/staff").await.attr(
            &format!("tr[data-ticket-no=\"{ticket}\"]"),
            "data-ticket-status"
        ),
        "open"
    );
}

#[tokio::test]
async fn racing_resolutions_handle_a_request_once() {
    let app = spawn_app().await;
    let (s, order_no, ticket) = open_request(&app, "installment", "3").await;
    let a = agent(&app).await;
    let token = a.token_from(&format!("/staff/tickets/{ticket}")).await;
    let tries = (0..20).map(|_| {
        let (a, token, path) = (
            a.clone(),
            token.clone(),
            format!("/staff/tickets/{ticket}/resolve"),
        );
        async move {
            a.post_raw(
                &path,
                &[
                    ("csrf_token", &token),
                    ("outcome", "switched"),
                    ("reply", "ok"),
                ],
            )
            .await
            .status
        }
    });
    let statuses = join_all(tries).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    let order = s.order(&order_no).await;
    assert_eq!(
        order
            .texts(".timeline li")
            .iter()
            .filter(|t| t.contains("服务申请已处理"))
            .count(),
        1
    );
    assert_eq!(
        order
            .texts(".timeline li")
            .iter()
            .filter(|t| t.contains("还款方式变更"))
            .count(),
        1
    );
}
