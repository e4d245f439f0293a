//! `storefront` serves the shop; `storefront create-staff ACCOUNT` adds a
//! service agent, reading the password from standard input.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use storefront::Application;
use storefront::clock::{Clock, SystemClock};
use storefront::config::{Cli, Command};
use storefront::db::Db;
use tracing_subscriber::EnvFilter;

fn init_tracing() {
    let _ = tracing_log::LogTracer::init();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

fn create_staff(database: &str, account: &str) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Password for {account}:");
    }
    let mut password = String::new();
    stdin.lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let db = Db::open(database, 1)?;
    storefront::service::accounts::create_staff(&db, account, password, SystemClock.now())?;
    println!("service agent created");
    Ok(())
}

#[actix_web::main]
async fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::CreateStaff { account }) => create_staff(&cli.config.database, &account),
        None => match Application::build(cli.config).await {
            Ok(app) => app.run_until_stopped().await.map_err(anyhow::Error::from),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "storefront stopped");
            ExitCode::FAILURE
        }
    }
}
