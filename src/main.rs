//! `storefront` serves the shop; `storefront create-staff ACCOUNT` adds a
//! service agent, reading the password from standard input.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::Parser;
use storefront::Application;
use storefront::clock::{Clock, SystemClock};
use storefront::config::{Cli, Command};
use storefront::db::Db;

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

fn bench_seed(database: &str, plan: storefront::service::seed::SeedPlan) -> anyhow::Result<()> {
    let db = Db::open(database, 2)?;
    let done = storefront::service::seed::run(&db, plan, SystemClock.now())?;
    println!(
        "seeded {} shoppers, {} orders, {} items in {:.1} s; shopper 1 signs in as {} / {}",
        done.shoppers,
        done.orders,
        done.items,
        done.seconds,
        storefront::service::seed::account_of(1),
        storefront::service::seed::PASSWORD
    );
    Ok(())
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    storefront::telemetry::init(cli.config.log_format);
    let result = match cli.command {
        Some(Command::CreateStaff { account }) => create_staff(&cli.config.database, &account),
        Some(Command::BenchSeed {
            shoppers,
            orders,
            items,
            seed,
        }) => bench_seed(
            &cli.config.database,
            storefront::service::seed::SeedPlan {
                shoppers,
                orders_per_shopper: orders,
                items_per_order: usize::from(items),
                seed,
            },
        ),
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
