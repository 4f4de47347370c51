//! Request bodies: JSON (or a JSON merge patch) checked against the very schema the contract
//! publishes, so that what the OpenAPI document says and what the server accepts cannot drift,
//! and every bad field is reported at once.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use brobygger_domain::FieldErrors;
use futures_util::future::LocalBoxFuture;
use jsonschema::error::ValidationErrorKind;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

/// Fields that the server sets; a client sending one is told so.
const SERVER_FIELDS: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "status",
    "status_history",
    "phase",
    "client_id",
];

/// Checks of single fields that the schema cannot express (a CVR's checksum, an official
/// code), run on the raw body together with the schema, so that one answer lists every bad
/// field. The full checks run again on the typed value.
pub trait FieldRules {
    fn check_fields(_body: &Map<String, Value>, _errors: &mut FieldErrors) {}
}

/// The compiled JSON Schema validator of `T`, built once from its OpenAPI schema.
fn validator<T: ToSchema + 'static>() -> Result<Arc<jsonschema::Validator>, ApiError> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache
        .read()
        .ok()
        .and_then(|c| c.get(&TypeId::of::<T>()).cloned())
    {
        return Ok(found);
    }
    let mut dependencies = Vec::new();
    T::schemas(&mut dependencies);
    let components: Map<String, Value> = dependencies
        .into_iter()
        .map(|(name, schema)| Ok((name, serde_json::to_value(schema)?)))
        .collect::<Result<_, serde_json::Error>>()
        .map_err(ApiError::internal)?;
    let mut root = serde_json::to_value(T::schema()).map_err(ApiError::internal)?;
    if let Value::Object(map) = &mut root {
        map.insert(
            "components".to_owned(),
            serde_json::json!({ "schemas": components }),
        );
    }
    let compiled = jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| ApiError::internal(format!("schema of {}: {e}", T::name())))?;
    let compiled = Arc::new(compiled);
    if let Ok(mut c) = cache.write() {
        c.insert(TypeId::of::<T>(), compiled.clone());
    }
    Ok(compiled)
}

/// The names of `T`'s properties, as its schema declares them.
pub fn properties<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// Checks `value` against `T`'s schema and turns it into a `T`, listing every bad field.
pub fn from_value<T: ToSchema + DeserializeOwned + FieldRules + 'static>(
    value: Value,
) -> Result<T, ApiError> {
    let mut errors = FieldErrors::new();
    let Some(fields) = value.as_object() else {
        errors.push("", "invalid_type", "the body must be a JSON object");
        return Err(errors.into());
    };
    find_nul(&value, "", &mut errors);
    let mut rule_errors = FieldErrors::new();
    T::check_fields(fields, &mut rule_errors);
    let validator = validator::<T>()?;
    for error in validator.iter_errors(&value) {
        let path = error
            .instance_path
            .as_str()
            .trim_start_matches('/')
            .replace('/', ".");
        let message = error.masked().to_string();
        match &error.kind {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                errors.push(join(&path, name), "required", "is required");
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                for name in unexpected {
                    if SERVER_FIELDS.contains(&name.as_str()) {
                        errors.push(join(&path, name), "read_only", "is set by the server");
                    } else {
                        errors.push(
                            join(&path, name),
                            "unknown_field",
                            "is not a field of this resource",
                        );
                    }
                }
            }
            kind => {
                let code =
                    match kind {
                        ValidationErrorKind::Type { .. } => "invalid_type",
                        ValidationErrorKind::Enum { .. }
                        | ValidationErrorKind::OneOfNotValid
                        | ValidationErrorKind::AnyOf => "invalid_value",
                        ValidationErrorKind::MaxLength { .. } => "too_long",
                        ValidationErrorKind::MinLength { .. } => "too_short",
                        ValidationErrorKind::Format { .. }
                        | ValidationErrorKind::Pattern { .. } => "invalid_format",
                        ValidationErrorKind::MaxItems { .. }
                        | ValidationErrorKind::MinItems { .. } => "invalid_length",
                        ValidationErrorKind::UniqueItems => "duplicate",
                        _ => "out_of_range",
                    };
                if !errors.0.iter().any(|e| e.field == path) {
                    errors.push(path, code, message);
                }
            }
        }
    }
    for error in rule_errors.0 {
        if !errors.0.iter().any(|e| e.field == error.field) {
            errors.0.push(error);
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    serde_json::from_value(value).map_err(|e| ApiError::field("", "invalid_value", e.to_string()))
}

/// Strings are stored as given, any Unicode but NUL.
fn find_nul(value: &Value, path: &str, errors: &mut FieldErrors) {
    match value {
        Value::String(s) if s.contains('\0') => {
            errors.push(path, "invalid_character", "must not contain NUL")
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_nul(item, &join(path, &i.to_string()), errors);
            }
        }
        Value::Object(map) => {
            for (name, item) in map {
                find_nul(item, &join(path, name), errors);
            }
        }
        _ => {}
    }
}

/// Reads the body within the configured limit.
async fn read_body(req: &HttpRequest, payload: &mut Payload) -> Result<web::Bytes, ApiError> {
    let limit = req
        .app_data::<web::Data<crate::state::AppState>>()
        .map_or(1024 * 1024, |s| s.settings.body_limit);
    web::Bytes::from_request(req, payload).await.map_err(|e| {
        match e.as_error::<actix_web::error::PayloadError>() {
            Some(actix_web::error::PayloadError::Overflow) => ApiError::PayloadTooLarge(limit),
            _ => ApiError::MalformedBody("the body could not be read".to_owned()),
        }
    })
}

fn require_json(req: &HttpRequest, merge_patch: bool) -> Result<(), ApiError> {
    let mime = req.mime_type().ok().flatten();
    let ok = mime.as_ref().is_some_and(|m| {
        m.type_() == "application"
            && (m.subtype() == "json"
                || (merge_patch
                    && m.subtype() == "merge-patch"
                    && m.suffix().is_some_and(|s| s == "json")))
    });
    if ok {
        Ok(())
    } else if merge_patch {
        Err(ApiError::UnsupportedMediaType(
            "application/json or application/merge-patch+json",
        ))
    } else {
        Err(ApiError::UnsupportedMediaType("application/json"))
    }
}

fn parse_value(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::MalformedBody(format!("line {} column {}", e.line(), e.column())))
}

/// A SHA-256 of the body, to recognise a repeated request (`Idempotency-Key`).
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A JSON body checked against `T`'s published schema.
pub struct Json<T> {
    pub value: T,
    /// SHA-256 of the raw body.
    pub digest: String,
}

impl<T: ToSchema + DeserializeOwned + FieldRules + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            require_json(&req, false)?;
            let bytes = read_body(&req, &mut payload).await?;
            let value = from_value(parse_value(&bytes)?)?;
            Ok(Json {
                value,
                digest: digest(&bytes),
            })
        })
    }
}

/// A JSON merge patch (RFC 7396): the fields to change, `null` to clear one.
pub struct MergePatch(pub Map<String, Value>);

impl FromRequest for MergePatch {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            require_json(&req, true)?;
            let bytes = read_body(&req, &mut payload).await?;
            match parse_value(&bytes)? {
                Value::Object(map) => Ok(MergePatch(map)),
                _ => Err(ApiError::field(
                    "",
                    "invalid_type",
                    "a merge patch is a JSON object",
                )),
            }
        })
    }
}

impl MergePatch {
    /// Applies the patch to `current` (the resource as its writable input `I`) and checks the
    /// result as a whole. Fields outside `writable` are refused, never silently applied.
    pub fn apply<I>(self, current: &I, writable: &[&str]) -> Result<I, ApiError>
    where
        I: ToSchema + DeserializeOwned + serde::Serialize + FieldRules + 'static,
    {
        let known = properties::<I>();
        let mut errors = FieldErrors::new();
        for name in self.0.keys() {
            if writable.contains(&name.as_str()) {
                continue;
            }
            if SERVER_FIELDS.contains(&name.as_str())
                || known.iter().any(|k| k == name)
                || name.ends_with("_id")
            {
                errors.push(name.as_str(), "read_only", "may not be changed here");
            } else {
                errors.push(
                    name.as_str(),
                    "unknown_field",
                    "is not a field of this resource",
                );
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let mut merged = serde_json::to_value(current).map_err(ApiError::internal)?;
        merge(&mut merged, Value::Object(self.0));
        from_value(merged)
    }
}

/// RFC 7396 merge.
fn merge(target: &mut Value, patch: Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(map) = target {
                for (name, value) in fields {
                    if value.is_null() {
                        map.remove(&name);
                    } else {
                        merge(map.entry(name).or_insert(Value::Null), value);
                    }
                }
            }
        }
        other => *target = other,
    }
}

/// The raw `Content-Type` check for bodies that may also be forms (the token endpoint).
pub async fn json_or_form(
    req: &HttpRequest,
    payload: &mut Payload,
) -> Result<(Value, String), ApiError> {
    let is_form = req.content_type() == mime_form();
    if !is_form {
        require_json(req, false)?;
    }
    let bytes = read_body(req, payload).await?;
    let value = if is_form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| ApiError::MalformedBody("the form is not valid".to_owned()))?;
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    } else {
        parse_value(&bytes)?
    };
    Ok((value, digest(&bytes)))
}

fn mime_form() -> &'static str {
    "application/x-www-form-urlencoded"
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut target, json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
    }
}
