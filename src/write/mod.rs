//! Writers. Every file nianbao writes goes through [`atomic::write_atomic`].

pub mod atomic;
pub mod template;
