//! Turning stored text back into API values: ids and enums. A stored value that does not
//! parse is a bug (the database's `CHECK`s should make it impossible), so it is `500`.

use crate::error::ApiError;
use brobygger_domain::workflow::TextEnum;
use uuid::Uuid;

pub fn uuid(value: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(value).map_err(ApiError::internal)
}

pub fn uuid_opt(value: Option<&str>) -> Result<Option<Uuid>, ApiError> {
    value.map(uuid).transpose()
}

pub fn uuids(values: &[String]) -> Result<Vec<Uuid>, ApiError> {
    values.iter().map(|v| uuid(v)).collect()
}

pub fn text_enum<T: TextEnum>(value: &str) -> Result<T, ApiError> {
    T::parse(value).ok_or_else(|| ApiError::internal(format!("stored value {value:?} unknown")))
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
