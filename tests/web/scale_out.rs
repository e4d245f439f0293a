//! Several app servers on one database behave as one (SPEC "Scale-out"):
//! sessions, one-time tokens, the ledger, stock and the jobs hold when
//! requests and job runs are split between two servers. Runs on SQLite and,
//! under scripts/test.sh, on PostgreSQL.

use reqwest::StatusCode;

use crate::helpers::{Actor, join_all, spawn_app};

/// The same browser (cookie jar) talking to another server.
fn via(actor: &Actor, base: &str) -> Actor {
    let mut other = actor.clone();
    other.base = base.to_owned();
    other
}

#[tokio::test]
async fn a_sign_in_on_one_server_holds_on_the_other_and_logout_ends_it_on_both() {
    let a = spawn_app().await;
    let b = a.second_server().await;
    let s = a.shopper().await;
    let on_b = via(&s, &b.address);
    assert_eq!(
        on_b.get("/orders").await.status,
        StatusCode::OK,
        "signed in on B"
    );
    let token = on_b.token_from("/orders").await;
    on_b.post_raw("/logout", &[("csrf_token", &token)])
        .await
        .assert_redirect("/");
    s.get("/orders")
        .await
        .assert_redirect("/login?next=%2Forders");
}

#[tokio::test]
async fn twenty_identical_pays_split_across_two_servers_pay_once() {
    let a = spawn_app_with_latency().await;
    let b = a.second_server().await;
    let product = a.product(59_900, 5).await;
    let s = a.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("full", "", &card).await;
    let token = s.token_from("/orders").await;
    let pays = (0..20).map(|i| {
        let who = if i % 2 == 0 {
            s.clone()
        } else {
            via(&s, &b.address)
        };
        let (token, path) = (token.clone(), format!("/orders/{order_no}/pay"));
        async move {
            who.post_raw(&path, &[("csrf_token", &token), ("form_token", "sameForm")])
                .await
                .status
        }
    });
    let statuses = join_all(pays).await;
    assert!(
        statuses.iter().all(|st| *st == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-status]", "data-status"), "paid");
    assert_eq!(page.attrs("[data-payment]", "data-payment"), ["capture"]);
    let charges = a.gateway_calls_for(&order_no).await;
    assert_eq!(charges.len(), 1, "{charges:?}");
    assert_eq!(a.stock_of(product).await, 4);
}

async fn spawn_app_with_latency() -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(&["--sandbox-latency-ms", "50"], None).await
}

#[tokio::test]
async fn the_last_units_raced_across_two_servers_never_go_below_zero() {
    let a = spawn_app().await;
    let b = a.second_server().await;
    let product = a.product(10_000, 3).await;
    let mut shoppers = Vec::new();
    for i in 0..6 {
        let s = a.shopper().await;
        let card = s.add_card("4111111111111111", "12/30").await;
        s.add_to_cart(product, 1).await;
        let s = if i % 2 == 0 { s } else { via(&s, &b.address) };
        shoppers.push((s, card));
    }
    let checkouts = shoppers.into_iter().map(|(s, card)| async move {
        s.checkout_page(&[("plan", "full"), ("payment_method_id", &card)])
            .await
            .status
    });
    let statuses = join_all(checkouts).await;
    let placed = statuses
        .iter()
        .filter(|st| **st == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(placed, 3, "{statuses:?}");
    assert_eq!(a.stock_of(product).await, 0);
}

#[tokio::test]
async fn two_servers_running_the_jobs_close_an_expired_order_once_and_charge_an_instalment_once() {
    let a = spawn_app().await;
    let b = a.second_server().await;
    let product = a.product(120_000, 10).await;
    let s = a.shopper().await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let plan = s.checkout("installment", "3", &card).await;
    s.post(&format!("/orders/{plan}/pay"), &[]).await;
    s.add_to_cart(product, 1).await;
    let unpaid = s.checkout("full", "", &card).await;

    // The window passes and the first instalment falls due; both servers run their jobs.
    for app in [&a, &b] {
        app.clock.advance(chrono::Duration::days(31));
    }
    let (ra, rb) = tokio::join!(a.run_jobs(), b.run_jobs());
    assert_eq!(ra.closed + rb.closed, 1, "{ra:?} {rb:?}");
    assert_eq!(ra.charged + rb.charged, 1, "{ra:?} {rb:?}");
    assert_eq!(a.stock_of(product).await, 9, "released once");
    let charges: Vec<_> = a
        .gateway_calls_for(&plan)
        .await
        .into_iter()
        .filter(|e| e.idempotency_key.starts_with("instalment:"))
        .collect();
    assert_eq!(charges.len(), 1);
    s.sign_in_again().await;
    assert_eq!(s.status_of(&unpaid).await, "closed");
}

/// Server A keeps the order pages it built; every write that changes what
/// the page shows — made on server B, by the jobs, or straight in the
/// database — shows on A's next view (the stamp triggers, migration 000008).
#[tokio::test]
async fn an_order_page_a_server_has_built_shows_every_later_change_made_elsewhere() {
    use chrono::Duration;

    let a = spawn_app().await;
    let b = a.second_server().await;
    let product = a.product(90_000, 5).await;
    let s = a.shopper().await;
    let on_b = via(&s, &b.address);
    let visa = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &visa).await;

    // Unpaid, built on A; paid on B: A shows it paid with its schedule.
    assert_eq!(s.status_of(&order_no).await, "pending_payment");
    on_b.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    let page = s.order(&order_no).await;
    assert_eq!(page.attr("[data-status]", "data-status"), "paid");
    assert_eq!(
        page.attrs("[data-instalment-status]", "data-instalment-status"),
        ["due", "due", "due"]
    );

    // A method added on B is offered on A's page at once.
    let options =
        |p: &crate::helpers::Page| p.attrs("select[name=payment_method_id] option", "value");
    assert_eq!(options(&page), std::slice::from_ref(&visa));
    let wallet = on_b.add_wallet("alipay", "shopper@example.com").await;
    assert_eq!(options(&s.order(&order_no).await), [visa.clone(), wallet]);

    // The jobs of B take the first instalment: A shows it paid.
    b.clock.advance(Duration::days(30));
    a.clock.advance(Duration::days(30));
    assert_eq!(b.run_jobs().await.charged, 1);
    s.sign_in_again().await;
    let on_b = via(&s, &b.address);
    assert_eq!(
        s.order(&order_no)
            .await
            .attrs("[data-instalment-status]", "data-instalment-status"),
        ["paid", "due", "due"]
    );

    // A service request filed on B is listed on A's page.
    let filed = on_b
        .post(
            "/support/new",
            &[
                ("order_no", &order_no),
                ("payment_method_id", &visa),
                ("message", "请核对第一期扣款"),
                ("password", crate::helpers::SHOPPER_PASSWORD),
            ],
        )
        .await;
    let ticket_no = filed.location.clone().expect("303 to the request");
    let ticket_no = ticket_no.trim_start_matches("/support/");
    assert_eq!(
        s.order(&order_no)
            .await
            .attrs("[data-ticket-no]", "data-ticket-no"),
        [ticket_no]
    );

    // A write straight to the database (an operator's fix) shows too.
    let sql = format!(
        "UPDATE instalments SET status = 'overdue' WHERE seq = 3 \
         AND order_id = (SELECT id FROM orders WHERE order_no = '{order_no}')"
    );
    a.db.raw(move |conn| {
        use diesel::connection::SimpleConnection;
        Ok(conn.batch_execute(&sql)?)
    })
    .await
    .expect("update");
    assert_eq!(
        s.order(&order_no)
            .await
            .attrs("[data-instalment-status]", "data-instalment-status"),
        ["paid", "due", "overdue"]
    );

    // Refunded on B: A shows it refunded.
    on_b.post(
        &format!("/orders/{order_no}/refund"),
        &[("acknowledge", "on"), ("form_token", "refundOnB")],
    )
    .await
    .assert_redirect(&format!("/orders/{order_no}"));
    assert_eq!(s.status_of(&order_no).await, "refunded");
}
