//! Command line and environment configuration (clap). Every option has an
//! environment variable; nothing here is global.

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "storefront",
    version,
    about = "Server-rendered storefront with installments"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Creates a service agent; reads the password from standard input.
    CreateStaff {
        /// Phone number or email of the agent.
        account: String,
    },
    /// Fills the database with N shoppers × M orders × K items for the
    /// benchmark (reproducible; shopper n signs in as 13{n:09} with
    /// `bench-pass-2026`).
    BenchSeed {
        #[arg(long, default_value_t = 1_000)]
        shoppers: usize,
        #[arg(long, default_value_t = 10)]
        orders: usize,
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=20))]
        items: u16,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to serve on.
    #[arg(long, env = "STOREFRONT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// SQLite database file, or a `postgres://` URL.
    #[arg(long, env = "DATABASE_URL", default_value = "storefront.db")]
    pub database: String,

    /// Do not load demo data into an empty database.
    #[arg(long = "no-demo-data")]
    pub no_demo_data: bool,

    /// Load demo data into an empty database (`STOREFRONT_DEMO=0` turns it off).
    #[arg(long, env = "STOREFRONT_DEMO", default_value = "1", value_parser = BoolishValueParser::new(), hide = true)]
    pub demo: bool,

    /// Minutes an order may stay unpaid before it closes.
    #[arg(long, env = "STOREFRONT_PAYMENT_WINDOW_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10_080))]
    pub payment_window_minutes: u32,

    /// Smallest order total (in fen) that may be paid in installments.
    #[arg(
        long,
        env = "STOREFRONT_INSTALLMENT_MINIMUM_FEN",
        default_value_t = 30_000
    )]
    pub installment_minimum_fen: i64,

    /// Customer-service hotline shown to shoppers.
    #[arg(long, env = "STOREFRONT_HOTLINE", default_value = "400-820-8820")]
    pub hotline: String,

    /// Customer-service hours shown beside the hotline.
    #[arg(long, env = "STOREFRONT_SERVICE_HOURS", default_value = "09:00–21:00")]
    pub service_hours: String,

    /// Mark the session cookie `Secure` (set when served over HTTPS, e.g. behind a TLS proxy).
    #[arg(long, env = "STOREFRONT_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "STOREFRONT_WORKERS")]
    pub workers: Option<usize>,

    /// Days before each deduction that the shopper is reminded.
    #[arg(long, env = "STOREFRONT_REMINDER_DAYS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=30))]
    pub reminder_days: u32,

    /// Send reminders and notices by email through this SMTP server:
    /// `smtp://host:port` (plain, e.g. a local relay), `smtp://host?tls=required`
    /// (STARTTLS) or `smtps://user:password@host` (TLS). Unset: inbox only.
    #[arg(long, env = "STOREFRONT_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// The sender of those emails.
    #[arg(
        long,
        env = "STOREFRONT_MAIL_FROM",
        default_value = "Storefront <no-reply@storefront.test>"
    )]
    pub mail_from: String,

    /// The shop's address as shoppers reach it, for links in emails.
    #[arg(
        long,
        env = "STOREFRONT_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,

    /// SQLite only: `full` syncs the log to disk at every commit, so a paid
    /// order or a ledger entry survives a power cut once acknowledged;
    /// `normal` syncs at checkpoints only (faster writes; the last commits
    /// may be lost on a power cut, never corrupted). See docs/OPERATIONS.md.
    #[arg(
        long,
        env = "STOREFRONT_SQLITE_SYNCHRONOUS",
        value_enum,
        default_value = "full"
    )]
    pub sqlite_synchronous: crate::db::Synchronous,

    /// Serve Prometheus metrics at `http://ADDR/metrics`, on a listener of
    /// its own (keep it off the public network).
    #[arg(long, env = "STOREFRONT_METRICS_BIND")]
    pub metrics_bind: Option<String>,

    /// Log lines as text (colour on a terminal only) or as JSON objects.
    #[arg(
        long,
        env = "STOREFRONT_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: crate::telemetry::LogFormat,

    /// Sandbox gateway only: simulated network time of each call, in
    /// milliseconds (tests widen the window in which a payment is in flight).
    #[arg(
        long,
        env = "STOREFRONT_SANDBOX_LATENCY_MS",
        default_value_t = 0,
        hide = true
    )]
    pub sandbox_latency_ms: u64,

    /// Seconds between runs of the background jobs (closing expired orders).
    #[arg(long, env = "STOREFRONT_JOB_INTERVAL_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    pub job_interval_secs: u64,

    /// Run no background jobs here: this server only serves pages, while
    /// another runs the jobs (they are safe on several servers at once, but
    /// one is enough). The tests' servers run them only when a test says.
    #[arg(long = "no-jobs", env = "STOREFRONT_NO_JOBS")]
    pub no_jobs: bool,
}

impl Config {
    /// The configuration with every default, as on a bare command line
    /// (environment variables still apply). Tests override fields.
    pub fn from_args<I, T>(args: I) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Cli::try_parse_from(
            std::iter::once("storefront".into()).chain(args.into_iter().map(Into::into)),
        )
        .map(|cli| cli.config)
    }

    pub fn demo_data(&self) -> bool {
        self.demo && !self.no_demo_data
    }
}
