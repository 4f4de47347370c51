//! The one producer of every export, for the HTTP body and the command alike: the rows read in
//! batches inside one read transaction (`brobygger_persistence::export::read`: a server-side
//! cursor on PostgreSQL), each batch encoded on a second thread while the next is read and
//! handed to a sink as one chunk, so memory holds a batch or two whatever the row count. A sink
//! that refuses a chunk (the client went away) stops the query. One audit event when it ends.

use super::encode::{Format, Projection};
use crate::actor::Auditor;
use crate::db::Database;
use crate::error::ApiError;
use actix_web::web::Bytes;
use brobygger_domain::export::{Audience, Dataset, Pseudonymiser};
use brobygger_persistence::export::{self as store, ExportFilter};

/// Rows a batch reads.
pub const BATCH: usize = 8_192;

/// One export, decided and checked: what to read, for whom, in which format.
pub struct Plan {
    pub dataset: Dataset,
    pub format: Format,
    pub audience: Audience,
    pub filter: ExportFilter,
    pub pseudonymiser: Option<Pseudonymiser>,
    pub auditor: Auditor,
    pub request_id: String,
    /// The dataset and filters, as the audit event records them.
    pub description: String,
}

/// What the producer hands its sink.
pub enum Piece {
    /// Encoded rows (the first chunk starts with the CSV header).
    Chunk { bytes: Bytes, rows: u64 },
    /// The export failed; nothing more follows.
    Failed(ApiError),
}

/// How an export ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub rows: u64,
    pub complete: bool,
}

/// Runs the export on the calling (blocking) thread, handing each chunk to `sink`, which
/// returns `false` when nobody reads any more. Records the audit event, with the row count,
/// when the rows are read (whether all of them were, or the export stopped).
pub fn produce(db: &Database, plan: &Plan, mut sink: impl FnMut(Piece) -> bool + Send) -> Outcome {
    let mut rows = 0;
    let read = read_all(db, plan, &mut sink, &mut rows);
    let ending = match &read {
        Ok(true) => "complete",
        Ok(false) => {
            log::warn!(
                "export {} stopped after {rows} rows: the client went away (request {})",
                plan.dataset.as_str(),
                plan.request_id
            );
            "stopped: the client went away"
        }
        Err(e) => {
            log::error!(
                "export {} failed after {rows} rows (request {}): {e}",
                plan.dataset.as_str(),
                plan.request_id
            );
            "failed"
        }
    };
    let detail = format!("{} rows={rows} {ending}", plan.description);
    let audited = db.write_now(|conn| {
        plan.auditor
            .record_detail(conn, "export", plan.dataset.as_str(), detail)
    });
    let outcome = Outcome {
        rows,
        complete: matches!(read, Ok(true)) && audited.is_ok(),
    };
    if let Err(e) = read.and(audited) {
        sink(Piece::Failed(e));
    }
    outcome
}

/// Reads every batch in one snapshot on this thread while another encodes the batch before
/// and hands it to the sink (the database and the encoding work at the same time); `Ok(false)`
/// when the sink stopped taking chunks.
fn read_all(
    db: &Database,
    plan: &Plan,
    sink: &mut (impl FnMut(Piece) -> bool + Send),
    rows: &mut u64,
) -> Result<bool, ApiError> {
    let projection = Projection::new(plan.dataset, plan.audience, plan.pseudonymiser.clone());
    let mut conn = db.pool().get().map_err(crate::db::unavailable)?;
    let (batches, queue) = std::sync::mpsc::sync_channel::<store::Batch>(1);
    std::thread::scope(|scope| {
        let projection = &projection;
        let encoder = scope.spawn(move || encode_all(plan, projection, queue, sink, rows));
        // Stops when the queue is closed: the encoder stopped, as the sink refused a chunk.
        let read = store::in_snapshot(&mut conn, |conn| -> Result<bool, ApiError> {
            Ok(store::read(
                conn,
                plan.dataset,
                &plan.filter,
                BATCH,
                |batch| batches.send(batch).is_ok(),
            )?)
        });
        drop(batches);
        let taken = encoder
            .join()
            .map_err(|_| ApiError::internal("the export's encoder panicked"))?;
        read.map(|_| taken)
    })
}

/// Encodes each batch into one chunk for the sink (the first starts with the CSV header);
/// `false` when the sink refused one.
fn encode_all(
    plan: &Plan,
    projection: &Projection,
    queue: std::sync::mpsc::Receiver<store::Batch>,
    sink: &mut impl FnMut(Piece) -> bool,
    rows: &mut u64,
) -> bool {
    let mut out = Vec::with_capacity(1 << 20);
    if plan.format == Format::Csv {
        projection.csv_header(&mut out);
    }
    for batch in queue {
        for row in batch.rows() {
            projection.write(plan.format, &row, &mut out);
        }
        let count = batch.len() as u64;
        *rows += count;
        drop(batch);
        // The next chunk is about as long as this one.
        let next = Vec::with_capacity(out.len() + out.len() / 8);
        let bytes = Bytes::from(std::mem::replace(&mut out, next));
        if !sink(Piece::Chunk { bytes, rows: count }) {
            return false;
        }
    }
    true
}
