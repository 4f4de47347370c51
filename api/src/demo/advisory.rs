//! EXTENSION POINT for advisory processes and their findings (issue 10): the tables come with
//! the advisory work (`api/src/advisory…`), not in this branch. Once they exist, add their rows
//! to `SeedBatch` (`persistence/src/seed.rs`, with a `write_table!` line each) and fill them
//! here; [`seed_advisory`] is already called, in the one transaction, after the programmes.

use super::draw::{Gen, today};
use super::programmes::{Organisations, PROGRAMMES, UDBREDE};
use brobygger_domain::reference;
use brobygger_persistence::ids::{OrganisationId, ProgrammeId, UserId};
use chrono::NaiveDate;

/// What the advisory processes of "Udbrede anvendelse af peers" are seeded from.
#[derive(Debug, Clone)]
pub struct AdvisoryContext {
    pub programme_id: ProgrammeId,
    /// Social- og Boligstyrelsen.
    pub advising_organisation: OrganisationId,
    /// The 20 advised municipalities (code, organisation). The public pages do not list them
    /// in `spec/domain.md`: the generator picks 20 (from the seed), outside the other three
    /// programmes' municipalities.
    pub advised: Vec<(&'static str, OrganisationId)>,
    pub period: (NaiveDate, NaiveDate),
    /// The data set's "today": processes after it are `planned`, spanning it `running`.
    pub today: NaiveDate,
    /// Who records them (the admin).
    pub recorded_by: UserId,
}

/// The advised municipalities and the programme, for [`seed_advisory`].
pub fn context(
    g: &mut Gen,
    orgs: &Organisations,
    programme_ids: &[ProgrammeId],
    admin: UserId,
) -> AdvisoryContext {
    let served: Vec<&str> = PROGRAMMES
        .iter()
        .flat_map(|p| p.municipalities)
        .copied()
        .collect();
    let mut candidates: Vec<&'static str> = reference::municipalities()
        .iter()
        .map(|m| m.municipality_code.as_str())
        .filter(|code| !served.contains(code))
        .collect();
    let mut advised = Vec::new();
    while advised.len() < 20 && !candidates.is_empty() {
        let i = rand::Rng::gen_range(&mut g.rng, 0..candidates.len());
        let code = candidates.swap_remove(i);
        advised.push((code, orgs.get(code)));
    }
    advised.sort_unstable();
    let spec = &PROGRAMMES[UDBREDE];
    AdvisoryContext {
        programme_id: programme_ids[UDBREDE],
        advising_organisation: orgs.get(spec.lead),
        advised,
        period: (spec.start_date(), spec.end_date()),
        today: today(),
        recorded_by: admin,
    }
}

/// Seeds advisory processes (status history `planned → running → completed`) and their
/// findings (drivers and barriers with a theme) into `g.batch`; returns how many processes.
/// Until the advisory tables are merged it seeds nothing.
pub fn seed_advisory(g: &mut Gen, ctx: &AdvisoryContext) -> usize {
    let _ = (g, ctx);
    0
}
