//! Demo data for an empty database: a catalog, two shoppers with saved
//! methods and orders in every state, an open service request and a staff
//! account. Everything goes through the services' steps, as a shopper would,
//! inside **one** transaction together with the emptiness check: a start cut
//! short leaves an empty database, never half a demo. Timings are relative to
//! the configured payment window, so any window loads the same story.
//!
//! Demo payments are sandbox payments ([`SandboxGateway`]), made inside the
//! transaction because they are the demo's own fiction; real payments never are.

mod data;

use chrono::{Duration, NaiveDateTime};

use crate::clock::local_date;
use crate::db::{Conn, Db};
use crate::domain::account::{Account, Role};
use crate::domain::ids::{PaymentMethodId, ProductId, UserId};
use crate::domain::method::validate_new_method;
use crate::domain::order::{CancelReason, OrderEvent, OrderStatus};
use crate::error::AppError;
use crate::gateway::SandboxGateway;
use crate::service::catalog::{ProductSpec, create_category, create_product};
use crate::service::checkout::{CheckoutInput, place_order_in};
use crate::service::support::{NewRequest, file_request};
use crate::service::timeline::Actor;
use crate::service::{
    Settings, accounts, cart, ledger, orders, payment_methods, refunds, repayments,
};
use data::{DemoOrder, Placed};

pub const SHOPPER_PHONE: &str = "13800138000";
pub const SHOPPER_EMAIL: &str = "alice@example.com";
pub const SHOPPER_PASSWORD: &str = "demo-pass-2026";
pub const STAFF_ACCOUNT: &str = "staff@storefront.test";
pub const STAFF_PASSWORD: &str = "staff-pass-2026";

pub fn print_credentials() {
    println!("Demo data loaded. Sign in with:");
    println!("  shopper  {SHOPPER_PHONE} / {SHOPPER_PASSWORD}");
    println!("  shopper  {SHOPPER_EMAIL} / {SHOPPER_PASSWORD}");
    println!("  staff    {STAFF_ACCOUNT} / {STAFF_PASSWORD}");
}

/// Loads the demo when the catalog is empty, all in one transaction.
/// Returns whether it did.
pub fn load_if_empty(db: &Db, settings: &Settings, now: NaiveDateTime) -> Result<bool, AppError> {
    // Hashing is slow; it is done before taking the write lock.
    let shopper_hash = accounts::hash_password(SHOPPER_PASSWORD)?;
    let staff_hash = accounts::hash_password(STAFF_PASSWORD)?;
    db.write_blocking(|conn| {
        if !crate::service::catalog::is_empty(conn)? {
            return Ok(false);
        }
        let demo = Demo {
            settings,
            now,
            epoch: now - Duration::days(60),
        };
        demo.load(conn, &shopper_hash, &staff_hash)?;
        Ok(true)
    })
}

struct Demo<'a> {
    settings: &'a Settings,
    now: NaiveDateTime,
    /// When the catalog and the accounts were created.
    epoch: NaiveDateTime,
}

struct Shopper {
    id: UserId,
    methods: Vec<PaymentMethodId>,
}

/// A demo step that was refused: the demo data no longer fits the rules.
fn refused(what: &str, why: impl std::fmt::Debug) -> AppError {
    AppError::Internal(anyhow::anyhow!("demo {what} refused: {why:?}"))
}

impl Demo<'_> {
    fn load(&self, conn: &mut Conn, shopper_hash: &str, staff_hash: &str) -> Result<(), AppError> {
        let products = self.catalog(conn)?;
        let phone = self.shopper(conn, SHOPPER_PHONE, shopper_hash)?;
        let email = self.shopper(conn, SHOPPER_EMAIL, shopper_hash)?;
        let staff = Account::parse(STAFF_ACCOUNT).map_err(|e| refused("staff", e))?;
        accounts::create_account_in(conn, &staff, staff_hash, Role::Staff, self.epoch)?
            .ok_or_else(|| refused("staff", "taken"))?;

        let mut placed = Vec::new();
        for spec in &data::PHONE_ORDERS {
            placed.push(self.order(conn, &phone, &products, spec)?);
        }
        let overdue = self.order(conn, &phone, &products, &data::OVERDUE_ORDER)?;
        let order = orders::owned_order(conn, phone.id, &overdue)?;
        let declining =
            payment_methods::find_for_owner(conn, phone.id, phone.methods[data::DECLINING_METHOD])?
                .ok_or(AppError::NotFound)?;
        let pinned_at = self.paid_at(&data::OVERDUE_ORDER);
        repayments::pin_plan(conn, &order, &declining, Actor::Staff, None, pinned_at)?;

        let request = NewRequest {
            order_no: placed[data::REQUESTED_ORDER].clone(),
            method: Some(phone.methods[data::ALIPAY_METHOD]),
            message: data::SERVICE_REQUEST_MESSAGE.to_owned(),
            password: String::new(),
            token: None,
        };
        let at = self.now - data::SERVICE_REQUEST_AGO;
        file_request(
            conn,
            phone.id,
            &request,
            data::SERVICE_REQUEST_MESSAGE,
            Vec::new(),
            at,
        )?
        .map_err(|e| refused("service request", e))?;

        self.order(conn, &phone, &products, &data::DUE_SOON_ORDER)?;
        for spec in &data::EMAIL_ORDERS {
            self.order(conn, &email, &products, spec)?;
        }
        tracing::info!(products = products.len(), "demo data loaded");
        Ok(())
    }

    fn catalog(&self, conn: &mut Conn) -> Result<Vec<ProductId>, AppError> {
        let mut ids = Vec::new();
        for (position, c) in data::CATALOG.iter().enumerate() {
            let position = i32::try_from(position).unwrap_or(i32::MAX);
            let category = create_category(conn, c.slug, c.name_zh, c.name_en, position)?;
            for p in c.products {
                let spec = ProductSpec {
                    category_id: category,
                    name: (p.name_zh, p.name_en),
                    description: (p.description_zh, p.description_en),
                    price_fen: p.price,
                    stock: p.stock,
                };
                ids.push(create_product(conn, &spec, self.epoch)?);
            }
        }
        Ok(ids)
    }

    fn shopper(&self, conn: &mut Conn, account: &str, hash: &str) -> Result<Shopper, AppError> {
        let parsed = Account::parse(account).map_err(|e| refused("shopper", e))?;
        let who = accounts::create_account_in(conn, &parsed, hash, Role::Shopper, self.epoch)?
            .ok_or_else(|| refused("shopper", "taken"))?;
        let today = local_date(self.epoch);
        let mut methods = Vec::new();
        for m in &data::METHODS {
            let label = m.account_label.unwrap_or(account);
            let valid =
                validate_new_method(m.kind, m.card_number, m.expiry, m.holder_name, label, today)
                    .map_err(|e| refused("method", e))?;
            methods.push(payment_methods::insert_valid(conn, who.user_id, &valid, self.epoch)?.id);
        }
        Ok(Shopper {
            id: who.user_id,
            methods,
        })
    }

    fn placed_at(&self, spec: &DemoOrder) -> NaiveDateTime {
        match spec.placed {
            Placed::DaysAgo(days) => self.now - Duration::days(days),
            Placed::WindowSixthsAgo(n) => self.now - self.settings.payment_window * n / 6,
            Placed::FirstDueInDays(days) => {
                // The schedule starts on the payment date: pay a month before.
                let due = self.now + Duration::days(days);
                let paid = due
                    .checked_sub_months(chrono::Months::new(1))
                    .unwrap_or(due - Duration::days(30));
                paid - self.settings.payment_window / 10
            }
        }
    }

    /// Paid a tenth of the way into the payment window.
    fn paid_at(&self, spec: &DemoOrder) -> NaiveDateTime {
        self.placed_at(spec) + self.settings.payment_window / 10
    }

    /// Places `spec` as the shopper would and takes it to its end state.
    fn order(
        &self,
        conn: &mut Conn,
        shopper: &Shopper,
        products: &[ProductId],
        spec: &DemoOrder,
    ) -> Result<String, AppError> {
        let at = self.placed_at(spec);
        for (index, quantity) in spec.products {
            cart::add_item_in(conn, shopper.id, products[*index], *quantity, at)?
                .map_err(|e| refused("cart", e))?;
        }
        let input = CheckoutInput {
            shipping: spec.shipping,
            plan: spec.plan,
            method: shopper.methods[spec.method],
            acknowledged: true,
            token: None,
            replaces: None,
        };
        let no = place_order_in(conn, self.settings, shopper.id, &input, at)?
            .map_err(|e| refused("order", e))?
            .order_no;
        match spec.end {
            OrderStatus::PendingPayment => {}
            OrderStatus::Cancelled => {
                let found = orders::owned_order(conn, shopper.id, &no)?;
                let when = at + self.settings.payment_window / 3;
                orders::cancel_in(conn, &found, CancelReason::Shopper, when)?;
            }
            OrderStatus::Closed => {
                let found = orders::owned_order(conn, shopper.id, &no)?;
                let when = at + self.settings.payment_window;
                orders::apply(conn, &found, OrderEvent::Close, Actor::System, when)?;
            }
            OrderStatus::Refunded => {
                let paid_at = self.paid_at(spec);
                self.pay(conn, shopper.id, &no, paid_at)?;
                self.refund(conn, shopper.id, &no, paid_at + Duration::hours(2))?;
            }
            OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed => {
                let paid_at = self.paid_at(spec);
                self.pay(conn, shopper.id, &no, paid_at)?;
                if spec.end != OrderStatus::Paid {
                    let shipped = paid_at + Duration::hours(20);
                    orders::advance_fulfilment(conn, &no, OrderEvent::Ship, shipped)?;
                }
                if spec.end == OrderStatus::Completed {
                    let done = paid_at + Duration::days(3);
                    orders::advance_fulfilment(conn, &no, OrderEvent::Complete, done)?;
                }
            }
        }
        Ok(no)
    }

    /// Refunds through the ledger like the shop does, the sandbox's answers
    /// recorded in the same transaction.
    fn refund(
        &self,
        conn: &mut Conn,
        user: UserId,
        no: &str,
        at: NaiveDateTime,
    ) -> Result<(), AppError> {
        let order = orders::owned_order(conn, user, no)?;
        let calls = refunds::refund_in(conn, &order, Actor::Shopper, at)?
            .map_err(|e| refused("refund", e))?;
        for call in calls {
            let outcome = SandboxGateway::answer_in(conn, &call.request, at)?;
            ledger::complete(conn, &call.payment, &outcome, at)?;
        }
        Ok(())
    }

    /// Pays through the ledger like the shop does, with the sandbox's answer
    /// recorded in the same transaction (see the module doc).
    fn pay(
        &self,
        conn: &mut Conn,
        user: UserId,
        no: &str,
        at: NaiveDateTime,
    ) -> Result<(), AppError> {
        let call = match orders::begin_payment(conn, self.settings, user, no, None, at)? {
            orders::Begun::Call(call) => call,
            orders::Begun::Done(outcome) => return Err(refused("payment", outcome)),
        };
        let outcome = SandboxGateway::answer_in(conn, &call.request, at)?;
        match orders::record_answer(conn, &call.payment, &outcome, at)? {
            (orders::PayOutcome::Paid, None) => Ok(()),
            other => Err(refused("payment", other)),
        }
    }
}
