//! The retention job: anonymises citizens whose last support course closed more than a given
//! number of years ago (`brobygger retention --older-than-years N`).

use crate::app::{StartError, open_database};
use crate::citizen::anonymise_row;
use crate::error::ApiError;
use crate::settings::Settings;
use brobygger_persistence::audit::{self, AuditRow};
use brobygger_persistence::{DbConnection, citizen, connection, support_course};
use chrono::{Months, NaiveDateTime};
use diesel::Connection;
use uuid::Uuid;

/// The audit log's name for this job, in place of a user.
pub const SYSTEM: &str = "system";

/// Anonymises every citizen whose courses are all closed, the last more than `years` before
/// `now`; one transaction per citizen, each audited. Returns how many were anonymised.
pub fn anonymise_closed(
    conn: &mut DbConnection,
    years: u32,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let cutoff = now
        .checked_sub_months(Months::new(years.saturating_mul(12)))
        .ok_or_else(|| ApiError::field("older_than_years", "out_of_range", "too many years"))?;
    let mut done = 0;
    for id in support_course::citizens_closed_before(conn, cutoff)? {
        let anonymised = conn.transaction::<_, ApiError, _>(|conn| {
            let Some(row) = citizen::find(conn, &id)? else {
                return Ok(false);
            };
            if row.anonymised_at.is_some() {
                return Ok(false);
            }
            let row = anonymise_row(conn, row, now)?;
            audit::append(
                conn,
                &[AuditRow {
                    id: Uuid::now_v7().to_string(),
                    at: now,
                    user_id: SYSTEM.to_owned(),
                    role: SYSTEM.to_owned(),
                    organisation_id: row.organisation_id.clone(),
                    action: "anonymise".to_owned(),
                    resource_type: "citizen".to_owned(),
                    resource_id: Some(row.id.clone()),
                    citizen_id: Some(row.id.clone()),
                    request_id: format!("retention-{}", now.format("%Y-%m-%d")),
                }],
            )?;
            Ok(true)
        })?;
        done += usize::from(anonymised);
    }
    if done > 0 {
        connection::settle_erasure(conn)?;
    }
    Ok(done)
}

/// Runs the job against the configured database.
pub fn run(settings: &Settings, years: u32, now: NaiveDateTime) -> Result<usize, StartError> {
    let db = open_database(settings)?;
    let mut conn = db
        .pool()
        .get()
        .map_err(brobygger_persistence::DbError::Pool)?;
    Ok(anonymise_closed(&mut conn, years, now)?)
}
