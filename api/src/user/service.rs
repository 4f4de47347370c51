//! The use cases of users: people and integration clients. Admins manage everyone; a
//! coordinator the users of its own organisation (never making an admin, never its own role);
//! others see themselves. Also the operator's ways in: the first admin and `create-user`.

use super::dto::{User, UserFilters, UserInput};
use crate::access;
use crate::actor::Actor;
use crate::auth::password;
use crate::body::MergePatch;
use crate::error::ApiError;
use crate::http::{self, IfMatch, Page};
use brobygger_domain::FieldErrors;
use brobygger_domain::organisation::OrganisationKind;
use brobygger_domain::user::{Role, UserRuleError};
use brobygger_persistence::auth::Invalidation;
use brobygger_persistence::ids::{OrganisationId, UserId};
use brobygger_persistence::organisation::{self as organisation_store, OrganisationRow};
use brobygger_persistence::user::{self as store, UserFilter, UserRow};
use brobygger_persistence::{DbConnection, PageRequest};
use chrono::NaiveDateTime;
use diesel::Connection;
use uuid::Uuid;

fn rule(error: UserRuleError) -> ApiError {
    match error {
        UserRuleError::Invisible => ApiError::NotFound,
        UserRuleError::Forbidden(why) => ApiError::Forbidden(why.to_owned()),
    }
}

/// The checks that need the database or span fields: the organisation exists; people have a
/// password, clients do not.
fn check(conn: &mut DbConnection, input: &UserInput, creating: bool) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    if organisation_store::find(conn, input.organisation_id.into())?.is_none() {
        errors.push("organisation_id", "unknown", "no such organisation");
    }
    if input.role.is_machine() && input.password.is_some() {
        errors.push(
            "password",
            "not_allowed",
            "integration clients sign in with a client secret",
        );
    }
    if creating && !input.role.is_machine() && input.password.is_none() {
        errors.push("password", "required", "is required");
    }
    if input.display_name.trim().is_empty() {
        errors.push("display_name", "required", "must not be blank");
    }
    Ok(errors.into_result(|| ())?)
}

/// Hashes a secret on the blocking pool, one per core at a time: slow by design, so never
/// inside a transaction.
async fn hash(secret: String) -> Result<String, ApiError> {
    password::hash_bounded(secret).await
}

pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &UserFilters,
    page: &PageRequest,
) -> Result<Page<User>, ApiError> {
    let organisation = filters.organisation_id.map(OrganisationId::from);
    let Some((only_id, organisation_id)) = access::user_scope(actor, organisation) else {
        return Ok(Page::all(Vec::new()));
    };
    let filter = UserFilter {
        only_id,
        organisation_id,
        role: filters.role,
        active: filters.active,
    };
    let rows = store::list(conn, &filter, page)?;
    Page::from_rows(rows, page, |r| &r.id, |r| Ok(User::from_row(r)))
}

pub fn read(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<User, ApiError> {
    Ok(User::from_row(access::user(conn, actor, id)?))
}

/// The secrets of a new user, hashed before its transaction.
pub struct NewSecrets {
    password_hash: Option<String>,
    client_secret: Option<(String, String)>,
}

/// Checks that the actor may create `input` at all, then hashes its secrets (a password, or
/// a generated client secret for an integration client).
pub async fn prepare(actor: &Actor, input: &UserInput) -> Result<NewSecrets, ApiError> {
    actor
        .actor()
        .may_create(input.organisation_id, input.role)
        .map_err(rule)?;
    let password_hash = match input.password.clone() {
        Some(p) => Some(hash(p).await?),
        None => None,
    };
    let client_secret = match input.role.is_machine().then(password::random_secret) {
        Some(secret) => Some((secret.clone(), hash(secret).await?)),
        None => None,
    };
    Ok(NewSecrets {
        password_hash,
        client_secret,
    })
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    input: UserInput,
    secrets: NewSecrets,
) -> Result<(User, String), ApiError> {
    check(conn, &input, true)?;
    let scopes = crate::auth::scope::of_new_user(input.role, input.scopes.as_deref())?;
    if store::find_by_username(conn, &input.username)?.is_some() {
        return Err(ApiError::Conflict("this username is taken".to_owned()));
    }
    let (client_secret, client_secret_hash) = secrets.client_secret.unzip();
    let row = UserRow {
        id: UserId::new(),
        username: input.username,
        display_name: input.display_name,
        email: input.email,
        role: input.role,
        organisation_id: input.organisation_id.into(),
        active: input.active,
        password_hash: secrets.password_hash,
        client_id: client_secret
            .as_ref()
            .map(|_| format!("bbc_{}", Uuid::now_v7().simple())),
        client_secret_hash,
        scopes: crate::auth::scope::join(&scopes),
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    let location = format!("/api/v1/users/{}", row.id);
    let mut created = User::from_row(row);
    created.client_secret = client_secret;
    Ok((created, location))
}

/// The hash of a new password in a patch (12–200 characters; anything else is left to the
/// patch's own checks), made before the transaction.
pub async fn new_password(patch: &MergePatch) -> Result<Option<String>, ApiError> {
    let password = patch.0.get("password").and_then(serde_json::Value::as_str);
    match password.map(str::to_owned) {
        Some(p) if (12..=200).contains(&p.chars().count()) => Ok(Some(hash(p).await?)),
        _ => Ok(None),
    }
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, if_match): (Uuid, IfMatch),
    patch: MergePatch,
    new_password: Option<String>,
) -> Result<User, ApiError> {
    let current = access::user(conn, actor, &id)?;
    let subject = access::subject(&current);
    let writable = actor.actor().writable_user_fields(&subject);
    let before = User::from_row(current.clone());
    if_match.check(before.version)?;
    let input = patch.apply(
        &UserInput {
            username: before.username.clone(),
            display_name: before.display_name.clone(),
            email: before.email.clone(),
            role: before.role,
            organisation_id: before.organisation_id,
            active: before.active,
            password: None,
            scopes: None,
        },
        writable,
    )?;
    if input.role != before.role
        || input.active != before.active
        || input.organisation_id != before.organisation_id
    {
        actor
            .actor()
            .may_manage(&subject, input.role)
            .map_err(rule)?;
    }
    if input.role.is_machine() != before.role.is_machine() {
        return Err(ApiError::field(
            "role",
            "not_allowed",
            "a person cannot become an integration client, nor the reverse",
        ));
    }
    check(conn, &input, false)?;
    if input.username != before.username
        && store::find_by_username(conn, &input.username)?.is_some()
    {
        return Err(ApiError::Conflict("this username is taken".to_owned()));
    }
    let row = UserRow {
        username: input.username,
        display_name: input.display_name,
        email: input.email,
        role: input.role,
        organisation_id: input.organisation_id.into(),
        active: input.active,
        password_hash: new_password.or(current.password_hash.clone()),
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    // Every replica forgets the user's cached sessions when this commits (the handling one
    // also at once, after the commit): its role, organisation, scopes, password or `active`
    // may have changed.
    brobygger_persistence::auth::announce(conn, Invalidation::User(row.id))?;
    Ok(User::from_row(row))
}

/// How a user created by the operator signs in: a person's password hash, or an integration
/// client's id and the hash of its secret.
pub enum OperatorSecret {
    Password(String),
    Client {
        client_id: String,
        secret_hash: String,
        scopes: Vec<crate::auth::scope::Scope>,
    },
}

impl OperatorSecret {
    /// A new client id, as the API gives one.
    pub fn new_client_id() -> String {
        format!("bbc_{}", Uuid::now_v7().simple())
    }
}

/// A user created by the operator (no actor): at first start or by `brobygger create-user`.
fn create_unchecked(
    conn: &mut DbConnection,
    (username, display_name): (&str, &str),
    role: Role,
    organisation_id: OrganisationId,
    secret: OperatorSecret,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    let (password_hash, client_id, client_secret_hash, scopes) = match secret {
        OperatorSecret::Password(hash) => (Some(hash), None, None, String::new()),
        OperatorSecret::Client {
            client_id,
            secret_hash,
            scopes,
        } => (
            None,
            Some(client_id),
            Some(secret_hash),
            crate::auth::scope::join(&scopes),
        ),
    };
    let row = UserRow {
        id: UserId::new(),
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        email: None,
        role,
        organisation_id,
        active: true,
        password_hash,
        client_id,
        client_secret_hash,
        scopes,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::insert(conn, &row)?;
    Ok(row)
}

/// On a database without users, creates the first admin `username` (and an organisation for
/// it), in one transaction; `false` when there are users already.
pub fn first_admin(
    conn: &mut DbConnection,
    username: &str,
    password_hash: impl FnOnce() -> Result<String, ApiError>,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    conn.transaction(|conn| {
        if store::count(conn)? > 0 {
            return Ok(false);
        }
        let organisation = OrganisationRow {
            id: OrganisationId::new(),
            name: "Brobygger administration".to_owned(),
            kind: OrganisationKind::Other,
            municipality_code: None,
            region_code: None,
            cvr: None,
            parent_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        organisation_store::insert(conn, &organisation)?;
        let names = (username, "Administrator");
        let hash = password_hash()?;
        let secret = OperatorSecret::Password(hash);
        create_unchecked(conn, names, Role::Admin, organisation.id, secret, now)?;
        Ok(true)
    })
}

/// `brobygger create-user`: a user of `organisation_id`, by default the first admin's
/// organisation, in one transaction.
pub fn create_by_operator(
    conn: &mut DbConnection,
    (username, display_name): (&str, &str),
    role: Role,
    organisation_id: Option<&str>,
    secret: OperatorSecret,
    now: NaiveDateTime,
) -> Result<UserRow, ApiError> {
    conn.transaction(|conn| {
        let organisation_id = match organisation_id {
            Some(id) => {
                let unknown = || ApiError::Conflict(format!("no organisation with id {id}"));
                let parsed = id.parse::<OrganisationId>().map_err(|_| unknown())?;
                organisation_store::find(conn, parsed)?
                    .ok_or_else(unknown)?
                    .id
            }
            None => {
                let admins = UserFilter {
                    role: Some(Role::Admin),
                    ..Default::default()
                };
                let first = PageRequest {
                    limit: 1,
                    ..Default::default()
                };
                let admin = store::list(conn, &admins, &first)?.into_iter().next();
                admin
                    .ok_or_else(|| {
                        ApiError::Conflict(
                            "no organisation to put the user in: pass --organisation-id, or start \
                             the server once so that it creates the first admin and its organisation"
                                .to_owned(),
                        )
                    })?
                    .organisation_id
            }
        };
        if store::find_by_username(conn, username)?.is_some() {
            return Err(ApiError::Conflict("this username is taken".into()));
        }
        let names = (username, display_name);
        create_unchecked(conn, names, role, organisation_id, secret, now)
    })
}
