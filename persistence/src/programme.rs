//! Programmes, their models, partners and targets.

use crate::ids::{OrganisationId, PartnerId, ProgrammeId, TargetId};
use crate::schema::{
    programme_models, programme_partners, programme_targets, programmes, status_history,
};
use crate::status_history::{StatusHistoryRow, unique_in_order};
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::programme::{Metric, Model, PartnerRole, Phase};
use brobygger_domain::workflow::TextEnum;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = programmes, treat_none_as_null = true)]
pub struct ProgrammeRow {
    pub id: ProgrammeId,
    pub name: String,
    pub description: Option<String>,
    pub funding_source: Option<String>,
    pub grant_dkk: Option<i64>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub lead_organisation_id: OrganisationId,
    pub supervision_interval_days: i32,
    #[diesel(serialize_as = EnumText)]
    pub phase: Phase,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = programme_partners, treat_none_as_null = true)]
pub struct PartnerRow {
    pub id: PartnerId,
    pub programme_id: ProgrammeId,
    pub organisation_id: OrganisationId,
    #[diesel(serialize_as = EnumText)]
    pub role: PartnerRole,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = programme_targets, treat_none_as_null = true)]
pub struct TargetRow {
    pub id: TargetId,
    pub programme_id: ProgrammeId,
    #[diesel(serialize_as = EnumText)]
    pub metric: Metric,
    pub value: i64,
    pub deadline: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters of `GET /programmes`, including the scope of the user asking.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeFilter {
    /// Only programmes this organisation is a partner of (`None`: every programme).
    pub partner_organisation_id: Option<OrganisationId>,
    pub phase: Option<Phase>,
    pub lead_organisation_id: Option<OrganisationId>,
    pub model: Option<Model>,
}

pub fn insert(conn: &mut DbConnection, row: &ProgrammeRow) -> QueryResult<()> {
    diesel::insert_into(programmes::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: ProgrammeId) -> QueryResult<Option<ProgrammeRow>> {
    programmes::table
        .find(id)
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConnection, ids: &[ProgrammeId]) -> QueryResult<Vec<ProgrammeRow>> {
    programmes::table
        .filter(programmes::id.eq_any(ids))
        .select(ProgrammeRow::as_select())
        .load(conn)
}

pub fn list(
    conn: &mut DbConnection,
    filter: &ProgrammeFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ProgrammeRow>> {
    let mut query = programmes::table
        .select(ProgrammeRow::as_select())
        .into_boxed();
    if let Some(org) = &filter.partner_organisation_id {
        query = query.filter(
            programmes::id.eq_any(
                programme_partners::table
                    .filter(programme_partners::organisation_id.eq(*org))
                    .select(programme_partners::programme_id),
            ),
        );
    }
    if let Some(phase) = &filter.phase {
        query = query.filter(programmes::phase.eq(phase.as_str()));
    }
    if let Some(lead) = &filter.lead_organisation_id {
        query = query.filter(programmes::lead_organisation_id.eq(*lead));
    }
    if let Some(model) = &filter.model {
        query = query.filter(
            programmes::id.eq_any(
                programme_models::table
                    .filter(programme_models::model.eq(model.as_str()))
                    .select(programme_models::programme_id),
            ),
        );
    }
    paginate!(query, programmes, page).load(conn)
}

/// Writes `row` if the stored version is still `expected_version`; `false` when it is not.
pub fn update(
    conn: &mut DbConnection,
    row: &ProgrammeRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        programmes::table
            .filter(programmes::id.eq(row.id))
            .filter(programmes::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

/// Programme `id` with the role `organisation` holds in it (`None`: no partner), in one query.
pub fn find_with_role(
    conn: &mut DbConnection,
    id: ProgrammeId,
    organisation: OrganisationId,
) -> QueryResult<Option<(ProgrammeRow, Option<PartnerRole>)>> {
    programmes::table
        .left_join(
            programme_partners::table.on(programme_partners::programme_id
                .eq(programmes::id)
                .and(programme_partners::organisation_id.eq(organisation))),
        )
        .filter(programmes::id.eq(id))
        .select((
            ProgrammeRow::as_select(),
            programme_partners::role.nullable(),
        ))
        .first(conn)
        .optional()
}

/// A programme as a single read shows it, from one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeView {
    pub row: ProgrammeRow,
    /// The role the asking organisation holds in the programme (`None`: no partner).
    pub partner_role: Option<PartnerRole>,
    /// Its models, in the order of their names.
    pub models: Vec<Model>,
    /// Its status history (kept as `history_type`), oldest first.
    pub history: Vec<StatusHistoryRow>,
}

/// One row of [`find_view`]'s join: the programme, the partnership, a model, a history entry.
type ViewRow = (
    ProgrammeRow,
    Option<PartnerRole>,
    Option<Model>,
    Option<StatusHistoryRow>,
);

/// Programme `id` with `organisation`'s role in it, its models and its status history, in one
/// query: the row left-joined to the partnership, the models and the history (at most a few
/// of each, so the product of models and history entries stays small), folded here.
pub fn find_view(
    conn: &mut DbConnection,
    id: ProgrammeId,
    organisation: OrganisationId,
    history_type: &str,
) -> QueryResult<Option<ProgrammeView>> {
    let rows: Vec<ViewRow> = programmes::table
        .left_join(
            programme_partners::table.on(programme_partners::programme_id
                .eq(programmes::id)
                .and(programme_partners::organisation_id.eq(organisation))),
        )
        .left_join(programme_models::table.on(programme_models::programme_id.eq(programmes::id)))
        .left_join(
            status_history::table.on(status_history::resource_type
                .eq(history_type)
                .and(status_history::resource_id.eq(programmes::id))),
        )
        .filter(programmes::id.eq(id))
        .order((
            status_history::at.asc(),
            status_history::id.asc(),
            programme_models::model.asc(),
        ))
        .select((
            ProgrammeRow::as_select(),
            programme_partners::role.nullable(),
            programme_models::model.nullable(),
            Option::<StatusHistoryRow>::as_select(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter().peekable();
    let Some((row, partner_role, _, _)) = rows.peek().cloned() else {
        return Ok(None);
    };
    let (models, history): (Vec<_>, Vec<_>) = rows.map(|(_, _, m, h)| (m, h)).unzip();
    Ok(Some(ProgrammeView {
        row,
        partner_role,
        models: unique_in_order(models.into_iter().flatten(), |m| *m),
        history: unique_in_order(history.into_iter().flatten(), |h| h.id),
    }))
}

/// The models of the given programmes, as (programme id, model).
pub fn models_of(
    conn: &mut DbConnection,
    ids: &[ProgrammeId],
) -> QueryResult<Vec<(ProgrammeId, Model)>> {
    programme_models::table
        .filter(programme_models::programme_id.eq_any(ids))
        .order((programme_models::programme_id, programme_models::model))
        .select((programme_models::programme_id, programme_models::model))
        .load(conn)
}

/// Replaces the models of a programme.
pub fn set_models(conn: &mut DbConnection, id: ProgrammeId, models: &[Model]) -> QueryResult<()> {
    diesel::delete(programme_models::table.filter(programme_models::programme_id.eq(id)))
        .execute(conn)?;
    for model in models {
        diesel::insert_into(programme_models::table)
            .values((
                programme_models::programme_id.eq(id),
                programme_models::model.eq(model.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn partner_role(
    conn: &mut DbConnection,
    programme_id: ProgrammeId,
    organisation_id: OrganisationId,
) -> QueryResult<Option<PartnerRole>> {
    programme_partners::table
        .filter(programme_partners::programme_id.eq(programme_id))
        .filter(programme_partners::organisation_id.eq(organisation_id))
        .select(programme_partners::role)
        .first(conn)
        .optional()
}

/// Whether organisations `a` and `b` are partners of one programme (one query).
pub fn shares_a_programme(
    conn: &mut DbConnection,
    a: OrganisationId,
    b: OrganisationId,
) -> QueryResult<bool> {
    let of_a = diesel::alias!(programme_partners as of_a);
    let programmes_of_a = of_a
        .filter(of_a.field(programme_partners::organisation_id).eq(a))
        .select(of_a.field(programme_partners::programme_id));
    programme_partners::table
        .filter(programme_partners::organisation_id.eq(b))
        .filter(programme_partners::programme_id.eq_any(programmes_of_a))
        .select(programme_partners::programme_id)
        .first::<ProgrammeId>(conn)
        .optional()
        .map(|found| found.is_some())
}

pub fn insert_partner(conn: &mut DbConnection, row: &PartnerRow) -> QueryResult<()> {
    diesel::insert_into(programme_partners::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find_partner(
    conn: &mut DbConnection,
    programme_id: ProgrammeId,
    id: PartnerId,
) -> QueryResult<Option<PartnerRow>> {
    programme_partners::table
        .filter(programme_partners::programme_id.eq(programme_id))
        .filter(programme_partners::id.eq(id))
        .select(PartnerRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_partners(
    conn: &mut DbConnection,
    programme_id: ProgrammeId,
    page: &PageRequest,
) -> QueryResult<Vec<PartnerRow>> {
    let query = programme_partners::table
        .filter(programme_partners::programme_id.eq(programme_id))
        .select(PartnerRow::as_select())
        .into_boxed();
    paginate!(query, programme_partners, page).load(conn)
}

pub fn update_partner(
    conn: &mut DbConnection,
    row: &PartnerRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        programme_partners::table
            .filter(programme_partners::id.eq(row.id))
            .filter(programme_partners::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn insert_target(conn: &mut DbConnection, row: &TargetRow) -> QueryResult<()> {
    diesel::insert_into(programme_targets::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find_target(
    conn: &mut DbConnection,
    programme_id: ProgrammeId,
    id: TargetId,
) -> QueryResult<Option<TargetRow>> {
    programme_targets::table
        .filter(programme_targets::programme_id.eq(programme_id))
        .filter(programme_targets::id.eq(id))
        .select(TargetRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_targets(
    conn: &mut DbConnection,
    programme_id: ProgrammeId,
    metric: Option<Metric>,
    page: &PageRequest,
) -> QueryResult<Vec<TargetRow>> {
    let mut query = programme_targets::table
        .filter(programme_targets::programme_id.eq(programme_id))
        .select(TargetRow::as_select())
        .into_boxed();
    if let Some(metric) = metric {
        query = query.filter(programme_targets::metric.eq(metric.as_str()));
    }
    paginate!(query, programme_targets, page).load(conn)
}

pub fn update_target(
    conn: &mut DbConnection,
    row: &TargetRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        programme_targets::table
            .filter(programme_targets::id.eq(row.id))
            .filter(programme_targets::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}
