//! Checkout: the server-side fee preview and placing an order. Prices come
//! from the catalog, stock is reserved in the transaction that creates the
//! order, and a one-time checkout token makes a repeated submit land on the
//! order the first one created.

use chrono::NaiveDateTime;
use rand::Rng;

use super::Settings;
use super::cart::{CartView, price_lines};
use super::orders::find_owned;
use super::pricing::{eligible_quote, list_terms};
use super::timeline::{self, Actor, Entry, EventKind};
use crate::clock::local_datetime;
use crate::db::orders::{self, NewOrder, NewOrderItem};
use crate::db::payment_methods as pm;
use crate::db::{Conn, Db, cart, catalog};
use crate::domain::ids::{PaymentMethodId, ProductId, UserId};
use crate::domain::method::{PaymentMethod, priority_method};
use crate::domain::order::{CancelReason, Order, OrderStatus, ShippingMethod, format_order_no};
use crate::domain::plan::{Plan, PlanError, Quote, Step};
use crate::domain::{BasisPoints, Fen};
use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct CheckoutInput {
    pub shipping: ShippingMethod,
    pub plan: Plan,
    pub method: PaymentMethodId,
    pub acknowledged: bool,
    /// One-time token from the checkout page; `None` when a client sent none.
    pub token: Option<String>,
    /// The order this one replaces after a payment change (its number).
    pub replaces: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutError {
    EmptyCart,
    MethodNotFound,
    Plan(PlanError),
    NotAcknowledged,
    OutOfStock {
        name_zh: String,
        name_en: String,
        available: i32,
    },
}

#[derive(Debug, Clone)]
pub struct Placed {
    pub order_no: String,
    /// The token had already placed this order: a repeated submit.
    pub repeated: bool,
}

/// What the checkout page shows.
#[derive(Debug, Clone)]
pub struct CheckoutData {
    pub cart: CartView,
    pub methods: Vec<PaymentMethod>,
    pub terms: Vec<(u32, BasisPoints)>,
    /// The order being replaced after a payment change, with its unit prices,
    /// so changed prices are flagged rather than silently taken.
    pub replacing: Option<Replacing>,
}

#[derive(Debug, Clone)]
pub struct Replacing {
    pub order: Order,
    pub prices: Vec<(ProductId, Fen)>,
}

impl CheckoutData {
    /// The price the replaced order had for `product`, when it differs now.
    pub fn old_price(&self, product: ProductId, now: Fen) -> Option<Fen> {
        let r = self.replacing.as_ref()?;
        r.prices
            .iter()
            .find(|(p, _)| *p == product)
            .map(|(_, f)| *f)
            .filter(|f| *f != now)
    }
}

/// The shopper's order cancelled by a payment change that no order replaced yet.
fn find_replaceable(
    conn: &mut Conn,
    user: UserId,
    order_no: &str,
) -> Result<Option<Replacing>, AppError> {
    let Some(order) = find_owned(conn, user, order_no)? else {
        return Ok(None);
    };
    if order.cancel_reason != Some(CancelReason::PaymentChanged)
        || orders::find_replacement(conn, order.id)?.is_some()
    {
        return Ok(None);
    }
    let prices = orders::list_items(conn, order.id)?
        .into_iter()
        .map(|i| (i.product_id, i.unit_price_fen))
        .collect();
    Ok(Some(Replacing { order, prices }))
}

/// The order a payment change cancelled, remembered on the server (not in
/// the URL): it applies while the cart still holds some of its items, so a
/// shopper who leaves checkout and comes back through the cart keeps the
/// link and the price flags.
fn pending_replacement(
    conn: &mut Conn,
    user: UserId,
    cart: &CartView,
) -> Result<Option<Replacing>, AppError> {
    let Some(id) = cart::find_pending_replacement(conn, user)? else {
        return Ok(None);
    };
    let Some(order) = orders::find_order(conn, id)? else {
        return Ok(None);
    };
    let replacing = find_replaceable(conn, user, &order.order_no)?;
    Ok(replacing.filter(|r| {
        r.prices
            .iter()
            .any(|(p, _)| cart.lines.iter().any(|l| l.product.id == *p))
    }))
}

impl CheckoutData {
    /// Order total before fees: goods plus shipping.
    pub fn principal(&self, shipping: ShippingMethod) -> Result<Fen, PlanError> {
        self.cart
            .subtotal
            .checked_add(shipping.fee())
            .ok_or(PlanError::Overflow)
    }

    /// The fee preview for a choice, after the eligibility check. A new
    /// plan's instalments are paid by the priority method, so its expiry is
    /// the one checked, whichever method pays the order.
    pub fn preview(
        &self,
        shipping: ShippingMethod,
        plan: Plan,
        settings: &Settings,
        now: NaiveDateTime,
    ) -> Result<Quote, PlanError> {
        eligible_quote(
            self.principal(shipping)?,
            plan,
            &self.terms,
            priority_method(&self.methods),
            settings,
            now,
        )
    }
}

fn load_data(
    conn: &mut Conn,
    user: UserId,
    replaces: Option<&str>,
) -> Result<CheckoutData, AppError> {
    let cart = price_lines(cart::list_cart(conn, user)?).ok_or(AppError::BadRequest)?;
    let methods = pm::list_methods(conn, user)?;
    let terms = list_terms(conn)?;
    let replacing = match replaces {
        Some(no) => find_replaceable(conn, user, no)?,
        None => pending_replacement(conn, user, &cart)?,
    };
    Ok(CheckoutData {
        cart,
        methods,
        terms,
        replacing,
    })
}

pub async fn load(
    db: &Db,
    user: UserId,
    replaces: Option<String>,
) -> Result<CheckoutData, AppError> {
    db.read(move |conn| load_data(conn, user, replaces.as_deref()))
        .await
}

/// A fresh order number, unused so far (checked inside the write lock).
fn new_order_no(conn: &mut Conn, now: NaiveDateTime) -> Result<String, AppError> {
    for _ in 0..8 {
        let no = format_order_no(local_datetime(now), rand::rng().random::<u64>());
        if orders::find_order_by_no(conn, &no)?.is_none() {
            return Ok(no);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "could not draw a free order number"
    )))
}

pub async fn place_order(
    db: &Db,
    settings: &Settings,
    user: UserId,
    input: CheckoutInput,
    now: NaiveDateTime,
) -> Result<Result<Placed, CheckoutError>, AppError> {
    let settings = settings.clone();
    db.write(move |conn| place_order_in(conn, &settings, user, &input, now))
        .await
}

/// Places the order inside the caller's transaction: a repeated token lands
/// on the order it placed; otherwise the choice is checked ([`check_input`]),
/// then the order, its items and the stock reservation are written
/// ([`create_order`]) and the cart is emptied.
pub fn place_order_in(
    conn: &mut Conn,
    settings: &Settings,
    user: UserId,
    input: &CheckoutInput,
    now: NaiveDateTime,
) -> Result<Result<Placed, CheckoutError>, AppError> {
    if let Some(token) = input.token.as_deref()
        && let Some(existing) = orders::find_order_by_checkout_token(conn, user, token)?
    {
        return Ok(Ok(Placed {
            order_no: existing.order_no,
            repeated: true,
        }));
    }
    let data = load_data(conn, user, input.replaces.as_deref())?;
    let (method, quote) = match check_input(&data, input, settings, now) {
        Ok(checked) => checked,
        Err(e) => return Ok(Err(e)),
    };
    let order = create_order(conn, user, &data, input, method.id, &quote, settings, now)?;
    cart::clear_cart(conn, user)?;
    if data.replacing.is_some() {
        cart::clear_pending_replacement(conn, user)?;
    }
    Ok(Ok(Placed {
        order_no: order.order_no,
        repeated: false,
    }))
}

/// The checks of checkout, in the same order as a payment change's: the
/// method is the shopper's, the plan is eligible with it, the acknowledgement
/// is given; then the cart is in stock.
fn check_input<'d>(
    data: &'d CheckoutData,
    input: &CheckoutInput,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<(&'d PaymentMethod, Quote), CheckoutError> {
    if data.cart.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    let method = data
        .methods
        .iter()
        .find(|m| m.id == input.method)
        .ok_or(CheckoutError::MethodNotFound)?;
    let quote = data
        .preview(input.shipping, input.plan, settings, now)
        .map_err(CheckoutError::Plan)?;
    if input.plan.needs_acknowledgement(Step::Checkout) && !input.acknowledged {
        return Err(CheckoutError::NotAcknowledged);
    }
    if let Some(line) = data.cart.lines.iter().find(|l| l.short_of_stock()) {
        return Err(CheckoutError::OutOfStock {
            name_zh: line.product.name_zh.clone(),
            name_en: line.product.name_en.clone(),
            available: line.product.stock,
        });
    }
    Ok((method, quote))
}

/// Writes the order with its items at today's catalog prices, reserves the
/// stock, links a replaced order, and starts the timeline.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one checkout, each checked before"
)]
fn create_order(
    conn: &mut Conn,
    user: UserId,
    data: &CheckoutData,
    input: &CheckoutInput,
    method: PaymentMethodId,
    quote: &Quote,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<Order, AppError> {
    let order_no = new_order_no(conn, now)?;
    let order = orders::insert_order(
        conn,
        &NewOrder {
            order_no: &order_no,
            user_id: user,
            shipping_method: input.shipping,
            items_fen: data.cart.subtotal,
            shipping_fen: input.shipping.fee(),
            plan: input.plan,
            monthly_fee_bp: quote.rate,
            fee_fen: quote.fees,
            total_fen: quote.total,
            payment_method_id: method,
            checkout_token: input.token.as_deref(),
            created_at: now,
            pay_deadline: now + settings.payment_window,
            replaces_order_id: data.replacing.as_ref().map(|r| r.order.id),
        },
    )?;
    add_items(conn, &order, &data.cart)?;
    record_created(conn, &order, input.plan, data.replacing.as_ref(), now)?;
    tracing::info!(order_no = %order.order_no, plan = %input.plan, total_fen = order.total_fen.0, "order placed");
    Ok(order)
}

/// The order's lines at the cart's (catalog) prices, and their stock reserved.
fn add_items(conn: &mut Conn, order: &Order, cart: &CartView) -> Result<(), AppError> {
    let items: Vec<NewOrderItem<'_>> = cart
        .lines
        .iter()
        .map(|l| NewOrderItem {
            order_id: order.id,
            product_id: l.product.id,
            name_zh: &l.product.name_zh,
            name_en: &l.product.name_en,
            unit_price_fen: l.unit_price,
            quantity: l.quantity,
        })
        .collect();
    orders::insert_items(conn, &items)?;
    for line in &cart.lines {
        // Checked before under the same write lock; a miss here is a bug, and rolls back.
        if !catalog::reserve_stock(conn, line.product.id, line.quantity)? {
            return Err(AppError::Internal(anyhow::anyhow!(
                "stock changed inside the write lock"
            )));
        }
    }
    Ok(())
}

/// The new order's first timeline entry, and the links between it and the
/// order it replaces.
fn record_created(
    conn: &mut Conn,
    order: &Order,
    plan: Plan,
    replacing: Option<&Replacing>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let plan_text = plan.to_string();
    let created = Entry::new(EventKind::Created)
        .to(OrderStatus::PendingPayment.as_str())
        .note(&plan_text);
    timeline::record(conn, order.id, now, Actor::Shopper, created)?;
    if let Some(r) = replacing {
        let replaces = Entry::new(EventKind::Replaces).to(&r.order.order_no);
        timeline::record(conn, order.id, now, Actor::Shopper, replaces)?;
        let replaced_by = Entry::new(EventKind::ReplacedBy).to(&order.order_no);
        timeline::record(conn, r.order.id, now, Actor::Shopper, replaced_by)?;
    }
    Ok(())
}
