//! The OAuth 2.0 edge of the token endpoint (RFC 6749): client authentication by HTTP Basic
//! (§2.3.1) as well as in the body, the grant type checked before the body's schema, and every
//! failure answered with the RFC's `error` member beside the problem fields (§5.2).

use super::dto::TokenResponse;
use crate::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use base64::Engine;
use serde_json::Value;

/// The field-error code of a scope the client may not have (`invalid_scope`).
pub const INVALID_SCOPE: &str = "invalid_scope";

/// The grant types the endpoint knows.
const GRANT_TYPES: &[&str] = &["password", "refresh_token", "client_credentials"];

/// A failure of the token or revocation endpoint: its RFC 6749 `error` and the problem behind it.
#[derive(Debug)]
pub struct Failure {
    pub error: &'static str,
    pub cause: ApiError,
}

impl Failure {
    pub fn new(error: &'static str, cause: ApiError) -> Self {
        Self { error, cause }
    }

    /// A malformed request: bad media type, body or fields.
    pub fn request(cause: ApiError) -> Self {
        let error = match &cause {
            ApiError::Internal(_) | ApiError::Unavailable => "server_error",
            _ => "invalid_request",
        };
        Self { error, cause }
    }

    /// A failure of the grant itself: wrong credentials are the client's (`invalid_client`)
    /// for `client_credentials` and the grant's (`invalid_grant`) otherwise.
    pub fn of_grant(cause: ApiError, grant_type: &str) -> Self {
        match &cause {
            ApiError::Unauthorized(_) | ApiError::RateLimited { .. } => Self {
                error: if grant_type == "client_credentials" {
                    "invalid_client"
                } else {
                    "invalid_grant"
                },
                cause,
            },
            ApiError::Validation(errors) if errors.0.iter().any(|e| e.code == INVALID_SCOPE) => {
                Self {
                    error: "invalid_scope",
                    cause,
                }
            }
            _ => Self::request(cause),
        }
    }

    /// The status RFC 6749 §5.2 gives the failure: `401` for `invalid_client`, `400` for the
    /// other errors; throttling (`429`) and the server's own failures keep theirs.
    fn status(&self) -> StatusCode {
        match (&self.cause, self.error) {
            (ApiError::RateLimited { .. }, _) | (_, "server_error") => self.cause.status_code(),
            (_, "invalid_client") => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(cause: ApiError) -> Self {
        Self::request(cause)
    }
}

/// Client credentials from `Authorization: Basic`, each form-urlencoded-decoded (§2.3.1);
/// `None` without such a header. A header that is not valid Basic is `invalid_client`.
pub fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, Failure> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let Some(encoded) = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Basic ")
            .or_else(|| v.strip_prefix("basic "))
    }) else {
        return Ok(None);
    };
    let bad = || {
        Failure::new(
            "invalid_client",
            ApiError::Unauthorized("the Basic credentials are not valid"),
        )
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    Ok(Some((
        form_decode(id).ok_or_else(bad)?,
        form_decode(secret).ok_or_else(bad)?,
    )))
}

/// `application/x-www-form-urlencoded` decoding of one component (`+` is a space).
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Checks what the schema cannot say in OAuth terms — a missing or unknown `grant_type`, a
/// scope — and moves Basic client credentials into the body. Answers the grant type.
pub fn prepare(value: &mut Value, basic: Option<(String, String)>) -> Result<String, Failure> {
    let Value::Object(body) = value else {
        return Err(Failure::new(
            "invalid_request",
            ApiError::MalformedBody("the body must be an object".to_owned()),
        ));
    };
    let grant_type = match body.get("grant_type") {
        Some(Value::String(grant)) => grant.clone(),
        _ => {
            return Err(Failure::new(
                "invalid_request",
                ApiError::field("grant_type", "required", "is required"),
            ));
        }
    };
    if !GRANT_TYPES.contains(&grant_type.as_str()) {
        return Err(Failure::new(
            "unsupported_grant_type",
            ApiError::field(
                "grant_type",
                "unsupported",
                format!("must be one of {}", GRANT_TYPES.join(", ")),
            ),
        ));
    }
    match body.remove("scope") {
        Some(Value::String(scope)) if !scope.trim().is_empty() => {
            if grant_type != "client_credentials" {
                return Err(Failure::new(
                    "invalid_scope",
                    ApiError::field(
                        "scope",
                        INVALID_SCOPE,
                        "people have no scopes: their role decides; send none",
                    ),
                ));
            }
            body.insert("scope".to_owned(), Value::String(scope));
        }
        Some(Value::String(_)) | Some(Value::Null) | None => {}
        Some(_) => {
            return Err(Failure::new(
                "invalid_request",
                ApiError::field("scope", "invalid_type", "must be a string"),
            ));
        }
    }
    if let Some((id, secret)) = basic.filter(|_| grant_type == "client_credentials") {
        if body
            .get("client_id")
            .is_some_and(|v| v.as_str() != Some(&id))
        {
            return Err(Failure::new(
                "invalid_request",
                ApiError::field(
                    "client_id",
                    "conflict",
                    "differs from the client authenticated by HTTP Basic",
                ),
            ));
        }
        body.insert("client_id".to_owned(), Value::String(id));
        body.insert("client_secret".to_owned(), Value::String(secret));
    }
    Ok(grant_type)
}

/// The answer of the token endpoint: tokens, or the failure as a problem with `error`.
/// `basic` says whether the client authenticated by HTTP Basic (then `invalid_client` is a
/// `401` asking for Basic, RFC 6749 §5.2).
pub fn respond<T: serde::Serialize>(
    result: Result<Option<T>, Failure>,
    basic: bool,
) -> HttpResponse {
    match result {
        Ok(Some(body)) => HttpResponse::Ok().json(body),
        Ok(None) => HttpResponse::NoContent().finish(),
        Err(failure) => {
            let status = failure.status();
            let Failure { error, cause } = failure;
            let mut problem = cause.problem();
            problem.error = Some(error);
            problem.error_description = Some(problem.detail.clone());
            if status == StatusCode::BAD_REQUEST {
                problem.code = error;
                problem.type_ = format!("/problems/{error}");
                problem.title = "Invalid token request";
            }
            problem.status = status.as_u16();
            let mut response = cause.error_response();
            *response.status_mut() = status;
            let headers = response.headers_mut();
            headers.remove(header::WWW_AUTHENTICATE);
            if error == "invalid_client" {
                let scheme = if basic {
                    "Basic realm=\"brobygger\""
                } else {
                    "Bearer realm=\"brobygger\""
                };
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
                .set_body(serde_json::to_string(&problem).unwrap_or_default())
                .map_into_boxed_body()
        }
    }
}

/// Tokens as the endpoint answers them.
pub type Issued = Result<Option<TokenResponse>, Failure>;
