//! The use cases of partnership invitations. A coordinator offers a programme's partnership to
//! an organisation of another tenant (`programme::service::create_partner`); a coordinator of
//! that organisation accepts it (it becomes a partner) or declines it (nothing is left), and
//! the inviting side may withdraw it the same way.

use super::dto::{InvitationFilters, PartnerInvitation};
use crate::access::{self, InvitationSide};
use crate::actor::Actor;
use crate::error::ApiError;
use crate::programme::dto::Partner;
use brobygger_persistence::DbConnection;
use brobygger_persistence::ids::{PartnerId, ProgrammeId};
use brobygger_persistence::partner_invitation::{self as store, InvitationRow};
use brobygger_persistence::programme::{self as programme_store, PartnerRow};
use std::collections::HashMap;
use uuid::Uuid;

fn with_names(
    conn: &mut DbConnection,
    rows: Vec<InvitationRow>,
) -> Result<Vec<PartnerInvitation>, ApiError> {
    let ids: Vec<ProgrammeId> = rows.iter().map(|r| r.programme_id).collect();
    let names: HashMap<ProgrammeId, String> = programme_store::find_many(conn, &ids)?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let name = names.get(&row.programme_id).cloned().unwrap_or_default();
            PartnerInvitation::from_row(row, name)
        })
        .collect())
}

/// The invitations addressed to the actor's organisation and those its programmes made.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &InvitationFilters,
) -> Result<Vec<PartnerInvitation>, ApiError> {
    let Some(organisation) = access::invitation_scope(actor) else {
        return Ok(Vec::new());
    };
    let programme = filters.programme_id.map(ProgrammeId::from);
    let rows = store::list(conn, organisation, programme)?;
    with_names(conn, rows)
}

pub fn read(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &Uuid,
) -> Result<PartnerInvitation, ApiError> {
    let (row, _) = access::partner_invitation(conn, actor, id)?;
    Ok(with_names(conn, vec![row])?.remove(0))
}

/// The invited organisation's coordinator accepts: the organisation becomes a partner.
pub fn accept(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<Partner, ApiError> {
    let (row, side) = access::partner_invitation(conn, actor, id)?;
    if side != InvitationSide::Invited {
        return Err(ApiError::Forbidden(
            "only a coordinator of the invited organisation accepts its partnership".to_owned(),
        ));
    }
    let partner = PartnerRow {
        id: PartnerId::new(),
        programme_id: row.programme_id,
        organisation_id: row.organisation_id,
        role: row.role,
        version: 1,
        created_at: actor.now,
        updated_at: actor.now,
    };
    store::delete(conn, row.id)?;
    programme_store::insert_partner(conn, &partner)?;
    Ok(Partner::from_row(partner))
}

/// Declined by the invited organisation, or withdrawn by the inviting side: nothing is left.
pub fn decline(conn: &mut DbConnection, actor: &Actor, id: &Uuid) -> Result<(), ApiError> {
    let (row, _) = access::partner_invitation(conn, actor, id)?;
    Ok(store::delete(conn, row.id)?)
}
