//! The use cases of goals: the citizen's own wishes on a support course, with progress notes.
//! The course's peer worker and its coordinators write them; every read and write is audited.

use super::dto::{Goal, GoalInput, Progress, ProgressInput};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::clock::to_utc;
use crate::error::ApiError;
use crate::http::{self, IfMatch};
use brobygger_domain::support_course::GoalStatus;
use brobygger_persistence::DbConnection;
use brobygger_persistence::ids::{GoalId, ProgressId};
use brobygger_persistence::support_course::{self as store, GoalRow, ProgressRow};
use uuid::Uuid;

/// Goals with their progress notes, in one query for the notes.
pub fn load(conn: &mut DbConnection, rows: Vec<GoalRow>) -> Result<Vec<Goal>, ApiError> {
    let ids: Vec<GoalId> = rows.iter().map(|g| g.id).collect();
    let progress = store::progress_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let notes = progress
                .iter()
                .filter(|p| p.goal_id == row.id)
                .map(|p| Progress {
                    id: p.id.into(),
                    date: p.date,
                    note: p.note.clone(),
                    self_rating: p.self_rating,
                    recorded_by: p.recorded_by.into(),
                    created_at: to_utc(p.created_at),
                })
                .collect();
            Ok(Goal {
                id: row.id.into(),
                support_course_id: row.support_course_id.into(),
                domain: row.domain,
                status: row.status,
                text: row.text,
                progress: notes,
                version: row.version,
                created_at: to_utc(row.created_at),
                updated_at: to_utc(row.updated_at),
            })
        })
        .collect()
}

fn load_one(conn: &mut DbConnection, row: GoalRow) -> Result<Goal, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("goal vanished"))
}

/// The goals of course `id`, with their progress.
pub fn list(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<Vec<Goal>, ApiError> {
    let (course, _) = access::support_course(conn, actor, id)?;
    let audit = &actor.audit;
    audit.record(
        conn,
        "list",
        "goal",
        Some(&course.id),
        Some(&course.citizen_id),
    )?;
    let goals = store::goals_of(conn, &[course.id])?;
    load(conn, goals)
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: GoalInput,
) -> Result<(Goal, String), ApiError> {
    let (course, access) = access::support_course(conn, actor, id)?;
    access.require(Access::Guide, access::ONLY_GUIDE)?;
    let row = GoalRow {
        id: GoalId::new(),
        support_course_id: course.id,
        text: input.text,
        domain: input.domain,
        status: input.status.unwrap_or(GoalStatus::Open),
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_goal(conn, &row)?;
    let audit = &actor.audit;
    audit.record(
        conn,
        "create",
        "goal",
        Some(&row.id),
        Some(&course.citizen_id),
    )?;
    let location = format!("/api/v1/support-courses/{}/goals/{}", course.id, row.id);
    Ok((load_one(conn, row)?, location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, goal_id): (Uuid, Uuid),
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<Goal, ApiError> {
    let (course, access) = access::support_course(conn, actor, &id)?;
    let current = store::find_goal(conn, course.id, goal_id.into())?.ok_or(ApiError::NotFound)?;
    access.require(Access::Guide, access::ONLY_GUIDE)?;
    if_match.check(current.version)?;
    let input = patch.apply(
        &GoalInput {
            text: current.text.clone(),
            domain: current.domain,
            status: Some(current.status),
        },
        &["text", "domain", "status"],
    )?;
    let row = GoalRow {
        text: input.text,
        domain: input.domain,
        status: input.status.unwrap_or(GoalStatus::Open),
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(
        store::update_goal(conn, &row, current.version)?,
        current.version,
    )?;
    let audit = &actor.audit;
    audit.record(
        conn,
        "update",
        "goal",
        Some(&row.id),
        Some(&course.citizen_id),
    )?;
    load_one(conn, row)
}

pub fn add_progress(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, goal_id): (Uuid, Uuid),
    input: ProgressInput,
) -> Result<(Goal, String), ApiError> {
    let (course, access) = access::support_course(conn, actor, &id)?;
    let goal = store::find_goal(conn, course.id, goal_id.into())?.ok_or(ApiError::NotFound)?;
    access.require(Access::Guide, access::ONLY_GUIDE)?;
    let row = ProgressRow {
        id: ProgressId::new(),
        goal_id: goal.id,
        date: input.date,
        note: input.note,
        self_rating: input.self_rating,
        recorded_by: actor.id,
        created_at: actor.now,
    };
    store::insert_progress(conn, &row)?;
    let citizen = Some(&course.citizen_id);
    actor
        .audit
        .record(conn, "create", "goal_progress", Some(&row.id), citizen)?;
    let location = format!("/api/v1/support-courses/{}/goals/{}", course.id, goal.id);
    Ok((load_one(conn, goal)?, location))
}
