//! Small helpers for lists read from the store. Ids and enums come out of `persistence`
//! typed; only the audit log's polymorphic text columns (`user_id`, which may be `system`,
//! and `resource_id`, an id of any table) are parsed here, and a stored value that does not
//! parse is a bug, so `500`.

use crate::error::ApiError;
use uuid::Uuid;

/// A stored free-text id (the audit log's) as a `Uuid`.
pub fn uuid(value: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(value).map_err(ApiError::internal)
}

/// The values of `pairs` (owner id, value) that belong to `owner`, in order.
pub fn values_of<'a, K: PartialEq, V>(
    pairs: &'a [(K, V)],
    owner: &'a K,
) -> impl Iterator<Item = &'a V> {
    pairs
        .iter()
        .filter(move |(o, _)| o == owner)
        .map(|(_, v)| v)
}

/// Sorted, without repeats: lists that are sets (models, codes, ids).
pub fn set<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort();
    values.dedup();
    values
}
