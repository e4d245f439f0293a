//! Reminders and notices by email (SPEC "Reminders"): through the outbox to
//! a real SMTP server on a free port (the in-test sink), exactly once per
//! instalment and kind across job runs, restarts and app servers; retried
//! with backoff when the server refuses for now, given up when it refuses
//! for good; phone accounts get the inbox only.

use chrono::Duration;
use storefront::domain::mail::OutboxState;

use crate::helpers::{Actor, SHOPPER_PASSWORD, TestApp, spawn_app_with};
use crate::smtp_sink::{Refuse, SmtpSink};

async fn app_mailing_to(sink: &SmtpSink) -> TestApp {
    spawn_app_with(
        &[
            "--smtp-url",
            &sink.url(),
            "--mail-from",
            "Storefront <no-reply@shop.example>",
            "--public-url",
            "https://shop.example/",
        ],
        None,
    )
    .await
}

/// A shopper whose account is an email address.
async fn email_shopper(app: &TestApp, name: &str) -> Actor {
    let mut s = app.visitor();
    s.account = format!("{name}@example.com");
    s.register(&s.account, SHOPPER_PASSWORD).await;
    s
}

/// A paid 3-month plan of ¥900.00 on a Visa ending 1111: first due 2026-12-23.
async fn paid_plan(app: &TestApp, s: &Actor) -> String {
    let product = app.product(90_000, 5).await;
    let card = s.add_card("4111111111111111", "12/30").await;
    s.add_to_cart(product, 1).await;
    let order_no = s.checkout("installment", "3", &card).await;
    s.post(&format!("/orders/{order_no}/pay"), &[])
        .await
        .assert_redirect(&format!("/orders/{order_no}"));
    order_no
}

#[tokio::test]
async fn reminders_and_notices_are_mailed_once_across_job_runs_restarts_and_servers() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let s = email_shopper(&app, "mei").await;
    let order_no = paid_plan(&app, &s).await;
    let phone = app.shopper().await;
    paid_plan(&app, &phone).await;

    // 2026-12-20, three days before the first deduction.
    app.clock.advance(Duration::days(27));
    let report = app.run_jobs().await;
    assert_eq!((report.reminded, report.mailed), (2, 1), "{report:?}");
    assert_eq!(app.run_jobs().await.mailed, 0, "a second run sends nothing");
    // Another server (or this one restarted) on the same database, running
    // its jobs at the same time as this one: still nothing more.
    let other = app.second_server().await;
    let (a, b) = tokio::join!(app.run_jobs(), other.run_jobs());
    assert_eq!(a.mailed + b.mailed, 0);

    let mail = sink.received();
    assert_eq!(mail.len(), 1, "only the email account gets mail");
    let reminder = &mail[0];
    assert_eq!(reminder.to, ["mei@example.com"]);
    assert_eq!(reminder.from, "no-reply@shop.example");
    let subject = reminder.subject();
    assert!(
        subject.contains("还款提醒") && subject.contains("Reminder"),
        "{subject}"
    );
    assert!(
        subject.contains("¥300.00") && subject.contains("2026-12-23"),
        "{subject}"
    );
    let text = reminder.text();
    assert!(
        text.contains("•••• 1111"),
        "names the method's last four: {text}"
    );
    assert!(text.contains(&order_no), "{text}");
    assert!(
        text.contains(&format!(
            "https://shop.example/orders/{order_no}#repayment-method"
        )),
        "links to change the method: {text}"
    );

    // The deduction on the 23rd: one "charged" notice, mailed once.
    app.clock.advance(Duration::days(3));
    other.clock.advance(Duration::days(3));
    assert_eq!(app.run_jobs().await.charged, 2);
    let (a, b) = tokio::join!(app.run_jobs(), other.run_jobs());
    assert_eq!(
        a.mailed + b.mailed,
        0,
        "the collector's pass mailed it already"
    );
    let mail = sink.received();
    assert_eq!(mail.len(), 2);
    assert!(
        mail[1].subject().contains("扣款成功"),
        "{}",
        mail[1].subject()
    );
    assert_ne!(mail[0].message_id(), mail[1].message_id());
    let outbox = storefront::service::mail::outbox(&app.db).await.unwrap();
    assert_eq!(outbox.len(), 2);
    assert!(
        outbox
            .iter()
            .all(|e| e.state == OutboxState::Sent && e.attempts == 1)
    );
}

#[tokio::test]
async fn a_refused_email_is_retried_with_backoff_and_a_permanent_refusal_gives_up() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let s = email_shopper(&app, "lan").await;
    paid_plan(&app, &s).await;
    app.clock.advance(Duration::days(27));

    sink.refuse(Refuse::Temporarily(2));
    let first = app.run_jobs().await;
    assert_eq!((first.mailed, first.mail_retrying), (0, 1));
    assert_eq!(
        app.run_jobs().await.mail_retrying,
        0,
        "not before its backoff"
    );
    assert_eq!(sink.attempts(), 1);
    app.clock.advance(Duration::minutes(1));
    assert_eq!(app.run_jobs().await.mail_retrying, 1, "refused again");
    app.clock.advance(Duration::minutes(1));
    app.run_jobs().await;
    assert_eq!(sink.attempts(), 2, "the second wait is two minutes");
    app.clock.advance(Duration::minutes(1));
    assert_eq!(app.run_jobs().await.mailed, 1);
    assert_eq!(sink.received().len(), 1);
    let outbox = storefront::service::mail::outbox(&app.db).await.unwrap();
    assert_eq!(
        (outbox[0].state, outbox[0].attempts),
        (OutboxState::Sent, 3)
    );
}

#[tokio::test]
async fn a_mailbox_the_server_says_does_not_exist_is_given_up_at_once() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let gone = email_shopper(&app, "gone").await;
    paid_plan(&app, &gone).await;
    app.clock.advance(Duration::days(27));
    sink.refuse(Refuse::Permanently(1));
    let report = app.run_jobs().await;
    assert_eq!((report.mailed, report.mail_failed), (0, 1), "{report:?}");
    app.clock.advance(Duration::hours(6));
    assert_eq!(app.run_jobs().await.mailed, 0, "never resent");
    let outbox = storefront::service::mail::outbox(&app.db).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, OutboxState::Failed);
    assert!(
        outbox[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("550")
    );
    assert_eq!(sink.attempts(), 1);
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn entries_claimed_by_a_sender_that_died_are_sent_once_its_lease_runs_out() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(&sink).await;
    let s = email_shopper(&app, "zhu").await;
    paid_plan(&app, &s).await;
    // The reminder is written by a server without SMTP (its outbox entry
    // waits), then a sender claims it and dies before sending.
    app.clock.advance(Duration::days(27));
    let now = app.clock_now();
    let mut no_mail = app.jobs.clone();
    no_mail.postman = None;
    assert_eq!(no_mail.run_once().await.unwrap().reminded, 1);
    let claimed = app
        .db
        .write(move |conn| Ok(storefront::db::mail::claim_due(conn, now, 10)?))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);

    assert_eq!(app.run_jobs().await.mailed, 0, "held by the dead sender");
    app.clock.advance(storefront::domain::mail::LEASE);
    assert_eq!(app.run_jobs().await.mailed, 1, "taken over after the lease");
    assert_eq!(app.run_jobs().await.mailed, 0);
    assert_eq!(sink.received().len(), 1);
}
