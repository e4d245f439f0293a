//! Test harness: `spawn_app()` starts the real server on port 0 with a fresh
//! temp-dir database, no demo data, a controllable clock and the sandbox
//! gateway. Actors keep cookies, never follow redirects, and read CSRF tokens
//! from pages like a browser would.

use std::sync::Arc;

use chrono::NaiveDate;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use scraper::{Html, Selector};
use storefront::Application;
use storefront::clock::TestClock;
use storefront::config::Config;
use storefront::db::Db;
use storefront::domain::Fen;
use storefront::domain::ids::{CategoryId, ProductId};
use storefront::gateway::PaymentGateway;
use storefront::service::catalog::{ProductSpec, create_category, create_product};

/// The password of every shopper `TestApp::shopper` registers.
pub const SHOPPER_PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub clock: TestClock,
    pub gateway: Arc<dyn PaymentGateway>,
    /// The background jobs, as this server's interval task runs them.
    pub jobs: storefront::service::jobs::Jobs,
    /// Its password hashing threads.
    pub hasher: storefront::service::hashing::Hasher,
    /// The metrics listener's port (`--metrics-bind`).
    pub metrics_port: Option<u16>,
    /// The `--database` value: a second server can share it.
    pub database: String,
    /// The extra options it was started with (a second server gets them too).
    pub extra_args: Vec<String>,
    category: CategoryId,
    _dir: Arc<tempfile::TempDir>,
}

/// A Monday morning in Beijing, 2026-11-23 10:00 (02:00 UTC).
pub fn start_time() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 23)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
}

/// A fresh, empty database for one test: a SQLite file in `dir`, or — when
/// `STOREFRONT_TEST_PG` names a PostgreSQL server (scripts/test.sh starts
/// one) — a new database on that server.
pub fn test_database(dir: &tempfile::TempDir) -> String {
    match std::env::var("STOREFRONT_TEST_PG") {
        Ok(server) if !server.is_empty() => {
            use diesel::Connection;
            use diesel::connection::SimpleConnection;
            let name = format!("t{}{}", rand_digits(), rand_digits());
            let mut admin =
                diesel::PgConnection::establish(&server).expect("the test PostgreSQL server");
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create the test database");
            let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
        _ => dir.path().join("test.db").to_string_lossy().into_owned(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[], None).await
}

/// The app with extra command-line options and a gateway (`None`: the
/// sandbox, keeping its records in the app's database).
pub async fn spawn_app_with(
    extra_args: &[&str],
    gateway: Option<Arc<dyn PaymentGateway>>,
) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = test_database(&dir);
    let mut app = spawn_server(&database, extra_args, gateway).await;
    app.category = app
        .db
        .write(|conn| create_category(conn, "test", "测试", "Test", 0))
        .await
        .expect("category");
    app._dir = Arc::new(dir);
    app
}

impl TestApp {
    /// Another app server on the same database, with its own pool, jobs and
    /// clock (set to this one's time): scale-out tests split requests between them.
    pub async fn second_server(&self) -> TestApp {
        let args: Vec<&str> = self.extra_args.iter().map(String::as_str).collect();
        let mut other = spawn_server(&self.database, &args, None).await;
        other.clock.advance(self.clock_now() - start_time());
        other.category = self.category;
        other._dir = self._dir.clone();
        other
    }
}

/// One app server on `database`.
async fn spawn_server(
    database: &str,
    extra_args: &[&str],
    gateway: Option<Arc<dyn PaymentGateway>>,
) -> TestApp {
    let mut args = vec![
        "--bind".to_owned(),
        "127.0.0.1:0".to_owned(),
        "--database".to_owned(),
        database.to_owned(),
        "--no-demo-data".to_owned(),
        "--workers".to_owned(),
        "2".to_owned(),
        // Jobs run when a test runs them (`run_jobs`): a background pass
        // could start at any later await and race the test's own.
        "--no-jobs".to_owned(),
    ];
    args.extend(extra_args.iter().map(|s| s.to_string()));
    let config = Config::from_args(args).expect("config");
    let clock = TestClock::new(start_time());
    let app = Application::build_with(config, Arc::new(clock.clone()), gateway)
        .await
        .expect("app builds");
    let gateway = app.gateway();
    let jobs = app.jobs();
    let hasher = app.hasher();
    let metrics_port = app.metrics_port();
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        clock,
        gateway,
        jobs,
        hasher,
        metrics_port,
        database: database.to_owned(),
        extra_args: extra_args.iter().map(|s| s.to_string()).collect(),
        category: CategoryId(0),
        _dir: Arc::new(tempfile::tempdir().expect("temp dir")),
    }
}

impl TestApp {
    pub fn visitor(&self) -> Actor {
        Actor::new(&self.address)
    }

    /// A freshly registered, signed-in shopper.
    pub async fn shopper(&self) -> Actor {
        let mut actor = self.visitor();
        let n: u32 = rand_digits();
        actor.account = format!("139{n:08}");
        actor.register(&actor.account, SHOPPER_PASSWORD).await;
        actor
    }

    /// A signed-in service agent (created as the command line does).
    pub async fn staff(&self) -> Actor {
        let db = self.db.clone();
        let now = self.clock_now();
        let n: u32 = rand_digits();
        let account = format!("agent{n}@example.com");
        let created = account.clone();
        tokio::task::spawn_blocking(move || {
            storefront::service::accounts::create_staff(&db, &created, "agent password 1", now)
        })
        .await
        .unwrap()
        .unwrap();
        let a = self.visitor();
        a.login(&account, "agent password 1", "/staff")
            .await
            .assert_redirect("/staff");
        a
    }

    /// A product priced `price_fen` with `stock` units.
    pub async fn product(&self, price_fen: i64, stock: i32) -> ProductId {
        let category = self.category;
        let now = self.clock_now();
        self.db
            .write(move |conn| {
                let spec = ProductSpec {
                    category_id: category,
                    name: ("测试商品", "Test product"),
                    description: ("描述", "Description"),
                    price_fen: Fen(price_fen),
                    stock,
                };
                create_product(conn, &spec, now)
            })
            .await
            .expect("product")
    }

    pub fn clock_now(&self) -> chrono::NaiveDateTime {
        use storefront::clock::Clock;
        self.clock.now()
    }

    pub async fn stock_of(&self, product: ProductId) -> i32 {
        storefront::service::catalog::find_product(&self.db, product)
            .await
            .expect("read")
            .expect("product")
            .stock
    }

    /// What the sandbox provider answered, per idempotency key (its own records).
    pub async fn gateway_journal(&self) -> Vec<storefront::db::sandbox::JournalEntry> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            storefront::gateway::SandboxGateway::journal(&db).expect("journal")
        })
        .await
        .expect("task")
    }

    /// The sandbox's entries for one order's payments (keys name the order).
    pub async fn gateway_calls_for(
        &self,
        order_no: &str,
    ) -> Vec<storefront::db::sandbox::JournalEntry> {
        self.gateway_journal()
            .await
            .into_iter()
            .filter(|e| e.idempotency_key.contains(&format!(":{order_no}:")))
            .collect()
    }

    /// An operator reprices and restocks a product (through the service).
    pub async fn set_price_and_stock(&self, product: ProductId, price_fen: i64, stock: i32) {
        storefront::service::catalog::set_price_and_stock(&self.db, product, Fen(price_fen), stock)
            .await
            .expect("reprice");
    }

    /// The warehouse ships a paid order (operations, through the service).
    pub async fn ship(&self, order_no: &str) {
        use storefront::domain::order::OrderEvent;
        let (no, now) = (order_no.to_owned(), self.clock_now());
        let shipped = self
            .db
            .write(move |conn| {
                storefront::service::orders::advance_fulfilment(conn, &no, OrderEvent::Ship, now)
            })
            .await
            .expect("ship");
        assert!(shipped, "order {order_no} ships");
    }

    /// One pass of the background jobs, as the interval task would run it.
    pub async fn run_jobs(&self) -> storefront::service::jobs::JobReport {
        self.jobs.run_once().await.expect("jobs")
    }
}

fn rand_digits() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let salt = std::process::id() % 1000;
    salt * 100_000 + NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A browser-like client: cookie jar, no redirect following.
#[derive(Clone)]
pub struct Actor {
    pub client: reqwest::Client,
    pub base: String,
    /// The account this actor registered, if any (to sign in again).
    pub account: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// Text of every element matching `selector`.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    }

    /// The fields that carry an error message, in page order (`data-error-for`).
    pub fn error_fields(&self) -> Vec<String> {
        self.attrs("[data-error-for]", "data-error-for")
    }

    /// The error message shown on `field`.
    pub fn error_on(&self, field: &str) -> String {
        self.texts(&format!("[data-error-for=\"{field}\"]"))
            .join(" ")
    }

    /// The `attr` of every element matching `selector`.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = Selector::parse(selector).expect("selector");
        self.html()
            .select(&sel)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    pub fn attr(&self, selector: &str, attr: &str) -> String {
        self.attrs(selector, attr)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no {selector}[{attr}] in page:\n{}", self.body))
    }

    pub fn fen(&self, selector: &str) -> i64 {
        self.attr(selector, "data-fen")
            .parse()
            .expect("data-fen is an integer")
    }

    pub fn has(&self, selector: &str) -> bool {
        let sel = Selector::parse(selector).expect("selector");
        self.html().select(&sel).next().is_some()
    }

    /// Texts showing `¥` outside any `data-fen` element.
    pub fn unhooked_amounts(&self) -> Vec<String> {
        let html = self.html();
        html.tree
            .nodes()
            .filter_map(|node| {
                let text = node.value().as_text()?;
                if !text.contains('¥') {
                    return None;
                }
                let hooked = node.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| e.attr("data-fen").is_some())
                });
                (!hooked).then(|| text.to_string())
            })
            .collect()
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected 303 to {to}, body:\n{}",
            self.body
        );
        assert_eq!(self.location.as_deref(), Some(to));
    }
}

impl Actor {
    pub fn new(base: &str) -> Actor {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client");
        Actor {
            client,
            base: base.to_owned(),
            account: String::new(),
        }
    }

    async fn page(res: reqwest::Response) -> Page {
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().expect("location").to_owned());
        let body = res.text().await.expect("body");
        Page {
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .header(header.0, header.1)
            .send()
            .await
            .expect("GET");
        Self::page(res).await
    }

    /// The CSRF token found on `page_path`.
    pub async fn token_from(&self, page_path: &str) -> String {
        let page = self.get(page_path).await;
        page.attr("input[name=csrf_token]", "value")
    }

    /// POSTs a form without touching the token (for refusal tests).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST");
        Self::page(res).await
    }

    /// POSTs a form; `None` when the server went away mid-request (crash tests).
    pub async fn try_post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Option<Page> {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .ok()?;
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.text().await.ok()?;
        Some(Page {
            status,
            location,
            body,
        })
    }

    /// POSTs an already encoded form body as is (e.g. bytes that are not UTF-8).
    pub async fn post_encoded(&self, path: &str, body: &str) -> Page {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .expect("POST");
        Self::page(res).await
    }

    /// POSTs a form with the token read from `token_page`.
    pub async fn post_from(&self, token_page: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.token_from(token_page).await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POSTs a form as a signed-in shopper (token from the payment-methods page).
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_from("/account/payment-methods", path, fields)
            .await
    }

    /// Signs in again (e.g. after the test clock outran the session).
    pub async fn sign_in_again(&self) {
        self.login(&self.account, SHOPPER_PASSWORD, "/")
            .await
            .assert_redirect("/");
    }

    pub async fn register(&self, account: &str, password: &str) -> Page {
        let page = self
            .post_from(
                "/register",
                "/register",
                &[
                    ("account", account),
                    ("password", password),
                    ("password_confirm", password),
                ],
            )
            .await;
        page.assert_redirect("/");
        page
    }

    pub async fn login(&self, account: &str, password: &str, next: &str) -> Page {
        self.post_from(
            "/login",
            "/login",
            &[("account", account), ("password", password), ("next", next)],
        )
        .await
    }

    /// Saves a card; returns its id.
    pub async fn add_card(&self, number: &str, expiry: &str) -> String {
        self.add_method(&[
            ("kind", "credit_card"),
            ("card_number", number),
            ("expiry", expiry),
            ("holder_name", "Li Lei"),
        ])
        .await
    }

    /// Saves an Alipay or WeChat Pay account; returns its id.
    pub async fn add_wallet(&self, kind: &str, label: &str) -> String {
        self.add_method(&[("kind", kind), ("account_label", label)])
            .await
    }

    /// Sends the add-method form; returns the new method's id (the last listed).
    async fn add_method(&self, fields: &[(&str, &str)]) -> String {
        self.post("/account/payment-methods", fields)
            .await
            .assert_redirect("/account/payment-methods");
        let list = self.get("/account/payment-methods").await;
        list.attrs(".method-row", "data-method-id")
            .last()
            .cloned()
            .expect("a saved method")
    }

    pub async fn add_to_cart(&self, product: ProductId, quantity: i32) -> Page {
        let (p, q) = (product.0.to_string(), quantity.to_string());
        self.post("/cart/items", &[("product_id", &p), ("quantity", &q)])
            .await
    }

    /// Checks out and returns the order number.
    pub async fn checkout(&self, plan: &str, term: &str, method: &str) -> String {
        let page = self
            .checkout_page(&[
                ("plan", plan),
                ("term", term),
                ("payment_method_id", method),
            ])
            .await;
        let location = page
            .location
            .clone()
            .unwrap_or_else(|| panic!("checkout failed: {}\n{}", page.status, page.body));
        location
            .strip_prefix("/orders/")
            .expect("redirect to the order")
            .to_owned()
    }

    /// POSTs the checkout form with `fields` (shipping standard, acknowledged) and its one-time token.
    pub async fn checkout_page(&self, fields: &[(&str, &str)]) -> Page {
        let form = self.get("/checkout").await;
        let csrf = form.attr("input[name=csrf_token]", "value");
        let token = form.attr("input[name=checkout_token]", "value");
        let mut all: Vec<(&str, &str)> = vec![
            ("csrf_token", &csrf),
            ("checkout_token", &token),
            ("shipping_method", "standard"),
            ("acknowledge", "on"),
        ];
        for (k, v) in fields {
            all.retain(|(key, _)| key != k);
            all.push((k, v));
        }
        self.post_raw("/checkout", &all).await
    }

    pub async fn order(&self, order_no: &str) -> Page {
        self.get(&format!("/orders/{order_no}")).await
    }

    /// This shopper's account id (through the sign-in service, as the app knows it).
    pub async fn user_id(&self, app: &TestApp) -> storefront::domain::ids::UserId {
        storefront::service::accounts::login(
            &app.db,
            &app.hasher,
            &self.account,
            SHOPPER_PASSWORD,
            app.clock_now(),
        )
        .await
        .expect("login")
        .expect("signed in")
        .user_id
    }

    pub async fn status_of(&self, order_no: &str) -> String {
        self.order(order_no)
            .await
            .attr("[data-order-no][data-status]", "data-status")
    }
}

/// Runs futures at once on the runtime's threads and collects their outputs in order.
pub async fn join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

/// A port free on 127.0.0.1 right now, for a server started as a process
/// (and perhaps restarted on the same port). It is taken below the kernel's
/// ephemeral range, so that while such a server restarts no other test's
/// listener on port 0, nor any outgoing connection, can be handed it.
pub fn free_port() -> u16 {
    use rand::Rng;
    let low: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(32768);
    let mut rng = rand::rng();
    for _ in 0..1000 {
        let port = rng.random_range(10_000..low.max(10_001));
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between 10000 and {low}");
}

/// Waits until the server at `base` answers `/healthz` (60 s at most).
pub async fn wait_until_serving(base: &str) {
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await
            && res.status() == StatusCode::OK
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "server at {base} did not come up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}
