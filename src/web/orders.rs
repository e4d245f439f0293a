//! 我的订单 (`/orders`), order detail, pay and cancel.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use std::sync::{Arc, LazyLock};

use rand::distr::{Alphanumeric, SampleString};
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash, set_flash_keyed};
use super::extract::{CsrfForm, CurrentShopper};
use super::forms::{
    ActionForm, MethodOption, method_id, new_form_token, plan_error_text, render, sent_token,
    ticked,
};
use super::rich::fen_token;
use super::{State, see_other};
use crate::domain::Fen;
use crate::domain::ids::UserId;
use crate::domain::method::PaymentMethod;
use crate::domain::order::{
    Instalment, InstalmentStatus, Order, OrderActions, OrderStatus, OrderTab,
};
use crate::domain::payment::{Payment, PaymentState, net_taken};
use crate::domain::timeline::{EventKind, TimelineEntry};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::orders::{self as svc, Detail, OrderDetail, OrderSummary, PayOutcome, Refusal};
use crate::service::payment_change::{self as change_svc, ItemChange};
use crate::service::refunds::{self as refund_svc, RefundRefusal};
use crate::service::repayments::{self as repay_svc, SwitchRefusal};

pub struct TabView {
    pub value: &'static str,
    pub label: String,
    pub count: i64,
    pub active: bool,
}

pub struct OrderRow {
    pub order_no: String,
    pub status: &'static str,
    pub status_label: String,
    pub placed: String,
    pub first_item: String,
    pub item_count: String,
    pub total: Fen,
    pub plan: String,
    /// Next deduction of a paid installment order: (due date, amount, overdue).
    pub next_due: Option<(String, Fen, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/list.html")]
pub struct OrdersPage {
    pub ctx: PageCtx,
    pub tabs: Vec<TabView>,
    pub tab: &'static str,
    pub orders: Vec<OrderRow>,
    pub page: i64,
    pub total_pages: i64,
}

impl OrdersPage {
    pub fn page_href(&self, page: i64) -> String {
        serde_urlencoded::to_string([("status", self.tab.to_owned()), ("page", page.to_string())])
            .map(|q| format!("/orders?{q}"))
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
}

impl TabView {
    fn of(ctx: &PageCtx, tab: OrderTab, count: i64, active: OrderTab) -> TabView {
        let name = if tab == OrderTab::All {
            "all"
        } else {
            tab.as_str()
        };
        TabView {
            value: tab.as_str(),
            label: ctx.text(&format!("orders.tab.{name}")),
            count,
            active: tab == active,
        }
    }
}

impl OrderRow {
    fn of(ctx: &PageCtx, s: &OrderSummary) -> OrderRow {
        let o = &s.order;
        let count: i32 = s.items.iter().map(|i| i.quantity).sum();
        OrderRow {
            order_no: o.order_no.clone(),
            status: o.status.as_str(),
            status_label: ctx.status_label(o.status),
            placed: ctx.time(&o.created_at),
            first_item: s
                .items
                .first()
                .map(|i| ctx.pick(&i.name_zh, &i.name_en).to_owned())
                .unwrap_or_default(),
            item_count: ctx.tv("orders.item_count", &count.to_string()),
            total: o.total_fen,
            plan: ctx.plan_label(o.plan),
            next_due: s.next_instalment.as_ref().map(|i| {
                (
                    i.due_on.to_string(),
                    i.amount(),
                    i.status == InstalmentStatus::Overdue,
                )
            }),
        }
    }
}

pub async fn list_orders(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    query: web::Query<ListQuery>,
) -> Result<OrdersPage, AppError> {
    let tab = OrderTab::parse(&query.status);
    let page = query.page.parse::<i64>().unwrap_or(1);
    let data = svc::list(&state.db, shopper.id, tab, page, state.clock.now()).await?;
    Ok(OrdersPage {
        tabs: data
            .counts
            .iter()
            .map(|(t, count)| TabView::of(&ctx, *t, *count, tab))
            .collect(),
        tab: tab.as_str(),
        orders: data.orders.iter().map(|s| OrderRow::of(&ctx, s)).collect(),
        page: data.page,
        total_pages: data.total_pages,
        ctx,
    })
}

pub struct ItemView {
    pub name: String,
    pub unit_price: Fen,
    pub quantity: i32,
    pub line_total: Fen,
    pub product_id: i32,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub text: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

impl EventView {
    /// A ledger entry: its purpose and state by name, a decline's reason.
    fn of_ledger(ctx: &PageCtx, e: &TimelineEntry) -> EventView {
        let value = |prefix: &str, v: &Option<String>| {
            v.as_deref()
                .map(|v| ctx.text(&format!("{prefix}.{v}")))
                .unwrap_or_default()
        };
        let failed = e.to_value.as_deref() == Some(PaymentState::Failed.as_str());
        EventView {
            at: ctx.time(&e.at),
            actor: ctx.text(&format!("actor.{}", e.actor.as_str())),
            text: ctx.text("timeline.ledger"),
            from: value("payment.purpose", &e.from_value),
            to: value("payment.state", &e.to_value),
            note: match (failed, e.note.as_deref()) {
                (true, Some(reason)) => ctx.text(&format!("decline.{reason}")),
                (_, note) => note.unwrap_or_default().to_owned(),
            },
        }
    }

    fn of(ctx: &PageCtx, e: &TimelineEntry) -> EventView {
        let value = |v: &Option<String>| match v.as_deref() {
            Some(s) if s.parse::<OrderStatus>().is_ok() => ctx.status_text(s),
            Some("full") => ctx.text("plan.full"),
            Some(s) if s.starts_with("installment/") => {
                ctx.tv("plan.installment_n", s.trim_start_matches("installment/"))
            }
            Some(s) => s.to_owned(),
            None => String::new(),
        };
        let note = match (e.kind, e.note.as_deref()) {
            (EventKind::PaymentDeclined | EventKind::InstalmentDeclined, Some(reason)) => {
                ctx.text(&format!("decline.{reason}"))
            }
            (EventKind::Cancelled, Some(reason)) => ctx.text(&format!("cancel_reason.{reason}")),
            (_, Some(n)) => n.to_owned(),
            (_, None) => String::new(),
        };
        if e.kind == EventKind::Ledger {
            return EventView::of_ledger(ctx, e);
        }
        if e.kind == EventKind::EarlyRepayment {
            let scope = e.from_value.as_deref().unwrap_or_default();
            return EventView {
                at: ctx.time(&e.at),
                actor: ctx.text(&format!("actor.{}", e.actor.as_str())),
                text: ctx.text("timeline.early_repayment"),
                from: ctx.text(&format!("repay.scope.{scope}")),
                to: format!("#{}", e.to_value.as_deref().unwrap_or_default()),
                note: String::new(),
            };
        }
        let key = format!("timeline.{}", e.kind.as_str());
        // Instalment entries carry the instalment number in `from`.
        let (text, from) = if e.kind.is_instalment() {
            (
                ctx.tv(&key, e.from_value.as_deref().unwrap_or_default()),
                String::new(),
            )
        } else {
            (ctx.text(&key), value(&e.from_value))
        };
        EventView {
            at: ctx.time(&e.at),
            actor: ctx.text(&format!("actor.{}", e.actor.as_str())),
            text,
            from,
            to: value(&e.to_value),
            note,
        }
    }
}

pub struct InstalmentView {
    /// Why the last charge failed, and when it is tried again (overdue instalments).
    pub reason: String,
    pub retry_at: String,
    pub seq: i32,
    pub due: String,
    pub principal: Fen,
    pub fee: Fen,
    pub amount: Fen,
    pub status: String,
    pub status_label: String,
}

impl InstalmentView {
    fn of(ctx: &PageCtx, i: &Instalment) -> InstalmentView {
        InstalmentView {
            seq: i.seq,
            due: i.due_on.to_string(),
            principal: i.principal_fen,
            fee: i.fee_fen,
            amount: i.amount(),
            status: i.status.as_str().to_owned(),
            status_label: ctx.text(&format!("instalment.{}", i.status.as_str())),
            reason: i
                .last_error
                .as_ref()
                .map(|r| ctx.text(&format!("decline.{r}")))
                .unwrap_or_default(),
            retry_at: i
                .next_attempt_at
                .as_ref()
                .map(|t| ctx.time(t))
                .unwrap_or_default(),
        }
    }
}

/// One ledger entry on the order page (SPEC "Payment ledger" hooks).
pub struct PaymentView {
    pub purpose: &'static str,
    pub purpose_label: String,
    pub state: &'static str,
    pub state_label: String,
    pub amount: Fen,
    pub method: String,
    pub failure: String,
    pub at: String,
}

impl PaymentView {
    fn of(ctx: &PageCtx, p: &Payment, methods: &[PaymentMethod]) -> PaymentView {
        PaymentView {
            purpose: p.purpose.as_str(),
            purpose_label: ctx.text(&format!("payment.purpose.{}", p.purpose.as_str())),
            state: p.state.as_str(),
            state_label: ctx.text(&format!("payment.state.{}", p.state.as_str())),
            amount: p.amount_fen,
            method: methods
                .iter()
                .find(|m| m.id == p.method_id)
                .map(PaymentMethod::describe)
                .unwrap_or_default(),
            failure: p
                .failure
                .as_ref()
                .map(|f| ctx.text(&format!("decline.{f}")))
                .unwrap_or_default(),
            at: ctx.time(&p.completed_at.unwrap_or(p.requested_at)),
        }
    }
}

/// The order page: the layout (rendered per request: the header names the
/// signed-in user, their unread messages, the language link) around the
/// order's own part, [`OrderArticle`].
#[derive(Template, WebTemplate)]
#[template(path = "orders/detail.html")]
pub struct OrderPage {
    pub ctx: PageCtx,
    pub order_no: String,
    /// The rendered [`OrderArticle`].
    pub article: String,
}

impl OrderPage {
    fn of(article: OrderArticle) -> Result<OrderPage, AppError> {
        let html = article.render()?;
        Ok(OrderPage {
            order_no: article.order_no,
            article: html,
            ctx: article.ctx,
        })
    }
}

/// The order's own part of its page.
#[derive(Template)]
#[template(path = "orders/article.html")]
pub struct OrderArticle {
    pub ctx: PageCtx,
    pub order_no: String,
    pub status: &'static str,
    pub status_label: String,
    pub placed: String,
    pub deadline: String,
    pub items: Vec<ItemView>,
    pub items_total: Fen,
    pub shipping: String,
    pub shipping_fee: Fen,
    pub fees: Fen,
    pub total: Fen,
    pub plan: String,
    pub rate: String,
    pub method: String,
    pub paid_at: String,
    pub ended_at: String,
    pub cancel_reason: String,
    pub instalments: Vec<InstalmentView>,
    pub next_due: Option<InstalmentView>,
    pub overdue: Option<InstalmentView>,
    pub events: Vec<EventView>,
    pub can_pay: bool,
    pub can_cancel: bool,
    pub can_buy_again: bool,
    pub installment: bool,
    pub path: &'static str,
    pub form_token: String,
    pub repayment_method: String,
    /// The plan is pinned to its method: the priority method does not move it.
    pub pinned: bool,
    pub replaces: Option<String>,
    pub replaced_by: Option<String>,
    pub tickets: Vec<(String, String)>,
    pub payments: Vec<PaymentView>,
    /// Methods the plan may move to (SPEC "Per-plan repayment method").
    pub switch_methods: Vec<MethodOption>,
    pub switch_error: Option<String>,
    /// Paid, not shipped: the shopper may have it refunded.
    pub can_refund: bool,
    /// What a refund gives back (the ledger's net taken), and how many
    /// unpaid instalments it cancels.
    pub refund_total: Fen,
    pub refund_cancels: usize,
    pub refund_error: Option<String>,
}

impl OrderArticle {
    fn build(ctx: PageCtx, d: &Detail) -> OrderArticle {
        let o: &Order = &d.order;
        OrderArticle {
            order_no: o.order_no.clone(),
            status: o.status.as_str(),
            status_label: ctx.status_label(o.status),
            placed: ctx.time(&o.created_at),
            deadline: ctx.time(&o.pay_deadline),
            items: d
                .items
                .iter()
                .map(|i| ItemView {
                    name: ctx.pick(&i.name_zh, &i.name_en).to_owned(),
                    unit_price: i.unit_price_fen,
                    quantity: i.quantity,
                    line_total: i.line_total(),
                    product_id: i.product_id.0,
                })
                .collect(),
            items_total: o.items_fen,
            shipping: ctx.text(&format!("shipping.{}", o.shipping_method.as_str())),
            shipping_fee: o.shipping_fen,
            fees: o.fee_fen,
            total: o.total_fen,
            plan: ctx.plan_label(o.plan),
            rate: o.monthly_fee_bp.to_string(),
            method: d
                .method
                .as_ref()
                .map(|m| ctx.method_label(m))
                .unwrap_or_default(),
            paid_at: o.paid_at.as_ref().map(|t| ctx.time(t)).unwrap_or_default(),
            ended_at: o.ended_at.as_ref().map(|t| ctx.time(t)).unwrap_or_default(),
            cancel_reason: o
                .cancel_reason
                .map(|r| ctx.text(&format!("cancel_reason.{}", r.as_str())))
                .unwrap_or_default(),
            instalments: d
                .instalments
                .iter()
                .map(|i| InstalmentView::of(&ctx, i))
                .collect(),
            next_due: d.next_instalment().map(|i| InstalmentView::of(&ctx, i)),
            overdue: d.overdue().map(|i| InstalmentView::of(&ctx, i)),
            events: d.events.iter().map(|e| EventView::of(&ctx, e)).collect(),
            switch_methods: MethodOption::list(
                &ctx,
                &d.live_methods,
                d.repayment_method.as_ref().map(|m| m.id),
            ),
            switch_error: None,
            can_refund: d.actions.refund,
            refund_total: net_taken(&d.payments),
            refund_cancels: d.instalments.iter().filter(|i| i.status.is_open()).count(),
            refund_error: None,
            payments: d
                .payments
                .iter()
                .map(|p| PaymentView::of(&ctx, p, &d.payment_methods))
                .collect(),
            can_pay: d.actions.pay,
            can_cancel: d.actions.cancel,
            can_buy_again: d.actions.buy_again,
            installment: o.is_installment(),
            path: d.actions.change.as_str(),
            form_token: new_form_token(),
            repayment_method: d
                .repayment_method
                .as_ref()
                .map(|m| m.describe())
                .unwrap_or_default(),
            pinned: d.is_pinned(),
            replaces: d.replaces.clone(),
            replaced_by: d.replaced_by.clone(),
            tickets: d
                .tickets
                .iter()
                .map(|t| {
                    let status = t.status.as_str();
                    (
                        t.ticket_no.clone(),
                        ctx.text(&format!("ticket.status.{status}")),
                    )
                })
                .collect(),
            ctx,
        }
    }

    pub fn is_installment(&self) -> bool {
        self.installment
    }
}

pub async fn show_order(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
) -> Result<OrderPage, AppError> {
    let detail = svc::detail(
        &state.db,
        &state.order_pages,
        shopper.id,
        shopper.revision,
        path.into_inner(),
        state.clock.now(),
    )
    .await?;
    let article = state.order_articles.article(shopper.id, &ctx, &detail)?;
    Ok(OrderPage {
        order_no: detail.order.order_no.clone(),
        article,
        ctx,
    })
}

/// Rendered order articles, each with the page data it was rendered from:
/// reused while the order service hands out that same data (unchanged
/// since, see [`crate::service::orders::DetailCache`]) for the same
/// language and set of actions. The per-request parts — the session's CSRF
/// token and a fresh form token — are rendered as per-process random marks
/// and put in at each view; both tokens are alphanumeric, so they read
/// exactly as the template would have written them.
pub struct ArticleCache(quick_cache::sync::Cache<ArticleKey, Arc<RenderedArticle>>);

type ArticleKey = (UserId, String, Lang, OrderActions);

pub struct RenderedArticle {
    /// What it was rendered from (kept alive, so the pointer stays unique).
    data: Arc<OrderDetail>,
    /// The HTML cut at the marks: text, then what goes after it.
    pieces: Vec<(String, Option<Mark>)>,
}

#[derive(Clone, Copy)]
enum Mark {
    Csrf,
    FormToken,
}

/// The marks, random per process: text no data can contain by chance.
static MARKS: LazyLock<(String, String)> = LazyLock::new(|| {
    let mut rng = rand::rng();
    (
        format!("csrfMark{}", Alphanumeric.sample_string(&mut rng, 24)),
        format!("formMark{}", Alphanumeric.sample_string(&mut rng, 24)),
    )
});

impl ArticleCache {
    pub const CAPACITY: usize = 4096;

    pub fn new() -> ArticleCache {
        ArticleCache(quick_cache::sync::Cache::new(Self::CAPACITY))
    }

    /// The order's article for this request.
    fn article(&self, user: UserId, ctx: &PageCtx, detail: &Detail) -> Result<String, AppError> {
        let key = (
            user,
            detail.order.order_no.clone(),
            ctx.lang,
            detail.actions,
        );
        let rendered = match self.0.get(&key) {
            Some(hit) if Arc::ptr_eq(&hit.data, detail.data()) => hit,
            _ => {
                let rendered = Arc::new(Self::render(ctx, detail)?);
                self.0.insert(key, rendered.clone());
                rendered
            }
        };
        let form_token = new_form_token();
        let mut html = String::with_capacity(
            rendered
                .pieces
                .iter()
                .map(|(text, _)| text.len() + 64)
                .sum(),
        );
        for (text, mark) in &rendered.pieces {
            html.push_str(text);
            match mark {
                Some(Mark::Csrf) => html.push_str(&ctx.csrf),
                Some(Mark::FormToken) => html.push_str(&form_token),
                None => {}
            }
        }
        Ok(html)
    }

    fn render(ctx: &PageCtx, detail: &Detail) -> Result<RenderedArticle, AppError> {
        let (csrf_mark, form_mark) = &*MARKS;
        let mut marked = ctx.clone();
        marked.csrf = csrf_mark.clone();
        let mut article = OrderArticle::build(marked, detail);
        article.form_token = form_mark.clone();
        let html = article.render()?;
        let mut pieces = Vec::new();
        let mut rest = html.as_str();
        loop {
            let next = [(csrf_mark, Mark::Csrf), (form_mark, Mark::FormToken)]
                .into_iter()
                .filter_map(|(m, kind)| rest.find(m.as_str()).map(|at| (at, m.len(), kind)))
                .min_by_key(|(at, _, _)| *at);
            match next {
                Some((at, len, kind)) => {
                    pieces.push((rest[..at].to_owned(), Some(kind)));
                    rest = &rest[at + len..];
                }
                None => {
                    pieces.push((rest.to_owned(), None));
                    break;
                }
            }
        }
        Ok(RenderedArticle {
            data: detail.data().clone(),
            pieces,
        })
    }
}

impl Default for ArticleCache {
    fn default() -> Self {
        ArticleCache::new()
    }
}

fn refusal_flash(session: &Session, refusal: Refusal) {
    let key = match refusal {
        Refusal::Expired => "order.flash.expired",
        Refusal::AlreadyDone => "order.flash.already_done",
        Refusal::PaymentInProgress => "order.flash.in_progress",
        Refusal::State(OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed) => {
            "order.flash.already_paid"
        }
        Refusal::State(OrderStatus::Cancelled) => "order.flash.already_cancelled",
        Refusal::State(OrderStatus::Refunded) => "order.flash.already_refunded",
        Refusal::State(_) => "order.flash.already_closed",
    };
    let kind = if refusal == Refusal::Expired {
        FlashKind::Error
    } else {
        FlashKind::Info
    };
    set_flash(session, kind, key, "");
}

pub async fn pay_order(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (order_no, now, gateway) = (path.into_inner(), state.clock.now(), state.gateway.clone());
    let (no, settings) = (order_no.clone(), &state.settings);
    let outcome = svc::pay(
        &state.db,
        gateway,
        settings,
        shopper.id,
        no,
        form.token(),
        now,
    )
    .await?;
    match outcome {
        PayOutcome::Paid => set_flash(&session, FlashKind::Success, "order.flash.paid", ""),
        PayOutcome::Declined { reason } => {
            let reason = format!("decline.{reason}");
            set_flash_keyed(&session, FlashKind::Error, "order.flash.declined", &reason);
        }
        PayOutcome::MethodGone => {
            set_flash(&session, FlashKind::Error, "order.flash.method_gone", "");
        }
        PayOutcome::Refused(r) => refusal_flash(&session, r),
        PayOutcome::Ineligible(e) => {
            let why = plan_error_text(&ctx, e);
            set_flash(&session, FlashKind::Error, "order.flash.ineligible", why);
        }
        PayOutcome::Voided => set_flash(&session, FlashKind::Error, "order.flash.voided", ""),
    }
    Ok(see_other(&format!("/orders/{order_no}")))
}

pub async fn cancel_order(
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let order_no = path.into_inner();
    let now = state.clock.now();
    match svc::cancel(&state.db, shopper.id, order_no.clone(), form.token(), now).await? {
        Ok(()) => set_flash(&session, FlashKind::Success, "order.flash.cancelled", ""),
        Err(r) => refusal_flash(&session, r),
    }
    Ok(see_other(&format!("/orders/{order_no}")))
}

/// Rule 4: the order's items go back in the cart; price or stock changes are named.
pub async fn buy_again(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let order_no = path.into_inner();
    let now = state.clock.now();
    let outcome =
        change_svc::buy_again(&state.db, shopper.id, order_no.clone(), form.token(), now).await?;
    match outcome {
        Err(_) => {
            set_flash(&session, FlashKind::Info, "order.flash.still_unpaid", "");
            Ok(see_other(&format!("/orders/{order_no}")))
        }
        Ok(changes) if changes.is_empty() => {
            set_flash(&session, FlashKind::Success, "order.flash.bought_again", "");
            Ok(see_other("/cart"))
        }
        Ok(changes) => {
            let list = changes_text(&ctx, &changes);
            set_flash(
                &session,
                FlashKind::Info,
                "order.flash.bought_again_changed",
                list,
            );
            Ok(see_other("/cart"))
        }
    }
}

#[derive(Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    acknowledge: String,
    #[serde(default)]
    form_token: String,
}

/// Refund before shipping (SPEC "Repayment center"): → detail with what was
/// given back; without the acknowledgement the order page again with a 422.
pub async fn refund_order(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<RefundForm>,
) -> Result<HttpResponse, AppError> {
    let (now, order_no) = (state.clock.now(), path.into_inner());
    let outcome = refund_svc::refund(
        &state.db,
        &state.gateway,
        shopper.id,
        order_no.clone(),
        ticked(&form.acknowledge),
        sent_token(&form.form_token),
        now,
    )
    .await?;
    let (kind, key) = match outcome {
        Ok(()) => (FlashKind::Success, "refund.flash.done"),
        Err(RefundRefusal::NotAcknowledged) => {
            let detail = svc::detail(
                &state.db,
                &state.order_pages,
                shopper.id,
                None,
                order_no,
                now,
            )
            .await?;
            let mut article = OrderArticle::build(ctx, &detail);
            article.refund_error = Some(article.ctx.text("refund.error.acknowledge"));
            return render(OrderPage::of(article)?, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(RefundRefusal::AlreadyDone) => (FlashKind::Info, "order.flash.already_done"),
        Err(RefundRefusal::PaymentInProgress) => (FlashKind::Info, "order.flash.in_progress"),
        Err(RefundRefusal::State(OrderStatus::Refunded)) => {
            (FlashKind::Info, "order.flash.already_refunded")
        }
        Err(RefundRefusal::State(OrderStatus::Shipped | OrderStatus::Completed)) => {
            (FlashKind::Error, "refund.error.shipped")
        }
        Err(RefundRefusal::State(_)) => (FlashKind::Error, "refund.error.not_paid"),
    };
    set_flash(&session, kind, key, "");
    Ok(see_other(&format!("/orders/{order_no}")))
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    payment_method_id: String,
    #[serde(default)]
    acknowledge: String,
}

/// Per-plan repayment method: the plan's remaining instalments move to the
/// chosen method (pinned). A refusal is shown on the order page with a 4xx.
pub async fn switch_repayment_method(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<SwitchForm>,
) -> Result<HttpResponse, AppError> {
    let (now, order_no) = (state.clock.now(), path.into_inner());
    let Some(method) = method_id(&form.payment_method_id) else {
        return refuse_switch(
            ctx,
            &state,
            shopper,
            order_no,
            SwitchRefusal::MethodNotFound,
        )
        .await;
    };
    let acknowledged = ticked(&form.acknowledge);
    let no = order_no.clone();
    match repay_svc::switch_plan_method(&state.db, shopper.id, no, method, acknowledged, now)
        .await?
    {
        Ok(()) => {
            set_flash(&session, FlashKind::Success, "switch.flash.done", "");
            Ok(see_other(&format!("/orders/{order_no}")))
        }
        Err(refusal) => refuse_switch(ctx, &state, shopper, order_no, refusal).await,
    }
}

async fn refuse_switch(
    ctx: PageCtx,
    state: &State,
    shopper: CurrentShopper,
    order_no: String,
    refusal: SwitchRefusal,
) -> Result<HttpResponse, AppError> {
    let detail = svc::detail(
        &state.db,
        &state.order_pages,
        shopper.id,
        // Read anew: this request may have written.
        None,
        order_no,
        state.clock.now(),
    )
    .await?;
    let mut page = OrderArticle::build(ctx, &detail);
    let (text, status) = match refusal {
        SwitchRefusal::NotAcknowledged => (
            page.ctx.text("switch.error.acknowledge"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        SwitchRefusal::MethodNotFound => (
            page.ctx.text("checkout.error.method"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        SwitchRefusal::NothingToSwitch => (
            page.ctx.text("staff.error.nothing_to_switch"),
            StatusCode::CONFLICT,
        ),
        SwitchRefusal::TooClose { next_due } => (
            page.ctx.tv("switch.error.too_close", &next_due.to_string()),
            StatusCode::CONFLICT,
        ),
        SwitchRefusal::Expires { last_due } => (
            page.ctx
                .tv("plan.error.card_expires", &last_due.to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    page.switch_error = Some(text);
    render(OrderPage::of(page)?, status)
}

/// `name ¥1.00 → ¥2.00; other: only 3 left`.
fn changes_text(ctx: &PageCtx, changes: &[ItemChange]) -> String {
    changes
        .iter()
        .map(|c| {
            let name = ctx.pick(&c.name_zh, &c.name_en);
            if c.old_price != c.new_price {
                let (old, new) = (fen_token(c.old_price), fen_token(c.new_price));
                format!("{name} {old} → {new}")
            } else {
                let short = ctx.tv("cart.short_of_stock", &c.stock.to_string());
                format!("{name}: {short}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
