//! Changing how an unpaid order is paid (SPEC rule 2), and buying a finished
//! order again (rule 4). Every confirmation is one immediate transaction:
//! eligibility is checked before anything changes, so a shopper never ends up
//! with a cancelled order and an impossible plan.

use chrono::NaiveDateTime;

use super::Settings;
use super::cart::MAX_QUANTITY;
use super::orders::{cancel_in, close_if_expired, instalment_payer, owned_order};
use super::pricing::{eligible_quote, list_terms};
use super::timeline::{self, Actor, Entry, EventKind};
use super::tokens;
use crate::clock::local_date;
use crate::db::orders;
use crate::db::payment_methods as pm;
use crate::db::payments;
use crate::db::{Conn, Db, cart, catalog};
use crate::domain::catalog::Product;
use crate::domain::ids::{PaymentMethodId, UserId};
use crate::domain::method::{PaymentMethod, repayment_method};
use crate::domain::order::{CancelReason, Order, OrderItem, OrderStatus, ShippingMethod};
use crate::domain::payment_change::{ChangeKind, ChangePath, classify, decide};
use crate::domain::plan::{self, Plan, PlanError, Quote, Step};
use crate::domain::{BasisPoints, Fen};
use crate::error::AppError;

/// What checkout will hold after a new-contract change puts the order's
/// items back in the cart (merged with what is there, at today's prices).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refill {
    /// Goods in the cart after the refill, at catalog prices.
    pub goods: Fen,
    /// Lines already in the cart that are not the order's: (zh, en, quantity).
    pub others: Vec<(String, String, i32)>,
    /// A merged line would exceed the per-line maximum and is capped.
    pub capped: bool,
}

/// What the change page needs.
pub struct ChangeView {
    pub order: Order,
    pub items: Vec<OrderItem>,
    pub path: ChangePath,
    pub current_method: Option<PaymentMethod>,
    pub methods: Vec<PaymentMethod>,
    pub terms: Vec<(u32, BasisPoints)>,
    pub refill: Refill,
}

impl ChangeView {
    /// The order's current plan at its own (snapshotted) rate, as if paid today.
    pub fn current_quote(&self, now: NaiveDateTime) -> Option<Quote> {
        plan::quote(
            self.order.principal(),
            self.order.plan,
            self.order.monthly_fee_bp,
            local_date(now),
        )
        .ok()
    }

    /// The quote for a new choice, after its eligibility check.
    /// The quote checkout will show for `plan` after a new-contract change:
    /// over the refilled cart, with the order's shipping.
    pub fn checkout_quote(
        &self,
        plan: Plan,
        settings: &Settings,
        now: NaiveDateTime,
    ) -> Result<Quote, PlanError> {
        let principal = self
            .refill
            .goods
            .checked_add(self.order.shipping_method.fee())
            .ok_or(PlanError::Overflow)?;
        eligible_quote(
            principal,
            plan,
            &self.terms,
            repayment_method(self.order.repayment_method_id, &self.methods),
            settings,
            now,
        )
    }

    /// (The instalments of an unpaid order's new plan are paid by the
    /// priority method: its expiry is checked.)
    pub fn quote_for(
        &self,
        plan: Plan,
        settings: &Settings,
        now: NaiveDateTime,
    ) -> Result<Quote, PlanError> {
        eligible_quote(
            self.order.principal(),
            plan,
            &self.terms,
            repayment_method(self.order.repayment_method_id, &self.methods),
            settings,
            now,
        )
    }
}

pub async fn load(
    db: &Db,
    user: UserId,
    order_no: String,
    now: NaiveDateTime,
) -> Result<ChangeView, AppError> {
    close_if_expired(db, user, order_no.clone(), now).await?;
    db.read(move |conn| {
        let order = owned_order(conn, user, &order_no)?;
        let items = orders::list_items(conn, order.id)?;
        Ok(ChangeView {
            refill: refill_preview(conn, user, &items)?,
            path: decide(order.status, order.pay_deadline, now),
            items,
            current_method: pm::find_method(conn, order.payment_method_id)?,
            methods: pm::list_methods(conn, user)?,
            terms: list_terms(conn)?,
            order,
        })
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The same plan and method were confirmed: nothing changed.
    Unchanged,
    /// Only the method changed; the order is ready to pay.
    MethodChanged,
    /// The order was cancelled and its items are back in the cart; checkout
    /// continues with this choice preselected.
    NewContract(Preselected),
    /// This form was submitted before; its result stands.
    AlreadyDone,
}

/// What checkout opens with after a new-contract change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preselected {
    pub shipping: ShippingMethod,
    pub plan: Plan,
    pub method: PaymentMethodId,
    /// The cancelled order the new one replaces.
    pub replaces: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    NotAcknowledged,
    MethodNotFound,
    Plan(PlanError),
    /// The order is (no longer) one the shopper may change.
    NotAllowed(ChangePath),
    /// A payment for the order is being processed; wait for its answer.
    PaymentInProgress,
}

pub struct ChangeRequest {
    pub plan: Plan,
    pub method: PaymentMethodId,
    pub acknowledged: bool,
    pub token: Option<String>,
}

pub async fn confirm(
    db: &Db,
    settings: &Settings,
    user: UserId,
    order_no: String,
    request: ChangeRequest,
    now: NaiveDateTime,
) -> Result<Result<ChangeOutcome, ChangeRefusal>, AppError> {
    let settings = settings.clone();
    db.write(move |conn| {
        if tokens::used(conn, request.token.as_deref())? {
            return Ok(Ok(ChangeOutcome::AlreadyDone));
        }
        let order = owned_order(conn, user, &order_no)?;
        // Every check comes before the first write: a refusal changes nothing.
        let method = match check_choice(conn, &order, &request, &settings, now)? {
            Ok(m) => m,
            Err(refusal) => return Ok(Err(refusal)),
        };
        tokens::claim(conn, user, request.token.as_deref(), now)?;
        let outcome = match classify(order.plan, order.payment_method_id, request.plan, method.id) {
            ChangeKind::Unchanged => ChangeOutcome::Unchanged,
            ChangeKind::MethodOnly => change_method_in(conn, &order, &method, now)?,
            ChangeKind::NewContract => replace_contract(conn, &order, request.plan, &method, now)?,
        };
        Ok(Ok(outcome))
    })
    .await
}

/// The checks of a confirmation, in the same order as checkout's: the order
/// may be changed by the shopper, the method is theirs, the plan is eligible
/// with it, the acknowledgement is given.
fn check_choice(
    conn: &mut Conn,
    order: &Order,
    request: &ChangeRequest,
    settings: &Settings,
    now: NaiveDateTime,
) -> Result<Result<PaymentMethod, ChangeRefusal>, AppError> {
    let path = decide(order.status, order.pay_deadline, now);
    if path != ChangePath::SelfService {
        return Ok(Err(ChangeRefusal::NotAllowed(path)));
    }
    if payments::in_flight_for_order(conn, order.id)? {
        return Ok(Err(ChangeRefusal::PaymentInProgress));
    }
    let Some(method) = pm::find_method_for_owner(conn, order.user_id, request.method)? else {
        return Ok(Err(ChangeRefusal::MethodNotFound));
    };
    let terms = list_terms(conn)?;
    let payer = instalment_payer(conn, order)?;
    if let Err(e) = eligible_quote(
        order.principal(),
        request.plan,
        &terms,
        payer.as_ref(),
        settings,
        now,
    ) {
        return Ok(Err(ChangeRefusal::Plan(e)));
    }
    if request.plan.needs_acknowledgement(Step::PaymentChange) && !request.acknowledged {
        return Ok(Err(ChangeRefusal::NotAcknowledged));
    }
    Ok(Ok(method))
}

/// Same plan and term, another method: the order keeps its number, items
/// and stock hold and just takes the new method.
fn change_method_in(
    conn: &mut Conn,
    order: &Order,
    method: &PaymentMethod,
    now: NaiveDateTime,
) -> Result<ChangeOutcome, AppError> {
    if !orders::change_method(conn, order.id, order.payment_method_id, method.id)? {
        return Ok(ChangeOutcome::AlreadyDone);
    }
    let before = pm::find_method(conn, order.payment_method_id)?
        .map(|m| m.describe())
        .unwrap_or_default();
    timeline::record(
        conn,
        order.id,
        now,
        Actor::Shopper,
        Entry::change(EventKind::MethodChanged, &before, &method.describe()),
    )?;
    Ok(ChangeOutcome::MethodChanged)
}

/// A new plan or term is a new contract: the order is cancelled (reason:
/// payment changed), its stock released and its items put back in the cart;
/// checkout continues with the choice preselected.
fn replace_contract(
    conn: &mut Conn,
    order: &Order,
    plan: Plan,
    method: &PaymentMethod,
    now: NaiveDateTime,
) -> Result<ChangeOutcome, AppError> {
    if !cancel_in(conn, order, CancelReason::PaymentChanged, now)? {
        return Ok(ChangeOutcome::AlreadyDone);
    }
    let items = orders::list_items(conn, order.id)?;
    items_back_to_cart(conn, order.user_id, &items, now)?;
    cart::set_pending_replacement(conn, order.user_id, order.id, now)?;
    timeline::record(
        conn,
        order.id,
        now,
        Actor::Shopper,
        Entry::change(
            EventKind::PlanChange,
            &order.plan.to_string(),
            &plan.to_string(),
        ),
    )?;
    Ok(ChangeOutcome::NewContract(Preselected {
        shipping: order.shipping_method,
        plan,
        method: method.id,
        replaces: order.order_no.clone(),
    }))
}

/// One line a refill sets: the product at its current price and the
/// quantity after merging with the cart (capped at the line maximum).
struct RefillLine {
    product: Product,
    quantity: i32,
    capped: bool,
}

/// What putting `items` back in the cart sets, line by line: merged with
/// what is there, at most [`MAX_QUANTITY`] a line; products gone from the
/// catalog are left out.
fn plan_refill(
    conn: &mut Conn,
    user: UserId,
    items: &[OrderItem],
) -> Result<Vec<RefillLine>, AppError> {
    let mut lines = Vec::new();
    for item in items {
        let Some(product) = catalog::find_product(conn, item.product_id)? else {
            continue;
        };
        let existing = cart::find_cart_quantity(conn, user, item.product_id)?.unwrap_or(0);
        let wanted = existing.saturating_add(item.quantity);
        let quantity = wanted.clamp(1, MAX_QUANTITY);
        lines.push(RefillLine {
            product,
            quantity,
            capped: quantity < wanted,
        });
    }
    Ok(lines)
}

/// What [`items_back_to_cart`] would leave in the cart, without writing.
fn refill_preview(conn: &mut Conn, user: UserId, items: &[OrderItem]) -> Result<Refill, AppError> {
    let planned = plan_refill(conn, user, items)?;
    let mut refill = Refill {
        capped: planned.iter().any(|l| l.capped),
        ..Refill::default()
    };
    let mut goods = planned.iter().fold(0i64, |sum, l| {
        sum.saturating_add(l.product.price_fen.0.saturating_mul(i64::from(l.quantity)))
    });
    for (line, product) in cart::list_cart(conn, user)? {
        if items.iter().any(|i| i.product_id == product.id) {
            continue;
        }
        goods = goods.saturating_add(product.price_fen.0.saturating_mul(i64::from(line.quantity)));
        refill
            .others
            .push((product.name_zh, product.name_en, line.quantity));
    }
    refill.goods = Fen(goods);
    Ok(refill)
}

/// Puts items back in the cart, merged with what is there ([`plan_refill`]).
pub fn items_back_to_cart(
    conn: &mut Conn,
    user: UserId,
    items: &[OrderItem],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for line in plan_refill(conn, user, items)? {
        cart::set_cart_quantity(conn, user, line.product.id, line.quantity, now)?;
    }
    Ok(())
}

/// An item whose price or stock moved since the order it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemChange {
    pub name_zh: String,
    pub name_en: String,
    pub old_price: Fen,
    pub new_price: Fen,
    pub stock: i32,
    pub quantity: i32,
}

/// Rule 4: a cancelled or closed (or finished) order's items go back in the cart.
/// Returns the items whose price or stock changed, so the shopper is told.
pub async fn buy_again(
    db: &Db,
    user: UserId,
    order_no: String,
    token: Option<String>,
    now: NaiveDateTime,
) -> Result<Result<Vec<ItemChange>, OrderStatus>, AppError> {
    db.write(move |conn| {
        let order = owned_order(conn, user, &order_no)?;
        if !order.actions(now).buy_again {
            return Ok(Err(order.status));
        }
        if tokens::used(conn, token.as_deref())? {
            return Ok(Ok(Vec::new()));
        }
        tokens::claim(conn, user, token.as_deref(), now)?;
        let items = orders::list_items(conn, order.id)?;
        items_back_to_cart(conn, user, &items, now)?;
        let mut changes = Vec::new();
        for item in &items {
            if let Some(p) = catalog::find_product(conn, item.product_id)?
                && (p.price_fen != item.unit_price_fen || p.stock < item.quantity)
            {
                changes.push(ItemChange {
                    name_zh: item.name_zh.clone(),
                    name_en: item.name_en.clone(),
                    old_price: item.unit_price_fen,
                    new_price: p.price_fen,
                    stock: p.stock,
                    quantity: item.quantity,
                });
            }
        }
        Ok(Ok(changes))
    })
    .await
}
