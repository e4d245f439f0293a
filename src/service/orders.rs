//! 我的订单, order detail, cancel, pay and the closing of unpaid orders whose
//! payment window has passed. Every shopper read is owner-scoped; every
//! transition goes through [`apply`]: the domain's transition function, a
//! guarded update, stock and timeline, inside one immediate transaction.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::Settings;
use super::ledger::{self, Call, Intent};
use super::timeline::{self, Actor, Entry, EventKind};
use super::tokens;
use crate::clock::local_date;
use crate::db::orders::{self, NewInstalment};
use crate::db::payment_methods as pm;
use crate::db::payments;
use crate::db::{Conn, Db, catalog, tickets};
use crate::domain::ids::{OrderId, UserId};
use crate::domain::method::{self, PaymentMethod};
use crate::domain::order::{
    CancelReason, Instalment, InstalmentStatus, Order, OrderActions, OrderEvent, OrderItem,
    OrderStatus, OrderTab, is_valid_order_no, next_open,
};
use crate::domain::payment::{Payment, PaymentState, Purpose, order_payment_key};
use crate::domain::plan::{self, Plan, PlanError};
use crate::domain::support::Ticket;
use crate::domain::timeline::TimelineEntry;
use crate::error::AppError;
use crate::gateway::{GatewayOutcome, PaymentGateway};

pub const PAGE_SIZE: i64 = 10;

pub struct OrderSummary {
    pub order: Order,
    pub items: Vec<OrderItem>,
    /// The first unpaid instalment of a paid installment order.
    pub next_instalment: Option<Instalment>,
}

pub struct OrdersPage {
    pub tab: OrderTab,
    pub page: i64,
    pub total_pages: i64,
    pub counts: Vec<(OrderTab, i64)>,
    pub orders: Vec<OrderSummary>,
}

/// 我的订单, in one read (unless an order's payment window passed since the
/// job last ran: it is closed first, checked on read, and the page read again).
pub async fn list(
    db: &Db,
    user: UserId,
    tab: OrderTab,
    page: i64,
    now: NaiveDateTime,
) -> Result<OrdersPage, AppError> {
    let found = db
        .read(move |conn| {
            let expired = orders::list_expired_unpaid(conn, Some(user), now)?;
            if !expired.is_empty() {
                return Ok(Err(expired));
            }
            Ok(Ok(load_page(conn, user, tab, page)?))
        })
        .await?;
    match found {
        Ok(page) => Ok(page),
        Err(expired) => {
            db.write(move |conn| {
                for order in &expired {
                    apply(conn, order, OrderEvent::Close, Actor::System, now)?;
                }
                Ok(())
            })
            .await?;
            db.read(move |conn| load_page(conn, user, tab, page)).await
        }
    }
}

/// One page of the owner's orders in `tab`, with the tabs' counts.
fn load_page(
    conn: &mut Conn,
    user: UserId,
    tab: OrderTab,
    page: i64,
) -> Result<OrdersPage, AppError> {
    let by_status = orders::count_orders_by_status(conn, user)?;
    let count_of = |statuses: &[OrderStatus]| -> i64 {
        by_status
            .iter()
            .filter(|(s, _)| statuses.contains(s))
            .map(|(_, n)| n)
            .sum()
    };
    let counts = OrderTab::ALL
        .into_iter()
        .map(|t| (t, count_of(t.statuses())))
        .collect();
    let total_pages = ((count_of(tab.statuses()) + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = page.clamp(1, total_pages);
    let on_page = orders::OrderPage::new(user, tab.statuses(), PAGE_SIZE, (page - 1) * PAGE_SIZE);
    let found = orders::list_orders_for_owner(conn, on_page)?;
    let items = orders::list_items_on_page(conn, on_page)?;
    let open = orders::list_open_instalments_on_page(conn, on_page)?;
    Ok(OrdersPage {
        tab,
        page,
        total_pages,
        counts,
        orders: summaries(found, items, &open),
    })
}

/// Groups a page's items and next instalments under their orders.
fn summaries(
    found: Vec<Order>,
    mut items: Vec<OrderItem>,
    open: &[Instalment],
) -> Vec<OrderSummary> {
    found
        .into_iter()
        .map(|order| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                items.drain(..).partition(|i| i.order_id == order.id);
            items = rest;
            let next_instalment = open.iter().find(|i| i.order_id == order.id).cloned();
            OrderSummary {
                order,
                items: mine,
                next_instalment,
            }
        })
        .collect()
}

pub struct OrderDetail {
    pub order: Order,
    pub items: Vec<OrderItem>,
    pub method: Option<PaymentMethod>,
    /// Where instalments are charged: the pinned method, else the account priority.
    pub repayment_method: Option<PaymentMethod>,
    pub instalments: Vec<Instalment>,
    pub events: Vec<TimelineEntry>,
    /// The order this one replaced, and the order that replaced this one.
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    pub tickets: Vec<Ticket>,
    /// The order's ledger entries, oldest first, and the methods they used.
    pub payments: Vec<Payment>,
    pub payment_methods: Vec<PaymentMethod>,
    /// The shopper's live methods, priority first (to move the plan to one).
    pub live_methods: Vec<PaymentMethod>,
}

impl OrderDetail {
    /// The next instalment not yet paid.
    pub fn next_instalment(&self) -> Option<&Instalment> {
        next_open(&self.instalments)
    }

    /// Whether the plan is pinned to its repayment method (so changing the
    /// priority method does not move it).
    pub fn is_pinned(&self) -> bool {
        self.order.repayment_method_id.is_some()
            && self.repayment_method.as_ref().map(|m| m.id) == self.order.repayment_method_id
    }

    /// The instalment whose charge was declined, if any.
    pub fn overdue(&self) -> Option<&Instalment> {
        self.instalments
            .iter()
            .find(|i| i.status == InstalmentStatus::Overdue)
    }
}

/// The method instalments of `order` are charged to (SPEC "Which method pays
/// an instalment", [`method::repayment_method`]).
pub fn repayment_method(conn: &mut Conn, order: &Order) -> Result<Option<PaymentMethod>, AppError> {
    let live = pm::list_methods(conn, order.user_id)?;
    Ok(method::repayment_method(order.repayment_method_id, &live).cloned())
}

/// The owner's order: `None` for a malformed number, a missing order and
/// another account's order alike (SPEC rule 1). The one owner check.
pub(crate) fn find_owned(
    conn: &mut Conn,
    user: UserId,
    order_no: &str,
) -> Result<Option<Order>, AppError> {
    if !is_valid_order_no(order_no) {
        return Ok(None);
    }
    Ok(orders::find_order_for_owner(conn, user, order_no)?)
}

/// [`find_owned`], with anything but the owner's order as `NotFound` (404).
pub(crate) fn owned_order(
    conn: &mut Conn,
    user: UserId,
    order_no: &str,
) -> Result<Order, AppError> {
    find_owned(conn, user, order_no)?.ok_or(AppError::NotFound)
}

/// Closes the owner's order if its window has passed (state checked on read).
pub async fn close_if_expired(
    db: &Db,
    user: UserId,
    order_no: String,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let order = db
        .read(move |conn| owned_order(conn, user, &order_no))
        .await?;
    if order.is_expired(now) {
        db.write(move |conn| apply(conn, &order, OrderEvent::Close, Actor::System, now))
            .await?;
    }
    Ok(())
}

/// The owner's order page, in one read (a second read and a write only
/// when the order's payment window passed since the job last ran: it is
/// closed first, checked on read).
/// The order pages this server built lately, each with the owner's
/// revision it was read at. The revision comes with the session (the same
/// statement), and triggers move it on every write to anything an order
/// page of that user shows — on any app server, or by hand in the
/// database — so a page is reused only while it is exactly what a read now
/// would give, and a hit asks the database nothing more. Keyed by owner and
/// order number, so only the owner's own reads fill or find an entry. At
/// most [`DetailCache::CAPACITY`] orders are kept (the least recently used
/// go first).
pub struct DetailCache(quick_cache::sync::Cache<(UserId, String), CachedDetail>);

/// An order page's data and the owner's revision it was read at.
type CachedDetail = Arc<(i64, Arc<OrderDetail>)>;

impl DetailCache {
    pub const CAPACITY: usize = 4096;

    pub fn new() -> DetailCache {
        DetailCache(quick_cache::sync::Cache::new(Self::CAPACITY))
    }

    fn get(&self, user: UserId, order_no: &str, revision: i64) -> Option<Arc<OrderDetail>> {
        self.0
            .get(&(user, order_no.to_owned()))
            .filter(|entry| entry.0 == revision)
            .map(|entry| entry.1.clone())
    }

    fn put(&self, user: UserId, revision: i64, detail: Arc<OrderDetail>) {
        let key = (user, detail.order.order_no.clone());
        self.0.insert(key, Arc::new((revision, detail)));
    }
}

impl Default for DetailCache {
    fn default() -> Self {
        DetailCache::new()
    }
}

/// The order page's data and what may be done with the order now.
pub struct Detail {
    pub actions: OrderActions,
    data: Arc<OrderDetail>,
}

impl Detail {
    /// The data itself: the same `Arc` for as long as the order is unchanged
    /// and cached (a cache of what is built from it can compare pointers).
    pub fn data(&self) -> &Arc<OrderDetail> {
        &self.data
    }

    fn new(data: Arc<OrderDetail>, now: NaiveDateTime) -> Detail {
        Detail {
            actions: data.order.actions(now),
            data,
        }
    }
}

impl std::ops::Deref for Detail {
    type Target = OrderDetail;

    fn deref(&self) -> &OrderDetail {
        &self.data
    }
}

/// The owner's order page. `revision` is the owner's revision as read with
/// the session: when this server built the page at that revision, nothing
/// is read; otherwise everything is read at once (an unpaid order whose
/// window has passed is closed first).
pub async fn detail(
    db: &Db,
    cache: &DetailCache,
    user: UserId,
    revision: Option<i64>,
    order_no: String,
    now: NaiveDateTime,
) -> Result<Detail, AppError> {
    if !is_valid_order_no(&order_no) {
        return Err(AppError::NotFound);
    }
    if let Some(data) = revision.and_then(|r| cache.get(user, &order_no, r))
        && !data.order.is_expired(now)
    {
        return Ok(Detail::new(data, now));
    }
    let no = order_no.clone();
    let found = db
        .read(move |conn| {
            let order = owned_order(conn, user, &no)?;
            if order.is_expired(now) {
                return Ok(Err(order));
            }
            let revision = orders::user_revision(conn, user)?;
            Ok(Ok((revision, load_detail(conn, user, order)?)))
        })
        .await?;
    let (revision, data) = match found {
        Ok(found) => found,
        Err(expired) => {
            db.write(move |conn| apply(conn, &expired, OrderEvent::Close, Actor::System, now))
                .await?;
            db.read(move |conn| {
                let order = owned_order(conn, user, &order_no)?;
                let revision = orders::user_revision(conn, user)?;
                Ok((revision, load_detail(conn, user, order)?))
            })
            .await?
        }
    };
    let data = Arc::new(data);
    cache.put(user, revision, data.clone());
    Ok(Detail::new(data, now))
}

/// Everything the order page shows about `order`.
fn load_detail(conn: &mut Conn, user: UserId, order: Order) -> Result<OrderDetail, AppError> {
    let replaces = match order.replaces_order_id {
        Some(id) => orders::find_order(conn, id)?.map(|o| o.order_no),
        None => None,
    };
    // Every method of the owner, removed ones too (to name what a past
    // payment used); the live ones in priority order.
    let payment_methods = pm::list_all_methods(conn, user)?;
    let mut live_methods: Vec<PaymentMethod> = payment_methods
        .iter()
        .filter(|m| m.is_live())
        .cloned()
        .collect();
    live_methods.sort_by_key(|m| (m.position, m.id));
    let method = payment_methods
        .iter()
        .find(|m| m.id == order.payment_method_id)
        .cloned();
    // Only a paid installment order has a schedule; only a cancelled order
    // can have been replaced; only an order once paid can have service
    // requests: the other queries are skipped.
    let instalments = if order.is_installment() && order.paid_at.is_some() {
        orders::list_instalments(conn, order.id)?
    } else {
        Vec::new()
    };
    let replaced_by = if order.status == OrderStatus::Cancelled {
        orders::find_replacement(conn, order.id)?.map(|o| o.order_no)
    } else {
        None
    };
    let tickets = if order.paid_at.is_some() {
        tickets::list_tickets_for_order(conn, order.id)?
    } else {
        Vec::new()
    };
    Ok(OrderDetail {
        items: orders::list_items(conn, order.id)?,
        method,
        repayment_method: method::repayment_method(order.repayment_method_id, &live_methods)
            .cloned(),
        instalments,
        events: orders::list_events(conn, order.id)?,
        replaces,
        replaced_by,
        tickets,
        payments: payments::list_for_order(conn, order.id)?,
        payment_methods,
        live_methods,
        order,
    })
}

/// Gives the items' stock back.
pub(crate) fn release_items(conn: &mut Conn, order: OrderId) -> Result<(), AppError> {
    for item in orders::list_items(conn, order)? {
        catalog::release_stock(conn, item.product_id, item.quantity)?;
    }
    Ok(())
}

/// The one way an order changes state: `event` through
/// [`OrderStatus::transition`] as a guarded update, the stock of a cancelled
/// or closed order released, and the timeline entry written. False when the
/// event does not apply (anymore): another request got there first.
pub(crate) fn apply(
    conn: &mut Conn,
    order: &Order,
    event: OrderEvent,
    actor: Actor,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    apply_noted(conn, order, event, actor, None, now)
}

/// [`apply`], with a note on the timeline entry (a reason, a transaction).
fn apply_noted(
    conn: &mut Conn,
    order: &Order,
    event: OrderEvent,
    actor: Actor,
    note: Option<&str>,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let Ok(to) = order.status.transition(event) else {
        return Ok(false);
    };
    // While a payment is in flight the order waits for its answer: it is
    // neither cancelled nor closed under it (SPEC "Payment ledger").
    let ends_unpaid = matches!(event, OrderEvent::Cancel | OrderEvent::Close);
    if ends_unpaid && payments::in_flight_for_order(conn, order.id)? {
        return Ok(false);
    }
    if !orders::transition(conn, order.id, order.status, event, now)? {
        return Ok(false);
    }
    if matches!(to, OrderStatus::Cancelled | OrderStatus::Closed) {
        release_items(conn, order.id)?;
    }
    let entry = Entry::transition(EventKind::of(event), order.status, to);
    let entry = match note {
        Some(n) => entry.note(n),
        None => entry,
    };
    timeline::record(conn, order.id, now, actor, entry)?;
    tracing::info!(order_no = %order.order_no, from = %order.status, to = %to, "order state changed");
    Ok(true)
}

/// Closes every unpaid order whose window has passed (one owner's, or all).
/// Reads first and writes only when there is something to close.
pub async fn close_expired(
    db: &Db,
    now: NaiveDateTime,
    user: Option<UserId>,
) -> Result<usize, AppError> {
    let expired = db
        .read(move |conn| Ok(orders::list_expired_unpaid(conn, user, now)?))
        .await?;
    if expired.is_empty() {
        return Ok(0);
    }
    db.write(move |conn| {
        let mut closed = 0;
        for order in &expired {
            if apply(conn, order, OrderEvent::Close, Actor::System, now)? {
                closed += 1;
            }
        }
        Ok(closed)
    })
    .await
}

/// Why an action was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The order is (now) in this state, where the action does not apply.
    State(OrderStatus),
    /// The payment window passed; the order is closed.
    Expired,
    /// This very form was submitted before; its result stands.
    AlreadyDone,
    /// A payment for the order is being processed; nothing else may change it
    /// until its answer is recorded.
    PaymentInProgress,
}

/// What a pending order's action finds: go ahead, or why not (closing an
/// order whose window passed on the way).
fn check_pending(
    conn: &mut Conn,
    order: &Order,
    now: NaiveDateTime,
) -> Result<Result<(), Refusal>, AppError> {
    if order.status != OrderStatus::PendingPayment {
        return Ok(Err(Refusal::State(order.status)));
    }
    if payments::in_flight_for_order(conn, order.id)? {
        return Ok(Err(Refusal::PaymentInProgress));
    }
    if order.pay_deadline <= now {
        apply(conn, order, OrderEvent::Close, Actor::System, now)?;
        return Ok(Err(Refusal::Expired));
    }
    Ok(Ok(()))
}

pub async fn cancel(
    db: &Db,
    user: UserId,
    order_no: String,
    token: Option<String>,
    now: NaiveDateTime,
) -> Result<Result<(), Refusal>, AppError> {
    db.write(move |conn| {
        let order = owned_order(conn, user, &order_no)?;
        if tokens::used(conn, token.as_deref())? {
            return Ok(Err(Refusal::AlreadyDone));
        }
        if let Err(r) = check_pending(conn, &order, now)? {
            return Ok(Err(r));
        }
        cancel_in(conn, &order, CancelReason::Shopper, now)?;
        tokens::claim(conn, user, token.as_deref(), now)?;
        Ok(Ok(()))
    })
    .await
}

/// Cancels an unpaid order for `reason` (state, stock, timeline). False when
/// another request changed it first.
pub(crate) fn cancel_in(
    conn: &mut Conn,
    order: &Order,
    reason: CancelReason,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let event = OrderEvent::Cancel;
    if !apply_noted(
        conn,
        order,
        event,
        Actor::Shopper,
        Some(reason.as_str()),
        now,
    )? {
        return Ok(false);
    }
    orders::set_cancel_reason(conn, order.id, reason)?;
    Ok(true)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    Paid,
    Declined {
        reason: String,
    },
    Refused(Refusal),
    /// The order's method was removed; the shopper must pick another.
    MethodGone,
    /// The plan is no longer eligible on the payment date (e.g. the card that
    /// pays the instalments expires before the last one).
    Ineligible(PlanError),
    /// The gateway approved, but the order could no longer take the payment:
    /// it was voided (given back), and the timeline says so.
    Voided,
}

/// Pays an unpaid order with its method: [`begin_payment`] claims the order
/// with a `requested` ledger entry (no cancel, close or change can commit
/// while it is in flight), the gateway is called outside any transaction
/// with the entry's idempotency key, and [`settle_answer`] records the answer.
pub async fn pay(
    db: &Db,
    gateway: Arc<dyn PaymentGateway>,
    settings: &Settings,
    user: UserId,
    order_no: String,
    token: Option<String>,
    now: NaiveDateTime,
) -> Result<PayOutcome, AppError> {
    let settings = settings.clone();
    let begun = db
        .write(move |conn| begin_payment(conn, &settings, user, &order_no, token.as_deref(), now))
        .await?;
    let call = match begun {
        Begun::Done(outcome) => return Ok(outcome),
        Begun::Call(call) => call,
    };
    let outcome = ledger::execute(&gateway, &call.request).await?;
    settle_answer(db, &gateway, call.payment, outcome, now).await
}

/// What the first step of paying found.
#[derive(Debug)]
pub enum Begun {
    /// Nothing to call: the outcome stands (a refusal, or a repeat's result).
    Done(PayOutcome),
    /// Call the gateway with this entry (new, or resumed after a lost answer).
    Call(Box<Call>),
}

/// Step 1 of paying, in one transaction: a repeat of this very attempt (same
/// form token, so same idempotency key) replays its result or resumes its
/// call; otherwise the order must be payable now with a live method and an
/// eligible plan on today's date, and the `requested` entry is written.
pub fn begin_payment(
    conn: &mut Conn,
    settings: &Settings,
    user: UserId,
    order_no: &str,
    token: Option<&str>,
    now: NaiveDateTime,
) -> Result<Begun, AppError> {
    let order = owned_order(conn, user, order_no)?;
    let attempt = payments::count_for_order(conn, order.id, order_purpose(&order))? + 1;
    let key = order_payment_key(order_no, token, attempt);
    if let Some(earlier) = payments::find_by_key(conn, &key)? {
        return replay(conn, earlier);
    }
    if let Err(r) = check_pending(conn, &order, now)? {
        return Ok(Begun::Done(PayOutcome::Refused(r)));
    }
    let Some(method) =
        pm::find_method(conn, order.payment_method_id)?.filter(PaymentMethod::is_live)
    else {
        return Ok(Begun::Done(PayOutcome::MethodGone));
    };
    if let Err(e) = eligible_on_payment(conn, settings, &order, now)? {
        return Ok(Begun::Done(PayOutcome::Ineligible(e)));
    }
    let intent = Intent {
        order: &order,
        instalment: None,
        purpose: order_purpose(&order),
        amount: order.total_fen,
        method: &method,
        key: &key,
    };
    Ok(match ledger::request(conn, &intent, now)? {
        Some(call) => Begun::Call(Box::new(call)),
        None => Begun::Done(PayOutcome::Refused(Refusal::PaymentInProgress)),
    })
}

/// A repeated submit of an attempt: its recorded result, or (answer lost to
/// a crash) the same call again — the gateway answers the same key once.
fn replay(conn: &mut Conn, earlier: Payment) -> Result<Begun, AppError> {
    Ok(Begun::Done(match earlier.state {
        PaymentState::Succeeded => PayOutcome::Refused(Refusal::AlreadyDone),
        PaymentState::Failed => PayOutcome::Declined {
            reason: earlier.failure.unwrap_or_default(),
        },
        PaymentState::Requested => {
            payments::count_attempt(conn, earlier.id)?;
            let request = ledger::rebuild(conn, &earlier)?;
            return Ok(Begun::Call(Box::new(Call {
                payment: earlier,
                request,
            })));
        }
    }))
}

/// Paying in full captures the total; an installment order authorizes the
/// plan (nothing captured now; each instalment is captured when due).
fn order_purpose(order: &Order) -> Purpose {
    if order.is_installment() {
        Purpose::AuthorizePlan
    } else {
        Purpose::Capture
    }
}

/// The plan checked again on the day it is paid: its schedule starts then,
/// so the card that pays the instalments must last until the real last due
/// date (SPEC "Money and plans").
fn eligible_on_payment(
    conn: &mut Conn,
    settings: &Settings,
    order: &Order,
    now: NaiveDateTime,
) -> Result<Result<(), PlanError>, AppError> {
    let payer = instalment_payer(conn, order)?;
    Ok(plan::check_eligibility(
        order.principal(),
        order.plan,
        settings.installment_minimum,
        payer.as_ref().and_then(PaymentMethod::expiry),
        local_date(now),
    ))
}

/// The method that will pay `order`'s instalments (SPEC "Which method pays
/// an instalment"): the pinned method, else the priority method, else the
/// order's own while it is still saved. The one rule, used by checkout (via
/// the priority), the change page, paying, the collector and the pages.
pub(crate) fn instalment_payer(
    conn: &mut Conn,
    order: &Order,
) -> Result<Option<PaymentMethod>, AppError> {
    match repayment_method(conn, order)? {
        Some(m) => Ok(Some(m)),
        None => Ok(pm::find_method(conn, order.payment_method_id)?.filter(PaymentMethod::is_live)),
    }
}

/// Step 3 of paying: records the gateway's answer. Approved on a still
/// unpaid order: pending → paid, the schedule, the timeline. Approved on an
/// order that can no longer take it: the payment is voided through the
/// ledger. Declined: the timeline says why.
pub(crate) async fn settle_answer(
    db: &Db,
    gateway: &Arc<dyn PaymentGateway>,
    payment: Payment,
    outcome: GatewayOutcome,
    now: NaiveDateTime,
) -> Result<PayOutcome, AppError> {
    let (result, void) = db
        .write(move |conn| record_answer(conn, &payment, &outcome, now))
        .await?;
    if let Some(call) = void {
        ledger::run_reversal(db, gateway, call, now).await?;
    }
    Ok(result)
}

/// [`settle_answer`] inside one transaction; returns the void to make, if any.
pub fn record_answer(
    conn: &mut Conn,
    payment: &Payment,
    outcome: &GatewayOutcome,
    now: NaiveDateTime,
) -> Result<(PayOutcome, Option<Call>), AppError> {
    let order = orders::find_order(conn, payment.order_id)?.ok_or(AppError::NotFound)?;
    if !ledger::complete(conn, payment, outcome, now)? {
        return already_recorded(conn, payment, outcome, now);
    }
    match outcome {
        GatewayOutcome::Declined { reason } => {
            let entry = Entry::new(EventKind::PaymentDeclined).note(reason);
            timeline::record(conn, order.id, now, Actor::System, entry)?;
            tracing::info!(order_no = %order.order_no, %reason, "payment declined");
            Ok((
                PayOutcome::Declined {
                    reason: reason.clone(),
                },
                None,
            ))
        }
        GatewayOutcome::Approved { reference } => {
            if apply_noted(
                conn,
                &order,
                OrderEvent::Pay,
                Actor::Shopper,
                Some(reference),
                now,
            )? {
                start_schedule(conn, &order, now)?;
                return Ok((PayOutcome::Paid, None));
            }
            let taken = payments::find(conn, payment.id)?.ok_or(AppError::NotFound)?;
            let void = ledger::request_reversal(conn, &taken, Purpose::Void, now)?;
            tracing::warn!(order_no = %order.order_no, status = %order.status, "payment approved on an order that cannot take it; voiding");
            Ok((PayOutcome::Voided, void))
        }
    }
}

/// The entry was completed by someone else meanwhile (reconciliation, or a
/// concurrent retry of the same attempt): report what stands. Should it
/// stand as failed while this answer says money was taken, give it back.
fn already_recorded(
    conn: &mut Conn,
    payment: &Payment,
    outcome: &GatewayOutcome,
    now: NaiveDateTime,
) -> Result<(PayOutcome, Option<Call>), AppError> {
    let current = payments::find(conn, payment.id)?.ok_or(AppError::NotFound)?;
    match (current.state, outcome) {
        (PaymentState::Failed, GatewayOutcome::Approved { reference }) => {
            // Record the money taken on its own entry so the void has something to reverse.
            let mut taken = current.clone();
            taken.state = PaymentState::Succeeded;
            taken.gateway_ref = Some(reference.clone());
            let void = ledger::request_reversal(conn, &taken, Purpose::Void, now)?;
            Ok((PayOutcome::Voided, void))
        }
        (PaymentState::Failed, _) => Ok((
            PayOutcome::Declined {
                reason: current.failure.unwrap_or_default(),
            },
            None,
        )),
        _ => Ok((PayOutcome::Refused(Refusal::AlreadyDone), None)),
    }
}

/// An installment order's repayment schedule, from the payment date
/// ([`plan::schedule`]); nothing for an order paid in full.
fn start_schedule(conn: &mut Conn, order: &Order, now: NaiveDateTime) -> Result<(), AppError> {
    let Plan::Installment { months } = order.plan else {
        return Ok(());
    };
    let rows: Vec<NewInstalment> = plan::schedule(
        order.principal(),
        months,
        order.monthly_fee_bp,
        local_date(now),
    )
    .map_err(|e| AppError::Internal(anyhow::anyhow!("schedule: {e}")))?
    .into_iter()
    .map(|i| NewInstalment {
        order_id: order.id,
        seq: i32::try_from(i.seq).unwrap_or(i32::MAX),
        due_on: i.due,
        principal_fen: i.principal,
        fee_fen: i.fee,
        status: InstalmentStatus::Due,
    })
    .collect();
    orders::insert_instalments(conn, &rows)?;
    Ok(())
}

/// Fulfilment steps (paid → shipped → completed), for operations and demo data.
pub fn advance_fulfilment(
    conn: &mut Conn,
    order_no: &str,
    event: OrderEvent,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let order = orders::find_order_by_no(conn, order_no)?.ok_or(AppError::NotFound)?;
    if !matches!(event, OrderEvent::Ship | OrderEvent::Complete) {
        return Ok(false);
    }
    apply(conn, &order, event, Actor::System, now)
}
