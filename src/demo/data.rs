//! The demo catalog, methods and orders, as named records. Loaded by
//! [`super::load_if_empty`]; nothing here touches the database.

use chrono::Duration;

use crate::domain::Fen;
use crate::domain::order::{OrderStatus, ShippingMethod};
use crate::domain::plan::Plan;

pub struct DemoCategory {
    pub slug: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub products: &'static [DemoProduct],
}

pub struct DemoProduct {
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub description_zh: &'static str,
    pub description_en: &'static str,
    pub price: Fen,
    pub stock: i32,
}

pub const CATALOG: [DemoCategory; 4] = [
    DemoCategory {
        slug: "phones",
        name_zh: "手机",
        name_en: "Phones",
        products: &[
            DemoProduct {
                name_zh: "星河 X1 智能手机 256GB",
                name_en: "Galaxy X1 Phone 256GB",
                description_zh: "6.7 英寸 OLED 屏，全天续航。",
                description_en: "6.7\" OLED display, all-day battery.",
                price: Fen(599_900),
                stock: 40,
            },
            DemoProduct {
                name_zh: "青柠 Lite 手机 128GB",
                name_en: "Lime Lite Phone 128GB",
                description_zh: "轻薄机身，双卡双待。",
                description_en: "Slim body, dual SIM.",
                price: Fen(129_900),
                stock: 60,
            },
            DemoProduct {
                name_zh: "墨岩 Pro 折叠屏手机",
                name_en: "Basalt Pro Foldable",
                description_zh: "大折叠屏，商务旗舰。",
                description_en: "Large foldable screen for work.",
                price: Fen(999_900),
                stock: 12,
            },
            DemoProduct {
                name_zh: "手机快充充电器 65W",
                name_en: "65W Fast Charger",
                description_zh: "氮化镓，三口输出。",
                description_en: "GaN, three ports.",
                price: Fen(19_900),
                stock: 200,
            },
        ],
    },
    DemoCategory {
        slug: "computers",
        name_zh: "电脑",
        name_en: "Computers",
        products: &[
            DemoProduct {
                name_zh: "云帆 14 轻薄笔记本",
                name_en: "Cloudsail 14 Ultrabook",
                description_zh: "14 英寸 2.8K 屏，16GB 内存。",
                description_en: "14\" 2.8K display, 16 GB RAM.",
                price: Fen(549_900),
                stock: 25,
            },
            DemoProduct {
                name_zh: "匠心 16 创作本",
                name_en: "Artisan 16 Creator Laptop",
                description_zh: "独立显卡，色准屏幕。",
                description_en: "Discrete GPU, colour-accurate screen.",
                price: Fen(1_099_900),
                stock: 8,
            },
            DemoProduct {
                name_zh: "青松 11 平板电脑",
                name_en: "Pine 11 Tablet",
                description_zh: "11 英寸，支持手写笔。",
                description_en: "11\" with stylus support.",
                price: Fen(249_900),
                stock: 30,
            },
            DemoProduct {
                name_zh: "静音无线键鼠套装",
                name_en: "Silent Wireless Keyboard Set",
                description_zh: "静音按键，长续航。",
                description_en: "Quiet keys, long battery life.",
                price: Fen(24_900),
                stock: 80,
            },
        ],
    },
    DemoCategory {
        slug: "appliances",
        name_zh: "家电",
        name_en: "Home appliances",
        products: &[
            DemoProduct {
                name_zh: "晴空 65 英寸 4K 电视",
                name_en: "Clearsky 65\" 4K TV",
                description_zh: "120Hz 高刷，杜比视界。",
                description_en: "120 Hz, Dolby Vision.",
                price: Fen(459_900),
                stock: 15,
            },
            DemoProduct {
                name_zh: "暖风 变频空调 1.5 匹",
                name_en: "Warmbreeze Inverter AC 1.5HP",
                description_zh: "一级能效，静音运行。",
                description_en: "Top energy class, quiet.",
                price: Fen(329_900),
                stock: 20,
            },
            DemoProduct {
                name_zh: "净界 空气净化器",
                name_en: "Purezone Air Purifier",
                description_zh: "除甲醛，适用 60㎡。",
                description_en: "Removes formaldehyde, 60 m².",
                price: Fen(159_900),
                stock: 35,
            },
        ],
    },
    DemoCategory {
        slug: "audio",
        name_zh: "影音",
        name_en: "Audio",
        products: &[
            DemoProduct {
                name_zh: "声海 降噪耳机",
                name_en: "Soundsea ANC Headphones",
                description_zh: "主动降噪，40 小时续航。",
                description_en: "Active noise cancelling, 40 h.",
                price: Fen(129_900),
                stock: 50,
            },
            DemoProduct {
                name_zh: "微光 真无线耳机",
                name_en: "Glimmer True Wireless Earbuds",
                description_zh: "小巧舒适，通透模式。",
                description_en: "Small, comfortable, transparency mode.",
                price: Fen(39_900),
                stock: 120,
            },
            DemoProduct {
                name_zh: "环绕 回音壁音响",
                name_en: "Surround Soundbar",
                description_zh: "5.1 声道，无线低音炮。",
                description_en: "5.1 channels, wireless subwoofer.",
                price: Fen(219_900),
                stock: 18,
            },
        ],
    },
];

/// A saved method as the shopper would type it on the add-method form.
pub struct DemoMethod {
    pub kind: &'static str,
    pub card_number: &'static str,
    pub expiry: &'static str,
    pub holder_name: &'static str,
    /// Wallets: the account label; `None` uses the shopper's own account.
    pub account_label: Option<&'static str>,
}

/// Every demo shopper saves these, in this order (the first is the priority).
pub const METHODS: [DemoMethod; 5] = [
    DemoMethod {
        kind: "credit_card",
        card_number: "4111 1111 1111 1111",
        expiry: "12/30",
        holder_name: "张伟",
        account_label: Some(""),
    },
    DemoMethod {
        kind: "alipay",
        card_number: "",
        expiry: "",
        holder_name: "",
        account_label: None,
    },
    DemoMethod {
        kind: "wechat_pay",
        card_number: "",
        expiry: "",
        holder_name: "",
        account_label: Some("wxid_demo_8848"),
    },
    // Expires 08/27: too soon for long installment plans.
    DemoMethod {
        kind: "debit_card",
        card_number: "6212 3456 7890 1232",
        expiry: "08/27",
        holder_name: "张伟",
        account_label: Some(""),
    },
    // Ends in 0002: the sandbox gateway declines it.
    DemoMethod {
        kind: "credit_card",
        card_number: "4000 0000 0000 0002",
        expiry: "06/31",
        holder_name: "张伟",
        account_label: Some(""),
    },
];

/// Index into [`METHODS`] of the card the sandbox declines.
pub const DECLINING_METHOD: usize = 4;
/// Index into [`METHODS`] of the Alipay account.
pub const ALIPAY_METHOD: usize = 1;

/// When an order was placed, before the start of the demo.
#[derive(Debug, Clone, Copy)]
pub enum Placed {
    DaysAgo(i64),
    /// `n` sixths of the payment window ago: still unpaid, whatever the
    /// configured window.
    WindowSixthsAgo(i32),
    /// Paid a month before a first instalment due in this many days.
    FirstDueInDays(i64),
}

/// An order placed by a demo shopper and taken to `end`.
pub struct DemoOrder {
    /// (index into the flattened catalog, quantity)
    pub products: &'static [(usize, i32)],
    pub plan: Plan,
    pub shipping: ShippingMethod,
    /// Index into [`METHODS`].
    pub method: usize,
    pub placed: Placed,
    pub end: OrderStatus,
}

const I12: Plan = Plan::Installment { months: 12 };
const STANDARD: ShippingMethod = ShippingMethod::Standard;

/// The phone shopper's orders: one in every state, full and installment.
pub const PHONE_ORDERS: [DemoOrder; 9] = [
    DemoOrder {
        products: &[(0, 1)],
        plan: Plan::Full,
        shipping: STANDARD,
        method: 0,
        placed: Placed::DaysAgo(30),
        end: OrderStatus::Completed,
    },
    // Shipped 12-month order: the open service request is about this one.
    DemoOrder {
        products: &[(4, 1)],
        plan: I12,
        shipping: ShippingMethod::Express,
        method: 0,
        placed: Placed::DaysAgo(12),
        end: OrderStatus::Shipped,
    },
    DemoOrder {
        products: &[(8, 1)],
        plan: Plan::Installment { months: 6 },
        shipping: STANDARD,
        method: 1,
        placed: Placed::DaysAgo(40),
        end: OrderStatus::Paid,
    },
    DemoOrder {
        products: &[(12, 2)],
        plan: Plan::Full,
        shipping: STANDARD,
        method: 2,
        placed: Placed::DaysAgo(2),
        end: OrderStatus::Paid,
    },
    // A 3-month plan close to its payment deadline.
    DemoOrder {
        products: &[(6, 1), (7, 1)],
        plan: Plan::Installment { months: 3 },
        shipping: STANDARD,
        method: 0,
        placed: Placed::WindowSixthsAgo(5),
        end: OrderStatus::PendingPayment,
    },
    DemoOrder {
        products: &[(3, 1)],
        plan: Plan::Full,
        shipping: ShippingMethod::Express,
        method: DECLINING_METHOD,
        placed: Placed::WindowSixthsAgo(1),
        end: OrderStatus::PendingPayment,
    },
    DemoOrder {
        products: &[(1, 1)],
        plan: Plan::Full,
        shipping: STANDARD,
        method: 1,
        placed: Placed::DaysAgo(5),
        end: OrderStatus::Cancelled,
    },
    DemoOrder {
        products: &[(9, 1)],
        plan: I12,
        shipping: STANDARD,
        method: 0,
        placed: Placed::DaysAgo(3),
        end: OrderStatus::Closed,
    },
    // A 6-month plan refunded before shipping: its authorization voided.
    DemoOrder {
        products: &[(4, 1)],
        plan: Plan::Installment { months: 6 },
        shipping: STANDARD,
        method: 0,
        placed: Placed::DaysAgo(4),
        end: OrderStatus::Refunded,
    },
];

/// Index into [`PHONE_ORDERS`] of the order the open service request is about.
pub const REQUESTED_ORDER: usize = 1;

/// A plan whose repayments are pinned to the declining card: its first
/// instalment is overdue once the collector runs (at start).
pub const OVERDUE_ORDER: DemoOrder = DemoOrder {
    products: &[(10, 1)],
    plan: I12,
    shipping: STANDARD,
    method: 0,
    placed: Placed::DaysAgo(45),
    end: OrderStatus::Paid,
};

pub const SERVICE_REQUEST_MESSAGE: &str = "希望把后续分期还款改为支付宝扣款。";
/// The request was filed this long before the start.
pub const SERVICE_REQUEST_AGO: Duration = Duration::hours(2);

/// A plan whose next deduction is within 3 days: changing its method by
/// oneself is refused (a service request still can).
pub const DUE_SOON_ORDER: DemoOrder = DemoOrder {
    products: &[(2, 1)],
    plan: Plan::Installment { months: 6 },
    shipping: STANDARD,
    method: 0,
    placed: Placed::FirstDueInDays(2),
    end: OrderStatus::Paid,
};

pub const EMAIL_ORDERS: [DemoOrder; 3] = [
    DemoOrder {
        products: &[(5, 1)],
        plan: Plan::Installment { months: 24 },
        shipping: STANDARD,
        method: 0,
        placed: Placed::DaysAgo(8),
        end: OrderStatus::Paid,
    },
    DemoOrder {
        products: &[(11, 1)],
        plan: Plan::Full,
        shipping: STANDARD,
        method: 1,
        placed: Placed::WindowSixthsAgo(2),
        end: OrderStatus::PendingPayment,
    },
    DemoOrder {
        products: &[(13, 1)],
        plan: Plan::Full,
        shipping: STANDARD,
        method: 2,
        placed: Placed::DaysAgo(15),
        end: OrderStatus::Completed,
    },
];
