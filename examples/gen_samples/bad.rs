//! PLACEHOLDER — the bad-input samples (`sample_workbooks/bad/`) are written by another helper;
//! this file is replaced at merge. It only keeps the generator compiling until then.

use std::path::Path;

/// Write the bad-input samples into `dir`. Placeholder: writes nothing.
pub fn generate(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let _ = dir;
    Ok(())
}
