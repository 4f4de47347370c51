//! Training cohorts, the qualifications they grant, their trainers and enrolments.

use crate::ids::{
    EnrolmentId, OrganisationId, PeerWorkerId, ProgrammeId, TrainerId, TrainingCohortId, UserId,
};
use crate::schema::{
    programme_partners, training_cohort_enrolments, training_cohort_grants,
    training_cohort_trainers, training_cohorts,
};
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::peer_worker::QualificationKind;
use brobygger_domain::training_cohort::EnrolmentOutcome;
use brobygger_domain::workflow::TextEnum;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = training_cohorts, treat_none_as_null = true)]
pub struct TrainingCohortRow {
    pub id: TrainingCohortId,
    pub programme_id: ProgrammeId,
    pub provider_organisation_id: OrganisationId,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = training_cohort_trainers)]
pub struct TrainerRow {
    pub id: TrainerId,
    pub training_cohort_id: TrainingCohortId,
    pub peer_worker_id: Option<PeerWorkerId>,
    pub user_id: Option<UserId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = training_cohort_enrolments, treat_none_as_null = true)]
pub struct EnrolmentRow {
    pub id: EnrolmentId,
    pub training_cohort_id: TrainingCohortId,
    pub peer_worker_id: PeerWorkerId,
    #[diesel(serialize_as = EnumText)]
    pub outcome: EnrolmentOutcome,
    pub completed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters of `GET /training-cohorts`, including the scope of the user asking.
#[derive(Debug, Clone, Default)]
pub struct TrainingCohortFilter {
    /// Only cohorts of programmes this organisation is a partner of (`None`: all).
    pub partner_organisation_id: Option<OrganisationId>,
    pub programme_id: Option<ProgrammeId>,
    pub provider_organisation_id: Option<OrganisationId>,
}

pub fn insert(conn: &mut DbConnection, row: &TrainingCohortRow) -> QueryResult<()> {
    diesel::insert_into(training_cohorts::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(
    conn: &mut DbConnection,
    id: TrainingCohortId,
) -> QueryResult<Option<TrainingCohortRow>> {
    training_cohorts::table
        .find(id)
        .select(TrainingCohortRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    filter: &TrainingCohortFilter,
    page: &PageRequest,
) -> QueryResult<Vec<TrainingCohortRow>> {
    let mut query = training_cohorts::table
        .select(TrainingCohortRow::as_select())
        .into_boxed();
    if let Some(org) = &filter.partner_organisation_id {
        query = query.filter(
            training_cohorts::programme_id.eq_any(
                programme_partners::table
                    .filter(programme_partners::organisation_id.eq(*org))
                    .select(programme_partners::programme_id),
            ),
        );
    }
    if let Some(programme) = &filter.programme_id {
        query = query.filter(training_cohorts::programme_id.eq(*programme));
    }
    if let Some(provider) = &filter.provider_organisation_id {
        query = query.filter(training_cohorts::provider_organisation_id.eq(*provider));
    }
    paginate!(query, training_cohorts, page).load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    row: &TrainingCohortRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        training_cohorts::table
            .filter(training_cohorts::id.eq(row.id))
            .filter(training_cohorts::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

/// The qualifications the given cohorts grant, as (cohort id, kind).
pub fn grants_of(
    conn: &mut DbConnection,
    ids: &[TrainingCohortId],
) -> QueryResult<Vec<(TrainingCohortId, QualificationKind)>> {
    training_cohort_grants::table
        .filter(training_cohort_grants::training_cohort_id.eq_any(ids))
        .order((
            training_cohort_grants::training_cohort_id,
            training_cohort_grants::kind,
        ))
        .select((
            training_cohort_grants::training_cohort_id,
            training_cohort_grants::kind,
        ))
        .load(conn)
}

pub fn set_grants(
    conn: &mut DbConnection,
    id: TrainingCohortId,
    kinds: &[QualificationKind],
) -> QueryResult<()> {
    diesel::delete(
        training_cohort_grants::table.filter(training_cohort_grants::training_cohort_id.eq(id)),
    )
    .execute(conn)?;
    for kind in kinds {
        diesel::insert_into(training_cohort_grants::table)
            .values((
                training_cohort_grants::training_cohort_id.eq(id),
                training_cohort_grants::kind.eq(kind.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_trainer(conn: &mut DbConnection, row: &TrainerRow) -> QueryResult<()> {
    diesel::insert_into(training_cohort_trainers::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn list_trainers(
    conn: &mut DbConnection,
    cohort_id: TrainingCohortId,
    page: &PageRequest,
) -> QueryResult<Vec<TrainerRow>> {
    let query = training_cohort_trainers::table
        .filter(training_cohort_trainers::training_cohort_id.eq(cohort_id))
        .select(TrainerRow::as_select())
        .into_boxed();
    paginate!(query, training_cohort_trainers, page).load(conn)
}

pub fn insert_enrolment(conn: &mut DbConnection, row: &EnrolmentRow) -> QueryResult<()> {
    diesel::insert_into(training_cohort_enrolments::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find_enrolment(
    conn: &mut DbConnection,
    cohort_id: TrainingCohortId,
    id: EnrolmentId,
) -> QueryResult<Option<EnrolmentRow>> {
    training_cohort_enrolments::table
        .filter(training_cohort_enrolments::training_cohort_id.eq(cohort_id))
        .filter(training_cohort_enrolments::id.eq(id))
        .select(EnrolmentRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_enrolments(
    conn: &mut DbConnection,
    cohort_id: TrainingCohortId,
    outcome: Option<EnrolmentOutcome>,
    page: &PageRequest,
) -> QueryResult<Vec<EnrolmentRow>> {
    let mut query = training_cohort_enrolments::table
        .filter(training_cohort_enrolments::training_cohort_id.eq(cohort_id))
        .select(EnrolmentRow::as_select())
        .into_boxed();
    if let Some(outcome) = outcome {
        query = query.filter(training_cohort_enrolments::outcome.eq(outcome.as_str()));
    }
    paginate!(query, training_cohort_enrolments, page).load(conn)
}

pub fn update_enrolment(
    conn: &mut DbConnection,
    row: &EnrolmentRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        training_cohort_enrolments::table
            .filter(training_cohort_enrolments::id.eq(row.id))
            .filter(training_cohort_enrolments::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}
