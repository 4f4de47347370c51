//! The use cases of citizens: the most sensitive data in the system. Every read and write is
//! audited in the same transaction; the CPR number is sealed (encrypted, with a blind index)
//! before it reaches the database and shown in full only to the roles that need it.

use super::dto::{Citizen, CitizenDataExport, CitizenFilters, CitizenInput, WRITABLE};
use crate::access::{self, Access};
use crate::actor::{Actor, Auditor};
use crate::audit::dto::AuditEvent;
use crate::body::MergePatch;
use crate::clock::to_utc;
use crate::consent::dto::Consent;
use crate::cpr_vault::CprVault;
use crate::employment;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::referral;
use crate::support_course;
use brobygger_domain::FieldErrors;
use brobygger_domain::citizen::Cpr;
use brobygger_domain::error::HasCode;
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_persistence::citizen::{self as store, CitizenFilter, CitizenRow};
use brobygger_persistence::ids::{CitizenId, OrganisationId};
use brobygger_persistence::{
    DbConnection, PageRequest, audit as audit_store, connection, consent as consent_store,
    organisation as organisation_store,
};
use chrono::{Months, NaiveDateTime};
use diesel::Connection;
use serde_json::Value;
use uuid::Uuid;

/// What a citizen's name becomes when the citizen is anonymised.
pub const ANONYMISED_NAME: &str = "Anonymiseret borger";
/// What free text (goals, progress notes) becomes when its citizen is anonymised.
pub const ERASED_TEXT: &str = "(slettet)";

const CPR_TAKEN: &str = "a citizen with this CPR number is already registered by this organisation";

/// The CPR columns for `cpr`: its ciphertext and blind index.
fn seal(vault: &CprVault, cpr: Option<&str>) -> Result<(Option<String>, Option<String>), ApiError> {
    let Some(cpr) = cpr else {
        return Ok((None, None));
    };
    let cpr = Cpr::parse(cpr).map_err(|e| ApiError::field("cpr", e.code(), e.to_string()))?;
    Ok((
        Some(vault.encrypt(&cpr).map_err(ApiError::internal)?),
        Some(vault.blind_index(&cpr)),
    ))
}

/// The citizens the actor sees, without CPR numbers; each one shown is an audited read.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    vault: &CprVault,
    filters: &CitizenFilters,
    page: &PageRequest,
) -> Result<Page<Citizen>, ApiError> {
    let mut errors = FieldErrors::new();
    if let Some(code) = &filters.municipality_code {
        errors.check("municipality_code", MunicipalityCode::parse(code));
    }
    errors.into_result(|| ())?;
    let filter = CitizenFilter {
        municipality_code: filters.municipality_code.clone(),
        organisation_id: filters.organisation_id.map(OrganisationId::from),
    };
    let scope = access::citizen_scope(conn, actor)?;
    let rows = store::list(conn, &scope, &filter, page)?;
    // The extra row that tells whether a page follows is not shown, so not audited.
    let shown = rows
        .iter()
        .take(usize::try_from(page.limit - 1).unwrap_or(0));
    let items = shown.map(|r| (&r.id as &dyn std::fmt::Display, &r.id));
    actor.audit.record_each(conn, "list", "citizen", items)?;
    Page::from_rows(
        rows,
        page,
        |r| &r.id,
        |row| Citizen::from_row(row, vault, actor, false),
    )
}

pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    vault: &CprVault,
    id: &Uuid,
) -> Result<Citizen, ApiError> {
    let (row, _) = access::citizen(conn, actor, id)?;
    let audit = &actor.audit;
    audit.record(conn, "read", "citizen", Some(&row.id), Some(&row.id))?;
    Citizen::from_row(row, vault, actor, true)
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    vault: &CprVault,
    input: CitizenInput,
) -> Result<(Citizen, String), ApiError> {
    access::manage_citizens(actor)?;
    let organisation_id = input
        .organisation_id
        .map_or(actor.organisation_id, OrganisationId::from);
    if access::organisation_scope(actor).is_some_and(|own| own != organisation_id) {
        return Err(ApiError::Forbidden(
            "citizens are registered in your own organisation".to_owned(),
        ));
    }
    let (cpr_ciphertext, cpr_index) = seal(vault, input.cpr.as_deref())?;
    if organisation_store::find(conn, organisation_id)?.is_none() {
        return Err(ApiError::field(
            "organisation_id",
            "unknown",
            "no such organisation",
        ));
    }
    let id = CitizenId::new();
    if let Some(index) = &cpr_index
        && store::cpr_taken(conn, organisation_id, index, id)?
    {
        return Err(ApiError::Conflict(CPR_TAKEN.to_owned()));
    }
    let row = CitizenRow {
        id,
        name: input.name,
        cpr_ciphertext,
        cpr_index,
        email: input.email,
        phone: input.phone,
        municipality_code: input.municipality_code,
        preferred_language: input.preferred_language,
        organisation_id,
        anonymised_at: None,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    let audit = &actor.audit;
    audit.record(conn, "create", "citizen", Some(&row.id), Some(&row.id))?;
    let location = format!("/api/v1/citizens/{}", row.id);
    Ok((Citizen::from_row(row, vault, actor, true)?, location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    vault: &CprVault,
    (id, if_match): (Uuid, IfMatch),
    patch: MergePatch,
) -> Result<Citizen, ApiError> {
    // A CPR in the patch is checked by `apply` below; here it is only sealed.
    let new_cpr = match patch.0.get("cpr") {
        Some(Value::String(cpr)) => Some(seal(vault, Some(cpr)).unwrap_or((None, None))),
        Some(Value::Null) => Some((None, None)),
        _ => None,
    };
    let (current, access) = access::citizen(conn, actor, &id)?;
    access.require(
        Access::Manage,
        "only admins, coordinators and integrations manage citizens",
    )?;
    if current.anonymised_at.is_some() {
        return Err(ApiError::Conflict(
            "the citizen is anonymised and cannot be changed".to_owned(),
        ));
    }
    if_match.check(current.version)?;
    let input = patch.apply(
        &CitizenInput {
            name: current.name.clone(),
            cpr: None,
            email: current.email.clone(),
            phone: current.phone.clone(),
            municipality_code: current.municipality_code.clone(),
            preferred_language: current.preferred_language.clone(),
            organisation_id: None,
        },
        WRITABLE,
    )?;
    let (cpr_ciphertext, cpr_index) =
        new_cpr.unwrap_or((current.cpr_ciphertext.clone(), current.cpr_index.clone()));
    if let Some(index) = &cpr_index
        && store::cpr_taken(conn, current.organisation_id, index, current.id)?
    {
        return Err(ApiError::Conflict(CPR_TAKEN.to_owned()));
    }
    let row = CitizenRow {
        name: input.name,
        cpr_ciphertext,
        cpr_index,
        email: input.email,
        phone: input.phone,
        municipality_code: input.municipality_code,
        preferred_language: input.preferred_language,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    let audit = &actor.audit;
    audit.record(conn, "update", "citizen", Some(&row.id), Some(&row.id))?;
    Citizen::from_row(row, vault, actor, true)
}

/// The citizens with CPR number `cpr` that the actor sees, by exact match through the blind
/// index; audited, also when nothing is found.
pub fn lookup(
    conn: &mut DbConnection,
    actor: &Actor,
    vault: &CprVault,
    cpr: &str,
) -> Result<Vec<Citizen>, ApiError> {
    let cpr = Cpr::parse(cpr)
        .map_err(|_| ApiError::field("cpr", "invalid_format", "is not a CPR number"))?;
    let scope = access::citizen_scope(conn, actor)?;
    let rows = store::find_by_cpr_index(conn, &scope, &vault.blind_index(&cpr))?;
    if rows.is_empty() {
        actor.audit.record(conn, "lookup", "citizen", None, None)?;
    }
    let found = rows
        .iter()
        .map(|r| (&r.id as &dyn std::fmt::Display, &r.id));
    actor.audit.record_each(conn, "lookup", "citizen", found)?;
    http::convert_all(rows, |row| Citizen::from_row(row, vault, actor, false))
}

/// Everything held about citizen `id` (GDPR art. 15), with who accessed it.
pub fn data_export(
    conn: &mut DbConnection,
    actor: &Actor,
    vault: &CprVault,
    id: &Uuid,
) -> Result<CitizenDataExport, ApiError> {
    let (row, _) = access::citizen(conn, actor, id)?;
    if !access::sees_cpr(actor) {
        return Err(ApiError::Forbidden(
            "only admins and coordinators export a citizen's data".to_owned(),
        ));
    }
    let audit = &actor.audit;
    audit.record(conn, "export", "citizen", Some(&row.id), Some(&row.id))?;
    let consents = consent_store::of_citizen(conn, row.id)?;
    let support_courses = support_course::service::export_of(conn, row.id)?;
    let (employment_statuses, retention_checks) = employment::service::export_of(conn, row.id)?;
    let referrals = referral::service::export_of(conn, row.id)?;
    let course_enrolments = crate::course_enrolment::service::export_of(conn, row.id, actor.now)?;
    let trail = audit_store::of_citizen(conn, row.id)?;
    Ok(CitizenDataExport {
        exported_at: to_utc(actor.now),
        citizen: Citizen::from_row(row, vault, actor, true)?,
        consents: consents
            .into_iter()
            .map(|c| Consent::from_row(c, actor.today))
            .collect(),
        support_courses,
        employment_statuses,
        retention_checks,
        referrals,
        course_enrolments,
        access_log: http::convert_all(trail, AuditEvent::from_row)?,
    })
}

/// Anonymises citizen `id` (admins and coordinators); the caller settles the erasure after
/// the commit (`settle_erasure`).
pub fn anonymise(
    conn: &mut DbConnection,
    actor: &Actor,
    vault: &CprVault,
    id: &Uuid,
) -> Result<Citizen, ApiError> {
    let (row, _) = access::citizen(conn, actor, id)?;
    if !access::sees_cpr(actor) {
        return Err(ApiError::Forbidden(
            "only admins and coordinators anonymise citizens".to_owned(),
        ));
    }
    if row.anonymised_at.is_some() {
        return Err(ApiError::Conflict(
            "the citizen is already anonymised".to_owned(),
        ));
    }
    let row = anonymise_row(conn, row, actor.now)?;
    let audit = &actor.audit;
    audit.record(conn, "anonymise", "citizen", Some(&row.id), Some(&row.id))?;
    Citizen::from_row(row, vault, actor, true)
}

/// Overwrites the pages that held erased data (outside the transaction that erased it).
pub fn settle_erasure(conn: &mut DbConnection) -> Result<(), ApiError> {
    Ok(connection::settle_erasure(conn)?)
}

/// Removes what identifies the citizen; used by the API and by the retention job.
fn anonymise_row(
    conn: &mut DbConnection,
    current: CitizenRow,
    now: NaiveDateTime,
) -> Result<CitizenRow, ApiError> {
    let row = CitizenRow {
        name: ANONYMISED_NAME.to_owned(),
        cpr_ciphertext: None,
        cpr_index: None,
        email: None,
        phone: None,
        preferred_language: None,
        anonymised_at: Some(now),
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    support_course::service::erase_free_text(conn, row.id, ERASED_TEXT, now)?;
    referral::service::erase_free_text(conn, row.id, ERASED_TEXT, now)?;
    Ok(row)
}

/// The retention job: anonymises every citizen whose courses are all closed, the last more
/// than `years` before `now`; one transaction per citizen, each audited as the system.
/// Returns how many were anonymised.
pub fn anonymise_closed(
    conn: &mut DbConnection,
    years: u32,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let cutoff = now
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .ok_or_else(|| ApiError::field("older_than_years", "out_of_range", "too many years"))?;
    let mut done = 0;
    for id in brobygger_persistence::support_course::citizens_closed_before(conn, cutoff)? {
        let anonymised = conn.transaction::<_, ApiError, _>(|conn| {
            let Some(row) = store::find(conn, id)? else {
                return Ok(false);
            };
            if row.anonymised_at.is_some() {
                return Ok(false);
            }
            let row = anonymise_row(conn, row, now)?;
            let audit = Auditor::system(row.organisation_id, "retention", now);
            audit.record(conn, "anonymise", "citizen", Some(&row.id), Some(&row.id))?;
            Ok(true)
        })?;
        done += usize::from(anonymised);
    }
    if done > 0 {
        settle_erasure(conn)?;
    }
    Ok(done)
}
