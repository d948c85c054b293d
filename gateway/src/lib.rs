//! The REST gateway: authenticates people, owns the identity store and
//! fronts the gRPC services, and serves the web portal.

pub mod admin;
pub mod app;
pub mod auth;
pub mod cluster;
pub mod demo;
pub mod fanout;
pub mod idempotency;
pub mod identity;
pub mod kv;
pub mod launcher;
pub mod news;
pub mod openapi;
pub mod problem;
pub mod ratelimit;
pub mod rest;
pub mod services;
pub mod web;

#[cfg(test)]
mod testutil;
