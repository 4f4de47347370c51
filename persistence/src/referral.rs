//! Referrals (brobygning): bridges from a support course to a target organisation. Their
//! status history lives in `status_history` (resource type `referral`).

use crate::ids::{CitizenId, ConsentId, OrganisationId, ReferralId, SupportCourseId, UserId};
use crate::schema::{programme_partners, referrals, status_history, support_courses};
use crate::support_course::CourseScope;
use crate::text::EnumText;
use crate::{DbConnection, PageRequest, paginate};
use brobygger_domain::referral::{ReferralStatus, TargetKind};
use brobygger_domain::workflow::TextEnum;
use chrono::NaiveDateTime;
use diesel::dsl::AsSelect;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::Bool;

/// The open statuses, as the domain defines them.
const OPEN: [&str; 4] = ReferralStatus::OPEN;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: ReferralId,
    pub support_course_id: SupportCourseId,
    pub citizen_id: CitizenId,
    pub target_organisation_id: OrganisationId,
    #[diesel(serialize_as = EnumText)]
    pub target_kind: TargetKind,
    /// The organisation the referral is sent from (shown to the recipient).
    pub sending_organisation_id: OrganisationId,
    pub purpose: String,
    pub requested_by_citizen: bool,
    pub consent_id: ConsentId,
    /// Whether the citizen agreed to share its phone number with the recipient.
    pub share_phone: bool,
    /// Whether the citizen agreed to share its email address with the recipient.
    pub share_email: bool,
    #[diesel(serialize_as = EnumText)]
    pub status: ReferralStatus,
    pub sent_at: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub accepted_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_by: UserId,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which referrals a user sees: those sent from the support courses of its sender scope, and
/// those addressed to its organisation as a recipient (never drafts, never withdrawn).
#[derive(Debug, Clone)]
pub struct ReferralScope {
    pub sender: CourseScope,
    /// The organisation whose inbox the user reads, if it is on a recipient's side.
    pub recipient: Option<OrganisationId>,
}

/// Filters of `GET /referrals`.
#[derive(Debug, Clone, Default)]
pub struct ReferralFilter {
    pub status: Option<ReferralStatus>,
    pub support_course_id: Option<SupportCourseId>,
    pub citizen_id: Option<CitizenId>,
    pub target_organisation_id: Option<OrganisationId>,
    /// Only referrals sent and not yet acknowledged (status `sent`).
    pub unacknowledged: bool,
    /// Only referrals sent before this instant and not yet acknowledged (status `sent`).
    pub sent_before: Option<NaiveDateTime>,
}

type Backend = <DbConnection as Connection>::Backend;
type Condition<'a> = Box<dyn BoxableExpression<referrals::table, Backend, SqlType = Bool> + 'a>;

/// The sender side's condition: the referral's course is in `scope`; `None` for no courses.
/// Subqueries stay unboxed: a statement boxed for the multi-backend cannot be nested.
fn sender_condition<'a>(scope: &CourseScope) -> Option<Condition<'a>> {
    match scope {
        CourseScope::All => Some(Box::new(referrals::id.is_not_null())),
        CourseScope::PartnerOf(organisation) => Some(Box::new(
            referrals::support_course_id.eq_any(
                support_courses::table
                    .filter(
                        support_courses::programme_id.eq_any(
                            programme_partners::table
                                .filter(programme_partners::organisation_id.eq(*organisation))
                                .select(programme_partners::programme_id),
                        ),
                    )
                    .select(support_courses::id),
            ),
        )),
        CourseScope::PeerWorker(peer) => Some(Box::new(
            referrals::support_course_id.eq_any(
                support_courses::table
                    .filter(support_courses::peer_worker_id.eq(*peer))
                    .select(support_courses::id),
            ),
        )),
        CourseScope::None => None,
    }
}

/// The recipient side's condition: addressed to `organisation`, sent (never a draft, nor a
/// draft cancelled), consent not withdrawn — as `ReferralStatus::visible_to_recipient`.
fn recipient_condition<'a>(organisation: OrganisationId) -> Condition<'a> {
    let withdrawn = ReferralStatus::ConsentWithdrawn.as_str();
    Box::new(
        referrals::target_organisation_id
            .eq(organisation)
            .and(referrals::sent_at.is_not_null())
            .and(referrals::status.ne(withdrawn)),
    )
}

fn scoped<'a>(scope: &ReferralScope) -> Option<referrals::BoxedQuery<'a, Backend>> {
    let query = referrals::table.into_boxed();
    let sender = sender_condition(&scope.sender);
    let recipient = scope.recipient.map(recipient_condition);
    Some(match (sender, recipient) {
        (Some(sender), Some(recipient)) => query.filter(sender.or(recipient)),
        (Some(sender), None) => query.filter(sender),
        (None, Some(recipient)) => query.filter(recipient),
        (None, None) => return None,
    })
}

fn select() -> AsSelect<ReferralRow, Backend> {
    ReferralRow::as_select()
}

pub fn insert(conn: &mut DbConnection, row: &ReferralRow) -> QueryResult<()> {
    diesel::insert_into(referrals::table)
        .values(row.clone())
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut DbConnection, id: ReferralId) -> QueryResult<Option<ReferralRow>> {
    referrals::table
        .filter(referrals::id.eq(id))
        .select(select())
        .first(conn)
        .optional()
}

/// Stores a move (status, timestamps and the consent rechecked on sending) if the referral is still at `expected_version`.
pub fn update(
    conn: &mut DbConnection,
    row: &ReferralRow,
    expected_version: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        referrals::table
            .filter(referrals::id.eq(row.id))
            .filter(referrals::version.eq(expected_version)),
    )
    .set((
        referrals::status.eq(row.status.as_str()),
        referrals::consent_id.eq(row.consent_id),
        referrals::sent_at.eq(row.sent_at),
        referrals::acknowledged_at.eq(row.acknowledged_at),
        referrals::accepted_at.eq(row.accepted_at),
        referrals::closed_at.eq(row.closed_at),
        referrals::version.eq(row.version),
        referrals::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// A page of the referrals in `scope` matching `filter`, by id.
pub fn list(
    conn: &mut DbConnection,
    scope: &ReferralScope,
    filter: &ReferralFilter,
    page: &PageRequest,
) -> QueryResult<Vec<ReferralRow>> {
    let Some(mut query) = scoped(scope) else {
        return Ok(Vec::new());
    };
    if let Some(v) = filter.status {
        query = query.filter(referrals::status.eq(v.as_str()));
    }
    if let Some(v) = &filter.support_course_id {
        query = query.filter(referrals::support_course_id.eq(*v));
    }
    if let Some(v) = &filter.citizen_id {
        query = query.filter(referrals::citizen_id.eq(*v));
    }
    if let Some(v) = &filter.target_organisation_id {
        query = query.filter(referrals::target_organisation_id.eq(*v));
    }
    if filter.unacknowledged || filter.sent_before.is_some() {
        query = query.filter(referrals::status.eq(ReferralStatus::Sent.as_str()));
    }
    if let Some(before) = filter.sent_before {
        query = query.filter(referrals::sent_at.lt(before));
    }
    paginate!(query.select(select()), referrals, page).load(conn)
}

/// Of `ids`, those whose course is in the sender scope `scope` (one query).
pub fn sent_from(
    conn: &mut DbConnection,
    scope: &CourseScope,
    ids: &[ReferralId],
) -> QueryResult<Vec<ReferralId>> {
    let Some(sender) = sender_condition(scope) else {
        return Ok(Vec::new());
    };
    referrals::table
        .into_boxed()
        .filter(sender)
        .filter(referrals::id.eq_any(ids.to_vec()))
        .select(referrals::id)
        .load(conn)
}

/// The open referrals made under consent `consent_id`, oldest first.
pub fn open_under_consent(
    conn: &mut DbConnection,
    consent_id: ConsentId,
) -> QueryResult<Vec<ReferralRow>> {
    referrals::table
        .filter(referrals::consent_id.eq(consent_id))
        .filter(referrals::status.eq_any(OPEN))
        .order(referrals::id.asc())
        .select(select())
        .load(conn)
}

/// Every referral of a citizen, oldest first.
pub fn of_citizen(conn: &mut DbConnection, citizen_id: CitizenId) -> QueryResult<Vec<ReferralRow>> {
    referrals::table
        .filter(referrals::citizen_id.eq(citizen_id))
        .order(referrals::id.asc())
        .select(select())
        .load(conn)
}

/// Replaces the free text of a citizen's referrals — the purpose and the reasons in their
/// history — with `erased` (on anonymisation); the rows stay, so counts still add up.
pub fn erase_free_text(
    conn: &mut DbConnection,
    citizen_id: CitizenId,
    erased: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let ids: Vec<String> = referrals::table
        .filter(referrals::citizen_id.eq(citizen_id))
        .select(referrals::id)
        .load::<ReferralId>(conn)?
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    diesel::update(referrals::table.filter(referrals::citizen_id.eq(citizen_id)))
        .set((referrals::purpose.eq(erased), referrals::updated_at.eq(now)))
        .execute(conn)?;
    diesel::update(
        status_history::table
            .filter(status_history::resource_type.eq("referral"))
            .filter(status_history::resource_id.eq_any(&ids))
            .filter(status_history::reason.is_not_null()),
    )
    .set(status_history::reason.eq(erased))
    .execute(conn)?;
    Ok(())
}
