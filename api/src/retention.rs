//! The retention job (`brobygger retention --older-than-years N`): anonymises citizens whose
//! last support course closed more than N years ago, through the citizens' service.

use crate::app::{StartError, open_database};
use crate::citizen;
use crate::settings::Settings;
use chrono::NaiveDateTime;

/// Runs the job against the configured database; returns how many citizens it anonymised.
pub fn run(settings: &Settings, years: u32, now: NaiveDateTime) -> Result<usize, StartError> {
    let db = open_database(settings)?;
    let mut conn = db
        .pool()
        .get()
        .map_err(brobygger_persistence::DbError::Pool)?;
    Ok(citizen::service::anonymise_closed(&mut conn, years, now)?)
}
