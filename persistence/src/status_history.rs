//! The generic status history: every workflow change of any resource, in one table.

use crate::DbConnection;
use crate::ids::{StatusChangeId, UserId};
use crate::schema::status_history;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = status_history)]
pub struct StatusHistoryRow {
    pub id: StatusChangeId,
    /// `programme`, `peer_worker`, …
    pub resource_type: String,
    pub resource_id: String,
    pub status: String,
    pub at: NaiveDateTime,
    pub by_user_id: Option<UserId>,
    pub reason: Option<String>,
}

pub fn insert(conn: &mut DbConnection, row: &StatusHistoryRow) -> QueryResult<()> {
    diesel::insert_into(status_history::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The history of one resource, oldest first.
pub fn of(
    conn: &mut DbConnection,
    resource_type: &str,
    resource_id: &str,
) -> QueryResult<Vec<StatusHistoryRow>> {
    status_history::table
        .filter(status_history::resource_type.eq(resource_type))
        .filter(status_history::resource_id.eq(resource_id))
        .order((status_history::at.asc(), status_history::id.asc()))
        .select(StatusHistoryRow::as_select())
        .load(conn)
}

/// The histories of several resources of one type, oldest first.
pub fn of_many(
    conn: &mut DbConnection,
    resource_type: &str,
    resource_ids: &[String],
) -> QueryResult<Vec<StatusHistoryRow>> {
    status_history::table
        .filter(status_history::resource_type.eq(resource_type))
        .filter(status_history::resource_id.eq_any(resource_ids))
        .order((status_history::at.asc(), status_history::id.asc()))
        .select(StatusHistoryRow::as_select())
        .load(conn)
}

/// `items` without repeats (by `key`), each where it first came: a joined query repeats a
/// resource's children once per row of another child table.
pub fn unique_in_order<T, K: PartialEq>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let mut seen: Vec<K> = Vec::new();
    let mut out = Vec::new();
    for item in items {
        let k = key(&item);
        if !seen.contains(&k) {
            seen.push(k);
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unique_in_order;

    #[test]
    fn repeats_are_dropped_and_the_first_order_kept() {
        let items = [3, 1, 3, 2, 1, 2, 4];
        assert_eq!(unique_in_order(items, |i| *i), vec![3, 1, 2, 4]);
        assert_eq!(
            unique_in_order(Vec::<i32>::new(), |i| *i),
            Vec::<i32>::new()
        );
    }
}
