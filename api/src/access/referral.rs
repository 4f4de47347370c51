//! Referrals: the sending side as their support course (admins read); the recipient's side,
//! professionals and coordinators of the target organisation, once sent and while the consent
//! holds.

use super::citizen::{support_course, support_course_scope};
use super::level::Access;
use crate::auth::CurrentUser;
use crate::error::ApiError;
use brobygger_domain::referral::Side;
use brobygger_domain::user::Role;
use brobygger_persistence::DbConnection;
use brobygger_persistence::ids::ReferralId;
use brobygger_persistence::referral::{self as referral_store, ReferralRow, ReferralScope};
use brobygger_persistence::support_course::SupportCourseRow;
use uuid::Uuid;

/// The sides of a referral a user is on: the sending side's access (its course's, admins
/// read) and whether it is on the recipient's side (see the module's notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralSides {
    pub sender: Access,
    pub recipient: bool,
}

impl ReferralSides {
    /// The side the user moves a referral on when the move needs `needed`; `403` for readers.
    pub fn acting(self, needed: Option<Side>) -> Result<Side, ApiError> {
        let sends = self.sender >= Access::Guide;
        match (self.recipient, sends) {
            (true, false) => Ok(Side::Recipient),
            (true, true) if needed == Some(Side::Recipient) => Ok(Side::Recipient),
            (_, true) => Ok(Side::Sender),
            (false, false) => Err(ApiError::Forbidden(ONLY_REFERRAL_SIDES.to_owned())),
        }
    }
}

const ONLY_REFERRAL_SIDES: &str = "only the sending side's peer worker and coordinators, and the recipient's professionals and coordinators, move referrals";

/// The sending side's access to referrals of course `course_id`; `None` if it is unseen.
pub fn referral_sender(
    conn: &mut DbConnection,
    user: &CurrentUser,
    course_id: &Uuid,
) -> Result<Option<(SupportCourseRow, Access)>, ApiError> {
    match support_course(conn, user, course_id) {
        Ok((row, _)) if user.is_admin() => Ok(Some((row, Access::Read))),
        Ok(found) => Ok(Some(found)),
        Err(ApiError::NotFound) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The referrals `user` lists: those of the courses it sees, and those it receives.
pub fn referral_scope(
    conn: &mut DbConnection,
    user: &CurrentUser,
) -> Result<ReferralScope, ApiError> {
    let recipient = receives(user).then_some(user.organisation_id);
    let sender = support_course_scope(conn, user)?;
    Ok(ReferralScope { sender, recipient })
}

/// Roles on a recipient's side of the referrals addressed to their organisation.
fn receives(user: &CurrentUser) -> bool {
    matches!(user.role, Role::Professional | Role::Coordinator)
}

/// Referral `id` if `user` is on one of its sides (else `404`), with the sides it is on.
pub fn referral(
    conn: &mut DbConnection,
    user: &CurrentUser,
    id: &Uuid,
) -> Result<(ReferralRow, ReferralSides), ApiError> {
    let row = referral_store::find(conn, ReferralId::from(*id))?.ok_or(ApiError::NotFound)?;
    let course = referral_sender(conn, user, row.support_course_id.as_uuid())?;
    let sides = ReferralSides {
        sender: course.map_or(Access::None, |(_, access)| access),
        recipient: receives(user)
            && row.target_organisation_id == user.organisation_id
            && row.status.visible_to_recipient(row.sent_at.is_some()),
    };
    if sides.sender == Access::None && !sides.recipient {
        return Err(ApiError::NotFound);
    }
    Ok((row, sides))
}
