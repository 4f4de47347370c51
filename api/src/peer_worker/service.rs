//! The use cases of peer workers: the peer workforce, its status workflow and qualifications,
//! and who is overdue for supervision.

use super::dto::{
    PeerWorker, PeerWorkerFacts, PeerWorkerFilters, PeerWorkerInput, PeerWorkerTransition,
    Qualification, RecordedQualificationInput, WRITABLE,
};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::convert::values_of;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::workflow::{self, StatusChange};
use brobygger_domain::FieldErrors;
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_domain::peer_worker::{
    EarnedVia, PeerWorkerStatus, QualificationKind, became_active_on, check_engagement,
    supervision_due_on as domain_due_on, supervision_since,
};
use brobygger_domain::programme::DEFAULT_SUPERVISION_INTERVAL_DAYS;
use brobygger_domain::training_cohort::qualifications_to_grant;
use brobygger_domain::user::Role;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::ids::{
    OrganisationId, PeerWorkerId, ProgrammeId, QualificationId, TrainingCohortId,
};
use brobygger_persistence::peer_worker::{
    self as store, PeerWorkerFilter, PeerWorkerRow, QualificationRow,
};
use brobygger_persistence::{
    DbConnection, PageRequest, supervision as supervision_store, user as user_store,
};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashMap;
use uuid::Uuid;

/// The resource type of peer workers in the status history.
pub const RESOURCE: &str = "peer_worker";

/// Loads the peer workers of `rows` with their lists, qualifications, histories and
/// supervision dates as of `today`: a fixed number of queries, however many rows.
pub fn load(
    conn: &mut DbConnection,
    rows: Vec<PeerWorkerRow>,
    today: NaiveDate,
) -> Result<Vec<PeerWorker>, ApiError> {
    let ids: Vec<PeerWorkerId> = rows.iter().map(|r| r.id).collect();
    let (programmes, municipalities, languages) = store::lists_of(conn, &ids)?;
    let mut qualifications: HashMap<PeerWorkerId, Vec<Qualification>> = HashMap::new();
    for row in store::qualifications_of(conn, &ids)? {
        qualifications
            .entry(row.peer_worker_id)
            .or_default()
            .push(Qualification::from_row(row));
    }
    let mut histories = workflow::histories(conn, RESOURCE, &ids)?;
    let last: HashMap<PeerWorkerId, NaiveDate> =
        supervision_store::last_supervision_dates(conn, &ids, today)?
            .into_iter()
            .filter_map(|(id, date)| Some((id, date?)))
            .collect();
    let intervals: HashMap<PeerWorkerId, i32> = store::supervision_intervals(conn, &ids)?
        .into_iter()
        .filter_map(|(id, days)| Some((id, days?)))
        .collect();
    fn owned<V: Clone>(pairs: &[(PeerWorkerId, V)], id: &PeerWorkerId) -> Vec<V> {
        values_of(pairs, id).cloned().collect()
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let status = row.status;
            let history = histories.remove(&row.id).unwrap_or_default();
            let last_supervision_on = last.get(&row.id).copied();
            let interval = intervals
                .get(&row.id)
                .copied()
                .unwrap_or(DEFAULT_SUPERVISION_INTERVAL_DAYS);
            let facts = PeerWorkerFacts {
                programme_ids: owned(&programmes, &row.id),
                municipality_codes: owned(&municipalities, &row.id),
                languages: owned(&languages, &row.id),
                qualifications: qualifications.remove(&row.id).unwrap_or_default(),
                supervision_due_on: supervision_due_on(
                    status,
                    &history,
                    last_supervision_on,
                    interval,
                ),
                status_history: history,
                last_supervision_on,
            };
            PeerWorker::from_row(row, facts)
        })
        .collect())
}

fn load_one(
    conn: &mut DbConnection,
    row: PeerWorkerRow,
    today: NaiveDate,
) -> Result<PeerWorker, ApiError> {
    load(conn, vec![row], today)?
        .pop()
        .ok_or_else(|| ApiError::internal("peer worker vanished"))
}

/// The domain's supervision due date for a peer worker with this status `history`.
fn supervision_due_on(
    status: PeerWorkerStatus,
    history: &[StatusChange],
    last_supervision_on: Option<NaiveDate>,
    interval_days: i32,
) -> Option<NaiveDate> {
    let moves = history
        .iter()
        .filter_map(|h| Some((PeerWorkerStatus::parse(&h.status)?, h.at.date_naive())));
    let since = supervision_since(last_supervision_on, became_active_on(moves));
    domain_due_on(status, since, interval_days)
}

/// Checks an input against the rules and the stored data, listing every bad field. `current`
/// is the stored peer worker when changing one.
fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &PeerWorkerInput,
    current: Option<&PeerWorker>,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if input.name.trim().is_empty() {
        errors.push("name", "required", "must not be blank");
    }
    check_engagement(input.engagement, input.hours_per_week, &mut errors);
    if current.is_none_or(|c| c.organisation_id != input.organisation_id)
        && !access::organisation_in_body(conn, actor, &input.organisation_id)?
    {
        errors.push("organisation_id", "unknown", "no such organisation");
    }
    for (i, programme) in input.programme_ids.iter().enumerate() {
        if current.is_some_and(|c| c.programme_ids.contains(programme)) {
            continue;
        }
        let field = format!("programme_ids.{i}");
        match access::programme_access(conn, actor, (*programme).into())? {
            Access::None => errors.push(field, "unknown", "no such programme"),
            Access::Read | Access::Guide => errors.push(
                field,
                "not_allowed",
                "only a coordinator of a partner adds peer workers to a programme",
            ),
            Access::Manage => {}
        }
    }
    if let Some(user_id) = input.user_id
        && current.is_none_or(|c| c.user_id != Some(user_id))
    {
        let linked = user_store::find(conn, user_id.into())?.filter(|linked| {
            access::peer_worker_user_in_body(actor, linked, &input.organisation_id)
        });
        match linked {
            Some(linked) if linked.role != Role::PeerWorker => errors.push(
                "user_id",
                "invalid_role",
                "must be a user of role peer_worker",
            ),
            Some(linked) if store::find_by_user(conn, linked.id)?.is_some() => errors.push(
                "user_id",
                "taken",
                "this user is already linked to a peer worker",
            ),
            Some(_) => {}
            None => errors.push("user_id", "unknown", "no such user"),
        }
    }
    Ok(errors.into_result(|| ())?)
}

/// The peer workers the actor sees; with `supervision_overdue`, only those who are (or are
/// not) overdue for supervision today.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &PeerWorkerFilters,
    page: &PageRequest,
) -> Result<Page<PeerWorker>, ApiError> {
    if let Some(code) = &filters.municipality_code {
        let mut errors = FieldErrors::new();
        errors.check("municipality_code", MunicipalityCode::parse(code));
        errors.into_result(|| ())?;
    }
    let filter = PeerWorkerFilter {
        scope: access::peer_worker_scope(actor),
        organisation_id: filters.organisation_id.map(OrganisationId::from),
        programme_id: filters.programme_id.map(ProgrammeId::from),
        status: filters.status,
        qualification: filters.qualification,
        municipality_code: filters.municipality_code.clone(),
    };
    let rows = match filters.supervision_overdue {
        None => store::list(conn, &filter, page)?,
        Some(overdue) => store::list_by_supervision(conn, &filter, overdue, actor.today, page)?,
    };
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    Ok(Page {
        items: load(conn, page.items, actor.today)?,
        next_cursor: page.next_cursor,
    })
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<PeerWorker, ApiError> {
    let (row, _) = access::peer_worker(conn, actor, (*id).into())?;
    load_one(conn, row, actor.today)
}

/// Registers a peer worker; it starts `recruited`.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: PeerWorkerInput,
) -> Result<(PeerWorker, String), ApiError> {
    access::manage_workforce(actor, "only admins and coordinators register peer workers")?;
    check(conn, actor, &input, None)?;
    let recruited = PeerWorkerStatus::Recruited;
    let row = input.row(PeerWorkerId::new(), recruited, 1, actor.now, actor.now);
    store::insert(conn, &row)?;
    store::set_lists(conn, row.id, &input.lists())?;
    workflow::record(
        conn,
        RESOURCE,
        &row.id,
        recruited.as_str(),
        actor.now,
        actor.id,
        None,
    )?;
    let location = format!("/api/v1/peer-workers/{}", row.id);
    Ok((load_one(conn, row, actor.today)?, location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<PeerWorker, ApiError> {
    let (current, access) = access::peer_worker(conn, actor, (*id).into())?;
    access.require_manage("a peer worker")?;
    if_match.check(current.version)?;
    let (id, version, created_at) = (current.id, current.version, current.created_at);
    let before = load_one(conn, current, actor.today)?;
    let input = patch.apply(&before.input(), WRITABLE)?;
    check(conn, actor, &input, Some(&before))?;
    let row = input.row(id, before.status, version + 1, created_at, actor.now);
    http::stored(store::update(conn, &row, version)?, version)?;
    store::set_lists(conn, row.id, &input.lists())?;
    load_one(conn, row, actor.today)
}

/// Moves a peer worker along its status workflow.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    move_to: PeerWorkerTransition,
) -> Result<PeerWorker, ApiError> {
    let (current, access) = access::peer_worker(conn, actor, (*id).into())?;
    access.require_manage("a peer worker")?;
    workflow::check(current.status, move_to.to)?;
    let version = current.version;
    let row = PeerWorkerRow {
        status: move_to.to,
        version: version + 1,
        updated_at: actor.now,
        ..current
    };
    http::stored(store::update(conn, &row, version)?, version)?;
    workflow::record(
        conn,
        RESOURCE,
        &row.id,
        move_to.to.as_str(),
        actor.now,
        actor.id,
        move_to.reason,
    )?;
    load_one(conn, row, actor.today)
}

// --- Qualifications -----------------------------------------------------------------------------

/// The qualifications a peer worker holds.
pub fn held(conn: &mut DbConnection, id: PeerWorkerId) -> Result<Vec<QualificationKind>, ApiError> {
    Ok(store::qualifications_of(conn, &[id])?
        .iter()
        .map(|q| q.kind)
        .collect())
}

/// Grants the qualifications `kinds` earned by completing cohort `cohort_id`; those already
/// held stay as they were.
pub fn grant_from_cohort(
    conn: &mut DbConnection,
    peer_worker_id: PeerWorkerId,
    kinds: &[QualificationKind],
    cohort_id: TrainingCohortId,
    earned_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let holds = held(conn, peer_worker_id)?;
    let new = qualifications_to_grant(kinds, &holds);
    for kind in &new {
        store::insert_qualification(
            conn,
            &QualificationRow {
                id: QualificationId::new(),
                peer_worker_id,
                kind: *kind,
                earned_via: EarnedVia::TrainingCohort,
                training_cohort_id: Some(cohort_id),
                evidence: None,
                earned_on,
                recorded_by: None,
                created_at: now,
            },
        )?;
    }
    if !new.is_empty() {
        store::touch(conn, peer_worker_id, now)?;
    }
    Ok(())
}

/// The qualifications of a peer worker the actor sees: at most one of each kind, one page.
pub fn list_qualifications(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
) -> Result<Page<Qualification>, ApiError> {
    let (row, _) = access::peer_worker(conn, actor, (*id).into())?;
    let rows = store::qualifications_of(conn, &[row.id])?;
    Ok(Page::all(
        rows.into_iter().map(Qualification::from_row).collect(),
    ))
}

/// Records a qualification earned elsewhere, with evidence; holding it already is a conflict.
pub fn record_qualification(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: RecordedQualificationInput,
) -> Result<(Qualification, String), ApiError> {
    let (worker, access) = access::peer_worker(conn, actor, (*id).into())?;
    access.require_manage("a peer worker")?;
    let mut errors = FieldErrors::new();
    if input.evidence.trim().is_empty() {
        errors.push("evidence", "required", "must not be blank");
    }
    if input.earned_on > actor.today {
        errors.push("earned_on", "in_future", "must not be in the future");
    }
    errors.into_result(|| ())?;
    if held(conn, worker.id)?.contains(&input.kind) {
        return Err(ApiError::Conflict(format!(
            "the peer worker already holds {}",
            input.kind.as_str()
        )));
    }
    let row = QualificationRow {
        id: QualificationId::new(),
        peer_worker_id: worker.id,
        kind: input.kind,
        earned_via: EarnedVia::Recorded,
        training_cohort_id: None,
        evidence: Some(input.evidence),
        earned_on: input.earned_on,
        recorded_by: Some(actor.id),
        created_at: actor.now,
    };
    store::insert_qualification(conn, &row)?;
    store::touch(conn, worker.id, actor.now)?;
    let location = format!("/api/v1/peer-workers/{}/qualifications", worker.id);
    Ok((Qualification::from_row(row), location))
}
