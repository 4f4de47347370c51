//! Users and integration clients.

use crate::ids::{OrganisationId, UserId};
use crate::schema::users;
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::user::Role;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    #[diesel(serialize_as = EnumText)]
    pub role: Role,
    pub organisation_id: OrganisationId,
    pub active: bool,
    pub password_hash: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_hash: Option<String>,
    /// An integration client's OAuth scopes, space-separated; empty for people.
    pub scopes: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters of `GET /users`, including the scope of the user asking.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only this user (the scope of a user who sees only itself).
    pub only_id: Option<UserId>,
    pub organisation_id: Option<OrganisationId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub fn insert(conn: &mut DbConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: UserId) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_username(conn: &mut DbConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_client_id(conn: &mut DbConnection, client_id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::client_id.eq(client_id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn list(
    conn: &mut DbConnection,
    filter: &UserFilter,
    page: &PageRequest,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(id) = &filter.only_id {
        query = query.filter(users::id.eq(*id));
    }
    if let Some(org) = &filter.organisation_id {
        query = query.filter(users::organisation_id.eq(*org));
    }
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    paginate!(query, users, page).load(conn)
}

/// Writes `row` if the stored version is still `expected_version`; `false` when it is not.
pub fn update(conn: &mut DbConnection, row: &UserRow, expected_version: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        users::table
            .filter(users::id.eq(row.id))
            .filter(users::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}
