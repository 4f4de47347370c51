//! The use cases of referrals (brobygning): made from a support course at the citizen's request
//! under an active consent, moved through their workflow by the sending and the receiving side,
//! closed by the system when the consent is withdrawn. Every read and write is audited.

use super::dto::{
    ReceivedReferral, Referral, ReferralFilters, ReferralInput, ReferralTransition, ReferralView,
    ReferredCitizen, ReferringPeerWorker, SendingOrganisation, shared,
};
use crate::access::{self, Access, ReferralSides};
use crate::actor::Actor;
use crate::error::ApiError;
use crate::http::{self, Page};
use crate::workflow::{self, StatusChange};
use brobygger_domain::FieldErrors;
use brobygger_domain::citizen::{ConsentPeriod, ConsentPurpose};
use brobygger_domain::referral::{
    ReferralStatus, SharedContactDetail, Side, Stamp, TargetKind, consent_required_detail,
    plan_transition, withdrawal_reason,
};
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::ids::{
    CitizenId, ConsentId, OrganisationId, ReferralId, StatusChangeId, SupportCourseId,
};
use brobygger_persistence::referral::{self as store, ReferralFilter, ReferralRow};
use brobygger_persistence::status_history::{self as history_store, StatusHistoryRow};
use brobygger_persistence::{
    DbConnection, PageRequest, citizen as citizen_store, consent as consent_store,
    organisation as organisation_store, peer_worker as peer_store, support_course as course_store,
};
use chrono::{NaiveDateTime, TimeDelta};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const RESOURCE: &str = "referral";

/// The consent active on the request's day for `citizen_id` and `purpose` (the latest given).
fn active_consent(
    conn: &mut DbConnection,
    actor: &Actor,
    citizen_id: CitizenId,
    purpose: ConsentPurpose,
) -> Result<ConsentId, ApiError> {
    let consents = consent_store::of_citizen(conn, citizen_id)?;
    consents
        .into_iter()
        .filter(|c| c.purpose == purpose)
        .filter(|c| {
            ConsentPeriod {
                given_on: c.given_on,
                expires_on: c.expires_on,
                withdrawn_on: c.withdrawn_on,
            }
            .active_on(actor.today)
        })
        .max_by_key(|c| c.given_on)
        .map(|c| c.id)
        .ok_or_else(|| ApiError::ConsentRequired(consent_required_detail(purpose)))
}

fn histories(
    conn: &mut DbConnection,
    rows: &[ReferralRow],
) -> Result<HashMap<ReferralId, Vec<StatusChange>>, ApiError> {
    let ids: Vec<ReferralId> = rows.iter().map(|r| r.id).collect();
    workflow::histories(conn, RESOURCE, &ids)
}

/// The recipient's view: the citizen's name and shared contact details, the sender and the
/// peer worker; nothing else of the citizen or the course.
fn received(
    conn: &mut DbConnection,
    row: ReferralRow,
    status_history: Vec<StatusChange>,
) -> Result<ReceivedReferral, ApiError> {
    let citizen = citizen_store::find(conn, row.citizen_id)?
        .ok_or_else(|| ApiError::internal("a referral's citizen vanished"))?;
    let sender = organisation_store::find(conn, row.sending_organisation_id)?
        .ok_or_else(|| ApiError::internal("a referral's sender vanished"))?;
    let course = course_store::find(conn, row.support_course_id)?;
    let peer = match course.and_then(|c| c.peer_worker_id) {
        Some(id) => peer_store::find(conn, id)?,
        None => None,
    };
    let shares = shared(&row);
    Ok(ReceivedReferral {
        view: super::dto::RecipientView::Recipient,
        id: row.id.into(),
        citizen: ReferredCitizen {
            name: citizen.name,
            phone: citizen
                .phone
                .filter(|_| shares.contains(&SharedContactDetail::Phone)),
            email: citizen
                .email
                .filter(|_| shares.contains(&SharedContactDetail::Email)),
        },
        target_kind: row.target_kind,
        purpose: row.purpose,
        sending_organisation: SendingOrganisation {
            id: row.sending_organisation_id.into(),
            name: sender.name,
        },
        peer_worker: peer.map(|p| ReferringPeerWorker {
            name: p.name,
            email: p.email,
            phone: p.phone,
        }),
        status: row.status,
        status_history,
        sent_at: row.sent_at.map(crate::clock::to_utc),
        acknowledged_at: row.acknowledged_at.map(crate::clock::to_utc),
        accepted_at: row.accepted_at.map(crate::clock::to_utc),
        closed_at: row.closed_at.map(crate::clock::to_utc),
        version: row.version,
        created_at: crate::clock::to_utc(row.created_at),
        updated_at: crate::clock::to_utc(row.updated_at),
    })
}

/// The view of a referral for a user on `sides`: the sender's where it sends (or reads as a
/// sender), else the recipient's.
fn view(
    conn: &mut DbConnection,
    row: ReferralRow,
    sides: ReferralSides,
) -> Result<ReferralView, ApiError> {
    let history = histories(conn, std::slice::from_ref(&row))?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(if sides.sender > Access::None {
        ReferralView::Sender(Referral::from_row(row, history))
    } else {
        ReferralView::Recipient(received(conn, row, history)?)
    })
}

fn audit(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    row: &ReferralRow,
) -> Result<(), ApiError> {
    let id = row.id.to_string();
    actor
        .audit
        .record(conn, action, RESOURCE, Some(&id), Some(&row.citizen_id))
}

/// The referrals the actor sees, each listed one an audited read of its citizen's data: the
/// sending side's view of those sent from its courses, the recipient's of those it receives.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &ReferralFilters,
    page: &PageRequest,
) -> Result<Page<ReferralView>, ApiError> {
    let sent_before = match filters.awaiting_acknowledgement_days {
        Some(days @ 0..=3650) => {
            let day = actor.today - TimeDelta::days(days) + TimeDelta::days(1);
            Some(day.and_time(chrono::NaiveTime::MIN))
        }
        Some(_) => {
            return Err(ApiError::field(
                "awaiting_acknowledgement_days",
                "out_of_range",
                "must be between 0 and 3650",
            ));
        }
        None => None,
    };
    let filter = ReferralFilter {
        status: filters.status,
        support_course_id: filters.support_course_id.map(SupportCourseId::from),
        citizen_id: filters.citizen_id.map(CitizenId::from),
        target_organisation_id: filters.target_organisation_id.map(OrganisationId::from),
        unacknowledged: filters.unacknowledged == Some(true),
        sent_before,
    };
    let scope = access::referral_scope(conn, actor)?;
    let rows = store::list(conn, &scope, &filter, page)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    let ids: Vec<_> = page.items.iter().map(|r| r.id).collect();
    let sent: HashSet<_> = store::sent_from(conn, &scope.sender, &ids)?
        .into_iter()
        .collect();
    let items = page
        .items
        .iter()
        .map(|r| (&r.id as &dyn std::fmt::Display, &r.citizen_id));
    actor.audit.record_each(conn, "list", RESOURCE, items)?;
    let mut histories = histories(conn, &page.items)?;
    let mut items = Vec::with_capacity(page.items.len());
    for row in page.items {
        let history = histories.remove(&row.id).unwrap_or_default();
        items.push(if sent.contains(&row.id) {
            ReferralView::Sender(Referral::from_row(row, history))
        } else {
            ReferralView::Recipient(received(conn, row, history)?)
        });
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<ReferralView, ApiError> {
    let (row, sides) = access::referral(conn, actor, id)?;
    audit(conn, actor, "read", &row)?;
    view(conn, row, sides)
}

/// Makes a `draft` referral from a support course the actor sends from (its guiding peer
/// worker or a coordinator of its programme), under the active consent the target needs.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: ReferralInput,
) -> Result<(Referral, String), ApiError> {
    let mut errors = FieldErrors::new();
    let course = access::referral_sender(conn, actor, &input.support_course_id)?;
    if course.is_none() {
        errors.push("support_course_id", "unknown", "no such support course");
    }
    let target =
        organisation_store::find(conn, OrganisationId::from(input.target_organisation_id))?;
    if target.is_none() {
        errors.push("target_organisation_id", "unknown", "no such organisation");
    }
    let citizen = match &course {
        Some((c, _)) => citizen_store::find(conn, c.citizen_id)?,
        None => None,
    };
    let wanted = input.shared_contact_details.clone().unwrap_or_default();
    let share_phone = wanted.contains(&SharedContactDetail::Phone);
    let share_email = wanted.contains(&SharedContactDetail::Email);
    if let Some(c) = &citizen
        && ((share_phone && c.phone.is_none()) || (share_email && c.email.is_none()))
    {
        errors.push(
            "shared_contact_details",
            "not_on_record",
            "only contact details the citizen has on record can be shared",
        );
    }
    errors.into_result(|| ())?;
    let (Some((course, course_access)), Some(target), Some(citizen)) = (course, target, citizen)
    else {
        return Err(ApiError::internal("checked above"));
    };
    course_access.require(
        Access::Guide,
        "only the course's peer worker and the programme's coordinators make referrals",
    )?;
    if citizen.anonymised_at.is_some() {
        return Err(ApiError::Conflict("the citizen is anonymised".to_owned()));
    }
    let target_kind = TargetKind::of(target.kind);
    let consent_id = active_consent(conn, actor, citizen.id, target_kind.consent_purpose())?;
    let row = ReferralRow {
        id: Default::default(),
        support_course_id: course.id,
        citizen_id: citizen.id,
        target_organisation_id: input.target_organisation_id.into(),
        target_kind,
        sending_organisation_id: actor.organisation_id,
        purpose: input.purpose,
        requested_by_citizen: input.requested_by_citizen,
        consent_id,
        share_phone,
        share_email,
        status: ReferralStatus::Draft,
        sent_at: None,
        acknowledged_at: None,
        accepted_at: None,
        closed_at: None,
        created_by: actor.id,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    let (id, draft) = (row.id, ReferralStatus::Draft.as_str());
    workflow::record(conn, RESOURCE, &id, draft, actor.now, actor.id, None)?;
    audit(conn, actor, "create", &row)?;
    let location = format!("/api/v1/referrals/{id}");
    let history = histories(conn, std::slice::from_ref(&row))?
        .remove(&id)
        .unwrap_or_default();
    Ok((Referral::from_row(row, history), location))
}

/// The row after a move to `to` at `now`, stamping what the move sets.
fn moved(
    current: &ReferralRow,
    to: ReferralStatus,
    stamp: Stamp,
    now: NaiveDateTime,
) -> ReferralRow {
    let mut row = ReferralRow {
        status: to,
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    };
    match stamp {
        Stamp::SentAt => row.sent_at = Some(now),
        Stamp::AcknowledgedAt => row.acknowledged_at = Some(now),
        Stamp::AcceptedAt => row.accepted_at = Some(now),
        Stamp::ClosedAt => row.closed_at = Some(now),
    }
    row
}

/// Moves a referral: the sending side sends and cancels, the recipient's side acknowledges,
/// accepts, declines (with a reason) and completes. Sending checks the consent again.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    move_to: ReferralTransition,
) -> Result<ReferralView, ApiError> {
    let (current, sides) = access::referral(conn, actor, id)?;
    let side = sides.acting(move_to.to.moved_by())?;
    let plan = plan_transition(current.status, move_to.to, side, move_to.reason.as_deref())?;
    let mut row = moved(&current, move_to.to, plan.stamp, actor.now);
    if plan.recheck_consent {
        let purpose = current.target_kind.consent_purpose();
        row.consent_id = active_consent(conn, actor, current.citizen_id, purpose)?;
    }
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    let to = move_to.to.as_str();
    workflow::record(
        conn,
        RESOURCE,
        &row.id,
        to,
        actor.now,
        actor.id,
        plan.reason,
    )?;
    audit(conn, actor, "transition", &row)?;
    let sides = ReferralSides {
        recipient: sides.recipient && row.status.visible_to_recipient(row.sent_at.is_some()),
        ..sides
    };
    view(conn, row, sides)
}

/// The consent `consent_id` (of `purpose`) was withdrawn: every open referral made under it
/// moves to `consent_withdrawn`, by the system (no user in the history) with the reason, in
/// the caller's transaction; each change is audited as the actor's request.
pub fn consent_withdrawn(
    conn: &mut DbConnection,
    actor: &Actor,
    consent_id: ConsentId,
    purpose: ConsentPurpose,
) -> Result<(), ApiError> {
    let to = ReferralStatus::ConsentWithdrawn;
    for current in store::open_under_consent(conn, consent_id)? {
        let plan = plan_transition(current.status, to, Side::System, None)?;
        let row = moved(&current, to, plan.stamp, actor.now);
        http::stored(store::update(conn, &row, current.version)?, current.version)?;
        history_store::insert(
            conn,
            &StatusHistoryRow {
                id: StatusChangeId::new(),
                resource_type: RESOURCE.to_owned(),
                resource_id: row.id.to_string(),
                status: to.as_str().to_owned(),
                at: actor.now,
                by_user_id: None,
                reason: Some(withdrawal_reason(purpose)),
            },
        )?;
        audit(conn, actor, "transition", &row)?;
    }
    Ok(())
}

/// Every referral of a citizen, as the sending side sees it (the caller audits).
pub fn export_of(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> Result<Vec<Referral>, ApiError> {
    let rows = store::of_citizen(conn, citizen_id)?;
    let mut histories = histories(conn, &rows)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            Referral::from_row(row, history)
        })
        .collect())
}

/// Replaces the free text of a citizen's referrals (purpose, reasons) with `erased`; the
/// referrals themselves stay (on anonymisation).
pub fn erase_free_text(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    erased: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(store::erase_free_text(conn, citizen_id, erased, now)?)
}
