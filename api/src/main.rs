//! `brobygger`: the one binary. `serve` (the default), `migrate`, `openapi`, `create-user`,
//! `retention`, `help`.

use brobygger_api::auth::password;
use brobygger_api::user::service::OperatorSecret;
use brobygger_api::{Application, Clock, Settings, app, user};
use brobygger_domain::user::Role;
use clap::{CommandFactory, Parser, Subcommand};
use indicatif::ProgressBar;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

/// mimalloc instead of glibc's malloc: with glibc, the memory of the many threads that run
/// queries stays in per-thread arenas after a burst of load. Built without transparent huge
/// pages (feature `no_thp`): with them mimalloc's arena took 52 MiB resident at start
/// (bench/README.md, "Memory").
#[global_allocator]
static ALLOCATOR: brobygger_memory::MiMalloc = brobygger_memory::MiMalloc;

/// The environment every command that opens the database reads.
const DATABASE_ENV: &str = "Environment:
  DATABASE_URL              sqlite://PATH (default sqlite://brobygger.db) or postgres://USER@HOST/DB
  BROBYGGER_ENCRYPTION_KEY  base64 of 32 bytes that encrypts CPR numbers (SQLite default: the key
                            file <database>.key; PostgreSQL: required)
  BROBYGGER_DB_POOL_SIZE    database connections (default 10)
  RUST_LOG                  log level (default info)
A .env file in the working directory is read first.";

const SERVE_ENV: &str = "Environment:
  DATABASE_URL              sqlite://PATH (default sqlite://brobygger.db) or postgres://USER@HOST/DB
  BROBYGGER_ENCRYPTION_KEY  base64 of 32 bytes that encrypts CPR numbers
  BROBYGGER_DB_POOL_SIZE    database connections (default 10)
  BROBYGGER_BIND            listen address (default 127.0.0.1:8080)
  BROBYGGER_BLOCKING_THREADS  the most threads that run queries (default: two per worker)
  BROBYGGER_JWT_SECRET      token signing key, at least 32 characters (default: generated once
                            and kept in the database)
  BROBYGGER_CORS_ORIGINS    comma-separated origins of browser front-ends (default none)
  BROBYGGER_ADMIN_USERNAME  the first admin on a database without users (default admin)
  BROBYGGER_ADMIN_PASSWORD  its password (default: random, printed once)
  BROBYGGER_TRUSTED_PROXIES comma-separated addresses/CIDR networks of reverse proxies whose
                            Forwarded / X-Forwarded-For name the client (default none)
  BROBYGGER_METRICS_TOKEN   the bearer token /metrics needs (default: /metrics answers only
                            loopback clients)
  RUST_LOG                  log level (default info)
See README.md, \"Configuration\", for every setting.";

const CREATE_USER_ENV: &str = "Environment:
  BROBYGGER_NEW_USER_PASSWORD  the new person's password, at least 12 characters (default: one is
                               generated and printed once); not read for --role integration, whose
                               client secret is always generated and printed once
  DATABASE_URL, BROBYGGER_ENCRYPTION_KEY, BROBYGGER_DB_POOL_SIZE, RUST_LOG: as for every command
  that opens the database (see brobygger --help)";

#[derive(Parser)]
#[command(
    name = "brobygger",
    version,
    about = "Peer support for people with mental illness: the Brobygger API server",
    long_about = "Peer support for people with mental illness: the Brobygger API server.\n\n\
        Without a command it serves the API (see `brobygger serve --help`).",
    after_help = DATABASE_ENV,
    // Our own `help` command, so that `brobygger help --help` is help, not an error.
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Runs pending migrations first.
    #[command(after_help = SERVE_ENV)]
    Serve,
    /// Run pending database migrations and exit (`serve` runs them too).
    ///
    /// Shows a spinner on a terminal, then one line: how many migrations it applied.
    #[command(after_help = DATABASE_ENV)]
    Migrate,
    /// Print the OpenAPI contract (YAML) to standard output; reads no environment.
    Openapi,
    /// Anonymise citizens whose last support course closed more than N years ago.
    ///
    /// Shows a spinner on a terminal, then one line: how many citizens it anonymised.
    #[command(after_help = DATABASE_ENV)]
    Retention {
        /// Anonymise citizens whose last support course closed more than this many years ago.
        #[arg(long, value_name = "N")]
        older_than_years: u32,
    },
    /// Create a user: a person with a password, or an integration client (`--role integration`)
    /// with a client id and secret, printed once.
    #[command(after_help = CREATE_USER_ENV)]
    CreateUser {
        /// The sign-in name (unique); for an integration client, a name for the system.
        #[arg(long, value_name = "NAME")]
        username: String,
        /// The name shown for the user (default: the username).
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
        /// The role: admin, coordinator, peer_worker, professional, evaluator or integration.
        #[arg(long, value_name = "ROLE")]
        role: String,
        /// The user's organisation (an id); defaults to the first admin's organisation.
        #[arg(long, value_name = "ID")]
        organisation_id: Option<String>,
        /// An OAuth scope the integration client may use (repeat for more), e.g. citizens:read.
        #[arg(long, value_name = "SCOPE")]
        scope: Vec<String>,
    },
    /// Print the help of brobygger, or of one command (`brobygger help create-user`).
    Help {
        /// The command whose help to print (default: brobygger's own).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
    /// Load the four real programmes with an invented population and one demo user per role
    /// (printed with their password); refuses a database that holds programmes already.
    #[command(after_help = DATABASE_ENV)]
    SeedDemo {
        /// Size as a multiple of the benchmark set (scale 1: 100,000 citizens, 1,000,000
        /// contacts, …); fractions allowed, e.g. 0.01. Default: a few hundred citizens.
        #[arg(long, value_name = "N")]
        scale: Option<f64>,
        /// The random seed: the same seed gives the same data (default 1).
        #[arg(long, value_name = "S")]
        seed: Option<u64>,
    },
    /// Export a dataset to a file: the same export as GET /api/v1/exports/{dataset}, for a
    /// recipient organisation and role, with a progress bar on a terminal.
    #[command(after_help = DATABASE_ENV)]
    Export(brobygger_api::export_cli::ExportArgs),
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
        Command::Help { command } => help(command.as_deref()),
        Command::SeedDemo { scale, seed } => brobygger_api::demo::command(scale, seed),
        Command::Export(args) => brobygger_api::export_cli::run(&args),
        Command::CreateUser {
            username,
            display_name,
            role,
            organisation_id,
            scope,
        } => create_user(
            &username,
            display_name.as_deref(),
            &role,
            organisation_id.as_deref(),
            &scope,
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

/// The settings of a one-shot command (see [`Settings::for_command`]).
fn settings() -> Result<Settings, String> {
    Settings::for_command().map_err(|e| e.to_string())
}

fn serve() -> Result<(), String> {
    let settings = Settings::from_env().map_err(|e| e.to_string())?;
    // The runtime `System::new` would build, with the bound on the threads that run queries.
    let mut runtime = tokio::runtime::Builder::new_current_thread();
    runtime.enable_all();
    runtime.max_blocking_threads(settings.query_threads());
    let runtime = runtime.build().map_err(|e| e.to_string())?;
    brobygger_memory::return_freed_memory_every(Duration::from_secs(1));
    let system = actix_web::rt::System::with_tokio_rt(move || runtime);
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

fn help(command: Option<&str>) -> Result<(), String> {
    let mut cli = Cli::command();
    // Names the commands' usage lines `brobygger <command>`.
    cli.build();
    let mut target = match command {
        None => cli,
        Some(name) => cli
            .find_subcommand_mut(name)
            .ok_or_else(|| format!("no command {name:?}; see brobygger --help"))?
            .clone(),
    };
    target.print_long_help().map_err(|e| e.to_string())
}

/// A spinner on standard error while `work` runs, when that is a terminal; nothing otherwise
/// (logs and pipes get only the summary line).
fn with_spinner<T>(message: &str, work: impl FnOnce() -> T) -> T {
    let spinner = std::io::stderr().is_terminal().then(|| {
        let spinner = ProgressBar::new_spinner().with_message(message.to_owned());
        spinner.enable_steady_tick(Duration::from_millis(100));
        spinner
    });
    let result = work();
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    result
}

fn retention(years: u32) -> Result<(), String> {
    let settings = settings()?;
    let now = Clock::system().now_naive();
    let done = with_spinner("anonymising citizens past the retention period", || {
        brobygger_api::retention::run(&settings, years, now)
    })
    .map_err(|e| e.to_string())?;
    println!(
        "anonymised {done} citizen(s) whose last support course closed more than {years} year(s) ago"
    );
    Ok(())
}

fn migrate() -> Result<(), String> {
    use brobygger_persistence::connection;
    let settings = settings()?;
    let applied = with_spinner("migrating the database", || {
        let pool = connection::pool(&settings.database_url, settings.pool)?;
        let mut conn = pool.get().map_err(brobygger_persistence::DbError::Pool)?;
        connection::migrate(&mut conn)
    })
    .map_err(|e| e.to_string())?;
    println!("the database is up to date: applied {applied} migration(s)");
    Ok(())
}

fn create_user(
    username: &str,
    display_name: Option<&str>,
    role: &str,
    organisation_id: Option<&str>,
    scope: &[String],
) -> Result<(), String> {
    let known = Role::ALL.map(Role::as_str).join(", ");
    let role = Role::parse(role).ok_or_else(|| format!("unknown role {role:?}: one of {known}"))?;
    let scopes =
        brobygger_api::auth::scope::of_new_user(role, Some(scope).filter(|s| !s.is_empty()))
            .map_err(|e| {
                format!(
                    "--scope: {}",
                    e.problem()
                        .errors
                        .first()
                        .map_or_else(String::new, |f| f.message.clone())
                )
            })?;
    let settings = settings()?;
    let db = app::open_database(&settings).map_err(|e| e.to_string())?;
    let mut conn = db.pool().get().map_err(|e| e.to_string())?;
    let (secret, generated) = match std::env::var("BROBYGGER_NEW_USER_PASSWORD") {
        _ if role.is_machine() => (password::random_secret(), true),
        Ok(p) if p.chars().count() >= 12 => (p, false),
        Ok(_) => {
            return Err("BROBYGGER_NEW_USER_PASSWORD must be at least 12 characters".to_owned());
        }
        Err(_) => (password::random_secret(), true),
    };
    let hash = password::hash(&secret).map_err(|e| e.to_string())?;
    let stored = if role.is_machine() {
        OperatorSecret::Client {
            client_id: OperatorSecret::new_client_id(),
            secret_hash: hash,
            scopes,
        }
    } else {
        OperatorSecret::Password(hash)
    };
    let now = Clock::system().now_naive();
    let names = (username, display_name.unwrap_or(username));
    let created =
        user::service::create_by_operator(&mut conn, names, role, organisation_id, stored, now)
            .map_err(|e| format!("cannot create the user: {e}"))?;
    println!(
        "created user {} ({}) with id {}",
        created.username,
        created.role.as_str(),
        created.id
    );
    match &created.client_id {
        Some(client_id) => {
            println!("client_id: {client_id}");
            println!("scopes: {}", created.scopes);
            println!("client_secret: {secret}");
            println!(
                "(shown once; sign in with grant_type=client_credentials at /api/v1/auth/token)"
            );
        }
        None if generated => println!("password: {secret}"),
        None => {}
    }
    Ok(())
}
