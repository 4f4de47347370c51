//! The contract says what the server checks (see `app::openapi`): every property or query
//! parameter named after one of the checked kinds of value gets the JSON Schema that says what
//! the server accepts, wherever it appears (new resources included), and a description of
//! what it checks beyond that.
//!
//! - `municipality_code` (and the items of `municipality_codes`): one of the 98 official codes,
//!   `$ref: MunicipalityCode` (an `enum`, from the reference data the server checks against);
//! - `region_code`: one of the 5, `$ref: RegionCode`;
//! - `cpr`: `DDMMYY-SSSS` or `DDMMYYSSSS` (a pattern); the date is checked beyond it;
//! - `cvr`: 8 digits (a pattern); the modulus-11 check beyond it;
//! - `cursor` (a query parameter) and `next_cursor`: the 48 base64url characters of the
//!   cursors the server gives out; only those it gave out are accepted;
//! - the `Idempotency-Key` header: 1–255 visible ASCII characters;
//! - the `If-Match` header: `*` or an ETag (`"3"`, `W/"3"`).

use brobygger_domain::reference;
use serde_json::{Map, Value, json};
use utoipa::Modify;

const CPR_PATTERN: &str = "^[0-9]{6}-?[0-9]{4}$";
const CPR_BEYOND: &str = "The server also checks that the first six digits are a real date \
    (DDMMYY, the century from the serial number); there is no modulus-11 check.";
const CVR_PATTERN: &str = "^[0-9]{8}$";
const CVR_BEYOND: &str =
    "The server also checks modulus 11 (weights 2, 7, 6, 5, 4, 3, 2, 1): `422 invalid_checksum`.";
const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]{48}$";
const CURSOR_BEYOND: &str = "Only a `next_cursor` this API gave out is accepted (`422` otherwise).";
const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,255}$";
const IF_MATCH_PATTERN: &str = "^(\\*|(W/)?\"[0-9]{1,18}\")$";
const IF_MATCH_BEYOND: &str =
    "A version other than the current one is `412 version_mismatch`; `*` matches any.";

pub struct ContractPatterns;

impl Modify for ContractPatterns {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Ok(mut document) = serde_json::to_value(&*openapi) else {
            return;
        };
        add_code_schemas(&mut document);
        walk(&mut document);
        if let Some(schemas) = document
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            // Its uses now name `MunicipalityCode`.
            schemas.remove("MunicipalityCodeText");
        }
        match serde_json::from_value(document) {
            Ok(patterned) => *openapi = patterned,
            Err(e) => log::error!("the contract's patterns could not be applied: {e}"),
        }
    }
}

fn add_code_schemas(document: &mut Value) {
    let municipalities: Vec<&str> = reference::municipalities()
        .iter()
        .map(|m| m.municipality_code.as_str())
        .collect();
    let regions: Vec<&str> = reference::regions()
        .iter()
        .map(|r| r.region_code.as_str())
        .collect();
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    schemas.insert(
        "MunicipalityCode".to_owned(),
        json!({
            "type": "string",
            "description": "An official 3-digit code of one of the 98 Danish municipalities (`GET /api/v1/reference/municipalities` names them).",
            "enum": municipalities,
            "example": "630",
        }),
    );
    schemas.insert(
        "RegionCode".to_owned(),
        json!({
            "type": "string",
            "description": "An official 4-digit code of one of the 5 Danish regions (`GET /api/v1/reference/regions` names them).",
            "enum": regions,
            "example": "1083",
        }),
    );
}

/// Every `properties` map and every parameter of the document, at any depth.
fn walk(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                for (name, schema) in properties.iter_mut() {
                    apply(name, schema, false);
                }
            }
            let parameter = matches!(
                object.get("in").and_then(Value::as_str),
                Some("query" | "header")
            );
            if parameter {
                let name = object
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if let Some(schema) = object.get_mut("schema") {
                    apply(&name, schema, true);
                }
            }
            let mut retarget = false;
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                retarget = reference == "#/components/schemas/MunicipalityCodeText";
            }
            if retarget {
                object.insert(
                    "$ref".to_owned(),
                    json!("#/components/schemas/MunicipalityCode"),
                );
            }
            for child in object.values_mut() {
                walk(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

fn apply(name: &str, schema: &mut Value, parameter: bool) {
    match name {
        "municipality_code" => refer(schema, "MunicipalityCode"),
        "region_code" => refer(schema, "RegionCode"),
        "municipality_codes" => {
            if let Some(items) = schema.get_mut("items") {
                refer(items, "MunicipalityCode");
            }
        }
        "cpr" => constrain(schema, CPR_PATTERN, Some((10, 11)), CPR_BEYOND),
        "cvr" => constrain(schema, CVR_PATTERN, None, CVR_BEYOND),
        "cursor" if parameter => constrain(schema, CURSOR_PATTERN, None, CURSOR_BEYOND),
        "next_cursor" => constrain(schema, CURSOR_PATTERN, None, ""),
        "Idempotency-Key" if parameter => constrain(schema, IDEMPOTENCY_KEY_PATTERN, None, ""),
        "If-Match" if parameter => constrain(schema, IF_MATCH_PATTERN, None, IF_MATCH_BEYOND),
        _ => {}
    }
}

/// A string property or parameter becomes a reference to the code schema `to` (or null, when
/// it may be null), keeping its description.
fn refer(schema: &mut Value, to: &str) {
    let Some(object) = schema.as_object() else {
        return;
    };
    let reference = json!({ "$ref": format!("#/components/schemas/{to}") });
    if object.contains_key("$ref") {
        if object["$ref"] != reference["$ref"] {
            *schema = reference;
        }
        return;
    }
    let nullable = match object.get("type") {
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        Some(Value::String(_)) => false,
        _ => return,
    };
    let mut replaced = Map::new();
    if let Some(description) = object.get("description") {
        replaced.insert("description".to_owned(), description.clone());
    }
    if nullable {
        replaced.insert("oneOf".to_owned(), json!([{"type": "null"}, reference]));
    } else {
        replaced.extend(reference.as_object().cloned().unwrap_or_default());
    }
    *schema = Value::Object(replaced);
}

fn constrain(schema: &mut Value, pattern: &str, lengths: Option<(u64, u64)>, beyond: &str) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.insert("pattern".to_owned(), json!(pattern));
    if let Some((min, max)) = lengths {
        object.insert("minLength".to_owned(), json!(min));
        object.insert("maxLength".to_owned(), json!(max));
    }
    if beyond.is_empty() {
        return;
    }
    let description = match object.get("description").and_then(Value::as_str) {
        Some(said) if said.contains(beyond) => return,
        Some(said) => format!("{said} {beyond}"),
        None => beyond.to_owned(),
    };
    object.insert("description".to_owned(), json!(description));
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn contract() -> Value {
        serde_json::to_value(crate::openapi()).expect("json")
    }

    #[test]
    fn codes_are_the_reference_codes() {
        let document = contract();
        let codes = &document["components"]["schemas"]["MunicipalityCode"]["enum"];
        assert_eq!(codes.as_array().map(Vec::len), Some(98));
        assert!(codes.as_array().expect("enum").contains(&"630".into()));
        let regions = &document["components"]["schemas"]["RegionCode"]["enum"];
        assert_eq!(regions.as_array().map(Vec::len), Some(5));
        let citizen = &document["components"]["schemas"]["Citizen"]["properties"];
        assert_eq!(
            citizen["municipality_code"]["$ref"],
            "#/components/schemas/MunicipalityCode"
        );
        let organisation = &document["components"]["schemas"]["Organisation"]["properties"];
        assert_eq!(
            organisation["region_code"]["oneOf"][1]["$ref"],
            "#/components/schemas/RegionCode"
        );
        assert!(
            document["components"]["schemas"]
                .get("MunicipalityCodeText")
                .is_none()
        );
        assert!(!document.to_string().contains("MunicipalityCodeText"));
    }

    #[test]
    fn cpr_cvr_and_cursors_have_patterns() {
        let document = contract();
        let schemas = &document["components"]["schemas"];
        let cpr = &schemas["CitizenInput"]["properties"]["cpr"];
        assert_eq!(cpr["pattern"], super::CPR_PATTERN);
        assert!(
            cpr["description"]
                .as_str()
                .expect("said")
                .contains("real date")
        );
        assert_eq!(
            schemas["Organisation"]["properties"]["cvr"]["pattern"],
            super::CVR_PATTERN
        );
        let parameters = document["paths"]["/api/v1/citizens"]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .clone();
        let cursor = parameters
            .iter()
            .find(|p| p["name"] == "cursor")
            .expect("cursor");
        assert_eq!(cursor["schema"]["pattern"], super::CURSOR_PATTERN);
    }

    #[test]
    fn the_cursor_pattern_fits_the_cursors_given_out() {
        use base64::Engine;
        let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(uuid::Uuid::now_v7().to_string());
        let pattern = regex_lite(&cursor);
        assert!(pattern, "{cursor}");
    }

    /// `^[A-Za-z0-9_-]{48}$`, by hand.
    fn regex_lite(text: &str) -> bool {
        text.len() == 48
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }
}
