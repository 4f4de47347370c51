//! Citizens. The CPR number is stored only encrypted, with a keyed hash for exact lookup.

use crate::ids::{CitizenId, OrganisationId};
use crate::schema::citizens;
use crate::support_course::CourseScope;
use crate::{DbConnection, PageRequest, paginate};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = citizens, treat_none_as_null = true)]
pub struct CitizenRow {
    pub id: CitizenId,
    pub name: String,
    pub cpr_ciphertext: Option<String>,
    pub cpr_index: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub municipality_code: String,
    pub preferred_language: Option<String>,
    pub organisation_id: OrganisationId,
    pub anonymised_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which citizens a user may see.
#[derive(Debug, Clone)]
pub enum CitizenScope {
    All,
    /// Citizens registered by `organisation_id`, or with a support course in `courses`.
    Limited {
        organisation_id: Option<OrganisationId>,
        courses: CourseScope,
    },
    None,
}

#[derive(Debug, Clone, Default)]
pub struct CitizenFilter {
    pub municipality_code: Option<String>,
    pub organisation_id: Option<OrganisationId>,
}

pub fn insert(conn: &mut DbConnection, row: &CitizenRow) -> QueryResult<()> {
    diesel::insert_into(citizens::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: CitizenId) -> QueryResult<Option<CitizenRow>> {
    citizens::table
        .find(id)
        .select(CitizenRow::as_select())
        .first(conn)
        .optional()
}

fn scoped<'a>(
    scope: &CitizenScope,
) -> Option<citizens::BoxedQuery<'a, <DbConnection as Connection>::Backend>> {
    use crate::schema::support_courses as courses;
    let query = citizens::table.into_boxed();
    let (organisation_id, course_scope) = match scope {
        CitizenScope::All => return Some(query),
        CitizenScope::None => return None,
        CitizenScope::Limited {
            organisation_id,
            courses,
        } => (*organisation_id, courses),
    };
    // Subqueries stay unboxed: a statement boxed for the multi-backend cannot be nested.
    let registered = citizens::organisation_id.eq(organisation_id.unwrap_or_default());
    Some(match (organisation_id.is_some(), course_scope) {
        (_, CourseScope::All) => query,
        (true, CourseScope::None) => query.filter(registered),
        (false, CourseScope::None) => return None,
        (registers, CourseScope::PartnerOf(organisation)) => {
            use crate::schema::programme_partners as partners;
            let with_course = citizens::id.eq_any(
                courses::table
                    .filter(
                        courses::programme_id.eq_any(
                            partners::table
                                .filter(partners::organisation_id.eq(*organisation))
                                .select(partners::programme_id),
                        ),
                    )
                    .select(courses::citizen_id),
            );
            if registers {
                query.filter(registered.or(with_course))
            } else {
                query.filter(with_course)
            }
        }
        (registers, CourseScope::PeerWorker(id)) => {
            let with_course = citizens::id.eq_any(
                courses::table
                    .filter(courses::peer_worker_id.eq(*id))
                    .select(courses::citizen_id),
            );
            if registers {
                query.filter(registered.or(with_course))
            } else {
                query.filter(with_course)
            }
        }
    })
}

/// Citizen `id` if it is in `scope`.
pub fn find_in(
    conn: &mut DbConnection,
    scope: &CitizenScope,
    id: CitizenId,
) -> QueryResult<Option<CitizenRow>> {
    let Some(query) = scoped(scope) else {
        return Ok(None);
    };
    query
        .filter(citizens::id.eq(id))
        .select(CitizenRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    scope: &CitizenScope,
    filter: &CitizenFilter,
    page: &PageRequest,
) -> QueryResult<Vec<CitizenRow>> {
    let Some(mut query) = scoped(scope) else {
        return Ok(Vec::new());
    };
    if let Some(code) = &filter.municipality_code {
        query = query.filter(citizens::municipality_code.eq(code.clone()));
    }
    if let Some(org) = &filter.organisation_id {
        query = query.filter(citizens::organisation_id.eq(*org));
    }
    paginate!(query.select(CitizenRow::as_select()), citizens, page).load(conn)
}

/// The citizens in `scope` with this blind index.
pub fn find_by_cpr_index(
    conn: &mut DbConnection,
    scope: &CitizenScope,
    index: &str,
) -> QueryResult<Vec<CitizenRow>> {
    let Some(query) = scoped(scope) else {
        return Ok(Vec::new());
    };
    query
        .filter(citizens::cpr_index.eq(index.to_owned()))
        .select(CitizenRow::as_select())
        .order(citizens::id.asc())
        .limit(100)
        .load(conn)
}

pub fn cpr_taken(
    conn: &mut DbConnection,
    organisation_id: OrganisationId,
    index: &str,
    except: CitizenId,
) -> QueryResult<bool> {
    let found: i64 = citizens::table
        .filter(citizens::organisation_id.eq(organisation_id))
        .filter(citizens::cpr_index.eq(index))
        .filter(citizens::id.ne(except))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Writes `row` if the stored version is still `expected_version`; `false` when it is not.
pub fn update(
    conn: &mut DbConnection,
    row: &CitizenRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        citizens::table
            .filter(citizens::id.eq(row.id))
            .filter(citizens::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}
