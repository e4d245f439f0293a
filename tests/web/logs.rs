//! Logs: JSON lines with `--log-format json`, no colour codes when stderr is
//! not a terminal, and client protocol errors at WARN (not ERROR).

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use reqwest::StatusCode;

use crate::helpers::{Actor, free_port, wait_until_serving};

/// The real binary on a fresh SQLite file, its stderr captured.
struct Running {
    child: std::process::Child,
    port: u16,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn start(args: &[&str]) -> Running {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("logs.db");
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_storefront"))
            .args(["--database", &db.to_string_lossy(), "--no-demo-data"])
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let running = Running {
            child,
            port,
            db,
            _dir: dir,
        };
        wait_until_serving(&running.base()).await;
        running
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGTERM, then everything it wrote to stderr (it must exit 0).
    fn stop(mut self) -> String {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(self.child.wait().unwrap().success(), "{stderr}");
        stderr
    }
}

/// Starts the binary with `args`, sends a well-formed and a malformed
/// request, stops it with SIGTERM and returns what it wrote to stderr.
async fn logs_of(args: &[&str]) -> String {
    let running = Running::start(args).await;
    reqwest::get(format!("{}/", running.base())).await.unwrap();
    let mut raw = std::net::TcpStream::connect(("127.0.0.1", running.port)).unwrap();
    raw.write_all(b"GARBAGE \x01\x02 NOT-HTTP\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    let _ = raw.read_to_end(&mut answer);
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 400"));
    drop(raw);
    running.stop()
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_and_client_errors_are_warnings() {
    let logs = logs_of(&["--log-format", "json"]).await;
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(lines.len() >= 3, "{logs}");
    assert!(
        lines
            .iter()
            .all(|l| l["timestamp"].is_string() && l["level"].is_string())
    );
    assert!(
        lines.iter().any(|l| l["message"] == "serving"),
        "the start is logged: {logs}"
    );
    let client: Vec<_> = lines
        .iter()
        .filter(|l| l["target"] == "storefront::client")
        .collect();
    assert_eq!(client.len(), 1, "{logs}");
    assert_eq!(client[0]["level"], "WARN");
    assert!(
        lines.iter().all(|l| l["level"] != "ERROR"),
        "no ERROR for a client's mistake: {logs}"
    );
}

#[tokio::test]
async fn text_logs_have_no_colour_codes_when_not_on_a_terminal() {
    let logs = logs_of(&[]).await;
    assert!(logs.contains("serving"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "no ANSI escapes: {logs:?}");
    assert!(
        logs.contains("WARN") && logs.contains("client protocol error"),
        "{logs}"
    );
    assert!(!logs.contains("ERROR"), "{logs}");
}

#[tokio::test]
async fn a_failed_write_is_logged_once_at_error_with_the_request_id_the_page_shows() {
    let running = Running::start(&["--log-format", "json"]).await;
    let (base, db) = (running.base(), running.db.clone());
    let v = Actor::new(&base);
    let token = v.token_from("/register").await;
    // Another process holds the write lock for longer than the busy timeout.
    let mut lock = diesel::SqliteConnection::establish(&db.to_string_lossy()).unwrap();
    lock.batch_execute("BEGIN EXCLUSIVE;").unwrap();
    let page = v
        .post_raw(
            "/register",
            &[
                ("csrf_token", &token),
                ("account", "13900001111"),
                ("password", "a good password"),
                ("password_confirm", "a good password"),
            ],
        )
        .await;
    lock.batch_execute("ROLLBACK;").unwrap();
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    let id = page.attr("[data-request-id]", "data-request-id");

    let stderr = running.stop();
    let errors: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["level"] == "ERROR")
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert_eq!(errors[0]["request_id"], id.as_str());
    assert_eq!(errors[0]["status"], 503);
    assert_eq!(errors[0]["path"], "/register");
    assert!(
        errors[0]["error"]
            .as_str()
            .unwrap()
            .contains("database is locked"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_database_that_cannot_be_written_at_start_is_said_once_and_the_server_exits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("readonly.db");
    std::fs::write(&file, b"").unwrap();
    for database in [
        format!("file:{}?mode=ro", file.to_string_lossy()),
        dir.path()
            .join("no/such/dir/x.db")
            .to_string_lossy()
            .into_owned(),
    ] {
        let started = std::time::Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_storefront"))
            .args(["--database", &database, "--bind", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{database}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "no retrying for 30 s"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("ERROR")).collect();
        assert_eq!(errors.len(), 1, "said once: {stderr}");
        assert!(errors[0].contains("cannot use the database"), "{stderr}");
    }
}
