//! Building and running the server: `Application::build(settings)`, `port()`,
//! `run_until_stopped()`, callable from `main` and from the tests alike.

use crate::audit_commit::GroupCommit;
use crate::auth::password;
use crate::clock::Clock;
use crate::cpr_vault::CprVault;
use crate::db::Database;
use crate::employment;
use crate::error::ApiError;
use crate::in_flight::InFlight;
use crate::methods::Methods;
use crate::metrics::Metrics;
use crate::openapi::ApiDoc;
use crate::peer_worker;
use crate::programme;
use crate::referral;
use crate::sessions::{self, Sessions};
use crate::settings::Settings;
use crate::state::AppState;
use crate::tokens::TokenKeys;
use crate::{
    audit, citizen, consent, contact, goal, health, metrics, organisation, partner_invitation,
    problem_types, proxy, reference, request_context, supervision, support_course, token,
    training_cohort, user,
};
use crate::{course, course_enrolment};
use actix_cors::Cors;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Condition, Logger, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, get, http::header, web};
use brobygger_persistence::{self as persistence, DatabaseUrl, DbConnection, auth as auth_store};
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope, service_config::ServiceConfig};
use utoipa_swagger_ui::SwaggerUi;

/// Every route of the API. Registered through utoipa-actix-web, so a route cannot exist
/// without being in the contract.
fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::live)
        .service(health::ready)
        .service(metrics::serve_metrics)
        .service(problem_types::problem_type)
        .service(
            scope::scope("/api/v1")
                .service(openapi_json)
                .service(openapi_yaml)
                .configure(token::configure)
                .service(reference::municipalities)
                .service(reference::regions)
                .configure(organisation::configure)
                .configure(user::configure)
                .configure(citizen::configure)
                .configure(consent::configure)
                .configure(audit::configure)
                .configure(support_course::configure)
                .configure(goal::configure)
                .configure(contact::configure)
                .configure(programme::configure)
                .configure(partner_invitation::configure)
                .configure(peer_worker::configure)
                .configure(training_cohort::configure)
                .configure(supervision::configure)
                .configure(employment::configure)
                .configure(referral::configure)
                .configure(course::configure)
                .configure(course_enrolment::configure)
                .configure(crate::advisory::configure)
                .configure(crate::report::configure)
                .configure(crate::export::configure),
        );
}

/// The contract, as generated from the routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::Modify;
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    crate::openapi::ErrorResponses.modify(&mut document);
    crate::contract_rules::CleanContract.modify(&mut document);
    crate::contract_patterns::ContractPatterns.modify(&mut document);
    document
}

/// The contract as YAML: what `brobygger openapi` prints and `openapi.yaml` holds.
pub fn openapi_yaml_text() -> Result<String, String> {
    openapi().to_yaml().map_err(|e| e.to_string())
}

struct Contract {
    json: String,
    yaml: String,
}

/// The contract (JSON)
#[utoipa::path(
    tag = "health",
    operation_id = "get_openapi_json",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
async fn openapi_json(contract: web::Data<Contract>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(contract.json.clone())
}

/// The contract (YAML)
#[utoipa::path(
    tag = "health",
    operation_id = "get_openapi_yaml",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/yaml", body = Object))
)]
#[get("/openapi.yaml")]
async fn openapi_yaml(contract: web::Data<Contract>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/yaml")
        .body(contract.yaml.clone())
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] persistence::DbError),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<ApiError> for StartError {
    fn from(e: ApiError) -> Self {
        Self::Setup(match e {
            ApiError::Internal(cause) => cause,
            other => other.to_string(),
        })
    }
}

/// Opens the pool and runs the migrations.
pub fn open_database(settings: &Settings) -> Result<Database, StartError> {
    let pool = persistence::connection::pool(&settings.database_url, settings.pool)?;
    let mut conn = pool.get().map_err(persistence::DbError::Pool)?;
    let applied = persistence::connection::migrate(&mut conn)?;
    if applied > 0 {
        log::info!("applied {applied} migration(s)");
    }
    Ok(Database::new(pool, settings.database_url.backend()))
}

/// The key that encrypts CPR numbers: configured, or for SQLite a key file beside the
/// database, generated on first start with owner-only permissions. PostgreSQL needs it
/// configured: a database server is shared, and the key must not live on it.
pub fn encryption_key(settings: &Settings) -> Result<[u8; 32], StartError> {
    let decode =
        |text: &str| CprVault::decode_key(text).map_err(|e| StartError::Setup(e.to_string()));
    if let Some(key) = &settings.encryption_key {
        return decode(key.expose_secret());
    }
    match &settings.database_url {
        persistence::DatabaseUrl::Postgres(_) => Err(StartError::Setup(
            "BROBYGGER_ENCRYPTION_KEY is required with PostgreSQL (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)"
                .to_owned(),
        )),
        persistence::DatabaseUrl::Sqlite(path) => {
            let key_path = format!("{path}.key");
            match std::fs::read_to_string(&key_path) {
                Ok(text) => decode(&text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    use std::io::Write;
                    use std::os::unix::fs::OpenOptionsExt;
                    let key = CprVault::generate_key();
                    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&key_path)?;
                    file.write_all(key.as_bytes())?;
                    file.sync_all()?;
                    log::info!("generated the CPR encryption key {key_path}; back it up with the database");
                    decode(&key)
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// The token signing key: configured, or generated once and kept in the database.
fn signing_key(conn: &mut DbConnection, settings: &Settings) -> Result<Vec<u8>, StartError> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.expose_secret().as_bytes().to_vec());
    }
    let kept = auth_store::setting_or_insert(conn, "jwt_secret", &password::random_secret())
        .map_err(ApiError::from)?;
    Ok(kept.into_bytes())
}

/// On a database without users, creates the first admin (and an organisation for it).
/// Returns the generated password, to be shown once.
fn first_admin(
    conn: &mut DbConnection,
    settings: &Settings,
    clock: &Clock,
) -> Result<Option<String>, StartError> {
    let (secret, generated) = match &settings.admin_password {
        Some(p) => (p.expose_secret().to_owned(), false),
        None => (password::random_secret(), true),
    };
    let hash = || password::hash(&secret).map_err(ApiError::internal);
    let username = &settings.admin_username;
    let created = user::service::first_admin(conn, username, hash, clock.now_naive())?;
    if created {
        log::info!("created the first admin user {username:?}");
    }
    Ok((created && generated).then_some(secret))
}

pub struct Application {
    port: u16,
    server: Server,
    /// Closed when the server has stopped, so that no connection outlives it.
    db: Database,
    /// PostgreSQL: the thread that hears other replicas' session changes; stopped with the
    /// server.
    listening: Option<sessions::Listening>,
}

/// How long a stopped server waits for its database connections to close.
const CLOSE_PATIENCE: Duration = Duration::from_secs(10);

impl Application {
    /// Opens the database, migrates it, prepares the first start, and binds the listener.
    pub async fn build(settings: Settings, clock: Clock) -> Result<Self, StartError> {
        let settings = Arc::new(settings);
        let (db, secret, generated, key) = {
            let settings = settings.clone();
            let clock = clock.clone();
            web::block(move || -> Result<_, StartError> {
                let key = encryption_key(&settings)?;
                let db = open_database(&settings)?;
                let mut conn = db.pool().get().map_err(persistence::DbError::Pool)?;
                let secret = signing_key(&mut conn, &settings)?;
                let generated = first_admin(&mut conn, &settings, &clock)?;
                Ok((db, secret, generated, key))
            })
            .await
            .map_err(|e| StartError::Setup(e.to_string()))??
        };
        if let Some(password) = generated {
            // Shown once, on the console, not through the logger.
            eprintln!(
                "\n  First start: created user {:?} with password {password}\n  Sign in and change it: PATCH /api/v1/users/{{id}}.\n",
                settings.admin_username
            );
        }
        let sessions = Arc::new(Sessions::new(
            sessions::CAPACITY,
            sessions::TTL,
            // PostgreSQL may have other replicas: cache only while listening for their changes.
            matches!(settings.database_url, DatabaseUrl::Sqlite(_)),
        ));
        let listening = match &settings.database_url {
            DatabaseUrl::Postgres(url) => Some(sessions.listen(url.clone())),
            DatabaseUrl::Sqlite(_) => None,
        };
        let state = web::Data::new(AppState {
            db,
            keys: TokenKeys::new(&secret, &settings.issuer, &settings.audience),
            vault: CprVault::new(&key),
            clock,
            settings: settings.clone(),
            in_flight: InFlight::default(),
            sessions,
            audit_commits: GroupCommit::default(),
        });
        let metrics = web::Data::new(
            Metrics::new(state.audit_commits.counts())
                .map_err(|e| StartError::Setup(e.to_string()))?,
        );
        let contract = openapi();
        let methods = web::Data::new(Methods::of(&contract));
        let contract = web::Data::new(Contract {
            json: contract
                .to_json()
                .map_err(|e| StartError::Setup(e.to_string()))?,
            yaml: contract
                .to_yaml()
                .map_err(|e| StartError::Setup(e.to_string()))?,
        });
        // The contract's document, turned into the two texts, is dropped: not needed again.
        brobygger_memory::collect();
        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        let db = state.db.clone();
        let body_limit = settings.body_limit;
        let origins = settings.cors_origins.clone();
        let proxies = web::Data::new(settings.trusted_proxies.clone());
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi())
                .configure(routes)
                .split_for_parts();
            // The worker's copy of the contract, just dropped, is not needed again; and what
            // the worker frees while serving goes back to the system within a second.
            brobygger_memory::collect();
            actix_web::rt::spawn(async {
                let mut tick = actix_web::rt::time::interval(Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    brobygger_memory::collect();
                }
            });
            app.app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(contract.clone())
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    ApiError::field("query", "invalid_value", e.to_string()).into()
                }))
                .app_data(
                    web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()),
                )
                .service(web::redirect("/docs", "/docs/"))
                .service(web::redirect("/", "/docs/"))
                .service(SwaggerUi::new("/docs/{_:.*}").config(
                    // No validator badge: it would load an image from the public validator.
                    utoipa_swagger_ui::Config::from("/api/v1/openapi.json").validator_url("none"),
                ))
                .app_data(methods.clone())
                .app_data(proxies.clone())
                .default_service(web::to(not_routed))
                .wrap(from_fn(crate::access::guard::middleware))
                .wrap(from_fn(metrics::middleware))
                .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
                .wrap(from_fn(request_context::middleware))
                .wrap(
                    Logger::new("%{x-request-id}o %a \"%{method}xi %U\" %s %b %Dms")
                        .custom_request_replace("method", |req| req.method().to_string()),
                )
                // Outermost: every layer inside sees the client's address.
                .wrap(from_fn(proxy::middleware))
        })
        .workers(settings.workers)
        .listen(listener)?;
        let server = if settings.handle_signals {
            server
        } else {
            server.disable_signals()
        };
        Ok(Self {
            port,
            server: server.shutdown_timeout(5).run(),
            db,
            listening,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from elsewhere: `handle().stop(true)` finishes the requests under way,
    /// then `run_until_stopped` returns.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped (by `handle()`, or by SIGINT/SIGTERM when the settings let the
    /// server handle signals), then closes the database connections; returns when they are
    /// closed. Queries run on blocking threads of the runtime `build` ran on: end that runtime
    /// after this returns, before the process exits (see `Database`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(listening) = self.listening {
            let _ = web::block(move || listening.stop()).await;
        }
        if !self.db.close(CLOSE_PATIENCE).await {
            log::warn!(
                "database connections still in use {}s after the server stopped",
                CLOSE_PATIENCE.as_secs()
            );
        }
        served
    }
}

/// What no route answered: `405` with `Allow` when the contract declares the path with other
/// methods, `404` otherwise.
async fn not_routed(req: HttpRequest, methods: web::Data<Methods>) -> HttpResponse {
    let error = match methods.allowed(req.path()) {
        Some(allowed) if !allowed.contains(&req.method().as_str()) => {
            ApiError::MethodNotAllowed(allowed)
        }
        _ => ApiError::NotFound,
    };
    actix_web::ResponseError::error_response(&error)
}

fn cors(origins: &[String]) -> Cors {
    let cors = origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin));
    cors.allowed_methods(["GET", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(3600)
}
