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

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
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
    /// chromedriver's port, for its browser-log endpoint.
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    /// Ends chromedriver and the Chromium it started (its process group:
    /// a test that fails before closing its session leaves no browser behind).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver and a headless Chromium session — with JavaScript
/// on, or switched off in the browser's settings — or `None` (with a loud
/// message) when they are not installed outside CI.
async fn start_browser(javascript: bool) -> Option<Driver> {
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
        // Its own process group, which Chromium joins: see `Drop for Driver`.
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().unwrap();
    // A shopper in China: the browser asks for Chinese first.
    let mut prefs = serde_json::json!({ "intl.accept_languages": "zh-CN,zh" });
    if !javascript {
        prefs["profile.managed_default_content_settings.javascript"] = 2.into();
    }
    let caps = serde_json::json!({
        "browserName": "chrome",
        // What the page logs (script errors, refused or failed loads) is kept for `console_errors`.
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": {
            "binary": chromium,
            "prefs": prefs,
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
        port,
        _profile: profile,
    })
}

/// The errors the browser's console received since the last call: script
/// errors, resources refused by the content security policy, and requests
/// that failed (chromedriver's browser log, level SEVERE), but for forms
/// answered 422.
async fn console_errors(driver: &Driver) -> Vec<String> {
    let session = driver.client.session_id().await.unwrap().unwrap();
    let log: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{}/session/{session}/se/log",
            driver.port
        ))
        .header("content-type", "application/json")
        .body(r#"{"type":"browser"}"#)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|body| serde_json::from_str(&body).unwrap())
        .unwrap();
    log["value"]
        .as_array()
        .unwrap_or_else(|| panic!("the browser log: {log}"))
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        // A form sent back with what to fix answers 422 by design (the
        // browser logs it like any 4xx); nothing else does.
        .filter(|e| {
            !e["message"]
                .as_str()
                .unwrap_or_default()
                .contains("status of 422")
        })
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// One run of a journey: the window's size and whether JavaScript is on.
#[derive(Clone, Copy, Debug)]
struct Run {
    width: u32,
    javascript: bool,
    /// 0..4, distinct per run of one journey (for accounts).
    n: u32,
}

impl Run {
    /// Names this run's screenshots: `390`, `1280`, `390-nojs`, `1280-nojs`.
    fn tag(self) -> String {
        if self.javascript {
            self.width.to_string()
        } else {
            format!("{}-nojs", self.width)
        }
    }

    /// A phone number for a new account of this run.
    fn account(self, prefix: &str) -> String {
        format!("{prefix}{}", self.n)
    }
}

/// Runs `journey` in a browser with JavaScript on and in another with it
/// off (the pages need no script; nothing may depend on one), each on a
/// phone (390×844) and a desktop (1280×800), signed out at the start of
/// each run; after each run the console must hold no error.
async fn each_browser(journey: impl AsyncFn(&Client, Run)) {
    let mut n = 0;
    for javascript in [true, false] {
        let Some(driver) = start_browser(javascript).await else {
            return;
        };
        let c = &driver.client;
        // The setting holds: a page's own script runs only with JavaScript on.
        c.goto("data:text/html,<title>off</title><script>document.title='on'</script>")
            .await
            .unwrap();
        let title = c.title().await.unwrap();
        assert_eq!(title, if javascript { "on" } else { "off" });
        for (width, height) in [(390, 844), (1280, 800)] {
            c.set_window_size(width, height).await.unwrap();
            c.delete_all_cookies().await.unwrap();
            let run = Run {
                width,
                javascript,
                n,
            };
            n += 1;
            journey(c, run).await;
            let errors = console_errors(&driver).await;
            assert!(errors.is_empty(), "console errors ({run:?}): {errors:#?}");
        }
        driver.client.clone().close().await.unwrap();
    }
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

/// Saves what the browser shows as `target/screenshots/{name}.png`.
async fn screenshot(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
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

/// Saves a second card (Mastercard •••• 4444) on the payment-methods page
/// [`register_with_card`] left the browser on.
async fn add_mastercard(c: &Client) {
    fill(c, "#card_number", "5555 5555 5555 4444").await;
    fill(c, "#expiry", "11/31").await;
    fill(c, "#holder_name", "Li Lei").await;
    click(
        c,
        "form[action='/account/payment-methods'] button[type=submit]",
    )
    .await;
    wait_for(c, ".method-row + .method-row").await;
}

/// Signs in through the login form (as someone else: the cookies go first).
async fn sign_in(c: &Client, base: &str, account: &str, password: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "#account", account).await;
    fill(c, "#password", password).await;
    click(c, "form[action='/login'] button[type=submit]").await;
    wait_for(c, ".who").await;
}

/// From the cart, through the checkout's own link, places an order on
/// `months` months and returns its number (the order page is shown, unpaid).
async fn check_out_on_plan(c: &Client, months: u32) -> String {
    click(c, "a[href='/checkout']").await;
    wait_for(c, "form[action='/checkout']").await;
    click(c, "input[name=plan][value=installment]").await;
    click(c, &format!("input[name=term][value='{months}']")).await;
    click(c, "input[name=acknowledge]").await;
    click(c, "form[action='/checkout'] button[type=submit]").await;
    let order = wait_for(c, "[data-order-no][data-status=pending_payment]").await;
    order.attr("data-order-no").await.unwrap().unwrap()
}

/// The text of the first element matching `css`.
async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Puts one of `product` in the cart through its page.
async fn put_in_cart(c: &Client, base: &str, product: storefront::domain::ids::ProductId) {
    c.goto(&format!("{base}/products/{product}")).await.unwrap();
    click(c, ".buy-form button[type=submit]").await;
    wait_for(c, "tr[data-product-id]").await;
}

/// Register → add a card → buy on 12 months → pay → 我的订单 → the order's
/// page, all through the pages' own forms and links (issue #12).
#[tokio::test]
async fn a_shopper_registers_buys_on_12_months_pays_and_finds_the_order_in_my_orders() {
    let app = helpers::spawn_app().await;
    let product = app.product(120_000, 99).await;
    let base = &app.address;

    each_browser(async |c, run| {
        let tag = run.tag();
        register_with_card(c, base, &run.account("1398765432")).await;
        screenshot(c, &format!("journey-buy-methods-{tag}")).await;

        c.goto(&format!("{base}/products/{product}")).await.unwrap();
        fill(c, "#quantity", "2").await;
        click(c, ".buy-form button[type=submit]").await;
        let row = wait_for(c, "tr[data-product-id]").await;
        assert_eq!(
            row.attr("data-quantity").await.unwrap().as_deref(),
            Some("2")
        );
        click(c, "a[href='/checkout']").await;
        wait_for(c, "form[action='/checkout']").await;
        assert_eq!(shown_preview(c).await, "full");
        click(c, "input[name=plan][value=installment]").await;
        click(c, "input[name=term][value='12']").await;
        assert_eq!(shown_preview(c).await, "12");
        click(c, "input[name=acknowledge]").await;
        screenshot(c, &format!("journey-buy-checkout-{tag}")).await;
        click(c, "form[action='/checkout'] button[type=submit]").await;
        let detail = wait_for(c, "[data-order-no][data-status]").await;
        assert_eq!(
            detail.attr("data-status").await.unwrap().as_deref(),
            Some("pending_payment")
        );
        let order_no = detail.attr("data-order-no").await.unwrap().unwrap();

        click(c, "form[action$='/pay'] button").await;
        wait_for(c, "[data-status=paid]").await;

        // 我的订单 from the navigation, then the order from the list.
        click(c, "nav a[href='/orders']").await;
        let listed = wait_for(c, &format!("li.order-row[data-order-no='{order_no}']")).await;
        assert_eq!(
            listed.attr("data-status").await.unwrap().as_deref(),
            Some("paid")
        );
        screenshot(c, &format!("journey-buy-my-orders-{tag}")).await;
        click(c, &format!("li[data-order-no='{order_no}'] a.order-link")).await;
        wait_for(
            c,
            &format!("article[data-order-no='{order_no}'][data-status=paid]"),
        )
        .await;
        let rows = c
            .find_all(Locator::Css("tr[data-instalment]"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 12, "a 12-month schedule");
        screenshot(c, &format!("journey-buy-order-{tag}")).await;

        // The language switch works in the browser too.
        click(c, ".lang-switch").await;
        wait_for(c, "html[lang=en]").await;
        let badge = text_of(c, ".badge-large").await;
        assert_eq!(badge, "Paid");
    })
    .await;
}

#[tokio::test]
async fn pages_fit_a_phone_screen() {
    let Some(driver) = start_browser(true).await else {
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
    let app = helpers::spawn_app().await;
    let product = app.product(360_000, 9).await;
    let base = &app.address;

    each_browser(async |c, run| {
        let w = run.tag();
        register_with_card(c, base, &run.account("1398765000")).await;
        put_in_cart(c, base, product).await;
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
        screenshot(c, &format!("journey-change-compare-{w}")).await;

        // Step 2: confirming without the acknowledgement is refused on the form…
        click(
            c,
            "form[method=post][action$='/change-payment'] button[type=submit]",
        )
        .await;
        wait_for(c, "[data-error-for=acknowledge]").await;
        wait_for(c, "[data-kind=new_contract]").await;
        // …with it, checkout comes preselected.
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
        screenshot(c, &format!("journey-change-new-order-{w}")).await;
    })
    .await;
}

/// axe-core's `axe.min.js`, installed by scripts/test.sh (npm) under
/// `target/axe`, or where `AXE_JS` points.
fn axe_source() -> String {
    let path = std::env::var("AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/axe/node_modules/axe-core/axe.min.js"
        )
        .to_owned()
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (scripts/test.sh installs axe-core with npm)"))
}

/// Runs axe-core on the page shown; returns its violations as
/// `rule (impact): target…` lines.
async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document).then(r => done(r.violations.map(v =>
               v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))));",
            vec![],
        )
        .await
        .unwrap();
    result
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Whether the page shown scrolls sideways, and if so the chain of the widest
/// element that makes it (to find it).
async fn wider_than_the_screen(c: &Client) -> Option<String> {
    let wide = c
        .execute(
            "const w = document.documentElement.clientWidth;
             if (document.documentElement.scrollWidth <= w) return '';
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > w + 1)
               .filter(e => { for (let x = e.parentElement; x && x !== document.body; x = x.parentElement)
                   if (getComputedStyle(x).overflowX !== 'visible') return false; return true; })
               .filter(e => ![...e.children].some(k => k.getBoundingClientRect().right > w + 1))
               .slice(0, 1)
               .map(e => { const out = []; for (let x = e; x && x !== document.body; x = x.parentElement)
                   out.push(x.tagName + '.' + x.className + ' ' + Math.round(x.getBoundingClientRect().width)); return out.join(' < '); })
               .join('; ') || 'wider than the screen';",
            vec![],
        )
        .await
        .unwrap();
    wide.as_str().filter(|w| !w.is_empty()).map(str::to_owned)
}

/// Runs the checks of [`check_pages`] on what the browser shows now (a page
/// a form answered), at both sizes, without loading it again.
async fn check_here(c: &Client, axe: &str, label: &str, found: &mut Vec<String>) {
    for (w, h) in [(390, 844), (1280, 800)] {
        c.set_window_size(w, h).await.unwrap();
        for v in axe_violations(c, axe).await {
            found.push(format!("{w} {label}: {v}"));
        }
        if w == 390
            && let Some(wide) = wider_than_the_screen(c).await
        {
            found.push(format!("{w} {label}: wider than the screen: {wide}"));
        }
        screenshot(c, &format!("{w}-{label}")).await;
    }
}

/// Checks each of `paths` at a phone's and a desktop's size: axe-core's
/// violations, and on the phone any sideways scrolling (with the widest
/// element's chain, to find it).
async fn check_pages(c: &Client, base: &str, axe: &str, paths: &[String], found: &mut Vec<String>) {
    for (w, h) in [(390, 844), (1280, 800)] {
        c.set_window_size(w, h).await.unwrap();
        for path in paths {
            c.goto(&format!("{base}{path}")).await.unwrap();
            let lang = c
                .execute("return document.documentElement.lang;", vec![])
                .await
                .unwrap();
            for v in axe_violations(c, axe).await {
                found.push(format!("{w} {lang} {path}: {v}"));
            }
            // Every request the page made stayed on the app's origin and succeeded.
            let requests = c
                .execute(
                    "return performance.getEntriesByType('navigation')
                       .concat(performance.getEntriesByType('resource'))
                       .filter(e => !e.name.startsWith(location.origin + '/')
                                 || !(e.responseStatus >= 200 && e.responseStatus < 400))
                       .map(e => e.name + ' -> ' + e.responseStatus);",
                    vec![],
                )
                .await
                .unwrap();
            for r in requests.as_array().unwrap() {
                found.push(format!("{w} {lang} {path}: request {r}"));
            }
            // Order and ticket numbers become `N`: the same page keeps its name from run to run.
            let mut stable = String::new();
            for piece in path.split_inclusive(|ch: char| !ch.is_ascii_alphanumeric()) {
                let digits = piece.chars().filter(char::is_ascii_digit).count();
                if digits >= 8 {
                    stable.push('N');
                    stable.extend(piece.chars().filter(|ch| !ch.is_ascii_alphanumeric()));
                } else {
                    stable.push_str(piece);
                }
            }
            let name: String = format!("{w}-{}-{stable}", lang.as_str().unwrap_or_default())
                .chars()
                .map(|ch| {
                    if ch.is_ascii_alphanumeric() || ch == '-' {
                        ch
                    } else {
                        '_'
                    }
                })
                .collect();
            screenshot(c, &name).await;
            if w != 390 {
                continue;
            }
            let wide = wider_than_the_screen(c).await;
            if let Some(wide) = wide {
                found.push(format!("{w} {lang} {path}: wider than the screen: {wide}"));
            }
        }
    }
}

/// No page has an accessibility violation axe-core can find, of any
/// impact, on a phone (390×844) and a desktop (1280×800), signed out and
/// in, in Chinese and in English, the staff console included; none scrolls
/// sideways on the phone, and every request a page makes stays on the app's
/// origin and succeeds (issue #12).
#[tokio::test]
async fn every_page_passes_axe_on_a_phone_and_a_desktop_in_both_languages() {
    let Some(driver) = start_browser(true).await else {
        return;
    };
    let axe = axe_source();
    let c = &driver.client;
    let app = helpers::spawn_app().await;
    let product = app.product(120_000, 5).await;
    let base = &app.address;
    let mut found = Vec::new();
    let all = |paths: &[&str]| paths.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();

    let signed_out = all(&[
        "/",
        &format!("/products/{product}"),
        "/login",
        "/register",
        "/help",
        "/help/search?q=退款",
    ]);
    check_pages(c, base, &axe, &signed_out, &mut found).await;

    // A shopper with an unpaid plan: the order and its change page.
    register_with_card(c, base, "13987654322").await;
    put_in_cart(c, base, product).await;
    let order_no = check_out_on_plan(c, 6).await;
    let unpaid = [
        format!("/orders/{order_no}"),
        format!("/orders/{order_no}/change-payment"),
    ];
    check_pages(c, base, &axe, &unpaid, &mut found).await;

    // Paid, with a service request, and something in the cart again.
    c.goto(&format!("{base}/orders/{order_no}")).await.unwrap();
    click(c, "form[action$='/pay'] button").await;
    wait_for(c, "[data-status=paid]").await;
    c.goto(&format!("{base}/support/new?order={order_no}"))
        .await
        .unwrap();
    click(c, "input[name=payment_method_id]").await;
    fill(c, "textarea[name=message]", "请改到每月 5 日扣款").await;
    fill(c, "input[name=password]", "browser pass 1").await;
    click(c, "form[action='/support/new'] button[type=submit]").await;
    let ticket = wait_for(c, "[data-ticket-no]").await;
    let ticket_no = ticket.attr("data-ticket-no").await.unwrap().unwrap();
    put_in_cart(c, base, product).await;
    let signed_in = all(&[
        "/cart",
        "/checkout",
        "/orders",
        "/orders?status=paid",
        &format!("/orders/{order_no}"),
        &format!("/orders/{order_no}/repay?scope=all"),
        "/repayments",
        "/account/messages",
        "/account/payment-methods",
        "/support",
        &format!("/support/{ticket_no}"),
        &format!("/support/new?order={order_no}"),
        "/help/early-repayment",
    ]);
    check_pages(c, base, &axe, &signed_in, &mut found).await;
    c.goto(&format!("{base}/?lang=en")).await.unwrap();
    check_pages(c, base, &axe, &signed_in, &mut found).await;
    check_pages(c, base, &axe, &signed_out[..1], &mut found).await;

    // A refund: refused without the acknowledgement (the form says why),
    // then done; the refunded order and its tab.
    c.goto(&format!("{base}/orders/{order_no}?lang=zh-CN"))
        .await
        .unwrap();
    click(c, "form[action$='/refund'] button[type=submit]").await;
    wait_for(c, "#refund [data-error-for=acknowledge]").await;
    check_here(c, &axe, "refund-refused", &mut found).await;
    click(c, "form[action$='/refund'] input[name=acknowledge]").await;
    click(c, "form[action$='/refund'] button[type=submit]").await;
    wait_for(c, "[data-status=refunded]").await;
    let refunded = all(&[&format!("/orders/{order_no}"), "/orders?status=refunded"]);
    check_pages(c, base, &axe, &refunded, &mut found).await;

    // The staff console.
    let (db, now) = (app.db.clone(), app.clock_now());
    tokio::task::spawn_blocking(move || {
        storefront::service::accounts::create_staff(
            &db,
            "agent7@example.com",
            "agent password 1",
            now,
        )
    })
    .await
    .unwrap()
    .unwrap();
    sign_in(c, base, "agent7@example.com", "agent password 1").await;
    let staff = all(&["/staff", &format!("/staff/tickets/{ticket_no}")]);
    check_pages(c, base, &axe, &staff, &mut found).await;

    // The error page (a missing page answers 404 with it), in both sizes.
    for (w, h) in [(390, 844), (1280, 800)] {
        c.set_window_size(w, h).await.unwrap();
        c.goto(&format!("{base}/no-such-page")).await.unwrap();
        wait_for(c, "[data-error-status='404']").await;
        for v in axe_violations(c, &axe).await {
            found.push(format!("{w} /no-such-page: {v}"));
        }
    }
    // The only console errors: the two 404s the error page was asked for.
    let errors = console_errors(&driver).await;
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors
            .iter()
            .all(|e| e.contains("/no-such-page") && e.contains("404")),
        "{errors:#?}"
    );

    assert!(found.is_empty(), "{}", found.join("\n"));
    driver.client.clone().close().await.unwrap();
}

/// A shopper finds the refund rules by searching the help center in
/// Chinese, opens the article, switches it to English and back — on a phone
/// and on a desktop, using the page's own links and forms (issue #12).
#[tokio::test]
async fn a_shopper_searches_help_in_chinese_and_switches_language_on_a_phone_and_a_desktop() {
    let app = helpers::spawn_app().await;
    let base = &app.address;
    each_browser(async |c, run| {
        let w = run.tag();
        c.goto(&format!("{base}/")).await.unwrap();
        click(c, "nav a[href='/help']").await;
        wait_for(c, "form.search").await;
        fill(c, "#q", "退款").await;
        click(c, "form.search button[type=submit]").await;
        let results = wait_for(c, "[data-results]").await;
        let count: usize = results
            .attr("data-results")
            .await
            .unwrap()
            .unwrap()
            .parse()
            .unwrap();
        assert!(count >= 1, "refund articles found ({w} px)");
        screenshot(c, &format!("journey-help-search-{w}")).await;
        click(c, "[data-article=refunds]").await;
        wait_for(c, "html[lang=zh-CN] h1").await;
        let title = text_of(c, "h1").await;
        assert!(title.contains("退款"), "{title}");

        click(c, "a.lang-switch").await;
        wait_for(c, "html[lang=en] h1").await;
        let title = text_of(c, "h1").await;
        assert!(title.to_lowercase().contains("refund"), "{title}");
        assert!(
            c.current_url()
                .await
                .unwrap()
                .path()
                .ends_with("/help/refunds")
        );
        screenshot(c, &format!("journey-help-article-en-{w}")).await;
        // The choice is remembered: the next page is English too.
        c.goto(&format!("{base}/help")).await.unwrap();
        wait_for(c, "html[lang=en]").await;
        click(c, "a.lang-switch").await;
        wait_for(c, "html[lang=zh-CN]").await;
    })
    .await;
}

/// A paid plan cannot be changed by the shopper: they file an online service
/// request for another card, an agent switches it in the console, and the
/// shopper sees the outcome on the request and on the order — on a phone
/// and on a desktop (issue #12).
#[tokio::test]
async fn a_service_request_is_resolved_by_an_agent_and_the_shopper_sees_it_on_a_phone_and_a_desktop()
 {
    let app = helpers::spawn_app().await;
    let product = app.product(120_000, 9).await;
    let base = &app.address;
    let (db, now) = (app.db.clone(), app.clock_now());
    tokio::task::spawn_blocking(move || {
        storefront::service::accounts::create_staff(
            &db,
            "agent9@example.com",
            "agent password 1",
            now,
        )
    })
    .await
    .unwrap()
    .unwrap();
    each_browser(async |c, run| {
        let w = run.tag();
        let shopper = run.account("1391111039");
        register_with_card(c, base, &shopper).await;
        // A second card, the one the plan should move to.
        add_mastercard(c).await;

        put_in_cart(c, base, product).await;
        let order_no = check_out_on_plan(c, 6).await;
        click(c, "form[action$='/pay'] button").await;
        wait_for(c, "[data-status=paid]").await;

        // Paid: the page offers a service request, not a change.
        click(c, &format!("a[href='/support/new?order={order_no}']")).await;
        wait_for(c, "[data-hotline]").await;
        let mastercard = c
            .find(Locator::XPath(
                "//label[contains(., '5555') or contains(., '4444')]/input[@name='payment_method_id']",
            ))
            .await
            .expect("the second card is offered");
        mastercard.click().await.unwrap();
        fill(c, "textarea[name=message]", "请改用万事达卡还款").await;
        fill(c, "input[name=password]", "browser pass 1").await;
        click(c, "form[action='/support/new'] button[type=submit]").await;
        let ticket = wait_for(c, "article[data-ticket-no][data-ticket-status=open]").await;
        let ticket_no = ticket.attr("data-ticket-no").await.unwrap().unwrap();
        screenshot(c, &format!("journey-request-filed-{w}")).await;

        // The agent switches the plan's method in the console.
        sign_in(c, base, "agent9@example.com", "agent password 1").await;
        c.goto(&format!("{base}/staff")).await.unwrap();
        click(c, &format!("a[href='/staff/tickets/{ticket_no}']")).await;
        wait_for(c, "input[name=outcome][value=switched]").await;
        screenshot(c, &format!("journey-agent-ticket-{w}")).await;
        click(c, "input[name=outcome][value=switched]").await;
        fill(c, "textarea[name=reply]", "已为您改为万事达卡扣款").await;
        click(c, "form[action$='/resolve'] button[type=submit]").await;
        wait_for(c, "[data-ticket-status=resolved]").await;

        // The shopper sees the answer, and the order now repays from that card.
        sign_in(c, base, &shopper, "browser pass 1").await;
        c.goto(&format!("{base}/support/{ticket_no}"))
            .await
            .unwrap();
        wait_for(c, "[data-ticket-status=resolved]").await;
        let reply = wait_for(c, "[data-reply]").await.text().await.unwrap();
        assert_eq!(reply, "已为您改为万事达卡扣款");
        screenshot(c, &format!("journey-request-resolved-{w}")).await;
        c.goto(&format!("{base}/orders/{order_no}")).await.unwrap();
        let method = wait_for(c, "[data-repayment-method]")
            .await
            .text()
            .await
            .unwrap();
        assert!(method.contains("4444"), "{method}");
    })
    .await;
}

/// An unpaid order keeps its plan and only moves to another card: the
/// comparison says so, and confirming changes the order in place (no new
/// order) — on a phone and on a desktop (issue #12).
#[tokio::test]
async fn a_method_only_change_keeps_the_order_on_a_phone_and_a_desktop() {
    let app = helpers::spawn_app().await;
    let product = app.product(150_000, 9).await;
    let base = &app.address;
    each_browser(async |c, run| {
        let w = run.tag();
        register_with_card(c, base, &run.account("1398765111")).await;
        add_mastercard(c).await;
        put_in_cart(c, base, product).await;
        c.goto(&format!("{base}/checkout")).await.unwrap();
        click(c, "form[action='/checkout'] button[type=submit]").await;
        let order = wait_for(c, "[data-order-no][data-status=pending_payment]").await;
        let order_no = order.attr("data-order-no").await.unwrap().unwrap();

        click(c, "a[href$='/change-payment']").await;
        wait_for(c, "form[data-step=compare]").await;
        let other = c
            .find(Locator::XPath(
                "//form[@data-step='compare']//label[contains(., '4444')]/input[@name='payment_method_id']",
            ))
            .await
            .expect("the second card is offered");
        other.click().await.unwrap();
        click(c, "form[data-step=compare] button").await;
        wait_for(c, "[data-kind=method_only]").await;
        screenshot(c, &format!("journey-method-only-{w}")).await;
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
        // The order page again, once it names the second card.
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath("//dd[@data-method][contains(., '4444')]"))
            .await
            .expect("the order now on the second card");
        let page = c
            .find(Locator::Css(
                "article[data-order-no][data-status=pending_payment]",
            ))
            .await
            .unwrap();
        assert_eq!(page.attr("data-order-no").await.unwrap(), Some(order_no));
    })
    .await;
}

/// Which fee preview the checkout shows (`full` or the term), asserting
/// that exactly one is shown.
async fn shown_preview(c: &Client) -> String {
    let mut shown = Vec::new();
    for p in c
        .find_all(Locator::Css("[data-plan-preview]"))
        .await
        .unwrap()
    {
        if p.is_displayed().await.unwrap() {
            shown.push(p.attr("data-plan-preview").await.unwrap().unwrap());
        }
    }
    assert_eq!(shown.len(), 1, "one preview shown: {shown:?}");
    shown.remove(0)
}

/// Presses one key on whatever has the keyboard focus.
async fn press(c: &Client, key: Key) {
    let key: char = key.into();
    c.perform_actions(
        KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key }),
    )
    .await
    .unwrap();
}

/// Whether `element` is the one matching `css` on the page.
async fn is(c: &Client, element: &Element, css: &str) -> bool {
    c.find_all(Locator::Css(css))
        .await
        .unwrap()
        .iter()
        .any(|e| e.element_id() == element.element_id())
}

/// The focused element shows a focus ring (an outline of 2 px or more) and
/// is in sight: not entirely under the sticky top bar nor outside the window.
async fn assert_focus_seen(c: &Client) {
    let problem = c
        .execute(
            "const e = document.activeElement, s = getComputedStyle(e);
             if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2)
               return 'no focus ring: ' + e.outerHTML.slice(0, 160);
             const r = e.getBoundingClientRect();
             const bar = document.querySelector('.topbar');
             const under = bar && !bar.contains(e) && getComputedStyle(bar).position !== 'static'
               ? bar.getBoundingClientRect().bottom : 0;
             if (r.bottom <= under || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth)
               return 'focus out of sight: ' + e.outerHTML.slice(0, 160);
             return '';",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(problem.as_str(), Some(""), "every focused element is seen");
}

/// Presses Tab until the focus is on `css` (at most 60 times) and returns
/// it. With JavaScript on, each element the focus passes must be seen
/// ([`assert_focus_seen`]).
async fn tab_to(c: &Client, css: &str, run: Run) -> Element {
    for _ in 0..60 {
        press(c, Key::Tab).await;
        if run.javascript {
            assert_focus_seen(c).await;
        }
        let focused = c.active_element().await.unwrap();
        if is(c, &focused, css).await {
            return focused;
        }
    }
    panic!("Tab never reached {css}");
}

/// From a product's page to a paid 12-month plan with the keyboard alone:
/// Tab to move, Enter to follow and submit, arrow keys to choose a plan and
/// a term, Space to tick the acknowledgement; the first Tab offers a link
/// past the navigation, and every focused control shows it (issue #12).
#[tokio::test]
async fn a_shopper_checks_out_and_pays_with_the_keyboard_alone() {
    let app = helpers::spawn_app().await;
    let product = app.product(240_000, 99).await;
    let base = &app.address;

    each_browser(async |c, run| {
        register_with_card(c, base, &run.account("1398700111")).await;
        c.goto(&format!("{base}/products/{product}")).await.unwrap();
        wait_for(c, ".buy-form").await;

        // The first Tab: the skip link, which jumps into the page's content.
        press(c, Key::Tab).await;
        let skip = c.active_element().await.unwrap();
        assert!(is(c, &skip, "a.skip-link[href='#main']").await);
        if run.javascript {
            assert_focus_seen(c).await;
        }
        press(c, Key::Enter).await;
        tab_to(c, ".buy-form button[type=submit]", run).await;
        press(c, Key::Enter).await;

        wait_for(c, "tr[data-product-id]").await;
        tab_to(c, "a[href='/checkout']", run).await;
        press(c, Key::Enter).await;

        wait_for(c, "form[action='/checkout']").await;
        tab_to(c, "input[name=plan]", run).await;
        press(c, Key::Down).await;
        let installment = c
            .find(Locator::Css("input[name=plan][value=installment]"))
            .await
            .unwrap();
        assert!(
            installment.is_selected().await.unwrap(),
            "arrow keys pick the plan"
        );
        let term = tab_to(c, "input[name=term]", run).await;
        let mut term = term;
        for _ in 0..8 {
            if is(c, &term, "input[name=term][value='12']").await {
                break;
            }
            press(c, Key::Down).await;
            term = c.active_element().await.unwrap();
        }
        assert!(is(c, &term, "input[name=term][value='12']").await);
        assert!(term.is_selected().await.unwrap(), "12 months chosen");
        // The fee preview follows the choice (by the stylesheet alone).
        assert_eq!(shown_preview(c).await, "12");
        let ack = tab_to(c, "input[name=acknowledge]", run).await;
        press(c, Key::Space).await;
        assert!(ack.is_selected().await.unwrap());
        screenshot(c, &format!("journey-keyboard-checkout-{}", run.tag())).await;
        tab_to(c, "form[action='/checkout'] button[type=submit]", run).await;
        press(c, Key::Enter).await;

        wait_for(c, "article[data-order-no][data-status=pending_payment]").await;
        tab_to(c, "form[action$='/pay'] button", run).await;
        press(c, Key::Enter).await;
        wait_for(c, "article[data-status=paid]").await;
        let rows = c
            .find_all(Locator::Css("tr[data-instalment]"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 12);
        screenshot(c, &format!("journey-keyboard-paid-{}", run.tag())).await;
    })
    .await;
}

/// Making another card the priority method shows first which active plans
/// move to it, their next deduction (date, amount) and the methods before
/// and after; confirming moves them, and the order then repays from the new
/// card (issue #12).
#[tokio::test]
async fn a_shopper_sees_the_impact_of_a_new_priority_method_before_confirming_it() {
    let axe = axe_source();
    let app = helpers::spawn_app().await;
    let product = app.product(120_000, 99).await;
    let base = &app.address;

    each_browser(async |c, run| {
        let tag = run.tag();
        register_with_card(c, base, &run.account("1398700222")).await;
        add_mastercard(c).await;
        put_in_cart(c, base, product).await;
        let order_no = check_out_on_plan(c, 6).await;
        click(c, "form[action$='/pay'] button").await;
        let payer = wait_for(c, "[data-status=paid] [data-repayment-method]").await;
        assert!(payer.text().await.unwrap().contains("1111"));

        // Make the Mastercard the priority: the preview comes first.
        click(c, "nav a[href='/account/payment-methods']").await;
        wait_for(c, ".method-row").await;
        c.find(Locator::XPath(
            "//li[contains(@class,'method-row')][contains(., '4444')]//form[contains(@action,'/priority')]//button",
        ))
        .await
        .expect("make the Mastercard the priority")
        .click()
        .await
        .unwrap();
        let row = wait_for(
            c,
            &format!("[data-confirm-priority] tr[data-impact-order='{order_no}'][data-impact-keeps=false]"),
        )
        .await;
        let text = row.text().await.unwrap();
        assert!(
            text.contains("1111") && text.contains("4444") && text.contains('¥'),
            "the plan, its next deduction and both methods: {text}"
        );
        screenshot(c, &format!("journey-priority-preview-{tag}")).await;
        if run.javascript {
            let violations = axe_violations(c, &axe).await;
            assert!(violations.is_empty(), "{violations:#?}");
        }
        // Nothing moved yet.
        wait_for(c, ".method-row[data-priority=true]").await;
        let still = c
            .find(Locator::Css(".method-row[data-priority=true] .method-label"))
            .await
            .unwrap();
        assert!(still.text().await.unwrap().contains("1111"));

        click(c, "[data-confirm-priority] form button[type=submit]").await;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(
                "//li[@data-priority='true'][contains(., '4444')]",
            ))
            .await
            .expect("the Mastercard is the priority");
        screenshot(c, &format!("journey-priority-done-{tag}")).await;
        c.goto(&format!("{base}/orders/{order_no}")).await.unwrap();
        let payer = wait_for(c, "[data-repayment-method]").await;
        let payer = payer.text().await.unwrap();
        assert!(payer.contains("4444"), "{payer}");
    })
    .await;
}

/// The `href`s of the links matching `css` on the page shown.
async fn hrefs(c: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for a in c.find_all(Locator::Css(css)).await.unwrap() {
        out.push(a.attr("href").await.unwrap().unwrap());
    }
    out
}

/// The real binary with its demo data — a shopper with orders in every state
/// (awaiting payment, paid, shipped, completed, cancelled, closed, refunded;
/// in full and on plans, one overdue), messages and service requests, and an
/// agent: every tab of 我的订单, every order's page, the inbox, the requests
/// and the console pass axe-core at both sizes (issue #12).
#[tokio::test]
async fn every_order_state_of_the_demo_data_passes_axe_on_a_phone_and_a_desktop() {
    let Some(driver) = start_browser(true).await else {
        return;
    };
    let axe = axe_source();
    let c = &driver.client;
    let dir = tempfile::tempdir().unwrap();
    let port = helpers::free_port();
    let base = format!("http://127.0.0.1:{port}");
    struct Server(Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_storefront"))
            .args(["--bind", &format!("127.0.0.1:{port}"), "--database"])
            .arg(dir.path().join("demo.db"))
            .args(["--job-interval-secs", "3600"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts"),
    );
    helpers::wait_until_serving(&base).await;
    let mut found = Vec::new();

    sign_in(c, &base, "13800138000", "demo-pass-2026").await;
    c.goto(&format!("{base}/orders")).await.unwrap();
    let tabs = hrefs(c, "nav.tabs a.tab").await;
    let mut paths = tabs.clone();
    for tab in &tabs {
        let mut next = Some(tab.clone());
        while let Some(page) = next {
            c.goto(&format!("{base}{page}")).await.unwrap();
            for order in hrefs(c, "li.order-row a.order-link").await {
                if !paths.contains(&order) {
                    paths.push(order);
                }
            }
            next = hrefs(c, "a[rel=next]").await.into_iter().next();
        }
    }
    let orders = paths.iter().filter(|p| p.starts_with("/orders/")).count();
    assert!(orders >= 8, "the demo shopper's orders: {paths:?}");
    paths.extend(["/repayments", "/account/messages", "/support"].map(String::from));
    c.goto(&format!("{base}/support")).await.unwrap();
    paths.extend(hrefs(c, "a.order-link[href^='/support/']").await);
    check_pages(c, &base, &axe, &paths, &mut found).await;

    sign_in(c, &base, "staff@storefront.test", "staff-pass-2026").await;
    c.goto(&format!("{base}/staff")).await.unwrap();
    let mut staff = vec!["/staff".to_owned()];
    staff.extend(hrefs(c, "a[href^='/staff/tickets/']").await);
    check_pages(c, &base, &axe, &staff, &mut found).await;
    eprintln!(
        "demo data: {} shopper pages ({orders} orders) and {} console pages, each at 390 and 1280 px",
        paths.len(),
        staff.len()
    );

    assert!(found.is_empty(), "{}", found.join("\n"));
    let errors = console_errors(&driver).await;
    assert!(errors.is_empty(), "{errors:#?}");
    driver.client.clone().close().await.unwrap();
}
