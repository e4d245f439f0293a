//! Demo data for an empty database: a catalog, two shoppers with saved
//! methods and orders in every state (made through the services, as a
//! shopper would), and a staff account.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use crate::db::Db;
use crate::db::ids::{PaymentMethodId, ProductId, UserId};
use crate::domain::method::validate_new_method;
use crate::domain::order::{OrderStatus, ShippingMethod};
use crate::domain::plan::Plan;
use crate::error::AppError;
use crate::gateway::PaymentGateway;
use crate::service::catalog::{ProductSpec, create_category, create_product};
use crate::service::checkout::{CheckoutInput, place_order};
use crate::service::{Settings, accounts, cart, orders, payment_methods, support};

pub const SHOPPER_PHONE: &str = "13800138000";
pub const SHOPPER_EMAIL: &str = "alice@example.com";
pub const SHOPPER_PASSWORD: &str = "demo-pass-2026";
pub const STAFF_ACCOUNT: &str = "staff@storefront.test";
pub const STAFF_PASSWORD: &str = "staff-pass-2026";

pub fn database_is_empty(db: &Db) -> Result<bool, AppError> {
    db.read_blocking(|conn| Ok(crate::db::catalog::list_categories(conn)?.is_empty()))
}

pub fn print_credentials() {
    println!("Demo data loaded. Sign in with:");
    println!("  shopper  {SHOPPER_PHONE} / {SHOPPER_PASSWORD}");
    println!("  shopper  {SHOPPER_EMAIL} / {SHOPPER_PASSWORD}");
    println!("  staff    {STAFF_ACCOUNT} / {STAFF_PASSWORD}");
}

type Item = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i32,
);

const CATALOG: [(&str, &str, &str, &[Item]); 4] = [
    (
        "phones",
        "手机",
        "Phones",
        &[
            (
                "星河 X1 智能手机 256GB",
                "Galaxy X1 Phone 256GB",
                "6.7 英寸 OLED 屏，全天续航。",
                "6.7\" OLED display, all-day battery.",
                599_900,
                40,
            ),
            (
                "青柠 Lite 手机 128GB",
                "Lime Lite Phone 128GB",
                "轻薄机身，双卡双待。",
                "Slim body, dual SIM.",
                129_900,
                60,
            ),
            (
                "墨岩 Pro 折叠屏手机",
                "Basalt Pro Foldable",
                "大折叠屏，商务旗舰。",
                "Large foldable screen for work.",
                999_900,
                12,
            ),
            (
                "手机快充充电器 65W",
                "65W Fast Charger",
                "氮化镓，三口输出。",
                "GaN, three ports.",
                19_900,
                200,
            ),
        ],
    ),
    (
        "computers",
        "电脑",
        "Computers",
        &[
            (
                "云帆 14 轻薄笔记本",
                "Cloudsail 14 Ultrabook",
                "14 英寸 2.8K 屏，16GB 内存。",
                "14\" 2.8K display, 16 GB RAM.",
                549_900,
                25,
            ),
            (
                "匠心 16 创作本",
                "Artisan 16 Creator Laptop",
                "独立显卡，色准屏幕。",
                "Discrete GPU, colour-accurate screen.",
                1_099_900,
                8,
            ),
            (
                "青松 11 平板电脑",
                "Pine 11 Tablet",
                "11 英寸，支持手写笔。",
                "11\" with stylus support.",
                249_900,
                30,
            ),
            (
                "静音无线键鼠套装",
                "Silent Wireless Keyboard Set",
                "静音按键，长续航。",
                "Quiet keys, long battery life.",
                24_900,
                80,
            ),
        ],
    ),
    (
        "appliances",
        "家电",
        "Home appliances",
        &[
            (
                "晴空 65 英寸 4K 电视",
                "Clearsky 65\" 4K TV",
                "120Hz 高刷，杜比视界。",
                "120 Hz, Dolby Vision.",
                459_900,
                15,
            ),
            (
                "暖风 变频空调 1.5 匹",
                "Warmbreeze Inverter AC 1.5HP",
                "一级能效，静音运行。",
                "Top energy class, quiet.",
                329_900,
                20,
            ),
            (
                "净界 空气净化器",
                "Purezone Air Purifier",
                "除甲醛，适用 60㎡。",
                "Removes formaldehyde, 60 m².",
                159_900,
                35,
            ),
        ],
    ),
    (
        "audio",
        "影音",
        "Audio",
        &[
            (
                "声海 降噪耳机",
                "Soundsea ANC Headphones",
                "主动降噪，40 小时续航。",
                "Active noise cancelling, 40 h.",
                129_900,
                50,
            ),
            (
                "微光 真无线耳机",
                "Glimmer True Wireless Earbuds",
                "小巧舒适，通透模式。",
                "Small, comfortable, transparency mode.",
                39_900,
                120,
            ),
            (
                "环绕 回音壁音响",
                "Surround Soundbar",
                "5.1 声道，无线低音炮。",
                "5.1 channels, wireless subwoofer.",
                219_900,
                18,
            ),
        ],
    ),
];

struct Shopper {
    id: UserId,
    methods: Vec<PaymentMethodId>,
}

async fn make_shopper(db: &Db, account: &str, now: NaiveDateTime) -> Result<Shopper, AppError> {
    let who = accounts::register(db, account, SHOPPER_PASSWORD, SHOPPER_PASSWORD, now)
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("demo shopper: {e:?}")))?;
    let today = crate::clock::local_date(now);
    let specs: [(&str, &str, &str, &str, &str); 5] = [
        ("credit_card", "4111 1111 1111 1111", "12/30", "张伟", ""),
        ("alipay", "", "", "", account),
        ("wechat_pay", "", "", "", "wxid_demo_8848"),
        ("debit_card", "6212 3456 7890 1232", "08/27", "张伟", ""),
        ("credit_card", "4000 0000 0000 0002", "06/31", "张伟", ""),
    ];
    let mut methods = Vec::new();
    for (kind, number, expiry, holder, label) in specs {
        let valid = validate_new_method(kind, number, expiry, holder, label, today)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("demo method: {e:?}")))?;
        let id = db
            .write_blocking(|conn| payment_methods::insert_valid(conn, who.user_id, &valid, now))?
            .id;
        methods.push(id);
    }
    Ok(Shopper {
        id: who.user_id,
        methods,
    })
}

struct DemoOrder {
    products: &'static [(usize, i32)],
    plan: Plan,
    shipping: ShippingMethod,
    method: usize,
    placed_ago: Duration,
    end: OrderStatus,
}

async fn make_order(
    db: &Db,
    settings: &Settings,
    gateway: &Arc<dyn PaymentGateway>,
    shopper: &Shopper,
    products: &[ProductId],
    spec: &DemoOrder,
    now: NaiveDateTime,
) -> Result<String, AppError> {
    let at = now - spec.placed_ago;
    for (index, quantity) in spec.products {
        cart::add_item(db, shopper.id, products[*index], *quantity, at)
            .await?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("demo cart: {e:?}")))?;
    }
    let input = CheckoutInput {
        shipping: spec.shipping,
        plan: spec.plan,
        method: shopper.methods[spec.method],
        acknowledged: true,
        token: None,
        replaces: None,
    };
    let placed = place_order(db, settings, shopper.id, input, at)
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("demo order: {e:?}")))?;
    let no = placed.order_no;
    let paid_at = at + Duration::minutes(3);
    match spec.end {
        OrderStatus::PendingPayment => {}
        OrderStatus::Cancelled => {
            let _ = orders::cancel(db, shopper.id, no.clone(), None, at + Duration::minutes(10))
                .await?;
        }
        OrderStatus::Closed => {
            orders::close_expired(db, at + settings.payment_window, Some(shopper.id)).await?;
        }
        OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed => {
            orders::pay(db, gateway.clone(), shopper.id, no.clone(), None, paid_at).await?;
            if matches!(spec.end, OrderStatus::Shipped | OrderStatus::Completed) {
                orders::advance_fulfilment(
                    db,
                    no.clone(),
                    OrderStatus::Shipped,
                    paid_at + Duration::hours(20),
                )
                .await?;
            }
            if spec.end == OrderStatus::Completed {
                orders::advance_fulfilment(
                    db,
                    no.clone(),
                    OrderStatus::Completed,
                    paid_at + Duration::days(3),
                )
                .await?;
            }
        }
    }
    Ok(no)
}

pub async fn load_demo(
    db: &Db,
    settings: &Settings,
    gateway: Arc<dyn PaymentGateway>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let epoch = now - Duration::days(60);
    let products = db.write_blocking(|conn| {
        let mut ids = Vec::new();
        for (position, (slug, zh, en, items)) in CATALOG.iter().enumerate() {
            let category =
                create_category(conn, slug, zh, en, i32::try_from(position).unwrap_or(0))?;
            for (name_zh, name_en, desc_zh, desc_en, price_fen, stock) in items.iter() {
                let spec = ProductSpec {
                    category_id: category,
                    name: (name_zh, name_en),
                    description: (desc_zh, desc_en),
                    price_fen: *price_fen,
                    stock: *stock,
                };
                ids.push(create_product(conn, &spec, epoch)?);
            }
        }
        Ok(ids)
    })?;

    let phone = make_shopper(db, SHOPPER_PHONE, epoch).await?;
    let email = make_shopper(db, SHOPPER_EMAIL, epoch).await?;
    accounts::create_staff(db, STAFF_ACCOUNT, STAFF_PASSWORD, epoch)?;

    let i12 = Plan::Installment { months: 12 };
    let std = ShippingMethod::Standard;
    let days = Duration::days;
    let demo_orders = [
        DemoOrder {
            products: &[(0, 1)],
            plan: Plan::Full,
            shipping: std,
            method: 0,
            placed_ago: days(30),
            end: OrderStatus::Completed,
        },
        DemoOrder {
            products: &[(4, 1)],
            plan: i12,
            shipping: ShippingMethod::Express,
            method: 0,
            placed_ago: days(12),
            end: OrderStatus::Shipped,
        },
        DemoOrder {
            products: &[(8, 1)],
            plan: Plan::Installment { months: 6 },
            shipping: std,
            method: 1,
            placed_ago: days(40),
            end: OrderStatus::Paid,
        },
        DemoOrder {
            products: &[(12, 2)],
            plan: Plan::Full,
            shipping: std,
            method: 2,
            placed_ago: days(2),
            end: OrderStatus::Paid,
        },
        DemoOrder {
            products: &[(6, 1), (7, 1)],
            plan: Plan::Installment { months: 3 },
            shipping: std,
            method: 0,
            placed_ago: Duration::minutes(25),
            end: OrderStatus::PendingPayment,
        },
        DemoOrder {
            products: &[(3, 1)],
            plan: Plan::Full,
            shipping: ShippingMethod::Express,
            method: 4,
            placed_ago: Duration::minutes(5),
            end: OrderStatus::PendingPayment,
        },
        DemoOrder {
            products: &[(1, 1)],
            plan: Plan::Full,
            shipping: std,
            method: 1,
            placed_ago: days(5),
            end: OrderStatus::Cancelled,
        },
        DemoOrder {
            products: &[(9, 1)],
            plan: i12,
            shipping: std,
            method: 0,
            placed_ago: days(3),
            end: OrderStatus::Closed,
        },
    ];
    let mut placed = Vec::new();
    for spec in &demo_orders {
        placed.push(make_order(db, settings, &gateway, &phone, &products, spec, now).await?);
    }
    // A plan whose repayments were pinned to the card that declines: its first
    // instalment is overdue once the collector runs (at start).
    let overdue = DemoOrder {
        products: &[(10, 1)],
        plan: i12,
        shipping: std,
        method: 0,
        placed_ago: days(45),
        end: OrderStatus::Paid,
    };
    let overdue_no = make_order(db, settings, &gateway, &phone, &products, &overdue, now).await?;
    let declining = phone.methods[4];
    db.write_blocking(|conn| {
        let order =
            crate::db::orders::find_order_by_no(conn, &overdue_no)?.ok_or(AppError::NotFound)?;
        Ok(crate::db::orders::set_repayment_method(
            conn,
            order.id,
            Some(declining),
        )?)
    })?;
    // An open service request on the shipped 12-month order: pay it with Alipay instead.
    let request = support::NewRequest {
        order_no: placed[1].clone(),
        method: Some(phone.methods[1]),
        message: "希望把后续分期还款改为支付宝扣款。".to_owned(),
        password: SHOPPER_PASSWORD.to_owned(),
        token: None,
    };
    support::open(db, phone.id, request, now - Duration::hours(2))
        .await?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("demo request: {e:?}")))?;
    let alice_orders = [
        DemoOrder {
            products: &[(5, 1)],
            plan: Plan::Installment { months: 24 },
            shipping: std,
            method: 0,
            placed_ago: days(8),
            end: OrderStatus::Paid,
        },
        DemoOrder {
            products: &[(11, 1)],
            plan: Plan::Full,
            shipping: std,
            method: 1,
            placed_ago: Duration::minutes(12),
            end: OrderStatus::PendingPayment,
        },
        DemoOrder {
            products: &[(13, 1)],
            plan: Plan::Full,
            shipping: std,
            method: 2,
            placed_ago: days(15),
            end: OrderStatus::Completed,
        },
    ];
    for spec in &alice_orders {
        make_order(db, settings, &gateway, &email, &products, spec, now).await?;
    }
    tracing::info!(products = products.len(), "demo data loaded");
    Ok(())
}
