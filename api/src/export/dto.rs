//! What an export takes (its query) and what its rows hold: one schema per dataset in the
//! contract, built from the dataset's columns in `brobygger_domain::export` (file order; CSV
//! has a header row in the same order).

use brobygger_domain::export::{Audience, Column, Dataset, Kind, PSEUDONYM_COLUMN, Sensitivity};
use serde::Deserialize;
use std::borrow::Cow;
use utoipa::IntoParams;
use utoipa::openapi::schema::{
    KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr};

/// The filters of an export. Every value is checked by the service (`422` listing the fields).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `ndjson`; when absent, from `Accept` (`text/csv`, `application/x-ndjson`),
    /// else `csv`.
    #[param(example = "csv")]
    pub format: Option<String>,
    /// The first day of the period (`YYYY-MM-DD`), on the dataset's date: a contact's `date`,
    /// an employment status's `effective_on`, a retention check's `due_on`, an attendance's
    /// `session_starts_at`, otherwise `created_at`.
    #[param(example = "2026-01-01")]
    pub from: Option<String>,
    /// The last day of the period (`YYYY-MM-DD`, included); not before `from`.
    #[param(example = "2026-12-31")]
    pub to: Option<String>,
    /// Only this programme's rows (one the caller sees, else `422`).
    #[param(example = "0193a5d4-0000-7000-8000-000000000001")]
    pub programme_id: Option<String>,
    /// Only rows changed at or after this instant (RFC 3339), for incremental pulls.
    #[param(example = "2026-06-01T00:00:00Z")]
    pub updated_since: Option<String>,
}

/// The contract's name of a dataset's row schema, e.g. `ExportContactsRow`.
pub fn schema_name(dataset: Dataset) -> String {
    let camel: String = dataset
        .as_str()
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect();
    format!("Export{camel}Row")
}

/// One row of an export: the schema of the dataset named in the path.
pub struct ExportRow;

impl utoipa::PartialSchema for ExportRow {
    fn schema() -> RefOr<Schema> {
        Dataset::ALL
            .into_iter()
            .fold(OneOfBuilder::new(), |one_of, d| {
                one_of.item(Ref::from_schema_name(schema_name(d)))
            })
            .description(Some(
                "One row (an NDJSON line, a CSV record): the schema of the dataset in the path \
                 (each with its example).",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ExportRow {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ExportRow")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for dataset in Dataset::ALL {
            schemas.push((schema_name(dataset), row_schema(dataset).into()));
        }
    }
}

fn row_schema(dataset: Dataset) -> Schema {
    let names = |audience| {
        dataset
            .columns_for(audience)
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut object = ObjectBuilder::new().description(Some(format!(
        "A row of `{}`. Columns in file order (the CSV header), identified (admins, \
         coordinators): {}. Pseudonymised (evaluators, integrations): {}.",
        dataset.as_str(),
        names(Audience::Identified),
        names(Audience::Pseudonymised)
    )));
    object = object.examples([example_row(dataset)]);
    for column in dataset.columns() {
        object = object.property(column.name, column_schema(column));
        // Both audiences' files hold the plain columns; the citizen's id and free text only
        // the identified, the pseudonym only the pseudonymised.
        if column.sensitivity == Sensitivity::Plain {
            object = object.required(column.name);
        }
        if column.sensitivity == Sensitivity::Citizen {
            object = object.property(
                PSEUDONYM_COLUMN,
                ObjectBuilder::new()
                    .schema_type(nullable(Type::String, column.nullable))
                    .description(Some(
                        "Pseudonymised files only, in place of `citizen_id`: HMAC-SHA-256 of \
                         the citizen's id under a key of the recipient's organisation (32 hex \
                         digits), stable across its exports, unrelated to another's.",
                    ))
                    .examples([serde_json::json!("3f1c9a7e0b2d4c6a8e1f0a9b7c5d3e21")]),
            );
        }
    }
    object.into()
}

fn nullable(t: Type, nullable: bool) -> SchemaType {
    if nullable {
        SchemaType::from_iter([t, Type::Null])
    } else {
        SchemaType::new(t)
    }
}

/// An example row of `dataset` (identified).
fn example_row(dataset: Dataset) -> serde_json::Value {
    dataset
        .columns()
        .iter()
        .map(|c| (c.name.to_owned(), example(c.kind)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// A column's example value.
fn example(kind: Kind) -> serde_json::Value {
    column_type(kind).2
}

fn column_type(kind: Kind) -> (Type, Option<KnownFormat>, serde_json::Value) {
    match kind {
        Kind::Id => (
            Type::String,
            Some(KnownFormat::Uuid),
            serde_json::json!("0193a5d4-0000-7000-8000-000000000001"),
        ),
        Kind::Text => (Type::String, None, serde_json::json!("active")),
        Kind::Integer => (Type::Integer, None, serde_json::json!(45)),
        Kind::Boolean => (Type::Boolean, None, serde_json::json!(true)),
        Kind::Date => (
            Type::String,
            Some(KnownFormat::Date),
            serde_json::json!("2026-01-05"),
        ),
        Kind::Timestamp => (
            Type::String,
            Some(KnownFormat::DateTime),
            serde_json::json!("2026-01-05T09:30:00Z"),
        ),
    }
}

fn column_schema(column: &Column) -> ObjectBuilder {
    let (t, format, example) = column_type(column.kind);
    let note = match column.sensitivity {
        Sensitivity::Plain => None,
        Sensitivity::Citizen => Some("Identified files only (see `citizen_pseudonym`)."),
        Sensitivity::FreeText => Some("Free text: identified files only."),
    };
    ObjectBuilder::new()
        .schema_type(nullable(t, column.nullable))
        .format(format.map(SchemaFormat::KnownFormat))
        .description(note)
        .examples([example])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_camel_case() {
        assert_eq!(
            schema_name(Dataset::EmploymentStatuses),
            "ExportEmploymentStatusesRow"
        );
        assert_eq!(schema_name(Dataset::Contacts), "ExportContactsRow");
    }
}
