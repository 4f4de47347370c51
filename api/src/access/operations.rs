//! Who may call which operation: one row per operation of the contract (method and path
//! template as in `openapi.yaml`), one cell per role, and the scope an integration client
//! needs. `guard.rs` refuses a call the table does not allow before the handler runs; the
//! finer decisions (which organisation's data) are the resource functions' in this module.
//! The contract's security requirements are generated from it (`openapi.rs`), and
//! `tests/tests/api/role_matrix.rs` calls every operation as every role against it: an
//! operation without a row fails that test (and is refused at runtime).
//!
//! Cells, in the order of [`ROLES`]:
//! - `Y`: the role may call the operation (the resource functions still decide per row);
//! - `N`: the operation does not exist for the role: `404` when the path names a resource
//!   (`{id}`), `403` otherwise;
//! - `X`: `403` on every id: the role may never do this, and the answer is the same whether
//!   or not the resource exists (an integration client's write where it has no write scope);
//! - `F`: refused too, but only once the resource is found: `403` to a user who sees the
//!   resource, `404` to one who does not (it does not exist for them, and a data-independent
//!   `403` would contradict that). The guard lets these calls through to the resource function
//!   (`citizen`, `course`, …), whose level check refuses them; the role matrix test proves
//!   that every `F` cell is answered so.
//!
//! An integration client (`Y` in the last column) also needs the row's scope, if it has one.
//!
//! To add an operation: one line, e.g.
//! `row(GET, "/api/v1/programmes/{id}/report", [Y, Y, N, N, Y, Y], Some(ReportsRead)),`.

use crate::auth::scope::Scope::{self, *};
use crate::error::ApiError;
pub use brobygger_domain::user::Role;
use std::collections::HashMap;
use std::sync::LazyLock;

/// What a role may do with an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Allowed.
    Y,
    /// Refused: the operation does not exist for the role (`404` with an id, else `403`).
    N,
    /// Refused with `403`, whatever the id.
    X,
    /// Refused once the resource is found: `403` if the user sees it, else `404`.
    F,
}
use Cell::{F, N, X, Y};

/// The columns of the table.
pub const ROLES: [Role; 6] = [
    Role::Admin,
    Role::Coordinator,
    Role::PeerWorker,
    Role::Professional,
    Role::Evaluator,
    Role::Integration,
];

/// Who may call one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// No token needed (health, the contract, signing in, reference data).
    Public,
    /// A cell per role of [`ROLES`], and the scope an integration client needs (`None`: any
    /// client the role column allows).
    Roles([Cell; 6], Option<Scope>),
}

/// One operation of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub method: &'static str,
    /// The path template, as in the contract and as actix matches it.
    pub path: &'static str,
    pub rule: Rule,
}

const GET: &str = "GET";
const POST: &str = "POST";
const PATCH: &str = "PATCH";
const PUT: &str = "PUT";
const DELETE: &str = "DELETE";

const fn row(
    method: &'static str,
    path: &'static str,
    cells: [Cell; 6],
    scope: Option<Scope>,
) -> Operation {
    Operation {
        method,
        path,
        rule: Rule::Roles(cells, scope),
    }
}

const fn public(method: &'static str, path: &'static str) -> Operation {
    Operation {
        method,
        path,
        rule: Rule::Public,
    }
}

/// The table. Columns: admin, coordinator, peer_worker, professional, evaluator, integration.
#[rustfmt::skip]
pub static OPERATIONS: &[Operation] = &[
    public(GET,  "/health/live"),
    public(GET,  "/health/ready"),
    public(GET,  "/metrics"),
    public(GET,  "/problems/{code}"),
    public(GET,  "/api/v1/openapi.json"),
    public(GET,  "/api/v1/openapi.yaml"),
    public(POST, "/api/v1/auth/token"),
    public(POST, "/api/v1/auth/revoke"),
    public(GET,  "/api/v1/reference/municipalities"),
    public(GET,  "/api/v1/reference/regions"),
    //                                                         adm coo pee pro eva int
    row(GET,    "/api/v1/me",                                 [Y,  Y,  Y,  Y,  Y,  Y], None),
    row(GET,    "/api/v1/audit-events",                       [Y,  N,  N,  N,  N,  N], None),
    // Organisations: everyone sees its own; admins manage; coordinators look for partners.
    row(GET,    "/api/v1/organisations",                      [Y,  Y,  Y,  Y,  Y,  Y], None),
    row(POST,   "/api/v1/organisations",                      [Y,  N,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/organisations/{id}",                 [Y,  Y,  Y,  Y,  Y,  Y], None),
    row(PATCH,  "/api/v1/organisations/{id}",                 [Y,  F,  F,  F,  F,  X], None),
    row(GET,    "/api/v1/organisation-directory",             [Y,  Y,  N,  N,  N,  N], None),
    // Users: people see and change themselves; coordinators their organisation's.
    row(GET,    "/api/v1/users",                              [Y,  Y,  Y,  Y,  Y,  N], None),
    row(POST,   "/api/v1/users",                              [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/users/{id}",                         [Y,  Y,  Y,  Y,  Y,  N], None),
    row(PATCH,  "/api/v1/users/{id}",                         [Y,  Y,  Y,  Y,  Y,  N], None),
    // Citizens and their consents, rights and employment.
    row(GET,    "/api/v1/citizens",                           [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(POST,   "/api/v1/citizens",                           [Y,  Y,  N,  N,  N,  Y], Some(CitizensWrite)),
    row(POST,   "/api/v1/citizens/lookup",                    [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(GET,    "/api/v1/citizens/{id}",                      [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(PATCH,  "/api/v1/citizens/{id}",                      [Y,  Y,  F,  N,  N,  Y], Some(CitizensWrite)),
    row(POST,   "/api/v1/citizens/{id}/anonymise",            [Y,  Y,  F,  N,  N,  F], None),
    row(GET,    "/api/v1/citizens/{id}/data-export",          [Y,  Y,  F,  N,  N,  F], None),
    row(GET,    "/api/v1/citizens/{id}/consents",             [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(POST,   "/api/v1/citizens/{id}/consents",             [Y,  Y,  F,  N,  N,  Y], Some(CitizensWrite)),
    row(POST,   "/api/v1/citizens/{id}/consents/{cid}/withdraw", [Y,  Y,  F,  N,  N,  Y], Some(CitizensWrite)),
    row(GET,    "/api/v1/citizens/{id}/employment-statuses",  [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(POST,   "/api/v1/citizens/{id}/employment-statuses",  [Y,  Y,  Y,  N,  N,  Y], Some(CitizensWrite)),
    row(GET,    "/api/v1/citizens/{id}/employment-statuses/{sid}", [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(GET,    "/api/v1/retention-checks",                   [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(GET,    "/api/v1/retention-checks/{id}",              [Y,  Y,  Y,  N,  N,  Y], Some(CitizensRead)),
    row(PATCH,  "/api/v1/retention-checks/{id}",              [Y,  Y,  Y,  N,  N,  Y], Some(CitizensWrite)),
    // Support courses: coordinators manage, the guiding peer worker logs goals and contacts.
    row(GET,    "/api/v1/support-courses",                    [Y,  Y,  Y,  N,  N,  Y], Some(SupportCoursesRead)),
    row(POST,   "/api/v1/support-courses",                    [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/support-courses/{id}",               [Y,  Y,  Y,  N,  N,  Y], Some(SupportCoursesRead)),
    row(PATCH,  "/api/v1/support-courses/{id}",               [Y,  Y,  F,  N,  N,  X], None),
    row(POST,   "/api/v1/support-courses/{id}/transitions",   [Y,  Y,  F,  N,  N,  X], None),
    row(GET,    "/api/v1/support-courses/{id}/candidates",    [Y,  Y,  F,  N,  N,  F], None),
    row(GET,    "/api/v1/support-courses/{id}/goals",         [Y,  Y,  Y,  N,  N,  Y], Some(SupportCoursesRead)),
    row(POST,   "/api/v1/support-courses/{id}/goals",         [Y,  Y,  Y,  N,  N,  X], None),
    row(PATCH,  "/api/v1/support-courses/{id}/goals/{gid}",   [Y,  Y,  Y,  N,  N,  X], None),
    row(POST,   "/api/v1/support-courses/{id}/goals/{gid}/progress", [Y,  Y,  Y,  N,  N,  X], None),
    row(GET,    "/api/v1/support-courses/{id}/contacts",      [Y,  Y,  Y,  N,  N,  Y], Some(SupportCoursesRead)),
    row(POST,   "/api/v1/support-courses/{id}/contacts",      [Y,  Y,  Y,  N,  N,  X], None),
    // Referrals: the sending side proposes, the recipient's professionals move them.
    row(GET,    "/api/v1/referrals",                          [Y,  Y,  Y,  Y,  N,  Y], Some(ReferralsRead)),
    row(POST,   "/api/v1/referrals",                          [Y,  Y,  Y,  N,  N,  N], None),
    row(GET,    "/api/v1/referrals/{id}",                     [Y,  Y,  Y,  Y,  N,  Y], Some(ReferralsRead)),
    row(POST,   "/api/v1/referrals/{id}/transitions",         [Y,  Y,  Y,  Y,  N,  X], None),
    // Courses of the teaching model: a peer worker sees those it teaches, records attendance.
    row(GET,    "/api/v1/courses",                            [Y,  Y,  Y,  N,  N,  Y], Some(CoursesRead)),
    row(POST,   "/api/v1/courses",                            [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/courses/{id}",                       [Y,  Y,  Y,  N,  N,  Y], Some(CoursesRead)),
    row(PATCH,  "/api/v1/courses/{id}",                       [Y,  Y,  F,  N,  N,  X], None),
    row(POST,   "/api/v1/courses/{id}/transitions",           [Y,  Y,  F,  N,  N,  X], None),
    row(GET,    "/api/v1/courses/{id}/enrolments",            [Y,  Y,  Y,  N,  N,  Y], Some(CoursesRead)),
    row(POST,   "/api/v1/courses/{id}/enrolments",            [Y,  Y,  F,  N,  N,  X], None),
    row(DELETE, "/api/v1/courses/{id}/enrolments/{enrolment_id}", [Y,  Y,  F,  N,  N,  X], None),
    row(GET,    "/api/v1/courses/{id}/sessions",              [Y,  Y,  Y,  N,  N,  Y], Some(CoursesRead)),
    row(POST,   "/api/v1/courses/{id}/sessions",              [Y,  Y,  F,  N,  N,  X], None),
    row(PUT,    "/api/v1/courses/{id}/sessions/{session_id}/attendance", [Y,  Y,  Y,  N,  N,  X], None),
    row(GET,    "/api/v1/courses/{id}/teachers",              [Y,  Y,  Y,  N,  N,  Y], Some(CoursesRead)),
    row(POST,   "/api/v1/courses/{id}/teachers",              [Y,  Y,  F,  N,  N,  X], None),
    row(DELETE, "/api/v1/courses/{id}/teachers/{teacher_id}", [Y,  Y,  F,  N,  N,  X], None),
    // Programmes: coordinators of partners manage; evaluators find their programmes (for
    // reports and exports); peer workers and professionals see none.
    row(GET,    "/api/v1/programmes",                         [Y,  Y,  N,  N,  Y,  Y], Some(ProgrammesRead)),
    row(POST,   "/api/v1/programmes",                         [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/programmes/{id}",                    [Y,  Y,  N,  N,  Y,  Y], Some(ProgrammesRead)),
    row(PATCH,  "/api/v1/programmes/{id}",                    [Y,  Y,  N,  N,  X,  X], None),
    // Reports of a programme: aggregates only, for its partners' coordinators and evaluators.
    row(GET,    "/api/v1/programmes/{id}/report",             [Y,  Y,  N,  N,  Y,  Y], Some(ReportsRead)),
    row(GET,    "/api/v1/programmes/{id}/experience-summary", [Y,  Y,  N,  N,  Y,  Y], Some(ReportsRead)),
    // Exports: identified for admins and coordinators, pseudonymised for evaluators and
    // integration clients; the workforce and professionals have none.
    row(GET,    "/api/v1/exports/{dataset}",                  [Y,  Y,  X,  X,  Y,  Y], Some(ExportsRead)),
    // Advisory processes: the programme's coordinators; evaluators read the summary only.
    row(GET,    "/api/v1/advisory-processes",                 [Y,  Y,  N,  N,  N,  Y], Some(ProgrammesRead)),
    row(POST,   "/api/v1/advisory-processes",                 [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/advisory-processes/{id}",            [Y,  Y,  N,  N,  N,  Y], Some(ProgrammesRead)),
    row(PATCH,  "/api/v1/advisory-processes/{id}",            [Y,  Y,  N,  N,  N,  X], None),
    row(POST,   "/api/v1/advisory-processes/{id}/transitions",[Y,  Y,  N,  N,  N,  X], None),
    row(GET,    "/api/v1/advisory-processes/{id}/findings",   [Y,  Y,  N,  N,  N,  Y], Some(ProgrammesRead)),
    row(POST,   "/api/v1/advisory-processes/{id}/findings",   [Y,  Y,  N,  N,  N,  X], None),
    row(POST,   "/api/v1/programmes/{id}/transitions",        [Y,  Y,  N,  N,  X,  X], None),
    row(GET,    "/api/v1/programmes/{id}/partners",           [Y,  Y,  N,  N,  N,  Y], Some(ProgrammesRead)),
    row(POST,   "/api/v1/programmes/{id}/partners",           [Y,  Y,  N,  N,  X,  X], None),
    row(PATCH,  "/api/v1/programmes/{id}/partners/{partner_id}", [Y,  Y,  N,  N,  X,  X], None),
    row(GET,    "/api/v1/programmes/{id}/targets",            [Y,  Y,  N,  N,  N,  Y], Some(ProgrammesRead)),
    row(POST,   "/api/v1/programmes/{id}/targets",            [Y,  Y,  N,  N,  X,  X], None),
    row(PATCH,  "/api/v1/programmes/{id}/targets/{target_id}", [Y,  Y,  N,  N,  X,  X], None),
    row(GET,    "/api/v1/partner-invitations",                [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/partner-invitations/{id}",           [Y,  Y,  N,  N,  N,  N], None),
    row(POST,   "/api/v1/partner-invitations/{id}/accept",    [Y,  Y,  N,  N,  N,  N], None),
    row(POST,   "/api/v1/partner-invitations/{id}/decline",   [Y,  Y,  N,  N,  N,  N], None),
    // The peer workforce: a peer worker sees itself; professionals and evaluators none.
    row(GET,    "/api/v1/peer-workers",                       [Y,  Y,  Y,  N,  N,  Y], Some(WorkforceRead)),
    row(POST,   "/api/v1/peer-workers",                       [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/peer-workers/{id}",                  [Y,  Y,  Y,  N,  N,  Y], Some(WorkforceRead)),
    row(PATCH,  "/api/v1/peer-workers/{id}",                  [Y,  Y,  F,  N,  N,  X], None),
    row(POST,   "/api/v1/peer-workers/{id}/transitions",      [Y,  Y,  F,  N,  N,  X], None),
    row(GET,    "/api/v1/peer-workers/{id}/qualifications",   [Y,  Y,  Y,  N,  N,  Y], Some(WorkforceRead)),
    row(POST,   "/api/v1/peer-workers/{id}/qualifications",   [Y,  Y,  F,  N,  N,  X], None),
    row(GET,    "/api/v1/training-cohorts",                   [Y,  Y,  N,  N,  N,  Y], Some(WorkforceRead)),
    row(POST,   "/api/v1/training-cohorts",                   [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/training-cohorts/{id}",              [Y,  Y,  N,  N,  N,  Y], Some(WorkforceRead)),
    row(PATCH,  "/api/v1/training-cohorts/{id}",              [Y,  Y,  N,  N,  N,  X], None),
    row(GET,    "/api/v1/training-cohorts/{id}/enrolments",   [Y,  Y,  N,  N,  N,  Y], Some(WorkforceRead)),
    row(POST,   "/api/v1/training-cohorts/{id}/enrolments",   [Y,  Y,  N,  N,  N,  X], None),
    row(PATCH,  "/api/v1/training-cohorts/{id}/enrolments/{enrolment_id}", [Y,  Y,  N,  N,  N,  X], None),
    row(GET,    "/api/v1/training-cohorts/{id}/trainers",     [Y,  Y,  N,  N,  N,  Y], Some(WorkforceRead)),
    row(POST,   "/api/v1/training-cohorts/{id}/trainers",     [Y,  Y,  N,  N,  N,  X], None),
    // Supervision: also the professional who supervised a session reads it.
    row(GET,    "/api/v1/supervision-sessions",               [Y,  Y,  Y,  Y,  N,  Y], Some(WorkforceRead)),
    row(POST,   "/api/v1/supervision-sessions",               [Y,  Y,  N,  N,  N,  N], None),
    row(GET,    "/api/v1/supervision-sessions/{id}",          [Y,  Y,  Y,  Y,  N,  Y], Some(WorkforceRead)),
    row(PATCH,  "/api/v1/supervision-sessions/{id}",          [Y,  Y,  F,  F,  N,  X], None),
];

static INDEX: LazyLock<HashMap<(&'static str, &'static str), &'static Operation>> =
    LazyLock::new(|| OPERATIONS.iter().map(|o| ((o.method, o.path), o)).collect());

/// The row of `method` on the path template `path`, if the table has one.
pub fn find(method: &str, path: &str) -> Option<&'static Operation> {
    INDEX.get(&(method, path)).copied()
}

fn column(role: Role) -> usize {
    ROLES.iter().position(|r| *r == role).unwrap_or(0)
}

impl Operation {
    /// Whether the operation needs a token at all.
    pub fn is_public(&self) -> bool {
        self.rule == Rule::Public
    }

    /// The cell of `role`.
    pub fn cell(&self, role: Role) -> Cell {
        match self.rule {
            Rule::Public => Y,
            Rule::Roles(cells, _) => cells[column(role)],
        }
    }

    /// The scope an integration client needs.
    pub fn scope(&self) -> Option<Scope> {
        match self.rule {
            Rule::Public => None,
            Rule::Roles(_, scope) => scope,
        }
    }

    /// The refusal of a role whose cell is `N` or `X`.
    fn refusal(&self, cell: Cell, role: Role) -> ApiError {
        if cell == N && self.path.contains('{') {
            return ApiError::NotFound;
        }
        ApiError::Forbidden(format!("a user of role {} may not do this", role.as_str()))
    }

    /// `Ok` when a user of `role` holding `scopes` may call the operation; the refusal
    /// otherwise.
    pub fn allows(&self, role: Role, scopes: &[Scope]) -> Result<(), ApiError> {
        let cell = self.cell(role);
        match cell {
            // `F`: the resource function refuses, once it knows whether the user sees it.
            Y | F => {}
            N | X => return Err(self.refusal(cell, role)),
        }
        match self.scope() {
            Some(needed) if role == Role::Integration && !scopes.contains(&needed) => {
                Err(ApiError::InsufficientScope(needed.as_str()))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_once_and_consistent() {
        assert_eq!(INDEX.len(), OPERATIONS.len(), "an operation has two rows");
        for operation in OPERATIONS {
            if let Rule::Roles(cells, scope) = operation.rule {
                assert_eq!(cells[0], Y, "admins may do everything: {}", operation.path);
                if cells[5] != Y {
                    assert_eq!(
                        scope, None,
                        "{} names a scope no client may use",
                        operation.path
                    );
                }
                if cells.contains(&F) || cells.contains(&X) {
                    assert!(
                        operation.path.contains('{'),
                        "F or X without a resource: {}",
                        operation.path
                    );
                }
            }
        }
    }
}
