//! The use cases of employment: a citizen's employment timeline and the retention checks a job
//! start creates. Citizen data: every read and write is audited in the same transaction.

use super::dto::{
    EmploymentStatus, EmploymentStatusInput, RetentionCheck, RetentionCheckFilters,
    RetentionRecording, WRITABLE,
};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use brobygger_domain::FieldErrors;
use brobygger_domain::employment::{
    EmploymentKind, RecordingRefusal, check_recording, check_status, retention_due_dates,
    starts_employment, status_on,
};
use brobygger_domain::error::HasCode;
use brobygger_domain::organisation::OrganisationKind;
use brobygger_persistence::employment::{
    self as store, EmploymentStatusRow, NewRetentionCheck, Recording, RetentionCheckRow,
    RetentionFilter,
};
use brobygger_persistence::ids::{CitizenId, EmploymentStatusId, OrganisationId, RetentionCheckId};
use brobygger_persistence::{
    DbConnection, PageRequest, citizen as citizen_store, organisation as organisation_store,
};
use chrono::NaiveDate;
use std::collections::HashMap;
use uuid::Uuid;

const STATUS: &str = "employment_status";
const CHECK: &str = "retention_check";

/// `409` for an anonymised citizen: nothing new is recorded about it.
fn not_anonymised(citizen: &citizen_store::CitizenRow) -> Result<(), ApiError> {
    match citizen.anonymised_at {
        Some(_) => Err(ApiError::Conflict("the citizen is anonymised".to_owned())),
        None => Ok(()),
    }
}

/// A citizen's statuses, by effective date, each with the checks it created.
fn timeline_of(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> Result<(Vec<EmploymentStatus>, Vec<RetentionCheckRow>), ApiError> {
    let statuses = store::timeline(conn, citizen_id)?;
    let checks = store::checks_of_citizen(conn, citizen_id)?;
    let mut created: HashMap<EmploymentStatusId, Vec<Uuid>> = HashMap::new();
    for check in &checks {
        let ids = created.entry(check.employment_status_id).or_default();
        ids.push(check.id.into());
    }
    let statuses = statuses
        .into_iter()
        .map(|row| {
            let ids = created.remove(&row.id).unwrap_or_default();
            EmploymentStatus::from_row(row, ids)
        })
        .collect();
    Ok((statuses, checks))
}

/// Checks with the status of their citizen on their due dates, from one query of the
/// citizens' timelines.
fn with_status_on_due_date(
    conn: &mut DbConnection,
    rows: Vec<RetentionCheckRow>,
) -> Result<Vec<RetentionCheck>, ApiError> {
    let mut citizens: Vec<CitizenId> = rows.iter().map(|r| r.citizen_id).collect();
    citizens.sort();
    citizens.dedup();
    let mut timelines: HashMap<CitizenId, Vec<(NaiveDate, EmploymentKind)>> = HashMap::new();
    for (citizen, effective_on, status) in store::timelines_of(conn, &citizens)? {
        timelines
            .entry(citizen)
            .or_default()
            .push((effective_on, status));
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let timeline = timelines
                .get(&row.citizen_id)
                .map_or(&[][..], Vec::as_slice);
            let status = status_on(timeline, row.due_on);
            RetentionCheck::from_row(row, status)
        })
        .collect())
}

fn with_status(
    conn: &mut DbConnection,
    row: RetentionCheckRow,
) -> Result<RetentionCheck, ApiError> {
    with_status_on_due_date(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("a loaded retention check vanished"))
}

/// Citizen `id`'s employment timeline, by effective date; one audited read.
pub fn timeline(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
) -> Result<Vec<EmploymentStatus>, ApiError> {
    let (citizen, _) = access::citizen(conn, actor, id)?;
    let (statuses, _) = timeline_of(conn, citizen.id)?;
    let audit = &actor.audit;
    audit.record(conn, "list", STATUS, None, Some(&citizen.id))?;
    Ok(statuses)
}

/// One entry of citizen `id`'s timeline; an audited read.
pub fn read_status(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, status_id): (Uuid, Uuid),
) -> Result<EmploymentStatus, ApiError> {
    let (citizen, _) = access::citizen(conn, actor, &id)?;
    let (statuses, _) = timeline_of(conn, citizen.id)?;
    let found = statuses
        .into_iter()
        .find(|s| s.id == status_id)
        .ok_or(ApiError::NotFound)?;
    let (audit, resource) = (&actor.audit, status_id.to_string());
    audit.record(conn, "read", STATUS, Some(&resource), Some(&citizen.id))?;
    Ok(found)
}

/// The employer named in a body: an existing organisation of kind `employer`, else a field
/// error. Any organisation may be named (an employer is rarely a partner of the programme).
fn check_employer(
    conn: &mut DbConnection,
    employer: Option<Uuid>,
    errors: &mut FieldErrors,
) -> Result<(), ApiError> {
    let Some(employer) = employer else {
        return Ok(());
    };
    const FIELD: &str = "employer_organisation_id";
    match organisation_store::find(conn, OrganisationId::from(employer))? {
        None => errors.push(FIELD, "unknown", "no such organisation"),
        Some(org) if org.kind != OrganisationKind::Employer => {
            errors.push(
                FIELD,
                "not_employer",
                "is not an organisation of kind employer",
            );
        }
        Some(_) => {}
    }
    Ok(())
}

/// Records a status on citizen `id`'s timeline; a job start creates its three retention
/// checks in the same transaction. One audited write.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: EmploymentStatusInput,
) -> Result<(EmploymentStatus, String), ApiError> {
    let (citizen, _) = access::citizen(conn, actor, id)?;
    let may = access::employment_access(actor);
    may.require(Access::Guide, access::ONLY_EMPLOYMENT_RECORDERS)?;
    let citizen_id = citizen.id;
    let mut errors = FieldErrors::new();
    check_employer(conn, input.employer_organisation_id, &mut errors)?;
    store::lock_timeline(conn, citizen_id)?;
    let latest = store::latest_effective_on(conn, citizen_id)?;
    check_status(
        input.hours_per_week,
        input.effective_on,
        latest,
        &mut errors,
    );
    errors.into_result(|| ())?;
    not_anonymised(&citizen)?;
    let previous = store::status_before(conn, citizen_id, input.effective_on)?;
    let row = EmploymentStatusRow {
        id: EmploymentStatusId::new(),
        citizen_id,
        effective_on: input.effective_on,
        status: input.status,
        hours_per_week: input.hours_per_week,
        employer_organisation_id: input.employer_organisation_id.map(OrganisationId::from),
        recorded_by: actor.id,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_status(conn, &row)?;
    let mut check_ids = Vec::new();
    if starts_employment(previous.map(|p| p.status), row.status) {
        let checks: Vec<NewRetentionCheck> = retention_due_dates(row.effective_on)
            .into_iter()
            .map(|(months, due_on)| NewRetentionCheck {
                id: RetentionCheckId::new(),
                citizen_id,
                employment_status_id: row.id,
                months_after: i32::try_from(months).unwrap_or(i32::MAX),
                due_on,
                version: 1,
                created_at: actor.now,
                updated_at: actor.now,
            })
            .collect();
        store::insert_checks(conn, &checks)?;
        check_ids = checks.iter().map(|c| Uuid::from(c.id)).collect();
    }
    let resource = row.id.to_string();
    let audit = &actor.audit;
    audit.record(conn, "create", STATUS, Some(&resource), Some(&citizen.id))?;
    let location = format!(
        "/api/v1/citizens/{}/employment-statuses/{}",
        citizen.id, row.id
    );
    Ok((EmploymentStatus::from_row(row, check_ids), location))
}

/// The retention checks of the citizens the actor sees, filtered; each one listed an audited
/// read of its citizen's data.
pub fn list_checks(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &RetentionCheckFilters,
    page: &PageRequest,
) -> Result<Page<RetentionCheck>, ApiError> {
    let filter = RetentionFilter {
        due_before: filters.due_before,
        state: filters.status,
        citizen_id: filters.citizen_id.map(CitizenId::from),
    };
    let scope = access::citizen_scope(conn, actor)?;
    let rows = store::list_checks(conn, &scope, &filter, page)?;
    let shown = usize::try_from(page.limit - 1).unwrap_or(0);
    let items = rows
        .iter()
        .take(shown)
        .map(|r| (&r.id as &dyn std::fmt::Display, &r.citizen_id));
    actor.audit.record_each(conn, "list", CHECK, items)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    Ok(Page {
        items: with_status_on_due_date(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

/// One retention check with its citizen's status on the due date; an audited read.
pub fn read_check(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
) -> Result<RetentionCheck, ApiError> {
    let (row, _) = access::retention_check(conn, actor, id)?;
    let (resource, citizen) = (row.id.to_string(), row.citizen_id);
    let audit = &actor.audit;
    audit.record(conn, "read", CHECK, Some(&resource), Some(&citizen))?;
    with_status(conn, row)
}

/// The one answer the contract gives for each refusal to record.
fn refused(refusal: RecordingRefusal) -> ApiError {
    match refusal.field() {
        Some(field) => ApiError::field(field, refusal.code(), refusal.to_string()),
        None => ApiError::Conflict(refusal.to_string()),
    }
}

/// Records check `id`'s outcome, once (`409` the second time), with `If-Match`. An audited
/// write.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, if_match): (Uuid, IfMatch),
    patch: MergePatch,
) -> Result<RetentionCheck, ApiError> {
    let (current, access) = access::retention_check(conn, actor, &id)?;
    access.require(Access::Guide, access::ONLY_EMPLOYMENT_RECORDERS)?;
    if current.outcome.is_some() {
        return Err(refused(RecordingRefusal::AlreadyRecorded));
    }
    let citizen_id = current.citizen_id;
    let citizen = citizen_store::find(conn, citizen_id)?.ok_or(ApiError::NotFound)?;
    not_anonymised(&citizen)?;
    if_match.check(current.version)?;
    let input = patch.apply(
        &RetentionRecording {
            outcome: None,
            recorded_on: None,
        },
        WRITABLE,
    )?;
    let outcome = input
        .outcome
        .ok_or_else(|| ApiError::field("outcome", "required", "is required"))?;
    let recorded_on = input.recorded_on.unwrap_or(actor.today);
    let start = store::find_status(conn, current.employment_status_id)?
        .ok_or_else(|| ApiError::internal("a retention check without its job start"))?;
    check_recording(None, start.effective_on, recorded_on, actor.today).map_err(refused)?;
    let recording = Recording {
        outcome,
        recorded_on,
        recorded_by: actor.id,
    };
    let stored = store::record(conn, current.id, current.version, recording, actor.now)?;
    http::stored(stored, current.version)?;
    let (resource, audit) = (current.id.to_string(), &actor.audit);
    audit.record(conn, "record", CHECK, Some(&resource), Some(&citizen_id))?;
    let row = RetentionCheckRow {
        outcome: Some(outcome),
        recorded_on: Some(recorded_on),
        recorded_by: Some(recording.recorded_by),
        version: current.version + 1,
        updated_at: actor.now,
        ..current
    };
    with_status(conn, row)
}

/// Everything held about citizen `citizen_id`'s employment, for its data export (the export
/// itself is the audited read).
pub fn export_of(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
) -> Result<(Vec<EmploymentStatus>, Vec<RetentionCheck>), ApiError> {
    let (statuses, checks) = timeline_of(conn, citizen_id)?;
    Ok((statuses, with_status_on_due_date(conn, checks)?))
}
