//! The gateway's REST surface over a real socket, on every configured
//! backend (memory + SQLite always; Redis and PostgreSQL when their
//! `PRM_TEST_*` variables are set).

// The crate-internal test harness, compiled here too; these re-exports let
// its `crate::…` paths resolve in this binary.
use prm_gateway::{identity, kv};
#[path = "../../src/testutil.rs"]
mod testutil;

mod admin;
mod auth;
mod helpers;
mod middleware;
