//! The use cases of course enrolments and attendance. Enrolling, withdrawing (and capacity
//! changes, in `course`) take the course's row lock first, so places and the waitlist stay
//! exact under concurrency on both databases. A citizen's enrolment is citizen data: shown
//! only to those who may see the citizen, every read and write audited with the citizen's id,
//! and enrolling needs an active `data_processing` consent.

use super::dto::{
    Attendance, AttendanceItem, Enrolment, EnrolmentExport, EnrolmentFilters, EnrolmentInput,
    SessionAttendance,
};
use crate::access::{self, Access, ONLY_COURSE_MANAGERS};
use crate::actor::Actor;
use crate::clock::to_utc;
use crate::course::service::fill_places;
use crate::error::ApiError;
use crate::http::{self, Page};
use brobygger_domain::FieldErrors;
use brobygger_domain::citizen::{ConsentPeriod, ConsentPurpose};
use brobygger_domain::course::{EnrolmentStatus, Placement, attendance_rate, place};
use brobygger_domain::referral::consent_required_detail;
use brobygger_persistence::course::{self as store, AttendanceRow, CourseEnrolmentRow, CourseRow};
use brobygger_persistence::ids::{AttendanceId, CitizenId, CourseEnrolmentId, CourseSessionId};
use brobygger_persistence::{DbConnection, PageRequest, consent as consent_store};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const RESOURCE: &str = "course_enrolment";

/// Remembers, per citizen, whether the actor may see it.
struct Sight<'a> {
    actor: &'a Actor,
    seen: HashMap<CitizenId, bool>,
}

impl<'a> Sight<'a> {
    fn new(actor: &'a Actor) -> Self {
        Self {
            actor,
            seen: HashMap::new(),
        }
    }

    /// Whether the actor sees `row`: an outside participant always, a citizen as `access`.
    fn sees(
        &mut self,
        conn: &mut DbConnection,
        row: &CourseEnrolmentRow,
    ) -> Result<bool, ApiError> {
        let Some(citizen) = row.citizen_id else {
            return Ok(true);
        };
        if let Some(known) = self.seen.get(&citizen) {
            return Ok(*known);
        }
        let sees = access::sees_citizen(conn, self.actor, citizen)?;
        self.seen.insert(citizen, sees);
        Ok(sees)
    }
}

fn audit(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    row: &CourseEnrolmentRow,
) -> Result<(), ApiError> {
    match &row.citizen_id {
        Some(citizen) => {
            let id = row.id;
            actor
                .audit
                .record(conn, action, RESOURCE, Some(&id), Some(citizen))
        }
        None => Ok(()),
    }
}

/// The enrolments as the API shows them, each with its attendance rate.
fn shown(
    conn: &mut DbConnection,
    course: &CourseRow,
    rows: Vec<CourseEnrolmentRow>,
    actor: &Actor,
) -> Result<Vec<Enrolment>, ApiError> {
    let held = store::sessions_held(conn, course.id, actor.now)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let present: HashMap<_, _> = store::present_counts(conn, &ids, actor.now)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let rate = match row.status {
                EnrolmentStatus::Waitlisted => None,
                _ => attendance_rate(present.get(&row.id).copied().unwrap_or(0), held),
            };
            Enrolment::from_row(row, rate)
        })
        .collect())
}

/// A course's enrolments the actor sees; each citizen enrolment listed is an audited read.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    filters: &EnrolmentFilters,
    page: &PageRequest,
) -> Result<Page<Enrolment>, ApiError> {
    let (course, _) = access::course(conn, actor, id)?;
    let rows = store::list_enrolments(conn, course.id, filters.status, page)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    let mut sight = Sight::new(actor);
    let mut visible = Vec::with_capacity(page.items.len());
    for row in page.items {
        if sight.sees(conn, &row)? {
            visible.push(row);
        }
    }
    let citizens = visible.iter().filter_map(|r| {
        r.citizen_id
            .as_ref()
            .map(|c| (&r.id as &dyn std::fmt::Display, c))
    });
    actor.audit.record_each(conn, "list", RESOURCE, citizens)?;
    Ok(Page {
        items: shown(conn, &course, visible, actor)?,
        next_cursor: page.next_cursor,
    })
}

/// The participant named in `input`: a citizen the actor sees (with an active
/// `data_processing` consent) or an outside participant by name and type.
fn participant(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &EnrolmentInput,
) -> Result<(Option<CitizenId>, Option<String>), ApiError> {
    let name = input.participant_name.as_deref().map(str::trim);
    match (input.citizen_id, name, input.participant_type) {
        (Some(citizen), None, None) => {
            let citizen = match access::citizen(conn, actor, &citizen) {
                Ok((row, _)) => row,
                Err(ApiError::NotFound) => {
                    return Err(ApiError::field("citizen_id", "unknown", "no such citizen"));
                }
                Err(other) => return Err(other),
            };
            if citizen.anonymised_at.is_some() {
                return Err(ApiError::Conflict("the citizen is anonymised".to_owned()));
            }
            let consented = consent_store::of_citizen(conn, citizen.id)?
                .into_iter()
                .filter(|c| c.purpose == ConsentPurpose::DataProcessing)
                .any(|c| {
                    ConsentPeriod {
                        given_on: c.given_on,
                        expires_on: c.expires_on,
                        withdrawn_on: c.withdrawn_on,
                    }
                    .active_on(actor.today)
                });
            if !consented {
                return Err(ApiError::ConsentRequired(consent_required_detail(
                    ConsentPurpose::DataProcessing,
                )));
            }
            Ok((Some(citizen.id), None))
        }
        (None, Some(name), Some(_)) if !name.is_empty() => Ok((None, Some(name.to_owned()))),
        _ => {
            let mut errors = FieldErrors::new();
            for field in ["citizen_id", "participant_name", "participant_type"] {
                errors.push(
                    field,
                    "one_of",
                    "name either citizen_id, or participant_name with participant_type",
                );
            }
            Err(errors.into())
        }
    }
}

/// A new enrolment, under the course's lock: a place while there is one, else the end of the
/// waitlist. Only while the course is `open_for_enrolment` or `running`.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: EnrolmentInput,
) -> Result<(Enrolment, String), ApiError> {
    let (course, access) = access::course(conn, actor, id)?;
    access.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
    let (citizen_id, participant_name) = participant(conn, actor, &input)?;
    store::lock(conn, course.id)?;
    let course = store::find(conn, course.id)?.ok_or(ApiError::NotFound)?;
    if !course.status.takes_enrolments() {
        return Err(ApiError::Conflict(format!(
            "a course takes enrolments only while open_for_enrolment or running; it is {}",
            brobygger_domain::workflow::TextEnum::as_str(course.status)
        )));
    }
    let enrolled = store::count_enrolments(conn, course.id, EnrolmentStatus::Enrolled)?;
    let waiting = store::count_enrolments(conn, course.id, EnrolmentStatus::Waitlisted)?;
    let (status, waitlist_position) = match place(course.capacity, enrolled, waiting) {
        Placement::Enrolled => (EnrolmentStatus::Enrolled, None),
        Placement::Waitlisted { position } => (EnrolmentStatus::Waitlisted, Some(position)),
    };
    let row = CourseEnrolmentRow {
        id: CourseEnrolmentId::new(),
        course_id: course.id,
        citizen_id,
        participant_name,
        participant_type: citizen_id
            .is_none()
            .then_some(input.participant_type)
            .flatten(),
        status,
        waitlist_position,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_enrolment(conn, &row).map_err(|e| match ApiError::from(e) {
        ApiError::Conflict(_) => {
            ApiError::Conflict("the citizen is already enrolled on this course".to_owned())
        }
        other => other,
    })?;
    audit(conn, actor, "create", &row)?;
    let location = format!("/api/v1/courses/{}/enrolments/{}", course.id, row.id);
    Ok((shown(conn, &course, vec![row], actor)?.remove(0), location))
}

/// Withdraws an enrolment, under the course's lock: the withdrawn place goes to the first
/// waitlisted and the waitlist is renumbered, in the same transaction.
pub fn withdraw(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, enrolment_id): (&Uuid, &Uuid),
) -> Result<Enrolment, ApiError> {
    let (course, access) = access::course(conn, actor, id)?;
    store::lock(conn, course.id)?;
    let current = store::find_enrolment(conn, course.id, CourseEnrolmentId::from(*enrolment_id))?
        .ok_or(ApiError::NotFound)?;
    if !Sight::new(actor).sees(conn, &current)? {
        return Err(ApiError::NotFound);
    }
    access.require(Access::Manage, ONLY_COURSE_MANAGERS)?;
    if current.status == EnrolmentStatus::Withdrawn {
        return Err(ApiError::Conflict(
            "the enrolment is already withdrawn".to_owned(),
        ));
    }
    let row = CourseEnrolmentRow {
        status: EnrolmentStatus::Withdrawn,
        waitlist_position: None,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(
        store::update_enrolment(conn, &row, current.version)?,
        current.version,
    )?;
    audit(conn, actor, "withdraw", &row)?;
    let course = store::find(conn, course.id)?.ok_or(ApiError::NotFound)?;
    fill_places(conn, actor, &course)?;
    Ok(shown(conn, &course, vec![row], actor)?.remove(0))
}

/// Replaces a session's attendance of the enrolments the actor sees with `input`, in one
/// call: by the course's coordinators and its peer teachers. Every item names an `enrolled`
/// enrolment of the course the actor sees, once (else `422`, nothing stored). Each citizen's
/// attendance is an audited write.
pub fn record_attendance(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, session_id): (&Uuid, &Uuid),
    input: Attendance,
) -> Result<Attendance, ApiError> {
    let (course, access) = access::course(conn, actor, id)?;
    let session = store::find_session(conn, course.id, CourseSessionId::from(*session_id))?
        .ok_or(ApiError::NotFound)?;
    access.require(
        Access::Guide,
        "only the course's coordinators and peer teachers record attendance",
    )?;
    let mut sight = Sight::new(actor);
    let mut visible = Vec::new();
    for status in [
        EnrolmentStatus::Enrolled,
        EnrolmentStatus::Waitlisted,
        EnrolmentStatus::Withdrawn,
    ] {
        for row in store::enrolments_with(conn, course.id, status)? {
            if sight.sees(conn, &row)? {
                visible.push(row);
            }
        }
    }
    let by_id: HashMap<Uuid, &CourseEnrolmentRow> =
        visible.iter().map(|r| (Uuid::from(r.id), r)).collect();
    let mut errors = FieldErrors::new();
    let mut named = HashSet::new();
    for (i, item) in input.items.iter().enumerate() {
        let field = format!("items/{i}/enrolment_id");
        match by_id.get(&item.enrolment_id) {
            None => errors.push(&field, "unknown", "no such enrolment on this course"),
            Some(row) if row.status != EnrolmentStatus::Enrolled => errors.push(
                &field,
                "not_enrolled",
                "only enrolled participants attend (not waitlisted or withdrawn)",
            ),
            Some(_) if !named.insert(item.enrolment_id) => {
                errors.push(&field, "duplicate", "named twice")
            }
            Some(_) => {}
        }
    }
    errors.into_result(|| ())?;
    let rows: Vec<AttendanceRow> = input
        .items
        .iter()
        .map(|item| AttendanceRow {
            id: AttendanceId::new(),
            session_id: session.id,
            enrolment_id: item.enrolment_id.into(),
            status: item.status,
            recorded_by: actor.id,
            created_at: actor.now,
        })
        .collect();
    let replaced: Vec<CourseEnrolmentId> = visible.iter().map(|r| r.id).collect();
    store::replace_attendance(conn, session.id, &replaced, &rows)?;
    let citizens = visible
        .iter()
        .filter(|r| named.contains(r.id.as_uuid()))
        .filter_map(|r| {
            r.citizen_id
                .as_ref()
                .map(|c| (&r.id as &dyn std::fmt::Display, c))
        });
    actor
        .audit
        .record_each(conn, "record_attendance", RESOURCE, citizens)?;
    Ok(Attendance {
        items: rows.iter().map(AttendanceItem::from_row).collect(),
    })
}

/// Every course enrolment of a citizen with its attendance (the caller audits).
pub fn export_of(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    now: chrono::NaiveDateTime,
) -> Result<Vec<EnrolmentExport>, ApiError> {
    let rows = store::enrolments_of_citizen(conn, citizen_id)?;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let attendance = store::attendance_of(conn, &ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let held = store::sessions_held(conn, row.course_id, now)?;
        let present = store::present_counts(conn, &[row.id], now)?
            .first()
            .map_or(0, |(_, n)| *n);
        let mine: Vec<SessionAttendance> = attendance
            .iter()
            .filter(|(a, _)| a.enrolment_id == row.id)
            .map(|(a, starts_at)| SessionAttendance {
                session_id: a.session_id.into(),
                starts_at: to_utc(*starts_at),
                status: a.status,
            })
            .collect();
        out.push(EnrolmentExport {
            enrolment: Enrolment::from_row(row, attendance_rate(present, held)),
            attendance: mine,
        });
    }
    Ok(out)
}
