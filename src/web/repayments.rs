//! `/repayments`: the repayment center (SPEC "Repayment center").

use askama::Template;
use askama_web::WebTemplate;

use super::State;
use super::ctx::PageCtx;
use super::extract::CurrentShopper;
use crate::domain::Fen;
use crate::domain::order::InstalmentStatus;
use crate::error::AppError;
use crate::service::repayments::{self as svc, Due};

pub struct DueRow {
    pub order_no: String,
    pub seq: i32,
    pub due: String,
    pub amount: Fen,
    pub overdue: bool,
    pub method: String,
    pub status_label: String,
}

impl DueRow {
    fn of(ctx: &PageCtx, d: &Due) -> DueRow {
        let i = &d.instalment;
        DueRow {
            order_no: d.order_no.clone(),
            seq: i.seq,
            due: i.due_on.to_string(),
            amount: i.amount(),
            overdue: i.status == InstalmentStatus::Overdue,
            method: d
                .method
                .as_ref()
                .map(|m| ctx.method_label(m))
                .unwrap_or_default(),
            status_label: ctx.t(&format!("instalment.{}", i.status.as_str())),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "repayments/index.html")]
pub struct RepaymentsPage {
    pub ctx: PageCtx,
    pub plans: usize,
    pub dues: Vec<DueRow>,
    pub outstanding: Fen,
}

pub async fn repayment_center(
    ctx: PageCtx,
    shopper: CurrentShopper,
    state: State,
) -> Result<RepaymentsPage, AppError> {
    let center = svc::center(&state.db, shopper.id).await?;
    Ok(RepaymentsPage {
        dues: center.dues.iter().map(|d| DueRow::of(&ctx, d)).collect(),
        plans: center.plans,
        outstanding: center.outstanding,
        ctx,
    })
}
