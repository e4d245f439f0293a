//! HEAD on every GET route; 405 with `Allow` for other methods on real paths.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let s = app.shopper().await;
    for path in ["/", "/orders", "/static/css/app.css", "/help", "/healthz"] {
        let url = format!("{}{path}", app.address);
        let get = s.client.get(&url).send().await.unwrap();
        let (get_status, get_type) = (get.status(), get.headers().get("content-type").cloned());
        assert!(!get.bytes().await.unwrap().is_empty(), "{path}");
        let head = s.client.request(Method::HEAD, &url).send().await.unwrap();
        assert_eq!(head.status(), get_status, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type").cloned(),
            get_type,
            "{path}"
        );
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has no body"
        );
    }
    // Signed out, HEAD follows the same rules as GET: a redirect to sign in.
    let v = app.visitor();
    let head = v
        .client
        .request(Method::HEAD, format!("{}/orders", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn other_methods_on_real_paths_get_405_with_allow() {
    let app = spawn_app().await;
    let v = app.visitor();
    let cases = [
        (Method::PUT, "/", "GET, HEAD"),
        (Method::DELETE, "/orders/202611230000000001/pay", "POST"),
        (Method::OPTIONS, "/login", "GET, HEAD, POST"),
        (Method::PATCH, "/static/css/app.css", "GET, HEAD"),
        (Method::GET, "/logout", "POST"),
        (Method::POST, "/help/refunds", "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        let r = v
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(r.headers()["allow"], allow, "{method} {path}");
    }
    let unknown = v
        .client
        .request(Method::PATCH, format!("{}/no/such/page", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
