//! The domain's text enums as `TEXT` columns, mapped once here for the backend the queries run
//! on. Reading a stored value that is not one of the enum's names is one deserialization error
//! naming the type. Writing goes through `#[diesel(serialize_as = EnumText)]` on row fields
//! (the domain's `text_enum!` gives `From<E> for &'static str`) or `.eq(value.as_str())`.

use crate::connection::MultiBackend;
use brobygger_domain::workflow::TextEnum;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// What an enum field of an Insertable/AsChangeset row is written as:
/// `#[diesel(serialize_as = EnumText)]` (the attribute takes a type name, not `&'static str`).
pub type EnumText = &'static str;

macro_rules! text_columns {
    ($($path:path),+ $(,)?) => {$(
        impl ToSql<Text, MultiBackend> for $path {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                <str as ToSql<Text, MultiBackend>>::to_sql(self.as_str(), out)
            }
        }

        impl FromSql<Text, MultiBackend> for $path {
            fn from_sql(bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
                <$path as TextEnum>::parse(&text).ok_or_else(|| {
                    format!("stored value {text:?} is not a {}", stringify!($path)).into()
                })
            }
        }

        // What `#[derive(FromSqlRow)]` would give, so rows can hold the enum.
        impl diesel::Queryable<Text, MultiBackend> for $path {
            type Row = Self;

            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
    )+};
}

text_columns! {
    brobygger_domain::organisation::OrganisationKind,
    brobygger_domain::user::Role,
    brobygger_domain::support_course::SupportModel,
    brobygger_domain::support_course::SupportStatus,
    brobygger_domain::support_course::GoalDomain,
    brobygger_domain::support_course::GoalStatus,
    brobygger_domain::support_course::ContactMode,
    brobygger_domain::peer_worker::PeerWorkerStatus,
    brobygger_domain::peer_worker::Engagement,
    brobygger_domain::peer_worker::QualificationKind,
    brobygger_domain::peer_worker::EarnedVia,
    brobygger_domain::supervision::SupervisionFormat,
    brobygger_domain::programme::Phase,
    brobygger_domain::programme::Model,
    brobygger_domain::programme::PartnerRole,
    brobygger_domain::programme::Metric,
    brobygger_domain::citizen::ConsentPurpose,
    brobygger_domain::citizen::ConsentMethod,
    brobygger_domain::training_cohort::EnrolmentOutcome,
    brobygger_domain::employment::EmploymentKind,
    brobygger_domain::employment::RetentionOutcome,
    crate::idempotency::KeyState,
    brobygger_domain::referral::ReferralStatus,
    brobygger_domain::referral::TargetKind,
    brobygger_domain::course::CourseFormat,
    brobygger_domain::course::CoCreator,
    brobygger_domain::course::CourseStatus,
    brobygger_domain::course::TeacherRole,
    brobygger_domain::course::ParticipantType,
    brobygger_domain::course::EnrolmentStatus,
    brobygger_domain::course::AttendanceStatus,
    brobygger_domain::advisory::AdvisoryStatus,
    brobygger_domain::advisory::FindingKind,
    brobygger_domain::advisory::Theme,
}

#[cfg(test)]
mod tests {
    use crate::DbConnection;
    use crate::ids::CitizenId;
    use brobygger_domain::support_course::SupportStatus;
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    fn sqlite() -> DbConnection {
        DbConnection::Sqlite(SqliteConnection::establish(":memory:").expect("in-memory SQLite"))
    }

    #[test]
    fn ids_and_enums_go_through_text_and_back() {
        let mut conn = sqlite();
        let id = CitizenId::new();
        let back: CitizenId = diesel::select(id.into_sql::<Text>())
            .get_result(&mut conn)
            .expect("id");
        assert_eq!(back, id);
        let status: SupportStatus = diesel::select("matched".into_sql::<Text>())
            .get_result(&mut conn)
            .expect("status");
        assert_eq!(status, SupportStatus::Matched);
    }

    #[test]
    fn a_bad_stored_value_is_an_error_naming_the_type() {
        let mut conn = sqlite();
        let id = diesel::select("not-a-uuid".into_sql::<Text>()).get_result::<CitizenId>(&mut conn);
        assert!(format!("{:?}", id.expect_err("bad id")).contains("is not a CitizenId"));
        let status =
            diesel::select("lost".into_sql::<Text>()).get_result::<SupportStatus>(&mut conn);
        assert!(format!("{:?}", status.expect_err("bad status")).contains("SupportStatus"));
    }
}
