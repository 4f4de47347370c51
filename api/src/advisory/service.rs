//! The use cases of advisory processes: an agency's advice to one municipality, its workflow
//! and its findings; and the programme's cross-cutting experience summary. Seen and managed
//! as `access::advisory_process` decides.

use super::dto::{
    AdvisoryFilters, AdvisoryProcess, AdvisoryProcessInput, AdvisoryTransition, ExperienceSummary,
    Finding, FindingInput, ThemeFindings, WRITABLE,
};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::workflow::{self, StatusChange};
use brobygger_domain::FieldErrors;
use brobygger_domain::advisory::{AdvisoryStatus, NamedFinding, summarise};
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_domain::programme::Period;
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::advisory::{
    self as store, AdvisoryFilter, AdvisoryProcessRow, FindingRow,
};
use brobygger_persistence::ids::{AdvisoryProcessId, FindingId, ProgrammeId};
use brobygger_persistence::{DbConnection, PageRequest};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

const RESOURCE: &str = "advisory_process";
const WHAT: &str = "an advisory process";

fn load(
    conn: &mut DbConnection,
    rows: Vec<AdvisoryProcessRow>,
) -> Result<Vec<AdvisoryProcess>, ApiError> {
    let ids: Vec<AdvisoryProcessId> = rows.iter().map(|r| r.id).collect();
    let mut histories: HashMap<AdvisoryProcessId, Vec<StatusChange>> =
        workflow::histories(conn, RESOURCE, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let history = histories.remove(&row.id).unwrap_or_default();
            AdvisoryProcess::from_parts(row, history)
        })
        .collect())
}

fn load_one(conn: &mut DbConnection, row: AdvisoryProcessRow) -> Result<AdvisoryProcess, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("advisory process vanished"))
}

/// The period, an official municipality code; on create, a programme the actor manages; an
/// advising organisation the actor sees.
fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &AdvisoryProcessInput,
    current: Option<&AdvisoryProcess>,
) -> Result<Period, ApiError> {
    let mut errors = FieldErrors::new();
    let period = match Period::parse(input.start_date, input.end_date, "end_date") {
        Ok(period) => Some(period),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    errors.check(
        "municipality_code",
        MunicipalityCode::parse(&input.municipality_code),
    );
    if current.is_none() {
        match access::advisory_access(conn, actor, input.programme_id.into())? {
            Access::None => errors.push("programme_id", "unknown", "no such programme"),
            found => found.require_manage(WHAT)?,
        }
    }
    let adviser = input.advising_organisation_id;
    if current.is_none_or(|c| c.advising_organisation_id != adviser)
        && !access::organisation_in_body(conn, actor, &adviser)?
    {
        errors.push(
            "advising_organisation_id",
            "unknown",
            "no such organisation",
        );
    }
    match period {
        Some(period) if errors.is_empty() => Ok(period),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// The advisory processes of the programmes the actor manages (admins: all).
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &AdvisoryFilters,
    page: &PageRequest,
) -> Result<Page<AdvisoryProcess>, ApiError> {
    let Some(partner) = access::advisory_scope(actor) else {
        return Ok(Page::all(Vec::new()));
    };
    let filter = AdvisoryFilter {
        partner_organisation_id: partner,
        programme_id: filters.programme_id.map(ProgrammeId::from),
        municipality_code: filters.municipality_code.clone(),
        status: filters.status,
    };
    let rows = store::list(conn, &filter, page)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    Ok(Page {
        items: load(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
) -> Result<AdvisoryProcess, ApiError> {
    let (row, _) = access::advisory_process(conn, actor, id)?;
    load_one(conn, row)
}

/// A new advisory process, `planned`, of a programme the actor manages.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: AdvisoryProcessInput,
) -> Result<(AdvisoryProcess, String), ApiError> {
    let period = check(conn, actor, &input, None)?;
    let row = AdvisoryProcessRow {
        id: AdvisoryProcessId::new(),
        programme_id: input.programme_id.into(),
        municipality_code: input.municipality_code,
        advising_organisation_id: input.advising_organisation_id.into(),
        start_date: period.start(),
        end_date: period.end(),
        status: AdvisoryStatus::Planned,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    let planned = AdvisoryStatus::Planned.as_str();
    workflow::record(conn, RESOURCE, &row.id, planned, actor.now, actor.id, None)?;
    let location = format!("/api/v1/advisory-processes/{}", row.id);
    Ok((load_one(conn, row)?, location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<AdvisoryProcess, ApiError> {
    let (current, access) = access::advisory_process(conn, actor, id)?;
    access.require_manage(WHAT)?;
    if_match.check(current.version)?;
    let before = load_one(conn, current.clone())?;
    let input = patch.apply(&before.input(), WRITABLE)?;
    let period = check(conn, actor, &input, Some(&before))?;
    let row = AdvisoryProcessRow {
        municipality_code: input.municipality_code,
        advising_organisation_id: input.advising_organisation_id.into(),
        start_date: period.start(),
        end_date: period.end(),
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    load_one(conn, row)
}

/// Moves a process through `planned → running → completed`, kept in its history.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    move_to: AdvisoryTransition,
) -> Result<AdvisoryProcess, ApiError> {
    let (current, access) = access::advisory_process(conn, actor, id)?;
    access.require_manage(WHAT)?;
    workflow::check(current.status, move_to.to)?;
    let row = AdvisoryProcessRow {
        status: move_to.to,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    let reason = move_to.reason.filter(|r| !r.trim().is_empty());
    let to = move_to.to.as_str();
    workflow::record(conn, RESOURCE, &row.id, to, actor.now, actor.id, reason)?;
    load_one(conn, row)
}

// --- Findings -----------------------------------------------------------------------------------

pub fn list_findings(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    page: &PageRequest,
) -> Result<Page<Finding>, ApiError> {
    let (process, _) = access::advisory_process(conn, actor, id)?;
    let rows = store::list_findings(conn, process.id, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Finding::from_row(r)))
}

/// A driver or barrier found by a process the actor manages.
pub fn create_finding(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: FindingInput,
) -> Result<(Finding, String), ApiError> {
    let (process, access) = access::advisory_process(conn, actor, id)?;
    access.require_manage(WHAT)?;
    let row = FindingRow {
        id: FindingId::new(),
        advisory_process_id: process.id,
        kind: input.kind,
        theme: input.theme,
        text: input.text.trim().to_owned(),
        recorded_by: actor.id,
        created_at: actor.now,
    };
    store::insert_finding(conn, &row)?;
    let location = format!("/api/v1/advisory-processes/{}/findings", process.id);
    Ok((Finding::from_row(row), location))
}

// --- The experience summary ---------------------------------------------------------------------

/// Every finding of the programme's advisory processes, grouped by theme.
pub fn experience_summary(
    conn: &mut DbConnection,
    actor: &Actor,
    programme_id: &Uuid,
) -> Result<ExperienceSummary, ApiError> {
    let programme = access::programme_reports(conn, actor, programme_id)?;
    let rows = store::findings_of_programme(conn, programme.id)?;
    let processes: BTreeSet<_> = rows.iter().map(|(_, f)| f.advisory_process_id).collect();
    let municipalities: BTreeSet<_> = rows.iter().map(|(code, _)| code.clone()).collect();
    let findings = rows
        .into_iter()
        .map(|(municipality_code, f)| NamedFinding {
            theme: f.theme,
            kind: f.kind,
            municipality_code,
            text: f.text,
        })
        .collect();
    Ok(ExperienceSummary {
        programme_id: programme.id.into(),
        advisory_processes: processes.len() as i64,
        municipalities: municipalities.len() as i64,
        themes: summarise(findings)
            .into_iter()
            .map(ThemeFindings::from_summary)
            .collect(),
    })
}
