//! What `/courses` reads and writes: courses, their teachers and sessions.

use crate::body::FieldRules;
use crate::clock::to_utc;
use crate::workflow::StatusChange;
use brobygger_domain::course::{CoCreator, CourseFormat, CourseStatus, TeacherRole};
use brobygger_persistence::course::{CourseRow, CourseSessionRow, CourseTeacherRow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A course of the teaching model, co-created and taught together.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5da-0000-7000-8000-000000000001",
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "title": "Recovery in everyday life",
    "description": "Six evenings on hope, control and opportunity",
    "format": "recovery_college",
    "provider_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "location": "Recovery College Vejle, room 2",
    "capacity": 12,
    "co_created_by": ["citizen", "peer", "professional"],
    "status": "open_for_enrolment",
    "status_history": [{"status": "planned", "at": "2026-11-01T10:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null},
        {"status": "open_for_enrolment", "at": "2026-11-10T10:00:00Z", "by": "0193a5d3-1f0a-7c3e-8f55-0b9e4c2d7a10", "reason": null}],
    "enrolled": 10,
    "waitlisted": 2,
    "sessions_held": 2,
    "attendance_rate": 0.85,
    "version": 2,
    "created_at": "2026-11-01T10:00:00Z",
    "updated_at": "2026-11-10T10:00:00Z"
}))]
pub struct Course {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub format: CourseFormat,
    pub provider_organisation_id: Uuid,
    pub location: Option<String>,
    /// The most participants enrolled at once; beyond it they are waitlisted.
    pub capacity: i32,
    pub co_created_by: Vec<CoCreator>,
    pub status: CourseStatus,
    pub status_history: Vec<StatusChange>,
    /// Participants with a place.
    pub enrolled: i64,
    /// Participants on the waitlist.
    pub waitlisted: i64,
    /// Sessions that started before now.
    pub sessions_held: i64,
    /// Present ÷ (sessions held × enrolled participants); `null` before a session was held or
    /// while nobody is enrolled.
    pub attendance_rate: Option<f64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Course, Teacher, Session);

/// The numbers a course shows beside its fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct CourseFigures {
    pub enrolled: i64,
    pub waitlisted: i64,
    pub sessions_held: i64,
    pub attendance_rate: Option<f64>,
}

impl Course {
    pub fn from_parts(
        row: CourseRow,
        co_created_by: Vec<CoCreator>,
        status_history: Vec<StatusChange>,
        figures: CourseFigures,
    ) -> Self {
        Self {
            id: row.id.into(),
            programme_id: row.programme_id.into(),
            title: row.title,
            description: row.description,
            format: row.format,
            provider_organisation_id: row.provider_organisation_id.into(),
            location: row.location,
            capacity: row.capacity,
            co_created_by,
            status: row.status,
            status_history,
            enrolled: figures.enrolled,
            waitlisted: figures.waitlisted,
            sessions_held: figures.sessions_held,
            attendance_rate: figures.attendance_rate,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }

    pub fn input(&self) -> CourseInput {
        CourseInput {
            programme_id: self.programme_id,
            title: self.title.clone(),
            description: self.description.clone(),
            format: self.format,
            provider_organisation_id: self.provider_organisation_id,
            location: self.location.clone(),
            capacity: self.capacity,
            co_created_by: self.co_created_by.clone(),
        }
    }
}

/// What a client writes: a new course, or the result of a merge patch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "programme_id": "0193a5d4-0000-7000-8000-000000000001",
    "title": "Recovery in everyday life",
    "description": "Six evenings on hope, control and opportunity",
    "format": "recovery_college",
    "provider_organisation_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e30",
    "location": "Recovery College Vejle, room 2",
    "capacity": 12,
    "co_created_by": ["citizen", "peer", "professional"]
}))]
pub struct CourseInput {
    /// A programme you manage that offers `peer_teaching`.
    pub programme_id: Uuid,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    pub format: CourseFormat,
    /// Your organisation or a partner of the programme.
    pub provider_organisation_id: Uuid,
    #[schema(max_length = 200)]
    pub location: Option<String>,
    /// At least 1; never below those enrolled (`409`). Raising it moves the first waitlisted
    /// up.
    #[schema(minimum = 1, maximum = 10000)]
    pub capacity: i32,
    #[serde(default)]
    pub co_created_by: Vec<CoCreator>,
}

impl FieldRules for CourseInput {}

/// A JSON merge patch of a course.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": 14, "location": "Vejle Library"}))]
pub struct CoursePatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub format: Option<CourseFormat>,
    pub provider_organisation_id: Option<Uuid>,
    pub location: Option<String>,
    pub capacity: Option<i32>,
    pub co_created_by: Option<Vec<CoCreator>>,
}

pub const WRITABLE: &[&str] = &[
    "title",
    "description",
    "format",
    "provider_organisation_id",
    "location",
    "capacity",
    "co_created_by",
];

/// Filters of the course list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CourseFilters {
    pub programme_id: Option<Uuid>,
    pub status: Option<CourseStatus>,
}

/// A move of a course's status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"to": "open_for_enrolment"}))]
pub struct CourseTransition {
    pub to: CourseStatus,
    /// Kept in the history (e.g. why a course was cancelled).
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

impl FieldRules for CourseTransition {}

// --- Teachers -----------------------------------------------------------------------------------

/// A teacher of a course: a peer teacher (an active peer worker holding `peer_teacher`) or a
/// professional (a user).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5da-0000-7000-8000-000000000002",
    "course_id": "0193a5da-0000-7000-8000-000000000001",
    "peer_worker_id": "0193a5d6-0000-7000-8000-000000000001",
    "user_id": null,
    "role": "peer_teacher",
    "version": 1,
    "created_at": "2026-11-01T10:00:00Z",
    "updated_at": "2026-11-01T10:00:00Z"
}))]
pub struct Teacher {
    pub id: Uuid,
    pub course_id: Uuid,
    pub peer_worker_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub role: TeacherRole,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Teacher {
    pub fn from_row(row: CourseTeacherRow) -> Self {
        Self {
            id: row.id.into(),
            course_id: row.course_id.into(),
            peer_worker_id: row.peer_worker_id.map(Uuid::from),
            user_id: row.user_id.map(Uuid::from),
            role: row.role,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A new teacher: exactly one of `peer_worker_id` (role `peer_teacher`) and `user_id` (role
/// `professional`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"peer_worker_id": "0193a5d6-0000-7000-8000-000000000001"}))]
pub struct TeacherInput {
    /// A peer teacher: active and holding `peer_teacher` (else `409 qualification_missing`).
    pub peer_worker_id: Option<Uuid>,
    /// A professional: a user of a partner organisation of the programme.
    pub user_id: Option<Uuid>,
}

impl FieldRules for TeacherInput {}

// --- Sessions -----------------------------------------------------------------------------------

/// One session of a course.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5da-0000-7000-8000-000000000003",
    "course_id": "0193a5da-0000-7000-8000-000000000001",
    "starts_at": "2026-12-01T17:00:00Z",
    "ends_at": "2026-12-01T19:00:00Z",
    "location": "Recovery College Vejle, room 2",
    "topic": "Hope",
    "version": 1,
    "created_at": "2026-11-01T10:00:00Z",
    "updated_at": "2026-11-01T10:00:00Z"
}))]
pub struct Session {
    pub id: Uuid,
    pub course_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: Option<String>,
    pub topic: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Session {
    pub fn from_row(row: CourseSessionRow) -> Self {
        Self {
            id: row.id.into(),
            course_id: row.course_id.into(),
            starts_at: to_utc(row.starts_at),
            ends_at: to_utc(row.ends_at),
            location: row.location,
            topic: row.topic,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A new session: `ends_at` after `starts_at` (else `422`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "starts_at": "2026-12-01T17:00:00Z",
    "ends_at": "2026-12-01T19:00:00Z",
    "location": "Recovery College Vejle, room 2",
    "topic": "Hope"
}))]
pub struct SessionInput {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[schema(max_length = 200)]
    pub location: Option<String>,
    #[schema(max_length = 500)]
    pub topic: Option<String>,
}

impl FieldRules for SessionInput {}
