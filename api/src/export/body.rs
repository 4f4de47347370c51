//! The export as an HTTP response: the producer on a blocking thread feeds a bounded channel;
//! the body streams from it (chunked). The first chunk is awaited before the status is sent, so
//! a failure before any row is a problem document; a later one ends the body so the client can
//! tell: NDJSON with a final `{"error": …}` line, CSV without the terminating chunk.

use super::encode::Format;
use super::stream::{Piece, Plan, produce};
use crate::db::Database;
use crate::error::ApiError;
use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use futures_util::StreamExt;
use futures_util::stream;

/// Chunks (batches) waiting between the producer and the socket.
const QUEUE: usize = 2;

pub async fn respond(db: &Database, plan: Plan) -> Result<HttpResponse, ApiError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Piece>(QUEUE);
    let format = plan.format;
    let request_id = plan.request_id.clone();
    let producer = db.clone();
    // It ends when the rows are read or the receiver (the body) is dropped.
    db.spawn_long("export", move || {
        produce(&producer, &plan, |piece| tx.blocking_send(piece).is_ok());
    })?;
    let first = match rx.recv().await {
        Some(Piece::Chunk { bytes, .. }) => bytes,
        Some(Piece::Failed(e)) => return Err(e),
        None => {
            return Err(ApiError::internal(
                "the export ended before its first chunk",
            ));
        }
    };
    let rest = stream::unfold(Some(rx), move |rx| {
        let request_id = request_id.clone();
        async move {
            let mut rx = rx?;
            match rx.recv().await? {
                Piece::Chunk { bytes, .. } => Some((Ok(bytes), Some(rx))),
                Piece::Failed(e) => Some((failure(format, &e, &request_id), None)),
            }
        }
    });
    let body = stream::once(async move { Ok(first) })
        .chain(rest)
        .filter(|chunk| std::future::ready(!matches!(chunk, Ok(bytes) if bytes.is_empty())));
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

/// How a failure after the first chunk ends the body.
fn failure(format: Format, error: &ApiError, request_id: &str) -> Result<Bytes, std::io::Error> {
    match format {
        Format::Ndjson => {
            let line = serde_json::json!({"error": error.problem(), "request_id": request_id});
            Ok(Bytes::from(format!("{line}\n")))
        }
        Format::Csv => Err(std::io::Error::other("the export failed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_failure_ends_ndjson_with_an_error_line_and_csv_with_an_error() {
        let line = failure(Format::Ndjson, &ApiError::Unavailable, "req-1").expect("a line");
        let value: serde_json::Value = serde_json::from_slice(&line).expect("JSON");
        assert_eq!(value["request_id"], "req-1");
        assert_eq!(value["error"]["status"], 503);
        assert!(line.ends_with(b"\n"));
        assert!(failure(Format::Csv, &ApiError::Unavailable, "req-1").is_err());
    }
}
