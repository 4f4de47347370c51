//! The programme report's pure computations: rates, the median, targets beside measured values.
