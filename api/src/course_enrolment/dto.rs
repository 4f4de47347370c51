//! What `/courses/{id}/enrolments` and `…/sessions/{sid}/attendance` read and write.

use crate::body::FieldRules;
use crate::clock::to_utc;
use brobygger_domain::course::{AttendanceStatus, EnrolmentStatus, ParticipantType};
use brobygger_persistence::course::{AttendanceRow, CourseEnrolmentRow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A participant's place on a course: a registered citizen (citizen data: shown only to
/// those who may see the citizen, every access audited) or an outside participant.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5db-0000-7000-8000-000000000001",
    "course_id": "0193a5da-0000-7000-8000-000000000001",
    "citizen_id": null,
    "participant_name": "Hanne Jensen",
    "participant_type": "relative",
    "status": "waitlisted",
    "waitlist_position": 3,
    "attendance_rate": null,
    "version": 1,
    "created_at": "2026-11-12T09:00:00Z",
    "updated_at": "2026-11-12T09:00:00Z"
}))]
pub struct Enrolment {
    pub id: Uuid,
    pub course_id: Uuid,
    /// Set for a registered citizen.
    pub citizen_id: Option<Uuid>,
    /// Set for an outside participant.
    pub participant_name: Option<String>,
    pub participant_type: Option<ParticipantType>,
    pub status: EnrolmentStatus,
    /// The place on the waitlist (1 is next), while `waitlisted`.
    pub waitlist_position: Option<i32>,
    /// Present ÷ sessions held; `null` before a session was held.
    pub attendance_rate: Option<f64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::http::versioned!(Enrolment);

impl Enrolment {
    pub fn from_row(row: CourseEnrolmentRow, attendance_rate: Option<f64>) -> Self {
        Self {
            id: row.id.into(),
            course_id: row.course_id.into(),
            citizen_id: row.citizen_id.map(Uuid::from),
            participant_name: row.participant_name,
            participant_type: row.participant_type,
            status: row.status,
            waitlist_position: row.waitlist_position,
            attendance_rate,
            version: row.version,
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
        }
    }
}

/// A new enrolment: `citizen_id`, or `participant_name` with `participant_type`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"participant_name": "Hanne Jensen", "participant_type": "relative"}))]
pub struct EnrolmentInput {
    /// A registered citizen you may see, with an active `data_processing` consent.
    pub citizen_id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 200)]
    pub participant_name: Option<String>,
    pub participant_type: Option<ParticipantType>,
}

impl FieldRules for EnrolmentInput {}

/// Filters of a course's enrolments.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentFilters {
    pub status: Option<EnrolmentStatus>,
}

/// One participant's attendance at a session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enrolment_id": "0193a5db-0000-7000-8000-000000000001", "status": "present"}))]
pub struct AttendanceItem {
    /// An `enrolled` enrolment of the course.
    pub enrolment_id: Uuid,
    pub status: AttendanceStatus,
}

impl AttendanceItem {
    pub fn from_row(row: &AttendanceRow) -> Self {
        Self {
            enrolment_id: row.enrolment_id.into(),
            status: row.status,
        }
    }
}

/// A session's whole attendance, as written and as read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [
    {"enrolment_id": "0193a5db-0000-7000-8000-000000000001", "status": "present"},
    {"enrolment_id": "0193a5db-0000-7000-8000-000000000002", "status": "excused"}
]}))]
pub struct Attendance {
    #[schema(max_items = 10000)]
    pub items: Vec<AttendanceItem>,
}

impl FieldRules for Attendance {}

/// A citizen's course enrolment with its attendance, in the citizen's data export.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5db-0000-7000-8000-000000000001",
    "course_id": "0193a5da-0000-7000-8000-000000000001",
    "citizen_id": "0193a5d5-0000-7000-8000-000000000001",
    "participant_name": null,
    "participant_type": null,
    "status": "enrolled",
    "waitlist_position": null,
    "attendance_rate": 1.0,
    "version": 1,
    "created_at": "2026-11-12T09:00:00Z",
    "updated_at": "2026-11-12T09:00:00Z",
    "attendance": [{"session_id": "0193a5da-0000-7000-8000-000000000003", "starts_at": "2026-12-01T17:00:00Z", "status": "present"}]
}))]
pub struct EnrolmentExport {
    #[serde(flatten)]
    pub enrolment: Enrolment,
    pub attendance: Vec<SessionAttendance>,
}

/// Attendance at one session, in the citizen's data export.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"session_id": "0193a5da-0000-7000-8000-000000000003", "starts_at": "2026-12-01T17:00:00Z", "status": "present"}))]
pub struct SessionAttendance {
    pub session_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub status: AttendanceStatus,
}
