//! The pages behind problem documents' `type` URIs: `GET /problems/{code}` describes one kind
//! of problem, as JSON or, for a browser, as a short HTML page.

use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, web};
use brobygger_domain::FieldErrors;
use serde::Serialize;
use utoipa::ToSchema;

/// One kind of problem.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/version_mismatch",
    "code": "version_mismatch",
    "title": "Version mismatch",
    "status": 412,
    "description": "`If-Match` names a version the resource is no longer at: someone changed it since you read it. Read it again (its `ETag`), reapply your change and send it with the new version."
}))]
pub struct ProblemType {
    /// This page's own path, as in the problem documents' `type`.
    #[serde(rename = "type")]
    pub type_: String,
    pub code: &'static str,
    pub title: &'static str,
    /// The HTTP status the problem comes with.
    pub status: u16,
    /// When it happens and what a client does about it.
    pub description: &'static str,
}

/// One problem of each kind, so that code, title and status come from `ApiError` itself.
fn kinds() -> Vec<ApiError> {
    vec![
        ApiError::Validation(FieldErrors::new()),
        ApiError::MalformedBody(String::new()),
        ApiError::UnsupportedMediaType(""),
        ApiError::PayloadTooLarge(0),
        ApiError::Unauthorized(""),
        ApiError::Forbidden(String::new()),
        ApiError::NotFound,
        ApiError::MethodNotAllowed(Vec::new()),
        ApiError::InvalidTransition {
            from: String::new(),
            to: String::new(),
            allowed: Vec::new(),
        },
        ApiError::Conflict(String::new()),
        ApiError::ConsentRequired(String::new()),
        ApiError::QualificationMissing(String::new()),
        ApiError::CapacityExceeded(String::new()),
        ApiError::IdempotencyConflict,
        ApiError::IdempotencyKeyReuse,
        ApiError::PreconditionRequired,
        ApiError::VersionMismatch { current: 0 },
        ApiError::RateLimited { retry_after: 0 },
        ApiError::Unavailable,
        ApiError::Internal(String::new()),
    ]
}

fn description(code: &str) -> &'static str {
    match code {
        "validation" => {
            "A field is missing, malformed or out of range. `errors` lists every invalid field at once, each with its own `code` and `message`; fix them all and send again."
        }
        "malformed_body" => {
            "The body is not valid JSON (or not a valid form, where a form is accepted). Nothing was changed."
        }
        "unsupported_media_type" => {
            "The body has a media type the operation does not accept; send `application/json`."
        }
        "payload_too_large" => "The body is larger than the server accepts (1 MiB by default).",
        "unauthorized" => {
            "No access token, or one that is expired, revoked, malformed or badly signed. Get a new one at `/api/v1/auth/token` (a refresh token, or sign in again)."
        }
        "forbidden" => {
            "The caller sees the resource but its role (or its integration client's scopes) may not do this. The operation's description names the roles that may."
        }
        "not_found" => {
            "No such resource, or one outside what the caller may see: the two answers are the same on purpose."
        }
        "method_not_allowed" => {
            "The path exists but does not answer this method; `Allow` lists those it does."
        }
        "invalid_transition" => {
            "The workflow's current status does not allow this move; `allowed` lists the moves it does allow."
        }
        "conflict" => {
            "A unique fact already exists (e.g. a CPR number already registered), or the resource's state forbids the change (e.g. an anonymised citizen)."
        }
        "consent_required" => {
            "A referral or sharing without an active consent of the citizen for that purpose; the detail names the purpose. Record the consent first."
        }
        "qualification_missing" => {
            "The peer worker lacks the qualification the task needs, or is not active."
        }
        "capacity_exceeded" => {
            "The peer worker already has as many support courses as their capacity allows."
        }
        "idempotency_conflict" => {
            "A request with the same `Idempotency-Key` is still being processed. Retry shortly with the same key: you will get its response."
        }
        "idempotency_key_reuse" => {
            "This `Idempotency-Key` was used before with a different request. Use a new key for a new request."
        }
        "precondition_required" => {
            "A change needs `If-Match` with the version being changed (the `ETag` of the last read)."
        }
        "version_mismatch" => {
            "`If-Match` names a version the resource is no longer at: someone changed it since you read it. Read it again (its `ETag`), reapply your change and send it with the new version."
        }
        "rate_limited" => {
            "Too many failed sign-ins: five in 15 minutes for one username or from one address. `Retry-After` says in how many seconds to try again."
        }
        "unavailable" => {
            "The database cannot be reached; the server itself is up. Retry after `Retry-After` seconds; nothing was changed."
        }
        "internal" => {
            "A bug. Nothing was leaked; the server logged the cause with the `request_id`: quote it when reporting the problem."
        }
        _ => "",
    }
}

/// Every kind of problem the API answers.
pub fn problem_types() -> Vec<ProblemType> {
    kinds()
        .iter()
        .map(|kind| ProblemType {
            type_: format!("/problems/{}", kind.code()),
            code: kind.code(),
            title: kind.title(),
            status: kind.status_code().as_u16(),
            description: description(kind.code()),
        })
        .collect()
}

/// A problem type
///
/// What the `type` of a problem document points to: the kind of problem, its status, when it
/// happens and what a client does about it. JSON by default; a short HTML page when the
/// client prefers `text/html` (a browser following the link). Public: no token needed.
#[utoipa::path(
    tag = "health",
    operation_id = "get_problem_type",
    params(("code" = String, Path, description = "The problem's `code`, e.g. `validation`", pattern = "^[a-z_]{1,40}$", example = "version_mismatch")),
    responses(
        (status = 200, description = "The problem type", body = ProblemType, content_type = "application/json"),
        (status = 404, description = "No problem has this code", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/problems/{code}")]
pub async fn problem_type(
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let found = problem_types()
        .into_iter()
        .find(|kind| kind.code == code.as_str())
        .ok_or(ApiError::NotFound)?;
    if prefers_html(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html(&found)));
    }
    Ok(HttpResponse::Ok().json(found))
}

/// Whether `Accept` names `text/html` before any JSON type (as browsers send it).
fn prefers_html(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let position = |needle: &str| accept.find(needle);
    match (position("text/html"), position("json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

fn html(kind: &ProblemType) -> String {
    // Every text here is a constant of this module; `` ` `` marks code.
    let mut description = String::new();
    for (i, part) in kind.description.split('`').enumerate() {
        if i % 2 == 1 {
            description.push_str(&format!("<code>{part}</code>"));
        } else {
            description.push_str(part);
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — Brobygger</title></head>\n<body><h1>{title}</h1>\n<p>Code <code>{code}</code>, HTTP status {status}.</p>\n<p>{description}</p>\n<p>See <a href=\"/docs/\">the API documentation</a>.</p></body></html>\n",
        title = kind.title,
        code = kind.code,
        status = kind.status,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_described_once() {
        let kinds = problem_types();
        for kind in &kinds {
            assert!(
                !kind.description.is_empty(),
                "{} has no description",
                kind.code
            );
            assert_eq!(kinds.iter().filter(|k| k.code == kind.code).count(), 1);
        }
        assert_eq!(kinds.len(), 20);
    }

    #[test]
    fn html_marks_code() {
        let page = html(
            &problem_types()
                .into_iter()
                .find(|k| k.code == "precondition_required")
                .expect("known"),
        );
        assert!(page.contains("<code>If-Match</code>"), "{page}");
    }
}
