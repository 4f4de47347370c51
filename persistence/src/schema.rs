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
        scopes -> Text,
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
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(consents -> citizens (citizen_id));
diesel::allow_tables_to_appear_in_same_query!(citizens, consents, audit_events);

diesel::table! {
    status_history (id) {
        id -> Text,
        resource_type -> Text,
        resource_id -> Text,
        status -> Text,
        at -> Timestamp,
        by_user_id -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    programmes (id) {
        id -> Text,
        name -> Text,
        description -> Nullable<Text>,
        funding_source -> Nullable<Text>,
        grant_dkk -> Nullable<BigInt>,
        start_date -> Date,
        end_date -> Nullable<Date>,
        lead_organisation_id -> Text,
        supervision_interval_days -> Integer,
        phase -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    programme_models (programme_id, model) {
        programme_id -> Text,
        model -> Text,
    }
}

diesel::table! {
    programme_partners (id) {
        id -> Text,
        programme_id -> Text,
        organisation_id -> Text,
        role -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    programme_targets (id) {
        id -> Text,
        programme_id -> Text,
        metric -> Text,
        value -> BigInt,
        deadline -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    peer_workers (id) {
        id -> Text,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        organisation_id -> Text,
        engagement -> Text,
        hours_per_week -> Nullable<Integer>,
        status -> Text,
        capacity -> Integer,
        user_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    peer_worker_programmes (peer_worker_id, programme_id) {
        peer_worker_id -> Text,
        programme_id -> Text,
    }
}

diesel::table! {
    peer_worker_municipalities (peer_worker_id, municipality_code) {
        peer_worker_id -> Text,
        municipality_code -> Text,
    }
}

diesel::table! {
    peer_worker_languages (peer_worker_id, language) {
        peer_worker_id -> Text,
        language -> Text,
    }
}

diesel::table! {
    peer_worker_qualifications (id) {
        id -> Text,
        peer_worker_id -> Text,
        kind -> Text,
        earned_via -> Text,
        training_cohort_id -> Nullable<Text>,
        evidence -> Nullable<Text>,
        earned_on -> Date,
        recorded_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    training_cohorts (id) {
        id -> Text,
        programme_id -> Text,
        provider_organisation_id -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    training_cohort_grants (training_cohort_id, kind) {
        training_cohort_id -> Text,
        kind -> Text,
    }
}

diesel::table! {
    training_cohort_trainers (id) {
        id -> Text,
        training_cohort_id -> Text,
        peer_worker_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    training_cohort_enrolments (id) {
        id -> Text,
        training_cohort_id -> Text,
        peer_worker_id -> Text,
        outcome -> Text,
        completed_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    supervision_sessions (id) {
        id -> Text,
        date -> Date,
        supervisor_user_id -> Nullable<Text>,
        supervisor_peer_worker_id -> Nullable<Text>,
        format -> Text,
        topic -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    supervision_attendees (supervision_session_id, peer_worker_id) {
        supervision_session_id -> Text,
        peer_worker_id -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    status_history,
    programmes,
    programme_models,
    programme_partners,
    programme_targets,
    peer_workers,
    peer_worker_programmes,
    peer_worker_municipalities,
    peer_worker_languages,
    peer_worker_qualifications,
    training_cohorts,
    training_cohort_grants,
    training_cohort_trainers,
    training_cohort_enrolments,
    supervision_sessions,
    supervision_attendees,
);

diesel::joinable!(supervision_attendees -> supervision_sessions (supervision_session_id));

diesel::table! {
    support_courses (id) {
        id -> Text,
        citizen_id -> Text,
        model -> Text,
        programme_id -> Text,
        peer_worker_id -> Nullable<Text>,
        coordinator_user_id -> Nullable<Text>,
        context -> Nullable<Text>,
        planned_end_date -> Nullable<Date>,
        status -> Text,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    goals (id) {
        id -> Text,
        support_course_id -> Text,
        text -> Text,
        domain -> Text,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        programme_id -> Nullable<Text>,
    }
}

diesel::table! {
    goal_progress (id) {
        id -> Text,
        goal_id -> Text,
        date -> Date,
        note -> Text,
        self_rating -> Nullable<Integer>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contacts (id) {
        id -> Text,
        support_course_id -> Text,
        date -> Date,
        minutes -> Integer,
        mode -> Text,
        summary -> Nullable<Text>,
        peer_worker_id -> Text,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        programme_id -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    support_courses,
    goals,
    goal_progress,
    contacts,
    citizens
);

// Scopes nest the partnerships in queries of support courses and citizens.
diesel::allow_tables_to_appear_in_same_query!(programme_partners, support_courses);
diesel::allow_tables_to_appear_in_same_query!(programme_partners, citizens);
// Single reads fold the status history and the guiding peer worker into the course's query.
diesel::allow_tables_to_appear_in_same_query!(status_history, support_courses);
diesel::allow_tables_to_appear_in_same_query!(peer_workers, support_courses);

diesel::table! {
    employment_statuses (id) {
        id -> Text,
        citizen_id -> Text,
        effective_on -> Date,
        status -> Text,
        hours_per_week -> Nullable<Integer>,
        employer_organisation_id -> Nullable<Text>,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    referrals (id) {
        id -> Text,
        support_course_id -> Text,
        citizen_id -> Text,
        target_organisation_id -> Text,
        target_kind -> Text,
        sending_organisation_id -> Text,
        purpose -> Text,
        requested_by_citizen -> Bool,
        consent_id -> Text,
        share_phone -> Bool,
        share_email -> Bool,
        status -> Text,
        sent_at -> Nullable<Timestamp>,
        acknowledged_at -> Nullable<Timestamp>,
        accepted_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        programme_id -> Nullable<Text>,
    }
}

diesel::table! {
    retention_checks (id) {
        id -> Text,
        citizen_id -> Text,
        employment_status_id -> Text,
        months_after -> Integer,
        due_on -> Date,
        outcome -> Nullable<Text>,
        recorded_on -> Nullable<Date>,
        recorded_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(retention_checks -> employment_statuses (employment_status_id));
// The citizen scope nests citizens, support courses and partnerships in queries of checks.
diesel::allow_tables_to_appear_in_same_query!(employment_statuses, retention_checks);
diesel::allow_tables_to_appear_in_same_query!(retention_checks, citizens);
diesel::allow_tables_to_appear_in_same_query!(retention_checks, support_courses);
diesel::allow_tables_to_appear_in_same_query!(retention_checks, programme_partners);
// The sender's scope nests the support courses (and their partnerships) in referral queries.
diesel::allow_tables_to_appear_in_same_query!(referrals, support_courses);
diesel::allow_tables_to_appear_in_same_query!(referrals, programme_partners);

diesel::table! {
    partner_invitations (id) {
        id -> Text,
        programme_id -> Text,
        organisation_id -> Text,
        role -> Text,
        invited_by -> Text,
        inviting_organisation_id -> Text,
        created_at -> Timestamp,
    }
}

// The scope of invitations nests the partnerships.
diesel::allow_tables_to_appear_in_same_query!(partner_invitations, programme_partners);
diesel::allow_tables_to_appear_in_same_query!(partner_invitations, programmes);

diesel::table! {
    courses (id) {
        id -> Text,
        programme_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        format -> Text,
        provider_organisation_id -> Text,
        location -> Nullable<Text>,
        capacity -> Integer,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_co_creators (course_id, kind) {
        course_id -> Text,
        kind -> Text,
    }
}

diesel::table! {
    course_teachers (id) {
        id -> Text,
        course_id -> Text,
        peer_worker_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        role -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_sessions (id) {
        id -> Text,
        course_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        location -> Nullable<Text>,
        topic -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_enrolments (id) {
        id -> Text,
        course_id -> Text,
        citizen_id -> Nullable<Text>,
        participant_name -> Nullable<Text>,
        participant_type -> Nullable<Text>,
        status -> Text,
        waitlist_position -> Nullable<Integer>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    course_attendance (id) {
        id -> Text,
        session_id -> Text,
        enrolment_id -> Text,
        status -> Text,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

// Course scopes nest partnerships and teachers (and peer workers) in course queries; the rate
// counts attendance of sessions held.
diesel::allow_tables_to_appear_in_same_query!(courses, programme_partners);
diesel::allow_tables_to_appear_in_same_query!(courses, course_teachers);
diesel::allow_tables_to_appear_in_same_query!(course_teachers, peer_workers);
diesel::allow_tables_to_appear_in_same_query!(courses, peer_workers);
diesel::allow_tables_to_appear_in_same_query!(course_attendance, course_sessions);
diesel::allow_tables_to_appear_in_same_query!(course_attendance, course_enrolments);
diesel::joinable!(course_attendance -> course_sessions (session_id));

diesel::table! {
    advisory_processes (id) {
        id -> Text,
        programme_id -> Text,
        municipality_code -> Text,
        advising_organisation_id -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    advisory_findings (id) {
        id -> Text,
        advisory_process_id -> Text,
        kind -> Text,
        theme -> Text,
        text -> Text,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(advisory_findings -> advisory_processes (advisory_process_id));
diesel::allow_tables_to_appear_in_same_query!(advisory_processes, advisory_findings);
diesel::allow_tables_to_appear_in_same_query!(advisory_processes, programme_partners);

// The programme report groups course facts by the course's format.
diesel::joinable!(course_sessions -> courses (course_id));
diesel::joinable!(course_enrolments -> courses (course_id));
diesel::allow_tables_to_appear_in_same_query!(courses, course_sessions);
diesel::allow_tables_to_appear_in_same_query!(courses, course_enrolments);
diesel::allow_tables_to_appear_in_same_query!(courses, course_attendance);
diesel::allow_tables_to_appear_in_same_query!(course_sessions, course_enrolments);
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    courses::format,
    course_enrolments::participant_type,
    course_attendance::status,
);
// The report's municipality filters nest organisations and citizens in course and employment
// queries.
diesel::allow_tables_to_appear_in_same_query!(courses, organisations);
diesel::allow_tables_to_appear_in_same_query!(course_sessions, organisations);
diesel::allow_tables_to_appear_in_same_query!(course_enrolments, organisations);
diesel::allow_tables_to_appear_in_same_query!(course_attendance, organisations);
diesel::allow_tables_to_appear_in_same_query!(course_enrolments, citizens);
diesel::allow_tables_to_appear_in_same_query!(employment_statuses, citizens);
diesel::allow_tables_to_appear_in_same_query!(employment_statuses, support_courses);
diesel::allow_tables_to_appear_in_same_query!(referrals, citizens);
diesel::allow_tables_to_appear_in_same_query!(citizens, courses);
diesel::allow_tables_to_appear_in_same_query!(citizens, course_sessions);
// Exports join these and nest the partnerships in their keyset queries.
diesel::allow_tables_to_appear_in_same_query!(contacts, programme_partners);
diesel::allow_tables_to_appear_in_same_query!(goals, programme_partners);
diesel::allow_tables_to_appear_in_same_query!(employment_statuses, programme_partners);
diesel::allow_tables_to_appear_in_same_query!(course_enrolments, programme_partners);
diesel::allow_tables_to_appear_in_same_query!(course_sessions, programme_partners);
diesel::allow_tables_to_appear_in_same_query!(course_attendance, programme_partners);
