//! Database access: the pool, `Db::read`/`Db::write`, and one module of sync
//! query functions per aggregate. Diesel DSL only; SQLite specifics live in
//! [`sqlite`]. Functions take `&mut Conn` so a PostgreSQL `MultiConnection`
//! can take its place later.

pub mod cart;
pub mod catalog;
pub mod help;
pub mod orders;
pub mod payment_methods;
pub mod payments;
pub mod sandbox;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod sqlite;
pub mod tickets;
pub mod types;
pub mod users;

use actix_web::web;
use diesel::r2d2::{ConnectionManager, Pool};

use crate::error::AppError;

pub type Conn = diesel::SqliteConnection;
pub type DbPool = Pool<ConnectionManager<Conn>>;

/// Handle to the database shared by handlers and background tasks.
#[derive(Clone)]
pub struct Db {
    pool: DbPool,
}

impl Db {
    /// Opens (creating if needed) the database at `url`, applies migrations.
    pub fn open(url: &str, pool_size: u32) -> Result<Db, AppError> {
        let pool = sqlite::build_pool(url, pool_size)?;
        let mut conn = pool.get()?;
        sqlite::prepare_database(&mut conn)?;
        Ok(Db { pool })
    }

    /// Runs `f` on a pooled connection off the async workers.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let pool = self.pool.clone();
        web::block(move || f(&mut *pool.get()?)).await?
    }

    /// Runs `f` in one immediate (write-locking) transaction off the async workers.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let pool = self.pool.clone();
        web::block(move || sqlite::immediate_transaction(&mut *pool.get()?, f)).await?
    }

    /// Synchronous access for start-up work and the command line (seeding,
    /// `create-staff`); never call from a request handler.
    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        sqlite::immediate_transaction(&mut *self.pool.get()?, f)
    }

    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        f(&mut *self.pool.get()?)
    }
}
