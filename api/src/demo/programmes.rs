//! The four real programmes of `spec/domain.md` as data, with their partner organisations, and
//! the organisations around them (every municipality and region with its official code,
//! jobcentres, psychiatry, employers, local offers).
//!
//! Public facts (names, partners, periods, grants, Region Hovedstaden's targets and phases) are
//! as described; where the public pages give no figure (the phase dates, the other
//! programmes' targets, Syddanmark's start) the values are illustrative and say so.

use super::draw::{Gen, date, today};
use super::names;
use brobygger_domain::organisation::OrganisationKind;
use brobygger_domain::programme::{Metric, Model, PartnerRole, Phase};
use brobygger_domain::reference;
use brobygger_domain::support_course::SupportModel;
use brobygger_persistence::ids::{OrganisationId, PartnerId, ProgrammeId, TargetId};
use brobygger_persistence::organisation::OrganisationRow;
use brobygger_persistence::programme::{PartnerRow, ProgrammeRow, TargetRow};
use brobygger_persistence::seed::ProgrammeModelRow;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// An organisation named by the programmes, beyond the municipalities and regions.
struct NamedOrg {
    key: &'static str,
    name: &'static str,
    kind: OrganisationKind,
    /// The key of the parent: a municipality or region code, or another named organisation.
    parent: Option<&'static str>,
}

const NAMED: &[NamedOrg] = &[
    NamedOrg {
        key: "psykinfo",
        name: "PsykInfo, Psykiatrien i Region Syddanmark",
        kind: OrganisationKind::Psychiatry,
        parent: Some("1083"),
    },
    NamedOrg {
        key: "rc-vejle",
        name: "Recovery College Vejle",
        kind: OrganisationKind::EducationProvider,
        parent: Some("630"),
    },
    NamedOrg {
        key: "sst",
        name: "Sundhedsstyrelsen",
        kind: OrganisationKind::StateAgency,
        parent: None,
    },
    NamedOrg {
        key: "sind",
        name: "SIND Pårørenderådgivning",
        kind: OrganisationKind::RelativesOrganisation,
        parent: None,
    },
    NamedOrg {
        key: "rhp",
        name: "Region Hovedstadens Psykiatri",
        kind: OrganisationKind::Psychiatry,
        parent: Some("1084"),
    },
    NamedOrg {
        key: "pf",
        name: "Psykiatriforeningernes Fællesråd",
        kind: OrganisationKind::UserOrganisation,
        parent: None,
    },
    NamedOrg {
        key: "dsn",
        name: "Det Sociale Netværk",
        kind: OrganisationKind::UserOrganisation,
        parent: None,
    },
    NamedOrg {
        key: "sbst",
        name: "Social- og Boligstyrelsen",
        kind: OrganisationKind::StateAgency,
        parent: None,
    },
    NamedOrg {
        key: "psyk-syd",
        name: "Psykiatrien i Region Syddanmark",
        kind: OrganisationKind::Psychiatry,
        parent: Some("1083"),
    },
    NamedOrg {
        key: "psyk-midt",
        name: "Psykiatrien i Region Midtjylland",
        kind: OrganisationKind::Psychiatry,
        parent: Some("1082"),
    },
    NamedOrg {
        key: "bro",
        name: "Bro til Hverdagslivet (frivillig peer-indsats)",
        kind: OrganisationKind::CivilSociety,
        parent: None,
    },
    NamedOrg {
        key: "admin",
        name: "Brobygger demo administration",
        kind: OrganisationKind::Other,
        parent: None,
    },
];

/// One of the four programmes, as data.
pub struct ProgrammeSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub funding_source: &'static str,
    pub grant_dkk: Option<i64>,
    pub start: (i32, u32, u32),
    pub end: (i32, u32, u32),
    /// The lead organisation's key (a named organisation or a municipality/region code).
    pub lead: &'static str,
    pub partners: &'static [(&'static str, PartnerRole)],
    pub models: &'static [Model],
    /// Every phase with the day it began, oldest first.
    pub phases: &'static [(Phase, (i32, u32, u32))],
    pub targets: &'static [(Metric, i64)],
    /// The one-to-one model its support courses run under, if any.
    pub support_model: Option<SupportModel>,
    /// The municipalities (codes) whose citizens it serves.
    pub municipalities: &'static [&'static str],
    /// The organisation that trains its peers and runs its courses.
    pub provider: &'static str,
    /// Its share of the peer workers, citizens and courses (per mille).
    pub share: u32,
}

pub const SYDDANMARK: usize = 0;
pub const UDBREDE: usize = 3;

pub const PROGRAMMES: [ProgrammeSpec; 4] = [
    ProgrammeSpec {
        name: "Peer-indsatser for inklusion og fastholdelse på arbejdsmarkedet",
        description: "Peer workers are role models and bridge-builders to the jobcentre, the psychiatric treatment provider and the workplace. The programme trains peer workers and peer trainers so that the municipalities can train peers themselves afterwards; Recovery College Vejle runs the courses. (Demo data: the start date, phase dates and targets are illustrative; the effort continues in operation after the funded period.)",
        funding_source: "Sundhedsstyrelsen",
        grant_dkk: None,
        start: (2020, 1, 1),
        end: (2022, 12, 31),
        lead: "psykinfo",
        partners: &[
            ("561", PartnerRole::Partner),
            ("607", PartnerRole::Partner),
            ("630", PartnerRole::Partner),
            ("621", PartnerRole::Partner),
            ("1083", PartnerRole::Partner),
            ("rc-vejle", PartnerRole::Partner),
            ("sst", PartnerRole::Funder),
        ],
        models: &[Model::EmploymentSupport, Model::PeerTeaching],
        phases: &[
            (Phase::Development, (2020, 1, 1)),
            (Phase::Implementation, (2020, 9, 1)),
            (Phase::Trial, (2021, 6, 1)),
            (Phase::Operation, (2023, 1, 1)),
        ],
        targets: &[
            (Metric::PeersTrained, 40),
            (Metric::CitizensReached, 300),
            (Metric::CitizensInEmployment, 60),
            (Metric::CoursesHeld, 20),
        ],
        support_model: Some(SupportModel::EmploymentSupport),
        municipalities: &["561", "607", "630", "621"],
        provider: "rc-vejle",
        share: 400,
    },
    ProgrammeSpec {
        name: "Projekt Ligestillet Støtte",
        description: "Peer-guide model: newly discharged people are assigned a peer guide for the transition to everyday life. Teaching model: people with mental vulnerability, peer workers, relatives and professionals create courses on recovery together. Paid and volunteer peers. (Demo data: phase dates and targets are illustrative.)",
        funding_source: "Satspulje 2014",
        grant_dkk: None,
        start: (2014, 12, 1),
        end: (2018, 6, 30),
        lead: "730",
        partners: &[
            ("751", PartnerRole::Partner),
            ("791", PartnerRole::Partner),
            ("1082", PartnerRole::Partner),
            ("sind", PartnerRole::Partner),
        ],
        models: &[Model::PeerGuide, Model::PeerTeaching, Model::Volunteer],
        phases: &[
            (Phase::Development, (2014, 12, 1)),
            (Phase::Implementation, (2015, 6, 1)),
            (Phase::Operation, (2016, 1, 1)),
            (Phase::Closed, (2018, 6, 30)),
        ],
        targets: &[
            (Metric::PeersTrained, 30),
            (Metric::CitizensReached, 200),
            (Metric::CoursesHeld, 12),
        ],
        support_model: Some(SupportModel::PeerGuide),
        municipalities: &["730", "751", "791"],
        provider: "730",
        share: 300,
    },
    ProgrammeSpec {
        name: "Peer-støtte i Region Hovedstaden",
        description: "Individual peer support from the citizen's own wishes and goals, with bridge-building to local offers if the citizen asks for it; peer teaching inside existing group courses together with other staff; the volunteer effort Bro til Hverdagslivet; supervision of peers. Target 12 peers and about 250 citizens (450 reached by April 2017). (Demo data: the phase dates are illustrative.)",
        funding_source: "Satspulje",
        grant_dkk: Some(9_300_000),
        start: (2015, 1, 1),
        end: (2018, 6, 30),
        lead: "rhp",
        partners: &[
            ("101", PartnerRole::Partner),
            ("217", PartnerRole::Partner),
            ("230", PartnerRole::Partner),
            ("pf", PartnerRole::Partner),
            ("dsn", PartnerRole::Secretariat),
        ],
        models: &[
            Model::IndividualPeerSupport,
            Model::PeerTeaching,
            Model::Volunteer,
        ],
        phases: &[
            (Phase::Development, (2015, 1, 1)),
            (Phase::Implementation, (2015, 8, 1)),
            (Phase::Pilot, (2016, 1, 1)),
            (Phase::Trial, (2016, 9, 1)),
            (Phase::Closed, (2018, 6, 30)),
        ],
        targets: &[(Metric::PeersTrained, 12), (Metric::CitizensReached, 250)],
        support_model: Some(SupportModel::IndividualPeerSupport),
        municipalities: &["101", "217", "230"],
        provider: "rhp",
        share: 300,
    },
    ProgrammeSpec {
        name: "Udbrede anvendelse af peers",
        description: "Social- og Boligstyrelsen advises 20 municipalities on using peers: an advisory process per municipality, each ending with an experience summary of drivers and barriers, and a cross-cutting summary at the end. (Demo data: the phase dates are illustrative.)",
        funding_source: "SSA23",
        grant_dkk: Some(10_500_000),
        start: (2023, 1, 1),
        end: (2026, 12, 31),
        lead: "sbst",
        partners: &[],
        models: &[Model::IndividualPeerSupport, Model::PeerTeaching],
        phases: &[
            (Phase::Development, (2023, 1, 1)),
            (Phase::Implementation, (2023, 9, 1)),
            (Phase::Operation, (2024, 6, 1)),
        ],
        targets: &[],
        support_model: None,
        municipalities: &[],
        provider: "sbst",
        share: 0,
    },
];

impl ProgrammeSpec {
    pub fn start_date(&self) -> NaiveDate {
        date(self.start.0, self.start.1, self.start.2)
    }

    pub fn end_date(&self) -> NaiveDate {
        date(self.end.0, self.end.1, self.end.2)
    }

    /// The last day peers and citizens are active in it: its end, or today while it runs on
    /// in operation.
    pub fn live_until(&self) -> NaiveDate {
        match self.phases.last() {
            Some((Phase::Closed, _)) => self.end_date(),
            _ => today(),
        }
    }
}

/// The organisations of the data set, by what the generator looks them up by.
#[derive(Debug, Default)]
pub struct Organisations {
    /// By key: municipality and region codes and the named organisations' keys.
    pub by_key: BTreeMap<String, OrganisationId>,
    /// Jobcentres by municipality code (for the programmes' municipalities).
    pub jobcentres: BTreeMap<String, OrganisationId>,
    pub employers: Vec<OrganisationId>,
    /// Targets of referrals of kind `other`.
    pub local_offers: Vec<OrganisationId>,
}

impl Organisations {
    pub fn get(&self, key: &str) -> OrganisationId {
        self.by_key.get(key).copied().unwrap_or_default()
    }

    /// The psychiatry a citizen of `municipality` is referred to.
    pub fn psychiatry_for(&self, municipality: &str) -> OrganisationId {
        match reference::municipality(municipality).map(|m| m.region_code.as_str()) {
            Some("1084") => self.get("rhp"),
            Some("1082") => self.get("psyk-midt"),
            _ => self.get("psyk-syd"),
        }
    }
}

fn org_row(g: &mut Gen, name: String, kind: OrganisationKind) -> OrganisationRow {
    let at = g.at(date(2014, 1, 2));
    OrganisationRow {
        id: g.id(at),
        name,
        kind,
        municipality_code: None,
        region_code: None,
        cvr: None,
        parent_id: None,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

const EMPLOYER_TRADES: &[&str] = &[
    "Byg",
    "Transport",
    "Service",
    "Køkken",
    "Gartneri",
    "Rengøring",
    "Lager",
    "Smed",
    "Bageri",
    "Auto",
    "IT-support",
    "Café",
    "Pleje",
    "Tryk",
    "Møbel",
];
const EMPLOYER_FORMS: &[&str] = &["ApS", "A/S", "I/S"];

/// Every municipality and region, the named organisations, jobcentres, employers and local
/// offers.
pub fn organisations(g: &mut Gen, employers: usize) -> Organisations {
    let mut orgs = Organisations::default();
    for region in reference::regions() {
        let mut row = org_row(g, region.name.clone(), OrganisationKind::Region);
        row.region_code = Some(region.region_code.clone());
        orgs.by_key.insert(region.region_code.clone(), row.id);
        g.batch.organisations.push(row);
    }
    for m in reference::municipalities() {
        let mut row = org_row(
            g,
            format!("{} Kommune", m.name),
            OrganisationKind::Municipality,
        );
        row.municipality_code = Some(m.municipality_code.clone());
        orgs.by_key.insert(m.municipality_code.clone(), row.id);
        g.batch.organisations.push(row);
    }
    for named in NAMED {
        let mut row = org_row(g, named.name.to_owned(), named.kind);
        row.parent_id = named.parent.map(|p| orgs.get(p));
        orgs.by_key.insert(named.key.to_owned(), row.id);
        g.batch.organisations.push(row);
    }
    let served: Vec<&str> = PROGRAMMES
        .iter()
        .flat_map(|p| p.municipalities)
        .copied()
        .collect();
    for code in &served {
        let name = reference::municipality(code).map_or("", |m| m.name.as_str());
        let mut row = org_row(g, format!("Jobcenter {name}"), OrganisationKind::Jobcentre);
        row.parent_id = Some(orgs.get(code));
        orgs.jobcentres.insert((*code).to_owned(), row.id);
        g.batch.organisations.push(row);
        let offer = org_row(g, format!("Værestedet i {name}"), OrganisationKind::Other);
        orgs.local_offers.push(offer.id);
        g.batch.organisations.push(offer);
    }
    orgs.local_offers.push(orgs.get("bro"));
    orgs.local_offers.push(orgs.get("rc-vejle"));
    for _ in 0..employers {
        let code = *g.pick(&served);
        let town = reference::municipality(code).map_or("", |m| m.name.as_str());
        let trade = *g.pick(EMPLOYER_TRADES);
        let form = *g.pick(EMPLOYER_FORMS);
        let mut row = org_row(
            g,
            format!("{town} {trade} {form}"),
            OrganisationKind::Employer,
        );
        row.cvr = Some(names::cvr(g));
        orgs.employers.push(row.id);
        g.batch.organisations.push(row);
    }
    orgs
}

/// The four programmes with their models, partners, targets and phase histories; returns
/// their ids in the order of [`PROGRAMMES`].
pub fn programmes(
    g: &mut Gen,
    orgs: &Organisations,
    admin: brobygger_persistence::ids::UserId,
) -> Result<Vec<ProgrammeId>, super::draw::RuleBroken> {
    let mut ids = Vec::new();
    for spec in &PROGRAMMES {
        let created = g.at(spec.start_date());
        let id: ProgrammeId = g.id(created);
        let phase = spec.phases.last().map_or(Phase::Development, |p| p.0);
        g.batch.programmes.push(ProgrammeRow {
            id,
            name: spec.name.to_owned(),
            description: Some(spec.description.to_owned()),
            funding_source: Some(spec.funding_source.to_owned()),
            grant_dkk: spec.grant_dkk,
            start_date: spec.start_date(),
            end_date: Some(spec.end_date()),
            lead_organisation_id: orgs.get(spec.lead),
            supervision_interval_days:
                brobygger_domain::programme::DEFAULT_SUPERVISION_INTERVAL_DAYS,
            phase,
            version: 1 + spec.phases.len() as i64 - 1,
            created_at: created,
            updated_at: created,
        });
        for model in spec.models {
            g.batch.programme_models.push(ProgrammeModelRow {
                programme_id: id,
                model: *model,
            });
        }
        let lead = std::iter::once((spec.lead, PartnerRole::Lead));
        for (key, role) in lead.chain(spec.partners.iter().copied()) {
            brobygger_domain::programme::check_partner_role(key == spec.lead, role)
                .map_err(|e| super::draw::RuleBroken(e.to_string()))?;
            let partner: PartnerId = g.id(created);
            g.batch.programme_partners.push(PartnerRow {
                id: partner,
                programme_id: id,
                organisation_id: orgs.get(key),
                role,
                version: 1,
                created_at: created,
                updated_at: created,
            });
        }
        for (metric, value) in spec.targets {
            let target: TargetId = g.id(created);
            g.batch.programme_targets.push(TargetRow {
                id: target,
                programme_id: id,
                metric: *metric,
                value: *value,
                deadline: Some(spec.end_date()),
                version: 1,
                created_at: created,
                updated_at: created,
            });
        }
        let steps: Vec<_> = spec
            .phases
            .iter()
            .map(|(phase, (y, m, d))| {
                (
                    *phase,
                    date(*y, *m, *d).and_hms_opt(9, 0, 0).unwrap_or_default(),
                    None,
                )
            })
            .collect();
        g.history("programme", &id, &steps, admin)?;
        ids.push(id);
    }
    Ok(ids)
}
