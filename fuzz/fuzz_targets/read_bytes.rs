//! Any bytes through the whole reader: an error or a grid, never a panic, an abort, or an
//! allocation sized by the file's claims (libFuzzer's -rss_limit_mb catches those).
//!
//! Run: `cargo fuzz run read_bytes fuzz/corpus/read_bytes ../sample_workbooks/bad -- -rss_limit_mb=512`
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::read::{read_grid_bytes, Limits};

fuzz_target!(|data: &[u8]| {
    let _ = read_grid_bytes(data, "fuzz", &Limits::default());
});
