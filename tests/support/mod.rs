//! Shared test support. Integration tests use it with `mod support;`; the sample generator
//! includes `layouts.rs` directly (`#[path = "../../tests/support/layouts.rs"] mod layouts;`).
#![allow(dead_code)]

pub mod documents;
pub mod layouts;
