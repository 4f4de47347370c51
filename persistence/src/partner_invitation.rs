//! Partnerships offered to an organisation of another tenant, until it accepts or declines.
//! An invitation grants nothing: the scopes read `programme_partners` only.

use crate::DbConnection;
use crate::ids::{InvitationId, OrganisationId, ProgrammeId, UserId};
use crate::schema::{partner_invitations, programme_partners};
use crate::text::EnumText;
use brobygger_domain::programme::PartnerRole;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = partner_invitations)]
pub struct InvitationRow {
    pub id: InvitationId,
    pub programme_id: ProgrammeId,
    pub organisation_id: OrganisationId,
    #[diesel(serialize_as = EnumText)]
    pub role: PartnerRole,
    pub invited_by: UserId,
    pub inviting_organisation_id: OrganisationId,
    pub created_at: NaiveDateTime,
}

/// Most invitations a list returns (a programme has a handful of partners).
pub const LIST_LIMIT: i64 = 200;

pub fn insert(conn: &mut DbConnection, row: &InvitationRow) -> QueryResult<()> {
    diesel::insert_into(partner_invitations::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: InvitationId) -> QueryResult<Option<InvitationRow>> {
    partner_invitations::table
        .find(id)
        .select(InvitationRow::as_select())
        .first(conn)
        .optional()
}

/// Whether `organisation` is already invited to `programme`.
pub fn exists(
    conn: &mut DbConnection,
    programme: ProgrammeId,
    organisation: OrganisationId,
) -> QueryResult<bool> {
    partner_invitations::table
        .filter(partner_invitations::programme_id.eq(programme))
        .filter(partner_invitations::organisation_id.eq(organisation))
        .select(partner_invitations::id)
        .first::<InvitationId>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// The invitations addressed to `organisation` or made by the programmes it is a partner of;
/// all when `organisation` is `None`. Oldest first.
pub fn list(
    conn: &mut DbConnection,
    organisation: Option<OrganisationId>,
    programme: Option<ProgrammeId>,
) -> QueryResult<Vec<InvitationRow>> {
    let mut query = partner_invitations::table
        .select(InvitationRow::as_select())
        .order(partner_invitations::id.asc())
        .limit(LIST_LIMIT)
        .into_boxed();
    if let Some(organisation) = organisation {
        let partner_of = programme_partners::table
            .filter(programme_partners::organisation_id.eq(organisation))
            .select(programme_partners::programme_id);
        query = query.filter(
            partner_invitations::organisation_id
                .eq(organisation)
                .or(partner_invitations::programme_id.eq_any(partner_of)),
        );
    }
    if let Some(programme) = programme {
        query = query.filter(partner_invitations::programme_id.eq(programme));
    }
    query.load(conn)
}

pub fn delete(conn: &mut DbConnection, id: InvitationId) -> QueryResult<()> {
    diesel::delete(partner_invitations::table.find(id))
        .execute(conn)
        .map(drop)
}
