//! `brobygger seed-demo [--scale N] [--seed S]`: the four real programmes of `spec/domain.md`
//! with an invented, rule-abiding population, written in batched multi-row inserts in one
//! transaction, and one demo user per role.
//!
//! `--scale 1` is the benchmark set of `spec/quality.md` (400 peer workers, 100,000 citizens,
//! 150,000 support courses, 1,000,000 contacts, 50,000 referrals, 2,000 courses, 40,000
//! enrolments); other scales multiply it; without `--scale` a small set for trying the API.
//! The same seed gives the same data: every id, name, date and choice comes from one seeded
//! random source and a fixed "today" ([`draw::today`]); only what must be secret is not
//! (the demo password, password hashes, and the nonces that encrypt CPR numbers).

pub mod advisory;
mod bridges;
mod citizens;
mod courses;
mod draw;
mod facts;
mod names;
mod people;
mod programmes;
mod progress;

use crate::app::{StartError, encryption_key, open_database};
use crate::auth::password;
use crate::cpr_vault::CprVault;
use crate::settings::Settings;
use brobygger_domain::user::Role;
use brobygger_persistence::ids::UserId;
use brobygger_persistence::{DbConnection, seed};
use diesel::Connection;
use draw::{Gen, RuleBroken, scaled};
use programmes::{PROGRAMMES, SYDDANMARK};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// The scale without `--scale`: a few hundred citizens.
pub const DEFAULT_SCALE: f64 = 0.003;
/// The seed without `--seed`.
pub const DEFAULT_SEED: u64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The database already holds data the demo would clash with: nothing was changed.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Connection(#[from] brobygger_persistence::DbError),
    #[error("writing the demo data failed (nothing was kept): {0}")]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Rule(#[from] RuleBroken),
}

/// The benchmark set's row counts at a scale (`spec/quality.md`), with floors so the smallest
/// sets still show every kind of fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub peer_workers: usize,
    pub citizens: usize,
    pub support_courses: usize,
    pub contacts: usize,
    pub referrals: usize,
    pub courses: usize,
    pub enrolments: usize,
    pub employers: usize,
}

impl Sizes {
    pub fn at(scale: f64) -> Self {
        Self {
            peer_workers: scaled(400, scale, 24),
            citizens: scaled(100_000, scale, 30),
            support_courses: scaled(150_000, scale, 45),
            contacts: scaled(1_000_000, scale, 300),
            referrals: scaled(50_000, scale, 15),
            courses: scaled(2_000, scale, 6),
            enrolments: scaled(40_000, scale, 120),
            employers: scaled(200, scale, 10),
        }
    }

    /// Peer workers per programme, in proportion to the programmes' shares.
    fn peers_per_programme(&self) -> Vec<usize> {
        let total: u32 = PROGRAMMES.iter().map(|p| p.share).sum();
        PROGRAMMES
            .iter()
            .map(|p| self.peer_workers * p.share as usize / total.max(1) as usize)
            .collect()
    }
}

/// The demo users' names, one per role.
pub const DEMO_USERS: [(Role, &str); 6] = [
    (Role::Admin, "demo-admin"),
    (Role::Coordinator, "demo-coordinator"),
    (Role::PeerWorker, "demo-peer-worker"),
    (Role::Professional, "demo-professional"),
    (Role::Evaluator, "demo-evaluator"),
    (Role::Integration, "demo-integration"),
];

/// What a run made, to print.
#[derive(Debug)]
pub struct Outcome {
    pub password: String,
    pub client_id: String,
    pub client_secret: String,
    pub rows: Vec<(&'static str, usize)>,
    pub seconds: f64,
}

/// `brobygger seed-demo`: runs against the configured database and prints the demo users.
pub fn command(scale: Option<f64>, seed: Option<u64>) -> Result<(), String> {
    let settings = Settings::for_command().map_err(|e| e.to_string())?;
    let scale = scale.unwrap_or(DEFAULT_SCALE);
    let seed = seed.unwrap_or(DEFAULT_SEED);
    let outcome = run(&settings, scale, seed).map_err(|e| e.to_string())?;
    let total: usize = outcome.rows.iter().map(|(_, n)| n).sum();
    println!(
        "Loaded the demo data (scale {scale}, seed {seed}): {total} rows in {:.1} s.",
        outcome.seconds
    );
    for (table, rows) in &outcome.rows {
        println!("  {table:<28} {rows:>10}");
    }
    println!("\nDemo users (all with the password below; shown once):");
    for (role, username) in DEMO_USERS.iter().filter(|(role, _)| !role.is_machine()) {
        println!("  {:<14} {username}", role.as_str());
    }
    println!("  password       {}", outcome.password);
    println!("\nIntegration client (grant_type=client_credentials at /api/v1/auth/token):");
    println!("  client_id      {}", outcome.client_id);
    println!("  client_secret  {}", outcome.client_secret);
    Ok(())
}

/// Generates the data set for `scale` and `seed` and writes it in one transaction; refuses a
/// database that holds programmes (or the demo users) already, changing nothing.
pub fn run(settings: &Settings, scale: f64, seed: u64) -> Result<Outcome, SeedError> {
    if !(scale.is_finite() && scale > 0.0 && scale <= 100.0) {
        return Err(SeedError::Invalid(format!(
            "--scale must be a number above 0 and at most 100, not {scale}"
        )));
    }
    let started = Instant::now();
    let key = encryption_key(settings)?;
    let vault = CprVault::new(&key);
    let db = open_database(settings)?;
    let mut conn = db
        .pool()
        .get()
        .map_err(brobygger_persistence::DbError::Pool)?;
    refuse_if_loaded(&mut conn)?;
    let (mut g, secrets) = generate(Sizes::at(scale), seed, &vault)?;
    let expected = g.batch.counts();
    let mut progress = progress::Progress::new(&expected);
    let batch = std::mem::take(&mut g.batch);
    conn.transaction(|conn| {
        refuse_if_loaded(conn)?;
        seed::write(conn, batch, &mut |table, rows| {
            progress.written(table, rows)
        })?;
        Ok::<_, SeedError>(())
    })?;
    let rows = expected
        .iter()
        .map(|(t, _)| (*t, progress.totals().get(t).copied().unwrap_or(0)))
        .collect();
    Ok(Outcome {
        password: secrets.password,
        client_id: secrets.client_id,
        client_secret: secrets.client_secret,
        rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn refuse_if_loaded(conn: &mut DbConnection) -> Result<(), SeedError> {
    let programmes = seed::programme_count(conn)?;
    if programmes > 0 {
        return Err(SeedError::Refused(format!(
            "the database already holds {programmes} programme(s): seed-demo loads only an empty database (nothing was changed)"
        )));
    }
    let names: Vec<String> = DEMO_USERS.iter().map(|(_, n)| (*n).to_owned()).collect();
    let taken = seed::taken_usernames(conn, &names)?;
    if !taken.is_empty() {
        return Err(SeedError::Refused(format!(
            "the database already has the user(s) {}: seed-demo loads only a database without them (nothing was changed)",
            taken.join(", ")
        )));
    }
    Ok(())
}

struct Secrets {
    password: String,
    client_id: String,
    client_secret: String,
}

/// Every row of the data set, in memory, and the demo users' secrets.
fn generate(sizes: Sizes, seed: u64, vault: &CprVault) -> Result<(Gen, Secrets), SeedError> {
    let mut g = Gen::new(ChaCha8Rng::seed_from_u64(seed));
    let orgs = programmes::organisations(&mut g, sizes.employers);
    let secrets = Secrets {
        password: password::random_secret(),
        client_id: String::new(),
        client_secret: password::random_secret(),
    };
    let vejle = "630";
    let user_orgs = [
        orgs.get("admin"),
        orgs.get(vejle),
        orgs.get(vejle),
        orgs.jobcentres.get(vejle).copied().unwrap_or_default(),
        orgs.get("sst"),
        orgs.get(vejle),
    ];
    let mut ids: Vec<UserId> = Vec::new();
    let mut client_id = String::new();
    for ((role, username), org) in DEMO_USERS.iter().zip(user_orgs) {
        let display = format!("Demo {}", role.as_str().replace('_', " "));
        let mut row = people::user_row(&mut g, username, &display, *role, org);
        if role.is_machine() {
            client_id = format!("bbc_{}", row.id.as_uuid().simple());
            row.client_id = Some(client_id.clone());
            // The demo client may use every scope.
            row.scopes = crate::auth::scope::join(&crate::auth::scope::Scope::ALL);
            row.client_secret_hash = Some(
                password::hash(&secrets.client_secret)
                    .map_err(|e| SeedError::Invalid(e.to_string()))?,
            );
        } else {
            row.password_hash = Some(
                password::hash(&secrets.password).map_err(|e| SeedError::Invalid(e.to_string()))?,
            );
        }
        ids.push(row.id);
        g.batch.users.push(row);
    }
    let [admin, coordinator, peer_user, professional, ..] = ids[..] else {
        return Err(SeedError::Invalid("demo users".to_owned()));
    };
    let programme_ids = programmes::programmes(&mut g, &orgs, admin)?;
    let staff = people::staff(&mut g, &orgs, coordinator);
    let mut peers = people::peer_workers(
        &mut g,
        &orgs,
        &programme_ids,
        &staff,
        &sizes.peers_per_programme(),
        peer_user,
    )?;
    let demo_peer = peers
        .iter()
        .find(|p| p.programme == SYDDANMARK)
        .map(|p| p.id)
        .unwrap_or_default();
    let mut bridges = bridges::Bridges::default();
    bridges.recipients.insert(
        orgs.jobcentres.get(vejle).copied().unwrap_or_default(),
        professional,
    );
    let ctx = facts::Context {
        orgs: &orgs,
        programme_ids: &programme_ids,
        staff: &staff,
        vault,
        demo_peer: (demo_peer, peer_user),
    };
    let targets = citizens::Targets {
        citizens: sizes.citizens,
        support_courses: sizes.support_courses,
        contacts: sizes.contacts,
        referrals: sizes.referrals,
    };
    let registered = citizens::citizens(&mut g, &ctx, &mut peers, targets, &mut bridges)?;
    let ctx = courses::Context {
        orgs: &orgs,
        programme_ids: &programme_ids,
        staff: &staff,
        peers: &peers,
        citizens: &registered,
    };
    courses::courses(&mut g, &ctx, sizes.courses, sizes.enrolments)?;
    // Advisory processes and their findings (see `advisory.rs`).
    let advisory = advisory::context(&mut g, &orgs, &programme_ids, admin);
    advisory::seed_advisory(&mut g, &advisory)?;
    Ok((
        g,
        Secrets {
            client_id,
            ..secrets
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_one_is_the_benchmark_set() {
        let s = Sizes::at(1.0);
        assert_eq!(
            (
                s.peer_workers,
                s.citizens,
                s.support_courses,
                s.contacts,
                s.referrals,
                s.courses,
                s.enrolments
            ),
            (400, 100_000, 150_000, 1_000_000, 50_000, 2_000, 40_000)
        );
        assert_eq!(Sizes::at(2.0).contacts, 2_000_000);
        assert_eq!(Sizes::at(0.01).citizens, 1_000);
        assert_eq!(s.peers_per_programme(), vec![160, 120, 120, 0]);
    }

    #[test]
    fn the_default_set_is_a_few_hundred_citizens() {
        let s = Sizes::at(DEFAULT_SCALE);
        assert_eq!(s.citizens, 300);
        assert_eq!(s.peer_workers, 24);
    }

    #[test]
    fn the_same_seed_gives_the_same_rows_and_they_keep_the_rules() {
        let vault = CprVault::new(&[3u8; 32]);
        let (a, _) = generate(Sizes::at(0.002), 42, &vault).expect("generate");
        let (b, _) = generate(Sizes::at(0.002), 42, &vault).expect("generate");
        let (c, _) = generate(Sizes::at(0.002), 43, &vault).expect("generate");
        let names = |g: &Gen| {
            g.batch
                .citizens
                .iter()
                .map(|c| (c.id, c.name.clone(), c.cpr_index.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&c));
        assert_eq!(a.batch.contacts, b.batch.contacts);
        assert_eq!(a.batch.counts(), b.batch.counts());
        assert_eq!(a.batch.advisory_findings, b.batch.advisory_findings);
        assert_eq!(a.batch.advisory_processes.len(), 20);
        assert!(a.batch.advisory_findings.len() >= 40);
        // Capacity: no peer worker guides more open courses than it may.
        for peer in &a.batch.peer_workers {
            let open = a
                .batch
                .support_courses
                .iter()
                .filter(|c| c.peer_worker_id == Some(peer.id) && c.status.is_open())
                .count();
            assert!(
                open <= peer.capacity as usize,
                "{} guides {open} > {}",
                peer.name,
                peer.capacity
            );
        }
        // Every referral's consent is the citizen's, of the purpose its target needs.
        for r in &a.batch.referrals {
            let consent = a
                .batch
                .consents
                .iter()
                .find(|c| c.id == r.consent_id)
                .expect("consent");
            assert_eq!(consent.citizen_id, r.citizen_id);
            assert_eq!(consent.purpose, r.target_kind.consent_purpose());
            assert!(consent.given_on <= r.created_at.date());
        }
        // The database's unique keys hold: one employment status a day, one place per citizen.
        let days: std::collections::HashSet<_> = a
            .batch
            .employment_statuses
            .iter()
            .map(|e| (e.citizen_id, e.effective_on))
            .collect();
        assert_eq!(days.len(), a.batch.employment_statuses.len());
        let places: std::collections::HashSet<_> = a
            .batch
            .course_enrolments
            .iter()
            .filter_map(|e| e.citizen_id.map(|c| (e.course_id, c)))
            .collect();
        assert_eq!(
            places.len(),
            a.batch
                .course_enrolments
                .iter()
                .filter(|e| e.citizen_id.is_some())
                .count()
        );
    }
}
