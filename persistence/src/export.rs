//! The keyset batches of the exports: each call reads the next `limit` rows of a dataset after
//! the last id read, in id order, in the columns of `brobygger_domain::export` (file order).
//! The caller runs the calls of one export inside one read transaction (one snapshot).
// A dataset's row loads as the tuple of its columns, in file order.
#![allow(clippy::type_complexity)]

use crate::DbConnection;
use crate::ids::OrganisationId;
use crate::schema::{
    contacts, employment_statuses, goals, programme_partners, referrals, retention_checks,
    support_courses,
};
use brobygger_domain::export::{Cell, Dataset};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// Which programmes' rows an export reads.
#[derive(Debug, Clone, Copy)]
pub enum ExportScope {
    All,
    /// The programmes this organisation is a partner of.
    PartnerOf(OrganisationId),
}

#[derive(Debug, Clone)]
pub struct ExportFilter {
    pub scope: ExportScope,
    pub programme_id: Option<String>,
    /// The period, both days included, on the dataset's period column.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub updated_since: Option<NaiveDateTime>,
}

impl ExportFilter {
    fn start_time(&self) -> Option<NaiveDateTime> {
        self.from.map(|d| d.and_time(chrono::NaiveTime::MIN))
    }

    /// The first instant after the period.
    fn until_time(&self) -> Option<NaiveDateTime> {
        self.to
            .and_then(|d| d.succ_opt())
            .map(|d| d.and_time(chrono::NaiveTime::MIN))
    }
}

/// Rows of one batch: cells in file order, the id first.
pub type Batch = Vec<Vec<Cell>>;

/// Runs `work` in the read transaction of one export, so that every batch reads one snapshot:
/// on PostgreSQL `REPEATABLE READ READ ONLY`; on SQLite a deferred transaction, whose snapshot
/// is taken at its first read and kept until it ends (WAL).
pub fn in_snapshot<T, E>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(|c| {
        if let DbConnection::Postgresql(pg) = c {
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        }
        work(c)
    })
}

/// Each loaded tuple as cells, in order.
macro_rules! cells {
    ($rows:expr, $($i:tt),+) => {
        $rows.into_iter().map(|r| vec![$(Cell::from(r.$i)),+]).collect()
    };
}

/// The programmes an organisation is a partner of, as a subquery.
macro_rules! partner_programmes {
    ($organisation:expr) => {
        programme_partners::table
            .filter(programme_partners::organisation_id.eq($organisation))
            .select(programme_partners::programme_id)
    };
}

/// Applies the scope, programme, period, update and keyset filters common to every dataset.
macro_rules! filtered {
    ($query:expr, $f:expr, $after:expr, programme: $programme:expr, period: $period:expr,
     updated: $updated:expr, id: $id:expr) => {{
        let mut q = $query;
        if let ExportScope::PartnerOf(organisation) = $f.scope {
            q = q.filter($programme.eq_any(partner_programmes!(organisation)));
        }
        if let Some(p) = &$f.programme_id {
            q = q.filter($programme.eq(p.clone()));
        }
        if let Some(after) = $after {
            q = q.filter($id.gt(after.to_owned()));
        }
        if let Some(since) = $f.updated_since {
            q = q.filter($updated.ge(since));
        }
        let (from, to) = $period;
        if let Some(from) = from {
            q = q.filter(from);
        }
        if let Some(to) = to {
            q = q.filter(to);
        }
        q
    }};
}

mod teaching;
use teaching::{attendance_rows, course_rows, enrolment_rows};

/// The next `limit` rows of `dataset` after id `after`.
pub fn batch(
    conn: &mut DbConnection,
    dataset: Dataset,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    match dataset {
        Dataset::SupportCourses => support_course_rows(conn, f, after, limit),
        Dataset::Contacts => contact_rows(conn, f, after, limit),
        Dataset::Goals => goal_rows(conn, f, after, limit),
        Dataset::Referrals => referral_rows(conn, f, after, limit),
        Dataset::EmploymentStatuses => employment_rows(conn, f, after, limit),
        Dataset::RetentionChecks => retention_rows(conn, f, after, limit),
        Dataset::Courses => course_rows(conn, f, after, limit),
        Dataset::Enrolments => enrolment_rows(conn, f, after, limit),
        Dataset::Attendance => attendance_rows(conn, f, after, limit),
    }
}

pub(crate) type Time = NaiveDateTime;
type OptTime = Option<NaiveDateTime>;

fn support_course_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use support_courses as s;
    let query = s::table
        .select((
            s::id,
            s::citizen_id,
            s::programme_id,
            s::model,
            s::peer_worker_id,
            s::status,
            s::context,
            s::planned_end_date,
            s::closed_at,
            s::created_at,
            s::updated_at,
        ))
        .order(s::id)
        .limit(limit)
        .into_boxed();
    let period = (
        f.start_time().map(|t| s::created_at.ge(t)),
        f.until_time().map(|t| s::created_at.lt(t)),
    );
    let rows: Vec<(
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<NaiveDate>,
        OptTime,
        Time,
        Time,
    )> = filtered!(query, f, after, programme: s::programme_id, period: period,
        updated: s::updated_at, id: s::id)
    .load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
}

fn contact_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use contacts as c;
    use support_courses as s;
    let query = c::table
        .inner_join(s::table.on(s::id.eq(c::support_course_id)))
        .select((
            c::id,
            c::support_course_id,
            s::citizen_id,
            s::programme_id,
            c::date,
            c::minutes,
            c::mode,
            c::summary,
            c::peer_worker_id,
            c::created_at,
            c::updated_at,
        ))
        .order(c::id)
        .limit(limit)
        .into_boxed();
    let period = (f.from.map(|d| c::date.ge(d)), f.to.map(|d| c::date.le(d)));
    let rows: Vec<(
        String,
        String,
        String,
        String,
        NaiveDate,
        i32,
        String,
        Option<String>,
        String,
        Time,
        Time,
    )> = filtered!(query, f, after, programme: s::programme_id, period: period,
        updated: c::updated_at, id: c::id)
    .load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
}

fn goal_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use goals as g;
    use support_courses as s;
    let query = g::table
        .inner_join(s::table.on(s::id.eq(g::support_course_id)))
        .select((
            g::id,
            g::support_course_id,
            s::citizen_id,
            s::programme_id,
            g::domain,
            g::status,
            g::text,
            g::created_at,
            g::updated_at,
        ))
        .order(g::id)
        .limit(limit)
        .into_boxed();
    let period = (
        f.start_time().map(|t| g::created_at.ge(t)),
        f.until_time().map(|t| g::created_at.lt(t)),
    );
    let rows: Vec<(
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Time,
        Time,
    )> = filtered!(query, f, after, programme: s::programme_id, period: period,
            updated: g::updated_at, id: g::id)
    .load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7, 8))
}

type ReferralTuple = (
    (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    ),
    (bool, String, OptTime, OptTime, OptTime, OptTime, Time, Time),
);

fn referral_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use referrals as r;
    use support_courses as s;
    let query = r::table
        .inner_join(s::table.on(s::id.eq(r::support_course_id)))
        .select((
            (
                r::id,
                r::support_course_id,
                r::citizen_id,
                s::programme_id,
                r::target_organisation_id,
                r::target_kind,
                r::sending_organisation_id,
                r::purpose,
            ),
            (
                r::requested_by_citizen,
                r::status,
                r::sent_at,
                r::acknowledged_at,
                r::accepted_at,
                r::closed_at,
                r::created_at,
                r::updated_at,
            ),
        ))
        .order(r::id)
        .limit(limit)
        .into_boxed();
    let period = (
        f.start_time().map(|t| r::created_at.ge(t)),
        f.until_time().map(|t| r::created_at.lt(t)),
    );
    let rows: Vec<ReferralTuple> = filtered!(query, f, after, programme: s::programme_id,
        period: period, updated: r::updated_at, id: r::id)
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, b)| {
            vec![
                a.0.into(),
                a.1.into(),
                a.2.into(),
                a.3.into(),
                a.4.into(),
                a.5.into(),
                a.6.into(),
                a.7.into(),
                b.0.into(),
                b.1.into(),
                b.2.into(),
                b.3.into(),
                b.4.into(),
                b.5.into(),
                b.6.into(),
                b.7.into(),
            ]
        })
        .collect())
}

/// Employment statuses and retention checks belong to a citizen, not a programme: a citizen
/// is in a programme's export when it has a support course in the programme.
macro_rules! citizens_of_programmes {
    ($citizen:expr, $f:expr, $query:expr) => {{
        let mut q = $query;
        if let ExportScope::PartnerOf(organisation) = $f.scope {
            q = q.filter(
                $citizen.eq_any(
                    support_courses::table
                        .filter(
                            support_courses::programme_id.eq_any(partner_programmes!(organisation)),
                        )
                        .select(support_courses::citizen_id),
                ),
            );
        }
        if let Some(p) = &$f.programme_id {
            q = q.filter(
                $citizen.eq_any(
                    support_courses::table
                        .filter(support_courses::programme_id.eq(p.clone()))
                        .select(support_courses::citizen_id),
                ),
            );
        }
        q
    }};
}

fn employment_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use employment_statuses as e;
    let mut q = e::table
        .select((
            e::id,
            e::citizen_id,
            e::effective_on,
            e::status,
            e::hours_per_week,
            e::employer_organisation_id,
            e::created_at,
            e::updated_at,
        ))
        .order(e::id)
        .limit(limit)
        .into_boxed();
    q = citizens_of_programmes!(e::citizen_id, f, q);
    if let Some(after) = after {
        q = q.filter(e::id.gt(after.to_owned()));
    }
    if let Some(since) = f.updated_since {
        q = q.filter(e::updated_at.ge(since));
    }
    if let Some(from) = f.from {
        q = q.filter(e::effective_on.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(e::effective_on.le(to));
    }
    let rows: Vec<(
        String,
        String,
        NaiveDate,
        String,
        Option<i32>,
        Option<String>,
        Time,
        Time,
    )> = q.load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7))
}

fn retention_rows(
    conn: &mut DbConnection,
    f: &ExportFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Batch> {
    use retention_checks as k;
    let mut q = k::table
        .select((
            k::id,
            k::citizen_id,
            k::employment_status_id,
            k::months_after,
            k::due_on,
            k::outcome,
            k::recorded_on,
            k::created_at,
            k::updated_at,
        ))
        .order(k::id)
        .limit(limit)
        .into_boxed();
    q = citizens_of_programmes!(k::citizen_id, f, q);
    if let Some(after) = after {
        q = q.filter(k::id.gt(after.to_owned()));
    }
    if let Some(since) = f.updated_since {
        q = q.filter(k::updated_at.ge(since));
    }
    if let Some(from) = f.from {
        q = q.filter(k::due_on.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(k::due_on.le(to));
    }
    let rows: Vec<(
        String,
        String,
        String,
        i32,
        NaiveDate,
        Option<String>,
        Option<NaiveDate>,
        Time,
        Time,
    )> = q.load(conn)?;
    Ok(cells!(rows, 0, 1, 2, 3, 4, 5, 6, 7, 8))
}
