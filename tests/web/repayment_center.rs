//! The repayment center (SPEC "Repayment center"): `/repayments`.

use chrono::Duration;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_center_lists_unpaid_instalments_overdue_first_then_by_due_date_with_the_total() {
    let app = spawn_app().await;
    app.visitor()
        .get("/repayments")
        .await
        .assert_redirect("/login?next=%2Frepayments");
    let s = app.shopper().await;
    assert!(s.get("/repayments").await.has("[data-repayments=none]"));

    let good = s.add_card("4111111111111111", "12/30").await;
    let declining = s.add_card("4000000000000002", "12/30").await;
    let p1 = app.product(90_000, 5).await;
    s.add_to_cart(p1, 1).await;
    let three = s.checkout("installment", "3", &good).await;
    s.post(&format!("/orders/{three}/pay"), &[]).await;
    app.clock.advance(Duration::days(3));
    s.sign_in_again().await;
    let p2 = app.product(60_000, 5).await;
    s.add_to_cart(p2, 1).await;
    let six = s.checkout("installment", "6", &good).await;
    s.post(&format!("/orders/{six}/pay"), &[]).await;
    // Both plans follow the priority, now the declining card: the 3-month
    // plan's first instalment (due 23 Dec) goes overdue and must head the list.
    s.post(
        &format!("/account/payment-methods/{declining}/priority"),
        &[("confirm", "on")],
    )
    .await;
    app.clock.advance(Duration::days(28));
    let jobs = app.run_jobs().await;
    assert_eq!(jobs.declined, 1, "{jobs:?}");
    s.sign_in_again().await;

    let page = s.get("/repayments").await;
    let rows = page.attrs("[data-instalment]", "data-instalment");
    assert_eq!(rows.len(), 3 + 6, "{rows:?}");
    assert_eq!(rows[0], format!("{three}:1"), "overdue first");
    let dues = page.attrs("[data-instalment]", "data-due");
    assert!(
        dues[1..].windows(2).all(|w| w[0] <= w[1]),
        "then by due date: {dues:?}"
    );
    let amounts: i64 = page
        .attrs("[data-instalment] [data-fen]", "data-fen")
        .iter()
        .map(|f| f.parse::<i64>().unwrap())
        .sum();
    assert_eq!(page.fen("[data-outstanding] [data-fen]"), amounts);
    assert_eq!(
        amounts,
        90_000 + 60_000 + 6 * 300,
        "principal plus the 6-month fees"
    );
    assert!(
        page.texts("[data-instalment]")[0].contains("0002"),
        "the method charged"
    );
}
