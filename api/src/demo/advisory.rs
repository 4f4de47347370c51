//! The advisory processes of "Udbrede anvendelse af peers" (issue 10): Social- og Boligstyrelsen
//! advises 20 municipalities, one process each, in waves over the programme's period; each
//! process that has begun records drivers and barriers, drawn from the phrase lists below.

use super::draw::{Gen, RuleBroken, date, today};
use super::programmes::{Organisations, PROGRAMMES, UDBREDE};
use brobygger_domain::advisory::{AdvisoryStatus, FindingKind, Theme};
use brobygger_domain::reference;
use brobygger_persistence::advisory::{AdvisoryProcessRow, FindingRow};
use brobygger_persistence::ids::{AdvisoryProcessId, OrganisationId, ProgrammeId, UserId};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::Rng;

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

/// Drivers and barriers as an advisory process writes them down, by theme.
const PHRASES: &[(Theme, FindingKind, &[&str])] = {
    use FindingKind::{Barrier as B, Driver as D};
    use Theme::*;
    &[
        (
            Leadership,
            D,
            &[
                "Ledelsen prioriterede peer-indsatsen fra start",
                "Direktøren bakkede synligt op om peers på personalemøder",
                "En fast ledelsesmæssig tovholder fulgte indsatsen hver måned",
            ],
        ),
        (
            Leadership,
            B,
            &[
                "Lederskifte midt i forløbet satte indsatsen i stå",
                "Ledelsen så peer-indsatsen som et projekt, ikke som drift",
            ],
        ),
        (
            Organisation,
            D,
            &[
                "Peers blev ansat i faste stillinger med klare funktionsbeskrivelser",
                "Indsatsen blev forankret i både jobcenter og socialpsykiatri",
            ],
        ),
        (
            Organisation,
            B,
            &[
                "Uklar placering af peers mellem forvaltningerne",
                "Peers havde ikke adgang til fagsystemer og mødelokaler",
                "Omorganisering flyttede indsatsen to gange på et år",
            ],
        ),
        (
            Recruitment,
            D,
            &[
                "Rekruttering via brugerorganisationer gav mange kvalificerede ansøgere",
                "Fleksjob og løntilskud gjorde det muligt at ansætte flere peers",
            ],
        ),
        (
            Recruitment,
            B,
            &[
                "Få ansøgere med relevant levet erfaring",
                "Bekymring for at miste ydelser holdt kandidater tilbage",
            ],
        ),
        (
            Training,
            D,
            &[
                "Fælles peer-uddannelse med nabokommunen gav et netværk",
                "Medarbejderne fik en introduktion til recovery og peer-rollen",
            ],
        ),
        (
            Training,
            B,
            &[
                "Uddannelsespladserne lå langt fra kommunen",
                "Fagpersoner kendte ikke peer-rollen og henviste ikke borgere",
            ],
        ),
        (
            Supervision,
            D,
            &[
                "Fast ekstern supervision hver fjortende dag",
                "Peers mødtes i intervision på tværs af kommuner",
            ],
        ),
        (
            Supervision,
            B,
            &[
                "Supervisionen blev aflyst i perioder med travlhed",
                "Ingen faglig sparring til peers i opstarten",
            ],
        ),
        (
            Collaboration,
            D,
            &[
                "Tæt samarbejde med regionspsykiatrien om henvisninger",
                "Jobcentrets virksomhedskonsulenter tog peers med ud på arbejdspladser",
            ],
        ),
        (
            Collaboration,
            B,
            &[
                "Samarbejdet med psykiatrien byggede på enkeltpersoner",
                "Regler om videregivelse af oplysninger bremsede samarbejdet",
            ],
        ),
        (
            Financing,
            D,
            &[
                "Indsatsen blev skrevet ind i budgettet for de kommende år",
                "Puljemidler dækkede opstart og uddannelse",
            ],
        ),
        (
            Financing,
            B,
            &[
                "Manglende finansiering efter projektperioden",
                "Peer-timerne blev taget fra et i forvejen presset driftsbudget",
            ],
        ),
        (
            Culture,
            D,
            &[
                "Medarbejderne oplevede peers som en styrke for borgerne",
                "Borgernes egne fortællinger ændrede synet på recovery",
            ],
        ),
        (
            Culture,
            B,
            &[
                "Skepsis blandt fagpersoner over for peers' rolle",
                "Frygt for at peers skulle erstatte fagpersoner",
            ],
        ),
        (
            Other,
            D,
            &["Lokale medier fortalte om indsatsen og gav opmærksomhed"],
        ),
        (
            Other,
            B,
            &["Corona-eftervirkninger forsinkede opstarten af grupper"],
        ),
    ]
};

/// How often a theme comes up (the order of [`PHRASES`]): leadership, organisation and
/// financing most, "other" seldom.
const WEIGHTS: &[u32] = &[6, 4, 4, 5, 3, 3, 2, 2, 3, 3, 3, 3, 4, 6, 3, 3, 1, 1];

/// Seeds advisory processes (status history `planned → running → completed`) and their
/// findings (drivers and barriers with a theme) into `g.batch`; returns how many processes.
///
/// The processes start in waves from the implementation phase (September 2023) to spring 2026
/// and last 9–15 months, within the programme; the last two start after "today" and are
/// `planned`. A completed process has 3–6 findings, a running one 2–4 so far, a planned one
/// none yet.
pub fn seed_advisory(g: &mut Gen, ctx: &AdvisoryContext) -> Result<usize, RuleBroken> {
    let first = date(2023, 9, 1).max(ctx.period.0);
    let last_running = date(2026, 4, 1);
    let n = ctx.advised.len();
    let before_today = n.saturating_sub(2).max(1);
    let step = (last_running - first).num_days() / before_today as i64;
    for (i, (code, _)) in ctx.advised.iter().enumerate() {
        let start = if i < before_today {
            first + Duration::days(step * i as i64 + g.rng.gen_range(0..=step.max(1) / 2))
        } else {
            g.day_between(
                ctx.today + Duration::days(2),
                ctx.today + Duration::days(40),
            )
        };
        let end = (start + Duration::days(g.rng.gen_range(270..=450))).min(ctx.period.1);
        let lead_time = Duration::days(g.rng.gen_range(14..=45));
        let planned_at = g.at(start - lead_time);
        let mut steps = vec![(AdvisoryStatus::Planned, planned_at, None)];
        if start <= ctx.today {
            steps.push((AdvisoryStatus::Running, g.at(start), None));
        }
        if end <= ctx.today {
            steps.push((AdvisoryStatus::Completed, g.at(end), None));
        }
        let (status, updated_at, _) = steps[steps.len() - 1].clone();
        let id: AdvisoryProcessId = g.id(planned_at);
        g.history("advisory_process", &id, &steps, ctx.recorded_by)?;
        g.batch.advisory_processes.push(AdvisoryProcessRow {
            id,
            programme_id: ctx.programme_id,
            municipality_code: (*code).to_owned(),
            advising_organisation_id: ctx.advising_organisation,
            start_date: start,
            end_date: Some(end),
            status,
            version: steps.len() as i64,
            created_at: planned_at,
            updated_at,
        });
        let findings = match status {
            AdvisoryStatus::Completed => g.rng.gen_range(3..=6),
            AdvisoryStatus::Running => g.rng.gen_range(2..=4),
            AdvisoryStatus::Planned => 0,
        };
        findings_of(g, ctx, id, (start, end.min(ctx.today)), findings);
    }
    Ok(n)
}

/// `count` distinct findings of process `id`, recorded on days within `period`.
fn findings_of(
    g: &mut Gen,
    ctx: &AdvisoryContext,
    id: AdvisoryProcessId,
    period: (NaiveDate, NaiveDate),
    count: usize,
) {
    let mut used: Vec<&str> = Vec::new();
    let mut days: Vec<NaiveDateTime> = (0..count)
        .map(|_| {
            let day = g.day_between(period.0 + Duration::days(30), period.1);
            g.at(day.min(period.1))
        })
        .collect();
    days.sort_unstable();
    for at in days {
        let (theme, kind, text) = loop {
            let (theme, kind, texts) = PHRASES[g.weighted(WEIGHTS)];
            let text = *g.pick(texts);
            if !used.contains(&text) {
                break (theme, kind, text);
            }
        };
        used.push(text);
        let finding = g.id(at);
        g.batch.advisory_findings.push(FindingRow {
            id: finding,
            advisory_process_id: id,
            kind,
            theme,
            text: text.to_owned(),
            recorded_by: ctx.recorded_by,
            created_at: at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phrase_lists_cover_every_theme_with_short_texts() {
        use brobygger_domain::advisory::FINDING_TEXT_MAX;
        use brobygger_domain::workflow::TextEnum;
        assert_eq!(WEIGHTS.len(), PHRASES.len());
        for theme in Theme::ALL {
            assert!(PHRASES.iter().any(|(t, _, _)| t == theme), "{theme:?}");
        }
        for (_, _, texts) in PHRASES {
            assert!(!texts.is_empty());
            assert!(texts.iter().all(|t| t.len() <= FINDING_TEXT_MAX));
        }
    }
}
