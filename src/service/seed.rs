//! `storefront bench-seed`: N shoppers × M orders × K items, reproducible
//! (a seeded generator: the same arguments give the same rows), inserted in
//! bulk — multi-row statements, one transaction per 10,000 orders — so a
//! million orders take seconds, not hours. Shopper `n` (from 1) signs in
//! as `13{n:09}` with [`PASSWORD`]; every shopper has one Visa, and orders
//! paid in full spread over the past year in every state after payment, each
//! with its items, a `created` timeline entry and, when paid, its capture in
//! the ledger.

use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::catalog::{ProductSpec, create_category, create_product};
use crate::db::seed::{
    SeedEvent, SeedItem, SeedMethod, SeedOrder, SeedPayment, SeedUser, insert_events, insert_items,
    insert_methods, insert_orders, insert_payments, insert_users, max_ids, resync_sequences,
};
use crate::db::{Db, catalog};
use crate::domain::Fen;
use crate::domain::account::Role;
use crate::domain::ids::{OrderId, PaymentMethodId, ProductId, UserId};
use crate::domain::method::MethodKind;
use crate::domain::order::{OrderStatus, ShippingMethod};
use crate::domain::payment::{PaymentState, Purpose};
use crate::domain::plan::PlanKind;
use crate::domain::timeline::{Actor, EventKind};
use crate::error::AppError;

/// Every seeded shopper's password.
pub const PASSWORD: &str = "bench-pass-2026";

/// Orders per transaction.
const BATCH_ORDERS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
pub struct SeedPlan {
    pub shoppers: usize,
    pub orders_per_shopper: usize,
    pub items_per_order: usize,
    pub seed: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Seeded {
    pub shoppers: usize,
    pub orders: usize,
    pub items: usize,
    pub seconds: f64,
}

/// The account of seeded shopper `n` (from 1).
pub fn account_of(n: usize) -> String {
    format!("13{n:09}")
}

/// The states after payment, with how often each occurs (of 20).
const STATES: [(OrderStatus, u32); 5] = [
    (OrderStatus::Paid, 5),
    (OrderStatus::Shipped, 4),
    (OrderStatus::Completed, 9),
    (OrderStatus::Cancelled, 1),
    (OrderStatus::Closed, 1),
];

fn pick_state(rng: &mut StdRng) -> OrderStatus {
    let mut roll = rng.random_range(0..20);
    for (state, weight) in STATES {
        if roll < weight {
            return state;
        }
        roll -= weight;
    }
    OrderStatus::Completed
}

struct Product {
    id: ProductId,
    name_zh: String,
    name_en: String,
    price: Fen,
}

/// The catalog's products, creating a small one when there is none.
fn products(db: &Db, now: NaiveDateTime) -> Result<Vec<Product>, AppError> {
    db.write_blocking(|conn| {
        let mut found = catalog::list_products(conn, None)?;
        if found.is_empty() {
            let category = create_category(conn, "bench", "压测", "Bench", 99)?;
            for n in 1..=20 {
                let (zh, en) = (format!("压测商品 {n}"), format!("Bench item {n}"));
                create_product(
                    conn,
                    &ProductSpec {
                        category_id: category,
                        name: (&zh, &en),
                        description: ("压测用商品。", "A product for benchmarks."),
                        price_fen: Fen(1_000 * n),
                        stock: 1_000_000,
                    },
                    now,
                )?;
            }
            found = catalog::list_products(conn, None)?;
        }
        Ok(found
            .into_iter()
            .map(|p| Product {
                id: p.id,
                name_zh: p.name_zh,
                name_en: p.name_en,
                price: p.price_fen,
            })
            .collect())
    })
}

pub fn run(db: &Db, plan: SeedPlan, now: NaiveDateTime) -> Result<Seeded, AppError> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let products = products(db, now)?;
    let hash = super::hashing::hash_password(PASSWORD)?;
    let (last_user, last_method, last_order) = db.read_blocking(|conn| Ok(max_ids(conn)?))?;

    // Shoppers and their cards, in batches.
    for first in (0..plan.shoppers).step_by(BATCH_ORDERS) {
        let range = first..(first + BATCH_ORDERS).min(plan.shoppers);
        let users: Vec<SeedUser<'_>> = range
            .clone()
            .map(|n| SeedUser {
                id: UserId(last_user + 1 + n as i32),
                account: account_of(n + 1),
                password_hash: &hash,
                role: Role::Shopper,
                created_at: now - Duration::days(400),
            })
            .collect();
        let methods: Vec<SeedMethod> = range
            .map(|n| SeedMethod {
                id: PaymentMethodId(last_method + 1 + n as i32),
                user_id: UserId(last_user + 1 + n as i32),
                kind: MethodKind::CreditCard,
                brand: Some("VISA"),
                last4: Some(format!("{:04}", 1_000 + n % 9_000)),
                expiry_month: Some(12),
                expiry_year: Some(2035),
                holder_name: Some("BENCH SHOPPER"),
                position: 0,
                created_at: now - Duration::days(400),
            })
            .collect();
        db.write_blocking(|conn| {
            insert_users(conn, &users)?;
            Ok(insert_methods(conn, &methods)?)
        })?;
    }

    // Orders, newest last, shopper by shopper.
    let total = plan.shoppers * plan.orders_per_shopper;
    let mut items_written = 0;
    for first in (0..total).step_by(BATCH_ORDERS) {
        let mut orders = Vec::new();
        let mut items = Vec::new();
        let mut events = Vec::new();
        let mut payments = Vec::new();
        for index in first..(first + BATCH_ORDERS).min(total) {
            let shopper = index / plan.orders_per_shopper.max(1);
            let user = UserId(last_user + 1 + shopper as i32);
            let method = PaymentMethodId(last_method + 1 + shopper as i32);
            let id = OrderId(last_order + 1 + index as i32);
            let placed = now - Duration::minutes(rng.random_range(60..525_600));
            let mut items_fen = 0;
            for _ in 0..plan.items_per_order {
                let p = &products[rng.random_range(0..products.len())];
                let quantity = rng.random_range(1..=3);
                items_fen += p.price.0 * i64::from(quantity);
                items.push(SeedItem {
                    order_id: id,
                    product_id: p.id,
                    name_zh: p.name_zh.clone(),
                    name_en: p.name_en.clone(),
                    unit_price_fen: p.price,
                    quantity,
                });
            }
            let state = pick_state(&mut rng);
            let paid = !matches!(state, OrderStatus::Cancelled | OrderStatus::Closed);
            let order_no = format!("{}{:010}", placed.format("%Y%m%d"), 9_000_000_000 + index);
            let paid_at = paid.then(|| placed + Duration::minutes(3));
            if let Some(at) = paid_at {
                payments.push(SeedPayment {
                    order_id: id,
                    purpose: Purpose::Capture,
                    amount_fen: Fen(items_fen),
                    method_id: method,
                    idempotency_key: format!("seed:{order_no}"),
                    state: PaymentState::Succeeded,
                    gateway_ref: Some(format!("sandbox-seed-{index}")),
                    attempts: 1,
                    requested_at: at,
                    completed_at: Some(at),
                });
            }
            events.push(SeedEvent {
                order_id: id,
                at: placed,
                actor: Actor::Shopper,
                kind: EventKind::Created,
                from_value: None,
                to_value: Some(OrderStatus::PendingPayment),
            });
            orders.push(SeedOrder {
                id,
                order_no,
                user_id: user,
                status: state,
                shipping_method: ShippingMethod::Standard,
                items_fen: Fen(items_fen),
                shipping_fen: Fen::ZERO,
                plan: PlanKind::Full,
                monthly_fee_bp: 0,
                fee_fen: Fen::ZERO,
                total_fen: Fen(items_fen),
                payment_method_id: method,
                created_at: placed,
                pay_deadline: placed + Duration::minutes(30),
                paid_at,
                ended_at: (!paid).then(|| placed + Duration::minutes(30)),
            });
        }
        items_written += items.len();
        db.write_blocking(|conn| {
            insert_orders(conn, &orders)?;
            insert_items(conn, &items)?;
            insert_events(conn, &events)?;
            Ok(insert_payments(conn, &payments)?)
        })?;
    }
    db.write_blocking(|conn| Ok(resync_sequences(conn)?))?;
    Ok(Seeded {
        shoppers: plan.shoppers,
        orders: total,
        items: items_written,
        seconds: started.elapsed().as_secs_f64(),
    })
}
