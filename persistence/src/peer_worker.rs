//! Peer workers, their programmes, municipalities, languages and qualifications.

use crate::ids::{
    OrganisationId, PeerWorkerId, ProgrammeId, QualificationId, TrainingCohortId, UserId,
};
use crate::schema::{
    peer_worker_languages, peer_worker_municipalities, peer_worker_programmes,
    peer_worker_qualifications, peer_workers, programme_partners,
};
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::peer_worker::{EarnedVia, Engagement, PeerWorkerStatus, QualificationKind};
use brobygger_domain::workflow::TextEnum;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = peer_workers, treat_none_as_null = true)]
pub struct PeerWorkerRow {
    pub id: PeerWorkerId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organisation_id: OrganisationId,
    #[diesel(serialize_as = EnumText)]
    pub engagement: Engagement,
    pub hours_per_week: Option<i32>,
    #[diesel(serialize_as = EnumText)]
    pub status: PeerWorkerStatus,
    pub capacity: i32,
    pub user_id: Option<UserId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = peer_worker_qualifications)]
pub struct QualificationRow {
    pub id: QualificationId,
    pub peer_worker_id: PeerWorkerId,
    #[diesel(serialize_as = EnumText)]
    pub kind: QualificationKind,
    #[diesel(serialize_as = EnumText)]
    pub earned_via: EarnedVia,
    pub training_cohort_id: Option<TrainingCohortId>,
    pub evidence: Option<String>,
    pub earned_on: NaiveDate,
    pub recorded_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

/// The scope of a list: which peer workers the user asking may see.
#[derive(Debug, Clone, Default)]
pub enum PeerWorkerScope {
    /// Every peer worker (admins).
    #[default]
    All,
    /// Those hosted by this organisation or working in a programme it is a partner of.
    Organisation(OrganisationId),
    /// Only the peer worker linked to this user.
    User(UserId),
    /// None at all (roles that do not see the workforce).
    Nobody,
}

/// Filters of `GET /peer-workers`, including the scope of the user asking.
#[derive(Debug, Clone, Default)]
pub struct PeerWorkerFilter {
    pub scope: PeerWorkerScope,
    pub organisation_id: Option<OrganisationId>,
    pub programme_id: Option<ProgrammeId>,
    pub status: Option<PeerWorkerStatus>,
    pub qualification: Option<QualificationKind>,
    pub municipality_code: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &PeerWorkerRow) -> QueryResult<()> {
    diesel::insert_into(peer_workers::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: PeerWorkerId) -> QueryResult<Option<PeerWorkerRow>> {
    peer_workers::table
        .find(id)
        .select(PeerWorkerRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConnection, ids: &[PeerWorkerId]) -> QueryResult<Vec<PeerWorkerRow>> {
    peer_workers::table
        .filter(peer_workers::id.eq_any(ids))
        .order(peer_workers::id.asc())
        .select(PeerWorkerRow::as_select())
        .load(conn)
}

pub fn find_by_user(
    conn: &mut DbConnection,
    user_id: UserId,
) -> QueryResult<Option<PeerWorkerRow>> {
    peer_workers::table
        .filter(peer_workers::user_id.eq(user_id))
        .select(PeerWorkerRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    filter: &PeerWorkerFilter,
    page: &PageRequest,
) -> QueryResult<Vec<PeerWorkerRow>> {
    paginate!(
        filtered(filter).select(PeerWorkerRow::as_select()),
        peer_workers,
        page
    )
    .load(conn)
}

type Backend = <DbConnection as Connection>::Backend;

/// The peer workers of `filter`, as a query to narrow further.
fn filtered<'a>(filter: &PeerWorkerFilter) -> peer_workers::BoxedQuery<'a, Backend> {
    let mut query = peer_workers::table.into_boxed();
    match &filter.scope {
        PeerWorkerScope::All => {}
        PeerWorkerScope::Organisation(org) => {
            let partner_programmes = programme_partners::table
                .filter(programme_partners::organisation_id.eq(*org))
                .select(programme_partners::programme_id);
            let in_partner_programmes = peer_worker_programmes::table
                .filter(peer_worker_programmes::programme_id.eq_any(partner_programmes))
                .select(peer_worker_programmes::peer_worker_id);
            query = query.filter(
                peer_workers::organisation_id
                    .eq(*org)
                    .or(peer_workers::id.eq_any(in_partner_programmes)),
            );
        }
        PeerWorkerScope::User(user) => {
            query = query.filter(peer_workers::user_id.eq(*user));
        }
        PeerWorkerScope::Nobody => {
            query = query.filter(false.into_sql::<diesel::sql_types::Bool>());
        }
    }
    if let Some(org) = &filter.organisation_id {
        query = query.filter(peer_workers::organisation_id.eq(*org));
    }
    if let Some(programme) = &filter.programme_id {
        query = query.filter(
            peer_workers::id.eq_any(
                peer_worker_programmes::table
                    .filter(peer_worker_programmes::programme_id.eq(*programme))
                    .select(peer_worker_programmes::peer_worker_id),
            ),
        );
    }
    if let Some(status) = &filter.status {
        query = query.filter(peer_workers::status.eq(status.as_str()));
    }
    if let Some(kind) = &filter.qualification {
        query = query.filter(
            peer_workers::id.eq_any(
                peer_worker_qualifications::table
                    .filter(peer_worker_qualifications::kind.eq(kind.as_str()))
                    .select(peer_worker_qualifications::peer_worker_id),
            ),
        );
    }
    if let Some(code) = &filter.municipality_code {
        query = query.filter(
            peer_workers::id.eq_any(
                peer_worker_municipalities::table
                    .filter(peer_worker_municipalities::municipality_code.eq(code.clone()))
                    .select(peer_worker_municipalities::peer_worker_id),
            ),
        );
    }
    query
}

/// Writes `row` if the stored version is still `expected_version`; `false` when it is not.
pub fn update(
    conn: &mut DbConnection,
    row: &PeerWorkerRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        peer_workers::table
            .filter(peer_workers::id.eq(row.id))
            .filter(peer_workers::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

/// Marks a peer worker changed (a new qualification): bumps its version and `updated_at`.
pub fn touch(conn: &mut DbConnection, id: PeerWorkerId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(peer_workers::table.filter(peer_workers::id.eq(id)))
        .set((
            peer_workers::version.eq(peer_workers::version + 1),
            peer_workers::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The lists of a peer worker: programmes, municipality codes and languages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerWorkerLists {
    pub programme_ids: Vec<ProgrammeId>,
    pub municipality_codes: Vec<String>,
    pub languages: Vec<String>,
}

/// Replaces the lists of a peer worker.
pub fn set_lists(
    conn: &mut DbConnection,
    id: PeerWorkerId,
    lists: &PeerWorkerLists,
) -> QueryResult<()> {
    diesel::delete(
        peer_worker_programmes::table.filter(peer_worker_programmes::peer_worker_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        peer_worker_municipalities::table.filter(peer_worker_municipalities::peer_worker_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        peer_worker_languages::table.filter(peer_worker_languages::peer_worker_id.eq(id)),
    )
    .execute(conn)?;
    for programme in &lists.programme_ids {
        diesel::insert_into(peer_worker_programmes::table)
            .values((
                peer_worker_programmes::peer_worker_id.eq(id),
                peer_worker_programmes::programme_id.eq(programme),
            ))
            .execute(conn)?;
    }
    for code in &lists.municipality_codes {
        diesel::insert_into(peer_worker_municipalities::table)
            .values((
                peer_worker_municipalities::peer_worker_id.eq(id),
                peer_worker_municipalities::municipality_code.eq(code),
            ))
            .execute(conn)?;
    }
    for language in &lists.languages {
        diesel::insert_into(peer_worker_languages::table)
            .values((
                peer_worker_languages::peer_worker_id.eq(id),
                peer_worker_languages::language.eq(language),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (owner id, value) pairs of a list.
pub type Pairs<V = String> = Vec<(PeerWorkerId, V)>;

/// The lists of several peer workers, as (peer worker id, value) pairs: programmes,
/// municipality codes, languages.
pub fn lists_of(
    conn: &mut DbConnection,
    ids: &[PeerWorkerId],
) -> QueryResult<(Pairs<ProgrammeId>, Pairs, Pairs)> {
    let programmes = peer_worker_programmes::table
        .filter(peer_worker_programmes::peer_worker_id.eq_any(ids))
        .order((
            peer_worker_programmes::peer_worker_id,
            peer_worker_programmes::programme_id,
        ))
        .select((
            peer_worker_programmes::peer_worker_id,
            peer_worker_programmes::programme_id,
        ))
        .load(conn)?;
    let municipalities = peer_worker_municipalities::table
        .filter(peer_worker_municipalities::peer_worker_id.eq_any(ids))
        .order((
            peer_worker_municipalities::peer_worker_id,
            peer_worker_municipalities::municipality_code,
        ))
        .select((
            peer_worker_municipalities::peer_worker_id,
            peer_worker_municipalities::municipality_code,
        ))
        .load(conn)?;
    let languages = peer_worker_languages::table
        .filter(peer_worker_languages::peer_worker_id.eq_any(ids))
        .order((
            peer_worker_languages::peer_worker_id,
            peer_worker_languages::language,
        ))
        .select((
            peer_worker_languages::peer_worker_id,
            peer_worker_languages::language,
        ))
        .load(conn)?;
    Ok((programmes, municipalities, languages))
}

/// Whether peer worker `id` works in a programme `organisation_id` is a partner of.
pub fn works_for_partner_of(
    conn: &mut DbConnection,
    id: PeerWorkerId,
    organisation_id: OrganisationId,
) -> QueryResult<bool> {
    let partner_programmes = programme_partners::table
        .filter(programme_partners::organisation_id.eq(organisation_id))
        .select(programme_partners::programme_id);
    peer_worker_programmes::table
        .filter(peer_worker_programmes::peer_worker_id.eq(id))
        .filter(peer_worker_programmes::programme_id.eq_any(partner_programmes))
        .select(peer_worker_programmes::programme_id)
        .first::<ProgrammeId>(conn)
        .optional()
        .map(|found| found.is_some())
}

pub fn insert_qualification(conn: &mut DbConnection, row: &QualificationRow) -> QueryResult<()> {
    diesel::insert_into(peer_worker_qualifications::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

/// The qualifications of several peer workers, by peer worker and kind.
pub fn qualifications_of(
    conn: &mut DbConnection,
    ids: &[PeerWorkerId],
) -> QueryResult<Vec<QualificationRow>> {
    peer_worker_qualifications::table
        .filter(peer_worker_qualifications::peer_worker_id.eq_any(ids))
        .order((
            peer_worker_qualifications::peer_worker_id,
            peer_worker_qualifications::kind,
        ))
        .select(QualificationRow::as_select())
        .load(conn)
}

/// The resource type peer workers' status history is kept under (the API's `peer_worker`).
const HISTORY_TYPE: &str = "peer_worker";

/// A page of the peer workers of `filter` that are (`overdue`), or are not (`!overdue`),
/// overdue for supervision on `today`, in one query. Overdue is
/// `brobygger_domain::peer_worker::supervision_overdue` in SQL: an active peer worker whose
/// last supervision on or before `today` (or, lacking one, the day they last became active)
/// lies more than the shortest `supervision_interval_days` of their programmes back
/// (`DEFAULT_SUPERVISION_INTERVAL_DAYS` without one).
pub fn list_by_supervision(
    conn: &mut DbConnection,
    filter: &PeerWorkerFilter,
    overdue: bool,
    today: NaiveDate,
    page: &PageRequest,
) -> QueryResult<Vec<PeerWorkerRow>> {
    use brobygger_domain::peer_worker::PeerWorkerStatus;
    use brobygger_domain::programme::DEFAULT_SUPERVISION_INTERVAL_DAYS;
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Date, Integer, Text};
    // Days between two dates: PostgreSQL subtracts dates; SQLite subtracts Julian day numbers.
    let days = match conn {
        DbConnection::Postgresql(_) => "",
        DbConnection::Sqlite(_) => "julianday",
    };
    let not = if overdue { "" } else { "NOT " };
    let active = PeerWorkerStatus::Active.as_str();
    let predicate = sql::<Bool>(&format!("{not}(peer_workers.status = "))
        .bind::<Text, _>(active)
        .sql(&format!(" AND COALESCE({days}("))
        .bind::<Date, _>(today)
        .sql(&format!(
            ") - {days}(COALESCE(\
             (SELECT MAX(s.date) FROM supervision_attendees a \
             JOIN supervision_sessions s ON s.id = a.supervision_session_id \
             WHERE a.peer_worker_id = peer_workers.id AND s.date <= "
        ))
        .bind::<Date, _>(today)
        .sql(
            "), (SELECT date(MAX(h.at)) FROM status_history h \
             WHERE h.resource_id = peer_workers.id AND h.resource_type = ",
        )
        .bind::<Text, _>(HISTORY_TYPE)
        .sql(" AND h.status = ")
        .bind::<Text, _>(active)
        .sql(
            "))) > COALESCE((SELECT MIN(p.supervision_interval_days) \
             FROM peer_worker_programmes pp JOIN programmes p ON p.id = pp.programme_id \
             WHERE pp.peer_worker_id = peer_workers.id), ",
        )
        .bind::<Integer, _>(DEFAULT_SUPERVISION_INTERVAL_DAYS)
        .sql("), FALSE))");
    paginate!(
        filtered(filter)
            .filter(predicate)
            .select(PeerWorkerRow::as_select()),
        peer_workers,
        page
    )
    .load(conn)
}

/// The shortest `supervision_interval_days` of each given peer worker's programmes, for
/// those working in one.
pub fn supervision_intervals(
    conn: &mut DbConnection,
    ids: &[PeerWorkerId],
) -> QueryResult<Vec<(PeerWorkerId, Option<i32>)>> {
    use crate::schema::programmes;
    peer_worker_programmes::table
        .inner_join(programmes::table.on(programmes::id.eq(peer_worker_programmes::programme_id)))
        .filter(peer_worker_programmes::peer_worker_id.eq_any(ids))
        .group_by(peer_worker_programmes::peer_worker_id)
        .select((
            peer_worker_programmes::peer_worker_id,
            diesel::dsl::min(programmes::supervision_interval_days),
        ))
        .load(conn)
}
