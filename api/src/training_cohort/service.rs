//! The use cases of training cohorts: the peer education. Cohorts belong to a programme and are
//! seen and managed as their programme is (`access::training_cohort`). Completing an enrolment
//! grants the cohort's qualifications.

use super::dto::{
    ENROLMENT_WRITABLE, Enrolment, EnrolmentFilters, EnrolmentInput, Trainer, TrainerInput,
    TrainingCohort, TrainingCohortFilters, TrainingCohortInput, WRITABLE,
};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::body::MergePatch;
use crate::convert::{set, values_of};
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use crate::peer_worker;
use brobygger_domain::FieldErrors;
use brobygger_domain::peer_worker::{QualificationKind, may_train};
use brobygger_domain::programme::Period;
use brobygger_domain::training_cohort::{
    EnrolmentOutcome, OutcomeChange, plan_outcome, user_may_train,
};
use brobygger_persistence::ids::{
    EnrolmentId, OrganisationId, PeerWorkerId, ProgrammeId, TrainerId, TrainingCohortId, UserId,
};
use brobygger_persistence::training_cohort::{
    self as store, EnrolmentRow, TrainerRow, TrainingCohortFilter, TrainingCohortRow,
};
use brobygger_persistence::user::UserRow;
use brobygger_persistence::{DbConnection, PageRequest, programme as programme_store};
use chrono::{NaiveDate, NaiveDateTime};
use uuid::Uuid;

fn load(
    conn: &mut DbConnection,
    rows: Vec<TrainingCohortRow>,
) -> Result<Vec<TrainingCohort>, ApiError> {
    let ids: Vec<TrainingCohortId> = rows.iter().map(|r| r.id).collect();
    let grants = store::grants_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let grants = values_of(&grants, &row.id).copied().collect();
            TrainingCohort::from_parts(row, grants)
        })
        .collect())
}

fn load_one(conn: &mut DbConnection, row: TrainingCohortRow) -> Result<TrainingCohort, ApiError> {
    load(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal("cohort vanished"))
}

/// The period; on create, a programme the actor manages; a provider that is a partner of the
/// programme or an organisation the actor may name.
fn check(
    conn: &mut DbConnection,
    actor: &Actor,
    input: &TrainingCohortInput,
    current: Option<&TrainingCohort>,
) -> Result<Period, ApiError> {
    let mut errors = FieldErrors::new();
    let period = match Period::parse(input.start_date, input.end_date, "end_date") {
        Ok(period) => Some(period),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    if current.is_none() {
        match access::programme_access(conn, actor, input.programme_id.into())? {
            Access::None => errors.push("programme_id", "unknown", "no such programme"),
            found => found.require_manage("a programme")?,
        }
    }
    if current.is_none_or(|c| c.provider_organisation_id != input.provider_organisation_id) {
        let (programme, provider) = (input.programme_id, input.provider_organisation_id);
        let partner =
            programme_store::partner_role(conn, programme.into(), provider.into())?.is_some();
        if !(partner || access::organisation_in_body(conn, actor, &input.provider_organisation_id)?)
        {
            errors.push(
                "provider_organisation_id",
                "unknown",
                "no such organisation",
            );
        }
    }
    match period {
        Some(period) if errors.is_empty() => Ok(period),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// The cohorts of the programmes the actor sees.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &TrainingCohortFilters,
    page: &PageRequest,
) -> Result<Page<TrainingCohort>, ApiError> {
    if !access::lists_training_cohorts(actor) {
        return Ok(Page::all(Vec::new()));
    }
    let filter = TrainingCohortFilter {
        partner_organisation_id: access::partner_organisation(actor),
        programme_id: filters.programme_id.map(ProgrammeId::from),
        provider_organisation_id: filters.provider_organisation_id.map(OrganisationId::from),
    };
    let rows = store::list(conn, &filter, page)?;
    let page = Page::from_rows(rows, page, |r| &r.id, Ok)?;
    Ok(Page {
        items: load(conn, page.items)?,
        next_cursor: page.next_cursor,
    })
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<TrainingCohort, ApiError> {
    let (row, _) = access::training_cohort(conn, actor, id)?;
    load_one(conn, row)
}

/// A new cohort of a programme the actor manages.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: TrainingCohortInput,
) -> Result<(TrainingCohort, String), ApiError> {
    let period = check(conn, actor, &input, None)?;
    let row = TrainingCohortRow {
        id: TrainingCohortId::new(),
        programme_id: input.programme_id.into(),
        provider_organisation_id: input.provider_organisation_id.into(),
        start_date: period.start(),
        end_date: period.end(),
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    store::set_grants(conn, row.id, &set(input.grants.clone()))?;
    let location = format!("/api/v1/training-cohorts/{}", row.id);
    Ok((load_one(conn, row)?, location))
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<TrainingCohort, ApiError> {
    let (current, access) = access::training_cohort(conn, actor, id)?;
    access.require_manage("a training cohort")?;
    if_match.check(current.version)?;
    let before = load_one(conn, current.clone())?;
    let input = patch.apply(&before.input(), WRITABLE)?;
    let period = check(conn, actor, &input, Some(&before))?;
    let row = TrainingCohortRow {
        provider_organisation_id: input.provider_organisation_id.into(),
        start_date: period.start(),
        end_date: period.end(),
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    store::set_grants(conn, row.id, &set(input.grants.clone()))?;
    load_one(conn, row)
}

// --- Trainers -----------------------------------------------------------------------------------

pub fn list_trainers(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    page: &PageRequest,
) -> Result<Page<Trainer>, ApiError> {
    let (cohort, _) = access::training_cohort(conn, actor, id)?;
    let rows = store::list_trainers(conn, cohort.id, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Trainer::from_row(r)))
}

/// Who may train as a professional: the domain's rule over the user's role.
fn may_train_as_professional(user: &UserRow) -> bool {
    user_may_train(user.role)
}

/// The trainer named in `input`: `(peer worker, user)`, exactly one of them.
fn trainer(
    conn: &mut DbConnection,
    actor: &Actor,
    cohort: &TrainingCohortRow,
    input: &TrainerInput,
) -> Result<(Option<PeerWorkerId>, Option<UserId>), ApiError> {
    match (input.peer_worker_id, input.user_id) {
        (Some(peer), None) => {
            let Some((worker, _)) = access::peer_worker_in_body(conn, actor, &peer)? else {
                return Err(ApiError::field(
                    "peer_worker_id",
                    "unknown",
                    "no such peer worker",
                ));
            };
            if !may_train(worker.status, &peer_worker::service::held(conn, worker.id)?) {
                return Err(ApiError::QualificationMissing(
                    "a peer trainer must be active and hold peer_trainer".to_owned(),
                ));
            }
            Ok((Some(worker.id), None))
        }
        (None, Some(user)) => {
            match access::programme_user_in_body(conn, actor, cohort.programme_id, &user)? {
                Some(found) if may_train_as_professional(&found) => Ok((None, Some(found.id))),
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

/// A new trainer: an active peer trainer, or a professional of a partner organisation.
pub fn create_trainer(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: TrainerInput,
) -> Result<(Trainer, String), ApiError> {
    let (cohort, access) = access::training_cohort(conn, actor, id)?;
    access.require_manage("a training cohort")?;
    let (peer_worker_id, user_id) = trainer(conn, actor, &cohort, &input)?;
    let row = TrainerRow {
        id: TrainerId::new(),
        training_cohort_id: cohort.id,
        peer_worker_id,
        user_id,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_trainer(conn, &row)?;
    let location = format!("/api/v1/training-cohorts/{}/trainers", cohort.id);
    Ok((Trainer::from_row(row), location))
}

// --- Enrolments ---------------------------------------------------------------------------------

pub fn list_enrolments(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    filters: &EnrolmentFilters,
    page: &PageRequest,
) -> Result<Page<Enrolment>, ApiError> {
    let (cohort, _) = access::training_cohort(conn, actor, id)?;
    let rows = store::list_enrolments(conn, cohort.id, filters.outcome, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(Enrolment::from_row(r)))
}

/// A peer worker the actor sees, enrolled in a cohort it manages.
pub fn create_enrolment(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: EnrolmentInput,
) -> Result<(Enrolment, String), ApiError> {
    let (cohort, access) = access::training_cohort(conn, actor, id)?;
    access.require_manage("a training cohort")?;
    let Some((worker, _)) = access::peer_worker_in_body(conn, actor, &input.peer_worker_id)? else {
        return Err(ApiError::field(
            "peer_worker_id",
            "unknown",
            "no such peer worker",
        ));
    };
    let row = EnrolmentRow {
        id: EnrolmentId::new(),
        training_cohort_id: cohort.id,
        peer_worker_id: worker.id,
        outcome: EnrolmentOutcome::Enrolled,
        completed_on: None,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert_enrolment(conn, &row)?;
    let location = format!(
        "/api/v1/training-cohorts/{}/enrolments/{}",
        cohort.id, row.id
    );
    Ok((Enrolment::from_row(row), location))
}

/// Grants the cohort's qualifications to the peer worker of a completed enrolment.
fn complete(
    conn: &mut DbConnection,
    cohort: &TrainingCohortRow,
    enrolment: &EnrolmentRow,
    completed_on: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let grants: Vec<QualificationKind> = store::grants_of(conn, &[cohort.id])?
        .into_iter()
        .map(|(_, kind)| kind)
        .collect();
    peer_worker::service::grant_from_cohort(
        conn,
        enrolment.peer_worker_id,
        &grants,
        cohort.id,
        completed_on,
        now,
    )
}

/// An enrolment's outcome: `completed` (with its date) grants the cohort's qualifications.
pub fn update_enrolment(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, enrolment_id): (&Uuid, &Uuid),
    if_match: &IfMatch,
    patch: MergePatch,
) -> Result<Enrolment, ApiError> {
    let (cohort, access) = access::training_cohort(conn, actor, id)?;
    let current = store::find_enrolment(conn, cohort.id, EnrolmentId::from(*enrolment_id))?
        .ok_or(ApiError::NotFound)?;
    access.require_manage("a training cohort")?;
    if_match.check(current.version)?;
    let before = Enrolment::from_row(current.clone());
    let input = patch.apply(&before.input(), ENROLMENT_WRITABLE)?;
    let plan = plan_outcome(&OutcomeChange {
        from: before.outcome,
        to: input.outcome,
        completed_on: input.completed_on,
        cohort_starts_on: cohort.start_date,
    })?;
    let row = EnrolmentRow {
        outcome: input.outcome,
        completed_on: input.completed_on,
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(
        store::update_enrolment(conn, &row, current.version)?,
        current.version,
    )?;
    if let Some(on) = plan.grants_on {
        complete(conn, &cohort, &row, on, actor.now)?;
    }
    Ok(Enrolment::from_row(row))
}
