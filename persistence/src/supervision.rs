//! Supervision sessions and who attended them.

use crate::ids::{PeerWorkerId, SupervisionSessionId, UserId};
use crate::peer_worker::PeerWorkerScope;
use crate::schema::{
    peer_worker_programmes, peer_workers, programme_partners, supervision_attendees,
    supervision_sessions,
};
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::supervision::SupervisionFormat;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = supervision_sessions, treat_none_as_null = true)]
pub struct SupervisionSessionRow {
    pub id: SupervisionSessionId,
    pub date: NaiveDate,
    pub supervisor_user_id: Option<UserId>,
    pub supervisor_peer_worker_id: Option<PeerWorkerId>,
    #[diesel(serialize_as = EnumText)]
    pub format: SupervisionFormat,
    pub topic: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters of `GET /supervision-sessions`, including the scope of the user asking.
#[derive(Debug, Clone, Default)]
pub struct SupervisionFilter {
    /// Only sessions attended or supervised by a peer worker in this scope, or supervised by
    /// this user (`None`: every session).
    pub scope: Option<(PeerWorkerScope, UserId)>,
    pub peer_worker_id: Option<PeerWorkerId>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
}

pub fn insert(
    conn: &mut DbConnection,
    row: &SupervisionSessionRow,
    peer_worker_ids: &[PeerWorkerId],
) -> QueryResult<()> {
    diesel::insert_into(supervision_sessions::table)
        .values(row.clone())
        .execute(conn)?;
    set_attendees(conn, row.id, peer_worker_ids)
}

pub fn set_attendees(
    conn: &mut DbConnection,
    id: SupervisionSessionId,
    peer_worker_ids: &[PeerWorkerId],
) -> QueryResult<()> {
    diesel::delete(
        supervision_attendees::table.filter(supervision_attendees::supervision_session_id.eq(id)),
    )
    .execute(conn)?;
    for peer in peer_worker_ids {
        diesel::insert_into(supervision_attendees::table)
            .values((
                supervision_attendees::supervision_session_id.eq(id),
                supervision_attendees::peer_worker_id.eq(peer),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(
    conn: &mut DbConnection,
    id: SupervisionSessionId,
) -> QueryResult<Option<SupervisionSessionRow>> {
    supervision_sessions::table
        .find(id)
        .select(SupervisionSessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(
    conn: &mut DbConnection,
    filter: &SupervisionFilter,
    page: &PageRequest,
) -> QueryResult<Vec<SupervisionSessionRow>> {
    let mut query = supervision_sessions::table
        .select(SupervisionSessionRow::as_select())
        .into_boxed();
    if let Some((peers, user)) = &filter.scope {
        // One subquery per scope: statements boxed for the multi-backend cannot be nested.
        macro_rules! visible_to {
            ($peers:expr) => {{
                let attended = supervision_attendees::table
                    .filter(
                        supervision_attendees::peer_worker_id
                            .eq_any($peers.select(peer_workers::id)),
                    )
                    .select(supervision_attendees::supervision_session_id);
                supervision_sessions::id
                    .eq_any(attended)
                    .or(supervision_sessions::supervisor_peer_worker_id
                        .eq_any($peers.select(peer_workers::id.nullable())))
                    .or(supervision_sessions::supervisor_user_id.eq(user.clone()))
            }};
        }
        query = match peers {
            PeerWorkerScope::All => query,
            // Only the sessions the user supervised.
            PeerWorkerScope::Nobody => {
                query.filter(supervision_sessions::supervisor_user_id.eq(*user))
            }
            PeerWorkerScope::User(linked) => query.filter(visible_to!(
                peer_workers::table.filter(peer_workers::user_id.eq(*linked))
            )),
            PeerWorkerScope::Organisation(org) => {
                let partner_programmes = programme_partners::table
                    .filter(programme_partners::organisation_id.eq(*org))
                    .select(programme_partners::programme_id);
                let in_partner_programmes = peer_worker_programmes::table
                    .filter(peer_worker_programmes::programme_id.eq_any(partner_programmes))
                    .select(peer_worker_programmes::peer_worker_id);
                query.filter(visible_to!(
                    peer_workers::table.filter(
                        peer_workers::organisation_id
                            .eq(*org)
                            .or(peer_workers::id.eq_any(in_partner_programmes)),
                    )
                ))
            }
        };
    }
    if let Some(peer) = &filter.peer_worker_id {
        query = query.filter(
            supervision_sessions::id.eq_any(
                supervision_attendees::table
                    .filter(supervision_attendees::peer_worker_id.eq(*peer))
                    .select(supervision_attendees::supervision_session_id),
            ),
        );
    }
    if let Some(from) = filter.date_from {
        query = query.filter(supervision_sessions::date.ge(from));
    }
    if let Some(to) = filter.date_to {
        query = query.filter(supervision_sessions::date.le(to));
    }
    paginate!(query, supervision_sessions, page).load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    row: &SupervisionSessionRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        supervision_sessions::table
            .filter(supervision_sessions::id.eq(row.id))
            .filter(supervision_sessions::version.eq(expected_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    Ok(changed == 1)
}

/// The attendees of several sessions, as (session id, peer worker id).
pub fn attendees_of(
    conn: &mut DbConnection,
    ids: &[SupervisionSessionId],
) -> QueryResult<Vec<(SupervisionSessionId, PeerWorkerId)>> {
    supervision_attendees::table
        .filter(supervision_attendees::supervision_session_id.eq_any(ids))
        .order((
            supervision_attendees::supervision_session_id,
            supervision_attendees::peer_worker_id,
        ))
        .select((
            supervision_attendees::supervision_session_id,
            supervision_attendees::peer_worker_id,
        ))
        .load(conn)
}

/// The date of each given peer worker's last supervision (attended) on or before `until`,
/// where there is one: one row per peer worker, however many sessions it attended.
pub fn last_supervision_dates(
    conn: &mut DbConnection,
    peer_worker_ids: &[PeerWorkerId],
    until: NaiveDate,
) -> QueryResult<Vec<(PeerWorkerId, Option<NaiveDate>)>> {
    supervision_attendees::table
        .inner_join(supervision_sessions::table)
        .filter(supervision_attendees::peer_worker_id.eq_any(peer_worker_ids))
        .filter(supervision_sessions::date.le(until))
        .group_by(supervision_attendees::peer_worker_id)
        .select((
            supervision_attendees::peer_worker_id,
            diesel::dsl::max(supervision_sessions::date),
        ))
        .load(conn)
}
