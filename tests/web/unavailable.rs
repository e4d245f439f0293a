//! When the database cannot take writes (a full disk, a read-only file, a
//! lock held too long): `503` with `Retry-After` and a page naming the
//! request id — never a 500, never a partial write — `/readyz` says so, and
//! everything recovers by itself once the cause is gone.

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app};

/// Holds the database's write lock from another connection (SQLite:
/// `BEGIN EXCLUSIVE`; PostgreSQL: the writers' advisory lock) until the
/// returned sender is dropped or sent to.
async fn hold_write_lock(
    app: &TestApp,
) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<()>) {
    let pg = app.database.starts_with("postgres");
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let db = storefront::db::Db::open(&app.database, 1).unwrap();
    let holder = tokio::spawn(async move {
        db.raw(move |conn| {
            let (take, give) = if pg {
                (
                    "SELECT pg_advisory_lock(7419004211);",
                    "SELECT pg_advisory_unlock(7419004211);",
                )
            } else {
                ("BEGIN EXCLUSIVE;", "ROLLBACK;")
            };
            conn.batch_execute(take)?;
            let _ = locked_tx.send(());
            let _ = release_rx.recv();
            conn.batch_execute(give)?;
            Ok(())
        })
        .await
        .unwrap();
    });
    locked_rx.await.unwrap();
    (release_tx, holder)
}

#[tokio::test]
async fn a_write_the_database_cannot_take_gets_503_with_a_request_id_and_recovers() {
    let app = spawn_app().await;
    let product = app.product(1_000, 5).await;
    let s = app.shopper().await;
    let token = s.token_from("/cart").await;
    let (release, holder) = hold_write_lock(&app).await;

    let refused = s
        .post_raw(
            "/cart/items",
            &[
                ("csrf_token", &token),
                ("product_id", &product.0.to_string()),
                ("quantity", "1"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    let id = refused.attr("[data-request-id]", "data-request-id");
    assert_eq!(id.len(), 16, "the page names the request id");
    let ready = app.visitor().get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);

    release.send(()).unwrap();
    holder.await.unwrap();
    assert_eq!(app.visitor().get("/readyz").await.status, StatusCode::OK);
    let cart = s.get("/cart").await;
    assert!(
        cart.attrs("[data-product-id]", "data-product-id")
            .is_empty(),
        "nothing half-written"
    );
    s.post(
        "/cart/items",
        &[("product_id", &product.0.to_string()), ("quantity", "1")],
    )
    .await
    .assert_redirect("/cart");
}
