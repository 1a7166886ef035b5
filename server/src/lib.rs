//! Arcanum: a Vault/OpenBao-compatible secrets manager in one binary.
//!
//! Layers, from the bottom: `storage` (physical key/value on SQLite or PostgreSQL),
//! `barrier` (AES-256-GCM over it), `seal` (Shamir-split unseal key), `core` (state,
//! mount router, request pipeline), `framework` + `engines` (path tables), and the
//! adapters `http` (Vault's wire format) and `console` (the Leptos UI). The core never
//! imports axum or leptos.

pub mod audit;
pub mod auth;
pub mod barrier;
pub mod cli;
pub mod config;
pub mod console;
pub mod core;
pub mod crypto;
pub mod engines;
pub mod framework;
pub mod http;
pub mod logical;
pub mod policy;
pub mod seal;
pub mod server;
pub mod storage;
pub mod testing;
pub mod token;
