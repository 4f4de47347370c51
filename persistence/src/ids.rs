//! Typed ids: one newtype over `Uuid` per table, stored as hyphenated lowercase `TEXT` on both
//! backends. A stored value that does not parse is one deserialization error naming the type.

use crate::connection::MultiBackend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;
use std::io::Write;
use uuid::Uuid;

macro_rules! ids {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = Text)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            fn parse_stored(value: &str) -> deserialize::Result<Self> {
                Uuid::parse_str(value).map(Self).map_err(|_| {
                    format!("stored value {value:?} is not a {}", stringify!($name)).into()
                })
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(value).map(Self)
            }
        }

        impl ToSql<Text, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                write!(out, "{}", self.0.hyphenated())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $name {
            fn from_sql(bytes: <Pg as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Pg>>::from_sql(bytes)?;
                Self::parse_stored(&text)
            }
        }

        impl ToSql<Text, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.0.hyphenated().to_string());
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Sqlite> for $name {
            fn from_sql(bytes: <Sqlite as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, Sqlite>>::from_sql(bytes)?;
                Self::parse_stored(&text)
            }
        }

        impl ToSql<Text, MultiBackend> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, MultiBackend> for $name {
            fn from_sql(bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                bytes.from_sql::<Self, Text>()
            }
        }
    )+};
}

ids! {
    OrganisationId,
    UserId,
    ProgrammeId,
    PartnerId,
    TargetId,
    PeerWorkerId,
    QualificationId,
    TrainingCohortId,
    TrainerId,
    EnrolmentId,
    SupervisionSessionId,
    CitizenId,
    ConsentId,
    SupportCourseId,
    ReferralId,
    GoalId,
    ProgressId,
    ContactId,
    AuditEventId,
    StatusChangeId,
    SessionId,
    InvitationId,
    EmploymentStatusId,
    RetentionCheckId,
    LoginFailureId,
    CourseId,
    CourseTeacherId,
    CourseSessionId,
    CourseEnrolmentId,
    AttendanceId,
    AdvisoryProcessId,
    FindingId,
}
