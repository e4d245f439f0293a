//! `storefront bench-seed`: reproducible bulk data the app then serves like
//! any other (shoppers sign in, their orders list and open).

use reqwest::StatusCode;
use storefront::service::seed::{self, SeedPlan};

use crate::helpers::{Actor, spawn_app};

const PLAN: SeedPlan = SeedPlan {
    shoppers: 3,
    orders_per_shopper: 4,
    items_per_order: 2,
    seed: 7,
};

#[tokio::test]
async fn seeded_shoppers_sign_in_and_see_their_orders() {
    let app = spawn_app().await;
    let (db, now) = (app.db.clone(), app.clock_now());
    let done = tokio::task::spawn_blocking(move || seed::run(&db, PLAN, now))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((done.shoppers, done.orders, done.items), (3, 12, 24));

    let mut s = Actor::new(&app.address);
    s.account = seed::account_of(2);
    s.login(&s.account, seed::PASSWORD, "/orders")
        .await
        .assert_redirect("/orders");
    let list = s.get("/orders").await;
    let numbers = list.attrs(".order-row", "data-order-no");
    assert_eq!(numbers.len(), 4, "their own four orders");
    let page = s.order(&numbers[0]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.attrs("[data-product-id]", "data-product-id").len(), 2);
    // A new account still gets a fresh id (PostgreSQL sequences moved on).
    let newcomer = app.shopper().await;
    assert_eq!(newcomer.get("/orders").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_same_plan_gives_the_same_rows() {
    let (a, b) = (spawn_app().await, spawn_app().await);
    let mut totals = Vec::new();
    for app in [&a, &b] {
        let (db, now) = (app.db.clone(), app.clock_now());
        tokio::task::spawn_blocking(move || seed::run(&db, PLAN, now))
            .await
            .unwrap()
            .unwrap();
        let mut s = Actor::new(&app.address);
        s.account = seed::account_of(1);
        s.login(&s.account, seed::PASSWORD, "/").await;
        let list = s.get("/orders").await;
        totals.push((
            list.attrs(".order-row", "data-status"),
            list.attrs(".order-row strong [data-fen]", "data-fen"),
        ));
    }
    assert_eq!(totals[0], totals[1]);
    assert_eq!((totals[0].0.len(), totals[0].1.len()), (4, 4));
}
