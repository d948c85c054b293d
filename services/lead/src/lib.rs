//! The lead service (being built).
