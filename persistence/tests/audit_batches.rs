//! Audit batches (`audit::append`) store every row as given, on both backends; on PostgreSQL
//! the batch's one `INSERT … SELECT FROM unnest(…)` is prepared once per connection and reused
//! whatever the batch's size (its text does not depend on the number of rows).

mod common;

use brobygger_persistence::audit::{self, AuditFilter, AuditRow};
use brobygger_persistence::connection::{DbConnection, migrate};
use brobygger_persistence::ids::{AuditEventId, CitizenId, OrganisationId};
use chrono::{NaiveDate, NaiveDateTime};
use common::{ScratchDatabase, TempDir, connect};
use diesel::sql_types::BigInt;
use diesel::{QueryableByName, RunQueryDsl};

fn at(second: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 29)
        .and_then(|d| d.and_hms_micro_opt(12, 0, second, 123_456))
        .expect("a valid time")
}

/// A batch of `n` rows; every other row without citizen and resource, the last with a detail.
fn batch(n: u32, organisation: OrganisationId) -> Vec<AuditRow> {
    (0..n)
        .map(|i| AuditRow {
            id: AuditEventId::new(),
            at: at(i),
            user_id: format!("user-{i}"),
            role: "coordinator".to_owned(),
            organisation_id: organisation,
            action: "read".to_owned(),
            resource_type: "support_course".to_owned(),
            resource_id: (i % 2 == 0).then(|| format!("course-{i}")),
            citizen_id: (i % 2 == 0).then(CitizenId::new),
            request_id: format!("request-{n}"),
            detail: (i + 1 == n).then(|| r#"{"rows": 3}"#.to_owned()),
        })
        .collect()
}

/// Appends batches of 1, 3 and 50 rows and reads every row back, in id order.
fn appends_and_reads_back(conn: &mut DbConnection) {
    let organisation = OrganisationId::new();
    let mut written = Vec::new();
    for n in [1, 3, 50] {
        let rows = batch(n, organisation);
        audit::append(conn, &rows).expect("append a batch");
        written.extend(rows);
    }
    audit::append(conn, &[]).expect("an empty batch is nothing to do");
    let filter = AuditFilter {
        limit: 100,
        ..AuditFilter::default()
    };
    let stored = audit::list(conn, &filter).expect("list the audit events");
    assert_eq!(stored, written, "every row stored as given, none else");
}

#[test]
fn batches_store_every_row_on_sqlite() {
    let dir = TempDir::new();
    let mut conn = connect(&format!("sqlite://{}", dir.path.join("audit.db").display()));
    migrate(&mut conn).expect("migrate the SQLite database");
    appends_and_reads_back(&mut conn);
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[test]
fn batches_store_every_row_on_postgresql_through_one_prepared_statement() {
    let Some(server_url) = common::postgres_server_url("the audit batch test on PostgreSQL") else {
        return;
    };
    let database = ScratchDatabase::create(&server_url);
    let mut conn = connect(&database.url);
    migrate(&mut conn).expect("migrate the PostgreSQL database");
    appends_and_reads_back(&mut conn);
    let DbConnection::Postgresql(pg) = &mut conn else {
        unreachable!("a postgres:// URL opens PostgreSQL")
    };
    // This session's prepared statements: the three batches (1, 3 and 50 rows) used one.
    let prepared: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM pg_prepared_statements \
         WHERE statement LIKE 'INSERT INTO audit_events%unnest(%'",
    )
    .get_result(pg)
    .expect("read pg_prepared_statements");
    assert_eq!(
        prepared.count, 1,
        "the batch insert is prepared once and reused"
    );
}
