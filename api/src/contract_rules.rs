//! Document-wide rules that make the contract generate clean clients, applied once every route
//! has added its operations (see `app::openapi`): always-present properties are `required`,
//! pages `$ref` their item schema, public operations say `security: []`, every operation has a
//! description.

use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use utoipa::Modify;

/// Properties of response schemas that are left out when empty (`skip_serializing_if`), so
/// not `required`: (schema, property).
const SOMETIMES_ABSENT: &[(&str, &str)] = &[
    ("Citizen", "cpr"),
    ("ReferredCitizen", "phone"),
    ("ReferredCitizen", "email"),
    ("TokenResponse", "refresh_token"),
    ("TokenResponse", "scope"),
    ("User", "client_secret"),
    ("Health", "database"),
    ("Problem", "errors"),
    ("Problem", "allowed"),
    ("Problem", "error"),
    ("Problem", "error_description"),
];

pub struct CleanContract;

impl Modify for CleanContract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Ok(mut document) = serde_json::to_value(&*openapi) else {
            return;
        };
        pages_ref_their_items(&mut document);
        operations(&mut document);
        always_present_is_required(&mut document);
        match serde_json::from_value(document) {
            Ok(clean) => *openapi = clean,
            Err(e) => log::error!("the contract's rules could not be applied: {e}"),
        }
    }
}

/// `Page_X` schemas hold their items as `$ref: X` (moving an inline item schema to `X`).
fn pages_ref_their_items(document: &mut Value) {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let pages: Vec<String> = schemas
        .keys()
        .filter(|name| name.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let item = page.trim_start_matches("Page_").to_owned();
        let Some(items) = schemas
            .get_mut(&page)
            .and_then(|p| p.pointer_mut("/properties/items/items"))
        else {
            continue;
        };
        if items.get("$ref").is_some() {
            continue;
        }
        let inline = std::mem::replace(
            items,
            json!({ "$ref": format!("#/components/schemas/{item}") }),
        );
        schemas.entry(item).or_insert(inline);
    }
}

/// `security: []` on public operations; a description on every one.
fn operations(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (method, operation) in item.iter_mut() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let Some(operation) = operation.as_object_mut() else {
                continue;
            };
            operation.entry("security").or_insert_with(|| json!([]));
            let public = operation["security"].as_array().is_some_and(Vec::is_empty);
            let has_description = operation
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.trim().is_empty());
            if !has_description {
                let summary = operation
                    .get("summary")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim_end_matches('.')
                    .to_owned();
                let who = if public {
                    "Public: no token needed."
                } else {
                    "Needs an access token; what the role may see is said on the resource."
                };
                operation.insert("description".to_owned(), json!(format!("{summary}. {who}")));
            }
        }
    }
}

/// Every property of a schema that only responses use is `required` (the server always
/// sends it, `null` where it is nullable), except those in [`SOMETIMES_ABSENT`].
fn always_present_is_required(document: &mut Value) {
    let requests = referenced(document, "requestBody");
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let request_schemas = closure(schemas, requests);
    for (name, schema) in schemas.iter_mut() {
        if request_schemas.contains(name) {
            continue;
        }
        let Some(object) = schema.as_object_mut() else {
            continue;
        };
        let Some(properties) = object.get("properties").and_then(Value::as_object) else {
            continue;
        };
        // An export row says itself which columns are always there: they differ by audience.
        if name.starts_with("Export") && name.ends_with("Row") {
            continue;
        }
        let mut required: Vec<String> = properties
            .keys()
            .filter(|p| !SOMETIMES_ABSENT.contains(&(name.as_str(), p.as_str())))
            .cloned()
            .collect();
        if required.is_empty() {
            continue;
        }
        required.sort_by_key(|p| properties.keys().position(|k| k == p));
        object.insert("required".to_owned(), json!(required));
    }
}

/// The schema names `$ref`ed under every member named `under` of the document.
fn referenced(document: &Value, under: &str) -> BTreeSet<String> {
    fn walk(value: &Value, inside: bool, under: &str, found: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    if inside
                        && key == "$ref"
                        && let Some(name) = child
                            .as_str()
                            .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    {
                        found.insert(name.to_owned());
                    }
                    walk(child, inside || key == under, under, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, inside, under, found)),
            _ => {}
        }
    }
    let mut found = BTreeSet::new();
    if let Some(paths) = document.get("paths") {
        walk(paths, false, under, &mut found);
    }
    found
}

/// `roots` and every schema they reach through `$ref`.
fn closure(schemas: &Map<String, Value>, roots: BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.get(&name) {
            let doc = json!({ "paths": { "x": { "requestBody": schema } } });
            todo.extend(referenced(&doc, "requestBody"));
        }
    }
    seen
}
