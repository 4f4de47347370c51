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

/// Declares a `snake_case` enum stored as text, with `ToSchema` and `TextEnum`.
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
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
    };
}
