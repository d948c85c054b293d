//! The service kit: everything a prm service needs that is not its own domain.
//!
//! A service's start-up is one call into [`server::run`]; its handlers use
//! [`auth::Caller`] for identity, [`scope`] for tenancy, [`listing`] for
//! filters, sorting and page tokens, [`error::Error`] for status codes, and
//! [`record`] for notes, files, field history and followers.

pub mod address;
pub mod aggregate;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod fence;
pub mod listing;
pub mod mail;
pub mod money;
pub mod outbox;
pub mod owned;
pub mod pricing;
pub mod record;
pub mod references;
pub mod row_security;
pub mod scope;
pub mod search;
pub mod server;
pub mod telemetry;
pub mod testing;
pub mod text;
pub mod text_enum;
pub mod time;
pub mod views;

pub use auth::{Caller, Role};
pub use error::{Error, Result};
