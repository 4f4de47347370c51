//! Workflows as data: each status enum says where it may move, and nothing else decides.
//! Also the one way enums become text and back (they are stored as `TEXT` with a `CHECK`).

/// An enum stored as text: its values, their names, and parsing back.
pub trait TextEnum: Copy + Eq + Sized + 'static {
    const ALL: &'static [Self];

    fn as_str(self) -> &'static str;

    fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == value)
    }
}

/// A status with a transition table.
pub trait Workflow: TextEnum {
    /// The statuses a resource in `self` may move to; empty when `self` is final.
    fn allowed(self) -> &'static [Self];

    fn can_move_to(self, to: Self) -> bool {
        self.allowed().contains(&to)
    }

    /// `Ok` when the move is allowed, else the names of the moves that are.
    fn check_move(self, to: Self) -> Result<(), Vec<&'static str>> {
        if self.can_move_to(to) {
            Ok(())
        } else {
            Err(self.allowed().iter().map(|s| s.as_str()).collect())
        }
    }
}

/// A move the workflow does not allow, with the moves it does: the one refusal every workflow
/// gives (`409 invalid_transition` at the HTTP edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTransition<S> {
    pub from: S,
    pub to: S,
    /// The names of the moves allowed from `from`; empty when `from` is final.
    pub allowed: Vec<&'static str>,
}

impl<S: Workflow> InvalidTransition<S> {
    /// `Ok` when `from → to` is allowed, else the refusal naming the allowed moves.
    pub fn check(from: S, to: S) -> Result<(), Self> {
        from.check_move(to)
            .map_err(|allowed| Self { from, to, allowed })
    }
}

impl<S: TextEnum + std::fmt::Debug> std::fmt::Display for InvalidTransition<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe_refused_move(
            self.from.as_str(),
            self.to.as_str(),
            &self.allowed,
        ))
    }
}

impl<S: TextEnum + std::fmt::Debug> std::error::Error for InvalidTransition<S> {}

/// How a refused move reads: `cannot move from a to b; allowed: c, d`, or, from a final
/// status, `cannot move from a to b: a is final`.
pub fn describe_refused_move(from: &str, to: &str, allowed: &[&str]) -> String {
    if allowed.is_empty() {
        format!("cannot move from {from} to {to}: {from} is final")
    } else {
        format!(
            "cannot move from {from} to {to}; allowed: {}",
            allowed.join(", ")
        )
    }
}

/// Declares a `snake_case` enum stored as text, with `TextEnum` (and `ToSchema` with the
/// `openapi` feature).
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $crate::workflow::TextEnum for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl From<$name> for &'static str {
            fn from(value: $name) -> Self {
                $crate::workflow::TextEnum::as_str(value)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support_course::SupportStatus;

    #[test]
    fn a_refused_move_names_the_allowed_ones() {
        let refused = InvalidTransition::check(SupportStatus::Requested, SupportStatus::Completed)
            .expect_err("not allowed");
        assert_eq!(refused.allowed, ["matched", "cancelled"]);
        assert_eq!(
            refused.to_string(),
            "cannot move from requested to completed; allowed: matched, cancelled"
        );
        assert!(InvalidTransition::check(SupportStatus::Requested, SupportStatus::Matched).is_ok());
    }

    #[test]
    fn a_move_from_a_final_status_says_it_is_final() {
        let refused = InvalidTransition::check(SupportStatus::Completed, SupportStatus::Active)
            .expect_err("final");
        assert!(refused.allowed.is_empty());
        assert_eq!(
            refused.to_string(),
            "cannot move from completed to active: completed is final"
        );
    }
}
