//! Group commit of the audit records of reads: every audited read waits for its records to be
//! durable before it answers, and the records of concurrent reads share one transaction — one
//! multi-row `INSERT`, one commit, one fsync — instead of one each.
//!
//! One committer per server (held in `AppState`), a task on the database's runtime started by the first
//! audited read, takes every record waiting, writes them as one batch (at most [`MAX_ROWS`]
//! rows, a request's records never split) and then answers each of their reads. While a batch
//! is being written the next one gathers: under load the batches grow by themselves, without a
//! timer. A batch that fails fails all its reads (`503`): none of them answers with data whose
//! access is not on record. A write keeps its records in its own transaction instead.

use crate::db::Database;
use crate::error::ApiError;
use brobygger_persistence::audit::{self as store, AuditRow};
use prometheus::IntCounter;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most rows one batch takes (a single request's records are never split: its list page
/// may take a batch over this).
pub const MAX_ROWS: usize = 1_000;

/// The records of one read, and where to say they are durable.
struct Waiting {
    rows: Vec<AuditRow>,
    done: oneshot::Sender<bool>,
}

/// The queue to a database's committer, started on first use.
#[derive(Clone, Default)]
pub struct GroupCommit {
    queue: Arc<OnceLock<mpsc::UnboundedSender<Waiting>>>,
    counts: BatchCounts,
}

/// How many batches the committer wrote, and how many records in them, for `/metrics`.
#[derive(Clone)]
pub struct BatchCounts {
    pub batches: IntCounter,
    pub records: IntCounter,
}

impl Default for BatchCounts {
    fn default() -> Self {
        Self {
            batches: IntCounter::new(
                "audit_batches_total",
                "Batches of read audit records committed (one transaction each)",
            )
            .expect("a valid metric name"),
            records: IntCounter::new(
                "audit_batch_records_total",
                "Read audit records committed in those batches",
            )
            .expect("a valid metric name"),
        }
    }
}

impl GroupCommit {
    pub fn counts(&self) -> &BatchCounts {
        &self.counts
    }

    /// Commits `rows` with those of concurrent reads; `Ok` once they are durable, `503` if
    /// their batch failed (or the committer has stopped: the server is ending).
    pub async fn commit(&self, db: &Database, rows: Vec<AuditRow>) -> Result<(), ApiError> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            // The committer ends when this queue's last sender (the server's state) is dropped.
            let writer = db.clone();
            let counts = self.counts.clone();
            drop(db.spawn(run(writer, receiver, counts)));
            sender
        });
        let (done, durable) = oneshot::channel();
        queue
            .send(Waiting { rows, done })
            .map_err(|_| ApiError::Unavailable)?;
        match durable.await {
            Ok(true) => Ok(()),
            _ => Err(ApiError::Unavailable),
        }
    }
}

/// The committer: batch after batch until every sender is gone.
async fn run(db: Database, mut queue: mpsc::UnboundedReceiver<Waiting>, counts: BatchCounts) {
    while let Some(first) = queue.recv().await {
        let mut rows = first.rows;
        let mut waiting = vec![first.done];
        while rows.len() < MAX_ROWS {
            let Ok(next) = queue.try_recv() else { break };
            rows.extend(next.rows);
            waiting.push(next.done);
        }
        let written = rows.len() as u64;
        let stored = db.write(move |conn| Ok(store::append(conn, &rows)?)).await;
        let durable = match stored {
            Ok(()) => {
                counts.batches.inc();
                counts.records.inc_by(written);
                true
            }
            Err(error) => {
                log::warn!(
                    "a batch of {written} read audit records failed ({error}): its {} reads answer 503",
                    waiting.len()
                );
                false
            }
        };
        for done in waiting {
            // A read whose client has gone no longer waits: nothing to tell it.
            let _ = done.send(durable);
        }
    }
}
