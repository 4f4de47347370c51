//! The SQLite and the PostgreSQL migrations must build the same schema.
//!
//! Both folders (`migrations/sqlite`, `migrations/postgres`) are written by hand and the one
//! diesel `schema.rs` serves both, so a column, index or key added to one folder only is a bug
//! that shows on one backend only. This test migrates a fresh database of each kind with the
//! crate's embedded migrations, reads both catalogs and compares them backend-neutrally:
//!
//! - tables;
//! - columns per table: name, nullability and a type family (`text`, `int4`, `int8`, `bool`,
//!   `timestamp`, `date`, …), so `BIGINT` on one side and `INTEGER` on the other is caught but
//!   `TEXT`/`text` or `TIMESTAMP`/`timestamp without time zone` are the same;
//! - primary keys (ordered column lists);
//! - unique constraints, as unordered column sets (their names are backend-generated);
//! - indexes created with `CREATE [UNIQUE] INDEX`: by name, with their ordered columns,
//!   uniqueness and whether they are partial (the predicates' text is not compared);
//! - foreign keys: columns, referenced table and columns, `ON UPDATE`/`ON DELETE`.
//!
//! Ignored: diesel's `__diesel_schema_migrations`, SQLite's internal tables and automatic
//! indexes (they are compared as the constraints they back), CHECK constraints and defaults.
//!
//! PostgreSQL comes from `BROBYGGER_TEST_POSTGRES_URL` (a server URL; a uniquely named database is
//! created and dropped again). Without it the test is skipped with a note, except when `CI` is set:
//! then it fails.

mod common;

use brobygger_persistence::connection::{DbConnection, migrate};
use common::{ScratchDatabase, TempDir, connect};
use diesel::sql_types::Text;
use diesel::{PgConnection, QueryableByName, RunQueryDsl};
use std::collections::{BTreeMap, BTreeSet};

const DIESEL_TABLE: &str = "__diesel_schema_migrations";

#[test]
fn sqlite_and_postgres_migrations_build_the_same_schema() {
    let Some(server_url) = common::postgres_server_url("the SQLite/PostgreSQL schema parity test")
    else {
        return;
    };

    let sqlite_dir = TempDir::new();
    let sqlite_path = sqlite_dir.path.join("parity.db");
    let mut sqlite = connect(&format!("sqlite://{}", sqlite_path.display()));
    migrate(&mut sqlite).expect("migrate the SQLite database");
    let sqlite_schema = match &mut sqlite {
        DbConnection::Sqlite(conn) => read_sqlite(conn),
        DbConnection::Postgresql(_) => unreachable!("a sqlite:// URL opens SQLite"),
    };

    // Declared before the connection, so it is dropped (and the database with it) after it,
    // also when an assertion below panics.
    let database = ScratchDatabase::create(&server_url);
    let mut postgres = connect(&database.url);
    migrate(&mut postgres).expect("migrate the PostgreSQL database");
    let postgres_schema = match &mut postgres {
        DbConnection::Postgresql(conn) => read_postgres(conn),
        DbConnection::Sqlite(_) => unreachable!("a postgres:// URL opens PostgreSQL"),
    };
    drop(postgres);

    assert!(
        !sqlite_schema.tables.is_empty(),
        "the SQLite catalog read no tables: the catalog queries are broken"
    );
    let differences = diff(&sqlite_schema, &postgres_schema);
    assert!(
        differences.is_empty(),
        "the SQLite and PostgreSQL migrations build different schemas ({} difference{}):\n  {}\n\
         Both folders under persistence/migrations/ must change together.",
        differences.len(),
        if differences.len() == 1 { "" } else { "s" },
        differences.join("\n  ")
    );
    println!(
        "schema parity: {} tables, {} columns, {} indexes, {} unique constraints, {} foreign keys \
         are the same on SQLite and PostgreSQL",
        sqlite_schema.tables.len(),
        sqlite_schema
            .tables
            .values()
            .map(|t| t.columns.len())
            .sum::<usize>(),
        sqlite_schema
            .tables
            .values()
            .map(|t| t.indexes.len())
            .sum::<usize>(),
        sqlite_schema
            .tables
            .values()
            .map(|t| t.uniques.len())
            .sum::<usize>(),
        sqlite_schema
            .tables
            .values()
            .map(|t| t.foreign_keys.len())
            .sum::<usize>(),
    );
}

/// The comparison itself, on hand-made schemas: every kind of difference is named.
#[test]
fn the_diff_names_each_difference() {
    let mut a = Schema::default();
    let mut b = Schema::default();
    let mut users = Table::default();
    users.columns.insert("id".into(), column("text", false));
    users.columns.insert("name".into(), column("text", false));
    users.primary_key = vec!["id".into()];
    let mut users_b = users.clone();
    users.columns.insert("email".into(), column("text", true));
    users_b.columns.insert("nick".into(), column("text", true));
    users_b.columns.insert("name".into(), column("int8", true));
    users.uniques.insert(vec!["name".into()]);
    users.indexes.insert(
        "users_name".into(),
        Index {
            columns: vec!["name".into()],
            unique: false,
            partial: false,
        },
    );
    users_b.indexes.insert(
        "users_name".into(),
        Index {
            columns: vec!["name".into(), "id".into()],
            unique: false,
            partial: false,
        },
    );
    users_b.foreign_keys.insert("(nick) → nicks (id)".into());
    a.tables.insert("users".into(), users);
    b.tables.insert("users".into(), users_b);
    a.tables.insert("only_a".into(), Table::default());
    let found = diff_named(&a, &b, "sqlite", "postgres");
    let expected = [
        "table only_a only in sqlite",
        "column users.email only in sqlite",
        "column users.nick only in postgres",
        "column users.name: NOT NULL in sqlite, nullable in postgres",
        "column users.name: type text in sqlite, int8 in postgres",
        "unique users (name) only in sqlite",
        "index users_name on users: sqlite (name), postgres (name, id)",
        "foreign key users (nick) → nicks (id) only in postgres",
    ];
    assert_eq!(found, expected, "{found:#?}");
    assert!(diff_named(&a, &a, "sqlite", "postgres").is_empty());
}

fn column(family: &str, nullable: bool) -> Column {
    Column {
        family: family.into(),
        nullable,
    }
}

// ---------------------------------------------------------------------------------------------
// The backend-neutral schema and its comparison.

#[derive(Debug, Default, Clone, PartialEq)]
struct Schema {
    tables: BTreeMap<String, Table>,
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    /// Unique constraints as sorted column sets.
    uniques: BTreeSet<Vec<String>>,
    /// Indexes created with `CREATE INDEX`, by name.
    indexes: BTreeMap<String, Index>,
    /// `(a, b) → other (x, y) ON UPDATE … ON DELETE …`, rendered.
    foreign_keys: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Column {
    family: String,
    nullable: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

impl std::fmt::Display for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unique {
            f.write_str("UNIQUE ")?;
        }
        write!(f, "({})", self.columns.join(", "))?;
        if self.partial {
            f.write_str(" WHERE …")?;
        }
        Ok(())
    }
}

fn diff(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    diff_named(sqlite, postgres, "sqlite", "postgres")
}

/// Every difference between `a` and `b`, one line each, in a stable order.
fn diff_named(a: &Schema, b: &Schema, a_name: &str, b_name: &str) -> Vec<String> {
    let mut out = Vec::new();
    only_in(
        &mut out,
        "table",
        a.tables.keys(),
        b.tables.keys(),
        a_name,
        b_name,
    );
    for (name, ta) in &a.tables {
        let Some(tb) = b.tables.get(name) else {
            continue;
        };
        let qualified = |c: &String| format!("{name}.{c}");
        only_in(
            &mut out,
            "column",
            ta.columns.keys().map(qualified),
            tb.columns.keys().map(qualified),
            a_name,
            b_name,
        );
        for (column, ca) in &ta.columns {
            let Some(cb) = tb.columns.get(column) else {
                continue;
            };
            if ca.nullable != cb.nullable {
                let word = |nullable| if nullable { "nullable" } else { "NOT NULL" };
                out.push(format!(
                    "column {name}.{column}: {} in {a_name}, {} in {b_name}",
                    word(ca.nullable),
                    word(cb.nullable)
                ));
            }
            if ca.family != cb.family {
                out.push(format!(
                    "column {name}.{column}: type {} in {a_name}, {} in {b_name}",
                    ca.family, cb.family
                ));
            }
        }
        if ta.primary_key != tb.primary_key {
            out.push(format!(
                "primary key of {name}: ({}) in {a_name}, ({}) in {b_name}",
                ta.primary_key.join(", "),
                tb.primary_key.join(", ")
            ));
        }
        let set = |u: &Vec<String>| format!("{name} ({})", u.join(", "));
        only_in(
            &mut out,
            "unique",
            ta.uniques.iter().map(set),
            tb.uniques.iter().map(set),
            a_name,
            b_name,
        );
        let on = |i: &String| format!("{i} on {name}");
        only_in(
            &mut out,
            "index",
            ta.indexes.keys().map(on),
            tb.indexes.keys().map(on),
            a_name,
            b_name,
        );
        for (index, ia) in &ta.indexes {
            if let Some(ib) = tb.indexes.get(index)
                && ia != ib
            {
                out.push(format!(
                    "index {index} on {name}: {a_name} {ia}, {b_name} {ib}"
                ));
            }
        }
        let fk = |f: &String| format!("{name} {f}");
        only_in(
            &mut out,
            "foreign key",
            ta.foreign_keys.iter().map(fk),
            tb.foreign_keys.iter().map(fk),
            a_name,
            b_name,
        );
    }
    out
}

/// `what X only in a` / `what Y only in b`, sorted by name.
fn only_in<A, B>(out: &mut Vec<String>, what: &str, a: A, b: B, a_name: &str, b_name: &str)
where
    A: IntoIterator<Item: Into<String>>,
    B: IntoIterator<Item: Into<String>>,
{
    let a: BTreeSet<String> = a.into_iter().map(Into::into).collect();
    let b: BTreeSet<String> = b.into_iter().map(Into::into).collect();
    let mut lines: Vec<(String, String)> = a
        .difference(&b)
        .map(|x| (x.clone(), format!("{what} {x} only in {a_name}")))
        .chain(
            b.difference(&a)
                .map(|x| (x.clone(), format!("{what} {x} only in {b_name}"))),
        )
        .collect();
    lines.sort();
    out.extend(lines.into_iter().map(|(_, line)| line));
}

/// A declared type (SQLite) or `information_schema` type (PostgreSQL), reduced to what diesel's
/// `schema.rs` would make of it.
fn type_family(raw: &str) -> String {
    let lower = raw.trim().to_ascii_lowercase();
    let base = lower.split('(').next().unwrap_or("").trim();
    let family = match base {
        "text" | "varchar" | "character varying" | "char" | "character" | "clob" | "citext" => {
            "text"
        }
        "integer" | "int" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "smallint" | "int2" => "int2",
        "boolean" | "bool" => "bool",
        "timestamp" | "timestamp without time zone" | "datetime" => "timestamp",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "date" => "date",
        "time" | "time without time zone" => "time",
        "real" | "float4" => "float4",
        "double" | "double precision" | "float8" => "float8",
        "numeric" | "decimal" => "numeric",
        "blob" | "bytea" | "binary" => "bytes",
        "json" | "jsonb" => "json",
        "uuid" => "uuid",
        other => other,
    };
    family.to_owned()
}

// ---------------------------------------------------------------------------------------------
// Reading the catalogs. Every query answers text columns, so one row type serves both backends.

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    /// "1" or "0".
    #[diesel(sql_type = Text)]
    not_null: String,
}

#[derive(QueryableByName)]
struct PrimaryKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    position: String,
}

/// One column of one index.
#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    /// "c" (CREATE INDEX), "u" (UNIQUE constraint), "pk" (primary key), "x" (exclusion).
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Text)]
    is_unique: String,
    #[diesel(sql_type = Text)]
    is_partial: String,
    #[diesel(sql_type = Text)]
    seqno: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    descending: String,
}

/// One column pair of one foreign key.
#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    fk_id: String,
    #[diesel(sql_type = Text)]
    seq: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    /// Empty on SQLite when the key names no column: then it is the referenced primary key.
    #[diesel(sql_type = Text)]
    ref_column: String,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

/// The tables to compare: not SQLite's own, not diesel's.
const SQLITE_WHERE: &str = "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND m.name <> '__diesel_schema_migrations'";

fn read_sqlite(conn: &mut diesel::SqliteConnection) -> Schema {
    let columns: Vec<ColumnRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
                CAST(p.\"notnull\" AS TEXT) AS not_null \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p {SQLITE_WHERE} \
         ORDER BY m.name, p.cid"
    ))
    .load(conn)
    .expect("read SQLite columns");
    let primary_keys: Vec<PrimaryKeyRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, p.name AS column_name, CAST(p.pk AS TEXT) AS position \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p {SQLITE_WHERE} AND p.pk > 0"
    ))
    .load(conn)
    .expect("read SQLite primary keys");
    let indexes: Vec<IndexRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, il.name AS index_name, il.origin AS origin, \
                CAST(il.\"unique\" AS TEXT) AS is_unique, CAST(il.partial AS TEXT) AS is_partial, \
                CAST(x.seqno AS TEXT) AS seqno, COALESCE(x.name, '<expr>') AS column_name, \
                CAST(x.\"desc\" AS TEXT) AS descending \
         FROM sqlite_master m JOIN pragma_index_list(m.name) il \
              JOIN pragma_index_xinfo(il.name) x \
         {SQLITE_WHERE} AND x.\"key\" = 1"
    ))
    .load(conn)
    .expect("read SQLite indexes");
    let foreign_keys: Vec<ForeignKeyRow> = diesel::sql_query(format!(
        "SELECT m.name AS table_name, CAST(f.id AS TEXT) AS fk_id, CAST(f.seq AS TEXT) AS seq, \
                f.\"from\" AS column_name, f.\"table\" AS ref_table, \
                COALESCE(f.\"to\", '') AS ref_column, f.on_update AS on_update, \
                f.on_delete AS on_delete \
         FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f {SQLITE_WHERE}"
    ))
    .load(conn)
    .expect("read SQLite foreign keys");
    // SQLite lets a non-INTEGER primary key column hold NULL unless it says NOT NULL (a
    // historical quirk); PostgreSQL makes every key column NOT NULL. Key columns count as
    // NOT NULL on both sides, so that quirk is not reported on every table.
    build(columns, primary_keys, indexes, foreign_keys, true)
}

const POSTGRES_TABLE_FILTER: &str = "n.nspname = current_schema() AND t.relkind IN ('r', 'p') \
     AND t.relname <> '__diesel_schema_migrations'";

fn read_postgres(conn: &mut PgConnection) -> Schema {
    let columns: Vec<ColumnRow> = diesel::sql_query(format!(
        "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                CASE WHEN c.data_type IN ('USER-DEFINED', 'ARRAY') THEN c.udt_name::text \
                     ELSE c.data_type::text END AS data_type, \
                CASE WHEN c.is_nullable = 'NO' THEN '1' ELSE '0' END AS not_null \
         FROM information_schema.columns c \
         JOIN information_schema.tables t \
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '{DIESEL_TABLE}' \
         ORDER BY c.table_name, c.ordinal_position"
    ))
    .load(conn)
    .expect("read PostgreSQL columns");
    let indexes: Vec<IndexRow> = diesel::sql_query(format!(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                CASE WHEN c.contype = 'p' THEN 'pk' WHEN c.contype IS NULL THEN 'c' \
                     ELSE c.contype::text END AS origin, \
                CASE WHEN ix.indisunique THEN '1' ELSE '0' END AS is_unique, \
                CASE WHEN ix.indpred IS NOT NULL THEN '1' ELSE '0' END AS is_partial, \
                k.ord::text AS seqno, COALESCE(a.attname::text, '<expr>') AS column_name, \
                CASE WHEN (ix.indoption[(k.ord - 1)::int] & 1) = 1 THEN '1' ELSE '0' END \
                  AS descending \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         LEFT JOIN pg_constraint c ON c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid \
              AND c.contype IN ('p', 'u', 'x') \
         CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
         LEFT JOIN pg_attribute a \
              ON a.attrelid = ix.indrelid AND a.attnum = k.attnum AND k.attnum <> 0 \
         WHERE {POSTGRES_TABLE_FILTER} AND k.ord <= ix.indnkeyatts"
    ))
    .load(conn)
    .expect("read PostgreSQL indexes");
    let primary_keys = indexes
        .iter()
        .filter(|i| i.origin == "pk")
        .map(|i| PrimaryKeyRow {
            table_name: i.table_name.clone(),
            column_name: i.column_name.clone(),
            position: i.seqno.clone(),
        })
        .collect();
    let action = |column: &str| {
        format!(
            "CASE con.{column} WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' \
             WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' \
             ELSE con.{column}::text END"
        )
    };
    let foreign_keys: Vec<ForeignKeyRow> = diesel::sql_query(format!(
        "SELECT t.relname::text AS table_name, con.oid::text AS fk_id, k.ord::text AS seq, \
                a.attname::text AS column_name, ft.relname::text AS ref_table, \
                fa.attname::text AS ref_column, {} AS on_update, {} AS on_delete \
         FROM pg_constraint con \
         JOIN pg_class t ON t.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         JOIN pg_class ft ON ft.oid = con.confrelid \
         CROSS JOIN LATERAL unnest(con.conkey, con.confkey) \
              WITH ORDINALITY AS k(attnum, fattnum, ord) \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum \
         JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fattnum \
         WHERE con.contype = 'f' AND {POSTGRES_TABLE_FILTER}",
        action("confupdtype"),
        action("confdeltype"),
    ))
    .load(conn)
    .expect("read PostgreSQL foreign keys");
    build(columns, primary_keys, indexes, foreign_keys, false)
}

fn build(
    columns: Vec<ColumnRow>,
    primary_keys: Vec<PrimaryKeyRow>,
    indexes: Vec<IndexRow>,
    foreign_keys: Vec<ForeignKeyRow>,
    key_columns_are_not_null: bool,
) -> Schema {
    let number = |s: &str| s.parse::<i64>().unwrap_or(i64::MAX);
    let mut schema = Schema::default();
    for row in columns {
        schema
            .tables
            .entry(row.table_name)
            .or_default()
            .columns
            .insert(
                row.column_name,
                Column {
                    family: type_family(&row.data_type),
                    nullable: row.not_null != "1",
                },
            );
    }

    let mut keys: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for row in primary_keys {
        keys.entry(row.table_name)
            .or_default()
            .push((number(&row.position), row.column_name));
    }
    for (table_name, mut key) in keys {
        key.sort();
        let table = schema.tables.entry(table_name).or_default();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        if key_columns_are_not_null {
            for column in &table.primary_key {
                if let Some(c) = table.columns.get_mut(column) {
                    c.nullable = false;
                }
            }
        }
    }

    // (table, index) → (origin, unique, partial, [(seqno, column)])
    type Entry = (String, bool, bool, Vec<(i64, String)>);
    let mut by_index: BTreeMap<(String, String), Entry> = BTreeMap::new();
    for row in indexes {
        let column = if row.descending == "1" {
            format!("{} DESC", row.column_name)
        } else {
            row.column_name
        };
        by_index
            .entry((row.table_name, row.index_name))
            .or_insert_with(|| {
                (
                    row.origin.clone(),
                    row.is_unique == "1",
                    row.is_partial == "1",
                    Vec::new(),
                )
            })
            .3
            .push((number(&row.seqno), column));
    }
    for ((table_name, index_name), (origin, unique, partial, mut columns)) in by_index {
        columns.sort();
        let columns: Vec<String> = columns.into_iter().map(|(_, c)| c).collect();
        let table = schema.tables.entry(table_name).or_default();
        match origin.as_str() {
            // The primary key is read from the columns (SQLite) or above (PostgreSQL).
            "pk" => {}
            "u" => {
                let mut set = columns;
                set.sort();
                table.uniques.insert(set);
            }
            _ => {
                table.indexes.insert(
                    index_name,
                    Index {
                        columns,
                        unique,
                        partial,
                    },
                );
            }
        }
    }

    // (table, fk id) → [(seq, from, ref table, to, on update, on delete)]
    type Pair = (i64, String, String, String, String, String);
    let mut by_key: BTreeMap<(String, String), Vec<Pair>> = BTreeMap::new();
    for row in foreign_keys {
        by_key
            .entry((row.table_name, row.fk_id))
            .or_default()
            .push((
                number(&row.seq),
                row.column_name,
                row.ref_table,
                row.ref_column,
                row.on_update.to_ascii_uppercase(),
                row.on_delete.to_ascii_uppercase(),
            ));
    }
    for ((table_name, _), mut pairs) in by_key {
        pairs.sort();
        let ref_table = pairs[0].2.clone();
        let from: Vec<String> = pairs.iter().map(|p| p.1.clone()).collect();
        let mut to: Vec<String> = pairs.iter().map(|p| p.3.clone()).collect();
        if to.iter().all(String::is_empty) {
            to = schema
                .tables
                .get(&ref_table)
                .map(|t| t.primary_key.clone())
                .unwrap_or_default();
        }
        let rendered = format!(
            "({}) → {ref_table} ({}) ON UPDATE {} ON DELETE {}",
            from.join(", "),
            to.join(", "),
            pairs[0].4,
            pairs[0].5
        );
        schema
            .tables
            .entry(table_name)
            .or_default()
            .foreign_keys
            .insert(rendered);
    }
    schema
}
