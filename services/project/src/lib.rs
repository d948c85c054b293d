//! The project service: projects (opportunities) and their sales-stage
//! machine, the Cost Info computed from Total Users, the vendor's weighted
//! average prices and the primary quote, and the Bonus Pipeline incentive.
//!
//! The rules live in [`domain`], pure: no I/O, no wire types, no clock.

pub mod domain;
