//! The use cases of courses (teaching model): created and managed by coordinators of the
//! programme's partners, opened only when taught together (a qualified peer teacher and a
//! professional), with sessions. Enrolments live in `course_enrolment`; the waitlist's moves
//! up are here ([`fill_places`]) because capacity changes make them too.

use super::dto::{
    Course, CourseFigures, CourseFilters, CourseInput, CourseTransition, Session, SessionInput,
    Teacher, TeacherInput, WRITABLE,
};
use crate::access::{self, Access, ONLY_COURSE_MANAGERS};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::convert::{set, values_of};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::peer_worker;
use crate::workflow::{self, StatusChange};
use brobygger_domain::FieldErrors;
use brobygger_domain::course::{
    CourseRefusal, CourseStatus, EnrolmentStatus, TeacherRole, TeachingFacts, check_capacity,
    course_attendance_rate, move_up, plan_transition,
};
use brobygger_domain::peer_worker::may_teach;
use brobygger_domain::programme::Model;
use brobygger_domain::training_cohort::user_may_train;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::course::{
    self as store, CourseFilter, CourseRow, CourseSessionRow, CourseTeacherRow,
};
use brobygger_persistence::ids::{
    CourseId, CourseSessionId, CourseTeacherId, PeerWorkerId, ProgrammeId, UserId,
};
use brobygger_persistence::{
    DbConnection, PageRequest, peer_worker as peer_store, programme as programme_store,
};
use chrono::NaiveDateTime;
use std::collections::HashMap;
use uuid::Uuid;

const RESOURCE: &str = "course";

/// The refusal of a move, as the contract gives it.
fn refused(refusal: CourseRefusal) -> ApiError {
    match &refusal {
        CourseRefusal::NotAllowed { from, to, allowed } => ApiError::InvalidTransition {
            from: from.as_str().to_owned(),
            to: to.as_str().to_owned(),
            allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
        },
        CourseRefusal::QualificationMissing { .. } => {
            ApiError::QualificationMissing(refusal.to_string())
        }
    }
}

fn figures(
    conn: &mut DbConnection,
    id: CourseId,
    now: NaiveDateTime,
) -> Result<CourseFigures, ApiError> {
    let enrolled = store::enrolments_with(conn, id, EnrolmentStatus::Enrolled)?;
    let ids: Vec<_> = enrolled.iter().map(|e| e.id).collect();
    let present: i64 = store::present_counts(conn, &ids, now)?
        .iter()
        .map(|(_, n)| n)
        .sum();
    let sessions_held = store::sessions_held(conn, id, now)?;
    let participants = i64::try_from(enrolled.len()).unwrap_or(i64::MAX);
    Ok(CourseFigures {
        enrolled: participants,
        waitlisted: store::count_enrolments(conn, id, EnrolmentStatus::Waitlisted)?,
        sessions_held,
        attendance_rate: course_attendance_rate(present, sessions_held, participants),
    })
}

fn load(
    conn: &mut DbConnection,
    rows: Vec<CourseRow>,
    now: NaiveDateTime,
) -> Result<Vec<Course>, ApiError> {
    let ids: Vec<CourseId> = rows.iter().map(|r| r.id).collect();
    let co_creators = store::co_creators_of(conn, &ids)?;
    let mut histories: HashMap<CourseId, Vec<StatusChange>> =
        workflow::histories(conn, RESOURCE, &ids)?;
    rows.into_iter()
        .map(|row| {
            let kinds = values_of(&co_creators, &row.id).copied().collect();
            let history = histories.remove(&row.id).unwrap_or_default();
            let figures = figures(conn, row.id, now)?;
            Ok(Course::from_parts(row, kinds, history, figures))
        })
        .collect()
}

fn load_one(
    conn: &mut DbConnection,
    row: CourseRow,
    now: NaiveDateTime,
) -> Result<Course, ApiError> {
    load(conn, vec![row], now)?
        .pop()
        .ok_or_else(|| ApiError::internal("course vanished"))
}

/// On create, a programme the actor manages that offers `peer_teaching`; a provider that is
/// a partner of the programme or an organisation the actor may name; a title that is not blank.
fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &CourseInput,
    current: Option<&Course>,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if input.title.trim().is_empty() {
        errors.push("title", "required", "must not be blank");
    }
    let programme = ProgrammeId::from(input.programme_id);
    if current.is_none() {
        match access::programme_access(conn, actor, programme)? {
            Access::None => errors.push("programme_id", "unknown", "no such programme"),
            found => {
                found.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
                let models = programme_store::models_of(conn, &[programme])?;
                if !models.iter().any(|(_, m)| *m == Model::PeerTeaching) {
                    errors.push(
                        "programme_id",
                        "model_not_offered",
                        "the programme does not offer peer_teaching",
                    );
                }
            }
        }
    }
    if current.is_none_or(|c| c.provider_organisation_id != input.provider_organisation_id) {
        let provider = input.provider_organisation_id;
        let partner = programme_store::partner_role(conn, programme, provider.into())?.is_some();
        if !(partner || access::organisation_in_body(conn, actor, &provider)?) {
            errors.push(
                "provider_organisation_id",
                "unknown",
                "no such organisation",
            );
        }
    }
    Ok(errors.into_result(|| ())?)
}

/// The courses the actor sees.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &CourseFilters,
    page: &PageRequest,
) -> Result<Page<Course>, ApiError> {
    let filter = CourseFilter {
        programme_id: filters.programme_id.map(ProgrammeId::from),
        status: filters.status,
    };
    let rows = store::list(conn, access::course_scope(actor), &filter, page)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    Ok(Page {
        items: load(conn, page.items, actor.now)?,
        next_cursor: page.next_cursor,
    })
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<Course, ApiError> {
    let (row, _) = access::course(conn, actor, id)?;
    load_one(conn, row, actor.now)
}

/// A new `planned` course of a programme the actor manages.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: CourseInput,
) -> Result<(Course, String), ApiError> {
    check(conn, actor, &input, None)?;
    let row = CourseRow {
        id: CourseId::new(),
        programme_id: input.programme_id.into(),
        title: input.title.trim().to_owned(),
        description: input.description.clone(),
        format: input.format,
        provider_organisation_id: input.provider_organisation_id.into(),
        location: input.location.clone(),
        capacity: input.capacity,
        status: CourseStatus::Planned,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    store::set_co_creators(conn, row.id, &set(input.co_created_by.clone()))?;
    let planned = CourseStatus::Planned.as_str();
    workflow::record(conn, RESOURCE, &row.id, planned, actor.now, actor.id, None)?;
    let location = format!("/api/v1/courses/{}", row.id);
    Ok((load_one(conn, row, actor.now)?, location))
}

/// Changes a course; a capacity change takes the course's lock, may not go below those
/// enrolled (`409`), and a raise moves the first waitlisted up.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<Course, ApiError> {
    let (current, access) = access::course(conn, actor, id)?;
    access.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
    if_match.check(current.version)?;
    let before = load_one(conn, current.clone(), actor.now)?;
    let input = patch.apply(&before.input(), WRITABLE)?;
    check(conn, actor, &input, Some(&before))?;
    store::lock(conn, current.id)?;
    let enrolled = store::count_enrolments(conn, current.id, EnrolmentStatus::Enrolled)?;
    check_capacity(input.capacity, enrolled).map_err(|e| ApiError::Conflict(e.to_string()))?;
    let row = CourseRow {
        title: input.title.trim().to_owned(),
        description: input.description.clone(),
        format: input.format,
        provider_organisation_id: input.provider_organisation_id.into(),
        location: input.location.clone(),
        capacity: input.capacity,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    store::set_co_creators(conn, row.id, &set(input.co_created_by.clone()))?;
    fill_places(conn, actor, &row)?;
    load_one(conn, row, actor.now)
}

/// Who teaches a course, as the opening rule counts them.
fn teaching(conn: &mut DbConnection, id: CourseId) -> Result<TeachingFacts, ApiError> {
    let mut facts = TeachingFacts::default();
    for teacher in store::teachers(conn, id)? {
        match (teacher.role, teacher.peer_worker_id) {
            (TeacherRole::PeerTeacher, Some(peer)) => {
                let Some(worker) = peer_store::find(conn, peer)? else {
                    continue;
                };
                if may_teach(worker.status, &peer_worker::service::held(conn, peer)?) {
                    facts.qualified_peer_teachers += 1;
                }
            }
            (TeacherRole::Professional, _) => facts.professional_teachers += 1,
            _ => {}
        }
    }
    Ok(facts)
}

/// Moves a course through its workflow (coordinators of the programme); opening needs a
/// qualified peer teacher and a professional.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    move_to: CourseTransition,
) -> Result<Course, ApiError> {
    let (current, access) = access::course(conn, actor, id)?;
    access.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
    let facts = teaching(conn, current.id)?;
    plan_transition(current.status, move_to.to, facts).map_err(refused)?;
    let row = CourseRow {
        status: move_to.to,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    let reason = move_to.reason.filter(|r| !r.trim().is_empty());
    let to = move_to.to.as_str();
    workflow::record(conn, RESOURCE, &row.id, to, actor.now, actor.id, reason)?;
    load_one(conn, row, actor.now)
}

/// Fills the course's free places from the waitlist, in order, and renumbers those still
/// waiting `1..`; the caller holds the course's lock. Each move of a citizen is audited.
pub fn fill_places(
    conn: &mut DbConnection,
    actor: &Actor,
    course: &CourseRow,
) -> Result<(), ApiError> {
    let enrolled = store::count_enrolments(conn, course.id, EnrolmentStatus::Enrolled)?;
    let waitlist = store::enrolments_with(conn, course.id, EnrolmentStatus::Waitlisted)?;
    let plan = move_up(course.capacity, enrolled, &waitlist);
    let moves = plan
        .promoted
        .into_iter()
        .map(|e| (e, EnrolmentStatus::Enrolled, None))
        .chain(
            plan.waiting
                .into_iter()
                .map(|(e, at)| (e, EnrolmentStatus::Waitlisted, Some(at))),
        );
    for (current, status, position) in moves {
        if current.status == status && current.waitlist_position == position {
            continue;
        }
        let row = store::CourseEnrolmentRow {
            status,
            waitlist_position: position,
            version: current.version + 1,
            updated_at: actor.now,
            ..current.clone()
        };
        http::stored(
            store::update_enrolment(conn, &row, current.version)?,
            current.version,
        )?;
        if let Some(citizen) = &row.citizen_id {
            let id = row.id;
            actor.audit.record(
                conn,
                "waitlist",
                "course_enrolment",
                Some(&id),
                Some(citizen),
            )?;
        }
    }
    Ok(())
}

// --- Teachers -----------------------------------------------------------------------------------

pub fn list_teachers(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    page: &PageRequest,
) -> Result<Page<Teacher>, ApiError> {
    let (course, _) = access::course(conn, actor, id)?;
    let rows = store::list_teachers(conn, course.id, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Teacher::from_row(r)))
}

/// The teacher named in `input`: `(peer worker, user, role)`, exactly one of them.
fn teacher(
    conn: &mut DbConnection,
    actor: &Actor,
    course: &CourseRow,
    input: &TeacherInput,
) -> Result<(Option<PeerWorkerId>, Option<UserId>, TeacherRole), ApiError> {
    match (input.peer_worker_id, input.user_id) {
        (Some(peer), None) => {
            let Some((worker, _)) = access::peer_worker_in_body(conn, actor, &peer)? else {
                return Err(ApiError::field(
                    "peer_worker_id",
                    "unknown",
                    "no such peer worker",
                ));
            };
            if !may_teach(worker.status, &peer_worker::service::held(conn, worker.id)?) {
                return Err(ApiError::QualificationMissing(
                    "a peer teacher must be active and hold peer_teacher".to_owned(),
                ));
            }
            Ok((Some(worker.id), None, TeacherRole::PeerTeacher))
        }
        (None, Some(user)) => {
            match access::programme_user_in_body(conn, actor, course.programme_id, &user)? {
                Some(found) if user_may_train(found.role) => {
                    Ok((None, Some(found.id), TeacherRole::Professional))
                }
                _ => Err(ApiError::field("user_id", "unknown", "no such user")),
            }
        }
        _ => {
            let mut errors = FieldErrors::new();
            for field in ["peer_worker_id", "user_id"] {
                errors.push(
                    field,
                    "one_of",
                    "name exactly one of peer_worker_id and user_id",
                );
            }
            Err(errors.into())
        }
    }
}

/// A new teacher: an active peer teacher, or a professional of a partner organisation.
pub fn create_teacher(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: TeacherInput,
) -> Result<(Teacher, String), ApiError> {
    let (course, access) = access::course(conn, actor, id)?;
    access.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
    let (peer_worker_id, user_id, role) = teacher(conn, actor, &course, &input)?;
    let row = CourseTeacherRow {
        id: CourseTeacherId::new(),
        course_id: course.id,
        peer_worker_id,
        user_id,
        role,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_teacher(conn, &row)?;
    let location = format!("/api/v1/courses/{}/teachers/{}", course.id, row.id);
    Ok((Teacher::from_row(row), location))
}

/// Removes a teacher from a course.
pub fn delete_teacher(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, teacher_id): (&Uuid, &Uuid),
) -> Result<(), ApiError> {
    let (course, access) = access::course(conn, actor, id)?;
    access.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
    if store::delete_teacher(conn, course.id, CourseTeacherId::from(*teacher_id))? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

// --- Sessions -----------------------------------------------------------------------------------

pub fn list_sessions(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    page: &PageRequest,
) -> Result<Page<Session>, ApiError> {
    let (course, _) = access::course(conn, actor, id)?;
    let rows = store::list_sessions(conn, course.id, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Session::from_row(r)))
}

/// A new session; it ends after it starts.
pub fn create_session(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: SessionInput,
) -> Result<(Session, String), ApiError> {
    let (course, access) = access::course(conn, actor, id)?;
    access.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
    if input.ends_at <= input.starts_at {
        return Err(ApiError::field(
            "ends_at",
            "before_start",
            "must be after starts_at",
        ));
    }
    let row = CourseSessionRow {
        id: CourseSessionId::new(),
        course_id: course.id,
        starts_at: input.starts_at.naive_utc(),
        ends_at: input.ends_at.naive_utc(),
        location: input.location,
        topic: input.topic,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_session(conn, &row)?;
    let location = format!("/api/v1/courses/{}/sessions/{}", course.id, row.id);
    Ok((Session::from_row(row), location))
}
