//! One schema for both backends: portable column types only (`spec/style.md`, habit 7).

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        municipality_code -> Nullable<Text>,
        region_code -> Nullable<Text>,
        cvr -> Nullable<Text>,
        parent_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        role -> Text,
        organisation_id -> Text,
        active -> Bool,
        password_hash -> Nullable<Text>,
        client_id -> Nullable<Text>,
        client_secret_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        username -> Text,
        address -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        response_location -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(auth_sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> auth_sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    organisations,
    users,
    auth_sessions,
    refresh_tokens,
    login_failures,
    idempotency_keys,
);

diesel::table! {
    citizens (id) {
        id -> Text,
        name -> Text,
        cpr_ciphertext -> Nullable<Text>,
        cpr_index -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        municipality_code -> Text,
        preferred_language -> Nullable<Text>,
        organisation_id -> Text,
        anonymised_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    consents (id) {
        id -> Text,
        citizen_id -> Text,
        purpose -> Text,
        given_on -> Date,
        method -> Text,
        expires_on -> Nullable<Date>,
        recorded_by -> Text,
        withdrawn_on -> Nullable<Date>,
        withdrawn_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        user_id -> Text,
        role -> Text,
        organisation_id -> Text,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        citizen_id -> Nullable<Text>,
        request_id -> Text,
    }
}

diesel::joinable!(consents -> citizens (citizen_id));
diesel::allow_tables_to_appear_in_same_query!(citizens, consents, audit_events);
