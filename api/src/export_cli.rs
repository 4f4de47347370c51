//! `brobygger export`: the same export as `GET /api/v1/exports/{dataset}` (the same checks,
//! access decision and producer), written to a file that appears whole or not at all, with a
//! progress bar on a terminal and a one-line summary otherwise.

use crate::actor::Auditor;
use crate::app;
use crate::auth::CurrentUser;
use crate::clock::Clock;
use crate::cpr_vault::CprVault;
use crate::export::dto::ExportParams;
use crate::export::service::{self, Piece, produce};
use crate::settings::Settings;
use brobygger_domain::user::Role;
use brobygger_persistence::ids::{OrganisationId, SessionId, UserId};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use uuid::Uuid;

/// The flags of `brobygger export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// support_courses, contacts, goals, referrals, employment_statuses, retention_checks,
    /// courses, enrolments or attendance.
    pub dataset: String,
    /// csv (default) or ndjson.
    #[arg(long, value_name = "FORMAT", default_value = "csv")]
    pub format: String,
    /// The first day of the period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// The last day of the period (YYYY-MM-DD, included).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this programme's rows.
    #[arg(long, value_name = "ID")]
    pub programme_id: Option<String>,
    /// Only rows changed at or after this instant (RFC 3339).
    #[arg(long, value_name = "INSTANT")]
    pub updated_since: Option<String>,
    /// The recipient organisation (an id): its partner programmes, and for an evaluator its
    /// pseudonym key, as for its users' exports over HTTP.
    #[arg(long, value_name = "ID")]
    pub as_organisation: String,
    /// The recipient's role: evaluator (pseudonymised) or coordinator (citizen ids and free
    /// text, never CPR).
    #[arg(long, value_name = "ROLE", default_value = "evaluator")]
    pub role: String,
    /// The file to write (replaced only when the export is complete).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs the export into `args.out`, on the database of the environment's settings.
pub fn run(args: &ExportArgs) -> Result<(), String> {
    run_with(&Settings::for_command().map_err(|e| e.to_string())?, args).map(|summary| {
        println!("{summary}");
    })
}

/// Runs the export into `args.out` on the database of `settings`; returns the summary line.
pub fn run_with(settings: &Settings, args: &ExportArgs) -> Result<String, String> {
    let role = match Role::parse(&args.role) {
        Some(role @ (Role::Evaluator | Role::Coordinator)) => role,
        _ => return Err(format!("--role {:?}: evaluator or coordinator", args.role)),
    };
    let organisation = Uuid::parse_str(&args.as_organisation)
        .map_err(|_| format!("--as-organisation {:?} is no id", args.as_organisation))?;
    let params = ExportParams {
        format: Some(args.format.clone()),
        from: args.from.clone(),
        to: args.to.clone(),
        programme_id: args.programme_id.clone(),
        updated_since: args.updated_since.clone(),
    };
    let request = service::request(&args.dataset, &params, None).map_err(|e| problem(&e))?;
    let vault = CprVault::new(&app::encryption_key(settings).map_err(|e| e.to_string())?);
    let db = app::open_database(settings).map_err(|e| e.to_string())?;
    let organisation_id = OrganisationId::from(organisation);
    let user = CurrentUser {
        id: UserId::from(Uuid::nil()),
        organisation_id,
        role,
        session_id: SessionId::from(Uuid::nil()),
        scopes: Vec::new(),
    };
    let auditor = Auditor::system(organisation_id, "export", Clock::system().now_naive());
    let request_id = auditor_request_id();
    let plan = {
        let mut conn = db.pool().get().map_err(|e| e.to_string())?;
        service::plan(&mut conn, &user, auditor, &vault, &request, request_id)
            .map_err(|e| problem(&e))?
    };
    let partial = partial_name(&args.out);
    let file = std::fs::File::create(&partial)
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
    let bar = progress_bar();
    let started = Instant::now();
    let mut failure = None;
    let outcome = produce(&db, &plan, |piece| match piece {
        Piece::Chunk { bytes, rows } => match writer.write_all(&bytes) {
            Ok(()) => {
                bar.inc(rows);
                true
            }
            Err(e) => {
                failure = Some(format!("cannot write {}: {e}", partial.display()));
                false
            }
        },
        Piece::Failed(e) => {
            failure = Some(problem(&e));
            false
        }
    });
    let written = writer
        .into_inner()
        .map_err(|e| e.to_string())
        .and_then(|file| file.sync_all().map_err(|e| e.to_string()));
    match (failure, outcome.complete, written) {
        (None, true, Ok(())) => {
            std::fs::rename(&partial, &args.out).map_err(|e| e.to_string())?;
            let seconds = started.elapsed().as_secs_f64();
            let summary = format!(
                "exported {} rows of {} to {} in {seconds:.1} s ({:.0} rows/s)",
                outcome.rows,
                args.dataset,
                args.out.display(),
                outcome.rows as f64 / seconds.max(1e-9)
            );
            bar.finish_and_clear();
            Ok(summary)
        }
        (failure, _, written) => {
            bar.abandon();
            let _ = std::fs::remove_file(&partial);
            Err(failure
                .or(written.err())
                .unwrap_or_else(|| "the export stopped".to_owned()))
        }
    }
}

/// A hidden bar unless standard error is a terminal.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {human_pos} rows  {per_sec}  {elapsed_precise}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}

/// The temporary name beside `out` (same directory, so the rename is atomic).
fn partial_name(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

fn auditor_request_id() -> String {
    format!("export-{}", Uuid::now_v7())
}

fn problem(e: &crate::error::ApiError) -> String {
    let p = e.problem();
    serde_json::to_string(&p).unwrap_or_else(|_| e.to_string())
}
