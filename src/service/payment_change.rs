//! Changing how an unpaid order is paid (SPEC rule 2), and buying a finished
//! order again (rule 4). Every confirmation is one immediate transaction:
//! eligibility is checked before anything changes, so a shopper never ends up
//! with a cancelled order and an impossible plan.

use chrono::NaiveDateTime;

use super::Settings;
use super::cart::MAX_QUANTITY;
use super::orders::{close_if_expired, owned_order, release_items};
use super::pricing::{eligible_quote, list_terms};
use super::timeline::{self, Actor, Entry};
use crate::clock::local_date;
use crate::db::ids::{PaymentMethodId, UserId};
use crate::db::orders::{self, Order, OrderItem};
use crate::db::payment_methods::{self as pm, PaymentMethod};
use crate::db::{Conn, Db, cart, catalog};
use crate::domain::order::OrderStatus;
use crate::domain::payment_change::{ChangeKind, ChangePath, classify, decide};
use crate::domain::plan::{self, Plan, PlanError, Quote};
use crate::domain::{BasisPoints, Fen};
use crate::error::AppError;

/// What the change page needs.
pub struct ChangeView {
    pub order: Order,
    pub items: Vec<OrderItem>,
    pub path: ChangePath,
    pub current_method: Option<PaymentMethod>,
    pub methods: Vec<PaymentMethod>,
    pub terms: Vec<(u32, BasisPoints)>,
}

impl Order {
    pub fn plan(&self) -> Plan {
        match self.term_months.and_then(|m| u32::try_from(m).ok()) {
            Some(months) => Plan::Installment { months },
            None => Plan::Full,
        }
    }
}

impl ChangeView {
    /// The order's current plan at its own (snapshotted) rate, as if paid today.
    pub fn current_quote(&self, now: NaiveDateTime) -> Option<Quote> {
        plan::quote(
            self.order.principal(),
            self.order.plan(),
            BasisPoints(self.order.monthly_fee_bp),
            local_date(now),
        )
        .ok()
    }

    /// The quote for a new choice, after its eligibility check.
    pub fn quote_for(
        &self,
        plan: Plan,
        method: Option<&PaymentMethod>,
        settings: &Settings,
        now: NaiveDateTime,
    ) -> Result<Quote, PlanError> {
        eligible_quote(
            self.order.principal(),
            plan,
            &self.terms,
            method,
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
        Ok(ChangeView {
            path: decide(order.state(), order.pay_deadline, now),
            items: orders::list_items(conn, order.id)?,
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
    /// The order was cancelled and its items are back in the cart; continue at `checkout`.
    NewContract { checkout: String },
    /// This form was submitted before; its result stands.
    AlreadyDone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeRefusal {
    NotAcknowledged,
    MethodNotFound,
    Plan(PlanError),
    /// The order is (no longer) one the shopper may change.
    NotAllowed(ChangePath),
}

pub struct ChangeRequest {
    pub plan: Plan,
    pub method: PaymentMethodId,
    pub acknowledged: bool,
    pub token: Option<String>,
}

/// Whether a one-time form token was used before. Checked and later claimed
/// inside one immediate transaction, so no two requests can both pass.
pub fn token_used(conn: &mut Conn, token: Option<&str>) -> Result<bool, AppError> {
    match token {
        Some(t) => Ok(orders::form_token_exists(conn, t)?),
        None => Ok(false),
    }
}

/// Claims the token as part of the effect it guards.
pub fn claim_token(
    conn: &mut Conn,
    user: UserId,
    token: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    if let Some(t) = token {
        orders::claim_form_token(conn, user, t, now)?;
    }
    Ok(())
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
        if token_used(conn, request.token.as_deref())? {
            return Ok(Ok(ChangeOutcome::AlreadyDone));
        }
        let order = owned_order(conn, user, &order_no)?;
        let path = decide(order.state(), order.pay_deadline, now);
        if path != ChangePath::SelfService {
            return Ok(Err(ChangeRefusal::NotAllowed(path)));
        }
        // Every check comes before the first write: a refusal changes nothing.
        let refuse = |r: ChangeRefusal| Ok(Err(r));
        if !request.acknowledged {
            return refuse(ChangeRefusal::NotAcknowledged);
        }
        let Some(method) = pm::find_method_for_owner(conn, user, request.method)? else {
            return refuse(ChangeRefusal::MethodNotFound);
        };
        let terms = list_terms(conn)?;
        if let Err(e) = eligible_quote(
            order.principal(),
            request.plan,
            &terms,
            Some(&method),
            &settings,
            now,
        ) {
            return refuse(ChangeRefusal::Plan(e));
        }
        claim_token(conn, user, request.token.as_deref(), now)?;
        match classify(
            order.plan(),
            order.payment_method_id,
            request.plan,
            method.id,
        ) {
            ChangeKind::Unchanged => Ok(Ok(ChangeOutcome::Unchanged)),
            ChangeKind::MethodOnly => {
                if !orders::change_method(conn, order.id, order.payment_method_id, method.id)? {
                    return Ok(Ok(ChangeOutcome::AlreadyDone));
                }
                let before = pm::find_method(conn, order.payment_method_id)?
                    .map(|m| m.describe())
                    .unwrap_or_default();
                timeline::record(
                    conn,
                    order.id,
                    now,
                    Actor::Shopper,
                    Entry::change("method_changed", &before, &method.describe()),
                )?;
                Ok(Ok(ChangeOutcome::MethodChanged))
            }
            ChangeKind::NewContract => {
                let from = OrderStatus::PendingPayment.as_str();
                if !orders::transition(conn, order.id, from, OrderStatus::Cancelled.as_str(), now)?
                {
                    return Ok(Ok(ChangeOutcome::AlreadyDone));
                }
                orders::set_cancel_reason(conn, order.id, "payment_changed")?;
                release_items(conn, order.id)?;
                let items = orders::list_items(conn, order.id)?;
                items_back_to_cart(conn, user, &items, now)?;
                let new_plan = request.plan.to_string();
                timeline::record(
                    conn,
                    order.id,
                    now,
                    Actor::Shopper,
                    Entry::change("cancelled", from, OrderStatus::Cancelled.as_str())
                        .note("payment_changed"),
                )?;
                timeline::record(
                    conn,
                    order.id,
                    now,
                    Actor::Shopper,
                    Entry::change("plan_change", &order.plan().to_string(), &new_plan),
                )?;
                let query = serde_urlencoded::to_string([
                    ("shipping_method", order.shipping_method.clone()),
                    ("plan", request.plan.kind().as_str().to_owned()),
                    (
                        "term",
                        request
                            .plan
                            .months()
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                    ),
                    ("payment_method_id", method.id.to_string()),
                    ("replaces", order.order_no.clone()),
                ])
                .map_err(|e| AppError::Internal(e.into()))?;
                Ok(Ok(ChangeOutcome::NewContract {
                    checkout: format!("/checkout?{query}"),
                }))
            }
        }
    })
    .await
}

/// Puts items back in the cart, merged with what is there (at most 99 a line).
pub fn items_back_to_cart(
    conn: &mut Conn,
    user: UserId,
    items: &[OrderItem],
    now: NaiveDateTime,
) -> Result<(), AppError> {
    for item in items {
        if catalog::find_product(conn, item.product_id)?.is_none() {
            continue;
        }
        let existing = cart::find_cart_quantity(conn, user, item.product_id)?.unwrap_or(0);
        let quantity = existing
            .saturating_add(item.quantity)
            .clamp(1, MAX_QUANTITY);
        cart::set_cart_quantity(conn, user, item.product_id, quantity, now)?;
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
        if order.state() == OrderStatus::PendingPayment {
            return Ok(Err(OrderStatus::PendingPayment));
        }
        if token_used(conn, token.as_deref())? {
            return Ok(Ok(Vec::new()));
        }
        claim_token(conn, user, token.as_deref(), now)?;
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
                    old_price: Fen(item.unit_price_fen),
                    new_price: Fen(p.price_fen),
                    stock: p.stock,
                    quantity: item.quantity,
                });
            }
        }
        Ok(Ok(changes))
    })
    .await
}
