//! The use cases of contacts: meetings, calls and accompaniments between peer and citizen,
//! logged on an active or paused support course. Every read and write is audited.

use super::dto::{Contact, ContactInput};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::error::ApiError;
use brobygger_domain::support_course::check_contact;
use brobygger_persistence::DbConnection;
use brobygger_persistence::ids::{ContactId, PeerWorkerId, SupportCourseId};
use brobygger_persistence::support_course::{self as store, ContactRow};
use uuid::Uuid;

/// The contacts of course `id`, by date.
pub fn list(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<Vec<Contact>, ApiError> {
    let (course, _) = access::support_course(conn, actor, id)?;
    let citizen = Some(&course.citizen_id);
    actor
        .audit
        .record(conn, "list", "contact", Some(&course.id), citizen)?;
    let rows = store::contacts_of(conn, &[course.id])?;
    Ok(rows.into_iter().map(Contact::from_row).collect())
}

/// The contacts of several courses (a citizen's data export), unaudited: the caller audits.
pub fn of_courses(
    conn: &mut DbConnection,
    course_ids: &[SupportCourseId],
) -> Result<Vec<Contact>, ApiError> {
    let rows = store::contacts_of(conn, course_ids)?;
    Ok(rows.into_iter().map(Contact::from_row).collect())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: ContactInput,
) -> Result<(Contact, String), ApiError> {
    let (course, access) = access::support_course(conn, actor, id)?;
    access.require(Access::Guide, access::ONLY_GUIDE)?;
    check_contact(course.status, input.date, actor.today)?;
    let peer_worker_id = match input.peer_worker_id {
        Some(peer) => {
            if access::peer_worker_in_body(conn, actor, &peer)?.is_none() {
                return Err(ApiError::field(
                    "peer_worker_id",
                    "unknown",
                    "no such peer worker",
                ));
            }
            PeerWorkerId::from(peer)
        }
        None => course.peer_worker_id.ok_or_else(|| {
            ApiError::field(
                "peer_worker_id",
                "required",
                "the course has no peer worker: name one",
            )
        })?,
    };
    let row = ContactRow {
        id: ContactId::new(),
        support_course_id: course.id,
        date: input.date,
        minutes: input.minutes,
        mode: input.mode,
        summary: input.summary,
        peer_worker_id,
        recorded_by: actor.id,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_contact(conn, &row)?;
    let citizen = Some(&course.citizen_id);
    actor
        .audit
        .record(conn, "create", "contact", Some(&row.id), citizen)?;
    let location = format!("/api/v1/support-courses/{}/contacts/{}", course.id, row.id);
    Ok((Contact::from_row(row), location))
}
