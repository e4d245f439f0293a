//! `/account/payment-methods`: list in priority order, add, make priority, remove.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::ctx::{FlashKind, PageCtx, set_flash};
use super::extract::{CsrfForm, CurrentShopper};
use super::forms::{MethodOption, Refuses, keep_or_new_token, render_refused};
use super::{State, parse_id, see_other};
use crate::clock::local_date;
use crate::domain::Fen;
use crate::domain::card::CardError;
use crate::domain::ids::PaymentMethodId;
use crate::domain::method::{MethodFieldError, MethodKind, PaymentMethod};
use crate::error::AppError;
use crate::service::payment_methods::{self as svc, Added, MethodInput};
use crate::service::repayments::{self, PlanImpact, RemoveOutcome};
use crate::service::tokens::parse_token;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AddMethodForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    card_number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    holder_name: String,
    #[serde(default)]
    account_label: String,
    /// One-time token: the same form sent twice saves one method.
    #[serde(default)]
    form_token: String,
}

pub struct KindOption {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/payment_methods.html")]
pub struct MethodsPage {
    pub ctx: PageCtx,
    pub methods: Vec<MethodOption>,
    pub kinds: Vec<KindOption>,
    /// Input kept on error; the card number is never sent back.
    pub form: AddMethodForm,
    pub kind_error: Option<String>,
    pub card_number_error: Option<String>,
    pub expiry_error: Option<String>,
    pub holder_name_error: Option<String>,
    pub account_label_error: Option<String>,
    pub confirm_priority: Option<MethodOption>,
    pub confirm_remove: Option<MethodOption>,
    pub impacts: Vec<ImpactRow>,
    pub unpaid_orders: Vec<String>,
    pub remove_refused: bool,
}

/// One active plan in a priority or removal preview.
pub struct ImpactRow {
    pub order_no: String,
    pub due: String,
    pub amount: Option<Fen>,
    pub from: String,
    pub to: String,
    /// The new priority expires too soon: the plan keeps its method.
    pub keeps: bool,
}

impl ImpactRow {
    fn of(i: &PlanImpact) -> ImpactRow {
        ImpactRow {
            order_no: i.order_no.clone(),
            due: i
                .next
                .as_ref()
                .map(|n| n.due_on.to_string())
                .unwrap_or_default(),
            amount: i.next_amount(),
            from: i.from.as_ref().map(|m| m.describe()).unwrap_or_default(),
            to: i.to.as_ref().map(|m| m.describe()).unwrap_or_default(),
            keeps: i.keeps(),
        }
    }
}

impl MethodsPage {
    fn build(ctx: PageCtx, methods: &[PaymentMethod], mut form: AddMethodForm) -> MethodsPage {
        form.form_token = keep_or_new_token(&form.form_token);
        let kind = if form.kind.is_empty() {
            "credit_card"
        } else {
            form.kind.as_str()
        };
        MethodsPage {
            methods: MethodOption::list(&ctx, methods, None),
            kinds: MethodKind::ALL
                .into_iter()
                .map(|k| KindOption {
                    value: k.as_str(),
                    label: ctx.text(&format!("method.kind.{}", k.as_str())),
                    selected: k.as_str() == kind,
                })
                .collect(),
            form: AddMethodForm {
                card_number: String::new(),
                ..form
            },
            kind_error: None,
            card_number_error: None,
            expiry_error: None,
            holder_name_error: None,
            account_label_error: None,
            confirm_priority: None,
            confirm_remove: None,
            impacts: Vec::new(),
            unpaid_orders: Vec::new(),
            remove_refused: false,
            ctx,
        }
    }
}

#[derive(Deserialize)]
pub struct MethodsQuery {
    #[serde(default)]
    priority: String,
    #[serde(default)]
    remove: String,
}

pub async fn list_methods(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
    query: web::Query<MethodsQuery>,
) -> Result<MethodsPage, AppError> {
    let methods = svc::list(&state.db, shopper.id).await?;
    let option_of = |ctx: &PageCtx, id: PaymentMethodId| {
        MethodOption::list(ctx, &methods, None)
            .into_iter()
            .find(|o| o.id == id)
    };
    let mut page = MethodsPage::build(ctx, &methods, AddMethodForm::default());
    if let Ok(id) = query.priority.parse::<i32>().map(PaymentMethodId)
        && let Some((_, impacts)) = repayments::priority_impact(&state.db, shopper.id, id).await?
    {
        page.confirm_priority = option_of(&page.ctx, id);
        page.impacts = impacts.iter().map(ImpactRow::of).collect();
    } else if let Ok(id) = query.remove.parse::<i32>().map(PaymentMethodId)
        && let Some(impact) = repayments::removal_impact(&state.db, shopper.id, id).await?
    {
        page.confirm_remove = option_of(&page.ctx, id);
        page.impacts = impact.affected.iter().map(ImpactRow::of).collect();
        page.unpaid_orders = impact.unpaid_orders;
        page.remove_refused = impact.refused;
    }
    Ok(page)
}

fn card_error_key(e: CardError) -> &'static str {
    match e {
        CardError::Format => "method.error.card_format",
        CardError::Luhn => "method.error.card_luhn",
        CardError::ExpiryFormat => "method.error.expiry_format",
        CardError::Expired => "method.error.expired",
    }
}

impl Refuses<Vec<MethodFieldError>> for MethodsPage {
    fn refuse(&mut self, errors: Vec<MethodFieldError>) -> StatusCode {
        let t = |key: &str| Some(self.ctx.text(key));
        for e in errors {
            match e {
                MethodFieldError::Kind => self.kind_error = t("method.error.kind"),
                MethodFieldError::CardNumber(c) => self.card_number_error = t(card_error_key(c)),
                MethodFieldError::Expiry(c) => self.expiry_error = t(card_error_key(c)),
                MethodFieldError::HolderName => self.holder_name_error = t("method.error.holder"),
                MethodFieldError::AccountLabel => {
                    self.account_label_error = t("method.error.label");
                }
            }
        }
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

pub async fn add_method(
    ctx: PageCtx,
    session: Session,
    shopper: CurrentShopper,
    state: State,
    CsrfForm(form): CsrfForm<AddMethodForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let input = MethodInput {
        kind: form.kind.clone(),
        card_number: form.card_number.clone(),
        expiry: form.expiry.clone(),
        holder_name: form.holder_name.clone(),
        account_label: form.account_label.clone(),
    };
    let token = parse_token(&form.form_token);
    match svc::add(&state.db, shopper.id, input, token, local_date(now), now).await? {
        Ok(Added::New(_)) => {
            set_flash(&session, FlashKind::Success, "method.flash.added", "");
            Ok(see_other("/account/payment-methods"))
        }
        Ok(Added::Repeated) => {
            set_flash(&session, FlashKind::Info, "method.flash.already_added", "");
            Ok(see_other("/account/payment-methods"))
        }
        Err(errors) => {
            let methods = svc::list(&state.db, shopper.id).await?;
            render_refused(MethodsPage::build(ctx, &methods, form), errors)
        }
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

impl ConfirmForm {
    /// Any value but an explicit no confirms (`on`, `1`, `true`, `yes`…).
    fn confirmed(&self) -> bool {
        let v = self.confirm.trim();
        !v.is_empty() && !matches!(v, "0" | "false" | "off" | "no")
    }
}

/// Without `confirm` the shopper is first shown which plans change and how.
pub async fn make_priority(
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let id = PaymentMethodId(parse_id(&path)?);
    if !form.confirmed() {
        return Ok(see_other(&format!(
            "/account/payment-methods?priority={id}"
        )));
    }
    if !repayments::make_priority(&state.db, shopper.id, id, state.clock.now()).await? {
        return Err(AppError::NotFound);
    }
    set_flash(&session, FlashKind::Success, "method.flash.priority", "");
    Ok(see_other("/account/payment-methods"))
}

/// A method that installment plans are charged to is removed only after the
/// shopper saw where they move (`confirm`); with nothing to take over it is
/// refused. Unpaid orders that used it are named after the removal.
pub async fn remove_method(
    session: Session,
    shopper: CurrentShopper,
    state: State,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let id = PaymentMethodId(parse_id(&path)?);
    let impact = repayments::removal_impact(&state.db, shopper.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Plans charged to it: show where they move before anything changes.
    if !impact.affected.is_empty() && !form.confirmed() {
        return Ok(see_other(&format!("/account/payment-methods?remove={id}")));
    }
    let (kind, key, value) =
        match repayments::remove_method(&state.db, shopper.id, id, state.clock.now()).await? {
            RemoveOutcome::Removed if !impact.unpaid_orders.is_empty() => (
                FlashKind::Info,
                "method.flash.removed_unpaid",
                impact.unpaid_orders.join(", "),
            ),
            RemoveOutcome::Removed => (FlashKind::Success, "method.flash.removed", String::new()),
            RemoveOutcome::Refused => (
                FlashKind::Error,
                "method.flash.remove_refused",
                String::new(),
            ),
            RemoveOutcome::NotFound => return Err(AppError::NotFound),
        };
    set_flash(&session, kind, key, value);
    Ok(see_other("/account/payment-methods"))
}
