//! Logs: `tracing` to stderr, as text (colour only on a terminal) or as one
//! JSON object a line (`--log-format json`). `RUST_LOG` sets the levels
//! (default `info`).
//!
//! Client protocol errors (a malformed request, a connection dropped
//! mid-request) are the client's doing, yet actix-http reports them at
//! ERROR: anyone could flood the ERROR level. They are written at WARN here,
//! under the target `storefront::client`.

use std::io::IsTerminal;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where actix-http reports what clients did wrong.
const CLIENT_ERRORS: &str = "actix_http::h1::dispatcher";

fn is_client_error(meta: &tracing::Metadata<'_>) -> bool {
    *meta.level() == Level::ERROR && meta.target().starts_with(CLIENT_ERRORS)
}

/// Writes actix-http's client-error events again at WARN.
struct ClientErrorsAtWarn;

impl<S: Subscriber> Layer<S> for ClientErrorsAtWarn {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if !is_client_error(event.metadata()) {
            return;
        }
        let mut message = String::new();
        event.record(&mut MessageOf(&mut message));
        tracing::warn!(target: "storefront::client", error = %message, "client protocol error");
    }
}

struct MessageOf<'a>(&'a mut String);

impl tracing::field::Visit for MessageOf<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            *self.0 = format!("{value:?}");
        }
    }
}

/// Installs the subscriber (once; later calls do nothing).
pub fn init(format: LogFormat) {
    let _ = tracing_log::LogTracer::init();
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let lines: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Text => Box::new(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::stderr().is_terminal())
                .with_target(false),
        ),
        LogFormat::Json => Box::new(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_writer(std::io::stderr),
        ),
    };
    let _ = tracing_subscriber::registry()
        .with(lines.with_filter(filter_fn(|meta| !is_client_error(meta))))
        .with(ClientErrorsAtWarn)
        .with(env)
        .try_init();
}

/// Prometheus metrics (`--metrics-bind`): the recorder is installed once
/// per process, on first use; until then the `metrics` macros cost nothing.
pub mod prometheus {
    use std::sync::OnceLock;

    use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

    /// Latency buckets, in seconds: 0.5 ms to 10 s.
    const BUCKETS: [f64; 14] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];

    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

    /// The process's recorder, installed the first time it is asked for.
    pub fn handle() -> anyhow::Result<&'static PrometheusHandle> {
        if let Some(h) = HANDLE.get() {
            return Ok(h);
        }
        let built = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)?
            .install_recorder();
        match built {
            Ok(h) => Ok(HANDLE.get_or_init(|| h)),
            // Another thread installed it between the check and here.
            Err(e) => HANDLE
                .get()
                .ok_or_else(|| anyhow::anyhow!("metrics recorder: {e}")),
        }
    }

    /// Whether metrics are being collected (hot paths skip the work if not).
    pub fn enabled() -> bool {
        HANDLE.get().is_some()
    }

    /// The scrape payload (with the exporter's upkeep done first).
    pub fn render() -> String {
        match HANDLE.get() {
            Some(h) => {
                h.run_upkeep();
                h.render()
            }
            None => String::new(),
        }
    }
}
