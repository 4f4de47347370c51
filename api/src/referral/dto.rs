//! What `/referrals` reads and writes. The sending side sees a [`Referral`]; the recipient's
//! side sees a [`ReceivedReferral`], its own schema with only what the consent lets it see.
//! Both carry `view` (`sender` or `recipient`), so a list holding both tells them apart.

use crate::body::FieldRules;
use crate::clock::to_utc;
use crate::workflow::StatusChange;
use brobygger_domain::FieldErrors;
use brobygger_domain::referral::{ReferralStatus, SharedContactDetail, TargetKind, check_request};
use brobygger_persistence::referral::ReferralRow;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Marks the sending side's view of a referral.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SenderView {
    Sender,
}

/// Marks the recipient side's view of a referral.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientView {
    Recipient,
}

/// A referral as the sending side sees it: the course's guiding peer worker, the programme's
/// coordinators (and, read-only, admins and integrations).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "view": "sender",
    "id": "0193a5d9-0000-7000-8000-000000000001",
    "support_course_id": "0193a5d7-0000-7000-8000-000000000001",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000002",
    "target_organisation_id": "0193a5d2-0000-7000-8000-000000000009",
    "target_kind": "jobcentre",
    "sending_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "purpose": "Jonas would like to talk about a flexjob of 15 hours a week",
    "requested_by_citizen": true,
    "consent_id": "0193a5d6-0000-7000-8000-000000000003",
    "shared_contact_details": ["phone"],
    "status": "sent",
    "status_history": [
        {"status": "draft", "at": "2026-11-23T09:00:00Z", "by": "0193a5d3-0000-7000-8000-000000000004", "reason": null},
        {"status": "sent", "at": "2026-11-23T09:05:00Z", "by": "0193a5d3-0000-7000-8000-000000000004", "reason": null}
    ],
    "sent_at": "2026-11-23T09:05:00Z",
    "acknowledged_at": null,
    "accepted_at": null,
    "closed_at": null,
    "created_by": "0193a5d3-0000-7000-8000-000000000004",
    "version": 2,
    "created_at": "2026-11-23T09:00:00Z",
    "updated_at": "2026-11-23T09:05:00Z"
}))]
pub struct Referral {
    pub view: SenderView,
    pub id: Uuid,
    pub support_course_id: Uuid,
    pub citizen_id: Uuid,
    pub target_organisation_id: Uuid,
    /// Derived from the target organisation's kind; decides the consent needed.
    pub target_kind: TargetKind,
    /// The organisation of the user who made the referral.
    pub sending_organisation_id: Uuid,
    pub purpose: String,
    /// Always `true`: a referral is made only at the citizen's request.
    pub requested_by_citizen: bool,
    /// The active consent the server found for the target's purpose.
    pub consent_id: Uuid,
    /// The citizen's contact details the recipient sees.
    pub shared_contact_details: Vec<SharedContactDetail>,
    /// Changes only through `POST /referrals/{id}/transitions`.
    pub status: ReferralStatus,
    pub status_history: Vec<StatusChange>,
    pub sent_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Referral, ReceivedReferral);

/// The contact details a referral shares, as stored.
pub fn shared(row: &ReferralRow) -> Vec<SharedContactDetail> {
    let mut out = Vec::new();
    if row.share_phone {
        out.push(SharedContactDetail::Phone);
    }
    if row.share_email {
        out.push(SharedContactDetail::Email);
    }
    out
}

impl Referral {
    pub fn from_row(row: ReferralRow, status_history: Vec<StatusChange>) -> Self {
        Self {
            view: SenderView::Sender,
            shared_contact_details: shared(&row),
            id: row.id.into(),
            support_course_id: row.support_course_id.into(),
            citizen_id: row.citizen_id.into(),
            target_organisation_id: row.target_organisation_id.into(),
            target_kind: row.target_kind,
            sending_organisation_id: row.sending_organisation_id.into(),
            purpose: row.purpose,
            requested_by_citizen: row.requested_by_citizen,
            consent_id: row.consent_id.into(),
            status: row.status,
            status_history,
            sent_at: row.sent_at.map(to_utc),
            acknowledged_at: row.acknowledged_at.map(to_utc),
            accepted_at: row.accepted_at.map(to_utc),
            closed_at: row.closed_at.map(to_utc),
            created_by: row.created_by.into(),
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// The citizen as the recipient sees it: the name, and only the contact details the citizen
/// agreed to share (the others are absent).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "Jonas Holm", "phone": "+45 20 30 40 50"}))]
pub struct ReferredCitizen {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The organisation a referral comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21", "name": "Vejle Kommune"}))]
pub struct SendingOrganisation {
    pub id: Uuid,
    pub name: String,
}

/// The peer worker behind a referral, with its work contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "Anna Nielsen", "email": "anna.nielsen@vejle.dk", "phone": "+45 76 81 00 00"}))]
pub struct ReferringPeerWorker {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A referral as the recipient's side sees it (the target organisation's professionals and
/// coordinators): who the citizen is and how to reach them as far as they agreed, why, from
/// whom, and where it stands. Never the CPR number, goals, contacts, other referrals or the
/// support course.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "view": "recipient",
    "id": "0193a5d9-0000-7000-8000-000000000001",
    "citizen": {"name": "Jonas Holm", "phone": "+45 20 30 40 50"},
    "target_kind": "jobcentre",
    "purpose": "Jonas would like to talk about a flexjob of 15 hours a week",
    "sending_organisation": {"id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21", "name": "Vejle Kommune"},
    "peer_worker": {"name": "Anna Nielsen", "email": "anna.nielsen@vejle.dk", "phone": "+45 76 81 00 00"},
    "status": "acknowledged",
    "status_history": [
        {"status": "draft", "at": "2026-11-23T09:00:00Z", "by": "0193a5d3-0000-7000-8000-000000000004", "reason": null},
        {"status": "sent", "at": "2026-11-23T09:05:00Z", "by": "0193a5d3-0000-7000-8000-000000000004", "reason": null},
        {"status": "acknowledged", "at": "2026-11-24T08:30:00Z", "by": "0193a5d3-0000-7000-8000-000000000008", "reason": null}
    ],
    "sent_at": "2026-11-23T09:05:00Z",
    "acknowledged_at": "2026-11-24T08:30:00Z",
    "accepted_at": null,
    "closed_at": null,
    "version": 3,
    "created_at": "2026-11-23T09:00:00Z",
    "updated_at": "2026-11-24T08:30:00Z"
}))]
pub struct ReceivedReferral {
    pub view: RecipientView,
    pub id: Uuid,
    pub citizen: ReferredCitizen,
    pub target_kind: TargetKind,
    pub purpose: String,
    pub sending_organisation: SendingOrganisation,
    /// The support course's peer worker, if it has one.
    pub peer_worker: Option<ReferringPeerWorker>,
    pub status: ReferralStatus,
    pub status_history: Vec<StatusChange>,
    pub sent_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A referral as the caller sees it: the sending side's `Referral` or the recipient's
/// `ReceivedReferral`, told apart by `view`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
#[schema(example = json!({
    "view": "recipient",
    "id": "0193a5d9-0000-7000-8000-000000000001",
    "citizen": {"name": "Jonas Holm"},
    "target_kind": "jobcentre",
    "purpose": "Jonas would like to talk about a flexjob of 15 hours a week",
    "sending_organisation": {"id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21", "name": "Vejle Kommune"},
    "peer_worker": {"name": "Anna Nielsen", "email": "anna.nielsen@vejle.dk", "phone": null},
    "status": "sent",
    "status_history": [
        {"status": "draft", "at": "2026-11-23T09:00:00Z", "by": "0193a5d3-0000-7000-8000-000000000004", "reason": null},
        {"status": "sent", "at": "2026-11-23T09:05:00Z", "by": "0193a5d3-0000-7000-8000-000000000004", "reason": null}
    ],
    "sent_at": "2026-11-23T09:05:00Z", "acknowledged_at": null, "accepted_at": null, "closed_at": null,
    "version": 2, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:05:00Z"
}))]
pub enum ReferralView {
    Sender(Referral),
    Recipient(ReceivedReferral),
}

impl crate::http::Versioned for ReferralView {
    fn version(&self) -> i64 {
        match self {
            Self::Sender(r) => r.version,
            Self::Recipient(r) => r.version,
        }
    }
}

/// A new referral, made at the citizen's request. It starts as a `draft`; the server finds
/// the consent and derives `target_kind`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "support_course_id": "0193a5d7-0000-7000-8000-000000000001",
    "target_organisation_id": "0193a5d2-0000-7000-8000-000000000009",
    "purpose": "Jonas would like to talk about a flexjob of 15 hours a week",
    "requested_by_citizen": true,
    "shared_contact_details": ["phone"]
}))]
pub struct ReferralInput {
    pub support_course_id: Uuid,
    /// Any organisation; its kind decides `target_kind` and the consent needed.
    pub target_organisation_id: Uuid,
    /// The citizen's wish, in the citizen's words.
    #[schema(min_length = 1, max_length = 10000)]
    pub purpose: String,
    /// Must be `true`: the domain allows no referral the citizen did not ask for.
    pub requested_by_citizen: bool,
    /// The citizen's contact details (on record) the citizen agreed to share; default none.
    #[schema(max_items = 2)]
    pub shared_contact_details: Option<Vec<SharedContactDetail>>,
}

impl FieldRules for ReferralInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        check_request(
            body.get("requested_by_citizen").and_then(Value::as_bool),
            body.get("purpose").and_then(Value::as_str),
            errors,
        );
    }
}

/// A move to another status. Declining needs a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "declined", "reason": "The citizen lives outside our area; Kolding Jobcenter can help"}))]
pub struct ReferralTransition {
    pub to: ReferralStatus,
    #[schema(max_length = 10000)]
    pub reason: Option<String>,
}

impl FieldRules for ReferralTransition {}

/// Filters of `GET /referrals`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralFilters {
    pub status: Option<ReferralStatus>,
    pub support_course_id: Option<Uuid>,
    pub citizen_id: Option<Uuid>,
    pub target_organisation_id: Option<Uuid>,
    /// `true`: only referrals sent and not yet acknowledged.
    pub unacknowledged: Option<bool>,
    /// The follow-up list: only referrals sent this many days ago or more (on or before today
    /// minus N) and not yet acknowledged.
    #[param(minimum = 0, maximum = 3650, example = 7)]
    pub awaiting_acknowledgement_days: Option<i64>,
}
