//! The run contract: health check, migrations, demo data, create-staff, SIGTERM.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;

use crate::helpers::{Actor, free_port, spawn_app, wait_until_serving};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let page = app.visitor().get("/healthz").await;
    assert_eq!((page.status, page.body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn readyz_says_whether_the_database_takes_writes_and_recovers_by_itself() {
    let app = spawn_app().await;
    let v = app.visitor();
    let page = v.get("/readyz").await;
    assert_eq!((page.status, page.body.as_str()), (StatusCode::OK, "ready"));
    // The probe's table goes away: reads work, writes fail → 503; liveness stays 200.
    let drop = "ALTER TABLE app_secrets RENAME TO app_secrets_away";
    app.db
        .raw(move |conn| Ok(conn.batch_execute(drop)?))
        .await
        .unwrap();
    let page = v.get("/readyz").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(v.get("/healthz").await.status, StatusCode::OK);
    // Back again, without a restart.
    let restore = "ALTER TABLE app_secrets_away RENAME TO app_secrets";
    app.db
        .raw(move |conn| Ok(conn.batch_execute(restore)?))
        .await
        .unwrap();
    assert_eq!(v.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn migrations_run_up_down_up() {
    let app = spawn_app().await;
    app.db
        .raw(storefront::db::redo_all_migrations)
        .await
        .expect("down and up again");
}

/// Starts the app in-process on `db` with demo data on (the harness passes
/// `--no-demo-data`, so this builds directly); returns its address.
async fn demo_app(db: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--bind",
        "127.0.0.1:0",
        "--database",
        db,
        "--job-interval-secs",
        "3600",
    ];
    args.extend_from_slice(extra);
    let config = storefront::config::Config::from_args(args).unwrap();
    let app = storefront::Application::build_with(
        config,
        Arc::new(storefront::clock::TestClock::new(
            crate::helpers::start_time(),
        )),
        None,
    )
    .await
    .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    base
}

/// The whole demo story is there: catalog, both shoppers, orders in every
/// state, an open request, the staff account.
async fn assert_full_demo(base: &str) {
    let base = base.to_owned();
    let v = Actor::new(&base);
    let home = v.get("/").await;
    assert!(home.attrs(".product-card", "data-product-id").len() >= 12);
    assert!(
        home.attrs(".tabs a", "href").len() >= 4,
        "3 or more categories plus all"
    );

    let s = Actor::new(&base);
    s.login(
        storefront::demo::SHOPPER_PHONE,
        storefront::demo::SHOPPER_PASSWORD,
        "/orders",
    )
    .await
    .assert_redirect("/orders");
    let orders = s.get("/orders").await;
    let states: std::collections::HashSet<String> = orders
        .attrs(".order-row", "data-status")
        .into_iter()
        .collect();
    let page2: std::collections::HashSet<String> = s
        .get("/orders?page=2")
        .await
        .attrs(".order-row", "data-status")
        .into_iter()
        .collect();
    let all: std::collections::HashSet<String> = states.union(&page2).cloned().collect();
    for state in [
        "pending_payment",
        "paid",
        "shipped",
        "completed",
        "cancelled",
        "closed",
    ] {
        assert!(all.contains(state), "demo orders include {state}: {all:?}");
    }
    let tickets = s.get("/support").await;
    assert_eq!(
        tickets.attrs("[data-ticket-status]", "data-ticket-status"),
        vec!["open"],
        "an open service request"
    );
    let pending = s.get("/orders?status=pending_payment").await;
    assert!(
        pending
            .texts(".order-row")
            .iter()
            .any(|t| t.contains("3 期")),
        "an unpaid installment order"
    );
    let methods = s.get("/account/payment-methods").await;
    let kinds = methods.texts(".method-kind");
    for kind in ["信用卡", "支付宝", "微信支付"] {
        assert!(kinds.iter().any(|k| k == kind), "{kinds:?}");
    }
    let staff = Actor::new(&base);
    staff
        .login(
            storefront::demo::STAFF_ACCOUNT,
            storefront::demo::STAFF_PASSWORD,
            "/",
        )
        .await
        .assert_redirect("/");
    let email = Actor::new(&base);
    email
        .login(
            storefront::demo::SHOPPER_EMAIL,
            storefront::demo::SHOPPER_PASSWORD,
            "/",
        )
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn demo_data_has_a_catalog_shoppers_and_orders_in_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let base = demo_app(&db.to_string_lossy(), &[]).await;
    assert_full_demo(&base).await;
}

#[tokio::test]
async fn demo_data_loads_whole_whatever_the_payment_window() {
    for window in ["1", "3", "600"] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        let base = demo_app(&db.to_string_lossy(), &["--payment-window-minutes", window]).await;
        assert_full_demo(&base).await;
    }
}

#[tokio::test]
async fn a_start_killed_while_loading_demo_data_leaves_no_half_loaded_shop() {
    for delay_ms in [5, 40, 90, 150, 250, 400] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("killed.db");
        let port = free_port();
        let mut child = binary()
            .args([
                "--database",
                &db.to_string_lossy(),
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        child.kill().unwrap();
        child.wait().unwrap();
        // The next start finds either nothing (and loads it all) or all of it.
        let base = demo_app(&db.to_string_lossy(), &[]).await;
        assert_full_demo(&base).await;
    }
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_storefront"))
}

#[tokio::test]
async fn create_staff_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("staff.db");
    let mut child = binary()
        .args([
            "--database",
            &db.to_string_lossy(),
            "create-staff",
            "agent@example.com",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"agent password 1\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The agent can sign in on a server using that database.
    let config = storefront::config::Config::from_args([
        "--bind",
        "127.0.0.1:0",
        "--database",
        &db.to_string_lossy(),
        "--no-demo-data",
        "--job-interval-secs",
        "3600",
    ])
    .unwrap();
    let server = storefront::Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.port());
    tokio::spawn(server.run_until_stopped());
    let agent = Actor::new(&base);
    agent
        .login("agent@example.com", "agent password 1", "/")
        .await
        .assert_redirect("/");
    // The same account cannot be created twice.
    let mut again = binary()
        .args([
            "--database",
            &db.to_string_lossy(),
            "create-staff",
            "agent@example.com",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    again
        .stdin
        .take()
        .unwrap()
        .write_all(b"agent password 1\n")
        .unwrap();
    assert!(!again.wait().unwrap().success());
}

#[tokio::test]
async fn sigterm_drains_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("term.db");
    let port = free_port();
    let mut child = binary()
        .args([
            "--database",
            &db.to_string_lossy(),
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--no-demo-data",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    wait_until_serving(&base).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn the_demo_shopper_has_a_plan_due_within_three_days_that_cannot_be_moved_by_oneself() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let base = demo_app(&db.to_string_lossy(), &[]).await;
    let mut s = Actor::new(&base);
    s.account = storefront::demo::SHOPPER_PHONE.to_owned();
    s.login(
        storefront::demo::SHOPPER_PHONE,
        storefront::demo::SHOPPER_PASSWORD,
        "/",
    )
    .await
    .assert_redirect("/");
    // The test clock stands at 2026-11-23 10:00 in Beijing.
    let center = s.get("/repayments").await;
    let soon: Vec<(String, String)> = center
        .attrs("[data-instalment]", "data-instalment")
        .into_iter()
        .zip(center.attrs("[data-instalment]", "data-due"))
        .filter(|(_, due)| due.as_str() > "2026-11-23" && due.as_str() <= "2026-11-26")
        .collect();
    assert_eq!(soon.len(), 1, "{soon:?}");
    let order_no = soon[0].0.split(':').next().unwrap().to_owned();
    let methods = s.get("/account/payment-methods").await;
    let alipay = methods.attrs(".method-row", "data-method-id")[1].clone();
    let page = s
        .post(
            &format!("/orders/{order_no}/repayment-method"),
            &[("payment_method_id", &alipay), ("acknowledge", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.error_on("payment_method_id").contains(&soon[0].1));
}

#[tokio::test]
async fn sqlite_syncs_every_commit_unless_told_otherwise() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Sync {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        synchronous: i32,
    }
    for (args, expected) in [(vec![], 2), (vec!["--sqlite-synchronous", "normal"], 1)] {
        let app = crate::helpers::spawn_app_with(&args, None).await;
        if app.database.starts_with("postgres") {
            // A SQLite setting: on PostgreSQL (whose durability is the
            // server's) it is accepted and changes nothing.
            assert_eq!(app.visitor().get("/healthz").await.status, StatusCode::OK);
            continue;
        }
        let level = app
            .db
            .read(|conn| match conn {
                storefront::db::Conn::Sqlite(c) => Ok(diesel::sql_query("PRAGMA synchronous")
                    .get_result::<Sync>(c)?
                    .synchronous),
                storefront::db::Conn::Pg(_) => Ok(-1),
            })
            .await
            .unwrap();
        assert_eq!(level, expected, "{args:?}: 2 = FULL, 1 = NORMAL");
    }
}

/// The binary runs its background jobs at start and every
/// `--job-interval-secs`; with `--no-jobs` it runs none (another server
/// does). Seen on each server's metrics: while the server with jobs runs
/// two more passes (over a second with `--job-interval-secs 1`), the other
/// runs none.
#[tokio::test]
async fn no_jobs_leaves_the_background_jobs_to_another_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.db");
    /// Killed however the test ends.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let start = |extra: &'static [&'static str]| {
        let (port, metrics) = (free_port(), free_port());
        let child = binary()
            .args(["--database", &db.to_string_lossy(), "--no-demo-data"])
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(["--metrics-bind", &format!("127.0.0.1:{metrics}")])
            .args(["--job-interval-secs", "1"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        (Server(child), format!("http://127.0.0.1:{port}"), metrics)
    };
    let (_with_jobs, base, metrics) = start(&[]);
    wait_until_serving(&base).await;
    let (_without, other_base, other_metrics) = start(&["--no-jobs"]);
    wait_until_serving(&other_base).await;

    let runs = |port: u16| async move {
        let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find(|l| l.starts_with(r#"job_runs_total{outcome="ok"}"#))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // Two more passes of the first server: the second has been serving for
    // over a second, time for its own start-up pass and another.
    let target = runs(metrics).await + 2;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while runs(metrics).await < target {
        assert!(
            std::time::Instant::now() < deadline,
            "the server with jobs ran them"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(runs(other_metrics).await, 0, "no jobs on --no-jobs");
}
