//! The teaching model's datasets: courses, enrolments, attendance.
// A dataset's row loads as the tuple of its columns, in file order.
#![allow(clippy::type_complexity)]

use super::{Batch, ExportFilter, ExportScope, Time};
use crate::DbConnection;
use crate::schema::{
    course_attendance, course_enrolments, course_sessions, courses, programme_partners,
};
use brobygger_domain::export::Cell;
use diesel::prelude::*;

pub(super) fn course_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use courses as c;
    let query = c::table
        .select((
            c::id,
            c::programme_id,
            c::title,
            c::description,
            c::format,
            c::provider_organisation_id,
            c::capacity,
            c::status,
            c::created_at,
            c::updated_at,
        ))
        .order(c::id)
        .limit(limit)
        .into_boxed();
    let period = (
        f.start_time().map(|t| c::created_at.ge(t)),
        f.until_time().map(|t| c::created_at.lt(t)),
    );
    let rows: Vec<(
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        i32,
        String,
        Time,
        Time,
    )> = filtered!(query, f, after, programme: c::programme_id, period: period,
        updated: c::updated_at, id: c::id)
    .load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9))
}

pub(super) fn enrolment_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use course_enrolments as e;
    use courses as c;
    let query = e::table
        .inner_join(c::table.on(c::id.eq(e::course_id)))
        .select((
            e::id,
            e::course_id,
            c::programme_id,
            e::citizen_id,
            e::participant_name,
            e::participant_type,
            e::status,
            e::waitlist_position,
            e::created_at,
            e::updated_at,
        ))
        .order(e::id)
        .limit(limit)
        .into_boxed();
    let period = (
        f.start_time().map(|t| e::created_at.ge(t)),
        f.until_time().map(|t| e::created_at.lt(t)),
    );
    let rows: Vec<(
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<i32>,
        Time,
        Time,
    )> = filtered!(query, f, after, programme: c::programme_id, period: period,
        updated: e::updated_at, id: e::id)
    .load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9))
}

pub(super) fn attendance_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use course_attendance as a;
    use course_enrolments as e;
    use course_sessions as s;
    use courses as c;
    let query = a::table
        .inner_join(s::table.on(s::id.eq(a::session_id)))
        .inner_join(c::table.on(c::id.eq(s::course_id)))
        .inner_join(e::table.on(e::id.eq(a::enrolment_id)))
        .select((
            a::id,
            a::session_id,
            a::enrolment_id,
            s::course_id,
            c::programme_id,
            e::citizen_id,
            s::starts_at,
            a::status,
            a::created_at,
        ))
        .order(a::id)
        .limit(limit)
        .into_boxed();
    let period = (
        f.start_time().map(|t| s::starts_at.ge(t)),
        f.until_time().map(|t| s::starts_at.lt(t)),
    );
    let rows: Vec<(
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Time,
        String,
        Time,
    )> = filtered!(query, f, after, programme: c::programme_id, period: period,
        updated: a::created_at, id: a::id)
    .load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7, 8))
}
