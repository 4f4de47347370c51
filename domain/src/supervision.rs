//! Supervision sessions of peer workers.

use crate::text_enum;

text_enum! {
    /// Whether a supervision session is one-to-one or for a group.
    pub enum SupervisionFormat {
        Individual => "individual",
        Group => "group",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::TextEnum;

    #[test]
    fn formats_round_trip() {
        for format in SupervisionFormat::ALL {
            assert_eq!(SupervisionFormat::parse(format.as_str()), Some(*format));
        }
    }
}
