//! Organisations: the tenants.

use crate::ids::OrganisationId;
use crate::schema::organisations;
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::organisation::OrganisationKind;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisations, treat_none_as_null = true)]
pub struct OrganisationRow {
    pub id: OrganisationId,
    pub name: String,
    #[diesel(serialize_as = EnumText)]
    pub kind: OrganisationKind,
    pub municipality_code: Option<String>,
    pub region_code: Option<String>,
    pub cvr: Option<String>,
    pub parent_id: Option<OrganisationId>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters of `GET /organisations`.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    /// Only this organisation (the scope of a user who sees only its own).
    pub only_id: Option<OrganisationId>,
    pub kind: Option<OrganisationKind>,
    pub municipality_code: Option<String>,
    pub parent_id: Option<OrganisationId>,
}

pub fn insert(conn: &mut DbConnection, row: &OrganisationRow) -> QueryResult<()> {
    diesel::insert_into(organisations::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: OrganisationId) -> QueryResult<Option<OrganisationRow>> {
    organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    filter: &OrganisationFilter,
    page: &PageRequest,
) -> QueryResult<Vec<OrganisationRow>> {
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .into_boxed();
    if let Some(id) = &filter.only_id {
        query = query.filter(organisations::id.eq(*id));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(organisations::kind.eq(kind.as_str()));
    }
    if let Some(code) = &filter.municipality_code {
        query = query.filter(organisations::municipality_code.eq(code.clone()));
    }
    if let Some(parent) = &filter.parent_id {
        query = query.filter(organisations::parent_id.eq(*parent));
    }
    paginate!(query, organisations, page).load(conn)
}

/// Writes `row` if the stored version is still `expected_version`; `false` when it is not.
pub fn update(
    conn: &mut DbConnection,
    row: &OrganisationRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        organisations::table
            .filter(organisations::id.eq(row.id))
            .filter(organisations::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

/// The chain of parents above `id`, nearest first. Stops at a repeat, so a corrupt chain
/// cannot loop forever.
pub fn ancestors(conn: &mut DbConnection, id: OrganisationId) -> QueryResult<Vec<OrganisationId>> {
    let mut chain: Vec<OrganisationId> = Vec::new();
    let mut current = id;
    while let Some(parent) = organisations::table
        .find(current)
        .select(organisations::parent_id)
        .first::<Option<OrganisationId>>(conn)
        .optional()?
        .flatten()
    {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        current = parent;
    }
    Ok(chain)
}
