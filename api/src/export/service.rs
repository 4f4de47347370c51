//! Exports: checking the request (every `422` before a byte is sent), deciding what the user
//! receives (`access::export_access`), and the plan the producer runs.

use super::dto::ExportParams;
use super::encode::Format;
pub use super::stream::{Piece, Plan, produce};
use crate::access;
use crate::actor::Auditor;
use crate::auth::CurrentUser;
use crate::cpr_vault::CprVault;
use crate::error::ApiError;
use brobygger_domain::FieldErrors;
use brobygger_domain::export::{Audience, Dataset, Pseudonymiser, organisation_key, valid_period};
use brobygger_persistence::DbConnection;
use brobygger_persistence::export::ExportFilter;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use uuid::Uuid;

/// An export request, checked.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub dataset: Dataset,
    pub format: Format,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub programme_id: Option<Uuid>,
    pub updated_since: Option<NaiveDateTime>,
}

impl ExportRequest {
    /// The dataset and filters, as the audit event records them.
    fn description(&self) -> String {
        let mut text = format!(
            "dataset={} format={}",
            self.dataset.as_str(),
            self.format.as_str()
        );
        let filters = [
            ("from", self.from.map(|d| d.to_string())),
            ("to", self.to.map(|d| d.to_string())),
            ("programme_id", self.programme_id.map(|p| p.to_string())),
            (
                "updated_since",
                self.updated_since.map(|t| t.and_utc().to_rfc3339()),
            ),
        ];
        for (name, value) in filters {
            if let Some(value) = value {
                text.push_str(&format!(" {name}={value}"));
            }
        }
        text
    }
}

/// The format asked for by `Accept` (the first known media type named), if any.
fn accepted(accept: Option<&str>) -> Option<Format> {
    accept?
        .split(',')
        .find_map(|range| match range.split(';').next().map(str::trim) {
            Some("text/csv") => Some(Format::Csv),
            Some("application/x-ndjson") => Some(Format::Ndjson),
            _ => None,
        })
}

/// Checks the path's dataset, the query and `Accept`: a `422` listing every bad field.
pub fn request(
    dataset: &str,
    params: &ExportParams,
    accept: Option<&str>,
) -> Result<ExportRequest, ApiError> {
    let mut errors = FieldErrors::new();
    let known = Dataset::ALL.map(Dataset::as_str).join(", ");
    let parsed_dataset = Dataset::parse(dataset);
    if parsed_dataset.is_none() {
        errors.push("dataset", "unknown", format!("one of {known}"));
    }
    let format = match params.format.as_deref() {
        Some(text) => Format::parse(text),
        None => Some(accepted(accept).unwrap_or(Format::Csv)),
    };
    if format.is_none() {
        errors.push("format", "invalid_value", "csv or ndjson");
    }
    let mut date = |field: &str, value: &Option<String>| {
        let text = value.as_deref()?;
        let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.push(field, "invalid_date", "a date, YYYY-MM-DD");
        }
        parsed
    };
    let from = date("from", &params.from);
    let to = date("to", &params.to);
    if !valid_period(from, to) {
        errors.push("to", "before_from", "the period ends before it starts");
    }
    let programme_id = params.programme_id.as_deref().and_then(|text| {
        let parsed = Uuid::parse_str(text).ok();
        if parsed.is_none() {
            errors.push("programme_id", "invalid_uuid", "a programme's id");
        }
        parsed
    });
    let updated_since = params.updated_since.as_deref().and_then(|text| {
        let parsed = DateTime::parse_from_rfc3339(text).ok();
        if parsed.is_none() {
            errors.push("updated_since", "invalid_datetime", "an RFC 3339 instant");
        }
        parsed.map(|t| t.naive_utc())
    });
    match (parsed_dataset, format) {
        (Some(dataset), Some(format)) if errors.is_empty() => Ok(ExportRequest {
            dataset,
            format,
            from,
            to,
            programme_id,
            updated_since,
        }),
        _ => Err(errors.into()),
    }
}

/// Decides what `user` receives of `request` and makes the plan the producer runs.
pub fn plan(
    conn: &mut DbConnection,
    user: &CurrentUser,
    auditor: Auditor,
    vault: &CprVault,
    request: &ExportRequest,
    request_id: String,
) -> Result<Plan, ApiError> {
    let (audience, scope) = access::export_access(conn, user, request.programme_id)?;
    let pseudonymiser = (audience == Audience::Pseudonymised).then(|| {
        let key = organisation_key(vault.pseudonym_secret(), &user.organisation_id.to_string());
        Pseudonymiser::new(&key)
    });
    Ok(Plan {
        dataset: request.dataset,
        format: request.format,
        audience,
        filter: ExportFilter {
            scope,
            programme_id: request.programme_id.map(|p| p.to_string()),
            from: request.from,
            to: request.to,
            updated_since: request.updated_since,
        },
        pseudonymiser,
        auditor,
        request_id,
        description: request.description(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(format: Option<&str>, from: Option<&str>, to: Option<&str>) -> ExportParams {
        ExportParams {
            format: format.map(str::to_owned),
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
            ..ExportParams::default()
        }
    }

    #[test]
    fn the_format_comes_from_the_query_then_accept_then_csv() {
        let ask = |format, accept| request("contacts", &params(format, None, None), accept);
        let format = |r: Result<ExportRequest, ApiError>| r.map(|r| r.format).ok();
        assert_eq!(
            format(ask(Some("ndjson"), Some("text/csv"))),
            Some(Format::Ndjson)
        );
        assert_eq!(
            format(ask(None, Some("application/x-ndjson"))),
            Some(Format::Ndjson)
        );
        assert_eq!(
            format(ask(None, Some("text/csv;q=0.9, */*"))),
            Some(Format::Csv)
        );
        assert_eq!(format(ask(None, None)), Some(Format::Csv));
        assert!(ask(Some("xlsx"), None).is_err());
    }

    #[test]
    fn bad_input_names_every_field() {
        let refused = request(
            "citizens",
            &params(Some("xml"), Some("2026-02-01"), Some("2026-01-01")),
            None,
        );
        let Err(ApiError::Validation(errors)) = refused else {
            panic!("expected a validation error");
        };
        let text = format!("{errors:?}");
        for field in ["dataset", "format", "to"] {
            assert!(text.contains(field), "{text}");
        }
    }
}
