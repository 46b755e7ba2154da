//! The nearest known name to a misspelt one, and names compared however they
//! are written: the domain crate's, the one implementation.

pub(crate) use leadscore_domain::suggest::{nearest, normalise as loose};
