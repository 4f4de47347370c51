//! The facts the parts of a citizen's story share: who the citizen is, what a support course
//! that ran offers later facts, the generator's common context, and consents.

use super::draw::Gen;
use super::people::Staff;
use super::programmes::Organisations;
use crate::cpr_vault::CprVault;
use brobygger_domain::citizen::{ConsentMethod, ConsentPurpose};
use brobygger_domain::support_course::SupportStatus;
use brobygger_persistence::consent::ConsentRow;
use brobygger_persistence::ids::{
    CitizenId, ConsentId, PeerWorkerId, ProgrammeId, SupportCourseId, UserId,
};
use chrono::NaiveDate;

pub struct Context<'a> {
    pub orgs: &'a Organisations,
    pub programme_ids: &'a [ProgrammeId],
    pub staff: &'a [Staff],
    pub vault: &'a CprVault,
    /// The demo peer worker and its user, who records its own contacts.
    pub demo_peer: (PeerWorkerId, UserId),
}

/// The citizen in the making: who it is and where it lives.
pub struct Citizen {
    pub id: CitizenId,
    pub programme: usize,
    pub municipality: &'static str,
}

/// A support course that ran: the days contacts, goals and referrals can fall on.
pub struct Running {
    pub course: SupportCourseId,
    pub peer: PeerWorkerId,
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub pause: Option<(NaiveDate, NaiveDate)>,
    pub status: SupportStatus,
    pub recorder: UserId,
}

/// Records a consent given on `given_on`; returns its id.
pub fn consent(
    g: &mut Gen,
    citizen: CitizenId,
    purpose: ConsentPurpose,
    given_on: NaiveDate,
    by: UserId,
) -> ConsentId {
    let at = g.at(given_on);
    let id: ConsentId = g.id(at);
    let method = *g.pick(&[
        ConsentMethod::Written,
        ConsentMethod::Written,
        ConsentMethod::Digital,
        ConsentMethod::Oral,
    ]);
    g.batch.consents.push(ConsentRow {
        id,
        citizen_id: citizen,
        purpose,
        given_on,
        method,
        expires_on: None,
        recorded_by: by,
        withdrawn_on: None,
        withdrawn_by: None,
        version: 1,
        created_at: at,
        updated_at: at,
    });
    id
}
