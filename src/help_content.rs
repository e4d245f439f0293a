//! The help center's articles, loaded into an empty `help_articles` table at
//! start (with or without demo data: they document the product). Bodies are
//! paragraphs separated by blank lines; `[text](/path)` links into the shop;
//! `{hotline}`, `{service_hours}`, `{payment_window}` and `{minimum}` are
//! filled from configuration when shown.

use crate::db::Db;
use crate::db::help::{self, NewHelpArticle};
use crate::error::AppError;

/// (slug, category, title zh, title en, body zh, body en)
type Article = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const ARTICLES: [Article; 8] = [
    (
        "change-payment-method",
        "payments",
        "如何更换订单的支付方式",
        "How to change how an order is paid",
        "待付款的订单可以自行更换：在[我的订单](/orders)打开订单，点击“更换支付方式”。先选择新的付款方案和支付方式，页面会把当前方案和新方案并排对比：应付总额、手续费、每期金额、期数和首期还款日，有变化的条款会标出。\n\n如果只更换支付方式、方案和期数不变，订单号、商品和库存都保留，确认后即可用新方式支付。如果更换了分期方案或期数，相当于签订新的分期合同：确认后原订单会被取消（原因：更换支付方式），商品放回购物车，并带您按新方案重新下单，新旧订单互相关联。\n\n已支付、已发货或已完成的订单不能自行更换支付方式。分期订单可以申请更换后续还款的扣款方式：拨打客服热线 {hotline}（{service_hours}），或在[客服工单](/support)提交在线服务申请。",
        "An unpaid order can be changed by yourself: open it in [My orders](/orders) and choose \"Change payment method\". Pick the new plan and method first; the page then shows the current and the new plan side by side — total cost, fees, monthly amount, number of payments and first due date — and marks every term that differs.\n\nIf only the method changes and the plan and term stay, the order keeps its number, items and stock hold, and you can pay with the new method right away. A new plan or term is a new instalment contract: confirming cancels the order (reason: payment method changed), puts its items back in your cart and takes you to checkout with the new plan; the two orders link to each other.\n\nA paid, shipped or completed order cannot be changed here. For an installment order you can ask to change the method the remaining instalments are charged to: call {hotline} ({service_hours}) or send an online request from [Service requests](/support).",
    ),
    (
        "installment-fees",
        "payments",
        "分期手续费如何计算",
        "How installment fees are calculated",
        "订单金额（商品加运费）满 {minimum} 可选择 3、6、12 或 24 期分期。每期手续费 = 订单金额 × 月费率，按四舍五入精确到分，每期相同；总手续费 = 每期手续费 × 期数。当前费率见下表。\n\n本金平均分摊到每一期，除不尽的零头（不足期数的几分钱）计入第一期，所以各期合计正好等于订单金额加手续费。第一期在支付后一个月的同一天扣款，之后每月同一天；遇到月末会取当月最后一天。\n\n信用卡或借记卡的有效期必须晚于最后一期还款日，否则不能用于该分期方案。下单和更换方案前，页面都会显示每期金额和手续费，请在[结算页](/checkout)核对。",
        "Orders of {minimum} or more (goods plus shipping) can be paid in 3, 6, 12 or 24 instalments. The monthly fee is the order amount × the monthly rate, rounded half up to the fen, and the same every month; total fees are the monthly fee × the number of months. Current rates are in the table below.\n\nThe principal is split evenly; the few fen that do not divide go to the first instalment, so the instalments add up exactly to the order amount plus fees. The first instalment is charged one month after payment on the same day, then monthly; at a month's end it falls on the last day of the month.\n\nA card must stay valid past the last due date to carry an installment plan. Checkout and the change page show every monthly amount and fee before you commit; check them at [checkout](/checkout).",
    ),
    (
        "priority-payment-method",
        "payments",
        "什么是优先支付方式",
        "What is the priority payment method",
        "在[支付方式](/account/payment-methods)页面，排在第一位的就是优先支付方式。结算时会默认选中它，所有跟随账户设置的分期订单，每期还款也从它扣款。\n\n更换优先支付方式前，页面会列出受影响的分期计划，以及每个计划下一次扣款的日期、金额和变更前后的扣款方式，确认后才会生效，并记录在订单动态里。\n\n删除一个正在用于扣款的支付方式时，这些分期会改从新的优先支付方式扣款；如果没有其他支付方式可以接替，删除会被拒绝，请先添加新的支付方式。",
        "On [Payment methods](/account/payment-methods), the first method is your priority payment method. It is preselected at checkout, and every installment order that follows the account setting is charged to it.\n\nBefore you change it, the page lists the affected plans with each one's next deduction — date, amount and method before and after — and nothing changes until you confirm; the change is recorded on each order's timeline.\n\nRemoving a method that plans are charged to moves them to the new priority method; if no other method could take over, the removal is refused — add another method first.",
    ),
    (
        "payment-window",
        "orders",
        "订单需要在多长时间内支付",
        "How long you have to pay an order",
        "下单后请在 {payment_window} 分钟内完成支付，订单详情页会显示支付截止时间。超时未支付的订单会自动关闭，占用的库存会释放。\n\n已关闭或已取消的订单可以点击“再次购买”，商品会放回购物车；价格或库存有变化的商品会提示您。",
        "Please pay within {payment_window} minutes of ordering; the order page shows the deadline. Unpaid orders close automatically when it passes and their stock is released.\n\nA closed or cancelled order offers \"Buy again\": its items go back in your cart, and any whose price or stock changed are pointed out.",
    ),
    (
        "cancel-order",
        "orders",
        "如何取消订单",
        "How to cancel an order",
        "待付款的订单可以在订单详情页直接取消，库存会立即释放。已付款的订单请联系客服 {hotline}。\n\n重复点击或刷新页面不会重复取消，页面会提示该操作已经完成。",
        "An unpaid order can be cancelled from its page; its stock is released at once. For a paid order, call customer service on {hotline}.\n\nClicking twice or reloading never cancels twice: the page tells you it was already done.",
    ),
    (
        "service-requests",
        "orders",
        "如何提交和查看在线服务申请",
        "Service requests: sending and following them",
        "已支付的分期订单如需更换后续还款方式，可在订单的“更换支付方式”页面进入在线服务申请，订单号会自动填好。选择希望使用的支付方式，写明情况，并再次输入登录密码确认身份后提交。\n\n每个申请都有工单号，可以在[客服工单](/support)查看处理状态（处理中、已处理、未通过）和客服回复。客服为您更换后，剩余未还的分期会从新的支付方式扣款，订单动态里也会记录。\n\n服务时间：{service_hours}，热线 {hotline}。",
        "To change how the remaining instalments of a paid order are charged, open the order's \"Change payment method\" page and send a service request; the order number is filled in. Choose the method you want, describe the situation and confirm your identity with your password.\n\nEvery request gets a number; follow its status (open, resolved, declined) and the agent's reply under [Service requests](/support). Once an agent switches the method, the remaining instalments are charged to it, and the order's timeline records the change.\n\nService hours: {service_hours}, hotline {hotline}.",
    ),
    (
        "overdue-instalments",
        "payments",
        "分期扣款失败怎么办",
        "When an instalment charge fails",
        "到期的分期会自动从还款方式扣款。扣款失败时，该期会标记为逾期并注明原因，系统会在 6 小时后再次尝试。\n\n您可以在[支付方式](/account/payment-methods)把一张可用的卡设为优先支付方式，下次扣款就会使用它。每一次扣款成功或失败都会记录在订单动态里。",
        "Instalments are charged automatically on their due date. If a charge fails, the instalment is marked overdue with the reason and tried again 6 hours later.\n\nMake a working card your priority method under [Payment methods](/account/payment-methods) and the next attempt uses it. Every charge and every failure is recorded on the order's timeline.",
    ),
    (
        "account-security",
        "account",
        "账户与支付安全",
        "Account and payment security",
        "我们只保存银行卡的品牌、末四位和有效期，不保存完整卡号和安全码；支付宝和微信支付只保存脱敏后的账号。\n\n连续 5 次登录失败后，账户会暂时锁定 15 分钟。退出登录后，该登录状态在服务器端立即失效。提交服务申请时需要再次输入密码确认身份。",
        "We keep only a card's brand, last four digits and expiry — never the full number or security code; Alipay and WeChat Pay accounts are kept masked.\n\nAfter 5 failed sign-ins in a row the account is locked for 15 minutes. Signing out ends the session on the server at once. Service requests ask for your password again to confirm it is you.",
    ),
];

/// Loads the articles into an empty help center.
pub fn ensure_help_articles(db: &Db) -> Result<(), AppError> {
    db.write_blocking(|conn| {
        if help::count_articles(conn)? > 0 {
            return Ok(());
        }
        let rows: Vec<NewHelpArticle<'_>> = ARTICLES
            .iter()
            .enumerate()
            .map(
                |(i, (slug, category, title_zh, title_en, body_zh, body_en))| NewHelpArticle {
                    slug,
                    category,
                    position: i32::try_from(i).unwrap_or(0),
                    title_zh,
                    title_en,
                    body_zh,
                    body_en,
                },
            )
            .collect();
        Ok(help::insert_articles(conn, &rows)?)
    })
}
