//! The rows of the exports: one reader for every dataset. A dataset is its SQL source (its
//! tables, its columns in the file order of `brobygger_domain::export`, and the columns its
//! filters use); the reader reads every row the filter selects, in id order, in batches, inside
//! the caller's read transaction (one snapshot): on PostgreSQL through a server-side cursor
//! (`DECLARE … FETCH`), on SQLite by stepping one statement. A batch keeps its rows' values in
//! one buffer, decoded by each column's kind, so reading allocates per batch, not per row.

use crate::DbConnection;
use crate::ids::OrganisationId;
use brobygger_domain::export::{Cell, Column, Dataset, Kind};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::backend::Backend;
use diesel::connection::{DefaultLoadingMode, SimpleConnection};
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::row::{Field, NamedRow, Row};
use diesel::serialize::ToSql;
use diesel::sql_types::{self, HasSqlType};
use diesel::sqlite::Sqlite;
use std::cell::RefCell;
use std::fmt::Write as _;

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

/// Reads every row of `dataset` that `filter` selects, in id order, handing `each` a batch of
/// up to `rows_per_batch` rows at a time (at least one batch, perhaps empty), until `each`
/// returns `false`. Run it inside [`in_snapshot`]. `Ok(true)` when every row was handed over,
/// `Ok(false)` when `each` stopped the reading.
pub fn read(
    conn: &mut DbConnection,
    dataset: Dataset,
    filter: &ExportFilter,
    rows_per_batch: usize,
    mut each: impl FnMut(Batch) -> bool,
) -> QueryResult<bool> {
    let rows_per_batch = rows_per_batch.max(1);
    let columns = dataset.columns();
    match conn {
        DbConnection::Postgresql(pg) => {
            let select = Select::new(dataset, filter, Placeholders::Numbered);
            select
                .query::<Pg>("DECLARE brobygger_export NO SCROLL CURSOR FOR ")
                .execute(pg)?;
            let fetch = format!("FETCH FORWARD {rows_per_batch} FROM brobygger_export");
            loop {
                let batch = Batch::filled(columns, rows_per_batch, || {
                    diesel::sql_query(&fetch).load::<Appended>(pg).map(drop)
                })?;
                let last = batch.len() < rows_per_batch;
                if !each(batch) {
                    return Ok(false);
                }
                if last {
                    pg.batch_execute("CLOSE brobygger_export")?;
                    return Ok(true);
                }
            }
        }
        DbConnection::Sqlite(lite) => {
            let select = Select::new(dataset, filter, Placeholders::Question);
            let _target = Target::install(columns, rows_per_batch);
            let mut rows = select
                .query::<Sqlite>("")
                .load_iter::<Appended, DefaultLoadingMode>(lite)?;
            loop {
                let mut read = 0;
                let mut ended = false;
                while read < rows_per_batch {
                    match rows.next() {
                        Some(row) => {
                            row?;
                            read += 1;
                        }
                        None => {
                            ended = true;
                            break;
                        }
                    }
                }
                let batch = Target::take(rows_per_batch)?;
                if !each(batch) {
                    return Ok(false);
                }
                if ended {
                    return Ok(true);
                }
            }
        }
    }
}

/// Rows read, in file order, their text in one buffer.
#[derive(Debug, Default)]
pub struct Batch {
    text: String,
    slots: Vec<Slot>,
    width: usize,
    rows: usize,
}

/// A value of a batch, its text as a range of the batch's buffer.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Null,
    Text(u32, u32),
    Integer(i64),
    Boolean(bool),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

/// One row of a batch.
#[derive(Debug, Clone, Copy)]
pub struct BatchRow<'a> {
    text: &'a str,
    slots: &'a [Slot],
}

impl<'a> BatchRow<'a> {
    /// The value of column `index` (file order); `Null` past the last column.
    pub fn get(&self, index: usize) -> Cell<'a> {
        match self.slots.get(index) {
            None | Some(Slot::Null) => Cell::Null,
            Some(Slot::Text(start, end)) => Cell::Text(
                self.text
                    .get(*start as usize..*end as usize)
                    .unwrap_or_default(),
            ),
            Some(Slot::Integer(n)) => Cell::Integer(*n),
            Some(Slot::Boolean(b)) => Cell::Boolean(*b),
            Some(Slot::Date(d)) => Cell::Date(*d),
            Some(Slot::Timestamp(t)) => Cell::Timestamp(*t),
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

impl Batch {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn rows(&self) -> impl Iterator<Item = BatchRow<'_>> {
        self.slots
            .chunks_exact(self.width.max(1))
            .map(|slots| BatchRow {
                text: &self.text,
                slots,
            })
    }

    /// The batch `load` appends to on this thread (through [`Appended`]).
    fn filled(
        columns: &'static [Column],
        rows: usize,
        load: impl FnOnce() -> QueryResult<()>,
    ) -> QueryResult<Batch> {
        let _target = Target::install(columns, rows);
        load()?;
        Target::take(0)
    }
}

/// The batch being filled on this thread, and its columns: a row decoded by diesel (an
/// [`Appended`]) appends its values here instead of becoming a value of its own.
struct Target {
    columns: &'static [Column],
    text: Vec<u8>,
    slots: Vec<Slot>,
    rows: usize,
}

thread_local! {
    static TARGET: RefCell<Option<Target>> = const { RefCell::new(None) };
}

/// Removes the thread's target when reading ends, however it ends.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        TARGET.with_borrow_mut(|t| *t = None);
    }
}

impl Target {
    fn new(columns: &'static [Column], rows: usize) -> Self {
        Self {
            columns,
            text: Vec::with_capacity(rows * 160),
            slots: Vec::with_capacity(rows * columns.len()),
            rows: 0,
        }
    }

    fn install(columns: &'static [Column], rows: usize) -> Installed {
        TARGET.with_borrow_mut(|t| *t = Some(Target::new(columns, rows)));
        Installed
    }

    /// The rows appended since the last take, as a batch; the target starts a new one, with
    /// room for `rows` rows.
    fn take(rows: usize) -> QueryResult<Batch> {
        let target = TARGET.with_borrow_mut(|t| {
            t.as_mut()
                .map(|t| std::mem::replace(t, Target::new(t.columns, rows)))
        });
        let target =
            target.ok_or_else(|| diesel::result::Error::DeserializationError(no_target()))?;
        let text = String::from_utf8(target.text)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
        Ok(Batch {
            text,
            slots: target.slots,
            width: target.columns.len(),
            rows: target.rows,
        })
    }

    fn push_text(&mut self, text: &[u8]) -> deserialize::Result<()> {
        let start = u32::try_from(self.text.len())?;
        self.text.extend_from_slice(text);
        let end = u32::try_from(self.text.len())?;
        self.slots.push(Slot::Text(start, end));
        Ok(())
    }
}

/// "No batch is being filled": a row decoded outside [`read`].
fn no_target() -> Box<dyn std::error::Error + Send + Sync> {
    "an export row read outside an export".into()
}

fn missing(index: usize) -> Box<dyn std::error::Error + Send + Sync> {
    format!("the export query has no column {index}").into()
}

/// A row appended to the batch being filled on this thread (see [`Target`]).
struct Appended;

/// Runs `append` on this thread's target and counts the row.
fn appended(
    append: impl FnOnce(&'static [Column], &mut Target) -> deserialize::Result<()>,
) -> deserialize::Result<Appended> {
    TARGET.with_borrow_mut(|target| {
        let target = target.as_mut().ok_or_else(no_target)?;
        append(target.columns, target)?;
        target.rows += 1;
        Ok(Appended)
    })
}

/// A value that is no text, by its column's kind.
fn decode<DB>(kind: Kind, value: DB::RawValue<'_>) -> deserialize::Result<Slot>
where
    DB: Backend,
    i32: FromSql<sql_types::Integer, DB>,
    bool: FromSql<sql_types::Bool, DB>,
    NaiveDate: FromSql<sql_types::Date, DB>,
    NaiveDateTime: FromSql<sql_types::Timestamp, DB>,
{
    Ok(match kind {
        Kind::Integer => Slot::Integer(i32::from_sql(value)?.into()),
        Kind::Boolean => Slot::Boolean(bool::from_sql(value)?),
        Kind::Date => Slot::Date(NaiveDate::from_sql(value)?),
        Kind::Timestamp => Slot::Timestamp(NaiveDateTime::from_sql(value)?),
        Kind::Id | Kind::Text => return Err("text is no plain value".into()),
    })
}

impl QueryableByName<Pg> for Appended {
    fn build<'a>(row: &impl NamedRow<'a, Pg>) -> deserialize::Result<Self> {
        appended(|columns, target| {
            for (index, column) in columns.iter().enumerate() {
                let field = Row::get(row, index).ok_or_else(|| missing(index))?;
                match (field.value(), column.kind) {
                    (None, _) => target.slots.push(Slot::Null),
                    (Some(v), Kind::Id | Kind::Text) => target.push_text(v.as_bytes())?,
                    (Some(v), kind) => target.slots.push(decode::<Pg>(kind, v)?),
                }
            }
            Ok(())
        })
    }
}

impl QueryableByName<Sqlite> for Appended {
    fn build<'a>(row: &impl NamedRow<'a, Sqlite>) -> deserialize::Result<Self> {
        appended(|columns, target| {
            for (index, column) in columns.iter().enumerate() {
                let field = Row::get(row, index).ok_or_else(|| missing(index))?;
                match (field.value(), column.kind) {
                    (None, _) => target.slots.push(Slot::Null),
                    (Some(mut v), Kind::Id | Kind::Text) => {
                        target.push_text(v.read_text().as_bytes())?
                    }
                    (Some(v), kind) => target.slots.push(decode::<Sqlite>(kind, v)?),
                }
            }
            Ok(())
        })
    }
}

/// How a dataset's rows belong to programmes.
#[derive(Debug, Clone, Copy)]
enum Owner {
    /// Through this column, a programme's id.
    Programme(&'static str),
    /// Through this column, a citizen's id: a citizen belongs to the programmes it has a
    /// support course in.
    Citizen(&'static str),
}

/// The column the period (`from`, `to`, both days included) filters on.
#[derive(Debug, Clone, Copy)]
enum Period {
    Day(&'static str),
    Instant(&'static str),
}

/// Where a dataset's rows come from.
struct Source {
    from: &'static str,
    /// The columns, in the file order of `Dataset::columns`; the id first.
    columns: &'static [&'static str],
    owner: Owner,
    period: Period,
    updated: &'static str,
}

fn source(dataset: Dataset) -> Source {
    match dataset {
        Dataset::SupportCourses => Source {
            from: "support_courses s",
            columns: &[
                "s.id",
                "s.citizen_id",
                "s.programme_id",
                "s.model",
                "s.peer_worker_id",
                "s.status",
                "s.context",
                "s.planned_end_date",
                "s.closed_at",
                "s.created_at",
                "s.updated_at",
            ],
            owner: Owner::Programme("s.programme_id"),
            period: Period::Instant("s.created_at"),
            updated: "s.updated_at",
        },
        Dataset::Contacts => Source {
            from: "contacts c INNER JOIN support_courses s ON s.id = c.support_course_id",
            columns: &[
                "c.id",
                "c.support_course_id",
                "s.citizen_id",
                "s.programme_id",
                "c.date",
                "c.minutes",
                "c.mode",
                "c.summary",
                "c.peer_worker_id",
                "c.created_at",
                "c.updated_at",
            ],
            owner: Owner::Programme("s.programme_id"),
            period: Period::Day("c.date"),
            updated: "c.updated_at",
        },
        Dataset::Goals => Source {
            from: "goals g INNER JOIN support_courses s ON s.id = g.support_course_id",
            columns: &[
                "g.id",
                "g.support_course_id",
                "s.citizen_id",
                "s.programme_id",
                "g.domain",
                "g.status",
                "g.text",
                "g.created_at",
                "g.updated_at",
            ],
            owner: Owner::Programme("s.programme_id"),
            period: Period::Instant("g.created_at"),
            updated: "g.updated_at",
        },
        Dataset::Referrals => Source {
            from: "referrals r INNER JOIN support_courses s ON s.id = r.support_course_id",
            columns: &[
                "r.id",
                "r.support_course_id",
                "r.citizen_id",
                "s.programme_id",
                "r.target_organisation_id",
                "r.target_kind",
                "r.sending_organisation_id",
                "r.purpose",
                "r.requested_by_citizen",
                "r.status",
                "r.sent_at",
                "r.acknowledged_at",
                "r.accepted_at",
                "r.closed_at",
                "r.created_at",
                "r.updated_at",
            ],
            owner: Owner::Programme("s.programme_id"),
            period: Period::Instant("r.created_at"),
            updated: "r.updated_at",
        },
        Dataset::EmploymentStatuses => Source {
            from: "employment_statuses e",
            columns: &[
                "e.id",
                "e.citizen_id",
                "e.effective_on",
                "e.status",
                "e.hours_per_week",
                "e.employer_organisation_id",
                "e.created_at",
                "e.updated_at",
            ],
            owner: Owner::Citizen("e.citizen_id"),
            period: Period::Day("e.effective_on"),
            updated: "e.updated_at",
        },
        Dataset::RetentionChecks => Source {
            from: "retention_checks k",
            columns: &[
                "k.id",
                "k.citizen_id",
                "k.employment_status_id",
                "k.months_after",
                "k.due_on",
                "k.outcome",
                "k.recorded_on",
                "k.created_at",
                "k.updated_at",
            ],
            owner: Owner::Citizen("k.citizen_id"),
            period: Period::Day("k.due_on"),
            updated: "k.updated_at",
        },
        Dataset::Courses => Source {
            from: "courses c",
            columns: &[
                "c.id",
                "c.programme_id",
                "c.title",
                "c.description",
                "c.format",
                "c.provider_organisation_id",
                "c.capacity",
                "c.status",
                "c.created_at",
                "c.updated_at",
            ],
            owner: Owner::Programme("c.programme_id"),
            period: Period::Instant("c.created_at"),
            updated: "c.updated_at",
        },
        Dataset::Enrolments => Source {
            from: "course_enrolments e INNER JOIN courses c ON c.id = e.course_id",
            columns: &[
                "e.id",
                "e.course_id",
                "c.programme_id",
                "e.citizen_id",
                "e.participant_name",
                "e.participant_type",
                "e.status",
                "e.waitlist_position",
                "e.created_at",
                "e.updated_at",
            ],
            owner: Owner::Programme("c.programme_id"),
            period: Period::Instant("e.created_at"),
            updated: "e.updated_at",
        },
        Dataset::Attendance => Source {
            from: "course_attendance a \
                   INNER JOIN course_sessions s ON s.id = a.session_id \
                   INNER JOIN courses c ON c.id = s.course_id \
                   INNER JOIN course_enrolments e ON e.id = a.enrolment_id",
            columns: &[
                "a.id",
                "a.session_id",
                "a.enrolment_id",
                "s.course_id",
                "c.programme_id",
                "e.citizen_id",
                "s.starts_at",
                "a.status",
                "a.created_at",
            ],
            owner: Owner::Programme("c.programme_id"),
            period: Period::Instant("s.starts_at"),
            // Attendance is recorded, never changed.
            updated: "a.created_at",
        },
    }
}

/// How a statement marks its parameters: PostgreSQL's `$1`, SQLite's `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    Numbered,
    Question,
}

#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Date(NaiveDate),
    Time(NaiveDateTime),
}

/// The `SELECT` of one export, with its parameters.
#[derive(Debug)]
struct Select {
    sql: String,
    binds: Vec<Bind>,
    placeholders: Placeholders,
}

impl Select {
    fn new(dataset: Dataset, f: &ExportFilter, placeholders: Placeholders) -> Self {
        let source = source(dataset);
        let mut select = Select {
            sql: format!(
                "SELECT {} FROM {} WHERE 1 = 1",
                source.columns.join(", "),
                source.from
            ),
            binds: Vec::new(),
            placeholders,
        };
        // The programmes read: the partnerships of the scope, then the one asked for.
        let mut programmes = Vec::new();
        if let ExportScope::PartnerOf(organisation) = f.scope {
            let p = select.bind(Bind::Text(organisation.to_string()));
            programmes.push(format!(
                "IN (SELECT programme_partners.programme_id FROM programme_partners \
                 WHERE programme_partners.organisation_id = {p})"
            ));
        }
        if let Some(programme) = &f.programme_id {
            let p = select.bind(Bind::Text(programme.clone()));
            programmes.push(format!("= {p}"));
        }
        for programme in programmes {
            let _ = match source.owner {
                Owner::Programme(column) => write!(select.sql, " AND {column} {programme}"),
                Owner::Citizen(column) => write!(
                    select.sql,
                    " AND {column} IN (SELECT support_courses.citizen_id FROM support_courses \
                     WHERE support_courses.programme_id {programme})"
                ),
            };
        }
        if let Some(since) = f.updated_since {
            let p = select.bind(Bind::Time(since));
            let _ = write!(select.sql, " AND {} >= {p}", source.updated);
        }
        let (from, until) = match source.period {
            Period::Day(column) => (
                f.from.map(|d| (column, ">=", Bind::Date(d))),
                f.to.map(|d| (column, "<=", Bind::Date(d))),
            ),
            Period::Instant(column) => (
                f.start_time().map(|t| (column, ">=", Bind::Time(t))),
                f.until_time().map(|t| (column, "<", Bind::Time(t))),
            ),
        };
        for (column, operator, value) in from.into_iter().chain(until) {
            let p = select.bind(value);
            let _ = write!(select.sql, " AND {column} {operator} {p}");
        }
        let _ = write!(select.sql, " ORDER BY {}", source.columns[0]);
        select
    }

    /// Adds a parameter; returns its placeholder.
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        match self.placeholders {
            Placeholders::Numbered => format!("${}", self.binds.len()),
            Placeholders::Question => "?".to_owned(),
        }
    }

    /// The statement `prefix` + this `SELECT`, its parameters bound.
    fn query<DB>(&self, prefix: &str) -> BoxedSqlQuery<'static, DB, SqlQuery>
    where
        DB: Backend
            + HasSqlType<sql_types::Text>
            + HasSqlType<sql_types::Date>
            + HasSqlType<sql_types::Timestamp>,
        String: ToSql<sql_types::Text, DB>,
        NaiveDate: ToSql<sql_types::Date, DB>,
        NaiveDateTime: ToSql<sql_types::Timestamp, DB>,
    {
        let mut query = diesel::sql_query(format!("{prefix}{}", self.sql)).into_boxed::<DB>();
        for value in &self.binds {
            query = match value.clone() {
                Bind::Text(text) => query.bind::<sql_types::Text, _>(text),
                Bind::Date(date) => query.bind::<sql_types::Date, _>(date),
                Bind::Time(time) => query.bind::<sql_types::Timestamp, _>(time),
            };
        }
        query
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_reads_its_columns_in_file_order_the_id_first() {
        for dataset in Dataset::ALL {
            let source = source(dataset);
            assert_eq!(source.columns.len(), dataset.columns().len(), "{dataset:?}");
            for (sql, column) in source.columns.iter().zip(dataset.columns()) {
                let name = sql.rsplit('.').next().unwrap_or_default();
                let expected = match column.name {
                    "session_starts_at" => "starts_at",
                    name => name,
                };
                assert_eq!(name, expected, "{dataset:?}");
            }
            assert!(source.columns[0].ends_with(".id"));
        }
    }

    #[test]
    fn filters_become_parameters_in_order() {
        let organisation = OrganisationId::new();
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).expect("a date");
        let filter = ExportFilter {
            scope: ExportScope::PartnerOf(organisation),
            programme_id: Some("p1".into()),
            from: Some(day(1)),
            to: Some(day(31)),
            updated_since: None,
        };
        let select = Select::new(Dataset::EmploymentStatuses, &filter, Placeholders::Numbered);
        assert!(
            select
                .sql
                .contains("e.citizen_id IN (SELECT support_courses.citizen_id")
        );
        assert!(
            select
                .sql
                .contains("e.effective_on >= $3 AND e.effective_on <= $4")
        );
        assert!(select.sql.ends_with("ORDER BY e.id"));
        assert_eq!(select.binds.len(), 4);
        let select = Select::new(Dataset::Goals, &filter, Placeholders::Question);
        assert!(
            select
                .sql
                .contains("g.created_at >= ? AND g.created_at < ?")
        );
        assert!(!select.sql.contains('$'));
        let all = ExportFilter {
            scope: ExportScope::All,
            programme_id: None,
            from: None,
            to: None,
            updated_since: None,
        };
        let select = Select::new(Dataset::Contacts, &all, Placeholders::Numbered);
        assert!(select.binds.is_empty());
        assert!(select.sql.ends_with("WHERE 1 = 1 ORDER BY c.id"));
    }
}
