//! Register, sign in (phone or email), throttle, session renewal, logout.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn register_signs_in_and_lands_on_home() {
    let app = spawn_app().await;
    let shopper = app.visitor();
    shopper.register("13912345678", "long enough pw").await;
    let home = shopper.get("/").await;
    assert!(
        home.texts(".who").iter().any(|t| t == "139****5678"),
        "{}",
        home.body
    );
    assert_eq!(shopper.get("/orders").await.status, StatusCode::OK);
}

#[tokio::test]
async fn registering_a_taken_account_keeps_input_and_says_so() {
    let app = spawn_app().await;
    app.visitor()
        .register("dup@example.com", "long enough pw")
        .await;
    let other = app.visitor();
    let page = other
        .post_from(
            "/register",
            "/register",
            &[
                ("account", "DUP@example.com"),
                ("password", "another pw 123"),
                ("password_confirm", "another pw 123"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(page.attr("input[name=account]", "value"), "DUP@example.com");
    assert_eq!(page.error_fields(), ["account"]);
}

#[tokio::test]
async fn bad_registration_input_gets_422_with_field_messages() {
    let app = spawn_app().await;
    let v = app.visitor();
    for (account, pw, confirm, field) in [
        (
            "not-an-account",
            "long enough pw",
            "long enough pw",
            "account",
        ),
        ("13912340000", "short", "short", "password"),
        (
            "13912340000",
            "long enough pw",
            "different pw!!",
            "password_confirm",
        ),
    ] {
        let page = v
            .post_from(
                "/register",
                "/register",
                &[
                    ("account", account),
                    ("password", pw),
                    ("password_confirm", confirm),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{account} {pw} {confirm}"
        );
        assert_eq!(page.error_fields(), [field], "{account} {pw} {confirm}");
        assert_eq!(page.attr("input[name=account]", "value"), account);
    }
    // Nothing was created: the account can still be registered.
    v.register("13912340000", "long enough pw").await;
}

#[tokio::test]
async fn login_with_phone_or_email_and_follows_same_site_next_only() {
    let app = spawn_app().await;
    app.visitor()
        .register("13912345678", "long enough pw")
        .await;
    app.visitor()
        .register("li@example.com", "long enough pw")
        .await;

    let a = app.visitor();
    a.login("139 1234 5678", "long enough pw", "/orders?status=paid")
        .await
        .assert_redirect("/orders?status=paid");
    let b = app.visitor();
    b.login("LI@example.com", "long enough pw", "//evil.example/steal")
        .await
        .assert_redirect("/");
    let c = app.visitor();
    c.login("li@example.com", "long enough pw", "https://evil.example/")
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn visitors_are_sent_to_login_and_come_back() {
    let app = spawn_app().await;
    let v = app.visitor();
    v.get("/orders?status=paid")
        .await
        .assert_redirect("/login?next=%2Forders%3Fstatus%3Dpaid");
    let login = v.get("/login?next=%2Forders%3Fstatus%3Dpaid").await;
    assert_eq!(
        login.attr("input[name=next]", "value"),
        "/orders?status=paid"
    );
}

#[tokio::test]
async fn wrong_password_is_refused_and_the_fifth_failure_in_a_row_locks_the_account() {
    let app = spawn_app().await;
    app.visitor()
        .register("13912345678", "long enough pw")
        .await;
    let v = app.visitor();
    for attempt in 1..=4 {
        let page = v.login("13912345678", "wrong password", "/").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(page.attr("input[name=account]", "value"), "13912345678");
    }
    let fifth = v.login("13912345678", "wrong password", "/").await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    // Locked: even the right password is refused, with the message.
    let locked = v.login("13912345678", "long enough pw", "/").await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.texts(".form-error")[0].contains("15"));
    // Another account is not affected.
    app.visitor()
        .register("13900000001", "long enough pw")
        .await;
    // After the lock passes, the right password works and resets the count.
    app.clock.advance(chrono::Duration::minutes(16));
    v.login("13912345678", "long enough pw", "/")
        .await
        .assert_redirect("/");
}

#[tokio::test]
async fn login_renews_the_session_id() {
    let app = spawn_app().await;
    app.visitor()
        .register("13912345678", "long enough pw")
        .await;
    let v = app.visitor();
    let before = v.get("/login").await;
    assert_eq!(before.status, StatusCode::OK);
    let res = v
        .client
        .get(format!("{}/login", v.base))
        .send()
        .await
        .unwrap();
    assert!(
        res.headers().get("set-cookie").is_none(),
        "a page view re-issues no cookie"
    );
    let token = v.token_from("/login").await;
    let res = v
        .client
        .post(format!("{}/login", v.base))
        .form(&[
            ("csrf_token", token.as_str()),
            ("account", "13912345678"),
            ("password", "long enough pw"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .expect("login sets a new session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("sid="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

/// A client that sends only the cookie we give it, as an attacker replaying one would.
struct Replay {
    client: reqwest::Client,
    base: String,
    cookie: String,
}

impl Replay {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// Signs in without a cookie jar and returns the `sid=…` pair.
async fn sign_in_raw(base: &str, account: &str, password: &str) -> Replay {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client.get(format!("{base}/login")).send().await.unwrap();
    let visitor_cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let doc = scraper::Html::parse_document(&login.text().await.unwrap());
    let sel = scraper::Selector::parse("input[name=csrf_token]").unwrap();
    let csrf = doc
        .select(&sel)
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_owned();
    let res = client
        .post(format!("{base}/login"))
        .header("cookie", &visitor_cookie)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("account", account),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(cookie, visitor_cookie, "the session id is renewed on login");
    Replay {
        client,
        base: base.to_owned(),
        cookie,
    }
}

#[tokio::test]
async fn logout_ends_the_session_server_side_so_a_replayed_cookie_is_anonymous() {
    let app = spawn_app().await;
    app.visitor()
        .register("13912345678", "long enough pw")
        .await;
    let captured = sign_in_raw(&app.address, "13912345678", "long enough pw").await;
    let page = captured.get("/orders").await;
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "the captured cookie works before logout"
    );
    let doc = scraper::Html::parse_document(&page.text().await.unwrap());
    let sel = scraper::Selector::parse("input[name=csrf_token]").unwrap();
    let csrf = doc
        .select(&sel)
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_owned();

    let out = captured
        .post("/logout", &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);

    let replay = captured.get("/orders").await;
    assert_eq!(
        replay.status(),
        StatusCode::SEE_OTHER,
        "replayed cookie after logout is anonymous"
    );
    assert_eq!(replay.headers()["location"], "/login?next=%2Forders");
}

#[tokio::test]
async fn sessions_expire_after_idle_time() {
    let app = spawn_app().await;
    let v = app.shopper().await;
    assert_eq!(v.get("/orders").await.status, StatusCode::OK);
    app.clock.advance(chrono::Duration::hours(13));
    v.get("/orders")
        .await
        .assert_redirect("/login?next=%2Forders");
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_served_over_https() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let plain = client
        .get(format!("{}/login", app.address))
        .send()
        .await
        .unwrap();
    let cookie = plain.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    let proxied = client
        .get(format!("{}/login", app.address))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let cookie = proxied.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[tokio::test]
async fn sessions_end_at_the_absolute_limit_even_when_used() {
    let app = spawn_app().await;
    let v = app.shopper().await;
    // Active every 11 hours, inside the 12-hour idle limit: alive for 165 hours…
    for step in 1..=15 {
        app.clock.advance(chrono::Duration::hours(11));
        assert_eq!(
            v.get("/orders").await.status,
            StatusCode::OK,
            "after {} hours",
            step * 11
        );
    }
    // …but not past the 7-day (168-hour) absolute limit.
    app.clock.advance(chrono::Duration::hours(11));
    v.get("/orders")
        .await
        .assert_redirect("/login?next=%2Forders");
}

#[tokio::test]
async fn the_database_keeps_only_a_hash_of_session_ids() {
    let app = spawn_app().await;
    app.visitor()
        .register("13912345678", "long enough pw")
        .await;
    let captured = sign_in_raw(&app.address, "13912345678", "long enough pw").await;
    let cookie = captured.cookie.trim_start_matches("sid=").to_owned();
    let ids = app
        .db
        .read(|conn| {
            use diesel::prelude::*;
            use storefront::db::schema::sessions::dsl::*;
            Ok(match conn {
                storefront::db::Conn::Sqlite(c) => sessions.select(id).load::<String>(c)?,
                storefront::db::Conn::Pg(c) => sessions.select(id).load::<String>(c)?,
            })
        })
        .await
        .unwrap();
    assert!(!ids.is_empty());
    for stored in &ids {
        assert_eq!(stored.len(), 64);
        assert!(stored.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(
            !cookie.contains(stored.as_str()),
            "the cookie's id is not stored as-is"
        );
    }
    assert_eq!(
        captured.get("/orders").await.status(),
        StatusCode::OK,
        "and the session still works"
    );
}
