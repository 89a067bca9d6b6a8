//! Writers. Every file nianbao writes is written atomically ([`atomic`]): to a temporary file
//! beside the destination, renamed into place only when complete; a roll-up's outputs grow in a
//! scratch file without a name until then ([`target`]). No output may be a path the command
//! reads ([`crate::batch::ReadSet`]).

pub mod atomic;
pub mod csv;
pub mod summary;
pub mod target;
pub mod template;
