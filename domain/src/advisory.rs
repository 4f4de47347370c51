//! Advisory processes: an agency's advice to one municipality on using peers, its status
//! workflow, and the drivers and barriers it finds — summed up across a programme by theme.

use crate::text_enum;
use crate::workflow::Workflow;
use std::collections::{BTreeMap, BTreeSet};

text_enum! {
    /// Where an advisory process stands: `planned → running → completed`.
    pub enum AdvisoryStatus {
        Planned => "planned",
        Running => "running",
        Completed => "completed",
    }
}

impl Workflow for AdvisoryStatus {
    fn allowed(self) -> &'static [Self] {
        match self {
            Self::Planned => &[Self::Running],
            Self::Running => &[Self::Completed],
            Self::Completed => &[],
        }
    }
}

text_enum! {
    /// Whether a finding helped (`driver`) or hindered (`barrier`) the use of peers.
    pub enum FindingKind {
        Driver => "driver",
        Barrier => "barrier",
    }
}

text_enum! {
    /// What a finding is about.
    pub enum Theme {
        Leadership => "leadership",
        Organisation => "organisation",
        Recruitment => "recruitment",
        Training => "training",
        Supervision => "supervision",
        Collaboration => "collaboration",
        Financing => "financing",
        Culture => "culture",
        Other => "other",
    }
}

/// The longest a finding's text may be (a short text, `spec/domain.md`).
pub const FINDING_TEXT_MAX: usize = 500;

/// One finding as the cross-cutting summary reads it: which municipality named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFinding {
    pub theme: Theme,
    pub kind: FindingKind,
    pub municipality_code: String,
    pub text: String,
}

/// The findings of one theme across a programme's advisory processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeSummary {
    pub theme: Theme,
    /// How many distinct municipalities named the theme (as a driver or a barrier).
    pub municipalities: usize,
    /// `(municipality code, text)`, in the order given.
    pub drivers: Vec<(String, String)>,
    pub barriers: Vec<(String, String)>,
}

/// Groups findings by theme (in the theme order of `spec/domain.md`), counting the distinct
/// municipalities that named each; themes nobody named are left out.
pub fn summarise(findings: Vec<NamedFinding>) -> Vec<ThemeSummary> {
    let mut by_theme: BTreeMap<Theme, (BTreeSet<String>, ThemeSummary)> = BTreeMap::new();
    for finding in findings {
        let (municipalities, summary) = by_theme.entry(finding.theme).or_insert_with(|| {
            let summary = ThemeSummary {
                theme: finding.theme,
                municipalities: 0,
                drivers: Vec::new(),
                barriers: Vec::new(),
            };
            (BTreeSet::new(), summary)
        });
        municipalities.insert(finding.municipality_code.clone());
        let entry = (finding.municipality_code, finding.text);
        match finding.kind {
            FindingKind::Driver => summary.drivers.push(entry),
            FindingKind::Barrier => summary.barriers.push(entry),
        }
    }
    by_theme
        .into_values()
        .map(|(municipalities, summary)| ThemeSummary {
            municipalities: municipalities.len(),
            ..summary
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::TextEnum;

    #[test]
    fn the_workflow_moves_only_forward_one_step() {
        use AdvisoryStatus::*;
        for &from in AdvisoryStatus::ALL {
            for &to in AdvisoryStatus::ALL {
                let expected = matches!((from, to), (Planned, Running) | (Running, Completed));
                assert_eq!(from.can_move_to(to), expected, "{from:?} -> {to:?}");
            }
        }
        assert!(Completed.allowed().is_empty());
    }

    #[test]
    fn the_themes_are_those_of_the_domain() {
        let names: Vec<&str> = Theme::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            names,
            [
                "leadership",
                "organisation",
                "recruitment",
                "training",
                "supervision",
                "collaboration",
                "financing",
                "culture",
                "other"
            ]
        );
    }

    fn finding(theme: Theme, kind: FindingKind, code: &str, text: &str) -> NamedFinding {
        NamedFinding {
            theme,
            kind,
            municipality_code: code.to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn the_summary_groups_by_theme_and_counts_distinct_municipalities() {
        let summary = summarise(vec![
            finding(
                Theme::Financing,
                FindingKind::Barrier,
                "630",
                "No budget after 2026",
            ),
            finding(
                Theme::Leadership,
                FindingKind::Driver,
                "630",
                "A committed director",
            ),
            finding(
                Theme::Leadership,
                FindingKind::Barrier,
                "621",
                "Managers changed",
            ),
            finding(
                Theme::Leadership,
                FindingKind::Driver,
                "630",
                "Clear mandate",
            ),
        ]);
        assert_eq!(summary.len(), 2);
        assert_eq!(summary[0].theme, Theme::Leadership);
        assert_eq!(summary[0].municipalities, 2);
        assert_eq!(summary[0].drivers.len(), 2);
        assert_eq!(
            summary[0].barriers,
            [("621".to_owned(), "Managers changed".to_owned())]
        );
        assert_eq!(summary[1].theme, Theme::Financing);
        assert_eq!(summary[1].municipalities, 1);
        assert!(summary[1].drivers.is_empty());
        assert!(summarise(Vec::new()).is_empty());
    }
}
