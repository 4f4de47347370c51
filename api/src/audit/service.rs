//! The use case of the audit log: reading it (admins). Recording is the [`Auditor`]'s.
//!
//! [`Auditor`]: crate::actor::Auditor

use super::dto::{AuditEvent, AuditFilters};
use crate::access;
use crate::actor::Actor;
use crate::error::ApiError;
use crate::http::Page;
use brobygger_domain::FieldErrors;
use brobygger_persistence::audit::{self as store, AuditFilter};
use brobygger_persistence::ids::CitizenId;
use brobygger_persistence::{DbConnection, PageRequest};
use chrono::{DateTime, NaiveDateTime, Utc};

fn instant(field: &str, value: Option<&str>, errors: &mut FieldErrors) -> Option<NaiveDateTime> {
    let value = value?;
    let parsed = DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|at| at.with_timezone(&Utc).naive_utc());
    if parsed.is_none() {
        errors.push(field, "invalid_format", "must be an RFC 3339 instant");
    }
    parsed
}

/// A page of the audit log, oldest first.
pub fn list(
    conn: &mut DbConnection,
    actor: &Actor,
    filters: &AuditFilters,
    page: &PageRequest,
) -> Result<Page<AuditEvent>, ApiError> {
    access::read_audit_log(actor)?;
    let mut errors = FieldErrors::new();
    let from = instant("from", filters.from.as_deref(), &mut errors);
    let to = instant("to", filters.to.as_deref(), &mut errors);
    errors.into_result(|| ())?;
    let filter = AuditFilter {
        citizen_id: filters.citizen_id.map(CitizenId::from),
        user_id: filters.user_id.map(|u| u.to_string()),
        from: from.max(page.updated_since),
        to,
        after: page.after.clone(),
        limit: page.limit,
    };
    let rows = store::list(conn, &filter)?;
    Page::from_rows(rows, page, |r| &r.id, AuditEvent::from_row)
}
