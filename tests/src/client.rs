//! A small HTTP client vocabulary for the tests.

use awc::http::header::HeaderMap;
use serde_json::Value;

pub struct Req {
    inner: awc::ClientRequest,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body as JSON (`Null` when it is empty or not JSON).
    pub body: Value,
    pub text: String,
}

impl Req {
    pub(crate) fn new(inner: awc::ClientRequest) -> Self {
        Self { inner }
    }

    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(self, name: &str, value: &str) -> Self {
        Self {
            inner: self.inner.insert_header((name, value)),
        }
    }

    pub fn if_match(self, version: i64) -> Self {
        self.header("if-match", &format!("\"{version}\""))
    }

    pub async fn send(self) -> Resp {
        read(self.inner.send().await).await
    }

    pub async fn json(self, body: Value) -> Resp {
        self.raw("application/json", serde_json::to_vec(&body).expect("json"))
            .await
    }

    pub async fn merge_patch(self, body: Value) -> Resp {
        self.raw(
            "application/merge-patch+json",
            serde_json::to_vec(&body).expect("json"),
        )
        .await
    }

    pub async fn raw(self, content_type: &str, body: impl Into<Vec<u8>>) -> Resp {
        let body: Vec<u8> = body.into();
        read(
            self.inner
                .insert_header(("content-type", content_type))
                .send_body(body)
                .await,
        )
        .await
    }
}

async fn read(
    response: Result<
        awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
        >,
        awc::error::SendRequestError,
    >,
) -> Resp {
    let mut response = response.expect("the request reaches the server");
    let bytes = response
        .body()
        .limit(64 * 1024 * 1024)
        .await
        .expect("the body");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Resp {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text,
    }
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `id` of the resource in the body.
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {}", self.text))
            .to_owned()
    }

    pub fn version(&self) -> i64 {
        self.body["version"]
            .as_i64()
            .unwrap_or_else(|| panic!("no version in {}", self.text))
    }

    /// The problem `code`.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// The fields named in a validation problem, sorted.
    pub fn error_fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        fields.sort();
        fields
    }

    /// The ids of a list's items, in order.
    pub fn ids(&self) -> Vec<String> {
        self.body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no items in {}", self.text))
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .collect()
    }

    /// Whether a list answer shows nothing: refused (`403`, a role the operation is not for)
    /// or without items.
    pub fn lists_nothing(&self) -> bool {
        self.status == 403 || self.ids().is_empty()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts a problem document with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Self {
        self.assert_status(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.code(), code, "{}", self.text);
        assert!(
            self.body["request_id"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "problem without request_id"
        );
        self
    }
}
