//! Money integrity across crashes (issue "money integrity"): the real binary
//! is killed (SIGKILL) in the middle of pays under load, restarted, and every
//! request is sent again with its own form token, as a shopper's browser
//! would. Then, from the database: every order paid at most once at the
//! gateway, every capture belongs to a paid order or was voided, the ledger
//! sums match the orders, and nothing is left `requested`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;
use storefront::db::{Db, orders, payments};
use storefront::domain::payment::{PaymentState, Purpose, net_taken};
use storefront::gateway::SandboxGateway;

use crate::helpers::{Actor, SHOPPER_PASSWORD, free_port, wait_until_serving};

fn start(db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_storefront"))
        .args([
            "--database",
            db,
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--sandbox-latency-ms",
            "40",
            "--job-interval-secs",
            "3600",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

/// One unpaid full-payment order and the form token its pay request carries.
struct Attempt {
    shopper: usize,
    order_no: String,
    token: String,
}

/// Sends one pay form; `None` when the server went away mid-request.
async fn send_pay(s: &Actor, csrf: &str, a: &Attempt) -> Option<StatusCode> {
    s.try_post_raw(
        &format!("/orders/{}/pay", a.order_no),
        &[("csrf_token", csrf), ("form_token", &a.token)],
    )
    .await
    .map(|p| p.status)
}

#[tokio::test]
async fn pays_cut_off_by_sigkill_are_paid_once_and_the_ledger_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("crash.db");
    let db = db_path.to_string_lossy().into_owned();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&db, port);
    wait_until_serving(&base).await;

    // The demo catalog's 65W charger (¥199.00, 200 in stock).
    let home = Actor::new(&base).get("/").await;
    let charger = home
        .attrs(".product-card", "data-product-id")
        .into_iter()
        .find(|id| {
            home.attr(
                &format!(".product-card[data-product-id=\"{id}\"] [data-fen]"),
                "data-fen",
            ) == "19900"
        })
        .expect("the charger");
    let mut shoppers = Vec::new();
    let mut cards = Vec::new();
    for i in 0..6 {
        let mut s = Actor::new(&base);
        s.account = format!("1391000{i:04}");
        s.register(&s.account.clone(), SHOPPER_PASSWORD).await;
        cards.push(s.add_card("4111111111111111", "12/30").await);
        shoppers.push(s);
    }

    let (rounds, per_shopper) = (4, 3);
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut crashes = 0;
    for round in 0..rounds {
        let mut this_round = Vec::new();
        for (i, s) in shoppers.iter().enumerate() {
            for k in 0..per_shopper {
                s.post(
                    "/cart/items",
                    &[("product_id", &charger), ("quantity", "1")],
                )
                .await;
                let order_no = s.checkout("full", "", &cards[i]).await;
                this_round.push(Attempt {
                    shopper: i,
                    order_no,
                    token: format!("r{round}s{i}k{k}"),
                });
            }
        }
        // Every pay at once; the server dies somewhere in the middle of them.
        let mut csrf = Vec::new();
        for s in &shoppers {
            csrf.push(s.token_from("/orders").await);
        }
        let sends: Vec<_> = this_round
            .iter()
            .map(|a| {
                let s = shoppers[a.shopper].clone();
                let csrf = csrf[a.shopper].clone();
                let a = Attempt {
                    shopper: a.shopper,
                    order_no: a.order_no.clone(),
                    token: a.token.clone(),
                };
                tokio::spawn(async move { send_pay(&s, &csrf, &a).await })
            })
            .collect();
        let delay = rand::rng().random_range(20..120);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.kill().unwrap();
        server.wait().unwrap();
        crashes += 1;
        for send in sends {
            let _ = send.await.unwrap();
        }
        server = start(&db, port);
        wait_until_serving(&base).await;
        // The browser sends each form again: the same token.
        for a in &this_round {
            let s = &shoppers[a.shopper];
            let status = send_pay(s, &s.token_from("/orders").await, a).await;
            assert_eq!(status, Some(StatusCode::SEE_OTHER), "{}", a.order_no);
        }
        attempts.extend(this_round);
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // The invariants, read from the database the servers left.
    let db = Db::open(&db, 2).unwrap();
    let journal = SandboxGateway::journal(&db).unwrap();
    let mut mismatches = Vec::new();
    for a in &attempts {
        let no = a.order_no.clone();
        let (order, ledger) = db
            .read_blocking(|conn| {
                let order = orders::find_order_by_no(conn, &no)?.expect("order");
                let ledger = payments::list_for_order(conn, order.id)?;
                Ok((order, ledger))
            })
            .unwrap();
        let captures: Vec<_> = journal
            .iter()
            .filter(|e| e.idempotency_key.starts_with(&format!("pay:{no}:")) && e.approved)
            .collect();
        if captures.len() > 1 {
            mismatches.push(format!("{no}: {} captures at the gateway", captures.len()));
        }
        for c in &captures {
            let voided = journal
                .iter()
                .any(|e| e.idempotency_key == format!("void:{}", c.idempotency_key) && e.approved);
            if order.status.as_str() != "paid" && !voided {
                mismatches.push(format!(
                    "{no}: captured but {} and not voided",
                    order.status
                ));
            }
        }
        let expected = if order.status.as_str() == "paid" {
            order.total_fen
        } else {
            storefront::domain::Fen(0)
        };
        if net_taken(&ledger) != expected {
            mismatches.push(format!(
                "{no}: ledger {} vs order {}",
                net_taken(&ledger),
                expected
            ));
        }
        if ledger.iter().any(|p| p.state == PaymentState::Requested) {
            mismatches.push(format!("{no}: an entry left requested"));
        }
        if order.status.as_str() != "paid" {
            mismatches.push(format!("{no}: {} after its retry", order.status));
        }
        let gateway_total: i64 = captures.iter().map(|c| c.amount_fen.0).sum();
        let ledger_total: i64 = ledger
            .iter()
            .filter(|p| p.purpose == Purpose::Capture && p.state == PaymentState::Succeeded)
            .map(|p| p.amount_fen.0)
            .sum();
        if gateway_total != ledger_total {
            mismatches.push(format!(
                "{no}: gateway {gateway_total} vs ledger {ledger_total}"
            ));
        }
    }
    let calls: i32 = journal.iter().map(|e| e.calls).sum();
    eprintln!(
        "crash test: {} orders, {crashes} crashes, {} gateway keys, {calls} gateway calls, {} mismatches",
        attempts.len(),
        journal.len(),
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
