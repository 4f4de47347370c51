//! What `/advisory-processes` reads and writes, and the programme's experience summary.

use crate::body::FieldRules;
use crate::clock::to_utc;
use crate::workflow::StatusChange;
use brobygger_domain::FieldErrors;
use brobygger_domain::advisory::{AdvisoryStatus, FindingKind, Theme, ThemeSummary};
use brobygger_domain::organisation::MunicipalityCode;
use brobygger_domain::programme::check_raw_period;
use brobygger_domain::reference;
use brobygger_persistence::advisory::{AdvisoryProcessRow, FindingRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An agency's advice to one municipality on using peers.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5e0-0000-7000-8000-000000000001",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "municipality_code": "630",
    "advising_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "start_date": "2024-02-01",
    "end_date": "2025-06-30",
    "status": "running",
    "status_history": [{"status": "planned", "at": "2024-01-10T10:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "running", "at": "2024-02-01T09:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": "Kick-off held"}],
    "version": 2,
    "created_at": "2024-01-10T10:00:00Z",
    "updated_at": "2024-02-01T09:00:00Z"
}))]
pub struct AdvisoryProcess {
    pub id: Uuid,
    pub programme_id: Uuid,
    /// The official code of the municipality advised.
    pub municipality_code: String,
    /// The organisation that advises (e.g. a state agency).
    pub advising_organisation_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// `planned → running → completed`, moved by `POST /advisory-processes/{id}/transitions`.
    pub status: AdvisoryStatus,
    /// Every status the process has had, oldest first.
    pub status_history: Vec<StatusChange>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(AdvisoryProcess);

impl AdvisoryProcess {
    pub fn from_parts(row: AdvisoryProcessRow, status_history: Vec<StatusChange>) -> Self {
        Self {
            id: row.id.into(),
            programme_id: row.programme_id.into(),
            municipality_code: row.municipality_code,
            advising_organisation_id: row.advising_organisation_id.into(),
            start_date: row.start_date,
            end_date: row.end_date,
            status: row.status,
            status_history,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> AdvisoryProcessInput {
        AdvisoryProcessInput {
            programme_id: self.programme_id,
            municipality_code: self.municipality_code.clone(),
            advising_organisation_id: self.advising_organisation_id,
            start_date: self.start_date,
            end_date: self.end_date,
        }
    }
}

/// What a client writes: a new advisory process, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "municipality_code": "630",
    "advising_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "start_date": "2024-02-01",
    "end_date": "2025-06-30"
}))]
pub struct AdvisoryProcessInput {
    /// A programme you manage.
    pub programme_id: Uuid,
    /// One of the 98 official municipality codes (`GET /api/v1/reference/municipalities`).
    #[schema(min_length = 3, max_length = 3, pattern = "^[0-9]{3}$")]
    pub municipality_code: String,
    /// An organisation you see: your own or a partner of one of your programmes.
    pub advising_organisation_id: Uuid,
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    pub end_date: Option<NaiveDate>,
}

impl FieldRules for AdvisoryProcessInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        let text = |name: &str| body.get(name).and_then(Value::as_str);
        if let Some(code) = text("municipality_code") {
            errors.check("municipality_code", MunicipalityCode::parse(code));
        }
        check_raw_period(text("start_date"), text("end_date"), "end_date", errors);
    }
}

/// A JSON merge patch of an advisory process (its programme stays).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end_date": "2025-09-30"}))]
pub struct AdvisoryProcessPatch {
    pub municipality_code: Option<String>,
    pub advising_organisation_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

pub const WRITABLE: &[&str] = &[
    "municipality_code",
    "advising_organisation_id",
    "start_date",
    "end_date",
];

/// Filters of the advisory process list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdvisoryFilters {
    pub programme_id: Option<Uuid>,
    /// A 3-digit municipality code.
    pub municipality_code: Option<String>,
    pub status: Option<AdvisoryStatus>,
}

/// A move of an advisory process's status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "running", "reason": "Kick-off held"}))]
pub struct AdvisoryTransition {
    pub to: AdvisoryStatus,
    /// Kept in the history.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

impl FieldRules for AdvisoryTransition {}

// --- Findings -----------------------------------------------------------------------------------

/// A driver or a barrier an advisory process found.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5e0-0000-7000-8000-000000000002",
    "advisory_process_id": "0193a5e0-0000-7000-8000-000000000001",
    "kind": "barrier",
    "theme": "financing",
    "text": "No budget for peer salaries after the grant ends",
    "recorded_by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10",
    "created_at": "2025-05-01T10:00:00Z"
}))]
pub struct Finding {
    pub id: Uuid,
    pub advisory_process_id: Uuid,
    pub kind: FindingKind,
    pub theme: Theme,
    pub text: String,
    /// The user who recorded it.
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Findings are never changed: every one is version 1.
impl crate::http::Versioned for Finding {
    fn version(&self) -> i64 {
        1
    }
}

impl Finding {
    pub fn from_row(row: FindingRow) -> Self {
        Self {
            id: row.id.into(),
            advisory_process_id: row.advisory_process_id.into(),
            kind: row.kind,
            theme: row.theme,
            text: row.text,
            recorded_by: row.recorded_by.into(),
            created_at: to_utc(row.created_at),
        }
    }
}

/// A new finding.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "driver", "theme": "leadership", "text": "The director backed the peers from day one"}))]
pub struct FindingInput {
    pub kind: FindingKind,
    pub theme: Theme,
    /// A short text: 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub text: String,
}

impl FieldRules for FindingInput {
    fn check_fields(body: &Map<String, Value>, errors: &mut FieldErrors) {
        if body
            .get("text")
            .and_then(Value::as_str)
            .is_some_and(|t| t.trim().is_empty())
        {
            errors.push("text", "blank", "must not be blank");
        }
    }
}

// --- The experience summary ---------------------------------------------------------------------

/// One finding in the summary: what, and which municipality named it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"municipality_code": "630", "municipality_name": "Vejle", "text": "The director backed the peers from day one"}))]
pub struct SummaryText {
    pub municipality_code: String,
    pub municipality_name: String,
    pub text: String,
}

/// The findings of one theme across the programme's advisory processes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"theme": "leadership", "municipalities": 2, "drivers": [{"municipality_code": "630", "municipality_name": "Vejle", "text": "The director backed the peers from day one"}], "barriers": []}))]
pub struct ThemeFindings {
    pub theme: Theme,
    /// How many distinct municipalities named the theme, as a driver or a barrier.
    pub municipalities: i64,
    pub drivers: Vec<SummaryText>,
    pub barriers: Vec<SummaryText>,
}

/// The programme's cross-cutting experience summary (erfaringsopsamling): every finding of its
/// advisory processes grouped by theme, in the theme order of the domain; themes nobody named
/// are left out.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "advisory_processes": 2,
    "municipalities": 2,
    "themes": [{"theme": "leadership", "municipalities": 2,
        "drivers": [{"municipality_code": "630", "municipality_name": "Vejle", "text": "The director backed the peers from day one"}],
        "barriers": [{"municipality_code": "621", "municipality_name": "Kolding", "text": "Managers changed twice"}]}]
}))]
pub struct ExperienceSummary {
    pub programme_id: Uuid,
    /// How many advisory processes have at least one finding.
    pub advisory_processes: i64,
    /// How many distinct municipalities named at least one finding.
    pub municipalities: i64,
    pub themes: Vec<ThemeFindings>,
}

fn texts(entries: Vec<(String, String)>) -> Vec<SummaryText> {
    entries
        .into_iter()
        .map(|(code, text)| SummaryText {
            municipality_name: reference::municipality(&code)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            municipality_code: code,
            text,
        })
        .collect()
}

impl ThemeFindings {
    pub fn from_summary(summary: ThemeSummary) -> Self {
        Self {
            theme: summary.theme,
            municipalities: summary.municipalities as i64,
            drivers: texts(summary.drivers),
            barriers: texts(summary.barriers),
        }
    }
}
