//! The use cases of support courses: one citizen's one-to-one support by a peer guide, with
//! its workflow and the ranking of candidate peer guides. Every read and write is audited.

use super::dto::{
    CandidateView, SupportCourse, SupportCourseExport, SupportCourseFilters, SupportCourseInput,
    SupportCourseTransition, WRITABLE,
};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::convert;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::workflow::{self, StatusChange};
use crate::{contact, goal};
use brobygger_domain::FieldErrors;
use brobygger_domain::peer_worker::{
    GuideFacts, PeerWorkerStatus, QualificationKind, check_guide as domain_check_guide,
};
use brobygger_domain::support_course::{
    Candidate, GuideCandidate, PeerWorkerChange, SupportStatus, TransitionFacts,
    plan_peer_worker_change, plan_transition, rank_guides,
};
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::ids::{CitizenId, PeerWorkerId, ProgrammeId, SupportCourseId, UserId};
use brobygger_persistence::support_course::{self as store, CourseFilter, SupportCourseRow};
use brobygger_persistence::{
    DbConnection, PageRequest, citizen as citizen_store, peer_worker as peer_store,
    programme as programme_store, user as user_store,
};
use chrono::NaiveDateTime;
use uuid::Uuid;

const RESOURCE: &str = "support_course";

/// Rows to API values, each with its history, in one query for the histories.
pub fn load_many(
    conn: &mut DbConnection,
    rows: Vec<SupportCourseRow>,
) -> Result<Vec<SupportCourse>, ApiError> {
    let ids: Vec<SupportCourseId> = rows.iter().map(|r| r.id).collect();
    let mut histories = workflow::histories(conn, RESOURCE, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            SupportCourse::from_row(row, history)
        })
        .collect())
}

fn load_one(conn: &mut DbConnection, row: SupportCourseRow) -> Result<SupportCourse, ApiError> {
    load_many(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a loaded course vanished"))
}

/// The matching rule of the domain ([`check_guide`]) for the peer worker who would guide
/// `course_id`: its status, its qualifications and its open courses other than this one.
fn check_guide(
    conn: &mut DbConnection,
    peer_worker_id: PeerWorkerId,
    course_id: SupportCourseId,
) -> Result<(), ApiError> {
    let peer = peer_store::find(conn, peer_worker_id)?.ok_or(ApiError::NotFound)?;
    let holds = held(conn, &[peer.id])?;
    let facts = GuideFacts::new(
        peer.status,
        &holds.into_iter().map(|(_, kind)| kind).collect::<Vec<_>>(),
        store::open_load(conn, peer.id, course_id)?,
        i64::from(peer.capacity),
    );
    Ok(domain_check_guide(&facts)?)
}

/// The qualifications the peer workers `ids` hold, as `(peer worker id, kind)`.
fn held(
    conn: &mut DbConnection,
    ids: &[PeerWorkerId],
) -> Result<Vec<(PeerWorkerId, QualificationKind)>, ApiError> {
    Ok(peer_store::qualifications_of(conn, ids)?
        .into_iter()
        .map(|q| (q.peer_worker_id, q.kind))
        .collect())
}

/// The ids a course names, checked against what `actor` may name: each unknown or unseen one
/// is a field error (never revealing whether it exists).
fn check_references(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &SupportCourseInput,
    errors: &mut FieldErrors,
) -> Result<(), ApiError> {
    if let Some(peer) = &input.peer_worker_id
        && access::peer_worker_in_body(conn, actor, peer)?.is_none()
    {
        errors.push("peer_worker_id", "unknown", "no such peer worker");
    }
    if let Some(coordinator) = &input.coordinator_user_id {
        let fits = match user_store::find(conn, (*coordinator).into())? {
            Some(u) if u.role == Role::Coordinator && u.active => {
                let programme = input.programme_id.into();
                programme_store::partner_role(conn, programme, u.organisation_id)?.is_some()
            }
            _ => false,
        };
        if !fits {
            errors.push(
                "coordinator_user_id",
                "unknown",
                "not a coordinator of a partner organisation of the programme",
            );
        }
    }
    Ok(())
}

/// `Ok(None)` where the actor does not see what it named (`404`), other errors as they are.
fn seen<T>(found: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match found {
        Ok(found) => Ok(Some(found)),
        Err(ApiError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The courses the actor sees, each listed one an audited read of its citizen's data.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &SupportCourseFilters,
    page: &PageRequest,
) -> Result<Page<SupportCourse>, ApiError> {
    let filter = CourseFilter {
        citizen_id: filters.citizen_id.map(CitizenId::from),
        programme_id: filters.programme_id.map(ProgrammeId::from),
        peer_worker_id: filters.peer_worker_id.map(PeerWorkerId::from),
        status: filters.status,
        model: filters.model,
    };
    let scope = access::support_course_scope(conn, actor)?;
    let rows = store::list_with_history(conn, &scope, &filter, page, RESOURCE)?;
    let shown = rows
        .iter()
        .take(usize::try_from(page.limit - 1).unwrap_or(0));
    let items = shown.map(|(r, _)| (&r.id as &dyn std::fmt::Display, &r.citizen_id));
    actor.audit.record_each(conn, "list", RESOURCE, items)?;
    Page::from_rows(
        rows,
        page,
        |(r, _)| &r.id,
        |(row, history)| {
            let history = history.into_iter().map(StatusChange::from_row).collect();
            Ok(SupportCourse::from_row(row, history))
        },
    )
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<SupportCourse, ApiError> {
    let (found, _) = access::support_course_with_history(conn, actor, id, RESOURCE)?;
    let row = found.row;
    let citizen = Some(&row.citizen_id);
    actor
        .audit
        .record(conn, "read", RESOURCE, Some(&row.id), citizen)?;
    let history = found.history.into_iter().map(StatusChange::from_row);
    Ok(SupportCourse::from_row(row, history.collect()))
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: SupportCourseInput,
) -> Result<(SupportCourse, String), ApiError> {
    let mut errors = FieldErrors::new();
    let citizen = seen(access::citizen(conn, actor, &input.citizen_id))?;
    if citizen.is_none() {
        errors.push("citizen_id", "unknown", "no such citizen");
    }
    let programme = seen(access::programme(conn, actor, &input.programme_id))?;
    match &programme {
        None => errors.push("programme_id", "unknown", "no such programme"),
        Some((row, _)) => {
            let models = programme_store::models_of(conn, &[row.id])?;
            if !models.iter().any(|(_, m)| *m == input.model.offered_as()) {
                errors.push(
                    "model",
                    "not_offered",
                    "the programme does not offer this model",
                );
            }
        }
    }
    check_references(conn, actor, &input, &mut errors)?;
    errors.into_result(|| ())?;
    if let Some((_, access)) = &programme {
        access.require_manage("support courses")?;
    }
    if citizen
        .as_ref()
        .is_some_and(|(c, _)| c.anonymised_at.is_some())
    {
        return Err(ApiError::Conflict("the citizen is anonymised".to_owned()));
    }
    let id = SupportCourseId::new();
    let citizen_id = CitizenId::from(input.citizen_id);
    if store::open_of(conn, citizen_id, input.model, id)?.is_some() {
        return Err(ApiError::Conflict(
            "the citizen already has an open support course of this model".to_owned(),
        ));
    }
    if let Some(peer) = &input.peer_worker_id {
        check_guide(conn, (*peer).into(), id)?;
    }
    let row = SupportCourseRow {
        id,
        citizen_id,
        model: input.model,
        programme_id: input.programme_id.into(),
        peer_worker_id: input.peer_worker_id.map(PeerWorkerId::from),
        coordinator_user_id: input.coordinator_user_id.map(UserId::from),
        context: input.context,
        planned_end_date: input.planned_end_date,
        status: SupportStatus::Requested,
        closed_at: None,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    let requested = SupportStatus::Requested.as_str();
    workflow::record(
        conn, RESOURCE, &row.id, requested, actor.now, actor.id, None,
    )?;
    let citizen = Some(&row.citizen_id);
    actor
        .audit
        .record(conn, "create", RESOURCE, Some(&row.id), citizen)?;
    let location = format!("/api/v1/support-courses/{}", row.id);
    Ok((load_one(conn, row)?, location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<SupportCourse, ApiError> {
    let (current, access) = access::support_course(conn, actor, id)?;
    access.require(Access::Manage, access::ONLY_COURSE_COORDINATOR)?;
    if_match.check(current.version)?;
    let before = SupportCourse::from_row(current.clone(), Vec::new());
    let input = patch.apply(
        &SupportCourseInput {
            citizen_id: before.citizen_id,
            model: before.model,
            programme_id: before.programme_id,
            peer_worker_id: before.peer_worker_id,
            coordinator_user_id: before.coordinator_user_id,
            context: before.context.clone(),
            planned_end_date: before.planned_end_date,
        },
        WRITABLE,
    )?;
    let mut errors = FieldErrors::new();
    check_references(conn, actor, &input, &mut errors)?;
    errors.into_result(|| ())?;
    let change = plan_peer_worker_change(
        before.status,
        before.peer_worker_id.as_ref(),
        input.peer_worker_id.as_ref(),
    )?;
    if let (PeerWorkerChange::CheckGuide, Some(peer)) = (change, &input.peer_worker_id) {
        check_guide(conn, (*peer).into(), current.id)?;
    }
    let row = SupportCourseRow {
        peer_worker_id: input.peer_worker_id.map(PeerWorkerId::from),
        coordinator_user_id: input.coordinator_user_id.map(UserId::from),
        context: input.context,
        planned_end_date: input.planned_end_date,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    let citizen = Some(&row.citizen_id);
    actor
        .audit
        .record(conn, "update", RESOURCE, Some(&row.id), citizen)?;
    load_one(conn, row)
}

pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    move_to: SupportCourseTransition,
) -> Result<SupportCourse, ApiError> {
    let (current, access) = access::support_course(conn, actor, id)?;
    access.require(Access::Manage, access::ONLY_COURSE_COORDINATOR)?;
    let plan = plan_transition(&TransitionFacts {
        from: current.status,
        to: move_to.to,
        reason: move_to.reason.as_deref(),
        has_peer_worker: current.peer_worker_id.is_some(),
    })?;
    if let (true, Some(peer)) = (plan.recheck_guide, current.peer_worker_id) {
        check_guide(conn, peer, current.id)?;
    }
    let row = SupportCourseRow {
        status: move_to.to,
        closed_at: plan.closes.then_some(actor.now),
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
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
    let citizen = Some(&row.citizen_id);
    actor
        .audit
        .record(conn, "transition", RESOURCE, Some(&row.id), citizen)?;
    load_one(conn, row)
}

/// The candidate peer guides of course `id`, ranked, each with the reasons for its place.
pub fn candidates(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
) -> Result<Vec<CandidateView>, ApiError> {
    let (course, access) = access::support_course(conn, actor, id)?;
    access.require(Access::Manage, access::ONLY_COURSE_COORDINATOR)?;
    let citizen = citizen_store::find(conn, course.citizen_id)?.ok_or(ApiError::NotFound)?;
    let audit = &actor.audit;
    audit.record(
        conn,
        "candidates",
        RESOURCE,
        Some(&course.id),
        Some(&citizen.id),
    )?;
    let pool = store::guide_pool(
        conn,
        course.programme_id,
        PeerWorkerStatus::Active,
        QualificationKind::PeerGuide,
    )?;
    let ids: Vec<PeerWorkerId> = pool.iter().map(|p| p.id).collect();
    let (_, municipalities, languages) = peer_store::lists_of(conn, &ids)?;
    let loads = store::open_loads(conn, &ids, course.id)?;
    let holds = held(conn, &ids)?;
    let mut candidates = Vec::with_capacity(pool.len());
    for peer in pool {
        let peer_id = peer.id;
        let serves =
            convert::values_of(&municipalities, &peer_id).any(|m| *m == citizen.municipality_code);
        let speaks = citizen.preferred_language.as_deref().is_some_and(|lang| {
            convert::values_of(&languages, &peer_id).any(|l| l.eq_ignore_ascii_case(lang))
        });
        let open_courses = loads
            .iter()
            .find(|(id, _)| *id == Some(peer_id))
            .map_or(0, |(_, n)| *n);
        let holds_peer_guide = holds
            .iter()
            .any(|(id, kind)| *id == peer_id && *kind == QualificationKind::PeerGuide);
        candidates.push(GuideCandidate {
            status: peer.status,
            holds_peer_guide,
            candidate: Candidate {
                peer_worker_id: peer.id,
                name: peer.name,
                serves_municipality: serves,
                shares_language: speaks,
                open_courses,
                capacity: i64::from(peer.capacity),
            },
        });
    }
    rank_guides(candidates)
        .into_iter()
        .map(|r| {
            Ok(CandidateView {
                rank: r.rank,
                peer_worker_id: r.candidate.peer_worker_id.into(),
                name: r.candidate.name,
                serves_municipality: r.candidate.serves_municipality,
                shares_language: r.candidate.shares_language,
                open_courses: r.candidate.open_courses,
                capacity: r.candidate.capacity,
                reasons: r.reasons,
            })
        })
        .collect()
}

/// Every support course of a citizen with its goals and contacts (the caller audits).
pub fn export_of(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> Result<Vec<SupportCourseExport>, ApiError> {
    let rows = store::of_citizen(conn, citizen_id)?;
    let courses = load_many(conn, rows)?;
    let mut out = Vec::new();
    for course in courses {
        let id = SupportCourseId::from(course.id);
        let goal_rows = store::goals_of(conn, &[id])?;
        out.push(SupportCourseExport {
            support_course: course,
            goals: goal::service::load(conn, goal_rows)?,
            contacts: contact::service::of_courses(conn, &[id])?,
        });
    }
    Ok(out)
}

/// Replaces the free text of a citizen's courses, goals, progress and contacts with `erased`
/// (on anonymisation).
pub fn erase_free_text(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    erased: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(store::erase_free_text(conn, citizen_id, erased, now)?)
}
