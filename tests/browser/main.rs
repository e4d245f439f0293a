//! Browser tests: real Chromium driven through WebDriver (chromedriver).
//! Under `CI=true` a missing chromedriver fails the run; elsewhere the test
//! says loudly that it did not run.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

#[path = "../web/helpers.rs"]
#[allow(
    dead_code,
    reason = "shared with the HTTP tests; not every helper is used here"
)]
mod helpers;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

fn find_tool(name: &str) -> Option<String> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

struct Driver {
    child: Child,
    client: Client,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver and a headless Chromium session, or `None` (with a loud
/// message) when they are not installed outside CI.
async fn start_browser() -> Option<Driver> {
    let (Some(driver), Some(chromium)) = (
        find_tool("chromedriver"),
        find_tool("chromium").or_else(|| find_tool("chromium-browser")),
    ) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "chromium and chromedriver are required under CI=true (apt-get install chromium chromium-driver)"
            );
        }
        eprintln!(
            "\n*** BROWSER TESTS DID NOT RUN: chromium/chromedriver not installed (scripts/test.sh installs them) ***\n"
        );
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap();
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            // A shopper in China: the browser asks for Chinese first.
            "prefs": { "intl.accept_languages": "zh-CN,zh" },
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900", "--lang=zh-CN",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{port}");
    // Wait (bounded) for chromedriver to accept sessions.
    let deadline = Instant::now() + Duration::from_secs(30);
    let client = loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => break c,
            Err(e) => {
                assert!(Instant::now() < deadline, "chromedriver did not start: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    Some(Driver {
        child,
        client,
        _profile: profile,
    })
}

async fn fill(c: &Client, css: &str, value: &str) {
    let el = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits (bounded by fantoccini's wait timeout) until `css` is on the page.
async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// Registers through the form and saves a Visa card, as a shopper would.
async fn register_with_card(c: &Client, base: &str, account: &str) {
    c.goto(&format!("{base}/register")).await.unwrap();
    fill(c, "#account", account).await;
    fill(c, "#password", "browser pass 1").await;
    fill(c, "#password_confirm", "browser pass 1").await;
    click(c, "form[action='/register'] button[type=submit]").await;
    wait_for(c, ".who").await;
    wait_for(c, "html[lang=zh-CN]").await;
    c.goto(&format!("{base}/account/payment-methods"))
        .await
        .unwrap();
    fill(c, "#card_number", "4111 1111 1111 1111").await;
    fill(c, "#expiry", "12/30").await;
    fill(c, "#holder_name", "Li Lei").await;
    click(
        c,
        "form[action='/account/payment-methods'] button[type=submit]",
    )
    .await;
    wait_for(c, ".method-row[data-priority=true]").await;
}

#[tokio::test]
async fn a_shopper_registers_buys_on_installments_and_pays_in_a_real_browser() {
    let Some(driver) = start_browser().await else {
        return;
    };
    let c = &driver.client;
    let app = helpers::spawn_app().await;
    let product = app.product(120_000, 5).await;
    let base = &app.address;

    register_with_card(c, base, "13987654321").await;
    screenshot(c, "payment-methods").await;

    c.goto(&format!("{base}/products/{product}")).await.unwrap();
    fill(c, "#quantity", "2").await;
    click(c, ".buy-form button[type=submit]").await;
    let row = wait_for(c, "tr[data-product-id]").await;
    assert_eq!(
        row.attr("data-quantity").await.unwrap().as_deref(),
        Some("2")
    );

    c.goto(&format!("{base}/checkout")).await.unwrap();
    click(c, "input[name=plan][value=installment]").await;
    click(c, "input[name=term][value='6']").await;
    click(c, "input[name=acknowledge]").await;
    screenshot(c, "checkout").await;
    click(c, "form[action='/checkout'] button[type=submit]").await;
    let detail = wait_for(c, "[data-order-no][data-status]").await;
    assert_eq!(
        detail.attr("data-status").await.unwrap().as_deref(),
        Some("pending_payment")
    );

    click(c, "form[action$='/pay'] button").await;
    wait_for(c, "[data-status=paid]").await;
    let rows = c
        .find_all(Locator::Css("tr[data-instalment]"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 6);
    screenshot(c, "order").await;

    // The language switch works in the browser too.
    click(c, ".lang-switch").await;
    wait_for(c, "html[lang=en]").await;
    let badge = c
        .find(Locator::Css(".badge-large"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(badge, "Paid");

    driver.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn pages_fit_a_phone_screen() {
    let Some(driver) = start_browser().await else {
        return;
    };
    let c = &driver.client;
    let app = helpers::spawn_app().await;
    app.product(120_000, 5).await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}/", app.address)).await.unwrap();
    wait_for(c, ".product-card").await;
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow.as_i64(),
        Some(0),
        "no horizontal scrolling on a phone"
    );
    screenshot(c, "phone-home").await;
    driver.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_shopper_compares_and_changes_the_plan_of_an_unpaid_order_in_a_real_browser() {
    let Some(driver) = start_browser().await else {
        return;
    };
    let c = &driver.client;
    let app = helpers::spawn_app().await;
    let product = app.product(360_000, 5).await;
    let base = &app.address;

    register_with_card(c, base, "13987650000").await;
    c.goto(&format!("{base}/products/{product}")).await.unwrap();
    click(c, ".buy-form button[type=submit]").await;
    wait_for(c, "tr[data-product-id]").await;
    c.goto(&format!("{base}/checkout")).await.unwrap();
    click(c, "form[action='/checkout'] button[type=submit]").await;
    let order = wait_for(c, "[data-order-no][data-status=pending_payment]").await;
    let order_no = order.attr("data-order-no").await.unwrap().unwrap();

    // Step 1: pick 12 months and compare.
    click(c, "a[href$='/change-payment']").await;
    wait_for(c, "[data-change-path=self_service]").await;
    click(c, "input[name=plan][value=installment]").await;
    c.find(Locator::Css("select[name=term]"))
        .await
        .unwrap()
        .select_by_value("12")
        .await
        .unwrap();
    click(c, "form[data-step=compare] button").await;
    wait_for(c, "[data-kind=new_contract]").await;
    let fees = c
        .find_all(Locator::Css("tr[data-compare=fees] [data-fen]"))
        .await
        .unwrap();
    assert_eq!(fees.len(), 2);
    assert_eq!(
        fees[1].attr("data-fen").await.unwrap().as_deref(),
        Some("25920"),
        "12 × 0.6 % × ¥3,600.00 = ¥259.20"
    );
    screenshot(c, "change-payment").await;

    // Step 2: acknowledge and confirm; checkout comes preselected.
    click(
        c,
        "form[method=post][action$='/change-payment'] input[name=acknowledge]",
    )
    .await;
    click(
        c,
        "form[method=post][action$='/change-payment'] button[type=submit]",
    )
    .await;
    wait_for(c, "input[name=replaces]").await;
    let term = c
        .find(Locator::Css("input[name=term][value='12']"))
        .await
        .unwrap();
    assert_eq!(term.prop("checked").await.unwrap().as_deref(), Some("true"));
    click(c, "input[name=acknowledge]").await;
    click(c, "form[action='/checkout'] button[type=submit]").await;
    let replaced = wait_for(c, "[data-replaces]").await;
    assert_eq!(
        replaced.attr("data-replaces").await.unwrap(),
        Some(order_no)
    );
    screenshot(c, "replacement-order").await;
    driver.client.clone().close().await.unwrap();
}
