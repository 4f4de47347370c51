//! The contract's frame: info, tags, security, and the error responses every operation shares.
//! The operations themselves come from the handlers as they are registered (see `app.rs`).

use crate::access::operations;
use crate::auth::scope::Scope;
use brobygger_domain::user::Role;
use serde_json::json;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ClientCredentials, Flow, Http, HttpAuthScheme, OAuth2, Password, Scopes, SecurityRequirement,
    SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Brobygger",
        description = "Peer support for people with mental illness: programmes, peer workers, \
            citizens and their support courses, bridge-building under consent. Conventions: JSON, \
            `snake_case`, UUIDv7 ids, RFC 3339 instants in UTC, cursor pagination with \
            `updated_since`, `ETag`/`If-Match` on changes (JSON merge patch), `Idempotency-Key` on \
            creates and on every other `POST` that changes state (transitions, withdrawal, \
            anonymisation), RFC 9457 problem documents for every error.",
        license(name = "MPL-2.0", identifier = "MPL-2.0"),
        contact(name = "Brobygger")
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "Tokens and the signed-in user"),
        (name = "organisations", description = "The tenants: municipalities, regions, organisations"),
        (name = "users", description = "Users and integration clients"),
        (name = "citizens", description = "Citizens, their consents and their rights; every access is audited"),
        (name = "employment", description = "Citizens' employment statuses and the retention checks after job starts; every access is audited"),
        (name = "support-courses", description = "One-to-one support: courses, matching, goals and contacts"),
        (name = "referrals", description = "Bridge-building: referrals under consent and the recipient's inbox"),
        (name = "courses", description = "The teaching model: co-created courses taught together, sessions, enrolments with a waitlist, attendance"),
        (name = "audit", description = "The audit log of citizen data"),
        (name = "reference", description = "Official municipality and region codes"),
        (name = "programmes", description = "Programmes, their partners, targets and phases"),
        (name = "peer-workers", description = "The peer workforce and its qualifications"),
        (name = "training-cohorts", description = "Peer education: cohorts, trainers and enrolments"),
        (name = "supervision", description = "Supervision sessions of peer workers"),
        (name = "advisory-processes", description = "Advisory processes: an advising organisation helps a municipality take up a programme; findings are drivers and barriers by theme"),
        (name = "exports", description = "Streamed CSV and NDJSON exports for evaluators and data warehouses; pseudonymised for evaluators and integration clients; each export audited"),
        (name = "health", description = "Liveness, readiness and metrics"),
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemField)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.bearer_format = Some("JWT".to_owned());
        bearer.description = Some("An access token from `POST /api/v1/auth/token`.".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let scopes = || {
            Scopes::from_iter(
                Scope::ALL
                    .into_iter()
                    .map(|s| (s.as_str().to_owned(), s.description().to_owned())),
            )
        };
        let mut oauth2 = OAuth2::new([
            Flow::Password(Password::new(TOKEN_URL, Scopes::new())),
            Flow::ClientCredentials(ClientCredentials::new(TOKEN_URL, scopes())),
        ]);
        oauth2.description = Some(
            "OAuth 2.0 (RFC 6749) at `POST /api/v1/auth/token`: the password grant for people, \
             the client-credentials grant for integration clients (client authentication by \
             HTTP Basic or in the body). A person's role decides what its token may do; an \
             integration client is granted scopes when it is created, its token carries them \
             (all, or those it asks for with `scope`), and each operation names the scope it \
             needs in its security requirement. A token without it gets `403` \
             `insufficient_scope`."
                .to_owned(),
        );
        components.add_security_scheme("oauth2", SecurityScheme::OAuth2(oauth2));
    }
}

const TOKEN_URL: &str = "/api/v1/auth/token";

/// Every operation that takes a bearer token takes one from the `oauth2` flows too (the same
/// token), so that Swagger UI can sign in by itself, naming the scope an integration client
/// needs; and its description says who may call it. Both from the operations table.
fn add_oauth2(operation: &mut Operation, path: &str, method: &str) {
    let row = operations::find(&method.to_ascii_uppercase(), path);
    if let Some(row) = row.filter(|r| !r.is_public()) {
        let description = operation.description.get_or_insert_with(String::new);
        description.push_str(&who_may(row));
    }
    let Some(security) = operation.security.as_mut() else {
        return;
    };
    let bearer = serde_json::to_value(SecurityRequirement::new("bearer", Vec::<String>::new()))
        .unwrap_or_default();
    let secured = security
        .iter()
        .any(|s| serde_json::to_value(s).unwrap_or_default() == bearer);
    if secured {
        let scopes: Vec<String> = row
            .and_then(|r| r.scope())
            .map(|s| s.as_str().to_owned())
            .into_iter()
            .collect();
        security.push(SecurityRequirement::new("oauth2", scopes));
    }
}

/// The sentence of an operation's description naming who may call it.
fn who_may(row: &operations::Operation) -> String {
    let roles: Vec<&str> = operations::ROLES
        .into_iter()
        .filter(|r| row.cell(*r) == operations::Cell::Y && !r.is_machine())
        .map(|r| r.as_str())
        .collect();
    let client = match (row.cell(Role::Integration), row.scope()) {
        (operations::Cell::Y, Some(scope)) => {
            format!("; integration clients with the scope `{scope}`")
        }
        (operations::Cell::Y, None) => "; integration clients".to_owned(),
        _ => String::new(),
    };
    format!("\n\nWho may call it: {}{client}.", roles.join(", "))
}

/// The shared error responses: (name, status, code, description).
const ERRORS: &[(&str, &str, &str, &str)] = &[
    (
        "MalformedBody",
        "400",
        "malformed_body",
        "The body is not valid JSON",
    ),
    (
        "Unauthorized",
        "401",
        "unauthorized",
        "No, expired, malformed or badly signed token",
    ),
    (
        "Forbidden",
        "403",
        "forbidden",
        "The user sees the resource but its role may not do this",
    ),
    (
        "NotFound",
        "404",
        "not_found",
        "No such resource, or one outside the user's scope",
    ),
    (
        "Conflict",
        "409",
        "conflict",
        "A unique fact already exists, the resource's state forbids the change, or the same Idempotency-Key is still being processed",
    ),
    (
        "VersionMismatch",
        "412",
        "version_mismatch",
        "If-Match does not match the current version",
    ),
    (
        "PayloadTooLarge",
        "413",
        "payload_too_large",
        "The body is over the limit (1 MiB)",
    ),
    (
        "UnsupportedMediaType",
        "415",
        "unsupported_media_type",
        "The body is not JSON",
    ),
    (
        "Validation",
        "422",
        "validation",
        "Invalid input; every invalid field is listed",
    ),
    (
        "PreconditionRequired",
        "428",
        "precondition_required",
        "A change without If-Match",
    ),
    (
        "Unavailable",
        "503",
        "unavailable",
        "The database is unreachable; the server stays up",
    ),
    (
        "Internal",
        "500",
        "internal",
        "A bug, logged with the request id",
    ),
];

/// Adds the shared error responses to every operation; applied once the routes have added
/// their operations (see `app::openapi`).
pub struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, status, code, description) in ERRORS {
            let example = json!({
                "type": format!("/problems/{code}"),
                "code": code,
                "title": description,
                "status": status.parse::<u16>().unwrap_or(500),
                "detail": description,
                "instance": "/api/v1/organisations/0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
                "request_id": "0193a5d2-8a00-7f00-b000-000000000001"
            });
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .example(Some(example))
                .build();
            let response = ResponseBuilder::new()
                .description(*description)
                .content("application/problem+json", content)
                .build();
            components
                .responses
                .insert((*name).to_owned(), RefOr::T(response));
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            let operations = [
                (&mut item.get, "get"),
                (&mut item.post, "post"),
                (&mut item.patch, "patch"),
                (&mut item.put, "put"),
                (&mut item.delete, "delete"),
            ];
            for (operation, method) in operations {
                if let Some(operation) = operation {
                    add_errors(operation, path, method, has_id);
                    add_oauth2(operation, path, method);
                }
            }
        }
    }
}

fn add_errors(operation: &mut Operation, path: &str, method: &str, has_id: bool) {
    let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let has_query = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let auth = path.starts_with("/api/v1/auth/");
    let mut wanted = vec!["Internal"];
    if secured || auth || path == "/health/ready" {
        wanted.push("Unavailable");
    }
    if secured {
        wanted.extend(["Unauthorized", "Forbidden"]);
    }
    if has_id {
        wanted.push("NotFound");
    }
    if has_body {
        wanted.extend(["MalformedBody", "PayloadTooLarge", "UnsupportedMediaType"]);
        // The token endpoint answers invalid fields with `400` (RFC 6749 §5.2).
        if !auth {
            wanted.push("Validation");
        }
    }
    if has_query && secured {
        wanted.push("Validation");
    }
    if method == "patch" {
        wanted.extend(["VersionMismatch", "PreconditionRequired"]);
    }
    // A write may meet a unique fact or a state that forbids it (an anonymised citizen).
    if (method == "post" || method == "patch") && secured {
        wanted.push("Conflict");
    }
    for name in wanted {
        let Some((_, status, _, _)) = ERRORS.iter().find(|(n, ..)| *n == name) else {
            continue;
        };
        operation
            .responses
            .responses
            .entry((*status).to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}
