//! Any bytes through the whole pipeline: read (sniff, guards, grid), locate the tables, validate,
//! fix, validate again. An error or a report, never a panic, an abort, a hang, or an allocation
//! sized by the file's claims (libFuzzer's -malloc_limit_mb catches those). libfuzzer-sys's panic hook
//! aborts even on panics the library would catch and report as an internal error, so those are
//! found too. The format is sniffed from the bytes, so web pages (`<html>…`, with their prose and
//! layout tables) and Word documents (a zip holding `word/document.xml`) go through the same call;
//! good seeds are `sample_workbooks/bad/html_*.xls` and the pages and documents
//! `tests/support/documents.rs` writes.
//!
//! Run (the project's stable toolchain, as in the README):
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run read_bytes corpus/read_bytes ../sample_workbooks/bad ../sample_published -- -rss_limit_mb=2048 -malloc_limit_mb=512`
//! (libFuzzer and AddressSanitizer themselves hold over 600 MB once the corpus has grown).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nianbao::read::{locate, read_grid_bytes, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions::default();
    let Ok(grid) = read_grid_bytes(data, "fuzz", &opts.limits) else {
        return;
    };
    if let Ok((mut report, _)) = locate(&grid, &opts) {
        let _ = nianbao::validate::validate(&report);
        let _ = nianbao::fix::fix(&mut report);
        let _ = nianbao::validate::validate(&report);
    }
});
