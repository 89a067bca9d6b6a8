//! Writers. Every file nianbao writes is written atomically ([`atomic`]): to a temporary file
//! beside the destination, renamed into place only when complete.

pub mod atomic;
pub mod csv;
pub mod summary;
pub mod target;
pub mod template;
