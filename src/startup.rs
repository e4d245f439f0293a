//! Wiring: database, migrations, demo data, background jobs and the HTTP
//! server on a `TcpListener` (port 0 in tests).

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{Condition, Logger, from_fn};
use actix_web::{App, HttpServer, web};
use rand::distr::{Alphanumeric, SampleString};

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db::{Db, secrets};
use crate::gateway::{PaymentGateway, SandboxGateway};
use crate::mailer::Mailer;
use crate::service::Settings;
use crate::service::hashing::Hasher;
use crate::service::jobs::Jobs;
use crate::service::mail::Postman;
use crate::service::orders::DetailCache;
use crate::session_store::DbSessionStore;
use crate::web::middleware::{
    record_metrics, remember_language, request_id, secure_cookies_over_https, security_headers,
};
use crate::web::orders::ArticleCache;
use crate::web::{BODY_LIMIT, not_found, routes};

/// A session ends after this long without a request…
pub const SESSION_IDLE: chrono::Duration = chrono::Duration::hours(12);
/// …and in any case this long after sign-in.
pub const SESSION_ABSOLUTE: chrono::Duration = chrono::Duration::days(7);

/// What every handler shares: the database handle (used only through the
/// services), the clock, the gateway and the settings.
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub settings: Settings,
    pub config: Config,
    /// Password hashing, bounded (see [`crate::service::hashing`]).
    pub hasher: Hasher,
    /// Order pages built lately (see [`DetailCache`]).
    pub order_pages: DetailCache,
    /// Their rendered articles (see [`ArticleCache`]).
    pub order_articles: ArticleCache,
}

pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    jobs: Jobs,
    task: tokio::task::JoinHandle<()>,
    hasher: Hasher,
    /// The metrics listener's port and server.
    metrics: Option<(u16, Server)>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        Application::build_with(config, Arc::new(SystemClock), None).await
    }

    /// Builds the app with a given clock (tests pass a `TestClock`) and
    /// gateway (`None`: the sandbox, keeping its records in this database).
    pub async fn build_with(
        config: Config,
        clock: Arc<dyn Clock>,
        gateway: Option<Arc<dyn PaymentGateway>>,
    ) -> anyhow::Result<Application> {
        let db = Db::open_with(&config.database, 8, config.sqlite_synchronous)?;
        let gateway = gateway.unwrap_or_else(|| {
            let latency = std::time::Duration::from_millis(config.sandbox_latency_ms);
            Arc::new(SandboxGateway::new(db.clone(), latency))
        });
        let settings = Settings::from_config(&config);
        let postman = match &config.smtp_url {
            Some(url) => Some(Arc::new(Postman {
                mailer: Mailer::new(url, &config.mail_from)?,
                public_url: config.public_url.trim_end_matches('/').to_owned(),
            })),
            None => None,
        };
        let jobs = Jobs {
            db: db.clone(),
            clock: clock.clone(),
            gateway: gateway.clone(),
            reminder_days: settings.reminder_days,
            postman,
        };
        crate::service::help::ensure_articles(&db)?;
        if config.demo_data() && crate::demo::load_if_empty(&db, &settings, clock.now())? {
            crate::demo::print_credentials();
        }
        let key = session_key(&db)?;
        let hasher = Hasher::per_core();
        let listener = TcpListener::bind(&config.bind)?;
        let port = listener.local_addr()?.port();
        tracing::info!(address = %listener.local_addr()?, "serving");

        let store = DbSessionStore::new(db.clone(), clock.clone(), SESSION_IDLE, SESSION_ABSOLUTE);
        let idle = actix_web::cookie::time::Duration::seconds(SESSION_IDLE.num_seconds());
        let secure = config.secure_cookies;
        let workers = config.workers;
        let metrics_bind = config.metrics_bind.clone();
        let job_interval = std::time::Duration::from_secs(config.job_interval_secs);
        let run_jobs = !config.no_jobs;
        let state = web::Data::new(AppState {
            db: db.clone(),
            clock: clock.clone(),
            gateway,
            settings,
            config,
            hasher: hasher.clone(),
            order_pages: DetailCache::new(),
            order_articles: ArticleCache::new(),
        });

        let access_log = tracing::enabled!(
            target: "actix_web::middleware::logger",
            tracing::Level::INFO
        );
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(BODY_LIMIT))
                // Innermost: the page it re-renders still gets the session
                // cookie and the security headers from the layers outside.
                .wrap(from_fn(request_id))
                .wrap(
                    SessionMiddleware::builder(store.clone(), key.clone())
                        .cookie_name("sid".to_owned())
                        .cookie_secure(secure)
                        .cookie_http_only(true)
                        .cookie_same_site(SameSite::Lax)
                        .cookie_content_security(CookieContentSecurity::Signed)
                        .session_lifecycle(BrowserSession::default().state_ttl(idle))
                        .build(),
                )
                .wrap(from_fn(secure_cookies_over_https))
                .wrap(from_fn(remember_language))
                .wrap(security_headers())
                // The access log, left out when its level is off (it formats
                // the request line up front, logged or not).
                .wrap(Condition::new(
                    access_log,
                    Logger::new("%r %s %Dms id=%{x-request-id}o"),
                ))
                .wrap(from_fn(record_metrics))
                .configure(routes)
                .default_service(web::to(not_found))
        })
        .listen(listener)?
        .shutdown_timeout(30);
        if let Some(n) = workers {
            server = server.workers(n);
        }
        let server = server.run();
        let metrics = match &metrics_bind {
            Some(addr) => Some(metrics_server(addr)?),
            None => None,
        };
        let task = if run_jobs {
            tokio::spawn(jobs.clone().run_forever(job_interval))
        } else {
            tokio::spawn(async {})
        };
        Ok(Application {
            port,
            server,
            db,
            jobs,
            task,
            hasher,
            metrics,
        })
    }

    /// The port of the metrics listener, when `--metrics-bind` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// The payment gateway the app calls.
    pub fn gateway(&self) -> Arc<dyn PaymentGateway> {
        self.jobs.gateway.clone()
    }

    /// The password hashing threads (tests read their peak concurrency).
    pub fn hasher(&self) -> Hasher {
        self.hasher.clone()
    }

    /// The background jobs as the interval task runs them (tests run a pass
    /// at a moment of their choosing).
    pub fn jobs(&self) -> Jobs {
        self.jobs.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> Db {
        self.db.clone()
    }

    /// Serves until SIGTERM/SIGINT: in-flight requests drain, then it returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            tokio::spawn(server);
            handle
        });
        let result = self.server.await;
        self.task.abort();
        if let Some(handle) = metrics {
            handle.stop(true).await;
        }
        result
    }
}

/// Prometheus metrics on a listener of their own: `GET /metrics`.
fn metrics_server(addr: &str) -> anyhow::Result<(u16, Server)> {
    crate::telemetry::prometheus::handle()?;
    let listener = TcpListener::bind(addr)?;
    let port = listener.local_addr()?.port();
    tracing::info!(address = %listener.local_addr()?, "serving metrics");
    let server = HttpServer::new(|| {
        App::new().route(
            "/metrics",
            web::get().to(|| async {
                actix_web::HttpResponse::Ok()
                    .content_type("text/plain; version=0.0.4")
                    .body(crate::telemetry::prometheus::render())
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((port, server))
}

/// The cookie signing key, generated once per database so every app server
/// and every restart shares it.
fn session_key(db: &Db) -> anyhow::Result<Key> {
    let value = db.write_blocking(|conn| {
        if let Some(v) = secrets::find_secret(conn, "session_key")? {
            return Ok(v);
        }
        let v = Alphanumeric.sample_string(&mut rand::rng(), 128);
        secrets::insert_secret(conn, "session_key", &v)?;
        Ok(v)
    })?;
    Key::try_from(value.as_bytes()).map_err(|e| anyhow::anyhow!("session key: {e}"))
}
