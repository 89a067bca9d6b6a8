//! Writers. Every file nianbao writes goes through [`atomic::AtomicFile`].

pub mod atomic;
pub mod csv;
pub mod summary;
pub mod target;
pub mod template;
