//! The use cases of consents: the citizen's permissions, per purpose. Withdrawal is a new
//! fact, never a delete. Every read and write is audited.

use super::dto::{Consent, ConsentFilters, ConsentInput};
use crate::access::{self, Access};
use crate::actor::Actor;
use crate::error::ApiError;
use crate::http;
use brobygger_domain::FieldErrors;
use brobygger_domain::citizen::{ConsentPeriod, check_consent_dates};
use brobygger_persistence::DbConnection;
use brobygger_persistence::consent::{self as store, ConsentRow};
use brobygger_persistence::ids::ConsentId;
use chrono::NaiveDate;
use uuid::Uuid;

fn period(row: &ConsentRow) -> ConsentPeriod {
    ConsentPeriod {
        given_on: row.given_on,
        expires_on: row.expires_on,
        withdrawn_on: row.withdrawn_on,
    }
}

/// A citizen's consents, oldest first; with `active_on`, those active that day.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    filters: &ConsentFilters,
) -> Result<Vec<Consent>, ApiError> {
    let (citizen, _) = access::citizen(conn, actor, id)?;
    let rows = store::of_citizen(conn, citizen.id)?;
    actor
        .audit
        .record(conn, "list", "consent", None, Some(&citizen.id))?;
    let wanted = rows
        .into_iter()
        .filter(|row| filters.purpose.is_none_or(|p| row.purpose == p))
        .filter(|row| {
            filters
                .active_on
                .is_none_or(|day| period(row).active_on(day))
        });
    Ok(wanted
        .map(|row| Consent::from_row(row, actor.today))
        .collect())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
    input: ConsentInput,
) -> Result<(Consent, String), ApiError> {
    let mut errors = FieldErrors::new();
    check_consent_dates(input.given_on, input.expires_on, actor.today, &mut errors);
    let (citizen, access) = access::citizen(conn, actor, id)?;
    access.require(Access::Manage, access::ONLY_CONSENT_RECORDERS)?;
    errors.into_result(|| ())?;
    if citizen.anonymised_at.is_some() {
        return Err(ApiError::Conflict("the citizen is anonymised".to_owned()));
    }
    let row = ConsentRow {
        id: ConsentId::new(),
        citizen_id: citizen.id,
        purpose: input.purpose,
        given_on: input.given_on,
        method: input.method,
        expires_on: input.expires_on,
        recorded_by: actor.id,
        withdrawn_on: None,
        withdrawn_by: None,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::insert(conn, &row)?;
    let audit = &actor.audit;
    audit.record(conn, "create", "consent", Some(&row.id), Some(&citizen.id))?;
    let location = format!("/api/v1/citizens/{}/consents/{}", citizen.id, row.id);
    Ok((Consent::from_row(row, actor.today), location))
}

/// Withdraws consent `consent_id` of citizen `id` from `withdrawn_on` (default today).
pub fn withdraw(
    conn: &mut DbConnection,
    actor: &Actor,
    (id, consent_id): (Uuid, Uuid),
    withdrawn_on: Option<NaiveDate>,
) -> Result<Consent, ApiError> {
    let withdrawn_on = withdrawn_on.unwrap_or(actor.today);
    let (citizen, access) = access::citizen(conn, actor, &id)?;
    access.require(Access::Manage, access::ONLY_CONSENT_RECORDERS)?;
    let current = store::find(conn, citizen.id, consent_id.into())?.ok_or(ApiError::NotFound)?;
    period(&current).check_withdrawal(withdrawn_on)?;
    let row = ConsentRow {
        withdrawn_on: Some(withdrawn_on),
        withdrawn_by: Some(actor.id),
        version: current.version + 1,
        updated_at: actor.now,
        ..current.clone()
    };
    http::stored(store::update(conn, &row, current.version)?, current.version)?;
    crate::referral::service::consent_withdrawn(conn, actor, row.id, row.purpose)?;
    let audit = &actor.audit;
    audit.record(
        conn,
        "withdraw",
        "consent",
        Some(&row.id),
        Some(&citizen.id),
    )?;
    Ok(Consent::from_row(row, actor.today))
}
