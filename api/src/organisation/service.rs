//! The use cases of organisations: the tenants. Admins manage them; everyone else sees its own.

use super::dto::{DirectoryEntry, Organisation, OrganisationFilters, OrganisationInput, WRITABLE};
use crate::access;
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use brobygger_domain::FieldErrors;
use brobygger_domain::organisation::{MunicipalityCode, OrganisationDraft, closes_cycle};
use brobygger_persistence::ids::OrganisationId;
use brobygger_persistence::organisation::{self as store, OrganisationFilter, OrganisationRow};
use brobygger_persistence::{DbConnection, PageRequest};
use chrono::NaiveDateTime;
use uuid::Uuid;

/// Checks the input against the domain rules and the stored organisations (the parent exists
/// and no cycle is closed), reporting every bad field.
fn check(
    conn: &mut DbConnection,
    id: OrganisationId,
    input: &OrganisationInput,
) -> Result<OrganisationDraft, ApiError> {
    let draft = OrganisationDraft::parse(
        &input.name,
        input.kind,
        input.municipality_code.as_deref(),
        input.region_code.as_deref(),
        input.cvr.as_deref(),
    );
    let mut errors = draft.as_ref().err().cloned().unwrap_or_default();
    if let Some(parent) = input.parent_id.map(OrganisationId::from) {
        if store::find(conn, parent)?.is_none() {
            errors.push("parent_id", "unknown", "no such organisation");
        } else if closes_cycle(&id, &parent, &store::ancestors(conn, parent)?) {
            errors.push(
                "parent_id",
                "cycle",
                "an organisation cannot sit below itself",
            );
        }
    }
    match draft {
        Ok(draft) if errors.is_empty() => Ok(draft),
        _ => Err(ApiError::Validation(errors)),
    }
}

fn row(
    id: OrganisationId,
    draft: OrganisationDraft,
    parent_id: Option<Uuid>,
    version: i64,
    created_at: NaiveDateTime,
    now: NaiveDateTime,
) -> OrganisationRow {
    OrganisationRow {
        id,
        name: draft.name,
        kind: draft.kind,
        municipality_code: draft.municipality_code.map(|c| c.as_ref().to_owned()),
        region_code: draft.region_code.map(|c| c.as_ref().to_owned()),
        cvr: draft.cvr.map(|c| c.as_ref().to_owned()),
        parent_id: parent_id.map(OrganisationId::from),
        version,
        created_at,
        updated_at: now,
    }
}

/// The organisations the actor sees: admins all, others their own.
/// The query's filter: `filters` (checked) within `only_id`.
fn filter_of(
    filters: &OrganisationFilters,
    only_id: Option<OrganisationId>,
) -> Result<OrganisationFilter, ApiError> {
    let mut errors = FieldErrors::new();
    if let Some(code) = &filters.municipality_code {
        errors.check("municipality_code", MunicipalityCode::parse(code));
    }
    errors
        .into_result(|| OrganisationFilter {
            only_id,
            kind: filters.kind,
            municipality_code: filters.municipality_code.clone(),
            parent_id: filters.parent_id.map(OrganisationId::from),
        })
        .map_err(ApiError::from)
}

pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &OrganisationFilters,
    page: &PageRequest,
) -> Result<Page<Organisation>, ApiError> {
    let filter = filter_of(filters, access::organisation_scope(actor))?;
    let rows = store::list(conn, &filter, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Organisation::from_row(r)))
}

/// The directory of every organisation's public facts, to find partners by.
pub fn directory(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &OrganisationFilters,
    page: &PageRequest,
) -> Result<Page<DirectoryEntry>, ApiError> {
    access::read_directory(actor)?;
    let filter = filter_of(filters, None)?;
    let rows = store::list(conn, &filter, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(DirectoryEntry::from_row(r)))
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<Organisation, ApiError> {
    let (row, _) = access::organisation(conn, actor, id)?;
    Ok(Organisation::from_row(row))
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: OrganisationInput,
) -> Result<(Organisation, String), ApiError> {
    access::manage_organisations(actor)?;
    let id = OrganisationId::new();
    let draft = check(conn, id, &input)?;
    let row = row(id, draft, input.parent_id, 1, actor.now, actor.now);
    store::insert(conn, &row)?;
    let location = format!("/api/v1/organisations/{}", row.id);
    Ok((Organisation::from_row(row), location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<Organisation, ApiError> {
    let (current, _) = access::organisation(conn, actor, id)?;
    let current = Organisation::from_row(current);
    access::manage_organisations(actor)?;
    if_match.check(current.version)?;
    let input = patch.apply(&current.input(), WRITABLE)?;
    let draft = check(conn, current.id.into(), &input)?;
    let row = row(
        current.id.into(),
        draft,
        input.parent_id,
        current.version + 1,
        current.created_at.naive_utc(),
        actor.now,
    );
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    Ok(Organisation::from_row(row))
}
