//! The one error type at the HTTP edge and its RFC 9457 problem document.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use brobygger_domain::{FieldError, FieldErrors};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document; every error of the API has this shape.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation",
    "code": "validation",
    "title": "Invalid input",
    "status": 422,
    "detail": "2 fields are invalid",
    "instance": "/api/v1/organisations",
    "request_id": "0193a5d2-7c1e-7a51-9d1b-5d6f2f4b8e21",
    "errors": [
        {"field": "cvr", "code": "invalid_checksum", "message": "fails the modulus-11 check"},
        {"field": "name", "code": "required", "message": "is required"}
    ]
}))]
pub struct Problem {
    /// `/problems/<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A stable machine-readable code (see `docs/api-conventions.md`).
    pub code: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The path of the request.
    pub instance: String,
    /// The id of the request, as in its `X-Request-Id` header.
    pub request_id: String,
    /// Every invalid field, for `validation` problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The statuses a workflow may move to, for `invalid_transition` problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The OAuth 2.0 error code (RFC 6749 §5.2), on failures of `/auth/token` and
    /// `/auth/revoke` only: `invalid_request`, `invalid_client`, `invalid_grant`,
    /// `unauthorized_client`, `unsupported_grant_type` or `invalid_scope`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// With `error`: the same as `detail` (RFC 6749 §5.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's name; nested fields are joined by `.`.
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for ProblemField {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            code: e.code,
            message: e.message,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{} field(s) are invalid", .0.0.len())]
    Validation(FieldErrors),
    #[error("the body is not valid JSON: {0}")]
    MalformedBody(String),
    #[error("the body must be JSON ({0})")]
    UnsupportedMediaType(&'static str),
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(String),
    /// An integration client's token lacks the scope the operation needs (RFC 6750 §3.1).
    #[error("this operation needs the scope {0}")]
    InsufficientScope(&'static str),
    #[error("no such resource")]
    NotFound,
    /// A known path with a method it does not answer; `Allow` names those it does.
    #[error("this path answers {}", .0.join(", "))]
    MethodNotAllowed(Vec<&'static str>),
    #[error("cannot move from {from} to {to}")]
    InvalidTransition {
        from: String,
        to: String,
        allowed: Vec<String>,
    },
    #[error("{0}")]
    Conflict(String),
    /// A referral or sharing without an active consent for that purpose (the detail names it).
    #[error("{0}")]
    ConsentRequired(String),
    /// A peer worker without the needed qualification, or not active.
    #[error("{0}")]
    QualificationMissing(String),
    /// A peer worker at capacity.
    #[error("{0}")]
    CapacityExceeded(String),
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyConflict,
    #[error("this Idempotency-Key was used with another request")]
    IdempotencyKeyReuse,
    #[error("send If-Match with the version you are changing (its ETag)")]
    PreconditionRequired,
    #[error("the resource has changed: it is at version {current}")]
    VersionMismatch { current: i64 },
    #[error("too many attempts: try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    /// A bounded resource (password hashing) is at capacity: `503` with `Retry-After`.
    #[error("{0}; try again shortly")]
    Overloaded(&'static str),
    /// A bug. The cause is logged with the request id, never sent.
    #[error("an internal error occurred")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.push(field, code, message);
        Self::Validation(errors)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(_) => "validation",
            Self::MalformedBody(_) => "malformed_body",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::InsufficientScope(_) => "insufficient_scope",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::Conflict(_) => "conflict",
            Self::ConsentRequired(_) => "consent_required",
            Self::QualificationMissing(_) => "qualification_missing",
            Self::CapacityExceeded(_) => "capacity_exceeded",
            Self::IdempotencyConflict => "idempotency_conflict",
            Self::IdempotencyKeyReuse => "idempotency_key_reuse",
            Self::PreconditionRequired => "precondition_required",
            Self::VersionMismatch { .. } => "version_mismatch",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable | Self::Overloaded(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            Self::Validation(_) => "Invalid input",
            Self::MalformedBody(_) => "Malformed body",
            Self::UnsupportedMediaType(_) => "Unsupported media type",
            Self::PayloadTooLarge(_) => "Payload too large",
            Self::Unauthorized(_) => "Unauthorized",
            Self::Forbidden(_) => "Forbidden",
            Self::InsufficientScope(_) => "Insufficient scope",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed(_) => "Method not allowed",
            Self::InvalidTransition { .. } => "Invalid transition",
            Self::Conflict(_) => "Conflict",
            Self::ConsentRequired(_) => "Consent required",
            Self::QualificationMissing(_) => "Qualification missing",
            Self::CapacityExceeded(_) => "Capacity exceeded",
            Self::IdempotencyConflict => "Request in flight",
            Self::IdempotencyKeyReuse => "Idempotency key reused",
            Self::PreconditionRequired => "Precondition required",
            Self::VersionMismatch { .. } => "Version mismatch",
            Self::RateLimited { .. } => "Too many requests",
            Self::Unavailable | Self::Overloaded(_) => "Service unavailable",
            Self::Internal(_) => "Internal error",
        }
    }

    pub fn problem(&self) -> Problem {
        let context = crate::request_context::current();
        let (errors, allowed) = match self {
            Self::Validation(errors) => (
                errors.0.iter().cloned().map(ProblemField::from).collect(),
                None,
            ),
            Self::InvalidTransition { allowed, .. } => (Vec::new(), Some(allowed.clone())),
            _ => (Vec::new(), None),
        };
        let detail = match self {
            Self::InvalidTransition { from, to, allowed } if allowed.is_empty() => {
                format!("cannot move from {from} to {to}: {from} is final")
            }
            Self::InvalidTransition { from, to, allowed } => {
                format!(
                    "cannot move from {from} to {to}; allowed: {}",
                    allowed.join(", ")
                )
            }
            other => other.to_string(),
        };
        Problem {
            type_: format!("/problems/{}", self.code()),
            code: self.code(),
            title: self.title(),
            status: self.status_code().as_u16(),
            detail,
            instance: context.path,
            request_id: context.request_id,
            errors,
            allowed,
            error: None,
            error_description: None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::IdempotencyKeyReuse => StatusCode::UNPROCESSABLE_ENTITY,
            Self::MalformedBody(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::InsufficientScope(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::InvalidTransition { .. } | Self::Conflict(_) | Self::IdempotencyConflict => {
                StatusCode::CONFLICT
            }
            Self::QualificationMissing(_) | Self::CapacityExceeded(_) => StatusCode::CONFLICT,
            Self::ConsentRequired(_) => StatusCode::CONFLICT,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable | Self::Overloaded(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        match self {
            Self::Internal(cause) => {
                log::error!("request {} failed: {cause}", problem.request_id);
            }
            Self::Unavailable => log::warn!("request {}: database unavailable", problem.request_id),
            Self::Overloaded(what) => log::warn!("request {}: {what}", problem.request_id),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        match self {
            Self::Unauthorized(_) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"brobygger\""),
                ));
            }
            Self::InsufficientScope(scope) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!(
                        "Bearer realm=\"brobygger\", error=\"insufficient_scope\", scope=\"{scope}\""
                    ),
                ));
            }
            Self::RateLimited { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unavailable | Self::Overloaded(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::MethodNotAllowed(allowed) => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match error {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(Kind::UniqueViolation, _) => {
                Self::Conflict("a resource with these unique values already exists".to_owned())
            }
            // A service checks every reference it is given; this is the net under a missed one:
            // the database refused a dangling reference, which is the client's input, not a bug.
            Error::DatabaseError(Kind::ForeignKeyViolation, info) => {
                log::warn!(
                    "a reference reached the database unchecked: {}",
                    info.message()
                );
                let field = info.column_name().unwrap_or("body");
                Self::field(field, "unknown", "names something that does not exist")
            }
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _)
            | Error::BrokenTransactionManager => Self::Unavailable,
            // SQLite under write contention past its busy timeout: worth a retry, not a bug.
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                log::warn!("SQLite: {}", info.message());
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::internal(error)
    }
}

// --- The domain's refusals, each as the one answer the contract gives for it -----------------

impl From<brobygger_domain::peer_worker::GuideRefusal> for ApiError {
    fn from(refusal: brobygger_domain::peer_worker::GuideRefusal) -> Self {
        use brobygger_domain::peer_worker::GuideRefusal;
        match refusal {
            GuideRefusal::NotQualified { .. } => Self::QualificationMissing(refusal.to_string()),
            GuideRefusal::AtCapacity { .. } => Self::CapacityExceeded(refusal.to_string()),
        }
    }
}

impl From<brobygger_domain::support_course::TransitionRefusal> for ApiError {
    fn from(refusal: brobygger_domain::support_course::TransitionRefusal) -> Self {
        use brobygger_domain::error::HasCode;
        use brobygger_domain::support_course::TransitionRefusal;
        use brobygger_domain::workflow::TextEnum;
        match (&refusal, refusal.field()) {
            (TransitionRefusal::NotAllowed { from, to, allowed }, _) => Self::InvalidTransition {
                from: from.as_str().to_owned(),
                to: to.as_str().to_owned(),
                allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
            },
            (_, Some(field)) => Self::field(field, refusal.code(), refusal.to_string()),
            (_, None) => Self::Conflict(refusal.to_string()),
        }
    }
}

impl From<brobygger_domain::support_course::KeepsPeerWorker> for ApiError {
    fn from(refusal: brobygger_domain::support_course::KeepsPeerWorker) -> Self {
        use brobygger_domain::error::HasCode;
        Self::field("peer_worker_id", refusal.code(), refusal.to_string())
    }
}

impl From<brobygger_domain::support_course::ContactRefusal> for ApiError {
    fn from(refusal: brobygger_domain::support_course::ContactRefusal) -> Self {
        use brobygger_domain::error::HasCode;
        use brobygger_domain::support_course::ContactRefusal;
        match refusal {
            ContactRefusal::InFuture => Self::field("date", refusal.code(), refusal.to_string()),
            ContactRefusal::NotOpenForContacts { .. } => Self::Conflict(refusal.to_string()),
        }
    }
}

impl From<brobygger_domain::citizen::WithdrawalRefusal> for ApiError {
    fn from(refusal: brobygger_domain::citizen::WithdrawalRefusal) -> Self {
        use brobygger_domain::citizen::WithdrawalRefusal;
        use brobygger_domain::error::HasCode;
        match refusal {
            WithdrawalRefusal::AlreadyWithdrawn => Self::Conflict(refusal.to_string()),
            WithdrawalRefusal::BeforeGiven => {
                Self::field("withdrawn_on", refusal.code(), refusal.to_string())
            }
        }
    }
}

impl From<brobygger_domain::training_cohort::OutcomeRefusal> for ApiError {
    fn from(refusal: brobygger_domain::training_cohort::OutcomeRefusal) -> Self {
        use brobygger_domain::error::HasCode;
        use brobygger_domain::training_cohort::OutcomeRefusal;
        use brobygger_domain::workflow::TextEnum;
        match (&refusal, refusal.field()) {
            (OutcomeRefusal::NotAllowed { from, to, allowed }, _) => Self::InvalidTransition {
                from: from.as_str().to_owned(),
                to: to.as_str().to_owned(),
                allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
            },
            (_, Some(field)) => Self::field(field, refusal.code(), refusal.to_string()),
            (_, None) => Self::Conflict(refusal.to_string()),
        }
    }
}

impl From<brobygger_domain::programme::PartnerRoleRefusal> for ApiError {
    fn from(refusal: brobygger_domain::programme::PartnerRoleRefusal) -> Self {
        use brobygger_domain::error::HasCode;
        Self::field("role", refusal.code(), refusal.to_string())
    }
}

impl From<brobygger_domain::referral::ReferralRefusal> for ApiError {
    fn from(refusal: brobygger_domain::referral::ReferralRefusal) -> Self {
        use brobygger_domain::error::HasCode;
        use brobygger_domain::referral::ReferralRefusal;
        use brobygger_domain::workflow::TextEnum;
        match (&refusal, refusal.field()) {
            (ReferralRefusal::NotAllowed { from, to, allowed }, _) => Self::InvalidTransition {
                from: from.as_str().to_owned(),
                to: to.as_str().to_owned(),
                allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
            },
            (ReferralRefusal::WrongSide { .. }, _) => Self::Forbidden(refusal.to_string()),
            (_, Some(field)) => Self::field(field, refusal.code(), refusal.to_string()),
            (_, None) => Self::Conflict(refusal.to_string()),
        }
    }
}
