//! Exports: the datasets, their columns for each audience, and the pseudonym that stands for a
//! citizen in an evaluator's file (`docs/domain.md`, "Reporting and exports").
//!
//! Every dataset has one list of columns, in file order. A column is plain, a citizen's id, or
//! free text. The identified audience (admins, coordinators of the programme) gets every column;
//! the pseudonymised audience (evaluators) gets the plain columns, the citizen's id replaced by
//! its pseudonym, and no free text. No dataset has a name, CPR number, contact detail or date of
//! birth at all.

use chrono::{NaiveDate, NaiveDateTime};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The datasets one can export, by their path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    SupportCourses,
    Contacts,
    Goals,
    Referrals,
    EmploymentStatuses,
    RetentionChecks,
    Courses,
    Enrolments,
    Attendance,
}

/// What a column holds, which decides whether an evaluator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sensitivity {
    Plain,
    /// A citizen's id: a pseudonym for evaluators.
    Citizen,
    /// Free text written about a citizen or a course: never for evaluators.
    FreeText,
}

/// The value type of a column, for the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Id,
    Text,
    Integer,
    Boolean,
    Date,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub sensitivity: Sensitivity,
    pub nullable: bool,
}

/// Who receives the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Citizen ids and free text (never CPR).
    Identified,
    /// Pseudonyms, no free text.
    Pseudonymised,
}

/// The name of the citizen column in a pseudonymised file.
pub const PSEUDONYM_COLUMN: &str = "citizen_pseudonym";

const fn col(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        sensitivity: Sensitivity::Plain,
        nullable: false,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Column {
    Column {
        nullable: true,
        ..col(name, kind)
    }
}

const fn citizen(nullable: bool) -> Column {
    Column {
        name: "citizen_id",
        kind: Kind::Id,
        sensitivity: Sensitivity::Citizen,
        nullable,
    }
}

const fn free(name: &'static str, nullable: bool) -> Column {
    Column {
        name,
        kind: Kind::Text,
        sensitivity: Sensitivity::FreeText,
        nullable,
    }
}

use Kind::{Boolean, Date, Id, Integer, Text, Timestamp};

const SUPPORT_COURSES: &[Column] = &[
    col("id", Id),
    citizen(false),
    col("programme_id", Id),
    col("model", Text),
    opt("peer_worker_id", Id),
    col("status", Text),
    free("context", true),
    opt("planned_end_date", Date),
    opt("closed_at", Timestamp),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const CONTACTS: &[Column] = &[
    col("id", Id),
    col("support_course_id", Id),
    citizen(false),
    col("programme_id", Id),
    col("date", Date),
    col("minutes", Integer),
    col("mode", Text),
    free("summary", true),
    col("peer_worker_id", Id),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const GOALS: &[Column] = &[
    col("id", Id),
    col("support_course_id", Id),
    citizen(false),
    col("programme_id", Id),
    col("domain", Text),
    col("status", Text),
    free("text", false),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const REFERRALS: &[Column] = &[
    col("id", Id),
    col("support_course_id", Id),
    citizen(false),
    col("programme_id", Id),
    col("target_organisation_id", Id),
    col("target_kind", Text),
    col("sending_organisation_id", Id),
    free("purpose", false),
    col("requested_by_citizen", Boolean),
    col("status", Text),
    opt("sent_at", Timestamp),
    opt("acknowledged_at", Timestamp),
    opt("accepted_at", Timestamp),
    opt("closed_at", Timestamp),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const EMPLOYMENT_STATUSES: &[Column] = &[
    col("id", Id),
    citizen(false),
    col("effective_on", Date),
    col("status", Text),
    opt("hours_per_week", Integer),
    opt("employer_organisation_id", Id),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const RETENTION_CHECKS: &[Column] = &[
    col("id", Id),
    citizen(false),
    col("employment_status_id", Id),
    col("months_after", Integer),
    col("due_on", Date),
    opt("outcome", Text),
    opt("recorded_on", Date),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const COURSES: &[Column] = &[
    col("id", Id),
    col("programme_id", Id),
    col("title", Text),
    free("description", true),
    col("format", Text),
    col("provider_organisation_id", Id),
    col("capacity", Integer),
    col("status", Text),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const ENROLMENTS: &[Column] = &[
    col("id", Id),
    col("course_id", Id),
    col("programme_id", Id),
    citizen(true),
    free("participant_name", true),
    opt("participant_type", Text),
    col("status", Text),
    opt("waitlist_position", Integer),
    col("created_at", Timestamp),
    col("updated_at", Timestamp),
];

const ATTENDANCE: &[Column] = &[
    col("id", Id),
    col("session_id", Id),
    col("enrolment_id", Id),
    col("course_id", Id),
    col("programme_id", Id),
    citizen(true),
    col("session_starts_at", Timestamp),
    col("status", Text),
    col("created_at", Timestamp),
];

impl Dataset {
    pub const ALL: [Dataset; 9] = [
        Dataset::SupportCourses,
        Dataset::Contacts,
        Dataset::Goals,
        Dataset::Referrals,
        Dataset::EmploymentStatuses,
        Dataset::RetentionChecks,
        Dataset::Courses,
        Dataset::Enrolments,
        Dataset::Attendance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dataset::SupportCourses => "support_courses",
            Dataset::Contacts => "contacts",
            Dataset::Goals => "goals",
            Dataset::Referrals => "referrals",
            Dataset::EmploymentStatuses => "employment_statuses",
            Dataset::RetentionChecks => "retention_checks",
            Dataset::Courses => "courses",
            Dataset::Enrolments => "enrolments",
            Dataset::Attendance => "attendance",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// Every column, in file order, as stored (the identified audience's file).
    pub fn columns(self) -> &'static [Column] {
        match self {
            Dataset::SupportCourses => SUPPORT_COURSES,
            Dataset::Contacts => CONTACTS,
            Dataset::Goals => GOALS,
            Dataset::Referrals => REFERRALS,
            Dataset::EmploymentStatuses => EMPLOYMENT_STATUSES,
            Dataset::RetentionChecks => RETENTION_CHECKS,
            Dataset::Courses => COURSES,
            Dataset::Enrolments => ENROLMENTS,
            Dataset::Attendance => ATTENDANCE,
        }
    }

    /// The columns `audience` receives, in file order, with the names of its file.
    pub fn columns_for(self, audience: Audience) -> Vec<Column> {
        self.columns()
            .iter()
            .filter_map(|c| match (audience, c.sensitivity) {
                (Audience::Identified, _) | (_, Sensitivity::Plain) => Some(*c),
                (Audience::Pseudonymised, Sensitivity::Citizen) => Some(Column {
                    name: PSEUDONYM_COLUMN,
                    ..*c
                }),
                (Audience::Pseudonymised, Sensitivity::FreeText) => None,
            })
            .collect()
    }

    /// The column whose date the period (`from`, `to`) filters on.
    pub fn period_column(self) -> &'static str {
        match self {
            Dataset::Contacts => "date",
            Dataset::EmploymentStatuses => "effective_on",
            Dataset::RetentionChecks => "due_on",
            Dataset::Attendance => "session_starts_at",
            _ => "created_at",
        }
    }
}

/// One value of a row, as read, borrowing its text from the batch that holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Text(&'a str),
    Integer(i64),
    Boolean(bool),
    Date(NaiveDate),
    Timestamp(NaiveDateTime),
}

/// `from` after `to` is no period.
pub fn valid_period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    !matches!((from, to), (Some(f), Some(t)) if f > t)
}

/// The pseudonym key of one recipient organisation: HMAC-SHA-256 of its id under the server's
/// secret (a key derived from the server's secret for pseudonyms only), so one organisation's
/// pseudonyms are stable across exports and unrelated to another's.
pub fn organisation_key(pseudonym_secret: &[u8; 32], organisation_id: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(pseudonym_secret)
        .expect("HMAC takes a key of any length");
    mac.update(b"brobygger export pseudonyms for organisation ");
    mac.update(organisation_id.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Makes pseudonyms under one organisation's key.
#[derive(Clone)]
pub struct Pseudonymiser {
    keyed: Hmac<Sha256>,
}

impl Pseudonymiser {
    pub fn new(organisation_key: &[u8; 32]) -> Self {
        Self {
            keyed: <Hmac<Sha256> as Mac>::new_from_slice(organisation_key)
                .expect("HMAC takes a key of any length"),
        }
    }

    /// The citizen's pseudonym: the first 128 bits of HMAC-SHA-256(key, citizen id), as hex.
    pub fn pseudonym(&self, citizen_id: &str) -> String {
        let mut out = Vec::with_capacity(32);
        self.write_pseudonym(citizen_id, &mut out);
        out.into_iter().map(char::from).collect()
    }

    /// Appends the citizen's pseudonym (32 lowercase hex digits) to `out`.
    pub fn write_pseudonym(&self, citizen_id: &str, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut mac = self.keyed.clone();
        mac.update(citizen_id.as_bytes());
        let digest = mac.finalize().into_bytes();
        for byte in &digest[..16] {
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0x0f)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [7; 32];
    const CITIZEN: &str = "0192f0c4-0000-7000-8000-000000000001";

    #[test]
    fn a_pseudonym_is_stable_for_one_organisation_and_differs_for_another() {
        let one = Pseudonymiser::new(&organisation_key(&SECRET, "org-a"));
        let again = Pseudonymiser::new(&organisation_key(&SECRET, "org-a"));
        let other = Pseudonymiser::new(&organisation_key(&SECRET, "org-b"));
        assert_eq!(one.pseudonym(CITIZEN), again.pseudonym(CITIZEN));
        assert_ne!(one.pseudonym(CITIZEN), other.pseudonym(CITIZEN));
        assert_ne!(one.pseudonym(CITIZEN), one.pseudonym("another citizen"));
        assert_eq!(one.pseudonym(CITIZEN).len(), 32);
        assert!(
            one.pseudonym(CITIZEN)
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert!(!one.pseudonym(CITIZEN).contains(CITIZEN));
        let other_server = Pseudonymiser::new(&organisation_key(&[8; 32], "org-a"));
        assert_ne!(one.pseudonym(CITIZEN), other_server.pseudonym(CITIZEN));
    }

    #[test]
    fn a_pseudonym_is_the_hex_of_the_first_half_of_the_hmac() {
        // HMAC-SHA-256 computed independently (Python's hmac module).
        let keyed = Pseudonymiser::new(&organisation_key(&SECRET, "org-a"));
        assert_eq!(keyed.pseudonym(CITIZEN), "62ce1c2b4df340ca7c0fde5fd28f6c00");
        let mut out = b"x,".to_vec();
        keyed.write_pseudonym(CITIZEN, &mut out);
        assert_eq!(out, b"x,62ce1c2b4df340ca7c0fde5fd28f6c00");
    }

    #[test]
    fn an_evaluators_columns_hold_no_identifying_or_free_text() {
        let forbidden = [
            "name",
            "cpr",
            "email",
            "phone",
            "birth",
            "summary",
            "text",
            "purpose",
            "reason",
            "context",
            "note",
            "description",
            "citizen_id",
        ];
        for dataset in Dataset::ALL {
            let columns = dataset.columns_for(Audience::Pseudonymised);
            for column in &columns {
                assert!(
                    !forbidden.iter().any(|f| column.name.contains(f)),
                    "{}.{}",
                    dataset.as_str(),
                    column.name
                );
                assert_ne!(column.sensitivity, Sensitivity::FreeText);
            }
            let citizens = dataset.columns().iter().any(|c| c.name == "citizen_id");
            assert_eq!(
                columns.iter().any(|c| c.name == PSEUDONYM_COLUMN),
                citizens,
                "{}",
                dataset.as_str()
            );
        }
    }

    #[test]
    fn no_dataset_holds_a_name_cpr_contact_detail_or_birth_date_for_anyone() {
        for dataset in Dataset::ALL {
            for column in dataset.columns() {
                for never in ["cpr", "email", "phone", "birth"] {
                    assert!(!column.name.contains(never), "{}", column.name);
                }
                if column.name.contains("name") {
                    assert_eq!(column.sensitivity, Sensitivity::FreeText);
                }
            }
        }
    }

    #[test]
    fn datasets_parse_by_their_names_and_periods_are_ordered() {
        for dataset in Dataset::ALL {
            assert_eq!(Dataset::parse(dataset.as_str()), Some(dataset));
            assert_eq!(dataset.columns()[0].name, "id");
        }
        assert_eq!(Dataset::parse("citizens"), None);
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d);
        assert!(valid_period(day(1), day(1)));
        assert!(valid_period(None, day(1)));
        assert!(!valid_period(day(2), day(1)));
    }
}
