//! Keyset pagination shared by every list: ordered by id (UUIDv7, so by creation), stable
//! under inserts, no `OFFSET`.

use chrono::NaiveDateTime;

#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Only rows with an id after this one.
    pub after: Option<String>,
    /// How many rows to return; the caller asks for one more to learn whether a page follows.
    pub limit: i64,
    /// Only rows changed at or after this instant.
    pub updated_since: Option<NaiveDateTime>,
}

/// Applies a [`PageRequest`] to a boxed query over a table with `id` and `updated_at`.
#[macro_export]
macro_rules! paginate {
    ($query:expr, $table:ident, $page:expr) => {{
        let page: &$crate::PageRequest = $page;
        let mut query = $query;
        if let Some(after) = &page.after {
            query = query.filter($crate::schema::$table::id.gt(after.clone()));
        }
        if let Some(since) = page.updated_since {
            query = query.filter($crate::schema::$table::updated_at.ge(since));
        }
        query
            .order($crate::schema::$table::id.asc())
            .limit(page.limit)
    }};
}
