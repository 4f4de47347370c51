//! The programme report's aggregate queries.
