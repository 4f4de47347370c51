//! The use cases of programmes: funded peer-support efforts run by a partnership, with phases,
//! partners and targets. Seen by the users of partner organisations, managed by their
//! coordinators (`access::programme`).

use super::dto::{
    PARTNER_WRITABLE, Partner, PartnerInput, Programme, ProgrammeFilters, ProgrammeInput,
    ProgrammeTransition, TARGET_WRITABLE, Target, TargetFilters, TargetInput, WRITABLE,
};
use crate::access::{self, ProgrammeLead};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::convert::{set, values_of};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::workflow::{self, StatusChange};
use brobygger_domain::FieldErrors;
use brobygger_domain::programme::{Joining, Model, PartnerRole, Period, Phase, partner_joining};
use brobygger_domain::workflow::TextEnum;
use brobygger_persistence::ids::{InvitationId, OrganisationId, PartnerId, ProgrammeId, TargetId};
use brobygger_persistence::partner_invitation::{self as invitation_store, InvitationRow};
use brobygger_persistence::programme::{
    self as store, PartnerRow, ProgrammeFilter, ProgrammeRow, TargetRow,
};
use brobygger_persistence::{DbConnection, PageRequest, organisation};
use chrono::NaiveDateTime;
use uuid::Uuid;

const RESOURCE: &str = "programme";

/// Loads the programmes of `rows` with their models and histories.
fn load(conn: &mut DbConnection, rows: Vec<ProgrammeRow>) -> Result<Vec<Programme>, ApiError> {
    let ids: Vec<ProgrammeId> = rows.iter().map(|r| r.id).collect();
    let models = store::models_of(conn, &ids)?;
    let mut histories = workflow::histories(conn, RESOURCE, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let models: Vec<Model> = values_of(&models, &row.id).copied().collect();
            let history = histories.remove(&row.id).unwrap_or_default();
            Programme::from_parts(row, models, history)
        })
        .collect())
}

fn load_one(conn: &mut DbConnection, row: ProgrammeRow) -> Result<Programme, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("programme vanished"))
}

/// The checks beyond single fields (a blank name, the period), adding to `errors`.
fn check_into(input: &ProgrammeInput, errors: &mut FieldErrors) -> Option<Period> {
    if input.name.trim().is_empty() {
        errors.push("name", "required", "must not be blank");
    }
    match Period::parse(input.start_date, input.end_date, "end_date") {
        Ok(period) => Some(period),
        Err(found) => {
            errors.0.extend(found.0);
            None
        }
    }
}

/// The checks beyond single fields: a blank name, the period.
fn check(input: &ProgrammeInput) -> Result<Period, ApiError> {
    let mut errors = FieldErrors::new();
    match check_into(input, &mut errors) {
        Some(period) if errors.is_empty() => Ok(period),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// The lead of a new programme, reporting a missing, unknown or forbidden one in `errors`.
fn check_lead(
    conn: &mut DbConnection,
    actor: &Actor,
    named: Option<Uuid>,
    errors: &mut FieldErrors,
) -> Result<Option<OrganisationId>, ApiError> {
    Ok(match access::programme_lead(actor, named) {
        ProgrammeLead::Missing => {
            errors.push("lead_organisation_id", "required", "is required");
            None
        }
        ProgrammeLead::Named(lead) => {
            if organisation::find(conn, lead)?.is_none() {
                errors.push("lead_organisation_id", "unknown", "no such organisation");
            }
            Some(lead)
        }
        ProgrammeLead::NotAllowed => {
            errors.push(
                "lead_organisation_id",
                "not_allowed",
                "a coordinator creates programmes led by its own organisation",
            );
            None
        }
        ProgrammeLead::Own(lead) => Some(lead),
    })
}

#[expect(clippy::too_many_arguments, reason = "a row is every one of these")]
fn row(
    id: ProgrammeId,
    input: &ProgrammeInput,
    period: Period,
    lead: OrganisationId,
    phase: Phase,
    version: i64,
    created_at: NaiveDateTime,
    now: NaiveDateTime,
) -> ProgrammeRow {
    ProgrammeRow {
        id,
        name: input.name.clone(),
        description: input.description.clone(),
        funding_source: input.funding_source.clone(),
        grant_dkk: input.grant_dkk,
        start_date: period.start(),
        end_date: period.end(),
        lead_organisation_id: lead,
        supervision_interval_days: input.supervision_interval_days,
        phase,
        version,
        created_at,
        updated_at: now,
    }
}

/// The programmes the actor's organisation is a partner of (admins: all).
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &ProgrammeFilters,
    page: &PageRequest,
) -> Result<Page<Programme>, ApiError> {
    if !access::lists_programmes(actor) {
        return Ok(Page::all(Vec::new()));
    }
    let filter = ProgrammeFilter {
        partner_organisation_id: access::partner_organisation(actor),
        phase: filters.phase,
        lead_organisation_id: filters.lead_organisation_id.map(OrganisationId::from),
        model: filters.model,
    };
    let rows = store::list(conn, &filter, page)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    Ok(Page {
        items: load(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<Programme, ApiError> {
    let (view, _) = access::programme_view(conn, actor, id, RESOURCE)?;
    let history = view.history.into_iter().map(StatusChange::from_row);
    Ok(Programme::from_parts(
        view.row,
        view.models,
        history.collect(),
    ))
}

/// A new programme in phase `development`, its lead a partner with role `lead`.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: ProgrammeInput,
) -> Result<(Programme, String), ApiError> {
    access::manage_workforce(actor, "only admins and coordinators create programmes")?;
    let mut errors = FieldErrors::new();
    let period = check_into(&input, &mut errors);
    let lead = check_lead(conn, actor, input.lead_organisation_id, &mut errors)?;
    let (Some(period), Some(lead), true) = (period, lead, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let now = actor.now;
    let row = row(
        ProgrammeId::new(),
        &input,
        period,
        lead,
        Phase::Development,
        1,
        now,
        now,
    );
    store::insert(conn, &row)?;
    store::set_models(conn, row.id, &set(input.models.clone()))?;
    store::insert_partner(
        conn,
        &PartnerRow {
            id: PartnerId::new(),
            programme_id: row.id,
            organisation_id: row.lead_organisation_id,
            role: PartnerRole::Lead,
            version: 1,
            created_at: now,
            updated_at: now,
        },
    )?;
    let development = Phase::Development.as_str();
    workflow::record(conn, RESOURCE, &row.id, development, now, actor.id, None)?;
    let location = format!("/api/v1/programmes/{}", row.id);
    Ok((load_one(conn, row)?, location))
}

/// A merge patch of a programme; the phase and the lead stay.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<Programme, ApiError> {
    let (current, access) = access::programme(conn, actor, id)?;
    access.require_manage("a programme")?;
    if_match.check(current.version)?;
    let before = load_one(conn, current.clone())?;
    let input = patch.apply(&before.input(), WRITABLE)?;
    let period = check(&input)?;
    let row = row(
        current.id,
        &input,
        period,
        current.lead_organisation_id,
        before.phase,
        current.version + 1,
        current.created_at,
        actor.now,
    );
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    store::set_models(conn, row.id, &set(input.models.clone()))?;
    load_one(conn, row)
}

/// A move to another phase, kept in the status history.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    move_to: ProgrammeTransition,
) -> Result<Programme, ApiError> {
    let (current, access) = access::programme(conn, actor, id)?;
    access.require_manage("a programme")?;
    workflow::check(current.phase, move_to.to)?;
    let row = ProgrammeRow {
        phase: move_to.to,
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
        move_to.reason,
    )?;
    load_one(conn, row)
}

// --- Partners -----------------------------------------------------------------------------------

/// `lead` belongs to the programme's lead organisation, and it keeps it.
fn check_partner_role(
    programme: &ProgrammeRow,
    organisation_id: OrganisationId,
    role: PartnerRole,
) -> Result<(), ApiError> {
    let is_lead = programme.lead_organisation_id == organisation_id;
    Ok(brobygger_domain::programme::check_partner_role(
        is_lead, role,
    )?)
}

pub fn list_partners(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    page: &PageRequest,
) -> Result<Page<Partner>, ApiError> {
    let (programme, _) = access::programme(conn, actor, id)?;
    let rows = store::list_partners(conn, programme.id, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Partner::from_row(r)))
}

/// A new partner; an organisation has one role per programme (`409`).
pub fn create_partner(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: PartnerInput,
) -> Result<(Partner, String), ApiError> {
    let (programme, access) = access::programme(conn, actor, id)?;
    access.require_manage("a programme")?;
    let organisation_id = OrganisationId::from(input.organisation_id);
    if organisation::find(conn, organisation_id)?.is_none() {
        return Err(ApiError::field(
            "organisation_id",
            "unknown",
            "no such organisation",
        ));
    }
    check_partner_role(&programme, organisation_id, input.role)?;
    if store::partner_role(conn, programme.id, organisation_id)?.is_some() {
        return Err(ApiError::Conflict(
            "this organisation is already a partner of the programme".to_owned(),
        ));
    }
    if partner_joining(actor.is_admin(), &actor.organisation_id, &organisation_id)
        == Joining::ByAgreement
    {
        return invite(conn, actor, &programme, organisation_id, input.role);
    }
    let row = PartnerRow {
        id: PartnerId::new(),
        programme_id: programme.id,
        organisation_id,
        role: input.role,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_partner(conn, &row)?;
    let location = format!("/api/v1/programmes/{}/partners/{}", programme.id, row.id);
    Ok((Partner::from_row(row), location))
}

/// Offers `programme`'s partnership with `role` to `organisation` (the caller has checked that
/// it manages the programme, that the organisation exists and is no partner yet).
fn invite(
    conn: &mut DbConnection,
    actor: &Actor,
    programme: &ProgrammeRow,
    organisation: OrganisationId,
    role: PartnerRole,
) -> Result<(Partner, String), ApiError> {
    if invitation_store::exists(conn, programme.id, organisation)? {
        return Err(ApiError::Conflict(
            "this organisation is already invited to the programme".to_owned(),
        ));
    }
    let row = InvitationRow {
        id: InvitationId::new(),
        programme_id: programme.id,
        organisation_id: organisation,
        role,
        invited_by: actor.id,
        inviting_organisation_id: actor.organisation_id,
        created_at: actor.now,
    };
    invitation_store::insert(conn, &row)?;
    let location = format!("/api/v1/partner-invitations/{}", row.id);
    Ok((Partner::pending(row), location))
}

/// A partner's new role.
pub fn update_partner(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, partner_id): (&Uuid, &Uuid),
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<Partner, ApiError> {
    let (programme, access) = access::programme(conn, actor, id)?;
    let current = store::find_partner(conn, programme.id, PartnerId::from(*partner_id))?
        .ok_or(ApiError::NotFound)?;
    access.require_manage("a programme")?;
    if_match.check(current.version)?;
    let before = Partner::from_row(current.clone());
    let input = patch.apply(&before.input(), PARTNER_WRITABLE)?;
    check_partner_role(&programme, current.organisation_id, input.role)?;
    let row = PartnerRow {
        role: input.role,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(
        store::update_partner(conn, &row, current.version)?,
        current.version,
    )?;
    Ok(Partner::from_row(row))
}

// --- Targets ------------------------------------------------------------------------------------

pub fn list_targets(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    filters: &TargetFilters,
    page: &PageRequest,
) -> Result<Page<Target>, ApiError> {
    let (programme, _) = access::programme(conn, actor, id)?;
    let rows = store::list_targets(conn, programme.id, filters.metric, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Target::from_row(r)))
}

pub fn create_target(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: TargetInput,
) -> Result<(Target, String), ApiError> {
    let (programme, access) = access::programme(conn, actor, id)?;
    access.require_manage("a programme")?;
    let row = TargetRow {
        id: TargetId::new(),
        programme_id: programme.id,
        metric: input.metric,
        value: input.value,
        deadline: input.deadline,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_target(conn, &row)?;
    let location = format!("/api/v1/programmes/{}/targets/{}", programme.id, row.id);
    Ok((Target::from_row(row), location))
}

pub fn update_target(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, target_id): (&Uuid, &Uuid),
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<Target, ApiError> {
    let (programme, access) = access::programme(conn, actor, id)?;
    let current = store::find_target(conn, programme.id, TargetId::from(*target_id))?
        .ok_or(ApiError::NotFound)?;
    access.require_manage("a programme")?;
    if_match.check(current.version)?;
    let before = Target::from_row(current.clone());
    let input = patch.apply(&before.input(), TARGET_WRITABLE)?;
    let row = TargetRow {
        metric: input.metric,
        value: input.value,
        deadline: input.deadline,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(
        store::update_target(conn, &row, current.version)?,
        current.version,
    )?;
    Ok(Target::from_row(row))
}
