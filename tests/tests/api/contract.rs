//! The contract: `openapi.yaml` is what the server serves and what `brobygger openapi` prints,
//! and every operation is documented with its errors.

use brobygger_tests::{Backend, TestApp};
use serde_json::Value;

const COMMITTED: &str = include_str!("../../../openapi.yaml");

#[actix_web::test]
async fn openapi_yaml_is_what_the_server_serves() {
    let generated = brobygger_api::openapi_yaml_text().expect("yaml");
    assert!(
        generated == COMMITTED,
        "openapi.yaml is stale: run `cargo run -p brobygger-api -- openapi > openapi.yaml` and commit it"
    );
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = app.get("/api/v1/openapi.yaml").send().await;
    served.assert_status(200);
    assert_eq!(served.text, COMMITTED);
    let json = app.get("/api/v1/openapi.json").send().await;
    json.assert_status(200);
    assert_eq!(json.body["openapi"], "3.1.0");
    let docs = app.get("/docs/").send().await;
    docs.assert_status(200);
    assert!(
        docs.text.contains("swagger-ui"),
        "Swagger UI is served from the binary"
    );
    let asset = app.get("/docs/swagger-ui-bundle.js").send().await;
    asset.assert_status(200);
}

#[test]
fn every_operation_is_documented_with_its_errors() {
    let document: Value = serde_json::to_value(brobygger_api::openapi()).expect("json");
    let paths = document["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    let mut operation_ids = std::collections::BTreeSet::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            if !["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                continue;
            }
            let at = format!("{method} {path}");
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{at}: no operationId"));
            assert!(
                operation_ids.insert(id.to_owned()),
                "{at}: duplicate operationId {id}"
            );
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: no summary"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{at}: no tag"
            );
            let responses = operation["responses"].as_object().expect("responses");
            assert!(responses.contains_key("500"), "{at}: no 500");
            let public = path.starts_with("/health")
                || path == "/metrics"
                || path.starts_with("/problems/")
                || path.starts_with("/api/v1/reference")
                || path.starts_with("/api/v1/auth/")
                || path.starts_with("/api/v1/openapi");
            if !public {
                assert!(
                    operation["security"]
                        .as_array()
                        .is_some_and(|s| !s.is_empty()),
                    "{at}: no security"
                );
                assert!(
                    responses.contains_key("401") && responses.contains_key("403"),
                    "{at}: no 401/403"
                );
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{at}: no 404");
            }
            if operation.get("requestBody").is_some() {
                // The token and revocation endpoints answer invalid fields with 400
                // (`invalid_request`, RFC 6749 §5.2), the others with 422.
                let invalid = if path.starts_with("/api/v1/auth/") {
                    "400"
                } else {
                    "422"
                };
                for status in ["400", "413", "415", invalid] {
                    assert!(responses.contains_key(status), "{at}: no {status}");
                }
            }
            if method == "patch" {
                assert!(
                    responses.contains_key("412") && responses.contains_key("428"),
                    "{at}: no 412/428"
                );
            }
        }
    }
    // Every schema the API defines carries an example, on itself or its properties.
    for (name, schema) in document["components"]["schemas"]
        .as_object()
        .expect("schemas")
    {
        if schema.get("enum").is_some()
            || name == "ProblemField"
            || name.starts_with("Page_")
            || name == "GrantType"
        {
            continue;
        }
        // A choice among named schemas: each of them is checked here itself.
        if schema["oneOf"]
            .as_array()
            .is_some_and(|all| all.iter().all(|s| s.get("$ref").is_some()))
        {
            continue;
        }
        let has_example = schema.get("example").is_some()
            || schema.get("examples").is_some()
            || schema["properties"]
                .as_object()
                .is_some_and(|p| p.values().any(|v| v.get("example").is_some()));
        assert!(has_example, "schema {name} has no example");
    }
}
