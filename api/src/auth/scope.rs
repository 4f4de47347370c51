//! The OAuth 2.0 scopes of integration clients: what a machine client of a municipal system may
//! do, granted when the client is created and carried by its access tokens (`scope`). People
//! have no scopes: their role decides. Each operation names the one scope it needs in the
//! operations table (`access::operations`), and the contract lists them from there.

use crate::error::ApiError;
use std::fmt;

/// One scope. Reads and writes are separate; a write scope exists only where integrations
/// write at all (citizens, their consents and employment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    CitizensRead,
    CitizensWrite,
    SupportCoursesRead,
    CoursesRead,
    ReferralsRead,
    ProgrammesRead,
    WorkforceRead,
    ReportsRead,
    ExportsRead,
}

impl Scope {
    pub const ALL: [Scope; 9] = [
        Scope::CitizensRead,
        Scope::CitizensWrite,
        Scope::SupportCoursesRead,
        Scope::CoursesRead,
        Scope::ReferralsRead,
        Scope::ProgrammesRead,
        Scope::WorkforceRead,
        Scope::ReportsRead,
        Scope::ExportsRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CitizensRead => "citizens:read",
            Scope::CitizensWrite => "citizens:write",
            Scope::SupportCoursesRead => "support_courses:read",
            Scope::CoursesRead => "courses:read",
            Scope::ReferralsRead => "referrals:read",
            Scope::ProgrammesRead => "programmes:read",
            Scope::WorkforceRead => "workforce:read",
            Scope::ReportsRead => "reports:read",
            Scope::ExportsRead => "exports:read",
        }
    }

    /// What the scope allows, for the contract.
    pub fn description(self) -> &'static str {
        match self {
            Scope::CitizensRead => {
                "Read citizens, their consents, data exports, employment statuses and retention checks"
            }
            Scope::CitizensWrite => {
                "Register and change citizens, record and withdraw consents, record employment and retention checks"
            }
            Scope::SupportCoursesRead => "Read support courses, their goals and contacts",
            Scope::CoursesRead => {
                "Read courses of the teaching model, their sessions, teachers and enrolments"
            }
            Scope::ReferralsRead => "Read referrals",
            Scope::ProgrammesRead => "Read programmes, their partners and targets",
            Scope::WorkforceRead => "Read peer workers, training cohorts and supervision sessions",
            Scope::ReportsRead => "Read programme reports",
            Scope::ExportsRead => "Read pseudonymised data exports",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Scopes as OAuth writes them: space-separated, sorted, each once.
pub fn join(scopes: &[Scope]) -> String {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The scopes of a stored or signed space-separated list; names no longer known are dropped.
pub fn parse_stored(text: &str) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = text.split_whitespace().filter_map(Scope::parse).collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// The scopes named in `names` (a request's), or the first unknown name.
pub fn parse_all<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<Scope>, String> {
    let mut scopes = Vec::new();
    for name in names {
        scopes.push(Scope::parse(name).ok_or_else(|| name.to_owned())?);
    }
    scopes.sort();
    scopes.dedup();
    Ok(scopes)
}

/// The known scopes, for messages.
pub fn known() -> String {
    Scope::ALL.map(Scope::as_str).join(", ")
}

/// The `scopes` of a new user: only integration clients have any, each a known scope.
pub fn of_new_user(
    role: brobygger_domain::user::Role,
    scopes: Option<&[String]>,
) -> Result<Vec<Scope>, ApiError> {
    let Some(names) = scopes else {
        return Ok(Vec::new());
    };
    if !role.is_machine() {
        return Err(ApiError::field(
            "scopes",
            "not_allowed",
            "only integration clients have scopes; a person's role decides what it may do",
        ));
    }
    parse_all(names.iter().map(String::as_str)).map_err(|unknown| {
        ApiError::field(
            "scopes",
            "unknown",
            format!("unknown scope {unknown:?}: one of {}", known()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_unknown_names_are_refused() {
        for scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.as_str()), Some(scope));
        }
        let both = [
            Scope::CitizensWrite,
            Scope::CitizensRead,
            Scope::CitizensRead,
        ];
        assert_eq!(join(&both), "citizens:read citizens:write");
        assert_eq!(
            parse_stored("citizens:write  nonsense citizens:read"),
            [Scope::CitizensRead, Scope::CitizensWrite]
        );
        assert_eq!(parse_all(["citizens:read", "all"]), Err("all".to_owned()));
    }
}
