//! End-to-end tests: one binary, the whole system per test (zero2prod style).

mod helpers;

mod accounts;
mod bola;
mod cases;
mod delete_races;
mod events;
mod grpc;
mod home;
mod idempotency;
mod leads;
mod mass_assignment;
mod openapi;
mod orders;
mod portal;
mod projects;
mod quotes;
mod ratelimit;
mod reports;
mod required;
mod row_security;
mod search;
mod tasks;
mod tenancy;
mod tracing_context;
mod validation;
mod views;
