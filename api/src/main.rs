//! `brobygger`: the one binary. `serve` (the default), `migrate`, `openapi`, `create-user`.

use brobygger_api::auth::password;
use brobygger_api::{Application, Clock, Settings, app, user};
use brobygger_domain::user::Role;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "brobygger",
    version,
    about = "Peer support for people with mental illness: the Brobygger API server"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Runs pending migrations first.
    Serve,
    /// Run pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI contract (YAML).
    Openapi,
    /// Anonymise citizens whose last support course closed more than N years ago.
    Retention {
        #[arg(long, value_name = "N")]
        older_than_years: u32,
    },
    /// Create a user. The password comes from BROBYGGER_NEW_USER_PASSWORD, else one is generated
    /// and printed once.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// admin, coordinator, peer_worker, professional or evaluator.
        #[arg(long, default_value = "admin")]
        role: String,
        /// The user's organisation (an id); defaults to the first admin's organisation.
        #[arg(long)]
        organisation_id: Option<String>,
    },
}

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => app::openapi_yaml_text().map(|yaml| print!("{yaml}")),
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::Retention { older_than_years } => retention(older_than_years),
        Command::CreateUser {
            username,
            display_name,
            role,
            organisation_id,
        } => create_user(
            &username,
            display_name.as_deref(),
            &role,
            organisation_id.as_deref(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("brobygger: {message}");
            ExitCode::FAILURE
        }
    }
}

fn settings() -> Result<Settings, String> {
    Settings::from_env().map_err(|e| e.to_string())
}

fn serve() -> Result<(), String> {
    let settings = settings()?;
    let system = actix_web::rt::System::new();
    let served = system.block_on(async move {
        let bind = settings.bind.clone();
        let application = Application::build(settings, Clock::system())
            .await
            .map_err(|e| e.to_string())?;
        log::info!("Brobygger serving on http://{bind} (docs at /docs)");
        // Until SIGTERM (the requests under way finish first) or SIGINT; then the workers stop
        // and the database connections close.
        application
            .run_until_stopped()
            .await
            .map_err(|e| e.to_string())
    });
    // Ending the runtime waits for its blocking threads, which ran the queries: none of them
    // may still be ending while the process exits.
    drop(system);
    if served.is_ok() {
        log::info!("Brobygger stopped");
    }
    served
}

fn retention(years: u32) -> Result<(), String> {
    let settings = settings()?;
    let now = Clock::system().now_naive();
    let done = brobygger_api::retention::run(&settings, years, now).map_err(|e| e.to_string())?;
    println!(
        "anonymised {done} citizen(s) whose last support course closed more than {years} year(s) ago"
    );
    Ok(())
}

fn migrate() -> Result<(), String> {
    let settings = settings()?;
    app::open_database(&settings).map_err(|e| e.to_string())?;
    log::info!("the database is up to date");
    Ok(())
}

fn create_user(
    username: &str,
    display_name: Option<&str>,
    role: &str,
    organisation_id: Option<&str>,
) -> Result<(), String> {
    let role = Role::parse(role)
        .filter(|r| !r.is_machine())
        .ok_or_else(|| format!("unknown role {role:?}"))?;
    let settings = settings()?;
    let db = app::open_database(&settings).map_err(|e| e.to_string())?;
    let mut conn = db.pool().get().map_err(|e| e.to_string())?;
    let (secret, generated) = match std::env::var("BROBYGGER_NEW_USER_PASSWORD") {
        Ok(p) if p.chars().count() >= 12 => (p, false),
        Ok(_) => {
            return Err("BROBYGGER_NEW_USER_PASSWORD must be at least 12 characters".to_owned());
        }
        Err(_) => (password::random_secret(), true),
    };
    let hash = password::hash(&secret).map_err(|e| e.to_string())?;
    let now = Clock::system().now_naive();
    let names = (username, display_name.unwrap_or(username));
    let created =
        user::service::create_by_operator(&mut conn, names, role, organisation_id, hash, now)
            .map_err(|e| format!("cannot create the user: {e}"))?;
    println!(
        "created user {} ({}) with id {}",
        created.username,
        created.role.as_str(),
        created.id
    );
    if generated {
        println!("password: {secret}");
    }
    Ok(())
}
