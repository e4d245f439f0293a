// @generated automatically by Diesel CLI.

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    cart_items (user_id, product_id) {
        user_id -> Integer,
        product_id -> Integer,
        quantity -> Integer,
        added_at -> Timestamp,
    }
}

diesel::table! {
    categories (id) {
        id -> Integer,
        slug -> Text,
        name_zh -> Text,
        name_en -> Text,
        position -> Integer,
    }
}

diesel::table! {
    form_tokens (token) {
        token -> Text,
        user_id -> Integer,
        used_at -> Timestamp,
    }
}

diesel::table! {
    help_articles (id) {
        id -> Integer,
        slug -> Text,
        category -> Text,
        position -> Integer,
        title_zh -> Text,
        title_en -> Text,
        body_zh -> Text,
        body_en -> Text,
    }
}

diesel::table! {
    installment_terms (months) {
        months -> Integer,
        monthly_fee_bp -> Integer,
    }
}

diesel::table! {
    instalments (id) {
        id -> Integer,
        order_id -> Integer,
        seq -> Integer,
        due_on -> Date,
        principal_fen -> BigInt,
        fee_fen -> BigInt,
        status -> Text,
        paid_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (account) {
        account -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Integer,
        message_id -> Integer,
        to_address -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    messages (id) {
        id -> Integer,
        user_id -> Integer,
        order_id -> Integer,
        instalment_id -> Integer,
        kind -> Text,
        dedupe_key -> Text,
        due_on -> Date,
        amount_fen -> BigInt,
        method -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    order_events (id) {
        id -> Integer,
        order_id -> Integer,
        at -> Timestamp,
        actor -> Text,
        kind -> Text,
        from_value -> Nullable<Text>,
        to_value -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    order_items (id) {
        id -> Integer,
        order_id -> Integer,
        product_id -> Integer,
        name_zh -> Text,
        name_en -> Text,
        unit_price_fen -> BigInt,
        quantity -> Integer,
    }
}

diesel::table! {
    orders (id) {
        id -> Integer,
        order_no -> Text,
        user_id -> Integer,
        status -> Text,
        shipping_method -> Text,
        items_fen -> BigInt,
        shipping_fen -> BigInt,
        plan -> Text,
        term_months -> Nullable<Integer>,
        monthly_fee_bp -> Integer,
        fee_fen -> BigInt,
        total_fen -> BigInt,
        payment_method_id -> Integer,
        checkout_token -> Nullable<Text>,
        created_at -> Timestamp,
        pay_deadline -> Timestamp,
        paid_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        repayment_method_id -> Nullable<Integer>,
        replaces_order_id -> Nullable<Integer>,
    }
}

diesel::table! {
    payments (id) {
        id -> Integer,
        order_id -> Integer,
        instalment_id -> Nullable<Integer>,
        purpose -> Text,
        amount_fen -> BigInt,
        method_id -> Integer,
        idempotency_key -> Text,
        state -> Text,
        gateway_ref -> Nullable<Text>,
        failure -> Nullable<Text>,
        attempts -> Integer,
        reverses_id -> Nullable<Integer>,
        requested_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    pending_replacements (user_id) {
        user_id -> Integer,
        order_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    payment_methods (id) {
        id -> Integer,
        user_id -> Integer,
        kind -> Text,
        brand -> Nullable<Text>,
        last4 -> Nullable<Text>,
        expiry_month -> Nullable<Integer>,
        expiry_year -> Nullable<Integer>,
        holder_name -> Nullable<Text>,
        account_label -> Nullable<Text>,
        position -> Integer,
        created_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    products (id) {
        id -> Integer,
        category_id -> Integer,
        name_zh -> Text,
        name_en -> Text,
        description_zh -> Text,
        description_en -> Text,
        price_fen -> BigInt,
        stock -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sandbox_gateway (idempotency_key) {
        idempotency_key -> Text,
        purpose -> Text,
        amount_fen -> BigInt,
        approved -> Bool,
        answer -> Text,
        reverses -> Nullable<Text>,
        calls -> Integer,
        at -> Timestamp,
    }
}

diesel::table! {
    service_tickets (id) {
        id -> Integer,
        ticket_no -> Text,
        user_id -> Integer,
        order_id -> Integer,
        wanted_method_id -> Integer,
        message -> Text,
        status -> Text,
        reply -> Nullable<Text>,
        submit_token -> Nullable<Text>,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Integer>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        state -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        user_id -> Nullable<Integer>,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        account -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        revision -> BigInt,
        unread_messages -> BigInt,
    }
}

diesel::joinable!(cart_items -> products (product_id));
diesel::joinable!(cart_items -> users (user_id));
diesel::joinable!(form_tokens -> users (user_id));
diesel::joinable!(instalments -> orders (order_id));
diesel::joinable!(mail_outbox -> messages (message_id));
diesel::joinable!(messages -> instalments (instalment_id));
diesel::joinable!(messages -> orders (order_id));
diesel::joinable!(messages -> users (user_id));
diesel::joinable!(order_events -> orders (order_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_items -> products (product_id));
diesel::joinable!(orders -> users (user_id));
diesel::joinable!(payment_methods -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(payments -> instalments (instalment_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(payments -> payment_methods (method_id));
diesel::joinable!(pending_replacements -> orders (order_id));
diesel::joinable!(pending_replacements -> users (user_id));
diesel::joinable!(products -> categories (category_id));
diesel::joinable!(service_tickets -> orders (order_id));
diesel::joinable!(service_tickets -> payment_methods (wanted_method_id));

diesel::allow_tables_to_appear_in_same_query!(
    app_secrets,
    cart_items,
    categories,
    form_tokens,
    help_articles,
    installment_terms,
    instalments,
    login_throttle,
    mail_outbox,
    messages,
    order_events,
    order_items,
    orders,
    payment_methods,
    payments,
    pending_replacements,
    products,
    sandbox_gateway,
    service_tickets,
    sessions,
    users,
);
