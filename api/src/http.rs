//! The conventions every resource shares: versions and `ETag`/`If-Match`, keyset pages.

use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use brobygger_domain::FieldErrors;
use brobygger_persistence::PageRequest;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A stored resource with a version (its `ETag`).
pub trait Versioned {
    fn version(&self) -> i64;
}

/// `impl Versioned` for resources with a `version: i64` field, in one line each.
macro_rules! versioned {
    ($($resource:ty),+ $(,)?) => {
        $(impl $crate::http::Versioned for $resource {
            fn version(&self) -> i64 {
                self.version
            }
        })+
    };
}
pub(crate) use versioned;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `200` with the resource and its `ETag`.
pub fn ok<T: Serialize + Versioned>(resource: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(resource.version())))
        .json(resource)
}

/// A request's `If-Match` header, taken out of the request so it can travel to the database
/// thread.
#[derive(Debug, Clone)]
pub struct IfMatch(Option<String>);

impl IfMatch {
    pub fn of(req: &HttpRequest) -> Self {
        Self(
            req.headers()
                .get(header::IF_MATCH)
                .map(|v| v.to_str().unwrap_or_default().to_owned()),
        )
    }

    /// `428` without the header, `412` when it does not name the `current` version.
    pub fn check(&self, current: i64) -> Result<(), ApiError> {
        let value = self.0.as_deref().ok_or(ApiError::PreconditionRequired)?;
        let matches = value.split(',').map(str::trim).any(|tag| {
            tag == "*"
                || tag
                    .trim_start_matches("W/")
                    .trim_matches('"')
                    .parse::<i64>()
                    .is_ok_and(|v| v == current)
        });
        if matches {
            Ok(())
        } else {
            Err(ApiError::VersionMismatch { current })
        }
    }
}

/// Paging parameters of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1–200.
    #[param(minimum = 1, maximum = 200, default = 50, example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only items changed at or after this instant (RFC 3339), for incremental sync.
    #[param(value_type = Option<String>, format = DateTime, example = "2026-11-01T00:00:00Z")]
    pub updated_since: Option<String>,
}

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

impl PageParams {
    /// The checked request, asking for one row more than the page to learn if another follows.
    pub fn request(&self) -> Result<PageRequest, ApiError> {
        let mut errors = FieldErrors::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(
                "limit",
                "out_of_range",
                format!("must be between 1 and {MAX_LIMIT}"),
            );
        }
        let after = self.cursor.as_deref().and_then(|cursor| {
            let id = URL_SAFE_NO_PAD
                .decode(cursor)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .filter(|id| uuid::Uuid::parse_str(id).is_ok());
            if id.is_none() {
                errors.push(
                    "cursor",
                    "invalid_format",
                    "is not a cursor this API gave out",
                );
            }
            id
        });
        let updated_since = self.updated_since.as_deref().and_then(|since| {
            let parsed = DateTime::parse_from_rfc3339(since)
                .ok()
                .map(|at| at.with_timezone(&Utc).naive_utc());
            if parsed.is_none() {
                errors.push(
                    "updated_since",
                    "invalid_format",
                    "must be an RFC 3339 instant",
                );
            }
            parsed
        });
        errors
            .into_result(|| PageRequest {
                after,
                limit: limit + 1,
                updated_since,
            })
            .map_err(ApiError::from)
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The one page of a child list that is never paged (a course's goals, a citizen's
    /// consents).
    pub fn all(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }

    /// Builds the page from rows fetched with [`PageParams::request`] (one more than asked).
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        request: &PageRequest,
        id: impl Fn(&R) -> &dyn std::fmt::Display,
        map: impl Fn(R) -> Result<T, ApiError>,
    ) -> Result<Self, ApiError> {
        let limit = usize::try_from(request.limit - 1).unwrap_or(0);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last()
                .map(|last| URL_SAFE_NO_PAD.encode(id(last).to_string()))
        } else {
            None
        };
        Ok(Self {
            items: rows.into_iter().map(map).collect::<Result<_, _>>()?,
            next_cursor,
        })
    }
}

/// The versioned update: `stored` is what the store's conditional update answered for the
/// `version` that was read; `false` means someone changed the resource since (`412`).
pub fn stored(stored: bool, version: i64) -> Result<(), ApiError> {
    if stored {
        Ok(())
    } else {
        Err(ApiError::VersionMismatch {
            current: version + 1,
        })
    }
}

/// Converts rows to API values, failing on the first that does not convert.
pub fn convert_all<R, T>(
    rows: Vec<R>,
    map: impl Fn(R) -> Result<T, ApiError>,
) -> Result<Vec<T>, ApiError> {
    rows.into_iter().map(map).collect()
}
